use super::*;
use std::time::{Duration, Instant};

/// Waits (up to 10 s) until `cond` holds; panics with `what` otherwise.
fn eventually(what: &str, cond: impl Fn() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < Duration::from_secs(10), "{what}");
        std::thread::yield_now();
    }
}

/// While a reader holds the lock and a writer waits, `is_locked_exclusive` is false:
/// lock_api's default ("try_read failed") said true for the writer-preferring lock, and
/// the phase-fair lock's writer bits are set while its writer still waits. `waiting`
/// tells when the writer has shown itself in the state (as far as the lock shows it).
fn a_waiting_writer_is_not_an_exclusive_holder<R>(waiting: impl Fn(&R) -> bool)
where
    R: lock_api::RawRwLock + Send + Sync,
{
    let lock = lock_api::RwLock::<R, ()>::new(());
    let read = lock.read();
    std::thread::scope(|s| {
        s.spawn(|| drop(lock.write()));
        // SAFETY: only reads the state for the test.
        let raw = unsafe { lock.raw() };
        eventually("the writer never showed itself", || waiting(raw));
        assert!(lock.is_locked());
        assert!(
            !lock.is_locked_exclusive(),
            "a waiting writer counted as holder"
        );
        drop(read);
    });
    assert!(!lock.is_locked());
    let write = lock.write();
    assert!(lock.is_locked_exclusive());
    drop(write);
    assert!(!lock.is_locked_exclusive());
}

#[test]
fn waiting_writers_are_not_exclusive_holders() {
    a_waiting_writer_is_not_an_exclusive_holder::<WriterPrefRwLock>(|l| {
        l.state.load(Ordering::Relaxed) & WAITERS != 0
    });
    a_waiting_writer_is_not_an_exclusive_holder::<PhaseFairRwLock>(|l| {
        l.rin.load(Ordering::Relaxed) & PF_WBITS != 0
    });
    // A waiting reader-preferring writer leaves no trace: give it time to start.
    let t = Instant::now();
    a_waiting_writer_is_not_an_exclusive_holder::<ReaderPrefRwLock>(move |_| {
        t.elapsed() > Duration::from_millis(20)
    });
}

/// The policy probe: a reader holds the lock, a writer arrives and waits (`waiting` says
/// when it shows), then a new reader tries `try_read` 100 times. Returns how many got in.
fn new_readers_past_a_waiting_writer<R>(waiting: impl Fn(&R) -> bool) -> usize
where
    R: RawRwLock + 'static,
{
    let lock = R::new();
    lock.lock_shared();
    let admitted = std::thread::scope(|s| {
        let writer = s.spawn(|| {
            lock.lock_exclusive();
            // SAFETY: acquired just above.
            unsafe { lock.unlock_exclusive() };
        });
        eventually("the writer never showed itself", || waiting(&lock));
        let mut admitted = 0;
        for _ in 0..100 {
            if lock.try_lock_shared() {
                admitted += 1;
                // SAFETY: acquired just above.
                unsafe { lock.unlock_shared() };
            }
            std::thread::yield_now();
        }
        assert!(!writer.is_finished(), "the writer got in past a reader");
        // SAFETY: locked at the start of this test.
        unsafe { lock.unlock_shared() };
        writer.join().unwrap();
        admitted
    });
    assert!(!lock.is_locked());
    admitted
}

/// A try to write fails only when a writer holds or waits or a reader is inside: other
/// threads' whole acquisitions and releases between its reads and its compare-exchanges
/// (a writer's, then a reader's) leave the lock free, and it must get in.
#[test]
fn phase_fair_try_write_fails_only_when_taken() {
    // (Between the served ticket and the readers' check only readers can come and go: a
    // writer would queue behind the try.)
    for (at, other) in [
        ("pf-try-write-ticket", true),
        ("pf-try-write-readers", false),
    ] {
        let lock = std::sync::Arc::new(PhaseFairRwLock::new());
        let l = std::sync::Arc::clone(&lock);
        crate::sync::on_race(at, move || {
            if other {
                l.lock_exclusive();
                // SAFETY: acquired just above.
                unsafe { l.unlock_exclusive() };
            }
            l.lock_shared();
            // SAFETY: acquired just above.
            unsafe { l.unlock_shared() };
        });
        assert!(lock.try_lock_exclusive(), "{at}: failed on a free lock");
        assert!(!lock.try_lock_shared(), "{at}: and it excludes readers");
        // SAFETY: acquired by the try.
        unsafe { lock.unlock_exclusive() };
        lock.lock_shared();
        assert!(!lock.try_lock_exclusive(), "{at}: a reader inside fails it");
        // SAFETY: acquired just above.
        unsafe { lock.unlock_shared() };
        assert!(!lock.is_locked());
    }
}

/// Reader preference admits a new reader past a waiting writer (every try).
#[test]
fn reader_preference_admits_readers_past_a_waiting_writer() {
    // A waiting reader-preferring writer leaves no trace: give it time to start.
    let t = Instant::now();
    let admitted = new_readers_past_a_waiting_writer::<ReaderPrefRwLock>(move |_| {
        t.elapsed() > Duration::from_millis(20)
    });
    assert_eq!(admitted, 100);
}

/// Writer preference keeps every new reader out while a writer waits.
#[test]
fn writer_preference_keeps_readers_out_while_a_writer_waits() {
    let admitted =
        new_readers_past_a_waiting_writer::<WriterPrefRwLock>(WriterPrefRwLock::writer_waiting);
    assert_eq!(admitted, 0, "a new reader entered past a waiting writer");
}

/// Phase fairness: a waiting writer's phase comes before readers that arrive after it.
#[test]
fn phase_fair_keeps_readers_out_while_a_writer_waits() {
    let admitted =
        new_readers_past_a_waiting_writer::<PhaseFairRwLock>(PhaseFairRwLock::writer_waiting);
    assert_eq!(admitted, 0, "a new reader entered past a waiting writer");
}

/// A panicking seqlock writer closes the sequence and releases the writer lock: readers
/// and the next writer do not hang.
#[test]
fn a_panicking_seqlock_writer_leaves_the_lock_usable() {
    let lock = std::sync::Arc::new(SeqLock::create());
    let l = std::sync::Arc::clone(&lock);
    let died = std::thread::spawn(move || l.write(|| panic!("writer dies"))).join();
    assert!(died.is_err());
    let (tx, rx) = std::sync::mpsc::channel();
    let l = std::sync::Arc::clone(&lock);
    std::thread::spawn(move || {
        l.read(|| ());
        l.write(|| ());
        tx.send(()).unwrap();
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("a reader or writer hung after a writer panicked");
}
