//! lockbench: measure concurrency primitives on the machine in front of you.
//!
//! See `DESIGN.md` (in the project's shared docs) for the architecture: `primitives` are the
//! things under test, `harness` runs one point and returns a record, `sweep` runs many,
//! `report` writes and reads results, `analysis` turns records into findings.

pub mod primitives;
pub mod sync;

#[cfg(not(loom))]
pub mod analysis;
#[cfg(not(loom))]
pub mod cli;
#[cfg(not(loom))]
pub mod error;
#[cfg(not(loom))]
pub mod harness;
#[cfg(not(loom))]
pub mod plot;
#[cfg(not(loom))]
pub mod probes;
#[cfg(not(loom))]
pub mod record;
#[cfg(not(loom))]
pub mod registry;
#[cfg(not(loom))]
pub mod report;
#[cfg(not(loom))]
pub mod stats;
#[cfg(not(loom))]
pub mod sweep;
#[cfg(not(loom))]
pub mod units;
#[cfg(not(loom))]
pub mod workload;
