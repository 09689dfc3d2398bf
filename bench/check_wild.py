"""Alarms and errors per document over the real PDFs of ../shared/wild (mostly correct publications).

    .venv/bin/python -m bench.check_wild [--jobs 2] [--limit 20] [--cache DIR] [--json OUT] [--show-errors]

Each disclosure (a 北京 `_narrative` + `_tables` pair is one) is read and checked in a worker
process of a pool, so a hung or crashed read costs one document, not the run. Reported: documents,
errors, warnings (alarms = errors + warnings), hints and extraction findings per document, the
ledger's coverage, and every error with its page so that it can be looked at (pdfplumber text of
that page). Target (issue 16): ≤ 0.1 errors per document.

`--cache DIR` keeps each read document as JSON (keyed by file size and mtime): rerunning the
checker after a change to checking/ then takes seconds. Delete the folder when the reader changes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_ERRORS_PER_DOC = 0.1


def shared_dir() -> Path:
    return Path(os.environ.get("BUDGETQA_SHARED") or ROOT.parent / "shared")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="only the first N disclosures")
    ap.add_argument("--cache", type=Path, help="keep read documents here as JSON")
    ap.add_argument("--json", type=Path, help="write every document's result here")
    ap.add_argument("--show-errors", action="store_true", help="print every error with its page")
    ap.add_argument("--folder", type=Path, help="another folder of PDFs (default ../shared/wild)")
    args = ap.parse_args(argv)
    folder = args.folder or shared_dir() / "wild"
    if not folder.exists():
        print(f"no corpus at {folder}: nothing to measure (set BUDGETQA_SHARED)")
        return 0
    from indexing.read.multi import group_parts

    # the corpus's own README is not a disclosure
    groups = group_parts(sorted(p for p in folder.iterdir() if p.suffix.lower() in (".pdf", ".txt", ".md")
                                and not p.stem.upper().startswith("README")))
    if args.limit:
        groups = groups[: args.limit]
    if args.cache:
        args.cache.mkdir(parents=True, exist_ok=True)
    from eval.checker_eval import alarms_summary, check_many

    t0 = time.perf_counter()
    results = check_many(groups, args.jobs, str(args.cache) if args.cache else None)
    ok = [r for r in results if "counts" in r]
    summary = {**alarms_summary(results), "seconds": round(time.perf_counter() - t0, 1),
               "target_errors_per_doc": TARGET_ERRORS_PER_DOC}
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    if args.show_errors:
        for r in ok:
            for e in r["errors"]:
                print(f"{r['document']} p{e['pages']}: {e['code']} {e['message']}")
    for r in results:
        if "counts" not in r:
            print(f"unreadable: {r['document']}: {r.get('error', '')[:120]}")
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "documents": results}, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
