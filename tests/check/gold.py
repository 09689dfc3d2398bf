"""Match the checker's claims and findings against the gold labels in ../shared/labels."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

from checking.check import run_checks
from checking.findings import Severity


def _norm(s: str) -> str:
    return re.sub(r"[\s\t]+", "", s or "")


def gold_for(labels_dir: Path, doc_name: str) -> dict | None:
    stem = Path(doc_name).stem
    path = labels_dir / f"{stem}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def match_claims(doc, ctx, gold_claims):
    """gold claim id → our claim (or None). A claim matches when it has the gold value and stands
    inside the gold quote's place in the narrative (repeated quotes: any occurrence)."""
    texts = {s.id: _norm(s.text) for s in doc.sections}
    starts = {}  # claim id → position in its section's normalised text
    for c in ctx.claims:
        raw_sec = next(s.text for s in doc.sections if s.id == c.location.section_id)
        starts[c.id] = len(_norm(raw_sec[: c.location.offset]))
    out = {}
    for g in gold_claims:
        gv = Decimal(str(g["value"])) if g.get("value") is not None else None
        q = _norm(g["quote"])
        placed = any(q in t for t in texts.values()) if q else False
        best = None
        for c in ctx.claims:
            if gv is None or c.value != abs(gv):
                continue
            sec = texts.get(c.location.section_id, "")
            pos = starts[c.id]
            if placed:
                ok = any(h <= pos <= h + len(q) for h in (m.start() for m in re.finditer(re.escape(q), sec)))
            else:
                ok = bool(q) and q[-10:] in _norm(c.quote)
            if ok:
                best = c
                if c.kind == g["kind"]:
                    break
        out[g["id"]] = best
    return out


def finding_covers(findings, values: set[Decimal]) -> list:
    """Error/warning findings citing all the given figures (in the finding's unit or 元→万元)."""
    hits = []
    for f in findings:
        if f.severity is Severity.info:
            continue
        figs = f.figures()
        figs |= {v / 10000 for v in figs}
        if values <= {x.quantize(Decimal("0.01")) for x in figs} | figs:
            hits.append(f)
    return hits


def evaluate(doc, labels_dir: Path) -> dict:
    gold = gold_for(labels_dir, doc.source)
    report, ctx = run_checks(doc)
    res = {"doc": doc.source, "report": report, "comparable": 0, "extracted_aligned": 0, "missed": [],
           "contradictions": [], "false_errors": [], "genuine": [], "artifacts": []}
    if gold is None:
        return res
    matched = match_claims(doc, ctx, gold["claims"])
    by_claim = {}
    for f in report.findings:
        if f.claim_id:
            by_claim.setdefault(f.claim_id, []).append(f)
    for g in gold["claims"]:
        c = matched[g["id"]]
        comparable = g["verdict"] == "consistent" or (g["verdict"] == "contradiction" and g.get("table_evidence"))
        if comparable and g["kind"] != "sum_of_parts":
            res["comparable"] += 1
            in_tables = not any(_norm(g["quote"]) in _norm(s.text) for s in doc.sections)
            if c is not None and c.id in ctx.aligned:
                res["extracted_aligned"] += 1
            elif c is None and in_tables and any(v == Decimal(str(g["value"])) for _, v in ctx.checked):
                res["extracted_aligned"] += 1  # a figure printed in a (performance) table that a rule compared
            else:
                res["missed"].append((g["id"], g["kind"], g["quote"][:40], c.id if c else None))
        if g["verdict"] == "consistent" and c is not None:
            errs = [f for f in by_claim.get(c.id, []) if f.severity is Severity.error]
            if errs:
                res["false_errors"].append((g["id"], g["quote"][:40], [f.message for f in errs]))
        if g["verdict"] == "contradiction":
            vals = {Decimal(str(g["value"]))}
            ev = [Decimal(str(e["value"])) for e in g.get("table_evidence", [])]
            hits = [f for f in finding_covers(report.findings, vals) if not ev or any(e in f.figures() or e / 10000 in {x for x in f.figures()} or any(abs(e - x) < Decimal("0.01") for x in f.figures()) or any(abs(e/10000 - x) < Decimal("0.005") for x in f.figures()) for e in ev)]
            res["contradictions"].append((g["id"], g["quote"][:40], bool(hits), [f.code for f in hits]))
    for t in gold["table_inconsistencies"]:
        vals = {Decimal(str(v)) for v in t["values"]}
        hits = [f for f in report.findings if f.severity is not Severity.info and vals and vals & _figs(f)]
        if t["likely_cause"] == "genuine":
            res["genuine"].append((t["id"], t["description"][:50], bool(hits), [f.code for f in hits]))
        elif t["likely_cause"] == "extraction_artifact":
            # an error "on" the artifact cites its figures and its gap (equal figures have no numeric signature)
            gap = Decimal(str(t["difference"])) if t.get("difference") else None
            errs = [f for f in hits if f.severity is Severity.error and vals <= _figs(f) and gap is not None
                    and f.difference is not None and abs(abs(f.difference) - gap) < Decimal("0.01") * max(gap, 1)]
            res["artifacts"].append((t["id"], t["description"][:50], [f.code for f in errs]))
    return res


def _figs(f) -> set[Decimal]:
    out = set()
    for v in f.figures() | ({f.difference} if f.difference is not None else set()):
        out |= {v, abs(v), v.quantize(Decimal("0.01")) if abs(v) < 10**12 else v}
    return out
