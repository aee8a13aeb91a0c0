"""`integration-watch serve`: the real Datasette server on 127.0.0.1 over a crawled fixture corpus, with our
plugin, driven by a real headless Chromium through Playwright, as a researcher would use it."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import datasette_server

from integration_watch.serve import exposure_warning

playwright_api = pytest.importorskip("playwright.sync_api", reason="the test extra installs playwright")

GREEK = "Ολοκληρωμένη"  # as written in the Greek fixture article's title
GREEK_FOLDED = "ολοκληρωμενη"
SCREEN = {"width": 1200, "height": 800}
PHONE = {"width": 412, "height": 915}


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    return None


def _digest(db: Path) -> dict[str, str]:
    """What a write would change: the database file and its WAL (a reader may create an empty WAL; the -shm is
    readers' shared memory)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in (db, Path(f"{db}-wal")) if p.exists() and p.stat().st_size}


@pytest.fixture(scope="module")
def served(crawled_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, dict[str, str]]]:
    """The crawled corpus copied under another name than the metadata's (whatever a file is called, it works),
    served by `integration-watch serve` in its own process."""
    db = tmp_path_factory.mktemp("serve") / "watch-corpus.db"
    with sqlite3.connect(crawled_db) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    before = _digest(db)
    with datasette_server([sys.executable, "-m", "integration_watch.cli", "--db", str(db), "serve",
                           "--port", "{port}"]) as base:
        yield base, db, before


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    chromium = _chromium()
    if chromium is None:
        pytest.skip("no Chromium on this machine (Debian: apt-get install chromium; the README's test command does)")
    # A machine that cannot run the browser (e.g. Playwright's driver lacks libatomic1) skips, saying why.
    try:
        p = playwright_api.sync_playwright().start()
    except Exception as exc:
        pytest.skip(f"Playwright cannot start here ({str(exc).splitlines()[0]}); './setup.sh test' installs what it needs")
    try:
        b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
    except Exception as exc:
        p.stop()
        pytest.skip(f"Chromium cannot start here ({str(exc).splitlines()[0]}); './setup.sh test' installs what it needs")
    yield b
    b.close()
    p.stop()


@pytest.fixture
def page(browser: object, request: pytest.FixtureRequest) -> Iterator[object]:
    context = browser.new_context(viewport=SCREEN)  # type: ignore[attr-defined]
    pg = context.new_page()
    yield pg
    shots = os.environ.get("IW_SCREENSHOTS")  # set it to keep what each page looked like
    if shots:
        pg.screenshot(path=str(Path(shots) / f"{request.node.name}.png"), full_page=True)
    context.close()


def _story_with_languages(db: Path) -> tuple[int, set[str], int]:
    row = sqlite3.connect(db).execute(
        """SELECT story_id, group_concat(DISTINCT lang), count(*) FROM articles WHERE story_id IS NOT NULL
           GROUP BY story_id HAVING count(DISTINCT lang) > 1 ORDER BY count(*) DESC, story_id LIMIT 1"""
    ).fetchone()
    assert row, "the fixture corpus has a story in two languages"
    return int(row[0]), set(row[1].split(",")), int(row[2])


def _search(page: object, base: str, text: str) -> list[str]:
    page.goto(f"{base}/-/search")  # type: ignore[attr-defined]
    page.fill("input[name=q]", text)  # type: ignore[attr-defined]
    page.click("input[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    return page.locator(".iw-hit h3 a").all_inner_texts()  # type: ignore[attr-defined]


def test_search_page_folds_greek_as_the_command_line_does(served: tuple[str, Path, dict[str, str]], page: object) -> None:
    base, _, _ = served
    accented = _search(page, base, GREEK)
    assert accented and any(GREEK in title for title in accented)
    assert _search(page, base, GREEK_FOLDED) == accented
    assert page.locator(".iw-snippet mark").count() > 0  # type: ignore[attr-defined]  # terms highlighted


def test_search_page_groups_a_story_and_finds_spanish_through_english(served: tuple[str, Path, dict[str, str]], page: object) -> None:
    base, db, _ = served
    story, langs, members = _story_with_languages(db)
    title = sqlite3.connect(db).execute(
        "SELECT title FROM articles WHERE story_id = ? AND lang = 'en' ORDER BY id LIMIT 1", (story,)).fetchone()[0]
    _search(page, base, f'"{title}"')
    hits = page.locator(".iw-hit")  # type: ignore[attr-defined]
    story_links = [h.locator(f"a[href$='/-/story/{story}']") for h in hits.all()]
    assert sum(link.count() for link in story_links) == 1  # one result for the whole story
    hit = next(h for h, link in zip(hits.all(), story_links) if link.count())
    shown = {t.lower() for t in hit.locator(".iw-lang").all_inner_texts()}
    assert shown == langs and hit.locator(".iw-others li").count() == members - 1


def test_table_search_box_folds_the_query(served: tuple[str, Path, dict[str, str]], page: object) -> None:
    base, db, _ = served
    page.goto(f"{base}/{db.stem}/articles")  # type: ignore[attr-defined]
    page.fill("input[name=_search]", GREEK)  # type: ignore[attr-defined]
    page.locator("input[name=_search]").press("Enter")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    langs = page.locator("td.col-lang").all_inner_texts()  # type: ignore[attr-defined]
    assert langs and set(langs) == {"el"}


def test_story_page_lists_every_language_side_by_side(served: tuple[str, Path, dict[str, str]], page: object) -> None:
    base, db, _ = served
    story, langs, members = _story_with_languages(db)
    page.goto(f"{base}/-/story/{story}")  # type: ignore[attr-defined]
    sections = page.locator("section.iw-article")  # type: ignore[attr-defined]
    assert sections.count() == members
    assert {t.lower() for t in sections.locator("h2 .iw-lang").all_inner_texts()} == langs
    translated = page.locator("section.iw-article .iw-side p.iw-en")  # type: ignore[attr-defined]
    assert translated.count() > 0 and any(t.strip() for t in translated.all_inner_texts())
    assert page.goto(f"{base}/-/story/999999").status == 404  # type: ignore[attr-defined]


def test_an_article_row_links_to_its_story(served: tuple[str, Path, dict[str, str]], page: object) -> None:
    base, db, _ = served
    story, _, _ = _story_with_languages(db)
    article = sqlite3.connect(db).execute("SELECT min(id) FROM articles WHERE story_id = ?", (story,)).fetchone()[0]
    page.goto(f"{base}/{db.stem}/articles/{article}")  # type: ignore[attr-defined]
    page.click(f"a[href$='/-/story/{story}']")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    assert page.url.endswith(f"/-/story/{story}") and page.locator("h1").inner_text()  # type: ignore[attr-defined]


@pytest.mark.parametrize("viewport", [SCREEN, PHONE], ids=["desktop", "phone"])
def test_table_page_is_readable(served: tuple[str, Path, dict[str, str]], browser: object, viewport: dict[str, int]) -> None:
    """Long texts are cut in table views: no row of the articles table is taller than the screen."""
    base, db, _ = served
    context = browser.new_context(viewport=viewport)  # type: ignore[attr-defined]
    try:
        pg = context.new_page()
        pg.goto(f"{base}/{db.stem}/articles")
        assert pg.locator("td.col-text").count() > 10
        tallest = pg.evaluate("Math.max(...[...document.querySelectorAll('td')].map(td => td.getBoundingClientRect().height))")
        assert tallest < viewport["height"] / 2
        facets = pg.locator(".facet-info").all_inner_texts()
        assert any(f.startswith("lang") for f in facets) and any(f.startswith("source") for f in facets)
    finally:
        context.close()


def test_metadata_applies_whatever_the_file_is_called(served: tuple[str, Path, dict[str, str]]) -> None:
    base, db, _ = served
    meta = httpx.get(f"{base}/-/metadata.json").json()
    assert meta["databases"][db.stem]["tables"]["articles"]["description"]
    ranked = httpx.get(f"{base}/{db.stem}/search_ranked.json", params={"q": GREEK, "_shape": "array"}).json()
    assert ranked and {r["lang"] for r in ranked} == {"el"}  # the canned query folds too


def test_nothing_the_pages_did_wrote_to_the_corpus(served: tuple[str, Path, dict[str, str]]) -> None:
    """Runs after the browser tests of this module (pytest keeps file order)."""
    base, db, before = served
    assert httpx.post(f"{base}/{db.stem}/articles", data={"title": "x"}).status_code >= 400
    assert _digest(db) == before


def test_serve_without_datasette_says_how_to_install_it(tmp_path: Path, crawled_db: Path) -> None:
    # Datasette is installed here (the test extra); its absence is simulated by blocking its import.
    code = ("import sys; sys.modules['datasette'] = None; sys.modules['datasette.app'] = None; "
            "from integration_watch.cli import main; main()")
    run = subprocess.run([sys.executable, "-c", code, "--db", str(crawled_db), "serve", "--port", "0"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert "pip install 'integration-watch[serve]'" in run.stderr and "Traceback" not in run.stderr


def test_serving_beyond_loopback_says_what_it_exposes() -> None:
    assert exposure_warning("127.0.0.1", 8001) is None
    warning = exposure_warning("0.0.0.0", 8080)
    assert warning and "read the whole corpus" in warning and "0.0.0.0:8080" in warning
