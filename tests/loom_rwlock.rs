//! Model checks of the reader-writer locks with loom (run by `scripts/loom.sh`).
//!
//! Every lock has at least one broken twin: the shipped code with one mutation switched on
//! (`lockbench::sync::mutant`), run in a child process that must fail for the twin's own
//! reason. (Not every passing model has its own twin.)
#![cfg(loom)]

use lockbench::sync::{AtomicU32, Ordering};
use loom::cell::UnsafeCell;

mod loom_util;
use loom_util::{Guarded, bounded_model, fails_in_child, model};

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
        assert_eq!(g.value(), 1)
    });
    model(2, make::<L>, rw_body::<L, 2>, |g, _| {
        assert_eq!(g.value(), 2)
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
        |g, _| assert_eq!(g.value(), 1),
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
        |g, _| assert!((1..=2).contains(&g.value())),
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

// ---- broken twins: the shipped code with one mutation each ----

/// Readers that ignore the writer bit (the reader-preferring lock with its `blocked` mask
/// dropped): loom reports the reader's access overlapping the writer's.
#[test]
#[ignore = "must fail: run in a child process by rw_reader_ignoring_writer_is_caught"]
fn rw_reader_ignoring_writer_model() {
    model(
        2,
        || Guarded::new(ReaderPrefRwLock::create()),
        rw_body::<ReaderPrefRwLock, 1>,
        |_, _| {},
    );
}

#[test]
fn rw_reader_ignoring_writer_is_caught() {
    fails_in_child(
        "rw_reader_ignoring_writer_model",
        "rw-reader-ignores-writer",
        "Causality violation",
    );
}

/// A seqlock writer that never makes the sequence odd: a reader can validate a torn pair.
#[test]
#[ignore = "must fail: run in a child process by seqlock_without_odd_phase_is_caught"]
fn seqlock_without_odd_phase_model() {
    seq_model::<SeqLock>();
}

#[test]
fn seqlock_without_odd_phase_is_caught() {
    fails_in_child(
        "seqlock_without_odd_phase_model",
        "seqlock-no-odd-phase",
        "torn read passed validation",
    );
}

/// A reader whose unlock is Relaxed: the next writer's write races the reader's read. For
/// the reader-preferring lock (its release step is shared with the writer-preferring one)
/// and for the phase-fair lock.
#[test]
#[ignore = "must fail: run in a child process by rw_relaxed_unlock_shared_is_caught"]
fn rw_relaxed_unlock_shared_model() {
    model(
        2,
        || Guarded::new(ReaderPrefRwLock::create()),
        rw_body::<ReaderPrefRwLock, 1>,
        |_, _| {},
    );
}

#[test]
fn rw_relaxed_unlock_shared_is_caught() {
    fails_in_child(
        "rw_relaxed_unlock_shared_model",
        "rw-relaxed-unlock-shared",
        "Causality violation",
    );
}

#[test]
#[ignore = "must fail: run in a child process by pf_relaxed_unlock_shared_is_caught"]
fn pf_relaxed_unlock_shared_model() {
    model(
        2,
        || Guarded::new(PhaseFairRwLock::create()),
        rw_body::<PhaseFairRwLock, 1>,
        |_, _| {},
    );
}

#[test]
fn pf_relaxed_unlock_shared_is_caught() {
    fails_in_child(
        "pf_relaxed_unlock_shared_model",
        "pf-relaxed-unlock-shared",
        "Causality violation",
    );
}

// ---- liveness of the phase-fair lock through try_lock_exclusive ----

/// A reader doing `read`; a writer doing `write`, `try_write`, `write`. The failed try in the
/// middle must not make the next real write phase look like the previous one to a reader
/// still waiting for the first phase to end (that reader would wait forever while the writer
/// waits for it to leave).
fn pf_read_vs_write_try_write(g: &Guarded<PhaseFairRwLock>, t: usize) {
    if t == 0 {
        // SAFETY: exclusive access is held.
        g.lock.write(|| g.data.with_mut(|d| unsafe { *d += 1 }));
        if g.lock.try_lock_exclusive() {
            // SAFETY: exclusive access is held.
            g.data.with_mut(|d| unsafe { *d += 1 });
            // SAFETY: acquired just above.
            unsafe { g.lock.unlock_exclusive() };
        }
        // SAFETY: exclusive access is held.
        g.lock.write(|| g.data.with_mut(|d| unsafe { *d += 1 }));
    } else {
        // SAFETY: shared access is held; writers are excluded.
        g.lock.read(|| g.data.with(|d| unsafe { *d }));
    }
}

#[test]
fn rw_phase_fair_failed_try_keeps_phases_alternating() {
    model(
        2,
        || Guarded::new(PhaseFairRwLock::create()),
        pf_read_vs_write_try_write,
        |g, _| assert!((2..=3).contains(&g.value())),
    );
}

/// The paper's phase id (ticket parity, so a failed try flips it too): the model above
/// livelocks — the reader waits for the bits to change, the writer for the reader to leave.
#[test]
#[ignore = "must fail: run in a child process by pf_phase_from_ticket_parity_is_caught"]
fn pf_phase_from_ticket_parity_model() {
    rw_phase_fair_failed_try_keeps_phases_alternating();
}

#[test]
fn pf_phase_from_ticket_parity_is_caught() {
    fails_in_child(
        "pf_phase_from_ticket_parity_model",
        "pf-failed-try-flips-phase",
        "livelock",
    );
}

// ---- try_read fails only when it would have to wait ----

/// Two readers, each `try_lock_shared` once, on a lock no writer touches: both must get in.
fn both_try_reads_succeed<L: RawRwLock + 'static>() {
    model(
        2,
        || Guarded::new(L::new()),
        |g, _| {
            assert!(
                g.lock.try_lock_shared(),
                "try_read failed while only readers held the lock"
            );
            // SAFETY: shared access is held.
            g.data.with(|d| unsafe { *d });
            // SAFETY: acquired just above.
            unsafe { g.lock.unlock_shared() };
        },
        |g, _| assert!(!g.lock.is_locked()),
    );
}

#[test]
fn rw_try_read_among_readers() {
    both_try_reads_succeed::<ReaderPrefRwLock>();
    both_try_reads_succeed::<WriterPrefRwLock>();
    both_try_reads_succeed::<PhaseFairRwLock>();
}

/// `try_lock_shared` that gives up when its CAS loses to another reader (one attempt, as it
/// used to be).
#[test]
#[ignore = "must fail: run in a child process by rw_try_read_single_attempt_is_caught"]
fn rw_try_read_single_attempt_model() {
    both_try_reads_succeed::<ReaderPrefRwLock>();
}

#[test]
fn rw_try_read_single_attempt_is_caught() {
    fails_in_child(
        "rw_try_read_single_attempt_model",
        "rw-try-read-single-attempt",
        "try_read failed while only readers held the lock",
    );
}

/// The writer-preferring lock whose writer, once in, stays counted as waiting: after it
/// leaves, the reader waits forever for a writer that is gone.
#[test]
#[ignore = "must fail: run in a child process by rw_promote_keeping_waiter_is_caught"]
fn rw_promote_keeping_waiter_model() {
    model(
        2,
        || Guarded::new(WriterPrefRwLock::create()),
        rw_body::<WriterPrefRwLock, 1>,
        |_, _| {},
    );
}

#[test]
fn rw_promote_keeping_waiter_is_caught() {
    fails_in_child(
        "rw_promote_keeping_waiter_model",
        "rw-promote-keeps-waiter",
        "livelock",
    );
}

// ---- the policies: who may enter while a writer waits ----

/// A lock, a flag "the first reader holds it", and the data.
struct Policy<L> {
    g: Guarded<L>,
    held: AtomicU32,
}

/// Thread 0 takes a read lock, waits until the writer (thread 1, which starts only once the
/// read lock is held) shows itself waiting, then a new read must fail: under writer preference
/// and phase fairness a waiting writer comes before readers that arrive after it.
fn policy_model<L: RawRwLock + 'static>() {
    model(
        2,
        || Policy {
            g: Guarded::new(L::new()),
            held: AtomicU32::new(0),
        },
        |p: &Policy<L>, t| {
            if t == 0 {
                p.g.lock.lock_shared();
                // Release: pairs with the writer's Acquire load; it starts after we hold.
                p.held.store(1, Ordering::Release);
                while !p.g.lock.writer_waiting() {
                    loom::thread::yield_now();
                }
                let entered = p.g.lock.try_lock_shared();
                if entered {
                    // SAFETY: acquired just above.
                    unsafe { p.g.lock.unlock_shared() };
                }
                assert!(!entered, "a new reader entered past a waiting writer");
                // SAFETY: acquired at the start.
                unsafe { p.g.lock.unlock_shared() };
            } else {
                // Acquire: pairs with the reader's Release store of `held`.
                while p.held.load(Ordering::Acquire) == 0 {
                    loom::thread::yield_now();
                }
                p.g.lock.lock_exclusive();
                // SAFETY: exclusive access is held.
                p.g.data.with_mut(|d| unsafe { *d += 1 });
                // SAFETY: acquired just above.
                unsafe { p.g.lock.unlock_exclusive() };
            }
        },
        |p, _| assert_eq!(p.g.value(), 1),
    );
}

#[test]
fn rw_writer_pref_policy() {
    policy_model::<WriterPrefRwLock>();
}

#[test]
fn rw_phase_fair_policy() {
    policy_model::<PhaseFairRwLock>();
}

/// The writer-preferring lock whose readers ignore waiting writers (reader preference under
/// its name): the new reader enters.
#[test]
#[ignore = "must fail: run in a child process by rw_writer_pref_turned_reader_pref_is_caught"]
fn rw_writer_pref_turned_reader_pref_model() {
    policy_model::<WriterPrefRwLock>();
}

#[test]
fn rw_writer_pref_turned_reader_pref_is_caught() {
    fails_in_child(
        "rw_writer_pref_turned_reader_pref_model",
        "rw-writer-pref-readers-ignore-waiters",
        "a new reader entered past a waiting writer",
    );
}
