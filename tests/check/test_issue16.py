"""Issue 16: levels with a meaning, the ledger, one finding per root cause, the pairs never
compared, and the families the checker used to miss — each on a small generated document."""

from __future__ import annotations

import json
from decimal import Decimal as D

from checking.check import check_document
from checking.findings import ALARMS, Finding, LedgerStatus, Report, Severity
from indexing.model import TableConfidence
from indexing.read.tables import build_table
from tests.check.fixtures import basic_table, expenditure_table, make_doc


def _by_code(report, code):
    return [f for f in report.findings if f.code == code]


# ------------------------------------------------------------------ levels


def test_info_is_read_as_hint_and_reports_carry_schema_2():
    f = Finding.model_validate({"code": "X", "severity": "info", "category": "arithmetic", "message": "m"})
    assert f.severity is Severity.hint and not f.is_alarm
    assert set(ALARMS) == {Severity.error, Severity.warning}
    assert json.loads(Report().to_json())["schema_version"] == 2


def test_a_doubted_table_gives_one_extraction_finding_naming_the_checks_it_blocked():
    rows = [["208", "社会保障和就业支出", "64.84", "64.84", "10.00"], ["210", "卫生健康支出", "1,029.53", "321.55", "700.98"],
            ["221", "住房保障支出", "31.40", "31.40", "0.00"]]
    t = expenditure_table(rows=rows)
    t.confidence = TableConfidence(sure=False, doubt="3个合计中3个不平，更像读错（错位）而非部门差错")
    report = check_document(make_doc([], [t]))
    assert [f for f in report.findings if f.severity is Severity.error] == []
    doubts = _by_code(report, "X-TABLE-DOUBT")
    assert [f for f in report.findings if f.is_alarm and f.category.value == "arithmetic"] == []
    assert len(doubts) == 1 and doubts[0].severity is Severity.extraction
    assert "A-BASIC-PROJECT" in doubts[0].blocked and "A-BASIC-PROJECT" in doubts[0].message
    statuses = {e.status for e in report.ledger.entries if e.check == "A-BASIC-PROJECT"}
    assert LedgerStatus.doubt in statuses and LedgerStatus.failed not in statuses
    # the same table read for sure: the broken rows are errors (one finding: they share the 项目支出 合计)
    sure = check_document(make_doc([], [expenditure_table(rows=rows)]))
    errors = [f for f in sure.findings if f.severity is Severity.error]
    assert errors and sum(i.startswith("A-BASIC-PROJECT") for f in errors for i in f.identities or [f.code]) == 2


def test_an_llm_typed_or_cross_sentence_figure_is_never_an_error():
    doc = make_doc(["二、收支", "一般公共预算支出100.00万元。", "本部门共有两个科室。", "财政拨款支出较2024年增加10.00万元，增长50.00%。"], [])
    report = check_document(doc)
    assert not _by_code(report, "N-RATE")  # 100.00 is from another statement than the rate: not recomputed


# ------------------------------------------------------------------ ledger


def test_ledger_lists_every_check_with_its_outcome_and_totals_per_family():
    doc = make_doc(["二、收支", "支出合计1125.77万元，其中：基本支出417.79万元、项目支出707.98万元。"],
                   [expenditure_table(), basic_table()], kind="预算")
    report = check_document(doc)
    totals = report.ledger.totals()
    assert totals["all"]["pass"] > 0
    assert totals["final_accounts"]["not_applicable"] == 2  # a budget: the 决算 rules do not apply
    assert "arithmetic" in totals and "narrative" in totals and "parts" in totals
    assert 0 < report.ledger.coverage() <= 1
    amounts = [e for e in report.ledger.entries if e.check == "N-AMOUNT"]
    assert amounts and all(e.status is LedgerStatus.passed for e in amounts)
    # --ledger off: the JSON leaves it out, on: it is there
    assert "ledger" not in json.loads(Report(documents=[report]).to_json(ledger=False))["documents"][0]
    assert json.loads(Report(documents=[report]).to_json())["documents"][0]["ledger"]["entries"]


# ------------------------------------------------------------------ one finding per root cause


def test_one_wrong_figure_repeated_is_one_finding_citing_every_quote():
    doc = make_doc(["二、收支", "2025年基本支出427.79万元。", "三、支出", "本年基本支出427.79万元，主要用于人员。"],
                   [expenditure_table()])
    report = check_document(doc)
    found = [f for f in report.findings if f.code == "N-AMOUNT"]
    assert len(found) == 1 and found[0].severity is Severity.error
    assert len([e for e in found[0].evidence if e.side == "narrative"]) == 2


# ------------------------------------------------------------------ pairs never compared


def test_operating_cost_is_never_compared_with_public_funds():
    doc = make_doc(["三、机关运行经费", "2025年机关运行经费预算安排30.00万元。"], [basic_table()])
    report = check_document(doc)
    assert not [f for f in report.findings if f.code.startswith("N-AMOUNT")]


def test_income_and_expenditure_by_function_are_not_compared_in_final_accounts():
    header = [["科目编码", "科目名称", "合计"]]
    income = build_table("t2", "2024年收入决算表", header, [["", "合计", "110.00"], ["208", "社会保障和就业支出", "110.00"]],
                         context="单位：万元")
    spend = build_table("t3", "2024年支出决算表", [["科目编码", "科目名称", "合计", "基本支出", "项目支出"]],
                        [["", "合计", "100.00", "100.00", "0.00"], ["208", "社会保障和就业支出", "100.00", "100.00", "0.00"]],
                        context="单位：万元")
    final = check_document(make_doc([], [income, spend], year=2024, kind="决算"))
    assert not _by_code(final, "C-CODE")
    budget = check_document(make_doc([], [income, spend], year=2024, kind="预算"))
    assert _by_code(budget, "C-CODE")  # in a budget, 收入 = 支出 per 科目


# ------------------------------------------------------------------ the missing families


def test_a_total_stated_as_the_sum_of_its_parts_but_not_equal():
    doc = make_doc(["四、三公", "“三公”经费预算较2024年减少4.00万元，其中：因公出国（境）费减少0.00万元、公务接待费减少2.00万元、"
                               "公务用车购置及运行费减少1.00万元。"], [])
    f = _by_code(check_document(doc), "N-PARTS")
    assert len(f) == 1 and f[0].severity is Severity.error
    assert f[0].stated == D("4.00") and f[0].expected == D("3.00") and "0.00万元 + 2.00万元 + 1.00万元" in f[0].arithmetic
    # an open list may leave parts out, but can never exceed the whole
    ok = make_doc(["二、支出", "项目支出100.00万元，其中：A项目30.00万元、B项目20.00万元。"], [])
    assert not [x for x in check_document(ok).findings if x.code.startswith("N-PARTS") and x.is_alarm]
    area = make_doc(["五、资产", "地上建筑面积为8013平方米（其中计容面积7998平方米，不计容面积105平方米）。"], [])
    f = _by_code(check_document(area), "N-PARTS-EXCEED")
    assert len(f) == 1 and f[0].severity is Severity.warning and f[0].expected == D("8103")


def test_an_amount_truncated_where_the_table_has_more_digits():
    t = build_table("t3", "2025年部门支出总体情况表", [["科目编码", "科目名称", "合计", "基本支出", "项目支出"]],
                    [["", "合计", "328,661.81", "328,661.81", "0.00"], ["208", "社会保障和就业支出", "328,661.81", "328,661.81", "0.00"]],
                    context="单位：元")
    report = check_document(make_doc(["二、收支", "2025年支出合计328,661元。"], [t]))
    f = _by_code(report, "N-AMOUNT-TRUNCATED")
    assert len(f) == 1 and f[0].severity is Severity.hint and "328662" in f[0].message
    assert not _by_code(report, "N-AMOUNT")


def test_the_same_code_with_different_amounts_in_two_tables():
    # one fund (equal grand totals): 208 and 210 must agree between 支出总表 and 一般公共预算支出表
    general = expenditure_table(tid="t5", title="2025年一般公共预算支出情况表", rows=[
        ["208", "社会保障和就业支出", "74.84", "74.84", "0.00"], ["210", "卫生健康支出", "1,019.53", "311.55", "707.98"],
        ["221", "住房保障支出", "31.40", "31.40", "0.00"]])
    report = check_document(make_doc([], [expenditure_table(), general]))
    errors = [f for f in report.findings if f.severity is Severity.error]
    assert sorted(f.code for f in errors) == ["C-CODE", "C-CODE"]
    assert {(f.expected, f.stated) for f in errors} == {(D("64.84"), D("74.84")), (D("1029.53"), D("1019.53"))}


def test_a_table_the_contents_list_but_the_document_does_not_contain():
    toc = ["目录", "一、部门收支总表 ..... 5", "二、部门项目支出表 ..... 9"]
    doc = make_doc(toc + ["一、情况说明", "本部门2025年收支情况如下。"], [expenditure_table()], fmt="pdf")
    report = check_document(doc)
    listed = _by_code(report, "M-TABLE-LISTED")
    assert {f.severity for f in listed} == {Severity.warning}
    assert any("项目支出表" in f.message for f in listed) and any("收支总表" in f.message for f in listed)
    # the title printed elsewhere (a table the reader lost): an extraction note, not an alarm
    doc = make_doc(toc + ["一、情况说明", "部门项目支出表", "见下表。"], [expenditure_table()], fmt="pdf")
    lost = [f for f in check_document(doc).findings if "项目支出表" in f.message]
    assert lost and all(f.code == "X-TABLE-NOT-READ" and f.severity is Severity.extraction for f in lost)


def test_a_unit_misused_in_a_performance_target():
    t = build_table("t20", "2025年项目支出绩效目标表", [["一级指标", "二级指标", "三级指标", "指标值"]],
                    [["项目名称", "培训项目", "", ""], ["预算数", "50.00", "", ""], ["产出指标", "数量指标", "培训人数", "≥900%"],
                     ["产出指标", "质量指标", "培训合格率", "≥95%"], ["效益指标", "社会效益", "服务对象增长", "≥120%"]])
    f = _by_code(check_document(make_doc(["一、说明", "无"], [t], fmt="pdf")), "P-UNIT")
    assert len(f) == 1 and f[0].severity is Severity.warning and "培训人数" in f[0].message


def test_a_year_named_wrongly_in_a_comparison():
    doc = make_doc(["二、收支", "2025年收入总计1125.77万元，与2023年预算相比增加53.87万元。"], [expenditure_table()])
    f = _by_code(check_document(doc), "N-YEAR")
    assert len(f) == 1 and f[0].severity is Severity.warning and "2024" in f[0].message


def test_template_instructions_left_in_the_text():
    doc = make_doc(["二、收支", "本部门无政府性基金预算，仍保留该表格式，并在本表下方作下述说明。收入增加（减少）10万元。"], [])
    codes = {f.code for f in check_document(doc).findings if f.is_alarm}
    assert {"E-TEMPLATE-NOTE", "E-PLACEHOLDER"} <= codes
