//! `bench night`: a scaled night through the real path on two local brokers.
//!
//! Four stages run at once, each on its own thread, as they would on their own nodes:
//! a producer sends visits at the cadence to the central broker; a mirror copies them to
//! the local broker; one `filter run` engine with N capped filters writes each filter's
//! topic; a consumer reads every filtered topic. Each alert's latency is its arrival at
//! the consumer minus the time it was produced (its CreateTime, which every stage
//! keeps).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Row;
use alertctl::filter::pipeline::kafka::{Counts, Events, Options};
use alertctl::filter::{Budget, Engine, FilterDef, Notice};
use alertctl::formats::avro::AlertSchema;
use alertctl::formats::packet;
use alertctl::formats::sample::{Generator, SampleConfig};
use alertctl::transport::kafka::admin::{Admin, TopicSpec};
use alertctl::transport::kafka::consume::{Start, Tail};
use alertctl::transport::kafka::offsets::OffsetSpec;
use alertctl::transport::kafka::outbox::{Outbox, Retry, Silent};
use alertctl::transport::kafka::produce::{OutRecord, Producer};
use alertctl::transport::kafka::Connection;

/// What to drive.
#[derive(Debug, Clone)]
pub struct NightConfig {
    /// Alerts per visit.
    pub alerts_per_visit: usize,
    /// Visits.
    pub visits: u32,
    /// Time between visits.
    pub cadence: Duration,
    /// Filters, each capped at 20 alerts per visit.
    pub filters: usize,
    /// Cutout width and height.
    pub cutout_size: usize,
    /// Seed of the generated alerts.
    pub seed: u64,
    /// An official schema: its alerts, generated before the night starts, and the
    /// production-like filters of `bench filter`. `None`: the built-in sample schema,
    /// generated while sending, and SNR cuts.
    pub official: Option<Arc<AlertSchema>>,
}

/// One stage's work and the CPU it took.
#[derive(Debug, Clone)]
pub struct Stage {
    /// Alerts and bytes over wall-clock seconds (first record to last).
    pub row: Row,
    /// CPU seconds of the stage's thread.
    pub cpu_seconds: f64,
}

/// What a night did.
#[derive(Debug, Clone)]
pub struct NightReport {
    /// Per stage: producer, mirror, filters, consumer.
    pub stages: Vec<Stage>,
    /// Production-to-arrival latency of every delivered alert, ms, sorted.
    pub latencies_ms: Vec<i64>,
    /// The whole run, wall-clock seconds.
    pub seconds: f64,
    /// Each stage's lag, sampled every second: where a night falls behind.
    pub lag: Vec<LagSample>,
}

/// The lag of each stage behind the one before it, at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LagSample {
    /// Seconds since the night started.
    pub at_s: u64,
    /// Alerts produced and not yet mirrored.
    pub mirror: u64,
    /// Alerts mirrored and not yet read by the filters (as of their last commit).
    pub filters: u64,
}

/// The value at percentile `p` (0-100) of sorted values.
pub fn percentile(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// CPU seconds of the calling thread (user + system, from /proc; 0 elsewhere).
fn thread_cpu_seconds() -> f64 {
    super::proc_cpu_seconds("/proc/thread-self/stat", 0)
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

type Fail = String;

/// Drive the night from `source_brokers` (central, where the producer writes) to the
/// target's brokers (local, the mirror's).
pub fn run(
    target: &alertctl::transport::connect::Target,
    source_brokers: &str,
    cfg: &NightConfig,
    report: &mut dyn alertctl::jobs::Report,
) -> Result<NightReport, alertctl::Error> {
    let local = alertctl::jobs::connect(target, report)?;
    let central = target.other_cluster(source_brokers)?;
    if central.brokers == local.brokers {
        // The mirror's copies would land in the topic it reads: it would never end.
        return Err(alertctl::Error::usage(format!(
            "--source-brokers and --brokers are the same cluster ({}): the mirror would read its own copies; give the mirror a second broker",
            local.brokers
        )));
    }
    report.info(&format!(
        "bench night: {} visits of {} alerts every {:.0} s, {} filters, {} -> {}",
        cfg.visits,
        cfg.alerts_per_visit,
        cfg.cadence.as_secs_f64(),
        cfg.filters,
        central.brokers,
        local.brokers
    ));
    run_night(&central, &local, cfg).map_err(alertctl::Error::failure)
}

impl NightReport {
    /// The result for people: each stage's rates and CPU, the end-to-end latency, and
    /// each stage's lag over time (at most 12 rows).
    pub fn tables(&self) -> Vec<String> {
        use alertctl::render::table::bordered;
        let l = &self.latencies_ms;
        let p =
            |q| percentile(l, q).map_or("-".to_string(), |v| format!("{:.2} s", v as f64 / 1000.0));
        let stages = super::table(
            &self
                .stages
                .iter()
                .map(|s| Row {
                    cpu: Some(s.cpu_seconds),
                    ..s.row.clone()
                })
                .collect::<Vec<_>>(),
        );
        let step = self.lag.len().div_ceil(12).max(1);
        let lag = bordered(
            ["second", "mirror lag (alerts)", "filters lag (alerts)"],
            self.lag.iter().step_by(step).map(|s| {
                [
                    s.at_s.to_string(),
                    s.mirror.to_string(),
                    s.filters.to_string(),
                ]
            }),
        );
        vec![
            stages,
            format!(
                "end to end ({} alerts delivered in {:.1} s): latency p50 {}, p98 {}, max {}",
                l.len(),
                self.seconds,
                p(50.0),
                p(98.0),
                p(100.0)
            ),
            lag,
        ]
    }

    /// Write the result as JSON to `path` and a latency histogram next to it
    /// (`path` with `.png`); returns the picture's path.
    pub fn write(
        &self,
        cfg: &NightConfig,
        path: &std::path::Path,
    ) -> Result<std::path::PathBuf, alertctl::Error> {
        #[derive(serde::Serialize)]
        struct StageJson<'a> {
            stage: &'a str,
            alerts: usize,
            bytes: u64,
            seconds: f64,
            alerts_per_s: f64,
            mb_per_s: f64,
            cpu_seconds: f64,
        }
        #[derive(serde::Serialize)]
        struct Latency {
            count: usize,
            p50: Option<i64>,
            p98: Option<i64>,
            max: Option<i64>,
        }
        #[derive(serde::Serialize)]
        struct LagJson {
            second: u64,
            mirror: u64,
            filters: u64,
        }
        #[derive(serde::Serialize)]
        struct Doc<'a> {
            visits: u32,
            alerts_per_visit: usize,
            cadence_s: f64,
            filters: usize,
            stages: Vec<StageJson<'a>>,
            seconds: f64,
            latency_ms: Latency,
            lag: Vec<LagJson>,
        }
        let l = &self.latencies_ms;
        let doc = Doc {
            visits: cfg.visits,
            alerts_per_visit: cfg.alerts_per_visit,
            cadence_s: cfg.cadence.as_secs_f64(),
            filters: cfg.filters,
            stages: self
                .stages
                .iter()
                .map(|s| StageJson {
                    stage: &s.row.stage,
                    alerts: s.row.alerts,
                    bytes: s.row.bytes,
                    seconds: s.row.seconds,
                    alerts_per_s: s.row.alerts_per_s(),
                    mb_per_s: s.row.mb_per_s(),
                    cpu_seconds: s.cpu_seconds,
                })
                .collect(),
            seconds: self.seconds,
            latency_ms: Latency {
                count: l.len(),
                p50: percentile(l, 50.0),
                p98: percentile(l, 98.0),
                max: percentile(l, 100.0),
            },
            lag: self
                .lag
                .iter()
                .map(|s| LagJson {
                    second: s.at_s,
                    mirror: s.mirror,
                    filters: s.filters,
                })
                .collect(),
        };
        std::fs::write(path, serde_json::to_string_pretty(&doc)? + "\n")?;
        let png = path.with_extension("png");
        std::fs::write(
            &png,
            alertctl::render::picture::histogram("alert latency", l, 40)
                .and_then(|p| p.png())
                .map_err(alertctl::Error::failure)?,
        )?;
        Ok(png)
    }
}

/// Drive the night: `central` is the broker the producer writes, `local` the mirror's.
/// Topics are named after the process and deleted at the end.
fn run_night(
    central: &Connection,
    local: &Connection,
    cfg: &NightConfig,
) -> Result<NightReport, Fail> {
    let e = |e: &dyn std::fmt::Display| e.to_string();
    let topic = format!("bench-night-{}", std::process::id());
    let outputs: Vec<String> = (0..cfg.filters).map(|k| format!("{topic}-f{k}")).collect();
    let (central_admin, local_admin) = (
        Admin::connect(central).map_err(|x| e(&x))?,
        Admin::connect(local).map_err(|x| e(&x))?,
    );
    let replication = local_admin.default_replication().map_err(|x| e(&x))?;
    let spec = |name: &str, partitions| TopicSpec {
        name: name.to_string(),
        partitions,
        replication,
        retention_ms: -1,
        timestamp_type: None,
    };
    central_admin.create(&spec(&topic, 4)).map_err(|x| e(&x))?;
    local_admin.create(&spec(&topic, 4)).map_err(|x| e(&x))?;
    for o in &outputs {
        local_admin.create(&spec(o, 1)).map_err(|x| e(&x))?;
    }
    let produced_done = Arc::new(AtomicBool::new(false));
    let mirrored = Arc::new(AtomicU64::new(0));
    let mirror_done = Arc::new(AtomicBool::new(false));
    let filtered_read = Arc::new(AtomicU64::new(0));
    let produced = Arc::new(AtomicU64::new(0));
    let sampling = Arc::new(AtomicBool::new(true));
    let filters_done = Arc::new(AtomicBool::new(false));
    let failed = Arc::new(AtomicBool::new(false));
    let started = Instant::now();

    // A stage's end: the next stage may finish once it drained it; a failure stops all.
    let ended = |r: Result<Stage, Fail>, done: &AtomicBool| {
        done.store(true, Ordering::SeqCst);
        if r.is_err() {
            failed.store(true, Ordering::SeqCst);
        }
        r
    };
    let result = std::thread::scope(|s| {
        let producer = s.spawn(|| ended(produce(central, &topic, cfg, &produced), &produced_done));
        let mirror = s.spawn(|| {
            let r = mirror(central, local, &topic, &produced_done, &failed, &mirrored);
            ended(r, &mirror_done)
        });
        let filters = s.spawn(|| {
            let r = filter(
                local,
                cfg,
                &topic,
                &outputs,
                &mirror_done,
                &mirrored,
                &filtered_read,
                &failed,
            );
            ended(r, &filters_done)
        });
        let consumer = s.spawn(|| consume(local, &outputs, &filters_done, &failed));
        let sampler = s.spawn(|| {
            let mut samples = Vec::new();
            let mut tick = 0u64;
            while sampling.load(Ordering::SeqCst) {
                let (p, m, f) = (
                    produced.load(Ordering::SeqCst),
                    mirrored.load(Ordering::SeqCst),
                    filtered_read.load(Ordering::SeqCst),
                );
                samples.push(LagSample {
                    at_s: tick,
                    mirror: p.saturating_sub(m),
                    filters: m.saturating_sub(f),
                });
                tick += 1;
                let next = started + Duration::from_secs(tick);
                while sampling.load(Ordering::SeqCst) && Instant::now() < next {
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
            samples
        });
        let join = |h: std::thread::ScopedJoinHandle<'_, Result<Stage, Fail>>| {
            h.join().unwrap_or_else(|_| Err("a stage panicked".into()))
        };
        let stages = vec![join(producer), join(mirror), join(filters)];
        let consumed = consumer
            .join()
            .unwrap_or_else(|_| Err("the consumer panicked".into()));
        sampling.store(false, Ordering::SeqCst);
        let lag = sampler.join().unwrap_or_default();
        let (consumed, latencies) = consumed?;
        let mut out = stages.into_iter().collect::<Result<Vec<_>, _>>()?;
        out.push(consumed);
        Ok::<_, Fail>((out, latencies, lag))
    });
    for t in std::iter::once(&topic).chain(&outputs) {
        let _ = local_admin.delete(t);
    }
    let _ = central_admin.delete(&topic);
    let (stages, mut latencies_ms, lag) = result?;
    latencies_ms.sort_unstable();
    Ok(NightReport {
        stages,
        latencies_ms,
        seconds: started.elapsed().as_secs_f64(),
        lag,
    })
}

fn produce(
    central: &Connection,
    topic: &str,
    cfg: &NightConfig,
    produced: &AtomicU64,
) -> Result<Stage, Fail> {
    let schema = cfg
        .official
        .clone()
        .unwrap_or_else(|| Arc::new(alertctl::formats::avro::builtin_sample()));
    let id = schema.id().unwrap_or(1);
    let mut gen = Generator::new(
        schema.clone(),
        SampleConfig {
            night: alertctl::night::day_obs(chrono::Utc::now()),
            seed: cfg.seed,
            alerts_per_visit: cfg.alerts_per_visit,
            visits: cfg.visits as usize,
            // Official alerts carry histories as bench filter's do.
            max_history: if cfg.official.is_some() { 30 } else { 10 },
            cutout_size: cfg.cutout_size,
        },
    );
    let mut visit_packets = |v: u32| -> Result<Vec<Vec<u8>>, Fail> {
        gen.visit(v)
            .into_iter()
            .map(|alert| packet::encode_body(&schema, &alert).map(|body| packet::encode(id, &body)))
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())
    };
    // Official alerts are generated ahead (the producer may run ahead of the night):
    // their generation is slower than Rubin's cadence on a small machine.
    let mut ahead: Option<Vec<Vec<Vec<u8>>>> = match &cfg.official {
        Some(_) => Some(
            (0..cfg.visits)
                .map(&mut visit_packets)
                .collect::<Result<_, _>>()?,
        ),
        None => None,
    };
    let mut p = Producer::new(central, topic).map_err(|e| e.to_string())?;
    let (start, cpu0) = (Instant::now(), thread_cpu_seconds());
    let (mut n, mut bytes) = (0usize, 0u64);
    for v in 0..cfg.visits {
        let due = start + cfg.cadence * v;
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let visit: Vec<Vec<u8>> = match &mut ahead {
            Some(visits) => std::mem::take(&mut visits[v as usize]),
            None => visit_packets(v)?,
        };
        for (i, packet) in visit.into_iter().enumerate() {
            let key = (i % 1024).to_string();
            p.send(&OutRecord {
                key: Some(key.as_bytes()),
                payload: &packet,
                timestamp_ms: Some(now_ms()),
                ..OutRecord::default()
            })
            .map_err(|e| e.to_string())?;
            n += 1;
            bytes += packet.len() as u64;
        }
        p.flush().map_err(|e| e.to_string())?;
        produced.store(n as u64, Ordering::SeqCst);
    }
    Ok(Stage {
        row: Row {
            stage: "produce (generate, encode, send)".into(),
            alerts: n,
            bytes,
            seconds: start.elapsed().as_secs_f64(),
            cpu: None,
        },
        cpu_seconds: thread_cpu_seconds() - cpu0,
    })
}

fn mirror(
    central: &Connection,
    local: &Connection,
    topic: &str,
    produced_done: &AtomicBool,
    failed: &AtomicBool,
    mirrored: &AtomicU64,
) -> Result<Stage, Fail> {
    let e = |e: alertctl::transport::kafka::KafkaError| e.to_string();
    let (source_admin, local_admin) = (
        Admin::connect(central).map_err(e)?,
        Admin::connect(local).map_err(e)?,
    );
    let mut tail = Tail::open(
        central,
        &[topic.to_string()],
        None,
        &Start {
            offset: OffsetSpec::Beginning,
            group: None,
        },
    )
    .map_err(e)?;
    let mut outbox = Outbox::new(Producer::new(local, topic).map_err(e)?, Retry::default());
    let (mut start, cpu0) = (None::<Instant>, thread_cpu_seconds());
    let mut checked = Instant::now();
    let (records, bytes) = alertctl::jobs::copy::mirror_loop(
        &mut tail,
        &mut outbox,
        &source_admin,
        &local_admin,
        // Done when the producer is, and nothing is left behind the current ends. The
        // lag asks the brokers for watermarks: every 200 ms at most, not per record.
        |t| {
            if failed.load(Ordering::SeqCst) {
                return Ok(true);
            }
            if !produced_done.load(Ordering::SeqCst)
                || checked.elapsed() < Duration::from_millis(200)
            {
                return Ok(false);
            }
            checked = Instant::now();
            Ok(t.lag()? == 0)
        },
        |n, _, _| {
            start.get_or_insert_with(Instant::now);
            mirrored.store(n, Ordering::SeqCst);
        },
        &mut Silent,
    )
    .map_err(e)?;
    mirrored.store(records, Ordering::SeqCst);
    Ok(Stage {
        row: Row {
            stage: "mirror (copy, ack, commit)".into(),
            alerts: records as usize,
            bytes,
            seconds: start.map_or(0.0, |s| s.elapsed().as_secs_f64()),
            cpu: None,
        },
        cpu_seconds: thread_cpu_seconds() - cpu0,
    })
}

struct Progress<'a> {
    read: &'a AtomicU64,
}

impl Events for Progress<'_> {
    fn bad(&mut self, _at: &str, _error: &dyn std::fmt::Display) {}
    fn notice(&mut self, _notice: Notice) {}
    fn retrying(&mut self, _why: &str, _wait: Duration) {}
    fn committed(&mut self, counts: &Counts, _tail: &Tail) {
        self.read.store(counts.read, Ordering::SeqCst);
    }
}

#[allow(clippy::too_many_arguments)]
fn filter(
    local: &Connection,
    cfg: &NightConfig,
    topic: &str,
    outputs: &[String],
    mirror_done: &AtomicBool,
    mirrored: &AtomicU64,
    read: &AtomicU64,
    failed: &AtomicBool,
) -> Result<Stage, Fail> {
    let e = |e: &dyn std::fmt::Display| e.to_string();
    let defs: Vec<FilterDef> = match &cfg.official {
        // bench filter's production-like mix, each capped at 20 per visit.
        Some(_) => super::filters::production(outputs.len(), cfg.seed)
            .into_iter()
            .zip(outputs)
            .map(|(f, name)| FilterDef {
                name: name.clone(),
                max_per_visit: 20,
                ..f.def
            })
            .collect(),
        // Thresholds spread over the sample's SNR range: some pass often, some rarely.
        None => outputs
            .iter()
            .enumerate()
            .map(|(k, name)| {
                FilterDef::new(name, &format!(".diaSource.snr > {}", 5 + 3 * (k % 20)))
            })
            .collect(),
    };
    let mut store = alertctl::formats::avro::SchemaStore::new(vec![]);
    if let Some(s) = &cfg.official {
        store.insert(s.id().unwrap_or(1), AlertSchema::clone(s));
    }
    let mut engine = Engine::new(defs, store, Budget::default()).map_err(|x| e(&x))?;
    let mut tail = Tail::open(
        local,
        &[topic.to_string()],
        None,
        &Start {
            offset: OffsetSpec::Beginning,
            group: None,
        },
    )
    .map_err(|x| e(&x))?;
    let retry = Retry::default();
    let mut outbox = Outbox::new(Producer::new(local, &outputs[0]).map_err(|x| e(&x))?, retry);
    let opts = Options {
        outputs: outputs.to_vec(),
        names: outputs.to_vec(),
        dead_letter: None,
        exit_at_end: false,
        visit_grace: Duration::from_secs(2),
        visit_timeout: Duration::from_secs(120),
        batch: 500,
        interval: Duration::from_millis(100),
        stall: local.timeout,
        retry,
        emit_from_ms: None,
    };
    let (start, cpu0) = (Instant::now(), thread_cpu_seconds());
    let stop = || {
        failed.load(Ordering::SeqCst)
            || (mirror_done.load(Ordering::SeqCst)
                && read.load(Ordering::SeqCst) >= mirrored.load(Ordering::SeqCst))
    };
    let counts = alertctl::filter::pipeline::kafka::run(
        &mut engine,
        &mut tail,
        &mut outbox,
        &opts,
        &mut Progress { read },
        &stop,
        None,
    )
    .map_err(|x| e(&x))?;
    Ok(Stage {
        row: Row {
            stage: format!("{} filters (decode once, cap 20 per visit)", outputs.len()),
            alerts: counts.read as usize,
            bytes: 0,
            seconds: start.elapsed().as_secs_f64(),
            cpu: None,
        },
        cpu_seconds: thread_cpu_seconds() - cpu0,
    })
}

fn consume(
    local: &Connection,
    outputs: &[String],
    filters_done: &AtomicBool,
    failed: &AtomicBool,
) -> Result<(Stage, Vec<i64>), Fail> {
    let e = |e: alertctl::transport::kafka::KafkaError| e.to_string();
    let mut tail = Tail::open(
        local,
        outputs,
        None,
        &Start {
            offset: OffsetSpec::Beginning,
            group: None,
        },
    )
    .map_err(e)?;
    let (mut start, cpu0) = (None::<Instant>, thread_cpu_seconds());
    let (mut n, mut bytes, mut latencies) = (0usize, 0u64, Vec::new());
    loop {
        match tail.poll(Duration::from_millis(100)).map_err(e)? {
            Some(r) => {
                start.get_or_insert_with(Instant::now);
                if let Some(ts) = r.timestamp_ms {
                    latencies.push(now_ms() - ts);
                }
                n += 1;
                bytes += r.payload.as_ref().map_or(0, |p| p.len() as u64);
            }
            None => {
                if failed.load(Ordering::SeqCst)
                    || (filters_done.load(Ordering::SeqCst) && tail.lag().map_err(e)? == 0)
                {
                    break;
                }
            }
        }
    }
    Ok((
        Stage {
            row: Row {
                stage: "user consumer (every filtered topic)".into(),
                alerts: n,
                bytes,
                seconds: start.map_or(0.0, |s| s.elapsed().as_secs_f64()),
                cpu: None,
            },
            cpu_seconds: thread_cpu_seconds() - cpu0,
        },
        latencies,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_rank() {
        let v: Vec<i64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), Some(50));
        assert_eq!(percentile(&v, 98.0), Some(98));
        assert_eq!(percentile(&v, 100.0), Some(100));
        assert_eq!(percentile(&[7], 50.0), Some(7));
        assert_eq!(percentile(&[], 50.0), None);
        assert!(thread_cpu_seconds() >= 0.0);
    }
}
