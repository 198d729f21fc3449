//! Result files: the round trip, an interrupted sweep's rows, and every reader error.

use lockbench::harness::topology::Placement;
use lockbench::harness::{Env, TrialOutput};
use lockbench::record::{RunRecord, SCHEMA_VERSION};
use lockbench::report::csv::{HISTOGRAMS_CSV, LoadError, RUNS_CSV, RunSink, load_histograms};
use lockbench::report::{decode_histogram, load_runs};
use lockbench::sweep::{Planned, Progress, SweepError, SweepSpec, run_sweep};
use std::cell::Cell;
use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

fn env() -> &'static Env {
    static ENV: std::sync::OnceLock<Env> = std::sync::OnceLock::new();
    ENV.get_or_init(Env::detect)
}

struct Silent;
impl Progress for Silent {
    fn start(&mut self, _: usize, _: usize, _: Duration) {}
    fn done(&mut self, _: &Planned, _: &TrialOutput) {}
    fn finish(&mut self) {}
}

fn tiny_spec() -> SweepSpec {
    SweepSpec {
        locks: vec![
            "spin-ttas".into(),
            "futex-mutex".into(),
            "fetch-add-counter".into(),
        ],
        threads: vec![1, 2],
        cs_ns: vec![50],
        think_ns: vec![0],
        read_ratios: vec![0.0],
        stripes: vec![1],
        key_skews: vec![0.0],
        placements: vec![Placement::Compact],
        duration_ns: 10_000_000,
        warmup_ns: 2_000_000,
        trials: 2,
        sample_every: 1,
        timeout_ns: 10_000_000_000,
    }
}

/// Runs `spec` into `dir`, stopping after `stop_after` runs; returns what was written.
fn sweep_into(
    dir: &Path,
    spec: &SweepSpec,
    stop_after: usize,
    done: &HashSet<lockbench::record::PointKey>,
    existing: u64,
) -> (Vec<RunRecord>, bool) {
    let mut sink = if existing == 0 {
        RunSink::create(dir).unwrap()
    } else {
        RunSink::append(dir, existing).unwrap()
    };
    let mut written = Vec::new();
    let count = Cell::new(0);
    let outcome = run_sweep(
        env(),
        spec,
        done,
        &|| count.get() >= stop_after,
        &mut Silent,
        &mut |out| {
            sink.write(out).map_err(SweepError::from)?;
            written.push(out.record.clone());
            count.set(count.get() + 1);
            Ok(())
        },
    )
    .unwrap();
    (written, outcome.interrupted)
}

#[test]
fn rows_round_trip_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let (written, interrupted) =
        sweep_into(dir.path(), &tiny_spec(), usize::MAX, &HashSet::new(), 0);
    assert!(!interrupted);
    assert_eq!(written.len(), tiny_spec().len());
    let read = load_runs(&dir.path().join(RUNS_CSV)).unwrap();
    assert_eq!(read, written, "runs.csv does not read back equal");
    let hist = load_histograms(&dir.path().join(HISTOGRAMS_CSV)).unwrap();
    assert_eq!(hist.len(), written.len());
    for (i, (h, r)) in hist.iter().zip(&read).enumerate() {
        assert_eq!(h.row, i as u64);
        assert_eq!(
            (h.primitive.as_str(), h.trial),
            (r.primitive.as_str(), r.trial)
        );
        let wait = decode_histogram(&h.wait_hdr_v2_base64).unwrap();
        assert_eq!(wait.len(), r.sampled_ops, "row {i}");
        assert_eq!(wait.max() as f64, r.wait_max_ns, "row {i}");
    }
}

/// A stop between runs keeps every finished row intact, and a resume completes the plan
/// without repeating any run.
#[test]
fn interruption_keeps_finished_rows_and_resume_completes_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let spec = tiny_spec();
    let (first, interrupted) = sweep_into(dir.path(), &spec, 5, &HashSet::new(), 0);
    assert!(interrupted);
    assert_eq!(first.len(), 5);
    let kept = load_runs(&dir.path().join(RUNS_CSV)).unwrap();
    assert_eq!(kept, first);
    let done: HashSet<_> = kept.iter().map(|r| r.key()).collect();
    let (rest, interrupted) = sweep_into(dir.path(), &spec, usize::MAX, &done, kept.len() as u64);
    assert!(!interrupted);
    assert_eq!(rest.len(), spec.len() - 5);
    let all = load_runs(&dir.path().join(RUNS_CSV)).unwrap();
    let keys: HashSet<_> = all.iter().map(|r| r.key()).collect();
    assert_eq!((all.len(), keys.len()), (spec.len(), spec.len()));
    let hist = load_histograms(&dir.path().join(HISTOGRAMS_CSV)).unwrap();
    assert_eq!(
        hist.iter().map(|h| h.row).collect::<Vec<_>>(),
        (0..spec.len() as u64).collect::<Vec<_>>()
    );
}

// ---- reader errors ----

/// A valid file with two rows, made by the writer.
fn valid_csv() -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for trial in 0..2 {
        w.serialize(RunRecord {
            schema_version: SCHEMA_VERSION,
            primitive: "spin-tas".into(),
            trial,
            ..RunRecord::default()
        })
        .unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

fn load_text(text: &[u8]) -> Result<Vec<RunRecord>, LoadError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("runs.csv");
    std::fs::write(&path, text).unwrap();
    load_runs(&path)
}

fn message(text: &[u8]) -> String {
    load_text(text).unwrap_err().to_string()
}

#[test]
fn valid_text_loads() {
    assert_eq!(load_text(valid_csv().as_bytes()).unwrap().len(), 2);
}

#[test]
fn empty_file() {
    assert!(matches!(load_text(b""), Err(LoadError::Empty { .. })));
    assert!(message(b"  \n").contains("empty file"));
}

#[test]
fn not_csv_at_all() {
    let m = message(b"{\"json\": true}\n");
    assert!(m.contains("not a lockbench runs.csv"), "{m}");
    let m = message(&[0x89, b'P', b'N', b'G', 0, 0, 1, 2]);
    assert!(m.contains("binary"), "{m}");
}

#[test]
fn missing_column_is_named() {
    let text = valid_csv().replacen(",wait_p99_ns,", ",wait_p99_renamed,", 1);
    let m = message(text.as_bytes());
    assert!(m.contains("line 1") && m.contains("\"wait_p99_ns\""), "{m}");
}

#[test]
fn unknown_schema_version_names_the_line() {
    let text = valid_csv();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[2] = lines[2].replacen('1', "99", 1);
    let m = message((lines.join("\n") + "\n").as_bytes());
    assert!(
        m.contains("line 3") && m.contains("schema_version 99"),
        "{m}"
    );
}

#[test]
fn non_numeric_value_names_line_and_column() {
    let text = valid_csv();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "throughput_ops_s")
        .unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let mut fields: Vec<String> = lines[1].split(',').map(String::from).collect();
    fields[col] = "fast".into();
    lines[1] = fields.join(",");
    let m = message((lines.join("\n") + "\n").as_bytes());
    assert!(
        m.contains("line 2") && m.contains("\"throughput_ops_s\"") && m.contains("fast"),
        "{m}"
    );
}

#[test]
fn truncated_last_line() {
    let text = valid_csv();
    let cut = &text[..text.len() - 40];
    let m = message(cut.as_bytes());
    assert!(m.contains("line 3") && m.contains("truncated"), "{m}");
}

#[test]
fn errors_name_the_file() {
    let m = load_runs(Path::new("/nonexistent/runs.csv"))
        .unwrap_err()
        .to_string();
    assert!(m.contains("/nonexistent/runs.csv"), "{m}");
}
