//! MCS queue lock (Mellor-Crummey & Scott, 1991): each waiter spins on its own cache line.

use super::super::Exclusive;
use crate::sync::{AtomicBool, AtomicPtr, Ordering, spin_hint};
use std::ptr;

/// One waiter's place in an [`Mcs`] queue. The caller owns it (on its stack, or cache-padded
/// per thread in the harness), so acquiring costs no allocation or thread-local lookup.
#[derive(Debug)]
pub struct McsNode {
    /// The successor that queued behind us, or null.
    next: AtomicPtr<McsNode>,
    /// `true` while we must wait; our predecessor clears it to hand the lock over.
    waiting: AtomicBool,
}

impl Default for McsNode {
    fn default() -> Self {
        McsNode {
            next: AtomicPtr::new(ptr::null_mut()),
            waiting: AtomicBool::new(false),
        }
    }
}

/// MCS queue lock.
///
/// Algorithm: the lock is a pointer to the tail of a queue of nodes. `lock` swaps its node in
/// as the new tail; if there was a predecessor, it links itself behind it and spins on its
/// *own* node's flag, which only the predecessor writes, once. So every waiter spins on a
/// different cache line and a release moves one line to one waiter: O(1) traffic per hand-off
/// however many threads wait, and FIFO order. The price is a node per acquisition and, like a
/// ticket lock, a stall when the next waiter in line is preempted.
#[derive(Debug)]
pub struct Mcs {
    /// The last node in the queue; null when the lock is free.
    tail: AtomicPtr<McsNode>,
}

/// Proof that an [`Mcs`] lock is held; releases it when dropped.
#[must_use = "the lock is released when the guard is dropped"]
pub struct McsGuard<'a> {
    lock: &'a Mcs,
    node: &'a McsNode,
}

impl Default for Mcs {
    fn default() -> Self {
        Mcs::new()
    }
}

impl Mcs {
    /// A new, unlocked lock.
    pub fn new() -> Mcs {
        Mcs {
            tail: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// Acquires the lock using `node` as this thread's queue entry. The node is borrowed until
    /// the guard is dropped, so it cannot be moved or reused while it is in the queue.
    pub fn lock<'a>(&'a self, node: &'a mut McsNode) -> McsGuard<'a> {
        let node: &'a McsNode = node;
        let me = ptr::from_ref(node).cast_mut();
        // Relaxed: these initialising stores are published by the Release half of the swap
        // below and of the `next` store.
        node.next.store(ptr::null_mut(), Ordering::Relaxed);
        node.waiting.store(true, Ordering::Relaxed);
        // AcqRel: Acquire pairs with the Release CAS in `unlock` that emptied the queue (we
        // then own the lock directly); Release publishes our node's fields to whoever swaps
        // or reads the tail after us.
        let pred = self.tail.swap(me, Ordering::AcqRel);
        if !pred.is_null() {
            // SAFETY: `pred` is still in the queue: its owner cannot finish `unlock` (and so
            // cannot free or reuse the node) before it has seen this link.
            // Release: pairs with the Acquire loads of `next` in `unlock`, publishing our
            // initialised `waiting` flag before the predecessor can clear it.
            unsafe { (*pred).next.store(me, Ordering::Release) };
            // Acquire: pairs with the predecessor's Release store of `false` in `unlock`.
            while node.waiting.load(Ordering::Acquire) {
                spin_hint();
            }
        }
        McsGuard { lock: self, node }
    }

    /// Acquires the lock only if no thread holds or waits for it.
    pub fn try_lock<'a>(&'a self, node: &'a mut McsNode) -> Option<McsGuard<'a>> {
        let node: &'a McsNode = node;
        let me = ptr::from_ref(node).cast_mut();
        // Relaxed: published by the Release half of the CAS below.
        node.next.store(ptr::null_mut(), Ordering::Relaxed);
        // AcqRel on success: Acquire pairs with the Release CAS in `unlock`, Release publishes
        // our node. Relaxed on failure: we did nothing.
        self.tail
            .compare_exchange(ptr::null_mut(), me, Ordering::AcqRel, Ordering::Relaxed)
            .ok()
            .map(|_| McsGuard { lock: self, node })
    }

    fn unlock(&self, node: &McsNode) {
        let me = ptr::from_ref(node).cast_mut();
        // Acquire: pairs with the successor's Release store of `next` in `lock`.
        let mut next = node.next.load(Ordering::Acquire);
        if next.is_null() {
            // No successor visible: try to empty the queue.
            // Release: pairs with the Acquire half of the next `lock`'s swap.
            if self
                .tail
                .compare_exchange(me, ptr::null_mut(), Ordering::Release, Ordering::Relaxed)
                .is_ok()
            {
                return;
            }
            // A successor swapped itself in but has not linked yet: wait for the link.
            loop {
                // Acquire: as above.
                next = node.next.load(Ordering::Acquire);
                if !next.is_null() {
                    break;
                }
                spin_hint();
            }
        }
        // SAFETY: the successor spins on its node until this store, so it is alive.
        // Release: hands over the critical section; pairs with the Acquire spin in `lock`.
        unsafe { (*next).waiting.store(false, Ordering::Release) };
    }
}

impl Drop for McsGuard<'_> {
    fn drop(&mut self) {
        self.lock.unlock(self.node);
    }
}

impl Exclusive for Mcs {
    type Node = McsNode;
    fn create() -> Self {
        Mcs::new()
    }
    #[inline(always)]
    fn with<T>(&self, node: &mut McsNode, f: impl FnOnce() -> T) -> T {
        let _guard = self.lock(node);
        f()
    }
    #[inline(always)]
    fn try_with<T>(&self, node: &mut McsNode, f: impl FnOnce() -> T) -> Option<T> {
        let _guard = self.try_lock(node)?;
        Some(f())
    }
}
