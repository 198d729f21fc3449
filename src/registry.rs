//! Every primitive lockbench can measure: a stable kebab-case name, a family, a one-line
//! description, and the harness runner monomorphised for its type.
//!
//! Adding a primitive: write it under `src/primitives/`, then add one line to [`PRIMITIVES`].

use crate::harness::workloads;
use crate::harness::{
    Env, HarnessError, Point, TrialOutput, run_counter, run_exclusive, run_rwlock,
};
use crate::harness::{run_barrier, run_queue, run_semaphore};
use crate::primitives::Exclusive;
use crate::primitives::classic::{
    Channel, CondvarQueue, CondvarSemaphore, FutexSemaphore, Permits, PhaseBarrier, ReentrantMutex,
    SenseBarrier, StdBarrier,
};
use crate::primitives::counter::{
    CasBackoffCounter, CasCounter, Counter, FetchAddCounter, RacyCounter, ShardedCounter,
};
use crate::primitives::external::{CrossbeamBounded, ParkingLotReentrant, StdSyncChannel};
use crate::primitives::external::{
    NoLock, ParkingLotFairMutex, ParkingLotMutex, SpinRsMutex, SpinRsTicket, StdMutex,
};
use crate::primitives::external::{ParkingLotRwLock, StdRwLock};
use crate::primitives::futex::{AdaptiveMutex, FutexMutex};
use crate::primitives::rwlock::{
    PhaseFairRwLock, ReadWrite, ReaderPrefRwLock, SeqLock, WriterPrefRwLock,
};
use crate::primitives::spin::{Mcs, Tas, Ticket, Ttas, TtasBackoff};

/// A group of primitives compared together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// The harness with no primitive: its own overhead.
    Baseline,
    /// Spinlocks.
    Spin,
    /// Sleeping and adaptive mutexes.
    Mutex,
    /// Lock-free and wait-free counters (and the racy one).
    Atomic,
    /// Reader-writer locks and the seqlock.
    Rwlock,
    /// Lock striping, a concurrent map, and multi-lock bank transfers.
    Striped,
    /// Reentrant mutexes, semaphores, bounded queues, barriers.
    Classic,
}

impl Family {
    /// All families, in display order.
    pub const ALL: [Family; 7] = [
        Family::Baseline,
        Family::Spin,
        Family::Mutex,
        Family::Atomic,
        Family::Rwlock,
        Family::Striped,
        Family::Classic,
    ];

    /// The name used on the command line and in CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Baseline => "baseline",
            Family::Spin => "spin",
            Family::Mutex => "mutex",
            Family::Atomic => "atomic",
            Family::Rwlock => "rwlock",
            Family::Striped => "striped",
            Family::Classic => "classic",
        }
    }
}

/// How a primitive is driven, which decides the axes it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A mutual-exclusion lock (or none, for the baseline).
    Exclusive,
    /// A shared counter.
    Counter,
    /// A reader-writer lock: takes the read-ratio axis.
    RwLock,
    /// A striped lock table: takes stripes and key skew.
    Striped,
    /// A keyed structure with a fixed number of locks (coarse lock, dashmap): takes key skew.
    Keyed,
    /// Bank transfers: takes accounts (the stripes axis) and key skew.
    Bank,
    /// A counting semaphore: takes permits (the stripes axis).
    Semaphore,
    /// A bounded producer/consumer channel (time-driven only).
    Queue,
    /// A barrier (time-driven only).
    Barrier,
}

/// Which workload-specific axes a kind of primitive takes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Axes {
    /// `--read-ratio`.
    pub read_ratio: bool,
    /// `--stripes` (stripes, accounts or permits).
    pub stripes: bool,
    /// `--skew`.
    pub key_skew: bool,
}

impl Kind {
    /// The workload-specific axes this kind takes.
    pub fn axes(self) -> Axes {
        match self {
            Kind::Exclusive | Kind::Counter => Axes::default(),
            Kind::RwLock => Axes {
                read_ratio: true,
                ..Axes::default()
            },
            Kind::Striped | Kind::Bank => Axes {
                stripes: true,
                key_skew: true,
                ..Axes::default()
            },
            Kind::Keyed => Axes {
                key_skew: true,
                ..Axes::default()
            },
            Kind::Semaphore => Axes {
                stripes: true,
                ..Axes::default()
            },
            Kind::Queue | Kind::Barrier => Axes::default(),
        }
    }

    /// Whether `--layout` (the protected data inline or apart) applies to this kind: the
    /// lock loops do; the other workloads have their own data layout.
    pub fn takes_layout(self) -> bool {
        matches!(self, Kind::Exclusive | Kind::RwLock)
    }

    /// Whether `--fixed-ops` (fixed total work) makes sense for this kind.
    pub fn supports_fixed_ops(self) -> bool {
        !matches!(self, Kind::Queue | Kind::Barrier)
    }

    /// The stripes / accounts / permits a point gets when it does not say.
    pub fn default_stripes(self) -> Option<usize> {
        match self {
            Kind::Striped => Some(crate::harness::workloads::DEFAULT_STRIPES),
            Kind::Bank => Some(crate::harness::workloads::DEFAULT_ACCOUNTS),
            _ => None,
        }
    }

    /// Checks a stripes value for this kind; the message says what is wrong.
    pub fn check_stripes(self, n: usize) -> Result<(), String> {
        match self {
            Kind::Striped if !n.is_power_of_two() => {
                Err(format!("{n} stripes: use a power of two (1, 2, 4 … 1024)"))
            }
            Kind::Bank if n < 2 => Err(format!("{n} account(s): a transfer needs at least 2")),
            Kind::Semaphore if n > u32::MAX as usize => Err(format!("{n} permits is too many")),
            _ if n > 1 << 20 => Err(format!("{n} is too many")),
            _ => Ok(()),
        }
    }
}

/// How a primitive's threads wait when they cannot proceed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    /// Busy-waits (or never waits): every thread is on its CPU the whole window.
    Spins,
    /// May block in the kernel (futex, condvar, park), giving its CPU away.
    Sleeps,
}

/// Runs one trial of one point.
type Runner = fn(&Env, &Point, &str, u32) -> Result<TrialOutput, HarnessError>;

/// One registered primitive.
#[derive(Debug, Clone, Copy)]
pub struct Primitive {
    /// Stable kebab-case name, used on the command line and in CSV.
    pub name: &'static str,
    /// Family.
    pub family: Family,
    /// How it is driven.
    pub kind: Kind,
    /// Hand-written here (and so model-checked by loom) rather than from a crate.
    pub hand_written: bool,
    /// How its threads wait: a spinner keeps its CPU busy all window long, which makes its
    /// CPU share a signal of interference (see `harness::sentinel::Signal::CpuShare`).
    pub waits: Waiting,
    /// One line: what it is.
    pub description: &'static str,
    runner: Runner,
}

impl Primitive {
    /// Runs trial `trial` of `point` (whose `primitive` must be this one's name).
    pub fn run(&self, env: &Env, point: &Point, trial: u32) -> Result<TrialOutput, HarnessError> {
        (self.runner)(env, point, self.family.as_str(), trial)
    }
}

fn lock<L: Exclusive>(
    env: &Env,
    p: &Point,
    family: &str,
    trial: u32,
) -> Result<TrialOutput, HarnessError> {
    run_exclusive::<L>(env, p, family, trial, true)
}

fn unchecked<L: Exclusive>(
    env: &Env,
    p: &Point,
    family: &str,
    trial: u32,
) -> Result<TrialOutput, HarnessError> {
    run_exclusive::<L>(env, p, family, trial, false)
}

fn rwlock<R: ReadWrite>(
    env: &Env,
    p: &Point,
    family: &str,
    trial: u32,
) -> Result<TrialOutput, HarnessError> {
    run_rwlock::<R>(env, p, family, trial)
}

fn striped<L: Exclusive>(
    env: &Env,
    p: &Point,
    family: &str,
    trial: u32,
) -> Result<TrialOutput, HarnessError> {
    workloads::run_striped::<L>(env, p, family, trial, false)
}

fn coarse<L: Exclusive>(
    env: &Env,
    p: &Point,
    family: &str,
    trial: u32,
) -> Result<TrialOutput, HarnessError> {
    workloads::run_striped::<L>(env, p, family, trial, true)
}

fn semaphore<S: Permits>(
    env: &Env,
    p: &Point,
    family: &str,
    trial: u32,
) -> Result<TrialOutput, HarnessError> {
    run_semaphore::<S>(env, p, family, trial)
}

fn queue<C: Channel>(
    env: &Env,
    p: &Point,
    family: &str,
    trial: u32,
) -> Result<TrialOutput, HarnessError> {
    run_queue::<C>(env, p, family, trial)
}

fn barrier<B: PhaseBarrier>(
    env: &Env,
    p: &Point,
    family: &str,
    trial: u32,
) -> Result<TrialOutput, HarnessError> {
    run_barrier::<B>(env, p, family, trial)
}

fn counter<C: Counter>(
    env: &Env,
    p: &Point,
    family: &str,
    trial: u32,
) -> Result<TrialOutput, HarnessError> {
    run_counter::<C>(env, p, family, trial)
}

macro_rules! entry {
    ($name:literal, $family:ident, $kind:ident, $hand:literal, $waits:ident, $runner:expr, $desc:literal) => {
        Primitive {
            name: $name,
            family: Family::$family,
            kind: Kind::$kind,
            hand_written: $hand,
            waits: Waiting::$waits,
            description: $desc,
            runner: $runner,
        }
    };
}

/// The registry, in display order.
pub static PRIMITIVES: &[Primitive] = &[
    entry!(
        "null",
        Baseline,
        Exclusive,
        true,
        Spins,
        unchecked::<NoLock>,
        "no lock: the harness's own per-op cost (mutual exclusion not checked)"
    ),
    entry!(
        "spin-tas",
        Spin,
        Exclusive,
        true,
        Spins,
        lock::<Tas>,
        "test-and-set: every attempt is an atomic RMW on the lock line"
    ),
    entry!(
        "spin-ttas",
        Spin,
        Exclusive,
        true,
        Spins,
        lock::<Ttas>,
        "test-and-test-and-set: spin on loads, RMW only when the lock looks free"
    ),
    entry!(
        "spin-ttas-backoff",
        Spin,
        Exclusive,
        true,
        Spins,
        lock::<TtasBackoff>,
        "TTAS with bounded exponential backoff (25 ns doubling to 1 µs, time-calibrated)"
    ),
    entry!(
        "spin-ticket",
        Spin,
        Exclusive,
        true,
        Spins,
        lock::<Ticket>,
        "ticket lock: FIFO, one fetch_add per acquire, all waiters spin on one line"
    ),
    entry!(
        "spin-mcs",
        Spin,
        Exclusive,
        true,
        Spins,
        lock::<Mcs>,
        "MCS queue lock: FIFO, each waiter spins on its own cache-padded node"
    ),
    entry!(
        "spin-rs",
        Spin,
        Exclusive,
        false,
        Spins,
        lock::<SpinRsMutex>,
        "spin::Mutex (spin-rs crate): ecosystem test-and-set spinlock"
    ),
    entry!(
        "spin-rs-ticket",
        Spin,
        Exclusive,
        false,
        Spins,
        lock::<SpinRsTicket>,
        "spin::TicketMutex (spin-rs crate): ecosystem ticket lock"
    ),
    entry!(
        "futex-mutex",
        Mutex,
        Exclusive,
        true,
        Sleeps,
        lock::<FutexMutex>,
        "never spins: 3-state futex mutex (unlocked/locked/contended), sleeps at once"
    ),
    entry!(
        "adaptive-mutex",
        Mutex,
        Exclusive,
        true,
        Sleeps,
        lock::<AdaptiveMutex<1_000>>,
        "spin up to 1 µs (time-calibrated), then sleep on the futex"
    ),
    entry!(
        "adaptive-mutex-100ns",
        Mutex,
        Exclusive,
        true,
        Sleeps,
        lock::<AdaptiveMutex<100>>,
        "spin up to 100 ns, then sleep on the futex"
    ),
    entry!(
        "adaptive-mutex-10us",
        Mutex,
        Exclusive,
        true,
        Sleeps,
        lock::<AdaptiveMutex<10_000>>,
        "spin up to 10 µs, then sleep on the futex"
    ),
    entry!(
        "std-mutex",
        Mutex,
        Exclusive,
        false,
        Sleeps,
        lock::<StdMutex>,
        "std::sync::Mutex: futex mutex with a fixed 100-iteration spin"
    ),
    entry!(
        "parking-lot-mutex",
        Mutex,
        Exclusive,
        false,
        Sleeps,
        lock::<ParkingLotMutex>,
        "parking_lot::Mutex: adaptive spin, then a global parking table; eventually fair"
    ),
    entry!(
        "parking-lot-fair-mutex",
        Mutex,
        Exclusive,
        false,
        Sleeps,
        lock::<ParkingLotFairMutex>,
        "parking_lot::FairMutex: hands the lock to the next waiter on every unlock"
    ),
    entry!(
        "cas-counter",
        Atomic,
        Counter,
        true,
        Spins,
        counter::<CasCounter>,
        "lock-free counter: load, compute, compare-and-swap, retry"
    ),
    entry!(
        "cas-backoff-counter",
        Atomic,
        Counter,
        true,
        Spins,
        counter::<CasBackoffCounter>,
        "CAS counter with exponential backoff after a failed CAS"
    ),
    entry!(
        "fetch-add-counter",
        Atomic,
        Counter,
        true,
        Spins,
        counter::<FetchAddCounter>,
        "wait-free counter: one fetch_add (LOCK XADD), never retries"
    ),
    entry!(
        "sharded-counter",
        Atomic,
        Counter,
        true,
        Spins,
        counter::<ShardedCounter>,
        "one cache-padded slot per thread, summed on read: no shared line"
    ),
    entry!(
        "racy-counter",
        Atomic,
        Counter,
        true,
        Spins,
        counter::<RacyCounter>,
        "BROKEN on purpose: separate load and store, loses updates (reports how many)"
    ),
    entry!(
        "rw-reader-pref",
        Rwlock,
        RwLock,
        true,
        Spins,
        rwlock::<ReaderPrefRwLock>,
        "spinning RwLock, reader-preferring: readers enter past waiting writers (writers can starve)"
    ),
    entry!(
        "rw-writer-pref",
        Rwlock,
        RwLock,
        true,
        Spins,
        rwlock::<WriterPrefRwLock>,
        "spinning RwLock, writer-preferring: a waiting writer blocks new readers (readers can starve)"
    ),
    entry!(
        "rw-phase-fair",
        Rwlock,
        RwLock,
        true,
        Spins,
        rwlock::<PhaseFairRwLock>,
        "spinning phase-fair ticket RwLock (Brandenburg & Anderson PF-T): phases alternate, writers FIFO"
    ),
    entry!(
        "rw-seqlock",
        Rwlock,
        RwLock,
        true,
        Spins,
        rwlock::<SeqLock>,
        "sequence lock: optimistic readers never write shared memory, retry if a writer overlapped"
    ),
    entry!(
        "std-rwlock",
        Rwlock,
        RwLock,
        false,
        Sleeps,
        rwlock::<StdRwLock>,
        "std::sync::RwLock: futex-based, writer-preferring, sleeps"
    ),
    entry!(
        "parking-lot-rwlock",
        Rwlock,
        RwLock,
        false,
        Sleeps,
        rwlock::<ParkingLotRwLock>,
        "parking_lot::RwLock: adaptive spin then park, eventually fair"
    ),
    entry!(
        "striped-spin",
        Striped,
        Striped,
        true,
        Spins,
        striped::<TtasBackoff>,
        "striped table: N cache-padded TTAS-backoff locks, key k guarded by stripe k & (N-1)"
    ),
    entry!(
        "striped-mutex",
        Striped,
        Striped,
        true,
        Sleeps,
        striped::<FutexMutex>,
        "striped table: N cache-padded futex mutexes, key k guarded by stripe k & (N-1)"
    ),
    entry!(
        "coarse-mutex",
        Striped,
        Keyed,
        true,
        Sleeps,
        coarse::<FutexMutex>,
        "one futex mutex over the whole keyed table: the reference that striping improves on"
    ),
    entry!(
        "dashmap",
        Striped,
        Keyed,
        false,
        Sleeps,
        workloads::run_dashmap,
        "dashmap::DashMap<u64, u64> (default shard count): the ecosystem's sharded map"
    ),
    entry!(
        "bank-ordered",
        Striped,
        Bank,
        true,
        Sleeps,
        workloads::run_bank::<FutexMutex, false>,
        "transfers lock two accounts in global (index) order: deadlock-free by construction"
    ),
    entry!(
        "bank-trylock",
        Striped,
        Bank,
        true,
        Sleeps,
        workloads::run_bank::<FutexMutex, true>,
        "transfers lock source, try-lock destination for 2 µs, else back off and retry"
    ),
    entry!(
        "reentrant-mutex",
        Classic,
        Exclusive,
        true,
        Sleeps,
        lock::<ReentrantMutex<FutexMutex>>,
        "reentrant mutex (owner token + depth over futex-mutex); each op locks, re-enters once, unlocks twice"
    ),
    entry!(
        "parking-lot-reentrant-mutex",
        Classic,
        Exclusive,
        false,
        Sleeps,
        lock::<ParkingLotReentrant>,
        "parking_lot::ReentrantMutex, measured the same way (lock, re-enter once)"
    ),
    entry!(
        "futex-semaphore",
        Classic,
        Semaphore,
        true,
        Sleeps,
        semaphore::<FutexSemaphore>,
        "counting semaphore on the futex; connection pool: threads share N permits (--stripes)"
    ),
    entry!(
        "condvar-semaphore",
        Classic,
        Semaphore,
        true,
        Sleeps,
        semaphore::<CondvarSemaphore>,
        "counting semaphore on std Mutex + Condvar, the textbook way; same pool workload"
    ),
    entry!(
        "condvar-queue",
        Classic,
        Queue,
        true,
        Sleeps,
        queue::<CondvarQueue>,
        "bounded queue on one Mutex + two Condvars; half the threads produce, half consume"
    ),
    entry!(
        "std-sync-channel",
        Classic,
        Queue,
        false,
        Sleeps,
        queue::<StdSyncChannel>,
        "std::sync::mpsc::sync_channel (consumers share the receiver behind a Mutex)"
    ),
    entry!(
        "crossbeam-channel",
        Classic,
        Queue,
        false,
        Sleeps,
        queue::<CrossbeamBounded>,
        "crossbeam_channel::bounded: lock-free MPMC array queue"
    ),
    entry!(
        "sense-barrier",
        Classic,
        Barrier,
        true,
        Spins,
        barrier::<SenseBarrier>,
        "sense-reversing spinning barrier; wait = release latency after the last arrival"
    ),
    entry!(
        "std-barrier",
        Classic,
        Barrier,
        false,
        Sleeps,
        barrier::<StdBarrier>,
        "std::sync::Barrier (Mutex + Condvar, sleeps)"
    ),
];

/// The primitive called `name`.
pub fn find(name: &str) -> Option<&'static Primitive> {
    PRIMITIVES.iter().find(|p| p.name == name)
}

/// Up to three registered names closest to `name` (for "did you mean" hints).
pub fn closest(name: &str) -> Vec<&'static str> {
    let mut scored: Vec<(usize, &'static str)> = PRIMITIVES
        .iter()
        .map(|p| {
            let d = edit_distance(name, p.name);
            // A prefix or substring match is as good as a near miss.
            let d = if p.name.contains(name) || name.contains(p.name) {
                d.min(2)
            } else {
                d
            };
            (d, p.name)
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
                p.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{} is not kebab-case",
                p.name
            );
            assert!(
                PRIMITIVES[..i].iter().all(|q| q.name != p.name),
                "duplicate {}",
                p.name
            );
            assert!(!p.description.is_empty());
        }
    }

    #[test]
    fn at_least_sixteen_across_the_three_families() {
        let n = |f| PRIMITIVES.iter().filter(|p| p.family == f).count();
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
