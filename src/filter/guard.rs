//! The last line of bounded evaluation: a watchdog for time, a guard on allocation.
//!
//! Filters are bounded by construction ([`super::jq`] refuses what may not terminate),
//! and a filter over its per-alert budget is disabled. Some evaluations can still run
//! away inside one step of jaq (`"x" * 1e10` allocates ten gigabytes at once; a filter
//! marked unbounded may loop). Nothing inside jaq can be interrupted, so the guard ends
//! the process instead, before anything more is committed: offsets are committed only
//! between alerts, by the thread that is stuck in the evaluation.
//!
//! * A watchdog thread looks at every evaluation in progress every few milliseconds;
//!   one running longer than the time limit is a runaway.
//! * The global allocator counts the bytes each evaluation holds; past the memory limit,
//!   that allocation is a runaway.
//!
//! A runaway calls the handler given to [`install`], with the filter and the alert. The
//! handler reports it and ends the process. Without [`install`], nothing is watched.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

/// Why an evaluation is a runaway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// It ran longer than this.
    Time(Duration),
    /// It held, or asked for, `held` bytes: more than `limit`.
    Memory {
        /// Bytes held or asked for.
        held: usize,
        /// The limit.
        limit: usize,
    },
}

/// An evaluation that ran away.
#[derive(Debug, Clone)]
pub struct Runaway {
    /// The filter.
    pub filter: Arc<str>,
    /// The alert: partition and offset (0 and the record number for a file).
    pub alert: (i32, i64),
    /// Why.
    pub reason: Reason,
}

/// The guard's limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Longest one evaluation may run.
    pub time: Duration,
    /// Most bytes one evaluation may hold.
    pub memory: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            time: Duration::from_secs(10),
            memory: 512 << 20,
        }
    }
}

type Handler = Box<dyn Fn(&Runaway) + Send + Sync>;

static INSTALLED: AtomicBool = AtomicBool::new(false);
static MEMORY_LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);
static HANDLER: OnceLock<Handler> = OnceLock::new();
static SLOTS: Mutex<Vec<Weak<Slot>>> = Mutex::new(Vec::new());
static EPOCH: OnceLock<Instant> = OnceLock::new();

thread_local! {
    /// Whether this thread is in a guarded evaluation (the allocator counts then).
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
    /// Bytes this evaluation holds.
    static LIVE: Cell<isize> = const { Cell::new(0) };
    /// This thread's evaluation, as the watchdog sees it.
    static SLOT: Arc<Slot> = {
        let s = Arc::new(Slot::default());
        SLOTS.lock().unwrap_or_else(|e| e.into_inner()).push(Arc::downgrade(&s));
        s
    };
}

/// The filter being evaluated, and the alert (partition, offset).
type Current = (Arc<str>, (i32, i64));

/// One thread's evaluation in progress.
#[derive(Default)]
struct Slot {
    /// When it started, in microseconds since the epoch, plus one (0: none).
    started: AtomicU64,
    what: Mutex<Option<Current>>,
}

fn now_us() -> u64 {
    EPOCH.get_or_init(Instant::now).elapsed().as_micros() as u64 + 1
}

/// Watch evaluations from now on, calling `handler` for a runaway (it should end the
/// process). Only the first call installs anything.
pub fn install(limits: Limits, handler: impl Fn(&Runaway) + Send + Sync + 'static) {
    if HANDLER.set(Box::new(handler)).is_err() {
        return;
    }
    EPOCH.get_or_init(Instant::now);
    MEMORY_LIMIT.store(limits.memory, Ordering::SeqCst);
    INSTALLED.store(true, Ordering::SeqCst);
    let tick = (limits.time / 10).clamp(Duration::from_millis(5), Duration::from_millis(100));
    std::thread::Builder::new()
        .name("alertctl-watchdog".into())
        .spawn(move || loop {
            std::thread::sleep(tick);
            let limit = limits.time.as_micros() as u64;
            let slots: Vec<Arc<Slot>> = {
                let mut all = SLOTS.lock().unwrap_or_else(|e| e.into_inner());
                all.retain(|w| w.strong_count() > 0);
                all.iter().filter_map(Weak::upgrade).collect()
            };
            for s in slots {
                let started = s.started.load(Ordering::SeqCst);
                if started != 0 && now_us().saturating_sub(started) > limit {
                    s.started.store(0, Ordering::SeqCst);
                    report(&s, Reason::Time(limits.time));
                }
            }
        })
        .expect("start the watchdog thread");
}

fn report(slot: &Slot, reason: Reason) {
    let what = slot.what.lock().unwrap_or_else(|e| e.into_inner()).clone();
    if let (Some(h), Some((filter, alert))) = (HANDLER.get(), what) {
        h(&Runaway {
            filter,
            alert,
            reason,
        });
    }
}

/// An evaluation under the guard, from [`begin`] until it is dropped.
pub struct Eval {
    slot: Option<Arc<Slot>>,
}

/// Start a guarded evaluation of `filter` on the alert at `alert`.
pub fn begin(filter: &Arc<str>, alert: (i32, i64)) -> Eval {
    if !INSTALLED.load(Ordering::Relaxed) {
        return Eval { slot: None };
    }
    let slot = SLOT.with(Arc::clone);
    *slot.what.lock().unwrap_or_else(|e| e.into_inner()) = Some((filter.clone(), alert));
    slot.started.store(now_us(), Ordering::SeqCst);
    LIVE.with(|l| l.set(0));
    ACTIVE.with(|a| a.set(true));
    Eval { slot: Some(slot) }
}

impl Drop for Eval {
    fn drop(&mut self) {
        if let Some(s) = &self.slot {
            ACTIVE.with(|a| a.set(false));
            s.started.store(0, Ordering::SeqCst);
        }
    }
}

/// Count an allocation (or a release, negative) against this thread's evaluation.
#[inline]
fn account(delta: isize) {
    let over = ACTIVE
        .try_with(|a| {
            if !a.get() {
                return None;
            }
            LIVE.try_with(|l| {
                let v = l.get() + delta;
                l.set(v);
                (v > 0 && v as usize > MEMORY_LIMIT.load(Ordering::Relaxed)).then(|| {
                    // Report once; the handler's own allocations are not counted.
                    a.set(false);
                    v as usize
                })
            })
            .ok()
            .flatten()
        })
        .ok()
        .flatten();
    if let Some(bytes) = over {
        if let Ok(slot) = SLOT.try_with(Arc::clone) {
            slot.started.store(0, Ordering::SeqCst);
            let limit = MEMORY_LIMIT.load(Ordering::Relaxed);
            report(&slot, Reason::Memory { held: bytes, limit });
        }
    }
}

/// The process's allocator: mimalloc (jq evaluation allocates at every step, and
/// glibc's malloc was a fifth of the 100-filter engine), counting what guarded
/// evaluations hold.
pub struct GuardedAlloc;

// SAFETY: every call is passed to mimalloc unchanged; the counting touches
// only const-initialised thread-locals without destructors.
unsafe impl GlobalAlloc for GuardedAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        account(layout.size() as isize);
        mimalloc::MiMalloc.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        account(layout.size() as isize);
        mimalloc::MiMalloc.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        account(-(layout.size() as isize));
        mimalloc::MiMalloc.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        account(new_size as isize - layout.size() as isize);
        mimalloc::MiMalloc.realloc(ptr, layout, new_size)
    }
}
