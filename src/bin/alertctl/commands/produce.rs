//! `alertctl produce`: generate sample visits (or read a visit file) and send them to
//! a Kafka topic, or write them to a visit file.

use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveDate;

use alertctl::formats::avro::Version;
use alertctl::formats::packet::file::FileFormat;
use alertctl::formats::sample::SampleConfig;
use alertctl::jobs::produce::{to_file, to_kafka, Alerts, Produced, Sample, SchemaChoice, ToKafka};
use alertctl::jobs::send::Stamp;
use alertctl::jobs::Report;
use alertctl::Error;

use crate::args::{values, CmdResult, Ctx, KafkaArgs, SchemaArgs};

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
    #[arg(long, value_parser = values::choice::<FileFormat>(), default_value = "ocf")]
    pub file_format: FileFormat,
    /// The old spelling of --file-format (one more release).
    #[arg(long = "format", value_parser = values::choice::<FileFormat>(), hide = true)]
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
    #[arg(long, default_value = "37s", value_parser = values::duration, value_name = "DURATION")]
    pub cadence: Duration,
    /// Send visits back to back, without waiting for the cadence.
    #[arg(long)]
    pub no_wait: bool,
    /// Record timestamp (CreateTime): the observation time, or now.
    #[arg(long, value_parser = values::choice::<Stamp>(), default_value = "auto")]
    pub timestamp: Stamp,
    /// Partitions of a topic created here (default 4; 45 for a per-major topic, as Rubin's).
    #[arg(long)]
    pub partitions: Option<i32>,
    /// Retention of a topic created here: a duration or `forever` (default 7d; 30d for a
    /// per-major topic, as Rubin's).
    #[arg(long, value_parser = values::retention)]
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
    pub dirs: SchemaArgs,
    /// Seed of the random stream: the same seed and night give the same alerts.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Observing night (dayObs) of the alerts, and of the default topic: YYYY-MM-DD, today or yesterday.
    #[arg(long, default_value = "today", value_name = "NIGHT", value_parser = values::night)]
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

impl Args {
    fn sample(&self) -> Sample {
        Sample {
            schema: SchemaChoice {
                dirs: self.dirs.dirs.clone(),
                version: self.schema_version,
                file: self.schema.clone(),
                id: self.schema_id,
            },
            config: SampleConfig {
                night: self.night,
                seed: self.seed,
                alerts_per_visit: self.alerts_per_visit,
                visits: self.visits as usize,
                max_history: self.max_history,
                cutout_size: self.cutout_size,
            },
        }
    }
}

/// Run `alertctl produce`.
pub fn exec(mut a: Args, ctx: &mut Ctx) -> CmdResult {
    if let Some(f) = a.format_old.take() {
        ctx.deprecated(
            "produce --format",
            "--file-format (--format is the output format)",
        );
        a.file_format = f;
    }
    if let Some(f) = a.from_file_old.take() {
        ctx.deprecated("--from-file", "--file");
        a.file = Some(f);
    }
    if a.out.is_some() && a.file.is_some() {
        return Err(Error::usage(
            "--file is sent to Kafka; --out writes generated alerts: not both",
        ));
    }
    if let Some(out) = &a.out {
        let p = to_file(&a.sample(), out, a.file_format)?;
        ctx.diag.info(&format!(
            "wrote {} visits x {} alerts = {} alerts ({:.1} MB of packets) to {} in {:.2} s ({:.0} alerts/s)",
            a.visits,
            a.alerts_per_visit,
            p.records,
            p.bytes as f64 / 1e6,
            p.to,
            p.seconds,
            p.records as f64 / p.seconds.max(1e-9),
        ));
        return Ok(());
    }
    let alerts = match &a.file {
        Some(path) => Alerts::File {
            path: path.clone(),
            dirs: a.dirs.dirs.clone(),
            id: a.schema_id,
        },
        None => Alerts::Sample(a.sample()),
    };
    let opts = ToKafka {
        alerts,
        topic: a.topic.clone(),
        night: a.night,
        partitions: a.partitions,
        retention_ms: a.retention,
        stamp: a.timestamp,
        cadence: (!a.no_wait).then_some(a.cadence),
        target: a.kafka.target(),
    };
    let stop = ctx.stop();
    let p = to_kafka(&opts, &mut ctx.diag, &stop)?;
    ctx.diag.clear();
    say(ctx, &p);
    Ok(())
}

fn say(ctx: &mut Ctx, p: &Produced) {
    let secs = p.seconds.max(1e-9);
    ctx.diag.info(&format!(
        "produced {} alerts in {} visits ({:.1} MB) to {} in {:.2} s ({:.0} alerts/s, {:.1} MB/s){}",
        p.records,
        p.visits,
        p.bytes as f64 / 1e6,
        p.to,
        p.seconds,
        p.records as f64 / secs,
        p.bytes as f64 / 1e6 / secs,
        if p.stopped { "; stopped early by a signal" } else { "" }
    ));
}
