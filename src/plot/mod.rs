//! Charts: a small declarative description ([`Figure`] of [`Chart`] panels) and its rendering
//! to PNG or SVG with plotters.
//!
//! Chart *content* (which series, which axes, which markers) is built from CSV rows in
//! [`charts`] and is testable without pixels; this module only draws. Text is laid out with
//! ab_glyph and the embedded DejaVu Sans (it has µ), so nothing here needs a system font,
//! fontconfig or freetype.

pub mod breakeven;
pub mod charts;

use crate::error::UsageError;
use crate::rundir::run::LoadedRun;
use charts::RunData;
use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::prelude::*;
use std::path::Path;
use std::sync::OnceLock;

/// Why a figure could not be drawn. Not bad input (exit code 1, not 2): the run's data was
/// read; drawing it or storing the image failed.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The embedded font could not be registered with plotters.
    #[error("the embedded DejaVu Sans font could not be loaded")]
    Font,
    /// plotters failed drawing or writing `target` (a file, or a figure's name).
    #[error("drawing {target}: {message}")]
    Draw {
        /// The image file or the figure.
        target: String,
        /// plotters' complaint (its error types are generic over the backend, so kept as text).
        message: String,
    },
}

/// Image format of a rendered figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Raster image.
    Png,
    /// Vector image (text left to the viewer's fonts, laid out with DejaVu Sans metrics).
    Svg,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 2] = [Format::Png, Format::Svg];

    /// The lowercase name used on the command line (also the file extension).
    pub fn as_str(self) -> &'static str {
        self.ext()
    }

    /// File extension.
    pub(crate) fn ext(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
        }
    }
}

/// How an axis maps values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    /// Linear.
    Linear,
    /// Logarithmic (values ≤ 0 are dropped).
    Log,
}

/// How an axis labels its ticks.
#[derive(Debug, Clone, PartialEq)]
pub enum Ticks {
    /// Plain numbers with an SI suffix (k, M, G).
    Number,
    /// Whole numbers only (thread counts, stripes): fractional ticks are left blank.
    Integer,
    /// Nanoseconds, shown as ns / µs / ms / s.
    Nanos,
    /// A fraction shown as a percentage.
    Percent,
    /// x = 1/(1−p) shown as the percentile p.
    Percentile,
    /// Integer positions 0, 1, … named by the list.
    Categories(Vec<String>),
}

/// One axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// Label, with its unit.
    pub label: String,
    /// Scale.
    pub scale: Scale,
    /// Tick labels.
    pub ticks: Ticks,
}

impl Axis {
    /// A linear axis.
    pub fn linear(label: impl Into<String>, ticks: Ticks) -> Axis {
        Axis {
            label: label.into(),
            scale: Scale::Linear,
            ticks,
        }
    }

    /// A logarithmic axis.
    pub fn log(label: impl Into<String>, ticks: Ticks) -> Axis {
        Axis {
            label: label.into(),
            scale: Scale::Log,
            ticks,
        }
    }
}

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Style {
    /// Line with a dot at each point.
    Line,
    /// Dashed line without dots (a reference).
    Dashed,
    /// Vertical bars from the x axis (categorical x).
    Bars,
}

/// One series.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend name.
    pub name: String,
    /// Points, sorted by x.
    pub points: Vec<(f64, f64)>,
    /// Spread (x, low, high) drawn as a translucent band; may be empty.
    pub band: Vec<(f64, f64, f64)>,
    /// Points whose value came from flagged (degraded or unstable) trials: drawn hollow.
    pub flagged: Vec<(f64, f64)>,
    /// Style.
    pub style: Style,
}

impl Series {
    /// A plain line.
    pub fn line(name: impl Into<String>, points: Vec<(f64, f64)>) -> Series {
        Series {
            name: name.into(),
            points,
            band: Vec::new(),
            flagged: Vec::new(),
            style: Style::Line,
        }
    }
}

/// A vertical marker line.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// Position.
    pub x: f64,
    /// Label drawn beside it.
    pub label: String,
    /// Shaded band (lo, hi) around it, if any.
    pub band: Option<(f64, f64)>,
    /// Dashed (a reference) rather than solid (a finding).
    pub dashed: bool,
}

/// A grid of coloured cells: `cells[row][col]` is an index into `legend` (or `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    /// Names of the colours.
    pub legend: Vec<String>,
    /// Cells, rows bottom to top.
    pub cells: Vec<Vec<Option<usize>>>,
}

/// One panel.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Panel title.
    pub title: String,
    /// X axis.
    pub x: Axis,
    /// Y axis.
    pub y: Axis,
    /// Series.
    pub series: Vec<Series>,
    /// Vertical markers.
    pub markers: Vec<Marker>,
    /// A heatmap instead of series (its axes are categorical).
    pub heatmap: Option<Heatmap>,
}

impl Chart {
    /// An empty panel with the given axes.
    pub fn new(title: impl Into<String>, x: Axis, y: Axis) -> Chart {
        Chart {
            title: title.into(),
            x,
            y,
            series: Vec::new(),
            markers: Vec::new(),
            heatmap: None,
        }
    }

    fn has_data(&self) -> bool {
        self.heatmap.is_some() || self.series.iter().any(|s| !s.points.is_empty())
    }
}

/// A rendered file: a title, a subtitle naming the host, and panels in a grid.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// File stem.
    pub name: String,
    /// Title.
    pub title: String,
    /// Subtitle: host (CPU model, cores) and how to read the chart; a `\n` starts a second line.
    pub subtitle: String,
    /// Panels.
    pub panels: Vec<Chart>,
    /// Panels per row.
    pub cols: usize,
}

const PANEL_W: u32 = 820;
const PANEL_H: u32 = 500;
const HEADER_H: u32 = 80;
const FONT: &str = "sans-serif";

/// The categorical palette (Tableau 10).
pub(crate) const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Registers the embedded font once per process.
fn ensure_font() -> Result<(), PlotError> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        [
            (FontStyle::Normal, dejavu::sans::regular()),
            (FontStyle::Bold, dejavu::sans::bold()),
        ]
        .into_iter()
        .all(|(style, bytes)| plotters::style::register_font(FONT, style, bytes).is_ok())
    });
    if ok { Ok(()) } else { Err(PlotError::Font) }
}

/// Renders `fig` to `dir/<name>.<ext>` and returns the path.
pub fn render(fig: &Figure, dir: &Path, format: Format) -> Result<std::path::PathBuf, PlotError> {
    ensure_font()?;
    let path = dir.join(format!("{}.{}", fig.name, format.ext()));
    let (rows, cols) = grid(fig);
    let size = canvas(rows, cols);
    let err = |message: String| PlotError::Draw {
        target: path.display().to_string(),
        message,
    };
    match format {
        Format::Png => {
            let root = BitMapBackend::new(&path, size).into_drawing_area();
            draw_figure(&root, fig, rows, cols).map_err(err)?;
            root.present().map_err(|e| err(e.to_string()))?;
        }
        Format::Svg => {
            let root = SVGBackend::new(&path, size).into_drawing_area();
            draw_figure(&root, fig, rows, cols).map_err(err)?;
            root.present().map_err(|e| err(e.to_string()))?;
        }
    }
    Ok(path)
}

/// Renders `fig` as SVG text (for inlining in a page).
pub fn render_svg_string(fig: &Figure) -> Result<String, PlotError> {
    ensure_font()?;
    let (rows, cols) = grid(fig);
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, canvas(rows, cols)).into_drawing_area();
        let err = |message: String| PlotError::Draw {
            target: fig.name.clone(),
            message,
        };
        draw_figure(&root, fig, rows, cols).map_err(err)?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    Ok(text)
}

fn grid(fig: &Figure) -> (usize, usize) {
    let cols = fig.cols.clamp(1, fig.panels.len().max(1));
    (fig.panels.len().div_ceil(cols).max(1), cols)
}

fn canvas(rows: usize, cols: usize) -> (u32, u32) {
    (PANEL_W * cols as u32, PANEL_H * rows as u32 + HEADER_H)
}

type DrawResult = std::result::Result<(), String>;

fn draw_figure<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    fig: &Figure,
    rows: usize,
    cols: usize,
) -> DrawResult {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    let (header, body) = root.split_vertically(HEADER_H);
    header
        .draw_text(
            &fig.title,
            &(FONT, 26).into_font().style(FontStyle::Bold).color(&BLACK),
            (16, 8),
        )
        .map_err(e)?;
    for (i, line) in fig.subtitle.lines().take(2).enumerate() {
        header
            .draw_text(
                line,
                &(FONT, 14).into_font().color(&RGBColor(80, 80, 80)),
                (16, 40 + 18 * i as i32),
            )
            .map_err(e)?;
    }
    let areas = body.split_evenly((rows, cols));
    for (panel, area) in fig.panels.iter().zip(areas.iter()) {
        draw_panel(area, panel)?;
    }
    Ok(())
}

/// Data range of a panel along one axis (both series and markers), padded for display.
fn extent(values: impl Iterator<Item = f64>, scale: Scale, from_zero: bool) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for v in values.filter(|v| v.is_finite() && (scale == Scale::Linear || *v > 0.0)) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (1.0, 10.0);
    }
    match scale {
        Scale::Log => {
            let (lo, hi) = if hi / lo < 1.5 {
                (lo / 1.5, hi * 1.5)
            } else {
                (lo, hi)
            };
            (lo / 1.25, hi * 1.25)
        }
        Scale::Linear => {
            let lo = if from_zero { lo.min(0.0) } else { lo };
            let pad = ((hi - lo) * 0.05).max(hi.abs() * 0.05).max(1e-9);
            (if from_zero && lo >= 0.0 { lo } else { lo - pad }, hi + pad)
        }
    }
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    chart: &Chart,
) -> DrawResult {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    if !chart.has_data() {
        area.draw_text(
            &format!("{}: no data", chart.title),
            &(FONT, 16).into_font().color(&BLACK),
            (20, 20),
        )
        .map_err(e)?;
        return Ok(());
    }
    let (plot, legend) = area.split_horizontally(PANEL_W * 3 / 4);
    let names = legend_entries(chart);
    draw_legend(&legend, &names)?;
    let (x_range, y_range) = ranges(chart);
    match (chart.x.scale, chart.y.scale) {
        (Scale::Linear, Scale::Linear) => {
            draw_axes(&plot, chart, x_range.0..x_range.1, y_range.0..y_range.1)
        }
        (Scale::Log, Scale::Linear) => draw_axes(
            &plot,
            chart,
            (x_range.0..x_range.1).log_scale(),
            y_range.0..y_range.1,
        ),
        (Scale::Linear, Scale::Log) => draw_axes(
            &plot,
            chart,
            x_range.0..x_range.1,
            (y_range.0..y_range.1).log_scale(),
        ),
        (Scale::Log, Scale::Log) => draw_axes(
            &plot,
            chart,
            (x_range.0..x_range.1).log_scale(),
            (y_range.0..y_range.1).log_scale(),
        ),
    }
}

fn ranges(chart: &Chart) -> ((f64, f64), (f64, f64)) {
    if let Some(h) = &chart.heatmap {
        let rows = h.cells.len().max(1) as f64;
        let cols = h.cells.iter().map(Vec::len).max().unwrap_or(1).max(1) as f64;
        return ((-0.5, cols - 0.5), (-0.5, rows - 0.5));
    }
    let xs = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .chain(chart.markers.iter().map(|m| m.x));
    let bars = chart.series.iter().any(|s| s.style == Style::Bars);
    let mut x = extent(xs, chart.x.scale, false);
    if bars || matches!(chart.x.ticks, Ticks::Categories(_)) {
        x = (x.0.min(0.0) - 0.1, x.1 + 0.1);
        x.0 = x.0.min(-0.6);
        x.1 = x.1.max(x.1.ceil() - 0.4);
    }
    let ys = chart.series.iter().flat_map(|s| {
        s.points
            .iter()
            .map(|p| p.1)
            .chain(s.band.iter().flat_map(|b| [b.1, b.2]))
    });
    let y = extent(ys, chart.y.scale, bars || chart.y.ticks == Ticks::Percent);
    (x, y)
}

fn legend_entries(chart: &Chart) -> Vec<(String, RGBColor, bool)> {
    match &chart.heatmap {
        Some(h) => h
            .legend
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), PALETTE[i % PALETTE.len()], false))
            .collect(),
        None => chart
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| {
                (
                    s.name.clone(),
                    PALETTE[i % PALETTE.len()],
                    s.style == Style::Dashed,
                )
            })
            .collect(),
    }
}

fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    entries: &[(String, RGBColor, bool)],
) -> DrawResult {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let font = (FONT, 14).into_font().color(&BLACK);
    let mut y = 40;
    for (name, color, dashed) in entries {
        if *dashed {
            for k in 0..3 {
                area.draw(&PathElement::new(
                    vec![(8 + k * 9, y + 8), (14 + k * 9, y + 8)],
                    color.stroke_width(3),
                ))
                .map_err(e)?;
            }
        } else {
            area.draw(&Rectangle::new([(8, y + 2), (30, y + 14)], color.filled()))
                .map_err(e)?;
        }
        area.draw_text(name, &font, (38, y)).map_err(e)?;
        y += 22;
    }
    Ok(())
}

/// Where `x` sits between `lo` and `hi` on an axis of `scale`, from 0 to 1.
fn fraction(scale: Scale, lo: f64, hi: f64, x: f64) -> f64 {
    match scale {
        Scale::Log if lo > 0.0 && hi > lo && x > 0.0 => (x / lo).ln() / (hi / lo).ln(),
        _ if hi > lo => (x - lo) / (hi - lo),
        _ => 0.5,
    }
}

/// Formats `v` for a tick of kind `ticks`.
pub(crate) fn tick_label(ticks: &Ticks, v: f64) -> String {
    match ticks {
        Ticks::Number => crate::units::si(v),
        Ticks::Integer => {
            if (v - v.round()).abs() < 1e-6 {
                crate::units::si(v.round())
            } else {
                String::new()
            }
        }
        Ticks::Nanos => crate::units::fmt_ns(v),
        Ticks::Percent => {
            // Enough decimals for small shares (a preempted-holder share of 0.01%).
            let p = v * 100.0;
            match p.abs() {
                a if a == 0.0 || a >= 10.0 => format!("{p:.0}%"),
                a if a >= 1.0 => format!("{p:.1}%"),
                a if a >= 0.1 => format!("{p:.2}%"),
                _ => format!("{p:.3}%"),
            }
        }
        Ticks::Percentile => {
            let p = 100.0 * (1.0 - 1.0 / v.max(1.0));
            let s = format!("{p:.4}");
            let s = s.trim_end_matches('0').trim_end_matches('.');
            format!("{s}%")
        }
        Ticks::Categories(names) => {
            let i = v.round();
            if (v - i).abs() < 0.01 && i >= 0.0 {
                names.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        }
    }
}

/// Every figure a run supports, including the break-even chart of a break-even run.
pub fn figures_of_run(run: &LoadedRun) -> Result<charts::Plan, UsageError> {
    let host_line = RunData::host_line(&run.rows, run.cores());
    let data = RunData::new(&run.rows, &run.histograms, run.cores(), &host_line);
    let mut plan = charts::all(&data);
    if let Some(fig) = breakeven_figure(run)? {
        plan.figures.push(fig);
    } else {
        plan.skipped.push(
            "breakeven: not a break-even run (no breakeven.csv; run `lockbench breakeven`)".into(),
        );
    }
    Ok(plan)
}

/// The break-even chart of a run made by `lockbench breakeven`, or `None` for any other run.
pub(crate) fn breakeven_figure(run: &LoadedRun) -> Result<Option<Figure>, UsageError> {
    let (Some(meta), Some((spinner, sleepers))) = (&run.meta, run.breakeven_locks()?) else {
        return Ok(None);
    };
    let sleepers: Vec<&str> = sleepers.iter().map(String::as_str).collect();
    let cores = meta.allowed_cpus.len();
    let b = crate::analysis::breakeven::analyse(&run.rows, cores, &spinner, &sleepers);
    Ok(Some(breakeven::figure(
        &b,
        &meta.host.cpu_model,
        cores,
        meta.probes
            .as_ref()
            .and_then(|p| p.cross_core_wakeup.as_ref()),
    )))
}

fn draw_axes<DB, X, Y>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    chart: &Chart,
    x: X,
    y: Y,
) -> DrawResult
where
    DB: DrawingBackend,
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let mut cc = ChartBuilder::on(area)
        .caption(&chart.title, (FONT, 18).into_font().style(FontStyle::Bold))
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(76)
        .build_cartesian_2d(x, y)
        .map_err(e)?;
    let x_fmt = |v: &f64| tick_label(&chart.x.ticks, *v);
    let y_fmt = |v: &f64| tick_label(&chart.y.ticks, *v);
    let n_x = match &chart.x.ticks {
        Ticks::Categories(c) => c.len().max(2) * 2 + 1,
        _ => 10,
    };
    let n_y = match &chart.y.ticks {
        Ticks::Categories(c) => c.len().max(2) * 2 + 1,
        _ => 10,
    };
    cc.configure_mesh()
        .x_desc(&chart.x.label)
        .y_desc(&chart.y.label)
        .x_labels(n_x)
        .y_labels(n_y)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 15))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(e)?;
    let (y_lo, y_hi) = {
        let r = cc.y_range();
        (r.start, r.end)
    };
    let (x_lo, x_hi) = {
        let r = cc.x_range();
        (r.start, r.end)
    };
    if let Some(h) = &chart.heatmap {
        for (row, cells) in h.cells.iter().enumerate() {
            for (col, cell) in cells.iter().enumerate() {
                if let Some(k) = cell {
                    let (c, r) = (col as f64, row as f64);
                    cc.draw_series(std::iter::once(Rectangle::new(
                        [(c - 0.48, r - 0.48), (c + 0.48, r + 0.48)],
                        PALETTE[k % PALETTE.len()].filled(),
                    )))
                    .map_err(e)?;
                }
            }
        }
        return Ok(());
    }
    let bounds = Bounds {
        x_lo,
        x_hi,
        y_lo,
        y_hi,
    };
    draw_markers(&mut cc, chart, &bounds)?;
    draw_series(&mut cc, chart, &bounds)
}

/// The plotting area's ends, as the mesh drew them.
#[derive(Clone, Copy)]
struct Bounds {
    x_lo: f64,
    x_hi: f64,
    y_lo: f64,
    y_hi: f64,
}

/// A chart's markers: a vertical line each (a finding red and solid, a reference grey and
/// dashed), its band shaded, its label stepped down so neighbours do not overprint.
fn draw_markers<DB, XC, YC>(
    cc: &mut ChartContext<'_, DB, Cartesian2d<XC, YC>>,
    chart: &Chart,
    b: &Bounds,
) -> DrawResult
where
    DB: DrawingBackend,
    XC: Ranged<ValueType = f64>,
    YC: Ranged<ValueType = f64>,
{
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let Bounds {
        x_lo,
        x_hi,
        y_lo,
        y_hi,
    } = *b;
    for (k, m) in chart.markers.iter().enumerate() {
        let red = RGBColor(200, 30, 30);
        // A finding is red, a reference grey; so is its band.
        let color = if m.dashed { RGBColor(90, 90, 90) } else { red };
        if let Some((lo, hi)) = m.band {
            cc.draw_series(std::iter::once(Rectangle::new(
                [(lo, y_lo), (hi, y_hi)],
                color.mix(0.12).filled(),
            )))
            .map_err(e)?;
        }
        let line = vec![(m.x, y_lo), (m.x, y_hi)];
        if m.dashed {
            cc.draw_series(DashedLineSeries::new(line, 6, 4, color.stroke_width(1)))
                .map_err(e)?;
        } else {
            cc.draw_series(LineSeries::new(line, color.stroke_width(2)))
                .map_err(e)?;
        }
        // Labels step down one line per marker so neighbours do not overprint, and sit left
        // of their line in the right third of the panel so they stay inside it.
        let width = 7 * m.label.chars().count() as i32;
        let dx = if fraction(chart.x.scale, x_lo, x_hi, m.x) > 0.66 {
            -width - 4
        } else {
            4
        };
        let dy = 2 + 15 * k as i32;
        cc.draw_series(std::iter::once(
            EmptyElement::at((m.x, y_hi))
                + Text::new(
                    m.label.clone(),
                    (dx, dy),
                    (FONT, 12).into_font().color(&color),
                ),
        ))
        .map_err(e)?;
    }
    Ok(())
}

/// A chart's series: each line, dashed line or bars with its band, flagged points ringed.
fn draw_series<DB, XC, YC>(
    cc: &mut ChartContext<'_, DB, Cartesian2d<XC, YC>>,
    chart: &Chart,
    b: &Bounds,
) -> DrawResult
where
    DB: DrawingBackend,
    XC: Ranged<ValueType = f64>,
    YC: Ranged<ValueType = f64>,
{
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let y_lo = b.y_lo;
    for (i, s) in chart.series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        if s.band.len() >= 2 {
            let mut poly: Vec<(f64, f64)> = s.band.iter().map(|b| (b.0, b.1)).collect();
            poly.extend(s.band.iter().rev().map(|b| (b.0, b.2)));
            cc.draw_series(std::iter::once(Polygon::new(
                poly,
                color.mix(0.15).filled(),
            )))
            .map_err(e)?;
        }
        match s.style {
            Style::Line => {
                cc.draw_series(LineSeries::new(s.points.clone(), color.stroke_width(2)))
                    .map_err(e)?;
                cc.draw_series(s.points.iter().map(|&p| Circle::new(p, 3, color.filled())))
                    .map_err(e)?;
            }
            Style::Dashed => {
                cc.draw_series(DashedLineSeries::new(
                    s.points.clone(),
                    8,
                    5,
                    color.stroke_width(2),
                ))
                .map_err(e)?;
            }
            Style::Bars => {
                let base = if chart.y.scale == Scale::Log {
                    y_lo
                } else {
                    0.0
                };
                cc.draw_series(s.points.iter().map(|&(x, y)| {
                    Rectangle::new([(x - 0.35, base), (x + 0.35, y)], color.filled())
                }))
                .map_err(e)?;
            }
        }
        cc.draw_series(
            s.flagged
                .iter()
                .map(|&p| Circle::new(p, 6, BLACK.stroke_width(1))),
        )
        .map_err(e)?;
    }
    Ok(())
}

/// The achieved critical sections as a subtitle line (at most `MAX` lengths, spread evenly):
/// "achieved cs (median hold − one clock read): 20 ns → 24 ns · 100 ns → 104 ns · …"; empty
/// when nothing was timed.
pub(crate) fn achieved_line(pairs: &[(u64, f64)]) -> String {
    const MAX: usize = 7;
    if pairs.is_empty() {
        return String::new();
    }
    let step = pairs.len().div_ceil(MAX).max(1);
    let shown: Vec<String> = pairs
        .iter()
        .enumerate()
        .filter(|(i, _)| i % step == 0 || *i == pairs.len() - 1)
        .map(|(_, (cs, a))| {
            format!(
                "{} → {}",
                crate::units::fmt_ns(*cs as f64),
                crate::units::fmt_ns(*a)
            )
        })
        .collect();
    format!(
        "achieved cs (median hold − one clock read): {}",
        shown.join(" · ")
    )
}
