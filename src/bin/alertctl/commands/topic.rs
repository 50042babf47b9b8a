//! `alertctl topic`: create, list, describe, delete and expire topics.

use serde_json::json;

use alertctl::jobs::topics::{
    create_topic, delete_topic, describe_topic, expire_topics, list_topics, retention_text, Create,
};
use alertctl::jobs::Report;
use alertctl::render::printer::{rows, RowFormat};
use alertctl::render::table::bordered;

use crate::args::{values, CmdResult, Ctx, KafkaArgs};

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
    #[arg(long, value_parser = values::row_format, value_name = "FORMAT")]
    pub format: Option<RowFormat>,
}

/// One topic, by name or by night.
#[derive(Debug, clap::Args)]
pub struct TopicOrNight {
    /// The topic (an exact name).
    #[arg(required_unless_present = "night")]
    pub topic: Option<String>,
    /// A night's topic instead: YYYY-MM-DD, today or yesterday.
    #[arg(long, value_name = "NIGHT", value_parser = values::night)]
    pub night: Option<chrono::NaiveDate>,
}

impl TopicOrNight {
    fn name(&self) -> String {
        match (&self.topic, self.night) {
            (Some(t), _) => t.clone(),
            (None, Some(d)) => alertctl::night::topic_name(d),
            (None, None) => unreachable!("clap requires one"),
        }
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
    #[arg(long, value_parser = values::row_format, value_name = "FORMAT")]
    pub format: Option<RowFormat>,
}

/// Arguments of `topic create`.
#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    #[command(flatten)]
    pub which: TopicOrNight,
    /// Partitions.
    #[arg(long, default_value_t = 4)]
    pub partitions: i32,
    /// Replication factor (default: 3 on a cluster of three brokers or more, else one
    /// copy per broker).
    #[arg(long)]
    pub replication: Option<i32>,
    /// How long records are kept: a duration (7d) or `forever`.
    #[arg(long, default_value = "7d", value_parser = values::retention)]
    pub retention: i64,
    /// Which time records carry: the producer's (create) or the broker's at append
    /// (log-append, as some of Rubin's deployments).
    #[arg(long, value_parser = ["create", "log-append"], default_value = "create")]
    pub timestamp_type: String,
    #[command(flatten)]
    pub kafka: KafkaArgs,
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
    #[arg(long, value_parser = values::duration, value_name = "DURATION")]
    pub older_than: std::time::Duration,
    /// Say what would be deleted, delete nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub kafka: KafkaArgs,
}

/// Run `alertctl topic`.
pub fn exec(cmd: TopicCommand, ctx: &mut Ctx) -> CmdResult {
    match cmd {
        TopicCommand::List(a) => {
            let listed = list_topics(&a.kafka.target(), a.pattern.as_deref(), &mut ctx.diag)?;
            let json: Vec<serde_json::Value> = listed
                .iter()
                .map(|l| {
                    let t = &l.info;
                    let mut j = json!({
                        "topic": t.name,
                        "partitions": t.partitions.len(),
                        "messages": t.messages(),
                        "retention_ms": t.retention_ms,
                        "night": t.night().map(|d| d.to_string()),
                    });
                    if !l.nights.is_empty() {
                        j["nights"] = l
                            .nights
                            .iter()
                            .map(|(d, n)| {
                                (d.map_or("earlier".to_string(), |d| d.to_string()), json!(n))
                            })
                            .collect::<serde_json::Map<_, _>>()
                            .into();
                    }
                    j
                })
                .collect();
            rows(
                &mut ctx.stdout(),
                RowFormat::or_default(a.format, ctx.terminal),
                &json,
                |_| {
                    let mut table = Vec::new();
                    for l in &listed {
                        let t = &l.info;
                        table.push([
                            t.name.clone(),
                            t.partitions.len().to_string(),
                            t.messages().to_string(),
                            retention_text(t.retention_ms),
                            t.night().map(|d| d.to_string()).unwrap_or_default(),
                        ]);
                        for (d, n) in &l.nights {
                            table.push([
                                String::new(),
                                String::new(),
                                n.to_string(),
                                String::new(),
                                d.map_or("earlier".to_string(), |d| d.to_string()),
                            ]);
                        }
                    }
                    bordered(
                        ["topic", "partitions", "messages", "retention", "night"],
                        table,
                    )
                },
            )?;
        }
        TopicCommand::Describe(a) => {
            let t = describe_topic(&a.kafka.target(), &a.which.name(), &mut ctx.diag)?;
            let json: Vec<serde_json::Value> = t
                .partitions
                .iter()
                .map(|p| json!({"topic": t.name, "partition": p.id, "leader": p.leader, "low": p.low, "high": p.high, "messages": p.high - p.low}))
                .collect();
            rows(
                &mut ctx.stdout(),
                RowFormat::or_default(a.format, ctx.terminal),
                &json,
                |_| {
                    format!(
                        "{}: {} messages, retention {}\n{}",
                        t.name,
                        t.messages(),
                        retention_text(t.retention_ms),
                        bordered(
                            ["partition", "leader", "low", "high", "messages"],
                            t.partitions.iter().map(|p| {
                                [
                                    p.id.to_string(),
                                    p.leader.to_string(),
                                    p.low.to_string(),
                                    p.high.to_string(),
                                    (p.high - p.low).to_string(),
                                ]
                            })
                        )
                    )
                },
            )?;
        }
        TopicCommand::Create(a) => {
            let c = Create {
                name: a.which.name(),
                partitions: a.partitions,
                replication: a.replication,
                retention_ms: a.retention,
                timestamp_type: if a.timestamp_type == "log-append" {
                    "LogAppendTime".into()
                } else {
                    "CreateTime".into()
                },
            };
            let spec = create_topic(&a.kafka.target(), &c, &mut ctx.diag)?;
            ctx.diag.info(&format!(
                "created topic {} ({} partitions, replication {}, retention {})",
                spec.name,
                spec.partitions,
                spec.replication,
                retention_text(Some(spec.retention_ms))
            ));
        }
        TopicCommand::Delete(a) => {
            let topic = a.which.name();
            delete_topic(&a.kafka.target(), &topic, &mut ctx.diag)?;
            ctx.diag.info(&format!("deleted topic {topic}"));
        }
        TopicCommand::Expire(a) => {
            let (today, expired) =
                expire_topics(&a.kafka.target(), a.older_than, a.dry_run, &mut ctx.diag)?;
            ctx.lines(
                expired
                    .iter()
                    .map(|t| json!({"topic": t, "deleted": !a.dry_run}).to_string()),
            )?;
            ctx.diag.info(&format!(
                "{} {} night topics older than {} days before {today}",
                if a.dry_run { "would delete" } else { "deleted" },
                expired.len(),
                a.older_than.as_secs() / 86_400
            ));
        }
    }
    Ok(())
}
