"""Acceptance on the gold qa of the three seeds (../shared/labels × ../shared/seeds).

Default answerer: key values present for ≥ 85% of answerable questions, every unanswerable question
declined, every why-question quotes the document's reason; rates are printed per question type.
Both modes: no number in any answer that the cited evidence does not hold or the shown arithmetic
does not give — checked here by a verifier written independently of service/grounding.py (only the
definition of exempt numbers is shared).
"""

from __future__ import annotations

import os

import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import pytest

from indexing.numbers import find_numbers, to_unit
from service.grounding import exempt_spans
from .qa_eval import DECLINE_RE, quotes_reason, score


def _eval(expr: str) -> Decimal | None:
    """Recompute a shown computation with Decimal (test's own evaluator)."""
    pct100 = bool(re.search(r"[×*]\s*100\s*%", expr))
    expr = re.sub(r"[×*]\s*100\s*%", "", expr)
    expr = re.sub(r"万元|亿元|元", "", expr).replace("÷", "/").replace("×", "*").replace("−", "-").replace("＋", "+")
    if not re.fullmatch(r"[\d.,+\-*/ %]+", expr):
        return None
    py = re.sub(r"(\d[\d,]*(?:\.\d+)?)(%?)", lambda m: f"(Decimal('{m.group(1).replace(',', '')}')"
                + ("/100)" if m.group(2) else ")"), expr)
    try:
        value = eval(py, {"__builtins__": {}, "Decimal": Decimal})  # noqa: S307 - digits and operators only
    except Exception:
        return None
    return value * 100 if pct100 else value


def _equal_printed(value: Decimal, decimals: int, source: Decimal) -> bool:
    if value == source:
        return True
    if decimals < 1 and abs(source) < 100:
        return False
    q = Decimal(1).scaleb(-decimals)
    try:
        return source.quantize(q, ROUND_HALF_UP) == value or source.quantize(q, ROUND_DOWN) == value
    except Exception:
        return False


def untraceable(result) -> list[str]:
    """Numbers of the answer that no citation quote holds and no shown arithmetic yields."""
    quoted = []
    for c in result.citations:
        for n in find_numbers(c.quote):
            if not re.match(r"\s*年", c.quote[n.end:n.end + 2]):
                quoted.append(n)
    computed = []
    for expr in result.arithmetic:
        lhs, _, rhs = re.split(r"\s*(=|≈)\s*", expr, maxsplit=1)
        v = _eval(lhs)
        if v is None:
            continue
        res = find_numbers(rhs)
        # operands: quoted figures, or results of computations shown before (prior = a − b, then Δ ÷ prior)
        if res and all(any(_equal_printed(o.value, o.decimals, q.value) for q in quoted) or o.value in computed
                       or o.raw.strip() == "100%" for o in find_numbers(lhs)):
            r = next(iter(res))
            if _equal_printed(r.value, r.decimals, v):
                computed.append(r.value)
    exempt = exempt_spans(result.answer, result.question, len(result.citations))
    bad = []
    for n in find_numbers(result.answer):
        if any(a <= n.start < b for a, b in exempt):
            continue
        ok = any(_equal_printed(n.value, n.decimals, to_unit(q.value, q.unit, n.unit) if q.unit and n.unit else q.value)
                 for q in quoted) or n.value in computed
        if not ok:
            bad.append(n.raw.strip())
    return bad


def _print_rates(title: str, rows) -> dict:
    rates = score(rows)
    print(f"\n{title}")
    for t, v in rates.items():
        print(f"  {t:14} {v['ok']:3}/{v['n']:<3} {v['rate']:.0%}")
    return rates


def test_default_answerer_rates(default_results):
    rows = [(q, r.answer, r.answerable) for _, q, r in default_results]
    _print_rates("default answerer, per question type", rows)
    answerable = [(dict(q, type="answerable"), a, f) for q, a, f in rows if q["type"] != "unanswerable"]
    overall = score(answerable)["answerable"]
    print(f"  key values present for {overall['ok']}/{overall['n']} answerable questions ({overall['rate']:.0%})")
    assert overall["rate"] >= 0.85


def test_unanswerable_questions_are_declined(default_results):
    for _, q, r in default_results:
        if q["type"] == "unanswerable":
            assert not r.answerable and DECLINE_RE.search(r.answer), (q["question"], r.answer)
            assert not find_numbers(r.answer) or not untraceable(r)


def test_why_answers_quote_the_reason(default_results):
    for _, q, r in default_results:
        if q["type"] == "why":
            assert quotes_reason(r.answer, q["evidence_quote"]), (q["question"], r.answer)


def test_every_default_answer_number_is_traceable(default_results):
    failures = {(s.name, q["id"]): untraceable(r) for s, q, r in default_results if untraceable(r)}
    assert failures == {}
    assert all(r.grounded and not r.removed_figures for _, _, r in default_results)


def test_citations_are_exact_quotes(default_results, services):
    for seed, _, r in default_results:
        items = {it.text for it in services[seed].provider.items}
        for c in r.citations:
            assert c.quote in items
            assert c.document == seed.name


def llm_questions(seed_qa):
    """Every question when BUDGETQA_LLM_ALL_QUESTIONS=1 (the acceptance measurement: about 3 minutes
    on an idle 2-core machine, far more under load); otherwise the first question of each type,
    which keeps CI inside its time budget and still covers every question type."""
    if os.environ.get("BUDGETQA_LLM_ALL_QUESTIONS") == "1":
        return seed_qa
    seen, out = set(), []
    for seed, q in seed_qa:
        if q["type"] not in seen:
            seen.add(q["type"])
            out.append((seed, q))
    return out


@pytest.mark.llm
@pytest.mark.slow
def test_llm_mode_over_http_keeps_no_invented_figure(seed_qa, llm_answerer):
    """Gemma 3 270M (a base model) behind llama_cpp.server: whatever it says, no figure it invents
    survives the guard, and the result's citations stay exact quotes of the documents."""
    from service.chain import QAService

    svcs = {}
    stats = {"llm_kept": 0, "guard_fallback": 0, "no_valid_answer": 0, "removed": 0}
    examples = []
    questions = llm_questions(seed_qa)
    for seed, q in questions:
        svc = svcs.setdefault(seed, QAService([seed], llm=llm_answerer))
        r = svc.ask(q["question"])
        assert untraceable(r) == [], (q["question"], r.answer)
        assert r.grounded
        items = {it.text for it in svc.provider.items}
        assert all(c.quote in items for c in r.citations)
        stats["llm_kept" if r.mode == "llm" else "guard_fallback" if r.fallback else "no_valid_answer"] += 1
        stats["removed"] += len(r.removed_figures)
        if r.removed_figures and len(examples) < 5:
            examples.append((q["question"], r.removed_figures))
    print(f"\nLLM over HTTP on {len(questions)} of {len(seed_qa)} questions: {stats}")
    for question, removed in examples:
        print(f"  removed {removed} from the model's answer to {question}")
