//! Test-and-test-and-set (TTAS) spinlock, with a pluggable backoff.

use super::super::RawLock;
use super::backoff::{ExpBackoff, NoBackoff, Relax};
use crate::primitives::about::{About, Describe, Family};
use crate::sync::{AtomicBool, Ordering, maybe_const_fn, spin_hint};
use std::marker::PhantomData;

/// Test-and-test-and-set spinlock; `B` says how a waiter waits between attempts.
///
/// Algorithm: try one atomic test-and-set; if the lock was held, spin on plain loads (which hit
/// the waiter's own shared copy of the cache line and generate no traffic) until it looks
/// free, then try the test-and-set again. The release still triggers a burst: every waiter
/// sees the line change and races to set it. `B` runs after each lost race: [`ExpBackoff`]
/// makes the losers wait (longer after each loss, with jitter) before they poll again, which
/// spreads the next burst out in time.
pub struct Ttas<B: Relax = NoBackoff> {
    /// `false`: unlocked; `true`: held.
    locked: AtomicBool,
    _relax: PhantomData<fn() -> B>,
}

/// TTAS with bounded exponential backoff (waits set in nanoseconds, see [`ExpBackoff`]).
pub type TtasBackoff = Ttas<ExpBackoff>;

impl<B: Relax> std::fmt::Debug for Ttas<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ttas")
            .field("locked", &self.locked)
            .finish()
    }
}

impl<B: Relax> Ttas<B> {
    maybe_const_fn! {
        /// A new, unlocked lock.
        pub fn new() -> Ttas<B> {
            Ttas { locked: AtomicBool::new(false), _relax: PhantomData }
        }
    }

    /// One test-and-set attempt (a CAS, as in [`super::Tas`]).
    #[inline(always)]
    fn try_acquire(&self) -> bool {
        // Acquire: pairs with the Release store in `unlock`. (The broken twin acquires
        // Relaxed.) Relaxed on failure: nothing is acquired.
        let order = if crate::sync::mutant("ttas-relaxed-acquire") {
            Ordering::Relaxed
        } else {
            Ordering::Acquire
        };
        self.locked
            .compare_exchange(false, true, order, Ordering::Relaxed)
            .is_ok()
    }
}

impl<B: Relax> Default for Ttas<B> {
    fn default() -> Self {
        Ttas::new()
    }
}

// SAFETY: only the thread whose CAS turned `false` into `true` returns from `lock`; the
// Acquire CAS synchronizes with the Release store in `unlock`.
unsafe impl<B: Relax> RawLock for Ttas<B> {
    fn new() -> Self {
        Ttas::new()
    }

    #[inline]
    fn lock(&self) {
        if !self.try_acquire() {
            self.lock_slow();
        }
    }

    #[inline]
    fn try_lock(&self) -> bool {
        // Relaxed test first: a held lock costs no write; `try_acquire` does the acquiring.
        !self.locked.load(Ordering::Relaxed) && self.try_acquire()
    }

    #[inline]
    unsafe fn unlock(&self) {
        debug_assert!(
            self.locked.load(Ordering::Relaxed),
            "unlock of an unlocked Ttas"
        );
        // Release: publishes the critical section to the next Acquire CAS in `try_acquire`.
        self.locked.store(false, Ordering::Release);
    }
}

impl<B: Relax> Ttas<B> {
    #[cold]
    fn lock_slow(&self) {
        let mut relax = B::default();
        loop {
            // Relaxed: only a hint that the lock may be free; `try_acquire` acquires.
            while self.locked.load(Ordering::Relaxed) {
                spin_hint();
            }
            if self.try_acquire() {
                return;
            }
            // Lost the race for a lock that looked free: back off before polling again (once
            // per failed attempt, so the backoff grows with the failures, not with the wait).
            relax.relax();
        }
    }
}

super::super::impl_raw_mutex!(Ttas<NoBackoff>, Ttas<ExpBackoff>);

impl Describe for Ttas {
    const ABOUT: About = About::new(
        "spin-ttas",
        Family::Spin,
        "test-and-test-and-set: spin on loads, RMW only when the lock looks free",
    );
}

impl Describe for TtasBackoff {
    const ABOUT: About = About::new(
        "spin-ttas-backoff",
        Family::Spin,
        "TTAS with bounded exponential backoff (25 ns doubling to 1 µs, time-calibrated)",
    );
}
