"""`budgetqa check FILE_OR_DIR... [--json] [--html OUT] [--xlsx OUT]`: check disclosures for
contradictions between narrative and tables, inside and across tables, completeness and
editorial slips; print a summary table, optionally write JSON / HTML / Excel reports."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="核查公开文件的一致性与完整性 / check disclosures for contradictions")
    p.add_argument("paths", nargs="+", metavar="FILE_OR_DIR", help="PDF、文本或目录 / PDFs, text files or folders")
    p.add_argument("--json", action="store_true", help="向标准输出打印 JSON 报告 / print the JSON report")
    p.add_argument("--html", metavar="OUT", help="写出 HTML 报告 / write an HTML report")
    p.add_argument("--xlsx", metavar="OUT", help="写出 Excel 报告 / write an Excel workbook")
    p.add_argument("--no-info", action="store_true", help="HTML 中不列“提示”级别 / leave info findings out of the HTML")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from checking.check import check_path, expand_paths
    from checking.findings import Report, Severity
    from checking.reports import write_html, write_xlsx
    from checking.reports.json import to_json

    paths = expand_paths(args.paths)
    if not paths:
        print("错误：没有可核查的文件 / Error: no files to check", file=sys.stderr)
        return 2
    report = Report()
    for path in tqdm(paths, desc="核查 / checking", unit="份", file=sys.stderr, disable=len(paths) < 2):
        _, doc_report = check_path(path)
        report.documents.append(doc_report)
    if args.json:
        print(to_json(report))
    else:
        _summary(report, Severity)
    if args.html:
        write_html(report, args.html, with_info=not args.no_info)
        print(f"HTML 报告 / HTML report: {args.html}", file=sys.stderr)
    if args.xlsx:
        write_xlsx(report, args.xlsx)
        print(f"Excel 报告 / Excel report: {args.xlsx}", file=sys.stderr)
    return 1 if any(d.error for d in report.documents) and all(d.error for d in report.documents) else 0


def _summary(report, Severity) -> None:
    width = max([len(d.source) for d in report.documents] + [4])
    print(f"{'文件':<{width}}  错误  警告  提示  数字/对齐")
    for d in report.documents:
        if d.error:
            print(f"{d.source:<{width}}  无法读取：{d.error}")
            continue
        print(f"{d.source:<{width}}  {d.count(Severity.error):>4}  {d.count(Severity.warning):>4}  {d.count(Severity.info):>4}  {d.claims}/{d.aligned}")
    for d in report.documents:
        for f in d.sorted_findings():
            if f.severity is Severity.info:
                continue
            tag = "错误" if f.severity is Severity.error else "警告"
            print(f"  [{tag}] {d.source}: {f.message}")
