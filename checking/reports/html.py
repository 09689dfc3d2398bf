"""A self-contained HTML report: per document, findings grouped by severity, the narrative and
table evidence side by side with page/table/row/column, the arithmetic shown. No scripts, no
external files: it opens from an e-mail attachment."""

from __future__ import annotations

from html import escape
from pathlib import Path

from checking.decisions import Decision, keyed
from checking.findings import (CATEGORY_ZH, LEDGER_ZH, SEVERITY_ZH, DocumentReport, Evidence, Finding, LedgerStatus, Report,
                               Severity, fmt)

FAMILY_ZH = {"narrative": "文字与表格", "parts": "总数与分项", "performance": "绩效目标", "final_accounts": "决算说明",
             "arithmetic": "表内勾稽", "cross_table": "表间勾稽", "completeness": "完整性", "editorial": "文字编校",
             "extraction": "读取"}
from checking.reports.where import side_where, value_text

_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px}h2{font-size:18px;border-bottom:2px solid #ccc;padding-bottom:4px;margin-top:32px}
h3{font-size:15px;margin:18px 0 6px}
.summary td,.summary th{padding:4px 10px;border-bottom:1px solid #eee;text-align:left}
.f{border:1px solid #ddd;border-left:6px solid #999;border-radius:4px;margin:10px 0;padding:8px 12px}
.error{border-left-color:#c0392b}.warning{border-left-color:#e67e22}.info{border-left-color:#7f8c8d}
.tag{display:inline-block;font-size:12px;padding:1px 6px;border-radius:3px;background:#eee;margin-right:6px}
.msg{font-weight:600;margin:4px 0}
.sides{display:grid;grid-template-columns:1fr 1fr;gap:10px;margin-top:6px}
.side{background:#fafafa;border:1px solid #eee;padding:6px 8px;font-size:13px}
.side h4{margin:0 0 4px;font-size:12px;color:#666}
.ev{margin:3px 0}.where{color:#666;font-size:12px}
.decision{margin-top:6px;font-size:13px}.decision.dismissed{color:#666}.decision.confirmed{color:#c0392b}
.f.dismissed-f{opacity:.75}.page-link{font-size:12px;margin-left:6px}
.calc{font-family:monospace;font-size:12px;background:#f4f6f8;padding:3px 6px;margin-top:6px;white-space:pre-wrap}
.hint{border-left-color:#7f8c8d}.extraction{border-left-color:#2980b9;background:#f5f9fc}
.doubts{border:1px dashed #2980b9;padding:4px 12px;margin-top:14px;background:#f5f9fc}
.ledger td,.ledger th{padding:2px 8px;border-bottom:1px solid #eee;text-align:right;font-size:13px}
.ledger td:first-child,.ledger th:first-child{text-align:left}
"""


def _ev(e: Evidence) -> str:
    val = f" <b>{escape(value_text(e.raw or fmt(e.value), e.unit))}</b>" if e.value is not None else ""
    quote = f"“{escape(e.quote)}”" if e.quote else ""
    return f'<div class="ev">{quote}{val}<div class="where">{escape(side_where(e))}</div></div>'


def _decision(d: Decision | None, review_url: str | None) -> str:
    link = f' <a class="page-link" href="{escape(review_url)}">在原页查看与复核</a>' if review_url else ""
    if d is None:
        return f'<div class="decision open">复核：待复核{link}</div>' if review_url else ""
    return f'<div class="decision {escape(d.status)}">复核：{escape(d.label)}{link}</div>'


def _finding(f: Finding, d: Decision | None = None, review_url: str | None = None) -> str:
    narrative = [e for e in f.evidence if e.side == "narrative"]
    tables = [e for e in f.evidence if e.side != "narrative"]
    nums = []
    if f.stated is not None:
        nums.append(f"所述 {fmt(f.stated)}")
    if f.expected is not None:
        nums.append(f"应为 {fmt(f.expected)}")
    if f.difference is not None:
        nums.append(f"差额 {fmt(f.difference)}")
    calc = f'<div class="calc">{escape(f.arithmetic)}</div>' if f.arithmetic else ""
    if f.identities:
        calc += "".join(f'<div class="calc">{escape(i)}</div>' for i in f.identities)
    return (
        f'<div class="f {f.severity.value}{" dismissed-f" if d and d.status == "dismissed" else ""}"><span class="tag">{SEVERITY_ZH[f.severity]}</span>'
        f'<span class="tag">{CATEGORY_ZH[f.category]}</span><span class="tag">{escape(f.code)}</span>'
        f'<div class="msg">{escape(f.message)}</div><div class="where">{escape("；".join(nums))}</div>'
        f'<div class="sides"><div class="side"><h4>文字</h4>{"".join(map(_ev, narrative)) or "—"}</div>'
        f'<div class="side"><h4>表格</h4>{"".join(map(_ev, tables)) or "—"}</div></div>{calc}{_decision(d, review_url)}</div>'
    )


def _ledger(d: DocumentReport) -> str:
    """What was checked: per family, how many checks passed, failed, did not apply, lacked data or
    were blocked by a reading doubt — nothing unchecked counts as passed."""
    if d.ledger is None or not d.ledger.entries:
        return ""
    totals = d.ledger.totals()
    cols = [s for s in LedgerStatus]
    head = "".join(f"<th>{LEDGER_ZH[s]}</th>" for s in cols)
    rows = "".join(f"<tr><td>{escape(FAMILY_ZH.get(fam, fam))}</td>" + "".join(f"<td>{t[s.value]}</td>" for s in cols) + "</tr>"
                   for fam, t in totals.items() if fam != "all")
    cov = d.ledger.coverage()
    all_row = "<tr><td><b>合计</b></td>" + "".join(f"<td><b>{totals['all'][s.value]}</b></td>" for s in cols) + "</tr>"
    return (f'<h3>核查台账（覆盖率 {cov:.1%}）</h3><table class="ledger"><tr><th>类别</th>{head}</tr>{rows}{all_row}</table>'
            if cov is not None else "")


def _document(d: DocumentReport, with_info: bool, decided: dict[str, Decision] | None = None,
              review_base: str | None = None) -> str:
    head = f"<h2>{escape(d.source)}</h2><p>{escape(d.department or '')} {d.year or ''}年{escape(d.kind or '')} · 文字数字 {d.claims} 个，已与表格对齐 {d.aligned} 个</p>"
    if d.error:
        return head + f"<p>无法读取：{escape(d.error)}</p>"
    parts = [head]
    ident = {id(f): k for k, f in keyed(d.findings)}

    def render(items: list[Finding]) -> str:
        return "".join(_finding(f, (decided or {}).get(ident[id(f)]),
                                f"{review_base}#finding-{ident[id(f)]}" if review_base else None) for f in items)

    for sev in (Severity.error, Severity.warning, Severity.hint):
        if sev is Severity.hint and not with_info:
            continue
        items = [f for f in d.sorted_findings() if f.severity is sev]
        if items:
            parts.append(f"<h3>{SEVERITY_ZH[sev]}（{len(items)}）</h3>" + render(items))
    if len(parts) == 1:
        parts.append("<p>未发现问题。</p>")
    doubts = [f for f in d.sorted_findings() if f.severity is Severity.extraction]
    if doubts:  # the reader's doubts, shown apart: never alarms
        parts.append(f'<div class="doubts" id="doubts-{escape(d.doc_id)}"><h3>读取存疑（{len(doubts)}，不计入报警）</h3>'
                     + render(doubts) + "</div>")
    parts.append(_ledger(d))
    return "".join(parts)


def to_html(report: Report, with_info: bool = True, decisions: dict[str, dict[str, Decision]] | None = None,
            review_base: str | None = None) -> str:
    """`decisions`: document id → finding identity → the inspector's decision (service/review.py);
    `review_base`: the review page of the (single) document, linked from each finding."""
    rows = "".join(
        f"<tr><td>{escape(d.source)}</td><td>{d.count(Severity.error)}</td><td>{d.count(Severity.warning)}</td>"
        f"<td>{d.count(Severity.hint)}</td><td>{d.count(Severity.extraction)}</td><td>{d.claims}</td><td>{d.aligned}</td>"
        f"<td>{'' if d.ledger is None or d.ledger.coverage() is None else format(d.ledger.coverage(), '.0%')}</td></tr>"
        for d in report.documents
    )
    summary = (f'<table class="summary"><tr><th>文件</th><th>错误</th><th>警告</th><th>提示</th><th>读取存疑</th>'
               f'<th>文字数字</th><th>已对齐</th><th>核查覆盖率</th></tr>{rows}</table>')
    body = "".join(_document(d, with_info, (decisions or {}).get(d.doc_id), review_base) for d in report.documents)
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>预算公开核查报告</title>'
            f"<style>{_CSS}</style></head><body><h1>预算公开核查报告</h1>{summary}{body}</body></html>")


def write_html(report: Report, path: str | Path, with_info: bool = True,
               decisions: dict[str, dict[str, Decision]] | None = None) -> None:
    Path(path).write_text(to_html(report, with_info, decisions), encoding="utf-8")
