//! The `lockbench` binary: parse, run, map the error's kind to an exit code: 2 bad input
//! (`UsageError`), 130 interrupted, 0 when the reader of stdout went away (`lockbench list |
//! head`: the output was wanted only so far), 1 anything else.

#[cfg(not(loom))]
fn main() -> std::process::ExitCode {
    use clap::Parser;
    use lockbench::cli::{Cli, Interrupted, UsageError, run};
    use std::process::ExitCode;

    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if closed_stdout(&err) => ExitCode::SUCCESS,
        Err(err) if err.downcast_ref::<UsageError>().is_some() => {
            eprintln!("error: {err}");
            ExitCode::from(2)
        }
        Err(err) if err.downcast_ref::<Interrupted>().is_some() => {
            eprintln!("{err}");
            ExitCode::from(130)
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(1)
        }
    }
}

/// The error is a write to a closed pipe (the reader exited).
#[cfg(not(loom))]
fn closed_stdout(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || e.downcast_ref::<csv::Error>().is_some_and(|c| {
                matches!(c.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
            })
    })
}

/// Under `--cfg loom` only the primitives are built (for the model checks); cargo still
/// compiles the binary target, so it gets an empty body.
#[cfg(loom)]
fn main() {}
