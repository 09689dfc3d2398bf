"""A question corpus over generated documents: templates (templates.py) filled from a budget, with
the truth computed from the generator's own data (eval/generate/figures.Budget, every amount exact in
元), never from reading the rendered document.

Truth values are what a careful reader would print: amounts in 万元 rounded half-up to cents, shares
and rates in per cent to 2 decimals from the exact amounts, amounts asked in 元 to the 分.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from eval.generate.figures import Budget, pct
from eval.generate.figures import wan as _wan
from eval.questions.templates import (CHANGE_METRICS, DIFF_PAIRS, SHARE_PAIRS, SHORT_KIND, SUM_PAIRS, TEMPLATES,
                                      VALUE_METRICS, WORDINGS)


@dataclass
class Question:
    id: str
    template: str
    kind: str
    question: str
    key_values: list = field(default_factory=list)  # Decimal
    answerable: bool = True
    unit: str = "万元"  # the truth values' unit: 万元, 元, %, 个, 辆
    doc: str = ""  # the document's name
    family: str = ""


def wan(yuan: Decimal) -> Decimal:
    """元 → 万元 to the cent (the generator's rounding); zero stays 0: a blank cell or an empty table is
    exactly nothing, and "0" prints that exactly."""
    return _wan(yuan) if yuan else Decimal(0)


def amounts(b: Budget) -> dict[str, Decimal]:
    """Each metric's exact amount in 元, as the generator built it."""
    tp = b.three_public
    return {"支出总计": b.total, "收入总计": b.total, "基本支出": b.basic, "项目支出": b.project,
            "人员经费": b.personnel, "公用经费": b.public, "三公经费": b.three_public_total,
            "因公出国(境)费": tp["因公出国(境)费"], "公务接待费": tp["公务接待费"],
            "公务用车购置及运行费": tp["公务用车购置费"] + tp["公务用车运行维护费"], "机关运行经费": b.operating,
            "政府采购": sum(b.procurement.values(), Decimal(0)), "一般公共预算收入": b.general_income}


def priors(b: Budget) -> dict[str, Decimal]:
    return {"三公经费": b.three_public_prior_total, "机关运行经费": b.operating_prior, "支出总计": b.prior_total}


def department_forms(b: Budget) -> list[str]:
    """The department as people write it: in full, district and short kind, short kind, or not at all."""
    district = b.region[3:] if len(b.region) > 3 else b.region
    shorts = SHORT_KIND.get(b.kind, [b.kind])
    return [b.department, district + shorts[0], district + b.kind, shorts[-1], "该局", ""]


def year_forms(y: int) -> list[str]:
    return [f"{y}年", f"{y}年", "", "今年"]


def _word(rng: random.Random, metric: str) -> str:
    return rng.choice(WORDINGS.get(metric, [metric]))


def questions_for(b: Budget, name: str, family: str, rng: random.Random, per_doc: int) -> list[Question]:
    """`per_doc` questions on one budget: templates drawn without replacement (all before any twice),
    each with a random department, year and metric wording."""
    amt, pri = amounts(b), priors(b)
    order = list(TEMPLATES)
    rng.shuffle(order)
    out: list[Question] = []
    i = 0
    while len(out) < per_doc and i < len(order) * 3:
        tid, kind, text = order[i % len(order)]
        i += 1
        q = _fill(b, tid, kind, text, amt, pri, rng)
        if q is not None:
            q.id, q.doc, q.family = f"{name}:{len(out) + 1}", name, family
            out.append(q)
    return out


def _fill(b: Budget, tid: str, kind: str, text: str, amt: dict, pri: dict, rng: random.Random) -> Optional[Question]:
    slots = {"D": rng.choice(department_forms(b)), "Y": rng.choice(year_forms(b.year)), "P": str(b.year - 1),
             "O": str(b.year - 6)}
    if kind == "value" or kind == "value_yuan":
        m = rng.choice(VALUE_METRICS)
        slots["A"] = _word(rng, m)
        kv = [amt[m].quantize(Decimal("0.01"))] if kind == "value_yuan" else [wan(amt[m])]
    elif kind == "parts":
        tp = amt
        kv = [wan(tp["三公经费"]), wan(tp["因公出国(境)费"]), wan(tp["公务用车购置及运行费"]), wan(tp["公务接待费"])]
    elif kind in ("subject", "code"):
        leafs = [i for i in b.items if i.total != 0]
        item = rng.choice(leafs)
        if kind == "subject":
            names = [i.name for i in b.items]
            if names.count(item.name) > 1:
                return None  # the name alone does not say which 科目
            slots["S"] = item.name
        slots["C"] = item.code
        kv = [wan(item.total)]
    elif kind in ("project", "project_share"):
        p = rng.choice(b.projects)
        if any(o is not p and (p.name in o.name) for o in b.projects):
            return None  # a name that is part of another project's name
        slots["J"] = p.name
        kv = [wan(p.amount)] if kind == "project" else [pct(p.amount, b.project)]
    elif kind == "share":
        a, w = rng.choice(SHARE_PAIRS)
        if amt[w] == 0:
            return None
        slots["A"], slots["B"] = _word(rng, a), _word(rng, w)
        kv = [pct(amt[a], amt[w])]
    elif kind == "share_total":
        a = rng.choice(["项目支出", "基本支出"])
        slots["A"] = _word(rng, a)
        kv = [pct(amt[a], amt["支出总计"])]
    elif kind == "share_parts":
        parts = ("人员经费", "公用经费", "基本支出") if "人员" in text else ("基本支出", "项目支出", "支出总计")
        kv = [pct(amt[parts[0]], amt[parts[2]]), pct(amt[parts[1]], amt[parts[2]])]
    elif kind in ("change", "prior_value"):
        m = rng.choice(CHANGE_METRICS)
        if amt[m] == pri[m]:
            return None
        slots["A"] = rng.choice(["收支总计", "预算总额", "总支出"]) if m == "支出总计" else _word(rng, m)
        kv = [wan(abs(amt[m] - pri[m]))] if kind == "change" else [wan(pri[m])]
    elif kind in ("difference", "sum", "two_values"):
        a, c = rng.choice(DIFF_PAIRS if kind == "difference" else SUM_PAIRS)
        slots["A"], slots["B"] = _word(rng, a), _word(rng, c)
        if kind == "difference":
            kv = [wan(abs(amt[a] - amt[c]))]
        elif kind == "sum":
            kv = [wan(amt[a] + amt[c])]
        else:
            kv = [wan(amt[a]), wan(amt[c])]
    elif kind == "yes_fund":
        kv = [wan(b.gov_fund)]
    elif kind == "yes_value":
        kv = [wan(amt["三公经费"])]
    elif kind == "vehicles":
        kv = [Decimal(b.vehicles)]
    elif kind == "projects":
        kv = [Decimal(len(b.projects))]
    elif kind.startswith("unanswerable"):
        slots["J"] = rng.choice(b.projects).name
        kv = []
    else:
        return None
    unit = {"value_yuan": "元", "vehicles": "辆", "projects": "个"}.get(kind, "%" if "share" in kind else "万元")
    return Question("", tid, kind, text.format(**slots), kv, answerable=not kind.startswith("unanswerable"), unit=unit)
