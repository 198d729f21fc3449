//! The `lockbench` binary: parse, run, map errors to exit codes (2 = bad input, 1 = failure).

#[cfg(not(loom))]
fn main() -> std::process::ExitCode {
    use clap::Parser;
    use lockbench::cli::{Cli, Interrupted, UsageError, run};
    use std::process::ExitCode;

    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
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

/// Under `--cfg loom` only the primitives are built (for the model checks); cargo still
/// compiles the binary target, so it gets an empty body.
#[cfg(loom)]
fn main() {}
