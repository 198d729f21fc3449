//! CLH queue lock (Craig; Landin & Hagersten, 1993-94): each waiter spins on its predecessor's
//! node.

use super::super::Exclusive;
use crate::primitives::about::{About, Describe, Family};
use crate::sync::{AtomicBool, AtomicPtr, Ordering, mutant, spin_hint};
use crossbeam_utils::CachePadded;
use std::ptr::NonNull;

/// A queue node: one flag, alone on its cache line (its successor spins on it).
#[derive(Debug)]
struct Slot {
    /// `true` from the moment its holder queues until it hands the lock over.
    locked: AtomicBool,
}

/// What `tail` and the handles point at.
type QNode = CachePadded<Slot>;

/// Low bit of `tail`: the tail node's holder released the lock while nobody was queued behind
/// it (so the lock is free). Nodes are cache-line aligned, so the bit is never part of an
/// address.
const FREE: usize = 1;
const _: () = assert!(align_of::<QNode>() > FREE);

/// `node` with the [`FREE`] mark.
#[inline(always)]
fn marked(node: *mut QNode) -> *mut QNode {
    node.map_addr(|a| a | FREE)
}

/// `tail` without the [`FREE`] mark.
#[inline(always)]
fn unmarked(tail: *mut QNode) -> *mut QNode {
    tail.map_addr(|a| a & !FREE)
}

/// Whether `tail` says the lock is free.
#[inline(always)]
fn is_free(tail: *mut QNode) -> bool {
    tail.addr() & FREE != 0
}

/// A thread's handle for [`Clh`]: it owns exactly one heap node (cache-padded), which it
/// queues with on its next acquisition of any `Clh` lock. Acquiring and releasing trade that
/// node for the predecessor's, so the node a handle owns changes with every acquisition and
/// may have been allocated by another thread or another lock; dropping the handle frees
/// whichever node it owns then.
#[derive(Debug)]
pub struct ClhNode {
    /// The node owned by this handle (see the ownership rule on [`Clh`]).
    node: NonNull<QNode>,
}

// SAFETY: the handle exclusively owns its node (no lock or other thread points at it while it
// is here: see the ownership rule on `Clh`), and the node is only atomics, so the handle may
// move to another thread and free it there.
unsafe impl Send for ClhNode {}

impl Default for ClhNode {
    fn default() -> Self {
        ClhNode { node: alloc_node() }
    }
}

impl Drop for ClhNode {
    fn drop(&mut self) {
        // SAFETY: the handle owns its node exclusively (ownership rule on `Clh`): `with` and
        // `try_with` give it back a node nobody else will touch before their borrow of the
        // handle ends, and the node came from `Box::into_raw` in `alloc_node`.
        drop(unsafe { Box::from_raw(self.node.as_ptr()) });
    }
}

/// A new heap node, unlocked.
fn alloc_node() -> NonNull<QNode> {
    let node = Box::new(CachePadded::new(Slot {
        locked: AtomicBool::new(false),
    }));
    NonNull::from(Box::leak(node))
}

/// CLH queue lock.
///
/// Algorithm: the lock is a pointer to the tail of an implicit queue of nodes, one per holder
/// or waiter. `lock` raises its node's flag, swaps the node in as the new tail and spins on the
/// flag of the node it swapped out, its predecessor's, until the predecessor lowers it in
/// `unlock`. One swap per acquisition, FIFO order, and each waiter spins on a different cache
/// line (its predecessor's node), which only one thread writes, once: O(1) traffic per
/// hand-off.
///
/// How it differs from [`Mcs`](super::Mcs): a waiter spins on its *predecessor's* node, not its
/// own, so no node needs a `next` pointer and the releaser never waits for a successor to link
/// in; the release is one store to the releaser's own node. The price is that nodes migrate:
/// after its critical section a thread no longer owns the node it queued with (its successor
/// is still reading it) but takes over its predecessor's, which nobody reads any more. So
/// nodes live on the heap, owned by a [`ClhNode`] handle, rather than on a stack; and on a NUMA
/// machine a waiter spins on memory that another thread's node came from.
///
/// Ownership of nodes (what makes every free below sound): every node is, at any moment,
/// either owned by exactly one [`ClhNode`] handle, or the current tail of exactly one lock, or
/// in a queue between those two states: queued by the thread whose handle it came from, which
/// will give it to its unique successor (the thread whose swap returned it) or leave it as the
/// tail. A thread in `with` owns two nodes for a while: the one it queued (until it releases)
/// and its predecessor's (from the moment it sees it released); on release it keeps the
/// predecessor's in its handle. The lock owns its tail and frees it when dropped; a handle
/// frees its node when dropped.
///
/// A free lock is marked by the low bit of `tail` (`FREE`) rather than only by the tail
/// node's flag: a releaser with nobody queued behind it sets the mark with a CAS on `tail`
/// instead of lowering its flag. That is what makes `try_with` sound. Testing the tail node's
/// flag would dereference a node that another thread may meanwhile have dequeued, reused or
/// freed (its handle dropped), and a CAS from a node seen unlocked could succeed after that
/// node came back as the tail of a *held* lock (ABA). With the mark, `try_with` never
/// dereferences another thread's node, and a `tail` value with the mark means "free" whenever
/// it is seen. It costs a read of `tail` in every release and a CAS in an uncontended one.
///
/// The API is closure-only ([`Clh::with`], [`Clh::try_with`]): the handle is borrowed
/// until the lock is released (also when `f` panics), so it cannot be dropped or used again
/// while its node is queued.
#[derive(Debug)]
pub struct Clh {
    /// The last node in the queue, marked [`FREE`] if its holder released with nobody behind.
    /// Never null: a new lock starts with a free node of its own.
    tail: AtomicPtr<QNode>,
}

impl Default for Clh {
    fn default() -> Self {
        Clh::new()
    }
}

impl Drop for Clh {
    fn drop(&mut self) {
        // Relaxed: `&mut self` means every `with`/`try_with` on this lock has returned, and
        // whatever gave us exclusive access (a join, an `Arc` drop) ordered them before us.
        let tail = unmarked(self.tail.load(Ordering::Relaxed));
        // SAFETY: the tail node belongs to the lock (ownership rule above): nobody queued
        // behind it (no call is in progress) and its holder's handle already moved on to its
        // predecessor's node. It came from `alloc_node`.
        drop(unsafe { Box::from_raw(tail) });
    }
}

/// Releases a [`Clh`] lock when dropped, so `f` panicking in [`Clh::with`] still unlocks.
/// Private: safe code must not be able to forget it (`mem::forget`) and so end the handle's
/// borrow while its node is queued and the predecessor's node is not yet in it.
struct UnlockOnDrop<'a> {
    lock: &'a Clh,
    handle: &'a mut ClhNode,
    /// The node returned by the acquiring swap or CAS (unmarked), now ours.
    pred: NonNull<QNode>,
}

impl Drop for UnlockOnDrop<'_> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: an `UnlockOnDrop` is built only right after `handle`'s node acquired `lock`
        // and `pred` is the node that acquisition took over; dropped once.
        unsafe { self.lock.unlock(self.handle.node) };
        // Ours now: nobody else reads the predecessor's node after we saw it released.
        self.handle.node = self.pred;
    }
}

impl Clh {
    /// A new, unlocked lock (it allocates its first, free, tail node).
    pub fn new() -> Clh {
        Clh {
            tail: AtomicPtr::new(marked(alloc_node().as_ptr())),
        }
    }

    /// Runs `f` while holding the lock, queueing with `handle`'s node; `handle` then holds the
    /// predecessor's node.
    #[inline]
    pub fn with<T>(&self, handle: &mut ClhNode, f: impl FnOnce() -> T) -> T {
        // SAFETY: `handle` stays exclusively borrowed (by `_unlock`) until its node is
        // released and swapped for `pred`, on return or on unwind.
        let pred = unsafe { self.lock(handle.node) };
        let _unlock = UnlockOnDrop {
            lock: self,
            handle,
            pred,
        };
        f()
    }

    /// Runs `f` if no thread holds or waits for the lock; never waits.
    #[inline]
    pub fn try_with<T>(&self, handle: &mut ClhNode, f: impl FnOnce() -> T) -> Option<T> {
        // SAFETY: as in `with`.
        let pred = unsafe { self.try_lock(handle.node) }?;
        let _unlock = UnlockOnDrop {
            lock: self,
            handle,
            pred,
        };
        Some(f())
    }

    /// Acquires the lock with `node`; returns the predecessor's node, which the caller owns
    /// from now on (and must not give back to the lock).
    ///
    /// # Safety
    /// `node` is owned by the caller's handle, which keeps it (no drop, no other `lock` or
    /// `try_lock`) until the matching [`Clh::unlock`] has returned; after that the node belongs
    /// to the lock or the successor and the caller must not touch it again.
    #[inline]
    unsafe fn lock(&self, node: NonNull<QNode>) -> NonNull<QNode> {
        let me = node.as_ptr();
        // SAFETY: we own `node` (contract), a live allocation from `alloc_node`.
        let mine = unsafe { node.as_ref() };
        // Relaxed: published by the Release half of the swap below to the successor, whose
        // swap reads our pointer (its Acquire) before it reads this flag.
        mine.locked.store(true, Ordering::Relaxed);
        // AcqRel: Acquire pairs with the Release CAS in `unlock` that marked the lock free
        // (then we own the lock at once) and publishes the predecessor's raised flag (its own
        // Release swap, which ours reads through the release sequence of RMWs on `tail`);
        // Release publishes our raised flag to our successor.
        let tail = self.tail.swap(me, Ordering::AcqRel);
        let pred = unmarked(tail);
        if !is_free(tail) {
            // SAFETY: `pred` is queued and cannot be freed or reused: its holder gives it to
            // its unique successor, which we are (our swap returned it), and does not touch it
            // after lowering the flag. Never null (`tail` never is).
            let pred_ref = unsafe { &*pred };
            // Acquire: pairs with the predecessor's Release store of `false` in `unlock`.
            while pred_ref.locked.load(Ordering::Acquire) {
                spin_hint();
            }
        }
        // SAFETY: `tail` is never null (the lock starts with a node and only swaps in nodes).
        unsafe { NonNull::new_unchecked(pred) }
    }

    /// Acquires the lock with `node` only if it is free (held by nobody, nobody queued);
    /// returns the predecessor's node, as [`Clh::lock`] does, if it did. Fails only when it saw
    /// the lock taken: a compare-exchange that lost to another thread's whole acquisition and
    /// release (the tail moved on, still marked free) is retried. Lock-free: each retry means
    /// another thread acquired.
    ///
    /// # Safety
    /// As for [`Clh::lock`], if it returns `Some`.
    #[inline]
    unsafe fn try_lock(&self, node: NonNull<QNode>) -> Option<NonNull<QNode>> {
        // Relaxed: only a guess at the value for the CAS, which does the acquiring; nothing
        // is read through it (a free tail node needs no dereference).
        let mut tail = self.tail.load(Ordering::Relaxed);
        if !is_free(tail) {
            return None;
        }
        // SAFETY: we own `node` (contract).
        let mine = unsafe { node.as_ref() };
        // Relaxed: published by the Release half of the CAS below, as in `lock`.
        mine.locked.store(true, Ordering::Relaxed);
        loop {
            crate::sync::race_point("clh-try");
            // AcqRel on success: Acquire pairs with the Release CAS in `unlock` that marked
            // the lock free; Release publishes our raised flag to the successor. Relaxed on
            // failure: we did nothing (and our raised flag is harmless: the node is still only
            // ours); the value read only decides whether to retry. An ABA on `tail` is
            // harmless: a marked value means "free" whenever it is seen.
            match self.tail.compare_exchange(
                tail,
                node.as_ptr(),
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                // SAFETY: never null (`tail` never is).
                Ok(_) => return Some(unsafe { NonNull::new_unchecked(unmarked(tail)) }),
                Err(now) if is_free(now) => tail = now,
                Err(_) => return None,
            }
        }
    }

    /// Releases the lock held with `node`: marks the lock free if nobody queued behind us,
    /// otherwise hands it to the successor by lowering our flag. Afterwards `node` belongs to
    /// the lock (as its free tail) or to the successor.
    ///
    /// # Safety
    /// `node` acquired this lock (by `lock` or a successful `try_lock`) and has not released
    /// it yet.
    #[inline]
    unsafe fn unlock(&self, node: NonNull<QNode>) {
        let me = node.as_ptr();
        // Relaxed: a hint only. Once `tail` is not `me` a successor queued behind us, and it
        // cannot become `me` again while we hold the lock; the CAS decides the other case.
        // Skipping the CAS when a successor is visible keeps a contended release to a read.
        // Release: pairs with the Acquire half of the next acquirer's swap in `lock` or CAS in
        // `try_lock`, which reads the mark. Relaxed on failure: a successor swapped in and the
        // store below hands over.
        let free_order = if mutant("clh-relaxed-free") {
            Ordering::Relaxed
        } else {
            Ordering::Release
        };
        if self.tail.load(Ordering::Relaxed) == me
            && self
                .tail
                .compare_exchange(me, marked(me), free_order, Ordering::Relaxed)
                .is_ok()
        {
            return;
        }
        // Release: hands over the critical section; pairs with the successor's Acquire spin
        // in `lock`.
        let order = if mutant("clh-relaxed-release") {
            Ordering::Relaxed
        } else {
            Ordering::Release
        };
        // SAFETY: the successor reads this node until it sees this store, so the node is alive
        // (it cannot be freed before: only the successor may take it over); this is our last
        // access to it. The successor may free it (by dropping its handle) while `store`'s
        // `&AtomicBool` is still live: allowed, as the referent is entirely inside an
        // `UnsafeCell` (the exception for `&UnsafeCell` in `core::cell`, rust-lang/rust#98017).
        // The `&QNode` that reaches the flag ends before the store (it is only `deref`'s
        // argument); the padding it covers is never freed under it.
        let flag: &AtomicBool = &unsafe { node.as_ref() }.locked;
        flag.store(false, order);
    }
}

impl Exclusive for Clh {
    type Node = ClhNode;
    fn create() -> Self {
        Clh::new()
    }
    #[inline(always)]
    fn with<T>(&self, node: &mut ClhNode, f: impl FnOnce() -> T) -> T {
        Clh::with(self, node, f)
    }
    #[inline(always)]
    fn try_with<T>(&self, node: &mut ClhNode, f: impl FnOnce() -> T) -> Option<T> {
        Clh::try_with(self, node, f)
    }
}

impl Describe for Clh {
    const ABOUT: About = About::new(
        "spin-clh",
        Family::Spin,
        "CLH queue lock: FIFO, each waiter spins on its predecessor's node (implicit queue, one swap per acquire)",
    )
    .fifo();
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn lock_unlock_try() {
        let lock = Clh::new();
        let mut a = ClhNode::default();
        let mut b = ClhNode::default();
        assert_eq!(lock.with(&mut a, || 1), 1);
        assert_eq!(lock.try_with(&mut a, || 2), Some(2));
        // Held by `a`: `b` cannot take it.
        let inner = lock.with(&mut a, || lock.try_with(&mut b, || ()));
        assert_eq!(inner, None);
        assert_eq!(lock.try_with(&mut b, || 3), Some(3));
        assert_eq!(lock.with(&mut b, || 4), 4);
    }

    /// Another acquisition and release between the try's read and its compare-exchange
    /// leaves the lock free behind another tail: the try must still get in.
    #[test]
    fn try_with_fails_only_when_taken() {
        let lock = std::sync::Arc::new(Clh::new());
        let other = std::sync::Arc::clone(&lock);
        crate::sync::on_race("clh-try", move || {
            let mut node = ClhNode::default();
            other.with(&mut node, || ());
        });
        let mut node = ClhNode::default();
        assert_eq!(
            lock.try_with(&mut node, || 1),
            Some(1),
            "failed on a free lock"
        );
        let mut inner = ClhNode::default();
        let held = lock.with(&mut node, || lock.try_with(&mut inner, || ()));
        assert_eq!(held, None, "and fails while it is held");
    }

    #[test]
    fn handle_moves_between_locks() {
        let (l1, l2) = (Clh::new(), Clh::new());
        let mut node = ClhNode::default();
        for i in 0..4 {
            l1.with(&mut node, || ());
            // Nested: one handle per lock held at once.
            let mut inner = ClhNode::default();
            l2.with(&mut node, || l1.with(&mut inner, || ()));
            assert_eq!(l1.try_with(&mut inner, || i), Some(i));
            assert_eq!(l2.try_with(&mut node, || i), Some(i));
        }
    }

    #[test]
    fn panicking_closure_releases() {
        let lock = Clh::new();
        let mut node = ClhNode::default();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            lock.with(&mut node, || panic!("boom"))
        }));
        assert!(r.is_err());
        let mut other = ClhNode::default();
        assert_eq!(lock.try_with(&mut other, || 5), Some(5));
        assert_eq!(lock.with(&mut node, || 6), 6);
    }

    #[test]
    fn threads_exclude_each_other() {
        super::super::threads_reusing_their_nodes_exclude(Clh::new(), 4);
    }
}
