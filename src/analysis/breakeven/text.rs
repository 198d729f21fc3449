//! The break-even in words: spans of lengths, the verdict line, a curve's description.

use super::*;

/// [`fmt_ns_range`], or the one value when both ends are equal: "80 ns", "1.46–4 ms".
pub fn fmt_ns_span(lo: f64, hi: f64) -> String {
    if lo == hi {
        fmt_ns(lo)
    } else {
        fmt_ns_range(lo, hi)
    }
}

/// "20.2–31.4 µs", or "950 ns–1.2 µs" when the units differ.
pub fn fmt_ns_range(lo: f64, hi: f64) -> String {
    let (a, b) = (fmt_ns(lo), fmt_ns(hi));
    match (a.rsplit_once(' '), b.rsplit_once(' ')) {
        (Some((na, ua)), Some((_, ub))) if ua == ub => format!("{na}–{b}"),
        _ => format!("{a}–{b}"),
    }
}

/// The sentence quoting a probe's spread: "20.2–31.4 µs (p10–p90 of one probe, 500 samples;
/// p50 22.4 µs)".
pub fn fmt_probe(p: &Percentiles) -> String {
    format!(
        "{} (p10–p90 of one probe, {} samples; p50 {})",
        fmt_ns_range(p.p10_ns, p.p90_ns),
        p.samples,
        fmt_ns(p.p50_ns)
    )
}

/// The verdict text of a break-even run: the headline lines, the machine's sleep/wake costs
/// (from the run's probes, when measured, as p10–p90 ranges) and the textbook's claim.
pub fn verdict_text(
    b: &Breakeven,
    spinner: &str,
    headline: &str,
    cpu_model: &str,
    cores: usize,
    wakeup: Option<&Percentiles>,
    same_core_round_trip: Option<&Percentiles>,
) -> String {
    let mut verdict =
        format!("break-even of {headline} vs {spinner} on {cpu_model} ({cores} CPUs):\n");
    for l in &b.lines {
        verdict.push_str(&format!("  {l}\n"));
    }
    verdict.push_str(&format!(
        "A length counts for one side only when the clean trials' ranges (min–max, ≥ {MIN_TRIALS} \
         trials a side, one cache layout) are apart by more than the {:.0}% margin and the call \
         stays significant corrected across the lengths compared (Benjamini–Hochberg, q = 0.1: \
         with 3 trials a side only when every length is called).\nJain: fairness index (1 even, 1/threads: one thread \
         served) of spin and sleep at the lengths the medians cross between.\n",
        crate::rules::DELTA * 100.0
    ));
    if let Some(w) = wakeup {
        verdict.push_str(&format!(
            "one cross-core sleep/wake (futex wake-up latency) here costs {}",
            fmt_probe(w)
        ));
        if let Some(rt) = same_core_round_trip {
            verdict.push_str(&format!(
                "; a same-core context-switch round trip {} (p10–p90)",
                fmt_ns_range(rt.p10_ns, rt.p90_ns)
            ));
        }
        verdict.push_str(".\n");
    }
    if !b.handoff_lines.is_empty() {
        verdict.push_str(
            "Hand-off (a holder's release → the new owner holding the lock and its data, when \
             the lock changes hands; the range over the lengths of each length's median p50): a \
             spinning waiter takes over in a cache-line transfer or two. A sleeping lock's p50 \
             stays far below the wake-up above, which suggests it changes hands mostly to a \
             waiter still awake while sleepers lose their turn to the re-acquiring releaser; \
             the wake-ups show in its p99, in how rarely its hands change, and in CPU-seconds:\n",
        );
        for l in &b.handoff_lines {
            verdict.push_str(&format!("  {l}\n"));
        }
    }
    verdict.push_str("The textbook says spinning stops paying at ~1 µs of hold time.\n");
    verdict
}

/// One outcome in words.
pub fn describe(o: &Outcome, spinner: &str, sleeper: &str, spin: &Curve) -> String {
    let range = match (spin.cs_ns.first(), spin.cs_ns.last()) {
        (Some(a), Some(b)) => fmt_ns_range(*a, *b),
        _ => "the range".into(),
    };
    let m = o.calls.len();
    // Every length not called, whatever kept it from a call (the per-length list says which).
    let ties = o.calls.iter().filter(|c| !c.call.called()).count();
    match &o.verdict {
        Verdict::Crossings(cs) => {
            let mut text = cs
                .iter()
                .map(|c| {
                    let who = if c.direction == Direction::SleepOvertakes {
                        sleeper
                    } else {
                        spinner
                    };
                    let place =
                        if (c.bracket_lo_ns, c.bracket_hi_ns) == (c.band_lo_ns, c.band_hi_ns) {
                            format!("band {}", fmt_ns_range(c.band_lo_ns, c.band_hi_ns))
                        } else {
                            format!(
                                "medians cross in {}, band {}",
                                fmt_ns_range(c.bracket_lo_ns, c.bracket_hi_ns),
                                fmt_ns_range(c.band_lo_ns, c.band_hi_ns)
                            )
                        };
                    let jain = c.jain.map_or(String::new(), |j| {
                        format!(
                            "; Jain spin {}→{}, sleep {}→{}",
                            fmt_jain(j.spin.0),
                            fmt_jain(j.spin.1),
                            fmt_jain(j.sleep.0),
                            fmt_jain(j.sleep.1)
                        )
                    });
                    format!("{who} overtakes at ~{} ({place}{jain})", fmt_ns(c.at_ns))
                })
                .collect::<Vec<_>>()
                .join("; ");
            if ties > 0 {
                let parts = every_call(&o.calls, spinner, sleeper, |c| !c.called());
                text.push_str(&format!("; {parts} ({ties} of {m} lengths not called)"));
            }
            text
        }
        Verdict::SpinWinsThroughout => {
            format!(
                "no crossing in {range}: {spinner} wins throughout (all {m} lengths beyond noise)"
            )
        }
        Verdict::SleepWinsThroughout => {
            format!(
                "no crossing in {range}: {sleeper} wins throughout (all {m} lengths beyond noise)"
            )
        }
        Verdict::NoCrossing => format!(
            "no crossing beyond noise: {} ({ties} of {m} lengths not called)",
            every_call(&o.calls, spinner, sleeper, |_| true)
        ),
        // No length called: say what kept each from a call (ranges overlapping, or apart but
        // not significant once corrected across the lengths: too few trials).
        Verdict::Indistinguishable => format!(
            "undetermined: no length called beyond noise: {} ({ties} of {m} lengths)",
            every_call(&o.calls, spinner, sleeper, |_| true)
        ),
        Verdict::NotComparable => format!(
            "not comparable: at all {m} lengths the two locks ran on cache layouts more than ×1.5 apart"
        ),
        Verdict::Undetermined => "undetermined (too few clean points)".into(),
    }
}

/// Every kind of call the lengths got, each with where: "spin ahead up to 316 ns;
/// indistinguishable 794 ns–1.26 µs; apart, not significant across the lengths from 2 µs on".
fn every_call(
    calls: &[PointCall],
    spinner: &str,
    sleeper: &str,
    keep: impl Fn(Call) -> bool,
) -> String {
    let mut parts: Vec<String> = Vec::new();
    for p in calls.iter().filter(|p| keep(p.call)) {
        let part = match p.call {
            Call::SpinBetter => format!("{spinner} ahead"),
            Call::SleepBetter => format!("{sleeper} ahead"),
            Call::Indistinguishable => "indistinguishable".into(),
            Call::TooFew => format!("too few clean trials (< {MIN_TRIALS} a side)"),
            Call::NotComparable => "not comparable (other cache layouts)".into(),
            Call::NotSignificant => "apart, not significant across the lengths".into(),
        };
        let part = format!("{part} {}", spans(calls, p.call));
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    parts.join("; ")
}

fn fmt_jain(j: f64) -> String {
    if j.is_finite() {
        format!("{j:.2}")
    } else {
        "?".into()
    }
}

/// Where `call` holds, as runs of neighbouring lengths: "at 2 µs", "up to 585 ns",
/// "from 1.15 µs on", "39–298 ns", joined by ", ".
fn spans(calls: &[PointCall], call: Call) -> String {
    let last = calls.len().saturating_sub(1);
    let mut out = Vec::new();
    let mut i = 0;
    while i < calls.len() {
        if calls[i].call != call {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < last && calls[j + 1].call == call {
            j += 1;
        }
        let (a, b) = (calls[i].cs_ns, calls[j].cs_ns);
        out.push(if i == j {
            format!("at {}", fmt_ns(a))
        } else if i == 0 && j == last {
            "throughout".into()
        } else if j == last {
            format!("from {} on", fmt_ns(a))
        } else if i == 0 {
            format!("up to {}", fmt_ns(b))
        } else {
            fmt_ns_range(a, b)
        });
        i = j + 1;
    }
    out.join(", ")
}
