//! A filter node: `filter run --filters FILE` over Kafka, which follows its filters
//! file while it runs, so that filters can be added during the night without stopping
//! the others (DMTN-093: "filters should be able to be added at any time during the
//! night").
//!
//! The filters run in lanes: the filters the node started with share the first lane
//! (one consumer, one decode of each alert, as before). When the file changes, the
//! node reads it again:
//!
//! * a filter that is new starts a lane of its own, beginning where it declares
//!   (`start`: the night's beginning, now, or a time; [`crate::filter::StartAt`]),
//!   its visits capped as if it had run all along;
//! * a filter that left the file is stopped in its lane between two records (a lane
//!   with no filter left ends);
//! * a filter whose definition changed is both: stopped, and started again afresh;
//! * a file that does not parse, or whose new filters do not compile, changes
//!   nothing: one line says why, and the running filters go on.
//!
//! A change is read once the file has looked the same for [`crate::watch::QUIET`]: a
//! file met halfway through its writing (truncated, partly written) is never acted on.
//!
//! The other lanes never pause: each has its own consumer, engine and outbox, on its
//! own thread. A new lane reads without a consumer group (it has nothing committed to
//! resume from); the first lane keeps the node's group. Which lane changes is decided
//! by [`plan`], a pure function.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use super::kafka::{run_job, Control, Counts, KafkaReport, KafkaRun};
use crate::error::Error;
use crate::filter::{FilterDef, StartAt};
use crate::jobs::Report;
use crate::watch::Settle;

/// A node: the run it starts with, and the filters file it follows.
#[derive(Debug, Clone)]
pub struct NodeRun {
    /// The run of the filters the node starts with (`setup.defs`: the file's filters).
    pub run: KafkaRun,
    /// The filters file to follow.
    pub filters_file: PathBuf,
    /// How often to look at the file.
    pub check_every: Duration,
}

/// What to do when the filters file changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// Filters to stop: (lane, name).
    pub stop: Vec<(usize, String)>,
    /// Filters to start, in one new lane.
    pub start: Vec<FilterDef>,
}

/// Compare the running filters (each with its lane) with the file's: what to stop and
/// what to start. A changed definition is stopped and started again.
pub fn plan(running: &BTreeMap<String, (usize, FilterDef)>, file: &[FilterDef]) -> Plan {
    let mut p = Plan::default();
    for (name, (lane, def)) in running {
        match file.iter().find(|d| &d.name == name) {
            Some(d) if d == def => {}
            _ => p.stop.push((*lane, name.clone())),
        }
    }
    for d in file {
        match running.get(&d.name) {
            Some((_, def)) if def == d => {}
            _ => p.start.push(d.clone()),
        }
    }
    p
}

/// A line from a lane's thread.
enum Line {
    Info(String),
    Warn(String),
}

/// A [`Report`] that sends its lines to the node's thread.
struct Relay(mpsc::Sender<Line>);

impl Report for Relay {
    fn info(&mut self, line: &str) {
        let _ = self.0.send(Line::Info(line.to_string()));
    }
    fn warn(&mut self, line: &str) {
        let _ = self.0.send(Line::Warn(line.to_string()));
    }
}

struct Lane {
    control: Arc<Control>,
    stop: Arc<AtomicBool>,
    done: Arc<AtomicBool>,
    names: Vec<String>,
}

/// The result of one lane.
type LaneResult = (Option<KafkaReport>, Result<(), Error>);

/// Run a node until stopped or, with an end, until every lane has read its input.
/// Returns what every filter did (a changed filter twice: the stopped definition and
/// the new one), and the first lane failure, if any.
pub fn run_node(
    opts: &NodeRun,
    report: &mut dyn Report,
    stop: crate::jobs::Stop<'_>,
) -> (Option<KafkaReport>, Result<(), Error>) {
    let (tx, rx) = mpsc::channel::<Line>();
    let stop_all = Arc::new(AtomicBool::new(false));
    let mut running: BTreeMap<String, (usize, FilterDef)> = BTreeMap::new();
    let mut lanes: Vec<Lane> = Vec::new();
    let mut watch = Settle::follow(&opts.filters_file);
    let mut results: Vec<(usize, LaneResult)> = Vec::new();
    let (done_tx, done_rx) = mpsc::channel::<(usize, LaneResult)>();
    std::thread::scope(|scope| {
        let start_lane = |defs: Vec<FilterDef>, start: Option<StartAt>, lanes: &mut Vec<Lane>| {
            let index = lanes.len();
            let lane = Lane {
                control: Arc::new(Control::default()),
                stop: Arc::new(AtomicBool::new(false)),
                done: Arc::new(AtomicBool::new(false)),
                names: defs.iter().map(|d| d.name.clone()).collect(),
            };
            let mut run = opts.run.clone();
            run.setup.defs = defs;
            run.control = Some(lane.control.clone());
            if start.is_some() {
                run.start = start;
                run.group = None;
            }
            let (stop_lane, stop_all, done) =
                (lane.stop.clone(), stop_all.clone(), lane.done.clone());
            let (tx, done_tx) = (tx.clone(), done_tx.clone());
            scope.spawn(move || {
                let mut relay = Relay(tx);
                let halt = || stop_lane.load(Ordering::SeqCst) || stop_all.load(Ordering::SeqCst);
                let r = run_job(&run, &mut relay, &halt);
                done.store(true, Ordering::SeqCst);
                let _ = done_tx.send((index, r));
            });
            lanes.push(lane);
        };
        for d in &opts.run.setup.defs {
            running.insert(d.name.clone(), (0, d.clone()));
        }
        start_lane(opts.run.setup.defs.clone(), None, &mut lanes);
        let mut last_check = std::time::Instant::now();
        loop {
            // Say what the lanes said, in their order.
            while let Ok(line) = rx.try_recv() {
                match line {
                    Line::Info(l) => report.info(&l),
                    Line::Warn(l) => report.warn(&l),
                }
            }
            while let Ok(r) = done_rx.try_recv() {
                results.push(r);
            }
            if stop() {
                stop_all.store(true, Ordering::SeqCst);
            }
            if lanes.iter().all(|l| l.done.load(Ordering::SeqCst)) {
                break;
            }
            // A change still settling is looked at again sooner.
            let every = watch.next_look(opts.check_every);
            if stop_all.load(Ordering::SeqCst) || last_check.elapsed() < every {
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
            last_check = std::time::Instant::now();
            let Some(loaded) = watch.look(&opts.filters_file, || {
                crate::filter::load_set(&opts.filters_file)
            }) else {
                continue;
            };
            let what = opts.filters_file.display();
            let defs = match loaded {
                Ok(set) => set.filters,
                Err(e) => {
                    report.warn(&format!(
                        "{e}: the filters file changed but does not parse; the running filters go on"
                    ));
                    continue;
                }
            };
            let p = plan(&running, &defs);
            if p.stop.is_empty() && p.start.is_empty() {
                continue;
            }
            // The new filters must compile before anything changes.
            let mut check = opts.run.setup.clone();
            check.defs = p.start.clone();
            if !p.start.is_empty() {
                if let Err(e) = check.engine() {
                    report.warn(&format!(
                        "{what} changed, but {e}; the running filters go on unchanged"
                    ));
                    continue;
                }
            }
            let when = chrono::Utc::now();
            for (lane, name) in &p.stop {
                lanes[*lane].control.remove(name);
                running.remove(name);
            }
            // A lane with no filter left ends (its last filter stops it).
            for (i, lane) in lanes.iter().enumerate() {
                if !lane
                    .names
                    .iter()
                    .any(|n| running.get(n).is_some_and(|(l, _)| *l == i))
                    && !lane.done.load(Ordering::SeqCst)
                {
                    lane.stop.store(true, Ordering::SeqCst);
                }
            }
            if p.start.is_empty() {
                continue;
            }
            // Filters that begin at different places get lanes of their own.
            let mut by_start: BTreeMap<StartAt, Vec<FilterDef>> = BTreeMap::new();
            for d in p.start {
                let at = d.start_at(when).unwrap_or(StartAt::Night);
                by_start.entry(at).or_default().push(d);
            }
            for (at, defs) in by_start {
                let index = lanes.len();
                let names: Vec<String> = defs.iter().map(|d| d.name.clone()).collect();
                for d in &defs {
                    running.insert(d.name.clone(), (index, d.clone()));
                }
                report.info(&format!(
                    "{what} changed: starting {} from {}; the running filters go on",
                    names.join(", "),
                    match at {
                        StartAt::Night => "the beginning of the input".to_string(),
                        StartAt::Time(t) => chrono::DateTime::from_timestamp_millis(t)
                            .map_or(t.to_string(), |d| d
                                .format("%Y-%m-%dT%H:%M:%SZ")
                                .to_string()),
                    }
                ));
                start_lane(defs, Some(at), &mut lanes);
            }
        }
    });
    results.extend(done_rx.try_iter());
    while let Ok(line) = rx.try_recv() {
        match line {
            Line::Info(l) => report.info(&l),
            Line::Warn(l) => report.warn(&l),
        }
    }
    merge(results)
}

/// One report of every lane's, in lane order; the first failure.
fn merge(mut results: Vec<(usize, LaneResult)>) -> (Option<KafkaReport>, Result<(), Error>) {
    results.sort_by_key(|(i, _)| *i);
    let mut out: Option<KafkaReport> = None;
    let mut failure = Ok(());
    for (_, (r, res)) in results {
        if let (Err(e), Ok(())) = (res, &failure) {
            failure = Err(e);
        }
        let Some(r) = r else { continue };
        match &mut out {
            None => out = Some(r),
            Some(o) => {
                o.counts = add(o.counts, r.counts);
                o.filters.extend(r.filters);
                o.bad += r.bad;
                o.sinks.extend(r.sinks);
            }
        }
    }
    (out, failure)
}

fn add(a: Counts, b: Counts) -> Counts {
    Counts {
        read: a.read + b.read,
        emitted: a.emitted + b.emitted,
        bad: a.bad + b.bad,
        retries: a.retries + b.retries,
        revoked: a.revoked + b.revoked,
        before_start: a.before_start + b.before_start,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running(defs: &[(&str, &str, usize)]) -> BTreeMap<String, (usize, FilterDef)> {
        defs.iter()
            .map(|(n, e, l)| (n.to_string(), (*l, FilterDef::new(n, e))))
            .collect()
    }

    #[test]
    fn an_unchanged_file_changes_nothing() {
        let r = running(&[("a", "true", 0), ("b", "false", 1)]);
        let file = vec![FilterDef::new("b", "false"), FilterDef::new("a", "true")];
        assert_eq!(plan(&r, &file), Plan::default());
    }

    #[test]
    fn added_removed_and_changed_filters_are_planned_each_in_its_lane() {
        let r = running(&[("a", "true", 0), ("b", "false", 0), ("c", ".x", 2)]);
        let file = vec![
            FilterDef::new("a", "true"),
            FilterDef::new("c", ".y"),
            FilterDef::new("d", ".z"),
        ];
        let p = plan(&r, &file);
        assert_eq!(p.stop, [(0, "b".to_string()), (2, "c".to_string())]);
        let started: Vec<&str> = p.start.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(started, ["c", "d"]);
        // A change of anything in the definition (here the cap) restarts the filter.
        let mut capped = FilterDef::new("a", "true");
        capped.max_per_visit = 5;
        let p = plan(&running(&[("a", "true", 0)]), &[capped]);
        assert_eq!((p.stop.len(), p.start.len()), (1, 1));
    }

    #[test]
    fn an_emptied_file_stops_everything_and_starts_nothing() {
        let r = running(&[("a", "true", 0), ("b", "false", 1)]);
        let p = plan(&r, &[]);
        assert_eq!(p.stop.len(), 2);
        assert!(p.start.is_empty());
    }
}
