//! Unpinned trials on a quiet host are not flagged by where the sentinel's own threads
//! landed: the sentinel reads the CPUs the trial's threads may use, pinned. The parking_lot
//! mirror configuration (std-mutex, 2 threads, `--steps 1/0`, inline data, nothing timed,
//! unpinned): 20 trials under the default policy (a disturbed attempt is retried, as `run` and
//! `sweep` do), at most one kept degraded.
//!
//! One test in this file, on purpose: cargo runs test binaries one after another.

mod guarded_util;

use lockbench::harness::sentinel::Policy;
use lockbench::harness::{Env, Point, Steps};
use lockbench::record::{Layout, Placement, RunRecord};
use std::time::Duration;

const TRIALS: u32 = 20;

/// `TRIALS` trials of `point` under the default policy (disturbed attempts retried).
fn trials(env: &Env, point: &Point) -> Vec<RunRecord> {
    guarded_util::guarded_trials(env, point, &Policy::default(), TRIALS)
}

#[test]
fn unpinned_mirror_trials_on_a_quiet_host_stay_clean() {
    let env = Env::detect();
    if env.host.allowed_cpus.len() < 2 {
        eprintln!("skipped: needs two CPUs");
        return;
    }
    let point = Point {
        setting: lockbench::record::Setting {
            threads: 2,
            placement: Placement::None,
            ..Point::new("std-mutex").setting
        },
        layout: Layout::Inline,
        steps: Some(Steps {
            inside: 1,
            outside: 0,
        }),
        duration: Duration::from_millis(100),
        warmup: Duration::from_millis(20),
        sample_every: 0,
        ..Point::new("std-mutex")
    };
    // A shared host may really be disturbed now and then: up to five rounds (after a
    // pause) to show a quiet stretch stays clean.
    let rows = guarded_util::quiet_best_of_five(|| trials(&env, &point));
    let degraded: Vec<String> = rows
        .iter()
        .filter(|r| r.degraded)
        .map(|r| {
            format!(
                "{} (sentinel {:?}/{:?})",
                r.degraded_by, r.sentinel_before, r.sentinel_after
            )
        })
        .collect();
    assert!(
        degraded.len() <= 1,
        "{} of {TRIALS} unpinned trials degraded in the best of five rounds: {degraded:?}",
        degraded.len()
    );
}
