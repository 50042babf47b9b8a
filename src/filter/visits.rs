//! Visits: each filter's per-visit cap and ranking ledger (DMS-REQ-0343's
//! numBrokerAlerts). A capped filter emits the first `max_per_visit` passing alerts of a
//! visit at once; a ranked one holds the best `max_per_visit` of each visit and emits
//! them, best first, when the visit is complete.

use std::collections::{HashMap, VecDeque};
use std::rc::Rc;
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
    /// The visit last found at its cap (it stays there until forgotten): alerts come
    /// visit by visit, so a full filter is asked about the same visit again and again.
    /// The engine hands every filter the same key while the visit lasts, so the key is
    /// known by its pointer; another key with the same text is looked up.
    last_full: Option<Rc<str>>,
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
            last_full: None,
        }
    }

    /// Whether a capped, unranked filter has already emitted its cap for this visit:
    /// it cannot emit another, so it need not be evaluated.
    pub(super) fn full(&mut self, visit: &Rc<str>) -> bool {
        if self.ranked || self.cap == 0 {
            return false;
        }
        if self
            .last_full
            .as_ref()
            .is_some_and(|l| Rc::ptr_eq(l, visit))
        {
            return true;
        }
        let full = self.counts.get(&**visit).is_some_and(|n| *n >= self.cap);
        if full {
            self.last_full = Some(visit.clone());
        }
        full
    }

    /// Whether a ranked filter's [`Visits::offer`] would drop a passing alert of visit
    /// `key` scoring `score` at once: the visit already holds the cap of alerts scoring
    /// at least as much (the earliest wins a tie). The caller may then count it capped
    /// and build no output for it: the ledger is as the offer would leave it.
    pub(super) fn would_drop(&self, key: &str, score: f64) -> bool {
        if !self.ranked || self.cap == 0 {
            return false;
        }
        self.held.get(key).is_some_and(|h| {
            h.best.len() >= self.cap
                && h.best
                    .iter()
                    .all(|p| score.total_cmp(&p.score) != std::cmp::Ordering::Greater)
        })
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
                    if self.last_full.as_deref() == Some(&*old) {
                        self.last_full = None;
                    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn output() -> Output {
        Output {
            filter: 0,
            packet: bytes::Bytes::from_static(b"alert"),
            key: None,
            timestamp_ms: None,
            source: ((std::sync::Arc::from("t"), 0), 0),
            headers: Vec::new(),
        }
    }

    /// A ranked ledger that skips the alerts [`Visits::would_drop`] names, against one
    /// that is offered every alert: over generated scores with ties, NaN and
    /// infinities, and visits whose scores fall or rise, both count the same and emit
    /// the same alerts in the same order.
    #[test]
    fn a_ranked_alert_known_to_drop_leaves_the_ledger_as_its_offer_would() {
        const SCORES: [f64; 9] = [
            0.0,
            1.0,
            1.0,
            -2.5,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            7.0,
            -0.0,
        ];
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut dropped = 0;
        for cap in [1usize, 3, 20] {
            let (mut all, mut skipping) = (Visits::new(cap, true), Visits::new(cap, true));
            let (mut s_all, mut s_skip) = (Stats::default(), Stats::default());
            for i in 0..2000u64 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // Visits of random scores, of falling scores (the first alerts are
                // the best: a wrong early drop shows in the result) and of rising ones,
                // with ties in each.
                let score = match (i / 300) % 3 {
                    0 if x.is_multiple_of(3) => SCORES[(x >> 8) as usize % SCORES.len()],
                    0 => ((x >> 16) % 50) as f64,
                    1 => -(((i % 300) / 2) as f64),
                    _ => ((i % 300) / 2) as f64,
                };
                let key = format!("v{}", i / 300);
                let mut out = output();
                out.source.1 = i as i64;
                assert!(all
                    .offer(key.clone(), None, score, out.clone(), &mut s_all)
                    .is_none());
                if skipping.would_drop(&key, score) {
                    s_skip.capped += 1;
                    dropped += 1;
                } else {
                    skipping.offer(key, None, score, out, &mut s_skip);
                }
            }
            let offsets = |v: Vec<Output>| v.into_iter().map(|o| o.source.1).collect::<Vec<_>>();
            assert_eq!(
                offsets(all.finish(&mut s_all)),
                offsets(skipping.finish(&mut s_skip))
            );
            assert_eq!(
                (s_all.emitted, s_all.capped),
                (s_skip.emitted, s_skip.capped),
                "cap {cap}"
            );
        }
        assert!(dropped > 3000, "{dropped}");
        assert!(!Visits::new(2, false).would_drop("a", 0.0), "not ranked");
    }

    /// A capped filter is full for a visit once it has emitted its cap there, and no
    /// longer once the visit is forgotten: the remembered answer goes with it.
    #[test]
    fn a_visit_is_full_at_its_cap_until_forgotten() {
        let mut v = Visits::new(2, false);
        let mut stats = Stats::default();
        let offer = |v: &mut Visits, key: &str, stats: &mut Stats| {
            v.offer(key.to_string(), None, 0.0, output(), stats)
                .is_some()
        };
        // The engine's key for a visit: one pointer while the visit lasts.
        let a: Rc<str> = Rc::from("a");
        assert!(!v.full(&a));
        assert!(offer(&mut v, "a", &mut stats));
        assert!(!v.full(&a), "one of two");
        assert!(offer(&mut v, "a", &mut stats));
        assert!(v.full(&a) && v.full(&a), "at the cap, asked twice");
        assert!(v.full(&Rc::from("a")), "the same text by another key");
        assert!(!v.full(&Rc::from("b")));
        assert!(!offer(&mut v, "a", &mut stats), "capped");
        assert!(v.full(&a));
        // Other visits push "a" out of the ledger: it may emit again.
        for i in 0..MAX_VISITS_REMEMBERED {
            offer(&mut v, &format!("v{i}"), &mut stats);
        }
        assert!(!v.full(&a), "forgotten, so not full");
        assert!(offer(&mut v, "a", &mut stats));
        assert_eq!((stats.emitted, stats.capped), (2 + 20_000 + 1, 1));
        // Uncapped and ranked filters are never full.
        assert!(!Visits::new(0, false).full(&a));
        let mut ranked = Visits::new(1, true);
        offer(&mut ranked, "a", &mut stats);
        assert!(!ranked.full(&a));
    }
}
