//! Where a sleeping lock overtakes a spinning one, said no more certainly than the trials
//! allow.
//!
//! Two curves measured at the same critical-section lengths are compared length by length:
//! a length counts for one side only when the clean trials' ranges (min–max) do not overlap,
//! and only when each side has at least [`MIN_TRIALS`] clean trials; every other length is
//! *indistinguishable*. A crossing is
//! a change of side between two lengths that are beyond noise; its point estimate is where the
//! medians cross (interpolated in log-log space), and its band runs from the last length
//! beyond noise before it to the first one after it — never narrower than the grid interval
//! the medians cross in, and wider where the trial ranges overlap. "Wins throughout" is said
//! only when every length is beyond noise on the same side; anything else is described as
//! what it is.

use crate::probes::Percentiles;
use crate::record::RunRecord;
use crate::units::fmt_ns;
use serde::{Deserialize, Serialize};

/// One curve point: median of a metric over clean trials, its min and max, and how many
/// trials.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// Median.
    pub mid: f64,
    /// Lowest trial.
    pub lo: f64,
    /// Highest trial.
    pub hi: f64,
    /// Clean trials behind the figures.
    pub n: usize,
}

/// Fewest clean trials a side needs before its range can show a difference. One trial has
/// no range; with 2 a side, disjoint ranges happen by chance one time in three (exact
/// Mann–Whitney p = 1/3). With 3 or more a side they have p ≤ 0.1, so a length the break-even
/// calls is one `compare` would call too (disjoint ranges and p ≤ [`super::compare::ALPHA`]).
pub const MIN_TRIALS: usize = 3;

/// How one critical-section length compares, higher being better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Call {
    /// The spinning lock's lowest trial beats the sleeping lock's highest.
    SpinBetter,
    /// The sleeping lock's lowest trial beats the spinning lock's highest.
    SleepBetter,
    /// The trial ranges overlap, or a side has fewer than [`MIN_TRIALS`] clean trials.
    Indistinguishable,
}

impl Call {
    /// The call at one length: beyond noise only when both sides have a range and the ranges
    /// are disjoint.
    pub fn of(spin: &Band, sleep: &Band) -> Call {
        if spin.n < MIN_TRIALS || sleep.n < MIN_TRIALS {
            Call::Indistinguishable
        } else if spin.lo > sleep.hi {
            Call::SpinBetter
        } else if sleep.lo > spin.hi {
            Call::SleepBetter
        } else {
            Call::Indistinguishable
        }
    }

    /// The CSV key.
    pub fn key(self) -> &'static str {
        match self {
            Call::SpinBetter => "spin_better",
            Call::SleepBetter => "sleep_better",
            Call::Indistinguishable => "indistinguishable",
        }
    }
}

/// One compared length: its call and the spin ÷ sleep ratio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointCall {
    /// Critical-section length, ns.
    pub cs_ns: f64,
    /// Which side is ahead beyond noise, if either.
    pub call: Call,
    /// spin ÷ sleep: `mid` the ratio of medians, `lo`..`hi` the ratio the trial ranges allow
    /// (spin's lowest over sleep's highest … spin's highest over sleep's lowest), `n` the
    /// fewer trials of the two. The interval contains 1 exactly when the ranges overlap.
    pub ratio: Band,
}

/// Which way the curves cross, going to longer critical sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The sleeping lock overtakes the spinning one.
    SleepOvertakes,
    /// The spinning lock overtakes the sleeping one.
    SpinOvertakes,
}

/// Jain's fairness index (median over clean trials) of both locks at a crossing's bracketing
/// lengths: a lock that "wins" while starving a thread shows an index near 1/threads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JainAt {
    /// The spinning lock at the bracket's low and high length.
    pub spin: (f64, f64),
    /// The sleeping lock at the same lengths.
    pub sleep: (f64, f64),
}

/// A crossing, in nanoseconds of critical-section length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Crossing {
    /// Where the medians cross (interpolated in log-log space).
    pub at_ns: f64,
    /// The measured lengths the medians cross between (the first and last such interval if
    /// they cross several times inside one band).
    pub bracket_lo_ns: f64,
    /// …
    pub bracket_hi_ns: f64,
    /// Uncertainty band: from the last length beyond noise on the old side …
    pub band_lo_ns: f64,
    /// … to the first length beyond noise on the new side; contains the bracket.
    pub band_hi_ns: f64,
    /// Which way they cross.
    pub direction: Direction,
    /// Both locks' fairness at the bracket (filled by [`compare`], which has the curves).
    pub jain: Option<JainAt>,
}

/// The answer for one pair of curves.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// One or more crossings beyond noise, in order of critical-section length.
    Crossings(Vec<Crossing>),
    /// Every length beyond noise with the spinning lock ahead.
    SpinWinsThroughout,
    /// Every length beyond noise with the sleeping lock ahead.
    SleepWinsThroughout,
    /// No crossing beyond noise, but some lengths indistinguishable: the per-length calls say
    /// what is known.
    NoCrossing,
    /// Every length indistinguishable.
    Indistinguishable,
    /// Too few usable points to say anything.
    Undetermined,
}

impl Verdict {
    /// The CSV key.
    pub fn key(&self) -> &'static str {
        match self {
            Verdict::Crossings(_) => "crossing",
            Verdict::SpinWinsThroughout => "spin_wins_throughout",
            Verdict::SleepWinsThroughout => "sleep_wins_throughout",
            Verdict::NoCrossing => "no_crossing",
            Verdict::Indistinguishable => "indistinguishable",
            Verdict::Undetermined => "undetermined",
        }
    }
}

/// A verdict with the per-length calls behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The verdict.
    pub verdict: Verdict,
    /// Every compared length, ascending.
    pub calls: Vec<PointCall>,
}

impl Outcome {
    /// How many lengths got `call`.
    pub fn count(&self, call: Call) -> usize {
        self.calls.iter().filter(|p| p.call == call).count()
    }
}

/// Compares `spin` and `sleep` (higher is better) over critical-section lengths `xs`
/// (ascending, > 0). Points where either median is not positive are skipped. Crossings are
/// changes of side between neighbouring lengths beyond noise (see the module doc); between
/// them the medians must change sign at least once, and their interpolated crossing is the
/// point estimate (a length where the medians are exactly equal is skipped: touching is not
/// crossing).
pub fn crossings(xs: &[f64], spin: &[Band], sleep: &[Band]) -> Outcome {
    struct Pt {
        lx: f64,
        d: f64,
    }
    let mut pts = Vec::new();
    let mut calls = Vec::new();
    for (x, (a, b)) in xs.iter().zip(spin.iter().zip(sleep)) {
        if !(*x > 0.0 && a.mid > 0.0 && b.mid > 0.0) {
            continue;
        }
        pts.push(Pt {
            lx: x.ln(),
            d: (b.mid / a.mid).ln(),
        });
        let tiny = 1e-300;
        calls.push(PointCall {
            cs_ns: *x,
            call: Call::of(a, b),
            ratio: Band {
                mid: a.mid / b.mid,
                lo: a.lo.max(0.0) / b.hi.max(tiny),
                hi: a.hi.max(0.0) / b.lo.max(tiny),
                n: a.n.min(b.n),
            },
        });
    }
    let outcome = |verdict| Outcome {
        verdict,
        calls: calls.clone(),
    };
    if pts.len() < 2 {
        return outcome(Verdict::Undetermined);
    }
    let known: Vec<usize> = (0..calls.len())
        .filter(|&i| calls[i].call != Call::Indistinguishable)
        .collect();
    if known.is_empty() {
        return outcome(Verdict::Indistinguishable);
    }
    let mut found = Vec::new();
    for w in known.windows(2) {
        let (a, b) = (w[0], w[1]);
        if calls[a].call == calls[b].call {
            continue;
        }
        // Disjoint ranges put the medians on the same sides as the calls, so the medians
        // change sign at least once between a and b.
        let nonzero: Vec<usize> = (a..=b).filter(|&i| pts[i].d != 0.0).collect();
        let changes: Vec<(f64, usize, usize)> = nonzero
            .windows(2)
            .filter(|w| pts[w[0]].d.signum() != pts[w[1]].d.signum())
            .map(|w| {
                let (i, j) = (w[0], w[1]);
                let t = pts[i].d / (pts[i].d - pts[j].d);
                (pts[i].lx + t * (pts[j].lx - pts[i].lx), i, j)
            })
            .collect();
        let (Some(first), Some(last)) = (changes.first(), changes.last()) else {
            continue;
        };
        let log_mean = changes.iter().map(|c| c.0).sum::<f64>() / changes.len() as f64;
        found.push(Crossing {
            at_ns: log_mean.exp(),
            bracket_lo_ns: calls[first.1].cs_ns,
            bracket_hi_ns: calls[last.2].cs_ns,
            band_lo_ns: calls[a].cs_ns,
            band_hi_ns: calls[b].cs_ns,
            direction: if calls[b].call == Call::SleepBetter {
                Direction::SleepOvertakes
            } else {
                Direction::SpinOvertakes
            },
            jain: None,
        });
    }
    if !found.is_empty() {
        return outcome(Verdict::Crossings(found));
    }
    // No change of side: one side throughout, if every length is beyond noise.
    let verdict = if known.len() < calls.len() {
        Verdict::NoCrossing
    } else if calls[known[0]].call == Call::SpinBetter {
        Verdict::SpinWinsThroughout
    } else {
        Verdict::SleepWinsThroughout
    };
    outcome(verdict)
}

/// One row of breakeven.csv: a (regime, think time, metric, sleeper) verdict, one row per
/// crossing. The first ten columns are those of older files; the rest were added after.
#[derive(Debug, Clone, Serialize)]
pub struct BreakevenRow {
    /// `cores` or `2xcores`.
    pub regime: &'static str,
    /// Threads of the regime.
    pub threads: usize,
    /// `throughput` or `efficiency`.
    pub metric: &'static str,
    /// The spinning lock.
    pub spinner: String,
    /// The sleeping lock.
    pub sleeper: String,
    /// [`Verdict::key`].
    pub verdict: &'static str,
    /// Where the medians cross (crossing rows only).
    pub crossing_ns: Option<f64>,
    /// The crossing's uncertainty band: last length beyond noise before it …
    pub band_lo_ns: Option<f64>,
    /// … first length beyond noise after it.
    pub band_hi_ns: Option<f64>,
    /// Which way they cross.
    pub direction: Option<Direction>,
    /// Think time between operations, ns (0: every thread always wants the lock).
    pub think_ns: u64,
    /// The measured lengths the medians cross between.
    pub bracket_lo_ns: Option<f64>,
    /// …
    pub bracket_hi_ns: Option<f64>,
    /// The spinning lock's median Jain index at `bracket_lo_ns`.
    pub spin_jain_at_lo: Option<f64>,
    /// … at `bracket_hi_ns`.
    pub spin_jain_at_hi: Option<f64>,
    /// The sleeping lock's median Jain index at `bracket_lo_ns`.
    pub sleep_jain_at_lo: Option<f64>,
    /// … at `bracket_hi_ns`.
    pub sleep_jain_at_hi: Option<f64>,
    /// Lengths compared.
    pub lengths: usize,
    /// Lengths where the spinning lock is ahead beyond noise.
    pub spin_better: usize,
    /// Lengths where the sleeping lock is ahead beyond noise.
    pub sleep_better: usize,
    /// Lengths where the trial ranges overlap (or a side has too few clean trials).
    pub indistinguishable: usize,
}

/// One row of breakeven-points.csv: one compared length of one (regime, think time, metric,
/// sleeper) panel.
#[derive(Debug, Clone, Serialize)]
pub struct BreakevenPoint {
    /// `cores` or `2xcores`.
    pub regime: &'static str,
    /// Threads of the regime.
    pub threads: usize,
    /// Think time, ns.
    pub think_ns: u64,
    /// `throughput` or `efficiency`.
    pub metric: &'static str,
    /// The spinning lock.
    pub spinner: String,
    /// The sleeping lock.
    pub sleeper: String,
    /// Critical-section length, ns.
    pub cs_ns: f64,
    /// [`Call::key`].
    pub call: &'static str,
    /// spin ÷ sleep, ratio of medians.
    pub ratio: f64,
    /// Lowest ratio the trial ranges allow.
    pub ratio_lo: f64,
    /// Highest ratio the trial ranges allow.
    pub ratio_hi: f64,
    /// The spinning lock's median, min, max and clean trials.
    pub spin_median: f64,
    /// …
    pub spin_min: f64,
    /// …
    pub spin_max: f64,
    /// …
    pub spin_trials: usize,
    /// The sleeping lock's median, min, max and clean trials.
    pub sleep_median: f64,
    /// …
    pub sleep_min: f64,
    /// …
    pub sleep_max: f64,
    /// …
    pub sleep_trials: usize,
    /// Median Jain index of each lock at this length.
    pub spin_jain: f64,
    /// …
    pub sleep_jain: f64,
    /// Median hand-off latency p50 (`handoff_p50_ns`) of each lock at this length, ns: the
    /// lock's transfer cost, which the spin-or-sleep decision trades against the hold time.
    pub spin_handoff_p50_ns: Option<f64>,
    /// …
    pub sleep_handoff_p50_ns: Option<f64>,
}

/// A metric compared at the crossings: CSV key, axis label, how to read it from a row.
pub type Metric = (&'static str, &'static str, fn(&RunRecord) -> f64);

/// Throughput and CPU efficiency.
pub const METRICS: [Metric; 2] = [
    ("throughput", "throughput (ops/s)", |r| r.throughput_ops_s),
    ("efficiency", "ops per CPU-second", |r| r.ops_per_cpu_s),
];

/// One (thread count, think time, metric) panel: the spinner's curve, the sleepers' curves and
/// each sleeper's outcome against the spinner.
#[derive(Debug, Clone)]
pub struct Panel {
    /// Threads.
    pub threads: usize,
    /// Think time, ns.
    pub think_ns: u64,
    /// `= cores` or `2×cores, oversubscribed`.
    pub regime: &'static str,
    /// The metric's CSV key.
    pub metric: &'static str,
    /// The metric's axis label.
    pub label: &'static str,
    /// The spinning lock's curve.
    pub spin: Curve,
    /// The sleeping locks' curves, headline first.
    pub sleepers: Vec<Curve>,
    /// `outcomes[k]`: sleeper `k` against the spinner.
    pub outcomes: Vec<Outcome>,
}

/// What a break-even run shows: the CSV rows, the panels and one verdict line per panel
/// (the headline sleeper's).
#[derive(Debug, Clone)]
pub struct Breakeven {
    /// breakeven.csv's rows.
    pub rows: Vec<BreakevenRow>,
    /// breakeven-points.csv's rows.
    pub points: Vec<BreakevenPoint>,
    /// Panels, by thread count, then think time, then metric.
    pub panels: Vec<Panel>,
    /// Human verdict lines.
    pub lines: Vec<String>,
    /// Hand-off latency of the spinner and the headline sleeper per thread count (think 0):
    /// what each pays to pass the lock on, in words.
    pub handoff_lines: Vec<String>,
    /// The critical section achieved at each requested length ([`super::aggregate::achieved_cs`]
    /// over every row): what the x axis's requested lengths really were.
    pub achieved: Vec<(u64, f64)>,
}

/// Median `handoff_p50_ns` over the clean trials of `primitive` at (threads, think, cs).
fn handoff_at(
    rows: &[RunRecord],
    primitive: &str,
    threads: usize,
    think_ns: u64,
    cs_ns: f64,
) -> Option<f64> {
    median_at(rows, primitive, threads, think_ns, cs_ns, |r| {
        r.handoff_p50_ns
    })
}

/// Median of `metric` over the clean trials of `primitive` at (threads, think, cs) that have it.
fn median_at(
    rows: &[RunRecord],
    primitive: &str,
    threads: usize,
    think_ns: u64,
    cs_ns: f64,
    metric: fn(&RunRecord) -> Option<f64>,
) -> Option<f64> {
    let values: Vec<f64> = super::aggregate::clean_rows(rows)
        .into_iter()
        .filter(|r| {
            r.primitive == primitive
                && r.threads == threads
                && r.think_ns == think_ns
                && r.cs_ns as f64 == cs_ns
        })
        .filter_map(metric)
        .collect();
    super::summarize(&values).map(|s| s.median)
}

/// "a–b", or "a" when both ends are equal, of `values` formatted by `fmt`.
fn span(values: &[f64], fmt: impl Fn(f64) -> String) -> Option<String> {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if values.is_empty() {
        None
    } else if lo == hi {
        Some(fmt(lo))
    } else {
        Some(format!("{}–{}", fmt(lo), fmt(hi)))
    }
}

/// "threads 4, think 0: spin-ttas-backoff 80–120 ns (p99 up to 430 ns where measured; hands
/// changed after 45–50% of timed releases), …": per lock, the range over the lengths of its
/// median hand-off p50, the largest median p99 among lengths that had one, and the range of
/// its median hand-off share, at think 0; `None` when neither lock recorded hand-offs.
fn handoff_line(rows: &[RunRecord], threads: usize, locks: &[&str]) -> Option<String> {
    let think = rows.iter().map(|r| r.think_ns).min()?;
    let parts: Vec<String> = locks
        .iter()
        .filter_map(|lock| {
            let mut cs: Vec<u64> = rows
                .iter()
                .filter(|r| r.primitive == *lock && r.threads == threads && r.think_ns == think)
                .map(|r| r.cs_ns)
                .collect();
            cs.sort_unstable();
            cs.dedup();
            let at = |metric: fn(&RunRecord) -> Option<f64>| -> Vec<f64> {
                cs.iter()
                    .filter_map(|c| median_at(rows, lock, threads, think, *c as f64, metric))
                    .collect()
            };
            let p50s = at(|r| r.handoff_p50_ns);
            if p50s.is_empty() {
                return None;
            }
            let lo = p50s.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = p50s.iter().copied().fold(0.0, f64::max);
            let range = fmt_ns_span(lo, hi);
            let p99 = at(|r| r.handoff_p99_ns)
                .into_iter()
                .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))))
                .map_or(String::new(), |v| {
                    format!("p99 ≤ {} at lengths with ≥ 1000 hand-offs; ", fmt_ns(v))
                });
            let share = span(&at(|r| r.handoff_share), |v| format!("{:.0}%", v * 100.0))
                .map_or(String::new(), |s| {
                    format!("hands changed after {s} of timed releases")
                });
            let note = format!("{p99}{share}");
            let note = note.trim_end_matches("; ");
            Some(if note.is_empty() {
                format!("{lock} {range}")
            } else {
                format!("{lock} {range} ({note})")
            })
        })
        .collect();
    (!parts.is_empty()).then(|| {
        format!(
            "threads {threads}, {}: {}",
            think_label(think),
            parts.join(", ")
        )
    })
}

/// "think 0" or "think 2 µs".
pub fn think_label(think_ns: u64) -> String {
    if think_ns == 0 {
        "think 0".into()
    } else {
        format!("think {}", fmt_ns(think_ns as f64))
    }
}

/// Finds the crossings of `spinner` against each of `sleepers` in break-even rows measured on
/// `cores` CPUs, for every thread count, think time and metric.
pub fn analyse(rows: &[RunRecord], cores: usize, spinner: &str, sleepers: &[&str]) -> Breakeven {
    let mut threads: Vec<usize> = rows.iter().map(|r| r.threads).collect();
    threads.sort_unstable();
    threads.dedup();
    let mut thinks: Vec<u64> = rows.iter().map(|r| r.think_ns).collect();
    thinks.sort_unstable();
    thinks.dedup();
    let cores = cores.max(1);
    let mut out = Breakeven {
        rows: Vec::new(),
        points: Vec::new(),
        panels: Vec::new(),
        lines: Vec::new(),
        handoff_lines: Vec::new(),
        achieved: super::aggregate::achieved_cs(rows),
    };
    let headline: Vec<&str> = std::iter::once(spinner)
        .chain(sleepers.first().copied())
        .collect();
    out.handoff_lines = threads
        .iter()
        .filter_map(|t| handoff_line(rows, *t, &headline))
        .collect();
    for &t in &threads {
        let (regime, regime_key) = if t > cores {
            ("2×cores, oversubscribed", "2xcores")
        } else {
            ("= cores", "cores")
        };
        for &think in &thinks {
            for (key, label, metric) in METRICS {
                let spin = curve(rows, spinner, t, think, metric);
                let curves: Vec<Curve> = sleepers
                    .iter()
                    .map(|s| curve(rows, s, t, think, metric))
                    .collect();
                if spin.cs_ns.is_empty() && curves.iter().all(|c| c.cs_ns.is_empty()) {
                    continue;
                }
                let mut outcomes = Vec::new();
                for (k, sleep) in curves.iter().enumerate() {
                    let o = compare(&spin, sleep);
                    let base = BreakevenRow {
                        regime: regime_key,
                        threads: t,
                        metric: key,
                        spinner: spinner.to_string(),
                        sleeper: sleep.primitive.clone(),
                        verdict: o.verdict.key(),
                        crossing_ns: None,
                        band_lo_ns: None,
                        band_hi_ns: None,
                        direction: None,
                        think_ns: think,
                        bracket_lo_ns: None,
                        bracket_hi_ns: None,
                        spin_jain_at_lo: None,
                        spin_jain_at_hi: None,
                        sleep_jain_at_lo: None,
                        sleep_jain_at_hi: None,
                        lengths: o.calls.len(),
                        spin_better: o.count(Call::SpinBetter),
                        sleep_better: o.count(Call::SleepBetter),
                        indistinguishable: o.count(Call::Indistinguishable),
                    };
                    match &o.verdict {
                        Verdict::Crossings(cs) => {
                            out.rows.extend(cs.iter().map(|c| BreakevenRow {
                                crossing_ns: Some(c.at_ns),
                                band_lo_ns: Some(c.band_lo_ns),
                                band_hi_ns: Some(c.band_hi_ns),
                                direction: Some(c.direction),
                                bracket_lo_ns: Some(c.bracket_lo_ns),
                                bracket_hi_ns: Some(c.bracket_hi_ns),
                                spin_jain_at_lo: c.jain.map(|j| j.spin.0),
                                spin_jain_at_hi: c.jain.map(|j| j.spin.1),
                                sleep_jain_at_lo: c.jain.map(|j| j.sleep.0),
                                sleep_jain_at_hi: c.jain.map(|j| j.sleep.1),
                                ..base.clone()
                            }));
                        }
                        _ => out.rows.push(base),
                    }
                    out.points.extend(o.calls.iter().map(|p| {
                        let (a, ja) = spin.at(p.cs_ns);
                        let (b, jb) = sleep.at(p.cs_ns);
                        BreakevenPoint {
                            regime: regime_key,
                            threads: t,
                            think_ns: think,
                            metric: key,
                            spinner: spinner.to_string(),
                            sleeper: sleep.primitive.clone(),
                            cs_ns: p.cs_ns,
                            call: p.call.key(),
                            ratio: p.ratio.mid,
                            ratio_lo: p.ratio.lo,
                            ratio_hi: p.ratio.hi,
                            spin_median: a.mid,
                            spin_min: a.lo,
                            spin_max: a.hi,
                            spin_trials: a.n,
                            sleep_median: b.mid,
                            sleep_min: b.lo,
                            sleep_max: b.hi,
                            sleep_trials: b.n,
                            spin_jain: ja,
                            sleep_jain: jb,
                            spin_handoff_p50_ns: handoff_at(rows, spinner, t, think, p.cs_ns),
                            sleep_handoff_p50_ns: handoff_at(
                                rows,
                                &sleep.primitive,
                                t,
                                think,
                                p.cs_ns,
                            ),
                        }
                    }));
                    if k == 0 {
                        out.lines.push(format!(
                            "{regime:<25} {:<12} {key:<11} {}",
                            think_label(think),
                            describe(&o, spinner, &sleep.primitive, &spin)
                        ));
                    }
                    outcomes.push(o);
                }
                out.panels.push(Panel {
                    threads: t,
                    think_ns: think,
                    regime,
                    metric: key,
                    label,
                    spin,
                    sleepers: curves,
                    outcomes,
                });
            }
        }
    }
    out
}

/// [`fmt_ns_range`], or the one value when both ends are equal: "80 ns", "1.46–4 ms".
pub fn fmt_ns_span(lo: f64, hi: f64) -> String {
    if lo == hi {
        fmt_ns(lo)
    } else {
        fmt_ns_range(lo, hi)
    }
}

/// "20.2–31.4 µs", or "950 ns–1.2 µs" when the units differ.
pub fn fmt_ns_range(lo: f64, hi: f64) -> String {
    let (a, b) = (fmt_ns(lo), fmt_ns(hi));
    match (a.rsplit_once(' '), b.rsplit_once(' ')) {
        (Some((na, ua)), Some((_, ub))) if ua == ub => format!("{na}–{b}"),
        _ => format!("{a}–{b}"),
    }
}

/// The sentence quoting a probe's spread: "20.2–31.4 µs (p10–p90 of one probe, 500 samples;
/// p50 22.4 µs)".
pub fn fmt_probe(p: &Percentiles) -> String {
    format!(
        "{} (p10–p90 of one probe, {} samples; p50 {})",
        fmt_ns_range(p.p10_ns, p.p90_ns),
        p.samples,
        fmt_ns(p.p50_ns)
    )
}

/// The verdict text of a break-even run: the headline lines, the machine's sleep/wake costs
/// (from the run's probes, when measured, as p10–p90 ranges) and the textbook's claim.
pub fn verdict_text(
    b: &Breakeven,
    spinner: &str,
    headline: &str,
    cpu_model: &str,
    cores: usize,
    wakeup: Option<&Percentiles>,
    same_core_round_trip: Option<&Percentiles>,
) -> String {
    let mut verdict =
        format!("break-even of {headline} vs {spinner} on {cpu_model} ({cores} CPUs):\n");
    for l in &b.lines {
        verdict.push_str(&format!("  {l}\n"));
    }
    verdict.push_str(&format!(
        "A length counts for one side only when the clean trials' ranges (min–max, ≥ {MIN_TRIALS} \
         trials a side) do not overlap.\nJain: fairness index (1 even, 1/threads: one thread \
         served) of spin and sleep at the lengths the medians cross between.\n"
    ));
    if let Some(w) = wakeup {
        verdict.push_str(&format!(
            "one cross-core sleep/wake (futex wake-up latency) here costs {}",
            fmt_probe(w)
        ));
        if let Some(rt) = same_core_round_trip {
            verdict.push_str(&format!(
                "; a same-core context-switch round trip {} (p10–p90)",
                fmt_ns_range(rt.p10_ns, rt.p90_ns)
            ));
        }
        verdict.push_str(".\n");
    }
    if !b.handoff_lines.is_empty() {
        verdict.push_str(
            "Hand-off (a holder's release → the new owner holding the lock and its data, when \
             the lock changes hands; the range over the lengths of each length's median p50): a \
             spinning waiter takes over in a cache-line transfer or two. A sleeping lock's p50 \
             stays far below the wake-up above, which suggests it changes hands mostly to a \
             waiter still awake while sleepers lose their turn to the re-acquiring releaser; \
             the wake-ups show in its p99, in how rarely its hands change, and in CPU-seconds:\n",
        );
        for l in &b.handoff_lines {
            verdict.push_str(&format!("  {l}\n"));
        }
    }
    verdict.push_str("The textbook says spinning stops paying at ~1 µs of hold time.\n");
    verdict
}

/// One outcome in words.
pub fn describe(o: &Outcome, spinner: &str, sleeper: &str, spin: &Curve) -> String {
    let range = match (spin.cs_ns.first(), spin.cs_ns.last()) {
        (Some(a), Some(b)) => fmt_ns_range(*a, *b),
        _ => "the range".into(),
    };
    let m = o.calls.len();
    let ties = o.count(Call::Indistinguishable);
    match &o.verdict {
        Verdict::Crossings(cs) => {
            let mut text = cs
                .iter()
                .map(|c| {
                    let who = if c.direction == Direction::SleepOvertakes {
                        sleeper
                    } else {
                        spinner
                    };
                    let place =
                        if (c.bracket_lo_ns, c.bracket_hi_ns) == (c.band_lo_ns, c.band_hi_ns) {
                            format!("band {}", fmt_ns_range(c.band_lo_ns, c.band_hi_ns))
                        } else {
                            format!(
                                "medians cross in {}, band {}",
                                fmt_ns_range(c.bracket_lo_ns, c.bracket_hi_ns),
                                fmt_ns_range(c.band_lo_ns, c.band_hi_ns)
                            )
                        };
                    let jain = c.jain.map_or(String::new(), |j| {
                        format!(
                            "; Jain spin {}→{}, sleep {}→{}",
                            fmt_jain(j.spin.0),
                            fmt_jain(j.spin.1),
                            fmt_jain(j.sleep.0),
                            fmt_jain(j.sleep.1)
                        )
                    });
                    format!("{who} overtakes at ~{} ({place}{jain})", fmt_ns(c.at_ns))
                })
                .collect::<Vec<_>>()
                .join("; ");
            if ties > 0 {
                text.push_str(&format!(
                    "; indistinguishable {} ({ties} of {m} lengths)",
                    spans(&o.calls, Call::Indistinguishable)
                ));
            }
            text
        }
        Verdict::SpinWinsThroughout => {
            format!(
                "no crossing in {range}: {spinner} wins throughout (all {m} lengths beyond noise)"
            )
        }
        Verdict::SleepWinsThroughout => {
            format!(
                "no crossing in {range}: {sleeper} wins throughout (all {m} lengths beyond noise)"
            )
        }
        Verdict::NoCrossing => {
            let mut parts = Vec::new();
            for p in &o.calls {
                let part = match p.call {
                    Call::SpinBetter => format!("{spinner} ahead"),
                    Call::SleepBetter => format!("{sleeper} ahead"),
                    Call::Indistinguishable => "indistinguishable".into(),
                };
                let part = format!("{part} {}", spans(&o.calls, p.call));
                if !parts.contains(&part) {
                    parts.push(part);
                }
            }
            format!(
                "no crossing beyond noise: {} ({ties} of {m} lengths indistinguishable)",
                parts.join("; ")
            )
        }
        Verdict::Indistinguishable => {
            format!("undetermined: indistinguishable at {ties} of {m} lengths")
        }
        Verdict::Undetermined => "undetermined (too few clean points)".into(),
    }
}

fn fmt_jain(j: f64) -> String {
    if j.is_finite() {
        format!("{j:.2}")
    } else {
        "?".into()
    }
}

/// Where `call` holds, as runs of neighbouring lengths: "at 2 µs", "up to 585 ns",
/// "from 1.15 µs on", "39–298 ns", joined by ", ".
fn spans(calls: &[PointCall], call: Call) -> String {
    let last = calls.len().saturating_sub(1);
    let mut out = Vec::new();
    let mut i = 0;
    while i < calls.len() {
        if calls[i].call != call {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < last && calls[j + 1].call == call {
            j += 1;
        }
        let (a, b) = (calls[i].cs_ns, calls[j].cs_ns);
        out.push(if i == j {
            format!("at {}", fmt_ns(a))
        } else if i == 0 && j == last {
            "throughout".into()
        } else if j == last {
            format!("from {} on", fmt_ns(a))
        } else if i == 0 {
            format!("up to {}", fmt_ns(b))
        } else {
            fmt_ns_range(a, b)
        });
        i = j + 1;
    }
    out.join(", ")
}

/// A measured curve: the metric's band at each critical-section length (ascending), and the
/// median Jain index there.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// Primitive name.
    pub primitive: String,
    /// Critical-section lengths, ns.
    pub cs_ns: Vec<f64>,
    /// The metric at each, over clean trials.
    pub bands: Vec<Band>,
    /// Median Jain index at each, over the same trials.
    pub jain: Vec<f64>,
}

impl Curve {
    /// The band and median Jain index at length `x` (NaNs when not measured there).
    pub fn at(&self, x: f64) -> (Band, f64) {
        match self.cs_ns.iter().position(|c| *c == x) {
            Some(i) => (self.bands[i], self.jain[i]),
            None => (
                Band {
                    mid: f64::NAN,
                    lo: f64::NAN,
                    hi: f64::NAN,
                    n: 0,
                },
                f64::NAN,
            ),
        }
    }
}

/// Builds the curve of `metric` for `primitive` at `threads` and `think_ns` from rows, using
/// clean trials only (not degraded, not timed out, on the point's cache layout:
/// [`super::aggregate::clean_rows`]); lengths with no clean trial are left out.
pub fn curve(
    rows: &[RunRecord],
    primitive: &str,
    threads: usize,
    think_ns: u64,
    metric: fn(&RunRecord) -> f64,
) -> Curve {
    type Trials = (Vec<f64>, Vec<f64>);
    let mut by_cs: std::collections::BTreeMap<u64, Trials> = std::collections::BTreeMap::new();
    for r in super::aggregate::clean_rows(rows)
        .into_iter()
        .filter(|r| r.primitive == primitive && r.threads == threads && r.think_ns == think_ns)
        // A lock whose correctness was not checked is no contender, spinner or sleeper.
        .filter(|r| r.checked)
    {
        let e = by_cs.entry(r.cs_ns).or_default();
        e.0.push(metric(r));
        e.1.push(r.jain_index);
    }
    let mut c = Curve {
        primitive: primitive.to_string(),
        cs_ns: Vec::new(),
        bands: Vec::new(),
        jain: Vec::new(),
    };
    for (cs, (values, jain)) in by_cs {
        if let Some(s) = super::summarize(&values) {
            c.cs_ns.push(cs as f64);
            c.bands.push(Band {
                mid: s.median,
                lo: s.min,
                hi: s.max,
                n: s.n,
            });
            c.jain
                .push(super::summarize(&jain).map_or(f64::NAN, |j| j.median));
        }
    }
    c
}

/// The outcome of `sleep` against `spin`, on the lengths both curves have, with both locks'
/// Jain index at each crossing's bracket.
pub fn compare(spin: &Curve, sleep: &Curve) -> Outcome {
    let mut xs = Vec::new();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for (i, x) in spin.cs_ns.iter().enumerate() {
        if let Some(j) = sleep.cs_ns.iter().position(|y| y == x) {
            xs.push(*x);
            a.push(spin.bands[i]);
            b.push(sleep.bands[j]);
        }
    }
    let mut o = crossings(&xs, &a, &b);
    if let Verdict::Crossings(cs) = &mut o.verdict {
        for c in cs {
            c.jain = Some(JainAt {
                spin: (spin.at(c.bracket_lo_ns).1, spin.at(c.bracket_hi_ns).1),
                sleep: (sleep.at(c.bracket_lo_ns).1, sleep.at(c.bracket_hi_ns).1),
            });
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value measured the same in all of 3 trials.
    fn exact(v: f64) -> Band {
        Band {
            mid: v,
            lo: v,
            hi: v,
            n: 3,
        }
    }

    /// 3 trials within ±`rel` of `v`.
    fn noisy(v: f64, rel: f64) -> Band {
        Band {
            mid: v,
            lo: v * (1.0 - rel),
            hi: v * (1.0 + rel),
            n: 3,
        }
    }

    const XS: [f64; 6] = [10.0, 100.0, 1_000.0, 10_000.0, 100_000.0, 1_000_000.0];

    fn crossings_of(o: Outcome) -> Vec<Crossing> {
        match o.verdict {
            Verdict::Crossings(c) => c,
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn crossing_once_is_interpolated_in_log_space() {
        // Spin flat at 100; sleep rises ×10 per decade from 1 at 10 ns: equal at 1 µs, then
        // above. The medians touch at 1 µs; the crossing is there.
        let spin: Vec<Band> = XS.iter().map(|_| exact(100.0)).collect();
        let sleep: Vec<Band> = [1.0, 10.0, 100.0, 1000.0, 1e4, 1e5].map(exact).to_vec();
        let c = crossings_of(crossings(&XS, &spin, &sleep));
        assert_eq!(c.len(), 1);
        assert!((c[0].at_ns - 1000.0).abs() < 1e-6, "{}", c[0].at_ns);
        assert_eq!(c[0].direction, Direction::SleepOvertakes);
        // Between grid points: sleep 50 → 200 between 100 ns and 1 µs crosses at 10^2.5.
        let sleep: Vec<Band> = [10.0, 50.0, 200.0, 400.0, 800.0, 1600.0]
            .map(exact)
            .to_vec();
        let c = crossings_of(crossings(&XS, &spin, &sleep));
        assert!(
            (c[0].at_ns - 10f64.powf(2.5)).abs() < 1e-6,
            "{}",
            c[0].at_ns
        );
    }

    /// The promise of item 1: ranges disjoint on both sides of the crossing used to give a
    /// band of one value; the band is now at least the grid interval the medians cross in.
    #[test]
    fn band_is_at_least_the_grid_interval_when_ranges_do_not_overlap() {
        let spin: Vec<Band> = XS.iter().map(|_| noisy(100.0, 0.01)).collect();
        let sleep: Vec<Band> = [10.0, 50.0, 200.0, 400.0, 800.0, 1600.0]
            .map(|v| noisy(v, 0.01))
            .to_vec();
        let c = crossings_of(crossings(&XS, &spin, &sleep));
        assert_eq!(c.len(), 1);
        let c = c[0];
        assert_eq!((c.bracket_lo_ns, c.bracket_hi_ns), (100.0, 1_000.0));
        assert!(c.band_lo_ns <= 100.0 && c.band_hi_ns >= 1_000.0, "{c:?}");
        assert!(c.band_hi_ns / c.band_lo_ns >= 10.0, "{c:?}");
        assert!(c.band_lo_ns < c.at_ns && c.at_ns < c.band_hi_ns);
    }

    #[test]
    fn no_crossing_says_who_won() {
        let spin: Vec<Band> = XS.iter().map(|_| exact(100.0)).collect();
        let low: Vec<Band> = XS.iter().map(|_| exact(50.0)).collect();
        let high: Vec<Band> = XS.iter().map(|_| exact(150.0)).collect();
        assert_eq!(
            crossings(&XS, &spin, &low).verdict,
            Verdict::SpinWinsThroughout
        );
        assert_eq!(
            crossings(&XS, &spin, &high).verdict,
            Verdict::SleepWinsThroughout
        );
    }

    /// Item 2: the last points' trial ranges overlap, so "wins throughout" is not claimed;
    /// the text says where the spinner is ahead and from where it is indistinguishable.
    #[test]
    fn overlapping_noise_at_the_last_points_is_not_wins_throughout() {
        let spin: Vec<Band> = XS.iter().map(|_| noisy(100.0, 0.05)).collect();
        // Clearly behind, then within the spinner's ±5% (and its own ±5%) at the last two.
        let sleep: Vec<Band> = [50.0, 60.0, 70.0, 80.0, 97.0, 103.0]
            .map(|v| noisy(v, 0.05))
            .to_vec();
        let o = crossings(&XS, &spin, &sleep);
        assert_eq!(o.verdict, Verdict::NoCrossing);
        let calls: Vec<Call> = o.calls.iter().map(|p| p.call).collect();
        assert_eq!(
            calls,
            [
                Call::SpinBetter,
                Call::SpinBetter,
                Call::SpinBetter,
                Call::SpinBetter,
                Call::Indistinguishable,
                Call::Indistinguishable
            ]
        );
        // The medians do cross (103 > 100 at the last point), but within noise: no crossing.
        let curve = Curve {
            primitive: "spin".into(),
            cs_ns: XS.to_vec(),
            bands: spin.clone(),
            jain: vec![1.0; 6],
        };
        let text = describe(&o, "spin", "sleep", &curve);
        assert!(!text.contains("throughout"), "{text}");
        assert!(
            text.contains("spin ahead up to 10 µs")
                && text.contains("indistinguishable from 100 µs on")
                && text.contains("2 of 6"),
            "{text}"
        );
    }

    /// An all-indistinguishable pair of curves says so, whatever its medians do.
    #[test]
    fn all_indistinguishable_is_undetermined() {
        let spin: Vec<Band> = XS.iter().map(|_| noisy(100.0, 0.2)).collect();
        let sleep: Vec<Band> = [90.0, 110.0, 95.0, 105.0, 92.0, 108.0]
            .map(|v| noisy(v, 0.2))
            .to_vec();
        let o = crossings(&XS, &spin, &sleep);
        assert_eq!(o.verdict, Verdict::Indistinguishable);
        assert_eq!(o.count(Call::Indistinguishable), 6);
        let curve = Curve {
            primitive: "spin".into(),
            cs_ns: XS.to_vec(),
            bands: spin,
            jain: vec![1.0; 6],
        };
        assert_eq!(
            describe(&o, "spin", "sleep", &curve),
            "undetermined: indistinguishable at 6 of 6 lengths"
        );
    }

    /// One clean trial has no range, and two disjoint ranges of 2 trials happen by chance one
    /// time in three: neither puts a length beyond noise.
    #[test]
    fn fewer_than_three_trials_are_indistinguishable() {
        for n in [1, 2] {
            let few = |v: f64| Band {
                n,
                ..noisy(v, 0.01)
            };
            let spin: Vec<Band> = XS.iter().map(|_| few(100.0)).collect();
            let sleep: Vec<Band> = XS.iter().map(|_| few(50.0)).collect();
            assert_eq!(
                crossings(&XS, &spin, &sleep).verdict,
                Verdict::Indistinguishable,
                "{n} trials"
            );
        }
    }

    #[test]
    fn crossing_twice_reports_both() {
        let spin: Vec<Band> = XS.iter().map(|_| exact(100.0)).collect();
        let sleep: Vec<Band> = [50.0, 80.0, 150.0, 200.0, 90.0, 40.0].map(exact).to_vec();
        let c = crossings_of(crossings(&XS, &spin, &sleep));
        assert_eq!(c.len(), 2);
        assert_eq!(
            (c[0].direction, c[1].direction),
            (Direction::SleepOvertakes, Direction::SpinOvertakes)
        );
        assert!(c[0].at_ns > 100.0 && c[0].at_ns < 1_000.0);
        assert!(c[1].at_ns > 10_000.0 && c[1].at_ns < 100_000.0);
        assert_eq!((c[0].band_lo_ns, c[0].band_hi_ns), (100.0, 1_000.0));
    }

    #[test]
    fn touching_is_not_crossing() {
        let spin: Vec<Band> = XS.iter().map(|_| exact(100.0)).collect();
        let sleep: Vec<Band> = [50.0, 80.0, 100.0, 80.0, 50.0, 40.0].map(exact).to_vec();
        let o = crossings(&XS, &spin, &sleep);
        // Equal at 1 µs is not beyond noise: no crossing, and not "throughout" either.
        assert_eq!(o.verdict, Verdict::NoCrossing);
        assert_eq!(o.calls[2].call, Call::Indistinguishable);
    }

    #[test]
    fn noise_near_the_crossing_is_one_crossing_with_a_band() {
        // A wiggle at 1–30 µs inside ±10% trial ranges, then sleep clearly ahead.
        let spin: Vec<Band> = XS.iter().map(|_| noisy(100.0, 0.1)).collect();
        let sleep: Vec<Band> = [20.0, 60.0, 104.0, 97.0, 103.0, 300.0]
            .map(|v| noisy(v, 0.1))
            .to_vec();
        let mut xs = XS.to_vec();
        xs[4] = 30_000.0;
        let c = crossings_of(crossings(&xs, &spin, &sleep));
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].direction, Direction::SleepOvertakes);
        // From the last length the spinner is ahead beyond noise (100 ns) to the first the
        // sleeper is (1 ms).
        assert_eq!((c[0].band_lo_ns, c[0].band_hi_ns), (100.0, 1_000_000.0));
        assert!(c[0].band_lo_ns <= c[0].bracket_lo_ns && c[0].bracket_hi_ns <= c[0].band_hi_ns);
        assert!(c[0].band_lo_ns <= c[0].at_ns && c[0].at_ns <= c[0].band_hi_ns);
    }

    #[test]
    fn too_few_points() {
        assert_eq!(
            crossings(&[10.0], &[exact(1.0)], &[exact(2.0)]).verdict,
            Verdict::Undetermined
        );
        assert_eq!(
            crossings(&[10.0, 20.0], &[exact(0.0); 2], &[exact(1.0); 2]).verdict,
            Verdict::Undetermined
        );
    }

    #[test]
    fn ratio_interval_contains_one_exactly_when_indistinguishable() {
        let spin: Vec<Band> = XS.iter().map(|_| noisy(100.0, 0.05)).collect();
        let sleep: Vec<Band> = [50.0, 97.0, 103.0, 200.0, 100.0, 80.0]
            .map(|v| noisy(v, 0.05))
            .to_vec();
        for p in crossings(&XS, &spin, &sleep).calls {
            let r = p.ratio;
            assert!(r.lo <= r.mid && r.mid <= r.hi, "{p:?}");
            assert_eq!(
                r.lo <= 1.0 && 1.0 <= r.hi,
                p.call == Call::Indistinguishable,
                "{p:?}"
            );
        }
    }

    fn row(primitive: &str, threads: usize, think: u64, cs: u64, trial: u32, v: f64) -> RunRecord {
        RunRecord {
            checked: true,
            primitive: primitive.into(),
            threads,
            think_ns: think,
            cs_ns: cs,
            trial,
            throughput_ops_s: v,
            ops_per_cpu_s: v,
            jain_index: if primitive == "sleep" { 0.5 } else { 1.0 },
            ..RunRecord::default()
        }
    }

    /// Rows of a spinner flat at 100 and a sleeper rising ×10 per decade (crossing at 1 µs),
    /// 3 trials ±1%, at `threads` and two think times; at think 1 µs the sleeper is 3×
    /// slower everywhere.
    fn synthetic_rows(threads: usize) -> Vec<RunRecord> {
        let mut rows = Vec::new();
        for think in [0, 1_000] {
            for cs in [10u64, 100, 1_000, 10_000, 100_000] {
                for trial in 0..3 {
                    let wobble = 1.0 + 0.01 * (f64::from(trial) - 1.0);
                    let sleep = if think == 0 {
                        cs as f64 / 10.0
                    } else {
                        100.0 / 3.0
                    };
                    rows.push(row("spin", threads, think, cs, trial, 100.0 * wobble));
                    rows.push(row("sleep", threads, think, cs, trial, sleep * wobble));
                }
            }
        }
        rows
    }

    /// Item 4 and 5: one panel per (threads, think, metric); the crossing row and line carry
    /// both locks' Jain index at the bracketing lengths.
    #[test]
    fn analyse_has_a_panel_per_think_time_and_jain_beside_crossings() {
        let b = analyse(&synthetic_rows(2), 2, "spin", &["sleep"]);
        assert_eq!(b.panels.len(), 4, "1 thread count × 2 think × 2 metrics");
        let thinks: Vec<u64> = b.panels.iter().map(|p| p.think_ns).collect();
        assert_eq!(thinks, [0, 0, 1_000, 1_000]);
        let crossing: Vec<&BreakevenRow> = b.rows.iter().filter(|r| r.think_ns == 0).collect();
        assert_eq!(crossing.len(), 2, "one per metric");
        for r in crossing {
            assert_eq!(r.verdict, "crossing");
            assert_eq!(
                (r.spin_jain_at_lo, r.sleep_jain_at_hi),
                (Some(1.0), Some(0.5))
            );
            assert!(r.band_lo_ns.unwrap() <= r.bracket_lo_ns.unwrap());
            assert_eq!((r.lengths, r.indistinguishable), (5, 1), "equal at 1 µs");
        }
        let slow: Vec<&BreakevenRow> = b.rows.iter().filter(|r| r.think_ns == 1_000).collect();
        assert!(slow.iter().all(|r| r.verdict == "spin_wins_throughout"));
        assert_eq!(b.lines.len(), 4);
        assert!(
            b.lines[0].contains("think 0")
                && b.lines[0].contains("Jain spin 1.00→1.00, sleep 0.50→0.50"),
            "{}",
            b.lines[0]
        );
        assert!(
            b.lines[2].contains("think 1 µs") && b.lines[2].contains("wins throughout"),
            "{}",
            b.lines[2]
        );
        assert_eq!(b.points.len(), 4 * 5, "one per panel and length");
    }

    /// Item 6: the wake-up cost is quoted as the probe's p10–p90 range.
    #[test]
    fn wakeup_is_quoted_as_a_range() {
        let b = analyse(&synthetic_rows(2), 2, "spin", &["sleep"]);
        let p = |p10, p50, p90| Percentiles {
            p50_ns: p50,
            p10_ns: p10,
            p90_ns: p90,
            p99_ns: p90 * 2.0,
            samples: 500,
        };
        let text = verdict_text(
            &b,
            "spin",
            "sleep",
            "Fake CPU",
            2,
            Some(&p(20_200.0, 22_423.0, 31_397.0)),
            Some(&p(4_777.0, 5_508.0, 6_479.0)),
        );
        assert!(
            text.contains("costs 20.2–31.4 µs (p10–p90 of one probe, 500 samples; p50 22.4 µs)")
                && text.contains("round trip 4.78–6.48 µs (p10–p90)"),
            "{text}"
        );
        assert_eq!(fmt_ns_range(950.0, 1_200.0), "950 ns–1.2 µs");
    }

    /// Hand-off latency is quoted per thread count: each lock's range of median p50 over the
    /// lengths and its largest median p99; breakeven-points.csv carries both locks' p50.
    #[test]
    fn hand_off_latency_is_quoted_beside_the_verdict() {
        let mut rows = synthetic_rows(2);
        for r in &mut rows {
            let spin = r.primitive == "spin";
            r.handoff_p50_ns = Some(if spin { 80.0 } else { 300.0 + r.cs_ns as f64 });
            r.handoff_p99_ns = Some(if spin { 400.0 } else { 20_000.0 });
        }
        let b = analyse(&rows, 2, "spin", &["sleep"]);
        assert_eq!(
            b.handoff_lines,
            [
                "threads 2, think 0: spin 80 ns (p99 ≤ 400 ns at lengths with ≥ 1000 hand-offs), sleep 310 ns–100 µs (p99 ≤ 20 µs at lengths with ≥ 1000 hand-offs)"
            ]
        );
        let at_1us = b
            .points
            .iter()
            .find(|p| p.think_ns == 0 && p.cs_ns == 1_000.0)
            .unwrap();
        assert_eq!(
            (at_1us.spin_handoff_p50_ns, at_1us.sleep_handoff_p50_ns),
            (Some(80.0), Some(1_300.0))
        );
        let text = verdict_text(&b, "spin", "sleep", "Fake CPU", 2, None, None);
        assert!(
            text.contains("Hand-off") && text.contains(&b.handoff_lines[0]),
            "{text}"
        );
    }
}
