"""LLM-assisted claim extraction (checking/llm_claims.py): optional, off by default, never trusted with
a figure. (a) a scripted fake chat model; (b) the real tiny llama server over HTTP (@pytest.mark.llm)."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from checking.check import check_document, run_checks
from checking.claims import extract_claims
from checking.findings import Severity
from checking.llm_claims import LLMClaimHook, parse_reply
from indexing.numbers import find_numbers
from tests.check.fixtures import make_doc, operating_cost_table

# "…21.42万元及时…": the rules read "万元及" as a threshold ("100万元及以上") and type nothing, so the
# sentence goes to the hook.
SENTENCE = "我部门2025年机构运行经费支出预算21.42万元及时保障机构正常运转。"


def _doc(total: str = "21.52"):
    rows = (("30201", "办公费", "10.00"), ("30206", "电费", "11.42")) + ((("31002", "办公设备购置", "0.10"),) if total == "21.52" else ())
    return make_doc(["七、机关运行经费预算", SENTENCE], [operating_cost_table(total=total, rows=rows)])


def _reply(*claims: dict) -> str:
    return "```json\n" + json.dumps({"claims": list(claims)}, ensure_ascii=False) + "\n```"


def _hook(*replies: str, **kw) -> LLMClaimHook:
    return LLMClaimHook(model=FakeListChatModel(responses=list(replies)), **kw)


GOOD = {"sentence": 1, "metric": "机构运行经费", "kind": "amount", "value": "21.42", "unit": "万元"}
INVENTED = {"sentence": 1, "metric": "机构运行经费", "kind": "amount", "value": "21.52", "unit": "万元"}


def _errors(report):
    return [f for f in report.findings if f.severity is Severity.error]


def test_off_by_default_changes_nothing(monkeypatch):
    monkeypatch.delenv("BUDGETQA_CHECK_LLM", raising=False)
    report, ctx = run_checks(_doc())
    assert all(c.source == "rule" for c in ctx.claims) and _errors(report) == []


def test_enabled_without_endpoint_is_rules_only(monkeypatch):
    from service.config import get_config

    monkeypatch.setenv("BUDGETQA_CHECK_LLM", "1")
    monkeypatch.delenv("BUDGETQA_LLM_BASE_URL", raising=False)
    get_config.cache_clear()
    try:
        report, ctx = run_checks(_doc())
    finally:
        get_config.cache_clear()
    assert all(c.source == "rule" for c in ctx.claims) and _errors(report) == []


def test_value_in_sentence_is_kept_aligned_and_checked_invented_value_dropped():
    hook = _hook(_reply(GOOD, INVENTED))
    report, ctx = run_checks(_doc(), llm_hook=hook)
    llm = [c for c in ctx.claims if c.source == "llm"]
    assert [(c.value, c.raw, c.unit, c.kind) for c in llm] == [(D("21.42"), "21.42万元", "万元", "amount")]
    c = llm[0]
    assert c.quote == SENTENCE and c.location.offset == SENTENCE.index("21.42") and c.sentence > 0
    assert c.id in ctx.aligned
    assert hook.stats.kept == 1 and hook.stats.dropped_value == 1  # 21.52 is the table's figure, not the sentence's
    # an LLM-typed figure is not "read without doubt": the contradiction is a warning, never an error
    assert _errors(report) == []
    errors = [f for f in report.findings if f.severity is Severity.warning and f.code == "N-AMOUNT"]
    assert len(errors) == 1 and errors[0].stated == D("21.42")
    narrative = [e for e in errors[0].evidence if e.side == "narrative"]
    assert narrative and narrative[0].quote == SENTENCE  # the finding shows the sentence it came from


def test_kept_claim_agreeing_with_the_table_gives_no_finding():
    hook = _hook(_reply(GOOD))
    report, ctx = run_checks(_doc(total="21.42"), llm_hook=hook)
    assert any(c.source == "llm" and c.id in ctx.aligned for c in ctx.claims)
    assert _errors(report) == []


@pytest.mark.parametrize("reply", [
    "这句话没有数字。",
    '{"claims": [{"metric": "机构运行经费", "kind": "amount", "value": ',  # cut short by max_tokens
    '{"claims": "21.42"}',
    '[{"kind": "total", "value": "21.42"}, {"kind": "amount"}, 42, null]',
    "",
])
def test_malformed_output_gives_no_claims_and_no_exception(reply):
    hook = _hook(reply)
    report, ctx = run_checks(_doc(), llm_hook=hook)
    assert not any(c.source == "llm" for c in ctx.claims)
    assert _errors(report) == []


def test_failing_endpoint_gives_no_claims():
    class Down:
        def invoke(self, messages):
            raise ConnectionError("connection refused")

    hook = LLMClaimHook(model=Down())
    report, ctx = run_checks(_doc(), llm_hook=hook)
    assert not any(c.source == "llm" for c in ctx.claims) and hook.stats.failed_batches == 1


def test_unit_kind_direction_and_metric_are_verified():
    sentence = "本年度共实施4个项目，较上年增加1个。公务接待费0.5万元及时结算。"
    claims = [
        {"metric": "项目", "kind": "count", "value": "4", "unit": "个"},          # kept
        {"metric": "项目", "kind": "count", "value": "4", "unit": "万元"},        # unit not as printed
        {"metric": "公务接待费", "kind": "share_pct", "value": "0.5"},            # % kind for a 万元 figure
        {"metric": "接待费用总额", "kind": "amount", "value": "0.5万元", "direction": "减少"},  # label not in sentence
        {"metric": "项目", "kind": "amount", "value": 7},                        # invented
    ]
    doc = make_doc(["一、概况", sentence], [])
    hook = _hook(json.dumps(claims, ensure_ascii=False))
    section = doc.sections[-1]
    got = hook.extract(section, sentence, 0)
    assert [(c.kind, c.raw) for c in got] == [("count", "4个"), ("amount", "0.5万元")]
    assert got[1].metric != "接待费用总额" and "公务接待费" in got[1].metric and got[1].direction is None
    assert hook.stats.kept == 2 and hook.stats.dropped_value == 2 and hook.stats.dropped_kind == 1


def test_threshold_is_not_an_amount():
    sentence = "我部门共有车辆0辆；单价50万元以上通用设备0套。"
    hook = _hook(_reply({"metric": "通用设备", "kind": "amount", "value": "50", "unit": "万元"},
                        {"metric": "车辆", "kind": "count", "value": "0", "unit": "辆"}))
    got = hook.extract(make_doc(["一、概况", sentence], []).sections[-1], sentence)
    assert [(c.kind, c.raw) for c in got] == [("count", "0辆")] and hook.stats.dropped_threshold == 1


def test_batches_attribute_claims_to_their_sentences():
    s1 = "我部门2025年机构运行经费支出预算21.42万元及时保障机构正常运转。"
    s2 = "绩效指标：隐患整改率≥95%"
    doc = make_doc(["七、机关运行经费预算", s1, "八、绩效", s2], [operating_cost_table()])
    reply = _reply(GOOD, {"sentence": 2, "metric": "隐患整改率", "kind": "completion_pct", "value": "95%"},
                   {"sentence": 2, "metric": "隐患整改率", "kind": "completion_pct", "value": "21.42"})
    hook = _hook(reply, batch_size=2).for_document(doc)
    claims = extract_claims(doc, hook=hook)
    llm = [(c.quote, c.raw) for c in claims if c.source == "llm"]
    assert llm == [(s1, "21.42万元"), (s2, "95%")]
    assert hook.stats.batches == 1 and hook.stats.dropped_value == 1  # 21.42 is not in sentence 2
    assert [c.sentence for c in claims] == sorted(c.sentence for c in claims)


def test_parse_reply_accepts_prose_fences_and_bare_lists():
    text = '好的：\n```json\n[{"metric": "a", "kind": "amount", "value": "1.00"}]\n```\n另外 {"kind": "count", "value": "2"}'
    claims, bad = parse_reply(text)
    assert [c.value for c in claims] == ["1.00", "2"] and bad == 0


# ---------------------------------------------------------------------------------------------
# (b) the real local model over HTTP

REAL_SENTENCES = [
    SENTENCE,
    "2024年期末，我部门共有车辆0辆，其中：一般公务用车0辆、一般执法执勤用车0辆；单价50万元以上通用设备0套。",
    "绩效指标：受理群众咨询人次≥10000人次",
    "组织拟订医疗保障工作规划，全年组织集中学习不低于60次，召开党组会议不低于30次。",
    "绩效指标：隐患整改率≥95%",
]


@pytest.fixture(scope="module")
def real_hook_factory(llama_server):
    from dataclasses import replace

    from service.config import get_config

    cfg = replace(get_config(), llm_base_url=llama_server, llm_model="gemma3-270m", llm_max_tokens=128, llm_timeout=120)

    def make(**kw) -> LLMClaimHook:
        return LLMClaimHook(config=cfg, max_tokens=128, **kw)

    return make


@pytest.mark.llm
def test_real_llm_claims_are_all_in_their_sentences(real_hook_factory):
    doc = make_doc(["七、机关运行经费预算", *REAL_SENTENCES], [operating_cost_table()])
    hook = real_hook_factory(batch_size=len(REAL_SENTENCES)).for_document(doc)
    section = doc.sections[-1]
    for s in REAL_SENTENCES:
        hook(section, s, 0)  # offsets relative to the sentence
    results = hook.flush()
    assert len(results) == len(REAL_SENTENCES)
    kept = 0
    for s, claims in zip(REAL_SENTENCES, results):
        for c in claims:
            kept += 1
            assert c.source == "llm" and c.quote == s.strip()
            assert any(n.value in (c.value, -c.value) and n.unit == c.unit for n in find_numbers(s))
            assert s[c.location.offset:].startswith(c.raw)
    st = hook.stats
    assert st.kept == kept
    # every object the model returned was either kept or dropped and counted (it invents numbers)
    assert st.returned == st.kept + st.dropped_value + st.dropped_kind + st.dropped_duplicate + st.dropped_threshold
    print(f"\nreal LLM claims: {st.as_dict()}; dropped values: {[v for _, v in st.dropped]}; replies: {st.replies}")


@pytest.mark.llm
def test_real_llm_adds_no_error_without_a_quote(real_hook_factory, seeds_dir: Path):
    from indexing.read import read_document

    path = sorted(seeds_dir.glob("000_*.txt"))
    if not path:
        pytest.skip("seed 000 is not in ../shared/seeds")
    doc = read_document(path[0])
    rules = check_document(doc)
    hook = real_hook_factory(batch_size=3)
    with_llm = check_document(doc, llm_hook=hook)
    key = lambda f: (f.code, f.message)  # noqa: E731
    rule_errors = {key(f) for f in _errors(rules)}
    llm_errors = {key(f): f for f in _errors(with_llm)}
    assert rule_errors <= set(llm_errors)
    for k in set(llm_errors) - rule_errors:
        quotes = [e.quote for e in llm_errors[k].evidence if e.side == "narrative"]
        assert quotes and all(quotes)
    assert hook.stats.sentences <= 6
    print(f"\nseed 000 with LLM: {hook.stats.as_dict()}; errors {len(rule_errors)} → {len(llm_errors)}")
