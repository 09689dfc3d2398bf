"""Narrative sections recognised in every shape the templates print them: headings numbered in
any style (一、 （一） 1. (1) ①), a heading run into its first sentence, a table of contents
printed without a 目录 line, and wrapped sentence lines that only look like list items."""

from __future__ import annotations

from indexing.read.sections import Line, build_sections, heading_level, split_run_in


def _sections(texts: list[str]):
    return build_sections([Line(t, 1) for t in texts])


def test_heading_styles_give_their_levels():
    assert heading_level("第二部分 部门预算情况说明") == 1
    assert heading_level("三、支出预算情况说明") == 2
    assert heading_level("（二）项目支出") == 3
    assert heading_level("2.政府采购情况") == 4
    assert heading_level("(1) 货物类采购") == 5 and heading_level("②公务接待费") == 5
    # a wrapped sentence line starting with a list number is body text
    assert heading_level("1.协助领导同志处理日常工作，发挥统筹协") is None


def test_a_heading_run_into_its_body_opens_its_section():
    sections = _sections(["三、“三公”经费预算情况说明：2025年“三公”经费预算为12.00万元，与上年持平。",
                          "（一）因公出国（境）费用。2025年预算数0万元。"])
    assert [s.heading for s in sections] == ["三、“三公”经费预算情况说明", "（一）因公出国（境）费用"]
    assert sections[0].text.startswith("2025年“三公”经费预算为12.00万元")
    assert [f.raw for f in sections[0].figures if f.unit == "万元"] == ["12.00万元"]
    # a glossary entry is a definition, not a heading
    assert split_run_in("一、基本支出：是指为保障机构正常运转发生的支出。") is None


def test_contents_without_a_contents_line_do_not_shadow_the_sections():
    toc = ["一、部门情况说明", "二、收入预算情况说明", "三、支出预算情况说明", "四、“三公”经费情况说明", "五、名词解释",
           "一、收支总表", "- 1 -"]
    body = ["一、部门情况说明", "本部门负责某项工作。", "二、收入预算情况说明", "收入预算100.00万元。",
            "三、支出预算情况说明", "支出预算100.00万元。"]
    sections = _sections(toc + body)
    headed = [s for s in sections if s.heading]
    assert [s.heading for s in headed] == ["一、部门情况说明", "二、收入预算情况说明", "三、支出预算情况说明"]
    assert all(s.text for s in headed)
