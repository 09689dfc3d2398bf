"""Run every rule family on a document → a `DocumentReport` with its findings and its ledger.

After the families ran: one `extraction` finding per doubted table (the checks it blocked), and
one finding per root cause (`merge_root_causes`): the same wrong narrative figure stated in
several places is one finding citing every quote; one cell breaking several identities is one
finding listing each identity with its arithmetic."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional

from indexing.model import Document

from checking.align import LabelIndex
from checking.claims import extract_claims
from checking.findings import SEVERITY_ORDER, Category, DocumentReport, Finding, Ledger, LedgerStatus, Severity
from checking.rules import CheckContext, blocked_findings, table_sure
from checking.rules import (arithmetic, completeness, cross_table, editorial, final_accounts, narrative, parts, performance,
                            procurement)

if TYPE_CHECKING:
    from checking.llm_claims import LLMClaimHook

FAMILIES = (narrative, parts, procurement, performance, final_accounts, arithmetic, cross_table, completeness, editorial)


def check_document(doc: Document, use_llm: Optional[bool] = None, llm_hook: Optional["LLMClaimHook"] = None) -> DocumentReport:
    return run_checks(doc, use_llm=use_llm, llm_hook=llm_hook)[0]


def run_checks(doc: Document, use_llm: Optional[bool] = None,
               llm_hook: Optional["LLMClaimHook"] = None) -> tuple[DocumentReport, CheckContext]:
    """The report and the context it came from (claims, alignment) for evaluation.

    use_llm: also send the sentences no rule could type to the LLM endpoint (checking/llm_claims.py);
    None reads BUDGETQA_CHECK_LLM (off by default), and it needs BUDGETQA_LLM_BASE_URL. llm_hook: a
    given LLMClaimHook (its model, its stats), which turns the LLM path on."""
    t0 = time.perf_counter()
    hook = None
    if llm_hook is not None or use_llm or (use_llm is None and _llm_configured()):
        from checking.llm_claims import make_hook

        hook = make_hook(doc, use_llm=use_llm, hook=llm_hook)
    claims = extract_claims(doc, hook=hook)
    ctx = CheckContext(doc=doc, claims=claims, index=LabelIndex(doc))
    findings: list[Finding] = []
    for family in FAMILIES:
        ctx.family = family.__name__.rsplit(".", 1)[-1]
        n = len(ctx.ledger)
        got = family.run(ctx)
        findings += got
        if len(ctx.ledger) == n:
            _ledger_from_findings(ctx, got)
    findings = systematic_failures(ctx, findings)
    ctx.family = "extraction"
    findings += blocked_findings(ctx)
    findings += _doubted_unblocked(ctx)
    report = DocumentReport(
        doc_id=doc.id,
        source=doc.source,
        format=doc.format,
        year=doc.meta.year,
        kind=doc.meta.kind,
        department=doc.meta.department,
        claims=len(claims),
        aligned=len(ctx.aligned),
        findings=merge_root_causes(_dedupe(findings)),
        ledger=Ledger.model_construct(entries=ctx.ledger),
    )
    report.seconds = round(time.perf_counter() - t0, 4)
    return report, ctx


def _llm_configured() -> bool:
    from service.config import get_config

    return get_config().check_llm


def _ledger_from_findings(ctx: CheckContext, found: list[Finding]) -> None:
    """A family that keeps no ledger of its own: one entry per rule code it can raise, failed
    where it produced a finding, passed elsewhere; not applicable where the family does not apply."""
    fam = ctx.family
    if fam == "final_accounts" and (ctx.doc.meta.kind or "") != "决算":
        for check in ("F-RATE", "F-WORD"):
            ctx.record(check, "全文（预算文件不适用）", LedgerStatus.not_applicable)
        return
    if fam == "final_accounts":
        rates = [c for c in ctx.claims if c.kind == "completion_pct"]
        by_claim = {f.claim_id: f for f in found if f.claim_id}
        for c in rates:
            f = by_claim.get(c.id)
            place = f"“{c.quote[:40]}” {c.raw}%"
            if f is not None:
                ctx.record_findings("F-RATE", place, [f])
            else:
                ctx.record("F-RATE", place, LedgerStatus.passed if c.id in ctx.aligned else LedgerStatus.insufficient)
        for f in found:
            if f.code == "F-WORD":
                ctx.record("F-WORD", f.message[:60], LedgerStatus.failed, f.code)
        return
    if fam == "performance":
        from indexing.model import TableType

        for t in ctx.doc.tables_of(TableType.performance_project):
            mine = [f for f in found if any(e.table_title == t.title for e in f.evidence)]
            place = f"《{t.title}》绩效指标与预算数"
            budget = performance._budget(t)
            if budget is None:
                ctx.record("P-COST", place, LedgerStatus.insufficient)
            elif not table_sure(t, budget[1]):
                ctx.block(t, "P-COST", place)
            elif mine:
                ctx.record_findings("P-COST", place, mine)
            else:
                ctx.record("P-COST", place, LedgerStatus.passed)
        return
    if fam == "editorial":
        from checking.rules.editorial import _PATTERNS

        codes = {f.code for f in found if f.is_alarm}
        for code, *_ in _PATTERNS:
            ctx.record(code, "全文", LedgerStatus.failed if code in codes else LedgerStatus.passed, code if code in codes else None)
        for code in sorted({f.code for f in found} - {c for c, *_ in _PATTERNS}):
            ctx.record(code, "全文", LedgerStatus.failed if code in codes else LedgerStatus.passed, code)
        return
    for f in found:
        ctx.record_findings(f.code, f.message[:60], [f])


def systematic_failures(ctx: CheckContext, findings: list[Finding]) -> list[Finding]:
    """One identity failing on many places of one table (or one pair of tables) is a misreading.

    A department's mistakes are few; a column read under the wrong header, or two tables whose
    columns the reader paired wrongly, break the same identity on row after row. With the reader's
    own rule (indexing/read/confidence.py: at least DOUBT_MIN_FAILURES failures and DOUBT_SHARE of
    the places checked), such failures are not alarms: the check is blocked on those tables and
    reported once, in each table's X-TABLE-DOUBT."""
    from indexing.read.confidence import DOUBT_MIN_FAILURES, DOUBT_SHARE

    tally: dict[tuple[str, str], list] = {}
    for e in ctx.ledger:
        if e.tables and e.status in (LedgerStatus.passed, LedgerStatus.failed):
            tally.setdefault((e.check, e.tables), []).append(e)
    bad: set[tuple[str, str]] = set()
    for key, entries in tally.items():
        failed = [e for e in entries if e.status is LedgerStatus.failed]
        if len(failed) >= DOUBT_MIN_FAILURES and len(failed) >= DOUBT_SHARE * len(entries):
            bad.add(key)
            for e in failed:
                e.status, e.code = LedgerStatus.doubt, "X-TABLE-DOUBT"
            for tid in key[1].split("|"):
                ctx.blocked.setdefault(tid, []).extend([key[0]] * len(failed))
    if not bad:
        return findings

    def tables_of(f: Finding) -> str:
        ids = [e.location.table_id for e in f.evidence if e.side == "table" and e.location.table_id]
        return "|".join(dict.fromkeys(ids[:2])) if f.category is Category.cross_table else (ids[0] if ids else "")

    return [f for f in findings if not (f.is_alarm and (f.code, tables_of(f)) in bad)]


def _doubted_unblocked(ctx: CheckContext) -> list[Finding]:
    """A doubted table whose doubt blocked no check still gets its one extraction note."""
    from checking.findings import Evidence
    from checking.rules import table_doubt
    from indexing.model import Location

    out = []
    for t in ctx.doc.tables:
        if table_sure(t) or t.id in ctx.blocked:
            continue
        out.append(Finding(code="X-TABLE-DOUBT", severity=Severity.extraction, category=Category.extraction,
                           message=f"《{t.title}》读取存疑（{table_doubt(t)}）；该表数字未用于核对结论",
                           evidence=[Evidence(side="table", table_title=t.title,
                                              location=Location(table_id=t.id, page=t.pages[0] if t.pages else None))]))
    return out


def _cells(f: Finding) -> set[tuple]:
    return {(e.location.table_id, e.location.row, e.location.column, e.value) for e in f.evidence
            if e.side == "table" and e.location.table_id is not None and e.location.row is not None and e.value is not None}


def merge_root_causes(findings: list[Finding]) -> list[Finding]:
    """One finding per root cause.

    - The same narrative figure, wrong the same way (same rule, same stated and expected value),
      stated in several places: one finding citing every quote.
    - One table cell that breaks several identities (a row sum and its parent's level sum, the
      same code in two tables): the arithmetic and cross-table alarms sharing a cell become one
      finding, the most severe first, listing each identity with its arithmetic (`identities`).
    Hints and extraction notes are left as they are."""
    out: list[Finding] = []
    by_figure: dict[tuple, Finding] = {}
    for f in findings:
        if f.category is Category.narrative_vs_table and f.is_alarm and f.stated is not None and f.expected is not None:
            key = (f.code, f.stated, f.expected, f.unit)
            prev = by_figure.get(key)
            if prev is not None:
                prev.evidence += [e for e in f.evidence if e.side == "narrative" and e.quote not in {x.quote for x in prev.evidence}]
                continue
            by_figure[key] = f
        out.append(f)
    table_alarms = [f for f in out if f.is_alarm and f.category in (Category.arithmetic, Category.cross_table) and _cells(f)]
    if len(table_alarms) < 2:
        return out
    parent = list(range(len(table_alarms)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple, int] = {}
    for i, f in enumerate(table_alarms):
        for cell in _cells(f):
            j = owner.setdefault(cell, i)
            if j != i:
                parent[root(i)] = root(j)
    groups: dict[int, list[Finding]] = {}
    for i, f in enumerate(table_alarms):
        groups.setdefault(root(i), []).append(f)
    drop: set[int] = set()
    for members in groups.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda f: SEVERITY_ORDER[f.severity])
        head = members[0]
        head.identities = [f"{m.code}：{m.message}" + (f"（{m.arithmetic}）" if m.arithmetic else "") for m in members]
        seen = _cells(head)
        for m in members[1:]:
            for e in m.evidence:
                key = (e.location.table_id, e.location.row, e.location.column, e.value)
                if key not in seen:
                    head.evidence.append(e)
                    seen.add(key)
            drop.add(id(m))
        head.message += f"；同一数字另破坏{len(members) - 1}项勾稽关系（见各项算式）"
    return [f for f in out if id(f) not in drop]


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """The same statement repeated is a separate claim, but one finding per identical message and place."""
    seen: dict[tuple, Finding] = {}
    for f in findings:
        key = (f.code, f.message)
        if key in seen:
            prev = seen[key]
            if f.evidence and f.evidence[0].side == "narrative":
                prev.evidence.append(f.evidence[0])  # the same statement made again elsewhere
            continue
        seen[key] = f
    return list(seen.values())


def expand_paths(paths: Iterable[str]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.iterdir() if q.is_file() and q.suffix.lower() in (".pdf", ".txt", ".md", ".json"))
        else:
            out.append(p)
    return out


def check_path(path: Path, use_llm: Optional[bool] = None) -> tuple[Document | None, DocumentReport]:
    from indexing.read import read_document
    from indexing.read.errors import ReadError

    try:
        if path.suffix.lower() == ".json":
            doc = Document.from_json(path.read_text(encoding="utf-8"))
        else:
            doc = read_document(path)
    except ReadError as exc:
        return None, DocumentReport(doc_id="", source=path.name, format="?", error=f"{exc.zh} / {exc.en}")
    return doc, check_document(doc, use_llm=use_llm)
