//! `alertctl mirror`: copy a stream from another cluster, as MirrorMaker does.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::{interrupted, CliResult, KafkaArgs};
use crate::kafka::admin::Admin;
use crate::kafka::config::{config_path, parse_property};
use crate::kafka::consume::{Start, Tail};
use crate::kafka::copy::mirror_loop;
use crate::kafka::offsets::OffsetSpec;
use crate::kafka::Connection;

/// Mirror topics from a source cluster to the local one.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  alertctl mirror --source-brokers alerts.lsst.cloud:9094 -b 127.0.0.1:9092 --topics 'lsst-.*' --group mirror-node-1
  alertctl mirror --source-brokers hub:9092 --source-x security.protocol=SASL_SSL -b localhost:9092 --topics 'lsst-.*'

Missing local topics are created with the source's partitions and retention; records
are copied byte for byte (key, headers, timestamp, partition). Source offsets are
committed only after the local broker acknowledged the copies (at least once: a
mirror killed mid-batch copies that batch again). New topics matching --topics are
picked up without a restart. Several mirrors with the same --group split the
partitions between them. For clusters, see docs/deploy.md (MirrorMaker 2).")]
pub struct Args {
    /// The source cluster's bootstrap brokers.
    #[arg(long, value_name = "HOST:PORT")]
    pub source_brokers: String,
    /// A librdkafka property for the source cluster (repeatable).
    #[arg(long = "source-x", value_name = "KEY=VALUE", value_parser = parse_property)]
    pub source_properties: Vec<(String, String)>,
    /// Topics to mirror: a regex matched against whole names.
    #[arg(long, value_name = "REGEX")]
    pub topics: String,
    /// The consumer group on the source.
    #[arg(long, short = 'G', default_value = "alertctl-mirror")]
    pub group: String,
    /// Exit once the partitions are copied up to where they ended when first seen.
    #[arg(short = 'e', long = "exit")]
    pub exit_at_end: bool,
    /// Wait out delivery failures (the local broker away) this long, backing off,
    /// before stopping; nothing past them is committed.
    #[arg(long, default_value = "10m", value_parser = super::values::duration, value_name = "DURATION")]
    pub retry_for: Duration,
    /// How often to report progress and lag on stderr.
    #[arg(long, default_value = "10s", value_parser = super::values::duration, value_name = "DURATION")]
    pub report_every: Duration,
    /// Say on stderr when the lag behind the source exceeds this many records (a
    /// visit's worth), and when it has caught up; 0: never.
    #[arg(long, default_value_t = 10_000, value_name = "RECORDS")]
    pub lag_warn: i64,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// Run `alertctl mirror`.
pub fn exec(a: Args) -> CliResult {
    let local = a.kafka.connection()?;
    let mut props = vec![(
        "topic.metadata.refresh.interval.ms".to_string(),
        "5000".to_string(),
    )];
    props.extend(a.source_properties.iter().cloned());
    let source = Connection::resolve(
        Some(&a.source_brokers),
        None,
        &props,
        a.kafka.timeout,
        &config_path(),
    )?;
    let source_admin = Admin::connect(&source)?;
    let local_admin = Admin::connect(&local)?;
    let mut tail = Tail::open(
        &source,
        &[],
        Some(&a.topics),
        &Start {
            offset: OffsetSpec::Stored,
            // The source's account names the group (Rubin's ACLs).
            group: Some(super::group_id(&source, &a.group)),
        },
    )?;
    let retry = crate::kafka::outbox::Retry {
        give_up_after: a.retry_for,
        ..Default::default()
    };
    let mut outbox = crate::kafka::outbox::Outbox::new(
        crate::kafka::produce::Producer::new(&local, &a.topics)?,
        retry,
    );
    let mut waiting = Retrying {
        warned: None,
        stop: stop_flag(),
    };
    let stop = interrupted();
    let started = Instant::now();
    let mut last_report = Instant::now();
    let mut lag_watch = crate::kafka::consume::LagWatch::new(a.lag_warn);
    let exit_at_end = a.exit_at_end;
    let (records, bytes) = mirror_loop(
        &mut tail,
        &mut outbox,
        &source_admin,
        &local_admin,
        |t| Ok(stop.load(Ordering::SeqCst) || (exit_at_end && t.at_end()?)),
        |n, b, t| {
            if let Some(change) = lag_watch.check(t) {
                super::say_lag("mirror", change, a.lag_warn);
            }
            if last_report.elapsed() >= a.report_every {
                last_report = Instant::now();
                let secs = started.elapsed().as_secs_f64();
                let lag = t
                    .lag()
                    .map_or_else(|e| format!("unknown ({e})"), |l| l.to_string());
                eprintln!(
                    "alertctl: mirrored {n} records ({:.1} MB), {:.0} records/s, lag {lag}",
                    b as f64 / 1e6,
                    n as f64 / secs.max(1e-9)
                );
            }
        },
        &mut waiting,
    )?;
    let lag = tail.lag().unwrap_or(-1);
    tail.close()?;
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "alertctl: mirrored {records} records ({:.1} MB) from {} in {secs:.1} s ({:.0} records/s, {:.1} MB/s); lag now {lag}",
        bytes as f64 / 1e6,
        a.source_brokers,
        records as f64 / secs.max(1e-9),
        bytes as f64 / 1e6 / secs.max(1e-9)
    );
    Ok(())
}

fn stop_flag() -> std::sync::Arc<std::sync::atomic::AtomicBool> {
    interrupted()
}

/// Failures waited out, reported a line every few seconds at most.
struct Retrying {
    warned: Option<Instant>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl crate::kafka::outbox::Waiting for Retrying {
    fn retrying(&mut self, why: &str, wait: Duration) {
        if self
            .warned
            .is_none_or(|t| t.elapsed() > Duration::from_secs(5))
        {
            super::warn(&format!(
                "{why}; trying again in {:.1} s",
                wait.as_secs_f64()
            ));
            self.warned = Some(Instant::now());
        }
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}
