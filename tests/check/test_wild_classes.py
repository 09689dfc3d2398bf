"""The classes of false errors found on ../shared/wild (issue 16; /work/coord/wild_errors.md), each on a
small document in our own wording: the rule stays silent where the templates make no comparison, and
still raises the error where the same figures really disagree."""

from __future__ import annotations

from decimal import Decimal as D

from checking.check import check_document
from indexing.read.tables import build_table
from tests.check.fixtures import basic_table, expenditure_table, make_doc


def _errors(report, code=None):
    return [f for f in report.findings if f.severity.value == "error" and (code is None or f.code == code)]


def test_a_subject_split_is_not_compared_with_the_department_total():
    split = ["三、支出", "（3）卫生健康支出（210）1029.53万元，较上年减少7.45万元。具体为：人员经费300.00万元，较上年减少1.00万元；"
                      "公用经费21.52万元，较上年无变化。"]
    assert not _errors(check_document(make_doc(split, [basic_table()])), "N-AMOUNT")
    whole = ["三、支出", "本部门基本支出417.79万元，其中：人员经费300.00万元、公用经费21.52万元。"]
    assert [f.stated for f in _errors(check_document(make_doc(whole, [basic_table()])), "N-AMOUNT")] == [D("300.00")]


def test_a_change_after_a_bracket_is_of_the_amount_before_it():
    lines = ["六、三公", "公务用车购置及运行费346.67万元（公务用车购置费36.00万元；公务用车运行维护费310.67万元。）比上年增加33.44万元，增长{}%。"]
    assert not _errors(check_document(make_doc([lines[0], lines[1].format("10.68")], [])), "N-RATE")
    wrong = _errors(check_document(make_doc([lines[0], lines[1].format("15.00")], [])), "N-RATE")
    assert len(wrong) == 1 and wrong[0].expected == D("10.68")


def test_a_direction_word_of_another_clause_does_not_make_a_change():
    lines = ["六、三公", "公务用车运行费74.10万元，比上年增加39.20万元，主要原因是购置需求减少；公务接待费22.21万元，比上年减少0.30万元，下降1.33%。"]
    assert not _errors(check_document(make_doc(lines, [])))


def test_a_rate_that_fits_the_whole_of_a_list_is_not_an_error():
    lines = ["二、收入", "本部门收入344447.70万元，其中：一般公共预算拨款324638.50万元、其他收入3444.00万元，较上年减少129422.00万元，下降27.31%。"]
    assert not _errors(check_document(make_doc(lines, [])), "N-RATE")
    wrong = ["二、收入", "本部门收入344447.70万元，其中：一般公共预算拨款324638.50万元、其他收入3444.00万元，较上年减少129422.00万元，下降33.00%。"]
    assert _errors(check_document(make_doc(wrong, [])), "N-RATE")


def test_a_three_public_table_that_also_lists_meetings_has_no_three_public_total():
    header = [["合计", "因公出国（境）费", "公务接待费", "公务用车购置及运行费", "会议费", "培训费"]]
    t = build_table("t8", "2025年一般公共预算拨款“三公”经费及会议费、培训费支出预算表", header,
                    [["30.00", "5.00", "3.00", "2.00", "12.00", "8.00"]], context="单位：万元")
    assert not _errors(check_document(make_doc(["六、三公", "三公经费预算10.00万元。"], [t])))


def test_a_code_split_over_rows_by_economic_class_is_not_compared_per_row():
    split = expenditure_table(rows=[["2100101", "行政运行", "500.00", "500.00", "0.00"],
                                    ["2100101", "行政运行", "529.53", "529.53", "0.00"]], total=("1029.53", "1029.53", "0.00"))
    header = [["科目编码", "科目名称", "合计", "基本支出", "项目支出"]]
    general = build_table("t5", "2025年一般公共预算支出表", header,
                          [["", "合计", "1029.53", "1029.53", "0.00"], ["2100101", "行政运行", "1029.53", "1029.53", "0.00"]],
                          context="单位：万元")
    assert not _errors(check_document(make_doc([], [split, general])), "C-CODE")


def test_a_narrative_total_of_rounded_parts_is_a_hint():
    header = [["科目编码", "科目名称", "合计", "人员经费", "公用经费"]]
    t = build_table("t6", "2025年一般公共预算基本支出表", header, [["", "合计", "921.324552", "900.000000", "21.324552"]],
                    context="单位：万元")
    report = check_document(make_doc(["五、基本支出", "基本支出921.33万元。"], [t]))
    assert not _errors(report) and any(f.code == "N-AMOUNT-ROUND" for f in report.findings)
    off = check_document(make_doc(["五、基本支出", "基本支出921.35万元。"], [t]))
    assert _errors(off, "N-AMOUNT")
