//! Visits: each filter's per-visit cap and ranking ledger (DMS-REQ-0343's
//! numBrokerAlerts). A capped filter emits the first `max_per_visit` passing alerts of a
//! visit at once; a ranked one holds the best `max_per_visit` of each visit and emits
//! them, best first, when the visit is complete.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use super::emit::{Map, Output, Stats, Tp};

/// Visits remembered for caps; older ones are forgotten (memory stays bounded).
const MAX_VISITS_REMEMBERED: usize = 20_000;

/// A passing alert a ranked filter holds, with its score.
struct Pending {
    score: f64,
    out: Output,
}

/// A ranked filter's best alerts of one visit so far.
struct Held {
    visit: Option<f64>,
    first_seen: Instant,
    complete_since: Option<Instant>,
    best: Vec<Pending>,
}

/// One filter's ledger of visits.
pub(super) struct Visits {
    cap: usize,
    ranked: bool,
    /// Alerts emitted per visit (capped, unranked filters).
    counts: Map<String, usize>,
    /// The visits in `counts`, oldest first.
    order: VecDeque<String>,
    /// What a ranked filter holds, per visit.
    held: Map<String, Held>,
}

impl Visits {
    /// The ledger of a filter with this cap (0: none) that ranks or not.
    pub(super) fn new(cap: usize, ranked: bool) -> Visits {
        Visits {
            cap,
            ranked,
            counts: Map::default(),
            order: VecDeque::new(),
            held: Map::default(),
        }
    }

    /// Whether a capped, unranked filter has already emitted its cap for this visit:
    /// it cannot emit another, so it need not be evaluated.
    pub(super) fn full(&self, visit: &str) -> bool {
        !self.ranked && self.cap > 0 && self.counts.get(visit).is_some_and(|n| *n >= self.cap)
    }

    /// A passing alert of visit `key` (numbered `visit`, when numeric) with its `score`:
    /// returns it when it is emitted now; a ranked filter holds it (dropping the worst
    /// beyond the cap), a capped one leaves it out once the visit has its cap.
    pub(super) fn offer(
        &mut self,
        key: String,
        visit: Option<f64>,
        score: f64,
        out: Output,
        stats: &mut Stats,
    ) -> Option<Output> {
        if self.ranked {
            let held = self.held.entry(key).or_insert_with(|| Held {
                visit,
                first_seen: Instant::now(),
                complete_since: None,
                best: Vec::new(),
            });
            held.best.push(Pending { score, out });
            if self.cap > 0 && held.best.len() > self.cap {
                // Drop the worst; the earliest wins a tie.
                let worst = held
                    .best
                    .iter()
                    .enumerate()
                    .min_by(|a, b| a.1.score.total_cmp(&b.1.score).then(b.0.cmp(&a.0)))
                    .map(|(i, _)| i)
                    .expect("not empty");
                held.best.remove(worst);
                stats.capped += 1;
            }
            return None;
        }
        if self.cap == 0 {
            stats.emitted += 1;
            return Some(out);
        }
        if !self.counts.contains_key(&key) {
            self.order.push_back(key.clone());
            if self.order.len() > MAX_VISITS_REMEMBERED {
                if let Some(old) = self.order.pop_front() {
                    self.counts.remove(&old);
                }
            }
        }
        let n = self.counts.entry(key).or_insert(0);
        if *n < self.cap {
            *n += 1;
            stats.emitted += 1;
            Some(out)
        } else {
            stats.capped += 1;
            None
        }
    }

    /// Emit the held visits that are complete: a later visit has been seen on every
    /// partition (`seen_everywhere`: the highest visit seen on all of them), `grace`
    /// ago; or the visit was first seen `timeout` ago.
    pub(super) fn expire(
        &mut self,
        seen_everywhere: Option<f64>,
        grace: Duration,
        timeout: Duration,
        stats: &mut Stats,
    ) -> Vec<Output> {
        if self.held.is_empty() {
            return Vec::new();
        }
        let now = Instant::now();
        let mut done = Vec::new();
        for (k, h) in self.held.iter_mut() {
            let later_everywhere = h
                .visit
                .is_some_and(|v| seen_everywhere.is_some_and(|m| m > v));
            if later_everywhere && h.complete_since.is_none() {
                h.complete_since = Some(now);
            }
            if h.complete_since
                .is_some_and(|t| now.duration_since(t) >= grace)
                || now.duration_since(h.first_seen) >= timeout
            {
                done.push(k.clone());
            }
        }
        let mut out = Vec::new();
        for k in done {
            let h = self.held.remove(&k).expect("present");
            out.extend(emit_ranked(stats, h));
        }
        out
    }

    /// Lower `low` to the lowest input offset held on each partition.
    pub(super) fn held_from(&self, low: &mut HashMap<Tp, i64>) {
        for h in self.held.values() {
            for p in &h.best {
                let (tp, off) = &p.out.source;
                let e = low.entry(tp.clone()).or_insert(*off);
                *e = (*e).min(*off);
            }
        }
    }

    /// Forget what is held from the partitions `gone` says are no longer read here.
    pub(super) fn forget(&mut self, gone: impl Fn(&Tp) -> bool) {
        for h in self.held.values_mut() {
            h.best.retain(|p| !gone(&p.out.source.0));
        }
        self.held.retain(|_, h| !h.best.is_empty());
    }

    /// Emit every held visit, in visit-key order (end of input).
    pub(super) fn finish(&mut self, stats: &mut Stats) -> Vec<Output> {
        let mut keys: Vec<String> = self.held.keys().cloned().collect();
        keys.sort();
        let mut out = Vec::new();
        for k in keys {
            let h = self.held.remove(&k).expect("present");
            out.extend(emit_ranked(stats, h));
        }
        out
    }
}

fn emit_ranked(stats: &mut Stats, mut h: Held) -> Vec<Output> {
    h.best.sort_by(|a, b| b.score.total_cmp(&a.score));
    stats.emitted += h.best.len() as u64;
    h.best.into_iter().map(|p| p.out).collect()
}
