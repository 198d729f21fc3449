#![allow(dead_code)] // each test file uses a subset
//! What the interference tests share: trials of one point run as a sweep runs them, each
//! between parallelism-sentinel readings and judged by `policy`.

use lockbench::harness::sentinel::{LEG, Parallelism, Policy};
use lockbench::harness::{Env, Point, guarded_trial};
use lockbench::record::RunRecord;
use lockbench::registry::{self, Waiting};

/// `trials` guarded trials of `point` with its registered primitive.
pub fn guarded_trials(env: &Env, point: &Point, policy: &Policy, trials: u32) -> Vec<RunRecord> {
    let primitive = registry::find(&point.primitive).unwrap();
    let mut sentinel = Parallelism::new(env.host.allowed_cpus.clone(), LEG);
    (0..trials)
        .map(|trial| {
            guarded_trial(
                env,
                point,
                primitive.about.waits == Waiting::Spins,
                policy,
                &mut sentinel,
                || primitive.run(env, point, trial),
            )
            .unwrap()
            .record
        })
        .collect()
}

/// Each trial judged once (no retries): every flag is its own verdict.
pub fn judged_once() -> Policy {
    Policy {
        retries: 0,
        ..Policy::default()
    }
}

/// Trials of a quiet host: on a shared host a neighbour may really disturb a stretch of
/// several seconds (a sentinel reading of 0.86, a CPU slow against its calibration), so `run`
/// gets up to five rounds (two seconds' pause between them) to show that a quiet stretch keeps
/// at most one of its trials degraded; the last round's rows (the first with at most one).
pub fn quiet_best_of_five(run: impl Fn() -> Vec<RunRecord>) -> Vec<RunRecord> {
    let degraded = |rows: &[RunRecord]| rows.iter().filter(|r| r.degraded).count();
    let mut rows = run();
    for _ in 0..4 {
        if degraded(&rows) <= 1 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_secs(2));
        rows = run();
    }
    rows
}
