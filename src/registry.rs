//! Every primitive lockbench can measure. A primitive describes itself (`Describe::ABOUT`:
//! name, family, description, properties, next to its code); the registry is the list of
//! types, one line each, in [`for_each_primitive!`](crate::for_each_primitive), which builds [`PRIMITIVES`] and lets the
//! benches and stress tests iterate the same list with their own generic code.
//!
//! Adding a primitive: write it in one file under `src/primitives/` with its `impl Describe`,
//! then add one line to [`for_each_primitive!`](crate::for_each_primitive).

use crate::harness::workloads::Workload;
use crate::harness::{
    Env, HarnessError, Point, TrialOutput, run_barrier, run_counter, run_exclusive, run_queue,
    run_rwlock, run_semaphore,
};
use crate::primitives::Exclusive;
pub use crate::primitives::about::{About, Describe, Family, Kind, Waiting};
use crate::primitives::classic::{Channel, Permits, PhaseBarrier};
use crate::primitives::counter::Counter;
use crate::primitives::rwlock::ReadWrite;

/// Calls macro `$m` with every registered primitive, in display order, as `kind Type;` pairs.
/// The kind says which harness loop drives the type (and which trait it implements):
/// `exclusive` ([`Exclusive`]), `rwlock` ([`ReadWrite`]), `counter` ([`Counter`]),
/// `semaphore` ([`Permits`]), `queue` ([`Channel`]), `barrier` ([`PhaseBarrier`]) and
/// `workload` ([`Workload`]: keyed tables and bank transfers, which run themselves).
///
/// This is the registry: one line per primitive.
#[macro_export]
macro_rules! for_each_primitive {
    ($m:ident) => {
        $m! {
            exclusive $crate::primitives::external::NoLock;
            exclusive $crate::primitives::spin::Tas;
            exclusive $crate::primitives::spin::Ttas;
            exclusive $crate::primitives::spin::TtasBackoff;
            exclusive $crate::primitives::spin::Ticket;
            exclusive $crate::primitives::spin::Mcs;
            exclusive $crate::primitives::spin::Clh;
            exclusive $crate::primitives::external::SpinRsMutex;
            exclusive $crate::primitives::external::SpinRsTicket;
            exclusive $crate::primitives::futex::FutexMutex;
            exclusive $crate::primitives::futex::AdaptiveMutex<1_000>;
            exclusive $crate::primitives::futex::AdaptiveMutex<100>;
            exclusive $crate::primitives::futex::AdaptiveMutex<10_000>;
            exclusive $crate::primitives::external::StdMutex;
            exclusive $crate::primitives::external::ParkingLotMutex;
            exclusive $crate::primitives::external::ParkingLotFairMutex;
            exclusive $crate::primitives::pthread::PthreadMutex;
            counter $crate::primitives::counter::CasCounter;
            counter $crate::primitives::counter::CasBackoffCounter;
            counter $crate::primitives::counter::FetchAddCounter;
            counter $crate::primitives::counter::ShardedCounter;
            counter $crate::primitives::counter::RacyCounter;
            rwlock $crate::primitives::rwlock::ReaderPrefRwLock;
            rwlock $crate::primitives::rwlock::WriterPrefRwLock;
            rwlock $crate::primitives::rwlock::PhaseFairRwLock;
            rwlock $crate::primitives::rwlock::SeqLock;
            rwlock $crate::primitives::external::StdRwLock;
            rwlock $crate::primitives::external::ParkingLotRwLock;
            rwlock $crate::primitives::pthread::PthreadRwLock;
            workload $crate::harness::workloads::StripedSpin;
            workload $crate::harness::workloads::StripedMutex;
            workload $crate::harness::workloads::CoarseMutex;
            workload $crate::harness::workloads::DashMapTable;
            workload $crate::harness::workloads::BankOrdered;
            workload $crate::harness::workloads::BankTrylock;
            exclusive $crate::primitives::classic::ReentrantMutex<$crate::primitives::futex::FutexMutex>;
            exclusive $crate::primitives::external::ParkingLotReentrant;
            semaphore $crate::primitives::classic::FutexSemaphore;
            semaphore $crate::primitives::classic::CondvarSemaphore;
            queue $crate::primitives::classic::CondvarQueue;
            queue $crate::primitives::external::StdSyncChannel;
            queue $crate::primitives::external::CrossbeamBounded;
            barrier $crate::primitives::classic::SenseBarrier;
            barrier $crate::primitives::classic::StdBarrier;
        }
    };
}

/// Runs one trial of one point.
pub type Runner = fn(&Env, &Point, u32) -> Result<TrialOutput, HarnessError>;

/// One registered primitive: its self-description, how it is driven and its runner
/// (monomorphised for its type: no dynamic dispatch below this function pointer).
#[derive(Debug, Clone, Copy)]
pub struct Primitive {
    /// Everything the primitive says about itself: name, family, description, how it waits,
    /// whether it is hand-written, FIFO, checked.
    pub about: About,
    /// How it is driven.
    pub kind: Kind,
    runner: Runner,
}

impl Primitive {
    /// Runs trial `trial` of `point` (whose `primitive` must be this one's name).
    /// Every row says what the primitive declared about itself when it was measured (family,
    /// checked, sleeps), so readers never consult a registry that may not know it.
    pub fn run(&self, env: &Env, point: &Point, trial: u32) -> Result<TrialOutput, HarnessError> {
        let mut out = (self.runner)(env, point, trial)?;
        out.record.family = self.about.family;
        out.record.checked = self.about.checked;
        out.record.sleeps = self.about.waits == Waiting::Sleeps;
        Ok(out)
    }

    /// A primitive outside the registry: `runner` runs its trials. For tests of everything
    /// above the harness (a fake that returns synthetic rows) and for users' own locks.
    pub const fn custom(about: About, kind: Kind, runner: Runner) -> Primitive {
        Primitive {
            about,
            kind,
            runner,
        }
    }

    /// A mutual-exclusion lock (checked unless its `About` says otherwise).
    pub const fn exclusive<L: Exclusive + Describe>() -> Primitive {
        Primitive::custom(L::ABOUT, Kind::Exclusive, |e, p, t| {
            run_exclusive::<L>(e, p, L::ABOUT.family, t, L::ABOUT.checked)
        })
    }

    /// A reader-writer lock.
    pub const fn rwlock<R: ReadWrite + Describe>() -> Primitive {
        Primitive::custom(R::ABOUT, Kind::RwLock, |e, p, t| {
            run_rwlock::<R>(e, p, R::ABOUT.family, t)
        })
    }

    /// A shared counter (exact unless its `About` says otherwise).
    pub const fn counter<C: Counter + Describe>() -> Primitive {
        Primitive::custom(C::ABOUT, Kind::Counter, |e, p, t| {
            run_counter::<C>(e, p, C::ABOUT.family, t, C::ABOUT.checked)
        })
    }

    /// A counting semaphore.
    pub const fn semaphore<S: Permits + Describe>() -> Primitive {
        Primitive::custom(S::ABOUT, Kind::Semaphore, |e, p, t| {
            run_semaphore::<S>(e, p, S::ABOUT.family, t)
        })
    }

    /// A bounded channel.
    pub const fn queue<C: Channel + Describe>() -> Primitive {
        Primitive::custom(C::ABOUT, Kind::Queue, |e, p, t| {
            run_queue::<C>(e, p, C::ABOUT.family, t)
        })
    }

    /// A barrier.
    pub const fn barrier<B: PhaseBarrier + Describe>() -> Primitive {
        Primitive::custom(B::ABOUT, Kind::Barrier, |e, p, t| {
            run_barrier::<B>(e, p, B::ABOUT.family, t)
        })
    }

    /// A workload that runs itself.
    pub const fn workload<W: Workload>() -> Primitive {
        Primitive::custom(W::ABOUT, W::KIND, W::run)
    }
}

macro_rules! registry_entries {
    ($($kind:ident $ty:ty;)*) => {
        &[$(Primitive::$kind::<$ty>()),*]
    };
}

/// The registry, in display order.
pub static PRIMITIVES: &[Primitive] = for_each_primitive!(registry_entries);

/// Generic code run once per registered primitive, by kind: implement the methods for the
/// kinds you handle (the others do nothing) and pass it to [`visit`]. This is how the benches
/// and the stress tests cover every primitive without naming one.
pub trait Visit {
    /// A mutual-exclusion lock.
    fn exclusive<L: Exclusive + Describe>(&mut self) {}
    /// A reader-writer lock.
    fn rwlock<R: ReadWrite + Describe>(&mut self) {}
    /// A shared counter.
    fn counter<C: Counter + Describe>(&mut self) {}
    /// A counting semaphore.
    fn semaphore<S: Permits + Describe>(&mut self) {}
    /// A bounded channel.
    fn queue<C: Channel + Describe>(&mut self) {}
    /// A barrier.
    fn barrier<B: PhaseBarrier + Describe>(&mut self) {}
    /// A workload that runs itself.
    fn workload<W: Workload>(&mut self) {}
}

macro_rules! visit_entries {
    ($($kind:ident $ty:ty;)*) => {
        /// Calls `v`'s method for each registered primitive's kind, with its type, in order.
        pub fn visit<V: Visit>(v: &mut V) {
            $(v.$kind::<$ty>();)*
        }
    };
}
for_each_primitive!(visit_entries);

/// The baseline: the harness with no lock (its own per-op cost).
pub fn baseline() -> &'static Primitive {
    PRIMITIVES
        .iter()
        .find(|p| p.about.family == Family::Baseline)
        .expect("the registry has a baseline")
}

/// The primitive called `name`.
pub fn find(name: &str) -> Option<&'static Primitive> {
    PRIMITIVES.iter().find(|p| p.about.name == name)
}

/// Up to three registered names closest to `name` (for "did you mean" hints).
pub fn closest(name: &str) -> Vec<&'static str> {
    let mut scored: Vec<(usize, &'static str)> = PRIMITIVES
        .iter()
        .map(|p| {
            let d = edit_distance(name, p.about.name);
            // A prefix or substring match is as good as a near miss.
            let d = if p.about.name.contains(name) || name.contains(p.about.name) {
                d.min(2)
            } else {
                d
            };
            (d, p.about.name)
        })
        .filter(|&(d, n)| d <= (n.len().max(name.len()) / 2).max(2))
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

/// Levenshtein distance.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (diag + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case() {
        for (i, p) in PRIMITIVES.iter().enumerate() {
            assert!(
                p.about
                    .name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{} is not kebab-case",
                p.about.name
            );
            assert!(
                PRIMITIVES[..i].iter().all(|q| q.about.name != p.about.name),
                "duplicate {}",
                p.about.name
            );
            assert!(!p.about.description.is_empty());
        }
    }

    #[test]
    fn at_least_sixteen_across_the_three_families() {
        let n = |f| PRIMITIVES.iter().filter(|p| p.about.family == f).count();
        assert!(n(Family::Spin) + n(Family::Mutex) + n(Family::Atomic) >= 16);
        assert!(n(Family::Spin) >= 5 && n(Family::Mutex) >= 4 && n(Family::Atomic) >= 4);
    }

    #[test]
    fn suggestions() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(closest("spin-tass")[0], "spin-tas");
        assert!(closest("futex").contains(&"futex-mutex"));
        assert!(closest("zzzzzzzzzzzz").is_empty());
    }
}
