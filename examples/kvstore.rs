//! A real program with a contended lock: an in-memory key-value store (a `HashMap` of byte
//! values) behind one mutex, driven by a fixed request mix — 80% gets (copy the value out),
//! 20% puts (replace it) over uniformly drawn keys — from several threads, each request
//! prepared outside the lock (hashing a request buffer: the program's own work).
//!
//! It runs with any of six locks, plain or profiled, and prints its throughput:
//!
//! ```sh
//! cargo run --release --example kvstore -- --lock spin --threads 4 --seconds 3
//! cargo run --release --example kvstore -- --lock spin --threads 4 --profile /tmp/kv  # profile.csv
//! cargo run --release -- advise /tmp/kv                                              # which lock?
//! ```
//!
//! `scripts/advise-check.sh` does the whole loop: profile, advise, swap the advised lock in
//! and measure the program's real change against the prediction.

use lockbench::profile;
use std::collections::HashMap;
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
struct Config {
    lock: String,
    threads: usize,
    seconds: f64,
    keys: u64,
    value_bytes: usize,
    /// Units of request preparation outside the lock (a hashing loop).
    work: u64,
    profile: Option<PathBuf>,
}

fn usage(why: &str) -> ! {
    eprintln!("error: {why}");
    eprintln!(
        "usage: kvstore [--lock parking_lot|std|spin|futex|ttas|adaptive] [--threads N] [--seconds S] [--keys K] [--value-bytes B] [--work UNITS] [--profile DIR]"
    );
    std::process::exit(2)
}

fn parse() -> Config {
    let mut c = Config {
        lock: "parking_lot".into(),
        threads: 4,
        seconds: 3.0,
        keys: 10_000,
        value_bytes: 64,
        work: 200,
        profile: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{flag} needs a value")))
        };
        let num = |v: String| -> u64 {
            v.parse()
                .unwrap_or_else(|_| usage(&format!("{flag}: {v:?} is not a whole number")))
        };
        match flag.as_str() {
            "--lock" => c.lock = value(),
            "--threads" => c.threads = num(value()).max(1) as usize,
            "--seconds" => {
                let v = value();
                c.seconds = v
                    .parse()
                    .unwrap_or_else(|_| usage(&format!("--seconds: {v:?} is not a number")))
            }
            "--keys" => c.keys = num(value()).max(1),
            "--value-bytes" => c.value_bytes = num(value()) as usize,
            "--work" => c.work = num(value()),
            "--profile" => c.profile = Some(PathBuf::from(value())),
            other => usage(&format!("unknown option {other}")),
        }
    }
    c
}

type Store = HashMap<u64, Vec<u8>>;

/// The store behind a lock: plain `lock_api::Mutex`, or the profiled wrapper.
trait Locked: Sync {
    fn with<R>(&self, f: impl FnOnce(&mut Store) -> R) -> R;
}

impl<R: lock_api::RawMutex + Sync + Send> Locked for lock_api::Mutex<R, Store> {
    fn with<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        f(&mut self.lock())
    }
}

impl<R: lock_api::RawMutex + Sync + Send> Locked for profile::Mutex<Store, R> {
    fn with<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        f(&mut self.lock())
    }
}

/// xorshift64*: each thread's request stream.
fn next(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_f491_4f6c_dd1d)
}

/// Runs the request mix on `store` for the configured time; total requests served.
fn drive(store: &impl Locked, c: &Config) -> u64 {
    let stop = AtomicBool::new(false);
    let total = AtomicU64::new(0);
    let barrier = Barrier::new(c.threads + 1);
    std::thread::scope(|s| {
        for t in 0..c.threads {
            let (stop, total, barrier) = (&stop, &total, &barrier);
            s.spawn(move || {
                let mut rng =
                    0x9e37_79b9_7f4a_7c15 ^ (t as u64 + 1).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                let mut buf = vec![0u8; c.value_bytes];
                let mut served = 0u64;
                barrier.wait();
                while !stop.load(Ordering::Relaxed) {
                    // Prepare the request outside the lock.
                    let r = next(&mut rng);
                    let key = r % c.keys;
                    let mut h = r;
                    for i in 0..c.work {
                        h = black_box(h.rotate_left(5) ^ i).wrapping_mul(0x100_0000_01b3);
                    }
                    buf.fill(h as u8);
                    if r % 5 == 0 {
                        store.with(|m| {
                            let v = m.entry(key).or_default();
                            v.clear();
                            v.extend_from_slice(&buf);
                        });
                    } else {
                        store.with(|m| {
                            if let Some(v) = m.get(&key) {
                                let n = buf.len().min(v.len());
                                buf[..n].copy_from_slice(&v[..n]);
                            }
                        });
                    }
                    black_box(&buf);
                    served += 1;
                }
                total.fetch_add(served, Ordering::Relaxed);
            });
        }
        barrier.wait();
        std::thread::sleep(Duration::from_secs_f64(c.seconds));
        stop.store(true, Ordering::Relaxed);
    });
    total.load(Ordering::Relaxed)
}

fn filled(c: &Config) -> Store {
    (0..c.keys)
        .map(|k| (k, vec![k as u8; c.value_bytes]))
        .collect()
}

fn run<R: lock_api::RawMutex + Sync + Send>(c: &Config) {
    let start = Instant::now();
    let served = match &c.profile {
        Some(dir) => {
            let store = profile::Mutex::<Store, R>::named_with_raw(filled(c), "kvstore");
            let served = drive(&store, c);
            match profile::write(dir) {
                Ok(p) => eprint!("{p}"),
                Err(e) => {
                    eprintln!("error: {e}");
                    std::process::exit(2)
                }
            }
            served
        }
        None => drive(&lock_api::Mutex::<R, Store>::new(filled(c)), c),
    };
    let secs = c.seconds.max(1e-9);
    println!(
        "kvstore lock={} threads={} seconds={:.2} requests={served} throughput_ops_s={:.0}",
        c.lock,
        c.threads,
        start.elapsed().as_secs_f64(),
        served as f64 / secs
    );
}

fn main() {
    let c = parse();
    match c.lock.as_str() {
        "parking_lot" => run::<parking_lot::RawMutex>(&c),
        "std" => run::<profile::StdRawMutex>(&c),
        "spin" => run::<spin::Mutex<()>>(&c),
        "futex" => run::<lockbench::primitives::futex::FutexMutex>(&c),
        "ttas" => run::<lockbench::primitives::spin::TtasBackoff>(&c),
        "adaptive" => run::<lockbench::primitives::futex::AdaptiveMutex>(&c),
        other => usage(&format!("unknown lock {other:?}")),
    }
}
