//! The promise that lockbench refuses numbers taken while the machine was not really running
//! the trial's threads: a busy process pinned on one of a trial's CPUs for the whole window
//! must get the trial flagged, and the same run without it must stay clean.
//!
//! This file holds one test on purpose: cargo runs test binaries one after another, so no
//! other test of this suite competes for the CPUs while it measures the quiet case.

mod guarded_util;

use lockbench::harness::{Env, Point, point_cpus};
use lockbench::record::RunRecord;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const TRIALS: u32 = 5;

/// `TRIALS` trials of `point`, each judged once (no retries): every flag is its own verdict.
fn trials(env: &Env, point: &Point) -> Vec<RunRecord> {
    guarded_util::guarded_trials(env, point, &guarded_util::judged_once(), TRIALS)
}

fn describe(rows: &[RunRecord]) -> String {
    rows.iter()
        .map(|r| {
            format!(
                "[cpu share {:?}, run-queue share {:?}, sentinel {:?}/{:?}, by '{}']",
                r.cpu_share, r.runq_share, r.sentinel_before, r.sentinel_after, r.degraded_by
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn a_cpu_hog_on_a_trials_cpu_gets_it_flagged() {
    let env = Env::detect();
    let point = Point {
        setting: lockbench::record::Setting {
            threads: 2,
            cs_ns: 100,
            ..Point::new("spin-ttas").setting
        },
        duration: Duration::from_millis(300),
        warmup: Duration::from_millis(50),
        sample_every: 16,
        ..Point::new("spin-ttas")
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
            core_affinity::set_for_current(core_affinity::CoreId { id: cpu });
            // Relaxed: a stop flag; nothing is published through it.
            while !stop.load(Ordering::Relaxed) {
                std::hint::spin_loop();
            }
        })
    };
    let hogged = trials(&env, &point);
    stop.store(true, Ordering::Relaxed);
    hog.join().unwrap();
    let hogged_flagged = hogged.iter().filter(|r| r.degraded).count();

    assert!(
        hogged_flagged >= 4,
        "a hog on CPU {} for the whole window: only {hogged_flagged} of {TRIALS} trials flagged: {}",
        cpus[1],
        describe(&hogged)
    );
    assert!(
        quiet_flagged <= 1,
        "without a hog {quiet_flagged} of {TRIALS} trials were flagged (in the best of five rounds): {}",
        describe(&quiet)
    );
    // The hogged trials are caught by what they measured themselves, not only by the
    // sentinel around them.
    assert!(
        hogged
            .iter()
            .filter(|r| r.degraded_by.contains("cpu-share") || r.degraded_by.contains("preempted"))
            .count()
            >= 4,
        "{}",
        describe(&hogged)
    );
}
