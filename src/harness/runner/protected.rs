//! The data a lock under test guards, and the in-run checks it carries.

use super::*;

/// The data guarded by the lock under test. The critical section reads and writes it, so its
/// cache line travels with the lock as in real code, and it carries the in-run correctness
/// checks. All fields are atomics accessed with Relaxed loads and stores (never RMWs): under a
/// correct lock that is exactly what plain accesses would do, and under a broken one the race
/// is detected (a lost count, an owner mismatch) instead of being undefined behaviour.
#[derive(Debug, Default)]
pub struct ProtectedData {
    /// Completed critical sections, incremented by load + store: only the lock makes it exact.
    pub(super) count: AtomicU64,
    /// 1 + the index of the thread inside the critical section, or 0 when none is (the
    /// harness's own sections; [`ProtectedData::f64_section`] leaves it at 0).
    owner: AtomicUsize,
    /// Payload words: exclusive sections write `pair` to the same value with two stores;
    /// readers check they are equal (a torn pair means a writer was inside with them).
    pair: [AtomicU64; 2],
    /// The f64 (as bits) that [`ProtectedData::f64_section`] works on.
    value: AtomicU64,
    /// Hand-off stamp: the raw clock reading a timed (sampled) holder took just before
    /// releasing, or 0 when none is pending. The next owner, whoever it is, takes it right
    /// after acquiring ([`ProtectedData::take_handoff`]): the difference is the hand-off.
    handoff: AtomicU64,
}

impl ProtectedData {
    /// One critical section by thread `me`: touch the data, then `cs_units` of busy work.
    /// Returns `true` if another thread was seen inside at the same time.
    #[inline(always)]
    pub fn critical_section(&self, me: usize, cs_units: u64) -> bool {
        // Relaxed throughout: ordering is the lock's job (see the type's docs).
        let intruder_before = self.owner.load(Ordering::Relaxed) != 0;
        self.owner.store(me + 1, Ordering::Relaxed);
        let n = self.count.load(Ordering::Relaxed);
        self.count.store(n.wrapping_add(1), Ordering::Relaxed);
        self.pair[0].store(n, Ordering::Relaxed);
        self.pair[1].store(n, Ordering::Relaxed);
        BusyWork::burn(cs_units);
        let intruder_after = self.owner.load(Ordering::Relaxed) != me + 1;
        self.owner.store(0, Ordering::Relaxed);
        intruder_before | intruder_after
    }

    /// One shared (read) section: read the data, then `cs_units` of busy work. Returns `true`
    /// if a writer was seen inside or the pair was torn. Reads only, so optimistic readers
    /// (the seqlock) may run it concurrently with a writer and discard the result.
    #[inline(always)]
    pub fn read_section(&self, cs_units: u64) -> bool {
        // Relaxed throughout: ordering is the lock's job (see the type's docs).
        let writer_before = self.owner.load(Ordering::Relaxed) != 0;
        let a = self.pair[0].load(Ordering::Relaxed);
        let b = self.pair[1].load(Ordering::Relaxed);
        BusyWork::burn(cs_units);
        let writer_after = self.owner.load(Ordering::Relaxed) != 0;
        writer_before | writer_after | (a != b)
    }

    /// A critical section in the parking_lot benchmark's units, shaped like its closure: one
    /// load of the protected value, `steps` dependent f64 add-multiply steps fed the thread's
    /// carried `value` (no fence, no calibrated chain), one store. Returns the value carried
    /// on, as the benchmark's closure leaves it in `value`.
    ///
    /// The only check is the count, loaded with the value and stored beside it, so its
    /// load → store window spans the whole section and two owners at once lose an update.
    /// The owner checks of [`ProtectedData::critical_section`] are left out: their stores at
    /// both ends of the section are work the benchmark's section lacks, and they cost the
    /// mirror about a third of its throughput (FINDINGS, "parking_lot").
    #[inline(always)]
    pub fn f64_section(&self, steps: u32, value: f64) -> f64 {
        // Relaxed throughout: ordering is the lock's job (see the type's docs).
        let n = self.count.load(Ordering::Relaxed);
        let mut shared = f64::from_bits(self.value.load(Ordering::Relaxed));
        // Nothing else on the chain (no range check): the values start at 0.0 and stay
        // there, as the benchmark's do.
        let value = f64_steps(&mut shared, value, steps);
        self.value.store(shared.to_bits(), Ordering::Relaxed);
        self.count.store(n.wrapping_add(1), Ordering::Relaxed);
        value
    }

    /// Leaves the hand-off stamp `released_at` for the next owner; called by a timed holder
    /// with its last clock reading, just before it releases.
    #[inline(always)]
    pub(super) fn stamp_handoff(&self, released_at: u64) {
        // Relaxed: written and read only under the lock, whose release/acquire orders it.
        self.handoff.store(released_at, Ordering::Relaxed);
    }

    /// Right after acquiring: the pending hand-off stamp, or 0 when no timed holder left one
    /// (it is cleared, so each stamp is taken once). One load of a line the section touches
    /// anyway, and a predictable branch, when none is pending: the common case.
    #[inline(always)]
    pub(super) fn take_handoff(&self) -> u64 {
        // Relaxed: under the lock (see `stamp_handoff`).
        let stamp = self.handoff.load(Ordering::Relaxed);
        if stamp != 0 {
            self.handoff.store(0, Ordering::Relaxed);
        }
        stamp
    }

    /// Critical sections completed so far.
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }
}
