"""A PDF that carries JavaScript, a launch action or an embedded file is refused with the reason in
Chinese and English; a plain disclosure PDF (generated here, and the real ones in ../shared) is not."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from indexing.read import ReadError, read_bytes
from indexing.read.pdf_safety import active_content
from tests.fixtures import pdfgen

pytestmark = pytest.mark.skipif(not pdfgen.font_available(), reason="no CJK font for generated PDFs")


def _plain() -> bytes:
    return pdfgen.expenditure_pdf(n_kuan=3)[0]


def _rewrite(data: bytes, edit) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    edit(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def with_javascript(data: bytes) -> bytes:
    def edit(w: PdfWriter) -> None:
        w._root_object[NameObject("/OpenAction")] = DictionaryObject({
            NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('budget');")})

    return _rewrite(data, edit)


def with_attachment(data: bytes) -> bytes:
    return _rewrite(data, lambda w: w.add_attachment("setup.exe", b"MZ\x90\x00" + bytes(200)))


def with_launch(data: bytes) -> bytes:
    def edit(w: PdfWriter) -> None:
        action = DictionaryObject({NameObject("/S"): NameObject("/Launch"),
                                   NameObject("/F"): TextStringObject("cmd.exe")})
        annot = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(50), NumberObject(50)]),
            NameObject("/A"): action,
        })
        w.add_annotation(0, annot)

    return _rewrite(data, edit)


def test_a_plain_generated_pdf_is_read():
    data = _plain()
    assert active_content(data) == []
    assert read_bytes(data, "plain.pdf").tables


@pytest.mark.parametrize("make,kind,zh", [
    (with_javascript, "JavaScript", "JavaScript"),
    (with_attachment, "EmbeddedFile", "嵌入的文件"),
    (with_launch, "Launch", "启动外部程序"),
])
def test_active_content_is_refused_with_its_reason(make, kind, zh):
    data = make(_plain())
    assert kind in " ".join(active_content(data))
    with pytest.raises(ReadError) as e:
        read_bytes(data, "hostile.pdf")
    assert e.value.code == "unsafe_pdf"
    assert zh in e.value.zh and "hostile.pdf" in e.value.zh and "refused" in e.value.en


def test_javascript_and_an_executable_together():
    """The issue's case: both are named in the one refusal."""
    data = with_attachment(with_javascript(_plain()))
    with pytest.raises(ReadError) as e:
        read_bytes(data, "both.pdf")
    assert "JavaScript" in e.value.zh and "嵌入的文件" in e.value.zh
    assert "JavaScript" in e.value.en and "embedded file" in e.value.en


def _objstm_pdf(inner: bytes) -> bytes:
    """A one-page PDF whose /OpenAction dictionary `inner` sits compressed in an object stream."""
    import zlib

    body = b"4 0 " + inner
    stream = zlib.compress(body)
    objs = [
        b"1 0 obj << /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >> endobj",
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj",
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj",
        b"5 0 obj << /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >> stream\n" % len(stream)
        + stream + b"\nendstream endobj",
    ]
    return b"%PDF-1.7\n" + b"\n".join(objs) + b"\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_names_hidden_in_object_streams_are_found():
    """Dictionaries packed in a compressed object stream do not show in the raw bytes: resolved."""
    raw = _objstm_pdf(b"<< /S /JavaScript /JS (app.alert(1)) >>")
    assert b"/JavaScript" not in raw
    assert "JavaScript" in active_content(raw)
    assert active_content(_objstm_pdf(b"<< /S /GoTo /D [3 0 R /Fit] >>")) == []


def test_names_written_with_escapes_are_decoded():
    data = _plain().replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /J#61vaScript /J#53 (x) >>", 1)
    assert "JavaScript" in active_content(data) or "JS" in active_content(data)


def test_real_disclosures_are_not_refused(pdfs_dir):
    for path in sorted(pdfs_dir.glob("*.pdf")):
        assert active_content(path.read_bytes()) == [], path.name
