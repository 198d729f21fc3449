//! Trial statistics and fairness.

/// A statistic across trials: median, range and relative spread.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Median of the values.
    pub median: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// (max − min) / median; 0 for one value, infinite if the median is 0 and values differ.
    pub spread: f64,
    /// How many values.
    pub n: usize,
}

/// Summarises `values` (NaNs ignored). `None` if there are none.
pub fn summarize(values: &[f64]) -> Option<Summary> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    let (min, max) = (v[0], v[n - 1]);
    let spread = if max == min {
        0.0
    } else if median == 0.0 {
        f64::INFINITY
    } else {
        (max - min) / median.abs()
    };
    Some(Summary {
        median,
        min,
        max,
        spread,
        n,
    })
}

/// Confidence level of the interval [`median_ci`] gives (once there are values enough).
pub const CI_LEVEL: f64 = 0.90;

/// A distribution-free confidence interval of a median.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MedianCi {
    /// The sample median.
    pub median: f64,
    /// Lower end.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
    /// Its coverage: the level asked for, or less when there are too few values to reach it
    /// (then the interval is the whole range: 50% for 2 values, 75% for 3, 87.5% for 4).
    pub level: f64,
    /// How many values.
    pub n: usize,
}

impl MedianCi {
    /// Half the interval's width relative to the median; infinite for a zero median with a
    /// non-empty interval.
    pub fn half_width(&self) -> f64 {
        let w = (self.hi - self.lo) / 2.0;
        if w == 0.0 {
            0.0
        } else if self.median == 0.0 {
            f64::INFINITY
        } else {
            w / self.median.abs()
        }
    }
}

/// Probability that `[x_(k), x_(n+1-k)]` (1-based order statistics) covers the true median
/// of a continuous distribution: `1 − 2·P(Bin(n, ½) ≤ k − 1)`.
fn order_coverage(n: usize, k: usize) -> f64 {
    if k == 0 || 2 * k > n + 1 {
        return 0.0;
    }
    let tail: f64 = (0..k).map(|i| binomial(n, i)).sum::<f64>() / 2f64.powi(n as i32);
    (1.0 - 2.0 * tail).max(0.0)
}

/// n choose k, as a float.
pub(crate) fn binomial(n: usize, k: usize) -> f64 {
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

/// A confidence interval of the median of `values` (NaNs ignored) at `level`, from order
/// statistics, interpolated between the two neighbouring order-statistic intervals as
/// Hettmansperger & Sheather (1986) do, so its coverage is `level` and, once there are enough
/// values to reach `level` (5 at 90%), it narrows as values are added: on normal data its
/// mean width is 1.69σ with 3 values (the range), 2.06σ with 4 (the range), 1.86σ with 5 and
/// 1.60σ with 6. With too few values to reach `level` it is the whole range, at that range's lower
/// coverage (see [`MedianCi::level`]). `None` for no values.
pub fn median_ci(values: &[f64], level: f64) -> Option<MedianCi> {
    let summary = summarize(values)?;
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let range = MedianCi {
        median: summary.median,
        lo: v[0],
        hi: v[n - 1],
        level: order_coverage(n, 1),
        n,
    };
    if order_coverage(n, 1) < level {
        return Some(range);
    }
    // The largest k whose order-statistic interval still covers at least `level`.
    let mut k = 1;
    while order_coverage(n, k + 1) >= level {
        k += 1;
    }
    let (g_k, g_next) = (order_coverage(n, k), order_coverage(n, k + 1));
    if 2 * (k + 1) > n + 1 || g_k <= g_next {
        return Some(MedianCi {
            lo: v[k - 1],
            hi: v[n - k],
            level: g_k,
            ..range
        });
    }
    // Hettmansperger–Sheather: move each end towards the next order statistic by λ.
    let i = (g_k - level) / (g_k - g_next);
    let lambda = (n - k) as f64 * i / (k as f64 + (n as f64 - 2.0 * k as f64) * i);
    Some(MedianCi {
        lo: (1.0 - lambda) * v[k - 1] + lambda * v[k],
        hi: (1.0 - lambda) * v[n - k] + lambda * v[n - k - 1],
        level,
        ..range
    })
}

/// Fewest clean trials whose interval can count as stable: with 3 the interval is their
/// range, a 75% interval; with 2, a 50% one is too weak to call anything settled.
pub const MIN_STABLE_TRIALS: usize = 3;

/// Where a point stands: its clean trials so far, their spread, the median's interval, and
/// whether it has the clean trials its plan asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stability {
    /// Clean trials so far.
    pub clean_trials: u32,
    /// (max − min) / median of the metric over them (0 with fewer than 2).
    pub spread: f64,
    /// The [`CI_LEVEL`] confidence interval of the median (at a lower level with fewer than 5
    /// values: [`MedianCi::level`]); `None` without clean trials.
    pub ci: Option<MedianCi>,
    /// The point has its planned number of clean trials, and at least [`MIN_STABLE_TRIALS`]:
    /// its value and interval are final.
    pub stable: bool,
}

/// The stopping rule of every sweep: a point is measured until it has `planned` clean trials
/// (at least [`MIN_STABLE_TRIALS`]), and no further. Trials are added only to replace ones left
/// out for a reason that is not their value (degraded, timed out, on another cache layout),
/// never because the interval is still wide: stopping at the first narrow interval (optional
/// stopping) keeps exactly the samples that happen to bunch together, and their intervals miss
/// the true median far more often than their level says (a point at 8% CV stopped at the first
/// half-width ≤ 5% is covered about 70% of the time by a "90%" interval). A fixed number of
/// values keeps the order-statistic interval's coverage exact whatever the spread; a noisy
/// point is then reported with a wide interval, and calls between points ([`crate::rules::versus`]) decline
/// to order it.
pub fn stability(clean: &[f64], planned: u32) -> Stability {
    let spread = match summarize(clean) {
        Some(s) if s.n >= 2 => s.spread,
        _ => 0.0,
    };
    let ci = median_ci(clean, CI_LEVEL);
    let needed = (planned as usize).max(MIN_STABLE_TRIALS);
    Stability {
        clean_trials: clean.len() as u32,
        spread,
        ci,
        stable: clean.len() >= needed,
    }
}

/// How evenly work was shared among threads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fairness {
    /// Jain's index (Σx)² / (n·Σx²): 1 when all equal, 1/n when one thread did everything.
    pub jain: f64,
    /// Smallest per-thread share of the total.
    pub min_share: f64,
    /// Largest per-thread share of the total.
    pub max_share: f64,
}

/// Fairness of per-thread operation counts. All-zero input counts as perfectly fair
/// (nobody got anything, equally), and so does a single thread.
pub fn fairness(per_thread: &[u64]) -> Fairness {
    let as_f64: Vec<f64> = per_thread.iter().map(|&x| x as f64).collect();
    fairness_of(&as_f64)
}

/// [`fairness`] over any non-negative per-thread amounts: operations in a fixed window, or
/// rates (operations per second of each thread's own time) in fixed-work mode, where every
/// thread does the same count and only the time it took tells them apart.
pub fn fairness_of(per_thread: &[f64]) -> Fairness {
    let n = per_thread.len();
    let total: f64 = per_thread.iter().sum();
    if n == 0 || total <= 0.0 {
        let even = if n == 0 { 1.0 } else { 1.0 / n as f64 };
        return Fairness {
            jain: 1.0,
            min_share: even,
            max_share: even,
        };
    }
    let squares: f64 = per_thread.iter().map(|x| x * x).sum();
    Fairness {
        jain: total * total / (n as f64 * squares),
        min_share: per_thread
            .iter()
            .fold(f64::INFINITY, |m, x| m.min(x / total)),
        max_share: per_thread.iter().fold(0.0, |m, x| m.max(x / total)),
    }
}

/// Distribution of samples in nanoseconds (a host probe's): median and percentiles.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Percentiles {
    /// Median.
    pub p50_ns: f64,
    /// 10th percentile.
    pub p10_ns: f64,
    /// 90th percentile.
    pub p90_ns: f64,
    /// 99th percentile.
    pub p99_ns: f64,
    /// Samples behind the figure (warm-up excluded).
    pub samples: usize,
}

impl Percentiles {
    /// The distribution of `samples` (ns).
    pub fn of(mut samples: Vec<f64>) -> Percentiles {
        samples.sort_by(f64::total_cmp);
        let q = |p: f64| {
            if samples.is_empty() {
                f64::NAN
            } else {
                samples[((samples.len() - 1) as f64 * p).round() as usize]
            }
        };
        Percentiles {
            p50_ns: summarize(&samples).map_or(f64::NAN, |s| s.median),
            p10_ns: q(0.10),
            p90_ns: q(0.90),
            p99_ns: q(0.99),
            samples: samples.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_odd_and_even_counts() {
        let s = summarize(&[3.0, 1.0, 2.0]).unwrap();
        assert_eq!((s.median, s.min, s.max, s.n), (2.0, 1.0, 3.0, 3));
        assert!((s.spread - 1.0).abs() < 1e-12);
        let s = summarize(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(s.median, 2.5);
        assert!((s.spread - 3.0 / 2.5).abs() < 1e-12);
    }

    #[test]
    fn summary_edge_cases() {
        assert!(summarize(&[]).is_none());
        assert!(summarize(&[f64::NAN]).is_none());
        assert_eq!(summarize(&[5.0]).unwrap().spread, 0.0);
        assert_eq!(summarize(&[0.0, 0.0, 1.0]).unwrap().spread, f64::INFINITY);
    }

    #[test]
    fn stable_means_the_planned_clean_trials_whatever_their_spread() {
        assert!(!stability(&[], 3).stable);
        assert!(
            !stability(&[100.0, 100.5], 2).stable,
            "two trials give only a 50% interval"
        );
        // Three trials: the interval is the range, 75% coverage.
        let s = stability(&[100.0, 103.0, 101.0], 3);
        let ci = s.ci.unwrap();
        assert!(s.stable && (ci.lo, ci.hi) == (100.0, 103.0));
        assert!((ci.level - 0.75).abs() < 1e-12);
        // A wide point is as final as a narrow one: its interval says how wide.
        let s = stability(&[100.0, 160.0, 101.0], 3);
        assert_eq!((s.clean_trials, s.stable), (3, true));
        assert!(s.ci.unwrap().half_width() > 0.25);
        assert!(!stability(&[100.0, 101.0, 99.0, 100.0], 5).stable);
    }

    #[test]
    fn order_statistic_coverage_is_exact() {
        assert!((order_coverage(3, 1) - 0.75).abs() < 1e-12);
        assert!((order_coverage(5, 1) - 0.9375).abs() < 1e-12);
        assert!((order_coverage(5, 2) - 0.625).abs() < 1e-12);
        assert_eq!(order_coverage(4, 3), 0.0, "no such interval");
    }

    /// A deterministic normal sample (xorshift + Box–Muller).
    fn normals(seed: &mut u64, n: usize) -> Vec<f64> {
        let mut uniform = || {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            (*seed >> 11) as f64 / (1u64 << 53) as f64
        };
        (0..n)
            .map(|_| {
                let (u, v) = (uniform().max(1e-300), uniform());
                (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
            })
            .collect()
    }

    #[test]
    fn median_interval_covers_at_its_level_and_narrows_with_more_values() {
        let mut seed = 0x9E37_79B9_7F4A_7C15;
        let mut mean_width = Vec::new();
        for n in [3, 5, 8, 12, 20, 40] {
            let (mut covered, mut width, reps) = (0, 0.0, 4000);
            let mut level = 0.0;
            for _ in 0..reps {
                let ci = median_ci(&normals(&mut seed, n), CI_LEVEL).unwrap();
                covered += usize::from(ci.lo <= 0.0 && 0.0 <= ci.hi);
                width += ci.hi - ci.lo;
                level = ci.level;
            }
            let coverage = covered as f64 / reps as f64;
            // The claimed level holds (within sampling error of 4000 replications).
            assert!(
                (coverage - level).abs() < 0.035,
                "n = {n}: covered {coverage}, claims {level}"
            );
            mean_width.push(width / reps as f64);
        }
        // Once the level is reached (5 values) more values narrow it, and from 6 values on it is
        // narrower than the 3-value range (the 4-value range is wider).
        for w in mean_width[1..].windows(2) {
            assert!(w[1] < w[0], "widths {mean_width:?}");
        }
        assert!(mean_width[2] < mean_width[0], "widths {mean_width:?}");
    }

    /// Trials of one simulated point: `draw` gives a value, a fifth of the trials are left
    /// out (degraded: a reason unrelated to the value) and the point runs until `stop` says so
    /// or 8 trials ran, as the sweep does. Returns the clean values and whether it stopped.
    fn simulate_point(
        seed: &mut u64,
        draw: &dyn Fn(f64) -> f64,
        stop: &dyn Fn(&[f64]) -> bool,
        first: usize,
    ) -> (Vec<f64>, bool) {
        let mut clean = Vec::new();
        for run in 0..8 {
            if run >= first && stop(&clean) {
                return (clean, true);
            }
            let z = normals(seed, 2);
            if z[1] > 0.8416 {
                continue; // P(Z > 0.8416) = 0.2: this trial was degraded
            }
            clean.push(draw(z[0]));
        }
        let done = stop(&clean);
        (clean, done)
    }

    /// Coverage of the true median (1) by the intervals of the points `stop` calls stable,
    /// for each number of clean trials they stopped at (pooling would let an under-covered
    /// early stop hide behind over-covered late ones): (trials, coverage, mean claimed level,
    /// points) for every count reached by at least 200 of 4000 points.
    fn coverage_of_stable(
        seed: &mut u64,
        lognormal: bool,
        cv: f64,
        stop: &dyn Fn(&[f64]) -> bool,
        first: usize,
    ) -> Vec<(usize, f64, f64, usize)> {
        let sigma = (1.0 + cv * cv).ln().sqrt();
        let draw = move |z: f64| {
            if lognormal {
                (sigma * z).exp()
            } else {
                1.0 + cv * z
            }
        };
        // Per clean-trial count: (covered, sum of claimed levels, points).
        let mut by_n = std::collections::BTreeMap::<usize, (usize, f64, usize)>::new();
        for _ in 0..4000 {
            let (clean, done) = simulate_point(seed, &draw, stop, first);
            if !done {
                continue;
            }
            let ci = median_ci(&clean, CI_LEVEL).unwrap();
            let e = by_n.entry(clean.len()).or_default();
            e.0 += usize::from(ci.lo <= 1.0 && 1.0 <= ci.hi);
            e.1 += ci.level;
            e.2 += 1;
        }
        by_n.into_iter()
            .filter(|(_, e)| e.2 >= 200)
            .map(|(n, (c, l, k))| (n, c as f64 / k as f64, l / k as f64, k))
            .collect()
    }

    /// Whether every group of [`coverage_of_stable`] is covered at its claimed level, within
    /// 3 points.
    fn honest(groups: &[(usize, f64, f64, usize)]) -> bool {
        groups
            .iter()
            .all(|(_, coverage, level, _)| *coverage >= level - 0.03)
    }

    /// The promise behind every interval a sweep reports: points reported stable are covered
    /// at their stated level (within 3 points), for normal and lognormal trials at 3%, 8% and
    /// 15% CV, with trials left out and replaced, under the rule the sweep runs
    /// ([`stability`] with the planned trials of the quick (3) and full (5) presets).
    #[test]
    fn points_reported_stable_are_covered_at_their_level() {
        let mut seed = 0x2545_F491_4F6C_DD1D;
        for planned in [3u32, 5] {
            let stop = move |clean: &[f64]| stability(clean, planned).stable;
            for lognormal in [false, true] {
                for cv in [0.03, 0.08, 0.15] {
                    let groups =
                        coverage_of_stable(&mut seed, lognormal, cv, &stop, planned as usize);
                    eprintln!("planned {planned}, lognormal {lognormal}, cv {cv}: {groups:?}");
                    assert!(!groups.is_empty(), "most points reach their planned trials");
                    assert!(
                        honest(&groups),
                        "planned {planned}, lognormal {lognormal}, cv {cv}: (trials, covered, \
                         claimed, points) {groups:?}"
                    );
                }
            }
        }
    }

    /// The same check fails for dishonest rules, so it can tell: the rule it replaced (stop at
    /// the first interval within ±5%, 3 to 8 trials: optional stopping), and a hybrid that
    /// stops at 3 when the range is narrow and otherwise runs on to 6 (its late points
    /// over-cover, which pooled figures would let hide the early ones).
    #[test]
    fn stopping_on_a_narrow_interval_under_covers() {
        let narrow = |clean: &[f64]| {
            median_ci(clean, CI_LEVEL)
                .is_some_and(|c| c.n >= MIN_STABLE_TRIALS && c.half_width() <= 0.05)
        };
        let hybrid = |clean: &[f64]| clean.len() >= 6 || (clean.len() >= 3 && narrow(clean));
        for (name, stop) in [
            ("optional stopping", &narrow as &dyn Fn(&[f64]) -> bool),
            ("hybrid", &hybrid),
        ] {
            for (seed, lognormal, cv) in [(0x9E37_79B9_7F4A_7C15_u64, false, 0.08), (7, true, 0.15)]
            {
                let mut seed = seed;
                let groups = coverage_of_stable(&mut seed, lognormal, cv, stop, 3);
                eprintln!("{name}, lognormal {lognormal}, cv {cv}: {groups:?}");
                assert!(!honest(&groups), "{name}, cv {cv}: {groups:?}");
            }
        }
    }

    #[test]
    fn jain_index_bounds() {
        let even = fairness(&[10, 10, 10, 10]);
        assert!((even.jain - 1.0).abs() < 1e-12);
        assert!((even.min_share - 0.25).abs() < 1e-12);
        let hog = fairness(&[100, 0, 0, 0]);
        assert!((hog.jain - 0.25).abs() < 1e-12);
        assert_eq!((hog.min_share, hog.max_share), (0.0, 1.0));
        let skew = fairness(&[3, 1]);
        assert!((skew.jain - 16.0 / 20.0).abs() < 1e-12);
        assert_eq!(fairness(&[]).jain, 1.0);
        assert_eq!(fairness(&[0, 0]).min_share, 0.5);
    }
}
