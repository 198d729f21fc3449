//! `cargo bench --bench profile`: what `lockbench::profile`'s wrappers cost over the lock they
//! wrap — uncontended lock+unlock on one thread, and contended throughput of two pinned
//! threads sharing one lock (an increment inside) — at the default sampling and with every
//! acquisition timed. `scripts/profile-overhead.sh` runs the same operations interleaved
//! against `locktick` and writes the published figures.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use lockbench::profile;
use std::hint::black_box;
use std::sync::Barrier;
use std::time::{Duration, Instant};

/// Two threads pinned to the first two CPUs, `iters` increments in all; the wall time.
fn contended<L: Sync>(lock: &L, iters: u64, op: impl Fn(&L) + Sync) -> Duration {
    let cores = core_affinity::get_core_ids().unwrap_or_default();
    let barrier = Barrier::new(3);
    let per = iters.div_ceil(2);
    std::thread::scope(|s| {
        for t in 0..2 {
            let (barrier, op, core) = (&barrier, &op, cores.get(t % cores.len().max(1)).copied());
            s.spawn(move || {
                if let Some(core) = core {
                    core_affinity::set_for_current(core);
                }
                barrier.wait();
                for _ in 0..per {
                    op(lock);
                }
                barrier.wait();
            });
        }
        barrier.wait();
        let start = Instant::now();
        barrier.wait();
        start.elapsed()
    })
}

fn uncontended(c: &mut Criterion) {
    let mut g = c.benchmark_group("profile/uncontended");
    let bare = parking_lot::Mutex::new(0u64);
    g.bench_function(
        BenchmarkId::new("lock+increment+unlock", "parking_lot"),
        |b| b.iter(|| *black_box(&bare).lock() += 1),
    );
    let wrapped = profile::Mutex::<u64>::named(0, "bench-uncontended");
    g.bench_function(
        BenchmarkId::new("lock+increment+unlock", "profile(parking_lot)"),
        |b| b.iter(|| *black_box(&wrapped).lock() += 1),
    );
    // The same, timing every acquisition, and timing none (counts only): what the sampling
    // costs. The setting is read when a thread first takes a lock.
    for (label, every) in [("every 1", 1), ("never timed", u32::MAX)] {
        profile::set_sample_every(every);
        let name: &'static str = Box::leak(format!("bench-uncontended-{label}").into_boxed_str());
        let m = profile::Mutex::<u64>::named(0, name);
        *m.lock() += 1;
        profile::set_sample_every(profile::DEFAULT_SAMPLE_EVERY);
        let id = format!("profile(parking_lot, {label})");
        g.bench_function(BenchmarkId::new("lock+increment+unlock", id), |b| {
            b.iter(|| *black_box(&m).lock() += 1)
        });
    }
    let std_bare = std::sync::Mutex::new(0u64);
    g.bench_function(BenchmarkId::new("lock+increment+unlock", "std"), |b| {
        b.iter(|| *black_box(&std_bare).lock().unwrap() += 1)
    });
    let std_wrapped = profile::StdMutex::named_with_raw(0u64, "bench-uncontended-std");
    g.bench_function(
        BenchmarkId::new("lock+increment+unlock", "profile(std)"),
        |b| b.iter(|| *black_box(&std_wrapped).lock() += 1),
    );
    g.finish();
}

fn two_threads(c: &mut Criterion) {
    let mut g = c.benchmark_group("profile/contended-2t");
    let bare = parking_lot::Mutex::new(0u64);
    g.bench_function(BenchmarkId::new("increment", "parking_lot"), |b| {
        b.iter_custom(|iters| contended(&bare, iters, |l| *l.lock() += 1))
    });
    let wrapped = profile::Mutex::<u64>::named(0, "bench-contended");
    g.bench_function(BenchmarkId::new("increment", "profile(parking_lot)"), |b| {
        b.iter_custom(|iters| contended(&wrapped, iters, |l| *l.lock() += 1))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    targets = uncontended, two_threads
}
criterion_main!(benches);
