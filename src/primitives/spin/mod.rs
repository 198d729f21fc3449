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

/// A queue lock's threads exclude each other while each reuses its one node for every
/// acquisition, blocking and trying: `threads` threads, `rounds` sections each, an occupancy
/// check inside and an exact count after. Few rounds under Miri (`scripts/miri.sh`), which
/// interprets every step.
#[cfg(all(test, not(loom)))]
fn threads_reusing_their_nodes_exclude<L: crate::primitives::Exclusive>(lock: L, threads: usize) {
    use std::cell::UnsafeCell;
    use std::sync::atomic::{AtomicUsize, Ordering};
    struct Shared<L> {
        lock: L,
        inside: AtomicUsize,
        count: UnsafeCell<usize>,
    }
    // SAFETY: `count` is only touched under `lock`, which is what this test checks.
    unsafe impl<L: Sync> Sync for Shared<L> {}
    let shared = Shared {
        lock,
        inside: AtomicUsize::new(0),
        count: UnsafeCell::new(0),
    };
    let rounds = if cfg!(miri) { 50 } else { 2_000 };
    std::thread::scope(|s| {
        for t in 0..threads {
            let sh = &shared;
            s.spawn(move || {
                let mut node = L::Node::default();
                let f = || {
                    // Relaxed: an occupancy count; the lock orders the sections.
                    assert_eq!(sh.inside.fetch_add(1, Ordering::Relaxed), 0, "two holders");
                    // SAFETY: the lock is held.
                    unsafe { *sh.count.get() += 1 };
                    sh.inside.fetch_sub(1, Ordering::Relaxed);
                };
                for i in 0..rounds {
                    if (i + t) % 3 == 0 {
                        while sh.lock.try_with(&mut node, f).is_none() {
                            std::hint::spin_loop();
                        }
                    } else {
                        sh.lock.with(&mut node, f);
                    }
                }
            });
        }
    });
    assert_eq!(shared.count.into_inner(), threads * rounds);
}
