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

/// Where a point stands on run-until-stable.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stability {
    /// Clean trials so far.
    pub clean_trials: u32,
    /// (max − min) / median of the metric over them (0 with fewer than 2).
    pub spread: f64,
    /// At least 2 clean trials and the spread within the target.
    pub stable: bool,
}

/// Stability of a metric over the clean trials so far, against a relative-spread `target`.
pub fn stability(clean: &[f64], target: f64) -> Stability {
    let spread = match summarize(clean) {
        Some(s) if s.n >= 2 => s.spread,
        _ => 0.0,
    };
    Stability {
        clean_trials: clean.len() as u32,
        spread,
        stable: clean.len() >= 2 && spread <= target,
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
    fn stability_needs_two_clean_trials_within_target() {
        assert!(!stability(&[], 0.05).stable);
        assert!(
            !stability(&[100.0], 0.05).stable,
            "one trial proves nothing"
        );
        let s = stability(&[100.0, 103.0], 0.05);
        assert!(s.stable && (s.spread - 0.03 / 1.015).abs() < 1e-9);
        let s = stability(&[100.0, 120.0, 101.0], 0.05);
        assert_eq!((s.clean_trials, s.stable), (3, false));
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
