//! Topic administration: list, describe, create, delete, and resolving topic names
//! or patterns.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use futures_executor::block_on;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, ResourceSpecifier, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::metadata::Metadata;
use rdkafka::types::RDKafkaErrorCode;

use super::{Connection, KafkaError, Result};
use crate::night;

/// Alertctl's topics take records up to this size (Apache Kafka's default is 1 MiB;
/// Rubin alerts with large cutouts and long histories exceed it).
pub const MAX_MESSAGE_BYTES: i64 = 10 * 1024 * 1024;

/// Rubin's long-lived per-major topics keep about 30 days (2,629,740,000 ms: a month).
pub const PER_MAJOR_RETENTION_MS: i64 = 2_629_740_000;

/// Seven days: Kafka's default retention, and DMTN-093's rewindable week.
pub const DEFAULT_RETENTION_MS: i64 = 7 * 86_400_000;

/// One partition's extent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionInfo {
    /// Partition number.
    pub id: i32,
    /// The oldest offset kept (low watermark).
    pub low: i64,
    /// The next offset to be written (high watermark).
    pub high: i64,
    /// The leader broker id.
    pub leader: i32,
}

/// A topic and its partitions.
#[derive(Debug, Clone)]
pub struct TopicInfo {
    /// Topic name.
    pub name: String,
    /// Partitions, by number.
    pub partitions: Vec<PartitionInfo>,
    /// `retention.ms`, when the broker told it (-1: forever).
    pub retention_ms: Option<i64>,
}

impl TopicInfo {
    /// Records kept, by watermarks (high - low summed over partitions).
    pub fn messages(&self) -> i64 {
        self.partitions.iter().map(|p| p.high - p.low).sum()
    }

    /// The observing night, for night topics (`lsst-YYYY-MM-DD`).
    pub fn night(&self) -> Option<NaiveDate> {
        night::night_of_topic(&self.name)
    }
}

/// What to create.
#[derive(Debug, Clone)]
pub struct TopicSpec {
    /// Topic name.
    pub name: String,
    /// Partition count.
    pub partitions: i32,
    /// Replication factor ([`Admin::default_replication`]: 1 on a single broker, 3 on a
    /// production cluster).
    pub replication: i32,
    /// `retention.ms`; -1 keeps records forever.
    pub retention_ms: i64,
    /// `message.timestamp.type` (`CreateTime` or `LogAppendTime`); the broker's default
    /// when `None`.
    pub timestamp_type: Option<String>,
}

/// The replication factor of a new topic on a cluster of `brokers` brokers: three,
/// or as many as there are.
pub fn replication_for(brokers: usize) -> i32 {
    (brokers as i32).clamp(1, 3)
}

/// Whether a topic argument is a pattern rather than a name. Dots are common in
/// names, so only other regex characters make a pattern.
pub fn is_pattern(s: &str) -> bool {
    s.contains(['*', '?', '[', ']', '(', ')', '|', '^', '$', '+', '\\', '{'])
}

/// Compile a topic pattern anchored at both ends, as Kafka matches subscriptions.
pub fn topic_regex(pattern: &str) -> Result<regex::Regex> {
    let p = pattern.trim_start_matches('^').trim_end_matches('$');
    regex::Regex::new(&format!("^(?:{p})$"))
        .map_err(|e| KafkaError::Config(format!("bad topic pattern /{pattern}/: {e}")))
}

/// A client context that keeps the last login or TLS failure librdkafka reported, so a
/// refused login is said as such instead of as "cannot reach the brokers".
#[derive(Default, Clone)]
pub struct LoginErrors(std::sync::Arc<std::sync::Mutex<Option<String>>>);

impl LoginErrors {
    /// The last login or TLS failure, if any.
    pub fn last(&self) -> Option<String> {
        self.0.lock().ok()?.clone()
    }
}

impl rdkafka::ClientContext for LoginErrors {
    fn error(&self, error: rdkafka::error::KafkaError, reason: &str) {
        let text = format!("{error} {reason}");
        if ["SASL", "SSL", "uthentication", "certificate"]
            .iter()
            .any(|k| text.contains(k))
        {
            if let Ok(mut last) = self.0.lock() {
                *last = Some(reason.to_string());
            }
        }
    }
}

impl rdkafka::consumer::ConsumerContext for LoginErrors {}

/// An admin connection.
pub struct Admin {
    conn: Connection,
    admin: AdminClient<DefaultClientContext>,
    consumer: BaseConsumer<LoginErrors>,
    login: LoginErrors,
}

impl Admin {
    /// Connect, and check within the connection's timeout that a broker answers.
    pub fn connect(conn: &Connection) -> Result<Admin> {
        let admin: AdminClient<DefaultClientContext> = conn.client_config(&[]).create()?;
        let login = LoginErrors::default();
        let consumer: BaseConsumer<LoginErrors> =
            conn.client_config(&[]).create_with_context(login.clone())?;
        let a = Admin {
            conn: conn.clone(),
            admin,
            consumer,
            login,
        };
        a.metadata(None)?;
        Ok(a)
    }

    /// The connection.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    fn unreachable(&self, e: impl std::fmt::Display) -> KafkaError {
        KafkaError::Unreachable {
            brokers: self.conn.brokers.clone(),
            timeout: self.conn.timeout,
            reason: e.to_string(),
        }
    }

    /// A login or TLS failure librdkafka has queued (its error events are served by
    /// polling the client).
    fn login_failure(&self) -> Option<String> {
        for _ in 0..10 {
            if self.consumer.poll(Duration::from_millis(10)).is_none() {
                break;
            }
        }
        self.login.last()
    }

    fn metadata(&self, topic: Option<&str>) -> Result<Metadata> {
        self.consumer
            .fetch_metadata(topic, self.conn.timeout)
            .map_err(|e| match self.login_failure() {
                Some(reason) => KafkaError::Login {
                    brokers: self.conn.brokers.clone(),
                    reason,
                },
                None => self.unreachable(e),
            })
    }

    fn options(&self) -> AdminOptions {
        AdminOptions::new()
            .request_timeout(Some(self.conn.timeout))
            .operation_timeout(Some(self.conn.timeout))
    }

    /// Names of all topics (internal `__` topics left out), sorted.
    pub fn topic_names(&self) -> Result<Vec<String>> {
        let md = self.metadata(None)?;
        let mut names: Vec<String> = md
            .topics()
            .iter()
            .map(|t| t.name().to_string())
            .filter(|n| !n.starts_with("__"))
            .collect();
        names.sort();
        Ok(names)
    }

    /// The replication factor for topics alertctl creates: three copies where the
    /// cluster has three brokers or more (Kafka's usual production factor), else one per
    /// broker (a single local broker takes 1).
    pub fn default_replication(&self) -> Result<i32> {
        Ok(replication_for(self.metadata(None)?.brokers().len()))
    }

    /// Whether a topic exists.
    pub fn exists(&self, topic: &str) -> Result<bool> {
        Ok(self.topic_names()?.iter().any(|n| n == topic))
    }

    /// Resolve a topic name or pattern to existing topics; a missing name or an
    /// unmatched pattern is an error that says how to list the topics.
    pub fn resolve(&self, name_or_pattern: &str) -> Result<Vec<String>> {
        let names = self.topic_names()?;
        if is_pattern(name_or_pattern) {
            let re = topic_regex(name_or_pattern)?;
            let matched: Vec<String> = names.into_iter().filter(|n| re.is_match(n)).collect();
            if matched.is_empty() {
                return Err(KafkaError::NoMatch {
                    pattern: name_or_pattern.to_string(),
                    brokers: self.conn.brokers.clone(),
                });
            }
            Ok(matched)
        } else if names.iter().any(|n| n == name_or_pattern) {
            Ok(vec![name_or_pattern.to_string()])
        } else {
            Err(KafkaError::NoTopic {
                topic: name_or_pattern.to_string(),
                brokers: self.conn.brokers.clone(),
            })
        }
    }

    /// A topic's partitions and watermarks, and its retention when the broker tells it.
    pub fn describe(&self, topic: &str) -> Result<TopicInfo> {
        let md = self.metadata(Some(topic))?;
        let t = md
            .topics()
            .iter()
            .find(|t| t.name() == topic)
            .filter(|t| t.error().is_none() && !t.partitions().is_empty())
            .ok_or_else(|| KafkaError::NoTopic {
                topic: topic.to_string(),
                brokers: self.conn.brokers.clone(),
            })?;
        let mut partitions = Vec::with_capacity(t.partitions().len());
        for p in t.partitions() {
            let (low, high) = self
                .consumer
                .fetch_watermarks(topic, p.id(), self.conn.timeout)
                .map_err(|e| self.unreachable(e))?;
            partitions.push(PartitionInfo {
                id: p.id(),
                low,
                high,
                leader: p.leader(),
            });
        }
        partitions.sort_by_key(|p| p.id);
        Ok(TopicInfo {
            name: topic.to_string(),
            partitions,
            retention_ms: self.retention_ms(topic),
        })
    }

    /// One of a topic's configs, or `None` when the broker does not answer config
    /// requests.
    fn topic_config(&self, topic: &str, key: &str) -> Option<String> {
        let res = block_on(
            self.admin
                .describe_configs([&ResourceSpecifier::Topic(topic)], &self.options()),
        )
        .ok()?;
        let resource = res.into_iter().next()?.ok()?;
        resource.get(key).and_then(|e| e.value.clone())
    }

    /// `retention.ms` of a topic, or `None` when the broker does not answer config requests.
    pub fn retention_ms(&self, topic: &str) -> Option<i64> {
        self.topic_config(topic, "retention.ms")?.parse().ok()
    }

    /// `message.timestamp.type` of a topic (`CreateTime` or `LogAppendTime`), or `None`
    /// when the broker does not answer config requests.
    pub fn timestamp_type(&self, topic: &str) -> Option<String> {
        self.topic_config(topic, "message.timestamp.type")
    }

    /// The topic of the newest schema MAJOR a per-major `pattern` (`lsst-alerts-v{major}`)
    /// names among the existing topics; `None` when no topic fits.
    pub fn newest_major_topic(&self, pattern: &str) -> Result<Option<String>> {
        let (head, tail) = pattern.split_once("{major}").unwrap_or((pattern, ""));
        let mut best: Option<((u32, u32), String)> = None;
        for name in self.topic_names()? {
            let Some(v) = name.strip_prefix(head).and_then(|r| r.strip_suffix(tail)) else {
                continue;
            };
            // `11`, or an older deployment's `9.0`.
            let mut parts = v.splitn(2, '.');
            let major = parts.next().and_then(|m| m.parse::<u32>().ok());
            let minor = match parts.next() {
                None => Some(0),
                Some(m) => m.parse::<u32>().ok(),
            };
            if let (Some(major), Some(minor)) = (major, minor) {
                if best.as_ref().is_none_or(|(k, _)| (major, minor) > *k) {
                    best = Some(((major, minor), name));
                }
            }
        }
        Ok(best.map(|(_, n)| n))
    }

    /// A long-lived topic's records per night (dayObs), found from record timestamps:
    /// for each night from `today` back over the topic's retention (at most `max_nights`),
    /// the offsets of the window's start in every partition, one offsets-for-times
    /// request per night. Nights without records are left out; records older than the
    /// oldest night looked at are counted under `None`.
    pub fn per_night(
        &self,
        info: &TopicInfo,
        today: NaiveDate,
        max_nights: i64,
    ) -> Result<Vec<(Option<NaiveDate>, i64)>> {
        use rdkafka::{Offset, TopicPartitionList};
        let days = match info.retention_ms {
            Some(ms) if ms >= 0 => (ms / 86_400_000 + 2).min(max_nights),
            _ => max_nights,
        };
        // The offset of each partition's first record at or after `ms` (its end if none).
        let starts = |ms: i64| -> Result<Vec<i64>> {
            let mut q = TopicPartitionList::new();
            for p in &info.partitions {
                q.add_partition_offset(&info.name, p.id, Offset::Offset(ms))?;
            }
            let found = self
                .consumer
                .offsets_for_times(q, self.conn.timeout)
                .map_err(|e| self.unreachable(e))?;
            Ok(info
                .partitions
                .iter()
                .map(
                    |p| match found.find_partition(&info.name, p.id).map(|e| e.offset()) {
                        Some(Offset::Offset(o)) if o >= 0 => o.clamp(p.low, p.high),
                        _ => p.high,
                    },
                )
                .collect())
        };
        let first = today - chrono::Duration::days(days - 1);
        let mut out = Vec::new();
        let mut prev = starts(night::Window::of_night(first).start_ms)?;
        let older: i64 = prev
            .iter()
            .zip(&info.partitions)
            .map(|(o, p)| o - p.low)
            .sum();
        if older > 0 {
            out.push((None, older));
        }
        for d in 0..days {
            let nightd = first + chrono::Duration::days(d);
            let next = starts(night::Window::of_night(nightd).end_ms)?;
            let n: i64 = next.iter().zip(&prev).map(|(b, a)| b - a).sum();
            if n > 0 {
                out.push((Some(nightd), n));
            }
            prev = next;
        }
        Ok(out)
    }

    /// Create a topic. Returns false when it already existed.
    pub fn create(&self, spec: &TopicSpec) -> Result<bool> {
        let retention = spec.retention_ms.to_string();
        let max_bytes = MAX_MESSAGE_BYTES.to_string();
        let topic = NewTopic::new(
            &spec.name,
            spec.partitions,
            TopicReplication::Fixed(spec.replication),
        )
        .set("retention.ms", &retention)
        .set("max.message.bytes", &max_bytes);
        let topic = match &spec.timestamp_type {
            Some(t) => topic.set("message.timestamp.type", t),
            None => topic,
        };
        let results = block_on(self.admin.create_topics([&topic], &self.options()))
            .map_err(|e| self.unreachable(e))?;
        for r in results {
            match r {
                Ok(_) => {}
                Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => return Ok(false),
                Err((name, code)) => {
                    return Err(KafkaError::Admin {
                        operation: "create",
                        topic: name,
                        reason: code.to_string(),
                    })
                }
            }
        }
        self.wait_for(&spec.name, true)?;
        Ok(true)
    }

    /// Delete a topic.
    pub fn delete(&self, topic: &str) -> Result<()> {
        if !self.exists(topic)? {
            return Err(KafkaError::NoTopic {
                topic: topic.to_string(),
                brokers: self.conn.brokers.clone(),
            });
        }
        let results = block_on(self.admin.delete_topics(&[topic], &self.options()))
            .map_err(|e| self.unreachable(e))?;
        for r in results {
            if let Err((name, code)) = r {
                return Err(KafkaError::Admin {
                    operation: "delete",
                    topic: name,
                    reason: code.to_string(),
                });
            }
        }
        self.wait_for(topic, false)
    }

    /// Wait (within the timeout) until metadata shows the topic present or absent.
    fn wait_for(&self, topic: &str, present: bool) -> Result<()> {
        let deadline = Instant::now() + self.conn.timeout;
        loop {
            let md = self.metadata(Some(topic));
            let there = md.is_ok_and(|md| {
                md.topics()
                    .iter()
                    .any(|t| t.name() == topic && t.error().is_none() && !t.partitions().is_empty())
            });
            if there == present || Instant::now() > deadline {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Night topics whose night is more than `older_than` before `today`, sorted.
    pub fn expired(&self, today: NaiveDate, older_than: Duration) -> Result<Vec<String>> {
        let days = (older_than.as_secs() / 86_400) as i64;
        let cutoff = today - chrono::Duration::days(days);
        Ok(self
            .topic_names()?
            .into_iter()
            .filter(|n| night::night_of_topic(n).is_some_and(|d| d < cutoff))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_told_from_names_and_match_whole_names() {
        assert!(!is_pattern("lsst-2024-05-01"));
        assert!(!is_pattern("alerts.v11"));
        assert!(is_pattern("lsst-2024-05-.*"));
        assert!(is_pattern("^lsst-"));
        let re = topic_regex("lsst-2024-05-0[12]").unwrap();
        assert!(re.is_match("lsst-2024-05-01") && re.is_match("lsst-2024-05-02"));
        assert!(!re.is_match("lsst-2024-05-011") && !re.is_match("xlsst-2024-05-01"));
        assert!(topic_regex("(").is_err());
    }

    /// Three copies on a production cluster, one per broker on a smaller one.
    #[test]
    fn replication_follows_the_cluster() {
        assert_eq!([0, 1, 2, 3, 9].map(replication_for), [1, 1, 2, 3, 3]);
    }
}
