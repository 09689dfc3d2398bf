"""Acceptance: retrieval finds the evidence of the gold questions on the real seed documents.

For every answerable question in ../shared/labels/<seed>.json, search the question's own document
(metadata filter: the user asks about one department) and check whether the evidence is in the
top hits. Hybrid, dense-only and BM25-only are measured in the same run on the same index.

"Evidence in a hit" (printed by the test):
  normalise both texts: drop whitespace and all punctuation/symbols (，。：；、|=/“”**…), drop the
  thousands separators in numbers, lower-case; then a hit holds the evidence when
  (Q) the normalised evidence_quote is a substring of the normalised hit text, or
  (K) the hit prints at least half (and ≥ 1) of the question's *distinctive* key values: values
      that are not 0, not whole numbers below 10 and not years; "prints" means a number in the
      hit equal as a Decimal (646.8 == 646.80), found by indexing.numbers.find_numbers.
  Computed key values (e.g. a share the gold answer worked out) are rarely printed, which is why
  K asks for half, not all. Recall is also reported for Q alone, the stricter definition.
Run: .venv/bin/python -m pytest -s -m slow tests/index/test_retrieval_quality.py
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from pathlib import Path

import pytest

from indexing.numbers import find_numbers

pytestmark = pytest.mark.slow
MODES = ("hybrid", "dense", "bm25")
K = 5
DEPTH = 20  # rank searched for MRR
TARGET = 0.90

_DROP = re.compile(r"[\s\W_]+", re.UNICODE)  # whitespace, punctuation, symbols (CJK stays: it is \w)


def normalise(text: str) -> str:
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text or "")
    text = re.sub(r"(?<=\d)\.(?=\d)", "<DOT>", text)  # keep decimal points: 5.03 is not 503
    return _DROP.sub("", text).replace("DOT", ".").replace("<", "").replace(">", "").lower()


def distinctive(values) -> list[Decimal]:
    out = []
    for v in values or []:
        d = Decimal(str(v))
        if d == 0 or (d == d.to_integral_value() and abs(d) < 10) or (d == d.to_integral_value() and 1990 <= d <= 2100):
            continue
        out.append(d)
    return out


def printed_values(text: str) -> set[Decimal]:
    return {n.value.normalize() for n in find_numbers(re.sub(r"(?<=\d),(?=\d{3})", "", text))}


def evidence_in(hit_text: str, qa: dict) -> tuple[bool, bool]:
    """(quote matched, key values matched)."""
    quote = normalise(qa.get("evidence_quote") or "")
    q = bool(quote) and quote in normalise(hit_text)
    keys = distinctive(qa.get("key_values"))
    found = printed_values(hit_text)
    k = bool(keys) and sum(1 for v in keys if v.normalize() in found) >= max(1, math.ceil(len(keys) / 2))
    return q, k


@pytest.fixture(scope="module")
def seed_index(seeds_dir, labels_dir, tmp_path_factory):
    from indexing.ingest import Index
    from indexing.settings import Settings

    index = Index(Settings(data_dir=tmp_path_factory.mktemp("quality")))  # the real m3e-small model
    results = index.ingest_many([seeds_dir], progress=False)
    failed = [r for r in results if r.status == "failed"]
    assert not failed, failed
    yield index, {r.source: r.doc_id for r in results}
    index.close()


def test_evidence_in_top5(seed_index, labels_dir):
    index, doc_ids = seed_index
    questions = []
    for label_file in sorted(labels_dir.glob("*.json")):
        label = json.loads(label_file.read_text())
        if label["doc"] not in doc_ids:
            continue  # labels of PDFs: not part of the seed corpus
        questions += [(doc_ids[label["doc"]], qa) for qa in label["qa"] if qa["type"] != "unanswerable"]
    assert questions, "no labelled questions for the ingested seeds"

    report, misses = {}, []
    for mode in MODES:
        ranks_any, ranks_quote = [], []
        for doc_id, qa in questions:
            hits = index.search(qa["question"], k=DEPTH, mode=mode, doc_id=doc_id)
            r_any = r_quote = None
            for rank, h in enumerate(hits, 1):
                q, k = evidence_in(h.text, qa)
                if r_quote is None and q:
                    r_quote = rank
                if r_any is None and (q or k):
                    r_any = rank
            ranks_any.append(r_any)
            ranks_quote.append(r_quote)
            if mode == "hybrid" and (r_any is None or r_any > K):
                misses.append((qa["id"], qa["question"], qa["evidence_quote"][:60], r_any))
        report[mode] = {"any": _metrics(ranks_any), "quote": _metrics(ranks_quote)}

    print(f"\n{len(questions)} answerable questions over {len(doc_ids)} seed documents, search filtered to the"
          " question's document; evidence = quote substring (Q) or ≥half of distinctive key values printed (K),"
          " after dropping spaces/punctuation/thousands separators")
    print(f"{'mode':<8}{'R@1':>7}{'R@5':>7}{'MRR@20':>8}   | quote only:{'R@1':>6}{'R@5':>7}{'MRR':>7}")
    for mode, m in report.items():
        a, q = m["any"], m["quote"]
        print(f"{mode:<8}{a['r1']:>7.3f}{a['r5']:>7.3f}{a['mrr']:>8.3f}   |            {q['r1']:>6.3f}{q['r5']:>7.3f}{q['mrr']:>7.3f}")
    for m in misses:
        print("  hybrid miss (rank {3}): {0} {1} | evidence: {2}".format(*m))
    assert report["hybrid"]["any"]["r5"] >= TARGET, report


def _metrics(ranks: list) -> dict[str, float]:
    n = len(ranks)
    return {
        "r1": sum(1 for r in ranks if r == 1) / n,
        "r5": sum(1 for r in ranks if r is not None and r <= K) / n,
        "mrr": sum(1 / r for r in ranks if r is not None) / n,
    }
