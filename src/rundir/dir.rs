//! A sweep's run directory: created fresh (never overwriting a run), or reopened to resume an
//! interrupted sweep; and the meta.json a new run starts with.

use crate::error::UsageError;
use crate::harness::{Env, Point};
use crate::record::SweepSpec;
use crate::record::{Placement, RunRecord};
use crate::rundir::csv::{HISTOGRAMS_CSV, RUNS_CSV, load_runs};
use crate::rundir::meta::{META_JSON, Meta, read_meta, utc_timestamp};
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Where a command's output goes unless told: `results/<host>-<cpu>/<UTC timestamp>-<kind>`
/// (`-breakeven`, `-claims`, `-advise`).
pub fn default_out(machine: &str, kind: &str) -> PathBuf {
    Path::new("results")
        .join(machine)
        .join(format!("{}-{kind}", utc_timestamp(SystemTime::now(), true)))
}

/// Creates a fresh run directory: `out` if given (it must not already hold a run), else
/// `results/<host>-<cpu>/<timestamp>` (see [`crate::record::machine_name`]) with a numeric suffix if that exists. Never overwrites.
pub fn new_run_dir(out: Option<&Path>, machine: &str) -> Result<PathBuf, UsageError> {
    let dir = match out {
        Some(d) => d.to_path_buf(),
        None => {
            let base = Path::new("results")
                .join(machine)
                .join(utc_timestamp(SystemTime::now(), true));
            let mut dir = base.clone();
            let mut n = 2;
            while dir.exists() {
                dir = PathBuf::from(format!("{}-{n}", base.display()));
                n += 1;
            }
            dir
        }
    };
    if [RUNS_CSV, HISTOGRAMS_CSV, META_JSON]
        .iter()
        .any(|f| dir.join(f).exists())
    {
        return Err(UsageError(format!(
            "{} already holds a run; choose another --out, or continue it with --resume {0}",
            dir.display()
        )));
    }
    std::fs::create_dir_all(&dir).map_err(|e| {
        UsageError(format!(
            "cannot create output directory {}: {e}",
            dir.display()
        ))
    })?;
    // Prove the directory is writable before measuring anything.
    let probe = dir.join(".lockbench-write-test");
    std::fs::write(&probe, b"")
        .map_err(|e| UsageError(format!("cannot write in {}: {e}", dir.display())))?;
    let _ = std::fs::remove_file(probe);
    Ok(dir)
}

/// Cuts a partial last line left by a kill mid-write, so appending continues valid CSV.
fn drop_partial_last_line(path: &Path) -> std::io::Result<bool> {
    let bytes = std::fs::read(path)?;
    if bytes.is_empty() || bytes.ends_with(b"\n") {
        return Ok(false);
    }
    let keep = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    std::fs::write(path, &bytes[..keep])?;
    Ok(true)
}

/// Per-op cost of the harness itself (null primitive, 1 thread), untimed and timed, ns.
fn harness_overhead(env: &Env) -> (f64, f64) {
    let null = crate::registry::baseline();
    let per_op = |sample_every| {
        let point = Point {
            setting: crate::record::Setting {
                threads: 1,
                ..Point::new(null.about.name).setting
            },
            sample_every,
            duration: Duration::from_millis(100),
            warmup: Duration::from_millis(20),
            ..Point::new(null.about.name)
        };
        null.run(env, &point, 0)
            .map(|o| 1e9 / o.record.throughput_ops_s.max(1e-9))
            .unwrap_or(f64::NAN)
    };
    (per_op(0), per_op(1))
}

/// The meta.json of a new run of `spec` on `env`'s machine: calibrations, the harness's own
/// per-op cost, pin orders, the spec and the host probes (which take a few seconds).
pub fn new_meta(env: &Env, spec: &SweepSpec) -> Result<Meta> {
    let (untimed, timed) = harness_overhead(env);
    let pin_orders: BTreeMap<String, Vec<usize>> = [Placement::Compact, Placement::Spread]
        .iter()
        .map(|&p| {
            (
                p.as_str().to_string(),
                env.host.topology.pin_order(p, &env.host.allowed_cpus),
            )
        })
        .collect();
    Ok(Meta {
        run_id: new_run_id(&env.host.info.machine(), SystemTime::now()),
        lockbench_version: env!("CARGO_PKG_VERSION").into(),
        command_line: std::env::args().collect(),
        started_utc: utc_timestamp(SystemTime::now(), false),
        finished_utc: None,
        complete: false,
        rows: 0,
        host: env.host.info.clone(),
        topology: env.host.topology.summary(),
        allowed_cpus: env.host.allowed_cpus.clone(),
        pin_orders,
        busy_units_per_ns: env.busy.units_per_ns(),
        busy_fence_ns: env.busy.fence_ns(),
        busy_floor_ns: env.busy.floor_ns(),
        ns_per_spin_hint: crate::primitives::spin::ns_per_spin_hint(),
        clock_read_ns: env.clock_overhead_ns,
        clock_source: env.clock.source().as_str().into(),
        clock_ticks_per_ns: env.clock.ticks_per_ns(Duration::from_millis(20)),
        harness_ns_per_op_untimed: untimed,
        harness_ns_per_op_timed: timed,
        spec: Some(spec.clone()),
        probes: {
            let p = crate::probes::run_all(&env.clock, &env.busy, &env.host.allowed_cpus, 500);
            Some(p)
        },
        time_use: None,
    })
}

/// A run id unique across machines and time: `<machine>-<UTC time>-<8 hex digits>` (the
/// digits hash the process id and the clock's nanoseconds, so two runs started in the same
/// second on one machine still differ).
pub fn new_run_id(machine: &str, now: SystemTime) -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    h.write_u128(
        now.duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    format!(
        "{machine}-{}-{:08x}",
        utc_timestamp(now, true),
        h.finish() as u32
    )
}

/// An interrupted sweep: its spec, directory, meta and rows so far.
pub type ResumeState = (SweepSpec, PathBuf, Option<Meta>, Vec<RunRecord>);

/// Reads what an interrupted sweep of the registry's primitives left in `dir`.
pub fn resume_state(dir: &Path) -> Result<ResumeState> {
    resume_state_with(dir, &|name| crate::registry::find(name).copied())
}

/// Reads what an interrupted sweep left in `dir`, its primitives named by `lookup` (see
/// [`crate::sweep::session::lookup_with`]).
pub(crate) fn resume_state_with(
    dir: &Path,
    lookup: &dyn Fn(&str) -> Option<crate::registry::Primitive>,
) -> Result<ResumeState> {
    let meta = read_meta(dir).map_err(|e| {
        UsageError(format!(
            "--resume {}: {}",
            dir.display(),
            crate::error::chain(&e)
        ))
    })?;
    let spec: SweepSpec = meta.spec.clone().ok_or_else(|| {
        UsageError(format!(
            "{}: the sweep spec is missing or of a layout this version cannot read",
            dir.join(META_JSON).display()
        ))
    })?;
    if let Some(bad) = spec.locks.iter().find(|l| lookup(l).is_none()) {
        return Err(UsageError(format!(
            "{}: primitive {bad:?} is not known to this lockbench version",
            dir.join(META_JSON).display()
        ))
        .into());
    }
    for name in [RUNS_CSV, HISTOGRAMS_CSV] {
        if drop_partial_last_line(&dir.join(name)).with_context(|| format!("repairing {name}"))? {
            eprintln!(
                "note: dropped a partial last line from {} (a run killed mid-write)",
                dir.join(name).display()
            );
        }
    }
    let rows = load_runs(&dir.join(RUNS_CSV)).map_err(|e| UsageError::from_chain(&e))?;
    let current = crate::rundir::csv::header_is_current(&dir.join(RUNS_CSV))
        .map_err(|e| UsageError::from_chain(&e))?;
    if !current {
        return Err(UsageError(format!(
            "{}: written by an older lockbench with other columns; rows cannot be appended to it (start a new sweep)",
            dir.join(RUNS_CSV).display()
        ))
        .into());
    }
    if let Some(old) = rows
        .iter()
        .find(|r| r.schema_version != crate::record::SCHEMA_VERSION)
    {
        return Err(UsageError(format!(
            "{}: written with schema {} (this lockbench writes {}), whose rows judge a point by another rule; they cannot be continued (start a new sweep)",
            dir.join(RUNS_CSV).display(),
            old.schema_version,
            crate::record::SCHEMA_VERSION
        ))
        .into());
    }
    Ok((spec, dir.to_path_buf(), Some(meta), rows))
}
