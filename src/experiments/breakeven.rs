//! The break-even run's outputs: from a run directory measured by `lockbench breakeven`,
//! breakeven.csv (one row per verdict), breakeven-points.csv (one row per compared length),
//! the chart (SVG and PNG) and verdict.txt.

use crate::analysis::breakeven::analyse;
use crate::error::UsageError;
use crate::plot::Format;
use crate::registry::{Kind, Primitive};
use crate::rundir::csv::{RUNS_CSV, load_runs};
use crate::rundir::meta::read_meta;
use crate::rundir::run::{BREAKEVEN_CSV, BREAKEVEN_POINTS_CSV};
use anyhow::{Context, Result};
use std::path::Path;
use std::time::Duration;

/// The default think times: 0 (every thread always wants the lock: a 100% duty cycle, where a
/// lock that starves a thread can look efficient) and the middle critical-section length of
/// the grid, where each thread holds the lock at most half of its time; along a log grid the
/// duty cycle cs / (cs + think) then runs from ~1% at the shortest length to ~99% at the
/// longest, light to saturated contention in one panel.
pub fn default_think(cs_ns: &[u64]) -> Vec<u64> {
    let mut sorted = cs_ns.to_vec();
    sorted.sort_unstable();
    vec![0, sorted[(sorted.len() - 1) / 2]]
}

/// Whether `cs_ns` can place a crossing: at least 3 lengths, all > 0, spanning a range.
pub fn check_lengths(cs_ns: &[u64]) -> Result<(), UsageError> {
    if cs_ns.len() < 3 {
        return Err(UsageError(format!(
            "{} critical-section length(s); a break-even needs at least 3",
            cs_ns.len()
        )));
    }
    let (lo, hi) = (cs_ns.iter().min(), cs_ns.iter().max());
    if lo == Some(&0) || lo == hi {
        return Err(UsageError(
            "critical-section lengths must be > 0 and span a range".into(),
        ));
    }
    Ok(())
}

/// Whether `primitive` (named `name`; `None`: not registered) can be a side of a break-even:
/// a mutual-exclusion lock the harness checks excludes.
pub fn check_side(name: &str, primitive: Option<&Primitive>) -> Result<(), UsageError> {
    match primitive {
        None => Err(UsageError(format!(
            "unknown primitive {name:?} (see `lockbench list`)"
        ))),
        Some(p) if !p.about.checked => Err(UsageError(format!(
            "{name} is not checked (it does not exclude, or is declared unchecked): no break-even side"
        ))),
        Some(p) if p.kind != Kind::Exclusive => {
            Err(UsageError(format!("{name} is not a mutual-exclusion lock")))
        }
        Some(_) => Ok(()),
    }
}

/// The break-even sweep of `locks` (the spinner first, then the sleepers) on a machine with
/// `cores` usable CPUs: threads = cores and 2 × cores, critical sections `cs_ns`, think times
/// `think_ns` (see [`default_think`]), compact placement, `trials` trials of `duration` each
/// after a 30 ms warm-up.
pub fn spec(
    locks: Vec<String>,
    cores: usize,
    cs_ns: Vec<u64>,
    think_ns: Vec<u64>,
    trials: u32,
    duration: Duration,
    sentinel: bool,
) -> crate::sweep::SweepSpec {
    crate::sweep::SweepSpec {
        threads: vec![cores, 2 * cores],
        cs_ns,
        think_ns,
        sample_every: 8,
        timeout_ns: 20_000_000_000,
        // Room to replace trials left out, so that a length does not vanish from the curve.
        max_trials: trials + 3,
        sentinel,
        sentinel_retries: 1,
        ..crate::sweep::SweepSpec::new(locks, duration.as_nanos() as u64, 30_000_000, trials)
    }
}

/// Analyses the break-even run in `dir` (`spinner` against `sleepers`, the first the
/// headline), writes its files and returns the verdict text.
pub fn write_analysis(dir: &Path, spinner: &str, sleepers: &[&str]) -> Result<String> {
    let rows = load_runs(&dir.join(RUNS_CSV)).map_err(|e| UsageError::from_chain(&e))?;
    let meta = read_meta(dir).map_err(|e| UsageError::from_chain(&e))?;
    let cores = meta.allowed_cpus.len().max(1);
    // A side whose rows are all unchecked would silently have no curve: say so instead.
    for name in std::iter::once(spinner).chain(sleepers.iter().copied()) {
        let mut of = rows.iter().filter(|r| r.primitive == name).peekable();
        if of.peek().is_some() && of.all(|r| !r.checked) {
            return Err(UsageError(format!(
                "{}: {name}'s rows are not checked (its correctness was not verified): no break-even side",
                dir.join(RUNS_CSV).display()
            ))
            .into());
        }
    }
    let b = analyse(&rows, cores, spinner, sleepers);
    write_csv(&dir.join(BREAKEVEN_CSV), &b.rows)?;
    write_csv(&dir.join(BREAKEVEN_POINTS_CSV), &b.points)?;
    let probes = meta.probes.as_ref();
    let wakeup = probes.and_then(|p| p.cross_core_wakeup.as_ref());
    let figure = crate::plot::breakeven::figure(&b, &meta.host.cpu_model, cores, wakeup);
    for format in [Format::Svg, Format::Png] {
        crate::plot::render(&figure, dir, format)?;
    }
    let verdict = crate::analysis::breakeven::verdict_text(
        &b,
        spinner,
        sleepers.first().copied().unwrap_or("?"),
        &meta.host.cpu_model,
        cores,
        wakeup,
        probes.and_then(|p| p.same_core_round_trip.as_ref()),
    );
    std::fs::write(dir.join("verdict.txt"), &verdict).context("writing verdict.txt")?;
    Ok(verdict)
}

fn write_csv<T: serde::Serialize>(path: &Path, rows: &[T]) -> Result<()> {
    let mut w =
        csv::Writer::from_path(path).with_context(|| format!("writing {}", path.display()))?;
    for r in rows {
        w.serialize(r)?;
    }
    w.flush()
        .with_context(|| format!("writing {}", path.display()))
}
