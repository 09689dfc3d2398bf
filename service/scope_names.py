"""How an indexed department's name may be written: rules 1 and 2 of service/scope.py.

A name is a party prefix, places and an office (中共 | 上海市 普陀区 | 委社会工作部). `name_forms` gives
every whole form the spoken short forms allow (医保局 for 医疗保障局, 人社局, 发改委, 区政府办公室, a
place without its 区); a question's mention is a tail of one of them, at least `min_tail` long so the
office's kind and two characters of its own name are there. Rules of naming, not a synonym list: a
department loaded tomorrow is matched the same way.
"""

from __future__ import annotations

import re
from itertools import product

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
MIN_CORE = 2  # characters of the office's own name a mention must hold besides its kind
_JOINERS = re.compile(r"[和与及]")


def split_name(name: str) -> tuple[str, list[str], str]:
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


def office_kind(office: str) -> str:
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
    return {s for s in out if len(s) >= MIN_CORE}


def _office_forms(office: str) -> set[str]:
    forms = {office}
    for long, short in SHORT_KINDS:
        forms |= {f.replace(long, short) for f in forms if long in f}
    out = set()
    for f in forms:
        kind = office_kind(f)
        if kind in WORD_KINDS:  # 管理 of 管理局 is a word of the name: cut like the others (城管局)
            kind = kind[len(kind) - 1:]
        core = f[: len(f) - len(kind)] if kind else f
        out |= {c + kind for c in _cut_words(core)} if kind else {f}
    return out


def name_forms(name: str) -> set[str]:
    """Every way of writing the whole name that rule 2 allows (mentions are tails of these)."""
    party, places, office = split_name(name)
    place_forms = [[p] + ([p[: -len(m)]] if (m := place_mark(p)) and len(p) - len(m) >= 2 else []) for p in places]
    out = set()
    for offices in _office_forms(office):
        for ps in product(*place_forms) if place_forms else [()]:
            for pre in {party, ""}:
                out.add(pre + "".join(ps) + offices)
    return out


def place_mark(place: str) -> str:
    return next((m for m in PLACE_MARKS if place.endswith(m)), "")


def min_tail(form: str) -> int:
    kind = office_kind(form)
    return len(kind) + MIN_CORE if kind else len(form)
