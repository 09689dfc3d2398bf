"""Index scale benchmark: ingest throughput and query latency at 10, 100 and 1,000 documents.

Corpus: fictional disclosures from the generator (`eval.generate`, text format, seed --seed), read
with the real reader. One index grows 10 → 100 → 1,000 documents; after each size the same query
set (questions from the generated labels) is timed in every mode, with and without a document
filter, and latency is reported as p50/p95 and as ratios against the first size of the same run.

What is embedded for real, and what is reused (printed in the report, counted exactly):
- the embedding cache (indexing/embed_cache.py) is a *fresh* file for every run, so nothing comes
  from earlier runs;
- sizes up to the first one (10 documents): every chunk is embedded by the real model
  (m3e-small by default); this is the real ingest throughput;
- beyond it, a chunk whose exact text was embedded before comes from the cache (the production
  path: generated documents share template sentences). A chunk with new text is embedded for real
  when its *template* (the text with the department/region names and all digits masked) is new;
  when the template was embedded before, the vector of that earlier text is reused ("template
  proxy": same sentence, other figures). Beyond --real-budget new templates (default 1,500, to
  finish in time on a loaded 2-core machine), a new template gets the vector of an earlier chunk
  with the same *head* (document/section heading or table title, names and digits masked: "head
  proxy"), else of the previous chunk embedded ("fallback"). Embedding all ~130k chunks of 1,000 documents for real
  would take 1.5–3 hours on 2 shared cores. Everything else (reading, chunking, jieba, SQLite,
  Chroma HNSW inserts, BM25 rebuild) runs for real at every size. Ingest throughput beyond the
  first size is therefore *not* model-bound and is labelled as such.
- every query embeds the question with the real model (the query LRU is bypassed).
Dense search with a document filter ranks that document's chunks exactly (indexing/retrieve.py,
EXACT_DENSE_MAX); wider searches walk Chroma's HNSW graph. The whole run takes about 9 minutes on
2 cores and ~2 GB of disk in the work folder.
Run: .venv/bin/python bench/index_scale.py [--sizes 10,100,1000] [--queries 40] [--json] [--data DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
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

from langchain_core.embeddings import Embeddings  # noqa: E402

_DIGITS = re.compile(r"\d[\d,.]*")


class BenchEmbeddings(Embeddings):
    """The real model, plus template proxies once `proxy` is switched on (see the module doc).
    Exact-text reuse happens before this class is asked, in the VectorStore's embedding cache."""

    def __init__(self, real, real_budget: int = 1500):
        self.real = real
        self.real_budget = real_budget  # real embeddings allowed once proxies are on
        self.real_in_proxy = 0
        self.heads: dict[str, list[float]] = {}
        self.head_proxied = 0
        self.fallback = 0
        self.last = None
        self.name = real.name
        self.fingerprint = real.fingerprint  # exact-text cache hits are real vectors of this model
        self.proxy = False
        self.names: list[str] = []  # department/region of the document being ingested
        self.templates: dict[str, list[float]] = {}
        self.embedded = 0  # chunks the model really encoded
        self.proxied = 0  # chunks given the vector of an earlier text with the same template
        self.embed_seconds = 0.0

    def template(self, text: str) -> str:
        for name in self.names:
            text = text.replace(name, "<D>")
        return _DIGITS.sub("#", text)

    def embed_documents(self, texts):
        texts = list(texts)
        keys = [self.template(t) for t in texts]
        todo = [i for i, k in enumerate(keys) if not (self.proxy and k in self.templates)]
        if self.proxy:
            todo = todo[: max(0, self.real_budget - self.real_in_proxy)]
            self.real_in_proxy += len(todo)
        out: list = [None] * len(texts)
        if todo:
            t0 = time.perf_counter()
            vectors = self.real.embed_documents([texts[i] for i in todo])
            self.embed_seconds += time.perf_counter() - t0
            self.embedded += len(todo)
            for i, v in zip(todo, vectors):
                out[i] = v
                self.templates.setdefault(keys[i], v)
                self.heads.setdefault(self.head(keys[i]), v)
                self.last = v
        for i, k in enumerate(keys):
            if out[i] is None:
                if k in self.templates:
                    out[i] = self.templates[k]
                    self.proxied += 1
                elif self.head(k) in self.heads:
                    out[i] = self.heads[self.head(k)]
                    self.head_proxied += 1
                else:
                    out[i] = self.last
                    self.fallback += 1
        return out

    @staticmethod
    def head(template: str) -> str:
        return template.split(": ", 1)[0].split("\n", 1)[0]

    def embed_query(self, text):
        return self.real._encode([text])[0]  # bypass the query LRU: every query pays for its embedding


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


def measure(index, queries: list[tuple[str, str]]) -> dict:
    t = time.perf_counter()
    index.search("预热", k=5, mode="bm25")  # BM25 is rebuilt lazily after ingest: time it apart
    out = {"bm25_rebuild_s": round(time.perf_counter() - t, 2)}
    index.search("预热", k=5, mode="dense")
    for doc_id, q in queries[:3]:  # warm caches (SQLite pages, HNSW segments) outside the timing
        index.search(q, k=5, mode="hybrid", doc_id=doc_id)
    for mode, scoped in MODES:
        lat = []
        for doc_id, q in queries:
            t = time.perf_counter()
            index.search(q, k=5, mode=mode, doc_id=doc_id if scoped else None)
            lat.append((time.perf_counter() - t) * 1000)
        out[f"{mode}_{'doc' if scoped else 'all'}"] = {"p50_ms": round(pct(lat, 50), 1), "p95_ms": round(pct(lat, 95), 1)}
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10,100,1000")
    ap.add_argument("--queries", type=int, default=40, help="questions timed per mode and size")
    ap.add_argument("--seed", type=int, default=11, help="generator seed (the held-out test set uses 7)")
    ap.add_argument("--real-budget", type=int, default=1500,
                    help="chunks with a new template embedded for real beyond the first size")
    ap.add_argument("--model", default=None, help="embedding model (default: settings, m3e-small)")
    ap.add_argument("--data", help="work folder (default: a temp folder, removed after)")
    ap.add_argument("--json", action="store_true", help="print the report as JSON only")
    ap.add_argument("--plot", help="also draw latency p50/p95 against corpus size into this .svg or .png file")
    args = ap.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    log = (lambda *a: print(*a, file=sys.stderr, flush=True)) if args.json else (lambda *a: print(*a, flush=True))

    from eval.generate import generate_corpus
    from indexing.embeddings import get_embeddings
    from indexing.ingest import Index
    from indexing.read import read_document
    from indexing.settings import Settings

    work = Path(args.data) if args.data else Path(tempfile.mkdtemp(prefix="bq_scale_"))
    if (work / "index").exists():
        shutil.rmtree(work / "index")
    os.environ["BUDGETQA_EMBED_CACHE"] = str(work / "index" / "embed_cache.sqlite")  # fresh: no earlier vectors
    report: dict = {"sizes": {}, "corpus": {}, "embedding": {}}
    t_all = time.perf_counter()
    try:
        t0 = time.perf_counter()
        corpus = work / "corpus"
        if not (corpus / "docs").is_dir() or len(list((corpus / "docs").glob("*.txt"))) < sizes[-1]:
            shutil.rmtree(corpus, ignore_errors=True)
            generate_corpus(str(corpus), sizes[-1], args.seed, formats=["text"], styles="all")
        paths = sorted((corpus / "docs").glob("*.txt"))[: sizes[-1]]
        gen_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        docs = [read_document(p) for p in paths]
        read_s = time.perf_counter() - t0
        report["corpus"] = {"generator": f"eval.generate --n {sizes[-1]} --seed {args.seed} --formats text",
                            "generate_s": round(gen_s, 1), "read_s": round(read_s, 1),
                            "read_docs_per_s": round(len(docs) / read_s, 1)}
        log(f"corpus: {len(docs)} documents generated in {gen_s:.1f}s, read in {read_s:.1f}s")

        real = get_embeddings(args.model) if args.model else get_embeddings()
        emb = BenchEmbeddings(real, args.real_budget)
        index = Index(Settings(data_dir=work / "index"), embeddings=emb)
        cache = index.vectors.cache
        doc_ids: dict[str, str] = {}
        n = 0
        first_latency = None
        try:
            for size in sizes:
                emb.proxy = size > sizes[0]
                before = {"chunks": index.counts()["chunks"], "embedded": emb.embedded, "proxied": emb.proxied,
                          "head": emb.head_proxied, "fallback": emb.fallback,
                          "hits": cache.hits if cache else 0, "embed_s": emb.embed_seconds}
                t0 = time.perf_counter()
                while n < size:
                    doc = docs[n]
                    emb.names = [x for x in (doc.meta.department, doc.meta.region) if x]
                    r = index.ingest(doc)
                    doc_ids[doc.source] = r.doc_id
                    n += 1
                    if n % 100 == 0:
                        log(f"  {n} documents ingested ({time.perf_counter() - t0:.0f}s for this step)")
                took = time.perf_counter() - t0
                counts = index.counts()
                added = counts["chunks"] - before["chunks"]
                docs_added = size - (sizes[sizes.index(size) - 1] if sizes.index(size) else 0)
                step = {
                    "documents": counts["documents"], "chunks": counts["chunks"], "vectors": counts["vectors"],
                    "ingest": {
                        "documents_added": docs_added, "chunks_added": added, "seconds": round(took, 1),
                        "chunks_per_s": round(added / took, 1) if took else None,
                        "documents_per_min": round(docs_added / took * 60, 1) if took else None,
                        "model_bound": not emb.proxy,
                        "embedded_for_real": emb.embedded - before["embedded"],
                        "exact_text_cache_hits": (cache.hits if cache else 0) - before["hits"],
                        "template_proxies": emb.proxied - before["proxied"],
                        "head_proxies": emb.head_proxied - before["head"],
                        "fallback_vectors": emb.fallback - before["fallback"],
                        "model_seconds": round(emb.embed_seconds - before["embed_s"], 1),
                    },
                }
                queries = load_queries(corpus / "labels", doc_ids, args.queries, random.Random(args.seed))
                step["latency"] = measure(index, queries)
                step["queries"] = len(queries)
                if first_latency is None:
                    first_latency = step["latency"]
                else:
                    step["p50_ratio_vs_first"] = {k: round(v["p50_ms"] / first_latency[k]["p50_ms"], 2)
                                                  for k, v in step["latency"].items() if isinstance(v, dict)}
                    step["p95_ratio_vs_first"] = {k: round(v["p95_ms"] / first_latency[k]["p95_ms"], 2)
                                                  for k, v in step["latency"].items() if isinstance(v, dict)}
                report["sizes"][str(size)] = step
                log(f"[{size} docs] {json.dumps(step, ensure_ascii=False)}")
            report["embedding"] = {
                "model": emb.name, "fingerprint": emb.fingerprint[:40],
                "embedded_for_real": emb.embedded, "template_proxies": emb.proxied,
                "head_proxies": emb.head_proxied, "fallback_vectors": emb.fallback,
                "exact_text_cache_hits": cache.hits if cache else 0,
                "real_chunks_per_s": round(emb.embedded / emb.embed_seconds, 1) if emb.embed_seconds else None,
            }
            report["disk_mb"] = round(sum(f.stat().st_size for f in (work / "index").rglob("*") if f.is_file()) / 1e6, 1)
        finally:
            index.close()
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
    print("\nIngest (reading and generation excluded; Documents already in memory)")
    print(f"{'docs':>6}{'chunks':>9}{'added':>8}{'s':>8}{'chunks/s':>10}{'docs/min':>10}"
          f"{'real':>8}{'cached':>8}{'tmpl':>8}{'head':>7}{'fallbk':>7}  model-bound")
    for size in sizes:
        s = report["sizes"][str(size)]
        i = s["ingest"]
        print(f"{size:>6}{s['chunks']:>9}{i['chunks_added']:>8}{i['seconds']:>8}{i['chunks_per_s']:>10}"
              f"{i['documents_per_min']:>10}{i['embedded_for_real']:>8}{i['exact_text_cache_hits']:>8}"
              f"{i['template_proxies']:>8}{i['head_proxies']:>7}{i['fallback_vectors']:>7}  {'yes' if i['model_bound'] else 'no'}")
    print("\nQuery latency, k=5, ms (p50 / p95); ×: p50 ratio against the first size of this run")
    keys = [f"{m}_{'doc' if scoped else 'all'}" for m, scoped in MODES]
    print(f"{'docs':>6}{'bm25 rebuild s':>16}  " + "".join(f"{k:>22}" for k in keys))
    for size in sizes:
        s = report["sizes"][str(size)]
        lat, ratio = s["latency"], s.get("p50_ratio_vs_first", {})
        cells = "".join(f"{lat[k]['p50_ms']:>8.1f}/{lat[k]['p95_ms']:<7.1f}{('×' + str(ratio[k])) if k in ratio else '':>6}"
                        for k in keys)
        print(f"{size:>6}{lat['bm25_rebuild_s']:>16}  {cells}")
    e = report["embedding"]
    print(f"\nembedding {e['model']} ({e['fingerprint']}…): {e['embedded_for_real']} chunks embedded for real "
          f"({e['real_chunks_per_s']} chunks/s while encoding), {e['exact_text_cache_hits']} exact-text cache hits, "
          f"{e['template_proxies']} template proxies, {e['head_proxies']} head proxies, {e['fallback_vectors']} fallback "
          f"vectors; index on disk {report['disk_mb']} MB; "
          f"total {report['total_s']} s; load avg at end {report.get('load_avg_1m_at_end')}")


if __name__ == "__main__":
    sys.exit(main())
