from decimal import Decimal

from indexing import catalog, figures_store
from indexing.chunks import chunk_document
from indexing.figures_store import FiguresStore
from indexing.model import TableType


def _store(tmp_path, doc, ready=True):
    conn = catalog.connect(tmp_path / "f.sqlite")
    chunks = chunk_document(doc)
    with catalog.transaction(conn):
        catalog.insert_document(conn, doc, chunks, [[] for _ in chunks], "fake")
        n = figures_store.insert_document(conn, doc)
        if ready:
            catalog.set_status(conn, doc.id, "ready", n)
    return FiguresStore(conn), n


def test_round_trip_decimals(tmp_path, doc):
    store, n = _store(tmp_path, doc)
    expected = sum(1 for t in doc.tables for r in t.rows for f in r.figures()) + sum(
        1 for s in doc.sections for f in s.figures if f.value is not None)
    assert n == expected == store.count(doc.id)
    for rec in store.of_document(doc.id, origin="table"):
        assert isinstance(rec.value, Decimal)
        row = doc.table(rec.table_id).rows[rec.row_index]
        fig = row.cell(rec.column).figure
        assert rec.value == fig.value and str(rec.value) == str(fig.value)  # same digits, same exponent
        assert rec.raw == fig.raw and rec.decimals == fig.decimals


def test_lookup_helpers(tmp_path, doc):
    store, _ = _store(tmp_path, doc)
    basic = store.by_code("2040601", column="科目编码/基本支出" if False else "基本支出")
    assert [r.value for r in basic] == [Decimal("14348853.34")]
    assert basic[0].row_name == "行政运行" and basic[0].unit == "元" and basic[0].page == 5
    assert basic[0].table_type == TableType.general_budget_expenditure.value
    totals = store.by_metric("合计", column="合计", department="司法局", year=2026)
    assert totals[0].value == Decimal("15648853.34") and totals[0].is_total
    three = store.by_table_type(TableType.three_public, column_contains="公务接待费")
    assert [r.value for r in three] == [Decimal("25000.00")]
    assert three[0].raw == "25,000.00" and three[0].decimals == 2
    narrative = store.narrative(text_contains="机关运行经费")
    assert Decimal("88.30") in [r.value for r in narrative]
    rec = next(r for r in narrative if r.value == Decimal("88.30"))
    assert rec.decimals == 2 and rec.unit == "万元" and rec.section_id and rec.offset is not None
    assert store.query(year=2025) == []


def test_pending_documents_invisible(tmp_path, doc):
    store, n = _store(tmp_path, doc, ready=False)
    assert n > 0 and store.count() == 0 and store.by_metric("合计") == []
