//! The break-even chart: one panel per (thread count, metric), the spinner's and the sleepers'
//! curves with their trial bands, the headline sleeper's crossings as red bands, and the
//! textbook's ~1 µs and this machine's wake-up latency as dashed references.

use super::{Axis, Chart, Figure, Marker, Series, Style, Ticks};
use crate::analysis::breakeven::{Breakeven, Curve, Direction, Verdict};
use crate::units::fmt_ns;

/// The chart of a break-even analysis measured on `cores` CPUs of `cpu_model`; `wakeup_ns` is
/// the cross-core futex wake-up latency, when probed.
pub fn figure(b: &Breakeven, cpu_model: &str, cores: usize, wakeup_ns: Option<f64>) -> Figure {
    let panels = b
        .panels
        .iter()
        .map(|p| {
            let mut markers = Vec::new();
            if let Some(Verdict::Crossings(cs)) = p.verdicts.first() {
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
            if let Some(w) = wakeup_ns {
                markers.push(Marker {
                    x: w,
                    label: format!("wake-up {}", fmt_ns(w)),
                    band: None,
                    dashed: true,
                });
            }
            let mut chart = Chart::new(
                format!("{}, {} threads ({})", p.label, p.threads, p.regime),
                Axis::log("critical-section length (log)", Ticks::Nanos),
                Axis::log(format!("{}, log", p.label), Ticks::Number),
            );
            chart.series = std::iter::once(&p.spin)
                .chain(&p.sleepers)
                .map(series_of)
                .collect();
            chart.markers = markers;
            chart
        })
        .collect();
    Figure {
        name: "breakeven".into(),
        title: "Spin vs sleep: where is the break-even?".into(),
        subtitle: format!(
            "{cpu_model} — {cores} CPUs\nlines: medians of clean trials; shaded: their min–max; red: crossing bands"
        ),
        panels,
        cols: 2,
    }
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
