//! `lockbench plot`, `report` and `compare`: everything that reads results and never measures.

use crate::error::UsageError;
use crate::plot::charts;
use crate::plot::{Figure, Format, figures_of_run as figures};
use crate::record::RunRecord;
use crate::report::run::{LoadedRun, ensure_dir, load_run};
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
pub struct PlotArgs {
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

/// The metric `compare` compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompareMetric {
    /// Operations per second (higher is better).
    Throughput,
    /// Operations per CPU-second (higher is better).
    Efficiency,
    /// Median wait, ns (lower is better).
    WaitP50,
    /// 99th-percentile wait, ns (lower is better).
    WaitP99,
}

impl CompareMetric {
    fn get(self) -> fn(&RunRecord) -> f64 {
        match self {
            CompareMetric::Throughput => |r| r.throughput_ops_s,
            CompareMetric::Efficiency => |r| r.ops_per_cpu_s,
            CompareMetric::WaitP50 => |r| r.wait_p50_ns,
            CompareMetric::WaitP99 => |r| r.wait_p99_ns.unwrap_or(f64::NAN),
        }
    }

    fn unit(self) -> &'static str {
        match self {
            CompareMetric::Throughput => "ops/s",
            CompareMetric::Efficiency => "ops/CPU-s",
            CompareMetric::WaitP50 | CompareMetric::WaitP99 => "ns",
        }
    }

    fn fmt(self, v: f64) -> String {
        match self {
            CompareMetric::Throughput => crate::units::fmt_rate(v),
            CompareMetric::Efficiency => format!("{} ops/CPU-s", crate::units::si(v)),
            CompareMetric::WaitP50 | CompareMetric::WaitP99 => crate::units::fmt_ns(v),
        }
    }
}

/// Output format of `compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompareFormat {
    /// Aligned text.
    Table,
    /// A GitHub-flavoured Markdown table.
    Markdown,
    /// One CSV row per point and input.
    Csv,
}

/// Arguments of `lockbench compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Run directories or runs.csv files; the first is the reference.
    #[arg(value_name = "RUN_DIR_OR_CSV", required = true, num_args = 2..)]
    inputs: Vec<PathBuf>,
    /// Metric to compare.
    #[arg(long, value_enum, default_value_t = CompareMetric::Throughput)]
    metric: CompareMetric,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CompareFormat::Table)]
    format: CompareFormat,
    /// Also use degraded or unstable points (ignored by default).
    #[arg(long)]
    include_flagged: bool,
    /// Render overlay charts (one series per input) into this directory.
    #[arg(long, value_name = "DIR")]
    plot: Option<PathBuf>,
}

/// `lockbench compare`.
pub fn compare(args: CompareArgs) -> Result<()> {
    use crate::analysis::compare::{Input, compare};
    let runs: Vec<LoadedRun> = args
        .inputs
        .iter()
        .map(|p| load_run(p))
        .collect::<Result<_, _>>()?;
    let mut inputs: Vec<Input> = runs
        .iter()
        .map(|r| Input {
            label: r.label(),
            rows: &r.rows,
        })
        .collect();
    // Same label twice (two runs of one host in same-named dirs): number them.
    for i in 0..inputs.len() {
        if inputs[..i].iter().any(|x| x.label == inputs[i].label) {
            inputs[i].label = format!("{} ({})", inputs[i].label, i + 1);
        }
    }
    let c = compare(&inputs, args.metric.get(), args.include_flagged)
        .map_err(|e| UsageError(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    match args.format {
        CompareFormat::Csv => write_compare_csv(&mut out, &c, args.metric)?,
        f => write_compare_table(&mut out, &c, args.metric, f == CompareFormat::Markdown)?,
    }
    for w in &c.warnings {
        eprintln!("warning: {w}");
    }
    if let Some(dir) = &args.plot {
        let pairs: Vec<(String, &[RunRecord])> =
            inputs.iter().map(|i| (i.label.clone(), i.rows)).collect();
        render_all(&charts::overlay(&pairs), dir, Format::Png)?;
    }
    Ok(())
}

fn write_compare_csv(
    out: &mut dyn std::io::Write,
    c: &crate::analysis::compare::Comparison,
    metric: CompareMetric,
) -> Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record([
        "point",
        "family",
        "input",
        &format!("median_{}", metric.unit().replace(['/', '-'], "_")),
        "clean_trials",
        "ratio",
        "p_value",
        "call",
    ])?;
    for r in &c.rows {
        let point = crate::analysis::compare::describe(&r.key);
        for (label, cell) in c.labels.iter().zip(&r.cells) {
            if let Some(cell) = cell {
                w.write_record([
                    point.as_str(),
                    r.family.as_str(),
                    label.as_str(),
                    &cell.median.to_string(),
                    &cell.n.to_string(),
                    &format!("{:.4}", cell.ratio),
                    &format!("{:.4}", cell.p),
                    &format!("{:?}", cell.call).to_lowercase(),
                ])?;
            }
        }
    }
    w.flush()?;
    Ok(())
}

fn write_compare_table(
    out: &mut dyn std::io::Write,
    c: &crate::analysis::compare::Comparison,
    metric: CompareMetric,
    markdown: bool,
) -> Result<()> {
    use crate::analysis::compare::{ALPHA, describe};
    let mut table: Vec<Vec<String>> = Vec::new();
    let mut header = vec!["point".to_string()];
    for (i, l) in c.labels.iter().enumerate() {
        header.push(if i == 0 {
            format!("{l} (reference)")
        } else {
            l.clone()
        });
    }
    table.push(header);
    for r in &c.rows {
        let mut line = vec![describe(&r.key)];
        for cell in &r.cells {
            line.push(match cell {
                None => "—".into(),
                Some(x) if x.call == crate::analysis::compare::Call::Reference => {
                    format!("{} (n={})", metric.fmt(x.median), x.n)
                }
                Some(x) => format!(
                    "{} ×{:.2} {} p={:.2}",
                    metric.fmt(x.median),
                    x.ratio,
                    x.call.mark(),
                    x.p
                ),
            });
        }
        table.push(line);
    }
    let mut geo = vec!["geometric mean of ratios".to_string()];
    geo.extend(std::iter::repeat_n(String::new(), c.labels.len()));
    table.push(geo);
    for (family, per) in &c.geomean {
        let mut line = vec![format!("  {family}")];
        line.extend(
            per.iter()
                .map(|g| g.map_or("—".into(), |g| format!("×{g:.3}"))),
        );
        table.push(line);
    }
    writeln!(
        out,
        "{} (median of clean trials) against {}",
        match metric {
            CompareMetric::Throughput => "throughput",
            CompareMetric::Efficiency => "CPU efficiency",
            CompareMetric::WaitP50 => "wait p50",
            CompareMetric::WaitP99 => "wait p99",
        },
        c.labels[0]
    )?;
    if markdown {
        writeln!(out)?;
        for (i, line) in table.iter().enumerate() {
            writeln!(out, "| {} |", line.join(" | "))?;
            if i == 0 {
                writeln!(out, "|{}", "---|".repeat(line.len()))?;
            }
        }
        writeln!(out)?;
    } else {
        let widths: Vec<usize> = (0..table[0].len())
            .map(|k| {
                table
                    .iter()
                    .map(|l| l[k].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for line in &table {
            let cells: Vec<String> = line
                .iter()
                .zip(&widths)
                .map(|(s, w)| format!("{s}{}", " ".repeat(w - s.chars().count())))
                .collect();
            writeln!(out, "{}", cells.join("  ").trim_end())?;
        }
    }
    writeln!(
        out,
        "+ / -: higher / lower beyond noise (clean-trial ranges disjoint and exact Mann–Whitney p ≤ {ALPHA}); ~: within noise. Needs ≥ 3 clean trials a side to call anything."
    )?;
    let ignored: Vec<String> = c
        .labels
        .iter()
        .zip(&c.ignored_flagged)
        .filter(|(_, n)| **n > 0)
        .map(|(l, n)| format!("{n} in {l}"))
        .collect();
    if !ignored.is_empty() {
        writeln!(
            out,
            "ignored flagged points (degraded, unstable or no clean trial; --include-flagged uses them): {}",
            ignored.join(", ")
        )?;
    }
    if !c.unmatched.is_empty() {
        writeln!(out, "{} point(s) not in every input:", c.unmatched.len())?;
        for (point, present) in c.unmatched.iter().take(20) {
            let missing: Vec<&str> = c
                .labels
                .iter()
                .zip(present)
                .filter(|(_, p)| !**p)
                .map(|(l, _)| l.as_str())
                .collect();
            writeln!(out, "  {point}: missing from {}", missing.join(", "))?;
        }
        if c.unmatched.len() > 20 {
            writeln!(out, "  … and {} more", c.unmatched.len() - 20)?;
        }
    }
    Ok(())
}

/// Arguments of `lockbench report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// A run directory (or its runs.csv).
    #[arg(value_name = "RUN_DIR")]
    input: PathBuf,
    /// Where to write the page (default: report.html in the run directory).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// The break-even verdict of `run`'s directory, or of the newest `*-breakeven` sibling.
fn find_verdict(run: &LoadedRun) -> Option<(String, String)> {
    let own = run.dir.join("verdict.txt");
    let path = if own.exists() {
        own
    } else {
        let parent = run.dir.parent()?;
        let mut sibs: Vec<PathBuf> = std::fs::read_dir(parent)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().ends_with("-breakeven"))
                    && p.join("verdict.txt").exists()
            })
            .collect();
        sibs.sort();
        sibs.pop()?.join("verdict.txt")
    };
    let text = std::fs::read_to_string(&path).ok()?;
    Some((text, path.display().to_string()))
}

/// `lockbench report`.
pub fn report(args: ReportArgs) -> Result<()> {
    let run = load_run(&args.input)?;
    let out = args.out.unwrap_or_else(|| run.dir.join("report.html"));
    let plan = figures(&run)?;
    let charts = plan
        .figures
        .iter()
        .map(|f| Ok((f.title.clone(), crate::plot::render_svg_string(f)?)))
        .collect::<Result<Vec<_>>>()?;
    let page = crate::report::html::Page {
        title: format!("lockbench report — {}", run.label()),
        rows: &run.rows,
        meta: run.meta.as_ref(),
        verdict: find_verdict(&run),
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
