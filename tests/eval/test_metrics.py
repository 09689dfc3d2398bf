"""Metric arithmetic on hand-made cases whose answers were worked out by hand."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from eval import metrics as m
from eval.matching import Flag, Target, match_all, matches


def test_prf_counts_flags_and_targets_separately():
    # 4 flags, 3 correct; 5 gold targets, 2 found (two correct flags hit the same target)
    r = m.prf2(3, 4, 2, 5)
    assert r["precision"] == pytest.approx(0.75)
    assert r["recall"] == pytest.approx(0.4)
    assert r["f1"] == pytest.approx(2 * 0.75 * 0.4 / 1.15)


def test_prf_undefined_is_none_not_zero_or_one():
    assert m.prf(0, 0, 0) == {"precision": None, "recall": None, "f1": None, "tp": 0, "flags": 0, "found": 0, "targets": 0}
    r = m.prf(0, 3, 2)
    assert r["precision"] == 0 and r["recall"] == 0 and r["f1"] == 0.0


def test_mrr_and_recall_at_k():
    ranks = [1, 3, None, 2]
    assert m.mrr(ranks) == pytest.approx((1 + 1 / 3 + 0 + 1 / 2) / 4)
    assert m.recall_at(ranks, 1) == pytest.approx(0.25)
    assert m.recall_at(ranks, 2) == pytest.approx(0.5)
    assert m.recall_at(ranks, 5) == pytest.approx(0.75)
    assert m.mrr([]) is None
    assert m.first_relevant([False, False, True]) == 3
    assert m.first_relevant([False]) is None


def test_percentile_interpolates():
    assert m.percentile([4, 1, 3, 2], 50) == pytest.approx(2.5)
    assert m.percentile([1, 2, 3, 4, 5], 95) == pytest.approx(4.8)
    assert m.percentile([], 50) is None


@pytest.mark.parametrize("a,b,ok", [
    (D("184.59"), D("184.588034"), True),   # rounded to the coarser precision
    (D("268.77"), D("268.776"), True),      # truncation accepted
    (D("268.79"), D("268.776"), False),
    (D("5569"), D("5569.00"), True),
    (D("0"), D("0.4"), False),              # "0" never stands for 0.4
    (D("1.1"), D("1.10"), True),
    (D("21.42"), D("21.52"), False),
])
def test_agree(a, b, ok):
    assert m.agree(a, b) is ok
    assert m.agree(b, a) is ok


def test_agree_any_unit_tries_yuan_and_wan():
    assert m.agree_any_unit(D("1434.89"), D("14348853.34"))
    assert not m.agree_any_unit(D("1434.89"), D("14358853.34"))
    assert not m.agree_any_unit(D("0"), D("0.01"))


def test_quote_normalisation():
    assert m.quote_in("收入总计3,210.45万元", "示例局收入总计 3210.45 万元，支出总计…")
    assert m.quote_in("“三公”经费", "三公经费预算")
    assert not m.quote_in("支出总计3210.46", "支出总计3210.45")
    assert m.overlap("运行经费安排21.42万元", "示例单位本年运行经费安排21.42万元，用于日常开支")
    assert not m.overlap("机构运行经费", "政府采购预算")


def test_char_overlap():
    assert m.char_overlap("三公经费多少", "三公经费为10万元") == pytest.approx(4 / 6)
    assert m.char_overlap("", "x") == 0.0


def test_flag_matching_needs_quote_and_value():
    gold = Target(id="c1", kind="contradiction", quote="运行经费安排21.42万元", values=[D("21.42")])
    right = Flag(code="N-AMOUNT", severity="error", category="narrative_vs_table", message="",
                 figures=[D("21.42"), D("21.52")], quotes=["示例单位本年运行经费安排21.42万元，用于日常开支"])
    same_sentence_other_value = Flag(code="N-SHARE", severity="warning", category="narrative_vs_table", message="",
                                     figures=[D("3.1")], quotes=right.quotes)
    no_quote = Flag(code="C-X", severity="error", category="cross_table", message="", figures=[D("21.42")])
    assert matches(right, gold)
    assert not matches(same_sentence_other_value, gold)
    assert not matches(no_quote, gold)


def test_table_inconsistency_matching():
    gold = Target(id="t1", kind="genuine", values=[D("4411.40"), D("4401.40")], places=["项目支出表/合计/金额"])
    both = Flag(code="A-TOTAL", severity="error", category="arithmetic", message="", figures=[D("4401.40"), D("4411.40")])
    one_with_place = Flag(code="A-TOTAL", severity="error", category="arithmetic", message="",
                          figures=[D("4411.40"), D("9")], places=["项目支出表"])
    one_elsewhere = Flag(code="A-TOTAL", severity="error", category="arithmetic", message="",
                         figures=[D("4411.40")], places=["收入总表"])
    per_flag, found = match_all([both, one_with_place, one_elsewhere], [gold])
    assert per_flag == [[0], [0], []]
    assert found == [True]
