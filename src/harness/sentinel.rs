//! The parallelism sentinel: is the machine really running our threads in parallel right
//! now? On a VM the host may time-slice two vCPUs onto one physical core for seconds at a
//! time (steal time barely moves), and a contended lock measured then never moves its cache
//! line between CPUs: the numbers look great and are wrong.
//!
//! The sentinel runs a dependent arithmetic chain pinned on each CPU a point uses, first on
//! each alone, then on all at once. Its figure is the achieved parallel speedup divided by
//! the ideal one: (Σ rate together) / (Σ rate alone). 1.0 means every CPU ran at full speed
//! in parallel; 0.5 on two CPUs means they shared one core's time.

use crate::workload::BusyWork;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

/// Default threshold below which a point is flagged degraded.
pub const DEFAULT_THRESHOLD: f64 = 0.9;
/// How long each leg of the sentinel runs.
pub const LEG: Duration = Duration::from_millis(8);

/// One sentinel reading.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    /// Achieved parallel speedup / ideal, in (0, ~1].
    pub parallel: f64,
    /// Mean single-CPU speed in busy-work units per ns (a frequency or throttling change
    /// shows here).
    pub single_units_per_ns: f64,
}

/// Something that reads the sentinel: the real one, or a fake in tests.
pub trait Sentinel {
    /// Reads it for a point using `cpus` (empty: unpinned, use every allowed CPU).
    fn read(&mut self, cpus: &[usize]) -> Reading;
}

/// The real sentinel.
#[derive(Debug, Clone)]
pub struct Parallelism {
    /// CPUs the process may use (for unpinned points).
    pub allowed: Vec<usize>,
    /// Length of each leg.
    pub leg: Duration,
}

/// Busy-work units per ns achieved by running the chain for about `leg` on this thread.
fn chain_rate(leg: Duration) -> f64 {
    const STEP: u64 = 20_000;
    let start = Instant::now();
    let mut units = 0u64;
    while start.elapsed() < leg {
        BusyWork::burn(STEP);
        units += STEP;
    }
    units as f64 / start.elapsed().as_nanos().max(1) as f64
}

/// Runs `chain_rate` on each of `cpus` at once (pinned; unpinned where `cpus` holds `None`).
fn together(cpus: &[Option<usize>], leg: Duration) -> Vec<f64> {
    let start = Arc::new(Barrier::new(cpus.len()));
    let handles: Vec<_> = cpus
        .iter()
        .map(|&cpu| {
            let start = start.clone();
            std::thread::spawn(move || {
                if let Some(id) = cpu {
                    core_affinity::set_for_current(core_affinity::CoreId { id });
                }
                start.wait();
                chain_rate(leg)
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().unwrap_or(0.0))
        .collect()
}

impl Sentinel for Parallelism {
    fn read(&mut self, cpus: &[usize]) -> Reading {
        let mut set: Vec<Option<usize>> = if cpus.is_empty() {
            vec![None; self.allowed.len().max(1)]
        } else {
            let mut c: Vec<usize> = cpus.to_vec();
            c.sort_unstable();
            c.dedup();
            c.into_iter().map(Some).collect()
        };
        set.truncate(256);
        let alone: Vec<f64> = set
            .iter()
            .map(|&cpu| together(&[cpu], self.leg)[0])
            .collect();
        let both = together(&set, self.leg);
        figure(&alone, &both)
    }
}

/// The sentinel arithmetic: (Σ together) / (Σ alone), and the mean single-CPU rate.
pub fn figure(alone: &[f64], together: &[f64]) -> Reading {
    let sum_alone: f64 = alone.iter().sum();
    let sum_together: f64 = together.iter().sum();
    Reading {
        parallel: if sum_alone > 0.0 {
            sum_together / sum_alone
        } else {
            0.0
        },
        single_units_per_ns: if alone.is_empty() {
            0.0
        } else {
            sum_alone / alone.len() as f64
        },
    }
}

/// Total steal time of the machine so far, in milliseconds (from /proc/stat; 0 if absent).
pub fn steal_ms() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/stat") else {
        return 0.0;
    };
    parse_steal_ms(&stat, clock_ticks_per_s())
}

fn clock_ticks_per_s() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 { t as f64 } else { 100.0 }
}

/// Steal milliseconds from the aggregate `cpu` line of /proc/stat (8th value, in ticks).
pub fn parse_steal_ms(stat: &str, ticks_per_s: f64) -> f64 {
    stat.lines()
        .find(|l| l.starts_with("cpu "))
        .and_then(|l| l.split_whitespace().nth(8))
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(0.0, |ticks| ticks * 1000.0 / ticks_per_s)
}

/// What to do about degraded readings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    /// A reading below this marks the point degraded.
    pub threshold: f64,
    /// Extra attempts for a degraded point.
    pub retries: u32,
    /// Pause before a retry, letting the host settle.
    pub pause: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            threshold: DEFAULT_THRESHOLD,
            retries: 2,
            pause: Duration::from_millis(200),
        }
    }
}

/// The outcome of a guarded measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct Guarded<T> {
    /// The last attempt's result.
    pub value: T,
    /// Sentinel right before the kept attempt.
    pub before: Reading,
    /// Sentinel right after it.
    pub after: Reading,
    /// Attempts made (1 = clean at once).
    pub attempts: u32,
    /// The kept attempt still had a reading below the threshold.
    pub degraded: bool,
}

/// Runs `measure` between two sentinel readings; while either (or a reading `during` finds
/// in the result, taken mid-measurement) is below the threshold and retries remain, pauses
/// and measures again. The last attempt is kept, flagged if it never got a clean window.
/// Errors from `measure` end it at once.
pub fn guard<T, E>(
    sentinel: &mut dyn Sentinel,
    cpus: &[usize],
    policy: &Policy,
    mut pause: impl FnMut(Duration),
    mut measure: impl FnMut() -> Result<T, E>,
    during: impl Fn(&T) -> Option<f64>,
) -> Result<Guarded<T>, E> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let before = sentinel.read(cpus);
        let value = measure()?;
        let after = sentinel.read(cpus);
        let degraded = before.parallel < policy.threshold
            || after.parallel < policy.threshold
            || during(&value).is_some_and(|d| d < policy.threshold);
        if !degraded || attempts > policy.retries {
            return Ok(Guarded {
                value,
                before,
                after,
                attempts,
                degraded,
            });
        }
        pause(policy.pause);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Replays a fixed sequence of readings.
    struct Fake(Vec<f64>, usize);
    impl Sentinel for Fake {
        fn read(&mut self, _: &[usize]) -> Reading {
            let v = self.0[self.1 % self.0.len()];
            self.1 += 1;
            Reading {
                parallel: v,
                single_units_per_ns: 1.0,
            }
        }
    }

    fn run(readings: Vec<f64>) -> (Guarded<u32>, u32) {
        let mut measured = 0;
        let mut pauses = 0;
        let g = guard::<u32, ()>(
            &mut Fake(readings, 0),
            &[0, 1],
            &Policy::default(),
            |_| pauses += 1,
            || {
                measured += 1;
                Ok(measured)
            },
            |_| None,
        )
        .unwrap();
        assert_eq!(pauses, measured - 1);
        (g, measured)
    }

    #[test]
    fn arithmetic() {
        let r = figure(&[1.0, 1.0], &[1.0, 0.98]);
        assert!((r.parallel - 0.99).abs() < 1e-12);
        assert_eq!(r.single_units_per_ns, 1.0);
        // Two vCPUs sharing one core: each runs at half speed together.
        assert!((figure(&[2.0, 2.0], &[1.0, 1.0]).parallel - 0.5).abs() < 1e-12);
        assert_eq!(figure(&[], &[]).parallel, 0.0);
    }

    #[test]
    fn healthy_host_measures_once() {
        let (g, n) = run(vec![0.99]);
        assert_eq!((n, g.attempts, g.degraded, g.value), (1, 1, false, 1));
    }

    #[test]
    fn degraded_host_retries_then_flags() {
        let (g, n) = run(vec![0.5]);
        assert_eq!((n, g.attempts, g.degraded), (3, 3, true));
        assert_eq!(g.value, 3, "the last attempt is kept");
    }

    #[test]
    fn flapping_host_keeps_the_first_clean_window() {
        // before/after pairs: (0.5, 0.99) degraded, then (0.99, 0.98) clean.
        let (g, n) = run(vec![0.5, 0.99, 0.99, 0.98]);
        assert_eq!((n, g.attempts, g.degraded), (2, 2, false));
        assert_eq!((g.before.parallel, g.after.parallel), (0.99, 0.98));
    }

    #[test]
    fn degraded_after_the_point_counts_too() {
        let (g, _) = run(vec![0.99, 0.6, 0.99, 0.99]);
        assert_eq!((g.attempts, g.degraded), (2, false));
    }

    #[test]
    fn steal_parsing() {
        let stat = "cpu  100 0 50 1000 5 0 2 30 0 0\ncpu0 50 0 25 500 2 0 1 15 0 0\n";
        assert_eq!(parse_steal_ms(stat, 100.0), 300.0);
        assert_eq!(parse_steal_ms("intr 1 2\n", 100.0), 0.0);
    }

    /// A reading taken during the measurement counts like the ones around it: a low one
    /// degrades the attempt and it is retried.
    #[test]
    fn a_low_reading_during_the_trial_is_retried() {
        let mut measured = 0;
        let g = guard::<u32, ()>(
            &mut Fake(vec![1.0], 0),
            &[0, 1],
            &Policy::default(),
            |_| {},
            || {
                measured += 1;
                Ok(measured)
            },
            |attempt| Some(if *attempt == 1 { 0.5 } else { 1.0 }),
        )
        .unwrap();
        assert_eq!((g.value, g.attempts, g.degraded), (2, 2, false));
        let g = guard::<u32, ()>(
            &mut Fake(vec![1.0], 0),
            &[0, 1],
            &Policy::default(),
            |_| {},
            || Ok(7),
            |_| Some(0.5),
        )
        .unwrap();
        assert!(g.degraded, "never a clean window");
        assert_eq!(g.attempts, Policy::default().retries + 1);
    }
}
