"""A 情况说明 published without its 报表 (北京 publishes the two apart): with no table to read, the
headline figures come from the narrative's template sentences, each traced to its sentence; a
document with tables never takes them from the text."""

from __future__ import annotations

from decimal import Decimal

from indexing.key_figures import key_figure_sources
from indexing.read import read_bytes

TEXT = """某某市某某局2026年度部门预算
一、收入预算情况说明
2026年收入预算 1,494.79 万元，比2025年增加18.59万元。
二、支出预算情况说明
2026年支出预算1494.79万元。
（一）基本支出
基本支出预算1240.16万元，占本年支出预算82.97%。
（二）项目支出
项目支出预算254.63万元。
三、财政拨款“三公”经费预算情况说明
2026年财政拨款“三公”经费预算44.00万元，比2025年减少3.65万元。
"""


def test_headline_figures_of_a_narrative_only_document_come_from_its_sentences():
    doc = read_bytes(TEXT.encode("utf-8"), "说明.txt")
    assert not doc.tables
    found = key_figure_sources(doc)
    want = {"收入总计": "1494.79", "支出总计": "1494.79", "基本支出": "1240.16", "项目支出": "254.63", "三公经费合计": "44.00"}
    for key, value in want.items():
        assert found[key] is not None and found[key][0] == Decimal(value), (key, found[key])
        section_id = found[key][1].split()[1].split("@")[0]
        assert value.split(".")[0][-3:] in doc.section(section_id).text.replace(",", "")
    assert found["三公经费上年预算"][0] == Decimal("47.65")


def test_a_document_with_tables_never_takes_them_from_the_text():
    table = "\n一、部门收支总体情况表\n单位：万元\n收入\t\t支出\t\n项目\t预算数\t项目\t预算数\n收入总计\t9.00\t支出总计\t9.00\n"
    doc = read_bytes((TEXT + table).encode("utf-8"), "全文.txt")
    found = key_figure_sources(doc)
    assert found["收入总计"][0] == Decimal("9.00") and found["收入总计"][1].startswith("table")
    assert found["基本支出"] is None
