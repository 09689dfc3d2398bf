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
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from eval.reading import CORE_KEYS, ReadingScore, format_score, score, summarise


def shared_dir() -> Path:
    return Path(os.environ.get("BUDGETQA_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")


def disclosure_groups(folder: Path) -> list[list[Path]]:
    """Files of one folder grouped into disclosures: `X_narrative.pdf` + `X_tables.pdf` are one."""
    from indexing.read.multi import group_parts

    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".pdf", ".txt"))
    return group_parts(files)


def _read_one(paths: list[str]) -> tuple[list[str], dict | None, str | None, float]:
    from indexing.read import ReadError
    from indexing.read.multi import read_parts

    t0 = time.perf_counter()
    try:
        doc = read_parts([Path(p) for p in paths])
    except ReadError as exc:
        return paths, None, str(exc), time.perf_counter() - t0
    return paths, score(doc).as_dict(), None, time.perf_counter() - t0


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
        g = disclosure_groups(root / name)
        groups += g[: args.limit] if args.limit else g
    from tqdm import tqdm

    scores: list[ReadingScore] = []
    failures: list[tuple[str, str]] = []
    seconds: list[float] = []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(_read_one, [str(p) for p in g]) for g in groups]
        for fut in tqdm(as_completed(futures), total=len(futures), desc="read", unit="doc"):
            paths, d, err, secs = fut.result()
            seconds.append(secs)
            if d is None:
                failures.append((" + ".join(Path(p).name for p in paths), err or ""))
                continue
            totals_share = d.pop("totals_share")
            s = ReadingScore(**d)
            scores.append(s)
            if args.verbose:
                print(format_score(s), f"(totals {totals_share})")
    scores.sort(key=lambda s: s.source)
    total = summarise(scores)
    print(json.dumps(total, ensure_ascii=False, indent=1))
    print(f"read {len(scores)} documents, {len(failures)} refused, {sum(seconds):.0f} s of reading")
    for name, err in failures:
        print(f"  refused {name}: {err}")
    print(f"\nworst {args.worst} (fewest core figures, then failing identities, then unreconciled totals):")
    for s in sorted(scores, key=_badness, reverse=True)[: args.worst]:
        print(format_score(s))
    if args.json:
        args.json.write_text(json.dumps({"total": total, "documents": [s.as_dict() for s in scores],
                                         "refused": failures}, ensure_ascii=False, indent=1))
    return 0


def _badness(s: ReadingScore) -> tuple:
    missing = sum(not s.core_found.get(k, False) for k in CORE_KEYS)
    fails = sum(v == "fails" for v in s.identities.values())
    share = s.totals_share
    return (missing, fails, 1 - share if share is not None else 0)


if __name__ == "__main__":
    sys.exit(main())
