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
    /// Filter throughput as users get it: `filter run` end to end, the engine alone, and Python.
    #[command(after_help = "\
Examples:
  alertctl bench filter --schema-dir alert_packet/schema --schema-version 11.1
  alertctl bench filter --alerts 3000 --filters 100 -b 127.0.0.1:9092

The alerts (official schema with --schema-dir, cutouts, histories of up to 30) are
written to a wire file. (a) is the seed's Filter001 (`.diaSource.snr > 5 and
.diaSource.psfFlux > 3.631e-5`), every passing alert kept: `alertctl filter run
--input FILE --out FILE` end to end, the engine alone, and the seed's Python path
(fastavro and the same predicate, writing the same file). (b) is 100 production-like
filters (thresholds, magnitudes and colours, history scans, or/not/`//`, one in ten
outside the fast subset, 20 alerts per visit, one in five ranked): the engine alone,
`filter run --file --out-dir` end to end, `filter run --from` a topic on the brokers
given, and Python with the same selection. Every row must select the same alerts as
its Python reference, or the benchmark fails. Each row is the fastest of three runs
(ALERTCTL_BENCH_TRACE=1 prints every run). --keep DIR keeps the alerts, filters.toml
and Python scripts to rerun by hand. Build with --release.")]
    Filter(FilterBenchArgs),
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
    #[arg(long, default_value = "37s", value_parser = super::values::duration, value_name = "DURATION")]
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
    #[command(flatten)]
    pub kafka: super::KafkaArgs,
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
    /// Longest history per alert (default: 10; 30 for bench filter).
    #[arg(long)]
    pub max_history: Option<usize>,
}

impl Alerts {
    /// Generate `n` wire-format packets; returns the schema too.
    fn generate(
        &self,
        n: usize,
        max_history: usize,
    ) -> Result<(Arc<crate::schema::AlertSchema>, Vec<Vec<u8>>), CliError> {
        let s = Arc::new(schema::select(&self.dirs.dirs, self.schema_version, None)?);
        let id = s
            .id()
            .ok_or_else(|| CliError::usage("the schema has no version id"))?;
        let cfg = SampleConfig {
            alerts_per_visit: 1000,
            cutout_size: self.cutout_size,
            max_history: self.max_history.unwrap_or(max_history),
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
            let (s, packets) = a.gen.generate(a.alerts, 10)?;
            eprintln!(
                "alertctl: bench decode: {} alerts of schema {}, {} bytes each on average",
                packets.len(),
                s.name,
                average(&packets)
            );
            print(&bench::decode(&s, &packets)?)
        }
        BenchCommand::Filter(a) => bench_filter(&a),
        BenchCommand::Night(a) => bench_night(&a),
        BenchCommand::Mirror(a) => {
            use crate::kafka::admin::{Admin, TopicSpec};
            use crate::kafka::consume::{Start, Tail};
            use crate::kafka::copy::mirror_loop;
            let local = a.kafka.connection()?;
            let source = a.kafka.other_cluster(&a.source_brokers)?;
            let (source_admin, local_admin) = (Admin::connect(&source)?, Admin::connect(&local)?);
            let (s, packets) = a.gen.generate(a.alerts, 10)?;
            let topic = format!("bench-mirror-{}", std::process::id());
            source_admin.create(&TopicSpec {
                name: topic.clone(),
                partitions: 4,
                replication: 1,
                retention_ms: -1,
                timestamp_type: None,
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
            let mut outbox = crate::kafka::outbox::Outbox::new(
                crate::kafka::produce::Producer::new(&local, &topic)?,
                crate::kafka::outbox::Retry::default(),
            );
            let (records, bytes) = mirror_loop(
                &mut tail,
                &mut outbox,
                &source_admin,
                &local_admin,
                |t| t.at_end(),
                |_, _, _| {},
                &mut crate::kafka::outbox::Silent,
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
            let (s, packets) = a.gen.generate(a.alerts, 10)?;
            let topic = format!("bench-{}", std::process::id());
            admin.create(&crate::kafka::admin::TopicSpec {
                name: topic.clone(),
                partitions: 4,
                replication: 1,
                retention_ms: -1,
                timestamp_type: None,
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

/// The filter benchmark.
fn bench_filter(a: &FilterBenchArgs) -> CliResult {
    let (s, packets) = a.gen.generate(a.alerts, 30)?;
    let dir = match &a.keep {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            d.clone()
        }
        None => tempfile_dir("bench-filter")?,
    };
    let result = filter_rows(a, &s, packets, &dir);
    if a.keep.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    print(&result?)
}

/// Fail unless a row selected what its reference did (per filter, emitted alerts).
fn same(what: &str, ours: &[u64], theirs: &[u64]) -> CliResult {
    if ours != theirs {
        let first = ours
            .iter()
            .zip(theirs)
            .position(|(x, y)| x != y)
            .unwrap_or(0);
        return Err(CliError::failure(format!(
            "{what} selects differently from its reference: filter {} emitted {:?} here, {:?} there",
            first + 1,
            ours.get(first),
            theirs.get(first)
        )));
    }
    Ok(())
}

fn filter_rows(
    a: &FilterBenchArgs,
    s: &crate::schema::AlertSchema,
    packets: Vec<Vec<u8>>,
    dir: &std::path::Path,
) -> Result<Vec<Row>, CliError> {
    use crate::bench::filters::{self as bf, BenchFilter};
    let wire = dir.join("alerts.wire");
    crate::packet::file::write_wire_file(&wire, packets.iter().map(Vec::as_slice))?;
    // On disk before anything is timed: the system writing it back would slow whichever
    // rows run first.
    std::fs::File::open(&wire)?.sync_all()?;
    std::fs::write(dir.join("schema.avsc"), s.json.to_string())?;
    eprintln!(
        "alertctl: bench filter: {} alerts of {} ({} bytes each, histories up to 30)",
        packets.len(),
        s.name,
        average(&packets)
    );
    let (n_alerts, n_bytes) = (
        packets.len(),
        packets.iter().map(|p| p.len() as u64).sum::<u64>(),
    );
    // The commands read the file; nothing big is held while they are timed.
    drop(packets);
    let dirs = &a.gen.dirs.dirs;
    let exe = std::env::current_exe()?;
    let schema_args: Vec<String> = dirs
        .iter()
        .flat_map(|d| ["--schema-dir".to_string(), d.display().to_string()])
        .collect();
    let mut notes = Vec::new();
    let row = |stage: &str, seconds: f64| Row {
        stage: stage.to_string(),
        alerts: n_alerts,
        bytes: n_bytes,
        seconds,
    };
    let python = |name: &str,
                  filters: &[BenchFilter],
                  out: &std::path::Path|
     -> Result<Option<(f64, Vec<u64>)>, CliError> {
        if a.python.is_empty() {
            return Ok(None);
        }
        let script = dir.join(format!("{name}.py"));
        std::fs::write(&script, bf::python_script(filters))?;
        let t = bf::time_command(
            || {
                // Every run writes a new file (the same for alertctl's runs).
                if out.is_file() {
                    let _ = std::fs::remove_file(out);
                }
                let mut c = std::process::Command::new(&a.python);
                c.arg(&script)
                    .arg(dir.join("schema.avsc"))
                    .arg(&wire)
                    .arg(out);
                c
            },
            3,
        )
        .map_err(|e| {
            CliError::failure(format!(
                "the Python reference failed (is fastavro installed?): {e}"
            ))
        })?;
        let r: serde_json::Value = serde_json::from_str(t.stdout.trim())?;
        let emitted = r["emitted"]
            .as_array()
            .map(|v| v.iter().filter_map(serde_json::Value::as_u64).collect())
            .unwrap_or_default();
        Ok(Some((t.seconds, emitted)))
    };

    // (a) One filter, every passing alert kept: end to end, and Python.
    let one = [bf::filter001()];
    let out_a = dir.join("a.wire");
    let e2e = bf::time_command(
        || {
            let _ = std::fs::remove_file(&out_a);
            let mut c = std::process::Command::new(&exe);
            c.args([
                "filter",
                "run",
                "--name",
                "Filter001",
                "--expr",
                bf::FILTER001,
            ])
            .args(["--max-per-visit", "0", "--file"])
            .arg(&wire)
            .arg("--out")
            .arg(&out_a)
            .args(&schema_args);
            c
        },
        3,
    )
    .map_err(CliError::failure)?;
    let a_count = bf::wire_count(&out_a)?;
    let a_python = python("a", &one, &dir.join("a-python.wire"))?;
    if let Some((secs, emitted)) = &a_python {
        same("(a) filter run", &[a_count], emitted)?;
        notes.push(format!(
            "(a) filter run is {:.1}x the Python path end to end (both kept {a_count} of {n_alerts} alerts)",
            secs / e2e.seconds
        ));
    }

    // (b) Production-like filters: end to end, and Python.
    let many = bf::production(a.filters, 2026);
    let toml = dir.join("filters.toml");
    std::fs::write(&toml, bf::filters_toml(&many))?;
    let defs: Vec<_> = many.iter().map(|f| f.def.clone()).collect();
    let n = defs.len();
    let out_b = dir.join("b");
    let e2e_b = bf::time_command(
        || {
            let _ = std::fs::remove_dir_all(&out_b);
            let mut c = std::process::Command::new(&exe);
            c.args(["filter", "run", "--filters"])
                .arg(&toml)
                .arg("--file")
                .arg(&wire)
                .arg("--out-dir")
                .arg(&out_b)
                .args(&schema_args);
            c
        },
        3,
    )
    .map_err(CliError::failure)?;
    let file_counts = defs
        .iter()
        .map(|d| bf::wire_count(&out_b.join(format!("{}.wire", d.name))))
        .collect::<Result<Vec<_>, _>>()?;
    let pydir = dir.join("b-python");
    std::fs::create_dir_all(&pydir)?;
    let b_python = python("b", &many, &pydir)?;
    if let Some((secs, emitted)) = &b_python {
        same(
            &format!("(b) {n} filters: filter run"),
            &file_counts,
            emitted,
        )?;
        notes.push(format!(
            "(b) filter run is {:.1}x Python end to end",
            secs / e2e_b.seconds
        ));
    }

    // The engine alone, in this process, over the same packets.
    let packets: Vec<Vec<u8>> = crate::packet::file::PacketReader::open(&wire)?
        .map(|r| r.map(|r| r.packet.to_vec()))
        .collect::<Result<_, _>>()?;
    let (engine_a, engine_emitted) = bench::filters(
        "(a) one filter: the engine alone",
        dirs,
        std::slice::from_ref(&one[0].def),
        &packets,
    )?;
    same("(a) the engine", &engine_emitted, &[a_count])?;
    let (engine_b, engine_emitted) = bench::filters(
        &format!("(b) {n} filters: the engine alone"),
        dirs,
        &defs,
        &packets,
    )?;
    same(
        &format!("(b) {n} filters: the engine"),
        &engine_emitted,
        &file_counts,
    )?;
    let probe = crate::filter::Engine::new(
        defs.clone(),
        crate::schema::SchemaStore::new(dirs.clone()),
        crate::filter::Budget::default(),
    )?;
    let (fast, all) = probe.fast_forms();
    notes.push(format!(
        "(b) {fast} of {all} expressions (filters, ranks, visit keys) have a fast form; the engine runs {n} filters at {:.0} alerts/s on one core",
        engine_b.alerts_per_s()
    ));

    let mut rows = vec![
        row(
            "(a) one filter: filter run --file, to a wire file",
            e2e.seconds,
        ),
        engine_a,
    ];
    if let Some((secs, _)) = a_python {
        rows.push(row(
            "(a) Python: fastavro + Filter001, to a wire file",
            secs,
        ));
    }
    rows.push(engine_b);
    rows.push(row(
        &format!("(b) {n} filters: filter run --file, to wire files"),
        e2e_b.seconds,
    ));
    match &a.brokers {
        Some(brokers) => rows.push(row(
            &format!("(b) {n} filters: filter run --from a topic"),
            from_topic(brokers, &exe, &toml, &schema_args, &packets)?,
        )),
        None => notes
            .push("(b) the filter run --from row needs brokers (-b or ALERTCTL_BROKERS)".into()),
    }
    if let Some((secs, _)) = b_python {
        rows.push(row(&format!("(b) Python: fastavro + {n} filters"), secs));
    }
    for note in &notes {
        eprintln!("alertctl: {note}");
    }
    Ok(rows)
}

/// A fresh directory for a benchmark's files.
fn tempfile_dir(what: &str) -> Result<std::path::PathBuf, CliError> {
    let dir = std::env::temp_dir().join(format!("alertctl-{what}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Produce the packets to a new topic, then time `filter run --from` over it (the
/// fastest of three runs, each writing to output topics of its own).
fn from_topic(
    brokers: &str,
    exe: &std::path::Path,
    toml: &std::path::Path,
    schema_args: &[String],
    packets: &[Vec<u8>],
) -> Result<f64, CliError> {
    use crate::kafka::admin::{Admin, TopicSpec};
    let conn = crate::kafka::Connection::resolve(
        Some(brokers),
        None,
        &[],
        std::time::Duration::from_secs(10),
        &crate::kafka::config::config_path(),
    )?;
    let admin = Admin::connect(&conn)?;
    let topic = format!("bench-filter-{}", std::process::id());
    admin.create(&TopicSpec {
        name: topic.clone(),
        partitions: 4,
        replication: 1,
        retention_ms: -1,
        timestamp_type: None,
    })?;
    bench::kafka_produce(&conn, &topic, packets)?;
    let mut defs = crate::filter::load_file(toml)?;
    let mut best = f64::INFINITY;
    for pass in 0..3 {
        for d in &mut defs {
            d.to = Some(format!("{topic}-{pass}-{}", d.name));
        }
        let file = toml.with_file_name(format!("from-{pass}.toml"));
        let filters: Vec<crate::bench::filters::BenchFilter> = defs
            .iter()
            .map(|d| crate::bench::filters::BenchFilter {
                def: d.clone(),
                python: String::new(),
                python_rank: None,
            })
            .collect();
        std::fs::write(&file, crate::bench::filters::filters_toml(&filters))?;
        let started = std::time::Instant::now();
        let out = std::process::Command::new(exe)
            .args(["filter", "run", "--filters"])
            .arg(&file)
            .args([
                "--from",
                &topic,
                "-e",
                "-b",
                brokers,
                "-X",
                "fetch.wait.max.ms=10",
            ])
            .args(schema_args)
            .output()?;
        let secs = started.elapsed().as_secs_f64();
        if !out.status.success() {
            return Err(CliError::failure(format!(
                "filter run --from failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        best = best.min(secs);
        for d in &defs {
            let _ = admin.delete(d.topic());
        }
    }
    let _ = admin.delete(&topic);
    Ok(best)
}

fn bench_night(a: &NightBenchArgs) -> CliResult {
    use crate::bench::night::{percentile, run, NightConfig};
    if !(a.scale > 0.0 && a.scale <= 10.0) || a.filters == 0 || a.visits == 0 {
        return Err(CliError::usage(
            "--scale must be in (0, 10], --filters and --visits at least 1",
        ));
    }
    let local = a.kafka.connection()?;
    let central = a.kafka.other_cluster(&a.source_brokers)?;
    let cfg = NightConfig {
        alerts_per_visit: ((10_000.0 * a.scale).round() as usize).max(1),
        visits: a.visits,
        cadence: a.cadence,
        filters: a.filters,
        cutout_size: a.cutout_size,
        seed: a.seed,
    };
    eprintln!(
        "alertctl: bench night: {} visits of {} alerts every {:.0} s, {} filters, {} -> {}",
        cfg.visits,
        cfg.alerts_per_visit,
        cfg.cadence.as_secs_f64(),
        cfg.filters,
        central.brokers,
        local.brokers
    );
    let report = run(&central, &local, &cfg).map_err(CliError::failure)?;
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY);
    t.set_header([
        "stage",
        "alerts",
        "MB",
        "seconds",
        "alerts/s",
        "MB/s",
        "CPU s / 1000 alerts",
    ]);
    for s in &report.stages {
        let r = &s.row;
        t.add_row([
            r.stage.clone(),
            r.alerts.to_string(),
            format!("{:.1}", r.bytes as f64 / 1e6),
            format!("{:.2}", r.seconds),
            format!("{:.0}", r.alerts_per_s()),
            format!("{:.1}", r.mb_per_s()),
            format!("{:.3}", s.cpu_seconds / (r.alerts.max(1) as f64 / 1000.0)),
        ]);
    }
    let l = &report.latencies_ms;
    let p = |q| percentile(l, q).map_or("-".to_string(), |v| format!("{:.2} s", v as f64 / 1000.0));
    let mut out = stdout();
    line(&mut out, &t.to_string())?;
    line(
        &mut out,
        &format!(
            "end to end ({} alerts delivered in {:.1} s): latency p50 {}, p98 {}, max {}",
            l.len(),
            report.seconds,
            p(50.0),
            p(98.0),
            p(100.0)
        ),
    )?;
    // Where the night fell behind: each stage's lag, at most 12 rows.
    let step = report.lag.len().div_ceil(12).max(1);
    let mut lt = comfy_table::Table::new();
    lt.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY);
    lt.set_header(["second", "mirror lag (alerts)", "filters lag (alerts)"]);
    for s in report.lag.iter().step_by(step) {
        lt.add_row([
            s.at_s.to_string(),
            s.mirror.to_string(),
            s.filters.to_string(),
        ]);
    }
    line(&mut out, &lt.to_string())?;
    std::io::Write::flush(&mut out)?;
    if let Some(path) = &a.json {
        let stages: Vec<serde_json::Value> = report
            .stages
            .iter()
            .map(|s| {
                serde_json::json!({
                    "stage": s.row.stage, "alerts": s.row.alerts, "bytes": s.row.bytes,
                    "seconds": s.row.seconds, "alerts_per_s": s.row.alerts_per_s(),
                    "mb_per_s": s.row.mb_per_s(), "cpu_seconds": s.cpu_seconds,
                })
            })
            .collect();
        let doc = serde_json::json!({
            "visits": cfg.visits, "alerts_per_visit": cfg.alerts_per_visit,
            "cadence_s": cfg.cadence.as_secs_f64(), "filters": cfg.filters,
            "stages": stages, "seconds": report.seconds,
            "latency_ms": {"count": l.len(), "p50": percentile(l, 50.0), "p98": percentile(l, 98.0), "max": percentile(l, 100.0)},
            "lag": report.lag.iter().map(|s| serde_json::json!({"second": s.at_s, "mirror": s.mirror, "filters": s.filters})).collect::<Vec<_>>(),
        });
        std::fs::write(path, serde_json::to_string_pretty(&doc)? + "\n")?;
        let png = path.with_extension("png");
        std::fs::write(
            &png,
            crate::picture::histogram("latency, s", l, 40)
                .png()
                .map_err(|e| CliError::failure(e.to_string()))?,
        )?;
        eprintln!("alertctl: wrote {} and {}", path.display(), png.display());
    }
    Ok(())
}
