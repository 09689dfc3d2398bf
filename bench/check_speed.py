"""Check time per document, after parsing (target: < 50 ms for a converted-text document).

Reads every seed (text) and PDF once, then times `check_document` alone, best and median of
N runs, and prints the ratio to the 50 ms target measured in the same run.

    .venv/bin/python bench/check_speed.py [--runs 7] [FILES...]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_MS = 50.0


def main(argv: list[str] | None = None) -> int:
    from checking.check import check_document
    from indexing.read import read_document

    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*")
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args(argv)
    shared = ROOT.parent / "shared"
    files = [Path(f) for f in args.files] or sorted((shared / "seeds").glob("*.txt")) + sorted((shared / "pdfs").glob("*.pdf"))
    if not files:
        print("no documents found (../shared/seeds, ../shared/pdfs)")
        return 1
    print(f"{'document':<64} {'format':<6} {'parse ms':>9} {'check best':>11} {'median':>8} {'vs 50ms':>8} {'findings':>8}")
    by_format: dict[str, list[float]] = {}
    for f in files:
        t0 = time.perf_counter()
        doc = read_document(f)
        parse_ms = (time.perf_counter() - t0) * 1000
        check_document(doc)  # warm-up (regex compilation, imports)
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            report = check_document(doc)
            times.append((time.perf_counter() - t0) * 1000)
        best, med = min(times), statistics.median(times)
        by_format.setdefault(doc.format, []).append(med)
        print(f"{f.name[:64]:<64} {doc.format:<6} {parse_ms:>9.0f} {best:>9.1f}ms {med:>6.1f}ms {med / TARGET_MS:>7.2f}x {len(report.findings):>8}")
    for fmt, meds in by_format.items():
        print(f"{fmt}: median check time {statistics.median(meds):.1f} ms per document ({statistics.median(meds) / TARGET_MS:.2f}x the 50 ms target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
