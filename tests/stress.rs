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
/// A little work between its load and store widens the race window so this cannot flake.
#[test]
fn racy_counter_loses_updates() {
    let expected = 4 * 1_000_000;
    let got = count::<RacyCounter>(4, 1_000_000, || {
        std::hint::black_box(lockbench::workload::BusyWork::burn(20));
    });
    assert!(got < expected, "no update lost: {got} of {expected}");
    assert!(got > 0);
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
