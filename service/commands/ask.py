"""`budgetqa ask "问题" [--dept D] [--year Y] [--docs PATH...] [--llm] [--json]`: answer a question
from disclosures, with citations; every number in the answer is checked against the cited text."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ask", help="就公开文件提问并给出有出处的回答 / answer a question with cited figures")
    p.add_argument("question", help="问题，例如：三公经费为什么下降？")
    p.add_argument("--docs", nargs="+", metavar="PATH", required=True,
                   help="公开文件（PDF 或文本）/ the disclosures to answer from (until the index serves them)")
    p.add_argument("--dept", help="只看该部门 / restrict to a department (substring)")
    p.add_argument("--year", type=int, help="只看该年度 / restrict to a budget year")
    p.add_argument("--llm", action="store_true",
                   help="用 BUDGETQA_LLM_BASE_URL 的模型作答（数字仍经核对）/ answer with the configured LLM")
    p.add_argument("--json", action="store_true", help="输出完整 JSON / print the full result as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from service.chain import QAService
    from service.config import get_config

    llm = None
    if args.llm or get_config().answer_mode == "llm":
        if not get_config().llm_enabled:
            print("错误：未设置 BUDGETQA_LLM_BASE_URL\nError: BUDGETQA_LLM_BASE_URL is not set", file=sys.stderr)
            return 2
        from service.llm import LLMAnswerer

        llm = LLMAnswerer()
    svc = QAService(args.docs, llm=llm)
    filters = {k: v for k, v in {"department": args.dept, "year": args.year}.items() if v}
    result = svc.ask(args.question, **filters)
    if args.json:
        print(result.model_dump_json(indent=1))
        return 0
    print(result.answer)
    if result.arithmetic:
        print("\n计算：")
        for expr in result.arithmetic:
            print(f"  {expr}")
    if result.citations:
        print("\n出处：")
        for c in result.citations:
            where = c.table or c.section or ""
            if c.row_name:
                where += f" / {c.row_name}"
            page = f" 第{c.page}页" if c.page else ""
            print(f"  [{c.n}] {c.document}{page} {where}")
    for note in result.grounding_notes:
        print(f"\n注意：{note}")
    return 0
