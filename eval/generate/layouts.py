"""Layout families: the ways real templates print the same budget (issue 11, deliver item 6).

A `Layout` is a point on independent axes — title style, unit/department lines, code layout, header
depth, table unit, continuation over pages, page-text flattening, narrative heading style — and a
family is one named point that stands for a class of real templates. Every family renders as text
and as PDF (`layout_text.py`, `layout_pdf.py`); the gold truth comes from the generator's data
(`layout_doc.py`), never from reading the output.

The families (what real-template class each stands for):

- `central_numbered`  the national 8-table template as most provinces print it: "一、部门收支总体情况表",
  "单位：万元", 科目编码 in one column, two header rows, narrative headings 一、.
- `unit_plain`        a 单位预算 converted from PDF: unnumbered titles ("收支总体情况表"), one line
  "部门(单位)：XX … 单位：万元", codes printed spaced ("201 01 01"), headings （一）.
- `yearly_dept_yuan`  city-level templates in 元 (上海/江苏 市级 class): "XX局2025年部门收支总表" with the year and
  the unit in front, "单位：元 … 编制单位：XX" (unit first), thousands separators, one header row, headings 1.
- `numbered_sheets`   templates that number their sheets (广东/深圳 class): "预算01表" on a line of its own above
  the title, department and unit on two lines, 类/款/项 in three columns on every row, 合计 row first, long
  tables continued on the next page under "续表" with the header repeated, headings (1).
- `final_first_row`   决算-style sheets (陕西/山东 class): 类/款/项 columns with the 类 and 款 printed only on the
  first row of their group, "附表3 …" numbers, headings ①.
- `final_continued`   the two together, as 决算 PDFs print them: first-row-only 类/款 columns in tables that
  run over the page under "续表", so a group that started on one page goes on, without its 类/款, on the next;
  合计 row last.
- `dual_economic`     报表 files that print both economic classifications (北京 class): 部门经济分类 302 28 | 工会经费
  next to 政府经济分类 502 01 | 办公经费 in one row (code and name in their own columns), titles "表一 …",
  "金额单位：万元".
- `dual_joined`       the same two classifications with each code and its name in one cell ("302 28 工会经费" next
  to "502 01 办公经费"), and every 科目 cell of the other tables likewise ("201 01 01 行政运行").
- `deep_header`       wide 万元 sheets (湖北/重庆 class): three header rows with a spanning "基本支出" over
  小计/人员经费/公用经费, no unit line at all (万元 implied), headings ①.
- `provincial_yi`     province-level departments that print 亿元 tables: "2025年部门收支总表", "金额单位：亿元",
  long tables continued on the next page with the header repeated but no "续表".
- `continued_bare`    区县 PDFs whose long tables run over the page with neither "续表" nor a repeated header.
- `page_flat`         page-text conversions (上海 pdftotext class): every page as rows of whitespace-separated
  tokens (blank cells lost), one page after another, narrative lines broken mid-sentence; as PDF the same
  sheets printed without ruling lines, so the table has to be read from the words.
- `untitled_run_in`   templates that paste sheets under a narrative heading: some tables (三公, 基本支出,
  政府性基金, 政府采购) carry no title at all, and narrative headings run into their body
  ("六、“三公”经费预算情况说明：…").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from eval.generate.styles import STYLES, TABLE_KEYS, cn_index

# Title vocabularies (our own wording, the shapes provinces use).
VOCAB = {
    "dept": dict(STYLES["henan"].titles),
    "situation": {"summary": "收支总体情况表", "income": "收入总体情况表", "expenditure": "支出总体情况表",
                  "fiscal": "财政拨款收支总体情况表", "general": "一般公共预算支出情况表",
                  "basic": "一般公共预算基本支出情况表", "three_public": "一般公共预算“三公”经费支出情况表",
                  "gov_fund": "政府性基金预算支出情况表", "project": "项目支出情况表",
                  "operating": "机关运行经费支出情况表", "procurement": "政府采购预算情况表"},
    "budget": {k: v.replace("{y}年", "") for k, v in STYLES["shanghai"].titles.items()},
}
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮"


@dataclass(frozen=True)
class Layout:
    name: str
    template: str  # the real-template class it stands for
    title: str = "numbered"  # numbered | plain | year | dept_year
    vocab: str = "dept"  # dept | situation | budget
    number: str = ""  # 表号 format ("预算{i2}表", "附表{i}", "表{cn}"); "" for none
    number_inline: bool = False  # "表一 部门收支总表" on one line, else the number on its own line
    untitled: tuple[str, ...] = ()  # tables printed with no title at all
    meta: str = "unit"  # unit | amount_unit | dept_unit | unit_dept | two_lines | none
    unit: str = "万元"  # 元 | 万元 | 亿元
    thousands: bool = False
    code: str = "one"  # one | spaced | three | three_first | joined (code and name in one cell)
    dual_econ: bool = False
    depth: int = 2  # header rows of the coded tables: 1, 2 or 3
    total_first: bool = True
    continued: str = ""  # "" | label_header (续表 + header) | header (header only) | bare (neither)
    one_per_page: bool = False
    flat: bool = False  # text: page-text flattening; PDF: no ruling lines
    heading: str = "cn"  # cn | paren_cn | arabic | paren_arabic | circled | run_in

    def title_of(self, key: str, year: int, dept: str) -> str | None:
        if key in self.untitled:
            return None
        name = VOCAB[self.vocab][key].replace("{y}年", "")
        i = TABLE_KEYS.index(key) + 1
        if self.title == "numbered":
            return f"{cn_index(i)}、{name}"
        if self.title == "year":
            return f"{year}年{name}"
        if self.title == "dept_year":
            return f"{dept}{year}年{name}"
        return name

    def number_of(self, key: str) -> str | None:
        if not self.number:
            return None
        i = TABLE_KEYS.index(key) + 1
        return self.number.format(i=i, i2=f"{i:02d}", cn=cn_index(i))

    def meta_lines(self, dept: str, unit: str) -> list[str]:
        gap = "      "
        return {"unit": [f"单位：{unit}"], "amount_unit": [f"金额单位：{unit}"],
                "dept_unit": [f"部门(单位)：{dept}{gap}单位：{unit}"],
                "unit_dept": [f"单位：{unit}{gap}编制单位：{dept}"],
                "two_lines": [f"编制部门：{dept}", f"单位：{unit}"], "none": []}[self.meta]

    def heading_text(self, heading: str, k: int) -> str:
        """'三、支出预算情况' (k = 3) in this layout's numbering style."""
        core = core_heading(heading)
        if heading == core:  # unnumbered headings (名词解释) stay as they are
            return heading
        return {"cn": f"{cn_index(k)}、", "run_in": f"{cn_index(k)}、", "paren_cn": f"（{cn_index(k)}）",
                "arabic": f"{k}. ", "paren_arabic": f"({k})", "circled": CIRCLED[k - 1]}[self.heading] + core


_NUM_RE = re.compile(r"^[一二三四五六七八九十]+、")


def core_heading(heading: str) -> str:
    return _NUM_RE.sub("", heading)


_ALL = [
    Layout("central_numbered", "national 8-table template, numbered titles, 万元, one-column codes"),
    Layout("unit_plain", "单位预算 converted text: unnumbered titles, 部门(单位)/单位 on one line, spaced codes",
           title="plain", vocab="situation", meta="dept_unit", code="spaced", heading="paren_cn"),
    Layout("yearly_dept_yuan", "city-level 元 templates: unit and year in front of the title, unit line first",
           title="dept_year", vocab="dept", meta="unit_dept", unit="元", thousands=True, depth=1,
           total_first=False, heading="arabic"),
    Layout("numbered_sheets", "numbered sheets 预算01表 above the title, 类/款/项 columns on every row, 续表 with header",
           title="plain", vocab="budget", number="预算{i2}表", meta="two_lines", code="three",
           continued="label_header", heading="paren_arabic"),
    Layout("final_first_row", "决算-style sheets: 类/款 printed only on a group's first row",
           title="plain", vocab="situation", number="附表{i}", number_inline=True, code="three_first",
           heading="circled"),
    Layout("final_continued", "决算 PDFs: first-row-only 类/款 with long tables continued under 续表 (the group goes on "
           "over the page)", title="year", vocab="situation", meta="unit", code="three_first",
           continued="label_header", total_first=False, heading="cn"),
    Layout("dual_economic", "报表 with 部门经济分类 next to 政府经济分类 in one row",
           title="plain", vocab="dept", number="表{cn}", number_inline=True, meta="amount_unit", code="spaced",
           dual_econ=True),
    Layout("dual_joined", "报表 with both economic classifications, each code printed with its name in one cell",
           title="year", vocab="situation", meta="two_lines", code="joined", dual_econ=True, heading="paren_cn"),
    Layout("deep_header", "wide sheets: three header rows, 基本支出 spanning 小计/人员经费/公用经费, no unit line",
           title="year", vocab="situation", meta="none", depth=3, heading="circled"),
    Layout("provincial_yi", "province-level 亿元 tables, long tables continued with the header repeated",
           title="year", vocab="dept", meta="amount_unit", unit="亿元", total_first=False, continued="header"),
    Layout("continued_bare", "tables running over pages with no 续表 and no repeated header",
           title="numbered", vocab="situation", meta="unit", continued="bare", heading="paren_cn"),
    Layout("page_flat", "page-text conversions: whitespace tokens page by page; PDF without ruling lines",
           title="year", vocab="budget", number="预算{i2}表", meta="unit_dept", unit="元", thousands=True,
           total_first=False, one_per_page=True, flat=True, heading="paren_cn"),
    Layout("untitled_run_in", "sheets pasted under headings: some tables untitled; run-in narrative headings",
           title="numbered", vocab="dept", untitled=("basic", "three_public", "gov_fund", "procurement"),
           meta="unit", heading="run_in"),
]
FAMILIES: dict[str, Layout] = {f.name: f for f in _ALL}


def resolve_families(spec: str) -> list[str]:
    if spec in ("all", "", None):
        return list(FAMILIES)
    names = [s.strip() for s in spec.split(",") if s.strip()]
    unknown = [s for s in names if s not in FAMILIES]
    if unknown:
        raise ValueError(f"unknown famil(ies) {unknown}; known: {', '.join(FAMILIES)}")
    return names
