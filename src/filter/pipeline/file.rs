//! The filter pipeline over a visit file: each record to the engine, each output
//! handed on as it is produced (nothing is held but the ranked visits the engine keeps),
//! to a wire file, a wire file per filter, or JSON lines.

use std::fmt;
use std::io::Write;
use std::path::PathBuf;

use super::{notice_line, Setup};
use crate::error::Error;
use crate::filter::{Engine, Input, Notice, Output};
use crate::formats::avro::view::{to_json, CutoutPolicy};
use crate::formats::avro::AlertSchema;
use crate::formats::packet::file::{FileError, PacketReader, RawRecord, WireWriter};
use crate::jobs::{Report as JobReport, Stop};

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

/// Where a file run's outputs go.
#[derive(Debug, Clone)]
pub enum Outputs {
    /// The one filter's passing alerts to this wire file.
    Wire(PathBuf),
    /// Each filter's to `DIR/NAME.wire`.
    Dir(PathBuf),
    /// JSON views, one a line (with several filters, `{"filter": NAME, "alert": VIEW}`).
    Views(CutoutPolicy),
}

/// A run over a visit file.
#[derive(Debug, Clone)]
pub struct FileRun {
    /// The filters, their budget and schemas.
    pub setup: Setup,
    /// The visit file.
    pub input: PathBuf,
    /// Where passing alerts go.
    pub outputs: Outputs,
}

/// What a run over a file did: its counts and each filter's.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// Records read, undecodable, emitted.
    pub counts: Counts,
    /// Each filter's counters and, if it was disabled, why.
    pub filters: Vec<(String, crate::filter::Stats, Option<String>)>,
}

/// Says what happens on a file run through a job report.
struct Said<'a> {
    input: &'a std::path::Path,
    report: &'a mut dyn JobReport,
}

impl Report for Said<'_> {
    fn bad(&mut self, index: usize, error: &dyn fmt::Display) {
        self.report.record_warning(
            &format!("{} record {index}", self.input.display()),
            &error.to_string(),
        );
    }

    fn notice(&mut self, n: Notice) {
        self.report.warn(&notice_line(&n));
    }
}

/// Run filters over a visit file. Fails when a record could not be decoded (after the
/// run), with every output of the others written.
pub fn run(
    opts: &FileRun,
    views_out: &mut dyn Write,
    report: &mut dyn JobReport,
    stop: Stop<'_>,
) -> Result<FileReport, Error> {
    let mut engine = opts.setup.engine()?;
    let multi = engine.defs().count() > 1;
    if matches!(opts.outputs, Outputs::Wire(_)) && multi {
        return Err(Error::usage(
            "--out takes the output of one filter; run one filter (--only NAME or --index N)",
        ));
    }
    let reader = PacketReader::open(&opts.input)?;
    // A container file's schema joins the stores, under the id its records are given.
    let mut views = opts.setup.schemas.decoder(None);
    if let (Some(s), Some(id)) = (reader.container_schema(), reader.container_id()) {
        engine.insert_schema(id, AlertSchema::clone(s));
        views.insert_schema(id, AlertSchema::clone(s));
    }
    let mut said = Said {
        input: &opts.input,
        report,
    };
    let counts = match &opts.outputs {
        Outputs::Wire(path) => {
            let mut w = WireWriter::create(path)?;
            let counts = run_file(
                &mut engine,
                reader,
                |o| w.append(&o.packet),
                &mut said,
                stop,
            )?;
            w.finish()?;
            counts
        }
        Outputs::Dir(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::failure(format!("{}: {e}", dir.display())))?;
            let mut ws = engine
                .defs()
                .map(|d| WireWriter::create(&dir.join(format!("{}.wire", d.name))))
                .collect::<Result<Vec<_>, _>>()?;
            let counts = run_file(
                &mut engine,
                reader,
                |o| ws[o.filter].append(&o.packet),
                &mut said,
                stop,
            )?;
            for w in ws {
                w.finish()?;
            }
            counts
        }
        Outputs::Views(cutouts) => {
            let names: Vec<String> = engine.defs().map(|d| d.name.clone()).collect();
            // The JSON view is built only for the alerts printed.
            let counts = run_file(
                &mut engine,
                reader,
                |o| -> Result<(), Error> {
                    let view = to_json(&views.decode(&o.packet)?.1, *cutouts);
                    let row = if multi {
                        serde_json::json!({"filter": names[o.filter], "alert": view})
                    } else {
                        view
                    };
                    writeln!(views_out, "{row}")?;
                    Ok(())
                },
                &mut said,
                stop,
            )
            .map_err(|e| match e {
                RunError::File(f) => Error::from(f),
                RunError::Sink(c) => c,
            })?;
            views_out.flush()?;
            counts
        }
    };
    let out = FileReport {
        counts,
        filters: engine.stats(),
    };
    Ok(out)
}

impl FileReport {
    /// The run's verdict: a failure when records of `input` could not be decoded.
    pub fn outcome(&self, input: &std::path::Path) -> Result<(), Error> {
        if self.counts.bad > 0 {
            return Err(Error::failure(format!(
                "{}: {} undecodable records (see the warnings above)",
                input.display(),
                self.counts.bad
            )));
        }
        Ok(())
    }
}
