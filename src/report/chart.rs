//! A small dependency-free SVG chart writer for log-log line charts in panels (used by the
//! break-even chart). Text is left to the viewer's fonts, so nothing is needed at build time
//! and "µs" renders wherever the SVG is opened.

use std::fmt::Write;

/// One series: a name and (x, y) points.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend name.
    pub name: String,
    /// Points (x > 0, y > 0 for log axes); points that are not are skipped.
    pub points: Vec<(f64, f64)>,
    /// Spread around the points, as (x, low, high), drawn as a translucent band; may be empty.
    pub spread: Vec<(f64, f64, f64)>,
}

/// A vertical marker: an x, a label, and an optional shaded band.
#[derive(Debug, Clone)]
pub struct Marker {
    /// Position.
    pub x: f64,
    /// Label drawn next to it.
    pub label: String,
    /// Shaded band (lo, hi), if any.
    pub band: Option<(f64, f64)>,
    /// Dashed (reference) rather than solid (finding).
    pub dashed: bool,
}

/// One panel.
#[derive(Debug, Clone)]
pub struct Panel {
    /// Title.
    pub title: String,
    /// Y-axis label (with unit).
    pub y_label: String,
    /// Series.
    pub series: Vec<Series>,
    /// Vertical markers.
    pub markers: Vec<Marker>,
}

const COLORS: [&str; 8] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
];
const W: f64 = 560.0;
const H: f64 = 360.0;

/// Formats a duration in ns for an axis tick.
fn tick_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{} µs", ns / 1e3)
    } else {
        format!("{ns} ns")
    }
}

fn tick_rate(v: f64) -> String {
    if v >= 1e6 {
        format!("{}M", v / 1e6)
    } else if v >= 1e3 {
        format!("{}k", v / 1e3)
    } else {
        format!("{v}")
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Renders panels in a grid of `cols` columns, with a title and subtitle, as SVG text.
pub fn panels_svg(
    title: &str,
    subtitle: &str,
    x_label: &str,
    panels: &[Panel],
    cols: usize,
) -> String {
    let cols = cols.max(1);
    let rows = panels.len().div_ceil(cols);
    let (tw, th) = (W * cols as f64, H * rows as f64 + 70.0);
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{tw}" height="{th}" viewBox="0 0 {tw} {th}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="{}" y="26" font-size="18" text-anchor="middle" font-weight="bold">{}</text>
<text x="{}" y="48" font-size="12" text-anchor="middle" fill="#444">{}</text>
"##,
        tw / 2.0,
        esc(title),
        tw / 2.0,
        esc(subtitle)
    );
    for (k, p) in panels.iter().enumerate() {
        let (ox, oy) = ((k % cols) as f64 * W, 70.0 + (k / cols) as f64 * H);
        panel(&mut s, p, ox, oy, x_label);
    }
    s.push_str("</svg>\n");
    s
}

fn panel(s: &mut String, p: &Panel, ox: f64, oy: f64, x_label: &str) {
    let (l, r, t, b) = (ox + 70.0, ox + W - 20.0, oy + 30.0, oy + H - 95.0);
    let pts: Vec<(f64, f64)> = p
        .series
        .iter()
        .flat_map(|s| s.points.iter().copied())
        .filter(|&(x, y)| x > 0.0 && y > 0.0)
        .collect();
    if pts.is_empty() {
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" font-size="12">{}: no data</text>"#,
            ox + 20.0,
            oy + 40.0,
            esc(&p.title)
        );
        return;
    }
    let (mut x0, mut x1) = pts
        .iter()
        .fold((f64::MAX, f64::MIN), |a, p| (a.0.min(p.0), a.1.max(p.0)));
    let (mut y0, mut y1) = pts
        .iter()
        .fold((f64::MAX, f64::MIN), |a, p| (a.0.min(p.1), a.1.max(p.1)));
    for m in &p.markers {
        x0 = x0.min(m.x);
        x1 = x1.max(m.x);
    }
    x0 = 10f64.powf(x0.log10().floor());
    x1 = 10f64.powf(x1.log10().ceil());
    y0 = 10f64.powf(y0.log10().floor());
    y1 = 10f64.powf(y1.log10().ceil());
    let fx = |x: f64| l + (x.log10() - x0.log10()) / (x1.log10() - x0.log10()).max(1e-9) * (r - l);
    let fy = |y: f64| b - (y.log10() - y0.log10()) / (y1.log10() - y0.log10()).max(1e-9) * (b - t);
    let _ = write!(
        s,
        r##"<text x="{}" y="{}" font-size="13" text-anchor="middle" font-weight="bold">{}</text>
<rect x="{l}" y="{t}" width="{}" height="{}" fill="none" stroke="#888"/>
"##,
        (l + r) / 2.0,
        oy + 20.0,
        esc(&p.title),
        r - l,
        b - t
    );
    let mut d = x0;
    while d <= x1 * 1.0001 {
        let x = fx(d);
        let _ = writeln!(
            s,
            r##"<line x1="{x}" y1="{t}" x2="{x}" y2="{b}" stroke="#eee"/><text x="{x}" y="{}" font-size="10" text-anchor="middle">{}</text>"##,
            b + 14.0,
            tick_ns(d)
        );
        d *= 10.0;
    }
    let mut d = y0;
    while d <= y1 * 1.0001 {
        let y = fy(d);
        let _ = writeln!(
            s,
            r##"<line x1="{l}" y1="{y}" x2="{r}" y2="{y}" stroke="#eee"/><text x="{}" y="{}" font-size="10" text-anchor="end">{}</text>"##,
            l - 4.0,
            y + 3.0,
            tick_rate(d)
        );
        d *= 10.0;
    }
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text>
<text x="{}" y="{}" font-size="11" text-anchor="middle" transform="rotate(-90 {} {})">{}</text>
"#,
        (l + r) / 2.0,
        b + 30.0,
        esc(x_label),
        ox + 16.0,
        (t + b) / 2.0,
        ox + 16.0,
        (t + b) / 2.0,
        esc(&p.y_label)
    );
    for (k, m) in p.markers.iter().enumerate() {
        let x = fx(m.x);
        // Stagger labels so markers close together stay readable.
        let label_y = t + 12.0 + 12.0 * k as f64;
        if let Some((lo, hi)) = m.band {
            let _ = write!(
                s,
                r##"<rect x="{}" y="{t}" width="{}" height="{}" fill="#d62728" fill-opacity="0.12"/>"##,
                fx(lo),
                (fx(hi) - fx(lo)).max(1.0),
                b - t
            );
        }
        let dash = if m.dashed {
            r#" stroke-dasharray="5,4""#
        } else {
            ""
        };
        let _ = writeln!(
            s,
            r##"<line x1="{x}" y1="{t}" x2="{x}" y2="{b}" stroke="#333"{dash}/><text x="{}" y="{}" font-size="10" fill="#333">{}</text>"##,
            x + 3.0,
            label_y,
            esc(&m.label)
        );
    }
    for (i, series) in p.series.iter().enumerate() {
        let c = COLORS[i % COLORS.len()];
        let band: Vec<&(f64, f64, f64)> = series
            .spread
            .iter()
            .filter(|&&(x, lo, hi)| x > 0.0 && lo > 0.0 && hi > 0.0)
            .collect();
        if band.len() > 1 {
            let upper = band
                .iter()
                .map(|&&(x, _, hi)| format!("{:.1},{:.1}", fx(x), fy(hi)));
            let lower = band
                .iter()
                .rev()
                .map(|&&(x, lo, _)| format!("{:.1},{:.1}", fx(x), fy(lo)));
            let outline: Vec<String> = upper.chain(lower).collect();
            let _ = write!(
                s,
                r#"<polygon points="{}" fill="{c}" fill-opacity="0.15" stroke="none"/>"#,
                outline.join(" ")
            );
        }
        let path: Vec<String> = series
            .points
            .iter()
            .filter(|&&(x, y)| x > 0.0 && y > 0.0)
            .map(|&(x, y)| format!("{:.1},{:.1}", fx(x), fy(y)))
            .collect();
        let _ = write!(
            s,
            r#"<polyline fill="none" stroke="{c}" stroke-width="2" points="{}"/>"#,
            path.join(" ")
        );
        for pt in &path {
            let (px, py) = pt.split_once(',').unwrap_or(("0", "0"));
            let _ = write!(s, r#"<circle cx="{px}" cy="{py}" r="2.5" fill="{c}"/>"#);
        }
        let (lx, ly) = (
            ox + 80.0 + (i % 2) as f64 * 230.0,
            b + 48.0 + (i / 2) as f64 * 15.0,
        );
        let _ = writeln!(
            s,
            r##"<line x1="{lx}" y1="{ly}" x2="{}" y2="{ly}" stroke="{c}" stroke-width="3"/><text x="{}" y="{}" font-size="11">{}</text>"##,
            lx + 18.0,
            lx + 22.0,
            ly + 4.0,
            esc(&series.name)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_has_every_series_marker_and_label() {
        let p = Panel {
            title: "throughput, 2 threads".into(),
            y_label: "ops/s".into(),
            series: vec![
                Series {
                    name: "spin-ttas-backoff".into(),
                    points: vec![(20.0, 1e6), (2000.0, 3e5), (200_000.0, 4e3)],
                    spread: vec![
                        (20.0, 0.9e6, 1.1e6),
                        (2000.0, 2.5e5, 3.5e5),
                        (200_000.0, 3e3, 5e3),
                    ],
                },
                Series {
                    name: "futex-mutex".into(),
                    points: vec![(20.0, 5e5), (2000.0, 2e5), (200_000.0, 5e3)],
                    spread: vec![],
                },
            ],
            markers: vec![Marker {
                x: 1000.0,
                label: "textbook 1 µs".into(),
                band: Some((500.0, 3000.0)),
                dashed: true,
            }],
        };
        let svg = panels_svg(
            "break-even",
            "host <x>",
            "critical section",
            &[p.clone(), p],
            2,
        );
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        for needle in [
            "spin-ttas-backoff",
            "futex-mutex",
            "textbook 1 µs",
            "ops/s",
            "critical section",
            "host &lt;x&gt;",
            "polyline",
        ] {
            assert!(svg.contains(needle), "{needle} missing");
        }
        assert_eq!(svg.matches("<polyline").count(), 4);
        assert_eq!(
            svg.matches("<polygon").count(),
            2,
            "one spread band per panel"
        );
        assert_eq!(
            svg.matches("<polygon").count(),
            2,
            "one spread band per panel"
        );
    }
}
