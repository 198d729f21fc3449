//! The one place that chooses between std and loom.
//!
//! Primitives import atomics, the spin hint and the futex only from here, so the same source
//! is model-checked by loom (`RUSTFLAGS="--cfg loom"`) and measured by the harness.

#[cfg(loom)]
pub use loom::sync::atomic::{
    AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering, fence,
};
#[cfg(not(loom))]
pub use std::sync::atomic::{
    AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering, fence,
};

#[cfg(loom)]
pub use loom::sync::{Arc, Condvar, Mutex, MutexGuard};
#[cfg(not(loom))]
pub use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// Defines a constructor that is `const` outside loom (so `lock_api::RawMutex::INIT` can use
/// it) and plain under loom, whose atomics cannot be built in a const context.
macro_rules! maybe_const_fn {
    ($(#[$m:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty $body:block) => {
        #[cfg(not(loom))]
        $(#[$m])* $vis const fn $name($($arg: $ty),*) -> $ret $body
        #[cfg(loom)]
        $(#[$m])* $vis fn $name($($arg: $ty),*) -> $ret $body
    };
}
pub(crate) use maybe_const_fn;

/// One iteration of a busy-wait loop: the CPU's spin-loop hint (PAUSE on x86), or a loom
/// yield so the model checker can schedule the thread we are waiting for.
#[inline(always)]
pub fn spin_hint() {
    #[cfg(loom)]
    loom::thread::yield_now();
    #[cfg(not(loom))]
    core::hint::spin_loop();
}

/// Whether the loom model running now asked for the deliberate bug `name` ("mutant").
///
/// Each broken twin in `tests/loom*.rs` is the shipped code with exactly one mutation, switched
/// on at the line where the bug would be (`if mutant("mcs-relaxed-handoff") { Relaxed } else
/// { Release }`). The twin runs in a child test process with `LOCKBENCH_MUTANT=<name>` set, so
/// the mutation never leaks into the models that must pass. Outside loom this is a constant
/// `false` and the branch compiles away: measured code carries no hook.
#[inline(always)]
pub fn mutant(name: &str) -> bool {
    #[cfg(loom)]
    {
        std::env::var("LOCKBENCH_MUTANT").is_ok_and(|m| m == name)
    }
    #[cfg(not(loom))]
    {
        let _ = name;
        false
    }
}

/// A race window in a try-lock: between its read of the lock's state and the
/// compare-exchange that acts on it. The crate's own unit tests can set what happens there
/// ([`on_race`]: another acquisition and release, which a real race produces only rarely), to
/// check that a try fails only when the lock is taken. Everywhere else it is empty and compiles
/// away, as [`mutant`] does.
#[inline(always)]
pub(crate) fn race_point(name: &'static str) {
    #[cfg(all(test, not(loom)))]
    {
        let due = RACE.with(|r| {
            let mut r = r.borrow_mut();
            match r.take() {
                Some((at, f)) if at == name => Some(f),
                other => {
                    *r = other;
                    None
                }
            }
        });
        if let Some(f) = due {
            f();
        }
    }
    #[cfg(not(all(test, not(loom))))]
    let _ = name;
}

/// What the calling thread runs, once, at its next [`race_point`] named `name`.
#[cfg(all(test, not(loom)))]
pub(crate) fn on_race(name: &'static str, f: impl FnOnce() + 'static) {
    RACE.with(|r| *r.borrow_mut() = Some((name, Box::new(f))));
}

#[cfg(all(test, not(loom)))]
type RaceHook = Option<(&'static str, Box<dyn FnOnce()>)>;

#[cfg(all(test, not(loom)))]
thread_local!(static RACE: std::cell::RefCell<RaceHook> = const { std::cell::RefCell::new(None) });

/// A nonzero number unique to the calling thread and never given to another thread of the
/// process, even after it exits (a thread-local's address would be: glibc reuses a dead
/// thread's stack and thread-local block). Drawn from a process-wide counter on first use,
/// then one thread-local read. Cheaper than `std::thread::current().id()` (no reference
/// count).
pub fn thread_id() -> usize {
    // Not loom's atomics: ids only need to be distinct, across models too; nothing is ordered
    // through them.
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);
    let draw = || NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    #[cfg(not(loom))]
    {
        thread_local!(static ID: std::cell::Cell<usize> = const { std::cell::Cell::new(0) });
        ID.with(|id| match id.get() {
            0 => {
                let new = draw();
                id.set(new);
                new
            }
            known => known,
        })
    }
    #[cfg(loom)]
    {
        let _ = draw;
        loom::thread_local!(static ID: usize = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        ID.with(|id| *id)
    }
}

/// A 32-bit futex word: an atomic that threads can sleep on until another thread wakes them.
///
/// Semantics are Linux's `FUTEX_WAIT`/`FUTEX_WAKE`: `wait(expected)` sleeps only if the word
/// still holds `expected` when the kernel looks (checked atomically with queueing), and may
/// return spuriously, so callers re-check their condition in a loop.
///
/// Under loom the kernel is emulated by a mutex (the kernel's hash-bucket lock, which also
/// guards the count of queued sleepers) and a condvar (its wait queue), so a lost wake-up shows
/// up in the model as a deadlock. The emulation also wakes spuriously: every other `wait` call
/// on a futex that passes the word check returns at once instead of sleeping (deterministic, so
/// it adds few branches), which drives every caller through its re-check loop, while the calls
/// in between really sleep, so a lost wake-up still deadlocks.
pub struct Futex {
    word: AtomicU32,
    #[cfg(loom)]
    bucket: Mutex<Bucket>,
    #[cfg(loom)]
    queue: Condvar,
    /// Loom model of the kernel's "waiters pending" count: raised before a waiter takes the
    /// bucket lock, read by wakers *without* the lock, so a wake with nobody pending touches
    /// no lock and creates no happens-before edge (as `futex_wake` returns early).
    #[cfg(loom)]
    pending: AtomicU32,
}

/// Loom emulation of the kernel's per-futex state, guarded by the bucket lock.
#[cfg(loom)]
struct Bucket {
    /// Threads queued in `wait` and not yet dequeued by a wake.
    sleepers: u32,
    /// `wait` calls that passed the word check: odd-numbered ones return spuriously.
    waits: u32,
}

impl Futex {
    maybe_const_fn! {
        /// A futex word holding `value`.
        pub fn new(value: u32) -> Futex {
            Futex {
                word: AtomicU32::new(value),
                #[cfg(loom)]
                bucket: Mutex::new(Bucket { sleepers: 0, waits: 0 }),
                #[cfg(loom)]
                queue: Condvar::new(),
                #[cfg(loom)]
                pending: AtomicU32::new(0),
            }
        }
    }

    /// The atomic word itself.
    #[inline(always)]
    pub fn word(&self) -> &AtomicU32 {
        &self.word
    }

    /// Sleeps while the word equals `expected`; returns on a wake, a mismatch or spuriously.
    #[cfg(not(loom))]
    pub fn wait(&self, expected: u32) {
        // SAFETY: the address is a live, aligned u32 for the duration of the call; a private
        // futex with a null timeout only reads the word and never writes memory we own.
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                self.word.as_ptr(),
                libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG,
                expected,
                std::ptr::null::<libc::timespec>(),
            );
        }
    }

    /// Wakes at most one thread sleeping in [`Futex::wait`]; returns whether one was woken.
    #[cfg(not(loom))]
    pub fn wake_one(&self) -> bool {
        // SAFETY: as in `wait`; FUTEX_WAKE only uses the address as a key.
        let woken = unsafe {
            libc::syscall(
                libc::SYS_futex,
                self.word.as_ptr(),
                libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
                1,
            )
        };
        woken > 0
    }

    /// Wakes every thread sleeping in [`Futex::wait`].
    #[cfg(not(loom))]
    pub fn wake_all(&self) {
        // SAFETY: as in `wake_one`.
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                self.word.as_ptr(),
                libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
                i32::MAX,
            );
        }
    }

    /// Loom model of `FUTEX_WAIT`: announce a pending waiter (the kernel's
    /// `futex_hb_waiters_inc`, a full barrier), then compare under the bucket lock; every
    /// other call returns spuriously and the others sleep until woken.
    #[cfg(loom)]
    pub fn wait(&self, expected: u32) {
        // Relaxed + SeqCst fence: the kernel's `futex_hb_waiters_inc` and its smp_mb (A),
        // pairing with the fence before the waker reads the count (B): either the waker sees
        // us pending, or our word check (after A) sees the waker's store (before B). Fences,
        // not SeqCst accesses: loom models the latter too weakly for this Dekker pattern.
        self.pending.fetch_add(1, Ordering::Relaxed);
        fence(Ordering::SeqCst);
        self.wait_locked(expected);
        // Relaxed: leaving needs no ordering (a waker seeing a stale count takes the lock).
        self.pending.fetch_sub(1, Ordering::Relaxed);
    }

    #[cfg(loom)]
    fn wait_locked(&self, expected: u32) {
        let mut bucket = self.bucket.lock().unwrap();
        // SeqCst: the kernel's read of the word; the bucket lock orders it against wakers.
        if self.word.load(Ordering::SeqCst) != expected {
            return;
        }
        bucket.waits = bucket.waits.wrapping_add(1);
        if bucket.waits % 2 == 1 {
            // A spurious wake-up (a signal, say): the caller must re-check and wait again.
            return;
        }
        bucket.sleepers += 1;
        // Loom's condvar never wakes spuriously: this returns only after a wake dequeued us
        // (and took us out of `sleepers`), so `sleepers` is exactly the queue's length.
        drop(self.queue.wait(bucket).unwrap());
    }

    /// Loom model of `FUTEX_WAKE` for one waiter: whether a sleeper was dequeued and woken.
    /// With no waiter pending it returns at once, taking no lock, as the kernel does.
    #[cfg(loom)]
    pub fn wake_one(&self) -> bool {
        // SeqCst fence then Relaxed read: the kernel's smp_mb (B) in
        // `futex_hb_waiters_pending`, pairing with (A) in `wait`.
        fence(Ordering::SeqCst);
        if self.pending.load(Ordering::Relaxed) == 0 {
            return false;
        }
        let mut bucket = self.bucket.lock().unwrap();
        if bucket.sleepers == 0 {
            return false;
        }
        bucket.sleepers -= 1;
        self.queue.notify_one();
        true
    }

    /// Loom model of `FUTEX_WAKE` for all waiters (no lock when none is pending).
    #[cfg(loom)]
    pub fn wake_all(&self) {
        // As in `wake_one`.
        fence(Ordering::SeqCst);
        if self.pending.load(Ordering::Relaxed) == 0 {
            return;
        }
        let mut bucket = self.bucket.lock().unwrap();
        if bucket.sleepers > 0 {
            bucket.sleepers = 0;
            self.queue.notify_all();
        }
    }
}

impl std::fmt::Debug for Futex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Futex").finish_non_exhaustive()
    }
}
