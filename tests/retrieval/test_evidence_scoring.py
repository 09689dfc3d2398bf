"""How bench/answer_http.py judges evidence: a key value the document prints nowhere (a share or a
change the label computed) is not asked of a passage; the quote criteria stand as they are."""

from __future__ import annotations

from decimal import Decimal as D

from bench.answer_http import evidence_label, printed_numbers
from eval import qa_eval


def _q(kv, quote="涉及项目预算资金6484.05万元"):
    return {"type": "compute", "key_values": kv, "evidence_quote": quote}


def test_computed_values_are_not_asked_of_a_passage():
    printed = [D("6484.05"), D("2211.89"), D("8695.94")]
    q = _q([D("6484.05"), D("74.56"), D("2211.89"), D("25.44")])
    judged = evidence_label(q, printed)
    assert judged["key_values"] == [D("6484.05"), D("2211.89")]
    row = "支出总表（单位：元）: 合计 / 项目支出 = 64,840,547.00；基本支出 = 22,118,861.00"
    assert qa_eval.relevance(row, q) is None  # as the label stands: 74.56 % is printed nowhere
    assert qa_eval.relevance(row, judged) == "values"  # both printed figures, 元 read as 万元


def test_one_printed_figure_is_no_evidence_of_a_computation():
    q = _q([D("500"), D("713.5")])
    assert evidence_label(q, [D("500")])["key_values"] == []
    assert qa_eval.relevance("合计 = 500.00", evidence_label(q, [D("500")])) is None


def test_a_label_whose_values_are_all_printed_is_judged_as_it_stands():
    q = _q([D("6484.05"), D("2211.89")])
    assert evidence_label(q, [D("6484.05"), D("2211.89")]) is q


def test_printed_numbers_read_the_narrative_cells_and_notes():
    from eval.layout_corpus import render
    from indexing.read import read_bytes

    lay, data, name = render("central_numbered", 0, 11, "text")
    doc = read_bytes(data, name)
    printed = set(printed_numbers(doc))
    cell = next(c.figure.value for t in doc.tables for r in t.rows for c in r.cells
                if c.figure is not None and c.figure.value)
    assert cell in printed
    assert all(v in printed for s in doc.sections for v in qa_eval.numbers(s.text))
