//! Claim 14: A reentrant lock has slightly more overhead. Its verdict follows [`RULE`].

use super::prelude::*;
use crate::stats::MIN_STABLE_TRIALS;

/// The verdict's rule, written before the data.
pub(crate) const RULE: &str = "reentrant-mutex vs futex-mutex, 1 thread, cs 0 (each reentrant op \
    locks, re-enters once and unlocks twice): the time per op of the reentrant lock ÷ the plain \
    one's, with its interval. \"Slightly more\" means more than noise and at most ×1.5 \
    (SLIGHTLY). Holds when the interval lies in (×1.05, ×1.5) (above ×1 by more than the 5% margin); \
    does not hold when it lies wholly below ×1/1.05 (the reentrant lock is faster) or wholly above ×1.5 (much more overhead); \
    otherwise inconclusive.";

/// The most a \"slight\" overhead may be: reentrant ÷ plain time per op.
pub(crate) const SLIGHTLY: f64 = 1.5;

/// The experiment's directory under a claims run.
pub(crate) const ID: &str = "14-reentrant";

fn reentrant(ctx: Option<Ctx>) -> Claim {
    let head = Head {
        id: "14",
        claim: "A reentrant lock has slightly more overhead",
        chapter_says: "\"RLock has slightly more overhead (must track owner and count).\"",
        rule: RULE,
    };
    let ctx = match measured(head, ctx, ID) {
        Ok(ctx) => ctx,
        Err(claim) => return *claim,
    };
    let per_op = |r: &RunRecord| {
        if r.throughput_ops_s > 0.0 {
            1e9 / r.throughput_ops_s
        } else {
            f64::NAN
        }
    };
    let (Some(re), Some(fm)) = (
        ctx.point("reentrant-mutex", 1, |_| true)
            .and_then(|p| ctx.ci(p, per_op)),
        ctx.point("futex-mutex", 1, |_| true)
            .and_then(|p| ctx.ci(p, per_op)),
    ) else {
        return missing(
            head,
            "reentrant-mutex and futex-mutex ×1",
            vec![ctx.run.clone()],
        );
    };
    // Longer time per op is more overhead.
    let (r, o) = ctx.ratio(&re, &fm);
    let shows = format!(
        "×1, cs 0: reentrant-mutex {} per op (lock, re-enter, two unlocks), futex-mutex {} per op: reentrant ÷ plain {}.",
        show(&re, fmt_ns),
        show(&fm, fmt_ns),
        show_ratio(&r)
    );
    // Against 1 with the margin (the order of the two figures), against SLIGHTLY as is.
    let (verdict, reason) = match (beyond_one(o), side(&r, SLIGHTLY)) {
        (Side::Below, _) => (
            Verdict::DoesNotHold,
            "the reentrant lock is faster beyond noise.".to_string(),
        ),
        (_, Side::Above) => (
            Verdict::DoesNotHold,
            format!("the reentrant lock's overhead is beyond ×{SLIGHTLY}: more than slight."),
        ),
        (Side::Above, Side::Below) => (
            Verdict::Holds,
            format!(
                "the reentrant lock takes longer per operation beyond noise, by at most ×{SLIGHTLY}; part of it is the re-entry each op does."
            ),
        ),
        (Side::Unknown, _) | (_, Side::Unknown) => (
            Verdict::Inconclusive,
            format!(
                "too few trials behind a figure: a call beyond noise needs ≥ {MIN_STABLE_TRIALS} a side; re-run with --trials {MIN_STABLE_TRIALS} or more to settle it."
            ),
        ),
        _ => (
            Verdict::Inconclusive,
            format!("the interval reaches across ×1 or ×{SLIGHTLY}; more trials would settle it."),
        ),
    };
    ctx.claim(head, shows, verdict, reason)
}

/// Claim 14.
pub struct Reentrant;

impl TextbookClaim for Reentrant {
    fn experiment(&self) -> Option<(&'static str, &'static str)> {
        Some((ID, "reentrant vs plain mutex, 1 thread"))
    }

    fn plan(&self, preset: Preset, _cores: usize) -> Option<SweepSpec> {
        Some(spec(
            preset,
            &["reentrant-mutex", "futex-mutex"],
            vec![1],
            vec![0],
        ))
    }

    fn judge(&self, own: Option<Ctx>, _all: &[Measured]) -> Claim {
        reentrant(own)
    }
}
