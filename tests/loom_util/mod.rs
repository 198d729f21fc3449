//! What every loom test file shares: the model runner, a lock with the data it guards, and
//! the child-process check that a broken twin ("mutant") fails for its own reason.
#![allow(dead_code)] // each test file uses a subset

use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::thread;

/// Preemption bound of [`model`], unless `LOOM_MAX_PREEMPTIONS` overrides it (a larger bound
/// explores more interleavings and takes much longer).
fn preemptions(default: usize) -> usize {
    std::env::var("LOOM_MAX_PREEMPTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Explores interleavings of `threads` threads (the main thread included) that each run
/// `body(thread_index)` once on shared state built by `make`, then runs `check` on it.
pub fn model<S: Send + Sync + 'static>(
    threads: usize,
    make: fn() -> S,
    body: fn(&S, usize),
    check: fn(&S, usize),
) {
    bounded_model(threads, preemptions(3), make, body, check);
}

/// [`model`] with an explicit preemption bound, for models too large to explore at 3.
pub fn bounded_model<S: Send + Sync + 'static>(
    threads: usize,
    preemptions: usize,
    make: fn() -> S,
    body: fn(&S, usize),
    check: fn(&S, usize),
) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(preemptions);
    // Spin loops yield to loom on every iteration, which adds branches.
    builder.max_branches = 100_000;
    let explored = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = std::sync::Arc::clone(&explored);
    builder.check(move || {
        count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let shared = Arc::new(make());
        let handles: Vec<_> = (1..threads)
            .map(|t| {
                let shared = Arc::clone(&shared);
                thread::spawn(move || body(&shared, t))
            })
            .collect();
        body(&shared, 0);
        for handle in handles {
            handle.join().unwrap();
        }
        check(&shared, threads);
    });
    // Shown with `--nocapture`: evidence that the model explored more than one schedule.
    println!(
        "{threads} threads, {preemptions} preemptions: {} interleavings explored",
        explored.load(std::sync::atomic::Ordering::Relaxed)
    );
}

/// A lock and the data it protects; loom's UnsafeCell reports any unsynchronized access.
pub struct Guarded<L> {
    pub lock: L,
    pub data: UnsafeCell<usize>,
}

impl<L> Guarded<L> {
    pub fn new(lock: L) -> Self {
        Guarded {
            lock,
            data: UnsafeCell::new(0),
        }
    }
}

impl<L> Guarded<L> {
    /// The data, read by the check after every model thread has been joined.
    pub fn value(&self) -> usize {
        // SAFETY: called only from a model's `check`, after the join: no thread is left to
        // race with this read (and loom would report it if one were).
        self.data.with(|d| unsafe { *d })
    }
}

// SAFETY: `data` is only touched while `lock` is held (which is what the model checks).
unsafe impl<L: Sync> Sync for Guarded<L> {}

/// Runs the `#[ignore]`d model `name` in a child test process, with `LOCKBENCH_MUTANT` set to
/// `mutant` (see `lockbench::sync::mutant`; `""` for a model that is broken by itself), and
/// checks that it failed with `expected` in its output. A child process because loom aborts
/// the process on some failures (unwinding a thread blocked in loom panics again), and so
/// that a mutation never leaks into the models that must pass.
pub fn fails_in_child(name: &str, mutant: &str, expected: &str) {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", name, "--test-threads=1"])
        .env("LOCKBENCH_MUTANT", mutant)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("running 1 test"),
        "model {name} was not found:\n{text}"
    );
    assert!(!out.status.success(), "broken model {name} passed");
    assert!(
        text.contains(expected),
        "{name} failed for another reason than {expected:?}:\n{text}"
    );
}
