"""PDF output is legible to pdfplumber; the project's reader finds the standard tables in generated
text and PDF, and key_figures(doc) equals the generated key figures (skipped while those modules are missing)."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest

from eval.generate import generate_corpus
from eval.generate.labels import loads
from eval.generate.styles import STYLES

pdfplumber = pytest.importorskip("pdfplumber")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("gen")
    labels = generate_corpus(d, len(STYLES), seed=4, errors_per_doc=0, formats=["text", "pdf"])
    return d, [loads(p.read_text(encoding="utf-8")) for p in labels]


def test_pdf_text_is_legible_chinese(corpus):
    d, labels = corpus
    for label in labels:
        with pdfplumber.open(d / "docs" / label["docs"]["pdf"]) as pdf:
            assert len(pdf.pages) >= 4
            text = "\n".join(p.extract_text() or "" for p in pdf.pages)
            assert label["department"] in text
            assert "“三公”经费" in text and "部门预算表" in text
            assert "— 2 —" in text  # page numbers
            tables = [t for p in pdf.pages for t in p.extract_tables()]
            assert len(tables) >= 10
            # Merged header cells come back as None, as on real disclosures.
            assert any(None in row for t in tables for row in t[:2])


def _module(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            pytest.skip(f"{name} is not there yet ({exc}); reader integration skipped")
        raise


@pytest.mark.parametrize("fmt", ["text", "pdf"])
def test_reader_finds_standard_tables(corpus, fmt):
    _module("indexing.read.text" if fmt == "text" else "indexing.read.pdf")
    from indexing.model import REQUIRED_TABLE_TYPES
    from indexing.read import read_document

    d, labels = corpus
    for label in labels:
        doc = read_document(d / "docs" / label["docs"][fmt])
        found = {t.standard_type for t in doc.tables}
        missing = [t.value for t in REQUIRED_TABLE_TYPES if t not in found]
        assert not missing, (label["docs"][fmt], missing)
        assert doc.meta.year == label["year"]


@pytest.mark.parametrize("fmt", ["text", "pdf"])
def test_key_figures_match_generated(corpus, fmt):
    kf_mod = _module("indexing.key_figures")
    from indexing.read import read_document

    d, labels = corpus
    for label in labels:
        doc = read_document(d / "docs" / label["docs"][fmt])
        got = kf_mod.key_figures(doc)
        for key, want in label["key_figures"].items():
            value = got.get(key)
            # 元 tables give exact 元/10000; 万元 tables exact cents: compare to half a cent.
            if value is None or abs(Decimal(str(value)) - Decimal(want)) > Decimal("0.005"):
                raise AssertionError((label["docs"][fmt], key, value, want))
