"""Province template styles: table titles, numbering, units, code layout and narrative wording.

The three styles differ the way real provinces differ (titles, 元 vs 万元 tables, 预算01表 numbering,
code printed as one column or as 类|款|项), so a reader tuned to one template is caught out by another.
The wording is the project's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TABLE_KEYS = ("summary", "income", "expenditure", "fiscal", "general", "basic", "three_public", "gov_fund",
              "project", "operating", "procurement")
# The 8 tables 财预〔2016〕143号 requires; the rest are common extras.
REQUIRED_KEYS = TABLE_KEYS[:8]
CN_NUM = "一二三四五六七八九十"


def cn_index(i: int) -> str:
    """1 -> 一, 11 -> 十一 (enough for table numbering)."""
    if i <= 10:
        return CN_NUM[i - 1]
    return "十" + CN_NUM[i - 11] if i < 20 else str(i)


@dataclass(frozen=True)
class Style:
    id: str
    table_unit: str  # 元 | 万元
    code_layout: str  # "code_name" (编码 + 名称) | "three" (类|款|项 + 名称)
    total_first: bool  # 合计 row before the detail rows
    thousands: bool  # 1,234.56 in tables
    numbering: str  # format for the table number, {i} is 1-based
    titles: dict = field(default_factory=dict)
    words: dict = field(default_factory=dict)

    @property
    def granularity_yuan(self) -> str:
        # 万元 tables: whole 万元 cents (100 元) so printed tables add up exactly.
        return "100" if self.table_unit == "万元" else "1"

    def number(self, i: int) -> str:
        return self.numbering.format(i=i, cn=cn_index(i), i2=f"{i:02d}")


STYLES = {
    "henan": Style(
        id="henan", table_unit="万元", code_layout="code_name", total_first=True, thousands=False,
        numbering="表{i}",
        titles={"summary": "部门收支总表", "income": "部门收入总表", "expenditure": "部门支出总表",
                "fiscal": "财政拨款收支总表", "general": "一般公共预算支出表", "basic": "一般公共预算基本支出表",
                "three_public": "一般公共预算“三公”经费支出表", "gov_fund": "政府性基金预算支出表",
                "project": "项目支出表", "operating": "机构运行经费表", "procurement": "政府采购预算表"},
        words={"compare": "与{py}年预算相比", "up": "增加", "down": "减少", "rise": "上升", "fall": "下降",
               "operating": "机构运行经费", "flat": "与{py}年预算持平", "reason": "主要原因是："},
    ),
    "shanghai": Style(
        id="shanghai", table_unit="元", code_layout="code_name", total_first=False, thousands=True,
        numbering="预算{i2}表",
        titles={"summary": "{y}年部门财务收支预算总表", "income": "{y}年部门收入预算总表",
                "expenditure": "{y}年部门支出预算总表", "fiscal": "{y}年部门财政拨款收支预算总表",
                "general": "{y}年部门一般公共预算支出功能分类预算表",
                "basic": "{y}年部门一般公共预算基本支出部门预算经济分类预算表",
                "three_public": "{y}年部门“三公”经费预算表", "gov_fund": "{y}年部门政府性基金预算支出功能分类预算表",
                "project": "{y}年部门项目支出预算表", "operating": "{y}年部门机关运行经费预算表",
                "procurement": "{y}年部门政府采购预算表"},
        words={"compare": "比{py}年预算", "up": "增加", "down": "减少", "rise": "增长", "fall": "下降",
               "operating": "机关运行经费", "flat": "与{py}年预算持平", "reason": "变化的主要原因是"},
    ),
    "hubei": Style(
        id="hubei", table_unit="万元", code_layout="three", total_first=True, thousands=True,
        numbering="表{cn}",
        titles={"summary": "{y}年部门收支总体情况表", "income": "{y}年部门收入总体情况表",
                "expenditure": "{y}年部门支出总体情况表", "fiscal": "{y}年财政拨款收支总体情况表",
                "general": "{y}年一般公共预算支出情况表", "basic": "{y}年一般公共预算基本支出情况表",
                "three_public": "{y}年一般公共预算“三公”经费支出情况表", "gov_fund": "{y}年政府性基金预算支出情况表",
                "project": "{y}年项目支出预算情况表", "operating": "{y}年行政（事业）单位机构运行经费表",
                "procurement": "{y}年政府采购预算情况表"},
        words={"compare": "较{py}年", "up": "增加", "down": "减少", "rise": "增长", "fall": "下降",
               "operating": "机关运行经费", "flat": "与{py}年持平", "reason": "原因是"},
    ),
}


def resolve_styles(spec: str) -> list[str]:
    if spec in ("all", "", None):
        return list(STYLES)
    names = [s.strip() for s in spec.split(",") if s.strip()]
    unknown = [s for s in names if s not in STYLES]
    if unknown:
        raise ValueError(f"unknown style(s) {unknown}; known: {', '.join(STYLES)}")
    return names
