//! The break-even chart: one row per (thread count, think time, metric) with two panels: the
//! spinner's and the sleepers' curves with their trial bands (log-log), and the spin ÷ sleep
//! ratio of medians with the interval the trial ranges allow (log x, linear y, a line at 1),
//! where a 20% difference that log-log curves hide is plain. Two panels a row keep the figure
//! readable at the width report.html shows it.
//! The headline sleeper's crossings are red bands; the textbook's ~1 µs and this machine's
//! wake-up latency (its probe's p10–p90 as a grey band) are dashed references.

use super::{Axis, Chart, Figure, Marker, Series, Style, Ticks};
use crate::analysis::breakeven::{
    Breakeven, Curve, Direction, Outcome, Panel, Verdict, fmt_ns_range, think_label,
};
use crate::probes::Percentiles;
use crate::units::fmt_ns;

/// Panels per row: curves, then ratio.
pub(crate) const COLS: usize = 2;

/// The chart's name (its file stem).
pub(crate) const NAME: &str = "breakeven";

/// The chart of a break-even analysis measured on `cores` CPUs of `cpu_model`; `wakeup` is
/// the cross-core futex wake-up latency probe, when probed.
pub fn figure(
    b: &Breakeven,
    cpu_model: &str,
    cores: usize,
    wakeup: Option<&Percentiles>,
) -> Figure {
    let panels = b
        .panels
        .iter()
        .flat_map(|p| {
            let markers = markers(p.outcomes.first(), wakeup);
            let title = format!(
                "{} threads ({}), {}",
                p.threads,
                p.regime,
                think_label(p.think_ns)
            );
            let mut curves = Chart::new(
                format!("{}, {title}", p.label),
                Axis::log("critical-section length requested (log)", Ticks::Nanos),
                Axis::log(format!("{}, log", p.label), Ticks::Number),
            );
            curves.series = std::iter::once(&p.spin)
                .chain(&p.sleepers)
                .map(series_of)
                .collect();
            curves.markers = markers.clone();
            let mut ratio = ratio_chart(p, &title);
            ratio.markers = markers;
            [curves, ratio]
        })
        .collect();
    Figure {
        name: NAME.into(),
        title: "Spin vs sleep: where is the break-even?".into(),
        subtitle: format!(
            "{cpu_model} — {cores} CPUs\nlines: medians of clean trials; shaded: their min–max (ratio: the range they allow); red: crossing bands; grey: wake-up p10–p90{}",
            if b.achieved.is_empty() {
                String::new()
            } else {
                format!("\n{}", super::achieved_line(&b.achieved))
            }
        ),
        panels,
        cols: COLS,
    }
}

/// The headline's crossings, the textbook's 1 µs and the wake-up latency.
fn markers(headline: Option<&Outcome>, wakeup: Option<&Percentiles>) -> Vec<Marker> {
    let mut markers = Vec::new();
    if let Some(Outcome {
        verdict: Verdict::Crossings(cs),
        ..
    }) = headline
    {
        markers.extend(cs.iter().map(|c| Marker {
            x: c.at_ns,
            label: format!(
                "{} {}",
                if c.direction == Direction::SleepOvertakes {
                    "sleep wins from"
                } else {
                    "spin wins again from"
                },
                fmt_ns(c.at_ns)
            ),
            band: Some((c.band_lo_ns, c.band_hi_ns)),
            dashed: false,
        }));
    }
    markers.push(Marker {
        x: 1_000.0,
        label: "textbook ~1 µs".into(),
        band: None,
        dashed: true,
    });
    if let Some(w) = wakeup {
        markers.push(Marker {
            x: w.p50_ns,
            label: format!("wake-up {}", fmt_ns_range(w.p10_ns, w.p90_ns)),
            band: Some((w.p10_ns, w.p90_ns)),
            dashed: true,
        });
    }
    markers
}

/// spin ÷ each sleeper: the ratio of medians, its trial-range interval as the band, and a
/// dashed line at 1 drawn first, so it takes the spinner's colour and each sleeper keeps the
/// colour it has in the curves panel.
fn ratio_chart(p: &Panel, title: &str) -> Chart {
    let mut chart = Chart::new(
        format!("spin ÷ sleep, {}, {title}", p.metric),
        Axis::log("critical-section length (log)", Ticks::Nanos),
        Axis::linear(
            format!("{} ÷ sleeper (> 1: spin ahead)", p.spin.primitive),
            Ticks::Number,
        ),
    );
    let xs = p
        .outcomes
        .iter()
        .flat_map(|o| o.calls.iter().map(|c| c.cs_ns));
    let (lo, hi) = xs.fold((f64::INFINITY, 0.0f64), |(a, b), x| (a.min(x), b.max(x)));
    let mut one = Series::line(
        "1: equal",
        if lo <= hi {
            vec![(lo, 1.0), (hi, 1.0)]
        } else {
            Vec::new()
        },
    );
    one.style = Style::Dashed;
    chart.series.push(one);
    for (sleeper, o) in p.sleepers.iter().zip(&p.outcomes) {
        chart.series.push(Series {
            name: format!("÷ {}", sleeper.primitive),
            style: Style::Line,
            flagged: Vec::new(),
            points: o.calls.iter().map(|c| (c.cs_ns, c.ratio.mid)).collect(),
            band: o
                .calls
                .iter()
                .map(|c| (c.cs_ns, c.ratio.lo, c.ratio.hi))
                .collect(),
        });
    }
    chart
}

/// A curve as a chart series: medians as the line, the trials' min–max as its band.
fn series_of(c: &Curve) -> Series {
    Series {
        name: c.primitive.clone(),
        style: Style::Line,
        flagged: Vec::new(),
        points: c
            .cs_ns
            .iter()
            .zip(&c.bands)
            .map(|(x, b)| (*x, b.mid))
            .collect(),
        band: c
            .cs_ns
            .iter()
            .zip(&c.bands)
            .map(|(x, b)| (*x, b.lo, b.hi))
            .collect(),
    }
}
