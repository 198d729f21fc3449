//! `runs.csv` and `histograms.csv`: written one point at a time (append + flush, so a kill
//! loses at most the point in flight and the file is valid CSV after every flush), and read
//! back with errors that name the file, line and column.

use crate::harness::TrialOutput;
use crate::record::{OLDEST_SCHEMA_VERSION, RunRecord, SCHEMA_VERSION};
use base64::Engine;
use hdrhistogram::Histogram;
use hdrhistogram::serialization::{Deserializer, Serializer, V2Serializer};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// File name of the per-trial rows.
pub const RUNS_CSV: &str = "runs.csv";
/// File name of the histogram sidecar.
pub const HISTOGRAMS_CSV: &str = "histograms.csv";

/// One row of `histograms.csv`, tied to its runs.csv row by (`run_id`, `row`), so files of
/// many runs can be concatenated; the histograms are HdrHistogram V2 (compressed is not used),
/// base64-encoded, values in nanoseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistogramRow {
    /// The run (runs.csv's `run_id`; empty in schema 1 files, whose `row` is the file index).
    #[serde(default)]
    pub run_id: String,
    /// Index of the data row within its run (runs.csv's `row`).
    pub row: u64,
    /// Primitive (repeated for readability).
    pub primitive: String,
    /// Trial (repeated for readability).
    pub trial: u32,
    /// Wait-time histogram.
    pub wait_hdr_v2_base64: String,
    /// Hold-time histogram.
    pub hold_hdr_v2_base64: String,
    /// Hand-off histogram (empty for workloads without hand-offs and in older files).
    #[serde(default)]
    pub handoff_hdr_v2_base64: String,
    /// Operations each thread completed, `;`-separated in thread order (empty in files
    /// written before this column existed).
    #[serde(default)]
    pub per_thread_ops: String,
}

impl HistogramRow {
    /// The per-thread operation counts (empty if not recorded).
    pub fn per_thread_ops(&self) -> Vec<u64> {
        self.per_thread_ops
            .split(';')
            .filter_map(|s| s.trim().parse().ok())
            .collect()
    }
}

/// Encodes a histogram as base64 of its HdrHistogram V2 serialization.
pub fn encode_histogram(h: &Histogram<u64>) -> String {
    let mut bytes = Vec::new();
    V2Serializer::new()
        .serialize(h, &mut bytes)
        .expect("serializing to memory cannot fail");
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes [`encode_histogram`]'s output.
pub fn decode_histogram(text: &str) -> Result<Histogram<u64>, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| format!("not base64: {e}"))?;
    Deserializer::new()
        .deserialize(&mut bytes.as_slice())
        .map_err(|e| format!("not an HdrHistogram V2 payload: {e:?}"))
}

/// Appends trial results to a run directory's CSV files.
pub struct RunSink {
    runs: ::csv::Writer<File>,
    histograms: ::csv::Writer<File>,
    next_row: u64,
    run_id: String,
    dir: PathBuf,
}

/// Why results could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}")]
pub struct WriteError {
    /// The file.
    pub path: PathBuf,
    /// What went wrong (an OS or CSV error).
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

fn write_err(path: &Path, e: impl std::error::Error + Send + Sync + 'static) -> WriteError {
    WriteError {
        path: path.to_path_buf(),
        source: Box::new(e),
    }
}

impl RunSink {
    /// Creates fresh `runs.csv` and `histograms.csv` in `dir` (which must exist) for the run
    /// `run_id`; refuses to touch existing files.
    pub fn create(dir: &Path, run_id: &str) -> Result<RunSink, WriteError> {
        let open = |name: &str| {
            let path = dir.join(name);
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .map_err(|e| write_err(&path, e))
        };
        Ok(RunSink {
            runs: ::csv::Writer::from_writer(open(RUNS_CSV)?),
            histograms: ::csv::Writer::from_writer(open(HISTOGRAMS_CSV)?),
            next_row: 0,
            run_id: run_id.to_string(),
            dir: dir.to_path_buf(),
        })
    }

    /// Opens existing files in `dir` for appending after `existing_rows` data rows of the
    /// run `run_id`.
    pub fn append(dir: &Path, existing_rows: u64, run_id: &str) -> Result<RunSink, WriteError> {
        let open = |name: &str| {
            let path = dir.join(name);
            let file = OpenOptions::new()
                .append(true)
                .open(&path)
                .map_err(|e| write_err(&path, e))?;
            Ok::<_, WriteError>(
                ::csv::WriterBuilder::new()
                    .has_headers(false)
                    .from_writer(file),
            )
        };
        Ok(RunSink {
            runs: open(RUNS_CSV)?,
            histograms: open(HISTOGRAMS_CSV)?,
            next_row: existing_rows,
            run_id: run_id.to_string(),
            dir: dir.to_path_buf(),
        })
    }

    /// Writes one trial's row (stamped with the run id and its row index) and histograms,
    /// and flushes both files. Returns the row as written.
    pub fn write(&mut self, out: &TrialOutput) -> Result<RunRecord, WriteError> {
        let runs_path = self.dir.join(RUNS_CSV);
        let hist_path = self.dir.join(HISTOGRAMS_CSV);
        let record = RunRecord {
            run_id: self.run_id.clone(),
            row: Some(self.next_row),
            ..out.record.clone()
        };
        self.runs
            .serialize(&record)
            .map_err(|e| write_err(&runs_path, e))?;
        self.runs.flush().map_err(|e| write_err(&runs_path, e))?;
        self.histograms
            .serialize(HistogramRow {
                run_id: self.run_id.clone(),
                row: self.next_row,
                primitive: out.record.primitive.clone(),
                trial: out.record.trial,
                wait_hdr_v2_base64: encode_histogram(&out.wait),
                hold_hdr_v2_base64: encode_histogram(&out.hold),
                handoff_hdr_v2_base64: if out.handoff.is_empty() {
                    String::new()
                } else {
                    encode_histogram(&out.handoff)
                },
                per_thread_ops: out
                    .per_thread_ops
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(";"),
            })
            .map_err(|e| write_err(&hist_path, e))?;
        self.histograms
            .flush()
            .map_err(|e| write_err(&hist_path, e))?;
        self.next_row += 1;
        Ok(record)
    }

    /// Rows written so far (including those found when appending).
    pub fn rows(&self) -> u64 {
        self.next_row
    }
}

/// Why a `runs.csv` could not be read. Every variant names the file; row problems name the
/// line (1-based, the header is line 1) and column.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be opened or read.
    #[error("{file}: cannot read")]
    Io {
        /// The file.
        file: PathBuf,
        /// The OS (or CSV reader's) error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Zero bytes, or only whitespace.
    #[error("{file}: empty file (expected a lockbench runs.csv with a header line)")]
    Empty {
        /// The file.
        file: PathBuf,
    },
    /// Binary data, or a header with none of our columns.
    #[error("{file}: not a lockbench runs.csv ({why})")]
    NotRunsCsv {
        /// The file.
        file: PathBuf,
        /// What gave it away.
        why: String,
    },
    /// The header lacks a column this version needs.
    #[error("{file}: line 1: missing column {column:?}")]
    MissingColumn {
        /// The file.
        file: PathBuf,
        /// The column.
        column: String,
    },
    /// A row written by a schema this version does not read.
    #[error(
        "{file}: line {line}: schema_version {found} is not supported (this lockbench reads {oldest} to {expected}); {}",
        if found.trim().parse::<u32>().is_ok_and(|v| v > *expected) {
            "it was written by a newer lockbench: update lockbench to read it"
        } else {
            "re-run the sweep with this lockbench"
        }
    )]
    UnknownSchema {
        /// The file.
        file: PathBuf,
        /// The line.
        line: u64,
        /// What the row says.
        found: String,
        /// The newest version we read.
        expected: u32,
        /// The oldest version we read.
        oldest: u32,
    },
    /// A value that does not parse as its column's type.
    #[error("{file}: line {line}, column {column:?}: {value:?} does not parse")]
    BadValue {
        /// The file.
        file: PathBuf,
        /// The line.
        line: u64,
        /// The column.
        column: String,
        /// The value as written.
        value: String,
        /// The CSV reader's complaint.
        #[source]
        source: ::csv::Error,
    },
    /// A number that is not finite, or negative where nothing can be.
    #[error(
        "{file}: line {line}, column {column:?}: {value:?} is out of range (numbers here are finite and not negative)"
    )]
    OutOfDomain {
        /// The file.
        file: PathBuf,
        /// The line.
        line: u64,
        /// The column.
        column: String,
        /// The value as written.
        value: String,
    },
    /// A row with the wrong number of fields.
    #[error("{file}: line {line}: {found} fields where the header has {expected}")]
    WrongFieldCount {
        /// The file.
        file: PathBuf,
        /// The line.
        line: u64,
        /// Fields found.
        found: u64,
        /// Fields expected.
        expected: u64,
        /// Whether this is the file's last line.
        last: bool,
    },
}

/// Columns added after schema version 1 was published: files without them still load (the
/// value is empty), but a sweep cannot be resumed into such a file.
pub(crate) const OPTIONAL_COLUMNS: [&str; 31] = [
    "checked",
    "latency_ms",
    "latency_ops",
    "discarded_by",
    "sleeps",
    "core_to_core_ns",
    "core_to_core_before_ns",
    "run_id",
    "row",
    "throughput_ci_lo_ops_s",
    "throughput_ci_hi_ops_s",
    "ci_level",
    "sentinel_during",
    "cpu_share",
    "runq_share",
    "degraded_by",
    "clock_source",
    "achieved_cs_ns",
    "wait_net_p50_ns",
    "wait_net_p99_ns",
    "hold_net_p50_ns",
    "layout",
    "cs_steps",
    "think_steps",
    "handoffs",
    "handoff_share",
    "handoff_p50_ns",
    "handoff_p99_ns",
    "holder_preempted",
    "holder_preempted_share",
    "preempted_hold_ns",
];

/// Whether the header line of the runs.csv at `path` is exactly this version's column set
/// (so rows can be appended to it).
pub(crate) fn header_is_current(path: &Path) -> Result<bool, LoadError> {
    let mut reader = ::csv::Reader::from_path(path).map_err(|e| LoadError::Io {
        file: path.to_path_buf(),
        source: Box::new(e),
    })?;
    let headers = reader.headers().map_err(|e| LoadError::NotRunsCsv {
        file: path.to_path_buf(),
        why: e.to_string(),
    })?;
    Ok(headers
        .iter()
        .eq(RunRecord::columns().iter().map(String::as_str)))
}

/// Reads a `runs.csv` (or any CSV with its columns; extra columns are ignored), printing the
/// warnings of [`load_runs_noting`] to stderr.
pub fn load_runs(path: &Path) -> Result<Vec<RunRecord>, LoadError> {
    let (rows, warnings) = load_runs_noting(path)?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    Ok(rows)
}

/// The bytes of a CSV file up to its last line end, and a warning naming the incomplete last
/// line dropped after it, if any: what a writer killed mid-row leaves (every row it writes
/// ends with a line end). A file whose only line is unfinished is kept whole (its header).
fn complete_lines(file: &Path, bytes: Vec<u8>) -> (Vec<u8>, Option<String>) {
    if bytes.ends_with(b"\n") {
        return (bytes, None);
    }
    match bytes.iter().rposition(|&b| b == b'\n') {
        Some(end) if bytes[end + 1..].iter().any(|b| !b.is_ascii_whitespace()) => {
            let line = bytes[..=end].iter().filter(|&&b| b == b'\n').count() + 1;
            let warning = format!(
                "{}: line {line}: incomplete last line (no line end: a writer stopped mid-row?), dropped",
                file.display()
            );
            let mut kept = bytes;
            kept.truncate(end + 1);
            (kept, Some(warning))
        }
        _ => (bytes, None),
    }
}

/// The first value of `row` outside its column's domain: every number finite and not
/// negative (throughputs, latencies, counts, shares, ratios). `raw` is the row as read, for
/// values that do not survive as numbers (NaN, infinities).
fn out_of_domain(
    row: &RunRecord,
    headers: &::csv::StringRecord,
    raw: &::csv::StringRecord,
) -> Option<(String, String)> {
    let serde_json::Value::Object(fields) = serde_json::to_value(row).ok()? else {
        return None;
    };
    let raw_of = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .and_then(|i| raw.get(i))
            .unwrap_or("")
            .to_string()
    };
    for (name, value) in fields {
        match value {
            serde_json::Value::Number(n) if n.as_f64().is_some_and(|x| x < 0.0) => {
                let raw = raw_of(&name);
                return Some((name, raw));
            }
            // serde_json writes a non-finite f64 as null; an empty CSV value is a `None`.
            serde_json::Value::Null if !raw_of(&name).trim().is_empty() => {
                let raw = raw_of(&name);
                return Some((name, raw));
            }
            _ => {}
        }
    }
    None
}

/// [`load_runs`] returning its warnings instead of printing them: an incomplete last line (a
/// killed writer's) is dropped with a warning; any other defect is an error naming the file,
/// line and column: a row with another field count than the header, a value that does not
/// parse, a number that is not finite or is negative.
pub fn load_runs_noting(path: &Path) -> Result<(Vec<RunRecord>, Vec<String>), LoadError> {
    let file = path.to_path_buf();
    let bytes = std::fs::read(path).map_err(|e| LoadError::Io {
        file: file.clone(),
        source: Box::new(e),
    })?;
    let (bytes, dropped) = complete_lines(path, bytes);
    let warnings: Vec<String> = dropped.into_iter().collect();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(LoadError::Empty { file });
    }
    if bytes.contains(&0) || std::str::from_utf8(&bytes).is_err() {
        return Err(LoadError::NotRunsCsv {
            file,
            why: "binary data".into(),
        });
    }
    let mut reader = ::csv::ReaderBuilder::new().from_reader(bytes.as_slice());
    let headers = reader
        .headers()
        .map_err(|e| LoadError::NotRunsCsv {
            file: file.clone(),
            why: e.to_string(),
        })?
        .clone();
    let header_names: Vec<&str> = headers.iter().collect();
    let expected = RunRecord::columns();
    if !header_names.contains(&"schema_version") {
        return Err(LoadError::NotRunsCsv {
            file,
            why: format!(
                "no schema_version column; header starts {:?}",
                header_names.first().copied().unwrap_or("")
            ),
        });
    }
    if let Some(missing) = expected
        .iter()
        .filter(|c| !OPTIONAL_COLUMNS.contains(&c.as_str()))
        .find(|c| !header_names.contains(&c.as_str()))
    {
        return Err(LoadError::MissingColumn {
            file,
            column: missing.clone(),
        });
    }
    let version_at = header_names
        .iter()
        .position(|h| *h == "schema_version")
        .unwrap_or(0);
    let total_lines =
        bytes.iter().filter(|&&b| b == b'\n').count() as u64 + u64::from(!bytes.ends_with(b"\n"));
    let mut out = Vec::new();
    for result in reader.records() {
        let record = result.map_err(|e| match e.kind() {
            ::csv::ErrorKind::UnequalLengths {
                pos,
                expected_len,
                len,
            } => {
                let line = pos.as_ref().map_or(0, |p| p.line());
                LoadError::WrongFieldCount {
                    file: file.clone(),
                    line,
                    found: *len,
                    expected: *expected_len,
                    last: line >= total_lines,
                }
            }
            _ => LoadError::NotRunsCsv {
                file: file.clone(),
                why: e.to_string(),
            },
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let version = record.get(version_at).unwrap_or("");
        if !version
            .trim()
            .parse::<u32>()
            .is_ok_and(|v| (OLDEST_SCHEMA_VERSION..=SCHEMA_VERSION).contains(&v))
        {
            return Err(LoadError::UnknownSchema {
                file,
                line,
                found: version.to_string(),
                expected: SCHEMA_VERSION,
                oldest: OLDEST_SCHEMA_VERSION,
            });
        }
        let row: RunRecord = record.deserialize(Some(&headers)).map_err(|e| {
            let field = match e.kind() {
                ::csv::ErrorKind::Deserialize { err, .. } => err.field(),
                _ => None,
            };
            let at = |i: u64| (headers.get(i as usize), record.get(i as usize));
            let (column, value) = field.map(at).unwrap_or((None, None));
            LoadError::BadValue {
                file: file.clone(),
                line,
                column: column.unwrap_or("?").to_string(),
                value: value.unwrap_or("").to_string(),
                source: e,
            }
        })?;
        if let Some((column, value)) = out_of_domain(&row, &headers, &record) {
            return Err(LoadError::OutOfDomain {
                file,
                line,
                column,
                value,
            });
        }
        out.push(row);
    }
    if !header_names.contains(&"checked") {
        declared_by_registry(&mut out);
    }
    name_legacy_runs(&mut out, path);
    Ok((out, warnings))
}

/// Files written before rows said what their primitive declared (schema ≤ 2) get this
/// build's registry's answer: `checked` and `sleeps` of the primitive of that name, or not
/// checked (never a leader) for a name the registry does not know.
fn declared_by_registry(rows: &mut [RunRecord]) {
    for r in rows {
        let about = crate::registry::find(&r.primitive).map(|p| p.about);
        r.checked = about.is_some_and(|a| a.checked);
        r.sleeps = about.is_some_and(|a| a.waits == crate::registry::Waiting::Sleeps);
    }
}

/// Schema 1 rows have no run id or row index: each file is one run, named after its
/// directory (with its parent when that is a suite's `sweep` or `breakeven` folder, whose
/// parent is the timestamp), and its rows are numbered in file order (as its histograms.csv
/// was). A concatenation of schema 1 files cannot be told apart and is read as one run.
fn name_legacy_runs(rows: &mut [RunRecord], path: &Path) {
    fn name(p: Option<&Path>) -> Option<String> {
        p.and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
    }
    let dir = path.parent();
    let mut id = name(dir).unwrap_or_else(|| "run".to_string());
    if id == "sweep" || id == "breakeven" {
        if let Some(parent) = name(dir.and_then(Path::parent)) {
            id = format!("{parent}-{id}");
        }
    }
    for (i, r) in rows.iter_mut().enumerate() {
        if r.run_id.is_empty() {
            r.run_id = format!("schema1-{}-{id}", r.host_id);
        }
        if r.row.is_none() {
            r.row = Some(i as u64);
        }
    }
}

/// Reads a `histograms.csv`; an incomplete last line (a killed writer's) is dropped with a
/// warning on stderr, as in [`load_runs`].
pub fn load_histograms(path: &Path) -> Result<Vec<HistogramRow>, LoadError> {
    let file = path.to_path_buf();
    let bytes = std::fs::read(path).map_err(|e| LoadError::Io {
        file: file.clone(),
        source: Box::new(e),
    })?;
    let (bytes, dropped) = complete_lines(path, bytes);
    if let Some(w) = dropped {
        eprintln!("warning: {w}");
    }
    let mut reader = ::csv::Reader::from_reader(bytes.as_slice());
    reader
        .deserialize()
        .map(|r| {
            r.map_err(|e: ::csv::Error| LoadError::NotRunsCsv {
                file: file.clone(),
                why: e.to_string(),
            })
        })
        .collect()
}

/// Flushes and syncs a file to disk (used after the last row of a sweep).
pub fn sync(path: &Path) -> std::io::Result<()> {
    File::open(path)?.sync_all()?;
    let _ = std::io::stdout().flush();
    Ok(())
}
