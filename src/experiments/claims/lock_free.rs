//! Claim 8: CAS beats a lock under contention; fetch_add always progresses. Its verdict follows [`RULE`].

use super::prelude::*;

/// The verdict's rule, written before the data.
pub(crate) const RULE: &str = "cas-counter and fetch-add-counter vs futex-mutex and spin-ttas, cs 0, \
    1, C and 2C threads. CAS beats a lock: at C its throughput is ahead of both locks' beyond \
    noise (intervals apart by more than the 5% margin, ≥ 3 trials a side, one cache layout). fetch_add always progresses: in every \
    trial every thread completed operations (min_share > 0) with no retries. Holds when both \
    parts do; does not hold when CAS is behind a lock beyond noise at C or a fetch_add thread \
    made no progress; otherwise inconclusive (CAS within noise of a lock).";

/// The experiment's directory under a claims run.
pub(crate) const ID: &str = "08-lock-free";

/// The locks claim 8 compares the counters with.
pub(crate) const COUNTER_LOCKS: [&str; 2] = ["futex-mutex", "spin-ttas"];

fn lock_free(ctx: Option<Ctx>) -> Claim {
    let head = Head {
        id: "8",
        claim: "Lock-free CAS beats a lock under contention; wait-free fetch_add always progresses",
        chapter_says: "Lock-free: \"System makes progress\", \"Some threads may starve\"; wait-free: \"Every thread makes progress\", \"highest overhead\".",
        rule: RULE,
    };
    let ctx = match contended(head, ctx, ID) {
        Ok(ctx) => ctx,
        Err(claim) => return *claim,
    };
    let c = ctx.cores;
    let mut shows = Vec::new();
    for t in [1, c, 2 * c] {
        let mut parts = Vec::new();
        for name in ["cas-counter", "fetch-add-counter"]
            .iter()
            .chain(COUNTER_LOCKS.iter())
        {
            if let Some(v) = ctx.report(name, t, |_| true, thr) {
                let retries = if name.ends_with("counter") {
                    ctx.report(name, t, |_| true, |r| r.retries_per_op)
                        .map_or(String::new(), |r| {
                            format!(", {} retries/op", show(&r, |v| format!("{v:.2}")))
                        })
                } else {
                    String::new()
                };
                parts.push(format!("{name} {}{retries}", show(&v, rate)));
            }
        }
        shows.push(format!("×{t}: {}", parts.join("; ")));
    }
    let Some(cas) = ctx
        .point("cas-counter", c, |_| true)
        .and_then(|p| ctx.ci(p, thr))
    else {
        return missing(head, &format!("cas-counter ×{c}"), vec![ctx.run.clone()]);
    };
    let mut orders = Vec::new();
    for lock in COUNTER_LOCKS {
        let Some(l) = ctx.point(lock, c, |_| true).and_then(|p| ctx.ci(p, thr)) else {
            return missing(head, &format!("{lock} ×{c}"), vec![ctx.run.clone()]);
        };
        let o = ctx.order(&cas, &l);
        orders.push((lock, lean(o, cas.median, l.median), order_text(o, &cas, &l)));
    }
    // Every trial of every fetch_add point: a missing point is no evidence of progress.
    let mut stalled = Vec::new();
    for t in [1, c, 2 * c] {
        let Some(p) = ctx.peek("fetch-add-counter", t, |_| true) else {
            return missing(
                head,
                &format!("fetch-add-counter ×{t}"),
                vec![ctx.run.clone()],
            );
        };
        if p.trials
            .iter()
            .any(|r| r.timed_out || r.min_share <= 0.0 || r.retries_per_op > 0.0)
        {
            stalled.push(t);
        }
    }
    let vs = orders
        .iter()
        .map(|(l, _, t)| format!("CAS vs {l} at ×{c}: {t}"))
        .collect::<Vec<_>>()
        .join("; ");
    let ahead = orders.iter().filter(|o| o.1 == Order::Ahead).count();
    let behind = orders.iter().any(|o| o.1 == Order::Behind);
    if !stalled.is_empty() {
        // A stall is a fact of the trials, not a call about noise.
        return ctx.claim(
            head,
            format!("cs 0: {}.", shows.join(". ")),
            Verdict::DoesNotHold,
            format!("{vs}. A fetch_add thread made no progress (or retried, or timed out) at ×{stalled:?}."),
        );
    }
    let (verdict, reason) = if behind {
        (
            Verdict::DoesNotHold,
            format!("{vs}. CAS is behind a lock beyond noise."),
        )
    } else if ahead == orders.len() {
        (
            Verdict::Holds,
            format!("{vs}. Every fetch_add thread completed operations, with no retries."),
        )
    } else {
        (
            Verdict::Inconclusive,
            format!("{vs}. Within noise: more trials or more CPUs would settle it."),
        )
    };
    ctx.noisy_claim(
        head,
        format!("cs 0: {}.", shows.join(". ")),
        verdict,
        reason,
    )
}

/// Claim 8.
pub(crate) struct LockFree;

impl TextbookClaim for LockFree {
    fn experiment(&self) -> Option<(&'static str, &'static str)> {
        Some((ID, "CAS and fetch_add counters vs locks, 1, C, 2C threads"))
    }

    fn plan(&self, preset: Preset, cores: usize) -> Option<SweepSpec> {
        let c = cores.max(1);
        Some(spec(
            preset,
            &[
                "cas-counter",
                "fetch-add-counter",
                "futex-mutex",
                "spin-ttas",
            ],
            vec![1, c, 2 * c],
            vec![0],
        ))
    }

    fn judge(&self, own: Option<Ctx>, _all: &[Measured]) -> Claim {
        lock_free(own)
    }
}
