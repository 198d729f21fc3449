use super::*;
use crate::record::Family;

/// One trial of a spinlock point on a machine with `cpus` CPUs.
fn trial(cpu: &str, cpus: usize, threads: usize, trial: u32, thr: f64) -> RunRecord {
    RunRecord {
        checked: true,
        schema_version: 1,
        host_id: "vm".into(),
        cpu_model: cpu.into(),
        logical_cpus: cpus,
        git_sha: "abc".into(),
        primitive: "spin-ttas".into(),
        family: Family::Spin,
        threads,
        cs_ns: 100,
        duration_ms: 150.0,
        warmup_ms: 30.0,
        sample_every: 16,
        trial,
        oversubscribed: threads > cpus,
        stable: true,
        throughput_ops_s: thr,
        ..RunRecord::default()
    }
}

/// Points at `threads`, each with `values` as its trials (the last trial's `stable` as
/// the sweep writes it: false with a single trial).
fn run(cpu: &str, cpus: usize, threads: &[usize], values: &[f64]) -> Vec<RunRecord> {
    let mut rows = Vec::new();
    for &t in threads {
        for (i, v) in values.iter().enumerate() {
            let mut r = trial(cpu, cpus, t, i as u32, v * t as f64);
            r.stable = values.len() > 1;
            rows.push(r);
        }
    }
    rows
}

fn cell(c: &Comparison, threads: Threads, input: usize) -> &Cell {
    c.rows
        .iter()
        .find(|r| r.threads == threads)
        .and_then(|r| r.cells[input].as_ref())
        .unwrap_or_else(|| panic!("no {threads} cell in input {input}"))
}

#[test]
fn benjamini_hochberg_known_sets() {
    let close = |a: &[f64], b: &[f64]| {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < 1e-12, "{a:?} vs {b:?}");
        }
    };
    // Worked by hand: sorted 0.005, 0.01, 0.03, 0.04 → ×4/rank 0.02, 0.02, 0.04, 0.04.
    close(
        &benjamini_hochberg(&[0.01, 0.04, 0.03, 0.005]),
        &[0.02, 0.04, 0.04, 0.02],
    );
    // R: p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), "BH") is 0.05 everywhere.
    close(
        &benjamini_hochberg(&[0.01, 0.02, 0.03, 0.04, 0.05]),
        &[0.05; 5],
    );
    // Step-up: a larger p later in the order can pull an earlier one down, never up.
    close(&benjamini_hochberg(&[0.001, 0.5, 0.9]), &[0.003, 0.75, 0.9]);
    close(&benjamini_hochberg(&[0.8]), &[0.8]);
    assert!(benjamini_hochberg(&[]).is_empty());
    // Twenty 3-vs-3 complete separations (p = 0.1 each) survive together …
    assert!(
        benjamini_hochberg(&[0.1; 20])
            .iter()
            .all(|q| significant(*q))
    );
    // … but one non-separated point among them sinks them all: that is the lone false
    // `+` one point in ten used to get.
    let mut one_off = vec![0.1; 19];
    one_off.push(0.5);
    assert!(
        benjamini_hochberg(&one_off)
            .iter()
            .all(|q| !significant(*q))
    );
}

#[test]
fn a_run_compared_with_itself_is_all_ones_even_with_one_flagged_trial_per_point() {
    let rows = run("AMD EPYC", 2, &[1, 2, 4], &[1e6]);
    let c = compare(
        &[Input::new("a", &rows), Input::new("a again", &rows)],
        |r| r.throughput_ops_s,
        crate::rules::DELTA,
    )
    .expect("single-trial points are shown, not dropped");
    assert_eq!(c.rows.len(), 3);
    for r in &c.rows {
        let cell = r.cells[1].as_ref().unwrap();
        assert_eq!(cell.ratio, Some(1.0));
        assert_eq!(
            cell.flag,
            Some(Flag::Unstable),
            "one trial is never stable (a schema 1 file)"
        );
        assert_eq!(cell.call, Call::NotTested);
    }
    assert_eq!(c.calls, 0);
    assert_eq!(c.power.tests, 0);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let spin = &c.geomean[0].1[1].unwrap();
    assert_eq!((spin.ratio, spin.points, spin.flagged), (1.0, 3, 3));

    // With several trials the same holds, tested this time.
    let rows = run("AMD EPYC", 2, &[1, 2, 4], &[1.0e6, 1.1e6, 0.9e6, 1.05e6]);
    let c = compare(
        &[Input::new("a", &rows), Input::new("b", &rows)],
        |r| r.throughput_ops_s,
        crate::rules::DELTA,
    )
    .unwrap();
    assert_eq!(c.power.tests, 3);
    for r in &c.rows {
        let cell = r.cells[1].as_ref().unwrap();
        assert_eq!((cell.ratio, cell.call), (Some(1.0), Call::Noise));
    }
}

#[test]
fn flagged_points_are_shown_counted_and_never_called() {
    let a = run("X", 2, &[1, 2], &[100.0, 101.0, 102.0, 103.0]);
    let mut b = run("X", 2, &[1, 2], &[200.0, 201.0, 202.0, 203.0]);
    // Threads 1: every trial degraded. Threads 2: clean but unstable at the end.
    for r in b.iter_mut().filter(|r| r.threads == 1) {
        r.degraded = true;
    }
    b.last_mut().unwrap().stable = false;
    let c = compare(
        &[Input::new("a", &a), Input::new("b", &b)],
        |r| r.throughput_ops_s,
        crate::rules::DELTA,
    )
    .unwrap();
    assert_eq!(c.rows.len(), 2, "no flagged point is dropped");
    let degraded = cell(&c, Threads::Count(1), 1);
    assert_eq!(degraded.flag, Some(Flag::NoCleanTrial));
    assert_eq!(
        degraded.median,
        Some(201.5),
        "what was measured, shown with its flag"
    );
    assert_eq!(degraded.ratio, Some(201.5 / 101.5));
    let unstable = cell(&c, Threads::Count(2), 1);
    assert_eq!(unstable.flag, Some(Flag::Unstable));
    for cell in [degraded, unstable] {
        assert_eq!(
            cell.call,
            Call::NotTested,
            "doubled, yet flagged: not called"
        );
    }
    assert_eq!(
        (
            c.inputs[1].points,
            c.inputs[1].flagged,
            c.inputs[1].no_clean_trial
        ),
        (2, 2, 1)
    );
    assert_eq!((c.inputs[0].flagged, c.inputs[0].no_clean_trial), (0, 0));
    let spin = c.geomean[0].1[1].unwrap();
    assert_eq!((spin.points, spin.flagged), (2, 2));
    assert!((spin.ratio - 201.5 / 101.5).abs() < 1e-9, "{}", spin.ratio);
    assert_eq!(c.power.tests, 0);
}

#[test]
fn calls_are_corrected_for_the_number_of_points() {
    // Twenty points, 4 vs 4 trials each (smallest p 2/70 ≈ 0.029).
    let threads: Vec<usize> = (1..=20).collect();
    let a = run("X", 64, &threads, &[100.0, 101.0, 102.0, 103.0]);
    let mut b = a.clone();
    // One point clearly faster: uncorrected it would be called (p ≈ 0.029 ≤ 0.1) …
    for r in b.iter_mut().filter(|r| r.threads == 7) {
        r.throughput_ops_s *= 1.5;
    }
    let c = compare(
        &[Input::new("a", &a), Input::new("b", &b)],
        |r| r.throughput_ops_s,
        crate::rules::DELTA,
    )
    .unwrap();
    let lone = cell(&c, Threads::Count(7), 1);
    assert!(lone.p.unwrap() <= ALPHA);
    assert_eq!(lone.call, Call::Noise, "… one of twenty is not called");
    assert_eq!(c.calls, 0);
    assert_eq!(c.power.tests, 20);
    // 6 vs 6 is the least that gets 2/924 under 0.1/20.
    assert_eq!(c.power.trials_for_lone_call, Some(6));
    // Every point faster: all called.
    for r in &mut b {
        r.throughput_ops_s = r.throughput_ops_s * 1.5 + 1.0;
    }
    let c = compare(
        &[Input::new("a", &a), Input::new("b", &b)],
        |r| r.throughput_ops_s,
        crate::rules::DELTA,
    )
    .unwrap();
    assert_eq!(c.calls, 20);
    assert!(
        c.rows
            .iter()
            .all(|r| r.cells[1].as_ref().unwrap().call == Call::Higher)
    );
}

/// A difference smaller than the margin is not called, however separated the trials: one
/// machine's sittings shift points by a few percent. Given no margin, the same cells are.
#[test]
fn differences_within_the_margin_are_not_called() {
    let values = [100.0, 100.2, 100.4, 100.6, 100.8, 101.0];
    let a = run("X", 2, &[1, 2, 4], &values);
    let b: Vec<RunRecord> = run("X", 2, &[1, 2, 4], &values.map(|v| v * 1.03));
    let calls = |delta| {
        compare(
            &[Input::new("a", &a), Input::new("b", &b)],
            |r| r.throughput_ops_s,
            delta,
        )
        .unwrap()
        .calls
    };
    assert_eq!(calls(crate::rules::DELTA), 0, "3% apart, within 5%");
    assert_eq!(calls(0.0), 3, "fully separated, 6 vs 6");
    // The ranges are 2% apart (100–101 against 103–104): called with a 1% margin, not 3%.
    assert_eq!(calls(0.01), 3);
    assert_eq!(calls(0.03), 0);
}

#[test]
fn three_trials_a_side_say_how_many_points_must_differ_together() {
    let a = run("X", 2, &[1, 2, 4], &[100.0, 101.0, 102.0]);
    let b: Vec<RunRecord> = run("X", 2, &[1, 2, 4], &[100.5, 101.5, 102.5]);
    let c = compare(
        &[Input::new("a", &a), Input::new("b", &b)],
        |r| r.throughput_ops_s,
        crate::rules::DELTA,
    )
    .unwrap();
    assert_eq!(c.power.best_p, Some(0.1));
    assert_eq!(c.power.needed_together, 3, "every tested cell");
    assert_eq!(c.power.best_case_calls, 3);
    // Two trials a side: nothing can ever be called.
    let a = run("X", 2, &[1, 2, 4], &[100.0, 101.0]);
    let c = compare(
        &[Input::new("a", &a), Input::new("b", &a)],
        |r| r.throughput_ops_s,
        crate::rules::DELTA,
    )
    .unwrap();
    assert_eq!(c.power.best_case_calls, 0);
}

#[test]
fn different_cpu_counts_match_threads_relative_to_cpus() {
    // 2 CPUs: 1, 2 (cores), 3 (oversubscribed), 4 (2×cores).
    // 4 CPUs: 1, 2, 3, 4 (cores), 8 (2×cores).
    let small = run(
        "Intel(R) Xeon(R) Processor",
        2,
        &[1, 2, 3, 4],
        &[10.0, 11.0, 12.0],
    );
    let big = run("AMD EPYC", 4, &[1, 2, 3, 4, 8], &[10.0, 11.0, 12.0]);
    let c = compare(
        &[Input::new("small", &small), Input::new("big", &big)],
        |r| r.throughput_ops_s,
        crate::rules::DELTA,
    )
    .unwrap();
    assert!(c.relative_threads);
    let pairs: Vec<(Threads, usize, usize)> = c
        .rows
        .iter()
        .filter_map(|r| {
            let (a, b) = (r.cells[0].as_ref()?, r.cells[1].as_ref()?);
            Some((r.threads, a.threads, b.threads))
        })
        .collect();
    assert!(pairs.contains(&(Threads::Count(1), 1, 1)));
    assert!(pairs.contains(&(Threads::Cores, 2, 4)), "{pairs:?}");
    assert!(pairs.contains(&(Threads::TwiceCores, 4, 8)), "{pairs:?}");
    for (_, a, b) in &pairs {
        assert_eq!(*a > 2, *b > 4, "oversubscribed with not: {pairs:?}");
        assert!(
            !(*a == 4 && *b == 4),
            "4 threads on 2 CPUs vs 4 on 4: {pairs:?}"
        );
    }
    assert_eq!(
        pairs.len(),
        3,
        "3 on 2 CPUs is oversubscribed, 3 on 4 is not"
    );
    let unmatched: Vec<&str> = c.unmatched.iter().map(|u| u.0.as_str()).collect();
    assert!(
        unmatched.contains(&"spin-ttas ×3 cs=100 ns"),
        "{unmatched:?}"
    );
    assert!(
        unmatched.contains(&"spin-ttas ×3 cs=100 ns (oversubscribed)"),
        "{unmatched:?}"
    );
    assert_eq!(c.rows[1].describe(), "spin-ttas ×cores cs=100 ns");
    assert!(
        c.warnings.iter().any(|w| w.contains("CPU count")),
        "{:?}",
        c.warnings
    );

    // Same CPU counts: absolute thread counts, as before.
    let c = compare(
        &[Input::new("a", &small), Input::new("b", &small)],
        |r| r.throughput_ops_s,
        crate::rules::DELTA,
    )
    .unwrap();
    assert!(!c.relative_threads);
    assert!(
        c.rows
            .iter()
            .all(|r| matches!(r.threads, Threads::Count(_)))
    );
    assert_eq!(c.rows.len(), 4);
}

#[test]
fn the_header_names_each_machine_and_warns_where_they_differ() {
    let intel = run(
        "Intel(R) Xeon(R) Processor",
        2,
        &[1, 2],
        &[10.0, 11.0, 12.0],
    );
    let mut amd = run("AMD EPYC", 2, &[1, 2], &[10.0, 11.0, 12.0]);
    for r in &mut amd {
        r.git_sha = "def".into();
        r.sample_every = 1;
        r.clock_source = "tsc".into();
    }
    let c = compare(
        &[Input::new("intel", &intel), Input::new("amd", &amd)],
        |r| r.throughput_ops_s,
        crate::rules::DELTA,
    )
    .unwrap();
    assert_eq!(c.inputs[0].cpu_model, "Intel(R) Xeon(R) Processor");
    assert_eq!(c.inputs[1].cpu_model, "AMD EPYC");
    assert_eq!((c.inputs[0].cpus, c.inputs[1].cpus), (2, 2));
    assert_eq!(c.inputs[1].sampling, "every op");
    let warned = |what: &str| c.warnings.iter().any(|w| w.contains(what));
    assert!(warned("CPU model"), "{:?}", c.warnings);
    assert!(warned("Intel(R) Xeon(R) Processor") && warned("AMD EPYC"));
    assert!(warned("git commit") && warned("latency sampling"));
    assert!(
        !warned("clock source"),
        "an unrecorded clock is not a difference"
    );
    assert!(!warned("CPU count") && !warned("measured window"));
    assert!(
        !warned("cache distances"),
        "no distance read on either side"
    );

    // Distances of another level (a vCPU moved for the whole run) are named; jitter within
    // one level is not.
    let at = |ns: f64| {
        let mut rows = run("AMD EPYC", 2, &[1, 2], &[10.0, 11.0, 12.0]);
        for r in rows.iter_mut().filter(|r| r.threads > 1) {
            (r.core_to_core_before_ns, r.core_to_core_ns) = (Some(ns), Some(ns));
        }
        rows
    };
    let (near, near2, far) = (at(27.0), at(31.0), at(98.0));
    let warns = |a: &[RunRecord], b: &[RunRecord]| {
        let c = compare(
            &[Input::new("a", a), Input::new("b", b)],
            |r| r.throughput_ops_s,
            crate::rules::DELTA,
        )
        .unwrap();
        assert!(c.inputs[0].core_to_core_ns.is_some());
        c.warnings.iter().any(|w| w.contains("cache distances"))
    };
    assert!(warns(&near, &far));
    assert!(!warns(&near, &near2));
    // Per point: the 2-thread point ran on another layout in `far`, so it is shown with
    // its layout and never tested; the 1-thread point (no pair, no distance) is tested.
    let c = compare(
        &[Input::new("near", &near), Input::new("far", &far)],
        |r| r.throughput_ops_s,
        crate::rules::DELTA,
    )
    .unwrap();
    for row in &c.rows {
        let cell = row.cells[1].as_ref().unwrap();
        if row.key.setting.threads > 1 {
            assert!(
                cell.other_layout && cell.call == Call::NotTested,
                "{cell:?}"
            );
            assert_eq!(cell.layout_ns, Some(98.0));
        } else {
            assert!(
                !cell.other_layout && cell.call != Call::NotTested,
                "{cell:?}"
            );
        }
    }
    let c = compare(
        &[Input::new("a", &near), Input::new("b", &near2)],
        |r| r.throughput_ops_s,
        crate::rules::DELTA,
    )
    .unwrap();
    assert!(
        c.rows
            .iter()
            .all(|r| !r.cells[1].as_ref().unwrap().other_layout)
    );
}

#[test]
fn rank_test_exact_values() {
    // Complete separation of 3 vs 3: 2 of the 20 splits are as extreme.
    assert!((mann_whitney_p(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]) - 0.1).abs() < 1e-12);
    // 2 vs 2 can never go below 2/6.
    assert!((mann_whitney_p(&[1.0, 2.0], &[3.0, 4.0]) - 1.0 / 3.0).abs() < 1e-12);
    // Identical samples: every split is as extreme as the observed one.
    assert_eq!(mann_whitney_p(&[5.0, 5.0, 5.0], &[5.0, 5.0, 5.0]), 1.0);
    // Interleaved: no evidence.
    assert!(mann_whitney_p(&[1.0, 3.0, 5.0], &[2.0, 4.0, 6.0]) > 0.5);
    assert_eq!(mann_whitney_p(&[], &[1.0]), 1.0);
}

#[test]
fn normal_approximation_for_large_samples() {
    let a: Vec<f64> = (0..30).map(f64::from).collect();
    let b: Vec<f64> = (100..130).map(f64::from).collect();
    assert!(mann_whitney_p(&a, &b) < 1e-6);
    let c: Vec<f64> = (0..30).map(|x| f64::from(x) + 0.5).collect();
    assert!(mann_whitney_p(&a, &c) > 0.5);
    assert!((normal_tail(0.0) - 0.5).abs() < 1e-6);
    assert!((normal_tail(1.96) - 0.025).abs() < 1e-3);
}
