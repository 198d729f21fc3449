//! The classic toolbox: a reentrant mutex, counting semaphores, a bounded blocking queue on
//! Mutex + Condvar, and a sense-reversing spinning barrier.

use super::{Exclusive, RawLock};
use crate::primitives::about::{About, Describe, Family};
use crate::sync::{
    AtomicBool, AtomicU32, AtomicUsize, Futex, Ordering, fence, mutant, spin_hint, thread_id,
};

// ---------------------------------------------------------------------------------------
// Reentrant mutex

/// A mutex the holding thread may lock again; it is released when every lock is matched by
/// an unlock. Built on a raw lock `R` plus an owner token and a depth, the textbook RLock.
///
/// The owner and depth are Relaxed: a thread can only ever read its *own* id from
/// `owner` (it alone stores it, and clears it before releasing `raw`), and only the owner
/// touches `depth`; the hand-off between threads is ordered by `raw`'s Acquire/Release.
///
/// The owner is a [`thread_id`], never reused by another thread: a thread that exits while
/// holding the mutex leaves it held for good, and a later thread (which may get the dead
/// one's stack and thread-local block, as glibc reuses them) cannot re-enter it.
#[derive(Debug)]
pub struct ReentrantMutex<R> {
    raw: R,
    /// [`thread_id`] of the holder, or 0.
    owner: AtomicUsize,
    /// How many times the holder has locked.
    depth: AtomicU32,
}

impl<R: RawLock> ReentrantMutex<R> {
    /// A new, unlocked mutex.
    pub fn new() -> Self {
        ReentrantMutex {
            raw: R::new(),
            owner: AtomicUsize::new(0),
            depth: AtomicU32::new(0),
        }
    }

    /// Re-enters if thread `me` already holds the mutex (one level deeper); false otherwise.
    fn reenter(&self, me: usize) -> bool {
        // Relaxed: see the type's docs.
        if self.owner.load(Ordering::Relaxed) != me {
            return false;
        }
        let d = self.depth.load(Ordering::Relaxed);
        self.depth.store(
            d.checked_add(1).expect("reentrant lock depth overflow"),
            Ordering::Relaxed,
        );
        true
    }

    /// Locks, or re-enters if the calling thread already holds it.
    pub fn lock(&self) {
        let me = thread_id();
        if self.reenter(me) {
            return;
        }
        self.raw.lock();
        self.owner.store(me, Ordering::Relaxed);
        self.depth.store(1, Ordering::Relaxed);
    }

    /// Locks if the mutex is free, or re-enters if the calling thread already holds it;
    /// returns whether it did. Never waits.
    pub fn try_lock(&self) -> bool {
        let me = thread_id();
        if self.reenter(me) {
            return true;
        }
        if !self.raw.try_lock() {
            return false;
        }
        self.owner.store(me, Ordering::Relaxed);
        self.depth.store(1, Ordering::Relaxed);
        true
    }

    /// Undoes one `lock`.
    ///
    /// # Safety
    /// The calling thread holds the mutex.
    pub unsafe fn unlock(&self) {
        debug_assert_eq!(
            self.owner.load(Ordering::Relaxed),
            thread_id(),
            "unlock by a non-owner"
        );
        // Relaxed: see the type's docs.
        let d = self.depth.load(Ordering::Relaxed) - 1;
        self.depth.store(d, Ordering::Relaxed);
        // Only the outermost unlock releases; the broken twin releases one level early, at
        // the unlock that leaves depth 1.
        let outermost = if mutant("reentrant-release-early") {
            d == 1
        } else {
            d == 0
        };
        if outermost {
            self.owner.store(0, Ordering::Relaxed);
            // SAFETY: this thread acquired `raw` in its outermost `lock` or `try_lock`.
            unsafe { self.raw.unlock() };
        }
    }
}

impl<R: RawLock> Default for ReentrantMutex<R> {
    fn default() -> Self {
        ReentrantMutex::new()
    }
}

struct ReentrantGuard<'a, R: RawLock>(&'a ReentrantMutex<R>);
impl<R: RawLock> Drop for ReentrantGuard<'_, R> {
    fn drop(&mut self) {
        // SAFETY: built only right after a successful `lock` or `try_lock` by this thread.
        unsafe { self.0.unlock() }
    }
}

/// The harness measures an acquisition *with one re-entry*: lock, lock again (as a nested
/// call would), critical section, unlock twice. Compare with the plain lock underneath to
/// see what re-entrancy costs. `try_with` is the same two levels with a non-blocking outer
/// lock.
impl<R: RawLock + 'static> Exclusive for ReentrantMutex<R> {
    type Node = ();
    fn create() -> Self {
        ReentrantMutex::new()
    }
    #[inline(always)]
    fn with<T>(&self, _: &mut (), f: impl FnOnce() -> T) -> T {
        self.lock();
        let _outer = ReentrantGuard(self);
        self.lock();
        let _inner = ReentrantGuard(self);
        f()
    }
    #[inline(always)]
    fn try_with<T>(&self, _: &mut (), f: impl FnOnce() -> T) -> Option<T> {
        if !self.try_lock() {
            return None;
        }
        let _outer = ReentrantGuard(self);
        self.lock();
        let _inner = ReentrantGuard(self);
        Some(f())
    }
}

// ---------------------------------------------------------------------------------------
// Semaphores

/// A counting semaphore: what the harness needs of one.
pub trait Permits: Send + Sync + 'static {
    /// A semaphore holding `n` permits.
    fn with_permits(n: u32) -> Self;
    /// Takes a permit, sleeping while none is free.
    fn acquire(&self);
    /// Returns a permit.
    fn release(&self);
    /// Free permits right now.
    fn available(&self) -> u32;
}

/// Counting semaphore on the Linux futex: the permit count is the futex word. Acquirers
/// take a permit with a CAS, or sleep while the count is 0; releasers add one and wake a
/// sleeper only if someone may be asleep (`sleepers`), so an uncontended release costs no
/// syscall.
#[derive(Debug)]
pub struct FutexSemaphore {
    /// Free permits.
    permits: Futex,
    /// Threads that announced they may sleep.
    sleepers: AtomicU32,
}

impl Permits for FutexSemaphore {
    fn with_permits(n: u32) -> Self {
        FutexSemaphore {
            permits: Futex::new(n),
            sleepers: AtomicU32::new(0),
        }
    }

    fn acquire(&self) {
        loop {
            // Relaxed: a snapshot for the CAS, which acquires.
            let n = self.permits.word().load(Ordering::Relaxed);
            if n > 0 {
                // Acquire: pairs with the releasing fetch_add, so whatever the previous
                // holder did with the resource happens-before our use of it.
                if self
                    .permits
                    .word()
                    .compare_exchange_weak(n, n - 1, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
                {
                    return;
                }
                continue;
            }
            // Dekker handshake with `release`: we store to `sleepers` then load `permits` (in
            // the futex check); it stores to `permits` then loads `sleepers`. The SeqCst
            // fences on both sides forbid both loads missing both stores: either the releaser
            // sees us and wakes us, or the futex check sees its permit and we do not sleep.
            // (Fences, not SeqCst accesses: the fence form is what the model checker verifies.)
            self.sleepers.fetch_add(1, Ordering::Relaxed);
            fence(Ordering::SeqCst);
            self.permits.wait(0);
            // Relaxed: only a hint for releasers.
            self.sleepers.fetch_sub(1, Ordering::Relaxed);
        }
    }

    fn release(&self) {
        // Release: hands the resource to the Acquire CAS of the next holder.
        self.permits.word().fetch_add(1, Ordering::Release);
        // The releaser's half of the handshake (see `acquire`); the broken twin drops it.
        if !mutant("semaphore-release-no-fence") {
            fence(Ordering::SeqCst);
        }
        // Relaxed: ordered by the fence above.
        if self.sleepers.load(Ordering::Relaxed) > 0 {
            self.permits.wake_one();
        }
    }

    fn available(&self) -> u32 {
        self.permits.word().load(Ordering::Relaxed)
    }
}

/// Counting semaphore on `std::sync::Mutex` + `Condvar`, the way the textbook writes one.
#[cfg(not(loom))]
#[derive(Debug, Default)]
pub struct CondvarSemaphore {
    permits: std::sync::Mutex<u32>,
    freed: std::sync::Condvar,
}

#[cfg(not(loom))]
impl Permits for CondvarSemaphore {
    fn with_permits(n: u32) -> Self {
        CondvarSemaphore {
            permits: std::sync::Mutex::new(n),
            freed: std::sync::Condvar::new(),
        }
    }
    fn acquire(&self) {
        let mut n = self.permits.lock().unwrap_or_else(|p| p.into_inner());
        // `while`, not `if`: wake-ups can be spurious, or another thread took the permit.
        while *n == 0 {
            n = self.freed.wait(n).unwrap_or_else(|p| p.into_inner());
        }
        *n -= 1;
    }
    fn release(&self) {
        *self.permits.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        self.freed.notify_one();
    }
    fn available(&self) -> u32 {
        *self.permits.lock().unwrap_or_else(|p| p.into_inner())
    }
}

// ---------------------------------------------------------------------------------------
// Barrier

/// A reusable barrier: what the harness needs of one.
pub trait PhaseBarrier: Send + Sync + 'static {
    /// Per-thread state (the local sense of a sense-reversing barrier).
    type Local: Default + Send;
    /// A barrier for `n` threads.
    fn with_threads(n: usize) -> Self;
    /// Waits until all `n` threads have arrived; returns `true` in exactly one of them.
    fn wait(&self, local: &mut Self::Local) -> bool;
}

/// Sense-reversing spinning barrier (centralized): arrivals count down; the last one resets
/// the count and flips the shared sense, which releases everyone spinning on it. Flipping a
/// sense instead of resetting a flag makes the barrier safely reusable phase after phase.
#[derive(Debug)]
pub struct SenseBarrier {
    remaining: AtomicUsize,
    sense: AtomicBool,
    n: usize,
}

impl PhaseBarrier for SenseBarrier {
    type Local = bool;

    fn with_threads(n: usize) -> Self {
        SenseBarrier {
            remaining: AtomicUsize::new(n.max(1)),
            sense: AtomicBool::new(false),
            n: n.max(1),
        }
    }

    fn wait(&self, local_sense: &mut bool) -> bool {
        // The broken twin never reverses: a one-shot flag, already set in the second phase.
        *local_sense = if mutant("barrier-no-sense-reversal") {
            true
        } else {
            !*local_sense
        };
        // AcqRel: Release publishes our phase's work to the last arriver; Acquire (for the
        // last arriver) collects everyone's before it releases them.
        if self.remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
            // Relaxed: nobody touches `remaining` until the sense flips (Release below).
            self.remaining.store(self.n, Ordering::Relaxed);
            // Release: pairs with the waiters' Acquire loads, handing them every arrival's
            // work and the reset count.
            self.sense.store(*local_sense, Ordering::Release);
            true
        } else {
            // Acquire: pairs with the Release store of the flipped sense.
            while self.sense.load(Ordering::Acquire) != *local_sense {
                spin_hint();
            }
            false
        }
    }
}

/// `std::sync::Barrier`: Mutex + Condvar, sleeps.
#[cfg(not(loom))]
#[derive(Debug)]
pub struct StdBarrier(std::sync::Barrier);

#[cfg(not(loom))]
impl PhaseBarrier for StdBarrier {
    type Local = ();
    fn with_threads(n: usize) -> Self {
        StdBarrier(std::sync::Barrier::new(n))
    }
    fn wait(&self, _: &mut ()) -> bool {
        self.0.wait().is_leader()
    }
}

// ---------------------------------------------------------------------------------------
// Bounded queue

/// A bounded blocking FIFO queue on one `Mutex` and two `Condvar`s (one per condition:
/// "not empty" for consumers, "not full" for producers), every wait in a `while` loop.
/// The queue closes when its last [`QueueSender`] is dropped: receivers then drain what is
/// left and get `None`. When its last [`QueueReceiver`] is dropped nothing can be received any
/// more: `send` hands its item back (as `std::sync::mpsc::SyncSender` does) instead of
/// waiting forever for room.
#[derive(Debug)]
pub struct BoundedQueue<T> {
    state: crate::sync::Mutex<QueueState<T>>,
    not_empty: crate::sync::Condvar,
    not_full: crate::sync::Condvar,
    capacity: usize,
}

#[derive(Debug)]
struct QueueState<T> {
    items: std::collections::VecDeque<T>,
    senders: usize,
    receivers: usize,
}

/// Sending end of a [`BoundedQueue`]; the queue closes when the last one is dropped.
#[derive(Debug)]
pub struct QueueSender<T>(crate::sync::Arc<BoundedQueue<T>>);

/// Receiving end of a [`BoundedQueue`]; once the last one is dropped, `send` fails.
#[derive(Debug)]
pub struct QueueReceiver<T>(crate::sync::Arc<BoundedQueue<T>>);

impl<T> BoundedQueue<T> {
    /// A queue holding at most `capacity` items (at least 1); its buffer is allocated now
    /// and never grows.
    pub fn channel(capacity: usize) -> (QueueSender<T>, QueueReceiver<T>) {
        let capacity = capacity.max(1);
        let q = crate::sync::Arc::new(BoundedQueue {
            state: crate::sync::Mutex::new(QueueState {
                items: std::collections::VecDeque::with_capacity(capacity),
                senders: 1,
                receivers: 1,
            }),
            not_empty: crate::sync::Condvar::new(),
            not_full: crate::sync::Condvar::new(),
            capacity,
        });
        (QueueSender(q.clone()), QueueReceiver(q))
    }

    fn lock(&self) -> crate::sync::MutexGuard<'_, QueueState<T>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl<T> QueueSender<T> {
    /// Appends `item`, waiting while the queue is full. Fails, handing `item` back, when no
    /// receiver is left (then or while waiting for room): nothing could ever take it.
    pub fn send(&self, item: T) -> Result<(), std::sync::mpsc::SendError<T>> {
        let q = &self.0;
        let mut s = q.lock();
        loop {
            if s.receivers == 0 {
                return Err(std::sync::mpsc::SendError(item));
            }
            if s.items.len() < q.capacity {
                break;
            }
            s = q.not_full.wait(s).unwrap_or_else(|p| p.into_inner());
        }
        s.items.push_back(item);
        drop(s);
        q.not_empty.notify_one();
        Ok(())
    }
}

impl<T> Clone for QueueSender<T> {
    fn clone(&self) -> Self {
        self.0.lock().senders += 1;
        QueueSender(self.0.clone())
    }
}

impl<T> Drop for QueueSender<T> {
    fn drop(&mut self) {
        let last = {
            let mut s = self.0.lock();
            s.senders -= 1;
            s.senders == 0
        };
        // The broken twin closes the queue without waking anyone.
        if last && !mutant("queue-close-silent") {
            // Wake every receiver so each sees the queue closed once it is empty.
            self.0.not_empty.notify_all();
        }
    }
}

impl<T> Clone for QueueReceiver<T> {
    fn clone(&self) -> Self {
        self.0.lock().receivers += 1;
        QueueReceiver(self.0.clone())
    }
}

impl<T> Drop for QueueReceiver<T> {
    fn drop(&mut self) {
        let last = {
            let mut s = self.0.lock();
            s.receivers -= 1;
            s.receivers == 0
        };
        if last {
            // Wake every sender waiting for room, so each sees that nobody will receive.
            self.0.not_full.notify_all();
        }
    }
}

impl<T> QueueReceiver<T> {
    /// Takes the oldest item, waiting while the queue is empty; `None` once it is empty and
    /// every sender is gone.
    pub fn recv(&self) -> Option<T> {
        let q = &self.0;
        let mut s = q.lock();
        loop {
            if let Some(item) = s.items.pop_front() {
                drop(s);
                q.not_full.notify_one();
                return Some(item);
            }
            if s.senders == 0 {
                return None;
            }
            s = q.not_empty.wait(s).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// One queued item: producer index, its sequence number, and the clock reading when sent.
pub type Item = [u64; 3];

/// A bounded multi-producer multi-consumer channel, as the queue workload drives it.
/// Dropping every sender closes it; receivers then drain it and get `None`.
pub trait Channel: 'static {
    /// Sending end; clones are more senders.
    type Tx: Send + Clone + 'static;
    /// Receiving end; clones are more receivers.
    type Rx: Send + Clone + 'static;
    /// A channel holding at most `capacity` items.
    fn bounded(capacity: usize) -> (Self::Tx, Self::Rx);
    /// Sends, waiting while full.
    fn send(tx: &Self::Tx, item: Item);
    /// Receives, waiting while empty; `None` when closed and drained.
    fn recv(rx: &Self::Rx) -> Option<Item>;
}

/// [`BoundedQueue`] as a [`Channel`].
#[cfg(not(loom))]
#[derive(Debug)]
pub struct CondvarQueue;

#[cfg(not(loom))]
impl Channel for CondvarQueue {
    type Tx = QueueSender<Item>;
    type Rx = QueueReceiver<Item>;
    fn bounded(capacity: usize) -> (Self::Tx, Self::Rx) {
        BoundedQueue::channel(capacity)
    }
    fn send(tx: &Self::Tx, item: Item) {
        // An error means every receiver is gone; the workload never drops them first.
        let _ = tx.send(item);
    }
    fn recv(rx: &Self::Rx) -> Option<Item> {
        rx.recv()
    }
}

impl Describe for ReentrantMutex<super::futex::FutexMutex> {
    const ABOUT: About = About::new(
        "reentrant-mutex",
        Family::Classic,
        "reentrant mutex (owner token + depth over futex-mutex); each op locks, re-enters once, unlocks twice",
    )
    .sleeps();
}

impl Describe for FutexSemaphore {
    const ABOUT: About = About::new(
        "futex-semaphore",
        Family::Classic,
        "counting semaphore on the futex; connection pool: threads share N permits (--stripes)",
    )
    .sleeps();
}

#[cfg(not(loom))]
impl Describe for CondvarSemaphore {
    const ABOUT: About = About::new(
        "condvar-semaphore",
        Family::Classic,
        "counting semaphore on std Mutex + Condvar, the textbook way; same pool workload",
    )
    .sleeps();
}

#[cfg(not(loom))]
impl Describe for CondvarQueue {
    const ABOUT: About = About::new(
        "condvar-queue",
        Family::Classic,
        "bounded queue on one Mutex + two Condvars; half the threads produce, half consume",
    )
    .sleeps();
}

impl Describe for SenseBarrier {
    const ABOUT: About = About::new(
        "sense-barrier",
        Family::Classic,
        "sense-reversing spinning barrier; wait = release latency after the last arrival",
    );
}

#[cfg(not(loom))]
impl Describe for StdBarrier {
    const ABOUT: About = About::new(
        "std-barrier",
        Family::Classic,
        "std::sync::Barrier (Mutex + Condvar, sleeps)",
    )
    .from_crate()
    .sleeps();
}
