"""The one way to read a printed figure and the one way to compare figures with rounding.

Everything is `decimal.Decimal`; floats never appear. A printed value with k decimals stands for
the interval v ± ½·10⁻ᵏ (round to nearest). Some documents truncate instead of rounding, so the
comparison also accepts truncation and says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Iterator, Optional

# ---------------------------------------------------------------------------------------------
# Parsing

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋％　", "0123456789.,-+% ")
_DASHES = {"-", "--", "—", "——", "–", "－", "/", "／", "*", "…", "……"}
UNITS = ("亿元", "万元", "元", "个百分点", "%", "‰")
COUNT_UNITS = ("个", "项", "人", "人次", "辆", "名", "家", "次", "套", "台", "户", "处", "所", "件")
_UNIT_SCALE = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000}

_AMOUNT_RE = re.compile(
    r"^(?P<neg>[-−]|\()?\s*(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)\s*\)?\s*(?P<unit>亿元|万元|元|个百分点|%|‰)?$"
)


@dataclass(frozen=True)
class ParsedNumber:
    value: Optional[Decimal]  # None: blank or dash, "no value"
    raw: str
    decimals: int = 0
    unit: Optional[str] = None


def normalise_text(text: str) -> str:
    """Full-width digits and punctuation to ASCII, NBSP to space, strip."""
    return (text or "").translate(_FULLWIDTH).replace("\u00a0", " ").strip()


def parse_number(text: str) -> Optional[ParsedNumber]:
    """Parse one cell or token. Returns None when the text is not a number at all (a label),
    a ParsedNumber with value None for blank/dash, else the exact Decimal.

    >>> parse_number("1,125.77").value
    Decimal('1125.77')
    >>> parse_number("（12.5）").value
    Decimal('-12.5')
    """
    raw = text if text is not None else ""
    s = normalise_text(raw).replace("（", "(").replace("）", ")").replace(" ", "")
    if s == "" or s in _DASHES:
        return ParsedNumber(None, raw)
    m = _AMOUNT_RE.match(s)
    if m:
        num = m.group("num").replace(",", "")
        try:
            value = Decimal(num)
        except InvalidOperation:  # pragma: no cover - the regex only admits valid numbers
            return None
        if m.group("neg"):
            value = -value
        decimals = len(num.split(".")[1]) if "." in num else 0
        return ParsedNumber(value, raw, decimals, m.group("unit"))
    cn = parse_chinese_numeral(s)
    if cn is not None:
        return ParsedNumber(Decimal(cn), raw, 0, None)
    return None


def parse_chinese_numeral(s: str) -> Optional[int]:
    """'十二' -> 12, '两' -> 2, '一百零五' -> 105; None when not a pure Chinese numeral."""
    if not s or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in s):
        return None
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            unit = _CN_UNITS[ch]
            if unit == 10_000:
                total += (section + (digit or 0)) * unit
                section, digit = 0, None
            else:
                section += (1 if digit is None else digit) * unit
                digit = None
    return total + section + (digit or 0)


# Numbers in running text: "1125.77万元", "占37.11%", "3.5个百分点", "共4个", "两人".
_TEXT_NUMBER_RE = re.compile(
    r"(?P<neg>[-−])?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    r"(?P<unit>亿元|万元|元|个百分点|%|‰|人次|个|项|人|辆|名|家|次|套|台|户|处|所|件)?"
)
_CN_COUNT_RE = re.compile(r"(?P<num>[零〇一二两三四五六七八九十百千]+)(?P<unit>个|项|人|辆|名|家|处|所)")


@dataclass(frozen=True)
class TextNumber:
    value: Decimal
    raw: str
    decimals: int
    unit: Optional[str]
    start: int
    end: int


def find_numbers(text: str) -> Iterator[TextNumber]:
    """Every number in running text with its unit and character span. Years ('2025年') and
    document numbers ('〔2016〕143号') are numbers too: callers decide what a claim is."""
    s = text.translate(_FULLWIDTH)  # same length: offsets stay valid
    spans = []
    for m in _TEXT_NUMBER_RE.finditer(s):
        start = m.start("num")
        if start > 0 and s[start - 1] == "." :  # the tail of "12.3.4"
            continue
        num = m.group("num").replace(",", "")
        value = Decimal(num)
        # A minus sign only after a boundary; "2024-2025" is a range, not a negative.
        if m.group("neg") and (m.start() == 0 or s[m.start() - 1] in "（(，,：:；; \n"):
            value, start = -value, m.start()
        decimals = len(num.split(".")[1]) if "." in num else 0
        spans.append(TextNumber(value, text[start : m.end()], decimals, m.group("unit"), start, m.end()))
    for m in _CN_COUNT_RE.finditer(s):
        n = parse_chinese_numeral(m.group("num"))
        if n is not None and not any(t.start <= m.start() < t.end for t in spans):
            spans.append(TextNumber(Decimal(n), text[m.start() : m.end()], 0, m.group("unit"), m.start(), m.end()))
    yield from sorted(spans, key=lambda t: t.start)


# ---------------------------------------------------------------------------------------------
# Units


def to_unit(value: Decimal, from_unit: Optional[str], to: Optional[str]) -> Decimal:
    """Convert an amount between 元, 万元 and 亿元 exactly."""
    if from_unit == to or from_unit not in _UNIT_SCALE or to not in _UNIT_SCALE:
        return value
    return value * _UNIT_SCALE[from_unit] / _UNIT_SCALE[to]


def is_money_unit(unit: Optional[str]) -> bool:
    return unit in _UNIT_SCALE


# ---------------------------------------------------------------------------------------------
# Rounding


class Agreement(str, Enum):
    exact = "exact"
    within_rounding = "within_rounding"  # information only
    truncation = "truncation"  # printed value is the computed one cut, not rounded: also accepted
    outside = "outside"  # a finding


def half_unit(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals) / 2


@dataclass(frozen=True)
class Interval:
    low: Decimal
    high: Decimal

    @classmethod
    def printed(cls, value: Decimal, decimals: int) -> "Interval":
        h = half_unit(decimals)
        return cls(value - h, value + h)

    def __add__(self, other: "Interval") -> "Interval":
        return Interval(self.low + other.low, self.high + other.high)

    def __sub__(self, other: "Interval") -> "Interval":
        return Interval(self.low - other.high, self.high - other.low)

    def overlaps(self, other: "Interval") -> bool:
        return self.low <= other.high and other.low <= self.high


def compare_printed(stated: Decimal, stated_decimals: int, computed: Interval | Decimal) -> Agreement:
    """Is a printed figure consistent with a computed value (exact, or an interval from rounded
    inputs)? Exact beats within-rounding beats truncation beats outside."""
    if isinstance(computed, Decimal):
        computed = Interval(computed, computed)
    if computed.low == computed.high == stated:
        return Agreement.exact
    if Interval.printed(stated, stated_decimals).overlaps(computed):
        return Agreement.within_rounding
    # Truncation (digits cut off, towards zero): 268.77 printed for 268.776.
    step = Decimal(1).scaleb(-stated_decimals)
    cut = Interval(stated, stated + step) if stated >= 0 else Interval(stated - step, stated)
    if cut.overlaps(computed):
        return Agreement.truncation
    return Agreement.outside


def sum_interval(values: list[tuple[Decimal, int]]) -> Interval:
    """Interval of a sum of printed values (value, decimals)."""
    total = Interval(Decimal(0), Decimal(0))
    for v, d in values:
        total = total + Interval.printed(v, d)
    return total


def ratio_interval(num: Interval, den: Interval, scale: Decimal = Decimal(100)) -> Optional[Interval]:
    """Interval of num/den·scale for positive intervals (shares and growth rates)."""
    if den.low <= 0:
        return None
    candidates = [a / b * scale for a in (num.low, num.high) for b in (den.low, den.high)]
    return Interval(min(candidates), max(candidates))
