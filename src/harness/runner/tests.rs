use super::Sampler;

/// The criterion helpers run the requested number of operations.
#[test]
fn bench_helpers_run_the_quota() {
    let clock = super::Clock::new();
    assert!(
        super::time_exclusive_ops::<crate::primitives::spin::Tas>(&clock, 1_000)
            > super::Duration::ZERO
    );
    assert!(
        super::time_counter_ops::<crate::primitives::counter::CasCounter>(&clock, 1_000)
            > super::Duration::ZERO
    );
}

/// The carried state (the `--steps` chain's values) goes through every op, timed or not,
/// and through the work outside the lock: a counting state ends at 2 × ops.
#[test]
fn the_carried_state_passes_through_every_op_timed_or_not() {
    use crate::primitives::Exclusive;
    let clock = super::Clock::new();
    let ops = 10_000;
    let (ctl, mut point, mut stats) = super::bench::bench_setup(ops);
    point.sample_every = 3;
    let run = super::LockRun::new(
        crate::primitives::spin::Tas::create(),
        crate::record::Layout::Inline,
    );
    let mut all_ops = 0;
    // The latency window (ops timed) first, then the measured window's quota (untimed).
    ctl.phase
        .store(super::LATENCY, std::sync::atomic::Ordering::Relaxed);
    let last = std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(super::Duration::from_millis(5));
            ctl.phase
                .store(super::MEASURE, std::sync::atomic::Ordering::Relaxed);
        });
        super::exclusive_loop(
            &ctl,
            &point,
            Some(ops),
            &clock,
            &mut stats,
            &mut all_ops,
            run.lock(),
            &mut (),
            run.data(),
            u64::MAX,
            0u64,
            |n| (n + 1, false),
            |n| n + 1,
        )
    });
    assert_eq!(last, 2 * all_ops);
    assert_eq!(stats.ops, ops, "the quota counts measured ops only");
    assert!(all_ops > ops, "ops ran in the latency window too");
    assert!(stats.holds_checked > 0, "some ops were timed");
    assert!(stats.holds_checked < all_ops - ops, "and some were not");
}

/// One op in 16 on average, with gaps that vary (a fixed stride would be 16 every time),
/// and the two edge rates exact.
#[test]
fn sampling_gaps_average_the_rate_and_vary() {
    let mut s = Sampler::new(16, 7);
    let n = 160_000;
    let taken = (0..n).filter(|_| s.next()).count();
    assert!((9_000..11_000).contains(&taken), "{taken} of {n}");
    let mut gaps = Vec::new();
    let mut since = 0;
    for _ in 0..50_000 {
        since += 1;
        if s.next() {
            gaps.push(since);
            since = 0;
        }
    }
    assert!(
        gaps.contains(&1) && gaps.iter().any(|&g| g > 32),
        "{gaps:?}"
    );
    let mut every = Sampler::new(1, 7);
    assert!((0..100).all(|_| every.next()));
    let mut none = Sampler::new(0, 7);
    assert!((0..100).all(|_| !none.next()));
}
