"""One module per `budgetqa` subcommand (see service/cli.py), plus the options several share."""

from __future__ import annotations

import argparse


def add_index_filters(p: argparse.ArgumentParser) -> None:
    """--data and the filters that select documents and tables in the index (search, figures)."""
    p.add_argument("--data", help="索引目录 / index folder (default $BUDGETQA_DATA_DIR or ./data)")
    p.add_argument("--dept", help="部门（部分名称即可） / department (a part of the name)")
    p.add_argument("--year", type=int, help="年度 / year")
    p.add_argument("--type", dest="table_type", help="标准表类型 / standard table type, e.g. 三公经费支出表")
    p.add_argument("--doc", dest="doc_id", help="文件 id / document id")


def resolve_department(text, records) -> tuple[bool, object]:
    """--dept as any unambiguous part of an indexed department's name (service/scope.py): (True, the
    full name) or (False, an error message naming the candidates)."""
    from service.scope import catalog_of, department_filter

    name, candidates = department_filter(text, catalog_of(records))
    if candidates:
        return False, (f"“{text}”可能指：{'、'.join(candidates)}。请写明是哪一个部门 / "
                       f"{text!r} fits several departments: {', '.join(candidates)}")
    return True, name
