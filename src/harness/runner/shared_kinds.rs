//! The reader-writer and counter trials (the exclusive one is in the parent module).

use super::*;

/// Runs one trial of reader-writer primitive `R`: each op is a read with probability
/// `point.read_ratio` (from a seeded per-thread stream), else a write. Reader and writer
/// waits go to separate histograms as well as the combined one.
pub fn run_rwlock<R: ReadWrite>(
    env: &Env,
    point: &Point,
    family: Family,
    trial: u32,
) -> Result<TrialOutput, HarnessError> {
    let shared = Arc::new(LockRun::new(R::create(), point.layout));
    let (cs_units, think_units, clock, p) = loop_params(env, point);
    let coin = Coin::new(point.setting.read_ratio.unwrap_or(0.0));
    let collected = run_threads(
        env,
        point,
        true,
        shared.clone(),
        move |s: &LockRun<R>, t, ctl, stats, all_ops| {
            let (lock, data) = (s.lock(), s.data());
            let mut rng = Rng::for_thread(p.seed ^ u64::from(trial), t);
            let op = |sample: bool, stats: &mut ThreadStats| {
                let read = coin.toss(&mut rng);
                let requested = if sample { clock.raw() } else { 0 };
                let stamp = || if sample { clock.raw() } else { 0 };
                let (acquired, releasing, bad) = if read {
                    lock.read(|| {
                        let acquired = stamp();
                        let torn = data.read_section(cs_units);
                        (acquired, stamp(), torn)
                    })
                } else {
                    lock.write(|| {
                        let acquired = stamp();
                        let intruder = data.critical_section(t, cs_units);
                        (acquired, stamp(), intruder)
                    })
                };
                if read {
                    stats.reads += 1;
                    stats.torn_read_seen |= bad;
                } else {
                    stats.exclusive_total += 1;
                    stats.overlap_seen |= bad;
                }
                if sample {
                    let wait = clock.delta_ns(requested, acquired);
                    stats.wait.saturating_record(wait);
                    stats
                        .hold
                        .saturating_record(clock.delta_ns(acquired, releasing));
                    let by_kind = if read {
                        &mut stats.read_wait
                    } else {
                        &mut stats.write_wait
                    };
                    by_kind.saturating_record(wait);
                }
                BusyWork::burn(think_units);
            };
            drive(ctl.0, &p, quota(&p, t), &clock, stats, all_ops, op);
        },
    )?;
    let lost = check_protected(point, trial, &collected, shared.data().count(), true)?;
    Ok(build_record(env, point, family, trial, &collected, lost))
}

/// Runs one trial of counter `C`. The "critical section" is the speculative work of one
/// update (redone on every failed CAS). Each sampled op's whole latency (request → counter
/// updated, retries included) goes to the wait histogram; counters have no hold time.
pub fn run_counter<C: Counter>(
    env: &Env,
    point: &Point,
    family: Family,
    trial: u32,
    checked: bool,
) -> Result<TrialOutput, HarnessError> {
    let shared = Arc::new(CachePadded::new(C::with_threads(point.setting.threads)));
    let (cs_units, think_units, clock, p) = loop_params(env, point);
    let collected = run_threads(
        env,
        point,
        true,
        shared.clone(),
        move |c: &CachePadded<C>, t, ctl, stats, all_ops| {
            counter_loop(
                ctl.0,
                &p,
                quota(&p, t),
                &clock,
                stats,
                all_ops,
                &**c,
                t,
                cs_units,
                think_units,
            );
        },
    )?;
    let total = shared.total();
    let lost = collected.all_ops.saturating_sub(total);
    if checked && !collected.timed_out && total != collected.all_ops {
        return Err(HarnessError::invariant(
            point,
            trial,
            format!("counter is {total} after {} increments", collected.all_ops),
        ));
    }
    Ok(build_record(env, point, family, trial, &collected, lost))
}

/// The counter loop around [`drive`]: one increment of `c` (its speculative work `cs_units`,
/// redone on every failed CAS) then `think_units` outside; a sampled op's whole update is its
/// wait.
/// Out of line, and called both by a trial's threads and by [`time_counter_ops`]: one
/// compiled copy, which is what criterion times (see [`exclusive_worker`]).
#[allow(clippy::too_many_arguments)]
#[inline(never)]
pub(super) fn counter_loop<C: Counter>(
    ctl: &Control,
    p: &Point,
    quota: Option<u64>,
    clock: &Clock,
    stats: &mut ThreadStats,
    all_ops: &mut u64,
    c: &C,
    t: usize,
    cs_units: u64,
    think_units: u64,
) {
    let op = |sample: bool, stats: &mut ThreadStats| {
        if sample {
            timed_increment(clock, c, t, cs_units, stats);
        } else {
            stats.retries += u64::from(c.increment(t, || {
                BusyWork::burn(cs_units);
            }));
        }
        BusyWork::burn(think_units);
    };
    drive(ctl, p, quota, clock, stats, all_ops, op);
}

/// One timed increment: request → counter updated, retries included. Out of line and cold,
/// as [`timed_exclusive`], so the untimed op stays inlined in [`drive`]'s loop.
#[cold]
#[inline(never)]
fn timed_increment<C: Counter>(
    clock: &Clock,
    c: &C,
    t: usize,
    cs_units: u64,
    stats: &mut ThreadStats,
) {
    let requested = clock.raw();
    stats.retries += u64::from(c.increment(t, || {
        BusyWork::burn(cs_units);
    }));
    stats
        .wait
        .saturating_record(clock.delta_ns(requested, clock.raw()));
}
