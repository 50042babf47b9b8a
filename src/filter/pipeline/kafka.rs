//! The filter engine over Kafka, as a pipeline: records in, outputs out, offsets
//! committed by the commit rule ([`crate::transport::kafka::commit`]).
//!
//! * Outputs (and dead letters) go through an [`Outbox`]: when deliveries fail (the
//!   broker went away, the queue stays full), they are sent again after a back-off,
//!   and nothing is committed until they are acknowledged.
//! * A record whose schema cannot be looked up for a reason that may pass (the registry
//!   does not answer) blocks its partition: the partition is read again from that
//!   record after a back-off, and nothing from it on is committed meanwhile.
//! * A rebalance: before revoked partitions are given up, what was read from them is
//!   committed (once its outputs are acknowledged), so their new reader does not send
//!   it again; what the engine still held from them (a ranked visit) is forgotten and
//!   read again by the new reader.
//! * Past `give_up_after` of failing, the pipeline stops with an error, having
//!   committed nothing past what is acknowledged.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::{notice_line, Setup};
use crate::error::Error;
use crate::filter::notify::{Notifier, SinkStats};
use crate::filter::{Engine, Input, Notice, Output, FILTER_HEADER};

/// How long the sinks may take to deliver what they hold when a run ends.
const SINK_GRACE: Duration = Duration::from_secs(30);
use crate::transport::kafka::commit::{self, Handled, Tp};
use crate::transport::kafka::consume::{Received, Tail};
use crate::transport::kafka::outbox::{Item, Outbox, Retry, Waiting};
use crate::transport::kafka::KafkaError;

/// How to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Each filter's output topic, in the engine's order.
    pub outputs: Vec<String>,
    /// Each filter's name (the header on its outputs).
    pub names: Vec<String>,
    /// Where undecodable records go.
    pub dead_letter: Option<String>,
    /// Stop at the end of the input partitions (as they were when first read).
    pub exit_at_end: bool,
    /// A ranked visit is complete this long after later visits reached every partition.
    pub visit_grace: Duration,
    /// A ranked visit is complete at the latest this long after its first alert.
    pub visit_timeout: Duration,
    /// Commit after this many new records...
    pub batch: usize,
    /// ...or this long after the last commit.
    pub interval: Duration,
    /// With `exit_at_end`: no record for this long while partitions remain unread is a stall.
    pub stall: Duration,
    /// Retrying failures that may pass: how long, how often.
    pub retry: Retry,
    /// Send nothing that passed on a record older than this (Unix ms): the records
    /// before it are read only to fill the visits' caps (a filter added during a night).
    pub emit_from_ms: Option<i64>,
}

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Records read (a record read again after a failure counts again).
    pub read: u64,
    /// Outputs sent.
    pub emitted: u64,
    /// Records that could not be decoded.
    pub bad: u64,
    /// Times a failure that may pass was waited out.
    pub retries: u64,
    /// Handled records dropped because their partition was revoked.
    pub revoked: u64,
    /// Outputs not sent because their record is older than the run's start
    /// ([`Options::emit_from_ms`]).
    pub before_start: u64,
}

/// Why a run stopped early.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// Kafka failed for good (or for longer than the retries allow).
    #[error(transparent)]
    Kafka(#[from] KafkaError),
    /// A failure that may pass lasted too long.
    #[error("{0}")]
    GaveUp(String),
    /// No record came while partitions remained unread.
    #[error("no records for {0:.0} s while partitions remain unread")]
    Stalled(f64),
}

/// What a run reports as it goes.
pub trait Events {
    /// A record that cannot be decoded (`at` is topic/partition@offset).
    fn bad(&mut self, at: &str, error: &dyn std::fmt::Display);
    /// Something happened to a filter.
    fn notice(&mut self, notice: Notice);
    /// A failure that may pass; trying again in `wait`.
    fn retrying(&mut self, why: &str, wait: Duration);
    /// Partitions were revoked in a rebalance.
    fn revoked(&mut self, _partitions: &[Tp]) {}
    /// After each commit.
    fn committed(&mut self, _counts: &Counts, _tail: &Tail) {}
    /// A notification sink failed and is retried (said once a minute at most per sink).
    fn sink(&mut self, _line: &str) {}
    /// Between records: change the running filters (a node removes one whose
    /// definition left the filters file). Returns false when no filter is left to run.
    fn control(&mut self, _engine: &mut Engine) -> bool {
        true
    }
}

struct Waiter<'a> {
    events: &'a mut dyn Events,
    stop: &'a dyn Fn() -> bool,
    retries: u64,
}

impl Waiting for Waiter<'_> {
    fn retrying(&mut self, why: &str, wait: Duration) {
        self.retries += 1;
        self.events.retrying(why, wait);
    }

    fn stopping(&self) -> bool {
        (self.stop)()
    }
}

/// A partition waiting to be read again from `offset`.
struct Blocked {
    offset: i64,
    since: Instant,
    wait: Duration,
    until: Instant,
    /// Sought back already: its record is on its way again.
    sought: bool,
}

struct State<'n> {
    /// The filters' notification sinks, when any filter has one.
    notifier: Option<&'n mut Notifier>,
    pending: Vec<Handled>,
    fresh: usize,
    last_commit: Instant,
    blocked: HashMap<Tp, Blocked>,
    /// Partitions sought back: records past this offset are stale until it comes.
    rereading: HashMap<Tp, i64>,
    assigned: HashSet<Tp>,
    /// The tail's partitions generation `assigned` was taken at.
    generation: u64,
    counts: Counts,
}

fn item(opts: &Options, o: &Output) -> Item {
    Item {
        topic: opts.outputs[o.filter].clone(),
        key: o.key.as_deref().map(Bytes::copy_from_slice),
        payload: o.packet.clone(),
        timestamp_ms: o.timestamp_ms,
        partition: None,
        headers: std::iter::once((
            FILTER_HEADER.to_string(),
            Bytes::copy_from_slice(opts.names[o.filter].as_bytes()),
        ))
        .chain(o.headers.iter().cloned())
        .collect(),
    }
}

/// Send one output, unless its record is older than the run's start, and hand it to
/// its filter's sinks.
fn send(
    outbox: &mut Outbox,
    opts: &Options,
    o: &Output,
    st: &mut State<'_>,
    w: &mut Waiter<'_>,
) -> Result<(), StreamError> {
    if opts
        .emit_from_ms
        .is_some_and(|from| o.timestamp_ms.is_some_and(|t| t < from))
    {
        st.counts.before_start += 1;
        return Ok(());
    }
    outbox.send(item(opts, o), w)?;
    st.counts.emitted += 1;
    if let Some(n) = st.notifier.as_deref_mut() {
        n.offer(o);
    }
    Ok(())
}

/// Run `engine` over `tail`'s records, sending outputs through `outbox` (and to the
/// filters' sinks, with a `notifier`), until `stop` says so or (with `exit_at_end`) the
/// input is read. Returns the counts.
pub fn run(
    engine: &mut Engine,
    tail: &mut Tail,
    outbox: &mut Outbox,
    opts: &Options,
    events: &mut dyn Events,
    stop: &dyn Fn() -> bool,
    notifier: Option<&mut Notifier>,
) -> Result<Counts, StreamError> {
    let mut st = State {
        notifier,
        pending: Vec::new(),
        fresh: 0,
        last_commit: Instant::now(),
        blocked: HashMap::new(),
        rereading: HashMap::new(),
        assigned: tail.partitions().into_iter().collect(),
        generation: tail.partitions_generation(),
        counts: Counts::default(),
    };
    let ranked = engine.defs().any(|d| d.rank_by.is_some());
    tail.touch();
    tail.hold_revocations();
    loop {
        // Removals first: a lane stopped because its last filter left still says so.
        let alive = events.control(engine);
        let stopping = stop() || !alive;
        if tail.revoking() {
            // A rebalance takes partitions away: finish what was read from them (its
            // outputs acknowledged, its offsets committed), then give them up, so that
            // their new reader starts after it.
            commit_step(engine, tail, outbox, &mut st, events, stop)?;
            tail.release()?;
        }
        rebalance(engine, tail, &mut st, events);
        let at_end = !stopping && opts.exit_at_end && st.blocked.is_empty() && tail.at_end()?;
        if at_end {
            let mut w = Waiter {
                events,
                stop,
                retries: 0,
            };
            for o in engine.finish() {
                send(outbox, opts, &o, &mut st, &mut w)?;
            }
            st.counts.retries += w.retries;
        }
        if let Some(n) = st.notifier.as_deref() {
            for line in n.take_warnings() {
                events.sink(&line);
            }
        }
        if stopping || at_end {
            // The sinks deliver what they hold (for a while): what they cannot is not
            // committed, and is offered again next run.
            if let Some(n) = st.notifier.as_deref_mut() {
                n.finish(SINK_GRACE);
                for line in n.take_warnings() {
                    events.sink(&line);
                }
            }
        }
        if stopping || at_end || st.fresh >= opts.batch || st.last_commit.elapsed() >= opts.interval
        {
            commit_step(engine, tail, outbox, &mut st, events, stop)?;
            if stopping || at_end {
                return Ok(st.counts);
            }
        }
        retry_blocked(tail, &mut st, opts)?;
        if ranked {
            let mut w = Waiter {
                events,
                stop,
                retries: 0,
            };
            for o in engine.expire(&st.assigned, opts.visit_grace, opts.visit_timeout) {
                send(outbox, opts, &o, &mut st, &mut w)?;
            }
            st.counts.retries += w.retries;
        }
        let rec = match tail.poll(Duration::from_millis(100)) {
            Ok(Some(r)) => r,
            Ok(None) => {
                if opts.exit_at_end && st.blocked.is_empty() && tail.stalled(opts.stall)? {
                    commit_step(engine, tail, outbox, &mut st, events, stop)?;
                    return Err(StreamError::Stalled(opts.stall.as_secs_f64()));
                }
                continue;
            }
            Err(e) => {
                // The consumer reconnects by itself: a broker away is waited out.
                events.retrying(&e.to_string(), Duration::from_millis(100));
                continue;
            }
        };
        handle(engine, outbox, opts, &mut st, events, stop, rec)?;
    }
}

/// Notice revoked partitions: forget what is held from them.
fn rebalance(engine: &mut Engine, tail: &Tail, st: &mut State<'_>, events: &mut dyn Events) {
    let generation = tail.partitions_generation();
    if generation == st.generation {
        return;
    }
    st.generation = generation;
    let now: HashSet<Tp> = tail.partitions().into_iter().collect();
    let revoked: Vec<Tp> = st.assigned.difference(&now).cloned().collect();
    if !revoked.is_empty() {
        engine.forget(&revoked);
        st.blocked.retain(|tp, _| now.contains(tp));
        st.rereading.retain(|tp, _| now.contains(tp));
        events.revoked(&revoked);
    }
    st.assigned = now;
}

/// Seek blocked partitions back to their record once their wait is over.
fn retry_blocked(tail: &mut Tail, st: &mut State<'_>, opts: &Options) -> Result<(), StreamError> {
    let due: Vec<Tp> = st
        .blocked
        .iter()
        .filter(|(_, b)| !b.sought && Instant::now() >= b.until)
        .map(|(tp, _)| tp.clone())
        .collect();
    for tp in due {
        let b = &st.blocked[&tp];
        if b.since.elapsed() > opts.retry.give_up_after {
            return Err(StreamError::GaveUp(format!(
                "{}/{}@{}: still failing after {:.0} s; nothing from it on was committed",
                tp.0,
                tp.1,
                b.offset,
                b.since.elapsed().as_secs_f64()
            )));
        }
        tail.seek(&tp.0, tp.1, b.offset)?;
        tail.touch();
        st.rereading.insert(tp.clone(), b.offset);
        // Still blocked (nothing from it committed) until its record is handled.
        st.blocked.get_mut(&tp).expect("present").sought = true;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn handle(
    engine: &mut Engine,
    outbox: &mut Outbox,
    opts: &Options,
    st: &mut State<'_>,
    events: &mut dyn Events,
    stop: &dyn Fn() -> bool,
    rec: Received,
) -> Result<(), StreamError> {
    let tp: Tp = (rec.topic.clone(), rec.partition);
    if let Some(from) = st.rereading.get(&tp) {
        if rec.offset > *from {
            return Ok(()); // fetched before the seek: it comes again
        }
        st.rereading.remove(&tp);
    }
    if st.blocked.get(&tp).is_some_and(|b| !b.sought) {
        return Ok(()); // waiting to read this partition again from its blocked record
    }
    st.counts.read += 1;
    let payload = Bytes::from(rec.payload.unwrap_or_default());
    let input = Input {
        packet: payload.clone(),
        key: rec.key.as_deref(),
        topic: &rec.topic,
        partition: rec.partition,
        timestamp_ms: rec.timestamp_ms,
        offset: rec.offset,
    };
    let processed = engine.process(&input);
    for n in engine.take_notices() {
        events.notice(n);
    }
    let mut w = Waiter {
        events,
        stop,
        retries: 0,
    };
    match processed {
        Ok(outs) => {
            for o in &outs {
                send(outbox, opts, o, st, &mut w)?;
            }
            st.blocked.remove(&tp);
        }
        Err(e) if e.is_transient() => {
            // Read this partition again from this record after a back-off.
            let now = Instant::now();
            let b = st.blocked.entry(tp.clone()).or_insert(Blocked {
                offset: rec.offset,
                since: now,
                wait: opts.retry.first_wait / 2,
                until: now,
                sought: false,
            });
            b.offset = rec.offset;
            b.sought = false;
            b.wait = (b.wait * 2).clamp(opts.retry.first_wait, opts.retry.max_wait);
            b.until = now + b.wait;
            w.retrying(
                &format!("{}/{}@{}: {e}", rec.topic, rec.partition, rec.offset),
                b.wait,
            );
            st.counts.retries += w.retries;
            return Ok(());
        }
        Err(e) => {
            st.counts.bad += 1;
            let at = format!("{}/{}@{}", rec.topic, rec.partition, rec.offset);
            w.events.bad(&at, &e);
            if let Some(dl) = &opts.dead_letter {
                let why = format!("{at}: {e}");
                outbox.send(
                    Item {
                        topic: dl.clone(),
                        key: rec.key.as_deref().map(Bytes::copy_from_slice),
                        payload,
                        timestamp_ms: rec.timestamp_ms,
                        partition: None,
                        headers: vec![("alertctl-error".into(), Bytes::from(why.into_bytes()))],
                    },
                    &mut w,
                )?;
            }
            st.blocked.remove(&tp);
        }
    }
    st.counts.retries += w.retries;
    st.pending.push(Handled {
        tp,
        offset: rec.offset,
    });
    st.fresh += 1;
    Ok(())
}

/// Wait for every output to be acknowledged, then acknowledge what the commit rule allows.
fn commit_step(
    engine: &Engine,
    tail: &mut Tail,
    outbox: &mut Outbox,
    st: &mut State<'_>,
    events: &mut dyn Events,
    stop: &dyn Fn() -> bool,
) -> Result<(), StreamError> {
    let mut w = Waiter {
        events,
        stop,
        retries: 0,
    };
    outbox.flush(&mut w)?;
    st.counts.retries += w.retries;
    let mut held = engine.held_from();
    // Alerts a sink has not accepted hold their offsets back, as ranked visits do.
    if let Some(n) = st.notifier.as_deref() {
        for (tp, o) in n.pending_from() {
            let low = held.entry(tp).or_insert(o);
            *low = (*low).min(o);
        }
    }
    let held: Vec<(Tp, i64)> = held
        .into_iter()
        .map(|((t, p), o)| ((t.to_string(), p), o))
        .collect();
    let stops = commit::lowest(
        held.iter()
            .map(|(tp, o)| (tp, *o))
            .chain(st.blocked.iter().map(|(tp, b)| (tp, b.offset))),
    );
    let plan = commit::plan(std::mem::take(&mut st.pending), &stops, &st.assigned);
    for h in &plan.ack {
        if let Err(e) = tail.ack_at(&h.tp.0, h.tp.1, h.offset) {
            // Revoked between the check and the store: its new reader has it.
            if tail.partitions().contains(&h.tp) {
                return Err(e.into());
            }
            st.counts.revoked += 1;
        }
    }
    st.counts.revoked += plan.dropped.len() as u64;
    st.pending = plan.keep;
    if let Err(e) = tail.commit() {
        // Committed at the next commit, or the records are read again: never lost.
        events.retrying(&format!("commit: {e}"), Duration::ZERO);
    }
    st.fresh = 0;
    st.last_commit = Instant::now();
    events.committed(&st.counts, tail);
    Ok(())
}

/// A run over Kafka.
#[derive(Debug, Clone)]
pub struct KafkaRun {
    /// The filters, their budget and schemas.
    pub setup: Setup,
    /// The input topic or regex.
    pub from: Option<String>,
    /// A night: its topic, or its window on a long-lived topic.
    pub night: Option<chrono::NaiveDate>,
    /// Where to start without committed offsets.
    pub offset: Option<crate::transport::kafka::offsets::OffsetSpec>,
    /// The consumer group.
    pub group: Option<String>,
    /// Stop at the end of the input partitions.
    pub exit_at_end: bool,
    /// Where undecodable records go.
    pub dead_letter: Option<String>,
    /// A ranked visit is complete this long after later visits reached every partition.
    pub visit_grace: Duration,
    /// A ranked visit is complete at the latest this long after its first alert.
    pub visit_timeout: Duration,
    /// Wait out failures that may pass this long.
    pub retry_for: Duration,
    /// Say when the input lag passes this many records (0: never).
    pub lag_warn: i64,
    /// Where the cluster is.
    pub target: crate::transport::connect::Target,
    /// Where the filters begin (a filter added to a running node); `None`: as `offset`
    /// and `group` say.
    pub start: Option<crate::filter::StartAt>,
    /// Changes to the running filters, from a node that watches its filters file.
    pub control: Option<std::sync::Arc<Control>>,
}

/// Filters a node removes from a running pipeline.
#[derive(Debug, Default)]
pub struct Control {
    remove: std::sync::Mutex<Vec<String>>,
}

impl Control {
    /// Remove the filter `name` between two records.
    pub fn remove(&self, name: &str) {
        self.remove
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(name.to_string());
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.remove.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// What a run over Kafka did.
#[derive(Debug, Clone)]
pub struct KafkaReport {
    /// The counts.
    pub counts: Counts,
    /// Each filter's counters and, if it was disabled, why.
    pub filters: Vec<(String, crate::filter::Stats, Option<String>)>,
    /// Undecodable records.
    pub bad: u64,
    /// What each notification sink did.
    pub sinks: Vec<SinkStats>,
}

/// Says what happens on a Kafka run through a job report.
struct Said<'a> {
    report: &'a mut dyn crate::jobs::Report,
    retry_warned: Option<Instant>,
    lag: crate::transport::kafka::consume::LagWatch,
    lag_threshold: i64,
    control: Option<std::sync::Arc<Control>>,
}

impl Events for Said<'_> {
    fn sink(&mut self, line: &str) {
        self.report.warn(line);
    }

    fn control(&mut self, engine: &mut Engine) -> bool {
        let Some(c) = &self.control else {
            return true;
        };
        for name in c.take() {
            if engine.remove(&name) {
                self.report
                    .info(&format!("filter {name} stopped: it left the filters file"));
            }
        }
        engine.any_running()
    }

    fn bad(&mut self, at: &str, error: &dyn std::fmt::Display) {
        self.report.warn(&format!("{at}: {error}"));
    }

    fn committed(&mut self, _counts: &Counts, tail: &Tail) {
        if let Some(change) = self.lag.check(tail) {
            crate::jobs::say_lag(self.report, "filter run", change, self.lag_threshold);
        }
    }

    fn notice(&mut self, n: Notice) {
        self.report.warn(&notice_line(&n));
    }

    fn retrying(&mut self, why: &str, wait: Duration) {
        // One line every few seconds at most: a broker away for a minute is one story.
        if self
            .retry_warned
            .is_none_or(|t| t.elapsed() > Duration::from_secs(5))
        {
            self.report.warn(&format!(
                "{why}; trying again in {:.1} s",
                wait.as_secs_f64()
            ));
            self.retry_warned = Some(Instant::now());
        }
    }

    fn revoked(&mut self, partitions: &[(String, i32)]) {
        let list: Vec<String> = partitions.iter().map(|(t, p)| format!("{t}/{p}")).collect();
        self.report.info(&format!(
            "partitions {} went to another member of the group; what was held from them is theirs now",
            list.join(", ")
        ));
    }
}

/// The output topics of filters reading `topics` (matched by `from`): refused when one
/// is also an input (it would read its own output forever).
pub fn check_outputs(
    from: &str,
    topics: &[String],
    outputs: impl IntoIterator<Item = impl AsRef<str>>,
) -> Result<(), Error> {
    use crate::transport::kafka::admin::is_pattern;
    let matcher = is_pattern(from)
        .then(|| {
            regex::Regex::new(&format!(
                "^(?:{})$",
                from.trim_start_matches('^').trim_end_matches('$')
            ))
            .ok()
        })
        .flatten();
    for t in outputs {
        let t = t.as_ref();
        if topics.iter().any(|x| x == t) || matcher.as_ref().is_some_and(|m| m.is_match(t)) {
            return Err(Error::usage(format!(
                "output topic {t} is also an input (--from {from}): the filter would read its own output; choose another name (--to)"
            )));
        }
    }
    Ok(())
}

/// Run filters over Kafka: resolve the input, refuse outputs that are inputs, create
/// the outputs with their inputs' retention, and run until stopped or (with an end)
/// read. The report comes back with the run's failure, if it failed, so that what
/// each filter did can still be said.
pub fn run_job(
    opts: &KafkaRun,
    report: &mut dyn crate::jobs::Report,
    stop: crate::jobs::Stop<'_>,
) -> (Option<KafkaReport>, Result<(), Error>) {
    let mut engine = match opts.setup.engine() {
        Ok(e) => e,
        Err(e) => return (None, Err(e)),
    };
    let mut notifier = Notifier::start(&opts.setup.defs, opts.setup.schemas.store());
    let result = run_engine(&mut engine, opts, report, stop, notifier.as_mut());
    let out = KafkaReport {
        counts: *result.as_ref().unwrap_or(&Counts::default()),
        filters: engine.stats(),
        bad: engine.bad,
        sinks: notifier
            .as_mut()
            .map(|n| n.finish(Duration::ZERO))
            .unwrap_or_default(),
    };
    (Some(out), result.map(|_| ()))
}

fn run_engine(
    engine: &mut Engine,
    opts: &KafkaRun,
    report: &mut dyn crate::jobs::Report,
    stop: crate::jobs::Stop<'_>,
    notifier: Option<&mut Notifier>,
) -> Result<Counts, Error> {
    use crate::jobs::topics::{self, Kind};
    use crate::transport::kafka::admin::{is_pattern, Admin};
    use crate::transport::kafka::consume::Start;
    use crate::transport::kafka::offsets::OffsetSpec;
    use crate::transport::kafka::produce::Producer;
    let conn = crate::jobs::connect(&opts.target, report)?;
    let admin = Admin::connect(&conn)?;
    let reading =
        crate::jobs::resolve_reading(opts.from.as_deref(), opts.night, None, &admin, report)?
            .ok_or_else(|| {
                Error::usage(
            "give the input: --from TOPIC (or a regex), --night NIGHT, or --file VISIT_FILE",
        )
            })?;
    let from = reading.topic.as_str();
    if reading.window.is_some() && opts.group.is_some() {
        return Err(Error::usage(format!(
            "--night on {from} is a time window, read by offsets: it takes no --group (a group resumes where it committed)"
        )));
    }
    let topics_read = &reading.topics;
    let outputs: Vec<String> = engine.defs().map(|d| d.topic().to_string()).collect();
    check_outputs(
        from,
        topics_read,
        outputs.iter().chain(opts.dead_letter.iter()),
    )?;
    // Outputs keep records as long as their inputs do: a past night's alerts, stamped
    // with their observation time, would otherwise expire on arrival.
    let retention = topics::longest_retention(&admin, topics_read);
    let mut created = HashSet::new();
    for t in outputs.iter().chain(opts.dead_letter.iter()) {
        if created.insert(t.clone()) {
            topics::ensure(
                &admin,
                t,
                Kind::Output {
                    retention_ms: retention,
                },
                None,
                None,
                report,
            )?;
        }
    }
    let retry = Retry {
        give_up_after: opts.retry_for,
        ..Default::default()
    };
    let mut outbox = Outbox::new(Producer::new(&conn, &outputs[0])?, retry);
    drop(admin);
    // A filter added to a running node from a time reads one visit timeout before it
    // (to fill its visits' caps as if it had run all along) and sends from it.
    let before = opts.visit_timeout.as_millis() as i64;
    let (offset, emit_from_ms) = match (opts.start, reading.window) {
        (Some(crate::filter::StartAt::Time(t)), Some(w)) => (
            OffsetSpec::TimeRange {
                start: (t - before).max(w.start_ms),
                end: w.end_ms,
            },
            Some(t),
        ),
        (Some(crate::filter::StartAt::Time(t)), None) => (OffsetSpec::Time(t - before), Some(t)),
        (Some(crate::filter::StartAt::Night), _) => {
            (reading.offset(None, OffsetSpec::Beginning)?, None)
        }
        (None, _) => (
            reading.offset(
                opts.offset,
                if opts.group.is_some() {
                    OffsetSpec::Stored
                } else {
                    OffsetSpec::Beginning
                },
            )?,
            None,
        ),
    };
    let group = opts
        .group
        .as_deref()
        .map(|g| crate::jobs::group_id(&conn, g, report));
    let mut tail = Tail::open(
        &conn,
        topics_read,
        is_pattern(from).then_some(from),
        &Start { offset, group },
    )?;
    let run_opts = Options {
        outputs,
        names: engine.defs().map(|d| d.name.clone()).collect(),
        dead_letter: opts.dead_letter.clone(),
        // A window ends: the filter stops at its end, per partition.
        exit_at_end: opts.exit_at_end || reading.window.is_some(),
        visit_grace: opts.visit_grace,
        visit_timeout: opts.visit_timeout,
        batch: 500,
        interval: Duration::from_millis(500),
        stall: conn.timeout,
        retry,
        emit_from_ms,
    };
    let mut said = Said {
        report,
        retry_warned: None,
        lag: crate::transport::kafka::consume::LagWatch::new(opts.lag_warn),
        lag_threshold: opts.lag_warn,
        control: opts.control.clone(),
    };
    let counts = run(
        engine,
        &mut tail,
        &mut outbox,
        &run_opts,
        &mut said,
        stop,
        notifier,
    )
    .map_err(|e| match e {
        StreamError::Stalled(s) => Error::failure(format!(
            "no records from {} for {s:.0}s while partitions remain unread",
            conn.brokers
        )),
        other => Error::failure(other.to_string()),
    })?;
    tail.close()?;
    if counts.retries > 0 || counts.revoked > 0 {
        said.report.info(&format!(
            "{} failures waited out, {} records left to other members",
            counts.retries, counts.revoked
        ));
    }
    Ok(counts)
}
