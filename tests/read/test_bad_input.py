"""PDF input that cannot be read gives a ReadError with a stable code, never a traceback."""

from __future__ import annotations

import os

import pytest

from indexing.read import ReadError, read_bytes
from tests.fixtures import pdfgen

pytestmark = pytest.mark.skipif(not pdfgen.font_available(), reason="fonts-wqy-microhei is not installed (scripts/setup)")


def _code(data: bytes, **kwargs) -> str:
    with pytest.raises(ReadError) as info:
        read_bytes(data, "upload.pdf", **kwargs)
    err = info.value
    assert err.zh and err.en and "upload.pdf" in err.en
    assert set(err.to_dict()) == {"code", "message_zh", "message_en"}
    return err.code


@pytest.fixture(scope="module")
def good_pdf() -> bytes:
    return pdfgen.expenditure_pdf()[0]


@pytest.mark.parametrize("keep", [0.5, 0.1])
def test_truncated_pdf_is_corrupt(good_pdf, keep):
    assert _code(good_pdf[: int(len(good_pdf) * keep)]) == "corrupt_file"


def test_random_bytes_with_pdf_header_are_corrupt():
    data = b"%PDF-1.4\n" + os.urandom(4096)
    assert _code(data) == "corrupt_file"


def test_header_only_is_corrupt():
    assert _code(b"%PDF-1.7\n%%EOF\n") == "corrupt_file"


def test_image_only_pdf_needs_ocr():
    assert _code(pdfgen.shapes_only_pdf()) == "needs_ocr"


def test_encrypted_pdf():
    assert _code(pdfgen.encrypted_pdf("secret")) == "encrypted_pdf"


def test_pdf_with_empty_user_password_is_read():
    # Owner-password-only PDFs (common for "no editing" government files) open without a password.
    doc = read_bytes(pdfgen.encrypted_pdf(""), "owner-only.pdf")
    assert doc.page_count == 1 and "2025年部门预算" in doc.narrative


def test_too_many_pages():
    data = pdfgen.text_pdf(5)
    assert _code(data, max_pages=3) == "too_many_pages"
    assert read_bytes(data, "upload.pdf", max_pages=5).page_count == 5
