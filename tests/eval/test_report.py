"""The HTML report renders, holds its plots inline, and fetches nothing."""

from __future__ import annotations

from html.parser import HTMLParser

from eval.report import html_report, text_report
from eval.runner import compare, overall


def _row(name: str, kv: float) -> dict:
    qa = [{"id": "q1", "type": "lookup", "rank": 1, "relevance": "quote", "refused": False, "kv_score": kv, "ungrounded": 0},
          {"id": "q2", "type": "unanswerable", "refused": True, "kv_score": None, "ungrounded": 0}]
    base = [{"id": "q1", "type": "lookup", "rank": 3, "relevance": "values", "refused": False, "kv_score": 0.5, "ungrounded": 0},
            {"id": "q2", "type": "unanswerable", "refused": False, "kv_score": None, "ungrounded": 0}]
    return {
        "document": name, "format": "text", "department": "某局",
        "key_figures": {"correct": 9, "total": 10, "items": {}},
        "claims": {"gold": 10, "extracted": 9, "aligned": 8, "missed": []},
        "checker": {"flags": 4, "tp_flags": 3, "targets": 2, "found": 2, "contradiction_targets": 1,
                    "contradiction_found": 1, "genuine_targets": 1, "genuine_found": 1, "false_errors_on_consistent": 1,
                    "consistent_claims": 8, "all_flags": 5, "all_tp_flags": 3, "all_targets": 2, "all_found": 2,
                    "flags_by_category": {}, "unmatched": [], "missed": [],
                    "by_code": {"N-AMOUNT": {"flags": 3, "tp": 2}, "A-TOTAL": {"flags": 1, "tp": 1}},
                    "by_target_kind": {"amount": {"targets": 1, "found": 1}, "table": {"targets": 1, "found": 1}}},
        "qa": qa, "baseline_qa": base,
    }


def _results() -> dict:
    docs = [_row("文件A", 1.0), _row("doc<B>", 0.5)]
    o = overall(docs)
    lat = {"read": {"n": 2, "p50_ms": 10.0, "p95_ms": 20.0}, "retrieve": {"n": 4, "p50_ms": 5.0, "p95_ms": 9.0}}
    gen = {"documents": 5, "seed": 1, "injected": 10, "detected": 9, "recall": 0.9, "flags": 12, "tp_flags": 11,
           "precision": 11 / 12, "other_fp_flags": 0, "per_code": {},
           "per_kind": {"digit_swap": {"injected": 5, "detected": 5, "recall": 1.0, "tp_flags": 6, "fp_flags": 1,
                                       "precision": 6 / 7, "missed_examples": []},
                        "missing_table": {"injected": 5, "detected": 4, "recall": 0.8, "tp_flags": 4, "fp_flags": 0,
                                          "precision": 1.0, "missed_examples": []}}}
    return {"documents": docs, "overall": o, "latency": lat, "baseline_latency": lat, "comparison": compare(o),
            "generated": gen}


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_overall_and_comparison_ratios():
    res = _results()
    o = res["overall"]
    assert o["contradiction_precision"] == 0.75 and o["contradiction_recall"] == 1.0
    assert o["by_code"]["N-AMOUNT"] == {"flags": 6, "tp": 4, "precision": 4 / 6}
    assert o["qa"]["recall@1"] == 1.0 and o["baseline_qa"]["recall@1"] == 0.0
    assert o["qa"]["mrr"] == 1.0 and abs(o["baseline_qa"]["mrr"] - 1 / 3) < 1e-9
    assert o["qa"]["refusal_accuracy"] == 1.0 and o["baseline_qa"]["refusal_accuracy"] == 0.0
    assert res["comparison"]["key_value_accuracy"]["ratio"] == 1.5  # 0.75 / 0.5
    assert res["comparison"]["recall@1"]["ratio"] is None  # baseline 0: no ratio is invented


def test_html_is_self_contained_with_plots():
    page = html_report(_results())
    p = _Collect()
    p.feed(page)
    tags = [t for t, _ in p.tags]
    figures = [a.get("id") for t, a in p.tags if t == "figure"]
    assert {"plot-checker", "plot-per_check", "plot-per_target", "plot-per_kind", "plot-latency",
            "plot-comparison"} <= set(figures)
    assert tags.count("svg") >= 6
    # nothing external: no scripts, no linked files, no remote URLs
    assert "script" not in tags and "link" not in tags
    for _, attrs in p.tags:
        for key in ("src", "href"):
            v = attrs.get(key) or ""
            assert not v.startswith(("http:", "https:", "//")), v
    assert "https://" not in page and "<metadata" not in page
    assert "doc&lt;B&gt;" in page  # document names are escaped
    assert "<rect" in page or "<path" in page


def test_text_report_prints_both_systems_and_ratios():
    txt = text_report(_results())
    assert "[system]" in txt and "[baseline]" in txt and "ratio" in txt
    assert "digit_swap" in txt and "missing_table" in txt
