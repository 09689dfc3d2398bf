"""`budgetqa ingest PATH... [--data DIR] [--delete DOC_ID] [--list] [--json]`: build the index.

Folders expand to their PDF and text files; re-ingesting a file already indexed changes nothing.
Two or more disclosures are read, chunked and embedded on a Dask cluster (indexing/batch.py: a
local cluster over the cores, or BUDGETQA_DASK_SCHEDULER), written by this process alone;
`--serial` does everything here, one document after the other.
"""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="把公开文件加入索引 / add disclosures to the index")
    p.add_argument("paths", nargs="*", help="文件或文件夹 / files or folders (PDF, text)")
    p.add_argument("--data", help="索引目录 / index folder (default $BUDGETQA_DATA_DIR or ./data)")
    p.add_argument("--delete", metavar="DOC_ID", action="append", default=[], help="从索引删除 / remove a document")
    p.add_argument("--list", action="store_true", help="列出已索引文件 / list indexed documents")
    p.add_argument("--json", action="store_true", help="输出 JSON / print JSON")
    p.add_argument("--no-progress", action="store_true", help="不显示进度条 / no progress bar")
    add_cluster_options(p)
    p.set_defaults(func=run)


def add_cluster_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--serial", action="store_true", help="不用 Dask，逐份在本进程处理 / no Dask: one by one here")
    p.add_argument("--workers", type=int, default=None,
                   help="本地 Dask 进程数（默认 CPU 核数或 BUDGETQA_DASK_WORKERS）/ local Dask workers (default: cores)")
    p.add_argument("--scheduler", default=None,
                   help="Dask 调度器地址（默认 BUDGETQA_DASK_SCHEDULER）/ a Dask scheduler, tcp://host:8786")


def use_cluster(args: argparse.Namespace, n_items: int) -> bool:
    """Dask for a batch (two or more disclosures) or whenever a scheduler is named."""
    import os

    if args.serial:
        return False
    return bool(args.scheduler or os.environ.get("BUDGETQA_DASK_SCHEDULER")) or n_items >= 2


def run(args: argparse.Namespace) -> int:
    from indexing.ingest import Index

    if not (args.paths or args.delete or args.list):
        print("请给出文件或文件夹 / give files or folders", file=sys.stderr)
        return 2
    with Index.open(args.data) as index:
        out: dict = {"deleted": [d for d in args.delete if index.delete(d)]}
        progress = not args.no_progress and not args.json
        from indexing.batch import dask_client, ingest_batch, plan

        if args.paths and use_cluster(args, len(plan(args.paths))):
            with dask_client(args.workers, args.scheduler) as client:
                results = ingest_batch(index, args.paths, client, progress=progress)
        else:
            results = index.ingest_many(args.paths, progress=progress)
        out["results"] = [r.__dict__ for r in results]
        out["counts"] = index.counts()
        if args.list:
            out["documents"] = [d.__dict__ for d in index.documents()]
    if args.json:
        json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        for d in out["deleted"]:
            print(f"已删除 deleted  {d}")
        label = {"added": "已加入 added", "unchanged": "未变化 unchanged", "failed": "失败 failed"}
        for r in results:
            extra = f"{r.chunks} 块 chunks, {r.figures} 个数字 figures" if r.status == "added" else (r.error or "")
            print(f"{label[r.status]:<18} {r.doc_id[:12]:<12}  {r.source}  {extra}")
        for d in out.get("documents", []):
            print(f"{d['doc_id'][:12]}  {d['department'] or '?'}  {d['year'] or '?'}  {d['kind'] or ''}  "
                  f"{d['n_chunks']} 块  {d['source']}")
        c = out["counts"]
        print(f"索引 index: {c['documents']} 份文件 documents, {c['chunks']} 块 chunks, {c['figures']} 个数字 figures")
    return 1 if any(r.status == "failed" for r in results) else 0
