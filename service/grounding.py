"""The grounding guard: no number reaches a user unless the cited evidence holds it.

A number in an answer is grounded when
  (a) it equals a figure printed in a cited evidence item (Decimal equality; 646.80 = 646.8), or
  (b) it is such a figure converted between 元 / 万元 / 亿元, or rounded to the answer's printed
      decimals (half-up or truncation, since documents do both) — rounding is accepted to d ≥ 1
      decimals, or to whole numbers only for figures ≥ 100, so that "0" cannot pass for 0.1, or
  (c) it is the result of arithmetic shown in the answer ("a ÷ b × 100% = c%", "a − b = c") whose
      operands are grounded, recomputed here with Decimal; the result then counts as grounded
      wherever it appears again.
Units must agree when both sides have one (an amount never grounds a percentage), and a year in the
evidence ("2025年") grounds nothing.

Every shown computation is recomputed, and it must be unit-true: the amounts it combines are in one
unit (as printed beside them, or else as the evidence prints the figure each one matches), and an
amount result is in that unit too. "70,540,547.00 元 ÷ 9,628.22 万元 = 732,643.70%" mixes 元 with 万元
and "1,000.00 ÷ 9,628.22 × 100% = 20%" is wrong arithmetic: in both the result is ungrounded, even
where the same number happens to stand in the evidence.

Exempt — these are not figures and are never checked (and nothing else is exempt):
  * years: a 4-digit number 1900–2099 followed by 年 (2025年, 2024年度), or any year the question names;
  * ordinals the question asks with: 第N / 前N in the question exempts 第N / 前N (same N) in the answer;
  * citation markers: [3], 【3】, [E3] — only for n between 1 and the number of cited items, so
    "[999]" is a figure like any other;
  * list ordinals: a number of at most 2 digits at the start of a line (after optional spaces, "-" or
    "*") followed by 、 . ． ) ）, or written （3） / (3) at the start of a line;
  * document numbers: the year and serial of 〔2016〕143号 / 【2024】158号;
  * the constant 100% right after × or * inside a shown computation;
  * a zero written right before "（表中空白" or "（空表": the template's rule that a blank cell or a
    table printed empty means nothing budgeted (the evidence cannot print a blank).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, DivisionByZero, InvalidOperation
from typing import Iterable, Optional

from indexing.numbers import TextNumber, find_numbers, is_money_unit, to_unit

from service.evidence import Evidence

_YEAR_RE = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?=\s*年)")
_MARKER_RE = re.compile(r"[\[【]E?\d{1,3}[\]】]")
_ORDINAL_RE = re.compile(r"(?m)^[ \t]*(?:[-*][ \t]*)?(?:\d{1,2}(?=[、.．)）](?!\d))|[（(]\d{1,2}[)）])")
_DOCNO_RE = re.compile(r"[〔【\[]\d{4}[〕】\]]\s*\d+\s*号")
_PCT100_RE = re.compile(r"[×*]\s*100\s*%")
_BLANK_ZERO_RE = re.compile(r"(?<![\d.,])0(?:\.0+)?(?=\s*(?:万元|元|亿元)?（(?:表中空白|空表))")
_OP = r"[+＋\-−–×*÷/]"
_NUM = r"\d[\d,]*(?:\.\d+)?%?"
_ARITH_RE = re.compile(rf"(?P<expr>{_NUM}(?:\s*(?:万元|元|亿元))?(?:\s*{_OP}\s*{_NUM}(?:\s*(?:万元|元|亿元))?)+)\s*(?:=|≈|＝)\s*(?P<res>-?{_NUM})")

NOTE_FALLBACK = "模型回答中有数字无法在引用的文件内容中找到，已改用根据文件数据生成的默认回答。"
NOTE_REMOVED = "回答中有无法在引用的文件内容中找到的数字，相关语句已删除。"


@dataclass(frozen=True)
class PoolFigure:
    value: Decimal
    decimals: int
    unit: Optional[str]
    source: str  # evidence id, or "arithmetic"


@dataclass
class GroundingReport:
    grounded: bool
    checked: list[str] = field(default_factory=list)  # raw numbers that were checked
    exempt: list[str] = field(default_factory=list)
    ungrounded: list[TextNumber] = field(default_factory=list)
    arithmetic: list[str] = field(default_factory=list)  # verified computations
    refuted: list[str] = field(default_factory=list)  # computations shown wrong or mixing units


def exempt_spans(text: str, question: str = "", n_cited: int = 999) -> list[tuple[int, int]]:
    spans = [m.span(1) for m in _YEAR_RE.finditer(text)]
    spans += [m.span() for m in _MARKER_RE.finditer(text) if 1 <= int(re.sub(r"\D", "", m.group())) <= n_cited]
    spans += [m.span() for m in _ORDINAL_RE.finditer(text)]
    spans += [m.span() for m in _DOCNO_RE.finditer(text)]
    spans += [m.span() for m in _PCT100_RE.finditer(text)]
    spans += [m.span() for m in _BLANK_ZERO_RE.finditer(text)]
    for pre, n in set(re.findall(r"(第|前)(\d{1,3})(?![\d.])", question)):
        spans += [(m.start(1), m.end(1)) for m in re.finditer(rf"{pre}({n})(?![\d.])", text)]
    for y in set(re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", question)):
        spans += [m.span() for m in re.finditer(rf"(?<![\d.]){y}(?![\d.])", text)]
    return spans


def pool_from(evidence: Iterable[Evidence], extra: Iterable[PoolFigure] = ()) -> list[PoolFigure]:
    pool = list(extra)
    for ev in evidence:
        if ev.suspicious:  # an instruction inside a document never grounds a figure
            continue
        years = [m.span(1) for m in _YEAR_RE.finditer(ev.text)]
        for n in find_numbers(ev.text):
            if any(a <= n.start < b for a, b in years):  # "2025年" in a document is a date, not a figure
                continue
            pool.append(PoolFigure(n.value, n.decimals, n.unit or (ev.unit if ev.kind == "row" else None), ev.id))
    return pool


def _units_agree(a: Optional[str], b: Optional[str]) -> bool:
    if a is None or b is None or a == b:
        return True
    if is_money_unit(a) and is_money_unit(b):
        return True
    return {a, b} <= {"%", "个百分点"}


def matches(value: Decimal, decimals: int, unit: Optional[str], fig: PoolFigure) -> bool:
    if not _units_agree(unit, fig.unit):
        return False
    w = fig.value
    if is_money_unit(unit) and is_money_unit(fig.unit):
        w = to_unit(w, fig.unit, unit)
    if w == value:
        return True
    if decimals < 1 and abs(w) < 100:
        return False
    q = Decimal(1).scaleb(-decimals)
    try:
        return w.quantize(q, rounding=ROUND_HALF_UP) == value or w.quantize(q, rounding=ROUND_DOWN) == value
    except InvalidOperation:  # a 20-digit code cannot be quantized: it is no amount anyway
        return False


def _grounded(n: TextNumber, pool: list[PoolFigure]) -> bool:
    return any(matches(n.value, n.decimals, n.unit, f) for f in pool)


def _tokens(expr: str) -> list[str]:
    return re.findall(rf"\d[\d,]*(?:\.\d+)?%?|{_OP}", expr)


def evaluate(expr: str) -> Optional[Decimal]:
    """Evaluate a shown computation with Decimal: × ÷ before + −; 'x%' as an operand is x/100."""
    toks = _tokens(expr)
    vals: list[Decimal] = []
    ops: list[str] = []
    try:
        for t in toks:
            if t[0].isdigit():
                v = Decimal(t.rstrip("%").replace(",", ""))
                vals.append(v / 100 if t.endswith("%") else v)
            else:
                ops.append({"＋": "+", "−": "-", "–": "-", "*": "×", "/": "÷"}.get(t, t))
        if len(vals) != len(ops) + 1:
            return None
        # multiplicative first
        out_v, out_o = [vals[0]], []
        for op, v in zip(ops, vals[1:]):
            if op == "×":
                out_v[-1] *= v
            elif op == "÷":
                out_v[-1] /= v
            else:
                out_o.append(op)
                out_v.append(v)
        total = out_v[0]
        for op, v in zip(out_o, out_v[1:]):
            total = total + v if op == "+" else total - v
        return total
    except (InvalidOperation, DivisionByZero, ZeroDivisionError):
        return None


_MONEY = ("元", "万元", "亿元")


def _result_unit(text: str, end: int, pct: bool) -> Optional[str]:
    if pct:
        return "%"
    m = re.match(r"\s*(亿元|万元|元)", text[end:end + 4])
    return m.group(1) if m else None


def _candidate_units(n: TextNumber, pool: list[PoolFigure]) -> Optional[set]:
    """The money units an operand can be in: the one printed beside it, else those of the evidence
    figures it equals as printed (no conversion); None when it may be in any (a bare result of an
    earlier computation, a percentage, a count)."""
    if n.unit:
        return {n.unit} if n.unit in _MONEY else None
    units = set()
    for f in pool:
        if not matches(n.value, n.decimals, f.unit, f):
            continue
        if f.unit not in _MONEY:
            return None
        units.add(f.unit)
    return units or None


def _one_unit(ops: list[TextNumber], pool: list[PoolFigure], result_unit: Optional[str]) -> bool:
    """The amounts of one computation share a unit, and an amount result is in it."""
    common: Optional[set] = None
    for n in ops:
        units = _candidate_units(n, pool)
        if units is None:
            continue
        common = units if common is None else common & units
        if not common:
            return False
    if result_unit in _MONEY and common is not None and result_unit not in common:
        return False
    return True


def check(text: str, evidence: Iterable[Evidence], question: str = "",
          extra: Iterable[PoolFigure] = ()) -> GroundingReport:
    evidence = list(evidence)
    pool = pool_from(evidence, extra)
    exempt = exempt_spans(text, question, len(evidence))
    report = GroundingReport(grounded=True)
    arithmetic_spans: list[tuple[int, int]] = []
    refuted: list[tuple[int, int]] = []  # results of computations that are wrong or mix units
    for m in _ARITH_RE.finditer(text):
        expr, res = m.group("expr"), m.group("res")
        ops = [n for n in find_numbers(expr) if not any(a <= m.start("expr") + n.start < b for a, b in exempt)]
        if not all(_grounded(n, pool) for n in ops):
            continue
        pct = res.endswith("%")
        if not _one_unit(ops, pool, _result_unit(text, m.end("res"), pct)):
            refuted.append(m.span("res"))
            report.refuted.append(f"单位不一致：{m.group(0)}")
            continue
        bare = _PCT100_RE.sub("", expr)  # "a ÷ b × 100%" = c%: the ×100% only says "in per cent"
        computed = evaluate(bare)
        if computed is None:
            continue
        printed = Decimal(res.rstrip("%").replace(",", ""))
        decimals = len(res.rstrip("%").split(".")[1]) if "." in res else 0
        if pct:
            computed *= 100
        q = Decimal(1).scaleb(-decimals)
        if computed.quantize(q, rounding=ROUND_HALF_UP) == printed or computed.quantize(q, rounding=ROUND_DOWN) == printed:
            pool.append(PoolFigure(printed, decimals, "%" if pct else None, "arithmetic"))
            report.arithmetic.append(m.group(0))
            arithmetic_spans.append(m.span())
        else:
            refuted.append(m.span("res"))
            report.refuted.append(f"计算错误：{m.group(0)}")
    for n in find_numbers(text):
        if any(a <= n.start < b for a, b in exempt):
            report.exempt.append(n.raw)
            continue
        report.checked.append(n.raw)
        if any(a <= n.start < b for a, b in refuted) or not _grounded(n, pool):
            report.ungrounded.append(n)
    report.grounded = not report.ungrounded
    return report


def strip_ungrounded(text: str, report: GroundingReport) -> str:
    """Remove every line (or sentence, inside long lines) that holds an ungrounded number."""
    bad = [(n.start, n.end) for n in report.ungrounded]
    out = []
    pos = 0
    for piece in re.split(r"(?<=[。\n])", text):
        start, pos = pos, pos + len(piece)
        if not any(start <= a < pos for a, _ in bad):
            out.append(piece)
    return "".join(out).strip()
