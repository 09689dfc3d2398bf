"""The layout families print what they claim (titles, unit lines, code layouts, header depth, units,
continuation, flattening, heading styles), deterministically, and their truth is consistent with the
budget it comes from. No reader involved: see test_layout_families.py for that."""

from __future__ import annotations

from decimal import Decimal

import pytest

from eval.generate.figures import WAN
from eval.generate.layout_doc import build_layout_doc, truth
from eval.generate.layout_text import WRAP, render_layout_text
from eval.generate.layouts import FAMILIES

SEED = 3


def doc(family, i=0):
    return build_layout_doc(family, i, SEED)


def table(d, key):
    return next(t for t in d.printed if t.key == key)


def test_at_least_ten_families_with_a_template_class():
    assert len(FAMILIES) >= 10
    assert all(f.template for f in FAMILIES.values())


@pytest.mark.parametrize("family", list(FAMILIES))
def test_text_is_deterministic_and_differs_by_index(family):
    a, b = render_layout_text(doc(family)), render_layout_text(doc(family))
    assert a == b
    assert render_layout_text(doc(family, 1)) != a


@pytest.mark.parametrize("family", ["central_numbered", "final_first_row", "page_flat"])
def test_pdf_is_deterministic(family):
    from eval.generate.layout_pdf import render_layout_pdf

    assert render_layout_pdf(doc(family)) == render_layout_pdf(doc(family))


def test_title_styles():
    assert table(doc("central_numbered"), "summary").title == "一、部门收支总表"
    assert table(doc("unit_plain"), "summary").title == "收支总体情况表"
    d = doc("yearly_dept_yuan")
    assert table(d, "income").title == f"{d.budget.department}{d.budget.year}年部门收入总表"
    t = table(doc("numbered_sheets"), "basic")
    assert t.number == "预算06表" and not t.title[0].isdigit()
    d = doc("untitled_run_in")
    text = render_layout_text(d)
    for key in FAMILIES["untitled_run_in"].untitled:
        assert table(d, key).title is None
    assert "“三公”经费支出表" not in text and "十、机构运行经费表" in text


def test_unit_and_department_lines():
    d = doc("unit_plain")
    assert table(d, "income").meta == [f"部门(单位)：{d.budget.department}      单位：万元"]
    assert table(doc("yearly_dept_yuan"), "income").meta[0].startswith("单位：元")
    assert table(doc("deep_header"), "income").meta == []
    assert table(doc("provincial_yi"), "income").meta == ["金额单位：亿元"]


def _coded_rows(t):
    return [r for r in t.body if "合计" not in r]


def test_code_layouts():
    assert table(doc("central_numbered"), "expenditure").header[-1][:2] == ["科目编码", "科目名称"]
    spaced = [r[0] for r in _coded_rows(table(doc("unit_plain"), "expenditure"))]
    assert any(len(c.split()) == 3 and len(c) == 9 for c in spaced)
    three = table(doc("numbered_sheets"), "expenditure")
    assert three.header[-1][:4] == ["类", "款", "项", "科目名称"]
    assert all(r[0] for r in _coded_rows(three))  # the 类 on every row
    first = _coded_rows(table(doc("final_first_row"), "expenditure"))
    items = [r for r in first if r[2]]
    assert items and all(r[0] == "" and r[1] == "" for r in items)  # 项 rows print neither 类 nor 款
    joined = _coded_rows(table(doc("dual_joined"), "basic"))
    assert joined[1][0].split()[:2] == ["301", "01"] and joined[1][1].startswith("501 01 ")


def test_dual_economic_pairs():
    t = table(doc("dual_economic"), "basic")
    assert t.header[0][0] == "部门经济分类" and "政府经济分类" in t.header[0]
    for r in _coded_rows(t):
        assert r[0][0] == "3" and r[2][0] == "5" and r[0][1:3] == r[2][1:3] or r[0][:3] in ("303", "310")


def test_header_depth_three_with_a_spanning_basic():
    t = table(doc("deep_header"), "expenditure")
    assert len(t.header) == 3
    col = t.header[1].index("基本支出")
    assert (1, col, 1, col + 2) in t.spans
    assert t.header[2][col:col + 3] == ["小计", "人员经费", "公用经费"]
    assert len(table(doc("yearly_dept_yuan"), "expenditure").header) == 1


def test_yi_yuan_tables_are_exact():
    d = doc("provincial_yi")
    tt = next(t for t in truth(d)["tables"] if t["key"] == "expenditure")
    total = next(v for lab, k, v in tt["cells"] if lab == "合计" and k.endswith("合计"))
    assert tt["unit"] == "亿元" and total * 10000 == truth(d)["key_figures"]["支出总计"]
    assert total * 100_000_000 == d.budget.total


def test_continued_tables():
    text = render_layout_text(doc("numbered_sheets"))
    assert text.count("续表") >= 3 and "\f" in text
    repeated = render_layout_text(doc("provincial_yi"))
    header = "\t".join(table(doc("provincial_yi"), "basic").header[-1])
    assert "续表" not in repeated and repeated.count(header) == 2  # the basic table's header, after its break
    bare = render_layout_text(doc("continued_bare"))
    assert "续表" not in bare and bare.count("\f") > 3
    tables_part = bare[bare.index("第四部分 部门预算表", 200):]
    after_break = [page.splitlines()[0] for page in tables_part.split("\f")[1:]]
    headers = {"\t".join(r) for t in doc("continued_bare").printed for r in t.header}
    assert after_break and not set(after_break) & headers  # a page goes on with rows, not the header
    assert any(line[:1].isdigit() for line in after_break)


def test_page_flat_text():
    text = render_layout_text(doc("page_flat"))
    assert "\t" not in text and "\f" in text and "— 3 —" in text
    body = [line for line in text.splitlines() if "。" in line or "，" in line]
    assert body and max(len(line) for line in body) <= WRAP + 12
    assert not any(line.endswith("。") for line in body[:3]) or len(body) > 3  # sentences run over lines


@pytest.mark.parametrize("family,marker", [("central_numbered", "一、收支预算总体情况"),
                                           ("unit_plain", "（一）收支预算总体情况"),
                                           ("yearly_dept_yuan", "1. 收支预算总体情况"),
                                           ("numbered_sheets", "(1)收支预算总体情况"),
                                           ("final_first_row", "①收支预算总体情况"),
                                           ("untitled_run_in", "一、收支预算总体情况：")])
def test_heading_styles(family, marker):
    lines = render_layout_text(doc(family)).splitlines()
    hit = [line for line in lines if line.startswith(marker)]
    assert hit
    if family == "untitled_run_in":
        assert len(hit[0]) > len(marker) + 10  # the body runs on in the heading's line


@pytest.mark.parametrize("family", list(FAMILIES))
def test_truth_is_consistent_with_the_budget(family):
    d = doc(family, 2)
    tr = truth(d)
    div = {"元": Decimal(1), "万元": WAN, "亿元": Decimal(100_000_000)}[d.layout.unit]
    assert len(tr["tables"]) == 11
    for tt in tr["tables"]:
        assert all(v is None or isinstance(v, Decimal) for _, _, v in tt["cells"])
        if tt["coded"] and tt["key"] != "operating":
            first = tt["cells"][0][1]
            classes = [v or 0 for lab, k, v in tt["cells"] if k == first and len(lab) == 3]
            total = next(v for lab, k, v in tt["cells"] if lab == "合计" and k == first)
            assert sum(classes) == (total or 0), tt["key"]
    exp = next(t for t in tr["tables"] if t["key"] == "expenditure")
    total = next(v for lab, k, v in exp["cells"] if lab == "合计")
    assert total * div == d.budget.total
    assert tr["key_figures"]["支出总计"] * WAN == d.budget.total
    assert len(tr["sections"]) >= 10
