//! The fast path, projected jq and whole-alert jq must give the same verdict (pass,
//! fail or error) on every generated (alert, expression) pair.
//!
//! Alerts come from the sample generator for the built-in schema and for Rubin's 11.0
//! schema, then get edge values: null in unions (every union, in some alerts), NaN and
//! ±inf, -0.0, the float32 neighbours of each literal the expressions use, longs above
//! 2^53, empty and missing histories, and invalid UTF-8 in strings. Expressions come
//! from a grammar over the schema's own fields that covers the fast subset and its
//! near-misses (forms that look alike but are not in it, and so go to jq).

use std::collections::BTreeMap;
use std::sync::Arc;

use apache_avro::types::Value;
use jaq_json::Val;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::fast::{self, Builder};
use super::jq::{astro, Program};
use super::project::Plan;
use crate::formats::avro::graph::{Field, Graph, Node};
use crate::formats::avro::AlertSchema;
use crate::formats::sample::{Generator, SampleConfig};
use crate::sky::{Region, Sky, Watchlist};

/// The literals expressions compare with; alerts get values next to them.
const NUMBERS: &[&str] = &[
    "0",
    "5",
    "20",
    "100",
    "3.631e-5",
    "0.5",
    "1.5",
    "2.5",
    "1e5",
    "12345.678",
    "9007199254740993",
    "1e400",
    "60000.5",
];

/// A marker written as a string, then replaced in the encoded bytes by invalid UTF-8.
const MARKER: &str = "\u{1}\u{2}\u{3}\u{4}\u{5}\u{6}";
const INVALID: [u8; 6] = [0xC3, 0x28, 0xA0, 0xA1, 0xFF, 0x80];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    Pass,
    Fail,
    Error,
}

/// jq's verdict, the alert's sky (its position against the watchlist and MOC) current.
fn jq_verdict(p: &Program, v: Val, sky: &Arc<Sky>) -> Verdict {
    let _sky = astro::enter(std::rc::Rc::new(astro::AlertSky::new(sky.clone(), &v)));
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| p.passes(v, 10_000))) {
        Ok(Ok(true)) => Verdict::Pass,
        Ok(Ok(false)) => Verdict::Fail,
        _ => Verdict::Error,
    }
}

/// A root array of records: its path, and its items' number, string and bool fields.
type History = (String, Vec<String>, Vec<String>, Vec<String>);

/// Scalar fields by kind, as paths.
#[derive(Default)]
struct Fields {
    numbers: Vec<String>,
    strings: Vec<String>,
    bools: Vec<String>,
    records: Vec<String>,
    bytes: Vec<String>,
    /// Root arrays of records, and their items' number, string and bool fields.
    histories: Vec<History>,
}

fn kind(g: &Graph, n: usize) -> &Node {
    match &g.nodes[n] {
        Node::Union(bs) => bs
            .iter()
            .map(|b| &g.nodes[*b])
            .find(|x| !matches!(x, Node::Null))
            .unwrap_or(&Node::Null),
        other => other,
    }
}

fn fields_of(g: &Graph) -> Fields {
    let mut f = Fields::default();
    let Node::Record(root) = &g.nodes[g.root] else {
        panic!("a record")
    };
    let scalars = |fields: &[Field],
                   prefix: &str,
                   n: &mut Vec<String>,
                   s: &mut Vec<String>,
                   b: &mut Vec<String>| {
        for x in fields {
            let p = format!("{prefix}.{}", x.name);
            match kind(g, x.node) {
                Node::Int | Node::Long | Node::Float | Node::Double => n.push(p),
                Node::Str | Node::Enum(_) => s.push(p),
                Node::Boolean => b.push(p),
                _ => {}
            }
        }
    };
    for x in root {
        let p = format!(".{}", x.name);
        match kind(g, x.node) {
            Node::Record(inner) => {
                f.records.push(p.clone());
                let (mut n, mut s, mut b) = (Vec::new(), Vec::new(), Vec::new());
                scalars(inner, &p, &mut n, &mut s, &mut b);
                f.numbers.extend(n);
                f.strings.extend(s);
                f.bools.extend(b);
            }
            Node::Array(item) => {
                if let Node::Record(inner) = kind(g, *item) {
                    let (mut n, mut s, mut b) = (Vec::new(), Vec::new(), Vec::new());
                    scalars(inner, "", &mut n, &mut s, &mut b);
                    f.histories.push((p, n, s, b));
                }
            }
            Node::Bytes => f.bytes.push(p),
            Node::Int | Node::Long | Node::Float | Node::Double => f.numbers.push(p),
            Node::Str | Node::Enum(_) => f.strings.push(p),
            _ => {}
        }
    }
    f
}

/// Edge values for alerts, next to the literals.
fn float_edges() -> Vec<f32> {
    let mut v = vec![
        f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        -0.0,
        0.0,
        f32::MAX,
        -f32::MAX,
        1e-45,
    ];
    for n in NUMBERS {
        let c: f64 = n.parse().unwrap_or(0.0);
        let x = c as f32;
        v.extend([x, x.next_up(), x.next_down(), -x, (-x).next_up()]);
    }
    v
}

fn double_edges() -> Vec<f64> {
    let mut v = vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0, 0.0];
    for n in NUMBERS {
        let c: f64 = n.parse().unwrap_or(0.0);
        v.extend([c, c.next_up(), c.next_down(), -c]);
    }
    v
}

fn long_edges() -> Vec<i64> {
    vec![
        0,
        5,
        20,
        -1,
        (1 << 53) + 1,
        -(1 << 53) - 1,
        9007199254740993,
        9007199254740992,
        i64::MAX,
        i64::MIN,
        i64::MAX - 1,
    ]
}

struct Mutator<'g> {
    g: &'g Graph,
    rng: ChaCha8Rng,
    /// Probability of making a union null (1.0: every union).
    null_p: f64,
    /// Probability of replacing a scalar with an edge value.
    edge_p: f64,
    floats: Vec<f32>,
    doubles: Vec<f64>,
    longs: Vec<i64>,
}

impl Mutator<'_> {
    fn walk(&mut self, n: usize, v: &mut Value) {
        let g = self.g;
        match (&g.nodes[n], v) {
            (Node::Union(bs), v @ Value::Union(..)) => {
                let null = bs.iter().position(|b| matches!(g.nodes[*b], Node::Null));
                if let Some(ni) = null {
                    if self.rng.random_bool(self.null_p) {
                        *v = Value::Union(ni as u32, Box::new(Value::Null));
                        return;
                    }
                }
                if let Value::Union(i, inner) = v {
                    let b = bs[*i as usize];
                    self.walk(b, inner);
                }
            }
            (Node::Record(fs), Value::Record(vals)) => {
                for (f, (_, fv)) in fs.iter().zip(vals.iter_mut()) {
                    self.walk(f.node, fv);
                }
            }
            (Node::Array(item), Value::Array(items)) => {
                if self.rng.random_bool(0.1) {
                    items.clear();
                }
                for it in items.iter_mut() {
                    self.walk(*item, it);
                }
            }
            (Node::Float, Value::Float(x)) if self.rng.random_bool(self.edge_p) => {
                *x = self.floats[self.rng.random_range(0..self.floats.len())];
            }
            (Node::Double, Value::Double(x)) if self.rng.random_bool(self.edge_p) => {
                *x = self.doubles[self.rng.random_range(0..self.doubles.len())];
            }
            (Node::Long, Value::Long(x)) if self.rng.random_bool(self.edge_p) => {
                *x = self.longs[self.rng.random_range(0..self.longs.len())];
            }
            (Node::Int, Value::Int(x)) if self.rng.random_bool(self.edge_p) => {
                *x = [0, 5, 20, -1, i32::MAX, i32::MIN][self.rng.random_range(0..6)];
            }
            (Node::Str, Value::String(s)) if self.rng.random_bool(self.edge_p.max(0.3)) => {
                let choices = ["r", "g", "", MARKER, "ü", "rg", "R"];
                *s = choices[self.rng.random_range(0..choices.len())].to_string();
            }
            (Node::Boolean, Value::Boolean(b)) if self.rng.random_bool(self.edge_p) => *b = !*b,
            _ => {}
        }
    }
}

/// Encode an alert, with the marker strings turned into invalid UTF-8.
fn encode(schema: &AlertSchema, v: &Value) -> Vec<u8> {
    let mut body = crate::formats::packet::encode_body(schema, v).expect("encodes");
    let m = MARKER.as_bytes();
    let mut i = 0;
    while i + m.len() <= body.len() {
        if &body[i..i + m.len()] == m {
            body[i..i + m.len()].copy_from_slice(&INVALID);
            i += m.len();
        } else {
            i += 1;
        }
    }
    body
}

fn alerts(schema: &Arc<AlertSchema>, g: &Graph, n: usize, seed: u64) -> Vec<Vec<u8>> {
    let mut gen = Generator::new(
        schema.clone(),
        SampleConfig {
            alerts_per_visit: n,
            cutout_size: 3,
            max_history: 30,
            seed,
            ..SampleConfig::default()
        },
    );
    let mut m = Mutator {
        g,
        rng: ChaCha8Rng::seed_from_u64(seed),
        null_p: 0.15,
        edge_p: 0.3,
        floats: float_edges(),
        doubles: double_edges(),
        longs: long_edges(),
    };
    gen.visit(0)
        .into_iter()
        .enumerate()
        .map(|(i, mut a)| {
            // One alert with every union null, one untouched; the rest mixed.
            (m.null_p, m.edge_p) = match i {
                0 => (1.0, 0.0),
                1 => (0.0, 0.0),
                _ => (0.15, 0.3),
            };
            m.walk(g.root, &mut a);
            encode(schema, &a)
        })
        .collect()
}

struct Grammar<'f> {
    f: &'f Fields,
    rng: ChaCha8Rng,
}

impl Grammar<'_> {
    fn pick<'a>(&mut self, xs: &'a [String]) -> &'a str {
        if xs.is_empty() {
            ".nope"
        } else {
            &xs[self.rng.random_range(0..xs.len())]
        }
    }

    fn choose(&mut self, n: usize) -> usize {
        self.rng.random_range(0..n)
    }

    fn number(&mut self) -> String {
        let n = NUMBERS[self.choose(NUMBERS.len())];
        if self.rng.random_bool(0.2) {
            format!("-{n}")
        } else {
            n.to_string()
        }
    }

    fn literal(&mut self) -> String {
        match self.choose(8) {
            0 => "null".into(),
            1 => "true".into(),
            2 => "\"r\"".into(),
            3 => "\"g\"".into(),
            4 => "\"\"".into(),
            _ => self.number(),
        }
    }

    fn path(&mut self) -> String {
        let f = self.f;
        match self.choose(14) {
            0..=5 => self.pick(&f.numbers).to_string(),
            6 => self.pick(&f.strings).to_string(),
            7 => self.pick(&f.bools).to_string(),
            8 => self.pick(&f.records).to_string(),
            9 => self.pick(&f.bytes).to_string(),
            10 => [".nope", ".diaSource.nope", ".nope.deeper"][self.choose(3)].to_string(),
            11 => format!("{}.x", self.pick(&f.numbers)),
            12 | 13 => match f.histories.first() {
                Some((h, n, s, _)) => {
                    let idx = ["0", "-1", "3", "100"][self.choose(4)];
                    let field = if self.rng.random_bool(0.7) {
                        self.pick(n).to_string()
                    } else {
                        self.pick(s).to_string()
                    };
                    match self.choose(3) {
                        0 => format!("{h}[{idx}]"),
                        _ => format!("{h}[{idx}]{field}"),
                    }
                }
                None => ".nope".into(),
            },
            _ => unreachable!(),
        }
    }

    fn cmp(&mut self) -> &'static str {
        ["<", "<=", ">", ">=", "==", "!="][self.choose(6)]
    }

    fn value(&mut self, depth: usize) -> String {
        if depth == 0 {
            return if self.rng.random_bool(0.6) {
                self.path()
            } else {
                self.literal()
            };
        }
        match self.choose(12) {
            0..=3 => self.path(),
            4 => self.literal(),
            5 => format!(
                "({} {} {})",
                self.value(depth - 1),
                ["+", "-", "*", "/", "%"][self.choose(5)],
                self.value(depth - 1)
            ),
            6 => format!("({} | length)", self.path()),
            7 => format!("(-2.5 * ({} | log10) + 31.4)", self.path()),
            8 => format!(
                "({} | {})",
                self.path(),
                ["floor", "sqrt", "round", "ceil", "fabs", "abs", "log", "exp10"][self.choose(8)]
            ),
            9 => format!("({} // {})", self.value(depth - 1), self.value(depth - 1)),
            10 => format!("pow(10; {})", self.value(depth - 1)),
            _ => format!("(-{})", self.path()),
        }
    }

    fn elem_cond(&mut self, n: &[String], s: &[String]) -> String {
        let num = if n.is_empty() {
            ".nope".to_string()
        } else {
            n[self.choose(n.len())].clone()
        };
        let st = if s.is_empty() {
            ".nope".to_string()
        } else {
            s[self.choose(s.len())].clone()
        };
        match self.choose(5) {
            0 | 1 => format!("{num} {} {}", self.cmp(), self.number()),
            2 => match self.choose(3) {
                0 => format!("{st} == \"g\""),
                // A string against a constant in jq's order (strings by their bytes,
                // after numbers and before arrays).
                _ => {
                    let lit = ["\"g\"", "\"r\"", "\"\"", "\"gz\"", "null", "1"][self.choose(6)];
                    format!("{st} {} {lit}", self.cmp())
                }
            },
            3 => num.to_string(),
            _ => format!("({num} | length) > 0 and {st} != null"),
        }
    }

    fn cond(&mut self, depth: usize) -> String {
        let top = if depth == 0 { 5 } else { 34 };
        match self.choose(top) {
            0..=2 => format!(
                "{} {} {}",
                self.value(depth.saturating_sub(1)),
                self.cmp(),
                self.value(depth.saturating_sub(1))
            ),
            3 => self.path(),
            4 => format!("({} | test(\"^[gr]\"))", self.path()),
            5 => format!("({}) and ({})", self.cond(depth - 1), self.cond(depth - 1)),
            6 => format!("({}) or ({})", self.cond(depth - 1), self.cond(depth - 1)),
            7 => format!("({}) | not", self.cond(depth - 1)),
            8 => format!("select({})", self.cond(depth - 1)),
            9 => format!(
                "select({}) | {}",
                self.cond(depth - 1),
                self.cond(depth - 1)
            ),
            10 => format!(
                "if {} then {} else {} end",
                self.cond(depth - 1),
                self.cond(depth - 1),
                self.cond(depth - 1)
            ),
            11 => format!("({}) // ({})", self.cond(depth - 1), self.cond(depth - 1)),
            12..=14 => match self.f.histories.first().cloned() {
                Some((h, n, s, _)) => {
                    let c = self.elem_cond(&n, &s);
                    match self.choose(5) {
                        0 => format!("any({h}[]?; {c})"),
                        1 => format!("all({h}[]?; {c})"),
                        2 => format!("any({h}[]; {c})"),
                        3 => format!("{h} | any({c})"),
                        _ => format!("{h} | all({c})"),
                    }
                }
                None => "true".into(),
            },
            15 => {
                // A pipe into a record, then a path from there: `.diaSource | .snr > 5`.
                let p = self.pick(&self.f.numbers.clone()).to_string();
                match p[1..].split_once('.') {
                    Some((rec, field)) => {
                        format!(".{rec} | .{field} {} {}", self.cmp(), self.number())
                    }
                    None => format!("{p} {} {}", self.cmp(), self.number()),
                }
            }
            // Near-misses: not in the fast subset, so jq (projected or not) answers.
            16 => format!("\"\\({})\" == \"r\"", self.path()),
            17 => format!("({} | tostring | length) > 3", self.path()),
            18 | 27 => match self.f.histories.first().cloned() {
                Some((h, n, s, _)) => {
                    let num = if n.is_empty() {
                        ".nope".to_string()
                    } else {
                        n[self.choose(n.len())].clone()
                    };
                    let st = if s.is_empty() {
                        ".nope".to_string()
                    } else {
                        s[self.choose(s.len())].clone()
                    };
                    match self.choose(10) {
                        0 => format!("[{h}[]?{num}] | max {} {}", self.cmp(), self.number()),
                        1 => format!(
                            "reduce {h}[]? as $p (0; . + ($p{num} // 0)) > {}",
                            self.number()
                        ),
                        2 => format!(
                            "reduce {h}[] as $p ({}; . + $p{num}) {} {}",
                            self.value(0),
                            self.cmp(),
                            self.number()
                        ),
                        3 => format!(
                            "reduce {h}[]? as $p (null; if $p{num} > {} then $p{num} else . end) // 0 | . {} {}",
                            self.number(),
                            self.cmp(),
                            self.number()
                        ),
                        4 => format!(
                            "reduce {h}[]? as $p (0; if $p{st} == \"g\" then empty else . + 1 end) > 2"
                        ),
                        5 => format!(
                            "reduce {h}[]? as $p ({}; . * 2 + ($p{num} | length)) > {}",
                            self.value(0),
                            self.number()
                        ),
                        6 => format!("[{h}[]?{st}] | unique | length {} 2", self.cmp()),
                        7 => format!("[{h}[]?{num}] | unique | length > 3"),
                        8 => format!(
                            "([{h}[]? | {num} // {st}] | unique | .[0]) {} {}",
                            self.cmp(),
                            self.literal()
                        ),
                        _ => format!("[{h}[]? | select({num} > {})] | length > 2", self.number()),
                    }
                }
                None => "true".into(),
            },
            19 => {
                let r = self.pick(&self.f.records.clone()).to_string();
                match self.choose(4) {
                    0 => format!("{r} as $s | $s.snr > {}", self.number()),
                    1 => format!("({r} | length) > 5"),
                    2 => format!("{r} | has(\"snr\")"),
                    _ => format!("{r} | keys | length > 3"),
                }
            }
            20 => format!(
                "{{v: {}}} | .v {} {}",
                self.path(),
                self.cmp(),
                self.number()
            ),
            // The sky: fast forms, and their near-misses (jq).
            21 => {
                let n = self.choose(3);
                match self.choose(4) {
                    0 => format!("watchlist(\"w\") | length {} {n}", self.cmp()),
                    1 => format!(
                        "(watchlist(\"w\") | length) > 0 and ({})",
                        self.cond(depth - 1)
                    ),
                    2 => format!(
                        "watchlist(\"w\") | if length > {n} then {} else false end",
                        self.path()
                    ),
                    _ => format!("watchlist(\"w\") | length as $k | $k + 1 > {n}"),
                }
            }
            22 => match self.choose(3) {
                0 => "in_moc(\"m\")".into(),
                1 => format!("in_moc(\"m\") and ({})", self.cond(depth - 1)),
                _ => format!("{} | in_moc(\"m\") | not", self.path()),
            },
            23 => match self.choose(3) {
                0 => "(watchlist(\"w\")[0].name // \"none\") | length > 5".into(),
                1 => "watchlist(\"w\") | map(.sep_arcsec) | add // 0 | . < 0.5".into(),
                _ => "watchlist(\"w\") != []".into(),
            },
            // The astronomy functions (jq, on projected and whole alerts alike).
            24 => {
                let n = self.number();
                match self.choose(7) {
                    0 => format!("n_detections > {n}"),
                    1 => format!("days_since_first < {n}"),
                    2 => format!("detection_span > {n}"),
                    3 => "mag_rate(\"g\") != null".into(),
                    4 => "(colour(\"g\"; \"r\") // {}).colour < 1".into(),
                    5 => "(.diaSource | galactic(.ra; .dec // .decl).b | fabs) > 20".into(),
                    _ => format!("(.diaSource | (.psfFlux // .psFlux) | ab_mag) < {n}"),
                }
            }
            // Strings: fast forms, and near-misses (jq).
            25 | 26 => {
                let p = if self.rng.random_bool(0.8) {
                    self.pick(&self.f.strings.clone()).to_string()
                } else {
                    self.path()
                };
                let lit =
                    ["\"r\"", "\"g\"", "\"\"", "\"R\"", "\"rg\"", "\"\\u00fc\""][self.choose(6)];
                match self.choose(8) {
                    0 => format!("{p} | startswith({lit})"),
                    1 => format!("{p} | endswith({lit})"),
                    2 => format!("({p} | ascii_downcase) == {lit}"),
                    3 => format!("({p} | ascii_upcase) {} {lit}", self.cmp()),
                    4 => format!("({p} // \"\") | ascii_downcase | startswith({lit})"),
                    5 => format!("({p} | ascii_downcase | length) > 0"),
                    6 => format!("({p} | ltrimstr({lit})) == \"\""),
                    _ => format!("{p} | startswith({p})"),
                }
            }
            // A record's entries counted: fast forms, and near-misses (jq).
            32 | 33 => {
                let r = match self.choose(6) {
                    0 => ".".to_string(),
                    1 => match self.f.histories.first() {
                        Some((h, ..)) => format!("{h}[0]"),
                        None => ".nope".into(),
                    },
                    _ => self.pick(&self.f.records.clone()).to_string(),
                };
                let c = match self.choose(11) {
                    0 | 1 => ".value == null".to_string(),
                    2 => ".value != null".into(),
                    3 => format!(
                        ".key == {}",
                        ["\"ra\"", "\"snr\"", "\"nope\""][self.choose(3)]
                    ),
                    4 => "(.key | startswith(\"psf\"))".into(),
                    5 => format!("(.value // 0) {} {}", self.cmp(), self.number()),
                    6 => ".value | not".into(),
                    7 => ".value == null and (.key | endswith(\"Err\"))".into(),
                    8 => format!(".value {} {}", self.cmp(), self.literal()),
                    9 => "(.value | type) == \"null\"".into(),
                    _ => ". == null".into(),
                };
                let n = self.choose(40);
                match self.choose(3) {
                    0 => format!("{r} | to_entries | map(select({c})) | length | . > {n}"),
                    _ => format!(
                        "({r} | to_entries | map(select({c})) | length) {} {n}",
                        self.cmp()
                    ),
                }
            }
            _ => format!("try ({} | .x) catch false", self.path()),
        }
    }
}

/// The differential's sky: a watchlist with a cone (1") on every other alert's position,
/// and a MOC of a 2-degree disc around the first one.
fn sky_of(wholes: &[(bytes::Bytes, Val)]) -> Arc<Sky> {
    let positions: Vec<(f64, f64)> = wholes
        .iter()
        .step_by(2)
        .filter_map(|(_, v)| astro::position(v))
        .filter(|(ra, dec)| crate::sky::watchlist::check_cone(*ra, *dec, 1.0).is_ok())
        .collect();
    let names: Vec<String> = (0..positions.len()).map(|i| format!("c{i}")).collect();
    let w = Watchlist::from_cones(
        positions
            .iter()
            .zip(&names)
            .map(|((ra, dec), n)| (*ra, *dec, 1.0, n.as_str())),
    )
    .expect("valid cones");
    let mut sky = Sky::default();
    sky.watchlists.insert("w".into(), Arc::new(w));
    let (ra, dec) = positions.first().copied().unwrap_or((0.0, 0.0));
    sky.regions
        .insert("m".into(), Arc::new(Region::cone(ra, dec, 2.0, 10)));
    Arc::new(sky)
}

/// Forms whose fast answers the differential counts (each must be reached).
const FORMS: [&str; 7] = [
    "to_entries",
    "reduce ",
    "unique",
    "startswith(",
    "endswith(",
    "ascii_downcase",
    "ascii_upcase",
];

struct Tally {
    pairs: usize,
    fast_answers: usize,
    /// Fast answers of expressions that ask the sky.
    sky_fast: usize,
    /// Fast answers by form, for the forms every run must reach.
    forms: BTreeMap<&'static str, usize>,
    fallbacks: usize,
    projected: usize,
    verdicts: BTreeMap<Verdict, usize>,
}

fn run(schema: AlertSchema, seed: u64, n_alerts: usize, n_exprs: usize) -> Tally {
    let schema = Arc::new(schema);
    let graph = schema.graph().unwrap().clone();
    let fields = fields_of(&graph);
    let packets = alerts(&schema, &graph, n_alerts, seed);
    let full = Plan::over(graph.clone(), None);
    let wholes: Vec<(bytes::Bytes, Val)> = packets
        .iter()
        .map(|p| {
            let b = bytes::Bytes::from(p.clone());
            let v = full.decode(&b, &b).expect("decodes");
            (b, v)
        })
        .collect();
    let sky = sky_of(&wholes);
    let mut gram = Grammar {
        f: &fields,
        rng: ChaCha8Rng::seed_from_u64(seed ^ 0xABCD),
    };
    let mut t = Tally {
        pairs: 0,
        fast_answers: 0,
        sky_fast: 0,
        forms: BTreeMap::new(),
        fallbacks: 0,
        projected: 0,
        verdicts: BTreeMap::new(),
    };
    let mut cells = Vec::new();
    let mut starts = Vec::new();
    let mut compiled = 0;
    while compiled < n_exprs {
        let expr = gram.cond(3);
        let Ok(p) = Program::compile(&expr) else {
            continue;
        };
        compiled += 1;
        let plan = Plan::over(graph.clone(), p.need());
        if p.need().is_some() {
            t.projected += 1;
        }
        let fast_op = p.fast().and_then(|e| {
            let mut b = Builder::new(graph.clone());
            let op = b.compile(e)?;
            Some((op, b.finish()))
        });
        for (b, whole) in &wholes {
            let expect = jq_verdict(&p, whole.clone(), &sky);
            let projected = jq_verdict(&p, plan.decode(b, b).expect("decodes"), &sky);
            assert_eq!(
                projected,
                expect,
                "projected jq differs on `{expr}` (need {:?})",
                p.need()
            );
            if let Some((op, scanner)) = &fast_op {
                scanner.scan(b, &mut cells, &mut starts).expect("scans");
                // The projected decode from the scan's field starts is the same value.
                let at = plan.decode_at(b, b, &starts).expect("decodes");
                assert_eq!(
                    jq_verdict(&p, at, &sky),
                    projected,
                    "decode_at differs on `{expr}`"
                );
                let env = fast::Env::new(&cells, b, scanner).with_sky(&sky);
                let got = match env.eval(op, &env.root()).verdict() {
                    fast::Verdict::Pass => Some(Verdict::Pass),
                    fast::Verdict::Fail => Some(Verdict::Fail),
                    fast::Verdict::Error => Some(Verdict::Error),
                    fast::Verdict::Fallback => None,
                };
                match got {
                    Some(v) => {
                        assert_eq!(
                            v,
                            expect,
                            "the fast path differs on `{expr}` for alert {:?}",
                            whole.to_string().chars().take(300).collect::<String>()
                        );
                        t.fast_answers += 1;
                        if expr.contains("watchlist(") || expr.contains("in_moc(") {
                            t.sky_fast += 1;
                        }
                        for form in FORMS {
                            if expr.contains(form) {
                                *t.forms.entry(form).or_default() += 1;
                            }
                        }
                    }
                    None => t.fallbacks += 1,
                }
            }
            *t.verdicts.entry(expect).or_default() += 1;
            t.pairs += 1;
        }
    }
    t
}

/// Rubin's official 11.0 schema, from PyPI's lsst-alert-packet (a test dependency that
/// `scripts/install-test-deps` installs; without it this test fails).
fn official_11() -> AlertSchema {
    let python = std::env::var("ALERTCTL_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(&python)
        .args([
            "-c",
            "import lsst.alert.packet, os; print(os.path.join(os.path.dirname(lsst.alert.packet.__file__), 'schema'))",
        ])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    assert!(
        out.status.success(),
        "PyPI's lsst-alert-packet is not installed (scripts/install-test-deps installs it): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let root = std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    crate::formats::avro::load_version(&root, "11.0".parse().unwrap())
        .expect("PyPI's lsst-alert-packet holds schema 11.0")
}

#[test]
fn fast_projected_and_whole_jq_agree_on_generated_pairs() {
    let mut total = Tally {
        pairs: 0,
        fast_answers: 0,
        sky_fast: 0,
        forms: BTreeMap::new(),
        fallbacks: 0,
        projected: 0,
        verdicts: BTreeMap::new(),
    };
    for (schema, seed) in [
        (crate::formats::avro::builtin_sample(), 7u64),
        (official_11(), 11),
    ] {
        let t = run(schema, seed, 40, 200);
        total.pairs += t.pairs;
        total.fast_answers += t.fast_answers;
        total.sky_fast += t.sky_fast;
        for (k, v) in t.forms {
            *total.forms.entry(k).or_default() += v;
        }
        total.fallbacks += t.fallbacks;
        total.projected += t.projected;
        for (k, v) in t.verdicts {
            *total.verdicts.entry(k).or_default() += v;
        }
    }
    eprintln!(
        "differential: {} pairs, {} fast answers ({} asking the sky; by form {:?}), {} handed back to jq, {} of 400 expressions projected, verdicts {:?}",
        total.pairs, total.fast_answers, total.sky_fast, total.forms, total.fallbacks, total.projected, total.verdicts
    );
    for form in FORMS {
        let n = total.forms.get(form).copied().unwrap_or(0);
        assert!(n >= 40, "the fast form `{form}` answered only {n}");
    }
    assert!(
        total.sky_fast >= 100,
        "the sky's fast forms answered only {}",
        total.sky_fast
    );
    assert!(total.pairs >= 5_000, "{} pairs", total.pairs);
    assert!(
        total.fast_answers >= 2_000,
        "the fast path answered only {}",
        total.fast_answers
    );
    for v in [Verdict::Pass, Verdict::Fail, Verdict::Error] {
        assert!(
            total.verdicts.get(&v).copied().unwrap_or(0) >= 200,
            "too few {v:?}: {:?}",
            total.verdicts
        );
    }
}
