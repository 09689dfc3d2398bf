"""Text is read tolerantly: a few invalid bytes are replaced and counted (never a refusal), GB18030 and
UTF-16/UTF-32 with a byte-order mark are recognised, and only data that is not text at all is
refused, with a message that says so."""

from __future__ import annotations

import os

import pytest

from indexing.read import ReadError, decode_text_counted, read_bytes

LINES = [
    "2025年测试县示例局部门预算",
    "第二部分 2025年部门预算情况说明",
    "一、收支预算总体情况",
    "2025年收入总计1125.77万元，支出总计1125.77万元，与2024年预算相比，收入增加53.87万元，上升5.03%，主要原因是：人员增加。",
    "八、“三公”经费支出预算情况说明",
    "2025年“三公”经费预算为4.00万元，较2024年减少1.00万元，主要原因是：厉行节约。",
]
TEXT = "\n".join(LINES * 4) + "\n"


def test_one_invalid_byte_is_replaced_and_counted_not_refused():
    data = TEXT.encode("utf-8")
    cut = data.index("收入总计".encode())
    bad = data[:cut] + b"\xff" + data[cut:]
    text, encoding, replaced = decode_text_counted(bad)
    assert (encoding, replaced) == ("utf-8", 1) and "\ufffd收入总计" in text
    doc = read_bytes(bad, "one-bad-byte.txt")
    assert doc.meta.year == 2025
    assert any("1 处无法解码的字节" in w and "1 undecodable" in w for w in doc.warnings)


def test_a_handful_of_bad_bytes_stay_utf8_not_gb18030_nonsense():
    data = bytearray(TEXT.encode("utf-8"))
    for at in (100, 400, 700):
        data[at] = 0xFE
    text, encoding, replaced = decode_text_counted(bytes(data))
    assert encoding == "utf-8" and 3 <= replaced <= 9 and "三公" in text  # a cut character leaves its tail


@pytest.mark.parametrize("encoding,bom", [("gb18030", b""), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
                                          ("utf-8", b"\xef\xbb\xbf"), ("utf-32-le", b"\xff\xfe\x00\x00")])
def test_common_encodings_are_recognised(encoding, bom):
    data = bom + TEXT.encode(encoding)
    text, found, replaced = decode_text_counted(data)
    assert text == TEXT and found == encoding and replaced == 0
    doc = read_bytes(data, f"{encoding}.txt")
    assert doc.meta.year == 2025 and "三公" in doc.narrative


def test_a_real_seed_in_utf16_reads_like_the_utf8_original(seeds_dir):
    raw = (seeds_dir / "000_ccf1996943bb7af8.txt").read_bytes()
    a = read_bytes(raw, "000.txt")
    b = read_bytes(b"\xff\xfe" + raw.decode("utf-8").encode("utf-16-le"), "000-utf16.txt")
    assert a.narrative == b.narrative and len(a.tables) == len(b.tables)


@pytest.mark.parametrize("data", [
    os.urandom(6000),
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(3000),
    b"PK\x03\x04" + os.urandom(4000),
])
def test_only_what_is_not_text_at_all_is_refused(data):
    with pytest.raises(ReadError) as e:
        read_bytes(data, "blob.bin")
    assert e.value.code == "unsupported_type" and "blob.bin" in e.value.zh and "blob.bin" in e.value.en
