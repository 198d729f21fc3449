//! Result files: the round trip, an interrupted sweep's rows, and every reader error.

use lockbench::harness::sentinel::{Parallelism, Reading, Sentinel};
use lockbench::harness::{Env, TrialOutput};
use lockbench::record::{RunRecord, SCHEMA_VERSION};
use lockbench::rundir::csv::{HISTOGRAMS_CSV, LoadError, RUNS_CSV, RunSink, load_histograms};
use lockbench::rundir::{decode_histogram, load_runs};
use lockbench::sweep::{Outlook, Planned, Progress, SweepError, SweepSpec, run_sweep};
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
    fn start(&mut self, _: &Outlook) {}
    fn extend(&mut self, _: usize) {}
    fn done(&mut self, _: &Planned, _: Duration, _: &TrialOutput) {}
    fn finish(&mut self) {}
}

/// A sentinel that always reads `self.0` (healthy 1.0, or a degraded host), with every CPU
/// at the calibrated speed.
struct FixedSentinel(f64);
impl Sentinel for FixedSentinel {
    fn read(&mut self, _: &[usize]) -> Reading {
        let speed = env().busy.units_per_ns();
        Reading {
            parallel: self.0,
            single_units_per_ns: speed,
            slowest_units_per_ns: speed,
            fastest_units_per_ns: speed,
            cpus: 2,
            core_to_core_ns: None,
        }
    }
}

fn tiny_spec() -> SweepSpec {
    SweepSpec {
        threads: vec![1, 2],
        cs_ns: vec![50],
        sample_every: 1,
        sentinel: false,
        sentinel_retries: 0,
        ..SweepSpec::new(
            vec![
                "spin-ttas".into(),
                "futex-mutex".into(),
                "fetch-add-counter".into(),
            ],
            10_000_000,
            2_000_000,
            2,
        )
    }
}

/// Runs `spec` into `dir` with a healthy sentinel, stopping after `stop_after` runs.
fn sweep_into(
    dir: &Path,
    spec: &SweepSpec,
    stop_after: usize,
    prior: &[RunRecord],
    existing: u64,
) -> (Vec<RunRecord>, bool) {
    sweep_with(
        dir,
        spec,
        stop_after,
        prior,
        existing,
        &mut FixedSentinel(1.0),
        "test-run",
    )
}

/// Runs `spec` into `dir`, stopping after `stop_after` runs; returns what was written.
fn sweep_with(
    dir: &Path,
    spec: &SweepSpec,
    stop_after: usize,
    prior: &[RunRecord],
    existing: u64,
    sentinel: &mut dyn Sentinel,
    run_id: &str,
) -> (Vec<RunRecord>, bool) {
    let mut sink = if existing == 0 {
        RunSink::create(dir, run_id).unwrap()
    } else {
        RunSink::append(dir, existing, run_id).unwrap()
    };
    let mut written = Vec::new();
    let count = Cell::new(0);
    let outcome = run_sweep(
        env(),
        spec,
        &|name| lockbench::registry::find(name).copied(),
        prior,
        &|| count.get() >= stop_after,
        sentinel,
        &mut Silent,
        &mut |out| {
            written.push(sink.write(out).map_err(SweepError::from)?);
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
    let (written, interrupted) = sweep_into(dir.path(), &tiny_spec(), usize::MAX, &[], 0);
    assert!(!interrupted);
    assert_eq!(written.len(), tiny_spec().len());
    let read = load_runs(&dir.path().join(RUNS_CSV)).unwrap();
    assert_eq!(read, written, "runs.csv does not read back equal");
    let hist = load_histograms(&dir.path().join(HISTOGRAMS_CSV)).unwrap();
    assert_eq!(hist.len(), written.len());
    for (i, (h, r)) in hist.iter().zip(&read).enumerate() {
        assert_eq!((h.run_id.as_str(), Some(h.row)), ("test-run", r.row));
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
    let (first, interrupted) = sweep_into(dir.path(), &spec, 5, &[], 0);
    assert!(interrupted);
    assert_eq!(first.len(), 5);
    let kept = load_runs(&dir.path().join(RUNS_CSV)).unwrap();
    assert_eq!(kept, first);
    let (rest, interrupted) = sweep_into(dir.path(), &spec, usize::MAX, &kept, kept.len() as u64);
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

/// Sweep rows carry the sentinel readings, and a host that never gives a clean window yields
/// rows that are kept but flagged degraded (after the retry budget).
#[test]
fn sweep_rows_carry_sentinel_columns_and_flags() {
    let spec = SweepSpec {
        sentinel: true,
        sentinel_retries: 1,
        trials: 1,
        max_trials: 1,
        ..tiny_spec()
    };
    let dir = tempfile::tempdir().unwrap();
    let (rows, _) = sweep_with(
        dir.path(),
        &spec,
        usize::MAX,
        &[],
        0,
        &mut FixedSentinel(1.0),
        "test-run",
    );
    for r in &rows {
        assert_eq!(
            (r.sentinel_before, r.sentinel_after),
            (Some(1.0), Some(1.0))
        );
        assert_eq!(r.single_core_units_per_ns, Some(env().busy.units_per_ns()));
        assert!(r.steal_ms >= 0.0);
        // A healthy sentinel raises nothing; the trial's own data (CPU share, run-queue
        // delay) may still find this busy test process disturbed, and then says so.
        assert!(
            !r.degraded_by.contains("sentinel") && !r.degraded_by.contains("slow-cpu"),
            "{}",
            r.degraded_by
        );
        assert_eq!(r.degraded, !r.degraded_by.is_empty());
        assert!(
            r.cpu_share.is_some(),
            "{}: CPU share not measured",
            r.primitive
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let (rows, _) = sweep_with(
        dir.path(),
        &spec,
        usize::MAX,
        &[],
        0,
        &mut FixedSentinel(0.5),
        "test-run",
    );
    assert!(!rows.is_empty());
    for r in &rows {
        assert!(r.degraded, "{} not flagged", r.primitive);
        assert!(r.degraded_by.contains("sentinel-low"), "{}", r.degraded_by);
        assert_eq!(r.attempts, 2, "one retry, then kept");
        assert_eq!(
            (r.clean_trials, r.stable),
            (0, false),
            "degraded trials are not clean"
        );
    }
    // And they survive the round trip.
    assert_eq!(load_runs(&dir.path().join(RUNS_CSV)).unwrap(), rows);
}

/// Whether the machine has two CPUs to read a distance between (the tests that need one say
/// when they skip).
fn has_a_cpu_pair() -> bool {
    let two = env().host.usable_cpus() >= 2;
    if !two {
        eprintln!("skipped: one CPU has no pair to read a distance between");
    }
    two
}

/// The real sentinel reads the cache-line distance between a trial's first two CPUs before
/// and after it (a real transfer costs at least a few ns; one CPU has no pair).
#[test]
fn sweep_rows_carry_core_to_core_distances() {
    if !has_a_cpu_pair() {
        return;
    }
    let spec = SweepSpec {
        sentinel: true,
        sentinel_retries: 0,
        trials: 1,
        max_trials: 1,
        locks: vec!["spin-ttas".into()],
        ..tiny_spec()
    };
    let dir = tempfile::tempdir().unwrap();
    let mut sentinel = Parallelism::new(env().host.allowed_cpus.clone(), Duration::from_millis(2))
        .with_distances(env().clock.clone());
    let (rows, _) = sweep_with(
        dir.path(),
        &spec,
        usize::MAX,
        &[],
        0,
        &mut sentinel,
        "test-run",
    );
    assert_eq!(rows.len(), 2);
    let plausible = |ns: Option<f64>| ns.is_some_and(|ns| ns > 1.0 && ns < 100_000.0);
    for r in &rows {
        match r.threads {
            1 => assert_eq!((r.core_to_core_before_ns, r.core_to_core_ns), (None, None)),
            _ => assert!(
                plausible(r.core_to_core_before_ns) && plausible(r.core_to_core_ns),
                "{:?} {:?}",
                r.core_to_core_before_ns,
                r.core_to_core_ns
            ),
        }
    }
}

/// Reads full parallel speed always; the distance between two CPUs is `near` until the
/// read numbered `moved_at` (0-based), and `far` from it on: the host moved a vCPU for good.
/// A sweep reads before its first trial and after each (the reading after one trial is the
/// one before the next), so read k is trial k's "before" and trial k − 1's "after".
struct MovingSentinel {
    near: f64,
    far: f64,
    moved_at: usize,
    reads: usize,
}
impl Sentinel for MovingSentinel {
    fn read(&mut self, cpus: &[usize]) -> Reading {
        let mut r = FixedSentinel(1.0).read(cpus);
        if cpus.len() >= 2 {
            let far = self.reads >= self.moved_at;
            r.core_to_core_ns = Some(if far { self.far } else { self.near });
            self.reads += 1;
        }
        r
    }
}

/// A trial during which the host moved a vCPU (its readings before and after on two
/// distance levels), and the trials before the move once most ran after it, are left out of
/// the point's value, by the sweep's replacement (it runs trials in their place, on the new
/// layout) and by every table and chart (`Trials::clean`) alike; that holds when the moved
/// trial came first, too.
#[test]
fn a_trial_on_moved_cpus_is_left_out_and_replaced() {
    if !has_a_cpu_pair() {
        return;
    }
    let spec = SweepSpec {
        sentinel: true,
        sentinel_retries: 0,
        trials: 3,
        threads: vec![2],
        locks: vec!["spin-ttas".into()],
        ..tiny_spec()
    };
    // Moved during trial 0: it is left out, one trial replaces it. Moved during trial 1:
    // trial 0 (the old layout) and trial 1 are left out, two trials replace them.
    for (moved_at, off) in [(1, vec![0]), (2, vec![0, 1])] {
        let mut sentinel = MovingSentinel {
            near: 27.0,
            far: 95.0,
            moved_at,
            reads: 0,
        };
        // Room for exactly the replacements (a trial this busy test process disturbed would
        // otherwise add one).
        let spec = SweepSpec {
            max_trials: 3 + off.len() as u32,
            ..spec.clone()
        };
        let dir = tempfile::tempdir().unwrap();
        let (rows, _) = sweep_with(
            dir.path(),
            &spec,
            usize::MAX,
            &[],
            0,
            &mut sentinel,
            "test-run",
        );
        assert_eq!(rows.len(), 3 + off.len(), "replacements for {off:?}");
        let moved = off.last().copied().unwrap();
        assert_eq!(
            (
                rows[moved].core_to_core_before_ns,
                rows[moved].core_to_core_ns
            ),
            (Some(27.0), Some(95.0)),
            "trial {moved} straddles the move"
        );
        let points = lockbench::analysis::aggregate::points(&rows);
        assert_eq!(points.len(), 1);
        let on = points[0].on_layout();
        let left_out: Vec<usize> = (0..on.len()).filter(|&i| !on[i]).collect();
        assert_eq!(left_out, off, "left out");
        // The sweep's own count agrees with the tables' (the busy test process may have
        // degraded a trial for its own reasons; the moved ones never count).
        let clean = points[0].clean().count() as u32;
        assert_eq!(rows.last().unwrap().clean_trials, clean);
        assert!(clean <= 3);
        assert!(
            points[0]
                .clean()
                .all(|r| !off.contains(&(r.trial as usize)))
        );
    }
}

/// The stopping rule: a point gets the clean trials its plan asks for (at least 3) and no
/// more, however wide its interval; a trial is added only where one is missing. The rows
/// record the count, spread, interval and verdict.
#[test]
fn trials_are_added_only_where_clean_ones_are_missing() {
    let dir = tempfile::tempdir().unwrap();
    let planned = SweepSpec {
        trials: 3,
        max_trials: 5,
        ..tiny_spec()
    };
    let (rows, _) = sweep_into(dir.path(), &planned, usize::MAX, &[], 0);
    // Without a sentinel nothing is degraded or moved: no replacements, whatever the spread.
    assert_eq!(
        rows.len(),
        planned.len(),
        "no extra trials when none is missing"
    );
    assert!(rows.iter().filter(|r| r.trial == 2).all(|r| {
        r.stable
            && r.clean_trials == 3
            && r.ci_level == Some(0.75)
            && r.throughput_ci_lo_ops_s <= Some(r.throughput_ops_s)
    }));
    assert!(rows.iter().filter(|r| r.trial == 1).all(|r| !r.stable));
    // Two planned trials are never enough: every point gets a third, and only that.
    let dir = tempfile::tempdir().unwrap();
    let two = SweepSpec {
        trials: 2,
        max_trials: 4,
        ..tiny_spec()
    };
    let (rows, _) = sweep_into(dir.path(), &two, usize::MAX, &[], 0);
    assert_eq!(rows.len(), two.len() / 2 * 3, "one extra trial a point");
    assert!(
        rows.iter()
            .filter(|r| r.trial == 2)
            .all(|r| r.clean_trials == 3 && r.stable && r.throughput_spread >= 0.0)
    );
}

/// Runs of different machines concatenate: every row still finds its own histograms by
/// (run id, row), though row indices repeat across the runs.
#[test]
fn concatenated_runs_keep_rows_and_histograms_paired() {
    let spec = SweepSpec {
        trials: 1,
        max_trials: 1,
        ..tiny_spec()
    };
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    sweep_with(
        a.path(),
        &spec,
        usize::MAX,
        &[],
        0,
        &mut FixedSentinel(1.0),
        "run-a",
    );
    sweep_with(
        b.path(),
        &spec,
        usize::MAX,
        &[],
        0,
        &mut FixedSentinel(1.0),
        "run-b",
    );
    let joined = tempfile::tempdir().unwrap();
    for name in [RUNS_CSV, HISTOGRAMS_CSV] {
        let first = std::fs::read_to_string(a.path().join(name)).unwrap();
        let second = std::fs::read_to_string(b.path().join(name)).unwrap();
        let body: String = second.lines().skip(1).map(|l| format!("{l}\n")).collect();
        std::fs::write(joined.path().join(name), first + &body).unwrap();
    }
    let rows = load_runs(&joined.path().join(RUNS_CSV)).unwrap();
    let hist = load_histograms(&joined.path().join(HISTOGRAMS_CSV)).unwrap();
    assert_eq!((rows.len(), hist.len()), (2 * spec.len(), 2 * spec.len()));
    for r in &rows {
        let matching: Vec<_> = hist
            .iter()
            .filter(|h| h.run_id == r.run_id && Some(h.row) == r.row)
            .collect();
        assert_eq!(matching.len(), 1, "{} row {:?}", r.run_id, r.row);
        let wait = decode_histogram(&matching[0].wait_hdr_v2_base64).unwrap();
        assert_eq!(wait.len(), r.sampled_ops);
        assert_eq!(matching[0].primitive, r.primitive);
    }
}

/// A schema version 1 suite (the first 60 rows of the AMD EPYC suite committed under
/// results/) still loads: runs named after their directory, rows numbered in file order as
/// its histograms.csv numbered them.
#[test]
fn schema_one_results_load_with_run_ids() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/runs/amd-suite/sweep");
    let rows = load_runs(&dir.join(RUNS_CSV)).unwrap();
    assert_eq!(rows.len(), 60);
    assert!(rows.iter().all(|r| r.schema_version == 1));
    assert!(
        rows.iter()
            .all(|r| r.run_id == "schema1-vm-amd-suite-sweep")
    );
    let hist = load_histograms(&dir.join(HISTOGRAMS_CSV)).unwrap();
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r.row, Some(i as u64));
        let h = hist.iter().find(|h| h.row == i as u64).unwrap();
        assert_eq!(
            (h.primitive.as_str(), h.trial),
            (r.primitive.as_str(), r.trial)
        );
    }
}

// ---- reader errors ----

/// A valid file with two rows, made by the writer.
fn valid_csv() -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for trial in 0..2 {
        w.serialize(RunRecord {
            checked: true,
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
    let version = SCHEMA_VERSION.to_string();
    assert!(lines[2].starts_with(&version));
    lines[2] = lines[2].replacen(&version, "99", 1);
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

/// What a writer killed mid-row leaves (the last row cut short, no line end): the row is
/// dropped with a warning naming the file and line, the rest loads. Cut 7 bytes into the row
/// (values still parse) and 40 (fields missing) alike.
#[test]
fn an_incomplete_last_line_is_dropped_with_a_warning() {
    let text = valid_csv();
    for cut in [7, 40] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runs.csv");
        std::fs::write(&path, &text.as_bytes()[..text.len() - cut]).unwrap();
        let (rows, warnings) = lockbench::rundir::csv::load_runs_noting(&path).unwrap();
        assert_eq!(rows.len(), 1, "cut {cut}: the cut row is not used");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        let w = &warnings[0];
        assert!(
            w.contains("runs.csv") && w.contains("line 3") && w.contains("incomplete"),
            "{w}"
        );
    }
}

/// A short row that ends its line is no killed writer's: an error naming the line.
#[test]
fn a_short_row_with_its_line_end_is_an_error() {
    let text = valid_csv();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let fields: Vec<&str> = lines[2].split(',').collect();
    lines[2] = fields[..fields.len() - 3].join(",");
    let m = message((lines.join("\n") + "\n").as_bytes());
    assert!(m.contains("line 3") && m.contains("fields"), "{m}");
}

/// Numbers outside their domain are refused, naming line, column and value: a negative
/// throughput (once printed as "×-8514180.93" by compare), a negative latency, NaN, infinity.
#[test]
fn numbers_out_of_their_domain_are_refused() {
    let text = valid_csv();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    for (column, value) in [
        ("throughput_ops_s", "-1"),
        ("wait_p50_ns", "-3.5"),
        ("throughput_ops_s", "NaN"),
        ("hold_p99_ns", "inf"),
        ("cpu_share", "-0.2"),
    ] {
        let col = header.iter().position(|h| *h == column).unwrap();
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        let mut fields: Vec<String> = lines[2].split(',').map(String::from).collect();
        fields[col] = value.into();
        lines[2] = fields.join(",");
        let m = message((lines.join("\n") + "\n").as_bytes());
        assert!(
            m.contains("line 3") && m.contains(&format!("{column:?}")) && m.contains(value),
            "{column}={value}: {m}"
        );
    }
}

#[test]
fn errors_name_the_file() {
    let m = load_runs(Path::new("/nonexistent/runs.csv"))
        .unwrap_err()
        .to_string();
    assert!(m.contains("/nonexistent/runs.csv"), "{m}");
}

/// CSV files under results/ that are not runs.csv files (sidecars, derived tables, and the
/// agreement scripts' per-round tables of both tools).
const NOT_RUNS: [&str; 16] = [
    "trial-drift.csv",
    "histograms.csv",
    "points.csv",
    "profile.csv",
    "advice.csv",
    "swap.csv",
    "overhead.csv",
    "pairs.csv",
    "calibrations.csv",
    "claims.csv",
    "breakeven.csv",
    "breakeven-points.csv",
    "criterion-vs-harness.csv",
    "criterion-rounds.csv",
    "throughput.csv",
    "rounds.csv",
];

/// results/ and every directory below it.
fn committed_dirs() -> Vec<std::path::PathBuf> {
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("results")];
    let mut next = 0;
    while let Some(dir) = dirs.get(next).cloned() {
        next += 1;
        if let Ok(entries) = std::fs::read_dir(&dir) {
            dirs.extend(entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()));
        }
    }
    dirs
}

/// Every runs.csv committed under results/ still loads with this version's schema, so the
/// README's figures always come from files the current tool can read.
#[test]
fn committed_results_load() {
    let mut found = 0;
    for dir in committed_dirs() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for path in entries.flatten().map(|e| e.path()).filter(|p| p.is_file()) {
            if path.file_name().is_some_and(|n| n == "meta.json") {
                // Every committed meta.json reads, its sweep spec and (when it has any) its
                // probes typed.
                let dir = path.parent().unwrap();
                let meta = lockbench::rundir::meta::read_meta(dir)
                    .unwrap_or_else(|e| panic!("{}", lockbench::error::chain(&e)));
                let raw: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
                if raw.get("probes").is_some_and(|p| !p.is_null()) {
                    assert!(meta.probes.is_some(), "{}: probes unread", path.display());
                }
                assert!(meta.spec.is_some(), "{}: sweep spec unread", path.display());
            } else if path.file_name().is_some_and(|n| n == "profile.csv") {
                // A committed profile reads with this version's profile schema.
                let p = lockbench::profile::read(&path).unwrap_or_else(|e| panic!("{e}"));
                assert!(p.locks().count() > 0, "{} has no lock", path.display());
            } else if path.extension().is_some_and(|e| e == "csv")
                && !path
                    .file_name()
                    .is_some_and(|n| NOT_RUNS.iter().any(|x| n == *x))
            {
                let rows = load_runs(&path).unwrap_or_else(|e| panic!("{e}"));
                assert!(!rows.is_empty(), "{} has no rows", path.display());
                found += 1;
            }
        }
    }
    assert!(found > 0, "no committed results found");
}

/// results/README.md documents every runs.csv column (the schema doc cannot fall behind).
#[test]
fn every_column_is_documented_in_results_readme() {
    let doc = std::fs::read_to_string("results/README.md").unwrap();
    let missing: Vec<String> = RunRecord::columns()
        .into_iter()
        .filter(|c| !doc.contains(&format!("| `{c}` |")))
        .collect();
    assert!(missing.is_empty(), "undocumented columns: {missing:?}");
}

/// Every committed claims run is what this code says about its experiments: re-judging the
/// rows gives its claims.csv byte for byte (so the README's findings table, generated from
/// it, is the current code's verdict on committed data).
#[test]
fn committed_claims_are_the_current_verdicts() {
    let mut found = 0;
    for dir in committed_dirs() {
        let committed = dir.join(lockbench::report::claims::CLAIMS_CSV);
        if committed.is_file() {
            let loaded = lockbench::experiments::claims::load(&dir).unwrap();
            let claims = lockbench::experiments::claims::judge(&loaded);
            let fresh = lockbench::report::claims::csv(&claims).unwrap();
            assert!(
                fresh == std::fs::read(&committed).unwrap(),
                "{}: the committed verdicts differ from this code's; re-judge with `lockbench claims --only {}`",
                committed.display(),
                dir.display()
            );
            found += 1;
        }
    }
    assert!(found > 0, "no committed claims run");
}

/// Every relative link of the README, DESIGN.md and the pages under results/ names a file
/// that exists: results/ is pruned to a curated corpus, and no page may point into what was
/// removed.
#[test]
fn links_into_results_resolve() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages = vec![root.join("README.md"), root.join("DESIGN.md")];
    for dir in committed_dirs() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        pages.extend(
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "md")),
        );
    }
    let mut dead = Vec::new();
    let mut checked = 0;
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        for (i, _) in text.match_indices("](") {
            let rest = &text[i + 2..];
            let Some(end) = rest.find(')') else { continue };
            let target = rest[..end].split('#').next().unwrap_or("");
            if target.is_empty() || target.contains("://") || target.contains(char::is_whitespace) {
                continue;
            }
            checked += 1;
            if !page.parent().unwrap().join(target).exists() {
                dead.push(format!("{}: {target}", page.display()));
            }
        }
    }
    assert!(
        checked > 20,
        "only {checked} links found: is the parser broken?"
    );
    assert!(
        dead.is_empty(),
        "links to missing files:\n{}",
        dead.join("\n")
    );
}

/// results/ stays a curated corpus: at most 15 MB of the files git tracks there (runs a user
/// just made, e.g. the README's main job before its test command, are not the corpus). Without
/// git, every file under results/ counts.
#[test]
fn results_stay_under_15_mb() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let tracked = std::process::Command::new("git")
        .args(["ls-files", "-z", "results"])
        .current_dir(root)
        .output()
        .ok()
        .filter(|o| o.status.success() && !o.stdout.is_empty());
    let mut total = 0u64;
    if let Some(out) = tracked {
        for name in out.stdout.split(|b| *b == 0).filter(|n| !n.is_empty()) {
            let path = root.join(String::from_utf8_lossy(name).as_ref());
            total += std::fs::metadata(&path).map_or(0, |m| m.len());
        }
    }
    let walk = if total == 0 {
        committed_dirs()
    } else {
        Vec::new()
    };
    for dir in walk {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            total += entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum::<u64>();
        }
    }
    assert!(
        total <= 15_000_000,
        "results/ holds {:.1} MB: keep the current runs and each experiment's summary, not every run",
        total as f64 / 1e6
    );
}
