//! `lockbench sweep`: a grid of points, run with interleaved trials, written row by row.
//!
//! The grid is the cartesian product of the axes, produced by an iterator ([`SweepSpec::plan`])
//! in this order: placement → threads → critical section → think time → trial → primitive →
//! read ratio. Primitives are innermost, so trial *k* of every primitive at one point runs
//! back to back (A B C A B C …) and slow drift of the machine hits all of them alike.

pub mod axes;
pub mod point;
pub mod session;
mod upkeep;

use crate::analysis::aggregate::{TrialFacts, clean_throughputs};
use crate::analysis::stability;
use crate::harness::guarded_trial;
use crate::harness::sentinel::{LEG, Policy, Sentinel};
use crate::harness::{Env, HarnessError, Point, TrialOutput};
use crate::record::{Axis, Placement, Setting, Value};
use crate::record::{PointKey, RunRecord};
use crate::registry::{self, Primitive};
use crate::rundir::meta::TimeUse;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

pub use crate::record::SweepSpec;

/// Named starting points for a sweep; explicit axes override theirs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    /// Every primitive at 1 thread, `cores` and `2xcores`, critical sections of 0 (the
    /// uncontended cost, and the most contention) and 250 ns, 3 short clean trials a point
    /// (the fewest whose median has a confidence interval: their range, at 75%), up to 8 to
    /// replace trials left out: a few minutes on a 2-core machine (more on a noisy host, whose
    /// trials need replacing). The README's main command.
    Quick,
    /// 1, cores and 2×cores threads, two critical sections, 3 clean trials a point (up to 8 to
    /// replace trials left out): about six minutes on a 2-core machine, more when trials need
    /// replacing.
    Standard,
    /// Every thread count up to 2×cores plus 4×cores, five log-spaced critical sections, 5
    /// clean trials a point (a 90% interval; up to 10 trials): hours; use a quiet machine.
    Full,
}

impl Preset {
    /// Every preset, smallest first.
    pub const ALL: [Preset; 3] = [Preset::Quick, Preset::Standard, Preset::Full];

    /// The lowercase name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Preset::Quick => "quick",
            Preset::Standard => "standard",
            Preset::Full => "full",
        }
    }

    /// The preset's spec for a machine with `cores` usable CPUs.
    pub fn spec(self, cores: usize) -> SweepSpec {
        let all: Vec<String> = registry::PRIMITIVES
            .iter()
            .map(|p| p.about.name.to_string())
            .collect();
        let base = SweepSpec {
            threads: vec![1, cores, 2 * cores],
            cs_ns: vec![0, 250],
            stripes: vec![1, 16],
            // Room to replace up to five trials left out (degraded, timed out, or on another
            // cache layout) before the point is flagged.
            max_trials: 8,
            sentinel_retries: 1,
            // Threads started, caches and lock state warm; the latency window follows, so the
            // measured window starts 25 ms after the threads.
            ..SweepSpec::new(all, 80_000_000, 5_000_000, 3)
        };
        let mut spec = match self {
            Preset::Quick => base,
            Preset::Standard => SweepSpec {
                threads: vec![1, cores, 2 * cores],
                cs_ns: vec![100, 5_000],
                think_ns: vec![0],
                read_ratios: vec![0.5, 0.99],
                stripes: vec![1, 16],
                key_skews: vec![0.0, 0.99],
                duration_ns: 150_000_000,
                warmup_ns: 30_000_000,
                trials: 3,
                max_trials: 8,
                sentinel_retries: 2,
                ..base
            },
            Preset::Full => SweepSpec {
                threads: (1..=2 * cores).chain([4 * cores]).collect(),
                cs_ns: axes::log_range(20, 100_000, 5).expect("static range"),
                think_ns: vec![0],
                read_ratios: vec![0.5, 0.9, 0.99],
                stripes: vec![1, 4, 16, 256],
                key_skews: vec![0.0, 0.99],
                placements: vec![Placement::Compact],
                layout: crate::record::Layout::Separate,
                duration_ns: 500_000_000,
                warmup_ns: 100_000_000,
                trials: 5,
                max_trials: 10,
                sentinel_retries: 3,
                ..base
            },
        };
        spec.threads.sort_unstable();
        spec.threads.dedup();
        spec
    }
}

/// One entry of the plan: a point and a trial number.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    /// The point.
    pub point: Point,
    /// The trial.
    pub trial: u32,
}

impl Planned {
    /// This entry's identity, as recorded in runs.csv.
    pub fn key(&self) -> PointKey {
        PointKey {
            primitive: self.point.primitive.clone(),
            setting: self.point.setting,
            layout: self.point.layout.as_str().to_string(),
            trial: self.trial,
        }
    }
}

/// Whether a primitive of `kind` can run `value` of `axis` (striped tables take a power of two
/// of stripes, a bank at least 2 accounts).
fn fits(kind: registry::Kind, axis: Axis, value: Value) -> bool {
    match (axis, value) {
        (Axis::Stripes, Value::Count(n)) => kind.check_stripes(n).is_ok(),
        _ => true,
    }
}

impl SweepSpec {
    /// The settings of the axes only some kinds take (`record::AXES`) for a primitive of
    /// `kind`: every combination of the values of the axes it takes, the others left empty,
    /// so a primitive is not repeated along axes it ignores. Values its kind rejects (a bank
    /// with 1 account) are skipped for it; an unknown kind takes none.
    fn variants_for(&self, kind: Option<registry::Kind>) -> Vec<Setting> {
        let mut out = vec![Setting::default()];
        let Some(kind) = kind else { return out };
        for axis in Axis::ALL
            .into_iter()
            .filter(|a| a.per_kind() && a.takes(kind))
        {
            let values: Vec<Value> = self
                .values(axis)
                .into_iter()
                .filter(|&v| fits(kind, axis, v))
                .collect();
            out = out
                .iter()
                .flat_map(|s| {
                    values.iter().map(move |&v| {
                        let mut s = *s;
                        s.set(axis, Some(v));
                        s
                    })
                })
                .collect();
        }
        out
    }

    /// The plan, in execution order (see the module docs), for the registry's primitives.
    pub fn plan(&self) -> impl Iterator<Item = Planned> + '_ {
        self.plan_with(&|name| registry::find(name).copied())
    }

    /// The plan with `lookup` naming the primitives (the registry's and your own, as
    /// [`session::lookup_with`] does): each name gets the axes of its kind.
    pub fn plan_with<'a>(
        &'a self,
        lookup: &'a dyn Fn(&str) -> Option<Primitive>,
    ) -> impl Iterator<Item = Planned> + 'a {
        let configs = self.placements.iter().flat_map(move |&placement| {
            self.threads.iter().flat_map(move |&threads| {
                self.cs_ns.iter().flat_map(move |&cs_ns| {
                    self.think_ns
                        .iter()
                        .map(move |&think_ns| (placement, threads, cs_ns, think_ns))
                })
            })
        });
        configs.flat_map(move |(placement, threads, cs_ns, think_ns)| {
            (0..self.trials).flat_map(move |trial| {
                self.locks.iter().flat_map(move |lock| {
                    let kind = lookup(lock).map(|p| p.kind);
                    self.variants_for(kind)
                        .into_iter()
                        .map(move |variant| Planned {
                            point: Point {
                                setting: Setting {
                                    threads,
                                    cs_ns,
                                    think_ns,
                                    placement,
                                    ..variant
                                },
                                primitive: lock.clone(),
                                seed: Point::new("").seed,
                                layout: if kind.is_some_and(|k| k.takes_layout()) {
                                    self.layout
                                } else {
                                    crate::record::Layout::Separate
                                },
                                steps: None,
                                duration: Duration::from_nanos(self.duration_ns),
                                warmup: Duration::from_nanos(self.warmup_ns),
                                sample_every: self.sample_every,
                                fixed_ops: None,
                                timeout: Duration::from_nanos(self.timeout_ns),
                            },
                            trial,
                        })
                })
            })
        })
    }

    /// Primitives that get no run at all because no value of their axes fits them (e.g.
    /// striped tables when every `--stripes` value is not a power of two).
    pub fn starved(&self) -> Vec<&str> {
        self.locks
            .iter()
            .filter(|l| {
                self.variants_for(registry::find(l).map(|p| p.kind))
                    .is_empty()
            })
            .map(String::as_str)
            .collect()
    }

    /// Number of (point, trial) runs in the plan.
    pub fn len(&self) -> usize {
        self.plan().count()
    }

    /// Whether the plan is empty.
    pub fn is_empty(&self) -> bool {
        self.plan().next().is_none()
    }

    /// Expected wall time of one run of a point with `threads` threads placed by `placement` on
    /// a machine with `cpus` usable CPUs: thread start-up and join, warm-up, latency and
    /// measured windows, and one sentinel reading (the reading after one trial is the reading
    /// before the next), plus the mid-trial reading of long windows. Busy-work calibration is
    /// once per configuration, left out here.
    pub fn run_cost(&self, threads: usize, placement: Placement, cpus: usize) -> Duration {
        // Spawning and pinning the threads, their accounting reads, the join and the row, and
        // the controller's late wake-ups between phases when the workers hold every CPU: about
        // 2 ms a trial per thread, up to 6 ms (quick sweeps on 2 CPUs: 1.8 ms at 1 thread, 4–6
        // ms beyond).
        let start_and_join = Duration::from_millis(2) * threads.clamp(1, 3) as u32;
        // Unpinned threads may run anywhere: the sentinel reads every allowed CPU.
        let used = if placement == Placement::None {
            cpus.max(1)
        } else {
            threads.clamp(1, cpus.max(1))
        } as u32;
        // One CPU: its alone leg after a ramp. More: a together leg after a ramp, and their
        // alone legs again when the kept ones no longer serve (`sentinel::alone_still_serves`),
        // modelled as one reading in two (checked through the estimates in FINDINGS, "Time to
        // answer").
        let alone = (LEG / 4 + LEG) * used;
        let reading = if used > 1 {
            LEG / 4 + LEG + alone / 2
        } else {
            alone
        };
        let sentinel = if !self.sentinel {
            Duration::ZERO
        } else if Duration::from_nanos(self.duration_ns) >= crate::harness::MID_TRIAL_SENTINEL_FROM
        {
            // The mid-trial reading is taken whole, by a sentinel of its own.
            reading + alone + LEG / 4 + LEG
        } else {
            reading
        };
        start_and_join
            + Duration::from_nanos(self.warmup_ns + self.duration_ns)
            // The latency window (a quarter of the measured window) when anything is sampled.
            + Duration::from_nanos(if self.sample_every > 0 { self.duration_ns / 4 } else { 0 })
            + sentinel
    }

    /// Expected wall time of planned runs with these thread counts and placements on `cpus`
    /// usable CPUs ([`Self::run_cost`] each). Not included, because nobody knows them in
    /// advance: retries of disturbed trials (each after a pause) and replacements of trials
    /// left out ([`Self::extra_runs_max`]); [`Self::expected`] adds an allowance for them.
    pub fn estimate(
        &self,
        runs: impl Iterator<Item = (usize, Placement)>,
        cpus: usize,
    ) -> Duration {
        runs.map(|(t, p)| self.run_cost(t, p, cpus)).sum()
    }

    /// [`Self::estimate`] with the allowance a sweep announces for replacements and retries:
    /// [`EXPECTED_EXTRA`] more runs when the spec may replace trials, and
    /// [`EXPECTED_RETRIES`] of all runs retried after a pause when the sentinel is on.
    pub fn expected(&self, planned: Duration, runs: usize) -> Duration {
        let share = 1.0 + self.expected_extra();
        let mut total = planned.mul_f64(share);
        if self.retries() && runs > 0 {
            let retries = runs as f64 * share * EXPECTED_RETRIES;
            let per_run = planned / runs as u32;
            total += (per_run + Policy::default().pause).mul_f64(retries);
        }
        total
    }

    /// Whether disturbed trials are retried: the sentinel is on, with retries.
    pub fn retries(&self) -> bool {
        self.sentinel && self.sentinel_retries > 0
    }

    /// Replacements expected, as a share of the planned runs: [`EXPECTED_EXTRA`] when the spec
    /// may replace trials, else none.
    pub fn expected_extra(&self) -> f64 {
        if self.max_trials > self.trials {
            EXPECTED_EXTRA
        } else {
            0.0
        }
    }

    /// The most replacement trials a sweep can add: every point to `max_trials`.
    pub fn extra_runs_max(&self) -> usize {
        let points = self.len() / self.trials.max(1) as usize;
        points * self.max_trials.saturating_sub(self.trials) as usize
    }
}

/// Replacement trials a sweep expects to add, as a share of its planned runs, for its
/// announced estimate (the progress line's ETA learns the sweep's own share as it goes):
/// mostly trials on another cache layout after the host moved a vCPU (`sweep` prints the
/// count; FINDINGS, "Time to answer", has the measured shares).
pub const EXPECTED_EXTRA: f64 = 0.18;

/// Runs a sweep expects to retry after a disturbance, as a share of its runs (FINDINGS,
/// "Time to answer").
pub const EXPECTED_RETRIES: f64 = 0.05;

/// What a sweep is about to do, as its progress hears it before the first run.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Outlook {
    /// Runs to make (after skipping resumed ones).
    pub runs: usize,
    /// Runs skipped because an earlier invocation made them.
    pub skipped: usize,
    /// Their expected wall time ([`SweepSpec::estimate`]).
    pub planned: Duration,
    /// With the usual replacements and retries ([`SweepSpec::expected`]): the figure to
    /// announce.
    pub expected: Duration,
    /// The most replacement trials the sweep may add.
    pub extra_max: usize,
    /// Replacements expected, as a share of `runs` ([`SweepSpec::expected_extra`]).
    pub extra_share: f64,
    /// Whether disturbed trials are retried (the sentinel is on with retries).
    pub retries: bool,
}

/// What the sweep loop reports as it goes.
pub trait Progress {
    /// Before the first run.
    fn start(&mut self, outlook: &Outlook);
    /// Replacements added `runs` runs to the plan.
    fn extend(&mut self, runs: usize);
    /// After each run; `cost` is its expected wall time ([`SweepSpec::run_cost`]), against
    /// which an ETA can scale what is left.
    fn done(&mut self, planned: &Planned, cost: Duration, out: &TrialOutput);
    /// At the end.
    fn finish(&mut self);
    /// A status line from the sweep around the loop ("probing …", "writing to …").
    fn note(&mut self, _message: &str) {}
}

/// Why a sweep stopped early.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The harness refused a point (broken lock, failed thread).
    #[error(transparent)]
    Harness(#[from] HarnessError),
    /// Results could not be written.
    #[error(transparent)]
    Write(#[from] crate::rundir::csv::WriteError),
}

/// How a sweep ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SweepOutcome {
    /// Runs measured and written in this invocation.
    pub written: usize,
    /// Runs skipped because a previous invocation wrote them (`--resume`).
    pub skipped: usize,
    /// Extra trials run to replace ones left out.
    pub extra: usize,
    /// Trials that stayed degraded after their retries (kept, flagged).
    pub degraded: usize,
    /// Stopped by request before the plan was done.
    pub interrupted: bool,
    /// Where the wall clock went (from the loop's start: `setup_s` is the caller's to fill).
    pub time: TimeUse,
}

/// How `spec`'s sweep judges sentinel readings on `env`: its threshold and retries, slow CPUs
/// against the start-up calibration (as [`guarded_trial`] does).
pub(crate) fn sentinel_policy(spec: &SweepSpec, env: &Env) -> Policy {
    Policy {
        threshold: spec.sentinel_threshold,
        retries: spec.sentinel_retries,
        calibrated_units_per_ns: Some(env.startup_busy.units_per_ns()),
        ..Policy::default()
    }
}

/// A point's identity without its trial number: what replacements track.
fn variant(key: &PointKey) -> PointKey {
    PointKey {
        trial: 0,
        ..key.clone()
    }
}

/// A configuration: placement, threads, critical section and think time.
type Config = (Placement, usize, u64, u64);

/// The configuration a point belongs to (everything but primitive, workload variant, trial):
/// trials are interleaved and replacements run within one configuration at a time, and a
/// busy-work calibration serves one configuration (`upkeep::Calibration`).
fn config(point: &Point) -> Config {
    let s = &point.setting;
    (s.placement, s.threads, s.cs_ns, s.think_ns)
}

/// The sweep loop's state: what is done, each point's finished trials, the outcome.
struct Runner<'a> {
    env: &'a Env,
    spec: &'a SweepSpec,
    lookup: &'a dyn Fn(&str) -> Option<Primitive>,
    done: HashSet<PointKey>,
    trials: HashMap<PointKey, Vec<TrialFacts>>,
    stop: &'a dyn Fn() -> bool,
    /// How the sentinel's readings and the trial's own data are judged ([`sentinel_policy`]).
    policy: Policy,
    sentinel: upkeep::Shared<'a>,
    calibration: upkeep::Calibration,
    progress: &'a mut dyn Progress,
    write: &'a mut dyn FnMut(&TrialOutput) -> Result<(), SweepError>,
    outcome: SweepOutcome,
}

impl Runner<'_> {
    /// Runs one planned trial (unless already done); `false` when a stop was requested.
    fn run(&mut self, planned: &Planned) -> Result<bool, SweepError> {
        let key = planned.key();
        if self.done.contains(&key) {
            return Ok(true);
        }
        if (self.stop)() {
            self.outcome.interrupted = true;
            return Ok(false);
        }
        let primitive = (self.lookup)(&planned.point.primitive)
            .expect("sweep specs hold names the lookup knows (validated on parse and resume)");
        let env = self
            .calibration
            .env_for(self.env, &planned.point, &self.sentinel);
        let mut attempts: Vec<Duration> = Vec::new();
        let mut trial = || {
            let started = Instant::now();
            let out = primitive.run(&env, &planned.point, planned.trial);
            attempts.push(started.elapsed());
            out
        };
        let mut out = if self.spec.sentinel {
            self.sentinel.offer_last();
            guarded_trial(
                &env,
                &planned.point,
                primitive.about.waits == registry::Waiting::Spins,
                &self.policy,
                &mut self.sentinel,
                &mut trial,
            )?
        } else {
            trial()?
        };
        self.account(&planned.point, &out, &attempts, self.policy.pause);
        let trials = self.trials.entry(variant(&key)).or_default();
        trials.push(TrialFacts::of(&out.record));
        out.record
            .set_stability(&stability(&clean_throughputs(trials), self.spec.trials));
        self.outcome.degraded += usize::from(out.record.degraded);
        (self.write)(&out)?;
        self.done.insert(key);
        self.outcome.written += 1;
        let cost = self.spec.run_cost(
            planned.point.setting.threads,
            planned.point.setting.placement,
            self.env.host.usable_cpus(),
        );
        self.progress.done(planned, cost, &out);
        Ok(true)
    }

    /// Adds a trial's time to the account: the kept attempt's windows, warm-up and the rest
    /// of its wall time; earlier attempts (disturbed, measured again) and their pauses.
    fn account(
        &mut self,
        point: &Point,
        out: &TrialOutput,
        attempts: &[Duration],
        pause: Duration,
    ) {
        let t = &mut self.outcome.time;
        let Some((kept, retried)) = attempts.split_last() else {
            return;
        };
        let measured = out.record.elapsed_s;
        let latency = out.record.latency_ms.unwrap_or(0.0) / 1e3;
        let warmup = point.warmup.as_secs_f64();
        t.measured_s += measured;
        t.latency_s += latency;
        t.warmup_s += warmup;
        t.trial_rest_s += (kept.as_secs_f64() - measured - latency - warmup).max(0.0);
        t.retries_s += retried.iter().map(Duration::as_secs_f64).sum::<f64>();
        t.pauses_s += pause.as_secs_f64() * retried.len() as f64;
    }

    /// Runs one configuration: its planned trials (interleaved across primitives), then
    /// extra rounds, each for the points short of their planned clean trials, until none is or
    /// the budget is spent.
    fn run_config(&mut self, batch: &[Planned]) -> Result<bool, SweepError> {
        for planned in batch {
            if !self.run(planned)? {
                return Ok(false);
            }
        }
        let firsts: Vec<&Planned> = batch.iter().filter(|p| p.trial == 0).collect();
        for extra in self.spec.trials..self.spec.max_trials {
            let short: Vec<Planned> = firsts
                .iter()
                .filter(|p| {
                    let trials = self
                        .trials
                        .get(&variant(&p.key()))
                        .map_or(&[][..], Vec::as_slice);
                    !stability(&clean_throughputs(trials), self.spec.trials).stable
                })
                .map(|p| Planned {
                    trial: extra,
                    ..(*p).clone()
                })
                .collect();
            if short.is_empty() {
                break;
            }
            let new = short
                .iter()
                .filter(|p| !self.done.contains(&p.key()))
                .count();
            self.progress.extend(new);
            self.outcome.extra += new;
            for planned in &short {
                if !self.run(planned)? {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }
}

/// Runs the plan: every (point, trial) not already among `prior` rows (a resumed sweep's),
/// each between sentinel readings when the spec asks, each written through `write` before
/// the next starts, plus replacements for trials left out. `stop()` is polled between runs:
/// when it turns true the sweep ends after the run in flight. `lookup` names the primitive to
/// run for each of the spec's names (`registry::find` normally; a test passes a fake).
// Eight plain parameters, each a different role the caller fills; a struct of them would only
// rename the call.
#[allow(clippy::too_many_arguments)]
pub fn run_sweep(
    env: &Env,
    spec: &SweepSpec,
    lookup: &dyn Fn(&str) -> Option<Primitive>,
    prior: &[RunRecord],
    stop: &dyn Fn() -> bool,
    sentinel: &mut dyn Sentinel,
    progress: &mut dyn Progress,
    write: &mut dyn FnMut(&TrialOutput) -> Result<(), SweepError>,
) -> Result<SweepOutcome, SweepError> {
    let done: HashSet<PointKey> = prior.iter().map(RunRecord::key).collect();
    let mut trials: HashMap<PointKey, Vec<TrialFacts>> = HashMap::new();
    for r in prior {
        trials
            .entry(variant(&r.key()))
            .or_default()
            .push(TrialFacts::of(r));
    }
    let total = spec.plan_with(lookup).count();
    let todo: Vec<Planned> = spec
        .plan_with(lookup)
        .filter(|p| !done.contains(&p.key()))
        .collect();
    let estimate = spec.estimate(
        todo.iter()
            .map(|p| (p.point.setting.threads, p.point.setting.placement)),
        env.host.usable_cpus(),
    );
    let todo = todo.len();
    let started = Instant::now();
    progress.start(&Outlook {
        runs: todo,
        skipped: total - todo,
        planned: estimate,
        expected: spec.expected(estimate, todo),
        extra_max: spec.extra_runs_max(),
        extra_share: spec.expected_extra(),
        retries: spec.retries(),
    });
    let policy = sentinel_policy(spec, env);
    let mut runner = Runner {
        env,
        spec,
        lookup,
        done,
        trials,
        stop,
        policy,
        sentinel: upkeep::Shared::new(sentinel, policy),
        calibration: upkeep::Calibration::default(),
        progress,
        write,
        outcome: SweepOutcome {
            written: 0,
            skipped: total - todo,
            extra: 0,
            degraded: 0,
            interrupted: false,
            time: TimeUse::default(),
        },
    };
    let mut batch: Vec<Planned> = Vec::new();
    for planned in spec.plan_with(lookup) {
        if batch
            .first()
            .is_some_and(|b| config(&b.point) != config(&planned.point))
        {
            if !runner.run_config(&batch)? {
                break;
            }
            batch.clear();
        }
        batch.push(planned);
    }
    if !runner.outcome.interrupted && !batch.is_empty() {
        runner.run_config(&batch)?;
    }
    runner.progress.finish();
    let mut outcome = runner.outcome;
    let t = &mut outcome.time;
    t.sentinel_s = runner.sentinel.spent.as_secs_f64();
    t.sentinel_reused = runner.sentinel.reused;
    t.calibration_s = runner.calibration.spent.as_secs_f64();
    t.calibrations = runner.calibration.made;
    t.wall_s = started.elapsed().as_secs_f64();
    t.other_s = t.wall_s
        - (t.measured_s
            + t.latency_s
            + t.warmup_s
            + t.trial_rest_s
            + t.sentinel_s
            + t.calibration_s
            + t.retries_s
            + t.pauses_s);
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> SweepSpec {
        SweepSpec {
            threads: vec![1, 2],
            cs_ns: vec![0, 100],
            read_ratios: vec![0.0, 0.5],
            stripes: vec![1, 4],
            sample_every: 1,
            timeout_ns: 1_000_000_000,
            sentinel: false,
            sentinel_retries: 0,
            ..SweepSpec::new(
                vec![
                    "spin-tas".into(),
                    "futex-mutex".into(),
                    "cas-counter".into(),
                ],
                1_000_000,
                1_000_000,
                2,
            )
        }
    }

    #[test]
    fn plan_size_is_the_product_of_the_axes() {
        let s = small();
        // Exclusive and counter primitives ignore the read-ratio axis.
        assert_eq!(s.len(), 3 * 2 * 2 * 2);
        let s = SweepSpec {
            placements: vec![Placement::Compact, Placement::Spread],
            layout: crate::record::Layout::Separate,
            think_ns: vec![0, 5, 9],
            ..small()
        };
        assert_eq!(s.len(), 3 * 2 * 2 * 2 * 2 * 3);
        assert!(!s.is_empty());
        assert!(
            SweepSpec {
                locks: vec![],
                ..small()
            }
            .is_empty()
        );
    }

    #[test]
    fn trials_interleave_across_primitives() {
        let s = small();
        let first: Vec<(String, u32)> = s
            .plan()
            .take(6)
            .map(|p| (p.point.primitive, p.trial))
            .collect();
        assert_eq!(
            first,
            vec![
                ("spin-tas".into(), 0),
                ("futex-mutex".into(), 0),
                ("cas-counter".into(), 0),
                ("spin-tas".into(), 1),
                ("futex-mutex".into(), 1),
                ("cas-counter".into(), 1),
            ]
        );
        // The point changes only after every trial of every primitive ran.
        let points: Vec<(usize, u64)> = s
            .plan()
            .map(|p| (p.point.setting.threads, p.point.setting.cs_ns))
            .collect();
        assert_eq!(points[..6], [(1, 0); 6]);
        assert_eq!(points[6], (1, 100));
    }

    #[test]
    fn every_key_is_unique() {
        let s = SweepSpec {
            placements: vec![Placement::Compact, Placement::None],
            layout: crate::record::Layout::Separate,
            ..small()
        };
        let keys: HashSet<PointKey> = s.plan().map(|p| p.key()).collect();
        assert_eq!(keys.len(), s.len());
    }

    #[test]
    fn presets_cover_every_family_and_oversubscribe() {
        for preset in [Preset::Quick, Preset::Standard, Preset::Full] {
            let s = preset.spec(2);
            assert_eq!(s.locks.len(), registry::PRIMITIVES.len());
            assert!(
                s.threads.iter().any(|&t| t > 2),
                "{preset:?} never oversubscribes"
            );
            assert!(s.threads.contains(&1));
        }
    }

    #[test]
    fn kinds_only_get_the_axes_they_take() {
        let s = SweepSpec {
            locks: vec![
                "rw-phase-fair".into(),
                "bank-ordered".into(),
                "striped-spin".into(),
                "spin-tas".into(),
            ],
            threads: vec![2],
            cs_ns: vec![0],
            trials: 1,
            read_ratios: vec![0.5, 0.9],
            stripes: vec![1, 6, 8],
            key_skews: vec![0.0, 0.99],
            ..small()
        };
        let count = |name: &str| s.plan().filter(|p| p.point.primitive == name).count();
        assert_eq!(count("rw-phase-fair"), 2, "read ratios only");
        assert_eq!(
            count("bank-ordered"),
            2 * 2,
            "stripes 6 and 8 (not 1) × 2 skews"
        );
        assert_eq!(
            count("striped-spin"),
            2 * 2,
            "stripes 1 and 8 (not 6) × 2 skews"
        );
        assert_eq!(count("spin-tas"), 1, "no workload axes");
        assert!(s.starved().is_empty());
        let none_fit = SweepSpec {
            locks: vec!["striped-spin".into()],
            stripes: vec![6],
            ..s
        };
        assert_eq!(none_fit.starved(), vec!["striped-spin"]);
    }

    #[test]
    fn estimate_counts_every_run_and_its_sentinel_per_cpu() {
        let s = SweepSpec {
            sentinel: true,
            ..small()
        };
        assert_eq!(s.estimate(std::iter::empty(), 2), Duration::ZERO);
        let plan: Vec<Planned> = s.plan().collect();
        let c = Placement::Compact;
        let one = s.run_cost(1, c, 2);
        // A trial on two CPUs reads the alone leg of each: its sentinel costs more; unpinned, it
        // reads every CPU.
        assert!(s.run_cost(2, c, 2) > one && s.run_cost(4, c, 2) >= s.run_cost(2, c, 2));
        assert!(s.run_cost(1, Placement::None, 2) > one);
        let sum: Duration = plan
            .iter()
            .map(|p| s.run_cost(p.point.setting.threads, p.point.setting.placement, 2))
            .sum();
        assert_eq!(
            s.estimate(
                plan.iter()
                    .map(|p| (p.point.setting.threads, p.point.setting.placement)),
                2
            ),
            sum
        );
        assert_eq!(
            SweepSpec {
                max_trials: s.trials + 2,
                ..s.clone()
            }
            .extra_runs_max(),
            2 * s.len() / s.trials as usize
        );
    }
}
