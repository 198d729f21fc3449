//! Host probes: what sleeping and sharing cost on this machine. They explain the harness's
//! results (why the spin/sleep break-even is where it is) and are written into meta.json.
//!
//! Every probe pins its threads, discards a warm-up, and reports the median and percentiles
//! of many samples, each timed with the TSC clock.

use crate::harness::clock::Clock;
pub use crate::stats::Percentiles;
use crate::sync::Futex;
use crate::workload::BusyWork;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};

/// All probe results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Probes {
    /// Futex ping-pong round trip, both threads pinned to one CPU: two context switches.
    pub same_core_round_trip: Option<Percentiles>,
    /// Futex ping-pong round trip between two CPUs: two cross-CPU wake-ups.
    pub cross_core_round_trip: Option<Percentiles>,
    /// Cross-CPU wake-up latency: from just before FUTEX_WAKE to the woken thread running.
    pub cross_core_wakeup: Option<Percentiles>,
    /// FUTEX_WAKE with nobody waiting (the syscall alone).
    pub futex_wake_no_waiter: Percentiles,
    /// `sched_yield` with nothing else to run.
    pub sched_yield: Percentiles,
    /// Uncontended atomic read-modify-write (fetch_add) on a private line.
    pub atomic_rmw: Percentiles,
    /// One spin-loop hint (PAUSE on x86).
    pub spin_hint: Percentiles,
    /// Core-to-core one-way latency (half a CAS ping-pong round trip), `[from][to]`, median ns;
    /// NaN on the diagonal (written as `null` in JSON, read back as NaN).
    #[serde(deserialize_with = "nan_matrix")]
    pub core_to_core_ns: Vec<Vec<f64>>,
    /// The CPUs the matrix rows and columns stand for.
    pub core_to_core_cpus: Vec<usize>,
    /// How long calibrated busy work (the harness's critical sections and think times)
    /// really takes, per requested length. Absent from files written before this probe.
    #[serde(default)]
    pub busy_work: Vec<BusyWorkCheck>,
}

/// One requested busy-work length and the distribution of how long it took.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BusyWorkCheck {
    /// The requested length, ns.
    pub requested_ns: u64,
    /// What it took, ns.
    pub took: Percentiles,
}

/// A matrix of numbers where JSON `null` (how serde_json writes NaN) reads back as NaN.
fn nan_matrix<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Vec<f64>>, D::Error> {
    let m = Vec::<Vec<Option<f64>>>::deserialize(d)?;
    Ok(m.into_iter()
        .map(|row| row.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect())
        .collect())
}

impl Probes {
    /// Every distribution with its label, in display order, the busy-work checks (with their
    /// median error) last; `None` for a probe that needs two CPUs on a one-CPU host.
    pub(crate) fn labelled(&self) -> Vec<(String, Option<Percentiles>)> {
        let mut rows: Vec<(String, Option<Percentiles>)> = [
            (
                "futex round trip, same core (2 ctx switches)",
                self.same_core_round_trip,
            ),
            (
                "futex round trip, cross core (2 wake-ups)",
                self.cross_core_round_trip,
            ),
            (
                "futex wake-up latency, cross core (one way)",
                self.cross_core_wakeup,
            ),
            (
                "futex wake, no waiter (syscall)",
                Some(self.futex_wake_no_waiter),
            ),
            ("sched_yield", Some(self.sched_yield)),
            ("atomic RMW, uncontended", Some(self.atomic_rmw)),
            ("spin-loop hint", Some(self.spin_hint)),
        ]
        .into_iter()
        .map(|(name, fig)| (name.to_string(), fig))
        .collect();
        rows.extend(self.busy_work.iter().map(|c| {
            (
                format!(
                    "busy work, {} requested ({:+.1}% median error)",
                    crate::units::fmt_ns(c.requested_ns as f64),
                    c.median_error() * 100.0
                ),
                Some(c.took),
            )
        }));
        rows
    }
}

impl BusyWorkCheck {
    /// Median error relative to the request: +0.05 means 5% too long.
    pub(crate) fn median_error(&self) -> f64 {
        self.took.p50_ns / self.requested_ns as f64 - 1.0
    }
}

/// The busy-work lengths the calibration probe checks (from the 20 ns critical sections the
/// break-even turns on up to 2 ms), with the samples taken of each and how many pieces each
/// sample times back to back (short pieces are batched so one clock read is amortised).
pub(crate) const BUSY_WORK_CHECKS: [(u64, usize, u32); 8] = [
    (20, 201, 256),
    (50, 201, 128),
    (100, 201, 64),
    (250, 201, 32),
    (1_000, 201, 8),
    (20_000, 101, 1),
    (200_000, 41, 1),
    (2_000_000, 15, 1),
];

/// Times calibrated busy work of each length in [`BUSY_WORK_CHECKS`] on the calling thread:
/// per piece, as the harness runs it (fence included).
pub(crate) fn busy_work_accuracy(clock: &Clock, busy: &BusyWork) -> Vec<BusyWorkCheck> {
    BUSY_WORK_CHECKS
        .iter()
        .map(|&(requested_ns, n, batch)| {
            let units = busy.units_for_ns(requested_ns);
            BusyWorkCheck {
                requested_ns,
                took: timed(clock, 3, n, batch, || {
                    std::hint::black_box(BusyWork::burn(units));
                }),
            }
        })
        .collect()
}

fn pin(cpu: usize) {
    core_affinity::set_for_current(core_affinity::CoreId { id: cpu });
}

/// Times `op` `n` times after `warmup` discarded runs; returns per-op ns, batched by `batch`
/// so very cheap ops are not below the clock's resolution.
fn timed(clock: &Clock, warmup: usize, n: usize, batch: u32, mut op: impl FnMut()) -> Percentiles {
    for _ in 0..warmup {
        op();
    }
    let samples = (0..n)
        .map(|_| {
            let t = clock.raw();
            for _ in 0..batch {
                op();
            }
            clock.delta_ns(t, clock.raw()) as f64 / f64::from(batch)
        })
        .collect();
    Percentiles::of(samples)
}

/// Futex ping-pong between two threads pinned to `a` and `b` (may be equal): returns the
/// round-trip distribution and, when `a != b`, the one-way wake-up latency.
fn ping_pong(clock: &Clock, a: usize, b: usize, rounds: usize) -> (Percentiles, Percentiles) {
    // The word says whose turn it is: 0 = ping's, 1 = pong's.
    let turn = Arc::new(Futex::new(0));
    let woke_at = Arc::new(AtomicU64::new(0));
    let wake_sent = Arc::new(AtomicU64::new(0));
    let start = Arc::new(Barrier::new(2));
    let total = rounds + rounds / 10;
    let pong = {
        let (turn, woke_at, wake_sent, start) = (
            turn.clone(),
            woke_at.clone(),
            wake_sent.clone(),
            start.clone(),
        );
        let clock = clock.clone();
        std::thread::spawn(move || {
            pin(b);
            start.wait();
            let mut wakeups = Vec::with_capacity(total);
            for _ in 0..total {
                // SeqCst: a simple protocol where performance of these atomics is not measured.
                while turn.word().load(Ordering::SeqCst) != 1 {
                    turn.wait(0);
                }
                let now = clock.raw();
                woke_at.store(now, Ordering::SeqCst);
                wakeups.push(clock.delta_ns(wake_sent.load(Ordering::SeqCst), now) as f64);
                turn.word().store(0, Ordering::SeqCst);
                turn.wake_one();
            }
            wakeups
        })
    };
    pin(a);
    start.wait();
    let mut trips = Vec::with_capacity(total);
    for _ in 0..total {
        let t = clock.raw();
        wake_sent.store(t, Ordering::SeqCst);
        turn.word().store(1, Ordering::SeqCst);
        turn.wake_one();
        while turn.word().load(Ordering::SeqCst) != 0 {
            turn.wait(1);
        }
        trips.push(clock.delta_ns(t, clock.raw()) as f64);
    }
    let wakeups = pong.join().unwrap_or_default();
    let skip = total - rounds;
    (
        Percentiles::of(trips[skip..].to_vec()),
        Percentiles::of(wakeups[skip..].to_vec()),
    )
}

pub use crate::harness::sentinel::CORE_TO_CORE_BATCH;

/// Runs every probe on `cpus` (the first two are used for the pair probes). `rounds` scales
/// the sample counts (1000 is a good default). Runs on a helper thread, so the caller's CPU
/// affinity is never changed (threads spawned later inherit it).
pub fn run_all(clock: &Clock, busy: &BusyWork, cpus: &[usize], rounds: usize) -> Probes {
    let (clock, busy, cpus) = (clock.clone(), *busy, cpus.to_vec());
    std::thread::spawn(move || run_all_here(&clock, &busy, &cpus, rounds))
        .join()
        .expect("probe thread panicked")
}

fn run_all_here(clock: &Clock, busy: &BusyWork, cpus: &[usize], rounds: usize) -> Probes {
    let rounds = rounds.max(20);
    let first = cpus.first().copied().unwrap_or(0);
    let (same, _) = ping_pong(clock, first, first, rounds);
    let cross = cpus.get(1).map(|&b| ping_pong(clock, first, b, rounds));
    let futex = Futex::new(0);
    pin(first);
    let wake = timed(clock, 100, rounds, 8, || {
        futex.wake_one();
    });
    let yield_ = timed(clock, 100, rounds, 8, || {
        std::thread::yield_now();
    });
    let private = AtomicU64::new(0);
    let rmw = timed(clock, 1000, rounds, 64, || {
        // Relaxed: the cost of the RMW instruction itself is what is measured.
        private.fetch_add(1, Ordering::Relaxed);
    });
    let hint = timed(clock, 1000, rounds, 64, std::hint::spin_loop);
    let busy_work = busy_work_accuracy(clock, busy);
    let matrix_cpus: Vec<usize> = cpus.iter().copied().take(64).collect();
    // Batches of 1 000 round trips: a tenth as many batches as the other probes' samples.
    let c2c_rounds = (rounds as u64 / 10).clamp(10, 300);
    let core_to_core_ns = matrix_cpus
        .iter()
        .map(|&a| {
            matrix_cpus
                .iter()
                .map(|&b| {
                    if a == b {
                        f64::NAN
                    } else {
                        crate::harness::sentinel::core_to_core_ns(clock, a, b, c2c_rounds)
                    }
                })
                .collect()
        })
        .collect();
    Probes {
        same_core_round_trip: Some(same),
        cross_core_round_trip: cross.map(|c| c.0),
        cross_core_wakeup: cross.map(|c| c.1),
        futex_wake_no_waiter: wake,
        sched_yield: yield_,
        atomic_rmw: rmw,
        spin_hint: hint,
        core_to_core_ns,
        core_to_core_cpus: matrix_cpus,
        busy_work,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures() {
        let f = Percentiles::of((1..=100).map(f64::from).collect());
        assert_eq!(
            (f.p50_ns, f.p10_ns, f.p90_ns, f.samples),
            (50.5, 11.0, 90.0, 100)
        );
        assert!(f.p99_ns >= f.p90_ns);
    }

    /// The calibration probe covers every listed length with its sample count, and its
    /// figures are ordered; the 100 000× gap between the shortest and longest request
    /// survives any load a shared machine puts on it.
    #[test]
    fn busy_work_probe_shape() {
        let clock = Clock::new();
        let busy = BusyWork::calibrate(std::time::Duration::from_millis(1), 3);
        let checks = busy_work_accuracy(&clock, &busy);
        assert_eq!(checks.len(), BUSY_WORK_CHECKS.len());
        for (c, &(requested, n, _)) in checks.iter().zip(&BUSY_WORK_CHECKS) {
            assert_eq!((c.requested_ns, c.took.samples), (requested, n));
            assert!(c.took.p10_ns <= c.took.p50_ns && c.took.p50_ns <= c.took.p90_ns);
            assert!(c.median_error().is_finite());
        }
        let (first, last) = (&checks[0], &checks[checks.len() - 1]);
        assert!(last.took.p50_ns > first.took.p50_ns * 10.0);
    }
}
