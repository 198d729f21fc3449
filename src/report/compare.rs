//! The text of `lockbench compare`: a header naming each input (machine, build, how it was
//! run, flagged points) with warnings where the inputs differ, the table of points (aligned
//! text or Markdown) with its legend, or one CSV row per point and input. Written to any
//! `Write`, so the command line only chooses stdout.

use crate::analysis::compare::{ALPHA, Call, Cell, Comparison, Input, InputInfo, Mean};
use crate::record::RunRecord;
use crate::rundir::run::LoadedRun;
use std::io::{self, Write};

/// The metric a comparison compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Operations per second (higher is better).
    Throughput,
    /// Operations per CPU-second (higher is better).
    Efficiency,
    /// Median wait, ns (lower is better).
    WaitP50,
    /// 99th-percentile wait, ns (lower is better).
    WaitP99,
}

impl Metric {
    /// Every metric, in command-line order.
    pub const ALL: [Metric; 4] = [
        Metric::Throughput,
        Metric::Efficiency,
        Metric::WaitP50,
        Metric::WaitP99,
    ];

    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Throughput => "throughput",
            Metric::Efficiency => "efficiency",
            Metric::WaitP50 => "wait-p50",
            Metric::WaitP99 => "wait-p99",
        }
    }

    /// The metric's value in a row (NaN where the row has none).
    pub fn get(self) -> fn(&RunRecord) -> f64 {
        match self {
            Metric::Throughput => |r| r.throughput_ops_s,
            Metric::Efficiency => |r| r.ops_per_cpu_s,
            Metric::WaitP50 => |r| r.wait_p50_ns,
            Metric::WaitP99 => |r| r.wait_p99_ns.unwrap_or(f64::NAN),
        }
    }

    fn unit(self) -> &'static str {
        match self {
            Metric::Throughput => "ops/s",
            Metric::Efficiency => "ops/CPU-s",
            Metric::WaitP50 | Metric::WaitP99 => "ns",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Metric::Throughput => "throughput",
            Metric::Efficiency => "CPU efficiency",
            Metric::WaitP50 => "wait p50",
            Metric::WaitP99 => "wait p99",
        }
    }

    fn fmt(self, v: f64) -> String {
        match self {
            Metric::Throughput => crate::units::fmt_rate(v),
            Metric::Efficiency => format!("{} ops/CPU-s", crate::units::si(v)),
            Metric::WaitP50 | Metric::WaitP99 => crate::units::fmt_ns(v),
        }
    }
}

/// The comparison inputs of loaded runs: labelled by [`LoadedRun::label`] (numbered when two
/// share a label), with their usable CPUs and clock source from meta.json where present.
pub fn inputs(runs: &[LoadedRun]) -> Vec<Input<'_>> {
    let mut inputs: Vec<Input> = runs
        .iter()
        .map(|r| Input {
            usable_cpus: r.cores(),
            clock_source: r
                .meta
                .as_ref()
                .map(|m| m.clock_source.clone())
                .filter(|s| !s.is_empty()),
            ..Input::new(r.label(), &r.rows)
        })
        .collect();
    for i in 0..inputs.len() {
        if inputs[..i].iter().any(|x| x.label == inputs[i].label) {
            inputs[i].label = format!("{} ({})", inputs[i].label, i + 1);
        }
    }
    inputs
}

/// The comparison as one CSV row per point and input (the reference included).
pub fn write_csv(out: &mut dyn Write, c: &Comparison, metric: Metric) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "point",
        "family",
        "input",
        &format!("median_{}", metric.unit().replace(['/', '-'], "_")),
        "trials",
        "ratio",
        "p_value",
        "q_value",
        "call",
        "flag",
        "threads",
        "layout_ns",
        "other_layout",
    ])?;
    let opt = |v: Option<f64>, digits: usize| v.map_or(String::new(), |x| format!("{x:.digits$}"));
    for r in &c.rows {
        let point = r.describe();
        for (info, cell) in c.inputs.iter().zip(&r.cells) {
            let Some(cell) = cell else { continue };
            w.write_record([
                point.as_str(),
                r.family.as_str(),
                info.label.as_str(),
                &cell.median.map_or(String::new(), |m| m.to_string()),
                &cell.n.to_string(),
                &opt(cell.ratio, 4),
                &opt(cell.p, 4),
                &opt(cell.q, 4),
                cell.call.as_str(),
                cell.flag.map_or("", |f| f.as_str()),
                &cell.threads.to_string(),
                &opt(cell.layout_ns, 1),
                &cell.other_layout.to_string(),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}

/// The comparison as text: title, the inputs' header and warnings, the table of points with
/// the geometric means per family, the legend, what the trial counts allow, and the points
/// not in every input. `markdown` writes the tables as GitHub-flavoured Markdown.
pub fn write_table(
    out: &mut dyn Write,
    c: &Comparison,
    metric: Metric,
    markdown: bool,
) -> io::Result<()> {
    writeln!(
        out,
        "{} (median of clean trials), ratios against {}",
        metric.title(),
        c.inputs[0].label
    )?;
    writeln!(out)?;
    write_grid(out, &header(c), markdown)?;
    if markdown {
        // A line right after a Markdown table would be read as one of its rows.
        writeln!(out)?;
    }
    for w in &c.warnings {
        writeln!(out, "warning: {w}")?;
    }
    writeln!(out)?;
    write_grid(out, &points_table(c, metric), markdown)?;
    if markdown {
        writeln!(out)?;
    }
    for line in legend(c) {
        writeln!(out, "{line}")?;
    }
    if !c.unmatched.is_empty() {
        writeln!(out, "{} point(s) not in every input:", c.unmatched.len())?;
        for (point, present) in c.unmatched.iter().take(20) {
            let missing: Vec<&str> = c
                .inputs
                .iter()
                .zip(present)
                .filter(|(_, p)| !**p)
                .map(|(i, _)| i.label.as_str())
                .collect();
            writeln!(out, "  {point}: missing from {}", missing.join(", "))?;
        }
        if c.unmatched.len() > 20 {
            writeln!(out, "  … and {} more", c.unmatched.len() - 20)?;
        }
    }
    Ok(())
}

/// One line per fact about the inputs, one column per input.
fn header(c: &Comparison) -> Vec<Vec<String>> {
    let row = |name: &str, f: &dyn Fn(&InputInfo) -> String| {
        let mut line = vec![name.to_string()];
        line.extend(c.inputs.iter().map(f));
        line
    };
    let or_unknown = |s: &str| {
        if s.is_empty() {
            "not recorded".to_string()
        } else {
            s.to_string()
        }
    };
    vec![
        column_heads("input", c),
        row("CPU", &|i| or_unknown(&i.cpu_model)),
        row("CPUs", &|i| {
            let mut s = if i.cpus == i.logical_cpus {
                i.cpus.to_string()
            } else {
                format!("{} ({} usable)", i.logical_cpus, i.cpus)
            };
            if c.relative_threads {
                s.push_str(&format!(": cores = {} threads", i.cpus));
            }
            s
        }),
        row("kernel", &|i| or_unknown(&i.kernel)),
        row("lockbench", &|i| {
            format!(
                "{} @ {}",
                or_unknown(&i.lockbench_version),
                or_unknown(&i.git_sha)
            )
        }),
        row("clock", &|i| or_unknown(&i.clock_source)),
        row("core-to-core (median)", &|i| {
            i.core_to_core_ns
                .map_or("not read".to_string(), crate::units::fmt_ns)
        }),
        row("trials × window", &|i| {
            format!("{} × {} (warm-up {})", i.trials, i.window, i.warmup)
        }),
        row("latency timed", &|i| i.sampling.clone()),
        row("points", &|i| {
            format!(
                "{}, {} flagged ({} with no clean trial)",
                i.points, i.flagged, i.no_clean_trial
            )
        }),
    ]
}

/// The table of points and the geometric means.
fn points_table(c: &Comparison, metric: Metric) -> Vec<Vec<String>> {
    let mut table = vec![column_heads("point", c)];
    for r in &c.rows {
        let mut line = vec![r.describe()];
        line.extend(r.cells.iter().map(|cell| match cell {
            None => "—".to_string(),
            Some(cell) => cell_text(cell, metric),
        }));
        table.push(line);
    }
    let mut geo = vec!["geometric mean of ratios, all matched points".to_string()];
    geo.extend(std::iter::repeat_n(String::new(), c.inputs.len()));
    table.push(geo);
    for (family, per) in &c.geomean {
        let mut line = vec![format!("  {family}")];
        line.extend(per.iter().enumerate().map(|(k, m)| match m {
            None => "—".to_string(),
            Some(m) => mean_text(m, k == 0),
        }));
        table.push(line);
    }
    table
}

/// `first`, then the inputs' labels, the reference's marked.
fn column_heads(first: &str, c: &Comparison) -> Vec<String> {
    let mut head = vec![first.to_string()];
    head.extend(c.inputs.iter().enumerate().map(|(k, i)| {
        if k == 0 {
            format!("{} (reference)", i.label)
        } else {
            i.label.clone()
        }
    }));
    head
}

fn cell_text(cell: &Cell, metric: Metric) -> String {
    let mut parts: Vec<String> = Vec::new();
    match cell.median {
        Some(m) => parts.push(metric.fmt(m)),
        None => parts.push("timed out".into()),
    }
    if cell.call == Call::Reference {
        parts.push(format!("(n={})", cell.n));
    } else if cell.median.is_some() {
        parts.push(cell.ratio.map_or("×—".into(), |r| format!("×{r:.2}")));
    }
    if !cell.call.mark().is_empty() {
        parts.push(cell.call.mark().into());
    }
    if let Some(q) = cell.q {
        parts.push(format!("q={q:.2}"));
    }
    if cell.flag.is_some() {
        parts.push("!".into());
    }
    if cell.other_layout {
        parts.push(format!(
            "L({})",
            cell.layout_ns.map_or("?".into(), crate::units::fmt_ns)
        ));
    }
    parts.join(" ")
}

fn mean_text(m: &Mean, reference: bool) -> String {
    let count = format!("{} points, {} flagged", m.points, m.flagged);
    if reference {
        format!("({count})")
    } else {
        format!("×{:.3} ({count})", m.ratio)
    }
}

/// How to read the table, and what the trial counts allow.
fn legend(c: &Comparison) -> Vec<String> {
    let p = &c.power;
    let mut out = vec![
        format!(
            "`+` / `-`: higher / lower beyond noise and the margin: clean-trial ranges apart by \
             more than δ = {:.0}% (`--delta`), and exact Mann–Whitney p significant after the \
             Benjamini–Hochberg correction over all {} tested cells (q: the adjusted p, called \
             when ≤ {ALPHA}, the false-discovery rate); `~`: tested, not called.",
            c.delta * 100.0,
            p.tests
        ),
        "`!`: flagged point (no clean trial, its degraded trials shown; or fewer clean trials \
         than planned; in files before schema 4 also a median's interval wider than their \
         target): shown, never tested, nor is any point flagged in \
         the reference; the means count a point as flagged if it is so here or in \
         the reference."
            .to_string(),
        "`L(d)`: this point ran with its CPUs d apart, a cache layout more than ×1.5 from the \
         reference's (the host had moved a vCPU for the whole of one run's trials): shown, \
         never tested, since its ratio compares layouts, not primitives."
            .to_string(),
    ];
    let lone = p.trials_for_lone_call.map_or_else(
        || "more than 50 clean trials a side".to_string(),
        |n| format!("≥ {n} clean trials a side"),
    );
    let mut verdict = format!("{} difference(s) called.", c.calls);
    match p.best_p {
        None => verdict.push_str(
            " No cell could be tested: every matched point is flagged here or in the reference.",
        ),
        Some(best) if p.best_case_calls == 0 => verdict.push_str(&format!(
            " Too few trials to call any difference: no p these trial counts allow (the \
             smallest is {best:.3}) passes Benjamini–Hochberg over {} tests; one difference \
             on its own needs {lone}.",
            p.tests
        )),
        Some(best) if p.needed_together > 1 => {
            let k = p.needed_together.min(p.tests);
            verdict.push_str(&format!(
                " With these trial counts (smallest possible p {best:.3}) Benjamini–Hochberg \
                 calls a difference only if {} of the {} tested cells have p ≤ {:.3}; one \
                 difference on its own needs {lone}.",
                if k == p.tests {
                    "all".to_string()
                } else {
                    format!("at least {k}")
                },
                p.tests,
                k as f64 * ALPHA / p.tests as f64
            ));
        }
        Some(_) => {}
    }
    out.push(verdict);
    out
}

/// Writes `table` (first line: the column heads) aligned or as Markdown.
fn write_grid(out: &mut dyn Write, table: &[Vec<String>], markdown: bool) -> io::Result<()> {
    if markdown {
        for (i, line) in table.iter().enumerate() {
            writeln!(out, "| {} |", line.join(" | "))?;
            if i == 0 {
                writeln!(out, "|{}", "---|".repeat(line.len()))?;
            }
        }
        return Ok(());
    }
    let widths: Vec<usize> = (0..table[0].len())
        .map(|k| {
            table
                .iter()
                .map(|l| l[k].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for line in table {
        let cells: Vec<String> = line
            .iter()
            .zip(&widths)
            .map(|(s, w)| format!("{s}{}", " ".repeat(w - s.chars().count())))
            .collect();
        writeln!(out, "{}", cells.join("  ").trim_end())?;
    }
    Ok(())
}
