//! Sleeping locks on the Linux futex: a mutex that never spins, and an adaptive
//! spin-then-park mutex whose spin budget (in nanoseconds) is a type parameter.

use super::RawLock;
use super::spin::hints_for_ns;
use crate::primitives::about::{About, Describe, Family};
use crate::sync::{Futex, Ordering, maybe_const_fn, mutant, spin_hint};

/// The lock is free.
const UNLOCKED: u32 = 0;
/// Held, and no thread is (known to be) asleep waiting for it: unlock needs no syscall.
const LOCKED: u32 = 1;
/// Held, and threads may be asleep on the futex: unlock must wake one.
const CONTENDED: u32 = 2;

/// A mutex that never spins: a waiter goes straight to sleep in the kernel.
///
/// Algorithm: the three-state futex mutex of Drepper's "Futexes Are Tricky" (mutex 2). The
/// uncontended path is one CAS to lock and one swap to unlock, with no syscall. A waiter marks
/// the lock `CONTENDED` and sleeps; the unlocker of a `CONTENDED` lock wakes one sleeper, which
/// re-marks it `CONTENDED` (it cannot know whether others still sleep). The cost of every
/// contended hand-off is therefore a wake syscall plus a wake-up latency — the sleep cost that
/// the break-even analysis weighs against spinning.
#[derive(Debug)]
pub struct FutexMutex {
    /// The state word: [`UNLOCKED`], [`LOCKED`] or [`CONTENDED`].
    state: Futex,
}

impl FutexMutex {
    maybe_const_fn! {
        /// A new, unlocked mutex.
        pub fn new() -> FutexMutex {
            FutexMutex { state: Futex::new(UNLOCKED) }
        }
    }
}

impl Default for FutexMutex {
    fn default() -> Self {
        FutexMutex::new()
    }
}

impl<const SPIN_NS: u32> Default for AdaptiveMutex<SPIN_NS> {
    fn default() -> Self {
        AdaptiveMutex::new()
    }
}

/// The shared slow path: sleep until the lock can be taken, leaving it `CONTENDED`.
#[cold]
fn lock_contended(state: &Futex) {
    // Acquire: pairs with the Release swap in `unlock_and_wake`. Swapping in CONTENDED (not
    // LOCKED) is what guarantees the eventual unlocker wakes a sleeper.
    while state.word().swap(CONTENDED, Ordering::Acquire) != UNLOCKED {
        state.wait(CONTENDED);
        // The broken twin trusts the wake-up and takes the lock without looking again: a
        // spurious or stolen wake-up then lets it in beside the holder.
        if mutant("futex-mutex-no-recheck") {
            return;
        }
    }
}

/// Shared unlock: release, and wake one sleeper if there may be any.
#[inline]
fn unlock_and_wake(state: &Futex) {
    // Release: publishes the critical section to the next Acquire CAS or swap.
    let previous = state.word().swap(UNLOCKED, Ordering::Release);
    debug_assert_ne!(previous, UNLOCKED, "unlock of an unlocked futex mutex");
    // The broken twin forgets to wake the sleeper it promised (a lost wake-up).
    if previous == CONTENDED && !mutant("futex-mutex-skip-wake") {
        state.wake_one();
    }
}

#[inline]
fn try_acquire(state: &Futex) -> bool {
    // Acquire: pairs with the Release swap in `unlock_and_wake`. Relaxed on failure: nothing
    // was acquired.
    state
        .word()
        .compare_exchange(UNLOCKED, LOCKED, Ordering::Acquire, Ordering::Relaxed)
        .is_ok()
}

// SAFETY: the lock is taken only by a CAS or swap from UNLOCKED, which one thread can win;
// those are Acquire and pair with the Release swap in `unlock`.
unsafe impl RawLock for FutexMutex {
    fn new() -> Self {
        FutexMutex::new()
    }

    #[inline]
    fn lock(&self) {
        if !try_acquire(&self.state) {
            lock_contended(&self.state);
        }
    }

    #[inline]
    fn try_lock(&self) -> bool {
        try_acquire(&self.state)
    }

    #[inline]
    unsafe fn unlock(&self) {
        unlock_and_wake(&self.state);
    }
}

/// Default spin budget of [`AdaptiveMutex`], in nanoseconds: about the cost of one futex
/// sleep/wake round trip on a typical x86 server, so that spinning never costs more than the
/// sleep it tries to avoid (the "competitive" two-phase waiting rule).
pub const ADAPTIVE_DEFAULT_SPIN_NS: u32 = 1_000;

/// A spin-then-park mutex: a waiter spins for up to `SPIN_NS` nanoseconds hoping the holder
/// releases soon, then sleeps as in [`FutexMutex`].
///
/// Algorithm: the [`FutexMutex`] state machine plus a bounded spin before sleeping. The spin
/// reads the state with plain loads (no cache-line ping-pong) and stops early if the lock is
/// `CONTENDED`, since a thread is already asleep and the lock will be handed to it next. The
/// budget is in time, calibrated against the spin hint's measured latency, unlike the fixed
/// iteration counts (40–100) hard-coded in glibc and std.
#[derive(Debug)]
pub struct AdaptiveMutex<const SPIN_NS: u32 = ADAPTIVE_DEFAULT_SPIN_NS> {
    /// The state word: [`UNLOCKED`], [`LOCKED`] or [`CONTENDED`].
    state: Futex,
}

impl<const SPIN_NS: u32> AdaptiveMutex<SPIN_NS> {
    maybe_const_fn! {
        /// A new, unlocked mutex.
        pub fn new() -> AdaptiveMutex<SPIN_NS> {
            AdaptiveMutex { state: Futex::new(UNLOCKED) }
        }
    }

    /// The spin budget, in nanoseconds.
    pub const fn spin_ns(&self) -> u32 {
        SPIN_NS
    }

    #[cold]
    fn lock_slow(&self) {
        for _ in 0..hints_for_ns(SPIN_NS) {
            // Relaxed: a hint only; `try_acquire` performs the acquiring CAS.
            match self.state.word().load(Ordering::Relaxed) {
                UNLOCKED if try_acquire(&self.state) => return,
                CONTENDED => break,
                _ => {}
            }
            spin_hint();
        }
        lock_contended(&self.state);
    }
}

// SAFETY: as for FutexMutex: the same state machine, with extra CAS attempts before sleeping.
unsafe impl<const SPIN_NS: u32> RawLock for AdaptiveMutex<SPIN_NS> {
    fn new() -> Self {
        AdaptiveMutex::new()
    }

    #[inline]
    fn lock(&self) {
        if !try_acquire(&self.state) {
            self.lock_slow();
        }
    }

    #[inline]
    fn try_lock(&self) -> bool {
        try_acquire(&self.state)
    }

    #[inline]
    unsafe fn unlock(&self) {
        unlock_and_wake(&self.state);
    }
}

super::impl_raw_mutex!(
    FutexMutex,
    AdaptiveMutex<100>,
    AdaptiveMutex<1_000>,
    AdaptiveMutex<10_000>
);

impl Describe for FutexMutex {
    const ABOUT: About = About::new(
        "futex-mutex",
        Family::Mutex,
        "never spins: 3-state futex mutex (unlocked/locked/contended), sleeps at once",
    )
    .sleeps();
}

impl Describe for AdaptiveMutex<1_000> {
    const ABOUT: About = About::new(
        "adaptive-mutex",
        Family::Mutex,
        "spin up to 1 µs (time-calibrated), then sleep on the futex",
    )
    .sleeps();
}

impl Describe for AdaptiveMutex<100> {
    const ABOUT: About = About::new(
        "adaptive-mutex-100ns",
        Family::Mutex,
        "spin up to 100 ns, then sleep on the futex",
    )
    .sleeps();
}

impl Describe for AdaptiveMutex<10_000> {
    const ABOUT: About = About::new(
        "adaptive-mutex-10us",
        Family::Mutex,
        "spin up to 10 µs, then sleep on the futex",
    )
    .sleeps();
}
