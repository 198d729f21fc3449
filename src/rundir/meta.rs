//! `meta.json`: what is too bulky for a CSV row — command line, calibrations, harness and
//! clock overhead, pin orders, the sweep's spec (for `--resume`), and later the host probes.

use crate::probes::Probes;
use crate::record::{HostInfo, SweepSpec};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// File name of the run metadata.
pub const META_JSON: &str = "meta.json";

/// Everything about a run that is not per row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// The run's id, also on every row of runs.csv and histograms.csv (empty in files
    /// written before it existed).
    #[serde(default)]
    pub run_id: String,
    /// lockbench version that wrote the run.
    pub lockbench_version: String,
    /// The command line, argument by argument.
    pub command_line: Vec<String>,
    /// When the run started (UTC, ISO 8601).
    pub started_utc: String,
    /// When it last finished (UTC), if it did.
    pub finished_utc: Option<String>,
    /// Every planned point was measured.
    pub complete: bool,
    /// Rows in runs.csv.
    pub rows: u64,
    /// Host fingerprint (as on every row).
    pub host: HostInfo,
    /// Topology summary line.
    pub topology: String,
    /// CPUs the process could use, read before pinning.
    pub allowed_cpus: Vec<usize>,
    /// The CPU order used for each placement.
    pub pin_orders: BTreeMap<String, Vec<usize>>,
    /// Busy-work calibration, chain steps per ns.
    pub busy_units_per_ns: f64,
    /// Measured cost of the fence in front of every piece of busy work, ns (subtracted from
    /// every requested critical section and think time). 0 in older files.
    #[serde(default)]
    pub busy_fence_ns: f64,
    /// The shortest critical section or think time the busy work can add here, ns (the fence
    /// rounded up): shorter nonzero lengths are refused. 0 in older files.
    #[serde(default)]
    pub busy_floor_ns: u64,
    /// Measured latency of one spin-loop hint, ns.
    pub ns_per_spin_hint: f64,
    /// Median cost of one clock read, ns.
    pub clock_read_ns: f64,
    /// Timestamp source: `tsc` (invariant TSC) or `os-monotonic` (fallback). Empty in
    /// files written before it was recorded.
    #[serde(default)]
    pub clock_source: String,
    /// Counter ticks per ns (the TSC's frequency in GHz); 0 if not recorded.
    #[serde(default)]
    pub clock_ticks_per_ns: f64,
    /// Harness cost per op without per-op timing (null primitive, 1 thread), ns.
    pub harness_ns_per_op_untimed: f64,
    /// Harness cost per op with every op timed, ns.
    pub harness_ns_per_op_timed: f64,
    /// The sweep specification, as the sweep serialized it.
    /// `None` if the file's spec is of a layout this version cannot read (then the run cannot
    /// be resumed, but it still loads).
    #[serde(default, deserialize_with = "lenient")]
    pub spec: Option<SweepSpec>,
    /// Host probes (sleep/wake cost, core-to-core latency …), when measured. A file whose
    /// probes this version cannot read (an older layout) loads with `None` here rather than
    /// failing: the rows are what matter.
    #[serde(default, deserialize_with = "lenient")]
    pub probes: Option<Probes>,
    /// Where the sweep's wall clock went (absent in older files and while it runs).
    #[serde(default, deserialize_with = "lenient")]
    pub time_use: Option<TimeUse>,
}

/// Where a sweep's wall clock went, in seconds: the measured windows (what the rows report)
/// and every overhead around them. `other_s` is the rest (writing rows, progress, gaps).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct TimeUse {
    /// From the start of the sweep (host detection and calibration included) to its end.
    pub wall_s: f64,
    /// Host detection, start-up calibration, harness-cost and host probes.
    pub setup_s: f64,
    /// Kept trials' throughput windows: the ops, CPU time and fairness the rows report
    /// (including trials a point later leaves out for their cache layout).
    pub measured_s: f64,
    /// Kept trials' latency windows: the wait, hold and hand-off histograms.
    pub latency_s: f64,
    /// Kept trials' warm-ups.
    pub warmup_s: f64,
    /// The rest of kept trials: thread start, pinning, accounting reads, join, the row.
    pub trial_rest_s: f64,
    /// Parallelism-sentinel readings (before, after, retries' readings).
    pub sentinel_s: f64,
    /// Sentinel readings taken over from the trial before (after it, on the same CPUs).
    pub sentinel_reused: u64,
    /// Busy-work calibrations made for trials.
    pub calibration_s: f64,
    /// How many.
    pub calibrations: u64,
    /// Attempts found disturbed and measured again: their whole time.
    pub retries_s: f64,
    /// Pauses before those retries.
    pub pauses_s: f64,
    /// Everything else: writing rows and histograms, progress, gaps.
    pub other_s: f64,
}

impl TimeUse {
    /// Both accounts together (a resumed sweep's invocations).
    pub fn plus(&self, o: &TimeUse) -> TimeUse {
        TimeUse {
            wall_s: self.wall_s + o.wall_s,
            setup_s: self.setup_s + o.setup_s,
            measured_s: self.measured_s + o.measured_s,
            latency_s: self.latency_s + o.latency_s,
            warmup_s: self.warmup_s + o.warmup_s,
            trial_rest_s: self.trial_rest_s + o.trial_rest_s,
            sentinel_s: self.sentinel_s + o.sentinel_s,
            sentinel_reused: self.sentinel_reused + o.sentinel_reused,
            calibration_s: self.calibration_s + o.calibration_s,
            calibrations: self.calibrations + o.calibrations,
            retries_s: self.retries_s + o.retries_s,
            pauses_s: self.pauses_s + o.pauses_s,
            other_s: self.other_s + o.other_s,
        }
    }

    /// Measured windows (throughput and latency) ÷ wall: the share of the wall clock spent
    /// measuring what the rows report.
    pub fn duty(&self) -> f64 {
        if self.wall_s > 0.0 {
            (self.measured_s + self.latency_s) / self.wall_s
        } else {
            0.0
        }
    }

    /// One line: the wall, the duty cycle and where the rest went.
    pub fn line(&self) -> String {
        format!(
            "wall {:.0} s, duty {:.2} (measuring {:.0} s: throughput windows {:.0} s, latency windows {:.0} s); \
             setup {:.1} s, warm-ups {:.1} s, sentinel {:.1} s ({} readings reused), calibration {:.1} s ({}), \
             threads and rows {:.1} s, retries {:.1} s, pauses {:.1} s, other {:.1} s",
            self.wall_s,
            self.duty(),
            self.measured_s + self.latency_s,
            self.measured_s,
            self.latency_s,
            self.setup_s,
            self.warmup_s,
            self.sentinel_s,
            self.sentinel_reused,
            self.calibration_s,
            self.calibrations,
            self.trial_rest_s,
            self.retries_s,
            self.pauses_s,
            self.other_s,
        )
    }
}

/// `Some(T)` when the value reads as a `T`; `None` when it is absent, null or of another shape.
fn lenient<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

/// Why `meta.json` could not be read or written; the cause is the error's source.
#[derive(Debug, thiserror::Error)]
pub enum MetaError {
    /// The file could not be read, written or renamed into place.
    #[error("{path}: cannot {action}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// `read`, `write` or `rename`.
        action: &'static str,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The text is not a meta.json this version reads (or the value could not be encoded).
    #[error("{path}: not a lockbench meta.json")]
    Json {
        /// The file.
        path: std::path::PathBuf,
        /// The parser's complaint.
        #[source]
        source: serde_json::Error,
    },
}

/// Writes `meta.json` in `dir` atomically (temporary file, then rename).
pub fn write_meta(dir: &Path, meta: &Meta) -> Result<(), MetaError> {
    let path = dir.join(META_JSON);
    let tmp = dir.join(".meta.json.tmp");
    let io = |action, source| MetaError::Io {
        path: path.clone(),
        action,
        source,
    };
    let text = serde_json::to_string_pretty(meta).map_err(|source| MetaError::Json {
        path: path.clone(),
        source,
    })?;
    std::fs::write(&tmp, text + "\n").map_err(|e| io("write", e))?;
    std::fs::rename(&tmp, &path).map_err(|e| io("rename", e))
}

/// Reads `meta.json` from `dir`.
pub fn read_meta(dir: &Path) -> Result<Meta, MetaError> {
    let path = dir.join(META_JSON);
    let text = std::fs::read_to_string(&path).map_err(|source| MetaError::Io {
        path: path.clone(),
        action: "read",
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| MetaError::Json { path, source })
}

/// A UTC timestamp, `2026-11-27T20:07:17Z` (`compact` drops the separators for paths:
/// `20261127T200717Z`).
pub(crate) fn utc_timestamp(time: std::time::SystemTime, compact: bool) -> String {
    // Times before 1970 (a clock set wrong) read as the epoch.
    let time = time.max(std::time::UNIX_EPOCH);
    let text = humantime::format_rfc3339_seconds(time).to_string();
    if compact {
        text.replace(['-', ':'], "")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn timestamps() {
        assert_eq!(utc_timestamp(UNIX_EPOCH, false), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_795_810_037);
        assert_eq!(utc_timestamp(t, false), "2026-11-27T20:07:17Z");
        assert_eq!(utc_timestamp(t, true), "20261127T200717Z");
        // A leap day.
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(utc_timestamp(leap, false), "2000-02-29T00:00:00Z");
    }
}
