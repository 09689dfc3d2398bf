"""The semantic layer (service/semantic/) and the unit-true grounding guard, on generated documents of
several layout families read by the real reader, with the generator's truth (eval/questions)."""

from __future__ import annotations

import random
import re
from decimal import Decimal

import pytest

from eval.questions.run import ask_all, build, summarise
from service import grounding
from service.evidence import Evidence

FAMILIES = ["yearly_dept_yuan", "provincial_yi", "deep_header"]  # 元, 亿元 and unit-less (万元) tables


def _ev(text: str, kind: str, unit: str, i: str) -> Evidence:
    return Evidence(id=i, text=text, kind=kind, doc_id="d", source="s", unit=unit)


EVIDENCE = [_ev("项目支出表｜合计｜70,540,547.00", "row", "元", "a"), _ev("支出总计9,628.22万元。", "sentence", "万元", "b")]


@pytest.mark.parametrize("text", [
    "70,540,547.00 元 ÷ 9,628.22 万元 = 732,643.70%",  # the mixed units
    "70,540,547.00 ÷ 9,628.22 × 100% = 732,643.70%",  # the same without the units written
    "7054.0547万元 ÷ 9,628.22万元 × 100% = 73.27%",  # wrong by one cent
    "7054.0547万元 − 9628.22万元 = 2574.17元",  # an amount result in another unit
])
def test_guard_refutes_wrong_or_mixed_unit_arithmetic(text):
    report = grounding.check(text, EVIDENCE)
    assert not report.grounded and report.refuted


def test_guard_accepts_unit_true_arithmetic_on_converted_cells():
    text = "项目支出7,054.05万元（表中70,540,547.00元），占73.26%（计算：7054.0547万元 ÷ 9628.22万元 × 100% = 73.26%）"
    report = grounding.check(text, EVIDENCE)
    assert report.grounded and not report.refuted, [n.raw for n in report.ungrounded]


def test_a_blank_cell_may_be_written_zero_only_as_such():
    assert grounding.check("公务接待费0万元（表中空白，即为零）", EVIDENCE).grounded
    assert not grounding.check("公务接待费0.00万元", EVIDENCE).grounded


@pytest.fixture(scope="module")
def corpus():
    return build(FAMILIES, 1, 24, seed=random.Random().randrange(10**6))  # fresh seed each run


@pytest.fixture(scope="module")
def rows(corpus):
    return ask_all(corpus)


def test_generated_questions_are_answered_in_the_right_unit_and_arithmetic(rows):
    s = summarise(rows)
    print(f"\n{s['questions']} questions over {s['families']} families: key values {s['key_value_accuracy']}, "
          f"refusals {s['refusal_rate']}, wrong arithmetic/unit {s['wrong_arithmetic_or_unit']}")
    assert s["wrong_arithmetic_or_unit"] == 0 and s["ungrounded_answers"] == 0
    assert s["key_value_accuracy"] >= 0.85
    assert s["refusal_rate"] is None or s["refusal_rate"] >= 0.9


def test_answer_first_in_wan_with_the_table_figure_beside_it(corpus):
    from service.chain import QAService

    fam, doc, _ = next(c for c in corpus if c[0] == "yearly_dept_yuan")  # tables in 元
    r = QAService([doc]).ask("项目支出占全部支出的比重是多少？", doc_ids=[doc.id])
    first = r.answer.splitlines()[0]
    assert re.search(r"项目支出[\d,]+\.\d\d万元（表中[\d,]+\.\d\d元）\[\d\]", first), first
    assert re.search(r"\d+\.\d\d%（计算：[\d.]+万元 ÷ [\d.]+万元 × 100% = \d+\.\d\d%）", first), first
    assert r.grounded and r.arithmetic and r.citations


def test_what_the_document_does_not_say_is_declined_with_what_it_says_nearby(corpus):
    from service.chain import QAService

    _, doc, _ = corpus[0]
    r = QAService([doc]).ask("该局的债务余额是多少？", doc_ids=[doc.id])
    assert not r.answerable and r.answer.startswith("文件未说明")
    assert "文件中与此相关的内容" in r.answer and r.citations


def test_a_year_the_documents_do_not_cover_is_declined(corpus):
    from service.chain import QAService

    _, doc, _ = corpus[0]
    r = QAService([doc]).ask(f"{doc.meta.year - 7}年的项目支出是多少？", doc_ids=[doc.id])
    assert not r.answerable and "文件未说明" in r.answer


def test_colloquial_words_are_read_as_the_templates_words():
    from service.analyse import analyse

    assert analyse("项目开支花了多少？").metrics == ["项目支出"]
    assert "公务用车购置费" in analyse("今年还要买车吗？").metrics
    assert analyse("人员方面的经费是多少").metrics == ["人员经费"]


def test_operations_work_in_one_unit():
    from service.semantic import operations as ops
    from service.semantic.quantity import Quantity

    part = Quantity("项目支出", Decimal("70540547.00"), "元", "70,540,547.00", "d")
    whole = Quantity("支出总计", Decimal("9628.22"), "万元", "9,628.22", "d")
    c = ops.share(part, whole)
    assert c.result == Decimal("73.26") and "7054.0547万元 ÷ 9628.22万元" in c.expr
    d = ops.difference(whole, part)
    assert d.result == Decimal("2574.1653") and d.unit == "万元"


def test_a_change_the_document_states_is_quoted_not_computed_again():
    """Narratives that state only the change ("比上年减少1.48万元", no prior figure): the change is the
    stated one, last year's figure is derived from it and shown so, and the change is never
    recomputed from that derived figure (which would go in a circle and, on a 元 table, print a
    false precision)."""
    from service.chain import QAService

    corpus = build(["central_numbered", "unit_plain"], 3, 1, seed=random.Random().randrange(10**6))
    seen = 0
    for _, doc, _ in corpus:
        svc = QAService([doc])
        for metric in ("机关运行经费", "支出总计", "三公经费"):
            r = svc.ask(f"{metric}比上年变化了多少？", doc_ids=[doc.id])
            first = r.answer.splitlines()[0]
            m = re.search(r"为([\d,]+\.\d\d)万元.*?比上年(增加|减少)([\d,]+\.\d\d)万元\[\d+\]（文件所写），上年约?为([\d,]+\.\d\d)万元", first)
            if not m:
                continue
            seen += 1
            cur, word, delta, prior = (m[1], m[2], m[3], m[4])
            cur, delta, prior = (Decimal(x.replace(",", "")) for x in (cur, delta, prior))
            assert (cur - prior if word == "增加" else prior - cur) == delta, first
            assert not re.search(r"[−-] " + re.escape(str(prior)) + r"\d*万元 =", first), first  # cur − prior: the circle
            assert r.grounded, first
    assert seen, "no generated narrative stated a change without its prior figure"


def test_a_prior_derived_from_two_rounded_figures_is_said_to_be_approximate():
    """prior = current ∓ stated change, both printed to the cent: the derived cents are uncertain
    (67.12 + 9.40 lies in 76.515–76.525), so the answer says 约为 and why; from a 元 cell and a
    change printed to the cent the interval is narrower but may still straddle a cent."""
    from service.semantic import operations as ops
    from service.semantic.quantity import Quantity

    cur = Quantity("机关运行经费", Decimal("67.12"), "万元", "67.12", "d")
    delta = Quantity("机关运行经费变动额", Decimal("9.40"), "万元", "9.40", "d")
    prior = Quantity("机关运行经费上年数", cur.wan + delta.wan, "万元", "", "d", derived_from=(cur, "+", delta))
    assert ops.derived_from_rounded(prior)
    exact = Quantity("x", Decimal("671169.00"), "元", "671,169.00", "d")
    whole = Quantity("y", Decimal("9"), "万元", "9", "d")  # printed without decimals: ±0.5万元
    assert ops.derived_from_rounded(Quantity("p", exact.wan + whole.wan, "万元", "", "d", derived_from=(exact, "+", whole)))
    stated = Quantity("s", Decimal("76.51"), "万元", "76.51", "d")
    assert not ops.derived_from_rounded(stated)  # a figure the document prints is not derived
