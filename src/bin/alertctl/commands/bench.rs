//! `alertctl bench`: measure speed and print a table. The benchmarks themselves are
//! developer tools in [`crate::bench`], outside the library.

use alertctl::formats::avro::Version;
use alertctl::jobs::Report;

use crate::args::{values, CmdResult, Ctx, KafkaArgs, SchemaArgs};
use crate::bench::{self, Generate, Row};

/// The `bench` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum BenchCommand {
    /// Decode generated alerts (with cutouts) to the JSON view: alerts/s and MB/s.
    #[command(after_help = "\
Examples:
  alertctl bench decode --schema-dir alert_packet/schema --schema-version 11.0
  alertctl bench decode --alerts 5000 --cutout-size 90

Build with --release for meaningful numbers.")]
    Decode(DecodeArgs),
    /// Produce generated alerts to a new topic and consume them back: alerts/s and MB/s.
    #[command(after_help = "\
Examples:
  alertctl bench kafka -b 127.0.0.1:9092 --alerts 5000
  alertctl bench kafka -b 127.0.0.1:9092 --schema-dir alert_packet/schema --schema-version 11.0

The topic (bench-PID) is created with 4 partitions and deleted afterwards unless --keep.")]
    Kafka(KafkaBenchArgs),
    /// Filter throughput as users get it: `filter run` end to end, the engine alone, and Python.
    #[command(after_help = "\
Examples:
  alertctl bench filter --schema-dir alert_packet/schema --schema-version 11.1
  alertctl bench filter --alerts 3000 --filters 100 -b 127.0.0.1:9092
  alertctl bench filter --alerts 30000 --alerts-per-visit 10000 -b 127.0.0.1:9092 --python ''

The alerts (official schema with --schema-dir, cutouts, histories of up to 30, 1,000
a visit unless --alerts-per-visit says otherwise) are written to a wire file. (a) is the seed's Filter001 (`.diaSource.snr > 5 and
.diaSource.psfFlux > 3.631e-5`), every passing alert kept: `alertctl filter run
--file FILE --out FILE` end to end, the engine alone, and the seed's Python path as
its users write it (fastavro, `d[\"diaSource\"][\"snr\"] > 5 and ...`, writing the same
file: the peer of the ratio), beside a Python reference with jq's semantics (nulls,
ordering, errors) that proves the same selection. (b) is 100 production-like
filters (thresholds, magnitudes and colours, history scans, or/not/`//`, one in ten
with string functions, unique, reduce or to_entries, 20 alerts per visit, one in five
ranked): the engine alone,
`filter run --file --out-dir` end to end, `filter run --from` a topic on the brokers
given, and Python with the same selection. Beside `filter run --from` are the bare
reads of the same topic, alertctl's own (`tail --format raw`) and confluent-kafka's
Python consumer (when the Python has it), with each process's CPU seconds per 1,000
alerts: what filtering costs over reading. Every row must select the same alerts as
its Python reference, or the benchmark fails. Each row is the fastest of three runs
(ALERTCTL_BENCH_TRACE=1 prints every run). --keep DIR keeps the alerts, filters.toml
and Python scripts to rerun by hand. Build with --release.")]
    Filter(FilterBenchArgs),
    /// The filter engine alone over your own alerts and filters: alerts/s on one core.
    #[command(after_help = "\
Examples:
  alertctl bench engine --file night.wire --filters filters.toml --schema-dir alert_packet/schema
  alertctl bench filter --keep bench/ && alertctl bench engine --file bench/alerts.wire --filters bench/filters.toml

The packets of FILE (a wire file, as `tail --format wire` writes) are read into memory,
then the filters of FILTERS.toml run over them in this process, as `filter run` runs
them, with no reading or writing in the timed part. The row is the fastest of three
passes. A note says how many expressions have a fast form: the rest run in jq, which is
what a slow filter usually means. Build with --release.")]
    Engine(EngineBenchArgs),
    /// Mirror throughput between two brokers: generated alerts, copied byte for byte.
    #[command(after_help = "\
Examples:
  alertctl bench mirror --source-brokers 127.0.0.1:9092 -b 127.0.0.1:9093 --alerts 5000

A topic bench-mirror-PID (4 partitions) is filled on the source, mirrored to the local
brokers with alertctl's mirror loop (commit after acknowledgement), and deleted on
both sides afterwards.")]
    Mirror(MirrorBenchArgs),
    /// A scaled night through the real path: produce, mirror, N filters, a user's consumer.
    #[command(after_help = "\
Examples:
  alertctl bench night --source-brokers 127.0.0.1:9092 -b 127.0.0.1:9093 --scale 0.1 --visits 5 --filters 20
  alertctl bench night --source-brokers 127.0.0.1:9092 -b 127.0.0.1:9093 --scale 1 --visits 3 --json night.json

A producer sends --visits visits of 10,000 x --scale alerts (built-in sample schema, with
cutouts) every --cadence to the central brokers (--source-brokers); a mirror copies them
to the local brokers (-b); one filter run engine with --filters filters, each capped at
20 alerts per visit, writes each filter's topic; a consumer reads them all. Each stage
runs on its own thread, as on its own node. The table gives, per stage, alerts/s and
MB/s over its active time and CPU seconds per 1,000 alerts; below it, the latency from
each alert's production to its arrival at the consumer: p50, p98, max; then each
stage's lag behind the one before it, sampled every second, to show where a night falls
behind. --json FILE
writes the result as JSON and FILE.png, a latency histogram. Topics bench-night-PID*
are deleted afterwards.")]
    Night(NightBenchArgs),
}

/// Arguments of `bench night`.
#[derive(Debug, clap::Args)]
pub struct NightBenchArgs {
    /// The central brokers (the producer writes there; the mirror reads).
    #[arg(long, value_name = "HOST:PORT")]
    pub source_brokers: String,
    /// Alerts per visit as a fraction of Rubin's 10,000.
    #[arg(long, default_value_t = 0.1)]
    pub scale: f64,
    /// Visits.
    #[arg(long, default_value_t = 5)]
    pub visits: u32,
    /// Time between visits.
    #[arg(long, default_value = "37s", value_parser = values::duration, value_name = "DURATION")]
    pub cadence: std::time::Duration,
    /// Filters, each capped at 20 alerts per visit.
    #[arg(long, default_value_t = 10)]
    pub filters: usize,
    /// Cutout width and height, pixels.
    #[arg(long, default_value_t = 60)]
    pub cutout_size: usize,
    /// Seed of the generated alerts.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Also write the result as JSON here, and a latency histogram next to it (FILE.png).
    #[arg(long, value_name = "FILE")]
    pub json: Option<std::path::PathBuf>,
    /// Generate alerts of this official version from --schema-dir (generated before the
    /// night starts) and run the production-like filters of `bench filter`; without it,
    /// the built-in sample schema and SNR cuts.
    #[arg(long, value_name = "M.m", requires = "dirs")]
    pub schema_version: Option<Version>,
    #[command(flatten)]
    pub dirs: SchemaArgs,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// Arguments of `bench mirror`.
#[derive(Debug, clap::Args)]
pub struct MirrorBenchArgs {
    /// The source brokers.
    #[arg(long, value_name = "HOST:PORT")]
    pub source_brokers: String,
    /// Number of alerts.
    #[arg(long, default_value_t = 5000)]
    pub alerts: usize,
    #[command(flatten)]
    pub gen: Alerts,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// Arguments of `bench filter`.
#[derive(Debug, clap::Args)]
pub struct FilterBenchArgs {
    /// Number of alerts.
    #[arg(long, default_value_t = 3000)]
    pub alerts: usize,
    /// Production-like filters in the many-filters rows.
    #[arg(long, default_value_t = 100)]
    pub filters: usize,
    #[command(flatten)]
    pub gen: Alerts,
    /// The Python for the reference rows (needs fastavro); empty to skip them.
    #[arg(long, default_value = "python3")]
    pub python: String,
    /// Brokers for the `filter run --from` row (an in-memory local broker); without
    /// them the row is left out.
    #[arg(long, short = 'b', env = "ALERTCTL_BROKERS", value_name = "HOST:PORT")]
    pub brokers: Option<String>,
    /// Keep the benchmark's files (alerts, filters.toml, Python scripts) in this directory.
    #[arg(long, value_name = "DIR")]
    pub keep: Option<std::path::PathBuf>,
}

/// Arguments of `bench engine`.
#[derive(Debug, clap::Args)]
pub struct EngineBenchArgs {
    /// The alerts: a wire file.
    #[arg(long, value_name = "FILE")]
    pub file: std::path::PathBuf,
    /// The filters.
    #[arg(long, value_name = "FILTERS.toml")]
    pub filters: std::path::PathBuf,
    /// A schema directory in the alert_packet layout (DIR/MAJOR/MINOR/*.avsc); repeatable.
    #[arg(
        long = "schema-dir",
        value_name = "DIR",
        env = "ALERTCTL_SCHEMA_DIR",
        value_delimiter = ':'
    )]
    pub dirs: Vec<std::path::PathBuf>,
}

/// Arguments of `bench kafka`.
#[derive(Debug, clap::Args)]
pub struct KafkaBenchArgs {
    /// Number of alerts.
    #[arg(long, default_value_t = 5000)]
    pub alerts: usize,
    #[command(flatten)]
    pub gen: Alerts,
    /// Keep the topic afterwards.
    #[arg(long)]
    pub keep: bool,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// The alerts a benchmark generates.
#[derive(Debug, clap::Args)]
pub struct Alerts {
    /// Schema version to generate (default: the newest under --schema-dir, else the built-in 0.1).
    #[arg(long, value_name = "M.m")]
    pub schema_version: Option<Version>,
    #[command(flatten)]
    pub dirs: SchemaArgs,
    /// Cutout width and height, pixels.
    #[arg(long, default_value_t = 60, value_name = "PX")]
    pub cutout_size: usize,
    /// Longest history per alert (default: 10; 30 for bench filter).
    #[arg(long)]
    pub max_history: Option<usize>,
    /// Alerts in each visit (Rubin sends about 10,000); caps per visit bind less in
    /// bigger visits.
    #[arg(long, default_value_t = 1000, value_name = "M")]
    pub alerts_per_visit: usize,
}

impl Alerts {
    /// What the benchmark generates.
    fn generate(&self, default_history: usize) -> Generate {
        Generate {
            dirs: self.dirs.dirs.clone(),
            version: self.schema_version,
            cutout_size: self.cutout_size,
            max_history: self.max_history.unwrap_or(default_history),
            alerts_per_visit: self.alerts_per_visit,
        }
    }
}

/// Arguments of `bench decode`.
#[derive(Debug, clap::Args)]
pub struct DecodeArgs {
    /// Number of alerts to decode in the timed pass.
    #[arg(long, default_value_t = 2000)]
    pub alerts: usize,
    #[command(flatten)]
    pub gen: Alerts,
}

/// Print rows as a table.
fn print(ctx: &mut Ctx, rows: &[Row]) -> CmdResult {
    ctx.lines([bench::table(rows)])
}

/// Run a `bench` subcommand.
pub fn exec(cmd: BenchCommand, ctx: &mut Ctx) -> CmdResult {
    match cmd {
        BenchCommand::Decode(a) => {
            let rows = bench::decode_bench(&a.gen.generate(10), a.alerts, &mut ctx.diag)?;
            print(ctx, &rows)
        }
        BenchCommand::Kafka(a) => {
            let rows = bench::kafka::kafka(
                &a.kafka.target(),
                &a.gen.generate(10),
                a.alerts,
                a.keep,
                &mut ctx.diag,
            )?;
            print(ctx, &rows)
        }
        BenchCommand::Mirror(a) => {
            let rows = bench::kafka::mirror(
                &a.kafka.target(),
                &a.source_brokers,
                &a.gen.generate(10),
                a.alerts,
                &mut ctx.diag,
            )?;
            print(ctx, &rows)
        }
        BenchCommand::Filter(a) => {
            let opts = bench::filters::FilterBench {
                generate: a.gen.generate(30),
                alerts: a.alerts,
                filters: a.filters,
                python: a.python.clone(),
                brokers: a.brokers.clone(),
                keep: a.keep.clone(),
            };
            let (rows, notes) = bench::filters::run(&opts, &mut ctx.diag)?;
            for n in notes {
                ctx.diag.info(&n);
            }
            print(ctx, &rows)
        }
        BenchCommand::Engine(a) => {
            let (rows, notes) = bench::filters::engine(&a.file, &a.filters, &a.dirs)?;
            for n in notes {
                ctx.diag.info(&n);
            }
            print(ctx, &rows)
        }
        BenchCommand::Night(a) => night(a, ctx),
    }
}

fn night(a: NightBenchArgs, ctx: &mut Ctx) -> CmdResult {
    if !(a.scale > 0.0 && a.scale <= 10.0) || a.filters == 0 || a.visits == 0 {
        return Err(alertctl::Error::usage(
            "--scale must be in (0, 10], --filters and --visits at least 1",
        ));
    }
    let cfg = bench::night::NightConfig {
        alerts_per_visit: ((10_000.0 * a.scale).round() as usize).max(1),
        visits: a.visits,
        cadence: a.cadence,
        filters: a.filters,
        cutout_size: a.cutout_size,
        seed: a.seed,
        official: match a.schema_version {
            Some(v) => Some(std::sync::Arc::new(alertctl::formats::avro::select(
                &a.dirs.dirs,
                Some(v),
                None,
            )?)),
            None => None,
        },
    };
    let report = bench::night::run(&a.kafka.target(), &a.source_brokers, &cfg, &mut ctx.diag)?;
    ctx.lines(report.tables())?;
    if let Some(path) = &a.json {
        let png = report.write(&cfg, path)?;
        ctx.diag
            .info(&format!("wrote {} and {}", path.display(), png.display()));
    }
    Ok(())
}
