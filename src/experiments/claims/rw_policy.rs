//! Claim 5: Reader/writer preference starves the other side, phase-fair bounds both. Its verdict follows [`RULE`].

use super::prelude::*;

/// The verdict's rule, written before the data.
pub(crate) const RULE: &str = "rw-reader-pref, rw-writer-pref and rw-phase-fair, C threads, 90% reads, \
    cs 1 µs (C rather than 2C: all three spin, and oversubscribed a preempted holder makes \
    every policy's worst wait a scheduler time slice, hiding the policy). The quantity is the \
    worst wait of the side a policy disfavours against phase-fair's (the interval the two \
    intervals allow): reader preference's worst write wait, writer preference's worst read \
    wait. Starving means ×2 or more (STARVES). Holds when both ratios lie at or above ×2; \
    does not hold when either lies wholly below ×2 (no starvation; the reason says when one \
    lies wholly below ×1/1.05, beyond the 5% margin: phase-fair is the worse one there); \
    otherwise inconclusive.";

/// Worst wait of the disfavoured side ÷ phase-fair's at which a policy starves that side.
pub(crate) const STARVES: f64 = 2.0;

/// The experiment's directory under a claims run.
pub(crate) const ID: &str = "05-rwlock-policies";

/// The RwLock policies of claim 5: reader-preferring, writer-preferring, phase-fair.
pub(crate) const RW_POLICIES: [&str; 3] = ["rw-reader-pref", "rw-writer-pref", "rw-phase-fair"];

fn rw_policy(ctx: Option<Ctx>) -> Claim {
    let head = Head {
        id: "5",
        claim: "Reader preference starves writers, writer preference starves readers, a fair policy bounds both",
        chapter_says: "Reader-preference: \"Writers can starve\"; writer-preference: \"Readers can starve\"; fair: \"More complex, lower throughput\".",
        rule: RULE,
    };
    let ctx = match contended(head, ctx, ID) {
        Ok(ctx) => ctx,
        Err(claim) => return *claim,
    };
    let c = ctx.cores;
    let mut cis = Vec::new();
    let mut shows = Vec::new();
    for name in RW_POLICIES {
        let Some(p) = ctx.point(name, c, |_| true) else {
            return missing(head, &format!("{name} ×{c}"), vec![ctx.run.clone()]);
        };
        let (Some(w), Some(r)) = (
            ctx.ci(p, |r| r.write_wait_max_ns),
            ctx.ci(p, |r| r.read_wait_max_ns),
        ) else {
            return missing(
                head,
                &format!("{name} has no finished trial"),
                vec![ctx.run.clone()],
            );
        };
        let p999 = |m: fn(&RunRecord) -> Option<f64>| {
            ci_of(p, |r| m(r).unwrap_or(f64::NAN))
                .map_or("n/a (too few samples)".to_string(), |c| show(&c, fmt_ns))
        };
        shows.push(format!(
            "{name} ×{c}: write wait p99.9 {}, max {}; read wait p99.9 {}, max {}; throughput {}",
            p999(|r| r.write_wait_p999_ns),
            show(&w, fmt_ns),
            p999(|r| r.read_wait_p999_ns),
            show(&r, fmt_ns),
            ci_of(p, thr).map_or("n/a".into(), |t| show(&t, rate))
        ));
        cis.push((w, r));
    }
    // Higher wait is worse: the disfavoured side's worst wait ÷ phase-fair's.
    let (writers, w_order) = ctx.ratio(&cis[0].0, &cis[2].0);
    let (readers, r_order) = ctx.ratio(&cis[1].1, &cis[2].1);
    let detail = format!(
        "reader preference's worst write wait ÷ phase-fair's {}; writer preference's worst read wait ÷ phase-fair's {}.",
        show_ratio(&writers),
        show_ratio(&readers)
    );
    let sides = [side(&writers, STARVES), side(&readers, STARVES)];
    let (verdict, reason) = if sides.contains(&Side::Below) {
        let better = [w_order, r_order]
            .iter()
            .any(|o| beyond_one(*o) == Side::Below);
        (
            Verdict::DoesNotHold,
            format!(
                "{detail} {}",
                if better {
                    "Phase-fair's worst wait is the longer one on a side."
                } else {
                    "A preference does not starve the other side by ×2 here."
                }
            ),
        )
    } else if sides.iter().all(|s| *s == Side::Above) {
        (Verdict::Holds, detail)
    } else {
        (
            Verdict::Inconclusive,
            format!(
                "{detail} Worst waits are noisy: a ratio reaches across ×{STARVES}; more trials or a quieter machine would settle it."
            ),
        )
    };
    let reason = format!(
        "{reason} Measured at ×{c} (threads = CPUs), not ×{}: all three spin, so oversubscribed a preempted holder would make every policy's worst wait a scheduler time slice.",
        2 * c
    );
    ctx.claim(head, shows.join(". ") + ".", verdict, reason)
}

/// Claim 5.
pub(crate) struct RwPolicy;

impl TextbookClaim for RwPolicy {
    fn experiment(&self) -> Option<(&'static str, &'static str)> {
        Some((
            ID,
            "reader-pref, writer-pref and phase-fair RwLocks, C threads, 90% reads",
        ))
    }

    fn plan(&self, preset: Preset, cores: usize) -> Option<SweepSpec> {
        let c = cores.max(1);
        Some(spec(preset, &RW_POLICIES, vec![c], vec![1_000]))
    }

    fn judge(&self, own: Option<Ctx>, _all: &[Measured]) -> Claim {
        rw_policy(own)
    }
}
