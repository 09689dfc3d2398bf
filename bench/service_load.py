"""/v1/ask throughput and latency with 1, 10 and 50 concurrent clients on loopback, while uploads run.

Starts `budgetqa serve` as a separate process on a free port over a temporary data folder, loads
the three seeds (or --load PATHS), then runs a bounded number of requests per concurrency level.
The baseline measured in the same run is GET /v1/health at the same concurrency: the ratio says
how much the answering itself costs over the HTTP stack, on whatever machine this runs.
With --uploads N (default 12), an uploader posts N fictional disclosures (eval.generate, text,
distinct, so each is read, checked and embedded for real) one after the other, each once the
previous job ended, for the whole measurement: every level is measured while documents are
being processed. Reported: errors of every kind, jobs done during the run, ask/health p95 ratio.

    .venv/bin/python -m bench.service_load [--requests 100] [--levels 1,10,50] [--uploads 12] [--json]
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


class Uploader:
    """Posts the documents one after the other (the next once the previous job ended) until told to stop."""

    def __init__(self, url: str, paths: list[Path]):
        import threading

        self.url, self.paths = url, paths
        self.errors, self.done, self.failed, self.seconds = 0, 0, 0, []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=300) as client:
            for path in self.paths:
                if self.stop.is_set():
                    return
                t = time.perf_counter()
                try:
                    r = client.post("/v1/documents", files={"file": (path.name, path.read_bytes(), "text/plain")})
                    if r.status_code != 202:
                        self.errors += 1
                        continue
                    job = r.json()["job_id"]
                    while not self.stop.is_set():
                        status = client.get(f"/v1/jobs/{job}").json()["status"]
                        if status in ("done", "failed"):
                            self.done += status == "done"
                            self.failed += status == "failed"
                            self.seconds.append(time.perf_counter() - t)
                            break
                        time.sleep(0.25)
                except httpx.HTTPError:
                    self.errors += 1

    def report(self) -> dict:
        return {"posted_ok_done": self.done, "jobs_failed": self.failed, "upload_errors": self.errors,
                "job_s_p50": round(statistics.median(self.seconds), 2) if self.seconds else None}


def upload_corpus(n: int, work: Path) -> list[Path]:
    if n <= 0:
        return []
    sys.path.insert(0, str(ROOT))
    from eval.generate import generate_corpus

    generate_corpus(str(work), n, 29, formats=["text"], styles="all")
    return sorted((work / "docs").glob("*.txt"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=100, help="requests per concurrency level (bounded)")
    ap.add_argument("--levels", default="1,10,50")
    ap.add_argument("--load", nargs="*", default=[str(ROOT.parent / "shared" / "seeds")])
    ap.add_argument("--uploads", type=int, default=12, help="documents uploaded during the measurement (0: none)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    levels = [int(x) for x in args.levels.split(",")]

    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "BUDGETQA_RATE_LIMIT": "1000000",
               "BUDGETQA_UPLOAD_RATE_LIMIT": "1000000", "BUDGETQA_READ_RATE_LIMIT": "1000000"}
        uploads = upload_corpus(args.uploads, Path(tmp) / "uploads")
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
            uploader = Uploader(url, uploads)
            with httpx.Client(base_url=url, timeout=120, limits=httpx.Limits(max_connections=100)) as client:
                client.post("/v1/ask", json={"question": QUESTIONS[0]})  # warm-up: builds the answering chain
                uploader.thread.start()
                for level in levels:
                    health = _run(url, level, args.requests, lambda i: client.get("/v1/health"))
                    ask = _run(url, level, args.requests,
                               lambda i: client.post("/v1/ask", json={"question": QUESTIONS[i % len(QUESTIONS)]}))
                    rows.append({"level": level, "ask": ask, "health": health,
                                 "ask_over_health_p50": ask["p50_ms"] / max(health["p50_ms"], 1e-6),
                                 "ask_over_health_p95": ask["p95_ms"] / max(health["p95_ms"], 1e-6),
                                 "uploads_so_far": uploader.report()})
                uploader.stop.set()
                uploader.thread.join(timeout=60)
            uploads_report = uploader.report()
        finally:
            proc.terminate()
            proc.wait(timeout=30)

    load = round(os.getloadavg()[0], 2)
    if args.json:
        print(json.dumps({"levels": rows, "uploads": uploads_report, "load_avg_1m_at_end": load}, indent=1))
        return 0
    print(f"{'clients':>7} {'ask rps':>8} {'ask p50':>9} {'ask p95':>9} {'health p50':>11} {'health p95':>11}"
          f" {'ratio p95':>10} {'errors':>7} {'jobs done':>10}")
    for r in rows:
        a, h = r["ask"], r["health"]
        print(f"{r['level']:>7} {a['throughput_rps']:>8.1f} {a['p50_ms']:>7.0f}ms {a['p95_ms']:>7.0f}ms "
              f"{h['p50_ms']:>9.1f}ms {h['p95_ms']:>9.1f}ms {r['ask_over_health_p95']:>9.1f}x "
              f"{a['errors'] + h['errors']:>7} {r['uploads_so_far']['posted_ok_done']:>10}")
    print(f"uploads during the run: {uploads_report}; load avg at end {load}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
