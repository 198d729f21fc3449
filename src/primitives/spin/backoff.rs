//! Waiting strategies for spin loops, as zero-cost type parameters (`Ttas<ExpBackoff>`).
//!
//! Budgets are set in nanoseconds, not iterations: the latency of one spin-loop hint (PAUSE on
//! x86) varies more than tenfold between microarchitectures, so a fixed iteration count means
//! a different wait on every machine. [`ns_per_spin_hint`] is measured once per process.

use crate::sync::spin_hint;

/// What a spinning thread does after a failed attempt.
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

/// Bounded exponential backoff: the wait doubles after each failed attempt, from
/// [`BACKOFF_MIN_NS`] up to [`BACKOFF_MAX_NS`]. Spreading retries out in time keeps waiters
/// from all hitting the lock's cache line at the instant it is released.
#[derive(Debug, Clone, Copy)]
pub struct ExpBackoff {
    wait_ns: u32,
}

impl Default for ExpBackoff {
    fn default() -> Self {
        ExpBackoff {
            wait_ns: BACKOFF_MIN_NS,
        }
    }
}

impl Relax for ExpBackoff {
    #[inline]
    fn relax(&mut self) {
        spin_for_ns(self.wait_ns);
        self.wait_ns = (self.wait_ns * 2).min(BACKOFF_MAX_NS);
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
