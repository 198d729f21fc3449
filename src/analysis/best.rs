//! Which primitive leads each regime, and whether its lead is beyond noise.
//!
//! A regime is a family and a setting (threads, critical section, think time, …). The leader
//! is the primitive with the highest median throughput over clean trials; its lead over the
//! runner-up counts only by the one rule for calls ([`crate::rules::versus`]): both have at
//! least [`MIN_STABLE_TRIALS`](crate::stats::MIN_STABLE_TRIALS) clean trials, on one cache
//! layout, and the two medians' confidence intervals ([`median_ci`] at [`CI_LEVEL`]) are apart
//! by more than the margin [`crate::rules::DELTA`]. Otherwise the regime is a **tie** (the
//! data cannot order them) or **not comparable** (the two ran on different cache layouts).

use super::aggregate::{Setting, Trials};
use crate::stats::{CI_LEVEL, MedianCi, median_ci};

/// How far the leader is ahead.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Lead {
    /// The only contender in its regime.
    Alone,
    /// Ahead beyond noise, by this ratio of medians.
    Clear(f64),
    /// The intervals overlap: the ratio of medians is within noise.
    Tie(f64),
    /// A side has fewer than [`MIN_STABLE_TRIALS`](crate::stats::MIN_STABLE_TRIALS) clean trials (two give only a 50%
    /// interval): the ratio is not a ranking.
    Unknown(f64),
    /// The two ran on cache layouts more than ×1.5 apart (ns each): not compared.
    NotComparable(f64, f64, f64),
}

impl Lead {
    /// "×1.42", "tie (×1.03)", "×1.10 (1 trial: noise unknown)", "—".
    pub fn describe(self) -> String {
        match self {
            Lead::Alone => "—".into(),
            Lead::Clear(r) => format!("×{r:.2}"),
            Lead::Tie(r) => format!("tie (×{r:.2}, within noise)"),
            Lead::Unknown(r) => format!("×{r:.2} (too few trials to tell from noise)"),
            Lead::NotComparable(r, a, b) => format!(
                "×{r:.2}, not comparable (cache layouts {} and {})",
                crate::units::fmt_ns(a),
                crate::units::fmt_ns(b)
            ),
        }
    }
}

/// One regime's leader.
#[derive(Debug, Clone)]
pub struct Leader<'p, 'a> {
    /// Family name.
    pub family: String,
    /// The regime.
    pub setting: Setting,
    /// The leader and its throughput interval.
    pub best: Entry<'p, 'a>,
    /// The runner-up, if any.
    pub runner_up: Option<Entry<'p, 'a>>,
    /// The lead.
    pub lead: Lead,
}

/// A contender: a point and its throughput interval.
pub type Entry<'p, 'a> = (&'p Trials<'a>, MedianCi);

impl Leader<'_, '_> {
    /// The leader's median throughput with its interval and the interval's level:
    /// "3.78 Mops/s (3.71 Mops/s – 3.79 Mops/s, 75%)".
    pub fn throughput(&self) -> String {
        let ci = self.best.1;
        let rate = crate::units::fmt_rate;
        format!(
            "{} ({} – {}, {:.0}%)",
            rate(ci.median),
            rate(ci.lo),
            rate(ci.hi),
            ci.level * 100.0
        )
    }
}

/// Every regime's leader among `pts`, in order of each regime's first point. Primitives that
/// are not contenders (the lock-free baseline, the deliberately racy counter: `About.checked`
/// false) and points without clean trials are left out.
pub fn leaders<'p, 'a>(pts: &'p [Trials<'a>]) -> Vec<Leader<'p, 'a>> {
    let mut groups: Vec<(String, Setting, Vec<Entry<'p, 'a>>)> = Vec::new();
    for p in pts {
        let family = p.first().family.as_str().to_string();
        if !p.first().checked {
            continue;
        }
        let Some(ci) = median_ci(&p.values(|r| r.throughput_ops_s), CI_LEVEL) else {
            continue;
        };
        let s = p.first().setting();
        match groups.iter_mut().find(|g| g.0 == family && g.1 == s) {
            Some(g) => g.2.push((p, ci)),
            None => groups.push((family, s, vec![(p, ci)])),
        }
    }
    groups
        .into_iter()
        .map(|(family, setting, mut members)| {
            members.sort_by(|a, b| b.1.median.total_cmp(&a.1.median));
            let best = members[0];
            let runner_up = members.get(1).copied();
            let lead = match runner_up {
                None => Lead::Alone,
                Some((p, r)) => {
                    use crate::rules::{DELTA, Estimate, Versus, versus};
                    let ratio = best.1.median / r.median;
                    let of = |p: &Trials, c: &MedianCi| Estimate {
                        lo: c.lo,
                        hi: c.hi,
                        n: c.n,
                        layout_ns: p.layout_ns(),
                    };
                    let (a, b) = (of(best.0, &best.1), of(p, &r));
                    match versus(&a, &b, DELTA) {
                        Versus::TooFew => Lead::Unknown(ratio),
                        Versus::Above => Lead::Clear(ratio),
                        Versus::NotComparable => Lead::NotComparable(
                            ratio,
                            a.layout_ns.unwrap_or(f64::NAN),
                            b.layout_ns.unwrap_or(f64::NAN),
                        ),
                        // Sorted by median, the leader cannot lie wholly below.
                        Versus::Overlap | Versus::Below => Lead::Tie(ratio),
                    }
                }
            };
            Leader {
                family,
                setting,
                best,
                runner_up,
                lead,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::aggregate::points;
    use crate::record::Family;
    use crate::record::RunRecord;

    fn row(primitive: &str, trial: u32, ops_s: f64) -> RunRecord {
        RunRecord {
            checked: true,
            schema_version: crate::record::SCHEMA_VERSION,
            primitive: primitive.into(),
            family: Family::Spin,
            threads: 2,
            cs_ns: 0,
            trial,
            stable: true,
            throughput_ops_s: ops_s,
            ..RunRecord::default()
        }
    }

    fn lead_of(a: &[f64], b: &[f64]) -> Lead {
        let mut rows = Vec::new();
        for (i, &x) in a.iter().enumerate() {
            rows.push(row("spin-tas", i as u32, x));
        }
        for (i, &x) in b.iter().enumerate() {
            rows.push(row("spin-ttas", i as u32, x));
        }
        let pts = points(&rows);
        let l = leaders(&pts);
        assert_eq!(l.len(), 1);
        l[0].lead
    }

    #[test]
    fn a_lead_within_noise_is_a_tie() {
        // ×1.00 with overlapping trials: no winner.
        assert!(matches!(
            lead_of(&[100.0, 104.0, 98.0], &[101.0, 97.0, 103.0]),
            Lead::Tie(_)
        ));
        // Separated intervals: a clear lead, the ratio of medians.
        match lead_of(&[200.0, 204.0, 198.0], &[101.0, 97.0, 103.0]) {
            Lead::Clear(r) => assert!((r - 200.0 / 101.0).abs() < 1e-9),
            other => panic!("{other:?}"),
        }
        // One or two trials a side: the ratio is shown but not called.
        assert!(matches!(lead_of(&[200.0], &[100.0]), Lead::Unknown(_)));
        assert!(matches!(
            lead_of(&[200.0, 201.0], &[100.0, 101.0]),
            Lead::Unknown(_)
        ));
        // Apart, but by less than the margin (3%): a tie.
        assert!(matches!(
            lead_of(&[104.0, 104.5, 105.0], &[100.0, 100.5, 101.0]),
            Lead::Tie(_)
        ));
    }

    /// A spinner whose trials ran with its CPUs 27 ns apart and a rival at 108 ns measured two
    /// machines: the lead is not called, however far apart they are.
    #[test]
    fn leads_across_cache_layouts_are_not_comparable() {
        let mut rows = Vec::new();
        for (name, values, ns) in [
            ("spin-tas", [200.0, 204.0, 198.0], 27.0),
            ("spin-ttas", [101.0, 97.0, 103.0], 108.0),
        ] {
            for (i, &x) in values.iter().enumerate() {
                let mut r = row(name, i as u32, x);
                r.core_to_core_before_ns = Some(ns);
                r.core_to_core_ns = Some(ns * 1.02);
                rows.push(r);
            }
        }
        let pts = points(&rows);
        match leaders(&pts)[0].lead {
            Lead::NotComparable(r, a, b) => {
                assert!((r - 200.0 / 101.0).abs() < 1e-9);
                assert!(a < 30.0 && b > 100.0, "{a} {b}");
            }
            other => panic!("{other:?}"),
        }
        assert!(leaders(&pts)[0].lead.describe().contains("not comparable"));
    }
}
