//! Claim 12: A barrier phase is cheap; spinning is cheaper while every thread has a CPU. Its verdict follows [`RULE`].

use super::prelude::*;

/// The verdict's rule, written before the data.
pub(crate) const RULE: &str = "sense-barrier (spins) vs std-barrier (sleeps), C and 2C threads; time per \
    phase = threads ÷ throughput. Cheap: the faster barrier's phase at C lies under 10 µs \
    (CHEAP_NS, a context switch's cost) on its whole interval. Spinning cheaper while every \
    thread has a CPU: at C the spinning barrier's phase is shorter beyond noise (intervals \
    apart by more than the 5% margin, one cache layout). Oversubscribed (2C) is reported, not judged: the claim says nothing there. \
    Holds when both parts do; does not hold when the faster phase lies wholly above 10 µs, or \
    at C the spinning barrier's phase is longer beyond noise; otherwise inconclusive.";

/// The longest phase that counts as cheap, ns.
pub(crate) const CHEAP_NS: f64 = 10_000.0;

/// The experiment's directory under a claims run.
pub(crate) const ID: &str = "12-barrier";

fn barrier(ctx: Option<Ctx>) -> Claim {
    let head = Head {
        id: "12",
        claim: "A barrier phase is cheap; spinning is cheaper while every thread has a CPU",
        chapter_says: "Barrier: \"Synchronization point where threads wait until all have arrived\"; overhead \"Low\".",
        rule: RULE,
    };
    let ctx = match contended(head, ctx, ID) {
        Ok(ctx) => ctx,
        Err(claim) => return *claim,
    };
    let c = ctx.cores;
    let mut shows = Vec::new();
    let mut orders = Vec::new();
    let mut fastest: Option<Figure> = None;
    for t in [c, 2 * c] {
        // Time per phase = threads / throughput; higher throughput = shorter phase.
        let per_phase = |r: &RunRecord| {
            if r.throughput_ops_s > 0.0 {
                r.threads as f64 * 1e9 / r.throughput_ops_s
            } else {
                f64::NAN
            }
        };
        // C decides; 2C is reported.
        let phase = |name: &str| {
            if t == c {
                ctx.point(name, t, |_| true)
                    .and_then(|p| ctx.ci(p, per_phase))
            } else {
                ctx.report(name, t, |_| true, per_phase)
            }
        };
        let (Some(s), Some(d)) = (phase("sense-barrier"), phase("std-barrier")) else {
            if t == c {
                return missing(
                    head,
                    &format!("sense-barrier and std-barrier ×{t}"),
                    vec![ctx.run.clone()],
                );
            }
            orders.push(Order::Unknown);
            continue;
        };
        // Shorter is better: compare the sleeping phase against the spinning one (at 2C
        // reported only, so not remembered).
        let o = if t == c {
            ctx.order(&d, &s)
        } else {
            order(&d, &s)
        };
        let l = lean(o, d.median, s.median);
        shows.push(format!(
            "×{t}: sense-barrier {} per phase, std-barrier {} per phase (threads ÷ throughput; sense shorter: {})",
            show(&s, fmt_ns),
            show(&d, fmt_ns),
            match o {
                Order::Ahead => "yes, beyond noise",
                Order::Behind => "no, longer beyond noise",
                Order::Tie => "within noise",
                Order::Unknown => "unknown (too few trials)",
                Order::NotComparable => "not comparable (other cache layouts)",
            }
        ));
        orders.push(l);
        if t == c {
            fastest = Some(if s.median <= d.median { s } else { d });
        }
    }
    // Shorter is cheaper: cheap when the whole interval lies below the limit.
    let cheap = fastest
        .as_ref()
        .map_or(Side::Unknown, |f| side(f, CHEAP_NS));
    let (verdict, reason) = match (cheap, orders[0]) {
        (Side::Above, _) => (
            Verdict::DoesNotHold,
            format!(
                "at ×{c} the faster barrier's phase is {} or more: not cheap.",
                fmt_ns(CHEAP_NS)
            ),
        ),
        (_, Order::Behind) => (
            Verdict::DoesNotHold,
            format!("at ×{c} the spinning barrier's phase is longer beyond noise."),
        ),
        (Side::Below, Order::Ahead) => (
            Verdict::Holds,
            format!(
                "at ×{c} a phase takes under {} and the spinning barrier's is shorter beyond noise{}.",
                fmt_ns(CHEAP_NS),
                if orders[1] == Order::Behind {
                    format!(
                        "; oversubscribed (×{}) it is longer, as the claim's \"while every thread has a CPU\" expects",
                        2 * c
                    )
                } else {
                    String::new()
                }
            ),
        ),
        _ => (
            Verdict::Inconclusive,
            format!(
                "at ×{c} the phases are within noise of each other or of {}; more trials would settle it.",
                fmt_ns(CHEAP_NS)
            ),
        ),
    };
    ctx.noisy_claim(head, shows.join(". ") + ".", verdict, reason)
}

/// Claim 12.
pub struct Barrier;

impl TextbookClaim for Barrier {
    fn experiment(&self) -> Option<(&'static str, &'static str)> {
        Some((ID, "sense-reversing vs std barrier, C and 2C"))
    }

    fn plan(&self, preset: Preset, cores: usize) -> Option<SweepSpec> {
        let c = cores.max(1);
        Some(spec(
            preset,
            &["sense-barrier", "std-barrier"],
            vec![c, 2 * c],
            vec![0],
        ))
    }

    fn judge(&self, own: Option<Ctx>, _all: &[Measured]) -> Claim {
        barrier(own)
    }
}
