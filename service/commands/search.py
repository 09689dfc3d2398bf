"""`budgetqa search "查询" [--dept --year --type --doc --k --mode] [--json]`: hybrid retrieval."""

from __future__ import annotations

import argparse
import json
import sys

from service.commands import add_index_filters, resolve_department


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("search", help="检索已索引的公开文件 / search the index")
    p.add_argument("query", help="查询 / the query, e.g. 三公经费为何下降")
    add_index_filters(p)
    p.add_argument("--k", type=int, default=5, help="返回条数 / number of hits (default 5)")
    p.add_argument("--mode", choices=("hybrid", "dense", "bm25"), default="hybrid", help="检索方式 / retriever")
    p.add_argument("--json", action="store_true", help="输出 JSON / print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from indexing.ingest import Index

    if args.k <= 0:
        print("--k 必须为正数 / --k must be positive", file=sys.stderr)
        return 2
    with Index.open(args.data) as index:
        doc_id = _resolve_doc(index, args.doc_id)
        ok, dept = resolve_department(args.dept, index.documents())
        if not ok:
            print(dept, file=sys.stderr)
            return 2
        hits = index.search(args.query, k=args.k, mode=args.mode, department=dept, year=args.year,
                            table_type=args.table_type, doc_id=doc_id)
    if args.json:
        json.dump({"query": args.query, "mode": args.mode, "hits": [h.to_dict() for h in hits]},
                  sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    if not hits:
        print("没有找到结果 / no results")
        return 0
    for i, h in enumerate(hits, 1):
        m = h.metadata
        where = m.get("table_title") or m.get("heading") or ""
        scores = "  ".join(f"{k}={v:.3f}#{h.ranks[k]}" for k, v in h.scores.items())
        print(f"[{i}] {m.get('department', '?')} {m.get('year', '')}  {where}  页 {m.get('page', '-')}  "
              f"(fused={h.fused:.4f}  {scores})")
        print("    " + h.text.replace("\n", "\n    "))
    return 0


def _resolve_doc(index, prefix):
    """Accept a unique prefix of a document id (ids are 64 hex characters)."""
    if not prefix:
        return None
    matches = [d.doc_id for d in index.documents() if d.doc_id.startswith(prefix)]
    return matches[0] if len(matches) == 1 else prefix
