"""The `Finding` type: one thing an inspector should look at, with both sides' evidence.

Every figure in a finding traces to a cell, a sentence, or to arithmetic shown on them
(`arithmetic`). Findings serialise to JSON and back without loss (Decimals travel as strings).
"""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

from indexing.model import Figure, Location


class Severity(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"


class Category(str, Enum):
    narrative_vs_table = "narrative_vs_table"
    arithmetic = "arithmetic"
    cross_table = "cross_table"
    completeness = "completeness"
    extraction = "extraction"
    editorial = "editorial"


SEVERITY_ORDER = {Severity.error: 0, Severity.warning: 1, Severity.info: 2}
SEVERITY_ZH = {Severity.error: "错误", Severity.warning: "警告", Severity.info: "提示"}
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
    """One side of a comparison: a quote from the narrative or a table cell."""

    side: str = "table"  # "narrative" | "table"
    quote: Optional[str] = None  # sentence fragment (narrative) or cell text (table)
    value: Optional[Decimal] = None
    raw: Optional[str] = None  # the figure as printed
    unit: Optional[str] = None
    table_title: Optional[str] = None
    row_label: Optional[str] = None
    location: Location = Field(default_factory=Location)

    @property
    def where(self) -> str:
        loc = self.location
        parts = []
        if loc.page is not None:
            parts.append(f"第{loc.page}页")
        if self.table_title:
            parts.append(f"《{self.table_title}》")
        if self.row_label:
            parts.append(f"行“{self.row_label}”")
        if loc.column:
            parts.append(f"列“{loc.column}”")
        if loc.section_id and not self.table_title:
            parts.append(f"章节{loc.section_id}@{loc.offset}")
        return " ".join(parts)


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

    def figures(self) -> set[Decimal]:
        """Every figure the finding cites (for matching against labels)."""
        out = {v for v in (self.stated, self.expected) if v is not None}
        out |= {e.value for e in self.evidence if e.value is not None}
        return out


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

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def sorted_findings(self) -> list[Finding]:
        return sorted(self.findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.category.value, f.code))


class Report(_Model):
    documents: list[DocumentReport] = Field(default_factory=list)

    def to_json(self, **kw) -> str:
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
