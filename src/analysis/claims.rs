//! The textbook chapter's claims (`shared/TEXTBOOK.md` beside the project, "Chapter 36: Concurrency
//! Primitives"), each judged from the runs of one experiment on this machine. Pure: the
//! caller hands in each experiment's rows, its name and its host probes; nothing here reads a
//! file or a clock.
//!
//! # What every verdict rests on
//!
//! A point's figure is the median of its clean trials (not degraded, not timed out) with the
//! median's confidence interval ([`median_ci`] at [`CI_LEVEL`]: the min–max range for up to
//! four trials) and the trial count. When a point has no clean trial its degraded trials that
//! finished are shown instead. Two points differ **beyond noise** only when both have at
//! least [`MIN_STABLE_TRIALS`] trials behind their figures and the two intervals do not
//! overlap (as [`super::best`] decides a lead); otherwise they **tie** (intervals overlap) or
//! the order is **unknown** (too few trials). A ratio of two points (scaling, collapse) is
//! beyond noise when the interval the two intervals allow (`lo_a / hi_b … hi_a / lo_b`) lies
//! wholly on one side of 1.
//!
//! A claim decided by such comparisons (claims 4–8 and 11–14) is **inconclusive** when a
//! figure it used has fewer than [`MIN_STABLE_TRIALS`] trials, whatever the figures lean to
//! (the reason says which way, and that more trials settle it); claim 3 gets the same rule
//! from [`super::breakeven`]'s calls.
//!
//! A point that is flagged ([`Trials::flagged`]: no clean trial, or not stable by the run's
//! target) may be used, but then a claim that would hold only **holds with a caveat**, and
//! the reason names the flagged points. Every contention claim needs ≥ 2 CPUs; with one CPU it
//! is **inconclusive** ("needs ≥ 2 CPUs"). `C` is the experiment's usable CPUs (from its
//! meta.json), `2C` the oversubscribed regime.
//!
//! # The rules, claim by claim
//!
//! 1. **Lost updates** (`racy-counter` vs `fetch-add-counter`, `C` threads, cs 0): holds when
//!    every clean trial of the racy counter lost updates and no trial of fetch_add lost any;
//!    with a caveat when only some racy trials lost updates; does not hold when none did or
//!    fetch_add lost any.
//! 2. **A context switch costs ~1–10 µs** (host probes of every experiment's meta.json, one
//!    reading each; each percentile is the median over the readings): per switch = the
//!    same-core futex round trip ÷ 2 (a round trip is two switches), and the cross-core
//!    wake-up. Holds when both p50s lie in 1–10 µs and so do their p10–p90; with a caveat
//!    when a p10–p90 range leaves 1–10 µs; does not hold when a p50 is outside.
//! 3. **Spin under ~1 µs, sleep beyond** (`spin-ttas-backoff` vs `futex-mutex`, think 0,
//!    through [`super::breakeven::analyse`]), read in three views: throughput at `C` threads,
//!    ops per CPU-second at `C`, throughput at `2C`. A view contradicts the claim when
//!    sleeping is ahead beyond noise below 1 µs or spinning ahead above it, and supports it
//!    when it does not contradict and spinning is ahead below 1 µs or sleeping above (1 µs
//!    itself, the chapter's break-even, may go either way). Holds when all three support;
//!    with a caveat when throughput at `C` supports and another view does not, or when it
//!    contradicts but CPU cost or oversubscription supports (with idle CPUs a spinner's
//!    waiting costs no one throughput; it costs CPU-seconds, and oversubscribed other
//!    threads' time); does not hold when throughput at `C` contradicts and neither other view
//!    supports; inconclusive when throughput at `C` is beyond noise nowhere that matters.
//! 4. **RwLocks pay off for read-heavy data** (`rw-phase-fair`, `std-rwlock` vs `futex-mutex`,
//!    `C` threads, cs 1 µs): at the highest read ratio, holds when every RwLock is ahead of
//!    the mutex beyond noise, with a caveat when only some are; does not hold when none is
//!    ahead and one is behind; otherwise inconclusive. "Where it stops" is the lowest read
//!    ratio at which a RwLock is ahead beyond noise.
//! 5. **Reader/writer preference starves the other side, phase-fair bounds both**
//!    (`rw-reader-pref`, `rw-writer-pref`, `rw-phase-fair`, `C` threads, 90% reads, cs
//!    1 µs; `C` rather than `2C` because all three spin: oversubscribed, a preempted holder
//!    makes every policy's worst wait a scheduler time slice, hiding the policy). Compared
//!    by the worst wait (`*_wait_max_ns`): (a) reader preference's worst write wait above
//!    phase-fair's, (b) writer preference's worst read wait above phase-fair's. Holds when
//!    both are beyond noise; with a caveat when one is and the other ties; does not hold when
//!    phase-fair is worse beyond noise on either; otherwise inconclusive.
//! 6. **FIFO locks are fair; oversubscribed they collapse** (`spin-ticket`, `spin-mcs` vs
//!    `spin-tas`, cs 250 ns): fair = every thread got at least [`FAIR_SHARE`] of an even share
//!    (`min_share × threads`) at `C`; collapse = throughput at `2C` ÷ at `C`. Holds when both
//!    FIFO locks are fair at `C` and collapse more than TAS beyond noise; with a caveat when
//!    fair but the collapse is not beyond noise worse than TAS's; does not hold when a FIFO
//!    lock is unfair at `C`.
//! 7. **Striping reduces contention** (`striped-mutex` 16 vs 1 stripe, `C` threads, cs
//!    250 ns, uniform and skewed keys; `coarse-mutex` shown as the reference): holds when 16
//!    stripes are ahead beyond noise with uniform keys and with skewed keys; with a caveat
//!    when only with uniform keys; does not hold when behind with uniform keys; otherwise
//!    inconclusive.
//! 8. **CAS beats a lock under contention; fetch_add always progresses** (`cas-counter`,
//!    `fetch-add-counter` vs `futex-mutex`, `spin-ttas`, cs 0, threads 1, `C`, `2C`): holds
//!    when CAS is ahead of both locks beyond noise at `C` and every fetch_add trial had every
//!    thread complete operations (`min_share > 0`) with no retries; with a caveat when CAS is
//!    ahead of one lock and ties the other; does not hold when CAS is behind a lock beyond
//!    noise at `C` or a fetch_add thread made no progress.
//! 9. **Lock ordering prevents deadlock; try-lock with timeout recovers at a cost**
//!    (`bank-ordered` vs `bank-trylock`, [`BANK_ACCOUNTS`] accounts, `C` and `2C`): a
//!    deadlock would be a timed-out trial, a broken transfer an error with no row. Does not
//!    hold when a trial timed out or a point has no row; holds when the try-lock's
//!    throughput is behind ordering's beyond noise somewhere; with a caveat when the cost
//!    stays within noise (or the try-lock is ahead).
//! 10. **A semaphore bounds concurrency** (`futex-semaphore`, `condvar-semaphore`, permits 1,
//!     2, 4, `2C` threads): the harness counts holders in every operation and a count above
//!     the permits is an error with no row, so rows without timeouts at every permit count
//!     mean the bound held: holds; a missing point or a timeout: inconclusive.
//! 11. **The condition-variable bounded queue is a sound producer–consumer with low
//!     overhead** (`condvar-queue` vs `std-sync-channel`, `crossbeam-channel`, 2 and `2C`
//!     threads): rows exist only if every item arrived exactly once, in order. Holds when the
//!     condvar queue is not behind both channels beyond noise in items/s at any thread count;
//!     with a caveat when it is; inconclusive when a point is missing.
//! 12. **A barrier phase is cheap; spinning is cheaper while every thread has a CPU**
//!     (`sense-barrier` vs `std-barrier`, `C` and `2C`): time per phase = threads ÷
//!     throughput. Holds when the spinning barrier's phase is shorter beyond noise at `C`;
//!     with a caveat when it is longer beyond noise at `2C`; does not hold when longer at
//!     `C`; otherwise inconclusive.
//! 13. **A global lock serializes, finer locks scale** (`coarse-mutex`, `striped-mutex` 16
//!     stripes, `sharded-counter`, cs 0, threads 1, `C`, `2C`): scaling = throughput at `C` ÷
//!     at 1. Holds when the coarse lock does not scale beyond noise above 1, the sharded
//!     counter does, and the striped table scales better than the coarse lock (medians);
//!     with a caveat when the striped table does not; does not hold when the coarse lock
//!     scales beyond noise or the sharded counter does not.
//! 14. **A reentrant lock has slightly more overhead** (`reentrant-mutex` vs `futex-mutex`, 1
//!     thread, cs 0; each reentrant op locks, re-enters once and unlocks twice): holds when
//!     it is slower beyond noise; does not hold when faster beyond noise; otherwise
//!     inconclusive.

use super::aggregate::{Trials, points};
use super::breakeven::{self, Call};
use crate::probes::{Percentiles, Probes};
use crate::record::RunRecord;
use crate::stats::{CI_LEVEL, MIN_STABLE_TRIALS, MedianCi, median_ci};
use crate::units::{fmt_ns, fmt_rate};
use std::cell::{Cell, RefCell};

/// Experiment ids: the directory names under a claims run, one per experiment.
pub mod ids {
    /// Claim 1.
    pub const LOST_UPDATES: &str = "01-lost-updates";
    /// Claim 3.
    pub const SPIN_SLEEP: &str = "03-spin-vs-sleep";
    /// Claim 4.
    pub const RWLOCK_READS: &str = "04-rwlock-read-ratio";
    /// Claim 5.
    pub const RW_POLICY: &str = "05-rwlock-policies";
    /// Claim 6.
    pub const FIFO: &str = "06-fifo-fairness";
    /// Claim 7.
    pub const STRIPING: &str = "07-striping";
    /// Claim 8.
    pub const LOCK_FREE: &str = "08-lock-free";
    /// Claim 9.
    pub const DEADLOCK: &str = "09-deadlock";
    /// Claim 10.
    pub const SEMAPHORE: &str = "10-semaphore";
    /// Claim 11.
    pub const QUEUE: &str = "11-queue";
    /// Claim 12.
    pub const BARRIER: &str = "12-barrier";
    /// Claim 13.
    pub const GLOBAL_LOCK: &str = "13-global-lock";
    /// Claim 14.
    pub const REENTRANT: &str = "14-reentrant";
}

/// The fraction of an even share every thread must get for a lock to count as fair (claim
/// 6): `min_share × threads ≥ FAIR_SHARE`.
pub const FAIR_SHARE: f64 = 0.8;

/// Accounts of the bank experiment (claim 9).
pub const BANK_ACCOUNTS: usize = 8;

/// Critical-section length the chapter puts the spin/sleep break-even at (claim 3), ns.
pub const CHAPTER_BREAKEVEN_NS: u64 = 1_000;

/// The chapter's context-switch range (claim 2), ns.
pub const SWITCH_RANGE_NS: (f64, f64) = (1_000.0, 10_000.0);

/// A claim's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The data bear the claim out.
    Holds,
    /// They do, with a reservation the reason states (a flagged point, another regime).
    HoldsWithCaveat,
    /// They contradict it.
    DoesNotHold,
    /// They cannot decide; the reason says what would.
    Inconclusive,
}

impl Verdict {
    /// "holds", "holds with a caveat", "does not hold here", "inconclusive".
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::HoldsWithCaveat => "holds with a caveat",
            Verdict::DoesNotHold => "does not hold here",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// One judged claim.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    /// Its number, "1" … "14".
    pub id: &'static str,
    /// The claim in a few words.
    pub claim: &'static str,
    /// What the chapter says, quoted or paraphrased.
    pub chapter_says: &'static str,
    /// What this machine shows: figures with their spread and units.
    pub shows: String,
    /// The verdict.
    pub verdict: Verdict,
    /// Why, and for an inconclusive claim what would settle it.
    pub reason: String,
    /// The runs the verdict rests on ("<experiment dir> (run <id>)").
    pub runs: Vec<String>,
}

/// One experiment's data, as read back from its run directory.
#[derive(Debug, Clone, Copy)]
pub struct Measured<'a> {
    /// The experiment id (an [`ids`] constant).
    pub id: &'a str,
    /// How to name its run in a verdict: directory name and run id.
    pub run: &'a str,
    /// Its rows.
    pub rows: &'a [RunRecord],
    /// The host probes from its meta.json.
    pub probes: Option<&'a Probes>,
    /// Usable CPUs when it ran (`C`).
    pub cores: usize,
}

/// Judges every claim from `inputs` (any order; missing experiments make their claims
/// inconclusive).
pub fn judge(inputs: &[Measured]) -> Vec<Claim> {
    let find = |id: &str| inputs.iter().find(|m| m.id == id).map(Ctx::new);
    vec![
        lost_updates(find(ids::LOST_UPDATES)),
        context_switch(inputs),
        spin_sleep(find(ids::SPIN_SLEEP)),
        rwlock_reads(find(ids::RWLOCK_READS)),
        rw_policy(find(ids::RW_POLICY)),
        fifo(find(ids::FIFO)),
        striping(find(ids::STRIPING)),
        lock_free(find(ids::LOCK_FREE)),
        deadlock(find(ids::DEADLOCK)),
        semaphore(find(ids::SEMAPHORE)),
        queue(find(ids::QUEUE)),
        barrier(find(ids::BARRIER)),
        global_lock(find(ids::GLOBAL_LOCK)),
        reentrant(find(ids::REENTRANT)),
    ]
}

/// One experiment's points, and the flagged points a claim used.
struct Ctx<'a> {
    pts: Vec<Trials<'a>>,
    rows: &'a [RunRecord],
    cores: usize,
    run: String,
    flagged: RefCell<Vec<String>>,
    fewest: Cell<usize>,
    /// p90 of the cross-core futex wake-up probe of this experiment's run, ns.
    wakeup_p90: Option<f64>,
}

impl<'a> Ctx<'a> {
    fn new(m: &Measured<'a>) -> Ctx<'a> {
        Ctx {
            pts: points(m.rows),
            rows: m.rows,
            cores: m.cores.max(1),
            run: m.run.to_string(),
            flagged: RefCell::new(Vec::new()),
            fewest: Cell::new(usize::MAX),
            wakeup_p90: m
                .probes
                .and_then(|p| p.cross_core_wakeup.as_ref())
                .map(|w| w.p90_ns),
        }
    }

    /// The point of `primitive` at `threads` whose row satisfies `pred`; a flagged one is
    /// remembered for the verdict.
    fn point(
        &self,
        primitive: &str,
        threads: usize,
        pred: impl Fn(&RunRecord) -> bool,
    ) -> Option<&Trials<'a>> {
        let p = self.pts.iter().find(|p| {
            p.primitive() == primitive && p.first().threads == threads && pred(p.first())
        })?;
        if let Some(f) = p.flag() {
            let what = format!("{primitive} ×{threads} ({})", f.as_str());
            let mut v = self.flagged.borrow_mut();
            if !v.contains(&what) {
                v.push(what);
            }
        }
        Some(p)
    }

    /// [`ci_of`], remembering the fewest trials behind a figure the claim used.
    fn ci(&self, p: &Trials, metric: impl Fn(&RunRecord) -> f64) -> Option<MedianCi> {
        let c = ci_of(p, metric)?;
        self.fewest.set(self.fewest.get().min(c.n));
        Some(c)
    }

    /// A claim whose verdict rests on beyond-noise calls: with fewer than
    /// [`MIN_STABLE_TRIALS`] trials behind a figure it used, it is inconclusive (the reason
    /// keeps what the figures lean to).
    fn noisy_claim(&self, head: Head, shows: String, verdict: Verdict, reason: String) -> Claim {
        let n = self.fewest.get();
        if n < MIN_STABLE_TRIALS {
            let settle = format!(
                "only {n} trial(s) behind some figures: a call beyond noise needs ≥ {MIN_STABLE_TRIALS} a side; re-run with --trials {MIN_STABLE_TRIALS} or more to settle it."
            );
            let reason = if verdict == Verdict::Inconclusive {
                settle
            } else {
                // The rule read the medians' lean, not calls beyond noise: say so.
                format!(
                    "{settle} The medians lean to “{}”: {}",
                    verdict.as_str(),
                    reason.replace("beyond noise", "by the medians")
                )
            };
            return self.claim(head, shows, Verdict::Inconclusive, reason);
        }
        self.claim(head, shows, verdict, reason)
    }

    /// A claim from this experiment: the verdict capped by flagged points.
    fn claim(&self, head: Head, shows: String, verdict: Verdict, reason: String) -> Claim {
        finish(
            head,
            shows,
            verdict,
            reason,
            &self.flagged.borrow(),
            vec![self.run.clone()],
        )
    }
}

/// The fixed text of a claim.
struct Head {
    id: &'static str,
    claim: &'static str,
    chapter_says: &'static str,
}

fn finish(
    head: Head,
    shows: String,
    verdict: Verdict,
    mut reason: String,
    flagged: &[String],
    runs: Vec<String>,
) -> Claim {
    let verdict = if verdict == Verdict::Holds && !flagged.is_empty() {
        Verdict::HoldsWithCaveat
    } else {
        verdict
    };
    if !flagged.is_empty() {
        reason.push_str(&format!(
            " Flagged points used (no clean trial, or not stable by the run's target): {}.",
            flagged.join(", ")
        ));
    }
    Claim {
        id: head.id,
        claim: head.claim,
        chapter_says: head.chapter_says,
        shows,
        verdict,
        reason,
        runs,
    }
}

fn missing(head: Head, what: &str, runs: Vec<String>) -> Claim {
    finish(
        head,
        format!("no data: {what}"),
        Verdict::Inconclusive,
        format!("{what}; measure it (lockbench claims) to settle the claim."),
        &[],
        runs,
    )
}

fn one_cpu(head: Head, ctx: &Ctx) -> Claim {
    ctx.claim(
        head,
        format!("{} usable CPU: no two threads run at once", ctx.cores),
        Verdict::Inconclusive,
        "needs ≥ 2 CPUs: with one, threads only take turns, so contention is the scheduler's."
            .into(),
    )
}

/// `metric`'s median and interval over a point's clean trials (its finished degraded ones
/// when it has none).
fn ci_of(p: &Trials, metric: impl Fn(&RunRecord) -> f64) -> Option<MedianCi> {
    median_ci(&p.measured_values(metric), CI_LEVEL)
}

/// "1.20 Mops/s (1.10 Mops/s – 1.30 Mops/s, 3 trials)".
fn show(c: &MedianCi, f: impl Fn(f64) -> String) -> String {
    if c.n == 1 {
        return format!("{} (1 trial)", f(c.median));
    }
    format!(
        "{} ({} – {}, {} trials)",
        f(c.median),
        f(c.lo),
        f(c.hi),
        c.n
    )
}

fn rate(v: f64) -> String {
    fmt_rate(v)
}

/// "×1.42"; small ratios keep two significant digits ("×0.0021", "×2.0e-4").
fn ratio_text(v: f64) -> String {
    if v >= 0.1 || v == 0.0 || !v.is_finite() {
        format!("×{v:.2}")
    } else if v >= 0.001 {
        format!("×{v:.4}")
    } else {
        format!("×{v:.1e}")
    }
}

/// Where one figure stands against another, higher being better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    Ahead,
    Behind,
    Tie,
    Unknown,
}

fn order(a: &MedianCi, b: &MedianCi) -> Order {
    if a.n < MIN_STABLE_TRIALS || b.n < MIN_STABLE_TRIALS {
        Order::Unknown
    } else if a.lo > b.hi {
        Order::Ahead
    } else if a.hi < b.lo {
        Order::Behind
    } else {
        Order::Tie
    }
}

fn order_text(o: Order, a: &MedianCi, b: &MedianCi) -> String {
    let r = a.median / b.median;
    match o {
        Order::Ahead => format!("ahead beyond noise ({})", ratio_text(r)),
        Order::Behind => format!("behind beyond noise ({})", ratio_text(r)),
        Order::Tie => format!("tie ({}, within noise)", ratio_text(r)),
        Order::Unknown => format!("{} (too few trials to tell from noise)", ratio_text(r)),
    }
}

/// The order a verdict's rule reads: `o`, or, when the trials are too few to call it, the
/// side the medians lean to (such a verdict is made inconclusive by `Ctx::noisy_claim`,
/// which keeps the lean in its reason).
fn lean(o: Order, a: f64, b: f64) -> Order {
    match o {
        Order::Unknown if a > b => Order::Ahead,
        Order::Unknown if a < b => Order::Behind,
        Order::Unknown => Order::Tie,
        known => known,
    }
}

/// The ratio a ÷ b with the interval the two intervals allow, and whether it lies beyond
/// noise above (`Ahead`) or below (`Behind`) 1.
fn ratio(a: &MedianCi, b: &MedianCi) -> (MedianCi, Order) {
    let tiny = 1e-300;
    let r = MedianCi {
        median: a.median / b.median.max(tiny),
        lo: a.lo / b.hi.max(tiny),
        hi: a.hi / b.lo.max(tiny),
        level: a.level.min(b.level),
        n: a.n.min(b.n),
    };
    let o = if r.n < MIN_STABLE_TRIALS {
        Order::Unknown
    } else if r.lo > 1.0 {
        Order::Ahead
    } else if r.hi < 1.0 {
        Order::Behind
    } else {
        Order::Tie
    };
    (r, o)
}

fn show_ratio(r: &MedianCi) -> String {
    format!(
        "{} ({}–{})",
        ratio_text(r.median),
        ratio_text(r.lo),
        ratio_text(r.hi)
    )
}

fn thr(r: &RunRecord) -> f64 {
    r.throughput_ops_s
}

// ---------------------------------------------------------------- 1

fn lost_updates(ctx: Option<Ctx>) -> Claim {
    let head = Head {
        id: "1",
        claim: "Unsynchronized increments lose updates",
        chapter_says: "A read-modify-write without synchronization loses updates (\"at 10,000 RPS, you're losing hundreds of updates per second\").",
    };
    let Some(ctx) = ctx else {
        return missing(head, &format!("no {} run", ids::LOST_UPDATES), vec![]);
    };
    if ctx.cores < 2 {
        return one_cpu(head, &ctx);
    }
    let c = ctx.cores;
    let (Some(racy), Some(fa)) = (
        ctx.point("racy-counter", c, |_| true),
        ctx.point("fetch-add-counter", c, |_| true),
    ) else {
        return missing(
            head,
            &format!("racy-counter or fetch-add-counter ×{c}"),
            vec![ctx.run.clone()],
        );
    };
    // The harness counts lost updates over every increment of the trial, warm-up included
    // (the counter is read once, at the end), so both figures divide by warm-up + window.
    let span_s = |r: &RunRecord| r.elapsed_s + r.warmup_ms / 1e3;
    let per_s = |r: &RunRecord| {
        if span_s(r) > 0.0 {
            r.lost_updates as f64 / span_s(r)
        } else {
            0.0
        }
    };
    let (Some(lost), Some(count)) = (ctx.ci(racy, per_s), ctx.ci(racy, |r| r.lost_updates as f64))
    else {
        return missing(
            head,
            "racy-counter has no finished trial",
            vec![ctx.run.clone()],
        );
    };
    let racy_trials = racy.measured_values(|r| r.lost_updates as f64);
    let losing = racy_trials.iter().filter(|&&v| v > 0.0).count();
    let fa_lost: u64 = fa
        .trials
        .iter()
        .filter(|r| !r.timed_out)
        .map(|r| r.lost_updates)
        .sum();
    let shows = format!(
        "racy-counter ×{c}: {} lost updates per trial, ≈ {} lost updates/s (per second of warm-up + window: the harness counts losses over the whole trial); {losing} of {} trial(s) lost updates. fetch-add-counter ×{c}: {fa_lost} updates lost over {} trial(s).",
        show(&count, crate::units::si),
        show(&lost, crate::units::si),
        racy_trials.len(),
        fa.trials.len()
    );
    let (verdict, reason) = if fa_lost > 0 {
        (
            Verdict::DoesNotHold,
            "fetch_add lost updates: an atomic RMW must not (a harness or hardware fault).".into(),
        )
    } else if losing == racy_trials.len() && losing > 0 {
        (
            Verdict::Holds,
            "every racy trial lost updates; the atomic fetch_add lost none.".into(),
        )
    } else if losing > 0 {
        (
            Verdict::HoldsWithCaveat,
            "only some racy trials lost updates: the race depends on timing.".into(),
        )
    } else {
        (
            Verdict::DoesNotHold,
            "no racy trial lost an update in its window.".into(),
        )
    };
    ctx.claim(head, shows, verdict, reason)
}

// ---------------------------------------------------------------- 2

fn context_switch(inputs: &[Measured]) -> Claim {
    let head = Head {
        id: "2",
        claim: "A context switch costs ~1–10 µs",
        chapter_says: "Mutex overhead: \"Context switch (~1-10μs)\".",
    };
    let with: Vec<&Measured> = inputs.iter().filter(|m| m.probes.is_some()).collect();
    if with.is_empty() {
        return missing(head, "no run with host probes (meta.json)", vec![]);
    }
    let runs: Vec<String> = with
        .iter()
        .map(|m| format!("{} (meta.json probes)", m.run))
        .collect();
    // One probe reading per experiment: each figure is the median over the readings of each
    // percentile, and the readings' p50s give its spread from run to run.
    let per_switch = |p: &Probes| {
        p.same_core_round_trip.map(|rt| Percentiles {
            p50_ns: rt.p50_ns / 2.0,
            p10_ns: rt.p10_ns / 2.0,
            p90_ns: rt.p90_ns / 2.0,
            p99_ns: rt.p99_ns / 2.0,
            samples: rt.samples,
        })
    };
    /// A probe figure: short name, what it is, how to read it.
    type Figure = (
        &'static str,
        &'static str,
        fn(&Probes) -> Option<Percentiles>,
    );
    let kinds: [Figure; 2] = [
        (
            "per same-core switch",
            "same-core futex round trip ÷ 2 (a round trip is two switches)",
            per_switch,
        ),
        (
            "cross-core wake-up",
            "cross-core wake-up (FUTEX_WAKE to the woken thread running: a switch plus the wake-up IPI)",
            |p| p.cross_core_wakeup,
        ),
    ];
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    };
    let (lo, hi) = SWITCH_RANGE_NS;
    let inside = |v: f64| (lo..=hi).contains(&v);
    let mut shows = Vec::new();
    let (mut out_p50, mut out_spread, mut ok) = (Vec::new(), Vec::new(), Vec::new());
    for (name, what, get) in kinds {
        let readings: Vec<Percentiles> = with.iter().filter_map(|m| get(m.probes?)).collect();
        if readings.is_empty() {
            shows.push(format!("{what}: not measured (one CPU)"));
            continue;
        }
        let pick = |f: fn(&Percentiles) -> f64| readings.iter().map(f).collect::<Vec<f64>>();
        let (mut p10, mut p50, mut p90) =
            (pick(|p| p.p10_ns), pick(|p| p.p50_ns), pick(|p| p.p90_ns));
        let (min50, max50) = (
            p50.iter().copied().fold(f64::INFINITY, f64::min),
            p50.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        );
        let (m10, m50, m90) = (median(&mut p10), median(&mut p50), median(&mut p90));
        shows.push(format!(
            "{what}: p50 {} (p10–p90 {}; medians over {} probe reading(s) of {} samples each; the readings' p50s span {})",
            fmt_ns(m50),
            breakeven::fmt_ns_range(m10, m90),
            readings.len(),
            readings[0].samples,
            breakeven::fmt_ns_range(min50, max50)
        ));
        if !inside(m50) {
            out_p50.push(format!("{name} ({})", fmt_ns(m50)));
        } else if !inside(m10) || !inside(m90) {
            out_spread.push(name);
        } else {
            ok.push(name);
        }
    }
    if out_p50.is_empty() && out_spread.is_empty() && ok.is_empty() {
        return missing(head, "the same-core round-trip probe", runs);
    }
    let (verdict, reason) = if !out_p50.is_empty() {
        (
            Verdict::DoesNotHold,
            format!(
                "the p50 of {} lies outside 1–10 µs{}.",
                out_p50.join(" and "),
                if ok.is_empty() && out_spread.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; {} lies inside",
                        [ok.clone(), out_spread.clone()].concat().join(" and ")
                    )
                }
            ),
        )
    } else if !out_spread.is_empty() {
        (
            Verdict::HoldsWithCaveat,
            format!(
                "the p50s lie in 1–10 µs, but the p10–p90 range of {} leaves it.",
                out_spread.join(" and ")
            ),
        )
    } else {
        (
            Verdict::Holds,
            "the p50s and their p10–p90 ranges lie in 1–10 µs.".to_string(),
        )
    };
    let reason = format!("{reason} The round trip includes the futex syscalls.");
    finish(head, shows.join("; ") + ".", verdict, reason, &[], runs)
}

// ---------------------------------------------------------------- 3

const SPINNER: &str = "spin-ttas-backoff";
const SLEEPER: &str = "futex-mutex";

fn spin_sleep(ctx: Option<Ctx>) -> Claim {
    let head = Head {
        id: "3",
        claim: "Spinlocks win under ~1 µs of hold time, sleeping locks beyond",
        chapter_says: "\"Short hold time (< 1μs): Spinlock wins\"; \"Long hold time (> 10μs): Mutex wins\"; \"The break-even point is around 1μs\".",
    };
    let Some(ctx) = ctx else {
        return missing(head, &format!("no {} run", ids::SPIN_SLEEP), vec![]);
    };
    if ctx.cores < 2 {
        return one_cpu(head, &ctx);
    }
    let c = ctx.cores;
    // Mark flagged points the verdict uses.
    for p in &ctx.pts {
        if p.first().think_ns == 0 {
            let _ = ctx.point(p.primitive(), p.first().threads, |r| {
                r.cs_ns == p.first().cs_ns && r.think_ns == 0
            });
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
    let (verdict, reason) = spin_sleep_verdict(c, main, eff, over);
    if !b.handoff_lines.is_empty() {
        // What each side pays to pass the lock on: the trade the break-even is about.
        shows.push(format!(
            "hand-off p50 (release → next owner) over the lengths: {}",
            b.handoff_lines.join("; ")
        ));
    }
    ctx.claim(head, shows.join(". ") + ".", verdict, reason)
}

/// How one break-even panel reads against the chapter's ~1 µs: it contradicts the claim when
/// sleeping is ahead beyond noise below 1 µs or spinning ahead above it; it supports it when
/// it does not contradict and spinning is ahead below 1 µs or sleeping above (1 µs itself may
/// go either way).
fn view(o: &breakeven::Outcome) -> (bool, bool) {
    let below = |call| {
        o.calls
            .iter()
            .any(|p| p.cs_ns < CHAPTER_BREAKEVEN_NS as f64 && p.call == call)
    };
    let above = |call| {
        o.calls
            .iter()
            .any(|p| p.cs_ns > CHAPTER_BREAKEVEN_NS as f64 && p.call == call)
    };
    let contradicts = below(Call::SleepBetter) || above(Call::SpinBetter);
    let supports = !contradicts && (below(Call::SpinBetter) || above(Call::SleepBetter));
    (contradicts, supports)
}

/// Claim 3's verdict from three views: throughput with a CPU per thread (`main`), ops per
/// CPU-second there (`eff`), throughput oversubscribed (`over`). All three support → holds;
/// `main` supports, another does not → holds with a caveat; `main` contradicts but CPU cost
/// or oversubscription supports → holds with a caveat (with idle CPUs a spinner's waiting
/// costs no one throughput, but it costs CPU-seconds and, oversubscribed, other threads'
/// time); `main` contradicts and neither supports → does not hold; `main` neither →
/// inconclusive.
fn spin_sleep_verdict(
    c: usize,
    main: &breakeven::Outcome,
    eff: Option<&breakeven::Outcome>,
    over: Option<&breakeven::Outcome>,
) -> (Verdict, String) {
    let (m_contra, m_support) = view(main);
    let e = eff.map(view);
    let o = over.map(view);
    let supports = |v: Option<(bool, bool)>| v.is_some_and(|v| v.1);
    let others: Vec<String> = [
        (e, "per CPU-second at ×{c}".replace("{c}", &c.to_string())),
        (o, format!("throughput at ×{} (oversubscribed)", 2 * c)),
    ]
    .into_iter()
    .filter(|(v, _)| supports(*v))
    .map(|(_, what)| what)
    .collect();
    if m_contra {
        let why = if main
            .calls
            .iter()
            .any(|p| p.cs_ns < CHAPTER_BREAKEVEN_NS as f64 && p.call == Call::SleepBetter)
        {
            "the sleeping lock is ahead beyond noise below 1 µs"
        } else {
            "the spinning lock is still ahead beyond noise above 1 µs: with a CPU per thread its waiting takes nothing from anyone"
        };
        if others.is_empty() {
            (
                Verdict::DoesNotHold,
                format!(
                    "on throughput at ×{c} (threads = CPUs) {why}, and neither CPU cost nor oversubscription bears the claim out."
                ),
            )
        } else {
            (
                Verdict::HoldsWithCaveat,
                format!(
                    "on throughput at ×{c} (threads = CPUs) {why}; the chapter's ~1 µs shows in {} (spinning ahead below 1 µs or sleeping ahead above it beyond noise, nothing the other way).",
                    others.join(" and ")
                ),
            )
        }
    } else if !m_support {
        (
            Verdict::Inconclusive,
            format!(
                "at ×{c} no length below 1 µs is beyond noise; more trials or a quieter machine would settle it."
            ),
        )
    } else if others.len() == 2 {
        (
            Verdict::Holds,
            format!(
                "spinning is ahead below 1 µs or sleeping above it beyond noise, and nothing the other way, on throughput and per CPU-second at ×{c} and on throughput at ×{}.",
                2 * c
            ),
        )
    } else {
        (
            Verdict::HoldsWithCaveat,
            format!(
                "on throughput at ×{c} spinning is ahead below 1 µs or sleeping above it beyond noise, and nothing the other way; not in every other view (it shows in: {}).",
                if others.is_empty() {
                    "none of the others".to_string()
                } else {
                    others.join(", ")
                }
            ),
        )
    }
}

// ---------------------------------------------------------------- 4

/// The RwLocks of claim 4.
pub const RWLOCKS: [&str; 2] = ["rw-phase-fair", "std-rwlock"];

fn rwlock_reads(ctx: Option<Ctx>) -> Claim {
    let head = Head {
        id: "4",
        claim: "RwLocks pay off for read-heavy data",
        chapter_says: "\"Optimizes for read-heavy workloads by allowing multiple concurrent readers\"; use case \"Read-heavy caches\", overhead \"Medium\".",
    };
    let Some(ctx) = ctx else {
        return missing(head, &format!("no {} run", ids::RWLOCK_READS), vec![]);
    };
    if ctx.cores < 2 {
        return one_cpu(head, &ctx);
    }
    let c = ctx.cores;
    let Some(mutex) = ctx.point(SLEEPER, c, |_| true).and_then(|p| ctx.ci(p, thr)) else {
        return missing(head, &format!("{SLEEPER} ×{c}"), vec![ctx.run.clone()]);
    };
    let mut ratios: Vec<f64> = ctx.rows.iter().filter_map(|r| r.read_ratio).collect();
    ratios.sort_by(f64::total_cmp);
    ratios.dedup();
    let Some(&top) = ratios.last() else {
        return missing(head, "RwLock points", vec![ctx.run.clone()]);
    };
    let mut shows = vec![format!("{SLEEPER} ×{c}: {}", show(&mutex, rate))];
    let mut at_top = Vec::new();
    let mut stops = Vec::new();
    for rw in RWLOCKS {
        let mut parts = Vec::new();
        let mut lowest: Option<f64> = None;
        for &ratio_ in &ratios {
            let Some(p) = ctx.point(rw, c, |r| r.read_ratio == Some(ratio_)) else {
                continue;
            };
            let Some(v) = ctx.ci(p, thr) else { continue };
            let o = order(&v, &mutex);
            let l = lean(o, v.median, mutex.median);
            if l == Order::Ahead && lowest.is_none() {
                lowest = Some(ratio_);
            }
            if ratio_ == top {
                at_top.push((rw, l));
            }
            parts.push(format!(
                "{:.0}% reads {} → {}",
                ratio_ * 100.0,
                show(&v, rate),
                order_text(o, &v, &mutex)
            ));
        }
        stops.push(match lowest {
            Some(l) => format!("{rw} is ahead from {:.0}% reads", l * 100.0),
            None => format!("{rw} is ahead at no read ratio measured"),
        });
        shows.push(format!("{rw} ×{c}: {}", parts.join("; ")));
    }
    let ahead = at_top.iter().filter(|(_, o)| *o == Order::Ahead).count();
    let behind = at_top.iter().filter(|(_, o)| *o == Order::Behind).count();
    let (verdict, mut reason) = if at_top.is_empty() {
        (
            Verdict::Inconclusive,
            "no RwLock point at the highest read ratio; measure it.".to_string(),
        )
    } else if ahead == at_top.len() {
        (
            Verdict::Holds,
            format!(
                "at {:.0}% reads every RwLock beats the mutex beyond noise.",
                top * 100.0
            ),
        )
    } else if ahead > 0 {
        (
            Verdict::HoldsWithCaveat,
            format!(
                "at {:.0}% reads only some RwLocks beat the mutex beyond noise.",
                top * 100.0
            ),
        )
    } else if behind > 0 {
        (
            Verdict::DoesNotHold,
            format!(
                "at {:.0}% reads no RwLock beats the mutex, and one is behind beyond noise.",
                top * 100.0
            ),
        )
    } else {
        (
            Verdict::Inconclusive,
            format!(
                "at {:.0}% reads the RwLocks tie with the mutex; more trials or more CPUs (more parallel readers) would settle it.",
                top * 100.0
            ),
        )
    };
    reason.push_str(&format!(
        " Where it stops: {}. On {c} CPUs at most {c} readers run in parallel, which caps what shared reading can gain.",
        stops.join("; ")
    ));
    ctx.noisy_claim(head, shows.join(". ") + ".", verdict, reason)
}

// ---------------------------------------------------------------- 5

/// The RwLock policies of claim 5: reader-preferring, writer-preferring, phase-fair.
pub const RW_POLICIES: [&str; 3] = ["rw-reader-pref", "rw-writer-pref", "rw-phase-fair"];

fn rw_policy(ctx: Option<Ctx>) -> Claim {
    let head = Head {
        id: "5",
        claim: "Reader preference starves writers, writer preference starves readers, a fair policy bounds both",
        chapter_says: "Reader-preference: \"Writers can starve\"; writer-preference: \"Readers can starve\"; fair: \"More complex, lower throughput\".",
    };
    let Some(ctx) = ctx else {
        return missing(head, &format!("no {} run", ids::RW_POLICY), vec![]);
    };
    if ctx.cores < 2 {
        return one_cpu(head, &ctx);
    }
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
            ctx.ci(p, thr).map_or("n/a".into(), |t| show(&t, rate))
        ));
        cis.push((w, r));
    }
    // Higher wait is worse: "Ahead" here means the first wait is longer.
    let writers = order(&cis[0].0, &cis[2].0);
    let readers = order(&cis[1].1, &cis[2].1);
    let (writers, readers) = (
        lean(writers, cis[0].0.median, cis[2].0.median),
        lean(readers, cis[1].1.median, cis[2].1.median),
    );
    let shown = |o: Order| match o {
        Order::Ahead => "longer beyond noise",
        Order::Behind => "shorter beyond noise",
        Order::Tie => "within noise",
        Order::Unknown => "unknown (too few trials)",
    };
    let detail = format!(
        "reader preference's worst write wait vs phase-fair's: {}; writer preference's worst read wait vs phase-fair's: {}.",
        shown(writers),
        shown(readers)
    );
    let (verdict, reason) = match (writers, readers) {
        (Order::Ahead, Order::Ahead) => (Verdict::Holds, detail),
        (Order::Behind, _) | (_, Order::Behind) => (Verdict::DoesNotHold, detail),
        (Order::Ahead, _) | (_, Order::Ahead) => (
            Verdict::HoldsWithCaveat,
            format!("{detail} Only one side's starvation shows."),
        ),
        _ => (
            Verdict::Inconclusive,
            format!(
                "{detail} Worst waits are noisy: more trials or a quieter machine would settle it."
            ),
        ),
    };
    let reason = format!(
        "{reason} Measured at ×{c} (threads = CPUs), not ×{}: all three spin, so oversubscribed a preempted holder would make every policy's worst wait a scheduler time slice.",
        2 * c
    );
    ctx.noisy_claim(head, shows.join(". ") + ".", verdict, reason)
}

// ---------------------------------------------------------------- 6

/// The FIFO locks of claim 6, and the unfair reference.
pub const FIFO_LOCKS: [&str; 2] = ["spin-ticket", "spin-mcs"];
/// The unfair spinlock claim 6 compares with.
pub const TAS: &str = "spin-tas";

fn fifo(ctx: Option<Ctx>) -> Claim {
    let head = Head {
        id: "6",
        claim: "FIFO locks (ticket, MCS) are fair — at a cost when oversubscribed",
        chapter_says: "Bounded waiting: \"A thread won't wait forever (usually FIFO, but not guaranteed)\"; fair ordering is \"More complex, lower throughput\".",
    };
    let Some(ctx) = ctx else {
        return missing(head, &format!("no {} run", ids::FIFO), vec![]);
    };
    if ctx.cores < 2 {
        return one_cpu(head, &ctx);
    }
    let c = ctx.cores;
    let mut shows = Vec::new();
    let mut collapse = Vec::new();
    let mut unfair = Vec::new();
    let mut transfers = Vec::new();
    for name in FIFO_LOCKS.iter().chain([&TAS]) {
        let (Some(a), Some(b)) = (
            ctx.point(name, c, |_| true),
            ctx.point(name, 2 * c, |_| true),
        ) else {
            return missing(
                head,
                &format!("{name} ×{c} and ×{}", 2 * c),
                vec![ctx.run.clone()],
            );
        };
        let (Some(ta), Some(tb), Some(j), Some(ms)) = (
            ctx.ci(a, thr),
            ctx.ci(b, thr),
            ctx.ci(a, |r| r.jain_index),
            ctx.ci(a, |r| r.min_share * r.threads as f64),
        ) else {
            return missing(
                head,
                &format!("{name} has no finished trial"),
                vec![ctx.run.clone()],
            );
        };
        let (col, _) = ratio(&tb, &ta);
        let jb = ctx.ci(b, |r| r.jain_index);
        let transfer = Transfer::of(b);
        shows.push(format!(
            "{name}: ×{c} Jain {} , smallest thread share {} of an even share, {}; ×{} {}{}; ×{}÷×{c} {}{}",
            show(&j, |v| format!("{v:.3}")),
            show(&ms, |v| format!("{:.0} %", v * 100.0)),
            show(&ta, rate),
            2 * c,
            show(&tb, rate),
            jb.map_or(String::new(), |j| format!(", Jain {}", show(&j, |v| format!("{v:.3}")))),
            2 * c,
            show_ratio(&col),
            transfer.describe(2 * c)
        ));
        if FIFO_LOCKS.contains(name) {
            transfers.push((*name, transfer));
        }
        if FIFO_LOCKS.contains(name) && ms.median < FAIR_SHARE {
            unfair.push(*name);
        }
        collapse.push((*name, col));
    }
    let tas = collapse[2].1;
    let worse: Vec<bool> = collapse[..2]
        .iter()
        .map(|(_, col)| {
            if col.n >= MIN_STABLE_TRIALS && tas.n >= MIN_STABLE_TRIALS {
                col.hi < tas.lo
            } else {
                col.median < tas.median
            }
        })
        .collect();
    let (verdict, reason) = if !unfair.is_empty() {
        (
            Verdict::DoesNotHold,
            format!(
                "at ×{c} {} gave some thread less than {:.0} % of an even share.",
                unfair.join(" and "),
                FAIR_SHARE * 100.0
            ),
        )
    } else if worse.iter().all(|&w| w) {
        (
            Verdict::Holds,
            format!(
                "both FIFO locks are fair at ×{c}, and oversubscribed (×{}) they keep less of their throughput than TAS beyond noise: a preempted waiter next in line stalls the queue.",
                2 * c
            ),
        )
    } else {
        (
            Verdict::HoldsWithCaveat,
            format!(
                "both FIFO locks are fair at ×{c}, but their oversubscribed collapse is not beyond noise worse than TAS's for {}.",
                FIFO_LOCKS
                    .iter()
                    .zip(&worse)
                    .filter(|(_, w)| !**w)
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
        )
    };
    let reason = if verdict == Verdict::DoesNotHold {
        reason
    } else {
        format!(
            "{reason}{}",
            Transfer::explain(&transfers, 2 * c, ctx.wakeup_p90)
        )
    };
    ctx.noisy_claim(head, shows.join(". ") + ".", verdict, reason)
}

/// How a lock changed hands at one point, over its clean trials: the range of the trials'
/// hand-off p50 (`handoff_p50_ns`; a range, not a median: oversubscribed FIFO locks swing
/// between microseconds and a time slice from trial to trial), the hand-offs and timed
/// sections behind it, the preempted holders, and the scheduler tick the rows' threshold
/// implies.
#[derive(Debug, Clone, Copy, Default)]
struct Transfer {
    /// Lowest and highest trial p50, ns.
    p50: Option<(f64, f64)>,
    /// Clean trials, and how many of them had a p50 (≥ 20 hand-offs).
    trials: usize,
    with_p50: usize,
    handoffs: u64,
    timed: u64,
    preempted: u64,
    tick: Option<f64>,
}

impl Transfer {
    fn of(p: &Trials) -> Transfer {
        let clean: Vec<&RunRecord> = p.clean().collect();
        let p50s: Vec<f64> = clean.iter().filter_map(|r| r.handoff_p50_ns).collect();
        let lo = p50s.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = p50s.iter().copied().fold(0.0, f64::max);
        Transfer {
            p50: (!p50s.is_empty()).then_some((lo, hi)),
            trials: clean.len(),
            with_p50: p50s.len(),
            handoffs: clean.iter().filter_map(|r| r.handoffs).sum(),
            timed: clean
                .iter()
                .filter(|r| r.holder_preempted.is_some())
                .map(|r| r.sampled_ops)
                .sum(),
            preempted: clean.iter().filter_map(|r| r.holder_preempted).sum(),
            // The threshold is cs + half a tick.
            tick: clean
                .iter()
                .find_map(|r| r.preempted_hold_ns.map(|t| 2.0 * (t - r.cs_ns as f64))),
        }
    }

    /// "; at ×4 hand-off p50 per trial 3.8 µs–4 ms (240 hand-offs), holder preempted in 0 of
    /// 240 timed sections".
    fn describe(&self, threads: usize) -> String {
        let Some((lo, hi)) = self.p50 else {
            return String::new();
        };
        let p50 = breakeven::fmt_ns_span(lo, hi);
        let few = if self.with_p50 < self.trials {
            format!(
                "; {} of {} trials had too few hand-offs for a p50",
                self.trials - self.with_p50,
                self.trials
            )
        } else {
            String::new()
        };
        format!(
            "; at ×{threads} hand-off p50 per trial {p50} ({} hand-offs{few}), holder preempted in {} of {} timed sections",
            self.handoffs, self.preempted, self.timed
        )
    }

    /// Why the FIFO locks collapse, from their hand-offs at ×`threads`: when every trial's
    /// hand-off p50 is longer than a waiter could take to be woken (`wakeup_p90`, the
    /// cross-core futex wake-up probe's p90; half a scheduler tick without it), the lock
    /// waited for the waiter whose turn it was to be scheduled (lock-waiter preemption); the
    /// preempted holders say how much lock-holder preemption adds.
    fn explain(transfers: &[(&str, Transfer)], threads: usize, wakeup_p90: Option<f64>) -> String {
        let tick = transfers.iter().find_map(|(_, t)| t.tick);
        let wakeup = wakeup_p90.filter(|w| w.is_finite() && *w > 0.0);
        let (limit, limit_text) = match (wakeup, tick) {
            (Some(w), _) => (w, format!("a cross-core wake-up's p90 ({})", fmt_ns(w))),
            (None, Some(t)) => (
                t / 2.0,
                format!("half a scheduler tick ({})", fmt_ns(t / 2.0)),
            ),
            (None, None) => return String::new(),
        };
        // Named only when every clean trial had a p50 and the lowest is beyond the limit.
        let slow: Vec<(String, &Transfer)> = transfers
            .iter()
            .filter_map(|(name, t)| {
                let (lo, hi) = t.p50?;
                (t.with_p50 == t.trials && lo > limit)
                    .then(|| (format!("{name} {}", breakeven::fmt_ns_span(lo, hi)), t))
            })
            .collect();
        if slow.is_empty() {
            return String::new();
        }
        let tick = tick.map_or(String::new(), |t| format!(", scheduler tick {}", fmt_ns(t)));
        let (preempted, timed) = slow
            .iter()
            .fold((0, 0), |(p, n), (_, t)| (p + t.preempted, n + t.timed));
        format!(
            " At ×{threads} every trial's median hand-off ({}) is longer than {limit_text}{tick}: the waiter whose turn it is is off its CPU, and the lock waits for the scheduler to run it (lock-waiter preemption); their holders were preempted in {preempted} of {timed} timed sections.",
            slow.iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

// ---------------------------------------------------------------- 7

/// The skewed key distribution of claim 7 (a Zipf-like exponent, as `--skew` takes).
pub const SKEW: f64 = 0.99;

fn striping(ctx: Option<Ctx>) -> Claim {
    let head = Head {
        id: "7",
        claim: "Lock striping reduces contention",
        chapter_says: "\"High contention on a single lock means threads spend most time waiting … Consider lock striping (multiple locks for different portions of data).\"",
    };
    let Some(ctx) = ctx else {
        return missing(head, &format!("no {} run", ids::STRIPING), vec![]);
    };
    if ctx.cores < 2 {
        return one_cpu(head, &ctx);
    }
    let c = ctx.cores;
    let mut shows = Vec::new();
    let mut orders = Vec::new();
    for skew in [0.0, SKEW] {
        let at = |name: &str, stripes: Option<usize>| {
            ctx.point(name, c, |r| {
                r.key_skew == Some(skew) && (stripes.is_none() || r.stripes == stripes)
            })
            .and_then(|p| ctx.ci(p, thr))
        };
        let (Some(one), Some(many)) = (at("striped-mutex", Some(1)), at("striped-mutex", Some(16)))
        else {
            return missing(
                head,
                &format!("striped-mutex ×{c} with 1 and 16 stripes, skew {skew}"),
                vec![ctx.run.clone()],
            );
        };
        let coarse = at("coarse-mutex", None);
        let o = order(&many, &one);
        shows.push(format!(
            "{} keys: 16 stripes {}, 1 stripe {} → {}{}",
            if skew == 0.0 {
                "uniform".to_string()
            } else {
                format!("skewed (skew {skew})")
            },
            show(&many, rate),
            show(&one, rate),
            order_text(o, &many, &one),
            coarse.map_or(String::new(), |k| format!(
                "; coarse-mutex {}",
                show(&k, rate)
            ))
        ));
        orders.push(lean(o, many.median, one.median));
    }
    let (verdict, reason) = match (orders[0], orders[1]) {
        (Order::Ahead, Order::Ahead) => (Verdict::Holds, "16 stripes beat 1 beyond noise with uniform and with skewed keys.".to_string()),
        (Order::Ahead, _) => (Verdict::HoldsWithCaveat, "16 stripes beat 1 beyond noise with uniform keys, not with skewed keys: hot keys crowd one stripe.".to_string()),
        (Order::Behind, _) => (Verdict::DoesNotHold, "with uniform keys 16 stripes are behind 1 beyond noise.".to_string()),
        _ => (Verdict::Inconclusive, format!("with uniform keys the difference is within noise at ×{c}; more threads (more CPUs) or more trials would settle it.")),
    };
    ctx.noisy_claim(
        head,
        format!("×{c}, cs 250 ns: {}.", shows.join(". ")),
        verdict,
        reason,
    )
}

// ---------------------------------------------------------------- 8

/// The locks claim 8 compares the counters with.
pub const COUNTER_LOCKS: [&str; 2] = ["futex-mutex", "spin-ttas"];

fn lock_free(ctx: Option<Ctx>) -> Claim {
    let head = Head {
        id: "8",
        claim: "Lock-free CAS beats a lock under contention; wait-free fetch_add always progresses",
        chapter_says: "Lock-free: \"System makes progress\", \"Some threads may starve\"; wait-free: \"Every thread makes progress\", \"highest overhead\".",
    };
    let Some(ctx) = ctx else {
        return missing(head, &format!("no {} run", ids::LOCK_FREE), vec![]);
    };
    if ctx.cores < 2 {
        return one_cpu(head, &ctx);
    }
    let c = ctx.cores;
    let mut shows = Vec::new();
    for t in [1, c, 2 * c] {
        let mut parts = Vec::new();
        for name in ["cas-counter", "fetch-add-counter"]
            .iter()
            .chain(COUNTER_LOCKS.iter())
        {
            if let Some(v) = ctx.point(name, t, |_| true).and_then(|p| ctx.ci(p, thr)) {
                let retries = if name.ends_with("counter") {
                    ctx.point(name, t, |_| true)
                        .and_then(|p| ctx.ci(p, |r| r.retries_per_op))
                        .map_or(String::new(), |r| {
                            format!(", {} retries/op", show(&r, |v| format!("{v:.2}")))
                        })
                } else {
                    String::new()
                };
                parts.push(format!("{name} {}{retries}", show(&v, rate)));
            }
        }
        shows.push(format!("×{t}: {}", parts.join("; ")));
    }
    let Some(cas) = ctx
        .point("cas-counter", c, |_| true)
        .and_then(|p| ctx.ci(p, thr))
    else {
        return missing(head, &format!("cas-counter ×{c}"), vec![ctx.run.clone()]);
    };
    let mut orders = Vec::new();
    for lock in COUNTER_LOCKS {
        let Some(l) = ctx.point(lock, c, |_| true).and_then(|p| ctx.ci(p, thr)) else {
            return missing(head, &format!("{lock} ×{c}"), vec![ctx.run.clone()]);
        };
        let o = order(&cas, &l);
        orders.push((lock, lean(o, cas.median, l.median), order_text(o, &cas, &l)));
    }
    let stalled: Vec<usize> = [1, c, 2 * c]
        .into_iter()
        .filter(|&t| {
            ctx.point("fetch-add-counter", t, |_| true)
                .is_some_and(|p| {
                    p.trials
                        .iter()
                        .filter(|r| !r.timed_out)
                        .any(|r| r.min_share <= 0.0 || r.retries_per_op > 0.0)
                })
        })
        .collect();
    let vs = orders
        .iter()
        .map(|(l, _, t)| format!("CAS vs {l} at ×{c}: {t}"))
        .collect::<Vec<_>>()
        .join("; ");
    let ahead = orders.iter().filter(|o| o.1 == Order::Ahead).count();
    let behind = orders.iter().any(|o| o.1 == Order::Behind);
    let (verdict, reason) = if !stalled.is_empty() {
        (
            Verdict::DoesNotHold,
            format!("{vs}. A fetch_add thread made no progress (or retried) at ×{stalled:?}."),
        )
    } else if behind {
        (
            Verdict::DoesNotHold,
            format!("{vs}. CAS is behind a lock beyond noise."),
        )
    } else if ahead == orders.len() {
        (
            Verdict::Holds,
            format!("{vs}. Every fetch_add thread completed operations, with no retries."),
        )
    } else if ahead > 0 {
        (
            Verdict::HoldsWithCaveat,
            format!("{vs}. CAS beats only one lock beyond noise; fetch_add always progressed."),
        )
    } else {
        (
            Verdict::Inconclusive,
            format!("{vs}. Within noise: more trials or more CPUs would settle it."),
        )
    };
    ctx.noisy_claim(
        head,
        format!("cs 0: {}.", shows.join(". ")),
        verdict,
        reason,
    )
}

// ---------------------------------------------------------------- 9

fn deadlock(ctx: Option<Ctx>) -> Claim {
    let head = Head {
        id: "9",
        claim: "Lock ordering prevents deadlock; try-lock with timeout recovers at a cost",
        chapter_says: "\"Lock Ordering (Break Circular Wait)\"; \"Lock Timeout (Break Hold and Wait)\": \"Failed to acquire locks, retry later\".",
    };
    let Some(ctx) = ctx else {
        return missing(head, &format!("no {} run", ids::DEADLOCK), vec![]);
    };
    if ctx.cores < 2 {
        return one_cpu(head, &ctx);
    }
    let c = ctx.cores;
    let mut shows = Vec::new();
    let mut timed_out = Vec::new();
    let mut costs = Vec::new();
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
        let ord = order(&b, &a);
        let count =
            |p: &Trials, f: fn(&RunRecord) -> bool| p.trials.iter().filter(|r| f(r)).count();
        let stuck = count(tl, |r| !r.timed_out && r.ops == 0);
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
            order_text(ord, &b, &a)
        ));
        costs.push(ord);
    }
    let (verdict, reason) = if !timed_out.is_empty() {
        (
            Verdict::DoesNotHold,
            format!(
                "timed out (a deadlock or a stall): {}.",
                timed_out.join(", ")
            ),
        )
    } else if costs.contains(&Order::Behind) {
        (Verdict::Holds, "every transfer trial finished with balances conserved (a broken transfer is an error, a deadlock a timeout); the try-lock's retries cost throughput beyond noise.".to_string())
    } else if costs.contains(&Order::Unknown) {
        (Verdict::HoldsWithCaveat, format!("every transfer trial finished with balances conserved (a broken transfer is an error, a deadlock a timeout); too few trials (< {MIN_STABLE_TRIALS}) to tell the try-lock's cost from noise.").to_string())
    } else {
        (Verdict::HoldsWithCaveat, "every transfer trial finished with balances conserved (a broken transfer is an error, a deadlock a timeout), but the try-lock's cost is within noise (or it is ahead) here.".to_string())
    };
    ctx.claim(head, shows.join(". ") + ".", verdict, reason)
}

// ---------------------------------------------------------------- 10

/// The semaphores of claim 10.
pub const SEMAPHORES: [&str; 2] = ["futex-semaphore", "condvar-semaphore"];
/// The permit counts of claim 10.
pub const PERMITS: [usize; 3] = [1, 2, 4];

fn semaphore(ctx: Option<Ctx>) -> Claim {
    let head = Head {
        id: "10",
        claim: "A semaphore bounds concurrency",
        chapter_says: "\"A generalized lock that allows N concurrent accessors\" (connection pool).",
    };
    let Some(ctx) = ctx else {
        return missing(head, &format!("no {} run", ids::SEMAPHORE), vec![]);
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
    let (verdict, reason) = if problems.is_empty() {
        (
            Verdict::Holds,
            format!(
                "the harness counts holders in every operation and a count above the permits is an error with no row; every point has rows, so no more threads than permits ever held one (of {t} threads)."
            ),
        )
    } else {
        (
            Verdict::Inconclusive,
            format!("{}; re-run those points.", problems.join(", ")),
        )
    };
    ctx.claim(head, shows.join(". ") + ".", verdict, reason)
}

// ---------------------------------------------------------------- 11

/// The channels claim 11 compares the condvar queue with.
pub const CHANNELS: [&str; 2] = ["std-sync-channel", "crossbeam-channel"];

fn queue(ctx: Option<Ctx>) -> Claim {
    let head = Head {
        id: "11",
        claim: "A condition-variable bounded queue is a sound producer–consumer, with low overhead",
        chapter_says: "\"Producer-Consumer with Condition Variable\"; Condition overhead \"Low\"; \"Condition variables need the while-loop pattern.\"",
    };
    let Some(ctx) = ctx else {
        return missing(head, &format!("no {} run", ids::QUEUE), vec![]);
    };
    let mut threads = vec![2, 2 * ctx.cores];
    threads.dedup();
    let items = |r: &RunRecord| r.reads_ops_s;
    let wakeups = |r: &RunRecord| {
        if r.reads_ops_s > 0.0 {
            r.vcsw_per_op * r.throughput_ops_s / r.reads_ops_s
        } else {
            f64::NAN
        }
    };
    let mut shows = Vec::new();
    let mut behind_both = Vec::new();
    for &t in &threads {
        let mut parts = Vec::new();
        let Some(q) = ctx
            .point("condvar-queue", t, |_| true)
            .and_then(|p| ctx.ci(p, items))
        else {
            return missing(head, &format!("condvar-queue ×{t}"), vec![ctx.run.clone()]);
        };
        let mut behind = 0;
        for name in ["condvar-queue"].iter().chain(CHANNELS.iter()) {
            let Some(p) = ctx.point(name, t, |_| true) else {
                return missing(head, &format!("{name} ×{t}"), vec![ctx.run.clone()]);
            };
            let (Some(v), w) = (ctx.ci(p, items), ctx.ci(p, wakeups)) else {
                continue;
            };
            if *name != "condvar-queue" && lean(order(&q, &v), q.median, v.median) == Order::Behind
            {
                behind += 1;
            }
            parts.push(format!(
                "{name} {}{}",
                show(&v, |x| fmt_rate(x).replace("ops/s", "items/s")),
                w.map_or(String::new(), |w| format!(
                    ", {} voluntary switches per item",
                    show(&w, |v| format!("{v:.2}"))
                ))
            ));
        }
        if behind == CHANNELS.len() {
            behind_both.push(t);
        }
        shows.push(format!("×{t}: {}", parts.join("; ")));
    }
    let (verdict, reason) = if behind_both.is_empty() {
        (Verdict::Holds, "every item arrived exactly once and in order per producer (checked; otherwise no row), and the condvar queue is not behind both channels beyond noise.".to_string())
    } else {
        (
            Verdict::HoldsWithCaveat,
            format!(
                "sound (every item arrived once, in order: checked), but at {} both channels move items faster beyond noise: its overhead is higher than a channel's.",
                behind_both
                    .iter()
                    .map(|t| format!("×{t}"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
        )
    };
    ctx.noisy_claim(
        head,
        format!("items received per second: {}.", shows.join(". ")),
        verdict,
        reason,
    )
}

// ---------------------------------------------------------------- 12

fn barrier(ctx: Option<Ctx>) -> Claim {
    let head = Head {
        id: "12",
        claim: "A barrier phase is cheap; spinning is cheaper while every thread has a CPU",
        chapter_says: "Barrier: \"Synchronization point where threads wait until all have arrived\"; overhead \"Low\".",
    };
    let Some(ctx) = ctx else {
        return missing(head, &format!("no {} run", ids::BARRIER), vec![]);
    };
    if ctx.cores < 2 {
        return one_cpu(head, &ctx);
    }
    let c = ctx.cores;
    let mut shows = Vec::new();
    let mut orders = Vec::new();
    for t in [c, 2 * c] {
        // Time per phase = threads / throughput; higher throughput = shorter phase.
        let phase = |name: &str| {
            ctx.point(name, t, |_| true).and_then(|p| {
                ctx.ci(p, |r| {
                    if r.throughput_ops_s > 0.0 {
                        r.threads as f64 * 1e9 / r.throughput_ops_s
                    } else {
                        f64::NAN
                    }
                })
            })
        };
        let (Some(s), Some(d)) = (phase("sense-barrier"), phase("std-barrier")) else {
            return missing(
                head,
                &format!("sense-barrier and std-barrier ×{t}"),
                vec![ctx.run.clone()],
            );
        };
        // Shorter is better: compare the sleeping phase against the spinning one.
        let o = order(&d, &s);
        let l = lean(o, d.median, s.median);
        shows.push(format!(
            "×{t}: sense-barrier {} per phase, std-barrier {} per phase (threads ÷ throughput; sense shorter: {})",
            show(&s, fmt_ns),
            show(&d, fmt_ns),
            match o {
                Order::Ahead => "yes, beyond noise",
                Order::Behind => "no, longer beyond noise",
                Order::Tie => "within noise",
                Order::Unknown => "unknown (too few trials)",
            }
        ));
        orders.push(l);
    }
    let (verdict, reason) = match (orders[0], orders[1]) {
        (Order::Ahead, Order::Behind) => (
            Verdict::HoldsWithCaveat,
            format!(
                "at ×{c} the spinning barrier's phase is shorter beyond noise; oversubscribed (×{}) it is longer: a spinner waits for a preempted thread.",
                2 * c
            ),
        ),
        (Order::Ahead, _) => (
            Verdict::Holds,
            format!("at ×{c} the spinning barrier's phase is shorter beyond noise."),
        ),
        (Order::Behind, _) => (
            Verdict::DoesNotHold,
            format!("at ×{c} the spinning barrier's phase is longer beyond noise."),
        ),
        _ => (
            Verdict::Inconclusive,
            format!("at ×{c} the two barriers are within noise; more trials would settle it."),
        ),
    };
    ctx.noisy_claim(head, shows.join(". ") + ".", verdict, reason)
}

// ---------------------------------------------------------------- 13

/// The primitives of claim 13: one global lock, striped locks, per-thread shards.
pub const GRANULARITY: [&str; 3] = ["coarse-mutex", "striped-mutex", "sharded-counter"];

fn global_lock(ctx: Option<Ctx>) -> Claim {
    let head = Head {
        id: "13",
        claim: "A global lock serializes threads, finer locks scale",
        chapter_says: "The GIL: \"Only ONE thread executes … at a time\", \"CPU-bound: Threads don't help\"; \"Coarse-grained locks … limit concurrency. Fine-grained locks … increase concurrency\".",
    };
    let Some(ctx) = ctx else {
        return missing(head, &format!("no {} run", ids::GLOBAL_LOCK), vec![]);
    };
    if ctx.cores < 2 {
        return one_cpu(head, &ctx);
    }
    let c = ctx.cores;
    let mut shows = Vec::new();
    let mut scale = Vec::new();
    for name in GRANULARITY {
        let at = |t: usize| ctx.point(name, t, |_| true).and_then(|p| ctx.ci(p, thr));
        let (Some(one), Some(many)) = (at(1), at(c)) else {
            return missing(head, &format!("{name} ×1 and ×{c}"), vec![ctx.run.clone()]);
        };
        let over = at(2 * c).map_or(String::new(), |o| {
            format!(", ×{} {}", 2 * c, show(&o, rate))
        });
        let (s, o) = ratio(&many, &one);
        shows.push(format!(
            "{name}: ×1 {}, ×{c} {}{over}; scaling ×{c}÷×1 {}",
            show(&one, rate),
            show(&many, rate),
            show_ratio(&s)
        ));
        scale.push((s, lean(o, s.median, 1.0)));
    }
    let (coarse, striped, sharded) = (scale[0], scale[1], scale[2]);
    let (verdict, reason) = if coarse.1 == Order::Ahead {
        (
            Verdict::DoesNotHold,
            format!(
                "the global lock scales beyond noise ({}).",
                show_ratio(&coarse.0)
            ),
        )
    } else if sharded.1 != Order::Ahead {
        (
            Verdict::DoesNotHold,
            "the sharded counter does not scale beyond noise.".to_string(),
        )
    } else if striped.0.median > coarse.0.median {
        (
            Verdict::Holds,
            format!(
                "the global lock gains nothing from {c} threads beyond noise, the sharded counter scales beyond noise, and the striped table scales better than the global lock."
            ),
        )
    } else {
        (Verdict::HoldsWithCaveat, "the global lock does not scale and the sharded counter does, but the striped table scales no better than the global lock here.".to_string())
    };
    ctx.noisy_claim(
        head,
        format!("cs 0, 16 stripes: {}.", shows.join(". ")),
        verdict,
        reason,
    )
}

// ---------------------------------------------------------------- 14

fn reentrant(ctx: Option<Ctx>) -> Claim {
    let head = Head {
        id: "14",
        claim: "A reentrant lock has slightly more overhead",
        chapter_says: "\"RLock has slightly more overhead (must track owner and count).\"",
    };
    let Some(ctx) = ctx else {
        return missing(head, &format!("no {} run", ids::REENTRANT), vec![]);
    };
    let per_op = |r: &RunRecord| {
        if r.throughput_ops_s > 0.0 {
            1e9 / r.throughput_ops_s
        } else {
            f64::NAN
        }
    };
    let (Some(re), Some(fm)) = (
        ctx.point("reentrant-mutex", 1, |_| true)
            .and_then(|p| ctx.ci(p, per_op)),
        ctx.point(SLEEPER, 1, |_| true)
            .and_then(|p| ctx.ci(p, per_op)),
    ) else {
        return missing(
            head,
            "reentrant-mutex and futex-mutex ×1",
            vec![ctx.run.clone()],
        );
    };
    // Longer time per op is more overhead.
    let o = lean(order(&re, &fm), re.median, fm.median);
    let shows = format!(
        "×1, cs 0: reentrant-mutex {} per op (lock, re-enter, two unlocks), futex-mutex {} per op: reentrant ÷ plain {}.",
        show(&re, fmt_ns),
        show(&fm, fmt_ns),
        show_ratio(&ratio(&re, &fm).0)
    );
    let (verdict, reason) = match o {
        Order::Ahead => (Verdict::Holds, "the reentrant lock takes longer per operation beyond noise; part of it is the re-entry each op does.".to_string()),
        Order::Behind => (Verdict::DoesNotHold, "the reentrant lock is faster beyond noise.".to_string()),
        _ => (Verdict::Inconclusive, "the difference is within noise; more trials would settle it.".to_string()),
    };
    ctx.noisy_claim(head, shows, verdict, reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primitives::about::Family;

    /// `n` clean, stable trials of a point with these throughputs.
    fn rows(primitive: &str, threads: usize, cs: u64, thr: &[f64]) -> Vec<RunRecord> {
        thr.iter()
            .enumerate()
            .map(|(i, &t)| RunRecord {
                checked: true,
                schema_version: crate::record::SCHEMA_VERSION,
                primitive: primitive.into(),
                family: Family::Spin,
                threads,
                cs_ns: cs,
                trial: i as u32,
                stable: true,
                throughput_ops_s: t,
                ops_per_cpu_s: t,
                elapsed_s: 0.1,
                ops: (t * 0.1) as u64,
                min_share: 1.0 / threads as f64,
                jain_index: 1.0,
                ..RunRecord::default()
            })
            .collect()
    }

    fn measured<'a>(id: &'a str, rows: &'a [RunRecord]) -> Measured<'a> {
        Measured {
            id,
            run: id,
            rows,
            probes: None,
            cores: 2,
        }
    }

    fn claim(all: &[Claim], id: &str) -> Claim {
        all.iter().find(|c| c.id == id).unwrap().clone()
    }

    #[test]
    fn lost_updates_hold_and_fail() {
        let mut r = rows("racy-counter", 2, 0, &[1e7, 1.1e7, 0.9e7]);
        for x in &mut r {
            x.lost_updates = 1000;
        }
        r.extend(rows("fetch-add-counter", 2, 0, &[5e7, 5e7, 5e7]));
        let c = claim(&judge(&[measured(ids::LOST_UPDATES, &r)]), "1");
        assert_eq!(c.verdict, Verdict::Holds, "{c:?}");
        assert!(c.shows.contains("lost updates/s"));
        assert_eq!(c.runs, vec![ids::LOST_UPDATES.to_string()]);
        for x in &mut r {
            x.lost_updates = 0;
        }
        let c = claim(&judge(&[measured(ids::LOST_UPDATES, &r)]), "1");
        assert_eq!(c.verdict, Verdict::DoesNotHold, "{c:?}");
    }

    #[test]
    fn a_flagged_point_caps_the_verdict() {
        let mut r = rows("racy-counter", 2, 0, &[1e7, 1.1e7, 0.9e7]);
        for x in &mut r {
            x.lost_updates = 1000;
        }
        r.last_mut().unwrap().stable = false;
        r.extend(rows("fetch-add-counter", 2, 0, &[5e7, 5e7, 5e7]));
        let c = claim(&judge(&[measured(ids::LOST_UPDATES, &r)]), "1");
        assert_eq!(c.verdict, Verdict::HoldsWithCaveat, "{c:?}");
        assert!(
            c.reason.contains("racy-counter ×2 (unstable)"),
            "{}",
            c.reason
        );
    }

    #[test]
    fn missing_data_and_one_cpu_are_inconclusive() {
        let all = judge(&[]);
        assert_eq!(all.len(), 14);
        assert!(all.iter().all(|c| c.verdict == Verdict::Inconclusive));
        let r = rows("racy-counter", 1, 0, &[1e7, 1e7, 1e7]);
        let m = Measured {
            cores: 1,
            ..measured(ids::LOST_UPDATES, &r)
        };
        let c = claim(&judge(&[m]), "1");
        assert_eq!(c.verdict, Verdict::Inconclusive);
        assert!(c.reason.contains("needs ≥ 2 CPUs"));
    }

    #[test]
    fn spin_sleep_reads_the_breakeven() {
        let mut r = Vec::new();
        // Spin ahead at 100 ns, tie at 1 µs, sleep ahead at 10 µs, at ×2 and ×4.
        for t in [2, 4] {
            r.extend(rows(SPINNER, t, 100, &[10.0, 10.5, 11.0]));
            r.extend(rows(SLEEPER, t, 100, &[5.0, 5.5, 6.0]));
            r.extend(rows(SPINNER, t, 1000, &[5.0, 5.5, 6.0]));
            r.extend(rows(SLEEPER, t, 1000, &[5.2, 5.6, 6.1]));
            r.extend(rows(SPINNER, t, 10_000, &[1.0, 1.1, 1.2]));
            r.extend(rows(SLEEPER, t, 10_000, &[2.0, 2.1, 2.2]));
        }
        let c = claim(&judge(&[measured(ids::SPIN_SLEEP, &r)]), "3");
        assert_eq!(c.verdict, Verdict::Holds, "{c:?}");
        assert!(c.shows.contains("crossing at"), "{}", c.shows);
        // With a CPU per thread, spin still ahead on throughput at 10 µs, but behind per
        // CPU-second: the claim holds where CPU time counts, with a caveat.
        let mut idle = r.clone();
        for x in idle
            .iter_mut()
            .filter(|x| x.cs_ns == 10_000 && x.threads == 2)
        {
            x.throughput_ops_s =
                if x.primitive == SPINNER { 3.0 } else { 2.0 } + x.trial as f64 * 0.01;
        }
        let c = claim(&judge(&[measured(ids::SPIN_SLEEP, &idle)]), "3");
        assert_eq!(c.verdict, Verdict::HoldsWithCaveat, "{c:?}");
        assert!(c.reason.contains("per CPU-second at ×2"), "{}", c.reason);
        // Sleep ahead at the shortest length in every view: refuted.
        for x in r.iter_mut().filter(|x| x.cs_ns == 100) {
            x.throughput_ops_s = if x.primitive == SPINNER { 1.0 } else { 9.0 };
            x.ops_per_cpu_s = x.throughput_ops_s;
        }
        let c = claim(&judge(&[measured(ids::SPIN_SLEEP, &r)]), "3");
        assert_eq!(c.verdict, Verdict::DoesNotHold, "{c:?}");
    }

    #[test]
    fn ties_are_inconclusive_and_orders_are_beyond_noise() {
        let mut r = rows("reentrant-mutex", 1, 0, &[10.0, 11.0, 12.0]);
        r.extend(rows("futex-mutex", 1, 0, &[10.5, 11.5, 12.5]));
        let c = claim(&judge(&[measured(ids::REENTRANT, &r)]), "14");
        assert_eq!(c.verdict, Verdict::Inconclusive, "{c:?}");
        assert!(c.reason.contains("more trials"));
        let mut r = rows("reentrant-mutex", 1, 0, &[10.0, 11.0, 12.0]);
        r.extend(rows("futex-mutex", 1, 0, &[20.0, 21.0, 22.0]));
        let c = claim(&judge(&[measured(ids::REENTRANT, &r)]), "14");
        assert_eq!(
            c.verdict,
            Verdict::Holds,
            "lower throughput = longer per op: {c:?}"
        );
        assert!(c.shows.contains("3 trials) per op"), "{}", c.shows);
    }

    #[test]
    fn one_trial_is_inconclusive_and_says_what_settles_it() {
        let mut r = rows("reentrant-mutex", 1, 0, &[10.0]);
        r.extend(rows("futex-mutex", 1, 0, &[20.0]));
        let c = claim(&judge(&[measured(ids::REENTRANT, &r)]), "14");
        assert_eq!(c.verdict, Verdict::Inconclusive, "{c:?}");
        assert!(c.reason.contains("--trials 3"), "{}", c.reason);
    }

    #[test]
    fn granularity_and_fairness_rules() {
        let mut r = Vec::new();
        for (name, one, two) in [
            ("coarse-mutex", 40.0, 20.0),
            ("striped-mutex", 40.0, 60.0),
            ("sharded-counter", 70.0, 150.0),
        ] {
            r.extend(rows(name, 1, 0, &[one, one * 1.01, one * 0.99]));
            r.extend(rows(name, 2, 0, &[two, two * 1.01, two * 0.99]));
        }
        let c = claim(&judge(&[measured(ids::GLOBAL_LOCK, &r)]), "13");
        assert_eq!(c.verdict, Verdict::Holds, "{c:?}");
        assert!(c.shows.contains("scaling ×2÷×1 ×0.50"), "{}", c.shows);

        let mut r = Vec::new();
        for name in FIFO_LOCKS.iter().chain([&TAS]) {
            r.extend(rows(name, 2, 250, &[3e6, 3.1e6, 2.9e6]));
            r.extend(rows(name, 4, 250, &[2e6, 2.1e6, 1.9e6]));
        }
        for x in r
            .iter_mut()
            .filter(|x| x.primitive == "spin-mcs" && x.threads == 2)
        {
            x.min_share = 0.1;
        }
        let c = claim(&judge(&[measured(ids::FIFO, &r)]), "6");
        assert_eq!(c.verdict, Verdict::DoesNotHold, "{c:?}");
        assert!(c.reason.contains("spin-mcs"), "{}", c.reason);
    }

    /// Claim 6's explanation rests on the hand-off and holder-preemption columns: hand-offs of
    /// a scheduler tick at 2C name lock-waiter preemption; sub-microsecond ones do not.
    #[test]
    fn fifo_collapse_is_explained_by_hand_offs() {
        let tick = 4e6;
        let fifo_rows = |handoff_ns: f64| {
            let mut r = Vec::new();
            for name in FIFO_LOCKS.iter().chain([&TAS]) {
                let collapsed = FIFO_LOCKS.contains(name);
                r.extend(rows(name, 2, 250, &[3e6, 3.1e6, 2.9e6]));
                let two = if collapsed { 300.0 } else { 2e6 };
                let mut b = rows(name, 4, 250, &[two, two * 1.01, two * 0.99]);
                for x in &mut b {
                    x.handoff_p50_ns = Some(if collapsed { handoff_ns } else { 90.0 });
                    x.handoffs = Some(40);
                    x.sampled_ops = 40;
                    x.holder_preempted = Some(0);
                    x.preempted_hold_ns = Some(250.0 + tick / 2.0);
                }
                r.extend(b);
            }
            r
        };
        let r = fifo_rows(tick);
        let c = claim(&judge(&[measured(ids::FIFO, &r)]), "6");
        assert_eq!(c.verdict, Verdict::Holds, "{c:?}");
        assert!(
            c.shows.contains(
                "at ×4 hand-off p50 per trial 4 ms (120 hand-offs), holder preempted in 0 of 120 timed sections"
            ),
            "{}",
            c.shows
        );
        assert!(
            c.reason.contains("spin-ticket 4 ms, spin-mcs 4 ms")
                && c.reason
                    .contains("half a scheduler tick (2 ms), scheduler tick 4 ms")
                && c.reason.contains("lock-waiter preemption")
                && c.reason.contains("preempted in 0 of 240 timed sections"),
            "{}",
            c.reason
        );
        let r = fifo_rows(500.0);
        let c = claim(&judge(&[measured(ids::FIFO, &r)]), "6");
        assert!(!c.reason.contains("lock-waiter"), "{}", c.reason);
    }

    #[test]
    fn context_switch_from_probes() {
        let p = |p50: f64| Percentiles {
            p50_ns: p50,
            p10_ns: p50 * 0.8,
            p90_ns: p50 * 1.2,
            p99_ns: p50 * 2.0,
            samples: 100,
        };
        let mut probes: Probes = serde_json::from_str(
            r#"{"same_core_round_trip":null,"cross_core_round_trip":null,"cross_core_wakeup":null,
            "futex_wake_no_waiter":{"p50_ns":1,"p10_ns":1,"p90_ns":1,"p99_ns":1,"samples":1},
            "sched_yield":{"p50_ns":1,"p10_ns":1,"p90_ns":1,"p99_ns":1,"samples":1},
            "atomic_rmw":{"p50_ns":1,"p10_ns":1,"p90_ns":1,"p99_ns":1,"samples":1},
            "spin_hint":{"p50_ns":1,"p10_ns":1,"p90_ns":1,"p99_ns":1,"samples":1},
            "core_to_core_ns":[],"core_to_core_cpus":[]}"#,
        )
        .unwrap();
        probes.same_core_round_trip = Some(p(6000.0));
        probes.cross_core_wakeup = Some(p(4000.0));
        let with = |probes: &Probes| {
            let m = Measured {
                probes: Some(probes),
                ..measured(ids::LOST_UPDATES, &[])
            };
            claim(&judge(&[m]), "2")
        };
        assert_eq!(with(&probes).verdict, Verdict::Holds);
        probes.cross_core_wakeup = Some(p(9000.0));
        assert_eq!(
            with(&probes).verdict,
            Verdict::HoldsWithCaveat,
            "p90 10.8 µs"
        );
        probes.cross_core_wakeup = Some(p(40_000.0));
        let c = with(&probes);
        assert_eq!(c.verdict, Verdict::DoesNotHold);
        assert!(c.shows.contains("two switches"));
    }
}
