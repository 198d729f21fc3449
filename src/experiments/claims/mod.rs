//! `lockbench claims`: the textbook chapter's claims (`shared/TEXTBOOK.md` beside the
//! project, "Chapter 36: Concurrency Primitives"), each put to the test by an experiment
//! measured one sweep each into `OUT/<experiment id>/` (an ordinary run directory that
//! `compare`, `plot` and `report` read), then read back, judged and written as `claims.md`,
//! `claims.csv` and `report.html` in `OUT`.
//!
//! Every claim is one file of this module implementing [`TextbookClaim`]: its experiment
//! (`plan`: the sweep for a preset on this machine) and its rule (`judge`: pure, over the rows
//! read back), with the rule written out in the file's documentation. [`CLAIMS`] lists them
//! in order; adding a claim is a file, its `mod` line and its entry there. What every verdict rests on (figures,
//! "beyond noise", flagged points) is [`crate::analysis::verdict`]'s.
//!
//! `C` is the machine's usable CPUs and `2C` the oversubscribed regime. Each experiment holds
//! only the primitives and axes its claim needs (`lockbench claims --dry-run` prints the plan
//! and its estimate).

mod adaptive;
mod barrier;
mod context_switch;
mod deadlock;
mod fifo;
mod global_lock;
mod lock_free;
mod lost_updates;
mod queue;
mod reentrant;
mod rw_policy;
mod rwlock_reads;
mod semaphore;
mod spin_sleep;
mod striping;
#[cfg(test)]
mod tests;

use crate::analysis::verdict::Ctx;
pub use crate::analysis::verdict::{Claim, Verdict};
use crate::error::UsageError;
use crate::probes::Probes;
use crate::record::RunRecord;
use crate::report::claims::{CLAIMS_CSV, CLAIMS_MD, Context, ExperimentLink, REPORT_HTML};
use crate::rundir::csv::RUNS_CSV;
use crate::rundir::run::{LoadedRun, load_run};
use crate::sweep::session::{Resumed, lookup_with, measure};
use crate::sweep::{Progress, SweepSpec};
use anyhow::{Context as _, Result};
use std::path::Path;
use std::time::Duration;

/// How thoroughly to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// 3 clean trials of 100 ms (25 ms warm-up), up to 6 to replace trials left out (a verdict
    /// on a flagged point carries a caveat), a 9-length grid of critical sections (62.5 ns–16 µs, ×2
    /// apart, through 500 ns and 2 µs) for the spin/sleep claim: a few minutes on 2 CPUs.
    Quick,
    /// 5 clean trials of 200 ms (50 ms warm-up), up to 8 to replace trials left out, a 17-length grid (×√2 apart) for
    /// the spin/sleep claim.
    Standard,
}

impl Preset {
    /// Every preset, smallest first.
    pub const ALL: [Preset; 2] = [Preset::Quick, Preset::Standard];

    /// The lowercase name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Preset::Quick => "quick",
            Preset::Standard => "standard",
        }
    }
}

/// One experiment: its directory name, what it measures, and its sweep.
#[derive(Debug, Clone)]
pub struct Experiment {
    /// Directory name under the claims directory (the claim file's `ID`).
    pub id: &'static str,
    /// What it measures, for progress lines and the report.
    pub title: &'static str,
    /// The sweep.
    pub spec: SweepSpec,
}

/// One claim: its experiment and its rule.
pub trait TextbookClaim: Sync {
    /// Its experiment's directory name under a claims run and what it measures; `None` for
    /// a claim judged from what every experiment records (claim 2 reads the host probes).
    fn experiment(&self) -> Option<(&'static str, &'static str)>;
    /// The experiment's sweep for `preset` on a machine with `cores` usable CPUs (`None`
    /// when it has no experiment).
    fn plan(&self, preset: Preset, _cores: usize) -> Option<SweepSpec>;
    /// The verdict from its own experiment's data (`own`, `None` when missing) and every
    /// experiment's (`all`).
    fn judge(&self, own: Option<Ctx>, all: &[Measured]) -> Claim;
}

/// Every claim, in the chapter's order.
pub static CLAIMS: [&dyn TextbookClaim; 15] = [
    &lost_updates::LostUpdates,
    &context_switch::ContextSwitch,
    &spin_sleep::SpinSleep,
    &rwlock_reads::RwlockReads,
    &rw_policy::RwPolicy,
    &fifo::Fifo,
    &striping::Striping,
    &lock_free::LockFree,
    &deadlock::Deadlock,
    &semaphore::Semaphore,
    &queue::Queue,
    &barrier::Barrier,
    &global_lock::GlobalLock,
    &reentrant::Reentrant,
    &adaptive::Adaptive,
];

/// Every experiment's id and title, in claim order.
pub fn titles() -> impl Iterator<Item = (&'static str, &'static str)> {
    CLAIMS.iter().filter_map(|c| c.experiment())
}

/// One experiment's data, as read back from its run directory.
#[derive(Debug, Clone, Copy)]
pub struct Measured<'a> {
    /// The experiment id (its directory name).
    pub id: &'a str,
    /// How to name its run in a verdict: directory name and run id.
    pub run: &'a str,
    /// Its rows.
    pub rows: &'a [RunRecord],
    /// The host probes from its meta.json.
    pub probes: Option<&'a Probes>,
    /// Usable CPUs when it ran (`C`).
    pub cores: usize,
}

impl<'a> Measured<'a> {
    fn ctx(&self) -> Ctx<'a> {
        Ctx::new(
            self.rows,
            self.run,
            self.cores,
            self.probes
                .and_then(|p| p.cross_core_wakeup.as_ref())
                .map(|w| w.p90_ns),
        )
    }
}

/// Judges every claim from `inputs` (any order; missing experiments make their claims
/// inconclusive).
pub(crate) fn judge_all(inputs: &[Measured]) -> Vec<Claim> {
    CLAIMS
        .iter()
        .map(|c| {
            let own = c
                .experiment()
                .and_then(|(id, _)| inputs.iter().find(|m| m.id == id))
                .map(Measured::ctx);
            c.judge(own, inputs)
        })
        .collect()
}

/// What a claim file needs.
mod prelude {
    pub(super) use super::{Measured, Preset, TextbookClaim, spec};
    pub(super) use crate::analysis::aggregate::Trials;
    pub(super) use crate::analysis::verdict::*;
    pub(super) use crate::record::RunRecord;
    pub(super) use crate::sweep::SweepSpec;
    pub(super) use crate::units::{fmt_ns, fmt_rate};
}

/// A sweep of `locks` at `threads` (sorted, deduplicated) and `cs_ns`, think 0, compact
/// placement, with the preset's trials and window; workload axes at neutral values for the
/// caller to replace.
pub fn spec(preset: Preset, locks: &[&str], mut threads: Vec<usize>, cs_ns: Vec<u64>) -> SweepSpec {
    threads.sort_unstable();
    threads.dedup();
    let (trials, max_trials, duration_ms, warmup_ms, retries) = match preset {
        Preset::Quick => (3, 6, 100, 25, 1),
        Preset::Standard => (5, 8, 200, 50, 2),
    };
    SweepSpec {
        threads,
        cs_ns,
        stripes: vec![1],
        sample_every: 8,
        max_trials,
        sentinel_retries: retries,
        ..SweepSpec::new(
            locks.iter().map(|s| s.to_string()).collect(),
            duration_ms * 1_000_000,
            warmup_ms * 1_000_000,
            trials,
        )
    }
}

/// The experiments for `preset` on a machine with `cores` usable CPUs (`C`; `2C` is the
/// oversubscribed regime), in claim order.
pub fn experiments(preset: Preset, cores: usize) -> Vec<Experiment> {
    CLAIMS
        .iter()
        .filter_map(|c| {
            let (id, title) = c.experiment()?;
            Some(Experiment {
                id,
                title,
                spec: c.plan(preset, cores)?,
            })
        })
        .collect()
}

/// Applies the command line's overrides to every experiment: exactly `trials` trials (no
/// replacements; the spin/sleep experiment's own 5 are overridden too, and with 3 its calls
/// across lengths survive the correction only when every length is called), a `duration`
/// window, no sentinel.
pub fn override_all(
    exps: &mut [Experiment],
    trials: Option<u32>,
    duration: Option<Duration>,
    no_sentinel: bool,
) {
    for e in exps {
        if let Some(n) = trials {
            e.spec.trials = n;
            e.spec.max_trials = n;
        }
        if let Some(d) = duration {
            e.spec.duration_ns = d.as_nanos() as u64;
        }
        if no_sentinel {
            e.spec.sentinel = false;
        }
    }
}

/// An experiment's planned trials and their estimated wall time on `cpus` CPUs.
pub fn estimate(spec: &SweepSpec, cpus: usize) -> (usize, Duration) {
    let plan: Vec<_> = spec.plan().collect();
    let time = spec.estimate(
        plan.iter()
            .map(|p| (p.point.setting.threads, p.point.setting.placement)),
        cpus,
    );
    (plan.len(), spec.expected(time, plan.len()))
}

/// The plan: one line per experiment (id, title, trials, estimate) and a total line.
pub fn plan_lines(exps: &[Experiment], cpus: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let (mut trials, mut time, mut extra) = (0, Duration::ZERO, 0);
    for e in exps {
        let (n, t) = estimate(&e.spec, cpus);
        trials += n;
        time += t;
        extra += e.spec.extra_runs_max();
        lines.push(format!(
            "{:<22} {:>4} trial(s), est. {:>5}  {}",
            e.id,
            n,
            crate::sweep::session::fmt_secs(t),
            e.title
        ));
    }
    lines.push(format!(
        "claims plan: {trials} trial(s) in {} experiments on {cpus} CPU(s) (C = {cpus}, 2C = {}), estimated {}{} plus a few seconds of host probes per experiment",
        exps.len(),
        2 * cpus,
        crate::sweep::session::fmt_secs(time),
        if extra > 0 {
            format!("; replacing trials left out may add up to {extra} trial(s)")
        } else {
            String::new()
        }
    ));
    lines
}

/// Measures every experiment into `out/<id>/` (fresh directories), one progress note per
/// experiment, `stop` polled between runs (an interrupted experiment returns
/// [`crate::error::Interrupted`], keeping what was written).
pub fn measure_all(
    exps: &[Experiment],
    out: &Path,
    stop: &dyn Fn() -> bool,
    progress: &mut dyn Progress,
) -> Result<()> {
    let host = crate::harness::host::Host::detect();
    let (machine, cpus) = (host.info.machine(), host.usable_cpus());
    for (i, e) in exps.iter().enumerate() {
        let (n, t) = estimate(&e.spec, cpus);
        progress.note(&format!(
            "experiment {}/{} {}: {} — {n} trial(s), estimated {}",
            i + 1,
            exps.len(),
            e.id,
            e.title,
            crate::sweep::session::fmt_secs(t)
        ));
        let dir = crate::rundir::dir::new_run_dir(Some(&out.join(e.id)), &machine)?;
        measure(
            &e.spec,
            &dir,
            None::<Resumed>,
            &lookup_with(&[]),
            stop,
            progress,
        )?;
    }
    Ok(())
}

/// A claims directory read back: each experiment that has a runs.csv.
#[derive(Debug)]
pub struct Loaded {
    /// (experiment id, its run).
    pub runs: Vec<(&'static str, LoadedRun)>,
}

/// Reads the experiments under `dir`; a directory that is missing or holds none is a
/// [`UsageError`].
pub fn load(dir: &Path) -> Result<Loaded, UsageError> {
    if !dir.is_dir() {
        return Err(UsageError(format!(
            "{}: not a directory (expected a claims directory written by `lockbench claims`)",
            dir.display()
        )));
    }
    let mut runs = Vec::new();
    for (id, _) in titles() {
        let sub = dir.join(id);
        if sub.join(RUNS_CSV).exists() {
            runs.push((id, load_run(&sub)?));
        }
    }
    if runs.is_empty() {
        return Err(UsageError(format!(
            "{}: no claims experiment in it (expected subdirectories such as {}/{RUNS_CSV})",
            dir.display(),
            lost_updates::ID
        )));
    }
    Ok(Loaded { runs })
}

/// "01-lost-updates (run 20261128T…)".
fn run_label(id: &str, run: &LoadedRun) -> String {
    match run
        .meta
        .as_ref()
        .map(|m| m.run_id.as_str())
        .filter(|r| !r.is_empty())
    {
        Some(r) => format!("{id} (run {r})"),
        None => id.to_string(),
    }
}

/// Judges the claims from a loaded claims directory.
pub fn judge(loaded: &Loaded) -> Vec<Claim> {
    let labels: Vec<String> = loaded.runs.iter().map(|(id, r)| run_label(id, r)).collect();
    let inputs: Vec<Measured> = loaded
        .runs
        .iter()
        .zip(&labels)
        .map(|((id, r), label)| Measured {
            id,
            run: label,
            rows: &r.rows,
            probes: r.meta.as_ref().and_then(|m| m.probes.as_ref()),
            cores: r.meta.as_ref().map_or(0, |m| m.allowed_cpus.len()).max(1),
        })
        .collect();
    judge_all(&inputs)
}

/// The pages' title, host line and experiment list.
pub fn context(loaded: &Loaded) -> Context {
    let host = loaded
        .runs
        .iter()
        .find_map(|(_, r)| r.meta.as_ref())
        .map_or_else(String::new, |m| {
            format!(
                "{} — {} usable CPU(s) — kernel {} — lockbench {} ({}) — started {}",
                m.host.cpu_model,
                m.allowed_cpus.len(),
                m.host.kernel,
                m.host.lockbench_version,
                m.host.git_sha,
                m.started_utc
            )
        });
    let machine = loaded
        .runs
        .first()
        .and_then(|(_, r)| r.meta.as_ref())
        .map_or_else(|| "this machine".to_string(), |m| m.host.machine());
    Context {
        title: format!("Textbook claims on {machine}"),
        host,
        experiments: titles()
            .map(|(id, title)| {
                let run = loaded.runs.iter().find(|(i, _)| *i == id).map(|(_, r)| r);
                ExperimentLink {
                    id: id.to_string(),
                    title: title.to_string(),
                    run_id: run
                        .and_then(|r| r.meta.as_ref())
                        .map_or_else(String::new, |m| m.run_id.clone()),
                    trials: run.map_or(0, |r| r.rows.len()),
                }
            })
            .collect(),
    }
}

/// Reads the claims directory `dir`, judges the claims and writes claims.md, claims.csv and
/// report.html into it. Returns the claims and the Markdown text.
pub fn analyse_dir(dir: &Path) -> Result<(Vec<Claim>, String)> {
    let loaded = load(dir)?;
    let claims = judge(&loaded);
    let ctx = context(&loaded);
    let md = crate::report::claims::markdown(&claims, &ctx);
    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(dir.join(name), bytes)
            .with_context(|| format!("writing {}", dir.join(name).display()))
    };
    write(CLAIMS_MD, md.as_bytes())?;
    write(CLAIMS_CSV, &crate::report::claims::csv(&claims)?)?;
    write(
        REPORT_HTML,
        crate::report::claims::html(&claims, &ctx).as_bytes(),
    )?;
    Ok((claims, md))
}
