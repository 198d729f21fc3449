//! Profile a real program's locks: drop-in [`Mutex`] and [`RwLock`] wrappers that record, per
//! lock and per acquiring call site, how the lock is used — acquisitions, contended ones (the
//! fast path failed), hand-offs (the next owner is another thread), the wait, hold and think
//! times (the think time is a thread's time between releasing the lock and its next attempt),
//! the threads seen, and reads against writes — then [`report`] or [`write`] them
//! (`profile.csv`, `profile.json`), sorted by total wait. `lockbench advise profile.csv`
//! replays each lock's usage on the harness and says which lock to use on this machine.
//!
//! ```
//! use lockbench::profile;
//!
//! // Was: let cache = parking_lot::Mutex::new(Vec::new());
//! let cache = profile::Mutex::named(Vec::new(), "cache");
//! std::thread::scope(|s| {
//!     for t in 0..2 {
//!         let cache = &cache;
//!         s.spawn(move || {
//!             for i in 0..1000 {
//!                 cache.lock().push(t * 1000 + i);
//!             }
//!         });
//!     }
//! });
//! let report = profile::report();
//! let row = report.lock("cache").unwrap();
//! assert_eq!(row.acquisitions, 2000);
//! // profile::write("profile")?;  // profile/profile.csv and profile/profile.json
//! ```
//!
//! **What it costs.** Counts are exact. One acquisition in [`sample_every`] (default 16, set
//! with [`set_sample_every`]) is timed: two or three clock reads (the CPU's time-stamp
//! counter) and histogram records. The path of an acquisition that is neither contended nor
//! sampled writes only memory of the acquiring thread (and the lock's own line, which the
//! acquisition writes anyway); `benches/profile.rs` measures the cost against the bare lock.
//!
//! **The rules.** A lock's name is the one given ([`Mutex::named`]) or the place it was
//! created (`src/main.rs:12:17`); locks of one name are one row (`instances` counts them).
//! A site is where `lock`/`read`/`write` was called (`#[track_caller]`). A wait is the time
//! from the failed fast path to holding the lock, and it counts once per waiter (the rule of
//! Abseil's and Go's mutex profiles): rows are sorted by total wait, which is estimated as the
//! contended acquisitions times the mean sampled wait. A hold is the time from holding the
//! lock to just after releasing it.

mod file;
mod store;

pub use file::{
    ALL_SITES, LockRow, PROFILE_CSV, PROFILE_JSON, PROFILE_SCHEMA, Profile, ProfileError, read,
    report, reset, short_type, write, write_profile,
};
pub use store::{DEFAULT_SAMPLE_EVERY, sample_every, set_sample_every};

use std::cell::UnsafeCell;
use std::fmt;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::sync::atomic::{AtomicU64, Ordering};
use store::Mode;

/// A lock's name: given, or where it was created.
#[derive(Debug, Clone, Copy)]
enum Name {
    Given(&'static str),
    Created(&'static Location<'static>),
}

impl Name {
    fn text(self) -> String {
        match self {
            Name::Given(n) => n.to_string(),
            Name::Created(at) => format!("{}:{}:{}", at.file(), at.line(), at.column()),
        }
    }
}

/// The profile's view of a lock: its id (0 until registered on first use) and name.
struct Identity {
    id: AtomicU64,
    name: Name,
    /// The thread that last held the lock exclusively (0: none yet); written only while
    /// holding it exclusively.
    owner: AtomicU64,
}

impl Identity {
    const fn new(name: Name) -> Identity {
        Identity {
            id: AtomicU64::new(0),
            name,
            owner: AtomicU64::new(0),
        }
    }

    #[inline]
    fn id(&self, kind: &'static str, raw: &'static str) -> u64 {
        // Acquire pairs with the Release of `store::register`'s compare-exchange.
        match self.id.load(Ordering::Acquire) {
            0 => store::register(&self.id, self.name.text(), kind, raw),
            id => id,
        }
    }

    /// Takes ownership for `thread` (called holding the lock exclusively): whether the
    /// previous exclusive owner was another thread. Relaxed: the lock's own acquire and
    /// release order these accesses.
    #[inline]
    fn take(&self, thread: u64) -> bool {
        let previous = self.owner.load(Ordering::Relaxed);
        if previous != thread {
            self.owner.store(thread, Ordering::Relaxed);
        }
        previous != 0 && previous != thread
    }
}

/// Runs one acquisition: decides sampling, tries the fast path, waits if it failed, and
/// notes the hand-off. `try_fast` and `wait` are the raw lock's try and blocking acquire in
/// `mode`. Nothing is counted until the release ([`release`]).
#[inline]
fn acquire(
    who: &Identity,
    id: u64,
    site: &'static Location<'static>,
    mode: Mode,
    try_fast: impl FnOnce() -> bool,
    wait: impl FnOnce(),
) -> Held {
    let Some((entry, mut bits)) = store::plan(id, site, mode) else {
        if !try_fast() {
            wait();
        }
        return Held {
            entry: None,
            bits: 0,
        };
    };
    let sampled = bits & store::SAMPLED != 0;
    let contended = !try_fast();
    let attempt = if sampled { store::now() } else { 0 };
    if contended {
        wait();
        bits |= store::CONTENDED;
    }
    if sampled {
        let held = if contended { store::now() } else { attempt };
        store::times(entry, attempt, held);
    }
    // Inside the critical section, on the lock's own line: one load, and a store only when
    // the owner changes.
    if mode == Mode::Exclusive && who.take(entry.thread) {
        bits |= store::HANDOFF;
    }
    Held {
        entry: Some(entry),
        bits,
    }
}

/// What a guard carries to its release: where the acquisition records (`None`: not
/// recorded, the thread's profile state was gone) and what happened (`store::SAMPLED` …).
#[derive(Clone, Copy)]
struct Held {
    entry: Option<&'static store::Entry>,
    bits: u32,
}

/// Called after the raw unlock: records the acquisition, out of the critical section.
#[inline]
fn release(held: &Held) {
    if let Some(entry) = held.entry {
        store::done(entry, held.bits);
    }
}

/// A profiled mutual-exclusion lock over any [`lock_api::RawMutex`] (default: parking_lot's,
/// as `parking_lot::Mutex`; [`StdRawMutex`] for `std::sync::Mutex` users). Use it as the lock
/// it wraps: `lock()` returns a guard that derefs to the data.
pub struct Mutex<T: ?Sized, R = parking_lot::RawMutex> {
    raw: R,
    who: Identity,
    data: UnsafeCell<T>,
}

// SAFETY: as `lock_api::Mutex`: the data is reached only through a guard, which exists only
// while `raw` is held exclusively, so sharing the mutex shares `T` with one thread at a time
// (`T: Send` suffices). `Identity` is atomics and plain data.
unsafe impl<T: ?Sized + Send, R: lock_api::RawMutex + Send> Send for Mutex<T, R> {}
// SAFETY: see above.
unsafe impl<T: ?Sized + Send, R: lock_api::RawMutex + Sync> Sync for Mutex<T, R> {}

impl<T, R: lock_api::RawMutex> Mutex<T, R> {
    /// A mutex named after the place it is created.
    #[track_caller]
    pub const fn new(value: T) -> Self {
        Self::with_name(value, Name::Created(Location::caller()))
    }

    /// A mutex with a name for the report.
    pub const fn named(value: T, name: &'static str) -> Self {
        Self::with_name(value, Name::Given(name))
    }

    const fn with_name(value: T, name: Name) -> Self {
        Mutex {
            raw: R::INIT,
            who: Identity::new(name),
            data: UnsafeCell::new(value),
        }
    }

    /// The data, consuming the mutex.
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized, R: lock_api::RawMutex> Mutex<T, R> {
    #[inline]
    fn id(&self) -> u64 {
        self.who.id("mutex", std::any::type_name::<R>())
    }

    /// Acquires the lock, blocking (or spinning, as the raw lock does) until it is free.
    #[track_caller]
    #[inline]
    pub fn lock(&self) -> MutexGuard<'_, T, R> {
        let site = Location::caller();
        let id = self.id();
        let held = acquire(
            &self.who,
            id,
            site,
            Mode::Exclusive,
            || self.raw.try_lock(),
            || self.raw.lock(),
        );
        MutexGuard {
            lock: self,
            held,
            _not_send: PhantomData,
        }
    }

    /// Acquires the lock if it is free now (an uncontended acquisition when it succeeds; a
    /// failed try is not an acquisition).
    #[track_caller]
    #[inline]
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T, R>> {
        let site = Location::caller();
        let id = self.id();
        if !self.raw.try_lock() {
            return None;
        }
        // Already held: the fast path "succeeds" and there is nothing to wait for.
        let held = acquire(&self.who, id, site, Mode::Exclusive, || true, || {});
        Some(MutexGuard {
            lock: self,
            held,
            _not_send: PhantomData,
        })
    }

    /// The data, through `&mut` (no locking needed).
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }
}

impl<T: Default, R: lock_api::RawMutex> Default for Mutex<T, R> {
    #[track_caller]
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<T: ?Sized, R> fmt::Debug for Mutex<T, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("profile::Mutex")
            .field("name", &self.who.name.text())
            .finish_non_exhaustive()
    }
}

/// A held [`Mutex`]; releases it on drop. Not `Send`: it must be dropped on the thread that
/// took it (as std's guard).
#[must_use = "if unused the Mutex will immediately unlock"]
pub struct MutexGuard<'a, T: ?Sized, R: lock_api::RawMutex> {
    lock: &'a Mutex<T, R>,
    held: Held,
    _not_send: PhantomData<*const ()>,
}

impl<T: ?Sized, R: lock_api::RawMutex> Deref for MutexGuard<'_, T, R> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard exists only while the lock is held exclusively.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized, R: lock_api::RawMutex> DerefMut for MutexGuard<'_, T, R> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as `deref`, and `&mut self` makes this the only reference through the guard.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized, R: lock_api::RawMutex> Drop for MutexGuard<'_, T, R> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: this guard's thread holds the lock (the guard is not `Send`) and releases
        // it once.
        unsafe { self.lock.raw.unlock() };
        release(&self.held);
    }
}

/// A profiled reader-writer lock over any [`lock_api::RawRwLock`] (default: parking_lot's).
pub struct RwLock<T: ?Sized, R = parking_lot::RawRwLock> {
    raw: R,
    who: Identity,
    data: UnsafeCell<T>,
}

// SAFETY: as `lock_api::RwLock`: readers share `&T` (so `T: Sync`), a writer gets `&mut T`
// alone (so `T: Send`).
unsafe impl<T: ?Sized + Send, R: lock_api::RawRwLock + Send> Send for RwLock<T, R> {}
// SAFETY: see above.
unsafe impl<T: ?Sized + Send + Sync, R: lock_api::RawRwLock + Sync> Sync for RwLock<T, R> {}

impl<T, R: lock_api::RawRwLock> RwLock<T, R> {
    /// An RwLock named after the place it is created.
    #[track_caller]
    pub const fn new(value: T) -> Self {
        Self::with_name(value, Name::Created(Location::caller()))
    }

    /// An RwLock with a name for the report.
    pub const fn named(value: T, name: &'static str) -> Self {
        Self::with_name(value, Name::Given(name))
    }

    const fn with_name(value: T, name: Name) -> Self {
        RwLock {
            raw: R::INIT,
            who: Identity::new(name),
            data: UnsafeCell::new(value),
        }
    }

    /// The data, consuming the lock.
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized, R: lock_api::RawRwLock> RwLock<T, R> {
    #[inline]
    fn id(&self) -> u64 {
        self.who.id("rwlock", std::any::type_name::<R>())
    }

    /// Acquires shared (read) access.
    #[track_caller]
    #[inline]
    pub fn read(&self) -> RwLockReadGuard<'_, T, R> {
        let site = Location::caller();
        let id = self.id();
        let held = acquire(
            &self.who,
            id,
            site,
            Mode::Shared,
            || self.raw.try_lock_shared(),
            || self.raw.lock_shared(),
        );
        RwLockReadGuard {
            lock: self,
            held,
            _not_send: PhantomData,
        }
    }

    /// Acquires exclusive (write) access.
    #[track_caller]
    #[inline]
    pub fn write(&self) -> RwLockWriteGuard<'_, T, R> {
        let site = Location::caller();
        let id = self.id();
        let held = acquire(
            &self.who,
            id,
            site,
            Mode::Exclusive,
            || self.raw.try_lock_exclusive(),
            || self.raw.lock_exclusive(),
        );
        RwLockWriteGuard {
            lock: self,
            held,
            _not_send: PhantomData,
        }
    }

    /// The data, through `&mut` (no locking needed).
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }
}

impl<T: ?Sized, R> fmt::Debug for RwLock<T, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("profile::RwLock")
            .field("name", &self.who.name.text())
            .finish_non_exhaustive()
    }
}

/// Shared access to an [`RwLock`]'s data; released on drop.
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockReadGuard<'a, T: ?Sized, R: lock_api::RawRwLock> {
    lock: &'a RwLock<T, R>,
    held: Held,
    _not_send: PhantomData<*const ()>,
}

impl<T: ?Sized, R: lock_api::RawRwLock> Deref for RwLockReadGuard<'_, T, R> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard exists only while shared access is held: no writer has `&mut T`.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized, R: lock_api::RawRwLock> Drop for RwLockReadGuard<'_, T, R> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: this guard's thread holds shared access and releases it once.
        unsafe { self.lock.raw.unlock_shared() };
        release(&self.held);
    }
}

/// Exclusive access to an [`RwLock`]'s data; released on drop.
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockWriteGuard<'a, T: ?Sized, R: lock_api::RawRwLock> {
    lock: &'a RwLock<T, R>,
    held: Held,
    _not_send: PhantomData<*const ()>,
}

impl<T: ?Sized, R: lock_api::RawRwLock> Deref for RwLockWriteGuard<'_, T, R> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard exists only while exclusive access is held.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized, R: lock_api::RawRwLock> DerefMut for RwLockWriteGuard<'_, T, R> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as `deref`, and `&mut self` makes this the only reference.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized, R: lock_api::RawRwLock> Drop for RwLockWriteGuard<'_, T, R> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: this guard's thread holds exclusive access and releases it once.
        unsafe { self.lock.raw.unlock_exclusive() };
        release(&self.held);
    }
}

/// `std::sync::Mutex<()>` as a [`lock_api::RawMutex`], for programs that used std's mutex:
/// `profile::Mutex<T, StdRawMutex>` locks exactly as `std::sync::Mutex<T>` does (poisoning
/// aside: a panic while holding it does not poison it).
pub struct StdRawMutex {
    inner: std::sync::Mutex<()>,
    /// While held: the address `inner` had when it was locked, and its guard (which borrows
    /// `inner`, hence `'static`; see `keep`). Never dropped implicitly, so dropping or moving
    /// a held `StdRawMutex` releases nothing through a stale borrow.
    guard: UnsafeCell<Option<(usize, ManuallyDrop<std::sync::MutexGuard<'static, ()>>)>>,
}

// SAFETY: `guard` is written only by the thread holding `inner` (after `lock` returns, and in
// `unlock`, which the holder calls), so `inner` orders every access to it.
unsafe impl Sync for StdRawMutex {}
// SAFETY: moving a `StdRawMutex` to another thread moves a std mutex and, if it is held, a
// guard that `unlock` will not use there (its address no longer matches).
unsafe impl Send for StdRawMutex {}

impl StdRawMutex {
    fn at(&self) -> usize {
        &self.inner as *const std::sync::Mutex<()> as usize
    }

    fn keep(&self, guard: std::sync::MutexGuard<'_, ()>) {
        // SAFETY: the guard borrows `self.inner`. It is dropped only by `unlock`, and only
        // while `inner` is still at the address it was locked at (checked there), i.e. while
        // the borrow is valid. Only the holder writes `guard`.
        unsafe {
            let guard = std::mem::transmute::<
                std::sync::MutexGuard<'_, ()>,
                std::sync::MutexGuard<'static, ()>,
            >(guard);
            *self.guard.get() = Some((self.at(), ManuallyDrop::new(guard)));
        }
    }
}

// SAFETY: `lock` and `try_lock` return true only when `inner` is held, and `unlock` releases
// it by dropping the kept guard: std's mutex provides the exclusion and its orderings.
unsafe impl lock_api::RawMutex for StdRawMutex {
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: StdRawMutex = StdRawMutex {
        inner: std::sync::Mutex::new(()),
        guard: UnsafeCell::new(None),
    };
    type GuardMarker = lock_api::GuardNoSend;

    fn lock(&self) {
        let guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        self.keep(guard);
    }

    fn try_lock(&self) -> bool {
        match self.inner.try_lock() {
            Ok(guard) => {
                self.keep(guard);
                true
            }
            Err(std::sync::TryLockError::Poisoned(e)) => {
                self.keep(e.into_inner());
                true
            }
            Err(std::sync::TryLockError::WouldBlock) => false,
        }
    }

    unsafe fn unlock(&self) {
        // SAFETY: the caller holds the lock (the `RawMutex::unlock` contract), so this thread
        // wrote `guard` and no other thread touches it.
        let kept = unsafe { (*self.guard.get()).take() };
        if let Some((at, mut guard)) = kept {
            if at == self.at() {
                // SAFETY: `inner` has not moved since it was locked: the guard's borrow is
                // valid, and it is dropped once (taken out of `guard` above).
                unsafe { ManuallyDrop::drop(&mut guard) };
            }
            // Moved while held (possible only through the raw lock itself): the borrow is
            // stale, so nothing is released and the moved mutex stays locked.
        }
    }
}

/// A profiled mutex with std's lock: the drop-in for `std::sync::Mutex<T>`.
pub type StdMutex<T> = Mutex<T, StdRawMutex>;

#[cfg(test)]
mod tests;
