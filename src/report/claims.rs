//! The files of `lockbench claims`: `claims.md` (a Markdown table, also what the command
//! prints), `claims.csv` (one row per claim) and `report.html` (a self-contained page in the
//! style of [`super::html`]: the table, the runs each verdict rests on, links to each
//! experiment's run directory). Renderers return text or bytes; the caller writes them.

use super::html::{STYLE, esc, table};
use crate::analysis::verdict::Claim;
use serde::Serialize;
use std::fmt::Write;

/// claims.md.
pub const CLAIMS_MD: &str = "claims.md";
/// claims.csv.
pub const CLAIMS_CSV: &str = "claims.csv";
/// report.html.
pub const REPORT_HTML: &str = "report.html";

/// One experiment of a claims run, as the pages list it.
#[derive(Debug, Clone)]
pub struct ExperimentLink {
    /// Its directory name under the claims directory.
    pub id: String,
    /// What it measures.
    pub title: String,
    /// Its run id (meta.json), empty when it was not measured.
    pub run_id: String,
    /// Rows (trials) in its runs.csv.
    pub trials: usize,
}

/// What the pages say besides the claims.
#[derive(Debug, Clone)]
pub struct Context {
    /// "Textbook claims on `<machine>`".
    pub title: String,
    /// Host line: CPU model, usable CPUs, kernel, lockbench version.
    pub host: String,
    /// The experiments, in claim order.
    pub experiments: Vec<ExperimentLink>,
}

/// One line of a Markdown cell: no pipes or line breaks.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The Markdown table: claim | what the chapter says | what this machine shows | verdict
/// (with its reason and runs), one line per claim, after a title and host line.
pub fn markdown(claims: &[Claim], ctx: &Context) -> String {
    let mut o = format!("# {}\n\n{}\n\n", ctx.title, ctx.host);
    o.push_str("| # | claim | what the chapter says | what this machine shows | verdict |\n");
    o.push_str("|---|---|---|---|---|\n");
    for c in claims {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | **{}**: {} Runs: {}. |",
            c.id,
            cell(c.claim),
            cell(c.chapter_says),
            cell(&c.shows),
            c.verdict.as_str(),
            cell(&c.reason),
            cell(&runs_text(c))
        );
    }
    o.push_str("\nFigures: median over clean trials (its confidence interval: the min–max range up to 4 trials), trial count. Beyond noise = the one rule for calls (`rules::versus`): ≥ 3 trials a side, one cache layout (points more than ×1.5 apart are not comparable, and a claim that compared them is inconclusive), and intervals apart by more than the 5% margin (`rules::DELTA`); a ratio's interval is the one the two intervals allow, and \"against ×1\" means beyond that margin. A verdict using a flagged point (no clean trial, or fewer clean trials than planned) that would hold holds with a caveat.\n\n## The rules\n\nEach claim's verdict follows its rule, written before the data (`src/experiments/claims/`, one file per claim).\n\n");
    for c in claims {
        let _ = writeln!(o, "{}. **{}.** {}\n", c.id, c.claim, c.rule);
    }
    o
}

fn runs_text(c: &Claim) -> String {
    if c.runs.is_empty() {
        "none".into()
    } else {
        c.runs.join(", ")
    }
}

/// A row of claims.csv.
#[derive(Debug, Serialize)]
struct Row<'a> {
    id: &'a str,
    claim: &'a str,
    chapter_says: &'a str,
    rule: &'a str,
    shows: &'a str,
    verdict: &'a str,
    reason: &'a str,
    runs: String,
}

/// A row of claims.csv as read back (`lockbench report` puts the table on a run's page).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct ClaimRow {
    /// The claim's number.
    pub id: String,
    /// The claim.
    pub claim: String,
    /// What the chapter says.
    pub chapter_says: String,
    /// What this machine shows.
    pub shows: String,
    /// The verdict.
    pub verdict: String,
    /// Why.
    pub reason: String,
}

impl ClaimRow {
    /// A judged claim's row.
    pub fn of(c: &Claim) -> ClaimRow {
        ClaimRow {
            id: c.id.to_string(),
            claim: c.claim.to_string(),
            chapter_says: c.chapter_says.to_string(),
            shows: c.shows.clone(),
            verdict: c.verdict.as_str().to_string(),
            reason: c.reason.clone(),
        }
    }
}

/// The claims as an HTML table: claim, what the chapter says, what this machine shows, the
/// verdict and why (the claims page and a run's report.html alike).
pub(crate) fn table_html(o: &mut String, claims: &[ClaimRow]) {
    let rows: Vec<Vec<String>> = claims
        .iter()
        .map(|c| {
            vec![
                c.id.clone(),
                c.claim.clone(),
                c.chapter_says.clone(),
                c.shows.clone(),
                c.verdict.clone(),
                c.reason.clone(),
            ]
        })
        .collect();
    table(
        o,
        &[
            "#",
            "claim",
            "what the chapter says",
            "what this machine shows",
            "verdict",
            "why",
        ],
        &rows,
    );
}

/// Reads a claims.csv written by `lockbench claims` (columns it does not need are skipped).
pub fn read_csv(path: &std::path::Path) -> Result<Vec<ClaimRow>, ::csv::Error> {
    ::csv::Reader::from_path(path)?.deserialize().collect()
}

/// claims.csv: a header and one row per claim (runs `;`-separated).
pub fn csv(claims: &[Claim]) -> Result<Vec<u8>, ::csv::Error> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    for c in claims {
        w.serialize(Row {
            id: c.id,
            claim: c.claim,
            chapter_says: c.chapter_says,
            rule: c.rule,
            shows: &c.shows,
            verdict: c.verdict.as_str(),
            reason: &c.reason,
            runs: c.runs.join(";"),
        })?;
    }
    w.into_inner()
        .map_err(|e| ::csv::Error::from(e.into_error()))
}

/// report.html: the table, per-claim runs (linked to their directories) and the
/// experiments. No scripts, no external files.
pub fn html(claims: &[Claim], ctx: &Context) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        esc(&ctx.title)
    );
    let _ = write!(
        o,
        "<h1>{}</h1><p class=\"sub\">{}</p>",
        esc(&ctx.title),
        esc(&ctx.host)
    );
    o.push_str("<h2>Claims</h2>");
    let rows: Vec<ClaimRow> = claims.iter().map(ClaimRow::of).collect();
    table_html(&mut o, &rows);
    o.push_str("<p class=\"note\">Figures: median over clean trials (its confidence interval: the min–max range up to 4 trials), trial count. Beyond noise = ≥ 3 trials a side, one cache layout, intervals apart by more than the 5% margin. A flagged point caps a verdict at “holds with a caveat”.</p>");
    o.push_str("<h2>Runs behind each verdict</h2><ul>");
    for c in claims {
        let links: Vec<String> = c
            .runs
            .iter()
            .map(|r| {
                let dir = r.split_whitespace().next().unwrap_or(r);
                match ctx.experiments.iter().find(|e| e.id == dir) {
                    Some(e) => format!("<a href=\"{0}/\">{1}</a>", esc(&e.id), esc(r)),
                    None => esc(r),
                }
            })
            .collect();
        let _ = write!(
            o,
            "<li>{} ({}): {}</li>",
            esc(c.id),
            esc(c.verdict.as_str()),
            if links.is_empty() {
                "none".into()
            } else {
                links.join(", ")
            }
        );
    }
    o.push_str("</ul><h2>Experiments</h2><ul>");
    for e in &ctx.experiments {
        let _ = write!(
            o,
            "<li><a href=\"{0}/\">{0}</a> — {1}: {2} trial(s){3} (<a href=\"{0}/runs.csv\">runs.csv</a>, <a href=\"{0}/meta.json\">meta.json</a>)</li>",
            esc(&e.id),
            esc(&e.title),
            e.trials,
            if e.run_id.is_empty() {
                String::new()
            } else {
                format!(", run {}", esc(&e.run_id))
            }
        );
    }
    o.push_str("</ul></body></html>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::verdict::Verdict;

    #[test]
    fn one_line_per_claim_with_a_verdict() {
        let claims: Vec<Claim> = [Verdict::Holds, Verdict::DoesNotHold, Verdict::Inconclusive]
            .into_iter()
            .map(|verdict| Claim {
                id: "1",
                claim: "a | claim",
                chapter_says: "says",
                rule: "the rule",
                shows: "shows | this".into(),
                verdict,
                reason: "because".into(),
                runs: vec!["01-lost-updates".into()],
            })
            .collect();
        let ctx = Context {
            title: "t".into(),
            host: "h".into(),
            experiments: vec![ExperimentLink {
                id: "01-lost-updates".into(),
                title: "lost | updates".into(),
                run_id: String::new(),
                trials: 0,
            }],
        };
        let md = markdown(&claims, &ctx);
        let table: Vec<&str> = md
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| # "))
            .collect();
        assert_eq!(table.len(), claims.len());
        for (line, c) in table.iter().zip(&claims) {
            assert!(
                line.contains(&format!("**{}**", c.verdict.as_str())),
                "{line}"
            );
            assert_eq!(line.matches(" | ").count(), 4, "five cells: {line}");
        }
        let csv = String::from_utf8(csv(&claims).unwrap()).unwrap();
        let mut reader = ::csv::Reader::from_reader(csv.as_bytes());
        let records: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), claims.len());
        for (r, c) in records.iter().zip(&claims) {
            assert_eq!(&r[5], c.verdict.as_str());
        }
        let page = html(&claims, &ctx);
        assert!(page.contains("href=\"01-lost-updates/runs.csv\""));
        assert!(!page.contains("<script"));
    }
}
