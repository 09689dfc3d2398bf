"""Why-questions quote the reasons the document gives for the figure asked about, not every reason
it states: a bare "主要原因是：…" sentence is read with the sentence before it (the change it
explains), wherever the paragraph's sentence numbering skips."""

from __future__ import annotations

import re

import pytest

from indexing.read import read_bytes

TEXT = """示例市测试局2025年部门预算

一、收支预算总体情况说明
2025年收入预算1200.00万元，其中财政拨款收入1100.00万元，比上年增加100.00万元，主要原因是新增信息化建设项目。
二、机关运行经费预算情况说明
2025年机关运行经费预算45.00万元，比上年减少5.00万元。
主要原因是：压减办公费支出。
三、"三公"经费预算情况说明
2025年"三公"经费预算10.00万元，比上年减少2.00万元，主要原因是公务接待次数减少。
"""


@pytest.fixture(scope="module")
def service_and_doc():
    from service.chain import QAService

    doc = read_bytes(TEXT.encode(), "why.txt")
    return QAService([doc]), doc


def _reasons(answer: str) -> str:
    return answer.split("文件说明的原因：")[1].split("依据（文件原文）")[0]


@pytest.mark.parametrize("question, own, others", [
    ("财政拨款收入为什么增加？", ["信息化建设"], ["压减办公费", "公务接待次数"]),
    ("机关运行经费为什么减少？", ["压减办公费", "机关运行经费预算45.00万元"], ["信息化建设", "公务接待次数"]),
    ("三公经费为什么减少？", ["公务接待次数"], ["信息化建设", "压减办公费"]),
])
def test_only_the_asked_figures_reasons_are_quoted(service_and_doc, question, own, others):
    svc, doc = service_and_doc
    reasons = _reasons(svc.ask(question, doc_ids=[doc.id]).answer)
    assert all(w in reasons for w in own), reasons
    assert not any(w in reasons for w in others), reasons


def test_a_question_naming_no_figure_gets_every_reason(service_and_doc):
    svc, doc = service_and_doc
    reasons = _reasons(svc.ask("为什么有变化？", doc_ids=[doc.id]).answer)
    assert len(re.findall(r"\[\d+\]", reasons)) >= 3
