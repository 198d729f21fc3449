//! Where a profiled lock's acquisitions are recorded: per thread, with no write to memory
//! another thread writes on the path of an uncontended, unsampled acquisition.
//!
//! Each thread keeps, per lock instance it used, a small state (the sampling countdown and
//! the time of its last timed release) and, per acquiring call site and mode, an [`Entry`]:
//! counters written only by that thread (a plain load and store, no read-modify-write) and
//! histograms filled on sampled acquisitions under the entry's own mutex (taken only by its
//! thread and by a report). Entries are registered once, when a thread first acquires an
//! instance at a site, in the thread's [`ThreadStore`], which a global list keeps alive after
//! the thread exits so that a report sees every acquisition.

use hdrhistogram::Histogram;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::panic::Location;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

/// Exclusive (a mutex, an RwLock's writer) or shared (an RwLock's reader).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Mode {
    Exclusive,
    Shared,
}

/// A profiled lock as a report names it: registered on its first acquisition.
#[derive(Debug, Clone)]
pub(crate) struct LockMeta {
    pub name: String,
    pub kind: &'static str,
    pub raw: &'static str,
}

/// Timed figures of one entry, ns.
pub(crate) struct Timed {
    pub wait: Histogram<u64>,
    pub hold: Histogram<u64>,
    pub think: Histogram<u64>,
}

fn histogram() -> Histogram<u64> {
    // Two significant figures, auto-resizing from 1 ns to ~1 ms (grows when a longer value
    // comes): ~15 KiB a histogram until then.
    let mut h = Histogram::new_with_bounds(1, 1 << 20, 2).expect("valid histogram bounds");
    h.auto(true);
    h
}

impl Timed {
    pub(crate) fn new() -> Timed {
        Timed {
            wait: histogram(),
            hold: histogram(),
            think: histogram(),
        }
    }
}

/// One thread's acquisitions of one lock instance at one call site in one mode.
pub struct Entry {
    /// The acquiring thread's state for this lock instance: only that thread may use it
    /// (see `times` and `done`).
    instance: &'static Instance,
    pub lock: u64,
    /// One acquisition in this many is timed (fixed when the thread first took the lock).
    pub every: u32,
    pub site: &'static Location<'static>,
    pub mode: Mode,
    pub thread: u64,
    pub acquisitions: AtomicU64,
    pub contended: AtomicU64,
    pub handoffs: AtomicU64,
    pub timed: Mutex<Option<Box<Timed>>>,
}

/// Adds one to a counter only its owner thread writes: a plain load and store, no
/// read-modify-write. Relaxed: a report reads the counters after the fact and needs no
/// order with anything else (a report taken while threads run sees some recent value).
#[inline]
fn bump(counter: &AtomicU64, by: u64) {
    if by != 0 {
        counter.store(counter.load(Ordering::Relaxed) + by, Ordering::Relaxed);
    }
}

impl Entry {
    #[inline]
    pub(crate) fn count(&self, contended: bool, handoff: bool) {
        bump(&self.acquisitions, 1);
        bump(&self.contended, contended as u64);
        bump(&self.handoffs, handoff as u64);
    }

    /// Records a sampled acquisition's figures (ns; `None` where not measured).
    pub(crate) fn record(&self, wait: Option<u64>, hold: Option<u64>, think: Option<u64>) {
        let mut timed = self.timed.lock().unwrap_or_else(|e| e.into_inner());
        let timed = timed.get_or_insert_with(|| Box::new(Timed::new()));
        if let Some(hold) = hold {
            let _ = timed.hold.record(hold.max(1));
        }
        if let Some(wait) = wait {
            let _ = timed.wait.record(wait.max(1));
        }
        if let Some(think) = think {
            let _ = timed.think.record(think.max(1));
        }
    }
}

/// Every entry one thread created. Entries and per-instance states are leaked: they live
/// for the whole process, so a report sees threads that exited and a guard's references
/// stay valid.
#[derive(Default)]
pub(crate) struct ThreadStore {
    pub entries: Mutex<Vec<&'static Entry>>,
}

/// Every thread's store (kept after the thread exits) and every registered lock.
#[derive(Default)]
pub(crate) struct Global {
    pub threads: Mutex<Vec<&'static ThreadStore>>,
    pub locks: Mutex<HashMap<u64, LockMeta>>,
}

pub(crate) fn global() -> &'static Global {
    static GLOBAL: OnceLock<Global> = OnceLock::new();
    GLOBAL.get_or_init(Global::default)
}

static NEXT_LOCK: AtomicU64 = AtomicU64::new(1);

/// Registers a lock and returns its id, publishing its name before the id can be seen
/// (`id` holds 0 until then): whoever reads the id afterwards finds the lock registered.
pub(crate) fn register(id: &AtomicU64, name: String, kind: &'static str, raw: &'static str) -> u64 {
    let new = NEXT_LOCK.fetch_add(1, Ordering::Relaxed);
    let locks = &global().locks;
    locks
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(new, LockMeta { name, kind, raw });
    // Release pairs with the Acquire load in `Mutex::id`/`RwLock::id` (and this failure's
    // Acquire with another thread's successful Release): the registration above happens
    // before any use of the id.
    match id.compare_exchange(0, new, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => new,
        Err(winner) => {
            locks.lock().unwrap_or_else(|e| e.into_inner()).remove(&new);
            winner
        }
    }
}

/// Time one acquisition in this many (1: every one). Counts are exact at any setting.
pub const DEFAULT_SAMPLE_EVERY: u32 = 16;
static SAMPLE_EVERY: AtomicU32 = AtomicU32::new(DEFAULT_SAMPLE_EVERY);

/// Sets how often a profiled acquisition is timed (wait, hold, think): one in `every`
/// (clamped to ≥ 1). Counts (acquisitions, contended, hand-offs) are exact at any setting;
/// the timed part costs three or four clock reads and up to three histogram records per
/// sampled acquisition. Takes effect for lock instances a thread has not used yet.
pub fn set_sample_every(every: u32) {
    SAMPLE_EVERY.store(every.max(1), Ordering::Relaxed);
}

/// The current sampling setting ([`set_sample_every`]).
pub fn sample_every() -> u32 {
    SAMPLE_EVERY.load(Ordering::Relaxed)
}

/// The raw clock: the CPU's time-stamp counter through `quanta`, ticks converted at report
/// time.
#[inline]
pub(crate) fn clock() -> &'static quanta::Clock {
    static CLOCK: OnceLock<quanta::Clock> = OnceLock::new();
    CLOCK.get_or_init(quanta::Clock::new)
}

#[inline]
pub(crate) fn now() -> u64 {
    clock().raw()
}

pub(crate) fn ns_between(start: u64, end: u64) -> u64 {
    if end <= start {
        0
    } else {
        clock().delta_as_nanos(start, end)
    }
}

/// One thread's state for one lock instance. Touched only by its thread (`Cell`s); leaked, so
/// a guard may hold it past the thread's thread-locals.
pub(crate) struct Instance {
    countdown: Cell<u32>,
    every: u32,
    /// Raw time just after this thread's last release of the instance if it was timed, else 0.
    released: Cell<u64>,
    /// A sampled acquisition in flight: raw time its attempt began, and it held the lock.
    attempt: Cell<u64>,
    held: Cell<u64>,
    /// The site used last (most code takes a lock at one place in a loop).
    last: Cell<Option<(&'static Location<'static>, Mode, &'static Entry)>>,
    sites: RefCell<Vec<(&'static Location<'static>, Mode, &'static Entry)>>,
}

// SAFETY: an `Instance` is created by one thread and its cells are used only by that thread:
// through its thread-local `Local`, and through `times` and `done`, whose callers promise to
// be on the thread that planned the acquisition (the guards that call them are not `Send`).
// Other threads reach an `Instance` only as an `Entry`'s private field, never reading it.
unsafe impl Send for Instance {}
// SAFETY: see above.
unsafe impl Sync for Instance {}

struct Local {
    thread: u64,
    store: &'static ThreadStore,
    last: (u64, Option<&'static Instance>),
    instances: HashMap<u64, &'static Instance>,
}

thread_local! {
    static LOCAL: RefCell<Option<Local>> = const { RefCell::new(None) };
}

impl Local {
    fn new() -> Local {
        let store: &'static ThreadStore = Box::leak(Box::default());
        global()
            .threads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(store);
        Local {
            thread: crate::sync::thread_id() as u64,
            store,
            last: (0, None),
            instances: HashMap::new(),
        }
    }

    /// This thread's state for `lock`.
    #[inline]
    fn instance(&mut self, lock: u64) -> &'static Instance {
        if let (id, Some(inst)) = self.last
            && id == lock
        {
            return inst;
        }
        let inst = *self.instances.entry(lock).or_insert_with(|| {
            Box::leak(Box::new(Instance {
                // The first acquisition is sampled: a lock used a few times still shows
                // a hold time.
                countdown: Cell::new(1),
                every: sample_every(),
                released: Cell::new(0),
                attempt: Cell::new(0),
                held: Cell::new(0),
                last: Cell::new(None),
                sites: RefCell::new(Vec::new()),
            }))
        });
        self.last = (lock, Some(inst));
        inst
    }
}

impl Instance {
    #[inline]
    fn entry(
        &'static self,
        lock: u64,
        site: &'static Location<'static>,
        mode: Mode,
        thread: u64,
        store: &ThreadStore,
    ) -> &'static Entry {
        if let Some((s, m, e)) = self.last.get()
            && std::ptr::eq(s, site)
            && m == mode
        {
            return e;
        }
        let mut sites = self.sites.borrow_mut();
        if let Some(&(_, _, e)) = sites
            .iter()
            .find(|(s, m, _)| std::ptr::eq(*s, site) && *m == mode)
        {
            self.last.set(Some((site, mode, e)));
            return e;
        }
        let entry: &'static Entry = Box::leak(Box::new(Entry {
            instance: self,
            lock,
            every: self.every,
            site,
            mode,
            thread,
            acquisitions: AtomicU64::new(0),
            contended: AtomicU64::new(0),
            handoffs: AtomicU64::new(0),
            timed: Mutex::new(None),
        }));
        store
            .entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(entry);
        sites.push((site, mode, entry));
        self.last.set(Some((site, mode, entry)));
        entry
    }
}

/// This acquisition is timed.
pub(crate) const SAMPLED: u32 = 1;
/// The next acquisition of this instance on this thread is sampled: time just after this
/// release, where its think time starts.
pub(crate) const THINK_START: u32 = 2;
/// Its fast path failed.
pub(crate) const CONTENDED: u32 = 4;
/// The previous exclusive owner was another thread.
pub(crate) const HANDOFF: u32 = 8;

/// Called before an acquisition (the one thread-local visit of an acquisition): where it
/// records, and whether it is [`SAMPLED`] and [`THINK_START`]. `None` when the thread's
/// profile state is gone (a lock taken in a thread-local destructor): not recorded.
#[inline]
pub fn plan(
    lock: u64,
    site: &'static Location<'static>,
    mode: Mode,
) -> Option<(&'static Entry, u32)> {
    LOCAL
        .try_with(|local| {
            // Re-entered (a profiled lock taken while this thread's state is borrowed, e.g.
            // by an allocator): not recorded, rather than a panic.
            let mut local = local.try_borrow_mut().ok()?;
            let local = local.get_or_insert_with(Local::new);
            let inst = local.instance(lock);
            let entry = inst.entry(lock, site, mode, local.thread, local.store);
            let countdown = inst.countdown.get() - 1;
            let sampled = countdown == 0;
            let next = if sampled { inst.every } else { countdown };
            inst.countdown.set(next);
            let bits =
                (if sampled { SAMPLED } else { 0 }) | (if next == 1 { THINK_START } else { 0 });
            Some((entry, bits))
        })
        .ok()
        .flatten()
}

/// Notes a sampled acquisition's times (raw): its attempt began, it held the lock.
///
/// # Safety
/// Called on the thread whose [`plan`] returned `entry` (its instance's cells are that
/// thread's alone).
#[inline]
pub(crate) unsafe fn times(entry: &Entry, attempt: u64, held: u64) {
    entry.instance.attempt.set(attempt);
    entry.instance.held.set(held);
}

/// Called after a release (no thread-local visit): counts the acquisition and, if it was
/// sampled, records its wait, its hold (ending at `hold_end`, raw, read just before the
/// unlock) and its think time (from the previous release); if the next acquisition is
/// sampled, reads the clock now, just after the unlock, where that one's think time starts.
///
/// # Safety
/// As [`times`]: on the thread whose [`plan`] returned `entry`.
#[inline]
pub(crate) unsafe fn done(entry: &Entry, bits: u32, hold_end: u64) {
    entry.count(bits & CONTENDED != 0, bits & HANDOFF != 0);
    let inst = entry.instance;
    let previous = inst.released.get();
    inst.released
        .set(if bits & THINK_START != 0 { now() } else { 0 });
    if bits & SAMPLED != 0 {
        let (attempt, held) = (inst.attempt.get(), inst.held.get());
        let wait = (bits & CONTENDED != 0).then(|| ns_between(attempt, held));
        let think = (previous != 0).then(|| ns_between(previous, attempt));
        entry.record(wait, Some(ns_between(held, hold_end)), think);
    }
}
