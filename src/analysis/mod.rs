//! Pure functions over measured numbers: no I/O, no clocks.

pub mod aggregate;
pub mod breakeven;
pub mod compare;
pub use crate::stats::{Fairness, Stability, Summary, fairness, fairness_of, stability, summarize};
