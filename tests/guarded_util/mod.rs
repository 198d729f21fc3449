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
