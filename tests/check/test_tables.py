"""Inside and across tables, completeness, editorial, reports and the command line."""

from __future__ import annotations

import json
from decimal import Decimal as D

from openpyxl import load_workbook

from checking.check import check_document
from checking.findings import Category, Report, Severity
from checking.reports import write_html, write_xlsx
from indexing.read.tables import build_table
from tests.check.fixtures import basic_table, expenditure_table, make_doc, operating_cost_table, three_public_table


def _codes(report, severity=Severity.error):
    return sorted(f.code for f in report.findings if f.severity is severity)


def test_row_where_total_is_not_basic_plus_project_is_an_error():
    rows = [["208", "社会保障和就业支出", "64.84", "64.84", "10.00"], ["210", "卫生健康支出", "1,029.53", "321.55", "707.98"],
            ["221", "住房保障支出", "31.40", "31.40", "0.00"]]
    report = check_document(make_doc([], [expenditure_table(rows=rows)]))
    f = next(f for f in report.findings if f.code == "A-BASIC-PROJECT")
    assert f.severity is Severity.error and f.stated == D("64.84") and f.expected == D("74.84")
    assert "64.84 + 10.00 = 74.84" in f.arithmetic


def test_sum_off_by_a_cent_is_rounding_information_only():
    rows = [["208", "社会保障和就业支出", "64.85", "64.85", ""], ["210", "卫生健康支出", "1,029.53", "321.55", "707.98"],
            ["221", "住房保障支出", "31.40", "31.40", "0.00"]]
    report = check_document(make_doc([], [expenditure_table(total=("1125.77", "417.79", "707.98"), rows=rows)]))
    assert _codes(report) == []
    assert any(f.code == "A-TOTAL-ROUND" for f in report.findings)


def _identity_codes(report, severity=Severity.error):
    """The codes of every identity the error findings show (one root cause may break several)."""
    return sorted(i.split("：")[0] for f in report.findings if f.severity is severity for i in (f.identities or [f.code + "："]))


def test_three_public_parts_and_car_split():
    # 公务用车购置及运行费 3.00 breaks both identities (≠ 1 + 1, and 1 + 2 + 3 ≠ 5): one finding, both shown
    report = check_document(make_doc([], [three_public_table(("5.00", "1.00", "2.00", "3.00", "1.00", "1.00"))]))
    assert len(_codes(report)) == 1
    assert _identity_codes(report) == ["A-CAR", "A-THREE-PUBLIC"]
    f = next(f for f in report.findings if f.severity is Severity.error)
    assert all("=" in i for i in f.identities)  # each identity with its arithmetic


def test_truncated_table_is_an_extraction_finding_when_another_table_has_the_missing_rows():
    full = [["208", "社会保障和就业支出", "64.84", "64.84", "0.00"], ["210", "卫生健康支出", "1,029.53", "321.55", "707.98"],
            ["221", "住房保障支出", "31.40", "31.40", "0.00"]]
    cut = full[:2]
    t1 = expenditure_table(rows=full)
    t2 = expenditure_table(tid="t5", title="2025年一般公共预算支出情况表", rows=cut)
    report = check_document(make_doc([], [t1, t2]))
    assert _codes(report) == []
    f = next(f for f in report.findings if f.code == "X-A-TOTAL")
    assert f.category is Category.extraction and "截断" in f.message


def test_same_total_differs_between_tables_is_a_cross_table_error():
    doc = make_doc([], [expenditure_table(), basic_table(total=("417.79", "397.27", "20.52"))])
    report = check_document(doc)
    assert "C-TOTAL" not in _codes(report)  # 基本支出 417.79 agrees; the split has no second source here
    summary = build_table("t1", "2025年部门收支总体情况表", [["项目", "基本支出/人员经费", "基本支出/公用经费"]],
                          [["支出总计", "396.27", "21.52"]], context="单位：万元")
    general = expenditure_table(tid="t5", title="2025年一般公共预算支出情况表")
    report = check_document(make_doc([], [summary, expenditure_table(), general, basic_table(total=("417.79", "397.27", "20.52"))]))
    # 人员经费 397.27 and 公用经费 20.52 of the 基本支出表 total row each break the table's own 合计 row
    # (A-TOTAL) and the 收支总表 (C-TOTAL): one finding per cell, each naming both identities
    assert _identity_codes(report).count("C-TOTAL") == 2 and _identity_codes(report).count("A-TOTAL") == 2
    assert len(_codes(report)) == 2


def test_empty_three_public_table_agrees_with_zero_in_the_narrative():
    empty = build_table("t8", "2025年一般公共预算“三公”经费支出情况表", [["“三公”经费合计", "因公出国（境）费", "公务接待费"]], [])
    doc = make_doc(["八、三公", "“三公”经费预算为0万元，因公出国（境）费0.00万元，公务接待费0万元。"], [empty])
    report = check_document(doc)
    assert _codes(report) == [] and report.aligned == 3


def test_editorial_slips():
    doc = make_doc(["一、说明", "财政拨款收入支出增加（减少）的主要原因是业务量增加。公务用车购置及运行费9.98万元，与2025年预算数持平，主要原因是。",
                    "二、支出", "医疗卫生与计划生育支出（210类）5.00万元。收入增加增加2万元。。"],
                   [expenditure_table(rows=[["210", "卫生健康支出", "5.00", "5.00", ""]], total=("5.00", "5.00", "0"))], level="单位")
    codes = {f.code for f in check_document(doc).findings if f.category is Category.editorial}
    assert {"E-PLACEHOLDER", "E-EMPTY-REASON", "E-OLD-CLASS-NAME", "E-DOUBLED-WORD", "E-DOUBLED-PUNCT"} <= codes


def test_wrong_compared_year_is_flagged():
    doc = make_doc(["一、收入", "收入总计1125.77万元，与2023年预算相比，收入增加53.87万元。"], [])
    assert any(f.code == "N-YEAR" for f in check_document(doc).findings)


def test_html_and_xlsx_reports(tmp_path):
    doc = make_doc(["七、机关运行经费", "机构运行经费支出预算21.42万元。"], [operating_cost_table(), basic_table()])
    report = Report(documents=[check_document(doc)])
    write_html(report, tmp_path / "r.html")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "21.42" in html and "21.52" in html and "<script" not in html and "错误" in html
    write_xlsx(report, tmp_path / "r.xlsx")
    ws = load_workbook(tmp_path / "r.xlsx")["发现"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "文件" and any(r[3] == "N-AMOUNT" and r[7] == "21.42" for r in rows[1:])


def test_cli_checks_a_saved_document(tmp_path, capsys):
    from service.cli import main

    doc = make_doc(["七、机关运行经费", "机构运行经费支出预算21.42万元。"], [operating_cost_table()])
    path = tmp_path / "doc.json"
    path.write_text(doc.to_json(), encoding="utf-8")
    assert main(["check", str(path), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["documents"][0]["findings"][0]["stated"] == "21.42"
    assert main(["check", str(path), "--html", str(tmp_path / "o.html"), "--xlsx", str(tmp_path / "o.xlsx")]) == 0
    assert "21.42" in capsys.readouterr().out
