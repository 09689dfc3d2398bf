"""`budgetqa ask "问题" [--data DIR] [--dept D] [--year Y] [--kind 预算|决算] [--docs PATH...] [--llm] [--json]`:
answer a question with citations; every number in the answer is checked against the cited text.

By default the answer comes from the data folder's index (what `budgetqa ingest` and `budgetqa serve`
write and read), through the same code the HTTP service answers with (service/pipeline.Pipeline.ask),
so the command line and `/v1/ask` give the same answer. `--docs` answers from files read into memory
instead, without an index.
"""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ask", help="就公开文件提问并给出有出处的回答 / answer a question with cited figures")
    p.add_argument("question", help="问题，例如：三公经费为什么下降？")
    p.add_argument("--data", help="数据目录 / data folder (default $BUDGETQA_DATA_DIR or ./data)")
    p.add_argument("--docs", nargs="+", metavar="PATH",
                   help="不用索引，直接读这些文件 / answer from these files, read into memory, instead of the index")
    p.add_argument("--dept", help="只看该部门（部分名称即可） / restrict to a department (a part of the name)")
    p.add_argument("--year", type=int, help="只看该年度 / restrict to a budget year")
    p.add_argument("--kind", choices=("预算", "决算"), help="只看预算或决算 / budgets or final accounts only")
    p.add_argument("--llm", action="store_true",
                   help="用 BUDGETQA_LLM_BASE_URL 的模型作答（数字仍经核对）/ answer with the configured LLM")
    p.add_argument("--json", action="store_true", help="输出完整 JSON / print the full result as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from service.chain import AnswerResult
    from service.config import get_config

    use_llm = args.llm or get_config().answer_mode == "llm"
    if use_llm and not get_config().llm_enabled:
        print("错误：未设置 BUDGETQA_LLM_BASE_URL\nError: BUDGETQA_LLM_BASE_URL is not set", file=sys.stderr)
        return 2
    filters = {k: v for k, v in {"department": args.dept, "year": args.year, "kind": args.kind}.items() if v}
    if args.docs:
        result = _from_files(args, use_llm, filters)
    else:
        body = _from_index(args, use_llm, filters)
        if body is None:
            return 2
        result = AnswerResult.model_validate(body)
    if args.json:
        print(result.model_dump_json(indent=1))
        return 0
    print(format_answer(result))
    return 0


def _from_files(args, use_llm: bool, filters: dict):
    from service.chain import QAService

    llm = None
    if use_llm:
        from service.llm import LLMAnswerer

        llm = LLMAnswerer()
    return QAService(args.docs, llm=llm).ask(args.question, **filters)


def _from_index(args, use_llm: bool, filters: dict):
    """The service's own answering path over the data folder's index (no HTTP, no worker thread)."""
    from indexing.settings import Settings
    from service.pipeline import Pipeline, ServerSettings

    settings = ServerSettings.from_env(data_dir=args.data)
    if not Settings.of_data_folder(settings.data_dir).sqlite_path.exists():
        print(f"错误：{settings.data_dir} 中没有索引，请先运行 budgetqa ingest 文件… 或使用 --docs 文件…\n"
              f"Error: no index in {settings.data_dir}: run `budgetqa ingest PATH…` first, or give --docs PATH…",
              file=sys.stderr)
        return None
    return Pipeline(settings).ask(args.question, department=filters.get("department"), year=filters.get("year"),
                                  kind=filters.get("kind"), mode=None if use_llm else "default")


def format_answer(result) -> str:
    """The answer as the terminal shows it: text, arithmetic, sources, notes."""
    lines = [result.answer]
    if result.arithmetic:
        lines += ["", "计算："] + [f"  {expr}" for expr in result.arithmetic]
    if result.citations:
        lines += ["", "出处："]
        for c in result.citations:
            where = c.table or c.section or ""
            if c.row_name:
                where += f" / {c.row_name}"
            page = f" 第{c.page}页" if c.page else ""
            lines.append(f"  [{c.n}] {c.document}{page} {where}")
    lines += [f"\n注意：{note}" for note in result.grounding_notes]
    return "\n".join(lines)
