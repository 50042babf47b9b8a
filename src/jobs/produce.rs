//! Produce: sample visits for any schema version (or the alerts of a visit file), to a
//! Kafka topic as the stream sends them ([`super::send`]) or to a visit file.
//!
//! To Kafka, the topic is the night's under the cluster's layout (its own topic, or the
//! long-lived topic of the schema's MAJOR), created by the topic policy
//! ([`super::topics`]) when missing.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use apache_avro::types::Value;
use chrono::NaiveDate;

use super::send::{send_alerts, Event, Notice, SendCounts, SendOptions, Stamp};
use super::topics::{self, Kind};
use super::{connect, Report, Stop};
use crate::error::Error;
use crate::formats::avro::{self, AlertSchema, SchemaStore, Version};
use crate::formats::packet::file::{FileFormat, VisitReader, VisitWriter};
use crate::formats::packet::{self, Decoder};
use crate::formats::sample::{Generator, SampleConfig};
use crate::transport::connect::Target;
use crate::transport::kafka::admin::Admin;
use crate::transport::kafka::produce::Producer;
use crate::transport::kafka::Connection;

/// Which schema to generate alerts for, and the id their wire headers carry.
#[derive(Debug, Clone, Default)]
pub struct SchemaChoice {
    /// Schema directories (alert_packet layout).
    pub dirs: Vec<PathBuf>,
    /// A version under them (default: the newest, else the built-in sample).
    pub version: Option<Version>,
    /// A self-contained `.avsc` file instead.
    pub file: Option<PathBuf>,
    /// The wire id, when the schema's namespace carries no version.
    pub id: Option<u32>,
}

impl SchemaChoice {
    /// The schema and its wire id.
    pub fn load(&self) -> Result<(Arc<AlertSchema>, u32), Error> {
        let schema = avro::select(&self.dirs, self.version, self.file.as_deref())?;
        let id = self.id.or(schema.id()).ok_or_else(|| {
            Error::usage(format!(
                "{} has no version in its namespace: pass --schema-id N for the wire header",
                schema.name
            ))
        })?;
        Ok((Arc::new(schema), id))
    }
}

/// Sample alerts: a schema, and the generator's settings.
#[derive(Debug, Clone)]
pub struct Sample {
    /// The schema.
    pub schema: SchemaChoice,
    /// The generator's settings (night, seed, visits, alerts per visit, history, cutouts).
    pub config: SampleConfig,
}

/// Generated alerts as wire packets with their values, visit by visit, encoded as
/// they are taken: the one generate-then-encode step of produce and the sandbox.
pub fn packets(
    schema: Arc<AlertSchema>,
    id: u32,
    config: SampleConfig,
) -> impl Iterator<Item = Result<(Vec<u8>, Value), Error>> {
    let visits = config.visits as u32;
    let mut gen = Generator::new(schema.clone(), config);
    (0..visits)
        .flat_map(move |v| gen.visit(v))
        .map(move |alert| {
            Ok((
                packet::encode(id, &packet::encode_body(&schema, &alert)?),
                alert,
            ))
        })
}

/// What to send to Kafka.
#[derive(Debug, Clone)]
pub enum Alerts {
    /// Generated sample visits.
    Sample(Sample),
    /// The alerts of a visit file (a container file's under `id`, else its schema's).
    File {
        /// The file.
        path: PathBuf,
        /// Schema directories for wire packets.
        dirs: Vec<PathBuf>,
        /// The wire id of a container file's records.
        id: Option<u32>,
    },
}

/// How to send to Kafka.
#[derive(Debug, Clone)]
pub struct ToKafka {
    /// What to send.
    pub alerts: Alerts,
    /// The topic (default: the night's under the cluster's layout).
    pub topic: Option<String>,
    /// The night whose topic is the default.
    pub night: NaiveDate,
    /// Partitions of a topic created here (default by the topic policy).
    pub partitions: Option<i32>,
    /// Retention of a topic created here (ms; -1 forever; default by the policy).
    pub retention_ms: Option<i64>,
    /// Record timestamps.
    pub stamp: Stamp,
    /// Time between visits' starts (None: back to back).
    pub cadence: Option<Duration>,
    /// Where the cluster is.
    pub target: Target,
}

/// What was produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Produced {
    /// Where it went: a topic, or a file.
    pub to: String,
    /// Records (alerts) written and acknowledged.
    pub records: u64,
    /// Visits begun.
    pub visits: u64,
    /// Packet bytes.
    pub bytes: u64,
    /// Seconds it took.
    pub seconds: f64,
    /// Whether a stop request ended it early.
    pub stopped: bool,
}

/// Write sample visits to a visit file (under a temporary name, renamed at the end).
pub fn to_file(
    sample: &Sample,
    out: &std::path::Path,
    format: FileFormat,
) -> Result<Produced, Error> {
    let (schema, id) = sample.schema.load()?;
    let started = Instant::now();
    let mut gen = Generator::new(schema.clone(), sample.config.clone());
    let mut writer = VisitWriter::create(out, format, &schema, id)?;
    for v in 0..sample.config.visits as u32 {
        for alert in gen.visit(v) {
            writer.append(&alert)?;
        }
    }
    let (count, bytes) = (writer.count(), writer.packet_bytes());
    writer.finish()?;
    Ok(Produced {
        to: out.display().to_string(),
        records: count as u64,
        visits: sample.config.visits as u64,
        bytes,
        seconds: started.elapsed().as_secs_f64(),
        stopped: false,
    })
}

/// The topic a night goes to under the cluster's layout, and whether that is a
/// long-lived per-major topic.
pub fn night_topic(conn: &Connection, night: NaiveDate, major: u32) -> (String, bool) {
    let (t, window) = conn.layout.place(night, major);
    (t, window.is_some())
}

/// Send to Kafka, creating the topic when missing.
pub fn to_kafka(
    opts: &ToKafka,
    report: &mut dyn Report,
    stop: Stop<'_>,
) -> Result<Produced, Error> {
    let conn = connect(&opts.target, report)?;
    let sample = match &opts.alerts {
        Alerts::Sample(s) => Some(s.schema.load()?),
        Alerts::File { .. } => None,
    };
    let (topic, long_lived) = match &opts.topic {
        Some(t) => (t.clone(), false),
        None => {
            let major = match (&sample, &opts.alerts) {
                (Some((_, id)), _) => id / 100,
                (None, Alerts::File { dirs, id, .. }) => {
                    id.or(avro::select(dirs, None, None).ok().and_then(|s| s.id()))
                        .unwrap_or(0)
                        / 100
                }
                _ => 0,
            };
            night_topic(&conn, opts.night, major)
        }
    };
    let admin = Admin::connect(&conn)?;
    let kind = if long_lived {
        Kind::PerMajor
    } else {
        Kind::Night
    };
    topics::ensure(
        &admin,
        &topic,
        kind,
        opts.partitions,
        opts.retention_ms,
        report,
    )?;
    let send = SendOptions {
        stamp: opts.stamp,
        cadence: opts.cadence,
        retention_ms: admin.retention_ms(&topic),
    };
    drop(admin);
    let mut producer = Producer::new(&conn, &topic)?;
    let started = Instant::now();
    let total = match &opts.alerts {
        Alerts::Sample(s) => Some(s.config.visits as u64 * s.config.alerts_per_visit as u64),
        Alerts::File { .. } => None,
    };
    let mut on = |e: Event| match e {
        Event::Notice(n) => notice(report, n),
        Event::Sent(n) => report.progress(n, total),
    };
    let sent = match (&opts.alerts, sample) {
        (Alerts::Sample(s), Some((schema, id))) => send_alerts(
            &mut producer,
            &send,
            packets(schema, id, s.config.clone()),
            stop,
            &mut on,
        )?,
        (Alerts::File { path, dirs, id }, _) => {
            send_file(&mut producer, &send, path, dirs, *id, stop, &mut on)?
        }
        (Alerts::Sample(_), None) => unreachable!("loaded above"),
    };
    Ok(Produced {
        to: topic,
        records: sent.records,
        visits: sent.visits,
        bytes: sent.bytes,
        seconds: started.elapsed().as_secs_f64(),
        stopped: stop(),
    })
}

fn send_file(
    producer: &mut Producer,
    send: &SendOptions,
    path: &std::path::Path,
    dirs: &[PathBuf],
    id: Option<u32>,
    stop: Stop<'_>,
    on: &mut dyn FnMut(Event),
) -> Result<SendCounts, Error> {
    let mut decoder = Decoder::new(SchemaStore::new(dirs.to_vec()), None);
    let reader = VisitReader::open(path, &mut decoder)?;
    // A container file's records go out under its schema's id (or the one given).
    let ocf = match reader.container_schema() {
        Some(s) => {
            let s = AlertSchema::clone(s);
            let id = id.or(s.id()).ok_or_else(|| {
                Error::usage(format!(
                    "{} was written with {}, which names no version: pass --schema-id N",
                    path.display(),
                    s.name
                ))
            })?;
            Some((s, id))
        }
        None => None,
    };
    let alerts = reader.map(|item| -> Result<(Vec<u8>, Value), Error> {
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
    send_alerts(producer, send, alerts, stop, on)
}

/// Say a sender's notice.
fn notice(report: &mut dyn Report, n: Notice) {
    match n {
        Notice::Deferred => report.info("the night's observation times are still in the future: records are stamped with the time of sending (--timestamp observation to insist)"),
        Notice::PastRetention(days) => report.warn(&format!(
            "observation times are older than the topic's retention ({days} days): the broker will delete these records; use --timestamp now, or a topic with --retention forever"
        )),
        Notice::FarFuture => report.warn("observation times are more than an hour in the future; brokers with message.timestamp.after.max.ms set will refuse them (use --timestamp now)"),
    }
}
