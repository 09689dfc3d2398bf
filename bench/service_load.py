"""/v1/ask throughput and latency with 1, 10 and 50 concurrent clients on loopback.

Starts `budgetqa serve` as a separate process on a free port over a temporary data folder, loads
the three seeds (or --load PATHS), then runs a bounded number of requests per concurrency level.
The baseline measured in the same run is GET /v1/health at the same concurrency: the ratio says
how much the answering itself costs over the HTTP stack, on whatever machine this runs.

    .venv/bin/python -m bench.service_load [--requests 100] [--levels 1,10,50] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ["三公经费为何下降", "人员经费是多少", "项目支出有哪些", "和去年比收入怎样", "有没有公务车",
             "基本支出占多少", "机关运行经费是多少", "政府采购预算是多少"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def _run(url: str, level: int, n: int, request) -> dict:
    latencies: list[float] = []
    errors = 0

    def one(i: int) -> None:
        nonlocal errors
        t = time.perf_counter()
        try:
            ok = request(i).status_code == 200
        except httpx.HTTPError:
            ok = False
        latencies.append((time.perf_counter() - t) * 1000)
        errors += not ok

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=level) as pool:
        list(pool.map(one, range(n)))
    wall = time.perf_counter() - start
    return {"concurrency": level, "requests": n, "errors": errors, "throughput_rps": n / wall,
            "p50_ms": _pct(latencies, 50), "p95_ms": _pct(latencies, 95), "mean_ms": statistics.mean(latencies)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=100, help="requests per concurrency level (bounded)")
    ap.add_argument("--levels", default="1,10,50")
    ap.add_argument("--load", nargs="*", default=[str(ROOT.parent / "shared" / "seeds")])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    levels = [int(x) for x in args.levels.split(",")]

    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "BUDGETQA_RATE_LIMIT": "1000000"}
        proc = subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--data",
                                 f"{tmp}/data", "--load", *args.load], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 900
            while time.time() < deadline:
                try:
                    if httpx.get(f"{url}/v1/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(1)
            else:
                raise SystemExit("server did not start")
            rows = []
            with httpx.Client(base_url=url, timeout=120, limits=httpx.Limits(max_connections=100)) as client:
                client.post("/v1/ask", json={"question": QUESTIONS[0]})  # warm-up: builds the answering chain
                for level in levels:
                    health = _run(url, level, args.requests, lambda i: client.get("/v1/health"))
                    ask = _run(url, level, args.requests,
                               lambda i: client.post("/v1/ask", json={"question": QUESTIONS[i % len(QUESTIONS)]}))
                    rows.append({"level": level, "ask": ask, "health": health,
                                 "ask_over_health_p50": ask["p50_ms"] / max(health["p50_ms"], 1e-6)})
        finally:
            proc.terminate()
            proc.wait(timeout=30)

    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    print(f"{'clients':>7} {'ask rps':>8} {'ask p50':>9} {'ask p95':>9} {'health p50':>11} {'ratio p50':>10} {'errors':>7}")
    for r in rows:
        a, h = r["ask"], r["health"]
        print(f"{r['level']:>7} {a['throughput_rps']:>8.1f} {a['p50_ms']:>7.0f}ms {a['p95_ms']:>7.0f}ms "
              f"{h['p50_ms']:>9.1f}ms {r['ask_over_health_p50']:>9.1f}x {a['errors']:>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
