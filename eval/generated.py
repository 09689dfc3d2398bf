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
        tally = Tally()
        for label in tqdm(labels, desc="generated", unit="doc", disable=not progress):
            t0 = time.perf_counter()
            report, _ = run_checks(read_document(label.doc_path))
            tally.add(score_document(label, report), time.perf_counter() - t0)
        return {"documents": len(labels), "seed": seed, **tally.summary()}
    finally:
        if tmp is not None:
            tmp.cleanup()


def score_document(label, report) -> dict:
    """One document's flags against its injected errors: per target (kind, found, example) and per
    flag (code, the kinds it matched or none). Small and picklable, so a worker process can return it."""
    flags = flags_of(report)
    targets = gold_targets(label)["injected"]
    per_flag, found = match_all(flags, targets)
    return {"name": label.name,
            "targets": [(t.kind, ok, t.quote or t.table or t.id) for t, ok in zip(targets, found)],
            "flags": [(f.code, sorted({targets[i].kind for i in hits}), f.severity) for f, hits in zip(flags, per_flag)]}


class Tally:
    """Recall per injected kind, precision per kind and per code, over scored documents."""

    def __init__(self) -> None:
        self.total, self.found, self.tp, self.fp = Counter(), Counter(), Counter(), Counter()
        self.codes = defaultdict(lambda: {"flags": 0, "tp": 0})
        self.misses: dict[str, list[str]] = defaultdict(list)
        self.false_flags: list[str] = []
        self.n_flags = self.n_tp = self.errors = 0
        self.seconds: list[float] = []

    def add(self, scored: dict, seconds: Optional[float] = None) -> None:
        if seconds is not None:
            self.seconds.append(seconds)
        for kind, ok, where in scored["targets"]:
            self.total[kind] += 1
            self.found[kind] += ok
            if not ok and len(self.misses[kind]) < 5:
                self.misses[kind].append(f"{scored['name']}: {where}")
        for code, kinds, severity in scored["flags"]:
            self.n_flags += 1
            self.codes[code]["flags"] += 1
            if kinds:
                self.n_tp += 1
                self.codes[code]["tp"] += 1
                for k in kinds:
                    self.tp[k] += 1
                continue
            self.errors += severity == "error"
            if len(self.false_flags) < 20:
                self.false_flags.append(f"{scored['name']}: {code} ({severity})")
            for k in detects(code) or ("other",):
                self.fp[k] += 1

    def summary(self) -> dict:
        per_kind = {
            k: {"injected": self.total[k], "detected": self.found[k], "recall": ratio(self.found[k], self.total[k]),
                "tp_flags": self.tp[k], "fp_flags": self.fp[k], "precision": ratio(self.tp[k], self.tp[k] + self.fp[k]),
                "missed_examples": self.misses.get(k, [])}
            for k in sorted(self.total)
        }
        total, found = sum(self.total.values()), sum(self.found.values())
        return {
            "injected": total, "detected": found, "recall": ratio(found, total), "flags": self.n_flags,
            "tp_flags": self.n_tp, "precision": ratio(self.n_tp, self.n_flags), "false_errors": self.errors,
            "per_kind": per_kind, "other_fp_flags": self.fp["other"], "false_flag_examples": self.false_flags,
            "per_code": {c: {**v, "precision": ratio(v["tp"], v["flags"])} for c, v in sorted(self.codes.items())},
            "latency_ms": {"read+check": {"p50": _ms(percentile(self.seconds, 50)),
                                          "p95": _ms(percentile(self.seconds, 95))}},
        }


def _ms(s: Optional[float]) -> Optional[float]:
    return None if s is None else round(s * 1000, 1)
