//! A run read back from disk: its rows, histograms and meta.json, for every command that
//! reads results (plot, report, compare, break-even analysis) and never measures.

use super::csv::{HISTOGRAMS_CSV, HistogramRow, RUNS_CSV, load_histograms, load_runs};
use super::meta::{META_JSON, Meta, read_meta};
use crate::error::UsageError;
use crate::record::RunRecord;
use std::path::{Path, PathBuf};

/// The file `lockbench breakeven` writes next to a run's CSV: one row per verdict.
pub const BREAKEVEN_CSV: &str = "breakeven.csv";
/// Its per-length sidecar: each compared length's call (spin better, sleep better,
/// indistinguishable) and the spin ÷ sleep ratio.
pub const BREAKEVEN_POINTS_CSV: &str = "breakeven-points.csv";

/// A run read from disk: a run directory or a bare runs.csv.
#[derive(Debug, Clone)]
pub struct LoadedRun {
    /// Directory holding the files (the CSV's parent for a bare file).
    pub dir: PathBuf,
    /// The CSV the rows came from.
    pub csv: PathBuf,
    /// Rows.
    pub rows: Vec<RunRecord>,
    /// Histogram rows, when histograms.csv sits next to a runs.csv.
    pub histograms: Vec<HistogramRow>,
    /// meta.json, when present.
    pub meta: Option<Meta>,
}

impl LoadedRun {
    /// CPUs the run used, from meta.json when present.
    pub fn cores(&self) -> Option<usize> {
        self.meta.as_ref().map(|m| m.allowed_cpus.len())
    }

    /// A short label: the machine (host and CPU, [`crate::record::machine_name`]) and the
    /// directory name.
    pub fn label(&self) -> String {
        let host = self.rows.first().map_or_else(
            || "?".to_string(),
            |r| crate::record::machine_name(&r.host_id, &r.cpu_model),
        );
        let name = |p: &Path| {
            p.file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        };
        let mut dir = name(&self.dir);
        // A suite's `sweep`/`breakeven` folders say nothing alone: the timestamp above them does.
        if dir == "sweep" || dir == "breakeven" {
            if let Some(parent) = self.dir.parent().map(name).filter(|n| !n.is_empty()) {
                dir = format!("{parent}/{dir}");
            }
        }
        format!("{host}/{dir}")
    }
}

/// Loads `path` (a run directory or a runs.csv). Every failure is a [`UsageError`] naming the
/// file; a run with no rows is one too.
pub fn load_run(path: &Path) -> Result<LoadedRun, UsageError> {
    let (dir, csv) = if path.is_dir() {
        (path.to_path_buf(), path.join(RUNS_CSV))
    } else if path.exists() {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        (dir, path.to_path_buf())
    } else {
        return Err(UsageError(format!(
            "{}: no such file or directory (expected a run directory or a runs.csv)",
            path.display()
        )));
    };
    let rows = load_runs(&csv).map_err(|e| UsageError::from_chain(&e))?;
    if rows.is_empty() {
        return Err(UsageError(format!("{}: no data rows", csv.display())));
    }
    let is_runs_csv = csv.file_name().is_some_and(|n| n == RUNS_CSV);
    let hist_path = dir.join(HISTOGRAMS_CSV);
    let histograms = if is_runs_csv && hist_path.exists() {
        load_histograms(&hist_path).map_err(|e| UsageError::from_chain(&e))?
    } else {
        Vec::new()
    };
    let meta = if dir.join(META_JSON).exists() {
        Some(read_meta(&dir).map_err(|e| UsageError::from_chain(&e))?)
    } else {
        None
    };
    Ok(LoadedRun {
        dir,
        csv,
        rows,
        histograms,
        meta,
    })
}

/// Creates `dir` (and parents) or fails with a usage error naming it.
pub fn ensure_dir(dir: &Path) -> Result<(), UsageError> {
    std::fs::create_dir_all(dir).map_err(|e| {
        UsageError(format!(
            "{}: cannot create output directory: {e}",
            dir.display()
        ))
    })
}

impl LoadedRun {
    /// The spinner and sleepers of a break-even run (from its breakeven.csv), or `None` for
    /// any other run.
    pub(crate) fn breakeven_locks(&self) -> Result<Option<(String, Vec<String>)>, UsageError> {
        let path = self.dir.join(BREAKEVEN_CSV);
        if self.meta.is_none() || !path.exists() {
            return Ok(None);
        }
        #[derive(serde::Deserialize)]
        struct Names {
            spinner: String,
            sleeper: String,
        }
        let bad = |e: csv::Error| UsageError(format!("{}: {e}", path.display()));
        let mut spinner = None;
        let mut sleepers: Vec<String> = Vec::new();
        let mut reader = csv::Reader::from_path(&path).map_err(bad)?;
        for row in reader.deserialize::<Names>() {
            let row = row.map_err(bad)?;
            spinner.get_or_insert(row.spinner);
            if !sleepers.contains(&row.sleeper) {
                sleepers.push(row.sleeper);
            }
        }
        Ok(spinner.map(|s| (s, sleepers)))
    }
}
