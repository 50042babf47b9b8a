//! Pipelines: the filter engine over a stream of records, each output handed on as it
//! is produced (nothing is held but the ranked visits the engine keeps).

use std::fmt;

use super::{Engine, Input, Notice, Output};
use crate::packet::file::{FileError, RawRecord};

/// What a run over a file did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Records read.
    pub read: u64,
    /// Records that could not be decoded.
    pub bad: u64,
    /// Outputs handed to the sink.
    pub emitted: u64,
}

/// Why a run stopped early.
#[derive(Debug)]
pub enum RunError<E> {
    /// The file could no longer be read.
    File(FileError),
    /// The sink failed.
    Sink(E),
}

impl<E: fmt::Display> fmt::Display for RunError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::File(e) => e.fmt(f),
            RunError::Sink(e) => e.fmt(f),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for RunError<E> {}

/// What a run reports as it goes.
pub trait Report {
    /// A record that cannot be decoded (the run goes on).
    fn bad(&mut self, index: usize, error: &dyn fmt::Display);
    /// Something happened to a filter (it was disabled), reported when it happens.
    fn notice(&mut self, notice: Notice);
}

/// Run `engine` over `records` (a visit file's, in order): each record's packet to the
/// engine, each output to `sink` as it comes, the held ranked visits at the end. `stop`
/// is asked between records. Returns the counts; a damaged file or a failing sink ends
/// the run with what was written so far written.
pub fn run_file<E>(
    engine: &mut Engine,
    records: impl IntoIterator<Item = Result<RawRecord, FileError>>,
    mut sink: impl FnMut(&Output) -> Result<(), E>,
    report: &mut dyn Report,
    stop: &dyn Fn() -> bool,
) -> Result<Counts, RunError<E>> {
    let mut c = Counts::default();
    for r in records {
        if stop() {
            break;
        }
        let rec = r.map_err(RunError::File)?;
        c.read += 1;
        let input = Input {
            packet: rec.packet,
            key: None,
            topic: "",
            partition: 0,
            timestamp_ms: None,
            offset: rec.index as i64,
        };
        match engine.process(&input) {
            Ok(outs) => {
                for o in &outs {
                    sink(o).map_err(RunError::Sink)?;
                    c.emitted += 1;
                }
            }
            Err(e) => {
                c.bad += 1;
                report.bad(rec.index, &e);
            }
        }
        for n in engine.take_notices() {
            report.notice(n);
        }
    }
    for o in engine.finish() {
        sink(&o).map_err(RunError::Sink)?;
        c.emitted += 1;
    }
    Ok(c)
}
