"""An Excel workbook for inspectors: a summary sheet and one row per finding, with both sides'
evidence and the arithmetic, filterable by severity and category."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from checking.decisions import Decision, STATUS_ZH, keyed
from checking.findings import CATEGORY_ZH, LEDGER_ZH, SEVERITY_ZH, Evidence, LedgerStatus, Report, Severity, fmt
from checking.reports.where import side_where, value_text

_FILL = {Severity.error: "F4CCCC", Severity.warning: "FCE5CD", Severity.hint: "EEEEEE", Severity.extraction: "DDEBF7"}
_COLUMNS = ["文件", "严重程度", "类别", "代码", "说明", "文字依据", "表格依据", "所述值", "应为", "差额", "单位", "算式",
            "复核", "复核原因", "复核人", "复核时间", "发现编号"]
_WIDTHS = [28, 8, 10, 16, 60, 50, 50, 12, 12, 12, 6, 40, 10, 30, 12, 20, 18]


def _side(evidence: list[Evidence]) -> str:
    return "\n".join(f"{e.quote or ''} {value_text(e.raw, e.unit)}（{side_where(e)}）".strip() for e in evidence)


def write_xlsx(report: Report, path: str | Path, decisions: dict[str, dict[str, Decision]] | None = None) -> None:
    """`decisions`: document id → finding identity → the inspector's decision (service/review.py)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append(["文件", "部门", "年度", "类型", "错误", "警告", "提示", "文字数字", "已对齐", "读取错误", "读取存疑", "核查覆盖率"])
    for d in report.documents:
        cov = d.ledger.coverage() if d.ledger is not None else None
        ws.append([d.source, d.department, d.year, d.kind, d.count(Severity.error), d.count(Severity.warning),
                   d.count(Severity.hint), d.claims, d.aligned, d.error, d.count(Severity.extraction),
                   None if cov is None else f"{cov:.1%}"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    fs = wb.create_sheet("发现")
    xs = wb.create_sheet("读取存疑")  # the reader's doubts, apart: never alarms
    fs.append(_COLUMNS)
    xs.append(_COLUMNS)
    for d in report.documents:
        ident = {id(f): k for k, f in keyed(d.findings)}
        decided = (decisions or {}).get(d.doc_id, {})
        for f in d.sorted_findings():
            fs = xs if f.severity is Severity.extraction else wb["发现"]
            dec = decided.get(ident[id(f)])
            narrative = [e for e in f.evidence if e.side == "narrative"]
            tables = [e for e in f.evidence if e.side != "narrative"]
            # figures stay text: Decimal → Excel float would lose the printed precision
            fs.append([d.source, SEVERITY_ZH[f.severity], CATEGORY_ZH[f.category], f.code, f.message, _side(narrative),
                       _side(tables), fmt(f.stated) if f.stated is not None else None,
                       fmt(f.expected) if f.expected is not None else None,
                       fmt(f.difference) if f.difference is not None else None, f.unit, f.arithmetic,
                       STATUS_ZH.get(dec.status, dec.status) if dec else STATUS_ZH["open"], dec.reason if dec else None,
                       dec.who if dec else None, (dec.at or "").replace("T", " ")[:19] if dec else None, ident[id(f)]])
            fill = PatternFill("solid", fgColor=_FILL.get(f.severity, "EEEEEE"))
            for cell in fs[fs.max_row]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            fs.cell(fs.max_row, 2).fill = fill
    for fs in (wb["发现"], xs):
        for i, w in enumerate(_WIDTHS, start=1):
            fs.column_dimensions[fs.cell(1, i).column_letter].width = w
        _header_row(fs)
    _ledger_sheets(wb, report)
    wb.save(str(path))


def _ledger_sheets(wb, report: Report) -> None:
    """核查台账: totals per document and family, then every check × place with its outcome."""
    ts = wb.create_sheet("核查台账")
    ts.append(["文件", "类别"] + [LEDGER_ZH[s] for s in LedgerStatus])
    es = wb.create_sheet("台账明细")
    es.append(["文件", "类别", "核查", "位置", "结果", "发现代码"])
    for d in report.documents:
        if d.ledger is None:
            continue
        for fam, t in d.ledger.totals().items():
            ts.append([d.source, "合计" if fam == "all" else fam] + [t[s.value] for s in LedgerStatus])
        for e in d.ledger.entries:
            es.append([d.source, e.family, e.check, e.place, LEDGER_ZH[e.status], e.code])
    for sheet in (ts, es):
        _header_row(sheet)


def _header_row(sheet) -> None:
    """Every sheet opens the same way: its first row in bold, filtered and frozen while scrolling."""
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.auto_filter.ref = sheet.dimensions
    sheet.freeze_panes = "A2"
