//! `report.html`: one self-contained page per run. It leads with what was found — the
//! break-even verdict and chart, the winning lock per regime as a picture, the textbook claims'
//! verdicts (from a claims run beside it), the best primitive per regime and the uncontended
//! cost — then every chart, and last the run's metadata, host probes and data quality. Charts
//! are inlined as SVG: no scripts, no external files, no network.

use crate::analysis::aggregate::{Param, Trials, points};
use crate::record::RunRecord;
use crate::rundir::meta::Meta;
use crate::units::fmt_ns;
use std::fmt::Write;

/// What the page shows.
pub struct Page<'a> {
    /// Page title.
    pub title: String,
    /// The rows.
    pub rows: &'a [RunRecord],
    /// meta.json, if any.
    pub meta: Option<&'a Meta>,
    /// A break-even verdict and where it came from, if one was found.
    pub verdict: Option<(String, String)>,
    /// The break-even chart (SVG text) of that run, when it could be drawn.
    pub breakeven_chart: Option<String>,
    /// The claims' verdicts and where they came from, from a claims run beside this one.
    pub claims: Option<(Vec<crate::report::claims::ClaimRow>, String)>,
    /// Charts shown first, with the findings (the winner heatmap): (title, SVG text).
    pub lead_charts: Vec<(String, String)>,
    /// Charts: (title, SVG text).
    pub charts: Vec<(String, String)>,
    /// Charts the data did not support, with reasons.
    pub skipped: &'a [String],
}

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Appends an HTML table of text cells (escaped) to `out`.
pub(crate) fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    out.push_str("<table><thead><tr>");
    for h in header {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for r in rows {
        out.push_str("<tr>");
        for c in r {
            let _ = write!(out, "<td>{}</td>", esc(c));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

/// The pages' stylesheet, inlined in each page.
pub(crate) const STYLE: &str = "body{font-family:sans-serif;max-width:1700px;margin:2em auto;padding:0 1em;color:#222}\
h1{margin-bottom:0}.sub{color:#666;margin-top:.3em}table{border-collapse:collapse;margin:1em 0}\
td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;font-size:14px}th{background:#f4f4f4}\
figure{margin:1.5em 0}figure svg{max-width:100%;height:auto;border:1px solid #eee}\
pre{background:#f8f8f8;padding:1em;overflow-x:auto}.note{color:#666;font-size:14px}";

/// Renders the page.
pub fn render(page: &Page) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        esc(&page.title)
    );
    let _ = write!(o, "<h1>{}</h1>", esc(&page.title));
    if let Some(r) = page.rows.first() {
        let _ = write!(
            o,
            "<p class=\"sub\">{} — {} logical CPUs, {} physical cores{} — kernel {} — lockbench {} ({}) — {}</p>",
            esc(&r.cpu_model),
            r.logical_cpus,
            r.physical_cores,
            if r.smt { ", SMT" } else { "" },
            esc(&r.kernel),
            esc(&r.lockbench_version),
            esc(&r.git_sha),
            esc(&r.rustc)
        );
    }
    o.push_str("<h2>Contents</h2><ul><li><a href=\"#breakeven\">Spin/sleep break-even</a></li><li><a href=\"#winners\">Winners</a></li><li><a href=\"#claims\">Textbook claims</a></li><li><a href=\"#best\">Best primitive per regime</a></li><li><a href=\"#uncontended\">Uncontended cost</a></li><li><a href=\"#charts\">Charts</a></li><li><a href=\"#run\">Run</a></li><li><a href=\"#quality\">Data quality</a></li></ul>");
    let pts = points(page.rows);
    breakeven_section(&mut o, page);
    o.push_str("<h2 id=\"winners\">Winners</h2>");
    if page.lead_charts.is_empty() {
        o.push_str(
            "<p>This run has too few mutual-exclusion locks or regimes for a winner map.</p>",
        );
    }
    figures(&mut o, &page.lead_charts);
    claims_section(&mut o, page);
    best_section(&mut o, &pts);
    uncontended_section(&mut o, &pts);
    o.push_str("<h2 id=\"charts\">Charts</h2>");
    figures(&mut o, &page.charts);
    if !page.skipped.is_empty() {
        o.push_str("<p>Charts this data does not support:</p><ul>");
        for s in page.skipped {
            let _ = write!(o, "<li>{}</li>", esc(s));
        }
        o.push_str("</ul>");
    }
    run_section(&mut o, page);
    quality_section(&mut o, &pts);
    o.push_str("</body></html>\n");
    o
}

/// Each chart as a captioned figure.
fn figures(o: &mut String, charts: &[(String, String)]) {
    for (title, svg) in charts {
        let _ = write!(
            o,
            "<figure><figcaption>{}</figcaption>{}</figure>",
            esc(title),
            strip_xml_decl(svg)
        );
    }
}

/// The break-even verdict and its chart, or how to get them.
fn breakeven_section(o: &mut String, page: &Page) {
    o.push_str("<h2 id=\"breakeven\">Spin/sleep break-even</h2>");
    match &page.verdict {
        Some((text, from)) => {
            let _ = write!(
                o,
                "<pre>{}</pre><p class=\"note\">from {}</p>",
                esc(text),
                esc(from)
            );
        }
        None => o.push_str(
            "<p>No break-even run found next to this one. Run <code>lockbench breakeven</code>.</p>",
        ),
    }
    if let Some(svg) = &page.breakeven_chart {
        figures(
            o,
            &[(
                "Break-even: spinning vs sleeping by critical-section length".into(),
                svg.clone(),
            )],
        );
    }
}

/// The textbook claims' verdicts, from a claims run beside this one.
fn claims_section(o: &mut String, page: &Page) {
    o.push_str("<h2 id=\"claims\">Textbook claims</h2>");
    let Some((claims, from)) = &page.claims else {
        o.push_str(
            "<p>No claims run found next to this one. Run <code>lockbench claims</code>.</p>",
        );
        return;
    };
    if claims.is_empty() {
        let _ = write!(o, "<p>{} holds no claim.</p>", esc(from));
        return;
    }
    crate::report::claims::table_html(o, claims);
    let _ = write!(
        o,
        "<p class=\"note\">from {} (each claim's rule and the runs behind it are in its claims.md)</p>",
        esc(from)
    );
}

fn strip_xml_decl(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

fn run_section(o: &mut String, page: &Page) {
    o.push_str("<h2 id=\"run\">Run</h2>");
    let Some(m) = page.meta else {
        o.push_str("<p>No meta.json next to the CSV.</p>");
        return;
    };
    let rows = vec![
        vec!["command".into(), m.command_line.join(" ")],
        vec!["started (UTC)".into(), m.started_utc.clone()],
        vec![
            "finished (UTC)".into(),
            m.finished_utc
                .clone()
                .unwrap_or_else(|| "not finished".into()),
        ],
        vec!["complete".into(), m.complete.to_string()],
        vec!["rows".into(), m.rows.to_string()],
        vec!["topology".into(), m.topology.clone()],
        vec!["CPUs used".into(), format!("{:?}", m.allowed_cpus)],
        vec!["clock read".into(), fmt_ns(m.clock_read_ns)],
        vec![
            "harness cost per op, untimed / every op timed".into(),
            format!(
                "{} / {}",
                fmt_ns(m.harness_ns_per_op_untimed),
                fmt_ns(m.harness_ns_per_op_timed)
            ),
        ],
        vec!["spin-loop hint".into(), fmt_ns(m.ns_per_spin_hint)],
        vec![
            "busy-work calibration".into(),
            format!("{:.3} units/ns", m.busy_units_per_ns),
        ],
    ];
    table(o, &["", ""], &rows);
    if let Some(p) = &m.probes {
        o.push_str("<h3>Host probes</h3>");
        let rows: Vec<Vec<String>> = p
            .labelled()
            .into_iter()
            .map(|(name, fig)| match fig {
                Some(f) => vec![
                    name,
                    fmt_ns(f.p50_ns),
                    fmt_ns(f.p10_ns),
                    fmt_ns(f.p90_ns),
                    fmt_ns(f.p99_ns),
                ],
                None => vec![
                    name,
                    "n/a (one CPU)".into(),
                    "—".into(),
                    "—".into(),
                    "—".into(),
                ],
            })
            .collect();
        table(o, &["probe", "p50", "p10", "p90", "p99"], &rows);
    }
}

fn quality_section(o: &mut String, pts: &[Trials]) {
    o.push_str("<h2 id=\"quality\">Data quality</h2>");
    let trials: usize = pts.iter().map(|p| p.trials.len()).sum();
    let degraded: usize = pts
        .iter()
        .flat_map(|p| &p.trials)
        .filter(|r| r.degraded)
        .count();
    let timed_out: usize = pts
        .iter()
        .flat_map(|p| &p.trials)
        .filter(|r| r.timed_out)
        .count();
    let flagged = pts.iter().filter(|p| p.flagged()).count();
    table(
        o,
        &["", ""],
        &[
            vec!["points".into(), pts.len().to_string()],
            vec!["trials".into(), trials.to_string()],
            vec![
                "degraded trials (a disturbance signal in degraded_by: sentinel, slow CPU, CPU share, run queue, steal)".into(),
                degraded.to_string(),
            ],
            vec![
                "trials on another cache layout than their point's (a vCPU moved; left out)".into(),
                pts.iter().map(|p| p.moved_trials()).sum::<usize>().to_string(),
            ],
            vec!["timed-out trials".into(), timed_out.to_string()],
            vec![
                "flagged points (no clean trial, or fewer clean trials than planned)".into(),
                flagged.to_string(),
            ],
        ],
    );
    o.push_str("<p class=\"note\">Every value on this page is the median over a point's clean trials (not degraded, not timed out, on the point's cache layout). Flagged points are drawn ringed in the charts; <code>lockbench compare</code> marks them and never calls a difference on them.</p>");
}

fn best_section(o: &mut String, pts: &[Trials]) {
    o.push_str("<h2 id=\"best\">Best primitive per regime (median throughput)</h2>");
    let rows: Vec<Vec<String>> = crate::analysis::best::leaders(pts)
        .iter()
        .map(|l| {
            let best = l.best.0;
            vec![
                l.family.clone(),
                l.setting.describe(&Param::ALL),
                format!(
                    "{}{}",
                    best.primitive(),
                    if best.flagged() { " (flagged)" } else { "" }
                ),
                l.throughput(),
                l.runner_up
                    .map_or("—".into(), |r| r.0.primitive().to_string()),
                l.lead.describe(),
            ]
        })
        .collect();
    table(
        o,
        &[
            "family",
            "regime",
            "best",
            "throughput (median, confidence interval of it)",
            "runner-up",
            "best / runner-up",
        ],
        &rows,
    );
    o.push_str("<p class=\"note\">A lead counts only when the two medians' confidence intervals do not overlap; otherwise the regime is a tie.</p>");
}

fn uncontended_section(o: &mut String, pts: &[Trials]) {
    o.push_str("<h2 id=\"uncontended\">Uncontended cost (1 thread)</h2>");
    let single: Vec<&Trials> = pts.iter().filter(|p| p.first().threads == 1).collect();
    // The cost of the primitive itself needs a point without a critical section.
    let Some(shortest) = single.iter().map(|p| p.first().cs_ns).min() else {
        o.push_str("<p>No 1-thread points in this run.</p>");
        return;
    };
    let mut rows = Vec::new();
    for p in single.iter().filter(|p| p.first().cs_ns == shortest) {
        let Some(thr) = p.summary(|r| r.throughput_ops_s) else {
            continue;
        };
        let wait = p.summary(|r| r.wait_p50_ns).map_or(f64::NAN, |s| s.median);
        let r = p.first();
        rows.push(vec![
            p.primitive().to_string(),
            r.setting()
                .describe(&[Param::Cs, Param::Think, Param::ReadRatio, Param::Stripes]),
            fmt_ns(1e9 / thr.median),
            fmt_ns(1e9 / thr.max),
            fmt_ns(1e9 / thr.min),
            fmt_ns(wait),
        ]);
    }
    table(
        o,
        &[
            "primitive",
            "point",
            "time per op (median)",
            "fastest trial",
            "slowest trial",
            "acquire wait p50",
        ],
        &rows,
    );
    if shortest == 0 {
        o.push_str("<p class=\"note\">Points with no critical section: the time per op is the primitive's acquire and release plus the harness loop (its own cost is in the run table above). The wait includes one clock read.</p>");
    } else {
        o.push_str(&format!("<p class=\"note\">This run has no point without a critical section: every time includes the {} critical section (the quick preset adds a cs = 0 point). The wait includes one clock read.</p>", fmt_ns(shortest as f64)));
    }
}
