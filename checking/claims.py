"""Claims: the figures a narrative states, each with what it is about and where it stands.

A claim is one number in a sentence of a narrative section, typed by the words around it
(amount, share, change, prior-year amount, count, per-unit × quantity). Extraction is rule
based and cheap (< 1 ms per section); sentences it cannot type are handed to `unparsed_hook`,
the place where an LLM-assisted extractor will plug in later (prompts/claim_extraction.md).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Callable, Optional

from pydantic import BaseModel, ConfigDict, Field

from indexing.model import Document, Location, Section
from indexing.numbers import find_numbers, is_money_unit
from indexing.read.sections import page_at

KINDS = ("amount", "share_pct", "change_amount", "change_pct", "prior_year_amount", "count", "per_unit", "completion_pct")

_UP = ("增加", "增长", "上升", "提高", "增")
_DOWN = ("减少", "下降", "降低", "减")
_FLAT = ("持平", "无变化", "不变", "一致", "相同")
_DIRECTION_RE = re.compile(r"(增加|增长|上升|提高|减少|下降|降低|持平|无变化|不变|大于|小于|等于)")
_YEAR_CMP_RE = re.compile(r"(?:比|较|与|同|相比|对比)(?:上年|\s*)(\d{4})\s*年")
_PRIOR_RE = re.compile(r"(\d{4})\s*年(?:度)?(?:当年)?(?:年初|初)?(?:预算)?(?:执行数|预算数|决算数|预算)?(?:为|是)?$|(?:上年|去年|上一年)(?:预算|执行数|决算)?(?:数)?(?:为)?$")
# "比2024年预算2052.78万元增加…", "与2023年预算相比1808.78万元减少…": the amount right after the
# compared year is that year's figure, whatever year is written (a wrong year is N-YEAR's business).
# "比上年预算数", "较2024年决算数", "比2025年预算收入执行数" (a label between the year and 执行数)
_CMP_PRIOR_RE = re.compile(r"(?:比|较|与|同|对比)(?:上年|上一年|\d{4}年)(?:度)?(?:年初|初)?(?:[^，。；比较]{0,6}?(?:预算|执行数|预算数|决算数|决算))?(?:数)?(?:相比|相比较|对比|比较)?(?:为|是)?$")
# a full stop inside brackets ("…减少2.56万元。）比上年增加…") does not end the sentence
_SENT_RE = re.compile(r"(?:[^。！？!?\n]|[。！？!?](?=[）)]))+[。！？!?]?")
_CUT = "，,；;：:、。（）“”\"《》【】 "
# Words that are not part of a metric label.
_NOISE_RE = re.compile(
    r"^(?:其中|主要用于|主要包括|包括|分别为|分别是|具体是|我部门|本部门|我单位|本单位|我局|本局|部门|单位|全年|年初|当年|本年|"
    r"预算数|预算安排|预算|安排|共计|总计为|合计为|为|是|有|达|约|的|及|和|与|等)+"
)
_TAIL_NOISE_RE = re.compile(r"(?:科目|年初预算|预算安排|预算数|(?<=[出入费])预算|安排|共计|总额为|为|是|达|约|了|的|数)+$")
_COMPARE_SPLIT_RE = re.compile(r"较|比|与上年|相比|同比|对比")
_THRESHOLD_RE = re.compile(r"^\s*(?:（含）|\(含\))?\s*(?:及|以上|以下|（含）以上)")
_BASIS_RE = re.compile(r"(年初预算|全年预算|调整预算|支出决算|决算数|决算|执行数)")


class Claim(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    metric: str  # label as written near the figure, cleaned ("基本支出")
    context: str = ""  # sentence text before the figure (for alignment by registry patterns)
    kind: str  # one of KINDS
    value: Decimal
    decimals: int = 0
    raw: str = ""
    unit: Optional[str] = None
    direction: Optional[int] = None  # +1 / -1 / 0 from 增加/减少/持平 words
    direction_word: Optional[str] = None
    compared_year: Optional[int] = None
    codes: list[str] = Field(default_factory=list)  # 类/款/项 codes named in the sentence ("204类 06款 01项")
    item_path: list[str] = Field(default_factory=list)  # 类/款/项 names ("住房保障支出（类）住房改革支出（款）…")
    quote: str = ""  # the sentence
    location: Location = Field(default_factory=Location)
    sentence: int = 0  # sentence index within the document (claims of one sentence share it)
    current_id: Optional[str] = None  # change/share claims: the amount claim they refer to
    change_id: Optional[str] = None  # change_pct: the change_amount claim just before it
    base_id: Optional[str] = None  # share_pct: the total the share is of
    prior_id: Optional[str] = None  # change claims: a stated prior-year amount
    quantity: Optional[Decimal] = None  # per_unit: the quantity multiplied
    basis: Optional[str] = None  # 年初预算 / 全年预算 / 决算 / 执行数: which figure of a 决算 line
    source: str = "rule"  # "rule", or "llm" for claims of the optional LLM hook (checking/llm_claims.py)


UnparsedHook = Callable[[Section, str, int], list[Claim]]


def _no_hook(section: Section, sentence: str, offset: int) -> list[Claim]:
    return []


# Sentences no rule could type go here. A hook may also batch: return [] for each call and give a
# `flush()` returning one claim list per call, in call order (checking/llm_claims.LLMClaimHook).
unparsed_hook: UnparsedHook = _no_hook


def clean_metric(prefix: str, department: Optional[str] = None) -> str:
    """Text just before a figure → its label: cut at the last punctuation, drop years, the
    department's name and template words ("其中：基本支出" → "基本支出")."""
    s = prefix.replace("“三公”", "三公").replace('"三公"', "三公").replace("（境）", "(境)")
    if department:
        s = s.replace(department, "")
    s = re.sub(r"\d{4}\s*年度?", "", s)
    s = re.sub(r"\d+(?:\.\d+)?(?:万元|元|%|个)", "", s)
    s = re.sub(r"[（(]\d*[类款项][)）]", "", s)
    paren = re.search(r"([^，,；;：:、。“”\"《》【】\s（）()]{2,}[（(][^，,；;：:、。（）()“”\"]{1,12}[)）])$", s)
    if paren and not _DIRECTION_RE.search(paren.group(1)) and not _COMPARE_SPLIT_RE.search(paren.group(1)):
        # a name with its parenthetical ("婚姻登记服务提升（5期）"): the parenthesis is part of the name
        part = _TAIL_NOISE_RE.sub("", _NOISE_RE.sub("", paren.group(1)))
        if part and not part.startswith(("（", "(")):
            return part
    cut = max(s.rfind(c) for c in _CUT)
    part = s[cut + 1 :] if cut >= 0 else s
    part = _DIRECTION_RE.split(part)[0] if _DIRECTION_RE.search(part) else part
    part = _COMPARE_SPLIT_RE.split(part)[0]
    part = _NOISE_RE.sub("", part)
    part = _TAIL_NOISE_RE.sub("", part)
    before = s[:cut].rstrip(_CUT) if cut >= 0 else ""
    if not part and cut >= 0 and s[cut] in "”\"）" and before:  # "“行政运行（项）”2026年预算安排": one segment back
        return clean_metric(before, None)
    return part


def _codes(sentence: str) -> list[str]:
    """'（204类）…（06款）…（01项）' → ['204', '20406', '2040601']."""
    lei = re.search(r"[（(](\d{3})类[)）]", sentence)
    if not lei:
        return []
    out = [lei.group(1)]
    kuan = re.search(r"[（(](\d{2})款[)）]", sentence)
    if kuan:
        out.append(out[0] + kuan.group(1))
        xiang = re.search(r"[（(](\d{2})项[)）]", sentence)
        if xiang:
            out.append(out[1] + xiang.group(1))
    return out


_ITEM_RE = re.compile(r"([^\s，。；：、“”\"（）()\d]{2,30}?)[（(]\d*([类款项])[)）]")


def _item_path(sentence: str) -> list[str]:
    """'住房保障支出（类）住房改革支出（款）住房公积金（项）' → the three names."""
    hits = _ITEM_RE.findall(sentence)
    if sum(1 for _, lvl in hits if lvl == "类") > 1:
        return []  # several 类 in one sentence ("社会保障和就业（类）…住房保障（类）…"): no single item
    found = {lvl: name for name, lvl in hits}
    return [found[k] for k in ("类", "款", "项") if k in found] if "类" in found else []


def _direction(text: str) -> tuple[Optional[int], Optional[str]]:
    found = None
    for m in _DIRECTION_RE.finditer(text):
        found = m.group(1)
    if found is None:
        # single-character 增/减 only right before the number ("增8.24万元")
        m = re.search(r"([增减])$", text)
        found = m.group(1) if m else None
    if found is None:
        return None, None
    if found in _FLAT or found == "等于":
        return 0, found
    if found in _UP or found == "大于":
        return 1, found
    return -1, found


def extract_claims(doc: Document, hook: Optional[UnparsedHook] = None) -> list[Claim]:
    hook = hook or unparsed_hook
    claims: list[Claim] = []
    hooked: list[int] = []  # sentence number of each hook call, for a batching hook's flush()
    sentence_no = 0
    dept = doc.meta.department
    for section in doc.sections:
        text = section.text
        last_amount: Optional[Claim] = None  # carries across sentences for "占Y%" without a base
        head: Optional[Claim] = None  # the total that shares in this paragraph are of
        carry: list[str] = []  # 类/款/项 codes of the numbered item the sentence belongs to
        carry_path: list[str] = []
        section_amounts: list[Claim] = []
        for sm in _SENT_RE.finditer(text):
            sentence, s0 = sm.group(0), sm.start()
            sentence_no += 1
            numbers = [n for n in find_numbers(sentence) if n.unit is not None]
            compared = _YEAR_CMP_RE.search(sentence)
            codes, path = _codes(sentence), _item_path(sentence)
            if codes or path:
                carry, carry_path = codes, path
            elif re.match(r"\s*(?:\d+[、.]|[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、)", sentence):
                carry, carry_path = [], []
            codes, path = codes or carry, path or carry_path
            if not numbers:
                continue
            in_sentence: list[Claim] = []
            bracketed: set[str] = set()  # ids of this sentence's claims inside brackets
            prev_end = 0
            typed = 0
            for n in numbers:
                # a "；" closes a clause: a direction word before it ("…经费减少；公务接待费22.21万元")
                # is another clause's, not this figure's
                prefix_local = re.split(r"[；;]", sentence[prev_end : n.start])[-1]
                context = sentence[: n.start]
                prev_end = n.end
                # the direction word of a change stands in the figure's own clause ("…增加较多，主要原因…，
                # 比2025年执行数483,923.17万元增加11,913.03万元": the first amount is no change)
                kind = _kind(n.unit, re.split(r"[，,]", prefix_local)[-1], context, doc.meta.year)
                if kind is None or _THRESHOLD_RE.match(sentence[n.end : n.end + 8]):
                    continue
                typed += 1
                direction, word = _direction(prefix_local) if kind in ("change_amount", "change_pct") else (None, None)
                metric = clean_metric(context, dept)
                bm = _BASIS_RE.findall(prefix_local)
                basis = bm[-1] if bm else None
                if basis and basis.startswith("支出决算"):
                    basis = "决算"
                if basis == "决算" and metric in ("支出决算", "决算", "决算数", "支出"):
                    metric = ""
                if not metric and basis and in_sentence:
                    metric = in_sentence[0].metric  # "…支出年初预算为0万元，全年预算为321.02万元，支出决算为307.82万元"
                if kind == "amount" and metric in ("购置费", "运行费", "运行维护费", "运维费", "车辆购置费", "车辆运行维护费") and re.search(r"公务用?车", context):
                    metric = "公务用车" + metric.replace("车辆", "")  # "公务用车购置及运行费X万元（购置费Y万元，运行维护费Z万元）"
                if kind == "amount" and metric in ("支出总额", "总额", "资金", "金额", "涉及资金", "涉及金额", "资金总额", "涉及资金总额") and in_sentence and in_sentence[-1].kind == "count" and "项目" in in_sentence[-1].metric and "以上" not in in_sentence[-1].metric:
                    metric = "项目支出"  # "支出项目共4个，支出总额707.98万元"
                if kind == "amount" and metric in ("支出", "收入", "收支") and not any(x.kind == "amount" for x in in_sentence):
                    metric += "总计"  # the sentence's subject: "2025年支出预算4981.72万元，其中…"
                if kind in ("share_pct", "change_pct", "completion_pct") and (not metric or metric in ("占", "比")):
                    metric = in_sentence[-1].metric if in_sentence else (last_amount.metric if last_amount else "")
                c = number_claim(
                    f"k{len(claims) + 1}", n, sentence, section, s0,
                    metric=metric,
                    context=context,
                    kind=kind,
                    direction=direction,
                    direction_word=word,
                    compared_year=int(compared.group(1)) if compared and kind.startswith("change") else None,
                    codes=codes,
                    item_path=path,
                    basis=basis if kind in ("amount", "completion_pct") else None,
                    sentence=sentence_no,
                )
                # a figure after a bracket refers to what stood before it, not to the amounts
                # inside it ("…维护费346.67万元（购置费36万元…；运行维护费310.67万元…）比上年增加33.44万元")
                depth = len(re.findall(r"[（(]", context)) - len(re.findall(r"[）)]", context))
                visible = in_sentence if depth > 0 else [x for x in in_sentence if x.id not in bracketed]
                _link(c, visible, last_amount, head, section_amounts)
                if depth > 0:
                    bracketed.add(c.id)
                if kind == "amount":
                    last_amount = c
                    section_amounts.append(c)
                    if re.search(r"合计|总计|总额|年初预算为|收入预算$|支出预算$", prefix_local) or re.match(r"[，,。：:；]?(?:其中|主要用于以下|具体|[：:])", sentence[n.end : n.end + 8]) or (n.end == len(sentence.rstrip()) and sentence.rstrip().endswith(("：", ":"))):
                        head = c
                in_sentence.append(c)
                claims.append(c)
            if typed == 0:
                hooked.append(sentence_no)
                claims.extend(_adopt(hook(section, sentence, s0), sentence_no))
    flush = getattr(hook, "flush", None)
    if callable(flush):
        late = [c for no, got in zip(hooked, flush()) for c in _adopt(got, no)]
        if late:  # in document order: rules read claims by sentence number and offset
            claims = sorted(claims + late, key=lambda c: c.sentence)
    return claims


def number_claim(claim_id: str, n, text: str, section: Section, offset: int, **fields) -> Claim:
    """The claim of printed number `n` of the sentence `text` (which starts at `offset` in `section`):
    its value (a change's sign is in `direction`), printed form, unit, quote and place. Both extractors
    (rules here, the optional LLM in llm_claims.py) build claims through this."""
    off = offset + n.start
    return Claim(id=claim_id, value=abs(n.value), decimals=n.decimals, raw=n.raw, unit=n.unit, quote=text.strip(),
                 location=Location(section_id=section.id, offset=off, page=page_at(section, off)), **fields)


def _adopt(got: list[Claim], sentence_no: int) -> list[Claim]:
    """A hook's claims carry the sentence number of the sentence they came from."""
    for c in got:
        c.sentence = sentence_no
    return got


def _kind(unit: str, prefix: str, context: str, year: Optional[int]) -> Optional[str]:
    if unit in ("%", "个百分点"):
        if "占" in prefix:
            return "share_pct"
        if "完成" in prefix or "执行率" in prefix:
            return "completion_pct"
        if _DIRECTION_RE.search(prefix) or re.search(r"[增减]$", prefix):
            return "change_pct"
        return None
    if is_money_unit(unit):
        if re.search(r"(?:每人|人均|每户|每次|每个|每辆|标准)[^，。；]{0,4}$", prefix):
            return "per_unit"
        if _DIRECTION_RE.search(prefix) and not re.search(r"(持平|无变化|不变|一致)", prefix[-8:] if False else ""):
            d = _DIRECTION_RE.findall(prefix)[-1]
            if d in _FLAT:  # "与2024年持平，公务接待费0万元": the amount after 持平 is not a change
                return "amount"
            return "change_amount"
        if re.search(r"[增减]$", prefix):
            return "change_amount"
        tail = re.sub(r"[，,：:\s]", "", context[-20:])
        if _CMP_PRIOR_RE.search(tail):
            return "prior_year_amount"
        m = _PRIOR_RE.search(re.sub(r"[，,：:\s]", "", context[-16:]))
        if m and (m.group(1) is None or (year is not None and int(m.group(1)) < year)):
            return "prior_year_amount"
        return "amount"
    if unit in ("个", "项") and re.search(r"项目", context[-12:]):
        return "count"
    if unit in ("个", "家") and re.search(r"单位共?$", context[-6:]):
        return "count"  # "纳入…编制范围的单位共2个"
    return None


def _link(c: Claim, in_sentence: list[Claim], last_amount: Optional[Claim], head: Optional[Claim], section_amounts: list[Claim]) -> None:
    """Tie shares to their total and changes to the amount they change."""
    amounts = [x for x in in_sentence if x.kind == "amount"]
    if c.kind == "share_pct":
        cur = in_sentence[-1] if in_sentence and in_sentence[-1].kind == "amount" else last_amount
        c.current_id = cur.id if cur else None
        base = head if head is not None and cur is not None and head.id != cur.id else None
        if base is None:
            base = next((a for a in amounts if cur and a.id != cur.id), None)
        c.base_id = base.id if base else None
    elif c.kind in ("change_amount", "change_pct", "completion_pct"):
        if c.kind == "change_pct" and in_sentence and in_sentence[-1].kind == "change_amount":
            c.change_id = in_sentence[-1].id
            c.current_id = in_sentence[-1].current_id
            c.prior_id = in_sentence[-1].prior_id
            return
        # the amount that changed: same sentence by label, else earlier in the section by label;
        # an unlabelled change ("较2024年减少2万元") refers to the amount just before it
        cur = _match_current(c, amounts) or _match_current(c, section_amounts[::-1])
        if cur is None and (not c.metric or not section_amounts):
            cur = amounts[-1] if amounts else last_amount
        elif cur is None and amounts and c.sentence == amounts[-1].sentence and len(amounts) == 1:
            cur = amounts[0]
        c.current_id = cur.id if cur else None
        prior = next((x for x in reversed(in_sentence) if x.kind == "prior_year_amount"), None)
        c.prior_id = prior.id if prior else None


def _match_current(c: Claim, amounts: list[Claim]) -> Optional[Claim]:
    if not c.metric:
        return None
    best, best_len = None, 1
    for a in amounts:
        n = _common(a.metric, c.metric)
        if n > best_len or (n == best_len and best is not None):
            best, best_len = a, n
    return best


def _common(a: str, b: str) -> int:
    """Length of the longest common substring (labels are short)."""
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            if a[i:j] in b:
                best = j - i
            else:
                break
    return best
