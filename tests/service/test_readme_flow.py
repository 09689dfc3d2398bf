"""The README's commands, in the order the README gives them, on a fresh data folder: `ingest`, then
`search`, `figures` and `ask` on what was ingested, then `serve` (real uvicorn) and the same question
over HTTP, which must give the same answer as the command line.

The order is read from the README's command block, so reordering or dropping a command there is
seen here. One seed document keeps it short (the embedding model is the real m3e-small)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port, wait_until_serving

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
FLOW = ("ingest", "search", "figures", "ask", "serve")
QUESTION = "湖滨区医保局项目支出占全部支出的比例是多少？"


def readme_commands() -> list[str]:
    """The subcommands of the README's command-line block, in the README's order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Command line", 1)[1].split("```", 2)[1]
    return re.findall(r"^\.venv/bin/budgetqa (\w+)", block, re.M)


def _env(tmp_path: Path) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    env.pop("BUDGETQA_DATA_DIR", None)  # the test's own --data only
    # Vectors of texts embedded before come from the shared on-disk cache (indexing/embed_cache.py).
    env.setdefault("BUDGETQA_EMBED_CACHE", str(tmp_path.parent.parent / "budgetqa_embed_cache.sqlite"))
    return env


def _cli(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "service.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_readme_commands_in_order_give_one_answer_from_cli_and_http(tmp_path, seeds_dir):
    order = [c for c in readme_commands() if c in FLOW]
    assert order == sorted(order, key=FLOW.index) and set(FLOW) <= set(order), order  # ingest first, serve last
    env, data = _env(tmp_path), tmp_path / "data"
    seed = seeds_dir / "000_ccf1996943bb7af8.txt"

    done = _cli(["ingest", str(seed), "--data", str(data), "--json"], env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["counts"]["documents"] == 1

    found = _cli(["search", "三公经费", "--dept", "湖滨区医保局", "--data", str(data), "--json"], env)
    assert found.returncode == 0 and json.loads(found.stdout)["hits"], found.stderr[-2000:]
    figures = _cli(["figures", "项目支出", "--data", str(data), "--json"], env)
    assert figures.returncode == 0 and json.loads(figures.stdout)["figures"], figures.stderr[-2000:]

    asked = _cli(["ask", QUESTION, "--data", str(data), "--json"], env)  # no --docs: the index answers
    assert asked.returncode == 0, asked.stderr[-2000:]
    cli = json.loads(asked.stdout)
    assert cli["answerable"] and cli["citations"] and cli["scope"]["status"] in ("named", "only")

    port = free_port()
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--data", str(data)],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_serving(proc, f"{url}/v1/health", timeout=180, what="budgetqa serve", log=log_path)
        assert httpx.get(f"{url}/v1/health", timeout=30).json()["documents"] == 1  # the same index
        http = httpx.post(f"{url}/v1/ask", json={"question": QUESTION}, timeout=120).json()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert http["answer"] == cli["answer"]
    assert [(c["doc_id"], c["quote"]) for c in http["citations"]] == [(c["doc_id"], c["quote"]) for c in cli["citations"]]
    assert http["scope"] == cli["scope"]


def test_ask_without_an_index_says_what_to_do(tmp_path):
    done = _cli(["ask", QUESTION, "--data", str(tmp_path / "empty")], _env(tmp_path))
    assert done.returncode == 2
    assert "budgetqa ingest" in done.stderr and "没有索引" in done.stderr
