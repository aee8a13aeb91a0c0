"""Source health in `stats`, and the crawl flagging a source that stored nothing: real crawls over HTTP of
fixture sites on 127.0.0.1 that change between runs (a template, a URL scheme, robots.txt)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from integration_watch.fixtures import FixtureSites

from conftest import FIXTURES, run, write_sources

CHECK = FIXTURES / "sources-check"

REDESIGN = """
[defaults]
delay = 0.0
allow_private_hosts = true

[[source]]
name = "redesign"
start_urls = ["{{origin:redesign}}/news/"]
include = ['^/news/[^/]+\\.html$']
languages = ["en"]
"""


def _copy_site(tmp_path: Path, name: str) -> Path:
    root = tmp_path / "sites"
    shutil.copytree(CHECK / "sites" / name, root / name)
    return root


def _crawl(db: Path, sources: Path) -> tuple[int, str, str]:
    return run(db, "--models", str(db.parent / "models"), "crawl", "--sources", str(sources), "--no-translate")


def _health(db: Path, source: str) -> dict:
    code, out, _ = run(db, "stats", "--format", "json")
    assert code == 0
    return next(h for h in json.loads(out)["health"] if h["source"] == source)


def test_a_template_change_between_two_crawls_is_a_health_warning(tmp_path: Path) -> None:
    root = _copy_site(tmp_path, "redesign")
    db = tmp_path / "c.db"
    with FixtureSites(root) as sites:
        sources = write_sources(sites, tmp_path / "s.toml", REDESIGN)
        code, _, err = _crawl(db, sources)
        assert code == 0, err
        assert _health(db, "redesign")["warnings"] == []  # one healthy run: nothing to say
        shutil.copytree(CHECK / "redesign-v2", root / "redesign", dirs_exist_ok=True)  # the new template
        code, _, err = _crawl(db, sources)
        assert code == 0, err  # it still stores articles: only their length tells
    health = _health(db, "redesign")
    first, second = health["runs"]
    assert (first["stored"], second["stored"]) == (4, 4)
    assert second["median_chars"] < first["median_chars"] / 2
    [warning] = health["warnings"]
    assert warning.startswith("extraction length fell by half since ")
    assert f"(run #{second['run']})" in warning
    code, out, _ = run(db, "stats")
    assert "WARNING: extraction length fell by half" in out


def test_an_include_that_matches_no_link_fails_the_crawl_and_warns(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    template = REDESIGN.replace("redesign", "harbour").replace("/news/", "/").replace(
        "'^/news/[^/]+\\.html$'", "'^/articles/'")
    with FixtureSites(CHECK / "sites", sites=["harbour"]) as sites:
        sources = write_sources(sites, tmp_path / "s.toml", template)
        code, _, err = _crawl(db, sources)
    assert code == 1
    assert "harbour: STORED NOTHING although its start pages were read: include took 0 of the" in err
    [warning] = _health(db, "harbour")["warnings"]
    assert warning.startswith("include matches none of the ")
    assert "12 × /news/<n>/<n>/<slug>.html" in warning  # the shape that include should have taken


def test_no_new_article_while_the_start_page_keeps_changing_is_a_warning(tmp_path: Path) -> None:
    root = _copy_site(tmp_path, "redesign")
    listing = root / "redesign" / "news" / "index.html"
    db = tmp_path / "c.db"
    with FixtureSites(root) as sites:
        sources = write_sources(sites, tmp_path / "s.toml", REDESIGN)
        assert _crawl(db, sources)[0] == 0
        original = listing.read_text()
        for n in range(3):
            # the site now publishes under /stories/: links the include does not take, no new article for us
            extra = "".join(f'<li><a href="/stories/{n}-{k}-new-story-here/">story</a></li>' for k in range(4))
            listing.write_text(original.replace("</ul>", extra + "</ul>"))
            code, _, err = _crawl(db, sources)
            assert code == 0, err  # its known articles are still on the listing: not "stored nothing"
    warnings = _health(db, "redesign")["warnings"]
    assert any(w.startswith("no new article in the last 3 runs while its start pages changed") and
               "4 × /stories/<slug>/" in w for w in warnings), warnings


def test_robots_txt_that_now_disallows_the_start_page_is_a_warning(tmp_path: Path) -> None:
    root = _copy_site(tmp_path, "redesign")
    db = tmp_path / "c.db"
    with FixtureSites(root) as sites:
        sources = write_sources(sites, tmp_path / "s.toml", REDESIGN)
        assert _crawl(db, sources)[0] == 0
        (root / "redesign" / "robots.txt").write_text("User-agent: *\nDisallow: /news/\n")
        code, _, _ = _crawl(db, sources)
        assert code == 1  # its only start page is forbidden: the source failed
        assert not [r for r in sites.requests_for("redesign") if r.path == "/news/" and r.status == 200][1:]
    [warning] = _health(db, "redesign")["warnings"]
    assert warning.startswith("robots.txt now keeps us from a start page: ")
    assert "/news/: robots: disallowed by robots.txt" in warning


def test_healthy_fixture_sources_have_no_warnings(crawled_db: Path) -> None:
    code, out, _ = run(crawled_db, "stats", "--format", "json")
    health = json.loads(out)["health"]
    assert {h["source"] for h in health} >= {"cpmr-news", "ewsi-news", "integrazione-news"}
    for h in health:
        assert h["warnings"] == [], h
        assert h["runs"][-1]["stored"] > 0
