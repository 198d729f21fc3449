use super::*;

/// A value measured the same in all of 5 trials.
fn exact(v: f64) -> Band {
    Band {
        mid: v,
        lo: v,
        hi: v,
        n: 5,
        layout_ns: None,
    }
}

/// 5 trials within ±`rel` of `v`.
fn noisy(v: f64, rel: f64) -> Band {
    Band {
        mid: v,
        lo: v * (1.0 - rel),
        hi: v * (1.0 + rel),
        n: 5,
        layout_ns: None,
    }
}

const XS: [f64; 6] = [10.0, 100.0, 1_000.0, 10_000.0, 100_000.0, 1_000_000.0];

fn crossings_of(o: Outcome) -> Vec<Crossing> {
    match o.verdict {
        Verdict::Crossings(c) => c,
        v => panic!("{v:?}"),
    }
}

#[test]
fn crossing_once_is_interpolated_in_log_space() {
    // Spin flat at 100; sleep rises ×10 per decade from 1 at 10 ns: equal at 1 µs, then
    // above. The medians touch at 1 µs; the crossing is there.
    let spin: Vec<Band> = XS.iter().map(|_| exact(100.0)).collect();
    let sleep: Vec<Band> = [1.0, 10.0, 100.0, 1000.0, 1e4, 1e5].map(exact).to_vec();
    let c = crossings_of(crossings(&XS, &spin, &sleep));
    assert_eq!(c.len(), 1);
    assert!((c[0].at_ns - 1000.0).abs() < 1e-6, "{}", c[0].at_ns);
    assert_eq!(c[0].direction, Direction::SleepOvertakes);
    // Between grid points: sleep 50 → 200 between 100 ns and 1 µs crosses at 10^2.5.
    let sleep: Vec<Band> = [10.0, 50.0, 200.0, 400.0, 800.0, 1600.0]
        .map(exact)
        .to_vec();
    let c = crossings_of(crossings(&XS, &spin, &sleep));
    assert!(
        (c[0].at_ns - 10f64.powf(2.5)).abs() < 1e-6,
        "{}",
        c[0].at_ns
    );
}

/// The promise of item 1: ranges disjoint on both sides of the crossing used to give a
/// band of one value; the band is now at least the grid interval the medians cross in.
#[test]
fn band_is_at_least_the_grid_interval_when_ranges_do_not_overlap() {
    let spin: Vec<Band> = XS.iter().map(|_| noisy(100.0, 0.01)).collect();
    let sleep: Vec<Band> = [10.0, 50.0, 200.0, 400.0, 800.0, 1600.0]
        .map(|v| noisy(v, 0.01))
        .to_vec();
    let c = crossings_of(crossings(&XS, &spin, &sleep));
    assert_eq!(c.len(), 1);
    let c = c[0];
    assert_eq!((c.bracket_lo_ns, c.bracket_hi_ns), (100.0, 1_000.0));
    assert!(c.band_lo_ns <= 100.0 && c.band_hi_ns >= 1_000.0, "{c:?}");
    assert!(c.band_hi_ns / c.band_lo_ns >= 10.0, "{c:?}");
    assert!(c.band_lo_ns < c.at_ns && c.at_ns < c.band_hi_ns);
}

#[test]
fn no_crossing_says_who_won() {
    let spin: Vec<Band> = XS.iter().map(|_| exact(100.0)).collect();
    let low: Vec<Band> = XS.iter().map(|_| exact(50.0)).collect();
    let high: Vec<Band> = XS.iter().map(|_| exact(150.0)).collect();
    assert_eq!(
        crossings(&XS, &spin, &low).verdict,
        Verdict::SpinWinsThroughout
    );
    assert_eq!(
        crossings(&XS, &spin, &high).verdict,
        Verdict::SleepWinsThroughout
    );
}

/// Item 2: the last points' trial ranges overlap, so "wins throughout" is not claimed;
/// the text says where the spinner is ahead and from where it is indistinguishable.
#[test]
fn overlapping_noise_at_the_last_points_is_not_wins_throughout() {
    let spin: Vec<Band> = XS.iter().map(|_| noisy(100.0, 0.05)).collect();
    // Clearly behind, then within the spinner's ±5% (and its own ±5%) at the last two.
    let sleep: Vec<Band> = [50.0, 60.0, 70.0, 80.0, 97.0, 103.0]
        .map(|v| noisy(v, 0.05))
        .to_vec();
    let o = crossings(&XS, &spin, &sleep);
    assert_eq!(o.verdict, Verdict::NoCrossing);
    let calls: Vec<Call> = o.calls.iter().map(|p| p.call).collect();
    assert_eq!(
        calls,
        [
            Call::SpinBetter,
            Call::SpinBetter,
            Call::SpinBetter,
            Call::SpinBetter,
            Call::Indistinguishable,
            Call::Indistinguishable
        ]
    );
    // The medians do cross (103 > 100 at the last point), but within noise: no crossing.
    let curve = Curve {
        primitive: "spin".into(),
        cs_ns: XS.to_vec(),
        bands: spin.clone(),
        jain: vec![1.0; 6],
    };
    let text = describe(&o, "spin", "sleep", &curve);
    assert!(!text.contains("throughout"), "{text}");
    assert!(
        text.contains("spin ahead up to 10 µs")
            && text.contains("indistinguishable from 100 µs on")
            && text.contains("2 of 6"),
        "{text}"
    );
}

/// An all-indistinguishable pair of curves says so, whatever its medians do.
#[test]
fn all_indistinguishable_is_undetermined() {
    let spin: Vec<Band> = XS.iter().map(|_| noisy(100.0, 0.2)).collect();
    let sleep: Vec<Band> = [90.0, 110.0, 95.0, 105.0, 92.0, 108.0]
        .map(|v| noisy(v, 0.2))
        .to_vec();
    let o = crossings(&XS, &spin, &sleep);
    assert_eq!(o.verdict, Verdict::Indistinguishable);
    assert_eq!(o.count(Call::Indistinguishable), 6);
    let curve = Curve {
        primitive: "spin".into(),
        cs_ns: XS.to_vec(),
        bands: spin,
        jain: vec![1.0; 6],
    };
    assert_eq!(
        describe(&o, "spin", "sleep", &curve),
        "undetermined: no length called beyond noise: indistinguishable throughout (6 of 6 lengths)"
    );
}

/// A length with fewer than 3 clean trials a side says so: it is no tie.
#[test]
fn too_few_trials_are_not_a_tie() {
    let mut spin: Vec<Band> = XS.iter().map(|_| noisy(100.0, 0.2)).collect();
    let sleep: Vec<Band> = XS.iter().map(|_| noisy(100.0, 0.2)).collect();
    spin[2].n = 2;
    let o = crossings(&XS, &spin, &sleep);
    assert_eq!(o.calls[2].call, Call::TooFew);
    assert_eq!(o.count(Call::Indistinguishable), 5);
    let curve = Curve {
        primitive: "spin".into(),
        cs_ns: XS.to_vec(),
        bands: spin,
        jain: vec![1.0; 6],
    };
    assert!(
        describe(&o, "spin", "sleep", &curve).contains("too few clean trials (< 3 a side) at"),
        "{}",
        describe(&o, "spin", "sleep", &curve)
    );
}

/// A spinner on a 27 ns cache layout against a sleeper on 108 ns: every length is not
/// comparable, and so is the verdict, however far apart the curves are.
#[test]
fn lengths_on_other_cache_layouts_are_not_comparable() {
    let on = |b: Band, ns: f64| Band {
        layout_ns: Some(ns),
        ..b
    };
    let spin: Vec<Band> = XS.iter().map(|_| on(exact(100.0), 27.0)).collect();
    let sleep: Vec<Band> = XS.iter().map(|_| on(exact(10.0), 108.0)).collect();
    let o = crossings(&XS, &spin, &sleep);
    assert_eq!(o.verdict, Verdict::NotComparable);
    assert_eq!(o.count(Call::NotComparable), XS.len());
    // On one layout (within ×1.5), the same curves are called.
    let near: Vec<Band> = XS.iter().map(|_| on(exact(10.0), 35.0)).collect();
    assert_eq!(
        crossings(&XS, &spin, &near).verdict,
        Verdict::SpinWinsThroughout
    );
}

/// Calls at many lengths are corrected across them (Benjamini–Hochberg): with 3 trials a side
/// a length's disjoint ranges have p = 0.1, enough only when every length is called; with 5
/// (p = 0.008) each called length stands.
#[test]
fn calls_are_corrected_across_lengths() {
    let few = |v: f64, n: usize| Band { n, ..exact(v) };
    for (n, called) in [(3, 0), (5, 5)] {
        let spin: Vec<Band> = XS.iter().map(|_| few(100.0, n)).collect();
        let mut sleep: Vec<Band> = XS.iter().map(|_| few(10.0, n)).collect();
        sleep[5] = few(100.0, n); // a tie at the last length
        let o = crossings(&XS, &spin, &sleep);
        assert_eq!(o.count(Call::SpinBetter), called, "{n} trials: {o:?}");
        assert_eq!(o.count(Call::NotSignificant), 5 - called, "{n} trials");
        // Every length called: each survives the correction, with 3 trials too.
        let sleep: Vec<Band> = XS.iter().map(|_| few(10.0, n)).collect();
        let o = crossings(&XS, &spin, &sleep);
        assert_eq!(o.verdict, Verdict::SpinWinsThroughout, "{n} trials");
    }
}

/// One clean trial has no range, and two disjoint ranges of 2 trials happen by chance one
/// time in three: neither puts a length beyond noise.
#[test]
fn fewer_than_three_trials_are_indistinguishable() {
    for n in [1, 2] {
        let few = |v: f64| Band {
            n,
            ..noisy(v, 0.01)
        };
        let spin: Vec<Band> = XS.iter().map(|_| few(100.0)).collect();
        let sleep: Vec<Band> = XS.iter().map(|_| few(50.0)).collect();
        assert_eq!(
            crossings(&XS, &spin, &sleep).verdict,
            Verdict::Indistinguishable,
            "{n} trials"
        );
    }
}

#[test]
fn crossing_twice_reports_both() {
    let spin: Vec<Band> = XS.iter().map(|_| exact(100.0)).collect();
    let sleep: Vec<Band> = [50.0, 80.0, 150.0, 200.0, 90.0, 40.0].map(exact).to_vec();
    let c = crossings_of(crossings(&XS, &spin, &sleep));
    assert_eq!(c.len(), 2);
    assert_eq!(
        (c[0].direction, c[1].direction),
        (Direction::SleepOvertakes, Direction::SpinOvertakes)
    );
    assert!(c[0].at_ns > 100.0 && c[0].at_ns < 1_000.0);
    assert!(c[1].at_ns > 10_000.0 && c[1].at_ns < 100_000.0);
    assert_eq!((c[0].band_lo_ns, c[0].band_hi_ns), (100.0, 1_000.0));
}

#[test]
fn touching_is_not_crossing() {
    let spin: Vec<Band> = XS.iter().map(|_| exact(100.0)).collect();
    let sleep: Vec<Band> = [50.0, 80.0, 100.0, 80.0, 50.0, 40.0].map(exact).to_vec();
    let o = crossings(&XS, &spin, &sleep);
    // Equal at 1 µs is not beyond noise: no crossing, and not "throughout" either.
    assert_eq!(o.verdict, Verdict::NoCrossing);
    assert_eq!(o.calls[2].call, Call::Indistinguishable);
}

#[test]
fn noise_near_the_crossing_is_one_crossing_with_a_band() {
    // A wiggle at 1–30 µs inside ±10% trial ranges, then sleep clearly ahead.
    let spin: Vec<Band> = XS.iter().map(|_| noisy(100.0, 0.1)).collect();
    let sleep: Vec<Band> = [20.0, 60.0, 104.0, 97.0, 103.0, 300.0]
        .map(|v| noisy(v, 0.1))
        .to_vec();
    let mut xs = XS.to_vec();
    xs[4] = 30_000.0;
    let c = crossings_of(crossings(&xs, &spin, &sleep));
    assert_eq!(c.len(), 1, "{c:?}");
    assert_eq!(c[0].direction, Direction::SleepOvertakes);
    // From the last length the spinner is ahead beyond noise (100 ns) to the first the
    // sleeper is (1 ms).
    assert_eq!((c[0].band_lo_ns, c[0].band_hi_ns), (100.0, 1_000_000.0));
    assert!(c[0].band_lo_ns <= c[0].bracket_lo_ns && c[0].bracket_hi_ns <= c[0].band_hi_ns);
    assert!(c[0].band_lo_ns <= c[0].at_ns && c[0].at_ns <= c[0].band_hi_ns);
}

#[test]
fn too_few_points() {
    assert_eq!(
        crossings(&[10.0], &[exact(1.0)], &[exact(2.0)]).verdict,
        Verdict::Undetermined
    );
    assert_eq!(
        crossings(&[10.0, 20.0], &[exact(0.0); 2], &[exact(1.0); 2]).verdict,
        Verdict::Undetermined
    );
}

#[test]
fn ratio_interval_contains_one_exactly_when_indistinguishable() {
    let spin: Vec<Band> = XS.iter().map(|_| noisy(100.0, 0.05)).collect();
    let sleep: Vec<Band> = [50.0, 97.0, 103.0, 200.0, 100.0, 80.0]
        .map(|v| noisy(v, 0.05))
        .to_vec();
    for p in crossings(&XS, &spin, &sleep).calls {
        let r = p.ratio;
        assert!(r.lo <= r.mid && r.mid <= r.hi, "{p:?}");
        assert_eq!(
            r.lo <= 1.0 && 1.0 <= r.hi,
            p.call == Call::Indistinguishable,
            "{p:?}"
        );
    }
}

fn row(primitive: &str, threads: usize, think: u64, cs: u64, trial: u32, v: f64) -> RunRecord {
    RunRecord {
        checked: true,
        primitive: primitive.into(),
        threads,
        think_ns: think,
        cs_ns: cs,
        trial,
        throughput_ops_s: v,
        ops_per_cpu_s: v,
        jain_index: if primitive == "sleep" { 0.5 } else { 1.0 },
        ..RunRecord::default()
    }
}

/// Rows of a spinner flat at 100 and a sleeper rising ×10 per decade (crossing at 1 µs),
/// 5 trials ±1%, at `threads` and two think times; at think 1 µs the sleeper is 3×
/// slower everywhere.
fn synthetic_rows(threads: usize) -> Vec<RunRecord> {
    let mut rows = Vec::new();
    for think in [0, 1_000] {
        for cs in [10u64, 100, 1_000, 10_000, 100_000] {
            for trial in 0..5 {
                let wobble = 1.0 + 0.005 * (f64::from(trial) - 2.0);
                let sleep = if think == 0 {
                    cs as f64 / 10.0
                } else {
                    100.0 / 3.0
                };
                rows.push(row("spin", threads, think, cs, trial, 100.0 * wobble));
                rows.push(row("sleep", threads, think, cs, trial, sleep * wobble));
            }
        }
    }
    rows
}

/// Item 4 and 5: one panel per (threads, think, metric); the crossing row and line carry
/// both locks' Jain index at the bracketing lengths.
#[test]
fn analyse_has_a_panel_per_think_time_and_jain_beside_crossings() {
    let b = analyse(&synthetic_rows(2), 2, "spin", &["sleep"]);
    assert_eq!(b.panels.len(), 4, "1 thread count × 2 think × 2 metrics");
    let thinks: Vec<u64> = b.panels.iter().map(|p| p.think_ns).collect();
    assert_eq!(thinks, [0, 0, 1_000, 1_000]);
    let crossing: Vec<&BreakevenRow> = b.rows.iter().filter(|r| r.think_ns == 0).collect();
    assert_eq!(crossing.len(), 2, "one per metric");
    for r in crossing {
        assert_eq!(r.verdict, "crossing");
        assert_eq!(
            (r.spin_jain_at_lo, r.sleep_jain_at_hi),
            (Some(1.0), Some(0.5))
        );
        assert!(r.band_lo_ns.unwrap() <= r.bracket_lo_ns.unwrap());
        assert_eq!((r.lengths, r.indistinguishable), (5, 1), "equal at 1 µs");
    }
    let slow: Vec<&BreakevenRow> = b.rows.iter().filter(|r| r.think_ns == 1_000).collect();
    assert!(slow.iter().all(|r| r.verdict == "spin_wins_throughout"));
    assert_eq!(b.lines.len(), 4);
    assert!(
        b.lines[0].contains("think 0")
            && b.lines[0].contains("Jain spin 1.00→1.00, sleep 0.50→0.50"),
        "{}",
        b.lines[0]
    );
    assert!(
        b.lines[2].contains("think 1 µs") && b.lines[2].contains("wins throughout"),
        "{}",
        b.lines[2]
    );
    assert_eq!(b.points.len(), 4 * 5, "one per panel and length");
}

/// Item 6: the wake-up cost is quoted as the probe's p10–p90 range.
#[test]
fn wakeup_is_quoted_as_a_range() {
    let b = analyse(&synthetic_rows(2), 2, "spin", &["sleep"]);
    let p = |p10, p50, p90| Percentiles {
        p50_ns: p50,
        p10_ns: p10,
        p90_ns: p90,
        p99_ns: p90 * 2.0,
        samples: 500,
    };
    let text = verdict_text(
        &b,
        "spin",
        "sleep",
        "Fake CPU",
        2,
        Some(&p(20_200.0, 22_423.0, 31_397.0)),
        Some(&p(4_777.0, 5_508.0, 6_479.0)),
    );
    assert!(
        text.contains("costs 20.2–31.4 µs (p10–p90 of one probe, 500 samples; p50 22.4 µs)")
            && text.contains("round trip 4.78–6.48 µs (p10–p90)"),
        "{text}"
    );
    assert_eq!(fmt_ns_range(950.0, 1_200.0), "950 ns–1.2 µs");
}

/// Hand-off latency is quoted per thread count: each lock's range of median p50 over the
/// lengths and its largest median p99; breakeven-points.csv carries both locks' p50.
#[test]
fn hand_off_latency_is_quoted_beside_the_verdict() {
    let mut rows = synthetic_rows(2);
    for r in &mut rows {
        let spin = r.primitive == "spin";
        r.handoff_p50_ns = Some(if spin { 80.0 } else { 300.0 + r.cs_ns as f64 });
        r.handoff_p99_ns = Some(if spin { 400.0 } else { 20_000.0 });
    }
    let b = analyse(&rows, 2, "spin", &["sleep"]);
    assert_eq!(
        b.handoff_lines,
        [
            "threads 2, think 0: spin 80 ns (p99 ≤ 400 ns at lengths with ≥ 1000 hand-offs), sleep 310 ns–100 µs (p99 ≤ 20 µs at lengths with ≥ 1000 hand-offs)"
        ]
    );
    let at_1us = b
        .points
        .iter()
        .find(|p| p.think_ns == 0 && p.cs_ns == 1_000.0)
        .unwrap();
    assert_eq!(
        (at_1us.spin_handoff_p50_ns, at_1us.sleep_handoff_p50_ns),
        (Some(80.0), Some(1_300.0))
    );
    let text = verdict_text(&b, "spin", "sleep", "Fake CPU", 2, None, None);
    assert!(
        text.contains("Hand-off") && text.contains(&b.handoff_lines[0]),
        "{text}"
    );
}
