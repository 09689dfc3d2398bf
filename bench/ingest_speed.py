"""Ingest speed, the old path against the new, on the same real documents in one run.

Documents: ../shared/seeds (text) and ../shared/pdfs (real PDFs), or --docs; --wild N adds every
k-th of ../shared/wild's PDFs (N of them) for a bigger sample. Every run builds a fresh index with
a fresh embedding cache and reads every file (reading is part of ingest):
  old      — the path before issue 13: serial, torch, every chunk embedded at the model's own
             length (512 tokens; BUDGETQA_EMBED_MAX_TOKENS=0);
  new      — serial, ONNX int8, table rows not embedded (indexing/stores.py `embedded`), the first
             128 tokens of a chunk (the defaults now);
  cluster  — new on a Dask LocalCluster (indexing/batch.py; --workers, default the cores), once
             after the rounds; its start (processes, model loads) is timed apart.
Old and new alternate, `--rounds` times each (old, new, old, new …), so a swing in the machine's
load hits both; each round prints both sides and their ratio, and the summary gives every round's
ratio and the ratio of the totals. Each run also prints where its time went (read, chunk + jieba,
model, commit to SQLite + Chroma) and the model's own rate on those chunks (its encode time inside
the ingest, the cache being fresh), and the load average around it.
Run: .venv/bin/python bench/ingest_speed.py [--rounds 2] [--wild 0] [--no-cluster] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
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
SHARED = ROOT.parent / "shared"
PHASES = ("read_s", "chunk_s", "embed_s", "commit_s")


def documents(dirs: list[str], wild: int) -> list[Path]:
    out = []
    for d in map(Path, dirs):
        if d.is_dir():
            out += sorted(p for p in d.iterdir() if p.suffix.lower() in (".pdf", ".txt"))
    pool = sorted((SHARED / "wild").glob("*.pdf")) if wild else []
    if pool:
        step = max(1, len(pool) // wild)
        out += pool[::step][:wild]
    return out


def load() -> float:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return -1.0


@contextlib.contextmanager
def path_config(old: bool):
    """The old path's settings for the duration: every chunk embedded, the model's full length."""
    from indexing import stores

    saved_rule, saved_len = stores.NOT_EMBEDDED, os.environ.get("BUDGETQA_EMBED_MAX_TOKENS")
    if old:
        stores.NOT_EMBEDDED = frozenset()
        os.environ["BUDGETQA_EMBED_MAX_TOKENS"] = "0"
    try:
        yield
    finally:
        stores.NOT_EMBEDDED = saved_rule
        if saved_len is None:
            os.environ.pop("BUDGETQA_EMBED_MAX_TOKENS", None)
        else:
            os.environ["BUDGETQA_EMBED_MAX_TOKENS"] = saved_len


def run(work: Path, tag: str, paths: list[Path], old: bool, cluster: bool, workers) -> dict:
    from indexing.batch import dask_client, ingest_batch, warm_workers
    from indexing.embeddings import get_embeddings
    from indexing.ingest import Index
    from indexing.settings import Settings

    from indexing.ingest import _piece_tokens

    os.environ["BUDGETQA_EMBED_CACHE"] = str(work / f"{tag}_cache.sqlite")  # fresh: nothing reused
    _piece_tokens.cache_clear()  # nor jieba pieces remembered from the run before
    with path_config(old):
        emb = get_embeddings(backend="torch" if old else "onnx-int8")
        emb.embed_documents(["预热"])  # loaded and warm before the clock starts, on both sides
        index = Index(Settings(data_dir=work / tag), embeddings=emb)
        load_before, t = load(), time.perf_counter()
        started = 0.0
        if cluster:
            with dask_client(workers) as client:
                warm_workers(client, str(emb.model_path), emb.backend)  # also done by ingest_batch: timed apart
                started = time.perf_counter() - t
                results = ingest_batch(index, paths, client, progress=False)
        else:
            results = index.ingest_many(paths, progress=False)
        seconds = time.perf_counter() - t
        counts = index.counts()
        index.close()
    added = [r for r in results if r.status == "added"]
    phases = {k: round(sum(r.timings.get(k, 0.0) for r in added), 1) for k in PHASES}
    embed_s = phases["embed_s"]
    out = {
        "model": emb.name, "documents_added": len(added), "failed": sum(r.status == "failed" for r in results),
        "seconds": round(seconds, 1), "cluster_start_s": round(started, 1),
        "docs_per_s": round(len(added) / seconds, 4),
        "chunks": counts["chunks"], "vectors": counts["vectors"], "phases_s": phases,
        "encode_chunks_per_s": round(counts["vectors"] / embed_s, 1) if embed_s else None,
        "ingest_vectors_per_s_vs_encode": round(embed_s / seconds, 2) if embed_s else None,
        "load_1m": [load_before, load()],
    }
    if cluster:
        out["docs_per_s_after_start"] = round(len(added) / (seconds - started), 4)
    print(f"{tag}: {json.dumps(out, ensure_ascii=False)}", file=sys.stderr, flush=True)
    return out


def warm_up(paths: list[Path]) -> None:
    """Imports, jieba's dictionary and the reader's first-use costs, paid before any clock starts
    (else the first run, old, would pay them alone)."""
    from indexing.bm25 import tokenize
    from indexing.read import read_document
    from indexing.read.errors import ReadError

    for suffix in (".txt", ".pdf"):
        first = next((p for p in paths if p.suffix.lower() == suffix), None)
        with contextlib.suppress(ReadError):
            if first is not None:
                read_document(first)
    tokenize("预热 一般公共预算")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", nargs="*", default=[str(SHARED / "seeds"), str(SHARED / "pdfs")])
    ap.add_argument("--wild", type=int, default=0, help="also this many ../shared/wild PDFs, evenly spaced")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--no-cluster", action="store_true")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    paths = documents(args.docs, args.wild)
    if not paths:
        print("no documents (../shared absent and no --docs) / 没有文档", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="bq_ingest_speed_"))
    warm_up(paths)
    report: dict = {"documents": len(paths), "cores": os.cpu_count(), "rounds": []}
    for i in range(args.rounds):
        old = run(work, f"old_{i}", paths, True, False, None)
        new = run(work, f"new_{i}", paths, False, False, None)
        ratio = round(new["docs_per_s"] / old["docs_per_s"], 2)
        report["rounds"].append({"old": old, "new": new, "new_vs_old": ratio})
        print(f"round {i + 1}: old {old['seconds']} s, new {new['seconds']} s → {ratio}×", file=sys.stderr, flush=True)
    old_s = sum(r["old"]["seconds"] for r in report["rounds"])
    new_s = sum(r["new"]["seconds"] for r in report["rounds"])
    report["summary"] = {"ratios": [r["new_vs_old"] for r in report["rounds"]],
                         "ratio_of_totals": round(old_s / new_s, 2), "old_seconds": old_s, "new_seconds": new_s}
    if not args.no_cluster:
        cl = run(work, "cluster", paths, False, True, args.workers)
        old_rate = sum(r["old"]["docs_per_s"] for r in report["rounds"]) / len(report["rounds"])
        cl["vs_old"] = round(cl["docs_per_s"] / old_rate, 2)
        cl["vs_old_after_start"] = round(cl["docs_per_s_after_start"] / old_rate, 2)
        report["cluster"] = cl
    print(json.dumps(report, ensure_ascii=False, indent=None if args.json else 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
