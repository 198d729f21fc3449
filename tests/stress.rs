//! Stress tests: every primitive, hand-written and baseline, hammered by more threads than the
//! machine has cores. Totals must be exact and no two holders may ever be inside together.

use lockbench::primitives::Exclusive;
use lockbench::primitives::about::{Describe, Waiting};
use lockbench::primitives::counter::Counter;
use lockbench::primitives::futex::FutexMutex;
use lockbench::primitives::spin::{Ttas, TtasBackoff};
use lockbench::registry::{self, Visit};
use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

/// More than the 2 cores of the development and CI machines.
const OVERSUBSCRIBED: usize = 6;

struct Shared<L> {
    lock: L,
    /// Only the lock makes its updates exact: incremented by a Relaxed load + store (never an
    /// RMW), like the harness's `ProtectedData`. Under a correct lock that is what a plain
    /// increment does; under a broken one two holders race and an update is *lost* (the total
    /// comes out short), which the test detects, instead of a data race on plain memory,
    /// which would be undefined behaviour.
    data: AtomicU64,
    /// How many threads are inside right now (must never exceed 1).
    inside: AtomicUsize,
}

impl<L> Shared<L> {
    fn critical(&self) {
        assert_eq!(
            self.inside.fetch_add(1, Ordering::Relaxed),
            0,
            "two threads inside"
        );
        // Relaxed: ordering is the lock's job; a read-modify-write would hide a lost update.
        let n = self.data.load(Ordering::Relaxed);
        self.data.store(n + 1, Ordering::Relaxed);
        self.inside.fetch_sub(1, Ordering::Relaxed);
    }
}

/// `threads` threads each enter the critical section `iters` times (every fourth attempt via
/// `try_with`, retried until it succeeds); the total must be exact.
fn hammer<L: Exclusive>(threads: usize, iters: u64) {
    let s = Shared {
        lock: L::create(),
        data: AtomicU64::new(0),
        inside: AtomicUsize::new(0),
    };
    let critical = || s.critical();
    let start = Barrier::new(threads);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut node = L::Node::default();
                start.wait();
                for i in 0..iters {
                    if i % 4 == 0 {
                        while s.lock.try_with(&mut node, critical).is_none() {
                            std::thread::yield_now();
                        }
                    } else {
                        s.lock.with(&mut node, critical);
                    }
                }
            });
        }
    });
    assert_eq!(
        s.data.into_inner(),
        threads as u64 * iters,
        "lost updates: two holders inside at once"
    );
}

/// Every registered lock (checked ones: the baseline without a lock is not a lock), in a
/// contended run at 2 threads and an oversubscribed one. FIFO spinlocks (ticket, queue locks)
/// hand the lock to a waiter that may be descheduled, so each oversubscribed hand-off can
/// cost a scheduler time slice: they get fewer iterations there (a FIFO mutex that sleeps
/// pays a wake-up instead, and keeps the full count).
struct Locks;

impl Visit for Locks {
    fn exclusive<L: Exclusive + Describe>(&mut self) {
        if !L::ABOUT.checked {
            return;
        }
        eprintln!("{}", L::ABOUT.name);
        hammer::<L>(2, 50_000);
        let fifo_spin = L::ABOUT.fifo && L::ABOUT.waits == Waiting::Spins;
        hammer::<L>(OVERSUBSCRIBED, if fifo_spin { 300 } else { 20_000 });
    }
}

#[test]
fn every_lock_excludes() {
    registry::visit(&mut Locks);
}

fn count<C: Counter>(threads: usize, iters: u64, work: fn()) -> u64 {
    let c = C::with_threads(threads);
    let start = Barrier::new(threads);
    std::thread::scope(|scope| {
        for t in 0..threads {
            let (c, start) = (&c, &start);
            scope.spawn(move || {
                start.wait();
                for _ in 0..iters {
                    c.increment(t, work);
                }
            });
        }
    });
    c.total()
}

/// Every exact counter keeps every increment; the racy one (registered unchecked) really
/// loses updates under contention. A little work between its load and store widens the race
/// window. On a loaded machine the scheduler can run the four threads one after another, so
/// a round may lose nothing; losses must show within a few rounds.
struct Counters;

impl Visit for Counters {
    fn counter<C: Counter + Describe>(&mut self) {
        eprintln!("{}", C::ABOUT.name);
        if C::ABOUT.checked {
            assert_eq!(count::<C>(2, 200_000, || {}), 400_000, "{}", C::ABOUT.name);
            assert_eq!(
                count::<C>(OVERSUBSCRIBED, 50_000, || {}),
                OVERSUBSCRIBED as u64 * 50_000,
                "{}",
                C::ABOUT.name
            );
            return;
        }
        let expected = 4 * 1_000_000;
        let mut rounds = Vec::new();
        for _ in 0..10 {
            let got = count::<C>(4, 1_000_000, || {
                std::hint::black_box(lockbench::workload::BusyWork::burn(20));
            });
            assert!(got > 0 && got <= expected, "{got} of {expected}");
            rounds.push(got);
            if got < expected {
                return;
            }
        }
        panic!(
            "{}: no update lost in {} rounds: {rounds:?}",
            C::ABOUT.name,
            rounds.len()
        );
    }
}

#[test]
fn counters_are_exact_and_the_racy_one_is_not() {
    registry::visit(&mut Counters);
}

/// Hand-written locks plug into lock_api for real code.
#[test]
fn usable_through_lock_api() {
    // The guarded value is an atomic updated by load + store (not an RMW), so a broken lock
    // shows as a lost update, never as undefined behaviour.
    let m: lock_api::Mutex<TtasBackoff, AtomicU64> = lock_api::Mutex::new(AtomicU64::new(0));
    std::thread::scope(|s| {
        for _ in 0..4 {
            let m = &m;
            s.spawn(move || {
                for _ in 0..1000 {
                    let g = m.lock();
                    g.store(g.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
                }
            });
        }
    });
    assert_eq!(m.into_inner().into_inner(), 4000);
    let f: lock_api::Mutex<FutexMutex, u8> = lock_api::Mutex::new(0);
    let g = f.lock();
    assert!(f.try_lock().is_none());
    drop(g);
    assert!(f.try_lock().is_some());
}

// ---- reader-writer locks ----

use lockbench::primitives::external::ParkingLotRwLock;
use lockbench::primitives::rwlock::{
    PhaseFairRwLock, ReadWrite, ReaderPrefRwLock, WriterPrefRwLock,
};

struct RwShared<L> {
    lock: L,
    /// Written as a pair under the write lock; readers must never see them differ.
    a: AtomicU64,
    b: AtomicU64,
    writers_inside: AtomicUsize,
    readers_inside: AtomicUsize,
}

/// `threads` threads, each doing `iters` ops, one in four a write. Writers see nobody else
/// inside; readers see no writer and an untorn pair.
fn rw_hammer<L: ReadWrite>(threads: usize, iters: u64, optimistic: bool) {
    let s = RwShared {
        lock: L::create(),
        a: AtomicU64::new(0),
        b: AtomicU64::new(0),
        writers_inside: AtomicUsize::new(0),
        readers_inside: AtomicUsize::new(0),
    };
    let start = Barrier::new(threads);
    let writes = AtomicU64::new(0);
    std::thread::scope(|scope| {
        for t in 0..threads {
            let (s, start, writes) = (&s, &start, &writes);
            scope.spawn(move || {
                start.wait();
                for i in 0..iters {
                    if (i + t as u64) % 4 == 0 {
                        s.lock.write(|| {
                            assert_eq!(
                                s.writers_inside.fetch_add(1, Ordering::SeqCst),
                                0,
                                "two writers"
                            );
                            assert_eq!(
                                s.readers_inside.load(Ordering::SeqCst),
                                0,
                                "writer with readers"
                            );
                            let n = s.a.load(Ordering::Relaxed) + 1;
                            s.a.store(n, Ordering::Relaxed);
                            std::hint::spin_loop();
                            s.b.store(n, Ordering::Relaxed);
                            s.writers_inside.fetch_sub(1, Ordering::SeqCst);
                        });
                        writes.fetch_add(1, Ordering::Relaxed);
                    } else if optimistic {
                        let (a, b) = s
                            .lock
                            .read(|| (s.a.load(Ordering::Relaxed), s.b.load(Ordering::Relaxed)));
                        assert_eq!(a, b, "torn read");
                    } else {
                        s.lock.read(|| {
                            s.readers_inside.fetch_add(1, Ordering::SeqCst);
                            assert_eq!(
                                s.writers_inside.load(Ordering::SeqCst),
                                0,
                                "reader with a writer"
                            );
                            assert_eq!(
                                s.a.load(Ordering::Relaxed),
                                s.b.load(Ordering::Relaxed),
                                "torn read"
                            );
                            for _ in 0..50 {
                                std::hint::spin_loop();
                            }
                            s.readers_inside.fetch_sub(1, Ordering::SeqCst);
                        });
                    }
                }
            });
        }
    });
    assert_eq!(
        s.a.load(Ordering::SeqCst),
        writes.load(Ordering::SeqCst),
        "lost a write"
    );
}

/// Shared access really is shared: two readers each wait *inside* the read section until the
/// other is inside too. A lock that excluded readers would make this time out.
fn readers_overlap<L: ReadWrite>() {
    let lock = L::create();
    let inside = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                lock.read(|| {
                    inside.fetch_add(1, Ordering::SeqCst);
                    let start = std::time::Instant::now();
                    while inside.load(Ordering::SeqCst) < 2 {
                        assert!(
                            start.elapsed() < std::time::Duration::from_secs(10),
                            "readers exclude each other"
                        );
                        std::thread::yield_now();
                    }
                });
            });
        }
    });
}

/// Every registered reader-writer lock: readers overlap, then a 2-thread and an
/// oversubscribed hammer. FIFO ones (phase-fair) wait for descheduled threads at each
/// hand-off, so fewer iterations and threads there.
struct RwLocks;

impl Visit for RwLocks {
    fn rwlock<R: ReadWrite + Describe>(&mut self) {
        eprintln!("{}", R::ABOUT.name);
        readers_overlap::<R>();
        rw_hammer::<R>(2, 20_000, R::OPTIMISTIC);
        if R::ABOUT.fifo {
            rw_hammer::<R>(4, 300, R::OPTIMISTIC);
        } else {
            rw_hammer::<R>(OVERSUBSCRIBED, 2_000, R::OPTIMISTIC);
        }
    }
}

#[test]
fn every_rwlock_excludes_writers() {
    registry::visit(&mut RwLocks);
}

#[test]
fn rwlocks_through_lock_api() {
    let l: lock_api::RwLock<PhaseFairRwLock, u32> = lock_api::RwLock::new(1);
    {
        let r1 = l.read();
        let r2 = l.read();
        assert_eq!(*r1 + *r2, 2);
        assert!(l.try_write().is_none());
    }
    *l.write() += 1;
    assert!(l.try_read().is_some());
    let w = l.write();
    assert!(l.try_read().is_none());
    drop(w);
    let l: lock_api::RwLock<ReaderPrefRwLock, u32> = lock_api::RwLock::new(0);
    let r = l.read();
    assert!(l.try_write().is_none() && l.try_read().is_some());
    drop(r);
    let l: lock_api::RwLock<WriterPrefRwLock, u32> = lock_api::RwLock::new(0);
    *l.write() = 5;
    assert_eq!(*l.read(), 5);
}

// ---- reader-writer locks through lock_api: progress watchdog, try_read among readers ----

use crossbeam_utils::CachePadded;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The data behind the `lock_api::RwLock` in [`rw_watchdog`]. Only atomics, reached only
/// through `&` (the guards' `Deref`, never `DerefMut`): under a broken lock the checks below
/// fail or the final count comes out short, instead of a data race being undefined behaviour.
#[derive(Debug, Default)]
struct RwData {
    /// Written as a pair by writers with Relaxed load + store (never an RMW, so only the lock
    /// makes the count exact); readers must never see them differ.
    a: AtomicU64,
    b: AtomicU64,
    writers_inside: AtomicUsize,
    readers_inside: AtomicUsize,
}

impl RwData {
    /// A writer's section: nobody else is inside; bump the pair.
    fn write_section(&self) {
        assert_eq!(
            self.writers_inside.fetch_add(1, Ordering::SeqCst),
            0,
            "two writers inside"
        );
        assert_eq!(
            self.readers_inside.load(Ordering::SeqCst),
            0,
            "a writer with readers inside"
        );
        // Relaxed: ordering is the lock's job.
        let n = self.a.load(Ordering::Relaxed) + 1;
        self.a.store(n, Ordering::Relaxed);
        std::hint::spin_loop();
        self.b.store(n, Ordering::Relaxed);
        self.writers_inside.fetch_sub(1, Ordering::SeqCst);
    }

    /// A reader's section: no writer is inside and the pair is whole.
    fn read_section(&self) {
        self.readers_inside.fetch_add(1, Ordering::SeqCst);
        assert_eq!(
            self.writers_inside.load(Ordering::SeqCst),
            0,
            "a reader with a writer inside"
        );
        // Relaxed: ordering is the lock's job.
        let (a, b) = (
            self.a.load(Ordering::Relaxed),
            self.b.load(Ordering::Relaxed),
        );
        assert_eq!(a, b, "torn read");
        self.readers_inside.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What the watchdog's workers share.
struct Watched<R: lock_api::RawRwLock> {
    lock: lock_api::RwLock<R, RwData>,
    stop: AtomicBool,
    /// One counter per worker: its successful acquisitions (cache-padded: the watchdog must
    /// not add contention of its own).
    progress: Vec<CachePadded<AtomicU64>>,
}

/// The text of a worker's panic.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "(non-string panic)".into())
}

/// Stress with a progress watchdog: `read` / `try_read` / `write` / `try_write` through
/// `lock_api::RwLock<R, _>` for [`WATCHDOG_RUN`], by more threads than the machine has cores:
/// 2 readers looping `read()` then `try_read()`, 1 writer looping `write()` then
/// `try_write()`, and 1 writer looping `try_write()` alone (so `try_write` also races a
/// second writer). Only one writer ever *waits*: a writer queued in `write()` makes every
/// `try_write` fail at once, which hid the phase-fair give-back deadlock (1 run in 5 with two
/// blocking writers; within ~0.25 s in every run with one).
///
/// **A stall on any lock is a test failure, never a hang.** The workers are detached
/// threads (not scoped, whose implicit join would hang on a deadlock); the test thread is the
/// watchdog: every [`WATCHDOG_TICK`] it checks that the total progress grew, and if it has not
/// for [`WATCHDOG_STALL`] — during the run, or while waiting for the workers to stop — it
/// panics naming the lock, with each worker's progress. Deadlocked workers are leaked, still
/// spinning, which is acceptable in a failing test process. A worker that panics (a broken
/// invariant) is reported the same way, by name. After a clean stop: no lost write.
///
/// **Starvation is a failure too, for the side the policy protects.** Total progress would
/// hide a phase-fair lock whose readers starved while writers ran. So every worker that
/// *blocks* (`read()`, `write()`) on a side in `protected` must itself acquire at least once in
/// every [`STARVATION`]: both sides for a fair policy, readers for reader preference,
/// writers for writer preference. The try-writer is never required to get in.
///
/// `try_read` is not required to succeed here: a writer may hold or (for writer-preferring
/// and phase-fair locks, parking_lot) wait. That it succeeds among readers alone is
/// [`try_read_among_readers`]'s check.
fn rw_watchdog<R: lock_api::RawRwLock + Send + Sync + 'static>(name: &str, protected: Sides) {
    const READERS: usize = 2;
    const WRITERS: usize = 2;
    /// The writer that only ever calls `try_write`.
    const TRY_WRITER: usize = READERS + 1;
    let w = Arc::new(Watched::<R> {
        lock: lock_api::RwLock::new(RwData::default()),
        stop: AtomicBool::new(false),
        progress: (0..READERS + WRITERS)
            .map(|_| CachePadded::new(AtomicU64::new(0)))
            .collect(),
    });
    let mut workers = Vec::new();
    for t in 0..READERS + WRITERS {
        let writer = t >= READERS;
        let label = if t == TRY_WRITER {
            format!("try-writer {}", t - READERS)
        } else if writer {
            format!("writer {}", t - READERS)
        } else {
            format!("reader {t}")
        };
        let w = Arc::clone(&w);
        let handle = std::thread::Builder::new()
            .name(format!("{name} {label}"))
            .spawn(move || {
                let mut writes = 0u64;
                // Relaxed: the flag only ends the loop; the join orders everything after.
                while !w.stop.load(Ordering::Relaxed) {
                    // Progress is acquisitions, not rounds: a thread whose every `try_*`
                    // fails is not progressing (the try-writer would otherwise keep the
                    // total growing through a deadlock of all the others).
                    let mut acquired = 0;
                    if writer {
                        if t != TRY_WRITER {
                            w.lock.write().write_section();
                            acquired += 1;
                        }
                        match w.lock.try_write() {
                            Some(g) => {
                                g.write_section();
                                acquired += 1;
                            }
                            None => std::hint::spin_loop(),
                        }
                        writes += acquired;
                    } else {
                        w.lock.read().read_section();
                        acquired += 1;
                        if let Some(g) = w.lock.try_read() {
                            g.read_section();
                            acquired += 1;
                        }
                    }
                    if acquired > 0 {
                        // Relaxed: a counter the watchdog samples; it orders nothing.
                        w.progress[t].fetch_add(acquired, Ordering::Relaxed);
                    }
                }
                writes
            })
            .expect("spawn a worker");
        workers.push((label, handle));
    }

    let per_thread = |w: &Watched<R>| -> Vec<u64> {
        w.progress
            .iter()
            .map(|p| p.load(Ordering::Relaxed))
            .collect()
    };
    let start = Instant::now();
    let (mut last_total, mut last_change) = (0u64, start);
    // Per worker: its count at its last acquisition seen, and when.
    let mut seen: Vec<(u64, Instant)> = vec![(0, start); READERS + WRITERS];
    let watched = |t: usize| {
        if t < READERS {
            protected.readers
        } else {
            protected.writers && t != TRY_WRITER
        }
    };
    let mut stop_at = None;
    loop {
        std::thread::sleep(WATCHDOG_TICK);
        let stopping = stop_at.is_some();
        // A worker ends only when told to, or by panicking on a broken invariant.
        if !stopping {
            if let Some(i) = workers.iter().position(|(_, h)| h.is_finished()) {
                w.stop.store(true, Ordering::Relaxed);
                let (label, handle) = workers.swap_remove(i);
                let why = match handle.join() {
                    Err(payload) => panic_message(&*payload),
                    Ok(_) => "returned before it was told to stop".into(),
                };
                panic!(
                    "{name}: {label} failed after {:.2?}: {why}",
                    start.elapsed()
                );
            }
        }
        if stopping && workers.iter().all(|(_, h)| h.is_finished()) {
            break;
        }
        let progress = per_thread(&w);
        let now = Instant::now();
        for (t, &n) in progress.iter().enumerate() {
            if n != seen[t].0 {
                seen[t] = (n, now);
            } else if !stopping && watched(t) && now - seen[t].1 >= STARVATION {
                w.stop.store(true, Ordering::Relaxed);
                let others: Vec<String> = workers
                    .iter()
                    .zip(&progress)
                    .map(|((label, _), n)| format!("{label}: {n} acquisitions"))
                    .collect();
                panic!(
                    "{name}: {} STARVED: no acquisition for {:.2?} ({:.2?} into the test) while \
                     its policy protects it; {others:?}",
                    workers[t].0,
                    now - seen[t].1,
                    now - start,
                );
            }
        }
        let total: u64 = progress.iter().sum();
        if total != last_total {
            (last_total, last_change) = (total, Instant::now());
        } else if last_change.elapsed() >= WATCHDOG_STALL {
            // Let the workers that can still move leave; the stuck ones are leaked.
            w.stop.store(true, Ordering::Relaxed);
            let threads: Vec<String> = workers
                .iter()
                .zip(&progress)
                .map(|((label, h), n)| {
                    let state = if h.is_finished() { "" } else { ", stuck" };
                    format!("{label}: {n} acquisitions{state}")
                })
                .collect();
            let when = if stop_at.is_some_and(|at| at <= last_change) {
                "while the workers were stopping, "
            } else {
                ""
            };
            panic!(
                "{name}: STALLED (deadlock or livelock): no progress {when}since {:.2?} into \
                 the test (watched for {:.2?} more); {threads:?}",
                last_change - start,
                last_change.elapsed(),
            );
        }
        if !stopping && start.elapsed() >= WATCHDOG_RUN {
            w.stop.store(true, Ordering::Relaxed);
            stop_at = Some(Instant::now());
        }
    }
    let mut writes = 0;
    for (label, handle) in workers {
        match handle.join() {
            Ok(n) => writes += n,
            Err(payload) => panic!("{name}: {label} failed: {}", panic_message(&*payload)),
        }
    }
    let data = &*w.lock.read();
    assert_eq!(
        data.a.load(Ordering::SeqCst),
        writes,
        "{name}: lost writes (two writers inside at once)"
    );
    assert_eq!(data.a.load(Ordering::SeqCst), data.b.load(Ordering::SeqCst));
}

/// How long [`rw_watchdog`] runs each lock.
const WATCHDOG_RUN: Duration = Duration::from_secs(2);
/// How often the watchdog samples progress.
const WATCHDOG_TICK: Duration = Duration::from_millis(250);
/// No progress at all for this long fails the test. A correct lock, even a spinning FIFO one
/// handing off to descheduled threads, loses a few scheduler time slices (milliseconds) at a
/// time, not seconds.
const WATCHDOG_STALL: Duration = Duration::from_secs(2);
/// A blocking thread of a side its lock's policy protects that acquires nothing for this long
/// is starved: a quarter of the run, so each such thread must get in within every stretch of
/// that length, four times over; a correct lock on a loaded host loses scheduler time slices
/// (milliseconds), not half a second.
const STARVATION: Duration = Duration::from_millis(500);

/// The sides of a reader-writer lock whose blocking threads must keep acquiring.
#[derive(Debug, Clone, Copy)]
struct Sides {
    readers: bool,
    writers: bool,
}

const BOTH: Sides = Sides {
    readers: true,
    writers: true,
};
const READERS_ONLY: Sides = Sides {
    readers: true,
    writers: false,
};
const WRITERS_ONLY: Sides = Sides {
    readers: false,
    writers: true,
};

#[test]
fn rw_watchdog_reader_pref() {
    rw_watchdog::<ReaderPrefRwLock>(std::any::type_name::<ReaderPrefRwLock>(), READERS_ONLY);
}

#[test]
fn rw_watchdog_writer_pref() {
    rw_watchdog::<WriterPrefRwLock>(std::any::type_name::<WriterPrefRwLock>(), WRITERS_ONLY);
}

/// Known to deadlock before the `try_lock_exclusive` fix: a failed try gave its writer ticket
/// back, so the next writer reused the previous writer's phase bit, and a reader waiting for
/// that bit to change waited forever while the writer waited for it.
#[test]
fn rw_watchdog_phase_fair() {
    rw_watchdog::<PhaseFairRwLock>(std::any::type_name::<PhaseFairRwLock>(), BOTH);
}

/// When [`ReaderStarver`]'s last writer left, in µs since [`starver_epoch`].
static STARVER_LAST_WRITE_US: AtomicU64 = AtomicU64::new(0);

fn starver_epoch() -> &'static Instant {
    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    EPOCH.get_or_init(Instant::now)
}

fn starver_now_us() -> u64 {
    starver_epoch().elapsed().as_micros() as u64
}

/// parking_lot's RwLock with a policy that starves readers: a reader gets in only once no
/// writer has left the lock for 200 ms. While writers keep writing, readers wait (sleeping, not
/// spinning); once the writers stop, they get in and finish, so the run ends cleanly and its
/// total progress grew all along.
struct ReaderStarver(parking_lot::RawRwLock);
// SAFETY: forwards to parking_lot's RawRwLock; the starving policy only delays readers.
unsafe impl lock_api::RawRwLock for ReaderStarver {
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: ReaderStarver =
        ReaderStarver(<parking_lot::RawRwLock as lock_api::RawRwLock>::INIT);
    type GuardMarker = lock_api::GuardNoSend;
    fn lock_shared(&self) {
        // Relaxed: a timestamp that only delays the reader; parking_lot orders the rest.
        while starver_now_us() < STARVER_LAST_WRITE_US.load(Ordering::Relaxed) + 200_000 {
            std::thread::sleep(Duration::from_millis(1));
        }
        self.0.lock_shared()
    }
    fn try_lock_shared(&self) -> bool {
        // Relaxed: as above.
        starver_now_us() >= STARVER_LAST_WRITE_US.load(Ordering::Relaxed) + 200_000
            && self.0.try_lock_shared()
    }
    unsafe fn unlock_shared(&self) {
        // SAFETY: our caller holds a shared lock, as lock_api requires.
        unsafe { self.0.unlock_shared() }
    }
    fn lock_exclusive(&self) {
        self.0.lock_exclusive()
    }
    fn try_lock_exclusive(&self) -> bool {
        self.0.try_lock_exclusive()
    }
    unsafe fn unlock_exclusive(&self) {
        // Relaxed: see `lock_shared`.
        STARVER_LAST_WRITE_US.store(starver_now_us(), Ordering::Relaxed);
        // SAFETY: our caller holds the exclusive lock, as lock_api requires.
        unsafe { self.0.unlock_exclusive() }
    }
}

/// A lock whose readers starve while its writers progress, and which ends cleanly once the
/// writers stop: only the per-thread check can catch it, naming the starved reader. (With the
/// readers' side not protected, reader preference's rule, it passes.)
#[test]
fn the_watchdog_catches_starved_readers_of_a_fair_policy() {
    let verdict = std::panic::catch_unwind(|| rw_watchdog::<ReaderStarver>("starver", BOTH));
    let message = panic_message(&*verdict.expect_err("starved readers passed the watchdog"));
    assert!(
        message.contains("reader") && message.contains("STARVED"),
        "{message}"
    );
    rw_watchdog::<ReaderStarver>("starver", WRITERS_ONLY);
}

#[test]
fn rw_watchdog_parking_lot() {
    rw_watchdog::<ParkingLotRwLock>(std::any::type_name::<ParkingLotRwLock>(), BOTH);
}

#[test]
fn rw_watchdog_spin_rs() {
    rw_watchdog::<spin::RwLock<()>>(std::any::type_name::<spin::RwLock<()>>(), READERS_ONLY);
}

/// With readers only (no writer ever), `try_read` must never fail: nothing excludes a reader.
/// Threads (more than the cores) alternate `read()` and `try_read()`, holding each briefly, so
/// readers constantly enter and leave while others try: a `try_lock_shared` that gives up when
/// its compare-exchange loses to another reader fails here.
///
/// Such a failure needs another reader to move in the instant between the try's load and its
/// compare-exchange, so the test does not count iterations (on a loaded 2-core host the
/// threads may just take turns): it runs until [`RACED_TRIES`] tries overlapped another
/// reader's entry, stopping early at the first failure, within a time cap. Hitting the cap
/// with fewer races is a weaker run, not a failure (a note is printed).
fn try_read_among_readers<R: lock_api::RawRwLock + Send + Sync>(name: &str) {
    const THREADS: usize = 4;
    /// Tries during which another reader entered the lock.
    const RACED_TRIES: u64 = 20_000;
    const CAP: Duration = Duration::from_secs(1);
    let lock = lock_api::RwLock::<R, ()>::new(());
    // Read sections entered so far; a try that sees it move was raced by another reader.
    let entries = CachePadded::new(AtomicU64::new(0));
    let (raced, failures) = (AtomicU64::new(0), AtomicU64::new(0));
    let start = Barrier::new(THREADS);
    let began = Instant::now();
    let tries: u64 = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                s.spawn(|| {
                    start.wait();
                    let mut tries = 0;
                    // Relaxed throughout: statistics and a stop condition, ordering nothing.
                    while raced.load(Ordering::Relaxed) < RACED_TRIES
                        && failures.load(Ordering::Relaxed) == 0
                        && began.elapsed() < CAP
                    {
                        let (mut my_raced, mut my_failures) = (0, 0);
                        for _ in 0..1024 {
                            {
                                let _g = lock.read();
                                entries.fetch_add(1, Ordering::Relaxed);
                                std::hint::spin_loop();
                            }
                            let before = entries.load(Ordering::Relaxed);
                            let got = lock.try_read();
                            my_raced += u64::from(entries.load(Ordering::Relaxed) != before);
                            match got {
                                Some(_g) => {
                                    entries.fetch_add(1, Ordering::Relaxed);
                                    std::hint::spin_loop();
                                }
                                None => my_failures += 1,
                            }
                        }
                        tries += 1024;
                        raced.fetch_add(my_raced, Ordering::Relaxed);
                        failures.fetch_add(my_failures, Ordering::Relaxed);
                    }
                    tries
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    let (raced, failures) = (raced.into_inner(), failures.into_inner());
    assert_eq!(
        failures,
        0,
        "{name}: try_read failed {failures} times with only readers and no writer ({tries} \
         tries, {raced} of them raced by another reader, {:.2?})",
        began.elapsed()
    );
    if raced < RACED_TRIES {
        eprintln!(
            "note: {name}: only {raced} of {tries} tries raced another reader in {CAP:?} \
             (wanted {RACED_TRIES}); the check was weaker than intended"
        );
    }
}

#[test]
fn rw_try_read_among_readers_reader_pref() {
    try_read_among_readers::<ReaderPrefRwLock>(std::any::type_name::<ReaderPrefRwLock>());
}

#[test]
fn rw_try_read_among_readers_writer_pref() {
    try_read_among_readers::<WriterPrefRwLock>(std::any::type_name::<WriterPrefRwLock>());
}

#[test]
fn rw_try_read_among_readers_phase_fair() {
    try_read_among_readers::<PhaseFairRwLock>(std::any::type_name::<PhaseFairRwLock>());
}

#[test]
fn rw_try_read_among_readers_baselines() {
    try_read_among_readers::<ParkingLotRwLock>(std::any::type_name::<ParkingLotRwLock>());
    try_read_among_readers::<spin::RwLock<()>>(std::any::type_name::<spin::RwLock<()>>());
}

// ---- the classic toolbox ----

use lockbench::primitives::classic::{
    BoundedQueue, Channel, Permits, PhaseBarrier, ReentrantMutex,
};

#[test]
fn reentrant_mutexes() {
    // Both reentrant mutexes are hammered with every lock (`every_lock_excludes`).
    // Nesting depth beyond two, then release to another thread.
    let m: ReentrantMutex<Ttas> = ReentrantMutex::new();
    for _ in 0..5 {
        m.lock();
    }
    std::thread::scope(|s| {
        let h = s.spawn(|| {
            let mut node = ();
            m.try_with(&mut node, || ()).is_some()
        });
        assert!(
            !h.join().unwrap(),
            "another thread entered a held reentrant mutex"
        );
    });
    for _ in 0..5 {
        // SAFETY: locked five times above by this thread.
        unsafe { m.unlock() };
    }
    std::thread::scope(|s| {
        assert!(
            s.spawn(|| m.try_with(&mut (), || ()).is_some())
                .join()
                .unwrap()
        );
    });
}

/// `threads` (> `permits`) threads share `permits` permits. Checked: the semaphore never
/// admits more than `permits` holders at once (over-admission), and it does admit `permits`
/// at once (under-admission: a leaked permit, or a semaphore that behaves as a mutex).
///
/// Reaching the full count is made deterministic rather than left to chance: each thread's
/// first holding waits *inside* until `permits` holders are in at the same time. With more
/// threads than permits a correct semaphore always gets there, however the threads are
/// scheduled; only a semaphore that admits fewer times out (a generous 10 s, so a loaded CI
/// host cannot trip it). Nothing panics while holding a permit (a panic would leave the other
/// threads blocked in `acquire` and hang the scope): violations are recorded and asserted
/// after the join.
fn pool<S: Permits>(permits: u32, threads: usize, iters: u64) {
    assert!(
        threads > permits as usize,
        "the fill check needs more threads than permits"
    );
    let permits_n = permits as usize;
    let sem = S::with_permits(permits);
    let in_use = AtomicUsize::new(0);
    let peak = AtomicUsize::new(0);
    let filled = AtomicBool::new(false);
    let fill_timed_out = AtomicBool::new(false);
    let start = Barrier::new(threads);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                start.wait();
                // The fill: hold the first permit until `permits` holders are in together.
                sem.acquire();
                let n = in_use.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(n, Ordering::SeqCst);
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
                // One timeout ends every holder's wait: the holders come one at a time then.
                while !filled.load(Ordering::SeqCst) && !fill_timed_out.load(Ordering::SeqCst) {
                    if in_use.load(Ordering::SeqCst) >= permits_n {
                        filled.store(true, Ordering::SeqCst);
                    } else if std::time::Instant::now() > deadline {
                        fill_timed_out.store(true, Ordering::SeqCst);
                        break;
                    } else {
                        std::thread::yield_now();
                    }
                }
                in_use.fetch_sub(1, Ordering::SeqCst);
                sem.release();
                // The hammer: short holdings, over-admission recorded in `peak`.
                for _ in 0..iters {
                    sem.acquire();
                    let n = in_use.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(n, Ordering::SeqCst);
                    std::hint::spin_loop();
                    in_use.fetch_sub(1, Ordering::SeqCst);
                    sem.release();
                }
            });
        }
    });
    let peak = peak.into_inner();
    assert!(
        peak <= permits_n,
        "over-admitted: {peak} holders of {permits} permits at once"
    );
    assert!(
        !fill_timed_out.into_inner(),
        "under-admitted: {permits} permits never held at once in 10 s (peak {peak})"
    );
    assert_eq!(peak, permits_n, "peak holders");
    assert_eq!(sem.available(), permits, "permits lost or invented");
}

struct Semaphores;

impl Visit for Semaphores {
    fn semaphore<S: Permits + Describe>(&mut self) {
        eprintln!("{}", S::ABOUT.name);
        for permits in [1, 2, 3] {
            pool::<S>(permits, OVERSUBSCRIBED, 5_000);
        }
    }
}

#[test]
fn semaphores_never_over_admit() {
    registry::visit(&mut Semaphores);
}

/// Every item delivered exactly once, in order per producer, with several producers and
/// consumers and a small capacity (so both sides block).
fn deliver<C: Channel>(producers: usize, consumers: usize, per_producer: u64) {
    let (tx, rx) = C::bounded(4);
    let txs: Vec<C::Tx> = (0..producers).map(|_| tx.clone()).collect();
    drop(tx);
    let got: Vec<Vec<[u64; 3]>> = std::thread::scope(|s| {
        for (p, tx) in txs.into_iter().enumerate() {
            s.spawn(move || {
                for seq in 0..per_producer {
                    C::send(&tx, [p as u64, seq, 0]);
                }
            });
        }
        let handles: Vec<_> = (0..consumers)
            .map(|_| {
                let rx = rx.clone();
                s.spawn(move || {
                    let mut seen = Vec::new();
                    while let Some(item) = C::recv(&rx) {
                        seen.push(item);
                    }
                    seen
                })
            })
            .collect();
        drop(rx);
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut all: Vec<(u64, u64)> = Vec::new();
    for seen in &got {
        for p in 0..producers as u64 {
            let seqs: Vec<u64> = seen.iter().filter(|i| i[0] == p).map(|i| i[1]).collect();
            assert!(
                seqs.windows(2).all(|w| w[0] < w[1]),
                "producer {p} out of order at a consumer"
            );
        }
        all.extend(seen.iter().map(|i| (i[0], i[1])));
    }
    all.sort_unstable();
    let expected: Vec<(u64, u64)> = (0..producers as u64)
        .flat_map(|p| (0..per_producer).map(move |s| (p, s)))
        .collect();
    assert_eq!(all, expected, "items lost or duplicated");
}

struct Queues;

impl Visit for Queues {
    fn queue<C: Channel + Describe>(&mut self) {
        eprintln!("{}", C::ABOUT.name);
        deliver::<C>(3, 3, 5_000);
        deliver::<C>(1, 1, 10_000);
    }
}

#[test]
fn queues_deliver_exactly_once_in_order() {
    registry::visit(&mut Queues);
}

#[test]
fn queue_closes_when_the_last_sender_goes() {
    let (tx, rx) = BoundedQueue::<u32>::channel(2);
    let tx2 = tx.clone();
    tx.send(1).unwrap();
    drop(tx);
    tx2.send(2).unwrap();
    drop(tx2);
    assert_eq!((rx.recv(), rx.recv(), rx.recv()), (Some(1), Some(2), None));
}

/// With every receiver gone nothing can take an item: `send` hands it back, whether it finds
/// them gone or is waiting for room when the last one leaves (it used to wait forever).
#[test]
fn a_send_with_no_receiver_left_fails_instead_of_hanging() {
    let (tx, rx) = BoundedQueue::<u32>::channel(1);
    let rx2 = rx.clone();
    tx.send(1).unwrap();
    let (done, finished) = std::sync::mpsc::channel();
    let sender = std::thread::spawn(move || {
        // The queue is full: this waits for room until the last receiver leaves.
        let blocked = tx.send(2);
        let after = tx.send(3);
        done.send(()).unwrap();
        (blocked, after)
    });
    std::thread::sleep(Duration::from_millis(50));
    drop(rx);
    assert!(
        finished.try_recv().is_err(),
        "one receiver is left: the sender still waits"
    );
    drop(rx2);
    finished
        .recv_timeout(Duration::from_secs(10))
        .expect("send waited forever with no receiver left");
    let (blocked, after) = sender.join().unwrap();
    assert_eq!(blocked.unwrap_err().0, 2, "the item comes back");
    assert_eq!(after.unwrap_err().0, 3);
}

/// A thread that exits holding the reentrant mutex leaves it held: no later thread (which may
/// get the dead one's stack and thread-local block) can re-enter it.
#[test]
fn a_dead_holders_reentrant_mutex_is_not_reentered_by_a_new_thread() {
    use lockbench::primitives::classic::ReentrantMutex;
    let m = Arc::new(ReentrantMutex::<FutexMutex>::new());
    let held = Arc::clone(&m);
    std::thread::spawn(move || held.lock()).join().unwrap();
    for _ in 0..20 {
        let m = Arc::clone(&m);
        let entered = std::thread::spawn(move || m.try_lock()).join().unwrap();
        assert!(
            !entered,
            "a new thread re-entered a dead thread's reentrant mutex"
        );
    }
}

/// No thread leaves phase k before every thread has arrived at it.
fn barrier_phases<B: PhaseBarrier>(threads: usize, phases: u64) {
    let b = B::with_threads(threads);
    let arrived: Vec<AtomicU64> = (0..threads).map(|_| AtomicU64::new(0)).collect();
    let leaders = AtomicU64::new(0);
    std::thread::scope(|s| {
        for t in 0..threads {
            let (b, arrived, leaders) = (&b, &arrived, &leaders);
            s.spawn(move || {
                let mut local = B::Local::default();
                for k in 1..=phases {
                    arrived[t].store(k, Ordering::SeqCst);
                    if b.wait(&mut local) {
                        leaders.fetch_add(1, Ordering::Relaxed);
                    }
                    for a in arrived {
                        assert!(a.load(Ordering::SeqCst) >= k, "left phase {k} early");
                    }
                }
            });
        }
    });
    assert_eq!(
        leaders.load(Ordering::Relaxed),
        phases,
        "exactly one leader per phase"
    );
}

/// Oversubscribed, a spinning barrier waits out descheduled threads: fewer threads and
/// phases there.
struct Barriers;

impl Visit for Barriers {
    fn barrier<B: PhaseBarrier + Describe>(&mut self) {
        eprintln!("{}", B::ABOUT.name);
        match B::ABOUT.waits {
            Waiting::Spins => {
                barrier_phases::<B>(2, 20_000);
                barrier_phases::<B>(3, 50);
            }
            Waiting::Sleeps => {
                barrier_phases::<B>(2, 5_000);
                barrier_phases::<B>(OVERSUBSCRIBED, 2_000);
            }
        }
    }
}

#[test]
fn barriers_hold_everyone_each_phase() {
    registry::visit(&mut Barriers);
}
