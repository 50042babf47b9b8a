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
//! The rule is a pure function, so that it is tested here without a broker. So is the
//! rule of a reader's last commit ([`on_close`], [`to_commit_on_close`]): a member that
//! stops while its group rebalances waits the rebalance out and commits what it wrote,
//! rather than leave it to be read again.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

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

/// How a reader's last commit answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseCommit {
    /// Committed, or there was nothing to commit.
    Done,
    /// Refused because the group is between generations (`ILLEGAL_GENERATION`,
    /// `REBALANCE_IN_PROGRESS`): the member is still in the group, and once the
    /// rebalance ends the same commit goes through.
    Rebalancing,
    /// Any other failure.
    Failed,
}

/// What a closing reader does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnClose {
    /// It is done: leave the group.
    Leave,
    /// Serve the group (its rebalance) a moment, then commit again.
    Retry,
    /// Give up: what was read since the last commit is read again by the partitions'
    /// next reader (duplicates, nothing lost).
    GiveUp,
}

/// A closing reader's next step after its last commit answered `outcome`, having
/// waited `waited` for the group so far and allowed to wait `limit` in all.
pub fn on_close(outcome: CloseCommit, waited: Duration, limit: Duration) -> OnClose {
    match outcome {
        CloseCommit::Done => OnClose::Leave,
        CloseCommit::Rebalancing if waited < limit => OnClose::Retry,
        CloseCommit::Rebalancing | CloseCommit::Failed => OnClose::GiveUp,
    }
}

/// The offsets a closing reader commits: for every partition it still holds, the next
/// offset after the last record it acknowledged there. Partitions it no longer holds
/// are left out: their new reader has already begun from the group's offset, and a
/// late commit could only move that reader's own progress back.
pub fn to_commit_on_close(acked: &[(Tp, i64)], assigned: &HashSet<Tp>) -> Vec<(Tp, i64)> {
    acked
        .iter()
        .filter(|(tp, _)| assigned.contains(tp))
        .cloned()
        .collect()
}

/// Note that the record at `offset` of `topic`/`partition` was acknowledged: the next
/// offset to read there is `offset + 1`. The last acknowledgement wins (a partition
/// given up and assigned again is read again from the group's offset).
pub fn note_ack(acked: &mut Vec<(Tp, i64)>, topic: &str, partition: i32, offset: i64) {
    match acked
        .iter_mut()
        .find(|((t, p), _)| *p == partition && t == topic)
    {
        Some((_, next)) => *next = offset + 1,
        None => acked.push(((topic.to_string(), partition), offset + 1)),
    }
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

    #[test]
    fn a_closing_reader_waits_out_a_rebalance_within_its_limit_only() {
        let limit = Duration::from_secs(10);
        let (early, late) = (Duration::from_millis(300), Duration::from_secs(10));
        assert_eq!(on_close(CloseCommit::Done, early, limit), OnClose::Leave);
        assert_eq!(on_close(CloseCommit::Done, late, limit), OnClose::Leave);
        assert_eq!(
            on_close(CloseCommit::Rebalancing, early, limit),
            OnClose::Retry
        );
        assert_eq!(
            on_close(CloseCommit::Rebalancing, late, limit),
            OnClose::GiveUp
        );
        assert_eq!(on_close(CloseCommit::Failed, early, limit), OnClose::GiveUp);
    }

    #[test]
    fn a_closing_reader_commits_its_last_acknowledgement_of_each_partition_it_holds() {
        let mut acked = Vec::new();
        note_ack(&mut acked, "a", 0, 4);
        note_ack(&mut acked, "a", 1, 9);
        note_ack(&mut acked, "a", 0, 5);
        note_ack(&mut acked, "b", 0, 2);
        // Given up and assigned again: read again from the group's offset.
        note_ack(&mut acked, "a", 1, 3);
        assert_eq!(
            acked,
            vec![(tp("a", 0), 6), (tp("a", 1), 4), (tp("b", 0), 3)]
        );
        let held: HashSet<Tp> = [tp("a", 0), tp("b", 0), tp("c", 0)].into();
        assert_eq!(
            to_commit_on_close(&acked, &held),
            vec![(tp("a", 0), 6), (tp("b", 0), 3)]
        );
        assert!(to_commit_on_close(&acked, &HashSet::new()).is_empty());
    }
}
