//! The `lockbench` binary as the CLI tests run it, and the check every bad input must pass.
#![allow(dead_code)] // each test file uses what it needs

use std::process::{Command, Output};

/// Runs `lockbench ARGS`.
pub fn lockbench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lockbench"))
        .args(args)
        .output()
        .unwrap()
}

/// Each case: exit code 2, a one-line error starting `error: ` that contains the needle, and
/// no panic.
pub fn assert_usage_errors<A: AsRef<[S]>, S: AsRef<str>>(cases: &[(A, &str)]) {
    for (args, needle) in cases {
        let args: Vec<&str> = args.as_ref().iter().map(|a| a.as_ref()).collect();
        let out = lockbench(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        let first = err.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("error: ") && first.contains(needle),
            "{args:?}: {first:?}"
        );
        assert!(!err.contains("panicked"), "{args:?} panicked");
    }
}
