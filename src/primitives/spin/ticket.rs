//! Ticket spinlock: FIFO by construction.

use super::super::RawLock;
use crate::sync::{AtomicU32, Ordering, maybe_const_fn, spin_hint};

/// Ticket lock, like a bakery queue: take a number, wait until it is served.
///
/// Algorithm: `lock` takes `next` with one `fetch_add` and spins until `serving` equals it;
/// `unlock` increments `serving`. Acquisition order is arrival order, so no thread starves —
/// but only the next ticket can proceed, so a preempted next-in-line stalls everyone behind it
/// (the "convoy" that oversubscription exposes). Both counters wrap around: a ticket is only
/// ever compared for equality, so wrap-around is harmless while fewer than 2^32 threads wait.
#[derive(Debug)]
pub struct Ticket {
    /// The next ticket to hand out.
    next: AtomicU32,
    /// The ticket allowed in; the lock is free when `serving == next`.
    serving: AtomicU32,
}

impl Ticket {
    maybe_const_fn! {
        /// A new, unlocked lock.
        pub fn new() -> Ticket {
            Ticket { next: AtomicU32::new(0), serving: AtomicU32::new(0) }
        }
    }
}

impl Default for Ticket {
    fn default() -> Self {
        Ticket::new()
    }
}

// SAFETY: tickets are unique (fetch_add), and only the holder of ticket `serving` returns from
// `lock`; the Acquire load of `serving` synchronizes with the Release store in `unlock`.
unsafe impl RawLock for Ticket {
    fn new() -> Self {
        Ticket::new()
    }

    #[inline]
    fn lock(&self) {
        // Relaxed: drawing a ticket orders nothing; the Acquire load of `serving` does.
        let ticket = self.next.fetch_add(1, Ordering::Relaxed);
        // Acquire: pairs with the Release store in `unlock`.
        while self.serving.load(Ordering::Acquire) != ticket {
            spin_hint();
        }
    }

    #[inline]
    fn try_lock(&self) -> bool {
        // Acquire: pairs with the Release store in `unlock` that served this ticket.
        let serving = self.serving.load(Ordering::Acquire);
        // Relaxed: succeeds only if nobody holds or waits (next == serving); the Acquire load
        // above already ordered us after the last unlock.
        self.next
            .compare_exchange(
                serving,
                serving.wrapping_add(1),
                Ordering::Relaxed,
                Ordering::Relaxed,
            )
            .is_ok()
    }

    #[inline]
    unsafe fn unlock(&self) {
        // Relaxed: only the holder writes `serving`, so this reads our own ticket.
        let serving = self.serving.load(Ordering::Relaxed);
        debug_assert_ne!(
            serving,
            self.next.load(Ordering::Relaxed),
            "unlock of an unlocked Ticket"
        );
        // Release: publishes the critical section to the Acquire load in `lock`.
        self.serving
            .store(serving.wrapping_add(1), Ordering::Release);
    }
}

super::super::impl_raw_mutex!(Ticket);
