"""Answer latency of the default (deterministic) answerer at 10 and 1,000 documents: p50 / p95 per
question, end to end through the chain (analyse → retrieve → answer → ground → cite), against the
retrieval step alone measured in the same run.

    .venv/bin/python -m bench.answer_latency                  # table (≈ 3–5 min on a 2-core machine)
    .venv/bin/python -m bench.answer_latency --json           # the report as JSON only (progress on stderr)
    .venv/bin/python -m bench.answer_latency --index-large    # also the 1,000-document index (slow: see below)
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
  Embedding all ~130k chunks for real would take hours on 2 cores. Every question's query embedding
  is computed by the real model (the query LRU is bypassed). Baselines: `Index.search` alone (as
  IndexQA calls it) and the whole IndexQA retrieval step (index search + in-memory ranking + fusion).
- ratios: p50 and p95 at 1,000 documents over 10 documents, and answer over retrieval-alone, all in
  this run. Timings are wall-clock floats (seconds / ms) on whatever else the machine is running.
Not measured: the LLM answerer, HTTP/serialisation overhead (bench/service_load.py), PDFs, ingest
throughput (bench/index_scale.py), concurrency.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

# Across-departments rankings (qtype "across"): the chain drops every filter and ranks all documents.
ACROSS = ["哪个部门人员经费最多？", "哪个部门“三公”经费最少？", "哪个部门项目支出最多？",
          "哪个单位公用经费最高？", "各部门基本支出排名", "哪个部门机关运行经费最低？"]


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def stats_ms(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    return {"n": len(values), "p50_ms": round(percentile(values, 0.50) * 1000, 1),
            "p95_ms": round(percentile(values, 0.95) * 1000, 1),
            "mean_ms": round(statistics.fmean(values) * 1000, 1), "max_ms": round(max(values) * 1000, 1)}


def ratio(a: dict, b: dict, key: str):
    return round(a[key] / b[key], 2) if a.get(key) and b.get(key) else None


# ---------------------------------------------------------------------------------------------
# corpus and questions


def make_corpus(work: Path, n: int, seed: int, log) -> tuple[list, dict, dict]:
    """n generated text documents, read; their labels by file name; timings."""
    from eval.generate import generate_corpus
    from indexing.read import read_document

    corpus = work / "corpus"
    t0 = time.perf_counter()
    if not (corpus / "docs").is_dir() or len(list((corpus / "docs").glob("*.txt"))) < n:
        shutil.rmtree(corpus, ignore_errors=True)
        generate_corpus(str(corpus), n, seed, formats=["text"], styles="all")
    gen_s = time.perf_counter() - t0
    paths = sorted((corpus / "docs").glob("*.txt"))[:n]
    t0 = time.perf_counter()
    docs = [read_document(p) for p in paths]
    read_s = time.perf_counter() - t0
    labels = {}
    for f in sorted((corpus / "labels").glob("*.json")):
        label = json.loads(f.read_text(encoding="utf-8"))
        labels[label["doc"]] = label
    log(f"corpus: {len(docs)} documents generated in {gen_s:.1f}s, read in {read_s:.1f}s")
    return docs, labels, {"generator": f"eval.generate --n {n} --seed {seed} --formats text",
                          "generate_s": round(gen_s, 1), "read_s": round(read_s, 1)}


def pick_questions(docs: list, labels: dict, n: int, n_across: int, seed: int) -> list[dict]:
    """`n` label questions of `docs` (each with its document), stratified over question types, in a
    seeded order, then `n_across` across-departments questions without a document."""
    rng = random.Random(seed)
    by_type: dict[str, list[dict]] = {}
    for doc in docs:
        label = labels.get(Path(doc.source).name)
        for q in (label or {}).get("qa", []):
            by_type.setdefault(q["type"], []).append({"question": q["question"], "type": q["type"], "doc": doc})
    for pool in by_type.values():
        rng.shuffle(pool)
    out: list[dict] = []
    types = sorted(by_type)
    while len(out) < n and any(by_type.values()):  # round robin over types: rare types are all taken
        for t in types:
            if by_type[t] and len(out) < n:
                out.append(by_type[t].pop())
    rng.shuffle(out)
    return out + [{"question": q, "type": "across", "doc": None} for q in (ACROSS * 2)[:n_across]]


# ---------------------------------------------------------------------------------------------
# timing


def chain_hints(question: str, doc_ids, departments: list[str], k: int = 12) -> tuple[dict, list[str]]:
    """The hints the chain passes to the retriever and the labels it passes to the figures lookup
    (service/chain.py do_retrieve / do_figures), computed outside the timing."""
    from service.analyse import analyse
    from service.chain import _filters, _hint_terms, _syn

    a = analyse(question, departments)
    filters = _filters({"question": question, "doc_ids": doc_ids}, a)
    hints = {**filters, "k": k, "terms": a.terms + _hint_terms(a)}
    if a.qtype == "across":
        hints.pop("department", None)
    return hints, [s for m in a.metrics for s in _syn(m)], filters


def time_questions(questions: list[dict], ask, steps: dict, rounds: int, log, tag: str) -> dict:
    """ask(question, doc_ids) end to end, and each baseline step(question, doc_ids) alone, per question."""
    ask(questions[0]["question"], questions[0]["ids"])  # warm-up (jieba, caches), not timed
    lat = {"answer": {"filtered": [], "across": []}, **{s: {"filtered": [], "across": []} for s in steps}}
    answered = 0
    t_start = time.perf_counter()
    for _ in range(rounds):
        for i, q in enumerate(questions):
            group = "across" if q["ids"] is None else "filtered"
            t = time.perf_counter()
            r = ask(q["question"], q["ids"])
            lat["answer"][group].append(time.perf_counter() - t)
            answered += bool(r.answerable)
            for name, step in steps.items():
                t = time.perf_counter()
                step(q["question"], q["ids"])
                lat[name][group].append(time.perf_counter() - t)
            if (i + 1) % 20 == 0:
                log(f"  [{tag}] {i + 1}/{len(questions)} questions ({time.perf_counter() - t_start:.0f}s)")
    out = {}
    for name, groups in lat.items():
        out[name] = {"all": stats_ms(groups["filtered"] + groups["across"]),
                     "filtered": stats_ms(groups["filtered"]), "across": stats_ms(groups["across"])}
    out["answerable_share"] = round(answered / (len(questions) * rounds), 2)
    return out


def memory_case(docs: list, questions: list[dict], rounds: int, log) -> dict:
    from service.chain import QAService

    t0 = time.perf_counter()
    svc = QAService(docs)
    load = time.perf_counter() - t0
    depts = svc.provider.departments()
    qs = [{**q, "ids": [q["doc"].id] if q["doc"] else None} for q in questions]
    hints = {q["question"] + str(q["ids"]): chain_hints(q["question"], q["ids"], depts) for q in qs}

    def retrieval(question, ids):
        svc.provider(question, hints[question + str(ids)][0])

    def figures(question, ids):
        h = hints[question + str(ids)]
        if h[1]:
            svc.provider.figures(h[1], h[2])

    out = time_questions(qs, lambda q, ids: svc.ask(q, **({"doc_ids": ids} if ids else {})),
                         {"retrieval": retrieval, "figures": figures}, rounds, log, f"memory {len(docs)}")
    return {"documents": len(docs), "evidence_items": len(svc.provider.items), "load_s": round(load, 2), **out}


def index_case(index, doc_ids: dict, questions: list[dict], rounds: int, log) -> dict:
    from service.index_evidence import IndexQA

    t0 = time.perf_counter()
    qa = IndexQA(index)
    load = time.perf_counter() - t0
    depts = qa.memory.departments()
    qs = [{**q, "ids": [doc_ids[q["doc"].source]] if q["doc"] else None} for q in questions]
    hints = {q["question"] + str(q["ids"]): chain_hints(q["question"], q["ids"], depts)[0] for q in qs}

    def search(question, ids):  # exactly the call IndexQA.retrieve makes
        h = hints[question + str(ids)]
        index.search(question, k=int(h.get("k") or 12), department=h.get("department"), year=h.get("year"),
                     doc_id=list(h["doc_ids"]) if h.get("doc_ids") else None)

    def retrieval(question, ids):
        qa.retrieve(question, hints[question + str(ids)])

    out = time_questions(qs, lambda q, ids: qa.ask(q, doc_ids=ids, mode="default"),
                         {"index_search": search, "retrieval": retrieval}, rounds, log, f"index {len(doc_ids)}")
    counts = index.counts()
    return {"documents": counts["documents"], "chunks": counts["chunks"], "load_s": round(load, 2), **out}


def ingest(index, emb, docs: list, doc_ids: dict, upto: int, proxy: bool, log) -> dict:
    """Ingest docs[len(doc_ids):upto]; counts of real / cached / proxied vectors (bench/index_scale.py)."""
    cache = index.vectors.cache
    before = (emb.embedded, emb.proxied, emb.head_proxied, emb.fallback, cache.hits if cache else 0, emb.embed_seconds)
    emb.proxy = proxy
    t0 = time.perf_counter()
    for doc in docs[len(doc_ids):upto]:
        emb.names = [x for x in (doc.meta.department, doc.meta.region) if x]
        doc_ids[doc.source] = index.ingest(doc).doc_id
        if len(doc_ids) % 100 == 0:
            log(f"  {len(doc_ids)} documents ingested ({time.perf_counter() - t0:.0f}s)")
    return {"seconds": round(time.perf_counter() - t0, 1), "embedded_for_real": emb.embedded - before[0],
            "exact_text_cache_hits": (cache.hits if cache else 0) - before[4],
            "template_proxies": emb.proxied - before[1], "head_proxies": emb.head_proxied - before[2],
            "fallback_vectors": emb.fallback - before[3], "model_seconds": round(emb.embed_seconds - before[5], 1)}


def index_cases(docs: list, questions: list[dict], sizes: list[int], work: Path, args, log) -> dict:
    from bench.index_scale import BenchEmbeddings
    from indexing.embeddings import get_embeddings
    from indexing.ingest import Index
    from indexing.settings import Settings

    if (work / "index").exists():
        shutil.rmtree(work / "index")
    os.environ["BUDGETQA_EMBED_CACHE"] = str(work / "index" / "embed_cache.sqlite")  # fresh: no earlier vectors
    emb = BenchEmbeddings(get_embeddings(args.model) if args.model else get_embeddings(), args.real_budget)
    index = Index(Settings(data_dir=work / "index"), embeddings=emb)
    out: dict = {"model": emb.name, "fingerprint": emb.fingerprint[:40]}
    doc_ids: dict[str, str] = {}
    try:
        for size in sizes:
            step = ingest(index, emb, docs, doc_ids, size, proxy=size > sizes[0], log=log)
            log(f"[index {size}] ingested: {json.dumps(step)}")
            res = index_case(index, doc_ids, questions, args.rounds, log)
            res["ingest"] = step
            res["vectors_model_bound"] = size == sizes[0]
            log(f"[index {size}] {summary(res)}")
            out[str(size)] = res
    finally:
        index.close()
    out["embedding_totals"] = {"embedded_for_real": emb.embedded, "template_proxies": emb.proxied,
                               "head_proxies": emb.head_proxied, "fallback_vectors": emb.fallback,
                               "exact_text_cache_hits": index.vectors.cache.hits if index.vectors.cache else 0}
    return out


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
            sizes = [small, large] if args.index_large else [small]
            report["index"] = index_cases(docs, questions, sizes, work, args, log)
            if not args.index_large:
                report["index"][str(large)] = {"skipped": f"not built (ingest of {large} documents, even with "
                                               "template proxies, takes far longer than this benchmark's 10-minute "
                                               "budget on 2 cores); opt in with --index-large"}
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


def summary(res: dict) -> str:
    return "; ".join(f"{step} p50/p95 ms {res[step]['all']['p50_ms']}/{res[step]['all']['p95_ms']}"
                     for step in ("answer", "retrieval", "index_search", "figures") if step in res)


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
            print(f"  index {size}: {r['chunks']} chunks; ingest step {i['seconds']} s; vectors: {i['embedded_for_real']} "
                  f"embedded for real, {i['exact_text_cache_hits']} exact-text cache hits, {i['template_proxies']} template "
                  f"proxies, {i['head_proxies']} head proxies, {i['fallback_vectors']} fallback; IndexQA built in "
                  f"{r['load_s']} s; answerable {r['answerable_share']}")
        print(f"  model {idx['model']} ({idx['fingerprint']}…); query embeddings always computed by the model")
    print(f"  total {report['total_s']} s; load avg (1 min) at end {report.get('load_avg_1m_at_end')}")


def seeds_mode(doc_paths: list[Path], rounds: int) -> dict:
    """The in-memory answerer over given documents, with the shared labels' questions for them."""
    from service.chain import QAService

    names = {p.name for p in doc_paths}
    qs = []
    for f in sorted((SHARED / "labels").glob("*.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        if data.get("doc") in names:
            qs += [q["question"] for q in data["qa"]]
    qs = qs or ["三公经费是多少？", "项目支出占全部支出的比例是多少？", "有哪些项目？"]
    t0 = time.perf_counter()
    svc = QAService(doc_paths)
    load = time.perf_counter() - t0
    times = []
    for _ in range(rounds):
        for q in qs:
            t = time.perf_counter()
            svc.ask(q)
            times.append(time.perf_counter() - t)
    return {"mode": "default, in-memory evidence", "documents": len(doc_paths), "questions": len(qs),
            "rounds": rounds, "load_s": round(load, 3), **stats_ms(times)}


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
