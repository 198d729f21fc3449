//! Comparing runs (usually from different machines): match points, show each point's median
//! in every input with its ratio to the first input (the reference), and say whether a
//! difference is real.
//!
//! # What is shown
//! Every point present in the reference and at least one other input is a row; points
//! missing from some input are listed. A point's value is the median of its clean trials. A
//! *flagged* point ([`Flag`]: no clean trial, or fewer clean trials than planned, which
//! includes a point with a single clean trial) is shown too, with its flag and the median of what was measured (its
//! degraded trials when none is clean). Flagged points are counted per input, included in
//! the per-family geometric means (which say how many of their points were flagged), and
//! never called different.
//!
//! # Calls
//! A difference is *called* (`+` higher, `-` lower) only when all of these hold:
//! - the point is flagged neither in the input nor in the reference;
//! - the two points ran on one cache layout (within ×1.5);
//! - the two sets of clean trials are apart by more than the margin δ (`--delta`, default
//!   [`crate::rules::DELTA`]: the difference exceeds their combined spread and what one
//!   machine moves between sittings);
//! - the exact two-sided Mann–Whitney rank test over those trials stays significant at
//!   [`ALPHA`] after the Benjamini–Hochberg correction over every cell the comparison tests
//!   (each non-reference cell whose point is flagged neither there nor in the reference, all
//!   inputs together).
//!
//! Benjamini–Hochberg rather than Holm: a comparison tests hundreds of points and what a
//! reader acts on is the list of `+`/`-`; BH bounds the expected share of false calls in
//! that list at ALPHA, whereas Holm bounds the chance of even one false call, which over
//! hundreds of tests needs p ≤ ALPHA/m at the strongest point, out of reach of a handful of
//! trials. BH stays valid under positive dependence between the tests (Benjamini & Yekutieli
//! 2001), the kind points measured in one session on one machine share (common drift).
//!
//! Few trials: the exact test cannot go below 2 / C(n+m, n) (complete separation of n vs m
//! trials). With 2 trials a side p ≥ 1/3 and nothing is ever called; with 3 vs 3, p ≥ 0.1 =
//! ALPHA, so BH calls a difference only if *every* tested cell is completely separated. The
//! [`Comparison`]'s [`Power`] says what its trial counts allow, so the output can say so.
//!
//! # Matching
//! Inputs with the same CPU count match points on every parameter, the thread count
//! included. When the CPU counts differ (a run's CPUs being the ones it could use: its
//! `cores`), threads are matched relative to each input's CPUs ([`Threads`]): 1 thread with
//! 1, `cores` with `cores`, `2×cores` with `2×cores`; any other count matches only the same
//! count, and only where it lies on the same side of the CPU count in both inputs. So an
//! oversubscribed point (more threads than CPUs) is never matched with one that is not.

use super::aggregate::{Flag, points};
use crate::record::{PointKey, RunRecord};
use crate::stats::summarize;
use std::collections::HashMap;

/// The false-discovery rate of the calls (Benjamini–Hochberg level).
pub const ALPHA: f64 = 0.1;

/// One input of a comparison.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    /// A label (machine/run).
    pub label: String,
    /// Its rows.
    pub rows: &'a [RunRecord],
    /// CPUs the run could use (its `cores`; meta.json's allowed CPUs); `None`: the rows'
    /// `logical_cpus`.
    pub usable_cpus: Option<usize>,
    /// Timestamp source from meta.json, for rows that do not carry one.
    pub clock_source: Option<String>,
}

impl<'a> Input<'a> {
    /// An input known by its rows only.
    pub fn new(label: impl Into<String>, rows: &'a [RunRecord]) -> Self {
        Input {
            label: label.into(),
            rows,
            usable_cpus: None,
            clock_source: None,
        }
    }

    /// Its CPU count: what `cores` meant for it.
    fn cpus(&self) -> usize {
        self.usable_cpus
            .or_else(|| self.rows.first().map(|r| r.logical_cpus))
            .unwrap_or(0)
    }
}

/// The thread count of a matched point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Threads {
    /// This many threads in every input.
    Count(usize),
    /// As many threads as the input has CPUs (inputs with different CPU counts only).
    Cores,
    /// Twice as many threads as the input has CPUs (inputs with different CPU counts only).
    TwiceCores,
}

impl std::fmt::Display for Threads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Threads::Count(n) => write!(f, "{n}"),
            Threads::Cores => f.write_str("cores"),
            Threads::TwiceCores => f.write_str("2×cores"),
        }
    }
}

/// How one input's point relates to the reference's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// The reference itself.
    Reference,
    /// Higher, beyond noise.
    Higher,
    /// Lower, beyond noise.
    Lower,
    /// Tested, not called: ranges overlap or the corrected rank test is not significant.
    Noise,
    /// Not tested: the point is flagged here or in the reference, or has no value.
    NotTested,
}

impl Call {
    /// A one-character mark for tables (empty for the reference and untested cells).
    pub fn mark(self) -> &'static str {
        match self {
            Call::Reference | Call::NotTested => "",
            Call::Higher => "+",
            Call::Lower => "-",
            Call::Noise => "~",
        }
    }

    /// The lowercase name used in CSV output.
    pub fn as_str(self) -> &'static str {
        match self {
            Call::Reference => "reference",
            Call::Higher => "higher",
            Call::Lower => "lower",
            Call::Noise => "noise",
            Call::NotTested => "not-tested",
        }
    }
}

/// A point's value in one input.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Threads the input ran the point with.
    pub threads: usize,
    /// Median over the clean trials (over the degraded trials when none is clean); `None`
    /// when no trial has a value (all timed out).
    pub median: Option<f64>,
    /// Trials behind the median.
    pub n: usize,
    /// Why the point is flagged in this input, if it is.
    pub flag: Option<Flag>,
    /// Ratio of the median to the reference's; `None` where either has no (finite) value.
    pub ratio: Option<f64>,
    /// Two-sided exact Mann–Whitney p against the reference, for tested cells.
    pub p: Option<f64>,
    /// `p` adjusted by Benjamini–Hochberg over every tested cell (compared with [`ALPHA`]).
    pub q: Option<f64>,
    /// Verdict.
    pub call: Call,
    /// The point's cache layout in this input: the median core-to-core distance of its
    /// trials on it, ns; `None` where no distance was read.
    pub layout_ns: Option<f64>,
    /// The point's layout and the reference's are more than ×1.5 apart (the host had the
    /// vCPUs elsewhere in one run): never tested, since the ratio compares cache layouts.
    pub other_layout: bool,
}

/// One matched point.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The point as the reference ran it.
    pub key: PointKey,
    /// Its thread count as matched (relative to CPUs when the inputs' CPU counts differ).
    pub threads: Threads,
    /// Its family name.
    pub family: String,
    /// Per input; `None` where the input lacks the point.
    pub cells: Vec<Option<Cell>>,
}

impl Row {
    /// "primitive ×threads cs=…" for the row.
    pub fn describe(&self) -> String {
        describe(&self.key, self.threads)
    }
}

/// What one input is: the machine and build, how it was run, and how many of its points are
/// flagged.
#[derive(Debug, Clone, PartialEq)]
pub struct InputInfo {
    /// The input's label.
    pub label: String,
    /// CPU model (distinct values, `, `-joined, should rows of several machines be mixed).
    pub cpu_model: String,
    /// Online logical CPUs.
    pub logical_cpus: usize,
    /// CPUs the run could use (its `cores`), the count thread matching uses.
    pub cpus: usize,
    /// Kernel release.
    pub kernel: String,
    /// lockbench version.
    pub lockbench_version: String,
    /// Git commit of the build.
    pub git_sha: String,
    /// Timestamp source (`tsc`, `os-monotonic`); empty where not recorded.
    pub clock_source: String,
    /// Median one-way distance between the first two CPUs of its multi-CPU trials (every
    /// reading, before and after), ns; `None` where none was read.
    pub core_to_core_ns: Option<f64>,
    /// Trials per point, `min–max`.
    pub trials: String,
    /// Measured window per trial.
    pub window: String,
    /// Warm-up per trial.
    pub warmup: String,
    /// Latency sampling.
    pub sampling: String,
    /// Schema version(s) of the rows (schema 1 judged `stable` by the trials' range).
    pub schema: String,
    /// Points in the input.
    pub points: usize,
    /// Flagged points.
    pub flagged: usize,
    /// Flagged points without any clean trial.
    pub no_clean_trial: usize,
}

/// Mean ratio of one family in one input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mean {
    /// Geometric mean of the ratios to the reference.
    pub ratio: f64,
    /// Matched points it is taken over.
    pub points: usize,
    /// How many of them are flagged (in this input or in the reference).
    pub flagged: usize,
}

/// What the comparison's trial counts allow, whatever the data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Power {
    /// Cells tested: the Benjamini–Hochberg family.
    pub tests: usize,
    /// The smallest p any tested cell could reach (complete separation of its trials).
    pub best_p: Option<f64>,
    /// Calls the correction would allow if every tested cell were completely separated.
    pub best_case_calls: usize,
    /// Tested cells that must reach small p-values together before any is called:
    /// ⌈best_p × tests / ALPHA⌉ (BH calls the k smallest only when the k-th is ≤ k × ALPHA /
    /// tests).
    pub needed_together: usize,
    /// Clean trials a side (as many in each input) with which one difference on its own
    /// (p ≤ ALPHA / tests) could be called; `None` beyond 50.
    pub trials_for_lone_call: Option<usize>,
}

/// The comparison of several inputs on one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The margin a call needs: the trials' ranges apart by more than this fraction.
    pub delta: f64,
    /// Per input: what it is.
    pub inputs: Vec<InputInfo>,
    /// Threads were matched relative to CPUs (the inputs' CPU counts differ).
    pub relative_threads: bool,
    /// Points present in the reference and at least one other input.
    pub rows: Vec<Row>,
    /// Points missing from some inputs: a description and which inputs have it.
    pub unmatched: Vec<(String, Vec<bool>)>,
    /// Geometric mean of ratios to the reference, per family, per input, over all matched
    /// points (flagged ones included and counted).
    pub geomean: Vec<(String, Vec<Option<Mean>>)>,
    /// Differences called.
    pub calls: usize,
    /// What the trial counts allow.
    pub power: Power,
    /// Differences between the inputs that make a ratio mean less than it seems.
    pub warnings: Vec<String>,
}

impl Comparison {
    /// The inputs' labels.
    pub fn labels(&self) -> Vec<&str> {
        self.inputs.iter().map(|i| i.label.as_str()).collect()
    }
}

/// Why inputs cannot be compared.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CompareError {
    /// Fewer than two inputs.
    #[error("compare needs at least two inputs")]
    TooFew,
    /// Nothing in common.
    #[error("no point is present in {first} and any other input: nothing to compare")]
    NothingInCommon {
        /// The reference label.
        first: String,
    },
}

/// A point of one input, as matching and the cells need it.
struct Measured {
    key: PointKey,
    family: String,
    flag: Option<Flag>,
    values: Vec<f64>,
    /// The point's cache layout: the median distance of its trials on it
    /// ([`crate::rules::on_layout`]).
    layout_ns: Option<f64>,
}

/// What a point is matched on: everything but the trial, with the thread count as
/// [`Threads`] and which side of the CPU count it lies on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct MatchKey {
    rest: PointKey,
    threads: Threads,
    oversubscribed: bool,
}

fn match_key(key: &PointKey, cpus: usize, relative: bool) -> MatchKey {
    let t = key.setting.threads;
    let threads = if !relative || t == 1 {
        Threads::Count(t)
    } else if t == cpus {
        Threads::Cores
    } else if t == 2 * cpus {
        Threads::TwiceCores
    } else {
        Threads::Count(t)
    };
    let mut rest = key.clone();
    rest.setting.threads = 0;
    MatchKey {
        rest,
        threads,
        oversubscribed: t > cpus,
    }
}

/// Compares `inputs` on `metric`, the first input being the reference (ratios are plain:
/// higher is better is not assumed). A difference is called only when the clean trials'
/// ranges are apart by more than the margin `delta` ([`crate::rules::versus`]) and the exact
/// rank test stays significant after the correction across every tested cell.
pub fn compare(
    inputs: &[Input<'_>],
    metric: fn(&RunRecord) -> f64,
    delta: f64,
) -> Result<Comparison, CompareError> {
    if inputs.len() < 2 {
        return Err(CompareError::TooFew);
    }
    let cpus: Vec<usize> = inputs.iter().map(Input::cpus).collect();
    let relative = cpus.iter().any(|c| *c != cpus[0]);
    let (order, index) = index_inputs(inputs, &cpus, relative, metric);
    let mut rows: Vec<Row> = Vec::new();
    let mut unmatched = Vec::new();
    // Tested cells: (row, input, p, the call if the corrected test agrees).
    let mut tested: Vec<(usize, usize, f64, Call)> = Vec::new();
    let mut best_p: Vec<f64> = Vec::new();
    let mut best_cache: HashMap<(usize, usize), f64> = HashMap::new();
    for mk in order {
        let present: Vec<bool> = index.iter().map(|m| m.contains_key(&mk)).collect();
        if present.iter().any(|p| !p) {
            let key = &index.iter().find_map(|m| m.get(&mk)).expect("seen").key;
            let mut text = describe(key, mk.threads);
            if relative && mk.oversubscribed && matches!(mk.threads, Threads::Count(_)) {
                text.push_str(" (oversubscribed)");
            }
            unmatched.push((text, present.clone()));
        }
        let Some(reference) = index[0].get(&mk) else {
            continue;
        };
        if present[1..].iter().all(|p| !p) {
            continue;
        }
        let mut cells: Vec<Option<Cell>> = Vec::new();
        for (k, m) in index.iter().enumerate() {
            let Some(point) = m.get(&mk) else {
                cells.push(None);
                continue;
            };
            let (cell, test) = cell_of(k, point, reference, delta);
            if let Some((p_value, direction)) = test {
                tested.push((rows.len(), k, p_value, direction));
                let sizes = (reference.values.len(), point.values.len());
                best_p.push(
                    *best_cache
                        .entry(sizes)
                        .or_insert_with(|| separated_p(sizes.0, sizes.1)),
                );
            }
            cells.push(Some(cell));
        }
        rows.push(Row {
            key: reference.key.clone(),
            threads: mk.threads,
            // As the rows record it: runs of primitives this build does not know still compare.
            family: reference.family.clone(),
            cells,
        });
    }
    if rows.is_empty() {
        return Err(CompareError::NothingInCommon {
            first: inputs[0].label.clone(),
        });
    }
    let ps: Vec<f64> = tested.iter().map(|t| t.2).collect();
    let qs = benjamini_hochberg(&ps);
    let mut calls = 0;
    for ((row, k, _, direction), q) in tested.into_iter().zip(qs) {
        let cell = rows[row].cells[k].as_mut().expect("tested cells exist");
        cell.q = Some(q);
        if significant(q) && direction != Call::Noise {
            cell.call = direction;
            calls += 1;
        }
    }
    let power = power(&best_p);
    let infos: Vec<InputInfo> = inputs.iter().zip(&cpus).map(|(i, &c)| info(i, c)).collect();
    Ok(Comparison {
        delta,
        warnings: warnings(&infos, delta),
        geomean: geomeans(&rows, inputs.len()),
        inputs: infos,
        relative_threads: relative,
        rows,
        unmatched,
        calls,
        power,
    })
}

/// Every input's points by match key, and the keys in first-seen order.
fn index_inputs(
    inputs: &[Input<'_>],
    cpus: &[usize],
    relative: bool,
    metric: fn(&RunRecord) -> f64,
) -> (Vec<MatchKey>, Vec<HashMap<MatchKey, Measured>>) {
    let mut order: Vec<MatchKey> = Vec::new();
    let mut index: Vec<HashMap<MatchKey, Measured>> = Vec::new();
    for (input, &c) in inputs.iter().zip(cpus) {
        let mut m = HashMap::new();
        for p in points(input.rows) {
            let mut key = p.first().key();
            key.trial = 0;
            let mk = match_key(&key, c, relative);
            if !index.iter().any(|other| other.contains_key(&mk)) && !m.contains_key(&mk) {
                order.push(mk.clone());
            }
            m.insert(
                mk,
                Measured {
                    key,
                    family: p.first().family.as_str().to_string(),
                    flag: p.flag(),
                    values: p.measured_values(metric),
                    layout_ns: p.layout_ns(),
                },
            );
        }
        index.push(m);
    }

    (order, index)
}

/// One input's cell of a row against the reference's point; for a tested cell, its rank
/// test's p-value and the direction the margin allows (the call waits for the correction).
fn cell_of(
    k: usize,
    point: &Measured,
    reference: &Measured,
    delta: f64,
) -> (Cell, Option<(f64, Call)>) {
    let summary = summarize(&point.values);
    let ref_summary = summarize(&reference.values);
    let ratio = match (summary, ref_summary) {
        (Some(s), Some(r)) => Some(s.median / r.median).filter(|x| x.is_finite()),
        _ => None,
    };
    // Both read distances, at levels more than ×1.5 apart: the host had the vCPUs elsewhere
    // in one of the runs, so the ratio compares cache layouts.
    let other_layout = match (point.layout_ns, reference.layout_ns) {
        (Some(a), Some(b)) => a.max(b) > a.min(b) * crate::rules::LAYOUT_FACTOR,
        _ => false,
    };
    let testable = k > 0 && !other_layout && point.flag.is_none() && reference.flag.is_none();
    let mut call = if k == 0 {
        Call::Reference
    } else {
        Call::NotTested
    };
    let mut p = None;
    let mut test = None;
    if let (true, Some(s), Some(r)) = (testable, summary, ref_summary) {
        let p_value = mann_whitney_p(&reference.values, &point.values);
        // The margin of `rules::versus`; layouts were checked above (`other_layout`), and few
        // trials are the rank test's to weigh.
        let direction = if s.min > r.max * (1.0 + delta) {
            Call::Higher
        } else if r.min > s.max * (1.0 + delta) {
            Call::Lower
        } else {
            Call::Noise
        };
        test = Some((p_value, direction));
        p = Some(p_value);
        call = Call::Noise;
    }
    let cell = Cell {
        threads: point.key.setting.threads,
        median: summary.map(|s| s.median),
        n: point.values.len(),
        flag: point.flag,
        ratio,
        p,
        q: None,
        call,
        layout_ns: point.layout_ns,
        other_layout,
    };
    (cell, test)
}

/// Benjamini–Hochberg adjusted p-values ("q-values"), in the order of `p`: for the i-th
/// smallest of m, min over j ≥ i of p₍ⱼ₎ × m / j, capped at 1. Calling every q ≤ α is the
/// BH step-up procedure at false-discovery rate α.
pub(crate) fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut q = vec![1.0; m];
    let mut running = 1.0_f64;
    for (rank, &i) in order.iter().enumerate().rev() {
        running = running.min(p[i] * m as f64 / (rank + 1) as f64);
        q[i] = running.min(1.0);
    }
    q
}

/// q ≤ [`ALPHA`], allowing for rounding (3 vs 3 separated trials have p = 0.1 exactly).
pub(crate) fn significant(q: f64) -> bool {
    q <= ALPHA * (1.0 + 1e-9)
}

/// The exact test's p for `n` vs `m` completely separated trials: the smallest it can give.
pub(crate) fn separated_p(n: usize, m: usize) -> f64 {
    let a: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let b: Vec<f64> = (n..n + m).map(|i| i as f64).collect();
    mann_whitney_p(&a, &b)
}

/// What tests with these best-case p-values can ever call.
fn power(best_p: &[f64]) -> Power {
    let tests = best_p.len();
    let min = best_p.iter().copied().reduce(f64::min);
    let best_case_calls = benjamini_hochberg(best_p)
        .iter()
        .filter(|q| significant(**q))
        .count();
    let needed_together = min.map_or(0, |p| {
        ((p * tests as f64 / ALPHA) - 1e-9).ceil().max(1.0) as usize
    });
    let lone = ALPHA / tests.max(1) as f64;
    let trials_for_lone_call = (2..=50).find(|&n| separated_p(n, n) <= lone * (1.0 + 1e-9));
    Power {
        tests,
        best_p: min,
        best_case_calls,
        needed_together,
        trials_for_lone_call,
    }
}

fn geomeans(rows: &[Row], n: usize) -> Vec<(String, Vec<Option<Mean>>)> {
    let mut families: Vec<String> = Vec::new();
    for r in rows {
        if !families.contains(&r.family) {
            families.push(r.family.clone());
        }
    }
    families
        .into_iter()
        .map(|f| {
            let per_input = (0..n)
                .map(|k| {
                    let mut logs = Vec::new();
                    let mut flagged = 0;
                    for r in rows.iter().filter(|r| r.family == f) {
                        let Some(cell) = &r.cells[k] else { continue };
                        let Some(ratio) = cell.ratio.filter(|x| *x > 0.0) else {
                            continue;
                        };
                        logs.push(ratio.ln());
                        let ref_flagged = r.cells[0].as_ref().is_some_and(|c| c.flag.is_some());
                        if cell.flag.is_some() || ref_flagged {
                            flagged += 1;
                        }
                    }
                    (!logs.is_empty()).then(|| Mean {
                        ratio: (logs.iter().sum::<f64>() / logs.len() as f64).exp(),
                        points: logs.len(),
                        flagged,
                    })
                })
                .collect();
            (f, per_input)
        })
        .collect()
}

fn info(input: &Input<'_>, cpus: usize) -> InputInfo {
    let rows = input.rows;
    let text = |f: fn(&RunRecord) -> String| distinct(rows.iter().map(f));
    let pts = points(rows);
    let per_point: Vec<usize> = pts.iter().map(|p| p.trials.len()).collect();
    let trials = match (per_point.iter().min(), per_point.iter().max()) {
        (Some(a), Some(b)) if a == b => a.to_string(),
        (Some(a), Some(b)) => format!("{a}–{b}"),
        _ => String::new(),
    };
    let recorded_clock = distinct(
        rows.iter()
            .map(|r| r.clock_source.clone())
            .filter(|s| !s.is_empty()),
    );
    InputInfo {
        label: input.label.clone(),
        cpu_model: text(|r| r.cpu_model.clone()),
        logical_cpus: rows.first().map_or(0, |r| r.logical_cpus),
        cpus,
        kernel: text(|r| r.kernel.clone()),
        lockbench_version: text(|r| r.lockbench_version.clone()),
        git_sha: text(|r| r.git_sha.clone()),
        clock_source: if recorded_clock.is_empty() {
            input.clock_source.clone().unwrap_or_default()
        } else {
            recorded_clock
        },
        core_to_core_ns: summarize(
            &rows
                .iter()
                .flat_map(|r| [r.core_to_core_before_ns, r.core_to_core_ns])
                .flatten()
                .collect::<Vec<f64>>(),
        )
        .map(|s| s.median),
        trials,
        window: text(|r| format!("{} ms", r.duration_ms)),
        warmup: text(|r| format!("{} ms", r.warmup_ms)),
        schema: text(|r| r.schema_version.to_string()),
        sampling: text(|r| match r.sample_every {
            0 => "none".to_string(),
            1 => "every op".to_string(),
            n => format!("1 op in {n}"),
        }),
        points: pts.len(),
        flagged: pts.iter().filter(|p| p.flagged()).count(),
        no_clean_trial: pts
            .iter()
            .filter(|p| p.flag() == Some(Flag::NoCleanTrial))
            .count(),
    }
}

/// Differences in what the inputs are or how they were run that make a ratio mean less.
fn warnings(infos: &[InputInfo], delta: f64) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |what: &str, note: &str, f: &dyn Fn(&InputInfo) -> String| {
        let vals: Vec<String> = infos.iter().map(f).collect();
        // An unrecorded value is not known to differ.
        let known: Vec<&String> = vals.iter().filter(|v| !v.is_empty()).collect();
        if known.iter().any(|v| *v != known[0]) {
            let list: Vec<String> = infos
                .iter()
                .zip(&vals)
                .map(|(i, v)| {
                    let v = if v.is_empty() { "not recorded" } else { v };
                    format!("{}: {v}", i.label)
                })
                .collect();
            out.push(format!(
                "inputs differ in {what} ({}){note}",
                list.join("; ")
            ));
        }
    };
    check(
        "CPU model",
        &format!(
            ": the ratios compare the machines, not only the primitives; and with one run a \
             side, a call may be the sitting rather than the machine (one machine's sittings \
             differ by up to {:.0}% at the 90th percentile of points): take several sittings a \
             machine (scripts/sittings.sh) and compare them all at once, so each machine's \
             spread shows beside the difference",
            delta * 100.0
        ),
        &|i| i.cpu_model.clone(),
    );
    check(
        "CPU count",
        ": threads are matched relative to each input's CPUs (1, cores, 2×cores; any other \
         count only with the same count on the same side of the CPU count)",
        &|i| i.cpus.to_string(),
    );
    check("measured window per trial", "", &|i| i.window.clone());
    check("warm-up per trial", "", &|i| i.warmup.clone());
    check("latency sampling", "", &|i| i.sampling.clone());
    check("trials per point", "", &|i| i.trials.clone());
    check("clock source", "", &|i| i.clock_source.clone());
    check(
        "schema version",
        ": schema 1 flagged a point by its trials' range, schemas 2 and 3 by the median's \
         confidence interval, schema 4 by its planned clean trials, so the inputs' flags are \
         not judged alike",
        &|i| i.schema.clone(),
    );
    check("lockbench version", "", &|i| i.lockbench_version.clone());
    check("git commit", "", &|i| i.git_sha.clone());
    // Distances are measured, so they always differ a little: only another level counts.
    let c2c: Vec<(&str, f64)> = infos
        .iter()
        .filter_map(|i| i.core_to_core_ns.map(|ns| (i.label.as_str(), ns)))
        .collect();
    let (lo, hi) = c2c
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), (_, ns)| {
            (lo.min(*ns), hi.max(*ns))
        });
    if c2c.len() > 1 && hi > lo * crate::rules::LAYOUT_FACTOR {
        let list: Vec<String> = c2c
            .iter()
            .map(|(label, ns)| format!("{label}: {}", crate::units::fmt_ns(*ns)))
            .collect();
        out.push(format!(
            "inputs ran with their CPUs different cache distances apart (median core-to-core {}): \
             contended points compare cache layouts too",
            list.join("; ")
        ));
    }
    out
}

fn distinct(values: impl Iterator<Item = String>) -> String {
    let mut v: Vec<String> = values.collect();
    v.sort();
    v.dedup();
    v.join(", ")
}

/// "primitive ×threads cs=…" for a point, its thread count shown as matched.
pub fn describe(k: &PointKey, threads: Threads) -> String {
    let mut s = format!(
        "{} ×{threads} {}",
        k.primitive,
        k.setting.tags(&[crate::record::Axis::Threads])
    );
    if k.layout != crate::record::Layout::Separate.as_str() {
        s.push_str(&format!(" layout={}", k.layout));
    }
    s
}

/// Exact two-sided Mann–Whitney p-value of samples `a` and `b` (ties get mid-ranks): the
/// share of all ways to split the pooled ranks into groups of |a| and |b| whose rank-sum
/// statistic is at least as far from its mean as the observed one. Falls back to the normal
/// approximation beyond 20 000 splits. 1 for an empty side.
pub(crate) fn mann_whitney_p(a: &[f64], b: &[f64]) -> f64 {
    let (n, m) = (a.len(), b.len());
    if n == 0 || m == 0 {
        return 1.0;
    }
    let mut pooled: Vec<(f64, bool)> = a
        .iter()
        .map(|&x| (x, true))
        .chain(b.iter().map(|&x| (x, false)))
        .collect();
    pooled.sort_by(|x, y| x.0.total_cmp(&y.0));
    let mut ranks = vec![0.0; pooled.len()];
    let mut i = 0;
    while i < pooled.len() {
        let mut j = i;
        while j + 1 < pooled.len() && pooled[j + 1].0 == pooled[i].0 {
            j += 1;
        }
        let mid = (i + j) as f64 / 2.0 + 1.0;
        for r in ranks.iter_mut().take(j + 1).skip(i) {
            *r = mid;
        }
        i = j + 1;
    }
    let observed: f64 = pooled
        .iter()
        .zip(&ranks)
        .filter(|(p, _)| p.1)
        .map(|(_, r)| r)
        .sum();
    let mean = n as f64 * (n + m + 1) as f64 / 2.0;
    let dev = (observed - mean).abs();
    let total = crate::stats::binomial(n + m, n);
    if total <= 20_000.0 {
        let mut extreme = 0u64;
        let mut count = 0u64;
        combinations(&ranks, n, &mut |sum| {
            count += 1;
            if (sum - mean).abs() >= dev - 1e-9 {
                extreme += 1;
            }
        });
        extreme as f64 / count as f64
    } else {
        let var = n as f64 * m as f64 * (n + m + 1) as f64 / 12.0;
        let z = (dev - 0.5).max(0.0) / var.sqrt();
        (2.0 * normal_tail(z)).min(1.0)
    }
}

/// Calls `f` with the sum of every `k`-subset of `values`.
fn combinations(values: &[f64], k: usize, f: &mut impl FnMut(f64)) {
    fn go(values: &[f64], k: usize, start: usize, sum: f64, f: &mut impl FnMut(f64)) {
        if k == 0 {
            f(sum);
            return;
        }
        for i in start..=values.len() - k {
            go(values, k - 1, i + 1, sum + values[i], f);
        }
    }
    go(values, k, 0, 0.0, f);
}

/// Upper tail of the standard normal (Abramowitz–Stegun 7.1.26 via erfc).
fn normal_tail(z: f64) -> f64 {
    let x = z / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    0.5 * poly * (-x * x).exp()
}

#[cfg(test)]
mod tests;
