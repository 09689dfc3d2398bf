"""service/scope_mentions.Names reads a question through its index of name tails: the departments
it tries are those whose tails the question writes, and the mentions are those a scan of every
department's forms finds. Fictional departments built from the naming rules (places + offices)."""

from __future__ import annotations

import random
from itertools import product

from service.scope_mentions import Mention, Names
from service.scope_names import name_forms

CITIES = ("东山市", "西岭县", "南湖市", "北川县")
DISTRICTS = ("河口区", "青石区", "")
OFFICES = ("财政局", "医疗保障局", "人力资源和社会保障局", "人民政府办公室", "发展和改革委员会", "城市管理局",
           "农业农村局", "教育局", "司法局", "长风新村街道办事处")
DEPARTMENTS = ["".join(p) for p in product(CITIES, DISTRICTS, OFFICES)]


def _scan_all(names: Names, q: str) -> list[Mention]:
    """Mentions as found by trying every department (what the index must reproduce)."""
    everyone = set(names.forms)
    original, names.candidates = names.candidates, lambda _q: everyone
    try:
        return names.mentions(q)
    finally:
        names.candidates = original


def _questions(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        form = rng.choice(sorted(name_forms(rng.choice(DEPARTMENTS))))
        tail = form[-rng.randint(2, len(form)):]
        other = rng.choice(DEPARTMENTS)[-rng.randint(2, 8):] if rng.random() < 0.5 else ""
        out.append(rng.choice(("", "请问", "2025年")) + tail + rng.choice(("三公经费是多少", "和", "比")) + other)
    return out


def test_index_finds_what_a_scan_of_every_department_finds():
    names = Names(DEPARTMENTS)
    found = 0
    for q in _questions(seed=12, n=150):
        assert names.mentions(q) == _scan_all(names, q), q
        found += bool(names.mentions(q))
    assert found > 50  # the questions do name departments: the comparison is not of empty lists


def test_candidates_hold_every_department_with_a_mention():
    names = Names(DEPARTMENTS)
    for q in _questions(seed=3, n=100):
        with_span = {d for d in names.forms if names.best(q, d)}
        assert with_span <= names.candidates(q), q


def test_a_question_naming_nothing_tries_no_department():
    assert Names(DEPARTMENTS).candidates("哪个部门三公经费最多？") == set()
