"""Retrieval relevance and answer scoring for one gold QA item (system and baseline alike).

Retrieval: a hit is relevant when the gold evidence_quote occurs in it after normalising spaces,
punctuation, full-width forms and thousands separators (eval/metrics.normalise), OR when every gold
key value (at least one of them non-zero) is printed in it (agreeing at the coarser precision, 元 or
万元). `relevance` says which criterion fired. Unanswerable questions are left out of retrieval.
Answers: key-value accuracy = share of gold key values printed in the answer (same agreement);
refusal accuracy = unanswerable questions the system declined; ungrounded figures = numbers of the
answer that service/grounding.py cannot trace to the cited evidence or to arithmetic on it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Optional

from eval.metrics import quote_in, values_found


def numbers(text: str) -> list[Decimal]:
    from indexing.numbers import find_numbers

    return [n.value for n in find_numbers(text or "") if n.value is not None]


def relevance(text: str, qa: dict) -> Optional[str]:
    """'quote', 'values' or None."""
    quote = qa.get("evidence_quote") or ""
    if quote and quote_in(quote, text):
        return "quote"
    if quote and _same_row(quote, text):
        return "quote_figures"
    kv = [v for v in qa.get("key_values") or [] if v is not None]
    if kv and any(v != 0 for v in kv) and all(values_found(kv, numbers(text))):
        return "values"
    return None


def _same_row(quote: str, text: str) -> bool:
    """A table-row quote rendered differently (the index writes rows as "name / column = value"):
    every number of the quote and every CJK word of it (≥ 2 characters) is in the hit."""
    import re

    from eval.metrics import normalise

    nums = numbers(quote)
    if not nums:
        return False
    words = [w for w in re.findall(r"[\u4e00-\u9fff]{2,}", quote)]
    hit = normalise(text)
    return all(normalise(w) in hit for w in words) and all(values_found(nums, numbers(text)))


def key_value_score(answer: str, qa: dict) -> Optional[float]:
    kv = [v for v in qa.get("key_values") or [] if v is not None]
    if not kv:
        return None
    found = values_found(kv, numbers(answer))
    return sum(found) / len(found)


def ungrounded_count(answer: str, evidence: list, question: str) -> int:
    from service import grounding

    return len(grounding.check(answer, evidence, question).ungrounded)


def citations_as_evidence(result, doc) -> list:
    """The chain's citations → service.evidence.Evidence for the grounding checker (the table unit
    of a row is looked up by the cited table's title)."""
    from service.evidence import Evidence

    units = {t.title: t.unit for t in doc.tables}
    out = []
    for c in result.citations:
        is_row = bool(c.table)
        unit = (units.get(c.table) or doc.meta.table_unit or "万元") if is_row else (doc.meta.unit or "万元")
        out.append(Evidence(id=f"c{c.n}", text=c.quote, kind="row" if is_row else "sentence", doc_id=c.doc_id,
                            source=c.document, unit=unit))
    return out


def question_corpus(families: str = "all", docs: int = 4, per_doc: int = 20, seed: int = 23,
                    labels: bool = True) -> dict:
    """The answering benchmark of `budgetqa eval --questions`: the generated question corpus
    (eval/questions, truth from the generator) and, beside it, the labelled questions of ../shared as
    a check (eval/questions/labelled.py) when they are there."""
    from eval.generate.layouts import resolve_families
    from eval.questions.run import ask_all, build, summarise

    out = {"generated": summarise(ask_all(build(resolve_families(families), docs, per_doc, seed)))}
    out["generated"]["seed"] = seed
    if labels:
        from eval.questions.labelled import SHARED, run

        if (SHARED / "labels").exists():
            out["labelled"] = run()
    return out


def question_lines(q: dict) -> list[str]:
    """The two corpora side by side, for the text report."""
    g, lab = q.get("generated") or {}, q.get("labelled") or {}
    lines = ["\n== 问答 / questions (generated corpus | labelled check) =="]
    lines.append(f"  questions                {g.get('questions')} over {g.get('families')} families, "
                 f"{g.get('templates')} templates (seed {g.get('seed')}) | {lab.get('questions', '-')}")
    lines.append(f"  key-value accuracy       {g.get('key_value_accuracy')} | {lab.get('key_value_accuracy', '-')}")
    lines.append(f"  unanswerable declined    {g.get('refusal_rate')} | "
                 f"{lab.get('declined', '-')}/{lab.get('unanswerable', '-')}")
    lines.append(f"  wrong arithmetic / unit  {g.get('wrong_arithmetic_or_unit')}; ungrounded answers "
                 f"{g.get('ungrounded_answers')}; ask p50/p95 ms {g.get('ask_ms')}")
    return lines
