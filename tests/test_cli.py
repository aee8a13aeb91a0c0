"""The command line through click's CliRunner, against fixture sites on real loopback HTTP."""

from __future__ import annotations

import csv
import io
import json
import socket
import sqlite3
import subprocess
import sys
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import run, write_sources
from integration_watch.cli import main
from integration_watch.corpus import Corpus, CrawlLock
from integration_watch.fixtures import FixtureSites


def test_search_formats(crawled_db: Path) -> None:
    code, out, _ = run(crawled_db, "search", "integration strategy", "--format", "json", "--limit", "3")
    assert code == 0
    hits = json.loads(out)
    assert 1 <= len(hits) <= 3
    assert {"id", "title", "url", "lang", "source", "published", "snippet", "score"} <= set(hits[0])
    code, out, _ = run(crawled_db, "search", "integration strategy", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows and rows[0]["id"] == str(hits[0]["id"])
    code, out, _ = run(crawled_db, "search", "integration strategy")
    assert code == 0 and f"#{hits[0]['id']}" in out


def test_search_filters_via_cli_and_env_db(crawled_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTEGRATION_WATCH_DB", str(crawled_db))
    result = CliRunner().invoke(main, ["search", "integrazione", "--lang", "it", "--since", "2019-01-01", "--format", "json"])
    assert result.exit_code == 0
    hits = json.loads(result.stdout)
    assert hits and all(h["lang"] == "it" and h["published"] >= "2019" for h in hits)


def test_show_text_and_json(crawled_db: Path) -> None:
    _, out, _ = run(crawled_db, "search", "REGIN", "--format", "json", "--limit", "1")
    article_id = json.loads(out)[0]["id"]
    code, out, _ = run(crawled_db, "show", str(article_id))
    assert code == 0 and "title:" in out and "url:" in out and "REGIN" in out
    code, out, _ = run(crawled_db, "show", str(article_id), "--format", "json")
    record = json.loads(out)
    assert record["id"] == article_id and record["text"] and isinstance(record["languages"], list)


def test_stats_per_source(crawled_db: Path) -> None:
    code, out, _ = run(crawled_db, "stats", "--format", "json")
    assert code == 0
    stats = json.loads(out)
    by_name = {s["source"]: s for s in stats["sources"]}
    assert by_name["cpmr-news"]["articles"] >= 4 and by_name["cpmr-news"]["pages_fetched"] >= by_name["cpmr-news"]["articles"]
    assert stats["last_run"]["status"] == "ok"
    code, out, _ = run(crawled_db, "stats")
    assert code == 0 and "cpmr" in out and "last run" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("search", '"unclosed'), "unbalanced quote"),
        (("search", "x", "--since", "last tuesday"), "cannot read the date"),
        (("show", "999999"), "no article with id 999999"),
        # click's own usage errors, one line too
        (("show", "abc"), "'abc' is not a valid integer. (see 'main show --help')"),
        (("search",), "Missing argument 'QUERY'"),
        (("search", "x", "--limit", "0"), "--limit"),
        (("search", "x", "--sort", "random"), "--sort"),
        (("no-such-command",), "No such command"),
    ],
)
def test_bad_input_gets_one_clear_line(crawled_db: Path, args: tuple[str, ...], message: str) -> None:
    code, out, err = run(crawled_db, *args)
    assert code == 2
    assert message in err and "Traceback" not in err + out
    assert len(err.strip().splitlines()) == 1


def test_malformed_sources_and_missing_database(tmp_path: Path) -> None:
    bad = tmp_path / "sources.toml"
    bad.write_text('[[source]]\nname = "x"\nstart_urls = ["https://x.eu/"]\nspeed = 3\n')
    code, _, err = run(tmp_path / "a.db", "crawl", "--sources", str(bad))
    assert code == 2 and "source 'x': unknown key 'speed'" in err
    code, _, err = run(tmp_path / "none.db", "search", "x")
    assert code == 2 and "no such database" in err
    assert not (tmp_path / "none.db").exists()


def test_a_second_crawl_on_the_same_database_is_refused(sites: FixtureSites, tmp_path: Path) -> None:
    sources = write_sources(sites, tmp_path / "sources.toml")
    db = tmp_path / "locked.db"
    with CrawlLock(db):
        code, _, err = run(db, "crawl", "--sources", str(sources))
    assert code == 2 and "another crawl" in err and "is running on this database" in err
    code, _, _ = run(db, "crawl", "--sources", str(sources), "--source", "cpmr-news", "--quiet")
    assert code == 0  # the lock is free again once its holder is gone


@pytest.mark.slow
def test_demo_runs_the_real_pipeline_on_the_bundled_sites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "demo.db").exists()
    assert "sample search 'integration strategy'" in result.stdout
    assert " new," in result.stdout


@pytest.mark.slow
def test_demo_without_apertium_says_which_languages_it_left_untranslated_and_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Apertium cannot be uninstalled for one test: a PATH with nothing on it hides it, as on a machine without it.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = CliRunner().invoke(main, ["--models", str(tmp_path / "models"), "demo"])
    assert result.exit_code == 0, result.output
    assert re.search(r"not translated, no engine on this machine: .*Spanish \(\d+ articles\)", result.stdout)
    assert "Apertium is not installed (no 'apertium' command" in result.stdout
    assert "sample search 'integration strategy'" in result.stdout


# --- no silent nothing: a mistyped filter, field or database is an error naming what exists ---------------

def known(db: Path) -> tuple[str, str]:
    """The sources and languages of a corpus, as the error messages should list them, counted in SQL."""
    conn = sqlite3.connect(db)
    sources = ", ".join(r[0] for r in conn.execute("SELECT name FROM sources ORDER BY name"))
    langs = ", ".join(r[0] for r in conn.execute("SELECT DISTINCT lang FROM articles WHERE lang IS NOT NULL ORDER BY lang"))
    conn.close()
    return sources, langs


@pytest.mark.parametrize("command", [("search", "integration"), ("stories",), ("export",), ("digest", "--dry-run"),
                                     ("digest", "--since", "2020")])
def test_an_unknown_source_or_language_is_an_error_listing_the_known_ones(crawled_db: Path,
                                                                          command: tuple[str, ...]) -> None:
    sources, langs = known(crawled_db)
    assert "cor-events-el" in sources and "el, en, es" in langs
    code, out, err = run(crawled_db, *command, "--source", "cor-events")
    assert code == 2 and out == ""
    assert "no source named 'cor-events'" in err and f"its sources: {sources}\n" in err
    code, out, err = run(crawled_db, *command, "--lang", "xx")
    assert code == 2 and out == ""
    assert "no article in language 'xx'" in err and f"its languages: {langs}\n" in err
    # a known source with nothing in the window is still an honest "nothing", exit 0
    code, _, err = run(crawled_db, *command, "--source", "cpmr-news", "--lang", "it")
    assert code == 0, err


def test_translate_with_an_unknown_filter_is_refused(crawled_db: Path, tmp_path: Path) -> None:
    code, _, err = run(crawled_db, "--models", str(tmp_path), "translate", "--lang", "xx")
    assert code == 2 and f"its languages: {known(crawled_db)[1]}\n" in err


@pytest.mark.parametrize(("query", "message"), [
    ("titel:partnership", "unknown field 'titel': the fields are title:, text:"),
    ("lang:es", "unknown field 'lang': the fields are title:, text:; for a filter use the option: --lang es"),
    ("-webinar", "'integration -webinar' (the same as 'integration NOT webinar')"),
])
def test_unknown_fields_and_a_lone_exclusion_are_refused(crawled_db: Path, query: str, message: str) -> None:
    code, out, err = run(crawled_db, "search", query)
    assert code == 2 and out == "" and message in err


def test_a_leading_minus_excludes_a_word(crawled_db: Path) -> None:
    def ids(*args: str) -> set[int]:
        code, out, err = run(crawled_db, "search", *args, "--all-copies", "--format", "json", "--limit", "1000")
        assert code == 0, err
        return {hit["id"] for hit in json.loads(out)}

    everything, with_regin = ids("integration"), ids("integration REGIN")
    assert with_regin and with_regin < everything
    assert ids("integration -REGIN") == everything - with_regin == ids("integration NOT REGIN")
    # the query may come after the options, or before them: '-REGIN' is never taken for an option
    assert ids("--lang", "en", "integration -REGIN") == ids("integration", "--lang", "en") - with_regin
    # phrases and fields work as in the README
    assert ids('text:"integration strategy"') <= ids("integration strategy")


@pytest.mark.parametrize("command", [("translate",), ("recluster",), ("digest",), ("stories",), ("export",)])
def test_only_crawl_creates_a_corpus(tmp_path: Path, command: tuple[str, ...]) -> None:
    db = tmp_path / "typo.db"
    code, _, err = run(db, "--models", str(tmp_path / "models"), *command)
    assert code == 2 and f"{db}: no such database (run 'integration-watch crawl' first)" in err
    assert list(tmp_path.iterdir()) == []  # no database, no lock file


# --- every number printed means what its words say --------------------------------------------------------


def test_fetched_counts_answers_not_attempts(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on: every attempt is refused, nothing answers
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[defaults]\nallow_private_hosts = true\nretries = 0\ndelay = 0.0\ntimeout = 2.0\n'
                       f'[[source]]\nname = "silent"\nstart_urls = ["http://127.0.0.1:{port}/", '
                       f'"http://127.0.0.1:{port}/news"]\n')
    code, out, _ = run(tmp_path / "c.db", "crawl", "--sources", str(sources), "--no-translate", "--format", "json")
    (report,) = json.loads(out)["sources"].values()
    assert code == 1 and report["fetched"] == 0 and len(report["errors"]) == 2


def test_translate_says_which_counts_are_this_run_and_which_the_corpus(crawled_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.db"
    with sqlite3.connect(crawled_db) as source, sqlite3.connect(db) as copy:
        source.backup(copy)  # the session's corpus is shared: translate writes
    conn = sqlite3.connect(db)
    waiting = conn.execute("SELECT count(*) FROM articles WHERE translation_waiting IS NOT NULL").fetchone()[0]
    greek = conn.execute("SELECT count(*) FROM articles WHERE ' ' || translation_waiting || ' ' LIKE '% el %'").fetchone()[0]
    conn.close()
    assert waiting and greek  # no argos model here: the Greek articles wait
    code, out, err = run(db, "--models", str(tmp_path / "models"), "translate")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("translation: 0 articles tried: 0 translated, 0 already English, 0 still without an engine")
    assert lines[-1].startswith(f"in the corpus, {waiting} articles wait for an engine (") and f"el {greek}" in lines[-1]


def test_search_says_how_many_match_beyond_the_limit(crawled_db: Path) -> None:
    def hits(*args: str) -> list[dict]:
        code, out, err = run(crawled_db, "search", "migra*", "--format", "json", *args)
        assert code == 0, err
        return json.loads(out)

    stories, articles = len(hits("--limit", "10000")), len(hits("--limit", "10000", "--all-copies"))
    assert articles > stories > 20  # copies exist, and more stories match than the 20 shown by default
    code, out, _ = run(crawled_db, "search", "migra*")
    assert code == 0 and out.splitlines()[-1] == f"20 of {stories} stories ({articles} articles); --limit for more"
    code, out, _ = run(crawled_db, "search", "migra*", "--all-copies", "--limit", "5")
    assert out.splitlines()[-1] == f"5 of {articles} articles ({stories} stories); --limit for more"
    code, out, _ = run(crawled_db, "search", "migra*", "--limit", "10000")
    assert out.splitlines()[-1] == f"{stories} stories ({articles} articles)"
    assert len(hits()) == 20  # JSON stays the list of hits scripts parse

    code, out, _ = run(crawled_db, "search", "migra*", "--count")
    assert (code, out) == (0, f"{stories} stories ({articles} articles)\n")
    code, out, _ = run(crawled_db, "search", "migra*", "--count", "--by", "lang", "--format", "json")
    counted = json.loads(out)
    assert (counted["stories"], counted["articles"]) == (stories, articles)
    per_lang = counted["by"]["lang"]
    every = hits("--limit", "10000", "--all-copies")
    assert {lang: t["articles"] for lang, t in per_lang.items()} == {
        lang: sum(h["lang"] == lang for h in every) for lang in {h["lang"] for h in every}}
    assert sum(t["stories"] for t in per_lang.values()) >= stories  # a story in two languages counts in each
    code, out, _ = run(crawled_db, "search", "migra*", "--count", "--by", "source", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert sum(int(r["articles"]) for r in rows) == articles and {r["source"] for r in rows} == {h["source"] for h in every}
    code, _, err = run(crawled_db, "search", "migra*", "--by", "lang")
    assert code == 2 and "--by goes with --count" in err


def test_the_command_line_starts_without_the_heavy_libraries(tmp_path: Path) -> None:
    """--help and search must start in a fraction of a second (bench/bench_startup.py measures it): the
    extraction, translation and numeric libraries load only in the commands that use them."""
    heavy = ("numpy", "trafilatura", "httpx", "langdetect", "ctranslate2", "argostranslate", "pypdf", "lxml")
    probe = ("import sys; from integration_watch.cli import main; sys.argv = ['integration-watch', *sys.argv[1:]]\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             f"print('loaded:', *sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r})), file=sys.stderr)")
    Corpus(tmp_path / "c.db").close()
    for args in (["--help"], ["search", "--help"], ["--db", str(tmp_path / "c.db"), "search", "integration -webinar"]):
        loaded = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, check=True)
        assert "Usage: integration-watch" in loaded.stdout or loaded.stdout == "no matches\n"
        assert loaded.stderr.splitlines()[-1] == "loaded:", args


def test_a_search_table_leaves_huge_totals_to_count(crawled_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Exact totals read every matching article; past the cap (10,000; 5 here, so the fixture corpus crosses
    it) the table says so instead of guessing, and --count still counts exactly."""
    monkeypatch.setattr("integration_watch.cli_search.TOTALS_CAP", 5)
    code, out, _ = run(crawled_db, "search", "migra*", "--limit", "3")
    assert code == 0 and out.splitlines()[-1] == (
        "3 of more than 5 matching articles; --count for the exact numbers, --limit for more")
    code, out, _ = run(crawled_db, "search", "migra*", "--count", "--lang", "it", "--format", "json")
    italian = json.loads(out)
    assert 0 < italian["articles"] <= 5  # few enough with the filter: the table counts them exactly
    code, out, _ = run(crawled_db, "search", "migra*", "--lang", "it", "--limit", "1")
    assert out.splitlines()[-1].startswith(f"1 of {italian['stories']} stor")
