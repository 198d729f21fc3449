//! Model checks of every hand-written primitive with loom.
//!
//! Run with `scripts/loom.sh` (`RUSTFLAGS="--cfg loom" cargo test --release --test loom`).
//! Every model that must pass is paired with a `#[should_panic]` model of a deliberately
//! broken variant, so each check is shown able to fail.
#![cfg(loom)]

use lockbench::primitives::counter::{
    CasBackoffCounter, CasCounter, Counter, FetchAddCounter, RacyCounter, ShardedCounter,
};
use lockbench::primitives::futex::{AdaptiveMutex, FutexMutex};
use lockbench::primitives::spin::{Mcs, Tas, Ticket, Ttas, TtasBackoff};
use lockbench::primitives::{Exclusive, RawLock};
use lockbench::sync::{AtomicBool, AtomicU32, Futex, Ordering, spin_hint};
use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::thread;

/// Explores interleavings of `threads` threads (the main thread included) that each run
/// `body(thread_index)` once on shared state built by `make`, then runs `check` on it.
fn model<S: Send + Sync + 'static>(
    threads: usize,
    make: fn() -> S,
    body: fn(&S, usize),
    check: fn(&S, usize),
) {
    bounded_model(threads, 3, make, body, check);
}

/// [`model`] with an explicit preemption bound, for models too large to explore at 3.
fn bounded_model<S: Send + Sync + 'static>(
    threads: usize,
    preemptions: usize,
    make: fn() -> S,
    body: fn(&S, usize),
    check: fn(&S, usize),
) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(preemptions);
    // Spin loops yield to loom on every iteration, which adds branches.
    builder.max_branches = 100_000;
    builder.check(move || {
        let shared = Arc::new(make());
        let handles: Vec<_> = (1..threads)
            .map(|t| {
                let shared = Arc::clone(&shared);
                thread::spawn(move || body(&shared, t))
            })
            .collect();
        body(&shared, 0);
        for handle in handles {
            handle.join().unwrap();
        }
        check(&shared, threads);
    });
}

/// A lock and the data it protects; loom's UnsafeCell reports any unsynchronized access.
struct Guarded<L> {
    lock: L,
    data: UnsafeCell<usize>,
}

// SAFETY: `data` is only touched while `lock` is held (which is what the model checks).
unsafe impl<L: Sync> Sync for Guarded<L> {}

fn exclusive_model<L: Exclusive>(threads: usize) {
    model(
        threads,
        || Guarded {
            lock: L::create(),
            data: UnsafeCell::new(0),
        },
        |g, _| {
            let mut node = L::Node::default();
            g.lock.with(&mut node, || {
                // SAFETY: the lock is held, so no other thread accesses `data`.
                g.data.with_mut(|d| unsafe { *d += 1 });
            });
        },
        |g, threads| g.data.with(|d| assert_eq!(unsafe { *d }, threads)),
    );
}

/// Two threads: one blocks in `lock`, the other succeeds in `try_lock` or gives up.
fn try_lock_model<L: Exclusive>() {
    model(
        2,
        || Guarded {
            lock: L::create(),
            data: UnsafeCell::new(0),
        },
        |g, t| {
            let mut node = L::Node::default();
            // SAFETY (both closures): the lock is held while `data` is touched.
            let bump = || g.data.with_mut(|d| unsafe { *d += 1 });
            if t == 0 {
                g.lock.with(&mut node, bump);
            } else {
                let _ = g.lock.try_with(&mut node, bump);
            }
        },
        |g, _| g.data.with(|d| assert!((1..=2).contains(&unsafe { *d }))),
    );
}

#[test]
fn tas() {
    exclusive_model::<Tas>(2);
    try_lock_model::<Tas>();
}

#[test]
fn ttas() {
    exclusive_model::<Ttas>(2);
    try_lock_model::<Ttas>();
}

#[test]
fn ttas_backoff() {
    exclusive_model::<TtasBackoff>(2);
}

#[test]
fn ticket() {
    exclusive_model::<Ticket>(2);
    try_lock_model::<Ticket>();
}

#[test]
fn mcs() {
    exclusive_model::<Mcs>(2);
    try_lock_model::<Mcs>();
}

#[test]
fn futex_mutex() {
    exclusive_model::<FutexMutex>(3);
    try_lock_model::<FutexMutex>();
}

#[test]
fn adaptive_mutex() {
    exclusive_model::<AdaptiveMutex<100>>(3);
}

fn counter_model<C: Counter>() {
    model(
        3,
        || C::with_threads(3),
        |c, t| {
            c.increment(t, || {});
        },
        |c, threads| assert_eq!(c.total(), threads as u64),
    );
}

#[test]
fn counters() {
    counter_model::<CasCounter>();
    counter_model::<CasBackoffCounter>();
    counter_model::<FetchAddCounter>();
    counter_model::<ShardedCounter>();
}

// ---- Broken variants: each model below must fail. ----

/// The racy counter loses an update in some interleaving, and loom finds it.
#[test]
#[should_panic(expected = "assertion")]
fn racy_counter_loses_updates() {
    counter_model::<RacyCounter>();
}

/// TAS whose unlock is Relaxed: the next holder may not see the critical section's writes.
struct RelaxedUnlockTas(AtomicBool);

// SAFETY: deliberately broken (Relaxed unlock) to show the model catches it; test-only.
unsafe impl RawLock for RelaxedUnlockTas {
    fn new() -> Self {
        RelaxedUnlockTas(AtomicBool::new(false))
    }
    fn lock(&self) {
        while self.0.swap(true, Ordering::Acquire) {
            spin_hint();
        }
    }
    fn try_lock(&self) -> bool {
        !self.0.swap(true, Ordering::Acquire)
    }
    unsafe fn unlock(&self) {
        self.0.store(false, Ordering::Relaxed);
    }
}

#[test]
#[should_panic(expected = "Causality violation")]
fn relaxed_unlock_is_caught() {
    exclusive_model::<RelaxedUnlockTas>(2);
}

/// Ticket lock that draws tickets with a separate load and store: two threads can draw the
/// same ticket and enter together.
struct NonAtomicTicket {
    next: AtomicU32,
    serving: AtomicU32,
}

// SAFETY: deliberately broken (non-atomic ticket draw); test-only.
unsafe impl RawLock for NonAtomicTicket {
    fn new() -> Self {
        NonAtomicTicket {
            next: AtomicU32::new(0),
            serving: AtomicU32::new(0),
        }
    }
    fn lock(&self) {
        let ticket = self.next.load(Ordering::SeqCst);
        self.next.store(ticket + 1, Ordering::SeqCst);
        while self.serving.load(Ordering::Acquire) != ticket {
            spin_hint();
        }
    }
    fn try_lock(&self) -> bool {
        unreachable!("not modelled")
    }
    unsafe fn unlock(&self) {
        let s = self.serving.load(Ordering::Relaxed);
        self.serving.store(s + 1, Ordering::Release);
    }
}

#[test]
#[should_panic]
fn non_atomic_ticket_is_caught() {
    exclusive_model::<NonAtomicTicket>(2);
}

/// Futex mutex that forgets the CONTENDED state: a waiter sleeps and nobody wakes it.
struct LostWakeupMutex(Futex);

// SAFETY: deliberately broken (never wakes sleepers); test-only.
unsafe impl RawLock for LostWakeupMutex {
    fn new() -> Self {
        LostWakeupMutex(Futex::new(0))
    }
    fn lock(&self) {
        while self
            .0
            .word()
            .compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            self.0.wait(1);
        }
    }
    fn try_lock(&self) -> bool {
        unreachable!("not modelled")
    }
    unsafe fn unlock(&self) {
        self.0.word().store(0, Ordering::Release);
    }
}

/// Loom reports the lost wake-up as a deadlock, but then aborts the process while unwinding
/// the blocked threads, which `#[should_panic]` cannot catch; so the model runs in a child
/// test process, and this test checks that the child died reporting the deadlock.
#[test]
fn lost_wakeup_is_caught() {
    fails_in_child("lost_wakeup_model", "deadlock");
}

/// Runs the `#[ignore]`d model `name` in a child test process and checks that it failed
/// with `expected` in its output. For broken models whose failure loom reports and then
/// aborts on (unwinding a thread that is blocked or spinning in loom panics again).
fn fails_in_child(name: &str, expected: &str) {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", name, "--test-threads=1"])
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "broken model {name} passed");
    assert!(
        text.contains(expected),
        "{name} failed for another reason:\n{text}"
    );
}

#[test]
#[ignore = "must fail: run in a child process by lost_wakeup_is_caught"]
fn lost_wakeup_model() {
    exclusive_model::<LostWakeupMutex>(2);
}

/// MCS whose hand-off to the successor is Relaxed: the successor may enter without seeing the
/// previous critical section.
#[test]
#[should_panic(expected = "Causality violation")]
fn mcs_relaxed_handoff_is_caught() {
    use loom::sync::atomic::AtomicPtr;
    use std::ptr;

    struct Node {
        next: AtomicPtr<Node>,
        waiting: AtomicBool,
    }
    struct BrokenMcs {
        tail: AtomicPtr<Node>,
        data: UnsafeCell<usize>,
    }
    // SAFETY: deliberately broken; test-only.
    unsafe impl Sync for BrokenMcs {}

    model(
        2,
        || BrokenMcs {
            tail: AtomicPtr::new(ptr::null_mut()),
            data: UnsafeCell::new(0),
        },
        |l, _| {
            let node = Node {
                next: AtomicPtr::new(ptr::null_mut()),
                waiting: AtomicBool::new(true),
            };
            let me = ptr::from_ref(&node).cast_mut();
            let pred = l.tail.swap(me, Ordering::AcqRel);
            if !pred.is_null() {
                // SAFETY: as in the real lock.
                unsafe { (*pred).next.store(me, Ordering::Release) };
                while node.waiting.load(Ordering::Acquire) {
                    spin_hint();
                }
            }
            // SAFETY: (supposedly) held.
            l.data.with_mut(|d| unsafe { *d += 1 });
            if l.tail
                .compare_exchange(me, ptr::null_mut(), Ordering::Release, Ordering::Relaxed)
                .is_err()
            {
                let mut next = node.next.load(Ordering::Acquire);
                while next.is_null() {
                    spin_hint();
                    next = node.next.load(Ordering::Acquire);
                }
                // The bug: Relaxed instead of Release.
                // SAFETY: the successor is alive while it spins.
                unsafe { (*next).waiting.store(false, Ordering::Relaxed) };
            }
        },
        |l, _| l.data.with(|d| assert_eq!(unsafe { *d }, 2)),
    );
}

// ---- reader-writer locks ----

use lockbench::primitives::rwlock::{
    PhaseFairRwLock, RawRwLock, ReadWrite, ReaderPrefRwLock, SeqLock, WriterPrefRwLock,
};

/// Thread `t` writes if `t < WRITERS`, else reads; loom's UnsafeCell reports a reader
/// overlapping a writer, or two writers, as a data race.
fn rw_body<L: ReadWrite, const WRITERS: usize>(g: &Guarded<L>, t: usize) {
    if t < WRITERS {
        // SAFETY: exclusive access is held.
        g.lock.write(|| g.data.with_mut(|d| unsafe { *d += 1 }));
    } else {
        // SAFETY: shared access is held; writers are excluded.
        let seen = g.lock.read(|| g.data.with(|d| unsafe { *d }));
        assert!(seen <= WRITERS);
    }
}

fn rw_models<L: ReadWrite>() {
    fn make<L: ReadWrite>() -> Guarded<L> {
        Guarded {
            lock: L::create(),
            data: UnsafeCell::new(0),
        }
    }
    // Writer against reader, and writer against writer. (Three spinning threads exceed CI's
    // budget at this preemption bound; see `rw_phase_fair_three` for a bounded one.)
    model(2, make::<L>, rw_body::<L, 1>, |g, _| {
        g.data.with(|d| assert_eq!(unsafe { *d }, 1))
    });
    model(2, make::<L>, rw_body::<L, 2>, |g, _| {
        g.data.with(|d| assert_eq!(unsafe { *d }, 2))
    });
}

/// One writer and two readers with at most one preemption (two took over two minutes): the phase hand-over between a
/// writer and several readers.
#[test]
fn rw_phase_fair_three() {
    bounded_model(
        3,
        1,
        || Guarded {
            lock: PhaseFairRwLock::create(),
            data: UnsafeCell::new(0),
        },
        rw_body::<PhaseFairRwLock, 1>,
        |g, _| g.data.with(|d| assert_eq!(unsafe { *d }, 1)),
    );
}

#[test]
fn rw_reader_pref() {
    rw_models::<ReaderPrefRwLock>();
}

#[test]
fn rw_writer_pref() {
    rw_models::<WriterPrefRwLock>();
}

#[test]
fn rw_phase_fair() {
    rw_models::<PhaseFairRwLock>();
}

/// try_lock paths of the phase-fair lock: a writer's try against a blocking reader and
/// writer.
#[test]
fn rw_phase_fair_try() {
    fn body(g: &Guarded<PhaseFairRwLock>, t: usize) {
        match t {
            0 => {
                if g.lock.try_lock_exclusive() {
                    // SAFETY: exclusive access is held.
                    g.data.with_mut(|d| unsafe { *d += 1 });
                    // SAFETY: acquired just above.
                    unsafe { g.lock.unlock_exclusive() };
                }
            }
            1 => {
                // SAFETY: exclusive access is held.
                g.lock.write(|| g.data.with_mut(|d| unsafe { *d += 1 }));
            }
            _ => {
                if g.lock.try_lock_shared() {
                    // SAFETY: shared access is held.
                    g.data.with(|d| unsafe { *d });
                    // SAFETY: acquired just above.
                    unsafe { g.lock.unlock_shared() };
                }
            }
        }
    }
    model(
        3,
        || Guarded {
            lock: PhaseFairRwLock::create(),
            data: UnsafeCell::new(0),
        },
        body,
        |g, _| g.data.with(|d| assert!((1..=2).contains(&unsafe { *d }))),
    );
}

/// Seqlock data must be atomics; a validated read must never see a torn pair.
struct SeqData<L> {
    lock: L,
    a: AtomicU32,
    b: AtomicU32,
}

fn seq_body<L: ReadWrite>(s: &SeqData<L>, t: usize) {
    if t == 0 {
        s.lock.write(|| {
            s.a.store(1, Ordering::Relaxed);
            s.b.store(1, Ordering::Relaxed);
        });
    } else {
        let (a, b) = s
            .lock
            .read(|| (s.a.load(Ordering::Relaxed), s.b.load(Ordering::Relaxed)));
        assert_eq!(a, b, "torn read passed validation");
    }
}

fn seq_model<L: ReadWrite>() {
    model(
        2,
        || SeqData {
            lock: L::create(),
            a: AtomicU32::new(0),
            b: AtomicU32::new(0),
        },
        seq_body::<L>,
        |_, _| {},
    );
}

#[test]
fn rw_seqlock() {
    seq_model::<SeqLock>();
}

/// Reader-preferring lock whose readers ignore the writer bit.
struct ReadersIgnoreWriter(AtomicU32);

// SAFETY: deliberately broken; test-only.
unsafe impl RawRwLock for ReadersIgnoreWriter {
    fn new() -> Self {
        ReadersIgnoreWriter(AtomicU32::new(0))
    }
    fn lock_shared(&self) {
        self.0.fetch_add(1, Ordering::Acquire);
    }
    fn try_lock_shared(&self) -> bool {
        unreachable!("not modelled")
    }
    unsafe fn unlock_shared(&self) {
        self.0.fetch_sub(1, Ordering::Release);
    }
    fn lock_exclusive(&self) {
        while self
            .0
            .compare_exchange(0, 1 << 31, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            spin_hint();
        }
    }
    fn try_lock_exclusive(&self) -> bool {
        unreachable!("not modelled")
    }
    unsafe fn unlock_exclusive(&self) {
        self.0.fetch_and(!(1 << 31), Ordering::Release);
    }
}

#[test]
#[should_panic]
fn rw_reader_ignoring_writer_is_caught() {
    fn make() -> Guarded<ReadersIgnoreWriter> {
        Guarded {
            lock: ReadersIgnoreWriter::create(),
            data: UnsafeCell::new(0),
        }
    }
    model(2, make, rw_body::<ReadersIgnoreWriter, 1>, |_, _| {});
}

/// Seqlock whose writer never makes the sequence odd: a reader can validate a torn pair.
struct NoOddPhase {
    seq: AtomicU32,
}

impl ReadWrite for NoOddPhase {
    fn create() -> Self {
        NoOddPhase {
            seq: AtomicU32::new(0),
        }
    }
    fn read<T>(&self, mut f: impl FnMut() -> T) -> T {
        loop {
            let before = self.seq.load(Ordering::Acquire);
            let v = f();
            lockbench::sync::fence(Ordering::Acquire);
            if self.seq.load(Ordering::Relaxed) == before {
                return v;
            }
        }
    }
    fn write<T>(&self, f: impl FnOnce() -> T) -> T {
        let s = self.seq.load(Ordering::Relaxed);
        let v = f();
        self.seq.store(s + 2, Ordering::Release);
        v
    }
}

#[test]
#[should_panic(expected = "torn read")]
fn seqlock_without_odd_phase_is_caught() {
    seq_model::<NoOddPhase>();
}

// ---- the classic toolbox ----

use lockbench::primitives::classic::{
    FutexSemaphore, Permits, PhaseBarrier, ReentrantMutex, SenseBarrier,
};

/// Two threads, each locking twice (nested) and touching the data at both depths.
#[test]
fn reentrant_mutex() {
    fn body(g: &Guarded<ReentrantMutex<Tas>>, _: usize) {
        g.lock.lock();
        // SAFETY (both): the mutex is held by this thread.
        g.data.with_mut(|d| unsafe { *d += 1 });
        g.lock.lock();
        g.data.with_mut(|d| unsafe { *d += 1 });
        // SAFETY: locked twice above.
        unsafe {
            g.lock.unlock();
            g.lock.unlock();
        }
    }
    model(
        2,
        || Guarded {
            lock: ReentrantMutex::new(),
            data: UnsafeCell::new(0),
        },
        body,
        |g, _| g.data.with(|d| assert_eq!(unsafe { *d }, 4)),
    );
}

/// A reentrant mutex that releases the underlying lock at the *first* unlock: the other
/// thread gets in while the owner is still in its outer section.
#[test]
#[should_panic]
fn reentrant_releasing_early_is_caught() {
    struct Early {
        raw: Tas,
        owner: loom::sync::atomic::AtomicUsize,
    }
    // SAFETY: deliberately broken; test-only.
    unsafe impl Sync for Early {}
    fn body(g: &Guarded<Early>, _: usize) {
        let me = lockbench::sync::thread_token();
        let lock = |l: &Early| {
            if l.owner.load(Ordering::Relaxed) != me {
                l.raw.lock();
                l.owner.store(me, Ordering::Relaxed);
            }
        };
        lock(&g.lock);
        lock(&g.lock);
        // The bug: the inner unlock releases the raw lock.
        g.lock.owner.store(0, Ordering::Relaxed);
        // SAFETY: deliberately broken.
        unsafe { g.lock.raw.unlock() };
        // SAFETY: (supposedly) still held by the outer lock.
        g.data.with_mut(|d| unsafe { *d += 1 });
    }
    model(
        2,
        || Guarded {
            lock: Early {
                raw: Tas::new(),
                owner: loom::sync::atomic::AtomicUsize::new(0),
            },
            data: UnsafeCell::new(0),
        },
        body,
        |_, _| {},
    );
}

/// Three threads, one permit: never two holders, and the permit is back at the end. A
/// lost wake-up would be a loom deadlock.
#[test]
fn futex_semaphore() {
    struct Pool<S> {
        sem: S,
        data: UnsafeCell<usize>,
    }
    // SAFETY: `data` is only touched while holding the single permit.
    unsafe impl<S: Sync> Sync for Pool<S> {}
    fn body<S: Permits>(p: &Pool<S>, _: usize) {
        p.sem.acquire();
        // SAFETY: the only permit is held.
        p.data.with_mut(|d| unsafe { *d += 1 });
        p.sem.release();
    }
    model(
        3,
        || Pool {
            sem: FutexSemaphore::with_permits(1),
            data: UnsafeCell::new(0),
        },
        body::<FutexSemaphore>,
        |p, _| {
            p.data.with(|d| assert_eq!(unsafe { *d }, 3));
            assert_eq!(p.sem.available(), 1);
        },
    );
}

/// A semaphore whose acquire takes a permit with a separate load and store: two threads
/// can take the last permit.
#[test]
#[should_panic]
fn semaphore_without_cas_is_caught() {
    struct Leaky(AtomicU32);
    struct Pool {
        sem: Leaky,
        data: UnsafeCell<usize>,
    }
    // SAFETY: deliberately broken; test-only.
    unsafe impl Sync for Pool {}
    fn body(p: &Pool, _: usize) {
        loop {
            let n = p.sem.0.load(Ordering::Acquire);
            if n > 0 {
                p.sem.0.store(n - 1, Ordering::Relaxed);
                break;
            }
            spin_hint();
        }
        // SAFETY: (supposedly) the only permit is held.
        p.data.with_mut(|d| unsafe { *d += 1 });
        p.sem.0.fetch_add(1, Ordering::Release);
    }
    model(
        2,
        || Pool {
            sem: Leaky(AtomicU32::new(1)),
            data: UnsafeCell::new(0),
        },
        body,
        |_, _| {},
    );
}

/// Two threads, two phases: what one wrote before a phase is visible to the other after
/// it; exactly one leader per phase. A barrier that released early would let a thread read
/// the other's slot concurrently with its write, which loom reports.
#[test]
fn sense_barrier() {
    struct Meet {
        barrier: SenseBarrier,
        slots: [UnsafeCell<usize>; 2],
        leaders: AtomicU32,
    }
    // SAFETY: each slot is written by its owner before a phase and read by others only after.
    unsafe impl Sync for Meet {}
    fn body(m: &Meet, t: usize) {
        let mut sense = false;
        for phase in 1..=2 {
            // SAFETY: only thread t writes slot t, and only between barriers.
            m.slots[t].with_mut(|s| unsafe { *s = phase });
            if m.barrier.wait(&mut sense) {
                m.leaders.fetch_add(1, Ordering::Relaxed);
            }
            // SAFETY: the barrier orders the other thread's write before this read.
            let other = m.slots[1 - t].with(|s| unsafe { *s });
            assert!(other >= phase, "left phase {phase} early");
            m.barrier.wait(&mut sense);
        }
    }
    model(
        2,
        || Meet {
            barrier: SenseBarrier::with_threads(2),
            slots: [UnsafeCell::new(0), UnsafeCell::new(0)],
            leaders: AtomicU32::new(0),
        },
        body,
        // One leader counted per phase (at its first wait).
        |m, _| assert_eq!(m.leaders.load(Ordering::Relaxed), 2),
    );
}

/// A barrier whose last arriver flips the sense *before* counting itself out: a waiter can
/// be released while the last thread's phase work is still unpublished.
#[test]
fn barrier_releasing_before_the_last_arrival_is_caught() {
    fails_in_child("hasty_barrier_model", "left the phase early");
}

#[test]
#[ignore = "must fail: run in a child process by barrier_releasing_before_the_last_arrival_is_caught"]
fn hasty_barrier_model() {
    struct Hasty {
        remaining: AtomicU32,
        sense: AtomicBool,
    }
    struct Meet {
        barrier: Hasty,
        slots: [UnsafeCell<usize>; 2],
    }
    // SAFETY: deliberately broken; test-only.
    unsafe impl Sync for Meet {}
    fn body(m: &Meet, t: usize) {
        // SAFETY: (supposedly) ordered by the barrier.
        m.slots[t].with_mut(|s| unsafe { *s = 1 });
        // The bug: release on arrival of the *first* thread instead of the last.
        if m.barrier.remaining.fetch_sub(1, Ordering::AcqRel) == 2 {
            m.barrier.sense.store(true, Ordering::Release);
        } else {
            while !m.barrier.sense.load(Ordering::Acquire) {
                spin_hint();
            }
        }
        // SAFETY: (supposedly) the other thread's write happened before the barrier.
        let other = m.slots[1 - t].with(|s| unsafe { *s });
        assert_eq!(other, 1, "left the phase early");
    }
    model(
        2,
        || Meet {
            barrier: Hasty {
                remaining: AtomicU32::new(2),
                sense: AtomicBool::new(false),
            },
            slots: [UnsafeCell::new(0), UnsafeCell::new(0)],
        },
        body,
        |_, _| {},
    );
}

// ---- bounded queue (Mutex + Condvar) ----

use lockbench::primitives::classic::{BoundedQueue, QueueReceiver, QueueSender};

struct QueueRig {
    tx: loom::sync::Mutex<Option<QueueSender<u32>>>,
    rx: QueueReceiver<u32>,
    got: loom::sync::Mutex<Vec<(usize, u32)>>,
}

/// Thread 0 sends 1 and 2 through a one-slot queue and leaves; threads 1 and 2 receive until
/// the queue closes. Every item arrives exactly once, in order at each consumer, and nobody
/// sleeps forever (a lost wake-up is a loom deadlock).
fn queue_body(q: &QueueRig, t: usize) {
    if t == 0 {
        let tx = q.tx.lock().unwrap().take().unwrap();
        tx.send(1);
        tx.send(2);
    } else {
        while let Some(x) = q.rx.recv() {
            q.got.lock().unwrap().push((t, x));
        }
    }
}

#[test]
fn bounded_queue() {
    bounded_model(
        3,
        2,
        || {
            let (tx, rx) = BoundedQueue::channel(1);
            QueueRig {
                tx: loom::sync::Mutex::new(Some(tx)),
                rx,
                got: loom::sync::Mutex::new(Vec::new()),
            }
        },
        queue_body,
        |q, _| {
            let got = q.got.lock().unwrap();
            let mut items: Vec<u32> = got.iter().map(|&(_, x)| x).collect();
            for consumer in [1, 2] {
                let seen: Vec<u32> = got
                    .iter()
                    .filter(|&&(t, _)| t == consumer)
                    .map(|&(_, x)| x)
                    .collect();
                assert!(
                    seen.windows(2).all(|w| w[0] < w[1]),
                    "out of order at consumer {consumer}"
                );
            }
            items.sort_unstable();
            assert_eq!(items, vec![1, 2], "lost or duplicated items");
        },
    );
}

/// A queue whose last sender leaves without waking the receivers: one sleeps forever.
#[test]
fn queue_closing_without_wakeup_is_caught() {
    fails_in_child("silent_close_model", "deadlock");
}

#[test]
#[ignore = "must fail: run in a child process by queue_closing_without_wakeup_is_caught"]
fn silent_close_model() {
    struct Silent {
        state: loom::sync::Mutex<(Option<u32>, bool)>,
        not_empty: loom::sync::Condvar,
    }
    fn body(q: &Silent, t: usize) {
        if t == 0 {
            // The bug: mark the queue closed, but notify nobody.
            q.state.lock().unwrap().1 = true;
        } else {
            let mut s = q.state.lock().unwrap();
            while s.0.is_none() && !s.1 {
                s = q.not_empty.wait(s).unwrap();
            }
        }
    }
    model(
        2,
        || Silent {
            state: loom::sync::Mutex::new((None, false)),
            not_empty: loom::sync::Condvar::new(),
        },
        body,
        |_, _| {},
    );
}
