//! Thread orchestration and the measured loops, monomorphised per primitive.

use super::clock::{Clock, ThreadProbe, ThreadUsage};
use super::{Collected, Env, HarnessError, Point, ThreadStats, TrialOutput, build_record};
use crate::primitives::Exclusive;
use crate::primitives::counter::Counter;
use crate::primitives::rwlock::ReadWrite;
use crate::record::Family;
use crate::workload::BusyWork;
use crate::workload::{Coin, Rng};
use crossbeam_utils::CachePadded;
use std::sync::atomic::{AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::time::{Duration, Instant};

// A trial's phases, in order: WARMUP (untimed, discarded) → LATENCY (one op in
// `sample_every` timed: the wait, hold and hand-off histograms; no op counted) → MEASURE
// (nothing timed: operations, CPU time, fairness) → STOP. Throughput is the lock's own: no
// clock read touches an op it counts. LATENCY is skipped when nothing is sampled.
pub(crate) const WARMUP: u8 = 0;
pub(crate) const MEASURE: u8 = 1;
pub(crate) const STOP: u8 = 2;
/// Measuring, but paused for a mid-trial sentinel reading: workers park between operations.
pub(crate) const PAUSE: u8 = 3;
/// The latency window: sampled ops are timed, none is counted.
pub(crate) const LATENCY: u8 = 4;

/// Shared run control: the start barrier and the phase flag the workers poll.
pub(crate) struct Control {
    /// [`WARMUP`] → [`MEASURE`] (⇄ [`PAUSE`]) → [`STOP`]; only the main thread writes it.
    phase: CachePadded<AtomicU8>,
    barrier: Barrier,
    /// Workers parked in a [`PAUSE`].
    parked: CachePadded<AtomicUsize>,
}

impl Control {
    #[inline(always)]
    pub(crate) fn phase(&self) -> u8 {
        // Relaxed: the phase only tells a worker when to stop looping; its results reach the
        // main thread through the channel, which synchronizes.
        self.phase.load(Ordering::Relaxed)
    }

    /// Parks the calling worker (sleeping, so the sentinel gets the CPUs) until the phase
    /// leaves [`PAUSE`].
    fn park(&self) {
        // SeqCst: the count is read by the main thread to learn that every worker is off the
        // CPUs; nothing else is published through it.
        self.parked.fetch_add(1, Ordering::SeqCst);
        while self.phase() == PAUSE {
            std::thread::sleep(Duration::from_micros(200));
        }
        self.parked.fetch_sub(1, Ordering::SeqCst);
    }
}

mod protected;
pub use protected::ProtectedData;

/// The per-thread loop around one operation through a trial's phases: warm-up, the latency
/// window (sampled ops timed), the measured window (nothing timed, every op counted).
/// `op(sample, stats)` performs one operation and, when `sample` is set, records its timing.
///
/// The op is called from one place only, for warm-up, timed window and fixed quota alike: with
/// a second call site LLVM stopped inlining it into the timed-window loop (the quota loop kept
/// an inlined copy), and every op of a timed trial paid an out-of-line call that criterion,
/// timing the quota loop, did not see (FINDINGS has the cost). Phase
/// changes and the quota's end are handled off the hot path, in one compare each per op.
#[inline(always)]
pub(crate) fn drive(
    ctl: &Control,
    point: &Point,
    quota: Option<u64>,
    clock: &Clock,
    stats: &mut ThreadStats,
    all_ops: &mut u64,
    mut op: impl FnMut(bool, &mut ThreadStats),
) {
    let mut current = WARMUP;
    // Ops left before the phase's work is done: unbounded in warm-up and timed windows.
    let mut left = u64::MAX;
    let mut sampler = Sampler::new(0, 0);
    let mut done: u64 = 0;
    loop {
        // One read of the phase per op, used for every decision below: a second read could
        // see MEASURE again after this one saw PAUSE, and the worker would leave the window.
        let phase = ctl.phase();
        if phase != current || left == 0 {
            if current == WARMUP || current == LATENCY {
                // Before the measured window: its ops count for the invariant only.
                if current == LATENCY {
                    stats.latency_ops = done;
                }
                *all_ops += done;
                done = 0;
                match phase {
                    LATENCY => {
                        // Seeded per thread (its stats live at a thread-unique address).
                        sampler = Sampler::new(
                            point.sample_every,
                            point.seed ^ std::ptr::from_mut(stats) as u64,
                        );
                        current = LATENCY;
                    }
                    // MEASURE began while this thread was in an op; it may already be paused
                    // (a mid-trial reading): enter the window, then park on the next pass.
                    MEASURE | PAUSE => {
                        stats.retries = 0;
                        stats.reads = 0;
                        // Nothing timed from here on: the counted ops are the lock's alone.
                        sampler = Sampler::new(0, 0);
                        current = MEASURE;
                        left = quota.unwrap_or(u64::MAX);
                    }
                    // Stopped (timed out) before the window: nothing measured.
                    STOP => {
                        stats.retries = 0;
                        stats.reads = 0;
                        break;
                    }
                    _ => {}
                }
                continue;
            }
            if quota.is_some() {
                if left == 0 || phase == STOP {
                    // Quota run (or STOP before it was): this thread's window ends here.
                    stats.finished_at = clock.raw();
                    stats.finish_usage = Some(ThreadUsage::now());
                    break;
                }
                // Fixed work is never paused (the controller pauses timed windows only).
            } else if phase == PAUSE {
                ctl.park();
                stats.unparked_at = clock.raw();
                continue;
            } else if phase == STOP {
                break;
            } else {
                // A timed window that ran 2^64 ops: keep going (and never wrap `left`).
                left = u64::MAX;
            }
        }
        op(sampler.next(), stats);
        done += 1;
        left -= 1;
    }
    if current == MEASURE {
        stats.ops = done;
    }
    *all_ops += done;
}

/// Which operations are timed: on average one in `every` (1 = every op, 0 = none), with
/// geometrically distributed gaps between timed ops. A fixed stride could lock onto a
/// periodic pattern (a FIFO lock handing over round-robin, a reader/writer mix) and time the
/// same position in it every time; random, memoryless gaps sample every position alike.
pub(crate) struct Sampler {
    every: u32,
    left: u32,
    rng: crate::workload::Rng,
}

impl Sampler {
    pub(crate) fn new(every: u32, seed: u64) -> Sampler {
        let mut s = Sampler {
            every,
            left: 1,
            rng: crate::workload::Rng::for_thread(seed, 0),
        };
        s.left = s.gap();
        s
    }

    /// A gap ≥ 1 with P(gap = k) = p(1 − p)^(k−1), p = 1/every: mean `every`.
    fn gap(&mut self) -> u32 {
        if self.every <= 1 {
            return 1;
        }
        let p = 1.0 / f64::from(self.every);
        // Uniform in (0, 1]: never ln(0).
        let u = ((self.rng.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64;
        let k = 1.0 + (u.ln() / (1.0 - p).ln()).floor();
        k.clamp(1.0, f64::from(u32::MAX)) as u32
    }

    /// Whether to time the next operation.
    #[inline(always)]
    pub(crate) fn next(&mut self) -> bool {
        if self.every == 0 {
            return false;
        }
        self.left -= 1;
        if self.left == 0 {
            self.left = self.gap();
            true
        } else {
            false
        }
    }
}

/// What every measured loop needs, owned so it can move into the worker closure: busy-work
/// units for the critical section and the think time, the clock, and the point.
pub(crate) fn loop_params(env: &Env, point: &Point) -> (u64, u64, Clock, Point) {
    (
        env.busy.units_for_ns(point.setting.cs_ns),
        env.busy.units_for_ns(point.setting.think_ns),
        env.clock.clone(),
        point.clone(),
    )
}

/// A worker's report: its stats and every op it ran, warm-up included (for the invariant).
type Report = (usize, ThreadStats, u64);

/// Spawns, pins and runs the workers of one trial; `work(thread, ctl, stats, all_ops)` is the
/// thread's whole measured life after the start barrier. `pausable`: the workers run their
/// ops through [`drive`], which honours [`PAUSE`], so a long trial may get a mid-trial
/// sentinel reading (loops with their own stop protocol, queues and barriers, may not).
pub(crate) fn run_threads<S, W>(
    env: &Env,
    point: &Point,
    pausable: bool,
    shared: Arc<S>,
    work: W,
) -> Result<Collected, HarnessError>
where
    S: Send + Sync + 'static,
    W: Fn(&S, usize, &ControlView<'_>, &mut ThreadStats, &mut u64) + Send + Sync + 'static,
{
    let ctl = Arc::new(Control {
        phase: CachePadded::new(AtomicU8::new(WARMUP)),
        barrier: Barrier::new(point.setting.threads + 1),
        parked: CachePadded::new(AtomicUsize::new(0)),
    });
    let (rx, probe_rx) = spawn_workers(env, point, &ctl, shared, work)?;
    ctl.barrier.wait();
    let started = Instant::now();
    let mut probes: Vec<Option<ThreadProbe>> = (0..point.setting.threads).map(|_| None).collect();
    for (t, probe) in probe_rx.try_iter() {
        probes[t] = probe;
    }
    let windows = run_windows(env, point, pausable, &ctl, &probes);
    let Some(mut reports) = collect_reports(point, &ctl, &rx, started)? else {
        return Ok(Collected {
            start: windows.start,
            threads: Vec::new(),
            all_ops: 0,
            elapsed_ns: 0,
            timed_out: true,
            sentinel_during: None,
            steal_ms: 0.0,
            latency_ns: 0,
        });
    };
    attribute_usage(&mut reports, &windows);
    let end = windows.end.unwrap_or_else(|| {
        reports
            .iter()
            .map(|(s, _)| s.finished_at)
            .max()
            .unwrap_or(windows.start)
    });
    Ok(Collected {
        start: windows.start,
        all_ops: reports.iter().map(|(_, n)| n).sum(),
        threads: reports.into_iter().map(|(s, _)| s).collect(),
        elapsed_ns: env
            .clock
            .delta_ns(windows.start, end)
            .saturating_sub(windows.pause.ns),
        timed_out: false,
        sentinel_during: windows.pause.reading,
        steal_ms: windows.steal_ms,
        latency_ns: windows.latency_ns,
    })
}

/// The workers' channels: their reports at the end, and each one's probe before the barrier.
type WorkerChannels = (
    mpsc::Receiver<Report>,
    mpsc::Receiver<(usize, Option<ThreadProbe>)>,
);

/// Spawns the trial's workers, each pinned by the point's placement, waiting at the start
/// barrier once it has sent its probe.
fn spawn_workers<S, W>(
    env: &Env,
    point: &Point,
    ctl: &Arc<Control>,
    shared: Arc<S>,
    work: W,
) -> Result<WorkerChannels, HarnessError>
where
    S: Send + Sync + 'static,
    W: Fn(&S, usize, &ControlView<'_>, &mut ThreadStats, &mut u64) + Send + Sync + 'static,
{
    let work = Arc::new(work);
    let order = env
        .host
        .topology
        .pin_order(point.setting.placement, &env.host.allowed_cpus);
    let (tx, rx) = mpsc::channel::<Report>();
    let (probe_tx, probe_rx) = mpsc::channel::<(usize, Option<ThreadProbe>)>();
    for t in 0..point.setting.threads {
        // Oversubscribed points wrap around the pin order: thread t runs on CPU
        // order[t % CPUs], so 2×CPUs threads put exactly two on each CPU, with no migration.
        let cpu = (!order.is_empty()).then(|| order[t % order.len()]);
        let (ctl, work, shared, tx) = (ctl.clone(), work.clone(), shared.clone(), tx.clone());
        let probe_tx = probe_tx.clone();
        std::thread::Builder::new()
            .name(format!("lockbench-{t}"))
            .spawn(move || {
                // Allocate before the barrier: nothing allocates in the measured loop. Padded
                // so no two threads' counters ever share a cache line.
                let mut stats = CachePadded::new(ThreadStats::new());
                if let Some(id) = cpu {
                    if core_affinity::set_for_current(core_affinity::CoreId { id }) {
                        stats.pinned_to = Some(id);
                    } else {
                        stats.pin_failed = true;
                    }
                }
                let mut all_ops = 0;
                // Sent before the barrier, so the controller holds every probe once it passes.
                let _ = probe_tx.send((t, ThreadProbe::of_current()));
                ctl.barrier.wait();
                work(&shared, t, &ControlView(&ctl), &mut stats, &mut all_ops);
                let _ = tx.send((t, CachePadded::into_inner(stats), all_ops));
            })?;
    }
    Ok((rx, probe_rx))
}

/// What the controller read around the trial's windows.
struct Windows {
    /// Usage at the latency window's start (empty without one).
    usage_latency: Vec<Option<(ThreadUsage, u64)>>,
    /// Usage at the measured window's start, each with its clock reading.
    usage_start: Vec<Option<(ThreadUsage, u64)>>,
    /// Usage at the measured window's end (empty in fixed-work mode).
    usage_end: Vec<Option<(ThreadUsage, u64)>>,
    /// Clock reading at the measured window's start.
    start: u64,
    /// And at its end (`None` in fixed-work mode: each thread ends on its own).
    end: Option<u64>,
    latency_ns: u64,
    pause: Pause,
    steal_ms: f64,
}

/// The controller's side of the phases: warm-up, the latency window, the measured window
/// (with a mid-trial sentinel reading when long enough), then STOP.
fn run_windows(
    env: &Env,
    point: &Point,
    pausable: bool,
    ctl: &Control,
    probes: &[Option<ThreadProbe>],
) -> Windows {
    std::thread::sleep(point.warmup);
    let mut usage_latency = Vec::new();
    let mut latency_from = None;
    if let Some(latency) = point.latency_window() {
        usage_latency = snapshot(env, probes);
        latency_from = Some(env.clock.raw());
        // Relaxed: see `Control::phase`.
        ctl.phase.store(LATENCY, Ordering::Relaxed);
        std::thread::sleep(latency);
    }
    // The window's CPU accounting is read here and at its end, by this thread, so it covers
    // exactly the window the operations are counted in (a worker starved across the start
    // would start its own clock late). Read, then stamp: the same order at both ends. Each
    // reading carries its own timestamp (fixed-work mode uses it as that thread's start).
    let cpus = super::point_cpus(env, point);
    let steal_start = super::sentinel::steal_ms(&cpus);
    let usage_start = snapshot(env, probes);
    let start = env.clock.raw();
    let latency_ns = latency_from.map_or(0, |from| env.clock.delta_ns(from, start));
    // Relaxed: see `Control::phase`.
    ctl.phase.store(MEASURE, Ordering::Relaxed);
    let mut end = None;
    let mut usage_end = Vec::new();
    let mut pause = Pause::default();
    if point.fixed_ops.is_none() {
        match env.mid_trial_sentinel {
            Some(leg) if pausable && point.duration >= super::MID_TRIAL_SENTINEL_FROM => {
                let half = point.duration / 2;
                std::thread::sleep(half);
                pause = mid_trial_reading(env, point, ctl, probes, leg);
                std::thread::sleep(point.duration - half);
            }
            _ => std::thread::sleep(point.duration),
        }
        // Before STOP: the workers are all still alive (they loop until they see it).
        usage_end = snapshot(env, probes);
        end = Some(env.clock.raw());
        ctl.phase.store(STOP, Ordering::Relaxed);
    }
    Windows {
        usage_latency,
        usage_start,
        usage_end,
        start,
        end,
        latency_ns,
        pause,
        steal_ms: (super::sentinel::steal_ms(&cpus) - steal_start).max(0.0),
    }
}

/// Every worker's report in thread order, or `None` when the watchdog ran out first (the
/// trial's planned phases plus its timeout from `started`).
fn collect_reports(
    point: &Point,
    ctl: &Control,
    rx: &mpsc::Receiver<Report>,
    started: Instant,
) -> Result<Option<Vec<(ThreadStats, u64)>>, HarnessError> {
    let planned = point.warmup
        + point.latency_window().unwrap_or_default()
        + if point.fixed_ops.is_none() {
            point.duration
        } else {
            Duration::ZERO
        };
    let deadline = started + planned + point.timeout;
    let mut reports: Vec<Option<(ThreadStats, u64)>> = vec![None; point.setting.threads];
    let mut received = 0;
    while received < point.setting.threads {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok((t, stats, all_ops)) => {
                reports[t] = Some((stats, all_ops));
                received += 1;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                // The watchdog: stop everyone and give up on this trial. Workers still inside
                // an operation finish it on their own; they only hold `Arc`s, so nothing they
                // touch is freed under them.
                ctl.phase.store(STOP, Ordering::Relaxed);
                return Ok(None);
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(HarnessError::WorkerPanicked(point.primitive.clone()));
            }
        }
    }
    Ok(Some(reports.into_iter().flatten().collect()))
}

/// Each worker's CPU time, switches and run-queue delay over the measured window (its own in
/// fixed-work mode), less a mid-trial pause; and its run-queue delay over the latency window.
fn attribute_usage(reports: &mut [(ThreadStats, u64)], w: &Windows) {
    for (t, (stats, _)) in reports.iter_mut().enumerate() {
        // Fixed-work mode: each thread's window ends when it finishes its quota.
        let end = stats
            .finish_usage
            .or_else(|| w.usage_end.get(t).copied().flatten().map(|(u, _)| u));
        let begin = w.usage_start.get(t).copied().flatten();
        if let (Some(l), Some((b, _))) = (w.usage_latency.get(t).copied().flatten(), begin) {
            stats.latency_run_delay = b.since(&l.0).run_delay;
        }
        if let (Some(end), Some((begin, stamped))) = (end, begin) {
            stats.usage = end.since(&begin);
            stats.window_start = stamped;
            if let Some(paused) = w.pause.usage.get(t).copied().flatten() {
                stats.usage = stats.usage.since(&paused);
            }
        } else {
            // A reading failed: report no CPU figures rather than wrong ones.
            stats.usage = ThreadUsage::default();
            stats.usage_missing = true;
        }
    }
}

/// Every worker's usage so far, read through its probe, with the clock reading taken right
/// after it (`None` where it has no probe or the read failed).
fn snapshot(env: &Env, probes: &[Option<ThreadProbe>]) -> Vec<Option<(ThreadUsage, u64)>> {
    probes
        .iter()
        .map(|p| {
            p.as_ref()
                .and_then(ThreadProbe::read)
                .map(|u| (u, env.clock.raw()))
        })
        .collect()
}

/// A mid-trial pause: the sentinel reading taken, how long it lasted (from the PAUSE store
/// to the MEASURE store: left out of the window) and each worker's usage during it (left out
/// of its CPU time, switches and run-queue delay).
#[derive(Default)]
struct Pause {
    reading: Option<f64>,
    ns: u64,
    usage: Vec<Option<ThreadUsage>>,
}

/// Pauses the workers, reads the parallelism sentinel on the trial's CPUs and resumes them.
/// The reading is `None` if the workers did not all park within 200 ms (e.g. one is stuck
/// behind a descheduled lock holder).
fn mid_trial_reading(
    env: &Env,
    point: &Point,
    ctl: &Control,
    probes: &[Option<ThreadProbe>],
    leg: Duration,
) -> Pause {
    use super::sentinel::{Parallelism, Sentinel};
    let before = snapshot(env, probes);
    let from = env.clock.raw();
    // Relaxed: see `Control::phase`.
    ctl.phase.store(PAUSE, Ordering::Relaxed);
    let give_up = Instant::now() + Duration::from_millis(200);
    // SeqCst: pairs with the workers' increments in `Control::park`.
    while ctl.parked.load(Ordering::SeqCst) < point.setting.threads && Instant::now() < give_up {
        std::thread::sleep(Duration::from_micros(50));
    }
    let all_parked = ctl.parked.load(Ordering::SeqCst) >= point.setting.threads;
    let reading = all_parked.then(|| {
        let mut sentinel = Parallelism::new(env.host.allowed_cpus.clone(), leg);
        sentinel.read(&super::point_cpus(env, point)).parallel
    });
    let after = snapshot(env, probes);
    let ns = env.clock.delta_ns(from, env.clock.raw());
    ctl.phase.store(MEASURE, Ordering::Relaxed);
    Pause {
        reading,
        ns,
        usage: before
            .iter()
            .zip(&after)
            .map(|(b, a)| Some(a.as_ref()?.0.since(&b.as_ref()?.0)))
            .collect(),
    }
}

/// What a worker sees of the run control.
pub(crate) struct ControlView<'a>(pub(crate) &'a Control);

/// Operations thread `t` must do in fixed-work mode (the remainder goes to the first threads).
pub(crate) fn quota(point: &Point, t: usize) -> Option<u64> {
    point.fixed_ops.map(|total| {
        let n = point.setting.threads as u64;
        total / n + u64::from((t as u64) < total % n)
    })
}

/// What the lock loops share between threads: the lock and the data it protects, laid out as
/// the point's [`Layout`](crate::record::Layout) says. Both places exist; each worker picks
/// its data once, before its loop, so the measured code is the same for both layouts.
pub struct LockRun<L> {
    /// The lock, with a copy of the data on the same cache line (`Layout::Inline`).
    lock: CachePadded<Colocated<L>>,
    /// The data on a line of its own (`Layout::Separate`).
    apart: CachePadded<ProtectedData>,
    inline: bool,
}

/// A lock and data sharing one cache line (the lock first, as `Mutex<T>` has it).
#[repr(C)]
struct Colocated<L> {
    lock: L,
    data: ProtectedData,
}

impl<L> LockRun<L> {
    fn new(lock: L, layout: crate::record::Layout) -> LockRun<L> {
        LockRun {
            lock: CachePadded::new(Colocated {
                lock,
                data: ProtectedData::default(),
            }),
            apart: CachePadded::new(ProtectedData::default()),
            inline: layout == crate::record::Layout::Inline,
        }
    }

    /// The lock.
    #[inline(always)]
    fn lock(&self) -> &L {
        &self.lock.lock
    }

    /// The protected data, where the layout puts it.
    #[inline(always)]
    fn data(&self) -> &ProtectedData {
        if self.inline {
            &self.lock.data
        } else {
            &self.apart
        }
    }
}

/// Runs one trial of mutual-exclusion primitive `L`.
///
/// With `checked`, the in-run invariant is enforced: the protected count must equal the
/// operations completed and no thread may ever see another inside (with `--steps` the count
/// alone: see [`ProtectedData::f64_section`]); a violation is an error.
/// Without it (the `null` primitive), the lost updates are reported instead.
pub fn run_exclusive<L: Exclusive>(
    env: &Env,
    point: &Point,
    family: Family,
    trial: u32,
    checked: bool,
) -> Result<TrialOutput, HarnessError> {
    let shared = Arc::new(LockRun::new(L::create(), point.layout));
    let (cs_units, think_units, clock, p) = loop_params(env, point);
    let preempted_after = preempted_hold_ns(env, point).unwrap_or(u64::MAX);
    let collected = run_threads(
        env,
        point,
        true,
        shared.clone(),
        move |s: &LockRun<L>, t, ctl, stats, all_ops| {
            let mut node = CachePadded::new(L::Node::default());
            let (lock, data) = (s.lock(), s.data());
            let quota = quota(&p, t);
            match p.steps {
                None => exclusive_worker(
                    ctl.0,
                    &p,
                    quota,
                    &clock,
                    stats,
                    all_ops,
                    lock,
                    &mut node,
                    data,
                    preempted_after,
                    (t, cs_units, think_units),
                ),
                Some(steps) => {
                    // The benchmark's two per-thread values, passed from op to op by value
                    // (no shared cell for the timed path to take the address of): `value`
                    // carries every step's
                    // result into the next (through the critical section and the work outside
                    // it alike: one dependency chain), `local` is the outside work's own
                    // accumulator. Both start at 0.0, as there.
                    let last = exclusive_loop(
                        ctl.0,
                        &p,
                        quota,
                        &clock,
                        stats,
                        all_ops,
                        lock,
                        &mut node,
                        data,
                        preempted_after,
                        (0.0, 0.0),
                        |(value, local)| ((data.f64_section(steps.inside, value), local), false),
                        |(value, mut local)| {
                            let value = f64_steps(&mut local, value, steps.outside);
                            (value, local)
                        },
                    );
                    // The chain's last value, as the benchmark returns it from each thread.
                    std::hint::black_box(last);
                }
            }
        },
    )?;
    let lost = check_protected(point, trial, &collected, shared.data().count(), checked)?;
    let mut out = build_record(env, point, family, trial, &collected, lost);
    if !checked {
        // No mutual exclusion (the `null` primitive): threads race on the stamp, and a
        // "hand-off" means nothing.
        out.record.handoffs = None;
        out.record.handoff_p50_ns = None;
        out.record.handoff_p99_ns = None;
        out.record.handoff_share = None;
        out.handoff.reset();
    }
    if !checked {
        out.record.holder_preempted = None;
        out.record.holder_preempted_share = None;
        out.record.preempted_hold_ns = None;
    }
    Ok(out)
}

/// A timed hold longer than this (ns) counts as a preempted holder: the requested critical
/// section plus half a scheduler tick. A holder the scheduler takes off its CPU at a tick comes
/// back when the thread that replaced it blocks or is itself preempted at a later tick, a full
/// tick away when it spins; nothing else that interrupts a section (an interrupt, a VM exit)
/// takes anywhere near half a tick. Preemptions that end within half a tick (the replacing
/// thread soon sleeps, as a sleeping lock's waiter does) are cheap and not counted. `None` in
/// steps mode: the section's length is not in ns, so there is no threshold to judge holds by.
pub(crate) fn preempted_hold_ns(env: &Env, point: &Point) -> Option<u64> {
    point
        .steps
        .is_none()
        .then(|| point.setting.cs_ns + env.sched_tick_ns / 2)
}

/// The exclusive-lock loop around [`drive`]: `cs` is the critical section run under `lock`,
/// `think` the work outside, `data` the protected data (its hand-off stamp). Both take the
/// thread's carried state by value (starting at `start`: `()` for the harness's own work, the
/// f64 chain's values for `--steps`) and hand back the next; `cs` also says whether it saw an
/// intruder. Returns the last state. A sampled op is timed request → acquired → about to
/// release and leaves a hand-off stamp; every op takes a pending stamp right after acquiring
/// (one load when there is none) and, if it is another thread's, records the hand-off.
/// `preempted_after`: a timed hold longer than this (ns) counts as a preempted holder.
/// Monomorphised per lock and work: no dynamic call.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn exclusive_loop<L: Exclusive, C: Copy>(
    ctl: &Control,
    p: &Point,
    quota: Option<u64>,
    clock: &Clock,
    stats: &mut ThreadStats,
    all_ops: &mut u64,
    lock: &L,
    node: &mut L::Node,
    data: &ProtectedData,
    preempted_after: u64,
    start: C,
    cs: impl Fn(C) -> (C, bool),
    think: impl Fn(C) -> C,
) -> C {
    let mut carry = start;
    let op = |sample: bool, stats: &mut ThreadStats| {
        if sample {
            carry = timed_exclusive(clock, lock, node, data, &cs, carry, stats, preempted_after);
        } else {
            // This thread's own stamp coming back is no hand-off: no clock read for it (one
            // in `sample_every` ops of a lock that stays with its thread would pay one).
            let own = stats.own_stamp;
            let state = carry;
            let (stamp, now, (next, intruder)) = lock.with(node, || {
                let stamp = data.take_handoff();
                let now = if stamp != 0 && stamp != own {
                    clock.raw()
                } else {
                    0
                };
                (stamp, now, cs(state))
            });
            carry = next;
            stats.overlap_seen |= intruder;
            if now != 0 {
                stats.handoff_taken(clock, stamp, now);
            }
        }
        stats.exclusive_total += 1;
        carry = think(carry);
    };
    drive(ctl, p, quota, clock, stats, all_ops, op);
    carry
}

/// A trial thread's whole run of exclusive lock `L` with the harness's own critical section
/// (thread `me`, `cs_units` inside, `think_units` outside: the `(me, cs_units, think_units)`
/// triple): [`exclusive_loop`] compiled once, out of line, and called both by a trial's
/// threads and by [`time_exclusive_ops`], so criterion times the very machine code a trial
/// runs (inlined into each caller, two compilations of the same loop ran at different
/// speeds). One call per thread and trial, never per op.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
fn exclusive_worker<L: Exclusive>(
    ctl: &Control,
    p: &Point,
    quota: Option<u64>,
    clock: &Clock,
    stats: &mut ThreadStats,
    all_ops: &mut u64,
    lock: &L,
    node: &mut L::Node,
    data: &ProtectedData,
    preempted_after: u64,
    (me, cs_units, think_units): (usize, u64, u64),
) {
    exclusive_loop(
        ctl,
        p,
        quota,
        clock,
        stats,
        all_ops,
        lock,
        node,
        data,
        preempted_after,
        (),
        |()| ((), data.critical_section(me, cs_units)),
        |()| {
            BusyWork::burn(think_units);
        },
    );
}

/// One timed exclusive op: request → acquired → about to release, the last reading left as
/// the hand-off stamp. Out of line and cold so the untimed op (the common case) stays small in
/// [`drive`]'s loop. (What made every op of a timed trial an out-of-line call was `drive`
/// calling the op from more than one place; see there.)
#[cold]
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn timed_exclusive<L: Exclusive, C: Copy>(
    clock: &Clock,
    lock: &L,
    node: &mut L::Node,
    data: &ProtectedData,
    cs: &impl Fn(C) -> (C, bool),
    carry: C,
    stats: &mut ThreadStats,
    preempted_after: u64,
) -> C {
    let requested = clock.raw();
    let own = stats.own_stamp;
    let (acquired, stamp, releasing, (next, intruder)) = lock.with(node, || {
        // The stamp's load first, then the reading, as an untimed owner does: both measure
        // acquire → the data's line loaded → one clock read, and the hold starts once the
        // protected data is here.
        let stamp = data.take_handoff();
        let acquired = clock.raw();
        let section = cs(carry);
        let releasing = clock.raw();
        data.stamp_handoff(releasing);
        (acquired, stamp, releasing, section)
    });
    if stamp != 0 && stamp != own {
        stats.handoff_taken(clock, stamp, acquired);
    }
    stats.own_stamp = releasing;
    stats
        .wait
        .saturating_record(clock.delta_ns(requested, acquired));
    let hold = clock.delta_ns(acquired, releasing);
    stats.hold.saturating_record(hold);
    stats.holds_checked += 1;
    stats.holder_preempted += u64::from(hold > preempted_after);
    stats.overlap_seen |= intruder;
    next
}

/// `steps` of the parking_lot benchmark's unit of work: `acc += value; acc *= 1.01; value =
/// acc`, each step on the previous one's result; returns the last `value` (the one passed in
/// for 0 steps). Inside the lock `acc` is the protected value, outside the thread's own.
/// Nothing hides the chain from the optimiser: its result reaches the protected value's
/// store, and a `black_box` here would add a store and a reload to the chain.
#[inline(always)]
fn f64_steps(acc: &mut f64, mut value: f64, steps: u32) -> f64 {
    for _ in 0..steps {
        *acc += value;
        *acc *= 1.01;
        value = *acc;
    }
    value
}

/// The in-run invariant of every lock-protected workload: the protected counter equals the
/// exclusive sections run, nobody saw an intruder, no reader saw torn data. With `checked`
/// a violation is an error; without (the `null` primitive) the lost updates are returned.
pub(crate) fn check_protected(
    point: &Point,
    trial: u32,
    collected: &Collected,
    total: u64,
    checked: bool,
) -> Result<u64, HarnessError> {
    let exclusive: u64 = collected.threads.iter().map(|s| s.exclusive_total).sum();
    let lost = exclusive.saturating_sub(total);
    if !checked || collected.timed_out {
        return Ok(if checked { 0 } else { lost });
    }
    let broken = |what: String| HarnessError::invariant(point, trial, what);
    if collected.threads.iter().any(|s| s.overlap_seen) {
        return Err(broken(
            "two threads were inside the critical section at once".into(),
        ));
    }
    if collected.threads.iter().any(|s| s.torn_read_seen) {
        return Err(broken("a reader saw a writer inside, or torn data".into()));
    }
    if total != exclusive {
        return Err(broken(format!(
            "protected counter is {total} after {exclusive} exclusive sections ({lost} updates lost)"
        )));
    }
    Ok(0)
}

mod bench;
mod shared_kinds;
pub use bench::{time_counter_ops, time_exclusive_contended, time_exclusive_ops};
pub use shared_kinds::{run_counter, run_rwlock};

#[cfg(test)]
mod tests;
