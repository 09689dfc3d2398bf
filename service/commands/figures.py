"""`budgetqa figures [行名] [--like --code --dept --year --type --doc --column --narrative] [--json]`:
exact figures from the index's structured store, each with the cell or sentence it stands in."""

from __future__ import annotations

import argparse
import json
import sys

from service.commands import add_index_filters, resolve_department


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("figures", help="查询已索引文件中的数字 / exact figures from the index")
    p.add_argument("row", nargs="?", help="行名，如 人员经费、合计 / row label, e.g. 人员经费")
    add_index_filters(p)
    p.add_argument("--like", help="行名包含 / row label contains")
    p.add_argument("--code", help="科目编码 / classification code, e.g. 2080505")
    p.add_argument("--column", help="列名包含 / column contains, e.g. 合计")
    p.add_argument("--narrative", action="store_true", help="只查正文中的数字 / figures in the narrative only")
    p.add_argument("--limit", type=int, default=200, help="最多条数 / at most this many (default 200)")
    p.add_argument("--json", action="store_true", help="输出 JSON / print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from indexing import catalog
    from indexing.figures_store import FiguresStore, record_json
    from indexing.settings import Settings

    if not any((args.row, args.like, args.code, args.doc_id, args.dept, args.table_type)):
        print("请给出行名或筛选条件 / give a row label or a filter (--like, --code, --dept, --type, --doc)",
              file=sys.stderr)
        return 2
    settings = Settings.of_data_folder(args.data)
    if not settings.sqlite_path.exists():
        print(f"索引不存在：{settings.data_dir} / no index in {settings.data_dir}", file=sys.stderr)
        return 2
    conn = catalog.connect(settings.sqlite_path)  # SQLite only: no model, no Chroma needed for exact lookups
    try:
        ok, dept = resolve_department(args.dept, catalog.list_documents(conn))
        if not ok:
            print(dept, file=sys.stderr)
            return 2
        records = FiguresStore(conn).query(
            row_name=args.row, row_name_contains=args.like, code=args.code, department=dept, year=args.year,
            table_type=args.table_type, doc_id=args.doc_id, column_contains=args.column,
            origin="narrative" if args.narrative else None, limit=max(1, args.limit))
    finally:
        conn.close()
    if args.json:
        json.dump({"figures": [record_json(r) for r in records]}, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    if not records:
        print("没有找到数字 / no figures found")
        return 0
    for r in records:
        where = (f"{r.table_title}｜{r.row_code + ' ' if r.row_code else ''}{r.row_name}｜{r.column}" if r.origin == "table"
                 else f"{r.section_heading}「{(r.context or '').strip()}」")
        page = f"第{r.page}页  " if r.page else ""
        print(f"{r.raw:>16} {r.unit or '':<3} {r.department or '?'} {r.year or ''}  {page}{where}")
    print(f"共 {len(records)} 个 / {len(records)} figures")
    return 0
