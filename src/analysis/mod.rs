//! Pure functions over measured numbers: no I/O, no clocks.

pub mod breakeven;
mod stats;

pub use stats::{Fairness, Stability, Summary, fairness, stability, summarize};
