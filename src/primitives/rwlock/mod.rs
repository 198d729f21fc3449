//! Reader-writer locks with explicit policies, a seqlock read path, and the harness view.
//!
//! All three hand-written locks *spin* while waiting, and they all wait the same way
//! (`wait_until`: poll with plain loads and a spin hint while blocked, [`ExpBackoff`] after
//! a lost RMW race), so a comparison of the three measures their policies, not their
//! waiting strategies. The
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
use crate::primitives::about::{About, Describe, Family};
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
    /// The calling thread holds shared access (acquired on this thread and not yet released).
    /// Implementations may rely on the thread, as glibc's `pthread_rwlock_unlock` does (see
    /// [`RawLock::unlock`]).
    unsafe fn unlock_shared(&self);
    /// Acquires exclusive (write) access.
    fn lock_exclusive(&self);
    /// Acquires exclusive access if that needs no waiting.
    fn try_lock_exclusive(&self) -> bool;
    /// Releases exclusive access.
    ///
    /// # Safety
    /// The calling thread holds exclusive access (acquired on this thread and not yet
    /// released). glibc's `pthread_rwlock_unlock` undoes a writer's lock released from another
    /// thread as a *read* unlock.
    unsafe fn unlock_exclusive(&self);
    /// Whether any thread holds the lock, shared or exclusive (a snapshot: it may be stale by
    /// the time the caller looks at it).
    fn is_locked(&self) -> bool;
    /// Whether a writer holds the lock (a snapshot). A writer that merely waits does not
    /// count, even one that already keeps new readers out. (The parking_lot baseline
    /// forwards to parking_lot, which also counts a writer waiting for readers to leave.)
    fn is_locked_exclusive(&self) -> bool;
    /// Whether a writer has shown itself and waits (a snapshot): under writer preference and
    /// phase fairness it keeps new readers out. `false` where the lock keeps no trace of a
    /// waiting writer (reader preference, the baselines). For tests of the policies.
    fn writer_waiting(&self) -> bool {
        false
    }
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
            // lock_api's defaults derive these from `try_lock_*`, which would count a
            // waiting writer as a holder; read the state instead.
            fn is_locked(&self) -> bool { RawRwLock::is_locked(self) }
            fn is_locked_exclusive(&self) -> bool { RawRwLock::is_locked_exclusive(self) }
        }
    )*};
}

/// What the harness drives for reader-writer primitives.
pub trait ReadWrite: Send + Sync + 'static {
    /// Readers run optimistically, overlapping a writer and retrying (the seqlock): a reader
    /// may see a writer inside, but never keeps a torn result.
    const OPTIMISTIC: bool = false;
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

/// What one try of a waiting loop found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Try {
    /// Got in.
    Got,
    /// A plain load showed the way blocked: nothing was written.
    Busy,
    /// The way looked free but the RMW lost a race to another thread.
    Lost,
}

impl Try {
    fn from_poll(ready: bool) -> Try {
        if ready { Try::Got } else { Try::Busy }
    }
}

/// Tries until `attempt` gets in: the one waiting strategy of every lock in this module, so
/// comparing them compares policies only. While the way is blocked the waiter polls a shared
/// cache line with plain loads and a spin hint between polls (no writes, no line bouncing);
/// after an RMW lost a race it backs off ([`ExpBackoff`], growing with each lost race), so
/// the waiters that lost together do not retry together.
///
/// Under loom a wait that tries [`LOOM_POLL_LIMIT`] times is reported as a livelock (loom
/// would otherwise run into its branch limit, which also means "model too large").
#[inline]
fn wait_until(mut attempt: impl FnMut() -> Try) {
    let mut relax = ExpBackoff::default();
    #[cfg(loom)]
    let mut polls = 0u32;
    loop {
        match attempt() {
            Try::Got => return,
            Try::Busy => spin_hint(),
            Try::Lost => relax.relax(),
        }
        #[cfg(loom)]
        {
            polls += 1;
            assert!(
                polls < LOOM_POLL_LIMIT,
                "livelock: a waiter polled {polls} times without getting in"
            );
        }
    }
}

/// How many failed polls make a loom model report a livelock. Every poll yields to loom's
/// scheduler, which then runs the other threads; a wait that can end ends long before this.
#[cfg(loom)]
const LOOM_POLL_LIMIT: u32 = 1_000;

/// Set in [`ReaderPrefRwLock`] / [`WriterPrefRwLock`] state while a writer holds the lock.
const WRITER: u32 = 1 << 31;
/// Reader count mask (low 16 bits): at most 65 535 simultaneous readers; a reader that finds
/// the count full waits as if a writer were inside.
const READERS: u32 = 0xFFFF;
/// One waiting writer, in [`WriterPrefRwLock`] (bits 16..31).
const WAITER: u32 = 1 << 16;
/// Waiting-writer count mask in [`WriterPrefRwLock`]: at most 32 767 waiting writers; a writer
/// that finds the count full waits before announcing itself (so the count never carries into
/// [`WRITER`]).
const WAITERS: u32 = 0x7FFF << 16;

// The reader- and writer-preferring locks share a state layout ([`WRITER`] bit, reader count
// in [`READERS`]) and differ only in who may enter while a writer waits; these are the steps
// they share.

/// A reader enters unless a bit of `blocked` is set or the reader count is full. Another
/// reader entering or leaving at the same moment (or an LL/SC CAS failing spuriously) makes
/// it look again rather than fail: it fails only when entering would mean waiting.
#[inline]
fn try_enter_shared(state: &AtomicU32, blocked: u32) -> Try {
    // Relaxed: a snapshot for the CAS, which acquires.
    let mut s = state.load(Ordering::Relaxed);
    loop {
        let blocked = if crate::sync::mutant("rw-reader-ignores-writer") {
            0
        } else {
            blocked
        };
        if s & blocked != 0 || s & READERS == READERS {
            return Try::Busy;
        }
        // Acquire: pairs with the Release `fetch_and` of the last writer out
        // (`release_exclusive`), so its critical section happens before ours.
        match state.compare_exchange_weak(s, s + 1, Ordering::Acquire, Ordering::Relaxed) {
            Ok(_) => return Try::Got,
            Err(_) if crate::sync::mutant("rw-try-read-single-attempt") => return Try::Busy,
            Err(now) => s = now,
        }
    }
}

/// One reader leaves.
#[inline]
fn release_shared(state: &AtomicU32) {
    let order = if crate::sync::mutant("rw-relaxed-unlock-shared") {
        Ordering::Relaxed
    } else {
        // Release: pairs with the Acquire CAS of the next writer.
        Ordering::Release
    };
    let prev = state.fetch_sub(1, order);
    debug_assert!(prev & READERS != 0, "unlock_shared without readers");
}

/// A writer enters if nobody is inside and nobody waits. Loads first, so a waiting writer
/// polls the line instead of writing it.
#[inline]
fn try_take_exclusive(state: &AtomicU32) -> Try {
    // Relaxed: a snapshot; the CAS acquires.
    if state.load(Ordering::Relaxed) != 0 {
        return Try::Busy;
    }
    // Acquire: pairs with the Release of the last reader or writer out.
    match state.compare_exchange(0, WRITER, Ordering::Acquire, Ordering::Relaxed) {
        Ok(_) => Try::Got,
        Err(_) => Try::Lost,
    }
}

/// The writer leaves.
#[inline]
fn release_exclusive(state: &AtomicU32) {
    // Release: publishes the write to the next Acquire CAS.
    let prev = state.fetch_and(!WRITER, Ordering::Release);
    debug_assert!(prev & WRITER != 0, "unlock_exclusive without a writer");
}

/// Whether the shared state word says "held" (readers inside or a writer holds).
#[inline]
fn state_is_locked(state: &AtomicU32) -> bool {
    // Relaxed: a snapshot that orders nothing.
    state.load(Ordering::Relaxed) & (WRITER | READERS) != 0
}

/// Whether the shared state word says a writer holds the lock.
#[inline]
fn state_is_locked_exclusive(state: &AtomicU32) -> bool {
    // Relaxed: a snapshot that orders nothing.
    state.load(Ordering::Relaxed) & WRITER != 0
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
        wait_until(|| try_enter_shared(&self.state, WRITER));
    }
    fn try_lock_shared(&self) -> bool {
        try_enter_shared(&self.state, WRITER) == Try::Got
    }
    unsafe fn unlock_shared(&self) {
        release_shared(&self.state);
    }
    fn lock_exclusive(&self) {
        wait_until(|| try_take_exclusive(&self.state));
    }
    fn try_lock_exclusive(&self) -> bool {
        try_take_exclusive(&self.state) == Try::Got
    }
    unsafe fn unlock_exclusive(&self) {
        release_exclusive(&self.state);
    }
    fn is_locked(&self) -> bool {
        state_is_locked(&self.state)
    }
    fn is_locked_exclusive(&self) -> bool {
        state_is_locked_exclusive(&self.state)
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

    /// Counts a writer in [`WAITERS`] if the count has room. A CAS lost to a reader coming
    /// or going is retried at once with the fresh value, as readers do: backing off there
    /// would let a stream of readers keep the writer from ever announcing itself.
    fn try_announce(&self) -> Try {
        // Relaxed: a snapshot for the CAS.
        let mut s = self.state.load(Ordering::Relaxed);
        loop {
            if s & WAITERS == WAITERS {
                return Try::Busy;
            }
            // Relaxed: announcing ourselves publishes nothing; `try_promote` acquires.
            match self.state.compare_exchange_weak(
                s,
                s + WAITER,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Try::Got,
                Err(now) => s = now,
            }
        }
    }

    /// What keeps a new reader out: a writer inside, or one waiting (the policy). The broken
    /// twin drops the waiting writers, which turns the lock reader-preferring.
    #[inline(always)]
    fn blocks_readers(&self) -> u32 {
        if crate::sync::mutant("rw-writer-pref-readers-ignore-waiters") {
            WRITER
        } else {
            WRITER | WAITERS
        }
    }

    /// Takes the lock for a writer already counted in [`WAITERS`], if it is free. A CAS that
    /// fails while the lock still looks free (another writer announced itself, a spurious
    /// LL/SC failure) is retried at once; only losing the lock itself counts as lost.
    fn try_promote(&self) -> Try {
        // Relaxed: a snapshot for the CAS, which acquires.
        let mut s = self.state.load(Ordering::Relaxed);
        loop {
            if s & (WRITER | READERS) != 0 {
                return Try::Busy;
            }
            // The broken twin takes the lock but stays counted as waiting, so readers wait
            // for a writer that is gone.
            let waiter = if crate::sync::mutant("rw-promote-keeps-waiter") {
                0
            } else {
                WAITER
            };
            // Acquire: pairs with the Release of the last reader or writer out.
            match self.state.compare_exchange_weak(
                s,
                (s - waiter) | WRITER,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Try::Got,
                Err(now) if now & (WRITER | READERS) != 0 => return Try::Lost,
                Err(now) => s = now,
            }
        }
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
        wait_until(|| try_enter_shared(&self.state, self.blocks_readers()));
    }
    fn try_lock_shared(&self) -> bool {
        try_enter_shared(&self.state, self.blocks_readers()) == Try::Got
    }
    unsafe fn unlock_shared(&self) {
        release_shared(&self.state);
    }
    fn lock_exclusive(&self) {
        wait_until(|| self.try_announce());
        wait_until(|| self.try_promote());
    }
    fn try_lock_exclusive(&self) -> bool {
        try_take_exclusive(&self.state) == Try::Got
    }
    unsafe fn unlock_exclusive(&self) {
        release_exclusive(&self.state);
    }
    fn is_locked(&self) -> bool {
        state_is_locked(&self.state)
    }
    fn is_locked_exclusive(&self) -> bool {
        state_is_locked_exclusive(&self.state)
    }
    fn writer_waiting(&self) -> bool {
        // Relaxed: a snapshot that orders nothing.
        self.state.load(Ordering::Relaxed) & WAITERS != 0
    }
}

// ---------------------------------------------------------------------------------------

/// One reader, in `rin` / `rout` of [`PhaseFairRwLock`] (readers live above the writer bits).
const PF_RINC: u32 = 0x100;
/// The writer bits of `rin`.
const PF_WBITS: u32 = 0x3;
/// "A writer is present" bit of `rin`.
const PF_PRES: u32 = 0x2;
/// Phase id bit of `rin`: differs between consecutive write phases, so a reader waiting out
/// one writer phase does not also wait out the next.
const PF_PHID: u32 = 0x1;

/// Phase-fair ticket RwLock (PF-T, Brandenburg & Anderson): spinning, FIFO among writers,
/// read and write phases alternate. The four counters wrap around; they are only compared
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
    /// Phase id ([`PF_PHID`] or 0) of the next write phase. Only the writer whose ticket is
    /// being served touches it, and it flips it only when it actually enters a write phase,
    /// so consecutive write phases always carry different ids. (The paper takes the id from
    /// the ticket's parity; a failed `try_lock_exclusive` consumes a ticket without a write
    /// phase, and two phases in a row then looked alike to a waiting reader: a deadlock.)
    wphase: AtomicU32,
    /// 1 while a writer holds the lock (its readers drained), for `is_locked_exclusive`
    /// only: writer bits in `rin` also cover a writer still waiting for readers to leave.
    held: AtomicU32,
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
                wphase: AtomicU32::new(0),
                held: AtomicU32::new(0),
            }
        }
    }

    /// The writer bits of the next write phase. Called only by the writer being served.
    fn next_phase_bits(&self) -> u32 {
        // Relaxed: only the served writer touches `wphase`; the previous writer's flip is
        // ordered before us by the Release/Acquire pair on `wout` that made us the served one.
        PF_PRES | self.wphase.load(Ordering::Relaxed)
    }

    /// Records that the write phase with `bits` began: the next one gets the other id.
    fn phase_entered(&self, bits: u32) {
        // Relaxed: read by the next served writer after the `wout` hand-over (see above).
        self.wphase
            .store((bits & PF_PHID) ^ PF_PHID, Ordering::Relaxed);
    }

    /// Second half of a write acquisition (we hold the served ticket): announce the write
    /// phase to readers, then wait for the readers already inside to leave.
    fn enter_write_phase(&self) {
        let bits = self.next_phase_bits();
        self.phase_entered(bits);
        // Relaxed: the Acquire wait on `rout` below orders us after the readers; the previous
        // writer was ordered by the Acquire load of `wout`.
        let readers_in = self.rin.fetch_add(bits, Ordering::Relaxed) & !PF_WBITS;
        // Acquire: pairs with the Release increments of `rout` in `unlock_shared`.
        wait_until(|| Try::from_poll(self.rout.load(Ordering::Acquire) == readers_in));
        // Relaxed: a flag for `is_locked_exclusive` snapshots; it orders nothing.
        self.held.store(1, Ordering::Relaxed);
    }
}

impl Default for PhaseFairRwLock {
    fn default() -> Self {
        PhaseFairRwLock::new()
    }
}

// SAFETY: writers are serialized by the win/wout ticket pair and then wait until every reader
// counted in `rin` before their bits were set has left (`rout`); readers that arrive while the
// writer bits are set wait until they change, and consecutive write phases carry different
// bits (`wphase`). Orderings are commented at each step.
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
        wait_until(|| Try::from_poll(self.rin.load(Ordering::Acquire) & PF_WBITS != w));
    }
    fn try_lock_shared(&self) -> bool {
        // Relaxed: a snapshot for the CAS, which acquires.
        let mut r = self.rin.load(Ordering::Relaxed);
        loop {
            if r & PF_WBITS != 0 {
                return false;
            }
            // Acquire: as in `lock_shared`. A failure only means another reader came in (or
            // an LL/SC CAS failed spuriously): look again.
            match self.rin.compare_exchange_weak(
                r,
                r.wrapping_add(PF_RINC),
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(now) => r = now,
            }
        }
    }
    unsafe fn unlock_shared(&self) {
        let order = if crate::sync::mutant("pf-relaxed-unlock-shared") {
            Ordering::Relaxed
        } else {
            // Release: pairs with the writer's Acquire wait on `rout`.
            Ordering::Release
        };
        self.rout.fetch_add(PF_RINC, order);
    }
    fn lock_exclusive(&self) {
        // Relaxed: drawing a ticket orders nothing; the Acquire wait on `wout` does.
        let ticket = self.win.fetch_add(1, Ordering::Relaxed);
        // Acquire: pairs with the Release increment of `wout` by the previous writer.
        wait_until(|| Try::from_poll(self.wout.load(Ordering::Acquire) == ticket));
        self.enter_write_phase();
    }
    /// Fails only when it saw a writer holding or waiting, or a reader inside: a
    /// compare-exchange that lost to other threads' whole acquisitions and releases (a writer
    /// came and went, a reader entered and left) is retried while the lock still looks free.
    /// Lock-free: each retry means another thread drew and returned a writer ticket (a writer
    /// that wrote, or another try that gave its ticket back) or a reader came and went. While
    /// it holds the served ticket and retries on readers, blocking writers queue behind it.
    fn try_lock_exclusive(&self) -> bool {
        // Acquire: pairs with the previous writer's Release of `wout`.
        let mut ticket = self.wout.load(Ordering::Acquire);
        loop {
            crate::sync::race_point("pf-try-write-ticket");
            // Relaxed: success means no writer holds or waits (`win` == `wout`); `wout`
            // already ordered us. (A stale `wout` makes the CAS fail: `win` is ahead of it.
            // Only 2^32 writers passing between the two reads could fool it.)
            match self.win.compare_exchange(
                ticket,
                ticket.wrapping_add(1),
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(drawn) => {
                    // Acquire: as above. Every ticket drawn served: writers came and went
                    // since our read, and none holds or waits now.
                    ticket = self.wout.load(Ordering::Acquire);
                    if drawn != ticket {
                        return false;
                    }
                }
            }
        }
        // We are the served writer. Enter only if no reader is inside right now.
        // Acquire: pairs with the readers' Release increments of `rout`.
        let mut out = self.rout.load(Ordering::Acquire);
        let bits = self.next_phase_bits();
        loop {
            crate::sync::race_point("pf-try-write-readers");
            // Acquire adds nothing new here (readers' `rin` increments only acquire; the
            // previous writer is ordered through `wout`): the CAS is an equality check,
            // `rin == out` (every reader that entered has left).
            match self
                .rin
                .compare_exchange(out, out | bits, Ordering::Acquire, Ordering::Relaxed)
            {
                Ok(_) => {
                    self.phase_entered(bits);
                    // Relaxed: as in `enter_write_phase`.
                    self.held.store(1, Ordering::Relaxed);
                    return true;
                }
                Err(entered) => {
                    // Acquire: as above. Readers came and went since our read, and every one
                    // that entered has left: still free of readers, try again.
                    out = self.rout.load(Ordering::Acquire);
                    if entered != out {
                        break;
                    }
                }
            }
        }
        if crate::sync::mutant("pf-failed-try-flips-phase") {
            // The paper's scheme (phase id = ticket parity) for the loom twin: the id
            // advances with the ticket although no write phase ran.
            self.phase_entered(bits);
        }
        // Readers inside: give the ticket back as if we had written and left; the phase id
        // stays, since no write phase ran.
        // Release: pairs with the next writer's Acquire load of `wout`.
        self.wout.fetch_add(1, Ordering::Release);
        false
    }
    unsafe fn unlock_exclusive(&self) {
        // Relaxed: as in `enter_write_phase`.
        self.held.store(0, Ordering::Relaxed);
        // Release: readers waiting for the phase to end, and future readers, acquire this.
        self.rin.fetch_and(!PF_WBITS, Ordering::Release);
        // Release: pairs with the next writer's Acquire load of `wout`.
        self.wout.fetch_add(1, Ordering::Release);
    }
    fn is_locked(&self) -> bool {
        // Relaxed: a snapshot. Readers inside (entered, not left) or writer bits set.
        let rin = self.rin.load(Ordering::Relaxed);
        rin & PF_WBITS != 0 || rin & !PF_WBITS != self.rout.load(Ordering::Relaxed)
    }
    fn is_locked_exclusive(&self) -> bool {
        // Relaxed: a snapshot. Writer bits alone also cover a writer that has closed the door
        // to readers but still waits for those inside to leave; `held` says it got in.
        self.rin.load(Ordering::Relaxed) & PF_WBITS != 0 && self.held.load(Ordering::Relaxed) != 0
    }
    fn writer_waiting(&self) -> bool {
        // Relaxed: a snapshot. Writer bits set, and not yet in: it waits for readers to leave.
        // (A writer queued behind another writer's phase shows as that phase.)
        self.rin.load(Ordering::Relaxed) & PF_WBITS != 0 && self.held.load(Ordering::Relaxed) == 0
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
    const OPTIMISTIC: bool = true;
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

    /// If `f` panics, the sequence is still closed (made even) and the writer lock released,
    /// so neither readers nor writers hang; the data then holds whatever `f` wrote.
    #[inline(always)]
    fn write<T>(&self, f: impl FnOnce() -> T) -> T {
        self.writer.lock();
        // Relaxed: only writers store `seq`, and we hold the writer lock.
        let s = self.seq.load(Ordering::Relaxed);
        if !crate::sync::mutant("seqlock-no-odd-phase") {
            self.seq.store(s.wrapping_add(1), Ordering::Relaxed);
        }
        // Release fence: the odd sequence is visible before any data write below, pairing
        // with the readers' Acquire fence.
        crate::sync::fence(Ordering::Release);
        let _end = SeqWriteEnd {
            lock: self,
            before: s,
        };
        f()
    }
}

/// Ends a [`SeqLock`] write when dropped, on return or unwind.
struct SeqWriteEnd<'a> {
    lock: &'a SeqLock,
    /// The sequence number before the write began (even).
    before: u32,
}

impl Drop for SeqWriteEnd<'_> {
    #[inline(always)]
    fn drop(&mut self) {
        // Release: publishes the data with the even sequence; pairs with the readers' Acquire
        // load of `seq`.
        self.lock
            .seq
            .store(self.before.wrapping_add(2), Ordering::Release);
        // SAFETY: built only in `write`, after this thread locked `writer`.
        unsafe { self.lock.writer.unlock() };
    }
}

#[cfg(all(test, not(loom)))]
mod tests;

impl Describe for ReaderPrefRwLock {
    const ABOUT: About = About::new(
        "rw-reader-pref",
        Family::Rwlock,
        "spinning RwLock, reader-preferring: readers enter past waiting writers (writers can starve)",
    );
}

impl Describe for WriterPrefRwLock {
    const ABOUT: About = About::new(
        "rw-writer-pref",
        Family::Rwlock,
        "spinning RwLock, writer-preferring: a waiting writer blocks new readers (readers can starve)",
    );
}

impl Describe for PhaseFairRwLock {
    const ABOUT: About = About::new(
        "rw-phase-fair",
        Family::Rwlock,
        "spinning phase-fair ticket RwLock (Brandenburg & Anderson PF-T): phases alternate, writers FIFO",
    )
    .fifo();
}

impl Describe for SeqLock {
    const ABOUT: About = About::new(
        "rw-seqlock",
        Family::Rwlock,
        "sequence lock: optimistic readers never write shared memory, retry if a writer overlapped",
    );
}
