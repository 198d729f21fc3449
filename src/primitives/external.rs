//! Ecosystem baselines under the same interfaces as the hand-written locks.

use super::classic::{Channel, Item};
use super::rwlock::{RawRwLock, ReadWrite};
use super::{Exclusive, RawLock};
use crate::primitives::about::{About, Describe, Family};

/// `std::sync::Mutex<()>`: a futex mutex with a short spin (std's `futex.rs`), poisoning on
/// panic. It only unlocks through its guard, so it implements [`Exclusive`] directly.
#[derive(Debug, Default)]
pub struct StdMutex(std::sync::Mutex<()>);

impl Exclusive for StdMutex {
    type Node = ();
    fn create() -> Self {
        StdMutex::default()
    }
    #[inline(always)]
    fn with<T>(&self, _node: &mut (), f: impl FnOnce() -> T) -> T {
        // A poisoned lock still excludes: a panicking critical section in one trial must not
        // turn every later acquisition into a panic.
        let _guard = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f()
    }
    #[inline(always)]
    fn try_with<T>(&self, _node: &mut (), f: impl FnOnce() -> T) -> Option<T> {
        let _guard = match self.0.try_lock() {
            Ok(guard) => guard,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return None,
        };
        Some(f())
    }
}

/// Implements [`RawLock`] for a type that implements `lock_api::RawMutex`.
macro_rules! raw_lock_from_lock_api {
    ($($ty:ty),* $(,)?) => {$(
        // SAFETY: `lock_api::RawMutex` promises the same mutual exclusion and Acquire/Release
        // hand-off that `RawLock` requires.
        unsafe impl RawLock for $ty {
            fn new() -> Self {
                <$ty as lock_api::RawMutex>::INIT
            }
            #[inline]
            fn lock(&self) {
                lock_api::RawMutex::lock(self)
            }
            #[inline]
            fn try_lock(&self) -> bool {
                lock_api::RawMutex::try_lock(self)
            }
            #[inline]
            unsafe fn unlock(&self) {
                // SAFETY: the caller holds the lock, as `RawLock::unlock` requires.
                unsafe { lock_api::RawMutex::unlock(self) }
            }
        }
    )*};
}

/// `parking_lot::Mutex`'s raw lock: one byte, adaptive spinning, then parking in a global
/// hash table of wait queues; eventually fair (a waiter is handed the lock directly every
/// ~0.5 ms on average).
pub type ParkingLotMutex = parking_lot::RawMutex;
/// `parking_lot::FairMutex`'s raw lock: always hands the lock to the next waiter on unlock.
pub type ParkingLotFairMutex = parking_lot::RawFairMutex;
/// `spin::Mutex<()>` (spin-rs): a test-and-set spinlock from the ecosystem.
pub type SpinRsMutex = spin::mutex::SpinMutex<()>;
/// `spin::TicketMutex<()>` (spin-rs): the ecosystem's ticket lock.
pub type SpinRsTicket = spin::mutex::TicketMutex<()>;

raw_lock_from_lock_api!(
    ParkingLotMutex,
    ParkingLotFairMutex,
    SpinRsMutex,
    SpinRsTicket
);

/// No lock at all: the critical section runs unprotected. Used to measure the harness's own
/// per-operation cost (its "null" primitive); mutual exclusion is, of course, not checked.
#[derive(Debug, Default)]
pub struct NoLock;

impl Exclusive for NoLock {
    type Node = ();
    fn create() -> Self {
        NoLock
    }
    #[inline(always)]
    fn with<T>(&self, _node: &mut (), f: impl FnOnce() -> T) -> T {
        f()
    }
    #[inline(always)]
    fn try_with<T>(&self, _node: &mut (), f: impl FnOnce() -> T) -> Option<T> {
        Some(f())
    }
}

/// `std::sync::RwLock<()>`: futex-based, writer-preferring (a waiting writer blocks new
/// readers). Guard-only, so it implements [`ReadWrite`] directly.
#[derive(Debug, Default)]
pub struct StdRwLock(std::sync::RwLock<()>);

impl ReadWrite for StdRwLock {
    fn create() -> Self {
        StdRwLock::default()
    }
    #[inline(always)]
    fn read<T>(&self, mut f: impl FnMut() -> T) -> T {
        let _g = self.0.read().unwrap_or_else(|p| p.into_inner());
        f()
    }
    #[inline(always)]
    fn write<T>(&self, f: impl FnOnce() -> T) -> T {
        let _g = self.0.write().unwrap_or_else(|p| p.into_inner());
        f()
    }
}

/// `parking_lot::RwLock`'s raw lock: task-fair-ish (eventually fair), parks waiters.
pub type ParkingLotRwLock = parking_lot::RawRwLock;

// SAFETY: `lock_api::RawRwLock` promises what `RawRwLock` requires.
unsafe impl RawRwLock for ParkingLotRwLock {
    fn new() -> Self {
        <ParkingLotRwLock as lock_api::RawRwLock>::INIT
    }
    fn lock_shared(&self) {
        lock_api::RawRwLock::lock_shared(self)
    }
    fn try_lock_shared(&self) -> bool {
        lock_api::RawRwLock::try_lock_shared(self)
    }
    unsafe fn unlock_shared(&self) {
        // SAFETY: the caller holds shared access.
        unsafe { lock_api::RawRwLock::unlock_shared(self) }
    }
    fn lock_exclusive(&self) {
        lock_api::RawRwLock::lock_exclusive(self)
    }
    fn try_lock_exclusive(&self) -> bool {
        lock_api::RawRwLock::try_lock_exclusive(self)
    }
    unsafe fn unlock_exclusive(&self) {
        // SAFETY: the caller holds exclusive access.
        unsafe { lock_api::RawRwLock::unlock_exclusive(self) }
    }
    fn is_locked(&self) -> bool {
        lock_api::RawRwLock::is_locked(self)
    }
    fn is_locked_exclusive(&self) -> bool {
        lock_api::RawRwLock::is_locked_exclusive(self)
    }
}

/// `std::sync::mpsc::sync_channel`. Its receiver is single-consumer, so consumers share it
/// behind a `Mutex` (which serializes them: that is std's channel used as an MPMC queue).
#[derive(Debug)]
pub struct StdSyncChannel;

impl Channel for StdSyncChannel {
    type Tx = std::sync::mpsc::SyncSender<Item>;
    type Rx = std::sync::Arc<std::sync::Mutex<std::sync::mpsc::Receiver<Item>>>;
    fn bounded(capacity: usize) -> (Self::Tx, Self::Rx) {
        let (tx, rx) = std::sync::mpsc::sync_channel(capacity);
        (tx, std::sync::Arc::new(std::sync::Mutex::new(rx)))
    }
    fn send(tx: &Self::Tx, item: Item) {
        // An error means every receiver is gone; the workload never drops them first.
        let _ = tx.send(item);
    }
    fn recv(rx: &Self::Rx) -> Option<Item> {
        rx.lock().unwrap_or_else(|p| p.into_inner()).recv().ok()
    }
}

/// `crossbeam_channel::bounded`: a lock-free MPMC array queue.
#[derive(Debug)]
pub struct CrossbeamBounded;

impl Channel for CrossbeamBounded {
    type Tx = crossbeam_channel::Sender<Item>;
    type Rx = crossbeam_channel::Receiver<Item>;
    fn bounded(capacity: usize) -> (Self::Tx, Self::Rx) {
        crossbeam_channel::bounded(capacity)
    }
    fn send(tx: &Self::Tx, item: Item) {
        let _ = tx.send(item);
    }
    fn recv(rx: &Self::Rx) -> Option<Item> {
        rx.recv().ok()
    }
}

/// `parking_lot::ReentrantMutex<()>`: the ecosystem's reentrant mutex, measured like ours
/// (lock, re-enter once, critical section, unlock twice).
#[derive(Debug)]
pub struct ParkingLotReentrant(parking_lot::ReentrantMutex<()>);

impl Exclusive for ParkingLotReentrant {
    type Node = ();
    fn create() -> Self {
        ParkingLotReentrant(parking_lot::ReentrantMutex::new(()))
    }
    #[inline(always)]
    fn with<T>(&self, _: &mut (), f: impl FnOnce() -> T) -> T {
        let _outer = self.0.lock();
        let _inner = self.0.lock();
        f()
    }
    fn try_with<T>(&self, _: &mut (), f: impl FnOnce() -> T) -> Option<T> {
        let _outer = self.0.try_lock()?;
        let _inner = self.0.lock();
        Some(f())
    }
}

impl Describe for NoLock {
    const ABOUT: About = About::new(
        "null",
        Family::Baseline,
        "no lock: the harness's own per-op cost (mutual exclusion not checked)",
    )
    .unchecked();
}

impl Describe for SpinRsMutex {
    const ABOUT: About = About::new(
        "spin-rs",
        Family::Spin,
        "spin::Mutex (spin-rs crate): ecosystem test-and-set spinlock",
    )
    .from_crate();
}

impl Describe for SpinRsTicket {
    const ABOUT: About = About::new(
        "spin-rs-ticket",
        Family::Spin,
        "spin::TicketMutex (spin-rs crate): ecosystem ticket lock",
    )
    .from_crate()
    .fifo();
}

impl Describe for StdMutex {
    const ABOUT: About = About::new(
        "std-mutex",
        Family::Mutex,
        "std::sync::Mutex: futex mutex with a fixed 100-iteration spin",
    )
    .from_crate()
    .sleeps();
}

impl Describe for ParkingLotMutex {
    const ABOUT: About = About::new(
        "parking-lot-mutex",
        Family::Mutex,
        "parking_lot::Mutex: adaptive spin, then a global parking table; eventually fair",
    )
    .from_crate()
    .sleeps();
}

impl Describe for ParkingLotFairMutex {
    const ABOUT: About = About::new(
        "parking-lot-fair-mutex",
        Family::Mutex,
        "parking_lot::FairMutex: hands the lock to the next waiter on every unlock",
    )
    .from_crate()
    .sleeps()
    .fifo();
}

impl Describe for StdRwLock {
    const ABOUT: About = About::new(
        "std-rwlock",
        Family::Rwlock,
        "std::sync::RwLock: futex-based, writer-preferring, sleeps",
    )
    .from_crate()
    .sleeps();
}

impl Describe for ParkingLotRwLock {
    const ABOUT: About = About::new(
        "parking-lot-rwlock",
        Family::Rwlock,
        "parking_lot::RwLock: adaptive spin then park, eventually fair",
    )
    .from_crate()
    .sleeps();
}

impl Describe for ParkingLotReentrant {
    const ABOUT: About = About::new(
        "parking-lot-reentrant-mutex",
        Family::Classic,
        "parking_lot::ReentrantMutex, measured the same way (lock, re-enter once)",
    )
    .from_crate()
    .sleeps();
}

impl Describe for StdSyncChannel {
    const ABOUT: About = About::new(
        "std-sync-channel",
        Family::Classic,
        "std::sync::mpsc::sync_channel (consumers share the receiver behind a Mutex)",
    )
    .from_crate()
    .sleeps();
}

impl Describe for CrossbeamBounded {
    const ABOUT: About = About::new(
        "crossbeam-channel",
        Family::Classic,
        "crossbeam_channel::bounded: lock-free MPMC array queue",
    )
    .from_crate()
    .sleeps();
}
