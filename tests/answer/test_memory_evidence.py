"""The in-memory evidence store: documents added and removed one at a time, and the headline figures
of the standard tables (key figures) that rankings across departments stand on.

Corpus: fictional disclosures from the generator (seed 11), whose labels carry the true key figures
and the errors injected into the narrative (e.g. a 三公 total printed ×10,000: a 元/万元 slip)."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from eval.generate import generate_corpus
from indexing.read import read_document
from service.evidence import InMemoryEvidence


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[tuple[object, dict]]:
    out = tmp_path_factory.mktemp("gen")
    generate_corpus(out, 80, 11, formats=["text"], styles="all")
    pairs = []
    for label_path in sorted((out / "labels").glob("*.json")):
        label = json.loads(label_path.read_text(encoding="utf-8"))
        pairs.append((read_document(out / "docs" / label["doc"]), label))
    return pairs


def _snapshot(store: InMemoryEvidence, doc_ids: list[str]) -> list:
    out = []
    for question in ("三公经费为何下降", "人员经费是多少", "政府采购预算", "一般公共预算拨款收入"):
        out.append([(it.id, it.score) for it in store(question, {"k": 10})])
        out.append([(it.id, it.score) for it in store(question, {"k": 10, "doc_ids": doc_ids[:1]})])
    out.append([(f.evidence.id, f.value) for f in store.figures(["人员经费"], {})])
    return out


def test_adding_and_removing_documents_equals_building_afresh(corpus):
    docs = [d for d, _ in corpus[:6]]
    grown = InMemoryEvidence(docs[:3])
    for d in docs[3:]:
        grown.add(d)
    grown.add(docs[0])  # a document added twice is held once
    grown.remove(docs[4].id)
    assert not grown.remove(docs[4].id)
    kept = [d for d in docs if d.id != docs[4].id]
    fresh = InMemoryEvidence(kept)
    assert [it.id for it in grown.items] == [it.id for it in fresh.items]
    assert docs[4].id not in grown and all(it.doc_id != docs[4].id for it in grown.items)
    ids = [d.id for d in kept]
    assert _snapshot(grown, ids) == _snapshot(fresh, ids)  # same scores: BM25 statistics follow the change


def test_headline_figures_come_from_the_standard_table(corpus):
    store = InMemoryEvidence([d for d, _ in corpus])
    facts = {f.evidence.doc_id: f for f in store.key_figure_facts(["三公经费"], {})}
    gold = {d.id: Decimal(str(label["key_figures"]["三公经费合计"])) for d, label in corpus
            if label["key_figures"].get("三公经费合计") is not None}
    assert len(facts) >= 0.8 * len(gold)
    for doc_id, fact in facts.items():
        wan = fact.value if fact.unit == "万元" else fact.value / Decimal(10000)
        assert wan == gold[doc_id], (fact.evidence.text, gold[doc_id])
        assert fact.headline and fact.evidence.kind == "row" and fact.column


def test_ranking_across_departments_ignores_a_misstated_narrative(corpus):
    """A 三公 total misprinted in the narrative (235500.00万元 for 23.55) must not top the ranking:
    the ranking reads each department's standard table."""
    from service.answer import RANKING_SHOWN
    from service.chain import QAService

    slipped = [(d, label) for d, label in corpus
               if any(e["kind"] == "unit_slip" and "三公" in e["location"].get("section", "") for e in label["injected"])]
    if not slipped:
        pytest.skip("the generated corpus has no 三公 unit slip to test against")
    svc = QAService([d for d, _ in corpus])
    result = svc.ask("哪个部门的三公经费最多？")
    assert result.grounded
    lines = [line for line in result.answer.splitlines() if re.match(r"\d+\. ", line)]
    gold_by_dept: dict[str, set[Decimal]] = {}
    for d, label in corpus:
        if label["key_figures"].get("三公经费合计") is not None:
            gold_by_dept.setdefault(d.meta.department, set()).add(Decimal(str(label["key_figures"]["三公经费合计"])))
    assert len(lines) == RANKING_SHOWN and "其余部门从略" in result.answer  # 80 documents: the top 10
    checked = 0
    for line in lines:
        dept, amount = re.match(r"\d+\. (.+?)：约?([\d,]+(?:\.\d+)?)万元", line).groups()
        if dept in gold_by_dept:
            value = Decimal(amount.replace(",", ""))
            assert any(abs(value - g) <= Decimal("0.005") for g in gold_by_dept[dept]), line
            checked += 1
    assert checked >= 0.8 * len(lines)
    top = Decimal(re.search(r"：约?([\d,]+(?:\.\d+)?)万元", lines[0]).group(1).replace(",", ""))
    assert abs(top - max(g for gs in gold_by_dept.values() for g in gs)) <= Decimal("0.005")  # 元 shown in 万元


def test_questions_while_documents_come_and_go(corpus):
    """The service adds and removes documents while other requests ask: no reader ever sees a
    document half added or removed (it would fail with 'dictionary changed size' or a KeyError)."""
    import threading

    docs = [d for d, _ in corpus[:12]]
    store = InMemoryEvidence(docs[:4])
    errors: list[BaseException] = []
    stop = threading.Event()

    def churn():
        try:
            for _ in range(3):
                for d in docs[4:]:
                    store.add(d)
                for d in docs[4:]:
                    store.remove(d.id)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            stop.set()

    writer = threading.Thread(target=churn)
    writer.start()
    asked = 0
    while not stop.is_set() or asked == 0:
        try:
            store("人员经费是多少", {"k": 5})
            store.figures(["三公经费", "“三公”经费"], {})
            store.rows(docs[0].id, docs[0].tables[0].id)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
            break
        asked += 1
    writer.join()
    assert not errors, errors
    assert [it.id for it in store.items] == [it.id for it in InMemoryEvidence(docs[:4]).items]
