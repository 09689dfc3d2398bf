"""Which indexed departments a question names: rules 3 to 5 of service/scope.py, and a department
it names that is not indexed.

`Names` holds the name forms of a catalogue's departments (scope_names.py) and finds each
department's longest tail in the question, skipping one preceded by another place (rule 3); a
mention inside a longer one is the longer one's (rule 4); overlapping mentions of several
departments are one ambiguous mention. With no office named, a place only one department holds
names it (`place_only`, rule 5). `unknown_mention` reads an office at the head of a clause that no
indexed department matches, so the answer can say it is not loaded instead of answering for another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

from service.scope_names import MIN_CORE, PLACE_MARKS, min_tail, name_forms, office_kind, split_name


@dataclass(frozen=True)
class Mention:
    text: str  # as written in the question (spaces removed)
    start: int
    end: int
    candidates: tuple[str, ...]  # the indexed department names it can mean


class Names:
    """The name forms of a catalogue's departments, built once per catalogue (cache it per index
    generation: building is cheap but not free at a thousand departments)."""

    def __init__(self, departments: Iterable[str]):
        self.forms = {d: sorted(name_forms(d), key=len, reverse=True) for d in dict.fromkeys(departments) if d}
        self.places = {d: split_name(d)[1] for d in self.forms}
        self.own_places = {d: "".join(p) for d, p in self.places.items()}
        self._tails = {d: [(f, min_tail(f)) for f in forms] for d, forms in self.forms.items()}
        # Every tail a mention may be -> the departments having it, so a question is read by looking up
        # its own substrings, not by searching it for every department's forms (a thousand departments).
        self._by_tail: dict[str, set[str]] = {}
        for d, tails in self._tails.items():
            for form, shortest in tails:
                for n in range(shortest, len(form) + 1):
                    self._by_tail.setdefault(form[-n:], set()).add(d)
        lengths = {len(t) for t in self._by_tail}
        self._lengths = (min(lengths), max(lengths)) if lengths else (1, 0)

    def candidates(self, q: str) -> set[str]:
        """The departments one of whose tails `q` writes somewhere (the others have no mention in it)."""
        shortest, longest = self._lengths
        found: set[str] = set()
        for i in range(len(q) - shortest + 1):
            for n in range(shortest, min(longest, len(q) - i) + 1):
                hit = self._by_tail.get(q[i:i + n])
                if hit:
                    found |= hit
        return found

    def best(self, q: str, dept: str) -> Optional[tuple[int, int]]:
        """The longest tail of one of `dept`'s forms written in `q`, as a span (start, end)."""
        best = None
        for form, shortest in self._tails[dept]:
            for n in range(len(form), shortest - 1, -1):
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
        hits = self.candidates(q)
        spans = {d: s for d in self.forms if d in hits and (s := self.best(q, d))}
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


_NAMES_CACHE: dict[tuple[str, ...], Names] = {}


def names_of(departments: Iterable[str]) -> Names:
    """The department forms of a catalogue, cached on its set of names (a new department, a new key)."""
    key = tuple(sorted({d for d in departments if d}))
    if key not in _NAMES_CACHE:
        if len(_NAMES_CACHE) > 16:
            _NAMES_CACHE.clear()
        _NAMES_CACHE[key] = Names(key)
    return _NAMES_CACHE[key]


def place_only(q: str, names: "Names") -> tuple[str, ...]:
    """Rule 5: a place written in the question (湖滨区) that one indexed department's name alone
    holds names that department; a place several share (普陀区) names none."""
    hits = set()
    for dept, places in names.places.items():
        for place in places:
            if len(place) >= 3 and place in q:
                hits.add(dept)
    return tuple(hits) if len(hits) == 1 else ()


# Kinds that only a department's name ends with (中心, 会, 部 … also end project and item names).
_DEPARTMENT_KINDS = ("街道办事处", "委员会", "办公室", "办事处", "局", "委", "厅")
_OFFICE_FIRST = re.compile(r"^([\u4e00-\u9fff]{2,10}?(?:" + "|".join(_DEPARTMENT_KINDS) + r"))")
_NOT_A_NAME = re.compile(r"^(?:请问|问一下|问|想知道|那么|那|在|该|本|这个|那个|我们|我|全|各|哪个|哪些)+")


def unknown_mention(q: str) -> Optional[str]:
    """A department the question names at the head of a clause (its subject: 财政局2025年…, 请问教育局…)
    that is not indexed. Only there: inside a clause a word may just end in 局 (结构布局)."""
    for clause in re.split(r"20\d\d\s*年度?|[\d.,%％]+|[，。？！?!；;、：:\s（）()“”\"]", q):
        clause = _NOT_A_NAME.sub("", clause)
        m = _OFFICE_FIRST.match(clause)
        if m:
            name = m.group(1)
            if len(name) - len(office_kind(name)) >= MIN_CORE and not re.search(r"[的是和与有]", name) \
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
