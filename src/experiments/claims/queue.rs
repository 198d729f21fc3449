//! Claim 11: The condition-variable bounded queue is a sound producer–consumer with low overhead. Its verdict follows [`RULE`].

use super::prelude::*;

/// The verdict's rule, written before the data.
pub(crate) const RULE: &str = "condvar-queue vs std-sync-channel and crossbeam-channel, 2 and 2C \
    threads, items received per second. Sound: the harness checks that every item arrives \
    exactly once and in order per producer, and fails the run otherwise, so a row means a \
    sound run. Low overhead: condvar queue ÷ the faster channel (the interval the two \
    intervals allow) lies at or above ×0.5 (LOW: within a factor of 2 of a channel built for \
    the job). Holds when it does at every thread count; does not hold when it lies wholly \
    below ×0.5 at one; otherwise inconclusive.";

/// Condvar queue ÷ the faster channel at which its overhead still counts as low.
pub(crate) const LOW: f64 = 0.5;

/// The experiment's directory under a claims run.
pub(crate) const ID: &str = "11-queue";

/// The channels claim 11 compares the condvar queue with.
pub(crate) const CHANNELS: [&str; 2] = ["std-sync-channel", "crossbeam-channel"];

fn queue(ctx: Option<Ctx>) -> Claim {
    let head = Head {
        id: "11",
        claim: "A condition-variable bounded queue is a sound producer–consumer, with low overhead",
        chapter_says: "\"Producer-Consumer with Condition Variable\"; Condition overhead \"Low\"; \"Condition variables need the while-loop pattern.\"",
        rule: RULE,
    };
    let ctx = match measured(head, ctx, ID) {
        Ok(ctx) => ctx,
        Err(claim) => return *claim,
    };
    let mut threads = vec![2, 2 * ctx.cores];
    threads.dedup();
    let items = |r: &RunRecord| r.reads_ops_s;
    let wakeups = |r: &RunRecord| {
        if r.reads_ops_s > 0.0 {
            r.vcsw_per_op * r.throughput_ops_s / r.reads_ops_s
        } else {
            f64::NAN
        }
    };
    let mut shows = Vec::new();
    let mut sides = Vec::new();
    for &t in &threads {
        let mut parts = Vec::new();
        let Some(q) = ctx
            .point("condvar-queue", t, |_| true)
            .and_then(|p| ctx.ci(p, items))
        else {
            return missing(head, &format!("condvar-queue ×{t}"), vec![ctx.run.clone()]);
        };
        let mut best: Option<Figure> = None;
        for name in ["condvar-queue"].iter().chain(CHANNELS.iter()) {
            let Some(p) = ctx.point(name, t, |_| true) else {
                return missing(head, &format!("{name} ×{t}"), vec![ctx.run.clone()]);
            };
            let w = ci_of(p, wakeups);
            let Some(v) = ctx.ci(p, items) else {
                return missing(
                    head,
                    &format!("{name} ×{t} has no finished trial"),
                    vec![ctx.run.clone()],
                );
            };
            if *name != "condvar-queue" && best.as_ref().is_none_or(|b| v.median > b.median) {
                best = Some(v.clone());
            }
            parts.push(format!(
                "{name} {}{}",
                show(&v, |x| fmt_rate(x).replace("ops/s", "items/s")),
                w.map_or(String::new(), |w| format!(
                    ", {} voluntary switches per item",
                    show(&w, |v| format!("{v:.2}"))
                ))
            ));
        }
        let side_here = best.map_or(Side::Unknown, |b| {
            let (r, _) = ctx.ratio(&q, &b);
            parts.push(format!(
                "condvar queue ÷ the faster channel {}",
                show_ratio(&r)
            ));
            side(&r, LOW)
        });
        sides.push((t, side_here));
        shows.push(format!("×{t}: {}", parts.join("; ")));
    }
    let at = |want: Side| -> Vec<String> {
        sides
            .iter()
            .filter(|(_, s)| *s == want)
            .map(|(t, _)| format!("×{t}"))
            .collect()
    };
    let (verdict, reason) = if !at(Side::Below).is_empty() {
        (
            Verdict::DoesNotHold,
            format!(
                "sound (every item arrived once, in order: checked), but at {} it moves items at less than ×{LOW} of the faster channel: its overhead is not low.",
                at(Side::Below).join(" and ")
            ),
        )
    } else if sides.iter().all(|(_, s)| *s == Side::Above) {
        (
            Verdict::Holds,
            format!(
                "every item arrived exactly once and in order per producer (checked; otherwise no row), and the condvar queue moves items at ×{LOW} or more of the faster channel at every thread count."
            ),
        )
    } else {
        (
            Verdict::Inconclusive,
            format!(
                "sound, but its ratio to the faster channel reaches across ×{LOW}; more trials would settle it."
            ),
        )
    };
    ctx.claim(
        head,
        format!("items received per second: {}.", shows.join(". ")),
        verdict,
        reason,
    )
}

/// Claim 11.
pub struct Queue;

impl TextbookClaim for Queue {
    fn experiment(&self) -> Option<(&'static str, &'static str)> {
        Some((ID, "condvar queue vs channels, 2 and 2C threads"))
    }

    fn plan(&self, preset: Preset, cores: usize) -> Option<SweepSpec> {
        let c = cores.max(1);
        Some(spec(
            preset,
            &["condvar-queue", "std-sync-channel", "crossbeam-channel"],
            vec![2, 2 * c],
            vec![0],
        ))
    }

    fn judge(&self, own: Option<Ctx>, _all: &[Measured]) -> Claim {
        queue(own)
    }
}
