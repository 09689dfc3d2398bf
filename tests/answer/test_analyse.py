"""Question analysis: metrics with synonyms, department, year and question type."""

from __future__ import annotations

import pytest

from service.analyse import analyse, find_metrics

DEPTS = ["三门峡市湖滨区医疗保障局", "平乡县医疗保障局", "新乡市卫滨区医疗保障局"]


@pytest.mark.parametrize(
    "question, qtype, metrics",
    [
        ("湖滨区医保局2025年“三公”经费为什么下降了？", "why", ["三公经费"]),
        ("项目支出占全部支出的比例是多少？", "compute", ["项目支出", "支出总计"]),
        ("2025年这个局都有哪些项目支出？各多少钱？", "list", ["项目支出"]),
        ("该局有公务用车吗？", "yes_no", ["公务用车购置及运行费"]),
        ("与2024年相比，医保局预算总额增长了多少、增幅是多少？", "compare", ["支出总计"]),
        ("哪个部门三公经费最多", "across", ["三公经费"]),
        ("医保局2025年机关运行经费是多少？", "lookup", ["机关运行经费"]),
        ("机构运行经费是多少", "lookup", ["机关运行经费"]),  # synonym → canonical
    ],
)
def test_types_and_metrics(question, qtype, metrics):
    a = analyse(question, DEPTS)
    assert a.qtype == qtype
    assert a.metrics == metrics


def test_longest_synonym_wins():
    assert [c for _, c, _ in find_metrics("公务用车购置费")] == ["公务用车购置费"]
    assert [c for _, c, _ in find_metrics("因公出国（境）费和公务接待费")] == ["因公出国(境)费", "公务接待费"]


def test_department_and_year():
    a = analyse("平乡县医疗保障局2025年预算为什么比2024年增加了？", DEPTS)
    assert a.department == "平乡县医疗保障局" and a.year == 2025
    assert analyse("湖滨区医保局三公经费是多少", DEPTS).department == "三门峡市湖滨区医疗保障局"


def test_share_parts_and_subject():
    a = analyse("城乡居民医保区级配套资金占全部项目支出的比重是多少？")
    assert a.share_of == ("城乡居民医保区级配套资金", "项目支出")
    assert analyse("2025年城乡居民医保区级配套资金安排了多少钱？").subject == "城乡居民医保区级配套资金"
