//! Workloads of the classic toolbox: a connection pool on a semaphore, producers and
//! consumers on a bounded queue, and threads meeting at a barrier phase after phase.

use super::runner::{LATENCY, MEASURE, STOP, Sampler, drive, loop_params, quota, run_threads};
use super::workloads::timed;
use super::{Env, HarnessError, Point, ThreadStats, TrialOutput, build_record};
use crate::primitives::classic::{Channel, Item, Permits, PhaseBarrier};
use crate::record::Family;
use crate::workload::BusyWork;
use crossbeam_utils::CachePadded;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Items a queue holds.
pub(crate) const QUEUE_CAPACITY: usize = 64;

/// Tracks the measured window inside a custom loop: notices the switch to the measured
/// phase and resets the per-window counters then. (CPU time and context switches are read
/// by the controller at the window's edges: see `runner::run_threads`.)
struct Window {
    measuring: bool,
}

impl Window {
    fn new() -> Window {
        Window { measuring: false }
    }

    /// Call once per op; returns whether this op is in the measured window.
    #[inline(always)]
    fn tick(&mut self, phase: u8, stats: &mut ThreadStats) -> bool {
        if phase == MEASURE && !self.measuring {
            self.measuring = true;
            stats.reads = 0;
        }
        self.measuring && phase == MEASURE
    }
}

/// The connection-pool workload: threads share `point.stripes` permits (default: half the
/// threads); each op acquires a permit (the wait is timed), uses the "connection" for the
/// critical section, and releases it. A counter of permits in use must never exceed the
/// pool, and every permit must be back at the end.
pub fn run_semaphore<S: Permits>(
    env: &Env,
    point: &Point,
    family: Family,
    trial: u32,
) -> Result<TrialOutput, HarnessError> {
    let permits = point
        .setting
        .stripes
        .unwrap_or((point.setting.threads / 2).max(1)) as u64;
    struct Pool<S> {
        sem: CachePadded<S>,
        in_use: CachePadded<AtomicU64>,
    }
    let pool = Arc::new(Pool {
        sem: CachePadded::new(S::with_permits(permits as u32)),
        in_use: CachePadded::new(AtomicU64::new(0)),
    });
    let (cs_units, think_units, clock, p) = loop_params(env, point);
    let collected = run_threads(
        env,
        point,
        true,
        pool.clone(),
        move |pool: &Pool<S>, t, ctl, stats, all_ops| {
            let op = |sample: bool, stats: &mut ThreadStats| {
                let over = timed(&clock, sample, stats, |stamp| {
                    pool.sem.acquire();
                    stamp.mark();
                    // Relaxed: a counter checked for its bound only; the semaphore orders the use.
                    let holders = pool.in_use.fetch_add(1, Ordering::Relaxed) + 1;
                    BusyWork::burn(cs_units);
                    pool.in_use.fetch_sub(1, Ordering::Relaxed);
                    stamp.releasing();
                    pool.sem.release();
                    holders > permits
                });
                stats.overlap_seen |= over;
                BusyWork::burn(think_units);
            };
            drive(ctl.0, &p, quota(&p, t), &clock, stats, all_ops, op);
        },
    )?;
    if !collected.timed_out {
        let broken = |what: String| HarnessError::invariant(point, trial, what);
        if collected.threads.iter().any(|s| s.overlap_seen) {
            return Err(broken(format!(
                "more than {permits} threads held permits at once"
            )));
        }
        if u64::from(pool.sem.available()) != permits {
            return Err(broken(format!(
                "{} of {permits} permits free after the run",
                pool.sem.available()
            )));
        }
    }
    Ok(build_record(env, point, family, trial, &collected, 0))
}

/// A queue trial's channel ends, each taken once by the thread it belongs to.
struct Ends<C: Channel> {
    txs: Mutex<Vec<Option<C::Tx>>>,
    rxs: Mutex<Vec<Option<C::Rx>>>,
    producers: usize,
}

impl<C: Channel> Ends<C> {
    /// The first half of `threads` (at least one) produce; every thread may receive.
    fn new(threads: usize) -> Ends<C> {
        let producers = if threads == 1 {
            1
        } else {
            (threads / 2).max(1)
        };
        let (tx, rx) = C::bounded(QUEUE_CAPACITY);
        let mut txs: Vec<Option<C::Tx>> = (1..producers).map(|_| Some(tx.clone())).collect();
        txs.insert(0, Some(tx));
        let rxs: Vec<Option<C::Rx>> = (0..threads).map(|_| Some(rx.clone())).collect();
        Ends {
            txs: Mutex::new(txs),
            rxs: Mutex::new(rxs),
            producers,
        }
    }
}

/// Producers and consumers on a bounded channel of `QUEUE_CAPACITY` items. The first half
/// of the threads (at least one) produce, the rest consume; a single thread sends and then
/// receives each item itself. A consumer spends the critical-section time on each item, a
/// producer the think time between items. When the window ends, producers stop and drop their
/// senders; consumers drain the queue until it closes. Sends count as writes, receives as
/// reads (items/s = `reads_ops_s`); each sampled item's latency from send to receive goes to
/// the wait histogram. Every item must arrive exactly once, in order per producer.
pub fn run_queue<C: Channel>(
    env: &Env,
    point: &Point,
    family: Family,
    trial: u32,
) -> Result<TrialOutput, HarnessError> {
    let ends = Arc::new(Ends::<C>::new(point.setting.threads));
    let (cs_units, think_units, clock, p) = loop_params(env, point);
    let single = point.setting.threads == 1;
    let collected = run_threads(
        env,
        point,
        false,
        ends.clone(),
        move |ends: &Ends<C>, t, ctl, stats, _all_ops| {
            let mut window = Window::new();
            let mut sampler = Sampler::new(p.sample_every, p.seed ^ t as u64);
            let producing = t < ends.producers;
            let tx = if producing {
                ends.txs.lock().unwrap_or_else(|e| e.into_inner())[t].take()
            } else {
                None
            };
            let rx = if !producing || single {
                ends.rxs.lock().unwrap_or_else(|e| e.into_inner())[t].take()
            } else {
                None
            };
            let mut last_seq = vec![0u64; ends.producers];
            let mut receive = |item: Item, measured: bool, stats: &mut ThreadStats| {
                // Items of one producer reach any one consumer in increasing order (FIFO); a
                // duplicate or a reordering shows as a sequence number below the next expected.
                let (from, seq) = (item[0] as usize, item[1]);
                if seq < last_seq[from] {
                    stats.torn_read_seen = true;
                }
                last_seq[from] = seq + 1;
                stats.received_total += 1;
                if measured {
                    stats.ops += 1;
                    stats.reads += 1;
                }
                // The producer stamped only the items it sampled in the latency window (0
                // otherwise); one may arrive just after the measured window began.
                if item[2] != 0 {
                    stats
                        .wait
                        .saturating_record(clock.delta_ns(item[2], clock.raw()));
                }
                BusyWork::burn(cs_units);
            };
            if let Some(tx) = tx {
                let mut seq = 0;
                loop {
                    let phase = ctl.0.phase();
                    if phase == STOP {
                        break;
                    }
                    let measured = window.tick(phase, stats);
                    // Only sampled items of the latency window carry a send time: the fenced
                    // clock read costs ~10–20 ns, too much to pay on every item, and none is
                    // paid in the measured window.
                    stats.latency_ops += u64::from(phase == LATENCY);
                    let sent = if phase == LATENCY && sampler.next() {
                        clock.raw().max(1)
                    } else {
                        0
                    };
                    C::send(&tx, [t as u64, seq, sent]);
                    seq += 1;
                    stats.exclusive_total += 1;
                    if measured {
                        stats.ops += 1;
                    }
                    if single {
                        if let Some(item) = rx.as_ref().and_then(|rx| C::recv(rx)) {
                            receive(item, measured, stats);
                        }
                    }
                    BusyWork::burn(think_units);
                }
                drop(tx);
            } else if let Some(rx) = rx {
                while let Some(item) = C::recv(&rx) {
                    let measured = window.tick(ctl.0.phase(), stats);
                    receive(item, measured, stats);
                }
            }
        },
    )?;
    check_queue(point, trial, &collected)?;
    Ok(build_record(env, point, family, trial, &collected, 0))
}

/// A queue's invariant after a trial that ran to its end: every item arrived exactly once, in
/// order per producer.
fn check_queue(
    point: &Point,
    trial: u32,
    collected: &super::Collected,
) -> Result<(), HarnessError> {
    if collected.timed_out {
        return Ok(());
    }
    let sent: u64 = collected.threads.iter().map(|s| s.exclusive_total).sum();
    let received: u64 = collected.threads.iter().map(|s| s.received_total).sum();
    let broken = |what: String| HarnessError::invariant(point, trial, what);
    if collected.threads.iter().any(|s| s.torn_read_seen) {
        return Err(broken(
            "an item arrived twice or out of order for its producer".into(),
        ));
    }
    if sent != received {
        return Err(broken(format!("{sent} items sent, {received} received")));
    }
    Ok(())
}

/// Threads meet at a barrier phase after phase. Before waiting, each records its arrival
/// time and phase number; after release it checks that everyone reached this phase (nobody
/// left early) and, when sampled, records its *release latency* — from the last arrival to
/// its own release — in the wait histogram. One op is one thread passing one phase
/// (phases/s = throughput / threads). To stop, the first thread to see the stop flag after a
/// phase names the *next* phase as the last; every thread learns it before that phase ends,
/// so all leave together and nobody is left waiting.
pub fn run_barrier<B: PhaseBarrier>(
    env: &Env,
    point: &Point,
    family: Family,
    trial: u32,
) -> Result<TrialOutput, HarnessError> {
    struct Meet<B> {
        barrier: B,
        arrived_at: Vec<CachePadded<AtomicU64>>,
        phase_of: Vec<CachePadded<AtomicU64>>,
        last_phase: AtomicU64,
        early: AtomicUsize,
    }
    let n = point.setting.threads;
    let meet = Arc::new(Meet {
        barrier: B::with_threads(n),
        arrived_at: (0..n)
            .map(|_| CachePadded::new(AtomicU64::new(0)))
            .collect(),
        phase_of: (0..n)
            .map(|_| CachePadded::new(AtomicU64::new(0)))
            .collect(),
        last_phase: AtomicU64::new(u64::MAX),
        early: AtomicUsize::new(0),
    });
    let (cs_units, _, clock, p) = loop_params(env, point);
    let collected = run_threads(
        env,
        point,
        false,
        meet.clone(),
        move |m: &Meet<B>, t, ctl, stats, _all_ops| {
            let mut window = Window::new();
            let mut sampler = Sampler::new(p.sample_every, p.seed ^ t as u64);
            let mut local = B::Local::default();
            let mut phase = 0u64;
            loop {
                phase += 1;
                let now = ctl.0.phase();
                let measured = window.tick(now, stats);
                BusyWork::burn(cs_units);
                // Arrivals are stamped in the latency window only: the measured window reads
                // no clock. Relaxed: the barrier's own synchronization publishes these to
                // every thread released from this phase.
                let timing = now == LATENCY;
                stats.latency_ops += u64::from(timing);
                if timing {
                    m.arrived_at[t].store(clock.raw(), Ordering::Relaxed);
                }
                m.phase_of[t].store(phase, Ordering::Relaxed);
                m.barrier.wait(&mut local);
                if m.phase_of.iter().any(|p| p.load(Ordering::Relaxed) < phase) {
                    m.early.fetch_add(1, Ordering::Relaxed);
                }
                if measured {
                    stats.ops += 1;
                }
                if timing && sampler.next() {
                    let released = clock.raw();
                    let last = m
                        .arrived_at
                        .iter()
                        .map(|a| a.load(Ordering::Relaxed))
                        .max()
                        .unwrap_or(released);
                    stats.wait.saturating_record(clock.delta_ns(last, released));
                }
                if ctl.0.phase() == STOP {
                    // Relaxed: ordered by the next barrier phase, which every thread passes before
                    // reading it for that phase.
                    let _ = m.last_phase.compare_exchange(
                        u64::MAX,
                        phase + 1,
                        Ordering::Relaxed,
                        Ordering::Relaxed,
                    );
                }
                if phase >= m.last_phase.load(Ordering::Relaxed) {
                    break;
                }
            }
        },
    )?;
    if !collected.timed_out && meet.early.load(Ordering::Relaxed) > 0 {
        return Err(HarnessError::invariant(
            point,
            trial,
            format!(
                "{} release(s) before every thread arrived",
                meet.early.load(Ordering::Relaxed)
            ),
        ));
    }
    Ok(build_record(env, point, family, trial, &collected, 0))
}
