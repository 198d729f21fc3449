//! Bring your own lock, end to end: the example's lock (defined outside the library) is swept
//! next to a registered lock into a run directory, read back as any run, and compared with a
//! sweep of registered locks only; `lockbench compare` reads the directory too.

#[path = "../examples/byo_lock.rs"]
mod byo_lock;

use lockbench::analysis::compare::{Input, compare};
use lockbench::custom::{self, Describe, SweepSpec};
use lockbench::rundir::run::load_run;
use std::time::Duration;

/// The example's sweep cut down to seconds: its lock and std-mutex, 2 threads, cs 0, three
/// 20 ms trials, no sentinel.
fn tiny(locks: &[&str]) -> SweepSpec {
    SweepSpec {
        locks: locks.iter().map(|s| s.to_string()).collect(),
        threads: vec![2],
        cs_ns: vec![0],
        duration_ns: 20_000_000,
        warmup_ns: 5_000_000,
        sentinel: false,
        ..byo_lock::spec(2)
    }
}

#[test]
fn the_example_lock_sweeps_next_to_registered_ones_and_compares() {
    let tmp = tempfile::tempdir().unwrap();
    let mine = byo_lock::TtasYield::ABOUT.name;
    let byo_dir =
        byo_lock::run(&tiny(&[mine, "std-mutex"]), Some(&tmp.path().join("byo"))).unwrap();
    let reg_dir =
        custom::sweep_into(&tiny(&["std-mutex"]), &[], Some(&tmp.path().join("reg"))).unwrap();

    let byo = load_run(&byo_dir).unwrap();
    assert_eq!(byo.rows.len(), 2 * 3, "2 primitives × 3 trials");
    assert_eq!(byo.histograms.len(), byo.rows.len());
    let of = |name: &str| byo.rows.iter().filter(|r| r.primitive == name).count();
    assert_eq!((of(mine), of("std-mutex")), (3, 3));
    assert!(byo.rows.iter().all(|r| r.ops > 0 && r.lost_updates == 0));
    assert!(byo.meta.as_ref().is_some_and(|m| m.complete));

    let reg = load_run(&reg_dir).unwrap();
    let cmp = compare(
        &[
            Input::new("registry", &reg.rows),
            Input::new("byo", &byo.rows),
        ],
        |r| r.throughput_ops_s,
        lockbench::rules::DELTA,
    )
    .unwrap();
    let std_row = cmp
        .rows
        .iter()
        .find(|r| r.cells[1].is_some())
        .expect("std-mutex's point is in both runs");
    assert!(std_row.cells[1].as_ref().unwrap().ratio > Some(0.0));

    #[cfg(feature = "cli")]
    {
        let args = [
            "compare",
            reg_dir.to_str().unwrap(),
            byo_dir.to_str().unwrap(),
        ];
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_lockbench"))
            .args(args)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains("std-mutex"),
            "lockbench compare printed {text}"
        );
    }
}

#[test]
fn contended_timing_for_criterion_checks_and_times() {
    let c = custom::Contended::new(2, Duration::from_nanos(50));
    assert_eq!(c.threads(), 2);
    assert!(c.time_raw_mutex::<byo_lock::TtasYield>(10_001) > Duration::ZERO);
}

/// The break-even with the example's lock as the spinner, cut down to a smoke run: three
/// critical sections, one 20 ms trial each, no sentinel. It writes the files `lockbench
/// breakeven` writes and a verdict that names the lock.
#[test]
fn the_example_lock_runs_the_breakeven() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, verdict) = custom::breakeven(
        byo_lock::primitive(),
        &["futex-mutex"],
        vec![50, 1_000, 20_000],
        1,
        Duration::from_millis(20),
        false,
        Some(&tmp.path().join("be")),
    )
    .unwrap();
    for file in ["runs.csv", "breakeven.csv", "verdict.txt", "breakeven.svg"] {
        assert!(dir.join(file).exists(), "{file} missing");
    }
    assert!(
        verdict.contains(byo_lock::TtasYield::ABOUT.name),
        "{verdict}"
    );
}

/// A sweep of the example's lock stopped after two runs keeps them and says so; `resume`
/// runs the rest, and the directory ends complete with every planned row once.
#[test]
fn an_interrupted_sweep_of_the_example_lock_resumes() {
    use lockbench::sweep::session::{Lines, lookup_with, measure};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    std::fs::create_dir_all(&dir).unwrap();
    let spec = tiny(&[byo_lock::TtasYield::ABOUT.name, "std-mutex"]);
    let mine = [byo_lock::primitive()];
    let polls = std::cell::Cell::new(0);
    let stopped = measure(
        &spec,
        &dir,
        None,
        &lookup_with(&mine),
        &|| {
            polls.set(polls.get() + 1);
            polls.get() > 2
        },
        &mut Lines::new(),
    );
    assert!(stopped.is_err(), "the sweep was stopped");
    assert_eq!(load_run(&dir).unwrap().rows.len(), 2);
    let outcome = custom::resume(&dir, &mine).unwrap();
    assert_eq!((outcome.skipped, outcome.written), (2, 4));
    let run = load_run(&dir).unwrap();
    assert_eq!(run.rows.len(), 6);
    assert!(run.meta.is_some_and(|m| m.complete && m.rows == 6));
}

/// A correct lock (parking_lot's) that its author declared `.unchecked()`: the harness does
/// not check it, so nothing may rank it.
struct DeclaredUnchecked(parking_lot::RawMutex);
// SAFETY: forwards to parking_lot's RawMutex, which upholds the contract.
unsafe impl lock_api::RawMutex for DeclaredUnchecked {
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: DeclaredUnchecked =
        DeclaredUnchecked(<parking_lot::RawMutex as lock_api::RawMutex>::INIT);
    type GuardMarker = lock_api::GuardNoSend;
    fn lock(&self) {
        self.0.lock()
    }
    fn try_lock(&self) -> bool {
        self.0.try_lock()
    }
    unsafe fn unlock(&self) {
        // SAFETY: our caller holds the lock, as lock_api requires.
        unsafe { self.0.unlock() }
    }
}
impl Describe for DeclaredUnchecked {
    const ABOUT: custom::About =
        custom::About::new("my-unchecked", custom::Family::Mutex, "declared unchecked").unchecked();
}

/// Rows say what their primitive declared, and readers go by the row: a user's `.unchecked()`
/// lock (unknown to the registry, which would have called it checked) is never a regime's
/// leader, even when it is the fastest by far, and is refused as a break-even's spinner.
#[test]
fn a_users_unchecked_lock_is_never_ranked() {
    let tmp = tempfile::tempdir().unwrap();
    let mine = custom::mutex::<DeclaredUnchecked>();
    let dir = custom::sweep_into(
        &tiny(&["my-unchecked", "futex-mutex"]),
        &[mine],
        Some(&tmp.path().join("run")),
    )
    .unwrap();
    let mut rows = load_run(&dir).unwrap().rows;
    assert!(rows.iter().any(|r| r.primitive == "my-unchecked"));
    for r in &rows {
        assert_eq!(r.checked, r.primitive != "my-unchecked", "{}", r.primitive);
        assert_eq!(r.sleeps, r.primitive == "futex-mutex", "{}", r.primitive);
    }
    // The fastest by far: only its declaration keeps it from leading.
    for r in rows.iter_mut().filter(|r| r.primitive == "my-unchecked") {
        r.throughput_ops_s *= 100.0;
    }
    let pts = lockbench::analysis::aggregate::points(&rows);
    let leaders = lockbench::analysis::best::leaders(&pts);
    assert!(!leaders.is_empty());
    for l in &leaders {
        assert_ne!(l.best.0.primitive(), "my-unchecked");
    }

    let err = custom::breakeven(
        custom::mutex::<DeclaredUnchecked>(),
        &["futex-mutex"],
        vec![100, 1_000, 10_000],
        1,
        Duration::from_millis(10),
        false,
        Some(&tmp.path().join("breakeven")),
    )
    .unwrap_err();
    assert!(err.to_string().contains("unchecked"), "{err}");
}
