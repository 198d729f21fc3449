//! Host facts, read once per process *before* any thread is pinned: core_affinity,
//! num_cpus and available_parallelism all read the calling thread's mask, which shrinks once
//! a thread is pinned.

use super::topology::{SYSFS_CPU, Topology};
use crate::record::HostInfo;
use std::path::Path;

/// Everything the harness needs to know about the machine.
#[derive(Debug, Clone)]
pub struct Host {
    /// The fingerprint written on every row.
    pub info: HostInfo,
    /// CPU topology (flat if sysfs is unreadable).
    pub topology: Topology,
    /// Logical CPUs this process may run on, read before pinning.
    pub allowed_cpus: Vec<usize>,
}

impl Host {
    /// Reads the host. Never fails: missing facts become `unknown` or a flat topology.
    pub fn detect() -> Host {
        let allowed_cpus: Vec<usize> = core_affinity::get_core_ids()
            .map(|ids| ids.into_iter().map(|c| c.id).collect())
            .filter(|ids: &Vec<usize>| !ids.is_empty())
            .unwrap_or_else(|| {
                // Without an affinity mask: std's count, num_cpus only if std cannot tell.
                let n = std::thread::available_parallelism()
                    .map_or_else(|_| num_cpus::get(), std::num::NonZeroUsize::get);
                (0..n).collect()
            });
        let topology = Topology::from_sysfs(Path::new(SYSFS_CPU))
            .unwrap_or_else(|_| Topology::flat(&allowed_cpus));
        let info = HostInfo {
            host_id: host_id(),
            cpu_model: cpu_model(),
            logical_cpus: topology.logical_cpus(),
            physical_cores: topology.physical_cores(),
            smt: topology.smt(),
            kernel: read_trim("/proc/sys/kernel/osrelease").unwrap_or_else(|| "unknown".into()),
            rustc: env!("LOCKBENCH_RUSTC").to_string(),
            lockbench_version: env!("CARGO_PKG_VERSION").to_string(),
            git_sha: env!("LOCKBENCH_GIT_SHA").to_string(),
        };
        Host {
            info,
            topology,
            allowed_cpus,
        }
    }

    /// Threads that can run at once: the CPUs this process may use.
    pub fn usable_cpus(&self) -> usize {
        self.allowed_cpus.len().max(1)
    }
}

fn read_trim(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
}

/// The hostname, reduced to `[A-Za-z0-9._-]` so it can name a results directory.
fn host_id() -> String {
    let raw = read_trim("/proc/sys/kernel/hostname")
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_default();
    let id: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    if id.is_empty() {
        "unknown-host".into()
    } else {
        id
    }
}

fn cpu_model() -> String {
    read_trim("/proc/cpuinfo")
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name") || l.starts_with("Model"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string())
}
