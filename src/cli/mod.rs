//! Command-line interface: clap derive → validated point → harness → output.
//!
//! Bad input is reported as one line naming what is wrong and exits with code 2
//! ([`UsageError`]); a primitive that breaks its invariant exits with code 1.

mod advise;
mod args;
mod breakeven;
mod claims;
mod report;
mod sweep;

use crate::analysis::summarize;
pub use crate::error::{Interrupted, UsageError};
use crate::harness::{Env, Point};
use crate::record::RunRecord;
use crate::registry::{self, Family, Kind, PRIMITIVES};
use crate::sweep::point::PointRun;
use crate::units::{fmt_ns, fmt_rate, parse_duration, parse_ratio};
use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::time::Duration;

/// Measure locks, atomics and friends on this machine.
#[derive(Debug, Parser)]
#[command(name = "lockbench", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List every primitive lockbench can measure.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// List the axes of a point (the table `run`, `sweep`, runs.csv and `compare` share):
    /// flag, CSV column, value, the primitives that take it.
    Axes {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Measure one primitive at one point (threads, critical section, think time …).
    Run(RunArgs),
    /// Measure a grid of points and write runs.csv, histograms.csv and meta.json.
    Sweep(crate::cli::sweep::SweepArgs),
    /// Find where sleeping starts to beat spinning on this CPU (critical-section length).
    Breakeven(crate::cli::breakeven::BreakevenArgs),
    /// Which lock to use: replay each lock of a program's profile (`lockbench::profile`) with
    /// the candidates of its kind on this machine, and call switch, keep or inconclusive.
    Advise(crate::cli::advise::AdviseArgs),
    /// Put each claim of the textbook chapter to the test here: verdicts with their runs.
    Claims(crate::cli::claims::ClaimsArgs),
    /// Draw every chart a run supports (PNG or SVG) from its CSV; never measures.
    Plot(crate::cli::report::PlotArgs),
    /// Write a self-contained report.html for a run: host, probes, key tables, every chart.
    Report(crate::cli::report::ReportArgs),
    /// Compare runs (e.g. two machines) point by point, with ratios and a significance call.
    Compare(crate::cli::report::CompareArgs),
    /// One row per point of a run: median and interval, clean and dropped trials and why,
    /// layout, flag (CSV or JSON on stdout, for scripts).
    Points(crate::cli::report::PointsArgs),
    /// Check the machine: is it running threads truly in parallel right now (sentinel series),
    /// and what do clock reads and spin hints cost here.
    Probe {
        /// How long to sample the parallelism sentinel.
        #[arg(long, default_value = "3s", value_parser = parse_duration)]
        duration: Duration,
        /// Sentinel figure below which the machine is called unfit (default 0.9).
        #[arg(long, value_parser = parse_ratio)]
        sentinel_threshold: Option<f64>,
        /// Samples per probe (after warm-up).
        #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u64).range(20..=1_000_000))]
        rounds: u64,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ProbeFormat::Table)]
        format: ProbeFormat,
    },
    /// Print this machine's name, host and CPU (`vm-amd-epyc`): the folder under results/
    /// that sweeps write to by default, for scripts.
    Machine,
    /// Which trials ran on one cache layout, by lockbench's rule (all readings within ×1.5 of
    /// the layout's), for scripts that judge rows of other tools: prints the layout (ns, or
    /// `none`), then `on` or `off` per trial.
    Layout {
        /// One trial's core-to-core readings before and after it, ns: `BEFORE,AFTER` (`nan`
        /// or empty where none was read).
        #[arg(required = true, value_name = "BEFORE,AFTER")]
        trials: Vec<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ProbeFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ListFormat {
    Table,
    Csv,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RunFormat {
    /// Human summary with units (default).
    Table,
    /// One `runs.csv` row per trial, with header.
    Csv,
    /// A JSON array of records.
    Json,
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// Primitive to measure (see `lockbench list`).
    #[arg(long = "lock", value_name = "NAME")]
    lock: String,
    /// Where the point sits: one value per axis (`record::AXES`).
    #[command(flatten)]
    axes: crate::cli::args::RunAxes,
    /// Measured window per trial.
    #[arg(long, default_value = "500ms", value_parser = parse_duration)]
    duration: Duration,
    /// Discarded warm-up before each window.
    #[arg(long, default_value = "100ms", value_parser = parse_duration)]
    warmup: Duration,
    /// Trials (statistics are reported across them).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    trials: u32,
    /// Work in the parking_lot benchmark's units instead of --cs/--think: `IN/OUT` dependent
    /// f64 add-multiply steps inside / outside the lock (e.g. `1/0`, `5/5`). Locks only.
    #[arg(long, value_name = "IN/OUT", value_parser = parse_steps)]
    steps: Option<crate::harness::Steps>,
    /// Where the protected data lives: on its own cache line (`separate`) or on the lock's
    /// (`inline`, as `Mutex<T>` with a small `T`). Locks and RwLocks only.
    #[arg(long, value_enum, default_value_t = crate::record::Layout::Separate)]
    layout: crate::record::Layout,
    /// Time one op in N (default 16), every op (1), or none (0). Timing an op costs ~50 ns
    /// (three clock reads, three histogram records), two reads inside the critical section:
    /// at short critical sections, timing every op cuts throughput by a third or more.
    #[arg(long, default_value_t = crate::harness::DEFAULT_SAMPLE_EVERY)]
    sample: u32,
    /// Fixed total work instead of a fixed window: the slowest thread decides the time.
    #[arg(long, value_name = "OPS", value_parser = clap::value_parser!(u64).range(1..))]
    fixed_ops: Option<u64>,
    /// Watchdog budget beyond the planned time of a trial.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    timeout: Duration,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RunFormat::Table)]
    format: RunFormat,
    /// Skip the parallelism sentinel around each trial.
    #[arg(long)]
    no_sentinel: bool,
    /// Sentinel figure below which a trial is degraded (default 0.9).
    #[arg(long, value_parser = parse_ratio)]
    sentinel_threshold: Option<f64>,
    /// Retries of a disturbed trial before it is kept as degraded (default 2; 0 judges
    /// every trial on its one attempt).
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=10))]
    sentinel_retries: Option<u32>,
}

/// Parses `IN/OUT` step counts (`--steps 5/5`).
pub(crate) fn parse_steps(text: &str) -> Result<crate::harness::Steps, String> {
    let (a, b) = text
        .split_once('/')
        .ok_or_else(|| format!("'{text}': expected IN/OUT step counts, e.g. 1/0 or 5/5"))?;
    let count = |v: &str| {
        v.trim()
            .parse::<u32>()
            .map_err(|_| format!("'{text}': '{v}' is not a whole number of steps"))
    };
    Ok(crate::harness::Steps {
        inside: count(a)?,
        outside: count(b)?,
    })
}

/// Runs the command line; the binary maps the error to an exit code.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::List { format } => list(format),
        Command::Axes { format } => list_axes(format),
        Command::Machine => {
            println!("{}", crate::harness::host::Host::detect().info.machine());
            Ok(())
        }
        Command::Layout { trials } => layout(&trials),
        Command::Run(args) => run_point(args),
        Command::Sweep(args) => crate::cli::sweep::sweep(args),
        Command::Breakeven(args) => crate::cli::breakeven::breakeven(args),
        Command::Claims(args) => crate::cli::claims::claims(args),
        Command::Advise(args) => crate::cli::advise::advise(args),
        Command::Plot(args) => crate::cli::report::plot(args),
        Command::Report(args) => crate::cli::report::report(args),
        Command::Compare(args) => crate::cli::report::compare(args),
        Command::Points(args) => crate::cli::report::points(args),
        Command::Probe {
            duration,
            sentinel_threshold,
            rounds,
            format,
        } => probe(duration, sentinel_threshold, rounds as usize, format),
    }
}

/// `lockbench layout`: `rules::on_layout` over the trials' readings.
fn layout(trials: &[String]) -> Result<()> {
    let reading = |text: &str| -> Result<Option<f64>, UsageError> {
        match text.trim() {
            "" | "nan" => Ok(None),
            t => t
                .parse::<f64>()
                .map(Some)
                .map_err(|_| UsageError(format!("layout: {t:?} is not a reading in ns (or nan)"))),
        }
    };
    let readings = trials
        .iter()
        .map(|t| {
            let (before, after) = t.split_once(',').unwrap_or((t, ""));
            Ok([reading(before)?, reading(after)?])
        })
        .collect::<Result<Vec<_>, UsageError>>()?;
    let (ns, on) = crate::rules::on_layout(&readings);
    println!("{}", ns.map_or("none".to_string(), |ns| format!("{ns:.1}")));
    for on in on {
        println!("{}", if on { "on" } else { "off" });
    }
    Ok(())
}

fn list(format: ListFormat) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        ListFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(["name", "family", "description"])?;
            for p in PRIMITIVES {
                w.write_record([p.about.name, p.about.family.as_str(), p.about.description])?;
            }
            w.flush()?;
        }
        ListFormat::Table => {
            let width = PRIMITIVES
                .iter()
                .map(|p| p.about.name.len())
                .max()
                .unwrap_or(4);
            writeln!(out, "{:<width$}  {:<8}  description", "name", "family")?;
            for family in Family::ALL {
                for p in PRIMITIVES.iter().filter(|p| p.about.family == family) {
                    let origin = if p.about.hand_written { "" } else { " [crate]" };
                    writeln!(
                        out,
                        "{:<width$}  {:<8}  {}{origin}",
                        p.about.name,
                        family.as_str(),
                        p.about.description
                    )?;
                }
            }
            writeln!(
                out,
                "\n{} primitives. Measure one with: lockbench run --lock NAME",
                PRIMITIVES.len()
            )?;
        }
    }
    Ok(())
}

fn list_axes(format: ListFormat) -> Result<()> {
    use crate::record::{AXES, ValueKind};
    let value = |k: ValueKind| match k {
        ValueKind::Threads => "threads",
        ValueKind::Count => "count",
        ValueKind::Ns => "duration",
        ValueKind::Ratio => "ratio",
        ValueKind::Skew => "skew",
        ValueKind::Placement => "placement",
    };
    let mut out = std::io::stdout().lock();
    match format {
        ListFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(["flag", "column", "value", "taken_by", "help"])?;
            for d in &AXES {
                w.write_record([d.flag, d.column, value(d.value), d.takers, d.help])?;
            }
            w.flush()?;
        }
        ListFormat::Table => {
            writeln!(
                out,
                "{:<13} {:<11} {:<9} taken by",
                "flag", "column", "value"
            )?;
            for d in &AXES {
                writeln!(
                    out,
                    "{:<13} {:<11} {:<9} {}",
                    d.flag,
                    d.column,
                    value(d.value),
                    d.takers
                )?;
            }
        }
    }
    Ok(())
}

/// Checks the arguments against the registry and builds the point.
fn validate(args: &RunArgs) -> Result<(Point, &'static registry::Primitive), UsageError> {
    let primitive = registry::find(&args.lock).ok_or_else(|| {
        let near = registry::closest(&args.lock);
        let hint = if near.is_empty() {
            String::new()
        } else {
            format!(" (did you mean {}?)", near.join(", "))
        };
        UsageError(format!(
            "unknown primitive {:?} in --lock{hint}; `lockbench list` shows all {}",
            args.lock,
            PRIMITIVES.len()
        ))
    })?;
    let setting = run_setting(args, primitive)?;
    if args.steps.is_some() && primitive.kind != Kind::Exclusive {
        return Err(UsageError(format!(
            "--steps does not apply to {}: only exclusive locks run the parking_lot benchmark's work",
            primitive.about.name
        )));
    }
    if args.steps.is_some() && (setting.cs_ns != 0 || setting.think_ns != 0) {
        return Err(UsageError(
            "--steps replaces --cs and --think: give one or the other".into(),
        ));
    }
    if args.layout != crate::record::Layout::Separate && !primitive.kind.takes_layout() {
        return Err(UsageError(format!(
            "--layout does not apply to {}: only locks and RwLocks guard a data word the harness lays out",
            primitive.about.name
        )));
    }
    if args.fixed_ops.is_some() && !primitive.kind.supports_fixed_ops() {
        return Err(UsageError(format!(
            "--fixed-ops does not apply to {}: its workload runs for a fixed time only",
            primitive.about.name
        )));
    }
    if args.duration.is_zero() && args.fixed_ops.is_none() {
        return Err(UsageError("--duration must be longer than 0".into()));
    }
    Ok((
        Point {
            setting,
            primitive: primitive.about.name.to_string(),
            seed: Point::new("").seed,
            layout: args.layout,
            steps: args.steps,
            duration: args.duration,
            warmup: args.warmup,
            sample_every: args.sample,
            fixed_ops: args.fixed_ops,
            timeout: args.timeout,
        },
        primitive,
    ))
}

/// Most threads `run` starts.
const MAX_THREADS: usize = 4096;

/// The point's setting from `run`'s axis flags: one value each, only on axes the primitive's
/// kind takes; an axis not given takes the harness's default (`Point::new`), or for the axes
/// of some kinds that kind's default.
fn run_setting(
    args: &RunArgs,
    primitive: &registry::Primitive,
) -> Result<crate::record::Setting, UsageError> {
    use crate::record::Axis;
    let name = primitive.about.name;
    let kind = primitive.kind;
    // What the word `cores` means, read only when it is used.
    let cores = if args.axes.given.iter().any(|(_, t)| t.contains("cores")) {
        crate::harness::host::Host::detect().usable_cpus()
    } else {
        1
    };
    let mut setting = Point::new(name).setting;
    for (axis, text) in &args.axes.given {
        let def = axis.def();
        let values = crate::sweep::axes::parse_values(*axis, text, cores)
            .map_err(|e| UsageError(e.to_string()))?;
        if !axis.takes(kind) {
            return Err(UsageError(format!(
                "{} does not apply to {name}: it is for {}",
                def.flag, def.takers
            )));
        }
        let [value] = values[..] else {
            return Err(UsageError(format!(
                "{}: {text:?}: `run` takes one value (`sweep` takes lists)",
                def.flag
            )));
        };
        setting.set(*axis, Some(value));
    }
    if setting.threads > MAX_THREADS {
        return Err(UsageError(format!(
            "--threads: at most {MAX_THREADS} (got {})",
            setting.threads
        )));
    }
    // The axes only some kinds take, not given: their neutral value (a read-mostly mix,
    // uniform keys), except the resource count, which the kind decides.
    for def in crate::record::AXES.iter().filter(|d| d.kinds.is_some()) {
        if def.axis.takes(kind) && setting.get(def.axis).is_none() {
            setting.set(def.axis, Some(def.neutral));
            if def.axis == Axis::Stripes {
                setting.stripes = match kind {
                    Kind::Semaphore => Some((setting.threads / 2).max(1)),
                    kind => kind.default_stripes(),
                };
            }
        }
    }
    if let Some(n) = setting.stripes {
        kind.check_stripes(n)
            .map_err(|m| UsageError(format!("--stripes: {m}")))?;
    }
    Ok(setting)
}

fn run_point(args: RunArgs) -> Result<()> {
    let (point, primitive) = validate(&args)?;
    let env = Env::detect();
    env.check_lengths(&point)
        .map_err(|e| UsageError(e.to_string()))?;
    eprintln!(
        "lockbench run: {} × {} thread(s), cs {}, think {}, {} trial(s) of {}",
        point.primitive,
        point.setting.threads,
        fmt_ns(point.setting.cs_ns as f64),
        fmt_ns(point.setting.think_ns as f64),
        args.trials,
        match point.fixed_ops {
            Some(n) => format!("{n} ops"),
            None => fmt_ns(point.duration.as_nanos() as f64),
        }
    );
    let defaults = crate::harness::sentinel::Policy::default();
    let mut run = PointRun::new(primitive, point).trials(args.trials).env(env);
    run = if args.no_sentinel {
        run.unguarded()
    } else {
        run.policy(crate::harness::sentinel::Policy {
            threshold: args.sentinel_threshold.unwrap_or(defaults.threshold),
            retries: args.sentinel_retries.unwrap_or(defaults.retries),
            ..defaults
        })
    };
    let point = run.point().clone();
    let outcome = run
        .run_with(|trial, out| print_trial(trial, args.trials, &out.record))
        .with_context(|| format!("measuring {}", point.primitive))?;
    let (env, trials) = (outcome.env, outcome.trials);
    let records: Vec<&RunRecord> = trials.iter().map(|t| &t.record).collect();
    let stdout = std::io::stdout();
    match args.format {
        RunFormat::Csv => {
            let mut w = csv::Writer::from_writer(stdout.lock());
            for r in &records {
                w.serialize(r)?;
            }
            w.flush()?;
        }
        RunFormat::Json => {
            serde_json::to_writer_pretty(stdout.lock(), &records)?;
            println!();
        }
        RunFormat::Table => crate::report::text::write_run_summary(
            &mut std::io::stdout().lock(),
            &env,
            &point,
            &records,
        )?,
    }
    Ok(())
}

/// One trial's line on stderr: throughput, CPU and run-queue shares, the distances, and why
/// it was degraded or timed out.
fn print_trial(trial: u32, trials: u32, r: &RunRecord) {
    let flag = if r.degraded {
        format!(
            " DEGRADED ({}): sentinel {:.2} / {:.2}, after {} attempt(s)",
            r.degraded_by,
            r.sentinel_before.unwrap_or(0.0),
            r.sentinel_after.unwrap_or(0.0),
            r.attempts
        )
    } else if r.timed_out {
        " (TIMED OUT)".to_string()
    } else {
        String::new()
    };
    // The distances; whether a trial was on the point's layout is judged over all of
    // them, in the report below.
    let c2c = match (r.core_to_core_before_ns, r.core_to_core_ns) {
        (Some(b), Some(a)) => format!(", core-to-core {} / {}", fmt_ns(b), fmt_ns(a)),
        _ => String::new(),
    };
    let share = |v: Option<f64>| v.map_or("n/a".to_string(), |v| format!("{v:.2}"));
    eprintln!(
        "  trial {}/{}: {}, CPU share {}, run-queue share {}{c2c}{flag}",
        trial + 1,
        trials,
        fmt_rate(r.throughput_ops_s),
        share(r.cpu_share),
        share(r.runq_share),
    );
}

/// `lockbench probe`: the parallelism sentinel sampled over `duration` (min / median / max
/// and a verdict), plus the clock and spin-hint costs.
fn probe(
    duration: Duration,
    threshold: Option<f64>,
    rounds: usize,
    format: ProbeFormat,
) -> Result<()> {
    use crate::harness::sentinel::{DEFAULT_THRESHOLD, LEG, Parallelism, Sentinel, steal_ms};
    let env = Env::detect();
    let threshold = threshold.unwrap_or(DEFAULT_THRESHOLD);
    let cpus = env.host.allowed_cpus.clone();
    let mut sentinel = Parallelism::new(cpus.clone(), LEG);
    eprintln!(
        "sampling the parallelism sentinel on CPUs {cpus:?} for {} …",
        fmt_ns(duration.as_nanos() as f64)
    );
    let start = std::time::Instant::now();
    let steal_before = steal_ms(&cpus);
    let mut series = Vec::new();
    while start.elapsed() < duration || series.len() < 3 {
        series.push(sentinel.read(&cpus));
    }
    let steal = steal_ms(&cpus) - steal_before;
    // The trial's own signals, on a short spinning trial with a thread on every CPU: what a
    // sweep's `cpu-share` and `preempted` checks would see right now.
    let own = own_trial(&env, &cpus)?;
    eprintln!("running the sleep/wake and cache-line probes ({rounds} samples each) …");
    let probes = crate::probes::run_all(&env.clock, &env.busy, &cpus, rounds);
    if matches!(format, ProbeFormat::Json) {
        serde_json::to_writer_pretty(std::io::stdout().lock(), &probes)?;
        println!();
        return Ok(());
    }
    let figures: Vec<f64> = series.iter().map(|r| r.parallel).collect();
    let s = summarize(&figures).expect("at least three readings");
    let below = figures.iter().filter(|&&f| f < threshold).count();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "host               {} — {}",
        env.host.info.cpu_model,
        env.host.topology.summary()
    )?;
    writeln!(
        out,
        "clock read         {:.1} ns (median)",
        env.clock_overhead_ns
    )?;
    writeln!(
        out,
        "spin-loop hint     {:.1} ns",
        crate::primitives::spin::ns_per_spin_hint()
    )?;
    writeln!(
        out,
        "busy work          {:.3} chain steps/ns, {:.1} ns of fences per piece (subtracted from every requested length)",
        env.busy.units_per_ns(),
        env.busy.fence_ns()
    )?;
    writeln!(
        out,
        "shortest length    {} ns: a critical section or think time between 0 and this is refused (the fences alone take longer)",
        env.busy.floor_ns()
    )?;
    writeln!(
        out,
        "parallelism        min {:.2}  median {:.2}  max {:.2}  over {} readings in {:.1} s ({} below {threshold})",
        s.min,
        s.median,
        s.max,
        s.n,
        start.elapsed().as_secs_f64(),
        below
    )?;
    let slowest: Vec<f64> = series
        .iter()
        .map(|r| r.slowest_units_per_ns / env.busy.units_per_ns())
        .collect();
    let slow = summarize(&slowest).expect("at least three readings");
    writeln!(
        out,
        "slowest CPU alone  min {:.2}  median {:.2} of the calibrated speed (below {threshold}: a busy process there)",
        slow.min, slow.median
    )?;
    writeln!(out, "{}", own_line(&own, threshold))?;
    writeln!(out, "steal time         {steal:.0} ms during the sampling")?;
    let verdict = probe_verdict(cpus.len(), below, s.median, s.n, threshold);
    writeln!(out, "verdict            {verdict}")?;
    writeln!(out)?;
    crate::report::text::write_probes(&mut out, &probes)?;
    Ok(())
}

/// A short spinning trial with a thread on every CPU, for the trial's own signals.
fn own_trial(env: &Env, cpus: &[usize]) -> Result<RunRecord> {
    let point = {
        Point {
            setting: crate::record::Setting {
                threads: cpus.len().max(1),
                cs_ns: 100,
                ..Point::new("spin-ttas").setting
            },
            duration: Duration::from_millis(200),
            warmup: Duration::from_millis(20),
            sample_every: 16,
            ..Point::new("spin-ttas")
        }
    };
    let primitive = crate::registry::find(&point.primitive).expect("spin-ttas is registered");
    Ok(primitive.run(env, &point, 0)?.record)
}

/// The probe's line on the trial's own signals: CPU and run-queue shares, and the call.
fn own_line(own: &RunRecord, threshold: f64) -> String {
    let policy = crate::harness::sentinel::Policy {
        threshold,
        ..Default::default()
    };
    let signals = crate::harness::sentinel::trial_signals(
        &crate::harness::sentinel::TrialConditions {
            spins: true,
            oversubscribed: false,
            cpu_share: own.cpu_share,
            runq_share: own.runq_share,
            steal_share: 0.0,
            steal_ticks: 0.0,
            sentinel_during: None,
        },
        &policy,
    );
    let share = |v: Option<f64>| v.map_or("n/a".to_string(), |v| format!("{v:.2}"));
    format!(
        "trial's own data   spin-ttas × {} threads, 200 ms: CPU share {}, run-queue share {} → {}",
        own.threads,
        share(own.cpu_share),
        share(own.runq_share),
        if signals.is_empty() {
            "clean".to_string()
        } else {
            format!(
                "disturbed ({})",
                crate::harness::sentinel::Signal::join(&signals)
            )
        }
    )
}

/// The probe's verdict on the machine from the parallelism readings.
fn probe_verdict(cpus: usize, below: usize, median: f64, n: usize, threshold: f64) -> String {
    if cpus < 2 {
        "only one CPU: contention is measured by time-slicing, never in parallel".to_string()
    } else if below == 0 {
        format!("fit for contention benchmarks: every reading ≥ {threshold}")
    } else if median >= threshold {
        format!(
            "usable with care: {below} of {} readings below {threshold}; sweeps retry and flag such points",
            n
        )
    } else {
        "UNFIT right now: the CPUs are mostly not running in parallel (a VM sharing cores?); numbers taken now would be wrong".to_string()
    }
}
