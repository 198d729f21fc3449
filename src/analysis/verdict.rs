//! What a verdict on a claim is made of, and the rules every claim's judgement shares (each
//! claim's own rule is in its file under `crate::experiments::claims`). Pure: nothing here
//! reads a file or a clock.
//!
//! # What every verdict rests on
//!
//! A point's figure is the median of its clean trials (not degraded, not timed out) with the
//! median's confidence interval ([`median_ci`] at [`CI_LEVEL`]: the min–max range for up to
//! four trials) and the trial count. When a point has no clean trial its degraded trials that
//! finished are shown instead. Two points differ **beyond noise** by the one rule for calls
//! ([`crate::rules::versus`], as [`super::best`] decides a lead): both have at least
//! [`MIN_STABLE_TRIALS`] trials behind their figures, they ran on one cache layout, and the
//! interval of their ratio (`lo_a / hi_b … hi_a / lo_b`) lies wholly beyond the margin
//! [`crate::rules::DELTA`] on one side of 1; otherwise they **tie** (within noise or the
//! margin), the order is **unknown** (too few trials), or they are **not comparable** (cache
//! layouts more than ×1.5 apart: two machines). A claim that made a comparison between points
//! that are not comparable is inconclusive, whatever the others say.
//!
//! A claim decided by such comparisons (claims 6, 8 and 12; the other claims read intervals against thresholds, which say themselves when trials are too few) is **inconclusive** when a
//! figure it used has fewer than [`MIN_STABLE_TRIALS`] trials, whatever the figures lean to
//! (the reason says which way, and that more trials settle it); claim 3 gets the same rule
//! from [`super::breakeven`]'s calls.
//!
//! A point that is flagged ([`Trials::flagged`]: no clean trial, or fewer clean trials than
//! planned) may be used, but then a claim that would hold only **holds with a caveat**, and
//! the reason names the flagged points. Every contention claim needs ≥ 2 CPUs; with one CPU it
//! is **inconclusive** ("needs ≥ 2 CPUs"). `C` is the experiment's usable CPUs (from its
//! meta.json), `2C` the oversubscribed regime.

use super::aggregate::{Trials, points};
use crate::record::RunRecord;
use crate::stats::{CI_LEVEL, MIN_STABLE_TRIALS, MedianCi, median_ci};
use crate::units::fmt_rate;
use std::cell::{Cell, RefCell};

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
    /// Its number, "1" … "15".
    pub id: &'static str,
    /// The claim in a few words.
    pub claim: &'static str,
    /// What the chapter says, quoted or paraphrased.
    pub chapter_says: &'static str,
    /// The rule the verdict follows, written before the data: the quantity, the threshold
    /// that counts, and when each outcome is reached.
    pub rule: &'static str,
    /// What this machine shows: figures with their spread and units.
    pub shows: String,
    /// The verdict.
    pub verdict: Verdict,
    /// Why, and for an inconclusive claim what would settle it.
    pub reason: String,
    /// The runs the verdict rests on ("`<experiment dir> (run <id>)`").
    pub runs: Vec<String>,
}

/// One experiment's points, and the flagged points a claim used.
pub struct Ctx<'a> {
    /// Its points.
    pub pts: Vec<Trials<'a>>,
    /// Its rows.
    pub rows: &'a [RunRecord],
    /// Usable CPUs when it ran (`C`).
    pub cores: usize,
    /// How to name its run in a verdict.
    pub run: String,
    flagged: RefCell<Vec<String>>,
    fewest: Cell<usize>,
    /// Comparisons the claim made between points that are not comparable (their names and
    /// layouts), which make it inconclusive.
    split: RefCell<Vec<String>>,
    /// p90 of the cross-core futex wake-up probe of this experiment's run, ns.
    pub wakeup_p90: Option<f64>,
}

impl<'a> Ctx<'a> {
    /// The context of one experiment's `rows`, named `run`, measured on `cores` CPUs with
    /// this cross-core wake-up p90 (ns).
    pub fn new(rows: &'a [RunRecord], run: &str, cores: usize, wakeup_p90: Option<f64>) -> Ctx<'a> {
        Ctx {
            pts: points(rows),
            rows,
            cores: cores.max(1),
            run: run.to_string(),
            flagged: RefCell::new(Vec::new()),
            fewest: Cell::new(usize::MAX),
            split: RefCell::new(Vec::new()),
            wakeup_p90,
        }
    }

    /// The point of `primitive` at `threads` whose row satisfies `pred`, not remembered: for
    /// figures a claim only reports (its verdict does not read them).
    pub fn peek(
        &self,
        primitive: &str,
        threads: usize,
        pred: impl Fn(&RunRecord) -> bool,
    ) -> Option<&Trials<'a>> {
        self.pts
            .iter()
            .find(|p| p.primitive() == primitive && p.first().threads == threads && pred(p.first()))
    }

    /// A reported figure: [`ci_of`] of the [`Ctx::peek`] point, with its layout (neither its
    /// flag nor its trial count reaches the verdict).
    pub fn report(
        &self,
        primitive: &str,
        threads: usize,
        pred: impl Fn(&RunRecord) -> bool,
        metric: impl Fn(&RunRecord) -> f64,
    ) -> Option<Figure> {
        let p = self.peek(primitive, threads, pred)?;
        Some(Figure::of(p, ci_of(p, metric)?))
    }

    /// The point of `primitive` at `threads` whose row satisfies `pred`; a flagged one is
    /// remembered for the verdict.
    pub fn point(
        &self,
        primitive: &str,
        threads: usize,
        pred: impl Fn(&RunRecord) -> bool,
    ) -> Option<&Trials<'a>> {
        let p = self.peek(primitive, threads, pred)?;
        if let Some(f) = p.flag() {
            remember(
                &self.flagged,
                format!("{primitive} ×{threads} ({})", f.as_str()),
            );
        }
        Some(p)
    }

    /// A figure of `p` for the verdict: [`ci_of`] with the point's cache layout and name,
    /// remembering the fewest trials behind a figure the claim used.
    pub fn ci(&self, p: &Trials, metric: impl Fn(&RunRecord) -> f64) -> Option<Figure> {
        let c = ci_of(p, metric)?;
        self.fewest.set(self.fewest.get().min(c.n));
        Some(Figure::of(p, c))
    }

    /// [`ratio`], remembering a comparison between points that are not comparable.
    pub fn ratio(&self, a: &Figure, b: &Figure) -> (Figure, Order) {
        let (r, o) = ratio(a, b);
        if let Some(text) = &r.split {
            remember(&self.split, text.clone());
        }
        (r, o)
    }

    /// [`order`], remembering a comparison between points that are not comparable (the
    /// order [`ratio`] gives is [`order`]).
    pub fn order(&self, a: &Figure, b: &Figure) -> Order {
        self.ratio(a, b).1
    }

    /// A claim whose verdict rests on beyond-noise calls: with fewer than
    /// [`MIN_STABLE_TRIALS`] trials behind a figure it used, it is inconclusive (the reason
    /// keeps what the figures lean to).
    pub(crate) fn noisy_claim(
        &self,
        head: Head,
        shows: String,
        verdict: Verdict,
        reason: String,
    ) -> Claim {
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

    /// A claim from this experiment: the verdict capped by flagged points, and inconclusive
    /// when it compared points that are not comparable.
    pub fn claim(&self, head: Head, shows: String, verdict: Verdict, reason: String) -> Claim {
        let split = self.split.borrow();
        let (verdict, reason) = if split.is_empty() {
            (verdict, reason)
        } else {
            (
                Verdict::Inconclusive,
                format!(
                    "not comparable: it compared points whose cache layouts are more than ×{} apart ({}: the host moved a vCPU between them), and makes no call across them; re-run to get them on one layout.",
                    crate::rules::LAYOUT_FACTOR,
                    split.join("; ")
                ),
            )
        };
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
#[derive(Debug, Clone, Copy)]
pub struct Head {
    /// Its number.
    pub id: &'static str,
    /// The claim in a few words.
    pub claim: &'static str,
    /// What the chapter says.
    pub chapter_says: &'static str,
    /// The verdict's rule (see [`Claim::rule`]).
    pub rule: &'static str,
}

/// A claim from its parts: a verdict that would hold only holds with a caveat when flagged
/// points were used, and the reason names them.
pub fn finish(
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
            " Flagged points used (no clean trial, or fewer clean trials than planned): {}.",
            flagged.join(", ")
        ));
    }
    Claim {
        id: head.id,
        claim: head.claim,
        chapter_says: head.chapter_says,
        rule: head.rule,
        shows,
        verdict,
        reason,
        runs,
    }
}

/// The experiment a contention claim reads (`id`), measured on ≥ 2 CPUs; otherwise the
/// inconclusive claim to return instead (no run, or one CPU: threads only take turns).
pub fn contended<'a>(head: Head, ctx: Option<Ctx<'a>>, id: &str) -> Result<Ctx<'a>, Box<Claim>> {
    let ctx = measured(head, ctx, id)?;
    if ctx.cores < 2 {
        return Err(Box::new(one_cpu(head, &ctx)));
    }
    Ok(ctx)
}

/// The experiment a claim reads (`id`), or the inconclusive claim to return without it.
pub fn measured<'a>(head: Head, ctx: Option<Ctx<'a>>, id: &str) -> Result<Ctx<'a>, Box<Claim>> {
    ctx.ok_or_else(|| Box::new(missing(head, &format!("no {id} run"), vec![])))
}

/// An inconclusive claim for want of `what`.
pub fn missing(head: Head, what: &str, runs: Vec<String>) -> Claim {
    finish(
        head,
        format!("no data: {what}"),
        Verdict::Inconclusive,
        format!("{what}; measure it (lockbench claims) to settle the claim."),
        &[],
        runs,
    )
}

/// An inconclusive claim: contention needs two CPUs.
pub(crate) fn one_cpu(head: Head, ctx: &Ctx) -> Claim {
    ctx.claim(
        head,
        format!("{} usable CPU: no two threads run at once", ctx.cores),
        Verdict::Inconclusive,
        "needs ≥ 2 CPUs: with one, threads only take turns, so contention is the scheduler's."
            .into(),
    )
}

/// A figure a verdict reads: a point's median and interval ([`Ctx::ci`]) with the cache
/// layout it ran on, or a ratio of two ([`ratio`]), which is marked when its points are not
/// comparable. It reads as its [`MedianCi`].
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The median and its interval.
    pub ci: MedianCi,
    /// The point's cache layout, ns (`None`: not read, or a ratio).
    pub layout_ns: Option<f64>,
    /// The point: primitive and threads (`None` for a ratio).
    pub who: Option<(String, usize)>,
    /// For a ratio of points on cache layouts more than ×1.5 apart: the two, in words.
    pub split: Option<String>,
}

impl std::ops::Deref for Figure {
    type Target = MedianCi;
    fn deref(&self) -> &MedianCi {
        &self.ci
    }
}

/// Adds `what` to `list` unless it is there already.
fn remember(list: &RefCell<Vec<String>>, what: String) {
    let mut v = list.borrow_mut();
    if !v.contains(&what) {
        v.push(what);
    }
}

impl Figure {
    /// The figure `ci` of point `p`, with its cache layout and name.
    pub fn of(p: &Trials, ci: MedianCi) -> Figure {
        Figure {
            ci,
            layout_ns: p.layout_ns(),
            who: Some((p.primitive().to_string(), p.first().threads)),
            split: None,
        }
    }

    /// A figure not tied to a point's layout (a value computed from others).
    pub fn plain(ci: MedianCi) -> Figure {
        Figure {
            ci,
            layout_ns: None,
            who: None,
            split: None,
        }
    }
}

/// "spin-tas ×2 at 27 ns against futex-mutex ×2 at 108 ns" when `a` and `b` ran on cache
/// layouts more than ×1.5 apart ([`crate::rules::same_layout`]).
fn split_text(a: &Figure, b: &Figure) -> Option<String> {
    if let Some(s) = a.split.as_ref().or(b.split.as_ref()) {
        return Some(s.clone());
    }
    if crate::rules::same_layout(a.layout_ns, b.layout_ns) {
        return None;
    }
    let name = |f: &Figure| match &f.who {
        Some((p, t)) => format!(
            "{p} ×{t} at {}",
            crate::units::fmt_ns(f.layout_ns.unwrap_or(f64::NAN))
        ),
        None => crate::units::fmt_ns(f.layout_ns.unwrap_or(f64::NAN)),
    };
    Some(format!("{} against {}", name(a), name(b)))
}

/// `metric`'s median and interval over a point's clean trials (its finished degraded ones
/// when it has none).
pub fn ci_of(p: &Trials, metric: impl Fn(&RunRecord) -> f64) -> Option<MedianCi> {
    median_ci(&p.measured_values(metric), CI_LEVEL)
}

/// "1.20 Mops/s (1.10 Mops/s – 1.30 Mops/s, 3 trials)".
pub fn show(c: &MedianCi, f: impl Fn(f64) -> String) -> String {
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

/// A rate with its unit.
pub(crate) fn rate(v: f64) -> String {
    fmt_rate(v)
}

/// "×1.42"; small ratios keep two significant digits ("×0.0021", "×2.0e-4").
pub(crate) fn ratio_text(v: f64) -> String {
    if v >= 0.1 || v == 0.0 || !v.is_finite() {
        format!("×{v:.2}")
    } else if v >= 0.001 {
        format!("×{v:.4}")
    } else {
        format!("×{v:.1e}")
    }
}

/// Where an interval stands against a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Wholly at or above it.
    Above,
    /// Wholly below it.
    Below,
    /// Across it.
    Across,
    /// Too few trials to tell ([`MIN_STABLE_TRIALS`]).
    Unknown,
    /// A ratio of points on cache layouts more than ×1.5 apart: not compared.
    NotComparable,
}

/// Where `ci` stands against the threshold `t`: a claim's own margin, so no further one is
/// added (against 1, use the order [`ratio`] gives, which has the margin).
pub fn side(ci: &Figure, t: f64) -> Side {
    if ci.split.is_some() {
        Side::NotComparable
    } else if ci.n < MIN_STABLE_TRIALS {
        Side::Unknown
    } else if ci.lo >= t {
        Side::Above
    } else if ci.hi < t {
        Side::Below
    } else {
        Side::Across
    }
}

/// Where one figure stands against another, higher being better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Ahead beyond noise.
    Ahead,
    /// Behind beyond noise.
    Behind,
    /// The intervals overlap.
    Tie,
    /// Too few trials to tell.
    Unknown,
    /// On cache layouts more than ×1.5 apart: not compared.
    NotComparable,
}

/// Where `a` stands against `b` (higher is better), by the one rule for calls
/// ([`crate::rules::versus`] with the margin [`crate::rules::DELTA`]): ahead only with enough
/// trials, on one cache layout, and intervals apart by more than the margin.
pub fn order(a: &Figure, b: &Figure) -> Order {
    use crate::rules::{DELTA, Estimate, Versus, versus};
    if split_text(a, b).is_some() {
        return Order::NotComparable;
    }
    let of = |c: &Figure| Estimate {
        lo: c.lo,
        hi: c.hi,
        n: c.n,
        layout_ns: c.layout_ns,
    };
    match versus(&of(a), &of(b), DELTA) {
        Versus::Above => Order::Ahead,
        Versus::Below => Order::Behind,
        Versus::Overlap => Order::Tie,
        Versus::NotComparable => Order::NotComparable,
        Versus::TooFew => Order::Unknown,
    }
}

/// [`order`] in words, with the ratio of the medians.
pub(crate) fn order_text(o: Order, a: &MedianCi, b: &MedianCi) -> String {
    let r = a.median / b.median;
    match o {
        Order::Ahead => format!("ahead beyond noise ({})", ratio_text(r)),
        Order::Behind => format!("behind beyond noise ({})", ratio_text(r)),
        Order::Tie => format!("tie ({}, within noise)", ratio_text(r)),
        Order::Unknown => format!("{} (too few trials to tell from noise)", ratio_text(r)),
        Order::NotComparable => format!("{} (not comparable: other cache layouts)", ratio_text(r)),
    }
}

/// The order a verdict's rule reads: `o`, or, when the trials are too few to call it, the
/// side the medians lean to (such a verdict is made inconclusive by `Ctx::noisy_claim`,
/// which keeps the lean in its reason).
pub(crate) fn lean(o: Order, a: f64, b: f64) -> Order {
    match o {
        Order::Unknown if a > b => Order::Ahead,
        Order::Unknown if a < b => Order::Behind,
        Order::Unknown => Order::Tie,
        known => known,
    }
}

/// The ratio a ÷ b with the interval the two intervals allow (`lo_a / hi_b … hi_a / lo_b`),
/// marked when the two are not comparable, and [`order`]: whether it lies beyond noise and
/// the margin above (`Ahead`) or below (`Behind`) 1.
pub fn ratio(a: &Figure, b: &Figure) -> (Figure, Order) {
    let tiny = 1e-300;
    let r = Figure {
        ci: MedianCi {
            median: a.median / b.median.max(tiny),
            lo: a.lo / b.hi.max(tiny),
            hi: a.hi / b.lo.max(tiny),
            level: a.level.min(b.level),
            n: a.n.min(b.n),
        },
        split: split_text(a, b),
        // On one layout the ratio keeps it, so a ratio compared with another ratio (claim 6's
        // collapse of one lock against another's) is checked too.
        layout_ns: a.layout_ns.or(b.layout_ns),
        ..Figure::plain(a.ci)
    };
    (r, order(a, b))
}

/// A ratio's order against 1 as a [`Side`] (with the margin [`crate::rules::DELTA`]).
pub(crate) fn beyond_one(o: Order) -> Side {
    match o {
        Order::Ahead => Side::Above,
        Order::Behind => Side::Below,
        Order::Tie => Side::Across,
        Order::Unknown => Side::Unknown,
        Order::NotComparable => Side::NotComparable,
    }
}

/// "×1.20 (×1.10–×1.30)".
pub(crate) fn show_ratio(r: &MedianCi) -> String {
    format!(
        "{} ({}–{})",
        ratio_text(r.median),
        ratio_text(r.lo),
        ratio_text(r.hi)
    )
}

/// A row's throughput.
pub(crate) fn thr(r: &RunRecord) -> f64 {
    r.throughput_ops_s
}
