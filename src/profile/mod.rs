//! Profile a real program's locks: drop-in [`Mutex`] and [`RwLock`] wrappers that record, per
//! lock and per acquiring call site, how the lock is used — acquisitions, contended ones (the
//! fast path failed), hand-offs (the next owner is another thread), the wait, hold and think
//! times (the think time is a thread's time between releasing the lock and its next attempt),
//! the threads seen, and reads against writes — then [`report`] or [`write()`] them
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
//! with [`set_sample_every`]) is timed: three clock reads (the CPU's time-stamp counter) and
//! histogram records, and one more after the release before it. The path of an acquisition that is neither contended nor
//! sampled writes only memory of the acquiring thread (and the lock's own line, which the
//! acquisition writes anyway); `benches/profile.rs` measures the cost against the bare lock.
//!
//! **Memory.** Per thread and lock instance it takes, a small state; per thread, instance, call
//! site and mode, an entry whose three histograms (~15 KiB each) are allocated at its first
//! sampled acquisition. All of it lives until the process ends (a report sees threads that
//! exited). Profile long-lived locks; a lock created per object or per connection costs this
//! per instance.
//!
//! **The rules.** A lock's name is the one given ([`Mutex::named`]) or the place it was
//! created (`src/main.rs:12:17`); locks of one name are one row (`instances` counts them).
//! A site is where `lock`/`read`/`write` was called (`#[track_caller]`). A wait is the time
//! from the failed fast path to holding the lock, and it counts once per waiter (the rule of
//! Abseil's and Go's mutex profiles): rows are sorted by total wait, which is estimated as the
//! contended acquisitions times the mean sampled wait. A hold is the time from holding the
//! lock to just before releasing it; a think time from just after the release to the
//! thread's next attempt; a wait from the attempt to holding the lock. Each timed figure
//! includes about one clock read. A hand-off is an exclusive
//! acquisition whose previous exclusive owner was another thread, contended or not. Nested
//! read guards of one RwLock on one thread share their sampled times (the inner one's win).

mod file;
mod store;

pub use file::{
    ALL_SITES, LockRow, PROFILE_CSV, PROFILE_JSON, PROFILE_SCHEMA, Profile, ProfileError, read,
    report, reset, short_type, write, write_profile,
};
pub use store::{DEFAULT_SAMPLE_EVERY, sample_every, set_sample_every};

use std::cell::{Cell, UnsafeCell};
use std::fmt;
use std::marker::PhantomData;
use std::mem::MaybeUninit;
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
            Name::Created(at) => at.to_string(),
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
/// `mode`. Nothing is counted until the release ([`Held::release`]).
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
    let attempt = if sampled { store::now() } else { 0 };
    let contended = !try_fast();
    if contended {
        wait();
        bits |= store::CONTENDED;
    }
    if sampled {
        // SAFETY: `plan` returned `entry` on this thread, just above.
        unsafe { store::times(entry, attempt, store::now()) };
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

impl Held {
    /// Called before the raw unlock: where a sampled acquisition's hold ends (one clock read
    /// inside the critical section, on sampled acquisitions only; 0 otherwise).
    #[inline]
    fn stamp(&self) -> u64 {
        match self.entry {
            Some(_) if self.bits & store::SAMPLED != 0 => store::now(),
            _ => 0,
        }
    }

    /// Called after the raw unlock: records the acquisition, out of the critical section.
    /// Only from the guard that carries it, which is not `Send`: on the acquiring thread.
    #[inline]
    fn release(&self, released: u64) {
        if let Some(entry) = self.entry {
            // SAFETY: the guard holding this `Held` is not `Send`, so this runs on the thread
            // whose `plan` returned `entry` (in `acquire`).
            unsafe { store::done(entry, self.bits, released) };
        }
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

impl<T> Mutex<T> {
    /// A mutex (parking_lot's lock) named after the place it is created.
    #[track_caller]
    pub const fn new(value: T) -> Self {
        Self::with_name(value, Name::Created(Location::caller()))
    }

    /// A mutex (parking_lot's lock) with a name for the report.
    pub const fn named(value: T, name: &'static str) -> Self {
        Self::with_name(value, Name::Given(name))
    }
}

impl<T, R: lock_api::RawMutex> Mutex<T, R> {
    /// A mutex over the raw lock `R`, named after the place it is created
    /// (`profile::Mutex::<T, spin::Mutex<()>>::with_raw(value)`).
    #[track_caller]
    pub const fn with_raw(value: T) -> Self {
        Self::with_name(value, Name::Created(Location::caller()))
    }

    /// A mutex over the raw lock `R` with a name for the report.
    pub const fn named_with_raw(value: T, name: &'static str) -> Self {
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
        Self::with_raw(T::default())
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
        let released = self.held.stamp();
        // SAFETY: this guard's thread holds the lock (the guard is not `Send`) and releases
        // it once.
        unsafe { self.lock.raw.unlock() };
        self.held.release(released);
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

impl<T> RwLock<T> {
    /// An RwLock (parking_lot's) named after the place it is created.
    #[track_caller]
    pub const fn new(value: T) -> Self {
        Self::with_name(value, Name::Created(Location::caller()))
    }

    /// An RwLock (parking_lot's) with a name for the report.
    pub const fn named(value: T, name: &'static str) -> Self {
        Self::with_name(value, Name::Given(name))
    }
}

impl<T, R: lock_api::RawRwLock> RwLock<T, R> {
    /// An RwLock over the raw lock `R`, named after the place it is created.
    #[track_caller]
    pub const fn with_raw(value: T) -> Self {
        Self::with_name(value, Name::Created(Location::caller()))
    }

    /// An RwLock over the raw lock `R` with a name for the report.
    pub const fn named_with_raw(value: T, name: &'static str) -> Self {
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
        let released = self.held.stamp();
        // SAFETY: this guard's thread holds shared access and releases it once.
        unsafe { self.lock.raw.unlock_shared() };
        self.held.release(released);
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
        let released = self.held.stamp();
        // SAFETY: this guard's thread holds exclusive access and releases it once.
        unsafe { self.lock.raw.unlock_exclusive() };
        self.held.release(released);
    }
}

/// `std::sync::Mutex<()>` as a [`lock_api::RawMutex`], for programs that used std's mutex
/// ([`StdMutex`]). A held one must not be moved (through a `Mutex` it cannot be):
/// `profile::Mutex<T, StdRawMutex>` locks exactly as `std::sync::Mutex<T>` does (poisoning
/// aside: a panic while holding it does not poison it).
pub struct StdRawMutex {
    inner: std::sync::Mutex<()>,
    /// While held: the address `inner` had when it was locked (0: not held).
    held_at: Cell<usize>,
    /// While held: `inner`'s guard, as untyped bytes (it borrows `inner`, hence `'static`;
    /// see `keep`). Read back as a guard only while `inner` is still at `held_at`, so a
    /// moved or dropped `StdRawMutex` never holds or drops a dangling guard.
    guard: UnsafeCell<MaybeUninit<std::sync::MutexGuard<'static, ()>>>,
}

// SAFETY: `held_at` and `guard` are written by the thread that holds `inner` (in `lock` and
// `try_lock` once `inner` is taken, in `unlock`, which the holder calls), so `inner`'s own
// acquire/release orders every access to them.
unsafe impl Sync for StdRawMutex {}
// SAFETY: an unheld `StdRawMutex` is a std mutex and nothing else. A held one carries only
// bytes and an address, used by `unlock` alone, whose contract (the holder, on its thread:
// `GuardNoSend`) keeps them on the locking thread.
unsafe impl Send for StdRawMutex {}

impl StdRawMutex {
    fn at(&self) -> usize {
        &self.inner as *const std::sync::Mutex<()> as usize
    }

    fn keep(&self, guard: std::sync::MutexGuard<'_, ()>) {
        // SAFETY: only the bytes of the guard are stored (`MaybeUninit`, never dropped); they
        // are read back as a guard in `unlock` only while `inner` is still at the address it
        // was locked at, i.e. while the borrow is valid. Only the holder writes here.
        unsafe {
            let guard = std::mem::transmute::<
                std::sync::MutexGuard<'_, ()>,
                std::sync::MutexGuard<'static, ()>,
            >(guard);
            (*self.guard.get()).write(guard);
        }
        self.held_at.set(self.at());
    }
}

// SAFETY: `lock` and `try_lock` return true only when `inner` is held, and `unlock` releases
// it by dropping the kept guard: std's mutex provides the exclusion and its orderings.
unsafe impl lock_api::RawMutex for StdRawMutex {
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: StdRawMutex = StdRawMutex {
        inner: std::sync::Mutex::new(()),
        held_at: Cell::new(0),
        guard: UnsafeCell::new(MaybeUninit::uninit()),
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
        // Moved since it was locked (possible only through the raw lock itself): the kept
        // bytes borrow a place `inner` left, so they are not read, nothing is released, and
        // the moved mutex stays locked.
        if self.held_at.replace(0) == self.at() {
            // SAFETY: the caller holds the lock (the `RawMutex::unlock` contract), so `keep`
            // wrote a guard of `inner`, still at its address: reading it once and dropping it
            // releases `inner`.
            drop(unsafe { (*self.guard.get()).assume_init_read() });
        }
    }
}

/// A profiled mutex with std's lock: the drop-in for `std::sync::Mutex<T>`.
pub type StdMutex<T> = Mutex<T, StdRawMutex>;

#[cfg(test)]
mod tests;
