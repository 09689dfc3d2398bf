"""The `Finding` type: one thing an inspector should look at, with both sides' evidence.

Every figure in a finding traces to a cell, a sentence, or to arithmetic shown on them
(`arithmetic`). Findings serialise to JSON and back without loss (Decimals travel as strings).

Levels (issue 16), and what each promises:
- `error`: both sides were read with confidence (every table involved is `sure` in the reader's
  `TableConfidence`, the narrative figure was typed by a rule, not guessed), the arithmetic is
  shown, and the difference lies outside every rounding and truncation interval;
- `warning`: a likely defect that needs a look (an alignment that is not by code or exact label, a
  rule that is a strong sign rather than an identity);
- `hint`: within rounding or truncation, or a point of style;
- `extraction`: the reader is not sure of what it read; never an alarm, shown apart.
Only `error` and `warning` are alarms (`ALARMS`).

JSON schema 2 (`Report.schema_version`): schema 1 called `hint` "info"; "info" is still read.
Each `DocumentReport` also carries the `Ledger` of what was checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

from indexing.model import Figure, Location


class Severity(str, Enum):
    error = "error"
    warning = "warning"
    hint = "hint"
    extraction = "extraction"
    info = "hint"  # schema-1 name of `hint` (an alias: Severity.info is Severity.hint)

    @classmethod
    def _missing_(cls, value):
        return cls.hint if value == "info" else None


ALARMS = (Severity.error, Severity.warning)
SCHEMA_VERSION = 2


class Category(str, Enum):
    narrative_vs_table = "narrative_vs_table"
    arithmetic = "arithmetic"
    cross_table = "cross_table"
    completeness = "completeness"
    extraction = "extraction"
    editorial = "editorial"


SEVERITY_ORDER = {Severity.error: 0, Severity.warning: 1, Severity.hint: 2, Severity.extraction: 3}
SEVERITY_ZH = {Severity.error: "错误", Severity.warning: "警告", Severity.hint: "提示", Severity.extraction: "读取存疑"}
CATEGORY_ZH = {
    Category.narrative_vs_table: "文字与表格",
    Category.arithmetic: "表内勾稽",
    Category.cross_table: "表间勾稽",
    Category.completeness: "完整性",
    Category.extraction: "抽取问题",
    Category.editorial: "文字编校",
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Evidence(_Model):
    """One side of a comparison: a quote from the narrative or a table cell (its place in words:
    reports/where.side_where, the one wording every report and the review desk use)."""

    side: str = "table"  # "narrative" | "table"
    quote: Optional[str] = None  # sentence fragment (narrative) or cell text (table)
    value: Optional[Decimal] = None
    raw: Optional[str] = None  # the figure as printed
    unit: Optional[str] = None
    table_title: Optional[str] = None
    row_label: Optional[str] = None
    location: Location = Field(default_factory=Location)


class Finding(_Model):
    code: str  # rule code, e.g. "N-AMOUNT"
    severity: Severity
    category: Category
    message: str  # Chinese, one sentence
    evidence: list[Evidence] = Field(default_factory=list)
    stated: Optional[Decimal] = None
    expected: Optional[Decimal] = None
    difference: Optional[Decimal] = None
    unit: Optional[str] = None
    arithmetic: Optional[str] = None  # e.g. "21.52 − 21.42 = 0.10"
    agreement: Optional[str] = None  # exact / within_rounding / truncation / outside
    claim_id: Optional[str] = None
    identities: list[str] = Field(default_factory=list)  # one root cause breaking several identities: each, with its arithmetic
    blocked: list[str] = Field(default_factory=list)  # extraction: the checks this doubt kept from a verdict

    @property
    def is_alarm(self) -> bool:
        return self.severity in ALARMS

    def figures(self) -> set[Decimal]:
        """Every figure the finding cites (for matching against labels)."""
        out = {v for v in (self.stated, self.expected) if v is not None}
        out |= {e.value for e in self.evidence if e.value is not None}
        return out


class LedgerStatus(str, Enum):
    passed = "pass"
    failed = "fail"
    not_applicable = "not_applicable"
    insufficient = "insufficient_data"
    doubt = "extraction_doubt"


LEDGER_ZH = {LedgerStatus.passed: "通过", LedgerStatus.failed: "不通过", LedgerStatus.not_applicable: "不适用",
             LedgerStatus.insufficient: "数据不足", LedgerStatus.doubt: "读取存疑"}


@dataclass(slots=True)
class LedgerEntry:
    """One check at one place: what came of it (a `fail` names the finding's code). A plain
    dataclass: a document has hundreds, and the ledger must not slow the check down."""

    family: str  # narrative / parts / performance / final_accounts / arithmetic / cross_table / completeness / editorial
    check: str  # the rule code, e.g. "A-LEVEL"
    place: str  # where it applies: 《table》 row/column, or the quote of a narrative figure
    status: LedgerStatus
    code: Optional[str] = None  # the finding it produced (a hint for a pass within rounding)
    tables: Optional[str] = None  # ids of the tables it read ("t3" or "t3|t5")


class Ledger(_Model):
    """Every check × every place it applies, so that nothing unchecked counts as passed."""

    entries: list[LedgerEntry] = Field(default_factory=list)

    def totals(self) -> dict[str, dict[str, int]]:
        """Per family and over all ("all"): how many entries of each status."""
        out: dict[str, dict[str, int]] = {"all": {s.value: 0 for s in LedgerStatus}}
        for e in self.entries:
            fam = out.setdefault(e.family, {s.value: 0 for s in LedgerStatus})
            fam[e.status.value] += 1
            out["all"][e.status.value] += 1
        return out

    def coverage(self) -> Optional[float]:
        """Share of the applicable checks that reached a verdict (pass or fail)."""
        t = self.totals()["all"]
        applicable = sum(v for k, v in t.items() if k != LedgerStatus.not_applicable.value)
        return (t["pass"] + t["fail"]) / applicable if applicable else None


class DocumentReport(_Model):
    doc_id: str
    source: str
    format: str
    year: Optional[int] = None
    kind: Optional[str] = None
    department: Optional[str] = None
    claims: int = 0
    aligned: int = 0
    findings: list[Finding] = Field(default_factory=list)
    error: Optional[str] = None  # the document could not be read
    seconds: Optional[float] = None
    ledger: Optional[Ledger] = None

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def alarms(self) -> int:
        return sum(1 for f in self.findings if f.is_alarm)

    def sorted_findings(self) -> list[Finding]:
        return sorted(self.findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.category.value, f.code))


class Report(_Model):
    schema_version: int = SCHEMA_VERSION
    documents: list[DocumentReport] = Field(default_factory=list)

    def to_json(self, ledger: bool = True, **kw) -> str:
        if not ledger:
            kw["exclude"] = {"documents": {"__all__": {"ledger"}}}
        return self.model_dump_json(**kw)

    @classmethod
    def from_json(cls, text: str) -> "Report":
        return cls.model_validate_json(text)


def cell_evidence(fig: Figure, table_title: Optional[str], row_label: Optional[str], text: Optional[str] = None) -> Evidence:
    return Evidence(
        side="table",
        quote=text if text is not None else fig.raw,
        value=fig.value,
        raw=fig.raw,
        unit=fig.unit,
        table_title=table_title,
        row_label=row_label,
        location=fig.location,
    )


def fmt(value: Optional[Decimal]) -> str:
    """A Decimal for messages: no exponent, no trailing noise beyond what it holds."""
    if value is None:
        return "—"
    s = format(value, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".") if len(s.split(".")[1]) > 2 else s
    return s
