"""Injection changes exactly what its label says; labels keep the shared schema's keys; same seed, same bytes."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from eval.generate import KINDS, generate_corpus, generate_doc
from eval.generate.labels import build_label, dumps, loads
from eval.generate.render_text import render_text
from eval.generate.styles import STYLES

SCHEMA_TOP = {"doc", "department", "year", "unit", "key_figures", "claims", "table_inconsistencies", "qa"}
KEY_FIGURES = {"收入总计", "支出总计", "本年收入合计", "一般公共预算收入", "政府性基金预算收入", "上年结转", "基本支出", "项目支出",
               "人员经费", "公用经费", "三公经费合计", "因公出国(境)费", "公务接待费", "公务用车购置及运行费", "公务用车购置费",
               "公务用车运行维护费", "三公经费上年预算", "机关运行经费", "政府采购预算", "项目个数"}
CLAIM_KEYS = {"id", "quote", "metric", "kind", "value", "unit", "table_evidence", "computed", "verdict", "note"}
CLAIM_KINDS = {"amount", "share_pct", "change_amount", "change_pct", "count", "prior_year_amount", "sum_of_parts"}
QA_TYPES = {"lookup", "why", "compare", "compute", "list", "yes_no", "unanswerable"}


def _pair(index, style, kind):
    clean = generate_doc(index, 5, style, errors=0)
    dirty = generate_doc(index, 5, style, errors=1, kinds=[kind])
    return clean, dirty


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("style", list(STYLES))
def test_injection_changes_exactly_what_the_label_says(kind, style):
    applied = 0
    for index in range(6):
        clean, dirty = _pair(index, style, kind)
        if not dirty.injected:
            continue  # the kind does not apply to this budget (e.g. 三公 unchanged)
        applied += 1
        rec = dirty.injected[0]
        assert rec["kind"] == kind
        a, b = render_text(clean), render_text(dirty)
        la, lb = build_label(clean, {"text": "a.txt"}), build_label(dirty, {"text": "b.txt"})
        if rec["location"].get("quote") is not None and kind != "missing_table":
            assert rec["original"] != rec["injected"]
            assert a.count(rec["original"]) >= 1
            # Exactly this fragment changed: substituting it in the clean text gives the dirty text.
            i = a.index(rec["original"])
            assert a[:i] + rec["injected"] + a[i + len(rec["original"]):] == b
        elif kind == "missing_table":
            title = rec["location"]["table"]
            assert f"{rec['location']['number']} {title}" in a
            assert f"{rec['location']['number']} {title}" not in b and b.count(title) < a.count(title)
            assert set(b.splitlines()) <= set(a.splitlines())
        else:  # a table cell
            diff = [(x, y) for x, y in zip(a.splitlines(), b.splitlines()) if x != y]
            assert len(a.splitlines()) == len(b.splitlines()) and len(diff) == 1, diff
            assert rec["location"]["row"].split(" ")[-1] in diff[0][1]
            assert len(lb["table_inconsistencies"]) == 1
            ti = lb["table_inconsistencies"][0]
            assert ti["likely_cause"] == "genuine" and ti["difference"] > 0
            assert lb["injected"][0]["table_inconsistency_ids"] == [ti["id"]]
        # Contradictions are exactly the claims the record names; other claims unchanged.
        inj = lb["injected"][0]
        contra = {c["id"] for c in lb["claims"] if c["verdict"] == "contradiction"}
        assert contra == set(inj["claim_ids"])
        if kind in ("narrative_amount", "share_rate", "direction_word", "compared_year", "unit_slip", "digit_swap"):
            assert len(contra) == 1
            assert len(la["claims"]) == len(lb["claims"])
            for ca, cb in zip(la["claims"], lb["claims"]):
                if cb["id"] not in contra:
                    assert (ca["value"], ca["verdict"]) == (cb["value"], cb["verdict"])
                    # A sibling claim in the edited fragment shares its (new) quote, nothing else moves.
                    assert ca["quote"] == cb["quote"] or cb["quote"] == rec["injected"]
                else:
                    assert cb["quote"] in b and cb["severity"] in ("high", "medium", "low")
        if kind == "missing_three_public_reason":
            assert rec["original"] not in b and "三公" in rec["location"]["section"]
    assert applied, f"{kind} never applied for {style}"


def test_labels_validate_against_schema_keys(tmp_path):
    paths = generate_corpus(tmp_path, 9, seed=11, errors_per_doc=3)
    seen_kinds = set()
    for p in paths:
        label = loads(p.read_text(encoding="utf-8"))
        text = (tmp_path / "docs" / label["doc"]).read_text(encoding="utf-8")
        assert SCHEMA_TOP <= set(label) and "injected" in label
        assert set(label["key_figures"]) == KEY_FIGURES
        assert label["department"] in text and isinstance(label["year"], int) and label["unit"] == "万元"
        for c in label["claims"]:
            assert CLAIM_KEYS <= set(c) <= CLAIM_KEYS | {"severity"}
            assert c["kind"] in CLAIM_KINDS and c["verdict"] in {"consistent", "contradiction", "unverifiable"}
            assert isinstance(c["value"], Decimal) or isinstance(c["value"], int)
            assert c["quote"] in text, c["quote"]
            for e in c["table_evidence"]:
                assert {"table", "row", "column", "value"} <= set(e) and e["table"] in text
            if c["verdict"] == "contradiction":
                assert c["severity"] in {"high", "medium", "low"}
        for t in label["table_inconsistencies"]:
            assert {"id", "description", "locations", "values", "difference", "likely_cause", "severity"} <= set(t)
            assert t["likely_cause"] in {"genuine", "rounding", "extraction_artifact"}
        for q in label["qa"]:
            assert set(q) == {"id", "question", "type", "answer", "key_values", "evidence_quote"}
            assert q["type"] in QA_TYPES and q["evidence_quote"] in text, q
        assert len(label["injected"]) == 3
        for r in label["injected"]:
            assert {"id", "kind", "location", "original", "injected", "expected_detection", "claim_ids",
                    "table_inconsistency_ids"} <= set(r)
            seen_kinds.add(r["kind"])
    assert len(seen_kinds) >= 6


def test_decimal_json_round_trip():
    label = {"v": Decimal("3121.42058"), "z": Decimal("0.00"), "l": [Decimal("1E+1")]}
    assert loads(dumps(label)) == {"v": Decimal("3121.42058"), "z": Decimal("0.00"), "l": [Decimal("10")]}


def test_deterministic_for_a_seed(tmp_path):
    def snapshot(d: Path) -> dict:
        generate_corpus(d, 4, seed=21, errors_per_doc=2, formats=["text", "pdf"])
        return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}

    a, b = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    assert a == b and len(a) == 12
    c = generate_corpus(tmp_path / "c", 4, seed=22, errors_per_doc=2)
    assert c[0].read_bytes() != a["labels/" + c[0].name]
