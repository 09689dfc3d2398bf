"""A model's claim checked against its own sentence: the model is never trusted with figures.

The value must be printed in the sentence (same Decimal, same unit when one is given) and the kept
claim takes the sentence's printed figure, not the model's string; the kind must fit the unit; a
threshold ("50万元以上") is no amount; direction words, compared years and bases are kept only when
printed; a metric that is not words of the sentence is replaced by the rule-based label. Each drop
is counted in `Stats`, so an evaluation can see what the model invented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from indexing.model import Section
from indexing.numbers import COUNT_UNITS, find_numbers, is_money_unit

from checking.claims import Claim, _codes, _direction, _item_path, clean_metric, number_claim
from checking.llm_reply import LLMClaim

_PCT_UNITS = ("%", "个百分点", "‰")
# "50万元以上通用设备", "100万元（含）及以上": a threshold, not an amount (stricter than the rules' guard,
# which also skips "21.42万元及时…": such sentences are why they reach the model)
_THRESHOLD_RE = re.compile(r"^\s*(?:（含）|\(含\))?\s*(?:以上|以下|及以上|及以下|及\d+(?:\.\d+)?(?:万元|元)(?:（含）)?以上)")
_UNIT_ALIASES = {"％": "%", "percent": "%", "万": "万元", "元人民币": "元"}


def _norm_unit(u: Optional[str]) -> Optional[str]:
    if u is None:
        return None
    u = u.strip().translate(str.maketrans("％", "%"))
    return _UNIT_ALIASES.get(u, u) or None


def _unit_fits(kind: str, unit: Optional[str]) -> bool:
    if unit is None:
        return False
    if kind in ("share_pct", "change_pct", "completion_pct"):
        return unit in _PCT_UNITS
    if kind == "count":
        return unit in COUNT_UNITS
    return is_money_unit(unit)


def model_value(value: str, unit: Optional[str]) -> Optional[tuple[Decimal, Optional[str]]]:
    """The model's value string → (Decimal, unit); None unless it holds exactly one number."""
    nums = list(find_numbers(value))
    if len(nums) != 1:
        return None
    n = nums[0]
    rest = (value[: n.start] + value[n.end :]).strip()
    u = _norm_unit(unit) or n.unit or (_norm_unit(rest) if rest else None)
    if n.unit and _norm_unit(unit) and n.unit != _norm_unit(unit):
        return None  # "21.42万元" with unit "元": contradicts itself
    return n.value, u


@dataclass
class Stats:
    sentences: int = 0
    batches: int = 0
    returned: int = 0  # claim objects the model returned that passed the schema
    invalid: int = 0  # objects rejected by the schema (bad kind, no value …)
    kept: int = 0
    dropped_value: int = 0  # value (with its unit) not in the sentence: invented or computed
    dropped_kind: int = 0  # kind does not fit the printed unit
    dropped_duplicate: int = 0  # the same printed figure claimed twice
    dropped_threshold: int = 0  # "50万元以上": a threshold called an amount
    failed_batches: int = 0  # request failed or reply unreadable
    metric_replaced: int = 0  # the model's label was not words of the sentence
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (sentence, value) of dropped values
    replies: list[str] = field(default_factory=list)  # the model's raw replies (first 500 chars), for diagnosis

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("dropped", "replies")}


def _clean_label(s: str) -> str:
    return re.sub(r"[\s“”\"‘’'（）()]", "", s or "")


def verify(raw: LLMClaim, section: Section, sentence: str, offset: int, used: set[int], stats: Stats,
           department: Optional[str] = None, next_id: int = 1) -> Optional[Claim]:
    """One model claim → a Claim taken from the sentence's own figure, or None (counted)."""
    mv = model_value(raw.value, raw.unit)
    candidates = []
    if mv is not None:
        value, unit = mv
        for n in find_numbers(sentence):
            if value not in (n.value, abs(n.value)):
                continue
            if unit is not None and n.unit != unit:
                continue
            candidates.append(n)
    if not candidates:
        stats.dropped_value += 1
        stats.dropped.append((sentence.strip(), raw.value))
        return None
    fresh = [n for n in candidates if n.start not in used]
    if not fresh:
        stats.dropped_duplicate += 1
        return None
    n = fresh[0]
    if not _unit_fits(raw.kind, n.unit):
        stats.dropped_kind += 1
        return None
    if is_money_unit(n.unit) and _THRESHOLD_RE.match(sentence[n.end : n.end + 12]):
        stats.dropped_threshold += 1
        return None
    used.add(n.start)
    context = sentence[: n.start]
    metric = raw.metric or ""
    if not metric or _clean_label(metric) not in _clean_label(sentence):
        if metric:
            stats.metric_replaced += 1
        metric = clean_metric(context, department)
    direction, word = None, None
    if raw.kind in ("change_amount", "change_pct"):
        if raw.direction and raw.direction in sentence:
            direction, word = _direction(raw.direction)
        if direction is None:
            direction, word = _direction(context[-12:])  # the printed word just before the figure
    year = raw.compared_year if raw.compared_year and str(raw.compared_year) in sentence else None
    basis = raw.basis if raw.basis and raw.basis in sentence and raw.kind in ("amount", "completion_pct") else None
    stats.kept += 1
    return number_claim(
        f"llm{next_id}", n, sentence, section, offset,
        metric=metric,
        context=context,
        kind=raw.kind,
        direction=direction,
        direction_word=word,
        compared_year=year if raw.kind.startswith("change") else None,
        codes=_codes(sentence),
        item_path=_item_path(sentence),
        basis=basis,
        source="llm",
    )
