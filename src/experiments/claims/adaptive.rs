//! Claim 15: An adaptive mutex is never far behind the better of spinning and sleeping. Its verdict follows [`RULE`].

use super::prelude::*;

/// The verdict's rule, written before the data.
pub(crate) const RULE: &str = "adaptive-mutex (spins up to 1 µs, then sleeps) vs spin-ttas-backoff and \
    futex-mutex, think 0, C and 2C threads, 100 ns, 1 µs and 10 µs (the standard preset: the \
    spin/sleep claim's ×2 grid, 62.5 ns–16 µs). At each setting the figure is adaptive ÷ the better of the two (by \
    median throughput), with the interval the two intervals allow. \"Far behind\" means below \
    ×0.8 (WITHIN: the better one ahead by more than ×1.25). Holds when every setting's \
    interval lies at or above ×0.8; does not hold when some setting's interval lies wholly \
    below it; otherwise inconclusive (an interval straddles ×0.8, or too few trials).";

/// The experiment's directory under a claims run.
pub(crate) const ID: &str = "15-adaptive";

/// The adaptive mutex judged.
const ADAPTIVE: &str = "adaptive-mutex";
/// The pure strategies it is held against.
const SPINNER: &str = "spin-ttas-backoff";
const SLEEPER: &str = "futex-mutex";

/// How far behind the better strategy the adaptive mutex may be: adaptive ÷ best ≥ this.
pub(crate) const WITHIN: f64 = 0.8;

fn adaptive(ctx: Option<Ctx>) -> Claim {
    let head = Head {
        id: "15",
        claim: "An adaptive mutex is never far behind the better of spinning and sleeping",
        chapter_says: "Not the chapter's: it has the reader choose (\"Spinlocks are rarely appropriate in application code … Use regular mutexes\"); the usual way out of the choice (glibc's adaptive mutex, parking_lot) is to spin briefly, then sleep.",
        rule: RULE,
    };
    let ctx = match contended(head, ctx, ID) {
        Ok(ctx) => ctx,
        Err(claim) => return *claim,
    };
    let mut settings: Vec<(usize, u64)> = ctx
        .pts
        .iter()
        .filter(|p| p.primitive() == ADAPTIVE && p.first().think_ns == 0)
        .map(|p| (p.first().threads, p.first().cs_ns))
        .collect();
    settings.sort_unstable();
    settings.dedup();
    let (mut shows, mut far, mut close, mut open) = (Vec::new(), Vec::new(), 0, Vec::new());
    for &(threads, cs) in &settings {
        let at = |name| {
            ctx.point(name, threads, |r| r.cs_ns == cs && r.think_ns == 0)
                .and_then(|p| ctx.ci(p, thr))
        };
        let (Some(a), Some(spin), Some(sleep)) = (at(ADAPTIVE), at(SPINNER), at(SLEEPER)) else {
            open.push(format!(
                "×{threads} cs {} (a point missing)",
                fmt_ns(cs as f64)
            ));
            continue;
        };
        let (best_name, best) = if spin.median >= sleep.median {
            ("spinning", spin)
        } else {
            ("sleeping", sleep)
        };
        let (r, _) = ctx.ratio(&a, &best);
        let here = format!("×{threads} cs {}", fmt_ns(cs as f64));
        shows.push(format!(
            "{here}: adaptive {} ÷ {best_name} {}",
            rate(a.median),
            show_ratio(&r)
        ));
        match side(&r, WITHIN) {
            Side::Below => far.push(here),
            Side::Above => close += 1,
            Side::Across | Side::Unknown | Side::NotComparable => open.push(here),
        }
    }
    if settings.is_empty() {
        return missing(
            head,
            &format!("{ADAPTIVE}, {SPINNER} and {SLEEPER} at one setting"),
            vec![ctx.run.clone()],
        );
    }
    let shows = format!(
        "adaptive ÷ the better of spinning and sleeping (throughput): {}.",
        shows.join("; ")
    );
    let (verdict, reason) = if !far.is_empty() {
        (
            Verdict::DoesNotHold,
            format!(
                "the adaptive mutex is behind the better strategy by more than ×{:.2} beyond noise at {}.",
                1.0 / WITHIN,
                far.join(", ")
            ),
        )
    } else if open.is_empty() {
        (
            Verdict::Holds,
            format!(
                "at all {close} settings the adaptive mutex is within ×{:.2} of the better strategy (the whole interval).",
                1.0 / WITHIN
            ),
        )
    } else {
        (
            Verdict::Inconclusive,
            format!(
                "the interval straddles ×{WITHIN} at {}; more trials would settle it.",
                open.join(", ")
            ),
        )
    };
    ctx.claim(head, shows, verdict, reason)
}

/// Claim 15.
pub(crate) struct Adaptive;

impl TextbookClaim for Adaptive {
    fn experiment(&self) -> Option<(&'static str, &'static str)> {
        Some((
            ID,
            "adaptive mutex vs spinning and sleeping over critical-section length, C and 2C",
        ))
    }

    fn plan(&self, preset: Preset, cores: usize) -> Option<SweepSpec> {
        let c = cores.max(1);
        let cs = match preset {
            Preset::Quick => vec![100, 1_000, 10_000],
            Preset::Standard => super::spin_sleep::lengths(Preset::Quick),
        };
        Some(spec(
            preset,
            &[ADAPTIVE, SPINNER, SLEEPER],
            vec![c, 2 * c],
            cs,
        ))
    }

    fn judge(&self, own: Option<Ctx>, _all: &[Measured]) -> Claim {
        adaptive(own)
    }
}
