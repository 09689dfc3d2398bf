"""A narrative finding: the claim, the cells it was compared with and the other claims its
arithmetic used. Every check of the family builds its findings here, so the one precision rule
holds for all of them: an error needs both sides read for sure (the claims typed by rules, the
cells in tables the reader is sure of); anything weaker is lowered to a warning."""

from __future__ import annotations

from typing import Optional

from checking.claims import Claim
from checking.findings import Evidence, Finding, Severity
from checking.rules import CheckContext, claim_evidence, ref_evidence, table_sure


def claim_place(c: Claim) -> str:
    """Where a narrative check is recorded in the ledger: the start of the claim's sentence and its
    figure as printed."""
    return f"“{c.quote[:40]}” {c.raw}{c.unit or ''}"


def sure_claim(c: Claim) -> bool:
    """A narrative figure read without doubt: typed by a rule (an LLM-typed claim is a guess)."""
    return c.source == "rule"


def narrative_finding(ctx: CheckContext, code, severity, category, message, c: Claim, refs, expected, agreement, arith=None,
                      extra: Optional[list[Claim]] = None, cells: Optional[list[Evidence]] = None) -> Finding:
    """A narrative finding: the claim, the cells it was compared with, the other claims used in
    the arithmetic, and the cells those claims align to. An error needs every side read for sure:
    the claims typed by rules and the cells in tables the reader is sure of."""
    if severity is Severity.error and (not sure_claim(c) or any(not sure_claim(x) for x in extra or [])
                                       or any(not table_sure(r.table) for r in refs)):
        severity = Severity.warning
    ev = [claim_evidence(c)] + [ref_evidence(r) for r in refs] + [claim_evidence(x) for x in extra or []] + (cells or [])
    if not refs:
        for x in extra or []:
            ev += [ref_evidence(r) for r in ctx.claim_refs.get(x.id, [])]
    diff = (c.value - expected) if expected is not None else None
    return Finding(code=code, severity=severity, category=category, message=message, evidence=ev, stated=c.value,
                   expected=expected, difference=diff, unit=c.unit, arithmetic=arith, agreement=agreement, claim_id=c.id)
