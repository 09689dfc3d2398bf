"""Labelled error injection. Each injector edits one place of a `GenDoc`, updates the claims it makes
wrong (verdict 'contradiction', value as printed) or adds a table inconsistency ('genuine'), and
returns an `injected` record: kind, location, original, injected, expected detection.

Injectors never touch a table cell that a narrative claim cites, so an edit changes exactly what its
record says and nothing else.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Callable, Optional

from eval.generate.document import GenDoc
from eval.generate.narrative import Claim, Slot

KINDS = ("narrative_amount", "share_rate", "direction_word", "compared_year", "unit_slip", "digit_swap",
         "table_sum_break", "project_table_mismatch", "missing_table", "missing_three_public_reason")
CENT = Decimal("0.01")


def _fresh(doc: GenDoc, pred: Callable[[Slot, Claim], bool]) -> list[tuple[Slot, Claim]]:
    return [(s, c) for s, c in doc.claims() if id(s) not in doc.touched and pred(s, c)]


def _record(doc: GenDoc, kind: str, slot: Optional[Slot], before: str, after: str, detect: str,
            claims: list[Claim] = (), issues: list[dict] = (), location: Optional[dict] = None) -> dict:
    if slot is not None:
        doc.touched.add(id(slot))
        location = {"section": doc.section_of(slot), "quote": after}
    rec = {"kind": kind, "location": location, "original": before, "injected": after,
           "expected_detection": detect, "_claims": list(claims), "_issues": list(issues)}
    doc.injected.append(rec)
    return rec


def _contradict(c: Claim, value: Decimal, unit: str, note: str, severity: str = "high") -> None:
    c.value, c.unit, c.verdict, c.severity, c.note = value, unit, "contradiction", severity, note


def narrative_amount(doc: GenDoc, rng: random.Random):
    cands = _fresh(doc, lambda s, c: c.kind == "amount" and c.evidence and c.value > 1)
    if not cands:
        return None
    s, c = rng.choice(cands)
    f, before = s.fields[c.field], s.text()
    delta = (c.value * Decimal(rng.randint(2, 30)) / 100).quantize(CENT)
    new = c.value + delta if rng.random() < 0.6 else c.value - delta
    f.value = new
    _contradict(c, new, "万元", f"injected: 叙述金额由{c.value}改为{new}, 表中为原值", "high")
    c.computed = f"表中 {before} ≠ 叙述 {new}"
    return _record(doc, "narrative_amount", s, before, s.text(), "narrative amount differs from its table cell", [c])


def share_rate(doc: GenDoc, rng: random.Random):
    cands = _fresh(doc, lambda s, c: c.kind in ("share_pct", "change_pct") and c.verdict == "consistent")
    if not cands:
        return None
    s, c = rng.choice(cands)
    before, old = s.text(), c.value
    shift = Decimal(rng.randint(50, 900)) / 100
    new = old + shift if (old + shift <= 100 or c.kind == "change_pct") and (rng.random() < 0.5 or old < shift) else old - shift
    s.fields[c.field].value = new
    _contradict(c, new, "%", f"injected: 比率由{old}%改为{new}%", "medium")
    c.computed += f"; printed {new}%"
    return _record(doc, "share_rate", s, before, s.text(), f"{c.kind} recomputed from the tables is {old}%", [c])


def direction_word(doc: GenDoc, rng: random.Random):
    cands = _fresh(doc, lambda s, c: c.kind == "change_amount" and c.verdict == "consistent" and "dir" in s.fields)
    if not cands:
        return None
    s, c = rng.choice(cands)
    before, w = s.text(), doc.style.words
    flip = {w["up"]: w["down"], w["down"]: w["up"], w["rise"]: w["fall"], w["fall"]: w["rise"]}
    for k in ("dir", "dir2"):
        if k in s.fields:
            s.fields[k].value = flip[s.fields[k].value]
    _contradict(c, c.value, c.unit, f"injected: 方向词改为“{s.fields['dir'].value}”, 与本年/上年数的增减方向相反")
    return _record(doc, "direction_word", s, before, s.text(), "direction word disagrees with the sign of current - prior", [c])


def compared_year(doc: GenDoc, rng: random.Random):
    cands = _fresh(doc, lambda s, c: c.kind == "change_amount" and "year" in s.fields)
    if not cands:
        return None
    s, c = rng.choice(cands)
    before, right = s.text(), doc.budget.year - 1
    wrong = rng.choice([right - 1, right + 1])
    s.fields["year"].value = wrong
    _contradict(c, c.value, c.unit, f"injected: 比较年度写成{wrong}年, 应为{right}年(预算年度-1)", "medium")
    return _record(doc, "compared_year", s, before, s.text(), f"compared year {wrong} is not budget year - 1 ({right})", [c])


def unit_slip(doc: GenDoc, rng: random.Random):
    cands = _fresh(doc, lambda s, c: c.kind == "amount" and c.evidence and c.value > 0)
    if not cands:
        return None
    s, c = rng.choice(cands)
    f, before = s.fields[c.field], s.text()
    if rng.random() < 0.5:
        f.unit, new, unit = "元", c.value, "元"  # the 万元 number printed with 元
    else:
        new, unit = c.value * 10000, "万元"  # the 元 number printed with 万元
        f.value = new
    _contradict(c, new, unit, f"injected: 单位错位 元/万元 (正确为{c.value}万元)")
    return _record(doc, "unit_slip", s, before, s.text(), "amount off by a factor of 10,000 (元/万元 slip)", [c])


def digit_swap(doc: GenDoc, rng: random.Random):
    def swappable(v: Decimal) -> list[int]:
        t = f"{v:.2f}"
        return [i for i in range(len(t) - 1) if t[i].isdigit() and t[i + 1].isdigit() and t[i] != t[i + 1]
                and not (i == 0 and t[i + 1] == "0")]

    cands = _fresh(doc, lambda s, c: c.kind == "amount" and c.evidence and bool(swappable(c.value)))
    if not cands:
        return None
    s, c = rng.choice(cands)
    before, t = s.text(), f"{c.value:.2f}"
    i = rng.choice(swappable(c.value))
    new = Decimal(t[:i] + t[i + 1] + t[i] + t[i + 2:])
    s.fields[c.field].value = new
    _contradict(c, new, "万元", f"injected: 相邻数字互换 {t} -> {new}")
    return _record(doc, "digit_swap", s, before, s.text(), "two adjacent digits swapped against the table", [c])


def _leaf_rows(t, functional: bool) -> list[int]:
    out = []
    for i in range(len(t.rows)):
        code = t.row_label(i).split(" ")[0]
        if code.isdigit() and len(code) == (7 if functional else 5):
            out.append(i)
    return out


def table_sum_break(doc: GenDoc, rng: random.Random):
    cited = doc.cited_cells()
    opts = []
    for key in ("expenditure", "general", "income", "basic"):
        t = doc.table(key)
        if t is None or id(t) in doc.touched:
            continue
        for i in _leaf_rows(t, key != "basic"):
            for j, col in enumerate(t.columns):
                label = t.row_label(i)
                if isinstance(t.rows[i][j], Decimal) and (key, label, col) not in cited:
                    opts.append((t, i, j))
    if not opts:
        return None
    t, i, j = rng.choice(opts)
    old = t.rows[i][j]
    step = CENT if t.unit == "万元" else Decimal(1)
    delta = max(step, (old * Decimal(rng.randint(1, 15)) / 100).quantize(step))
    new = old + delta if rng.random() < 0.6 else max(old - delta, step)
    t.rows[i][j] = new
    doc.touched.add(id(t))
    label, col = t.row_label(i), t.columns[j]
    code = label.split(" ")[0]
    parent_code = code[:5] if len(code) == 7 else code[:3]
    pi = next(k for k in range(len(t.rows)) if t.row_label(k).split(" ")[0] == parent_code)
    kids = [k for k in range(len(t.rows)) if t.row_label(k).split(" ")[0].startswith(parent_code)
            and len(t.row_label(k).split(" ")[0]) == len(code)]
    total = sum((t.rows[k][j] or Decimal(0) for k in kids), Decimal(0))
    printed = t.rows[pi][j] or Decimal(0)
    issue = {"description": f"{t.title}：{label}的“{col}”改为{new}后，{t.row_label(pi)}的{col} {printed} 不等于下级行之和 {total}；"
                            f"该行与其他表同一科目的金额也不一致",
             "locations": [f"{t.title}/{label}/{col}", f"{t.title}/{t.row_label(pi)}/{col}"],
             "values": [printed, total], "difference": abs(printed - total), "likely_cause": "genuine",
             "severity": "medium", "unit": t.unit}
    doc.table_issues.append(issue)
    loc = {"table": t.title, "row": label, "column": col}
    return _record(doc, "table_sum_break", None, f"{old}", f"{new}", "a parent row or total no longer equals the sum of its rows",
                   issues=[issue], location=loc)


def project_table_mismatch(doc: GenDoc, rng: random.Random):
    t = doc.table("project")
    if t is None or id(t) in doc.touched:
        return None
    quoted = {c.metric for _, c in doc.claims() if c.evidence and c.evidence[0][0] == "project"}
    rows = [i for i in range(len(t.rows)) if t.rows[i][0] not in quoted and t.rows[i][0] != "合计"]
    if not rows:
        return None
    i = rng.choice(rows)
    old = t.rows[i][3]
    step = CENT if t.unit == "万元" else Decimal(1)
    delta = max(step * 100, (old * Decimal(rng.randint(5, 40)) / 100).quantize(step))
    new = old + delta
    fund_col = 4 if t.rows[i][4] is not None else 5
    t.rows[i][3] = t.rows[i][fund_col] = new
    doc.touched.add(id(t))
    tot = t.rows[t.find("合计")][3]
    rows_sum = sum((t.rows[k][3] for k in range(len(t.rows)) if t.rows[k][0] != "合计"), Decimal(0))
    issue = {"description": f"{t.title}：{t.rows[i][0]}金额改为{new}后，各项目之和{rows_sum}不等于项目支出合计{tot}（支出总表项目支出）",
             "locations": [f"{t.title}/{t.rows[i][0]}/预算金额/合计", f"{t.title}/合计/预算金额/合计",
                           f"{doc.table('expenditure').title}/合计/支出预算/项目支出"],
             "values": [rows_sum, tot], "difference": abs(rows_sum - tot), "likely_cause": "genuine",
             "severity": "high", "unit": t.unit}
    doc.table_issues.append(issue)
    loc = {"table": t.title, "row": t.rows[i][0], "column": "预算金额/合计"}
    return _record(doc, "project_table_mismatch", None, f"{old}", f"{new}",
                   "project table rows do not sum to 项目支出", issues=[issue], location=loc)


MISSABLE = ("three_public", "gov_fund", "basic", "general")


def missing_table(doc: GenDoc, rng: random.Random, opts: Optional[list] = None):
    """A required table left out. `opts`: the tables that may go (default: the missable ones)."""
    opts = [t for t in doc.tables if t.key in MISSABLE and id(t) not in doc.touched] if opts is None else opts
    if not opts:
        return None
    t = rng.choice(opts)
    doc.tables.remove(t)
    for _, c in doc.claims():  # claims that cited it keep only the evidence still printed
        kept = [r for r in c.evidence if r[0] != t.key]
        if len(kept) != len(c.evidence):
            c.evidence = kept
            if not kept and c.verdict == "consistent":
                c.verdict, c.note = "unverifiable", f"{t.title}缺失(注入), 无表可核"
    return _record(doc, "missing_table", None, t.title, "", f"completeness: required table {t.title} is missing",
                   location={"table": t.title, "number": t.number})


def missing_three_public_reason(doc: GenDoc, rng: random.Random):
    s = next((s for s in doc.slots() if "three_public_reason" in s.tags and id(s) not in doc.touched), None)
    b = doc.budget
    if s is None or b.three_public_total == b.three_public_prior_total:
        return None
    before = s.text()
    s.removed = True
    doc.touched.add(id(s))
    return _record(doc, "missing_three_public_reason", None, before, "",
                   "completeness: 三公经费 change without a stated reason",
                   location={"section": doc.section_of(s), "quote": before})


INJECTORS = {k: globals()[k] for k in KINDS}
ORDER = {k: i for i, k in enumerate(("table_sum_break", "project_table_mismatch", "narrative_amount", "share_rate",
                                      "direction_word", "compared_year", "unit_slip", "digit_swap",
                                      "missing_three_public_reason", "missing_table"))}


def inject(doc: GenDoc, rng: random.Random, n: int, kinds: Optional[list[str]] = None,
           injectors: Optional[dict[str, Callable]] = None) -> list[dict]:
    """Inject up to n errors of distinct kinds. Kinds are drawn at random, applied table-first (so the
    narrative never quotes an edited cell) and missing_table last; an inapplicable kind is replaced.
    `injectors`: kind → injector (default `INJECTORS`; layout documents bring their own table ones)."""
    injectors = injectors or INJECTORS
    pool = list(kinds or KINDS)
    rng.shuffle(pool)
    chosen, rest = pool[:n], pool[n:]
    done = []
    for k in sorted(chosen, key=ORDER.get):
        rec = injectors[k](doc, rng)
        if rec is not None:
            done.append(rec)
    while len(done) < n and rest:  # fall back on kinds that still apply
        rec = injectors[rest.pop(0)](doc, rng)
        if rec is not None:
            done.append(rec)
    return done
