//! Records the compiler version and git commit, for the host fingerprint on every CSV row.
use std::process::Command;

fn output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = output(&rustc, &["--version"]).unwrap_or_else(|| "unknown".into());
    let sha =
        output("git", &["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    // What the binary is built from: these paths are both watched (below) and checked for
    // uncommitted edits, so the two always agree.
    const SOURCES: [&str; 5] = ["src", "benches", "build.rs", "Cargo.toml", "Cargo.lock"];
    let mut status = vec!["status", "--porcelain", "--untracked-files=no", "--"];
    status.extend(SOURCES);
    let dirty = output("git", &status)
        .map(|s| !s.is_empty())
        .unwrap_or(false);
    println!("cargo:rustc-env=LOCKBENCH_RUSTC={version}");
    println!(
        "cargo:rustc-env=LOCKBENCH_GIT_SHA={sha}{}",
        if dirty { "-dirty" } else { "" }
    );
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/index");
    // Any source edit re-runs this script, so an edited, uncommitted build says `-dirty`
    // (watching the index alone, an unstaged edit kept the clean commit's sha).
    for path in SOURCES {
        println!("cargo:rerun-if-changed={path}");
    }
}
