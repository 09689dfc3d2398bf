"""The label-free reading metric (eval/reading.py): on a clean generated disclosure every standard
table is found, every 合计 reconciles and the identities hold; a misprinted total is seen; the CLI
prints it (`budgetqa parse --summary`, `budgetqa eval --read`)."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

import pytest

from eval.reading import CORE_KEYS, identities, score, summarise


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from eval.layout_corpus import render

    out = tmp_path_factory.mktemp("reading")
    paths = []
    for i, family in enumerate(["central_numbered", "final_first_row", "dual_economic"]):
        _doc, data, name = render(family, i, 5, "text")
        path = out / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def test_a_clean_disclosure_reads_whole(generated):
    from indexing.read import read_document

    for path in generated:
        s = score(read_document(path))
        assert not s.standard_missing, (path.name, s.standard_missing)
        assert all(s.core_found[k] for k in CORE_KEYS), (path.name, s.core_found)
        assert s.totals_checked > 10 and s.totals_reconciled == s.totals_checked, path.name
        assert set(s.identities.values()) == {"holds"}, (path.name, s.identities)


def test_identities_fail_when_the_figures_disagree():
    kf = {"收入总计": Decimal("100.00"), "支出总计": Decimal("100.00"), "基本支出": Decimal("60.00"),
          "项目支出": Decimal("40.00"), "本年支出合计": Decimal("100.00"), "三公经费合计": Decimal("3.00"),
          "因公出国(境)费": Decimal("0"), "公务接待费": Decimal("1.00"), "公务用车购置及运行费": Decimal("2.00")}
    assert set(identities(kf).values()) == {"holds"}
    kf["项目支出"] = Decimal("41.00")
    kf["公务接待费"] = None
    got = identities(kf)
    assert got["基本支出+项目支出=支出合计"] == "fails" and got["三公分项=三公合计"] == "unknown"


def test_a_misprinted_total_is_counted_as_unreconciled(generated):
    from indexing.read import read_bytes

    text = generated[0].read_text(encoding="utf-8")
    doc = read_bytes(text.encode("utf-8"), "clean.txt")
    clean = score(doc)
    # change one amount of a coded row (its 类 and the 合计 no longer close)
    row = next(r for t in doc.tables if t.standard_type.value == "支出总表" for r in t.rows if r.code and len(r.code) == 7)
    raw = next(c.text for c in row.cells if c.figure is not None and c.figure.value)
    lines = text.split("\n")
    k = next(i for i, line in enumerate(lines) if "\t" in line and row.name in line and raw in line and (row.code_raw or "")[-2:] in line)
    lines[k] = lines[k].replace(raw, str(Decimal(raw.replace(",", "")) + 7), 1)
    changed = "\n".join(lines)
    bad = score(read_bytes(changed.encode("utf-8"), "changed.txt"))
    assert bad.totals_checked - bad.totals_reconciled > clean.totals_checked - clean.totals_reconciled
    assert summarise([clean, bad])["documents"] == 2


def test_the_cli_prints_the_metric(generated):
    out = subprocess.run([sys.executable, "-m", "service.cli", "parse", str(generated[0]), "--summary"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "standard 8/8" in out.stdout and "收入总计✓" in out.stdout
    out = subprocess.run([sys.executable, "-m", "service.cli", "eval", "--read", str(generated[0].parent), "--json",
                          "--jobs", "1"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    reading = json.loads(out.stdout)["reading"]
    assert reading["total"]["documents"] == 3 and reading["total"]["documents_all_core_found"] == 1.0
