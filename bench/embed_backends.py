"""Embedding backends on the same chunks, in one run: torch vs ONNX Runtime fp32 vs ONNX int8,
each over every chunk and over the embedded subset only (indexing/stores.py `embedded`).

Chunks: the real chunker over the seeds in ../shared/seeds (or --docs), plus --generated fictional
documents (eval.generate, text). Every backend encodes exactly the same texts in the same order,
after one warm-up batch, with the embedding cache off; rates are chunks per second of wall time.
Agreement with torch: cosine of each chunk's two vectors (min / mean), and how often the top 5 of
each query among the chunks is the same set (queries: the generated labels' questions).
Run: .venv/bin/python bench/embed_backends.py [--generated 4] [--backends torch,onnx,onnx-int8] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def corpus(docs_dir: Path, generated: int, seed: int) -> tuple[list, list[str]]:
    """(chunks, questions) of the seeds and of `generated` fictional documents."""
    from eval.generate import generate_corpus
    from indexing.chunks import chunk_document
    from indexing.read import read_document

    paths = sorted(p for p in docs_dir.glob("*") if p.suffix in (".txt", ".pdf")) if docs_dir.is_dir() else []
    questions: list[str] = []
    if generated:
        work = Path(tempfile.mkdtemp(prefix="bq_embed_bench_"))
        generate_corpus(str(work), generated, seed, formats=["text"], styles="all")
        paths += sorted((work / "docs").glob("*.txt"))
        for f in sorted((work / "labels").glob("*.json")):
            questions += [q["question"] for q in json.loads(f.read_text())["qa"]]
    chunks = [c for p in paths for c in chunk_document(read_document(p))]
    return chunks, questions


def main(argv=None) -> int:
    import numpy as np

    from indexing.embeddings import SentenceEmbeddings, resolve_model
    from indexing.stores import embedded

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", default=str(ROOT.parent / "shared" / "seeds"))
    ap.add_argument("--generated", type=int, default=4)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--backends", default="torch,onnx,onnx-int8")
    ap.add_argument("--model", default="m3e-small")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    chunks, questions = corpus(Path(args.docs), args.generated, args.seed)
    texts = [c.text for c in chunks]
    subset = [c.text for c in chunks if embedded(c)]
    kinds: dict[str, int] = {}
    for c in chunks:
        kinds[c.metadata.get("chunk_kind", "?")] = kinds.get(c.metadata.get("chunk_kind", "?"), 0) + 1
    report = {"chunks": len(texts), "embedded_subset": len(subset), "by_kind": kinds,
              "mean_chars": round(sum(map(len, texts)) / max(1, len(texts)), 1), "backends": {}}
    vectors, queries = {}, {}
    for backend in args.backends.split(","):
        t0 = time.perf_counter()
        emb = SentenceEmbeddings(resolve_model(args.model), backend=backend)
        load_s = time.perf_counter() - t0
        emb.embed_documents(texts[:32])  # warm-up
        t0 = time.perf_counter()
        vectors[backend] = np.asarray(emb.embed_documents(texts), dtype=np.float32)
        all_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        emb.embed_documents(subset)
        sub_s = time.perf_counter() - t0
        queries[backend] = np.asarray([emb.embed_query(q) for q in questions[:60]], dtype=np.float32)
        report["backends"][backend] = {"load_s": round(load_s, 2), "all_chunks_per_s": round(len(texts) / all_s, 1),
                                       "subset_s": round(sub_s, 2), "all_s": round(all_s, 2)}
        print(f"{backend}: {report['backends'][backend]}", file=sys.stderr, flush=True)
    base = "torch" if "torch" in vectors else next(iter(vectors))
    for backend, v in vectors.items():
        cos = (v * vectors[base]).sum(axis=1)
        same_top5 = []
        for qa, qb in zip(queries[backend], queries[base]):
            same_top5.append(set(np.argsort(-(v @ qa))[:5]) == set(np.argsort(-(vectors[base] @ qb))[:5]))
        r = report["backends"][backend]
        r["cos_vs_" + base] = {"min": round(float(cos.min()), 5), "mean": round(float(cos.mean()), 5)}
        r["same_top5_share"] = round(sum(same_top5) / max(1, len(same_top5)), 3)
        r["speedup_vs_" + base] = round(report["backends"][base]["all_s"] / r["all_s"], 2)
        r["subset_speedup_vs_" + base + "_all"] = round(report["backends"][base]["all_s"] / r["subset_s"], 2)
    try:
        report["load_avg_1m"] = round(os.getloadavg()[0], 2)
    except OSError:
        pass
    print(json.dumps(report, ensure_ascii=False, indent=None if args.json else 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
