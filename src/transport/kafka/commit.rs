//! The commit rule: which handled records may be acknowledged (their offsets committed).
//!
//! A record is handled when its outputs have been sent. After the producer has
//! acknowledged every output sent so far, a handled record may be acknowledged unless:
//!
//! * its partition is no longer assigned here (revoked in a rebalance): it is dropped,
//!   and the partition's new reader reads it again from the last committed offset;
//! * an earlier record of its partition is still held (a ranked visit not yet emitted)
//!   or blocked (it failed for a reason that may pass, and will be read again): offsets
//!   are committed per partition, so nothing at or after that offset may be.
//!
//! The rule is a pure function, so that it is tested here without a broker.

use std::collections::{HashMap, HashSet};

/// A topic partition.
pub type Tp = (String, i32);

/// A record handled and not yet acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handled {
    /// Its partition.
    pub tp: Tp,
    /// Its offset.
    pub offset: i64,
}

/// What to do with the handled records.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Acknowledge these now.
    pub ack: Vec<Handled>,
    /// Keep these for a later commit.
    pub keep: Vec<Handled>,
    /// Forget these: their partitions were revoked.
    pub dropped: Vec<Handled>,
}

/// Decide, once every output sent so far is acknowledged, what to do with `pending`.
/// `stops` gives, per partition, the lowest offset held or blocked there.
pub fn plan(pending: Vec<Handled>, stops: &HashMap<Tp, i64>, assigned: &HashSet<Tp>) -> Plan {
    let mut p = Plan::default();
    for h in pending {
        if !assigned.contains(&h.tp) {
            p.dropped.push(h);
        } else if stops.get(&h.tp).is_some_and(|low| h.offset >= *low) {
            p.keep.push(h);
        } else {
            p.ack.push(h);
        }
    }
    p
}

/// The lowest of several offsets per partition (held, blocked).
pub fn lowest<'a>(all: impl IntoIterator<Item = (&'a Tp, i64)>) -> HashMap<Tp, i64> {
    let mut out: HashMap<Tp, i64> = HashMap::new();
    for (tp, off) in all {
        let e = out.entry(tp.clone()).or_insert(off);
        *e = (*e).min(off);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(t: &str, p: i32, o: i64) -> Handled {
        Handled {
            tp: (t.into(), p),
            offset: o,
        }
    }

    fn tp(t: &str, p: i32) -> Tp {
        (t.into(), p)
    }

    #[test]
    fn nothing_at_or_after_a_held_or_blocked_offset_is_acknowledged() {
        let pending = vec![
            h("a", 0, 5),
            h("a", 0, 6),
            h("a", 0, 7),
            h("a", 1, 3),
            h("b", 0, 9),
        ];
        let assigned: HashSet<Tp> = [tp("a", 0), tp("a", 1), tp("b", 0)].into();
        let held = [(tp("a", 0), 6)];
        let blocked = [(tp("b", 0), 9), (tp("b", 0), 12)];
        let stops = lowest(held.iter().chain(&blocked).map(|(t, o)| (t, *o)));
        assert_eq!(stops[&tp("b", 0)], 9);
        let p = plan(pending, &stops, &assigned);
        assert_eq!(p.ack, vec![h("a", 0, 5), h("a", 1, 3)]);
        assert_eq!(p.keep, vec![h("a", 0, 6), h("a", 0, 7), h("b", 0, 9)]);
        assert!(p.dropped.is_empty());
    }

    #[test]
    fn revoked_partitions_are_dropped_not_acknowledged() {
        let pending = vec![h("a", 0, 1), h("a", 1, 1), h("a", 1, 2)];
        let assigned: HashSet<Tp> = [tp("a", 0)].into();
        let p = plan(pending, &HashMap::new(), &assigned);
        assert_eq!(p.ack, vec![h("a", 0, 1)]);
        assert_eq!(p.dropped, vec![h("a", 1, 1), h("a", 1, 2)]);
        // The same partition number on another topic is another partition.
        let p = plan(vec![h("b", 0, 1)], &HashMap::new(), &assigned);
        assert_eq!(p.dropped.len(), 1);
    }

    #[test]
    fn with_nothing_held_everything_assigned_is_acknowledged() {
        let pending: Vec<Handled> = (0..100).map(|o| h("t", (o % 3) as i32, o)).collect();
        let assigned: HashSet<Tp> = (0..3).map(|p| tp("t", p)).collect();
        let p = plan(pending.clone(), &HashMap::new(), &assigned);
        assert_eq!(p.ack, pending);
        assert!(p.keep.is_empty() && p.dropped.is_empty());
    }
}
