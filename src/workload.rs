//! Calibrated busy work: how the harness makes a critical section or a think time last a
//! requested number of nanoseconds without a clock read per iteration.
//!
//! One unit is one step of a dependent multiply-add chain (so it cannot be vectorised,
//! hoisted or overlapped), a few cycles on any current core. Units per nanosecond are measured
//! once per process against the clock and recorded, so a run on a throttled core shows up as
//! a different calibration rather than silently longer critical sections.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Busy work calibrated to this CPU.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BusyWork {
    units_per_ns: f64,
}

impl BusyWork {
    /// Busy work with a known rate (tests, replays).
    pub fn with_rate(units_per_ns: f64) -> BusyWork {
        BusyWork { units_per_ns }
    }

    /// Measures units per nanosecond on the calling thread: the median of `runs` timed runs,
    /// each about `run_time` long, after one discarded warm-up run.
    pub fn calibrate(run_time: Duration, runs: usize) -> BusyWork {
        // Size a run from a short probe.
        let mut units = 1_000u64;
        loop {
            let took = time_units(units);
            if took >= Duration::from_micros(200) || units >= 1 << 40 {
                let scale = run_time.as_secs_f64() / took.as_secs_f64().max(1e-9);
                units = ((units as f64) * scale).max(1.0) as u64;
                break;
            }
            units *= 4;
        }
        time_units(units);
        let mut rates: Vec<f64> = (0..runs.max(1))
            .map(|_| units as f64 / time_units(units).as_nanos().max(1) as f64)
            .collect();
        rates.sort_by(f64::total_cmp);
        BusyWork {
            units_per_ns: rates[rates.len() / 2],
        }
    }

    /// The calibrated rate, in units per nanosecond.
    pub fn units_per_ns(&self) -> f64 {
        self.units_per_ns
    }

    /// How many units take `ns` nanoseconds.
    pub fn units_for_ns(&self, ns: u64) -> u64 {
        (ns as f64 * self.units_per_ns).round() as u64
    }

    /// Spins for `units` units of work. Returns a value the caller may ignore; it exists so
    /// the optimiser cannot delete the loop.
    #[inline(always)]
    pub fn burn(units: u64) -> u64 {
        let mut x = black_box(0x9E37_79B9_7F4A_7C15u64);
        for _ in 0..units {
            x = x
                .wrapping_mul(0x5851_F42D_4C95_7F2D)
                .wrapping_add(0x1405_7B7E_F767_814F);
        }
        black_box(x)
    }
}

fn time_units(units: u64) -> Duration {
    let start = Instant::now();
    BusyWork::burn(units);
    start.elapsed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_scale_linearly_with_ns() {
        let w = BusyWork::with_rate(0.5);
        assert_eq!(w.units_for_ns(0), 0);
        assert_eq!(w.units_for_ns(1_000), 500);
        assert_eq!(w.units_for_ns(3), 2);
    }

    /// The acceptance check: calibrated work lands within 20% of the requested time.
    /// The machine is shared, so each requested length is judged by the median of many runs.
    #[test]
    fn calibrated_work_is_within_20_percent_of_request() {
        let work = BusyWork::calibrate(Duration::from_millis(2), 7);
        assert!(work.units_per_ns() > 0.0);
        for ns in [20_000u64, 200_000, 2_000_000] {
            let units = work.units_for_ns(ns);
            let mut took: Vec<u128> = (0..15).map(|_| time_units(units).as_nanos()).collect();
            took.sort_unstable();
            let median = took[took.len() / 2] as f64;
            let error = (median - ns as f64).abs() / ns as f64;
            assert!(
                error < 0.2,
                "requested {ns} ns, median {median} ns ({:.0}% off)",
                error * 100.0
            );
        }
    }
}
