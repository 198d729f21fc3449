#!/usr/bin/env python3
"""Does a sweep's trial-to-trial noise come from the trials or from the host's state over time?

    scripts/trial-drift.py RUN_DIR|TRIAL_DRIFT_CSV [OUT_DIR]

For the 1-thread points of a sweep (cs 0 and the longest cs), each clean trial's deviation
from its point's mean log throughput, in the order the trials ran (`row`). (A mean, not a
median, which would put one trial of every point at exactly 0. Either way, centring on a
point's own trials makes them anti-correlated, −1/2 for 3 trials, at the lag between a point's
trials, about the number of points in a round: negative values there are that, not drift.) If
the noise were the trial's own, a trial's deviation would say nothing of the next one's (a
different primitive, run right after it); if it comes from a slowly varying host state,
neighbours in time share it. Prints, per setting: the deviation's spread, its correlation
with the trial run 1, 2, 3, 5, 10, 20 and 40 trials later, the spread left after removing the
mean of the two neighbours on each side beside the same figure for the trials in a random
order (what it would be with no drift: about √1.25 of the spread), and the correlation with
the sentinel's single-CPU speed (the dependent chain, `single_core_units_per_ns`). Caveat:
every round runs the primitives in the same order, so a lag pairs the same primitives each
time; similar primitives next to each other would correlate without any drift in time
(`examples/short_loop_drift`, one primitive on one CPU, is the control). With OUT_DIR, writes the summary and
the table it came from (`trial-drift.csv`: row, primitive, cs_ns, throughput, deviation,
speed), which the script also reads back in place of RUN_DIR.
"""
import csv
import math
import pathlib
import random
import statistics as st
import sys
from collections import defaultdict


def corr(a, b):
    ma, mb = st.mean(a), st.mean(b)
    sa, sb = st.pstdev(a), st.pstdev(b)
    if not sa or not sb:
        return float("nan")
    return sum((x - ma) * (y - mb) for x, y in zip(a, b)) / len(a) / (sa * sb)


def less_neighbours(seq):
    """The spread left after removing each value's mean of its two neighbours on each side."""
    smooth = [st.mean(seq[max(0, i - 2):i] + seq[i + 1:i + 3]) for i in range(len(seq))]
    return st.pstdev([x - m for x, m in zip(seq, smooth)])


def read_trials(src):
    """(row, point key, cs_ns, throughput, single-CPU speed) of every clean 1-thread trial,
    from a run directory's runs.csv or from a trial-drift.csv this script wrote."""
    num = lambda v: float(v) if v else float("nan")
    if src.is_file():
        # The table keeps no point key: a point's trials share their centre, ln(trial) minus
        # the deviation (to its 4 decimals), which tells a primitive's points apart.
        return [(int(r["row"]),
                 (r["primitive"], round(math.log(float(r["throughput_ops_s"])) - float(r["deviation"]), 2)),
                 int(r["cs_ns"]), float(r["throughput_ops_s"]), num(r["single_core_units_per_ns"]))
                for r in csv.DictReader(open(src))]
    rows = csv.DictReader(open(src / "runs.csv"))
    return [(int(r["row"]),
             (r["primitive"], r["think_ns"], r["read_ratio"], r["stripes"], r["key_skew"], r["placement"], r["layout"]),
             int(r["cs_ns"]), float(r["throughput_ops_s"]), num(r.get("single_core_units_per_ns")))
            for r in rows
            if r["threads"] == "1" and r["degraded"] == "false" and r["timed_out"] == "false"]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    src = pathlib.Path(sys.argv[1])
    out = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else None
    name = src.parent.name if src.is_file() else src.name
    trials = read_trials(src)
    lengths = sorted({cs for _, _, cs, _, _ in trials})
    settings = [lengths[0], lengths[-1]] if len(lengths) > 1 else lengths
    lines = [f"# Trial drift: {name}", "",
             "1-thread points, clean trials; deviation = ln(trial) − the mean ln of its point's trials, in run order.", "",
             "| cs | trials | sd | lag 1 | 2 | 3 | 5 | 10 | 20 | 40 | sd less the neighbours' mean | the same, trials shuffled | corr. with single-CPU speed |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    table = []
    for cs in settings:
        pts = defaultdict(list)
        for row, key, c, t, speed in trials:
            if c == cs:
                pts[key].append((row, t, speed))
        devs = []
        for key, rs in pts.items():
            mean = st.mean(math.log(t) for _, t, _ in rs)
            devs += [(row, key[0], t, math.log(t) - mean, speed) for row, t, speed in rs]
        devs.sort()
        table += [(row, p, cs, t, d, s) for row, p, t, d, s in devs]
        seq = [d for _, _, _, d, _ in devs]
        lags = [corr(seq[:-k], seq[k:]) if len(seq) > k + 2 else float("nan") for k in (1, 2, 3, 5, 10, 20, 40)]
        rng = random.Random(1)
        shuffled = []
        for _ in range(200):
            x = seq[:]
            rng.shuffle(x)
            shuffled.append(less_neighbours(x))
        with_speed = [(d, s) for _, _, _, d, s in devs if s == s]
        speed_corr = corr([d for d, _ in with_speed], [s for _, s in with_speed]) if len(with_speed) > 2 else float("nan")
        lines.append(f"| {cs} ns | {len(seq)} | {st.pstdev(seq):.3f} | "
                     + " | ".join(f"{x:.2f}" for x in lags)
                     + f" | {less_neighbours(seq):.3f} | {st.mean(shuffled):.3f} | {speed_corr:.2f} |")
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
