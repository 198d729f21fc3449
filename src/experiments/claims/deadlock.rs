//! Claim 9: Lock ordering prevents deadlock; try-lock with timeout recovers at a cost. Its verdict follows [`RULE`].

use super::prelude::*;

/// The verdict's rule, written before the data.
pub(crate) const RULE: &str = "bank-ordered vs bank-trylock, 8 accounts (BANK_ACCOUNTS), cs 250 ns, C \
    and 2C threads. Prevention: every trial of both finishes (a deadlock or stall is a timed-out \
    trial; a broken transfer is an error with no row). Recovery at a cost: every try-lock trial \
    completes transfers, and try-lock ÷ ordered throughput (the interval the two intervals \
    allow) lies wholly below ×1/1.05 (beyond the 5% margin). Holds when both parts do at C and 2C; does not hold when a \
    trial timed out, a try-lock trial completed no transfer, or the try-lock is ahead (its \
    ratio wholly above ×1.05: no cost) at C or 2C; otherwise inconclusive (a ratio across ×1, \
    a point missing, too few trials).";

/// The experiment's directory under a claims run.
pub(crate) const ID: &str = "09-deadlock";

/// Accounts of the bank experiment.
pub(crate) const BANK_ACCOUNTS: usize = 8;

fn deadlock(ctx: Option<Ctx>) -> Claim {
    let head = Head {
        id: "9",
        claim: "Lock ordering prevents deadlock; try-lock with timeout recovers at a cost",
        chapter_says: "\"Lock Ordering (Break Circular Wait)\"; \"Lock Timeout (Break Hold and Wait)\": \"Failed to acquire locks, retry later\".",
        rule: RULE,
    };
    let ctx = match contended(head, ctx, ID) {
        Ok(ctx) => ctx,
        Err(claim) => return *claim,
    };
    let c = ctx.cores;
    let mut shows = Vec::new();
    let mut timed_out = Vec::new();
    let mut costs = Vec::new();
    let mut no_progress = Vec::new();
    for t in [c, 2 * c] {
        let (Some(o), Some(tl)) = (
            ctx.point("bank-ordered", t, |_| true),
            ctx.point("bank-trylock", t, |_| true),
        ) else {
            return missing(
                head,
                &format!("bank-ordered and bank-trylock ×{t}"),
                vec![ctx.run.clone()],
            );
        };
        for p in [o, tl] {
            let n = p.trials.iter().filter(|r| r.timed_out).count();
            if n > 0 {
                timed_out.push(format!("{} ×{t}: {n} trial(s)", p.primitive()));
            }
        }
        let (Some(a), Some(b), Some(retries)) = (
            ctx.ci(o, thr),
            ctx.ci(tl, thr),
            ctx.ci(tl, |r| r.retries_per_op),
        ) else {
            continue;
        };
        let (r, against_one) = ctx.ratio(&b, &a);
        let count =
            |p: &Trials, f: fn(&RunRecord) -> bool| p.trials.iter().filter(|r| f(r)).count();
        let stuck = count(tl, |r| !r.timed_out && r.ops == 0);
        if stuck > 0 {
            no_progress.push(format!("×{t}: {stuck} trial(s)"));
        }
        shows.push(format!(
            "×{t}, {BANK_ACCOUNTS} accounts: bank-ordered {} ({} of {} trial(s) timed out); bank-trylock {} ({} of {} timed out{}), {} retries/op; try-lock ÷ ordered {}",
            show(&a, rate),
            count(o, |r| r.timed_out),
            o.trials.len(),
            show(&b, rate),
            count(tl, |r| r.timed_out),
            tl.trials.len(),
            if stuck > 0 {
                format!(", {stuck} finished with no transfer done in the window")
            } else {
                String::new()
            },
            show(&retries, |v| format!("{v:.3}")),
            show_ratio(&r)
        ));
        // Against 1 with the margin: the order of the two figures.
        costs.push((t, beyond_one(against_one), r));
    }
    let ahead: Vec<String> = costs
        .iter()
        .filter(|(_, s, _)| *s == Side::Above)
        .map(|(t, _, r)| format!("×{t} ({})", show_ratio(r)))
        .collect();
    let (verdict, reason) = if !timed_out.is_empty() {
        (
            Verdict::DoesNotHold,
            format!(
                "timed out (a deadlock or a stall): {}.",
                timed_out.join(", ")
            ),
        )
    } else if !no_progress.is_empty() {
        (
            Verdict::DoesNotHold,
            format!(
                "the try-lock completed no transfer in the window (no recovery): {}.",
                no_progress.join(", ")
            ),
        )
    } else if !ahead.is_empty() {
        (
            Verdict::DoesNotHold,
            format!(
                "no deadlock, but the try-lock is ahead of ordering, at no cost: {}.",
                ahead.join(", ")
            ),
        )
    } else if costs.len() == 2 && costs.iter().all(|(_, s, _)| *s == Side::Below) {
        (
            Verdict::Holds,
            "every transfer trial finished with balances conserved (a broken transfer is an error, a deadlock a timeout); the try-lock's retries cost throughput at ×C and ×2C.".to_string(),
        )
    } else {
        (
            Verdict::Inconclusive,
            "no deadlock; the try-lock's cost reaches across ×1 (or a point is missing, or too few trials); more trials would settle it.".to_string(),
        )
    };
    ctx.claim(head, shows.join(". ") + ".", verdict, reason)
}

/// Claim 9.
pub(crate) struct Deadlock;

impl TextbookClaim for Deadlock {
    fn experiment(&self) -> Option<(&'static str, &'static str)> {
        Some((ID, "bank transfers: lock ordering vs try-lock, C and 2C"))
    }

    fn plan(&self, preset: Preset, cores: usize) -> Option<SweepSpec> {
        let c = cores.max(1);
        Some(SweepSpec {
            stripes: vec![BANK_ACCOUNTS],
            ..spec(
                preset,
                &["bank-ordered", "bank-trylock"],
                vec![c, 2 * c],
                vec![250],
            )
        })
    }

    fn judge(&self, own: Option<Ctx>, _all: &[Measured]) -> Claim {
        deadlock(own)
    }
}
