//! Stress tests: every primitive, hand-written and baseline, hammered by more threads than the
//! machine has cores. Totals must be exact and no two holders may ever be inside together.

use lockbench::primitives::Exclusive;
use lockbench::primitives::counter::{
    CasBackoffCounter, CasCounter, Counter, FetchAddCounter, RacyCounter, ShardedCounter,
};
use lockbench::primitives::external::{
    ParkingLotFairMutex, ParkingLotMutex, SpinRsMutex, SpinRsTicket, StdMutex,
};
use lockbench::primitives::futex::{AdaptiveMutex, FutexMutex};
use lockbench::primitives::spin::{Mcs, Tas, Ticket, Ttas, TtasBackoff};
use std::cell::UnsafeCell;
use std::sync::Barrier;
use std::sync::atomic::{AtomicUsize, Ordering};

/// More than the 2 cores of the development and CI machines.
const OVERSUBSCRIBED: usize = 6;

struct Shared<L> {
    lock: L,
    /// Deliberately unsynchronized: only the lock protects it.
    data: UnsafeCell<u64>,
    /// How many threads are inside right now (must never exceed 1).
    inside: AtomicUsize,
}

// SAFETY: `data` is only accessed while `lock` is held, which is what the test checks.
unsafe impl<L: Sync> Sync for Shared<L> {}

impl<L> Shared<L> {
    fn critical(&self) {
        assert_eq!(
            self.inside.fetch_add(1, Ordering::Relaxed),
            0,
            "two threads inside"
        );
        // SAFETY: the lock is held; the assertion above would catch a second holder.
        unsafe { *self.data.get() += 1 };
        self.inside.fetch_sub(1, Ordering::Relaxed);
    }
}

/// `threads` threads each enter the critical section `iters` times (every fourth attempt via
/// `try_with`, retried until it succeeds); the total must be exact.
fn hammer<L: Exclusive>(threads: usize, iters: u64) {
    let s = Shared {
        lock: L::create(),
        data: UnsafeCell::new(0),
        inside: AtomicUsize::new(0),
    };
    // A method, not a closure over `s.data`: closures capture fields, and the field alone
    // is not `Sync`.
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
    assert_eq!(s.data.into_inner(), threads as u64 * iters);
}

/// A contended run at 2 threads and an oversubscribed one. FIFO spinlocks (ticket, MCS) hand
/// the lock to a waiter that may be descheduled, so each oversubscribed hand-off can cost a
/// scheduler time slice: they get fewer iterations there.
fn stress<L: Exclusive>(fifo_spin: bool) {
    hammer::<L>(2, 50_000);
    hammer::<L>(OVERSUBSCRIBED, if fifo_spin { 300 } else { 20_000 });
}

#[test]
fn spin_tas() {
    stress::<Tas>(false);
}

#[test]
fn spin_ttas() {
    stress::<Ttas>(false);
}

#[test]
fn spin_ttas_backoff() {
    stress::<TtasBackoff>(false);
}

#[test]
fn spin_ticket() {
    stress::<Ticket>(true);
}

#[test]
fn spin_mcs() {
    stress::<Mcs>(true);
}

#[test]
fn spin_rs() {
    stress::<SpinRsMutex>(false);
}

#[test]
fn spin_rs_ticket() {
    stress::<SpinRsTicket>(true);
}

#[test]
fn futex_mutex() {
    stress::<FutexMutex>(false);
}

#[test]
fn adaptive_mutexes() {
    stress::<AdaptiveMutex<100>>(false);
    stress::<AdaptiveMutex<1_000>>(false);
    stress::<AdaptiveMutex<10_000>>(false);
}

#[test]
fn std_mutex() {
    stress::<StdMutex>(false);
}

#[test]
fn parking_lot_mutexes() {
    stress::<ParkingLotMutex>(false);
    stress::<ParkingLotFairMutex>(false);
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

fn exact<C: Counter>() {
    assert_eq!(count::<C>(2, 200_000, || {}), 400_000);
    assert_eq!(
        count::<C>(OVERSUBSCRIBED, 50_000, || {}),
        OVERSUBSCRIBED as u64 * 50_000
    );
}

#[test]
fn counters_are_exact() {
    exact::<CasCounter>();
    exact::<CasBackoffCounter>();
    exact::<FetchAddCounter>();
    exact::<ShardedCounter>();
}

/// The demonstration must work: the racy counter really loses updates under contention.
/// A little work between its load and store widens the race window. On a loaded machine the
/// scheduler can run the four threads one after another, so a round may lose nothing; losses
/// must show within a few rounds.
#[test]
fn racy_counter_loses_updates() {
    let expected = 4 * 1_000_000;
    let mut rounds = Vec::new();
    for _ in 0..10 {
        let got = count::<RacyCounter>(4, 1_000_000, || {
            std::hint::black_box(lockbench::workload::BusyWork::burn(20));
        });
        assert!(got > 0 && got <= expected, "{got} of {expected}");
        rounds.push(got);
        if got < expected {
            return;
        }
    }
    panic!("no update lost in {} rounds: {rounds:?}", rounds.len());
}

/// Hand-written locks plug into lock_api for real code.
#[test]
fn usable_through_lock_api() {
    let m: lock_api::Mutex<TtasBackoff, Vec<u32>> = lock_api::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for t in 0..4 {
            let m = &m;
            s.spawn(move || {
                for i in 0..1000 {
                    m.lock().push(t * 1000 + i);
                }
            });
        }
    });
    let mut v = m.into_inner();
    v.sort_unstable();
    assert_eq!(v, (0..4000).collect::<Vec<_>>());
    let f: lock_api::Mutex<FutexMutex, u8> = lock_api::Mutex::new(0);
    let g = f.lock();
    assert!(f.try_lock().is_none());
    drop(g);
    assert!(f.try_lock().is_some());
}

// ---- reader-writer locks ----

use lockbench::primitives::external::{ParkingLotRwLock, StdRwLock};
use lockbench::primitives::rwlock::{
    PhaseFairRwLock, ReadWrite, ReaderPrefRwLock, SeqLock, WriterPrefRwLock,
};
use std::sync::atomic::AtomicU64;

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

fn rw_stress<L: ReadWrite>(optimistic: bool) {
    readers_overlap::<L>();
    rw_hammer::<L>(2, 20_000, optimistic);
    rw_hammer::<L>(OVERSUBSCRIBED, 2_000, optimistic);
}

#[test]
fn rw_reader_pref() {
    rw_stress::<ReaderPrefRwLock>(false);
}

#[test]
fn rw_writer_pref() {
    rw_stress::<WriterPrefRwLock>(false);
}

#[test]
fn rw_phase_fair() {
    // Phase-fair hand-offs are FIFO among writers and phase-ordered: under
    // oversubscription each can wait for a descheduled thread, so fewer iterations there.
    readers_overlap::<PhaseFairRwLock>();
    rw_hammer::<PhaseFairRwLock>(2, 20_000, false);
    rw_hammer::<PhaseFairRwLock>(4, 300, false);
}

#[test]
fn rw_seqlock() {
    rw_stress::<SeqLock>(true);
}

#[test]
fn rw_baselines() {
    rw_stress::<StdRwLock>(false);
    rw_stress::<ParkingLotRwLock>(false);
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

// ---- the classic toolbox ----

use lockbench::primitives::classic::{
    BoundedQueue, Channel, CondvarQueue, CondvarSemaphore, FutexSemaphore, Permits, PhaseBarrier,
    ReentrantMutex, SenseBarrier, StdBarrier,
};
use lockbench::primitives::external::{CrossbeamBounded, ParkingLotReentrant, StdSyncChannel};

#[test]
fn reentrant_mutexes() {
    stress::<ReentrantMutex<FutexMutex>>(false);
    stress::<ParkingLotReentrant>(false);
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

fn pool<S: Permits>(permits: u32, threads: usize, iters: u64) {
    let sem = S::with_permits(permits);
    let in_use = AtomicUsize::new(0);
    let peak = AtomicUsize::new(0);
    let start = Barrier::new(threads);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                start.wait();
                for _ in 0..iters {
                    sem.acquire();
                    let n = in_use.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(n, Ordering::Relaxed);
                    assert!(n <= permits as usize, "{n} holders of {permits} permits");
                    std::hint::spin_loop();
                    in_use.fetch_sub(1, Ordering::SeqCst);
                    sem.release();
                }
            });
        }
    });
    assert_eq!(sem.available(), permits, "permits lost or invented");
    assert!(peak.load(Ordering::Relaxed) >= 1);
}

#[test]
fn semaphores_never_over_admit() {
    for permits in [1, 2, 3] {
        pool::<FutexSemaphore>(permits, OVERSUBSCRIBED, 5_000);
        pool::<CondvarSemaphore>(permits, OVERSUBSCRIBED, 5_000);
    }
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

#[test]
fn queues_deliver_exactly_once_in_order() {
    deliver::<CondvarQueue>(3, 3, 5_000);
    deliver::<StdSyncChannel>(3, 3, 5_000);
    deliver::<CrossbeamBounded>(3, 3, 5_000);
    deliver::<CondvarQueue>(1, 1, 10_000);
}

#[test]
fn queue_closes_when_the_last_sender_goes() {
    let (tx, rx) = BoundedQueue::<u32>::channel(2);
    let tx2 = tx.clone();
    tx.send(1);
    drop(tx);
    tx2.send(2);
    drop(tx2);
    assert_eq!((rx.recv(), rx.recv(), rx.recv()), (Some(1), Some(2), None));
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

#[test]
fn barriers_hold_everyone_each_phase() {
    barrier_phases::<SenseBarrier>(2, 20_000);
    barrier_phases::<StdBarrier>(2, 5_000);
    // Oversubscribed: a spinning barrier waits out descheduled threads, so fewer phases.
    barrier_phases::<SenseBarrier>(3, 50);
    barrier_phases::<StdBarrier>(OVERSUBSCRIBED, 2_000);
}
