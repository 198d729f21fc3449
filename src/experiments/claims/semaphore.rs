//! Claim 10: A semaphore bounds concurrency. Its verdict follows [`RULE`].

use super::prelude::*;

/// The verdict's rule, written before the data.
pub(crate) const RULE: &str = "futex-semaphore and condvar-semaphore with 1, 2 and 4 permits, 2C threads, \
    cs 1 µs. Bounds: the harness counts holders in every operation, and a count above the \
    permits (or a permit missing at the end) fails the run with an error, so a row exists only \
    if the bound held. Allows N: with 2 permits the semaphore must let two holders work at \
    once, so 2 permits ÷ 1 permit throughput (the interval the two intervals allow) lies at or \
    above ×1.2 (ALLOWS, needs ≥ 2 CPUs). Holds when both semaphores have rows at every permit \
    count and their ratio lies at or above ×1.2; does not hold when a semaphore's ratio lies \
    wholly below ×1.2 (it admits one holder at a time); otherwise inconclusive (a point \
    missing or timed out, a ratio across ×1.2, one CPU).";

/// 2 permits ÷ 1 permit throughput at which a semaphore lets two holders work at once.
pub(crate) const ALLOWS: f64 = 1.2;

/// The experiment's directory under a claims run.
pub(crate) const ID: &str = "10-semaphore";

/// The semaphores of claim 10.
pub(crate) const SEMAPHORES: [&str; 2] = ["futex-semaphore", "condvar-semaphore"];
/// The permit counts of claim 10.
pub(crate) const PERMITS: [usize; 3] = [1, 2, 4];

fn semaphore(ctx: Option<Ctx>) -> Claim {
    let head = Head {
        id: "10",
        claim: "A semaphore bounds concurrency",
        chapter_says: "\"A generalized lock that allows N concurrent accessors\" (connection pool).",
        rule: RULE,
    };
    let ctx = match measured(head, ctx, ID) {
        Ok(ctx) => ctx,
        Err(claim) => return *claim,
    };
    let t = 2 * ctx.cores;
    let mut shows = Vec::new();
    let mut problems = Vec::new();
    for name in SEMAPHORES {
        let mut parts = Vec::new();
        for n in PERMITS {
            match ctx.point(name, t, |r| r.stripes == Some(n)) {
                Some(p) => {
                    let to = p.trials.iter().filter(|r| r.timed_out).count();
                    if to > 0 {
                        problems.push(format!("{name} {n} permits: {to} timed out"));
                    }
                    if let Some(v) = ctx.ci(p, thr) {
                        parts.push(format!("{n} permit(s) {}", show(&v, rate)));
                    }
                }
                None => problems.push(format!("{name} with {n} permits: no row")),
            }
        }
        shows.push(format!("{name} ×{t}: {}", parts.join("; ")));
    }
    let mut scaling = Vec::new();
    for name in SEMAPHORES {
        let at = |n: usize| {
            ctx.point(name, t, |r| r.stripes == Some(n))
                .and_then(|p| ctx.ci(p, thr))
        };
        if let (Some(one), Some(two)) = (at(1), at(2)) {
            let (r, _) = ctx.ratio(&two, &one);
            shows.push(format!("{name}: 2 permits ÷ 1 permit {}", show_ratio(&r)));
            scaling.push((name, side(&r, ALLOWS)));
        }
    }
    let below: Vec<&str> = scaling
        .iter()
        .filter(|(_, s)| *s == Side::Below)
        .map(|(n, _)| *n)
        .collect();
    let bound = format!(
        "the harness counts holders in every operation and a count above the permits is an error with no row; every point has rows, so no more threads than permits ever held one (of {t} threads)"
    );
    let (verdict, reason) = if ctx.cores < 2 {
        (
            Verdict::Inconclusive,
            "needs ≥ 2 CPUs: with one, two holders cannot work at once.".to_string(),
        )
    } else if !below.is_empty() {
        (
            Verdict::DoesNotHold,
            format!(
                "{} gains less than ×{ALLOWS} from a second permit: it admits one holder at a time.",
                below.join(" and ")
            ),
        )
    } else if !problems.is_empty() {
        (
            Verdict::Inconclusive,
            format!("{}; re-run those points.", problems.join(", ")),
        )
    } else if scaling.len() == SEMAPHORES.len() && scaling.iter().all(|(_, s)| *s == Side::Above) {
        (
            Verdict::Holds,
            format!("{bound}; a second permit gains ×{ALLOWS} or more for both semaphores."),
        )
    } else {
        (
            Verdict::Inconclusive,
            format!(
                "{bound}; a ratio reaches across ×{ALLOWS} (or too few trials); more trials would settle it."
            ),
        )
    };
    ctx.claim(head, shows.join(". ") + ".", verdict, reason)
}

/// Claim 10.
pub(crate) struct Semaphore;

impl TextbookClaim for Semaphore {
    fn experiment(&self) -> Option<(&'static str, &'static str)> {
        Some((ID, "semaphores with 1, 2, 4 permits, 2C threads"))
    }

    fn plan(&self, preset: Preset, cores: usize) -> Option<SweepSpec> {
        let c = cores.max(1);
        Some(SweepSpec {
            stripes: PERMITS.to_vec(),
            ..spec(preset, &SEMAPHORES, vec![2 * c], vec![1_000])
        })
    }

    fn judge(&self, own: Option<Ctx>, _all: &[Measured]) -> Claim {
        semaphore(own)
    }
}
