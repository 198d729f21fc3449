//! Which probe sees the drift that makes short trials repeat poorly? On one pinned CPU,
//! round after round: a 2 ms dependent busy-work chain (what the sentinel runs), a 2 ms leg of
//! uncontended lock operations (a test-and-set acquire and release on a private line, the op
//! of a cs 0 trial), then an 80 ms "trial" of the same lock operations. Prints how each
//! probe's deviation from its median correlates with the trial's, and how the trial's
//! deviation correlates with the next round's (the drift's persistence).
//!
//! `cargo run --release --example short_loop_drift -- [ROUNDS] [CPU] [OUT.csv]`

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Uncontended test-and-set acquisitions and releases per ns, run for `leg`.
fn lock_ops(flag: &AtomicBool, leg: Duration) -> f64 {
    const BATCH: u64 = 4096;
    let start = Instant::now();
    let mut ops = 0u64;
    while start.elapsed() < leg {
        for _ in 0..BATCH {
            // Acquire pairs with the Release store below, as in a lock.
            while flag
                .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_err()
            {}
            flag.store(false, Ordering::Release);
        }
        ops += BATCH;
    }
    ops as f64 / start.elapsed().as_nanos() as f64
}

/// Busy-work chain units per ns, run for `leg` (the sentinel's measure).
fn chain(leg: Duration) -> f64 {
    const STEP: u64 = 20_000;
    let start = Instant::now();
    let mut units = 0u64;
    while start.elapsed() < leg {
        black_box(lockbench::workload::BusyWork::burn(STEP));
        units += STEP;
    }
    units as f64 / start.elapsed().as_nanos() as f64
}

fn dev(xs: &[f64]) -> Vec<f64> {
    let mut s = xs.to_vec();
    s.sort_by(f64::total_cmp);
    let med = s[s.len() / 2];
    xs.iter().map(|x| (x / med).ln()).collect()
}

fn corr(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - ma) * (y - mb))
        .sum::<f64>()
        / n;
    let sd = |v: &[f64], m: f64| (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n).sqrt();
    cov / (sd(a, ma) * sd(b, mb))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // At least 20 rounds: the lags below reach 12.
    let rounds: usize = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200)
        .max(20);
    let cpu: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(0);
    if !core_affinity::set_for_current(core_affinity::CoreId { id: cpu }) {
        eprintln!("cannot pin to CPU {cpu}: the figures below are of an unpinned thread");
    }
    let flag = Box::new(AtomicBool::new(false));
    let (mut c, mut p, mut t) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        c.push(chain(Duration::from_millis(2)));
        p.push(lock_ops(&flag, Duration::from_millis(2)));
        t.push(lock_ops(&flag, Duration::from_millis(80)));
    }
    if let Some(out) = args.get(3) {
        let mut text = String::from("round,chain_units_per_ns,probe_ops_per_ns,trial_ops_per_ns\n");
        for i in 0..rounds {
            text += &format!("{i},{:.5},{:.5},{:.5}\n", c[i], p[i], t[i]);
        }
        std::fs::write(out, text).expect("writable output");
    }
    let (dc, dp, dt) = (dev(&c), dev(&p), dev(&t));
    let sd = |v: &[f64]| (v.iter().map(|x| x * x).sum::<f64>() / v.len() as f64).sqrt();
    println!("rounds {rounds} on CPU {cpu}; deviations from the median, ln");
    println!(
        "spread (rms): chain {:.3}, lock-op probe {:.3}, trial {:.3}",
        sd(&dc),
        sd(&dp),
        sd(&dt)
    );
    println!(
        "trial vs chain probe: corr {:.2}; trial vs lock-op probe: corr {:.2}",
        corr(&dt, &dc),
        corr(&dt, &dp)
    );
    let lag = |k: usize| corr(&dt[..dt.len() - k], &dt[k..]);
    println!(
        "trial vs the trial k rounds later (~84 ms a round): k=1 {:.2}, 2 {:.2}, 5 {:.2}, 12 {:.2}",
        lag(1),
        lag(2),
        lag(5),
        lag(12)
    );
    let resid: Vec<f64> = dt.iter().zip(&dp).map(|(t, p)| t - p).collect();
    println!(
        "trial less its probe's deviation: spread {:.3} (from {:.3})",
        sd(&resid),
        sd(&dt)
    );
}
