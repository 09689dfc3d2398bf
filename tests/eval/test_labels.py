"""Label loading: Decimals (never floats), documents found across several --docs folders."""

from __future__ import annotations

import json
from decimal import Decimal

from eval.generated import detects
from eval.labels import load_labels


def _write(path, doc_key, name):
    path.write_text(json.dumps({
        doc_key: name, "department": "某局", "year": 2025, "unit": "万元",
        "key_figures": {"收入总计": 1125.77, "项目个数": 4, "上年结转": None},
        "claims": [{"id": "c1", "quote": "q", "value": 0.1, "table_evidence": [{"value": 14348853.34}]}],
        "table_inconsistencies": [{"id": "t1", "values": [1029.53, 1029.52], "difference": 0.01}],
        "qa": [{"id": "q1", "type": "lookup", "key_values": [4.0, 0], "evidence_quote": "x"}],
    }, ensure_ascii=False), encoding="utf-8")


def test_decimals_and_multiple_docs_folders(tmp_path):
    labels, docs_a, docs_b = tmp_path / "labels", tmp_path / "a", tmp_path / "b"
    for d in (labels, docs_a, docs_b):
        d.mkdir()
    (docs_a / "x.txt").write_text("x", encoding="utf-8")
    (docs_b / "y.pdf").write_bytes(b"%PDF")
    _write(labels / "x.json", "doc", "x.txt")
    _write(labels / "y.json", "source_pdf", "y.pdf")
    _write(labels / "z.json", "doc", "absent.txt")
    (labels / "notes.json").write_text("[]", encoding="utf-8")  # not a label: ignored
    found, missing = load_labels(labels, [docs_a, docs_b])
    assert [lb.doc_path.name for lb in found] == ["x.txt", "y.pdf"]
    assert [m.name for m in missing] == ["z.json"]
    lb = found[0]
    assert lb.key_figures["收入总计"] == Decimal("1125.77") and isinstance(lb.key_figures["收入总计"], Decimal)
    assert lb.key_figures["项目个数"] == Decimal(4) and lb.key_figures["上年结转"] is None
    assert lb.claims[0]["value"] == Decimal("0.1")  # exactly 0.1, not the float 0.1000000000000000055…
    assert lb.claims[0]["table_evidence"][0]["value"] == Decimal("14348853.34")
    assert lb.table_inconsistencies[0]["values"] == [Decimal("1029.53"), Decimal("1029.52")]
    assert lb.qa[0]["key_values"] == [Decimal("4.0"), Decimal(0)]
    assert lb.year == 2025 and isinstance(lb.year, int)


def test_detector_codes_map_to_kinds():
    assert detects("N-AMOUNT") == ("narrative_amount", "unit_slip", "digit_swap")
    assert detects("X-A-LEVEL") == ("table_sum_break", "project_table_mismatch")  # longest prefix wins
    assert detects("A-TOTAL") == ("table_sum_break", "project_table_mismatch")
    assert detects("E-SPELLING") == ()
