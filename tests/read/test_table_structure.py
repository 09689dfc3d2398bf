"""Tables read by their structure: type from content when the title is missing or wrong, codes
rebuilt over 类/款/项 columns printed on a group's first row only, codes checked against the
national classification, and a reading confidence that recomputes 合计 / 小计."""

from __future__ import annotations

from decimal import Decimal

import pytest

from indexing.model import TableType
from indexing.read.codes import code_kind, fill_down, known_name, name_agrees
from indexing.read.confidence import column_sums, table_confidence
from indexing.read.tables import build_table

SPEND_HEADER = [["科目编码", "科目名称", "合计", "基本支出", "项目支出"]]


def _spend_rows():
    return [
        ["", "合计", "30.00", "20.00", "10.00"],
        ["208", "社会保障和就业支出", "30.00", "20.00", "10.00"],
        ["20805", "行政事业单位养老支出", "30.00", "20.00", "10.00"],
        ["2080505", "机关事业单位基本养老保险缴费支出", "18.00", "18.00", ""],
        ["2080506", "机关事业单位职业年金缴费支出", "12.00", "2.00", "10.00"],
    ]


@pytest.mark.parametrize(
    "title, header, rows, want",
    [
        # No title at all: the 三公 parts in the header decide.
        ("", [["合计", "因公出国（境）费", "公务接待费", "公务用车购置及运行费"]], [["3.00", "0.00", "1.00", "2.00"]],
         TableType.three_public),
        # An untitled two-sided layout with 收入总计 / 支出总计 rows is the 收支总表.
        ("", [["收入", "", "支出", ""], ["项目", "预算数", "项目", "预算数"]],
         [["一、一般公共预算拨款收入", "10.00", "一、一般公共服务支出", "10.00"], ["事业收入", "5.00", "", ""],
          ["收入总计", "15.00", "支出总计", "15.00"]], TableType.income_expense_summary),
        # Titled as the 一般公共预算支出表 but its columns are 人员经费 / 公用经费: the 基本支出 table.
        ("一般公共预算支出情况表", [["经济分类科目编码", "科目名称", "合计", "人员经费", "公用经费"]],
         [["301", "工资福利支出", "8.00", "8.00", ""], ["302", "商品和服务支出", "2.00", "", "2.00"]],
         TableType.general_basic_expenditure),
    ],
)
def test_type_from_content_when_the_title_is_missing_or_wrong(title, header, rows, want):
    t = build_table("t1", title, header, rows)
    assert t.standard_type is want
    assert t.confidence.type_source == "content"


def test_title_and_content_of_one_family_keep_the_title():
    t = build_table("t1", "一般公共预算支出表", SPEND_HEADER, _spend_rows())
    assert t.standard_type is TableType.general_budget_expenditure
    assert t.confidence.type_source == "title"


def test_a_basic_expenditure_table_listing_hospitality_rows_is_not_a_three_public_table():
    rows = [["30212", "因公出国（境）费用", "1.00"], ["30217", "公务接待费", "2.00"], ["30231", "公务用车运行维护费", "3.00"]]
    t = build_table("t1", "一般公共预算基本支出表", [["经济分类科目编码", "科目名称", "金额"]], rows)
    assert t.standard_type is TableType.general_basic_expenditure


def test_codes_printed_on_a_groups_first_row_only_are_filled_down():
    assert fill_down([["208", "", ""], ["", "05", ""], ["", "", "05"], ["", "", "06"], ["", "99", ""], ["", "", "01"]]) == [
        "208", "20805", "2080505", "2080506", "20899", "2089901"]
    assert fill_down([["", "", ""], ["201", "03", "01"]]) == [None, "2010301"]
    header = [["类", "款", "项", "科目名称", "合计"]]
    rows = [["", "", "", "合计", "3.00"], ["208", "", "", "社会保障和就业支出", "3.00"], ["", "05", "", "行政事业单位养老支出", "3.00"],
            ["", "", "05", "机关事业单位基本养老保险缴费支出", "2.00"], ["", "", "06", "机关事业单位职业年金缴费支出", "1.00"]]
    t = build_table("t1", "支出总表", header, rows)
    assert [r.code for r in t.rows] == [None, "208", "20805", "2080505", "2080506"]
    assert t.confidence is not None
    conf = table_confidence(t)
    assert conf.totals_checked == 3 and conf.totals_reconciled == 3 and conf.sure


def test_the_classification_knows_names_and_tells_a_misread_code():
    assert code_kind("2010101") == "functional" and code_kind("30228") == "department_economic"
    assert code_kind("50201") == "government_economic" and code_kind("4021") is None
    assert known_name("2080505") == "机关事业单位基本养老保险缴费支出"
    assert known_name("2013101") == "行政运行"  # the 项 suffix 01 under an administrative 款 (…事务)
    assert known_name("2050202") is None  # under 普通教育 the suffixes mean other things
    assert name_agrees("20103", "政府办公厅及相关机构事务") is True
    assert name_agrees("208", "机关事业单位基本养老保险缴费支出") is False  # a 项's name under its 类 code
    assert name_agrees("20999", "任何名称") is None  # not in the shipped table: no opinion


def test_confidence_recomputes_rows_and_columns_and_lists_what_fails():
    t = build_table("t1", "支出总表", SPEND_HEADER, _spend_rows())
    conf = table_confidence(t)
    # rows: 208 = Σ款, 20805 = Σ项, 合计 = Σ类 (three columns each); columns: 合计 = 基本 + 项目 (5 rows)
    assert conf.totals_checked == 3 * 3 + 5
    assert conf.totals_reconciled == conf.totals_checked and conf.sure
    rows = _spend_rows()
    rows[3][2] = "19.00"  # one 项 misprinted: 20805's 合计 and that row's 合计 = 基本 + 项目 fail
    conf = table_confidence(build_table("t1", "支出总表", SPEND_HEADER, rows))
    assert conf.totals_checked - conf.totals_reconciled == 2 and conf.sure  # a defect to check, not a misreading
    assert any("19.00" in u for u in conf.unreconciled)


def test_many_failing_totals_mean_the_reading_is_in_doubt():
    base = _spend_rows()
    # the amounts read one row too low (a row lost at a page break): labels and figures apart
    rows = [base[0][:2] + base[-1][2:]] + [r[:2] + prev[2:] for r, prev in zip(base[1:], base)]
    conf = table_confidence(build_table("t1", "支出总表", SPEND_HEADER, rows))
    assert not conf.sure and "错位" in conf.doubt


def test_a_subtotal_column_closes_its_group_per_measure():
    header = [["合计/预算数", "合计/决算数", "出国/预算数", "出国/决算数", "接待/预算数", "接待/决算数"]]
    t = build_table("t1", "“三公”经费支出表", header, [["3.00", "2.50", "1.00", "1.00", "2.00", "1.50"]])
    assert sorted((a, sorted(b)) for a, b in column_sums(t)) == [
        ("合计/决算数", ["出国/决算数", "接待/决算数"]), ("合计/预算数", ["出国/预算数", "接待/预算数"])]
    conf = table_confidence(t)
    assert conf.totals_checked == 2 and conf.totals_reconciled == 2
    assert t.rows[0].value("合计/决算数") == Decimal("2.50")


def test_a_final_accounts_line_number_column_is_not_an_amount():
    """决算 templates number their lines (行次) beside each label: the amount is the next column."""
    from indexing.key_figures import key_figure_sources
    from indexing.model import Document

    header = [["收入", "", "", "支出", "", ""], ["项目", "行次", "决算数", "项目", "行次", "决算数"]]
    rows = [["一、财政拨款收入", "1", "90.00", "一、一般公共服务支出", "31", "100.00"],
            ["二、事业收入", "2", "10.00", "", "", ""], ["总计", "30", "100.00", "总计", "60", "100.00"]]
    t = build_table("t1", "收入支出决算总表", header, rows, context="单位：万元")
    assert all(c.figure is None for r in t.rows for c in r.cells if c.column.endswith("行次"))
    found = key_figure_sources(Document(id="x", source="x", format="text", tables=[t]))
    assert found["收入总计"][0] == Decimal("100.00") and found["支出总计"][0] == Decimal("100.00")
