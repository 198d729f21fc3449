//! MCS queue lock (Mellor-Crummey & Scott, 1991): each waiter spins on its own cache line.

use super::super::Exclusive;
use crate::primitives::about::{About, Describe, Family};
use crate::sync::{AtomicBool, AtomicPtr, Ordering, mutant, spin_hint};
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
///
/// The API is closure-only ([`Mcs::with`], [`Mcs::try_with`]): the lock is released before
/// the borrow of the node ends, which is what makes it safe to pass a node by `&mut`.
#[derive(Debug)]
pub struct Mcs {
    /// The last node in the queue; null when the lock is free.
    tail: AtomicPtr<McsNode>,
}

/// Releases an [`Mcs`] lock when dropped, so `f` panicking in [`Mcs::with`] still unlocks.
/// Private: safe code must not be able to forget it (`mem::forget`) and so end the node's
/// borrow while the node is still in the queue.
struct UnlockOnDrop<'a> {
    lock: &'a Mcs,
    node: &'a McsNode,
}

impl Drop for UnlockOnDrop<'_> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: an `UnlockOnDrop` is built only right after `node` acquired `lock`, and dropped
        // once, before the borrow of `node` taken by `with`/`try_with` ends.
        unsafe { self.lock.unlock(self.node) }
    }
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

    /// Runs `f` while holding the lock, using `node` as this thread's queue entry.
    ///
    /// Closure-only by design: the lock is always released (also when `f` panics) before the
    /// exclusive borrow of `node` ends, so no caller can move, reuse or free a node that the
    /// queue still points at. (A guard-returning `lock` would be unsound: `mem::forget` on the
    /// guard ends the borrow while the node stays linked.)
    #[inline]
    pub fn with<T>(&self, node: &mut McsNode, f: impl FnOnce() -> T) -> T {
        let node: &McsNode = node;
        // SAFETY: `node` stays exclusively borrowed by this call until `_unlock` has run
        // `unlock`, on return or on unwind.
        unsafe { self.lock(node) };
        let _unlock = UnlockOnDrop { lock: self, node };
        f()
    }

    /// Runs `f` if no thread holds or waits for the lock; never waits.
    #[inline]
    pub fn try_with<T>(&self, node: &mut McsNode, f: impl FnOnce() -> T) -> Option<T> {
        let node: &McsNode = node;
        // SAFETY: as in `with`.
        if !unsafe { self.try_lock(node) } {
            return None;
        }
        let _unlock = UnlockOnDrop { lock: self, node };
        Some(f())
    }

    /// Acquires the lock with `node` as the queue entry.
    ///
    /// # Safety
    /// `node` must not be moved, reused, freed or passed to another `lock`/`try_lock` until
    /// the matching [`Mcs::unlock`] has returned: other threads write to it through `tail`
    /// and through their predecessor's `next` link until then.
    #[inline]
    unsafe fn lock(&self, node: &McsNode) {
        let me = ptr::from_ref(node).cast_mut();
        // Relaxed: these initialising stores are published by the Release half of the swap
        // below (to the successor, which writes our `next`) and of the `next` store below (to
        // the predecessor, the only other thread that touches our `waiting`). A node used
        // before still holds its last successor in `next`; the broken twin keeps it.
        if !mutant("mcs-no-next-reset") {
            node.next.store(ptr::null_mut(), Ordering::Relaxed);
        }
        node.waiting.store(true, Ordering::Relaxed);
        // AcqRel: Acquire pairs with the Release CAS in `unlock` that emptied the queue (we
        // then own the lock directly); Release publishes our node's initialised fields to the
        // successor whose swap reads our pointer (it then writes our `next`).
        let pred = self.tail.swap(me, Ordering::AcqRel);
        if !pred.is_null() {
            // SAFETY: `pred` is still in the queue: its owner cannot finish `unlock` (and, by
            // the contract of this function, cannot free or reuse the node) before it has seen
            // this link, since its CAS of `tail` back to null fails now that we swapped in.
            // Release: pairs with the Acquire loads of `next` in `unlock`, publishing our
            // initialised `waiting` flag before the predecessor can clear it.
            unsafe { (*pred).next.store(me, Ordering::Release) };
            // Acquire: pairs with the predecessor's Release store of `false` in `unlock`.
            while node.waiting.load(Ordering::Acquire) {
                spin_hint();
            }
        }
    }

    /// Acquires the lock only if no thread holds or waits for it; returns whether it did.
    ///
    /// # Safety
    /// As for [`Mcs::lock`], if it returns `true`.
    #[inline]
    unsafe fn try_lock(&self, node: &McsNode) -> bool {
        let me = ptr::from_ref(node).cast_mut();
        // Relaxed: published by the Release half of the CAS below.
        node.next.store(ptr::null_mut(), Ordering::Relaxed);
        // AcqRel on success: Acquire pairs with the Release CAS in `unlock`, Release publishes
        // our node to the successor whose swap reads it. Relaxed on failure: we did nothing.
        self.tail
            .compare_exchange(ptr::null_mut(), me, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
    }

    /// Releases the lock held with `node`, handing it to the successor if there is one.
    ///
    /// # Safety
    /// `node` acquired this lock (by `lock` or a successful `try_lock`) and has not released
    /// it yet.
    #[inline]
    unsafe fn unlock(&self, node: &McsNode) {
        let me = ptr::from_ref(node).cast_mut();
        // Acquire: pairs with the successor's Release store of `next` in `lock`.
        let mut next = node.next.load(Ordering::Acquire);
        if next.is_null() {
            // No successor visible: try to empty the queue.
            // Release: pairs with the Acquire half of the next `lock`'s swap or `try_lock`'s
            // CAS. Relaxed on failure: the `next` load below does the acquiring.
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
        // Release: hands over the critical section; pairs with the Acquire spin in `lock`.
        let order = if mutant("mcs-relaxed-handoff") {
            Ordering::Relaxed
        } else {
            Ordering::Release
        };
        // SAFETY: the successor spins on its node until this store (its `with` cannot return
        // before), so the node is alive; we never touch it again afterwards. The store goes
        // through a `&AtomicBool` made from the raw pointer for this call alone (no `&McsNode`
        // is formed), and the successor may free the node while that reference is still
        // live inside `store`: allowed, since the referent is entirely inside an `UnsafeCell`
        // (the exception for `&UnsafeCell` in `core::cell`, rust-lang/rust#98017).
        unsafe { (*next).waiting.store(false, order) };
    }
}

impl Exclusive for Mcs {
    type Node = McsNode;
    fn create() -> Self {
        Mcs::new()
    }
    #[inline(always)]
    fn with<T>(&self, node: &mut McsNode, f: impl FnOnce() -> T) -> T {
        Mcs::with(self, node, f)
    }
    #[inline(always)]
    fn try_with<T>(&self, node: &mut McsNode, f: impl FnOnce() -> T) -> Option<T> {
        Mcs::try_with(self, node, f)
    }
}

impl Describe for Mcs {
    const ABOUT: About = About::new(
        "spin-mcs",
        Family::Spin,
        "MCS queue lock: FIFO, each waiter spins on its own cache-padded node",
    )
    .fifo();
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    /// One node reused for `with`, `try_with` and nested use on two locks.
    #[test]
    fn lock_unlock_try_with_one_node() {
        let (a, b) = (Mcs::new(), Mcs::new());
        let mut node = McsNode::default();
        let mut other = McsNode::default();
        for i in 0..3 {
            assert_eq!(a.with(&mut node, || i), i);
            assert_eq!(a.try_with(&mut node, || i), Some(i));
            let inner = a.with(&mut node, || a.try_with(&mut other, || ()));
            assert_eq!(inner, None, "held: another node cannot take it");
            assert_eq!(b.with(&mut other, || a.with(&mut node, || i)), i);
        }
    }

    /// Threads with one node each, reused for every acquisition (blocking and trying), hand
    /// the lock over through `next` links: exact count, never two holders. Small, so that
    /// `scripts/miri.sh` runs it under Miri too.
    #[test]
    fn threads_reusing_their_nodes_exclude_each_other() {
        super::super::threads_reusing_their_nodes_exclude(Mcs::new(), 3);
    }
}
