"""The passage handlers of the default answerer: what it says from retrieved sentences and rows where
the semantic layer (service/semantic/) does not answer — reasons quoted for why-questions, changes
the narrative states, shares of stated figures, a project table's rows, yes/no on a stated figure,
and a ranking when no documents are at hand — and the stated-figure lookups they share."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable, Optional

from indexing.numbers import find_numbers, parse_number, to_unit
from service.analyse import AMOUNT_METRICS, Analysis, find_metrics, synonyms
from service.draft import CENT, RANKING_SHOWN, Draft, UsedFigure, _amount, _Builder, _num, _pct, declined
from service.evidence import Evidence, FigureFact, bigrams

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
    groups = _reason_groups(reasons[:6], figures)
    about = [g for g in groups if any(w in ev.text for ev in g for w in words)]
    groups = (about or groups)[:3]  # a reason about another figure is not this one's
    if not groups:
        b.lines.append("文件没有说明原因。")
        return
    b.lines.append("文件说明的原因：")
    for ev in list({e.id: e for g in groups for e in g}.values())[:4]:
        b.quote(ev, ("原因", "主要为") + tuple(a.terms), size=400)


def _reason_groups(reasons: list[Evidence], figures: Callable) -> list[list[Evidence]]:
    """Each reason with the sentences that belong to it. A reason that lists its parts ("其中：基本支出
    增加…，主要为…。") often goes on in the next sentence of its paragraph ("项目支出增加…，主要为…。"):
    that sentence is part of the reason; a sentence that only states the reason ("主要原因：…") is
    read with the sentence before it, the change it explains (and which names the figure)."""
    from service.semantic.bridge import provider_of

    provider = provider_of(figures)
    groups: list[list[Evidence]] = []
    paragraphs: dict[str, list] = {}  # one scan of a document's items per paragraph
    for ev in reasons:
        head, _, n = ev.id.rpartition(":")
        if provider is None or ev.kind != "sentence" or not n.isdigit():
            groups.append([ev])
            continue
        # the paragraph's sentences by position (the numbering may skip: "head:0", "head:2")
        if head not in paragraphs:
            paragraphs[head] = sorted(((int(it.id.rpartition(":")[2]), it) for it in provider.doc_items(ev.doc_id)
                                       if it.id.startswith(head + ":") and it.id.rpartition(":")[2].isdigit()),
                                      key=lambda pair: pair[0])
        around = paragraphs[head]
        prev = next((it for k, it in reversed(around) if k < int(n)), None)
        nxt = next((it for k, it in around if k > int(n)), None)
        group = []
        if prev is not None and _STATED_REASON.search(ev.text):  # the change the reason explains
            group.append(prev)
        group.append(ev)
        if "其中" in ev.text and nxt is not None and _REASON_RE.search(nxt.text) and re.search(r"增|减", nxt.text):
            group.append(nxt)
        groups.append(group)
    return groups


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
