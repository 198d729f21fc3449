//! Bring your own lock: measure a lock defined outside this crate with lockbench's harness,
//! parallelism sentinel, CSV schema, charts, `compare` and break-even.
//!
//! A lock that implements [`lock_api::RawMutex`] (or [`lock_api::RawRwLock`]) and says what
//! it is with [`Describe`] becomes a [`Primitive`] through [`mutex`] (or [`rwlock`]); the
//! adapters [`RawMutexLock`] and [`RawRwLockLock`] are monomorphised into the harness loop
//! like every registered lock (no dynamic dispatch and no allocation per operation). Then:
//!
//! - one point: [`run_point`], or [`PointRun`] for its options;
//! - a sweep into a run directory, next to the registry's primitives: [`sweep_into`] (or
//!   [`crate::sweep::session::measure`] for your own progress and stop), and [`resume`] to
//!   finish an interrupted one;
//! - the spin/sleep break-even with your lock as the spinner: [`breakeven`];
//! - a contended measurement inside your own criterion bench: [`Contended`].
//!
//! `examples/byo_lock.rs` does all of it for a TTAS lock with its own backoff.

use crate::harness::{HarnessError, Point, TrialOutput};
use crate::primitives::Exclusive;
use crate::primitives::rwlock::ReadWrite;
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use crate::primitives::about::{About, Describe, Family};
pub use crate::registry::Primitive;
pub use crate::sweep::SweepSpec;
pub use crate::sweep::point::{PointOutcome, PointRun};
pub use crate::sweep::session::{lookup_with, sweep_into};

/// A [`lock_api::RawMutex`] as the harness drives it: lock, run the critical section,
/// unlock (also when the section panics). Its name and family are `R`'s [`Describe`].
#[derive(Debug)]
pub struct RawMutexLock<R>(R);

impl<R: lock_api::RawMutex + Send + Sync + 'static> Exclusive for RawMutexLock<R> {
    type Node = ();

    fn create() -> Self {
        RawMutexLock(R::INIT)
    }

    #[inline(always)]
    fn with<T>(&self, _node: &mut (), f: impl FnOnce() -> T) -> T {
        self.0.lock();
        let _guard = Unlock(&self.0);
        f()
    }

    #[inline(always)]
    fn try_with<T>(&self, _node: &mut (), f: impl FnOnce() -> T) -> Option<T> {
        if self.0.try_lock() {
            let _guard = Unlock(&self.0);
            Some(f())
        } else {
            None
        }
    }
}

impl<R: Describe> Describe for RawMutexLock<R> {
    const ABOUT: About = R::ABOUT;
}

/// Unlocks a [`lock_api::RawMutex`] when dropped.
struct Unlock<'a, R: lock_api::RawMutex>(&'a R);

impl<R: lock_api::RawMutex> Drop for Unlock<'_, R> {
    #[inline(always)]
    fn drop(&mut self) {
        // SAFETY: an `Unlock` is built only right after `lock` returned or `try_lock`
        // succeeded on this thread, and is dropped once, so the lock is held here.
        unsafe { self.0.unlock() }
    }
}

/// A [`lock_api::RawRwLock`] as the harness drives it: shared sections for reads, exclusive
/// ones for writes. Its name and family are `R`'s [`Describe`].
#[derive(Debug)]
pub struct RawRwLockLock<R>(R);

impl<R: lock_api::RawRwLock + Send + Sync + 'static> ReadWrite for RawRwLockLock<R> {
    fn create() -> Self {
        RawRwLockLock(R::INIT)
    }

    #[inline(always)]
    fn read<T>(&self, mut f: impl FnMut() -> T) -> T {
        self.0.lock_shared();
        let _guard = UnlockShared(&self.0);
        f()
    }

    #[inline(always)]
    fn write<T>(&self, f: impl FnOnce() -> T) -> T {
        self.0.lock_exclusive();
        let _guard = UnlockExclusive(&self.0);
        f()
    }
}

impl<R: Describe> Describe for RawRwLockLock<R> {
    const ABOUT: About = R::ABOUT;
}

/// Releases a shared hold of a [`lock_api::RawRwLock`] when dropped.
struct UnlockShared<'a, R: lock_api::RawRwLock>(&'a R);

impl<R: lock_api::RawRwLock> Drop for UnlockShared<'_, R> {
    #[inline(always)]
    fn drop(&mut self) {
        // SAFETY: built only right after `lock_shared` returned on this thread; dropped once.
        unsafe { self.0.unlock_shared() }
    }
}

/// Releases an exclusive hold of a [`lock_api::RawRwLock`] when dropped.
struct UnlockExclusive<'a, R: lock_api::RawRwLock>(&'a R);

impl<R: lock_api::RawRwLock> Drop for UnlockExclusive<'_, R> {
    #[inline(always)]
    fn drop(&mut self) {
        // SAFETY: built only right after `lock_exclusive` returned on this thread; dropped
        // once.
        unsafe { self.0.unlock_exclusive() }
    }
}

/// Your [`lock_api::RawMutex`] as a measurable mutual-exclusion primitive, checked for
/// mutual exclusion in every run (unless its `About` says `.unchecked()`). `R::ABOUT` names
/// it: kebab-case, not a registered primitive's name ([`sweep_into`] refuses a clash). If
/// your lock may put a waiter to sleep (a futex, parking; a `sched_yield` loop still counts as
/// spinning), say `.sleeps()` in its `About`: a spinning primitive's idle CPU is read as a disturbance
/// and its trials are flagged degraded.
pub const fn mutex<R: lock_api::RawMutex + Describe + Send + Sync + 'static>() -> Primitive {
    Primitive::exclusive::<RawMutexLock<R>>()
}

/// Your [`lock_api::RawRwLock`] as a measurable reader-writer primitive (it takes the sweep's
/// read-ratio axis).
pub const fn rwlock<R: lock_api::RawRwLock + Describe + Send + Sync + 'static>() -> Primitive {
    Primitive::rwlock::<RawRwLockLock<R>>()
}

/// Runs `trials` trials of one point of `primitive` (the point's name is set to the
/// primitive's), calibrating the clock and the busy work first (a fraction of a second),
/// each trial guarded by the parallelism sentinel as in a sweep. [`PointRun`] is the same
/// with its options (no guard, the sentinel's policy, your own `Env`).
pub fn run_point(
    primitive: &Primitive,
    point: &Point,
    trials: u32,
) -> Result<Vec<TrialOutput>, HarnessError> {
    Ok(PointRun::new(primitive, point.clone())
        .trials(trials)
        .run()?
        .trials)
}

/// Continues an interrupted sweep in `dir` (measured with [`sweep_into`] or
/// [`crate::sweep::session::measure`]) with the same `extra` primitives: runs only the
/// (point, trial) pairs it has no row for, appending to its files.
pub fn resume(dir: &Path, extra: &[Primitive]) -> Result<crate::sweep::SweepOutcome> {
    let lookup = lookup_with(extra);
    let (spec, dir, meta, prior) = crate::rundir::dir::resume_state_with(dir, &lookup)?;
    let resumed = meta.map(|meta| crate::sweep::session::Resumed { meta, prior });
    crate::sweep::session::measure(
        &spec,
        &dir,
        resumed,
        &lookup,
        &|| false,
        &mut crate::sweep::session::Lines::new(),
    )
}

/// The break-even sweep (threads = cores and 2 × cores, critical sections `cs_ns`, think
/// times 0 and the middle length as `lockbench breakeven` does, compact placement) of
/// spinner `spinner` against registered sleeping locks `sleepers` (the first
/// the headline, e.g. `futex-mutex`), with the parallelism sentinel guarding every trial if
/// `sentinel`, measured into a fresh run directory `out` (`None`: the default place),
/// analysed and written as `lockbench breakeven` writes it (breakeven.csv, the chart,
/// verdict.txt). Returns the directory and the verdict.
pub fn breakeven(
    spinner: Primitive,
    sleepers: &[&str],
    cs_ns: Vec<u64>,
    trials: u32,
    duration: Duration,
    sentinel: bool,
    out: Option<&Path>,
) -> Result<(PathBuf, String)> {
    use crate::experiments::breakeven::{check_lengths, check_side};
    check_lengths(&cs_ns)?;
    check_side(spinner.about.name, Some(&spinner))?;
    for s in sleepers {
        check_side(s, crate::registry::find(s))?;
    }
    let cores = crate::harness::host::Host::detect().usable_cpus();
    let mut locks = vec![spinner.about.name.to_string()];
    locks.extend(sleepers.iter().map(|s| s.to_string()));
    let think_ns = crate::experiments::breakeven::default_think(&cs_ns);
    let spec = crate::experiments::breakeven::spec(
        locks, cores, cs_ns, think_ns, trials, duration, sentinel,
    );
    let dir = sweep_into(&spec, &[spinner], out)?;
    let verdict =
        crate::experiments::breakeven::write_analysis(&dir, spinner.about.name, sleepers)?;
    Ok((dir, verdict))
}

/// A contended measurement for criterion's `iter_custom`: `threads` threads share one lock
/// and together do `iters` lock-protected operations, each the harness's critical section
/// (touch the protected data, then `cs` of calibrated busy work) from one shared budget; the
/// time is the wall time from the moment all threads are released together (spawned and
/// pinned beforehand, waiting on a spinning start flag) to the last one's finish. Mutual
/// exclusion and the total are checked after every call (a broken lock panics).
///
/// ```no_run
/// # use lockbench::custom::Contended;
/// # use std::time::Duration;
/// // In a criterion bench: c.bench_function("ttas/2 threads", |b| b.iter_custom(|iters| …))
/// let contended = Contended::new(2, Duration::from_nanos(100));
/// let took = contended.time::<lockbench::primitives::spin::TtasBackoff>(10_000);
/// let took_yours = contended.time_raw_mutex::<parking_lot::RawMutex>(10_000);
/// # let _ = (took, took_yours);
/// ```
#[derive(Debug, Clone)]
pub struct Contended {
    threads: usize,
    cs_units: u64,
    cpus: Vec<usize>,
}

impl Contended {
    /// `threads` threads, critical sections of `cs`, pinned as the harness pins (compact
    /// order, round-robin when there are more threads than CPUs); calibrates the busy work
    /// pinned on the first of those CPUs (about 200 ms).
    pub fn new(threads: usize, cs: Duration) -> Contended {
        let env = crate::harness::Env::detect();
        let cpus = env
            .host
            .topology
            .pin_order(crate::record::Placement::Compact, &env.host.allowed_cpus);
        Contended {
            threads: threads.max(1),
            cs_units: env.busy.units_for_ns(cs.as_nanos() as u64),
            cpus,
        }
    }

    /// Threads sharing the lock.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Wall time of `iters` operations on a harness-driven lock `L` (a registered primitive
    /// type, or one of the adapters of this module).
    pub fn time<L: Exclusive>(&self, iters: u64) -> Duration {
        crate::harness::time_exclusive_contended::<L>(
            self.threads,
            iters,
            self.cs_units,
            &self.cpus,
        )
    }

    /// Wall time of `iters` operations on your [`lock_api::RawMutex`].
    pub fn time_raw_mutex<R: lock_api::RawMutex + Send + Sync + 'static>(
        &self,
        iters: u64,
    ) -> Duration {
        self.time::<RawMutexLock<R>>(iters)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Pl(parking_lot::RawMutex);
    // SAFETY: forwards to parking_lot's RawMutex, which upholds the contract.
    unsafe impl lock_api::RawMutex for Pl {
        #[allow(clippy::declare_interior_mutable_const)]
        const INIT: Pl = Pl(<parking_lot::RawMutex as lock_api::RawMutex>::INIT);
        type GuardMarker = lock_api::GuardNoSend;
        fn lock(&self) {
            self.0.lock()
        }
        fn try_lock(&self) -> bool {
            self.0.try_lock()
        }
        unsafe fn unlock(&self) {
            // SAFETY: our caller holds the lock, as lock_api requires.
            unsafe { self.0.unlock() }
        }
    }
    impl Describe for Pl {
        const ABOUT: About = About::new("test-pl", Family::Mutex, "parking_lot, wrapped");
    }

    /// A lock that excludes nothing, for the checks that must catch it.
    struct Open;
    // SAFETY: deliberately broken (it never excludes); used only to prove the checks fire.
    unsafe impl lock_api::RawMutex for Open {
        #[allow(clippy::declare_interior_mutable_const)]
        const INIT: Open = Open;
        type GuardMarker = lock_api::GuardNoSend;
        fn lock(&self) {}
        fn try_lock(&self) -> bool {
            true
        }
        unsafe fn unlock(&self) {}
    }
    impl Describe for Open {
        const ABOUT: About = About::new("test-open", Family::Mutex, "excludes nothing");
    }

    #[test]
    fn names_that_clash_are_refused() {
        // Only the name matters: a primitive that is never run.
        let std_named = Primitive::custom(
            About::new("std-mutex", Family::Mutex, "a clash"),
            crate::registry::Kind::Exclusive,
            |_, _, _| unreachable!("never run"),
        );
        let err = crate::sweep::session::check_names(&[std_named]).unwrap_err();
        assert!(err.0.contains("registered"), "{err}");
        let err = crate::sweep::session::check_names(&[mutex::<Pl>(), mutex::<Pl>()]).unwrap_err();
        assert!(err.0.contains("unique"), "{err}");
        assert!(crate::sweep::session::check_names(&[mutex::<Pl>(), mutex::<Open>()]).is_ok());
    }

    /// A lock that takes its flag with the right orderings but never waits for it to be free:
    /// it skips the protocol that makes it exclude, so two owners can be inside at once.
    struct Unwaiting(std::sync::atomic::AtomicBool);
    // SAFETY: deliberately broken (it never excludes); used only to prove the checks fire.
    unsafe impl lock_api::RawMutex for Unwaiting {
        #[allow(clippy::declare_interior_mutable_const)]
        const INIT: Unwaiting = Unwaiting(std::sync::atomic::AtomicBool::new(false));
        type GuardMarker = lock_api::GuardNoSend;
        fn lock(&self) {
            // Acquire: pairs with the Release store in `unlock`, as a real lock's would.
            self.0.swap(true, std::sync::atomic::Ordering::Acquire);
        }
        fn try_lock(&self) -> bool {
            self.lock();
            true
        }
        unsafe fn unlock(&self) {
            // Release: pairs with the Acquire swap in `lock`.
            self.0.store(false, std::sync::atomic::Ordering::Release);
        }
    }
    impl Describe for Unwaiting {
        const ABOUT: About = About::new("test-unwaiting", Family::Mutex, "never waits");
    }

    /// The criterion helper never times a lock that does not exclude: two threads pinned on
    /// two CPUs (CI has two), 1 000 000 sections. Its workers stop on the protected count, so
    /// a lock that loses updates runs longer; the per-thread section counts expose it, with
    /// the count's own message (checked before the probabilistic overlap check).
    #[test]
    #[should_panic(expected = "updates lost")]
    fn contended_timing_refuses_a_lock_that_loses_updates() {
        // Needs two CPUs: two threads that really run at once lose updates by the thousand;
        // on one CPU they would mostly take turns, and the overlap check would speak first.
        Contended::new(2, Duration::from_nanos(50)).time_raw_mutex::<Unwaiting>(1_000_000);
    }

    #[test]
    fn an_outside_raw_mutex_is_measured_and_checked() {
        let p = mutex::<Pl>();
        assert_eq!(p.about.name, "test-pl");
        let point = Point {
            setting: crate::record::Setting {
                threads: 2,
                cs_ns: 50,
                ..Point::new("test-pl").setting
            },
            duration: Duration::from_millis(20),
            warmup: Duration::from_millis(5),
            ..Point::new("test-pl")
        };
        let out = run_point(&p, &point, 1).unwrap();
        assert_eq!(out[0].record.primitive, "test-pl");
        assert!(out[0].record.ops > 0);
        // Three threads, unpinned: exactly the budget runs (checked inside), whatever the split.
        let c = Contended {
            threads: 3,
            cs_units: 10,
            cpus: Vec::new(),
        };
        assert!(c.time_raw_mutex::<Pl>(1_001) > Duration::ZERO);
    }

    struct PlRw(parking_lot::RawRwLock);
    // SAFETY: forwards to parking_lot's RawRwLock, which upholds the contract.
    unsafe impl lock_api::RawRwLock for PlRw {
        #[allow(clippy::declare_interior_mutable_const)]
        const INIT: PlRw = PlRw(<parking_lot::RawRwLock as lock_api::RawRwLock>::INIT);
        type GuardMarker = lock_api::GuardNoSend;
        fn lock_shared(&self) {
            self.0.lock_shared()
        }
        fn try_lock_shared(&self) -> bool {
            self.0.try_lock_shared()
        }
        unsafe fn unlock_shared(&self) {
            // SAFETY: our caller holds a shared lock, as lock_api requires.
            unsafe { self.0.unlock_shared() }
        }
        fn lock_exclusive(&self) {
            self.0.lock_exclusive()
        }
        fn try_lock_exclusive(&self) -> bool {
            self.0.try_lock_exclusive()
        }
        unsafe fn unlock_exclusive(&self) {
            // SAFETY: our caller holds the exclusive lock, as lock_api requires.
            unsafe { self.0.unlock_exclusive() }
        }
    }
    impl Describe for PlRw {
        const ABOUT: About = About::new("test-pl-rw", Family::Rwlock, "parking_lot, wrapped");
    }

    #[test]
    fn an_outside_raw_rwlock_is_measured_with_reads_and_takes_the_read_ratio_axis() {
        let p = rwlock::<PlRw>();
        assert_eq!(p.kind, crate::registry::Kind::RwLock);
        let point = Point {
            setting: crate::record::Setting {
                threads: 2,
                read_ratio: Some(0.5),
                ..Point::new("test-pl-rw").setting
            },
            duration: Duration::from_millis(20),
            warmup: Duration::from_millis(5),
            ..Point::new("test-pl-rw")
        };
        let out = run_point(&p, &point, 1).unwrap();
        assert!(out[0].record.ops > 0);
        let spec = SweepSpec {
            locks: vec!["test-pl-rw".into()],
            threads: vec![2],
            cs_ns: vec![0],
            read_ratios: vec![0.5, 0.9],
            trials: 1,
            ..crate::sweep::Preset::Quick.spec(2)
        };
        let mine = [p];
        let lookup = lookup_with(&mine);
        assert_eq!(spec.plan_with(&lookup).count(), 2, "one run per read ratio");
    }

    #[test]
    fn the_lookup_finds_yours_and_the_registry() {
        let mine = [mutex::<Pl>()];
        let lookup = lookup_with(&mine);
        assert!(lookup("test-pl").is_some());
        assert!(lookup("std-mutex").is_some());
        assert!(lookup("no-such-lock").is_none());
    }
}
