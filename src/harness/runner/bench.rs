//! The harness's own loops under an outside timer (criterion's `iter_custom`, the
//! `Contended` check of a user's lock).

use super::shared_kinds::counter_loop;
use super::*;

/// The harness's own single-thread loop, for an outside timer (criterion's `iter_custom`):
/// a control already in the measured phase, a point with nothing timed and a fixed quota.
pub(super) fn bench_setup(ops: u64) -> (Control, Point, CachePadded<ThreadStats>) {
    let ctl = Control {
        phase: CachePadded::new(AtomicU8::new(MEASURE)),
        barrier: Barrier::new(1),
        parked: CachePadded::new(AtomicUsize::new(0)),
    };
    let point = Point {
        setting: crate::record::Setting {
            threads: 1,
            ..Point::new("").setting
        },
        sample_every: 0,
        fixed_ops: Some(ops),
        ..Point::new("")
    };
    (ctl, point, CachePadded::new(ThreadStats::new()))
}

/// Runs `ops` operations of exclusive lock `L` on the calling thread exactly as a 1-thread,
/// cs = 0, think = 0, untimed trial runs them (the same compiled `exclusive_worker`, the
/// data laid out as a trial lays it out), and returns how long they took by the std clock.
/// For criterion's `iter_custom`, so criterion times the harness's exact operation.
pub fn time_exclusive_ops<L: Exclusive>(clock: &Clock, ops: u64) -> Duration {
    let run = LockRun::new(L::create(), crate::record::Layout::Separate);
    // In a trial the lock and data are shared with other threads; here they must escape too,
    // or the optimiser may treat their atomics as private memory and fold the loop away.
    let run = std::hint::black_box(&run);
    let mut node = CachePadded::new(L::Node::default());
    let (ctl, point, mut stats) = bench_setup(ops);
    let mut all_ops = 0;
    let (lock, data) = (run.lock(), run.data());
    let start = Instant::now();
    exclusive_worker(
        &ctl,
        &point,
        Some(ops),
        clock,
        &mut stats,
        &mut all_ops,
        lock,
        &mut node,
        data,
        u64::MAX,
        (0, 0, 0),
    );
    start.elapsed()
}

/// [`time_exclusive_ops`] for counter `C`: `ops` increments through the harness's counter loop.
pub fn time_counter_ops<C: Counter>(clock: &Clock, ops: u64) -> Duration {
    let c = CachePadded::new(C::with_threads(1));
    // As in `time_exclusive_ops`: shared in a trial, so it must escape here.
    let c = std::hint::black_box(&c);
    let (ctl, point, mut stats) = bench_setup(ops);
    let mut all_ops = 0;
    let start = Instant::now();
    counter_loop(
        &ctl,
        &point,
        Some(ops),
        clock,
        &mut stats,
        &mut all_ops,
        &**c,
        0,
        0,
        0,
    );
    start.elapsed()
}

/// Runs `ops` lock-protected operations of exclusive lock `L` shared by `threads` threads,
/// each op the harness's critical section (touch the protected data, then `cs_units` of busy
/// work), and returns the wall time from the moment all threads are released together to the
/// last one's finish. The threads share one budget, counted under the lock: a thread stops
/// when the protected count has reached `ops`, so an unfair lock that lets one thread finish
/// early cannot leave the rest running uncontended. Thread `t` is pinned to `cpus[t % len]`
/// (unpinned if `cpus` is empty); threads are spawned and wait on a spinning start flag
/// before the clock starts. For criterion's `iter_custom`: a contended measurement in a
/// user's own `cargo bench`.
///
/// # Panics
/// If the lock loses an update (the protected count falls short of the sections the threads
/// ran, each thread counting its own) or lets two threads in at once: a broken lock never
/// yields a time. The count is checked first: it is exact, while the overlap check may miss.
pub fn time_exclusive_contended<L: Exclusive>(
    threads: usize,
    ops: u64,
    cs_units: u64,
    cpus: &[usize],
) -> Duration {
    let threads = threads.max(1);
    let run = LockRun::new(L::create(), crate::record::Layout::Separate);
    let ready = std::sync::atomic::AtomicUsize::new(0);
    let go = std::sync::atomic::AtomicBool::new(false);
    let (lock, data) = (run.lock(), run.data());
    let (start, ends) = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let (ready, go) = (&ready, &go);
                let cpu = (!cpus.is_empty()).then(|| cpus[t % cpus.len()]);
                s.spawn(move || {
                    if let Some(id) = cpu {
                        core_affinity::set_for_current(core_affinity::CoreId { id });
                    }
                    let mut node = CachePadded::new(L::Node::default());
                    let mut intruder = false;
                    // Sections this thread ran, counted outside the protected data: a lock
                    // that loses updates makes the protected count fall short of their sum.
                    let mut sections = 0u64;
                    // Release: pairs with the controller's Acquire load of the count.
                    ready.fetch_add(1, Ordering::Release);
                    // Acquire: pairs with the controller's Release store of `go`.
                    while !go.load(Ordering::Acquire) {
                        std::hint::spin_loop();
                    }
                    loop {
                        // Read under the lock: the count is the protected data's, so no
                        // thread can overshoot the budget.
                        let ran = lock.with(&mut node, || {
                            (data.count.load(Ordering::Relaxed) < ops)
                                .then(|| data.critical_section(t, cs_units))
                        });
                        match ran {
                            Some(seen) => {
                                intruder |= seen;
                                sections += 1;
                            }
                            None => break,
                        }
                    }
                    (Instant::now(), intruder, sections)
                })
            })
            .collect();
        // Acquire: pairs with each worker's Release increment.
        while ready.load(Ordering::Acquire) < threads {
            std::hint::spin_loop();
        }
        let start = Instant::now();
        // Release: pairs with the workers' Acquire loads of `go`.
        go.store(true, Ordering::Release);
        let ends: Vec<(Instant, bool, u64)> = workers
            .into_iter()
            .map(|w| {
                w.join()
                    .expect("a worker of time_exclusive_contended panicked")
            })
            .collect();
        (start, ends)
    });
    let count = data.count.load(Ordering::Relaxed);
    let sections: u64 = ends.iter().map(|e| e.2).sum();
    assert!(
        count == sections,
        "protected counter is {count} after {sections} exclusive sections ({} updates lost)",
        sections.saturating_sub(count)
    );
    assert!(
        !ends.iter().any(|e| e.1),
        "two threads were inside the critical section at once"
    );
    let end = ends.iter().map(|e| e.0).max().expect("at least one thread");
    end - start
}
