"""`budgetqa parse FILE [FILE…] [--json | --summary]`: read one disclosure (several files of one
disclosure, e.g. 情况说明 + 报表, are read as one) and show its model and key figures, or with
`--summary` the label-free reading metric (eval/reading.py)."""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("parse", help="读取一份公开文件并输出文档模型 / read one disclosure into the document model")
    p.add_argument("file", nargs="+", help="PDF 或文本文件；同一份公开的多个文件一并给出 / a PDF or text file; "
                                     "several files of one disclosure (情况说明 + 报表) are read as one")
    p.add_argument("--summary", action="store_true",
                   help="只输出读取质量指标（标准表、合计核对、恒等式、核心数字）/ print the label-free reading metric")
    p.add_argument("--json", action="store_true", help="输出完整 JSON（模型 + key_figures） / print the full JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from indexing.key_figures import key_figures
    from indexing.read.multi import read_parts

    doc = read_parts(args.file)
    if args.summary:
        from eval.reading import format_score, score

        print(format_score(score(doc)))
        return 0
    figures = key_figures(doc)
    if args.json:
        payload = json.loads(doc.to_json())
        payload["key_figures"] = {k: (str(v) if v is not None else None) for k, v in figures.items()}
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    m = doc.meta
    print(f"{doc.source}  [{doc.format}, {doc.page_count or '-'} 页]")
    print(f"部门: {m.department}  年度: {m.year}  类型: {m.level}{m.kind}  叙述单位: {m.unit}  表格单位: {m.table_unit}")
    print(f"章节 {len(doc.sections)} 个，表格 {len(doc.tables)} 张：")
    for t in doc.tables:
        flag = "" if t.complete else f"  [不完整: {t.incomplete_reason}]"
        if t.confidence and t.confidence.doubt and t.complete:
            flag += f"  [存疑: {t.confidence.doubt}]"
        pages = ",".join(map(str, t.pages)) if t.pages else "-"
        print(f"  {t.id:>4} {t.standard_type.value:<12} {t.title}  (页 {pages}, {len(t.rows)} 行, {t.unit or '?'}){flag}")
    print("关键数字 (key figures):")
    for k, v in figures.items():
        print(f"  {k}: {v if v is not None else '—'}")
    for w in doc.warnings:
        print(f"警告: {w}")
    return 0
