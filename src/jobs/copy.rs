//! Copying records between topics and brokers: replaying a night, mirroring a stream,
//! rewinding a consumer group, and the groups' lag.
//!
//! [`replay`] and [`mirror`] are the jobs: they resolve where to read and write, make
//! the target topics by the topic policy ([`super::topics`]), and run the loops
//! ([`replay_loop`], [`mirror_loop`]), whose commit rule is [`commit::plan`].

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::{Offset, TopicPartitionList};

use crate::transport::kafka::admin::Admin;
use crate::transport::kafka::commit::{self, Handled, Tp};
use crate::transport::kafka::consume::{Received, Tail};
use crate::transport::kafka::offsets::OffsetSpec;
use crate::transport::kafka::outbox::{Item, Outbox, Waiting};
use crate::transport::kafka::produce::{OutRecord, Producer};
use crate::transport::kafka::{Connection, KafkaError, Result};

/// Merges records polled from several partitions into one stream in timestamp order
/// (ties: partition, then offset), so a replay can pace by the original times.
#[derive(Default)]
pub struct Merger {
    queues: HashMap<(String, i32), VecDeque<Received>>,
}

impl Merger {
    /// Add a polled record.
    pub fn push(&mut self, r: Received) {
        self.queues
            .entry((r.topic.clone(), r.partition))
            .or_default()
            .push_back(r);
    }

    /// The next record in time order, once every partition that is not done has a
    /// record queued (so nothing earlier can still arrive).
    pub fn pop(
        &mut self,
        partitions: &[(String, i32)],
        done: impl Fn(&str, i32) -> bool,
    ) -> Option<Received> {
        for (t, p) in partitions {
            let empty = self
                .queues
                .get(&(t.clone(), *p))
                .is_none_or(VecDeque::is_empty);
            if empty && !done(t, *p) {
                return None;
            }
        }
        let key = self
            .queues
            .iter()
            .filter_map(|(k, q)| {
                q.front().map(|r| {
                    (
                        k.clone(),
                        (r.timestamp_ms.unwrap_or(0), r.partition, r.offset),
                    )
                })
            })
            .min_by_key(|(_, order)| *order)
            .map(|(k, _)| k)?;
        self.queues.get_mut(&key).and_then(VecDeque::pop_front)
    }

    /// Records queued.
    pub fn len(&self) -> usize {
        self.queues.values().map(VecDeque::len).sum()
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// How fast to replay.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Speed {
    /// Original time divided by this factor (1: real time).
    Factor(f64),
    /// As fast as possible.
    Max,
}

impl std::str::FromStr for Speed {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "max" => Ok(Speed::Max),
            n => n
                .parse::<f64>()
                .ok()
                .filter(|f| *f > 0.0 && f.is_finite())
                .map(Speed::Factor)
                .ok_or_else(|| format!("`{s}` is not a speed: a factor like 1, 10, 0.5, or max")),
        }
    }
}

/// Paces records by their original timestamps divided by a speed factor.
pub struct Pacer {
    speed: Speed,
    start: Option<(i64, Instant)>,
}

impl Pacer {
    /// A pacer.
    pub fn new(speed: Speed) -> Pacer {
        Pacer { speed, start: None }
    }

    /// How long to wait before sending a record stamped `ts` (Unix ms).
    pub fn wait(&mut self, ts: Option<i64>) -> Duration {
        let (Speed::Factor(f), Some(ts)) = (self.speed, ts) else {
            return Duration::ZERO;
        };
        let (t0, w0) = *self.start.get_or_insert((ts, Instant::now()));
        // A tiny speed would ask for centuries: the wait saturates instead of overflowing.
        let wait = Duration::try_from_secs_f64(((ts - t0).max(0) as f64 / 1000.0) / f)
            .unwrap_or(crate::transport::kafka::offsets::MAX_DURATION)
            .min(crate::transport::kafka::offsets::MAX_DURATION);
        let due = w0 + wait;
        due.saturating_duration_since(Instant::now())
    }
}

/// Producers by topic, for copying records to several topics.
pub struct Producers {
    conn: Connection,
    by_topic: HashMap<String, Producer>,
}

impl Producers {
    /// Producers on `conn`.
    pub fn new(conn: &Connection) -> Producers {
        Producers {
            conn: conn.clone(),
            by_topic: HashMap::new(),
        }
    }

    /// Send a copy of `r` to `topic` (its partition when `same_partition`), with the
    /// timestamp given.
    pub fn copy(
        &mut self,
        r: &Received,
        topic: &str,
        same_partition: bool,
        timestamp_ms: Option<i64>,
    ) -> Result<()> {
        if !self.by_topic.contains_key(topic) {
            self.by_topic
                .insert(topic.to_string(), Producer::new(&self.conn, topic)?);
        }
        let headers: Vec<(&str, &[u8])> = r
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_slice()))
            .collect();
        self.by_topic
            .get_mut(topic)
            .expect("inserted")
            .send(&OutRecord {
                key: r.key.as_deref(),
                payload: r.payload.as_deref().unwrap_or_default(),
                timestamp_ms,
                partition: same_partition.then_some(r.partition),
                headers,
            })
    }

    /// Wait for every record sent to be acknowledged.
    pub fn flush(&mut self) -> Result<()> {
        for p in self.by_topic.values_mut() {
            p.flush()?;
        }
        Ok(())
    }
}

/// What a replay copies, from where, and how fast.
#[derive(Debug, Clone)]
pub struct Replay {
    /// The topic read.
    pub source: String,
    /// The topic written.
    pub to: String,
    /// Where to start reading.
    pub start: OffsetSpec,
    /// Stop before the first record stamped after this (Unix ms).
    pub until_ms: Option<i64>,
    /// The pace (ignored with `repeat`, which sends each visit at once).
    pub speed: Speed,
    /// Replay again and again, one visit (records of one timestamp) every interval.
    pub repeat: Option<Duration>,
    /// Keep the original timestamps (without `repeat`); otherwise stamp the time of sending.
    pub keep_timestamps: bool,
    /// Write each record to its source partition (both topics have as many).
    pub same_partitions: bool,
}

/// What a replay did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Replayed {
    /// Records copied.
    pub records: u64,
    /// Passes over the source (more than one with `repeat`).
    pub passes: u64,
}

/// How a replayed record is stamped: its own time when kept (and not repeating),
/// otherwise `now`.
pub fn replay_stamp(plan: &Replay, original: Option<i64>, now_ms: i64) -> Option<i64> {
    if plan.keep_timestamps && plan.repeat.is_none() {
        original
    } else {
        Some(now_ms)
    }
}

/// Copy `plan.source` to `plan.to` on `conn`, in timestamp order across partitions,
/// paced by the original times. `stop` is asked between records and during waits;
/// `progress(copied, total)` is called after each record of a pass (`total`: what the
/// pass has to copy). Every copy is acknowledged by the broker before this returns.
pub fn replay_loop(
    conn: &Connection,
    plan: &Replay,
    stop: &dyn Fn() -> bool,
    mut progress: impl FnMut(u64, u64),
) -> Result<Replayed> {
    struct Stop<'a>(&'a dyn Fn() -> bool);
    impl Waiting for Stop<'_> {
        fn retrying(&mut self, _: &str, _: Duration) {}
        fn stopping(&self) -> bool {
            (self.0)()
        }
    }
    let waiting = Stop(stop);
    let mut producers = Producers::new(conn);
    let mut done_count = Replayed::default();
    loop {
        let mut tail = Tail::open(
            conn,
            std::slice::from_ref(&plan.source),
            None,
            &crate::transport::kafka::consume::Start {
                offset: plan.start,
                group: None,
            },
        )?;
        let parts = tail.partitions();
        let total = tail.remaining() as u64;
        let mut merger = Merger::default();
        let mut pacer = Pacer::new(if plan.repeat.is_some() {
            Speed::Max
        } else {
            plan.speed
        });
        let (mut last_ts, mut copied, mut done) = (None, 0u64, false);
        while !done && !stop() {
            match tail.poll(Duration::from_millis(50))? {
                Some(r) => merger.push(r),
                None if merger.is_empty() && tail.stalled(conn.timeout)? => {
                    return Err(KafkaError::Unreachable {
                        brokers: conn.brokers.clone(),
                        timeout: conn.timeout,
                        reason: format!("no records before the end of {}", plan.source),
                    });
                }
                None => {}
            }
            while let Some(r) = merger.pop(&parts, |t, p| tail.partition_done(t, p)) {
                if plan
                    .until_ms
                    .is_some_and(|u| r.timestamp_ms.is_some_and(|ts| ts > u))
                {
                    done = true;
                    break;
                }
                if let Some(interval) = plan.repeat {
                    if last_ts.is_some() && r.timestamp_ms != last_ts {
                        crate::transport::kafka::outbox::sleep_unless(interval, &waiting);
                        // the next visit
                    }
                }
                last_ts = r.timestamp_ms;
                crate::transport::kafka::outbox::sleep_unless(pacer.wait(r.timestamp_ms), &waiting);
                if stop() {
                    break;
                }
                let ts = replay_stamp(plan, r.timestamp_ms, chrono::Utc::now().timestamp_millis());
                producers.copy(&r, &plan.to, plan.same_partitions, ts)?;
                copied += 1;
                done_count.records += 1;
                progress(copied, total);
            }
            if merger.is_empty() && tail.at_end()? {
                done = true;
            }
        }
        producers.flush()?;
        done_count.passes += 1;
        if plan.repeat.is_none() || stop() {
            return Ok(done_count);
        }
    }
}

/// How to replay.
#[derive(Debug, Clone)]
pub struct ReplayOptions {
    /// The topic to replay, or its night.
    pub topic: Option<String>,
    /// A night: its topic, or its window on a long-lived topic.
    pub night: Option<chrono::NaiveDate>,
    /// The topic written.
    pub to: String,
    /// Where to start reading (beginning, N, -N, @TIME, @T1:T2).
    pub offset: Option<OffsetSpec>,
    /// Stop before the first record stamped after this (Unix ms).
    pub until_ms: Option<i64>,
    /// The pace.
    pub speed: Speed,
    /// Replay again and again, one visit every interval.
    pub repeat: Option<Duration>,
    /// Keep the original timestamps.
    pub keep_timestamps: bool,
    /// Where the cluster is.
    pub target: crate::transport::connect::Target,
}

/// What a replay job did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayReport {
    /// The topic read.
    pub source: String,
    /// The topic written.
    pub to: String,
    /// Records copied and passes made.
    pub done: Replayed,
}

/// Replay a night (a topic, a window) into another topic, made like its source.
pub fn replay(
    opts: &ReplayOptions,
    report: &mut dyn super::Report,
    stop: super::Stop<'_>,
) -> std::result::Result<ReplayReport, crate::Error> {
    use crate::Error;
    if let Some(o) = opts.offset {
        if !matches!(
            o,
            OffsetSpec::Beginning
                | OffsetSpec::Time(_)
                | OffsetSpec::TimeRange { .. }
                | OffsetSpec::Absolute(_)
                | OffsetSpec::FromEnd(_)
        ) {
            return Err(Error::usage(
                "replay -o takes beginning, N, -N, @TIME or @T1:T2",
            ));
        }
    }
    let conn = super::connect(&opts.target, report)?;
    let admin = Admin::connect(&conn)?;
    let reading = super::resolve_reading(opts.topic.as_deref(), opts.night, None, &admin, report)?
        .ok_or_else(|| Error::usage("give the TOPIC to replay, or --night NIGHT"))?;
    let offset = reading.offset(opts.offset, OffsetSpec::Beginning)?;
    if reading.topic == opts.to {
        return Err(Error::usage(
            "replaying a topic into itself would never end: choose another --to",
        ));
    }
    let source = admin.describe(&reading.topics[0])?;
    super::topics::ensure(
        &admin,
        &opts.to,
        super::topics::Kind::Copy {
            partitions: source.partitions.len() as i32,
            retention_ms: source
                .retention_ms
                .unwrap_or(crate::transport::kafka::admin::DEFAULT_RETENTION_MS),
        },
        None,
        None,
        &mut super::Quiet,
    )?;
    let same_partitions = admin.describe(&opts.to)?.partitions.len() == source.partitions.len();
    let plan = Replay {
        source: source.name.clone(),
        to: opts.to.clone(),
        start: offset,
        until_ms: opts.until_ms,
        speed: opts.speed,
        repeat: opts.repeat,
        keep_timestamps: opts.keep_timestamps,
        same_partitions,
    };
    let done = replay_loop(&conn, &plan, stop, |n, total| {
        report.progress(n, Some(total))
    })?;
    Ok(ReplayReport {
        source: source.name,
        to: opts.to.clone(),
        done,
    })
}

/// How to mirror.
#[derive(Debug, Clone)]
pub struct MirrorOptions {
    /// The source cluster's brokers.
    pub source_brokers: String,
    /// librdkafka properties of the source connection.
    pub source_properties: Vec<(String, String)>,
    /// The topics to copy (a regex).
    pub topics: String,
    /// The consumer group on the source (mirrors of one group share the partitions).
    pub group: String,
    /// Stop at the end of the source partitions.
    pub exit_at_end: bool,
    /// Wait out local delivery failures this long before stopping.
    pub retry_for: Duration,
    /// Say progress this often.
    pub report_every: Duration,
    /// Say when the lag passes this many records (0: never).
    pub lag_warn: i64,
    /// The local cluster.
    pub target: crate::transport::connect::Target,
}

/// What a mirror job did.
#[derive(Debug, Clone, PartialEq)]
pub struct Mirrored {
    /// Records copied.
    pub records: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Seconds.
    pub seconds: f64,
    /// The source's lag at the end (-1: unknown).
    pub lag: i64,
}

/// Mirror topics from a source cluster, committing source offsets only after the local
/// copies are acknowledged.
pub fn mirror(
    opts: &MirrorOptions,
    report: &mut dyn super::Report,
    stop: super::Stop<'_>,
) -> std::result::Result<Mirrored, crate::Error> {
    let local = super::connect(&opts.target, report)?;
    let mut props = vec![(
        "topic.metadata.refresh.interval.ms".to_string(),
        "5000".to_string(),
    )];
    props.extend(opts.source_properties.iter().cloned());
    let source = crate::transport::connect::Target {
        properties: props,
        ..opts.target.clone()
    }
    .other_cluster(&opts.source_brokers)?;
    let source_admin = Admin::connect(&source)?;
    let local_admin = Admin::connect(&local)?;
    let mut tail = Tail::open(
        &source,
        &[],
        Some(&opts.topics),
        &crate::transport::kafka::consume::Start {
            offset: OffsetSpec::Stored,
            // The source's account names the group (Rubin's ACLs).
            group: Some(super::group_id(&source, &opts.group, report)),
        },
    )?;
    let retry = crate::transport::kafka::outbox::Retry {
        give_up_after: opts.retry_for,
        ..Default::default()
    };
    let mut outbox = Outbox::new(Producer::new(&local, &opts.topics)?, retry);
    let started = Instant::now();
    let mut last_report = Instant::now();
    let mut lag_watch = crate::transport::kafka::consume::LagWatch::new(opts.lag_warn);
    // The progress callback and the waiter both speak; they never run at once.
    let report = std::cell::RefCell::new(report);
    let mut waiting = Retrying {
        warned: None,
        stop,
        report: &report,
    };
    let (records, bytes) = mirror_loop(
        &mut tail,
        &mut outbox,
        &source_admin,
        &local_admin,
        |t| Ok(stop() || (opts.exit_at_end && t.at_end()?)),
        |n, b, t| {
            let mut report = report.borrow_mut();
            if let Some(change) = lag_watch.check(t) {
                super::say_lag(&mut **report, "mirror", change, opts.lag_warn);
            }
            if last_report.elapsed() >= opts.report_every {
                last_report = Instant::now();
                let secs = started.elapsed().as_secs_f64();
                let lag = t
                    .lag()
                    .map_or_else(|e| format!("unknown ({e})"), |l| l.to_string());
                report.info(&format!(
                    "mirrored {n} records ({:.1} MB), {:.0} records/s, lag {lag}",
                    b as f64 / 1e6,
                    n as f64 / secs.max(1e-9)
                ));
            }
        },
        &mut waiting,
    )?;
    let lag = tail.lag().unwrap_or(-1);
    tail.close()?;
    Ok(Mirrored {
        records,
        bytes,
        seconds: started.elapsed().as_secs_f64(),
        lag,
    })
}

/// Waits out delivery failures, saying so every few seconds at most.
struct Retrying<'a, 'r> {
    warned: Option<Instant>,
    stop: super::Stop<'a>,
    report: &'a std::cell::RefCell<&'r mut dyn super::Report>,
}

impl Waiting for Retrying<'_, '_> {
    fn retrying(&mut self, why: &str, wait: Duration) {
        if self
            .warned
            .is_none_or(|t| t.elapsed() > Duration::from_secs(5))
        {
            self.report.borrow_mut().warn(&format!(
                "{why}; trying again in {:.1} s",
                wait.as_secs_f64()
            ));
            self.warned = Some(Instant::now());
        }
    }

    fn stopping(&self) -> bool {
        (self.stop)()
    }
}

/// One row of a rewind: a partition's committed offset before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    /// Topic.
    pub topic: String,
    /// Partition.
    pub partition: i32,
    /// Committed offset before (None: none committed).
    pub old: Option<i64>,
    /// The new committed offset.
    pub new: i64,
    /// Low and high watermarks.
    pub low: i64,
    /// High watermark.
    pub high: i64,
}

/// Where to move a group's offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RewindTo {
    /// The oldest kept record.
    Beginning,
    /// After the newest record.
    End,
    /// The first record at or after this time (Unix ms).
    Time(i64),
    /// This many records from the committed offset (negative: back).
    Shift(i64),
}

/// Move the committed offsets of an inactive consumer group on `topic`. With
/// `dry_run`, only compute the moves. An active group (with members) is refused:
/// its consumers would overwrite the offsets.
pub fn rewind(
    conn: &Connection,
    group: &str,
    topic: &str,
    to: RewindTo,
    dry_run: bool,
) -> Result<Vec<Move>> {
    let admin = Admin::connect(conn)?;
    let info = admin.describe(topic)?;
    let consumer: BaseConsumer = conn
        .client_config(&[("group.id", group), ("enable.auto.commit", "false")])
        .create()?;
    let groups = consumer.fetch_group_list(Some(group), conn.timeout)?;
    if let Some(g) = groups.groups().iter().find(|g| g.name() == group) {
        if !g.members().is_empty() {
            return Err(KafkaError::Config(format!(
                "consumer group {group} is active ({} members, state {}): stop its consumers, then rewind",
                g.members().len(),
                g.state()
            )));
        }
    }
    let mut query = TopicPartitionList::new();
    for p in &info.partitions {
        query.add_partition(topic, p.id);
    }
    let committed = consumer.committed_offsets(query, conn.timeout)?;
    let mut moves = Vec::new();
    let mut tpl = TopicPartitionList::new();
    for p in &info.partitions {
        let old = committed
            .find_partition(topic, p.id)
            .and_then(|e| match e.offset() {
                Offset::Offset(o) if o >= 0 => Some(o),
                _ => None,
            });
        let new = match to {
            RewindTo::Beginning => p.low,
            RewindTo::End => p.high,
            RewindTo::Shift(n) => (old.unwrap_or(p.high) + n).clamp(p.low, p.high),
            RewindTo::Time(ms) => {
                let mut q = TopicPartitionList::new();
                q.add_partition_offset(topic, p.id, Offset::Offset(ms))?;
                let found = consumer.offsets_for_times(q, conn.timeout)?;
                match found.find_partition(topic, p.id).map(|e| e.offset()) {
                    Some(Offset::Offset(o)) if o >= 0 => o.clamp(p.low, p.high),
                    _ => p.high,
                }
            }
        };
        tpl.add_partition_offset(topic, p.id, Offset::Offset(new))?;
        moves.push(Move {
            topic: topic.to_string(),
            partition: p.id,
            old,
            new,
            low: p.low,
            high: p.high,
        });
    }
    if !dry_run {
        consumer.commit(&tpl, CommitMode::Sync)?;
    }
    Ok(moves)
}

/// Turn an offset spec into a rewind target.
pub fn rewind_target(spec: OffsetSpec) -> Option<RewindTo> {
    match spec {
        OffsetSpec::Beginning => Some(RewindTo::Beginning),
        OffsetSpec::End => Some(RewindTo::End),
        OffsetSpec::Time(ms) => Some(RewindTo::Time(ms)),
        _ => None,
    }
}

/// Copy records from `tail` to the same topics through `outbox` (to the local
/// brokers) until `stop` says so. Source offsets are committed by the commit rule, only
/// after the copies are acknowledged; when deliveries fail (the local broker went away)
/// the copies are sent again after a back-off ([`crate::transport::kafka::outbox`]), and a rebalance
/// leaves revoked partitions' records to their new reader. Returns (records, bytes)
/// copied; `progress` is called after each commit.
pub fn mirror_loop(
    tail: &mut Tail,
    outbox: &mut Outbox,
    source_admin: &Admin,
    local_admin: &Admin,
    mut stop: impl FnMut(&mut Tail) -> Result<bool>,
    mut progress: impl FnMut(u64, u64, &Tail),
    waiting: &mut dyn Waiting,
) -> Result<(u64, u64)> {
    let mut known: HashMap<String, bool> = HashMap::new();
    let (mut records, mut bytes) = (0u64, 0u64);
    let mut pending: Vec<Handled> = Vec::new();
    let mut last_commit = Instant::now();
    loop {
        let stopping = stop(tail)?;
        if stopping || pending.len() >= 1000 || last_commit.elapsed() > Duration::from_millis(500) {
            outbox.flush(waiting)?;
            let assigned: HashSet<Tp> = tail.partitions().into_iter().collect();
            let plan = commit::plan(std::mem::take(&mut pending), &HashMap::new(), &assigned);
            for h in &plan.ack {
                if let Err(e) = tail.ack_at(&h.tp.0, h.tp.1, h.offset) {
                    if tail.partitions().contains(&h.tp) {
                        return Err(e);
                    }
                }
            }
            if let Err(e) = tail.commit() {
                waiting.retrying(&format!("commit: {e}"), Duration::ZERO);
            }
            last_commit = Instant::now();
            progress(records, bytes, tail);
            if stopping {
                return Ok((records, bytes));
            }
        }
        let r = match tail.poll(Duration::from_millis(100)) {
            Ok(Some(r)) => r,
            Ok(None) => continue,
            Err(e) => {
                // The consumer reconnects by itself.
                waiting.retrying(&e.to_string(), Duration::from_millis(100));
                continue;
            }
        };
        if !known.contains_key(&r.topic) {
            // A topic new to this mirror: make it locally like the source's.
            let src = source_admin.describe(&r.topic)?;
            let spec = super::topics::spec(
                local_admin,
                &r.topic,
                super::topics::Kind::Copy {
                    partitions: src.partitions.len() as i32,
                    retention_ms: src
                        .retention_ms
                        .unwrap_or(crate::transport::kafka::admin::DEFAULT_RETENTION_MS),
                },
                None,
                None,
            )?;
            local_admin.create(&spec)?;
            let local = local_admin.describe(&r.topic)?;
            known.insert(
                r.topic.clone(),
                local.partitions.len() == src.partitions.len(),
            );
        }
        let len = r.payload.as_ref().map_or(0, Vec::len) as u64;
        outbox.send(
            Item {
                topic: r.topic.clone(),
                key: r.key.as_deref().map(bytes::Bytes::copy_from_slice),
                payload: bytes::Bytes::from(r.payload.unwrap_or_default()),
                timestamp_ms: r.timestamp_ms,
                partition: known[&r.topic].then_some(r.partition),
                headers: r
                    .headers
                    .into_iter()
                    .map(|(k, v)| (k, bytes::Bytes::from(v)))
                    .collect(),
            },
            waiting,
        )?;
        records += 1;
        bytes += len;
        pending.push(Handled {
            tp: (r.topic, r.partition),
            offset: r.offset,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(p: i32, off: i64, ts: i64) -> Received {
        Received {
            topic: "t".into(),
            partition: p,
            offset: off,
            timestamp_ms: Some(ts),
            timestamp_type: Some("CreateTime"),
            key: None,
            payload: None,
            headers: vec![],
        }
    }

    #[test]
    fn the_merger_waits_for_every_partition_then_goes_by_time() {
        let parts = vec![("t".to_string(), 0), ("t".to_string(), 1)];
        let mut m = Merger::default();
        m.push(rec(0, 0, 100));
        m.push(rec(0, 1, 300));
        assert!(
            m.pop(&parts, |_, _| false).is_none(),
            "partition 1 may still hold something earlier"
        );
        m.push(rec(1, 0, 200));
        let order: Vec<i64> = std::iter::from_fn(|| m.pop(&parts, |_, p| p == 1))
            .map(|r| r.timestamp_ms.unwrap())
            .collect();
        assert_eq!(order, vec![100, 200, 300]);
    }

    #[test]
    fn pacing_divides_the_original_gaps() {
        let mut p = Pacer::new(Speed::Factor(100.0));
        assert_eq!(p.wait(Some(1_000)), Duration::ZERO);
        let w = p.wait(Some(38_000)); // 37 s later, at 100x: 370 ms
        assert!(
            w > Duration::from_millis(300) && w <= Duration::from_millis(370),
            "{w:?}"
        );
        assert_eq!(Pacer::new(Speed::Max).wait(Some(5)), Duration::ZERO);
        // A tiny speed asks for an absurd wait: it saturates, it does not panic.
        let mut slow = Pacer::new("1e-300".parse().unwrap());
        slow.wait(Some(0));
        assert!(slow.wait(Some(1_000)) >= Duration::from_secs(86_400));
        assert_eq!("max".parse::<Speed>(), Ok(Speed::Max));
        assert!("0".parse::<Speed>().is_err() && "fast".parse::<Speed>().is_err());
    }
}

/// One partition of one consumer group's position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LagRow {
    /// The group.
    pub group: String,
    /// Topic.
    pub topic: String,
    /// Partition.
    pub partition: i32,
    /// The group's committed offset.
    pub committed: i64,
    /// The partition's high watermark.
    pub end: i64,
}

impl LagRow {
    /// Records the group has yet to read.
    pub fn lag(&self) -> i64 {
        (self.end - self.committed).max(0)
    }
}

/// Committed offsets and lag of `group` (or of every group the brokers list), on every
/// topic partition where the group has committed an offset.
pub fn lag(conn: &Connection, group: Option<&str>) -> Result<Vec<LagRow>> {
    let admin = Admin::connect(conn)?;
    let probe: BaseConsumer = conn.client_config(&[]).create()?;
    let groups: Vec<String> = match group {
        Some(g) => vec![g.to_string()],
        None => {
            let mut names: Vec<String> = probe
                .fetch_group_list(None, conn.timeout)?
                .groups()
                .iter()
                .map(|g| g.name().to_string())
                .filter(|n| !n.is_empty() && !n.starts_with("alertctl-tail-"))
                .collect();
            names.sort();
            names.dedup();
            names
        }
    };
    let topics: Vec<_> = admin
        .topic_names()?
        .iter()
        .map(|t| admin.describe(t))
        .collect::<Result<_>>()?;
    let mut rows = Vec::new();
    for g in groups {
        let consumer: BaseConsumer = conn
            .client_config(&[("group.id", g.as_str()), ("enable.auto.commit", "false")])
            .create()?;
        for t in &topics {
            let mut q = TopicPartitionList::new();
            for p in &t.partitions {
                q.add_partition(&t.name, p.id);
            }
            let committed = consumer.committed_offsets(q, conn.timeout)?;
            for p in &t.partitions {
                if let Some(Offset::Offset(c)) =
                    committed.find_partition(&t.name, p.id).map(|e| e.offset())
                {
                    if c >= 0 {
                        rows.push(LagRow {
                            group: g.clone(),
                            topic: t.name.clone(),
                            partition: p.id,
                            committed: c,
                            end: p.high,
                        });
                    }
                }
            }
        }
    }
    Ok(rows)
}

/// Committed offsets and lag of `group` (the profile's prefix applied), or of every
/// group the brokers list.
pub fn lag_job(
    target: &crate::transport::connect::Target,
    group: Option<&str>,
    report: &mut dyn super::Report,
) -> std::result::Result<Vec<LagRow>, crate::Error> {
    let conn = super::connect(target, report)?;
    let group = group.map(|g| conn.group_id(g).id);
    Ok(lag(&conn, group.as_deref())?)
}

/// How to rewind.
#[derive(Debug, Clone)]
pub struct RewindOptions {
    /// The consumer group (the profile's prefix applies).
    pub group: String,
    /// The topic, or a night's.
    pub topic: Option<String>,
    /// A night: its topic, or its window on a long-lived topic.
    pub night: Option<chrono::NaiveDate>,
    /// Where to: `beginning`, `end`, `@TIME`, or a shift.
    pub to: RewindSpec,
    /// Only say what would move.
    pub dry_run: bool,
    /// Where the cluster is.
    pub target: crate::transport::connect::Target,
}

/// Where a rewind goes, as asked: a night's window makes beginning and end its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RewindSpec {
    /// The oldest record (of the window).
    Beginning,
    /// After the newest (of the window).
    End,
    /// The first record at or after a time (Unix ms).
    Time(i64),
    /// This many records from the committed offset.
    Shift(i64),
}

/// What a rewind did: the group, the topic, and each partition's move.
#[derive(Debug, Clone)]
pub struct Rewound {
    /// The group id used.
    pub group: String,
    /// The topic.
    pub topic: String,
    /// The moves.
    pub moves: Vec<Move>,
}

/// Move an inactive group's committed offsets.
pub fn rewind_job(
    opts: &RewindOptions,
    report: &mut dyn super::Report,
) -> std::result::Result<Rewound, crate::Error> {
    let conn = super::connect(&opts.target, report)?;
    let reading = super::resolve_reading(
        opts.topic.as_deref(),
        opts.night,
        None,
        &Admin::connect(&conn)?,
        report,
    )?
    .ok_or_else(|| crate::Error::usage("give the topic: --from TOPIC or --night NIGHT"))?;
    let window = reading.window;
    let to = match opts.to {
        RewindSpec::Beginning => window.map_or(RewindTo::Beginning, |w| RewindTo::Time(w.start_ms)),
        RewindSpec::End => window.map_or(RewindTo::End, |w| RewindTo::Time(w.end_ms)),
        RewindSpec::Time(t) => RewindTo::Time(t),
        RewindSpec::Shift(n) => RewindTo::Shift(n),
    };
    let group = super::group_id(&conn, &opts.group, report);
    let moves = rewind(&conn, &group, &reading.topic, to, opts.dry_run)?;
    Ok(Rewound {
        group,
        topic: reading.topic,
        moves,
    })
}
