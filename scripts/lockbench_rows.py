"""The cache-layout rule for rows that are not a run's points (agree-parking-lot.sh judges
single rounds of two tools). A run's points come from `lockbench points`, which the other
scripts read; this mirrors `rules::on_layout` and `analysis::aggregate::Trials`, which are the
reference: change both together, and prefer `lockbench points` wherever a run is at hand.
"""

LAYOUT_FACTOR = 1.5


def _num(v):
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if x > 0 and x == x and x != float("inf") else None


def on_layout(trials):
    """For each row of one point, whether it ran on the point's cache layout: the
    [c / 1.5, c * 1.5] windows (c: every distance reading, before and after each trial) that
    fit the most trials; trials in all of them are on it; a trial without readings always is."""
    per = [[x for x in (_num(r.get("core_to_core_before_ns")), _num(r.get("core_to_core_ns"))) if x]
           for r in trials]
    sets = []
    for c in (x for rs in per for x in rs):
        lo, hi = c / LAYOUT_FACTOR, c * LAYOUT_FACTOR
        sets.append([bool(rs) and all(lo <= x <= hi for x in rs) for rs in per])
    best = max((sum(s) for s in sets), default=0)
    kept = [best > 0] * len(trials)
    for s in sets:
        if sum(s) == best:
            kept = [k and o for k, o in zip(kept, s)]
    return [not rs or k for rs, k in zip(per, kept)]


def layout(trials):
    """The point's cache layout: the lower median distance reading of its trials on it (None
    without readings), as `Trials::layout_ns`."""
    on = sorted(x for r, o in zip(trials, on_layout(trials)) if o
                for x in (_num(r.get("core_to_core_before_ns")), _num(r.get("core_to_core_ns"))) if x)
    return on[(len(on) - 1) // 2] if on else None


def clean(trials):
    """The clean rows of one point's rows."""
    return [r for r, on in zip(trials, on_layout(trials))
            if on and r["degraded"] == "false" and r["timed_out"] == "false"]


def flagged(trials):
    """lockbench's flag: no clean trial, the last row not stable, or stable on more clean
    trials than the point has now."""
    n = len(clean(trials))
    last = trials[-1]
    return n == 0 or last["stable"] != "true" or n < int(last.get("clean_trials") or 0)
