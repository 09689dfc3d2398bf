"""Match the checker's claims and findings against the gold labels in ../shared/labels.

Whether a gold contradiction, genuine inconsistency or consistent claim is "found" (or wrongly hit)
is decided by eval/matching.py, the same definition the evaluation runner (`budgetqa eval`) uses,
so the tests and the runner report the same precision for the same checker (issue 16)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

from checking.check import run_checks
from checking.findings import Severity
from eval.labels import parse_label
from eval.matching import flags_of, gold_targets, match_all


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
    # One definition of "found" (issue 16): the evaluation runner's matching (eval/matching.py).
    lpath = labels_dir / f"{Path(doc.source).stem}.json"
    label = parse_label(lpath, json.loads(lpath.read_text(encoding="utf-8"), parse_float=Decimal), [])
    flags = flags_of(report)
    targets = gold_targets(label)
    contra = [f for f in flags if f.is_contradiction]
    per_flag, found = match_all(contra, targets["contradiction"])
    for t, ok in zip(targets["contradiction"], found):
        codes = [f.code for f, hits in zip(contra, per_flag) if targets["contradiction"].index(t) in hits]
        res["contradictions"].append((t.id, (t.quote or "")[:40], ok, codes))
    _, gfound = match_all(contra, targets["genuine"])
    for t, ok in zip(targets["genuine"], gfound):
        res["genuine"].append((t.id, t.places[-1][:50] if t.places else "", ok, []))
    # errors on a claim the gold calls consistent: an error flag matching it and no contradiction
    core = targets["contradiction"] + targets["genuine"]
    lone = [f for f, hits in zip(contra, match_all(contra, core)[0]) if not hits and f.severity == "error"]
    hit_per_flag, _ = match_all(lone, targets["consistent"])
    for f, hits in zip(lone, hit_per_flag):
        for i in hits:
            t = targets["consistent"][i]
            res["false_errors"].append((t.id, (t.quote or "")[:40], [f.message]))
    for t in gold["table_inconsistencies"]:
        if t["likely_cause"] != "extraction_artifact":
            continue
        vals = {Decimal(str(v)) for v in t["values"]}
        # an error "on" the artifact cites its figures and its gap (equal figures have no numeric signature)
        gap = Decimal(str(t["difference"])) if t.get("difference") else None
        errs = [f for f in report.findings if f.severity is Severity.error and vals and vals <= _figs(f) and gap is not None
                and f.difference is not None and abs(abs(f.difference) - gap) < Decimal("0.01") * max(gap, 1)]
        res["artifacts"].append((t["id"], t["description"][:50], [f.code for f in errs]))
    return res


def _figs(f) -> set[Decimal]:
    out = set()
    for v in f.figures() | ({f.difference} if f.difference is not None else set()):
        out |= {v, abs(v), v.quantize(Decimal("0.01")) if abs(v) < 10**12 else v}
    return out
