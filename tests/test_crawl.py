"""The whole pipeline over real HTTP: the fixture sites (built from the five seed documents) crawled into a real
SQLite corpus, checked against the hand-written ground truth in fixtures/expected.json."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES, write_sources
from integration_watch.config import Config, load_config
from integration_watch.corpus import Corpus
from integration_watch.crawl import crawl
from integration_watch.crawl_report import CrawlReport
from integration_watch.fixtures import FixtureSites, bundled_sites_dir
from integration_watch.search import search

EXPECTED: list[dict[str, Any]] = json.loads((FIXTURES / "expected.json").read_text())


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[FixtureSites, Path, CrawlReport, CrawlReport]:
    """The fixture sites crawled twice into one corpus (the second run is the re-crawl)."""
    tmp = tmp_path_factory.mktemp("crawl")
    with FixtureSites(bundled_sites_dir()) as sites:
        config = load_config(write_sources(sites, tmp / "sources.toml"))
        db = tmp / "corpus.db"
        with Corpus(db) as corpus:
            first = crawl(config, corpus)
        requests_after_first = len(sites.requests)
        with Corpus(db) as corpus:
            second = crawl(config, corpus)
        sites.first_run_requests = sites.requests[:requests_after_first]  # type: ignore[attr-defined]
        yield sites, db, first, second


def article_by_page(db: Path, sites: FixtureSites, site: str, path: str) -> dict[str, Any] | None:
    url = sites.origins[site] + path
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    row = conn.execute(
        "SELECT a.* FROM pages p JOIN articles a ON a.id = p.article_id WHERE p.url = ? OR a.url = ? OR a.fetched_url = ?",
        (url, url, url),
    ).fetchone()
    return dict(row) if row else None


def page_row(db: Path, sites: FixtureSites, site: str, path: str) -> dict[str, Any] | None:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    row = conn.execute("SELECT * FROM pages WHERE url = ?", (sites.origins[site] + path,)).fetchone()
    return dict(row) if row else None


ARTICLES = [e for e in EXPECTED if e["kind"] == "article" and not e.get("robots_disallowed")]


@pytest.mark.parametrize("expected", ARTICLES, ids=[e["path"].rsplit("/", 1)[-1][:50] for e in ARTICLES])
def test_every_article_is_found_and_stored_without_its_furniture(crawled, expected: dict[str, Any]) -> None:
    sites, db, first, _ = crawled
    article = article_by_page(db, sites, expected["site"], expected["path"])
    assert article is not None, f"{expected['site']}{expected['path']} was not stored as an article"
    assert expected["title"].casefold() in (article["title"] or "").casefold()
    assert article["lang"] == expected["lang"]
    if expected.get("published"):
        assert (article["published"] or "").startswith(expected["published"])
    for phrase in expected.get("must_contain", []):
        assert phrase in article["text"], f"body lost {phrase!r}"
    for phrase in expected.get("must_not_contain", []):
        assert phrase.casefold() not in article["text"].casefold(), f"furniture {phrase!r} kept in the article"
    if expected.get("mixed_langs"):
        assert json.loads(article["languages"])[: len(expected["mixed_langs"])] == expected["mixed_langs"]


NOT_ARTICLES = [e for e in EXPECTED if e["kind"] == "not_article"]


@pytest.mark.parametrize("expected", NOT_ARTICLES, ids=[e["path"] for e in NOT_ARTICLES])
def test_listings_error_block_and_cookie_pages_are_recorded_not_stored(crawled, expected: dict[str, Any]) -> None:
    sites, db, _, _ = crawled
    assert article_by_page(db, sites, expected["site"], expected["path"]) is None
    page = page_row(db, sites, expected["site"], expected["path"])
    if page is not None:  # pages nobody links to are simply never fetched
        assert page["state"] in ("not_article", "done")
        assert page["reason"]


def test_robots_disallowed_pages_are_never_requested(crawled) -> None:
    sites, db, _, _ = crawled
    for e in (e for e in EXPECTED if e.get("robots_disallowed")):
        assert sites.requests_for(e["site"], e["path"]) == []
        assert article_by_page(db, sites, e["site"], e["path"]) is None


def test_each_discovery_route_was_used(crawled) -> None:
    sites, _, first, _ = crawled
    requested = {(r.site, r.path) for r in sites.first_run_requests}
    assert ("cpmr", "/feed.rss") in requested
    assert ("asylnytt", "/feed.atom") in requested
    assert ("integrazione", "/sitemap_index.xml") in requested
    assert ("integrazione", "/sitemap-news.xml.gz") in requested
    assert ("cor", "/sitemap.xml") in requested
    assert first.exit_code == 0, first.as_dict()
    assert sum(r.new for r in first.sources.values()) == len(ARTICLES)


def test_one_article_is_one_url_whatever_the_link_decoration(crawled) -> None:
    sites, db, _, _ = crawled
    conn = sqlite3.connect(db)
    urls = [u for (u,) in conn.execute("SELECT url FROM articles")]
    assert len(urls) == len(set(urls))
    assert not any("utm_" in u or "#" in u for u in urls)
    fetched = [u for (u,) in conn.execute("SELECT url FROM pages")]
    assert not any("utm_" in u for u in fetched)


def test_recrawl_is_conditional_and_adds_nothing(crawled) -> None:
    sites, db, first, second = crawled
    assert sum(r.new + r.updated for r in second.sources.values()) == 0
    assert second.exit_code == 0
    assert sum(r.not_modified for r in second.sources.values()) >= 5  # start pages, feeds, sitemaps
    later = sites.requests[len(sites.first_run_requests):]
    seeds = [r for r in later if r.path.endswith((".rss", ".atom", ".xml", ".xml.gz")) or r.path.endswith("/")]
    assert seeds and all("if-none-match" in r.headers and r.status == 304 for r in seeds)
    article_paths = {e["path"] for e in ARTICLES}
    assert not [r.path for r in later if r.path in article_paths]  # known articles are not requested again


def test_greek_page_in_iso_8859_7_is_searchable_without_accents(crawled) -> None:
    _, db, _, _ = crawled
    with Corpus(db, readonly=True) as corpus:
        hits = search(corpus, "μεταναστων", lang="el")
        assert hits, "the ISO-8859-7 Greek articles were not decoded or indexed"
        assert any("μεταναστών" in h.snippet or "μεταναστών" in (corpus.articles.article(h.id) or {}).get("text", "") for h in hits)
        assert not any("\ufffd" in (corpus.articles.article(h.id) or {})["text"] for h in hits)


def test_search_finds_the_story_in_english_and_filters_by_language(crawled) -> None:
    _, db, _, _ = crawled
    with Corpus(db, readonly=True) as corpus:
        english = search(corpus, '"Committee of the Regions" partnership', lang="en")
        italian = search(corpus, "partenariato", lang="it")
    assert english and all(h.lang == "en" for h in english)
    assert italian and all(h.lang == "it" for h in italian)


# --- resumption, budgets, failures ----------------------------------------------------------------


def slow_config(sites: FixtureSites, tmp: Path, delay: float) -> Path:
    text = (FIXTURES / "sources.toml").read_text()
    text = text.replace("[defaults]", f"[defaults]\ndelay = {delay}", 1) if "delay" not in text.split("[[source]]")[0] else \
        "\n".join(f"delay = {delay}" if line.startswith("delay") else line for line in text.splitlines())
    return write_sources(sites, tmp / "slow.toml", text)


@pytest.mark.slow
def test_a_killed_crawl_resumes_with_nothing_lost(sites: FixtureSites, tmp_path: Path) -> None:
    sources = slow_config(sites, tmp_path, delay=0.3)
    db = tmp_path / "killed.db"
    cmd = [sys.executable, "-m", "integration_watch.cli", "--db", str(db), "crawl", "--sources", str(sources), "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
        try:
            stored = sqlite3.connect(db).execute("SELECT count(*) FROM articles").fetchone()[0]
        except sqlite3.Error:
            continue
        if stored >= 5:
            break
    assert proc.poll() is None, "the crawl ended before it could be killed; slow it down"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 5 <= stored < len(ARTICLES)

    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT status FROM runs").fetchall() == [("running",)]
    orphans = conn.execute("SELECT count(*) FROM articles WHERE id NOT IN (SELECT rowid FROM articles_fts)").fetchone()[0]
    assert orphans == 0
    conn.close()

    resumed = subprocess.run([*cmd[:-1], "--quiet"], capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == len(ARTICLES)
    assert [s for (s,) in conn.execute("SELECT status FROM runs ORDER BY id")] == ["interrupted", "ok"]
    assert conn.execute("SELECT count(*) FROM pages WHERE state = 'queued'").fetchone()[0] == 0


def test_page_budget_leaves_the_rest_queued_for_the_next_run(sites: FixtureSites, tmp_path: Path) -> None:
    text = (FIXTURES / "sources.toml").read_text().replace("max_pages = 500", "max_pages = 4")
    config = load_config(write_sources(sites, tmp_path / "budget.toml", text))
    db = tmp_path / "budget.db"
    runs = 0
    while True:
        runs += 1
        with Corpus(db) as corpus:
            report = crawl(config, corpus, source_names=["cpmr-news"])
        assert report.sources["cpmr-news"].fetched <= 4
        if not report.sources["cpmr-news"].budget_exhausted:
            break
        assert runs < 10
    assert runs >= 2
    cpmr = [e for e in ARTICLES if e["site"] == "cpmr"]
    with Corpus(db, readonly=True) as corpus:
        assert corpus.conn.execute("SELECT count(*) FROM articles").fetchone()[0] == len(cpmr)


def test_an_unreachable_source_fails_alone(sites: FixtureSites, tmp_path: Path) -> None:
    text = (FIXTURES / "sources.toml").read_text() + (
        '\n[[source]]\nname = "gone"\nstart_urls = ["http://127.0.0.1:9/news/"]\nretries = 0\ntimeout = 2.0\n'
    )
    config: Config = load_config(write_sources(sites, tmp_path / "gone.toml", text))
    with Corpus(tmp_path / "gone.db") as corpus:
        report = crawl(config, corpus, source_names=["gone", "cpmr-news"])
    assert report.sources["gone"].failed
    assert report.sources["cpmr-news"].new == len([e for e in ARTICLES if e["site"] == "cpmr"])
    assert report.exit_code == 1


def test_a_full_disk_stops_the_crawl_cleanly_and_keeps_what_was_stored(sites: FixtureSites, tmp_path: Path) -> None:
    from integration_watch.corpus import CorpusError

    config = load_config(write_sources(sites, tmp_path / "sources.toml"))
    db = tmp_path / "full.db"
    with Corpus(db) as corpus:
        crawl(config, corpus, source_names=["cpmr-news"])
    with Corpus(db) as corpus:
        pages = corpus.conn.execute("PRAGMA page_count").fetchone()[0]
        corpus.conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # SQLite's own way to simulate a full disk
        with pytest.raises(CorpusError, match="full"):
            crawl(config, corpus)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    cpmr = [e for e in ARTICLES if e["site"] == "cpmr"]
    assert conn.execute("SELECT count(*) FROM articles WHERE source = 'cpmr-news'").fetchone()[0] == len(cpmr)
    assert conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == conn.execute("SELECT count(*) FROM articles").fetchone()[0]


def test_a_page_that_failed_is_fetched_again_next_run(sites: FixtureSites, tmp_path: Path) -> None:
    text = (FIXTURES / "sources.toml").read_text().replace("[defaults]", "[defaults]\nretries = 0", 1)
    config = load_config(write_sources(sites, tmp_path / "sources.toml", text))
    path = "/news/regin-project-partners-continue-their-work.html"
    sites.fail("cpmr", path, 500)
    db = tmp_path / "retry.db"
    with Corpus(db) as corpus:
        first = crawl(config, corpus, source_names=["cpmr-news"])
    assert first.exit_code == 3 and [u for u, _ in first.sources["cpmr-news"].errors] == [sites.origins["cpmr"] + path]
    assert article_by_page(db, sites, "cpmr", path) is None
    with Corpus(db) as corpus:
        second = crawl(config, corpus, source_names=["cpmr-news"])
    assert second.exit_code == 0 and second.sources["cpmr-news"].new == 1
    assert article_by_page(db, sites, "cpmr", path) is not None
