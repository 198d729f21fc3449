//! What a primitive says about itself: its name, family, one-line description and the
//! properties the harness, the report and the tests act on. Every measurable type implements
//! [`Describe`]; the registry builds its entries from these constants, so a primitive's name is
//! written once, next to its code.

/// A group of primitives compared together. In CSV and on the command line by its lowercase
/// name ([`Family::as_str`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(not(loom), derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(not(loom), serde(rename_all = "lowercase"))]
pub enum Family {
    /// The harness with no primitive: its own overhead.
    #[default]
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
    pub const fn as_str(self) -> &'static str {
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

    /// The family named `name` (as in CSV), if any.
    pub fn parse(name: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

impl std::fmt::Display for Family {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
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

impl Kind {
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
            Kind::Striped => Some(DEFAULT_STRIPES),
            Kind::Bank => Some(DEFAULT_ACCOUNTS),
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

/// Stripes in a striped-table point when it does not say.
pub const DEFAULT_STRIPES: usize = 16;
/// Accounts in a bank-transfer point when it does not say.
pub const DEFAULT_ACCOUNTS: usize = 64;

/// A primitive's self-description. Built with [`About::new`] and the `const` modifiers below,
/// so an `impl Describe` reads as one sentence:
/// `About::new("std-mutex", Family::Mutex, "…").from_crate().sleeps()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct About {
    /// Stable kebab-case name, used on the command line and in CSV.
    pub name: &'static str,
    /// Family.
    pub family: Family,
    /// One line: what it is.
    pub description: &'static str,
    /// Hand-written here (and so model-checked by loom) rather than taken from a crate.
    pub hand_written: bool,
    /// How its threads wait: a spinner keeps its CPU busy all window long, which makes its
    /// CPU share a signal of interference (`harness::sentinel::Signal::CpuShare`).
    pub waits: Waiting,
    /// Hands the lock to the longest waiter (ticket, queue locks): under oversubscription
    /// every hand-off may wait for a descheduled waiter's time slice.
    pub fifo: bool,
    /// Its correctness is checked in every run (mutual exclusion, exact counts). `false` for
    /// the baseline without a lock and the deliberately racy counter, whose lost updates are
    /// the result, not an error.
    pub checked: bool,
}

impl About {
    /// A hand-written, spinning, checked, non-FIFO primitive; the modifiers change that.
    pub const fn new(name: &'static str, family: Family, description: &'static str) -> About {
        About {
            name,
            family,
            description,
            hand_written: true,
            waits: Waiting::Spins,
            fifo: false,
            checked: true,
        }
    }

    /// Taken from a crate (or the standard library), not written here.
    pub const fn from_crate(self) -> About {
        About {
            hand_written: false,
            ..self
        }
    }

    /// May block in the kernel while waiting.
    pub const fn sleeps(self) -> About {
        About {
            waits: Waiting::Sleeps,
            ..self
        }
    }

    /// Grants in arrival order.
    pub const fn fifo(self) -> About {
        About { fifo: true, ..self }
    }

    /// Not checked for correctness in a run (see [`About::checked`]).
    pub const fn unchecked(self) -> About {
        About {
            checked: false,
            ..self
        }
    }
}

/// A measurable type's self-description (see [`About`]).
pub trait Describe {
    /// Name, family, description and properties.
    const ABOUT: About;
}
