//! Claim 4: RwLocks pay off for read-heavy data. Its verdict follows [`RULE`].

use super::prelude::*;

/// The verdict's rule, written before the data.
pub(crate) const RULE: &str = "rw-phase-fair and std-rwlock at 0%, 50%, 90% and 99% reads against \
    the best exclusive lock of the run (futex-mutex, parking-lot-mutex, spin-ttas-backoff: the \
    one with the highest median), C threads, cs 1 µs. The figure is RwLock ÷ best exclusive \
    throughput with the interval the two intervals allow; paying off means ×1.2 or more \
    (PAYS_OFF). At 99% reads: holds when every RwLock's interval lies at or above ×1.2; holds \
    with a caveat when some do and the others' lie wholly below (the caveat names them); does \
    not hold when every RwLock's lies wholly below ×1.2; otherwise inconclusive. Each \
    RwLock's gain over itself at 0% reads, and the lowest read ratio where it pays off, are \
    reported.";

/// The experiment's directory under a claims run.
pub(crate) const ID: &str = "04-rwlock-read-ratio";

/// The RwLocks of claim 4.
pub(crate) const RWLOCKS: [&str; 2] = ["rw-phase-fair", "std-rwlock"];

/// The exclusive locks the RwLocks are held against (the best of them).
pub const EXCLUSIVE: [&str; 3] = ["futex-mutex", "parking-lot-mutex", "spin-ttas-backoff"];

/// RwLock ÷ best exclusive lock at which a RwLock pays off.
pub(crate) const PAYS_OFF: f64 = 1.2;

fn rwlock_reads(ctx: Option<Ctx>) -> Claim {
    let head = Head {
        id: "4",
        claim: "RwLocks pay off for read-heavy data",
        chapter_says: "\"Optimizes for read-heavy workloads by allowing multiple concurrent readers\"; use case \"Read-heavy caches\", overhead \"Medium\".",
        rule: RULE,
    };
    let ctx = match contended(head, ctx, ID) {
        Ok(ctx) => ctx,
        Err(claim) => return *claim,
    };
    let c = ctx.cores;
    let Some((best_name, _)) = EXCLUSIVE
        .iter()
        .filter_map(|&l| Some((l, ctx.report(l, c, |_| true, thr)?)))
        .max_by(|a, b| a.1.median.total_cmp(&b.1.median))
    else {
        return missing(
            head,
            &format!("an exclusive lock at ×{c}"),
            vec![ctx.run.clone()],
        );
    };
    // The verdict reads the best one: track it.
    let Some(best) = ctx
        .point(best_name, c, |_| true)
        .and_then(|p| ctx.ci(p, thr))
    else {
        return missing(head, &format!("{best_name} ×{c}"), vec![ctx.run.clone()]);
    };
    let mut shows = vec![format!(
        "best exclusive lock ×{c}: {best_name} {}",
        show(&best, rate)
    )];
    let (mut above, mut below, mut open) = (Vec::new(), Vec::new(), Vec::new());
    for rw in RWLOCKS {
        let at = |ratio_: f64| {
            // The 99% point decides; the others are reported.
            if ratio_ == 0.99 {
                ctx.point(rw, c, |r| r.read_ratio == Some(ratio_))
                    .and_then(|p| ctx.ci(p, thr))
            } else {
                ctx.report(rw, c, |r| r.read_ratio == Some(ratio_), thr)
            }
        };
        let base = at(0.0);
        let mut parts = Vec::new();
        let mut pays_from: Option<f64> = None;
        let mut top = None;
        for ratio_ in [0.5, 0.9, 0.99] {
            let Some(v) = at(ratio_) else { continue };
            // The 99% point decides (remembered); the others are reported.
            let (r, _) = if ratio_ == 0.99 {
                ctx.ratio(&v, &best)
            } else {
                ratio(&v, &best)
            };
            if side(&r, PAYS_OFF) == Side::Above && pays_from.is_none() {
                pays_from = Some(ratio_);
            }
            let own = base
                .as_ref()
                .map(|b| format!(", ×{:.2} its 0% reads", v.median / b.median))
                .unwrap_or_default();
            parts.push(format!(
                "{:.0}% reads {} = {} the best exclusive{own}",
                ratio_ * 100.0,
                show(&v, rate),
                show_ratio(&r)
            ));
            if ratio_ == 0.99 {
                top = Some(r);
            }
        }
        shows.push(format!(
            "{rw} ×{c}: {}; pays off (×{PAYS_OFF}) {}",
            parts.join("; "),
            pays_from.map_or("at no read ratio measured".to_string(), |f| format!(
                "from {:.0}% reads",
                f * 100.0
            ))
        ));
        match top.map(|r| side(&r, PAYS_OFF)) {
            Some(Side::Above) => above.push(rw),
            Some(Side::Below) => below.push(rw),
            _ => open.push(rw),
        }
    }
    let (verdict, reason) = verdict(&above, &below, &open, best_name);
    let reason = format!(
        "{reason} On {c} CPUs at most {c} readers run in parallel, which caps what shared reading can gain."
    );
    ctx.claim(head, shows.join(". ") + ".", verdict, reason)
}

/// The verdict at 99% reads: the RwLocks whose interval lies wholly `above` ×[`PAYS_OFF`] of
/// the best exclusive lock, wholly `below` it, or across it (`open`).
fn verdict(above: &[&str], below: &[&str], open: &[&str], best_name: &str) -> (Verdict, String) {
    if !open.is_empty() {
        (
            Verdict::Inconclusive,
            format!(
                "at 99% reads the interval of {} reaches across ×{PAYS_OFF} (or the point is missing); more trials would settle it.",
                open.join(", ")
            ),
        )
    } else if below.is_empty() {
        (
            Verdict::Holds,
            format!(
                "at 99% reads every RwLock is ×{PAYS_OFF} or more ahead of the best exclusive lock ({best_name})."
            ),
        )
    } else if above.is_empty() {
        (
            Verdict::DoesNotHold,
            format!(
                "at 99% reads no RwLock reaches ×{PAYS_OFF} of the best exclusive lock ({best_name})."
            ),
        )
    } else {
        (
            Verdict::HoldsWithCaveat,
            format!(
                "at 99% reads {} pays off (×{PAYS_OFF} or more over {best_name}), {} does not.",
                above.join(", "),
                below.join(", ")
            ),
        )
    }
}

/// Claim 4.
pub(crate) struct RwlockReads;

impl TextbookClaim for RwlockReads {
    fn experiment(&self) -> Option<(&'static str, &'static str)> {
        Some((
            ID,
            "RwLocks over read ratio vs the best exclusive lock, C threads, cs 1 µs",
        ))
    }

    fn plan(&self, preset: Preset, cores: usize) -> Option<SweepSpec> {
        let c = cores.max(1);
        let locks: Vec<&str> = RWLOCKS.iter().chain(&EXCLUSIVE).copied().collect();
        Some(SweepSpec {
            read_ratios: vec![0.0, 0.5, 0.9, 0.99],
            ..spec(preset, &locks, vec![c], vec![1_000])
        })
    }

    fn judge(&self, own: Option<Ctx>, _all: &[Measured]) -> Claim {
        rwlock_reads(own)
    }
}
