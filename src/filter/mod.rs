//! Filters: jq expressions over the alert stream, with per-visit caps and ranking,
//! many filters over one decode of each alert.
//!
//! An alert passes a filter when its expression yields at least one value that is
//! neither false nor null. The expression sees the JSON view (unions flattened,
//! cutouts as byte strings whose `length` is their size). Each alert is decoded once
//! for all filters, building only the fields some filter names (path projection).
//! A filter keeps at most `max_per_visit` alerts of each visit (DMS-REQ-0343's
//! numBrokerAlerts): the first ones, or with `rank_by` the best ones, emitted once the
//! visit is complete. Alerts that pass untouched are forwarded as their original
//! bytes; `drop` nulls optional fields under the same schema id.
//!
//! Where things are:
//!
//! * [`def`] is definitions and the filters file;
//! * [`engine`] is the engine, many filters over one read of each alert;
//! * [`emit`] is what filters emit and count;
//! * [`visits`] is each filter's per-visit cap and ranking ledger;
//! * [`thin`] is nulling optional fields of passing alerts;
//! * [`jq`] is the jq front end (parse-tree shape, path analysis, the confined standard
//!   library, compilation and evaluation);
//! * [`check`] is what an expression reads, held against a schema;
//! * [`eval`] is one expression over JSON values, as `jq -c` runs it;
//! * [`project`] is decoding only the fields an expression reads;
//! * [`fast`] is the fast path (the jq subset, float rules, compiler, scanner, evaluator);
//! * [`guard`] is the runaway-evaluation guard and its counting allocator;
//! * [`pipeline`] is the two pipelines, over a visit file and over Kafka.

pub mod check;
pub mod def;
#[cfg(test)]
mod differential;
pub mod emit;
pub mod engine;
pub mod eval;
pub mod fast;
pub mod guard;
pub mod jq;
pub mod notify;
pub mod pipeline;
pub mod project;
pub mod thin;
pub mod visits;

pub use def::{
    load_file, load_set, parse_filters, select, FilterDef, FilterError, FilterSet, StartAt,
    DEFAULT_MAX_PER_VISIT, DEFAULT_VISIT_KEY, FILTER_HEADER,
};
pub use engine::{Budget, Engine, Input, Notice, Output, Stats, Tp};
