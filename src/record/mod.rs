//! Plain data: the host fingerprint, a measured point, and [`RunRecord`] — the one struct
//! that *is* the `runs.csv` schema (headers come from serde; units are in the field names).

pub use crate::primitives::about::Family;
pub use axes::{AXES, Axis, AxisDef, Setting, Value, ValueKind};

mod axes;
use serde::{Deserialize, Serialize};

/// Version of the [`RunRecord`] column set. Bump on any rename, removal or change of meaning.
pub const SCHEMA_VERSION: u32 = 4;

/// The oldest `schema_version` this lockbench still reads. Version 1 files lack `run_id`,
/// `row` and the confidence-interval columns (the loader fills the first two), and their
/// `stable` judged the trials' range rather than the median's confidence interval. Version 2
/// files lack `checked` and `sleeps` (the loader takes them from this build's registry).
/// Version 4 changed only the meaning of `stable` (the planned clean trials, not a narrow
/// enough interval); earlier files keep their own verdicts.
pub const OLDEST_SCHEMA_VERSION: u32 = 1;

/// Where the data a lock protects lives relative to the lock.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// On its own cache line (lockbench's default): a hand-off moves two lines, the lock's and
    /// the data's.
    #[default]
    Separate,
    /// On the lock's cache line, as `Mutex<T>` with a small `T` puts it: one line moves.
    Inline,
}

impl Layout {
    /// Every layout, in command-line order.
    pub const ALL: [Layout; 2] = [Layout::Separate, Layout::Inline];

    /// The lowercase name used on the command line and in CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::Separate => "separate",
            Layout::Inline => "inline",
        }
    }
}

/// How threads are placed on CPUs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Placement {
    /// Fill CPUs closest together first: all SMT siblings of a core, then the next core of the
    /// same package, then the next package.
    #[default]
    Compact,
    /// One thread per physical core first (alternating packages), SMT siblings only after.
    Spread,
    /// Not pinned: the scheduler decides.
    None,
}

impl Placement {
    /// Every placement, in command-line order.
    pub const ALL: [Placement; 3] = [Placement::Compact, Placement::Spread, Placement::None];

    /// The lowercase name used on the command line and in CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Placement::Compact => "compact",
            Placement::Spread => "spread",
            Placement::None => "none",
        }
    }
}

/// Default latency sampling: one op in 16 is timed. Timing an op costs about 50 ns (see
/// `meta.json`'s `harness_ns_per_op_timed`), so timing every op distorts throughput at short
/// critical sections; one in 16 still gives tens of thousands of samples per trial.
pub const DEFAULT_SAMPLE_EVERY: u32 = 16;

/// Sentinel figure below which a trial is degraded, unless a sweep or run says otherwise.
pub const DEFAULT_SENTINEL_THRESHOLD: f64 = 0.9;

/// Every axis and setting of a sweep; serialized into meta.json so `--resume` can rebuild
/// exactly the same plan. Plain data: the plan, its size and time estimate are `sweep`'s
/// (`impl SweepSpec` there).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepSpec {
    /// Primitive names, in registry order.
    pub locks: Vec<String>,
    /// Thread counts.
    pub threads: Vec<usize>,
    /// Critical-section lengths, ns.
    pub cs_ns: Vec<u64>,
    /// Think times, ns.
    pub think_ns: Vec<u64>,
    /// Read ratios (applied to reader-writer primitives only).
    pub read_ratios: Vec<f64>,
    /// Stripes / accounts / permits (applied to primitives with a resource count only).
    pub stripes: Vec<usize>,
    /// Key skews (applied to striped and bank workloads only).
    pub key_skews: Vec<f64>,
    /// Placements.
    pub placements: Vec<Placement>,
    /// Where the protected data lives (locks and RwLocks).
    #[serde(default)]
    pub layout: Layout,
    /// Measured window per trial, ns.
    pub duration_ns: u64,
    /// Warm-up per trial, ns.
    pub warmup_ns: u64,
    /// Trials per point.
    pub trials: u32,
    /// Latency sampling (1 = every op).
    pub sample_every: u32,
    /// Watchdog budget per trial beyond its planned time, ns.
    pub timeout_ns: u64,
    /// Replacements: a point with fewer than `trials` clean trials (some degraded, timed out
    /// or on another cache layout) gets extra trials, up to this many in all
    /// (`stats::stability`). Runs before schema 4 also added trials while the median's
    /// interval was wider than a `stability_target` (a field they still hold, ignored now).
    #[serde(default)]
    pub max_trials: u32,
    /// Read the parallelism sentinel around every trial.
    #[serde(default = "default_true")]
    pub sentinel: bool,
    /// Sentinel figure below which a trial is degraded.
    #[serde(default = "default_threshold")]
    pub sentinel_threshold: f64,
    /// Retries of a degraded trial.
    #[serde(default = "default_retries")]
    pub sentinel_retries: u32,
}

fn default_true() -> bool {
    true
}
fn default_threshold() -> f64 {
    DEFAULT_SENTINEL_THRESHOLD
}
fn default_retries() -> u32 {
    2
}

/// Facts about the machine and build that produced a record, repeated on every CSV row so
/// files from different machines can simply be concatenated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostInfo {
    /// Short stable name of the host (hostname, sanitised for use in paths).
    pub host_id: String,
    /// CPU model string from /proc/cpuinfo.
    pub cpu_model: String,
    /// Online logical CPUs.
    pub logical_cpus: usize,
    /// Physical cores.
    pub physical_cores: usize,
    /// Whether cores run more than one hardware thread.
    pub smt: bool,
    /// Kernel release (`uname -r`).
    pub kernel: String,
    /// Compiler that built this binary.
    pub rustc: String,
    /// lockbench version.
    pub lockbench_version: String,
    /// Git commit of the lockbench build (`unknown` outside a checkout).
    pub git_sha: String,
}

impl HostInfo {
    /// The machine's name for folders and labels: the host id and a slug of the CPU model
    /// (`vm-amd-epyc`, `vm-intel-xeon`), so two machines that share a host name never share
    /// a results folder and a comparison says which CPU each input ran on.
    pub fn machine(&self) -> String {
        machine_name(&self.host_id, &self.cpu_model)
    }
}

/// `<host>-<cpu slug>`: the CPU model lowercased, trademarks, "CPU"/"Processor", core counts
/// and the "@ frequency" tail dropped, at most four words joined by `-`.
pub fn machine_name(host_id: &str, cpu_model: &str) -> String {
    let model = cpu_model.split('@').next().unwrap_or("").to_lowercase();
    let model = model.replace("(r)", " ").replace("(tm)", " ");
    let noise = ["cpu", "processor", "with", "radeon", "graphics"];
    let words: Vec<String> = model
        .split_whitespace()
        .filter(|w| !noise.contains(w) && !w.ends_with("-core"))
        .map(|w| w.replace(|c: char| !c.is_ascii_alphanumeric(), "-"))
        .map(|w| w.trim_matches('-').to_string())
        .filter(|w| !w.is_empty())
        .take(4)
        .collect();
    let slug = if words.is_empty() {
        "unknown-cpu".to_string()
    } else {
        words.join("-")
    };
    let host = if host_id.is_empty() { "host" } else { host_id };
    format!("{host}-{slug}")
}

/// One row of `runs.csv`: one trial of one point, on one host.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// [`SCHEMA_VERSION`] of this row.
    pub schema_version: u32,
    /// The run this row belongs to (as in meta.json): with `row`, the key that ties a row to
    /// its histograms.csv line even after files of many runs are concatenated. Empty in
    /// schema 1 files (the loader names those runs after their directory).
    #[serde(default)]
    pub run_id: String,
    /// 0-based index of this row within its run. Empty in schema 1 files (their file order).
    #[serde(default)]
    pub row: Option<u64>,
    // ---- host ----
    /// See [`HostInfo::host_id`].
    pub host_id: String,
    /// See [`HostInfo::cpu_model`].
    pub cpu_model: String,
    /// See [`HostInfo::logical_cpus`].
    pub logical_cpus: usize,
    /// See [`HostInfo::physical_cores`].
    pub physical_cores: usize,
    /// See [`HostInfo::smt`].
    pub smt: bool,
    /// See [`HostInfo::kernel`].
    pub kernel: String,
    /// See [`HostInfo::rustc`].
    pub rustc: String,
    /// See [`HostInfo::lockbench_version`].
    pub lockbench_version: String,
    /// See [`HostInfo::git_sha`].
    pub git_sha: String,
    // ---- point ----
    /// Registry name of the primitive.
    pub primitive: String,
    /// Its family (`spin`, `mutex`, `atomic`, `baseline`, … in CSV).
    pub family: Family,
    /// The harness checked its correctness in this trial (mutual exclusion, exact counts):
    /// false for the baseline without a lock, the deliberately racy counter and any lock
    /// declared `.unchecked()`, which are never a regime's leader or a break-even's spinner.
    /// Written by the build that measured the row; older files get this build's registry's
    /// answer on load (false for names it does not know).
    #[serde(default)]
    pub checked: bool,
    /// Its threads may block in the kernel while waiting (so a low CPU share is no sign of
    /// interference). Written with the row, as `checked`.
    #[serde(default)]
    pub sleeps: bool,
    /// Worker threads.
    pub threads: usize,
    /// Requested critical-section length.
    pub cs_ns: u64,
    /// Requested think time between operations (outside the lock).
    pub think_ns: u64,
    /// Fraction of operations that are reads (shared); empty for exclusive-only primitives.
    pub read_ratio: Option<f64>,
    /// Stripes, accounts or permits (the workload's resource count); empty where none.
    pub stripes: Option<usize>,
    /// Key skew of striped workloads (0 uniform, s > 0 Zipf-like); empty where none.
    pub key_skew: Option<f64>,
    /// Thread placement policy.
    pub placement: Placement,
    /// Measured window (fixed-time mode) in milliseconds.
    pub duration_ms: f64,
    /// Discarded warm-up before the window, in milliseconds.
    pub warmup_ms: f64,
    /// The latency window between the warm-up and the measured window, in milliseconds:
    /// sampled ops are timed there (every latency column comes from it) and none is counted;
    /// the measured window times nothing. 0 with no sampling. Empty in files written before
    /// it existed, whose measured window was also their sampled one.
    #[serde(default)]
    pub latency_ms: Option<f64>,
    /// Operations run in the latency window, all threads (`sampled_ops` of them were timed,
    /// about one in `sample_every`). Empty in older files.
    #[serde(default)]
    pub latency_ops: Option<u64>,
    /// Per-operation latency sampling: 1 = every op, N = one in N, 0 = none.
    pub sample_every: u32,
    /// Total operations in fixed-work mode; empty in fixed-time mode.
    pub fixed_ops: Option<u64>,
    /// Trial number within the point, from 0.
    pub trial: u32,
    // ---- conditions ----
    /// More threads than logical CPUs available to the process.
    pub oversubscribed: bool,
    /// Every thread was pinned as requested.
    pub pinned: bool,
    /// CPU of each thread, `;`-separated (empty when unpinned).
    pub pin_map: String,
    /// The point overran its time budget and was stopped by the watchdog: no metrics.
    pub timed_out: bool,
    /// Busy-work calibration used for cs and think time.
    pub busy_units_per_ns: f64,
    /// Median cost of one timestamp read (included in every timed wait and hold).
    pub clock_read_ns: f64,
    // ---- trustworthiness (see README: "degraded points") ----
    /// Parallelism sentinel right before the trial: busy loops pinned on the trial's CPUs,
    /// alone then together; the worst CPU's rate together ÷ alone (1 = truly parallel; the
    /// ratio of sums when unpinned; 1 for one CPU). Empty if not measured.
    pub sentinel_before: Option<f64>,
    /// The same, right after the trial.
    pub sentinel_after: Option<f64>,
    /// One-way core-to-core latency between the trial's first two CPUs, read right after the
    /// trial (CAS ping-pong on one cache line, median of 5 batches of 1000 round trips, ns).
    /// A hypervisor that moves a vCPU to a farther core changes it, and with it every
    /// contended point's throughput, while the sentinel still reads full speed. Empty for
    /// one-CPU and unguarded trials and in files written before it existed.
    #[serde(default)]
    pub core_to_core_ns: Option<f64>,
    /// The same distance read right before the trial. A trial with a reading (before or
    /// after) outside the [`LAYOUT_FACTOR`](crate::rules::LAYOUT_FACTOR) window
    /// that fits the most of its point's trials ran on another cache layout, and the point's
    /// value leaves it out ([`crate::rules::on_layout`]).
    #[serde(default)]
    pub core_to_core_before_ns: Option<f64>,
    /// Every attempt was found disturbed (by a signal in `degraded_by`): do not trust this row.
    pub degraded: bool,
    /// Attempts made (a degraded trial is retried after a pause, up to a budget).
    pub attempts: u32,
    /// Steal time of the trial's CPUs over the measured window, in milliseconds.
    pub steal_ms: f64,
    /// Single-CPU speed of the sentinel's loop, busy-work units per ns (frequency changes).
    pub single_core_units_per_ns: Option<f64>,
    /// Clean trials of this point so far, this one included: not degraded, not timed out, on
    /// the point's cache layout as its trials so far make it out.
    pub clean_trials: u32,
    /// Relative spread (max − min) / median of throughput over those clean trials.
    pub throughput_spread: f64,
    /// The point has its planned clean trials (at least 3) with this one: its value and
    /// interval are final (`stats::stability`). Schemas 2 and 3 meant "at least 3 clean
    /// trials and the median's interval within the stability target"; schema 1, the range
    /// within it.
    pub stable: bool,
    /// Lower end of the confidence interval of the median throughput over the clean trials
    /// so far (`stats::median_ci`: order statistics, interpolated; at `ci_level`).
    #[serde(default)]
    pub throughput_ci_lo_ops_s: Option<f64>,
    /// Upper end of that interval.
    #[serde(default)]
    pub throughput_ci_hi_ops_s: Option<f64>,
    /// Coverage of that interval: 0.9, or less with too few clean trials to reach it (then
    /// it is their range: 0.75 for 3, 0.5 for 2).
    #[serde(default)]
    pub ci_level: Option<f64>,
    // ---- metrics ----
    /// Operations completed in the window (all threads).
    pub ops: u64,
    /// Length of the measured window in seconds.
    pub elapsed_s: f64,
    /// Operations per second.
    pub throughput_ops_s: f64,
    /// Read (shared) operations per second.
    pub reads_ops_s: f64,
    /// Write (exclusive) operations per second.
    pub writes_ops_s: f64,
    /// Wait for the lock (request → acquired), percentiles over sampled ops. Raw: includes one
    /// clock read (see `clock_read_ns` and `wait_net_p50_ns`). p90/p99/p99.9 are empty when
    /// fewer than 10 samples lie beyond them (`harness::TAIL_SAMPLES`).
    pub wait_p50_ns: f64,
    /// See `wait_p50_ns`.
    pub wait_p90_ns: Option<f64>,
    /// See `wait_p50_ns`.
    pub wait_p99_ns: Option<f64>,
    /// See `wait_p50_ns`.
    pub wait_p999_ns: Option<f64>,
    /// See `wait_p50_ns`.
    pub wait_max_ns: f64,
    /// Time the lock was held (acquired → about to release), percentiles over sampled ops.
    /// "Acquired" is read once the lock is held and the protected data's cache line has
    /// been loaded (the hand-off stamp's load), so a transfer of that line counts as waiting.
    pub hold_p50_ns: f64,
    /// See `hold_p50_ns`.
    pub hold_p90_ns: Option<f64>,
    /// See `hold_p50_ns`.
    pub hold_p99_ns: Option<f64>,
    /// See `hold_p50_ns`.
    pub hold_p999_ns: Option<f64>,
    /// See `hold_p50_ns`.
    pub hold_max_ns: f64,
    /// Mean hold time as timed (acquired → about to release), one clock read included.
    pub hold_mean_ns: f64,
    /// Wait of shared (read) acquisitions: p50 (reader-writer primitives; 0 elsewhere).
    pub read_wait_p50_ns: f64,
    /// See `read_wait_p50_ns`.
    pub read_wait_p99_ns: Option<f64>,
    /// See `read_wait_p50_ns`.
    pub read_wait_p999_ns: Option<f64>,
    /// See `read_wait_p50_ns`.
    pub read_wait_max_ns: f64,
    /// Wait of exclusive (write) acquisitions of reader-writer primitives: p50. Writer
    /// starvation shows in the p99.9 and max.
    pub write_wait_p50_ns: f64,
    /// See `write_wait_p50_ns`.
    pub write_wait_p99_ns: Option<f64>,
    /// See `write_wait_p50_ns`.
    pub write_wait_p999_ns: Option<f64>,
    /// See `write_wait_p50_ns`.
    pub write_wait_max_ns: f64,
    /// Operations whose latency was recorded.
    pub sampled_ops: u64,
    /// CPU time (user + system) of all worker threads in the window, read by the controller at
    /// the window's start and end (fixed-work mode: each thread's own finish).
    pub cpu_s: f64,
    /// Operations per CPU-second: the efficiency metric.
    pub ops_per_cpu_s: f64,
    /// Voluntary context switches (the thread blocked) per operation.
    pub vcsw_per_op: f64,
    /// Involuntary context switches (preempted) per operation.
    pub ivcsw_per_op: f64,
    /// Jain's fairness index over per-thread operation counts (1 = perfectly even); over
    /// per-thread rates in fixed-work mode, where the counts are equal by construction.
    pub jain_index: f64,
    /// Smallest per-thread share of all operations (1/threads when fair).
    pub min_share: f64,
    /// Largest per-thread share of all operations.
    pub max_share: f64,
    /// Failed CAS attempts (lock-free counters) or try-lock retries (bank transfers) per op.
    pub retries_per_op: f64,
    /// Updates lost by an unsynchronized counter (racy counter, null primitive).
    pub lost_updates: u64,
    /// Parallelism sentinel taken *during* a long trial (window ≥ 400 ms): the workers park
    /// between operations, the sentinel runs, the pause is left out of the window. Empty for
    /// shorter trials, queue and barrier workloads, and files written before it existed.
    #[serde(default)]
    pub sentinel_during: Option<f64>,
    /// CPU time of the workers over the window ÷ (CPUs they could use × window): how much of
    /// its CPUs the trial really got. A spinning primitive keeps it at ~1.0; well below that,
    /// something else ran on the trial's CPUs. Empty if CPU time could not be read, and in
    /// files written before it existed.
    #[serde(default)]
    pub cpu_share: Option<f64>,
    /// Time the workers spent runnable but waiting for a CPU (run-queue delay, from
    /// schedstat) ÷ (threads × window), over the latency and measured windows together.
    /// Near 0 when each thread has its CPU; with more
    /// threads than CPUs it is the time-slicing itself. Empty where the kernel does not
    /// report it, and in older files.
    #[serde(default)]
    pub runq_share: Option<f64>,
    /// The signals that found the kept attempt disturbed, `;`-separated (empty when clean):
    /// `sentinel-low`, `sentinel-high`, `slow-cpu`, `cpu-share`, `preempted`, `steal`. See
    /// README, "Degraded points".
    #[serde(default)]
    pub degraded_by: String,
    /// What found each discarded attempt of this trial disturbed (`attempts − 1` of them when
    /// the kept one is clean or the last): attempts `/`-separated, each one's signals
    /// `;`-separated, as in `degraded_by`. Empty when the first attempt was kept, and in
    /// older files.
    #[serde(default)]
    pub discarded_by: String,
    /// The timestamp source: `tsc` (invariant TSC, read directly) or `os-monotonic` (the
    /// fallback: a syscall-free vDSO clock, slower and coarser).
    #[serde(default)]
    pub clock_source: String,
    /// The critical section the harness achieved: mean hold minus one clock read (the read
    /// that ends the hold). Compare with `cs_ns`. Empty when nothing was timed.
    #[serde(default)]
    pub achieved_cs_ns: Option<f64>,
    /// `wait_p50_ns` minus one clock read: the lock's own wait.
    #[serde(default)]
    pub wait_net_p50_ns: Option<f64>,
    /// `wait_p99_ns` minus one clock read (empty when p99 is).
    #[serde(default)]
    pub wait_net_p99_ns: Option<f64>,
    /// `hold_p50_ns` minus one clock read.
    #[serde(default)]
    pub hold_net_p50_ns: Option<f64>,
    /// Where the protected data lived: `separate` (its own cache line) or `inline` (on the
    /// lock's line); empty in older files, which used `separate`. Exclusive locks and RwLocks
    /// only; other workloads keep their own layout and say `separate`.
    #[serde(default)]
    pub layout: String,
    /// Work inside the lock in the parking_lot benchmark's steps (dependent f64 add-multiply
    /// on the protected value) instead of `cs_ns`; empty when the work was timed in ns.
    #[serde(default)]
    pub cs_steps: Option<u32>,
    /// The same, outside the lock, instead of `think_ns`.
    #[serde(default)]
    pub think_steps: Option<u32>,
    /// Hand-offs recorded: a timed holder stamps the clock just before releasing; whoever
    /// acquires next loads the stamp right after acquiring and, when it is another thread's,
    /// reads the clock: the lock changed hands. Counted only for stamps of timed releases, so
    /// one per `sample_every` sections on average at most; a pair whose new owner had been
    /// parked by a mid-trial pause, or whose CPUs' clocks disagree, is dropped. Exclusive locks only; empty elsewhere, for the
    /// `null` primitive (no lock to hand off) and in older files.
    #[serde(default)]
    pub handoffs: Option<u64>,
    /// `handoffs` ÷ timed sections: how often a timed release was followed by another thread
    /// taking the lock (a FIFO lock under contention: ~1; a barging lock whose releaser
    /// re-acquires first: small). Timed sections are a little longer than others, which
    /// gives waiters a head start: for barging locks this reads somewhat high.
    #[serde(default)]
    pub handoff_share: Option<f64>,
    /// Hand-off latency, p50 (ns): the releasing holder's last reading → the new owner's
    /// reading after it holds the lock and has loaded the protected data (one more cache line
    /// with the `separate` layout), one clock read included. It covers the changes of hands
    /// that happen: a spinning waiter's takeover, or a sleeping lock's hand-off to a waiter
    /// still awake; a waiter that sleeps mostly loses its turn to the re-acquiring releaser,
    /// which shows in `handoff_share` and fairness, not here. With think time the lock may sit
    /// free before anyone asks, and that idle time is in it. Empty with fewer than 20
    /// hand-offs.
    #[serde(default)]
    pub handoff_p50_ns: Option<f64>,
    /// Hand-off latency, p99 (ns); empty with fewer than 1 000 hand-offs (see `wait_p99_ns`).
    /// A waiter preempted when its turn came (a FIFO lock with more threads than CPUs) shows
    /// here, at the scale of a scheduler time slice.
    #[serde(default)]
    pub handoff_p99_ns: Option<f64>,
    /// Lock-holder preemption: timed critical sections whose hold exceeded
    /// `preempted_hold_ns` (the requested length plus half a scheduler tick): the holder was
    /// descheduled, by the OS or by the hypervisor (a vCPU taken away counts too; compare
    /// `steal_ms`), while everyone behind it waited. Exclusive locks timed in ns only (empty
    /// for `null` and in `--steps` mode).
    #[serde(default)]
    pub holder_preempted: Option<u64>,
    /// `holder_preempted` ÷ timed critical sections.
    #[serde(default)]
    pub holder_preempted_share: Option<f64>,
    /// The threshold of `holder_preempted`, ns: `cs_ns` + half the scheduler tick (1 / HZ,
    /// from the coarse clock's resolution).
    #[serde(default)]
    pub preempted_hold_ns: Option<f64>,
}

impl RunRecord {
    /// Records where the point stands after this trial: clean trials so far, their spread,
    /// the median's confidence interval, and whether it has its planned clean trials.
    pub fn set_stability(&mut self, s: &crate::stats::Stability) {
        self.clean_trials = s.clean_trials;
        self.throughput_spread = s.spread;
        self.stable = s.stable;
        self.throughput_ci_lo_ops_s = s.ci.map(|c| c.lo);
        self.throughput_ci_hi_ops_s = s.ci.map(|c| c.hi);
        self.ci_level = s.ci.map(|c| c.level);
    }

    /// The `runs.csv` column names, in order, derived from the struct by serde (so the schema
    /// can never drift from the type).
    pub fn columns() -> Vec<String> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(RunRecord::default())
            .expect("a default record serializes");
        let bytes = w.into_inner().expect("writing to memory cannot fail");
        let text = String::from_utf8(bytes).expect("headers are ASCII");
        text.lines()
            .next()
            .unwrap_or_default()
            .split(',')
            .map(str::to_string)
            .collect()
    }

    /// The point's coordinates on the sweep's axes.
    pub fn setting(&self) -> Setting {
        Setting {
            threads: self.threads,
            cs_ns: self.cs_ns,
            think_ns: self.think_ns,
            read_ratio: self.read_ratio,
            stripes: self.stripes,
            key_skew: self.key_skew,
            placement: self.placement,
        }
    }

    /// The point this row measured, as a key for matching and resuming (trial included).
    pub fn key(&self) -> PointKey {
        PointKey {
            primitive: self.primitive.clone(),
            setting: self.setting(),
            // Older files have no layout column: they used the separate layout.
            layout: if self.layout.is_empty() {
                Layout::Separate.as_str().to_string()
            } else {
                self.layout.clone()
            },
            trial: self.trial,
        }
    }
}

/// Identity of one (point, trial) for resume and comparison.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PointKey {
    /// Primitive name.
    pub primitive: String,
    /// Where the point sits on the axes.
    pub setting: Setting,
    /// Data layout (`separate` for older files).
    pub layout: String,
    /// Trial.
    pub trial: u32,
}

#[cfg(test)]
mod tests {
    use super::machine_name;

    #[test]
    fn machine_names_tell_cpus_apart() {
        assert_eq!(machine_name("vm", "AMD EPYC"), "vm-amd-epyc");
        assert_eq!(
            machine_name("vm", "Intel(R) Xeon(R) Processor"),
            "vm-intel-xeon"
        );
        assert_eq!(
            machine_name("box", "Intel(R) Core(TM) i7-8700K CPU @ 3.70GHz"),
            "box-intel-core-i7-8700k"
        );
        assert_eq!(
            machine_name("lab", "AMD Ryzen 9 7950X 16-Core Processor"),
            "lab-amd-ryzen-9-7950x"
        );
        assert_eq!(machine_name("", ""), "host-unknown-cpu");
    }
}
