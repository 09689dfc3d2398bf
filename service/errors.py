"""HTTP errors in one shape: a machine code plus a message in Chinese and in English."""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


class ApiError(Exception):
    def __init__(self, status: int, code: str, zh: str, en: str, headers: dict | None = None):
        super().__init__(en)
        self.status, self.code, self.zh, self.en, self.headers = status, code, zh, en, headers

    def body(self) -> dict:
        return {"error": {"code": self.code, "message_zh": self.zh, "message_en": self.en}}


def not_found(what: str, ident: str) -> ApiError:
    return ApiError(404, f"{what}_not_found", f"找不到{_ZH.get(what, what)}：{ident}", f"No such {what}: {ident}")


_ZH = {"document": "文档", "job": "任务"}


async def api_error_handler(_: Request, exc: ApiError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


async def validation_handler(_: Request, exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ()))
    err = ApiError(
        422,
        "invalid_request",
        f"请求格式不正确（{where}：{first.get('msg', '')}）",
        f"Malformed request ({where}: {first.get('msg', '')})",
    )
    return JSONResponse(err.body(), status_code=422)


async def http_handler(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    messages = {
        404: ("not_found", "找不到该地址", "Not found"),
        405: ("method_not_allowed", "不支持该请求方法", "Method not allowed"),
    }
    code, zh, en = messages.get(exc.status_code, ("http_error", str(exc.detail), str(exc.detail)))
    return JSONResponse(ApiError(exc.status_code, code, zh, en).body(), status_code=exc.status_code)


async def internal_handler(request: Request, exc: Exception) -> JSONResponse:
    """Anything unforeseen: logged with its traceback, answered in words (never a bare 500 page)."""
    import logging

    logging.getLogger("budgetqa.service").exception("unhandled error on %s", request.url.path, exc_info=exc)
    err = ApiError(500, "internal_error", f"服务内部错误：{type(exc).__name__}（已记录日志，原有数据未受影响）",
                   f"Internal error: {type(exc).__name__} (logged; stored data is unaffected)")
    return JSONResponse(err.body(), status_code=500)


def install(app) -> None:
    app.add_exception_handler(Exception, internal_handler)
    app.add_exception_handler(ApiError, api_error_handler)
    app.add_exception_handler(RequestValidationError, validation_handler)
    app.add_exception_handler(StarletteHTTPException, http_handler)
