//! Pure rules about trials, apart from the code that measures them: which cache layout a
//! point's trials ran on ([`on_layout`]), which readings and figures make a trial disturbed
//! ([`Signal`], [`trial_signals`], [`sentinel_signals`] under a [`Policy`]), and when one
//! point is ahead of another ([`versus`]). The harness applies them while it measures
//! (`crate::harness::sentinel`); readers of a run apply them again to the rows, so both read
//! one rule.

use crate::stats::MIN_STABLE_TRIALS;
use std::time::Duration;

/// Two readings of the distance between a point's first two CPUs more than this factor apart
/// are different cache layouts: the host moved a vCPU between them. Distances come in levels
/// at least about twice apart (SMT siblings; cores sharing a last-level cache; cores across a
/// die, CCX or socket boundary), while readings within one level vary by a fifth or less; 1.5
/// sits between the two.
pub const LAYOUT_FACTOR: f64 = 1.5;

/// The cache layout most of a point's trials ran on, and which trials ran on it.
/// `readings[i]` holds trial i's distance readings (before and after it; `None` where none
/// was read). Every reading `c` opens a window `[c ÷ 1.5, c × 1.5]` ([`LAYOUT_FACTOR`]); a
/// trial fits a window when all its readings lie in it (one that straddles two levels moved
/// during the trial). The windows that fit the most trials are the layout, and the trials
/// that fit every one of them are on it; when those windows hold different trials (two
/// levels with as many trials each) the intersection is what is kept, which for a true split
/// is nothing, until another trial breaks the tie. A trial off the layout measured a
/// different machine from the point's other trials (a contended point runs 20–40% slower
/// with its CPUs across a cache boundary), so the point's value leaves it out. A trial
/// without a usable reading (none read, or not a positive finite number) is never left out.
/// Returns the lower median reading of the trials on the layout (`None` without any) and
/// the mask.
pub fn on_layout(readings: &[[Option<f64>; 2]]) -> (Option<f64>, Vec<bool>) {
    let per_trial: Vec<Vec<f64>> = readings
        .iter()
        .map(|r| {
            r.iter()
                .flatten()
                .copied()
                .filter(|v| v.is_finite() && *v > 0.0)
                .collect()
        })
        .collect();
    let fits = |c: f64| -> Vec<bool> {
        let window = c / LAYOUT_FACTOR..=c * LAYOUT_FACTOR;
        per_trial
            .iter()
            .map(|r| !r.is_empty() && r.iter().all(|v| window.contains(v)))
            .collect()
    };
    let sets: Vec<Vec<bool>> = per_trial.iter().flatten().map(|&c| fits(c)).collect();
    let size = |set: &Vec<bool>| set.iter().filter(|&&on| on).count();
    let best = sets.iter().map(size).max().unwrap_or(0);
    // Trials in every window that fits the most trials.
    let mut kept = vec![best > 0; readings.len()];
    for set in sets.iter().filter(|s| size(s) == best) {
        for (k, on) in kept.iter_mut().zip(set) {
            *k &= *on;
        }
    }
    let mut on: Vec<f64> = per_trial
        .iter()
        .zip(&kept)
        .filter(|(_, k)| **k)
        .flat_map(|(r, _)| r.iter().copied())
        .collect();
    on.sort_by(f64::total_cmp);
    let layout = (!on.is_empty()).then(|| on[(on.len() - 1) / 2]);
    let mask = per_trial
        .iter()
        .zip(kept)
        .map(|(r, k)| r.is_empty() || k)
        .collect();
    (layout, mask)
}

/// Whether two points' cache layouts (their `layout_ns` readings) are the same machine for a
/// comparison: within [`LAYOUT_FACTOR`] of each other, or either unknown (one CPU, no
/// reading).
pub fn same_layout(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) if a > 0.0 && b > 0.0 => a.max(b) / a.min(b) <= LAYOUT_FACTOR,
        _ => true,
    }
}

/// The equivalence margin of every call between two figures, unless a command is told
/// otherwise (`compare --delta`): a figure is ahead of another only when the interval of
/// their ratio excludes [1 / (1 + δ), 1 + δ]. It is a difference that matters against how
/// much one machine moves between two quiet sittings at the 90th percentile, for the points
/// unflagged and on one layout in back-to-back runs (FINDINGS, "Statistics II", has both
/// vendors' figures; `scripts/repeatability.py` measures your machine's, and a noisy host needs
/// more).
pub const DELTA: f64 = 0.05;

/// One side of a comparison: the median's interval, how many values it rests on, and the
/// cache layout it was measured on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Lower end of the interval.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
    /// Values behind it.
    pub n: usize,
    /// The point's cache layout, ns (`None`: not read).
    pub layout_ns: Option<f64>,
}

/// Where one figure stands against another, higher being better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versus {
    /// Ahead by more than the margin, beyond noise.
    Above,
    /// Behind by more than the margin, beyond noise.
    Below,
    /// Within noise, or within the margin.
    Overlap,
    /// Measured on cache layouts more than [`LAYOUT_FACTOR`] apart: two machines, not called.
    NotComparable,
    /// A side rests on fewer than [`MIN_STABLE_TRIALS`] values: nothing can be called.
    TooFew,
}

/// "Ahead beyond noise", the one rule every call within a run uses (a claim's order, `best`'s
/// lead, the break-even's call at a length) and `compare` adds to its test: both sides rest on
/// at least [`MIN_STABLE_TRIALS`] values, on one cache layout ([`same_layout`]), and the
/// interval of the ratio `a ÷ b` the two intervals allow (a.lo ÷ b.hi … a.hi ÷ b.lo) lies
/// wholly above 1 + `delta` (or below 1 ÷ (1 + `delta`)).
pub fn versus(a: &Estimate, b: &Estimate, delta: f64) -> Versus {
    if a.n < MIN_STABLE_TRIALS || b.n < MIN_STABLE_TRIALS {
        Versus::TooFew
    } else if !same_layout(a.layout_ns, b.layout_ns) {
        Versus::NotComparable
    } else if a.lo > b.hi * (1.0 + delta) {
        Versus::Above
    } else if b.lo > a.hi * (1.0 + delta) {
        Versus::Below
    } else {
        Versus::Overlap
    }
}

/// Default threshold below which a point is flagged degraded.
pub const DEFAULT_THRESHOLD: f64 = crate::record::DEFAULT_SENTINEL_THRESHOLD;
/// One sentinel reading.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    /// Worst CPU's rate together / its rate alone, in (0, ~1]; above 1 means a disturbed
    /// alone leg.
    pub parallel: f64,
    /// Mean single-CPU speed in busy-work units per ns (a frequency or throttling change
    /// shows here).
    pub single_units_per_ns: f64,
    /// The slowest CPU's speed alone, in busy-work units per ns: well below the process's
    /// calibration and below its peers means something else runs there.
    pub slowest_units_per_ns: f64,
    /// The fastest CPU's speed alone.
    pub fastest_units_per_ns: f64,
    /// CPUs the reading covered.
    pub cpus: usize,
    /// One-way core-to-core latency between the first two CPUs, ns (`crate::harness::sentinel::core_to_core_ns` over
    /// `CORE_TO_CORE_TRIAL_BATCHES` batches); `None` for one CPU, unpinned readings, or a
    /// sentinel that does not read distances. See [`on_layout`].
    pub core_to_core_ns: Option<f64>,
}

/// A reason to distrust a trial. Each is named in the row's `degraded_by` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// A sentinel reading (before, during or after) below the threshold: the trial's CPUs
    /// did not all run at full speed in parallel.
    SentinelLow,
    /// A sentinel reading above 1 / threshold: impossible on a quiet machine (an alone leg
    /// was slowed), so the reading itself was disturbed.
    SentinelHigh,
    /// One of the trial's CPUs ran the sentinel's loop alone well below the speed calibrated
    /// at start-up: a busy process (or throttling) on that CPU.
    SlowCpu,
    /// A primitive that never sleeps got less than the threshold of its CPUs' time over the
    /// window (`cpu_share`): something else ran on them.
    CpuShare,
    /// A primitive with no more threads than CPUs, spinning or sleeping, whose threads spent
    /// more than [`RUNQ_LIMIT`] of the window runnable but waiting for a CPU (`runq_share`):
    /// something else ran on their CPUs, if only part of the time.
    Preempted,
    /// Steal time of the trial's CPUs over the window above 1 − threshold of their time (and
    /// at least [`STEAL_MIN_TICKS`] ticks): the hypervisor ran someone else on our vCPUs.
    Steal,
}

impl Signal {
    /// The name used in `degraded_by`.
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::SentinelLow => "sentinel-low",
            Signal::SentinelHigh => "sentinel-high",
            Signal::SlowCpu => "slow-cpu",
            Signal::CpuShare => "cpu-share",
            Signal::Preempted => "preempted",
            Signal::Steal => "steal",
        }
    }

    /// `;`-joined names, as in the `degraded_by` column.
    pub fn join(signals: &[Signal]) -> String {
        signals
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(";")
    }
}

/// What the trial's own data says, for [`trial_signals`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrialConditions {
    /// The primitive busy-waits (or never waits), so it should use all its CPUs' time.
    pub spins: bool,
    /// More threads than CPUs.
    pub oversubscribed: bool,
    /// `cpu_share` of the row.
    pub cpu_share: Option<f64>,
    /// `runq_share` of the row.
    pub runq_share: Option<f64>,
    /// Steal time of the trial's CPUs over the window ÷ (CPUs × window).
    pub steal_share: f64,
    /// That steal time, in scheduler ticks (it is counted in ticks, so one or two ticks on a
    /// short window are noise, not a signal).
    pub steal_ticks: f64,
    /// The mid-trial sentinel reading, if one was taken.
    pub sentinel_during: Option<f64>,
}

/// Steal below this many ticks is never a signal: /proc/stat counts in ticks.
pub const STEAL_MIN_TICKS: f64 = 3.0;

/// Run-queue share above which a trial with no more threads than CPUs was preempted
/// ([`Signal::Preempted`]), for spinners and sleepers alike: above what quiet trials of both
/// vendors read (their 99th percentile) and below what a hog busy 30% of the time on one of two
/// trial CPUs causes (about half its duty, as one of two threads shares its CPU). The figures
/// behind both sides are in FINDINGS ("Interference").
pub const RUNQ_LIMIT: f64 = 0.05;

/// The signals a trial's own data raises (see [`Signal`]).
pub fn trial_signals(c: &TrialConditions, policy: &Policy) -> Vec<Signal> {
    let mut out = Vec::new();
    if let Some(d) = c.sentinel_during {
        out.extend(reading_signals(d, policy));
    }
    if c.spins && c.cpu_share.is_some_and(|s| s < policy.threshold) {
        out.push(Signal::CpuShare);
    }
    // Spinners and sleepers: a thread kept waiting for its CPU was disturbed either way
    // (oversubscribed, the waiting is the time-slicing itself).
    if !c.oversubscribed && c.runq_share.is_some_and(|s| s > RUNQ_LIMIT) {
        out.push(Signal::Preempted);
    }
    if c.steal_share > 1.0 - policy.threshold && c.steal_ticks >= STEAL_MIN_TICKS {
        out.push(Signal::Steal);
    }
    out
}

/// What a parallelism figure alone says: too low, or impossibly high.
fn reading_signals(parallel: f64, policy: &Policy) -> Option<Signal> {
    if parallel < policy.threshold {
        Some(Signal::SentinelLow)
    } else if parallel > 1.0 / policy.threshold {
        Some(Signal::SentinelHigh)
    } else {
        None
    }
}

/// The signals of one sentinel reading taken around a trial.
pub fn sentinel_signals(r: &Reading, policy: &Policy) -> Vec<Signal> {
    let mut out: Vec<Signal> = reading_signals(r.parallel, policy).into_iter().collect();
    // Slow against the calibration *and* against the fastest CPU of the same reading: a busy
    // process on one CPU; a uniform slowdown (throttling, a frequency governor) is not a
    // disturbance of one trial. With one CPU there is no peer to compare with.
    let peers_ok = r.fastest_units_per_ns <= 0.0
        || r.slowest_units_per_ns / r.fastest_units_per_ns >= policy.threshold;
    if let Some(cal) = policy.calibrated_units_per_ns
        && cal > 0.0
        && r.slowest_units_per_ns / cal < policy.threshold
        && (r.cpus <= 1 || !peers_ok)
    {
        out.push(Signal::SlowCpu);
    }
    out
}

/// What to do about degraded readings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    /// A reading below this (or above its inverse) marks the point degraded; so does a CPU
    /// share below it, or a run-queue or steal share above 1 − it.
    pub threshold: f64,
    /// The busy-work calibration of this process (units per ns), against which the
    /// sentinel's slowest CPU is judged; `None` skips that check.
    pub calibrated_units_per_ns: Option<f64>,
    /// Extra attempts for a degraded point.
    pub retries: u32,
    /// Pause before a retry, letting the host settle.
    pub pause: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            threshold: DEFAULT_THRESHOLD,
            calibrated_units_per_ns: None,
            retries: 2,
            pause: Duration::from_millis(100),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn est(lo: f64, hi: f64, n: usize, layout_ns: Option<f64>) -> Estimate {
        Estimate {
            lo,
            hi,
            n,
            layout_ns,
        }
    }

    /// Every outcome of the one rule for calls, the margin and the layouts included.
    #[test]
    fn versus_reaches_every_outcome() {
        let near = Some(27.0);
        let (b, d) = (est(1.0, 4.0, 3, near), DELTA);
        assert_eq!(versus(&est(5.0, 6.0, 3, near), &b, d), Versus::Above);
        assert_eq!(versus(&b, &est(5.0, 6.0, 3, near), d), Versus::Below);
        assert_eq!(
            versus(&est(1.0, 5.0, 3, near), &est(4.0, 6.0, 3, near), d),
            Versus::Overlap
        );
        assert_eq!(versus(&est(5.0, 6.0, 2, near), &b, d), Versus::TooFew);
        // Disjoint, but by less than the margin: 4.1 / 4.0 is 2.5% apart.
        assert_eq!(versus(&est(4.1, 5.0, 3, near), &b, d), Versus::Overlap);
        assert_eq!(versus(&est(4.1, 5.0, 3, near), &b, 0.0), Versus::Above);
        // A spinner at 27 ns against a futex mutex at 108 ns: two machines.
        let far = est(1.0, 4.0, 3, Some(108.0));
        assert_eq!(
            versus(&est(5.0, 6.0, 3, near), &far, d),
            Versus::NotComparable
        );
        // Within the ×1.5 window, or unknown on a side: one machine.
        assert_eq!(versus(&est(5.0, 6.0, 3, Some(38.0)), &b, d), Versus::Above);
        assert_eq!(versus(&est(5.0, 6.0, 3, None), &far, d), Versus::Above);
    }
}
