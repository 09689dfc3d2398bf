"""Gold labels in the schema of ../shared/labels/SCHEMA.md, plus `injected` (one record per injected
error, so evaluation can compute recall per kind). Decimals are written as JSON numbers, never floats."""

from __future__ import annotations

import json
import re
from decimal import Decimal

from eval.generate.document import GenDoc
from eval.generate.figures import WAN, pct, wan

KEY_FIGURES = ("收入总计", "支出总计", "本年收入合计", "一般公共预算收入", "政府性基金预算收入", "上年结转", "基本支出",
               "项目支出", "人员经费", "公用经费", "三公经费合计", "因公出国(境)费", "公务接待费", "公务用车购置及运行费",
               "公务用车购置费", "公务用车运行维护费", "三公经费上年预算", "机关运行经费", "政府采购预算", "项目个数")


def _w(yuan: Decimal) -> Decimal:
    """Exact 万元 value (no rounding): 31,214,205.80 元 -> 3121.42058."""
    v = yuan / WAN
    return v.quantize(Decimal(1)) if v == v.to_integral() else v.normalize()


def key_figures(doc: GenDoc) -> dict:
    b = doc.budget
    tp = b.three_public
    vals = [b.total, b.total, b.income_this_year, b.general_income, b.gov_fund, b.carry, b.basic, b.project,
            b.personnel, b.public, b.three_public_total, tp["因公出国(境)费"], tp["公务接待费"],
            tp["公务用车购置费"] + tp["公务用车运行维护费"], tp["公务用车购置费"], tp["公务用车运行维护费"],
            b.three_public_prior_total, b.operating, sum(b.procurement.values(), Decimal(0))]
    out = {k: _w(v) for k, v in zip(KEY_FIGURES, vals)}
    out["项目个数"] = len(b.projects)
    return out


def _evidence(doc: GenDoc, refs) -> list[dict]:
    out = []
    for key, row, col in refs:
        t = doc.table(key)
        if t is None or t.find(row) is None:
            continue
        v = t.get(row, col)
        out.append({"table": t.title, "row": row, "column": col, "value": v if v is not None else Decimal(0),
                    "unit": t.unit})
    return out


def claims(doc: GenDoc) -> tuple[list[dict], dict[int, str]]:
    out, ids = [], {}
    for n, (slot, c) in enumerate(doc.claims(), 1):
        c.id = f"c{n}"
        ids[id(c)] = c.id
        d = {"id": c.id, "quote": slot.text(), "metric": c.metric, "kind": c.kind, "value": c.value, "unit": c.unit,
             "table_evidence": _evidence(doc, c.evidence), "computed": c.computed, "verdict": c.verdict}
        if c.verdict == "contradiction":
            d["severity"] = c.severity or "medium"
        d["note"] = c.note
        out.append(d)
    return out, ids


def _quote(doc: GenDoc, metric: str, fallback: str) -> str:
    """An untouched narrative fragment for a QA answer (edited ones would quote a wrong figure)."""
    for s, c in doc.claims():
        if c.metric == metric and id(s) not in doc.touched and c.verdict != "contradiction":
            return s.text()
    return fallback


def qa(doc: GenDoc) -> list[dict]:
    b, y = doc.budget, doc.budget.year
    tp, tpt, tpp = b.three_public, b.three_public_total, b.three_public_prior_total
    car = tp["公务用车购置费"] + tp["公务用车运行维护费"]
    tp_title = doc.table("three_public").title if doc.table("three_public") else "“三公”经费"
    items = [
        ("lookup", f"{b.department}{y}年“三公”经费预算是多少？",
         f"{wan(tpt)}万元，其中因公出国（境）费{wan(tp['因公出国(境)费'])}万元、公务用车购置及运行费{wan(car)}万元、"
         f"公务接待费{wan(tp['公务接待费'])}万元。", [wan(tpt), wan(tp["因公出国(境)费"]), wan(car), wan(tp["公务接待费"])],
         _quote(doc, "三公经费合计", tp_title)),
        ("compute", "项目支出占全部支出的比重是多少？",
         f"项目支出{wan(b.project)}万元，占支出合计{wan(b.total)}万元的{pct(b.project, b.total)}%。",
         [wan(b.project), wan(b.total), pct(b.project, b.total)], _quote(doc, "支出合计", doc.tables[0].title)),
        ("list", "这个部门安排了哪些项目支出？",
         "共" + str(len(b.projects)) + "个：" + "；".join(f"{p.name}{wan(p.amount)}万元" for p in b.projects) + "。",
         [Decimal(len(b.projects))] + [wan(p.amount) for p in b.projects], _quote(doc, "项目个数", "项目")),
        ("yes_no", "这个部门有没有公务用车？",
         (f"有，共有公务用车{b.vehicles}辆，公务用车运行维护费{wan(tp['公务用车运行维护费'])}万元。" if b.vehicles
          else "没有，本部门公务用车为0辆。"), [Decimal(b.vehicles)], _quote(doc, "公务用车数量", "公务用车")),
        ("lookup", "机关运行经费预算多少？", f"{wan(b.operating)}万元。", [wan(b.operating)],
         _quote(doc, "机关运行经费", doc.style.words["operating"])),
    ]
    reason = next((s for s in doc.slots() if "three_public_reason" in s.tags), None)
    if tpt != tpp:
        if reason is not None and not reason.removed:
            items.append(("why", "“三公”经费为什么比上年有变化？",
                          f"比上年{'增加' if tpt > tpp else '减少'}{wan(abs(tpt - tpp))}万元，文件说明的原因是{b.three_public_reason}。",
                          [wan(abs(tpt - tpp))], reason.text()))
        else:
            items.append(("unanswerable", "“三公”经费为什么比上年有变化？",
                          f"文件只给出变化额{wan(abs(tpt - tpp))}万元，没有说明原因。", [wan(abs(tpt - tpp))],
                          _quote(doc, "三公经费合计", tp_title)))
    if b.total != b.prior_total:
        items.append(("compare", "和上年相比，部门预算总额怎样变化？",
                      f"{y}年{wan(b.total)}万元，{y - 1}年{wan(b.prior_total)}万元，"
                      f"{'增加' if b.total > b.prior_total else '减少'}{wan(abs(b.total - b.prior_total))}万元"
                      f"（{pct(abs(b.total - b.prior_total), b.prior_total)}%）。",
                      [wan(b.total), wan(b.prior_total), wan(abs(b.total - b.prior_total))],
                      _quote(doc, "收支总计上年预算", _quote(doc, "收入总计", "收入总计"))))
    big = max(b.projects, key=lambda p: p.amount)
    items.append(("unanswerable", f"{big.name}由哪家单位承接、合同金额是多少？",
                  f"文件没有披露承接单位和合同金额，只列出该项目预算{wan(big.amount)}万元。", [wan(big.amount)],
                  _quote(doc, big.name, big.name)))
    return [{"id": f"q{i}", "question": q, "type": t, "answer": a, "key_values": kv, "evidence_quote": ev}
            for i, (t, q, a, kv, ev) in enumerate(items, 1)]


def build_label(doc: GenDoc, files: dict[str, str]) -> dict:
    cl, ids = claims(doc)
    issues = []
    for n, issue in enumerate(doc.table_issues, 1):
        issue["id"] = f"t{n}"
        issues.append({k: issue[k] for k in ("id", "description", "locations", "values", "difference",
                                             "likely_cause", "severity")})
    injected = []
    for n, rec in enumerate(doc.injected, 1):
        r = {k: v for k, v in rec.items() if not k.startswith("_")}
        r = {"id": f"e{n}", **r, "claim_ids": [ids[id(c)] for c in rec["_claims"] if id(c) in ids],
             "table_inconsistency_ids": [i["id"] for i in rec["_issues"]]}
        injected.append(r)
    b = doc.budget
    return {"doc": files.get("text") or files.get("pdf"), "department": b.department, "year": b.year, "unit": "万元",
            "key_figures": key_figures(doc), "claims": cl, "table_inconsistencies": issues, "qa": qa(doc),
            "injected": injected, "docs": files,
            "generator": {"seed": b.seed, "style": doc.style.id, "table_unit": doc.style.table_unit, "fictional": True}}


_DEC = re.compile(r'"__D__(-?[0-9.E+-]+)__"')


def dumps(label: dict) -> str:
    """JSON with Decimals as exact numbers (json cannot do this without floats)."""
    def enc(o):
        if isinstance(o, Decimal):
            return f"__D__{format(o, 'f')}__"
        raise TypeError(type(o))
    return _DEC.sub(r"\1", json.dumps(label, ensure_ascii=False, indent=1, default=enc))


def loads(text: str) -> dict:
    return json.loads(text, parse_float=Decimal)
