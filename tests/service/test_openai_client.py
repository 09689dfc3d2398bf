"""Existing chat front-ends and SDKs: the official `openai` client against /v1/chat/completions."""

from __future__ import annotations

import httpx
import pytest
from openai import OpenAI

from tests.service.conftest import wait_for_job

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(server, seeds_dir):
    with httpx.Client(base_url=server.url, timeout=120) as http:
        data = (seeds_dir / "000_ccf1996943bb7af8.txt").read_bytes()
        job = http.post("/v1/documents", files={"file": ("000.txt", data, "text/plain")}).json()
        assert wait_for_job(http, job["job_id"])["status"] == "done"
    return OpenAI(base_url=f"{server.url}/v1", api_key="unused", max_retries=0)


def test_chat_completion_answers_with_footnotes(client):
    resp = client.chat.completions.create(
        model="budgetqa", messages=[{"role": "user", "content": "湖滨区医疗保障局2025年基本支出是多少？"}])
    text = resp.choices[0].message.content
    assert "417.79" in text
    assert "来源：" in text and "[1]" in text  # citations as footnotes in the text
    extra = resp.model_extra or {}
    assert extra.get("citations") and extra["citations"][0]["quote"]  # and as structured data


def test_chat_completion_streams(client):
    stream = client.chat.completions.create(
        model="budgetqa", stream=True,
        messages=[{"role": "user", "content": "湖滨区医疗保障局2025年项目支出是多少？"}])
    pieces, citations = [], None
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
        citations = (chunk.model_extra or {}).get("citations") or citations
    text = "".join(pieces)
    assert "707.98" in text and citations


def test_models_endpoint(client):
    assert [m.id for m in client.models.list().data] == ["budgetqa"]


def test_a_follow_up_keeps_the_department_of_the_conversation(client, server, seeds_dir):
    """Two departments loaded: "那项目支出呢？" alone names none (the answer asks which), but after a
    question about 湖滨区医疗保障局 it is about that department (service/conversation.py)."""
    with httpx.Client(base_url=server.url, timeout=120) as http:
        data = (seeds_dir / "001_9d927ef525b240df.txt").read_bytes()
        job = http.post("/v1/documents", files={"file": ("001.txt", data, "text/plain")}).json()
        assert wait_for_job(http, job["job_id"])["status"] == "done"
    alone = client.chat.completions.create(model="budgetqa", messages=[{"role": "user", "content": "那项目支出呢？"}])
    assert "707.98" not in alone.choices[0].message.content
    assert "请写明部门" in alone.choices[0].message.content
    follow = client.chat.completions.create(model="budgetqa", messages=[
        {"role": "user", "content": "湖滨区医疗保障局2025年基本支出是多少？"},
        {"role": "assistant", "content": "（上一轮回答）"},
        {"role": "user", "content": "那项目支出呢？"}])
    text = follow.choices[0].message.content
    assert "707.98" in text and "沿用上文" in text
    assert (follow.model_extra or {})["budgetqa"]["scope"]["carried"]["department"] == "三门峡市湖滨区医疗保障局"
    other = client.chat.completions.create(model="budgetqa", messages=[
        {"role": "user", "content": "湖滨区医疗保障局2025年基本支出是多少？"},
        {"role": "user", "content": "平乡县医疗保障局的项目支出呢？"}])
    assert "沿用上文" not in other.choices[0].message.content  # it names its own department
