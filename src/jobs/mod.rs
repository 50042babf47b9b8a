//! Jobs: what a command runs, each one library call that takes its options and returns
//! a typed report. A job says what happens while it runs through a [`Report`], and
//! writes alerts through a printer ([`crate::render::printer`]); it never prints.
//!
//! * [`produce`] is sample visits or a visit file, to Kafka or a file; the topic policy;
//! * [`tail`] is alerts from topics or visit files, decoded and printed;
//! * [`copy`] is replay (re-publish paced), mirror (byte for byte), rewind, lag;
//! * [`archive`], [`get`]: Rubin's alert archive, and fetching alerts by id;
//! * [`export`] is nights to Parquet or Avro with a manifest, and its verification;
//! * [`stats`], [`show`]: what a stream holds; one alert in detail;
//! * [`topics`] is topic admin, expiry;
//! * [`schemas`] is schema versions, compatibility, bumps, and the registry's subjects.

pub mod archive;
pub mod copy;
pub mod export;
pub mod get;
pub mod produce;
pub mod schemas;
pub mod send;
pub mod show;
pub mod stats;
pub mod tail;
pub mod topics;

use chrono::NaiveDate;

use crate::error::Error;
use crate::night::input::{reading, Reading, Windowing};
use crate::transport::connect::Target;
use crate::transport::kafka::admin::Admin;
use crate::transport::kafka::consume::LagChange;
use crate::transport::kafka::Connection;

/// What a job says while it runs, for its caller to show (alertctl shows it on stderr).
pub trait Report {
    /// A line of information (`created topic lsst-2026-05-01 (4 partitions)`).
    fn info(&mut self, line: &str);
    /// A warning: something is off, and the job goes on.
    fn warn(&mut self, line: &str);
    /// A warning about one record (`topic/partition@offset`, `file record N`) that may
    /// repeat record after record: shown a few times, then only counted.
    fn record_warning(&mut self, at: &str, reason: &str) {
        self.warn(&format!("{at}: {reason}"));
    }
    /// Progress: `done` of `total` (when known).
    fn progress(&mut self, _done: u64, _total: Option<u64>) {}
    /// A status line that replaces the last one (rates, lag), for a person watching.
    fn status(&mut self, _line: &str) {}
}

/// A [`Report`] that keeps nothing (library callers that want only the result).
#[derive(Debug, Default, Clone, Copy)]
pub struct Quiet;

impl Report for Quiet {
    fn info(&mut self, _: &str) {}
    fn warn(&mut self, _: &str) {}
}

/// A [`Report`] that keeps every line, for tests and callers that show lines later.
#[derive(Debug, Default, Clone)]
pub struct Collected {
    /// `info` lines.
    pub info: Vec<String>,
    /// `warn` lines (record warnings as `at: reason`).
    pub warnings: Vec<String>,
}

impl Report for Collected {
    fn info(&mut self, line: &str) {
        self.info.push(line.to_string());
    }
    fn warn(&mut self, line: &str) {
        self.warnings.push(line.to_string());
    }
}

/// A stop flag a job polls between records (Ctrl-C, SIGTERM).
pub type Stop<'a> = &'a dyn Fn() -> bool;

/// Say a change in a stage's lag, in one line.
pub fn say_lag(report: &mut dyn Report, stage: &str, change: LagChange, threshold: i64) {
    match change {
        LagChange::Behind(lag) => report.warn(&format!(
            "{stage} is {lag} records behind its input, more than a visit's worth ({threshold}, --lag-warn): it is not keeping up"
        )),
        LagChange::CaughtUp(lag) => report.info(&format!("{stage} caught up: {lag} records behind")),
    }
}

/// Resolve the target and say so when it is the sandbox's.
pub fn connect(target: &Target, report: &mut dyn Report) -> Result<Connection, Error> {
    let r = target.resolve()?;
    if r.via_sandbox {
        report.info(&format!(
            "using the sandbox's broker {} (alertctl sandbox status)",
            r.conn.brokers
        ));
    }
    Ok(r.conn)
}

/// The consumer group id for `name` on `conn` (the profile's `group_prefix` applied),
/// said when it changed, warned when the account's brokers would refuse it.
pub fn group_id(conn: &Connection, name: &str, report: &mut dyn Report) -> String {
    let g = conn.group_id(name);
    if let Some(w) = &g.warning {
        report.warn(w);
    }
    if g.id != name {
        report.info(&format!(
            "consumer group {} (the profile's group_prefix)",
            g.id
        ));
    }
    g.id
}

/// Resolve what a command reads on `admin`, saying the reading's notes.
pub fn resolve_reading(
    topic: Option<&str>,
    night: Option<NaiveDate>,
    windowing: Option<&Windowing>,
    admin: &Admin,
    report: &mut dyn Report,
) -> Result<Option<Reading>, Error> {
    let r = reading(topic, night, windowing, admin)?;
    if let Some(r) = &r {
        for n in &r.notes {
            report.warn(n);
        }
    }
    Ok(r)
}

/// Open a whole read of what a command names (a topic, a regex, a night, or a night's
/// window on a long-lived topic), from its beginning (the window's start) to its end,
/// with no group; `missing` is the usage error when nothing is named. Returns the
/// connection, what was resolved, and the open read.
pub fn read_whole(
    target: &Target,
    topic: Option<&str>,
    night: Option<NaiveDate>,
    windowing: Option<&Windowing>,
    missing: &str,
    report: &mut dyn Report,
) -> Result<(Connection, Reading, crate::transport::kafka::consume::Tail), Error> {
    use crate::transport::kafka::consume::{Start, Tail};
    use crate::transport::kafka::offsets::OffsetSpec;
    let conn = connect(target, report)?;
    let reading = resolve_reading(topic, night, windowing, &Admin::connect(&conn)?, report)?
        .ok_or_else(|| Error::usage(missing))?;
    let tail = Tail::open(
        &conn,
        &reading.topics,
        None,
        &Start {
            offset: reading.offset(None, OffsetSpec::Beginning)?,
            group: None,
        },
    )?;
    Ok((conn, reading, tail))
}
