//! The harness on tiny points (tens of ms): every primitive, both modes, the watchdog, and
//! the refusal to report a number from a broken lock.

use lockbench::harness::{Env, HarnessError, Point, run_exclusive};
use lockbench::primitives::Exclusive;
use lockbench::primitives::external::NoLock;
use lockbench::record::Placement;
use lockbench::record::RunRecord;
use lockbench::registry::{Family, Kind, PRIMITIVES};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(Env::detect)
}

fn tiny(name: &str, threads: usize) -> Point {
    let base = Point::new(name);
    Point {
        setting: lockbench::record::Setting {
            threads,
            ..base.setting
        },
        duration: Duration::from_millis(30),
        warmup: Duration::from_millis(10),
        timeout: Duration::from_secs(20),
        ..base
    }
}

/// Runs trial 0 of `point` with its registered primitive.
fn measure(point: &Point) -> RunRecord {
    let primitive = lockbench::registry::find(&point.primitive).unwrap();
    primitive
        .run(env(), point, 0)
        .unwrap_or_else(|e| panic!("{}: {e}", point.primitive))
        .record
}

fn check_consistent(r: &RunRecord) {
    let who = format!("{} at {} threads", r.primitive, r.threads);
    assert!(!r.timed_out, "{who} timed out");
    assert!(r.ops > 0, "{who}: no ops");
    assert!(r.throughput_ops_s > 0.0, "{who}");
    assert!(r.elapsed_s > 0.0, "{who}");
    // Sampled ops come from the latency window (a quarter of the measured one), counted ops from
    // the measured window; every op of the latency window is timed here (sample_every 1).
    let latency_ops = r.latency_ops.unwrap();
    assert!(
        r.sampled_ops <= latency_ops && (latency_ops == 0 || r.sampled_ops > 0),
        "{who}: sampled {} of {latency_ops}",
        r.sampled_ops
    );
    assert_eq!(r.latency_ms, Some(r.duration_ms / 4.0), "{who}");
    assert!(
        r.wait_p99_ns
            .is_none_or(|p99| r.wait_p50_ns <= p99 && p99 <= r.wait_max_ns),
        "{who}: wait percentiles"
    );
    assert!(
        r.hold_p99_ns
            .is_none_or(|p99| r.hold_p50_ns <= p99 && p99 <= r.hold_max_ns),
        "{who}: hold percentiles"
    );
    assert!(
        r.jain_index > 0.0 && r.jain_index <= 1.0 + 1e-9,
        "{who}: jain {}",
        r.jain_index
    );
    assert!(r.min_share <= r.max_share, "{who}");
    assert!(
        r.cpu_s > 0.0 && r.ops_per_cpu_s > 0.0,
        "{who}: cpu {}",
        r.cpu_s
    );
    assert_eq!(
        r.threads,
        r.pin_map.split(';').count(),
        "{who}: pin map {}",
        r.pin_map
    );
}

#[test]
fn every_primitive_runs_and_its_record_is_consistent() {
    for p in PRIMITIVES {
        let out = p
            .run(
                env(),
                &Point {
                    setting: lockbench::record::Setting {
                        cs_ns: 1_000,
                        ..(tiny(p.about.name, 2)).setting
                    },
                    ..tiny(p.about.name, 2)
                },
                0,
            )
            .unwrap_or_else(|e| panic!("{}: {e}", p.about.name));
        let r = &out.record;
        check_consistent(r);
        assert_eq!(r.family, p.about.family);
        assert_eq!(out.per_thread_ops.iter().sum::<u64>(), r.ops);
        // Counters, queues and barriers hold nothing: their wait is the whole update, the
        // item latency, the release latency.
        // (Holds are timed in the latency window; other tests share the CPUs and may leave
        // its 15 ms without one op of this trial.)
        if p.about.family != Family::Atomic
            && !matches!(p.kind, Kind::Queue | Kind::Barrier)
            && r.sampled_ops > 0
        {
            // The critical-section work really runs under the lock. (Accuracy of the
            // calibration is a probe figure; here other tests share the CPUs and a
            // calibration taken under load can be off by 2x, hence the wide margin.)
            assert!(
                r.hold_mean_ns >= 200.0,
                "{}: hold {} ns",
                p.about.name,
                r.hold_mean_ns
            );
        }
        if p.about.name != "racy-counter" && p.about.name != "null" {
            assert_eq!(r.lost_updates, 0, "{}", p.about.name);
        }
    }
}

/// More threads than CPUs: every family still produces a consistent, flagged record. (FIFO
/// spinlocks are left out: their convoys under preemption make tiny windows unreliable.)
#[test]
fn oversubscribed_points_are_flagged() {
    let threads = env().host.usable_cpus() * 2 + 1;
    for name in [
        "spin-ttas-backoff",
        "futex-mutex",
        "std-mutex",
        "fetch-add-counter",
    ] {
        let r = measure(&tiny(name, threads));
        check_consistent(&r);
        assert!(r.oversubscribed, "{name}");
    }
    assert!(!measure(&tiny("spin-tas", 1)).oversubscribed);
}

#[test]
fn the_racy_counter_reports_lost_updates() {
    let point = Point {
        setting: lockbench::record::Setting {
            cs_ns: 50,
            ..(tiny("racy-counter", 4)).setting
        },
        duration: Duration::from_millis(100),
        ..tiny("racy-counter", 4)
    };
    let r = measure(&point);
    assert!(
        r.lost_updates > 0,
        "racy counter lost nothing in {} ops",
        r.ops
    );
}

#[test]
fn fixed_work_mode_does_exactly_the_requested_ops() {
    for name in ["spin-ticket", "futex-mutex", "cas-counter"] {
        let point = Point {
            fixed_ops: Some(10_001),
            ..tiny(name, 2)
        };
        let r = measure(&point);
        assert_eq!(r.ops, 10_001, "{name}");
        assert!(r.elapsed_s > 0.0);
    }
}

#[test]
fn sampling_one_in_n_and_none() {
    let r = measure(&Point {
        sample_every: 10,
        ..tiny("spin-ttas", 2)
    });
    // Random (geometric) gaps averaging 10 over the latency window's ops: about a tenth, with
    // binomial noise (per thread the first sample may come early).
    let expected = r.latency_ops.unwrap() as f64 / 10.0;
    assert!(
        r.sampled_ops > 0 && (r.sampled_ops as f64 - expected).abs() <= 0.2 * expected + 10.0,
        "{} sampled of {} latency-window ops",
        r.sampled_ops,
        r.latency_ops.unwrap()
    );
    let r = measure(&Point {
        sample_every: 0,
        ..tiny("spin-ttas", 2)
    });
    assert_eq!(r.sampled_ops, 0);
    assert_eq!(r.wait_max_ns, 0.0);
    assert!(r.ops > 0);
    assert_eq!(r.latency_ms, Some(0.0), "no sampling, no latency window");
}

#[test]
fn unpinned_runs_say_so() {
    let r = measure(&Point {
        setting: lockbench::record::Setting {
            placement: Placement::None,
            ..(tiny("spin-ttas", 2)).setting
        },
        ..tiny("spin-ttas", 2)
    });
    assert!(!r.pinned);
    assert!(r.pin_map.is_empty());
}

/// Without a lock, the in-run check must catch the race and refuse to produce a record.
#[test]
fn a_broken_lock_is_an_error_not_a_number() {
    let point = Point {
        setting: lockbench::record::Setting {
            cs_ns: 200,
            ..(tiny("no-lock", 2)).setting
        },
        duration: Duration::from_millis(100),
        ..tiny("no-lock", 2)
    };
    match run_exclusive::<NoLock>(env(), &point, lockbench::record::Family::Baseline, 0, true) {
        Err(HarnessError::Invariant {
            primitive, what, ..
        }) => {
            assert_eq!(primitive, "no-lock");
            assert!(what.contains("inside") || what.contains("lost"), "{what}");
        }
        other => panic!("broken lock was not refused: {other:?}"),
    }
}

/// The parking_lot benchmark's section (`--steps`) checks the count alone (no owner stores):
/// without a lock, two threads must still lose updates and the trial be refused.
#[test]
fn a_broken_lock_is_refused_under_the_peer_work_too() {
    let point = Point {
        steps: Some(lockbench::harness::Steps {
            inside: 5,
            outside: 0,
        }),
        duration: Duration::from_millis(100),
        ..tiny("no-lock", 2)
    };
    match run_exclusive::<NoLock>(env(), &point, lockbench::record::Family::Baseline, 0, true) {
        Err(HarnessError::Invariant { what, .. }) => assert!(what.contains("lost"), "{what}"),
        other => panic!("broken lock was not refused under --steps: {other:?}"),
    }
}

/// A lock that never lets go of its first waiter: the watchdog must end the trial.
struct Stuck;

impl Exclusive for Stuck {
    type Node = ();
    fn create() -> Self {
        Stuck
    }
    fn with<T>(&self, _: &mut (), f: impl FnOnce() -> T) -> T {
        std::thread::sleep(Duration::from_secs(3));
        f()
    }
    fn try_with<T>(&self, n: &mut (), f: impl FnOnce() -> T) -> Option<T> {
        Some(self.with(n, f))
    }
}

#[test]
fn the_watchdog_ends_an_overrunning_point() {
    let point = Point {
        timeout: Duration::from_millis(200),
        ..tiny("stuck", 2)
    };
    let started = Instant::now();
    let r = run_exclusive::<Stuck>(env(), &point, lockbench::record::Family::Baseline, 0, true)
        .unwrap()
        .record;
    assert!(r.timed_out);
    assert_eq!(r.ops, 0);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "watchdog too slow: {:?}",
        started.elapsed()
    );
}

/// The read-ratio axis: reads and writes both happen in about the requested mix, and each
/// side's waits land in its own histogram.
#[test]
fn rwlocks_mix_reads_and_writes() {
    for name in [
        "rw-reader-pref",
        "rw-writer-pref",
        "rw-phase-fair",
        "rw-seqlock",
        "std-rwlock",
        "parking-lot-rwlock",
    ] {
        // A fixed op count, not a fixed time: on a loaded machine a 30 ms run can finish only a
        // few hundred ops, and the read share of a few hundred coin tosses is too noisy to test.
        let point = Point {
            setting: lockbench::record::Setting {
                read_ratio: Some(0.9),
                cs_ns: 100,
                ..(tiny(name, 2)).setting
            },
            fixed_ops: Some(8_000),
            // Every op of the latency window timed: on a loaded machine a 7.5 ms window at one
            // in 16 may time no write at all.
            sample_every: 1,
            ..tiny(name, 2)
        };
        let r = measure(&point);
        check_consistent(&r);
        let read_share = r.reads_ops_s / r.throughput_ops_s;
        assert!(
            (0.85..0.95).contains(&read_share),
            "{name}: read share {read_share}"
        );
        assert!(r.writes_ops_s > 0.0, "{name}");
        assert!(
            r.read_wait_max_ns > 0.0 && r.write_wait_max_ns > 0.0,
            "{name}: per-kind waits missing"
        );
        assert!(
            r.read_wait_p50_ns <= r.read_wait_max_ns && r.write_wait_p50_ns <= r.write_wait_max_ns
        );
    }
}

/// Striping axes: any power-of-two stripe count, uniform or skewed keys; the per-stripe
/// counts must add up to the operations (checked inside the run).
#[test]
fn striped_tables_and_bank_transfers() {
    for (name, stripes, skew) in [
        ("striped-spin", Some(1), Some(0.0)),
        ("striped-mutex", Some(16), Some(0.99)),
        ("coarse-mutex", None, Some(0.99)),
        ("dashmap", None, Some(0.0)),
        ("bank-ordered", Some(2), Some(0.0)),
        ("bank-trylock", Some(8), Some(0.99)),
    ] {
        let point = Point {
            setting: lockbench::record::Setting {
                stripes,
                key_skew: skew,
                cs_ns: 50,
                ..(tiny(name, 3)).setting
            },
            ..tiny(name, 3)
        };
        let r = measure(&point);
        assert!(
            !r.timed_out && r.ops > 0,
            "{name}: timed out {}, {} ops in {} s",
            r.timed_out,
            r.ops,
            r.elapsed_s
        );
        assert_eq!(
            (r.stripes, r.key_skew),
            (stripes, skew),
            "{name}: axes not recorded"
        );
    }
}

/// A "lock" that never excludes: bank transfers through it must lose money, and the run
/// must refuse to report a number.
struct NoExclusion;

// SAFETY: deliberately violates the contract, to prove the harness notices; test-only.
unsafe impl lockbench::primitives::RawLock for NoExclusion {
    fn new() -> Self {
        NoExclusion
    }
    fn lock(&self) {}
    fn try_lock(&self) -> bool {
        true
    }
    unsafe fn unlock(&self) {}
}

#[test]
fn bank_transfers_without_exclusion_are_refused() {
    let point = Point {
        setting: lockbench::record::Setting {
            stripes: Some(2),
            ..(tiny("broken-bank", 4)).setting
        },
        duration: Duration::from_millis(100),
        ..tiny("broken-bank", 4)
    };
    match lockbench::harness::workloads::run_bank::<NoExclusion, false>(
        env(),
        &point,
        lockbench::record::Family::Baseline,
        0,
    ) {
        Err(HarnessError::Invariant { what, .. }) => {
            assert!(what.contains("money not conserved"), "{what}")
        }
        other => panic!("lost money went unnoticed: {other:?}"),
    }
}

/// The toolbox workloads at their edges: a one-thread queue (send then receive), more
/// consumers than producers, a barrier with a descheduled participant, a one-permit pool.
#[test]
fn classic_workloads_at_the_edges() {
    for (name, threads, stripes) in [
        ("condvar-queue", 1, None),
        ("crossbeam-channel", 3, None),
        ("std-sync-channel", 2, None),
        ("sense-barrier", 3, None),
        ("std-barrier", 3, None),
        ("futex-semaphore", 3, Some(1)),
        ("condvar-semaphore", 4, Some(2)),
        ("reentrant-mutex", 3, None),
    ] {
        let point = Point {
            setting: lockbench::record::Setting {
                stripes,
                ..(tiny(name, threads)).setting
            },
            ..tiny(name, threads)
        };
        let r = measure(&point);
        assert!(!r.timed_out && r.ops > 0, "{name} at {threads} threads");
        if name.contains("queue") || name.contains("channel") {
            assert!(
                r.reads_ops_s > 0.0 && r.writes_ops_s > 0.0,
                "{name}: sends and receives"
            );
        }
    }
}

/// The parking_lot benchmark's work (`--steps`) and the inline layout run through the same
/// checked loop, and the rows say which work and layout they measured.
#[test]
fn peer_work_and_inline_layout_are_recorded() {
    for (name, layout) in [
        ("std-mutex", lockbench::record::Layout::Inline),
        ("spin-mcs", lockbench::record::Layout::Separate),
    ] {
        let r = measure(&Point {
            steps: Some(lockbench::harness::Steps {
                inside: 5,
                outside: 5,
            }),
            layout,
            ..tiny(name, 2)
        });
        check_consistent(&r);
        assert_eq!((r.cs_steps, r.think_steps), (Some(5), Some(5)), "{name}");
        assert_eq!(r.layout, layout.as_str());
    }
    let r = measure(&Point {
        layout: lockbench::record::Layout::Inline,
        ..tiny("rw-phase-fair", 3)
    });
    assert_eq!((r.layout.as_str(), r.cs_steps), ("inline", None));
}
