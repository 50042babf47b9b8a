//! Benchmarks behind `alertctl bench`: measured stages over generated alerts. A
//! developer tool, part of the binary, not of the library a user depends on.
//!
//! Each stage runs over the same pre-generated wire-format packets, once to warm
//! up and then timed, and reports alerts/s and MB/s of packet bytes.

pub mod filters;
pub mod kafka;
pub mod night;
pub mod watchlist;

use std::sync::Arc;
use std::time::Instant;

use alertctl::formats::avro::view::{to_json, CutoutPolicy};
use alertctl::formats::avro::AlertSchema;
use alertctl::formats::packet::{self, PacketError};
use alertctl::formats::sample::{Generator, SampleConfig};

/// One measured stage.
#[derive(Debug, Clone)]
pub struct Row {
    /// What was measured.
    pub stage: String,
    /// Alerts processed.
    pub alerts: usize,
    /// Wire-format bytes processed.
    pub bytes: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// CPU seconds (user and system) of the process that did it, when it ran as a
    /// process of its own.
    pub cpu: Option<f64>,
}

impl Row {
    /// Alerts per second.
    pub fn alerts_per_s(&self) -> f64 {
        self.alerts as f64 / self.seconds.max(1e-12)
    }

    /// Megabytes (10^6 bytes) per second.
    pub fn mb_per_s(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.seconds.max(1e-12)
    }
}

/// The alerts a benchmark generates: a schema version (default: the newest under the
/// directories, else the built-in sample), cutouts, and histories.
#[derive(Debug, Clone)]
pub struct Generate {
    /// Schema directories.
    pub dirs: Vec<std::path::PathBuf>,
    /// The version.
    pub version: Option<alertctl::formats::avro::Version>,
    /// Cutout width and height.
    pub cutout_size: usize,
    /// Longest history per alert.
    pub max_history: usize,
    /// Alerts in each visit.
    pub alerts_per_visit: usize,
}

impl Generate {
    /// `n` wire-format packets, and their schema.
    pub fn packets(&self, n: usize) -> Result<(Arc<AlertSchema>, Vec<Vec<u8>>), alertctl::Error> {
        let s = Arc::new(alertctl::formats::avro::select(
            &self.dirs,
            self.version,
            None,
        )?);
        let id = s
            .id()
            .ok_or_else(|| alertctl::Error::usage("the schema has no version id"))?;
        let cfg = SampleConfig {
            alerts_per_visit: self.alerts_per_visit.max(1),
            cutout_size: self.cutout_size,
            max_history: self.max_history,
            seed: 1,
            ..SampleConfig::default()
        };
        let packets = packets(s.clone(), id, n, cfg)?;
        Ok((s, packets))
    }
}

/// The average size of some packets.
pub fn average(packets: &[Vec<u8>]) -> usize {
    packets.iter().map(Vec::len).sum::<usize>() / packets.len().max(1)
}

/// `bench decode`: generated alerts decoded to the JSON view.
pub fn decode_bench(
    gen: &Generate,
    n: usize,
    report: &mut dyn alertctl::jobs::Report,
) -> Result<Vec<Row>, alertctl::Error> {
    let (s, packets) = gen.packets(n)?;
    report.info(&format!(
        "bench decode: {} alerts of schema {}, {} bytes each on average",
        packets.len(),
        s.name,
        average(&packets)
    ));
    Ok(decode(&s, &packets)?)
}

/// CPU seconds (user + system) in a /proc `stat` file: its own (`children` 0), or
/// (`children` 2) those of the children it waited for. 0 where there is no /proc.
fn proc_cpu_seconds(path: &str, children: usize) -> f64 {
    let Ok(stat) = std::fs::read_to_string(path) else {
        return 0.0;
    };
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15, cutime and cstime 16 and 17; `rest`
    // starts at field 3. Clock ticks are 1/100 s on Linux.
    (ticks(11 + children) + ticks(12 + children)) / 100.0
}

/// CPU seconds (user + system) of the child processes waited for so far.
pub fn children_cpu_seconds() -> f64 {
    proc_cpu_seconds("/proc/self/stat", 2)
}

/// Rows as a table: alerts, MB, seconds, alerts/s and MB/s of each stage, and, when a
/// row measured it, its process's CPU seconds per 1,000 alerts.
pub fn table(rows: &[Row]) -> String {
    let columns = ["stage", "alerts", "MB", "seconds", "alerts/s", "MB/s"];
    let cells = |r: &Row| {
        [
            r.stage.clone(),
            r.alerts.to_string(),
            format!("{:.1}", r.bytes as f64 / 1e6),
            format!("{:.3}", r.seconds),
            format!("{:.0}", r.alerts_per_s()),
            format!("{:.1}", r.mb_per_s()),
        ]
    };
    if !rows.iter().any(|r| r.cpu.is_some()) {
        return alertctl::render::table::bordered(columns, rows.iter().map(cells));
    }
    let mut with_cpu = columns.map(String::from).to_vec();
    with_cpu.push("CPU s / 1000 alerts".into());
    alertctl::render::table::bordered(
        with_cpu,
        rows.iter().map(|r| {
            let mut c = cells(r).to_vec();
            c.push(r.cpu.map_or("-".into(), |cpu| {
                format!("{:.3}", cpu / (r.alerts.max(1) as f64 / 1000.0))
            }));
            c
        }),
    )
}

/// Generate `n` wire-format packets for `schema` (ids from `schema_id`).
pub fn packets(
    schema: Arc<AlertSchema>,
    schema_id: u32,
    n: usize,
    cfg: SampleConfig,
) -> Result<Vec<Vec<u8>>, PacketError> {
    let per_visit = cfg.alerts_per_visit.max(1);
    let mut gen = Generator::new(
        schema.clone(),
        SampleConfig {
            visits: n.div_ceil(per_visit),
            ..cfg
        },
    );
    let mut out = Vec::with_capacity(n);
    let mut visit = 0;
    while out.len() < n {
        for v in gen.visit(visit) {
            if out.len() == n {
                break;
            }
            out.push(packet::encode(
                schema_id,
                &packet::encode_body(&schema, &v)?,
            ));
        }
        visit += 1;
    }
    Ok(out)
}

fn time<F: FnMut(&[u8]) -> Result<(), PacketError>>(
    stage: &str,
    packets: &[Vec<u8>],
    mut f: F,
) -> Result<Row, PacketError> {
    // Warm-up pass over a tenth, then the timed pass over all.
    for p in packets.iter().take(packets.len() / 10 + 1) {
        f(p)?;
    }
    let start = Instant::now();
    for p in packets {
        f(p)?;
    }
    Ok(Row {
        stage: stage.to_string(),
        alerts: packets.len(),
        bytes: packets.iter().map(|p| p.len() as u64).sum(),
        seconds: start.elapsed().as_secs_f64(),
        cpu: None,
    })
}

/// Time decoding `packets` (all written with `schema`): Avro only, to the JSON view,
/// and to JSON text (what `tail` prints).
pub fn decode(schema: &AlertSchema, packets: &[Vec<u8>]) -> Result<Vec<Row>, PacketError> {
    let decoder = packet::Decoder::new(alertctl::formats::avro::SchemaStore::new(Vec::new()), None);
    let decode = |p: &[u8]| {
        let (id, body) = packet::split(p)?;
        decoder.decode_body(id, schema, body)
    };
    // The filter engine's own decoder, every field: what a jq filter reads of an alert.
    let plan = alertctl::filter::project::Plan::new(schema, None).map_err(|reason| {
        PacketError::Decode {
            id: schema.id().unwrap_or(0),
            len: 0,
            reason,
        }
    })?;
    let jq_values = |p: &[u8]| {
        let (id, body) = packet::split(p)?;
        // The engine holds each packet as shared bytes: the copy is its own, not timed apart.
        let shared = bytes::Bytes::copy_from_slice(p);
        let body = shared.slice(p.len() - body.len()..);
        plan.decode(&shared, &body)
            .map(drop)
            .map_err(|e| PacketError::from_decode(id, body.len(), e))
    };
    Ok(vec![
        time("decode Avro to values", packets, |p| decode(p).map(drop))?,
        time(
            "decode every field to values borrowed from the bytes",
            packets,
            |p| {
                let (id, body) = packet::split(p)?;
                schema
                    .decode_borrowed(body)
                    .map(drop)
                    .map_err(|e| PacketError::from_decode(id, body.len(), e))
            },
        )?,
        time(
            "decode every field to jq values (what filters read)",
            packets,
            jq_values,
        )?,
        time("decode + JSON view (cutouts: size)", packets, |p| {
            decode(p).map(|v| drop(to_json(&v, CutoutPolicy::Size)))
        })?,
        time(
            "decode + JSON view + serialize (tail before)",
            packets,
            |p| decode(p).map(|v| drop(to_json(&v, CutoutPolicy::Size).to_string())),
        )?,
        time(
            "JSON text from the bytes, cutouts: size (tail)",
            packets,
            |p| json_text(&decoder, schema, p, CutoutPolicy::Size),
        )?,
        time(
            "JSON text from the bytes, cutouts: omit (tail)",
            packets,
            |p| json_text(&decoder, schema, p, CutoutPolicy::Omit),
        )?,
        archive_id(
            "archive id: decode the alert (before)",
            schema,
            packets,
            false,
        )?,
        archive_id("archive id: from the bytes", schema, packets, true)?,
        gzip_row(packets, alertctl::jobs::archive::GZIP_LEVEL)?,
        gzip_row(packets, 6)?,
    ])
}

/// The archive's id of each packet, by decoding it or from its bytes.
fn archive_id(
    stage: &str,
    schema: &AlertSchema,
    packets: &[Vec<u8>],
    from_bytes: bool,
) -> Result<Row, PacketError> {
    use alertctl::jobs::archive::{id_from_bytes, identify_by_value};
    let id = schema.id().unwrap_or(0);
    let mut store = alertctl::formats::avro::SchemaStore::new(Vec::new());
    store.insert(id, schema.clone());
    let mut decoder = packet::Decoder::new(store, None);
    time(stage, packets, |p| {
        if from_bytes {
            id_from_bytes(&mut decoder, p)
                .map(drop)
                .ok_or(PacketError::Empty)
        } else {
            identify_by_value(&mut decoder, p).map(drop)
        }
    })
}

/// Gzip each packet at `level` (the archive's objects); the stage says the ratio.
fn gzip_row(packets: &[Vec<u8>], level: u32) -> Result<Row, PacketError> {
    let gz = |p: &[u8]| alertctl::jobs::archive::gzip_at(p, level);
    let sample = &packets[..packets.len().min(200)];
    let packed: usize = sample.iter().map(|p| gz(p).len()).sum();
    let raw: usize = sample.iter().map(Vec::len).sum();
    let mut row = time("gzip", packets, |p| {
        drop(gz(p));
        Ok(())
    })?;
    row.stage = format!(
        "gzip level {level} (archive): {:.0}% of the bytes",
        100.0 * packed as f64 / raw.max(1) as f64
    );
    Ok(row)
}

/// The JSON view as text, written straight from the bytes (what `tail` prints).
fn json_text(
    decoder: &packet::Decoder,
    schema: &AlertSchema,
    p: &[u8],
    policy: CutoutPolicy,
) -> Result<(), PacketError> {
    let (id, body) = packet::split(p)?;
    let mut out = Vec::with_capacity(64 * 1024);
    decoder.write_json_body(id, schema, body, policy, &mut out)
}

/// Produce `packets` to `topic` (keyed round-robin over 64 keys); time until all are acknowledged.
pub fn kafka_produce(
    conn: &alertctl::transport::kafka::Connection,
    topic: &str,
    packets: &[Vec<u8>],
) -> Result<Row, alertctl::transport::kafka::KafkaError> {
    use alertctl::transport::kafka::produce::{OutRecord, Producer};
    let mut p = Producer::new(conn, topic)?;
    let start = Instant::now();
    for (i, packet) in packets.iter().enumerate() {
        let key = (i % 64).to_string();
        p.send(&OutRecord {
            key: Some(key.as_bytes()),
            payload: packet,
            ..OutRecord::default()
        })?;
    }
    let sent = p.flush()?;
    Ok(Row {
        stage: "produce (acks=all, idempotent)".into(),
        alerts: sent.records as usize,
        bytes: sent.bytes,
        seconds: start.elapsed().as_secs_f64(),
        cpu: None,
    })
}

/// Consume `topic` from the beginning to its end; with `decode`, also decode each
/// packet and build its JSON view (what `tail` does).
pub fn kafka_consume(
    conn: &alertctl::transport::kafka::Connection,
    topic: &str,
    decode: Option<&AlertSchema>,
) -> Result<Row, alertctl::transport::kafka::KafkaError> {
    use alertctl::transport::kafka::consume::{Start, Tail};
    use alertctl::transport::kafka::offsets::OffsetSpec;
    let start = Instant::now();
    let mut tail = Tail::open(
        conn,
        &[topic.to_string()],
        None,
        &Start {
            offset: OffsetSpec::Beginning,
            group: None,
        },
    )?;
    let (mut alerts, mut bytes) = (0usize, 0u64);
    let decoder = packet::Decoder::new(alertctl::formats::avro::SchemaStore::new(Vec::new()), None);
    // A stalled broker ends the pass early; the row then counts what arrived.
    tail.read_to_end(|r| {
        let payload = r.payload.unwrap_or_default();
        if let Some(schema) = decode {
            let (id, body) = packet::split(&payload)
                .map_err(|e| alertctl::transport::kafka::KafkaError::Config(e.to_string()))?;
            let v = decoder
                .decode_body(id, schema, body)
                .map_err(|e| alertctl::transport::kafka::KafkaError::Config(e.to_string()))?;
            drop(to_json(&v, CutoutPolicy::Size).to_string());
        }
        alerts += 1;
        bytes += payload.len() as u64;
        Ok(())
    })?;
    Ok(Row {
        stage: if decode.is_some() {
            "tail: consume + decode + JSON".into()
        } else {
            "consume (bytes only)".into()
        },
        alerts,
        bytes,
        seconds: start.elapsed().as_secs_f64(),
        cpu: None,
    })
}

/// Time the filter engine over `packets`: every filter of `defs` on every alert, one
/// read of each alert for all filters. After a warm-up, the pass is timed three times,
/// each from fresh state, and the fastest counts (the machine's other work only ever
/// slows a pass). Returns the row and each filter's emitted count (ranked visits
/// included), in order.
pub fn filters(
    stage: &str,
    dirs: &[std::path::PathBuf],
    defs: &[alertctl::filter::FilterDef],
    packets: &[Vec<u8>],
) -> Result<(Row, Vec<u64>), alertctl::filter::FilterError> {
    filters_with_sky(stage, dirs, defs, &Arc::default(), packets)
}

/// [`filters`] with watchlists and MOCs the filters ask about.
pub fn filters_with_sky(
    stage: &str,
    dirs: &[std::path::PathBuf],
    defs: &[alertctl::filter::FilterDef],
    sky: &Arc<alertctl::sky::Sky>,
    packets: &[Vec<u8>],
) -> Result<(Row, Vec<u64>), alertctl::filter::FilterError> {
    let (row, engine) = time_engine(stage, dirs, defs, sky, packets)?;
    let emitted = engine.stats().iter().map(|(_, s, _)| s.emitted).collect();
    Ok((row, emitted))
}

/// The timing of [`filters_with_sky`]: the row, and the engine of the last timed pass
/// (its statistics, its fast forms).
pub fn time_engine(
    stage: &str,
    dirs: &[std::path::PathBuf],
    defs: &[alertctl::filter::FilterDef],
    sky: &Arc<alertctl::sky::Sky>,
    packets: &[Vec<u8>],
) -> Result<(Row, alertctl::filter::Engine), alertctl::filter::FilterError> {
    use alertctl::filter::{Budget, Engine, Input};
    let budget = Budget {
        max_time: std::time::Duration::from_secs(3600),
        ..Budget::default()
    };
    let shared: Vec<bytes::Bytes> = packets
        .iter()
        .map(|p| bytes::Bytes::from(p.clone()))
        .collect();
    // The schemas are read from disk once, before timing: a running engine has them.
    let mut store = alertctl::formats::avro::SchemaStore::new(dirs.to_vec());
    for p in packets {
        if let Ok((id, _)) = alertctl::formats::packet::split(p) {
            let _ = store.get(id);
        }
    }
    let mut best = f64::INFINITY;
    let mut last = None;
    for pass in 0..4 {
        let mut engine = Engine::with_sky(defs.to_vec(), store.clone(), budget, sky.clone())?;
        let take = if pass == 0 {
            shared.len() / 10 + 1
        } else {
            shared.len()
        };
        let start = Instant::now();
        for (i, p) in shared.iter().take(take).enumerate() {
            let _ = engine.process(&Input {
                packet: p.clone(),
                key: None,
                topic: "",
                partition: 0,
                timestamp_ms: None,
                offset: i as i64,
            });
        }
        engine.finish();
        if pass > 0 {
            best = best.min(start.elapsed().as_secs_f64());
        }
        last = Some(engine);
    }
    let engine = last.expect("four passes");
    Ok((
        Row {
            stage: stage.to_string(),
            alerts: packets.len(),
            bytes: packets.iter().map(|p| p.len() as u64).sum(),
            seconds: best,
            cpu: None,
        },
        engine,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A child that keeps a core busy shows up in the children's CPU seconds once it
    /// has been waited for.
    #[test]
    fn a_childs_cpu_is_counted_after_it_is_waited_for() {
        let before = children_cpu_seconds();
        let status = std::process::Command::new("sh")
            .args(["-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done"])
            .status()
            .expect("sh runs");
        assert!(status.success());
        let used = children_cpu_seconds() - before;
        assert!(used >= 0.05, "the busy child used {used} CPU s");
    }

    /// The CPU column is there only when a row measured its process's CPU, and gives
    /// seconds per 1,000 alerts.
    #[test]
    fn the_cpu_column_only_when_measured() {
        let row = Row {
            stage: "read".into(),
            alerts: 4000,
            bytes: 0,
            seconds: 1.0,
            cpu: None,
        };
        assert!(!table(std::slice::from_ref(&row)).contains("CPU s / 1000 alerts"));
        let with = Row {
            cpu: Some(0.2),
            ..row.clone()
        };
        let t = table(&[row, with]);
        assert!(t.contains("CPU s / 1000 alerts"), "{t}");
        assert!(t.contains("0.050"), "{t}");
    }
}
