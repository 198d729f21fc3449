//! `lockbench plot`, `report` and `compare`: everything that reads results and never measures.

use crate::error::UsageError;
use crate::plot::charts;
use crate::plot::{Figure, Format, figures_of_run as figures};
use crate::record::RunRecord;
use crate::report::compare::Metric;
use crate::rundir::run::{LoadedRun, ensure_dir, load_run};
use anyhow::Result;
use std::path::{Path, PathBuf};

/// Renders `figs` into `out`, printing one line per file.
fn render_all(figs: &[Figure], out: &Path, format: Format) -> Result<Vec<PathBuf>> {
    ensure_dir(out)?;
    let mut paths = Vec::new();
    for f in figs {
        // A failed drawing is not bad input: exit code 1 (the directory was checked above).
        let p = crate::plot::render(f, out, format)?;
        eprintln!("wrote {}", p.display());
        paths.push(p);
    }
    Ok(paths)
}

/// Arguments of `lockbench plot`.
#[derive(Debug, clap::Args)]
pub(crate) struct PlotArgs {
    /// A run directory (runs.csv, histograms.csv, meta.json) or a runs.csv file.
    #[arg(value_name = "RUN_DIR_OR_CSV")]
    input: PathBuf,
    /// Output directory (default: <run dir>/charts).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Image format.
    #[arg(long, value_enum, default_value_t = Format::Png)]
    format: Format,
}

/// `lockbench plot`.
pub fn plot(args: PlotArgs) -> Result<()> {
    let run = load_run(&args.input)?;
    let out = args.out.unwrap_or_else(|| run.dir.join("charts"));
    ensure_dir(&out)?;
    let plan = figures(&run)?;
    for s in &plan.skipped {
        eprintln!("skipped {s}");
    }
    let paths = render_all(&plan.figures, &out, args.format)?;
    eprintln!(
        "{} chart(s) in {}, {} skipped",
        paths.len(),
        out.display(),
        plan.skipped.len()
    );
    Ok(())
}

/// Output format of `compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum CompareFormat {
    /// Aligned text.
    Table,
    /// GitHub-flavoured Markdown tables.
    Markdown,
    /// One CSV row per point and input.
    Csv,
}

/// Arguments of `lockbench compare`.
#[derive(Debug, clap::Args)]
pub(crate) struct CompareArgs {
    /// Run directories or runs.csv files; the first is the reference.
    #[arg(value_name = "RUN_DIR_OR_CSV", required = true, num_args = 2..)]
    inputs: Vec<PathBuf>,
    /// Metric to compare.
    #[arg(long, value_enum, default_value_t = Metric::Throughput)]
    metric: Metric,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CompareFormat::Table)]
    format: CompareFormat,
    /// Render overlay charts (one series per input) into this directory.
    #[arg(long, value_name = "DIR")]
    plot: Option<PathBuf>,
    /// The margin a call needs: clean-trial ranges apart by more than this fraction (default
    /// 0.05, from two vendors' sitting-to-sitting repeatability; `scripts/repeatability.py`
    /// measures your machine's).
    #[arg(long, value_parser = crate::units::parse_ratio, default_value_t = crate::rules::DELTA)]
    delta: f64,
}

/// `lockbench compare`.
pub fn compare(args: CompareArgs) -> Result<()> {
    use crate::report::compare::{inputs, write_csv, write_table};
    let runs: Vec<LoadedRun> = args
        .inputs
        .iter()
        .map(|p| load_run(p))
        .collect::<Result<_, _>>()?;
    let inputs = inputs(&runs);
    let c = crate::analysis::compare::compare(&inputs, args.metric.get(), args.delta)
        .map_err(|e| UsageError(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    match args.format {
        CompareFormat::Csv => {
            write_csv(&mut out, &c, args.metric)?;
            // The table carries its warnings; CSV has no room for them.
            for w in &c.warnings {
                eprintln!("warning: {w}");
            }
        }
        f => write_table(&mut out, &c, args.metric, f == CompareFormat::Markdown)?,
    }
    if let Some(dir) = &args.plot {
        let pairs: Vec<(String, &[RunRecord])> =
            inputs.iter().map(|i| (i.label.clone(), i.rows)).collect();
        render_all(&charts::overlay(&pairs), dir, Format::Png)?;
    }
    Ok(())
}

/// Arguments of `lockbench report`.
#[derive(Debug, clap::Args)]
pub(crate) struct ReportArgs {
    /// A run directory (or its runs.csv).
    #[arg(value_name = "RUN_DIR")]
    input: PathBuf,
    /// Where to write the page (default: report.html in the run directory).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// `file` for `run`'s page: in its own directory; in its parent (an experiment directory
/// inside a claims run); in a sibling named `kind` (a suite's `breakeven/`, `claims/`); else in
/// the sibling ending in `-kind` (`results/<machine>/<ts>-claims`) that started closest in time
/// to `run` (the newest when start times are unknown).
fn beside(run: &LoadedRun, file: &str, kind: &str) -> Option<PathBuf> {
    let dir = run.dir.canonicalize().unwrap_or_else(|_| run.dir.clone());
    let parent = dir.parent().map(Path::to_path_buf);
    for d in std::iter::once(dir.clone()).chain(parent.clone()) {
        if d.join(file).is_file() {
            return Some(d.join(file));
        }
    }
    let suffix = format!("-{kind}");
    let mut sibs: Vec<PathBuf> = std::fs::read_dir(parent?)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().is_some_and(|n| {
                let n = n.to_string_lossy();
                n == kind || n.ends_with(&suffix)
            }) && p.join(file).is_file()
        })
        .collect();
    sibs.sort();
    if let Some(suite) = sibs
        .iter()
        .find(|p| p.file_name().is_some_and(|n| n == kind))
    {
        return Some(suite.join(file));
    }
    let here = run.meta.as_ref().and_then(|m| started(&m.started_utc));
    let distance = |p: &PathBuf| {
        let there = source_meta(p).and_then(|m| started(&m.started_utc));
        here.zip(there).map(|(a, b)| a.abs_diff(b))
    };
    let best = sibs
        .iter()
        .filter_map(|p| distance(p).map(|d| (d, p)))
        .min_by_key(|(d, _)| *d)
        .map(|(_, p)| p.clone());
    Some(best.or_else(|| sibs.pop())?.join(file))
}

/// Seconds since the epoch of a meta.json's UTC start time.
fn started(utc: &str) -> Option<u64> {
    humantime::parse_rfc3339_weak(utc)
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs())
}

/// The meta.json of a run directory, or of the first experiment inside a claims run.
fn source_meta(dir: &Path) -> Option<crate::rundir::meta::Meta> {
    if let Ok(m) = crate::rundir::meta::read_meta(dir) {
        return Some(m);
    }
    let mut subs: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join(crate::rundir::meta::META_JSON).is_file())
        .collect();
    subs.sort();
    crate::rundir::meta::read_meta(subs.first()?).ok()
}

/// Where a finding on `run`'s page came from: the file, the machine, build and start of the
/// run that wrote it, and a warning when that is another machine or another sitting (over an
/// hour apart) than `run`'s.
fn provenance(run: &LoadedRun, path: &Path) -> String {
    let mut out = path.display().to_string();
    let Some(src) = path.parent().and_then(source_meta) else {
        return out;
    };
    out.push_str(&format!(
        ": {} (host {}), lockbench {}, started {}",
        src.host.cpu_model, src.host.host_id, src.host.git_sha, src.started_utc
    ));
    if let Some(m) = &run.meta {
        if m.host.host_id != src.host.host_id || m.host.cpu_model != src.host.cpu_model {
            out.push_str(" — WARNING: another machine than this run's");
        } else if let (Some(a), Some(b)) = (started(&m.started_utc), started(&src.started_utc))
            && a.abs_diff(b) > 3600
        {
            out.push_str(&format!(
                " — WARNING: another sitting, {:.1} h from this run's start",
                a.abs_diff(b) as f64 / 3600.0
            ));
        }
    }
    out
}

/// A break-even verdict found for `run`'s page.
struct FoundBreakeven {
    /// The verdict's text.
    text: String,
    /// Where it came from ([`provenance`]).
    from: String,
    /// The directory of the break-even run.
    dir: PathBuf,
    /// That run is `run` itself (its chart is among `run`'s own figures).
    own: bool,
}

/// The break-even verdict beside `run`, where it came from, and whether it is `run`'s own.
fn find_breakeven(run: &LoadedRun) -> Option<FoundBreakeven> {
    let path = beside(run, "verdict.txt", "breakeven")?;
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("warning: {}: cannot read: {e}", path.display());
            return None;
        }
    };
    let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    Some(FoundBreakeven {
        text,
        from: provenance(run, &path),
        own: run.dir.canonicalize().ok() == dir.canonicalize().ok(),
        dir,
    })
}

/// The claims' verdicts beside `run` (a claims run's claims.csv) and where they came from.
fn find_claims(run: &LoadedRun) -> Option<(Vec<crate::report::claims::ClaimRow>, String)> {
    let path = beside(run, crate::report::claims::CLAIMS_CSV, "claims")?;
    match crate::report::claims::read_csv(&path) {
        Ok(rows) => Some((rows, provenance(run, &path))),
        Err(e) => {
            eprintln!("warning: {}: cannot read the claims: {e}", path.display());
            None
        }
    }
}

/// `lockbench report`.
pub fn report(args: ReportArgs) -> Result<()> {
    let run = load_run(&args.input)?;
    let out = args.out.unwrap_or_else(|| run.dir.join("report.html"));
    let plan = figures(&run)?;
    let breakeven = find_breakeven(&run);
    let own_breakeven = breakeven.as_ref().is_some_and(|b| b.own);
    let mut breakeven_chart = None;
    let mut charts = Vec::new();
    let mut lead_charts = Vec::new();
    for f in &plan.figures {
        let svg = (f.title.clone(), crate::plot::render_svg_string(f)?);
        if f.name == crate::plot::breakeven::NAME && own_breakeven {
            // A break-even run's own chart leads the page, with its verdict.
            breakeven_chart = Some(svg.1);
        } else if f.name == charts::WINNER_HEATMAP {
            // The winner of each regime leads the page, beside the other findings.
            lead_charts.push(svg);
        } else {
            charts.push(svg);
        }
    }
    // Another run's break-even chart, drawn from that run.
    if let Some(b) = breakeven.as_ref().filter(|b| !b.own) {
        breakeven_chart = load_run(&b.dir)
            .ok()
            .and_then(|r| crate::plot::breakeven_figure(&r).ok().flatten())
            .and_then(|f| crate::plot::render_svg_string(&f).ok());
    }
    let verdict = breakeven.map(|b| (b.text, b.from));
    let page = crate::report::html::Page {
        title: format!("lockbench report — {}", run.label()),
        rows: &run.rows,
        meta: run.meta.as_ref(),
        verdict,
        breakeven_chart,
        claims: find_claims(&run),
        lead_charts,
        charts,
        skipped: &plan.skipped,
    };
    let html = crate::report::html::render(&page);
    std::fs::write(&out, html)
        .map_err(|e| UsageError(format!("{}: cannot write: {e}", out.display())))?;
    eprintln!(
        "wrote {} ({} charts inline, {} skipped)",
        out.display(),
        plan.figures.len(),
        plan.skipped.len()
    );
    Ok(())
}

/// Output format of `points`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum PointsFormat {
    /// CSV with a header row.
    Csv,
    /// A JSON array of objects.
    Json,
}

/// Arguments of `lockbench points`.
#[derive(Debug, clap::Args)]
pub(crate) struct PointsArgs {
    /// A run directory or a runs.csv file.
    #[arg(value_name = "RUN_DIR_OR_CSV")]
    input: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PointsFormat::Csv)]
    format: PointsFormat,
}

/// `lockbench points`: the run's points on stdout.
pub fn points(args: PointsArgs) -> Result<()> {
    let run = load_run(&args.input)?;
    let rows = crate::analysis::points::point_rows(&run.rows);
    match args.format {
        PointsFormat::Csv => {
            use std::io::Write;
            std::io::stdout().write_all(&crate::report::points::csv(&rows)?)?;
        }
        PointsFormat::Json => println!("{}", crate::report::points::json(&rows)?),
    }
    Ok(())
}
