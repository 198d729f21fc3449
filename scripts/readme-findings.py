#!/usr/bin/env python3
"""Regenerate the README's findings from a `lockbench claims` run, so no figure in it is
copied by hand.

    scripts/readme-findings.py [CLAIMS_DIR [OTHER_DIR ...]]   # default: the newest results/<machine>/*-claims

Replaces everything between `<!-- findings:begin -->` and `<!-- findings:end -->` in README.md
with a table built from CLAIMS_DIR/claims.csv (claim, verdict, the verdict's reason with its
figures) and a link to the full claims.md (what the chapter says, every figure with its
spread, the runs each verdict rests on). Each OTHER_DIR (another claims run, with the same
measuring code) adds a column with its verdicts, so the table shows which held across runs.
Fails, changing nothing, if the markers or a file are missing.
"""
import csv
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- findings:begin -->", "<!-- findings:end -->"


def newest_claims_dir() -> pathlib.Path:
    machine = subprocess.run(
        ["cargo", "run", "--release", "--quiet", "--", "machine"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout.strip()
    dirs = sorted((ROOT / "results" / machine).glob("*-claims"))
    if not dirs:
        sys.exit(f"error: no results/{machine}/*-claims directory: run `lockbench claims` first")
    return dirs[-1]


def reason_only(reason: str) -> str:
    """The verdict's reason (with the flagged points behind a caveat) without the list of runs
    (claims.md has them)."""
    return reason.split(" Runs:")[0].strip()


def load(claims_dir: pathlib.Path) -> list:
    for name in ("claims.csv", "claims.md"):
        if not (claims_dir / name).is_file():
            sys.exit(f"error: {claims_dir}: no {name} (not a `lockbench claims` directory)")
    if not claims_dir.is_relative_to(ROOT):
        sys.exit(f"error: {claims_dir} is outside this repository: the README can only link what it holds")
    return list(csv.DictReader(open(claims_dir / "claims.csv", newline="")))


def trials_label(claims_dir: pathlib.Path) -> str:
    """How much each point of the run measured: its experiments' trials × window, read from
    their meta.json (the quick preset runs 3 × 100 ms, the standard one 5 × 200 ms)."""
    import json
    specs = {(m["spec"]["trials"], m["spec"]["duration_ns"] // 1_000_000)
             for m in (json.loads(p.read_text()) for p in sorted(claims_dir.glob("*/meta.json")))}
    return ", ".join(f"{t} × {ms} ms" for t, ms in sorted(specs)) or "?"


def block(claims_dir: pathlib.Path, others: list) -> str:
    rows = load(claims_dir)
    rel = claims_dir.relative_to(ROOT)
    other_verdicts = [{r["id"]: r["verdict"] for r in load(o)} for o in others]
    if not rows:
        sys.exit(f"error: {claims_dir / 'claims.csv'} has no claims")
    md = (claims_dir / "claims.md").read_text().splitlines()
    host = md[2] if len(md) > 2 else ""
    cell = lambda s: s.replace("|", "\\|").replace("\n", " ")
    out = [
        BEGIN,
        f"From [`{rel}/claims.md`]({rel}/claims.md) ({cell(host)}): every figure with its spread, what the chapter says and the runs behind each verdict are there.",
    ]
    if others:
        links = ", ".join(f"[{o.name}]({o.relative_to(ROOT)}/claims.md)" for o in others)
        out.append(
            f"The next verdict columns are other claims runs on this machine ({links}), each headed with "
            "its trials × window per point; `*` marks a verdict that differs."
        )
    out.append("")
    extra = "".join(f" verdict, {o.name} ({trials_label(o)}) |" for o in others)
    out.append(f"| # | claim | verdict, {claims_dir.name} ({trials_label(claims_dir)}) |{extra} why, on this machine |")
    out.append("|---|---|---|" + "---|" * len(others) + "---|")
    for r in rows:
        cols = "".join(
            " {}{} |".format(v.get(r["id"], "—"), " *" if v.get(r["id"]) != r["verdict"] else "")
            for v in other_verdicts
        )
        out.append(
            f"| {r['id']} | {cell(r['claim'])} | **{r['verdict']}** |{cols} {cell(reason_only(r['reason']))} |"
        )
    out.append(END)
    return "\n".join(out)


def main() -> None:
    dirs = [pathlib.Path(a).resolve() for a in sys.argv[1:]] or [newest_claims_dir()]
    claims_dir, others = dirs[0], dirs[1:]
    readme = ROOT / "README.md"
    text = readme.read_text()
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        sys.exit(f"error: README.md has no {BEGIN} … {END} block")
    readme.write_text(pattern.sub(lambda _: block(claims_dir, others), text, count=1))
    print(f"README.md findings regenerated from {claims_dir.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
