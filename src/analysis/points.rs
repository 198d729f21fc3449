//! One row per point of a run: what a point's value is and what it rests on — the median and
//! its interval over the clean trials, how many trials were kept and why the others were left
//! out (degraded, timed out, on another cache layout), the layout, and the point's flag. The
//! rules are this crate's (`Trials::clean`, `Trials::flag`, `stats::median_ci`), so a script
//! that reads `lockbench points` re-implements none of them.

use super::aggregate::{Trials, points};
use crate::record::{Placement, RunRecord};
use crate::stats::{CI_LEVEL, median_ci};
use serde::Serialize;

/// A point, summarised (units in the field names; empty where a value does not apply).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointRow {
    /// The run the point belongs to.
    pub run_id: String,
    /// Primitive name.
    pub primitive: String,
    /// Its family.
    pub family: crate::record::Family,
    /// Threads.
    pub threads: usize,
    /// Critical section, ns.
    pub cs_ns: u64,
    /// Think time, ns.
    pub think_ns: u64,
    /// Read ratio (reader-writer primitives).
    pub read_ratio: Option<f64>,
    /// Stripes / accounts / permits.
    pub stripes: Option<usize>,
    /// Key skew.
    pub key_skew: Option<f64>,
    /// Thread placement.
    pub placement: Placement,
    /// Where the protected data lives (`separate`, `inline`).
    pub layout: String,
    /// The cache layout the point's kept trials ran on: the median core-to-core reading
    /// between its first two CPUs, ns (empty: not read, or two layouts tie).
    pub cache_layout_ns: Option<f64>,
    /// Trials measured.
    pub trials: usize,
    /// Trials kept: neither degraded nor timed out, and on the point's cache layout.
    pub clean_trials: usize,
    /// Trials left out as degraded (a disturbance signal).
    pub dropped_degraded: usize,
    /// Trials left out as timed out.
    pub dropped_timed_out: usize,
    /// Trials left out for running on another cache layout.
    pub dropped_layout: usize,
    /// Median throughput over the clean trials, ops/s (empty without a clean trial).
    pub throughput_ops_s: Option<f64>,
    /// Lower end of the median's confidence interval, ops/s.
    pub throughput_ci_lo_ops_s: Option<f64>,
    /// Upper end.
    pub throughput_ci_hi_ops_s: Option<f64>,
    /// The interval's coverage (0.9 from 5 trials; less with fewer, where it is the range).
    pub ci_level: Option<f64>,
    /// Why the point is flagged (`no-clean-trial`, `incomplete`, `unstable`); empty when it
    /// is not.
    pub flag: String,
    /// The trials left out for another cache layout, by layout: `layout_ns:trials:median_ops_s`
    /// for each other stratum, `;`-separated (empty when the trials did not split). The
    /// point's value is its own stratum's; these are what the others measured.
    pub other_layouts: String,
}

/// The undisturbed trials of `p` off its cache layout, grouped into strata (readings within
/// ×[`crate::rules::LAYOUT_FACTOR`] of a stratum's first): (layout ns, trials, median
/// throughput), lowest layout first.
fn other_strata(p: &Trials) -> Vec<(f64, usize, f64)> {
    let mut off: Vec<(f64, f64)> = p
        .trials
        .iter()
        .zip(p.on_layout())
        .filter(|(r, on)| !on && !r.degraded && !r.timed_out)
        .filter_map(|(r, _)| {
            let ns = crate::stats::summarize(
                &[r.core_to_core_before_ns, r.core_to_core_ns]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>(),
            )?
            .median;
            Some((ns, r.throughput_ops_s))
        })
        .collect();
    off.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut strata: Vec<(f64, Vec<f64>, Vec<f64>)> = Vec::new();
    for (ns, thr) in off {
        match strata.last_mut() {
            Some(s) if crate::rules::same_layout(Some(s.1[0]), Some(ns)) => {
                s.1.push(ns);
                s.2.push(thr);
            }
            _ => strata.push((ns, vec![ns], vec![thr])),
        }
    }
    strata
        .into_iter()
        .filter_map(|(_, ns, thr)| {
            let layout = crate::stats::summarize(&ns)?.median;
            Some((layout, thr.len(), crate::stats::summarize(&thr)?.median))
        })
        .collect()
}

/// The points of `rows`, in order of each point's first row.
pub fn point_rows(rows: &[RunRecord]) -> Vec<PointRow> {
    points(rows).iter().map(row_of).collect()
}

fn row_of(p: &Trials) -> PointRow {
    let r = p.first();
    let on = p.on_layout();
    let (mut degraded, mut timed_out, mut off) = (0, 0, 0);
    for (t, on) in p.trials.iter().zip(&on) {
        if t.timed_out {
            timed_out += 1;
        } else if t.degraded {
            degraded += 1;
        } else if !on {
            off += 1;
        }
    }
    let ci = median_ci(&p.values(|r| r.throughput_ops_s), CI_LEVEL);
    PointRow {
        run_id: r.run_id.clone(),
        primitive: r.primitive.clone(),
        family: r.family,
        threads: r.threads,
        cs_ns: r.cs_ns,
        think_ns: r.think_ns,
        read_ratio: r.read_ratio,
        stripes: r.stripes,
        key_skew: r.key_skew,
        placement: r.placement,
        layout: r.layout.clone(),
        cache_layout_ns: p.layout_ns(),
        trials: p.trials.len(),
        clean_trials: p.clean().count(),
        dropped_degraded: degraded,
        dropped_timed_out: timed_out,
        dropped_layout: off,
        throughput_ops_s: ci.map(|c| c.median),
        throughput_ci_lo_ops_s: ci.map(|c| c.lo),
        throughput_ci_hi_ops_s: ci.map(|c| c.hi),
        ci_level: ci.map(|c| c.level),
        flag: p.flag().map_or(String::new(), |f| f.as_str().to_string()),
        other_layouts: other_strata(p)
            .iter()
            .map(|(ns, n, thr)| format!("{ns:.1}:{n}:{thr:.4e}"))
            .collect::<Vec<_>>()
            .join(";"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(trial: u32, thr: f64, c2c: f64) -> RunRecord {
        RunRecord {
            primitive: "spin-tas".into(),
            threads: 2,
            trial,
            throughput_ops_s: thr,
            core_to_core_before_ns: Some(c2c),
            core_to_core_ns: Some(c2c),
            stable: true,
            clean_trials: 3,
            ..RunRecord::default()
        }
    }

    /// Each left-out trial is counted under its reason, and the value rests on the others.
    #[test]
    fn dropped_trials_are_counted_by_reason() {
        let mut rows: Vec<RunRecord> = (0..6).map(|i| row(i, 10.0 + f64::from(i), 27.0)).collect();
        rows[1].degraded = true;
        rows[2].timed_out = true;
        rows[3].core_to_core_ns = Some(120.0);
        let p = &point_rows(&rows)[0];
        assert_eq!(
            (
                p.trials,
                p.clean_trials,
                p.dropped_degraded,
                p.dropped_timed_out,
                p.dropped_layout
            ),
            (6, 3, 1, 1, 1)
        );
        // Clean: 10, 14, 15.
        assert_eq!(p.throughput_ops_s, Some(14.0));
        assert_eq!(
            (p.throughput_ci_lo_ops_s, p.throughput_ci_hi_ops_s),
            (Some(10.0), Some(15.0))
        );
        assert_eq!(p.cache_layout_ns, Some(27.0));
        assert_eq!(p.flag, "");
        rows.iter_mut().for_each(|r| r.degraded = true);
        let p = &point_rows(&rows)[0];
        assert_eq!((p.clean_trials, p.throughput_ops_s), (0, None));
        assert_eq!(p.flag, "no-clean-trial");
    }

    /// A point whose trials split across two cache layouts reports the other stratum (its
    /// layout, trials and median) beside the value of its own.
    #[test]
    fn a_split_point_reports_each_stratum() {
        let mut rows: Vec<RunRecord> = (0..6).map(|i| row(i, 10.0 + f64::from(i), 27.0)).collect();
        for r in &mut rows[4..] {
            r.core_to_core_before_ns = Some(108.0);
            r.core_to_core_ns = Some(110.0);
        }
        let p = &point_rows(&rows)[0];
        assert_eq!((p.clean_trials, p.throughput_ops_s), (4, Some(11.5)));
        assert_eq!(p.other_layouts, "109.0:2:1.4500e1");
        let unsplit = &point_rows(&rows[..4])[0];
        assert_eq!(unsplit.other_layouts, "");
    }
}
