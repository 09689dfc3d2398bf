"""A total stated with its parts in the same sentence (identities D, the narrative on itself).

The templates write a whole and its parts together: "支出合计1125.77万元，其中：基本支出417.79万元、
项目支出707.98万元", "“三公”经费减少4万元，其中：公务接待费减少2万元、公务用车购置及运行费减少2万元",
"地上建筑面积为8013平方米（其中计容面积7998平方米，不计容面积105平方米）". Identities:

- N-PARTS-EXCEED: the parts listed after "其中" are parts of the whole: their sum cannot exceed it
  (all of one unit, and of one sign for a change) — whatever else the whole holds;
- N-PARTS: when the parts are a split the templates define as complete (财预〔2016〕143号 and the
  决算 template: 基本支出 + 项目支出; 人员经费 + 公用经费; 货物 + 工程 + 服务 (政府采购);
  因公出国(境)费 + 公务接待费 + 公务用车购置及运行费; 公务用车购置费 + 运行维护费), the sum must equal the
  whole, within the rounding of every printed figure.
A list that is not a complete split ("其中：A 3万元", "主要原因是：A增加…、B增加…") is never compared
for a sum smaller than the whole: other parts, or offsetting changes, may be unstated.
Both sides are figures of one sentence typed here by rule: an outside-rounding gap in a complete
split is an error, a sum exceeding the whole of an open list a warning (the list may mix scopes)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Optional

from indexing.model import Location
from indexing.numbers import Agreement, compare_printed, find_numbers, sum_interval, to_unit
from indexing.read.sections import page_at

from checking.claims import _SENT_RE  # one sentence rule for claims and parts
from checking.findings import Category, Evidence, Finding, LedgerStatus, Severity, fmt
from checking.rules import CheckContext

_UNIT_RE = re.compile(r"\s*(亿元|万元|元|平方米|人次|人|个|辆|户|套|台|项|次)")
_OF_RE = re.compile(r"[（(，,；;:：]?\s*其中\s*[:：，,]?")
_DIR_RE = re.compile(r"(增加|增长|上升|提高|减少|下降|降低)\s*(?:了)?\s*$")
_UP = ("增加", "增长", "上升", "提高")
# Splits the templates define as complete: every part named ⇒ Σ parts = whole.
_COMPLETE = (
    ("基本支出", "项目支出"),
    ("人员经费", "公用经费"),
    ("货物", "工程", "服务"),
    ("出国", "接待", "公务用车"),
    ("购置", "运行"),
    ("地上", "地下"),
)
_MONEY = ("亿元", "万元", "元")


class _Num:
    __slots__ = ("value", "decimals", "raw", "unit", "start", "end", "sign", "label")

    def __init__(self, value, decimals, raw, unit, start, end, sign, label):
        self.value, self.decimals, self.raw, self.unit = value, decimals, raw, unit
        self.start, self.end, self.sign, self.label = start, end, sign, label


def _numbers(sentence: str) -> list[_Num]:
    out = []
    prev_end = 0
    for n in find_numbers(sentence):
        m = _UNIT_RE.match(sentence, n.end) if n.unit is None else None
        unit = n.unit or (m.group(1) if m else None)
        end = m.end() if m else n.end
        if unit is None or unit == "%" or re.match(r"\s*年", sentence[n.end:n.end + 2]):
            prev_end = end
            continue
        before = sentence[prev_end:n.start]
        d = _DIR_RE.search(before)
        sign = 0 if d is None else (1 if d.group(1) in _UP else -1)
        label = re.split(r"[，,；;、：:]", before)[-1] if before else ""
        compared = bool(re.search(r"(?:比|较|与|同)(?:上年|上一年|\d{4}\s*年)|上年|去年", label))
        out.append(_Num(n.value, n.decimals, n.raw, unit, n.start, end, 9 if compared and not sign else sign, label))
        prev_end = end
    return out


def _complete_split(labels: list[str]) -> bool:
    for split in _COMPLETE:
        if len(labels) == len(split) and all(any(w in lab for lab in labels) for w in split):
            return True
    return False


def run(ctx: CheckContext) -> list[Finding]:
    out: list[Finding] = []
    for sec in ctx.doc.sections:
        flat = sec.text.replace("\n", " ")  # a sentence broken over lines is one sentence (same offsets)
        for m in _SENT_RE.finditer(flat):
            sentence = m.group(0)
            if "其中" not in sentence:
                continue
            nums = _numbers(sentence)
            for of in _OF_RE.finditer(sentence):
                whole = next((n for n in reversed(nums) if n.end <= of.start()), None)
                if whole is None or whole.end < of.start() - 2:
                    continue  # "其中" must follow the whole directly
                paren = sentence[of.start()] in "（("
                close = sentence.find("）", of.end()) if paren else -1
                stop = close if close > 0 else len(sentence)
                nxt = next((x for x in _OF_RE.finditer(sentence, of.end()) if sentence[x.start()] not in "（("), None)
                if nxt is not None and not paren:
                    stop = min(stop, nxt.start())
                nested = [(x.start(), sentence.find("）", x.start())) for x in re.finditer(r"[（(]", sentence[: stop])
                          if x.start() >= of.end()]
                # the parts are of the whole's kind: amounts of an amount, changes of a change (a part's
                # own change or prior-year figure, "财政拨款收入9,101.68万元，比2024年预算减少2,389.52万元", is not a part)
                parts = [n for n in nums if of.end() <= n.start < stop and (n.sign != 0) == (whole.sign != 0) and n.sign != 9
                         and not any(lo < n.start < hi for lo, hi in nested)]
                if len(parts) < 2:
                    continue
                _judged(ctx, sec, m.start(), sentence, whole, parts, out)
    return out


def _judged(ctx, sec, offset, sentence, whole, parts, out) -> None:
    finding = _judge(ctx, sec, offset, sentence, whole, parts)
    place = f"“{sentence[:40]}”"
    if finding is None:
        ctx.record("N-PARTS", place, LedgerStatus.passed)
    else:
        ctx.record_findings("N-PARTS", place, [finding])
        out.append(finding)


def _judge(ctx: CheckContext, sec, offset: int, sentence: str, whole: _Num, parts: list[_Num]) -> Optional[Finding]:
    money = whole.unit in _MONEY
    if any((p.unit in _MONEY) != money or (not money and p.unit != whole.unit) for p in parts):
        return None  # parts of another measure (a count next to an amount)
    if whole.sign and any(p.sign and p.sign != whole.sign for p in parts):
        return None  # offsetting changes: no sum identity
    vals = [(to_unit(p.value, p.unit, whole.unit) if money else p.value, p.decimals) for p in parts]
    total = sum((v for v, _ in vals), Decimal(0))
    if total == whole.value:
        return None
    agreement = compare_printed(whole.value, whole.decimals, sum_interval(vals))
    complete = _complete_split([p.label for p in parts])
    arith = " + ".join(f"{p.raw}" for p in parts) + f" = {fmt(total)}{whole.unit}；总数 {whole.raw}"
    if agreement is not Agreement.outside:
        if not complete and total < whole.value:
            return None
        return _finding(ctx, sec, offset, sentence, "N-PARTS-ROUND", Severity.hint, whole, parts, total, arith,
                        f"分项之和{fmt(total)}{whole.unit}与总数{whole.raw}在舍入误差内", agreement.value)
    if total > whole.value:
        sev = Severity.error if complete else Severity.warning
        code = "N-PARTS" if complete else "N-PARTS-EXCEED"
        return _finding(ctx, sec, offset, sentence, code, sev, whole, parts, total, arith,
                        f"“其中”所列分项之和{fmt(total)}{whole.unit}大于总数{whole.raw}", "outside")
    if complete:
        return _finding(ctx, sec, offset, sentence, "N-PARTS", Severity.error, whole, parts, total, arith,
                        f"总数{whole.raw}，其各组成部分之和为{fmt(total)}{whole.unit}，不相等", "outside")
    return None


def _finding(ctx, sec, offset, sentence, code, severity, whole: _Num, parts, total, arith, message, agreement) -> Finding:
    loc = Location(section_id=sec.id, offset=offset + whole.start, page=page_at(sec, offset + whole.start))
    ev = [Evidence(side="narrative", quote=sentence.strip(), value=whole.value, raw=whole.raw, unit=whole.unit, location=loc)]
    ev += [Evidence(side="narrative", quote=(p.label + p.raw)[-30:], value=p.value, raw=p.raw, unit=p.unit,
                    location=Location(section_id=sec.id, offset=offset + p.start, page=page_at(sec, offset + p.start)))
           for p in parts]
    return Finding(code=code, severity=severity, category=Category.narrative_vs_table, message=message, evidence=ev,
                   stated=whole.value, expected=total, difference=whole.value - total, unit=whole.unit,
                   arithmetic=arith, agreement=agreement)
