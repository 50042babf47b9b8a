//! Tail: alerts from Kafka topics or a visit file, decoded and printed.
//!
//! From Kafka, the records are read by [`read_loop`] (with a consumer group, a record
//! is acknowledged only once it is printed); a night on a long-lived topic is its
//! window. A record that cannot be decoded is a record warning, and the others go on;
//! the job then fails at the end, saying how many. With a group, a record whose
//! schema's registry did not answer stops the job without acknowledging it.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;

use super::{connect, group_id, resolve_reading, Report, Stop};
use crate::error::Error;
use crate::formats::avro::view::{to_json, CutoutPolicy};
use crate::formats::avro::AlertSchema;
use crate::formats::packet::file::{FileError, VisitReader};
use crate::formats::packet::{self, Decoder};
use crate::night::input::{Reading, Windowing};
use crate::render::printer::{
    envelope, envelope_text, raw_value, AlertPrinter, Item, RecordFormat,
};
use crate::transport::connect::{SchemaSources, Target};
use crate::transport::kafka::admin::{is_pattern, Admin};
use crate::transport::kafka::consume::{
    read_loop, ReadUntil, Received, Sink, Start, Tail, Unwritten,
};
use crate::transport::kafka::offsets::OffsetSpec;
use crate::transport::kafka::KafkaError;

/// What to read.
#[derive(Debug, Clone)]
pub enum Source {
    /// A topic or regex, a night, or both, on a cluster.
    Kafka {
        /// The topic or regex.
        topic: Option<String>,
        /// The night (its topic, or its window on a long-lived topic).
        night: Option<NaiveDate>,
        /// How a night's window is read.
        windowing: Windowing,
        /// Where to start.
        offset: Option<OffsetSpec>,
        /// A consumer group to read as (committing what is printed).
        group: Option<String>,
        /// Keep following after the end (else stop there).
        follow: bool,
        /// Where the cluster is.
        target: Target,
    },
    /// A visit file (container or wire).
    File(PathBuf),
}

/// How to tail.
#[derive(Debug, Clone)]
pub struct Options {
    /// What to read.
    pub source: Source,
    /// Print only the last N (then, following, every new one).
    pub num: Option<usize>,
    /// How cutouts appear in the JSON views.
    pub cutouts: CutoutPolicy,
    /// Where schemas come from.
    pub schemas: SchemaSources,
    /// Resolve every alert into this reader schema.
    pub reader: Option<Arc<AlertSchema>>,
    /// Threads writing JSON lines (0: one per core); the order is kept.
    pub workers: usize,
}

/// What a tail read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tailed {
    /// Alerts printed (or decoded).
    pub good: u64,
    /// Records that could not be decoded.
    pub bad: u64,
    /// The topics or file read.
    pub source: String,
}

/// Tail into `printer`. Fails when a record could not be decoded (after printing the
/// others), or at a failure that stops reading.
pub fn run<W: Write>(
    opts: &Options,
    printer: &mut AlertPrinter<W>,
    report: &mut dyn Report,
    stop: Stop<'_>,
) -> Result<Tailed, Error> {
    let decoder = opts.schemas.decoder(opts.reader.clone());
    let tailed = match &opts.source {
        Source::File(file) => tail_file(
            file,
            decoder,
            opts.cutouts,
            crate::workers::count(opts.workers),
            printer,
            report,
        )?,
        Source::Kafka { .. } => tail_kafka(opts, decoder, printer, report, stop)?,
    };
    if tailed.bad > 0 {
        return Err(Error::failure(format!(
            "{}: {} alerts decoded, {} undecodable (see the warnings above)",
            tailed.source, tailed.good, tailed.bad
        )));
    }
    Ok(tailed)
}

fn tail_kafka<W: Write>(
    opts: &Options,
    decoder: Decoder,
    printer: &mut AlertPrinter<W>,
    report: &mut dyn Report,
    stop: Stop<'_>,
) -> Result<Tailed, Error> {
    let Source::Kafka {
        topic,
        night,
        windowing,
        offset,
        group,
        follow,
        target,
    } = &opts.source
    else {
        unreachable!("a Kafka source");
    };
    let conn = connect(target, report)?;
    let admin = Admin::connect(&conn)?;
    let Some(reading) = resolve_reading(topic.as_deref(), *night, Some(windowing), &admin, report)?
    else {
        return Err(Error::usage(
            "give a TOPIC (or a regex), --night NIGHT, or --file FILE",
        ));
    };
    drop(admin);
    let (topic, topics) = (reading.topic.clone(), reading.topics.clone());
    if reading.window.is_some() && (group.is_some() || opts.num.is_some()) {
        return Err(Error::usage(format!(
            "--night on {topic} is a time window, read by offsets: it takes neither --group nor -n"
        )));
    }
    let default = match (opts.num, group) {
        (Some(n), None) => OffsetSpec::FromEnd(n as i64),
        (None, Some(_)) => OffsetSpec::Stored,
        _ => OffsetSpec::Beginning,
    };
    let offset = reading.offset(*offset, default)?;
    let group_id = group.as_deref().map(|g| group_id(&conn, g, report));
    let start = Start {
        offset,
        group: group_id,
    };
    let mut tail = Tail::open(
        &conn,
        &topics,
        is_pattern(&topic).then_some(topic.as_str()),
        &start,
    )?;
    let mut sink = TailSink {
        reading: &reading,
        decoder,
        printer,
        cutouts: opts.cutouts,
        group: group.is_some(),
        good: 0,
        bad: 0,
        report,
        workers: crate::workers::count(opts.workers),
        batch: Vec::new(),
        batch_at: Unwritten::default(),
        printed: Vec::new(),
    };
    let until = ReadUntil {
        // A window ends: reading stops there, per partition.
        end: !follow || reading.window.is_some(),
        flush_at_end: opts.num.is_some(),
        stall: conn.timeout,
    };
    read_loop(&mut tail, until, stop, &mut sink)?;
    let (good, bad) = (sink.good, sink.bad);
    tail.close()?;
    Ok(Tailed {
        good,
        bad,
        source: topics.join(","),
    })
}

impl<W: Write> TailSink<'_, W> {
    /// Write the batch's JSON lines (or envelopes) on the workers, print them in order,
    /// and hand their places to `written()`.
    fn print_batch(&mut self) -> Result<(), Error> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.batch);
        let payloads: Vec<&[u8]> = batch
            .iter()
            .map(|r| r.payload.as_deref().unwrap_or_default())
            .collect();
        let cutouts = self.cutouts;
        let texts = self
            .decoder
            .map_batch(&payloads, None, self.workers, |d, id, schema, body| {
                let mut out = Vec::with_capacity(body.len() / 2);
                d.write_json_body(id, schema, body, cutouts, &mut out)?;
                Ok((id, out))
            });
        for (rec, text) in batch.iter().zip(texts) {
            match text {
                Ok((id, text)) => {
                    self.good += 1;
                    let item = self.text_item(rec, id, text);
                    self.printer.push(rec.timestamp_ms.unwrap_or(0), item)?;
                }
                Err(e) => self.undecodable(rec, e)?,
            }
        }
        self.printed.extend(self.batch_at.written());
        Ok(())
    }

    /// An alert's JSON text as printed: the line itself, or (`--format envelope`)
    /// wrapped in its record's envelope.
    fn text_item(&self, rec: &Received, schema_id: u32, text: Vec<u8>) -> Item {
        if self.printer.format() == RecordFormat::Envelope {
            Item::Text(envelope_text(rec, Some(schema_id), &text))
        } else {
            Item::Text(text)
        }
    }

    /// A record that could not be decoded: a warning, or, for a group member when the
    /// reason may pass (the registry away), a stop without acknowledging it (it is
    /// read again next time).
    /// With a night's window by observation time, whether an alert falls outside it
    /// (or does not decode, and is reported here): its time read from its bytes where
    /// that serves ([`packet::Decoder::meta`]). Without such a window, nothing is read.
    fn outside_window(&mut self, rec: &Received, payload: &[u8]) -> Result<bool, Error> {
        if self.reading.observed.is_none() {
            return Ok(false);
        }
        match self.decoder.meta(payload) {
            Ok((m, _)) => Ok(!self.reading.keeps_mjd(m.mjd)),
            Err(e) => self.undecodable(rec, e).map(|()| true),
        }
    }

    fn undecodable(&mut self, rec: &Received, e: packet::PacketError) -> Result<(), Error> {
        let at = format!("{}/{}@{}", rec.topic, rec.partition, rec.offset);
        if self.group && e.is_transient() {
            return Err(Error::failure(format!(
                "{at}: {e}; stopped without acknowledging it (run again when it answers)"
            )));
        }
        self.bad += 1;
        self.report.record_warning(&at, &e.to_string());
        Ok(())
    }
}

/// Where tail's records go: decoded (unless printed raw) into the printer.
struct TailSink<'o, W: Write> {
    reading: &'o Reading,
    decoder: Decoder,
    printer: &'o mut AlertPrinter<W>,
    cutouts: CutoutPolicy,
    group: bool,
    good: u64,
    bad: u64,
    report: &'o mut dyn Report,
    /// Threads writing JSON lines; with more than one, records are written a batch
    /// at a time, and acknowledged once printed.
    workers: usize,
    batch: Vec<Received>,
    batch_at: Unwritten,
    printed: Vec<(String, i32, i64)>,
}

impl<W: Write> Sink for TailSink<'_, W> {
    type Error = Error;

    fn written(&mut self) -> Vec<(String, i32, i64)> {
        std::mem::take(&mut self.printed)
    }

    fn idle(&mut self) -> Result<(), Error> {
        self.print_batch()
    }

    fn record(&mut self, rec: &Received) -> Result<bool, Error> {
        let at = || format!("{}/{}@{}", rec.topic, rec.partition, rec.offset);
        let ts = rec.timestamp_ms.unwrap_or(0);
        let format = self.printer.format();
        match rec.payload.as_deref() {
            None => {
                self.bad += 1;
                self.report.record_warning(&at(), "empty record (no value)");
            }
            // Raw output passes the bytes through, as kcat does: nothing is decoded (in a
            // night's window by observation time, only the time is read).
            Some(payload) if format.undecoded() => {
                if self.outside_window(rec, payload)? {
                    return Ok(true);
                }
                self.good += 1;
                let item = if format == RecordFormat::Raw {
                    Item::Raw(payload.to_vec())
                } else {
                    let id = packet::split(payload).ok().map(|(id, _)| id);
                    Item::View(envelope(rec, id, raw_value(payload)))
                };
                self.printer.push(ts, item)?;
            }
            // JSON lines (or envelopes) with nothing to read from the alert: the text
            // straight from the bytes, a batch at a time on the workers.
            Some(_)
                if self.workers > 1
                    && self.reading.observed.is_none()
                    && matches!(format, RecordFormat::Jsonl | RecordFormat::Envelope)
                    && !self.printer.keeping() =>
            {
                self.batch.push(rec.clone());
                self.batch_at.keep(&rec.topic, rec.partition, rec.offset);
                if self.batch.len() >= BATCH {
                    self.print_batch()?;
                }
                return Ok(false);
            }
            // JSON lines and kcat-style envelopes: the view's text straight from the
            // bytes (an envelope wraps it).
            Some(payload) if matches!(format, RecordFormat::Jsonl | RecordFormat::Envelope) => {
                if self.outside_window(rec, payload)? {
                    return Ok(true);
                }
                let mut text = Vec::with_capacity(payload.len() / 2);
                match self.decoder.write_json(payload, self.cutouts, &mut text) {
                    Ok(schema_id) => {
                        self.good += 1;
                        let item = self.text_item(rec, schema_id, text);
                        self.printer.push(ts, item)?;
                    }
                    Err(e) => return self.undecodable(rec, e).map(|()| true),
                }
            }
            Some(payload) => match self.decoder.decode(payload) {
                Ok((schema_id, value)) => {
                    if !self.reading.keeps(&value) {
                        return Ok(true);
                    }
                    self.good += 1;
                    let item = match format {
                        RecordFormat::Raw => Item::Raw(payload.to_vec()),
                        RecordFormat::EnvelopeRaw => {
                            Item::View(envelope(rec, Some(schema_id), raw_value(payload)))
                        }
                        _ => Item::View(to_json(&value, self.cutouts)),
                    };
                    self.printer.push(ts, item)?;
                }
                Err(e) => self.undecodable(rec, e)?,
            },
        }
        Ok(!self.printer.keeping())
    }

    fn flush(&mut self) -> Result<(), Error> {
        self.print_batch()?;
        Ok(self.printer.flush_kept()?)
    }

    fn fetch_failed(&mut self, e: &KafkaError) {
        self.report.warn(&e.to_string());
    }
}

/// Alerts written at once by `--workers` (and kept, unacknowledged, until written).
const BATCH: usize = 256;

/// Alerts read from a file at once for each worker: few enough that each alert's bytes
/// and text are still in the cache when decoded and printed, and that the same few
/// megabytes of memory serve every batch (256 took 35 MB of fresh pages).
const FILE_BATCH_PER_WORKER: usize = 16;

fn tail_file<W: Write>(
    file: &std::path::Path,
    mut decoder: Decoder,
    cutouts: CutoutPolicy,
    workers: usize,
    printer: &mut AlertPrinter<W>,
    report: &mut dyn Report,
) -> Result<Tailed, Error> {
    let mut records = VisitReader::open(file, &mut decoder)?;
    if printer.format() == RecordFormat::Raw && records.container_schema().is_some() {
        return Err(Error::usage(
            "--format raw needs wire packets; this is a container file (use jsonl or json)",
        ));
    }
    let format = printer.format();
    // JSON lines: the text straight from the bytes, a batch at a time on the workers;
    // other formats: the decoded alerts.
    let items: Box<dyn Iterator<Item = Result<(i64, Item), FileError>> + '_> =
        if format == RecordFormat::Jsonl {
            let mut batch = Vec::new();
            Box::new(std::iter::from_fn(move || {
                if batch.is_empty() {
                    let n = FILE_BATCH_PER_WORKER * workers;
                    batch = records.next_json_batch(n, cutouts, workers);
                    batch.reverse();
                }
                batch
                    .pop()
                    .map(|r| r.map(|(index, text)| (index as i64, Item::Text(text))))
            }))
        } else {
            Box::new(records.map(move |r| {
                r.map(|alert| {
                    let item = match (format, alert.packet) {
                        (RecordFormat::Raw, Some(p)) => Item::Raw(p),
                        _ => Item::View(to_json(&alert.value, cutouts)),
                    };
                    (alert.index as i64, item)
                })
            }))
        };
    let (mut good, mut bad) = (0u64, 0u64);
    let mut fatal = None;
    for item in items {
        match item {
            Ok((index, item)) => {
                good += 1;
                printer.push(index, item)?;
            }
            Err(e) if e.is_recoverable() => {
                bad += 1;
                let (at, reason) = e.place_and_reason();
                report.record_warning(&at, &reason);
            }
            Err(e) => {
                fatal = Some(e);
                break;
            }
        }
    }
    printer.flush_kept()?;
    if let Some(e) = fatal {
        return Err(Error::failure(format!(
            "{e} (after {good} alerts decoded{})",
            if bad > 0 {
                format!(", {bad} undecodable")
            } else {
                String::new()
            }
        )));
    }
    Ok(Tailed {
        good,
        bad,
        source: file.display().to_string(),
    })
}
