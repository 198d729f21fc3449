//! Which charts a run supports, built from its rows: one function per question the suite
//! answers. Each returns figures, or a one-line reason it cannot be drawn from this data.
//!
//! Values are medians over a point's clean trials with their min–max as a band
//! ([`crate::analysis::aggregate`]); points with no clean trial or that never became stable
//! are drawn hollow-ringed.

use super::{Axis, Chart, Figure, Heatmap, Marker, Series, Style, Ticks};
use crate::analysis::aggregate::{Param, Slice, Trials, points, slices};
use crate::record::RunRecord;
use crate::registry::Family;
use crate::rundir::csv::{HistogramRow, decode_histogram};
use crate::units::fmt_ns;

/// The data a run directory offers the charts (borrowed from the loaded run).
#[derive(Debug, Clone, Copy)]
pub struct RunData<'a> {
    /// runs.csv rows.
    pub rows: &'a [RunRecord],
    /// histograms.csv rows (may be empty).
    pub histograms: &'a [HistogramRow],
    /// Usable CPUs of the host (from meta.json, else the rows' logical CPUs).
    pub cores: usize,
    /// "CPU model — N CPUs — host" for subtitles.
    pub host_line: &'a str,
}

impl<'a> RunData<'a> {
    /// Wraps rows; `cores` falls back to the rows' logical CPU count. `host_line` is filled
    /// by [`RunData::host_line`] from the same arguments.
    pub fn new(
        rows: &'a [RunRecord],
        histograms: &'a [HistogramRow],
        cores: Option<usize>,
        host_line: &'a str,
    ) -> RunData<'a> {
        RunData {
            rows,
            histograms,
            cores: Self::cores(rows, cores),
            host_line,
        }
    }

    fn cores(rows: &[RunRecord], cores: Option<usize>) -> usize {
        cores
            .or(rows.first().map(|r| r.logical_cpus))
            .unwrap_or(1)
            .max(1)
    }

    /// The subtitle line naming the host of `rows`.
    pub fn host_line(rows: &[RunRecord], cores: Option<usize>) -> String {
        let cores = Self::cores(rows, cores);
        rows.first().map_or_else(String::new, |r| {
            format!(
                "{} — {} CPUs used of {} — host {}",
                r.cpu_model, cores, r.logical_cpus, r.host_id
            )
        })
    }
}

/// What `plot` produced: figures to render and notes on charts it skipped.
#[derive(Debug, Default)]
pub struct Plan {
    /// Figures.
    pub figures: Vec<Figure>,
    /// One line per chart the data does not support, with the reason.
    pub skipped: Vec<String>,
}

type Metric = fn(&RunRecord) -> f64;

const READING: &str = "lines: median of clean trials; band: min–max; ringed: flagged point";
const MAX_PANELS: usize = 4;

/// Builds every chart `data` supports.
pub fn all(data: &RunData<'_>) -> Plan {
    let pts = points(data.rows);
    let mut plan = Plan::default();
    let mut push = |r: Result<Vec<Figure>, String>| match r {
        Ok(f) => plan.figures.extend(f),
        Err(why) => plan.skipped.push(why),
    };
    push(per_family(
        data,
        &pts,
        "throughput-vs-threads",
        |d, p, f| {
            vs_threads(d, p, f, "throughput", "throughput (ops/s)", |r| {
                r.throughput_ops_s
            })
        },
    ));
    push(per_family(data, &pts, "throughput-vs-cs", throughput_vs_cs));
    push(per_family(
        data,
        &pts,
        "latency-vs-threads",
        latency_vs_threads,
    ));
    push(per_family(data, &pts, "cpu-vs-threads", cpu_vs_threads));
    push(per_family(
        data,
        &pts,
        "handoff-vs-threads",
        handoff_vs_threads,
    ));
    push(per_family(data, &pts, "fairness-vs-threads", |d, p, f| {
        vs_threads(
            d,
            p,
            f,
            "fairness",
            "Jain's fairness index (1 = even)",
            |r| r.jain_index,
        )
    }));
    push(latency_distribution(data, &pts));
    push(per_thread_share(data, &pts));
    push(rwlock_vs_read_ratio(data, &pts));
    push(striping(data, &pts));
    push(winner_heatmap(data, &pts));
    plan
}

/// The point's family, as its rows record it (so runs of primitives this build does not know,
/// from another machine or version, chart like any other).
fn family_of(p: &Trials) -> Option<Family> {
    Some(p.first().family)
}

/// Runs `build` per family present, naming figures `<stem>-<family>`.
fn per_family(
    data: &RunData<'_>,
    pts: &[Trials],
    stem: &str,
    build: impl Fn(&RunData<'_>, &[Trials], Family) -> Option<Figure>,
) -> Result<Vec<Figure>, String> {
    let mut figs = Vec::new();
    for family in Family::ALL {
        let of: Vec<Trials> = pts
            .iter()
            .filter(|p| family_of(p) == Some(family))
            .cloned()
            .collect();
        if of.is_empty() {
            continue;
        }
        if let Some(mut f) = build(data, &of, family) {
            f.name = format!("{stem}-{}", family.as_str());
            figs.push(f);
        }
    }
    if figs.is_empty() {
        Err(format!(
            "{stem}: no family has points that differ only in {}",
            stem_axis(stem)
        ))
    } else {
        Ok(figs)
    }
}

fn stem_axis(stem: &str) -> &'static str {
    if stem.ends_with("cs") {
        "critical-section length (needs ≥ 3 lengths: sweep --cs)"
    } else {
        "thread count (needs ≥ 2 counts: sweep --threads)"
    }
}

/// A series per primitive of `slice`: `metric` vs `along`, with band and flags.
fn series_of(slice: &Slice, along: Param, metric: Metric) -> Vec<Series> {
    slice
        .primitives()
        .into_iter()
        .map(|name| {
            let mut s = Series::line(name, Vec::new());
            let mut of: Vec<&&Trials> = slice
                .points
                .iter()
                .filter(|p| p.primitive() == name)
                .collect();
            of.sort_by(|a, b| {
                along
                    .value(a.first())
                    .partial_cmp(&along.value(b.first()))
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            for p in of {
                let Some(x) = along.value(p.first()) else {
                    continue;
                };
                // No clean trial: what was measured, drawn as flagged.
                let summary = crate::analysis::summarize(&p.measured_values(metric));
                let Some(v) = summary else { continue };
                s.points.push((x, v.median));
                s.band.push((x, v.min, v.max));
                if p.flagged() {
                    s.flagged.push((x, v.median));
                }
            }
            s
        })
        .filter(|s| !s.points.is_empty())
        .collect()
}

/// `series` without their non-positive points (a log axis cannot show them; a latency of 0
/// means nothing was sampled).
fn positive(series: Vec<Series>) -> Vec<Series> {
    series
        .into_iter()
        .map(|mut s| {
            s.points.retain(|p| p.1 > 0.0);
            s.band.retain(|b| b.1 > 0.0);
            s
        })
        .collect()
}

/// Log scale when the values span more than 20×.
fn y_axis_for(series: &[Series], label: &str, ticks: Ticks) -> Axis {
    let ys: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .filter(|v| *v > 0.0)
        .collect();
    let lo = ys.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = ys.iter().copied().fold(0.0, f64::max);
    let all_positive = series.iter().flat_map(|s| &s.points).all(|p| p.1 > 0.0);
    if all_positive && hi / lo > 20.0 {
        Axis::log(format!("{label} (log)"), ticks)
    } else {
        Axis::linear(label, ticks)
    }
}

fn cores_marker(cores: usize) -> Marker {
    Marker {
        x: cores as f64,
        label: format!("{cores} CPUs: oversubscribed →"),
        band: None,
        dashed: true,
    }
}

fn threads_axis() -> Axis {
    Axis::linear("threads", Ticks::Integer)
}

/// A panel of `series` against threads, with the CPU count marked.
fn threads_panel(title: String, y: Axis, series: Vec<Series>, cores: usize) -> Chart {
    let mut c = Chart::new(title, threads_axis(), y);
    c.series = series;
    c.markers.push(cores_marker(cores));
    c
}

fn figure(data: &RunData<'_>, title: String, panels: Vec<Chart>) -> Option<Figure> {
    if panels.is_empty() {
        return None;
    }
    let cols = if panels.len() > 1 { 2 } else { 1 };
    Some(Figure {
        name: String::new(),
        title,
        subtitle: format!("{}\n{READING}", data.host_line),
        panels,
        cols,
    })
}

fn setting_params(along: Param) -> Vec<Param> {
    Param::ALL.into_iter().filter(|p| *p != along).collect()
}

/// One panel per slice along threads (at most [`MAX_PANELS`]).
fn vs_threads(
    data: &RunData<'_>,
    pts: &[Trials],
    family: Family,
    what: &str,
    label: &str,
    metric: Metric,
) -> Option<Figure> {
    let panels: Vec<Chart> = slices(pts, Param::Threads, 2)
        .iter()
        .take(MAX_PANELS)
        .map(|slice| {
            let series = series_of(slice, Param::Threads, metric);
            let y = if what == "fairness" {
                Axis::linear(label, Ticks::Number)
            } else {
                y_axis_for(&series, label, Ticks::Number)
            };
            threads_panel(
                slice.setting.describe(&setting_params(Param::Threads)),
                y,
                series,
                data.cores,
            )
        })
        .collect();
    figure(
        data,
        format!("{} {what} vs threads", family.as_str()),
        panels,
    )
}

fn throughput_vs_cs(data: &RunData<'_>, pts: &[Trials], family: Family) -> Option<Figure> {
    let panels: Vec<Chart> = slices(pts, Param::Cs, 3)
        .iter()
        .take(MAX_PANELS)
        .map(|slice| {
            let series = series_of(slice, Param::Cs, |r| r.throughput_ops_s);
            let mut c = Chart::new(
                slice.setting.describe(&setting_params(Param::Cs)),
                Axis::log("critical-section length requested (log)", Ticks::Nanos),
                Axis::log("throughput (ops/s, log)", Ticks::Number),
            );
            c.series = series;
            c
        })
        .collect();
    let mut f = figure(
        data,
        format!("{} throughput vs critical-section length", family.as_str()),
        panels,
    )?;
    let rows: Vec<RunRecord> = pts
        .iter()
        .flat_map(|p| p.trials.iter().map(|r| (*r).clone()))
        .collect();
    let achieved = super::achieved_line(&crate::analysis::aggregate::achieved_cs(&rows));
    if !achieved.is_empty() {
        f.subtitle = format!("{}\n{achieved}", f.subtitle);
    }
    Some(f)
}

/// p50, p99 and p99.9 of the wait for the most populated thread slice.
fn latency_vs_threads(data: &RunData<'_>, pts: &[Trials], family: Family) -> Option<Figure> {
    let slices = slices(pts, Param::Threads, 2);
    let slice = slices.first()?;
    let pcts: [(&str, Metric); 3] = [
        ("p50", |r| r.wait_p50_ns),
        ("p99", |r| r.wait_p99_ns.unwrap_or(f64::NAN)),
        ("p99.9", |r| r.wait_p999_ns.unwrap_or(f64::NAN)),
    ];
    let panels = pcts
        .iter()
        .map(|(name, metric)| {
            let series = positive(series_of(slice, Param::Threads, *metric));
            threads_panel(
                format!(
                    "wait {name} — {}",
                    slice.setting.describe(&setting_params(Param::Threads))
                ),
                Axis::log(format!("wait {name} (log)"), Ticks::Nanos),
                series,
                data.cores,
            )
        })
        .collect();
    figure(
        data,
        format!("{} wait latency vs threads", family.as_str()),
        panels,
    )
}

/// Hand-off latency (p50, p99: release stamp → the new owner's reading after it has the lock and its data, hand-offs to another
/// thread only) and the share of timed sections whose holder was preempted, for the most
/// populated thread slice of an exclusive-lock family; `None` for families without hand-offs.
fn handoff_vs_threads(data: &RunData<'_>, pts: &[Trials], family: Family) -> Option<Figure> {
    let slices = slices(pts, Param::Threads, 2);
    let slice = slices.iter().find(|s| {
        s.points
            .iter()
            .any(|p| p.trials.iter().any(|r| r.handoff_p50_ns.is_some()))
    })?;
    let title = slice.setting.describe(&setting_params(Param::Threads));
    let pcts: [(&str, Metric); 2] = [
        ("p50", |r| r.handoff_p50_ns.unwrap_or(f64::NAN)),
        ("p99", |r| r.handoff_p99_ns.unwrap_or(f64::NAN)),
    ];
    let mut panels: Vec<Chart> = pcts
        .iter()
        .map(|(name, metric)| {
            threads_panel(
                format!("hand-off {name} — {title}"),
                Axis::log(format!("hand-off {name} (log)"), Ticks::Nanos),
                positive(series_of(slice, Param::Threads, *metric)),
                data.cores,
            )
        })
        .collect();
    panels.push(threads_panel(
        format!("holder preempted — {title}"),
        Axis::linear("timed sections with the holder preempted", Ticks::Percent),
        series_of(slice, Param::Threads, |r| {
            r.holder_preempted_share.unwrap_or(f64::NAN)
        }),
        data.cores,
    ));
    figure(
        data,
        format!(
            "{} hand-off latency and holder preemption vs threads",
            family.as_str()
        ),
        panels,
    )
}

fn cpu_vs_threads(data: &RunData<'_>, pts: &[Trials], family: Family) -> Option<Figure> {
    let slices = slices(pts, Param::Threads, 2);
    let slice = slices.first()?;
    let title = slice.setting.describe(&setting_params(Param::Threads));
    let eff = series_of(slice, Param::Threads, |r| r.ops_per_cpu_s);
    let a = threads_panel(
        format!("CPU efficiency — {title}"),
        y_axis_for(&eff, "ops per CPU-second", Ticks::Number),
        eff,
        data.cores,
    );
    let b = threads_panel(
        format!("context switches — {title}"),
        Axis::linear(
            "context switches per op (voluntary + involuntary)",
            Ticks::Number,
        ),
        series_of(slice, Param::Threads, |r| r.vcsw_per_op + r.ivcsw_per_op),
        data.cores,
    );
    figure(
        data,
        format!("{} CPU cost vs threads", family.as_str()),
        vec![a, b],
    )
}

/// The highest thread count ≤ 2 × cores among `pts`, and the clean trial rows there.
fn busiest<'a>(data: &RunData<'_>, pts: &'a [&Trials<'a>]) -> Vec<&'a Trials<'a>> {
    let max = pts
        .iter()
        .map(|p| p.first().threads)
        .filter(|t| *t <= 2 * data.cores)
        .max();
    let Some(max) = max else { return Vec::new() };
    let mut out: Vec<&Trials> = Vec::new();
    for p in pts.iter().filter(|p| p.first().threads == max) {
        if !out.iter().any(|q| q.primitive() == p.primitive()) {
            out.push(p);
        }
    }
    out
}

/// The histograms.csv line of a row: same run id and row index (schema 1 histograms have no
/// run id; their rows were numbered in file order, as the loader numbers schema 1 rows), and
/// the same primitive and trial, which every line repeats as a check.
fn histogram_of<'a>(data: &RunData<'a>, r: &RunRecord) -> Option<&'a HistogramRow> {
    let row = r.row?;
    data.histograms.iter().find(|h| {
        h.row == row
            && (h.run_id == r.run_id || h.run_id.is_empty())
            && h.primitive == r.primitive
            && h.trial == r.trial
    })
}

/// Percentile curves of the wait distribution of each family's busiest points.
fn latency_distribution(data: &RunData<'_>, pts: &[Trials]) -> Result<Vec<Figure>, String> {
    const NAME: &str = "latency-distribution";
    if data.histograms.is_empty() {
        return Err(format!("{NAME}: no histograms.csv next to the runs"));
    }
    let mut panels = Vec::new();
    for family in Family::ALL {
        let of: Vec<&Trials> = pts
            .iter()
            .filter(|p| family_of(p) == Some(family))
            .collect();
        let chosen = busiest(data, &of);
        let mut series = Vec::new();
        let mut threads = 0;
        for p in chosen {
            let Some(r) = p.clean().next() else { continue };
            let Some(h) = histogram_of(data, r) else {
                continue;
            };
            let Ok(hist) = decode_histogram(&h.wait_hdr_v2_base64) else {
                continue;
            };
            if hist.is_empty() {
                continue;
            }
            threads = r.threads;
            let pts: Vec<(f64, f64)> = PERCENTILES
                .iter()
                .filter(|&&q| hist.len() as f64 * (1.0 - q) >= 1.0 || q <= 0.5)
                .map(|&q| (1.0 / (1.0 - q), hist.value_at_quantile(q).max(1) as f64))
                .collect();
            series.push(Series::line(p.primitive(), pts));
        }
        if series.is_empty() {
            continue;
        }
        let mut c = Chart::new(
            format!("{} at {threads} threads (trial {})", family.as_str(), 0),
            Axis::log("percentile", Ticks::Percentile),
            Axis::log("wait (log)", Ticks::Nanos),
        );
        c.series = series;
        panels.push(c);
    }
    let mut f = figure(
        data,
        "Wait-time distribution at the busiest thread count".into(),
        panels,
    )
    .ok_or(format!("{NAME}: no point has a decodable wait histogram"))?;
    f.name = NAME.into();
    f.subtitle = format!(
        "{}\nx: percentile on a 1/(1−p) scale; the first clean trial of each point",
        data.host_line
    );
    Ok(vec![f])
}

/// Percentiles drawn in a distribution plot.
pub(crate) const PERCENTILES: [f64; 12] = [
    0.0, 0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999, 0.99999, 0.999999,
];

/// Per-thread share of operations at each family's least fair busiest point.
fn per_thread_share(data: &RunData<'_>, pts: &[Trials]) -> Result<Vec<Figure>, String> {
    const NAME: &str = "per-thread-share";
    let mut panels = Vec::new();
    for family in Family::ALL {
        let of: Vec<&Trials> = pts
            .iter()
            .filter(|p| family_of(p) == Some(family))
            .collect();
        let least_fair = busiest(data, &of)
            .into_iter()
            .filter_map(|p| p.clean().next())
            .filter(|r| r.threads > 1)
            .min_by(|a, b| a.jain_index.total_cmp(&b.jain_index));
        let Some(r) = least_fair else { continue };
        let Some(ops) = histogram_of(data, r).map(HistogramRow::per_thread_ops) else {
            continue;
        };
        let total: u64 = ops.iter().sum();
        if ops.len() != r.threads || total == 0 {
            continue;
        }
        let mut s = Series::line(
            format!("{} (Jain {:.3})", r.primitive, r.jain_index),
            ops.iter()
                .enumerate()
                .map(|(i, &n)| (i as f64, n as f64 / total as f64))
                .collect(),
        );
        s.style = Style::Bars;
        let mut fair = Series::line(
            format!("fair share 1/{}", r.threads),
            vec![
                (-0.5, 1.0 / r.threads as f64),
                (r.threads as f64 - 0.5, 1.0 / r.threads as f64),
            ],
        );
        fair.style = Style::Dashed;
        let mut c = Chart::new(
            format!(
                "{}: least fair at {} threads, {}",
                family.as_str(),
                r.threads,
                r.primitive
            ),
            Axis::linear(
                "thread",
                Ticks::Categories((0..r.threads).map(|t| format!("t{t}")).collect()),
            ),
            Axis::linear("share of all operations", Ticks::Percent),
        );
        c.series = vec![s, fair];
        panels.push(c);
    }
    let mut f = figure(data, "Per-thread share of operations".into(), panels).ok_or(format!(
        "{NAME}: no per-thread counts (histograms.csv written before they were recorded, or one thread only)"
    ))?;
    f.name = NAME.into();
    Ok(vec![f])
}

fn rwlock_vs_read_ratio(data: &RunData<'_>, pts: &[Trials]) -> Result<Vec<Figure>, String> {
    const NAME: &str = "rwlock-vs-read-ratio";
    let rw: Vec<Trials> = pts
        .iter()
        .filter(|p| family_of(p) == Some(Family::Rwlock))
        .cloned()
        .collect();
    let mut panels = Vec::new();
    for slice in slices(&rw, Param::ReadRatio, 2).iter().take(2) {
        let title = slice.setting.describe(&setting_params(Param::ReadRatio));
        let ratio = Axis::linear("read ratio", Ticks::Percent);
        let thr = series_of(slice, Param::ReadRatio, |r| r.throughput_ops_s);
        let mut a = Chart::new(
            format!("throughput — {title}"),
            ratio.clone(),
            y_axis_for(&thr, "throughput (ops/s)", Ticks::Number),
        );
        a.series = thr;
        let mut b = Chart::new(
            format!("writer wait p99.9 — {title}"),
            ratio,
            Axis::log("writer wait p99.9 (log)", Ticks::Nanos),
        );
        b.series = positive(series_of(slice, Param::ReadRatio, |r| {
            r.write_wait_p999_ns.unwrap_or(f64::NAN)
        }));
        panels.push(a);
        panels.push(b);
    }
    let mut f = figure(
        data,
        "RwLock policies vs read ratio: throughput and writer starvation".into(),
        panels,
    )
    .ok_or(format!(
        "{NAME}: needs rwlock points at ≥ 2 read ratios (sweep --read-ratio 0.5,0.99)"
    ))?;
    f.name = NAME.into();
    Ok(vec![f])
}

fn striping(data: &RunData<'_>, pts: &[Trials]) -> Result<Vec<Figure>, String> {
    const NAME: &str = "striping-vs-stripes";
    let striped: Vec<Trials> = pts
        .iter()
        .filter(|p| matches!(p.primitive(), "striped-spin" | "striped-mutex"))
        .cloned()
        .collect();
    let mut panels = Vec::new();
    for slice in slices(&striped, Param::Stripes, 2).iter().take(MAX_PANELS) {
        let mut series = series_of(slice, Param::Stripes, |r| r.throughput_ops_s);
        let xs = slice.xs(Param::Stripes);
        let (x0, x1) = (xs[0], xs[xs.len() - 1]);
        for reference in ["coarse-mutex", "dashmap"] {
            // The reference at the slice's setting: it takes no stripes, so every other axis
            // must match.
            let same = pts
                .iter()
                .find(|p| p.primitive() == reference && p.first().setting() == slice.setting);
            if let Some(v) = same.and_then(|p| p.summary(|r| r.throughput_ops_s)) {
                let mut line = Series::line(reference, vec![(x0, v.median), (x1, v.median)]);
                line.style = Style::Dashed;
                series.push(line);
            }
        }
        let mut c = Chart::new(
            slice.setting.describe(&setting_params(Param::Stripes)),
            Axis::log("stripes (log)", Ticks::Integer),
            y_axis_for(&series, "throughput (ops/s)", Ticks::Number),
        );
        c.series = series;
        panels.push(c);
    }
    let mut f = figure(
        data,
        "Lock striping: throughput vs stripes (dashed: one lock, dashmap)".into(),
        panels,
    )
    .ok_or(format!(
        "{NAME}: needs striped-spin/-mutex at ≥ 2 stripe counts (sweep --stripes 1,16)"
    ))?;
    f.name = NAME.into();
    Ok(vec![f])
}

/// The name of the threads × critical-section map of the winning lock.
pub(crate) const WINNER_HEATMAP: &str = "winner-heatmap";

/// Families whose primitives compete for the heatmap: mutual-exclusion locks.
const HEAT_FAMILIES: [Family; 2] = [Family::Spin, Family::Mutex];

fn winner_heatmap(data: &RunData<'_>, pts: &[Trials]) -> Result<Vec<Figure>, String> {
    const NAME: &str = WINNER_HEATMAP;
    let locks: Vec<&Trials> = pts
        .iter()
        .filter(|p| family_of(p).is_some_and(|f| HEAT_FAMILIES.contains(&f)))
        .filter(|p| p.first().think_ns == 0 && p.first().read_ratio.is_none())
        .collect();
    let mut threads: Vec<usize> = locks.iter().map(|p| p.first().threads).collect();
    let mut cs: Vec<u64> = locks.iter().map(|p| p.first().cs_ns).collect();
    threads.sort_unstable();
    threads.dedup();
    cs.sort_unstable();
    cs.dedup();
    if threads.len() < 2 || cs.len() < 2 {
        return Err(format!(
            "{NAME}: needs spin/mutex points at ≥ 2 thread counts and ≥ 2 critical-section lengths"
        ));
    }
    let mut legend: Vec<String> = Vec::new();
    let cells = threads
        .iter()
        .map(|&t| {
            cs.iter()
                .map(|&c| {
                    let best = locks
                        .iter()
                        .filter(|p| p.first().threads == t && p.first().cs_ns == c)
                        .filter_map(|p| {
                            Some((p.primitive(), p.summary(|r| r.throughput_ops_s)?.median))
                        })
                        .max_by(|a, b| a.1.total_cmp(&b.1))?;
                    let k = legend.iter().position(|n| n == best.0).unwrap_or_else(|| {
                        legend.push(best.0.to_string());
                        legend.len() - 1
                    });
                    Some(k)
                })
                .collect()
        })
        .collect();
    let mut c = Chart::new(
        "highest median throughput among spin and mutex locks",
        Axis::linear(
            "critical-section length",
            Ticks::Categories(cs.iter().map(|&c| fmt_ns(c as f64)).collect()),
        ),
        Axis::linear(
            "threads",
            Ticks::Categories(threads.iter().map(usize::to_string).collect()),
        ),
    );
    c.heatmap = Some(Heatmap { legend, cells });
    let mut f = figure(
        data,
        "Which lock wins where: threads × critical-section length".into(),
        vec![c],
    )
    .expect("one panel");
    f.name = NAME.into();
    Ok(vec![f])
}

/// Overlay charts for `compare --plot`: per family, one panel per primitive (throughput vs
/// threads on the most populated slice), one series per input.
pub fn overlay(inputs: &[(String, &[RunRecord])]) -> Vec<Figure> {
    let grouped: Vec<(String, Vec<Trials>)> = inputs
        .iter()
        .map(|(label, rows)| (label.clone(), points(rows)))
        .collect();
    let mut figs = Vec::new();
    for family in Family::ALL {
        let mut names: Vec<&str> = Vec::new();
        for (_, pts) in &grouped {
            for p in pts.iter().filter(|p| family_of(p) == Some(family)) {
                if !names.contains(&p.primitive()) {
                    names.push(p.primitive());
                }
            }
        }
        let mut panels = Vec::new();
        for name in names.iter().take(8) {
            let mut chart = Chart::new(
                name.to_string(),
                threads_axis(),
                Axis::log("throughput (ops/s, log)", Ticks::Number),
            );
            for (label, pts) in &grouped {
                let mine: Vec<Trials> = pts
                    .iter()
                    .filter(|p| p.primitive() == *name)
                    .cloned()
                    .collect();
                if let Some(slice) = slices(&mine, Param::Threads, 2).first() {
                    for mut s in series_of(slice, Param::Threads, |r| r.throughput_ops_s) {
                        s.name = label.clone();
                        chart.series.push(s);
                    }
                    if chart.title == *name {
                        chart.title = format!(
                            "{name} — {}",
                            slice.setting.describe(&setting_params(Param::Threads))
                        );
                    }
                }
            }
            if chart.series.len() >= 2 {
                panels.push(chart);
            }
        }
        if panels.is_empty() {
            continue;
        }
        let labels: Vec<&str> = inputs.iter().map(|(l, _)| l.as_str()).collect();
        figs.push(Figure {
            name: format!("compare-{}", family.as_str()),
            title: format!("{}: throughput vs threads, by host", family.as_str()),
            subtitle: format!("{}\n{READING}", labels.join(" vs ")),
            cols: 2.min(panels.len()),
            panels,
        });
    }
    figs
}
