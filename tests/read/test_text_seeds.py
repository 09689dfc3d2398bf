"""The text reader on the three real conversions: tables, sections, codes, page breaks, truncation."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest

from indexing.model import Document, TableType as T
from indexing.read import read_document

S000, S001, S003 = "000_ccf1996943bb7af8", "001_9d927ef525b240df", "003_f817b9ad0bd285d8"

# The tables each seed's 目录 lists that are really present in the text (000 lost five of its
# fourteen in conversion: 收入总表, 一般公共预算支出表, 经济分类, 政府性基金, 国有资本 — they must not be invented).
EXPECTED = {
    S000: [T.income_expense_summary, T.expenditure, T.fiscal_summary, T.general_basic_expenditure, T.three_public,
           T.project_expenditure, T.performance_overall, T.performance_project, T.operating_cost],
    S001: [T.income_expense_summary, T.income, T.expenditure, T.fiscal_summary, T.general_budget_expenditure,
           T.general_basic_expenditure, T.gov_fund, T.state_capital, T.three_public] + [T.performance_project] * 7
          + [T.procurement],
    S003: [T.income_expense_summary, T.income, T.expenditure, T.fiscal_summary, T.general_budget_expenditure,
           T.general_basic_expenditure, T.economic_classification, T.three_public, T.gov_fund, T.project_expenditure,
           T.performance_overall, T.performance_project],
}
ABSENT_000 = {T.income, T.general_budget_expenditure, T.economic_classification, T.gov_fund, T.state_capital}


@pytest.fixture(scope="module")
def docs(seeds_dir):
    return {stem: read_document(seeds_dir / f"{stem}.txt") for stem in (S000, S001, S003)}


@pytest.mark.parametrize("stem", [S000, S001, S003])
def test_standard_tables_in_reading_order(docs, stem):
    doc = docs[stem]
    assert [t.id for t in doc.tables] == [f"t{i}" for i in range(1, len(doc.tables) + 1)]
    found = [t.standard_type for t in doc.tables if t.standard_type is not T.other]
    assert found == EXPECTED[stem]
    assert doc.format == "text" and doc.meta.year == 2025 and doc.meta.kind == "预算"
    assert all(t.unit == "万元" for t in doc.tables if t.standard_type in EXPECTED[stem][:6])


def test_000_missing_tables_are_not_invented(docs):
    assert not ABSENT_000 & {t.standard_type for t in docs[S000].tables}
    assert docs[S000].meta.department == "三门峡市湖滨区医疗保障局"


@pytest.mark.parametrize("stem", [S000, S001, S003])
def test_sections_have_heading_paths_and_located_figures(docs, stem):
    doc = docs[stem]
    three = [s for s in doc.sections if "三公" in s.heading]
    assert three and three[0].figures
    assert len(three[0].path) >= 2 and three[0].path[-1] == three[0].heading
    for sec in doc.sections:
        for f in sec.figures:
            assert sec.text[f.location.offset : f.location.offset + len(f.raw)] == f.raw
            assert f.location.section_id == sec.id


def test_000_three_public_section_figures(docs):
    sec = next(s for s in docs[S000].sections if "三公" in s.heading)
    assert sec.path[0].startswith("第二部分")
    assert any(f.value == D(4) and f.unit == "万元" for f in sec.figures)  # 较2024年减少4万元


def test_001_codes_joined_names_and_page_breaks(docs):
    doc = docs[S001]
    income = doc.tables_of(T.income)[0]
    row = next(r for r in income.rows if r.code == "2101202")
    assert row.name == "财政对城乡居民基本医疗保险基金的补助"
    assert row.value("合计") == D("4060.00")
    assert not any(r.name.startswith("民基本") for t in doc.tables for r in t.rows)
    # serial numbers 1..20 once each: no header repeats, no duplicated rows across the page break
    assert [r.cells[0].text for r in income.rows] == [str(i) for i in range(1, 21)]
    summary = doc.tables_of(T.income_expense_summary)[0]
    assert [r.cells[0].text for r in summary.rows] == [str(i) for i in range(1, 35)]
    assert summary.lookup("收入总计").value == D("4981.72")
    for t in doc.tables:
        assert not any(c.text in ("栏次", "档次") for r in t.rows for c in r.cells)
    # the table whose page header lost its "##" continues too
    gp = doc.tables_of(T.general_budget_expenditure)[0]
    assert [r.code for r in gp.rows][-1] == "2210201" and len(gp.rows) == 20
    assert all(t.empty_note for t in doc.tables_of(T.gov_fund) + doc.tables_of(T.three_public))


def test_markup_is_stripped_but_meaningful_characters_kept(docs):
    for doc in docs.values():
        texts = [s.text for s in doc.sections] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
        assert not any(re.search(r"</?b>|</?p>|\*\*|\$|\\geq|^#", x) for x in texts)
    narrative = docs[S001].narrative
    assert "≥95%" in narrative and ">150" in narrative
    summary = docs[S001].tables_of(T.fiscal_summary)[0]
    assert summary.lookup("本年收入合计").value == D("4981.72")  # was <b>…</b>


def test_000_duplicates_dropped_and_garbled_fragment_flagged(docs):
    doc = docs[S000]
    op = doc.tables_of(T.operating_cost)[0]
    codes = [r.code for r in op.rows if r.code]
    assert len(codes) == len(set(codes)) == 13
    assert sum(r.value("机构运行经费支出/合计") for r in op.rows if r.code) == D("21.52")
    fragment = next(t for t in doc.tables if not t.complete)
    assert fragment.standard_type is T.other and "fragment" in fragment.incomplete_reason
    assert [r.code for r in fragment.rows] == ["2101501", "2101599", "2210201"]  # "21 0 | 15 | 01"
    assert fragment.rows[0].code_raw.startswith("21 0")
    spend = doc.tables_of(T.expenditure)[0]
    assert spend.complete and spend.rows[0].is_total
    assert next(r for r in spend.rows if r.code == "2101202").value("合计") == D("646.80")


def test_003_flattened_tables_rebuilt_or_flagged(docs):
    doc = docs[S003]
    summary = doc.tables_of(T.income_expense_summary)[0]
    assert summary.complete and summary.number == "预算01表"
    assert summary.lookup("本年收入合计").value == D("1740.73")
    assert summary.lookup("其中：财政拨款").value == D("1648.73")
    assert summary.lookup("卫生健康").value == D("1717.13")
    three = doc.tables_of(T.three_public)[0]
    assert three.complete and three.rows[0].value("公务接待费") == D(0)
    for table_type, missing in ((T.general_budget_expenditure, "568.84"), (T.general_basic_expenditure, "83.26"),
                                (T.economic_classification, "104.31")):
        t = doc.tables_of(table_type)[0]
        assert not t.complete
        assert "截断" in t.incomplete_reason and "truncated" in t.incomplete_reason and missing in t.incomplete_reason
    spend = doc.tables_of(T.expenditure)[0]
    assert not spend.complete and "未定位数值" in spend.columns  # values that cannot be placed are kept as text
    row = next(r for r in spend.rows if r.code == "2101501")
    assert row.value("合计") == D("33.96") and row.cell("未定位数值").figure is None
    assert "截断" not in spend.incomplete_reason  # its rows do add up: not cut short
    basic = doc.tables_of(T.general_basic_expenditure)[0]
    total = next(r for r in basic.rows if r.is_total)
    assert (total.value("合计"), total.value("人员经费"), total.value("公用经费")) == (D("129.72"), D("121.27"), D("8.45"))
    projects = doc.tables_of(T.project_expenditure)[0]
    assert sum(1 for r in projects.rows if r.cell("类型") and r.cell("类型").text.endswith("类")) == 8


@pytest.mark.parametrize("stem", [S000, S001, S003])
def test_json_round_trip(docs, stem):
    doc = docs[stem]
    again = Document.from_json(doc.to_json())
    assert again == doc
    assert all(isinstance(f.value, D) for t in again.tables for r in t.rows for f in r.figures())
