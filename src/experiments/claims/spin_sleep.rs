//! Claim 3: Spin under ~1 µs, sleep beyond. Its verdict follows [`RULE`].

use super::prelude::*;
use crate::analysis::breakeven::{self, Call};

/// The verdict's rule, written before the data.
pub(crate) const RULE: &str = "spin-ttas-backoff vs futex-mutex, think 0, through the break-even \
    analysis (a length counts for one side when the trials' ranges are apart by more than 5%, \
    ≥ 3 trials a side on one cache layout, corrected across lengths by \
    Benjamini–Hochberg; the experiment plans 5 a side, as 3 survive that only when every \
    length is called). The view judged is throughput with a CPU per thread (C threads): there a waiter's \
    spinning costs no one else, so the choice is the waiter's own cost, spinning against a \
    switch — the chapter's trade. \"~1 µs\" is read as 0.5–2 µs (BAND_NS, ×2 either way). \
    The crossing band runs from the longest length with spinning ahead to the shortest with \
    sleeping ahead. Inconclusive when the grid has two neighbouring lengths in 50 ns–20 µs \
    more than ×2.15 apart (fewer than 3 a decade: a crossing cannot be placed within a factor \
    of 2). Does not hold when the sleeping lock is ahead at 0.5 µs or below, or the spinning \
    lock at 2 µs or above (then the band, if any, lies wholly outside 0.5–2 µs); holds when \
    spinning is ahead only below sleeping's lengths and the band reaches into (0.5, 2) µs; \
    otherwise inconclusive (the crossing is not located, or the sides alternate inside the \
    band). Ops per CPU-second at C and throughput at 2C are reported beside it.";

/// The chapter's break-even (~1 µs) as a band of lengths, ns.
pub(crate) const BAND_NS: (f64, f64) = (500.0, 2_000.0);

/// The widest step between neighbouring lengths that still places a crossing within ×2.
pub(crate) const MAX_STEP: f64 = 2.15;

/// The experiment's directory under a claims run.
pub(crate) const ID: &str = "03-spin-vs-sleep";

const SPINNER: &str = "spin-ttas-backoff";
const SLEEPER: &str = "futex-mutex";

fn spin_sleep(ctx: Option<Ctx>) -> Claim {
    let head = Head {
        id: "3",
        claim: "Spinlocks win under ~1 µs of hold time, sleeping locks beyond",
        chapter_says: "\"Short hold time (< 1μs): Spinlock wins\"; \"Long hold time (> 10μs): Mutex wins\"; \"The break-even point is around 1μs\".",
        rule: RULE,
    };
    let ctx = match contended(head, ctx, ID) {
        Ok(ctx) => ctx,
        Err(claim) => return *claim,
    };
    let c = ctx.cores;
    // Mark the flagged points the verdict uses: the two locks at C, think 0.
    for p in &ctx.pts {
        let r = p.first();
        if r.think_ns == 0 && r.threads == c && [SPINNER, SLEEPER].contains(&p.primitive()) {
            let _ = ctx.point(p.primitive(), c, |x| x.cs_ns == r.cs_ns && x.think_ns == 0);
        }
    }
    let b = breakeven::analyse(ctx.rows, c, SPINNER, &[SLEEPER]);
    let mut shows = Vec::new();
    let mut main: Option<&breakeven::Outcome> = None;
    let mut over: Option<&breakeven::Outcome> = None;
    let mut eff: Option<&breakeven::Outcome> = None;
    for panel in b.panels.iter().filter(|p| p.think_ns == 0) {
        let Some(o) = panel.outcomes.first() else {
            continue;
        };
        let calls: Vec<String> = o
            .calls
            .iter()
            .map(|pc| {
                let who = match pc.call {
                    Call::SpinBetter => "spin ahead",
                    Call::SleepBetter => "sleep ahead",
                    Call::Indistinguishable => "tie",
                    Call::TooFew => "too few trials",
                    Call::NotComparable => "not comparable (other cache layouts)",
                    Call::NotSignificant => "apart, but not significant across the lengths",
                };
                format!(
                    "{} {who} (spin÷sleep {} ({}–{}))",
                    fmt_ns(pc.cs_ns),
                    ratio_text(pc.ratio.mid),
                    ratio_text(pc.ratio.lo),
                    ratio_text(pc.ratio.hi)
                )
            })
            .collect();
        let crossing = match &o.verdict {
            breakeven::Verdict::Crossings(cs) => cs
                .iter()
                .map(|x| {
                    format!(
                        "crossing at ~{} (band {})",
                        fmt_ns(x.at_ns),
                        breakeven::fmt_ns_range(x.band_lo_ns, x.band_hi_ns)
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
            v => format!("no crossing beyond noise ({})", v.key().replace('_', " ")),
        };
        shows.push(format!(
            "×{} {}: {}; {crossing}",
            panel.threads,
            if panel.metric == "throughput" {
                "throughput"
            } else {
                "ops per CPU-second"
            },
            calls.join(", ")
        ));
        if panel.metric == "throughput" {
            if panel.threads == c {
                main = Some(o);
            } else if panel.threads == 2 * c {
                over = Some(o);
            }
        } else if panel.threads == c {
            eff = Some(o);
        }
    }
    let Some(main) = main else {
        return missing(
            head,
            &format!("{SPINNER} and {SLEEPER} at ×{c}, think 0"),
            vec![ctx.run.clone()],
        );
    };
    let _ = (eff, over);
    // The grid is what was measured, not what has calls: a length whose trials were all left
    // out is unknown there, like a tie, and does not make the grid coarser.
    let mut grid: Vec<f64> = ctx
        .rows
        .iter()
        .filter(|r| {
            r.threads == c && r.think_ns == 0 && [SPINNER, SLEEPER].contains(&r.primitive.as_str())
        })
        .map(|r| r.cs_ns as f64)
        .collect();
    grid.sort_by(f64::total_cmp);
    grid.dedup();
    let (verdict, reason) = verdict_of(c, main, &grid);
    if !b.handoff_lines.is_empty() {
        // What each side pays to pass the lock on: the trade the break-even is about.
        shows.push(format!(
            "hand-off p50 (release → next owner) over the lengths: {}",
            b.handoff_lines.join("; ")
        ));
    }
    ctx.claim(head, shows.join(". ") + ".", verdict, reason)
}

/// Claim 3's verdict from the throughput panel at C threads (see [`RULE`]).
fn verdict_of(c: usize, main: &breakeven::Outcome, measured: &[f64]) -> (Verdict, String) {
    let (lo_band, hi_band) = BAND_NS;
    let band = breakeven::fmt_ns_range(lo_band, hi_band);
    let grid: Vec<f64> = measured
        .iter()
        .copied()
        .filter(|&x| (50.0..=20_000.0).contains(&x))
        .collect();
    if let Some(w) = grid.windows(2).find(|w| w[1] / w[0] > MAX_STEP) {
        return (
            Verdict::Inconclusive,
            format!(
                "the grid is too coarse to place a crossing within ×2: {} to {} with nothing between.",
                fmt_ns(w[0]),
                fmt_ns(w[1])
            ),
        );
    }
    if grid.is_empty() {
        return (
            Verdict::Inconclusive,
            "no measured length in 50 ns–20 µs.".to_string(),
        );
    }
    let at = |call| -> Vec<f64> {
        main.calls
            .iter()
            .filter(|p| p.call == call)
            .map(|p| p.cs_ns)
            .collect()
    };
    let (spin, sleep) = (at(Call::SpinBetter), at(Call::SleepBetter));
    let list = |v: &[f64]| v.iter().map(|&x| fmt_ns(x)).collect::<Vec<_>>().join(", ");
    let sleep_short: Vec<f64> = sleep.iter().copied().filter(|&x| x <= lo_band).collect();
    let spin_long: Vec<f64> = spin.iter().copied().filter(|&x| x >= hi_band).collect();
    if !sleep_short.is_empty() || !spin_long.is_empty() {
        let mut why = Vec::new();
        if !sleep_short.is_empty() {
            why.push(format!(
                "the sleeping lock is ahead beyond noise at {} (at or below {})",
                list(&sleep_short),
                fmt_ns(lo_band)
            ));
        }
        if !spin_long.is_empty() {
            why.push(format!(
                "the spinning lock is still ahead beyond noise at {} (at or above {})",
                list(&spin_long),
                fmt_ns(hi_band)
            ));
        }
        return (
            Verdict::DoesNotHold,
            format!(
                "on throughput at ×{c} (a CPU per thread) {}: the crossing, if any, lies outside ~1 µs ({band}).",
                why.join(", and ")
            ),
        );
    }
    match (
        spin.iter().copied().reduce(f64::max),
        sleep.iter().copied().reduce(f64::min),
    ) {
        (Some(lo), Some(hi)) if lo < hi => (
            Verdict::Holds,
            format!(
                "on throughput at ×{c} spinning is ahead up to {} and sleeping from {}: the crossing band {} reaches into ~1 µs ({band}).",
                fmt_ns(lo),
                fmt_ns(hi),
                breakeven::fmt_ns_range(lo, hi)
            ),
        ),
        _ => (
            Verdict::Inconclusive,
            format!(
                "on throughput at ×{c} the crossing is not located: {}; more trials or a quieter machine would settle it.",
                match (spin.is_empty(), sleep.is_empty()) {
                    (true, true) if main.count(Call::NotComparable) > 0 => format!(
                        "no length is called, and at {} of {} the two locks ran on cache layouts more than ×1.5 apart (not comparable)",
                        main.count(Call::NotComparable),
                        main.calls.len()
                    ),
                    (true, true) => "no length is beyond noise".to_string(),
                    (false, true) =>
                        format!("spinning is ahead at {} and sleeping nowhere", list(&spin)),
                    (true, false) =>
                        format!("sleeping is ahead at {} and spinning nowhere", list(&sleep)),
                    (false, false) => "the sides alternate".to_string(),
                }
            ),
        ),
    }
}

/// The critical-section lengths of the experiment.
pub(super) fn lengths(preset: Preset) -> Vec<u64> {
    match preset {
        // 500 ns × 2^(k/2) and × 2^k: through both ends of the band, ×√2 and ×2 apart (more
        // than 3 a decade, so a crossing is placed within ×2), the quick grid a subset of the
        // standard one.
        Preset::Quick => (-3..=5)
            .map(|k| (500.0 * 2f64.powi(k)).round() as u64)
            .collect(),
        Preset::Standard => (-6..=10)
            .map(|k| (500.0 * 2f64.powf(f64::from(k) / 2.0)).round() as u64)
            .collect(),
    }
}

/// Claim 3.
pub(crate) struct SpinSleep;

impl TextbookClaim for SpinSleep {
    fn experiment(&self) -> Option<(&'static str, &'static str)> {
        Some((
            ID,
            "spin-ttas-backoff vs futex-mutex over critical-section length, C and 2C",
        ))
    }

    fn plan(&self, preset: Preset, cores: usize) -> Option<SweepSpec> {
        let c = cores.max(1);
        let mut s = spec(preset, &[SPINNER, SLEEPER], vec![c, 2 * c], lengths(preset));
        // Nine or more lengths are called at once and corrected across: disjoint ranges of 3
        // trials a side (p = 0.1 each) survive that only when every length is called, of 5
        // (p = 0.008) whenever they are apart.
        s.trials = s.trials.max(5);
        s.max_trials = s.max_trials.max(s.trials + 3);
        Some(s)
    }

    fn judge(&self, own: Option<Ctx>, _all: &[Measured]) -> Claim {
        spin_sleep(own)
    }
}
