//! The errors the library reports to the command line, by kind: the binary maps the kind to
//! an exit code (2 bad input, 130 interrupted, 1 anything else). A leaf module.

/// Bad input from the user (an unknown primitive, a bad range, a malformed or foreign file,
/// an unwritable output): reported in one line naming what and where, exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

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
