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
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_ERRORS_PER_DOC = 0.1


def shared_dir() -> Path:
    return Path(os.environ.get("BUDGETQA_SHARED") or ROOT.parent / "shared")


def _key(paths: list[Path]) -> str:
    return "_".join(f"{p.stem}-{p.stat().st_size}-{int(p.stat().st_mtime)}" for p in paths)[:200]


def _check_one(paths: list[str], cache: str | None) -> dict:
    from checking.check import run_checks
    from indexing.model import Document
    from indexing.read import ReadError
    from indexing.read.multi import read_parts

    ps = [Path(p) for p in paths]
    name = ps[0].name
    t0 = time.perf_counter()
    doc = None
    cfile = Path(cache) / f"{_key(ps)}.json" if cache else None
    if cfile is not None and cfile.exists():
        doc = Document.from_json(cfile.read_text(encoding="utf-8"))
    if doc is None:
        try:
            doc = read_parts(ps)
        except ReadError as exc:
            return {"document": name, "error": str(exc), "read_s": time.perf_counter() - t0}
        except Exception as exc:  # noqa: BLE001 - a reader crash costs one document
            return {"document": name, "error": f"{type(exc).__name__}: {exc}", "read_s": time.perf_counter() - t0}
        if cfile is not None:
            cfile.write_text(doc.to_json() if hasattr(doc, "to_json") else doc.model_dump_json(), encoding="utf-8")
    read_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    report, ctx = run_checks(doc)
    check_s = time.perf_counter() - t1
    counts = {s: 0 for s in ("error", "warning", "hint", "extraction")}
    for f in report.findings:
        counts[f.severity.value] = counts.get(f.severity.value, 0) + 1
    counts["hint"] += counts.pop("info", 0)
    errors = []
    for f in report.findings:
        if f.severity.value != "error":
            continue
        pages = sorted({e.location.page for e in f.evidence if e.location.page is not None})
        errors.append({"code": f.code, "message": f.message, "pages": pages, "arithmetic": f.arithmetic})
    lg = getattr(report, "ledger", None)
    ledger = lg.totals() if lg is not None else {}
    return {"document": name, "kind": doc.meta.kind, "counts": counts, "errors": errors,
            "warnings": [f"{f.code}: {f.message[:100]}" for f in report.findings if f.severity.value == "warning"],
            "ledger": ledger, "read_s": read_s, "check_s": check_s}


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

    groups = group_parts(sorted(p for p in folder.iterdir() if p.suffix.lower() in (".pdf", ".txt", ".md")))
    if args.limit:
        groups = groups[: args.limit]
    if args.cache:
        args.cache.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    results = []
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futs = [pool.submit(_check_one, [str(p) for p in g], str(args.cache) if args.cache else None) for g in groups]
        for fut in as_completed(futs):
            try:
                results.append(fut.result())
            except Exception as exc:  # noqa: BLE001 - a dead worker
                results.append({"document": "?", "error": f"worker: {exc}"})
    results.sort(key=lambda r: r["document"])
    ok = [r for r in results if "counts" in r]
    n = len(ok)
    tot = {s: sum(r["counts"][s] for r in ok) for s in ("error", "warning", "hint", "extraction")}
    ledger: dict[str, int] = {}
    for r in ok:
        for k, v in (r.get("ledger") or {}).get("all", {}).items():
            ledger[k] = ledger.get(k, 0) + v
    checked = sum(v for k, v in ledger.items() if k in ("pass", "fail"))
    applicable = sum(v for k, v in ledger.items() if k != "not_applicable")
    summary = {
        "documents": n, "unreadable": len(results) - n,
        "errors_per_doc": round(tot["error"] / n, 3) if n else None,
        "alarms_per_doc": round((tot["error"] + tot["warning"]) / n, 3) if n else None,
        "warnings_per_doc": round(tot["warning"] / n, 3) if n else None,
        "hints_per_doc": round(tot["hint"] / n, 3) if n else None,
        "extraction_per_doc": round(tot["extraction"] / n, 3) if n else None,
        "documents_with_errors": sum(1 for r in ok if r["counts"]["error"]),
        "ledger": ledger, "coverage": round(checked / applicable, 3) if applicable else None,
        "check_ms_median": round(sorted(r["check_s"] for r in ok)[n // 2] * 1000, 1) if n else None,
        "seconds": round(time.perf_counter() - t0, 1),
        "target_errors_per_doc": TARGET_ERRORS_PER_DOC,
    }
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
