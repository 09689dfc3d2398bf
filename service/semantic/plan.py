"""What a question asks, as an operation over targets — rules of the language, not of any question.

Targets, in the order the question names them: the metrics of service/analyse.py (the templates'
words and their colloquial forms), a 科目 by its functional code (3, 5 or 7 digits starting with 2)
or by a name printed in the document's 支出 tables, a project by a name printed in its 项目支出 table.
Operations:
- share: "X占Y的比例/比重/百分之几/几成", "X各占多少" (Y missing: X's parent in the template
  hierarchy — 人员/公用经费 in 基本支出, 基本/项目支出 in 支出总计, a 三公 part in 三公经费);
- change: "比上年/较去年/同比/与2024年相比/增长了多少/变化";
- difference: two targets and "相差/差多少/多多少/少多少/高多少/差额";
- sum: two or more targets and "合计/一共/总共/加起来/之和/共计";
- rank: across departments (analyse's qtype "across");
- list: "有哪些项目/主要花在哪些方面/包括哪些" — the rows that make up a total (list.py);
- value: everything else (each target's figure).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from service.analyse import Analysis, find_metrics

# the parent of a metric in the templates' hierarchy (a share without a named whole is of its parent)
PARENT = {"人员经费": "基本支出", "公用经费": "基本支出", "基本支出": "支出总计", "项目支出": "支出总计",
          "因公出国(境)费": "三公经费", "公务接待费": "三公经费", "公务用车购置及运行费": "三公经费",
          "公务用车购置费": "公务用车购置及运行费", "公务用车运行维护费": "公务用车购置及运行费"}
PARTS = {"三公经费": ("因公出国(境)费", "公务用车购置及运行费", "公务接待费"), "基本支出": ("人员经费", "公用经费"),
         "支出总计": ("基本支出", "项目支出")}
AMOUNT_TARGETS = {"三公经费", "因公出国(境)费", "公务接待费", "公务用车购置及运行费", "公务用车购置费", "公务用车运行维护费",
                  "人员经费", "公用经费", "基本支出", "项目支出", "收入总计", "支出总计", "收支总计", "上年结转",
                  "机关运行经费", "政府采购", "一般公共预算", "政府性基金预算", "国有资本经营预算", "一般公共预算支出",
                  "财政拨款收入"}

_SHARE = re.compile(r"占.{0,16}?(?:比例|比重|百分之|百分比|几成|多少|%|多大)|占比|比例是|比重是|各占")
_CHANGE = re.compile(r"(?:比|较|与|和|跟|同)(?:上年|去年|上一年|前一年|20\d\d年)|同比|增长了?多少|增加了?多少|减少了?多少|"
                     r"变化|增减|增幅|降幅|涨了|降了|多了多少|少了多少")
_DIFF = re.compile(r"相差|差多少|差额|多多少|少多少|高多少|低多少|多出|少出|差距")
_SUM = re.compile(r"合计|一共|总共|加起来|之和|共计|加在一起|总和")
_PART_WORDS = re.compile(r"由哪些|哪几部分|哪些部分|组成|构成|分别|其中|包括哪些|明细|各是多少|各多少")
# what a list question lists: projects, the 功能分类 classes money goes to, or a metric's economic items
_LIST_OF = re.compile(r"哪些项目|什么项目|项目有哪些|项目清单|各项目|哪些方面|什么方面|功能分类|用在哪|花在哪|用于哪|"
                      r"包括哪些|包含哪些|由哪些|构成|明细|安排了哪些")
_LIST_ASK = re.compile(r"哪些|哪里|哪几|什么方面|各多少|各是多少|明细|加起来|之和")
_CODE = re.compile(r"(?<!\d)(2\d{2}(?:\d{2}){0,2})(?!\d)")


@dataclass
class Target:
    kind: str  # metric | subject | project
    name: str  # canonical metric, or the name as the document prints it
    code: Optional[str] = None
    at: int = 0  # where the question names it
    column: Optional[str] = None  # a 科目's column (基本支出, 项目支出 …) instead of its total


@dataclass
class Plan:
    operation: str  # value | share | change | difference | sum | rank
    targets: list[Target] = field(default_factory=list)
    whole: Optional[Target] = None  # share: the whole (None: each target's parent)
    parts: bool = False  # the question asks what a metric is made of
    also_list: bool = False  # a share or change question that also asks what the target is made of
    in_yuan: bool = False  # the question asks in 元
    lowest: bool = False  # a ranking from the lowest ("最少", "最低")
    question: str = ""  # as read (service/analyse.normalise_question)
    part_word: str = ""  # "X中Y占…" with Y no target: Y as written
    yes_no: bool = False  # asked as a yes/no question (有没有, 一致吗)


def _question(a: Analysis) -> str:
    return a.text or re.sub(r"\s+", "", a.question)


def targets_of(q: str, subject_names: list[str] = (), project_names: list[str] = ()) -> list[Target]:
    """Metrics, 科目 codes and names, project names in the question, by position, no overlaps (the
    longest name wins: "公务用车运行维护费" before "公务用车")."""
    out: list[Target] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return not any(x < b and a < y for x, y in taken)

    def pair(n):  # a name, or (name, the part of it the question writes)
        return n if isinstance(n, tuple) else (n, n)

    names = [(*pair(n), "project") for n in project_names] + [(*pair(n), "subject") for n in subject_names]
    for name, surface, kind in sorted(names, key=lambda p: -len(p[1])):
        i = q.find(surface)
        if i >= 0 and free(i, i + len(surface)):
            taken.append((i, i + len(surface)))
            out.append(Target(kind, name, at=i))
    for pos, canon, surface in find_metrics(q):
        if canon in AMOUNT_TARGETS and free(pos, pos + len(surface)):
            taken.append((pos, pos + len(surface)))
            out.append(Target("metric", canon, at=pos))
    for m in _CODE.finditer(q):
        if q[m.end(): m.end() + 1] != "年" and free(*m.span()):
            out.append(Target("subject", m.group(1), code=m.group(1), at=m.start()))
    out.sort(key=lambda t: t.at)
    dedup: list[Target] = []
    for t in out:
        if all((t.kind, t.name) != (d.kind, d.name) for d in dedup):
            dedup.append(t)
    return dedup


def plan(a: Analysis, targets: list[Target]) -> Optional[Plan]:
    q = _question(a)
    if not targets and not (_LIST_OF.search(q) and (a.qtype == "list" or _LIST_ASK.search(q))):
        return None
    p = Plan("value", targets, parts=bool(_PART_WORDS.search(q)), question=q, yes_no=a.qtype == "yes_no",
             in_yuan=bool(re.search(r"(?<![万亿])元", q)) and "万元" not in q)
    listing = bool(_LIST_OF.search(q) and (a.qtype == "list" or _LIST_ASK.search(q)))
    if listing and not (_SHARE.search(q) or _CHANGE.search(q)):
        p.operation = "list"
    elif a.qtype == "across":
        p.operation, p.lowest = "rank", bool(re.search(r"最少|最低|最小|从低到高|从少到多", q))
    elif _SHARE.search(q) and a.qtype != "yes_no":
        p.operation = "share"
        cut = q.find("占")
        after = [t for t in targets if t.at > cut] if cut >= 0 else []
        before = [t for t in targets if t.at < cut] if cut >= 0 else targets
        if cut >= 0 and not before:
            return None  # the part asked about is nothing the layer resolves: not a share of the whole
        m = re.search(r"[中里]([^占]{2,})$", q[before[-1].at:cut]) if before else None
        if m and not after:  # "X中Y占…": Y is no target; perhaps a part the narrative lists for X
            p.part_word, p.targets = m.group(1), [before[-1]]
            return p
        if after and before:
            p.whole, p.targets = after[0], before
        elif re.search(r"占.{0,6}(?:全部|总|整体|所有)?(?:支出|预算)", q) and before:
            p.whole, p.targets = Target("metric", "支出总计"), before
        elif re.search(r"占.{0,6}(?:全部|总)?收入", q) and before:
            p.whole, p.targets = Target("metric", "收入总计"), before
    elif len(targets) >= 2 and _DIFF.search(q):
        p.operation = "difference"
    elif _CHANGE.search(q) or a.wants_change:
        p.operation = "change"
    elif len(targets) >= 2 and _SUM.search(q):
        p.operation = "sum"
    p.also_list = listing and p.operation != "list"
    _columns_of_subjects(q, p)
    return p


COLUMN_METRICS = ("基本支出", "项目支出", "人员经费", "公用经费")


def _columns_of_subjects(q: str, p: Plan) -> None:
    """"“行政运行”科目里的项目支出": a 科目 followed (里/中/的) by a column's metric is that cell."""
    for i, t in enumerate(p.targets[:-1]):
        nxt = p.targets[i + 1]
        if t.kind == "subject" and nxt.kind == "metric" and nxt.name in COLUMN_METRICS and \
                re.search(r"[里中的]", q[t.at:nxt.at]) and nxt.at - t.at <= len(t.name) + 8:
            t.column = nxt.name
            p.targets.remove(nxt)
            return
