//! A run directory's files, and nothing else: the `runs.csv` / `histograms.csv` writer that
//! appends and flushes per point ([`csv`]), `meta.json` ([`meta`]), creating or reopening the
//! directory ([`dir`]), and the loader every later command reads a run with ([`run`]). What
//! `sweep` writes and what `report`, `plot`, `compare` and the experiments read meet here.

pub mod csv;
pub mod dir;
pub mod meta;
pub mod run;

pub use self::csv::{LoadError, RunSink, decode_histogram, encode_histogram, load_runs};
