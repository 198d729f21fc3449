//! Bring your own lock: a TTAS spinlock defined here, outside lockbench, measured next to
//! `std-mutex` and `parking-lot-mutex` by lockbench's harness into an ordinary run directory.
//!
//! ```sh
//! cargo run --release --example byo_lock                       # results/<host>-<cpu>/<time>
//! cargo run --release --example byo_lock -- results/my-lock    # or a directory of your own
//! cargo run --release --example byo_lock -- --breakeven        # the spin/sleep break-even
//! cargo run --release -- compare results/my-lock <another run>  # then as any other run
//! cargo run --release -- report results/my-lock
//! ```

use lockbench::custom::{self, About, Describe, Family, SweepSpec};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Test-and-test-and-set with a spin-then-yield backoff: a waiter reads the flag (no RMW)
/// up to [`SPINS_BEFORE_YIELD`] times, then gives its time slice away with
/// `sched_yield` before reading again. lockbench's own `spin-ttas-backoff` backs off
/// exponentially and never yields.
pub struct TtasYield {
    /// `true` while held.
    locked: AtomicBool,
}

/// Reads of the flag before a waiter yields its CPU.
pub const SPINS_BEFORE_YIELD: u32 = 64;

impl TtasYield {
    #[inline]
    fn try_acquire(&self) -> bool {
        // Acquire: pairs with the Release store in `unlock`.
        self.locked
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    }

    #[cold]
    fn lock_slow(&self) {
        loop {
            let mut spins = 0;
            // Relaxed: only a hint that the lock may be free; the CAS decides.
            while self.locked.load(Ordering::Relaxed) {
                if spins < SPINS_BEFORE_YIELD {
                    spins += 1;
                    std::hint::spin_loop();
                } else {
                    spins = 0;
                    std::thread::yield_now();
                }
            }
            if self.try_acquire() {
                return;
            }
        }
    }
}

// SAFETY: `lock` and `try_lock` succeed only through the Acquire compare-exchange that moves
// `locked` from false to true, so one holder at a time; `unlock` stores false with Release,
// pairing with the next holder's Acquire.
unsafe impl lock_api::RawMutex for TtasYield {
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: TtasYield = TtasYield {
        locked: AtomicBool::new(false),
    };
    type GuardMarker = lock_api::GuardSend;

    #[inline]
    fn lock(&self) {
        if !self.try_acquire() {
            self.lock_slow();
        }
    }

    #[inline]
    fn try_lock(&self) -> bool {
        !self.locked.load(Ordering::Relaxed) && self.try_acquire()
    }

    #[inline]
    unsafe fn unlock(&self) {
        // Release: pairs with the Acquire in the next holder's compare-exchange.
        self.locked.store(false, Ordering::Release);
    }
}

impl Describe for TtasYield {
    const ABOUT: About = About::new(
        "byo-ttas-yield",
        Family::Spin,
        "TTAS, spin 64 reads then sched_yield (defined in examples/byo_lock.rs)",
    );
}

/// The lock as a lockbench primitive.
pub fn primitive() -> custom::Primitive {
    custom::mutex::<TtasYield>()
}

/// The example's sweep on a machine with `cores` usable CPUs: the lock, `std-mutex` and
/// `parking-lot-mutex` at 1, cores and 2 × cores threads, critical sections of 0 and 250 ns,
/// 3 trials of 50 ms each (about a minute on 2 cores, with the sentinel and the probes).
pub fn spec(cores: usize) -> SweepSpec {
    let mut threads = vec![1, cores, 2 * cores];
    threads.dedup();
    SweepSpec {
        locks: vec![
            TtasYield::ABOUT.name.into(),
            "std-mutex".into(),
            "parking-lot-mutex".into(),
        ],
        threads,
        cs_ns: vec![0, 250],
        duration_ns: 50_000_000,
        warmup_ns: 10_000_000,
        trials: 3,
        max_trials: 3,
        ..lockbench::sweep::Preset::Quick.spec(cores)
    }
}

/// Measures `spec` into `out` (or the default place) and returns the run directory.
pub fn run(spec: &SweepSpec, out: Option<&Path>) -> anyhow::Result<PathBuf> {
    custom::sweep_into(spec, &[primitive()], out)
}

#[allow(dead_code)] // The integration test includes this file for `spec` and `run` only.
fn main() -> anyhow::Result<()> {
    let mut out = None;
    let mut breakeven = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--breakeven" => breakeven = true,
            "-h" | "--help" => {
                println!("usage: byo_lock [--breakeven] [OUT_DIR]");
                return Ok(());
            }
            dir => out = Some(PathBuf::from(dir)),
        }
    }
    if breakeven {
        let cs = lockbench::sweep::axes::log_range(20, 100_000, 8).map_err(anyhow::Error::msg)?;
        let (dir, verdict) = custom::breakeven(
            primitive(),
            &["futex-mutex", "std-mutex"],
            cs,
            3,
            Duration::from_millis(50),
            true,
            out.as_deref(),
        )?;
        print!("{verdict}");
        println!("{}", dir.display());
        return Ok(());
    }
    let cores = lockbench::harness::host::Host::detect().usable_cpus();
    let dir = run(&spec(cores), out.as_deref())?;
    let rows = lockbench::rundir::load_runs(&dir.join(lockbench::rundir::csv::RUNS_CSV))?;
    lockbench::report::text::write_sweep_summary(&mut std::io::stderr(), &rows, &dir)?;
    println!("{}", dir.display());
    Ok(())
}
