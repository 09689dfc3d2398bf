"""How much a request may send (service/api.py): the body limit applied before a body is read, and
uploads read in pieces up to what is left of the limit, so nothing huge sits whole in memory."""

from __future__ import annotations

import json

from fastapi import UploadFile

from service.errors import ApiError


class BodyLimit:
    """Refuses a request body larger than the limit before it is read (uploads have their own,
    larger limit): a 200,000-character JSON message never reaches the parser."""

    def __init__(self, app, limit: int, upload_limit: int):
        self.app, self.limit, self.upload_limit = app, limit, upload_limit

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            upload = scope.get("path") == "/v1/documents" and scope.get("method") == "POST"
            limit = self.upload_limit if upload else self.limit
            length = dict(scope.get("headers") or []).get(b"content-length")
            if length is not None and length.isdigit() and int(length) > limit:
                err = ApiError(413, "too_large", f"请求体过大：{int(length):,} 字节，上限 {limit:,} 字节（设置 BUDGETQA_MAX_BODY_KB）",
                               f"Request body too large: {int(length):,} bytes, the limit is {limit:,} (setting BUDGETQA_MAX_BODY_KB)")
                if upload:
                    err = ApiError(413, "too_large", f"文件过大，上限 {limit // 1_000_000} MB",
                                   f"File too large; the limit is {limit // 1_000_000} MB")
                body = json.dumps(err.body(), ensure_ascii=False).encode("utf-8")
                await send({"type": "http.response.start", "status": 413,
                            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


async def read_limited(file: UploadFile, limit: int, total: int) -> bytes:
    """Read an upload but stop at the limit (what is left of the `total` for all parts): a huge
    upload never sits whole in memory."""
    chunks, size = [], 0
    while True:
        chunk = await file.read(1 << 20)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "too_large", f"文件过大，上限 {total // 1_000_000} MB（多个部分合计）",
                           f"File too large; the limit is {total // 1_000_000} MB (all parts together)")
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data.strip():
        raise ApiError(400, "empty_file", "上传的文件为空", "The uploaded file is empty")
    return data
