//! `alertctl replay`: re-publish a night, paced by its original timestamps.

use std::time::Duration;

use alertctl::jobs::copy::{replay, ReplayOptions, Speed};
use alertctl::jobs::Report;
use alertctl::transport::kafka::offsets::OffsetSpec;

use crate::args::{values, CmdResult, Ctx, FromArgs, KafkaArgs};

/// Re-publish a topic's records to another topic, paced by their timestamps.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  alertctl replay --from lsst-2024-05-01 --to replay-test --speed max
  alertctl replay --from lsst-2024-05-01 --to test-stream --speed 10 -o @2024-05-02T03:00:00Z --until @2024-05-02T04:00:00Z
  alertctl replay --from lsst-2024-05-01 --to test-stream --loop --interval 37s      # a test stream, forever

Keys, headers, timestamps (--timestamp original) and order within each partition are
kept; partitions too when both topics have as many (a new target topic is created
with the source's count). --speed 1 is real time: a record is sent when its original
time, divided by the speed, has passed since the first. --loop replays the records
again and again, one visit (records of one timestamp) every --interval, stamped now.")]
pub struct Args {
    #[command(flatten)]
    pub from: FromArgs,
    /// A night: its topic, or on a long-lived topic its dayObs window (12:00 to 12:00 UTC).
    #[arg(long, value_name = "NIGHT", value_parser = values::night)]
    pub night: Option<chrono::NaiveDate>,
    /// The topic to write.
    #[arg(long = "to", value_name = "TOPIC")]
    pub to: String,
    /// Where to start: beginning, N, -N, @TIME or @T1:T2.
    #[arg(
        short = 'o',
        long = "offset",
        value_name = "OFFSET",
        value_parser = values::offset, allow_hyphen_values = true
    )]
    pub offset: Option<OffsetSpec>,
    /// Stop before the first record after this time (@TIME).
    #[arg(long, value_name = "@TIME", value_parser = values::time)]
    pub until: Option<i64>,
    /// Speed factor (1 = real time), or max.
    #[arg(long, default_value = "1", value_parser = clap::value_parser!(Speed))]
    pub speed: Speed,
    /// Timestamps of the copies: `original` (their CreateTime) or `now`.
    #[arg(long, value_parser = ["original", "now"], default_value = "original")]
    pub timestamp: String,
    /// Replay forever, one visit every --interval, stamped now.
    #[arg(long = "loop")]
    pub repeat: bool,
    /// With --loop: time between visits.
    #[arg(long, default_value = "37s", value_parser = values::duration, value_name = "DURATION")]
    pub interval: Duration,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// Run `alertctl replay`.
pub fn exec(a: Args, ctx: &mut Ctx) -> CmdResult {
    let opts = ReplayOptions {
        topic: a.from.topic(ctx),
        night: a.night,
        to: a.to.clone(),
        offset: a.offset,
        until_ms: a.until,
        speed: a.speed,
        repeat: a.repeat.then_some(a.interval),
        keep_timestamps: a.timestamp == "original",
        target: a.kafka.target(),
    };
    let stop = ctx.stop();
    let started = std::time::Instant::now();
    let r = replay(&opts, &mut ctx.diag, &stop)?;
    ctx.diag.clear();
    ctx.diag.info(&format!(
        "replayed {} records from {} to {}{} in {:.1} s",
        r.done.records,
        r.source,
        r.to,
        if a.repeat {
            format!(" ({} passes)", r.done.passes)
        } else {
            String::new()
        },
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}
