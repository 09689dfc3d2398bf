"""Table chunks on generated documents of every layout family (read back by the real reader):
项目 heading a column of row labels is not written as a word of the chunk (so "有哪些项目" finds the
project table, not every table), and a big table's notes are indexed in a chunk of their own."""

from __future__ import annotations

import pytest

from eval.generate.layouts import FAMILIES
from indexing.bm25 import BM25Index, tokenize
from indexing.chunk_tables import SMALL_TABLE_CHARS, SMALL_TABLE_ROWS, header_words, render_table
from indexing.chunks import chunk_document
from service.evidence import items_of

PROJECT_TYPES = {"项目支出表", "项目绩效目标表"}


@pytest.fixture(scope="module")
def docs():
    from eval.layout_corpus import render
    from indexing.read import read_bytes

    out = []
    for fam in FAMILIES:
        lay, data, name = render(fam, 0, 11, "text")
        out.append((fam, read_bytes(data, name)))
    return out


def test_item_header_is_not_a_word_of_the_chunks():
    assert header_words("项目/功能分类科目名称") == "功能分类科目名称"
    assert header_words("本年支出/项目") == "本年支出"
    assert header_words("项目") == ""
    assert header_words("项目名称") == "项目名称" and header_words("支出/项目支出") == "支出/项目支出"


def test_a_list_question_finds_the_project_table_in_every_family(docs):
    """Among the table chunks, "有哪些项目，各安排多少钱" ranks a project table (or the project list)
    first in every family; with 项目 written from the headers of 收支总表 and the function tables
    it did not in page_flat, whose project table has no 项目 in its column names."""
    for fam, doc in docs:
        if not any(t.standard_type.value in PROJECT_TYPES for t in doc.tables):
            continue
        tables = [c for c in chunk_document(doc) if c.metadata.get("chunk_kind") == "table"]
        bm = BM25Index([c.id for c in tables], [tokenize(c.text) for c in tables])
        best = {c.id: c for c in tables}[bm.search("有哪些项目，各安排多少钱？", 1)[0][0]]
        assert best.metadata["table_type"] in PROJECT_TYPES, (fam, best.text[:80])
        for c in tables:
            header = c.text.split("\n")[1] if "\n" in c.text else ""
            assert "项目" not in [p.strip() for col in header.split("|") for p in col.split("/")], (fam, header)


def _too_big(doc, table) -> bool:
    return len(table.rows) > SMALL_TABLE_ROWS or len(render_table(doc, table)) > SMALL_TABLE_CHARS


def _longer(table, n: int):
    """The table continued to n rows, as the long function tables of real disclosures run (the
    generator prints short ones): its rows again, numbered on."""
    rows = [r.model_copy(update={"index": i}) for i, r in zip(range(n), [*table.rows] * (n // len(table.rows) + 1))]
    return table.model_copy(update={"rows": rows})


def test_a_big_tables_notes_are_a_chunk_of_their_own(docs):
    for fam, doc in docs:
        table = max(doc.tables, key=lambda t: len(t.rows))
        big = _longer(table, SMALL_TABLE_ROWS + 5)
        doc = doc.model_copy(update={"tables": [big if t is table else t for t in doc.tables]})
        assert _too_big(doc, big)
        note = "注：本表反映部门本年度一般公共预算财政拨款支出情况，涉密项目按要求不予公开。"
        tables = [t.model_copy(update={"notes": [note, "注：无。"]}) if t is big else t for t in doc.tables]
        chunks = chunk_document(doc.model_copy(update={"tables": tables}))
        notes = [c for c in chunks if c.metadata.get("chunk_kind") == "note"]
        assert len(notes) == 1 and note in notes[0].text and "注：无" not in notes[0].text, fam
        assert notes[0].metadata["table_id"] == big.id and big.title in notes[0].text
        whole = [c for c in chunks if c.metadata.get("chunk_kind") == "table" and c.metadata.get("table_id") == big.id
                 and not c.metadata.get("derived")]
        assert not whole  # too big to keep whole: the note chunk is the only place of its notes
        assert not [c for c in chunk_document(doc) if c.metadata.get("chunk_kind") == "note"]  # no notes, no chunk


def test_a_small_tables_notes_stay_in_its_whole_chunk(docs):
    _, doc = docs[0]
    small = min((t for t in doc.tables if t.rows), key=lambda t: len(t.rows))
    tables = [t.model_copy(update={"notes": ["注：本表为部门口径。"]}) if t is small else t for t in doc.tables]
    chunks = chunk_document(doc.model_copy(update={"tables": tables}))
    assert not [c for c in chunks if c.metadata.get("chunk_kind") == "note"]
    assert any("注：本表为部门口径。" in c.text for c in chunks if c.metadata.get("chunk_kind") == "table")


def test_notes_and_an_empty_tables_note_are_evidence_sentences(docs):
    """The answerer can quote what a table says when its rows say nothing."""
    _, doc = docs[0]
    first, second = doc.tables[0], doc.tables[1]
    tables = [first.model_copy(update={"notes": ["注：本表金额单位转换时可能存在尾数误差。"]}),
              second.model_copy(update={"rows": [], "empty_note": "本部门无政府性基金预算财政拨款安排的预算，故本表为空表。"}),
              *doc.tables[2:]]
    items = items_of(doc.model_copy(update={"tables": tables}))
    notes = {it.text: it for it in items if it.kind == "sentence" and it.table_id}
    assert {"注：本表金额单位转换时可能存在尾数误差。", "本部门无政府性基金预算财政拨款安排的预算，故本表为空表。"} <= set(notes)
    assert notes["本部门无政府性基金预算财政拨款安排的预算，故本表为空表。"].table_id == second.id
    assert not [it for it in items if it.kind == "row" and it.table_id == second.id]
