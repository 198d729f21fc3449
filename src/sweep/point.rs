//! One point measured on its own: the trials of one primitive at one setting, each guarded by
//! the parallelism sentinel (on by default) and judged as a sweep judges its trials, then tied
//! into one run (an id and row numbers) so its rows concatenate with a sweep's. The one way to
//! run a point outside a sweep: `lockbench run` and `custom::run_point` both come here.
//!
//! ```no_run
//! use lockbench::harness::Point;
//! use lockbench::sweep::point::PointRun;
//! let lock = lockbench::registry::find("std-mutex").unwrap();
//! let mut point = Point::new("std-mutex");
//! point.setting.threads = 2;
//! point.setting.cs_ns = 100;
//! let run = PointRun::new(lock, point).trials(5).run()?;
//! for t in &run.trials {
//!     println!("{:.0} ops/s, degraded: {}", t.record.throughput_ops_s, t.record.degraded);
//! }
//! # Ok::<(), lockbench::harness::HarnessError>(())
//! ```

use crate::analysis::aggregate::{TrialFacts, clean_throughputs};
use crate::harness::sentinel::{LEG, Parallelism, Policy};
use crate::harness::{Env, HarnessError, Point, TrialOutput, guarded_trial};
use crate::registry::{Primitive, Waiting};
use std::time::SystemTime;

/// The trials of one point, ready to run: built with [`PointRun::new`], adjusted with the
/// setters, measured with [`PointRun::run`] or [`PointRun::run_with`].
pub struct PointRun<'a> {
    primitive: &'a Primitive,
    point: Point,
    trials: u32,
    /// `None`: no sentinel (a quick look, not a measurement to compare).
    guard: Option<Policy>,
    env: Option<Env>,
}

/// What a [`PointRun`] measured: the rows in trial order, and the environment they were
/// measured in (host facts, calibration) for the reports that describe it.
pub struct PointOutcome {
    /// The calibrated environment of the trials.
    pub env: Env,
    /// One output per trial, each row judged (degraded, stable, interval) as a sweep's is.
    pub trials: Vec<TrialOutput>,
}

impl<'a> PointRun<'a> {
    /// Three trials of `point` of `primitive` (the point's name is set to the primitive's),
    /// guarded by the sentinel with the default policy.
    pub fn new(primitive: &'a Primitive, point: Point) -> PointRun<'a> {
        PointRun {
            point: Point {
                primitive: primitive.about.name.to_string(),
                ..point
            },
            primitive,
            trials: 3,
            guard: Some(Policy::default()),
            env: None,
        }
    }

    /// Trials to run (0 runs none).
    pub fn trials(mut self, n: u32) -> Self {
        self.trials = n;
        self
    }

    /// The sentinel's policy (threshold, retries); the guard stays on.
    pub fn policy(mut self, policy: Policy) -> Self {
        self.guard = Some(policy);
        self
    }

    /// No sentinel around the trials: faster, but a disturbed trial is not caught.
    pub fn unguarded(mut self) -> Self {
        self.guard = None;
        self
    }

    /// Measures in `env` instead of detecting and calibrating the host (a fraction of a
    /// second) on [`PointRun::run`].
    pub fn env(mut self, env: Env) -> Self {
        self.env = Some(env);
        self
    }

    /// The point as it will run.
    pub fn point(&self) -> &Point {
        &self.point
    }

    /// Runs every trial.
    pub fn run(self) -> Result<PointOutcome, HarnessError> {
        self.run_with(|_, _| {})
    }

    /// Runs every trial, calling `each(trial, output)` as each one ends (for progress).
    /// A length below what the busy work can honour is refused before anything runs.
    pub fn run_with(
        self,
        mut each: impl FnMut(u32, &TrialOutput),
    ) -> Result<PointOutcome, HarnessError> {
        let PointRun {
            primitive,
            point,
            trials,
            guard,
            env,
        } = self;
        let mut env = env.unwrap_or_else(Env::detect);
        env.check_lengths(&point)?;
        // A mid-trial reading only for a guarded run, whatever the env says.
        env.mid_trial_sentinel = guard.is_some().then_some(LEG);
        let mut sentinel =
            Parallelism::new(env.host.allowed_cpus.clone(), LEG).with_distances(env.clock.clone());
        let spins = primitive.about.waits == Waiting::Spins;
        let mut outputs: Vec<TrialOutput> = Vec::new();
        let mut facts = Vec::new();
        for trial in 0..trials {
            let measure = || primitive.run(&env, &point, trial);
            let mut out = match &guard {
                Some(policy) => guarded_trial(&env, &point, spins, policy, &mut sentinel, measure)?,
                None => measure()?,
            };
            // Judged over the trials so far, as a sweep judges a point after each trial.
            facts.push(TrialFacts::of(&out.record));
            out.record.set_stability(&crate::analysis::stability(
                &clean_throughputs(&facts),
                trials,
            ));
            each(trial, &out);
            outputs.push(out);
        }
        let run_id = crate::rundir::dir::new_run_id(&env.host.info.machine(), SystemTime::now());
        for (i, t) in outputs.iter_mut().enumerate() {
            t.record.run_id = run_id.clone();
            t.record.row = Some(i as u64);
        }
        Ok(PointOutcome {
            env,
            trials: outputs,
        })
    }
}
