#!/usr/bin/env python3
"""Does a sweep's trial-to-trial noise come from the trials or from the host's state over time?

    scripts/trial-drift.py RUN_DIR [OUT_DIR]

For the 1-thread points of a sweep (cs 0 and the longest cs), each clean trial's deviation
from its point's median throughput, as a log ratio, in the order the trials ran (`row`). If
the noise were the trial's own, a trial's deviation would say nothing of the next one's (a
different primitive, run right after it); if it comes from a slowly varying host state,
neighbours in time share it. Prints, per setting: the deviation's spread, its correlation
with the trial run 1, 2, 3, 5, 10, 20 and 40 trials later, the spread left after removing the
mean of the two neighbours on each side, and the correlation with the sentinel's single-CPU
speed (the dependent chain, `single_core_units_per_ns`). With OUT_DIR, writes the summary and
the table it came from (`trial-drift.csv`: row, primitive, cs_ns, throughput, deviation, speed).
"""
import csv
import math
import pathlib
import statistics as st
import sys
from collections import defaultdict


def corr(a, b):
    ma, mb = st.mean(a), st.mean(b)
    sa, sb = st.pstdev(a), st.pstdev(b)
    if not sa or not sb:
        return float("nan")
    return sum((x - ma) * (y - mb) for x, y in zip(a, b)) / len(a) / (sa * sb)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    run = pathlib.Path(sys.argv[1])
    out = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else None
    rows = list(csv.DictReader(open(run / "runs.csv")))
    one = [r for r in rows if r["threads"] == "1" and r["degraded"] == "false" and r["timed_out"] == "false"]
    lengths = sorted({int(r["cs_ns"]) for r in one})
    settings = [lengths[0], lengths[-1]] if len(lengths) > 1 else lengths
    lines = [f"# Trial drift: {run.name}", "",
             "1-thread points, clean trials; deviation = ln(trial ÷ its point's median), in run order.", "",
             "| cs | trials | sd | lag 1 | 2 | 3 | 5 | 10 | 20 | 40 | sd less the neighbours' mean | corr. with single-CPU speed |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    table = []
    for cs in settings:
        pts = defaultdict(list)
        for r in one:
            if int(r["cs_ns"]) == cs:
                pts[(r["primitive"], r["read_ratio"], r["stripes"], r["key_skew"], r["layout"])].append(r)
        trials = []
        for rs in pts.values():
            med = st.median(float(r["throughput_ops_s"]) for r in rs)
            for r in rs:
                speed = float(r["single_core_units_per_ns"]) if r.get("single_core_units_per_ns") else float("nan")
                trials.append((int(r["row"]), r["primitive"], float(r["throughput_ops_s"]),
                               math.log(float(r["throughput_ops_s"]) / med), speed))
        trials.sort()
        table += [(row, p, cs, t, d, s) for row, p, t, d, s in trials]
        seq = [d for _, _, _, d, _ in trials]
        lags = [corr(seq[:-k], seq[k:]) if len(seq) > k + 2 else float("nan") for k in (1, 2, 3, 5, 10, 20, 40)]
        smooth = [st.mean(seq[max(0, i - 2):i] + seq[i + 1:i + 3]) for i in range(len(seq))]
        with_speed = [(d, s) for _, _, _, d, s in trials if s == s]
        speed_corr = corr([d for d, _ in with_speed], [s for _, s in with_speed]) if len(with_speed) > 2 else float("nan")
        lines.append(f"| {cs} ns | {len(seq)} | {st.pstdev(seq):.3f} | "
                     + " | ".join(f"{x:.2f}" for x in lags)
                     + f" | {st.pstdev([x - s for x, s in zip(seq, smooth)]):.3f} | {speed_corr:.2f} |")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if out:
        out.mkdir(parents=True, exist_ok=True)
        (out / "trial-drift.md").write_text(text)
        with open(out / "trial-drift.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["row", "primitive", "cs_ns", "throughput_ops_s", "deviation", "single_core_units_per_ns"])
            for row, p, cs, t, d, s in table:
                w.writerow([row, p, cs, f"{t:.6g}", f"{d:.4f}", "" if s != s else f"{s:.4f}"])


if __name__ == "__main__":
    main()
