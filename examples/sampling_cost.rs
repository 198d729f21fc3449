//! Does latency sampling change throughput? Every mutual-exclusion primitive and counter of
//! the registry at 1, 2 and 4 threads (capped at twice the usable CPUs) and cs 0 and 100 ns:
//! a trial with the default sampling and one with nothing timed (`sample_every` 0), back to
//! back in this one process (same calibration, same code placement), `REPS` times (default 5),
//! their order alternating from one repetition to the next, each trial guarded by the
//! parallelism sentinel as a sweep's are. The untimed trial's warm-up is as long as the
//! default trial's warm-up and latency window together, so both measured windows start
//! after the same time running the lock: what differs is only whether ops before it were
//! timed. Prints one CSV line per trial on stdout; `scripts/sampling-cost.sh` runs it and sums
//! it up.
//!
//! `cargo run --release --example sampling_cost > pairs.csv`

use lockbench::harness::sentinel::{LEG, Parallelism, Policy};
use lockbench::harness::{DEFAULT_SAMPLE_EVERY, Env, Point, guarded_trial};
use lockbench::registry::{Kind, PRIMITIVES, Waiting};
use std::time::Duration;

fn main() {
    let reps: u32 = std::env::var("REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let mut env = Env::detect();
    env.calibrate_per_trial = true;
    let cpus = env.host.usable_cpus();
    let policy = Policy::default();
    let mut sentinel = Parallelism::new(env.host.allowed_cpus.clone(), LEG);
    println!(
        "rep,config,primitive,threads,cs_ns,throughput_ops_s,degraded,core_to_core_before_ns,core_to_core_ns,sample_every,latency_ms,git_sha"
    );
    let threads: Vec<usize> = [1, 2, 4].into_iter().filter(|&t| t <= 2 * cpus).collect();
    for rep in 1..=reps {
        for &t in &threads {
            for cs in [0, 100] {
                eprintln!("rep {rep}/{reps}: {t} threads, cs {cs} ns");
                for p in PRIMITIVES
                    .iter()
                    .filter(|p| matches!(p.kind, Kind::Exclusive | Kind::Counter))
                {
                    let mut configs = [("default", DEFAULT_SAMPLE_EVERY), ("sample0", 0)];
                    if rep % 2 == 0 {
                        configs.reverse();
                    }
                    for (config, sample_every) in configs {
                        let window = Duration::from_millis(200);
                        let warmup = Duration::from_millis(25);
                        let point = Point {
                            setting: lockbench::record::Setting {
                                threads: t,
                                cs_ns: cs,
                                ..Point::new(p.about.name).setting
                            },
                            duration: window,
                            // The default trial's latency window (half its measured one)
                            // follows its warm-up; the untimed trial warms up that long.
                            warmup: if sample_every == 0 {
                                warmup + window / 2
                            } else {
                                warmup
                            },
                            sample_every,
                            timeout: Duration::from_secs(10),
                            ..Point::new(p.about.name)
                        };
                        let trial_env = env.for_trial();
                        let out = guarded_trial(
                            &trial_env,
                            &point,
                            p.about.waits == Waiting::Spins,
                            &policy,
                            &mut sentinel,
                            || p.run(&trial_env, &point, rep),
                        );
                        let r = match out {
                            Ok(out) => out.record,
                            Err(e) => {
                                eprintln!("{}: {e}", p.about.name);
                                std::process::exit(1);
                            }
                        };
                        let opt = |v: Option<f64>| v.map_or(String::new(), |x| x.to_string());
                        println!(
                            "{rep},{config},{},{t},{cs},{},{},{},{},{},{},{}",
                            r.primitive,
                            r.throughput_ops_s,
                            r.degraded,
                            opt(r.core_to_core_before_ns),
                            opt(r.core_to_core_ns),
                            r.sample_every,
                            opt(r.latency_ms),
                            r.git_sha
                        );
                    }
                }
            }
        }
    }
}
