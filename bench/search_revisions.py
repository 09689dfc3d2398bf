"""The search of an earlier revision against today's, on the same index, in the same run.

A change to the retrieval code is timed where the machine's load cannot tell the two apart: the
earlier revision's indexing/retrieve.py and indexing/bm25.py (read from git, loaded as modules of
their own) and the working tree's search the same index with the same questions, alternately, each
question cold for both (query embedding recomputed, no cached document vectors). Also checks the
two agree: the same fused scores in the same order, up to ties (chunks of equal score may swap).
The index is one that bench/index_scale.py --data DIR left (its corpus labels give the questions).

With --ask the whole answer is timed too (IndexQA.ask, default answerer, what /v1/ask answers
with): the label questions with their document's filter and the across-departments rankings of
bench/answer_cases.py, each asked once with either revision's search in the index, alternately.

Run: .venv/bin/python bench/search_revisions.py --data DIR [--rev d1d2484^] [--queries 40] [--ask]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from bench.index_scale import MODES, load_queries, pct  # noqa: E402


def old_retriever_module(rev: str):
    """indexing/retrieve.py of `rev`, importing the bm25.py of `rev` (not today's)."""
    folder = Path(tempfile.mkdtemp(prefix="bq_rev_"))
    for name in ("bm25", "retrieve"):
        text = subprocess.run(["git", "show", f"{rev}:indexing/{name}.py"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout
        text = text.replace("from indexing.bm25 import", "from rev_bm25 import")
        (folder / f"rev_{name}.py").write_text(text, encoding="utf-8")
    sys.path.insert(0, str(folder))
    spec = importlib.util.spec_from_file_location("rev_retrieve", folder / "rev_retrieve.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["rev_retrieve"] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True, help="a folder bench/index_scale.py --data left")
    ap.add_argument("--rev", default="d1d2484^", help="the earlier revision (default: before the chunk index)")
    ap.add_argument("--queries", type=int, default=40)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--ask", action="store_true", help="also time whole answers (IndexQA.ask) with each revision")
    args = ap.parse_args(argv)

    from indexing.embeddings import get_embeddings
    from indexing.ingest import Index
    from indexing.retrieve import Filters, Retriever
    from indexing.settings import Settings

    work = Path(args.data)
    os.environ["BUDGETQA_EMBED_CACHE"] = str(work / "index" / "embed_cache.sqlite")
    emb = get_embeddings()
    index = Index(Settings(data_dir=work / "index"), embeddings=emb)
    names = {Path(r.source).name: r.doc_id for r in index.documents()}
    queries = load_queries(work / "corpus" / "labels", names, args.queries, random.Random(args.seed))
    old_mod = old_retriever_module(args.rev)
    engines = {"before": old_mod.Retriever(index.conn, index.vectors), "after": Retriever(index.conn, index.vectors)}
    t = time.perf_counter()
    for name, r in engines.items():  # builds BM25 (and the chunk index) outside the timing
        t = time.perf_counter()
        r.search("预热", k=5, mode="bm25")
        print(f"{name}: index built in {time.perf_counter() - t:.1f} s", flush=True)

    def cold():
        emb._queries.clear()
        engines["after"].drop_cached_vectors()

    report: dict = {"documents": len(names), "queries": len(queries), "rev": args.rev}
    agree = ties = 0
    for mode, scoped in MODES:
        lat: dict[str, list[float]] = {"before": [], "after": []}
        for doc_id, q in queries:
            got = {}
            for name, r in engines.items():
                cold()
                filters = old_mod.Filters(doc_id=doc_id if scoped else None) if name == "before" else \
                    Filters(doc_id=doc_id if scoped else None)
                t = time.perf_counter()
                hits = r.search(q, k=5, filters=filters, mode=mode)
                lat[name].append((time.perf_counter() - t) * 1000)
                got[name] = [(h.chunk_id, round(h.fused, 5)) for h in hits]
            if got["before"] == got["after"]:
                agree += 1
            elif [s for _, s in got["before"]] == [s for _, s in got["after"]]:
                ties += 1  # same scores, chunks of equal score in another order
        key = f"{mode}_{'doc' if scoped else 'all'}"
        report[key] = {name: {"p50_ms": round(pct(v, 50), 1), "p95_ms": round(pct(v, 95), 1)} for name, v in lat.items()}
        report[key]["p95_after_over_before"] = round(report[key]["after"]["p95_ms"] / report[key]["before"]["p95_ms"], 2)
        print(f"{key:<11} before {report[key]['before']}  after {report[key]['after']}  "
              f"p95 ×{report[key]['p95_after_over_before']}", flush=True)
    total = len(MODES) * len(queries)
    report["same_top5"] = agree
    report["same_scores_other_tie_order"] = ties
    report["differ"] = total - agree - ties
    if args.ask:
        report["ask"] = time_answers(index, engines, queries, cold)
    report["load_avg_1m"] = round(os.getloadavg()[0], 2)
    index.close()
    print(json.dumps(report, ensure_ascii=False))
    return 0


def time_answers(index, engines: dict, queries: list[tuple[str, str]], cold) -> dict:
    """p50/p95 of IndexQA.ask with each revision's retriever in the index, filtered and across."""
    from bench.answer_cases import ACROSS
    from service.index_evidence import IndexQA
    from service.pipeline_answers import warm_answerer

    t = time.perf_counter()
    qa = IndexQA(index)
    warm_answerer(qa)  # as the service does before its first question
    print(f"answerer built in {time.perf_counter() - t:.1f} s", flush=True)
    asks = [([d], q) for d, q in queries] + [(None, q) for q in ACROSS]
    kept = index.retriever
    lat = {name: {"filtered": [], "across": []} for name in engines}
    try:
        for name, r in engines.items():  # warm-up, not timed
            index.retriever = r
            qa.ask(asks[0][1], doc_ids=asks[0][0], mode="default")
        for ids, q in asks:
            for name, r in engines.items():
                index.retriever = r
                cold()
                t = time.perf_counter()
                qa.ask(q, doc_ids=ids, mode="default")
                lat[name]["across" if ids is None else "filtered"].append((time.perf_counter() - t) * 1000)
    finally:
        index.retriever = kept
    out = {}
    for name, groups in lat.items():
        every = groups["filtered"] + groups["across"]
        out[name] = {g: {"n": len(v), "p50_ms": round(pct(v, 50), 1), "p95_ms": round(pct(v, 95), 1)}
                     for g, v in (("all", every), ("filtered", groups["filtered"]), ("across", groups["across"]))}
        print(f"ask {name:<7} {out[name]}", flush=True)
    return out


if __name__ == "__main__":
    sys.exit(main())
