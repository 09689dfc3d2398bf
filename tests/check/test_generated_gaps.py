"""Cases found by the generated-corpus evaluation (eval/generated.py), written as budget-disclosure
rules: the 三公 reason, repeated codes in project tables, the compared year's amount, year-row tables."""

from __future__ import annotations

from decimal import Decimal as D

from checking.check import check_document
from checking.claims import extract_claims
from checking.findings import Severity
from indexing.read.tables import build_table
from tests.check.fixtures import make_doc


def _flags(report):
    return sorted(f.code for f in report.findings if f.severity in (Severity.error, Severity.warning))


def _three_public_by_year(prior=("13.62", "0.00", "9.60", "9.60", "0.00", "4.02"), cur=("4.79", "0.00", "0.00", "0.00", "0.00", "4.79")):
    header = [["项目", "合计", "因公出国（境）费", "公务用车购置及运行费", "公务用车购置及运行费", "公务用车购置及运行费", "公务接待费"],
              ["", "", "", "小计", "公务用车购置费", "公务用车运行维护费", ""]]
    return build_table("t8", "2025年部门“三公”经费预算表", header, [["2024年预算数", *prior], ["2025年预算数", *cur]],
                       context="单位：万元")


_SPLIT = "其中：因公出国（境）费0.00万元；公务用车购置及运行费0.00万元（购置费0.00万元，运行维护费0.00万元）；公务接待费4.79万元。"


def test_three_public_change_without_reason_is_a_warning():
    doc = make_doc(["六、“三公”经费预算情况", "2025年“三公”经费预算4.79万元，比2024年预算减少8.83万元，下降64.83%。" + _SPLIT,
                    "七、政府性基金预算支出情况", "变化的主要原因是项目调整。"], [_three_public_by_year()])
    assert "M-THREE-PUBLIC-REASON" in _flags(check_document(doc))  # the next part's reason is not the 三公 reason


def test_three_public_reason_present_or_no_change_needs_none():
    said = make_doc(["六、“三公”经费预算情况", "2025年“三公”经费预算4.79万元，比2024年预算减少8.83万元，下降64.83%。"
                     "变化的主要原因是厉行节约。" + _SPLIT], [_three_public_by_year()])
    flat = make_doc(["六、“三公”经费预算情况", "2025年“三公”经费预算0.00万元，与2024年预算持平。" + _SPLIT.replace("4.79", "0.00")],
                    [_three_public_by_year(prior=("0.00",) * 6, cur=("0.00",) * 6)])
    for doc in (said, flat):
        assert "M-THREE-PUBLIC-REASON" not in _flags(check_document(doc))


def test_year_rows_align_the_amount_and_check_the_direction_word():
    doc = make_doc(["六、“三公”经费预算情况", "2025年“三公”经费预算4.79万元，比2024年预算增加8.83万元，增长64.83%。"
                    "变化的主要原因是厉行节约。" + _SPLIT], [_three_public_by_year()])
    report = check_document(doc)
    assert "N-DIRECTION" in _flags(report)
    f = next(f for f in report.findings if f.code == "N-DIRECTION")
    assert {e.raw for e in f.evidence if e.side == "table"} >= {"4.79", "13.62"}
    ok = make_doc(["六、“三公”经费预算情况", "2025年“三公”经费预算4.79万元，比2024年预算减少8.83万元，下降64.83%。"
                   "变化的主要原因是厉行节约。" + _SPLIT], [_three_public_by_year()])
    assert [f for f in check_document(ok).findings if f.severity is Severity.error] == []


def test_car_parts_named_without_the_car_prefix_align():
    doc = make_doc(["六、“三公”经费预算情况", "2025年“三公”经费预算4.79万元，与2024年预算持平。"
                    "其中：公务用车购置及运行费0.00万元（购置费0.00万元，运行维护费0.60万元）；公务接待费4.79万元。"],
                   [_three_public_by_year(prior=("4.79", "0.00", "0.00", "0.00", "0.00", "4.79"))])
    report = check_document(doc)
    amount = [f for f in report.findings if f.code == "N-AMOUNT"]
    assert amount and amount[0].stated == D("0.60") and amount[0].expected == D("0.00")


def test_amount_after_the_compared_year_is_the_prior_year_amount():
    doc = make_doc(["一、收支预算总体情况", "2025年某区医疗保障局收入总计1759.52万元，支出总计1759.52万元。"
                    "收支总计与2024年预算相比1808.78万元减少49.26万元，下降2.72%。"], [])
    claims = extract_claims(doc)
    kinds = {str(c.value): c.kind for c in claims}
    assert kinds["1808.78"] == "prior_year_amount" and kinds["49.26"] == "change_amount"
    assert "N-RATE" not in _flags(check_document(doc))  # 49.26 ÷ 1808.78 = 2.72%
    wrong = make_doc(["一、收支预算总体情况", "收支总计与2024年预算相比1808.78万元减少49.26万元，下降2.92%。"], [])
    assert "N-RATE" in _flags(check_document(wrong))


def _project_table(rows):
    header = [["项目名称", "功能分类科目编码", "项目类型", "预算金额", "预算金额"], ["", "", "", "合计", "一般公共预算"]]
    total = sum(D(r[3]) for r in rows)
    return build_table("t10", "项目支出表", header, [["合计", "", "", f"{total:.2f}", f"{total:.2f}"]] + [list(r) for r in rows],
                       context="单位：万元")


_PROJECTS = [("校园安全监控", "2050203", "特定目标类", "146.33", "146.33"),
             ("教师培训专项", "2050202", "其他运转类", "87.43", "87.43"),
             ("课后服务补助", "2050203", "特定目标类", "169.96", "169.96")]


def test_projects_sharing_one_functional_code_are_not_a_repeated_code():
    doc = make_doc(["八、其他重要事项", "纳入绩效目标管理的项目共3个。"], [_project_table(_PROJECTS)])
    assert "A-REPEATED-CODE" not in _flags(check_document(doc))
    twice = _PROJECTS + [("校园安全监控", "2050203", "特定目标类", "46.33", "46.33")]
    doc = make_doc(["八、其他重要事项", "纳入绩效目标管理的项目共3个。"], [_project_table(twice)])
    assert "A-REPEATED-CODE" in _flags(check_document(doc))  # the same project listed twice with other amounts


def test_project_named_in_the_narrative_aligns_to_its_row():
    doc = make_doc(["八、其他重要事项", "纳入绩效目标管理的项目共3个，涉及资金430.72万元，其中课后服务补助196.96万元。"],
                   [_project_table(_PROJECTS)])
    report = check_document(doc)
    amount = [f for f in report.findings if f.code == "N-AMOUNT"]
    assert [f.stated for f in amount] == [D("430.72"), D("196.96")]  # 项目支出 is 403.72
    assert amount[-1].expected == D("169.96") and "颠倒" in amount[-1].message
