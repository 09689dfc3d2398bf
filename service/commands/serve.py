"""`budgetqa serve [--host --port --data DIR] [--load PATH...]`: the HTTP service on a data folder.

`--load` ingests files or folders before serving (already-ingested documents are skipped: the
content hash is the identity), which is how the README's main command brings up a sample corpus.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="启动 HTTP 服务（API + 问答页面） / serve the API and the chat page")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--data", help="数据目录 / data folder (default: $BUDGETQA_DATA_DIR or ./data)")
    p.add_argument("--load", nargs="*", default=[], help="启动前导入的文件或目录 / files or folders to ingest first")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    if args.data:
        os.environ["BUDGETQA_DATA_DIR"] = str(Path(args.data).resolve())
    from service.api import create_app
    from service.pipeline import Pipeline, ServerSettings

    settings = ServerSettings.from_env()
    pipeline = Pipeline(settings)
    if args.load:
        ready = pipeline.load_paths([Path(p) for p in args.load])
        print(f"{ready} 份文件已就绪（已导入的不再重复处理） / {ready} documents ready (already-indexed ones skipped)",
              file=sys.stderr)
    if not settings.api_keys:
        print("提示：未配置 API 密钥，服务不做鉴权（仅适合本机使用） / no API keys configured: open access", file=sys.stderr)
    print(f"服务地址 / serving on http://{args.host}:{args.port}  (API 文档 /docs)", file=sys.stderr)
    # proxy_headers off: which proxies may name the client is BUDGETQA_TRUSTED_PROXIES alone (service/auth.py),
    # not uvicorn's own default of trusting X-Forwarded-For from 127.0.0.1.
    uvicorn.run(create_app(settings, pipeline), host=args.host, port=args.port, log_level="warning",
                proxy_headers=False)
    return 0
