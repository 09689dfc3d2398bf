"""indexing/retrieve.diversify: the same whole restated by the total rows of several tables (收支总表,
财政拨款收支总表, the function tables …) is one fact in the top k, so a share question's list keeps
room for the part. On generated documents of the layout families, read back by the real reader."""

from __future__ import annotations

import pytest

from indexing.chunks import chunk_document
from indexing.retrieve import Hit, diversify

FAMILIES = ("central_numbered", "yearly_dept_yuan", "final_first_row", "page_flat")


@pytest.mark.parametrize("family", FAMILIES)
def test_restated_totals_leave_room_for_the_part(family):
    from eval.layout_corpus import render
    from indexing.read import read_bytes

    lay, data, name = render(family, 0, 5, "text")
    chunks = chunk_document(read_bytes(data, name))
    stored = {c.id: (c.text, c.metadata) for c in chunks}
    totals = [c for c in chunks if c.metadata.get("chunk_kind") == "row" and c.metadata.get("is_total")]
    part = next(c for c in chunks if c.metadata.get("chunk_kind") == "row" and not c.metadata.get("is_total")
                and c.metadata.get("table_type") == "支出总表")
    # the ranking a share question's intent list gives: every total row first, the part after them
    ordered = [Hit(c.id, "", {}) for c in (*totals, part)]
    top = diversify(ordered, stored, 5)
    assert part.id in {h.chunk_id for h in top}, [stored[h.chunk_id][0][-60:] for h in top]
    kept = [stored[h.chunk_id][0].partition(": ")[2] for h in top if h.chunk_id != part.id]
    assert len(kept) == len(set(kept))
    # nothing is lost: past k every total is still there, in its order
    assert {h.chunk_id for h in diversify(ordered, stored, len(ordered))} == {h.chunk_id for h in ordered}


def test_a_total_with_a_figure_of_its_own_is_kept():
    meta = {"chunk_kind": "row", "is_total": True, "doc_id": "d"}
    stored = {"a": ("t: 合计 / 合计 = 4,981.72；基本支出 = 580.32", {**meta, "table_id": "t1"}),
              "b": ("t: 收入总计 / 预算数 = 4981.72", {**meta, "table_id": "t2"}),
              "c": ("t: 合计 / 人员经费 = 556.40；合计 = 580.32", {**meta, "table_id": "t3"}),
              "z": ("t: 合计 / 合计 = 0.00", {**meta, "table_id": "t4"})}
    top = [h.chunk_id for h in diversify([Hit(c, "", {}) for c in "abcz"], stored, 3)]
    assert top == ["a", "c", "z"]  # b restates a; c adds 556.40; zeros are no figures
