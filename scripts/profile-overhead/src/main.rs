//! What a profiled lock costs: one lock+increment+unlock on one thread (ns/op), and two
//! pinned threads sharing one lock (ns per op of wall time) with an empty critical section
//! and with 100 ns inside and 100 ns outside — for parking_lot's mutex bare, through
//! `lockbench::profile` (one acquisition in 16 timed, the default, and every one), and
//! through `locktick`. Variants run interleaved, round after round; one CSV row per
//! (round, case, variant) on stdout.

use std::hint::black_box;
use std::sync::Barrier;
use std::time::{Duration, Instant};

/// Busy work of about `units` loop steps (calibrated to ns below).
#[inline(never)]
fn busy(units: u64) {
    let mut x = 0u64;
    for i in 0..units {
        x = black_box(x.wrapping_add(i));
    }
    black_box(x);
}

fn units_per_ns() -> f64 {
    let n = 50_000_000;
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        busy(n);
        best = best.min(t.elapsed().as_nanos() as f64);
    }
    n as f64 / best
}

trait Lock: Sync {
    fn op(&self, cs: u64);
}

impl Lock for parking_lot::Mutex<u64> {
    fn op(&self, cs: u64) {
        let mut g = self.lock();
        *g += 1;
        busy(cs);
    }
}
impl Lock for lockbench::profile::Mutex<u64> {
    fn op(&self, cs: u64) {
        let mut g = self.lock();
        *g += 1;
        busy(cs);
    }
}
impl Lock for locktick::parking_lot::Mutex<u64> {
    fn op(&self, cs: u64) {
        let mut g = self.lock();
        *g += 1;
        busy(cs);
    }
}

fn one_thread(lock: &impl Lock, ops: u64) -> f64 {
    let t = Instant::now();
    for _ in 0..ops {
        lock.op(0);
    }
    t.elapsed().as_nanos() as f64 / ops as f64
}

/// Two threads pinned to the first two CPUs, `ops` in all; ns of wall time per op.
fn two_threads(lock: &impl Lock, ops: u64, cs: u64, think: u64) -> f64 {
    let cores = core_affinity::get_core_ids().unwrap_or_default();
    let barrier = Barrier::new(3);
    let took = std::thread::scope(|s| {
        for t in 0..2 {
            let (barrier, core) = (&barrier, cores.get(t % cores.len().max(1)).copied());
            s.spawn(move || {
                if let Some(core) = core {
                    core_affinity::set_for_current(core);
                }
                barrier.wait();
                for _ in 0..ops / 2 {
                    lock.op(cs);
                    busy(think);
                }
                barrier.wait();
            });
        }
        barrier.wait();
        let start = Instant::now();
        barrier.wait();
        start.elapsed()
    });
    took.as_nanos() as f64 / ops as f64
}

fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(11);
    let per_ns = units_per_ns();
    let hundred = (100.0 * per_ns).round() as u64;
    eprintln!("busy work: {per_ns:.3} units/ns; 100 ns = {hundred} units; {rounds} rounds");
    let bare = parking_lot::Mutex::new(0u64);
    let tick = locktick::parking_lot::Mutex::new(0u64);
    lockbench::profile::set_sample_every(1);
    let every1 = lockbench::profile::Mutex::<u64>::named(0, "every-1");
    // The setting is read when a thread first takes a lock: each variant sets it first.
    let default = lockbench::profile::Mutex::<u64>::named(0, "default");
    println!("round,case,variant,ns_per_op");
    let cases: [(&str, u64, u64, u64); 3] = [
        ("1 thread: lock+increment+unlock", 0, 0, 5_000_000),
        ("2 threads: increment only", 0, 0, 4_000_000),
        ("2 threads: cs 100 ns + think 100 ns", hundred, hundred, 1_000_000),
    ];
    for round in 0..rounds {
        for (case, cs, think, ops) in cases {
            let variants: [(&str, &dyn Fn() -> f64); 4] = [
                ("parking_lot", &|| measure(&bare, case, cs, think, ops)),
                ("lockbench::profile (1 in 16 timed)", &|| {
                    lockbench::profile::set_sample_every(16);
                    measure(&default, case, cs, think, ops)
                }),
                ("lockbench::profile (every op timed)", &|| {
                    lockbench::profile::set_sample_every(1);
                    measure(&every1, case, cs, think, ops)
                }),
                ("locktick", &|| measure(&tick, case, cs, think, ops)),
            ];
            // Rotate the order each round so no variant always runs first.
            for k in 0..variants.len() {
                let (name, run) = variants[(k + round) % variants.len()];
                let ns = run();
                println!("{round},{case},{name},{ns:.3}");
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn measure(lock: &impl Lock, case: &str, cs: u64, think: u64, ops: u64) -> f64 {
    if case.starts_with("1 thread") {
        one_thread(lock, ops)
    } else {
        two_threads(lock, ops, cs, think)
    }
}
