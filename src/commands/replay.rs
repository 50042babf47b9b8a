//! `alertctl replay`: re-publish a night, paced by its original timestamps.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::{interrupted, CliError, CliResult, KafkaArgs};
use crate::kafka::admin::{Admin, TopicSpec};
use crate::kafka::copy::{replay_loop, Replay, Speed};
use crate::kafka::offsets::OffsetSpec;

/// Record timestamps of the copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Timestamp {
    /// The original CreateTime.
    Original,
    /// The time of sending.
    Now,
}

/// Re-publish a topic's records to another topic, paced by their timestamps.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  alertctl replay lsst-2024-05-01 --to replay-test --speed max
  alertctl replay lsst-2024-05-01 --to test-stream --speed 10 -o @2024-05-02T03:00:00Z --until @2024-05-02T04:00:00Z
  alertctl replay lsst-2024-05-01 --to test-stream --loop --interval 37s      # a test stream, forever

Keys, headers, timestamps (--timestamp original) and order within each partition are
kept; partitions too when both topics have as many (a new target topic is created
with the source's count). --speed 1 is real time: a record is sent when its original
time, divided by the speed, has passed since the first. --loop replays the records
again and again, one visit (records of one timestamp) every --interval, stamped now.")]
pub struct Args {
    /// The topic to replay (or --night).
    pub topic: Option<String>,
    /// A night: its topic, or on a long-lived topic its dayObs window (12:00 to 12:00 UTC).
    #[arg(long, value_name = "NIGHT", value_parser = super::values::night)]
    pub night: Option<chrono::NaiveDate>,
    /// The topic to write.
    #[arg(long = "to", value_name = "TOPIC")]
    pub to: String,
    /// Where to start: beginning, or @TIME.
    #[arg(
        short = 'o',
        long = "offset",
        value_name = "OFFSET",
        value_parser = super::values::offset, allow_hyphen_values = true
    )]
    pub offset: Option<OffsetSpec>,
    /// Stop before the first record after this time (@TIME).
    #[arg(long, value_name = "@TIME", value_parser = super::values::time)]
    pub until: Option<i64>,
    /// Speed factor (1 = real time), or max.
    #[arg(long, default_value = "1", value_parser = clap::value_parser!(Speed))]
    pub speed: Speed,
    /// Timestamps of the copies.
    #[arg(long, value_enum, default_value = "original")]
    pub timestamp: Timestamp,
    /// Replay forever, one visit every --interval, stamped now.
    #[arg(long = "loop")]
    pub repeat: bool,
    /// With --loop: time between visits.
    #[arg(long, default_value = "37s", value_parser = super::values::duration, value_name = "DURATION")]
    pub interval: Duration,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// Run `alertctl replay`.
pub fn exec(a: Args) -> CliResult {
    if let Some(o) = a.offset {
        if !matches!(
            o,
            OffsetSpec::Beginning
                | OffsetSpec::Time(_)
                | OffsetSpec::TimeRange { .. }
                | OffsetSpec::Absolute(_)
                | OffsetSpec::FromEnd(_)
        ) {
            return Err(CliError::usage(
                "replay -o takes beginning, N, -N, @TIME or @T1:T2",
            ));
        }
    }
    let until = a.until;
    let conn = a.kafka.connection()?;
    let admin = Admin::connect(&conn)?;
    let reading = super::reading(a.topic.as_deref(), a.night, None, &admin)?
        .ok_or_else(|| CliError::usage("give the TOPIC to replay, or --night NIGHT"))?;
    let offset = reading.offset(a.offset, OffsetSpec::Beginning)?;
    if reading.topic == a.to {
        return Err(CliError::usage(
            "replaying a topic into itself would never end: choose another --to",
        ));
    }
    let source = admin.describe(&reading.topics[0])?;
    admin.create(&TopicSpec {
        name: a.to.clone(),
        partitions: source.partitions.len() as i32,
        replication: 1,
        retention_ms: source
            .retention_ms
            .unwrap_or(crate::kafka::admin::DEFAULT_RETENTION_MS),
        timestamp_type: None,
    })?;
    let same_partitions = admin.describe(&a.to)?.partitions.len() == source.partitions.len();
    let plan = Replay {
        source: source.name.clone(),
        to: a.to.clone(),
        start: offset,
        until_ms: until,
        speed: a.speed,
        repeat: a.repeat.then_some(a.interval),
        keep_timestamps: a.timestamp == Timestamp::Original,
        same_partitions,
    };
    let stop = interrupted();
    let started = Instant::now();
    let bar = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} records, ETA {eta}")
                .expect("valid template"),
        );
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let done = replay_loop(&conn, &plan, &|| stop.load(Ordering::SeqCst), |n, total| {
        bar.set_length(total);
        bar.set_position(n);
    })?;
    bar.finish_and_clear();
    let (copied, cycles) = (done.records, done.passes);
    eprintln!(
        "alertctl: replayed {copied} records from {} to {}{} in {:.1} s",
        source.name,
        a.to,
        if a.repeat {
            format!(" ({cycles} passes)")
        } else {
            String::new()
        },
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
