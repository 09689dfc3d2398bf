"""Retrieval quality of what is embedded and by which backend, in one run on the same documents.

Configurations (each a fresh index over the same documents; one embedding cache per run, keyed by
backend, so each backend's vectors are computed once and only by that backend):
  before  — torch, every chunk embedded (the rule until 2026-12);
  subset  — torch, table rows not embedded (indexing/stores.py NOT_EMBEDDED);
  int8    — ONNX int8, every chunk;
  new     — ONNX int8, table rows not embedded (the default now);
  rows_tables — ONNX int8, neither rows nor whole-table chunks embedded (only narrative passages):
            measured 2026-12 and rejected, seeds hybrid R@5 0.952 → 0.833 (dense 0.881 → 0.667),
            held-out 0.956 either way: the table chunk is how dense retrieval finds a table.
Corpora: the seeds with their labels (../shared/seeds, ../shared/labels: the acceptance target) and
the held-out generated set of tests/index/test_retrieval_quality.py (eval.generate n=10 seed=7).
Metrics and the evidence rule are tests/index/retrieval_eval.py's; all three modes are reported.
Run: .venv/bin/python bench/embed_subset.py [--configs before,new] [--json]
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
sys.path.insert(0, str(ROOT / "tests" / "index"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

# name -> (backend, chunk kinds not embedded; None: the rule of indexing/stores.py)
CONFIGS = {"before": ("torch", frozenset()), "subset": ("torch", None), "int8": ("onnx-int8", frozenset()),
           "new": ("onnx-int8", None), "rows_tables": ("onnx-int8", frozenset({"row", "table"}))}


def run_config(name: str, corpora: dict[str, tuple[Path, Path]], work: Path) -> dict:
    from retrieval_eval import evaluate, ingest_corpus, load_questions

    from indexing import stores
    from indexing.embeddings import get_embeddings
    from indexing.ingest import Index
    from indexing.settings import Settings

    backend, not_embedded = CONFIGS[name]
    saved = stores.NOT_EMBEDDED
    stores.NOT_EMBEDDED = saved if not_embedded is None else not_embedded
    out = {}
    try:
        for corpus, (docs, labels) in corpora.items():
            t0 = time.perf_counter()
            index = Index(Settings(data_dir=work / name / corpus), embeddings=get_embeddings(backend=backend))
            doc_ids = ingest_corpus(index, docs)
            took = time.perf_counter() - t0
            report, _ = evaluate(index, load_questions(labels, doc_ids))
            out[corpus] = {"ingest_s": round(took, 1), "vectors": index.counts()["vectors"],
                           "chunks": index.counts()["chunks"],
                           **{m: {k: round(v, 3) for k, v in r["any"].items()} for m, r in report.items()}}
            index.close()
            print(f"{name} {corpus}: {json.dumps(out[corpus])}", file=sys.stderr, flush=True)
    finally:
        stores.NOT_EMBEDDED = saved
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--configs", default="before,new")
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    from eval.generate import generate_corpus

    work = Path(tempfile.mkdtemp(prefix="bq_subset_"))
    os.environ["BUDGETQA_EMBED_CACHE"] = str(work / "embed_cache.sqlite")
    os.environ.setdefault("BUDGETQA_ONNX_DIR", str(Path.home() / ".cache" / "budgetqa" / "onnx"))
    shared = Path(args.shared)
    corpora = {}
    if (shared / "seeds").is_dir():
        corpora["seeds"] = (shared / "seeds", shared / "labels")
    held = work / "held_out"
    generate_corpus(str(held), 10, 7, errors_per_doc=2, formats=["text"], styles="all")
    corpora["held_out"] = (held / "docs", held / "labels")
    report = {name: run_config(name, corpora, work) for name in args.configs.split(",")}
    print(json.dumps(report, ensure_ascii=False, indent=None if args.json else 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
