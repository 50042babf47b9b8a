//! Topics: the policy by which alertctl creates them, and topic admin (list, describe,
//! create, delete, expire).
//!
//! The policy, in one place: a night topic has 4 partitions and 7 days of retention;
//! Rubin's long-lived per-major topic 45 partitions and about 30 days; a filter's
//! output keeps records as long as its inputs do; a copy (replay, mirror) has its
//! source's partitions and retention. Every topic is replicated as the cluster allows
//! ([`Admin::default_replication`]: three copies on a production cluster).

use chrono::{NaiveDate, Utc};

use super::Report;
use crate::error::Error;
use crate::night;
use crate::transport::kafka::admin::{
    is_pattern, topic_regex, Admin, TopicInfo, TopicSpec, DEFAULT_RETENTION_MS,
    PER_MAJOR_RETENTION_MS,
};
use crate::transport::kafka::offsets::parse_duration;
use crate::transport::kafka::KafkaError;

/// Partitions of a night topic alertctl creates.
pub const NIGHT_PARTITIONS: i32 = 4;
/// Partitions of a long-lived per-major topic alertctl creates (as Rubin's).
pub const PER_MAJOR_PARTITIONS: i32 = 45;

/// The kind of topic being created, which decides its partitions and retention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One night's alerts (the design's layout).
    Night,
    /// Rubin's long-lived topic of one schema MAJOR.
    PerMajor,
    /// Output of filters reading inputs kept this long (ms; -1 forever).
    Output {
        /// The inputs' longest retention.
        retention_ms: i64,
    },
    /// A copy of a topic with these partitions and retention.
    Copy {
        /// The source's partitions.
        partitions: i32,
        /// The source's retention (ms; -1 forever).
        retention_ms: i64,
    },
}

impl Kind {
    /// Partitions and retention of a topic of this kind.
    pub fn layout(self) -> (i32, i64) {
        match self {
            Kind::Night => (NIGHT_PARTITIONS, DEFAULT_RETENTION_MS),
            Kind::PerMajor => (PER_MAJOR_PARTITIONS, PER_MAJOR_RETENTION_MS),
            Kind::Output { retention_ms } => (1, retention_ms),
            Kind::Copy {
                partitions,
                retention_ms,
            } => (partitions, retention_ms),
        }
    }
}

/// The spec of a topic of `kind` on `admin`'s cluster; `partitions` and `retention_ms`
/// override the kind's when given.
pub fn spec(
    admin: &Admin,
    name: &str,
    kind: Kind,
    partitions: Option<i32>,
    retention_ms: Option<i64>,
) -> Result<TopicSpec, KafkaError> {
    let (p, r) = kind.layout();
    Ok(TopicSpec {
        name: name.to_string(),
        partitions: partitions.unwrap_or(p),
        replication: admin.default_replication()?,
        retention_ms: retention_ms.unwrap_or(r),
        timestamp_type: None,
    })
}

/// Create a topic of `kind` unless it exists; says so when it was created. Returns
/// whether it was.
pub fn ensure(
    admin: &Admin,
    name: &str,
    kind: Kind,
    partitions: Option<i32>,
    retention_ms: Option<i64>,
    report: &mut dyn Report,
) -> Result<bool, Error> {
    let s = spec(admin, name, kind, partitions, retention_ms)?;
    let created = admin.create(&s)?;
    if created {
        report.info(&format!(
            "created topic {name} ({} partitions, retention {})",
            s.partitions,
            retention_text(Some(s.retention_ms))
        ));
    }
    Ok(created)
}

/// The longest retention of some topics (forever, -1, if any keeps forever); a topic
/// whose retention the broker does not tell counts as the default 7 days.
pub fn longest_retention(admin: &Admin, topics: &[String]) -> i64 {
    topics
        .iter()
        .map(|t| admin.retention_ms(t).unwrap_or(DEFAULT_RETENTION_MS))
        .try_fold(0i64, |a, r| (r >= 0).then(|| a.max(r)))
        .unwrap_or(-1)
}

/// A retention as a user writes it: a duration (`7d`, `36h`) or `forever`; ms (-1 forever).
pub fn parse_retention(s: &str) -> Result<i64, String> {
    match s.trim() {
        "forever" | "infinite" | "-1" => Ok(-1),
        t => parse_duration(t)
            .map(|d| d.as_millis() as i64)
            .map_err(|e| e.to_string()),
    }
}

/// A retention for people: `forever`, `7d`, `36h`, `90s`, or `?` when unknown.
pub fn retention_text(ms: Option<i64>) -> String {
    match ms {
        None => "?".into(),
        Some(-1) => "forever".into(),
        Some(ms) if ms % 86_400_000 == 0 => format!("{}d", ms / 86_400_000),
        Some(ms) if ms % 3_600_000 == 0 => format!("{}h", ms / 3_600_000),
        Some(ms) => format!("{}s", ms / 1000),
    }
}

/// Whether `name` is a long-lived per-major topic under `layout`.
pub fn long_lived(layout: &night::Layout, name: &str) -> bool {
    let fits = |pattern: &str| {
        let (head, tail) = pattern.split_once("{major}").unwrap_or((pattern, ""));
        name.strip_prefix(head)
            .and_then(|r| r.strip_suffix(tail))
            .is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.'))
    };
    match layout {
        night::Layout::PerMajor { pattern } => fits(pattern),
        night::Layout::Nightly => fits(night::PER_MAJOR_PATTERN),
    }
}

/// A topic in a listing: its description and, for a long-lived topic, its alerts
/// night by night (`None`: before the nights counted).
#[derive(Debug, Clone)]
pub struct Listed {
    /// The topic.
    pub info: TopicInfo,
    /// Alerts per night on a long-lived topic.
    pub nights: Vec<(Option<NaiveDate>, i64)>,
}

/// The topics (matching `pattern`), each described; long-lived ones night by night.
pub fn list(admin: &Admin, pattern: Option<&str>) -> Result<Vec<Listed>, Error> {
    let mut names = admin.topic_names()?;
    if let Some(p) = pattern {
        let re = topic_regex(p)?;
        names.retain(|n| re.is_match(n));
    }
    let today = night::day_obs(Utc::now());
    let layout = admin.connection().layout.clone();
    names
        .iter()
        .map(|n| {
            let info = admin.describe(n)?;
            let nights = if long_lived(&layout, &info.name) && info.messages() > 0 {
                admin.per_night(&info, today, 400)?
            } else {
                Vec::new()
            };
            Ok(Listed { info, nights })
        })
        .collect()
}

/// How `topic create` makes a topic.
#[derive(Debug, Clone)]
pub struct Create {
    /// The name.
    pub name: String,
    /// Partitions.
    pub partitions: i32,
    /// Replication (None: as the cluster allows).
    pub replication: Option<i32>,
    /// Retention (ms; -1 forever).
    pub retention_ms: i64,
    /// `CreateTime` or `LogAppendTime`.
    pub timestamp_type: String,
}

/// Create a topic; an existing one is a failure.
pub fn create(admin: &Admin, c: &Create) -> Result<TopicSpec, Error> {
    if c.partitions < 1 {
        return Err(Error::usage("--partitions must be at least 1"));
    }
    let spec = TopicSpec {
        name: c.name.clone(),
        partitions: c.partitions,
        replication: match c.replication {
            Some(r) => r,
            None => admin.default_replication()?,
        },
        retention_ms: c.retention_ms,
        timestamp_type: Some(c.timestamp_type.clone()),
    };
    if admin.create(&spec)? {
        Ok(spec)
    } else {
        Err(Error::failure(format!("topic {} already exists", c.name)))
    }
}

/// Delete one topic, named exactly.
pub fn delete(admin: &Admin, topic: &str) -> Result<(), Error> {
    if is_pattern(topic) {
        return Err(Error::usage(format!(
            "`{topic}` looks like a pattern: topic delete takes one exact name"
        )));
    }
    Ok(admin.delete(topic)?)
}

/// Night topics older than `older_than` before today's night, deleted unless `dry_run`.
pub fn expire(
    admin: &Admin,
    older_than: std::time::Duration,
    dry_run: bool,
) -> Result<(NaiveDate, Vec<String>), Error> {
    let today = night::day_obs(Utc::now());
    let expired = admin.expired(today, older_than)?;
    if !dry_run {
        for t in &expired {
            admin.delete(t)?;
        }
    }
    Ok((today, expired))
}

/// `topic list`: the cluster's topics (matching `pattern`), described.
pub fn list_topics(
    target: &crate::transport::connect::Target,
    pattern: Option<&str>,
    report: &mut dyn Report,
) -> Result<Vec<Listed>, Error> {
    let admin = Admin::connect(&super::connect(target, report)?)?;
    list(&admin, pattern)
}

/// `topic describe`: one topic's partitions and watermarks.
pub fn describe_topic(
    target: &crate::transport::connect::Target,
    topic: &str,
    report: &mut dyn Report,
) -> Result<TopicInfo, Error> {
    let admin = Admin::connect(&super::connect(target, report)?)?;
    Ok(admin.describe(topic)?)
}

/// `topic create`.
pub fn create_topic(
    target: &crate::transport::connect::Target,
    c: &Create,
    report: &mut dyn Report,
) -> Result<TopicSpec, Error> {
    if c.partitions < 1 {
        return Err(Error::usage("--partitions must be at least 1"));
    }
    let admin = Admin::connect(&super::connect(target, report)?)?;
    create(&admin, c)
}

/// `topic delete`.
pub fn delete_topic(
    target: &crate::transport::connect::Target,
    topic: &str,
    report: &mut dyn Report,
) -> Result<(), Error> {
    if is_pattern(topic) {
        return Err(Error::usage(format!(
            "`{topic}` looks like a pattern: topic delete takes one exact name"
        )));
    }
    let admin = Admin::connect(&super::connect(target, report)?)?;
    delete(&admin, topic)
}

/// `topic expire`.
pub fn expire_topics(
    target: &crate::transport::connect::Target,
    older_than: std::time::Duration,
    dry_run: bool,
    report: &mut dyn Report,
) -> Result<(NaiveDate, Vec<String>), Error> {
    let admin = Admin::connect(&super::connect(target, report)?)?;
    expire(&admin, older_than, dry_run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retentions() {
        assert_eq!(parse_retention("7d"), Ok(DEFAULT_RETENTION_MS));
        assert_eq!(parse_retention("forever"), Ok(-1));
        assert_eq!(retention_text(Some(-1)), "forever");
        assert_eq!(retention_text(Some(DEFAULT_RETENTION_MS)), "7d");
        assert!(parse_retention("soon").is_err());
    }

    #[test]
    fn kinds_decide_partitions_and_retention() {
        assert_eq!(Kind::Night.layout(), (4, DEFAULT_RETENTION_MS));
        assert_eq!(Kind::PerMajor.layout(), (45, PER_MAJOR_RETENTION_MS));
        assert_eq!(Kind::Output { retention_ms: -1 }.layout(), (1, -1));
        let copy = Kind::Copy {
            partitions: 7,
            retention_ms: 5,
        };
        assert_eq!(copy.layout(), (7, 5));
    }
}
