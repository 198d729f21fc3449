//! Calibrated busy work: how the harness makes a critical section or a think time last a
//! requested number of nanoseconds without a clock read per iteration.
//!
//! A piece of work is a chain of dependent steps between two LFENCEs. One *step* is one
//! multiply-add on the previous step's result, passed through an empty `asm!` block so the
//! optimiser cannot compose steps (an affine chain `x·a + c` folds: eight steps had become
//! one multiply-add with a remainder loop). The opening fence keeps an out-of-order core from
//! running the chain before the lock acquisition in front of it has finished (without it a
//! "100 ns" critical section held the lock for ~54 ns); the closing one keeps what follows
//! the piece (the unlock, the loop's bookkeeping, the next acquisition) from running under
//! the chain, which made a piece add less time than it lasts. The fences have a cost of their
//! own, measured at calibration ([`BusyWork::fence_ns`]) and subtracted from every requested
//! length, so a "20 ns" critical section is fences + chain = 20 ns, not 20 ns + the fences.
//!
//! Calibration runs once per process on a thread pinned to the first CPU a point uses, and
//! keeps the fastest of many short runs (the minimum time is the one no interrupt or
//! preemption lengthened), so two processes agree on the rate.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Busy work calibrated to this CPU.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BusyWork {
    /// Chain steps per nanosecond.
    units_per_ns: f64,
    /// Cost of the two fences (and call) around every piece of work, in nanoseconds.
    fence_ns: f64,
}

impl BusyWork {
    /// Busy work with a known rate and no fence cost (tests, replays).
    pub(crate) fn with_rate(units_per_ns: f64) -> BusyWork {
        BusyWork {
            units_per_ns,
            fence_ns: 0.0,
        }
    }

    /// Measures the chain's rate on the calling thread (the fastest of `runs` timed runs of
    /// about `run_time` each, after one discarded warm-up run), then the fixed cost of a
    /// piece of work (the fastest of `runs` batches of short pieces, minus their steps).
    pub(crate) fn calibrate(run_time: Duration, runs: usize) -> BusyWork {
        // Size a run from a short probe.
        let mut steps = 1_000u64;
        loop {
            let took = time_steps(steps);
            if took >= Duration::from_micros(200) || steps >= 1 << 40 {
                let scale = run_time.as_secs_f64() / took.as_secs_f64().max(1e-9);
                steps = ((steps as f64) * scale).max(1.0) as u64;
                break;
            }
            steps *= 4;
        }
        time_steps(steps);
        let fastest = (0..runs.max(1))
            .map(|_| time_steps(steps))
            .min()
            .unwrap_or_default();
        let units_per_ns = steps as f64 / fastest.as_nanos().max(1) as f64;
        // The fixed cost: pieces of SHORT steps back to back, each behind its fence.
        const SHORT: u64 = 16;
        const PIECES: u32 = 2_000;
        let per_piece = (0..runs.max(1))
            .map(|_| {
                let start = Instant::now();
                for _ in 0..PIECES {
                    black_box(BusyWork::burn(1 + SHORT));
                }
                start.elapsed()
            })
            .min()
            .unwrap_or_default()
            .as_nanos() as f64
            / f64::from(PIECES);
        BusyWork {
            units_per_ns,
            fence_ns: (per_piece - SHORT as f64 / units_per_ns).max(0.0),
        }
    }

    /// The calibrated rate, in chain steps per nanosecond.
    pub fn units_per_ns(&self) -> f64 {
        self.units_per_ns
    }

    /// The measured fixed cost of one piece of work (its fence), in nanoseconds.
    pub fn fence_ns(&self) -> f64 {
        self.fence_ns
    }

    /// The shortest length this busy work can add, in whole nanoseconds: any piece of work
    /// costs its fence, so a shorter request would run longer than it says. Lengths between 0
    /// and this are refused ([`BusyWork::check_length`]); from it on a piece is the fence plus
    /// the steps the rest holds. The fence's cost with a 10% margin, rounded up: a sweep checks
    /// lengths against the start-up calibration and recalibrates per configuration, and a
    /// calibration more than 10% off is a disturbance
    /// ([`crate::harness::CALIBRATION_TOLERANCE`]).
    pub fn floor_ns(&self) -> u64 {
        ((self.fence_ns * 1.1).ceil() as u64).max(1)
    }

    /// Whether `ns` can be made on this machine: 0 (no work) or at least [`BusyWork::floor_ns`].
    /// The error names the floor and what sets it; `what` names the option.
    pub fn check_length(&self, what: &str, ns: u64) -> Result<(), String> {
        if ns == 0 || ns >= self.floor_ns() {
            return Ok(());
        }
        Err(format!(
            "{what} {ns}ns is shorter than the busy work can make on this machine: its floor is {floor} ns (the two fences around a piece of work take {fence:.1} ns alone); use 0 or at least {floor}ns",
            floor = self.floor_ns(),
            fence = self.fence_ns
        ))
    }

    /// The work argument of [`BusyWork::burn`] that takes `ns` nanoseconds: 0 for 0 (no work,
    /// no fence), else the fence plus as many steps as the rest of `ns` holds. A length
    /// shorter than the fence gets the fence alone, so it lasts [`BusyWork::fence_ns`].
    pub fn units_for_ns(&self, ns: u64) -> u64 {
        if ns == 0 {
            return 0;
        }
        let steps = ((ns as f64 - self.fence_ns).max(0.0) * self.units_per_ns).round() as u64;
        1 + steps
    }

    /// The length `units_for_ns` aims at for `units` (the inverse, for reporting).
    pub fn ns_for_units(&self, units: u64) -> f64 {
        if units == 0 {
            0.0
        } else {
            self.fence_ns + (units - 1) as f64 / self.units_per_ns
        }
    }

    /// Runs `work` units: nothing for 0; otherwise a fence, `work − 1` dependent chain steps
    /// and a fence. Returns the chain's value so the optimiser cannot delete it.
    #[inline(always)]
    pub fn burn(work: u64) -> u64 {
        if work == 0 {
            return 0;
        }
        serialize();
        let mut x = black_box(0x9E37_79B9_7F4A_7C15u64);
        for _ in 1..work {
            x = opaque(
                x.wrapping_mul(0x5851_F42D_4C95_7F2D)
                    .wrapping_add(0x1405_7B7E_F767_814F),
            );
        }
        // Nothing after the piece starts before its chain ends: the instructions that follow
        // (the unlock, the loop's bookkeeping, the next acquisition) would otherwise run under
        // the chain and hide part of it, so the piece would add less than its length.
        serialize();
        black_box(x)
    }
}

/// `x`, through an empty `asm!` block: the compiler must assume the value changed, so it
/// cannot compose two chain steps into one, yet no instruction or memory access is added.
#[inline(always)]
fn opaque(mut x: u64) -> u64 {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    // SAFETY: the template is empty: it reads and writes only the register holding `x`,
    // touches no memory and no stack, and leaves the flags alone.
    unsafe {
        std::arch::asm!("/* {0} */", inout(reg) x, options(nomem, nostack, preserves_flags));
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        x = black_box(x);
    }
    x
}

/// Waits until every earlier instruction has completed before any later one starts.
#[inline(always)]
pub(crate) fn serialize() {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: LFENCE needs SSE2, which every x86_64 CPU has (it is in the x86_64 baseline
    // target); the instruction has no operands and no memory effects.
    unsafe {
        std::arch::x86_64::_mm_lfence()
    };
    #[cfg(not(target_arch = "x86_64"))]
    std::sync::atomic::compiler_fence(std::sync::atomic::Ordering::SeqCst);
}

fn time_steps(steps: u64) -> Duration {
    let start = Instant::now();
    BusyWork::burn(1 + steps);
    start.elapsed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_cover_the_fence_then_the_chain() {
        let w = BusyWork::with_rate(0.5);
        assert_eq!(w.units_for_ns(0), 0);
        assert_eq!(w.units_for_ns(1_000), 501);
        assert_eq!(w.units_for_ns(3), 3);
        let fenced = BusyWork {
            units_per_ns: 2.0,
            fence_ns: 10.0,
        };
        assert_eq!(
            fenced.units_for_ns(5),
            1,
            "shorter than the fence: the fence alone"
        );
        assert_eq!(fenced.units_for_ns(20), 21);
        assert_eq!(fenced.ns_for_units(21), 20.0);
        assert_eq!(fenced.ns_for_units(0), 0.0);
    }

    /// Calibration gives a rate, and more work takes longer. How *accurately* the calibrated
    /// work hits a requested length is a measured figure, not a unit test (the machine is
    /// shared): `lockbench probe` prints it and every sweep's meta.json records it.
    #[test]
    fn calibration_gives_a_usable_rate() {
        let work = BusyWork::calibrate(Duration::from_millis(1), 3);
        assert!(work.units_per_ns().is_finite() && work.units_per_ns() > 0.0);
        assert!(work.fence_ns().is_finite() && work.fence_ns() >= 0.0);
        assert!(work.units_for_ns(1_000_000) > work.units_for_ns(1_000));
    }
}

/// SplitMix64: a tiny, fast, seedable generator for per-thread operation mixes and keys.
/// Each thread seeds its own from the run's seed and its index, so runs are reproducible.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator for thread `thread` of a run seeded with `seed`.
    pub(crate) fn for_thread(seed: u64, thread: usize) -> Rng {
        Rng(seed ^ (thread as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    /// The next 64 random bits.
    #[inline(always)]
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform value in `0..n` (n > 0), by multiply-shift (no division).
    #[inline(always)]
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
}

/// Decides "is this op a read?" with probability `ratio`, one comparison per op.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Coin {
    threshold: u64,
    always: bool,
}

impl Coin {
    /// A coin that comes up `true` with probability `ratio` (clamped to [0, 1]).
    pub fn new(ratio: f64) -> Coin {
        let r = ratio.clamp(0.0, 1.0);
        Coin {
            threshold: (r * u64::MAX as f64) as u64,
            always: r >= 1.0,
        }
    }

    /// One toss.
    #[inline(always)]
    pub(crate) fn toss(&self, rng: &mut Rng) -> bool {
        self.always || rng.next_u64() < self.threshold
    }
}

/// Keys for striped workloads: uniform over `0..n`, or Zipf-like with exponent `skew`
/// (key k drawn with probability ∝ 1/(k+1)^skew), by inverse-CDF lookup in a table built
/// once before the measured loop.
#[derive(Debug, Clone)]
pub(crate) struct Keys {
    n: u64,
    /// Cumulative probabilities scaled to u64, empty for uniform.
    cdf: Vec<u64>,
}

impl Keys {
    /// A key distribution over `0..n` (n ≥ 1); `skew` 0 is uniform.
    pub fn new(n: u64, skew: f64) -> Keys {
        let n = n.max(1);
        if skew <= 0.0 {
            return Keys { n, cdf: Vec::new() };
        }
        let weights: Vec<f64> = (0..n).map(|k| 1.0 / ((k + 1) as f64).powf(skew)).collect();
        let total: f64 = weights.iter().sum();
        let mut acc = 0.0;
        let cdf = weights
            .iter()
            .map(|w| {
                acc += w / total;
                (acc.min(1.0) * u64::MAX as f64) as u64
            })
            .collect();
        Keys { n, cdf }
    }

    /// Draws one key.
    #[inline(always)]
    pub fn draw(&self, rng: &mut Rng) -> u64 {
        if self.cdf.is_empty() {
            return rng.below(self.n);
        }
        let x = rng.next_u64();
        (self.cdf.partition_point(|&c| c < x) as u64).min(self.n - 1)
    }
}

#[cfg(test)]
mod rng_tests {
    use super::*;

    #[test]
    fn coin_frequencies() {
        let mut rng = Rng::for_thread(42, 0);
        let heads = |c: Coin, rng: &mut Rng| (0..100_000).filter(|_| c.toss(rng)).count();
        assert_eq!(heads(Coin::new(0.0), &mut rng), 0);
        assert_eq!(heads(Coin::new(1.0), &mut rng), 100_000);
        let h = heads(Coin::new(0.9), &mut rng);
        assert!((89_000..91_000).contains(&h), "{h}");
    }

    #[test]
    fn threads_get_different_streams() {
        let a: Vec<u64> = (0..4).map(|_| Rng::for_thread(1, 0).next_u64()).collect();
        assert!(
            a.windows(2).all(|w| w[0] == w[1]),
            "same thread, same seed: same stream"
        );
        assert_ne!(
            Rng::for_thread(1, 0).next_u64(),
            Rng::for_thread(1, 1).next_u64()
        );
    }

    #[test]
    fn uniform_and_skewed_keys() {
        let mut rng = Rng::for_thread(7, 3);
        let count = |keys: &Keys, rng: &mut Rng| {
            let mut c = [0u32; 8];
            for _ in 0..80_000 {
                c[keys.draw(rng) as usize] += 1;
            }
            c
        };
        let u = count(&Keys::new(8, 0.0), &mut rng);
        assert!(u.iter().all(|&c| (9_000..11_000).contains(&c)), "{u:?}");
        let z = count(&Keys::new(8, 1.0), &mut rng);
        assert!(z[0] > 2 * z[1] - 2_000 && z[1] > z[7] * 3, "{z:?}");
        assert!(
            z.windows(2).all(|w| w[0] >= w[1]),
            "Zipf counts must fall with rank: {z:?}"
        );
    }
}
