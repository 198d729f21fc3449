//! A trial's CSV row, from the merged per-thread stats: counts and rates, CPU cost and
//! fairness over the measured window, the disturbance shares, and the latency percentiles of
//! the latency window.

use super::{Collected, Env, Point, ThreadStats, TrialOutput, point_cpu_count, runner};
use crate::record::{Family, Placement, RunRecord, SCHEMA_VERSION};
use crate::stats::Fairness;
use hdrhistogram::Histogram;

/// Samples a percentile needs behind it: at least this many samples lie beyond it (so
/// p99 needs 1 000 samples and p99.9 10 000). With fewer, the "percentile" is one of the
/// few largest samples, close to the maximum, and the column is left empty instead.
pub const TAIL_SAMPLES: f64 = 10.0;

/// The latency figures a record keeps from one histogram (0 / empty when it is empty).
struct Percentiles {
    p50: f64,
    p90: Option<f64>,
    p99: Option<f64>,
    p999: Option<f64>,
    max: f64,
    mean: f64,
}

impl Percentiles {
    fn of(h: &Histogram<u64>) -> Percentiles {
        if h.is_empty() {
            return Percentiles {
                p50: 0.0,
                p90: None,
                p99: None,
                p999: None,
                max: 0.0,
                mean: 0.0,
            };
        }
        let q = |p: f64| h.value_at_quantile(p) as f64;
        let backed = |p: f64| (h.len() as f64 * (1.0 - p) >= TAIL_SAMPLES).then(|| q(p));
        Percentiles {
            p50: q(0.5),
            p90: backed(0.9),
            p99: backed(0.99),
            p999: backed(0.999),
            max: h.max() as f64,
            mean: h.mean(),
        }
    }
}

/// The threads' histograms added up.
struct Merged {
    wait: Histogram<u64>,
    hold: Histogram<u64>,
    read_wait: Histogram<u64>,
    write_wait: Histogram<u64>,
    handoff: Histogram<u64>,
}

impl Merged {
    fn of(stats: &[ThreadStats]) -> Merged {
        let empty = ThreadStats::new();
        let mut m = Merged {
            wait: empty.wait,
            hold: empty.hold,
            read_wait: empty.read_wait,
            write_wait: empty.write_wait,
            handoff: empty.handoff,
        };
        for s in stats {
            // Same bounds everywhere, so adding cannot fail.
            let _ = m.handoff.add(&s.handoff);
            let _ = m.wait.add(&s.wait);
            let _ = m.hold.add(&s.hold);
            let _ = m.read_wait.add(&s.read_wait);
            let _ = m.write_wait.add(&s.write_wait);
        }
        m
    }
}

/// CPU cost, fairness and the run-queue share of one trial.
struct Shares {
    cpu_s: f64,
    cpu_share: Option<f64>,
    runq_share: Option<f64>,
    fairness: Fairness,
}

impl Shares {
    fn of(env: &Env, point: &Point, collected: &Collected) -> Shares {
        let stats = &collected.threads;
        let elapsed_s = collected.elapsed_ns as f64 / 1e9;
        let usage_known = !stats.iter().any(|s| s.usage_missing);
        let cpu_s: f64 = stats.iter().map(|s| s.usage.cpu.as_secs_f64()).sum();
        // Each thread's own window start (its usage reading), or the window's.
        let thread_start = |s: &ThreadStats| {
            if s.window_start != 0 {
                s.window_start
            } else {
                collected.start
            }
        };
        let own_ns = |s: &ThreadStats| env.clock.delta_ns(thread_start(s), s.finished_at);
        let fairness = if point.fixed_ops.is_some() {
            // Every thread does the same count; fairness is in how long each took (its rate
            // over its own time from the window's start to finishing its quota).
            let rates: Vec<f64> = stats
                .iter()
                .map(|s| s.ops as f64 / own_ns(s).max(1) as f64)
                .collect();
            crate::stats::fairness_of(&rates)
        } else {
            let per_thread_ops: Vec<u64> = stats.iter().map(|s| s.ops).collect();
            crate::stats::fairness(&per_thread_ops)
        };
        // Over the latency and the measured windows: a disturbance of either is one of the
        // trial, and a hog that comes and goes is likelier seen over the longer span. The
        // latency window counts only if every thread's delay over it was read.
        let latency_read = stats.iter().all(|s| s.latency_run_delay.is_some());
        let run_delay_s: Option<f64> = stats
            .iter()
            .map(|s| {
                let latency = s
                    .latency_run_delay
                    .filter(|_| latency_read)
                    .unwrap_or_default();
                s.usage.run_delay.map(|d| (d + latency).as_secs_f64())
            })
            .sum();
        let latency_s = if latency_read {
            collected.latency_ns as f64 / 1e9
        } else {
            0.0
        };
        let judged_s = elapsed_s + latency_s;
        let runq_share = run_delay_s
            .filter(|_| usage_known && elapsed_s > 0.0 && !stats.is_empty())
            .map(|d| d / (stats.len() as f64 * judged_s));
        let cpus = point
            .setting
            .threads
            .min(point_cpu_count(env, point))
            .max(1) as f64;
        let cpu_share = if point.fixed_ops.is_some() {
            // Each thread's window is its own, from the start to finishing its quota.
            let own_s: f64 = stats.iter().map(|s| own_ns(s) as f64 / 1e9).sum();
            (usage_known && own_s > 0.0)
                .then(|| cpu_s / own_s * point.setting.threads as f64 / cpus)
        } else {
            (usage_known && elapsed_s > 0.0).then(|| cpu_s / (cpus * elapsed_s))
        };
        Shares {
            cpu_s,
            cpu_share,
            runq_share,
            fairness,
        }
    }
}

/// What the latency window's timed ops give: percentiles, hand-offs and preempted holders.
struct Latency {
    wait: Percentiles,
    hold: Percentiles,
    read_wait: Percentiles,
    write_wait: Percentiles,
    handoff: Percentiles,
    handoffs: u64,
    handoff_p50: Option<f64>,
    holds_checked: u64,
    holder_preempted: u64,
    /// Holds judged against a threshold: timed exclusive sections of a length in ns.
    preempt_threshold: Option<u64>,
}

impl Latency {
    fn of(env: &Env, point: &Point, stats: &[ThreadStats], merged: &Merged) -> Latency {
        let handoff = Percentiles::of(&merged.handoff);
        // A median needs samples on both sides, as the tail percentiles need them beyond:
        // with fewer than 2 × TAIL_SAMPLES hand-offs (a lock that rarely changes hands) it
        // stays empty.
        let handoffs = merged.handoff.len();
        let handoff_p50 = (handoffs as f64 * 0.5 >= TAIL_SAMPLES).then_some(handoff.p50);
        let holds_checked: u64 = stats.iter().map(|s| s.holds_checked).sum();
        // Hand-offs and preemptions are measured on the exclusive-lock loop's timed holds.
        let exclusive_timed = holds_checked > 0;
        Latency {
            wait: Percentiles::of(&merged.wait),
            hold: Percentiles::of(&merged.hold),
            read_wait: Percentiles::of(&merged.read_wait),
            write_wait: Percentiles::of(&merged.write_wait),
            handoff,
            handoffs,
            handoff_p50,
            holds_checked,
            holder_preempted: stats.iter().map(|s| s.holder_preempted).sum(),
            preempt_threshold: runner::preempted_hold_ns(env, point).filter(|_| exclusive_timed),
        }
    }
}

/// Builds the record for one trial from the merged per-thread stats.
pub(crate) fn build_record(
    env: &Env,
    point: &Point,
    family: Family,
    trial: u32,
    collected: &Collected,
    lost_updates: u64,
) -> TrialOutput {
    let stats = &collected.threads;
    let merged = Merged::of(stats);
    let shares = Shares::of(env, point, collected);
    let latency = Latency::of(env, point, stats, &merged);
    let record = record(env, point, family, trial, collected, &shares, &latency);
    TrialOutput {
        record: RunRecord {
            lost_updates,
            sampled_ops: merged.wait.len(),
            ..record
        },
        wait: merged.wait,
        hold: merged.hold,
        handoff: merged.handoff,
        per_thread_ops: stats.iter().map(|s| s.ops).collect(),
    }
}

/// Every column of the row; the judgement columns (sentinel, degraded, stability) are left
/// for the guard and the sweep to fill. Long by design: one literal of every column, so the
/// compiler names a new column this function does not fill.
fn record(
    env: &Env,
    point: &Point,
    family: Family,
    trial: u32,
    collected: &Collected,
    shares: &Shares,
    latency: &Latency,
) -> RunRecord {
    let host = &env.host.info;
    let stats = &collected.threads;
    let ops: u64 = stats.iter().map(|s| s.ops).sum();
    let reads: u64 = stats.iter().map(|s| s.reads).sum();
    let elapsed_s = collected.elapsed_ns as f64 / 1e9;
    let per_s = |n: u64| {
        if elapsed_s > 0.0 {
            n as f64 / elapsed_s
        } else {
            0.0
        }
    };
    let per_op = |n: u64| if ops > 0 { n as f64 / ops as f64 } else { 0.0 };
    let pin_map: Vec<String> = stats
        .iter()
        .filter_map(|s| s.pinned_to.map(|c| c.to_string()))
        .collect();
    // A timed wait or hold includes one clock read (the one that ends it).
    let net = |v: f64| (v - env.clock_overhead_ns).max(0.0);
    let (w, h, rw, ww) = (
        &latency.wait,
        &latency.hold,
        &latency.read_wait,
        &latency.write_wait,
    );
    let checked = latency.holds_checked;
    let preempt = latency.preempt_threshold;
    RunRecord {
        schema_version: SCHEMA_VERSION,
        // Set by the run's sink when the row is written.
        run_id: String::new(),
        row: None,
        host_id: host.host_id.clone(),
        cpu_model: host.cpu_model.clone(),
        logical_cpus: host.logical_cpus,
        physical_cores: host.physical_cores,
        smt: host.smt,
        kernel: host.kernel.clone(),
        rustc: host.rustc.clone(),
        lockbench_version: host.lockbench_version.clone(),
        git_sha: host.git_sha.clone(),
        // What the primitive declares (`registry::Primitive::run` writes it); until then a
        // row counts as checked and spinning, as the in-run checks assume.
        checked: true,
        sleeps: false,
        primitive: point.primitive.clone(),
        family,
        threads: point.setting.threads,
        cs_ns: point.setting.cs_ns,
        think_ns: point.setting.think_ns,
        read_ratio: point.setting.read_ratio,
        stripes: point.setting.stripes,
        key_skew: point.setting.key_skew,
        placement: point.setting.placement,
        duration_ms: point.duration.as_secs_f64() * 1e3,
        warmup_ms: point.warmup.as_secs_f64() * 1e3,
        latency_ms: Some(point.latency_window().unwrap_or_default().as_secs_f64() * 1e3),
        latency_ops: Some(stats.iter().map(|s| s.latency_ops).sum()),
        sample_every: point.sample_every,
        fixed_ops: point.fixed_ops,
        trial,
        oversubscribed: point.setting.threads > env.host.usable_cpus(),
        pinned: point.setting.placement != Placement::None && stats.iter().all(|s| !s.pin_failed),
        pin_map: pin_map.join(";"),
        timed_out: collected.timed_out,
        busy_units_per_ns: env.busy.units_per_ns(),
        clock_read_ns: env.clock_overhead_ns,
        sentinel_before: None,
        core_to_core_ns: None,
        core_to_core_before_ns: None,
        sentinel_after: None,
        degraded: false,
        attempts: 1,
        steal_ms: collected.steal_ms,
        single_core_units_per_ns: None,
        clean_trials: 0,
        throughput_spread: 0.0,
        stable: false,
        throughput_ci_lo_ops_s: None,
        throughput_ci_hi_ops_s: None,
        ci_level: None,
        ops,
        elapsed_s,
        throughput_ops_s: per_s(ops),
        reads_ops_s: per_s(reads),
        writes_ops_s: per_s(ops.saturating_sub(reads)),
        wait_p50_ns: w.p50,
        wait_p90_ns: w.p90,
        wait_p99_ns: w.p99,
        wait_p999_ns: w.p999,
        wait_max_ns: w.max,
        hold_p50_ns: h.p50,
        hold_p90_ns: h.p90,
        hold_p99_ns: h.p99,
        hold_p999_ns: h.p999,
        hold_max_ns: h.max,
        hold_mean_ns: h.mean,
        achieved_cs_ns: (h.mean > 0.0).then(|| net(h.mean)),
        wait_net_p50_ns: (w.p50 > 0.0).then(|| net(w.p50)),
        wait_net_p99_ns: w.p99.map(net),
        hold_net_p50_ns: (h.p50 > 0.0).then(|| net(h.p50)),
        read_wait_p50_ns: rw.p50,
        read_wait_p99_ns: rw.p99,
        read_wait_p999_ns: rw.p999,
        read_wait_max_ns: rw.max,
        write_wait_p50_ns: ww.p50,
        write_wait_p99_ns: ww.p99,
        write_wait_p999_ns: ww.p999,
        write_wait_max_ns: ww.max,
        // Set by `build_record`, which holds the merged histograms.
        sampled_ops: 0,
        cpu_s: shares.cpu_s,
        ops_per_cpu_s: if shares.cpu_s > 0.0 {
            ops as f64 / shares.cpu_s
        } else {
            0.0
        },
        vcsw_per_op: per_op(stats.iter().map(|s| s.usage.voluntary_switches).sum()),
        ivcsw_per_op: per_op(stats.iter().map(|s| s.usage.involuntary_switches).sum()),
        jain_index: shares.fairness.jain,
        min_share: shares.fairness.min_share,
        max_share: shares.fairness.max_share,
        retries_per_op: per_op(stats.iter().map(|s| s.retries).sum()),
        // Set by `build_record`, from the workload's own check.
        lost_updates: 0,
        sentinel_during: collected.sentinel_during,
        cpu_share: shares.cpu_share,
        runq_share: shares.runq_share,
        degraded_by: String::new(),
        discarded_by: String::new(),
        clock_source: env.clock.source().as_str().to_string(),
        layout: point.layout.as_str().to_string(),
        cs_steps: point.steps.map(|s| s.inside),
        think_steps: point.steps.map(|s| s.outside),
        handoffs: (checked > 0).then_some(latency.handoffs),
        handoff_share: (checked > 0).then(|| latency.handoffs as f64 / checked as f64),
        handoff_p50_ns: latency.handoff_p50,
        handoff_p99_ns: latency.handoff.p99,
        holder_preempted: preempt.map(|_| latency.holder_preempted),
        holder_preempted_share: preempt.map(|_| latency.holder_preempted as f64 / checked as f64),
        preempted_hold_ns: preempt.map(|t| t as f64),
    }
}
