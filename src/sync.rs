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

/// A nonzero number unique to the calling thread for as long as it lives: the address of a
/// thread-local byte. Cheaper than `std::thread::current().id()` (no reference count).
pub fn thread_token() -> usize {
    #[cfg(not(loom))]
    {
        thread_local!(static TOKEN: u8 = const { 0 });
        TOKEN.with(|t| std::ptr::from_ref(t) as usize)
    }
    #[cfg(loom)]
    {
        loom::thread_local!(static TOKEN: u8 = 0);
        TOKEN.with(|t| std::ptr::from_ref(t) as usize)
    }
}

/// A 32-bit futex word: an atomic that threads can sleep on until another thread wakes them.
///
/// Semantics are Linux's `FUTEX_WAIT`/`FUTEX_WAKE`: `wait(expected)` sleeps only if the word
/// still holds `expected` when the kernel looks (checked atomically with queueing), and may
/// return spuriously, so callers re-check their condition in a loop.
///
/// Under loom the kernel is emulated by a mutex (the kernel's hash-bucket lock) and a condvar
/// (its wait queue), so a lost wake-up shows up in the model as a deadlock.
pub struct Futex {
    word: AtomicU32,
    #[cfg(loom)]
    queue: loom::sync::Mutex<()>,
    #[cfg(loom)]
    waiters: loom::sync::Condvar,
}

impl Futex {
    maybe_const_fn! {
        /// A futex word holding `value`.
        pub fn new(value: u32) -> Futex {
            Futex {
                word: AtomicU32::new(value),
                #[cfg(loom)]
                queue: loom::sync::Mutex::new(()),
                #[cfg(loom)]
                waiters: loom::sync::Condvar::new(),
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

    /// Loom model of `FUTEX_WAIT`: the comparison happens under the bucket lock, as in the kernel.
    #[cfg(loom)]
    pub fn wait(&self, expected: u32) {
        let bucket = self.queue.lock().unwrap();
        if self.word.load(Ordering::SeqCst) == expected {
            drop(self.waiters.wait(bucket).unwrap());
        }
    }

    /// Loom model of `FUTEX_WAKE` for one waiter.
    #[cfg(loom)]
    pub fn wake_one(&self) -> bool {
        let _bucket = self.queue.lock().unwrap();
        self.waiters.notify_one();
        true
    }

    /// Loom model of `FUTEX_WAKE` for all waiters.
    #[cfg(loom)]
    pub fn wake_all(&self) {
        let _bucket = self.queue.lock().unwrap();
        self.waiters.notify_all();
    }
}

impl std::fmt::Debug for Futex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Futex").finish_non_exhaustive()
    }
}
