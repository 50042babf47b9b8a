//! `alertctl tail`: decode alerts from Kafka topics or visit files.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use serde_json::Value as Json;

use super::{
    group_id, interrupted, line, reading, stdout, stdout_is_tty, warn, CliError, CliResult, Format,
    KafkaArgs, Reading, Repeats, SchemaDirs, WindowArgs,
};
use crate::kafka::admin::{is_pattern, Admin};
use crate::kafka::consume::{read_loop, ReadUntil, Received, Sink, Start, Tail};
use crate::kafka::offsets::OffsetSpec;
use crate::kafka::KafkaError;
use crate::packet::file::VisitReader;
use crate::packet::json::{cell, lookup, render_table, DEFAULT_TABLE_FIELDS};
use crate::packet::{to_json, CutoutPolicy, Decoder};
use crate::schema::{self, Version};

const AFTER_HELP: &str = "\
Examples:
  alertctl tail -b 127.0.0.1:9092 lsst-2024-05-01 -e            # the whole night, then exit
  alertctl tail -b 127.0.0.1:9092 --night today -n 5             # the last 5 alerts
  alertctl tail -b 127.0.0.1:9092 --night today -o @-10m -f      # from 10 minutes ago, following
  alertctl tail -b 127.0.0.1:9092 'lsst-2024-05-0[1-3]' -e --format table
  alertctl tail -b 127.0.0.1:9092 lsst-2024-05-01 --group me -e  # as consumer group `me`
  alertctl tail --file night.avro | jq .diaSource.snr
  alertctl tail --file v11.wire --schema-dir alert_packet/schema --reader-version 11.0

Offsets (-o), as kcat and rpk: beginning, end, stored (with --group), N, -N (N before
the end of each partition), @TIME where TIME is RFC 3339, a date, epoch milliseconds,
or a duration back from now (@-1h), and @T1:T2, a time range read to its end in each
partition. Without -e or -n, tail keeps following.

--night on a topic that is not that night's own (Rubin's long-lived lsst-alerts-v11,
or any topic under a profile with layout = \"per-major\") is the night's dayObs window,
12:00 to 12:00 UTC, read to its end. --format envelope prints each record as kcat -J
does (topic, partition, offset, timestamp and its type, key, headers, schema id, value);
envelope-raw carries the packet itself, base64, and decodes nothing.

A record that cannot be decoded is reported on stderr with its topic, partition and
offset (or file record and byte), and the rest go on; the exit code is then 1.
--format raw writes the packets as a length-framed wire file (tail --file reads it).";

/// Decode alerts from Kafka topics or visit files.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Topic name, or a regex matching several (`lsst-2024-05-.*`).
    #[arg(value_name = "TOPIC|REGEX", conflicts_with = "file")]
    pub topic: Option<String>,
    /// A night (YYYY-MM-DD, today or yesterday): its topic, or on a long-lived topic
    /// (TOPIC, or the profile's per-major layout) its dayObs window, 12:00 to 12:00 UTC.
    #[arg(long, value_name = "NIGHT", conflicts_with = "file", value_parser = super::values::night)]
    pub night: Option<chrono::NaiveDate>,
    #[command(flatten)]
    pub window: WindowArgs,
    /// Read a visit file (OCF or wire) instead of Kafka.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Where to start: beginning, end, stored, N, -N, @TIME.
    #[arg(
        short = 'o',
        long = "offset",
        value_name = "OFFSET",
        conflicts_with = "file",
        value_parser = super::values::offset, allow_hyphen_values = true
    )]
    pub offset: Option<OffsetSpec>,
    /// Print only the last N alerts, then exit (keep following with -f).
    #[arg(long = "num", short = 'n', value_name = "N")]
    pub num: Option<usize>,
    /// Keep following for new alerts (the default without -e or -n).
    #[arg(short = 'f', long, conflicts_with = "exit_at_end")]
    pub follow: bool,
    /// Exit at the end of the partitions (as they were when read).
    #[arg(short = 'e', long = "exit")]
    pub exit_at_end: bool,
    /// Consume as this consumer group, committing offsets as alerts are printed.
    #[arg(long, short = 'G', value_name = "GROUP", conflicts_with = "file")]
    pub group: Option<String>,
    /// Output format (default: table on a terminal, jsonl otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// How the FITS cutouts appear: left out, their size, or base64.
    #[arg(long, value_enum, default_value = "size")]
    pub cutouts: CutoutPolicy,
    /// Table columns: comma-separated dotted paths; `a|b` takes the first present.
    #[arg(long, value_delimiter = ',', value_name = "PATHS")]
    pub fields: Vec<String>,
    #[command(flatten)]
    pub dirs: SchemaDirs,
    /// Resolve every alert into this schema version (Avro schema resolution), from --schema-dir.
    #[arg(long, value_name = "M.m", conflicts_with = "reader_schema")]
    pub reader_version: Option<Version>,
    /// Resolve every alert into the schema in this .avsc file.
    #[arg(long, value_name = "FILE.avsc")]
    pub reader_schema: Option<PathBuf>,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

enum Item {
    View(Json),
    Raw(Vec<u8>),
}

/// Where decoded alerts go: straight out, or kept for -n, json and table.
struct Output {
    format: Format,
    fields: Vec<String>,
    num: Option<usize>,
    keep: bool,
    /// (sort key, item): record timestamp (Kafka) or file order.
    kept: Vec<(i64, Item)>,
    out: std::io::BufWriter<std::io::StdoutLock<'static>>,
    header_done: bool,
}

impl Output {
    fn new(format: Format, fields: &[String], num: Option<usize>) -> Output {
        let fields = if fields.is_empty() {
            DEFAULT_TABLE_FIELDS.iter().map(|s| s.to_string()).collect()
        } else {
            fields.to_vec()
        };
        Output {
            format,
            fields,
            num,
            keep: num.is_some() || matches!(format, Format::Json | Format::Table),
            kept: Vec::new(),
            out: stdout(),
            header_done: false,
        }
    }

    fn write(&mut self, item: &Item) -> CliResult {
        match (self.format, item) {
            (Format::Raw, Item::Raw(p)) => {
                self.out.write_all(&(p.len() as u32).to_be_bytes())?;
                self.out.write_all(p)?;
            }
            (Format::Table, Item::View(v)) => {
                // Following: aligned rows, one per alert, under one header.
                if !self.header_done {
                    let header: Vec<String> = self.fields.iter().map(|f| column_name(f)).collect();
                    line(
                        &mut self.out,
                        &header
                            .iter()
                            .map(|h| format!("{h:<19}"))
                            .collect::<String>(),
                    )?;
                    self.header_done = true;
                }
                let row: String = self
                    .fields
                    .iter()
                    .map(|f| format!("{:<19}", cell(lookup(v, f))))
                    .collect();
                line(&mut self.out, row.trim_end())?;
            }
            (_, Item::View(v)) => line(&mut self.out, &v.to_string())?,
            (_, Item::Raw(_)) => unreachable!("raw items only in raw format"),
        }
        Ok(())
    }

    fn push(&mut self, order: i64, item: Item) -> CliResult {
        if self.keep {
            self.kept.push((order, item));
            if let Some(n) = self.num {
                // Keep memory bounded: trim to the newest n now and then.
                if self.kept.len() >= 2 * n.max(1024) {
                    self.trim();
                }
            }
            Ok(())
        } else {
            self.write(&item)?;
            self.out.flush()?;
            Ok(())
        }
    }

    fn trim(&mut self) {
        self.kept.sort_by_key(|(k, _)| *k);
        if let Some(n) = self.num {
            let drop = self.kept.len().saturating_sub(n);
            self.kept.drain(..drop);
        }
    }

    /// Whether items are kept (not yet written).
    fn keeping(&self) -> bool {
        self.keep
    }

    /// Write what was kept; after this, items stream straight out (for -n with -f).
    fn flush_kept(&mut self) -> CliResult {
        self.trim();
        let kept = std::mem::take(&mut self.kept);
        match self.format {
            Format::Json => {
                let all: Vec<Json> = kept
                    .into_iter()
                    .filter_map(|(_, i)| if let Item::View(v) = i { Some(v) } else { None })
                    .collect();
                line(
                    &mut self.out,
                    &serde_json::to_string_pretty(&Json::Array(all))?,
                )?;
            }
            Format::Table if !self.header_done => {
                let views: Vec<Json> = kept
                    .into_iter()
                    .filter_map(|(_, i)| if let Item::View(v) = i { Some(v) } else { None })
                    .collect();
                line(&mut self.out, &render_table(&views, &self.fields))?;
                self.header_done = true;
            }
            _ => {
                for (_, item) in &kept {
                    self.write(item)?;
                }
            }
        }
        self.out.flush()?;
        self.keep = false;
        self.num = None;
        Ok(())
    }
}

fn column_name(field: &str) -> String {
    let first = field.split('|').next().unwrap_or(field);
    first.rsplit('.').next().unwrap_or(first).to_string()
}

/// Run `alertctl tail`.
pub fn exec(args: Args) -> CliResult {
    let reader = match (&args.reader_version, &args.reader_schema) {
        (None, None) => None,
        (v, f) => Some(Arc::new(schema::select(&args.dirs.dirs, *v, f.as_deref())?)),
    };
    let format = args.format.unwrap_or(if stdout_is_tty() {
        Format::Table
    } else {
        Format::Jsonl
    });
    let mut output = Output::new(format, &args.fields, args.num);
    if let Some(file) = &args.file {
        return tail_file(&args, file, reader, &mut output);
    }
    let conn = args.kafka.connection()?;
    let admin = Admin::connect(&conn)?;
    let Some(reading) = reading(
        args.topic.as_deref(),
        args.night,
        Some(&args.window),
        &admin,
    )?
    else {
        return Err(CliError::usage(
            "give a TOPIC (or a regex), --night NIGHT, or --file FILE",
        ));
    };
    drop(admin);
    let (topic, topics) = (reading.topic.clone(), reading.topics.clone());
    if reading.window.is_some() && (args.group.is_some() || args.num.is_some()) {
        return Err(CliError::usage(format!(
            "--night on {topic} is a time window, read by offsets: it takes neither --group nor -n"
        )));
    }
    let default = match (args.num, &args.group) {
        (Some(n), None) => OffsetSpec::FromEnd(n as i64),
        (None, Some(_)) => OffsetSpec::Stored,
        _ => OffsetSpec::Beginning,
    };
    let offset = reading.offset(args.offset, default)?;
    let group = args.group.as_deref().map(|g| group_id(&conn, g));
    let start = Start { offset, group };
    let mut tail = Tail::open(
        &conn,
        &topics,
        is_pattern(&topic).then_some(topic.as_str()),
        &start,
    )?;
    let mut sink = TailSink {
        reading: &reading,
        decoder: Decoder::new(args.dirs.store(args.kafka.profile.as_deref()), reader),
        output: &mut output,
        format,
        cutouts: args.cutouts,
        group: args.group.is_some(),
        good: 0,
        bad: 0,
        repeats: Repeats::default(),
    };
    let stop = interrupted();
    let until = ReadUntil {
        // A window ends: reading stops there, per partition.
        end: args.exit_at_end || (args.num.is_some() && !args.follow) || reading.window.is_some(),
        flush_at_end: args.num.is_some(),
        stall: conn.timeout,
    };
    read_loop(&mut tail, until, &|| stop.load(Ordering::SeqCst), &mut sink)?;
    let (good, bad) = (sink.good, sink.bad);
    sink.repeats.finish();
    tail.close()?;
    finish(good, bad, &topics.join(","))
}

/// Where tail's records go: decoded (unless raw) into the output.
struct TailSink<'o> {
    reading: &'o Reading,
    decoder: Decoder,
    output: &'o mut Output,
    format: Format,
    cutouts: CutoutPolicy,
    group: bool,
    good: u64,
    bad: u64,
    repeats: Repeats,
}

impl Sink for TailSink<'_> {
    type Error = CliError;

    fn record(&mut self, rec: &Received) -> Result<bool, CliError> {
        let at = || format!("{}/{}@{}", rec.topic, rec.partition, rec.offset);
        let ts = rec.timestamp_ms.unwrap_or(0);
        match rec.payload.as_deref() {
            None => {
                self.bad += 1;
                self.repeats.warn(&at(), "empty record (no value)");
            }
            // Raw output passes the bytes through, as kcat does: nothing is decoded.
            // Raw output passes the bytes through, as kcat does: nothing is decoded.
            Some(payload)
                if self.reading.observed.is_none()
                    && matches!(self.format, Format::Raw | Format::EnvelopeRaw) =>
            {
                self.good += 1;
                let item = if self.format == Format::Raw {
                    Item::Raw(payload.to_vec())
                } else {
                    let id = crate::packet::split(payload).ok().map(|(id, _)| id);
                    Item::View(envelope(rec, id, raw_value(payload)))
                };
                self.output.push(ts, item)?;
            }
            Some(payload) => match self.decoder.decode(payload) {
                Ok((schema_id, value)) => {
                    if !self.reading.keeps(&value) {
                        return Ok(true);
                    }
                    let view = to_json(&value, self.cutouts);
                    self.good += 1;
                    let item = match self.format {
                        Format::Raw => Item::Raw(payload.to_vec()),
                        Format::Envelope => Item::View(envelope(rec, Some(schema_id), view)),
                        Format::EnvelopeRaw => {
                            Item::View(envelope(rec, Some(schema_id), raw_value(payload)))
                        }
                        _ => Item::View(view),
                    };
                    self.output.push(ts, item)?;
                }
                // A group member must not acknowledge what it could not read for a
                // passing reason (the registry away): it stops, and reads it next time.
                Err(e) if self.group && e.is_transient() => {
                    return Err(CliError::failure(format!(
                        "{}: {e}; stopped without acknowledging it (run again when it answers)",
                        at()
                    )));
                }
                Err(e) => {
                    self.bad += 1;
                    self.repeats.warn(&at(), &e.to_string());
                }
            },
        }
        Ok(!self.output.keeping())
    }

    fn flush(&mut self) -> Result<(), CliError> {
        self.output.flush_kept()
    }

    fn fetch_failed(&mut self, e: &KafkaError) {
        warn(&e.to_string());
    }
}

/// Bytes in JSON: a string when they are UTF-8, else `{"base64": ...}`.
fn bytes_json(b: &[u8]) -> Json {
    use base64::Engine;
    match std::str::from_utf8(b) {
        Ok(s) => Json::String(s.to_string()),
        Err(_) => {
            serde_json::json!({ "base64": base64::engine::general_purpose::STANDARD.encode(b) })
        }
    }
}

/// A packet as the envelope's value: its bytes in base64.
fn raw_value(packet: &[u8]) -> Json {
    use base64::Engine;
    Json::String(base64::engine::general_purpose::STANDARD.encode(packet))
}

/// The kcat `-J` / rpk `--format` style envelope of a record: where it is, its timestamp
/// and type, key, headers as a map (a repeated header keeps its last value), the schema
/// id of its packet, and the value.
fn envelope(rec: &Received, schema_id: Option<u32>, value: Json) -> Json {
    let headers: serde_json::Map<String, Json> = rec
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), bytes_json(v)))
        .collect();
    serde_json::json!({
        "topic": rec.topic,
        "partition": rec.partition,
        "offset": rec.offset,
        "timestamp": rec.timestamp_ms,
        "timestamp_type": rec.timestamp_type,
        "key": rec.key.as_deref().map(bytes_json),
        "headers": headers,
        "schema_id": schema_id,
        "value": value,
    })
}

fn finish(good: u64, bad: u64, source: &str) -> CliResult {
    if bad > 0 {
        return Err(CliError::failure(format!(
            "{source}: {good} alerts decoded, {bad} undecodable (see the warnings above)"
        )));
    }
    Ok(())
}

fn tail_file(
    args: &Args,
    file: &std::path::Path,
    reader: Option<Arc<schema::AlertSchema>>,
    output: &mut Output,
) -> CliResult {
    let mut store = args.dirs.store(args.kafka.profile.as_deref());
    let records = VisitReader::open(file, &mut store, reader)?;
    let (mut good, mut bad) = (0u64, 0u64);
    let mut fatal = None;
    let mut repeats = Repeats::default();
    for item in records {
        match item {
            Ok(alert) => {
                good += 1;
                let item = match (output.format, alert.packet) {
                    (Format::Raw, Some(p)) => Item::Raw(p),
                    (Format::Raw, None) => {
                        return Err(CliError::usage("--format raw needs wire packets; this is a container file (use jsonl or json)"))
                    }
                    _ => Item::View(to_json(&alert.value, args.cutouts)),
                };
                output.push(alert.index as i64, item)?;
            }
            Err(e) if e.is_recoverable() => {
                bad += 1;
                let (at, reason) = e.place_and_reason();
                repeats.warn(&at, &reason);
            }
            Err(e) => {
                fatal = Some(e);
                break;
            }
        }
    }
    output.flush_kept()?;
    repeats.finish();
    if let Some(e) = fatal {
        return Err(CliError::failure(format!(
            "{e} (after {good} alerts decoded{})",
            if bad > 0 {
                format!(", {bad} undecodable")
            } else {
                String::new()
            }
        )));
    }
    finish(good, bad, &file.display().to_string())
}
