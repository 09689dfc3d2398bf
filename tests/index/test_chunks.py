from decimal import Decimal

from indexing.chunks import chunk_document, split_text
from indexing.model import TableType


def test_row_chunks_are_self_contained_facts(doc):
    chunks = chunk_document(doc)
    rows = [c for c in chunks if c.metadata["chunk_kind"] == "row"]
    assert rows
    for c in rows:
        table = doc.table(c.metadata["table_id"])
        row = table.rows[c.metadata["row"]]
        assert doc.meta.department in c.text and "2026年" in c.text
        assert table.title in c.text and f"（单位：{table.unit}）" in c.text
        for fig_cell in (cell for cell in row.cells if cell.figure and cell.figure.value is not None):
            assert f"{fig_cell.column} = {fig_cell.text}" in c.text  # header path + value as printed
        assert c.metadata["table_type"] == table.standard_type.value
        assert c.metadata["page"] == row.page
    line = next(c for c in rows if c.metadata.get("code") == "2040601")
    assert line.text == (
        "上海市普陀区司法局 2026年单位预算 一般公共预算支出表（单位：元）: 204 06 01 行政运行 / "
        "合计 = 14,348,853.34；基本支出 = 14,348,853.34"
    )


def test_header_path_in_row_chunk(doc):
    three = next(c for c in chunk_document(doc) if c.metadata.get("table_type") == TableType.three_public.value
                 and c.metadata["chunk_kind"] == "row")
    assert "公务用车购置及运行费/公务用车运行维护费 = 100,000.00" in three.text


def test_section_chunks_carry_heading_path(doc):
    sections = [c for c in chunk_document(doc) if c.metadata["chunk_kind"] == "section"]
    assert sections
    for c in sections:
        sec = doc.section(c.metadata["section_id"])
        assert " > ".join(sec.path) in c.text.splitlines()[0]
        assert c.text.startswith("上海市普陀区司法局 2026年单位预算 | ")
        assert len(c.text.split("\n", 1)[1]) <= 500
    assert any("第二部分 2026年单位预算情况说明 > 一、收支预算总体情况" in c.text for c in sections)


def test_long_section_split_at_sentence_ends():
    text = "".join(f"第{i}句话说明预算安排的原因和依据，内容较长需要拆分。" for i in range(40))
    pieces = split_text(text)
    assert len(pieces) > 1
    assert all(len(p) <= 500 for _, p in pieces)
    assert all(p.endswith("。") for _, p in pieces)
    assert "".join(p for _, p in pieces) == text
    assert all(text[o:o + len(p)] == p for o, p in pieces)  # offsets point into the section


def test_small_and_empty_tables_whole(doc):
    tables = [c for c in chunk_document(doc) if c.metadata["chunk_kind"] == "table"]
    assert {c.metadata["table_id"] for c in tables} == {"t1", "t2", "t3"}
    empty = next(c for c in tables if c.metadata["table_id"] == "t3")
    assert "空表说明" in empty.text and "政府性基金" in empty.text


def test_ids_deterministic_and_metadata(doc):
    a, b = chunk_document(doc), chunk_document(doc.model_copy(deep=True))
    assert [c.id for c in a] == [c.id for c in b]
    assert len({c.id for c in a}) == len(a)
    assert all(c.id.startswith(doc.id + ":") for c in a)
    for c in a:
        m = c.metadata
        assert m["doc_id"] == doc.id and m["department"] == "上海市普陀区司法局" and m["year"] == 2026
        assert m["region"] == "上海市普陀区" and m["kind"] == "预算"
        assert ("section_id" in m) or ("table_id" in m)
        assert all(v is not None for v in m.values())


def test_figures_untouched(doc):
    # chunking must not alter the Decimals in the model
    row = doc.table("t1").rows[2]
    chunk_document(doc)
    assert row.value("基本支出") == Decimal("14348853.34")


def _side_by_side_doc():
    """A 决算 basic expenditure table printed side by side: 工资福利支出 on the left, 商品和服务支出
    on the right, each group with its own 编码 / 科目名称 / 决算数 (the reader marks the second #2)."""
    from indexing.model import Cell, Document, DocumentMeta, Figure, Row, Table

    def cell(column, text):
        is_amount = "决算数" in column
        return Cell(column=column, text=text, figure=Figure(value=Decimal(text), raw=text, decimals=2) if is_amount else None)

    left = [("301", "工资福利支出", "95.36"), ("30101", "基本工资", "14.12"), ("30102", "津贴补贴", "0.00")]
    right = [("302", "商品和服务支出", "10.23"), ("30201", "办公费", "3.78"), ("30211", "差旅费", "6.45")]
    rows = [Row(index=i, code=lc, code_raw=lc, name=ln,
                cells=[cell("科目编码", lc), cell("科目名称", ln), cell("决算数", lv),
                       cell("科目编码#2", rc), cell("科目名称#2", rn), cell("决算数#2", rv)])
            for i, ((lc, ln, lv), (rc, rn, rv)) in enumerate(zip(left, right))]
    table = Table(id="t1", title="一般公共预算财政拨款基本支出决算表", unit="万元",
                  standard_type=TableType.general_basic_expenditure, rows=rows,
                  columns=["科目编码", "科目名称", "决算数", "科目编码#2", "科目名称#2", "决算数#2"])
    meta = DocumentMeta(department="东山市河口区统计局", year=2024, kind="决算", level="部门")
    return Document(id="e" * 64, source="final.txt", format="text", meta=meta, tables=[table])


def test_a_side_by_side_row_states_each_groups_fact():
    rows = [c for c in chunk_document(_side_by_side_doc()) if c.metadata["chunk_kind"] == "row"]
    assert rows[1].text.endswith(": 30101 基本工资 / 决算数 = 14.12；30201 办公费 / 决算数 = 3.78")
    assert all("#2" not in c.text for c in rows)


def test_the_basic_expenditure_table_lists_each_economic_group():
    lists = {c.metadata["group"]: c.text for c in chunk_document(_side_by_side_doc())
             if c.metadata.get("derived") == "economic_group"}
    assert set(lists) == {"人员经费", "公用经费"}
    assert "30201 办公费 = 3.78" in lists["公用经费"] and "30211 差旅费 = 6.45" in lists["公用经费"]
    assert "基本工资" not in lists["公用经费"] and "津贴补贴" not in lists["人员经费"]  # nothing spent: left out
