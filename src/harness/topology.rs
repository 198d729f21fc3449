//! CPU topology from Linux sysfs (`/sys/devices/system/cpu`): which logical CPUs share a
//! physical core (SMT siblings), a package, and which caches.
//!
//! The parser takes the directory as an argument so it is tested on fixture trees of machines
//! bigger than the one running the tests (`tests/fixtures/topology/`).

use std::fs;
use std::path::{Path, PathBuf};

/// Where Linux exposes CPU topology.
pub const SYSFS_CPU: &str = "/sys/devices/system/cpu";

/// One logical CPU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cpu {
    /// Logical CPU number, as the kernel and `sched_setaffinity` use it.
    pub id: usize,
    /// Physical package (socket).
    pub package: usize,
    /// Physical core id within the package (not necessarily dense).
    pub core: usize,
    /// This CPU's position among its core's SMT siblings (0 for the first).
    pub smt_index: usize,
}

/// One cache, as seen by the CPUs sharing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    /// 1, 2, 3 …
    pub level: u32,
    /// `Data`, `Instruction` or `Unified`.
    pub kind: String,
    /// Size in bytes.
    pub size_bytes: u64,
    /// Logical CPUs sharing this cache.
    pub shared_cpus: Vec<usize>,
}

/// The machine's CPU topology.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topology {
    /// Online logical CPUs, by id.
    pub cpus: Vec<Cpu>,
    /// Distinct caches (each listed once, not once per CPU).
    pub caches: Vec<Cache>,
}

/// Why a topology could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TopologyError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file held something other than what the kernel writes there.
    #[error("{path}: cannot parse {text:?} as {what}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What it held.
        text: String,
        /// What was expected.
        what: &'static str,
    },
}

pub use crate::record::Placement;

impl Topology {
    /// Reads the topology under `root` (normally [`SYSFS_CPU`]).
    pub fn from_sysfs(root: &Path) -> Result<Topology, TopologyError> {
        let online = read_trimmed(&root.join("online"))?;
        let ids = parse_cpu_list(&online).ok_or_else(|| TopologyError::Parse {
            path: root.join("online"),
            text: online.clone(),
            what: "a CPU list",
        })?;
        let mut cpus = Vec::with_capacity(ids.len());
        let mut caches: Vec<Cache> = Vec::new();
        for &id in &ids {
            let dir = root.join(format!("cpu{id}"));
            let package = read_number(&dir.join("topology/physical_package_id"))?;
            let core = read_number(&dir.join("topology/core_id"))?;
            cpus.push(Cpu {
                id,
                package,
                core,
                smt_index: 0,
            });
            for cache in read_caches(&dir.join("cache"))? {
                if !caches.contains(&cache) {
                    caches.push(cache);
                }
            }
        }
        // SMT index: rank among CPUs with the same (package, core), by id.
        let keys: Vec<(usize, usize)> = cpus.iter().map(|c| (c.package, c.core)).collect();
        for (i, cpu) in cpus.iter_mut().enumerate() {
            cpu.smt_index = keys[..i].iter().filter(|&&k| k == keys[i]).count();
        }
        caches.sort_by_key(|c| (c.level, c.shared_cpus.first().copied(), c.kind.clone()));
        Ok(Topology { cpus, caches })
    }

    /// A flat topology for when sysfs is unavailable: every CPU its own core, one package.
    pub(crate) fn flat(ids: &[usize]) -> Topology {
        Topology {
            cpus: ids
                .iter()
                .map(|&id| Cpu {
                    id,
                    package: 0,
                    core: id,
                    smt_index: 0,
                })
                .collect(),
            caches: Vec::new(),
        }
    }

    /// Number of logical CPUs.
    pub fn logical_cpus(&self) -> usize {
        self.cpus.len()
    }

    /// Number of physical cores (distinct package, core pairs).
    pub fn physical_cores(&self) -> usize {
        let mut cores: Vec<(usize, usize)> =
            self.cpus.iter().map(|c| (c.package, c.core)).collect();
        cores.sort_unstable();
        cores.dedup();
        cores.len()
    }

    /// Number of packages (sockets).
    pub fn packages(&self) -> usize {
        let mut p: Vec<usize> = self.cpus.iter().map(|c| c.package).collect();
        p.sort_unstable();
        p.dedup();
        p.len()
    }

    /// Whether any core has more than one logical CPU.
    pub fn smt(&self) -> bool {
        self.cpus.iter().any(|c| c.smt_index > 0)
    }

    /// The order in which threads are given CPUs under `placement`, restricted to `allowed`
    /// (the process's affinity mask). Empty for [`Placement::None`]. Thread `i` goes to entry
    /// `i % len`.
    pub fn pin_order(&self, placement: Placement, allowed: &[usize]) -> Vec<usize> {
        let mut cpus: Vec<&Cpu> = self
            .cpus
            .iter()
            .filter(|c| allowed.contains(&c.id))
            .collect();
        match placement {
            Placement::None => return Vec::new(),
            Placement::Compact => cpus.sort_by_key(|c| (c.package, c.core, c.smt_index, c.id)),
            Placement::Spread => {
                // Rank of each core within its package, so packages alternate.
                let mut cores: Vec<(usize, usize)> =
                    cpus.iter().map(|c| (c.package, c.core)).collect();
                cores.sort_unstable();
                cores.dedup();
                let rank = |c: &Cpu| {
                    cores
                        .iter()
                        .filter(|&&(p, core)| p == c.package && core < c.core)
                        .count()
                };
                cpus.sort_by_key(|c| (c.smt_index, rank(c), c.package, c.id));
            }
        }
        let mut order: Vec<usize> = cpus.iter().map(|c| c.id).collect();
        // CPUs allowed but absent from sysfs (unusual): append, so none is lost.
        order.extend(
            allowed
                .iter()
                .filter(|id| !self.cpus.iter().any(|c| c.id == **id)),
        );
        order
    }

    /// A one-line summary, e.g. `2 packages × 16 cores × 2 SMT = 64 CPUs; L3 32 MiB ×2`.
    pub fn summary(&self) -> String {
        let smt = if self.physical_cores() > 0 {
            self.logical_cpus() / self.physical_cores()
        } else {
            1
        };
        let cores_per_package = self.physical_cores() / self.packages().max(1);
        let mut s = format!(
            "{} package(s) × {} core(s) × {} thread(s) = {} logical CPUs",
            self.packages(),
            cores_per_package,
            smt,
            self.logical_cpus()
        );
        for level in 1..=4 {
            let at: Vec<&Cache> = self
                .caches
                .iter()
                .filter(|c| c.level == level && c.kind != "Instruction")
                .collect();
            if let Some(first) = at.first() {
                s.push_str(&format!(
                    "; L{level} {} ×{}",
                    human_bytes(first.size_bytes),
                    at.len()
                ));
            }
        }
        s
    }
}

fn human_bytes(b: u64) -> String {
    if b >= 1 << 20 && b % (1 << 20) == 0 {
        format!("{} MiB", b >> 20)
    } else if b >= 1 << 10 {
        format!("{} KiB", b >> 10)
    } else {
        format!("{b} B")
    }
}

fn read_caches(dir: &Path) -> Result<Vec<Cache>, TopologyError> {
    let mut caches = Vec::new();
    for index in 0.. {
        let d = dir.join(format!("index{index}"));
        if !d.is_dir() {
            break;
        }
        let level = read_number(&d.join("level"))? as u32;
        let kind = read_trimmed(&d.join("type"))?;
        let size_path = d.join("size");
        let size_text = read_trimmed(&size_path)?;
        let size_bytes = parse_size(&size_text).ok_or(TopologyError::Parse {
            path: size_path,
            text: size_text,
            what: "a cache size such as 32K",
        })?;
        let list_path = d.join("shared_cpu_list");
        let list = read_trimmed(&list_path)?;
        let shared_cpus = parse_cpu_list(&list).ok_or(TopologyError::Parse {
            path: list_path,
            text: list,
            what: "a CPU list",
        })?;
        caches.push(Cache {
            level,
            kind,
            size_bytes,
            shared_cpus,
        });
    }
    Ok(caches)
}

fn read_trimmed(path: &Path) -> Result<String, TopologyError> {
    fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .map_err(|source| TopologyError::Io {
            path: path.to_path_buf(),
            source,
        })
}

fn read_number(path: &Path) -> Result<usize, TopologyError> {
    let text = read_trimmed(path)?;
    text.parse().map_err(|_| TopologyError::Parse {
        path: path.to_path_buf(),
        text,
        what: "a number",
    })
}

/// Parses the kernel's CPU list format: `0-3,8,10-11`.
pub(crate) fn parse_cpu_list(text: &str) -> Option<Vec<usize>> {
    let mut ids = Vec::new();
    for part in text.trim().split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (usize, usize) = (a.parse().ok()?, b.parse().ok()?);
                if a > b {
                    return None;
                }
                ids.extend(a..=b);
            }
            None => ids.push(part.parse().ok()?),
        }
    }
    Some(ids)
}

/// Parses a sysfs cache size: `48K`, `2048K`, `32M`.
fn parse_size(text: &str) -> Option<u64> {
    let (digits, mult) = match text.as_bytes().last()? {
        b'K' => (&text[..text.len() - 1], 1 << 10),
        b'M' => (&text[..text.len() - 1], 1 << 20),
        b'G' => (&text[..text.len() - 1], 1 << 30),
        _ => (text, 1),
    };
    digits.parse::<u64>().ok().map(|n| n * mult)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_lists() {
        assert_eq!(
            parse_cpu_list("0-3,8,10-11"),
            Some(vec![0, 1, 2, 3, 8, 10, 11])
        );
        assert_eq!(parse_cpu_list("5"), Some(vec![5]));
        assert_eq!(parse_cpu_list("3-1"), None);
        assert_eq!(parse_cpu_list("a"), None);
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("48K"), Some(48 * 1024));
        assert_eq!(parse_size("32M"), Some(32 << 20));
        assert_eq!(parse_size("x"), None);
    }

    #[test]
    fn flat_orders_are_ids() {
        let t = Topology::flat(&[0, 1, 2]);
        assert_eq!(t.pin_order(Placement::Compact, &[0, 1, 2]), vec![0, 1, 2]);
        assert_eq!(t.pin_order(Placement::Spread, &[2, 0]), vec![0, 2]);
        assert!(t.pin_order(Placement::None, &[0]).is_empty());
        assert!(!t.smt());
    }
}
