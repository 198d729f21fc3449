//! From trials to points: groups `runs.csv` rows by point (everything but the trial) and
//! summarises any metric over the point's *clean* trials. This is what every chart, table
//! and comparison reads, so they all agree on what "the value of a point" is.

use crate::record::{PointKey, RunRecord};
use crate::stats::{Summary, summarize};
use std::collections::HashMap;

/// A point's identity: the [`PointKey`] with the trial zeroed.
pub(crate) fn point_of(r: &RunRecord) -> PointKey {
    let mut k = r.key();
    k.trial = 0;
    k
}

/// Whether nothing disturbed a trial: not degraded (a disturbance signal) and not timed out.
/// A point's clean trials must also be on its cache layout: [`Trials::clean`], [`clean_rows`].
pub(crate) fn undisturbed(r: &RunRecord) -> bool {
    !r.degraded && !r.timed_out
}

/// The clean trials among `rows` (of any number of points), in file order: what every
/// summary of a point may use ([`Trials::clean`]).
pub fn clean_rows(rows: &[RunRecord]) -> Vec<&RunRecord> {
    let mut keep: std::collections::HashSet<*const RunRecord> = std::collections::HashSet::new();
    for p in points(rows) {
        keep.extend(p.clean().map(|r| r as *const RunRecord));
    }
    rows.iter()
        .filter(|r| keep.contains(&(*r as *const RunRecord)))
        .collect()
}

/// The critical section the harness achieved at each requested length: per `cs_ns`, the
/// median `achieved_cs_ns` (mean timed hold minus one clock read) over the clean trials that
/// timed one, ascending by `cs_ns`. Lengths without a timed hold are left out.
pub fn achieved_cs(rows: &[RunRecord]) -> Vec<(u64, f64)> {
    let mut by_cs: std::collections::BTreeMap<u64, Vec<f64>> = std::collections::BTreeMap::new();
    for r in clean_rows(rows)
        .into_iter()
        .filter(|r| r.cs_steps.is_none())
    {
        if let Some(a) = r.achieved_cs_ns {
            by_cs.entry(r.cs_ns).or_default().push(a);
        }
    }
    by_cs
        .into_iter()
        .filter_map(|(cs, v)| summarize(&v).map(|s| (cs, s.median)))
        .collect()
}

/// What a point's statistics need of one trial: the sweep keeps these while it runs, so that
/// its stopping rule and [`Trials::clean`] agree on a point's clean trials.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrialFacts {
    /// Throughput, ops/s.
    pub throughput: f64,
    /// Neither degraded nor timed out.
    pub usable: bool,
    /// Its distance readings, before and after (`core_to_core_before_ns`, `core_to_core_ns`).
    pub distances: [Option<f64>; 2],
}

impl TrialFacts {
    /// The facts of a row.
    pub fn of(r: &RunRecord) -> Self {
        TrialFacts {
            throughput: r.throughput_ops_s,
            usable: undisturbed(r),
            distances: [r.core_to_core_before_ns, r.core_to_core_ns],
        }
    }
}

/// The point's cache layout (its median reading on it) and, for each trial, whether it ran
/// on it ([`on_layout`]).
///
/// [`on_layout`]: crate::rules::on_layout
pub fn layout(trials: &[TrialFacts]) -> (Option<f64>, Vec<bool>) {
    let readings: Vec<[Option<f64>; 2]> = trials.iter().map(|f| f.distances).collect();
    crate::rules::on_layout(&readings)
}

/// For each trial, whether it ran on its point's cache layout ([`layout`]).
pub(crate) fn layout_mask(trials: &[TrialFacts]) -> Vec<bool> {
    layout(trials).1
}

/// The throughputs a point's statistics use: its usable trials on the point's cache layout.
pub(crate) fn clean_throughputs(trials: &[TrialFacts]) -> Vec<f64> {
    trials
        .iter()
        .zip(layout_mask(trials))
        .filter(|(f, on)| f.usable && *on)
        .map(|(f, _)| f.throughput)
        .collect()
}

/// All trials of one point.
#[derive(Debug, Clone)]
pub struct Trials<'a> {
    /// The trials, in file order.
    pub trials: Vec<&'a RunRecord>,
}

impl<'a> Trials<'a> {
    /// The first trial (every trial of a point has the same point fields).
    pub fn first(&self) -> &'a RunRecord {
        self.trials[0]
    }

    /// The trials a summary may use: neither degraded nor timed out, and on the point's cache
    /// layout (a trial during which the host had moved a vCPU, so that the distance between
    /// the point's first two CPUs was another level, measured another machine:
    /// [`on_layout`](crate::rules::on_layout)).
    pub fn clean(&self) -> impl Iterator<Item = &'a RunRecord> + '_ {
        let on = self.on_layout();
        self.trials
            .iter()
            .copied()
            .zip(on)
            .filter(|(r, on)| *on && undisturbed(r))
            .map(|(r, _)| r)
    }

    /// For each trial, whether it ran on the point's cache layout.
    pub fn on_layout(&self) -> Vec<bool> {
        layout(&self.facts()).1
    }

    /// The point's cache layout: the median distance reading of its trials on it; `None`
    /// where no distance was read (or two layouts tie).
    pub fn layout_ns(&self) -> Option<f64> {
        layout(&self.facts()).0
    }

    fn facts(&self) -> Vec<TrialFacts> {
        self.trials.iter().map(|r| TrialFacts::of(r)).collect()
    }

    /// Trials on another cache layout than the point's ([`Trials::on_layout`]).
    pub fn moved_trials(&self) -> usize {
        self.on_layout().iter().filter(|on| !**on).count()
    }

    /// Trials left out (degraded, timed out or on another cache layout).
    pub fn flagged_trials(&self) -> usize {
        self.trials.len() - self.clean().count()
    }

    /// Why the point is flagged, if it is: it has no clean trial, or it ended without its
    /// planned clean trials (the last trial's `stable` says where the point ended; fewer than
    /// 3 is never enough), or it ended so on more clean trials than it has now (a file written
    /// before the cache-layout rule, which now leaves some of them out). Files before schema 4
    /// also flagged a point whose interval stayed wider than their stability target:
    /// [`Flag::Unstable`].
    pub fn flag(&self) -> Option<Flag> {
        let clean = self.clean().count();
        let last = self.trials.last();
        if clean == 0 {
            Some(Flag::NoCleanTrial)
        } else if !last.is_some_and(|r| r.stable && clean as u32 >= r.clean_trials) {
            Some(
                if last.is_some_and(|r| (1..4).contains(&r.schema_version)) {
                    Flag::Unstable
                } else {
                    Flag::Incomplete
                },
            )
        } else {
            None
        }
    }

    /// Whether the point is flagged ([`Trials::flag`]).
    pub fn flagged(&self) -> bool {
        self.flag().is_some()
    }

    /// `metric` over the clean trials; `None` if there are none.
    pub fn summary(&self, metric: impl Fn(&RunRecord) -> f64) -> Option<Summary> {
        let values: Vec<f64> = self.clean().map(metric).collect();
        summarize(&values)
    }

    /// `metric`'s clean-trial values.
    pub fn values(&self, metric: impl Fn(&RunRecord) -> f64) -> Vec<f64> {
        self.clean().map(metric).collect()
    }

    /// What was measured at the point: `metric` over the clean trials, or, when there is
    /// none, over the left-out (degraded or off-layout) trials that finished (a timed-out trial has no metrics). NaNs
    /// (a percentile with too few samples) are left out. For showing a flagged point's value
    /// next to its flag, never for a summary that claims to be clean.
    pub(crate) fn measured_values(&self, metric: impl Fn(&RunRecord) -> f64) -> Vec<f64> {
        let clean = self.values(&metric);
        let values = if clean.is_empty() {
            self.trials
                .iter()
                .filter(|r| !r.timed_out)
                .map(|r| metric(r))
                .collect()
        } else {
            clean
        };
        values.into_iter().filter(|v| !v.is_nan()).collect()
    }

    /// Primitive name.
    pub fn primitive(&self) -> &'a str {
        &self.first().primitive
    }
}

/// Why a point's value is not to be trusted like the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// Every trial was degraded, timed out or on another cache layout than the point's.
    NoCleanTrial,
    /// Fewer clean trials than the sweep planned (or than 3) after its replacements.
    Incomplete,
    /// A file before schema 4: the median's interval stayed wider than the run's stability
    /// target, or too few clean trials.
    Unstable,
}

impl Flag {
    /// A short name, as in CSV output (`no-clean-trial`, `incomplete`, `unstable`).
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::NoCleanTrial => "no-clean-trial",
            Flag::Incomplete => "incomplete",
            Flag::Unstable => "unstable",
        }
    }
}

/// Groups rows by point, in order of each point's first row.
pub fn points(rows: &[RunRecord]) -> Vec<Trials<'_>> {
    let mut index: HashMap<PointKey, usize> = HashMap::new();
    let mut out: Vec<Trials> = Vec::new();
    for r in rows {
        let i = *index.entry(point_of(r)).or_insert_with(|| {
            out.push(Trials { trials: Vec::new() });
            out.len() - 1
        });
        out[i].trials.push(r);
    }
    out
}

pub use crate::record::Setting;

/// A point parameter: an axis of the sweep (the table is `record::AXES`).
pub type Param = crate::record::Axis;

/// Points that differ only in `along` (and the primitive): one slice per setting of the other
/// parameters, each with at least `min_x` distinct values of `along`, most populated first.
pub fn slices<'p, 'a>(points: &'p [Trials<'a>], along: Param, min_x: usize) -> Vec<Slice<'p, 'a>> {
    let mut out: Vec<Slice> = Vec::new();
    for p in points {
        let r = p.first();
        if along.value(r).is_none() {
            continue;
        }
        let key = r.setting().without(along);
        match out.iter_mut().find(|s| s.setting == key) {
            Some(s) => s.points.push(p),
            None => out.push(Slice {
                setting: key,
                points: vec![p],
            }),
        }
    }
    out.retain(|s| s.xs(along).len() >= min_x);
    // Most populated first; among equals, the busiest (more threads is more contention).
    out.sort_by_key(|s| {
        (
            std::cmp::Reverse(s.points.len()),
            std::cmp::Reverse(s.setting.threads),
        )
    });
    out
}

/// Points sharing every setting but one parameter.
#[derive(Debug, Clone)]
pub struct Slice<'p, 'a> {
    /// The shared setting (the varying parameter blanked).
    pub setting: Setting,
    /// The points.
    pub points: Vec<&'p Trials<'a>>,
}

impl Slice<'_, '_> {
    /// Distinct values of `along`, sorted.
    pub fn xs(&self, along: Param) -> Vec<f64> {
        let mut v: Vec<f64> = self
            .points
            .iter()
            .filter_map(|p| along.value(p.first()))
            .collect();
        v.sort_by(f64::total_cmp);
        v.dedup();
        v
    }

    /// Primitives in the slice, in first-seen order.
    pub fn primitives(&self) -> Vec<&str> {
        let mut v: Vec<&str> = Vec::new();
        for p in &self.points {
            if !v.contains(&p.primitive()) {
                v.push(p.primitive());
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(primitive: &str, threads: usize, cs: u64, trial: u32, thr: f64) -> RunRecord {
        RunRecord {
            checked: true,
            primitive: primitive.into(),
            threads,
            cs_ns: cs,
            trial,
            throughput_ops_s: thr,
            stable: true,
            ..RunRecord::default()
        }
    }

    #[test]
    fn groups_trials_and_drops_flagged_ones() {
        let mut rows = vec![
            row("a", 1, 100, 0, 10.0),
            row("a", 1, 100, 1, 30.0),
            row("a", 1, 100, 2, 1000.0),
            row("a", 2, 100, 0, 5.0),
        ];
        rows[2].degraded = true;
        let pts = points(&rows);
        assert_eq!(pts.len(), 2);
        let one = &pts[0];
        assert_eq!(one.trials.len(), 3);
        assert_eq!(one.flagged_trials(), 1);
        let s = one.summary(|r| r.throughput_ops_s).unwrap();
        assert_eq!((s.median, s.n), (20.0, 2), "the degraded 1000 is left out");
        assert!(!one.flagged());
        rows[2].stable = false;
        assert_eq!(
            points(&rows)[0].flag(),
            Some(Flag::Incomplete),
            "short of its planned clean trials at the end"
        );
        rows[2].schema_version = 3;
        assert_eq!(
            points(&rows)[0].flag(),
            Some(Flag::Unstable),
            "a schema 3 file meant its interval was too wide"
        );
        rows[0].degraded = true;
        rows[1].timed_out = true;
        let all_bad = &points(&rows)[0];
        assert_eq!(all_bad.flag(), Some(Flag::NoCleanTrial));
        assert_eq!(
            all_bad.measured_values(|r| r.throughput_ops_s),
            [10.0, 1000.0],
            "no clean trial: the degraded ones that finished, never the timed-out one"
        );
    }

    #[test]
    fn slices_along_a_parameter() {
        let rows = vec![
            row("a", 1, 100, 0, 1.0),
            row("a", 2, 100, 0, 1.0),
            row("b", 1, 100, 0, 1.0),
            row("b", 2, 100, 0, 1.0),
            row("a", 1, 5000, 0, 1.0),
        ];
        let pts = points(&rows);
        let s = slices(&pts, Param::Threads, 2);
        assert_eq!(s.len(), 1, "cs 5000 has one thread count only");
        assert_eq!(s[0].xs(Param::Threads), vec![1.0, 2.0]);
        assert_eq!(s[0].primitives(), vec!["a", "b"]);
        assert_eq!(s[0].setting.describe(&[Param::Cs]), "cs 100 ns");
        let by_cs = slices(&pts, Param::Cs, 2);
        assert_eq!(by_cs.len(), 1, "only 1 thread has two lengths");
        assert_eq!(by_cs[0].xs(Param::Cs), vec![100.0, 5000.0]);
        assert_eq!(
            by_cs[0].primitives(),
            vec!["a", "b"],
            "b with its one point"
        );
    }
}
