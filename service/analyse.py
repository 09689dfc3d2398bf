"""Question analysis: which department and year, which budget metrics, which kind of question.

Rules, not a model: the vocabulary of budget disclosures is small and fixed by the templates of
财预〔2016〕143号, and a rule that misfires is easy to see and fix. Every metric has a canonical name
and the synonyms a citizen or the documents use for it; longer synonyms are tried first so that
"公务用车购置费" is not read as "公务用车".
"""

from __future__ import annotations

import re
from typing import Iterable, Optional

from pydantic import BaseModel, Field

# canonical -> synonyms as printed in documents or asked by users (canonical first)
METRICS: dict[str, list[str]] = {
    "三公经费": ["三公经费", "“三公”经费", "三公", "“三公”"],
    "因公出国(境)费": ["因公出国(境)费", "因公出国（境）费", "因公出国", "出国经费", "出国费"],
    "公务接待费": ["公务接待费", "公务接待", "接待费"],
    "公务用车购置及运行费": ["公务用车购置及运行费", "公务用车购置及运行维护费", "公务用车购置及运维费", "公务用车", "公车"],
    "公务用车购置费": ["公务用车购置费", "车辆购置费", "购车"],
    "公务用车运行维护费": ["公务用车运行维护费", "公务用车运行费", "车辆运行维护费"],
    "人员经费": ["人员经费"],
    "公用经费": ["公用经费", "日常公用经费"],
    "基本支出": ["基本支出"],
    "项目支出": ["项目支出", "项目经费"],
    "收入总计": ["收入总计", "收入预算", "总收入"],
    "支出总计": ["支出总计", "支出合计", "支出预算", "总支出", "全部支出", "总预算", "预算总额", "全部预算"],
    "收支总计": ["收支总计", "收支预算", "收支"],
    "一般公共预算支出": ["一般公共预算支出", "一般公共预算拨款支出", "一般公共预算财政拨款支出"],
    "一般公共预算": ["一般公共预算财政拨款收入", "一般公共预算拨款收入", "一般公共预算收入", "一般公共预算财政拨款",
                 "一般公共预算拨款", "一般公共预算"],
    "财政拨款收入": ["财政拨款收入", "财政拨款"],
    "政府性基金预算": ["政府性基金预算", "政府性基金"],
    "国有资本经营预算": ["国有资本经营预算", "国有资本经营"],
    "上年结转": ["上年结转", "结转结余", "结转资金"],
    "机关运行经费": ["机关运行经费", "机构运行经费", "运行经费"],
    "政府采购": ["政府采购预算", "政府采购"],
    "固定资产": ["固定资产", "国有资产"],
    "绩效目标": ["绩效目标", "绩效评价", "绩效"],
    "住房公积金": ["住房公积金"],
    "卫生健康支出": ["卫生健康支出", "卫生健康"],
    "社会保障和就业支出": ["社会保障和就业支出", "社会保障和就业"],
    "住房保障支出": ["住房保障支出", "住房保障"],
    "车辆": ["车辆", "公车数量", "几辆"],
}
# Parts of a metric: a reason given for a part explains the whole ("公务接待费减少…原因是…")
RELATED: dict[str, list[str]] = {
    "三公经费": ["公务接待费", "公务用车", "因公出国"],
    "基本支出": ["人员经费", "公用经费"],
    "支出总计": ["基本支出", "项目支出"],
    "收支总计": ["基本支出", "项目支出"],
}
# Metrics the documents print as amounts in 万元 (used to pick the figure and its unit)
AMOUNT_METRICS = set(METRICS) - {"绩效目标", "车辆", "固定资产"}

QTYPES = ("lookup", "why", "compute", "compare", "list", "yes_no", "across", "unanswerable")

_WHY = re.compile(r"为什么|为何|原因|怎么会|何以")
_SHARE = re.compile(r"占.{0,12}(?:比例|比重|百分之|多少|几成|%)|比例|比重|占比")
_COMPARE = re.compile(r"(?:与|和|跟|比|较)(?:上年|去年|20\d\d年|上一年)|比上年|变化|增长了多少|增加了多少|减少了多少|增幅|降幅|同比")
_LIST = re.compile(r"哪些|有什么项目|列出|清单|各(?:多少|安排)|分别是|都有")
_YESNO = re.compile(r"有没有|是否|有无|吗[？?]?$|一致吗|等于.*吗")
_ACROSS = re.compile(r"哪个部门|哪些部门|各部门|哪个单位|排名|排序|最多|最少|最高|最低")
_YEAR = re.compile(r"(20\d\d)\s*年")
_DEPT = re.compile(r"([\u4e00-\u9fff]{2,20}?(?:局|委员会|委|办公室|办|街道办事处|街道|中心|法院|检察院))")


_ASK_TAIL = re.compile(r"(?:(?:20\d\d)年)?(?:安排了|安排|预算|是|有|花了)?(?:多少钱|多少|几个).*$")


class Analysis(BaseModel):
    question: str
    text: str = ""  # the question as read: spaces out, colloquial words in the templates' words
    qtype: str = "lookup"
    department: Optional[str] = None
    year: Optional[int] = None
    metrics: list[str] = Field(default_factory=list)  # canonical names, in order of appearance
    terms: list[str] = Field(default_factory=list)  # the matched surface forms (for retrieval boosts)
    subject: Optional[str] = None  # what a lookup without a metric asks about (a project's name)
    share_of: Optional[tuple[str, str]] = None  # (part, whole) labels as asked, for share questions
    wants_change: bool = False
    across_departments: bool = False


_PAIRS = sorted(((syn, canon) for canon, syns in METRICS.items() for syn in syns), key=lambda p: -len(p[0]))


def find_metrics(text: str) -> list[tuple[int, str, str]]:
    """(position, canonical, surface) for every metric mention, longest synonym first, no overlaps."""
    pairs = _PAIRS
    taken: list[tuple[int, int]] = []
    found = []
    for syn, canon in pairs:
        if syn not in text:
            continue
        for m in re.finditer(re.escape(syn), text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append((m.start(), canon, syn))
    return sorted(found)


def synonyms(metric: str) -> list[str]:
    return METRICS.get(metric, [metric])


_WHOLE_PREFIX = re.compile(r"^(?:全部|总|整个|全|所有|该[\u4e00-\u9fff]?|本部门|这个[\u4e00-\u9fff]?)")


def _share_parts(q: str) -> Optional[tuple[str, str]]:
    """(part, whole) of "X占Y的比例": the part without its leading year or pronoun, the whole without
    the words that only say "all of it" (全部, 总, 该局 …)."""
    m = re.search(r"([\u4e00-\u9fff（）()“”]{2,30}?)占([\u4e00-\u9fff“”]{2,24}?)(?:的)?(?:比例|比重|多少|百分|几成)", q)
    if not m:
        return None
    part = re.sub(r"^(?:\d+年|20\d\d年)?(?:该[\u4e00-\u9fff]?|这个[\u4e00-\u9fff]?|本部门)?", "", m.group(1))
    whole = _WHOLE_PREFIX.sub("", m.group(2)) or m.group(2)
    return part, whole


# Colloquial words → the templates' words (rules of the language, not of any question): 开支, 花销,
# 花费 and 开销 are 支出; "X方面的经费" is X经费; 公车/公务车 is 公务用车, 买车 its 购置; "总共/全部/所有的支出"
# is 总支出.
_COLLOQUIAL = (
    (re.compile(r"开支|花销|开销|花费"), "支出"),
    (re.compile(r"方面的?(?=经费|支出)"), ""),
    (re.compile(r"公车|公务车(?!辆)"), "公务用车"),
    (re.compile(r"买(?:新的?)?(?:公务用|公务)?车"), "公务用车购置费"),
    (re.compile(r"(?:总共|全部|所有|一共)的支出"), "总支出"),
)


def normalise_question(question: str) -> str:
    q = re.sub(r"\s+", "", question)
    for pattern, repl in _COLLOQUIAL:
        q = pattern.sub(repl, q)
    return q


def analyse(question: str, departments: Iterable[str] = ()) -> Analysis:
    q = normalise_question(question)
    a = Analysis(question=question, text=q)
    years = [int(y) for y in _YEAR.findall(q)]
    a.year = years[0] if years else None
    a.department = _department(q, departments)
    found = find_metrics(q)
    for _, canon, syn in found:
        if canon not in a.metrics:
            a.metrics.append(canon)
        if syn not in a.terms:
            a.terms.append(syn)
    a.share_of = _share_parts(q)
    if not a.metrics:
        label = _ASK_TAIL.sub("", re.sub(r"^(?:20\d\d年)?", "", re.sub(r"[？?。，,].*$", "", q)))
        a.subject = label if len(label) >= 4 else None
    a.across_departments = bool(_ACROSS.search(q)) and ("部门" in q or "单位" in q)
    a.wants_change = bool(_COMPARE.search(q))
    if a.across_departments:
        a.qtype = "across"
    elif _WHY.search(q):
        a.qtype = "why"
    elif _YESNO.search(q) and not _LIST.search(q):
        a.qtype = "yes_no"
    elif _SHARE.search(q) and "分别" not in q:
        a.qtype = "compute"
    elif a.wants_change:
        a.qtype = "compare"
    elif _LIST.search(q) and ("项目" in q or "哪些" in q):
        a.qtype = "list"
    else:
        a.qtype = "lookup"
    return a


def _department(q: str, departments: Iterable[str]) -> Optional[str]:
    """The one known department the question names by any unambiguous part of its name (the rules
    of service/scope.py: 财政局, 区财政局, 湖滨区医保局); None when it names none or several."""
    from service.scope import names_of

    depts = [d for d in departments if d]
    if not depts:
        return None
    found = {d for m in names_of(depts).mentions(q) for d in m.candidates}
    return next(iter(found)) if len(found) == 1 else None
