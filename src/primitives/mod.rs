//! Everything lockbench measures, one file (or folder) per family.
//!
//! Two small traits carry the algorithms:
//! - [`RawLock`]: a hand-written mutual-exclusion lock with `lock` / `try_lock` / `unlock`.
//!   Outside loom every `RawLock` also implements [`lock_api::RawMutex`], so it can be used in
//!   real code as `lock_api::Mutex<R, T>`.
//! - [`Exclusive`]: the harness's view of any mutual-exclusion primitive — run a closure while
//!   holding it. Every `RawLock` is `Exclusive`; so are the MCS lock (which needs a per-thread
//!   queue node) and baselines such as `std::sync::Mutex` that only lock through a guard.
//!
//! Lock-free counters have their own trait, [`counter::Counter`].

pub mod about;
pub mod classic;
pub mod counter;
pub mod futex;
pub mod rwlock;
pub mod spin;
pub mod striped;

#[cfg(not(loom))]
pub mod external;
#[cfg(not(loom))]
pub mod pthread;

/// A raw mutual-exclusion lock: the algorithm, without the data it protects.
///
/// # Safety
/// Implementors guarantee mutual exclusion: after `lock` returns or `try_lock` returns `true`,
/// no other `lock`/`try_lock` succeeds until the matching `unlock`. Acquiring must be an
/// Acquire operation that synchronizes with the Release in the previous holder's `unlock`, so
/// that writes made under the lock are visible to the next holder.
pub unsafe trait RawLock: Send + Sync {
    /// A new, unlocked lock.
    fn new() -> Self;
    /// Blocks (spinning or sleeping, per the algorithm) until the lock is held.
    fn lock(&self);
    /// Takes the lock if it is free right now; never waits.
    fn try_lock(&self) -> bool;
    /// Releases the lock.
    ///
    /// # Safety
    /// The lock must be held, acquired by `lock` or a successful `try_lock` *on the calling
    /// thread* and not yet released. Implementations may rely on the thread: glibc's
    /// `pthread_rwlock_unlock` tells a write unlock from a read unlock by the caller's thread
    /// id (see [`pthread`]). The hand-written locks do not, and their `lock_api` impls say so
    /// with `GuardSend`.
    unsafe fn unlock(&self);
}

/// Implements [`lock_api::RawMutex`] for `RawLock` types that have a `const fn new()`.
macro_rules! impl_raw_mutex {
    ($($ty:ty),* $(,)?) => {$(
        #[cfg(not(loom))]
        // SAFETY: forwards to the `RawLock` implementation, whose contract is the same
        // mutual-exclusion and Acquire/Release guarantee that `lock_api::RawMutex` requires.
        unsafe impl lock_api::RawMutex for $ty {
            #[allow(clippy::declare_interior_mutable_const)]
            const INIT: Self = <$ty>::new();
            type GuardMarker = lock_api::GuardSend;
            #[inline]
            fn lock(&self) {
                <$ty as $crate::primitives::RawLock>::lock(self)
            }
            #[inline]
            fn try_lock(&self) -> bool {
                <$ty as $crate::primitives::RawLock>::try_lock(self)
            }
            #[inline]
            unsafe fn unlock(&self) {
                // SAFETY: lock_api's caller contract (the lock is held) is ours.
                unsafe { <$ty as $crate::primitives::RawLock>::unlock(self) }
            }
        }
    )*};
}
pub(crate) use impl_raw_mutex;

/// What the harness drives: one exclusive section at a time.
///
/// The closure form fits every lock: raw locks, queue locks that need a node, and baselines
/// that only unlock by dropping a guard. Each implementation is monomorphised into the
/// harness loop, so there is no dynamic dispatch in the measured path.
pub trait Exclusive: Send + Sync + 'static {
    /// Per-thread state the lock needs while held (an MCS queue node); `()` for most locks.
    /// The harness keeps one per thread, cache-padded, and reuses it for every acquisition.
    type Node: Default + Send;
    /// A new, unlocked instance.
    fn create() -> Self;
    /// Runs `f` while holding the lock.
    fn with<T>(&self, node: &mut Self::Node, f: impl FnOnce() -> T) -> T;
    /// Runs `f` if the lock can be taken without waiting.
    fn try_with<T>(&self, node: &mut Self::Node, f: impl FnOnce() -> T) -> Option<T>;
}

/// Releases a [`RawLock`] when dropped, so a panicking critical section cannot leave it held.
struct RawGuard<'a, R: RawLock>(&'a R);

impl<R: RawLock> Drop for RawGuard<'_, R> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: a RawGuard is only built right after the lock was acquired by this context.
        unsafe { self.0.unlock() }
    }
}

impl<R: RawLock + 'static> Exclusive for R {
    type Node = ();
    fn create() -> Self {
        R::new()
    }
    #[inline(always)]
    fn with<T>(&self, _node: &mut (), f: impl FnOnce() -> T) -> T {
        self.lock();
        let _guard = RawGuard(self);
        f()
    }
    #[inline(always)]
    fn try_with<T>(&self, _node: &mut (), f: impl FnOnce() -> T) -> Option<T> {
        if self.try_lock() {
            let _guard = RawGuard(self);
            Some(f())
        } else {
            None
        }
    }
}
