//! `lockbench advise PROFILE`: which lock to use, from a program's lock profile
//! (`lockbench::profile`), measured on this machine. The rule is in
//! `experiments::advise`.

use crate::cli::sweep::execute;
use crate::error::UsageError;
use crate::experiments::advise::{self, Advice, Signature};
use crate::harness::host::Host;
use crate::rundir::csv::{RUNS_CSV, load_runs};
use crate::rundir::dir::default_out;
use crate::rundir::dir::new_run_dir;
use crate::units::parse_duration;
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Arguments of `lockbench advise`.
#[derive(Debug, clap::Args)]
pub(crate) struct AdviseArgs {
    /// The program's profile: profile.csv, profile.json, or a directory holding one
    /// (written by `lockbench::profile::write`).
    #[arg(required_unless_present = "analyse")]
    profile: Option<PathBuf>,
    /// Advise on at most this many locks, most total wait first.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=50))]
    top: u32,
    /// Only this lock (its name in the profile; repeat for more).
    #[arg(long = "lock", value_name = "NAME")]
    locks: Vec<String>,
    /// Clean trials per candidate.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(3..=50))]
    trials: u32,
    /// Measured window per trial.
    #[arg(long, default_value = "200ms", value_parser = parse_duration)]
    duration: Duration,
    /// Output directory (default results/<host>-<cpu>/<timestamp>-advise).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Judge an existing advise directory again (no measuring).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["out", "profile"])]
    analyse: Option<PathBuf>,
    /// Print the plan (runs and estimated time per lock) and exit.
    #[arg(long, conflicts_with = "analyse")]
    dry_run: bool,
}

fn read_profile(path: &Path) -> Result<crate::profile::Profile, UsageError> {
    crate::profile::read(path).map_err(|e| UsageError(e.to_string()))
}

fn signatures(
    args: &AdviseArgs,
    profile: &crate::profile::Profile,
    profile_path: &Path,
) -> Result<Vec<Signature>, UsageError> {
    for name in &args.locks {
        if profile.lock(name).is_none() {
            let known: Vec<&str> = profile.locks().map(|r| r.lock.as_str()).collect();
            return Err(UsageError(format!(
                "{}: no lock named {name:?} (the profile has: {})",
                profile_path.display(),
                known.join(", ")
            )));
        }
    }
    let sigs = advise::signatures(profile, args.top as usize, &args.locks);
    unique_slugs(&sigs, profile_path)?;
    if sigs.is_empty() {
        return Err(UsageError(format!(
            "{}: no lock with a sampled hold time to replay ({} lock(s) in the profile)",
            profile_path.display(),
            profile.locks().count()
        )));
    }
    Ok(sigs)
}

/// Each lock gets its own run directory: two that would share one are refused.
fn unique_slugs(sigs: &[Signature], at: &Path) -> Result<(), UsageError> {
    for (i, a) in sigs.iter().enumerate() {
        if let Some(b) = sigs[i + 1..].iter().find(|b| b.slug() == a.slug()) {
            return Err(UsageError(format!(
                "{}: locks {:?} and {:?} would share the run directory {:?}: advise on one at a time (--lock)",
                at.display(),
                a.lock,
                b.lock,
                a.slug()
            )));
        }
    }
    Ok(())
}

/// `lockbench advise`.
pub fn advise(args: AdviseArgs) -> Result<()> {
    let host = Host::detect();
    let cpus = host.usable_cpus();
    if let Some(dir) = &args.analyse {
        // The locks measured there: those with a run directory.
        let profile_path = dir.join(crate::profile::PROFILE_CSV);
        let profile = read_profile(&profile_path)?;
        let sigs: Vec<Signature> = advise::signatures(&profile, usize::MAX, &[])
            .into_iter()
            .filter(|s| dir.join(s.slug()).join(RUNS_CSV).exists())
            .collect();
        unique_slugs(&sigs, &profile_path)?;
        if sigs.is_empty() {
            return Err(UsageError(format!(
                "{}: no lock's run directory found (is it a `lockbench advise` output?)",
                dir.display()
            ))
            .into());
        }
        return conclude(dir, &sigs, cpus);
    }
    let profile_path = args
        .profile
        .clone()
        .expect("clap requires PROFILE without --analyse");
    let profile = read_profile(&profile_path)?;
    let sigs = signatures(&args, &profile, &profile_path)?;
    let specs: Vec<_> = sigs
        .iter()
        .map(|s| advise::spec(s, args.trials, args.duration))
        .collect();
    if args.dry_run {
        for (s, spec) in sigs.iter().zip(&specs) {
            println!(
                "{}: {}",
                s.lock,
                crate::sweep::session::dry_run_line(spec, cpus)
            );
        }
        return Ok(());
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(&host.info.machine(), "advise"));
    let out = new_run_dir(Some(&out), &host.info.machine())?;
    crate::profile::write_profile(&profile, &out).map_err(|e| UsageError(e.to_string()))?;
    for (i, (s, spec)) in sigs.iter().zip(&specs).enumerate() {
        eprintln!(
            "lock {}/{} {}: {} threads, hold {}, think {} — {} candidates",
            i + 1,
            sigs.len(),
            s.lock,
            s.threads,
            crate::units::fmt_ns(s.hold_ns as f64),
            crate::units::fmt_ns(s.think_ns as f64),
            spec.locks.len()
        );
        let dir = new_run_dir(Some(&out.join(s.slug())), &host.info.machine())?;
        execute(spec, dir, None, &[])?;
    }
    conclude(&out, &sigs, cpus)
}

/// Judges each lock's run under `dir`, writes advice.md and advice.csv, prints the advice.
fn conclude(dir: &Path, sigs: &[Signature], cpus: usize) -> Result<()> {
    let mut advice: Vec<Advice> = Vec::new();
    for s in sigs {
        let runs = dir.join(s.slug()).join(RUNS_CSV);
        let rows = load_runs(&runs).map_err(|e| UsageError::from_chain(&e))?;
        advice.push(advise::judge(s, &rows, cpus));
    }
    let text = advise::render(&advice, cpus);
    let mut csv = String::from(advise::CSV_HEADER);
    csv.push('\n');
    for a in &advice {
        csv += &advise::csv_row(a);
        csv.push('\n');
    }
    for (name, body) in [("advice.md", &text), ("advice.csv", &csv)] {
        let path = dir.join(name);
        std::fs::write(&path, body)
            .map_err(|e| UsageError(format!("{}: cannot write: {e}", path.display())))?;
    }
    print!("{text}");
    eprintln!("wrote {}/{{advice.md, advice.csv}}", dir.display());
    Ok(())
}
