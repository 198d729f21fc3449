//! Spinlocks: waiters burn CPU polling the lock word instead of sleeping.
//!
//! When to use one (and when not): a spinlock only pays when critical sections are shorter
//! than the cost of putting a thread to sleep and waking it, *and* every lock holder is
//! running. Under oversubscription (more runnable threads than cores) a preempted holder makes
//! every waiter spin for a whole scheduler time slice; lockbench measures exactly that regime.

mod backoff;
mod clh;
mod mcs;
mod tas;
mod ticket;
mod ttas;

pub(crate) use backoff::hints_for_ns;
pub use backoff::{BACKOFF_MAX_NS, BACKOFF_MIN_NS, ExpBackoff, NoBackoff, Relax, ns_per_spin_hint};
pub use clh::{Clh, ClhNode};
pub use mcs::{Mcs, McsNode};
pub use tas::Tas;
pub use ticket::Ticket;
pub use ttas::{Ttas, TtasBackoff};
