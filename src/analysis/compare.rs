//! Comparing runs (usually from different machines): match points, take medians over clean
//! trials, give ratios against the first input, and say whether a difference is real.
//!
//! A difference is *called* only when both hold:
//! - the two sets of clean trials do not overlap at all (the difference exceeds their
//!   combined spread), and
//! - an exact two-sided Mann–Whitney rank test over those trials gives p ≤ [`ALPHA`].
//!
//! The rank test needs at least 3 trials a side to ever reach p ≤ 0.1 (complete separation of
//! 3 vs 3 has p = 0.1), so runs with 2 trials per point are compared but never called
//! different: two trials cannot tell a machine from its noise.

use super::aggregate::{Trials, point_of, points};
use super::summarize;
use crate::record::{OLDEST_SCHEMA_VERSION, PointKey, RunRecord, SCHEMA_VERSION};
use std::collections::HashMap;

/// Significance level of the rank test.
pub const ALPHA: f64 = 0.1;

/// One input of a comparison.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    /// A label (host/run).
    pub label: String,
    /// Its rows.
    pub rows: &'a [RunRecord],
}

/// How one input's point relates to the first input's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// The reference itself.
    Reference,
    /// Higher, beyond noise.
    Higher,
    /// Lower, beyond noise.
    Lower,
    /// Within noise (ranges overlap or the rank test is not significant).
    Noise,
}

impl Call {
    /// A one-character mark for tables.
    pub fn mark(self) -> &'static str {
        match self {
            Call::Reference => "",
            Call::Higher => "+",
            Call::Lower => "-",
            Call::Noise => "~",
        }
    }
}

/// A point's value in one input.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Median over clean trials.
    pub median: f64,
    /// Clean trials behind it.
    pub n: usize,
    /// Ratio to the first input's median.
    pub ratio: f64,
    /// Two-sided exact Mann–Whitney p against the first input.
    pub p: f64,
    /// Verdict.
    pub call: Call,
}

/// One matched point.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The point.
    pub key: PointKey,
    /// Its family name.
    pub family: String,
    /// Per input; `None` where the input lacks the point or it was flagged there.
    pub cells: Vec<Option<Cell>>,
}

/// The comparison of several inputs on one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Input labels.
    pub labels: Vec<String>,
    /// Points present (and usable) in the first input and at least one other.
    pub rows: Vec<Row>,
    /// Points missing from some inputs: a description and which inputs have it.
    pub unmatched: Vec<(String, Vec<bool>)>,
    /// Flagged points (degraded, unstable or no clean trial) ignored, per input.
    pub ignored_flagged: Vec<usize>,
    /// Geometric mean of ratios to the first input, per family, per input.
    pub geomean: Vec<(String, Vec<Option<f64>>)>,
    /// Warnings about inputs that were not run the same way.
    pub warnings: Vec<String>,
}

/// Why inputs cannot be compared.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CompareError {
    /// Rows of different schema versions.
    #[error("{label}: schema_version {found} differs from {expected}; re-run or convert it")]
    Schema {
        /// The input.
        label: String,
        /// Its version.
        found: u32,
        /// The expected version.
        expected: u32,
    },
    /// Fewer than two inputs.
    #[error("compare needs at least two inputs")]
    TooFew,
    /// Nothing in common.
    #[error("no point is present in {first} and any other input: nothing to compare{hint}")]
    NothingInCommon {
        /// The reference label.
        first: String,
        /// What might help (flagged points were left out).
        hint: String,
    },
}

/// Compares `inputs` on `metric` (higher is better is not assumed: ratios are plain).
pub fn compare(
    inputs: &[Input<'_>],
    metric: fn(&RunRecord) -> f64,
    include_flagged: bool,
) -> Result<Comparison, CompareError> {
    if inputs.len() < 2 {
        return Err(CompareError::TooFew);
    }
    for i in inputs {
        if let Some(r) = i
            .rows
            .iter()
            .find(|r| !(OLDEST_SCHEMA_VERSION..=SCHEMA_VERSION).contains(&r.schema_version))
        {
            return Err(CompareError::Schema {
                label: i.label.clone(),
                found: r.schema_version,
                expected: SCHEMA_VERSION,
            });
        }
    }
    let grouped: Vec<Vec<Trials>> = inputs.iter().map(|i| points(i.rows)).collect();
    let mut ignored_flagged = vec![0; inputs.len()];
    let mut index: Vec<HashMap<PointKey, &Trials>> = Vec::new();
    for (k, pts) in grouped.iter().enumerate() {
        let mut m = HashMap::new();
        for p in pts {
            if p.flagged() && !include_flagged {
                ignored_flagged[k] += 1;
                continue;
            }
            m.insert(point_of(p.first()), p);
        }
        index.push(m);
    }
    // Every key, in first-seen order across inputs.
    let mut keys: Vec<PointKey> = Vec::new();
    let mut seen: HashMap<PointKey, ()> = HashMap::new();
    for pts in &grouped {
        for p in pts {
            let k = point_of(p.first());
            if seen.insert(k.clone(), ()).is_none() {
                keys.push(k);
            }
        }
    }
    let values = |p: &Trials| -> Vec<f64> {
        if include_flagged && p.clean().next().is_none() {
            p.trials.iter().map(|r| metric(r)).collect()
        } else {
            p.values(metric)
        }
    };
    let mut rows = Vec::new();
    let mut unmatched = Vec::new();
    for key in keys {
        let present: Vec<bool> = grouped
            .iter()
            .map(|pts| pts.iter().any(|p| point_of(p.first()) == key))
            .collect();
        if present.iter().any(|p| !p) {
            unmatched.push((describe(&key), present));
            continue;
        }
        let Some(reference) = index[0].get(&key) else {
            continue;
        };
        let ref_values = values(reference);
        let Some(ref_summary) = summarize(&ref_values) else {
            continue;
        };
        let mut cells = vec![Some(Cell {
            median: ref_summary.median,
            n: ref_summary.n,
            ratio: 1.0,
            p: 1.0,
            call: Call::Reference,
        })];
        for m in &index[1..] {
            cells.push(m.get(&key).and_then(|p| {
                let v = values(p);
                let s = summarize(&v)?;
                let p_value = mann_whitney_p(&ref_values, &v);
                let disjoint = s.min > ref_summary.max || s.max < ref_summary.min;
                let call = if disjoint && p_value <= ALPHA {
                    if s.median > ref_summary.median {
                        Call::Higher
                    } else {
                        Call::Lower
                    }
                } else {
                    Call::Noise
                };
                Some(Cell {
                    median: s.median,
                    n: s.n,
                    ratio: s.median / ref_summary.median,
                    p: p_value,
                    call,
                })
            }));
        }
        if cells[1..].iter().any(Option::is_some) {
            // As the rows record it: runs of primitives this build does not know still compare.
            let family = inputs[0]
                .rows
                .iter()
                .find(|r| r.primitive == key.primitive)
                .map_or_else(|| "unknown".to_string(), |r| r.family.as_str().to_string());
            rows.push(Row { key, family, cells });
        }
    }
    if rows.is_empty() {
        let ignored: usize = ignored_flagged.iter().sum();
        return Err(CompareError::NothingInCommon {
            first: inputs[0].label.clone(),
            hint: if ignored > 0 {
                format!(" ({ignored} flagged point(s) were left out; --include-flagged uses them)")
            } else {
                String::new()
            },
        });
    }
    let geomean = geomeans(&rows, inputs.len());
    Ok(Comparison {
        labels: inputs.iter().map(|i| i.label.clone()).collect(),
        rows,
        unmatched,
        ignored_flagged,
        geomean,
        warnings: warnings(inputs),
    })
}

fn geomeans(rows: &[Row], n: usize) -> Vec<(String, Vec<Option<f64>>)> {
    let mut families: Vec<String> = Vec::new();
    for r in rows {
        if !families.contains(&r.family) {
            families.push(r.family.clone());
        }
    }
    families
        .into_iter()
        .map(|f| {
            let per_input = (0..n)
                .map(|k| {
                    let logs: Vec<f64> = rows
                        .iter()
                        .filter(|r| r.family == f)
                        .filter_map(|r| r.cells[k].as_ref())
                        .map(|c| c.ratio)
                        .filter(|x| *x > 0.0 && x.is_finite())
                        .map(f64::ln)
                        .collect();
                    (!logs.is_empty()).then(|| (logs.iter().sum::<f64>() / logs.len() as f64).exp())
                })
                .collect();
            (f, per_input)
        })
        .collect()
}

/// Differences in how the inputs were run that make a ratio less meaningful.
fn warnings(inputs: &[Input<'_>]) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |what: &str, f: &dyn Fn(&[RunRecord]) -> String| {
        let vals: Vec<String> = inputs.iter().map(|i| f(i.rows)).collect();
        if vals.iter().any(|v| *v != vals[0]) {
            let list: Vec<String> = inputs
                .iter()
                .zip(&vals)
                .map(|(i, v)| format!("{}: {v}", i.label))
                .collect();
            out.push(format!("inputs differ in {what} ({})", list.join("; ")));
        }
    };
    check("measured window per trial", &|rows| {
        distinct(rows.iter().map(|r| format!("{} ms", r.duration_ms)))
    });
    check("trials per point", &|rows| {
        distinct(
            rows.iter()
                .map(|r| (r.trial + 1).to_string())
                .max()
                .into_iter(),
        )
    });
    check("lockbench version", &|rows| {
        distinct(rows.iter().map(|r| r.lockbench_version.clone()))
    });
    out
}

fn distinct(values: impl Iterator<Item = String>) -> String {
    let mut v: Vec<String> = values.collect();
    v.sort();
    v.dedup();
    v.join(", ")
}

/// "primitive ×threads cs … " for a point.
pub fn describe(k: &PointKey) -> String {
    let mut s = format!(
        "{} ×{} cs={}",
        k.primitive,
        k.threads,
        crate::units::fmt_ns(k.cs_ns as f64)
    );
    if k.think_ns > 0 {
        s.push_str(&format!(
            " think={}",
            crate::units::fmt_ns(k.think_ns as f64)
        ));
    }
    if let Some(r) = k.read_ratio_bits {
        s.push_str(&format!(" reads={}", f64::from_bits(r)));
    }
    if let Some(st) = k.stripes {
        s.push_str(&format!(" stripes={st}"));
    }
    if let Some(sk) = k.key_skew_bits {
        let sk = f64::from_bits(sk);
        if sk > 0.0 {
            s.push_str(&format!(" skew={sk}"));
        }
    }
    s
}

/// Exact two-sided Mann–Whitney p-value of samples `a` and `b` (ties get mid-ranks): the
/// share of all ways to split the pooled ranks into groups of |a| and |b| whose rank-sum
/// statistic is at least as far from its mean as the observed one. Falls back to the normal
/// approximation beyond 20 000 splits. 1 for an empty side.
pub fn mann_whitney_p(a: &[f64], b: &[f64]) -> f64 {
    let (n, m) = (a.len(), b.len());
    if n == 0 || m == 0 {
        return 1.0;
    }
    let mut pooled: Vec<(f64, bool)> = a
        .iter()
        .map(|&x| (x, true))
        .chain(b.iter().map(|&x| (x, false)))
        .collect();
    pooled.sort_by(|x, y| x.0.total_cmp(&y.0));
    let mut ranks = vec![0.0; pooled.len()];
    let mut i = 0;
    while i < pooled.len() {
        let mut j = i;
        while j + 1 < pooled.len() && pooled[j + 1].0 == pooled[i].0 {
            j += 1;
        }
        let mid = (i + j) as f64 / 2.0 + 1.0;
        for r in ranks.iter_mut().take(j + 1).skip(i) {
            *r = mid;
        }
        i = j + 1;
    }
    let observed: f64 = pooled
        .iter()
        .zip(&ranks)
        .filter(|(p, _)| p.1)
        .map(|(_, r)| r)
        .sum();
    let mean = n as f64 * (n + m + 1) as f64 / 2.0;
    let dev = (observed - mean).abs();
    let total = binomial(n + m, n);
    if total <= 20_000.0 {
        let mut extreme = 0u64;
        let mut count = 0u64;
        combinations(&ranks, n, &mut |sum| {
            count += 1;
            if (sum - mean).abs() >= dev - 1e-9 {
                extreme += 1;
            }
        });
        extreme as f64 / count as f64
    } else {
        let var = n as f64 * m as f64 * (n + m + 1) as f64 / 12.0;
        let z = (dev - 0.5).max(0.0) / var.sqrt();
        (2.0 * normal_tail(z)).min(1.0)
    }
}

fn binomial(n: usize, k: usize) -> f64 {
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

/// Calls `f` with the sum of every `k`-subset of `values`.
fn combinations(values: &[f64], k: usize, f: &mut impl FnMut(f64)) {
    fn go(values: &[f64], k: usize, start: usize, sum: f64, f: &mut impl FnMut(f64)) {
        if k == 0 {
            f(sum);
            return;
        }
        for i in start..=values.len() - k {
            go(values, k - 1, i + 1, sum + values[i], f);
        }
    }
    go(values, k, 0, 0.0, f);
}

/// Upper tail of the standard normal (Abramowitz–Stegun 7.1.26 via erfc).
fn normal_tail(z: f64) -> f64 {
    let x = z / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    0.5 * poly * (-x * x).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_test_exact_values() {
        // Complete separation of 3 vs 3: 2 of the 20 splits are as extreme.
        assert!((mann_whitney_p(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]) - 0.1).abs() < 1e-12);
        // 2 vs 2 can never go below 2/6.
        assert!((mann_whitney_p(&[1.0, 2.0], &[3.0, 4.0]) - 1.0 / 3.0).abs() < 1e-12);
        // Identical samples: every split is as extreme as the observed one.
        assert_eq!(mann_whitney_p(&[5.0, 5.0, 5.0], &[5.0, 5.0, 5.0]), 1.0);
        // Interleaved: no evidence.
        assert!(mann_whitney_p(&[1.0, 3.0, 5.0], &[2.0, 4.0, 6.0]) > 0.5);
        assert_eq!(mann_whitney_p(&[], &[1.0]), 1.0);
    }

    #[test]
    fn normal_approximation_for_large_samples() {
        let a: Vec<f64> = (0..30).map(f64::from).collect();
        let b: Vec<f64> = (100..130).map(f64::from).collect();
        assert!(mann_whitney_p(&a, &b) < 1e-6);
        let c: Vec<f64> = (0..30).map(|x| f64::from(x) + 0.5).collect();
        assert!(mann_whitney_p(&a, &c) > 0.5);
        assert!((normal_tail(0.0) - 0.5).abs() < 1e-6);
        assert!((normal_tail(1.96) - 0.025).abs() < 1e-3);
    }
}
