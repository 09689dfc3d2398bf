"""`budgetqa ingest` and `budgetqa search`, end to end on the seeds with the real model (vectors come
from the shared embedding cache when an earlier test embedded the same texts)."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal

from service.cli import main

SEEDS = ("000_ccf1996943bb7af8.txt", "001_9d927ef525b240df.txt")


def _json(capsys) -> dict:
    return json.loads(capsys.readouterr().out)


def test_ingest_a_folder_search_and_delete(tmp_path, seeds_dir, embed_cache_path, monkeypatch, capsys):
    monkeypatch.setenv("BUDGETQA_EMBED_CACHE", str(embed_cache_path))
    folder, data = tmp_path / "in", tmp_path / "data"
    folder.mkdir()
    for name in SEEDS:
        shutil.copy(seeds_dir / name, folder / name)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)

    # A folder: both disclosures indexed, the broken file reported in Chinese and English, exit 1.
    assert main(["ingest", str(folder), "--data", str(data), "--json", "--list"]) == 1
    first = _json(capsys)
    status = {r["source"].rsplit("/", 1)[-1]: r for r in first["results"]}
    assert [status[n]["status"] for n in SEEDS] == ["added", "added"]
    failed = status["broken.pdf"]
    assert failed["status"] == "failed" and " / " in failed["error"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in failed["error"])  # the Chinese half
    assert first["counts"]["documents"] == 2
    assert first["counts"]["chunks"] == sum(status[n]["chunks"] for n in SEEDS)
    assert first["counts"]["vectors"] == first["counts"]["embedded"] > 0  # table rows get no vector
    assert first["counts"]["figures"] == sum(status[n]["figures"] for n in SEEDS)

    # Again: nothing changes.
    assert main(["ingest", *(str(folder / n) for n in SEEDS), "--data", str(data), "--json"]) == 0
    again = _json(capsys)
    assert [r["status"] for r in again["results"]] == ["unchanged", "unchanged"]
    assert again["counts"] == first["counts"]

    # Search with a department filter, as JSON.
    docs = {d["source"].rsplit("/", 1)[-1]: d for d in first["documents"]}
    dept = docs[SEEDS[0]]["department"]
    assert main(["search", "三公经费", "--data", str(data), "--dept", dept, "--k", "4", "--json"]) == 0
    found = _json(capsys)
    assert found["query"] == "三公经费" and 0 < len(found["hits"]) <= 4
    assert {h["metadata"]["doc_id"] for h in found["hits"]} == {docs[SEEDS[0]]["doc_id"]}
    assert any("三公" in h["text"] for h in found["hits"])

    # Exact figures of a row, with their place, from the structured store.
    assert main(["figures", "合计", "--column", "人员经费", "--data", str(data), "--dept", dept, "--json"]) == 0
    figures = _json(capsys)["figures"]
    assert figures and {f["doc_id"] for f in figures} == {docs[SEEDS[0]]["doc_id"]}
    for f in figures:
        assert f["row_name"].replace(" ", "") == "合计" and "人员经费" in f["column"] and f["table_title"]
        assert Decimal(f["value"]) == Decimal(f["raw"].replace(",", ""))
    assert "396.27" in {f["raw"] for f in figures}  # the 人员经费 the narrative states, in the tables too
    assert main(["figures", "--data", str(data)]) == 2  # no filter at all: refused, not a dump of everything

    # Delete one: its chunks and figures are gone, the other document is untouched.
    gone = docs[SEEDS[1]]["doc_id"]
    assert main(["ingest", "--delete", gone, "--data", str(data), "--json", "--list"]) == 0
    after = _json(capsys)
    assert after["deleted"] == [gone] and [d["doc_id"] for d in after["documents"]] == [docs[SEEDS[0]]["doc_id"]]
    assert after["counts"]["chunks"] == status[SEEDS[0]]["chunks"]
    assert after["counts"]["vectors"] == after["counts"]["embedded"] > 0
    assert after["counts"]["figures"] == status[SEEDS[0]]["figures"]


def test_ingest_shows_a_progress_bar(tmp_path, seeds_dir, embed_cache_path, monkeypatch, capsys):
    monkeypatch.setenv("BUDGETQA_EMBED_CACHE", str(embed_cache_path))
    assert main(["ingest", str(seeds_dir / SEEDS[0]), "--data", str(tmp_path / "data")]) == 0
    captured = capsys.readouterr()
    assert "ingest" in captured.err and "1/1" in captured.err  # tqdm, on stderr
    assert "已加入 added" in captured.out and "索引 index: 1 份文件 documents" in captured.out
