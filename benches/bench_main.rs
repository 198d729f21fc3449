//! `cargo bench`: criterion over every registered primitive, generated from the registry
//! (`lockbench::for_each_primitive!`), so a new primitive is benched without touching this file.
//!
//! Groups (criterion ids are `group/function/primitive`; the group is the primitive's family):
//! - uncontended, one thread: `lock+unlock`, `lock+touch+unlock` (the harness's critical
//!   section stores) and `failed try_lock` for locks; `read-lock+unlock` / `write-lock+unlock`
//!   for reader-writer locks; `increment` for counters; `acquire+release`, `send+recv`, `wait`
//!   for semaphores, channels and barriers;
//! - `harness/op/*`: the harness's exact single-thread loop (`time_exclusive_ops`,
//!   `time_counter_ops`), which `scripts/criterion-vs-harness.sh` compares with `lockbench run`;
//! - `contended-{2,4}t/op-cs100ns/*`: fixed-work trials through the harness for every lock,
//!   counter and reader-writer lock (reads 90%);
//! - `harness-1t/op/*`: the keyed and bank workloads, one thread, through the harness.

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, criterion_group, criterion_main};
use crossbeam_utils::CachePadded;
use lockbench::harness::clock::Clock;
use lockbench::harness::{Env, Point, ProtectedData, time_counter_ops, time_exclusive_ops};
use lockbench::primitives::Exclusive;
use lockbench::primitives::about::{Describe, Family, Kind};
use lockbench::primitives::classic::{Channel, Permits, PhaseBarrier};
use lockbench::primitives::counter::Counter;
use lockbench::primitives::rwlock::ReadWrite;
use lockbench::registry::{self, PRIMITIVES};
use std::hint::black_box;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

type Group<'a> = BenchmarkGroup<'a, WallTime>;

fn group<'a>(c: &'a mut Criterion, family: Family) -> Group<'a> {
    c.benchmark_group(family.as_str())
}

fn exclusive<L: Exclusive + Describe>(c: &mut Criterion) {
    let name = L::ABOUT.name;
    let mut g = group(c, L::ABOUT.family);
    let lock = L::create();
    let mut node = L::Node::default();
    g.bench_function(BenchmarkId::new("lock+unlock", name), |b| {
        b.iter(|| lock.with(&mut node, || black_box(())))
    });
    let data = CachePadded::new(ProtectedData::default());
    g.bench_function(BenchmarkId::new("lock+touch+unlock", name), |b| {
        b.iter(|| lock.with(&mut node, || black_box(data.critical_section(0, 0))))
    });
    if L::ABOUT.family != Family::Baseline {
        // Another thread holds the lock (sleeping, off the CPU), so every try really fails:
        // held by the bench thread, a reentrant mutex would re-enter instead.
        let held = L::create();
        let (taken, done) = (AtomicBool::new(false), AtomicBool::new(false));
        std::thread::scope(|s| {
            s.spawn(|| {
                let mut holder = L::Node::default();
                held.with(&mut holder, || {
                    // SeqCst: flags between two threads, ordering nothing else.
                    taken.store(true, Ordering::SeqCst);
                    while !done.load(Ordering::SeqCst) {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                });
            });
            while !taken.load(Ordering::SeqCst) {
                std::thread::yield_now();
            }
            // Lets the holder go however the bench ends (a failed assertion included).
            struct Release<'a>(&'a AtomicBool);
            impl Drop for Release<'_> {
                fn drop(&mut self) {
                    self.0.store(true, Ordering::SeqCst);
                }
            }
            let _release = Release(&done);
            let mut other = L::Node::default();
            g.bench_function(BenchmarkId::new("failed try_lock", name), |b| {
                b.iter(|| {
                    let failed = held.try_with(&mut other, || ()).is_none();
                    assert!(failed, "{name}: try_lock got a lock another thread holds");
                    black_box(failed)
                })
            });
        });
    }
    g.finish();
    let clock = Clock::new();
    let mut g = c.benchmark_group("harness");
    g.bench_function(BenchmarkId::new("op", name), |b| {
        b.iter_custom(|iters| time_exclusive_ops::<L>(&clock, iters))
    });
    g.finish();
}

fn rwlock<R: ReadWrite + Describe>(c: &mut Criterion) {
    let name = R::ABOUT.name;
    let mut g = group(c, R::ABOUT.family);
    let lock = R::create();
    g.bench_function(BenchmarkId::new("read-lock+unlock", name), |b| {
        b.iter(|| lock.read(|| black_box(())))
    });
    g.bench_function(BenchmarkId::new("write-lock+unlock", name), |b| {
        b.iter(|| lock.write(|| black_box(())))
    });
    g.finish();
}

fn counter<C: Counter + Describe>(c: &mut Criterion) {
    let name = C::ABOUT.name;
    let mut g = group(c, C::ABOUT.family);
    let counter = C::with_threads(1);
    g.bench_function(BenchmarkId::new("increment", name), |b| {
        b.iter(|| counter.increment(0, || ()))
    });
    g.finish();
    let clock = Clock::new();
    let mut g = c.benchmark_group("harness");
    g.bench_function(BenchmarkId::new("op", name), |b| {
        b.iter_custom(|iters| time_counter_ops::<C>(&clock, iters))
    });
    g.finish();
}

fn semaphore<S: Permits + Describe>(c: &mut Criterion) {
    let mut g = group(c, S::ABOUT.family);
    let s = S::with_permits(4);
    g.bench_function(BenchmarkId::new("acquire+release", S::ABOUT.name), |b| {
        b.iter(|| {
            s.acquire();
            s.release();
        })
    });
    g.finish();
}

fn queue<C: Channel + Describe>(c: &mut Criterion) {
    let mut g = group(c, C::ABOUT.family);
    let (tx, rx) = C::bounded(64);
    g.bench_function(BenchmarkId::new("send+recv", C::ABOUT.name), |b| {
        b.iter(|| {
            C::send(&tx, black_box([1, 2, 3]));
            black_box(C::recv(&rx))
        })
    });
    g.finish();
}

fn barrier<B: PhaseBarrier + Describe>(c: &mut Criterion) {
    let mut g = group(c, B::ABOUT.family);
    let barrier = B::with_threads(1);
    let mut local = B::Local::default();
    g.bench_function(BenchmarkId::new("wait (1 thread)", B::ABOUT.name), |b| {
        b.iter(|| black_box(barrier.wait(&mut local)))
    });
    g.finish();
}

/// Workloads run themselves; they are benched through the harness (`through_harness`).
fn workload<W>(_: &mut Criterion) {}

macro_rules! uncontended_all {
    ($($kind:ident $ty:ty;)*) => {
        fn uncontended(c: &mut Criterion) {
            $($kind::<$ty>(c);)*
        }
    };
}
lockbench::for_each_primitive!(uncontended_all);

fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(Env::detect)
}

/// Every lock, counter and reader-writer lock at 2 and 4 threads, 100 ns critical sections,
/// fixed work through the harness (criterion times the whole trial).
fn contended(c: &mut Criterion) {
    let takes = |p: &registry::Primitive| {
        matches!(p.kind, Kind::Exclusive | Kind::Counter | Kind::RwLock)
            && p.about.family != Family::Baseline
    };
    for threads in [2, 4] {
        let mut g = c.benchmark_group(format!("contended-{threads}t"));
        g.sample_size(10);
        for primitive in PRIMITIVES.iter().filter(|p| takes(p)) {
            let name = primitive.about.name;
            g.bench_function(BenchmarkId::new("op-cs100ns", name), |b| {
                b.iter_custom(|iters| {
                    let point = Point {
                        setting: lockbench::record::Setting {
                            threads,
                            cs_ns: 100,
                            read_ratio: (primitive.kind == Kind::RwLock).then_some(0.9),
                            ..Point::new(name).setting
                        },
                        fixed_ops: Some(iters.max(threads as u64)),
                        warmup: Duration::from_millis(2),
                        sample_every: 0,
                        ..Point::new(name)
                    };
                    let out = primitive
                        .run(env(), &point, 0)
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                    Duration::from_secs_f64(out.record.elapsed_s)
                })
            });
        }
        g.finish();
    }
}

/// The workloads that run themselves, and the barriers, at one thread through the harness.
fn through_harness(c: &mut Criterion) {
    let mut g = c.benchmark_group("harness-1t");
    g.sample_size(10);
    let takes = |p: &registry::Primitive| {
        matches!(
            p.kind,
            Kind::Striped | Kind::Keyed | Kind::Bank | Kind::Barrier
        )
    };
    for primitive in PRIMITIVES.iter().filter(|p| takes(p)) {
        let name = primitive.about.name;
        g.bench_function(BenchmarkId::new("op", name), |b| {
            b.iter_custom(|iters| {
                let point = Point {
                    setting: lockbench::record::Setting {
                        threads: 1,
                        ..Point::new(name).setting
                    },
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

criterion_group! {
    name = uncontended_group;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(50)
        .nresamples(20_000);
    targets = uncontended
}
criterion_group! {
    name = contention;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .nresamples(20_000);
    targets = contended, through_harness
}
criterion_main!(uncontended_group, contention);
