//! `cargo bench`: criterion micro-benchmarks.
//!
//! - Uncontended costs measured directly on the primitive (no harness): lock+unlock of every
//!   mutual-exclusion lock, a failed `try_lock`, read- and write-lock+unlock of every RwLock,
//!   one increment of each counter, and the classic toolbox (reentrant lock, semaphore
//!   acquire+release, queue send+recv on one thread).
//! - Striped tables, bank transfers and barriers at 1 thread through the harness (their op
//!   is the harness's workload), reported per op.
//! - Contended throughput of a representative subset at 2 and 4 threads, through criterion's
//!   `iter_custom` driving the lockbench harness in fixed-work mode (criterion picks the op
//!   count, the harness runs it on pinned threads and reports the measured window).
//!
//! `cargo bench -- spin` runs a subset; `scripts/criterion-vs-harness.sh` sets the uncontended
//! figures beside the harness's own single-thread figures.

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, criterion_group, criterion_main};
use crossbeam_utils::CachePadded;
use lockbench::harness::{Env, Point, ProtectedData};
use lockbench::primitives::Exclusive;
use lockbench::primitives::classic::{
    Channel, CondvarQueue, CondvarSemaphore, FutexSemaphore, Permits, ReentrantMutex,
};
use lockbench::primitives::counter::{
    CasBackoffCounter, CasCounter, Counter, FetchAddCounter, RacyCounter, ShardedCounter,
};
use lockbench::primitives::external::{
    CrossbeamBounded, ParkingLotFairMutex, ParkingLotMutex, ParkingLotReentrant, ParkingLotRwLock,
    SpinRsMutex, SpinRsTicket, StdMutex, StdRwLock, StdSyncChannel,
};
use lockbench::primitives::futex::{AdaptiveMutex, FutexMutex};
use lockbench::primitives::rwlock::{
    PhaseFairRwLock, ReadWrite, ReaderPrefRwLock, SeqLock, WriterPrefRwLock,
};
use lockbench::primitives::spin::{Mcs, Tas, Ticket, Ttas, TtasBackoff};
use std::hint::black_box;
use std::sync::OnceLock;
use std::time::Duration;

type Group<'a> = BenchmarkGroup<'a, WallTime>;

fn lock_unlock<L: Exclusive>(g: &mut Group, name: &str) {
    let lock = L::create();
    let mut node = L::Node::default();
    g.bench_function(BenchmarkId::new("lock+unlock", name), |b| {
        b.iter(|| lock.with(&mut node, || black_box(())))
    });
    // The harness's operation at cs = 0: the critical section writes the protected data
    // (four words on their own cache line), as in `lockbench run`.
    let data = CachePadded::new(ProtectedData::default());
    g.bench_function(BenchmarkId::new("lock+touch+unlock", name), |b| {
        b.iter(|| lock.with(&mut node, || black_box(data.critical_section(0, 0))))
    });
    let held = L::create();
    let mut holder = L::Node::default();
    let mut other = L::Node::default();
    // A failed try_lock: measured while another "owner" holds the lock on this thread.
    held.with(&mut holder, || {
        g.bench_function(BenchmarkId::new("failed try_lock", name), |b| {
            b.iter(|| black_box(held.try_with(&mut other, || ()).is_none()))
        });
    });
}

fn uncontended_locks(c: &mut Criterion) {
    let mut g = c.benchmark_group("baseline");
    let data = CachePadded::new(ProtectedData::default());
    g.bench_function(BenchmarkId::new("touch", "null"), |b| {
        b.iter(|| black_box(data.critical_section(0, 0)))
    });
    g.finish();
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
    lock_unlock::<AdaptiveMutex<100>>(&mut g, "adaptive-mutex-100ns");
    lock_unlock::<AdaptiveMutex<10_000>>(&mut g, "adaptive-mutex-10us");
    lock_unlock::<StdMutex>(&mut g, "std-mutex");
    lock_unlock::<ParkingLotMutex>(&mut g, "parking-lot-mutex");
    lock_unlock::<ParkingLotFairMutex>(&mut g, "parking-lot-fair-mutex");
    g.finish();
}

fn read_write<R: ReadWrite>(g: &mut Group, name: &str) {
    let lock = R::create();
    g.bench_function(BenchmarkId::new("read-lock+unlock", name), |b| {
        b.iter(|| lock.read(|| black_box(())))
    });
    g.bench_function(BenchmarkId::new("write-lock+unlock", name), |b| {
        b.iter(|| lock.write(|| black_box(())))
    });
}

fn uncontended_rwlocks(c: &mut Criterion) {
    let mut g = c.benchmark_group("rwlock");
    read_write::<ReaderPrefRwLock>(&mut g, "rw-reader-pref");
    read_write::<WriterPrefRwLock>(&mut g, "rw-writer-pref");
    read_write::<PhaseFairRwLock>(&mut g, "rw-phase-fair");
    read_write::<SeqLock>(&mut g, "rw-seqlock");
    read_write::<StdRwLock>(&mut g, "std-rwlock");
    read_write::<ParkingLotRwLock>(&mut g, "parking-lot-rwlock");
    g.finish();
}

fn increment<C: Counter>(g: &mut Group, name: &str) {
    let counter = C::with_threads(1);
    g.bench_function(BenchmarkId::new("increment", name), |b| {
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

fn reentrant<L: Exclusive>(g: &mut Group, name: &str) {
    let lock = L::create();
    let mut outer = L::Node::default();
    let mut inner = L::Node::default();
    // The harness's reentrant op: lock, re-enter once, unlock twice.
    g.bench_function(BenchmarkId::new("lock+reenter+unlock", name), |b| {
        b.iter(|| lock.with(&mut outer, || lock.with(&mut inner, || black_box(()))))
    });
}

fn permits<P: Permits>(g: &mut Group, name: &str) {
    let s = P::with_permits(4);
    g.bench_function(BenchmarkId::new("acquire+release", name), |b| {
        b.iter(|| {
            s.acquire();
            s.release();
        })
    });
}

fn send_recv<C: Channel>(g: &mut Group, name: &str) {
    let (tx, rx) = C::bounded(64);
    g.bench_function(BenchmarkId::new("send+recv", name), |b| {
        b.iter(|| {
            C::send(&tx, black_box([1, 2, 3]));
            black_box(C::recv(&rx))
        })
    });
}

fn classic(c: &mut Criterion) {
    let mut g = c.benchmark_group("classic");
    reentrant::<ReentrantMutex<FutexMutex>>(&mut g, "reentrant-mutex");
    reentrant::<ParkingLotReentrant>(&mut g, "parking-lot-reentrant-mutex");
    permits::<FutexSemaphore>(&mut g, "futex-semaphore");
    permits::<CondvarSemaphore>(&mut g, "condvar-semaphore");
    send_recv::<CondvarQueue>(&mut g, "condvar-queue");
    send_recv::<StdSyncChannel>(&mut g, "std-sync-channel");
    send_recv::<CrossbeamBounded>(&mut g, "crossbeam-channel");
    g.finish();
}

fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(Env::detect)
}

/// Contended subset: spinning, queueing, sleeping, adaptive, lock-free, reader-writer.
const CONTENDED: [&str; 7] = [
    "spin-ttas-backoff",
    "spin-mcs",
    "futex-mutex",
    "std-mutex",
    "parking-lot-mutex",
    "fetch-add-counter",
    "rw-phase-fair",
];

fn contended(c: &mut Criterion) {
    for threads in [2, 4] {
        let mut g = c.benchmark_group(format!("contended-{threads}t"));
        // Each sample spawns and pins threads: fewer, longer samples.
        g.sample_size(15);
        for name in CONTENDED {
            let primitive = lockbench::registry::find(name).expect("registered");
            g.bench_function(BenchmarkId::new("op-cs100ns", name), |b| {
                b.iter_custom(|iters| {
                    let point = Point {
                        threads,
                        cs_ns: 100,
                        fixed_ops: Some(iters.max(threads as u64)),
                        read_ratio: (primitive.kind == lockbench::registry::Kind::RwLock)
                            .then_some(0.9),
                        warmup: Duration::from_millis(2),
                        sample_every: 0,
                        ..Point::new(name)
                    };
                    let out = primitive
                        .run(env(), &point, 0)
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                    // Criterion divides by iters: the window over all threads' ops gives the
                    // per-op time of the whole contended system (1 / throughput).
                    Duration::from_secs_f64(out.record.elapsed_s)
                })
            });
        }
        g.finish();
    }
}

// Budget: the whole `cargo bench` must finish within 10 minutes on 2 cores, so samples are
// fewer than criterion's default and the bootstrap is smaller (its CIs stay well under 1%).
/// Primitives whose operation needs the harness's workload (a keyed table, accounts, a
/// barrier's phase protocol): their single-thread cost, measured through the harness.
const THROUGH_HARNESS: [&str; 8] = [
    "striped-spin",
    "striped-mutex",
    "coarse-mutex",
    "dashmap",
    "bank-ordered",
    "bank-trylock",
    "sense-barrier",
    "std-barrier",
];

fn through_harness(c: &mut Criterion) {
    let mut g = c.benchmark_group("harness-1t");
    g.sample_size(10);
    for name in THROUGH_HARNESS {
        let primitive = lockbench::registry::find(name).expect("registered");
        g.bench_function(BenchmarkId::new("op", name), |b| {
            b.iter_custom(|iters| {
                // A fixed 20 ms window (barriers cannot run a fixed op count): the time for
                // `iters` ops is iters / measured throughput.
                let point = Point {
                    threads: 1,
                    duration: Duration::from_millis(20),
                    warmup: Duration::from_millis(2),
                    sample_every: 0,
                    ..Point::new(name)
                };
                let out = primitive
                    .run(env(), &point, 0)
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                Duration::from_secs_f64(iters as f64 / out.record.throughput_ops_s)
            })
        });
    }
    g.finish();
}

/// The harness's exact single-thread operation (its loop, its loads and stores, cs = 0,
/// nothing timed), timed by criterion: `lockbench run --threads 1 --cs 0 --sample 0` should
/// report the same ns/op, compared whole (`scripts/criterion-vs-harness.sh`).
fn harness_op_exclusive<L: Exclusive>(g: &mut Group, name: &str) {
    let clock = lockbench::harness::clock::Clock::new();
    g.bench_function(BenchmarkId::new("op", name), |b| {
        b.iter_custom(|iters| lockbench::harness::time_exclusive_ops::<L>(&clock, iters))
    });
}

fn harness_op_counter<C: Counter>(g: &mut Group, name: &str) {
    let clock = lockbench::harness::clock::Clock::new();
    g.bench_function(BenchmarkId::new("op", name), |b| {
        b.iter_custom(|iters| lockbench::harness::time_counter_ops::<C>(&clock, iters))
    });
}

fn harness_ops(c: &mut Criterion) {
    let mut g = c.benchmark_group("harness");
    harness_op_exclusive::<lockbench::primitives::external::NoLock>(&mut g, "null");
    harness_op_exclusive::<Tas>(&mut g, "spin-tas");
    harness_op_exclusive::<Ttas>(&mut g, "spin-ttas");
    harness_op_exclusive::<TtasBackoff>(&mut g, "spin-ttas-backoff");
    harness_op_exclusive::<Ticket>(&mut g, "spin-ticket");
    harness_op_exclusive::<Mcs>(&mut g, "spin-mcs");
    harness_op_exclusive::<SpinRsMutex>(&mut g, "spin-rs");
    harness_op_exclusive::<SpinRsTicket>(&mut g, "spin-rs-ticket");
    harness_op_exclusive::<FutexMutex>(&mut g, "futex-mutex");
    harness_op_exclusive::<AdaptiveMutex<1_000>>(&mut g, "adaptive-mutex");
    harness_op_exclusive::<StdMutex>(&mut g, "std-mutex");
    harness_op_exclusive::<ParkingLotMutex>(&mut g, "parking-lot-mutex");
    harness_op_exclusive::<ParkingLotFairMutex>(&mut g, "parking-lot-fair-mutex");
    harness_op_counter::<CasCounter>(&mut g, "cas-counter");
    harness_op_counter::<FetchAddCounter>(&mut g, "fetch-add-counter");
    harness_op_counter::<ShardedCounter>(&mut g, "sharded-counter");
    g.finish();
}

criterion_group! {
    name = uncontended;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(50)
        .nresamples(20_000);
    targets = uncontended_locks, uncontended_rwlocks, counters, classic, harness_ops
}
criterion_group! {
    name = contention;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .nresamples(20_000);
    targets = contended, through_harness
}
criterion_main!(uncontended, contention);
