//! Where a sleeping lock overtakes a spinning one: crossings of two curves measured at the
//! same critical-section lengths, found by interpolation in log-log space, with an
//! uncertainty band from the trials' spread. It never invents a crossing: no sign change, no
//! crossing, and it says which side won.

use crate::record::RunRecord;
use crate::units::fmt_ns;
use serde::{Deserialize, Serialize};

/// One curve point: median of a metric over clean trials, and its min and max.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// Median.
    pub mid: f64,
    /// Lowest trial.
    pub lo: f64,
    /// Highest trial.
    pub hi: f64,
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

/// A crossing, in nanoseconds of critical-section length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Crossing {
    /// Interpolated crossing point.
    pub at_ns: f64,
    /// Lower end of the uncertainty band: the curves' trial ranges overlap from here …
    pub band_lo_ns: f64,
    /// … to here.
    pub band_hi_ns: f64,
    /// Which way they cross.
    pub direction: Direction,
}

/// The answer for one pair of curves.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// One or more crossings, in order of critical-section length.
    Crossings(Vec<Crossing>),
    /// No crossing in the range: the spinning lock is ahead everywhere.
    SpinWinsThroughout,
    /// No crossing in the range: the sleeping lock is ahead everywhere.
    SleepWinsThroughout,
    /// Too few usable points to say anything.
    Undetermined,
}

/// Finds where `sleep` crosses `spin` (higher is better) over critical-section lengths `xs`
/// (ascending, > 0). Points where either median is not positive are skipped. A crossing is a
/// strict sign change of log(sleep/spin) between neighbouring points (a point exactly equal
/// on both curves counts only if the sign differs on its two sides: touching is not
/// crossing). Crossings whose uncertainty bands overlap are merged into one, so noise around
/// a single crossing is not reported as several.
pub fn crossings(xs: &[f64], spin: &[Band], sleep: &[Band]) -> Verdict {
    let pts: Vec<(f64, f64, f64, f64)> = xs
        .iter()
        .zip(spin.iter().zip(sleep))
        .filter(|(x, (a, b))| **x > 0.0 && a.mid > 0.0 && b.mid > 0.0)
        .map(|(x, (a, b))| {
            let d = (b.mid / a.mid).ln();
            // Pessimistic and optimistic differences from the trial ranges.
            let lo = (b.lo.max(1e-300) / a.hi.max(1e-300)).ln();
            let hi = (b.hi.max(1e-300) / a.lo.max(1e-300)).ln();
            (x.ln(), d, lo, hi)
        })
        .collect();
    if pts.len() < 2 {
        return Verdict::Undetermined;
    }
    let overlaps = |i: usize| pts[i].2 <= 0.0 && 0.0 <= pts[i].3;
    let nonzero: Vec<usize> = (0..pts.len()).filter(|&i| pts[i].1 != 0.0).collect();
    // Every sign change, with the signs on either side.
    let mut raw: Vec<(Crossing, f64, f64)> = Vec::new();
    for w in nonzero.windows(2) {
        let (i, j) = (w[0], w[1]);
        let (di, dj) = (pts[i].1, pts[j].1);
        if di.signum() == dj.signum() {
            continue;
        }
        // Linear in log x between the bracketing non-zero points.
        let t = di / (di - dj);
        let lx = pts[i].0 + t * (pts[j].0 - pts[i].0);
        // Band: from the bracket outwards, as far as the trial ranges keep overlapping.
        let mut lo = i;
        while lo > 0 && overlaps(lo - 1) && overlaps(lo) {
            lo -= 1;
        }
        let mut hi = j;
        while hi + 1 < pts.len() && overlaps(hi + 1) && overlaps(hi) {
            hi += 1;
        }
        let band_lo = if overlaps(i) { pts[lo].0.min(lx) } else { lx };
        let band_hi = if overlaps(j) { pts[hi].0.max(lx) } else { lx };
        let crossing = Crossing {
            at_ns: lx.exp(),
            band_lo_ns: band_lo.exp(),
            band_hi_ns: band_hi.exp(),
            direction: if dj > 0.0 {
                Direction::SleepOvertakes
            } else {
                Direction::SpinOvertakes
            },
        };
        raw.push((crossing, di.signum(), dj.signum()));
    }
    // Group crossings whose bands overlap: within one group the curves are equal within the
    // trials' spread. A group that ends on the side it started is noise (a wiggle), not a
    // crossing; any other group is one crossing with the union of the bands.
    let mut found: Vec<Crossing> = Vec::new();
    let mut k = 0;
    while k < raw.len() {
        let mut end = k;
        while end + 1 < raw.len() && raw[end].0.band_hi_ns >= raw[end + 1].0.band_lo_ns {
            end += 1;
        }
        let (before, after) = (raw[k].1, raw[end].2);
        if before != after {
            let group = &raw[k..=end];
            let log_mean = group.iter().map(|c| c.0.at_ns.ln()).sum::<f64>() / group.len() as f64;
            found.push(Crossing {
                at_ns: log_mean.exp(),
                band_lo_ns: group
                    .iter()
                    .map(|c| c.0.band_lo_ns)
                    .fold(f64::INFINITY, f64::min),
                band_hi_ns: group.iter().map(|c| c.0.band_hi_ns).fold(0.0, f64::max),
                direction: if after > 0.0 {
                    Direction::SleepOvertakes
                } else {
                    Direction::SpinOvertakes
                },
            });
        }
        k = end + 1;
    }
    if found.is_empty() {
        return match nonzero.last().map(|&i| pts[i].1) {
            Some(d) if d > 0.0 => Verdict::SleepWinsThroughout,
            Some(_) => Verdict::SpinWinsThroughout,
            None => Verdict::Undetermined,
        };
    }
    Verdict::Crossings(found)
}

/// One row of breakeven.csv: a (regime, metric, sleeper) verdict, one row per crossing.
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
    /// `crossing`, `spin_wins_throughout`, `sleep_wins_throughout` or `undetermined`.
    pub verdict: &'static str,
    /// Where the curves cross (crossing rows only).
    pub crossing_ns: Option<f64>,
    /// The crossing's uncertainty band.
    pub band_lo_ns: Option<f64>,
    /// …
    pub band_hi_ns: Option<f64>,
    /// Which way they cross.
    pub direction: Option<Direction>,
}

/// A metric compared at the crossings: CSV key, axis label, how to read it from a row.
pub type Metric = (&'static str, &'static str, fn(&RunRecord) -> f64);

/// Throughput and CPU efficiency.
pub const METRICS: [Metric; 2] = [
    ("throughput", "throughput (ops/s)", |r| r.throughput_ops_s),
    ("efficiency", "ops per CPU-second", |r| r.ops_per_cpu_s),
];

/// One (thread count, metric) panel: the spinner's curve, the sleepers' curves and each
/// sleeper's verdict against the spinner.
#[derive(Debug, Clone)]
pub struct Panel {
    /// Threads.
    pub threads: usize,
    /// `= cores` or `2×cores, oversubscribed`.
    pub regime: &'static str,
    /// The metric's axis label.
    pub label: &'static str,
    /// The spinning lock's curve.
    pub spin: Curve,
    /// The sleeping locks' curves, headline first.
    pub sleepers: Vec<Curve>,
    /// `verdicts[k]`: sleeper `k` against the spinner.
    pub verdicts: Vec<Verdict>,
}

/// What a break-even run shows: the CSV rows, the panels and one verdict line per panel
/// (the headline sleeper's).
#[derive(Debug, Clone)]
pub struct Breakeven {
    /// breakeven.csv's rows.
    pub rows: Vec<BreakevenRow>,
    /// Panels, by thread count then metric.
    pub panels: Vec<Panel>,
    /// Human verdict lines.
    pub lines: Vec<String>,
}

/// Finds the crossings of `spinner` against each of `sleepers` in break-even rows measured on
/// `cores` CPUs, for every thread count and metric.
pub fn analyse(rows: &[RunRecord], cores: usize, spinner: &str, sleepers: &[&str]) -> Breakeven {
    let mut threads: Vec<usize> = rows.iter().map(|r| r.threads).collect();
    threads.sort_unstable();
    threads.dedup();
    let cores = cores.max(1);
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
            let mut verdicts = Vec::new();
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
                        out_rows.extend(cs.iter().map(|c| BreakevenRow {
                            verdict: "crossing",
                            crossing_ns: Some(c.at_ns),
                            band_lo_ns: Some(c.band_lo_ns),
                            band_hi_ns: Some(c.band_hi_ns),
                            direction: Some(c.direction),
                            ..base.clone()
                        }));
                    }
                    v => out_rows.push(BreakevenRow {
                        verdict: match v {
                            Verdict::SpinWinsThroughout => "spin_wins_throughout",
                            Verdict::SleepWinsThroughout => "sleep_wins_throughout",
                            _ => "undetermined",
                        },
                        ..base
                    }),
                }
                if k == 0 {
                    lines.push(format!(
                        "{regime:<25} {key:<11} {}",
                        describe(&verdict, spinner, &sleep.primitive, &spin)
                    ));
                }
                verdicts.push(verdict);
            }
            panels.push(Panel {
                threads: t,
                regime,
                label,
                spin,
                sleepers: curves,
                verdicts,
            });
        }
    }
    Breakeven {
        rows: out_rows,
        panels,
        lines,
    }
}

/// The verdict text of a break-even run: the headline lines, the machine's sleep/wake costs
/// (from the run's probes, when measured) and the textbook's claim.
pub fn verdict_text(
    b: &Breakeven,
    spinner: &str,
    headline: &str,
    cpu_model: &str,
    cores: usize,
    wakeup_ns: Option<f64>,
    same_core_round_trip_ns: Option<f64>,
) -> String {
    let mut verdict =
        format!("break-even of {headline} vs {spinner} on {cpu_model} ({cores} CPUs):\n");
    for l in &b.lines {
        verdict.push_str(&format!("  {l}\n"));
    }
    if let Some(w) = wakeup_ns {
        verdict.push_str(&format!(
            "one cross-core sleep/wake here costs {} (futex wake-up latency, p50)",
            fmt_ns(w)
        ));
        if let Some(rt) = same_core_round_trip_ns {
            verdict.push_str(&format!(
                "; a same-core context-switch round trip {}",
                fmt_ns(rt)
            ));
        }
        verdict.push_str(".\n");
    }
    verdict.push_str("The textbook says spinning stops paying at ~1 µs of hold time.\n");
    verdict
}

/// One verdict in words.
pub fn describe(v: &Verdict, spinner: &str, sleeper: &str, spin: &Curve) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(v: f64) -> Band {
        Band {
            mid: v,
            lo: v,
            hi: v,
        }
    }

    fn noisy(v: f64, rel: f64) -> Band {
        Band {
            mid: v,
            lo: v * (1.0 - rel),
            hi: v * (1.0 + rel),
        }
    }

    const XS: [f64; 6] = [10.0, 100.0, 1_000.0, 10_000.0, 100_000.0, 1_000_000.0];

    #[test]
    fn crossing_once_is_interpolated_in_log_space() {
        // Spin flat at 100; sleep rises ×10 per decade from 1 at 10 ns: equal at 1 µs... then
        // above. Crossing exactly at x = 1000 (d = 0 there, signs differ on both sides).
        let spin: Vec<Band> = XS.iter().map(|_| exact(100.0)).collect();
        let sleep: Vec<Band> = [1.0, 10.0, 100.0, 1000.0, 1e4, 1e5].map(exact).to_vec();
        match crossings(&XS, &spin, &sleep) {
            Verdict::Crossings(c) => {
                assert_eq!(c.len(), 1);
                assert!((c[0].at_ns - 1000.0).abs() < 1e-6, "{}", c[0].at_ns);
                assert_eq!(c[0].direction, Direction::SleepOvertakes);
            }
            v => panic!("{v:?}"),
        }
        // Between grid points: sleep 50 → 200 between 100 ns and 1 µs crosses at 10^2.5.
        let sleep: Vec<Band> = [10.0, 50.0, 200.0, 400.0, 800.0, 1600.0]
            .map(exact)
            .to_vec();
        let Verdict::Crossings(c) = crossings(&XS, &spin, &sleep) else {
            panic!()
        };
        assert!(
            (c[0].at_ns - 10f64.powf(2.5)).abs() < 1e-6,
            "{}",
            c[0].at_ns
        );
    }

    #[test]
    fn no_crossing_says_who_won() {
        let spin: Vec<Band> = XS.iter().map(|_| exact(100.0)).collect();
        let low: Vec<Band> = XS.iter().map(|_| exact(50.0)).collect();
        let high: Vec<Band> = XS.iter().map(|_| exact(150.0)).collect();
        assert_eq!(crossings(&XS, &spin, &low), Verdict::SpinWinsThroughout);
        assert_eq!(crossings(&XS, &spin, &high), Verdict::SleepWinsThroughout);
    }

    #[test]
    fn crossing_twice_reports_both() {
        let spin: Vec<Band> = XS.iter().map(|_| exact(100.0)).collect();
        let sleep: Vec<Band> = [50.0, 80.0, 150.0, 200.0, 90.0, 40.0].map(exact).to_vec();
        let Verdict::Crossings(c) = crossings(&XS, &spin, &sleep) else {
            panic!()
        };
        assert_eq!(c.len(), 2);
        assert_eq!(
            (c[0].direction, c[1].direction),
            (Direction::SleepOvertakes, Direction::SpinOvertakes)
        );
        assert!(c[0].at_ns > 100.0 && c[0].at_ns < 1_000.0);
        assert!(c[1].at_ns > 10_000.0 && c[1].at_ns < 100_000.0);
    }

    #[test]
    fn touching_is_not_crossing() {
        let spin: Vec<Band> = XS.iter().map(|_| exact(100.0)).collect();
        let sleep: Vec<Band> = [50.0, 80.0, 100.0, 80.0, 50.0, 40.0].map(exact).to_vec();
        assert_eq!(crossings(&XS, &spin, &sleep), Verdict::SpinWinsThroughout);
    }

    #[test]
    fn noise_near_the_crossing_is_one_crossing_with_a_band() {
        // A wiggle at 1–10 µs inside ±10% trial ranges, then sleep clearly ahead.
        let spin: Vec<Band> = XS.iter().map(|_| noisy(100.0, 0.1)).collect();
        let sleep: Vec<Band> = [20.0, 60.0, 104.0, 97.0, 103.0, 300.0]
            .map(|v| noisy(v, 0.1))
            .to_vec();
        let mut xs = XS.to_vec();
        xs[4] = 30_000.0;
        let Verdict::Crossings(c) = crossings(&xs, &spin, &sleep) else {
            panic!()
        };
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].direction, Direction::SleepOvertakes);
        assert!(
            c[0].band_lo_ns <= 1_000.0 && c[0].band_hi_ns >= 30_000.0,
            "{c:?}"
        );
        assert!(c[0].band_lo_ns <= c[0].at_ns && c[0].at_ns <= c[0].band_hi_ns);
    }

    #[test]
    fn too_few_points() {
        assert_eq!(
            crossings(&[10.0], &[exact(1.0)], &[exact(2.0)]),
            Verdict::Undetermined
        );
        assert_eq!(
            crossings(&[10.0, 20.0], &[exact(0.0); 2], &[exact(1.0); 2]),
            Verdict::Undetermined
        );
    }
}

/// A measured curve: the metric's band at each critical-section length (ascending).
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// Primitive name.
    pub primitive: String,
    /// Critical-section lengths, ns.
    pub cs_ns: Vec<f64>,
    /// The metric at each, over clean trials.
    pub bands: Vec<Band>,
}

/// Builds the curve of `metric` for `primitive` at `threads` from rows, using clean trials
/// only (not degraded, not timed out); lengths with no clean trial are left out.
pub fn curve(
    rows: &[crate::record::RunRecord],
    primitive: &str,
    threads: usize,
    metric: fn(&crate::record::RunRecord) -> f64,
) -> Curve {
    let mut by_cs: std::collections::BTreeMap<u64, Vec<f64>> = std::collections::BTreeMap::new();
    for r in rows
        .iter()
        .filter(|r| r.primitive == primitive && r.threads == threads && !r.degraded && !r.timed_out)
    {
        by_cs.entry(r.cs_ns).or_default().push(metric(r));
    }
    let mut c = Curve {
        primitive: primitive.to_string(),
        cs_ns: Vec::new(),
        bands: Vec::new(),
    };
    for (cs, values) in by_cs {
        if let Some(s) = super::summarize(&values) {
            c.cs_ns.push(cs as f64);
            c.bands.push(Band {
                mid: s.median,
                lo: s.min,
                hi: s.max,
            });
        }
    }
    c
}

/// The crossings of `sleep` over `spin`, on the lengths both curves have.
pub fn compare(spin: &Curve, sleep: &Curve) -> Verdict {
    let mut xs = Vec::new();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for (i, x) in spin.cs_ns.iter().enumerate() {
        if let Some(j) = sleep.cs_ns.iter().position(|y| y == x) {
            xs.push(*x);
            a.push(spin.bands[i]);
            b.push(sleep.bands[j]);
        }
    }
    crossings(&xs, &a, &b)
}
