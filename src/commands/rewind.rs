//! `alertctl rewind`: move a consumer group's committed offsets.

use serde_json::json;

use super::{line, stdout, stdout_is_tty, CliResult, KafkaArgs};
use crate::kafka::copy::{rewind, RewindTo};

/// Move an inactive consumer group's committed offsets on a topic.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  alertctl rewind --group Filter001 --night 2024-05-01 --to-beginning --dry-run
  alertctl rewind --group Filter001 --topic lsst-2024-05-01 --to @2024-05-02T03:00:00Z
  alertctl rewind --group mirror --topic lsst-2024-05-01 --shift -1000

This is how a filter is run again over an earlier night: stop its consumers, rewind
its group, start them again. The group must have no active members.")]
#[command(group(clap::ArgGroup::new("target").required(true).args(["to_beginning", "to_end", "to", "shift"])))]
pub struct Args {
    /// The consumer group.
    #[arg(long, short = 'G')]
    pub group: String,
    /// The topic.
    #[arg(long, short = 't', required_unless_present = "night")]
    pub topic: Option<String>,
    /// A night's topic instead; with --topic a long-lived topic, the night's window:
    /// --to-beginning is its start, --to-end its end.
    #[arg(long, value_name = "NIGHT", value_parser = super::values::night)]
    pub night: Option<chrono::NaiveDate>,
    /// To the oldest kept record.
    #[arg(long)]
    pub to_beginning: bool,
    /// To after the newest record.
    #[arg(long)]
    pub to_end: bool,
    /// To the first record at or after @TIME.
    #[arg(long, value_name = "@TIME", value_parser = super::values::time)]
    pub to: Option<i64>,
    /// By N records from the committed offset (negative: back).
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub shift: Option<i64>,
    /// Print the old -> new offsets; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// Run `alertctl rewind`.
pub fn exec(a: Args) -> CliResult {
    let conn = a.kafka.connection()?;
    let reading = super::reading(
        a.topic.as_deref(),
        a.night,
        None,
        &crate::kafka::admin::Admin::connect(&conn)?,
    )?
    .expect("clap requires one");
    let topic = reading.topic.clone();
    let window = reading.window;
    let target = match (a.to_beginning, a.to_end, a.to, a.shift) {
        (true, ..) => window.map_or(RewindTo::Beginning, |w| RewindTo::Time(w.start_ms)),
        (_, true, ..) => window.map_or(RewindTo::End, |w| RewindTo::Time(w.end_ms)),
        (_, _, Some(t), _) => RewindTo::Time(t),
        (_, _, _, Some(n)) => RewindTo::Shift(n),
        _ => unreachable!("clap requires a target"),
    };
    let group = super::group_id(&conn, &a.group);
    let moves = rewind(&conn, &group, &topic, target, a.dry_run)?;
    let mut out = stdout();
    if stdout_is_tty() {
        let mut t = comfy_table::Table::new();
        t.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY);
        t.set_header(["topic", "partition", "old", "new", "low", "high"]);
        for m in &moves {
            t.add_row([
                m.topic.clone(),
                m.partition.to_string(),
                m.old.map_or("-".into(), |o| o.to_string()),
                m.new.to_string(),
                m.low.to_string(),
                m.high.to_string(),
            ]);
        }
        line(&mut out, &t.to_string())?;
    } else {
        for m in &moves {
            line(&mut out, &json!({"topic": m.topic, "partition": m.partition, "old": m.old, "new": m.new, "low": m.low, "high": m.high}).to_string())?;
        }
    }
    std::io::Write::flush(&mut out)?;
    eprintln!(
        "alertctl: {} group {} on {topic}",
        if a.dry_run { "would move" } else { "moved" },
        group
    );
    Ok(())
}
