//! Topology parsing on sysfs fixture trees of machines bigger than this one
//! (made by scripts/make-topology-fixture.py), plus a snapshot of the 2-vCPU development VM.

use lockbench::harness::topology::{Placement, Topology};
use std::path::PathBuf;

fn fixture(name: &str) -> Topology {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/topology")
        .join(name);
    Topology::from_sysfs(&dir).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn two_sockets_sixteen_cores_smt2() {
    let t = fixture("2s16c2t");
    assert_eq!(t.logical_cpus(), 64);
    assert_eq!(t.physical_cores(), 32);
    assert_eq!(t.packages(), 2);
    assert!(t.smt());
    // Linux numbering: cpu 0 and cpu 32 are siblings on package 0, core 0.
    let c32 = &t.cpus[32];
    assert_eq!((c32.package, c32.core, c32.smt_index), (0, 0, 1));
    assert_eq!((t.cpus[16].package, t.cpus[16].core), (1, 0));
    // One L1d/L1i/L2 per core, one L3 per package.
    let l3: Vec<_> = t.caches.iter().filter(|c| c.level == 3).collect();
    assert_eq!(l3.len(), 2);
    assert_eq!(l3[0].size_bytes, 32 << 20);
    assert_eq!(l3[0].shared_cpus.len(), 32);
    assert_eq!(t.caches.iter().filter(|c| c.level == 2).count(), 32);
    assert!(
        t.summary()
            .contains("2 package(s) × 16 core(s) × 2 thread(s) = 64"),
        "{}",
        t.summary()
    );
}

#[test]
fn compact_fills_a_core_then_a_package() {
    let t = fixture("2s16c2t");
    let all: Vec<usize> = (0..64).collect();
    let order = t.pin_order(Placement::Compact, &all);
    assert_eq!(&order[..6], &[0, 32, 1, 33, 2, 34]);
    // The first 32 threads stay on package 0.
    assert!(order[..32].iter().all(|&c| t.cpus[c].package == 0));
    assert_eq!(order.len(), 64);
}

#[test]
fn spread_uses_every_physical_core_before_any_sibling() {
    let t = fixture("2s16c2t");
    let all: Vec<usize> = (0..64).collect();
    let order = t.pin_order(Placement::Spread, &all);
    assert_eq!(&order[..4], &[0, 16, 1, 17], "packages alternate");
    assert!(order[..32].iter().all(|&c| t.cpus[c].smt_index == 0));
    assert!(order[32..].iter().all(|&c| t.cpus[c].smt_index == 1));
}

#[test]
fn placement_respects_the_affinity_mask() {
    let t = fixture("2s16c2t");
    let allowed = [3, 35, 20];
    assert_eq!(t.pin_order(Placement::Compact, &allowed), vec![3, 35, 20]);
    assert_eq!(t.pin_order(Placement::Spread, &allowed), vec![3, 20, 35]);
    assert!(t.pin_order(Placement::None, &allowed).is_empty());
}

#[test]
fn adjacent_sibling_numbering() {
    let t = fixture("1s4c2t-adjacent");
    assert_eq!(
        (t.logical_cpus(), t.physical_cores(), t.packages()),
        (8, 4, 1)
    );
    assert_eq!(t.cpus[1].smt_index, 1);
    let all: Vec<usize> = (0..8).collect();
    assert_eq!(
        t.pin_order(Placement::Spread, &all),
        vec![0, 2, 4, 6, 1, 3, 5, 7]
    );
    assert_eq!(t.pin_order(Placement::Compact, &all), all);
}

#[test]
fn the_development_vm() {
    let t = fixture("kvm-2vcpu");
    assert_eq!(
        (t.logical_cpus(), t.physical_cores(), t.packages()),
        (2, 2, 1)
    );
    assert!(!t.smt());
    assert_eq!(t.pin_order(Placement::Spread, &[0, 1]), vec![0, 1]);
}

#[test]
fn a_missing_tree_is_an_error_naming_the_file() {
    let err = Topology::from_sysfs(std::path::Path::new("/nonexistent/cpu")).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/cpu/online"), "{err}");
}
