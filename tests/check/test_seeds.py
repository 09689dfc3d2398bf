"""Acceptance on the three seed documents against the gold labels (../shared/labels).

- every gold contradiction is reported as an error or warning on the same figures;
- no error-level finding on a claim the gold calls consistent;
- ≥ 88% of the gold claims comparable with a table are extracted and aligned (printed per document);
- every gold table inconsistency of likely_cause `genuine` is found; `extraction_artifact` ones
  never come out as errors.
"""

from __future__ import annotations

import pytest

from tests.check.gold import evaluate, gold_for


@pytest.fixture(scope="module")
def results(seed_docs, labels_dir):
    out = [evaluate(d, labels_dir) for d in seed_docs if gold_for(labels_dir, d.source)]
    if not out:
        pytest.skip("no gold labels for the seed documents")
    return out


def test_every_gold_contradiction_is_reported(results):
    missed = [(r["doc"], c) for r in results for c in r["contradictions"] if not c[2]]
    assert not missed, missed


def test_no_error_on_a_claim_gold_calls_consistent(results):
    false = [(r["doc"], f) for r in results for f in r["false_errors"]]
    assert not false, false


def test_claim_extraction_and_alignment_recall(results):
    total = sum(r["comparable"] for r in results)
    found = sum(r["extracted_aligned"] for r in results)
    for r in results:
        print(f"{r['doc']}: {r['extracted_aligned']}/{r['comparable']} comparable gold claims extracted and aligned")
    print(f"recall {found}/{total} = {found / total:.1%}")
    # 0.88, was 0.90: since issue 16 机关运行经费 is never compared with 公用经费 (a different
    # aggregate) and department amounts not with 绩效目标表 cells, so e.g. 001's "机关运行经费预算安排
    # 23.92万元" is no longer aligned (129/145 = 0.890 measured)
    assert found / total >= 0.88


def test_every_genuine_table_inconsistency_is_found(results):
    missed = [(r["doc"], g) for r in results for g in r["genuine"] if not g[2]]
    assert not missed, missed


def test_extraction_artifacts_are_never_errors(results):
    wrong = [(r["doc"], a) for r in results for a in r["artifacts"] if a[2]]
    assert not wrong, wrong
