//! The engine: many filters over one stream, each alert read once.
//!
//! For each schema id the engine compiles the filters' fast forms together (one scan of
//! an alert's bytes fills every slot they read), and keeps a decoding plan per distinct
//! need for the expressions jq evaluates. Each filter keeps its own counters, budget
//! strikes and visit ledger ([`super::visits`]); an error in one affects no other.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jaq_json::{Num, Val};

use super::check;
use super::def::{FilterDef, FilterError};
use super::emit::Map;
pub use super::emit::{Output, Stats, Tp};
use super::emit::{MOC_HEADER, REASON_HEADER, WATCHLIST_HEADER, WATCHLIST_SEP_HEADER};
use super::fast;
use super::guard;
use super::jq::analysis::{Need, Use};
use super::jq::astro::{self, AlertSky as AstroAlert};
use super::jq::{self, JqError, Program};
use super::project::Plan;
use super::thin::thin;
use super::visits::Visits;
use crate::formats::avro::binary::DecodeError;
use crate::formats::avro::graph::Graph;
use crate::formats::avro::AlertSchema;
use crate::formats::avro::SchemaStore;
use crate::formats::packet::{self, PacketError};
use crate::sky::{Catalog, Sky};

/// One expression that gives a filter's reasons as an object: each reason's first
/// output, or null when it has none or fails (a reason never stops an alert).
fn reasons_expr(reasons: &std::collections::BTreeMap<String, String>) -> String {
    let entries: Vec<String> = reasons
        .iter()
        .map(|(name, expr)| {
            let key = serde_json::to_string(name).expect("a string");
            // Each expression was compiled alone first; the newline ends a comment.
            format!("{key}: (try ([({expr}\n)][0]) catch null)")
        })
        .collect();
    format!("{{{}}}", entries.join(", "))
}

/// Limits on one filter's work on one alert (jq evaluations; the fast path is bounded
/// by construction).
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Outputs an expression may yield per alert before it counts as over budget.
    pub max_outputs: usize,
    /// Time an expression may take per alert before it counts as over budget.
    pub max_time: Duration,
    /// Times over budget before a filter is disabled.
    pub strikes: u32,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            max_outputs: 1000,
            max_time: Duration::from_millis(100),
            strikes: 5,
        }
    }
}

/// Something that happened to a filter, to report when it happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// The filter went over its budget too often and no longer runs.
    Disabled {
        /// The filter.
        filter: String,
        /// Why.
        reason: String,
    },
    /// A schema id met for the first time does not fit what the filter reads (said
    /// once per filter and schema id; the filter still runs).
    Mismatch {
        /// The filter.
        filter: String,
        /// The schema id.
        schema_id: u32,
        /// What does not fit.
        finding: check::Finding,
    },
    /// A watchlist or MOC file changed: reloaded, or kept as it was because the new one
    /// is not valid (said once per change).
    Sky(crate::sky::Reload),
}

/// An alert to filter.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    /// The wire-format packet (shared with the outputs that forward it, not copied).
    pub packet: bytes::Bytes,
    /// Its Kafka key.
    pub key: Option<&'a [u8]>,
    /// Its topic ("" for a file).
    pub topic: &'a str,
    /// Its partition (0 for a file).
    pub partition: i32,
    /// Its timestamp, Unix ms.
    pub timestamp_ms: Option<i64>,
    /// Its offset in its partition (the record number for a file).
    pub offset: i64,
}

/// The expressions of a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    Expr,
    Rank,
    Visit,
    Reasons,
}

const WHICH: [Which; 4] = [Which::Expr, Which::Rank, Which::Visit, Which::Reasons];

struct Active {
    def: FilterDef,
    label: Arc<str>,
    program: Rc<Program>,
    rank: Option<Rc<Program>>,
    visit: Rc<Program>,
    /// The reasons, as one expression that builds an object of them.
    reasons: Option<Rc<Program>>,
    visits: Visits,
    stats: Stats,
    strikes: u32,
    disabled: Option<String>,
}

impl Active {
    fn program(&self, w: Which) -> Option<&Program> {
        match w {
            Which::Expr => Some(&self.program),
            Which::Rank => self.rank.as_deref(),
            Which::Visit => Some(&self.visit),
            Which::Reasons => self.reasons.as_deref(),
        }
    }
}

/// The fast forms of one filter's expressions, compiled for one schema, and the decoding
/// plan each expression's jq evaluation uses.
#[derive(Default)]
struct Ops {
    expr: Option<fast::Op>,
    rank: Option<fast::Op>,
    visit: Option<fast::Op>,
    reasons: Option<fast::Op>,
    /// Per expression (Expr, Rank, Visit, Reasons): its plan's index in [`PerSchema::plans`].
    plans: [usize; 4],
}

impl Ops {
    fn get(&self, w: Which) -> Option<&fast::Op> {
        match w {
            Which::Expr => self.expr.as_ref(),
            Which::Rank => self.rank.as_ref(),
            Which::Visit => self.visit.as_ref(),
            Which::Reasons => self.reasons.as_ref(),
        }
    }

    fn plan(&self, w: Which) -> usize {
        self.plans[w as usize]
    }
}

/// What the engine keeps per schema id.
struct PerSchema {
    /// The one walk over each alert: it fills the fast forms' cells and finds where
    /// the alert's fields start, for the jq decoders.
    scanner: fast::Scanner,
    ops: Vec<Ops>,
    /// The decoding plans of the expressions' own needs, one per distinct need. An
    /// alert is decoded for a plan only when an expression using it is evaluated in jq
    /// (it has no fast form, or its fast form hands the alert back), at most once.
    plans: Vec<LazyPlan>,
    /// The compiled schema (its bodies may need a shape check first).
    graph: std::sync::Arc<Graph>,
}

/// A need (None: everything) and its decoding plan, made when first used.
struct LazyPlan {
    need: Option<Need>,
    plan: std::cell::OnceCell<Plan>,
}

/// An alert decoded for each of its schema's plans, as far as jq evaluations needed it
/// (None: not yet; Some(None): it failed to decode).
type Decoded = Vec<Option<Option<Val>>>;

/// An evaluation's outcome.
enum Eval {
    Values(Vec<Val>),
    Verdict(bool),
    Error,
    OverBudget,
}

/// Many filters over one stream, each alert read once.
pub struct Engine {
    filters: Vec<Active>,
    schemas: Map<u32, PerSchema>,
    store: SchemaStore,
    budget: Budget,
    /// Highest numeric visit seen on each partition.
    progress: Map<Tp, f64>,
    /// Topic names, shared.
    topics: Map<String, Arc<str>>,
    cells: Vec<fast::Cell>,
    starts: Vec<u32>,
    notices: Vec<Notice>,
    /// The watchlists and MOCs the filters may ask about.
    sky: Arc<Sky>,
    /// Their files, reloaded when they change.
    catalog: Option<Catalog>,
    /// The alert being filtered, as the sky functions see it (made when first needed).
    alert_sky: Option<Rc<AstroAlert>>,
    /// Its position, when a fast form read it (None inside: it has none).
    alert_position: Option<Option<(f64, f64)>>,
    /// The last visit key made: the next alert of the same visit gets this same key,
    /// which a capped filter knows by its pointer ([`Visits::full`]).
    recent_visit: Option<Rc<str>>,
    /// Alerts that could not be decoded.
    pub bad: u64,
}

impl Engine {
    /// Compile the filters (which may not name watchlists or MOCs: see [`Engine::with_sky`]).
    pub fn new(
        defs: Vec<FilterDef>,
        store: SchemaStore,
        budget: Budget,
    ) -> Result<Engine, FilterError> {
        Engine::with_sky(defs, store, budget, Arc::new(Sky::default()))
    }

    /// Compile the filters, which may ask about `sky`'s watchlists and MOCs; one that
    /// names another is refused.
    pub fn with_sky(
        defs: Vec<FilterDef>,
        store: SchemaStore,
        budget: Budget,
        sky: Arc<Sky>,
    ) -> Result<Engine, FilterError> {
        let mut filters = Vec::with_capacity(defs.len());
        // Filters share their programs (a visit key, a rank) when the text is the same.
        let mut compiled: HashMap<(String, bool, bool), Rc<Program>> = HashMap::new();
        for def in defs {
            let e = |error| FilterError::Expr {
                name: def.name.clone(),
                error,
            };
            let mut compile = |text: &str, usage: Use| -> Result<Rc<Program>, JqError> {
                let key = (text.to_string(), def.unbounded, usage == Use::Truth);
                if let Some(p) = compiled.get(&key) {
                    return Ok(p.clone());
                }
                let opts = jq::Options {
                    unbounded: def.unbounded,
                    usage,
                };
                let p = Rc::new(Program::compile_with(text, opts)?);
                compiled.insert(key, p.clone());
                Ok(p)
            };
            let program = compile(&def.expr, Use::Truth).map_err(e)?;
            let rank = def
                .rank_by
                .as_deref()
                .map(|r| compile(r, Use::Whole))
                .transpose()
                .map_err(e)?;
            let visit = compile(&def.visit_key, Use::Whole).map_err(e)?;
            let reasons = if def.reasons.is_empty() {
                None
            } else {
                for (name, expr) in &def.reasons {
                    if !crate::sky::valid_name(name) {
                        return Err(e(JqError(format!(
                            "reason {name:?}: a name of letters, digits, '_', '-' and '.' \
                             (it becomes a header's name)"
                        ))));
                    }
                    Program::compile_with(
                        expr,
                        jq::Options {
                            unbounded: def.unbounded,
                            usage: Use::Whole,
                        },
                    )
                    .map_err(|err| e(JqError(format!("reason {name}: {}", err.0))))?;
                }
                Some(compile(&reasons_expr(&def.reasons), Use::Whole).map_err(e)?)
            };
            for p in [
                Some(&program),
                rank.as_ref(),
                Some(&visit),
                reasons.as_ref(),
            ]
            .into_iter()
            .flatten()
            {
                astro::check_declared(p, &sky).map_err(e)?;
            }
            filters.push(Active {
                label: Arc::from(def.name.as_str()),
                visits: Visits::new(def.max_per_visit, def.rank_by.is_some()),
                def,
                program,
                rank,
                visit,
                reasons,
                stats: Stats::default(),
                strikes: 0,
                disabled: None,
            });
        }
        Ok(Engine {
            filters,
            schemas: Map::default(),
            store,
            budget,
            progress: Map::default(),
            topics: Map::default(),
            cells: Vec::new(),
            starts: Vec::new(),
            notices: Vec::new(),
            sky,
            catalog: None,
            alert_sky: None,
            alert_position: None,
            recent_visit: None,
            bad: 0,
        })
    }

    /// Compile the filters against a catalog's watchlists and MOCs, and reload those
    /// when their files change (checked between alerts, at most once a second; a file
    /// that no longer loads leaves the old contents in force, said once as a notice).
    pub fn with_catalog(
        defs: Vec<FilterDef>,
        store: SchemaStore,
        budget: Budget,
        catalog: Catalog,
    ) -> Result<Engine, FilterError> {
        let mut e = Engine::with_sky(defs, store, budget, catalog.sky().clone())?;
        e.catalog = Some(catalog);
        Ok(e)
    }

    /// Use these watchlists and MOCs from the next alert on (a reloaded catalog: the
    /// same names, new contents).
    pub fn set_sky(&mut self, sky: Arc<Sky>) {
        self.sky = sky;
    }

    /// The filters' definitions, in order.
    pub fn defs(&self) -> impl Iterator<Item = &FilterDef> {
        self.filters.iter().map(|f| &f.def)
    }

    /// Each filter's counters and, if it was disabled, why.
    pub fn stats(&self) -> Vec<(String, Stats, Option<String>)> {
        self.filters
            .iter()
            .map(|f| (f.def.name.clone(), f.stats, f.disabled.clone()))
            .collect()
    }

    /// Use `schema` for packets with this id (a container file's own schema).
    pub fn insert_schema(&mut self, id: u32, schema: AlertSchema) {
        self.schemas.remove(&id);
        self.store.insert(id, schema);
    }

    /// What happened since the last call (filters disabled), to report now.
    pub fn take_notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.notices)
    }

    /// Whether every expression reads only part of an alert (path projection).
    pub fn projected(&self) -> bool {
        self.filters.iter().all(|f| {
            f.program.need().is_some()
                && f.visit.need().is_some()
                && f.rank.as_ref().is_none_or(|r| r.need().is_some())
                && f.reasons.as_ref().is_none_or(|r| r.need().is_some())
        })
    }

    /// How many of the filters' expressions have a fast form (of all of them).
    pub fn fast_forms(&self) -> (usize, usize) {
        let progs = self
            .filters
            .iter()
            .flat_map(|f| {
                [
                    Some(&*f.program),
                    f.rank.as_deref(),
                    Some(&*f.visit),
                    f.reasons.as_deref(),
                ]
            })
            .flatten();
        progs.fold((0, 0), |(fast, all), p| {
            (fast + usize::from(p.fast().is_some()), all + 1)
        })
    }

    /// Check every filter's expressions (the filter, `rank_by`, `visit_key`) against a
    /// schema: paths it does not have, literals of another type ([`check::check`]).
    pub fn check_schema(&self, schema: &Graph) -> Vec<(String, check::Finding)> {
        let mut out = Vec::new();
        for f in &self.filters {
            for w in WHICH {
                let Some(p) = f.program(w) else { continue };
                for finding in check::check(p.own_need(), p.comparisons(), schema) {
                    if !out.iter().any(|(n, g)| n == &f.def.name && g == &finding) {
                        out.push((f.def.name.clone(), finding));
                    }
                }
            }
        }
        out
    }

    /// Build what the engine keeps for a schema id.
    fn schema(&mut self, id: u32) -> Result<(), PacketError> {
        if self.schemas.contains_key(&id) {
            return Ok(());
        }
        let schema = self.store.get(id)?;
        let graph = schema.graph()?.clone();
        for (filter, finding) in self.check_schema(&graph) {
            self.notices.push(Notice::Mismatch {
                filter,
                schema_id: id,
                finding,
            });
        }
        let mut b = fast::Builder::new(graph.clone());
        let mut ops = Vec::with_capacity(self.filters.len());
        // One plan per distinct need (None: everything).
        let mut plans: Vec<LazyPlan> = Vec::new();
        for f in &self.filters {
            let mut o = Ops::default();
            for w in WHICH {
                let Some(p) = f.program(w) else { continue };
                o.plans[w as usize] = match plans.iter().position(|l| l.need.as_ref() == p.need()) {
                    Some(i) => i,
                    None => {
                        plans.push(LazyPlan {
                            need: p.need().cloned(),
                            plan: std::cell::OnceCell::new(),
                        });
                        plans.len() - 1
                    }
                };
                let op = p.fast().and_then(|e| b.compile(e));
                match w {
                    Which::Expr => o.expr = op,
                    Which::Rank => o.rank = op,
                    Which::Visit => o.visit = op,
                    Which::Reasons => o.reasons = op,
                }
            }
            ops.push(o);
        }
        self.schemas.insert(
            id,
            PerSchema {
                scanner: b.finish(),
                ops,
                plans,
                graph,
            },
        );
        Ok(())
    }

    /// Filter one alert; returns what is emitted now. A packet that cannot be decoded
    /// is an error (counted in `bad`) and changes nothing else.
    pub fn process(&mut self, input: &Input<'_>) -> Result<Vec<Output>, PacketError> {
        if let Some(c) = &mut self.catalog {
            let reloads = c.refresh();
            if !reloads.is_empty() {
                self.sky = c.sky().clone();
                self.notices.extend(reloads.into_iter().map(Notice::Sky));
            }
        }
        let r = self.process_inner(input);
        if r.is_err() {
            self.bad += 1;
        }
        r
    }

    fn process_inner(&mut self, input: &Input<'_>) -> Result<Vec<Output>, PacketError> {
        let (id, body) = packet::split(&input.packet)?;
        self.schema(id)?;
        let decode_err = |e: DecodeError| PacketError::from_decode(id, body.len(), e);
        let ps = &self.schemas[&id];
        // A recursive schema's deep bodies are refused before any recursive walk.
        if ps.graph.guarded() {
            ps.graph.check_shape(body).map_err(decode_err)?;
        }
        let mut cells = std::mem::take(&mut self.cells);
        let mut starts = std::mem::take(&mut self.starts);
        // The scan walks and checks the whole body: a packet it refuses changes nothing.
        let result = match ps.scanner.scan(body, &mut cells, &mut starts) {
            Ok(()) => self.filter_all(input, id, body, &cells, &starts),
            Err(e) => Err(decode_err(e)),
        };
        self.cells = cells;
        self.starts = starts;
        result
    }

    fn filter_all(
        &mut self,
        input: &Input<'_>,
        id: u32,
        body: &[u8],
        cells: &[fast::Cell],
        starts: &[u32],
    ) -> Result<Vec<Output>, PacketError> {
        let topic = match self.topics.get(input.topic) {
            Some(t) => t.clone(),
            None => {
                let t: Arc<str> = Arc::from(input.topic);
                self.topics.insert(input.topic.to_string(), t.clone());
                t
            }
        };
        let tp: Tp = (topic, input.partition);
        let at = (input.partition, input.offset);
        self.alert_sky = None;
        self.alert_position = None;
        // The jq values, decoded when a jq evaluation first needs them: for the
        // expressions without a fast form, and for a fast form that hands an alert back.
        let mut decoded: Decoded = Vec::new();
        let mut visits: Vec<(*const Program, Rc<str>, Option<f64>)> = Vec::new();
        let mut emitted = Vec::new();
        let mut thinned: HashMap<Vec<String>, bytes::Bytes> = HashMap::new();
        for i in 0..self.filters.len() {
            if self.filters[i].disabled.is_some() {
                continue;
            }
            // A capped filter that has its alerts of this visit cannot emit another: it is
            // not evaluated again for the visit (a ranked one sees every alert).
            let f = &self.filters[i];
            let mut visit = None;
            if f.def.max_per_visit > 0 && f.rank.is_none() {
                let Some(v) = self.visit_of(
                    i,
                    &mut visits,
                    id,
                    (body, starts),
                    cells,
                    &mut decoded,
                    &input.packet,
                    at,
                ) else {
                    continue;
                };
                let f = &mut self.filters[i];
                if f.visits.full(&v.0) {
                    f.stats.skipped += 1;
                    continue;
                }
                visit = Some(v);
            }
            self.filters[i].stats.seen += 1;
            let passed = match self.evaluate(
                i,
                Which::Expr,
                id,
                (body, starts),
                cells,
                &mut decoded,
                &input.packet,
                at,
            ) {
                Eval::Verdict(p) => p,
                Eval::Error => {
                    self.filters[i].stats.errors += 1;
                    continue;
                }
                Eval::OverBudget => continue,
                Eval::Values(_) => unreachable!("a verdict"),
            };
            if !passed {
                continue;
            }
            self.filters[i].stats.passed += 1;
            let (visit_key, visit_num) = match visit {
                Some(v) => v,
                None if self.filters[i].def.max_per_visit > 0 || self.filters[i].rank.is_some() => {
                    match self.visit_of(
                        i,
                        &mut visits,
                        id,
                        (body, starts),
                        cells,
                        &mut decoded,
                        &input.packet,
                        at,
                    ) {
                        Some(v) => v,
                        None => continue,
                    }
                }
                None => (Rc::from(""), None),
            };
            let score = if self.filters[i].rank.is_some() {
                match self.evaluate(
                    i,
                    Which::Rank,
                    id,
                    (body, starts),
                    cells,
                    &mut decoded,
                    &input.packet,
                    at,
                ) {
                    Eval::Values(v) => v.first().and_then(number_of).unwrap_or(f64::NEG_INFINITY),
                    Eval::OverBudget if self.filters[i].disabled.is_some() => continue,
                    _ => f64::NEG_INFINITY,
                }
            } else {
                0.0
            };
            // A ranked filter holding its cap of better alerts of this visit drops this one
            // at once: count it, and build no output for it.
            if self.filters[i].visits.would_drop(&visit_key, score) {
                self.filters[i].stats.capped += 1;
                self.saw_visit(&tp, visit_num);
                continue;
            }
            let f = &self.filters[i];
            let packet = if f.def.drop.is_empty() {
                input.packet.clone()
            } else {
                let drop = f.def.drop.clone();
                match thinned.get(&drop) {
                    Some(p) => p.clone(),
                    None => {
                        let p = bytes::Bytes::from(thin(&mut self.store, &input.packet, &drop)?);
                        thinned.insert(drop, p.clone());
                        p
                    }
                }
            };
            let headers = self.why(
                i,
                id,
                (body, starts),
                cells,
                &mut decoded,
                &input.packet,
                at,
            );
            let out = Output {
                filter: i,
                packet,
                key: input.key.map(<[u8]>::to_vec),
                timestamp_ms: input.timestamp_ms,
                source: (tp.clone(), input.offset),
                headers,
            };
            let f = &mut self.filters[i];
            if let Some(o) =
                f.visits
                    .offer(visit_key.to_string(), visit_num, score, out, &mut f.stats)
            {
                emitted.push(o);
            }
            self.saw_visit(&tp, visit_num);
        }
        Ok(emitted)
    }

    /// Note that a passing alert of visit `visit` (when numbered) was read from `tp`: the
    /// partition's highest visit, by which ranked visits complete.
    fn saw_visit(&mut self, tp: &Tp, visit: Option<f64>) {
        if let Some(v) = visit {
            let p = self.progress.entry(tp.clone()).or_insert(v);
            *p = p.max(v);
        }
    }

    /// Why filter `i` passed this alert, as headers: the nearest entry of each watchlist
    /// its expression names that the alert is in, each MOC it names that the alert is
    /// in, and its reasons' values.
    #[allow(clippy::too_many_arguments)]
    fn why(
        &mut self,
        i: usize,
        id: u32,
        data: (&[u8], &[u32]),
        cells: &[fast::Cell],
        decoded: &mut Decoded,
        packet: &bytes::Bytes,
        at: (i32, i64),
    ) -> Vec<(String, bytes::Bytes)> {
        let mut headers = Vec::new();
        let refs = self.filters[i].program.sky_refs();
        if !refs.is_empty() && self.alert_sky.is_none() {
            // The filter passed on its fast form: the sky seen from the position it read,
            // or from the alert decoded for its expression.
            let ctx = match self.alert_position {
                Some(pos) => AstroAlert::at(self.sky.clone(), pos),
                None => match self.decoded_val(i, Which::Expr, id, data.0, data.1, decoded, packet)
                {
                    Some(v) => AstroAlert::new(self.sky.clone(), &v),
                    None => AstroAlert::at(self.sky.clone(), None),
                },
            };
            self.alert_sky = Some(Rc::new(ctx));
        }
        let refs = self.filters[i].program.sky_refs();
        if let (false, Some(ctx)) = (refs.is_empty(), &self.alert_sky) {
            for r in refs {
                if r.function == "watchlist" {
                    if let Some((entry, sep)) = ctx.nearest(&r.name) {
                        headers.push((format!("{WATCHLIST_HEADER}{}", r.name), entry.into()));
                        headers.push((
                            format!("{WATCHLIST_SEP_HEADER}{}", r.name),
                            format!("{sep}").into(),
                        ));
                    }
                } else if ctx.in_moc(&r.name) == Ok(true) {
                    headers.push((format!("{MOC_HEADER}{}", r.name), "true".into()));
                }
            }
        }
        if self.filters[i].reasons.is_some() {
            if let Eval::Values(v) =
                self.evaluate(i, Which::Reasons, id, data, cells, decoded, packet, at)
            {
                if let Some(Val::Obj(o)) = v.first() {
                    for (k, v) in o.iter() {
                        let k = match k {
                            Val::TStr(b) => String::from_utf8_lossy(b).into_owned(),
                            other => other.to_string(),
                        };
                        headers.push((format!("{REASON_HEADER}{k}"), v.to_string().into()));
                    }
                }
            }
        }
        headers
    }

    /// Filter `i`'s visit key for this alert (its text and its number), shared by the
    /// filters with the same visit key program; None when the filter was disabled on it.
    #[allow(clippy::too_many_arguments)]
    fn visit_of(
        &mut self,
        i: usize,
        visits: &mut Vec<(*const Program, Rc<str>, Option<f64>)>,
        id: u32,
        data: (&[u8], &[u32]),
        cells: &[fast::Cell],
        decoded: &mut Decoded,
        packet: &bytes::Bytes,
        at: (i32, i64),
    ) -> Option<(Rc<str>, Option<f64>)> {
        let prog = Rc::as_ptr(&self.filters[i].visit);
        if let Some((_, k, n)) = visits.iter().find(|(p, _, _)| *p == prog) {
            return Some((k.clone(), *n));
        }
        let v = match self.evaluate(i, Which::Visit, id, data, cells, decoded, packet, at) {
            Eval::Values(v) => v.into_iter().next().unwrap_or(Val::Null),
            Eval::OverBudget if self.filters[i].disabled.is_some() => return None,
            _ => Val::Null,
        };
        let num = number_of(&v);
        let text = v.to_string();
        let key = match &self.recent_visit {
            Some(k) if **k == *text => k.clone(),
            _ => {
                let k: Rc<str> = Rc::from(text);
                self.recent_visit = Some(k.clone());
                k
            }
        };
        visits.push((prog, key.clone(), num));
        Some((key, num))
    }

    /// Evaluate one of filter `i`'s expressions: the fast form when it has one and it
    /// takes the case, else jq under the budget and the guard.
    #[allow(clippy::too_many_arguments)]
    fn evaluate(
        &mut self,
        i: usize,
        which: Which,
        id: u32,
        (body, starts): (&[u8], &[u32]),
        cells: &[fast::Cell],
        decoded: &mut Decoded,
        packet: &bytes::Bytes,
        at: (i32, i64),
    ) -> Eval {
        let ps = &self.schemas[&id];
        let verdict = which == Which::Expr;
        if let Some(op) = ps.ops[i].get(which) {
            let env = fast::Env::new(cells, body, &ps.scanner).with_sky(&self.sky);
            let out = env.eval(op, &env.root());
            if let Some(pos) = env.position.get() {
                self.alert_position = Some(pos);
            }
            let answer = if verdict {
                match out.verdict() {
                    fast::Verdict::Pass => Some(Eval::Verdict(true)),
                    fast::Verdict::Fail => Some(Eval::Verdict(false)),
                    fast::Verdict::Error => Some(Eval::Error),
                    fast::Verdict::Fallback => None,
                }
            } else {
                match out {
                    fast::Out::Val(v) => v.to_val().map(|v| Eval::Values(vec![v])),
                    fast::Out::Empty => Some(Eval::Values(Vec::new())),
                    fast::Out::Err => Some(Eval::Error),
                    fast::Out::Fallback => None,
                }
            };
            if let Some(a) = answer {
                if verdict {
                    self.filters[i].stats.fast += 1;
                }
                return a;
            }
            // The fast form handed this alert back: jq decides.
        }
        let val = self.decoded_val(i, which, id, body, starts, decoded, packet);
        match val {
            Some(v) => self.jq(i, which, v, at),
            None => Eval::Error,
        }
    }

    /// The alert decoded for one of filter `i`'s expressions (its plan's need), once per
    /// alert and plan; None when it does not decode.
    #[allow(clippy::too_many_arguments)]
    fn decoded_val(
        &self,
        i: usize,
        which: Which,
        id: u32,
        body: &[u8],
        starts: &[u32],
        decoded: &mut Decoded,
        packet: &bytes::Bytes,
    ) -> Option<Val> {
        let ps = &self.schemas[&id];
        let p = ps.ops[i].plan(which);
        if decoded.len() < ps.plans.len() {
            decoded.resize(ps.plans.len(), None);
        }
        decoded[p]
            .get_or_insert_with(|| {
                let lazy = &ps.plans[p];
                lazy.plan
                    .get_or_init(|| Plan::over(ps.graph.clone(), lazy.need.as_ref()))
                    .decode_at(packet, body, starts)
                    .ok()
            })
            .clone()
    }

    /// Run a filter's expression in jq, under the budget and the guard; count strikes.
    fn jq(&mut self, i: usize, which: Which, val: Val, at: (i32, i64)) -> Eval {
        let budget = self.budget;
        let f = &self.filters[i];
        let Some(p) = f.program(which) else {
            return Eval::Error;
        };
        let _sky = if p.sky_refs().is_empty() {
            None
        } else {
            let ctx = self
                .alert_sky
                .get_or_insert_with(|| Rc::new(AstroAlert::new(self.sky.clone(), &val)))
                .clone();
            Some(astro::enter(ctx))
        };
        let started = Instant::now();
        let result = {
            let _guard = guard::begin(&f.label, at);
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                if which == Which::Expr {
                    p.passes(val, budget.max_outputs).map(Eval::Verdict)
                } else {
                    p.run(val, budget.max_outputs).map(Eval::Values)
                }
            }))
            .unwrap_or_else(|_| Err(JqError("the expression panicked".into())))
        };
        let over_time = started.elapsed() > budget.max_time;
        let over_outputs = matches!(&result, Err(e) if e.0.starts_with("more than"));
        if over_time || over_outputs {
            let f = &mut self.filters[i];
            f.stats.over_budget += 1;
            f.strikes += 1;
            if f.strikes >= budget.strikes {
                let reason = format!(
                    "over its budget ({} outputs, {} ms per alert) {} times",
                    budget.max_outputs,
                    budget.max_time.as_millis(),
                    f.strikes
                );
                f.disabled = Some(reason.clone());
                self.notices.push(Notice::Disabled {
                    filter: f.def.name.clone(),
                    reason,
                });
            }
            return Eval::OverBudget;
        }
        result.unwrap_or(Eval::Error)
    }

    /// Stop the filter named `name` (it was removed from the filters file): it is
    /// evaluated no more, and what it held is dropped. False when no running filter has
    /// that name.
    pub fn remove(&mut self, name: &str) -> bool {
        let mut found = false;
        for f in &mut self.filters {
            if f.def.name == name && f.disabled.is_none() {
                f.disabled = Some("removed from the filters file".into());
                f.visits.forget(|_| true);
                found = true;
            }
        }
        found
    }

    /// Whether any filter is still running (not disabled or removed).
    pub fn any_running(&self) -> bool {
        self.filters.iter().any(|f| f.disabled.is_none())
    }

    /// Emit ranked visits that are complete: a later visit has been seen on every
    /// partition in `partitions`, `grace` ago; or the visit was first seen `timeout` ago.
    pub fn expire<'p>(
        &mut self,
        partitions: impl IntoIterator<Item = &'p (String, i32)>,
        grace: Duration,
        timeout: Duration,
    ) -> Vec<Output> {
        let seen_everywhere = lowest_progress(&self.progress, partitions);
        let mut out = Vec::new();
        for f in &mut self.filters {
            out.extend(
                f.visits
                    .expire(seen_everywhere, grace, timeout, &mut f.stats),
            );
        }
        out
    }

    /// The lowest input offset still held (ranked, not yet emitted) on each partition:
    /// offsets from there on must not be committed.
    pub fn held_from(&self) -> HashMap<Tp, i64> {
        let mut low: HashMap<Tp, i64> = HashMap::new();
        for f in &self.filters {
            f.visits.held_from(&mut low);
        }
        low
    }

    /// Forget what is held from partitions no longer read here (revoked in a
    /// rebalance): their new reader reads those alerts again from the committed offset.
    pub fn forget(&mut self, revoked: &[(String, i32)]) {
        let gone = |tp: &Tp| revoked.iter().any(|(t, p)| **t == *tp.0 && *p == tp.1);
        for f in &mut self.filters {
            f.visits.forget(gone);
        }
        self.progress.retain(|tp, _| !gone(tp));
    }

    /// Emit every held visit (end of input).
    pub fn finish(&mut self) -> Vec<Output> {
        let mut out = Vec::new();
        for f in &mut self.filters {
            out.extend(f.visits.finish(&mut f.stats));
        }
        out
    }
}

/// The highest visit seen on every one of `partitions`: the lowest of their highest
/// visits (`progress`). None when there are no partitions, when one has no visit seen
/// yet, or when one's is not a number: then no visit is later everywhere.
fn lowest_progress<'p>(
    progress: &Map<Tp, f64>,
    partitions: impl IntoIterator<Item = &'p (String, i32)>,
) -> Option<f64> {
    let mut lowest: Option<f64> = None;
    for (t, p) in partitions {
        let m = *progress.get(&(Arc::from(t.as_str()), *p))?;
        if m.is_nan() {
            return None;
        }
        lowest = Some(lowest.map_or(m, |l| l.min(m)));
    }
    lowest
}

/// A jq value as a number the way jq prints it and reads it back (a rank's score, a
/// visit's number): a machine integer or a finite float is itself; anything else is
/// printed and parsed, as it always was, so `null`, strings and the like are `None`.
fn number_of(v: &Val) -> Option<f64> {
    match v {
        Val::Num(Num::Int(i)) => Some(*i as f64),
        // jaq prints a finite float by its shortest digits, which read back to it.
        Val::Num(Num::Float(f)) if f.is_finite() => Some(*f),
        Val::Num(_) => v.to_string().parse::<f64>().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::sample::{Generator, SampleConfig};
    use std::sync::Arc;

    /// The rule "a later visit on every partition", computed once as the lowest of the
    /// partitions' highest visits, answers as asking each partition does, over
    /// generated progress with missing partitions, NaN, infinities and ties.
    #[test]
    fn lowest_progress_is_later_on_every_partition() {
        let values = [
            f64::NEG_INFINITY,
            -1.0,
            0.0,
            1.0,
            2.0,
            2.5,
            f64::INFINITY,
            f64::NAN,
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut checked = 0;
        for _ in 0..20_000 {
            let topic: Arc<str> = Arc::from("t");
            let parts: Vec<(String, i32)> = (0..next(4)).map(|p| ("t".into(), p as i32)).collect();
            let mut progress: Map<Tp, f64> = Map::default();
            for p in 0..4 {
                if next(5) > 0 {
                    progress.insert((topic.clone(), p), values[next(values.len())]);
                }
            }
            let v = values[next(values.len())];
            let each = !parts.is_empty()
                && parts.iter().all(|(t, p)| {
                    progress
                        .get(&(Arc::from(t.as_str()), *p))
                        .is_some_and(|m| *m > v)
                });
            let once = lowest_progress(&progress, &parts).is_some_and(|m| m > v);
            assert_eq!(each, once, "{parts:?} {progress:?} visit {v}");
            checked += usize::from(each);
        }
        assert!(checked > 1_000, "too few later-everywhere cases: {checked}");
    }

    fn packets(visits: u32, per_visit: usize) -> Vec<Vec<u8>> {
        let schema = Arc::new(crate::formats::avro::builtin_sample());
        let mut g = Generator::new(
            schema.clone(),
            SampleConfig {
                alerts_per_visit: per_visit,
                cutout_size: 6,
                ..SampleConfig::default()
            },
        );
        (0..visits)
            .flat_map(|v| g.visit(v))
            .map(|a| packet::encode(1, &packet::encode_body(&schema, &a).unwrap()))
            .collect()
    }

    fn def(name: &str, expr: &str, cap: usize) -> FilterDef {
        FilterDef {
            max_per_visit: cap,
            ..FilterDef::new(name, expr)
        }
    }

    fn run(engine: &mut Engine, packets: &[Vec<u8>]) -> Vec<Output> {
        let mut out = Vec::new();
        for p in packets {
            out.extend(
                engine
                    .process(&Input {
                        packet: bytes::Bytes::from(p.clone()),
                        key: None,
                        topic: "",
                        partition: 0,
                        timestamp_ms: None,
                        offset: 0,
                    })
                    .unwrap(),
            );
        }
        out.extend(engine.finish());
        out
    }

    #[test]
    fn caps_count_per_visit_even_when_visits_interleave() {
        let mut ps = packets(3, 50);
        // Interleave the visits: 0,50,100,1,51,101,...
        let mut mixed = Vec::new();
        for i in 0..50 {
            for v in 0..3 {
                mixed.push(ps[v * 50 + i].clone());
            }
        }
        ps = mixed;
        let mut e = Engine::new(
            vec![
                def("all", "true", 20),
                def("none", "false", 20),
                def("uncapped", "true", 0),
            ],
            SchemaStore::new(vec![]),
            Budget::default(),
        )
        .unwrap();
        let out = run(&mut e, &ps);
        let by = |i| out.iter().filter(|o| o.filter == i).count();
        assert_eq!((by(0), by(1), by(2)), (60, 0, 150));
        assert!(e.projected());
        let stats = e.stats();
        // After a visit's 20, the capped filter is not evaluated again for that visit;
        // the uncapped one sees every alert.
        assert_eq!((stats[0].1.skipped, stats[0].1.seen), (90, 60));
        assert_eq!((stats[2].1.skipped, stats[2].1.seen), (0, 150));
        assert_eq!(
            stats[1].1.seen, 150,
            "a filter that passes nothing never fills its cap"
        );
        // Untouched alerts are the original bytes.
        assert!(out.iter().all(|o| ps.iter().any(|p| p[..] == o.packet[..])));
    }

    #[test]
    fn rank_by_keeps_the_best_of_each_visit() {
        let ps = packets(2, 40);
        let mut e = Engine::new(
            vec![FilterDef {
                rank_by: Some(".diaSource.snr".into()),
                ..def("best", "true", 5)
            }],
            SchemaStore::new(vec![]),
            Budget::default(),
        )
        .unwrap();
        let out = run(&mut e, &ps);
        assert_eq!(out.len(), 10);
        // Decode the whole alert to read the score.
        let full = Plan::new(&crate::formats::avro::builtin_sample(), None).unwrap();
        let snr = |p: &[u8]| -> f64 {
            let v = full.decode_body(packet::split(p).unwrap().1).unwrap();
            Program::compile(".diaSource.snr")
                .unwrap()
                .run(v, 1)
                .unwrap()[0]
                .to_string()
                .parse()
                .unwrap()
        };
        for visit in 0..2 {
            let mut all: Vec<f64> = ps[visit * 40..(visit + 1) * 40]
                .iter()
                .map(|p| snr(p))
                .collect();
            all.sort_by(|a, b| b.total_cmp(a));
            let kept: Vec<f64> = out[visit * 5..(visit + 1) * 5]
                .iter()
                .map(|o| snr(&o.packet))
                .collect();
            assert_eq!(
                kept,
                all[..5].to_vec(),
                "visit {visit}: the 5 highest, best first"
            );
        }
    }

    #[test]
    fn drop_nulls_fields_under_the_same_schema_id() {
        let ps = packets(1, 3);
        let mut e = Engine::new(
            vec![FilterDef {
                drop: vec!["cutoutScience".into(), "prvDiaSources".into()],
                ..def("thin", "true", 0)
            }],
            SchemaStore::new(vec![]),
            Budget::default(),
        )
        .unwrap();
        let out = run(&mut e, &ps);
        assert_eq!(out.len(), 3);
        let schema = crate::formats::avro::builtin_sample();
        for (o, p) in out.iter().zip(&ps) {
            assert!(o.packet.len() < p.len());
            let (id, body) = packet::split(&o.packet).unwrap();
            assert_eq!(id, 1);
            let decoder = packet::Decoder::new(SchemaStore::new(vec![]), None);
            let view = crate::formats::avro::view::to_json(
                &decoder.decode_body(id, &schema, body).unwrap(),
                crate::formats::avro::view::CutoutPolicy::Size,
            );
            assert!(view["cutoutScience"].is_null() && view["prvDiaSources"].is_null());
            assert!(!view["cutoutDifference"].is_null());
        }
    }

    #[test]
    fn a_failing_filter_affects_no_other_and_slow_ones_are_disabled() {
        let ps = packets(1, 10);
        let budget = Budget {
            max_outputs: 10,
            max_time: Duration::from_secs(5),
            strikes: 3,
        };
        let mut e = Engine::new(
            vec![
                def("broken", ".diaSource.band + 1", 0),
                def("noisy", "range(100) | false", 0),
                def("fine", "true", 0),
            ],
            SchemaStore::new(vec![]),
            budget,
        )
        .unwrap();
        let out = run(&mut e, &ps);
        assert_eq!(out.iter().filter(|o| o.filter == 2).count(), 10);
        let stats = e.stats();
        assert_eq!(stats[0].1.errors, 10);
        assert_eq!(stats[1].1.over_budget, 3, "disabled after 3 strikes");
        assert!(stats[1].2.as_deref().unwrap().contains("over its budget"));
        assert_eq!(stats[2].1.emitted, 10);
        // A bad packet is an error and changes nothing.
        assert!(e
            .process(&Input {
                packet: bytes::Bytes::from_static(b"{}"),
                key: None,
                topic: "",
                partition: 0,
                timestamp_ms: None,
                offset: 0
            })
            .is_err());
        assert_eq!(e.bad, 1);
    }

    #[test]
    fn filters_files() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f.toml");
        std::fs::write(&p, "[[filter]]\nname = \"Filter001\"\nexpr = \".diaSource.snr > 5\"\n[[filter]]\nname = \"b\"\nexpr = \"true\"\nto = \"out\"\nmax_per_visit = 3\n").unwrap();
        let defs = crate::filter::load_file(&p).unwrap();
        assert_eq!(defs.len(), 2);
        assert_eq!((defs[0].max_per_visit, defs[0].topic()), (20, "Filter001"));
        assert_eq!((defs[1].max_per_visit, defs[1].topic()), (3, "out"));
        std::fs::write(&p, "[[filter]]\nname = \"a\"\nexpr = \"true\"\nbogus = 1\n").unwrap();
        assert!(crate::filter::load_file(&p)
            .unwrap_err()
            .to_string()
            .contains("bogus"));
    }
}
