//! `alertctl rewind`: move a consumer group's committed offsets.

use serde_json::json;

use alertctl::jobs::copy::{rewind_job, RewindOptions, RewindSpec};
use alertctl::jobs::Report;
use alertctl::render::printer::{rows, RowFormat};
use alertctl::render::table::bordered;
use alertctl::transport::kafka::offsets::OffsetSpec;
use alertctl::Error;

use crate::args::{values, CmdResult, Ctx, KafkaArgs};

/// Move a consumer group's committed offsets.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  alertctl rewind --group Filter001 --night 2024-05-01 -o beginning --dry-run
  alertctl rewind --group Filter001 --from lsst-2024-05-01 -o @2024-05-02T03:00:00Z
  alertctl rewind --group mirror --from lsst-2024-05-01 --shift -1000

This is how a filter is run again over an earlier night: stop its consumers, rewind
its group, start them again. The group must have no active members. On a long-lived
topic, --night's beginning and end are its window's.")]
pub struct Args {
    /// The consumer group.
    #[arg(long, short = 'G')]
    pub group: String,
    /// The topic.
    #[arg(long, value_name = "TOPIC")]
    pub from: Option<String>,
    /// The old spelling of --from (one more release).
    #[arg(long = "topic", short = 't', hide = true, conflicts_with = "from")]
    pub topic_old: Option<String>,
    /// A night: its topic, or on a long-lived topic its window.
    #[arg(long, value_name = "NIGHT", value_parser = values::night)]
    pub night: Option<chrono::NaiveDate>,
    /// Where to move: beginning, end, or @TIME (the first record at or after it).
    #[arg(short = 'o', long = "offset", value_name = "OFFSET", value_parser = values::offset, allow_hyphen_values = true)]
    pub offset: Option<OffsetSpec>,
    /// Move by N records from the committed offset (negative: back).
    #[arg(
        long,
        value_name = "N",
        allow_hyphen_values = true,
        conflicts_with = "offset"
    )]
    pub shift: Option<i64>,
    /// The old spelling of -o beginning.
    #[arg(long, hide = true)]
    pub to_beginning: bool,
    /// The old spelling of -o end.
    #[arg(long, hide = true)]
    pub to_end: bool,
    /// The old spelling of -o @TIME.
    #[arg(long, value_name = "@TIME", value_parser = values::time, hide = true)]
    pub to: Option<i64>,
    /// Say what would move, and move nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Output format (default: table on a terminal, jsonl otherwise).
    #[arg(long, value_parser = values::row_format, value_name = "FORMAT")]
    pub format: Option<RowFormat>,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// Run `alertctl rewind`.
pub fn exec(a: Args, ctx: &mut Ctx) -> CmdResult {
    let topic = match &a.topic_old {
        Some(t) => {
            ctx.deprecated("--topic/-t", "--from");
            Some(t.clone())
        }
        None => a.from.clone(),
    };
    if topic.is_none() && a.night.is_none() {
        return Err(Error::usage(
            "give the topic: --from TOPIC or --night NIGHT",
        ));
    }
    let old = [
        (a.to_beginning, "--to-beginning", "-o beginning"),
        (a.to_end, "--to-end", "-o end"),
        (a.to.is_some(), "--to", "-o @TIME"),
    ];
    for (given, was, now) in old {
        if given {
            ctx.deprecated(was, now);
        }
    }
    let to = match (a.offset, a.shift, a.to_beginning, a.to_end, a.to) {
        (Some(OffsetSpec::Beginning), ..) | (_, _, true, ..) => RewindSpec::Beginning,
        (Some(OffsetSpec::End), ..) | (_, _, _, true, _) => RewindSpec::End,
        (Some(OffsetSpec::Time(t)), ..) | (.., Some(t)) => RewindSpec::Time(t),
        (Some(_), ..) => {
            return Err(Error::usage(
                "rewind -o takes beginning, end or @TIME (or --shift N)",
            ))
        }
        (None, Some(n), ..) => RewindSpec::Shift(n),
        (None, None, ..) => {
            return Err(Error::usage(
                "say where to: -o beginning|end|@TIME, or --shift N",
            ))
        }
    };
    let opts = RewindOptions {
        group: a.group.clone(),
        topic,
        night: a.night,
        to,
        dry_run: a.dry_run,
        target: a.kafka.target(),
    };
    let r = rewind_job(&opts, &mut ctx.diag)?;
    let json: Vec<serde_json::Value> = r
        .moves
        .iter()
        .map(|m| json!({"topic": m.topic, "partition": m.partition, "old": m.old, "new": m.new, "low": m.low, "high": m.high}))
        .collect();
    rows(
        &mut ctx.stdout(),
        RowFormat::or_default(a.format, ctx.terminal),
        &json,
        |_| {
            bordered(
                ["topic", "partition", "old", "new", "low", "high"],
                r.moves.iter().map(|m| {
                    [
                        m.topic.clone(),
                        m.partition.to_string(),
                        m.old.map_or("-".into(), |o| o.to_string()),
                        m.new.to_string(),
                        m.low.to_string(),
                        m.high.to_string(),
                    ]
                }),
            )
        },
    )?;
    ctx.diag.info(&format!(
        "{} group {} on {}",
        if a.dry_run { "would move" } else { "moved" },
        r.group,
        r.topic
    ));
    Ok(())
}
