//! `lockbench claims`: the experiments that put the textbook chapter's claims to the test,
//! measured one sweep each into `OUT/<experiment id>/` (an ordinary run directory that
//! `compare`, `plot` and `report` read), then read back, judged
//! ([`crate::analysis::claims::judge`]) and written as `claims.md`, `claims.csv` and
//! `report.html` in `OUT`.
//!
//! `C` is the machine's usable CPUs and `2C` the oversubscribed regime. Each experiment holds
//! only the primitives and axes its claim needs; the quick preset totals about 240 trials on
//! 2 CPUs (`lockbench claims --dry-run` prints the plan and its estimate).

use super::session::{Resumed, lookup_with, measure};
use super::{Progress, SweepSpec, axes};
use crate::analysis::claims::{self, BANK_ACCOUNTS, Claim, Measured, SKEW, ids};
use crate::error::UsageError;
use crate::record::{Layout, Placement};
use crate::report::claims::{CLAIMS_CSV, CLAIMS_MD, Context, ExperimentLink, REPORT_HTML};
use crate::report::csv::RUNS_CSV;
use crate::report::run::{LoadedRun, load_run};
use anyhow::{Context as _, Result};
use std::path::Path;
use std::time::Duration;

/// How thoroughly to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimsPreset {
    /// 3 trials of 100 ms (25 ms warm-up), up to 6 for a point not yet stable (a verdict on a
    /// flagged point carries a caveat): about 1–2 minutes on 2 CPUs.
    Quick,
    /// 5 trials of 200 ms (50 ms warm-up), up to 8 until stable, a 5-length log grid of
    /// critical sections for the spin/sleep claim.
    Standard,
}

impl ClaimsPreset {
    /// Every preset, smallest first.
    pub const ALL: [ClaimsPreset; 2] = [ClaimsPreset::Quick, ClaimsPreset::Standard];

    /// The lowercase name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimsPreset::Quick => "quick",
            ClaimsPreset::Standard => "standard",
        }
    }
}

/// One experiment: its directory name, what it measures, and its sweep.
#[derive(Debug, Clone)]
pub struct Experiment {
    /// Directory name under the claims directory (an [`ids`] constant).
    pub id: &'static str,
    /// What it measures, for progress lines and the report.
    pub title: &'static str,
    /// The sweep.
    pub spec: SweepSpec,
}

/// Every experiment's id and title, in claim order (claim 2 reads the host probes every
/// experiment's meta.json holds, and has no experiment of its own).
pub const TITLES: [(&str, &str); 13] = [
    (ids::LOST_UPDATES, "racy vs fetch_add counter, C threads"),
    (
        ids::SPIN_SLEEP,
        "spin-ttas-backoff vs futex-mutex over critical-section length, C and 2C",
    ),
    (
        ids::RWLOCK_READS,
        "RwLocks vs a mutex over read ratio, C threads, cs 1 µs",
    ),
    (
        ids::RW_POLICY,
        "reader-pref, writer-pref and phase-fair RwLocks, C threads, 90% reads",
    ),
    (ids::FIFO, "ticket and MCS vs TAS, C and 2C, cs 250 ns"),
    (
        ids::STRIPING,
        "striped-mutex 1 vs 16 stripes, uniform and skewed keys, C threads",
    ),
    (
        ids::LOCK_FREE,
        "CAS and fetch_add counters vs locks, 1, C, 2C threads",
    ),
    (
        ids::DEADLOCK,
        "bank transfers: lock ordering vs try-lock, C and 2C",
    ),
    (
        ids::SEMAPHORE,
        "semaphores with 1, 2, 4 permits, 2C threads",
    ),
    (ids::QUEUE, "condvar queue vs channels, 2 and 2C threads"),
    (ids::BARRIER, "sense-reversing vs std barrier, C and 2C"),
    (
        ids::GLOBAL_LOCK,
        "coarse lock vs striped locks vs shards, 1, C, 2C threads",
    ),
    (ids::REENTRANT, "reentrant vs plain mutex, 1 thread"),
];

/// What an experiment measures, by id.
pub fn title_of(id: &str) -> &'static str {
    TITLES.iter().find(|(i, _)| *i == id).map_or("", |(_, t)| t)
}

/// A sweep of `locks` at `threads` (sorted, deduplicated) and `cs_ns`, think 0, compact
/// placement, with the preset's trials and window; workload axes at neutral values for the
/// caller to replace.
fn spec(
    preset: ClaimsPreset,
    locks: &[&str],
    mut threads: Vec<usize>,
    cs_ns: Vec<u64>,
) -> SweepSpec {
    threads.sort_unstable();
    threads.dedup();
    let (trials, max_trials, duration_ms, warmup_ms, retries) = match preset {
        ClaimsPreset::Quick => (3, 6, 100, 25, 1),
        ClaimsPreset::Standard => (5, 8, 200, 50, 2),
    };
    SweepSpec {
        locks: locks.iter().map(|s| s.to_string()).collect(),
        threads,
        cs_ns,
        think_ns: vec![0],
        read_ratios: vec![0.9],
        stripes: vec![1],
        key_skews: vec![0.0],
        placements: vec![Placement::Compact],
        layout: Layout::Separate,
        duration_ns: duration_ms * 1_000_000,
        warmup_ns: warmup_ms * 1_000_000,
        trials,
        sample_every: 8,
        timeout_ns: 10_000_000_000,
        max_trials,
        stability_target: crate::record::DEFAULT_STABILITY_TARGET,
        sentinel: true,
        sentinel_threshold: crate::harness::sentinel::DEFAULT_THRESHOLD,
        sentinel_retries: retries,
    }
}

/// The experiments for `preset` on a machine with `cores` usable CPUs (`C`; `2C` is the
/// oversubscribed regime), in claim order.
pub fn experiments(preset: ClaimsPreset, cores: usize) -> Vec<Experiment> {
    let c = cores.max(1);
    let s = |locks: &[&str], threads: Vec<usize>, cs: Vec<u64>| spec(preset, locks, threads, cs);
    let spin_sleep_cs = match preset {
        ClaimsPreset::Quick => vec![100, 1_000, 10_000],
        ClaimsPreset::Standard => axes::log_range(50, 20_000, 5).expect("static range"),
    };
    let specs: Vec<(&'static str, SweepSpec)> = vec![
        (
            ids::LOST_UPDATES,
            s(&["racy-counter", "fetch-add-counter"], vec![c], vec![0]),
        ),
        (
            ids::SPIN_SLEEP,
            s(
                &["spin-ttas-backoff", "futex-mutex"],
                vec![c, 2 * c],
                spin_sleep_cs,
            ),
        ),
        (
            ids::RWLOCK_READS,
            SweepSpec {
                read_ratios: vec![0.5, 0.9, 0.99],
                ..s(
                    &["rw-phase-fair", "std-rwlock", "futex-mutex"],
                    vec![c],
                    vec![1_000],
                )
            },
        ),
        (
            ids::RW_POLICY,
            s(&claims::RW_POLICIES, vec![c], vec![1_000]),
        ),
        (
            ids::FIFO,
            SweepSpec {
                // Every op timed: oversubscribed, a FIFO lock completes a few dozen sections
                // in a window, and the hand-offs and preempted holders that explain it would
                // otherwise be a handful of samples.
                sample_every: 1,
                ..s(
                    &["spin-ticket", "spin-mcs", "spin-tas"],
                    vec![c, 2 * c],
                    vec![250],
                )
            },
        ),
        (
            ids::STRIPING,
            SweepSpec {
                stripes: vec![1, 16],
                key_skews: vec![0.0, SKEW],
                ..s(&["striped-mutex", "coarse-mutex"], vec![c], vec![250])
            },
        ),
        (
            ids::LOCK_FREE,
            s(
                &[
                    "cas-counter",
                    "fetch-add-counter",
                    "futex-mutex",
                    "spin-ttas",
                ],
                vec![1, c, 2 * c],
                vec![0],
            ),
        ),
        (
            ids::DEADLOCK,
            SweepSpec {
                stripes: vec![BANK_ACCOUNTS],
                ..s(&["bank-ordered", "bank-trylock"], vec![c, 2 * c], vec![250])
            },
        ),
        (
            ids::SEMAPHORE,
            SweepSpec {
                stripes: claims::PERMITS.to_vec(),
                ..s(&claims::SEMAPHORES, vec![2 * c], vec![1_000])
            },
        ),
        (
            ids::QUEUE,
            s(
                &["condvar-queue", "std-sync-channel", "crossbeam-channel"],
                vec![2, 2 * c],
                vec![0],
            ),
        ),
        (
            ids::BARRIER,
            s(&["sense-barrier", "std-barrier"], vec![c, 2 * c], vec![0]),
        ),
        (
            ids::GLOBAL_LOCK,
            SweepSpec {
                stripes: vec![16],
                ..s(&claims::GRANULARITY, vec![1, c, 2 * c], vec![0])
            },
        ),
        (
            ids::REENTRANT,
            s(&["reentrant-mutex", "futex-mutex"], vec![1], vec![0]),
        ),
    ];
    specs
        .into_iter()
        .map(|(id, spec)| Experiment {
            id,
            title: title_of(id),
            spec,
        })
        .collect()
}

/// Applies the command line's overrides to every experiment: exactly `trials` trials (no
/// extra stability rounds), a `duration` window, no sentinel.
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
    (plan.len(), time)
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
            super::session::fmt_secs(t),
            e.title
        ));
    }
    lines.push(format!(
        "claims plan: {trials} trial(s) in {} experiments on {cpus} CPU(s) (C = {cpus}, 2C = {}), estimated {}{} plus a few seconds of host probes per experiment",
        exps.len(),
        2 * cpus,
        super::session::fmt_secs(time),
        if extra > 0 {
            format!("; run-until-stable may add up to {extra} trial(s)")
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
            super::session::fmt_secs(t)
        ));
        let dir = super::run_dir::new_run_dir(Some(&out.join(e.id)), &machine)?;
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
    for (id, _) in TITLES {
        let sub = dir.join(id);
        if sub.join(RUNS_CSV).exists() {
            runs.push((id, load_run(&sub)?));
        }
    }
    if runs.is_empty() {
        return Err(UsageError(format!(
            "{}: no claims experiment in it (expected subdirectories such as {}/{RUNS_CSV})",
            dir.display(),
            ids::LOST_UPDATES
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
    claims::judge(&inputs)
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
        experiments: TITLES
            .iter()
            .map(|(id, title)| {
                let run = loaded.runs.iter().find(|(i, _)| i == id).map(|(_, r)| r);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quick_plan_stays_small_and_names_known_primitives() {
        for cores in [1, 2, 4] {
            let exps = experiments(ClaimsPreset::Quick, cores);
            assert_eq!(exps.len(), TITLES.len());
            for e in &exps {
                for l in &e.spec.locks {
                    assert!(crate::registry::find(l).is_some(), "{l}");
                }
                assert!(!e.spec.is_empty(), "{}", e.id);
                assert!(e.spec.starved().is_empty(), "{}", e.id);
            }
        }
        let total: usize = experiments(ClaimsPreset::Quick, 2)
            .iter()
            .map(|e| e.spec.len())
            .sum();
        assert!(total <= 400, "{total} trials");
    }
}
