"""Index scale benchmark: 1,000 documents embedded for real, ingest throughput, query latency at
10, 100 and 1,000 documents, and a projection to 20,000.

Corpus: fictional disclosures from the generator (`eval.generate`, text format, seed --seed). One
index grows 10 → 100 → 1,000 documents through the production batch path (indexing/batch.py: a Dask
LocalCluster reads, chunks and embeds, this process alone writes), timed per step including reading.
Every vector is computed by the real model (ONNX int8 m3e-small by default) in this run: the
embedding cache is a fresh file, and its only hits are chunks whose exact text an earlier document
of this run already had (generated documents share template sentences; a hit is that same text's
vector, counted and printed). --no-cache turns even that off. Nothing else is reused or proxied.
After each size the same query set (questions from the generated labels) is timed in every mode,
with and without a document filter (p50/p95, ratios against the first size of the same run), each
query cold: its embedding computed by the model and its documents' vectors read from Chroma, as for
a question never asked before; the mean time of each stage of the search is printed beside it.
--measure-only --data DIR times the same queries again on the index a run left in DIR.
The raw encode rate is measured on the embedded chunks of the first size, in this process.
Projection: disk (index folder) and this process's memory (RSS after the BM25 index is built) grow
linearly in documents; both are fitted on the last two sizes and extended to --project documents,
with the ingest time at the measured rate and the query p95 extended on the log-log slope.
Run: .venv/bin/python bench/index_scale.py [--sizes 10,100,1000] [--queries 40] [--workers N] [--json]
     .venv/bin/python bench/index_scale.py --data DIR --measure-only   # queries only, on DIR's index
"""

from __future__ import annotations

import argparse
import json
import os
import random
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


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    pos = (len(values) - 1) * p / 100
    lo, hi = int(pos), min(int(pos) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (pos - lo)


def load_queries(labels_dir: Path, doc_ids: dict[str, str], n: int, rng: random.Random) -> list[tuple[str, str]]:
    """(doc id, question) pairs from the labels of ingested documents, a fixed random sample."""
    pool = []
    for f in sorted(labels_dir.glob("*.json")):
        label = json.loads(f.read_text())
        if label["doc"] in doc_ids:
            pool += [(doc_ids[label["doc"]], q["question"]) for q in label["qa"]]
    rng.shuffle(pool)
    return pool[:n]


MODES = (("hybrid", True), ("hybrid", False), ("dense", True), ("dense", False), ("bm25", True), ("bm25", False))


def cold(index) -> None:
    """Every timed query is a new question: its embedding is computed by the model (the query LRU is
    emptied) and its documents' vectors come from Chroma (the retriever's vector cache is emptied)."""
    queries = getattr(index.vectors.embeddings, "_queries", None)
    if queries is not None:
        queries.clear()
    index.retriever.drop_cached_vectors()


def measure(index, queries: list[tuple[str, str]]) -> dict:
    t = time.perf_counter()
    index.search("预热", k=5, mode="bm25")  # BM25 is rebuilt lazily after ingest: time it apart
    out = {"bm25_rebuild_s": round(time.perf_counter() - t, 2)}
    index.search("预热", k=5, mode="dense")
    for doc_id, q in queries[:3]:  # warm caches (SQLite pages, HNSW segments) outside the timing
        index.search(q, k=5, mode="hybrid", doc_id=doc_id)
    for mode, scoped in MODES:
        lat, stages = [], {}
        for doc_id, q in queries:
            cold(index)
            t = time.perf_counter()
            index.search(q, k=5, mode=mode, doc_id=doc_id if scoped else None)
            lat.append((time.perf_counter() - t) * 1000)
            for name, ms in index.retriever.last_stages.items():
                stages.setdefault(name, []).append(ms)
        out[f"{mode}_{'doc' if scoped else 'all'}"] = {
            "p50_ms": round(pct(lat, 50), 1), "p95_ms": round(pct(lat, 95), 1),
            "stages_mean_ms": {name: round(sum(v) / len(v), 2) for name, v in stages.items()}}
    out["load_avg_1m"] = round(os.getloadavg()[0], 2)
    return out


def measure_only(work: Path, n_queries: int, seed: int) -> dict:
    """Latency on the index an earlier run left in --data (after a change to the search code)."""
    from indexing.embeddings import get_embeddings
    from indexing.ingest import Index
    from indexing.settings import Settings

    os.environ["BUDGETQA_EMBED_CACHE"] = str(work / "index" / "embed_cache.sqlite")
    index = Index(Settings(data_dir=work / "index"), embeddings=get_embeddings())
    try:
        names = {Path(r.source).name: r.doc_id for r in index.documents()}
        queries = load_queries(work / "corpus" / "labels", names, n_queries, random.Random(seed))
        return {"documents": len(names), "queries": len(queries), "latency": measure(index, queries)}
    finally:
        index.close()


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 1e6


def folder_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def raw_encode(emb, paths: list[Path]) -> dict:
    from indexing.chunks import chunk_document
    from indexing.read import read_document
    from indexing.stores import embedded

    texts = [c.text for p in paths for c in chunk_document(read_document(p)) if embedded(c)]
    t = time.perf_counter()
    emb.embed_documents(texts)
    s = time.perf_counter() - t
    return {"chunks": len(texts), "seconds": round(s, 1), "chunks_per_s": round(len(texts) / s, 1)}


def project(report: dict, sizes: list[int], target: int) -> dict:
    """Linear growth of disk and memory from the last two sizes; latency on the log-log slope."""
    import math

    a, b = str(sizes[-2]), str(sizes[-1])
    sa, sb = report["sizes"][a], report["sizes"][b]
    span = sizes[-1] - sizes[-2]

    def linear(key: str) -> float:
        per_doc = (sb[key] - sa[key]) / span
        return round(sb[key] + per_doc * (target - sizes[-1]), 1)

    out = {"documents": target, "disk_mb": linear("disk_mb"), "rss_mb": linear("rss_mb"),
           "disk_mb_per_doc": round((sb["disk_mb"] - sa["disk_mb"]) / span, 3)}
    rate = sum(report["sizes"][str(n)]["ingest"]["documents_added"] for n in sizes) / sum(
        report["sizes"][str(n)]["ingest"]["seconds"] for n in sizes)
    out["ingest_hours_this_machine"] = round(target / rate / 3600, 2)
    lat = {}
    for key, vb in sb["latency"].items():
        if not isinstance(vb, dict):
            continue
        va = sa["latency"][key]
        slope = math.log(max(vb["p95_ms"], 1e-3) / max(va["p95_ms"], 1e-3)) / math.log(sizes[-1] / sizes[-2])
        lat[key] = {"p95_ms": round(vb["p95_ms"] * (target / sizes[-1]) ** slope, 1), "slope": round(slope, 2)}
    out["latency_p95"] = lat
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10,100,1000")
    ap.add_argument("--queries", type=int, default=40, help="questions timed per mode and size")
    ap.add_argument("--seed", type=int, default=11, help="generator seed (the held-out test set uses 7)")
    ap.add_argument("--workers", type=int, default=None, help="local Dask workers (default: the cores)")
    ap.add_argument("--no-cache", action="store_true", help="no embedding cache at all, not even exact-text hits")
    ap.add_argument("--project", type=int, default=20000, help="documents to project to")
    ap.add_argument("--data", help="work folder (default: a temp folder, removed after)")
    ap.add_argument("--json", action="store_true", help="print the report as JSON only")
    ap.add_argument("--plot", help="also draw latency p50/p95 against corpus size into this .svg or .png file")
    ap.add_argument("--measure-only", action="store_true",
                    help="no ingest: time the queries on the index an earlier run left in --data")
    args = ap.parse_args(argv)
    if args.measure_only:
        if not args.data:
            ap.error("--measure-only needs --data (the folder of an earlier run)")
        print(json.dumps(measure_only(Path(args.data), args.queries, args.seed), ensure_ascii=False, indent=1))
        return 0
    sizes = sorted(int(s) for s in args.sizes.split(","))
    log = (lambda *a: print(*a, file=sys.stderr, flush=True)) if args.json else (lambda *a: print(*a, flush=True))

    from eval.generate import generate_corpus
    from indexing.batch import dask_client, ingest_batch
    from indexing.embeddings import get_embeddings
    from indexing.ingest import Index
    from indexing.settings import Settings

    work = Path(args.data) if args.data else Path(tempfile.mkdtemp(prefix="bq_scale_"))
    if (work / "index").exists():
        shutil.rmtree(work / "index")
    os.environ["BUDGETQA_EMBED_CACHE"] = "off" if args.no_cache else str(work / "index" / "embed_cache.sqlite")
    report: dict = {"sizes": {}, "corpus": {}, "embedding": {}}
    t_all = time.perf_counter()
    try:
        t0 = time.perf_counter()
        corpus = work / "corpus"
        if not (corpus / "docs").is_dir() or len(list((corpus / "docs").glob("*.txt"))) < sizes[-1]:
            shutil.rmtree(corpus, ignore_errors=True)
            generate_corpus(str(corpus), sizes[-1], args.seed, formats=["text"], styles="all")
        paths = sorted((corpus / "docs").glob("*.txt"))[: sizes[-1]]
        report["corpus"] = {"generator": f"eval.generate --n {sizes[-1]} --seed {args.seed} --formats text",
                            "generate_s": round(time.perf_counter() - t0, 1)}
        emb = get_embeddings()
        report["embedding"] = {"model": emb.name, "backend": emb.backend, "raw_encode_first_size": raw_encode(emb, paths[: sizes[0]])}
        log(f"corpus: {len(paths)} documents; raw encode {report['embedding']['raw_encode_first_size']}")
        index = Index(Settings(data_dir=work / "index"), embeddings=emb)
        doc_ids: dict[str, str] = {}
        n = 0
        first_latency = None
        try:
            with dask_client(args.workers) as client:
                report["workers"] = len(client.scheduler_info()["workers"])
                for size in sizes:
                    t0 = time.perf_counter()
                    results = ingest_batch(index, paths[n:size], client, progress=not args.json)
                    took = time.perf_counter() - t0
                    for p, r in zip(paths[n:size], results):
                        doc_ids[p.name] = r.doc_id
                    failed = [r for r in results if r.status == "failed"]
                    docs_added, n = size - n, size
                    counts = index.counts()
                    step = {"documents": counts["documents"], "chunks": counts["chunks"], "vectors": counts["vectors"],
                            "ingest": {"documents_added": docs_added, "failed": len(failed), "seconds": round(took, 1),
                                       "docs_per_s": round(docs_added / took, 2),
                                       "vectors_per_s": round((counts["vectors"] - (report["sizes"][str(sizes[sizes.index(size) - 1])]["vectors"] if sizes.index(size) else 0)) / took, 1)}}
                    queries = load_queries(corpus / "labels", doc_ids, args.queries, random.Random(args.seed))
                    step["latency"] = measure(index, queries)
                    step["queries"] = len(queries)
                    step["disk_mb"] = round(folder_mb(work / "index"), 1)
                    step["rss_mb"] = round(rss_mb(), 1)
                    if first_latency is None:
                        first_latency = step["latency"]
                    else:
                        step["p95_ratio_vs_first"] = {k: round(v["p95_ms"] / first_latency[k]["p95_ms"], 2)
                                                      for k, v in step["latency"].items() if isinstance(v, dict)}
                    report["sizes"][str(size)] = step
                    log(f"[{size} docs] {json.dumps(step, ensure_ascii=False)}")
            # The workers' cache counters live in the workers; the cache file says what was encoded.
            cache = index.vectors.cache
            vectors = index.counts()["vectors"]
            encoded = cache.count(emb.fingerprint) if cache else vectors
            report["embedding"]["texts_encoded_in_workers"] = encoded
            report["embedding"]["exact_text_cache_hits"] = vectors - encoded
        finally:
            index.close()
        report["ingest_total_s"] = round(sum(report["sizes"][str(s)]["ingest"]["seconds"] for s in sizes), 1)
        if len(sizes) >= 2:
            report["projection"] = project(report, sizes, args.project)
        report["total_s"] = round(time.perf_counter() - t_all, 1)
        try:
            report["load_avg_1m_at_end"] = round(os.getloadavg()[0], 2)
        except OSError:
            pass
    finally:
        if not args.data:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print_table(report, sizes)
    if args.plot:
        plot(report, sizes, Path(args.plot))
        log(f"plot: {args.plot}")
    return 0


def plot(report: dict, sizes: list[int], path: Path) -> None:
    """Latency against corpus size, log-log: a flat line is a search that does not slow down."""
    from eval.report import _plt

    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for ax, scoped in zip(axes, (True, False)):
        for i, mode in enumerate(("hybrid", "dense", "bm25")):
            key = f"{mode}_{'doc' if scoped else 'all'}"
            for stat, style in (("p50_ms", "-o"), ("p95_ms", ":")):
                ax.plot(sizes, [report["sizes"][str(n)]["latency"][key][stat] for n in sizes], style,
                        color=f"C{i}", label=f"{mode} {stat[:3]}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(sizes, [str(n) for n in sizes])
        ax.set_xlabel("documents in the index")
        ax.set_title("one document (filter)" if scoped else "all documents")
    axes[0].set_ylabel("query latency, ms (k=5)")
    axes[1].legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def print_table(report: dict, sizes: list[int]) -> None:
    print(f"\nIngest on {report.get('workers')} Dask workers (reading included; every vector computed in this run)")
    print(f"{'docs':>6}{'chunks':>9}{'vectors':>9}{'s':>8}{'docs/s':>8}{'vec/s':>8}{'disk MB':>9}{'RSS MB':>8}")
    for size in sizes:
        s = report["sizes"][str(size)]
        i = s["ingest"]
        print(f"{size:>6}{s['chunks']:>9}{s['vectors']:>9}{i['seconds']:>8}{i['docs_per_s']:>8}{i['vectors_per_s']:>8}"
              f"{s['disk_mb']:>9}{s['rss_mb']:>8}")
    print("\nQuery latency, k=5, ms (p50 / p95); ×: p95 ratio against the first size of this run")
    keys = [f"{m}_{'doc' if scoped else 'all'}" for m, scoped in MODES]
    print(f"{'docs':>6}{'bm25 rebuild s':>16}  " + "".join(f"{k:>22}" for k in keys))
    for size in sizes:
        s = report["sizes"][str(size)]
        lat, ratio = s["latency"], s.get("p95_ratio_vs_first", {})
        cells = "".join(f"{lat[k]['p50_ms']:>8.1f}/{lat[k]['p95_ms']:<7.1f}{('×' + str(ratio[k])) if k in ratio else '':>6}"
                        for k in keys)
        print(f"{size:>6}{lat['bm25_rebuild_s']:>16}  {cells}")
    print("\nWhere a hybrid search spends its time, mean ms per stage (load average when measured)")
    for size in sizes:
        lat = report["sizes"][str(size)]["latency"]
        for key in ("hybrid_doc", "hybrid_all"):
            parts = "  ".join(f"{k} {v}" for k, v in lat[key].get("stages_mean_ms", {}).items())
            print(f"{size:>6} {key:<11} {parts}   (load {lat.get('load_avg_1m')})")
    e = report["embedding"]
    print(f"\nembedding {e['model']} ({e['backend']}): raw encode {e['raw_encode_first_size']}; "
          f"texts encoded {e.get('texts_encoded_in_workers')}, exact-text cache hits {e.get('exact_text_cache_hits')}; "
          f"ingest total {report['ingest_total_s']} s; total {report['total_s']} s; load avg at end {report.get('load_avg_1m_at_end')}")
    if "projection" in report:
        print(f"projection: {json.dumps(report['projection'], ensure_ascii=False)}")


if __name__ == "__main__":
    sys.exit(main())
