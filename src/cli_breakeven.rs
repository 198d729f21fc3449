//! `lockbench breakeven`: where, on this CPU, does sleeping start to beat spinning?
//!
//! Sweeps critical-section length on a log scale for a spinlock, the never-spinning futex
//! mutex, the adaptive mutex and std's mutex, at threads = cores and threads = 2 × cores,
//! then finds the crossings for throughput and for CPU efficiency (ops per CPU-second).

use crate::analysis::breakeven::{Curve, Direction, Verdict, compare, curve};
use crate::cli::{UsageError, fmt_ns};
use crate::cli_report::LoadedRun;
use crate::cli_sweep::{execute, new_run_dir};
use crate::harness::host::Host;
use crate::harness::topology::Placement;
use crate::plot::{Axis, Chart, Figure, Format, Marker, Series, Ticks};
use crate::record::RunRecord;
use crate::report::csv::{RUNS_CSV, load_runs};
use crate::report::meta::{Meta, read_meta, utc_timestamp};
use crate::sweep::{SweepSpec, axes};
use anyhow::{Context, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Presets of the break-even sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BreakevenPreset {
    /// 16 lengths from 20 ns to 500 µs, 3 trials of 100 ms: about 2 minutes on 2 cores.
    Quick,
    /// 24 lengths, 5 trials of 250 ms: several minutes; for a quiet machine.
    Fine,
}

/// Arguments of `lockbench breakeven`.
#[derive(Debug, clap::Args)]
pub struct BreakevenArgs {
    /// Starting settings; explicit options override them.
    #[arg(long, value_enum, default_value_t = BreakevenPreset::Quick)]
    preset: BreakevenPreset,
    /// Critical-section lengths: a log range MIN..MAX:POINTS (≥ 3 points) or a list.
    #[arg(long)]
    cs: Option<String>,
    /// The spinning lock.
    #[arg(long, default_value = "spin-ttas-backoff")]
    spinner: String,
    /// Sleeping locks compared with it (the first is the headline).
    #[arg(long, default_value = "futex-mutex,adaptive-mutex,std-mutex")]
    sleepers: String,
    /// Trials per point.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100))]
    trials: Option<u32>,
    /// Measured window per trial.
    #[arg(long, value_parser = crate::cli::parse_duration)]
    duration: Option<Duration>,
    /// Skip the parallelism sentinel.
    #[arg(long)]
    no_sentinel: bool,
    /// Output directory (default results/<host>/<timestamp>-breakeven).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Only analyse an existing break-even run directory (no measuring).
    #[arg(long, value_name = "DIR", conflicts_with = "out")]
    analyse: Option<PathBuf>,
}

/// One row of breakeven.csv.
#[derive(Debug, Clone, Serialize)]
struct BreakevenRow {
    regime: &'static str,
    threads: usize,
    metric: &'static str,
    spinner: String,
    sleeper: String,
    verdict: &'static str,
    crossing_ns: Option<f64>,
    band_lo_ns: Option<f64>,
    band_hi_ns: Option<f64>,
    direction: Option<Direction>,
}

type Metric = (&'static str, &'static str, fn(&RunRecord) -> f64);
const METRICS: [Metric; 2] = [
    ("throughput", "throughput (ops/s)", |r| r.throughput_ops_s),
    ("efficiency", "ops per CPU-second", |r| r.ops_per_cpu_s),
];

fn spec(args: &BreakevenArgs, cores: usize) -> Result<SweepSpec, UsageError> {
    let (range, trials, duration) = match args.preset {
        BreakevenPreset::Quick => ("20ns..500us:16", 3, Duration::from_millis(100)),
        BreakevenPreset::Fine => ("20ns..500us:24", 5, Duration::from_millis(250)),
    };
    let text = args.cs.as_deref().unwrap_or(range);
    let cs_ns = axes::parse_durations(text, "--cs").map_err(|e| UsageError(e.to_string()))?;
    if cs_ns.len() < 3 {
        return Err(UsageError(format!(
            "--cs: {text:?} gives {} length(s); a break-even needs at least 3",
            cs_ns.len()
        )));
    }
    if cs_ns.first() == cs_ns.last() || cs_ns[0] == 0 {
        return Err(UsageError(format!(
            "--cs: {text:?}: lengths must be > 0 and span a range"
        )));
    }
    let mut locks = vec![args.spinner.clone()];
    locks.extend(args.sleepers.split(',').map(|s| s.trim().to_string()));
    for l in &locks {
        match crate::registry::find(l) {
            Some(p) if p.kind == crate::registry::Kind::Exclusive => {}
            Some(_) => return Err(UsageError(format!("{l} is not a mutual-exclusion lock"))),
            None => {
                return Err(UsageError(format!(
                    "unknown primitive {l:?} (see `lockbench list`)"
                )));
            }
        }
    }
    let trials = args.trials.unwrap_or(trials);
    Ok(SweepSpec {
        locks,
        threads: vec![cores, 2 * cores],
        cs_ns,
        think_ns: vec![0],
        read_ratios: vec![0.0],
        stripes: vec![1],
        key_skews: vec![0.0],
        placements: vec![Placement::Compact],
        layout: crate::record::Layout::Separate,
        duration_ns: args.duration.unwrap_or(duration).as_nanos() as u64,
        warmup_ns: 30_000_000,
        trials,
        sample_every: 8,
        timeout_ns: 20_000_000_000,
        max_trials: trials,
        stability_target: 0.05,
        sentinel: !args.no_sentinel,
        sentinel_threshold: crate::harness::sentinel::DEFAULT_THRESHOLD,
        sentinel_retries: 1,
    })
}

/// `lockbench breakeven`.
pub fn breakeven(args: BreakevenArgs) -> Result<()> {
    let host = Host::detect();
    let cores = host.usable_cpus();
    let dir = match &args.analyse {
        Some(dir) => dir.clone(),
        None => {
            let spec = spec(&args, cores)?;
            let out = args.out.clone().unwrap_or_else(|| {
                Path::new("results").join(&host.info.host_id).join(format!(
                    "{}-breakeven",
                    utc_timestamp(std::time::SystemTime::now(), true)
                ))
            });
            let dir = new_run_dir(Some(&out), &host.info.host_id)?;
            execute(&spec, dir, None, &[], 0)?
        }
    };
    analyse(&dir, &args.spinner, &args.sleepers)
}

/// What the analysis of a break-even run finds.
struct Analysis {
    rows: Vec<BreakevenRow>,
    figure: Figure,
    verdict: String,
}

/// The break-even chart of a run directory made by `lockbench breakeven` (it has a
/// breakeven.csv naming the spinner and sleepers), or `None` for any other run.
pub fn figure_of_run(run: &LoadedRun) -> Result<Option<Figure>> {
    let path = run.dir.join("breakeven.csv");
    let Some(meta) = &run.meta else {
        return Ok(None);
    };
    if !path.exists() {
        return Ok(None);
    }
    #[derive(serde::Deserialize)]
    struct Names {
        spinner: String,
        sleeper: String,
    }
    let mut spinner = None;
    let mut sleepers: Vec<String> = Vec::new();
    let mut reader = csv::Reader::from_path(&path)
        .map_err(|e| UsageError(format!("{}: {e}", path.display())))?;
    for row in reader.deserialize::<Names>() {
        let row = row.map_err(|e| UsageError(format!("{}: {e}", path.display())))?;
        spinner.get_or_insert(row.spinner);
        if !sleepers.contains(&row.sleeper) {
            sleepers.push(row.sleeper);
        }
    }
    let Some(spinner) = spinner else {
        return Ok(None);
    };
    let sleepers: Vec<&str> = sleepers.iter().map(String::as_str).collect();
    Ok(Some(compute(&run.rows, meta, &spinner, &sleepers).figure))
}

/// Reads a break-even run directory, finds the crossings, writes breakeven.csv, the chart
/// (breakeven.svg and .png) and verdict.txt, and prints the verdict.
fn analyse(dir: &Path, spinner: &str, sleepers: &str) -> Result<()> {
    let rows = load_runs(&dir.join(RUNS_CSV)).map_err(|e| UsageError(e.to_string()))?;
    let meta = read_meta(dir).map_err(|e| UsageError(e.to_string()))?;
    let sleepers: Vec<&str> = sleepers.split(',').map(str::trim).collect();
    let a = compute(&rows, &meta, spinner, &sleepers);
    let csv_path = dir.join("breakeven.csv");
    let mut w = csv::Writer::from_path(&csv_path)
        .with_context(|| format!("writing {}", csv_path.display()))?;
    for r in &a.rows {
        w.serialize(r)?;
    }
    w.flush()?;
    for format in [Format::Svg, Format::Png] {
        crate::plot::render(&a.figure, dir, format)?;
    }
    std::fs::write(dir.join("verdict.txt"), &a.verdict).context("writing verdict.txt")?;
    print!("{}", a.verdict);
    eprintln!(
        "wrote {}/{{breakeven.csv, breakeven.svg, breakeven.png, verdict.txt}}",
        dir.display()
    );
    Ok(())
}

/// The crossings, the chart and the verdict of break-even rows.
fn compute(rows: &[RunRecord], meta: &Meta, spinner: &str, sleepers: &[&str]) -> Analysis {
    let mut threads: Vec<usize> = rows.iter().map(|r| r.threads).collect();
    threads.sort_unstable();
    threads.dedup();
    let cores = meta.allowed_cpus.len().max(1);
    let wakeup_ns = meta
        .probes
        .as_ref()
        .and_then(|p| p.get("cross_core_wakeup")?.get("p50_ns")?.as_f64());
    let same_core_rt = meta
        .probes
        .as_ref()
        .and_then(|p| p.get("same_core_round_trip")?.get("p50_ns")?.as_f64());
    let mut out_rows = Vec::new();
    let mut panels = Vec::new();
    let mut lines = Vec::new();
    for &t in &threads {
        let regime = if t > cores {
            "2×cores, oversubscribed"
        } else {
            "= cores"
        };
        let regime_key: &'static str = if t > cores { "2xcores" } else { "cores" };
        for (key, label, metric) in METRICS {
            let spin = curve(rows, spinner, t, metric);
            let curves: Vec<Curve> = sleepers.iter().map(|s| curve(rows, s, t, metric)).collect();
            let mut markers = Vec::new();
            for (k, sleep) in curves.iter().enumerate() {
                let verdict = compare(&spin, sleep);
                let base = BreakevenRow {
                    regime: regime_key,
                    threads: t,
                    metric: key,
                    spinner: spinner.to_string(),
                    sleeper: sleep.primitive.clone(),
                    verdict: "",
                    crossing_ns: None,
                    band_lo_ns: None,
                    band_hi_ns: None,
                    direction: None,
                };
                match &verdict {
                    Verdict::Crossings(cs) => {
                        for c in cs {
                            out_rows.push(BreakevenRow {
                                verdict: "crossing",
                                crossing_ns: Some(c.at_ns),
                                band_lo_ns: Some(c.band_lo_ns),
                                band_hi_ns: Some(c.band_hi_ns),
                                direction: Some(c.direction),
                                ..base.clone()
                            });
                            if k == 0 {
                                markers.push(Marker {
                                    x: c.at_ns,
                                    label: format!(
                                        "{} {}",
                                        if c.direction == Direction::SleepOvertakes {
                                            "sleep wins from"
                                        } else {
                                            "spin wins again from"
                                        },
                                        fmt_ns(c.at_ns)
                                    ),
                                    band: Some((c.band_lo_ns, c.band_hi_ns)),
                                    dashed: false,
                                });
                            }
                        }
                    }
                    v => out_rows.push(BreakevenRow {
                        verdict: match v {
                            Verdict::SpinWinsThroughout => "spin_wins_throughout",
                            Verdict::SleepWinsThroughout => "sleep_wins_throughout",
                            _ => "undetermined",
                        },
                        ..base.clone()
                    }),
                }
                if k == 0 {
                    lines.push(format!(
                        "{regime:<25} {key:<11} {}",
                        describe(&verdict, spinner, &sleep.primitive, &spin)
                    ));
                }
            }
            markers.push(Marker {
                x: 1_000.0,
                label: "textbook ~1 µs".into(),
                band: None,
                dashed: true,
            });
            if let Some(w) = wakeup_ns {
                markers.push(Marker {
                    x: w,
                    label: format!("wake-up {}", fmt_ns(w)),
                    band: None,
                    dashed: true,
                });
            }
            let mut series = vec![series_of(&spin)];
            series.extend(curves.iter().map(series_of));
            let mut chart = Chart::new(
                format!("{label}, {t} threads ({regime})"),
                Axis::log("critical-section length (log)", Ticks::Nanos),
                Axis::log(format!("{label}, log"), Ticks::Number),
            );
            chart.series = series;
            chart.markers = markers;
            panels.push(chart);
        }
    }
    let subtitle = format!(
        "{} — {} CPUs\nlines: medians of clean trials; shaded: their min–max; red: crossing bands",
        meta.host.cpu_model, cores
    );
    let mut verdict = String::new();
    verdict.push_str(&format!(
        "break-even of {} vs {} on {} ({} CPUs):\n",
        sleepers[0], spinner, meta.host.cpu_model, cores
    ));
    for l in &lines {
        verdict.push_str(&format!("  {l}\n"));
    }
    if let Some(w) = wakeup_ns {
        verdict.push_str(&format!(
            "one cross-core sleep/wake here costs {} (futex wake-up latency, p50)",
            fmt_ns(w)
        ));
        if let Some(rt) = same_core_rt {
            verdict.push_str(&format!(
                "; a same-core context-switch round trip {}",
                fmt_ns(rt)
            ));
        }
        verdict.push_str(".\n");
    }
    verdict.push_str("The textbook says spinning stops paying at ~1 µs of hold time.\n");
    Analysis {
        rows: out_rows,
        figure: Figure {
            name: "breakeven".into(),
            title: "Spin vs sleep: where is the break-even?".into(),
            subtitle,
            panels,
            cols: 2,
        },
        verdict,
    }
}

/// A curve as a chart series: medians as the line, the trials' min–max as its band.
fn series_of(c: &Curve) -> Series {
    Series {
        name: c.primitive.clone(),
        style: crate::plot::Style::Line,
        flagged: Vec::new(),
        points: c
            .cs_ns
            .iter()
            .zip(&c.bands)
            .map(|(x, b)| (*x, b.mid))
            .collect(),
        band: c
            .cs_ns
            .iter()
            .zip(&c.bands)
            .map(|(x, b)| (*x, b.lo, b.hi))
            .collect(),
    }
}

fn describe(v: &Verdict, spinner: &str, sleeper: &str, spin: &Curve) -> String {
    let range = match (spin.cs_ns.first(), spin.cs_ns.last()) {
        (Some(a), Some(b)) => format!("{}–{}", fmt_ns(*a), fmt_ns(*b)),
        _ => "the range".into(),
    };
    match v {
        Verdict::Crossings(cs) => cs
            .iter()
            .map(|c| {
                let who = if c.direction == Direction::SleepOvertakes {
                    sleeper
                } else {
                    spinner
                };
                format!(
                    "{who} overtakes at ~{} (band {} – {})",
                    fmt_ns(c.at_ns),
                    fmt_ns(c.band_lo_ns),
                    fmt_ns(c.band_hi_ns)
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        Verdict::SpinWinsThroughout => format!("no crossing in {range}: {spinner} wins throughout"),
        Verdict::SleepWinsThroughout => {
            format!("no crossing in {range}: {sleeper} wins throughout")
        }
        Verdict::Undetermined => "undetermined (too few clean points)".into(),
    }
}
