//! `alertctl bench`: measure speed and print a table.

use std::sync::Arc;

use super::{line, stdout, CliError, CliResult, SchemaDirs};
use crate::bench::{self, Row};
use crate::sample::SampleConfig;
use crate::schema::{self, Version};

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
    pub kafka: super::KafkaArgs,
}

/// The alerts a benchmark generates.
#[derive(Debug, clap::Args)]
pub struct Alerts {
    /// Schema version to generate (default: the newest under --schema-dir, else the built-in 0.1).
    #[arg(long, value_name = "M.m")]
    pub schema_version: Option<Version>,
    #[command(flatten)]
    pub dirs: SchemaDirs,
    /// Cutout width and height, pixels.
    #[arg(long, default_value_t = 60, value_name = "PX")]
    pub cutout_size: usize,
    /// Longest history per alert.
    #[arg(long, default_value_t = 10)]
    pub max_history: usize,
}

impl Alerts {
    /// Generate `n` wire-format packets; returns the schema too.
    fn generate(
        &self,
        n: usize,
    ) -> Result<(Arc<crate::schema::AlertSchema>, Vec<Vec<u8>>), CliError> {
        let s = Arc::new(schema::select(&self.dirs.dirs, self.schema_version, None)?);
        let id = s
            .id()
            .ok_or_else(|| CliError::usage("the schema has no version id"))?;
        let cfg = SampleConfig {
            alerts_per_visit: 1000,
            cutout_size: self.cutout_size,
            max_history: self.max_history,
            seed: 1,
            ..SampleConfig::default()
        };
        let packets = bench::packets(s.clone(), id, n, cfg)?;
        Ok((s, packets))
    }
}

fn average(packets: &[Vec<u8>]) -> usize {
    packets.iter().map(Vec::len).sum::<usize>() / packets.len().max(1)
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
fn print(rows: &[Row]) -> CliResult {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY);
    t.set_header(["stage", "alerts", "MB", "seconds", "alerts/s", "MB/s"]);
    for r in rows {
        t.add_row([
            r.stage.clone(),
            r.alerts.to_string(),
            format!("{:.1}", r.bytes as f64 / 1e6),
            format!("{:.3}", r.seconds),
            format!("{:.0}", r.alerts_per_s()),
            format!("{:.1}", r.mb_per_s()),
        ]);
    }
    let mut out = stdout();
    line(&mut out, &t.to_string())?;
    std::io::Write::flush(&mut out)?;
    Ok(())
}

/// Run a `bench` subcommand.
pub fn exec(cmd: BenchCommand) -> CliResult {
    match cmd {
        BenchCommand::Decode(a) => {
            let (s, packets) = a.gen.generate(a.alerts)?;
            eprintln!(
                "alertctl: bench decode: {} alerts of schema {}, {} bytes each on average",
                packets.len(),
                s.name,
                average(&packets)
            );
            print(&bench::decode(&s, &packets)?)
        }
        BenchCommand::Kafka(a) => {
            let conn = a.kafka.connection()?;
            let admin = crate::kafka::admin::Admin::connect(&conn)?;
            let (s, packets) = a.gen.generate(a.alerts)?;
            let topic = format!("bench-{}", std::process::id());
            admin.create(&crate::kafka::admin::TopicSpec {
                name: topic.clone(),
                partitions: 4,
                replication: 1,
                retention_ms: -1,
            })?;
            eprintln!(
                "alertctl: bench kafka: {} alerts of {} ({} bytes each) through {topic} on {}",
                packets.len(),
                s.name,
                average(&packets),
                conn.brokers
            );
            let rows = vec![
                bench::kafka_produce(&conn, &topic, &packets)?,
                bench::kafka_consume(&conn, &topic, None)?,
                bench::kafka_consume(&conn, &topic, Some(&s))?,
            ];
            if !a.keep {
                admin.delete(&topic)?;
            }
            print(&rows)
        }
    }
}
