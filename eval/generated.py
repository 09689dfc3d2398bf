"""Checker recall and precision per injected error kind, on a generated corpus (eval/generate).

Recall of kind K: injected errors of kind K matched by ≥ 1 flag (matching: eval/matching.py).
Precision of kind K: TP_K / (TP_K + FP_K), where TP_K are flags matching an injected error of kind
K and FP_K are flags matching no injected error whose finding code is a detector of K (table
`DETECTORS`; a code that detects several kinds counts against each of them — the conservative
choice). Flags of codes that detect no injected kind are reported under "other". Overall precision
is over all flags. Only reading and checking run here: no index, no model.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Optional

from eval.labels import load_labels
from eval.matching import flags_of, gold_targets, match_all
from eval.metrics import percentile, ratio

AMOUNT = ("narrative_amount", "unit_slip", "digit_swap")
TABLE = ("table_sum_break", "project_table_mismatch")
# finding code (or prefix ending in "-") → the injected kinds it is meant to detect
DETECTORS: dict[str, tuple[str, ...]] = {
    "N-AMOUNT": AMOUNT, "N-SHARE": ("share_rate",), "N-RATE": ("share_rate",), "N-CHANGE": ("share_rate", "direction_word"),
    "N-DIRECTION": ("direction_word",), "F-WORD": ("direction_word",), "N-YEAR": ("compared_year",),
    "A-": TABLE, "C-": TABLE, "X-A-": TABLE, "X-C-": TABLE,
    "M-TABLE": ("missing_table",), "X-TABLE-NOT-READ": ("missing_table",),
    "M-THREE-PUBLIC-REASON": ("missing_three_public_reason",),
}


def detects(code: str) -> tuple[str, ...]:
    if code in DETECTORS:
        return DETECTORS[code]
    best = max((p for p in DETECTORS if p.endswith("-") and code.startswith(p)), key=len, default=None)
    return DETECTORS[best] if best else ()


def evaluate_generated(n: int, seed: int, *, errors_per_doc: int = 2, out_dir: Optional[Path] = None,
                       progress: bool = True) -> dict:
    from tqdm import tqdm

    from checking.check import run_checks
    from eval.generate import generate_corpus
    from indexing.read import read_document

    tmp = None
    if out_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="budgetqa-gen-")
        out_dir = Path(tmp.name)
    try:
        generate_corpus(out_dir, n, seed, errors_per_doc=errors_per_doc)
        labels, _ = load_labels(Path(out_dir) / "labels", [Path(out_dir) / "docs"])
        kinds_total, kinds_found, tp, fp = Counter(), Counter(), Counter(), Counter()
        codes = defaultdict(lambda: {"flags": 0, "tp": 0})
        misses: dict[str, list[str]] = defaultdict(list)
        n_flags = n_tp = 0
        seconds = []
        for label in tqdm(labels, desc="generated", unit="doc", disable=not progress):
            t0 = time.perf_counter()
            report, _ = run_checks(read_document(label.doc_path))
            seconds.append(time.perf_counter() - t0)
            flags = flags_of(report)
            targets = gold_targets(label)["injected"]
            per_flag, found = match_all(flags, targets)
            for t, ok in zip(targets, found):
                kinds_total[t.kind] += 1
                kinds_found[t.kind] += ok
                if not ok and len(misses[t.kind]) < 5:
                    misses[t.kind].append(f"{label.name}: {t.quote or t.table or t.id}")
            for f, hits in zip(flags, per_flag):
                n_flags += 1
                codes[f.code]["flags"] += 1
                if hits:
                    n_tp += 1
                    codes[f.code]["tp"] += 1
                    for k in {targets[i].kind for i in hits}:
                        tp[k] += 1
                else:
                    for k in detects(f.code) or ("other",):
                        fp[k] += 1
        per_kind = {
            k: {"injected": kinds_total[k], "detected": kinds_found[k], "recall": ratio(kinds_found[k], kinds_total[k]),
                "tp_flags": tp[k], "fp_flags": fp[k], "precision": ratio(tp[k], tp[k] + fp[k]),
                "missed_examples": misses.get(k, [])}
            for k in sorted(kinds_total)
        }
        total = sum(kinds_total.values())
        return {
            "documents": len(labels), "seed": seed, "injected": total, "detected": sum(kinds_found.values()),
            "recall": ratio(sum(kinds_found.values()), total), "flags": n_flags, "tp_flags": n_tp,
            "precision": ratio(n_tp, n_flags), "per_kind": per_kind, "other_fp_flags": fp["other"],
            "per_code": {c: {**v, "precision": ratio(v["tp"], v["flags"])} for c, v in sorted(codes.items())},
            "latency_ms": {"read+check": {"p50": _ms(percentile(seconds, 50)), "p95": _ms(percentile(seconds, 95))}},
        }
    finally:
        if tmp is not None:
            tmp.cleanup()


def _ms(s: Optional[float]) -> Optional[float]:
    return None if s is None else round(s * 1000, 1)
