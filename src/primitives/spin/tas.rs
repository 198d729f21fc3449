//! Test-and-set (TAS) spinlock: every waiter hammers the lock word with atomic read-modify-writes.

use super::super::RawLock;
use crate::primitives::about::{About, Describe, Family};
use crate::sync::{AtomicBool, Ordering, maybe_const_fn, mutant, spin_hint};

/// Test-and-set spinlock.
///
/// Algorithm: `lock` atomically sets the flag (a compare-and-swap from `false` to `true`)
/// until it succeeds. Each attempt is a read-modify-write that pulls the cache line exclusive
/// even when it fails (x86 `lock cmpxchg` always locks the line), so waiters steal the line
/// from each other and from the holder: the textbook example of why spinning scales badly.
#[derive(Debug)]
pub struct Tas {
    /// `false`: unlocked; `true`: held.
    locked: AtomicBool,
}

impl Tas {
    maybe_const_fn! {
        /// A new, unlocked lock.
        pub fn new() -> Tas {
            Tas { locked: AtomicBool::new(false) }
        }
    }

    /// One test-and-set attempt. A CAS rather than a swap: both are one locked RMW on the
    /// line, but a failed CAS writes nothing, which keeps loom's store history bounded.
    #[inline(always)]
    fn try_acquire(&self) -> bool {
        // Acquire: pairs with the Release store in `unlock`. Relaxed on failure: nothing is
        // acquired.
        self.locked
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    }
}

impl Default for Tas {
    fn default() -> Self {
        Tas::new()
    }
}

// SAFETY: only the thread whose CAS turned `false` into `true` returns from `lock`; the
// Acquire CAS synchronizes with the Release store in `unlock`.
unsafe impl RawLock for Tas {
    fn new() -> Self {
        Tas::new()
    }

    #[inline]
    fn lock(&self) {
        while !self.try_acquire() {
            spin_hint();
        }
    }

    #[inline]
    fn try_lock(&self) -> bool {
        self.try_acquire()
    }

    #[inline]
    unsafe fn unlock(&self) {
        debug_assert!(
            self.locked.load(Ordering::Relaxed),
            "unlock of an unlocked Tas"
        );
        // Release: publishes the critical section to the next Acquire CAS in `try_acquire`.
        // (The broken twin stores Relaxed.)
        let order = if mutant("tas-relaxed-unlock") {
            Ordering::Relaxed
        } else {
            Ordering::Release
        };
        self.locked.store(false, order);
    }
}

super::super::impl_raw_mutex!(Tas);

impl Describe for Tas {
    const ABOUT: About = About::new(
        "spin-tas",
        Family::Spin,
        "test-and-set: every attempt is an atomic RMW on the lock line",
    );
}
