//! Lock-free and wait-free counters, and the racy counter that shows why they exist.
//!
//! Each counter's update has a speculative part, `work`, that the harness fills with the
//! critical-section busy work: a CAS loop redoes it on every failed attempt (so contention
//! costs wasted work, as in real optimistic code), `fetch_add` does it once.

use super::spin::{ExpBackoff, NoBackoff, Relax};
use crate::primitives::about::{About, Describe, Family};
use crate::sync::{AtomicU64, Ordering};
use crossbeam_utils::CachePadded;
use std::marker::PhantomData;

/// A shared counter that threads increment concurrently.
pub trait Counter: Send + Sync + 'static {
    /// A counter for `threads` threads, starting at zero.
    fn with_threads(threads: usize) -> Self;
    /// Adds one on behalf of thread `thread`, running `work` once per attempt.
    /// Returns the number of failed attempts (CAS retries).
    fn increment(&self, thread: usize, work: impl FnMut()) -> u32;
    /// The current total.
    fn total(&self) -> u64;
}

/// Lock-free counter: read, compute, compare-and-swap, retry on interference.
///
/// Relaxed orderings throughout: the count publishes no other data, and the atomicity of the
/// CAS alone makes the total exact.
pub struct CasCounter<B: Relax = NoBackoff> {
    value: CachePadded<AtomicU64>,
    _relax: PhantomData<fn() -> B>,
}

/// [`CasCounter`] that backs off exponentially after a failed CAS.
pub type CasBackoffCounter = CasCounter<ExpBackoff>;

impl<B: Relax + 'static> Counter for CasCounter<B> {
    fn with_threads(_threads: usize) -> Self {
        CasCounter {
            value: CachePadded::new(AtomicU64::new(0)),
            _relax: PhantomData,
        }
    }

    #[inline]
    fn increment(&self, _thread: usize, mut work: impl FnMut()) -> u32 {
        let mut relax = B::default();
        let mut retries = 0;
        // Relaxed: see the type's docs.
        let mut current = self.value.load(Ordering::Relaxed);
        loop {
            work();
            if crate::sync::mutant("cas-counter-plain-store") {
                // The broken twin: a store where the CAS belongs (another thread's update in
                // between is overwritten).
                self.value.store(current.wrapping_add(1), Ordering::Relaxed);
                return retries;
            }
            match self.value.compare_exchange_weak(
                current,
                current.wrapping_add(1),
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return retries,
                Err(seen) => {
                    current = seen;
                    retries += 1;
                    relax.relax();
                }
            }
        }
    }

    fn total(&self) -> u64 {
        self.value.load(Ordering::Relaxed)
    }
}

/// Wait-free counter: one `fetch_add` (LOCK XADD on x86) always succeeds in bounded steps.
/// Relaxed: the count publishes no other data.
pub struct FetchAddCounter {
    value: CachePadded<AtomicU64>,
}

impl Counter for FetchAddCounter {
    fn with_threads(_threads: usize) -> Self {
        FetchAddCounter {
            value: CachePadded::new(AtomicU64::new(0)),
        }
    }

    #[inline]
    fn increment(&self, _thread: usize, mut work: impl FnMut()) -> u32 {
        work();
        // Relaxed: see the type's docs.
        self.value.fetch_add(1, Ordering::Relaxed);
        0
    }

    fn total(&self) -> u64 {
        self.value.load(Ordering::Relaxed)
    }
}

/// Sharded counter: one cache-padded slot per thread, summed on read. Increments never share
/// a cache line, so they scale perfectly; a read costs a pass over all slots and sees a sum
/// that may be stale by the increments in flight. Relaxed: the count publishes no other data.
pub struct ShardedCounter {
    slots: Box<[CachePadded<AtomicU64>]>,
}

impl Counter for ShardedCounter {
    fn with_threads(threads: usize) -> Self {
        ShardedCounter {
            slots: (0..threads.max(1))
                .map(|_| CachePadded::new(AtomicU64::new(0)))
                .collect(),
        }
    }

    #[inline]
    fn increment(&self, thread: usize, mut work: impl FnMut()) -> u32 {
        work();
        // Relaxed: see the type's docs. An atomic add (not load + store) keeps the count exact
        // even if two threads are ever given the same slot.
        self.slots[thread % self.slots.len()].fetch_add(1, Ordering::Relaxed);
        0
    }

    fn total(&self) -> u64 {
        self.slots
            .iter()
            .map(|slot| slot.load(Ordering::Relaxed))
            .fold(0, u64::wrapping_add)
    }
}

/// Deliberately broken counter: a separate load and store, so two threads that read the same
/// value both write value + 1 and one increment is lost — the read-modify-write race every
/// primitive in this crate exists to prevent. Both accesses are atomic (Relaxed), so the race
/// is a logic error, not undefined behaviour.
pub struct RacyCounter {
    value: CachePadded<AtomicU64>,
}

impl Counter for RacyCounter {
    fn with_threads(_threads: usize) -> Self {
        RacyCounter {
            value: CachePadded::new(AtomicU64::new(0)),
        }
    }

    #[inline]
    fn increment(&self, _thread: usize, mut work: impl FnMut()) -> u32 {
        // Relaxed: the point of this type is the missing atomicity, not the ordering.
        let read = self.value.load(Ordering::Relaxed);
        work();
        self.value.store(read.wrapping_add(1), Ordering::Relaxed);
        0
    }

    fn total(&self) -> u64 {
        self.value.load(Ordering::Relaxed)
    }
}

impl Describe for CasCounter {
    const ABOUT: About = About::new(
        "cas-counter",
        Family::Atomic,
        "lock-free counter: load, compute, compare-and-swap, retry",
    );
}

impl Describe for CasBackoffCounter {
    const ABOUT: About = About::new(
        "cas-backoff-counter",
        Family::Atomic,
        "CAS counter with exponential backoff after a failed CAS",
    );
}

impl Describe for FetchAddCounter {
    const ABOUT: About = About::new(
        "fetch-add-counter",
        Family::Atomic,
        "wait-free counter: one fetch_add (LOCK XADD), never retries",
    );
}

impl Describe for ShardedCounter {
    const ABOUT: About = About::new(
        "sharded-counter",
        Family::Atomic,
        "one cache-padded slot per thread, summed on read: no shared line",
    );
}

impl Describe for RacyCounter {
    const ABOUT: About = About::new(
        "racy-counter",
        Family::Atomic,
        "BROKEN on purpose: separate load and store, loses updates (reports how many)",
    )
    .unchecked();
}
