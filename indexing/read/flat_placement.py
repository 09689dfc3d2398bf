"""Placing the numbers of flattened rows by the table's own identities.

A flattened table (page text: whitespace-separated tokens) loses its blank cells, so a row
"210 卫生健康支出 16,817,006.00 16,595,702.00 221,304.00" under 合计 | 一般公共预算 | 政府性基金 | 上年结转
could hold its two parts in any two of the three part columns. What the template guarantees fixes
many of them:

- row identity: the first value column is the row's total and the others are its addends
  (合计 = Σ parts), which holds for every fully printed row of the table;
- column identities by code: in each part column a 类 is the sum of its 款, a 款 the sum of its 项
  (功能/经济分类 codes of 3/5/7 digits), and the 合计 row is the sum of the top-level codes.

A row is placed only when **every** assignment of all ambiguous rows that satisfies these
identities puts its numbers in the same columns. Anything else stays unplaced (the reader keeps the
raw text and marks the table incomplete): nothing is ever guessed. The search is bounded; a table
that needs more work than the bound is left as it was.
"""

from __future__ import annotations

import re
from decimal import Decimal
from itertools import combinations
from typing import Optional, Sequence

from indexing.numbers import parse_number

MAX_NODES = 50_000  # search steps per group of linked rows; beyond this nothing is placed (bounded work)
_TOTAL_LABEL = re.compile(r"^(?:合计|总计)$")


def _value(text: str) -> Optional[Decimal]:
    p = parse_number(text)
    if p is None:
        return None
    return p.value if p.value is not None else Decimal(0)


def _tolerance(values: Sequence[Decimal], n_addends: int) -> Decimal:
    """Half a unit of the last printed decimal per addend: sums of rounded figures may differ by that."""
    places = max((-v.as_tuple().exponent for v in values if v is not None), default=0)
    return Decimal(1).scaleb(-places) / 2 * max(n_addends, 1)


def _candidates(values: list[Decimal], n_parts: int) -> list[tuple[Optional[Decimal], ...]]:
    """Order-preserving placements of a row's parts (values after its total) into the part columns."""
    parts = values[1:]
    out = []
    for cols in combinations(range(n_parts), len(parts)):
        vec: list[Optional[Decimal]] = [None] * n_parts
        for c, v in zip(cols, parts):
            vec[c] = v
        out.append(tuple(vec))
    return out


def _groups(codes: list[Optional[str]], labels: list[str]) -> list[tuple[int, list[int]]]:
    """(parent row, its direct child rows) by code prefix in print order, and (合计 row, top-level rows)."""
    groups: list[tuple[int, list[int]]] = []
    stack: list[int] = []
    top: list[int] = []
    children: dict[int, list[int]] = {}
    for i, code in enumerate(codes):
        if not code:
            continue
        while stack and not (code.startswith(codes[stack[-1]]) and len(code) > len(codes[stack[-1]])):
            stack.pop()
        if stack:
            children.setdefault(stack[-1], []).append(i)
        else:
            top.append(i)
        stack.append(i)
    groups += [(p, kids) for p, kids in children.items()]
    totals = [i for i, label in enumerate(labels) if _TOTAL_LABEL.match(label or "") and not codes[i]]
    if len(totals) == 1 and top:
        groups.append((totals[0], top))
    return groups


def place_rows(values: list[list[str]], n_cols: int, codes: list[Optional[str]],
               labels: list[str], column_totals: Optional[dict[int, Decimal]] = None,
               extra_groups: Sequence[tuple[int, list[int]]] = (),
               row_bounds: Optional[dict[int, dict[int, Decimal]]] = None) -> dict[int, list[str | None]]:
    """Rows whose numbers the identities place for sure: {row index: its n_cols value cells}.

    `values[i]` are the number tokens of row i in print order, the first being its total. Rows with
    all n_cols numbers, or none, are not returned (they need no placing). `column_totals` (part
    column → amount) are what another table says the 合计 row holds in those columns.
    `extra_groups` are (total row, its part rows) the caller knows from the template's layout
    (the expenditure side of a 收支总表: 支出总计 over the classes 一、二、…). `row_bounds` (row →
    part column → amount) are ceilings another table sets: a fund's spending on a code in a column
    never exceeds the department's whole spending on it (applied only when no amount is negative)."""
    n_parts = n_cols - 1
    nums = [[_value(t) for t in row] for row in values]
    if n_parts < 2 or any(v is None for row in nums for v in row):
        return {}
    full = [i for i, row in enumerate(nums) if len(row) == n_cols]
    ambiguous = [i for i, row in enumerate(nums) if 1 < len(row) < n_cols]
    if not ambiguous:
        return {}
    # The row identity must be the table's: every fully printed row is total = Σ parts.
    for i in full:
        if abs(nums[i][0] - sum(nums[i][1:], Decimal(0))) > _tolerance(nums[i], n_parts):
            return {}
    for i in ambiguous:
        if abs(nums[i][0] - sum(nums[i][1:], Decimal(0))) > _tolerance(nums[i], n_parts):
            return {}

    fixed: dict[int, tuple[Optional[Decimal], ...]] = {i: tuple(nums[i][1:]) for i in full}
    for i, row in enumerate(nums):
        if len(row) == 1:
            fixed[i] = (None,) * n_parts
    domains = {i: _candidates(nums[i], n_parts) for i in ambiguous}
    totals_row = [i for i, label in enumerate(labels) if _TOTAL_LABEL.match(label or "") and not codes[i]]
    if column_totals and len(totals_row) == 1 and totals_row[0] in domains:
        t = totals_row[0]
        domains[t] = [cand for cand in domains[t]
                      if all(abs((cand[c] or Decimal(0)) - v) <= _tolerance([v], 1) for c, v in column_totals.items())]
        if not domains[t]:
            return {}
    if row_bounds and all(v >= 0 for row in nums for v in row):
        for r, ceilings in row_bounds.items():
            if r in domains:
                domains[r] = [cand for cand in domains[r]
                              if all((cand[c] or Decimal(0)) <= v + _tolerance([v], 1) for c, v in ceilings.items())]
                if not domains[r]:
                    return {}
    groups = [(p, kids) for p, kids in [*_groups(codes, labels), *extra_groups]
              if all(r in fixed or r in domains for r in [p, *kids])]
    # The search runs on integers in the table's smallest printed unit (cents): exact and fast.
    places = max((-v.as_tuple().exponent for row in nums for v in row), default=0)
    scale = Decimal(1).scaleb(places)

    def ints(vec: tuple[Optional[Decimal], ...]) -> tuple[int, ...]:
        return tuple(int(v * scale) if v is not None else 0 for v in vec)

    int_domains = {r: [ints(c) for c in cands] for r, cands in domains.items()}
    int_fixed = {r: ints(v) for r, v in fixed.items()}
    placed: dict[int, list[str | None]] = {}
    for component in _components(ambiguous, groups, domains):
        seen = _solve(component, [g for g in groups if set(g[1]) & set(component) or g[0] in component],
                      int_domains, int_fixed, n_parts)
        if seen is None:
            return {}  # no reading satisfies the identities, or too much work: place nothing
        for r, picks in seen.items():
            if len(picks) == 1:
                vec = domains[r][next(iter(picks))]
                tokens = iter(values[r][1:])
                placed[r] = [values[r][0]] + [next(tokens) if v is not None else None for v in vec]
    return placed


def _components(variables: list[int], groups, domains) -> list[list[int]]:
    """Ambiguous rows linked by shared identities; a row in no identity cannot be decided."""
    parent = {v: v for v in variables}

    def find(v: int) -> int:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    linked: set[int] = set()
    for p, kids in groups:
        members = [r for r in [p, *kids] if r in domains]
        linked.update(members)
        for a, b in zip(members, members[1:]):
            parent[find(a)] = find(b)
    out: dict[int, list[int]] = {}
    for v in variables:
        if v in linked:
            out.setdefault(find(v), []).append(v)
    return list(out.values())


def _solve(order: list[int], groups, domains, fixed, n_parts: int):
    """Every assignment of one component's rows that satisfies its identities, by backtracking:
    {row: indexes of the candidates some solution uses}; None when none does or MAX_NODES is hit.

    Each group keeps the running sum of its kids assigned so far (fixed kids counted from the
    start), so a step costs one vector addition per group the row belongs to, not a re-sum."""
    depth_of = {r: k for k, r in enumerate(order)}
    # Sums of the kids whose numbers are fixed, and which groups each searched row is a kid of.
    sums = [[sum(fixed[k][c] for k in g[1] if k in fixed) for c in range(n_parts)] for g in groups]
    kid_of: dict[int, list[int]] = {}
    for gi, (_, kids) in enumerate(groups):
        for kid in kids:
            if kid in depth_of:
                kid_of.setdefault(kid, []).append(gi)
    checks: dict[int, list[int]] = {}
    for gi, g in enumerate(groups):
        last = max((depth_of[r] for r in [g[0], *g[1]] if r in depth_of), default=-1)
        if last >= 0:
            checks.setdefault(last, []).append(gi)
    # Interval bound: after a kid is placed, the kids still to come can add at least the sum of
    # their smallest and at most the sum of their largest candidate in each column; a partial sum
    # that cannot reach the parent within that interval is cut at once (any signs).
    bounds: dict[int, list[int]] = {}
    reach: dict[tuple[int, int], tuple[list[int], list[int]]] = {}
    for gi, g in enumerate(groups):
        searched = sorted((depth_of[kid] for kid in g[1] if kid in depth_of))
        parent_depth = depth_of.get(g[0], -1)
        # checked when a kid is placed after its parent, and when the parent is placed after kids
        steps = [k for k in searched if k > parent_depth] + ([parent_depth] if parent_depth >= 0 else [])
        for k in steps:
            later = [order[d] for d in searched if d > k]
            lo = [sum(min(cand[c] for cand in domains[r]) for r in later) for c in range(n_parts)]
            hi = [sum(max(cand[c] for cand in domains[r]) for r in later) for c in range(n_parts)]
            bounds.setdefault(k, []).append(gi)
            reach[(gi, k)] = (lo, hi)
    # half a unit of the last printed digit per addend: sums of rounded figures (compared doubled)
    slack = [max(len(g[1]), 1) for g in groups]
    chosen: dict[int, tuple[int, ...]] = {}
    seen: dict[int, set[int]] = {i: set() for i in order}
    picks: dict[int, int] = {}
    state = {"nodes": 0, "solutions": 0}

    def parent_value(gi: int) -> tuple[int, ...]:
        parent = groups[gi][0]
        return chosen[parent] if parent in chosen else fixed[parent]

    def holds(gi: int) -> bool:
        pv, total, tol = parent_value(gi), sums[gi], slack[gi]
        return all(2 * abs(pv[c] - total[c]) <= tol for c in range(n_parts))

    def within(gi: int, k: int) -> bool:
        pv, total, tol = parent_value(gi), sums[gi], slack[gi]
        lo, hi = reach[(gi, k)]
        return all(2 * (total[c] + lo[c] - pv[c]) <= tol and 2 * (pv[c] - total[c] - hi[c]) <= tol
                   for c in range(n_parts))

    def add(r: int, cand: tuple[int, ...], sign: int) -> None:
        for gi in kid_of.get(r, ()):
            total = sums[gi]
            for c in range(n_parts):
                total[c] += sign * cand[c]

    def search(k: int) -> bool:
        if k == len(order):
            state["solutions"] += 1
            for r in order:
                seen[r].add(picks[r])
            return all(len(s) > 1 for s in seen.values())  # nothing left to decide
        r = order[k]
        for n, cand in enumerate(domains[r]):
            state["nodes"] += 1
            if state["nodes"] > MAX_NODES:
                raise _Budget
            chosen[r], picks[r] = cand, n
            add(r, cand, 1)
            ok = (all(holds(gi) for gi in checks.get(k, ()))
                  and all(within(gi, k) for gi in bounds.get(k, ()))
                  and search(k + 1))
            add(r, cand, -1)
            if ok:
                return True
        chosen.pop(r, None)
        return False

    try:
        search(0)
    except _Budget:
        return None
    return seen if state["solutions"] else None


class _Budget(Exception):
    """The search went past MAX_NODES."""
