"""Parse time per document: our PDF reader vs pdfplumber's own `page.extract_tables()` on the
same file in the same run (target: ratio <= 1.2), and the text reader on the seed .txt files.

    .venv/bin/python -m bench.parse_speed [--repeat 3] [--json] [--shared ../shared]

Times are the best of `--repeat` runs (least disturbed by other load on the machine).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _best(fn, repeat: int, clock=time.perf_counter) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = clock()
        fn()
        best = min(best, clock() - start)
    return best


def _pdfplumber_tables(data: bytes) -> None:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_tables()


def run(shared: Path, repeat: int) -> dict:
    from indexing.read import read_bytes

    results: dict = {"pdf": [], "text": []}
    for path in sorted((shared / "pdfs").glob("*.pdf")):
        data = path.read_bytes()
        ours = _best(lambda: read_bytes(data, path.name), repeat)
        base = _best(lambda: _pdfplumber_tables(data), repeat)
        doc = read_bytes(data, path.name)
        results["pdf"].append(
            {
                "file": path.name,
                "pages": doc.page_count,
                "tables": len(doc.tables),
                "ours_ms": round(ours * 1000, 1),
                "pdfplumber_ms": round(base * 1000, 1),
                "ratio": round(ours / base, 2),
            }
        )
    for path in sorted((shared / "seeds").glob("*.txt")):
        data = path.read_bytes()
        t = _best(lambda: read_bytes(data, path.name), repeat)
        # CPU time of this process too: on a shared machine wall time also counts other work
        cpu = _best(lambda: read_bytes(data, path.name), repeat, time.process_time)
        doc = read_bytes(data, path.name)
        results["text"].append({"file": path.name, "tables": len(doc.tables), "ms": round(t * 1000, 1),
                                "cpu_ms": round(cpu * 1000, 1)})
    return results


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--shared", default=os.environ.get("BUDGETQA_SHARED", str(ROOT.parent / "shared")))
    args = ap.parse_args(argv)
    results = run(Path(args.shared), args.repeat)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return 0
    print(f"{'PDF':<64} {'pages':>5} {'tables':>6} {'ours ms':>8} {'plumber ms':>10} {'ratio':>6}")
    for r in results["pdf"]:
        print(f"{r['file'][:64]:<64} {r['pages']:>5} {r['tables']:>6} {r['ours_ms']:>8} {r['pdfplumber_ms']:>10} {r['ratio']:>6}")
    if results["pdf"]:
        total = sum(r["ours_ms"] for r in results["pdf"]) / sum(r["pdfplumber_ms"] for r in results["pdf"])
        print(f"overall ratio {total:.2f} (target <= 1.2)")
    if results["text"]:
        print(f"\n{'text':<64} {'tables':>6} {'ms':>8} {'cpu ms':>8}")
        for r in results["text"]:
            print(f"{r['file'][:64]:<64} {r['tables']:>6} {r['ms']:>8} {r['cpu_ms']:>8}")
        print("target: under 50 ms per text document")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
