"""Rule families. Each module exposes `run(ctx) -> list[Finding]`; `CheckContext` holds what
they share (the document, its claims, the label index), the one way to compare an amount, the
ledger of what was checked (`record`) and the reader's doubts (`sure`, `block`).

Silence is a feature: a rule raises an `error` only on cells of tables the reader is `sure` of
(`table_sure`). A comparison that needs a table the reader doubts is not judged: `block` notes the
check against that table, and one `extraction` finding per table names every check it blocked
(`blocked_findings`), instead of one finding per row or column."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from indexing.model import Document, Figure, Location, Table
from indexing.numbers import Agreement, Interval, compare_printed, to_unit

from checking.align import LabelIndex
from checking.claims import Claim
from checking.findings import Category, Evidence, Finding, LedgerEntry, LedgerStatus, Severity, cell_evidence
from checking.table_cells import CellRef


def table_sure(t: Optional[Table], row=None) -> bool:
    """The reader's confidence in a table (`Table.confidence.sure`; a table read before
    confidences existed counts as sure when it was read completely).

    With `row`: a cell of that row. A table whose only doubt is cells the reader could not place
    (complete, its totals reconciled) is sure for the rows it did place — a row whose own cells
    carry its label: an unplaced figure elsewhere cannot shift a labelled row (the 资金支出计划
    figures under their own header row in a 绩效目标表 form, for instance)."""
    if t is None:
        return False
    conf = getattr(t, "confidence", None)
    if t.complete and (conf is None or conf.sure or _names_are_projects(t, conf)):
        return True
    if row is None or conf is None or not t.complete or not conf.unplaced:
        return False
    from indexing.read.confidence import DOUBT_MIN_FAILURES

    if conf.totals_checked - conf.totals_reconciled >= DOUBT_MIN_FAILURES:
        return False
    return bool(row.name) or any(c.text and c.figure is None for c in row.cells)


def _names_are_projects(t: Table, conf) -> bool:
    """A project table's rows are named by project, their code the project's 功能分类 科目: that the
    name is not the 科目's name is the template, not a misread code. A doubt resting only on such
    code-name mismatches does not count (the reader's `code_mismatches` test assumes 科目 rows)."""
    from indexing.model import TableType

    return (t.standard_type in (TableType.project_expenditure, TableType.performance_project)
            and bool(conf.code_mismatches) and not conf.unplaced and "编码与名称不符" in (conf.doubt or ""))


def table_doubt(t: Table) -> str:
    conf = getattr(t, "confidence", None)
    if conf is not None and conf.doubt:
        return conf.doubt
    return (t.incomplete_reason or "读取不完整").split(" / ")[0][:80]


@dataclass
class CheckContext:
    doc: Document
    claims: list[Claim]
    index: LabelIndex
    by_id: dict[str, Claim] = field(default_factory=dict)
    aligned: set[str] = field(default_factory=set)  # claim ids aligned to at least one cell
    table_value: dict[str, Decimal] = field(default_factory=dict)  # claim id → the cell value it contradicts
    checked: set[tuple[str, Decimal]] = field(default_factory=set)  # (table id, value) of cells a rule compared
    claim_refs: dict[str, list[CellRef]] = field(default_factory=dict)  # amount claim id → its aligned cells
    ledger: list[LedgerEntry] = field(default_factory=list)
    blocked: dict[str, list[str]] = field(default_factory=dict)  # table id → checks its doubt blocked
    family: str = ""  # the family now running (set by check.run_checks)

    def __post_init__(self) -> None:
        self.by_id = {c.id: c for c in self.claims}

    def record(self, check: str, place: str, status: LedgerStatus, code: Optional[str] = None,
               family: Optional[str] = None, tables: Optional[str] = None) -> None:
        # built without validation (the fields are ours): the ledger must not slow the check down
        self.ledger.append(LedgerEntry(family or self.family, check, place[:120], status, code, tables))

    def record_findings(self, check: str, place: str, findings: list[Finding]) -> None:
        """The ledger entry of one check at one place, from the findings it produced."""
        if not findings:
            self.record(check, place, LedgerStatus.passed)
            return
        f = findings[0]
        status = (LedgerStatus.doubt if f.severity is Severity.extraction
                  else LedgerStatus.passed if f.severity is Severity.hint else LedgerStatus.failed)
        self.record(check, place, status, f.code)

    def block(self, table: Table, check: str, place: str) -> None:
        """A check on `table` not judged because the reader doubts the table."""
        self.blocked.setdefault(table.id, []).append(check)
        self.record(check, place, LedgerStatus.doubt, "X-TABLE-DOUBT", tables=table.id)


    def claim(self, cid: Optional[str]) -> Optional[Claim]:
        return self.by_id.get(cid) if cid else None

    def cell_unit(self, fig: Figure, table: Optional[Table]) -> Optional[str]:
        return fig.unit or (table.unit if table else None) or self.doc.meta.table_unit or self.doc.meta.unit or "万元"


def blocked_findings(ctx: CheckContext) -> list[Finding]:
    """One `extraction` finding per doubted table, naming the checks its doubt blocked."""
    out = []
    tables = {t.id: t for t in ctx.doc.tables}
    for tid, checks in ctx.blocked.items():
        t = tables.get(tid)
        if t is None:
            continue
        counts: dict[str, int] = {}
        for c in checks:
            counts[c] = counts.get(c, 0) + 1
        listed = "、".join(f"{c}×{n}" if n > 1 else c for c, n in counts.items())
        out.append(Finding(code="X-TABLE-DOUBT", severity=Severity.extraction, category=Category.extraction,
                           message=f"《{t.title}》读取存疑（{table_doubt(t)}），以下核对未下结论：{listed}；请对照原件",
                           blocked=list(counts),
                           evidence=[Evidence(side="table", table_title=t.title,
                                              location=Location(table_id=t.id, page=t.pages[0] if t.pages else None))]))
    return out


def claim_evidence(claim: Claim) -> Evidence:
    return Evidence(side="narrative", quote=claim.quote, value=claim.value, raw=claim.raw, unit=claim.unit, location=claim.location)


def ref_evidence(ref: CellRef) -> Evidence:
    return cell_evidence(ref.figure, ref.table.title, ref.row.name or ref.label)


def cell_interval(fig: Figure, from_unit: Optional[str], to: Optional[str]) -> Interval:
    """The printed cell as an interval, converted exactly into the claim's unit."""
    iv = Interval.printed(fig.value if fig.value is not None else Decimal(0), fig.decimals)
    return Interval(to_unit(iv.low, from_unit, to), to_unit(iv.high, from_unit, to))


def compare_amount(ctx: CheckContext, claim: Claim, ref: CellRef) -> tuple[Agreement, Decimal]:
    """Narrative amount vs a cell, in the narrative's unit. Returns the agreement and the cell
    value in the claim's unit (exact conversion, not rounded)."""
    unit = ctx.cell_unit(ref.figure, ref.table)
    if ref.figure.value is None:  # a blank cell is nil
        return (Agreement.exact if claim.value == 0 else Agreement.outside), Decimal(0)
    expected = to_unit(ref.figure.value, unit, claim.unit)
    if expected == claim.value:
        return Agreement.exact, expected
    # A narrative that rounds (5569万元 for 5,569.00) is judged at its own precision.
    return compare_printed(claim.value, claim.decimals, cell_interval(ref.figure, unit, claim.unit)), expected


def loc(claim: Claim) -> Location:
    return claim.location
