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
    /// Filter throughput: one filter, 100 filters in one process, and the seed's Python path.
    #[command(after_help = "\
Examples:
  alertctl bench filter --schema-dir alert_packet/schema --schema-version 11.0 --alerts 3000

(a) is `.diaSource.snr > 5 and .diaSource.psfFlux > 3.631e-5`, with and without path
projection; (b) is 100 different filters over one decode per alert; (c) decodes the
same packets with fastavro (skipping the 5-byte header) and applies the same
predicate in a Python filter class, as the seed's Filter001 does. Each row is the
fastest of three timed passes. Build with --release.")]
    Filter(FilterBenchArgs),
    /// Mirror throughput between two brokers: generated alerts, copied byte for byte.
    #[command(after_help = "\
Examples:
  alertctl bench mirror --source-brokers 127.0.0.1:9092 -b 127.0.0.1:9093 --alerts 5000

A topic bench-mirror-PID (4 partitions) is filled on the source, mirrored to the local
brokers with alertctl's mirror loop (commit after acknowledgement), and deleted on
both sides afterwards.")]
    Mirror(MirrorBenchArgs),
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
    pub kafka: super::KafkaArgs,
}

/// Arguments of `bench filter`.
#[derive(Debug, clap::Args)]
pub struct FilterBenchArgs {
    /// Number of alerts.
    #[arg(long, default_value_t = 2000)]
    pub alerts: usize,
    #[command(flatten)]
    pub gen: Alerts,
    /// The Python for the reference row (needs fastavro); empty to skip it.
    #[arg(long, default_value = "python3")]
    pub python: String,
}

/// The seed's reference path: fastavro plus a Python filter class.
const PYTHON_REFERENCE: &str = r#"
import io, json, struct, sys, time
import fastavro

class AlertFilter:
    def __call__(self, alert):
        return self.filter(alert)

class Filter001(AlertFilter):
    def filter(self, alert):
        return alert['diaSource']['snr'] > 5 and alert['diaSource']['psfFlux'] > 0.00003631

schema = fastavro.parse_schema(json.load(open(sys.argv[1])))
data = open(sys.argv[2], 'rb').read()
packets, pos = [], 0
while pos < len(data):
    (n,) = struct.unpack('>I', data[pos:pos + 4])
    packets.append(data[pos + 4:pos + 4 + n])
    pos += 4 + n
f = Filter001()
best = float("inf")
for _ in range(3):  # the fastest of three passes, as for alertctl's rows
    start = time.perf_counter()
    passed = sum(1 for p in packets if f(fastavro.schemaless_reader(io.BytesIO(p[5:]), schema)))
    best = min(best, time.perf_counter() - start)
print(json.dumps({"alerts": len(packets), "seconds": best, "passed": passed}))
"#;

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

fn python_reference(
    python: &str,
    schema: &crate::schema::AlertSchema,
    packets: &[Vec<u8>],
) -> Result<Option<(Row, u64)>, CliError> {
    if python.is_empty() {
        return Ok(None);
    }
    let dir = std::env::temp_dir().join(format!("alertctl-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let (schema_file, wire, script) = (
        dir.join("schema.avsc"),
        dir.join("alerts.wire"),
        dir.join("reference.py"),
    );
    std::fs::write(&schema_file, schema.json.to_string())?;
    crate::packet::file::write_wire_file(&wire, packets.iter().map(Vec::as_slice))?;
    std::fs::write(&script, PYTHON_REFERENCE)?;
    let out = std::process::Command::new(python)
        .arg(&script)
        .arg(&schema_file)
        .arg(&wire)
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    let out = out.map_err(|e| CliError::failure(format!("cannot run {python}: {e}")))?;
    if !out.status.success() {
        return Err(CliError::failure(format!(
            "the Python reference failed (is fastavro installed?): {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    let r: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let row = Row {
        stage: "(c) Python: fastavro + Filter001 class".into(),
        alerts: r["alerts"].as_u64().unwrap_or(0) as usize,
        bytes: packets.iter().map(|p| p.len() as u64).sum(),
        seconds: r["seconds"].as_f64().unwrap_or(f64::NAN),
    };
    Ok(Some((row, r["passed"].as_u64().unwrap_or(0))))
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
        BenchCommand::Filter(a) => {
            let (s, packets) = a.gen.generate(a.alerts)?;
            eprintln!(
                "alertctl: bench filter: {} alerts of {} ({} bytes each)",
                packets.len(),
                s.name,
                average(&packets)
            );
            let one = |expr: &str| crate::filter::FilterDef {
                name: "Filter001".into(),
                expr: expr.into(),
                to: None,
                max_per_visit: 0,
                rank_by: None,
                drop: vec![],
                visit_key: crate::filter::DEFAULT_VISIT_KEY.into(),
                unbounded: false,
            };
            let predicate = ".diaSource.snr > 5 and .diaSource.psfFlux > 3.631e-5";
            let dirs = &a.gen.dirs.dirs;
            let (a_row, a_passed) =
                bench::filters("(a) one filter", dirs, &[one(predicate)], &packets)?;
            // `keys` makes the engine decode every field: the same filter without projection.
            let (full, _) = bench::filters(
                "(a) one filter, no path projection",
                dirs,
                &[one(&format!("(keys | length > 0) and {predicate}"))],
                &packets,
            )?;
            let (b_row, _) = bench::filters(
                "(b) 100 filters, one process",
                dirs,
                &bench::hundred_filters(),
                &packets,
            )?;
            let mut rows = vec![a_row.clone(), full, b_row.clone()];
            if let Some((c_row, c_passed)) = python_reference(&a.python, &s, &packets)? {
                if c_passed != a_passed {
                    return Err(CliError::failure(format!(
                        "the filters disagree: alertctl passed {a_passed}, Python {c_passed}"
                    )));
                }
                eprintln!(
                    "alertctl: (a) is {:.0}x the Python reference (both passed {a_passed} of {}); (b) runs 100 filters at {:.0} alerts/s (a 10,000-alert visit in {:.1} s)",
                    a_row.alerts_per_s() / c_row.alerts_per_s(),
                    packets.len(),
                    b_row.alerts_per_s(),
                    10_000.0 / b_row.alerts_per_s()
                );
                rows.push(c_row);
            }
            print(&rows)
        }
        BenchCommand::Mirror(a) => {
            use crate::kafka::admin::{Admin, TopicSpec};
            use crate::kafka::consume::{Start, Tail};
            use crate::kafka::copy::{mirror_loop, Producers};
            let local = a.kafka.connection()?;
            let source = crate::kafka::Connection::resolve(
                Some(&a.source_brokers),
                None,
                &a.kafka.properties,
                a.kafka.timeout,
                &crate::kafka::config::config_path(),
            )?;
            let (source_admin, local_admin) = (Admin::connect(&source)?, Admin::connect(&local)?);
            let (s, packets) = a.gen.generate(a.alerts)?;
            let topic = format!("bench-mirror-{}", std::process::id());
            source_admin.create(&TopicSpec {
                name: topic.clone(),
                partitions: 4,
                replication: 1,
                retention_ms: -1,
            })?;
            let fill = bench::kafka_produce(&source, &topic, &packets)?;
            eprintln!(
                "alertctl: bench mirror: {} alerts of {} ({} bytes each) from {} to {}",
                packets.len(),
                s.name,
                average(&packets),
                source.brokers,
                local.brokers
            );
            let started = std::time::Instant::now();
            let mut tail = Tail::open(
                &source,
                std::slice::from_ref(&topic),
                None,
                &Start {
                    offset: crate::kafka::offsets::OffsetSpec::Stored,
                    group: Some(topic.clone()),
                },
            )?;
            let mut producers = Producers::new(&local);
            let (records, bytes) = mirror_loop(
                &mut tail,
                &mut producers,
                &source_admin,
                &local_admin,
                |t| t.at_end(),
                |_, _, _| {},
            )?;
            let row = Row {
                stage: "mirror (copy, ack, commit)".into(),
                alerts: records as usize,
                bytes,
                seconds: started.elapsed().as_secs_f64(),
            };
            tail.close()?;
            source_admin.delete(&topic)?;
            local_admin.delete(&topic)?;
            print(&[fill, row])
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
