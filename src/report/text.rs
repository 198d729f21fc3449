//! Terminal tables: the summary `lockbench run` prints, the closing summary of a sweep and
//! the host-probe table of `lockbench probe`. Written to any `Write`, so the command line only chooses stdout.

use crate::analysis::aggregate::{TrialFacts, layout_mask, undisturbed};
use crate::harness::{Env, Point};
use crate::probes::Probes;
use crate::record::{Family, Placement, RunRecord};
use crate::stats::summarize;
use crate::units::{fmt_ns, fmt_rate};
use std::io::{self, Write};
use std::path::Path;

/// The probe table: one line per probe with percentiles, then the core-to-core matrix.
pub fn write_probes(out: &mut dyn Write, p: &Probes) -> io::Result<()> {
    writeln!(
        out,
        "{:<44} {:>10} {:>10} {:>10} {:>10} {:>8}",
        "probe", "p50", "p10", "p90", "p99", "samples"
    )?;
    for (name, fig) in p.labelled() {
        match fig {
            Some(f) => writeln!(
                out,
                "{name:<44} {:>10} {:>10} {:>10} {:>10} {:>8}",
                fmt_ns(f.p50_ns),
                fmt_ns(f.p10_ns),
                fmt_ns(f.p90_ns),
                fmt_ns(f.p99_ns),
                f.samples
            )?,
            None => writeln!(out, "{name:<44} {:>10}", "n/a (one CPU)")?,
        }
    }
    if p.core_to_core_cpus.len() > 1 {
        writeln!(
            out,
            "\ncore-to-core one-way latency (CAS ping-pong, batches of 1000 round trips: median batch / 2), from row to column:"
        )?;
        write!(out, "{:>6}", "")?;
        for c in &p.core_to_core_cpus {
            write!(out, "{:>9}", format!("cpu{c}"))?;
        }
        writeln!(out)?;
        for (i, row) in p.core_to_core_ns.iter().enumerate() {
            write!(out, "{:>6}", format!("cpu{}", p.core_to_core_cpus[i]))?;
            for v in row {
                let cell = if v.is_nan() {
                    "—".to_string()
                } else {
                    fmt_ns(*v)
                };
                write!(out, "{cell:>9}")?;
            }
            writeln!(out)?;
        }
    }
    Ok(())
}

/// The summary of `lockbench run`: host, placement, warnings (timed-out and degraded trials,
/// CPU share, sentinel), then median, min, max and spread of every metric over the clean
/// trials (or, under a warning, over all of them when none is clean).
pub fn write_run_summary(
    out: &mut dyn Write,
    env: &Env,
    point: &Point,
    records: &[&RunRecord],
) -> io::Result<()> {
    let first = records[0];
    write_setting(out, env, point, first)?;
    write_signals(out, records)?;
    let Some((ok, which)) = clean_or_shown(out, records)? else {
        writeln!(out, "every trial timed out: nothing to summarise")?;
        return Ok(());
    };
    writeln!(
        out,
        "\n{:<22} {:>13} {:>13} {:>13} {:>8}   ({} {which})",
        "metric",
        "median",
        "min",
        "max",
        "spread",
        ok.len()
    )?;
    for (name, get, fmt) in metric_rows(first, &ok) {
        let values: Vec<f64> = ok.iter().map(|r| get(r)).collect();
        if let Some(s) = summarize(&values) {
            writeln!(
                out,
                "{name:<22} {:>13} {:>13} {:>13} {:>7.1}%",
                fmt(s.median),
                fmt(s.min),
                fmt(s.max),
                s.spread * 100.0
            )?;
        }
    }
    Ok(())
}

/// The host, the calibration and the placement of a point's run.
fn write_setting(
    out: &mut dyn Write,
    env: &Env,
    point: &Point,
    first: &RunRecord,
) -> io::Result<()> {
    writeln!(
        out,
        "host        {} — {}",
        first.cpu_model,
        env.host.topology.summary()
    )?;
    writeln!(
        out,
        "calibration busy work {:.3} units/ns; clock read {:.1} ns",
        env.busy.units_per_ns(),
        env.clock_overhead_ns
    )?;
    writeln!(
        out,
        "placement   {} — {}{}",
        point.setting.placement.as_str(),
        if first.pinned {
            format!("pinned to CPUs [{}]", first.pin_map.replace(';', ", "))
        } else if point.setting.placement == Placement::None {
            "unpinned".to_string()
        } else {
            "PINNING FAILED: threads ran unpinned".to_string()
        },
        match (first.oversubscribed, first.pinned) {
            (true, true) => format!(
                "; OVERSUBSCRIBED: {} threads on {} CPUs, pinned round-robin (thread t on the \
                 (t mod CPUs)-th CPU of the order: they time-share a CPU and never migrate; \
                 --pin none for an unpinned contrast)",
                point.setting.threads,
                env.host.usable_cpus()
            ),
            (true, false) => format!(
                "; OVERSUBSCRIBED: {} threads on {} CPUs, unpinned (the scheduler may migrate them)",
                point.setting.threads,
                env.host.usable_cpus()
            ),
            _ => String::new(),
        }
    )?;
    Ok(())
}

/// What disturbed the trials: time-outs, degraded trials and why, the CPU and run-queue
/// shares, the sentinel's lowest reading.
fn write_signals(out: &mut dyn Write, records: &[&RunRecord]) -> io::Result<()> {
    let timed_out = records.iter().filter(|r| r.timed_out).count();
    if timed_out > 0 {
        writeln!(
            out,
            "WARNING     {timed_out} trial(s) timed out and are excluded below"
        )?;
    }
    let degraded: Vec<&str> = records
        .iter()
        .filter(|r| r.degraded)
        .map(|r| r.degraded_by.as_str())
        .collect();
    if !degraded.is_empty() {
        let mut why: Vec<&str> = degraded.iter().flat_map(|d| d.split(';')).collect();
        why.sort_unstable();
        why.dedup();
        writeln!(
            out,
            "WARNING     {} trial(s) DEGRADED (machine disturbed: {}) and excluded below",
            degraded.len(),
            why.join(", ")
        )?;
    }
    let shares: Vec<f64> = records.iter().filter_map(|r| r.cpu_share).collect();
    if let (Some(lo), Some(hi)) = (
        shares.iter().copied().reduce(f64::min),
        shares.iter().copied().reduce(f64::max),
    ) {
        let runq: Vec<f64> = records.iter().filter_map(|r| r.runq_share).collect();
        writeln!(
            out,
            "CPU share   {lo:.2}–{hi:.2} of the threads' CPUs over the window; run-queue share {}",
            match (
                runq.iter().copied().reduce(f64::min),
                runq.iter().copied().reduce(f64::max)
            ) {
                (Some(a), Some(b)) => format!("{a:.2}–{b:.2}"),
                _ => "n/a".to_string(),
            }
        )?;
    }
    if let Some(low) = records
        .iter()
        .filter_map(|r| r.sentinel_before.zip(r.sentinel_after))
        .map(|(a, b)| a.min(b))
        .chain(records.iter().filter_map(|r| r.sentinel_during))
        .reduce(f64::min)
    {
        writeln!(
            out,
            "sentinel    lowest reading {low:.2} (before, after and during; 1.00 = truly parallel)"
        )?;
    }
    Ok(())
}

/// The point's clean trials (warning about any on another cache layout), or, when none is
/// clean, every trial that finished under a warning; `None` when every trial timed out.
fn clean_or_shown<'r>(
    out: &mut dyn Write,
    records: &[&'r RunRecord],
) -> io::Result<Option<(Vec<&'r RunRecord>, &'static str)>> {
    // The point's clean trials, by the rule every table uses (degraded, timed out and
    // off-layout trials left out).
    let facts: Vec<TrialFacts> = records.iter().map(|r| TrialFacts::of(r)).collect();
    let on_layout = layout_mask(&facts);
    let moved: Vec<&RunRecord> = records
        .iter()
        .zip(&on_layout)
        .filter(|(_, on)| !**on)
        .map(|(r, _)| *r)
        .collect();
    if !moved.is_empty() {
        let ns = |v: Option<f64>| v.map_or("n/a".to_string(), |v| format!("{v:.0} ns"));
        writeln!(
            out,
            "WARNING     {} trial(s) ran with the CPUs another cache distance apart than the \
             others (a vCPU moved; core-to-core before/after: {}) and are excluded below",
            moved.len(),
            moved
                .iter()
                .map(|r| format!(
                    "{} / {}",
                    ns(r.core_to_core_before_ns),
                    ns(r.core_to_core_ns)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        )?;
    }
    let mut ok: Vec<&RunRecord> = records
        .iter()
        .copied()
        .zip(&on_layout)
        .filter(|(r, on)| **on && undisturbed(r))
        .map(|(r, _)| r)
        .collect();
    let mut which = "clean trials";
    if ok.is_empty() {
        // Show what was measured rather than nothing, under a warning no one can miss.
        ok = records.iter().copied().filter(|r| !r.timed_out).collect();
        which = "trials, NONE CLEAN (degraded or on another cache layout): not trustworthy";
        if ok.is_empty() {
            return Ok(None);
        }
    }
    Ok(Some((ok, which)))
}

type Row = (&'static str, fn(&RunRecord) -> f64, fn(f64) -> String);

/// The metrics a point's table shows: throughput and time per op always; waits, holds and
/// hand-offs when ops were timed; CPU, fairness, retries and lost updates where they apply.
fn metric_rows(first: &RunRecord, ok: &[&RunRecord]) -> Vec<Row> {
    let ns = |v: f64| fmt_ns(v);
    let plain2 = |v: f64| format!("{v:.3}");
    let mut rows: Vec<Row> = vec![
        ("throughput", |r| r.throughput_ops_s, fmt_rate),
        (
            "time per op per thread",
            |r| r.threads as f64 * 1e9 / r.throughput_ops_s.max(1e-9),
            ns,
        ),
    ];
    if first.sampled_ops > 0 {
        rows.extend::<[Row; 5]>([
            ("wait p50", |r| r.wait_p50_ns, ns),
            (
                "wait p50 − clock read",
                |r| r.wait_net_p50_ns.unwrap_or(f64::NAN),
                ns,
            ),
            ("wait p99", |r| r.wait_p99_ns.unwrap_or(f64::NAN), ns),
            ("wait p99.9", |r| r.wait_p999_ns.unwrap_or(f64::NAN), ns),
            ("wait max", |r| r.wait_max_ns, ns),
        ]);
        // Counters have no hold time: their whole update is the "wait".
        if first.family != Family::Atomic {
            rows.extend::<[Row; 3]>([
                ("hold mean (as timed)", |r| r.hold_mean_ns, ns),
                (
                    "achieved cs (− clock)",
                    |r| r.achieved_cs_ns.unwrap_or(f64::NAN),
                    ns,
                ),
                ("hold p99", |r| r.hold_p99_ns.unwrap_or(f64::NAN), ns),
            ]);
        }
        if first.handoffs.is_some() {
            rows.extend::<[Row; 3]>([
                (
                    "hand-offs per timed release",
                    |r| r.handoff_share.unwrap_or(f64::NAN),
                    plain2,
                ),
                ("hand-off p50", |r| r.handoff_p50_ns.unwrap_or(f64::NAN), ns),
                ("hand-off p99", |r| r.handoff_p99_ns.unwrap_or(f64::NAN), ns),
            ]);
        }
        if first.holder_preempted.is_some() {
            rows.push((
                "holder preempted (share)",
                |r| r.holder_preempted_share.unwrap_or(f64::NAN),
                |v| format!("{v:.5}"),
            ));
        }
    }
    rows.extend::<[Row; 6]>([
        ("ops per CPU-second", |r| r.ops_per_cpu_s, fmt_rate),
        ("CPU time", |r| r.cpu_s * 1e9, ns),
        ("voluntary csw per op", |r| r.vcsw_per_op, plain2),
        ("involuntary csw per op", |r| r.ivcsw_per_op, plain2),
        ("Jain fairness (0–1]", |r| r.jain_index, plain2),
        ("min thread share", |r| r.min_share, plain2),
    ]);
    if first.family == Family::Atomic || ok.iter().any(|r| r.retries_per_op > 0.0) {
        rows.push(("retries per op", |r| r.retries_per_op, plain2));
    }
    if first.lost_updates > 0 || !first.checked {
        rows.push((
            "lost updates",
            |r| r.lost_updates as f64,
            |v| format!("{v:.0}"),
        ));
    }
    rows
}

/// The closing lines of a sweep: how many points, how many flagged, degraded or timed out,
/// the leader of each regime (ties said as ties), and the commands that come next.
pub fn write_sweep_summary(out: &mut dyn Write, rows: &[RunRecord], dir: &Path) -> io::Result<()> {
    use crate::analysis::aggregate::{Param, points};
    let pts = points(rows);
    let flagged = pts.iter().filter(|p| p.flagged()).count();
    let degraded = rows.iter().filter(|r| r.degraded).count();
    let timed_out = rows.iter().filter(|r| r.timed_out).count();
    let moved: usize = pts.iter().map(|p| p.moved_trials()).sum();
    writeln!(
        out,
        "summary: {} point(s), {} trial(s); {flagged} point(s) flagged ({:.0}%: no clean trial, or fewer clean trials than planned); {degraded} trial(s) degraded, {timed_out} timed out, {moved} on another cache layout than their point's (a vCPU moved; left out)",
        pts.len(),
        rows.len(),
        100.0 * flagged as f64 / pts.len().max(1) as f64,
    )?;
    let leaders = crate::analysis::best::leaders(&pts);
    if !leaders.is_empty() {
        writeln!(
            out,
            "best per regime (median throughput and its confidence interval; lead over the runner-up):"
        )?;
    }
    for l in &leaders {
        let best = l.best.0;
        writeln!(
            out,
            "  {:<10} {:<40} {:<28} {:<46}  {}",
            l.family,
            l.setting.describe(&Param::ALL),
            format!(
                "{}{}",
                best.primitive(),
                if best.flagged() { " (flagged)" } else { "" }
            ),
            l.throughput(),
            match l.runner_up {
                Some((r, _)) => format!("{} over {}", l.lead.describe(), r.primitive()),
                None => l.lead.describe(),
            }
        )?;
    }
    let d = dir.display();
    writeln!(
        out,
        "next: lockbench report {d}   (report.html: tables and every chart)\n      lockbench plot {d}     (charts only)\n      lockbench compare <other run> {d}"
    )
}
