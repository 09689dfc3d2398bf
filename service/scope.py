"""Which documents a question is about: the department, year and kind it names, read against the
catalogue of indexed documents. A pure module: no index, no model, no I/O.

    scope = resolve_scope("区财政局2025年三公经费是多少", catalog)
    scope.status      # named | selected | only | ambiguous | absent | unknown | empty
    scope.filters()   # {"doc_ids": [...], "department": ..., "year": ..., "kind": ...} for retrieval

A department is matched by any unambiguous part of its name, by rules of Chinese administrative
naming, never by a list of synonyms:
  1. A name is places then an office: 上海市 普陀区 | 财政局. A question names the office by the end of
     the name, as much of it as it likes: 财政局, 区财政局, 普陀区财政局 all end 上海市普陀区财政局.
     The end must hold the office's kind (局, 委员会, 办公室, 街道, 部 …) and at least two characters
     before it, so 财政拨款 never names 财政局 and 该局 names nothing.
  2. Spoken short forms of the name are names too:
     - a two-character word of an office of two or more words may be cut to its first character
       (医疗保障局 → 医保局, 卫生健康委员会 → 卫健委员会, 市场监督管理局 → 市场监管局, 城市管理局 → 城管局:
       管理 of 管理局 is such a word, though 管理局 alone is no mention); an office joined by 和
       cuts each joined part to its first character (人力资源和社会保障局 → 人社局, 发展和改革委员会 → 发改委);
     - 人民政府 is said 政府 (区政府办公室), 委员会 委, 办公室 办, 街道办事处 街道;
     - a place of two or more characters may drop its 省/市/区/县 (湖滨区医保局 → 湖滨医保局).
  3. A place written just before the matched end that is not the department's own place (洛阳市财政局
     against 上海市普陀区财政局) means another department: no match.
  4. Where a department's mention lies inside another's longer one (医保局 inside 湖滨区医保局), the
     longer one wins. A mention that still fits several departments is ambiguous: the answer names
     them and answers for none.
  5. With no office named, a place of the question (湖滨区) that only one indexed department's name
     holds names that department; a place several share (普陀区) names none.
The year is the one the question asks about, not the one it compares with (与2024年相比 in a 2025
question), and only where the catalogue holds it; the kind is 决算 where the question uses the words
of final accounts (决算, 年初预算, 执行率), 预算 where it says 预算 otherwise, and again only where both
kinds are in scope: a word never empties the scope.
An explicit selector (the API's department filter, the chat page's choice, document ids) narrows
the catalogue first; the question then narrows within it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from itertools import product
from typing import Iterable, Optional, Sequence

# The kinds of office a department name ends with, longest first (what a mention must contain).
OFFICE_KINDS = ("街道办事处", "委员会", "办公室", "办事处", "管理局", "人民政府", "局", "委", "办", "厅", "部",
                "中心", "院", "会", "处", "所", "站", "馆", "队", "社", "署", "街道", "镇", "乡")
# Kinds that are a word plus a kind (管理 + 局): as a kind a mention must hold two characters before
# all of it (管理局 alone names nothing), but its word is cut like the name's (城市管理局 → 城管局).
WORD_KINDS = ("管理局",)
# Spoken short forms of office kinds and of 人民政府 (rule 2).
SHORT_KINDS = (("人民政府", "政府"), ("委员会", "委"), ("办公室", "办"), ("街道办事处", "街道"))
PLACE_MARKS = ("自治区", "自治州", "地区", "省", "市", "州", "盟", "县", "区", "旗")
_PLACE = re.compile(r"[\u4e00-\u9fff]{2,}?(?:" + "|".join(PLACE_MARKS) + r")")
_PARTY = ("中国共产党", "中共")
_MIN_CORE = 2  # characters of the office's own name a mention must hold besides its kind
_JOINERS = re.compile(r"[和与及]")

# Years: the one asked about, not the one compared with.
_YEAR = re.compile(r"(20\d\d)\s*年")
_COMPARED_BEFORE = re.compile(r"(?:与|和|跟|比|较|同|对比|相对于)\s*$")
_COMPARED_AFTER = re.compile(r"^\s*年?度?(?:相比|比较|同期|的?(?:预算|决算)?数?相比)")
# Final accounts speak of the year's budget and its execution; a budget only of 预算.
_FINAL_WORDS = re.compile(r"决算|年初预算|预算执行|执行率|执行情况|完成年初")
_BUDGET_WORD = re.compile(r"预算")


@dataclass(frozen=True)
class CatalogEntry:
    """One indexed document, as the catalogue knows it (indexing/catalog.py, or a Document's meta)."""

    doc_id: str
    department: Optional[str] = None
    region: Optional[str] = None
    year: Optional[int] = None
    kind: Optional[str] = None  # 预算 / 决算
    level: Optional[str] = None  # 部门 / 单位
    source: Optional[str] = None

    @classmethod
    def of(cls, item) -> "CatalogEntry":
        """From a catalogue record (doc_id, department, …) or a Document (id, meta)."""
        if hasattr(item, "meta"):
            m = item.meta
            return cls(item.id, m.department, m.region, m.year, m.kind, m.level, getattr(item, "source", None))
        return cls(item.doc_id, item.department, getattr(item, "region", None), getattr(item, "year", None),
                   getattr(item, "kind", None), getattr(item, "level", None), getattr(item, "source", None))


@dataclass(frozen=True)
class Mention:
    text: str  # as written in the question (spaces removed)
    start: int
    end: int
    candidates: tuple[str, ...]  # the indexed department names it can mean


@dataclass(frozen=True)
class Scope:
    """named: the question names its department(s), each unambiguously; selected: the selector alone
    decides; only: one department is indexed; ambiguous: a mention fits several departments;
    absent: several departments indexed, none named or selected; unknown: the question (or the
    selector) names a department that is not indexed; empty: nothing indexed matches at all."""

    status: str
    departments: tuple[str, ...] = ()  # answered for (one per named department)
    candidates: tuple[str, ...] = ()  # ambiguous / absent: which departments it could mean
    mentions: tuple[Mention, ...] = ()
    year: Optional[int] = None
    kind: Optional[str] = None
    doc_ids: tuple[str, ...] = ()  # the documents in scope
    unknown: Optional[str] = None  # the name that matched nothing indexed
    notes: tuple[str, ...] = field(default_factory=tuple)  # Chinese, for the user

    @property
    def definite(self) -> bool:
        """One department (or none needed): the question can be answered as it stands."""
        return self.status in ("named", "selected", "only") and len(self.departments) <= 1

    @property
    def department(self) -> Optional[str]:
        return self.departments[0] if len(self.departments) == 1 else None

    def filters(self) -> dict:
        """Retrieval filters: the documents in scope, and the department, year and kind they share."""
        out = {"doc_ids": list(self.doc_ids) or None, "department": self.department, "year": self.year,
               "kind": self.kind}
        return {k: v for k, v in out.items() if v}

    def for_department(self, department: str, catalog: Sequence[CatalogEntry]) -> "Scope":
        """The same scope narrowed to one of its departments (to answer for each separately)."""
        ids = tuple(e.doc_id for e in catalog if e.doc_id in self.doc_ids and e.department == department)
        return replace(self, status="named", departments=(department,), candidates=(), doc_ids=ids)

    def clarification(self, limit: int = 8) -> Optional[str]:
        """What the answer says instead of mixing departments; None when the scope is definite."""
        names = list(self.candidates or self.departments)
        shown = "、".join(names[:limit]) + (f"等 {len(names)} 个部门" if len(names) > limit else "")
        if self.status == "ambiguous":
            said = "、".join(f"“{m.text}”" for m in self.mentions if len(m.candidates) > 1)
            return f"{said}可能指：{shown}。请写明是哪一个部门（或在页面上选择部门），以免把不同部门的数字混在一起。"
        if self.status == "absent":
            return f"已载入多个部门的文件（{shown}），问题没有写明部门。请写明部门（或在页面上选择部门），以免把不同部门的数字混在一起。"
        if self.status == "unknown":
            return f"没有找到“{self.unknown}”的公开文件。已载入的部门：{shown}。" if names else \
                f"没有找到“{self.unknown}”的公开文件。"
        if self.status == "empty":
            return "没有符合条件的公开文件。"
        return None


# ----------------------------------------------------------------------------- name forms

def _places(name: str) -> tuple[str, list[str], str]:
    """(party prefix, places, office): 中共 | 上海市 普陀区 | 委社会工作部."""
    party = next((p for p in _PARTY if name.startswith(p)), "")
    rest, places = name[len(party):], []
    while True:
        m = _PLACE.match(rest)
        if not m or len(rest) - m.end() < 2:  # a place needs an office of two characters after it
            break
        places.append(m.group(0))
        rest = rest[m.end():]
    return party, places, rest


def _office_kind(office: str) -> str:
    return next((k for k in OFFICE_KINDS if office.endswith(k)), "")


def _cut_words(core: str) -> set[str]:
    """Short forms of an office's own name (rule 2): joined parts to their first characters, or each
    two-character word of a name of two or more words kept or cut to its first character."""
    parts = [p for p in _JOINERS.split(core) if p]
    out = {core}
    if len(parts) > 1:
        out.add("".join(p[0] for p in parts))
    if len(core) >= 4 and len(core) % 2 == 0 and len(parts) == 1:
        words = [core[i:i + 2] for i in range(0, len(core), 2)]
        for keep in product((True, False), repeat=len(words)):
            out.add("".join(w if k else w[0] for w, k in zip(words, keep)))
    return {s for s in out if len(s) >= _MIN_CORE}


def _office_forms(office: str) -> set[str]:
    forms = {office}
    for long, short in SHORT_KINDS:
        forms |= {f.replace(long, short) for f in forms if long in f}
    out = set()
    for f in forms:
        kind = _office_kind(f)
        if kind in WORD_KINDS:  # 管理 of 管理局 is a word of the name: cut like the others (城管局)
            kind = kind[len(kind) - 1:]
        core = f[: len(f) - len(kind)] if kind else f
        out |= {c + kind for c in _cut_words(core)} if kind else {f}
    return out


def name_forms(name: str) -> set[str]:
    """Every way of writing the whole name that rule 2 allows (mentions are tails of these)."""
    party, places, office = _places(name)
    place_forms = [[p] + ([p[: -len(m)]] if (m := _mark(p)) and len(p) - len(m) >= 2 else []) for p in places]
    out = set()
    for offices in _office_forms(office):
        for ps in product(*place_forms) if place_forms else [()]:
            for pre in {party, ""}:
                out.add(pre + "".join(ps) + offices)
    return out


def _mark(place: str) -> str:
    return next((m for m in PLACE_MARKS if place.endswith(m)), "")


def _min_tail(form: str) -> int:
    kind = _office_kind(form)
    return len(kind) + _MIN_CORE if kind else len(form)


class Names:
    """The name forms of a catalogue's departments, built once per catalogue (cache it per index
    generation: building is cheap but not free at a thousand departments)."""

    def __init__(self, departments: Iterable[str]):
        self.forms = {d: sorted(name_forms(d), key=len, reverse=True) for d in dict.fromkeys(departments) if d}
        self.places = {d: _places(d)[1] for d in self.forms}
        self.own_places = {d: "".join(p) for d, p in self.places.items()}

    def best(self, q: str, dept: str) -> Optional[tuple[int, int]]:
        """The longest tail of one of `dept`'s forms written in `q`, as a span (start, end)."""
        best = None
        for form in self.forms[dept]:
            for n in range(len(form), _min_tail(form) - 1, -1):
                if best and n <= best[1] - best[0]:
                    break
                tail = form[-n:]
                start = q.find(tail)
                while start >= 0 and self._other_place(q, start, dept):
                    start = q.find(tail, start + 1)
                if start >= 0:
                    best = (start, start + n)
                    break
        return best

    def _other_place(self, q: str, start: int, dept: str) -> bool:
        """Rule 3: a place written just before the mention that is not the department's own."""
        before = q[max(0, start - 8):start]
        for mark in PLACE_MARKS:
            if before.endswith(mark) and len(before) >= len(mark) + 2:
                place = before[-(len(mark) + 2):]
                return place not in self.own_places[dept] and place not in dept
        return False

    def mentions(self, q: str) -> list[Mention]:
        spans = {d: s for d in self.forms if (s := self.best(q, d))}
        # Rule 4: a span inside another department's longer span is that department's, not this one's.
        kept = {d: s for d, s in spans.items()
                if not any(o != d and o_s[0] <= s[0] and s[1] <= o_s[1] and (o_s[1] - o_s[0]) > (s[1] - s[0])
                           for o, o_s in spans.items())}
        groups: list[list[str]] = []
        for d in sorted(kept, key=lambda d: kept[d]):
            for g in groups:
                if any(kept[d][0] < kept[o][1] and kept[o][0] < kept[d][1] for o in g):
                    g.append(d)
                    break
            else:
                groups.append([d])
        out = []
        for g in groups:
            start, end = min(kept[d][0] for d in g), max(kept[d][1] for d in g)
            out.append(Mention(q[start:end], start, end, tuple(sorted(g))))
        return out


# ----------------------------------------------------------------------------- the scope

_NAMES_CACHE: dict[tuple[str, ...], Names] = {}


def names_of(departments: Iterable[str]) -> Names:
    """The department forms of a catalogue, cached on its set of names (a new department, a new key)."""
    key = tuple(sorted({d for d in departments if d}))
    if key not in _NAMES_CACHE:
        if len(_NAMES_CACHE) > 16:
            _NAMES_CACHE.clear()
        _NAMES_CACHE[key] = Names(key)
    return _NAMES_CACHE[key]


def question_year(q: str) -> Optional[int]:
    """The year asked about: the latest year written that is not the one compared with."""
    asked = []
    for m in _YEAR.finditer(q):
        if _COMPARED_BEFORE.search(q[: m.start()]) or _COMPARED_AFTER.match(q[m.end():]):
            continue
        asked.append(int(m.group(1)))
    return max(asked) if asked else None


def question_kind(q: str) -> Optional[str]:
    if _FINAL_WORDS.search(q):
        return "决算"
    return "预算" if _BUDGET_WORD.search(q) else None


def resolve_scope(question: str, catalog: Sequence[CatalogEntry], *, department: Optional[str] = None,
                  doc_ids: Optional[Iterable[str]] = None, year: Optional[int] = None,
                  kind: Optional[str] = None, across: bool = False) -> Scope:
    """The scope of `question` over `catalog`. `department` / `doc_ids` / `year` / `kind` are an
    explicit selector (the caller's filters): they narrow the catalogue before the question does.
    `across`: the question compares departments (a ranking): every department in scope is meant."""
    q = re.sub(r"\s+", "", question or "")
    entries = list(catalog)
    notes: list[str] = []
    if doc_ids:
        wanted = set(doc_ids)
        entries = [e for e in entries if e.doc_id in wanted]
    selected: tuple[str, ...] = ()
    if department:
        sel = _resolve_selector(department, entries)
        if isinstance(sel, Scope):
            return sel
        if len(sel) > 1 and not across:  # a part of a name that several departments share
            return Scope("ambiguous", candidates=sel, mentions=(Mention(department, 0, 0, sel),))
        selected = sel
        entries = [e for e in entries if e.department in selected]
    if year:
        entries = [e for e in entries if e.year == int(year)]
    if kind:
        entries = [e for e in entries if e.kind == kind]
    if not entries:
        return Scope("empty", notes=tuple(notes))
    depts = list(dict.fromkeys(e.department for e in entries if e.department))
    names = names_of(depts)
    mentions = names.mentions(q) if depts else []
    named = tuple(m.candidates[0] for m in mentions if len(m.candidates) == 1)
    if not mentions and len(depts) > 1:
        named = _place_only(q, names)
    ambiguous = [m for m in mentions if len(m.candidates) > 1]
    if ambiguous and not across:
        cands = tuple(dict.fromkeys(c for m in ambiguous for c in m.candidates))
        return Scope("ambiguous", candidates=cands, mentions=tuple(mentions))
    if named:
        status, chosen = "named", named
    elif not mentions and (unknown := _unknown_mention(q)) and not across and not selected:
        return Scope("unknown", candidates=tuple(depts), unknown=unknown)
    elif selected:
        status, chosen = "selected", tuple(d for d in selected if d in depts)
    elif len(depts) <= 1:
        status, chosen = "only", tuple(depts)
    elif across:
        status, chosen = "named", tuple(depts)
    else:
        status, chosen = "absent", ()
    in_scope = [e for e in entries if not chosen or e.department in chosen]
    if status == "absent":
        return Scope("absent", candidates=tuple(depts), doc_ids=tuple(e.doc_id for e in in_scope))
    y = year or _narrow_year(question_year(q), in_scope, notes)
    if y:
        in_scope = [e for e in in_scope if e.year == y]
    k = kind or _narrow_kind(question_kind(q), in_scope, notes)
    if k:
        in_scope = [e for e in in_scope if e.kind == k]
    return Scope(status, departments=chosen, mentions=tuple(mentions), year=y, kind=k,
                 doc_ids=tuple(e.doc_id for e in in_scope), notes=tuple(notes))


def department_filter(text: Optional[str], catalog: Sequence[CatalogEntry]) -> tuple[Optional[str], tuple[str, ...]]:
    """A department filter (search, figures) read like a question's mention: (the indexed name it
    means, ()), or (None, the candidates) when it fits several; a name that fits none stays as given."""
    if not text:
        return None, ()
    sel = _resolve_selector(text, catalog)
    if isinstance(sel, Scope):
        return text, ()
    return (sel[0], ()) if len(sel) == 1 else (None, sel)


def _resolve_selector(text: str, entries: Sequence[CatalogEntry]):
    """The selector's department names: a whole name, a part of one, or a mention as in a question."""
    text = re.sub(r"\s+", "", text)
    depts = list(dict.fromkeys(e.department for e in entries if e.department))
    if text in depts:
        return (text,)
    contained = tuple(d for d in depts if text in d)
    if contained:
        return contained
    hits = tuple(c for m in names_of(depts).mentions(text) for c in m.candidates)
    return hits or Scope("unknown", candidates=tuple(depts), unknown=text)


# Kinds that only a department's name ends with (中心, 会, 部 … also end project and item names).
_DEPARTMENT_KINDS = ("街道办事处", "委员会", "办公室", "办事处", "局", "委", "厅")
_OFFICE_FIRST = re.compile(r"^([\u4e00-\u9fff]{2,10}?(?:" + "|".join(_DEPARTMENT_KINDS) + r"))")
_NOT_A_NAME = re.compile(r"^(?:请问|问一下|问|想知道|那么|那|在|该|本|这个|那个|我们|我|全|各|哪个|哪些)+")


def _unknown_mention(q: str) -> Optional[str]:
    """A department the question names at the head of a clause (its subject: 财政局2025年…, 请问教育局…)
    that is not indexed. Only there: inside a clause a word may just end in 局 (结构布局)."""
    for clause in re.split(r"20\d\d\s*年度?|[\d.,%％]+|[，。？！?!；;、：:\s（）()“”\"]", q):
        clause = _NOT_A_NAME.sub("", clause)
        m = _OFFICE_FIRST.match(clause)
        if m:
            name = m.group(1)
            if len(name) - len(_office_kind(name)) >= _MIN_CORE and not re.search(r"[的是和与有]", name) \
                    and _ends_as_a_name(clause, name):
                return name
    return None


def _ends_as_a_name(clause: str, name: str) -> bool:
    """Where jieba segments the clause, the name ends at a word's end (not 委 of 委托) and its last word
    is not an ordinary two-character word ending in the kind (布局, 格局, 当局)."""
    import jieba

    end, last = 0, ""
    for word in jieba.lcut(clause):
        end += len(word)
        last = word
        if end >= len(name):
            break
    return end == len(name) and not (len(last) == 2 and last[-1] == name[-1])


def _place_only(q: str, names: "Names") -> tuple[str, ...]:
    """Rule 5: a place written in the question (湖滨区) that one indexed department's name alone
    holds names that department; a place several share (普陀区) names none."""
    hits = set()
    for dept, places in names.places.items():
        for place in places:
            if len(place) >= 3 and place in q:
                hits.add(dept)
    return tuple(hits) if len(hits) == 1 else ()


def _narrow_year(y: Optional[int], entries: list[CatalogEntry], notes: list[str]) -> Optional[int]:
    years = {e.year for e in entries if e.year}
    if y is None or len(years) <= 1:
        return None
    if y in years:
        return y
    notes.append(f"没有{y}年的文件，按已载入的年度（{'、'.join(map(str, sorted(years)))}）回答。")
    return None


def _narrow_kind(k: Optional[str], entries: list[CatalogEntry], notes: list[str]) -> Optional[str]:
    kinds = {e.kind for e in entries if e.kind}
    if k is None or len(kinds) <= 1:
        return None
    return k if k in kinds else None


def catalog_of(items: Iterable) -> list[CatalogEntry]:
    """Catalogue entries from Documents or catalogue records."""
    return [CatalogEntry.of(i) for i in items]
