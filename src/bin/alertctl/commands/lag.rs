//! `alertctl lag`: consumer groups' committed offsets and how far behind they are.

use serde_json::json;

use alertctl::jobs::copy::lag_job;
use alertctl::render::printer::{rows, RowFormat};
use alertctl::render::table::bordered;

use crate::args::{values, CmdResult, Ctx, KafkaArgs};

/// Consumer groups' committed offsets, end offsets and lag.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  alertctl lag                 # every group the brokers list
  alertctl lag --group Filter001 | jq -s 'map(.lag) | add'")]
pub struct Args {
    /// Only this group (the profile's group_prefix applies).
    #[arg(long, short = 'G')]
    pub group: Option<String>,
    /// Output format (default: table on a terminal, jsonl otherwise).
    #[arg(long, value_parser = values::row_format, value_name = "FORMAT")]
    pub format: Option<RowFormat>,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// Run `alertctl lag`.
pub fn exec(a: Args, ctx: &mut Ctx) -> CmdResult {
    let found = lag_job(&a.kafka.target(), a.group.as_deref(), &mut ctx.diag)?;
    let json: Vec<serde_json::Value> = found
        .iter()
        .map(|r| json!({"group": r.group, "topic": r.topic, "partition": r.partition, "committed": r.committed, "end": r.end, "lag": r.lag()}))
        .collect();
    rows(
        &mut ctx.stdout(),
        RowFormat::or_default(a.format, ctx.terminal),
        &json,
        |_| {
            bordered(
                ["group", "topic", "partition", "committed", "end", "lag"],
                found.iter().map(|r| {
                    [
                        r.group.clone(),
                        r.topic.clone(),
                        r.partition.to_string(),
                        r.committed.to_string(),
                        r.end.to_string(),
                        r.lag().to_string(),
                    ]
                }),
            )
        },
    )?;
    Ok(())
}
