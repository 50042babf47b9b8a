//! Consuming: from given offsets (kcat's default), or as a member of a consumer group.

use std::collections::HashMap;
use std::time::Duration;

use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::{Offset, TopicPartitionList};

use super::offsets::OffsetSpec;
use super::{Connection, KafkaError, Result};

/// A record as consumed.
#[derive(Debug, Clone)]
pub struct Received {
    /// Topic.
    pub topic: String,
    /// Partition.
    pub partition: i32,
    /// Offset.
    pub offset: i64,
    /// Record timestamp, Unix ms.
    pub timestamp_ms: Option<i64>,
    /// Key bytes.
    pub key: Option<Vec<u8>>,
    /// Value bytes.
    pub payload: Option<Vec<u8>>,
    /// Headers, in order.
    pub headers: Vec<(String, Vec<u8>)>,
}

/// How to start.
#[derive(Debug, Clone)]
pub struct Start {
    /// Where to start in each partition. With a group: `Stored` (committed offsets,
    /// else the beginning), `Beginning` or `End` (where the group has no committed offset).
    pub offset: OffsetSpec,
    /// Consume as this consumer group: partitions shared with its other members,
    /// offsets committed as records are acknowledged.
    pub group: Option<String>,
}

type Tp = (String, i32);

/// A consumer over a set of topics.
pub struct Tail {
    consumer: BaseConsumer,
    conn: Connection,
    group: bool,
    reset_to_end: bool,
    /// High watermark of each partition when first seen: "the end" for `at_end`.
    ends: HashMap<Tp, i64>,
    /// Next offset to read in each partition.
    positions: HashMap<Tp, i64>,
}

impl Tail {
    /// Start consuming `topics` (existing topic names). With a group, `pattern`
    /// (a regex) subscribes to every matching topic, including ones created later.
    pub fn open(
        conn: &Connection,
        topics: &[String],
        pattern: Option<&str>,
        start: &Start,
    ) -> Result<Tail> {
        let mut defaults = vec![
            ("enable.partition.eof", "false"),
            ("allow.auto.create.topics", "false"),
            // Fetch promptly: a tail is interactive (and the test broker is slow with 500).
            ("fetch.wait.max.ms", "50"),
        ];
        let reset = match (&start.group, start.offset) {
            (Some(_), OffsetSpec::End) => "latest",
            (Some(_), OffsetSpec::Stored | OffsetSpec::Beginning) => "earliest",
            (Some(_), other) => {
                return Err(KafkaError::Config(format!(
                    "with --group, -o takes beginning, end or stored, not {other:?}: move a group's offsets with alertctl rewind"
                )))
            }
            (None, OffsetSpec::Stored) => {
                return Err(KafkaError::Config("-o stored needs --group: stored offsets belong to a consumer group".into()))
            }
            (None, _) => "earliest",
        };
        defaults.push(("auto.offset.reset", reset));
        if let Some(g) = &start.group {
            defaults.extend([
                ("group.id", g.as_str()),
                ("enable.auto.commit", "true"),
                ("enable.auto.offset.store", "false"),
            ]);
        } else {
            defaults.push(("enable.auto.commit", "false"));
        }
        // librdkafka 2.x needs a group.id even to assign(); an assigning consumer never
        // joins that group and, with auto-commit off, never commits to it.
        let private_group = format!("alertctl-tail-{}", std::process::id());
        if start.group.is_none() {
            defaults.push(("group.id", private_group.as_str()));
        }
        let consumer: BaseConsumer = conn.client_config(&defaults).create()?;
        let mut tail = Tail {
            consumer,
            conn: conn.clone(),
            group: start.group.is_some(),
            reset_to_end: reset == "latest",
            ends: HashMap::new(),
            positions: HashMap::new(),
        };
        if tail.group {
            match pattern {
                Some(p) => {
                    let anchored = format!("^{}", p.trim_start_matches('^'));
                    tail.consumer.subscribe(&[anchored.as_str()])?;
                }
                None => {
                    let names: Vec<&str> = topics.iter().map(String::as_str).collect();
                    tail.consumer.subscribe(&names)?;
                }
            }
        } else {
            tail.assign(topics, start.offset)?;
        }
        Ok(tail)
    }

    fn unreachable(&self, e: impl std::fmt::Display) -> KafkaError {
        KafkaError::Unreachable {
            brokers: self.conn.brokers.clone(),
            timeout: self.conn.timeout,
            reason: e.to_string(),
        }
    }

    /// Assign every partition of `topics` at the offset `spec` names.
    fn assign(&mut self, topics: &[String], spec: OffsetSpec) -> Result<()> {
        let md = self
            .consumer
            .fetch_metadata(None, self.conn.timeout)
            .map_err(|e| self.unreachable(e))?;
        let mut tpl = TopicPartitionList::new();
        for t in md
            .topics()
            .iter()
            .filter(|t| topics.iter().any(|n| n == t.name()))
        {
            for p in t.partitions() {
                let (low, high) = self
                    .consumer
                    .fetch_watermarks(t.name(), p.id(), self.conn.timeout)
                    .map_err(|e| self.unreachable(e))?;
                let start = match spec {
                    OffsetSpec::Beginning | OffsetSpec::Stored => low,
                    OffsetSpec::End => high,
                    OffsetSpec::Absolute(n) => n.clamp(low, high),
                    OffsetSpec::FromEnd(n) => (high - n).max(low),
                    OffsetSpec::Time(ms) => {
                        let mut q = TopicPartitionList::new();
                        q.add_partition_offset(t.name(), p.id(), Offset::Offset(ms))?;
                        let found = self
                            .consumer
                            .offsets_for_times(q, self.conn.timeout)
                            .map_err(|e| self.unreachable(e))?;
                        match found.find_partition(t.name(), p.id()).map(|e| e.offset()) {
                            Some(Offset::Offset(o)) if o >= 0 => o.clamp(low, high),
                            // No record at or after that time: start at the end.
                            _ => high,
                        }
                    }
                };
                let tp = (t.name().to_string(), p.id());
                self.ends.insert(tp.clone(), high);
                self.positions.insert(tp, start);
                tpl.add_partition_offset(t.name(), p.id(), Offset::Offset(start))?;
            }
        }
        self.consumer.assign(&tpl)?;
        Ok(())
    }

    /// The next record, waiting up to `timeout`; `Ok(None)` when none came.
    pub fn poll(&mut self, timeout: Duration) -> Result<Option<Received>> {
        let Some(res) = self.consumer.poll(timeout) else {
            return Ok(None);
        };
        let m = res?;
        let tp = (m.topic().to_string(), m.partition());
        self.positions.insert(tp, m.offset() + 1);
        Ok(Some(Received {
            topic: m.topic().to_string(),
            partition: m.partition(),
            offset: m.offset(),
            timestamp_ms: m.timestamp().to_millis(),
            key: m.key().map(<[u8]>::to_vec),
            payload: m.payload().map(<[u8]>::to_vec),
            headers: m
                .headers()
                .map(|h| {
                    h.iter()
                        .map(|x| (x.key.to_string(), x.value.unwrap_or_default().to_vec()))
                        .collect()
                })
                .unwrap_or_default(),
        }))
    }

    /// Whether every assigned partition has been read up to the high watermark it had
    /// when first seen. False while a group has no assignment yet.
    pub fn at_end(&mut self) -> Result<bool> {
        let assigned: Vec<Tp> = if self.group {
            let a = self.consumer.assignment()?;
            a.elements()
                .iter()
                .map(|e| (e.topic().to_string(), e.partition()))
                .collect()
        } else {
            self.ends.keys().cloned().collect()
        };
        if self.group && assigned.is_empty() {
            return Ok(false);
        }
        for tp in assigned {
            if !self.ends.contains_key(&tp) {
                let (low, high) = self
                    .consumer
                    .fetch_watermarks(&tp.0, tp.1, self.conn.timeout)
                    .map_err(|e| self.unreachable(e))?;
                self.ends.insert(tp.clone(), high);
                if !self.positions.contains_key(&tp) {
                    let mut q = TopicPartitionList::new();
                    q.add_partition(&tp.0, tp.1);
                    let committed = self.consumer.committed_offsets(q, self.conn.timeout).ok();
                    let start = match committed
                        .and_then(|c| c.find_partition(&tp.0, tp.1).map(|e| e.offset()))
                    {
                        Some(Offset::Offset(o)) if o >= 0 => o,
                        _ if self.reset_to_end => high,
                        _ => low,
                    };
                    self.positions.insert(tp.clone(), start);
                }
            }
            if self.positions.get(&tp).copied().unwrap_or(0) < self.ends[&tp] {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Read every record up to the ends the partitions had when first seen, handing each
    /// to `f`. Returns false when no record came for the connection's timeout before
    /// the end was reached (the broker stalled or went away).
    pub fn read_to_end(&mut self, mut f: impl FnMut(Received) -> Result<()>) -> Result<bool> {
        let mut idle = std::time::Instant::now();
        while !self.at_end()? {
            match self.poll(Duration::from_millis(100))? {
                Some(r) => {
                    idle = std::time::Instant::now();
                    f(r)?;
                }
                None if idle.elapsed() > self.conn.timeout => return Ok(false),
                None => {}
            }
        }
        Ok(true)
    }

    /// Whether a partition has been read to the end it had when first seen.
    pub fn partition_done(&self, topic: &str, partition: i32) -> bool {
        let tp = (topic.to_string(), partition);
        match (self.positions.get(&tp), self.ends.get(&tp)) {
            (Some(pos), Some(end)) => pos >= end,
            _ => false,
        }
    }

    /// Records left to read in assigned partitions, by the ends seen so far.
    pub fn remaining(&self) -> i64 {
        self.ends
            .iter()
            .map(|(tp, end)| (end - self.positions.get(tp).copied().unwrap_or(0)).max(0))
            .sum()
    }

    /// Records behind the current high watermarks, over the partitions being read.
    pub fn lag(&self) -> Result<i64> {
        let mut lag = 0;
        for (t, p) in self.partitions() {
            let (_, high) = self
                .consumer
                .fetch_watermarks(&t, p, self.conn.timeout)
                .map_err(|e| self.unreachable(e))?;
            let pos = self.positions.get(&(t, p)).copied().unwrap_or(high);
            lag += (high - pos).max(0);
        }
        Ok(lag)
    }

    /// The partitions being read: assigned ones (with a group), else all of them.
    pub fn partitions(&self) -> Vec<(String, i32)> {
        if self.group {
            self.consumer
                .assignment()
                .map(|a| {
                    a.elements()
                        .iter()
                        .map(|e| (e.topic().to_string(), e.partition()))
                        .collect()
                })
                .unwrap_or_default()
        } else {
            self.ends.keys().cloned().collect()
        }
    }

    /// Read a partition again from `offset` (after a failure that may pass). Records of
    /// that partition fetched before the seek may still arrive: skip those past `offset`
    /// until `offset` itself comes.
    pub fn seek(&mut self, topic: &str, partition: i32, offset: i64) -> Result<()> {
        self.consumer
            .seek(topic, partition, Offset::Offset(offset), self.conn.timeout)?;
        self.positions
            .insert((topic.to_string(), partition), offset);
        Ok(())
    }

    /// Acknowledge a record: with a group, its offset is committed (automatically,
    /// every few seconds, and on close). Call it only once the record is handled,
    /// so a crash re-delivers rather than loses.
    pub fn ack(&self, r: &Received) -> Result<()> {
        if self.group {
            // rd_kafka_offset_store commits offset + 1: the next record to read.
            self.consumer
                .store_offset(&r.topic, r.partition, r.offset)?;
        }
        Ok(())
    }

    /// Acknowledge a record by where it is.
    pub fn ack_at(&self, topic: &str, partition: i32, offset: i64) -> Result<()> {
        if self.group {
            self.consumer.store_offset(topic, partition, offset)?;
        }
        Ok(())
    }

    /// Commit the acknowledged offsets now, without waiting (auto-commit would wait up
    /// to auto.commit.interval.ms, and a crash would re-deliver that much more).
    pub fn commit(&self) -> Result<()> {
        if self.group {
            match self.consumer.commit_consumer_state(CommitMode::Async) {
                Ok(())
                | Err(rdkafka::error::KafkaError::ConsumerCommit(
                    rdkafka::types::RDKafkaErrorCode::NoOffset,
                )) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// Commit acknowledged offsets now and leave the group.
    pub fn close(self) -> Result<()> {
        if self.group {
            match self.consumer.commit_consumer_state(CommitMode::Sync) {
                Ok(()) => {}
                // Nothing stored since the last commit.
                Err(rdkafka::error::KafkaError::ConsumerCommit(
                    rdkafka::types::RDKafkaErrorCode::NoOffset,
                )) => {}
                Err(e) => return Err(e.into()),
            }
            self.consumer.unsubscribe();
        }
        Ok(())
    }
}
