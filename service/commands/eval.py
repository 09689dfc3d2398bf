"""`budgetqa eval --labels DIR --docs DIR [DIR ...] [--json] [--html OUT] [--baseline] [--no-qa]
[--generate N --seed S]`: measure the reader, checker, retrieval and answers against gold labels,
optionally beside a naive RAG baseline, and/or the checker on a generated corpus with injected errors."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="按标注评测读取、核查、检索与问答 / evaluate against gold labels")
    p.add_argument("--labels", help="标注目录 / folder of gold label JSON files")
    p.add_argument("--docs", nargs="+", default=[], metavar="DIR",
                   help="文件目录（可多个）/ folder(s) holding the labelled documents")
    p.add_argument("--data", metavar="DIR", help="用该数据目录的索引评测问答（缺少的标注文件会加入）/ answer over this data "
                   "folder's index, the one ingest/ask/serve use (missing labelled documents are added); default: a "
                   "fresh temporary index")
    p.add_argument("--baseline", action="store_true", help="同时运行朴素 RAG 基线 / also run the naive LangChain RAG")
    p.add_argument("--no-qa", action="store_true", help="只评读取与核查（不加载模型）/ reader and checker only")
    p.add_argument("--generate", type=int, metavar="N", help="另生成 N 份带注入错误的文件评测核查 / generated corpus")
    p.add_argument("--seed", type=int, default=1, help="生成语料的种子 / generator seed (default 1)")
    p.add_argument("--errors-per-doc", type=int, default=2, help="每份注入错误数 / injected errors per document")
    p.add_argument("--read", nargs="+", default=[], metavar="PATH",
                   help="对任意文件或目录（有无标注均可）计算读取质量指标 / the label-free reading metric for any "
                        "documents, labelled or not (the labelled documents are always included)")
    p.add_argument("--review", metavar="DATA_DIR", nargs="?", const="",
                   help="读入审核结论（确认/排除）作为精确率信号 / inspectors' decisions in DATA_DIR (default "
                        "BUDGETQA_DATA_DIR) as a precision signal per rule")
    p.add_argument("--jobs", type=int, default=2, help="读取进程数 / reader processes for --read (default 2)")
    p.add_argument("--questions", action="store_true",
                   help="问答基准：生成问题语料与标注问题 / the generated question corpus beside the labelled questions")
    p.add_argument("--json", action="store_true", help="输出 JSON / print the results as JSON")
    p.add_argument("--html", metavar="OUT", help="写出自包含 HTML 报告 / write a self-contained HTML report")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from eval.report import html_report, text_report

    if not args.labels and not args.generate and not args.read and args.review is None and not args.questions:
        print("需要 --labels、--generate、--read 或 --questions / give --labels DIR (with --docs), --generate N, "
              "--read PATH… or --questions", file=sys.stderr)
        return 2
    results: dict = {}
    if args.labels:
        from eval.labels import load_labels
        from eval.runner import evaluate

        if not Path(args.labels).is_dir():
            print(f"标注目录不存在 / no such folder: {args.labels}", file=sys.stderr)
            return 2
        labels, missing = load_labels(args.labels, args.docs or [args.labels])
        for m in missing:
            print(f"警告：找不到标注对应的文件 / document not found for label {m.name}", file=sys.stderr)
        if not labels:
            print("没有可评测的文件 / no labelled documents found in --docs", file=sys.stderr)
            return 2
        results = evaluate(labels, baseline=args.baseline, qa=not args.no_qa,
                           data_dir=Path(args.data) if args.data else None)
        results["missing_documents"] = [m.name for m in missing]
    if args.review is not None:
        from service.review import precision_signal

        data_dir = args.review or os.environ.get("BUDGETQA_DATA_DIR", "data")
        results["review_precision"] = precision_signal(data_dir)
    reading_paths = list(args.read) + ([str(lab.doc_path) for lab in labels] if args.labels else [])
    if reading_paths:
        results["reading"] = _reading(reading_paths, args.jobs)
        from eval.checker_eval import check_paths  # alarms and errors per document, wild/ included

        results["checking"] = check_paths(reading_paths, args.jobs)
    if args.generate:
        from eval.generated import evaluate_generated

        results["generated"] = evaluate_generated(args.generate, args.seed, errors_per_doc=args.errors_per_doc)
    if args.questions:
        from eval.qa_eval import question_corpus

        results["questions"] = question_corpus(seed=args.seed)
    if args.html:
        Path(args.html).write_text(html_report(results), encoding="utf-8")
        print(f"HTML 报告 / report: {args.html}", file=sys.stderr)
    if args.json:
        json.dump(results, sys.stdout, ensure_ascii=False, indent=1, default=str)
        print()
    else:
        print(text_report(results))
        if "reading" in results:
            _print_reading(results["reading"])
        if "checking" in results:
            from eval.checker_eval import print_checking

            print_checking(results["checking"])
        if "review_precision" in results:
            r = results["review_precision"]
            print("\n== 审核结论 / inspectors' decisions ==")
            print(f"  确认 confirmed {r.get('confirmed', 0)}，排除 dismissed {r.get('dismissed', 0)}，"
                  f"精确率 precision {r.get('precision')}" if r else "  没有审核记录 / no review decisions found")
            for code, c in sorted((r or {}).get("by_code", {}).items()):
                print(f"  {code}: {c['confirmed']}/{c['confirmed'] + c['dismissed']} = {c['precision']}")
    return 0


def _reading(paths: list[str], jobs: int) -> dict:
    """The label-free reading metric (eval/reading.py) for every disclosure among `paths`."""
    from eval.reading import disclosure_groups, score_many, summarise

    scores, refused = [], []
    for files, s, err, _secs in score_many(disclosure_groups(paths), jobs):
        if s is None:
            refused.append({"files": [Path(f).name for f in files], "error": err})
        else:
            scores.append(s)
    scores.sort(key=lambda s: s.source)
    return {"total": summarise(scores), "documents": [s.as_dict() for s in scores], "refused": refused}


def _print_reading(reading: dict) -> None:
    from eval.reading import ReadingScore, format_score

    print("\n== 读取质量（无需标注）/ reading metric, label-free ==")
    for d in reading["documents"]:
        d = dict(d)
        d.pop("totals_share", None)
        print(format_score(ReadingScore(**d)))
    for k, v in reading["total"].items():
        print(f"  {k}: {v}")
    for r in reading["refused"]:
        print(f"  无法读取 / refused: {' + '.join(r['files'])}: {r['error']}")
