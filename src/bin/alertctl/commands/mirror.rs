//! `alertctl mirror`: copy a stream from another cluster, as MirrorMaker does.

use std::time::Duration;

use alertctl::jobs::copy::{mirror, MirrorOptions};
use alertctl::jobs::Report;
use alertctl::transport::kafka::config::parse_property;

use crate::args::{values, CmdResult, Ctx, KafkaArgs};

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
    #[arg(long, default_value = "10m", value_parser = values::duration, value_name = "DURATION")]
    pub retry_for: Duration,
    /// How often to report progress and lag on stderr.
    #[arg(long, default_value = "10s", value_parser = values::duration, value_name = "DURATION")]
    pub report_every: Duration,
    /// Say on stderr when the lag behind the source exceeds this many records (a
    /// visit's worth), and when it has caught up; 0: never.
    #[arg(long, default_value_t = 10_000, value_name = "RECORDS")]
    pub lag_warn: i64,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// Run `alertctl mirror`.
pub fn exec(a: Args, ctx: &mut Ctx) -> CmdResult {
    let opts = MirrorOptions {
        source_brokers: a.source_brokers.clone(),
        source_properties: a.source_properties.clone(),
        topics: a.topics.clone(),
        group: a.group.clone(),
        exit_at_end: a.exit_at_end,
        retry_for: a.retry_for,
        report_every: a.report_every,
        lag_warn: a.lag_warn,
        target: a.kafka.target(),
    };
    let stop = ctx.stop();
    let m = mirror(&opts, &mut ctx.diag, &stop)?;
    let secs = m.seconds.max(1e-9);
    ctx.diag.info(&format!(
        "mirrored {} records ({:.1} MB) from {} in {:.1} s ({:.0} records/s, {:.1} MB/s); lag now {}",
        m.records,
        m.bytes as f64 / 1e6,
        a.source_brokers,
        m.seconds,
        m.records as f64 / secs,
        m.bytes as f64 / 1e6 / secs,
        m.lag
    ));
    Ok(())
}
