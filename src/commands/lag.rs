//! `alertctl lag`: consumer groups' committed offsets and how far behind they are.

use serde_json::json;

use super::{line, stdout, stdout_is_tty, CliResult, KafkaArgs};
use crate::kafka::copy::lag;

/// Show consumer groups' committed offsets, end offsets and lag.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  alertctl lag                 # every group the brokers list
  alertctl lag --group Filter001 | jq -s 'map(.lag) | add'")]
pub struct Args {
    /// One group (default: every group).
    #[arg(long, short = 'G')]
    pub group: Option<String>,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// Run `alertctl lag`.
pub fn exec(a: Args) -> CliResult {
    let conn = a.kafka.connection()?;
    let group = a.group.as_deref().map(|g| conn.group_id(g).id);
    let rows = lag(&conn, group.as_deref())?;
    let mut out = stdout();
    if stdout_is_tty() {
        let mut t = comfy_table::Table::new();
        t.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY);
        t.set_header(["group", "topic", "partition", "committed", "end", "lag"]);
        for r in &rows {
            t.add_row([
                r.group.clone(),
                r.topic.clone(),
                r.partition.to_string(),
                r.committed.to_string(),
                r.end.to_string(),
                r.lag().to_string(),
            ]);
        }
        line(&mut out, &t.to_string())?;
    } else {
        for r in &rows {
            line(&mut out, &json!({"group": r.group, "topic": r.topic, "partition": r.partition, "committed": r.committed, "end": r.end, "lag": r.lag()}).to_string())?;
        }
    }
    std::io::Write::flush(&mut out)?;
    Ok(())
}
