//! The two filter pipelines: over a visit file ([`file`](mod@file)) and over Kafka ([`kafka`]),
//! and the node ([`node`]) that runs the Kafka one while following its filters file.
//! Each builds the engine from a [`Setup`], runs it over its input, writes what passes,
//! and returns a report with each filter's counters; the Kafka one commits an input
//! offset only after every output of it is acknowledged.

pub mod file;
pub mod kafka;
pub mod node;

use super::{Budget, Engine, FilterDef, Notice, Stats};
use crate::error::Error;
use crate::sky::{Catalog, Reload};
use crate::transport::connect::SchemaSources;

/// The filters to run, their budget, and where schemas come from.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The filters.
    pub defs: Vec<FilterDef>,
    /// Each expression's budget per alert.
    pub budget: Budget,
    /// Where schemas come from.
    pub schemas: SchemaSources,
    /// The watchlists and MOCs the filters may ask about.
    pub sky: Vec<crate::sky::Decl>,
}

impl Setup {
    /// The engine, with the watchlists and MOCs loaded (a file that does not load is
    /// the error, naming the file and line).
    pub fn engine(&self) -> Result<Engine, Error> {
        let catalog = Catalog::load(self.sky.clone()).map_err(|e| Error::failure(e.to_string()))?;
        Ok(Engine::with_catalog(
            self.defs.clone(),
            self.schemas.store(),
            self.budget,
            catalog,
        )?)
    }
}

/// What happened to a filter, in one line.
pub fn notice_line(n: &Notice) -> String {
    match n {
        Notice::Disabled { filter, reason } => {
            format!("filter {filter} is disabled: {reason}; the other filters go on")
        }
        Notice::Mismatch {
            filter,
            schema_id,
            finding,
        } => format!("filter {filter}, schema id {schema_id}: {finding} (alertctl filter check)"),
        Notice::Sky(Reload::Loaded { what, entries }) => match entries {
            0 => format!("{what} changed: reloaded"),
            n => format!("{what} changed: reloaded, {n} cones"),
        },
        Notice::Sky(Reload::Kept { what, error }) => {
            format!("{what} changed but does not load, the previous one stays in force: {error}")
        }
    }
}

/// One line per filter: what it saw, passed, emitted, capped; and whether it is disabled.
pub fn summary_lines(filters: &[(String, Stats, Option<String>)]) -> Vec<String> {
    filters
        .iter()
        .map(|(name, s, disabled)| {
            format!(
                "filter {name}: {} seen, {} passed, {} emitted, {} over the visit cap, {} errors{}{}",
                s.seen,
                s.passed,
                s.emitted,
                s.capped,
                s.errors,
                if s.skipped > 0 {
                    format!(", {} not evaluated (their visit had given its cap)", s.skipped)
                } else {
                    String::new()
                },
                disabled
                    .as_ref()
                    .map(|d| format!(", DISABLED: {d}"))
                    .unwrap_or_default()
            )
        })
        .collect()
}

/// One line per notification sink: what it was offered and delivered.
pub fn sink_lines(sinks: &[crate::filter::notify::SinkStats]) -> Vec<String> {
    sinks
        .iter()
        .map(|s| {
            format!(
                "filter {} -> {}: {} offered, {} delivered ({} in {} digests), {} attempts retried",
                s.filter, s.sink, s.offered, s.delivered, s.in_digests, s.digests, s.retries
            )
        })
        .collect()
}
