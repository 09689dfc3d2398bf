"""`budgetqa check FILE_OR_DIR... [--json] [--html OUT] [--xlsx OUT] [--annotated OUT.pdf]`: check
disclosures for contradictions between narrative and tables, inside and across tables, completeness
and editorial slips; print a summary table, optionally write JSON / HTML / Excel reports and the
annotated PDF (findings boxed on the original pages). Inspectors' decisions stored by the service
(`<data>/review.db`) appear in the HTML, Excel and annotated PDF."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="核查公开文件的一致性与完整性 / check disclosures for contradictions")
    p.add_argument("paths", nargs="+", metavar="FILE_OR_DIR", help="PDF、文本或目录 / PDFs, text files or folders")
    p.add_argument("--json", action="store_true", help="向标准输出打印 JSON 报告 / print the JSON report")
    p.add_argument("--ledger", action="store_true",
                   help="JSON 报告附核查台账（每项核查×每处：通过/不通过/不适用/数据不足/读取存疑）；无 --json 时打印台账汇总 / "
                        "include the ledger of every check in the JSON (without --json: print its totals)")
    p.add_argument("--html", metavar="OUT", help="写出 HTML 报告 / write an HTML report")
    p.add_argument("--xlsx", metavar="OUT", help="写出 Excel 报告 / write an Excel workbook")
    p.add_argument("--annotated", metavar="OUT.pdf",
                   help="写出批注版 PDF（发现框在原页上，首页为汇总）；多个 PDF 时按文件名加后缀 / annotated PDF")
    p.add_argument("--data", metavar="DIR", help="读取复核决定的数据目录（默认 BUDGETQA_DATA_DIR 或 ./data） / data folder")
    p.add_argument("--no-info", action="store_true", help="HTML 中不列“提示”级别 / leave info findings out of the HTML")
    from service.commands.ingest import add_cluster_options

    add_cluster_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from checking.check import expand_paths
    from checking.findings import Report, Severity
    from checking.reports import write_html, write_xlsx
    from checking.reports.json import to_json

    paths = expand_paths(args.paths)
    if not paths:
        print("错误：没有可核查的文件 / Error: no files to check", file=sys.stderr)
        return 2
    from service.bounded import Limits
    from service.config import ServerSettings

    limits = Limits.of(ServerSettings.from_env())  # the service's limits: BUDGETQA_MAX_CHARS, PARSE_TIMEOUT …
    from indexing.read.multi import group_parts
    from service.bounded import check_paths_bounded
    from service.commands.ingest import use_cluster

    # A disclosure published as several files (情况说明 + 报表) is checked as one document.
    groups = group_parts(paths)
    report = Report()
    pdfs = []  # (path, report) of each PDF, for --annotated
    if use_cluster(args, len(groups)) and not any(p.suffix.lower() == ".json" for p in paths):  # .json: stored models, here
        from indexing.batch import check_batch, dask_client

        with dask_client(args.workers, args.scheduler) as client:
            checked = check_batch(paths, limits, client, progress=len(groups) >= 2)
    else:
        checked = (check_paths_bounded(group, limits) for group in
                   tqdm(groups, desc="核查 / checking", unit="份", file=sys.stderr, disable=len(groups) < 2))
    for group, (doc, doc_report) in zip(groups, checked):
        report.documents.append(doc_report)
        if doc is not None and doc.format == "pdf" and len(group) == 1:
            pdfs.append((group[0], doc_report, doc))
    decisions = _decisions(args, [d.doc_id for d in report.documents if d.doc_id])
    if args.json:
        print(to_json(report, ledger=args.ledger))
    else:
        _summary(report, Severity)
        if args.ledger:
            _ledger_summary(report)
    if args.html:
        write_html(report, args.html, with_info=not args.no_info, decisions=decisions)
        print(f"HTML 报告 / HTML report: {args.html}", file=sys.stderr)
    if args.xlsx:
        write_xlsx(report, args.xlsx, decisions)
        print(f"Excel 报告 / Excel report: {args.xlsx}", file=sys.stderr)
    if args.annotated:
        if not pdfs:
            print("错误：--annotated 只用于 PDF 文件 / Error: --annotated needs PDF input", file=sys.stderr)
            return 2
        from pathlib import Path

        from checking.reports.annotated_pdf import write_annotated

        out = Path(args.annotated)
        for path, doc_report, doc in pdfs:
            target = out if len(pdfs) == 1 else out.with_name(f"{out.stem}-{Path(path).stem}{out.suffix or '.pdf'}")
            n = write_annotated(doc_report, path, target, decisions.get(doc_report.doc_id), doc=doc)
            print(f"批注版 PDF / annotated PDF: {target}（{n} 处标注 / boxes）", file=sys.stderr)
    # Exit status (README): 0 every file checked, 2 a file could not be read (or checked in time).
    return 2 if any(d.error for d in report.documents) else 0


def _decisions(args, doc_ids: list[str]) -> dict:
    """Decisions stored by the service for these documents; none when there is no review database."""
    import os
    from pathlib import Path

    data = Path(args.data or os.environ.get("BUDGETQA_DATA_DIR") or "data")
    if not (data / "review.db").exists():
        return {}
    from service.review import ReviewStore

    store = ReviewStore(data / "review.db")
    try:
        return {d: store.decisions(d) for d in doc_ids}
    finally:
        store.close()


def _ledger_summary(report) -> None:
    from checking.findings import LEDGER_ZH, LedgerStatus

    print("核查台账 / ledger: " + "  ".join(LEDGER_ZH[s] for s in LedgerStatus))
    for d in report.documents:
        if d.ledger is None:
            continue
        for fam, t in d.ledger.totals().items():
            print(f"  {d.source} {fam}: " + "  ".join(str(t[s.value]) for s in LedgerStatus))


def _summary(report, Severity) -> None:
    width = max([len(d.source) for d in report.documents] + [4])
    print(f"{'文件':<{width}}  错误  警告  提示  存疑  数字/对齐")
    for d in report.documents:
        if d.error:
            print(f"{d.source:<{width}}  无法读取：{d.error}")
            continue
        print(f"{d.source:<{width}}  {d.count(Severity.error):>4}  {d.count(Severity.warning):>4}  {d.count(Severity.hint):>4}  {d.count(Severity.extraction):>4}  {d.claims}/{d.aligned}")
    for d in report.documents:
        for f in d.sorted_findings():
            if not f.is_alarm:  # hints and the reader's doubts are in the reports, not in the alarm list
                continue
            tag = "错误" if f.severity is Severity.error else "警告"
            print(f"  [{tag}] {d.source}: {f.message}")
