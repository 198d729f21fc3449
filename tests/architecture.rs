//! The layers point one way, as DESIGN.md draws them: read from the sources' own imports
//! (`crate::module` paths), the top-level modules form no cycle, nothing below the command
//! line imports it, and every import goes down the layer order below.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top to bottom. A module may import only modules after it in this list (leaves last).
const LAYERS: &[&str] = &[
    "cli",
    "custom",
    "sweep",
    "plot",
    "report",
    "analysis",
    "registry",
    "probes",
    "harness",
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
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or("");
            for (i, _) in code.match_indices("crate::") {
                let name: String = code[i + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if !name.is_empty() && name != top {
                    deps.insert(name);
                }
            }
        }
    }
    graph
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
