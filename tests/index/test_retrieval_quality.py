"""Acceptance: retrieval finds the evidence of the gold questions, on the real seeds and on held-out
generated documents.

For every answerable question of a label file, search the question's own document (metadata filter:
the user asks about one department) and check whether the evidence is in the top 5; hybrid,
dense-only and BM25-only are measured in the same run on the same index. The definition of
"evidence in a hit" is in retrieval_eval.py and printed by the tests.

Two corpora, because the retrieval settings were developed while looking at the seed questions:
- seeds (../shared/seeds + ../shared/labels): the target, hybrid recall@5 ≥ 0.90;
- held-out: `python -m eval.generate --n 10 --seed 7 --formats text` — documents and questions
  nobody tuned on; its floor is the value measured when the settings were fixed, minus a margin.
Run: .venv/bin/python -m pytest -s -m slow tests/index/test_retrieval_quality.py
"""

from __future__ import annotations

import pytest
from retrieval_eval import evaluate, format_report, load_questions

pytestmark = pytest.mark.slow
TARGET = 0.90  # seeds, hybrid recall@5
# Held-out generated set (n=10, seed=7), measured with the settings of 2026-11 under the original
# evidence rule: hybrid R@5 0.765, MRR 0.599 (before those settings: 0.779 / 0.509). The unit-aware
# rule can only raise these. Floors = measured minus a margin for model/library drift.
HELD_OUT_FLOOR = {"r5": 0.72, "mrr": 0.55}


def test_evidence_in_top5_seeds(seed_index, labels_dir):
    index, doc_ids = seed_index
    questions = load_questions(labels_dir, doc_ids)
    assert questions, "no labelled questions for the ingested seeds"
    report, misses = evaluate(index, questions)
    print(format_report("seeds", report, misses, len(questions), len(doc_ids)))
    assert report["hybrid"]["any"]["r5"] >= TARGET, {m: r["any"] for m, r in report.items()}


def test_evidence_in_top5_held_out(generated_index, generated_corpus):
    index, doc_ids = generated_index
    questions = load_questions(generated_corpus / "labels", doc_ids)
    assert len(questions) >= 50, len(questions)
    report, misses = evaluate(index, questions)
    print(format_report("held-out generated (n=10, seed=7)", report, misses, len(questions), len(doc_ids)))
    hybrid = report["hybrid"]["any"]
    assert hybrid["r5"] >= HELD_OUT_FLOOR["r5"] and hybrid["mrr"] >= HELD_OUT_FLOOR["mrr"], hybrid
