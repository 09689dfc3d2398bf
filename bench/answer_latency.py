"""Answer latency of the default (deterministic) answerer: p50 / p95 per question, end to end through
the chain (analyse → retrieve → answer → ground → cite).

    .venv/bin/python -m bench.answer_latency                 # the seeds' gold questions, in-memory evidence
    .venv/bin/python -m bench.answer_latency --rounds 5 --docs PATH...

Corpus sizes 10 and 1,000 documents need the index (indexing/retrieve.py + indexing/figures_store.py)
behind the chain instead of the in-memory provider: see `index_backed_service` (TODO hook).
Timings are floats (seconds); they are measurements, not budget figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    if not s:
        return 0.0
    k = (len(s) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def questions() -> list[str]:
    out = []
    for f in sorted((SHARED / "labels").glob("*.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        if (SHARED / "seeds" / data["doc"]).exists():
            out += [q["question"] for q in data["qa"]]
    return out


def index_backed_service(n_docs: int):
    """TODO(index): build the chain on the hybrid index once it is wired for answering:
        retriever = lambda q, f: [Evidence(...) for hit in Retriever(conn, vectors).search(q, k=f.get("k", 8),
                                    filters=Filters(department=f.get("department"), year=f.get("year"),
                                    doc_id=f.get("doc_ids")))]   # Hit.metadata → Evidence fields
        figures = lambda labels, f: [FigureFact(...) for rec in FiguresStore(conn).by_metric(label) ...]
        build_chain(retriever, figures, rows_lookup=...)
    then ingest `n_docs` documents (bench/index_scale.py makes corpora of 10 and 1,000) and time the
    same questions. Until then only the in-memory provider is measured."""
    raise NotImplementedError("index-backed answering is not wired yet (see docstring)")


def run(doc_paths: list[Path], qs: list[str], rounds: int) -> dict:
    from service.chain import QAService

    t0 = time.perf_counter()
    svc = QAService(doc_paths)
    load = time.perf_counter() - t0
    times = []
    for _ in range(rounds):
        for q in qs:
            t = time.perf_counter()
            svc.ask(q)
            times.append(time.perf_counter() - t)
    return {
        "documents": len(doc_paths), "questions": len(qs), "rounds": rounds, "load_s": round(load, 3),
        "p50_ms": round(percentile(times, 0.50) * 1000, 2), "p95_ms": round(percentile(times, 0.95) * 1000, 2),
        "mean_ms": round(statistics.fmean(times) * 1000, 2), "max_ms": round(max(times) * 1000, 2),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", nargs="+", type=Path, help="documents (default: ../shared/seeds/*.txt)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--index-docs", type=int, nargs="*", default=[],
                    help="also time index-backed answering at these corpus sizes (needs the index: TODO)")
    args = ap.parse_args(argv)
    docs = args.docs or sorted((SHARED / "seeds").glob("*.txt"))
    if not docs:
        print("no documents: ../shared/seeds is missing; pass --docs", file=sys.stderr)
        return 2
    qs = questions() or ["三公经费是多少？", "项目支出占全部支出的比例是多少？", "有哪些项目？"]
    print(json.dumps({"mode": "default, in-memory evidence", **run(docs, qs, args.rounds)}, ensure_ascii=False))
    for n in args.index_docs:
        try:
            index_backed_service(n)
        except NotImplementedError as exc:
            print(json.dumps({"mode": f"index, {n} documents", "skipped": str(exc)}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
