//! `lockbench sweep`: argument handling, the run directory, progress, Ctrl-C and resume.
//! The plan and the loop live in [`crate::sweep`]; files in [`crate::report`].

use crate::error::UsageError;
use crate::record::RunRecord;
use crate::rundir::csv::{HISTOGRAMS_CSV, RUNS_CSV};
use crate::rundir::dir::{new_run_dir, resume_state};
use crate::rundir::meta::{META_JSON, Meta};
use crate::sweep::session::{
    Eta, Resumed, describe, dry_run_line, fmt_secs, lookup_with, measure, plan_line, summarise,
};
use crate::sweep::{Outlook, Planned, Preset, Progress, SweepSpec, axes};
use crate::units::parse_duration;
use anyhow::Result;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// Arguments of `lockbench sweep`.
/// The options that set the sweep but are no axis of `record::AXES` (those refuse `--resume`
/// by themselves): all but the output, resume and dry-run switches.
const AXES: [&str; 11] = [
    "preset",
    "locks",
    "layout",
    "duration",
    "warmup",
    "trials",
    "sample",
    "timeout",
    "max_trials",
    "no_sentinel",
    "sentinel_threshold",
];

/// Every option that sets an axis conflicts with `--resume` (a resumed sweep takes its axes
/// from its meta.json); [`AXES`] lists them and a test checks it lists every one.
#[derive(Debug, clap::Args)]
pub(crate) struct SweepArgs {
    /// Starting grid; explicit axes below override its values.
    #[arg(long, value_enum, default_value_t = Preset::Quick)]
    preset: Preset,
    /// Primitives: names and/or families (spin, mutex, atomic, baseline), or `all`.
    #[arg(long)]
    locks: Option<String>,
    /// The grid's axes, each a list (`record::AXES`); each refuses `--resume`.
    #[command(flatten)]
    axes: crate::cli::args::SweepAxes,
    /// Where the protected data lives: `separate` (own cache line) or `inline` (the lock's).
    #[arg(long, value_enum)]
    layout: Option<crate::record::Layout>,
    /// Measured window per trial.
    #[arg(long, value_parser = parse_duration)]
    duration: Option<Duration>,
    /// Discarded warm-up per trial.
    #[arg(long, value_parser = parse_duration)]
    warmup: Option<Duration>,
    /// Trials per point.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    trials: Option<u32>,
    /// Time one op in N (default 16), every op (1), or none (0); see `lockbench run --help`.
    #[arg(long)]
    sample: Option<u32>,
    /// Watchdog budget per trial beyond its planned time.
    #[arg(long, value_parser = parse_duration)]
    timeout: Option<Duration>,
    /// Budget for replacing left-out trials (degraded, timed out, on another cache layout):
    /// at most this many trials per point in all (an explicit --trials without this runs
    /// exactly --trials).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    max_trials: Option<u32>,
    /// Skip the parallelism sentinel (faster; rows then carry no sentinel readings).
    #[arg(long)]
    no_sentinel: bool,
    /// Sentinel figure below which a trial is degraded (default 0.9).
    #[arg(long, value_parser = crate::units::parse_ratio)]
    sentinel_threshold: Option<f64>,
    /// Output directory (default: results/<host>-<cpu>/<UTC timestamp>); must not hold a run.
    #[arg(long, conflicts_with = "resume")]
    out: Option<PathBuf>,
    /// Continue an interrupted sweep in DIR, skipping the runs it already wrote.
    #[arg(long, value_name = "DIR", conflicts_with_all = AXES)]
    resume: Option<PathBuf>,
    /// Print the plan's size and estimated time, then exit without measuring.
    #[arg(long)]
    dry_run: bool,
}

/// Set by the Ctrl-C handler; polled between runs.
static STOP: AtomicBool = AtomicBool::new(false);
static PRESSES: AtomicUsize = AtomicUsize::new(0);

/// The sweep ended early on request; the binary exits with 130 like an interrupted shell
/// command.
impl SweepArgs {
    /// The preset, with every axis given on the command line replacing the preset's.
    fn spec(&self, cores: usize) -> Result<SweepSpec, UsageError> {
        let usage = |e: axes::AxisError| UsageError(e.to_string());
        let mut spec = self.preset.spec(cores);
        if let Some(t) = &self.locks {
            spec.locks = axes::parse_locks(t)
                .map_err(usage)?
                .into_iter()
                .map(String::from)
                .collect();
        }
        for (axis, text) in &self.axes.given {
            let values = axes::parse_values(*axis, text, cores).map_err(usage)?;
            spec.set_values(*axis, &values);
        }
        // A stripes value that some primitives reject (1 account, 6 stripes) is skipped for
        // them by the plan; one that every primitive taking stripes rejects is an error.
        let takers: Vec<crate::registry::Kind> = spec
            .locks
            .iter()
            .filter_map(|n| crate::registry::find(n))
            .map(|p| p.kind)
            .filter(|&k| crate::record::Axis::Stripes.takes(k))
            .collect();
        for &n in &spec.stripes {
            let errors: Vec<String> = takers
                .iter()
                .filter_map(|k| k.check_stripes(n).err())
                .collect();
            if !takers.is_empty() && errors.len() == takers.len() {
                return Err(UsageError(format!("--stripes: {}", errors[0])));
            }
        }
        if let Some(layout) = self.layout {
            spec.layout = layout;
        }
        if let Some(d) = self.duration {
            if d.is_zero() {
                return Err(UsageError("--duration must be longer than 0".into()));
            }
            spec.duration_ns = d.as_nanos() as u64;
        }
        if let Some(d) = self.warmup {
            spec.warmup_ns = d.as_nanos() as u64;
        }
        if let Some(n) = self.trials {
            spec.trials = n;
        }
        if let Some(n) = self.sample {
            spec.sample_every = n;
        }
        if let Some(d) = self.timeout {
            spec.timeout_ns = d.as_nanos() as u64;
        }
        // An explicit --trials means exactly that many, unless --max-trials allows
        // replacements on top.
        match (self.trials, self.max_trials) {
            (_, Some(n)) => spec.max_trials = n,
            (Some(n), None) => spec.max_trials = n,
            (None, None) => {}
        }
        spec.max_trials = spec.max_trials.max(spec.trials);
        if self.no_sentinel {
            spec.sentinel = false;
        }
        if let Some(t) = self.sentinel_threshold {
            spec.sentinel_threshold = t;
        }
        let starved = spec.starved();
        if !starved.is_empty() {
            eprintln!(
                "note: no axis value fits {}; they are left out of this sweep",
                starved.join(", ")
            );
        }
        if spec.is_empty() {
            return Err(UsageError(
                "the sweep plan is empty: every axis needs at least one value".into(),
            ));
        }
        Ok(spec)
    }
}

/// Installs the Ctrl-C handler: the first press asks the sweep to stop after the run in
/// flight ([`stop_requested`] turns true), the second exits at once with 130.
pub(crate) fn install_ctrl_c() {
    let _ = ctrlc::set_handler(|| {
        if PRESSES.fetch_add(1, Ordering::SeqCst) == 0 {
            STOP.store(true, Ordering::SeqCst);
            eprintln!("\nstopping after the run in flight (Ctrl-C again to abort at once)");
        } else {
            std::process::exit(130);
        }
    });
}

/// Whether Ctrl-C asked to stop: the stop predicate the sweep polls between runs.
pub(crate) fn stop_requested() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// Progress as a bar on a terminal, or one plain line per run otherwise; the ETA is
/// [`Eta`]'s (replacements still to come included), not the bar's own rate.
pub(crate) struct Reporter {
    bar: Option<indicatif::ProgressBar>,
    eta: Eta,
}

impl Reporter {
    /// No bar yet: `start` draws one when stderr is a terminal.
    pub(crate) fn new() -> Reporter {
        Reporter {
            bar: None,
            eta: Eta::new(&Outlook::default()),
        }
    }
}

impl Progress for Reporter {
    fn start(&mut self, outlook: &Outlook) {
        // A fresh count per sweep: `lockbench claims` runs several through one reporter.
        self.eta = Eta::new(outlook);
        eprintln!("{}", plan_line(outlook));
        if std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(outlook.runs as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{elapsed_precise} [{bar:30}] {pos}/{len} {prefix} {msg}",
                )
                .expect("static template")
                .progress_chars("=> "),
            );
            bar.set_prefix(format!("ETA {}", fmt_secs(outlook.expected)));
            self.bar = Some(bar);
        }
    }

    fn extend(&mut self, runs: usize) {
        self.eta.extend(runs);
        if let Some(bar) = &self.bar {
            bar.inc_length(runs as u64);
        }
    }

    fn done(&mut self, planned: &Planned, cost: Duration, out: &crate::harness::TrialOutput) {
        self.eta.done(cost);
        let line = format!("{}: {}", describe(planned), summarise(out));
        let left = self.eta.left();
        match &self.bar {
            Some(bar) => {
                bar.set_prefix(format!("ETA {}", fmt_secs(left)));
                bar.set_message(line);
                bar.inc(1);
            }
            None => {
                eprintln!(
                    "[{:>5}/{}] {line} (ETA {:.0} s)",
                    self.eta.count(),
                    self.eta.total(),
                    left.as_secs_f64()
                );
            }
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    fn note(&mut self, message: &str) {
        eprintln!("{message}");
    }
}

/// `lockbench sweep`.
pub fn sweep(args: SweepArgs) -> Result<()> {
    let host = crate::harness::host::Host::detect();
    let (spec, dir, mut meta, prior) = match &args.resume {
        Some(dir) => resume_state(dir)?,
        None => {
            let spec = args.spec(host.usable_cpus())?;
            if args.dry_run {
                println!("{}", dry_run_line(&spec, host.usable_cpus()));
                return Ok(());
            }
            let dir = new_run_dir(args.out.as_deref(), &host.info.machine())?;
            (spec, dir, None, Vec::new())
        }
    };
    let dir = execute(&spec, dir, meta.take(), &prior)?;
    let rows = crate::rundir::load_runs(&dir.join(RUNS_CSV))?;
    crate::report::text::write_sweep_summary(&mut std::io::stderr(), &rows, &dir)?;
    println!("{}", dir.display());
    Ok(())
}

/// Measures `spec` into run directory `dir` (fresh, or an interrupted one being resumed with
/// its `meta` and `prior` rows) with the registry's primitives, a progress bar and Ctrl-C
/// handling ([`crate::sweep::session::measure`] does the work). Returns the directory.
pub(crate) fn execute(
    spec: &SweepSpec,
    dir: PathBuf,
    meta: Option<Meta>,
    prior: &[RunRecord],
) -> Result<PathBuf> {
    let resumed = meta.map(|meta| Resumed {
        meta,
        prior: prior.to_vec(),
    });
    install_ctrl_c();
    let mut reporter = Reporter::new();
    let outcome = measure(
        spec,
        &dir,
        resumed,
        &lookup_with(&[]),
        &stop_requested,
        &mut reporter,
    )?;
    eprintln!(
        "done: {} run(s) written ({} extra to replace trials left out, {} skipped as already done) to {}/{{{RUNS_CSV}, {HISTOGRAMS_CSV}, {META_JSON}}}",
        outcome.written,
        outcome.extra,
        outcome.skipped,
        dir.display()
    );
    eprintln!("time: {}", outcome.time.line());
    if outcome.degraded > 0 {
        eprintln!(
            "warning: {} run(s) stayed DEGRADED (the machine disturbed them: see degraded_by); \
             they are kept with degraded=true and left out of summaries",
            outcome.degraded
        );
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Args;

    /// `--resume` refuses every option that sets the sweep (an axis of the table or another
    /// setting): a resumed sweep takes them from its meta.json. Only the output, the resume
    /// itself and the dry run may come with it.
    #[test]
    fn resume_conflicts_with_every_axis() {
        let cmd = SweepArgs::augment_args(clap::Command::new("sweep"));
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if ["out", "resume", "dry_run", "help"].contains(&id) {
                continue;
            }
            let long = format!("--{}", arg.get_long().expect("sweep options are long"));
            // A value the option accepts: its first named one, else a number or a duration.
            let named = arg
                .get_possible_values()
                .first()
                .map(|v| v.get_name().to_string());
            let candidates: Vec<String> = match named {
                Some(v) => vec![v],
                None => vec!["1".into(), "1ms".into()],
            };
            let err = candidates
                .iter()
                .map(|v| {
                    let mut argv = vec!["sweep", "--resume", "some/dir", long.as_str()];
                    if arg.get_action().takes_values() {
                        argv.push(v);
                    }
                    cmd.clone().try_get_matches_from(&argv).unwrap_err()
                })
                .find(|e| e.kind() != clap::error::ErrorKind::ValueValidation)
                .expect("some value is valid");
            assert_eq!(
                err.kind(),
                clap::error::ErrorKind::ArgumentConflict,
                "--resume does not refuse {long}: {err}"
            );
        }
    }
}
