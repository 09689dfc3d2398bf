"""Metric arithmetic for the evaluation: pure functions, no I/O, no pipeline imports.

Figures are compared as `Decimal`; only the resulting rates and latencies are floats.

Value agreement (`agree`): two printed figures agree when they are equal, or when the finer one,
rounded (half-up) or truncated to the coarser one's printed decimals, equals the coarser one — the
precision a reader can vouch for. A coarse figure with 0 decimals below 100 only agrees exactly, so
"0" never stands for 0.4. `agree_any_unit` also tries the 元 ↔ 万元 factor 10,000 (Shanghai tables
print 元, narratives and gold labels 万元).
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Iterable, Optional, Sequence

TEN_THOUSAND = Decimal(10000)


# ----------------------------------------------------------------------------- rates

def ratio(num: float, den: float) -> Optional[float]:
    """num/den, or None when there is nothing to measure (den == 0): never a made-up 0 or 1."""
    return num / den if den else None


def prf(tp: int, fp: int, fn: int) -> dict[str, Optional[float]]:
    """Precision, recall, F1. precision = tp/(tp+fp), recall = tp/(tp+fn); None when undefined.
    Here tp for precision and for recall may differ (see `prf2`)."""
    return prf2(tp, tp + fp, tp, tp + fn)


def prf2(tp_flags: int, n_flags: int, found_targets: int, n_targets: int) -> dict[str, Optional[float]]:
    """Precision over flags and recall over gold targets, counted separately: several flags may
    point at one gold target (precision counts each correct flag, recall each target once)."""
    p = ratio(tp_flags, n_flags)
    r = ratio(found_targets, n_targets)
    f1 = (2 * p * r / (p + r) if (p + r) else 0.0) if p is not None and r is not None else None
    return {"precision": p, "recall": r, "f1": f1, "tp": tp_flags, "flags": n_flags,
            "found": found_targets, "targets": n_targets}


def recall_at(ranks: Sequence[Optional[int]], k: int) -> Optional[float]:
    """Share of queries whose first relevant hit has 1-based rank ≤ k (None rank: not found)."""
    return ratio(sum(1 for r in ranks if r is not None and r <= k), len(ranks))


def mrr(ranks: Sequence[Optional[int]]) -> Optional[float]:
    """Mean reciprocal rank of the first relevant hit; a query with none found scores 0."""
    return ratio(sum(1.0 / r for r in ranks if r), len(ranks))


def first_relevant(flags: Iterable[bool]) -> Optional[int]:
    for i, ok in enumerate(flags, 1):
        if ok:
            return i
    return None


def percentile(values: Sequence[float], p: float) -> Optional[float]:
    """Linear-interpolated percentile (numpy's default), p in 0..100; None for no values."""
    xs = sorted(values)
    if not xs:
        return None
    pos = (len(xs) - 1) * p / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def mean(values: Iterable[float]) -> Optional[float]:
    xs = list(values)
    return sum(xs) / len(xs) if xs else None


def improvement(system: Optional[float], baseline: Optional[float]) -> Optional[float]:
    """system / baseline, the ratio printed for every claim of improvement (None if undefined)."""
    if system is None or baseline is None or baseline == 0:
        return None
    return system / baseline


# ----------------------------------------------------------------------------- figures

def decimals_of(v: Decimal) -> int:
    exp = v.as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


def agree(a: Decimal, b: Decimal) -> bool:
    """Equal at the coarser printed precision of the two (see module docstring)."""
    if a == b:
        return True
    da, db = decimals_of(a), decimals_of(b)
    coarse, fine, d = (a, b, da) if da <= db else (b, a, db)
    if d == 0 and abs(coarse) < 100:
        return False
    q = Decimal(1).scaleb(-d)
    try:
        return fine.quantize(q, rounding=ROUND_HALF_UP) == coarse or fine.quantize(q, rounding=ROUND_DOWN) == coarse
    except InvalidOperation:
        return False


def agree_any_unit(a: Decimal, b: Decimal) -> bool:
    """`agree`, or agree after a 元 ↔ 万元 conversion of either side."""
    if agree(a, b):
        return True
    if a == 0 or b == 0:
        return False
    return agree(a, b / TEN_THOUSAND) or agree(a / TEN_THOUSAND, b)


def values_found(wanted: Iterable[Decimal], present: Iterable[Decimal]) -> list[bool]:
    """For each wanted figure, whether some present figure agrees with it (any money unit)."""
    pool = list(present)
    return [any(agree_any_unit(w, p) for p in pool) for w in wanted]


# ----------------------------------------------------------------------------- text

_DROP_RE = re.compile(r"[\s\u3000，,。．.、；;：:！!？?“”\"'‘’（）()【】\[\]《》<>|｜\-—_*#…·/]+")


def normalise(text: str) -> str:
    """For matching quotes across readers: NFKC (full-width → half-width), no spaces, no punctuation,
    no thousands separators, no markdown remnants. Decimal points are dropped too (a quote and a hit
    both lose them, so 1,125.77 and 1125.77 both become 112577)."""
    s = unicodedata.normalize("NFKC", text or "")
    s = re.sub(r"<[^>]{0,20}>", "", s)
    return _DROP_RE.sub("", s)


def quote_in(quote: str, text: str) -> bool:
    q, t = normalise(quote), normalise(text)
    return bool(q) and q in t


def overlap(a: str, b: str, min_chars: int = 8) -> bool:
    """The normalised strings share a run of at least min(min_chars, shorter length) characters:
    a gold quote (a fragment) and a finding's quote (a whole sentence) describe the same statement."""
    x, y = normalise(a), normalise(b)
    if not x or not y:
        return False
    if x in y or y in x:
        return True
    need = min(min_chars, len(x), len(y))
    short, long_ = (x, y) if len(x) <= len(y) else (y, x)
    return any(short[i : i + need] in long_ for i in range(len(short) - need + 1))


def char_overlap(question: str, sentence: str) -> float:
    """The baseline's answer score: share of the question's distinct characters (punctuation
    removed) that occur in the sentence."""
    q = set(normalise(question))
    return len(q & set(normalise(sentence))) / len(q) if q else 0.0
