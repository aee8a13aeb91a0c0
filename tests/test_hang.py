"""A crawl can never hang a cron job: a page that keeps the extractor busy past `page_timeout` is recorded as an
error and the crawl goes on; `crawl --max-time` stops a run at its deadline, keeps the queue, releases the lock."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from conftest import run
from integration_watch.fixtures import FixtureSites

PARAGRAPH = ("<p>Paragraph {i}: the regional integration strategy funds language courses for newcomers in every "
             "city of the region, the committee's report says, and asks the cities for their figures.</p>")


def article(title: str, paragraphs: int) -> str:
    body = "".join(PARAGRAPH.format(i=i) for i in range(paragraphs))
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}</article></body></html>"


def make_site(root: Path, pages: dict[str, str]) -> FixtureSites:
    site = root / "site"
    (site / "news").mkdir(parents=True)
    links = "".join(f'<li><a href="/news/{name}">{name}</a></li>' for name in pages)
    (site / "news" / "index.html").write_text(f"<html><body><ul>{links}</ul></body></html>")
    for name, html in pages.items():
        (site / "news" / name).write_text(html)
    return FixtureSites(root)


def sources(sites: FixtureSites, path: Path, extra: str = "") -> Path:
    path.write_text(
        f"[defaults]\ndelay = 0.0\ntimeout = 10.0\nallow_private_hosts = true\n{extra}\n"
        f'[[source]]\nname = "site"\nstart_urls = ["{sites.origins["site"]}/news/index.html"]\ninclude = ["^/news/.+[.]html$"]\n'
        'exclude = ["index"]\n'
    )
    return path


def test_a_page_that_keeps_the_extractor_busy_past_the_limit_is_an_error_and_the_crawl_goes_on(tmp_path: Path) -> None:
    """No test hook: a real 4 MB article takes the extractor seconds of CPU; with page_timeout = 0.5 its worker
    is killed at half a second and replaced, and the small articles around it are stored."""
    pages = {f"small-{i}.html": article(f"Small article {i}", 4) for i in range(6)}
    pages["huge.html"] = article("A huge article", 30_000)
    with make_site(tmp_path, pages) as sites:
        toml = sources(sites, tmp_path / "sources.toml", "page_timeout = 0.5")
        code, out, err = run(tmp_path / "c.db", "crawl", "--sources", str(toml), "--no-translate", "--format", "json",
                             "--workers", "2")
    assert code == 3, err  # some pages failed
    report = json.loads(out)["sources"]["site"]
    assert report["new"] == 6
    [(url, error)] = [(e["url"], e["error"]) for e in report["errors"]]
    assert url.endswith("/news/huge.html")
    assert error == "timeout: still running after 0.5 s of CPU time; the worker was killed"
    conn = sqlite3.connect(tmp_path / "c.db")
    state, recorded = conn.execute("SELECT state, error FROM pages WHERE url LIKE '%huge.html'").fetchone()
    assert (state, recorded) == ("error", error)


def test_a_page_that_ran_out_of_time_is_not_extracted_again_until_its_bytes_or_the_limit_change(tmp_path: Path) -> None:
    """A news site's listing changes between runs and links the page again each time: every cron run would
    otherwise spend another page_timeout of CPU on the same pathological page."""
    pages = {"small-0.html": article("Small article 0", 4), "huge.html": article("A huge article", 30_000)}
    with make_site(tmp_path, pages) as sites:
        toml = sources(sites, tmp_path / "sources.toml", "page_timeout = 0.5")
        db = tmp_path / "c.db"
        listing = tmp_path / "site" / "news" / "index.html"

        def huge_error() -> str:
            news = len(pages)  # a new article on the listing, as between two runs of a real site
            pages[f"small-{news}.html"] = article(f"Small article {news}", 4)
            (listing.parent / f"small-{news}.html").write_text(pages[f"small-{news}.html"])
            listing.write_text("<html><body><ul>" + "".join(f'<li><a href="/news/{n}">{n}</a></li>' for n in pages)
                               + "</ul></body></html>")
            code, out, err = run(db, "crawl", "--sources", str(toml), "--no-translate", "--format", "json")
            [(url, error)] = [(e["url"], e["error"]) for e in json.loads(out)["sources"]["site"]["errors"]]
            assert code == 3 and url.endswith("/news/huge.html"), err
            return str(error)

        limit_05 = "timeout: still running after 0.5 s of CPU time; the worker was killed"
        assert huge_error() == limit_05
        assert huge_error() == limit_05 + " (the same bytes as when it failed before: not extracted again until they change)"
        assert huge_error() == limit_05 + " (the same bytes as when it failed before: not extracted again until they change)"
        toml.write_text(toml.read_text().replace("page_timeout = 0.5", "page_timeout = 0.7"))
        assert huge_error() == "timeout: still running after 0.7 s of CPU time; the worker was killed"  # tried again
        (listing.parent / "huge.html").write_text(article("No longer huge", 5))
        (listing.parent / "x.html").write_text(article("Small article x", 4))
        listing.write_text(listing.read_text().replace("</ul>", '<li><a href="/news/x.html">x</a></li></ul>'))
        code, out, err = run(db, "crawl", "--sources", str(toml), "--no-translate", "--format", "json")
        assert code == 0, err
    titles = {r[0] for r in sqlite3.connect(db).execute("SELECT title FROM articles")}
    assert "No longer huge" in titles and "A huge article" not in titles


def test_sources_check_gives_up_on_a_page_that_keeps_the_extractor_busy_and_reports_it(tmp_path: Path) -> None:
    """`sources check` extracts its sample as the crawl does, under the same page_timeout: the huge article is
    reported as rejected with the timeout, the others are sampled, and the check ends."""
    pages = {"small-0.html": article("Small article 0", 4), "huge.html": article("A huge article", 30_000),
             "small-1.html": article("Small article 1", 4)}
    with make_site(tmp_path, pages) as sites:
        toml = sources(sites, tmp_path / "sources.toml", "page_timeout = 0.5")
        code, out, err = run(tmp_path / "c.db", "sources", "check", "--sources", str(toml), "--sample", "3",
                             "--format", "json")
    assert code == 0, err
    [check] = json.loads(out)["sources"]
    assert [r["reason"] for r in check["rejected"]] == ["timeout: still running after 0.5 s of CPU time; the worker was killed"]
    assert check["rejected"][0]["url"].endswith("/news/huge.html") and len(check["sample"]) == 2


@pytest.mark.slow
def test_max_time_stops_the_run_keeps_the_queue_and_releases_the_lock(tmp_path: Path) -> None:
    """16 queued articles, a polite 0.25 s between requests: they need at least 3.75 s; --max-time 1s stops the
    run before, with its own exit status and a summary that says so. The next run fetches the rest."""
    pages = {f"a-{i:02}.html": article(f"Article {i}", 4) for i in range(16)}
    with make_site(tmp_path, pages) as sites:
        toml = sources(sites, tmp_path / "sources.toml", "max_pages = 1")
        db = tmp_path / "c.db"
        run(db, "crawl", "--sources", str(toml), "--no-translate")  # the listing only: 16 articles queued
        toml.write_text(toml.read_text().replace("max_pages = 1", "").replace("delay = 0.0", "delay = 0.25"))
        code, out, err = run(db, "crawl", "--sources", str(toml), "--no-translate", "--max-time", "1s")
        assert code == 4, err
        assert "stopped by the time limit;" in out and "pages queued for the next run" in out
        assert "stopped at the --max-time limit" in err
        conn = sqlite3.connect(db)
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        queued = conn.execute("SELECT count(*) FROM pages WHERE state = 'queued'").fetchone()[0]
        assert stored < 16 and stored + queued == 16
        assert conn.execute("SELECT status FROM runs ORDER BY id DESC").fetchone()[0] == "stopped"
        code, out, err = run(db, "crawl", "--sources", str(toml), "--no-translate", "--format", "json")  # the lock is free
        assert code == 0, err
        assert json.loads(out)["sources"]["site"]["new"] == 16 - stored
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 16


@pytest.mark.parametrize(("text", "ok"), [("50m", True), ("90s", True), ("1.5h", True), ("20", True), ("0", False),
                                          ("fast", False), ("5d", False)])
def test_max_time_takes_seconds_minutes_and_hours(tmp_path: Path, text: str, ok: bool) -> None:
    code, _, err = run(tmp_path / "c.db", "crawl", "--sources", str(tmp_path / "missing.toml"), "--max-time", text)
    assert code == 2
    assert ("sources" in err or "not found" in err) if ok else f"{text!r} is not a duration" in err


SPANISH = ("<p>Párrafo {i}: la estrategia regional de integración financia cursos de idiomas para los recién llegados "
           "en cada ciudad de la región, según el informe del comité.</p>")


@pytest.mark.apertium("spa-eng")
def test_max_time_covers_translation_and_what_it_did_not_reach_waits_for_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The articles are stored by a first run; the second, limited to 1.5 s, has nothing new to fetch and spends
    its time translating them, one article per chunk (Apertium takes 0.1-0.3 s to start, so 30 chunks take at
    least 3 s): it stops between two (or before the first, on a busy machine), says so, and leaves the stories
    too. The next run translates the rest and places every article."""
    from integration_watch import translate
    from integration_watch.config import load_config
    from integration_watch.corpus import Corpus
    from integration_watch.crawl import crawl
    from integration_watch.crawl_report import STOPPED_EXIT
    from integration_watch.routes import Engines

    articles = 30
    pages = {name: f"<html><head><title>Noticia {n}</title></head><body><article><h1>Noticia {n} de la región</h1>"
             + "".join(SPANISH.format(i=f"{n}.{k}") for k in range(4)) + "</article></body></html>"
             for n, name in enumerate(f"a-{i:02}.html" for i in range(articles))}
    with make_site(tmp_path, pages) as sites:
        toml = sources(sites, tmp_path / "sources.toml")
        db = tmp_path / "c.db"
        code, _, err = run(db, "crawl", "--sources", str(toml), "--no-translate")
        assert code == 0, err
        monkeypatch.setattr(translate, "CHUNK_ARTICLES", 1)
        engines = Engines(tmp_path / "models", apertium=["spa-eng"])
        with Corpus(db) as corpus:
            report = crawl(load_config(toml), corpus, engines=engines, max_time=1.5, workers=1)
            assert report.exit_code == STOPPED_EXIT and report.stories is None
            if not report.sources["site"].stopped:  # on a very busy machine the fetching itself may run out of time
                assert report.translation is not None and report.translation.stopped
                assert report.translation.translated < articles
                assert report.translation.left == articles - report.translation.articles
            untried = corpus.conn.execute("SELECT count(*) FROM articles WHERE translation_status IS NULL").fetchone()[0]
            assert untried > 0
            assert corpus.conn.execute("SELECT status FROM runs ORDER BY id DESC").fetchone()[0] == "stopped"
            monkeypatch.undo()  # the rest in one chunk
            report = crawl(load_config(toml), corpus, engines=engines, workers=1)
            assert report.exit_code == 0 and report.translation is not None and report.translation.translated == untried
            rows = corpus.conn.execute("SELECT translation_status, story_id FROM articles").fetchall()
            assert len(rows) == articles and all(r[0] == "translated" and r[1] is not None for r in rows)
