//! Consuming: from given offsets (kcat's default), or as a member of a consumer group.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, RebalanceProtocol};
use rdkafka::message::{Headers, Message};
use rdkafka::types::RDKafkaRespErr;
use rdkafka::{ClientContext, Offset, TopicPartitionList};

use super::commit::{self, CloseCommit, OnClose};
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
    /// What the timestamp is: `CreateTime` (the producer's) or `LogAppendTime` (the broker's).
    pub timestamp_type: Option<&'static str>,
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

/// A group member's rebalance callbacks. Partitions are given up (a revocation) only
/// after what has been read from them is committed: at once when nothing is held
/// ([`Tail::poll`] commits the acknowledged offsets, then releases them), or, when the
/// reader holds revocations ([`Tail::hold_revocations`]), once it has finished what it
/// wrote and calls [`Tail::release`]. librdkafka lets the application answer a
/// rebalance after its callback; the group waits (up to the rebalance timeout).
#[derive(Default)]
pub struct Rebalancing {
    hold: AtomicBool,
    revoking: Mutex<Option<TopicPartitionList>>,
    /// Partitions given up in the callback, for the reader to forget where it was.
    released: Mutex<Vec<Tp>>,
    /// Counts the changes of the assignment (a rebalance, partitions given up): the
    /// reader asks librdkafka for the assignment only when it changed, since each
    /// question is a round trip to librdkafka's own thread.
    generation: AtomicU64,
}

impl ClientContext for Rebalancing {}

impl ConsumerContext for Rebalancing {
    fn rebalance(
        &self,
        consumer: &BaseConsumer<Self>,
        err: RDKafkaRespErr,
        tpl: &mut TopicPartitionList,
    ) {
        let cooperative = matches!(
            consumer.rebalance_protocol(),
            RebalanceProtocol::Cooperative
        );
        // Counted before and after: a reader that asks in between sees a change.
        self.generation.fetch_add(1, Ordering::Relaxed);
        match err {
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS => {
                let _ = if cooperative {
                    consumer.incremental_assign(tpl)
                } else {
                    consumer.assign(tpl)
                };
            }
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS
                if self.hold.load(Ordering::Relaxed) =>
            {
                *self.revoking.lock().unwrap_or_else(|e| e.into_inner()) = Some(tpl.clone());
            }
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS => {
                let _ = give_up(consumer, tpl);
                self.released
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .extend(tps(tpl));
            }
            _ => {
                let _ = consumer.unassign();
            }
        }
        self.generation.fetch_add(1, Ordering::Relaxed);
    }
}

impl Rebalancing {
    /// The partitions given up in the callback since the last call.
    fn take_released(&self) -> Vec<Tp> {
        std::mem::take(&mut *self.released.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn take(&self) -> Option<TopicPartitionList> {
        self.revoking
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    fn waiting(&self) -> bool {
        self.revoking
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }
}

/// Commit the acknowledged offsets (waiting for the broker), then give up `tpl`. A
/// commit that fails is not fatal: the new reader reads from the last committed offset
/// (duplicates, nothing lost).
fn give_up(
    consumer: &BaseConsumer<Rebalancing>,
    tpl: &TopicPartitionList,
) -> rdkafka::error::KafkaResult<()> {
    if !consumer.assignment_lost() {
        let _ = consumer.commit_consumer_state(CommitMode::Sync);
    }
    let given_up = if matches!(
        consumer.rebalance_protocol(),
        RebalanceProtocol::Cooperative
    ) {
        consumer.incremental_unassign(tpl)
    } else {
        consumer.unassign()
    };
    consumer
        .context()
        .generation
        .fetch_add(1, Ordering::Relaxed);
    given_up
}

/// Forget where a reader was in partitions given up (its `positions`, `ends` and what
/// it acknowledged there): if one comes back, it is read from the group's committed
/// offset, which its other readers may have moved on meanwhile.
fn forget(
    positions: &mut HashMap<Tp, i64>,
    ends: &mut HashMap<Tp, i64>,
    acked: &mut Vec<(Tp, i64)>,
    gone: &[Tp],
) {
    for tp in gone {
        positions.remove(tp);
        ends.remove(tp);
    }
    acked.retain(|(tp, _)| !gone.contains(tp));
}

fn tps(tpl: &TopicPartitionList) -> Vec<Tp> {
    tpl.elements()
        .iter()
        .map(|e| (e.topic().to_string(), e.partition()))
        .collect()
}

/// A consumer over a set of topics.
pub struct Tail {
    consumer: BaseConsumer<Rebalancing>,
    conn: Connection,
    group: bool,
    reset_to_end: bool,
    /// High watermark of each partition when first seen: "the end" for `at_end`.
    ends: HashMap<Tp, i64>,
    /// Next offset to read in each partition.
    positions: HashMap<Tp, i64>,
    /// With a group: per partition held, the offset after the last record acknowledged
    /// (what [`Tail::close`] commits).
    acked: Vec<(Tp, i64)>,
    /// Where each assigned partition started.
    starts: HashMap<Tp, i64>,
    /// When a record last came (or the reader opened, or was told of other progress).
    last_progress: std::time::Instant,
    /// The ends are hard: a time range's end. Records at or past them are not handed out.
    bounded: bool,
    /// With a group: the assignment, as of the generation it was asked at.
    assigned: Mutex<Option<(u64, Arc<[Tp]>)>>,
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
            // When the prefetched records pass queued.max.messages.kbytes (64 MB: about
            // 1,100 alerts) because the reader is busy, librdkafka waits this long before
            // fetching again; its default, 1 s, left a filter run idle for a third of its
            // time (measured: 30,000 alerts, 100 filters, 5.0 s against 2.9 s with 10 ms).
            ("fetch.queue.backoff.ms", "10"),
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
                // A member joining moves only the partitions it takes; the others keep
                // being read. Every member of a group must use the same strategy: set
                // another with -X partition.assignment.strategy=range,roundrobin.
                ("partition.assignment.strategy", "cooperative-sticky"),
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
        let consumer: BaseConsumer<Rebalancing> = conn
            .client_config(&defaults)
            .create_with_context(Rebalancing::default())?;
        let mut tail = Tail {
            consumer,
            conn: conn.clone(),
            group: start.group.is_some(),
            reset_to_end: reset == "latest",
            ends: HashMap::new(),
            positions: HashMap::new(),
            acked: Vec::new(),
            starts: HashMap::new(),
            assigned: Mutex::new(None),
            last_progress: std::time::Instant::now(),
            bounded: matches!(start.offset, OffsetSpec::TimeRange { .. }),
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
                        self.offset_for_time(t.name(), p.id(), ms, low, high)?
                    }
                    OffsetSpec::TimeRange { start, .. } => {
                        self.offset_for_time(t.name(), p.id(), start, low, high)?
                    }
                };
                let end = match spec {
                    OffsetSpec::TimeRange { end, .. } => self
                        .offset_for_time(t.name(), p.id(), end, low, high)?
                        .max(start),
                    _ => high,
                };
                let tp = (t.name().to_string(), p.id());
                self.ends.insert(tp.clone(), end);
                self.starts.insert(tp.clone(), start);
                self.positions.insert(tp, start);
                tpl.add_partition_offset(t.name(), p.id(), Offset::Offset(start))?;
            }
        }
        self.consumer.assign(&tpl)?;
        Ok(())
    }

    /// The first offset of a partition whose timestamp is at or after `ms`; the end
    /// (`high`) when there is none.
    fn offset_for_time(
        &self,
        topic: &str,
        partition: i32,
        ms: i64,
        low: i64,
        high: i64,
    ) -> Result<i64> {
        let mut q = TopicPartitionList::new();
        q.add_partition_offset(topic, partition, Offset::Offset(ms))?;
        let found = self
            .consumer
            .offsets_for_times(q, self.conn.timeout)
            .map_err(|e| self.unreachable(e))?;
        Ok(
            match found.find_partition(topic, partition).map(|e| e.offset()) {
                Some(Offset::Offset(o)) if o >= 0 => o.clamp(low, high),
                _ => high,
            },
        )
    }

    /// Forget the partitions the rebalance callback gave up since the last call.
    fn forget_released(&mut self) {
        let gone = self.consumer.context().take_released();
        forget(&mut self.positions, &mut self.ends, &mut self.acked, &gone);
    }

    /// The next record, waiting up to `timeout`; `Ok(None)` when none came. Reading a
    /// time range, a record at or past its partition's end is never handed out, and the
    /// partition is paused there.
    pub fn poll(&mut self, timeout: Duration) -> Result<Option<Received>> {
        let polled = self.consumer.poll(timeout);
        if self.group {
            let gone = self.consumer.context().take_released();
            forget(&mut self.positions, &mut self.ends, &mut self.acked, &gone);
        }
        let Some(res) = polled else {
            return Ok(None);
        };
        let m = res?;
        let tp = (m.topic().to_string(), m.partition());
        if self.bounded {
            let end = self.ends.get(&tp).copied().unwrap_or(i64::MAX);
            if m.offset() >= end {
                let mut q = TopicPartitionList::new();
                q.add_partition(m.topic(), m.partition());
                // Pausing only saves fetches: the check above is what keeps the range.
                let _ = self.consumer.pause(&q);
                self.positions.insert(tp, end);
                return Ok(None);
            }
        }
        self.positions.insert(tp, m.offset() + 1);
        self.last_progress = std::time::Instant::now();
        Ok(Some(Received {
            topic: m.topic().to_string(),
            partition: m.partition(),
            offset: m.offset(),
            timestamp_ms: m.timestamp().to_millis(),
            timestamp_type: match m.timestamp() {
                rdkafka::Timestamp::CreateTime(_) => Some("CreateTime"),
                rdkafka::Timestamp::LogAppendTime(_) => Some("LogAppendTime"),
                rdkafka::Timestamp::NotAvailable => None,
            },
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
        if !self.group {
            // Every partition read has its end already (found when first assigned).
            return Ok(self
                .ends
                .iter()
                .all(|(tp, end)| self.positions.get(tp).copied().unwrap_or(0) >= *end));
        }
        let assigned = self.group_assignment()?;
        if assigned.is_empty() {
            return Ok(false);
        }
        for tp in assigned.iter() {
            if !self.ends.contains_key(tp) {
                self.learn_end(tp)?;
            }
            if self.positions.get(tp).copied().unwrap_or(0) < self.ends[tp] {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Find a newly assigned partition's end (its high watermark now) and, unless a
    /// record of it was read already, where reading it starts.
    fn learn_end(&mut self, tp: &Tp) -> Result<()> {
        let (low, high) = self
            .consumer
            .fetch_watermarks(&tp.0, tp.1, self.conn.timeout)
            .map_err(|e| self.unreachable(e))?;
        self.ends.insert(tp.clone(), high);
        if !self.positions.contains_key(tp) {
            let mut q = TopicPartitionList::new();
            q.add_partition(&tp.0, tp.1);
            let committed = self.consumer.committed_offsets(q, self.conn.timeout).ok();
            let start =
                match committed.and_then(|c| c.find_partition(&tp.0, tp.1).map(|e| e.offset())) {
                    Some(Offset::Offset(o)) if o >= 0 => o,
                    _ if self.reset_to_end => high,
                    _ => low,
                };
            self.positions.insert(tp.clone(), start);
        }
        Ok(())
    }

    /// Whether reading to the end has stalled: the end is not reached, and no record has
    /// come for `after` (the broker went away, or a partition cannot be fetched). The one
    /// rule every reader that stops at the end uses (tail -e, stats, replay, filter -e).
    pub fn stalled(&mut self, after: Duration) -> Result<bool> {
        Ok(self.last_progress.elapsed() > after && !self.at_end()?)
    }

    /// Count what the caller did as progress (a seek back, a wait it chose), so the
    /// stall clock starts again.
    pub fn touch(&mut self) {
        self.last_progress = std::time::Instant::now();
    }

    /// Read every record up to the ends the partitions had when first seen, handing each
    /// to `f`. Returns false when the read stalled ([`Tail::stalled`]) for the
    /// connection's timeout before the end was reached.
    pub fn read_to_end(&mut self, mut f: impl FnMut(Received) -> Result<()>) -> Result<bool> {
        self.touch();
        while !self.at_end()? {
            match self.poll(Duration::from_millis(100))? {
                Some(r) => f(r)?,
                None if self.stalled(self.conn.timeout)? => return Ok(false),
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

    /// What an assigning reader will read: per partition, the first offset and the end
    /// (exclusive), as planned when it opened. Empty for a group.
    pub fn planned(&self) -> Vec<(String, i32, i64, i64)> {
        let mut v: Vec<_> = self
            .ends
            .iter()
            .map(|((t, p), end)| {
                let start = self.starts.get(&(t.clone(), *p)).copied().unwrap_or(*end);
                (t.clone(), *p, start, *end)
            })
            .collect();
        v.sort();
        v
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
            self.group_assignment()
                .map(|a| a.to_vec())
                .unwrap_or_default()
        } else {
            self.ends.keys().cloned().collect()
        }
    }

    /// A number that changes whenever the partitions read change (with a group, a
    /// rebalance; without, a partition first seen): what [`Tail::partitions`] returned
    /// still holds while it is the same.
    pub fn partitions_generation(&self) -> u64 {
        if self.group {
            self.consumer.context().generation.load(Ordering::Relaxed)
        } else {
            self.ends.len() as u64
        }
    }

    /// The group's assignment, asked of librdkafka only when a rebalance changed it.
    fn group_assignment(&self) -> Result<Arc<[Tp]>> {
        let generation = self.consumer.context().generation.load(Ordering::Relaxed);
        let mut cached = self.assigned.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((g, tps)) = cached.as_ref() {
            if *g == generation {
                return Ok(tps.clone());
            }
        }
        let now: Arc<[Tp]> = tps(&self.consumer.assignment()?).into();
        *cached = Some((generation, now.clone()));
        Ok(now)
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
    pub fn ack(&mut self, r: &Received) -> Result<()> {
        self.ack_at(&r.topic, r.partition, r.offset)
    }

    /// Acknowledge a record by where it is.
    pub fn ack_at(&mut self, topic: &str, partition: i32, offset: i64) -> Result<()> {
        if self.group {
            // rd_kafka_offset_store commits offset + 1: the next record to read.
            self.consumer.store_offset(topic, partition, offset)?;
            commit::note_ack(&mut self.acked, topic, partition, offset);
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

    /// Hold revocations: partitions a rebalance takes away stay assigned until
    /// [`Tail::release`], so that the reader can finish and commit what it read from
    /// them first. Without holding, [`Tail::poll`] releases them itself.
    pub fn hold_revocations(&mut self) {
        self.consumer.context().hold.store(true, Ordering::Relaxed);
    }

    /// Whether a rebalance is taking partitions away and waits for [`Tail::release`].
    pub fn revoking(&self) -> bool {
        self.consumer.context().waiting()
    }

    /// Let a waiting revocation go: commit the acknowledged offsets (waiting for the
    /// broker), then give the partitions up. A commit that fails is not fatal: the
    /// new reader reads from the last committed offset (duplicates, nothing lost).
    /// Returns the partitions given up.
    pub fn release(&mut self) -> Result<Vec<Tp>> {
        let Some(tpl) = self.consumer.context().take() else {
            return Ok(Vec::new());
        };
        give_up(&self.consumer, &tpl)?;
        let gone = tps(&tpl);
        forget(&mut self.positions, &mut self.ends, &mut self.acked, &gone);
        Ok(gone)
    }

    /// How long [`Tail::close`] waits out a rebalance of the group to commit what was
    /// acknowledged.
    pub const CLOSE_WAIT: Duration = Duration::from_secs(10);

    /// Commit acknowledged offsets now and leave the group. A group between generations
    /// refuses the commit: the reader then serves the group's rebalance (its partitions
    /// paused, so that no record comes) and commits again, for up to
    /// [`Tail::CLOSE_WAIT`] ([`commit::on_close`]).
    pub fn close(mut self) -> Result<()> {
        if self.group {
            self.release()?;
            self.consumer.context().hold.store(false, Ordering::Relaxed);
            self.commit_last()?;
            self.consumer.unsubscribe();
        }
        Ok(())
    }

    /// The last commit: what was acknowledged in each partition still held.
    fn commit_last(&mut self) -> Result<()> {
        let started = Instant::now();
        loop {
            let held: HashSet<Tp> = self
                .consumer
                .assignment()
                .map(|a| tps(&a))
                .unwrap_or_default()
                .into_iter()
                .collect();
            let offsets = commit::to_commit_on_close(&self.acked, &held);
            let answer = if offsets.is_empty() {
                Ok(())
            } else {
                let mut tpl = TopicPartitionList::new();
                for ((topic, partition), next) in &offsets {
                    tpl.add_partition_offset(topic, *partition, Offset::Offset(*next))?;
                }
                self.consumer.commit(&tpl, CommitMode::Sync)
            };
            let outcome = match &answer {
                Ok(()) => CloseCommit::Done,
                Err(rdkafka::error::KafkaError::ConsumerCommit(
                    rdkafka::types::RDKafkaErrorCode::IllegalGeneration
                    | rdkafka::types::RDKafkaErrorCode::RebalanceInProgress,
                )) => CloseCommit::Rebalancing,
                Err(_) => CloseCommit::Failed,
            };
            match commit::on_close(outcome, started.elapsed(), Self::CLOSE_WAIT) {
                OnClose::Leave => return Ok(()),
                OnClose::Retry => {
                    if let Ok(a) = self.consumer.assignment() {
                        let _ = self.consumer.pause(&a);
                    }
                    // A record fetched before the pause is dropped unacknowledged.
                    let _ = self.consumer.poll(Duration::from_millis(100));
                    self.forget_released();
                }
                OnClose::GiveUp => {
                    return answer.map_err(|e| KafkaError::LastCommit {
                        waited: started.elapsed(),
                        reason: e.to_string(),
                    })
                }
            }
        }
    }
}

impl Drop for Tail {
    /// A reader dropped without [`Tail::close`] (an error) answers a held revocation,
    /// and those to come while librdkafka closes, so that closing never waits on it.
    fn drop(&mut self) {
        self.consumer.context().hold.store(false, Ordering::Relaxed);
        let _ = self.release();
    }
}

/// A change in a reader's lag worth one line: it fell more than a visit's worth of
/// records behind, or caught up again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LagChange {
    /// The lag went above the threshold; this many records behind.
    Behind(i64),
    /// The lag fell under half the threshold again.
    CaughtUp(i64),
}

/// When a stage's lag is worth saying: once when it first exceeds `threshold` records
/// (a visit's worth: 10,000 alerts at Rubin), once more when it is back under half of
/// it. A lag that hovers around the threshold is one story, not a line per check.
#[derive(Debug, Clone)]
pub struct LagWatch {
    threshold: i64,
    behind: bool,
    /// When [`LagWatch::check`] last asked for watermarks.
    checked: Option<std::time::Instant>,
}

impl LagWatch {
    /// How often [`LagWatch::check`] asks the brokers for watermarks, at most.
    pub const EVERY: Duration = Duration::from_secs(5);

    /// Watch for lag above `threshold` records (0 or less: never warn).
    pub fn new(threshold: i64) -> LagWatch {
        LagWatch {
            threshold,
            behind: false,
            checked: None,
        }
    }

    /// The reader's lag, asked of the brokers the first time and then every
    /// [`LagWatch::EVERY`] at most; a change worth saying, if any.
    pub fn check(&mut self, tail: &Tail) -> Option<LagChange> {
        if self.threshold <= 0 || self.checked.is_some_and(|t| t.elapsed() < Self::EVERY) {
            return None;
        }
        self.checked = Some(std::time::Instant::now());
        tail.lag().ok().and_then(|l| self.observe(l))
    }

    /// The lag now; a change worth saying, if any.
    pub fn observe(&mut self, lag: i64) -> Option<LagChange> {
        if self.threshold <= 0 {
            return None;
        }
        if !self.behind && lag > self.threshold {
            self.behind = true;
            return Some(LagChange::Behind(lag));
        }
        if self.behind && lag < self.threshold / 2 {
            self.behind = false;
            return Some(LagChange::CaughtUp(lag));
        }
        None
    }
}

/// What a [`read_loop`] hands its records to.
pub trait Sink {
    /// The caller's error (a Kafka error converts into it).
    type Error: From<KafkaError>;
    /// One record. `Ok(true)`: its output is written, so it may be acknowledged now;
    /// `Ok(false)`: kept, to be written at the next [`Sink::flush`].
    fn record(&mut self, r: &Received) -> std::result::Result<bool, Self::Error>;
    /// Write everything kept.
    fn flush(&mut self) -> std::result::Result<(), Self::Error>;
    /// A fetch failed; the consumer reconnects by itself and the loop goes on.
    fn fetch_failed(&mut self, _e: &KafkaError) {}
    /// Records kept earlier (`Ok(false)`) whose output is now written, newest per
    /// partition: acknowledged at once, before the next flush (a sink that writes in
    /// batches of its own).
    fn written(&mut self) -> Vec<(String, i32, i64)> {
        Vec::new()
    }
    /// No record came for a poll's wait: a sink that batches writes what it holds.
    fn idle(&mut self) -> std::result::Result<(), Self::Error> {
        Ok(())
    }
}

/// How a [`read_loop`] ends.
#[derive(Debug, Clone, Copy)]
pub struct ReadUntil {
    /// Stop at the end the partitions had when first seen (else follow).
    pub end: bool,
    /// While following, flush the sink once, when that end is first reached (`-n` with
    /// `-f`: the last N, then every new record).
    pub flush_at_end: bool,
    /// Reading to the end: no record for this long before it is a stall (an error).
    pub stall: Duration,
}

/// Offsets kept but not yet written, by partition: the newest of each is acknowledged
/// once the sink has flushed (offsets commit as "read up to").
#[derive(Debug, Default)]
pub struct Unwritten(HashMap<Tp, i64>);

impl Unwritten {
    /// A kept record.
    pub fn keep(&mut self, topic: &str, partition: i32, offset: i64) {
        let newest = self
            .0
            .entry((topic.to_string(), partition))
            .or_insert(offset);
        *newest = (*newest).max(offset);
    }

    /// What may be acknowledged now that everything kept is written, emptying the set.
    pub fn written(&mut self) -> Vec<(String, i32, i64)> {
        let mut v: Vec<_> = self.0.drain().map(|((t, p), o)| (t, p, o)).collect();
        v.sort();
        v
    }
}

/// Read `tail` into `sink` until `stop` says so or (with `until.end`) the end is
/// reached; a record is acknowledged (with a group) only once the sink says its output
/// is written. Before returning the sink is flushed and what it kept acknowledged.
/// A stalled read to the end ([`Tail::stalled`]) is [`KafkaError::Unreachable`].
pub fn read_loop<S: Sink>(
    tail: &mut Tail,
    until: ReadUntil,
    stop: &dyn Fn() -> bool,
    sink: &mut S,
) -> std::result::Result<(), S::Error> {
    let mut unwritten = Unwritten::default();
    let mut at_end_seen = false;
    tail.touch();
    while !stop() {
        if !at_end_seen && tail.at_end()? {
            at_end_seen = true;
            if until.end {
                break;
            }
            if until.flush_at_end {
                sink.flush()?;
                for (t, p, o) in unwritten.written() {
                    tail.ack_at(&t, p, o)?;
                }
            }
        }
        let rec = match tail.poll(Duration::from_millis(200)) {
            Ok(Some(r)) => r,
            Ok(None) => {
                sink.idle()?;
                for (t, p, o) in sink.written() {
                    tail.ack_at(&t, p, o)?;
                }
                if until.end && tail.stalled(until.stall)? {
                    return Err(KafkaError::Unreachable {
                        brokers: tail.conn.brokers.clone(),
                        timeout: until.stall,
                        reason: "no records while partitions remain unread; is the broker up?"
                            .into(),
                    }
                    .into());
                }
                continue;
            }
            Err(e) => {
                sink.fetch_failed(&e);
                continue;
            }
        };
        if sink.record(&rec)? {
            tail.ack(&rec)?;
        } else {
            unwritten.keep(&rec.topic, rec.partition, rec.offset);
        }
        for (t, p, o) in sink.written() {
            tail.ack_at(&t, p, o)?;
        }
    }
    sink.flush()?;
    for (t, p, o) in unwritten.written() {
        tail.ack_at(&t, p, o)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_is_said_once_when_behind_and_once_when_caught_up() {
        let mut w = LagWatch::new(10_000);
        let seen: Vec<_> = [
            0, 9_000, 10_001, 40_000, 9_000, 5_001, 12_000, 4_999, 3_000, 20_000,
        ]
        .into_iter()
        .filter_map(|l| w.observe(l))
        .collect();
        assert_eq!(
            seen,
            [
                LagChange::Behind(10_001),
                LagChange::CaughtUp(4_999),
                LagChange::Behind(20_000)
            ]
        );
        let mut never = LagWatch::new(0);
        assert_eq!(never.observe(1_000_000), None);
    }

    /// Only the newest kept offset of each partition is acknowledged, once.
    #[test]
    fn unwritten_keeps_the_newest_offset_per_partition() {
        let mut u = Unwritten::default();
        for (t, p, o) in [
            ("a", 0, 5),
            ("a", 0, 3),
            ("a", 1, 7),
            ("b", 0, 1),
            ("a", 0, 9),
        ] {
            u.keep(t, p, o);
        }
        assert_eq!(
            u.written(),
            vec![("a".into(), 0, 9), ("a".into(), 1, 7), ("b".into(), 0, 1)]
        );
        assert!(u.written().is_empty(), "acknowledged once");
    }
}
