//! The errors the library reports to the command line, by kind: the binary maps the kind to
//! an exit code (2 bad input, 130 interrupted, 1 anything else). A leaf module.

/// Bad input from the user (an unknown primitive, a bad range, a malformed or foreign file,
/// an unwritable output): reported in one line naming what and where, exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

impl UsageError {
    /// Bad input described by `err` and its causes, joined into the one line:
    /// `runs.csv: cannot read: No such file or directory`.
    pub fn from_chain(err: &(dyn std::error::Error + 'static)) -> UsageError {
        UsageError(chain(err))
    }
}

/// An error and its sources, joined by `: ` (what `{:#}` prints for anyhow errors).
pub fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// A sweep stopped by Ctrl-C, its finished runs kept: exit code 130.
#[derive(Debug, thiserror::Error)]
#[error(
    "interrupted: {written} run(s) kept in {dir}; continue with `lockbench sweep --resume {dir}`"
)]
pub struct Interrupted {
    /// Runs written.
    pub written: usize,
    /// The run directory.
    pub dir: String,
}
