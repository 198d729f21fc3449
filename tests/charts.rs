//! `plot`, `report` and `compare` on fixture runs written by the tool itself
//! (tests/fixtures/runs: a small sweep and a small break-even run from this development VM).

use lockbench::analysis::compare::{Call, Input, compare};
use lockbench::plot::figures_of_run as figures;
use lockbench::plot::{Figure, Format, Scale, Style};
use lockbench::record::RunRecord;
use lockbench::rundir::run::load_run;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SMALL: &str = "tests/fixtures/runs/small";
const BREAKEVEN: &str = "tests/fixtures/runs/small-breakeven";

fn lockbench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lockbench"))
        .args(args)
        .output()
        .unwrap()
}

/// Each case exits with code 2 and a one-line `error: ` naming the problem.
fn assert_usage_errors(cases: &[(&[&str], &str)]) {
    for (args, needle) in cases {
        let o = lockbench(args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        let first = err.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("error: ") && first.contains(needle),
            "{first}"
        );
    }
}

fn fig<'a>(figs: &'a [Figure], name: &str) -> &'a Figure {
    figs.iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no figure {name}"))
}

/// Width and height from a PNG's IHDR chunk, after checking the signature.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

/// Every chart kind the issue names is built from the fixtures, rendered as PNG and SVG, and
/// each file is a valid image of a sensible size.
#[test]
fn every_chart_kind_renders_as_png_and_svg() {
    let small = load_run(Path::new(SMALL)).unwrap();
    let mut plan = figures(&small).unwrap();
    let be = figures(&load_run(Path::new(BREAKEVEN)).unwrap()).unwrap();
    plan.figures.push(fig(&be.figures, "breakeven").clone());
    let expected = [
        "throughput-vs-threads-spin",
        "throughput-vs-threads-rwlock",
        "throughput-vs-cs-mutex",
        "latency-vs-threads-spin",
        "cpu-vs-threads-mutex",
        "fairness-vs-threads-spin",
        "latency-distribution",
        "per-thread-share",
        "rwlock-vs-read-ratio",
        "striping-vs-stripes",
        "winner-heatmap",
        "breakeven",
    ];
    for name in expected {
        fig(&plan.figures, name);
    }
    let tmp = tempfile::tempdir().unwrap();
    for format in [Format::Png, Format::Svg] {
        let paths: Vec<_> = plan
            .figures
            .iter()
            .map(|f| lockbench::plot::render(f, tmp.path(), format).unwrap())
            .collect();
        assert_eq!(paths.len(), plan.figures.len());
        for (f, p) in plan.figures.iter().zip(&paths) {
            let bytes = std::fs::read(p).unwrap();
            match format {
                Format::Png => {
                    let (w, h) = png_size(&bytes);
                    assert!(w >= 800 && h >= 500, "{}: {w}x{h}", f.name);
                    // A blank 800x500 PNG compresses to a few KB; text and lines do not.
                    assert!(bytes.len() > 15_000, "{}: {} bytes", f.name, bytes.len());
                }
                Format::Svg => {
                    let text = String::from_utf8(bytes).unwrap();
                    assert!(text.contains("<svg") && text.trim_end().ends_with("</svg>"));
                    assert!(text.contains(&f.title), "{}: title missing", f.name);
                    assert!(
                        text.contains("Intel") || text.contains("CPUs"),
                        "host missing"
                    );
                }
            }
        }
    }
    // Duration axes carry µ; the font must have it (SVG text is the figure's text).
    let svg = std::fs::read_to_string(tmp.path().join("breakeven.svg")).unwrap();
    assert!(svg.contains("µs"), "no µs tick label");
}

/// The break-even figure pairs each curves panel with a spin ÷ sleep panel: log x, linear y,
/// a dashed line at 1, spin's median over each sleeper's with the interval the trial ranges
/// allow; both are drawn, and the wake-up reference is its probe's p10–p90.
#[test]
fn breakeven_figure_has_a_ratio_panel_beside_each_curves_panel() {
    let run = load_run(Path::new(BREAKEVEN)).unwrap();
    let plan = figures(&run).unwrap();
    let be = fig(&plan.figures, "breakeven");
    assert_eq!(
        be.panels.len(),
        8,
        "2 thread counts × 1 think time × 2 metrics × (curves, ratio)"
    );
    for pair in be.panels.chunks(2) {
        let (curves, ratio) = (&pair[0], &pair[1]);
        assert_eq!((curves.x.scale, curves.y.scale), (Scale::Log, Scale::Log));
        assert_eq!((ratio.x.scale, ratio.y.scale), (Scale::Log, Scale::Linear));
        assert!(ratio.title.starts_with("spin ÷ sleep"), "{}", ratio.title);
        let one = &ratio.series[0];
        assert_eq!(one.style, Style::Dashed);
        assert!(one.points.len() == 2 && one.points.iter().all(|p| p.1 == 1.0));
        let spin = &curves.series[0];
        assert_eq!(ratio.series.len(), curves.series.len());
        for (s, sleep) in ratio.series[1..].iter().zip(&curves.series[1..]) {
            assert_eq!(s.name, format!("÷ {}", sleep.name));
            assert_eq!(s.points.len(), 3, "{}: every length", s.name);
            for &(x, r) in &s.points {
                let at =
                    |c: &lockbench::plot::Series| c.points.iter().find(|p| p.0 == x).unwrap().1;
                assert!((r - at(spin) / at(sleep)).abs() <= 1e-9 * r, "{x}");
            }
            for (p, b) in s.points.iter().zip(&s.band) {
                assert!(b.1 <= p.1 && p.1 <= b.2, "ratio inside its interval");
            }
        }
        let wake = curves
            .markers
            .iter()
            .find(|m| m.label.starts_with("wake-up"))
            .unwrap();
        let (lo, hi) = wake.band.unwrap();
        assert!(wake.dashed && lo < wake.x && wake.x < hi, "{wake:?}");
        assert_eq!(ratio.markers, curves.markers);
    }
    let tmp = tempfile::tempdir().unwrap();
    let svg = lockbench::plot::render(be, tmp.path(), Format::Svg).unwrap();
    let svg = std::fs::read_to_string(svg).unwrap();
    assert!(
        svg.contains("spin ÷ sleep, throughput") && svg.contains("÷ futex-mutex"),
        "ratio panel not drawn"
    );
}

/// What the charts say, checked on the data rather than the pixels.
#[test]
fn chart_content_follows_the_data() {
    let run = load_run(Path::new(SMALL)).unwrap();
    let plan = figures(&run).unwrap();
    let spin = fig(&plan.figures, "throughput-vs-threads-spin");
    let panel = &spin.panels[0];
    let names: Vec<&str> = panel.series.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["spin-ttas", "spin-ticket"]);
    for s in &panel.series {
        let xs: Vec<f64> = s.points.iter().map(|p| p.0).collect();
        assert_eq!(xs, [1.0, 4.0], "{}", s.name);
        for (p, b) in s.points.iter().zip(&s.band) {
            assert!(b.1 <= p.1 && p.1 <= b.2, "median inside its band");
        }
    }
    assert_eq!(panel.markers[0].x, 2.0, "the 2-CPU line");
    assert!(spin.subtitle.contains("CPUs"));
    // One panel per critical-section length, at most four.
    assert_eq!(spin.panels.len(), 3);

    let share = fig(&plan.figures, "per-thread-share");
    for p in &share.panels {
        let total: f64 = p.series[0].points.iter().map(|x| x.1).sum();
        assert!(
            (total - 1.0).abs() < 1e-9,
            "{}: shares sum to {total}",
            p.title
        );
    }
    let heat = fig(&plan.figures, "winner-heatmap").panels[0]
        .heatmap
        .as_ref()
        .unwrap();
    assert_eq!(heat.cells.len(), 2, "1 and 4 threads");
    assert!(
        heat.cells
            .iter()
            .all(|r| r.len() == 3 && r.iter().all(Option::is_some))
    );

    // An Intel quick sweep (schema 2) has one critical-section length and one read ratio.
    let quick = load_run(Path::new("tests/fixtures/runs/intel-quick")).unwrap();
    let plan = figures(&quick).unwrap();
    for name in [
        "throughput-vs-cs",
        "rwlock-vs-read-ratio",
        "winner-heatmap",
        "breakeven",
    ] {
        assert!(
            plan.skipped.iter().any(|s| s.starts_with(name)),
            "{name} should be skipped: {:?}",
            plan.skipped
        );
    }
}

#[test]
fn plot_command_writes_files_and_notes_skips() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("charts");
    let o = lockbench(&[
        "plot",
        "tests/fixtures/runs/intel-quick/runs.csv",
        "--out",
        out.to_str().unwrap(),
        "--format",
        "svg",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("skipped throughput-vs-cs"), "{err}");
    assert!(out.join("throughput-vs-threads-spin.svg").exists());
    assert!(out.join("latency-distribution.svg").exists());
}

/// A suite run's report (sweep/, breakeven/ and claims/ side by side, as
/// `scripts/run-suite.sh` writes them) leads with what was found: the break-even verdict and
/// chart, the winners, the claims table; the run's metadata and data quality come after.
#[test]
fn a_suite_report_leads_with_the_break_even_and_the_claims() {
    let tmp = tempfile::tempdir().unwrap();
    let suite = tmp.path().join("suite");
    let copy = |from: &Path, to: &str, files: &[&str]| {
        let dir = suite.join(to);
        std::fs::create_dir_all(&dir).unwrap();
        for f in files {
            std::fs::copy(from.join(f), dir.join(f)).unwrap();
        }
    };
    let run = ["runs.csv", "histograms.csv", "meta.json"];
    copy(Path::new(SMALL), "sweep", &run);
    let mut breakeven = run.to_vec();
    breakeven.extend(["breakeven.csv", "verdict.txt"]);
    copy(Path::new(BREAKEVEN), "breakeven", &breakeven);
    copy(
        Path::new("tests/fixtures/claims"),
        "claims",
        &["claims.csv"],
    );
    let o = lockbench(&["report", suite.join("sweep").to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(suite.join("sweep/report.html")).unwrap();
    let at = |needle: &str| {
        html.find(needle)
            .unwrap_or_else(|| panic!("report lacks {needle:?}"))
    };
    let verdict = std::fs::read_to_string(Path::new(BREAKEVEN).join("verdict.txt")).unwrap();
    let first_line = verdict.lines().next().unwrap();
    // The findings, in order, before the run's metadata and data quality.
    let order = [
        at("id=\"breakeven\""),
        at(&lockbench::report::html::esc(first_line)),
        at("Break-even: spinning vs sleeping"),
        at("id=\"claims\""),
        at("what this machine shows"),
        at("Unsynchronized increments lose updates"),
        at("id=\"best\""),
        at("id=\"charts\""),
        at("id=\"run\""),
        at("id=\"quality\""),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    // Every claim of the claims run is a row of the claims table, and the source is named.
    let section = &html[at("id=\"claims\"")..at("id=\"best\"")];
    let claims =
        lockbench::report::claims::read_csv(Path::new("tests/fixtures/claims/claims.csv")).unwrap();
    assert_eq!(section.matches("<tr><td>").count(), claims.len());
    for c in &claims {
        let row = format!(
            "<tr><td>{}</td><td>{}</td>",
            c.id,
            lockbench::report::html::esc(&c.claim)
        );
        assert!(section.contains(&row), "no row for claim {}", c.id);
    }
    assert!(section.contains("claims.csv"), "the source is named");

    // The break-even run's own page shows its chart once, at the top with its verdict, not
    // again among the charts.
    let o = lockbench(&["report", suite.join("breakeven").to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let own = std::fs::read_to_string(suite.join("breakeven/report.html")).unwrap();
    let title = "Spin vs sleep: where is the break-even?";
    assert_eq!(own.matches(title).count(), 1);
    assert!(
        own.find(title).unwrap() < own.find("id=\"claims\"").unwrap(),
        "the chart leads"
    );

    // A run with no claims run beside it says how to get one.
    std::fs::remove_dir_all(suite.join("claims")).unwrap();
    let o = lockbench(&["report", suite.join("sweep").to_str().unwrap()]);
    assert!(o.status.success());
    let html = std::fs::read_to_string(suite.join("sweep/report.html")).unwrap();
    assert!(html.contains("No claims run found next to this one"));
}

fn chromium() -> Option<PathBuf> {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

/// The report is one self-contained file (no scripts, nothing fetched) with every chart and
/// the key tables; where Chromium is installed, it renders headless to a non-trivial picture.
#[test]
fn report_is_self_contained_and_renders() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    std::fs::create_dir(&dir).unwrap();
    for f in ["runs.csv", "histograms.csv", "meta.json"] {
        std::fs::copy(Path::new(SMALL).join(f), dir.join(f)).unwrap();
    }
    let o = lockbench(&["report", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    for needle in [
        "Best primitive per regime",
        "Uncontended cost",
        "Host probes",
        "Data quality",
        "spin throughput vs threads",
        "Wait-time distribution",
        "<svg",
    ] {
        assert!(html.contains(needle), "report lacks {needle:?}");
    }
    for external in ["<script", "src=\"http", "href=\"http", "<link", "<img"] {
        assert!(
            !html.contains(external),
            "report refers outside itself: {external}"
        );
    }
    let Some(browser) = chromium() else {
        eprintln!("skipping the screenshot: no Chromium (apt-get install chromium)");
        return;
    };
    let shot = tmp.path().join("shot.png");
    let profile = tmp.path().join("profile");
    let o = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1400,2400",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", dir.join("report.html").display()))
        .output()
        .unwrap();
    assert!(shot.exists(), "{}", String::from_utf8_lossy(&o.stderr));
    let bytes = std::fs::read(&shot).unwrap();
    assert_eq!(png_size(&bytes), (1400, 2400));
    assert!(
        bytes.len() > 100_000,
        "screenshot looks blank: {} bytes",
        bytes.len()
    );
}

/// Host B is host A's fixture with every throughput doubled, a few points removed and a new
/// one added (synthetic, derived from a real tool-written file).
fn two_hosts() -> (Vec<RunRecord>, Vec<RunRecord>) {
    let a = load_run(Path::new(SMALL)).unwrap().rows;
    let mut b: Vec<RunRecord> = a
        .iter()
        .filter(|r| !(r.primitive == "dashmap" && r.threads == 4))
        .cloned()
        .map(|mut r| {
            r.host_id = "hostb".into();
            r.throughput_ops_s *= 2.0;
            r
        })
        .collect();
    let mut extra = b[0].clone();
    extra.threads = 64;
    b.push(extra);
    (a, b)
}

fn write_csv(rows: &[RunRecord], path: &Path) {
    let mut w = csv::Writer::from_path(path).unwrap();
    for r in rows {
        w.serialize(r).unwrap();
    }
    w.flush().unwrap();
}

#[test]
fn compare_two_hosts_ratios_and_unmatched_points() {
    let (a, b) = two_hosts();
    let c = compare(
        &[Input::new("a", &a), Input::new("b", &b)],
        |r| r.throughput_ops_s,
        lockbench::rules::DELTA,
    )
    .unwrap();
    assert!(!c.rows.is_empty());
    for r in &c.rows {
        let cell = r.cells[1].as_ref().unwrap();
        assert!((cell.ratio.unwrap() - 2.0).abs() < 1e-9, "{:?}", r.key);
        // Two trials a side can never be called different.
        assert!(
            matches!(cell.call, Call::Noise | Call::NotTested),
            "{:?}",
            cell.call
        );
    }
    assert_eq!(c.power.best_case_calls, 0, "2 vs 2 trials");
    for (_, g) in &c.geomean {
        assert!((g[1].unwrap().ratio - 2.0).abs() < 1e-9);
    }
    let missing: Vec<&String> = c.unmatched.iter().map(|u| &u.0).collect();
    assert!(
        missing.iter().any(|m| m.starts_with("dashmap ×4")),
        "{missing:?}"
    );
    assert!(missing.iter().any(|m| m.contains("×64")), "{missing:?}");
    // The added point has one trial; nothing else tells the hosts apart.
    assert_eq!(
        c.warnings,
        ["inputs differ in trials per point (a: 2; b: 1–2)"]
    );
}

#[test]
fn compare_calls_only_differences_beyond_noise_and_never_at_flagged_points() {
    let (a, _) = two_hosts();
    let base: Vec<RunRecord> = a
        .iter()
        .filter(|r| r.primitive == "spin-ttas" && r.threads == 1 && r.cs_ns == 100)
        .cloned()
        .collect();
    assert_eq!(base.len(), 2);
    // Three clean trials a side: 100, 101, 102 vs `other`.
    let trials = |host: &str, values: [f64; 3]| -> Vec<RunRecord> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| RunRecord {
                checked: true,
                host_id: host.into(),
                trial: i as u32,
                throughput_ops_s: *v,
                stable: true,
                degraded: false,
                ..base[0].clone()
            })
            .collect()
    };
    let run = |other: [f64; 3], degrade: bool| {
        let mut b = trials("b", other);
        if degrade {
            for r in &mut b {
                r.degraded = true;
            }
        }
        let a = trials("a", [100.0, 101.0, 102.0]);
        compare(
            &[Input::new("a", &a), Input::new("b", &b)],
            |r| r.throughput_ops_s,
            lockbench::rules::DELTA,
        )
    };
    // One point, so the correction leaves its p alone: 3 vs 3 separated is p = 0.1.
    let c = run([120.0, 121.0, 122.0], false).unwrap();
    assert_eq!(c.rows[0].cells[1].as_ref().unwrap().call, Call::Higher);
    let c = run([90.0, 91.0, 92.0], false).unwrap();
    assert_eq!(c.rows[0].cells[1].as_ref().unwrap().call, Call::Lower);
    let c = run([99.0, 101.5, 130.0], false).unwrap();
    assert_eq!(
        c.rows[0].cells[1].as_ref().unwrap().call,
        Call::Noise,
        "ranges overlap"
    );
    // A degraded point is shown with its flag and counted, never called.
    let c = run([120.0, 121.0, 122.0], true).unwrap();
    let cell = c.rows[0].cells[1].as_ref().unwrap();
    assert_eq!(cell.call, Call::NotTested);
    assert!(cell.flag.is_some());
    assert_eq!(cell.median, Some(121.0));
    assert_eq!((c.inputs[0].flagged, c.inputs[1].flagged), (0, 1));
}

#[test]
fn compare_command_formats_and_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, mut b) = two_hosts();
    b[0].duration_ms *= 2.0;
    let (pa, pb) = (tmp.path().join("a.csv"), tmp.path().join("b.csv"));
    write_csv(&a, &pa);
    write_csv(&b, &pb);
    let (sa, sb) = (pa.to_str().unwrap(), pb.to_str().unwrap());
    let o = lockbench(&["compare", sa, sb]);
    let text = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(text.contains("×2.00 ~"), "{text}");
    assert!(text.contains("geometric mean"), "{text}");
    assert!(text.contains("not in every input"), "{text}");
    assert!(
        text.contains("warning: inputs differ in measured window"),
        "{text}"
    );
    assert!(
        text.contains("Too few trials to call any difference"),
        "{text}"
    );
    let o = lockbench(&["compare", sa, sb, "--format", "markdown"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("|---|"));
    let o = lockbench(&["compare", sa, sb, "--format", "csv"]);
    let csv_text = String::from_utf8_lossy(&o.stdout);
    assert!(csv_text.starts_with("point,family,input,median_ops_s,"));
    assert!(String::from_utf8_lossy(&o.stderr).contains("differ in measured window"));
    let plots = tmp.path().join("overlay");
    let o = lockbench(&["compare", sa, sb, "--plot", plots.to_str().unwrap()]);
    assert!(o.status.success());
    assert!(plots.join("compare-spin.png").exists());

    // Bad inputs: one line, exit code 2.
    let empty = tmp.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    let unknown = tmp.path().join("v99.csv");
    let text = std::fs::read_to_string(&pa).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let bumped: Vec<String> = lines.map(|l| l.replacen("1,", "99,", 1)).collect();
    std::fs::write(&unknown, format!("{header}\n{}\n", bumped.join("\n"))).unwrap();
    let mut lone = a.clone();
    for r in &mut lone {
        r.primitive = "std-mutex".into();
    }
    let lone_path = tmp.path().join("lone.csv");
    write_csv(&lone[..1], &lone_path);
    let cases: [(&[&str], &str); 4] = [
        (&["compare", sa, empty.to_str().unwrap()], "empty file"),
        (
            &["compare", sa, unknown.to_str().unwrap()],
            "newer lockbench",
        ),
        (
            &["compare", sa, lone_path.to_str().unwrap()],
            "nothing to compare",
        ),
        (&["compare", sa, "/nonexistent/x.csv"], "no such file"),
    ];
    assert_usage_errors(&cases);
    let o = lockbench(&["compare", sa]);
    assert_eq!(o.status.code(), Some(2), "one input is a usage error");
}

/// A committed run compared with itself: exit 0, ×1.00 at every point, no `+`/`-` call —
/// also where points are flagged (the fixture's 2-trial points often are).
#[test]
fn compare_of_a_run_with_itself_calls_nothing() {
    let o = lockbench(&["compare", SMALL, SMALL]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let points = load_run(Path::new(SMALL)).unwrap();
    let rows: Vec<&str> = text.lines().filter(|l| l.contains("(n=")).collect();
    assert_eq!(
        rows.len(),
        lockbench::analysis::aggregate::points(&points.rows).len(),
        "every point, flagged or not, is a row:\n{text}"
    );
    for line in &rows {
        assert!(line.contains("×1.00"), "{line}");
        let words: Vec<&str> = line.split_whitespace().collect();
        assert!(
            !words.contains(&"+") && !words.contains(&"-"),
            "a call: {line}"
        );
    }
    assert!(text.contains("0 difference(s) called."), "{text}");
    assert!(!text.contains("warning:"), "{text}");
    let o = lockbench(&["compare", SMALL, SMALL, "--format", "csv"]);
    let csv_text = String::from_utf8_lossy(&o.stdout);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let mut others = 0;
    for rec in reader.records() {
        let rec = rec.unwrap();
        if &rec[8] != "reference" {
            others += 1;
            assert_eq!(&rec[5], "1.0000", "{rec:?}");
            assert!(matches!(&rec[8], "noise" | "not-tested"), "{rec:?}");
        }
    }
    assert_eq!(others, rows.len());
}

/// The Intel and AMD suites: both CPUs named, the difference warned about.
#[test]
fn compare_of_committed_machines_names_both_cpus() {
    // The first 60 rows of each machine's committed suite.
    let intel = "tests/fixtures/runs/intel-suite/sweep";
    let amd = "tests/fixtures/runs/amd-suite/sweep";
    let o = lockbench(&["compare", intel, amd]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let cpu_line = text.lines().find(|l| l.starts_with("CPU ")).unwrap_or("");
    assert!(
        cpu_line.contains("Intel(R) Xeon(R) Processor") && cpu_line.contains("AMD EPYC"),
        "{text}"
    );
    assert!(
        text.contains("warning: inputs differ in CPU model"),
        "{text}"
    );
}

#[test]
fn plot_and_report_refuse_bad_input_and_unwritable_output() {
    let cases: [(&[&str], &str); 3] = [
        (&["plot", "/nonexistent"], "no such file"),
        (
            &["plot", SMALL, "--out", "/proc/forbidden"],
            "cannot create output directory",
        ),
        (&["report", "tests/fixtures/topology"], "runs.csv"),
    ];
    assert_usage_errors(&cases);
}
