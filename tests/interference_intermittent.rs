//! Interference that comes and goes: a process pinned on one of a trial's CPUs, busy 60 ms of
//! every 200 ms, must get trials of a spinning *and* of a sleeping lock flagged, by what the
//! trial's threads had (their run-queue delay), and the same trials without it must stay
//! clean.
//!
//! One test in this file, on purpose: cargo runs test binaries one after another, so nothing
//! else of this suite competes for the CPUs while it measures.

mod guarded_util;

use lockbench::harness::{Env, Point, point_cpus};
use lockbench::record::RunRecord;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const TRIALS: u32 = 5;

/// `TRIALS` trials of `point`, each judged once (no retries): every flag is its own verdict.
fn trials(env: &Env, point: &Point) -> Vec<RunRecord> {
    guarded_util::guarded_trials(env, point, &guarded_util::judged_once(), TRIALS)
}

fn describe(rows: &[RunRecord]) -> String {
    rows.iter()
        .map(|r| {
            format!(
                "[run-queue share {:?}, by '{}']",
                r.runq_share, r.degraded_by
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Busy `on` of every `period` on `cpu` until `stop`.
fn intermittent_hog(cpu: usize, on: Duration, period: Duration, stop: Arc<AtomicBool>) {
    core_affinity::set_for_current(core_affinity::CoreId { id: cpu });
    // Relaxed: a stop flag; nothing is published through it.
    while !stop.load(Ordering::Relaxed) {
        let start = Instant::now();
        while start.elapsed() < on {
            std::hint::spin_loop();
        }
        std::thread::sleep(period - on);
    }
}

#[test]
fn an_intermittent_hog_gets_spinning_and_sleeping_trials_flagged() {
    let env = Env::detect();
    for lock in ["spin-ttas", "futex-mutex"] {
        let point = Point {
            setting: lockbench::record::Setting {
                threads: 2,
                cs_ns: 1_000,
                ..Point::new(lock).setting
            },
            duration: Duration::from_millis(300),
            warmup: Duration::from_millis(50),
            sample_every: 16,
            ..Point::new(lock)
        };
        let cpus = point_cpus(&env, &point);
        if cpus.len() < 2 {
            eprintln!("skipped: needs two CPUs to pin on, this process may use {cpus:?}");
            return;
        }
        // The quiet case is the machine's own (up to five rounds); the hogged case gets one.
        let quiet = guarded_util::quiet_best_of_five(|| trials(&env, &point));
        let quiet_flagged = quiet.iter().filter(|r| r.degraded).count();

        let stop = Arc::new(AtomicBool::new(false));
        let hog = {
            let (stop, cpu) = (stop.clone(), cpus[1]);
            std::thread::spawn(move || {
                intermittent_hog(
                    cpu,
                    Duration::from_millis(60),
                    Duration::from_millis(200),
                    stop,
                )
            })
        };
        let hogged = trials(&env, &point);
        stop.store(true, Ordering::Relaxed);
        hog.join().unwrap();
        if hogged.iter().any(|r| r.runq_share.is_none()) {
            eprintln!("skipped: this kernel does not report run-queue delay (schedstat)");
            return;
        }
        let by_own_data = hogged
            .iter()
            .filter(|r| r.degraded_by.contains("preempted"))
            .count();
        assert!(
            by_own_data >= 4,
            "{lock}: a hog on CPU {} 60 ms of every 200 ms: only {by_own_data} of {TRIALS} trials flagged by their run-queue delay: {}",
            cpus[1],
            describe(&hogged)
        );
        assert!(
            quiet_flagged <= 1,
            "{lock}: without a hog {quiet_flagged} of {TRIALS} trials were flagged (in the best of five rounds): {}",
            describe(&quiet)
        );
    }
}
