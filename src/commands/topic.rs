//! `alertctl topic`: create, list, describe, delete and expire topics.

use chrono::Utc;
use serde_json::json;

use super::{line, stdout, stdout_is_tty, topic_or_night, CliError, CliResult, Format, KafkaArgs};
use crate::kafka::admin::{Admin, TopicInfo, TopicSpec};
use crate::kafka::offsets::parse_duration;
use crate::night;

/// The `topic` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum TopicCommand {
    /// List topics: partitions, messages (by watermarks), retention, night.
    #[command(
        after_help = "Examples:\n  alertctl topic list -b 127.0.0.1:9092\n  alertctl topic list 'lsst-2024-05-.*' --format jsonl"
    )]
    List(ListArgs),
    /// Show one topic's partitions with their watermarks.
    Describe(DescribeArgs),
    /// Create a topic (a night's topic with --night).
    #[command(
        after_help = "Examples:\n  alertctl topic create --night today --partitions 8\n  alertctl topic create replay-test --retention forever"
    )]
    Create(CreateArgs),
    /// Delete a topic.
    Delete(DeleteArgs),
    /// Delete night topics (lsst-YYYY-MM-DD) older than a number of days, by name.
    #[command(
        after_help = "Examples:\n  alertctl topic expire --older-than 7d --dry-run\n  alertctl topic expire --older-than 30d"
    )]
    Expire(ExpireArgs),
}

/// Arguments of `topic list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only topics matching this regex (whole name).
    pub pattern: Option<String>,
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// Output format (default: table on a terminal, jsonl otherwise).
    #[arg(long, value_parser = super::rows_format, value_name = "FORMAT")]
    pub format: Option<Format>,
}

/// One topic, by name or by night.
#[derive(Debug, clap::Args)]
pub struct TopicOrNight {
    /// The topic (an exact name).
    #[arg(required_unless_present = "night")]
    pub topic: Option<String>,
    /// A night's topic instead: YYYY-MM-DD, today or yesterday.
    #[arg(long, value_name = "NIGHT", value_parser = super::values::night)]
    pub night: Option<chrono::NaiveDate>,
}

impl TopicOrNight {
    fn name(&self) -> Result<String, CliError> {
        Ok(topic_or_night(self.topic.as_deref(), self.night)?.expect("clap requires one"))
    }
}

/// Arguments of `topic describe`.
#[derive(Debug, clap::Args)]
pub struct DescribeArgs {
    #[command(flatten)]
    pub which: TopicOrNight,
    #[command(flatten)]
    pub kafka: KafkaArgs,
    /// Output format (default: table on a terminal, jsonl otherwise).
    #[arg(long, value_parser = super::rows_format, value_name = "FORMAT")]
    pub format: Option<Format>,
}

/// Arguments of `topic create`.
#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    #[command(flatten)]
    pub which: TopicOrNight,
    /// Partitions.
    #[arg(long, default_value_t = 4)]
    pub partitions: i32,
    /// Replication factor (1 for one broker; 3 on a production cluster).
    #[arg(long, default_value_t = 1)]
    pub replication: i32,
    /// How long records are kept: a duration (7d) or `forever`.
    #[arg(long, default_value = "7d", value_parser = super::values::retention)]
    pub retention: i64,
    /// Which time records carry: the producer's (create) or the broker's at append
    /// (log-append, as some of Rubin's deployments).
    #[arg(long, value_enum, default_value = "create")]
    pub timestamp_type: TimestampType,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// `message.timestamp.type` of a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TimestampType {
    /// CreateTime: the producer's timestamp.
    Create,
    /// LogAppendTime: the broker's time of append.
    LogAppend,
}

/// Arguments of `topic delete`.
#[derive(Debug, clap::Args)]
pub struct DeleteArgs {
    #[command(flatten)]
    pub which: TopicOrNight,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// Arguments of `topic expire`.
#[derive(Debug, clap::Args)]
pub struct ExpireArgs {
    /// Delete night topics whose night is more than this long before tonight (7d).
    #[arg(long, value_parser = super::values::duration, value_name = "DURATION")]
    pub older_than: std::time::Duration,
    /// Say what would be deleted, delete nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// Parse a retention: a duration, or `forever` / `-1`.
pub fn parse_retention(s: &str) -> Result<i64, String> {
    match s.trim() {
        "forever" | "infinite" | "-1" => Ok(-1),
        t => parse_duration(t)
            .map(|d| d.as_millis() as i64)
            .map_err(|e| e.to_string()),
    }
}

fn retention_text(ms: Option<i64>) -> String {
    match ms {
        None => "?".into(),
        Some(-1) => "forever".into(),
        Some(ms) if ms % 86_400_000 == 0 => format!("{}d", ms / 86_400_000),
        Some(ms) if ms % 3_600_000 == 0 => format!("{}h", ms / 3_600_000),
        Some(ms) => format!("{}s", ms / 1000),
    }
}

/// Whether a topic is a long-lived one whose content is shown by night: it fits the
/// profile's per-major pattern, or Rubin's (`lsst-alerts-v...`).
fn long_lived(layout: &crate::night::Layout, name: &str) -> bool {
    let fits = |pattern: &str| {
        let (head, tail) = pattern.split_once("{major}").unwrap_or((pattern, ""));
        name.strip_prefix(head)
            .and_then(|r| r.strip_suffix(tail))
            .is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.'))
    };
    match layout {
        crate::night::Layout::PerMajor { pattern } => fits(pattern),
        crate::night::Layout::Nightly => fits(crate::night::PER_MAJOR_PATTERN),
    }
}

fn topic_json(t: &TopicInfo) -> serde_json::Value {
    json!({
        "topic": t.name,
        "partitions": t.partitions.len(),
        "messages": t.messages(),
        "retention_ms": t.retention_ms,
        "night": t.night().map(|d| d.to_string()),
    })
}

fn format_of(f: Option<Format>) -> Format {
    f.unwrap_or(if stdout_is_tty() {
        Format::Table
    } else {
        Format::Jsonl
    })
}

fn table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY);
    t.set_header(header.to_vec());
    for r in rows {
        t.add_row(r);
    }
    t.to_string()
}

/// Run a `topic` subcommand.
pub fn exec(cmd: TopicCommand) -> CliResult {
    let mut out = stdout();
    match cmd {
        TopicCommand::List(a) => {
            let conn = a.kafka.connection()?;
            let admin = Admin::connect(&conn)?;
            let mut names = admin.topic_names()?;
            if let Some(p) = &a.pattern {
                let re = crate::kafka::admin::topic_regex(p)?;
                names.retain(|n| re.is_match(n));
            }
            let infos = names
                .iter()
                .map(|n| admin.describe(n))
                .collect::<Result<Vec<_>, _>>()?;
            // A long-lived topic's content, night by night.
            let today = crate::night::day_obs(chrono::Utc::now());
            let nights = infos
                .iter()
                .map(|t| {
                    if long_lived(&conn.layout, &t.name) && t.messages() > 0 {
                        admin.per_night(t, today, 400)
                    } else {
                        Ok(Vec::new())
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            match format_of(a.format) {
                Format::Jsonl
                | Format::Json
                | Format::Raw
                | Format::Envelope
                | Format::EnvelopeRaw => {
                    for (t, per_night) in infos.iter().zip(&nights) {
                        let mut j = topic_json(t);
                        if !per_night.is_empty() {
                            j["nights"] = per_night
                                .iter()
                                .map(|(d, n)| {
                                    (d.map_or("earlier".to_string(), |d| d.to_string()), json!(n))
                                })
                                .collect::<serde_json::Map<_, _>>()
                                .into();
                        }
                        line(&mut out, &j.to_string())?;
                    }
                }
                Format::Table => {
                    let mut rows = Vec::new();
                    for (t, per_night) in infos.iter().zip(&nights) {
                        rows.push(vec![
                            t.name.clone(),
                            t.partitions.len().to_string(),
                            t.messages().to_string(),
                            retention_text(t.retention_ms),
                            t.night().map(|d| d.to_string()).unwrap_or_default(),
                        ]);
                        for (d, n) in per_night {
                            rows.push(vec![
                                String::new(),
                                String::new(),
                                n.to_string(),
                                String::new(),
                                d.map_or("earlier".to_string(), |d| d.to_string()),
                            ]);
                        }
                    }
                    line(
                        &mut out,
                        &table(
                            &["topic", "partitions", "messages", "retention", "night"],
                            rows,
                        ),
                    )?;
                }
            }
        }
        TopicCommand::Describe(a) => {
            let topic = a.which.name()?;
            let admin = Admin::connect(&a.kafka.connection()?)?;
            let t = admin.describe(&topic)?;
            match format_of(a.format) {
                Format::Jsonl
                | Format::Json
                | Format::Raw
                | Format::Envelope
                | Format::EnvelopeRaw => {
                    for p in &t.partitions {
                        let row = json!({"topic": t.name, "partition": p.id, "leader": p.leader, "low": p.low, "high": p.high, "messages": p.high - p.low});
                        line(&mut out, &row.to_string())?;
                    }
                }
                Format::Table => {
                    line(
                        &mut out,
                        &format!(
                            "{}: {} messages, retention {}",
                            t.name,
                            t.messages(),
                            retention_text(t.retention_ms)
                        ),
                    )?;
                    let rows = t
                        .partitions
                        .iter()
                        .map(|p| {
                            vec![
                                p.id.to_string(),
                                p.leader.to_string(),
                                p.low.to_string(),
                                p.high.to_string(),
                                (p.high - p.low).to_string(),
                            ]
                        })
                        .collect();
                    line(
                        &mut out,
                        &table(&["partition", "leader", "low", "high", "messages"], rows),
                    )?;
                }
            }
        }
        TopicCommand::Create(a) => {
            let topic = a.which.name()?;
            if a.partitions < 1 {
                return Err(CliError::usage("--partitions must be at least 1"));
            }
            let admin = Admin::connect(&a.kafka.connection()?)?;
            let spec = TopicSpec {
                name: topic.clone(),
                partitions: a.partitions,
                replication: a.replication,
                retention_ms: a.retention,
                timestamp_type: Some(
                    match a.timestamp_type {
                        TimestampType::Create => "CreateTime",
                        TimestampType::LogAppend => "LogAppendTime",
                    }
                    .into(),
                ),
            };
            if admin.create(&spec)? {
                eprintln!(
                    "alertctl: created topic {topic} ({} partitions, retention {})",
                    a.partitions,
                    retention_text(Some(a.retention))
                );
            } else {
                return Err(CliError::failure(format!("topic {topic} already exists")));
            }
        }
        TopicCommand::Delete(a) => {
            let topic = a.which.name()?;
            if crate::kafka::admin::is_pattern(&topic) {
                return Err(CliError::usage(format!(
                    "`{topic}` looks like a pattern: topic delete takes one exact name"
                )));
            }
            let admin = Admin::connect(&a.kafka.connection()?)?;
            admin.delete(&topic)?;
            eprintln!("alertctl: deleted topic {topic}");
        }
        TopicCommand::Expire(a) => {
            let admin = Admin::connect(&a.kafka.connection()?)?;
            let today = night::day_obs(Utc::now());
            let expired = admin.expired(today, a.older_than)?;
            for t in &expired {
                if !a.dry_run {
                    admin.delete(t)?;
                }
                line(
                    &mut out,
                    &json!({"topic": t, "deleted": !a.dry_run}).to_string(),
                )?;
            }
            eprintln!(
                "alertctl: {} {} night topics older than {} days before {today}",
                if a.dry_run { "would delete" } else { "deleted" },
                expired.len(),
                a.older_than.as_secs() / 86_400
            );
        }
    }
    std::io::Write::flush(&mut out)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::admin::DEFAULT_RETENTION_MS;

    #[test]
    fn retentions() {
        assert_eq!(parse_retention("7d"), Ok(DEFAULT_RETENTION_MS));
        assert_eq!(parse_retention("forever"), Ok(-1));
        assert_eq!(retention_text(Some(-1)), "forever");
        assert_eq!(retention_text(Some(DEFAULT_RETENTION_MS)), "7d");
        assert!(parse_retention("soon").is_err());
    }
}
