"""A plan answered on the documents in scope: the figure asked for first (in 万元, the table's own
figure beside it when the table is in 元 or 亿元), the arithmetic shown, each operand cited.

One document in scope: one answer. Several (the question names no department the scope could pin
down): one line per document, each under its department and year — never one figure for a mix.
A target no cell or sentence of a document states gives "文件未说明…" for that document.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable, Optional

from service.semantic import operations as ops
from service.semantic.plan import PARENT, PARTS, Plan, Target
from service.semantic.quantity import CENT, Quantity, wan_text
from service.semantic.resolve import Resolver

MAX_DOCS = 4  # documents answered one by one when the scope holds several
RANKING_SHOWN = 10


class Outcome:
    """What the semantic layer said: lines written into the builder, and whether it answered
    (`answered`), found the question's targets stated nowhere (`missing`: what is not stated)."""

    def __init__(self):
        self.answered = False
        self.missing: list[str] = []
        self.stated: list[Quantity] = []
        self.definite = False  # the documents answer another question (another year, another measure)


def _who(q: Quantity) -> str:
    return f"{q.department or ''}{str(q.year) + '年' if q.year else ''}"


def resolve_target(r: Resolver, t: Target) -> Optional[Quantity]:
    if t.kind == "metric":
        return r.metric(t.name)
    if t.kind == "project":
        return r.project(t.name)
    return r.subject(code=t.code, name=None if t.code else t.name, column=t.column)


def respond(p: Plan, docs: list, resolver: Callable[[str], Resolver], b, cite_q: Callable,
            stated_elsewhere: Callable = None) -> Outcome:
    """Write the answer lines of plan `p` into builder `b` (service/answer.py _Builder);
    `cite_q(quantity)` gives the citation marker of a quantity's cell or sentence."""
    out = Outcome()
    if p.operation == "rank":
        _rank(p, docs, resolver, b, cite_q, out)
        return out
    many = len(docs) > 1
    if len(docs) > MAX_DOCS:
        b.lines.append("问题没有指明部门，以下按文件分别回答，只列出排在前面的几个部门；请在问题中写明部门名称。")
    for doc in docs[:MAX_DOCS]:
        r = resolver(doc.id)
        before = len(b.lines)
        {"value": _value, "share": _share, "change": _change, "difference": _difference, "sum": _sum,
         "prior_value": _prior_value, "list": _list}[p.operation](
            p, r, b, cite_q, out, stated_elsewhere)
        if p.also_list:
            _list(p, r, b, cite_q, Outcome(), None)
        if many and len(b.lines) > before:
            name = f"{doc.meta.department or doc.source}{str(doc.meta.year) + '年' if doc.meta.year else ''}"
            b.lines[before] = f"【{name}】" + b.lines[before]
    return out


def _fig(q: Quantity, cite_q) -> str:
    note = f"（{q.note}）" if q.note else ""
    return f"{wan_text(q)}{note}{cite_q(q)}"


def _computation(c: ops.Computation, b) -> str:
    b.arithmetic.append(c.expr)
    return c.expr


def _derived(q: Quantity, b, cite_q) -> str:
    c = ops.derivation(q)
    if c is None:
        return ""
    for part in c.operands:
        cite_q(part)
    caveat = "；两数都是四舍五入后的数，末位可能有出入" if ops.derived_from_rounded(q) else ""
    return f"（{q.label}由文件数字计算：{_computation(c, b)}{caveat}）"


def _is(q: Quantity) -> str:
    """"约为" for a figure derived from rounded figures whose cents are uncertain, else "为"."""
    return "约为" if ops.derived_from_rounded(q) else "为"


def _resolve_all(p: Plan, r: Resolver, out: Outcome) -> list[tuple[Target, Optional[Quantity]]]:
    got = [(t, resolve_target(r, t)) for t in p.targets]
    out.missing += [t.name for t, q in got if q is None]
    out.stated += [q for _, q in got if q is not None]
    return got


def _value(p: Plan, r: Resolver, b, cite_q, out: Outcome, stated_elsewhere) -> None:
    for t, q in _resolve_all(p, r, out):
        if q is None:
            continue
        out.answered = True
        line = f"{_who(q)}{q.label}为{_fig(q, cite_q)}"
        if p.yes_no and re.search(r"有没有|是否有|有无|有.{0,12}吗|安排了?吗", p.question):
            line = ("没有：" if q.wan == 0 else "有：") + line
        if p.in_yuan and q.is_amount and q.unit != "元":
            yuan = (q.wan * 10000).quantize(CENT, rounding=ROUND_HALF_UP)
            line += f"，即{yuan:,}元"
        line += _derived(q, b, cite_q) + "。"
        b.lines.append(line)
        if t.kind == "subject" and t.column:
            _whole_row(t, r, b, cite_q)
        if t.kind != "project" and r.doc.meta.kind == "决算":
            _execution(q.label if t.kind == "subject" else t.name, r, b, cite_q)
        names = PARTS.get(t.name) if t.kind == "metric" else None
        if names and (p.parts or t.name == "三公经费"):
            parts = [(n, r.metric(n)) for n in names]
            parts = [(n, x) for n, x in parts if x is not None]
            if parts:
                b.lines.append("其中：" + "，".join(f"{x.label}{_fig(x, cite_q)}" for _, x in parts) + "。")
        if stated_elsewhere is not None and t.kind != "project":
            said = [_said(f) for f in stated_elsewhere(t.name if t.kind == "metric" else q.label, q.doc_id)
                    if f.evidence.kind == "sentence" and f.unit in ("万元", "元", "亿元")]
            para = r.in_paragraph(q.label)[0] if t.kind == "subject" else None
            if para is not None:
                said = [(para, lambda para=para: cite_q(para))] + said
            _two_figures(q, said, b, cite_q, bool(_AGREE.search(p.question)))


_AGREE = re.compile(r"一致|相符|相同|对吗|对不对|到底|真的|等于")


def _whole_row(t: Target, r: Resolver, b, cite_q) -> None:
    """A 科目's column asked: the row's total and its other standard column beside it."""
    total = r.subject(code=t.code, name=None if t.code else t.name)
    others = [r.subject(code=t.code, name=None if t.code else t.name, column=c) for c in ("基本支出", "项目支出")
              if c != t.column]
    parts = [f"合计{_fig(total, cite_q)}"] if total is not None else []
    parts += [f"{o.label.split('的')[-1]}{_fig(o, cite_q)}" for o in others if o is not None]
    if parts:
        b.lines.append(f"（{t.name}：" + "，".join(parts) + "。）")


def _execution(name: str, r: Resolver, b, cite_q) -> None:
    """A final account: the year's budget and the final figure its paragraph states, and the rate."""
    budget, final = r.budget_and_final(name)
    if budget is None or final is None or budget.wan == 0:
        return
    rate = ops.share(final, budget)
    b.arithmetic.append(rate.expr)
    b.lines.append(f"全年预算为{_fig(budget, cite_q)}，决算为{_fig(final, cite_q)}，完成全年预算的{rate.result}%"
                   f"（计算：{rate.expr}）。")


def _said(f) -> tuple:
    """A figure the narrative states (a FigureFact) as (quantity, its citation marker)."""
    q = Quantity(label=f.label, value=f.value, unit=f.unit, raw=f.raw.strip().rstrip("万元亿"), doc_id=f.evidence.doc_id,
                 section_id=f.evidence.section_id, sentence=f.evidence.text)
    return q, f.evidence


def _two_figures(q: Quantity, said: list, b, cite_q, agree_asked: bool = False) -> None:
    """Where the narrative states the metric with another figure than the table: say so (and, when
    the question asks whether they agree, say that they do when they do). `said`: (quantity, its
    evidence item or a function giving its marker)."""
    for other, ev in said:
        marker = ev() if callable(ev) else b.cite(ev)
        decimals = len(other.raw.split(".")[1]) if "." in other.raw else 0
        mine = q.wan.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        printed = f"{other.raw}{other.unit}"
        if other.wan == mine or other.wan == q.wan:
            if agree_asked:
                b.lines.append(f"一致：表中{q.label}为{wan_text(q)}{cite_q(q)}，文字说明中也是{printed}{marker}。")
            return
        d = ops.difference(q, other)
        b.arithmetic.append(d.expr)
        b.lines.append(f"注意：文件对{q.label}写了不同的数字——表中为{wan_text(q)}{cite_q(q)}，"
                       f"文字说明中为{printed}{marker}，相差{d.text}（计算：{d.expr}），两者不一致。")
        return


def _whole_for(p: Plan, t: Target) -> Optional[Target]:
    if p.whole is not None:
        return p.whole
    parent = PARENT.get(t.name) if t.kind == "metric" else None
    return Target("metric", parent or "支出总计")


def _with_siblings(p: Plan) -> list[Target]:
    """A part of a whole the templates split in parts (支出总计 = 基本 + 项目, 基本支出 = 人员 + 公用, 三公
    = its three parts): its share is read beside its siblings' shares."""
    names = [t.name for t in p.targets if t.kind == "metric"]
    whole = p.whole.name if p.whole is not None else (PARENT.get(names[0]) if len(names) == 1 else None)
    if whole == "收支总计":
        whole = "支出总计"
    if len(p.targets) == 1 and names and whole in PARTS and names[0] in PARTS[whole]:
        return [p.targets[0]] + [Target("metric", n) for n in PARTS[whole] if n != names[0]]
    return p.targets


def _share(p: Plan, r: Resolver, b, cite_q, out: Outcome, stated_elsewhere) -> None:
    if p.part_word:
        _share_of_stated_part(p, r, b, cite_q, out)
        return
    p.targets = _with_siblings(p)
    for t, part in _resolve_all(p, r, out):
        wt = _whole_for(p, t)
        whole = resolve_target(r, wt)
        if part is None:
            continue
        if whole is None:
            out.missing.append(wt.name)
            continue
        c = ops.share(part, whole)
        if c is None:
            b.lines.append(f"{_who(part)}{whole.label}为0{cite_q(whole)}，无法计算{part.label}所占比例。")
            out.answered = True
            continue
        out.answered = True
        b.lines.append(f"{_who(part)}{part.label}{_fig(part, cite_q)}，占{whole.label}{_fig(whole, cite_q)}的"
                       f"{c.result}%（计算：{_computation(c, b)}）。")


def _share_of_stated_part(p: Plan, r: Resolver, b, cite_q, out: Outcome) -> None:
    """"X中Y占多大比例" where Y is one of the parts a sentence lists for X after 其中."""
    whole_t = p.targets[-1]
    whole = resolve_target(r, whole_t)
    parts = r.sentence_parts(whole_t.name) if whole_t.kind == "metric" else []
    key = re.sub(r"类|的|预算|支出|采购|费用?$", "", p.part_word)
    part = next((x for x in parts if key and key in x.label), None)
    if whole is None or part is None:
        out.missing.append(p.part_word)
        return
    c = ops.share(part, whole)
    if c is None:
        return
    out.answered = True
    b.lines.append(f"{_who(whole)}{part.label}{_fig(part, cite_q)}，占{whole.label}{_fig(whole, cite_q)}的{c.result}%"
                   f"（计算：{_computation(c, b)}）。")


def _change(p: Plan, r: Resolver, b, cite_q, out: Outcome, stated_elsewhere) -> None:
    for t, cur in _resolve_all(p, r, out):
        if cur is None:
            continue
        prior = r.prior(t.name if t.kind == "metric" else cur.label, cur)
        if prior is None:
            out.answered = True
            b.lines.append(f"{_who(cur)}{cur.label}为{_fig(cur, cite_q)}；文件未说明上年{cur.label}，无法计算变化。")
            continue
        out.answered = True
        stated = ops.stated_change(prior)
        if stated is not None:
            _stated_change(cur, prior, stated, b, cite_q)
            continue
        delta, rate = ops.change(cur, prior)
        word = "增加" if cur.wan > prior.wan else "减少" if cur.wan < prior.wan else "持平"
        line = f"{_who(cur)}{cur.label}为{_fig(cur, cite_q)}，上年{_is(prior)}{_fig(prior, cite_q)}{_derived(prior, b, cite_q)}"
        if word == "持平":
            line += f"，与上年持平，变化为0万元（计算：{_computation(delta, b)}）。"
        else:
            line += f"，{word}{delta.text}（计算：{_computation(delta, b)}）"
            if rate is not None:
                line += f"，{'增长' if word == '增加' else '下降'}{rate.text}（计算：{_computation(rate, b)}）"
            line += "。"
        b.lines.append(line)


def _stated_change(cur: Quantity, prior: Quantity, stated: tuple, b, cite_q) -> None:
    """The document states the change ("比2025年预算增加794.88万元"): the change is quoted as printed,
    last year's figure shown as derived from it, the rate computed on the two."""
    delta, word = stated
    line = (f"{_who(cur)}{cur.label}为{_fig(cur, cite_q)}，比上年{word}{_fig(delta, cite_q)}（文件所写），"
            f"上年{_is(prior)}{_fig(prior, cite_q)}{_derived(prior, b, cite_q)}")
    rate = ops.rate_of(delta, prior)
    if rate is not None:
        line += f"，{'增长' if word == '增加' else '下降'}{rate.text}（计算：{_computation(rate, b)}）"
    b.lines.append(line + "。")


def _prior_value(p: Plan, r: Resolver, b, cite_q, out: Outcome, stated_elsewhere) -> None:
    """Last year's figure, asked of this year's disclosure ("2023年的三公经费" in a 2024 budget)."""
    for t, cur in _resolve_all(p, r, out):
        prior = r.prior(t.name, cur) if cur is not None and t.kind == "metric" else None
        if prior is None:
            out.missing.append(f"上年的{t.name}")
            continue
        out.answered = True
        year = f"{cur.year - 1}年" if cur.year else "上年"
        b.lines.append(f"{cur.department or ''}{year}{cur.label}{_is(prior)}{_fig(prior, cite_q)}{_derived(prior, b, cite_q)}"
                       f"（本年为{_fig(cur, cite_q)}）。")


def _list(p: Plan, r: Resolver, b, cite_q, out: Outcome, stated_elsewhere) -> None:
    from service.semantic.listing import list_rows, write_list

    metrics = [t.name for t in p.targets if t.kind == "metric"]
    metric = next((m for m in metrics if m in ("公用经费", "人员经费")), metrics[0] if metrics else None)
    if metric in PARTS and metric != "支出总计":  # "三公经费花在哪里": its parts
        p.parts = True
        _value(p, r, b, cite_q, out, stated_elsewhere)
        return
    subject = next((t for t in p.targets if t.kind == "subject" and not t.code), None)
    title, qs = (f"{subject.name}包括", r.children(subject.name)) if subject else ("", [])
    if not qs:
        title, qs = list_rows(p.question, r, metric)
    whole = r.metric(metric) if metric else (r.metric("项目支出") if title == "文件列出的项目" else None)
    if subject is not None and qs:
        whole = resolve_target(r, subject)
    if write_list(title, qs, b, cite_q, _fig, whole):
        out.answered = True
        if whole is not None and len(qs) >= 2:
            _against_total(qs, whole, b, cite_q)
    elif p.targets and p.operation == "list":  # nothing to list: the targets' own figures
        _value(p, r, b, cite_q, out, stated_elsewhere)


def _against_total(qs: list[Quantity], whole: Quantity, b, cite_q) -> None:
    """The listed rows' sum beside the total the document prints for them: equal, or how far apart."""
    parts = ops.total([q for q in qs if q is not None])
    if parts.result == whole.wan:
        b.lines.append(f"与{whole.label}{_fig(whole, cite_q)}一致。")
        return
    stated = Quantity(label="以上合计", value=parts.result, unit="万元", raw="", doc_id=whole.doc_id)
    d = ops.difference(stated, whole)
    b.arithmetic.append(d.expr)
    b.lines.append(f"与{whole.label}{_fig(whole, cite_q)}不一致，相差{d.text}（计算：{d.expr}）。")


def _two(p: Plan, r: Resolver, out: Outcome) -> list[Quantity]:
    return [q for _, q in _resolve_all(p, r, out) if q is not None]


def _difference(p: Plan, r: Resolver, b, cite_q, out: Outcome, stated_elsewhere) -> None:
    qs = _two(p, r, out)
    if len(qs) < 2:
        return
    a, c = qs[0], qs[1]
    d = ops.difference(a, c)
    hi, lo = d.operands
    out.answered = True
    if d.result == 0:
        b.lines.append(f"{_who(a)}{hi.label}{_fig(hi, cite_q)}与{lo.label}{_fig(lo, cite_q)}相等。")
        return
    b.lines.append(f"{_who(a)}{hi.label}{_fig(hi, cite_q)}，比{lo.label}{_fig(lo, cite_q)}多{d.text}"
                   f"（计算：{_computation(d, b)}）。")


def _sum(p: Plan, r: Resolver, b, cite_q, out: Outcome, stated_elsewhere) -> None:
    qs = _two(p, r, out)
    if len(qs) < 2:
        return
    s = ops.total(qs)
    out.answered = True
    b.lines.append(f"{_who(qs[0])}" + "、".join(f"{q.label}{_fig(q, cite_q)}" for q in qs) +
                   f"，合计{s.text}（计算：{_computation(s, b)}）。")


def _rank(p: Plan, docs: list, resolver, b, cite_q, out: Outcome) -> None:
    t = next((t for t in p.targets if t.kind == "metric"), None)
    if t is None:
        return
    per: dict[tuple, Quantity] = {}
    for doc in docs:  # one entry per department and year (a disclosure uploaded twice is one)
        q = resolver(doc.id).metric(t.name)
        if q is not None:
            per.setdefault((q.department or q.doc_id, q.year), q)
    if not per:
        out.missing.append(t.name)
        return
    _rank_lines(t, list(per.values()), p.lowest, b, cite_q, out)


def _rank_lines(t: Target, qs: list[Quantity], low: bool, b, cite_q, out: Outcome) -> None:
    ranked = ops.rank(qs, lowest_first=low)
    out.answered = True
    b.lines.append(f"按{t.name}从{'低到高' if low else '高到低'}排序（统一换算为万元）：")
    depts = [q.department for q in ranked]
    for i, q in enumerate(ranked[:RANKING_SHOWN], 1):
        name = q.department or q.doc_id[:8]
        if q.department and depts.count(q.department) > 1 and q.year:  # one department, several years
            name += f"（{q.year}年）"
        b.lines.append(f"{i}. {name}：{_fig(q, cite_q)}")
    if len(ranked) > RANKING_SHOWN:
        b.lines.append("（以上只列出排在最前的部门，其余部门从略。）")
