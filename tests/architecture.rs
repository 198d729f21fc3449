//! The layers point one way, as DESIGN.md draws them: read from the sources' own imports
//! (`crate::module` paths), the top-level modules form no cycle, nothing below the command
//! line imports it, and every import goes down the layer order below.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top to bottom. A module may import only modules after it in this list (leaves last).
const LAYERS: &[&str] = &[
    "cli",
    "custom",
    "experiments",
    "sweep",
    "plot",
    "report",
    "rundir",
    "analysis",
    "registry",
    "probes",
    "harness",
    "rules",
    "profile",
    "record",
    "workload",
    "primitives",
    "sync",
    "stats",
    "units",
    "error",
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Module → the other top-level modules its files name as `crate::module`.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if top == "lib" || top == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let deps = graph.entry(top.clone()).or_default();
        for name in crate_paths(&text) {
            if name != top {
                deps.insert(name);
            }
        }
    }
    graph
}

/// The top-level modules a file's code names: `crate::module…` paths, and each item of a
/// grouped `crate::{a::…, b, c::{…}}` import (comments left out).
fn crate_paths(text: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
            .collect()
    };
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Split the group's top level on commas.
            let (mut depth, mut start) = (0usize, 0usize);
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        out.insert(ident(&group[start..j]));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.insert(ident(&group[start..j]));
                        start = j + 1;
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out.remove("");
    out
}

#[test]
fn the_import_reader_sees_grouped_imports() {
    let text = "use crate::{analysis::x, harness::{a, b},\n    report};\nuse crate::sweep::y; // crate::plot\n";
    let got: Vec<String> = crate_paths(text).into_iter().collect();
    assert_eq!(got, ["analysis", "harness", "report", "sweep"]);
}

/// `sweep` measures and writes through the run directory's I/O: it renders nothing.
#[test]
fn sweep_imports_neither_plot_nor_report() {
    let graph = imports();
    let deps = &graph["sweep"];
    for upper in ["plot", "report", "experiments"] {
        assert!(!deps.contains(upper), "sweep imports {upper}");
    }
}

/// `analysis` judges rows: it reads neither the harness, the host probes nor the registry
/// (the rules it shares with the harness are in `rules`).
#[test]
fn analysis_depends_on_data_only() {
    let graph = imports();
    for below in ["harness", "probes", "registry", "primitives", "rundir"] {
        assert!(
            !graph["analysis"].contains(below),
            "analysis imports {below}"
        );
    }
}

/// No source file grows past what a reader takes in at once.
#[test]
fn no_source_file_over_900_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).unwrap().lines().count();
            (n > 900).then(|| format!("{} ({n} lines)", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "files over 900 lines: {long:?}");
}

#[test]
fn nothing_below_the_command_line_imports_it() {
    for (module, deps) in imports() {
        assert!(
            module == "cli" || !deps.contains("cli"),
            "{module} imports cli"
        );
    }
}

#[test]
fn every_import_points_down_the_layers() {
    let graph = imports();
    for (module, deps) in &graph {
        let rank = LAYERS
            .iter()
            .position(|l| l == module)
            .unwrap_or_else(|| panic!("module {module} is missing from LAYERS (and DESIGN.md)"));
        for dep in deps {
            let dep_rank = LAYERS
                .iter()
                .position(|l| l == dep)
                .unwrap_or_else(|| panic!("{module} imports unknown module {dep}"));
            assert!(
                dep_rank > rank,
                "{module} imports {dep}, which sits above it (or beside it) in the layers"
            );
        }
    }
}

/// Implied by the layer order, checked on its own so a cycle is named when one appears.
#[test]
fn no_import_cycle() {
    let graph = imports();
    assert!(graph.len() >= 10, "read only {} modules", graph.len());
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if done.contains(m) {
            return;
        }
        if let Some(i) = path.iter().position(|p| p == m) {
            panic!("import cycle: {} → {m}", path[i..].join(" → "));
        }
        path.push(m.to_string());
        for d in graph.get(m).into_iter().flatten() {
            visit(d, graph, path, done);
        }
        path.pop();
        done.insert(m.to_string());
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        visit(m, &graph, &mut Vec::new(), &mut done);
    }
}
