"""The HTTP API (FastAPI), versioned under /v1, plus the chat page at /.

Routes only translate HTTP to the pipeline and back; the work is in `service.pipeline`. Every
error leaves as 4xx/5xx JSON `{"error": {"code", "message_zh", "message_en"}}` (service.errors).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import swagger_ui_bundle
from fastapi import Depends, FastAPI, File, Query, Request, UploadFile
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, Response, StreamingResponse

from service import errors
from service.api_limits import BodyLimit, read_limited
from service.api_models import AskRequest, ChatRequest, DecisionRequest, SearchRequest
from service.auth import KeyEntry, KeyRing, RateLimiter, client_address, parse_keys, retry_after
from service.errors import ApiError
from service.config import ServerSettings
from service.pipeline import Pipeline
from service.upload_parts import MAX_PARTS, too_many_parts

WEB_DIR = Path(__file__).parent / "web"


def create_app(settings: Optional[ServerSettings] = None, pipeline: Optional[Pipeline] = None) -> FastAPI:
    settings = settings or ServerSettings.from_env()
    pipeline = pipeline or Pipeline(settings)
    keys = KeyRing(parse_keys(settings.api_keys))
    # Three buckets per key or client: questions, uploads (and deletions), other reads.
    limiters = {"ask": RateLimiter(settings.rate_limit_per_minute),
                "upload": RateLimiter(settings.upload_rate_per_minute),
                "read": RateLimiter(settings.read_rate_per_minute)}
    limit_words = {"ask": ("提问", "questions", "RATE_LIMIT"), "upload": ("上传和删除", "uploads and deletions", "UPLOAD_RATE_LIMIT"),
                   "read": ("查询", "reads", "READ_RATE_LIMIT")}

    app = FastAPI(
        title="budgetqa",
        version="1.0",
        description="预算公开文件问答与核查 API / Questions and consistency checks for Chinese budget disclosures",
        docs_url=None,  # served below from local assets: the default page loads Swagger UI from a CDN
    )
    errors.install(app)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes, upload_limit=settings.max_upload_bytes + (1 << 20))
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type"],
        )
    app.state.pipeline = pipeline

    @app.on_event("startup")
    def _start() -> None:
        pipeline.start()

    @app.on_event("shutdown")
    def _stop() -> None:
        pipeline.stop()

    def identify(request: Request) -> Optional[KeyEntry]:
        presented = request.headers.get("x-api-key")
        auth = request.headers.get("authorization", "")
        if not presented and auth.lower().startswith("bearer "):
            presented = auth[7:].strip()
        if keys.open:
            return None
        if not presented:
            raise ApiError(401, "missing_api_key", "缺少 API 密钥（请在 X-API-Key 或 Authorization: Bearer 中提供）",
                           "Missing API key (send X-API-Key or Authorization: Bearer)")
        who = keys.identify(presented)
        if who is None:
            raise ApiError(401, "invalid_api_key", "API 密钥无效", "Invalid API key")
        return who

    def limited(kind: str):
        def dependency(request: Request) -> Optional[KeyEntry]:
            who = identify(request)
            client = who.name if who else client_address(request.client.host if request.client else None,
                                                          request.headers, settings.trusted_proxies)
            allowed, wait = limiters[kind].allow(client)
            if not allowed:
                secs = retry_after(wait)
                zh, en, setting = limit_words[kind]
                raise ApiError(429, "rate_limited",
                               f"{zh}过于频繁（每分钟上限 {limiters[kind].capacity} 次），请 {secs} 秒后再试",
                               f"Too many {en} (limit {limiters[kind].capacity} per minute, BUDGETQA_{setting}); "
                               f"retry in {secs} s", headers={"Retry-After": str(secs)})
            return who
        return dependency

    caller = limited("read")
    asker = limited("ask")
    uploader = limited("upload")

    def writer(who: Optional[KeyEntry] = Depends(uploader)) -> Optional[KeyEntry]:
        if who is not None and who.role != "write":
            raise ApiError(403, "read_only_key", "该密钥为只读，不能上传或删除", "This key is read-only: it cannot upload or delete")
        return who

    def question_text(text: str, what_zh: str = "问题", what_en: str = "question") -> str:
        text = (text or "").strip()
        if not text:
            raise ApiError(400, "empty_question", f"{what_zh}为空（只有空白字符）", f"The {what_en} is empty (only spaces)")
        if len(text) > settings.max_question_chars:
            raise ApiError(413, "text_too_long",
                           f"{what_zh}过长：{len(text):,} 字，上限 {settings.max_question_chars:,} 字（设置 BUDGETQA_MAX_QUESTION_CHARS）",
                           f"The {what_en} is too long: {len(text):,} characters, the limit is "
                           f"{settings.max_question_chars:,} (setting BUDGETQA_MAX_QUESTION_CHARS)")
        return text

    def filters(**values) -> None:
        for name, value in values.items():
            items = value if isinstance(value, list) else [value]
            if isinstance(value, list) and len(value) > 100:
                raise ApiError(413, "text_too_long", f"{name} 最多 100 项，收到 {len(value)} 项",
                               f"{name} takes at most 100 items, got {len(value)}")
            for v in items:
                if isinstance(v, str) and len(v) > settings.max_filter_chars:
                    raise ApiError(413, "text_too_long",
                                   f"筛选条件 {name} 过长：{len(v):,} 字，上限 {settings.max_filter_chars} 字（设置 BUDGETQA_MAX_FILTER_CHARS）",
                                   f"The filter {name} is too long: {len(v):,} characters, the limit is "
                                   f"{settings.max_filter_chars} (setting BUDGETQA_MAX_FILTER_CHARS)")

    def ask_args(req: "AskRequest") -> tuple:
        filters(department=req.department, document_ids=req.document_ids, mode=req.mode)
        return question_text(req.question), req.department, req.year, req.document_ids, req.mode, req.kind

    # -- health and documents -------------------------------------------------------------------

    @app.get("/v1/health", tags=["service"], summary="健康检查 / health")
    def health() -> dict:
        return pipeline.health()

    @app.post("/v1/documents", status_code=202, tags=["documents"], summary="上传文件并建立索引任务 / upload a document",
              description="一个文件，或同一公开文件的几个部分（如情况说明与报表，重复 `file` 字段，最多 8 个），合并为一个文档；"
                          "大小上限为各部分合计。/ One file, or the parts of one disclosure (a 情况说明 and its 报表: repeat "
                          "the `file` field, at most 8), read as one document; the size limit applies to all parts together.")
    async def upload(file: list[UploadFile] = File(...), _: Optional[KeyEntry] = Depends(writer)) -> dict:
        if len(file) > MAX_PARTS:
            exc = too_many_parts(len(file))
            raise ApiError(413, exc.code, exc.zh, exc.en)
        parts, left = [], settings.max_upload_bytes
        for f in file:
            data = await read_limited(f, left, settings.max_upload_bytes)
            left -= len(data)
            parts.append((f.filename or f"upload-{len(parts) + 1}", data))
        # Reading waits on a worker process: in a thread, so the event loop serves other requests meanwhile.
        job = await run_in_threadpool(pipeline.submit_parts, parts)
        return job.to_dict()

    @app.get("/v1/jobs/{job_id}", tags=["documents"], summary="任务状态 / job status")
    def job_status(job_id: str, _: Optional[KeyEntry] = Depends(caller)) -> dict:
        job = pipeline.jobs.get(job_id)
        if job is None:
            raise errors.not_found("job", job_id)
        return job.to_dict()

    @app.get("/v1/documents", tags=["documents"], summary="文档列表 / list documents")
    def list_documents(_: Optional[KeyEntry] = Depends(caller)) -> dict:
        return {"documents": pipeline.documents()}

    @app.get("/v1/documents/{doc_id}", tags=["documents"], summary="文档详情 / a document")
    def get_document(doc_id: str, full: bool = False, _: Optional[KeyEntry] = Depends(caller)) -> dict:
        record = pipeline.record(doc_id)
        if record is None:
            raise errors.not_found("document", doc_id)
        body = pipeline.describe(record)
        if full:
            body["model"] = json.loads(pipeline.document(doc_id).to_json())
        return body

    @app.delete("/v1/documents/{doc_id}", tags=["documents"], summary="删除文档 / delete a document")
    def delete_document(doc_id: str, _: Optional[KeyEntry] = Depends(writer)) -> dict:
        if not pipeline.delete(doc_id):
            raise errors.not_found("document", doc_id)
        return {"deleted": doc_id}

    @app.get("/v1/documents/{doc_id}/findings", tags=["check"], summary="核查结果 / findings (json, html, xlsx)")
    def findings(doc_id: str, format: str = "json", _: Optional[KeyEntry] = Depends(caller)) -> Response:
        if pipeline.record(doc_id) is None:
            raise errors.not_found("document", doc_id)
        if format not in ("json", "html", "xlsx", "pdf"):
            raise ApiError(400, "bad_format", "format 只能是 json、html、xlsx 或 pdf（批注版原文）",
                           "format must be json, html, xlsx or pdf (the annotated original)")
        content, media = pipeline.findings(doc_id, format)
        headers = ({"Content-Disposition": f'attachment; filename="findings-{doc_id[:12]}.{format}"'}
                   if format in ("xlsx", "pdf") else None)
        return Response(content, media_type=media, headers=headers)

    # -- the inspector's desk: page view, review, annotated PDF (service/desk.py) ---------------------

    def _known(doc_id: str) -> None:
        if pipeline.record(doc_id) is None:
            raise errors.not_found("document", doc_id)

    @app.get("/v1/documents/{doc_id}/pages/{page}.png", tags=["review"], summary="页面图像（可框出单元格） / a page as PNG")
    def page_image(doc_id: str, page: int, box: list[str] = Query([], description="x0,top,x1,bottom（PDF 点），可多个"),
                   _: Optional[KeyEntry] = Depends(caller)) -> Response:
        from service import desk

        _known(doc_id)
        return Response(desk.page_png(pipeline, doc_id, page, box), media_type="image/png",
                        headers={"Cache-Control": "private, max-age=3600"})

    @app.get("/v1/documents/{doc_id}/view", tags=["review"], summary="引用或依据的原文位置 / where a citation stands")
    def source_view(doc_id: str, page: Optional[int] = Query(None, ge=1), table_id: Optional[str] = Query(None, max_length=20),
                    row: Optional[int] = Query(None, ge=0), column: Optional[str] = Query(None, max_length=200),
                    section_id: Optional[str] = Query(None, max_length=20), offset: Optional[int] = Query(None, ge=0),
                    quote: Optional[str] = Query(None, max_length=2000), raw: Optional[str] = Query(None, max_length=50),
                    _: Optional[KeyEntry] = Depends(caller)) -> dict:
        """The page image URL with the boxes drawn (PDF), the table row with its column headers, or
        the passage around the quote (converted text)."""
        from service import desk

        _known(doc_id)
        return desk.view(pipeline, doc_id, page=page, table_id=table_id, row=row, column=column,
                         section_id=section_id, offset=offset, quote=quote, raw=raw)

    @app.get("/v1/documents/{doc_id}/review", tags=["review"], summary="复核：发现及其原文位置与决定 / findings to review")
    def review(doc_id: str, _: Optional[KeyEntry] = Depends(caller)) -> dict:
        from service import desk

        _known(doc_id)
        return desk.review(pipeline, doc_id)

    @app.put("/v1/documents/{doc_id}/findings/{finding_id}/decision", tags=["review"],
             summary="确认、排除（附原因）或重新打开一条发现 / decide on a finding")
    def decide(doc_id: str, finding_id: str, req: DecisionRequest, who: Optional[KeyEntry] = Depends(writer)) -> dict:
        from service import desk

        _known(doc_id)
        return desk.decide(pipeline, doc_id, finding_id, req.status, req.reason,
                           who.name if who is not None else (req.reviewer or None))

    @app.get("/v1/documents/{doc_id}/annotated.pdf", tags=["review"], summary="批注版 PDF / findings drawn on the PDF")
    def annotated(doc_id: str, _: Optional[KeyEntry] = Depends(caller)) -> Response:
        from service import desk

        _known(doc_id)
        return Response(desk.annotated_pdf(pipeline, doc_id), media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="annotated-{doc_id[:12]}.pdf"'})

    # -- questions ----------------------------------------------------------------------------------

    @app.post("/v1/ask", tags=["answer"], summary="提问（JSON） / ask a question")
    def ask(req: AskRequest, _: Optional[KeyEntry] = Depends(asker)) -> dict:
        return pipeline.ask(*ask_args(req))

    @app.post("/v1/ask/stream", tags=["answer"], summary="提问（SSE 流式） / ask, server-sent events")
    def ask_stream(req: AskRequest, _: Optional[KeyEntry] = Depends(asker)) -> StreamingResponse:
        args = ask_args(req)

        def events():
            for event, payload in pipeline.ask_stream(*args):
                yield f"event: {event}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    @app.post("/v1/search", tags=["answer"], summary="检索 / hybrid search")
    def search(req: SearchRequest, _: Optional[KeyEntry] = Depends(asker)) -> dict:
        filters(department=req.department, table_type=req.table_type, document_id=req.document_id)
        query = question_text(req.query, "检索词", "query")
        return {"hits": pipeline.search(query, req.k, req.department, req.year, req.table_type, req.document_id)}

    @app.get("/v1/figures", tags=["answer"], summary="数字精确查询 / exact figures with their place")
    def figures(
        row: Optional[str] = Query(None, max_length=100, description="行名（如 人员经费、合计） / row label"),
        row_contains: Optional[str] = Query(None, max_length=100, description="行名包含 / row label contains"),
        code: Optional[str] = Query(None, max_length=20, description="科目编码 / classification code, e.g. 2080505"),
        department: Optional[str] = Query(None, max_length=100, description="部门（部分名称即可） / department"),
        year: Optional[int] = Query(None, ge=1990, le=2100),
        table_type: Optional[str] = Query(None, max_length=50, description="标准表类型 / standard table type"),
        document_id: Optional[str] = Query(None, max_length=80),
        column_contains: Optional[str] = Query(None, max_length=100, description="列名包含 / column contains"),
        origin: Optional[str] = Query(None, pattern="^(table|narrative)$", description="table | narrative"),
        limit: int = Query(200, ge=1, le=5000),
        _: Optional[KeyEntry] = Depends(asker),
    ) -> dict:
        """Every printed figure matching all the given filters; values are decimal strings, exactly as
        printed (`raw`), in the table's or sentence's unit."""
        found = pipeline.figures(limit=limit, row_name=row, row_name_contains=row_contains, code=code,
                                 department=department, year=year, table_type=table_type, doc_id=document_id,
                                 column_contains=column_contains, origin=origin)
        return {"figures": found, "count": len(found), "limit": limit}

    @app.post("/v1/chat/completions", tags=["openai"], summary="OpenAI 兼容聊天接口 / OpenAI-compatible chat")
    def chat(req: ChatRequest, _: Optional[KeyEntry] = Depends(asker)) -> Response:
        if len(req.messages) > settings.max_messages:
            raise ApiError(413, "too_many_messages",
                           f"消息过多：{len(req.messages)} 条，上限 {settings.max_messages} 条（设置 BUDGETQA_MAX_MESSAGES）",
                           f"Too many messages: {len(req.messages)}, the limit is {settings.max_messages} "
                           "(setting BUDGETQA_MAX_MESSAGES)")
        for m in req.messages:
            if len(m.content) > settings.max_message_chars:
                raise ApiError(413, "text_too_long",
                               f"消息过长：{len(m.content):,} 字，上限 {settings.max_message_chars:,} 字（设置 BUDGETQA_MAX_MESSAGE_CHARS）",
                               f"A message is too long: {len(m.content):,} characters, the limit is "
                               f"{settings.max_message_chars:,} (setting BUDGETQA_MAX_MESSAGE_CHARS)")
        filters(model=req.model, role=[m.role for m in req.messages])
        asked = [m.content for m in req.messages if m.role == "user"]
        if not asked:
            raise ApiError(400, "no_user_message", "消息中没有用户问题", "No user message in messages")
        # the last question is answered; the earlier ones say whom a follow-up is about
        question, history = question_text(asked[-1]), asked[:-1]
        if req.stream:
            return StreamingResponse(pipeline.chat_stream(question, req.model, history), media_type="text/event-stream")
        return Response(json.dumps(pipeline.chat(question, req.model, history), ensure_ascii=False),
                        media_type="application/json")

    @app.get("/v1/models", tags=["openai"], summary="模型列表（OpenAI 兼容） / models")
    def models(_: Optional[KeyEntry] = Depends(caller)) -> dict:
        return {"object": "list", "data": [{"id": "budgetqa", "object": "model", "owned_by": "budgetqa"}]}

    # -- API docs, offline -------------------------------------------------------------------------

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/docs-openapi.json", title="budgetqa API",
                                   swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-assets/swagger-ui.css",
                                   swagger_favicon_url="/docs-assets/favicon-32x32.png")

    @app.get("/docs-openapi.json", include_in_schema=False)
    def docs_schema() -> dict:
        # The Swagger UI that PyPI ships (4.x) reads OpenAPI 3.0 only; FastAPI writes 3.1, whose
        # differences this page does not use. /openapi.json itself stays exact for clients.
        return {**app.openapi(), "openapi": "3.0.3"}

    app.mount("/docs-assets", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="docs-assets")

    # -- the chat page --------------------------------------------------------------------------

    @app.get("/", include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse((WEB_DIR / "index.html").read_text("utf-8"))

    @app.get("/review/{doc_id}", include_in_schema=False)
    def review_page(doc_id: str) -> HTMLResponse:
        return HTMLResponse((WEB_DIR / "review.html").read_text("utf-8"))

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> FileResponse:
        path = (WEB_DIR / name).resolve()
        if path.parent != WEB_DIR.resolve() or not path.is_file():
            raise errors.not_found("file", name)
        return FileResponse(path)

    return app
