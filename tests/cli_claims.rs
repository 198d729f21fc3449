//! `lockbench claims` as a user meets it: the dry run prints the plan, a bad `--only`
//! directory is a one-line error with exit code 2.

mod cli_util;

use cli_util::lockbench;

#[test]
fn dry_run_prints_every_experiment_and_a_trial_count() {
    let out = lockbench(&["claims", "--dry-run"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    for (id, _) in lockbench::experiments::claims::titles() {
        assert!(text.contains(id), "{id} missing: {text}");
    }
    let total = text
        .lines()
        .find(|l| l.starts_with("claims plan: "))
        .expect("a total line");
    let trials: usize = total["claims plan: ".len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(trials > 0 && total.contains("estimated"), "{total}");
    // --trials sets every experiment's count, so the plan scales with it.
    let total_of = |n: &str| -> usize {
        let o = lockbench(&["claims", "--dry-run", "--trials", n]);
        let text = String::from_utf8_lossy(&o.stdout).to_string();
        let line = text
            .lines()
            .find(|l| l.starts_with("claims plan: "))
            .expect("a total line")
            .to_string();
        line["claims plan: ".len()..]
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let one = total_of("1");
    assert!(one > 0 && one < trials, "{one} vs {trials}");
    assert_eq!(total_of("3"), 3 * one);
}

#[test]
fn a_bad_only_dir_is_a_one_line_error() {
    let empty = std::env::temp_dir().join(format!("lockbench-claims-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    for dir in [empty.to_str().unwrap(), "/nonexistent/lockbench-claims"] {
        let out = lockbench(&["claims", "--only", dir]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{dir}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("error: "), "{err}");
        assert!(!err.contains("panicked"));
    }
    std::fs::remove_dir_all(&empty).unwrap();
}
