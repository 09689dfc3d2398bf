"""Answer latency of the default (deterministic) answerer at 10 and 1,000 documents: p50 / p95 per
question, end to end through the chain (analyse → retrieve → answer → ground → cite), against the
retrieval step alone measured in the same run.

    .venv/bin/python -m bench.answer_latency                  # table (≈ 3–5 min on a 2-core machine)
    .venv/bin/python -m bench.answer_latency --json           # the report as JSON only (progress on stderr)
    .venv/bin/python -m bench.answer_latency --index-large    # also the 1,000-document index (slow: see below)
    .venv/bin/python -m bench.answer_latency --index-dir DIR  # the 1,000 documents on the index that
                                                              # bench/index_scale.py --data DIR left (real vectors)
    .venv/bin/python -m bench.answer_latency --docs PATH...   # in-memory answerer over given files only

What is measured:
- corpus: `eval.generate --n 1000 --seed 11 --formats text` into a temp folder (fictional disclosures
  with labels), read once with the real reader; the 10-document corpus is its first 10 documents.
- questions: one fixed, seeded set, the same at both sizes: --questions (default 60) drawn from the
  `qa` of the labels of the first 10 documents, stratified over question types (lookup, compute,
  list, yes_no, compare, why, unanswerable), each asked with its own document's doc_ids filter as a
  portal asks, plus --across (default 6) across-departments ranking questions without any filter.
  Every question is asked --rounds times (default 1) after one warm-up question (not timed).
- "memory": `QAService(docs)`, the documents held in memory (service/evidence.InMemoryEvidence).
  Baselines: the retrieval step alone (the InMemoryEvidence call with the hints the chain passes) and
  the figures lookup alone (InMemoryEvidence.figures, the chain's other retrieval branch).
- "index": `IndexQA(index).ask(..., mode="default")`, what the HTTP service answers with: hybrid
  search on the persistent index (SQLite + Chroma + BM25) fused with the in-memory ranking, in a fresh
  folder with a fresh embedding cache. At 10 documents every chunk is embedded by the real model
  (m3e-small). By default the 1,000-document index is NOT built and that case is reported as skipped:
  growing it takes about 7 more minutes on 2 cores (bench/index_scale.py measures that ingest; most of
  it is the --real-budget new templates embedded for real and Chroma's inserts). With --index-large the
  same index grows on to 1,000 documents; beyond the first size, chunk vectors come from the
  bench/index_scale.py scheme, counted exactly and printed: exact-text cache hits (real vectors),
  "template proxies" (the vector of an earlier chunk with the same sentence but other names/figures),
  at most --real-budget new templates embedded for real, then head proxies / fallback vectors.
  With --index-dir DIR the large size is instead the index bench/index_scale.py --data DIR built for
  real (same generator, seed and size; checked). Every question is cold: its query embedding is
  computed by the real model and its documents' vectors read from Chroma (bench/index_scale.cold).
  Baselines: `Index.search` alone (as IndexQA calls it) and the whole IndexQA retrieval step (index
  search + in-memory ranking + fusion).
- stages: the wall time of each chain step (analyse, scope, retrieval, index search, in-memory
  ranking, figures lookup, default answer, grounding) while the answers are timed (bench/answer_cases.py).
- ratios: p50 and p95 at 1,000 documents over 10 documents, and answer over retrieval-alone, all in
  this run. Timings are wall-clock floats (seconds / ms) on whatever else the machine is running.
Not measured: the LLM answerer, HTTP/serialisation overhead (bench/service_load.py), PDFs, ingest
throughput (bench/index_scale.py), concurrency.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from bench.answer_cases import (  # noqa: E402
    index_cases, make_corpus, memory_case, pick_questions, seeds_mode, summary,
)

# ---------------------------------------------------------------------------------------------


def bench(args, log) -> dict:
    small, large = args.sizes
    work = Path(args.data) if args.data else Path(tempfile.mkdtemp(prefix="bq_answer_"))
    t_all = time.perf_counter()
    report: dict = {"sizes": [small, large], "seed": args.seed, "rounds": args.rounds}
    try:
        docs, labels, report["corpus"] = make_corpus(work, large, args.seed, log)
        questions = pick_questions(docs[:small], labels, args.questions, args.across, args.seed)
        types: dict[str, int] = {}
        for q in questions:
            types[q["type"]] = types.get(q["type"], 0) + 1
        report["questions"] = {"n": len(questions), "by_type": types,
                               "source": f"labels qa of the first {small} documents, own doc_ids filter; "
                                         "across questions without filter; same set at every size"}
        report["memory"] = {}
        for size in (small, large):
            log(f"[memory {size}] QAService over {size} documents")
            report["memory"][str(size)] = memory_case(docs[:size], questions, args.rounds, log)
            log(f"[memory {size}] {summary(report['memory'][str(size)])}")
        if args.no_index:
            report["index"] = {"skipped": "--no-index"}
        else:
            sizes = [small, large] if args.index_large or args.index_dir else [small]
            report["index"] = index_cases(docs, questions, sizes, work, args, log)
            if len(sizes) == 1:
                report["index"][str(large)] = {"skipped": f"not built (ingest of {large} documents, even with "
                                               "template proxies, takes far longer than this benchmark's 10-minute "
                                               "budget on 2 cores); opt in with --index-large, or time the index "
                                               "bench/index_scale.py --data DIR left with --index-dir DIR"}
        report["ratios"] = ratios(report, small, large)
    finally:
        if not args.data:
            shutil.rmtree(work, ignore_errors=True)
    report["total_s"] = round(time.perf_counter() - t_all, 1)
    try:
        report["load_avg_1m_at_end"] = round(os.getloadavg()[0], 2)
    except OSError:
        pass
    return report


def ratios(report: dict, small: int, large: int) -> dict:
    out = {}
    for path in ("memory", "index"):
        r = report.get(path) or {}
        a, b = r.get(str(small)), r.get(str(large))
        if not (a and "answer" in a):
            continue
        base = "retrieval"
        row = {}
        for group in ("all", "filtered", "across"):
            for key in ("p50_ms", "p95_ms"):
                if b and "answer" in b:
                    row[f"{group}_{key[:3]}_{large}_vs_{small}"] = ratio(b["answer"][group], a["answer"][group], key)
                for size, res in ((small, a), (large, b)):
                    if res and "answer" in res:
                        row[f"{group}_{key[:3]}_answer_vs_{base}_at_{size}"] = ratio(res["answer"][group], res[base][group], key)
        out[path] = row
    return out


def print_table(report: dict) -> None:
    small, large = report["sizes"]
    c = report["corpus"]
    print(f"\ncorpus: {c['generator']} (generated {c['generate_s']} s, read {c['read_s']} s); "
          f"questions: {report['questions']['n']} {report['questions']['by_type']} × {report['rounds']} round(s)")
    print("\nAnswer latency, default answerer, ms: p50 / p95 (all questions | with doc filter | across departments)")
    head = f"{'path':<8}{'docs':>6}  {'step':<14}{'all':>18}{'doc filter':>18}{'across':>20}"
    print(head)
    print("-" * len(head))
    for path, steps in (("memory", ("answer", "retrieval", "figures")), ("index", ("answer", "index_search", "retrieval"))):
        for size in (small, large):
            res = (report.get(path) or {}).get(str(size))
            if not res:
                continue
            if "skipped" in res:
                print(f"{path:<8}{size:>6}  skipped: {res['skipped']}")
                continue
            for step in steps:
                cells = "".join(f"{res[step][g].get('p50_ms', float('nan')):>10.1f} /{res[step][g].get('p95_ms', float('nan')):>7.1f}"
                                for g in ("all", "filtered", "across"))
                print(f"{path:<8}{size:>6}  {step:<14}{cells}")
    print("\nWhere an answer waits, mean / p95 ms per call of each chain step (wall time, threads included)")
    for path in ("memory", "index"):
        for size in (small, large):
            res = (report.get(path) or {}).get(str(size)) or {}
            if res.get("answer_stages"):
                print(f"  {path:<7}{size:>6}  " + "  ".join(
                    f"{name} {v['mean_ms']}/{v['p95_ms']}" for name, v in res["answer_stages"].items()))
    print("\nRatios (p50 / p95)")
    for path, row in report.get("ratios", {}).items():
        for group in ("all", "filtered", "across"):
            scale = f"{row.get(f'{group}_p50_{large}_vs_{small}')} / {row.get(f'{group}_p95_{large}_vs_{small}')}"
            own = "  ".join(f"answer÷retrieval at {s}: {row.get(f'{group}_p50_answer_vs_retrieval_at_{s}')} / "
                            f"{row.get(f'{group}_p95_answer_vs_retrieval_at_{s}')}" for s in (small, large))
            print(f"  {path:<7}{group:<9} {large} vs {small} docs: {scale:<14} {own}")
    print("\nSetup")
    for size in (small, large):
        m = report["memory"][str(size)]
        print(f"  memory {size}: {m['evidence_items']} evidence items, QAService built in {m['load_s']} s, "
              f"answerable {m['answerable_share']}")
    idx = report.get("index") or {}
    if "model" in idx:
        for size in (small, large):
            r = idx.get(str(size))
            if not r or "skipped" in r:
                continue
            i = r["ingest"]
            if "kept_index" in i:
                print(f"  index {size}: {r['chunks']} chunks; the index of {i['kept_index']} (bench/index_scale.py), "
                      f"{i['embedded_for_real']} vectors all real; IndexQA built in {r['load_s']} s; "
                      f"answerable {r['answerable_share']}")
                continue
            print(f"  index {size}: {r['chunks']} chunks; ingest step {i['seconds']} s; vectors: {i['embedded_for_real']} "
                  f"embedded for real, {i['exact_text_cache_hits']} exact-text cache hits, {i['template_proxies']} template "
                  f"proxies, {i['head_proxies']} head proxies, {i['fallback_vectors']} fallback; IndexQA built in "
                  f"{r['load_s']} s; answerable {r['answerable_share']}")
        print(f"  model {idx['model']} ({idx['fingerprint']}…); query embeddings always computed by the model")
    print(f"  total {report['total_s']} s; load avg (1 min) at end {report.get('load_avg_1m_at_end')}")


def ratio(a: dict, b: dict, key: str):
    return round(a[key] / b[key], 2) if a.get(key) and b.get(key) else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10,1000", help="small,large corpus sizes (default 10,1000)")
    ap.add_argument("--questions", type=int, default=60, help="label questions (with doc filter)")
    ap.add_argument("--across", type=int, default=6, help="across-departments questions (no filter)")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--seed", type=int, default=11, help="generator and question-sample seed")
    ap.add_argument("--no-index", action="store_true", help="skip the index-backed cases")
    ap.add_argument("--index-large", action="store_true",
                    help="also build the large index (template proxies, bench/index_scale.py) and time it: "
                         "slow, ~0.2-1 document/s on 2 cores, far beyond the 10-minute budget at 1,000")
    ap.add_argument("--index-dir", help="the large size on the index bench/index_scale.py --data DIR left (same "
                                        "corpus, every vector real) instead of growing one here")
    ap.add_argument("--real-budget", type=int, default=1500,
                    help="chunks with a new template embedded for real beyond the small size (bench/index_scale.py)")
    ap.add_argument("--model", default=None, help="embedding model (default: settings, m3e-small)")
    ap.add_argument("--data", help="work folder, kept (default: a temp folder, removed after)")
    ap.add_argument("--json", action="store_true", help="print the report as JSON only")
    ap.add_argument("--docs", nargs="+", type=Path, help="only time the in-memory answerer over these files")
    args = ap.parse_args(argv)
    if args.docs:
        print(json.dumps(seeds_mode(args.docs, args.rounds), ensure_ascii=False))
        return 0
    args.sizes = sorted(int(s) for s in args.sizes.split(","))
    if len(args.sizes) != 2:
        ap.error("--sizes takes two sizes, e.g. 10,1000")
    log = (lambda *a: print(*a, file=sys.stderr, flush=True)) if args.json else (lambda *a: print(*a, flush=True))
    report = bench(args, log)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print_table(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
