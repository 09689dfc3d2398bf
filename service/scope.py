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

Its parts: how a department's name may be written (scope_names.py), which departments a question
names (scope_mentions.py), the year and kind it asks about (scope_period.py); here the catalogue is
narrowed and the `Scope` built, with what the answer says when it cannot pick one department.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Iterable, Optional, Sequence

from service.scope_mentions import Mention, Names, names_of, place_only, unknown_mention
from service.scope_names import name_forms
from service.scope_period import question_kind, question_year

# Importers read these from here (service/analyse.py, chain.py, pipeline.py, the tests).
__all__ = ["CatalogEntry", "Mention", "Names", "Scope", "catalog_of", "department_filter", "name_forms", "names_of",
           "question_kind", "question_year", "resolve_scope"]


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
        named = place_only(q, names)
    ambiguous = [m for m in mentions if len(m.candidates) > 1]
    if ambiguous and not across:
        cands = tuple(dict.fromkeys(c for m in ambiguous for c in m.candidates))
        return Scope("ambiguous", candidates=cands, mentions=tuple(mentions))
    if named:
        status, chosen = "named", named
    elif not mentions and (unknown := unknown_mention(q)) and not across and not selected:
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
