"""Ingest speed, old path against new, on the same real documents in one run, each against the raw
encode rate of the same chunks.

Documents: ../shared/seeds (text) and ../shared/pdfs (real PDFs), or --docs. Each configuration
builds a fresh index with a fresh embedding cache, reading every file (reading is part of ingest):
  old          — serial, torch, every chunk embedded (the path before 2026-12);
  new serial   — serial, ONNX int8, table rows not embedded (indexing/stores.py `embedded`);
  new cluster  — the same on a Dask LocalCluster (indexing/batch.py; --workers, default the cores).
Raw encode rates: the model alone on the chunks that configuration embeds (same texts, one call).
Run: .venv/bin/python bench/ingest_speed.py [--workers 2] [--json]
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
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def documents(dirs: list[str]) -> list[Path]:
    out = []
    for d in map(Path, dirs):
        if d.is_dir():
            out += sorted(p for p in d.iterdir() if p.suffix.lower() in (".pdf", ".txt"))
    return out


def raw_rate(embeddings, paths: list[Path], every_chunk: bool) -> dict:
    from indexing.chunks import chunk_document
    from indexing.read import read_document
    from indexing.stores import embedded

    texts = [c.text for p in paths for c in chunk_document(read_document(p)) if every_chunk or embedded(c)]
    embeddings.embed_documents(texts[:8])  # warm-up
    t = time.perf_counter()
    embeddings.embed_documents(texts)
    s = time.perf_counter() - t
    return {"chunks": len(texts), "seconds": round(s, 1), "chunks_per_s": round(len(texts) / s, 1)}


def main(argv=None) -> int:
    from indexing import stores
    from indexing.batch import dask_client, ingest_batch
    from indexing.embeddings import get_embeddings
    from indexing.ingest import Index
    from indexing.settings import Settings

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", nargs="*", default=[str(ROOT.parent / "shared" / "seeds"), str(ROOT.parent / "shared" / "pdfs")])
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    paths = documents(args.docs)
    work = Path(tempfile.mkdtemp(prefix="bq_ingest_speed_"))
    report: dict = {"documents": len(paths), "configs": {}}

    def run(name: str, backend: str, every_chunk: bool, cluster: bool) -> None:
        os.environ["BUDGETQA_EMBED_CACHE"] = str(work / f"{name}_cache.sqlite")  # fresh: nothing reused
        saved = stores.NOT_EMBEDDED
        stores.NOT_EMBEDDED = frozenset() if every_chunk else saved
        try:
            emb = get_embeddings(backend=backend)
            index = Index(Settings(data_dir=work / name), embeddings=emb)
            t = time.perf_counter()
            if cluster:
                from indexing.batch import warm_workers

                with dask_client(args.workers) as client:
                    warm_workers(client, str(emb.model_path), emb.backend)  # also done by ingest_batch: timed apart here
                    started = time.perf_counter() - t
                    results = ingest_batch(index, paths, client, progress=False)
            else:
                started = 0.0
                results = index.ingest_many(paths, progress=False)
            s = time.perf_counter() - t
            c = index.counts()
            index.close()
            raw = raw_rate(emb, paths, every_chunk)
        finally:
            stores.NOT_EMBEDDED = saved
        docs = sum(r.status == "added" for r in results)
        report["configs"][name] = {
            "backend": backend, "every_chunk_embedded": every_chunk, "cluster": cluster,
            "documents_added": docs, "seconds": round(s, 1), "cluster_start_s": round(started, 1),
            "docs_per_s": round(docs / s, 3), "docs_per_s_after_start": round(docs / (s - started), 3), "chunks": c["chunks"], "vectors": c["vectors"],
            "ingest_chunks_per_s": round(c["chunks"] / s, 1), "raw_encode": raw,
            "ingest_vs_raw_encode": round((c["vectors"] / s) / raw["chunks_per_s"], 2) if raw["chunks_per_s"] else None,
        }
        print(f"{name}: {json.dumps(report['configs'][name])}", file=sys.stderr, flush=True)

    run("old", "torch", True, False)
    run("new_serial", "onnx-int8", False, False)
    run("new_cluster", "onnx-int8", False, True)
    old = report["configs"]["old"]["docs_per_s"]
    for name, r in report["configs"].items():
        r["speedup_vs_old"] = round(r["docs_per_s"] / old, 2) if old else None
    try:
        report["load_avg_1m_at_end"] = round(os.getloadavg()[0], 2)
    except OSError:
        pass
    print(json.dumps(report, ensure_ascii=False, indent=None if args.json else 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
