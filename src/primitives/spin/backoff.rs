//! Waiting strategies for spin loops, as zero-cost type parameters (`Ttas<ExpBackoff>`).
//!
//! Budgets are set in nanoseconds, not iterations: the latency of one spin-loop hint (PAUSE on
//! x86) varies more than tenfold between microarchitectures, so a fixed iteration count means
//! a different wait on every machine. [`ns_per_spin_hint`] is measured once per process.

use crate::sync::spin_hint;

/// What a spinning thread does after a failed attempt (a lost CAS or test-and-set), once per
/// failure; a waiter polling a lock word until it looks free spins on [`spin_hint`] between
/// polls instead. A new instance per wait episode (`Relax::default()`).
pub trait Relax: Default {
    /// Waits a little before the next attempt.
    fn relax(&mut self);
}

/// One spin-loop hint per failed attempt, no growth.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoBackoff;

impl Relax for NoBackoff {
    #[inline(always)]
    fn relax(&mut self) {
        spin_hint();
    }
}

/// First backoff wait, in nanoseconds.
pub const BACKOFF_MIN_NS: u32 = 25;
/// Backoff wait cap, in nanoseconds: waits stop doubling here, so a waiter never sleeps
/// through more than about this long after the lock is freed.
pub const BACKOFF_MAX_NS: u32 = 1_000;

/// Bounded exponential backoff with jitter, one wait per failed attempt (the caller polls
/// between attempts without calling [`Relax::relax`]).
///
/// The wait's upper bound starts at [`BACKOFF_MIN_NS`] and doubles after each failed attempt,
/// up to [`BACKOFF_MAX_NS`]; each wait is drawn uniformly from the upper half of the bound
/// ("equal jitter"). Spreading retries out in time keeps waiters from all hitting the lock's
/// cache line at the instant it is released, and the jitter keeps waiters that failed
/// together from retrying together again. The random numbers come from a per-instance
/// xorshift generator seeded from the instance's address (waiters live on different stacks),
/// so a wait costs no allocation, syscall or shared state.
#[derive(Debug, Clone, Copy)]
pub struct ExpBackoff {
    /// Upper bound of the next wait, in nanoseconds.
    limit_ns: u32,
    /// xorshift32 state; 0 until the first `relax` seeds it.
    rng: u32,
}

impl Default for ExpBackoff {
    fn default() -> Self {
        ExpBackoff {
            limit_ns: BACKOFF_MIN_NS,
            rng: 0,
        }
    }
}

impl ExpBackoff {
    /// The next pseudo-random number (xorshift32, never 0 once seeded).
    #[inline]
    fn next_random(&mut self) -> u32 {
        if self.rng == 0 {
            // Seeded lazily, where `self` has its final address: the splitmix64 finaliser
            // spreads the address bits that differ between threads' stacks over the result.
            let mut z =
                (std::ptr::from_mut(self) as usize as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            self.rng = (z as u32) | 1;
        }
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.rng = x;
        x
    }
}

impl Relax for ExpBackoff {
    #[inline]
    fn relax(&mut self) {
        let half = self.limit_ns / 2;
        // Uniform in [limit - half, limit], by multiply-shift rather than a division.
        let span = u64::from(self.limit_ns - half + 1);
        let jitter = ((u64::from(self.next_random()) * span) >> 32) as u32;
        spin_for_ns(half + jitter);
        self.limit_ns = (self.limit_ns * 2).min(BACKOFF_MAX_NS);
    }
}

/// Spins for about `ns` nanoseconds, using the calibrated cost of a spin hint.
#[inline]
fn spin_for_ns(ns: u32) {
    for _ in 0..hints_for_ns(ns) {
        spin_hint();
    }
}

/// How many spin hints take about `ns` nanoseconds on this CPU (at least one).
#[inline]
pub(crate) fn hints_for_ns(ns: u32) -> u32 {
    #[cfg(loom)]
    {
        // Under loom every hint is a yield: keep the state space small.
        let _ = ns;
        1
    }
    #[cfg(not(loom))]
    {
        ((f64::from(ns) / ns_per_spin_hint()) as u32).max(1)
    }
}

/// Measured latency of one spin-loop hint on this CPU, in nanoseconds (cached per process).
#[cfg(not(loom))]
pub fn ns_per_spin_hint() -> f64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static NS: OnceLock<f64> = OnceLock::new();
    *NS.get_or_init(|| {
        const HINTS: u32 = 20_000;
        // Median of several short runs, so one preemption does not skew the figure.
        let mut runs: Vec<f64> = (0..9)
            .map(|_| {
                let t = Instant::now();
                for _ in 0..HINTS {
                    core::hint::spin_loop();
                }
                t.elapsed().as_nanos() as f64 / f64::from(HINTS)
            })
            .collect();
        runs.sort_by(f64::total_cmp);
        runs[runs.len() / 2].max(0.1)
    })
}

/// Under loom a hint is a yield; report a nominal figure.
#[cfg(loom)]
pub fn ns_per_spin_hint() -> f64 {
    1.0
}
