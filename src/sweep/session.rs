//! A whole sweep into a run directory, as `lockbench sweep` runs it and as a user's own
//! program can: calibrate, probe the host and write meta.json, run the plan through
//! [`super::run_sweep`] with the parallelism sentinel, append every row to
//! runs.csv and histograms.csv as it completes, and close meta.json with the row count and
//! whether the sweep finished. Knows no terminal: the caller passes the stop predicate (the
//! CLI's Ctrl-C flag) and the [`Progress`] sink (the CLI's progress bar, or [`Lines`]).

use super::{Outlook, Planned, Progress, SweepError, SweepOutcome, SweepSpec, run_sweep};
use crate::error::{Interrupted, UsageError};
use crate::harness::{Env, TrialOutput};
use crate::record::RunRecord;
use crate::registry::Primitive;
use crate::rundir::csv::RunSink;
use crate::rundir::meta::{Meta, utc_timestamp, write_meta};
use crate::units::{fmt_ns, fmt_rate};
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// What an interrupted sweep left in its directory, to continue it (see
/// [`rundir::dir::resume_state`](crate::rundir::dir::resume_state)).
#[derive(Debug, Clone)]
pub struct Resumed {
    /// Its meta.json.
    pub meta: Meta,
    /// The rows it wrote.
    pub prior: Vec<RunRecord>,
}

/// Refuses `extra` primitives (your own locks) whose names clash with a registered
/// primitive's or with each other's: rows of two different locks under one name would be
/// matched by `compare` and mixed by a resume.
pub fn check_names(extra: &[Primitive]) -> Result<(), UsageError> {
    for (i, p) in extra.iter().enumerate() {
        let name = p.about.name;
        if crate::registry::find(name).is_some() {
            return Err(UsageError(format!(
                "your primitive {name:?} has the name of a registered one (see `lockbench list`): choose another"
            )));
        }
        if extra[..i].iter().any(|q| q.about.name == name) {
            return Err(UsageError(format!(
                "two of your primitives are named {name:?}: names must be unique"
            )));
        }
    }
    Ok(())
}

/// Names a primitive for each of a spec's names: the registry's, plus `extra` primitives
/// defined outside it (your own locks, whose names [`check_names`] keeps apart from the
/// registry's).
pub fn lookup_with(extra: &[Primitive]) -> impl Fn(&str) -> Option<Primitive> + '_ {
    move |name| {
        extra
            .iter()
            .find(|p| p.about.name == name)
            .copied()
            .or_else(|| crate::registry::find(name).copied())
    }
}

/// Measures `spec` into run directory `dir` (fresh from
/// [`rundir::dir::new_run_dir`](crate::rundir::dir::new_run_dir), or an interrupted run being
/// continued): meta.json with calibrations and probes (a few seconds), then every run,
/// written as it completes. `lookup` names the primitive for each of the spec's names
/// ([`lookup_with`]); `stop` is polled between runs; `progress` hears about every run and
/// gets short notes ("probing …"). An interrupted sweep returns [`Interrupted`] after closing
/// its files; any other stop keeps the rows written so far.
pub fn measure(
    spec: &SweepSpec,
    dir: &Path,
    resumed: Option<Resumed>,
    lookup: &dyn Fn(&str) -> Option<Primitive>,
    stop: &dyn Fn() -> bool,
    progress: &mut dyn Progress,
) -> Result<SweepOutcome> {
    if let Some(bad) = spec.locks.iter().find(|l| lookup(l).is_none()) {
        return Err(UsageError(format!("unknown primitive {bad:?} in the sweep spec")).into());
    }
    let setup = Instant::now();
    let mut env = Env::detect();
    for (what, lengths) in [("--cs", &spec.cs_ns), ("--think", &spec.think_ns)] {
        for &ns in lengths.iter() {
            env.busy.check_length(what, ns).map_err(UsageError)?;
        }
    }
    if spec.sentinel {
        env.mid_trial_sentinel = Some(crate::harness::sentinel::LEG);
    }
    env.calibrate_per_trial = true;
    if let Some(r) = &resumed {
        if r.meta.host.host_id != env.host.info.host_id {
            return Err(UsageError(format!(
                "{} was measured on host {:?}; this is {:?}: resume it there, or start a new sweep",
                dir.display(),
                r.meta.host.host_id,
                env.host.info.host_id
            ))
            .into());
        }
    }
    let (mut meta, prior, mut sink) = match resumed {
        Some(r) => {
            let sink = RunSink::append(dir, r.prior.len() as u64, &r.meta.run_id)?;
            (r.meta, r.prior, sink)
        }
        None => {
            progress.note("probing sleep/wake and cache-line costs …");
            let meta = crate::rundir::dir::new_meta(&env, spec)?;
            let sink = RunSink::create(dir, &meta.run_id)?;
            (meta, Vec::new(), sink)
        }
    };
    write_meta(dir, &meta)?;
    progress.note(&format!("writing to {}", dir.display()));
    let setup = setup.elapsed().as_secs_f64();
    let mut sentinel = crate::harness::sentinel::Parallelism::new(
        env.host.allowed_cpus.clone(),
        crate::harness::sentinel::LEG,
    )
    .with_distances(env.clock.clone())
    .keeping_alone_legs(super::sentinel_policy(spec, &env));
    let result = run_sweep(
        &env,
        spec,
        lookup,
        &prior,
        stop,
        &mut sentinel,
        progress,
        &mut |out| sink.write(out).map(drop).map_err(SweepError::from),
    );
    meta.rows = sink.rows();
    meta.finished_utc = Some(utc_timestamp(SystemTime::now(), false));
    let outcome = match result {
        Ok(mut o) => {
            o.time.setup_s = setup;
            o.time.wall_s += setup;
            // A resumed sweep's account is the sum of its invocations'.
            meta.time_use = Some(meta.time_use.map_or(o.time, |prior| prior.plus(&o.time)));
            o
        }
        Err(e) => {
            write_meta(dir, &meta)?;
            return Err(anyhow::Error::new(e).context(format!(
                "sweep stopped; the {} run(s) before this one are kept in {}",
                sink.rows(),
                dir.display()
            )));
        }
    };
    meta.complete = !outcome.interrupted;
    write_meta(dir, &meta)?;
    if outcome.interrupted {
        return Err(Interrupted {
            written: sink.rows() as usize,
            dir: dir.display().to_string(),
        }
        .into());
    }
    Ok(outcome)
}

/// Measures `spec` into a fresh run directory `out` (`None`: `results/<host>-<cpu>/<UTC
/// timestamp>`), with the registry's primitives and `extra` ones side by side, one plain
/// progress line per run on stderr and no way to stop early. Returns the directory, which
/// `lockbench compare`, `plot` and `report` read as any other run.
pub fn sweep_into(spec: &SweepSpec, extra: &[Primitive], out: Option<&Path>) -> Result<PathBuf> {
    check_names(extra)?;
    let machine = crate::harness::host::Host::detect().info.machine();
    let dir = crate::rundir::dir::new_run_dir(out, &machine)?;
    measure(
        spec,
        &dir,
        None,
        &lookup_with(extra),
        &|| false,
        &mut Lines::new(),
    )?;
    Ok(dir)
}

/// A run's one-line description: primitive, threads, cs, think, read ratio and trial.
pub fn describe(p: &Planned) -> String {
    format!(
        "{} ×{} cs={} think={}{} trial {}",
        p.point.primitive,
        p.point.setting.threads,
        fmt_ns(p.point.setting.cs_ns as f64),
        fmt_ns(p.point.setting.think_ns as f64),
        p.point
            .setting
            .read_ratio
            .map(|r| format!(" reads={r}"))
            .unwrap_or_default(),
        p.trial
    )
}

/// A run's result in a few words: its throughput, and whether it timed out, stayed
/// degraded or was oversubscribed.
pub fn summarise(out: &TrialOutput) -> String {
    let r = &out.record;
    let flag = if r.timed_out {
        " TIMED OUT".to_string()
    } else if r.degraded {
        format!(" DEGRADED ({}; kept, flagged)", r.degraded_by)
    } else if r.oversubscribed {
        " (oversubscribed)".to_string()
    } else {
        String::new()
    };
    format!("{}{flag}", fmt_rate(r.throughput_ops_s))
}

/// The time left in a sweep: the expected cost of the runs left ([`SweepSpec::run_cost`]),
/// including the replacements still to come at the share the sweep has needed so far (shrunk
/// toward the expected share) or the expected share ([`super::EXPECTED_EXTRA`]), whichever is
/// larger (a sweep's first configurations, one thread each, never lose trials to a cache
/// layout), scaled by the pace so far (wall time ÷ expected cost of the runs done). The cheap
/// and the dear runs of a plan are not alike (1-thread trials read one CPU's sentinel, 2-CPU
/// trials three legs), so a count of runs alone would misjudge it.
#[derive(Debug, Clone)]
pub struct Eta {
    outlook: Outlook,
    extra: usize,
    count: usize,
    cost_done: Duration,
    started: Instant,
}

impl Eta {
    /// A sweep about to make what `outlook` says, starting now.
    pub fn new(outlook: &Outlook) -> Eta {
        Eta {
            outlook: *outlook,
            extra: 0,
            count: 0,
            cost_done: Duration::ZERO,
            started: Instant::now(),
        }
    }

    /// Replacements added `runs` runs.
    pub fn extend(&mut self, runs: usize) {
        self.extra += runs;
    }

    /// One run done, expected to cost `cost`.
    pub fn done(&mut self, cost: Duration) {
        self.count += 1;
        self.cost_done += cost;
    }

    /// Runs known so far (planned and added).
    pub fn total(&self) -> usize {
        self.outlook.runs + self.extra
    }

    /// Runs done.
    pub fn count(&self) -> usize {
        self.count
    }

    /// The expected time left: the runs known and the replacements still to come (at most
    /// as many as the spec allows), at the expected cost per run, scaled by the pace so far.
    pub fn left(&self) -> Duration {
        if self.count == 0 || self.cost_done.is_zero() {
            return Duration::ZERO;
        }
        let planned = self.outlook.runs as f64;
        let done = self.count as f64;
        // The expected cost of a planned run; of a run so far when nothing was planned (a
        // resumed sweep that only replaces).
        let per_run = if planned > 0.0 {
            self.outlook.planned.as_secs_f64() / planned
        } else {
            self.cost_done.as_secs_f64() / done
        };
        // Planned runs done so far: those done minus the replacements, which run right after
        // their configuration's planned trials (so nearly all added ones are done).
        let planned_done = (done - self.extra as f64).clamp(0.0, planned);
        // The sweep's own share, shrunk toward the expected one by a prior worth 100 runs (one
        // early configuration says little), and never below it.
        let own = (self.extra as f64 + self.outlook.extra_share * 100.0) / (planned_done + 100.0);
        let share = own.max(self.outlook.extra_share);
        let to_come = ((planned - planned_done) * share)
            .min(self.outlook.extra_max.saturating_sub(self.extra) as f64);
        // What is left of the planned runs' expected cost (cheap and dear runs differ: a
        // 1-thread trial reads one CPU's sentinel), and the replacements at the mean.
        let left = (self.outlook.planned.as_secs_f64() + (self.extra as f64 + to_come) * per_run
            - self.cost_done.as_secs_f64())
        .max(0.0);
        let pace = self.started.elapsed().as_secs_f64() / self.cost_done.as_secs_f64();
        Duration::from_secs_f64(left * pace)
    }
}

/// Progress as plain lines on stderr: the plan's size, then one line per run with an ETA.
#[derive(Debug)]
pub struct Lines {
    eta: Eta,
}

impl Lines {
    /// Starts counting now.
    pub fn new() -> Lines {
        Lines {
            eta: Eta::new(&Outlook::default()),
        }
    }
}

impl Default for Lines {
    fn default() -> Lines {
        Lines::new()
    }
}

impl Progress for Lines {
    fn start(&mut self, outlook: &Outlook) {
        self.eta = Eta::new(outlook);
        eprintln!("{}", plan_line(outlook));
    }
    fn extend(&mut self, runs: usize) {
        self.eta.extend(runs);
    }
    fn done(&mut self, planned: &Planned, cost: Duration, out: &TrialOutput) {
        self.eta.done(cost);
        eprintln!(
            "[{:>5}/{}] {}: {} (ETA {:.0} s)",
            self.eta.count(),
            self.eta.total(),
            describe(planned),
            summarise(out),
            self.eta.left().as_secs_f64()
        );
    }
    fn finish(&mut self) {}
    fn note(&mut self, message: &str) {
        eprintln!("{message}");
    }
}

/// The line a sweep starts with: how many runs, how many skipped, how long.
pub fn plan_line(o: &Outlook) -> String {
    format!(
        "lockbench sweep: {} run(s){}, estimated {}{}",
        o.runs,
        if o.skipped > 0 {
            format!(" ({} already done, skipped)", o.skipped)
        } else {
            String::new()
        },
        fmt_secs(o.expected),
        match (o.extra_max > 0, o.retries) {
            (true, true) => format!(
                " with the usual replacements of trials left out and retries of disturbed ones (at most {} extra trial(s))",
                o.extra_max
            ),
            (true, false) => format!(
                " with the usual replacements of trials left out (at most {} extra trial(s))",
                o.extra_max
            ),
            (false, true) => " with the usual retries of disturbed trials".to_string(),
            (false, false) => String::new(),
        }
    )
}

/// A duration for people: "45 s", "3.2 min", "1.5 h".
pub(crate) fn fmt_secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 90.0 {
        format!("{s:.0} s")
    } else if s < 5400.0 {
        format!("{:.1} min", s / 60.0)
    } else {
        format!("{:.1} h", s / 3600.0)
    }
}

/// The `--dry-run` line: how many runs, from which axes, and the time estimate.
pub fn dry_run_line(spec: &SweepSpec, cpus: usize) -> String {
    let planned = spec.estimate(
        spec.plan()
            .map(|p| (p.point.setting.threads, p.point.setting.placement)),
        cpus,
    );
    let extra = spec.extra_runs_max();
    format!(
        "{} run(s) ({} primitive(s) × {} thread count(s) × {} cs × {} think × {} placement(s) × {} trial(s)), estimated {}{}",
        spec.len(),
        spec.locks.len(),
        spec.threads.len(),
        spec.cs_ns.len(),
        spec.think_ns.len(),
        spec.placements.len(),
        spec.trials,
        fmt_secs(spec.expected(planned, spec.len())),
        {
            let retries = if spec.retries() {
                " and retries of disturbed ones"
            } else {
                ""
            };
            if extra > 0 {
                format!(
                    " with the usual replacements of trials left out ({:.0}% more runs){retries}; at most {extra} extra run(s), about {} more",
                    super::EXPECTED_EXTRA * 100.0,
                    fmt_secs(planned * extra as u32 / spec.len().max(1) as u32)
                )
            } else if retries.is_empty() {
                String::new()
            } else {
                " with the usual retries of disturbed trials".to_string()
            }
        }
    )
}
