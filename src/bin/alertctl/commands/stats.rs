//! `alertctl stats`: what a topic (or visit file) holds.

use std::path::PathBuf;

use alertctl::jobs::stats::{run, Source};
use alertctl::render::printer::RowFormat;

use crate::args::{values, CmdResult, Ctx, FromArgs, KafkaArgs, SchemaArgs, WindowArgs};

/// Alerts per visit and band, bytes and time range of a topic or visit file.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  alertctl stats --night today
  alertctl stats --from lsst-2024-05-01 --format json | jq .per_band
  alertctl stats --file night.avro")]
pub struct Args {
    #[command(flatten)]
    pub from: FromArgs,
    /// A night: its topic, or on a long-lived topic its dayObs window.
    #[arg(long, value_name = "NIGHT", value_parser = values::night)]
    pub night: Option<chrono::NaiveDate>,
    #[command(flatten)]
    pub window: WindowArgs,
    /// A visit file instead of Kafka.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["from", "topic_old"])]
    pub file: Option<PathBuf>,
    /// Output format (default: text on a terminal, one JSON object otherwise).
    #[arg(long, value_parser = values::row_format, value_name = "FORMAT")]
    pub format: Option<RowFormat>,
    #[command(flatten)]
    pub dirs: SchemaArgs,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// Run `alertctl stats`.
pub fn exec(a: Args, ctx: &mut Ctx) -> CmdResult {
    let source = match &a.file {
        Some(f) => Source::File(f.clone()),
        None => Source::Kafka {
            topic: a.from.topic(ctx),
            night: a.night,
            windowing: a.window.windowing(),
            target: a.kafka.target(),
        },
    };
    let s = run(
        &source,
        &a.dirs.sources(a.kafka.profile.as_deref()),
        &mut ctx.diag,
    )?;
    match RowFormat::or_default(a.format, ctx.terminal) {
        RowFormat::Table => ctx.lines(s.to_text()),
        RowFormat::Jsonl | RowFormat::Json => ctx.lines([s.to_json().to_string()]),
    }
}
