"""CI floors: a small evaluation must not fall below eval/floors.json.

Two parts: the three converted-text seeds with their gold labels (full pipeline, one index with
m3e-small; skipped with a message when ../shared is absent), and 10 generated documents with
injected errors (reader + checker only). Floors were recorded a little below a measured run; a
metric that drops under its floor (or becomes undefined) fails with the measured value.
Run with `-s` to print the measured values when re-recording floors.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.metrics import ratio

FLOORS = json.loads((Path(__file__).resolve().parents[2] / "eval" / "floors.json").read_text(encoding="utf-8"))


def _check(part: str, measured: dict) -> None:
    print(f"\n{part}: " + json.dumps(measured, ensure_ascii=False, default=str))
    low = []
    for name, floor in FLOORS[part].items():
        if name.startswith("_"):
            continue
        got = measured.get(name)
        if name.startswith("max_"):  # a ceiling: counts that must not grow
            if got is None or got > floor:
                low.append(f"{name} = {got} > ceiling {floor}")
        elif got is None or got < floor:
            low.append(f"{name} = {got} < floor {floor}")
    assert not low, f"{part}: metrics below their floors: " + "; ".join(low)


@pytest.mark.slow
def test_seed_documents_meet_floors(labels_dir, seeds_dir):
    from eval.labels import load_labels
    from eval.runner import evaluate

    labels, _ = load_labels(labels_dir, [seeds_dir])
    labels = [lb for lb in labels if lb.doc_path.parent == seeds_dir]
    if not labels:
        pytest.skip("no seed document has a label in ../shared/labels")
    res = evaluate(labels, baseline=False, qa=True, progress=False)
    o, q = res["overall"], res["overall"]["qa"]
    measured = {
        "key_figure_accuracy": o["key_figure_accuracy"],
        "claim_recall": o["claim_recall"],
        "contradiction_precision": o["contradiction_precision"],
        "contradiction_recall": o["contradiction_recall"],
        "genuine_inconsistency_recall": o["genuine_inconsistency_recall"],
        "max_false_errors_on_consistent": o["false_errors_on_consistent"],
        "recall@5": q["recall@5"],
        "mrr": q["mrr"],
        "key_value_accuracy": q["key_value_accuracy"],
        "refusal_accuracy": q["refusal_accuracy"],
        "max_ungrounded_figures": q["ungrounded_figures"],
    }
    _check("seeds", measured)


def test_generated_corpus_meets_floors():
    from eval.generated import evaluate_generated

    g = evaluate_generated(10, seed=7, progress=False)
    k = g["per_kind"]
    measured = {"recall": g["recall"], "precision": g["precision"], "injected": g["injected"]}
    # per-kind recall pooled over the kinds the checker is expected to catch from figures
    figures_kinds = [n for n in k if n not in ("missing_three_public_reason",)]
    measured["recall_figure_kinds"] = ratio(sum(k[n]["detected"] for n in figures_kinds),
                                            sum(k[n]["injected"] for n in figures_kinds))
    _check("generated", measured)
