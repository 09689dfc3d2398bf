"""What the index is asked (service/search_query.py): the scope's department words left out,
colloquial words read as the templates'. On generated documents of the layout families, given the
narrative real disclosures print and the generator does not: a 主要职能 section whose sentences
repeat the department's name (as Shanghai's disclosures do, "协助区政府领导处理区政府日常工作")."""

from __future__ import annotations

import pytest

from eval.metrics import values_found
from eval.qa_eval import numbers
from indexing.bm25 import BM25Index, tokenize
from indexing.chunks import chunk_document
from indexing.model import Section
from service.search_query import scope_departments, search_query

FAMILIES = ("central_numbered", "yearly_dept_yuan", "page_flat")


def test_the_scope_department_is_left_out_only_when_it_is_the_one_department():
    dept = "上海市普陀区人民政府办公室"
    q = "区政府办公室2025年财政拨款为什么比2024年少了？"
    assert search_query(q, [dept]) == "2025年财政拨款为什么比2024年少了？"
    assert search_query(q, []) == q  # not confined: the name chooses the documents
    assert search_query(q, [dept, "上海市普陀区财政局"]) == q
    assert search_query("平乡县医保局预算总额是多少", ["平乡县医疗保障局"]) == "预算总额是多少"
    assert search_query("区政府办公室", [dept]) == "区政府办公室"  # a name alone stays as written
    assert search_query("洛阳市财政局的三公经费", ["上海市普陀区财政局"]) == "洛阳市财政局的三公经费"


def test_colloquial_words_are_read_as_the_templates_write_them():
    assert "公务用车" in search_query("万里街道有几辆公车？", [])
    assert "支出" in search_query("今年的开支有多少", []) and "开支" not in search_query("今年的开支有多少", [])


def test_scope_departments_from_the_filter_or_the_documents():
    of = {"a": "财政局", "b": "财政局", "c": "司法局"}.get
    assert scope_departments("财政局", None, of) == ["财政局"]
    assert scope_departments(None, ["a", "b"], of) == ["财政局"]
    assert scope_departments(None, ["a", "c"], of) == ["财政局", "司法局"]
    assert scope_departments(None, None, of) == []


def _with_duties(doc, forms):
    """The document with the sections real disclosures open with: short duties, each naming the
    department as its own text does (in full, by district and short kind, by short kind)."""
    names = [f for f in forms if len(f) >= 3] or [doc.meta.department]
    duties = [Section(id=f"s_duty{i}", heading=f"主要职能（{i}）", path=["主要职能", f"（{i}）"],
                      text=f"协助{names[i % len(names)]}做好第{i}项日常工作，按{names[(i + 1) % len(names)]}要求办理。")
              for i in range(1, 7)]
    return doc.model_copy(update={"sections": [*duties, *doc.sections]})


@pytest.fixture(scope="module")
def corpus():
    """Two documents of each family, read back by the reader, with their generated questions
    (eval/questions: the department in full, by district and short kind, or short)."""
    import random

    from eval.layout_corpus import render
    from eval.questions.corpus import department_forms, questions_for
    from indexing.read import read_bytes

    out = []
    for fam in FAMILIES:
        for i in range(2):
            lay, data, name = render(fam, i, 4242, "text")
            qs = questions_for(lay.budget, name, fam, random.Random(f"scoped:{fam}:{i}"), 40)
            out.append((fam, _with_duties(read_bytes(data, name), department_forms(lay.budget)[:4]), qs))
    return out


def test_department_words_no_longer_rank_the_duties_above_the_evidence(corpus):
    """Questions naming their department (in full or short), asked of their own document among all
    the documents' chunks (BM25 with the corpus's statistics, as the index ranks them): as asked,
    the duties are in the top 5 of many and crowd the figure out; asked as search_query words it,
    hardly ever, and the figure is found more often."""
    chunks = [c for _, doc, _ in corpus for c in chunk_document(doc)]
    bm = BM25Index([c.id for c in chunks], [tokenize(c.text) for c in chunks])
    by_id = {c.id: c for c in chunks}
    duties_raw = duties_scoped = found_raw = found_scoped = asked = 0
    for _, doc, qs in corpus:
        own = [c.id for c in chunks if c.doc_id == doc.id]
        for q in qs:
            scoped = search_query(q.question, [doc.meta.department])
            if not q.answerable or not q.key_values or scoped == search_query(q.question, []):
                continue  # the question does not name its department
            asked += 1
            for query, counts in ((q.question, "raw"), (scoped, "scoped")):
                hits = [by_id[h] for h, _ in bm.search(query, 5, own)]
                duties = any(h.metadata.get("section_id", "").startswith("s_duty") for h in hits)
                found = any(all(values_found(q.key_values, numbers(h.text))) for h in hits)
                if counts == "raw":
                    duties_raw += duties
                    found_raw += found
                else:
                    duties_scoped += duties
                    found_scoped += found
    # measured (seed 4242): 114 asked; duties in the top 5 of 21 as asked, of 1 scoped (a question
    # sharing other words with them); the figure in the top 5 for 78 as asked, 91 scoped
    assert asked >= 60
    assert duties_raw >= asked // 10, "the class this rule answers: the name ranks the duties high"
    assert duties_scoped * 10 <= duties_raw
    assert found_scoped > found_raw
