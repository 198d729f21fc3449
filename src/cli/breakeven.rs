//! `lockbench breakeven`: where, on this CPU, does sleeping start to beat spinning?
//!
//! Sweeps critical-section length on a log scale for a spinlock, the never-spinning futex
//! mutex, the adaptive mutex and std's mutex, at threads = cores and threads = 2 × cores, with
//! no think time and with a think time (a duty cycle below 100%), then finds the crossings for
//! throughput and for CPU efficiency (ops per CPU-second) in each (threads, think) panel.

use crate::cli::sweep::execute;
use crate::error::UsageError;
use crate::harness::host::Host;
use crate::rundir::dir::default_out;
use crate::rundir::dir::new_run_dir;
use crate::sweep::{SweepSpec, axes};
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Presets of the break-even sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum BreakevenPreset {
    /// 12 lengths from 20 ns to 500 µs, think 0 and the middle length (~2 µs), 5 trials of
    /// 100 ms: 960 runs, ~5 minutes estimated on 2 cores (`--dry-run`).
    Quick,
    /// 24 lengths, think 0 and the middle length (~2.5 µs), 5 trials of 250 ms: 1920 runs,
    /// ~11 minutes estimated; for a quiet machine.
    Fine,
}

/// Arguments of `lockbench breakeven`.
#[derive(Debug, clap::Args)]
pub(crate) struct BreakevenArgs {
    /// Starting settings; explicit options override them.
    #[arg(long, value_enum, default_value_t = BreakevenPreset::Quick)]
    preset: BreakevenPreset,
    /// Critical-section lengths: a log range MIN..MAX:POINTS (≥ 3 points) or a list.
    #[arg(long)]
    cs: Option<String>,
    /// Think times between operations (outside the lock), same syntax as --cs [default: 0
    /// and the middle critical-section length].
    #[arg(long)]
    think: Option<String>,
    /// The spinning lock [default: spin-ttas-backoff; with --analyse, the run's first lock].
    #[arg(long)]
    spinner: Option<String>,
    /// Sleeping locks compared with it, the first the headline [default:
    /// futex-mutex,adaptive-mutex,std-mutex; with --analyse, the run's other locks].
    #[arg(long)]
    sleepers: Option<String>,
    #[command(flatten)]
    trial: crate::cli::args::TrialArgs,
    /// Output directory (default results/<host>-<cpu>/<timestamp>-breakeven).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Only analyse an existing break-even run directory (no measuring).
    #[arg(long, value_name = "DIR", conflicts_with = "out")]
    analyse: Option<PathBuf>,
    /// Print the plan (runs and estimated time) and exit.
    #[arg(long, conflicts_with = "analyse")]
    dry_run: bool,
}

fn spec(args: &BreakevenArgs, cores: usize) -> Result<SweepSpec, UsageError> {
    let (range, trials, duration) = match args.preset {
        // 5 trials: 12 lengths are called at once and corrected across (see
        // `analysis::breakeven`); 3 a side would call a length only when all are called.
        BreakevenPreset::Quick => ("20ns..500us:12", 5, Duration::from_millis(100)),
        BreakevenPreset::Fine => ("20ns..500us:24", 5, Duration::from_millis(250)),
    };
    let text = args.cs.as_deref().unwrap_or(range);
    let cs_ns = axes::parse_durations(text, "--cs").map_err(|e| UsageError(e.to_string()))?;
    crate::experiments::breakeven::check_lengths(&cs_ns)
        .map_err(|e| UsageError(format!("--cs: {text:?}: {e}")))?;
    let think_ns = match &args.think {
        Some(text) => {
            let mut t =
                axes::parse_durations(text, "--think").map_err(|e| UsageError(e.to_string()))?;
            t.sort_unstable();
            t.dedup();
            t
        }
        None => crate::experiments::breakeven::default_think(&cs_ns),
    };
    let mut locks = vec![args.spinner.as_deref().unwrap_or(SPINNER).to_string()];
    locks.extend(
        args.sleepers
            .as_deref()
            .unwrap_or(SLEEPERS)
            .split(',')
            .map(|s| s.trim().to_string()),
    );
    for l in &locks {
        crate::experiments::breakeven::check_side(l, crate::registry::find(l))?;
    }
    args.trial.check()?;
    let mut spec = crate::experiments::breakeven::spec(
        locks,
        cores,
        cs_ns,
        think_ns,
        args.trial.trials.unwrap_or(trials),
        args.trial.duration.unwrap_or(duration),
        !args.trial.no_sentinel,
    );
    // An explicit --trials means exactly that many, as for `sweep`.
    if let Some(n) = args.trial.trials {
        spec.max_trials = n;
    }
    Ok(spec)
}

/// The spinner a break-even measures unless told.
const SPINNER: &str = "spin-ttas-backoff";
/// The sleepers a break-even measures unless told.
const SLEEPERS: &str = "futex-mutex,adaptive-mutex,std-mutex";

/// `lockbench breakeven`.
pub fn breakeven(args: BreakevenArgs) -> Result<()> {
    let host = Host::detect();
    let cores = host.usable_cpus();
    let dir = match &args.analyse {
        Some(dir) => dir.clone(),
        None => {
            let spec = spec(&args, cores)?;
            if args.dry_run {
                println!("{}", crate::sweep::session::dry_run_line(&spec, cores));
                return Ok(());
            }
            let out = args
                .out
                .clone()
                .unwrap_or_else(|| default_out(&host.info.machine(), "breakeven"));
            let dir = new_run_dir(Some(&out), &host.info.machine())?;
            execute(&spec, dir, None, &[])?
        }
    };
    let (spinner, sleepers) = match &args.analyse {
        Some(dir) => analysed_locks(dir, args.spinner.as_deref(), args.sleepers.as_deref())?,
        None => (
            args.spinner.as_deref().unwrap_or(SPINNER).to_string(),
            args.sleepers.as_deref().unwrap_or(SLEEPERS).to_string(),
        ),
    };
    analyse(&dir, &spinner, &sleepers)
}

/// The spinner and sleepers of an analysed run: the ones given, and for a side not given the
/// locks the run measured (its meta.json) other than the given side. Only a break-even run
/// (a breakeven.csv, or `breakeven` on its command line) says which lock spins: for another
/// run both sides must be given.
fn analysed_locks(
    dir: &Path,
    spinner: Option<&str>,
    sleepers: Option<&str>,
) -> Result<(String, String), UsageError> {
    if let (Some(s), Some(l)) = (spinner, sleepers) {
        return Ok((s.to_string(), l.to_string()));
    }
    let meta = crate::rundir::meta::read_meta(dir).map_err(|e| UsageError::from_chain(&e))?;
    let is_breakeven = dir.join(crate::rundir::run::BREAKEVEN_CSV).exists()
        || meta.command_line.iter().any(|a| a == "breakeven");
    let measured = meta.spec.map(|s| s.locks).unwrap_or_default();
    if !is_breakeven || measured.len() < 2 {
        return Err(UsageError(format!(
            "{}: not a break-even run with its locks in meta.json; give --spinner and --sleepers",
            dir.display()
        )));
    }
    let spinner = spinner.map_or_else(
        || {
            let given: Vec<&str> =
                sleepers.map_or(Vec::new(), |l| l.split(',').map(str::trim).collect());
            measured
                .iter()
                .find(|l| !given.contains(&l.as_str()))
                .cloned()
                .unwrap_or_default()
        },
        str::to_string,
    );
    let sleepers = sleepers.map_or_else(
        || {
            measured
                .iter()
                .filter(|l| **l != spinner)
                .cloned()
                .collect::<Vec<_>>()
                .join(",")
        },
        str::to_string,
    );
    Ok((spinner, sleepers))
}

/// Reads a break-even run directory, finds the crossings, writes breakeven.csv,
/// breakeven-points.csv, the chart (breakeven.svg and .png) and verdict.txt, and prints the
/// verdict.
fn analyse(dir: &Path, spinner: &str, sleepers: &str) -> Result<()> {
    let sleepers: Vec<&str> = sleepers.split(',').map(str::trim).collect();
    let verdict = crate::experiments::breakeven::write_analysis(dir, spinner, &sleepers)?;
    print!("{verdict}");
    eprintln!(
        "wrote {}/{{breakeven.csv, breakeven-points.csv, breakeven.svg, breakeven.png, verdict.txt}}",
        dir.display()
    );
    Ok(())
}
