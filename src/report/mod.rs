//! Everything that touches result files: the `runs.csv` / `histograms.csv` writer that
//! appends and flushes per point, `meta.json`, and the loader every later command reads with.

pub mod claims;
pub mod compare;
pub mod csv;
pub mod html;
pub mod meta;
pub mod run;
pub mod text;

pub use self::csv::{LoadError, RunSink, decode_histogram, encode_histogram, load_runs};
