//! Pure functions over measured numbers: no I/O, no clocks.

pub mod aggregate;
pub mod breakeven;
pub mod compare;
mod stats;

pub use stats::{Fairness, Stability, Summary, fairness, fairness_of, stability, summarize};
