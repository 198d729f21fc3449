//! Everything above the harness, end to end, without measuring: a fake primitive whose trials
//! return fixed synthetic rows goes through the sweep (plan, run-until-stable bookkeeping,
//! CSV and histogram sink), is read back as a run, aggregated, charted, rendered, written as
//! an HTML report, and compared with a second fake machine. Deterministic and instant.

use hdrhistogram::Histogram;
use lockbench::analysis::aggregate::points;
use lockbench::analysis::compare::{Input, compare};
use lockbench::harness::sentinel::{Reading, Sentinel};
use lockbench::harness::{Env, HarnessError, Point, TrialOutput};
use lockbench::primitives::about::{About, Family, Kind};
use lockbench::record::{RunRecord, SCHEMA_VERSION};
use lockbench::registry::Primitive;
use lockbench::rundir::csv::RunSink;
use lockbench::rundir::meta::{Meta, read_meta, write_meta};
use lockbench::rundir::run::load_run;
use lockbench::sweep::{Outlook, Planned, Preset, Progress, SweepSpec, run_sweep};
use std::path::Path;
use std::time::Duration;

const FAKE: &str = "fake-lock";

/// The fake's throughput: 100 M ops/s at cs = 0, falling as 1 / (10 ns + cs), times the
/// thread count up to 2; trial `t` is off by `t`% so medians and spreads are known.
fn synthetic_throughput(threads: usize, cs_ns: u64, trial: u32) -> f64 {
    1e9 / (10.0 + cs_ns as f64) * threads.min(2) as f64 * (1.0 + f64::from(trial) / 100.0)
}

/// Host B is exactly twice as fast (see [`fake_b`]).
fn fake(_env: &Env, point: &Point, trial: u32) -> Result<TrialOutput, HarnessError> {
    Ok(synthetic(point, trial, "host-a", 1.0))
}

fn fake_b(_env: &Env, point: &Point, trial: u32) -> Result<TrialOutput, HarnessError> {
    Ok(synthetic(point, trial, "host-b", 2.0))
}

fn synthetic(point: &Point, trial: u32, host: &str, speed: f64) -> TrialOutput {
    let throughput =
        synthetic_throughput(point.setting.threads, point.setting.cs_ns, trial) * speed;
    let mut wait = Histogram::<u64>::new(3).unwrap();
    let mut hold = Histogram::<u64>::new(3).unwrap();
    for i in 1..=100u64 {
        wait.record(10 * i).unwrap();
        hold.record(point.setting.cs_ns.max(1)).unwrap();
    }
    let record = RunRecord {
        checked: true,
        schema_version: SCHEMA_VERSION,
        host_id: host.into(),
        cpu_model: format!("Fake CPU {host}"),
        logical_cpus: 2,
        physical_cores: 2,
        primitive: point.primitive.clone(),
        family: Family::Spin,
        threads: point.setting.threads,
        cs_ns: point.setting.cs_ns,
        think_ns: point.setting.think_ns,
        placement: point.setting.placement,
        trial,
        elapsed_s: 0.1,
        throughput_ops_s: throughput,
        ops: (throughput * 0.1) as u64,
        ops_per_cpu_s: throughput / point.setting.threads as f64,
        cpu_s: 0.1 * point.setting.threads as f64,
        wait_p50_ns: 500.0,
        wait_p99_ns: Some(990.0),
        hold_p50_ns: point.setting.cs_ns as f64,
        jain_index: 1.0,
        min_share: 1.0,
        stable: true,
        clean_trials: trial + 1,
        ..RunRecord::default()
    };
    TrialOutput {
        record,
        handoff: wait.clone(),
        wait,
        hold,
        per_thread_ops: vec![1000; point.setting.threads],
    }
}

struct Quiet;
impl Progress for Quiet {
    fn start(&mut self, _: &Outlook) {}
    fn extend(&mut self, _: usize) {}
    fn done(&mut self, _: &Planned, _: Duration, _: &TrialOutput) {}
    fn finish(&mut self) {}
}

/// Never read: the spec turns the sentinel off.
struct NoSentinel;
impl Sentinel for NoSentinel {
    fn read(&mut self, _: &[usize]) -> Reading {
        unreachable!("the sentinel is off in these sweeps")
    }
}

fn spec() -> SweepSpec {
    SweepSpec {
        locks: vec![FAKE.into()],
        threads: vec![1, 2],
        cs_ns: vec![0, 100, 1000],
        trials: 3,
        max_trials: 3,
        sentinel: false,
        ..Preset::Quick.spec(2)
    }
}

/// Sweeps the fake (run by `runner`) into `dir` with a meta.json, as `lockbench sweep` does.
fn sweep(dir: &Path, runner: lockbench::registry::Runner) {
    let about = About::new(FAKE, Family::Spin, "synthetic rows, no measuring");
    let fake = Primitive::custom(about, Kind::Exclusive, runner);
    let spec = spec();
    let env = Env::uncalibrated();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/runs/small");
    let meta = Meta {
        spec: Some(spec.clone()),
        rows: spec.len() as u64,
        complete: true,
        probes: None,
        ..read_meta(&fixture).unwrap()
    };
    write_meta(dir, &meta).unwrap();
    let mut sink = RunSink::create(dir, "test-run").unwrap();
    let outcome = run_sweep(
        &env,
        &spec,
        &|name| (name == FAKE).then_some(fake),
        &[],
        &|| false,
        &mut NoSentinel,
        &mut Quiet,
        &mut |out| sink.write(out).map(drop).map_err(Into::into),
    )
    .unwrap();
    assert_eq!(outcome.written, spec.len());
    assert!(!outcome.interrupted);
}

#[test]
fn sweep_to_report_to_compare_on_a_fake_primitive() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    sweep(a.path(), fake);
    sweep(b.path(), fake_b);

    // Read back: every planned trial, the synthetic figures exactly.
    let run = load_run(a.path()).unwrap();
    assert_eq!(run.rows.len(), 2 * 3 * 3);
    assert_eq!(run.histograms.len(), run.rows.len());
    for r in &run.rows {
        assert_eq!(
            r.throughput_ops_s,
            synthetic_throughput(r.threads, r.cs_ns, r.trial)
        );
    }

    // Aggregated: one point per (threads, cs), its median the middle trial's (trial 1).
    let pts = points(&run.rows);
    assert_eq!(pts.len(), 6);
    for p in &pts {
        let r = p.first();
        let median = p.summary(|r| r.throughput_ops_s).unwrap().median;
        assert_eq!(median, synthetic_throughput(r.threads, r.cs_ns, 1));
        assert!(!p.flagged());
    }

    // Charted and rendered: the throughput-vs-threads and cs charts exist and draw.
    let plan = lockbench::plot::figures_of_run(&run).unwrap();
    assert!(
        plan.figures.len() >= 2,
        "figures: {:?}, skipped: {:?}",
        plan.figures.iter().map(|f| &f.name).collect::<Vec<_>>(),
        plan.skipped
    );
    let svgs: Vec<(String, String)> = plan
        .figures
        .iter()
        .map(|f| {
            let svg = lockbench::plot::render_svg_string(f).unwrap();
            assert!(svg.contains("<svg"), "{}", f.name);
            (f.title.clone(), svg)
        })
        .collect();

    // Reported: the page names the primitive and inlines every chart.
    let html = lockbench::report::html::render(&lockbench::report::html::Page {
        title: "pipeline".into(),
        rows: &run.rows,
        meta: run.meta.as_ref(),
        verdict: None,
        breakeven_chart: None,
        claims: None,
        lead_charts: Vec::new(),
        charts: svgs,
        skipped: &plan.skipped,
    });
    assert!(html.contains(FAKE));
    assert_eq!(html.matches("<svg").count(), plan.figures.len());

    // Compared: host B is twice host A at every point, with 3 trials against 3.
    let run_b = load_run(b.path()).unwrap();
    let cmp = compare(
        &[Input::new("a", &run.rows), Input::new("b", &run_b.rows)],
        |r| r.throughput_ops_s,
        lockbench::rules::DELTA,
    )
    .unwrap();
    assert_eq!(cmp.rows.len(), 6);
    for row in &cmp.rows {
        let cell = row.cells[1].as_ref().expect("b has every point");
        let ratio = cell.ratio.unwrap();
        assert!((ratio - 2.0).abs() < 1e-9, "ratio {ratio}");
        assert_eq!(cell.n, 3);
    }
}
