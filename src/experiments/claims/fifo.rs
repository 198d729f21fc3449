//! Claim 6: FIFO locks are fair; oversubscribed they collapse. Its verdict follows [`RULE`].

use super::prelude::*;
use crate::analysis::breakeven;

/// The verdict's rule, written before the data.
pub(crate) const RULE: &str = "spin-ticket and spin-mcs vs spin-tas, cs 250 ns, C and 2C threads. Fair: \
    at C every thread got at least 80% of an even share (FAIR_SHARE; min_share × threads, \
    median over trials). At a cost oversubscribed: the collapse, throughput at 2C ÷ at C \
    (the interval the two intervals allow), is worse than TAS's beyond noise (the FIFO lock's \
    interval wholly below TAS's). Holds when both FIFO locks are fair and collapse worse than \
    TAS; does not hold when a FIFO lock is unfair at C, or collapses less than TAS beyond \
    noise (its interval wholly above TAS's); otherwise inconclusive.";

/// The experiment's directory under a claims run.
pub(crate) const ID: &str = "06-fifo-fairness";

/// The fraction of an even share every thread must get for a lock to count as fair (claim
/// 6): `min_share × threads ≥ FAIR_SHARE`.
pub(crate) const FAIR_SHARE: f64 = 0.8;
/// The FIFO locks of claim 6, and the unfair reference.
pub(crate) const FIFO_LOCKS: [&str; 2] = ["spin-ticket", "spin-mcs"];
/// The unfair spinlock claim 6 compares with.
pub const TAS: &str = "spin-tas";

fn fifo(ctx: Option<Ctx>) -> Claim {
    let head = Head {
        id: "6",
        claim: "FIFO locks (ticket, MCS) are fair — at a cost when oversubscribed",
        chapter_says: "Bounded waiting: \"A thread won't wait forever (usually FIFO, but not guaranteed)\"; fair ordering is \"More complex, lower throughput\".",
        rule: RULE,
    };
    let ctx = match contended(head, ctx, ID) {
        Ok(ctx) => ctx,
        Err(claim) => return *claim,
    };
    let c = ctx.cores;
    let mut shows = Vec::new();
    let mut collapse = Vec::new();
    let mut unfair = Vec::new();
    let mut transfers = Vec::new();
    for name in FIFO_LOCKS.iter().chain([&TAS]) {
        let (Some(a), Some(b)) = (
            ctx.point(name, c, |_| true),
            ctx.point(name, 2 * c, |_| true),
        ) else {
            return missing(
                head,
                &format!("{name} ×{c} and ×{}", 2 * c),
                vec![ctx.run.clone()],
            );
        };
        let (Some(ta), Some(tb), Some(j), Some(ms)) = (
            ctx.ci(a, thr),
            ctx.ci(b, thr),
            ctx.ci(a, |r| r.jain_index),
            ctx.ci(a, |r| r.min_share * r.threads as f64),
        ) else {
            return missing(
                head,
                &format!("{name} has no finished trial"),
                vec![ctx.run.clone()],
            );
        };
        let (col, _) = ctx.ratio(&tb, &ta);
        let jb = ci_of(b, |r| r.jain_index);
        let transfer = Transfer::of(b);
        shows.push(format!(
            "{name}: ×{c} Jain {} , smallest thread share {} of an even share, {}; ×{} {}{}; ×{}÷×{c} {}{}",
            show(&j, |v| format!("{v:.3}")),
            show(&ms, |v| format!("{:.0} %", v * 100.0)),
            show(&ta, rate),
            2 * c,
            show(&tb, rate),
            jb.map_or(String::new(), |j| format!(", Jain {}", show(&j, |v| format!("{v:.3}")))),
            2 * c,
            show_ratio(&col),
            transfer.describe(2 * c)
        ));
        if FIFO_LOCKS.contains(name) {
            transfers.push((*name, transfer));
        }
        if FIFO_LOCKS.contains(name) && ms.median < FAIR_SHARE {
            unfair.push(*name);
        }
        collapse.push((*name, col));
    }
    let tas = collapse[2].1.clone();
    // Each FIFO lock's collapse against TAS's: Below = worse beyond noise.
    let against: Vec<(&str, Order)> = collapse[..2]
        .iter()
        .map(|(name, col)| (*name, lean(ctx.order(col, &tas), col.median, tas.median)))
        .collect();
    let (verdict, reason) = verdict(&unfair, &against, c);
    let reason = if verdict == Verdict::DoesNotHold {
        reason
    } else {
        format!(
            "{reason}{}",
            Transfer::explain(&transfers, 2 * c, ctx.wakeup_p90)
        )
    };
    ctx.noisy_claim(head, shows.join(". ") + ".", verdict, reason)
}

/// The verdict from the FIFO locks left `unfair` at C threads and each one's collapse
/// oversubscribed `against` TAS's (Behind = it loses more beyond noise: the cost).
fn verdict(unfair: &[&str], against: &[(&str, Order)], c: usize) -> (Verdict, String) {
    let names = |o: Order| -> String {
        against
            .iter()
            .filter(|(_, x)| *x == o)
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(" and ")
    };
    if !unfair.is_empty() {
        (
            Verdict::DoesNotHold,
            format!(
                "at ×{c} {} gave some thread less than {:.0} % of an even share.",
                unfair.join(" and "),
                FAIR_SHARE * 100.0
            ),
        )
    } else if against.iter().any(|(_, o)| *o == Order::Ahead) {
        (
            Verdict::DoesNotHold,
            format!(
                "both FIFO locks are fair at ×{c}, but oversubscribed (×{}) {} keeps more of its throughput than TAS beyond noise: no cost.",
                2 * c,
                names(Order::Ahead)
            ),
        )
    } else if against.iter().all(|(_, o)| *o == Order::Behind) {
        (
            Verdict::Holds,
            format!(
                "both FIFO locks are fair at ×{c}, and oversubscribed (×{}) they keep less of their throughput than TAS beyond noise: a preempted waiter next in line stalls the queue.",
                2 * c
            ),
        )
    } else {
        (
            Verdict::Inconclusive,
            format!(
                "both FIFO locks are fair at ×{c}, but the collapse of {} is within noise of TAS's; more trials would settle it.",
                names(Order::Tie)
            ),
        )
    }
}

/// How a lock changed hands at one point, over its clean trials: the range of the trials'
/// hand-off p50 (`handoff_p50_ns`; a range, not a median: oversubscribed FIFO locks swing
/// between microseconds and a time slice from trial to trial), the hand-offs and timed
/// sections behind it, the preempted holders, and the scheduler tick the rows' threshold
/// implies.
#[derive(Debug, Clone, Copy, Default)]
struct Transfer {
    /// Lowest and highest trial p50, ns.
    p50: Option<(f64, f64)>,
    /// Clean trials, and how many of them had a p50 (≥ 20 hand-offs).
    trials: usize,
    with_p50: usize,
    handoffs: u64,
    timed: u64,
    preempted: u64,
    tick: Option<f64>,
}

impl Transfer {
    fn of(p: &Trials) -> Transfer {
        let clean: Vec<&RunRecord> = p.clean().collect();
        let p50s: Vec<f64> = clean.iter().filter_map(|r| r.handoff_p50_ns).collect();
        let lo = p50s.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = p50s.iter().copied().fold(0.0, f64::max);
        Transfer {
            p50: (!p50s.is_empty()).then_some((lo, hi)),
            trials: clean.len(),
            with_p50: p50s.len(),
            handoffs: clean.iter().filter_map(|r| r.handoffs).sum(),
            timed: clean
                .iter()
                .filter(|r| r.holder_preempted.is_some())
                .map(|r| r.sampled_ops)
                .sum(),
            preempted: clean.iter().filter_map(|r| r.holder_preempted).sum(),
            // The threshold is cs + half a tick.
            tick: clean
                .iter()
                .find_map(|r| r.preempted_hold_ns.map(|t| 2.0 * (t - r.cs_ns as f64))),
        }
    }

    /// "; at ×4 hand-off p50 per trial 3.8 µs–4 ms (240 hand-offs), holder preempted in 0 of
    /// 240 timed sections".
    fn describe(&self, threads: usize) -> String {
        let Some((lo, hi)) = self.p50 else {
            return String::new();
        };
        let p50 = breakeven::fmt_ns_span(lo, hi);
        let few = if self.with_p50 < self.trials {
            format!(
                "; {} of {} trials had too few hand-offs for a p50",
                self.trials - self.with_p50,
                self.trials
            )
        } else {
            String::new()
        };
        format!(
            "; at ×{threads} hand-off p50 per trial {p50} ({} hand-offs{few}), holder preempted in {} of {} timed sections",
            self.handoffs, self.preempted, self.timed
        )
    }

    /// Why the FIFO locks collapse, from their hand-offs at ×`threads`: when every trial's
    /// hand-off p50 is longer than a waiter could take to be woken (`wakeup_p90`, the
    /// cross-core futex wake-up probe's p90; half a scheduler tick without it), the lock
    /// waited for the waiter whose turn it was to be scheduled (lock-waiter preemption); the
    /// preempted holders say how much lock-holder preemption adds.
    fn explain(transfers: &[(&str, Transfer)], threads: usize, wakeup_p90: Option<f64>) -> String {
        let tick = transfers.iter().find_map(|(_, t)| t.tick);
        let wakeup = wakeup_p90.filter(|w| w.is_finite() && *w > 0.0);
        let (limit, limit_text) = match (wakeup, tick) {
            (Some(w), _) => (w, format!("a cross-core wake-up's p90 ({})", fmt_ns(w))),
            (None, Some(t)) => (
                t / 2.0,
                format!("half a scheduler tick ({})", fmt_ns(t / 2.0)),
            ),
            (None, None) => return String::new(),
        };
        // Named only when every clean trial had a p50 and the lowest is beyond the limit.
        let slow: Vec<(String, &Transfer)> = transfers
            .iter()
            .filter_map(|(name, t)| {
                let (lo, hi) = t.p50?;
                (t.with_p50 == t.trials && lo > limit)
                    .then(|| (format!("{name} {}", breakeven::fmt_ns_span(lo, hi)), t))
            })
            .collect();
        if slow.is_empty() {
            return String::new();
        }
        let tick = tick.map_or(String::new(), |t| format!(", scheduler tick {}", fmt_ns(t)));
        let (preempted, timed) = slow
            .iter()
            .fold((0, 0), |(p, n), (_, t)| (p + t.preempted, n + t.timed));
        format!(
            " At ×{threads} every trial's median hand-off ({}) is longer than {limit_text}{tick}: the waiter whose turn it is is off its CPU, and the lock waits for the scheduler to run it (lock-waiter preemption); their holders were preempted in {preempted} of {timed} timed sections.",
            slow.iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// Claim 6.
pub(crate) struct Fifo;

impl TextbookClaim for Fifo {
    fn experiment(&self) -> Option<(&'static str, &'static str)> {
        Some((ID, "ticket and MCS vs TAS, C and 2C, cs 250 ns"))
    }

    fn plan(&self, preset: Preset, cores: usize) -> Option<SweepSpec> {
        let c = cores.max(1);
        Some(SweepSpec {
            // Every op timed: oversubscribed, a FIFO lock completes few sections in a
            // latency window, and the hand-offs and preempted holders that explain it would
            // otherwise be a handful of samples.
            sample_every: 1,
            ..spec(
                preset,
                &["spin-ticket", "spin-mcs", "spin-tas"],
                vec![c, 2 * c],
                vec![250],
            )
        })
    }

    fn judge(&self, own: Option<Ctx>, _all: &[Measured]) -> Claim {
        fifo(own)
    }
}
