//! What filters emit and count: an [`Output`] (a passing alert, as forwarded), each
//! filter's [`Stats`], and the maps the engine and its visit ledgers keep.

use std::collections::HashMap;
use std::sync::Arc;

/// A topic partition.
pub type Tp = (Arc<str>, i32);

/// An alert a filter emits.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// Index of the filter in the engine.
    pub filter: usize,
    /// The packet: the original bytes (shared, not copied, between filters), or thinned by `drop`.
    pub packet: bytes::Bytes,
    /// The original key.
    pub key: Option<Vec<u8>>,
    /// The original timestamp.
    pub timestamp_ms: Option<i64>,
    /// Where the input alert was: (topic, partition) and offset.
    pub source: (Tp, i64),
    /// Why it passed, for the output's headers: the watchlist entries and MOCs it matched
    /// and the filter's reasons ([`crate::filter::def::FilterDef::reasons`]).
    pub headers: Vec<(String, bytes::Bytes)>,
}

/// The header prefix naming the nearest entry of a watchlist an alert matched
/// (`alertctl-watchlist:NAME`).
pub const WATCHLIST_HEADER: &str = "alertctl-watchlist:";
/// The header prefix giving that entry's separation, arcsec (`alertctl-watchlist-sep:NAME`).
pub const WATCHLIST_SEP_HEADER: &str = "alertctl-watchlist-sep:";
/// The header prefix of a MOC an alert is in (`alertctl-moc:NAME`, value `true`).
pub const MOC_HEADER: &str = "alertctl-moc:";
/// The header prefix of a filter's reason (`alertctl-reason:NAME`, its value as JSON).
pub const REASON_HEADER: &str = "alertctl-reason:";

/// One filter's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Alerts evaluated.
    pub seen: u64,
    /// Alerts that passed the expression.
    pub passed: u64,
    /// Alerts emitted (passed and within the cap).
    pub emitted: u64,
    /// Passing alerts left out by the cap.
    pub capped: u64,
    /// Alerts on which the expression failed.
    pub errors: u64,
    /// Alerts on which an expression (the filter's, its rank or its visit key) went over budget.
    pub over_budget: u64,
    /// Verdicts from the fast path (the rest came from jq).
    pub fast: u64,
    /// Alerts not evaluated: their visit had already given the filter its cap.
    pub skipped: u64,
}

/// The engine's maps, looked up for every filter and alert: a fast hash, seeded per
/// process (SipHash was a twentieth of the 100-filter engine's time).
pub(crate) type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
