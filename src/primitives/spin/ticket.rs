//! Ticket spinlock: FIFO by construction.

use super::super::RawLock;
use crate::primitives::about::{About, Describe, Family};
use crate::sync::{AtomicU64, Ordering, maybe_const_fn, mutant, spin_hint};

/// One ticket drawn: `next` is the high half of the word.
const NEXT_ONE: u64 = 1 << 32;

/// The ticket now served (the low half of the word).
#[inline(always)]
fn serving(word: u64) -> u32 {
    word as u32
}

/// The next ticket to hand out (the high half of the word).
#[inline(always)]
fn next(word: u64) -> u32 {
    (word >> 32) as u32
}

/// Ticket lock, like a bakery queue: take a number, wait until it is served.
///
/// Algorithm: `lock` takes the `next` ticket with one `fetch_add` and spins until `serving`
/// equals it; `unlock` increments `serving`. Acquisition order is arrival order, so no thread
/// starves — but only the next ticket can proceed, so a preempted next-in-line stalls everyone
/// behind it (the "convoy" that oversubscription exposes).
///
/// Both counters are 32-bit halves of one 64-bit word, `next` high and `serving` low, so
/// `try_lock` can check "nobody holds or waits" (`next == serving`) and take a ticket in one
/// CAS of the whole word. With two separate words it had to read `serving` and then CAS
/// `next`, and succeeded wrongly if exactly 2^32 tickets were drawn in between.
///
/// Wrap-around: each half counts modulo 2^32 and is only ever compared for equality, which is
/// exact while fewer than 2^32 threads wait. The halves must not carry into each other:
/// - `lock` adds 2^32, so the carry out of `next` falls off the top of the word.
/// - `unlock` adds 1 to `serving`; when `serving` is `u32::MAX` that would carry into `next`,
///   so it adds `1 - 2^32` (mod 2^64) instead: the low half wraps to 0, and the carry plus the
///   `-1` leave the high half unchanged. Only the holder changes `serving`, so it knows which
///   case applies, and the unlock stays a single wait-free `fetch_add`.
#[derive(Debug)]
pub struct Ticket {
    /// `next` (high half): the next ticket to hand out; `serving` (low half): the ticket
    /// allowed in. The lock is free when the halves are equal.
    word: AtomicU64,
}

impl Ticket {
    maybe_const_fn! {
        /// A new, unlocked lock.
        pub fn new() -> Ticket {
            Ticket { word: AtomicU64::new(0) }
        }
    }
}

impl Default for Ticket {
    fn default() -> Self {
        Ticket::new()
    }
}

// SAFETY: tickets are unique (each is drawn by an atomic RMW on `next`), and only the holder
// of ticket `serving` returns from `lock` (or wins `try_lock`'s CAS, which requires
// `next == serving`); acquiring is an Acquire operation that reads the Release `fetch_add` of
// the previous `unlock` (or a later RMW in its release sequence).
unsafe impl RawLock for Ticket {
    fn new() -> Self {
        Ticket::new()
    }

    #[inline]
    fn lock(&self) {
        let word = if mutant("ticket-non-atomic-draw") {
            // The broken twin: the ticket comes from a plain load, then `next` is bumped
            // separately, so two threads can draw the same ticket.
            let word = self.word.load(Ordering::Acquire);
            self.word.fetch_add(NEXT_ONE, Ordering::Relaxed);
            word
        } else {
            // Acquire: if our ticket is already served we hold the lock now, so this pairs with
            // the Release `fetch_add` of the last `unlock` (later `fetch_add`s that draw
            // tickets are RMWs and continue its release sequence).
            self.word.fetch_add(NEXT_ONE, Ordering::Acquire)
        };
        let ticket = next(word);
        if serving(word) == ticket {
            return;
        }
        // Acquire: pairs with the Release `fetch_add` in `unlock` that serves our ticket.
        while serving(self.word.load(Ordering::Acquire)) != ticket {
            spin_hint();
        }
    }

    /// Fails only when it saw the lock held or waited for: a compare-exchange that lost to
    /// another thread's whole acquisition and release (the lock free again, the word moved on)
    /// is retried with the fresh word. Lock-free: each retry means another thread acquired.
    #[inline]
    fn try_lock(&self) -> bool {
        // Relaxed: a snapshot for the CAS, which does the acquiring.
        let mut word = self.word.load(Ordering::Relaxed);
        loop {
            if next(word) != serving(word) {
                return false;
            }
            crate::sync::race_point("ticket-try");
            // Acquire on success: pairs with the Release `fetch_add` in the last `unlock` (the
            // CAS reads the latest value, in that unlock's release sequence). Relaxed on
            // failure: nothing was acquired, and the value only decides whether to retry.
            // Success means the whole word, both halves, was unchanged, so the lock was free at
            // the instant of the CAS whatever happened since the load.
            match self.word.compare_exchange(
                word,
                word.wrapping_add(NEXT_ONE),
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(now) => word = now,
            }
        }
    }

    #[inline]
    unsafe fn unlock(&self) {
        // Relaxed: only the holder changes `serving`, so this reads our own ticket (other
        // threads only add to the `next` half meanwhile).
        let word = self.word.load(Ordering::Relaxed);
        debug_assert_ne!(serving(word), next(word), "unlock of an unlocked Ticket");
        // Serve the next ticket without carrying into `next` (see the type's docs).
        let add = if serving(word) == u32::MAX {
            1u64.wrapping_sub(NEXT_ONE)
        } else {
            1
        };
        // Release: publishes the critical section to the Acquire `fetch_add` or load in `lock`,
        // or the Acquire CAS in `try_lock`, of the next holder.
        self.word.fetch_add(add, Ordering::Release);
    }
}

super::super::impl_raw_mutex!(Ticket);

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    /// `serving` wrapping from `u32::MAX` to 0 must not carry into `next`, nor `next`
    /// wrapping into anything.
    #[test]
    fn halves_wrap_independently() {
        let max = u64::from(u32::MAX);
        let lock = Ticket {
            word: AtomicU64::new((max << 32) | max),
        };
        lock.lock();
        assert_eq!(lock.word.load(Ordering::Relaxed), max);
        assert!(!lock.try_lock());
        // SAFETY: locked just above.
        unsafe { lock.unlock() };
        assert_eq!(lock.word.load(Ordering::Relaxed), 0);
        assert!(lock.try_lock());
        // SAFETY: locked by the successful try_lock.
        unsafe { lock.unlock() };
        assert_eq!(lock.word.load(Ordering::Relaxed), NEXT_ONE | 1);
    }

    /// Another acquisition and release between the try's read and its compare-exchange leaves
    /// the lock free with a different word: the try must still get in.
    #[test]
    fn try_lock_fails_only_when_taken() {
        let lock = std::sync::Arc::new(Ticket::new());
        let other = std::sync::Arc::clone(&lock);
        crate::sync::on_race("ticket-try", move || {
            other.lock();
            // SAFETY: locked just above.
            unsafe { other.unlock() };
        });
        assert!(lock.try_lock(), "try_lock failed on a free lock");
        assert!(!lock.try_lock(), "and fails while it is held");
        // SAFETY: locked by the first try.
        unsafe { lock.unlock() };
    }
}

impl Describe for Ticket {
    const ABOUT: About = About::new(
        "spin-ticket",
        Family::Spin,
        "ticket lock: FIFO, one fetch_add per acquire, all waiters spin on one line",
    )
    .fifo();
}
