//! `lockbench claims`: put each claim of the textbook chapter to the test on this machine.
//!
//! Runs the experiments of [`crate::experiments::claims`] into `OUT/<experiment>/`, judges every
//! claim and writes claims.md, claims.csv and report.html into
//! `OUT`; prints the Markdown table. `--only DIR` re-analyses a claims directory without
//! measuring.

use crate::error::UsageError;
use crate::experiments::claims::{self, Preset};
use crate::harness::host::Host;
use crate::report::claims::{CLAIMS_CSV, CLAIMS_MD, REPORT_HTML};
use crate::rundir::dir::default_out;
use anyhow::Result;
use std::path::PathBuf;

/// Arguments of `lockbench claims`.
#[derive(Debug, clap::Args)]
pub(crate) struct ClaimsArgs {
    /// How thoroughly to measure.
    #[arg(long, value_enum, default_value_t = Preset::Quick)]
    preset: Preset,
    /// Output directory (default results/<host>-<cpu>/<timestamp>-claims); must not hold
    /// experiments already.
    #[arg(long, conflicts_with = "only")]
    out: Option<PathBuf>,
    #[command(flatten)]
    trial: crate::cli::args::TrialArgs,
    /// Print the experiments, their trial counts and the time estimate, then exit.
    #[arg(long, conflicts_with = "only")]
    dry_run: bool,
    /// Only re-analyse an existing claims directory (no measuring).
    #[arg(long, value_name = "DIR")]
    only: Option<PathBuf>,
}

/// `lockbench claims`.
pub fn claims(args: ClaimsArgs) -> Result<()> {
    let dir = match &args.only {
        Some(dir) => dir.clone(),
        None => {
            let host = Host::detect();
            let cores = host.usable_cpus();
            args.trial.check()?;
            let mut exps = claims::experiments(args.preset, cores);
            let t = &args.trial;
            claims::override_all(&mut exps, t.trials, t.duration, t.no_sentinel);
            if args.dry_run {
                for line in claims::plan_lines(&exps, cores) {
                    println!("{line}");
                }
                return Ok(());
            }
            let out = args
                .out
                .clone()
                .unwrap_or_else(|| default_out(&host.info.machine(), "claims"));
            if exps.iter().any(|e| out.join(e.id).exists()) {
                return Err(UsageError(format!(
                    "{} already holds claims experiments; choose another --out, or re-analyse it with --only {0}",
                    out.display()
                ))
                .into());
            }
            for line in claims::plan_lines(&exps, cores) {
                eprintln!("{line}");
            }
            crate::cli::sweep::install_ctrl_c();
            let mut reporter = crate::cli::sweep::Reporter::new();
            claims::measure_all(
                &exps,
                &out,
                &crate::cli::sweep::stop_requested,
                &mut reporter,
            )?;
            out
        }
    };
    let (_, md) = claims::analyse_dir(&dir)?;
    print!("{md}");
    eprintln!(
        "wrote {}/{{{CLAIMS_MD}, {CLAIMS_CSV}, {REPORT_HTML}}}",
        dir.display()
    );
    Ok(())
}
