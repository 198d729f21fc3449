//! Claim 1: Lost updates. Its verdict follows [`RULE`].

use super::prelude::*;

/// The verdict's rule, written before the data.
pub(crate) const RULE: &str = "racy-counter vs fetch-add-counter, C threads, cs 0. The quantity is \
    the share of increments lost: lost updates per second ÷ increments per second, both over \
    the whole trial (the harness counts losses over warm-up, latency and measured windows). The chapter's \
    \"hundreds per second at 10,000 RPS\" is a share of about 1% or more (LOSS). Holds when \
    the racy counter's share (median, with its interval) lies at or above 1% and fetch_add lost \
    none; does not hold when fetch_add lost any, or the racy share lies wholly below 1%; \
    otherwise inconclusive.";

/// The share of increments lost that counts as \"losing updates\" in the chapter's sense.
pub(crate) const LOSS: f64 = 0.01;

/// The experiment's directory under a claims run.
pub(crate) const ID: &str = "01-lost-updates";

fn lost_updates(ctx: Option<Ctx>) -> Claim {
    let head = Head {
        id: "1",
        claim: "Unsynchronized increments lose updates",
        chapter_says: "A read-modify-write without synchronization loses updates (\"at 10,000 RPS, you're losing hundreds of updates per second\").",
        rule: RULE,
    };
    let ctx = match contended(head, ctx, ID) {
        Ok(ctx) => ctx,
        Err(claim) => return *claim,
    };
    let c = ctx.cores;
    let (Some(racy), Some(fa)) = (
        ctx.point("racy-counter", c, |_| true),
        ctx.point("fetch-add-counter", c, |_| true),
    ) else {
        return missing(
            head,
            &format!("racy-counter or fetch-add-counter ×{c}"),
            vec![ctx.run.clone()],
        );
    };
    // The harness counts lost updates over every increment of the trial, warm-up included
    // (the counter is read once, at the end), so both figures divide by warm-up + window.
    let span_s = |r: &RunRecord| r.elapsed_s + (r.warmup_ms + r.latency_ms.unwrap_or(0.0)) / 1e3;
    let per_s = |r: &RunRecord| {
        if span_s(r) > 0.0 {
            r.lost_updates as f64 / span_s(r)
        } else {
            0.0
        }
    };
    // Lost updates per increment made: both rates over the same span.
    let share = |r: &RunRecord| {
        if r.throughput_ops_s > 0.0 {
            per_s(r) / r.throughput_ops_s
        } else {
            f64::NAN
        }
    };
    let (Some(lost), Some(frac)) = (ctx.ci(racy, per_s), ctx.ci(racy, share)) else {
        return missing(
            head,
            "racy-counter has no finished trial",
            vec![ctx.run.clone()],
        );
    };
    let fa_lost: u64 = fa
        .trials
        .iter()
        .filter(|r| !r.timed_out)
        .map(|r| r.lost_updates)
        .sum();
    let pct = |v: f64| format!("{:.2}%", v * 100.0);
    let shows = format!(
        "racy-counter ×{c}: ≈ {} lost updates/s (per second of warm-up, latency and measured windows), {} of its increments. fetch-add-counter ×{c}: {fa_lost} updates lost over {} trial(s).",
        show(&lost, crate::units::si),
        show(&frac, pct),
        fa.trials.len()
    );
    let (verdict, reason) = if fa_lost > 0 {
        (
            Verdict::DoesNotHold,
            "fetch_add lost updates: an atomic RMW must not (a harness or hardware fault)."
                .to_string(),
        )
    } else {
        match side(&frac, LOSS) {
            Side::Above => (
                Verdict::Holds,
                format!(
                    "the racy counter lost {} or more of its increments (at least {}); fetch_add lost none.",
                    pct(frac.lo),
                    pct(LOSS)
                ),
            ),
            Side::Below => (
                Verdict::DoesNotHold,
                format!(
                    "the racy counter lost under {} of its increments.",
                    pct(LOSS)
                ),
            ),
            // A share of one point is never a comparison across layouts.
            Side::Across | Side::Unknown | Side::NotComparable => (
                Verdict::Inconclusive,
                format!(
                    "the racy counter's lost share reaches across {} (or too few trials); more trials would settle it.",
                    pct(LOSS)
                ),
            ),
        }
    };
    ctx.claim(head, shows, verdict, reason)
}

/// Claim 1.
pub(crate) struct LostUpdates;

impl TextbookClaim for LostUpdates {
    fn experiment(&self) -> Option<(&'static str, &'static str)> {
        Some((ID, "racy vs fetch_add counter, C threads"))
    }

    fn plan(&self, preset: Preset, cores: usize) -> Option<SweepSpec> {
        let c = cores.max(1);
        Some(spec(
            preset,
            &["racy-counter", "fetch-add-counter"],
            vec![c],
            vec![0],
        ))
    }

    fn judge(&self, own: Option<Ctx>, _all: &[Measured]) -> Claim {
        lost_updates(own)
    }
}
