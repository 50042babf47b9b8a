//! `alertctl produce`: generate sample visits (or read a visit file) and send them to
//! a Kafka topic, or write them to a visit file.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use apache_avro::types::Value;
use chrono::NaiveDate;

use super::{interrupted, warn, CliError, CliResult, KafkaArgs, SchemaDirs};
use crate::kafka::admin::{Admin, TopicSpec};
use crate::kafka::produce::Producer;
use crate::kafka::send::{send_alerts, Notice, SendOptions, Stamp};
use crate::packet;
use crate::packet::file::{FileFormat, VisitReader, VisitWriter};
use crate::sample::{Generator, SampleConfig};
use crate::schema::{self, AlertSchema, SchemaStore, Version};

const AFTER_HELP: &str = "\
Examples:
  alertctl produce -b 127.0.0.1:9092 --night today --visits 5 --alerts-per-visit 500
  alertctl produce -b 127.0.0.1:9092 --topic test --visits 2 --no-wait --timestamp now
  alertctl produce -b 127.0.0.1:9092 --night 2024-05-01 --file night.avro --retention forever
  alertctl produce --visits 2 --alerts-per-visit 200 --out night.avro
  alertctl produce --schema-dir alert_packet/schema --schema-version 11.0 --file-format wire --out v11.wire

To Kafka (without --out): each alert is one wire-format packet (0x00, 4-byte schema id,
Avro body), keyed by diaObjectId so one object's alerts keep their order, with
CreateTime = the alert's observation time (or the time of sending while that is still
in the future; --timestamp observation|now to choose).
The topic (default: the night's, lsst-YYYY-MM-DD) is created when missing. Old
observation times fall outside a 7-day retention and the broker deletes them: use
--retention forever for past nights, or --timestamp now.

To a file (--out): ocf is an Avro Object Container File (fastavro, pandas and Spark
read it); wire is a sequence of frames, each a 4-byte big-endian length and one
wire-format packet. Files are written to a temporary name and renamed at the end, so a
failed run leaves any existing file untouched.

The same --seed and --night give the same alerts.";

/// Record timestamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Timestamp {
    /// The observation time, unless it is still in the future (a night not yet observed): then now.
    Auto,
    /// The alert's observation time (diaSource midpoint), always.
    Observation,
    /// The time of sending.
    Now,
}

/// Generate sample visits (or send a visit file) to Kafka or to a file.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Number of visits to generate.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub visits: u32,
    /// Alerts in each visit (Rubin sends about 10,000).
    #[arg(long, default_value_t = 100, value_name = "M")]
    pub alerts_per_visit: usize,
    /// Write a visit file instead of sending to Kafka.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["topic", "file"])]
    pub out: Option<PathBuf>,
    /// Format of the file written with --out.
    #[arg(long, value_enum, default_value = "ocf")]
    pub file_format: FileFormat,
    /// The old spelling of --file-format (one more release).
    #[arg(long = "format", value_enum, hide = true)]
    pub format_old: Option<FileFormat>,
    /// The Kafka topic (default: the night's topic, lsst-YYYY-MM-DD).
    #[arg(long, short = 't', value_name = "TOPIC")]
    pub topic: Option<String>,
    /// Send the alerts of this visit file (OCF or wire) instead of generating them.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// The old spelling of --file (one more release).
    #[arg(
        long = "from-file",
        value_name = "FILE",
        hide = true,
        conflicts_with = "file"
    )]
    pub from_file_old: Option<PathBuf>,
    /// Wait this long between the starts of consecutive visits (Rubin: 37s).
    #[arg(long, default_value = "37s", value_parser = super::values::duration, value_name = "DURATION")]
    pub cadence: Duration,
    /// Send visits back to back, without waiting for the cadence.
    #[arg(long)]
    pub no_wait: bool,
    /// Record timestamp (CreateTime): the observation time, or now.
    #[arg(long, value_enum, default_value = "auto")]
    pub timestamp: Timestamp,
    /// Partitions of a topic created here (default 4; 45 for a per-major topic, as Rubin's).
    #[arg(long)]
    pub partitions: Option<i32>,
    /// Retention of a topic created here: a duration or `forever` (default 7d; 30d for a
    /// per-major topic, as Rubin's).
    #[arg(long, value_parser = super::values::retention)]
    pub retention: Option<i64>,
    /// Schema version MAJOR.MINOR to generate (default: the newest under --schema-dir, else the built-in 0.1).
    #[arg(long, value_name = "M.m", conflicts_with = "schema")]
    pub schema_version: Option<Version>,
    /// Generate for the schema in this self-contained .avsc file.
    #[arg(long, value_name = "FILE.avsc")]
    pub schema: Option<PathBuf>,
    /// Schema id for wire packets when the schema's namespace carries no version.
    #[arg(long, value_name = "ID")]
    pub schema_id: Option<u32>,
    #[command(flatten)]
    pub dirs: SchemaDirs,
    /// Seed of the random stream: the same seed and night give the same alerts.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Observing night (dayObs) of the alerts, and of the default topic: YYYY-MM-DD, today or yesterday.
    #[arg(long, default_value = "today", value_name = "NIGHT", value_parser = super::values::night)]
    pub night: NaiveDate,
    /// Longest history (prvDiaSources) per alert; each alert draws 0..=N.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub max_history: usize,
    /// Width and height of the three FITS cutouts, pixels (0: no cutouts).
    #[arg(long, default_value_t = 60, value_name = "PX")]
    pub cutout_size: usize,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

fn generator(args: &Args, night: NaiveDate) -> Result<(Generator, u32), CliError> {
    let schema = schema::select(&args.dirs.dirs, args.schema_version, args.schema.as_deref())?;
    let id = args.schema_id.or(schema.id()).ok_or_else(|| {
        CliError::usage(format!(
            "{} has no version in its namespace: pass --schema-id N for the wire header",
            schema.name
        ))
    })?;
    let cfg = SampleConfig {
        night,
        seed: args.seed,
        alerts_per_visit: args.alerts_per_visit,
        visits: args.visits as usize,
        max_history: args.max_history,
        cutout_size: args.cutout_size,
    };
    Ok((Generator::new(Arc::new(schema), cfg), id))
}

/// Run `alertctl produce`.
pub fn exec(args: Args) -> CliResult {
    let mut args = args;
    if let Some(f) = args.format_old.take() {
        super::deprecated(
            "produce --format",
            "--file-format (--format is the output format)",
        );
        args.file_format = f;
    }
    if let Some(f) = args.from_file_old.take() {
        super::deprecated("--from-file", "--file");
        args.file = Some(f);
    }
    if args.out.is_some() && args.file.is_some() {
        return Err(CliError::usage(
            "--file is sent to Kafka; --out writes generated alerts: not both",
        ));
    }
    let night = args.night;
    match &args.out {
        Some(out) => to_file(&args, night, out),
        None => to_kafka(&args, night),
    }
}

fn to_file(args: &Args, night: NaiveDate, out: &std::path::Path) -> CliResult {
    let (mut gen, schema_id) = generator(args, night)?;
    let schema = gen.schema().clone();
    let started = Instant::now();
    let mut writer = VisitWriter::create(out, args.file_format, &schema, schema_id)?;
    for v in 0..args.visits {
        for alert in gen.visit(v) {
            writer.append(&alert)?;
        }
    }
    let (count, bytes) = (writer.count(), writer.packet_bytes());
    writer.finish()?;
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "alertctl: wrote {} visits x {} alerts = {count} alerts ({:.1} MB of packets, schema {} id {schema_id}) to {} in {secs:.2} s ({:.0} alerts/s)",
        args.visits,
        args.alerts_per_visit,
        bytes as f64 / 1e6,
        schema.name,
        out.display(),
        count as f64 / secs.max(1e-9),
    );
    Ok(())
}

/// The schema an OCF file was written with, and its id.
fn ocf_schema(
    reader: &VisitReader<'_>,
    id: Option<u32>,
    path: &std::path::Path,
) -> Result<(AlertSchema, u32), CliError> {
    let s = AlertSchema::clone(reader.container_schema().expect("a container file"));
    let id = id.or(s.id()).ok_or_else(|| {
        CliError::usage(format!(
            "{} was written with {}, which names no version: pass --schema-id N",
            path.display(),
            s.name
        ))
    })?;
    Ok((s, id))
}

fn to_kafka(args: &Args, night: NaiveDate) -> CliResult {
    let conn = args.kafka.connection()?;
    // Where the layout puts the night: its own topic, or the long-lived topic of the
    // schema's MAJOR version.
    let (topic, long_lived) = match &args.topic {
        Some(t) => (t.clone(), false),
        None => {
            let schema =
                schema::select(&args.dirs.dirs, args.schema_version, args.schema.as_deref())?;
            let major = args.schema_id.or(schema.id()).unwrap_or(0) / 100;
            let (t, window) = conn.layout.place(night, major);
            (t, window.is_some())
        }
    };
    let admin = Admin::connect(&conn)?;
    let partitions = args.partitions.unwrap_or(if long_lived { 45 } else { 4 });
    let spec = TopicSpec {
        name: topic.clone(),
        partitions,
        replication: 1,
        retention_ms: args.retention.unwrap_or(if long_lived {
            crate::kafka::admin::PER_MAJOR_RETENTION_MS
        } else {
            crate::kafka::admin::DEFAULT_RETENTION_MS
        }),
        timestamp_type: None,
    };
    if admin.create(&spec)? {
        eprintln!("alertctl: created topic {topic} ({partitions} partitions)");
    }
    let total = if args.file.is_some() {
        0
    } else {
        u64::from(args.visits) * args.alerts_per_visit as u64
    };
    let progress = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {pos}/{len} alerts [{elapsed_precise}] {per_sec} {msg}",
            )
            .expect("valid template"),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let opts = SendOptions {
        stamp: match args.timestamp {
            Timestamp::Auto => Stamp::Auto,
            Timestamp::Observation => Stamp::Observation,
            Timestamp::Now => Stamp::Now,
        },
        cadence: (!args.no_wait).then_some(args.cadence),
        retention_ms: admin.retention_ms(&topic),
    };
    let mut producer = Producer::new(&conn, &topic)?;
    let stop = interrupted();
    let stopping = || stop.load(Ordering::SeqCst);
    let tell = |n: Notice| {
        match n {
        Notice::Deferred => eprintln!("alertctl: the night's observation times are still in the future: records are stamped with the time of sending (--timestamp observation to insist)"),
        Notice::PastRetention(days) => warn(&format!(
            "observation times are older than the topic's retention ({days} days): the broker will delete these records; use --timestamp now, or a topic with --retention forever"
        )),
        Notice::FarFuture => warn("observation times are more than an hour in the future; brokers with message.timestamp.after.max.ms set will refuse them (use --timestamp now)"),
    }
    };
    let started = Instant::now();
    let sent = if let Some(file) = &args.file {
        let mut store = SchemaStore::new(args.dirs.dirs.clone());
        let reader = VisitReader::open(file, &mut store, None)?;
        let ocf = if reader.container_schema().is_some() {
            Some(ocf_schema(&reader, args.schema_id, file)?)
        } else {
            None
        };
        let alerts = reader.map(|item| -> Result<(Vec<u8>, Value), CliError> {
            let alert = item?;
            let packet = match (alert.packet, &ocf) {
                (Some(p), _) => p,
                (None, Some((schema, id))) => {
                    packet::encode(*id, &packet::encode_body(schema, &alert.value)?)
                }
                (None, None) => unreachable!("wire records carry their packet"),
            };
            Ok((packet, alert.value))
        });
        send_alerts(&mut producer, &opts, alerts, &stopping, tell, |n| {
            progress.set_position(n)
        })?
    } else {
        let (mut gen, schema_id) = generator(args, night)?;
        let schema = gen.schema().clone();
        let alerts = (0..args.visits).flat_map(|v| gen.visit(v)).map(
            |alert| -> Result<(Vec<u8>, Value), CliError> {
                Ok((
                    packet::encode(schema_id, &packet::encode_body(&schema, &alert)?),
                    alert,
                ))
            },
        );
        send_alerts(&mut producer, &opts, alerts, &stopping, tell, |n| {
            progress.set_position(n)
        })?
    };
    progress.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "alertctl: produced {} alerts in {} visits ({:.1} MB) to {topic} in {secs:.2} s ({:.0} alerts/s, {:.1} MB/s){}",
        sent.records,
        sent.visits,
        sent.bytes as f64 / 1e6,
        sent.records as f64 / secs.max(1e-9),
        sent.bytes as f64 / 1e6 / secs.max(1e-9),
        if stop.load(Ordering::SeqCst) { "; stopped early by a signal" } else { "" }
    );
    Ok(())
}
