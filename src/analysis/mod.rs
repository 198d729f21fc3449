//! Pure functions over measured numbers: no I/O, no clocks.

pub mod aggregate;
pub mod best;
pub mod breakeven;
pub mod compare;
pub mod points;
pub mod verdict;
pub use crate::stats::{
    CI_LEVEL, Fairness, MedianCi, Stability, Summary, fairness, fairness_of, median_ci, stability,
    summarize,
};
