//! The profile's promises: exact counts, waits only when another thread held the lock,
//! hold and think times of a workload with known lengths, files that round-trip and refuse
//! what they are not.

use super::*;
use std::sync::Barrier;
use std::time::{Duration, Instant};

fn spin_for(d: Duration) {
    let start = Instant::now();
    while start.elapsed() < d {
        std::hint::spin_loop();
    }
}

/// Holds `m` for `hold` on this thread while another thread asks for it once (that thread's
/// first acquisition of `m`: sampled, and contended).
fn make_one_wait(m: &Mutex<u32>, hold: Duration) {
    let barrier = Barrier::new(2);
    std::thread::scope(|s| {
        let guard = m.lock();
        s.spawn(|| {
            barrier.wait();
            *m.lock() += 1;
        });
        barrier.wait();
        std::thread::sleep(hold);
        drop(guard);
    });
}

#[test]
fn counts_equal_the_acquisitions_made() {
    let m = Mutex::<u64>::named(0, "test-counts");
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for i in 0..10_000 {
                    // Two call sites, one row each.
                    if i % 2 == 0 {
                        *m.lock() += 1;
                    } else {
                        *m.lock() += 2;
                    }
                }
            });
        }
    });
    assert_eq!(*m.lock(), 60_000);
    let p = report();
    let all = p.lock("test-counts").unwrap();
    // 40,000 by the workers and one by the check above.
    assert_eq!(all.acquisitions, 40_001);
    assert_eq!(all.writes, 40_001);
    assert_eq!(all.reads, 0);
    assert_eq!(all.threads, 5);
    assert_eq!(all.instances, 1);
    let sites: Vec<&LockRow> = p.sites("test-counts").collect();
    assert_eq!(sites.len(), 3, "two worker sites and the check: {sites:?}");
    assert_eq!(sites.iter().map(|r| r.acquisitions).sum::<u64>(), 40_001);
    assert_eq!(
        sites.iter().map(|r| r.contended).sum::<u64>(),
        all.contended
    );
    assert!(sites.iter().any(|r| r.acquisitions == 1));
}

#[test]
fn try_lock_counts_only_what_it_took() {
    let m = Mutex::<u32>::named(0, "test-try");
    let held = m.lock();
    std::thread::scope(|s| {
        s.spawn(|| assert!(m.try_lock().is_none()));
    });
    drop(held);
    assert!(m.try_lock().is_some());
    let all = report().lock("test-try").unwrap().clone();
    assert_eq!(all.acquisitions, 2);
    assert_eq!(all.contended, 0);
}

#[test]
fn a_wait_is_recorded_only_when_another_thread_held_the_lock() {
    let m = Mutex::<u32>::named(0, "test-wait");
    // Alone: nothing contended, no wait.
    for _ in 0..1000 {
        *m.lock() += 1;
    }
    let alone = report().lock("test-wait").unwrap().clone();
    assert_eq!((alone.contended, alone.wait_samples), (0, 0));
    assert_eq!(alone.wait_total_ns, Some(0.0));
    assert_eq!(alone.handoffs, 0);
    // Forced: the main thread holds the lock for 30 ms while another thread asks for it.
    make_one_wait(&m, Duration::from_millis(30));
    let p = report();
    let all = p.lock("test-wait").unwrap();
    assert_eq!(all.contended, 1);
    assert_eq!(all.wait_samples, 1);
    let wait = all.wait_p50_ns.unwrap();
    assert!(
        (20_000_000..2_000_000_000).contains(&wait),
        "waited {wait} ns behind a 30 ms hold"
    );
    assert!(all.wait_total_ns.unwrap() >= 20e6);
    assert_eq!(all.handoffs, 1, "the waiter took it from another thread");
    assert_eq!(all.threads, 2);
}

#[test]
fn hold_and_think_times_match_known_lengths() {
    for (hold, think) in [
        (Duration::from_micros(2), Duration::from_micros(5)),
        (Duration::from_micros(20), Duration::from_micros(50)),
    ] {
        let name: &'static str = Box::leak(format!("test-lengths-{hold:?}").into_boxed_str());
        let m = Mutex::<u32>::named(0, name);
        // 16 × 200 acquisitions: ~200 sampled at the default setting.
        for _ in 0..(16 * 200) {
            let mut g = m.lock();
            *g += 1;
            spin_for(hold);
            drop(g);
            spin_for(think);
        }
        let r = report().lock(name).unwrap().clone();
        assert!(r.hold_samples >= 150, "{r:?}");
        assert!(r.think_samples >= 150, "{r:?}");
        let within = |got: u64, want: Duration| {
            let want = want.as_nanos() as f64;
            (got as f64 - want).abs() <= 0.1 * want + 300.0
        };
        // The median: a preempted iteration moves a tail, not the middle.
        assert!(within(r.hold_p50_ns.unwrap(), hold), "hold {hold:?}: {r:?}");
        assert!(
            within(r.think_p50_ns.unwrap(), think),
            "think {think:?}: {r:?}"
        );
    }
}

#[test]
fn an_rwlock_counts_reads_and_writes() {
    let l = RwLock::<u64>::named(0, "test-rw");
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                for i in 0..100 {
                    if i % 10 == 0 {
                        *l.write() += 1;
                    } else {
                        let _ = *l.read();
                    }
                }
            });
        }
    });
    let r = report().lock("test-rw").unwrap().clone();
    assert_eq!((r.reads, r.writes, r.acquisitions), (180, 20, 200));
    assert_eq!(r.kind, "rwlock");
    assert!((r.read_share() - 0.9).abs() < 1e-9);
    assert_eq!(*l.read(), 20);
}

#[test]
fn a_lock_is_named_after_where_it_was_created() {
    let m = Mutex::new(0u32);
    let line = line!() - 1;
    *m.lock() += 1;
    let name = format!("{}:{line}:13", file!());
    let r = report().lock(&name).cloned();
    assert!(r.is_some(), "no lock named {name}");
    assert!(r.unwrap().raw.contains("parking_lot"));
}

#[test]
fn the_std_backed_mutex_excludes() {
    let m = StdMutex::named_with_raw(0u64, "test-std");
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..10_000 {
                    *m.lock() += 1;
                }
            });
        }
    });
    assert_eq!(*m.lock(), 40_000);
    assert!(
        report()
            .lock("test-std")
            .unwrap()
            .raw
            .contains("StdRawMutex")
    );
    // A held std mutex is dropped without its guard: nothing is released or read.
    let raw = Box::new(<StdRawMutex as lock_api::RawMutex>::INIT);
    lock_api::RawMutex::lock(&*raw);
    drop(raw);
}

#[test]
fn a_profile_round_trips_and_refuses_what_it_is_not() {
    let m = Mutex::<u32>::named(0, "test-file");
    for _ in 0..10 {
        *m.lock() += 1;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path()).unwrap();
    let from_json = read(dir.path().join(PROFILE_JSON)).unwrap();
    assert_eq!(from_json.rows, p.rows);
    let from_csv = read(dir.path().join(PROFILE_CSV)).unwrap();
    assert_eq!(from_csv.rows, p.rows);
    assert_eq!(read(dir.path()).unwrap().rows, p.rows);
    assert!(from_csv.lock("test-file").is_some());

    let one_line = |e: ProfileError| {
        let text = e.to_string();
        assert!(!text.contains('\n'), "{text}");
        text
    };
    let foreign = dir.path().join("runs.csv");
    std::fs::write(&foreign, "schema_version,primitive\n4,futex-mutex\n").unwrap();
    let e = one_line(read(&foreign).unwrap_err());
    assert!(
        e.contains("runs.csv") && e.contains("not a lockbench profile"),
        "{e}"
    );

    let csv = std::fs::read_to_string(dir.path().join(PROFILE_CSV)).unwrap();
    let old = dir.path().join("old.csv");
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    let body: Vec<String> = lines.map(|l| l.replacen("1,", "0,", 1)).collect();
    std::fs::write(&old, format!("{header}\n{}\n", body.join("\n"))).unwrap();
    let e = one_line(read(&old).unwrap_err());
    assert!(
        e.contains("old.csv") && e.contains("profile schema 0"),
        "{e}"
    );

    let json = std::fs::read_to_string(dir.path().join(PROFILE_JSON)).unwrap();
    let newer = dir.path().join("newer.json");
    std::fs::write(
        &newer,
        json.replacen("\"profile_schema\": 1", "\"profile_schema\": 2", 1),
    )
    .unwrap();
    let e = one_line(read(&newer).unwrap_err());
    assert!(e.contains("profile schema 2"), "{e}");

    let cut = dir.path().join("cut.csv");
    std::fs::write(&cut, format!("{header}\n1,test-file,mutex\n")).unwrap();
    let e = one_line(read(&cut).unwrap_err());
    assert!(e.contains("cut.csv") && e.contains("line 2"), "{e}");

    let e = one_line(read(dir.path().join("missing.csv")).unwrap_err());
    assert!(e.contains("missing.csv"), "{e}");
}

#[test]
fn locks_are_ordered_by_total_wait() {
    let idle = Mutex::named(0u32, "test-order-idle");
    let busy = Mutex::named(0u32, "test-order-busy");
    for _ in 0..100 {
        *idle.lock() += 1;
    }
    make_one_wait(&busy, Duration::from_millis(10));
    let p = report();
    let at = |name: &str| p.rows.iter().position(|r| r.lock == name).unwrap();
    assert!(at("test-order-busy") < at("test-order-idle"));
    // A lock's all-sites row comes first, then its sites.
    assert_eq!(p.rows[at("test-order-busy")].site, ALL_SITES);
}
