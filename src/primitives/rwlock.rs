//! Reader-writer locks with explicit policies, a seqlock read path, and the harness view.
//!
//! All three hand-written locks *spin* while waiting (spin hint between polls); their
//! policies differ only in who may enter while someone waits:
//! - [`ReaderPrefRwLock`]: new readers enter whenever no writer *holds* the lock, even if a
//!   writer waits, so a steady stream of overlapping readers starves writers.
//! - [`WriterPrefRwLock`]: no new reader enters while a writer waits, so a steady stream of
//!   writers starves readers.
//! - [`PhaseFairRwLock`]: Brandenburg & Anderson's phase-fair ticket lock (PF-T): read and
//!   write phases alternate, writers are FIFO among themselves, and every writer phase is
//!   followed by admitting all readers that arrived during it, so neither side starves and a
//!   reader waits for at most one writer phase.

use super::RawLock;
use super::spin::{ExpBackoff, Relax, Ttas};
use crate::sync::{AtomicU32, Ordering, maybe_const_fn, spin_hint};

/// A raw reader-writer lock.
///
/// # Safety
/// Implementors guarantee that an exclusive holder excludes every other holder, shared
/// holders exclude exclusive ones, and that acquiring synchronizes with the release of every
/// conflicting holder before it (Acquire/Release), so data written under the exclusive lock
/// is visible to later holders.
pub unsafe trait RawRwLock: Send + Sync {
    /// A new, unlocked lock.
    fn new() -> Self;
    /// Acquires shared (read) access, waiting as the policy says.
    fn lock_shared(&self);
    /// Acquires shared access if that needs no waiting.
    fn try_lock_shared(&self) -> bool;
    /// Releases shared access.
    ///
    /// # Safety
    /// The caller holds shared access.
    unsafe fn unlock_shared(&self);
    /// Acquires exclusive (write) access.
    fn lock_exclusive(&self);
    /// Acquires exclusive access if that needs no waiting.
    fn try_lock_exclusive(&self) -> bool;
    /// Releases exclusive access.
    ///
    /// # Safety
    /// The caller holds exclusive access.
    unsafe fn unlock_exclusive(&self);
}

/// Implements [`lock_api::RawRwLock`] for `RawRwLock` types with a `const fn new()`.
macro_rules! impl_lock_api_rwlock {
    ($($ty:ty),* $(,)?) => {$(
        #[cfg(not(loom))]
        // SAFETY: forwards to `RawRwLock`, whose contract is lock_api's.
        unsafe impl lock_api::RawRwLock for $ty {
            #[allow(clippy::declare_interior_mutable_const)]
            const INIT: Self = <$ty>::new();
            type GuardMarker = lock_api::GuardSend;
            fn lock_shared(&self) { RawRwLock::lock_shared(self) }
            fn try_lock_shared(&self) -> bool { RawRwLock::try_lock_shared(self) }
            unsafe fn unlock_shared(&self) {
                // SAFETY: lock_api's caller contract is ours.
                unsafe { RawRwLock::unlock_shared(self) }
            }
            fn lock_exclusive(&self) { RawRwLock::lock_exclusive(self) }
            fn try_lock_exclusive(&self) -> bool { RawRwLock::try_lock_exclusive(self) }
            unsafe fn unlock_exclusive(&self) {
                // SAFETY: lock_api's caller contract is ours.
                unsafe { RawRwLock::unlock_exclusive(self) }
            }
        }
    )*};
}

/// What the harness drives for reader-writer primitives.
pub trait ReadWrite: Send + Sync + 'static {
    /// A new instance.
    fn create() -> Self;
    /// Runs `f` with shared access. An optimistic implementation (the seqlock) may run `f`
    /// several times and keep the last result, so `f` must only *read*, through atomics.
    fn read<T>(&self, f: impl FnMut() -> T) -> T;
    /// Runs `f` with exclusive access.
    fn write<T>(&self, f: impl FnOnce() -> T) -> T;
}

struct SharedGuard<'a, R: RawRwLock>(&'a R);
impl<R: RawRwLock> Drop for SharedGuard<'_, R> {
    fn drop(&mut self) {
        // SAFETY: built only right after `lock_shared` returned.
        unsafe { self.0.unlock_shared() }
    }
}
struct ExclusiveGuard<'a, R: RawRwLock>(&'a R);
impl<R: RawRwLock> Drop for ExclusiveGuard<'_, R> {
    fn drop(&mut self) {
        // SAFETY: built only right after `lock_exclusive` returned.
        unsafe { self.0.unlock_exclusive() }
    }
}

impl<R: RawRwLock + 'static> ReadWrite for R {
    fn create() -> Self {
        R::new()
    }
    #[inline(always)]
    fn read<T>(&self, mut f: impl FnMut() -> T) -> T {
        self.lock_shared();
        let _g = SharedGuard(self);
        f()
    }
    #[inline(always)]
    fn write<T>(&self, f: impl FnOnce() -> T) -> T {
        self.lock_exclusive();
        let _g = ExclusiveGuard(self);
        f()
    }
}

// ---------------------------------------------------------------------------------------

/// Retries `attempt` with bounded exponential backoff until it succeeds.
#[inline]
fn spin_until(mut attempt: impl FnMut() -> bool) {
    let mut relax = ExpBackoff::default();
    while !attempt() {
        relax.relax();
    }
}

/// Set in [`ReaderPrefRwLock`] / [`WriterPrefRwLock`] state while a writer holds the lock.
const WRITER: u32 = 1 << 31;
/// Reader count mask (low 16 bits): at most 65 535 simultaneous readers.
const READERS: u32 = 0xFFFF;
/// One waiting writer, in [`WriterPrefRwLock`] (bits 16..31).
const WAITER: u32 = 1 << 16;
/// Waiting-writer count mask in [`WriterPrefRwLock`].
const WAITERS: u32 = 0x7FFF << 16;

// The reader- and writer-preferring locks share a state layout ([`WRITER`] bit, reader count
// in [`READERS`]) and differ only in who may enter; these are the steps they share.

/// One reader leaves.
#[inline]
fn release_shared(state: &AtomicU32) {
    // Release: pairs with the Acquire CAS of the next writer.
    let prev = state.fetch_sub(1, Ordering::Release);
    debug_assert!(prev & READERS != 0, "unlock_shared without readers");
}

/// A writer enters if nobody is inside and nobody waits.
#[inline]
fn try_take_exclusive(state: &AtomicU32) -> bool {
    // Acquire: pairs with the Release of the last reader or writer out.
    state
        .compare_exchange(0, WRITER, Ordering::Acquire, Ordering::Relaxed)
        .is_ok()
}

/// The writer leaves.
#[inline]
fn release_exclusive(state: &AtomicU32) {
    // Release: publishes the write to the next Acquire CAS.
    let prev = state.fetch_and(!WRITER, Ordering::Release);
    debug_assert!(prev & WRITER != 0, "unlock_exclusive without a writer");
}

/// Reader-preferring spinning RwLock: readers enter whenever no writer holds the lock.
#[derive(Debug)]
pub struct ReaderPrefRwLock {
    /// [`WRITER`] bit | reader count ([`READERS`]).
    state: AtomicU32,
}

impl ReaderPrefRwLock {
    maybe_const_fn! {
        /// A new, unlocked lock.
        pub fn new() -> ReaderPrefRwLock {
            ReaderPrefRwLock { state: AtomicU32::new(0) }
        }
    }
}

impl Default for ReaderPrefRwLock {
    fn default() -> Self {
        ReaderPrefRwLock::new()
    }
}

// SAFETY: a writer enters only by CAS from 0 (no readers, no writer); a reader only by CAS
// from a state without WRITER. Acquire CASes pair with the Release RMWs of the unlocks.
unsafe impl RawRwLock for ReaderPrefRwLock {
    fn new() -> Self {
        ReaderPrefRwLock::new()
    }
    fn lock_shared(&self) {
        spin_until(|| self.try_lock_shared());
    }
    fn try_lock_shared(&self) -> bool {
        // Relaxed: a snapshot for the CAS below, which acquires.
        let s = self.state.load(Ordering::Relaxed);
        // Acquire: pairs with the Release in `unlock_exclusive`.
        s & WRITER == 0
            && s & READERS != READERS
            && self
                .state
                .compare_exchange_weak(s, s + 1, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
    }
    unsafe fn unlock_shared(&self) {
        release_shared(&self.state);
    }
    fn lock_exclusive(&self) {
        spin_until(|| self.try_lock_exclusive());
    }
    fn try_lock_exclusive(&self) -> bool {
        try_take_exclusive(&self.state)
    }
    unsafe fn unlock_exclusive(&self) {
        release_exclusive(&self.state);
    }
}

/// Writer-preferring spinning RwLock: a waiting writer blocks new readers.
#[derive(Debug)]
pub struct WriterPrefRwLock {
    /// [`WRITER`] bit | waiting writers ([`WAITERS`]) | reader count ([`READERS`]).
    state: AtomicU32,
}

impl WriterPrefRwLock {
    maybe_const_fn! {
        /// A new, unlocked lock.
        pub fn new() -> WriterPrefRwLock {
            WriterPrefRwLock { state: AtomicU32::new(0) }
        }
    }

    /// Takes the lock for a writer already counted in [`WAITERS`], if it is free.
    fn try_promote(&self) -> bool {
        // Relaxed: a snapshot for the CAS, which acquires.
        let s = self.state.load(Ordering::Relaxed);
        // Acquire: pairs with the Release of the last reader or writer out.
        s & (WRITER | READERS) == 0
            && self
                .state
                .compare_exchange_weak(
                    s,
                    (s - WAITER) | WRITER,
                    Ordering::Acquire,
                    Ordering::Relaxed,
                )
                .is_ok()
    }
}

impl Default for WriterPrefRwLock {
    fn default() -> Self {
        WriterPrefRwLock::new()
    }
}

// SAFETY: a writer enters only from a state with no WRITER and no readers; a reader only from
// a state with no WRITER and no waiting writer. Acquire CASes pair with the unlocks' Release.
unsafe impl RawRwLock for WriterPrefRwLock {
    fn new() -> Self {
        WriterPrefRwLock::new()
    }
    fn lock_shared(&self) {
        spin_until(|| self.try_lock_shared());
    }
    fn try_lock_shared(&self) -> bool {
        // Relaxed: a snapshot for the CAS below, which acquires.
        let s = self.state.load(Ordering::Relaxed);
        // Acquire: pairs with the Release in `unlock_exclusive`.
        s & (WRITER | WAITERS) == 0
            && s & READERS != READERS
            && self
                .state
                .compare_exchange_weak(s, s + 1, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
    }
    unsafe fn unlock_shared(&self) {
        release_shared(&self.state);
    }
    fn lock_exclusive(&self) {
        // Relaxed: announcing ourselves publishes nothing; `try_promote` acquires.
        self.state.fetch_add(WAITER, Ordering::Relaxed);
        spin_until(|| self.try_promote());
    }
    fn try_lock_exclusive(&self) -> bool {
        try_take_exclusive(&self.state)
    }
    unsafe fn unlock_exclusive(&self) {
        release_exclusive(&self.state);
    }
}

// ---------------------------------------------------------------------------------------

/// One reader, in `rin` / `rout` of [`PhaseFairRwLock`] (readers live above the writer bits).
const PF_RINC: u32 = 0x100;
/// The writer bits of `rin`.
const PF_WBITS: u32 = 0x3;
/// "A writer is present" bit of `rin`.
const PF_PRES: u32 = 0x2;
/// Phase id bit of `rin`: alternates with each writer, so a reader waiting out one writer
/// phase does not also wait out the next.
const PF_PHID: u32 = 0x1;

/// Phase-fair ticket RwLock (PF-T, Brandenburg & Anderson): spinning, FIFO among writers,
/// read and write phases alternate. All four counters wrap around; they are only compared
/// for equality.
#[derive(Debug)]
pub struct PhaseFairRwLock {
    /// Readers that entered × [`PF_RINC`], plus the current writer's [`PF_WBITS`].
    rin: AtomicU32,
    /// Readers that left × [`PF_RINC`].
    rout: AtomicU32,
    /// Writer tickets handed out.
    win: AtomicU32,
    /// Writer tickets served.
    wout: AtomicU32,
}

impl PhaseFairRwLock {
    maybe_const_fn! {
        /// A new, unlocked lock.
        pub fn new() -> PhaseFairRwLock {
            PhaseFairRwLock {
                rin: AtomicU32::new(0),
                rout: AtomicU32::new(0),
                win: AtomicU32::new(0),
                wout: AtomicU32::new(0),
            }
        }
    }

    /// Second half of a write acquisition (we hold writer ticket `ticket`): announce the write
    /// phase to readers, then wait for the readers already inside to leave.
    fn enter_write_phase(&self, ticket: u32) {
        let bits = PF_PRES | (ticket & PF_PHID);
        // Relaxed: the Acquire wait on `rout` below orders us after the readers; the previous
        // writer was ordered by the Acquire load of `wout`.
        let readers_in = self.rin.fetch_add(bits, Ordering::Relaxed) & !PF_WBITS;
        // Acquire: pairs with the Release increments of `rout` in `unlock_shared`.
        while self.rout.load(Ordering::Acquire) != readers_in {
            spin_hint();
        }
    }
}

impl Default for PhaseFairRwLock {
    fn default() -> Self {
        PhaseFairRwLock::new()
    }
}

// SAFETY: writers are serialized by the win/wout ticket pair and then wait until every reader
// counted in `rin` before their bits were set has left (`rout`); readers that arrive while the
// writer bits are set wait until they change. Orderings are commented at each step.
unsafe impl RawRwLock for PhaseFairRwLock {
    fn new() -> Self {
        PhaseFairRwLock::new()
    }
    fn lock_shared(&self) {
        // Acquire: pairs with the Release `fetch_and` in `unlock_exclusive` (or continues its
        // release sequence through the next writer's RMW).
        let w = self.rin.fetch_add(PF_RINC, Ordering::Acquire) & PF_WBITS;
        if w == 0 {
            return;
        }
        // A writer is present: wait for its phase to end (bits cleared or changed).
        // Acquire: as above.
        while self.rin.load(Ordering::Acquire) & PF_WBITS == w {
            spin_hint();
        }
    }
    fn try_lock_shared(&self) -> bool {
        // Relaxed: a snapshot for the CAS, which acquires.
        let r = self.rin.load(Ordering::Relaxed);
        // Acquire: as in `lock_shared`.
        r & PF_WBITS == 0
            && self
                .rin
                .compare_exchange(
                    r,
                    r.wrapping_add(PF_RINC),
                    Ordering::Acquire,
                    Ordering::Relaxed,
                )
                .is_ok()
    }
    unsafe fn unlock_shared(&self) {
        // Release: pairs with the writer's Acquire wait on `rout`.
        self.rout.fetch_add(PF_RINC, Ordering::Release);
    }
    fn lock_exclusive(&self) {
        // Relaxed: drawing a ticket orders nothing; the Acquire wait on `wout` does.
        let ticket = self.win.fetch_add(1, Ordering::Relaxed);
        // Acquire: pairs with the Release increment of `wout` by the previous writer.
        while self.wout.load(Ordering::Acquire) != ticket {
            spin_hint();
        }
        self.enter_write_phase(ticket);
    }
    fn try_lock_exclusive(&self) -> bool {
        // Acquire: pairs with the previous writer's Release of `wout`.
        let ticket = self.wout.load(Ordering::Acquire);
        // Relaxed: success means no writer holds or waits; `wout` already ordered us.
        if self
            .win
            .compare_exchange(
                ticket,
                ticket.wrapping_add(1),
                Ordering::Relaxed,
                Ordering::Relaxed,
            )
            .is_err()
        {
            return false;
        }
        // We are the only writer. Enter only if no reader is inside right now.
        // Acquire: pairs with the readers' Release increments of `rout`.
        let out = self.rout.load(Ordering::Acquire);
        let bits = PF_PRES | (ticket & PF_PHID);
        // Acquire: a reader that entered after `out` was read makes the CAS fail.
        if self
            .rin
            .compare_exchange(out, out | bits, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            return true;
        }
        // Readers inside: give the ticket back as if we had written and left.
        // Release: pairs with the next writer's Acquire load of `wout`.
        self.wout.fetch_add(1, Ordering::Release);
        false
    }
    unsafe fn unlock_exclusive(&self) {
        // Release: readers waiting for the phase to end, and future readers, acquire this.
        self.rin.fetch_and(!PF_WBITS, Ordering::Release);
        // Release: pairs with the next writer's Acquire load of `wout`.
        self.wout.fetch_add(1, Ordering::Release);
    }
}

impl_lock_api_rwlock!(ReaderPrefRwLock, WriterPrefRwLock, PhaseFairRwLock);

// ---------------------------------------------------------------------------------------

/// Sequence lock: the lock-free reference for read-mostly data. Readers never write shared
/// memory: they read the sequence number, read the data optimistically, and retry if a writer
/// was active (odd sequence) or finished in between (sequence changed). Writers serialize on a
/// TTAS spinlock and bump the sequence around their update.
///
/// The data must be read and written through atomics (Relaxed is enough): a reader may run
/// concurrently with a writer and only discards what it read afterwards.
pub struct SeqLock {
    /// Even: no writer inside; odd: a writer is updating. Wraps around.
    seq: AtomicU32,
    writer: Ttas<ExpBackoff>,
}

impl std::fmt::Debug for SeqLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeqLock")
            .field("seq", &self.seq)
            .finish_non_exhaustive()
    }
}

impl ReadWrite for SeqLock {
    fn create() -> Self {
        SeqLock {
            seq: AtomicU32::new(0),
            writer: Ttas::new(),
        }
    }

    #[inline(always)]
    fn read<T>(&self, mut f: impl FnMut() -> T) -> T {
        loop {
            // Acquire: pairs with the writer's final Release store, so a matching even
            // sequence means we see that writer's data.
            let before = self.seq.load(Ordering::Acquire);
            if before & 1 == 1 {
                spin_hint();
                continue;
            }
            let value = f();
            // Acquire fence: orders the data reads in `f` before the re-check below, pairing
            // with the writer's Release fence after it made the sequence odd.
            crate::sync::fence(Ordering::Acquire);
            // Relaxed: ordered by the fence above.
            if self.seq.load(Ordering::Relaxed) == before {
                return value;
            }
        }
    }

    #[inline(always)]
    fn write<T>(&self, f: impl FnOnce() -> T) -> T {
        self.writer.lock();
        // Relaxed: only writers store `seq`, and we hold the writer lock.
        let s = self.seq.load(Ordering::Relaxed);
        self.seq.store(s.wrapping_add(1), Ordering::Relaxed);
        // Release fence: the odd sequence is visible before any data write below, pairing
        // with the readers' Acquire fence.
        crate::sync::fence(Ordering::Release);
        let value = f();
        // Release: publishes the data with the even sequence; pairs with the readers' Acquire
        // load of `seq`.
        self.seq.store(s.wrapping_add(2), Ordering::Release);
        // SAFETY: locked above by this thread.
        unsafe { self.writer.unlock() };
        value
    }
}
