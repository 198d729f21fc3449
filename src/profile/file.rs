//! The profile as data: [`report`] gathers every thread's records into [`LockRow`]s, [`write`]
//! puts them in `profile.csv` and `profile.json`, [`read`] loads them back (refusing a file of
//! another kind or schema with a one-line error).

use super::store::{self, Mode, Timed};
use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

/// The version of `profile.csv` / `profile.json` this build writes and reads.
pub const PROFILE_SCHEMA: u32 = 1;
/// The profile's CSV file name.
pub const PROFILE_CSV: &str = "profile.csv";
/// The profile's JSON file name.
pub const PROFILE_JSON: &str = "profile.json";
/// The `site` of a lock's row over all its call sites.
pub const ALL_SITES: &str = "all";

/// One row of `profile.csv`: a lock over all its call sites (`site` = `all`), or one call
/// site of it. Times are ns; percentiles are empty where nothing was sampled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LockRow {
    /// [`PROFILE_SCHEMA`] of the file.
    pub profile_schema: u32,
    /// The lock's name (given, or where it was created).
    pub lock: String,
    /// `mutex` or `rwlock`.
    pub kind: String,
    /// The raw lock's type (`parking_lot::raw_mutex::RawMutex`): the lock used today.
    pub raw: String,
    /// `all`, or where the lock was acquired (`file:line:column`).
    pub site: String,
    /// Lock instances of this name.
    pub instances: u64,
    /// Distinct threads that acquired it over the run (not necessarily at once).
    pub threads: u64,
    /// CPUs the program could run on.
    pub cpus: u64,
    /// Acquisitions (exact).
    pub acquisitions: u64,
    /// Shared (read) acquisitions of an RwLock.
    pub reads: u64,
    /// Exclusive acquisitions (a mutex's are all writes).
    pub writes: u64,
    /// Acquisitions whose fast path failed (the lock was held).
    pub contended: u64,
    /// Exclusive acquisitions whose previous exclusive owner was another thread, contended or
    /// not (an RwLock's readers in between do not count).
    pub handoffs: u64,
    /// Total wait, ns: contended acquisitions × mean sampled wait (each waiter counts).
    pub wait_total_ns: Option<f64>,
    /// Sampled waits.
    pub wait_samples: u64,
    /// Wait percentiles, ns.
    pub wait_p50_ns: Option<u64>,
    /// 90th.
    pub wait_p90_ns: Option<u64>,
    /// 99th.
    pub wait_p99_ns: Option<u64>,
    /// Longest sampled wait.
    pub wait_max_ns: Option<u64>,
    /// Sampled holds.
    pub hold_samples: u64,
    /// Hold percentiles, ns.
    pub hold_p10_ns: Option<u64>,
    /// 50th.
    pub hold_p50_ns: Option<u64>,
    /// 90th.
    pub hold_p90_ns: Option<u64>,
    /// 99th.
    pub hold_p99_ns: Option<u64>,
    /// Longest sampled hold.
    pub hold_max_ns: Option<u64>,
    /// Sampled think times (a thread's release to its next attempt on the same lock).
    pub think_samples: u64,
    /// Think percentiles, ns.
    pub think_p10_ns: Option<u64>,
    /// 50th.
    pub think_p50_ns: Option<u64>,
    /// 90th.
    pub think_p90_ns: Option<u64>,
    /// One acquisition in this many was timed.
    pub sample_every: u32,
}

impl LockRow {
    /// Share of acquisitions that were contended (0–1).
    pub fn contended_share(&self) -> f64 {
        self.contended as f64 / self.acquisitions.max(1) as f64
    }

    /// Share of an RwLock's acquisitions that were reads (0 for a mutex).
    pub fn read_share(&self) -> f64 {
        self.reads as f64 / (self.reads + self.writes).max(1) as f64
    }
}

/// A whole profile: what the program was, and its rows (each lock's `all` row first, then its
/// sites; locks by total wait, most first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// [`PROFILE_SCHEMA`].
    pub profile_schema: u32,
    /// Always `lockbench-profile`: what the file is.
    pub kind: String,
    /// lockbench version that wrote it.
    pub lockbench_version: String,
    /// The program (its first argument).
    pub program: String,
    /// CPUs the program could run on.
    pub cpus: u64,
    /// The rule the rows are sorted by.
    pub order: String,
    /// The rows.
    pub rows: Vec<LockRow>,
}

/// What [`report`] sorts by, as written into the profile.
pub const ORDER: &str = "locks by total wait, most first (each blocked waiter's wait counts, \
     as in Abseil's and Go's mutex profiles); within a lock its all-sites row, then its sites \
     by total wait";

impl Profile {
    /// A lock's row over all its sites.
    pub fn lock(&self, name: &str) -> Option<&LockRow> {
        self.rows
            .iter()
            .find(|r| r.lock == name && r.site == ALL_SITES)
    }

    /// A lock's rows per site.
    pub fn sites<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a LockRow> + 'a {
        self.rows
            .iter()
            .filter(move |r| r.lock == name && r.site != ALL_SITES)
    }

    /// Every lock's all-sites row, in the profile's order.
    pub fn locks(&self) -> impl Iterator<Item = &LockRow> {
        self.rows.iter().filter(|r| r.site == ALL_SITES)
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::units::fmt_ns;
        let opt = |v: Option<u64>| v.map_or("—".to_string(), |v| fmt_ns(v as f64));
        writeln!(
            f,
            "lock profile of {} ({} CPUs; one acquisition in {} timed); {ORDER}",
            self.program,
            self.cpus,
            self.rows.first().map_or(0, |r| r.sample_every)
        )?;
        for r in &self.rows {
            let indent = if r.site == ALL_SITES { "" } else { "  at " };
            let name = if r.site == ALL_SITES {
                format!("{} ({}, {})", r.lock, r.kind, short_type(&r.raw))
            } else {
                r.site.clone()
            };
            writeln!(
                f,
                "{indent}{name}: {} acquisitions by {} threads, {:.1}% contended, wait total {}, \
                 wait p50 {} p99 {}, hold p50 {} p99 {}, think p50 {}",
                r.acquisitions,
                r.threads,
                100.0 * r.contended_share(),
                r.wait_total_ns.map_or("—".to_string(), fmt_ns),
                opt(r.wait_p50_ns),
                opt(r.wait_p99_ns),
                opt(r.hold_p50_ns),
                opt(r.hold_p99_ns),
                opt(r.think_p50_ns),
            )?;
        }
        Ok(())
    }
}

/// `parking_lot::raw_mutex::RawMutex` → `RawMutex`; generic arguments kept.
pub fn short_type(name: &str) -> &str {
    let head = name.split('<').next().unwrap_or(name);
    let start = head.rfind("::").map_or(0, |i| i + 2);
    &name[start..]
}

#[derive(Default)]
struct Acc {
    every: u32,
    instances: BTreeSet<u64>,
    threads: BTreeSet<u64>,
    acquisitions: u64,
    reads: u64,
    writes: u64,
    contended: u64,
    handoffs: u64,
    timed: Option<Timed>,
}

fn merge(into: &mut Histogram<u64>, from: &Histogram<u64>) {
    let _ = into.add(from);
}

impl Acc {
    fn add(&mut self, e: &store::Entry) {
        let (acq, contended) = (
            e.acquisitions.load(Ordering::Relaxed),
            e.contended.load(Ordering::Relaxed),
        );
        self.every = self.every.max(e.every);
        self.instances.insert(e.lock);
        self.threads.insert(e.thread);
        self.acquisitions += acq;
        match e.mode {
            Mode::Shared => self.reads += acq,
            Mode::Exclusive => self.writes += acq,
        }
        self.contended += contended;
        self.handoffs += e.handoffs.load(Ordering::Relaxed);
        let timed = e.timed.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = timed.as_deref() {
            let mine = self.timed.get_or_insert_with(Timed::new);
            merge(&mut mine.wait, &t.wait);
            merge(&mut mine.hold, &t.hold);
            merge(&mut mine.think, &t.think);
        }
    }

    fn row(&self, lock: &store::LockMeta, site: &str, cpus: u64) -> LockRow {
        let q = |h: Option<&Histogram<u64>>, q: f64| {
            h.filter(|h| !h.is_empty()).map(|h| h.value_at_quantile(q))
        };
        let t = self.timed.as_ref();
        let (wait, hold, think) = (t.map(|t| &t.wait), t.map(|t| &t.hold), t.map(|t| &t.think));
        let wait_total_ns = match wait.filter(|h| !h.is_empty()) {
            Some(h) => Some(h.mean() * self.contended as f64),
            None if self.contended == 0 => Some(0.0),
            None => None,
        };
        LockRow {
            profile_schema: PROFILE_SCHEMA,
            lock: lock.name.clone(),
            kind: lock.kind.to_string(),
            raw: lock.raw.to_string(),
            site: site.to_string(),
            instances: self.instances.len() as u64,
            threads: self.threads.len() as u64,
            cpus,
            acquisitions: self.acquisitions,
            reads: self.reads,
            writes: self.writes,
            contended: self.contended,
            handoffs: self.handoffs,
            wait_total_ns,
            wait_samples: wait.map_or(0, |h| h.len()),
            wait_p50_ns: q(wait, 0.5),
            wait_p90_ns: q(wait, 0.9),
            wait_p99_ns: q(wait, 0.99),
            wait_max_ns: wait.filter(|h| !h.is_empty()).map(|h| h.max()),
            hold_samples: hold.map_or(0, |h| h.len()),
            hold_p10_ns: q(hold, 0.1),
            hold_p50_ns: q(hold, 0.5),
            hold_p90_ns: q(hold, 0.9),
            hold_p99_ns: q(hold, 0.99),
            hold_max_ns: hold.filter(|h| !h.is_empty()).map(|h| h.max()),
            think_samples: think.map_or(0, |h| h.len()),
            think_p10_ns: q(think, 0.1),
            think_p50_ns: q(think, 0.5),
            think_p90_ns: q(think, 0.9),
            sample_every: self.every,
        }
    }
}

fn cpus() -> u64 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u64)
}

/// Every profiled lock's figures so far, from every thread (running or exited).
pub fn report() -> Profile {
    let g = store::global();
    let locks: HashMap<u64, store::LockMeta> =
        g.locks.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let stores = g.threads.lock().unwrap_or_else(|e| e.into_inner()).clone();
    type Key = (String, &'static str, &'static str);
    let mut by_lock: BTreeMap<Key, (store::LockMeta, Acc, BTreeMap<String, Acc>)> = BTreeMap::new();
    for s in &stores {
        let entries = s.entries.lock().unwrap_or_else(|e| e.into_inner()).clone();
        for e in entries {
            let Some(meta) = locks.get(&e.lock) else {
                continue;
            };
            let key = (meta.name.clone(), meta.kind, meta.raw);
            let slot = by_lock
                .entry(key)
                .or_insert_with(|| (meta.clone(), Acc::default(), BTreeMap::new()));
            slot.1.add(e);
            slot.2.entry(e.site.to_string()).or_default().add(e);
        }
    }
    let cpus = cpus();
    // Most total wait first, then most contended acquisitions.
    let by_wait = |a: &LockRow, b: &LockRow| {
        let key = |r: &LockRow| (r.wait_total_ns.unwrap_or(0.0), r.contended);
        key(b)
            .partial_cmp(&key(a))
            .unwrap_or(std::cmp::Ordering::Equal)
    };
    let mut groups: Vec<(LockRow, Vec<LockRow>)> = by_lock
        .values()
        .map(|(meta, all, sites)| {
            let mut rows: Vec<LockRow> = sites
                .iter()
                .map(|(site, acc)| acc.row(meta, site, cpus))
                .collect();
            rows.sort_by(by_wait);
            (all.row(meta, ALL_SITES, cpus), rows)
        })
        .collect();
    groups.sort_by(|a, b| by_wait(&a.0, &b.0));
    Profile {
        profile_schema: PROFILE_SCHEMA,
        kind: "lockbench-profile".into(),
        lockbench_version: env!("CARGO_PKG_VERSION").into(),
        program: std::env::args().next().unwrap_or_default(),
        cpus,
        order: ORDER.into(),
        rows: groups
            .into_iter()
            .flat_map(|(all, sites)| std::iter::once(all).chain(sites))
            .collect(),
    }
}

/// Forgets everything recorded so far (e.g. after a warm-up). Call it while no thread takes a
/// profiled lock: a thread counting at the same moment may write its old count back.
pub fn reset() {
    let g = store::global();
    let stores = g.threads.lock().unwrap_or_else(|e| e.into_inner()).clone();
    for s in &stores {
        for e in s.entries.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            e.acquisitions.store(0, Ordering::Relaxed);
            e.contended.store(0, Ordering::Relaxed);
            e.handoffs.store(0, Ordering::Relaxed);
            *e.timed.lock().unwrap_or_else(|e| e.into_inner()) = None;
        }
    }
}

/// A profile that cannot be written or read: one line naming the file and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The file system refused.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// Not a lockbench profile, malformed, or of another schema.
    #[error("{path}: {why}")]
    Refused {
        /// The file.
        path: PathBuf,
        /// Why.
        why: String,
    },
}

/// Writes [`report`] to `dir/profile.csv` and `dir/profile.json` (creating `dir`) and returns
/// the profile.
pub fn write(dir: impl AsRef<Path>) -> Result<Profile, ProfileError> {
    let p = report();
    write_profile(&p, dir.as_ref())?;
    Ok(p)
}

/// Writes `p` to `dir/profile.csv` and `dir/profile.json`.
pub fn write_profile(p: &Profile, dir: &Path) -> Result<(), ProfileError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |error| ProfileError::Io { path, error }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let csv_path = dir.join(PROFILE_CSV);
    let mut w = csv::Writer::from_path(&csv_path).map_err(|e| ProfileError::Refused {
        path: csv_path.clone(),
        why: e.to_string(),
    })?;
    for r in &p.rows {
        w.serialize(r).map_err(|e| ProfileError::Refused {
            path: csv_path.clone(),
            why: e.to_string(),
        })?;
    }
    w.flush().map_err(io(&csv_path))?;
    let json_path = dir.join(PROFILE_JSON);
    let text = serde_json::to_string_pretty(p).expect("a profile serializes");
    std::fs::write(&json_path, text + "\n").map_err(io(&json_path))
}

/// Reads a profile: `profile.csv`, `profile.json`, or a directory holding either. A file of
/// another kind, malformed, or of another [`PROFILE_SCHEMA`] is refused.
pub fn read(path: impl AsRef<Path>) -> Result<Profile, ProfileError> {
    let path = path.as_ref();
    let file = if path.is_dir() {
        [PROFILE_JSON, PROFILE_CSV]
            .iter()
            .map(|n| path.join(n))
            .find(|p| p.exists())
            .ok_or_else(|| ProfileError::Refused {
                path: path.to_path_buf(),
                why: format!("holds neither {PROFILE_JSON} nor {PROFILE_CSV}"),
            })?
    } else {
        path.to_path_buf()
    };
    let text = std::fs::read_to_string(&file).map_err(|error| ProfileError::Io {
        path: file.clone(),
        error,
    })?;
    let refuse = |why: String| ProfileError::Refused {
        path: file.clone(),
        why,
    };
    let schema_of = |found: u64| -> Result<(), ProfileError> {
        if found == PROFILE_SCHEMA as u64 {
            Ok(())
        } else {
            Err(refuse(format!(
                "profile schema {found}; this lockbench reads schema {PROFILE_SCHEMA} (profile the program again with this version)"
            )))
        }
    };
    if text.trim_start().starts_with('{') {
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| refuse(format!("not JSON: {e}")))?;
        let schema = value
            .get("profile_schema")
            .and_then(|v| v.as_u64())
            .ok_or_else(|| refuse("not a lockbench profile (no profile_schema)".into()))?;
        schema_of(schema)?;
        if value.get("kind").and_then(|v| v.as_str()) != Some("lockbench-profile") {
            return Err(refuse(
                "not a lockbench profile (kind is not lockbench-profile)".into(),
            ));
        }
        return serde_json::from_value(value)
            .map_err(|e| refuse(format!("malformed profile: {e}")));
    }
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| refuse(format!("not CSV: {e}")))?
        .clone();
    let Some(col) = headers.iter().position(|h| h == "profile_schema") else {
        return Err(refuse(
            "not a lockbench profile (no profile_schema column)".into(),
        ));
    };
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| refuse(format!("line {line}: {e}")))?;
        let schema: u64 = rec
            .get(col)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| refuse(format!("line {line}: profile_schema is not a number")))?;
        schema_of(schema)?;
        let row: LockRow = rec
            .deserialize(Some(&headers))
            .map_err(|e| refuse(format!("line {line}: {e}")))?;
        rows.push(row);
    }
    let cpus = rows.first().map_or(0, |r| r.cpus);
    Ok(Profile {
        profile_schema: PROFILE_SCHEMA,
        kind: "lockbench-profile".into(),
        lockbench_version: String::new(),
        program: file.display().to_string(),
        cpus,
        order: ORDER.into(),
        rows,
    })
}
