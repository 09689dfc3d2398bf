"""The five real PDFs: the error-level findings, each confirmed by reading the page text
(pdfplumber) — and nothing else at error level, so a new false alarm fails here."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from checking.check import check_document
from checking.findings import Severity

# (document prefix, rule code, stated, expected) — every error we confirmed in the document.
CONFIRMED = {
    "P01": [],
    "P03": [("N-AMOUNT", D("352.67"), D("350.3499")),  # 住房公积金: 2024年预算安排352.67 vs 3,503,499元 in 4 tables
            ("N-PARTS", D("13459"), D("13369"))],  # p.33: 13459平方米 = 地上8013 + 地下5356 = 13369 (8013 is 8103 with digits swapped)
    "P05": [("N-PROCUREMENT-SME", D("42.14"), D("21.07"))],  # p.22: 中小企业 21.07 (reserved) + 21.07 (other) > 采购 21.07
    "P07": [
        ("A-BASIC-PROJECT", D("14348853.34"), D("79189400.34")),  # 204 06 01 行政运行 项目支出 printed 64,840,547.00 (p.11)
        ("A-BASIC-PROJECT", D("14348853.34"), D("79189400.34")),  # same row in 一般公共预算支出功能分类预算表 (p.14)
        # 204 06 司法 项目支出 ≠ Σ 项 follows from the same cell: since issue 16 it is an identity of the
        # A-BASIC-PROJECT findings above (one finding per root cause), not a finding of its own
        ("C-TOTAL", D("20272981.00"), D("20374181")),  # 人员经费: 财务收支预算总表 vs 基本支出经济分类表
        ("C-TOTAL", D("1845880.34"), D("1744680")),  # 公用经费: the same 101,200元 moved between the two
        ("N-AMOUNT", D("57.8"), D("56.124")),  # 行政单位离退休: 57.8万元 vs 561,240.00元
        ("N-AMOUNT", D("170.03"), D("207.00")),  # 购房补贴: 170.03万元 vs 2,070,000.00元
        ("N-DIRECTION", D("21.74"), None),  # "增加21.74%" while 170.03 < 241.76 (and 207 < 241.76)
        ("N-RATE", D("1.10"), D("15.13")),  # 行政运行: 1690.69 → 1434.89 is −15.13%, not −1.10%
    ],
    "P09": [("N-AMOUNT", D("887.36"), D("87.3617"))],  # 职业年金缴费: 887.36万元 vs 873,617.00元 (one digit too many)
}


@pytest.fixture(scope="module")
def reports(pdf_docs):
    return {d.source[:3]: check_document(d) for d in pdf_docs}


@pytest.mark.parametrize("prefix", sorted(CONFIRMED))
def test_pdf_errors_are_the_confirmed_ones(reports, prefix):
    if prefix not in reports:
        pytest.skip(f"{prefix} not present")
    errors = [f for f in reports[prefix].findings if f.severity is Severity.error]
    got = sorted(((f.code, f.stated, f.expected) for f in errors), key=lambda x: (x[0], x[1], x[2] or 0))
    assert got == sorted(CONFIRMED[prefix], key=lambda x: (x[0], x[1], x[2] or 0)), [f.message for f in errors]
    if prefix == "P07":
        merged = [f for f in errors if f.code == "A-BASIC-PROJECT"]
        assert all(any(i.startswith("A-LEVEL") for i in f.identities) for f in merged), [f.identities for f in merged]
    for f in errors:  # both sides cited, with where they stand
        assert f.evidence and all(e.location.page or e.location.table_id or e.location.section_id for e in f.evidence)


def test_pdf_reports_list_findings(reports, capsys):
    for prefix, r in sorted(reports.items()):
        print(prefix, f"claims {r.claims} aligned {r.aligned}",
              {s.value: r.count(s) for s in Severity})
        for f in r.sorted_findings():
            if f.severity is not Severity.info:
                print("  ", f.severity.value, f.code, f.message)
    assert reports
