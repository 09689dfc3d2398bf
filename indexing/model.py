"""The typed document model: the only thing the pipeline stages share.

A disclosure is read once (PDF or converted text) into a `Document`; checking, indexing, answering
and evaluation all work on it. Every figure is a `Decimal` that keeps its printed text, its printed
number of decimals and where it stands, so that any number shown to a user traces back to a cell
or a sentence. The model serialises to JSON and back without loss (Decimals travel as strings).
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import Enum
from typing import Iterator, Optional

from pydantic import BaseModel, ConfigDict, Field


class TableType(str, Enum):
    """Standard tables of 财预〔2016〕143号 plus the common extras; names vary by province."""

    income_expense_summary = "收支总表"
    income = "收入总表"
    expenditure = "支出总表"
    fiscal_summary = "财政拨款收支总表"
    general_budget_expenditure = "一般公共预算支出表"
    general_basic_expenditure = "一般公共预算基本支出表"
    three_public = "三公经费支出表"
    gov_fund = "政府性基金预算支出表"
    state_capital = "国有资本经营预算支出表"
    project_expenditure = "项目支出表"
    economic_classification = "支出经济分类汇总表"
    procurement = "政府采购预算表"
    operating_cost = "机构运行经费表"
    performance_overall = "整体绩效目标表"
    performance_project = "项目绩效目标表"
    other = "其他"


REQUIRED_TABLE_TYPES: tuple[TableType, ...] = (
    TableType.income_expense_summary,
    TableType.income,
    TableType.expenditure,
    TableType.fiscal_summary,
    TableType.general_budget_expenditure,
    TableType.general_basic_expenditure,
    TableType.three_public,
    TableType.gov_fund,
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Location(_Model):
    """Where a figure or a quote stands. Table cells fill table_id/row/column; prose fills
    section_id/offset. Pages are 1-based; None when the source has no pages (converted text)."""

    page: Optional[int] = None
    table_id: Optional[str] = None
    row: Optional[int] = None  # index into Table.rows
    column: Optional[str] = None  # flattened column key, e.g. "基本支出/人员经费"
    section_id: Optional[str] = None
    offset: Optional[int] = None  # character offset in Section.text
    line: Optional[int] = None  # 1-based line in the source text, when known
    # PDF only: the box on the page, in PDF points from the page's top-left (x0, top, x1, bottom),
    # as pdfplumber measures it; None for converted text.
    box: Optional[tuple[float, float, float, float]] = None


class Figure(_Model):
    """One printed number. `value` is None for a blank or a dash ("no value")."""

    value: Optional[Decimal] = None
    raw: str = ""
    decimals: int = 0  # printed decimals: 1,125.77 -> 2; 4 -> 0
    unit: Optional[str] = None  # 元 / 万元 / 亿元 / % / 个百分点 / 个 / 人 / 辆 ...
    location: Location = Field(default_factory=Location)

    @property
    def is_blank(self) -> bool:
        return self.value is None


class Cell(_Model):
    column: str  # flattened column key
    text: str = ""  # the cell text as printed (whitespace normalised)
    figure: Optional[Figure] = None  # set when the text is a number (or an explicit blank/dash)


class Row(_Model):
    index: int
    cells: list[Cell] = Field(default_factory=list)
    code_raw: Optional[str] = None  # as printed, e.g. "208 | 05 | 05" or "2080505"
    code: Optional[str] = None  # digits only, e.g. "2080505"
    name: str = ""  # the row's label (科目名称 / 项目 / 项目名称)
    page: Optional[int] = None
    is_total: bool = False  # 合计 / 总计 / 小计 rows

    @property
    def level(self) -> Optional[str]:
        """类/款/项 from a functional code's length (3/5/7 digits); economic codes 3/5."""
        if not self.code:
            return None
        return {3: "类", 5: "款", 7: "项"}.get(len(self.code))

    def cell(self, column: str) -> Optional[Cell]:
        for c in self.cells:
            if c.column == column:
                return c
        return None

    def value(self, column: str) -> Optional[Decimal]:
        c = self.cell(column)
        return c.figure.value if c and c.figure else None

    def figures(self) -> Iterator[Figure]:
        for c in self.cells:
            if c.figure is not None and c.figure.value is not None:
                yield c.figure


class TableConfidence(_Model):
    """How sure the reader is of one table, decided from the table alone (indexing/read/confidence.py).

    - `type_source`: what decided the standard type: "title", "content" (header words and row
      labels), "title+content" (both agree) or "none"; `type_note` says why when they disagree.
    - `totals_checked` / `totals_reconciled`: 合计 / 小计 cells (rows closing coded rows, columns
      closing their sibling columns) recomputed from what they close, within rounding;
      `unreconciled` lists the ones that did not, with both numbers.
    - `unplaced`: rows or cells the reader could not place (figures with no label, text where a
      number belongs).
    - `sure`: the checker may raise an error on this table's cells. False when the table is
      incomplete, cells were unplaced, or so many totals fail that a shifted reading is likelier
      than a department's mistakes (`doubt` says which).
    """

    type_source: str = "none"
    type_note: Optional[str] = None
    totals_checked: int = 0
    totals_reconciled: int = 0
    unreconciled: list[str] = Field(default_factory=list)
    unplaced: list[str] = Field(default_factory=list)
    code_mismatches: list[str] = Field(default_factory=list)  # codes whose printed name is another 科目's
    sure: bool = True
    doubt: Optional[str] = None


class Table(_Model):
    id: str  # "t1", "t2" ... in reading order
    title: str
    number: Optional[str] = None  # "预算01表", "表一" ...
    standard_type: TableType = TableType.other
    unit: Optional[str] = None  # 元 / 万元
    header_rows: list[list[str]] = Field(default_factory=list)  # header as printed, merged cells filled
    columns: list[str] = Field(default_factory=list)  # flattened keys, "基本支出/人员经费"
    rows: list[Row] = Field(default_factory=list)
    pages: list[int] = Field(default_factory=list)
    complete: bool = True
    incomplete_reason: Optional[str] = None
    empty_note: Optional[str] = None  # 空表说明, when the table is printed empty
    issuer: Optional[str] = None  # the unit its 编制单位 / 部门(单位) line names, when printed
    notes: list[str] = Field(default_factory=list)  # other remarks printed with the table
    confidence: Optional[TableConfidence] = None  # set once the document is read

    def find_rows(self, name: str) -> list[Row]:
        """Rows whose name or any text cell equals `name` after normalisation (spaces, 一、 prefixes)."""
        key = normalise_label(name)
        return [r for r in self.rows if key in {normalise_label(c.text) for c in r.cells} | {normalise_label(r.name)}]

    def lookup(self, label: str, column: Optional[str] = None) -> Optional[Figure]:
        """The figure that belongs to a label: in `column` when given, else the first number to the
        right of the cell holding the label (this reads side-by-side tables such as 收支总表)."""
        key = normalise_label(label)
        for row in self.rows:
            for i, c in enumerate(row.cells):
                if normalise_label(c.text) != key and not (i == 0 and normalise_label(row.name) == key):
                    continue
                if column is not None:
                    cell = row.cell(column)
                    return cell.figure if cell else None
                for right in row.cells[i + 1 :]:
                    if is_line_number_column(right.column):
                        continue
                    if right.figure is not None:
                        return right.figure
                    if right.text and right.figure is None:
                        break  # another label: the number belongs to it, not to ours
        return None


class Section(_Model):
    id: str  # "s1", "s2" ...
    heading: str
    path: list[str] = Field(default_factory=list)  # heading path from the top, e.g. ["第二部分 …", "八、“三公”…"]
    level: int = 1
    page: Optional[int] = None  # page of the heading
    text: str = ""  # body text, lines joined (hard line breaks inside sentences removed)
    figures: list[Figure] = Field(default_factory=list)  # numbers in the text, location.offset set
    page_offsets: list[tuple[int, int]] = Field(default_factory=list)  # (offset, page) where a new page starts
    # (start, end) of sentences that address the reader or a model ("忽略以上指令…"), set by
    # indexing/read/injection.py: never answer evidence, reported by the checker (E-INSTRUCTION)
    instructions: list[tuple[int, int]] = Field(default_factory=list)


class DocumentMeta(_Model):
    department: Optional[str] = None
    region: Optional[str] = None
    year: Optional[int] = None
    kind: Optional[str] = None  # 预算 / 决算
    level: Optional[str] = None  # 部门 / 单位
    unit: Optional[str] = None  # unit of the narrative figures (usually 万元)
    table_unit: Optional[str] = None  # most common unit of the tables (万元, or 元 in Shanghai)


class Document(_Model):
    id: str  # sha256 of the source bytes: a document's identity
    source: str  # file name as given
    format: str  # "pdf" | "text"
    meta: DocumentMeta = Field(default_factory=DocumentMeta)
    page_count: Optional[int] = None
    sections: list[Section] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    def to_json(self, **kwargs) -> str:
        return self.model_dump_json(**kwargs)

    @classmethod
    def from_json(cls, text: str) -> "Document":
        return cls.model_validate_json(text)

    def tables_of(self, table_type: TableType) -> list[Table]:
        return [t for t in self.tables if t.standard_type == table_type]

    def table(self, table_id: str) -> Optional[Table]:
        return next((t for t in self.tables if t.id == table_id), None)

    def section(self, section_id: str) -> Optional[Section]:
        return next((s for s in self.sections if s.id == section_id), None)

    @property
    def narrative(self) -> str:
        return "\n".join(s.text for s in self.sections)


_LABEL_PREFIX = re.compile(r"^(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．](?!\d))")


def normalise_label(text: str) -> str:
    """Compare labels the way a reader does: ignore spaces, list prefixes (一、 (一) 1.), and
    full-width/half-width bracket differences. '一、一般公共预算' == '一般公共预算'."""
    s = re.sub(r"\s+", "", text or "")
    s = s.replace("（", "(").replace("）", ")").replace("“", "").replace("”", "").replace('"', "")
    s = _LABEL_PREFIX.sub("", s)
    return s


LINE_NUMBER_COLUMNS = ("序号", "栏次", "行次")  # the 决算 templates number their lines: not amounts


_DUPLICATE_MARK = re.compile(r"#\d+$")


def is_line_number_column(column: str) -> bool:
    return _DUPLICATE_MARK.sub("", column or "").split("/")[-1] in LINE_NUMBER_COLUMNS
