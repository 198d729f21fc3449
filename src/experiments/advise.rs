//! `lockbench advise`: from a program's lock profile (`lockbench::profile`), which lock to use
//! on this machine. Each profiled lock's signature — its threads, hold time, think time and
//! read share — becomes one sweep point of the candidate primitives of its kind, measured here
//! with the usual guards; the judgement compares the lock used today with the leader by the
//! one rule for calls ([`crate::rules::versus`]).
//!
//! **The rule, stated before the data.** Per lock, on throughput over clean trials:
//! - *switch* to the leader when its interval lies above today's lock's by more than the
//!   margin δ = 5% ([`crate::rules::DELTA`]), on one cache layout, with ≥ 3 clean trials a
//!   side; the expected gain is the ratio of medians, with the interval
//!   [leader low ÷ today high, leader high ÷ today low];
//! - *keep* when today's lock is the leader, or the leader is within noise or the margin
//!   (a tie is a tie);
//! - *inconclusive* when today's lock has too few clean trials, or when it would be kept but
//!   a faster candidate could not be compared with it (another cache layout, too few clean
//!   trials); *no call* when today's lock is not one lockbench can run (the leader is named).
//!
//! The leader is the fastest candidate that can be compared with today's lock (one cache
//! layout, ≥ 3 clean trials); the others are listed as not compared.
//!
//! The signature: threads = the distinct threads that took the lock; critical section = the
//! median hold; think time = the median time between a thread's release and its next attempt;
//! read ratio (RwLocks) = reads ÷ acquisitions. The harness's critical section is calibrated
//! busy work on the protected data, not the program's code: the prediction is for the lock
//! under this usage, and a program spends time elsewhere too (its own think time is modelled,
//! its memory traffic is not).

use crate::analysis::aggregate::{Trials, points};
use crate::profile::{LockRow, Profile};
use crate::record::RunRecord;
use crate::rules::{DELTA, Estimate, Versus, versus};
use crate::stats::{CI_LEVEL, MedianCi, median_ci};
use crate::sweep::SweepSpec;
use crate::units::fmt_ns;
use std::time::Duration;

/// Candidates for an exclusive lock: a spinner, the never-spinning futex mutex, spin-then-park,
/// std's and parking_lot's.
pub const EXCLUSIVE: &[&str] = &[
    "spin-ttas-backoff",
    "futex-mutex",
    "adaptive-mutex",
    "std-mutex",
    "parking-lot-mutex",
];

/// Candidates for a reader-writer lock: the RwLock policies, and the two mutexes most
/// programs would otherwise use (a mutex can beat an RwLock when reads are short).
pub const READ_WRITE: &[&str] = &[
    "std-rwlock",
    "parking-lot-rwlock",
    "rw-reader-pref",
    "rw-writer-pref",
    "rw-phase-fair",
    "parking-lot-mutex",
    "std-mutex",
];

/// The lockbench primitive a profiled lock's raw type is, if lockbench runs it: the raw
/// type's name as `std::any::type_name` writes it (default generic arguments left out).
pub fn today(raw: &str) -> Option<&'static str> {
    use crate::primitives::{futex, spin as ours};
    use std::any::type_name;
    let known: [(&str, &'static str); 15] = [
        (type_name::<parking_lot::RawMutex>(), "parking-lot-mutex"),
        (
            type_name::<parking_lot::RawFairMutex>(),
            "parking-lot-fair-mutex",
        ),
        (type_name::<parking_lot::RawRwLock>(), "parking-lot-rwlock"),
        (type_name::<crate::profile::StdRawMutex>(), "std-mutex"),
        (type_name::<spin::Mutex<()>>(), "spin-rs"),
        (type_name::<spin::mutex::SpinMutex<()>>(), "spin-rs"),
        (
            type_name::<spin::mutex::TicketMutex<()>>(),
            "spin-rs-ticket",
        ),
        (type_name::<futex::FutexMutex>(), "futex-mutex"),
        (type_name::<futex::AdaptiveMutex>(), "adaptive-mutex"),
        (
            type_name::<futex::AdaptiveMutex<100>>(),
            "adaptive-mutex-100ns",
        ),
        (
            type_name::<futex::AdaptiveMutex<10_000>>(),
            "adaptive-mutex-10us",
        ),
        (type_name::<ours::TtasBackoff>(), "spin-ttas-backoff"),
        (type_name::<ours::Ttas>(), "spin-ttas"),
        (type_name::<ours::Tas>(), "spin-tas"),
        (type_name::<ours::Ticket>(), "spin-ticket"),
    ];
    known.iter().find(|(t, _)| *t == raw).map(|(_, name)| *name)
}

/// A profiled lock's usage, as the harness will replay it.
#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    /// The lock's name in the profile.
    pub lock: String,
    /// `mutex` or `rwlock`.
    pub kind: String,
    /// Its raw lock type.
    pub raw: String,
    /// The lockbench primitive it is, if any.
    pub today: Option<&'static str>,
    /// Distinct threads that took it (over the whole run, not necessarily at once).
    pub threads: usize,
    /// Lock instances sharing the name (replayed as one lock).
    pub instances: u64,
    /// CPUs the program had.
    pub cpus: u64,
    /// Median hold, ns (the critical section replayed).
    pub hold_ns: u64,
    /// Median think time, ns (replayed).
    pub think_ns: u64,
    /// Reads ÷ acquisitions (RwLocks).
    pub read_share: f64,
    /// Contended ÷ acquisitions.
    pub contended_share: f64,
}

/// Harness lengths are whole busy-work lengths: ≥ 20 ns, two significant figures (shorter
/// holds are replayed as an empty critical section).
fn length(ns: u64) -> u64 {
    if ns < 20 {
        return 0;
    }
    let mut scale = 1;
    while ns / scale >= 100 {
        scale *= 10;
    }
    (ns + scale / 2) / scale * scale
}

impl Signature {
    /// The signature of one lock's all-sites row. `None` for a lock with no sampled hold
    /// (nothing to replay).
    pub fn of(row: &LockRow) -> Option<Signature> {
        Some(Signature {
            lock: row.lock.clone(),
            kind: row.kind.clone(),
            raw: row.raw.clone(),
            today: today(&row.raw),
            threads: (row.threads as usize).clamp(1, 256),
            instances: row.instances,
            cpus: row.cpus,
            hold_ns: length(row.hold_p50_ns?),
            think_ns: length(row.think_p50_ns.unwrap_or(0)),
            read_share: row.read_share(),
            contended_share: row.contended_share(),
        })
    }

    /// The candidates measured: those of the lock's kind, and today's lock.
    pub fn candidates(&self) -> Vec<String> {
        let base = if self.kind == "rwlock" {
            READ_WRITE
        } else {
            EXCLUSIVE
        };
        let mut names: Vec<String> = base.iter().map(|s| s.to_string()).collect();
        if let Some(t) = self.today
            && !names.iter().any(|n| n == t)
        {
            names.push(t.to_string());
        }
        names
    }

    /// A file-system-safe name for the lock's run directory: its name and kind
    /// (`kvstore-mutex`). Two locks can share one (`a.b` and `a-b`): the command line refuses
    /// such a selection.
    pub fn slug(&self) -> String {
        let s: String = self
            .lock
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let s = s.trim_matches('-');
        format!("{}-{}", if s.is_empty() { "lock" } else { s }, self.kind)
    }
}

/// The locks to advise on: every lock of the profile with a replayable signature, by total
/// wait (the profile's order), at most `top`; or the named ones.
pub fn signatures(p: &Profile, top: usize, only: &[String]) -> Vec<Signature> {
    p.locks()
        .filter(|r| only.is_empty() || only.contains(&r.lock))
        .filter_map(Signature::of)
        .take(if only.is_empty() { top } else { usize::MAX })
        .collect()
}

/// The sweep of one signature: its candidates at its one point, `trials` clean trials of
/// `duration`; the rest (compact placement, warm-up, sampling, the sentinel and its retries)
/// as the quick preset guards its points.
pub fn spec(sig: &Signature, trials: u32, duration: Duration) -> SweepSpec {
    SweepSpec {
        locks: sig.candidates(),
        threads: vec![sig.threads],
        cs_ns: vec![sig.hold_ns],
        think_ns: vec![sig.think_ns],
        read_ratios: vec![(sig.read_share * 100.0).round() / 100.0],
        stripes: vec![1],
        duration_ns: duration.as_nanos() as u64,
        trials,
        max_trials: trials + 3,
        ..crate::sweep::Preset::Quick.spec(sig.threads)
    }
}

/// The call on one lock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Call {
    /// Today's lock leads, or the leader is within noise or the margin.
    Keep,
    /// The leader is ahead beyond noise and the margin: (gain, low, high).
    Switch(f64, f64, f64),
    /// Too few clean trials, or different cache layouts: no call.
    Inconclusive,
    /// Today's lock is not one lockbench runs: the leader is named, nothing compared.
    NoCall,
}

/// One lock's advice.
#[derive(Debug, Clone)]
pub struct Advice {
    /// What was replayed.
    pub sig: Signature,
    /// The leader and its throughput interval (ops/s).
    pub leader: Option<(String, MedianCi)>,
    /// Today's lock's throughput interval, if measured.
    pub today: Option<MedianCi>,
    /// The call.
    pub call: Call,
    /// Why, in a sentence: the regime and what leads in it.
    pub why: String,
    /// Every candidate's median throughput (ops/s), best first.
    pub ranking: Vec<(String, f64)>,
    /// Candidates the leader is not ahead of beyond noise and the margin (ties with it).
    pub tied: Vec<String>,
    /// Candidates not ranked against today's lock: another cache layout, or too few clean
    /// trials.
    pub not_compared: Vec<String>,
}

fn estimate(p: &Trials, ci: &MedianCi) -> Estimate {
    Estimate {
        lo: ci.lo,
        hi: ci.hi,
        n: ci.n,
        layout_ns: p.layout_ns(),
    }
}

/// Judges one signature's run (its rows) by the rule in the module's docs.
pub fn judge(sig: &Signature, rows: &[RunRecord], cpus: usize) -> Advice {
    let pts = points(rows);
    let mut scored: Vec<(&Trials, MedianCi)> = pts
        .iter()
        .filter(|p| p.first().checked)
        .filter_map(|p| Some((p, median_ci(&p.values(|r| r.throughput_ops_s), CI_LEVEL)?)))
        .collect();
    scored.sort_by(|a, b| b.1.median.total_cmp(&a.1.median));
    let ranking = scored
        .iter()
        .map(|(p, ci)| (p.primitive().to_string(), ci.median))
        .collect();
    let today = sig
        .today
        .and_then(|t| scored.iter().find(|(p, _)| p.primitive() == t))
        .map(|(p, ci)| (*p, *ci));
    // Each candidate against today's lock (`None`: today's lock itself, or none measured).
    let vs_today = |p: &Trials, ci: &MedianCi| match today {
        Some((tp, tci)) if p.primitive() != tp.primitive() => {
            Some(versus(&estimate(p, ci), &estimate(tp, &tci), DELTA))
        }
        _ => None,
    };
    // The leader is chosen among the candidates a call against today's lock can be made for
    // (one cache layout, enough clean trials); the others are named, not ranked.
    let today_measured = today.is_some_and(|(_, ci)| ci.n >= crate::stats::MIN_STABLE_TRIALS);
    let (eligible, others): (Vec<_>, Vec<_>) = scored.iter().partition(|(p, ci)| {
        !today_measured
            || !matches!(
                vs_today(p, ci),
                Some(Versus::NotComparable | Versus::TooFew)
            )
    });
    let not_compared: Vec<String> = others
        .iter()
        .map(|(p, _)| p.primitive().to_string())
        .collect();
    // The candidates ahead of today's lock beyond noise and the margin, fastest first: a
    // switch goes to the first; without one, the leader is the fastest comparable candidate.
    let above: Vec<(&Trials, MedianCi)> = eligible
        .iter()
        .filter(|(p, ci)| today_measured && vs_today(p, ci) == Some(Versus::Above))
        .map(|(p, ci)| (*p, *ci))
        .collect();
    // Keeping today's lock needs every candidate faster than it compared: one on another
    // layout (or with too few trials) could be the better lock.
    let faster_unranked =
        today.is_some_and(|(_, tci)| others.iter().any(|(_, ci)| ci.median > tci.median));
    let leader = above
        .first()
        .copied()
        .or_else(|| eligible.first().map(|(p, ci)| (*p, *ci)));
    let call = match (leader, today) {
        (None, _) => Call::Inconclusive,
        (Some(_), None) if sig.today.is_none() => Call::NoCall,
        // Today's lock ran but has no clean trial (disturbed, or split across layouts).
        (Some(_), None) => Call::Inconclusive,
        (Some(_), Some(_)) if !today_measured => Call::Inconclusive,
        (Some((_, lci)), Some((_, tci))) if !above.is_empty() => {
            Call::Switch(lci.median / tci.median, lci.lo / tci.hi, lci.hi / tci.lo)
        }
        (Some(_), Some(_)) if faster_unranked => Call::Inconclusive,
        (Some(_), Some(_)) => Call::Keep,
    };
    let tied = match leader {
        Some((lp, lci)) => eligible
            .iter()
            .skip(1)
            .filter(|(p, ci)| {
                versus(&estimate(lp, &lci), &estimate(p, ci), DELTA) == Versus::Overlap
            })
            .map(|(p, _)| p.primitive().to_string())
            .collect(),
        None => Vec::new(),
    };
    let why = why(sig, leader.map(|(p, _)| p.first()), cpus);
    Advice {
        sig: sig.clone(),
        leader: leader.map(|(p, ci)| (p.primitive().to_string(), ci)),
        today: today.map(|(_, ci)| ci),
        call,
        why,
        ranking,
        tied,
        not_compared,
    }
}

/// The regime in words, and what leads in it.
fn why(sig: &Signature, leader: Option<&RunRecord>, cpus: usize) -> String {
    let load = match sig.threads.cmp(&cpus) {
        std::cmp::Ordering::Greater => format!(
            "{} threads on {cpus} CPUs: oversubscribed, a spinning waiter can burn the CPU its lock's holder needs",
            sig.threads
        ),
        std::cmp::Ordering::Equal => format!("{} threads on {cpus} CPUs: one per CPU", sig.threads),
        std::cmp::Ordering::Less => format!("{} threads on {cpus} CPUs", sig.threads),
    };
    let mut text = format!(
        "hold p50 {}, think p50 {}, {load}; {:.0}% of acquisitions contended",
        fmt_ns(sig.hold_ns as f64),
        fmt_ns(sig.think_ns as f64),
        100.0 * sig.contended_share
    );
    if sig.kind == "rwlock" {
        text += &format!(", {:.0}% reads", 100.0 * sig.read_share);
    }
    if sig.instances > 1 {
        text += &format!(
            "; {} locks share this name and are replayed as one (their contention is split in the program)",
            sig.instances
        );
    }
    if sig.cpus != 0 && sig.cpus as usize != cpus {
        text += &format!(
            "; the program had {} CPUs, this machine {cpus}: the advice is for this machine",
            sig.cpus
        );
    }
    if let Some(l) = leader {
        let how = if l.sleeps {
            "a lock that sleeps leads here"
        } else {
            "a lock that spins leads here"
        };
        text += &format!("; {how} ({})", l.primitive);
    }
    text
}

impl Advice {
    /// "switch to futex-mutex: ×1.62 (×1.40–×1.85)", "keep parking-lot-mutex", … and the
    /// candidates tied with the leader.
    pub fn verdict(&self) -> String {
        let mut text = self.call_text();
        if !self.tied.is_empty() {
            text += &format!("; tied with the leader: {}", self.tied.join(", "));
        }
        if !self.not_compared.is_empty() {
            text += &format!(
                "; not compared (another cache layout, or too few clean trials): {}",
                self.not_compared.join(", ")
            );
        }
        text
    }

    fn call_text(&self) -> String {
        let today = self.sig.today.unwrap_or("today's lock");
        let leader = self.leader.as_ref().map_or("—", |(n, _)| n.as_str());
        match self.call {
            Call::Keep if self.sig.today == Some(leader) => format!("keep {today}: it leads here"),
            Call::Keep => format!("keep {today}: the leader, {leader}, is within noise or 5%"),
            Call::Switch(g, lo, hi) => {
                format!("switch to {leader}: expected ×{g:.2} (×{lo:.2}–×{hi:.2}) throughput")
            }
            Call::Inconclusive => format!(
                "inconclusive: {leader} leads, but too few clean trials of {today} or {leader}, or different cache layouts, to call it (run it again on a quieter machine)"
            ),
            Call::NoCall => format!(
                "no call: {} is not a lock lockbench runs; {leader} leads here",
                crate::profile::short_type(&self.sig.raw)
            ),
        }
    }
}

/// advice.csv's header.
pub const CSV_HEADER: &str = "lock,kind,today,threads,cpus,hold_ns,think_ns,read_share,contended_share,leader,leader_ops_s,today_ops_s,call,gain,gain_lo,gain_hi,why";

/// One advice.csv row.
pub fn csv_row(a: &Advice) -> String {
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let (call, g, lo, hi) = match a.call {
        Call::Keep => ("keep", String::new(), String::new(), String::new()),
        Call::Switch(g, lo, hi) => (
            "switch",
            format!("{g:.3}"),
            format!("{lo:.3}"),
            format!("{hi:.3}"),
        ),
        Call::Inconclusive => ("inconclusive", String::new(), String::new(), String::new()),
        Call::NoCall => ("no-call", String::new(), String::new(), String::new()),
    };
    format!(
        "{},{},{},{},{},{},{},{:.3},{:.3},{},{},{},{call},{g},{lo},{hi},{}",
        q(&a.sig.lock),
        a.sig.kind,
        a.sig.today.unwrap_or(""),
        a.sig.threads,
        a.sig.cpus,
        a.sig.hold_ns,
        a.sig.think_ns,
        a.sig.read_share,
        a.sig.contended_share,
        a.leader.as_ref().map_or("", |(n, _)| n),
        a.leader
            .as_ref()
            .map_or(String::new(), |(_, ci)| format!("{:.0}", ci.median)),
        a.today
            .map_or(String::new(), |ci| format!("{:.0}", ci.median)),
        q(&a.why)
    )
}

/// The advice as text (stdout and advice.md).
pub fn render(advice: &[Advice], cpus: usize) -> String {
    use crate::units::fmt_rate;
    let mut out = format!(
        "# Lock advice for this machine ({cpus} CPUs)\n\nEach lock's usage replayed on the harness with the candidates of its kind. Rule: switch only when the leader's throughput interval is above today's lock's by more than 5%, on one cache layout, with ≥ 3 clean trials each; otherwise keep (a tie is a tie).\n\n"
    );
    for a in advice {
        out += &format!(
            "## {} ({}, today {})\n\n**{}**\n\n{}\n\n",
            a.sig.lock,
            a.sig.kind,
            a.sig.today.unwrap_or(&a.sig.raw),
            a.verdict(),
            a.why
        );
        out += "| candidate | median throughput |\n|---|---|\n";
        for (name, ops) in &a.ranking {
            let mark = if Some(name.as_str()) == a.sig.today {
                " (today)"
            } else {
                ""
            };
            out += &format!("| {name}{mark} | {} |\n", fmt_rate(*ops));
        }
        out += "\n";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(today: Option<&'static str>) -> Signature {
        Signature {
            lock: "cache".into(),
            kind: "mutex".into(),
            raw: "parking_lot::raw_mutex::RawMutex".into(),
            today,
            threads: 2,
            instances: 1,
            cpus: 2,
            hold_ns: 200,
            think_ns: 500,
            read_share: 0.0,
            contended_share: 0.3,
        }
    }

    fn rows(of: &[(&str, &[f64], f64)]) -> Vec<RunRecord> {
        let mut out = Vec::new();
        for (name, values, layout) in of {
            for (i, v) in values.iter().enumerate() {
                out.push(RunRecord {
                    schema_version: crate::record::SCHEMA_VERSION,
                    primitive: name.to_string(),
                    checked: true,
                    sleeps: name.contains("mutex"),
                    threads: 2,
                    cs_ns: 200,
                    think_ns: 500,
                    trial: i as u32,
                    throughput_ops_s: *v,
                    core_to_core_ns: Some(*layout),
                    core_to_core_before_ns: Some(*layout),
                    ..RunRecord::default()
                });
            }
        }
        out
    }

    #[test]
    fn the_rule_reaches_each_call() {
        let s = sig(Some("parking-lot-mutex"));
        // Switch: the leader is 50% ahead, intervals apart.
        let r = rows(&[
            ("futex-mutex", &[1.5e6, 1.52e6, 1.48e6], 30.0),
            ("parking-lot-mutex", &[1.0e6, 1.01e6, 0.99e6], 30.0),
        ]);
        let a = judge(&s, &r, 2);
        match a.call {
            Call::Switch(g, lo, hi) => {
                assert!((g - 1.5).abs() < 0.01 && lo < g && g < hi, "{a:?}");
            }
            other => panic!("expected switch, got {other:?}"),
        }
        assert!(a.verdict().starts_with("switch to futex-mutex"));
        assert!(a.tied.is_empty());
        // Keep: ahead by 2%, within the margin; the two are tied.
        let r = rows(&[
            ("futex-mutex", &[1.02e6, 1.021e6, 1.019e6], 30.0),
            ("parking-lot-mutex", &[1.0e6, 1.001e6, 0.999e6], 30.0),
        ]);
        let a = judge(&s, &r, 2);
        assert_eq!(a.call, Call::Keep);
        assert_eq!(a.tied, ["parking-lot-mutex"]);
        // Keep: today leads.
        let r = rows(&[
            ("futex-mutex", &[0.5e6, 0.5e6, 0.5e6], 30.0),
            ("parking-lot-mutex", &[1.0e6, 1.0e6, 1.0e6], 30.0),
        ]);
        assert_eq!(judge(&s, &r, 2).call, Call::Keep);
        // The fastest ran on another cache layout: the leader is the best comparable one.
        let r = rows(&[
            ("spin-ttas-backoff", &[3.0e6, 3.0e6, 3.0e6], 100.0),
            ("futex-mutex", &[1.5e6, 1.52e6, 1.48e6], 30.0),
            ("parking-lot-mutex", &[1.0e6, 1.01e6, 0.99e6], 30.0),
        ]);
        let a = judge(&s, &r, 2);
        assert!(matches!(a.call, Call::Switch(..)), "{a:?}");
        assert_eq!(a.leader.as_ref().unwrap().0, "futex-mutex");
        assert_eq!(a.not_compared, ["spin-ttas-backoff"]);
        // Inconclusive: two trials a side.
        let r = rows(&[
            ("futex-mutex", &[1.5e6, 1.5e6], 30.0),
            ("parking-lot-mutex", &[1.0e6, 1.0e6], 30.0),
        ]);
        assert_eq!(judge(&s, &r, 2).call, Call::Inconclusive);
        // Inconclusive: different cache layouts.
        let r = rows(&[
            ("futex-mutex", &[1.5e6, 1.5e6, 1.5e6], 30.0),
            ("parking-lot-mutex", &[1.0e6, 1.0e6, 1.0e6], 100.0),
        ]);
        assert_eq!(judge(&s, &r, 2).call, Call::Inconclusive);
        // No call: today's lock is not one lockbench runs.
        let r = rows(&[("futex-mutex", &[1.5e6, 1.5e6, 1.5e6], 30.0)]);
        assert_eq!(judge(&sig(None), &r, 2).call, Call::NoCall);
        // Inconclusive: today's lock has no row with a clean trial.
        assert_eq!(judge(&s, &r, 2).call, Call::Inconclusive);
        // The fastest median has a wide interval that overlaps today's lock; another
        // candidate is ahead beyond noise: switch to that one.
        let r = rows(&[
            ("spin-ttas-backoff", &[1.0e6, 1.7e6, 3.0e6], 30.0),
            ("futex-mutex", &[1.5e6, 1.52e6, 1.48e6], 30.0),
            ("parking-lot-mutex", &[1.0e6, 1.01e6, 0.99e6], 30.0),
        ]);
        let a = judge(&s, &r, 2);
        assert!(matches!(a.call, Call::Switch(..)), "{a:?}");
        assert_eq!(a.leader.as_ref().unwrap().0, "futex-mutex");
        // The leader ties with today's lock, and a candidate faster than today's lock (if
        // slower than the leader) ran on another layout: not a keep.
        let r = rows(&[
            ("std-mutex", &[1.02e6, 1.02e6, 1.02e6], 30.0),
            ("futex-mutex", &[1.01e6, 1.01e6, 1.01e6], 100.0),
            ("parking-lot-mutex", &[1.0e6, 1.0e6, 1.0e6], 30.0),
        ]);
        assert_eq!(judge(&s, &r, 2).call, Call::Inconclusive);
    }

    #[test]
    fn raw_types_map_to_primitives() {
        use crate::primitives::{futex, spin as ours};
        use std::any::type_name;
        let name = |t: &str| today(t);
        assert_eq!(
            name(type_name::<parking_lot::RawMutex>()),
            Some("parking-lot-mutex")
        );
        assert_eq!(
            name(type_name::<crate::profile::StdRawMutex>()),
            Some("std-mutex")
        );
        // The name a profile of `spin::Mutex<T>` records (the committed fixture's).
        assert_eq!(name("spin::mutex::Mutex<()>"), Some("spin-rs"));
        assert_eq!(
            name(type_name::<futex::AdaptiveMutex>()),
            Some("adaptive-mutex")
        );
        assert_eq!(name(type_name::<ours::Ttas>()), Some("spin-ttas"));
        assert_eq!(
            name(type_name::<ours::TtasBackoff>()),
            Some("spin-ttas-backoff")
        );
        assert_eq!(name(type_name::<futex::FutexMutex>()), Some("futex-mutex"));
        assert_eq!(name("my::Lock"), None);
        // Every name it answers is a registered primitive.
        for t in ["parking_lot::raw_mutex::RawMutex", "spin::mutex::Mutex<()>"] {
            assert!(crate::registry::find(today(t).unwrap()).is_some());
        }
    }

    #[test]
    fn lengths_are_replayable() {
        assert_eq!(length(5), 0);
        assert_eq!(length(20), 20);
        assert_eq!(length(347), 350);
        assert_eq!(length(12_345), 12_000);
    }
}
