//! Filter definitions: a filter's name, expression, output, cap, ranking, thinning and
//! visit key, from the command line or a filters file of `[[filter]]` tables, and the
//! choice of which of a file's filters to run.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::jq::JqError;
use crate::sky::{Decl, Kind};

/// DMS-REQ-0343's numBrokerAlerts: alerts per visit per user.
pub const DEFAULT_MAX_PER_VISIT: usize = 20;
/// Where the visit id is in an alert.
pub const DEFAULT_VISIT_KEY: &str = ".diaSource.visit";
/// The header that names the filter an alert passed.
pub const FILTER_HEADER: &str = "alertctl-filter";

fn default_cap() -> usize {
    DEFAULT_MAX_PER_VISIT
}

fn default_visit_key() -> String {
    DEFAULT_VISIT_KEY.to_string()
}

/// One filter's definition (a `[[filter]]` table of a filters file, or command-line flags).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FilterDef {
    /// The filter's name; its output topic unless `to` is given.
    pub name: String,
    /// The jq expression.
    pub expr: String,
    /// Output topic (default: the name).
    #[serde(default)]
    pub to: Option<String>,
    /// At most this many alerts per visit (0: no cap).
    #[serde(default = "default_cap")]
    pub max_per_visit: usize,
    /// Keep the best `max_per_visit` of each visit by this expression (higher is better).
    #[serde(default)]
    pub rank_by: Option<String>,
    /// Optional fields to null in passing alerts (cutouts, histories).
    #[serde(default)]
    pub drop: Vec<String>,
    /// Where the visit id is.
    #[serde(default = "default_visit_key")]
    pub visit_key: String,
    /// Allow constructs that may not terminate (loops, recursion); the evaluation
    /// guard still ends the process if one runs away.
    #[serde(default)]
    pub unbounded: bool,
    /// Named sub-conditions (jq expressions) whose values a passing alert carries in its
    /// headers (`alertctl-reason:NAME`), so that consumers can route without decoding.
    #[serde(default)]
    pub reasons: std::collections::BTreeMap<String, String>,
    /// Where a filter added to a running node (`filter run --filters`, the file changed)
    /// begins: `"night"` (the default: the input's beginning, or the night's window, as
    /// a fresh run would), `"now"`, or a time as `--offset @TIME` takes it
    /// (`2024-05-02T03:00:00Z`, `-10m`). Its visits are capped as if it had run all
    /// along: it reads from one visit timeout before that point, sending nothing from
    /// before it.
    #[serde(default)]
    pub start: Option<String>,
    /// Where else each passing alert goes: webhooks and programs
    /// ([`crate::filter::notify`]), besides the output topic (Kafka runs).
    #[serde(default)]
    pub notify: Vec<super::notify::SinkDef>,
}

impl FilterDef {
    /// A filter with the defaults: the first 20 alerts of each visit.
    pub fn new(name: &str, expr: &str) -> FilterDef {
        FilterDef {
            name: name.to_string(),
            expr: expr.to_string(),
            to: None,
            max_per_visit: DEFAULT_MAX_PER_VISIT,
            rank_by: None,
            drop: Vec::new(),
            visit_key: DEFAULT_VISIT_KEY.to_string(),
            unbounded: false,
            reasons: Default::default(),
            start: None,
            notify: Vec::new(),
        }
    }

    /// The output topic.
    pub fn topic(&self) -> &str {
        self.to.as_deref().unwrap_or(&self.name)
    }

    /// Where the filter begins when it is added to a running node (`start`), `now`
    /// being the time it is added.
    pub fn start_at(&self, now: chrono::DateTime<chrono::Utc>) -> Result<StartAt, String> {
        match self.start.as_deref().map(str::trim) {
            None | Some("night") => Ok(StartAt::Night),
            Some("now") => Ok(StartAt::Time(now.timestamp_millis())),
            Some(t) => crate::transport::kafka::offsets::parse_time(t.trim_start_matches('@'), now)
                .map(StartAt::Time)
                .map_err(|e| {
                    format!(
                        "filter {}: start = {t:?}: {e} (\"night\", \"now\" or a time)",
                        self.name
                    )
                }),
        }
    }
}

/// Where a filter added to a running node begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StartAt {
    /// The input's beginning (or the night's window), as a fresh run.
    Night,
    /// This time (Unix ms): records from before it are read to fill its visits' caps,
    /// and nothing from before it is sent.
    Time(i64),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FiltersFile {
    filter: Vec<FilterDef>,
    /// `name = "file.csv"` or `name = { file = "file.csv", radius = 5.0 }`.
    #[serde(default)]
    watchlists: std::collections::BTreeMap<String, WatchlistEntry>,
    /// `name = "region.fits"`.
    #[serde(default)]
    mocs: std::collections::BTreeMap<String, PathBuf>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum WatchlistEntry {
    File(PathBuf),
    Table {
        file: PathBuf,
        /// Radius (arcsec) of the lines that give none.
        radius: Option<f64>,
    },
}

/// A filters file: its filters, and the watchlists and MOCs they may ask about.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FilterSet {
    /// The filters, in the file's order.
    pub filters: Vec<FilterDef>,
    /// The watchlists and MOCs declared (their paths relative to the file's directory
    /// made relative to the current one).
    pub sky: Vec<Decl>,
}

/// Errors setting filters up.
#[derive(Debug, thiserror::Error)]
pub enum FilterError {
    /// A filters file could not be read or parsed.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// An expression is not valid or not allowed.
    #[error("filter {name}: {error}")]
    Expr {
        /// The filter.
        name: String,
        /// The problem.
        error: JqError,
    },
}

/// Read a filters file's filters: `[[filter]]` tables with name, expr, and optional to,
/// max_per_visit, rank_by, drop, visit_key, unbounded, reasons. [`load_set`] reads its
/// watchlists and MOCs too.
pub fn load_file(path: &Path) -> Result<Vec<FilterDef>, FilterError> {
    load_set(path).map(|s| s.filters)
}

/// Read a filters file: its `[[filter]]` tables, and its `[watchlists]` and `[mocs]`
/// tables (paths relative to the file).
pub fn load_set(path: &Path) -> Result<FilterSet, FilterError> {
    let err = |reason: String| FilterError::File {
        path: path.display().to_string(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    let dir = path.parent().unwrap_or(Path::new(""));
    parse_set(&text, dir).map_err(err)
}

/// Read a filters file's text (see [`load_file`]); the error is the reason alone.
pub fn parse_filters(text: &str) -> Result<Vec<FilterDef>, String> {
    parse_set(text, Path::new("")).map(|s| s.filters)
}

/// Read a filters file's text, its sky files' paths relative to `dir`.
pub fn parse_set(text: &str, dir: &Path) -> Result<FilterSet, String> {
    let file: FiltersFile = toml::from_str(text).map_err(|e| e.message().to_string())?;
    let mut seen = HashSet::new();
    for f in &file.filter {
        if !seen.insert(f.name.clone()) {
            return Err(format!("two filters are named {}", f.name));
        }
        f.start_at(chrono::Utc::now())?;
        for n in &f.notify {
            n.check().map_err(|e| format!("filter {}: {e}", f.name))?;
        }
    }
    let mut sky = Vec::new();
    let named = |name: &str, table: &str| {
        if crate::sky::valid_name(name) {
            Ok(())
        } else {
            Err(format!(
                "[{table}] {name:?}: a name of letters, digits, '_', '-' and '.'"
            ))
        }
    };
    for (name, w) in file.watchlists {
        named(&name, "watchlists")?;
        let (path, radius) = match w {
            WatchlistEntry::File(p) => (p, None),
            WatchlistEntry::Table { file, radius } => (file, radius),
        };
        let radius = radius.unwrap_or(crate::sky::DEFAULT_RADIUS_ARCSEC);
        crate::sky::watchlist::check_cone(0.0, 0.0, radius)
            .map_err(|e| format!("[watchlists] {name}: {e}"))?;
        sky.push(Decl {
            name,
            path: dir.join(path),
            kind: Kind::Watchlist { radius },
        });
    }
    for (name, path) in file.mocs {
        named(&name, "mocs")?;
        sky.push(Decl {
            name,
            path: dir.join(path),
            kind: Kind::Moc,
        });
    }
    Ok(FilterSet {
        filters: file.filter,
        sky,
    })
}

/// Choose the filters to run from a file's: `index` (1-based) alone, or those named in
/// `only`, in the file's order. A name or index the file does not have is an error
/// that says what it has.
pub fn select(
    defs: Vec<FilterDef>,
    only: &[String],
    index: Option<usize>,
) -> Result<Vec<FilterDef>, crate::Error> {
    let mut defs = defs;
    if let Some(i) = index {
        let n = defs.len();
        defs = vec![defs.into_iter().nth(i.wrapping_sub(1)).ok_or_else(|| {
            crate::Error::usage(format!("--index {i}: the file has {n} filters (1..{n})"))
        })?];
    }
    if !only.is_empty() {
        for name in only {
            if !defs.iter().any(|d| &d.name == name) {
                return Err(crate::Error::usage(format!(
                    "--only {name}: no such filter in the file"
                )));
            }
        }
        defs.retain(|d| only.contains(&d.name));
    }
    if defs.is_empty() {
        return Err(crate::Error::usage("no filters to run"));
    }
    Ok(defs)
}
