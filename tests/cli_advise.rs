//! `lockbench advise` as a user meets it: the plan, a short real run to its advice files, and
//! one-line errors with exit code 2 for a profile it cannot read.
//! The fixture is a real profile: `examples/kvstore.rs --lock spin --threads 4 --profile`.

mod cli_util;

use cli_util::{assert_usage_errors, lockbench};

const FIXTURE: &str = "tests/fixtures/profile/profile.csv";

#[test]
fn advise_plans_one_sweep_per_lock() {
    let out = lockbench(&["advise", FIXTURE, "--dry-run"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    // spin-rs (today) and the five exclusive candidates.
    assert!(
        text.starts_with("kvstore: 30 run(s) (6 primitive(s)"),
        "{text}"
    );
}

#[test]
fn advise_writes_its_advice_and_ordinary_run_directories() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("advice");
    let out = lockbench(&[
        "advise",
        FIXTURE,
        "--trials",
        "3",
        "--duration",
        "20ms",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("## kvstore (mutex, today spin-rs)"), "{text}");
    let csv = std::fs::read_to_string(out_dir.join("advice.csv")).unwrap();
    let row = csv.lines().nth(1).unwrap();
    assert!(
        row.starts_with("\"kvstore\",mutex,spin-rs,4,2,50,270,"),
        "{row}"
    );
    let call = ["keep", "switch", "inconclusive"];
    assert!(
        call.iter().any(|c| row.contains(&format!(",{c},"))),
        "{row}"
    );
    // The lock's run directory is an ordinary one; judging it again gives the same advice.
    assert!(out_dir.join("kvstore-mutex/runs.csv").exists());
    assert!(out_dir.join("profile.csv").exists());
    let again = lockbench(&["advise", "--analyse", out_dir.to_str().unwrap()]);
    assert!(again.status.success(), "{again:?}");
    assert_eq!(String::from_utf8_lossy(&again.stdout), text);
}

#[test]
fn a_profile_advise_cannot_read_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let foreign = dir.path().join("runs.csv");
    std::fs::write(&foreign, "schema_version,primitive\n4,futex-mutex\n").unwrap();
    let old = dir.path().join("old.csv");
    let fixture = std::fs::read_to_string(FIXTURE).unwrap();
    let mut lines = fixture.lines();
    let header = lines.next().unwrap();
    let body: Vec<String> = lines.map(|l| format!("0{}", &l[1..])).collect();
    std::fs::write(&old, format!("{header}\n{}\n", body.join("\n"))).unwrap();
    let unwritable = dir.path().join("file");
    std::fs::write(&unwritable, "").unwrap();
    let under_a_file = unwritable.join("out");
    let cases: &[(Vec<&str>, &str)] = &[
        (
            vec!["advise", "/nonexistent/profile.csv"],
            "/nonexistent/profile.csv",
        ),
        (
            vec!["advise", foreign.to_str().unwrap()],
            "not a lockbench profile",
        ),
        (vec!["advise", old.to_str().unwrap()], "profile schema 0"),
        (
            vec!["advise", FIXTURE, "--lock", "nope"],
            "no lock named \"nope\"",
        ),
        (vec!["advise", FIXTURE, "--trials", "2"], "--trials"),
        (
            vec!["advise", FIXTURE, "--out", under_a_file.to_str().unwrap()],
            "out",
        ),
    ];
    assert_usage_errors(cases);
}
