//! The parallelism sentinel: is the machine really running our threads in parallel right
//! now? On a VM the host may time-slice two vCPUs onto one physical core for seconds at a
//! time (steal time barely moves), and a contended lock measured then never moves its cache
//! line between CPUs: the numbers look great and are wrong.
//!
//! The sentinel runs a dependent arithmetic chain pinned on each CPU a point uses, on all at
//! once and on each alone (a sweep may keep the alone legs of a clean reading for the next
//! second: [`Parallelism::keeping_alone_legs`]). Its figure is the achieved parallel speed of
//! the *worst* CPU: min over CPUs of (rate together / rate alone). 1.0 means every CPU ran at
//! full speed in parallel; 0.5 means one of them shared its core's time (a sum over N CPUs
//! would move by only 1/(2N) then). Above 1 is impossible for a quiet machine: the alone leg was
//! disturbed, so such a reading counts as disturbed too.
//!
//! A busy process pinned on one of the trial's CPUs slows the alone and together legs alike,
//! so the ratio cannot see it; the alone rate compared with the process's calibration can
//! (`slow-cpu`). The trial's own data gives the other signals ([`Signal`]).

use crate::harness::clock::Clock;
pub use crate::rules::{
    DEFAULT_THRESHOLD, LAYOUT_FACTOR, Policy, RUNQ_LIMIT, Reading, STEAL_MIN_TICKS, Signal,
    TrialConditions, on_layout, sentinel_signals, trial_signals,
};
use crate::workload::BusyWork;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

/// Round trips timed together in one core-to-core sample: two clock reads per batch, so the
/// clock's cost (~10–20 ns per fenced read) is amortised to nothing.
pub const CORE_TO_CORE_BATCH: u64 = 1_000;

/// Core-to-core one-way latency from `a` to `b`: a flag on one cache line that the two
/// threads flip with compare-and-swap in turn (the protocol of `core-to-core-latency`'s CAS
/// benchmark), timed in batches of [`CORE_TO_CORE_BATCH`] round trips; the median batch's
/// mean round trip, halved. `samples` batches after one discarded batch.
pub fn core_to_core_ns(clock: &Clock, a: usize, b: usize, samples: u64) -> f64 {
    const PING: bool = false;
    const PONG: bool = true;
    let pin = |cpu: usize| core_affinity::set_for_current(core_affinity::CoreId { id: cpu });
    let flag = crossbeam_utils::CachePadded::new(AtomicBool::new(PING));
    let start = Barrier::new(2);
    let samples = samples.max(3);
    let total = (samples + 1) * CORE_TO_CORE_BATCH;
    // Both sides on threads of their own, so the caller's affinity is never changed (threads
    // it spawns later inherit it).
    let per_trip = std::thread::scope(|s| {
        s.spawn(|| {
            pin(b);
            start.wait();
            for _ in 0..total {
                // Relaxed: only the line's movement is measured, no data is published.
                while flag
                    .compare_exchange(PING, PONG, Ordering::Relaxed, Ordering::Relaxed)
                    .is_err()
                {}
            }
        });
        s.spawn(|| {
            pin(a);
            start.wait();
            let mut per_trip = Vec::with_capacity(samples as usize + 1);
            for _ in 0..=samples {
                let t = clock.raw();
                for _ in 0..CORE_TO_CORE_BATCH {
                    // Relaxed: as above.
                    while flag
                        .compare_exchange(PONG, PING, Ordering::Relaxed, Ordering::Relaxed)
                        .is_err()
                    {}
                }
                per_trip.push(clock.delta_ns(t, clock.raw()) as f64 / CORE_TO_CORE_BATCH as f64);
            }
            per_trip
        })
        .join()
        .expect("core-to-core thread")
    });
    // The first batch warms the line and the pair up; the median of the rest, halved.
    let mut rest = per_trip[1..].to_vec();
    rest.sort_by(f64::total_cmp);
    rest[rest.len() / 2] / 2.0
}

/// Core-to-core batches in each distance reading the sentinel takes before and after a
/// guarded trial (`core_to_core_before_ns`, `core_to_core_ns`): 5 of [`CORE_TO_CORE_BATCH`]
/// round trips, well under a millisecond. On a VM the host may move a vCPU to a core farther
/// away (another CCX, another socket) or onto an SMT sibling; a contended point's throughput
/// then changes while every CPU still runs at full speed, and these readings show it
/// ([`on_layout`]).
pub(crate) const CORE_TO_CORE_TRIAL_BATCHES: u64 = 5;

/// How long each leg of the sentinel runs.
pub const LEG: Duration = Duration::from_millis(8);

/// How long a clean reading's alone legs may serve later readings on the same CPUs
/// ([`Parallelism::keeping_alone_legs`]): a second, a few trials of a sweep.
pub const ALONE_FRESH: Duration = Duration::from_secs(1);

/// How far a CPU's together ÷ alone ratio may move from the one read with the kept alone
/// legs before they are read again: 3%, a third of the 10% that flags a trial, so a CPU
/// that slowed or sped up since is read alone again before any judgement.
pub const ALONE_DRIFT: f64 = 0.03;

/// Something that reads the sentinel: the real one, or a fake in tests.
pub trait Sentinel {
    /// Reads it for a point using `cpus` (empty: unpinned, so the legs run pinned on every
    /// allowed CPU, where the trial's threads may run).
    fn read(&mut self, cpus: &[usize]) -> Reading;

    /// Reads it for a trial of `threads` threads on `cpus`; unpinned (`cpus` empty) the
    /// scheduler may put them on any allowed CPU, so the reading judges the `threads` CPUs
    /// that ran best (a busy CPU the threads need not use is no disturbance of theirs).
    fn read_for(&mut self, cpus: &[usize], threads: usize) -> Reading {
        let _ = threads;
        self.read(cpus)
    }

    /// The next reading is taken whole, nothing kept from earlier ones ([`guard`] asks before
    /// a retry's readings).
    fn refresh(&mut self) {}
}

/// The real sentinel.
#[derive(Debug, Clone)]
pub struct Parallelism {
    /// CPUs the process may use (for unpinned points).
    pub allowed: Vec<usize>,
    /// Length of each leg.
    pub leg: Duration,
    /// The clock for distance readings, when this sentinel takes them
    /// ([`Self::with_distances`]).
    distances: Option<Clock>,
    /// The last clean reading's alone legs: on which CPUs, when, each CPU's rate alone and its
    /// together ÷ alone ratio then.
    alone: Option<Alone>,
    /// Keep alone legs of readings this policy finds clean ([`Self::keeping_alone_legs`]).
    keep: Option<Policy>,
}

/// Alone legs kept for later readings ([`Parallelism::read`]).
#[derive(Debug, Clone)]
struct Alone {
    set: Vec<Option<usize>>,
    at: Instant,
    rates: Vec<f64>,
    ratios: Vec<f64>,
}

/// Whether alone `rates` read `age` ago, with together ÷ alone `ratios` then, still serve a
/// together leg that read `together` now: younger than [`ALONE_FRESH`], and no CPU's ratio
/// moved by more than [`ALONE_DRIFT`].
pub(crate) fn alone_still_serves(
    rates: &[f64],
    ratios: &[f64],
    together: &[f64],
    age: Duration,
) -> bool {
    age <= ALONE_FRESH
        && rates.len() == together.len()
        && ratios.len() == together.len()
        && rates
            .iter()
            .zip(ratios)
            .zip(together)
            .all(|((&a, &r), &t)| a > 0.0 && r > 0.0 && ((t / a) / r - 1.0).abs() <= ALONE_DRIFT)
}

impl Parallelism {
    /// A sentinel over `allowed` CPUs with legs of `leg` that reads parallelism only.
    pub fn new(allowed: Vec<usize>, leg: Duration) -> Self {
        Parallelism {
            allowed,
            leg,
            distances: None,
            alone: None,
            keep: None,
        }
    }

    /// Lets a reading use the alone legs of an earlier one on the same CPUs (for sweeps,
    /// whose trials follow each other within milliseconds): only when that reading was clean
    /// by `policy`, younger than [`ALONE_FRESH`], every CPU's together ÷ alone ratio has
    /// moved by at most [`ALONE_DRIFT`], and the new reading is clean with them too. Any
    /// reading that would raise a signal is taken whole before it is returned, and so is each
    /// reading after [`Sentinel::refresh`].
    pub fn keeping_alone_legs(mut self, policy: Policy) -> Self {
        self.keep = Some(policy);
        self
    }

    /// Also reads the distance between a pinned reading's first two CPUs
    /// ([`Reading::core_to_core_ns`]).
    pub fn with_distances(mut self, clock: Clock) -> Self {
        self.distances = Some(clock);
        self
    }
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
    fn refresh(&mut self) {
        self.alone = None;
    }

    fn read_for(&mut self, cpus: &[usize], threads: usize) -> Reading {
        if !cpus.is_empty() || self.allowed.len() <= threads.max(1) {
            return self.read(cpus);
        }
        let (alone, both) = self.legs(&self.allowed.clone());
        // The `threads` CPUs whose together ÷ alone ratio is best.
        let ratio = ratios(&alone, &both);
        let mut order: Vec<usize> = (0..alone.len()).collect();
        order.sort_by(|&a, &b| ratio[b].total_cmp(&ratio[a]));
        order.truncate(threads.max(1));
        let pick = |v: &[f64]| order.iter().map(|&i| v[i]).collect::<Vec<f64>>();
        figure(&pick(&alone), &pick(&both), true)
    }

    fn read(&mut self, cpus: &[usize]) -> Reading {
        // An unpinned trial's threads may run on any allowed CPU: the legs are pinned on those
        // CPUs, so the reading says whether they could all run in parallel. (Unpinned legs
        // measured where the scheduler put the sentinel's own threads: two on one CPU for
        // part of a leg read as low parallelism on a quiet host.)
        let chosen = if cpus.is_empty() {
            self.allowed.clone()
        } else {
            cpus.to_vec()
        };
        let (alone, both) = self.legs(&chosen);
        let mut reading = figure(&alone, &both, !chosen.is_empty());
        if let (Some(clock), [a, b, ..]) = (&self.distances, cpus)
            && a != b
        {
            reading.core_to_core_ns =
                Some(core_to_core_ns(clock, *a, *b, CORE_TO_CORE_TRIAL_BATCHES));
        }
        reading
    }
}

impl Parallelism {
    /// All CPUs of `cpus` together, and each alone (per-CPU rates, in `cpus`' sorted order);
    /// unpinned legs when `cpus` is empty. A single CPU's reading is its alone leg (nothing
    /// runs in parallel with it). Every leg follows a short discarded one, so a CPU that was
    /// idle has ramped its clock. With [`Self::keeping_alone_legs`], a clean earlier reading's
    /// alone legs serve while the rule there holds.
    fn legs(&mut self, cpus: &[usize]) -> (Vec<f64>, Vec<f64>) {
        let mut set: Vec<Option<usize>> = if cpus.is_empty() {
            vec![None]
        } else {
            let mut c: Vec<usize> = cpus.to_vec();
            c.sort_unstable();
            c.dedup();
            c.into_iter().map(Some).collect()
        };
        set.truncate(256);
        let leg = self.leg;
        let alone_leg = |cpu: Option<usize>| {
            together(&[cpu], leg / 4);
            together(&[cpu], leg)[0]
        };
        if set.len() <= 1 {
            let alone: Vec<f64> = set.iter().map(|&cpu| alone_leg(cpu)).collect();
            return (alone.clone(), alone);
        }
        together(&set, leg / 4);
        let both = together(&set, leg);
        if let (Some(policy), Some(kept)) = (&self.keep, &self.alone)
            && kept.set == set
            && alone_still_serves(&kept.rates, &kept.ratios, &both, kept.at.elapsed())
            && sentinel_signals(&figure(&kept.rates, &both, true), policy).is_empty()
        {
            return (kept.rates.clone(), both);
        }
        let alone: Vec<f64> = set.iter().map(|&cpu| alone_leg(cpu)).collect();
        self.alone = match &self.keep {
            Some(policy) if sentinel_signals(&figure(&alone, &both, true), policy).is_empty() => {
                Some(Alone {
                    ratios: ratios(&alone, &both),
                    set,
                    at: Instant::now(),
                    rates: alone.clone(),
                })
            }
            _ => None,
        };
        (alone, both)
    }
}

/// Each CPU's rate together ÷ its rate alone (0 where the alone rate is not positive).
fn ratios(alone: &[f64], together: &[f64]) -> Vec<f64> {
    alone
        .iter()
        .zip(together)
        .map(|(&a, &t)| if a > 0.0 { t / a } else { 0.0 })
        .collect()
}

/// The sentinel arithmetic: the worst CPU's together / alone ratio (`pinned`: `alone[i]` and
/// `together[i]` are the same CPU), or the ratio of the sums when the legs were unpinned
/// (then the i-th rates are not the same CPU's); the mean, slowest and fastest single-CPU
/// rates. One CPU has no parallelism to check: its figure is 1.
pub fn figure(alone: &[f64], together: &[f64], pinned: bool) -> Reading {
    let parallel = if alone.len() <= 1 {
        if alone.is_empty() { 0.0 } else { 1.0 }
    } else if pinned {
        ratios(alone, together)
            .into_iter()
            .fold(f64::INFINITY, f64::min)
    } else {
        let sum_alone: f64 = alone.iter().sum();
        if sum_alone > 0.0 {
            together.iter().sum::<f64>() / sum_alone
        } else {
            0.0
        }
    };
    let (slowest, fastest) = alone.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &a| {
        (lo.min(a), hi.max(a))
    });
    Reading {
        parallel,
        single_units_per_ns: if alone.is_empty() {
            0.0
        } else {
            alone.iter().sum::<f64>() / alone.len() as f64
        },
        slowest_units_per_ns: if alone.is_empty() { 0.0 } else { slowest },
        fastest_units_per_ns: fastest,
        cpus: alone.len(),
        core_to_core_ns: None,
    }
}

/// Steal time so far of the CPUs in `cpus` (every CPU when empty), in milliseconds, from
/// /proc/stat (0 if absent). Counted in scheduler ticks (usually 10 ms).
pub fn steal_ms(cpus: &[usize]) -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/stat") else {
        return 0.0;
    };
    parse_steal_ms(&stat, cpus, clock_ticks_per_s())
}

/// One scheduler tick of /proc/stat, in milliseconds.
pub(crate) fn tick_ms() -> f64 {
    1000.0 / clock_ticks_per_s()
}

fn clock_ticks_per_s() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 { t as f64 } else { 100.0 }
}

/// Steal milliseconds of the CPUs in `cpus` (8th value of each `cpuN` line, in ticks), or of
/// the aggregate `cpu` line when `cpus` is empty.
pub(crate) fn parse_steal_ms(stat: &str, cpus: &[usize], ticks_per_s: f64) -> f64 {
    let steal = |l: &str| {
        l.split_whitespace()
            .nth(8)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let ticks: f64 = if cpus.is_empty() {
        stat.lines()
            .find(|l| l.starts_with("cpu "))
            .map_or(0.0, steal)
    } else {
        stat.lines()
            .filter(|l| {
                l.strip_prefix("cpu")
                    .and_then(|rest| rest.split_whitespace().next())
                    .and_then(|n| n.parse::<usize>().ok())
                    .is_some_and(|n| cpus.contains(&n))
            })
            .map(steal)
            .sum()
    };
    ticks * 1000.0 / ticks_per_s
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
    /// The kept attempt was still disturbed.
    pub degraded: bool,
    /// What found the kept attempt disturbed (empty when clean), without repeats.
    pub degraded_by: Vec<Signal>,
    /// What found each discarded attempt disturbed, in order (`attempts − 1` of them).
    pub discarded_by: Vec<Vec<Signal>>,
}

/// Runs `measure` between two sentinel readings; while the readings or the attempt's own
/// data (`own`: its mid-trial reading, CPU share, run-queue delay, steal; see
/// [`trial_signals`]) find it disturbed and retries remain, pauses and measures again. The
/// last attempt is kept, flagged if it never got a clean window. Errors from `measure` end
/// it at once.
pub fn guard<T, E>(
    sentinel: &mut dyn Sentinel,
    cpus: &[usize],
    threads: usize,
    policy: &Policy,
    mut pause: impl FnMut(Duration),
    mut measure: impl FnMut() -> Result<T, E>,
    own: impl Fn(&T) -> Vec<Signal>,
) -> Result<Guarded<T>, E> {
    let mut attempts = 0;
    let mut discarded_by = Vec::new();
    loop {
        attempts += 1;
        let before = sentinel.read_for(cpus, threads);
        let value = measure()?;
        let after = sentinel.read_for(cpus, threads);
        let mut signals = sentinel_signals(&before, policy);
        signals.extend(own(&value));
        signals.extend(sentinel_signals(&after, policy));
        let mut degraded_by = Vec::new();
        for s in signals {
            if !degraded_by.contains(&s) {
                degraded_by.push(s);
            }
        }
        let degraded = !degraded_by.is_empty();
        if !degraded || attempts > policy.retries {
            return Ok(Guarded {
                value,
                before,
                after,
                attempts,
                degraded,
                degraded_by,
                discarded_by,
            });
        }
        discarded_by.push(degraded_by);
        pause(policy.pause);
        sentinel.refresh();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Replays a fixed sequence of readings.
    struct Fake(Vec<f64>, usize);
    thread_local! {
        /// `Fake::refresh` calls on this thread.
        static REFRESHED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }
    impl Sentinel for Fake {
        fn refresh(&mut self) {
            REFRESHED.with(|r| r.set(r.get() + 1));
        }

        fn read(&mut self, _: &[usize]) -> Reading {
            let v = self.0[self.1 % self.0.len()];
            self.1 += 1;
            Reading {
                parallel: v,
                single_units_per_ns: 1.0,
                slowest_units_per_ns: 1.0,
                fastest_units_per_ns: 1.0,
                cpus: 2,
                core_to_core_ns: None,
            }
        }
    }

    fn run(readings: Vec<f64>) -> (Guarded<u32>, u32) {
        let mut measured = 0;
        let mut pauses = 0;
        let g = guard::<u32, ()>(
            &mut Fake(readings, 0),
            &[0, 1],
            2,
            &Policy::default(),
            |_| pauses += 1,
            || {
                measured += 1;
                Ok(measured)
            },
            |_| Vec::new(),
        )
        .unwrap();
        assert_eq!(pauses, measured - 1);
        // Every retry reads the sentinel whole, keeping nothing from the disturbed attempt.
        assert_eq!(REFRESHED.with(|r| r.replace(0)), measured - 1);
        (g, measured)
    }

    #[test]
    fn arithmetic() {
        let r = figure(&[1.0, 1.0], &[1.0, 0.98], true);
        assert!(
            (r.parallel - 0.98).abs() < 1e-12,
            "the worst CPU, not the mean"
        );
        assert_eq!(r.single_units_per_ns, 1.0);
        // Two vCPUs sharing one core: each runs at half speed together.
        assert!((figure(&[2.0, 2.0], &[1.0, 1.0], true).parallel - 0.5).abs() < 1e-12);
        // One of four CPUs time-sliced: a sum would read 0.875; the worst CPU reads 0.5.
        let r = figure(&[1.0; 4], &[1.0, 1.0, 1.0, 0.5], true);
        assert!((r.parallel - 0.5).abs() < 1e-12);
        // Unpinned legs are not the same CPU's: the sums are compared.
        let r = figure(&[1.0; 4], &[1.0, 1.0, 1.0, 0.5], false);
        assert!((r.parallel - 0.875).abs() < 1e-12);
        let r = figure(&[1.0, 0.5], &[1.0, 0.5], true);
        assert_eq!((r.slowest_units_per_ns, r.fastest_units_per_ns), (0.5, 1.0));
        // One CPU: nothing to run in parallel with.
        assert_eq!(figure(&[2.0], &[1.0], true).parallel, 1.0);
        assert_eq!(figure(&[], &[], true).parallel, 0.0);
    }

    /// Kept alone legs serve while young and while no CPU's together ÷ alone ratio moved more
    /// than 3%; a CPU that slowed (a hog arrived) or sped up (one left) is read again.
    #[test]
    fn kept_alone_legs_serve_only_while_nothing_moved() {
        let (rates, ratios) = ([1.0, 1.0], [0.98, 0.99]);
        let young = Duration::from_millis(300);
        assert!(alone_still_serves(&rates, &ratios, &[0.98, 0.99], young));
        assert!(alone_still_serves(&rates, &ratios, &[0.96, 1.01], young));
        assert!(
            !alone_still_serves(&rates, &ratios, &[0.98, 0.90], young),
            "slowed"
        );
        assert!(
            !alone_still_serves(&rates, &ratios, &[1.02, 0.99], young),
            "sped up"
        );
        assert!(
            !alone_still_serves(&rates, &ratios, &[0.98, 0.99], ALONE_FRESH * 2),
            "old"
        );
        assert!(
            !alone_still_serves(&rates, &ratios, &[0.98], young),
            "other CPUs"
        );
        assert!(!alone_still_serves(
            &[0.0, 1.0],
            &ratios,
            &[0.98, 0.99],
            young
        ));
    }

    fn reading(parallel: f64, slowest: f64, fastest: f64, cpus: usize) -> Reading {
        Reading {
            parallel,
            single_units_per_ns: slowest,
            slowest_units_per_ns: slowest,
            fastest_units_per_ns: fastest,
            cpus,
            core_to_core_ns: None,
        }
    }

    /// The ×1.5 window that fits the most trials is the point's layout, whichever trial came
    /// first; a trial with a reading outside it is off; a tie between two levels keeps
    /// neither; no readings, no call.
    #[test]
    fn trials_off_the_points_layout_are_found() {
        let t = |b: f64, a: f64| [Some(b), Some(a)];
        // The first trial ran far (before the host moved the vCPU back), the rest near.
        let (layout, mask) = on_layout(&[t(95.0, 97.0), t(27.0, 29.0), t(26.0, 31.0)]);
        assert_eq!(layout, Some(27.0));
        assert_eq!(mask, [false, true, true]);
        // Moved during the trial: one reading off is enough, before or after.
        let (_, mask) = on_layout(&[t(27.0, 27.0), t(27.0, 10.5), t(28.0, 27.0), t(95.0, 27.0)]);
        assert_eq!(mask, [true, false, true, false]);
        // Jitter within a level, even from its edge (19 and 33 ns), is the same layout.
        let (_, mask) = on_layout(&[t(19.0, 22.0), t(27.0, 33.0), t(25.0, 26.0), t(95.0, 99.0)]);
        assert_eq!(mask, [true, true, true, false]);
        // Most trials decide, not most readings, and not the lower level.
        let (layout, mask) =
            on_layout(&[t(10.5, 10.6), t(27.0, 27.0), t(28.0, 29.0), t(27.0, 10.5)]);
        assert_eq!(layout, Some(27.0));
        assert_eq!(mask, [false, true, true, false]);
        // Two trials near, two far: no layout, every trial out until a fifth breaks the tie.
        let split = [
            t(27.0, 27.0),
            t(100.0, 100.0),
            t(28.0, 28.0),
            t(99.0, 101.0),
        ];
        assert_eq!(on_layout(&split), (None, vec![false; 4]));
        let mut five = split.to_vec();
        five.push(t(98.0, 97.0));
        assert_eq!(on_layout(&five).1, [false, true, false, true, true]);
        // Every trial far, spread across the level: the window fitting most of them.
        let (_, mask) = on_layout(&[t(64.0, 66.0), t(98.0, 100.0), t(140.0, 146.0)]);
        assert_eq!(mask, [false, true, true]);
        // Missing or unusable readings: nothing to judge that trial by.
        assert_eq!(
            on_layout(&[[None, None], [None, None]]),
            (None, vec![true, true])
        );
        let (_, mask) = on_layout(&[
            [None, None],
            t(27.0, 27.0),
            t(28.0, 90.0),
            [Some(f64::NAN), Some(0.0)],
            [Some(26.0), None],
        ]);
        assert_eq!(mask, [true, true, false, true, true]);
    }

    #[test]
    fn readings_too_low_too_high_or_slow_are_disturbed() {
        let policy = Policy {
            calibrated_units_per_ns: Some(2.0),
            ..Policy::default()
        };
        assert!(sentinel_signals(&reading(1.0, 2.0, 2.0, 2), &policy).is_empty());
        assert_eq!(
            sentinel_signals(&reading(0.6, 2.0, 2.0, 2), &policy),
            vec![Signal::SentinelLow]
        );
        // Above 1/0.9: an alone leg was slowed (the reference sweep had a 3.03).
        assert_eq!(
            sentinel_signals(&reading(1.2, 2.0, 2.0, 2), &policy),
            vec![Signal::SentinelHigh]
        );
        // A hog on one CPU slows both legs there: the ratio is fine, the speed is not, and
        // that CPU is slower than its peer.
        assert_eq!(
            sentinel_signals(&reading(1.0, 1.1, 2.0, 2), &policy),
            vec![Signal::SlowCpu]
        );
        // Every CPU equally slow (throttling, a governor): no disturbance of this trial.
        assert!(sentinel_signals(&reading(1.0, 1.1, 1.15, 2), &policy).is_empty());
        // One CPU: only the calibration to compare with.
        assert_eq!(
            sentinel_signals(&reading(1.0, 1.1, 1.1, 1), &policy),
            vec![Signal::SlowCpu]
        );
        let uncalibrated = Policy::default();
        assert!(sentinel_signals(&reading(1.0, 1.1, 2.0, 2), &uncalibrated).is_empty());
    }

    #[test]
    fn a_trials_own_data_raises_signals() {
        let policy = Policy::default();
        let quiet = TrialConditions {
            spins: true,
            oversubscribed: false,
            cpu_share: Some(0.99),
            runq_share: Some(0.01),
            steal_share: 0.0,
            steal_ticks: 0.0,
            sentinel_during: None,
        };
        assert!(trial_signals(&quiet, &policy).is_empty());
        let starved = TrialConditions {
            cpu_share: Some(0.75),
            runq_share: Some(0.25),
            ..quiet
        };
        assert_eq!(
            trial_signals(&starved, &policy),
            vec![Signal::CpuShare, Signal::Preempted]
        );
        // A sleeping lock legitimately leaves its CPUs idle: no signal. But its threads kept
        // waiting for their CPUs (an intermittent hog) are, as a spinner's: the run-queue
        // share is judged against RUNQ_LIMIT on either side of it, for both.
        let sleeper = TrialConditions {
            spins: false,
            cpu_share: Some(0.3),
            ..quiet
        };
        assert!(trial_signals(&sleeper, &policy).is_empty());
        for spins in [true, false] {
            let at = |share: f64| TrialConditions {
                spins,
                cpu_share: Some(if spins { 0.99 } else { 0.3 }),
                runq_share: Some(share),
                ..quiet
            };
            assert!(trial_signals(&at(RUNQ_LIMIT * 0.9), &policy).is_empty());
            assert_eq!(
                trial_signals(&at(RUNQ_LIMIT * 1.1), &policy),
                vec![Signal::Preempted],
                "spins: {spins}"
            );
        }
        // Oversubscribed threads wait on run queues by design.
        let crowded = TrialConditions {
            oversubscribed: true,
            runq_share: Some(0.5),
            ..quiet
        };
        assert!(trial_signals(&crowded, &policy).is_empty());
        let stolen = TrialConditions {
            steal_share: 0.2,
            steal_ticks: 4.0,
            sentinel_during: Some(0.5),
            ..quiet
        };
        assert_eq!(
            trial_signals(&stolen, &policy),
            vec![Signal::SentinelLow, Signal::Steal]
        );
        // Two ticks of steal on a short window: counting noise.
        let ticks = TrialConditions {
            steal_share: 0.2,
            steal_ticks: 2.0,
            ..quiet
        };
        assert!(trial_signals(&ticks, &policy).is_empty());
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
        let stat = "cpu  100 0 50 1000 5 0 2 30 0 0\ncpu0 50 0 25 500 2 0 1 15 0 0\n\
                    cpu1 50 0 25 500 3 0 1 15 0 0\ncpu10 1 0 1 1 1 0 0 7 0 0\n";
        assert_eq!(parse_steal_ms(stat, &[], 100.0), 300.0);
        assert_eq!(parse_steal_ms(stat, &[1], 100.0), 150.0);
        assert_eq!(parse_steal_ms(stat, &[0, 10], 100.0), 220.0);
        assert_eq!(parse_steal_ms("intr 1 2\n", &[], 100.0), 0.0);
    }

    /// What the attempt's own data says counts like the readings around it: a disturbed
    /// attempt is retried, and one that never gets clean is kept and flagged, with its
    /// reason.
    #[test]
    fn a_disturbed_attempt_is_retried() {
        let mut measured = 0;
        let g = guard::<u32, ()>(
            &mut Fake(vec![1.0], 0),
            &[0, 1],
            2,
            &Policy::default(),
            |_| {},
            || {
                measured += 1;
                Ok(measured)
            },
            |attempt| {
                if *attempt == 1 {
                    vec![Signal::SentinelLow]
                } else {
                    Vec::new()
                }
            },
        )
        .unwrap();
        assert_eq!((g.value, g.attempts, g.degraded), (2, 2, false));
        assert!(g.degraded_by.is_empty());
        let g = guard::<u32, ()>(
            &mut Fake(vec![1.0], 0),
            &[0, 1],
            2,
            &Policy::default(),
            |_| {},
            || Ok(7),
            |_| vec![Signal::CpuShare, Signal::CpuShare],
        )
        .unwrap();
        assert!(g.degraded, "never a clean window");
        assert_eq!(g.degraded_by, vec![Signal::CpuShare]);
        assert_eq!(g.attempts, Policy::default().retries + 1);
        assert_eq!(
            Signal::join(&[Signal::CpuShare, Signal::Steal]),
            "cpu-share;steal"
        );
    }
}
