//! Workloads beyond one lock and one counter: striped tables, a concurrent map, and bank
//! transfers between accounts with their own locks. Same protocol and loop as every other
//! primitive (`runner::drive`); only the operation differs.

use super::runner::{check_protected, drive, loop_params, quota, run_threads};
use super::{Env, HarnessError, Point, ThreadStats, TrialOutput, build_record};
use crate::primitives::striped::{Stripe, Striped};
use crate::primitives::{Exclusive, RawLock};
use crate::workload::{BusyWork, Keys, Rng};
use crossbeam_utils::CachePadded;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::ProtectedData;
use crate::primitives::about::{About, Describe, Family, Kind};
use crate::primitives::futex::FutexMutex;
use crate::primitives::spin::TtasBackoff;

/// Distinct keys in striped and map workloads.
pub(crate) const KEYS: u64 = 1024;
pub use crate::primitives::about::{DEFAULT_ACCOUNTS, DEFAULT_STRIPES};
/// Opening balance of every account.
pub(crate) const OPENING_BALANCE: u64 = 1_000_000;
/// How long the try-lock transfer spins on its second lock before backing out and retrying.
pub const TRY_LOCK_TIMEOUT_NS: u64 = 2_000;

/// Marks the moments an operation acquired its lock(s) and is about to release them, when
/// the op is sampled. Hold is measured as everywhere in lockbench: acquired → just before the
/// unlock (the unlock itself, and any wake-up it does, belongs to the next owner's wait).
pub(crate) struct Stamp<'a> {
    clock: &'a super::clock::Clock,
    sample: bool,
    acquired: u64,
    releasing: u64,
}

impl Stamp<'_> {
    /// Call right after acquiring.
    #[inline(always)]
    pub fn mark(&mut self) {
        if self.sample {
            self.acquired = self.clock.raw();
        }
    }

    /// Call right before releasing (the last lock, when there are several).
    #[inline(always)]
    pub(crate) fn releasing(&mut self) {
        if self.sample {
            self.releasing = self.clock.raw();
        }
    }
}

/// Runs `op`, recording its wait (request → `mark`) and hold (`mark` → `releasing`) when
/// sampled. An op that never called `releasing` is recorded up to its return.
#[inline(always)]
pub(crate) fn timed<T>(
    clock: &super::clock::Clock,
    sample: bool,
    stats: &mut ThreadStats,
    op: impl FnOnce(&mut Stamp<'_>) -> T,
) -> T {
    let requested = if sample { clock.raw() } else { 0 };
    let mut stamp = Stamp {
        clock,
        sample,
        acquired: requested,
        releasing: 0,
    };
    let out = op(&mut stamp);
    if sample {
        let released = if stamp.releasing != 0 {
            stamp.releasing
        } else {
            clock.raw()
        };
        stats
            .wait
            .saturating_record(clock.delta_ns(requested, stamp.acquired));
        stats
            .hold
            .saturating_record(clock.delta_ns(stamp.acquired, released));
    }
    out
}

/// A striped table of `L` locks, each guarding one shard (a [`ProtectedData`] counter); keys
/// drawn from the point's distribution pick the stripe. `coarse` forces a single stripe: the
/// one-lock-over-everything reference.
pub(crate) fn run_striped<L: Exclusive>(
    env: &Env,
    point: &Point,
    family: Family,
    trial: u32,
    coarse: bool,
) -> Result<TrialOutput, HarnessError> {
    let n = if coarse {
        1
    } else {
        point.setting.stripes.unwrap_or(DEFAULT_STRIPES)
    };
    let table: Arc<Striped<L, ProtectedData>> = Arc::new(Striped::new(n, || Stripe {
        lock: L::create(),
        data: ProtectedData::default(),
    }));
    let keys = Keys::new(KEYS, point.setting.key_skew.unwrap_or(0.0));
    let (cs_units, think_units, clock, p) = loop_params(env, point);
    let collected = run_threads(
        env,
        point,
        true,
        table.clone(),
        move |table: &Striped<L, ProtectedData>, t, ctl, stats, all_ops| {
            let mut rng = Rng::for_thread(p.seed ^ u64::from(trial), t);
            let mut node = CachePadded::new(L::Node::default());
            let op = |sample: bool, stats: &mut ThreadStats| {
                let stripe = table.stripe(keys.draw(&mut rng));
                let intruder = timed(&clock, sample, stats, |stamp| {
                    stripe.lock.with(&mut node, || {
                        stamp.mark();
                        let intruder = stripe.data.critical_section(t, cs_units);
                        stamp.releasing();
                        intruder
                    })
                });
                stats.overlap_seen |= intruder;
                stats.exclusive_total += 1;
                BusyWork::burn(think_units);
            };
            drive(ctl.0, &p, quota(&p, t), &clock, stats, all_ops, op);
        },
    )?;
    let total = table.iter().map(|s| s.data.count()).sum();
    let lost = check_protected(point, trial, &collected, total, true)?;
    Ok(build_record(env, point, family, trial, &collected, lost))
}

/// `dashmap::DashMap<u64, u64>` (the ecosystem's sharded map, default shard count) with every
/// key present before the run: each op increments one key's value under its shard's write
/// lock, with the critical-section work inside. The sum of all values must equal the ops.
pub(crate) fn run_dashmap(
    env: &Env,
    point: &Point,
    family: Family,
    trial: u32,
) -> Result<TrialOutput, HarnessError> {
    let map: Arc<dashmap::DashMap<u64, u64>> = Arc::new((0..KEYS).map(|k| (k, 0)).collect());
    let keys = Keys::new(KEYS, point.setting.key_skew.unwrap_or(0.0));
    let (cs_units, think_units, clock, p) = loop_params(env, point);
    let collected = run_threads(
        env,
        point,
        true,
        map.clone(),
        move |map: &dashmap::DashMap<u64, u64>, t, ctl, stats, all_ops| {
            let mut rng = Rng::for_thread(p.seed ^ u64::from(trial), t);
            let op = |sample: bool, stats: &mut ThreadStats| {
                let key = keys.draw(&mut rng);
                timed(&clock, sample, stats, |stamp| {
                    // The key exists, so get_mut never allocates.
                    if let Some(mut value) = map.get_mut(&key) {
                        stamp.mark();
                        *value += 1;
                        BusyWork::burn(cs_units);
                        stamp.releasing();
                    }
                });
                stats.exclusive_total += 1;
                BusyWork::burn(think_units);
            };
            drive(ctl.0, &p, quota(&p, t), &clock, stats, all_ops, op);
        },
    )?;
    let total = map.iter().map(|e| *e.value()).sum();
    let lost = check_protected(point, trial, &collected, total, true)?;
    Ok(build_record(env, point, family, trial, &collected, lost))
}

/// One account: its lock and its balance, on its own cache lines.
struct Account<L> {
    lock: L,
    /// Updated by load + store under the lock (never an RMW), so only the locks keep the total.
    balance: AtomicU64,
}

/// Bank transfers: each op moves 1–10 units between two distinct accounts, holding both
/// accounts' locks. With `TRY = false` the two locks are taken in a global order (lower
/// index first), which makes deadlock impossible by construction. With `TRY = true` the
/// transfer locks the source, then *tries* the destination for up to
/// [`TRY_LOCK_TIMEOUT_NS`]; on timeout it releases the source and retries (counted in
/// `retries_per_op`) — deadlock avoided by giving up instead of by ordering. After the run,
/// the total money must be exactly what the accounts opened with.
pub fn run_bank<L: RawLock + 'static, const TRY: bool>(
    env: &Env,
    point: &Point,
    family: Family,
    trial: u32,
) -> Result<TrialOutput, HarnessError> {
    let n = point.setting.stripes.unwrap_or(DEFAULT_ACCOUNTS).max(2) as u64;
    let accounts: Arc<Vec<CachePadded<Account<L>>>> = Arc::new(
        (0..n)
            .map(|_| {
                CachePadded::new(Account {
                    lock: L::new(),
                    balance: AtomicU64::new(OPENING_BALANCE),
                })
            })
            .collect(),
    );
    let keys = Keys::new(n, point.setting.key_skew.unwrap_or(0.0));
    let (cs_units, think_units, clock, p) = loop_params(env, point);
    let collected = run_threads(
        env,
        point,
        true,
        accounts.clone(),
        move |acc: &Vec<CachePadded<Account<L>>>, t, ctl, stats, all_ops| {
            let mut rng = Rng::for_thread(p.seed ^ u64::from(trial), t);
            let op = |sample: bool, stats: &mut ThreadStats| {
                let from = keys.draw(&mut rng);
                let to = (from + 1 + rng.below(n - 1)) % n;
                let amount = 1 + rng.below(10);
                let (src, dst) = (&acc[from as usize], &acc[to as usize]);
                let move_money = || {
                    // Relaxed: both locks are held; they order these accesses.
                    src.balance.store(
                        src.balance.load(Ordering::Relaxed).wrapping_sub(amount),
                        Ordering::Relaxed,
                    );
                    dst.balance.store(
                        dst.balance.load(Ordering::Relaxed).wrapping_add(amount),
                        Ordering::Relaxed,
                    );
                    BusyWork::burn(cs_units);
                };
                stats.retries += timed(&clock, sample, stats, |stamp| {
                    let mut retries = 0;
                    if TRY {
                        loop {
                            src.lock.lock();
                            let start = clock.raw();
                            let got = loop {
                                if dst.lock.try_lock() {
                                    break true;
                                }
                                if clock.delta_ns(start, clock.raw()) > TRY_LOCK_TIMEOUT_NS {
                                    break false;
                                }
                                std::hint::spin_loop();
                            };
                            if got {
                                stamp.mark();
                                move_money();
                                stamp.releasing();
                                // SAFETY: both locked above by this thread.
                                unsafe {
                                    dst.lock.unlock();
                                    src.lock.unlock();
                                }
                                break;
                            }
                            // SAFETY: locked above by this thread.
                            unsafe { src.lock.unlock() };
                            retries += 1;
                            // Back off a random few hundred ns so two transfers that block each
                            // other do not retry in lockstep.
                            BusyWork::burn(rng.below(cs_units.max(100) * 4));
                        }
                    } else {
                        let (first, second) = if from < to { (src, dst) } else { (dst, src) };
                        first.lock.lock();
                        second.lock.lock();
                        stamp.mark();
                        move_money();
                        stamp.releasing();
                        // SAFETY: both locked above by this thread.
                        unsafe {
                            second.lock.unlock();
                            first.lock.unlock();
                        }
                    }
                    retries
                });
                stats.exclusive_total += 1;
                BusyWork::burn(think_units);
            };
            drive(ctl.0, &p, quota(&p, t), &clock, stats, all_ops, op);
        },
    )?;
    if !collected.timed_out {
        let total: u64 = accounts
            .iter()
            .map(|a| a.balance.load(Ordering::Relaxed))
            .fold(0, u64::wrapping_add);
        let opened = n.wrapping_mul(OPENING_BALANCE);
        if total != opened {
            return Err(HarnessError::invariant(
                point,
                trial,
                format!("money not conserved: {total} in the accounts, {opened} at opening"),
            ));
        }
    }
    Ok(build_record(env, point, family, trial, &collected, 0))
}

/// A keyed or multi-lock workload registered as a primitive of its own: it names its kind
/// (which axes it takes) and runs a trial. Plain locks, counters and the other kinds get their
/// runner from the registry by trait; a workload brings its own.
pub trait Workload: Describe {
    /// How it is driven: which workload axes it takes.
    const KIND: Kind;
    /// Runs trial `trial` of `point`.
    fn run(env: &Env, point: &Point, trial: u32) -> Result<TrialOutput, HarnessError>;
}

/// `striped-spin`: a striped table of TTAS-backoff locks.
pub struct StripedSpin;
/// `striped-mutex`: a striped table of futex mutexes.
pub struct StripedMutex;
/// `coarse-mutex`: the keyed table under one futex mutex.
pub struct CoarseMutex;
/// `dashmap`: the ecosystem's sharded concurrent map on the same keyed workload.
pub struct DashMapTable;
/// `bank-ordered`: two-account transfers locking in index order.
pub struct BankOrdered;
/// `bank-trylock`: two-account transfers with a timed try-lock on the second account.
pub struct BankTrylock;

macro_rules! workload {
    ($ty:ty, $kind:ident, |$env:ident, $point:ident, $trial:ident| $run:expr) => {
        impl Workload for $ty {
            const KIND: Kind = Kind::$kind;
            fn run($env: &Env, $point: &Point, $trial: u32) -> Result<TrialOutput, HarnessError> {
                $run
            }
        }
    };
}

workload!(StripedSpin, Striped, |e, p, t| run_striped::<TtasBackoff>(
    e,
    p,
    Self::ABOUT.family,
    t,
    false
));
workload!(StripedMutex, Striped, |e, p, t| run_striped::<FutexMutex>(
    e,
    p,
    Self::ABOUT.family,
    t,
    false
));
workload!(CoarseMutex, Keyed, |e, p, t| run_striped::<FutexMutex>(
    e,
    p,
    Self::ABOUT.family,
    t,
    true
));
workload!(DashMapTable, Keyed, |e, p, t| run_dashmap(
    e,
    p,
    Self::ABOUT.family,
    t
));
workload!(BankOrdered, Bank, |e, p, t| run_bank::<FutexMutex, false>(
    e,
    p,
    Self::ABOUT.family,
    t
));
workload!(BankTrylock, Bank, |e, p, t| run_bank::<FutexMutex, true>(
    e,
    p,
    Self::ABOUT.family,
    t
));

impl Describe for StripedSpin {
    const ABOUT: About = About::new(
        "striped-spin",
        Family::Striped,
        "striped table: N cache-padded TTAS-backoff locks, key k guarded by stripe k & (N-1)",
    );
}

impl Describe for StripedMutex {
    const ABOUT: About = About::new(
        "striped-mutex",
        Family::Striped,
        "striped table: N cache-padded futex mutexes, key k guarded by stripe k & (N-1)",
    )
    .sleeps();
}

impl Describe for CoarseMutex {
    const ABOUT: About = About::new(
        "coarse-mutex",
        Family::Striped,
        "one futex mutex over the whole keyed table: the reference that striping improves on",
    )
    .sleeps();
}

impl Describe for DashMapTable {
    const ABOUT: About = About::new(
        "dashmap",
        Family::Striped,
        "dashmap::DashMap<u64, u64> (default shard count): the ecosystem's sharded map",
    )
    .from_crate()
    .sleeps();
}

impl Describe for BankOrdered {
    const ABOUT: About = About::new(
        "bank-ordered",
        Family::Striped,
        "transfers lock two accounts in global (index) order: deadlock-free by construction",
    )
    .sleeps();
}

impl Describe for BankTrylock {
    const ABOUT: About = About::new(
        "bank-trylock",
        Family::Striped,
        "transfers lock source, try-lock destination for 2 µs, else back off and retry",
    )
    .sleeps();
}
