#![warn(missing_docs)]
//! lockbench: measure concurrency primitives on the machine in front of you.
//!
//! The crate is a library with the `lockbench` command line on top (the default `cli`
//! feature; `default-features = false` builds the library alone, without clap, the progress
//! bar or the Ctrl-C handler). `primitives` are the things under test, `harness` runs one
//! trial of a point and returns a record, `sweep` runs many into a run directory, `rundir`
//! writes and reads run directories, `analysis` turns records into findings, `report` and
//! `plot` render them; DESIGN.md has the architecture.
//!
//! # What to use
//!
//! The front door for a program is small:
//! - [`custom`]: your lock as a measured primitive; one point ([`custom::run_point`], or
//!   [`sweep::point::PointRun`] with its options: guarded by the sentinel unless you say
//!   otherwise), a sweep next to the registry's locks ([`custom::sweep_into`]), the
//!   break-even, and [`custom::Contended`] for criterion;
//! - [`profile`]: wrappers that profile a real program's locks, for `lockbench advise`;
//! - [`primitives`]: every lock as a `lock_api` raw lock, usable on its own;
//! - [`record`]: the row (`RunRecord`, the `runs.csv` schema), the spec and the axes table;
//!   [`rundir::run::load_run`] reads a run directory back.
//!
//! The other modules are public for the command line, the benches, the integration tests and
//! the scripts, and only as far as those use them (the rest is `pub(crate)`); they are
//! documented, but they are the tool's insides, not an API kept stable.
//!
//! # The locks in real code
//!
//! Every hand-written mutex implements [`lock_api::RawMutex`], so it protects data like any
//! other:
//!
//! ```
//! use lockbench::primitives::spin::TtasBackoff;
//!
//! let hits = lock_api::Mutex::<TtasBackoff, u64>::new(0);
//! std::thread::scope(|s| {
//!     for _ in 0..2 {
//!         s.spawn(|| {
//!             for _ in 0..1_000 {
//!                 *hits.lock() += 1;
//!             }
//!         });
//!     }
//! });
//! assert_eq!(*hits.lock(), 2_000);
//! ```
//!
//! # Measuring your own lock
//!
//! Implement [`lock_api::RawMutex`] (or `RawRwLock`) and [`custom::Describe`] for your lock;
//! [`custom::mutex`] makes it a primitive the harness drives like its own (monomorphised, no
//! dynamic dispatch per operation), checked for mutual exclusion in every run:
//!
//! ```
//! use lockbench::custom::{self, About, Describe, Family};
//! use lockbench::harness::Point;
//! use std::sync::atomic::{AtomicBool, Ordering};
//! use std::time::Duration;
//!
//! /// A test-and-set spinlock.
//! pub struct MyLock(AtomicBool);
//!
//! // SAFETY: `lock` returns only after its Acquire compare-exchange took the flag from false
//! // to true, and only `unlock` (Release, pairing with that Acquire) sets it back.
//! unsafe impl lock_api::RawMutex for MyLock {
//!     const INIT: MyLock = MyLock(AtomicBool::new(false));
//!     type GuardMarker = lock_api::GuardSend;
//!     fn lock(&self) {
//!         while !self.try_lock() {
//!             std::hint::spin_loop();
//!         }
//!     }
//!     fn try_lock(&self) -> bool {
//!         self.0
//!             .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
//!             .is_ok()
//!     }
//!     unsafe fn unlock(&self) {
//!         self.0.store(false, Ordering::Release);
//!     }
//! }
//!
//! impl Describe for MyLock {
//!     const ABOUT: About = About::new("my-tas", Family::Spin, "my test-and-set lock");
//! }
//!
//! let mine = custom::mutex::<MyLock>();
//! let mut point = Point {
//!     duration: Duration::from_millis(10),
//!     warmup: Duration::from_millis(2),
//!     ..Point::new("my-tas")
//! };
//! point.setting.threads = 2;
//! point.setting.cs_ns = 100;
//! let trials = custom::run_point(&mine, &point, 1)?;
//! assert!(trials[0].record.throughput_ops_s > 0.0);
//!
//! // A sweep next to registered locks, into a run directory that `lockbench compare`,
//! // `plot` and `report` read (this one takes a minute, so it is not run here).
//! # if false {
//! let spec = custom::SweepSpec {
//!     locks: vec!["my-tas".into(), "std-mutex".into(), "parking-lot-mutex".into()],
//!     threads: vec![1, 2, 4],
//!     cs_ns: vec![0, 250],
//!     ..lockbench::sweep::Preset::Quick.spec(2)
//! };
//! let dir = custom::sweep_into(&spec, &[mine], Some(std::path::Path::new("results/my-tas")))?;
//! println!("lockbench compare {} <another run>", dir.display());
//! # }
//! # Ok::<(), anyhow::Error>(())
//! ```
//!
//! `examples/byo_lock.rs` is a complete program (sweep, break-even), and
//! [`custom::Contended`] times a contended loop inside your own criterion bench.

pub mod primitives;
pub mod sync;

#[cfg(not(loom))]
pub mod analysis;
#[cfg(all(not(loom), feature = "cli"))]
pub mod cli;
#[cfg(not(loom))]
pub mod custom;
#[cfg(not(loom))]
pub mod error;
#[cfg(not(loom))]
pub mod experiments;
#[cfg(not(loom))]
pub mod harness;
#[cfg(not(loom))]
pub mod plot;
#[cfg(not(loom))]
pub mod probes;
#[cfg(not(loom))]
pub mod profile;
#[cfg(not(loom))]
pub mod record;
#[cfg(not(loom))]
pub mod registry;
#[cfg(not(loom))]
pub mod report;
#[cfg(not(loom))]
pub mod rules;
#[cfg(not(loom))]
pub mod rundir;
#[cfg(not(loom))]
pub mod stats;
#[cfg(not(loom))]
pub mod sweep;
#[cfg(not(loom))]
pub mod units;
#[cfg(not(loom))]
pub mod workload;
