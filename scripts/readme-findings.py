#!/usr/bin/env python3
"""Regenerate the README's findings from a `lockbench claims` run, so no figure in it is
copied by hand.

    scripts/readme-findings.py [CLAIMS_DIR]     # default: the newest results/<machine>/*-claims

Replaces everything between `<!-- findings:begin -->` and `<!-- findings:end -->` in README.md
with a table built from CLAIMS_DIR/claims.csv (claim, verdict, the verdict's reason with its
figures) and a link to the full claims.md (what the chapter says, every figure with its
spread, the runs each verdict rests on). Fails, changing nothing, if the markers or the file
are missing.
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
    """The verdict's reason without the list of flagged points and runs (claims.md has them)."""
    for cut in (" Flagged points used", " Runs:"):
        reason = reason.split(cut)[0]
    return reason.strip()


def block(claims_dir: pathlib.Path) -> str:
    rel = claims_dir.relative_to(ROOT)
    rows = list(csv.DictReader(open(claims_dir / "claims.csv", newline="")))
    if not rows:
        sys.exit(f"error: {claims_dir / 'claims.csv'} has no claims")
    md = (claims_dir / "claims.md").read_text().splitlines()
    host = md[2] if len(md) > 2 else ""
    cell = lambda s: s.replace("|", "\\|").replace("\n", " ")
    out = [
        BEGIN,
        f"From [`{rel}/claims.md`]({rel}/claims.md) ({cell(host)}): every figure with its spread,",
        "what the chapter says and the runs behind each verdict are there.",
        "",
        "| # | claim | verdict | why, on this machine |",
        "|---|---|---|---|",
    ]
    for r in rows:
        out.append(
            f"| {r['id']} | {cell(r['claim'])} | **{r['verdict']}** | {cell(reason_only(r['reason']))} |"
        )
    out.append(END)
    return "\n".join(out)


def main() -> None:
    claims_dir = pathlib.Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else newest_claims_dir()
    if not (claims_dir / "claims.csv").is_file():
        sys.exit(f"error: {claims_dir}: no claims.csv (not a `lockbench claims` directory)")
    readme = ROOT / "README.md"
    text = readme.read_text()
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        sys.exit(f"error: README.md has no {BEGIN} … {END} block")
    readme.write_text(pattern.sub(lambda _: block(claims_dir), text, count=1))
    print(f"README.md findings regenerated from {claims_dir.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
