//! Files followed while a job runs (a node's filters file, a watchlist, a sky map): a
//! change is acted on once the file has settled.
//!
//! A writer replaces a file in steps: `std::fs::write`, `cp` and most editors truncate
//! it and then write it. A reader that looks in between meets an empty or partial
//! file. A partial filters file can parse, and then the filters missing from it would be
//! stopped and started again; a partial watchlist is a valid shorter one. So a change is
//! acted on only when the file has not been modified for a quiet period (by its
//! modification time, or, for a clock that disagrees, by looking), and a read is kept
//! only when the file was the same before and after it ([`Settle`], a pure rule tested
//! here).

use std::path::Path;
use std::time::{Duration, SystemTime};

/// What is compared to tell a change: the modification time and the length, or `None`
/// for a file that cannot be read.
pub type Stamp = Option<(SystemTime, u64)>;

/// How long a changed file must look the same before it is read: longer than any gap
/// between a writer's truncation and its write, short for a person who edits the file.
pub const QUIET: Duration = Duration::from_millis(200);

/// The file's stamp now.
pub fn stamp(path: &Path) -> Stamp {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

/// One followed file: the stamp last acted on, and a change seen but not yet settled.
#[derive(Debug, Clone)]
pub struct Settle {
    acted: Stamp,
    seen: Option<(Stamp, SystemTime)>,
    quiet: Duration,
}

impl Settle {
    /// Follow a file whose contents as of `acted` are in force; a change must look the
    /// same for `quiet` (zero: act on a change at once).
    pub fn new(acted: Stamp, quiet: Duration) -> Settle {
        Settle {
            acted,
            seen: None,
            quiet,
        }
    }

    /// Given the file's stamp `now_stamp` at `now`: whether it differs from what was
    /// acted on and has settled, so that it is time to read it. It has settled when it
    /// was last modified the quiet period ago or more, or when it has looked the same
    /// for the quiet period (a file that went away; a modification time in the future).
    pub fn ready(&mut self, now_stamp: Stamp, now: SystemTime) -> bool {
        if now_stamp == self.acted {
            self.seen = None;
            return false;
        }
        let untouched =
            |since: SystemTime| now.duration_since(since).is_ok_and(|d| d >= self.quiet);
        if now_stamp.is_some_and(|(modified, _)| untouched(modified)) {
            return true;
        }
        match self.seen {
            Some((s, since)) if s == now_stamp => untouched(since),
            _ => {
                self.seen = Some((now_stamp, now));
                self.quiet.is_zero()
            }
        }
    }

    /// The file was read between `before` and `after` (its stamps then): whether the
    /// read holds. It does when they agree, and the file is then acted on as of it.
    /// Otherwise it changed during the read, and it is read again once settled.
    pub fn read(&mut self, before: Stamp, after: Stamp, now: SystemTime) -> bool {
        if before == after {
            self.acted = after;
            self.seen = None;
            true
        } else {
            self.seen = Some((after, now));
            false
        }
    }

    /// Whether a change is waiting to settle: look again after the quiet period rather
    /// than the usual interval.
    pub fn settling(&self) -> bool {
        self.seen.is_some()
    }

    /// How long to wait before looking again: `every`, or the quiet period while a
    /// change settles, whichever is shorter.
    pub fn next_look(&self, every: Duration) -> Duration {
        if self.settling() {
            every.min(self.quiet)
        } else {
            every
        }
    }

    /// Look at the file at `path`: once a change has settled, `load` it, and keep what
    /// it gave if the file did not change while it was read ([`Settle::ready`], then
    /// [`Settle::read`]). `None`: nothing to act on now.
    pub fn look<T>(&mut self, path: &Path, load: impl FnOnce() -> T) -> Option<T> {
        let before = stamp(path);
        if !self.ready(before, SystemTime::now()) {
            return None;
        }
        let loaded = load();
        self.read(before, stamp(path), SystemTime::now())
            .then_some(loaded)
    }

    /// Follow the file at `path` as it is now, with the quiet period [`QUIET`].
    pub fn follow(path: &Path) -> Settle {
        Settle::new(stamp(path), QUIET)
    }

    /// Change the quiet period.
    pub fn set_quiet(&mut self, quiet: Duration) {
        self.quiet = quiet;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A time `ms` milliseconds into the test.
    fn ms(n: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000) + Duration::from_millis(n)
    }

    /// A file modified at `ms(at)`, `len` bytes long.
    fn at(n: u64, len: u64) -> Stamp {
        Some((ms(n), len))
    }

    #[test]
    fn a_change_is_read_once_untouched_for_the_quiet_period() {
        let mut s = Settle::new(at(0, 10), Duration::from_millis(200));
        assert!(!s.ready(at(0, 10), ms(5)), "unchanged");
        assert!(!s.settling());
        // Truncated at 10, seen at once: not yet read.
        assert!(!s.ready(at(10, 0), ms(11)));
        assert!(s.settling());
        // Written at 12: another change, modified 200 ms ago only at 212.
        assert!(!s.ready(at(12, 25), ms(150)));
        assert!(!s.ready(at(12, 25), ms(211)));
        assert!(s.ready(at(12, 25), ms(212)));
        assert!(s.read(at(12, 25), at(12, 25), ms(213)));
        assert!(!s.settling());
        assert!(!s.ready(at(12, 25), ms(600)), "acted on");
        // A change first seen long after it was made is read at once.
        assert!(s.ready(at(700, 30), ms(5_000)));
        assert!(s.read(at(700, 30), at(700, 30), ms(5_000)));
    }

    #[test]
    fn without_a_modification_time_to_trust_a_change_is_read_once_it_looked_the_same() {
        let mut s = Settle::new(at(0, 10), Duration::from_millis(200));
        // Gone: no modification time. Seen at 700, the same at 900.
        assert!(!s.ready(None, ms(700)));
        assert!(!s.ready(None, ms(899)));
        assert!(s.ready(None, ms(900)));
        assert!(s.read(None, None, ms(901)));
        // Back, modified "in the future" (another machine's clock).
        assert!(!s.ready(at(10_000, 10), ms(1_000)));
        assert!(!s.ready(at(10_000, 10), ms(1_150)));
        assert!(s.ready(at(10_000, 10), ms(1_200)));
        // Changed again while it looked the same: the look starts again.
        assert!(!s.ready(at(10_001, 11), ms(1_210)));
        assert!(s.ready(at(10_001, 11), ms(1_410)));
    }

    #[test]
    fn a_read_during_a_write_is_read_again_once_settled() {
        let mut s = Settle::new(at(0, 10), Duration::from_millis(200));
        assert!(!s.ready(at(100, 10), ms(100)));
        assert!(s.ready(at(100, 10), ms(300)));
        assert!(
            !s.read(at(100, 10), at(301, 40), ms(302)),
            "changed while read"
        );
        assert!(s.settling());
        assert!(!s.ready(at(301, 40), ms(400)));
        assert!(s.ready(at(301, 40), ms(501)));
        assert!(s.read(at(301, 40), at(301, 40), ms(502)));
    }

    #[test]
    fn with_no_quiet_period_a_change_is_read_at_once() {
        let mut s = Settle::new(at(0, 10), Duration::ZERO);
        assert!(!s.ready(at(0, 10), ms(0)));
        assert!(s.ready(at(5, 11), ms(5)));
        assert!(s.read(at(5, 11), at(5, 11), ms(5)));
        assert!(!s.ready(at(5, 11), ms(5)));
        assert!(s.ready(at(10_000, 12), ms(6)), "modified in the future");
    }
}
