//! Where a sleeping lock overtakes a spinning one, said no more certainly than the trials
//! allow.
//!
//! Two curves measured at the same critical-section lengths are compared length by length:
//! a length counts for one side only when each side has at least [`MIN_TRIALS`] clean trials
//! on one cache layout, the clean trials' ranges (min–max) are apart by more than the margin
//! ([`crate::rules::versus`] with [`crate::rules::DELTA`]), and that stays significant when
//! corrected across the lengths compared (Benjamini–Hochberg at [`super::compare::ALPHA`] on
//! each length's exact Mann–Whitney p); every other length is *indistinguishable*, or *not
//! comparable* when the two points ran on cache layouts more than ×1.5 apart. A crossing is
//! a change of side between two lengths that are beyond noise; its point estimate is where the
//! medians cross (interpolated in log-log space), and its band runs from the last length
//! beyond noise before it to the first one after it — never narrower than the grid interval
//! the medians cross in, and wider where the trial ranges overlap. "Wins throughout" is said
//! only when every length is beyond noise on the same side; anything else is described as
//! what it is.

use crate::record::RunRecord;
use crate::stats::Percentiles;
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
    /// The point's cache layout, ns (`None`: not read, or a ratio of two points).
    pub layout_ns: Option<f64>,
}

impl Band {
    /// The band as one side of [`crate::rules::versus`].
    pub fn estimate(&self) -> crate::rules::Estimate {
        crate::rules::Estimate {
            lo: self.lo,
            hi: self.hi,
            n: self.n,
            layout_ns: self.layout_ns,
        }
    }
}

/// Fewest clean trials a side needs before its range can show a difference. One trial has
/// no range; with 2 a side, disjoint ranges happen by chance one time in three (exact
/// Mann–Whitney p = 1/3). With 3 or more a side they have p ≤ 0.1, so a length the break-even
/// calls is one `compare` would call too (disjoint ranges and p ≤ [`super::compare::ALPHA`]).
pub const MIN_TRIALS: usize = crate::stats::MIN_STABLE_TRIALS;

/// How one critical-section length compares, higher being better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Call {
    /// The spinning lock's lowest trial beats the sleeping lock's highest.
    SpinBetter,
    /// The sleeping lock's lowest trial beats the spinning lock's highest.
    SleepBetter,
    /// The trial ranges overlap or are apart by less than the margin.
    Indistinguishable,
    /// A side has fewer than [`MIN_TRIALS`] clean trials: nothing can be said of the length.
    TooFew,
    /// The two points ran on cache layouts more than ×1.5 apart: two machines, not called.
    NotComparable,
    /// Apart by more than the margin at this length, but not significant once corrected
    /// across the lengths compared: not called.
    NotSignificant,
}

impl Call {
    /// The call at one length, before the correction across lengths: beyond noise only when
    /// both sides have a range, on one cache layout, apart by more than the margin.
    pub fn of(spin: &Band, sleep: &Band) -> Call {
        use crate::rules::{DELTA, Versus, versus};
        match versus(&spin.estimate(), &sleep.estimate(), DELTA) {
            Versus::Above => Call::SpinBetter,
            Versus::Below => Call::SleepBetter,
            Versus::NotComparable => Call::NotComparable,
            Versus::Overlap => Call::Indistinguishable,
            Versus::TooFew => Call::TooFew,
        }
    }

    /// Ahead either way.
    pub fn called(self) -> bool {
        matches!(self, Call::SpinBetter | Call::SleepBetter)
    }

    /// The CSV key.
    pub fn key(self) -> &'static str {
        match self {
            Call::SpinBetter => "spin_better",
            Call::SleepBetter => "sleep_better",
            Call::Indistinguishable => "indistinguishable",
            Call::TooFew => "too_few",
            Call::NotComparable => "not_comparable",
            Call::NotSignificant => "not_significant",
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
    /// Every length ran on cache layouts more than ×1.5 apart for the two locks: not
    /// compared.
    NotComparable,
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
            Verdict::NotComparable => "not_comparable",
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
pub(crate) fn crossings(xs: &[f64], spin: &[Band], sleep: &[Band]) -> Outcome {
    struct Pt {
        lx: f64,
        d: f64,
    }
    let mut pts = Vec::new();
    let mut calls = Vec::new();
    let mut tests: Vec<(usize, f64)> = Vec::new();
    for (x, (a, b)) in xs.iter().zip(spin.iter().zip(sleep)) {
        if !(*x > 0.0 && a.mid > 0.0 && b.mid > 0.0) {
            continue;
        }
        pts.push(Pt {
            lx: x.ln(),
            d: (b.mid / a.mid).ln(),
        });
        let tiny = 1e-300;
        let call = Call::of(a, b);
        // Disjoint ranges are the most extreme order two samples can take, so the exact
        // Mann–Whitney p of a called length depends on the counts alone. Lengths that cannot
        // be called (too few trials, other layouts) are no tests; one within noise or the
        // margin gets p = 1, which only makes the correction more cautious.
        if a.n >= MIN_TRIALS && b.n >= MIN_TRIALS && call != Call::NotComparable {
            let p = if call.called() {
                super::compare::separated_p(a.n, b.n)
            } else {
                1.0
            };
            tests.push((calls.len(), p));
        }
        calls.push(PointCall {
            cs_ns: *x,
            call,
            ratio: Band {
                mid: a.mid / b.mid,
                lo: a.lo.max(0.0) / b.hi.max(tiny),
                hi: a.hi.max(0.0) / b.lo.max(tiny),
                n: a.n.min(b.n),
                layout_ns: None,
            },
        });
    }
    // Many lengths, each called at α: correct across them (Benjamini–Hochberg).
    let ps: Vec<f64> = tests.iter().map(|t| t.1).collect();
    for (&(i, _), q) in tests.iter().zip(super::compare::benjamini_hochberg(&ps)) {
        if calls[i].call.called() && !super::compare::significant(q) {
            calls[i].call = Call::NotSignificant;
        }
    }
    let outcome = |verdict| Outcome {
        verdict,
        calls: calls.clone(),
    };
    if pts.len() < 2 {
        return outcome(Verdict::Undetermined);
    }
    let known: Vec<usize> = (0..calls.len())
        .filter(|&i| calls[i].call.called())
        .collect();
    if known.is_empty() {
        return outcome(if calls.iter().all(|c| c.call == Call::NotComparable) {
            Verdict::NotComparable
        } else {
            Verdict::Indistinguishable
        });
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
    /// Lengths not called: within noise or the margin, too few clean trials, not significant
    /// after the correction across lengths, or not comparable (other cache layouts).
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
pub(crate) const METRICS: [Metric; 2] = [
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
pub(crate) fn think_label(think_ns: u64) -> String {
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
                        indistinguishable: o.calls.iter().filter(|c| !c.call.called()).count(),
                    };
                    out.rows.extend(verdict_rows(base, &o.verdict));
                    let at = At {
                        rows,
                        spinner,
                        regime: regime_key,
                        threads: t,
                        think_ns: think,
                        metric: key,
                    };
                    out.points.extend(at.points(&spin, sleep, &o));
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

/// A break-even row per crossing of `verdict` (filled in from `base`), or `base` alone.
fn verdict_rows(base: BreakevenRow, verdict: &Verdict) -> Vec<BreakevenRow> {
    match verdict {
        Verdict::Crossings(cs) => cs
            .iter()
            .map(|c| BreakevenRow {
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
            })
            .collect(),
        _ => vec![base],
    }
}

/// One panel of a break-even run: its rows, the spinner, and where it sits.
struct At<'r> {
    rows: &'r [RunRecord],
    spinner: &'r str,
    regime: &'static str,
    threads: usize,
    think_ns: u64,
    metric: &'static str,
}

impl At<'_> {
    /// One breakeven-points row per length compared in `o` (the spinner against `sleep`).
    fn points(&self, spin: &Curve, sleep: &Curve, o: &Outcome) -> Vec<BreakevenPoint> {
        let (t, think) = (self.threads, self.think_ns);
        o.calls
            .iter()
            .map(|p| {
                let (a, ja) = spin.at(p.cs_ns);
                let (b, jb) = sleep.at(p.cs_ns);
                BreakevenPoint {
                    regime: self.regime,
                    threads: t,
                    think_ns: think,
                    metric: self.metric,
                    spinner: self.spinner.to_string(),
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
                    spin_handoff_p50_ns: handoff_at(self.rows, self.spinner, t, think, p.cs_ns),
                    sleep_handoff_p50_ns: handoff_at(
                        self.rows,
                        &sleep.primitive,
                        t,
                        think,
                        p.cs_ns,
                    ),
                }
            })
            .collect()
    }
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
                    layout_ns: None,
                },
                f64::NAN,
            ),
        }
    }
}

/// Builds the curve of `metric` for `primitive` at `threads` and `think_ns` from rows, using
/// clean trials only (not degraded, not timed out, on the point's cache layout:
/// [`super::aggregate::clean_rows`]); lengths with no clean trial are left out.
pub(crate) fn curve(
    rows: &[RunRecord],
    primitive: &str,
    threads: usize,
    think_ns: u64,
    metric: fn(&RunRecord) -> f64,
) -> Curve {
    type Trials = (Vec<f64>, Vec<f64>, Option<f64>);
    let mut by_cs: std::collections::BTreeMap<u64, Trials> = std::collections::BTreeMap::new();
    for p in super::aggregate::points(rows).iter().filter(|p| {
        let r = p.first();
        // A lock whose correctness was not checked is no contender, spinner or sleeper.
        r.primitive == primitive && r.threads == threads && r.think_ns == think_ns && r.checked
    }) {
        let e = by_cs.entry(p.first().cs_ns).or_default();
        e.0.extend(p.values(metric));
        e.1.extend(p.values(|r| r.jain_index));
        e.2 = e.2.or(p.layout_ns());
    }
    let mut c = Curve {
        primitive: primitive.to_string(),
        cs_ns: Vec::new(),
        bands: Vec::new(),
        jain: Vec::new(),
    };
    for (cs, (values, jain, layout_ns)) in by_cs {
        if let Some(s) = super::summarize(&values) {
            c.cs_ns.push(cs as f64);
            c.bands.push(Band {
                mid: s.median,
                lo: s.min,
                hi: s.max,
                n: s.n,
                layout_ns,
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

mod text;
pub use text::{describe, fmt_ns_range, fmt_ns_span, fmt_probe, verdict_text};

#[cfg(test)]
mod tests;
