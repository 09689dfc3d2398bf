"""政府采购 and 中小企业 (checking/rules/procurement.py): the amounts that went to 中小企业 in reserved and
in other projects are disjoint parts of the year's procurement. Generated variants of the template
paragraph (amounts, wording, line breaks), consistent and broken, plus the real 决算 that shows it."""

from __future__ import annotations

import random
from decimal import Decimal as D

import pytest

from checking.check import check_document
from tests.check.fixtures import make_doc


def _paragraph(total: D, reserved: D, other: D, small: D, sme: D, rng: random.Random) -> list[str]:
    amount = "金额（以合同签订为准）为" if rng.random() < 0.5 else "金额为"
    text = (f"2024年度本部门政府采购{amount}{total}万元，其中：货物采购金额{total}万元、工程采购金额0万元、服务采购金额0万元。"
            f"本部门面向中小企业预留政府采购项目预算金额{sme}万元，面向小微企业预留政府采购项目预算金额{small}万元。"
            f"在面向中小企业预留的政府采购项目中，由中小企业供应商中标或成交的，采购金额{reserved}万元；"
            f"在其他政府采购项目中，由中小企业供应商中标或成交的，采购金额{other}万元。")
    cut = rng.randrange(20, len(text) - 20)  # a PDF line break anywhere, even inside a phrase
    return ["四、其他重要事项", "（二）政府采购情况", text[:cut], text[cut:]]


def _variants(broken: bool, n: int = 12):
    rng = random.Random(16 + broken)
    for _ in range(n):
        total = D(rng.randint(500, 900000)) / 100
        reserved = (total * D(rng.randint(10, 100)) / 100).quantize(D("0.01"))
        rest = total - reserved
        # consistent: the other projects' share fits in what is left; broken: it exceeds it by ≥ 1%
        other = (rest * D(rng.randint(0, 100)) / 100).quantize(D("0.01")) if not broken else \
            (rest + total * D(rng.randint(1, 60)) / 100).quantize(D("0.01"))
        sme = reserved
        small = (sme * D(rng.randint(30, 100)) / 100).quantize(D("0.01"))
        yield _paragraph(total, reserved, other, small, sme, rng)


@pytest.mark.parametrize("lines", list(_variants(broken=False)))
def test_sme_amounts_within_the_procurement_raise_nothing(lines):
    report = check_document(make_doc(lines, [], kind="决算"))
    assert not [f for f in report.findings if f.code == "N-PROCUREMENT-SME"]
    assert any(e.check == "N-PROCUREMENT-SME" and e.status.value == "pass" for e in report.ledger.entries)


@pytest.mark.parametrize("lines", list(_variants(broken=True)))
def test_sme_amounts_exceeding_the_procurement_are_an_error_citing_both_quotes(lines):
    report = check_document(make_doc(lines, [], kind="决算"))
    found = [f for f in report.findings if f.code == "N-PROCUREMENT-SME"]
    assert len(found) == 1 and found[0].severity.value == "error"
    f = found[0]
    assert f.stated > f.expected and f.arithmetic
    assert any("在其他政府采购项目中" in (e.quote or "") for e in f.evidence)


def test_small_business_reserve_cannot_exceed_the_sme_reserve():
    lines = _paragraph(D("100.00"), D("40.00"), D("10.00"), D("60.00"), D("50.00"), random.Random(1))
    found = [f for f in check_document(make_doc(lines, [], kind="决算")).findings if f.code == "N-PROCUREMENT-SME"]
    assert len(found) == 1 and "小微" in found[0].message


def test_the_real_final_account_that_double_counts_its_sme_amount(pdfs_dir):
    path = pdfs_dir / "P05_shanghai_putuo_quwei_shehui_gongzuobu_dept_final_2024.pdf"
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared not here)")
    from indexing.read import read_document

    found = [f for f in check_document(read_document(path)).findings if f.code == "N-PROCUREMENT-SME"]
    assert len(found) == 1 and found[0].stated == D("42.14") and found[0].expected == D("21.07")
