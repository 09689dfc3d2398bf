"""The checker on the layout families with injected errors (eval/checker_corpus.py), sampled: a few
families in converted text, one document each, so the full run (`python -m eval.checker_corpus`) stays a
benchmark. Each document is generated, rendered, read and checked for real."""

from __future__ import annotations

import pytest

from eval.checker_corpus import run_one, summarise
from eval.generate.inject_layout import build_injected_layout
from eval.generate.layouts import FAMILIES

SAMPLE = ("unit_plain", "final_first_row", "deep_header", "dual_joined")


def test_injection_reaches_every_family_and_kind_it_names():
    for fam in FAMILIES:
        doc = build_injected_layout(fam, 0, 5, errors=3)
        assert len(doc.injected) == 3, fam
        for rec in doc.injected:  # every record names where it is
            assert rec["location"], (fam, rec["kind"])
    # the table injectors edit the layout's own tables (what is printed)
    doc = build_injected_layout("numbered_sheets", 1, 5, errors=2, kinds=["table_sum_break", "project_table_mismatch"])
    printed = "\n".join("\t".join(r) for t in doc.layout_doc.printed for r in t.body)
    assert {r["kind"] for r in doc.injected} == {"table_sum_break", "project_table_mismatch"}
    for rec in doc.injected:
        assert rec["injected"] in printed.replace(",", "")


@pytest.mark.parametrize("family", SAMPLE)
def test_injected_errors_are_found_and_a_clean_document_raises_no_error(family):
    hit = run_one(family, "text", 0, 11, 2)
    clean = run_one(family, "text", 50, 11, 0)
    s = summarise([hit, clean])
    assert not s["crashes"]
    assert s["injected"]["injected"] == 2
    assert s["injected"]["detected"] == 2, s["injected"]["per_kind"]
    assert s["injected"]["false_errors"] == 0, s["injected"]["false_flag_examples"]
    assert s["clean"]["errors"] == 0 and s["clean"]["alarms"] == 0, s["clean"]["examples"]
