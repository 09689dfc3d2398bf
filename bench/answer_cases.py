"""What bench/answer_latency.py times: the corpus and the question set, the in-memory and the
index-backed answerer, each with its baseline steps, and where an answer spends its time.

The stage clock wraps the chain's steps (analyse, scope, retrieval, figures lookup, default answer,
grounding) for the duration of a case, so the report says which step a slow answer waited on. The
large index is either grown here (template-proxy vectors beyond the first size, bench/proxy_embeddings.py)
or, with --index-dir, the index bench/index_scale.py left in its --data folder: the same generated
corpus (eval.generate, seed 11, text), every vector computed by the real model.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

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


def time_questions(questions: list[dict], ask, steps: dict, rounds: int, log, tag: str, clock: dict,
                   fresh=lambda: None) -> dict:
    """ask(question, doc_ids) end to end, and each baseline step(question, doc_ids) alone, per question.
    `clock`: the stage clock's record (stage_clock), written while `ask` runs only; `fresh()` runs
    before each timed call (an index forgets its cached query embedding and vectors: a new question)."""
    ask(questions[0]["question"], questions[0]["ids"])  # warm-up (jieba, caches), not timed
    lat = {"answer": {"filtered": [], "across": []}, **{s: {"filtered": [], "across": []} for s in steps}}
    answered = 0
    t_start = time.perf_counter()
    clock.clear()
    for _ in range(rounds):
        for i, q in enumerate(questions):
            group = "across" if q["ids"] is None else "filtered"
            fresh()
            clock["_on"] = True
            t = time.perf_counter()
            r = ask(q["question"], q["ids"])
            lat["answer"][group].append(time.perf_counter() - t)
            clock["_on"] = False
            answered += bool(r.answerable)
            for name, step in steps.items():
                fresh()
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
    out["answer_stages"] = stage_means(clock)
    return out


def memory_case(docs: list, questions: list[dict], rounds: int, log) -> dict:
    with stage_clock({}) as clock:
        return _memory_case(docs, questions, rounds, log, clock)


def _memory_case(docs: list, questions: list[dict], rounds: int, log, clock: dict) -> dict:
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
                         {"retrieval": retrieval, "figures": figures}, rounds, log, f"memory {len(docs)}", clock)
    return {"documents": len(docs), "evidence_items": len(svc.provider.items), "load_s": round(load, 2), **out}


def index_case(index, doc_ids: dict, questions: list[dict], rounds: int, log) -> dict:
    with stage_clock({}) as clock:
        return _index_case(index, doc_ids, questions, rounds, log, clock)


def _index_case(index, doc_ids: dict, questions: list[dict], rounds: int, log, clock: dict) -> dict:
    from bench.index_scale import cold
    from service.index_evidence import IndexQA

    from service.pipeline_answers import warm_answerer

    t0 = time.perf_counter()
    qa = IndexQA(index)
    warm_answerer(qa)  # as the service does before its first question (Pipeline._warm)
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
                         {"index_search": search, "retrieval": retrieval}, rounds, log, f"index {len(doc_ids)}",
                         clock, fresh=lambda: cold(index))
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
    from bench.proxy_embeddings import BenchEmbeddings
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
            if size > sizes[0] and args.index_dir:
                out[str(size)] = kept_index_case(Path(args.index_dir), docs[:size], questions, args, log)
                continue
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


def kept_index_case(folder: Path, docs: list, questions: list[dict], args, log) -> dict:
    """The large size on the index bench/index_scale.py --data FOLDER left: every vector real. It
    must hold exactly these documents (the same generator, seed and size)."""
    from indexing.embeddings import get_embeddings
    from indexing.ingest import Index
    from indexing.settings import Settings

    os.environ["BUDGETQA_EMBED_CACHE"] = str(folder / "index" / "embed_cache.sqlite")
    index = Index(Settings(data_dir=folder / "index"), embeddings=get_embeddings(args.model) if args.model else get_embeddings())
    try:
        ready = {r.doc_id for r in index.documents()}
        missing = [d.source for d in docs if d.id not in ready]
        if missing or len(ready) != len(docs):
            raise SystemExit(f"{folder}: the index holds {len(ready)} documents, {len(missing)} of the {len(docs)} "
                             f"of this corpus missing (run bench/index_scale.py --data {folder} with --seed {args.seed})")
        log(f"[index {len(docs)}] the kept index of {folder}: {len(ready)} documents, every vector real")
        res = index_case(index, {d.source: d.id for d in docs}, questions, args.rounds, log)
        res["ingest"] = {"kept_index": str(folder), "embedded_for_real": index.counts()["vectors"]}
        log(f"[index {len(docs)}] {summary(res)}")
        return res
    finally:
        index.close()


# ---------------------------------------------------------------------------------------------
# where the time goes


STAGES = (("service.chain", "analyse", "analyse"), ("service.chain", "_scope", "scope"),
          ("service.chain", "answer_default", "answer_default"), ("service.chain", "ground", "ground"),
          ("service.index_evidence", "IndexQA.retrieve", "retrieval"),
          ("indexing.ingest", "Index.search", "index_search"),
          ("service.evidence", "InMemoryEvidence.__call__", "memory_ranking"),
          ("service.evidence", "InMemoryEvidence.figures", "figures"))


@contextmanager
def stage_clock(out: dict):
    """Wall time of each chain step while the block runs, appended to out[step] in seconds (the
    steps run in LangChain's worker threads too: wall time, not a profile of one thread)."""
    import importlib

    undo = []
    for module, attr, name in STAGES:
        owner = importlib.import_module(module)
        *path, leaf = attr.split(".")
        for part in path:
            owner = getattr(owner, part, None)
        if owner is None or not hasattr(owner, leaf):
            continue
        original = getattr(owner, leaf)

        def timed(*a, _f=original, _name=name, **k):
            t = time.perf_counter()
            try:
                return _f(*a, **k)
            finally:
                if out.get("_on"):
                    out.setdefault(_name, []).append(time.perf_counter() - t)

        setattr(owner, leaf, timed)
        undo.append((owner, leaf, original))
    try:
        yield out
    finally:
        for owner, leaf, original in reversed(undo):
            setattr(owner, leaf, original)


def stage_means(times: dict) -> dict:
    return {name: {"calls": len(v), "mean_ms": round(statistics.fmean(v) * 1000, 2),
                   "p95_ms": round(percentile(v, 0.95) * 1000, 1)} for name, v in times.items()
            if name != "_on" and v}


def summary(res: dict) -> str:
    return "; ".join(f"{step} p50/p95 ms {res[step]['all']['p50_ms']}/{res[step]['all']['p95_ms']}"
                     for step in ("answer", "retrieval", "index_search", "figures") if step in res)


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
