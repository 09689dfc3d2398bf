"""Generated figures satisfy every identity of domain.md before injection, checked here with Decimal
arithmetic on the printed tables and narrative (not on the generator's own totals)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest

from eval.generate import generate_doc
from eval.generate.labels import build_label
from eval.generate.styles import STYLES

D0 = Decimal(0)
CASES = [(i, s) for i in range(12) for s in STYLES]


def n(v) -> Decimal:
    return v if isinstance(v, Decimal) else D0


def code_rows(t):
    """(code, row) for coded rows, and the 合计 row."""
    rows, total = [], None
    for i, r in enumerate(t.rows):
        code = "".join(c for c in r if isinstance(c, str) and c.isdigit())
        if code:
            rows.append((code, r))
        elif "合计" in r:
            total = r
    return rows, total


def amount_cols(t):
    return [j for j in range(len(t.columns)) if any(isinstance(r[j], Decimal) for r in t.rows)]


def check_hierarchy(t, levels):
    rows, total = code_rows(t)
    by = {c: r for c, r in rows}
    for j in amount_cols(t):
        for code, r in rows:
            kids = [k for k in by if k.startswith(code) and len(k) == levels.get(len(code), -1)]
            if kids:
                assert n(r[j]) == sum((n(by[k][j]) for k in kids), D0), (t.title, code, t.columns[j])
        top = [c for c in by if len(c) == 3]
        assert n(total[j]) == sum((n(by[c][j]) for c in top), D0), (t.title, t.columns[j])
    return by, total


def wan(v: Decimal, unit: str) -> Decimal:
    return (v / 10000 if unit == "元" else v).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.mark.parametrize("index,style", CASES)
def test_identities_hold_before_injection(index, style):
    doc = generate_doc(index, 3, style, errors=0)
    T = {t.key: t for t in doc.tables}
    assert set(T) >= {"summary", "income", "expenditure", "fiscal", "general", "basic", "three_public", "gov_fund"}
    func = {3: 5, 5: 7}
    cols = lambda t, name: t.columns.index(next(c for c in t.columns if c.endswith(name)))  # noqa: E731
    exp, exp_total = check_hierarchy(T["expenditure"], func)
    inc, inc_total = check_hierarchy(T["income"], func)
    gen, gen_total = check_hierarchy(T["general"], func)
    bas, bas_total = check_hierarchy(T["basic"], {3: 5})
    e_all, e_b, e_p = (cols(T["expenditure"], x) for x in ("合计", "基本支出", "项目支出"))
    for code, r in list(exp.items()) + [("total", exp_total)]:
        assert n(r[e_all]) == n(r[e_b]) + n(r[e_p]), code  # 合计 = 基本 + 项目
    for code, r in gen.items():
        assert n(r[e_all]) == n(r[e_b]) + n(r[e_p])
    b_all, b_p, b_q = (cols(T["basic"], x) for x in ("合计", "人员经费", "公用经费"))
    for code, r in list(bas.items()) + [("total", bas_total)]:
        assert n(r[b_all]) == n(r[b_p]) + n(r[b_q]), code  # 基本 = 人员 + 公用
    i_cols = [cols(T["income"], x) for x in ("一般公共预算拨款收入", "政府性基金预算拨款收入", "上年结转")]
    for code, r in list(inc.items()) + [("total", inc_total)]:
        assert n(r[cols(T["income"], "合计")]) == sum((n(r[j]) for j in i_cols), D0)
    # Same 科目, same amount in every table (general fund items also in the general table).
    for code, r in exp.items():
        assert n(inc[code][cols(T["income"], "合计")]) == n(r[e_all])
        if code in gen and len(code) == 7:
            assert n(gen[code][e_all]) == n(r[e_all]) - n(inc[code][cols(T["income"], "政府性基金预算拨款收入")])
    # 收支总表 and 财政拨款收支总表.
    s = T["summary"]
    get = lambda t, label, col: next(r[col] for r in t.rows if label in r)  # noqa: E731
    total = get(s, "收入总计", 1)
    assert total == get(s, "支出总计", 3) == n(exp_total[e_all]) == n(inc_total[cols(T["income"], "合计")])
    assert total == n(get(s, "本年收入合计", 1)) + n(get(s, "上年结转", 1))
    income_rows = [r[1] for r in s.rows if r[0][:2] in ("一、", "二、", "三、", "四、", "五、")]
    assert n(get(s, "本年收入合计", 1)) == sum((n(v) for v in income_rows), D0)
    assert n(get(s, "本年支出合计", 3)) == sum((n(r[3]) for r in s.rows if re.match(r"^[一二三四五六七八九十]+、", r[2])), D0)
    f = T["fiscal"]
    assert get(f, "收入总计", 1) == get(f, "支出总计", 3) == total
    assert n(get(f, "支出总计", 4)) == n(gen_total[e_all])
    assert n(get(f, "一、本年收入", 1)) == n(get(f, "（一）一般公共预算拨款", 1)) + n(get(f, "（二）政府性基金预算拨款", 1))
    assert n(bas_total[b_all]) == n(exp_total[e_b])  # 基本支出表 total = 支出总表 基本支出
    # 三公: 合计 = 出国 + 车 + 接待, 车 = 购置 + 运行.
    for r in T["three_public"].rows:
        assert r[1] == r[2] + r[3] + r[6] and r[3] == r[4] + r[5]
    # 项目支出表 Σ = 项目支出; 机构运行经费 = 公用经费; 政府采购 Σ.
    p = T["project"]
    ptot = next(r for r in p.rows if r[0] == "合计")
    assert sum((r[3] for r in p.rows if r[0] != "合计"), D0) == ptot[3] == n(exp_total[e_p])
    o = T["operating"]
    assert o.rows[-1][2] == sum((n(r[2]) for r in o.rows[:-1]), D0) == n(bas_total[b_q])
    pr = T["procurement"]
    assert pr.rows[-1][1] == sum((r[1] for r in pr.rows[:-1]), D0)
    # Empty government-fund table has its 空表说明.
    if all(n(v) == 0 for r in T["gov_fund"].rows for v in r if isinstance(v, Decimal) or v is None):
        assert T["gov_fund"].note and "空表" in T["gov_fund"].note


@pytest.mark.parametrize("index,style", CASES)
def test_narrative_claims_agree_with_tables(index, style):
    doc = generate_doc(index, 3, style, errors=0)
    label = build_label(doc, {"text": "x.txt"})
    assert all(c["verdict"] != "contradiction" for c in label["claims"])
    for c in label["claims"]:
        ev = c["table_evidence"]
        if c["kind"] == "amount" and ev:
            for e in ev:
                assert wan(e["value"], e["unit"]) == c["value"], c
        if c["kind"] == "share_pct":
            part, whole = wan(ev[0]["value"], ev[0]["unit"]), wan(ev[1]["value"], ev[1]["unit"]) if len(ev) > 1 else None
            if whole:
                assert abs(part * 100 / whole - c["value"]) <= Decimal("0.011"), c  # rounding of 2-decimal inputs
        if c["kind"] == "change_pct":
            nums = [Decimal(x) for x in re.findall(r"\d+\.\d+", c["quote"])]
            delta, rate = nums[-2], nums[-1]
            prior = nums[-3] if len(nums) >= 3 else None
            if prior:
                assert abs(delta * 100 / prior - rate) <= Decimal("0.011"), c
    # The total change: current - stated prior = stated change, in the stated direction.
    q = next(c["quote"] for c in label["claims"] if c["kind"] == "prior_year_amount" and c["metric"] == "收支总计上年预算")
    cur = next(c["value"] for c in label["claims"] if c["metric"] == "收入总计")
    prior, delta = (Decimal(x) for x in re.findall(r"\d+\.\d+", q)[:2])
    sign = 1 if ("增加" in q) else -1
    assert abs(cur - prior - sign * delta) <= Decimal("0.01")
    kf = label["key_figures"]
    assert kf["收入总计"] == kf["支出总计"] == kf["本年收入合计"] + kf["上年结转"]
    assert kf["支出总计"] == kf["基本支出"] + kf["项目支出"]
    assert kf["基本支出"] == kf["人员经费"] + kf["公用经费"]
    assert kf["三公经费合计"] == kf["因公出国(境)费"] + kf["公务接待费"] + kf["公务用车购置及运行费"]
    assert kf["公务用车购置及运行费"] == kf["公务用车购置费"] + kf["公务用车运行维护费"]
