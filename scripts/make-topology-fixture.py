#!/usr/bin/env python3
"""Write a synthetic /sys/devices/system/cpu tree for topology tests.

usage: make-topology-fixture.py OUT_DIR PACKAGES CORES_PER_PACKAGE THREADS_PER_CORE [adjacent]

Numbering follows Linux on x86 by default: first thread of every core of every package,
then the second threads (cpu N and N + cores*packages are siblings). With `adjacent`,
siblings get consecutive ids (cpu 0 and 1 share a core), as on some firmware.
"""
import os
import sys

out, packages, cores, threads = sys.argv[1], *map(int, sys.argv[2:5])
adjacent = len(sys.argv) > 5 and sys.argv[5] == "adjacent"
total = packages * cores * threads
cpus = []  # (id, package, core, thread)
for p in range(packages):
    for c in range(cores):
        for t in range(threads):
            if adjacent:
                cid = (p * cores + c) * threads + t
            else:
                cid = t * packages * cores + p * cores + c
            cpus.append((cid, p, c, t))


def w(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text + "\n")


def cpu_list(ids):
    ids = sorted(ids)
    parts, start = [], ids[0]
    for a, b in zip(ids, ids[1:] + [None]):
        if b != a + 1:
            parts.append(f"{start}-{a}" if a != start else f"{a}")
            start = b
    return ",".join(parts)


w(f"{out}/online", f"0-{total - 1}")
for cid, p, c, t in cpus:
    d = f"{out}/cpu{cid}"
    w(f"{d}/topology/physical_package_id", str(p))
    w(f"{d}/topology/core_id", str(c))
    core_cpus = [x[0] for x in cpus if x[1] == p and x[2] == c]
    pkg_cpus = [x[0] for x in cpus if x[1] == p]
    caches = [(1, "Data", "48K", core_cpus), (1, "Instruction", "32K", core_cpus),
              (2, "Unified", "2048K", core_cpus), (3, "Unified", "32M", pkg_cpus)]
    for i, (level, kind, size, shared) in enumerate(caches):
        w(f"{d}/cache/index{i}/level", str(level))
        w(f"{d}/cache/index{i}/type", kind)
        w(f"{d}/cache/index{i}/size", size)
        w(f"{d}/cache/index{i}/shared_cpu_list", cpu_list(shared))
