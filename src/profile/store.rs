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
use std::cell::RefCell;
use std::collections::HashMap;
use std::panic::Location;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

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
    /// Sampled acquisitions (each gives a hold time; the contended ones also a wait).
    pub sampled: u64,
    /// Sampled acquisitions that were contended.
    pub sampled_contended: u64,
}

fn histogram() -> Histogram<u64> {
    // Two significant figures, auto-resizing from 1 ns to ~1 ms (grows when a longer value
    // comes): ~4 KiB a histogram until then.
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
            sampled: 0,
            sampled_contended: 0,
        }
    }
}

/// One thread's acquisitions of one lock instance at one call site in one mode.
pub(crate) struct Entry {
    pub lock: u64,
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
fn bump(counter: &AtomicU64, by: u64) {
    if by != 0 {
        counter.store(counter.load(Ordering::Relaxed) + by, Ordering::Relaxed);
    }
}

impl Entry {
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
            timed.sampled += 1;
            let _ = timed.hold.record(hold.max(1));
        }
        if let Some(wait) = wait {
            timed.sampled_contended += 1;
            let _ = timed.wait.record(wait.max(1));
        }
        if let Some(think) = think {
            let _ = timed.think.record(think.max(1));
        }
    }
}

/// Every entry one thread created.
#[derive(Default)]
pub(crate) struct ThreadStore {
    pub entries: Mutex<Vec<Arc<Entry>>>,
}

/// Every thread's store (kept after the thread exits) and every registered lock.
#[derive(Default)]
pub(crate) struct Global {
    pub threads: Mutex<Vec<Arc<ThreadStore>>>,
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
/// the timed part costs two or three clock reads and a histogram record per sampled
/// acquisition. Takes effect for lock instances a thread has not used yet.
pub fn set_sample_every(every: u32) {
    SAMPLE_EVERY.store(every.max(1), Ordering::Relaxed);
}

/// The current sampling setting ([`set_sample_every`]).
pub fn sample_every() -> u32 {
    SAMPLE_EVERY.load(Ordering::Relaxed)
}

/// The raw clock: the CPU's time-stamp counter through `quanta`, ticks converted at report
/// time.
pub(crate) fn clock() -> &'static quanta::Clock {
    static CLOCK: OnceLock<quanta::Clock> = OnceLock::new();
    CLOCK.get_or_init(quanta::Clock::new)
}

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

/// One thread's state for one lock instance.
struct Instance {
    countdown: u32,
    every: u32,
    /// Raw time of this thread's last timed release of the instance (0: not timed).
    released: u64,
    sites: Vec<(&'static Location<'static>, Mode, Arc<Entry>)>,
}

struct Local {
    thread: u64,
    store: Arc<ThreadStore>,
    last: (u64, *mut Instance),
    instances: HashMap<u64, Box<Instance>>,
}

thread_local! {
    static LOCAL: RefCell<Option<Local>> = const { RefCell::new(None) };
}

impl Local {
    fn new() -> Local {
        let store = Arc::new(ThreadStore::default());
        global()
            .threads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(store.clone());
        Local {
            thread: crate::sync::thread_id() as u64,
            store,
            last: (0, std::ptr::null_mut()),
            instances: HashMap::new(),
        }
    }

    /// This thread's state for `lock`, with the thread's id and store beside it.
    fn instance(&mut self, lock: u64) -> (&mut Instance, u64, &ThreadStore) {
        if self.last.0 != lock {
            let every = sample_every();
            let boxed = self.instances.entry(lock).or_insert_with(|| {
                Box::new(Instance {
                    // The first acquisition is sampled: a lock used a few times still shows
                    // a hold time.
                    countdown: 1,
                    every,
                    released: 0,
                    sites: Vec::new(),
                })
            });
            self.last = (lock, &mut **boxed as *mut Instance);
        }
        // SAFETY: `last.1` points into a `Box` held by `instances`, which never removes an
        // entry while the thread lives; the `&mut self` borrow keeps the map (and so the box)
        // untouched for as long as the returned reference lives.
        let inst = unsafe { &mut *self.last.1 };
        (inst, self.thread, &self.store)
    }
}

impl Instance {
    fn entry(
        &mut self,
        lock: u64,
        site: &'static Location<'static>,
        mode: Mode,
        thread: u64,
        store: &ThreadStore,
    ) -> &Entry {
        let found = self
            .sites
            .iter()
            .position(|(s, m, _)| std::ptr::eq(*s, site) && *m == mode);
        let at = match found {
            Some(at) => at,
            None => {
                let entry = Arc::new(Entry {
                    lock,
                    site,
                    mode,
                    thread,
                    acquisitions: AtomicU64::new(0),
                    contended: AtomicU64::new(0),
                    handoffs: AtomicU64::new(0),
                    timed: Mutex::new(None),
                });
                store
                    .entries
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(entry.clone());
                self.sites.push((site, mode, entry));
                self.sites.len() - 1
            }
        };
        &self.sites[at].2
    }
}

/// What an acquisition decided before taking the lock.
pub(crate) struct Plan {
    pub sampled: bool,
    /// Time the release: this acquisition is sampled (its hold) or the next one of this
    /// instance on this thread is (its think time).
    pub time_release: bool,
    pub thread: u64,
}

/// Called before an acquisition: decides whether it is sampled. `None` when the thread's
/// profile state is gone (a lock taken in a thread-local destructor): not recorded.
pub(crate) fn plan(lock: u64) -> Option<Plan> {
    LOCAL
        .try_with(|local| {
            let mut local = local.borrow_mut();
            let local = local.get_or_insert_with(Local::new);
            let (inst, thread, _) = local.instance(lock);
            inst.countdown -= 1;
            let sampled = inst.countdown == 0;
            if sampled {
                inst.countdown = inst.every;
            }
            Plan {
                sampled,
                time_release: sampled || inst.countdown == 1,
                thread,
            }
        })
        .ok()
}

/// What happened on an acquisition.
pub(crate) struct Acquired {
    pub contended: bool,
    pub handoff: bool,
    /// Sampled: raw time the attempt began (think time ends here) and the lock was held.
    pub attempt: u64,
    pub held: u64,
}

/// Called once the lock is held: counts the acquisition and, if sampled, its wait and think.
pub(crate) fn acquired(lock: u64, site: &'static Location<'static>, mode: Mode, a: &Acquired) {
    let _ = LOCAL.try_with(|local| {
        let mut local = local.borrow_mut();
        let Some(local) = local.as_mut() else { return };
        let (inst, thread, store) = local.instance(lock);
        let released = std::mem::take(&mut inst.released);
        let entry = inst.entry(lock, site, mode, thread, store);
        entry.count(a.contended, a.handoff);
        if a.held != 0 {
            let wait = a.contended.then(|| ns_between(a.attempt, a.held));
            let think = (released != 0).then(|| ns_between(released, a.attempt));
            entry.record(wait, None, think);
        }
    });
}

/// Called after a timed release: the hold time (if the acquisition was sampled) and the
/// release time for the next acquisition's think time.
pub(crate) fn released(
    lock: u64,
    site: &'static Location<'static>,
    mode: Mode,
    held: u64,
    now: u64,
) {
    let _ = LOCAL.try_with(|local| {
        let mut local = local.borrow_mut();
        let Some(local) = local.as_mut() else { return };
        let (inst, thread, store) = local.instance(lock);
        inst.released = now;
        if held != 0 {
            let entry = inst.entry(lock, site, mode, thread, store);
            entry.record(None, Some(ns_between(held, now)), None);
        }
    });
}
