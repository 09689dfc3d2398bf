"""Which checker flags match which gold items: the definitions behind every checker metric.

Flags: findings of severity error or warning (info never counts). `CONTRADICTION_CATEGORIES` are the
findings that assert figures disagree (narrative_vs_table, arithmetic, cross_table); completeness,
extraction and editorial findings are counted separately ("all flags").

Gold targets, and when a flag matches one:
  * claim (a gold claim, contradiction or consistent) — anchored on its quote: some narrative quote
    of the flag shares ≥ 8 normalised characters with the gold quote (one is usually a fragment of
    the other) AND one of the flag's figures agrees with the claim's printed value (metrics.agree,
    at the coarser precision, 元/万元 tried). A sentence often holds several claims; the value
    requirement keeps a flag on the amount from matching the percentage next to it. A flag without
    a narrative quote matches a claim only through the table cells of both sides: it cites the
    claim's value and one of its table-evidence values that differs from it (a claim printed in a
    table, such as a 绩效目标表's 预算数 54.00 against 城乡医疗救助 44.00); a consistent claim, whose
    sides agree, is never matched that way (a table flag citing 1740.73 is not about every
    sentence that says 1740.73).
  * table inconsistency (likely_cause genuine) — anchored on figures: the flag cites ≥ 2 of the
    inconsistency's distinct non-zero values, or 1 of them and a table title or row label that
    appears in one of its locations, or its gap (or an amount it cites) equals the inconsistency's
    `difference` and it names one of its places (an amount moved between two columns shows one
    gap in both; an amount listed twice is the gap); one with no figures (a misprinted code) is matched by a flag
    naming two of its places (the table and the row).

tests/check/gold.py uses these same definitions (one definition of "found", issue 16).
  * injected error (generated corpus): the union of the targets above for the claims and
    inconsistencies it lists, with the injected figure (and the original one) added to their values
    (a table_sum_break also breaks the same row in other tables, so a cross-table flag citing the
    edited cell is the same error); missing_table: a completeness flag whose message names the
    table's title or its standard type (an X-TABLE-NOT-READ extraction warning naming it counts too:
    in converted text a missing table and a lost one look alike); missing_three_public_reason: a completeness flag whose
    message is about the 三公 reason (code M-THREE-PUBLIC-REASON).
  * editorial item (real labels): an editorial flag whose quote overlaps the item's quote.

Precision counts flags (a flag is a true positive when it matches ≥ 1 target), recall counts
targets (found when ≥ 1 flag matches): two flags for two columns of one broken row are both correct
and find one target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Optional

from eval.labels import Label, to_decimal
from eval.metrics import agree_any_unit, normalise, overlap

CONTRADICTION_CATEGORIES = ("narrative_vs_table", "arithmetic", "cross_table")
FLAG_SEVERITIES = ("error", "warning")
_NUM_RE = re.compile(r"\d[\d,]*(?:\.\d+)?")


@dataclass
class Flag:
    code: str
    severity: str
    category: str
    message: str
    figures: list[Decimal] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)  # narrative-side quotes
    places: list[str] = field(default_factory=list)  # table titles, row labels, columns
    difference: Optional[Decimal] = None  # stated − expected, where the finding computed one

    @property
    def is_contradiction(self) -> bool:
        return self.category in CONTRADICTION_CATEGORIES

    @classmethod
    def of(cls, finding) -> "Flag":
        quotes, places = [], []
        for e in finding.evidence:
            if e.side == "narrative" and e.quote:
                quotes.append(e.quote)
            for p in (e.table_title, e.row_label, e.location.column):
                if p:
                    places.append(p)
        return cls(code=finding.code, severity=finding.severity.value, category=finding.category.value,
                   message=finding.message, figures=sorted(finding.figures()), quotes=quotes, places=places,
                   difference=finding.difference)


def flags_of(report) -> list[Flag]:
    return [Flag.of(f) for f in report.findings if f.severity.value in FLAG_SEVERITIES]


@dataclass
class Target:
    id: str
    kind: str  # contradiction | consistent | genuine | editorial | <injected kind>
    quote: Optional[str] = None
    values: list[Decimal] = field(default_factory=list)
    evidence_values: list[Decimal] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    table: Optional[str] = None  # missing_table: the table's title
    difference: Optional[Decimal] = None  # table inconsistency: the gap the gold states
    parts: list["Target"] = field(default_factory=list)  # injected: the claim/inconsistency targets it made


def _hits(values: Iterable[Decimal], figures: list[Decimal]) -> int:
    return sum(1 for v in set(values) if v != 0 and any(agree_any_unit(v, f) for f in figures))


def _place_hit(flag: Flag, places: list[str]) -> bool:
    keys = [normalise(p) for p in places]
    return any(len(n) >= 2 and any(n in k for k in keys) for n in map(normalise, flag.places))


def _claim_match(flag: Flag, t: Target) -> bool:
    if t.quote and any(overlap(q, t.quote) for q in flag.quotes):
        return not t.values or any(any(agree_any_unit(v, f) for f in flag.figures) for v in t.values)
    # a claim printed in a table (a 绩效目标表's 预算数) is found by a flag citing both sides' cells:
    # its own value and a table-evidence value that differs from it
    if flag.quotes or not t.values:
        return False
    other = [e for e in t.evidence_values if not any(agree_any_unit(e, v) for v in t.values)]
    return _hits(t.values, flag.figures) >= 1 and _hits(other, flag.figures) >= 1


def _table_match(flag: Flag, t: Target) -> bool:
    if not t.values:  # an inconsistency with no figures (a misprinted code): the flag names its table and row
        keys = [normalise(p) for p in t.places]
        hits = {n for n in map(normalise, flag.places) if len(n) >= 2 and any(n in k for k in keys)}
        return len(hits) >= 2
    n = _hits(t.values, flag.figures)
    return n >= 2 or (n >= 1 and _place_hit(flag, t.places)) or (_same_gap(flag, t) and _place_hit(flag, t.places))


def _same_gap(flag: Flag, t: Target) -> bool:
    """The flag's gap, or an amount it cites, is the inconsistency's gap (within 0.1 %, any money
    unit): an amount booked in one column of one table and another column of the other shows the
    same gap in both columns (人员经费 and 公用经费), and an amount listed twice is itself the gap,
    so a flag on either is the same inconsistency."""
    if not t.difference:
        return False
    want = abs(t.difference)
    got = [abs(x) for x in flag.figures + ([flag.difference] if flag.difference is not None else []) if x]
    return any(abs(g - w) <= w / 1000 for g in got for w in (want, want * 10000, want / 10000))


def matches(flag: Flag, t: Target) -> bool:
    if t.parts:
        return any(matches(flag, p) for p in t.parts) or _completeness_match(flag, t)
    if t.kind in ("missing_table", "missing_three_public_reason"):
        return _completeness_match(flag, t)
    if t.kind == "editorial":
        return flag.category == "editorial" and any(overlap(q, t.quote or "") for q in flag.quotes + [flag.message])
    if t.kind == "genuine" or (t.quote is None and t.places):
        return _table_match(flag, t)
    return _claim_match(flag, t)


def _completeness_match(flag: Flag, t: Target) -> bool:
    # A converted text cannot tell a missing table from one lost in conversion, so the checker's
    # X-TABLE-NOT-READ warning naming the table also detects a missing table.
    if flag.category != "completeness" and flag.code != "X-TABLE-NOT-READ":
        return False
    if t.kind == "missing_three_public_reason":
        return flag.code == "M-THREE-PUBLIC-REASON" or ("三公" in flag.message and "原因" in flag.message)
    if t.kind == "missing_table" and t.table:
        from indexing.read.table_types import classify_table

        std = classify_table(t.table).value
        msg = normalise(flag.message)
        return normalise(t.table) in msg or (std != "其他" and normalise(std) in msg)
    return False


# ----------------------------------------------------------------------------- targets of a label

def claim_target(c: dict) -> Target:
    ev = [to_decimal(e.get("value")) for e in c.get("table_evidence") or []]
    return Target(id=c["id"], kind=c.get("verdict", "?"), quote=c.get("quote"),
                  values=[c["value"]] if c.get("value") is not None else [],
                  evidence_values=[v for v in ev if v is not None])


def inconsistency_target(t: dict) -> Target:
    return Target(id=t["id"], kind="genuine", values=[v for v in t.get("values") or [] if v is not None],
                  places=list(t.get("locations") or []) + [t.get("description") or ""],
                  difference=to_decimal(t.get("difference")))


def gold_targets(label: Label) -> dict[str, list[Target]]:
    """contradiction claims, genuine inconsistencies, consistent claims (for false errors), editorial."""
    claims = [c for c in label.claims if c.get("table_evidence")]
    return {
        "contradiction": [claim_target(c) for c in label.claims if c.get("verdict") == "contradiction"],
        "genuine": [inconsistency_target(t) for t in label.table_inconsistencies if t.get("likely_cause") == "genuine"],
        "consistent": [claim_target(c) for c in claims if c.get("verdict") == "consistent"],
        "editorial": [Target(id=e.get("id", ""), kind="editorial", quote=e.get("quote")) for e in label.editorial],
        "injected": injected_targets(label),
    }


def _new_numbers(original: str, injected: str) -> list[Decimal]:
    before = set(_NUM_RE.findall(original or ""))
    return [Decimal(n.replace(",", "")) for n in _NUM_RE.findall(injected or "") if n not in before]


def injected_targets(label: Label) -> list[Target]:
    out = []
    for rec in label.injected:
        kind, loc = rec["kind"], rec.get("location") or {}
        extra = _new_numbers(rec.get("original", ""), rec.get("injected", ""))
        parts = []
        for cid in rec.get("claim_ids") or []:
            c = label.claim(cid)
            if c:
                t = claim_target(c)
                t.values += extra
                t.quote = loc.get("quote") or t.quote
                parts.append(t)
        for tid in rec.get("table_inconsistency_ids") or []:
            ti = label.inconsistency(tid)
            if ti:
                t = inconsistency_target(ti)
                t.values += extra + _new_numbers("", rec.get("original", ""))
                t.places += [f"{loc.get('table', '')}/{loc.get('row', '')}/{loc.get('column', '')}"]
                parts.append(t)
        out.append(Target(id=rec.get("id", ""), kind=kind, quote=loc.get("quote"), table=loc.get("table"),
                          values=extra, parts=parts))
    return out


def match_all(flags: list[Flag], targets: list[Target]) -> tuple[list[list[int]], list[bool]]:
    """For each flag, the indexes of the targets it matches; for each target, whether it was found."""
    per_flag = [[i for i, t in enumerate(targets) if matches(f, t)] for f in flags]
    found = [False] * len(targets)
    for hits in per_flag:
        for i in hits:
            found[i] = True
    return per_flag, found
