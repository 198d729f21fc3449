//! The break-even run's outputs: from a run directory measured by `lockbench breakeven`,
//! breakeven.csv (one row per verdict), breakeven-points.csv (one row per compared length),
//! the chart (SVG and PNG) and verdict.txt.

use crate::analysis::breakeven::analyse;
use crate::error::UsageError;
use crate::plot::Format;
use crate::report::csv::{RUNS_CSV, load_runs};
use crate::report::meta::read_meta;
use crate::report::run::{BREAKEVEN_CSV, BREAKEVEN_POINTS_CSV};
use anyhow::{Context, Result};
use std::path::Path;

/// Analyses the break-even run in `dir` (`spinner` against `sleepers`, the first the
/// headline), writes its files and returns the verdict text.
pub fn write_analysis(dir: &Path, spinner: &str, sleepers: &[&str]) -> Result<String> {
    let rows = load_runs(&dir.join(RUNS_CSV)).map_err(|e| UsageError::from_chain(&e))?;
    let meta = read_meta(dir).map_err(|e| UsageError::from_chain(&e))?;
    let cores = meta.allowed_cpus.len().max(1);
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
