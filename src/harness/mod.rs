//! The harness: runs one point (one primitive under one configuration) and returns one
//! measured [`RunRecord`] per trial.
//!
//! Protocol, identical for every primitive (see DESIGN.md, "Measurement protocol"):
//! host facts and calibration once per process; per trial, spawn and pin the threads, start
//! them together at a barrier, run a discarded warm-up, then the measured window (fixed time,
//! or fixed total work); a stop flag ends it and a watchdog ends a point that overruns its
//! budget; per-thread recorders (cache-padded, merged only after join) hold histograms, op
//! counts and CPU usage; finally the primitive's invariant is checked, and a broken lock is an
//! error, never a number.

mod classic;
pub mod clock;
pub mod host;
mod row;
mod runner;
pub use row::TAIL_SAMPLES;
use row::build_record;
pub mod sentinel;
pub mod topology;
pub mod workloads;
pub use classic::{run_barrier, run_queue, run_semaphore};

pub use runner::{
    LockRun, ProtectedData, run_counter, run_exclusive, run_rwlock, time_counter_ops,
    time_exclusive_contended, time_exclusive_ops,
};

use crate::record::RunRecord;
use crate::workload::BusyWork;
use clock::Clock;
use hdrhistogram::Histogram;
use host::Host;
use std::time::Duration;
use topology::Placement;

/// One configuration of one primitive.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Registry name of the primitive.
    pub primitive: String,
    /// Where the point sits on the sweep's axes: threads (may exceed the CPU count:
    /// oversubscription), critical-section and think-time lengths in ns (calibrated busy work
    /// inside and outside the lock), read ratio (reader-writer primitives), stripes / accounts /
    /// permits, key skew (0 uniform, s > 0 Zipf-like) and placement.
    pub setting: crate::record::Setting,
    /// Seed of the per-thread random streams (operation mix, keys).
    pub seed: u64,
    /// Where the protected data lives relative to the lock.
    pub layout: crate::record::Layout,
    /// Work in the parking_lot benchmark's units instead of `cs_ns` / `think_ns` (exclusive
    /// locks only): dependent f64 add-multiply steps inside and outside the lock.
    pub steps: Option<Steps>,
    /// Measured window (fixed-time mode).
    pub duration: Duration,
    /// Discarded warm-up before the window.
    pub warmup: Duration,
    /// Latency sampling in the latency window ([`Point::latency_window`]): 1 = every op,
    /// N = one in N, 0 = none (and no latency window).
    pub sample_every: u32,
    /// Fixed total work instead of a fixed window: the slowest thread decides the time.
    pub fixed_ops: Option<u64>,
    /// Time budget for one trial; past it the watchdog stops the trial as timed out.
    pub timeout: Duration,
}

impl Point {
    /// The latency window, between the warm-up and the measured window: a quarter of the
    /// measured window (one op in 16 of a 20 ms window at a million ops per second is over a
    /// thousand samples), with one op in `sample_every` timed (wait, hold, hand-off) and
    /// none counted; `None` when nothing is sampled. The measured window times nothing, so
    /// its throughput, CPU cost and fairness are the primitive's own, not the clock reads'.
    pub fn latency_window(&self) -> Option<Duration> {
        (self.sample_every > 0).then(|| self.duration / 4)
    }

    /// A point with the harness defaults: every axis at its neutral value (`record::AXES`: 2
    /// threads, no cs or think time, compact placement), 500 ms window after 100 ms warm-up,
    /// every op timed.
    pub fn new(primitive: &str) -> Point {
        Point {
            primitive: primitive.to_string(),
            setting: crate::record::Setting::neutral(),
            seed: 0x10C_BE4C,
            layout: crate::record::Layout::Separate,
            steps: None,
            duration: Duration::from_millis(500),
            warmup: Duration::from_millis(100),
            sample_every: 1,
            fixed_ops: None,
            timeout: Duration::from_secs(60),
        }
    }
}

/// Work counted in steps, as parking_lot's `benchmark/` counts it: one step is a dependent
/// f64 add then multiply (`x += v; x *= 1.01; v = x`), on the protected value inside the lock
/// and on a thread-local value outside it. For agreement checks against that benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Steps {
    /// Steps inside the lock.
    pub inside: u32,
    /// Steps outside the lock, between operations.
    pub outside: u32,
}

pub use crate::record::DEFAULT_SAMPLE_EVERY;

/// Per-process measurement context: host facts and calibrations, made once.
#[derive(Debug, Clone)]
pub struct Env {
    /// The machine.
    pub host: Host,
    /// The TSC clock.
    pub clock: Clock,
    /// Median cost of one clock read, in nanoseconds.
    pub clock_overhead_ns: f64,
    /// Busy-work calibration (the trial's own with [`Env::calibrate_per_trial`]).
    pub busy: BusyWork,
    /// The calibration made at start-up: the sentinel's reference speed for "a CPU is slow"
    /// (a trial's own calibration, made just before it, could share its disturbance), and the
    /// check on every per-trial calibration.
    pub startup_busy: BusyWork,
    /// Read the parallelism sentinel *during* trials whose window is at least
    /// [`MID_TRIAL_SENTINEL_FROM`], with legs of this length; `None` (the default) never
    /// pauses a trial. Sweeps with the sentinel on set it.
    pub mid_trial_sentinel: Option<Duration>,
    /// Calibrate the busy work afresh for trials rather than once per process: before every
    /// trial through [`Env::for_trial`]; a sweep calibrates once per configuration whose points
    /// run busy work, and again when the CPUs' speed drifts (`sweep::upkeep`), so the trials
    /// of different configurations do not share one calibration's error. Sweeps set it.
    pub calibrate_per_trial: bool,
    /// The scheduler tick (1 / CONFIG_HZ), ns ([`clock::sched_tick_ns`]): what the
    /// lock-holder preemption count measures hold times against.
    pub sched_tick_ns: u64,
}

/// How far a trial's own busy-work calibration may fall from the start-up one before it is
/// taken as disturbed ([`Env::for_trial`]): 10%, the sentinel's default threshold.
pub const CALIBRATION_TOLERANCE: f64 = 1.0 - crate::record::DEFAULT_SENTINEL_THRESHOLD;

/// Trials with a window at least this long get a sentinel reading in the middle.
pub const MID_TRIAL_SENTINEL_FROM: Duration = Duration::from_millis(400);

impl Env {
    /// Whether the busy work can make `point`'s critical section and think time here: 0, or
    /// at least its floor ([`crate::workload::BusyWork::floor_ns`]). `--steps` work is
    /// counted in steps, with no floor.
    pub fn check_lengths(&self, point: &Point) -> Result<(), HarnessError> {
        if point.steps.is_some() {
            return Ok(());
        }
        self.busy
            .check_length("--cs", point.setting.cs_ns)
            .and_then(|()| self.busy.check_length("--think", point.setting.think_ns))
            .map_err(HarnessError::TooShort)
    }

    /// The host without any calibration (busy work at 1 unit per ns, no fence, clock overhead
    /// taken as 0): for code that needs an `Env` but never measures, such as pipeline tests
    /// with a fake primitive.
    pub fn uncalibrated() -> Env {
        Env {
            host: Host::detect(),
            clock: Clock::new(),
            clock_overhead_ns: 0.0,
            busy: BusyWork::with_rate(1.0),
            startup_busy: BusyWork::with_rate(1.0),
            mid_trial_sentinel: None,
            calibrate_per_trial: false,
            sched_tick_ns: clock::sched_tick_ns(),
        }
    }

    /// Detects the host (before any pinning) and calibrates clock and busy work.
    pub fn detect() -> Env {
        raise_open_file_limit();
        let host = Host::detect();
        let clock = Clock::new();
        let clock_overhead_ns = clock.read_overhead_ns(2_000);
        let busy = calibrate_busy(&host, STARTUP_CALIBRATION_RUNS);
        Env {
            host,
            clock,
            clock_overhead_ns,
            busy,
            startup_busy: busy,
            mid_trial_sentinel: None,
            calibrate_per_trial: false,
            sched_tick_ns: clock::sched_tick_ns(),
        }
    }

    /// This environment with the busy work calibrated afresh, for one trial when
    /// [`Env::calibrate_per_trial`] is set (else a plain copy). A calibration more than
    /// [`CALIBRATION_TOLERANCE`] away from the start-up one was disturbed (the machine was
    /// busy while it ran): the start-up calibration is used instead, so a disturbance cannot
    /// shorten or lengthen a trial's critical sections unseen.
    pub fn for_trial(&self) -> Env {
        if self.calibrate_per_trial {
            self.recalibrated(TRIAL_CALIBRATION_RUNS)
        } else {
            self.clone()
        }
    }

    /// This environment with the busy work calibrated afresh (fastest of `runs` runs of 2 ms),
    /// or with the start-up calibration when the fresh one is more than
    /// [`CALIBRATION_TOLERANCE`] away from it (see [`Env::for_trial`]).
    pub(crate) fn recalibrated(&self, runs: usize) -> Env {
        let mut env = self.clone();
        let fresh = calibrate_busy(&self.host, runs);
        let ratio = fresh.units_per_ns() / self.startup_busy.units_per_ns();
        env.busy = if (ratio - 1.0).abs() <= CALIBRATION_TOLERANCE {
            fresh
        } else {
            self.startup_busy
        };
        env
    }
}

/// Runs of 2 ms in the start-up calibration: about 200 ms, a precaution. On a shared host the
/// first tens of milliseconds after an idle moment can all run a few percent slow, and
/// `run`'s lengths and the sentinel's reference speed rest on this one calibration, so it
/// spans longer than such a stretch (the measurements are in FINDINGS, "busy work").
pub(crate) const STARTUP_CALIBRATION_RUNS: usize = 100;

/// Runs of 2 ms in a trial's own calibration ([`Env::for_trial`]): about 50 ms. A sweep
/// calibrates once per configuration instead, with [`STARTUP_CALIBRATION_RUNS`].
pub(crate) const TRIAL_CALIBRATION_RUNS: usize = 25;

/// Busy-work calibration pinned on the first CPU points use, fastest of `runs` runs of 2 ms
/// (see `BusyWork`).
fn calibrate_busy(host: &Host, runs: usize) -> BusyWork {
    let first_cpu = host
        .topology
        .pin_order(Placement::Compact, &host.allowed_cpus)
        .first()
        .copied();
    std::thread::scope(|s| {
        s.spawn(|| {
            if let Some(id) = first_cpu {
                core_affinity::set_for_current(core_affinity::CoreId { id });
            }
            BusyWork::calibrate(Duration::from_millis(2), runs)
        })
        .join()
        .expect("calibration thread")
    })
}

/// Raises the soft limit on open files to the hard one: every worker thread keeps two
/// procfs files open for the controller's CPU accounting (`clock::ThreadProbe`), and a
/// many-thread point on a large machine would pass the usual soft limit of 1024.
fn raise_open_file_limit() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid, writable rlimit; RLIMIT_NOFILE is a constant Linux knows.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } == 0 && lim.rlim_cur < lim.rlim_max
    {
        lim.rlim_cur = lim.rlim_max;
        // SAFETY: as above; raising the soft limit up to the hard one needs no privilege.
        unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) };
    }
}

/// Why a point produced no record.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// The primitive broke its own invariant: mutual exclusion or an exact count.
    #[error(
        "{primitive} is broken: {what} (threads={threads}, trial={trial}); refusing to report a number"
    )]
    Invariant {
        /// The primitive.
        primitive: String,
        /// What was violated.
        what: String,
        /// Threads in the point.
        threads: usize,
        /// The trial.
        trial: u32,
    },
    /// A worker thread could not be started.
    #[error("cannot spawn worker thread: {0}")]
    Spawn(#[from] std::io::Error),
    /// A worker thread panicked.
    #[error("a worker thread of {0} panicked")]
    WorkerPanicked(String),
    /// A critical section or think time shorter than the busy work can make here
    /// ([`crate::workload::BusyWork::check_length`]).
    #[error("{0}")]
    TooShort(String),
}

impl HarnessError {
    /// The primitive broke its invariant `what` in `trial` of `point`.
    pub fn invariant(point: &Point, trial: u32, what: impl Into<String>) -> HarnessError {
        HarnessError::Invariant {
            primitive: point.primitive.clone(),
            what: what.into(),
            threads: point.setting.threads,
            trial,
        }
    }
}

/// What one worker thread measured; merged into a [`RunRecord`] after join.
#[derive(Debug, Clone)]
pub(crate) struct ThreadStats {
    /// Operations completed in the window.
    pub ops: u64,
    /// Of which reads (shared acquisitions).
    pub reads: u64,
    /// Wait-time histogram (ns), sampled ops.
    pub wait: Histogram<u64>,
    /// Hold-time histogram (ns), sampled ops.
    pub hold: Histogram<u64>,
    /// Wait-time histogram of shared (read) acquisitions.
    pub read_wait: Histogram<u64>,
    /// Wait-time histogram of exclusive (write) acquisitions of reader-writer primitives.
    pub write_wait: Histogram<u64>,
    /// Exclusive critical sections run, warm-up included (what the invariant checks); for
    /// queues, items sent.
    pub exclusive_total: u64,
    /// Queue items received, warm-up and drain included.
    pub received_total: u64,
    /// CPU usage in the window, as the controller read it at the window's start and end
    /// (see `runner::run_threads`).
    pub usage: clock::ThreadUsage,
    /// The thread's own usage reading when it finished its quota (fixed-work mode): the end
    /// of its window.
    pub finish_usage: Option<clock::ThreadUsage>,
    /// Clock reading right after the controller read this thread's usage at the window's
    /// start: the start of this thread's CPU window.
    pub window_start: u64,
    /// A usage reading failed: `usage` is empty and the row gets no CPU figures.
    pub usage_missing: bool,
    /// Operations this thread ran in the latency window (whose sampled ops are timed).
    pub latency_ops: u64,
    /// Run-queue delay over the latency window (before the measured one), when read: with
    /// the window's own it makes the run-queue share, a disturbance signal over the whole
    /// trial.
    pub latency_run_delay: Option<Duration>,
    /// Failed CAS attempts, or try-lock retries.
    pub retries: u64,
    /// A reader saw a writer inside, or torn data.
    pub torn_read_seen: bool,
    /// A holder found another thread inside the critical section.
    pub overlap_seen: bool,
    /// CPU this thread was pinned to, if it was.
    pub pinned_to: Option<usize>,
    /// Pinning was requested and failed.
    pub pin_failed: bool,
    /// Clock reading when this thread finished its quota (fixed-work mode).
    pub finished_at: u64,
    /// Hand-off histogram (ns): from a timed holder's last reading before releasing to the
    /// next owner's reading right after acquiring, when that owner is this thread and the
    /// holder another (exclusive locks only).
    pub handoff: Histogram<u64>,
    /// The hand-off stamp this thread left at its last timed release: finding it again on
    /// acquiring means the lock came back to this thread, which is no hand-off.
    pub own_stamp: u64,
    /// Clock reading when this thread last left a mid-trial pause: a stamp older than that
    /// was left while it was parked, not waiting.
    pub unparked_at: u64,
    /// Timed holds checked for preemption (exclusive locks only).
    pub holds_checked: u64,
    /// Of which longer than the preemption threshold (`runner::preempted_hold_ns`).
    pub holder_preempted: u64,
}

/// Largest value a latency histogram records (60 s); larger values saturate.
const HIST_MAX_NS: u64 = 60_000_000_000;

impl ThreadStats {
    fn new() -> ThreadStats {
        let hist =
            || Histogram::new_with_bounds(1, HIST_MAX_NS, 3).expect("static bounds are valid");
        ThreadStats {
            ops: 0,
            reads: 0,
            wait: hist(),
            hold: hist(),
            read_wait: hist(),
            write_wait: hist(),
            exclusive_total: 0,
            received_total: 0,
            usage: clock::ThreadUsage::default(),
            finish_usage: None,
            window_start: 0,
            usage_missing: false,
            latency_run_delay: None,
            latency_ops: 0,
            retries: 0,
            torn_read_seen: false,
            overlap_seen: false,
            pinned_to: None,
            pin_failed: false,
            finished_at: 0,
            handoff: hist(),
            own_stamp: 0,
            unparked_at: 0,
            holds_checked: 0,
            holder_preempted: 0,
        }
    }

    /// Records the hand-off whose stamp `stamp` this thread took on acquiring at `now`, unless
    /// the stamp is its own (the lock came back to it) or was left before it last left a
    /// mid-trial pause (the pause, not a hand-off). Out of line: one op in a sampling period
    /// gets here.
    #[inline(never)]
    pub(crate) fn handoff_taken(&mut self, clock: &clock::Clock, stamp: u64, now: u64) {
        // `now > stamp`: TSCs of two CPUs out of step by more than the hand-off would give
        // 0 or less; such a pair is dropped rather than recorded as an instant hand-off.
        if stamp != self.own_stamp && stamp >= self.unparked_at && now > stamp {
            self.handoff.saturating_record(clock.delta_ns(stamp, now));
        }
    }
}

/// The outcome of one trial: the CSV row plus what does not fit in it.
#[derive(Debug, Clone)]
pub struct TrialOutput {
    /// The row.
    pub record: RunRecord,
    /// Merged wait-time histogram (ns).
    pub wait: Histogram<u64>,
    /// Merged hold-time histogram (ns).
    pub hold: Histogram<u64>,
    /// Merged hand-off histogram (ns; exclusive locks only, else empty).
    pub handoff: Histogram<u64>,
    /// Operations per thread, in thread order.
    pub per_thread_ops: Vec<u64>,
}

/// The raw result of running the threads of one trial.
pub(crate) struct Collected {
    /// Clock reading at the window's start.
    pub start: u64,
    pub threads: Vec<ThreadStats>,
    pub elapsed_ns: u64,
    pub timed_out: bool,
    /// Operations run by all threads, warm-up included (what the invariant checks against).
    pub all_ops: u64,
    /// The sentinel reading taken mid-window, if one was.
    pub sentinel_during: Option<f64>,
    /// Steal time of the trial's CPUs over the window, ms.
    pub steal_ms: f64,
    /// Length of the latency window before the measured one, ns (0 without one).
    pub latency_ns: u64,
}

/// CPUs a point's threads run on (its pin order, one entry per thread up to the CPU count);
/// empty when unpinned.
pub fn point_cpus(env: &Env, point: &Point) -> Vec<usize> {
    let order = env
        .host
        .topology
        .pin_order(point.setting.placement, &env.host.allowed_cpus);
    order.into_iter().take(point.setting.threads).collect()
}

/// How many CPUs a point's threads run on: its pin order's CPUs, or every CPU the process
/// may use when unpinned.
fn point_cpu_count(env: &Env, point: &Point) -> usize {
    match point_cpus(env, point).len() {
        0 => env.host.usable_cpus(),
        n => n,
    }
}

/// Runs one trial between parallelism-sentinel readings, judges it by those readings and by
/// its own data (CPU share, run-queue delay, steal: [`sentinel::trial_signals`]), retries a
/// disturbed one per `policy`, and fills the row's trustworthiness columns. `spins`: the
/// primitive never sleeps (registry `Waiting::Spins`). `run` is the trial itself.
pub fn guarded_trial(
    env: &Env,
    point: &Point,
    spins: bool,
    policy: &sentinel::Policy,
    sentinel: &mut dyn sentinel::Sentinel,
    mut run: impl FnMut() -> Result<TrialOutput, HarnessError>,
) -> Result<TrialOutput, HarnessError> {
    let cpus = point_cpus(env, point);
    let cpu_count = point_cpu_count(env, point);
    let policy = sentinel::Policy {
        calibrated_units_per_ns: policy
            .calibrated_units_per_ns
            .or(Some(env.startup_busy.units_per_ns())),
        ..*policy
    };
    let g = sentinel::guard(
        sentinel,
        &cpus,
        point.setting.threads,
        &policy,
        std::thread::sleep,
        &mut run,
        |out: &TrialOutput| {
            let r = &out.record;
            let window_ms = r.elapsed_s * 1e3 * cpu_count as f64;
            let conditions = sentinel::TrialConditions {
                spins,
                oversubscribed: r.oversubscribed,
                cpu_share: r.cpu_share,
                runq_share: r.runq_share,
                steal_share: if window_ms > 0.0 {
                    r.steal_ms / window_ms
                } else {
                    0.0
                },
                steal_ticks: r.steal_ms / sentinel::tick_ms(),
                sentinel_during: r.sentinel_during,
            };
            if r.timed_out {
                Vec::new()
            } else {
                sentinel::trial_signals(&conditions, &policy)
            }
        },
    )?;
    let mut out = g.value;
    let r = &mut out.record;
    r.sentinel_before = Some(g.before.parallel);
    r.sentinel_after = Some(g.after.parallel);
    r.degraded = g.degraded;
    r.degraded_by = sentinel::Signal::join(&g.degraded_by);
    r.discarded_by = g
        .discarded_by
        .iter()
        .map(|s| sentinel::Signal::join(s))
        .collect::<Vec<_>>()
        .join("/");
    r.attempts = g.attempts;
    r.single_core_units_per_ns =
        Some((g.before.single_units_per_ns + g.after.single_units_per_ns) / 2.0);
    // The cache-line distance between the trial's first two CPUs before and after it (when the
    // sentinel reads distances): what a contended point's hand-offs cost then, and whether the
    // host had moved a vCPU (`sentinel::on_layout`).
    r.core_to_core_before_ns = g.before.core_to_core_ns;
    r.core_to_core_ns = g.after.core_to_core_ns;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Family;

    /// Two threads with the same fixed quota: one finished in 1 s, the other took 2 s. Their
    /// counts are equal, so fairness must come from their rates (Jain (1 + ½)² / 2(1 + ¼) =
    /// 0.9), and each thread's CPU share from its own window.
    #[test]
    fn fixed_work_fairness_comes_from_finish_times() {
        let env = Env::detect();
        let start = env.clock.raw();
        let ticks = env.clock.ticks_per_ns(Duration::from_millis(5));
        let at = |ns: f64| start + (ns * ticks) as u64;
        let thread = |finished_ns: f64| {
            let mut s = ThreadStats::new();
            s.ops = 1_000;
            s.window_start = start;
            s.finished_at = at(finished_ns);
            s.usage.cpu = Duration::from_nanos(finished_ns as u64);
            s
        };
        let collected = Collected {
            start,
            threads: vec![thread(1e9), thread(2e9)],
            elapsed_ns: 2_000_000_000,
            timed_out: false,
            all_ops: 2_000,
            sentinel_during: None,
            steal_ms: 0.0,
            latency_ns: 0,
        };
        let point = Point {
            fixed_ops: Some(2_000),
            ..Point::new("spin-ttas")
        };
        let r = build_record(&env, &point, Family::Spin, 0, &collected, 0).record;
        assert!((r.jain_index - 0.9).abs() < 0.01, "jain {}", r.jain_index);
        assert!(
            (r.min_share - 1.0 / 3.0).abs() < 0.01,
            "min share {}",
            r.min_share
        );
        let share = r.cpu_share.expect("CPU share");
        assert!(
            (share - 1.0).abs() < 0.02,
            "each thread busy all its window: {share}"
        );
    }
}
