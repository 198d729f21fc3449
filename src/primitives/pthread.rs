//! The C baselines: glibc's `pthread_mutex_t` and `pthread_rwlock_t` with default attributes,
//! called through `libc`.
//!
//! Both are stored inline (no `Box`), so in the harness's `inline` layout the lock and its data
//! share a cache line, as in parking_lot's own benchmark of `pthread_mutex_t`.
//!
//! Two POSIX rules shape this module:
//! - **Unlock on the locking thread.** POSIX leaves unlocking from another thread undefined,
//!   and glibc's `pthread_rwlock_unlock` really depends on it: it tells a write unlock from a
//!   read unlock by comparing the stored writer TID with the caller's, so a write lock released
//!   by another thread would be undone as a *read* unlock. The harness always unlocks on the
//!   locking thread (inside `Exclusive::with` / `ReadWrite::read` / `write`), and the
//!   `lock_api` impls use [`lock_api::GuardNoSend`] so that guards cannot leave their thread.
//! - **Do not move a lock that is in use.** See the SAFETY comment on [`PthreadMutex`].

use std::cell::UnsafeCell;

use super::RawLock;
use super::about::{About, Describe, Family};
use super::rwlock::RawRwLock;

/// A `pthread_*` call that must not fail returned `code`: panics, naming the error.
#[cold]
#[inline(never)]
fn fail(call: &str, code: libc::c_int) -> ! {
    let name = match code {
        libc::EINVAL => "EINVAL",
        libc::EDEADLK => "EDEADLK",
        libc::EAGAIN => "EAGAIN",
        libc::EBUSY => "EBUSY",
        libc::EPERM => "EPERM",
        _ => "unexpected error",
    };
    panic!(
        "{call} failed: {name} ({})",
        std::io::Error::from_raw_os_error(code)
    );
}

/// Checks the result of a blocking acquire. Always on, not a `debug_assert`: a `lock` that
/// returned without the lock would let two holders in, which is unsound for the safe
/// `lock_api::Mutex` built on it. The cost is one predictable branch. (With default
/// attributes glibc only fails here on misuse: `EDEADLK` for a writer re-locking its rwlock,
/// `EAGAIN` when the reader count overflows.)
#[inline(always)]
fn check_acquire(call: &str, code: libc::c_int) {
    if code != 0 {
        fail(call, code);
    }
}

/// Checks the result of an unlock in debug builds only: with default attributes glibc's
/// `pthread_mutex_unlock` and `pthread_rwlock_unlock` always return 0 (they do not check the
/// owner), and a failed unlock would leave the lock held, a hang rather than a soundness hole.
/// Unlocks also run in guard drops, where a panic during unwinding would abort.
#[inline(always)]
fn check_release(call: &str, code: libc::c_int) {
    if cfg!(debug_assertions) && code != 0 {
        fail(call, code);
    }
}

/// glibc `pthread_mutex_t` with default attributes (`PTHREAD_MUTEX_INITIALIZER`: the
/// normal/timed kind): one CAS, then `futex` wait; no spinning, no owner checks.
///
/// SAFETY (moving): POSIX forbids using a *copy* of a mutex that has been used, so a
/// `pthread_mutex_t` must not be moved once in use. The harness creates the lock by value
/// (`Exclusive::create`) and places it once, before first use; afterwards it is only used
/// through shared references, which pin it. Any other move needs ownership or `&mut`, so no
/// thread can be inside a `pthread_mutex_*` call on it; and glibc's mutex (like its rwlock) is
/// plain integer words with no self-references and no per-object resources while unlocked (the
/// robust-list links are used only by robust mutexes, which default attributes are not), so a
/// moved unlocked lock behaves like a fresh one. That second part is a glibc fact, not POSIX.
pub struct PthreadMutex(UnsafeCell<libc::pthread_mutex_t>);

// SAFETY: a `pthread_mutex_t` is not tied to the thread that created it; sending an owned one
// (no borrows, so no thread is inside a call on it) to another thread is fine.
unsafe impl Send for PthreadMutex {}
// SAFETY: the `pthread_mutex_*` functions are made to be called concurrently on one mutex;
// every access to the cell goes through them.
unsafe impl Sync for PthreadMutex {}

impl PthreadMutex {
    /// A new, unlocked mutex with glibc's default attributes.
    pub const fn new() -> Self {
        PthreadMutex(UnsafeCell::new(libc::PTHREAD_MUTEX_INITIALIZER))
    }
}

impl Default for PthreadMutex {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for PthreadMutex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PthreadMutex")
    }
}

impl Drop for PthreadMutex {
    fn drop(&mut self) {
        // Destroying a locked mutex is undefined; it can only still be locked here if a guard
        // was leaked. Then skip `destroy`: a default glibc mutex owns nothing to release.
        // SAFETY: `&mut self`: no thread is inside a call on this initialized mutex.
        unsafe {
            if libc::pthread_mutex_trylock(self.0.get()) == 0 {
                libc::pthread_mutex_unlock(self.0.get());
                libc::pthread_mutex_destroy(self.0.get());
            }
        }
    }
}

// SAFETY: pthread_mutex_lock/trylock return 0 only when the caller now holds the mutex, and
// POSIX (XBD 4.12, Memory Synchronization) makes lock and unlock synchronize memory.
// Failures of `lock` panic instead of returning (see `check_acquire`).
unsafe impl RawLock for PthreadMutex {
    fn new() -> Self {
        PthreadMutex::new()
    }
    #[inline]
    fn lock(&self) {
        // SAFETY: the cell holds an initialized mutex that has not moved since first use.
        check_acquire("pthread_mutex_lock", unsafe {
            libc::pthread_mutex_lock(self.0.get())
        });
    }
    #[inline]
    fn try_lock(&self) -> bool {
        // SAFETY: as in `lock`. Any nonzero result (EBUSY) means "not acquired".
        unsafe { libc::pthread_mutex_trylock(self.0.get()) == 0 }
    }
    #[inline]
    unsafe fn unlock(&self) {
        // SAFETY: the caller holds the lock (and, see the module docs, on this thread).
        check_release("pthread_mutex_unlock", unsafe {
            libc::pthread_mutex_unlock(self.0.get())
        });
    }
}

// Written out rather than `impl_raw_mutex!`, which declares guards `Send`: a pthread mutex
// must be unlocked by the thread that locked it.
// SAFETY: forwards to the `RawLock` impl above, whose contract is lock_api's.
unsafe impl lock_api::RawMutex for PthreadMutex {
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: Self = PthreadMutex::new();
    type GuardMarker = lock_api::GuardNoSend;
    #[inline]
    fn lock(&self) {
        RawLock::lock(self)
    }
    #[inline]
    fn try_lock(&self) -> bool {
        RawLock::try_lock(self)
    }
    #[inline]
    unsafe fn unlock(&self) {
        // SAFETY: lock_api's caller contract (held, by this thread: guards are !Send) is ours.
        unsafe { RawLock::unlock(self) }
    }
}

/// glibc `pthread_rwlock_t` with default attributes (`PTHREAD_RWLOCK_INITIALIZER`, kind
/// `PTHREAD_RWLOCK_PREFER_READER_NP`): a new reader enters whenever no writer holds the lock,
/// even past a waiting writer, so overlapping readers can starve writers. Waiters sleep on a
/// futex.
///
/// SAFETY (moving): as for [`PthreadMutex`]: moved only before first use in the harness, and
/// an unlocked glibc rwlock has no self-references.
pub struct PthreadRwLock(UnsafeCell<libc::pthread_rwlock_t>);

// SAFETY: as for `PthreadMutex`: not tied to a thread, and an owned lock is not in use.
unsafe impl Send for PthreadRwLock {}
// SAFETY: the `pthread_rwlock_*` functions are made to be called concurrently on one lock;
// every access to the cell goes through them.
unsafe impl Sync for PthreadRwLock {}

impl PthreadRwLock {
    /// A new, unlocked rwlock with glibc's default attributes.
    pub const fn new() -> Self {
        PthreadRwLock(UnsafeCell::new(libc::PTHREAD_RWLOCK_INITIALIZER))
    }

    /// Holds the lock for a moment with `try_acquire`; whether that worked.
    fn probe(
        &self,
        try_acquire: unsafe extern "C" fn(*mut libc::pthread_rwlock_t) -> libc::c_int,
    ) -> bool {
        // SAFETY: an initialized rwlock; on success we hold it and release it at once.
        unsafe {
            if try_acquire(self.0.get()) == 0 {
                libc::pthread_rwlock_unlock(self.0.get());
                true
            } else {
                false
            }
        }
    }
}

impl Default for PthreadRwLock {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for PthreadRwLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PthreadRwLock")
    }
}

impl Drop for PthreadRwLock {
    fn drop(&mut self) {
        // As for the mutex: skip `destroy` if a leaked guard still holds it.
        // SAFETY: `&mut self`: no thread is inside a call on this initialized rwlock.
        unsafe {
            if libc::pthread_rwlock_trywrlock(self.0.get()) == 0 {
                libc::pthread_rwlock_unlock(self.0.get());
                libc::pthread_rwlock_destroy(self.0.get());
            }
        }
    }
}

// SAFETY: the rd/wr lock calls return 0 only with shared/exclusive access held, a writer
// excludes everyone, and POSIX makes acquire and release synchronize memory. Failures of the
// blocking calls panic instead of returning (see `check_acquire`).
unsafe impl RawRwLock for PthreadRwLock {
    fn new() -> Self {
        PthreadRwLock::new()
    }
    #[inline]
    fn lock_shared(&self) {
        // SAFETY: an initialized rwlock that has not moved since first use.
        check_acquire("pthread_rwlock_rdlock", unsafe {
            libc::pthread_rwlock_rdlock(self.0.get())
        });
    }
    #[inline]
    fn try_lock_shared(&self) -> bool {
        // SAFETY: as above. EBUSY (a writer holds it) and EAGAIN mean "not acquired".
        unsafe { libc::pthread_rwlock_tryrdlock(self.0.get()) == 0 }
    }
    #[inline]
    unsafe fn unlock_shared(&self) {
        // SAFETY: the caller holds shared access.
        check_release("pthread_rwlock_unlock", unsafe {
            libc::pthread_rwlock_unlock(self.0.get())
        });
    }
    #[inline]
    fn lock_exclusive(&self) {
        // SAFETY: as in `lock_shared`.
        check_acquire("pthread_rwlock_wrlock", unsafe {
            libc::pthread_rwlock_wrlock(self.0.get())
        });
    }
    #[inline]
    fn try_lock_exclusive(&self) -> bool {
        // SAFETY: as in `lock_shared`.
        unsafe { libc::pthread_rwlock_trywrlock(self.0.get()) == 0 }
    }
    #[inline]
    unsafe fn unlock_exclusive(&self) {
        // SAFETY: the caller holds exclusive access, on this thread (glibc tells a write
        // unlock from a read unlock by the caller's TID).
        check_release("pthread_rwlock_unlock", unsafe {
            libc::pthread_rwlock_unlock(self.0.get())
        });
    }
    /// pthreads cannot be asked, so this probes with `trywrlock` (and releases at once):
    /// while the probe holds the lock, a concurrent `try_lock_*` fails and a `lock_*` waits.
    fn is_locked(&self) -> bool {
        !self.probe(libc::pthread_rwlock_trywrlock)
    }
    /// Probes with `tryrdlock`, which (reader-preferring) fails only while a writer holds the
    /// lock, not while one waits. Same side effect as [`RawRwLock::is_locked`].
    fn is_locked_exclusive(&self) -> bool {
        !self.probe(libc::pthread_rwlock_tryrdlock)
    }
}

// SAFETY: forwards to the `RawRwLock` impl above, whose contract is lock_api's; guards are
// `!Send` because glibc must see the unlock on the locking thread.
unsafe impl lock_api::RawRwLock for PthreadRwLock {
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: Self = PthreadRwLock::new();
    type GuardMarker = lock_api::GuardNoSend;
    fn lock_shared(&self) {
        RawRwLock::lock_shared(self)
    }
    fn try_lock_shared(&self) -> bool {
        RawRwLock::try_lock_shared(self)
    }
    unsafe fn unlock_shared(&self) {
        // SAFETY: lock_api's caller contract is ours.
        unsafe { RawRwLock::unlock_shared(self) }
    }
    fn lock_exclusive(&self) {
        RawRwLock::lock_exclusive(self)
    }
    fn try_lock_exclusive(&self) -> bool {
        RawRwLock::try_lock_exclusive(self)
    }
    unsafe fn unlock_exclusive(&self) {
        // SAFETY: lock_api's caller contract is ours.
        unsafe { RawRwLock::unlock_exclusive(self) }
    }
    fn is_locked(&self) -> bool {
        RawRwLock::is_locked(self)
    }
    fn is_locked_exclusive(&self) -> bool {
        RawRwLock::is_locked_exclusive(self)
    }
}

impl Describe for PthreadMutex {
    const ABOUT: About = About::new(
        "pthread-mutex",
        Family::Mutex,
        "glibc pthread_mutex_t, default attributes: the C baseline (futex, no spinning)",
    )
    .from_crate()
    .sleeps();
}

impl Describe for PthreadRwLock {
    const ABOUT: About = About::new(
        "pthread-rwlock",
        Family::Rwlock,
        "glibc pthread_rwlock_t, default attributes: reader-preferring, writers can starve",
    )
    .from_crate()
    .sleeps();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primitives::Exclusive;
    use crate::primitives::rwlock::ReadWrite;
    use std::thread;

    /// `f` run on another thread (so its `try_*` calls are not same-thread re-locks).
    fn elsewhere<T: Send>(f: impl FnOnce() -> T + Send) -> T {
        thread::scope(|s| s.spawn(f).join().unwrap())
    }

    #[test]
    fn mutex_try_lock_fails_while_held() {
        let m = PthreadMutex::new();
        assert!(RawLock::try_lock(&m));
        assert!(!RawLock::try_lock(&m));
        assert!(!elsewhere(|| RawLock::try_lock(&m)));
        // SAFETY: held by this thread.
        unsafe { RawLock::unlock(&m) };
        RawLock::lock(&m);
        assert!(!elsewhere(|| RawLock::try_lock(&m)));
        // SAFETY: held by this thread.
        unsafe { RawLock::unlock(&m) };
        assert!(elsewhere(|| {
            let got = RawLock::try_lock(&m);
            // SAFETY: taken just above, on this thread.
            unsafe { RawLock::unlock(&m) };
            got
        }));
        assert_eq!(m.try_with(&mut (), || 7), Some(7));
    }

    #[test]
    fn lock_api_mutex_counts_exactly_from_four_threads() {
        const PER_THREAD: u64 = 50_000;
        let m = lock_api::Mutex::<PthreadMutex, u64>::new(0);
        thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..PER_THREAD {
                        *m.lock() += 1;
                    }
                });
            }
        });
        assert_eq!(m.into_inner(), 4 * PER_THREAD);
    }

    #[test]
    fn rwlock_readers_share() {
        let l = PthreadRwLock::new();
        l.lock_shared();
        assert!(l.is_locked() && !l.is_locked_exclusive());
        assert!(elsewhere(|| {
            let got = l.try_lock_shared();
            // SAFETY: shared access taken just above, on this thread.
            unsafe { l.unlock_shared() };
            got
        }));
        assert!(!elsewhere(|| l.try_lock_exclusive()));
        // SAFETY: held shared by this thread.
        unsafe { l.unlock_shared() };
        assert!(!l.is_locked());
    }

    #[test]
    fn rwlock_writer_excludes() {
        let l = PthreadRwLock::new();
        l.lock_exclusive();
        assert!(l.is_locked() && l.is_locked_exclusive());
        assert!(!elsewhere(|| l.try_lock_shared()));
        assert!(!elsewhere(|| l.try_lock_exclusive()));
        // SAFETY: held exclusively by this thread.
        unsafe { l.unlock_exclusive() };
        assert!(!l.is_locked());
        assert!(l.try_lock_exclusive());
        // SAFETY: held exclusively by this thread.
        unsafe { l.unlock_exclusive() };
    }

    #[test]
    fn rwlock_writers_count_exactly_under_readers() {
        use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
        const PER_THREAD: u64 = 20_000;
        let l = PthreadRwLock::create();
        // Written non-atomically (load, then store) under the write lock: a lost update
        // means two writers were inside together.
        let n = AtomicU64::new(0);
        thread::scope(|s| {
            for t in 0..4 {
                let (l, n) = (&l, &n);
                s.spawn(move || {
                    for i in 0..PER_THREAD {
                        if (i + t) % 4 == 0 {
                            l.read(|| n.load(Relaxed));
                        }
                        l.write(|| n.store(n.load(Relaxed) + 1, Relaxed));
                    }
                });
            }
        });
        assert_eq!(n.into_inner(), 4 * PER_THREAD);
    }
}
