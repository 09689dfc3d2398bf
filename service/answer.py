"""The default answerer: deterministic, no LLM. Composes the answer from structured figures, shown
Decimal arithmetic and verbatim quotes of the evidence, so every number in it is traceable.

The answer comes first: what the semantic layer (service/semantic/) computes from the cells of the
standard tables — the figure asked for in 万元, a share, a change, a sum or a ranking, with the
arithmetic shown — then the reasons quoted for why-questions, then the passages it stands on.
It never states a figure it did not read or compute: when neither the figures nor the retrieved
text hold what was asked, it says "文件未说明…" and quotes what the document does say nearby.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable, Optional

from pydantic import BaseModel, Field

from indexing.numbers import find_numbers, parse_number, to_unit
from service.analyse import AMOUNT_METRICS, Analysis, find_metrics, synonyms
from service.evidence import Evidence, FigureFact, bigrams

NO_INFO = "文件未说明相关信息。"
_DECLINES = re.compile(r"文件未(?:说明|列出|披露|提供)|文件中没有相关信息")


def declines(text: str) -> bool:
    """The answer says the documents do not hold what was asked (the default answerer's and the model's
    words for it, prompts/answer.md)."""
    return bool(_DECLINES.search(text or ""))
CENT = Decimal("0.01")
RANKING_SHOWN = 10  # a ranking across departments lists this many, then says the rest are left out


class UsedFigure(BaseModel):
    label: str
    value: str  # as printed (Decimal kept as text)
    unit: Optional[str] = None
    evidence_id: str


class Draft(BaseModel):
    text: str
    cited: list[Evidence] = Field(default_factory=list)  # in citation order: [1] is cited[0]
    figures: list[UsedFigure] = Field(default_factory=list)
    arithmetic: list[str] = Field(default_factory=list)
    answerable: bool = True
    mode: str = "default"


class _Builder:
    def __init__(self):
        self.lines: list[str] = []
        self.cited: list[Evidence] = []
        self.figures: list[UsedFigure] = []
        self.arithmetic: list[str] = []

    def cite(self, ev: Evidence) -> str:
        for i, c in enumerate(self.cited):
            if c.id == ev.id:
                return f"[{i + 1}]"
        self.cited.append(ev)
        return f"[{len(self.cited)}]"

    def figure(self, f: FigureFact) -> str:
        self.figures.append(UsedFigure(label=f.label, value=f.raw.rstrip("万元亿%"), unit=f.unit, evidence_id=f.evidence.id))
        return f"{f.label}{_amount(f)}{self.cite(f.evidence)}"

    def quote(self, ev: Evidence, focus: tuple[str, ...] = (), size: int = 180) -> None:
        line = f"{self.cite(ev)} 「{window(ev.text, focus, size)}」"
        if line not in self.lines:
            self.lines.append(line)

    def draft(self, answerable: bool = True) -> Draft:
        return Draft(text="\n".join(self.lines).strip(), cited=self.cited, figures=self.figures,
                     arithmetic=self.arithmetic, answerable=answerable)


def window(text: str, focus: tuple[str, ...] = (), size: int = 180) -> str:
    """A verbatim excerpt: long items (tables flattened into one 'sentence') are cut to `size`
    characters around the first focus word, so quotes stay readable and still exact."""
    if len(text) <= size:
        return text
    at = min([i for i in (text.find(f) for f in focus if f) if i >= 0] or [0])
    start = max(0, min(at - size // 3, len(text) - size))
    end = start + size
    # never cut through a number: a cut "42.53" would read as 42
    while start > 0 and (text[start - 1].isdigit() or text[start - 1] in ".,") and text[start].isdigit():
        start -= 1
    while end < len(text) and text[end - 1].isdigit() and (text[end].isdigit() or text[end] in ".,%"):
        end += 1
    while end < len(text) and text[end - 1] in ".," and text[end].isdigit():
        end += 1
        while end < len(text) and text[end].isdigit():
            end += 1
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def _amount(f: FigureFact) -> str:
    raw = f.raw.strip()
    return raw if re.search(r"[元%个人辆]$", raw) else f"{raw}{f.unit or ''}"


def _pct(num: Decimal, den: Decimal) -> Decimal:
    return (num / den * 100).quantize(CENT, rounding=ROUND_HALF_UP)


def _num(f: FigureFact) -> str:
    return f.raw.rstrip("万元亿%").replace(",", "")


def declined(reason: str = "", what: str = "", nearby: list[Evidence] = (), terms: tuple = ()) -> Draft:
    """"文件未说明X。", then what the document does say nearby (the best passages, quoted)."""
    b = _Builder()
    b.lines.append((f"文件未说明{what}。" if what else NO_INFO) + (reason or ""))
    near = [ev for ev in nearby if not ev.suspicious][:2]
    if near:
        b.lines.append("文件中与此相关的内容：")
        for ev in near:
            b.quote(ev, terms)
    return b.draft(answerable=False)


# ---------------------------------------------------------------------------------------------


_PERSON_Q = re.compile(r"([\u4e00-\u9fff]{2})(?:人数|人员|在职人员)|多少人|几人")


def _unanswerable(a: Analysis, items: list[Evidence]) -> bool:
    """The question asks for something the retrieved text does not mention at all."""
    if not items:
        return True
    q = re.sub(r"\s+", "", a.question)
    m = _PERSON_Q.search(q)
    if m and not a.metrics:  # head-counts: the asked noun must stand next to a count of people
        nouns = [g for g in re.findall(r"([\u4e00-\u9fff]{2})(?:人数|人员|在职人员)", q) if g not in ("多少", "实有")] or ["人"]
        for it in items:
            if any(nn in it.text for nn in nouns) and any(n.unit in ("人", "名") for n in find_numbers(it.text)):
                return False
        return True
    return False


def _top_quotes(items: list[Evidence], n: int, need_number: bool = True) -> list[Evidence]:
    ok = [it for it in items if not it.suspicious and (not need_number or any(
        n.unit in ("万元", "元", "亿元", "%") or n.decimals > 0 for n in find_numbers(it.text)))]
    if not ok:
        return []
    best = ok[0].score
    return [it for it in ok if it.score >= best * 0.45][:n]


def _metric_figures(metric: str, figures: Callable, filters: dict) -> list[FigureFact]:
    facts = figures(synonyms(metric), filters) if metric in AMOUNT_METRICS else []
    for f in facts:
        f.label = metric
    # narrative sentences first (the "情况说明" states the headline figure), then table rows
    return sorted(facts, key=lambda f: f.evidence.kind != "sentence")


def _distinct(facts: list[FigureFact], n: int = 2) -> list[FigureFact]:
    """The first figure, and a different one when the documents state another (narrative vs table)."""
    out: list[FigureFact] = []
    for f in facts:
        if all(f.value != o.value for o in out):
            out.append(f)
    return out[:n]


def _label_figure(label: str, items: list[Evidence]) -> Optional[FigureFact]:
    """A figure for a free label (a project, a 科目) among the retrieved items."""
    for it in items:
        i = it.text.find(label)
        if i < 0 or it.suspicious:
            continue
        for n in find_numbers(it.text[i + len(label):]):
            if n.decimals == 0 and len(n.raw) >= 7:  # a code, not an amount
                continue
            if it.kind == "sentence" and n.unit not in ("万元", "元", "亿元"):
                break
            return FigureFact(label=label, value=n.value, raw=n.raw, decimals=n.decimals,
                              unit=n.unit or it.unit, evidence=it)
    return None


def answer_default(a: Analysis, items: list[Evidence], figures: Callable, filters: dict,
                   rows_lookup: Optional[Callable] = None) -> Draft:
    """`figures(labels, filters)` gives stated figures; `rows_lookup(doc_id, table_id)` (optional)
    gives every row of a table, for list questions. When `figures` is a provider's bound method
    (service/evidence.InMemoryEvidence.figures), the semantic layer answers on its documents."""
    from service.semantic.answering import semantic_answer
    from service.semantic.bridge import provider_of

    items = [it for it in items if not it.suspicious]
    provider = provider_of(figures)
    b = _Builder()
    sem = semantic_answer(a, provider, filters, b, figures) if provider is not None else None
    entity = _ENTITY.search(a.text or a.question)
    if entity and a.qtype != "across":  # who, which company, what contract: the templates never say
        near = b.draft().text
        out = declined(what=_clause(a.text or a.question, entity.start()), nearby=b.cited[:2] or items[:2],
                       terms=tuple(a.terms))
        if near:
            out.text = out.text.split("\n")[0] + "\n文件中与此相关的内容：\n" + near
            out.cited = b.cited
            out.figures, out.arithmetic = b.figures, b.arithmetic
        return out
    if a.qtype == "across":
        if sem is not None and sem.answered:
            return b.draft()
        return _across(a, figures) if provider is None else declined(what=_asked(a, sem))
    if sem is not None and not sem.answered and sem.missing and (sem.definite or (
            a.qtype in ("lookup", "compute", "compare") and not any(_metric_figures(m, figures, filters) for m in a.metrics))):
        return declined(what=_asked(a, sem), nearby=_top_quotes(items, 2, need_number=False), terms=tuple(a.terms))
    answered = sem is not None and sem.answered
    if not answered and a.qtype == "lookup" and not a.metrics and (sem is None or sem.missing) and not (
            a.subject and _subject_figure(a.subject, items)):
        return declined(what=_asked(a, sem), nearby=items[:2], terms=tuple(a.terms))
    if not answered and _unanswerable(a, items):
        return declined(what=_asked(a, sem), nearby=items[:2], terms=tuple(a.terms))
    if not answered:
        head = _heading(items)
        if head:
            b.lines.append(head)
    primary = {m: _distinct(_metric_figures(m, figures, filters)) for m in a.metrics}
    handler = {"why": _why, "compute": _compute, "compare": _compare, "list": _list, "yes_no": _yes_no}.get(a.qtype)
    if answered and handler in (_compute, _compare, _list, _yes_no):
        handler = None  # the semantic layer computed the share or the change from the cells
    if handler is _list:
        before = len(b.lines)
        _list(a, b, items, primary, figures, filters, rows_lookup)
        if len(b.lines) == before and not answered and not primary_facts(primary):
            return declined(what=_clause(a.text or a.question, 0), nearby=_top_quotes(items, 2, need_number=False),
                            terms=tuple(a.terms))
    elif handler:
        handler(a, b, items, primary, figures, filters)
    if a.qtype == "lookup" and a.subject and not answered:
        f = _subject_figure(a.subject, items)
        if f:
            b.lines.append(f"{b.figure(f)}。")
    facts = [f for fs in primary.values() for f in fs]
    if facts and not answered and a.qtype in ("lookup", "compare", "yes_no", "list", "why"):
        parts = []
        for fs in primary.values():
            for i, f in enumerate(fs):  # a second, different figure: say where it stands
                parts.append(b.figure(f) if i == 0 else
                             f"（{f.evidence.table or f.evidence.section or '文件另一处'}中为{_amount(f)}{b.cite(f.evidence)}）")
        b.lines.append("；".join(parts).replace("；（", "（") + "。")
    quotes = _top_quotes(items, 3 if a.qtype != "lookup" else 4)
    if not quotes and not facts and not answered and len(b.lines) <= 1:
        return declined(what=_asked(a, sem), nearby=items[:2], terms=tuple(a.terms))
    # The sentences the figures were taken from come first: a reader sees each stated figure in its
    # own words (with what the sentence adds: "占6.51%"), then the best other passages.
    stated = list(b.cited) if answered else [ev for ev in b.cited if ev.kind == "sentence"]
    if answered:  # beyond the cited cells, only passages about what was asked
        words = [w for w in a.terms + [a.subject or ""] + [f.label for f in b.figures if len(f.label) >= 3] if w]
        quotes = [q for q in quotes if any(w in q.text for w in words)]
    quotes = stated + [q for q in quotes if q.id not in {ev.id for ev in stated}]
    if quotes:
        b.lines.append("依据（文件原文）：")
        for ev in quotes:
            b.quote(ev, tuple(a.terms))
    return b.draft()


# The asked slot is a person, a company or a contract: budget disclosures never name them.
_ENTITY = re.compile(r"谁|哪家|哪位|中标|承接|合同|供应商|委托给|哪些?(?:公司|企业|中介机构)")


def _clause(q: str, at: int) -> str:
    """The clause of the question around position `at`, without its question mark."""
    parts = re.split(r"[，,？?。；;]", q)
    pos = 0
    for part in parts:
        if pos <= at <= pos + len(part):
            return part
        pos += len(part) + 1
    return q.rstrip("？?")


def primary_facts(primary: dict) -> list:
    return [f for fs in primary.values() for f in fs]


def _asked(a: Analysis, sem) -> str:
    """What the question asks for, for "文件未说明…": the targets no document states, else the
    question's own first clause without its question words."""
    names = list(dict.fromkeys(sem.missing if sem is not None else []))
    if names:
        return "、".join(names)
    return re.sub(r"(?:是|有|为)?(?:多少钱?|几|哪些)?[吗呢]?$", "", _clause(a.text or a.question, 0))


def _subject_figure(subject: str, items: list[Evidence]) -> Optional[FigureFact]:
    """A project's budget: the 预算数 row of the table named after it, else 'subject…N万元' in text."""
    for it in items:
        if it.kind == "row" and subject in (it.table or "") and "预算数" in it.text:
            tail = it.text[it.text.find("预算数") + 3:]
            cell = next((parse_number(c) for c in tail.split("｜") if c and parse_number(c) is not None), None)
            if cell is not None and cell.value is not None:
                return FigureFact(label=f"{subject}预算数", value=cell.value, raw=cell.raw.strip(),
                                  decimals=cell.decimals, unit=it.unit, evidence=it)
    return _label_figure(subject, items)


def _heading(items: list[Evidence]) -> str:
    docs = {(it.department, it.year) for it in items[:5] if it.department}
    if len(docs) == 1:
        dept, year = next(iter(docs))
        return f"根据《{dept}{year or ''}年预算公开文件》：" if year else f"根据《{dept}》公开文件："
    return ""


_REASON_RE = re.compile(r"原因|主要为|主要是|由于|因为")
# a sentence the templates open with the reason itself ("主要原因：单位于2024年成立。", "…的主要原因是：…")
_STATED_REASON = re.compile(r"^[^。]{0,20}原因(?:是|为)?[:：]")


def _why(a, b, items, primary, figures, filters):
    from service.analyse import RELATED

    def is_reason(it):
        return it.kind == "sentence" and not it.suspicious and (_STATED_REASON.search(it.text) or (
            _REASON_RE.search(it.text) and re.search(r"增|减|上升|下降|持平|一致|为零|为0|变化", it.text)))

    reasons = [it for it in items if is_reason(it)]
    if not reasons:  # retrieval missed them: the reasons the documents in scope state
        from service.semantic.bridge import documents_in_scope, provider_of

        provider = provider_of(figures)
        docs = documents_in_scope(provider, filters)[:4] if provider is not None else []
        grams = set(bigrams(a.text or a.question))
        found = [it for d in docs for it in provider.doc_items(d.id) if is_reason(it)]
        reasons = sorted(found, key=lambda it: -len(grams & set(bigrams(it.text))))[:3]
    words = [t for m in a.metrics for t in synonyms(m) + RELATED.get(m, [])]
    if words:  # reasons about the asked metric (or its parts) first
        reasons.sort(key=lambda it: not any(w in it.text for w in words))
    if not reasons:
        b.lines.append("文件没有说明原因。")
        return
    b.lines.append("文件说明的原因：")
    for ev in _with_continuations(reasons[:3], figures)[:4]:
        b.quote(ev, ("原因", "主要为") + tuple(a.terms), size=400)


def _with_continuations(reasons: list[Evidence], figures: Callable) -> list[Evidence]:
    """A reason that lists its parts ("其中：基本支出增加…，主要为…。") often goes on in the next sentence
    of its paragraph ("项目支出增加…，主要为…。"): that sentence is part of the reason; a sentence that
    only states the reason ("主要原因：…") is read with the sentence before it, the change it explains."""
    from service.semantic.bridge import provider_of

    provider = provider_of(figures)
    out: list[Evidence] = []
    for ev in reasons:
        head, _, n = ev.id.rpartition(":")
        if provider is None or ev.kind != "sentence" or not n.isdigit():
            out.append(ev)
            continue
        items = {it.id: it for it in provider.doc_items(ev.doc_id) if it.id.startswith(head + ":")}
        prev = items.get(f"{head}:{int(n) - 1}")
        if prev is not None and _STATED_REASON.search(ev.text):  # the change the reason explains
            out.append(prev)
        out.append(ev)
        nxt = items.get(f"{head}:{int(n) + 1}")
        if "其中" in ev.text and nxt is not None and _REASON_RE.search(nxt.text) and re.search(r"增|减", nxt.text):
            out.append(nxt)
    return list({e.id: e for e in out}.values())


_CHANGE_RE = re.compile(r"(增加|减少|上升|下降|增长)\s*(\d[\d,]*(?:\.\d+)?)\s*万元")


def _compare(a, b, items, primary, figures, filters):
    changes = [it for it in items if it.kind == "sentence" and re.search(r"较|比|与.{0,6}相比", it.text)
               and re.search(r"增加|减少|上升|下降|增长|持平|一致", it.text)]
    for ev in changes[:2]:
        b.quote(ev)
        m = _CHANGE_RE.search(ev.text)
        money = [n for n in find_numbers(ev.text) if n.unit == "万元"]
        if m and money and "%" not in ev.text and money[0].start < m.start():
            cur, delta = money[0].value, Decimal(m.group(2).replace(",", ""))
            prior = cur - delta if m.group(1) in ("增加", "上升", "增长") else cur + delta
            if prior > 0:
                s1 = f"{money[0].raw.rstrip('万元')} {'−' if prior < cur else '+'} {m.group(2)} = {prior}万元"
                s2 = f"{m.group(2)} ÷ {prior} × 100% = {_pct(delta, prior)}%"
                b.arithmetic += [s1, s2]
                b.lines.append(f"推算上年：{s1}；变动幅度：{s2}（计算值，文件未直接给出）。")


def _compute(a, b, items, primary, figures, filters):
    whole_metric, parts = None, []
    if a.share_of:
        part_label, whole_label = a.share_of
        wm = find_metrics(whole_label)
        whole_metric = wm[0][1] if wm else ("支出总计" if re.search(r"支出|预算", whole_label) else None)
        pm = find_metrics(part_label)
        parts = [m for _, m, _ in pm if m != whole_metric] or [part_label]
    elif a.metrics:
        whole_metric, parts = "支出总计", [m for m in a.metrics if m != "支出总计"]
    if not parts or not whole_metric:
        return
    whole = _metric_figures(whole_metric, figures, filters)[:1]
    if not whole or whole[0].value == 0:
        return
    w = whole[0]
    for p in parts:
        pf = (_metric_figures(p, figures, filters)[:1] or [None])[0] if p in AMOUNT_METRICS else _label_figure(p, items)
        if pf is None:
            continue
        expr = f"{_num(pf)} ÷ {_num(w)} × 100% = {_pct(pf.value, w.value)}%"
        b.arithmetic.append(expr)
        b.lines.append(f"{b.figure(pf)}，占{b.figure(w)}的比例：{expr}。")


_PROJECT_KIND = re.compile(r"特定目标类|其他运转类|运转类|人员类|专项业务类")


def _list(a, b, items, primary, figures, filters, rows_lookup=None):
    """A whole project table: its rows (continued over page breaks), and their sum shown."""
    rows = [it for it in items if it.kind == "row" and ((it.table and "项目" in it.table) or _PROJECT_KIND.search(it.text))]
    if not rows:
        return
    table_rows = rows_lookup(rows[0].doc_id, rows[0].table_id) if rows_lookup else rows
    projects = [r for r in table_rows if _PROJECT_KIND.search(r.text)] or \
        [r for r in table_rows if any(n.decimals > 0 for n in find_numbers(r.text))]
    if not projects:
        return
    b.lines.append(f"{projects[0].table}：")
    amounts = []
    for r in projects[:40]:
        body = r.text.split("｜", 1)[-1]
        b.lines.append(f"- {b.cite(r)} {body}")
        cells = [parse_number(c) for c in body.split("｜")]
        nums = [c for c in cells if c is not None and c.value is not None and c.decimals > 0]
        if nums:
            amounts.append(nums[0])
    if len(amounts) >= 2:
        total = sum((n.value for n in amounts), Decimal(0))
        expr = " + ".join(n.raw.strip() for n in amounts) + f" = {total}"
        b.arithmetic.append(expr)
        b.lines.append(f"合计：{expr}。")


def _yes_no(a, b, items, primary, figures, filters):
    q = a.question
    for m in a.metrics:
        facts = _metric_figures(m, figures, filters)
        if not facts:
            continue
        if re.search(r"一致|等于|相符|相同", q):
            vals = {}
            for f in facts:
                vals.setdefault(f.value, f)
            if len(vals) >= 2:
                (v1, f1), (v2, f2) = list(vals.items())[:2]
                hi, lo = (f1, f2) if v1 >= v2 else (f2, f1)
                expr = f"{_num(hi)} − {_num(lo)} = {hi.value - lo.value}"
                b.arithmetic.append(expr)
                b.lines.append(f"不一致：{b.figure(f1)}，{b.figure(f2)}，相差 {expr}{hi.unit or ''}。")
            else:
                b.lines.append(f"一致：{b.figure(facts[0])}。")
            primary[m] = []
            return
        f = facts[0]
        b.lines.append(("没有" if f.value == 0 else "有") + f"：{b.figure(f)}。")
        primary[m] = []


def _in_wan(f: FigureFact) -> Decimal:
    return to_unit(f.value, f.unit or "万元", "万元")


def _amount_in_wan(f: FigureFact) -> str:
    """The amount in 万元, so a ranking reads in one unit; a 元 figure also shows as printed."""
    if (f.unit or "万元") == "万元":
        return _amount(f)
    wan = _in_wan(f)
    shown = wan.quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{'' if shown == wan else '约'}{shown:,}万元（表中{_amount(f)}）"


def _across(a: Analysis, figures: Callable) -> Draft:
    if not a.metrics:
        return declined()
    metric = a.metrics[0]
    # A ranking compares departments on their tables, the standard table's cell first (the narrative
    # may misstate a figure: the checker reports that), in one unit: tables may be in 元 in one
    # document and 万元 in another.
    facts = sorted(_metric_figures(metric, figures, {}), key=lambda f: (not f.headline, f.evidence.kind != "row"))
    # One entry per department and year: the same disclosure uploaded as PDF and as text is two
    # documents but one department.
    per_dept: dict[tuple, FigureFact] = {}
    for f in facts:
        per_dept.setdefault((f.evidence.department or f.evidence.doc_id, f.evidence.year), f)
    if not per_dept:
        return declined()
    b = _Builder()
    ranked = sorted(per_dept.values(), key=_in_wan, reverse=not re.search(r"最少|最低", a.question))
    b.lines.append(f"按{metric}从{'低到高' if re.search(r'最少|最低', a.question) else '高到低'}排序：")
    for i, f in enumerate(ranked[:RANKING_SHOWN], 1):
        b.lines.append(f"{i}. {f.evidence.department or f.evidence.source}：{_amount_in_wan(f)}{b.cite(f.evidence)}")
        b.figures.append(UsedFigure(label=metric, value=_num(f), unit=f.unit, evidence_id=f.evidence.id))
    top = [f for f in ranked if _in_wan(f) == _in_wan(ranked[0])]
    if len(top) > 1:
        b.lines.append(f"并列第一：{'、'.join(f.evidence.department or f.evidence.source for f in top[:RANKING_SHOWN])}"
                       f"{'等' if len(top) > RANKING_SHOWN else ''}。")
    if len(ranked) > RANKING_SHOWN:
        # no count here: the grounding guard drops a sentence holding a number no document prints
        b.lines.append("（以上只列出排在最前的部门，其余部门从略。）")
    return b.draft()
