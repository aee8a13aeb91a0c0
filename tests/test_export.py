"""Export (JSON Lines, CSV) through the CLI, and the corpus browsed in a real Datasette over HTTP."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import datasette_server, run

from integration_watch.serve import metadata_for


@pytest.mark.apertium("spa-eng")
def test_jsonl_export_has_original_and_english_and_follows_the_filters(crawled_db: Path) -> None:
    code, out, err = run(crawled_db, "export")
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    total = len(records)
    assert f"exported {total} articles" in err
    assert [r["id"] for r in records] == sorted(r["id"] for r in records)
    spanish = [r for r in records if r["lang"] == "es"]
    assert spanish and all(r["text_en"] and r["translation_engine"].startswith("apertium") for r in spanish)
    assert all(isinstance(r["languages"], list) for r in records)
    # copies are grouped, not dropped: every article is exported with its story
    assert all(r["story_id"] for r in records)
    assert len({r["story_id"] for r in records}) < total

    code, out, _ = run(crawled_db, "export", "--lang", "es", "--since", "2021-07", "--until", "2021-07-31")
    filtered = [json.loads(line) for line in out.splitlines()]
    assert filtered and all(r["lang"] == "es" and r["published"].startswith("2021-07") for r in filtered)

    # a query in English finds the Spanish articles through their English text
    code, out, _ = run(crawled_db, "export", "--query", '"city council"', "--lang", "es")
    assert {json.loads(line)["id"] for line in out.splitlines()} <= {r["id"] for r in spanish}
    assert out.strip()


def test_csv_export_to_a_file_round_trips_multiline_text(crawled_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "hits.csv"
    code, _, err = run(crawled_db, "export", "--format", "csv", "--out", str(target), "--query", "integration")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows and all("\n" in r["text"] or len(r["text"]) < 300 for r in rows)
    code, out, _ = run(crawled_db, "export", "--query", "integration")
    assert [json.loads(line)["text"] for line in out.splitlines()] == [r["text"] for r in rows]
    assert [p.name for p in tmp_path.iterdir()] == ["hits.csv"]  # no temporary file left beside it


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640)])
def test_files_written_with_out_get_the_usual_permissions(crawled_db: Path, tmp_path: Path, umask: int,
                                                          mode: int) -> None:
    """A digest or export published to a web folder must be readable there: the umask decides, as for any
    file the user creates (the process-wide umask is set for this test and restored)."""
    previous = os.umask(umask)
    try:
        for command in (("export", "--query", "integration"), ("digest", "--since", "2020", "--format", "html")):
            target = tmp_path / f"{command[0]}.out"
            code, _, err = run(crawled_db, *command, "--out", str(target))
            assert code == 0, err
            assert stat.S_IMODE(target.stat().st_mode) == mode, command
    finally:
        os.umask(previous)


def test_export_errors_are_one_line_and_leave_no_file(crawled_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    for args, message in [
        (("--since", "last tuesday"), "cannot read the date"),
        (("--query", '"unclosed'), "unbalanced quote"),
        (("--query", "AND"), "needs a word before and after"),
    ]:
        code, _, err = run(crawled_db, "export", "--out", str(target), *args)
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    code, _, err = run(crawled_db, "export", "--out", str(tmp_path / "no-such-dir" / "x.jsonl"))
    assert code == 2 and "cannot write" in err
    assert not target.exists()


# --- Datasette -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def datasette(crawled_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Plain `datasette` (not our serve) with the bundled metadata: the plugin comes in through its entry point."""
    metadata = tmp_path_factory.mktemp("datasette") / "metadata.json"
    metadata.write_text(json.dumps(metadata_for(crawled_db)))
    with datasette_server([sys.executable, "-m", "datasette", "serve", str(crawled_db), "--metadata", str(metadata),
                           "--host", "127.0.0.1", "--port", "{port}"]) as base:
        yield base


@pytest.mark.apertium("spa-eng")
def test_datasette_offers_full_text_search_on_articles(datasette: str) -> None:
    page = httpx.get(f"{datasette}/integration-watch/articles").text
    assert 'name="_search"' in page  # the search box: Datasette detected the FTS index by itself
    for typed in ("ολοκληρωμενη", "Ολοκληρωμένη"):  # the plugin folds the search box as the index is folded
        hits = httpx.get(f"{datasette}/integration-watch/articles.json",
                         params={"_search": typed, "_shape": "array"}).json()
        assert hits and all(h["lang"] == "el" for h in hits)
    english = httpx.get(f"{datasette}/integration-watch/articles.json",
                        params={"_search": '"city council"', "_shape": "array"}).json()
    assert {h["lang"] for h in english} == {"es"}  # found through the English translation


def test_datasette_canned_queries_and_metadata(datasette: str) -> None:
    meta = httpx.get(f"{datasette}/-/metadata.json").json()
    assert meta["databases"]["integration-watch"]["tables"]["articles"]["description"]
    months = httpx.get(f"{datasette}/integration-watch/articles_per_language_per_month.json",
                       params={"_shape": "array"}).json()
    assert {"month", "lang", "articles"} <= set(months[0]) and sum(m["articles"] for m in months) > 10
    ranked = httpx.get(f"{datasette}/integration-watch/search_ranked.json",
                       params={"q": "strategy", "_shape": "array"}).json()
    assert ranked and "title_en" in ranked[0]
    waiting = httpx.get(f"{datasette}/integration-watch/waiting_for_translation.json",
                        params={"_shape": "array"}).json()
    assert any(w["languages"] == "el" for w in waiting)
    assert httpx.get(f"{datasette}/integration-watch/new_this_week.json").status_code == 200
