//! Claim 2: A context switch costs ~1–10 µs. Its verdict follows [`RULE`].

use super::prelude::*;
use crate::probes::{Percentiles, Probes};

/// The verdict's rule, written before the data.
pub(crate) const RULE: &str = "The quantity is the switch: the same-core futex round trip of the \
    host probes ÷ 2 (a round trip is two switches: one thread hands the CPU to the other and \
    back), its p50 the median over the probe readings of every experiment's meta.json (one \
    each). \"~1–10 µs\" is read with a tolerance of ×1.25 at both ends (TOLERANCE): 0.8–12.5 \
    µs. Holds when the p50 lies in that band; does not hold when it lies outside; \
    inconclusive without a reading. The cross-core wake-up (FUTEX_WAKE to the woken thread \
    running on another, idle CPU: on a VM mostly the cost of waking an idle vCPU) is reported \
    beside it and not judged: it is a wake-up latency, not a switch.";

/// The chapter's context-switch range, ns.
pub(crate) const SWITCH_RANGE_NS: (f64, f64) = (1_000.0, 10_000.0);

/// How far outside the chapter's range a \"~\" figure may lie: ×1.25 at either end.
pub(crate) const TOLERANCE: f64 = 1.25;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// "p50 2 µs (p10–p90 …; medians over N probe reading(s) …)" of `readings`, and the median p50.
fn describe(what: &str, readings: &[Percentiles]) -> (String, f64) {
    let pick = |f: fn(&Percentiles) -> f64| readings.iter().map(f).collect::<Vec<f64>>();
    let (mut p10, mut p50, mut p90) = (pick(|p| p.p10_ns), pick(|p| p.p50_ns), pick(|p| p.p90_ns));
    let (min50, max50) = (
        p50.iter().copied().fold(f64::INFINITY, f64::min),
        p50.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    );
    let (m10, m50, m90) = (median(&mut p10), median(&mut p50), median(&mut p90));
    (
        format!(
            "{what}: p50 {} (p10–p90 {}; medians over {} probe reading(s) of {} samples each; the readings' p50s span {})",
            fmt_ns(m50),
            crate::analysis::breakeven::fmt_ns_range(m10, m90),
            readings.len(),
            readings[0].samples,
            crate::analysis::breakeven::fmt_ns_range(min50, max50)
        ),
        m50,
    )
}

fn context_switch(inputs: &[Measured]) -> Claim {
    let head = Head {
        id: "2",
        claim: "A context switch costs ~1–10 µs",
        chapter_says: "Mutex overhead: \"Context switch (~1-10μs)\".",
        rule: RULE,
    };
    let with: Vec<&Probes> = inputs.iter().filter_map(|m| m.probes).collect();
    let runs: Vec<String> = inputs
        .iter()
        .filter(|m| m.probes.is_some())
        .map(|m| format!("{} (meta.json probes)", m.run))
        .collect();
    let switches: Vec<Percentiles> = with
        .iter()
        .filter_map(|p| {
            p.same_core_round_trip.map(|rt| Percentiles {
                p50_ns: rt.p50_ns / 2.0,
                p10_ns: rt.p10_ns / 2.0,
                p90_ns: rt.p90_ns / 2.0,
                p99_ns: rt.p99_ns / 2.0,
                samples: rt.samples,
            })
        })
        .collect();
    if switches.is_empty() {
        return missing(head, "no same-core round-trip probe (meta.json)", runs);
    }
    let (switch_text, p50) = describe("per same-core switch (futex round trip ÷ 2)", &switches);
    let wakeups: Vec<Percentiles> = with.iter().filter_map(|p| p.cross_core_wakeup).collect();
    let wakeup_text = if wakeups.is_empty() {
        "cross-core wake-up: not measured (one CPU)".to_string()
    } else {
        describe(
            "cross-core wake-up, reported, not judged (FUTEX_WAKE to the woken thread running on another CPU)",
            &wakeups,
        )
        .0
    };
    let (lo, hi) = (SWITCH_RANGE_NS.0 / TOLERANCE, SWITCH_RANGE_NS.1 * TOLERANCE);
    let band = crate::analysis::breakeven::fmt_ns_range(lo, hi);
    let (verdict, reason) = if (lo..=hi).contains(&p50) {
        (
            Verdict::Holds,
            format!(
                "the switch's p50 {} lies in ~1–10 µs ({band} with the ×{TOLERANCE} tolerance).",
                fmt_ns(p50)
            ),
        )
    } else {
        (
            Verdict::DoesNotHold,
            format!(
                "the switch's p50 {} lies outside ~1–10 µs ({band} with the ×{TOLERANCE} tolerance).",
                fmt_ns(p50)
            ),
        )
    };
    let reason = format!("{reason} The round trip includes the futex syscalls.");
    finish(
        head,
        format!("{switch_text}; {wakeup_text}."),
        verdict,
        reason,
        &[],
        runs,
    )
}

/// Claim 2.
pub(crate) struct ContextSwitch;

impl TextbookClaim for ContextSwitch {
    fn experiment(&self) -> Option<(&'static str, &'static str)> {
        None
    }

    fn plan(&self, _preset: Preset, _cores: usize) -> Option<SweepSpec> {
        None
    }

    fn judge(&self, _own: Option<Ctx>, all: &[Measured]) -> Claim {
        context_switch(all)
    }
}
