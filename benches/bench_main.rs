//! `cargo bench`: single-thread micro-costs with criterion. Contended behaviour belongs to
//! the harness (`lockbench run` / `sweep`); these are the uncontended baselines.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use lockbench::primitives::Exclusive;
use lockbench::primitives::counter::{
    CasBackoffCounter, CasCounter, Counter, FetchAddCounter, RacyCounter, ShardedCounter,
};
use lockbench::primitives::external::{
    ParkingLotFairMutex, ParkingLotMutex, SpinRsMutex, SpinRsTicket, StdMutex,
};
use lockbench::primitives::futex::{AdaptiveMutex, FutexMutex};
use lockbench::primitives::spin::{Mcs, Tas, Ticket, Ttas, TtasBackoff};
use std::hint::black_box;

fn lock_unlock<L: Exclusive>(
    c: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
) {
    let lock = L::create();
    let mut node = L::Node::default();
    c.bench_function(BenchmarkId::new("lock+unlock", name), |b| {
        b.iter(|| lock.with(&mut node, || black_box(())))
    });
    let held = L::create();
    let mut holder = L::Node::default();
    let mut other = L::Node::default();
    // A failed try_lock: measured while another "owner" holds the lock on this thread.
    held.with(&mut holder, || {
        c.bench_function(BenchmarkId::new("failed try_lock", name), |b| {
            b.iter(|| black_box(held.try_with(&mut other, || ()).is_none()))
        });
    });
}

fn uncontended(c: &mut Criterion) {
    let mut g = c.benchmark_group("spin");
    lock_unlock::<Tas>(&mut g, "spin-tas");
    lock_unlock::<Ttas>(&mut g, "spin-ttas");
    lock_unlock::<TtasBackoff>(&mut g, "spin-ttas-backoff");
    lock_unlock::<Ticket>(&mut g, "spin-ticket");
    lock_unlock::<Mcs>(&mut g, "spin-mcs");
    lock_unlock::<SpinRsMutex>(&mut g, "spin-rs");
    lock_unlock::<SpinRsTicket>(&mut g, "spin-rs-ticket");
    g.finish();
    let mut g = c.benchmark_group("mutex");
    lock_unlock::<FutexMutex>(&mut g, "futex-mutex");
    lock_unlock::<AdaptiveMutex<1_000>>(&mut g, "adaptive-mutex");
    lock_unlock::<StdMutex>(&mut g, "std-mutex");
    lock_unlock::<ParkingLotMutex>(&mut g, "parking-lot-mutex");
    lock_unlock::<ParkingLotFairMutex>(&mut g, "parking-lot-fair-mutex");
    g.finish();
}

fn increment<C: Counter>(
    c: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
) {
    let counter = C::with_threads(1);
    c.bench_function(BenchmarkId::new("increment", name), |b| {
        b.iter(|| counter.increment(0, || ()))
    });
}

fn counters(c: &mut Criterion) {
    let mut g = c.benchmark_group("atomic");
    increment::<CasCounter>(&mut g, "cas-counter");
    increment::<CasBackoffCounter>(&mut g, "cas-backoff-counter");
    increment::<FetchAddCounter>(&mut g, "fetch-add-counter");
    increment::<ShardedCounter>(&mut g, "sharded-counter");
    increment::<RacyCounter>(&mut g, "racy-counter");
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(300))
        .measurement_time(std::time::Duration::from_secs(1));
    targets = uncontended, counters
}
criterion_main!(benches);
