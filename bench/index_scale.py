"""Index scale benchmark: ingest throughput and query latency at 10, 100 and 1,000 documents.

Documents are the seeds perturbed in memory (department and district renamed, every figure scaled
by a per-document factor, a fresh id), so the corpus grows without new files. One index grows
10 → 100 → 1,000 and latency is measured at each size with the same queries (the gold questions).

What is measured, honestly:
- the first 10 documents are embedded with the real m3e-small model: that is the real ingest
  throughput (embedding dominates it);
- documents 11..N reuse the vector of the seed chunk at the same position plus small Gaussian noise
  (re-normalised) instead of running the model: embedding 260k chunks on 2 shared cores would take
  hours. This measures everything else at scale (jieba, SQLite, Chroma HNSW inserts) and gives
  Chroma a realistic vector distribution; query latency always includes a real m3e query embedding.
Run: .venv/bin/python bench/index_scale.py [--sizes 10,100,1000] [--queries 30] [--data DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from langchain_core.embeddings import Embeddings  # noqa: E402

from indexing.chunks import chunk_document  # noqa: E402
from indexing.model import Document  # noqa: E402
from indexing.numbers import find_numbers  # noqa: E402

SHARED = ROOT.parent / "shared"
DEPTS = ["教育局", "财政局", "民政局", "司法局", "卫生健康委员会", "人力资源和社会保障局", "生态环境局", "交通运输局",
         "农业农村局", "文化和旅游局", "市场监督管理局", "应急管理局", "统计局", "审计局", "医疗保障局", "退役军人事务局"]
DISTRICTS = ["东城", "西城", "南湖", "北辰", "青山", "秀水", "临江", "河西", "新华", "平安", "长宁", "海淀", "滨江", "松山"]
_NUM = re.compile(r"\d[\d,]*\.\d+")


def _scale(raw: str, factor: Decimal) -> tuple[str, Decimal]:
    """'1,125.77' × f → ('1,351.02', Decimal) keeping the printed decimals and separators."""
    digits = raw.replace(",", "")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    value = (Decimal(digits) * factor).quantize(Decimal(1).scaleb(-decimals))
    text = f"{value:,.{decimals}f}" if "," in raw else f"{value:.{decimals}f}"
    return text, value


def perturb(seed: Document, n: int, rng: random.Random) -> Document:
    doc = seed.model_copy(deep=True)
    doc.id = hashlib.sha256(f"{seed.id}:{n}".encode()).hexdigest()
    old = seed.meta.department or ""
    new = f"{rng.choice(DISTRICTS)}{n}区{rng.choice(DEPTS)}"
    doc.meta.department, doc.meta.region = new, new.split("区")[0] + "区"
    doc.source = f"perturbed_{n:04d}_{seed.source}"
    factor = Decimal(rng.randint(80, 120)) / 100
    for t in doc.tables:
        if old:
            t.title = t.title.replace(old, new)
        for r in t.rows:
            for c in r.cells:
                f = c.figure
                if f is not None and f.value is not None and f.raw.strip():
                    try:
                        c.text, f.value = _scale(f.raw.strip().replace("%", ""), factor)
                        f.raw = c.text
                    except Exception:
                        pass
    for s in doc.sections:
        text = s.text.replace(old, new) if old else s.text
        s.text = _NUM.sub(lambda m: _scale(m.group(0), factor)[0], text)
        s.path = [p.replace(old, new) if old else p for p in s.path]
        for f, num in zip(s.figures, find_numbers(s.text)):  # keep figures roughly in step
            f.value, f.raw, f.location.offset = num.value, num.raw, num.start
    return doc


class ReuseEmbeddings(Embeddings):
    """Real model for queries and unknown texts; prepared (seed vector + noise) for known chunks."""

    def __init__(self, real):
        self.real, self.name, self.prepared, self.real_calls = real, real.name, {}, 0

    def prepare(self, doc: Document, seed_vectors: list[list[float]], rng: np.random.Generator) -> None:
        for c in chunk_document(doc):
            base = np.asarray(seed_vectors[c.metadata["position"] % len(seed_vectors)])
            v = base + rng.normal(0, 0.05, base.shape)
            self.prepared[c.text] = (v / np.linalg.norm(v)).tolist()

    def embed_documents(self, texts):
        missing = [t for t in texts if t not in self.prepared]
        if missing:
            self.real_calls += len(missing)
            self.prepared.update(zip(missing, self.real.embed_documents(missing)))
        out = [self.prepared[t] for t in texts]  # a text can occur twice in one batch
        for t in set(texts):
            self.prepared.pop(t, None)  # free as we go: 260k vectors as lists would not fit in memory
        return out

    def embed_query(self, text):
        return self.real.embed_query(text)


def questions() -> list[tuple[str, str]]:
    out = []
    for f in sorted((SHARED / "labels").glob("0*.json")):
        label = json.loads(f.read_text())
        out += [(label["doc"], q["question"]) for q in label["qa"]]
    return out


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def measure(index, seeds_by_source, qs, label: str) -> dict:
    t = time.perf_counter()
    index.search("预热", k=5, mode="bm25")  # BM25 is rebuilt lazily after ingest: time it apart
    rebuild = time.perf_counter() - t
    out = {"bm25_rebuild_s": round(rebuild, 2)}
    for mode in ("hybrid", "dense", "bm25"):
        for scoped in (False, True):
            lat = []
            for source, q in qs:
                doc_id = seeds_by_source.get(source) if scoped else None
                t = time.perf_counter()
                index.search(q, k=5, mode=mode, doc_id=doc_id)
                lat.append((time.perf_counter() - t) * 1000)
            key = f"{mode}{'_doc' if scoped else '_all'}"
            out[key] = {"p50_ms": round(pct(lat, 50), 1), "p95_ms": round(pct(lat, 95), 1)}
    print(f"[{label}] {json.dumps(out, ensure_ascii=False)}", flush=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10,100,1000")
    ap.add_argument("--queries", type=int, default=30)
    ap.add_argument("--data", help="index folder (default: a temp folder, removed after)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    from indexing.embeddings import get_embeddings
    from indexing.ingest import Index
    from indexing.read import read_document
    from indexing.settings import Settings

    seeds = [read_document(p) for p in sorted((SHARED / "seeds").glob("*.txt"))]
    real = get_embeddings("m3e-small")
    emb = ReuseEmbeddings(real)
    data = Path(args.data) if args.data else Path(tempfile.mkdtemp(prefix="bq_bench_"))
    rng, nrng = random.Random(7), np.random.default_rng(7)
    qs = questions()[: args.queries]
    report: dict = {"sizes": {}, "notes": []}
    index = Index(Settings(data_dir=data), embeddings=emb)
    try:
        # Seeds first, with the real model: their vectors are the base of every perturbed copy.
        t0 = time.perf_counter()
        seed_chunks = {s.id: chunk_document(s) for s in seeds}
        for s in seeds:
            index.ingest(s)
        seed_vectors = {}
        for s in seeds:
            got = index.vectors.collection.get(ids=[c.id for c in seed_chunks[s.id]], include=["embeddings"])
            by_id = dict(zip(got["ids"], got["embeddings"]))
            seed_vectors[s.id] = [by_id[c.id] for c in seed_chunks[s.id]]
        n_docs, n_real_chunks = len(seeds), sum(len(v) for v in seed_chunks.values())
        by_source = {s.source: s.id for s in seeds}
        # Up to the first size, perturbed documents are embedded by the real model too.
        while n_docs < sizes[0]:
            seed = seeds[n_docs % len(seeds)]
            r = index.ingest(perturb(seed, n_docs, rng))
            n_real_chunks += r.chunks
            n_docs += 1
        elapsed = time.perf_counter() - t0
        report["real_model_ingest"] = {
            "documents": n_docs, "chunks": n_real_chunks, "seconds": round(elapsed, 1),
            "chunks_per_s": round(n_real_chunks / elapsed, 1), "documents_per_min": round(n_docs / elapsed * 60, 2)}
        print(f"[ingest, real m3e] {report['real_model_ingest']}", flush=True)
        for size in sizes:
            t0, chunks_before = time.perf_counter(), index.counts()["chunks"]
            while n_docs < size:
                seed = seeds[n_docs % len(seeds)]
                doc = perturb(seed, n_docs, rng)
                emb.prepare(doc, seed_vectors[seed.id], nrng)
                index.ingest(doc)
                n_docs += 1
                if n_docs % 100 == 0:
                    print(f"  {n_docs} documents, {time.perf_counter() - t0:.0f} s", flush=True)
            elapsed = time.perf_counter() - t0
            counts = index.counts()
            entry = {"documents": counts["documents"], "chunks": counts["chunks"], "figures": counts["figures"]}
            added = counts["chunks"] - chunks_before
            if added and elapsed > 0:
                entry["ingest_reused_vectors"] = {"chunks_per_s": round(added / elapsed, 1),
                                                  "documents_per_min": round((added / (counts['chunks'] / counts['documents'])) / elapsed * 60, 1)}
            entry["latency"] = measure(index, by_source, qs, f"{size} docs")
            report["sizes"][size] = entry
        base = report["sizes"][sizes[0]]["latency"]
        for size in sizes[1:]:
            lat = report["sizes"][size]["latency"]
            report["sizes"][size]["p50_ratio_vs_first"] = {
                k: round(v["p50_ms"] / base[k]["p50_ms"], 2) for k, v in lat.items() if isinstance(v, dict)}
        report["notes"].append(f"real-model fallbacks during reuse: {emb.real_calls} chunks")
        report["disk_mb"] = round(sum(f.stat().st_size for f in data.rglob('*') if f.is_file()) / 1e6, 1)
    finally:
        index.close()
        if not args.data:
            shutil.rmtree(data, ignore_errors=True)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
