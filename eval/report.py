"""Evaluation results → text (terminal) and one self-contained HTML file.

The HTML embeds its plots as inline SVG (matplotlib, Agg backend, CJK font when installed) and
its CSS in a <style> element: no script, no external file or network fetch, so it opens offline
and renders the same in a headless browser.
"""

from __future__ import annotations

import html
import io
import re
from typing import Optional

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def fmt(v, pct: bool = False) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v * 100:.1f}%" if pct else f"{v:.3f}"
    return str(v)


# ----------------------------------------------------------------------------- text

def text_report(res: dict) -> str:
    lines = []
    o = res.get("overall")
    if o:
        lines.append(f"== 总体 / overall ({o['documents']} documents) ==")
        for k in ("key_figure_accuracy", "claim_extraction_recall", "claim_recall", "contradiction_precision",
                  "contradiction_recall", "contradiction_f1", "genuine_inconsistency_recall", "all_flags_precision"):
            lines.append(f"  {k:<32} {fmt(o.get(k))}")
        lines.append(f"  {'contradiction flags (tp/all)':<32} {o['contradiction_tp']}/{o['contradiction_flags']}"
                     f"   targets found {o['contradiction_found']}/{o['contradiction_targets']}")
        lines.append(f"  {'false_errors_on_consistent':<32} {o['false_errors_on_consistent']} of {o['consistent_claims']}")
        if o.get("by_code"):
            lines.append("  precision per check: " + ", ".join(
                f"{c} {v['tp']}/{v['flags']}" for c, v in o["by_code"].items()))
        if o.get("by_target_kind"):
            lines.append("  recall per gold kind: " + ", ".join(
                f"{k} {v['found']}/{v['targets']}" for k, v in o["by_target_kind"].items()))
        for name in ("qa", "baseline_qa"):
            if name in o:
                lines.append(f"  [{'system' if name == 'qa' else 'baseline'}] " + _qa_line(o[name]))
        lines.append("\n== 每份文件 / per document ==")
        for r in res["documents"]:
            m = r["metrics"]
            lines.append(f"  {r['document'][:44]:<44} kf {fmt(m['key_figure_accuracy'])} claims {fmt(m['claim_recall'])}"
                         f" P {fmt(m['contradiction_precision'])} R {fmt(m['contradiction_recall'])}"
                         f" genuine {fmt(m['genuine_inconsistency_recall'])} falseErr {m['false_errors_on_consistent']}")
            for name in ("qa", "baseline_qa"):
                if name in m:
                    lines.append(f"      [{'system' if name == 'qa' else 'baseline'}] " + _qa_line(m[name]))
    if res.get("questions"):
        from eval.qa_eval import question_lines

        lines += question_lines(res["questions"])
    for f in res.get("failed_documents") or []:
        lines.append(f"  读取失败 / not read: {f['document']}: {f['error']}")
    for name in res.get("missing_documents") or []:
        lines.append(f"  缺少文件 / document not found for label: {name}")
    if "comparison" in res:
        lines.append("\n== 系统 / 基线 (system ÷ baseline, same run) ==")
        for k, v in res["comparison"].items():
            lines.append(f"  {k:<34} system {fmt(v['system'])}  baseline {fmt(v['baseline'])}  ratio {fmt(v['ratio'])}")
    for key, title in (("latency", "system"), ("baseline_latency", "baseline")):
        if key in res:
            lines.append(f"\n== latency ({title}) p50 / p95 ms ==")
            for st, v in res[key].items():
                lines.append(f"  {st:<10} {fmt(v['p50_ms'])} / {fmt(v['p95_ms'])}  (n={v['n']})")
    g = res.get("generated")
    if g:
        lines.append(f"\n== 生成语料 / generated corpus: {g['documents']} docs, seed {g['seed']}, {g['injected']} injected ==")
        lines.append(f"  recall {fmt(g['recall'])} ({g['detected']}/{g['injected']})   precision {fmt(g['precision'])}"
                     f" ({g['tp_flags']}/{g['flags']} flags)")
        for k, v in g["per_kind"].items():
            lines.append(f"  {k:<30} recall {fmt(v['recall'])} ({v['detected']}/{v['injected']})  "
                         f"precision {fmt(v['precision'])} (tp {v['tp_flags']}, fp {v['fp_flags']})")
        lines.append(f"  flags of codes detecting no injected kind (fp): {g['other_fp_flags']}")
    return "\n".join(lines)


def _qa_line(q: dict) -> str:
    kv = ", ".join(f"{t} {fmt(v)}" for t, v in q["key_value_accuracy_by_type"].items())
    return (f"R@1 {fmt(q['recall@1'])} R@5 {fmt(q['recall@5'])} MRR {fmt(q['mrr'])} | kv-acc {fmt(q['key_value_accuracy'])}"
            f" ({kv}) | refusal {fmt(q['refusal_accuracy'])} false-refusal {fmt(q['false_refusals'])}"
            f" | ungrounded {q['ungrounded_figures']}"
            f" | relevant by {', '.join(f'{k} {v}' for k, v in q.get('relevant_by', {}).items())}")


# ----------------------------------------------------------------------------- plots

def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    try:
        font_manager.fontManager.addfont(FONT)
        plt.rcParams["font.family"] = [font_manager.FontProperties(fname=FONT).get_name(), "DejaVu Sans"]
    except (OSError, RuntimeError):
        pass  # no CJK font: labels are ASCII anyway
    plt.rcParams["svg.fonttype"] = "path"  # glyphs as paths: the SVG needs no font to render
    return plt


def bars(title: str, labels: list[str], series: dict[str, list[Optional[float]]], ylabel: str = "",
         ylim: Optional[float] = 1.0, log: bool = False) -> str:
    """Grouped bar chart → an inline <svg> string."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(max(6.0, 0.7 * len(labels) * max(1, len(series))), 3.6))
    width = 0.8 / max(1, len(series))
    for i, (name, vals) in enumerate(series.items()):
        xs = [j + (i - (len(series) - 1) / 2) * width for j in range(len(labels))]
        ax.bar(xs, [v if v is not None else 0 for v in vals], width, label=name)
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=30, ha="right", fontsize=8)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    if log:  # indexing takes seconds, checking milliseconds: one linear axis would hide the latter
        ax.set_yscale("log")
    elif ylim:
        ax.set_ylim(0, ylim)
    if len(series) > 1:
        ax.legend(fontsize=8)
    fig.tight_layout()
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    svg = re.sub(r"<metadata>.*?</metadata>", "", buf.getvalue(), flags=re.S)  # RDF credits: no URLs left
    return svg[svg.index("<svg"):]


def plots(res: dict) -> dict[str, str]:
    out = {}
    o = res.get("overall") or {}
    if o:
        keys = ["contradiction_precision", "contradiction_recall", "contradiction_f1", "genuine_inconsistency_recall",
                "claim_recall", "key_figure_accuracy"]
        out["checker"] = bars("Checker precision / recall (overall)", keys, {"system": [o.get(k) for k in keys]})
        if o.get("by_code"):
            codes = list(o["by_code"])
            out["per_check"] = bars("Precision per check (finding code, gold labels)", codes,
                                    {"precision": [o["by_code"][c]["precision"] for c in codes]})
        if o.get("by_target_kind"):
            kinds = list(o["by_target_kind"])
            out["per_target"] = bars("Recall per gold item kind (gold labels)", kinds,
                                     {"recall": [o["by_target_kind"][k]["recall"] for k in kinds]})
    g = res.get("generated")
    if g:
        kinds = list(g["per_kind"])
        out["per_kind"] = bars("Injected errors: recall and precision per kind", kinds,
                               {"recall": [g["per_kind"][k]["recall"] for k in kinds],
                                "precision": [g["per_kind"][k]["precision"] for k in kinds]})
    if "latency" in res:
        stages = list(res["latency"])
        series = {"system p50": [res["latency"][s]["p50_ms"] for s in stages],
                  "system p95": [res["latency"][s]["p95_ms"] for s in stages]}
        if "baseline_latency" in res:
            series["baseline p50"] = [res["baseline_latency"].get(s, {}).get("p50_ms") for s in stages]
            series["baseline p95"] = [res["baseline_latency"].get(s, {}).get("p95_ms") for s in stages]
        out["latency"] = bars("Latency per stage (ms, log scale)", stages, series, "ms", ylim=None, log=True)
    if "comparison" in res:
        keys = [k for k, v in res["comparison"].items() if k != "ungrounded_figures"]
        out["comparison"] = bars("System vs naive RAG baseline", keys,
                                 {"system": [res["comparison"][k]["system"] for k in keys],
                                  "baseline": [res["comparison"][k]["baseline"] for k in keys]})
    return out


# ----------------------------------------------------------------------------- html

_CSS = """body{font-family:"WenQuanYi Micro Hei","Noto Sans CJK SC",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;font-size:.9em}
th{background:#f3f3f3}figure{margin:1em 0}svg{max-width:100%;height:auto}pre{background:#f7f7f7;padding:1em}"""


def html_report(res: dict) -> str:
    e = html.escape
    parts = ["<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'>",
             "<title>budgetqa evaluation</title>", f"<style>{_CSS}</style></head><body>",
             "<h1>budgetqa 评测报告 / evaluation report</h1>"]
    for name, svg in plots(res).items():
        parts.append(f"<figure class='plot' id='plot-{name}'>{svg}</figure>")
    if "comparison" in res:
        parts.append("<h2>System vs baseline (one run)</h2><table><tr><th>metric</th><th>system</th>"
                     "<th>baseline</th><th>ratio</th></tr>")
        for k, v in res["comparison"].items():
            parts.append(f"<tr><td>{e(k)}</td><td>{fmt(v['system'])}</td><td>{fmt(v['baseline'])}</td>"
                         f"<td>{fmt(v['ratio'])}</td></tr>")
        parts.append("</table>")
    if res.get("documents"):
        cols = ["key_figure_accuracy", "claim_recall", "contradiction_precision", "contradiction_recall",
                "genuine_inconsistency_recall", "false_errors_on_consistent"]
        parts.append("<h2>Per document</h2><table><tr><th>document</th>" + "".join(f"<th>{c}</th>" for c in cols)
                     + "<th>system R@5 / MRR / kv</th><th>baseline R@5 / MRR / kv</th></tr>")
        for r in res["documents"]:
            m = r["metrics"]
            qa = lambda q: f"{fmt(q['recall@5'])} / {fmt(q['mrr'])} / {fmt(q['key_value_accuracy'])}" if q else "—"  # noqa: E731
            parts.append(f"<tr><td>{e(r['document'])}</td>" + "".join(f"<td>{fmt(m[c])}</td>" for c in cols)
                         + f"<td>{qa(m.get('qa'))}</td><td>{qa(m.get('baseline_qa'))}</td></tr>")
        parts.append("</table>")
    parts.append(f"<h2>All metrics</h2><pre>{e(text_report(res))}</pre></body></html>")
    return "\n".join(parts)
