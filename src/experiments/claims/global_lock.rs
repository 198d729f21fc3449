//! Claim 13: A global lock serializes, finer locks scale. Its verdict follows [`RULE`].

use super::prelude::*;

/// The verdict's rule, written before the data.
pub(crate) const RULE: &str = "coarse-mutex (one global lock), striped-mutex (16 stripes) and \
    sharded-counter (per-thread shards), cs 0, 1, C and 2C threads. Scaling = throughput at C \
    ÷ at 1, with the interval the two intervals allow. Serializes: the global lock's scaling \
    lies wholly below ×1.2 (SERIAL). Scales: at least half the ideal gain per added thread, \
    1 + (C − 1)/2 (×1.5 on 2 CPUs; scales_at). Holds when the global lock serializes and both \
    finer structures scale; does not hold when the global lock's scaling lies at or above \
    ×1.2, or a finer structure's lies wholly below its threshold; otherwise inconclusive.";

/// Scaling (throughput at C ÷ at 1) below which a lock serializes.
pub const SERIAL: f64 = 1.2;

/// Scaling at which a structure scales on `c` CPUs: half the ideal gain per added thread.
pub(crate) fn scales_at(c: usize) -> f64 {
    1.0 + 0.5 * (c.max(1) - 1) as f64
}

/// The experiment's directory under a claims run.
pub(crate) const ID: &str = "13-global-lock";

/// The primitives of claim 13: one global lock, striped locks, per-thread shards.
pub(crate) const GRANULARITY: [&str; 3] = ["coarse-mutex", "striped-mutex", "sharded-counter"];

fn global_lock(ctx: Option<Ctx>) -> Claim {
    let head = Head {
        id: "13",
        claim: "A global lock serializes threads, finer locks scale",
        chapter_says: "The GIL: \"Only ONE thread executes … at a time\", \"CPU-bound: Threads don't help\"; \"Coarse-grained locks … limit concurrency. Fine-grained locks … increase concurrency\".",
        rule: RULE,
    };
    let ctx = match contended(head, ctx, ID) {
        Ok(ctx) => ctx,
        Err(claim) => return *claim,
    };
    let c = ctx.cores;
    let mut shows = Vec::new();
    let mut scale = Vec::new();
    for name in GRANULARITY {
        let at = |t: usize| ctx.point(name, t, |_| true).and_then(|p| ctx.ci(p, thr));
        let (Some(one), Some(many)) = (at(1), at(c)) else {
            return missing(head, &format!("{name} ×1 and ×{c}"), vec![ctx.run.clone()]);
        };
        let over = ctx
            .report(name, 2 * c, |_| true, thr)
            .map_or(String::new(), |o| {
                format!(", ×{} {}", 2 * c, show(&o, rate))
            });
        let (s, o) = ctx.ratio(&many, &one);
        shows.push(format!(
            "{name}: ×1 {}, ×{c} {}{over}; scaling ×{c}÷×1 {}",
            show(&one, rate),
            show(&many, rate),
            show_ratio(&s)
        ));
        let _ = o;
        scale.push(s);
    }
    let [coarse, striped, sharded]: [Figure; 3] = scale.try_into().expect("three locks");
    let need = scales_at(c);
    let finer = [
        ("the striped table", striped),
        ("the sharded counter", sharded),
    ];
    let not_scaling: Vec<&str> = finer
        .iter()
        .filter(|(_, s)| side(s, need) == Side::Below)
        .map(|(n, _)| *n)
        .collect();
    let (verdict, reason) = if side(&coarse, SERIAL) == Side::Above {
        (
            Verdict::DoesNotHold,
            format!(
                "the global lock scales ({}, ×{SERIAL} or more): it does not serialize here.",
                show_ratio(&coarse)
            ),
        )
    } else if !not_scaling.is_empty() {
        (
            Verdict::DoesNotHold,
            format!(
                "{} scales less than ×{need:.2} from 1 to {c} threads.",
                not_scaling.join(" and ")
            ),
        )
    } else if side(&coarse, SERIAL) == Side::Below
        && finer.iter().all(|(_, s)| side(s, need) == Side::Above)
    {
        (
            Verdict::Holds,
            format!(
                "the global lock gains less than ×{SERIAL} from {c} threads, and the striped table and the sharded counter gain ×{need:.2} or more."
            ),
        )
    } else {
        (
            Verdict::Inconclusive,
            format!(
                "a scaling reaches across its threshold (×{SERIAL} for the global lock, ×{need:.2} for the finer ones); more trials would settle it."
            ),
        )
    };
    ctx.claim(
        head,
        format!("cs 0, 16 stripes: {}.", shows.join(". ")),
        verdict,
        reason,
    )
}

/// Claim 13.
pub(crate) struct GlobalLock;

impl TextbookClaim for GlobalLock {
    fn experiment(&self) -> Option<(&'static str, &'static str)> {
        Some((
            ID,
            "coarse lock vs striped locks vs shards, 1, C, 2C threads",
        ))
    }

    fn plan(&self, preset: Preset, cores: usize) -> Option<SweepSpec> {
        let c = cores.max(1);
        Some(SweepSpec {
            stripes: vec![16],
            ..spec(preset, &GRANULARITY, vec![1, c, 2 * c], vec![0])
        })
    }

    fn judge(&self, own: Option<Ctx>, _all: &[Measured]) -> Claim {
        global_lock(own)
    }
}
