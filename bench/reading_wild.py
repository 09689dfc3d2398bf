"""The label-free reading metric over every real document in ../shared (seeds, pdfs and wild/).

    .venv/bin/python -m bench.reading_wild [--only wild] [--jobs 2] [--json OUT] [--worst 10]

Each document is read in a worker process (a hung or crashed read costs one document, not the run);
the metric is `eval.reading` (standard tables found, 合计/小计 reconciled, identities, core figures).
A 北京 disclosure published as two files (`_narrative` + `_tables`) is read as one document.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Optional

from eval.reading import CORE_KEYS, ReadingScore, disclosure_groups, format_score, score_many, summarise


def shared_dir() -> Path:
    return Path(os.environ.get("BUDGETQA_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=["wild", "seeds", "pdfs"], action="append")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--limit", type=int, default=0, help="read only the first N disclosures of each folder")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--worst", type=int, default=10)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    root = shared_dir()
    if not root.exists():
        print(f"no shared corpus at {root}: nothing to measure (set BUDGETQA_SHARED)")
        return 0
    groups: list[list[Path]] = []
    for name in args.only or ["seeds", "pdfs", "wild"]:
        g = disclosure_groups([root / name])
        groups += g[: args.limit] if args.limit else g
    scores: list[ReadingScore] = []
    failures: list[tuple[str, str]] = []
    seconds: list[float] = []
    for paths, s, err, secs in score_many(groups, args.jobs):
        seconds.append(secs)
        if s is None:
            failures.append((" + ".join(Path(p).name for p in paths), err or ""))
            continue
        scores.append(s)
        if args.verbose:
            print(format_score(s))
    scores.sort(key=lambda s: s.source)
    total = summarise(scores)
    print(json.dumps(total, ensure_ascii=False, indent=1))
    print(f"read {len(scores)} documents, {len(failures)} refused, {sum(seconds):.0f} s of reading")
    for name, err in failures:
        print(f"  refused {name}: {err}")
    print(f"\nworst {args.worst} (fewest core figures, then failing identities, then unreconciled totals):")
    for s in sorted(scores, key=_badness, reverse=True)[: args.worst]:
        print(format_score(s))
    agreement, disagreements = meta_against_index(scores, root / "wild" / "INDEX.tsv")
    if agreement:
        print("\ncover metadata against the source file names of wild/INDEX.tsv (a hint, not a label: "
              "a disagreement is read by hand on the cover):")
        print(json.dumps(agreement, ensure_ascii=False))
        for line in disagreements:
            print("  " + line)
    if args.json:
        args.json.write_text(json.dumps({"total": total, "documents": [s.as_dict() for s in scores],
                                         "refused": failures}, ensure_ascii=False, indent=1))
    return 0


def _hints(index: Path) -> dict[str, tuple[Optional[int], str, str]]:
    """file → (year, source file name, city) from INDEX.tsv."""
    out: dict[str, tuple[Optional[int], str, str]] = {}
    if not index.exists():
        return out
    for line in index.read_text(encoding="utf-8").splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) < 7:
            continue
        source = re.sub(r"\s*\(blob [0-9a-f]+\)$", "", cols[6]).rsplit("/", 1)[-1]
        year = re.search(r"(20\d\d)", source)
        out[cols[0]] = (int(year.group(1)) if year else None, source, cols[2])
    return out


def meta_against_index(scores: list[ReadingScore], index: Path) -> tuple[dict, list[str]]:
    """Year, department and city of each wild document's cover against its source file name: the
    year must match, the department's name without its region must stand in the file name, and its
    region must name the city."""
    hints = _hints(index)
    counts = {"documents": 0, "year": 0, "department": 0, "city": 0}
    lines: list[str] = []
    for s in scores:
        names = [n for n in re.split(r"\s*\+\s*", s.source) if n in hints]
        if not names:
            continue
        year, source, city = hints[names[0]]
        sources = " ".join(hints[n][1] for n in names)
        counts["documents"] += 1
        dept = str(s.meta.get("department") or "")
        bare = re.sub(r"^.*?(?:省|市|区|县)(?=.{2,})", "", dept)
        ok = {"year": year is None or s.meta.get("year") == year,
              "department": bool(bare) and re.sub(r"[（(].*?[)）]", "", bare)[:4] in sources,
              "city": city in (str(s.meta.get("region") or "") + dept)}
        for k, v in ok.items():
            counts[k] += v
        if not all(ok.values()):
            bad = ", ".join(k for k, v in ok.items() if not v)
            lines.append(f"{s.source}: {bad}: read {dept or '—'} / {s.meta.get('year')}; file {sources}")
    return (counts if counts["documents"] else {}), lines


def _badness(s: ReadingScore) -> tuple:
    missing = sum(not s.core_found.get(k, False) for k in CORE_KEYS)
    fails = sum(v == "fails" for v in s.identities.values())
    share = s.totals_share
    return (missing, fails, 1 - share if share is not None else 0)


if __name__ == "__main__":
    sys.exit(main())
