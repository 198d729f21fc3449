//! The binary as a user meets it: listing, a tiny run in every format, and one-line errors
//! with exit code 2 for every kind of bad input.

mod cli_util;

use cli_util::{assert_usage_errors, lockbench};
use std::process::{Command, Output};

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `lockbench list | head`: a reader that stops early is not an error. The child's stdout is
/// a pipe whose read end is closed before the child starts, so its first write fails with
/// EPIPE every time (no race with a reader).
#[test]
fn a_closed_stdout_ends_quietly() {
    use std::os::fd::{FromRawFd, OwnedFd};
    let mut fds = [0; 2];
    // SAFETY: `fds` is a valid array of two ints for pipe(2) to fill.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: both descriptors were just created by pipe(2) and are owned by nobody else.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(read);
    for format in ["table", "csv"] {
        let out = Command::new(env!("CARGO_BIN_EXE_lockbench"))
            .args(["list", "--format", format])
            .stdout(write.try_clone().unwrap())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{format}: {err}");
        assert!(err.is_empty(), "{format}: {err:?}");
    }
}

#[test]
fn list_shows_the_registry() {
    let out = lockbench(&["list"]);
    assert!(out.status.success());
    let text = stdout(&out);
    for p in lockbench::registry::PRIMITIVES {
        assert!(
            text.contains(p.about.name),
            "{} missing from list",
            p.about.name
        );
    }
    let out = lockbench(&["list", "--format", "csv"]);
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("name,family,description"));
    let rows: Vec<&str> = lines.collect();
    assert!(rows.len() >= 16, "{} rows", rows.len());
    for family in ["spin", "mutex", "atomic"] {
        assert!(
            rows.iter().any(|r| r.split(',').nth(1) == Some(family)),
            "no {family} row"
        );
    }
}

const TINY: &[&str] = &["--duration", "20ms", "--warmup", "5ms", "--trials", "2"];

#[test]
fn run_prints_a_table_with_units() {
    let out = lockbench(&[&["run", "--lock", "spin-ttas", "--cs", "100ns"], TINY].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    for needle in ["throughput", "ops/s", "wait p99", "ns", "Jain", "pinned"] {
        assert!(text.contains(needle), "{needle:?} missing:\n{text}");
    }
}

#[test]
fn run_csv_has_one_row_per_trial() {
    let out = lockbench(&[&["run", "--lock", "futex-mutex", "--format", "csv"], TINY].concat());
    assert!(out.status.success());
    let text = stdout(&out);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    for col in [
        "schema_version",
        "cs_ns",
        "wait_p99_ns",
        "throughput_ops_s",
        "ops_per_cpu_s",
        "host_id",
    ] {
        assert!(headers.iter().any(|h| h == col), "column {col} missing");
    }
    assert_eq!(reader.records().count(), 2);
}

#[test]
fn run_json_is_an_array_of_records() {
    let out = lockbench(
        &[
            &["run", "--lock", "fetch-add-counter", "--format", "json"],
            TINY,
        ]
        .concat(),
    );
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[0]["primitive"], "fetch-add-counter");
}

/// Each bad input: exit code 2, a one-line error that names the problem, no panic.
#[test]
fn bad_input_is_a_one_line_error_with_exit_code_2() {
    let cases: &[(&[&str], &str)] = &[
        (&["run", "--lock", "spin-tass"], "did you mean spin-tas"),
        (
            &["run", "--lock", "nonsense-lock-name"],
            "unknown primitive",
        ),
        (
            &["run", "--lock", "spin-tas", "--threads", "0"],
            "--threads",
        ),
        (&["run", "--lock", "spin-tas", "--cs=-5ms"], "negative"),
        (&["run", "--lock", "spin-tas", "--cs", "200"], "no unit"),
        // Below the busy work's floor (its fence alone takes longer; x86: several ns).
        (
            &["run", "--lock", "null", "--cs", "1ns"],
            "shorter than the busy work can make on this machine",
        ),
        (
            &["run", "--lock", "null", "--think", "1ns"],
            "--think 1ns is shorter",
        ),
        (
            &["run", "--lock", "spin-tas", "--duration", "5 fortnights"],
            "unknown unit",
        ),
        (
            &["run", "--lock", "spin-tas", "--read-ratio", "1.5"],
            "outside [0, 1]",
        ),
        (
            &["run", "--lock", "spin-tas", "--read-ratio", "0.5"],
            "--read-ratio does not apply",
        ),
        (&["run", "--lock", "spin-tas", "--pin", "diagonal"], "--pin"),
        (&["run", "--lock", "spin-tas", "--steps", "5"], "IN/OUT"),
        (
            &["run", "--lock", "spin-tas", "--steps", "1/x"],
            "whole number",
        ),
        (
            &["run", "--lock", "rw-phase-fair", "--steps", "1/0"],
            "--steps does not apply",
        ),
        (
            &[
                "run", "--lock", "spin-tas", "--steps", "1/0", "--cs", "10ns",
            ],
            "--steps replaces",
        ),
        (
            &["run", "--lock", "cas-counter", "--layout", "inline"],
            "--layout does not apply",
        ),
        (
            &["run", "--lock", "spin-tas", "--layout", "diagonal"],
            "--layout",
        ),
    ];
    assert_usage_errors(cases);
}

#[test]
fn sweep_writes_the_three_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let o = lockbench(&[
        "sweep",
        "--locks",
        "spin-tas,cas-counter",
        "--threads",
        "1,2",
        "--cs",
        "0,100ns",
        "--duration",
        "10ms",
        "--warmup",
        "2ms",
        "--trials",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows = lockbench::rundir::load_runs(&out.join("runs.csv")).unwrap();
    assert_eq!(rows.len(), 2 * 2 * 2);
    assert!(out.join("histograms.csv").exists());
    let meta = lockbench::rundir::meta::read_meta(&out).unwrap();
    assert!(meta.complete);
    assert_eq!(meta.rows, 8);
    assert!(meta.harness_ns_per_op_untimed > 0.0 && meta.clock_read_ns > 0.0);
    // An existing run directory is never overwritten.
    let again = lockbench(&[
        "sweep",
        "--locks",
        "spin-tas",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds a run"));
    // Resuming a complete run has nothing left to do and changes nothing.
    let resumed = lockbench(&["sweep", "--resume", out.to_str().unwrap()]);
    assert!(resumed.status.success());
    assert_eq!(
        lockbench::rundir::load_runs(&out.join("runs.csv")).unwrap(),
        rows
    );
    // A runs.csv from before the `sentinel_during` column still loads, but rows of the
    // current shape cannot be appended to it: resuming says so instead of corrupting it.
    let text = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let old: Vec<String> = text
        .lines()
        .map(|l| l.rsplit_once(',').unwrap().0.to_string())
        .collect();
    std::fs::write(out.join("runs.csv"), old.join("\n") + "\n").unwrap();
    let old_rows = lockbench::rundir::load_runs(&out.join("runs.csv")).unwrap();
    assert_eq!(old_rows.len(), rows.len());
    assert!(old_rows.iter().all(|r| r.sentinel_during.is_none()));
    let refused = lockbench(&["sweep", "--resume", out.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("older lockbench"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

#[test]
fn sweep_bad_input_is_a_one_line_error_with_exit_code_2() {
    let cases: &[(&[&str], &str)] = &[
        (&["sweep", "--locks", "spinn"], "--locks"),
        (&["sweep", "--threads", "0"], "--threads"),
        (&["sweep", "--threads", "8..2"], "backwards"),
        (&["sweep", "--cs", "1us..10ns:5"], "--cs"),
        (&["sweep", "--cs", "100"], "no unit"),
        (&["sweep", "--read-ratio", "2"], "--read-ratio"),
        (
            &["sweep", "--out", "/proc/lockbench-cannot-write-here"],
            "cannot create output directory",
        ),
        (&["sweep", "--resume", "/nonexistent-run-dir"], "--resume"),
        (
            &["sweep", "--resume", "/tmp", "--threads", "2"],
            "cannot be used with",
        ),
        (
            &["sweep", "--resume", "/tmp", "--layout", "inline"],
            "cannot be used with",
        ),
    ];
    assert_usage_errors(cases);
}

#[test]
fn sweep_dry_run_prints_the_plan() {
    let out = lockbench(&["sweep", "--preset", "quick", "--dry-run"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.contains("run(s)") && text.contains("estimated"),
        "{text}"
    );
}

#[test]
fn workload_axes_are_checked_per_primitive() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["run", "--lock", "spin-tas", "--stripes", "4"],
            "--stripes does not apply",
        ),
        (
            &["run", "--lock", "futex-mutex", "--skew", "0.99"],
            "--skew does not apply",
        ),
        (
            &["run", "--lock", "striped-spin", "--stripes", "6"],
            "power of two",
        ),
        (
            &["run", "--lock", "bank-ordered", "--stripes", "1"],
            "at least 2",
        ),
        (&["run", "--lock", "dashmap", "--skew=-1"], "--skew"),
    ];
    assert_usage_errors(cases);
}

#[test]
fn probe_reports_the_sentinel_series_and_a_verdict() {
    let out = lockbench(&["probe", "--duration", "100ms"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    for needle in [
        "parallelism",
        "min",
        "median",
        "max",
        "verdict",
        "clock read",
        "spin-loop hint",
    ] {
        assert!(text.contains(needle), "{needle:?} missing:\n{text}");
    }
    let bad = lockbench(&["probe", "--sentinel-threshold", "2"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn run_rows_carry_sentinel_readings_unless_disabled() {
    let csv_of = |extra: &[&str]| {
        let out = lockbench(
            &[
                &["run", "--lock", "spin-ttas", "--format", "csv"],
                TINY,
                extra,
            ]
            .concat(),
        );
        assert!(out.status.success());
        let text = stdout(&out);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        reader
            .deserialize::<lockbench::record::RunRecord>()
            .map(Result::unwrap)
            .collect::<Vec<_>>()
    };
    let rows = csv_of(&[]);
    assert!(
        rows.iter()
            .all(|r| r.sentinel_before.is_some() && r.sentinel_after.is_some() && r.attempts >= 1)
    );
    let rows = csv_of(&["--no-sentinel"]);
    assert!(
        rows.iter()
            .all(|r| r.sentinel_before.is_none() && !r.degraded)
    );
}

#[test]
fn breakeven_refuses_bad_ranges() {
    let cases: &[(&[&str], &str)] = &[
        (&["breakeven", "--cs", "1us,2us"], "at least 3"),
        (&["breakeven", "--cs", "100us..1us:5"], "--cs"),
        (&["breakeven", "--cs", "1us..1us:5"], "--cs"),
        (&["breakeven", "--cs", "20ns..1ms:2"], "--cs"),
        (
            &["breakeven", "--spinner", "spin-tass"],
            "unknown primitive",
        ),
        (
            &["breakeven", "--sleepers", "cas-counter"],
            "not a mutual-exclusion lock",
        ),
        (&["breakeven", "--think", "soon"], "--think"),
        (&["breakeven", "--spinner", "null"], "null is not checked"),
    ];
    assert_usage_errors(cases);
}

#[test]
fn breakeven_writes_its_files_and_a_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("be");
    let o = lockbench(&[
        "breakeven",
        "--cs",
        "50ns..50us:3",
        "--sleepers",
        "futex-mutex",
        "--think",
        "0,1us",
        "--trials",
        "1",
        "--duration",
        "20ms",
        "--no-sentinel",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let verdict = stdout(&o);
    assert!(
        verdict.contains("throughput")
            && verdict.contains("efficiency")
            && verdict.contains("think 0")
            && verdict.contains("think 1 µs")
            && verdict.contains("textbook"),
        "{verdict}"
    );
    // One trial per point has no range: nothing is called beyond noise.
    assert!(!verdict.contains("wins throughout"), "{verdict}");
    for f in [
        "runs.csv",
        "histograms.csv",
        "meta.json",
        "breakeven.csv",
        "breakeven-points.csv",
        "breakeven.svg",
        "verdict.txt",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let rows = std::fs::read_to_string(out.join("breakeven.csv")).unwrap();
    // The old columns first (older files read the same), then the new ones.
    assert!(
        rows.starts_with(
            "regime,threads,metric,spinner,sleeper,verdict,crossing_ns,band_lo_ns,band_hi_ns,direction,think_ns,"
        ),
        "{rows}"
    );
    // 2 regimes × 2 think times × 2 metrics, each a verdict or at least one crossing row.
    assert!(rows.lines().count() > 8, "{rows}");
    let points = std::fs::read_to_string(out.join("breakeven-points.csv")).unwrap();
    assert_eq!(points.lines().count(), 1 + 2 * 2 * 2 * 3, "{points}");
    // Re-analysing the same directory reproduces the verdict without measuring.
    let again = lockbench(&[
        "breakeven",
        "--sleepers",
        "futex-mutex",
        "--analyse",
        out.to_str().unwrap(),
    ]);
    assert!(again.status.success());
    assert_eq!(stdout(&again), verdict);
}

/// The break-even plan has a think-time axis: the presets measure think 0 and the middle
/// length, `--think` overrides it, and `--dry-run` counts it without measuring.
#[test]
fn breakeven_dry_run_counts_the_think_axis() {
    let plan = |extra: &[&str]| {
        let mut args = vec!["breakeven", "--dry-run"];
        args.extend(extra);
        let o = lockbench(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        stdout(&o)
    };
    let quick = plan(&[]);
    assert!(
        quick.starts_with(
            "960 run(s) (4 primitive(s) × 2 thread count(s) × 12 cs × 2 think × 1 placement(s) × 5 trial(s))"
        ),
        "{quick}"
    );
    let fine = plan(&["--preset", "fine"]);
    assert!(
        fine.starts_with("1920 run(s) (4 primitive(s) × 2 thread count(s) × 24 cs × 2 think"),
        "{fine}"
    );
    assert!(plan(&["--think", "0"]).starts_with("480 run(s)"));
    assert!(plan(&["--think", "0,1us,10us"]).starts_with("1440 run(s)"));
}

/// A trial with a window of 400 ms or more gets a sentinel reading in its middle (the workers
/// park for it); a shorter one does not, and neither do queues, whose loops cannot pause.
#[test]
fn long_trials_carry_a_mid_trial_sentinel_reading() {
    let during = |lock: &str, duration: &str| -> String {
        let out = lockbench(&[
            "run",
            "--lock",
            lock,
            "--threads",
            "2",
            "--duration",
            duration,
            "--warmup",
            "10ms",
            "--trials",
            "1",
            "--format",
            "csv",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = stdout(&out);
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let row: Vec<&str> = lines.next().unwrap().split(',').collect();
        let at = header.iter().position(|h| *h == "sentinel_during").unwrap();
        let ops = header.iter().position(|h| *h == "ops").unwrap();
        assert!(row[ops].parse::<u64>().unwrap() > 0);
        row[at].to_string()
    };
    let long = during("spin-ttas-backoff", "400ms");
    let v: f64 = long
        .parse()
        .unwrap_or_else(|_| panic!("no mid-trial reading: {long:?}"));
    // The figure is Σ together / Σ alone: other tests loading the machine during an "alone"
    // leg push it above 1 without bound, so only a real, positive reading is required.
    assert!(v.is_finite() && v > 0.0, "{v}");
    assert_eq!(during("spin-ttas-backoff", "50ms"), "");
    assert_eq!(during("condvar-queue", "400ms"), "");
}

/// Files that lie are refused, as a user would meet them: a run directory whose runs.csv was
/// cut 7 bytes into its last row (what a killed writer leaves) is read without that row and a
/// warning naming file and line; one whose throughput reads -1 is a one-line error naming
/// line and column, exit 2, for compare, plot and report alike.
#[test]
fn files_that_lie_are_refused() {
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/runs/small");
    let tmp = tempfile::tempdir().unwrap();
    let copy = |name: &str, edit: &dyn Fn(String) -> String| {
        let dir = tmp.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        for f in ["runs.csv", "histograms.csv", "meta.json"] {
            let text = std::fs::read_to_string(fixture.join(f)).unwrap();
            let text = if f == "runs.csv" { edit(text) } else { text };
            std::fs::write(dir.join(f), text).unwrap();
        }
        dir.to_str().unwrap().to_string()
    };
    let whole = fixture.to_str().unwrap();
    let cut = copy("cut", &|t| t[..t.len() - 7].to_string());
    let out = lockbench(&["compare", whole, &cut]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("warning:")
            && err.contains("runs.csv")
            && err.contains("incomplete last line"),
        "{err}"
    );

    let negative = copy("negative", &|t| {
        let mut lines: Vec<String> = t.lines().map(String::from).collect();
        let header: Vec<&str> = lines[0].split(',').collect();
        let col = header
            .iter()
            .position(|h| *h == "throughput_ops_s")
            .unwrap();
        let mut fields: Vec<String> = lines[3].split(',').map(String::from).collect();
        fields[col] = "-1".into();
        lines[3] = fields.join(",");
        lines.join("\n") + "\n"
    });
    assert_usage_errors::<&[&str], _>(&[
        (
            &["compare", whole, &negative],
            "line 4, column \"throughput_ops_s\"",
        ),
        (&["plot", &negative], "line 4, column \"throughput_ops_s\""),
        (
            &["report", &negative],
            "line 4, column \"throughput_ops_s\"",
        ),
    ]);
}

/// A sweep with a length below the busy work's floor is refused before it measures anything.
#[test]
fn a_sweep_below_the_busy_work_floor_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let args = [
        "sweep",
        "--locks",
        "null",
        "--cs",
        "0,1ns",
        "--out",
        out.to_str().unwrap(),
    ];
    let o = lockbench(&args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("--cs 1ns is shorter"), "{err}");
    assert!(!out.join("runs.csv").exists(), "nothing measured");
}

/// `lockbench points`: one CSV line per point (the fixture has 2 trials at each), the same
/// points as JSON, and a missing run is a one-line error with exit code 2.
#[test]
fn points_exports_every_point_with_its_trials() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/runs/small");
    let rows = lockbench::rundir::load_runs(&dir.join("runs.csv")).unwrap();
    let n_points = lockbench::analysis::aggregate::points(&rows).len();
    let o = lockbench(&["points", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(text.lines().count(), n_points + 1, "{text}");
    assert!(
        text.lines()
            .next()
            .unwrap()
            .contains("clean_trials,dropped_degraded")
    );
    let o = lockbench(&["points", dir.to_str().unwrap(), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), n_points);
    let trials: u64 = arr.iter().map(|p| p["trials"].as_u64().unwrap()).sum();
    assert_eq!(trials as usize, rows.len());
    let o = lockbench(&["points", "/nonexistent/run"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&o.stderr).lines().count(), 1);
}

/// `lockbench layout` gives scripts lockbench's cache-layout rule for rows of other tools:
/// trials whose readings fit one layout are on it, one across a cache boundary is not, and a
/// bad reading is a usage error.
#[test]
fn layout_judges_other_tools_rows_by_the_rule() {
    let lines = |args: &[&str]| {
        let out = lockbench(args);
        assert!(out.status.success(), "{args:?}");
        stdout(&out).lines().map(str::to_string).collect::<Vec<_>>()
    };
    assert_eq!(
        lines(&["layout", "40,42", "41,nan", "120,118"]),
        ["41.0", "on", "on", "off"]
    );
    assert_eq!(lines(&["layout", "40,42", "44,45"]), ["42.0", "on", "on"]);
    assert_eq!(lines(&["layout", "nan,nan"]), ["none", "on"]);
    assert_usage_errors(&[(&["layout", "40,abc"], "\"abc\"")]);
}

/// A list flag given twice is one list, and a repeated placement is planned once: `--pin
/// compact --pin spread,compact` plans what `--pin compact,spread` plans. `run` takes one value
/// per axis.
#[test]
fn axis_lists_join_and_run_takes_one_value() {
    let plan = |args: &[&str]| {
        let mut argv = vec![
            "sweep",
            "--locks",
            "spin-tas",
            "--threads",
            "1",
            "--cs",
            "0",
        ];
        argv.extend_from_slice(args);
        argv.push("--dry-run");
        let out = lockbench(&argv);
        assert!(out.status.success(), "{argv:?}");
        stdout(&out).split_whitespace().next().unwrap().to_string()
    };
    let both = plan(&["--pin", "compact,spread"]);
    assert_eq!(plan(&["--pin", "compact", "--pin", "spread,compact"]), both);
    assert_ne!(plan(&["--pin", "compact"]), both);
    assert_usage_errors(&[(
        &["run", "--lock", "spin-tas", "--threads", "1,2"],
        "takes one value",
    )]);
}

/// `breakeven --analyse` compares the locks the run measured (its meta.json), not the
/// command's default sleepers: a run of the spinner against the futex mutex alone gets no rows
/// for locks it never ran.
#[test]
fn breakeven_analyse_compares_the_runs_own_locks() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    std::fs::create_dir(&dir).unwrap();
    let fixture = std::path::Path::new("tests/fixtures/runs/small-breakeven");
    for f in ["runs.csv", "meta.json"] {
        std::fs::copy(fixture.join(f), dir.join(f)).unwrap();
    }
    let meta = std::fs::read_to_string(dir.join("meta.json")).unwrap();
    let mut meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
    meta["spec"]["locks"] = serde_json::json!(["spin-ttas-backoff", "futex-mutex"]);
    std::fs::write(dir.join("meta.json"), meta.to_string()).unwrap();
    let out = lockbench(&["breakeven", "--analyse", dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = std::fs::read_to_string(dir.join("breakeven.csv")).unwrap();
    let sleepers: std::collections::BTreeSet<&str> = table
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(4).unwrap())
        .collect();
    assert_eq!(sleepers.into_iter().collect::<Vec<_>>(), ["futex-mutex"]);
}

/// A run that is no break-even run does not say which lock spins: analysing it needs both
/// sides given.
#[test]
fn breakeven_analyse_of_another_run_needs_both_sides() {
    assert_usage_errors(&[(
        &["breakeven", "--analyse", "tests/fixtures/runs/small"],
        "not a break-even run",
    )]);
}
