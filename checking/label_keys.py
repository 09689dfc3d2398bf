"""The canonical key of a label, where the narrative's words and the tables' labels meet.

Templates name the same thing in many ways (机构运行经费 / 机关运行经费支出预算, 收入总计 / 收支总预算,
"（一）基本支出", "2025年一般公共预算拨款收入"): `canon` strips what only dresses a label (years, 类/款/项
marks, numbering, units, 其中) and maps the synonyms templates use to one key, so a claim and a cell
align by key rather than by the printed text. `column_label` does the same for a table's column path.
"""

from __future__ import annotations

import re
from functools import lru_cache

from indexing.model import normalise_label

# (pattern, canonical key): the first pattern that matches the whole label wins.
_ALIASES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), k)
    for p, k in [
        (r"^(?:行政\(事业\)单位)?机[关构]运行经费(?:支出)?(?:预算)?(?:合计)?(?:预算数)?$", "机关运行经费"),
        (r"^(?:部门)?收支总预算$|^收入总预算$|^收入总计$|^收入预算$|^部门收入预算$|^收入$|^收入支出总计$|^收支总计$|^预算收支$|^收支预算$", "收入总计"),
        (r"^纳入(?:预算)?绩效管理的?支出(?:总额)?$|^部门预算总额$", "绩效管理支出总额"),
        (r"^支出总计$|^支出总预算$|^支出预算$|^部门支出预算$", "支出总计"),
        (r"^本年收入合计$|^收入合计$|^收入预算合计$", "本年收入合计"),
        (r"^本年支出合计$|^支出合计$|^支出预算合计$", "本年支出合计"),
        (r"^(?:财政拨款|一般公共预算)?三公经费(?:支出)?(?:预算)?(?:合计)?(?:预算数)?$", "三公经费"),
        (r"^(?:政府性)?基金预算(?:拨款)?收入$", "政府性基金预算"),
        (r"^财政专户(?:核拨|管理资金)?(?:收入)?$", "财政专户管理资金"),
        (r"^上年结转(?:结余)?(?:收入)?$", "上年结转"),
        (r"^因公出国\(境\)费?(?:用)?$|^因公出国境费$", "因公出国(境)费"),
        (r"^公务用?车购置及运(?:行)?(?:维护|维)?费(?:小计)?$", "公务用车购置及运行费"),
        (r"^公务用车运(?:行)?(?:维护|维)?费$|^公务车用车运行费$", "公务用车运行费"),
        (r"^公务用车购置费$", "公务用车购置费"),
        (r"^公务接待费$", "公务接待费"),
        (r"^人员经费(?:支出)?(?:合计)?$", "人员经费"),
        (r"^公用经费(?:支出)?(?:合计)?$", "公用经费"),
        (r"^基本支出(?:合计|小计)?$", "基本支出"),
        (r"^项目支出(?:合计|小计)?$", "项目支出"),
        (r"^一般公共(?:财政)?预算(?:拨款)?(?:财政拨款)?(?:收入|收支预算|收支|拨款收入)?$|^一般公共预算收入$", "一般公共预算"),
        (r"^一般公共预算(?:财政)?(?:拨款)?支出$", "一般公共预算支出"),
        (r"^财政拨款(?:收入支出|收支)(?:总计|总预算|预算)$", "财政拨款收支总计"),
        (r"^政府性基金(?:预算)?(?:拨款)?(?:收入|收支预算|收支)?$", "政府性基金预算"),
        (r"^政府性基金(?:预算)?(?:拨款)?支出$", "政府性基金预算支出"),
        (r"^国有资本经营(?:预算)?(?:拨款)?(?:收入|收支预算|收支)?$", "国有资本经营预算"),
        (r"^国有资本经营(?:预算)?(?:拨款)?支出$", "国有资本经营预算支出"),
        (r"^财政拨款(?:收入)?$", "财政拨款收入"),
        (r"^政府采购(?:预算)?(?:合计|总额)?$", "政府采购"),
        (r"^(?:其他)?运转类(?:项目)?(?:支出)?$", "运转类"),
        (r"^特定目标类(?:项目)?(?:支出)?$", "特定目标类"),
        (r"^政府采购货物(?:预算)?$|^货物类?$", "政府采购货物"),
        (r"^政府采购工程(?:预算)?$|^工程类?$", "政府采购工程"),
        (r"^政府采购服务(?:预算)?$|^服务类?$", "政府采购服务"),
    ]
]
_KEEP_SUFFIX = {"基本支出", "项目支出", "一般公共预算支出", "政府性基金预算支出", "国有资本经营预算支出"}
# Labels too vague to align on their own.
VAGUE_LABELS = {"", "合计", "总计", "小计", "金额", "支出", "收入", "预算数", "经费", "费", "资金", "其他"}


@lru_cache(maxsize=8192)
def canon(label: str) -> str:
    """The key a label aligns by: dressing removed, the first alias pattern matching the whole
    label, else the label itself (a trailing 支出 dropped unless the key needs it)."""
    s = normalise_label(label).replace("其它", "其他")
    s = re.sub(r"\d{4}年度?", "", s).replace("预算安排", "预算").replace("安排", "").replace("年初", "")
    s = re.sub(r"[（(]\d+[类款项][)）]|[（(][类款项][)）]", "", s)
    s = s.replace("（", "(").replace("）", ")").replace("：", "").replace(":", "")
    s = re.sub(r"\((?:万元|元|%)\)", "", s)
    s = re.sub(r"^(?:其中|[一二三四五六七八九十]+、|\(\S{1,3}\)|\d+[、.])", "", s)
    for pattern, key in _ALIASES:
        if pattern.match(s):
            return key
    if s not in _KEEP_SUFFIX and s.endswith("支出") and len(s) > 4:
        s = s[:-2]
    return s


@lru_cache(maxsize=4096)
def column_label(column: str) -> str:
    """The last meaningful part of a column path ("本年预算/基本支出/小计" → "基本支出"): the
    subtotal words under a column name are not its name."""
    parts = [p for p in column.split("/") if p]
    parts = [re.sub(r"#\d+$", "", p) for p in parts]
    while len(parts) > 1 and parts[-1] in ("小计", "合计", "金额", "预算数", "本年预算数"):
        parts.pop()
    return parts[-1] if parts else column
