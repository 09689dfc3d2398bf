"""Reading errors a user sees: a machine code and a message in Chinese and in English."""

from __future__ import annotations


class ReadError(Exception):
    """A document that cannot be read. `code` is stable for programs (API error codes); the two
    messages are for people. Raised instead of letting a library's traceback reach the user."""

    def __init__(self, code: str, zh: str, en: str):
        super().__init__(f"{zh} / {en}")
        self.code = code
        self.zh = zh
        self.en = en

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message_zh": self.zh, "message_en": self.en}


def empty_file(name: str) -> ReadError:
    return ReadError("empty_file", f"文件为空：{name}", f"The file is empty: {name}")


def unsupported_type(name: str) -> ReadError:
    return ReadError(
        "unsupported_type",
        f"不支持的文件类型：{name}（支持 PDF 和 UTF-8/GBK 文本、Markdown）",
        f"Unsupported file type: {name} (PDF and UTF-8/GBK text or Markdown are supported)",
    )


def too_large(name: str, size: int, limit: int) -> ReadError:
    return ReadError(
        "too_large",
        f"文件过大：{name} 为 {size / 1e6:.1f} MB，上限 {limit / 1e6:.0f} MB",
        f"File too large: {name} is {size / 1e6:.1f} MB, the limit is {limit / 1e6:.0f} MB",
    )


def too_many_pages(name: str, pages: int, limit: int) -> ReadError:
    return ReadError(
        "too_many_pages",
        f"页数过多：{name} 共 {pages} 页，上限 {limit} 页",
        f"Too many pages: {name} has {pages} pages, the limit is {limit}",
    )


def encrypted(name: str) -> ReadError:
    return ReadError(
        "encrypted_pdf",
        f"PDF 已加密，无法读取：{name}（请提供未加密的文件）",
        f"The PDF is encrypted and cannot be read: {name} (please provide an unencrypted file)",
    )


def corrupt(name: str, detail: str = "") -> ReadError:
    tail = f"（{detail}）" if detail else ""
    tail_en = f" ({detail})" if detail else ""
    return ReadError(
        "corrupt_file",
        f"文件已损坏或格式不正确，无法解析：{name}{tail}",
        f"The file is corrupt or malformed and cannot be parsed: {name}{tail_en}",
    )


def needs_ocr(name: str) -> ReadError:
    return ReadError(
        "needs_ocr",
        f"PDF 没有文字层（可能是扫描件），需要先进行 OCR 文字识别：{name}",
        f"The PDF has no text layer (probably a scan); it needs OCR first: {name}",
    )


def not_a_disclosure(name: str) -> ReadError:
    return ReadError(
        "not_a_disclosure",
        f"未能识别为预算/决算公开文件（没有找到可读的中文文字或表格）：{name}",
        f"Not recognised as a budget or final-accounts disclosure (no readable Chinese text or tables): {name}",
    )
