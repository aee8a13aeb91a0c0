"""`sources check`: a dry run over real HTTP against the fixture sites on 127.0.0.1, storing nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from integration_watch.fixtures import FixtureSites

from conftest import FIXTURES, run, write_sources

CHECK_SITES = FIXTURES / "sources-check" / "sites"


@pytest.fixture(scope="module")
def check_sites() -> Iterator[FixtureSites]:
    with FixtureSites(CHECK_SITES) as running:
        yield running


HARBOUR = """
[defaults]
delay = 0.0
allow_private_hosts = true
user_agent = "integration-watch-test/1.0 (+https://example.org/bot)"

[[source]]
name = "harbour"
start_urls = ["{{origin:harbour}}/"]
include = [%s]
languages = ["en"]
"""


def test_check_of_the_fixture_sources_finds_articles_everywhere_and_stores_nothing(sites: FixtureSites, tmp_path: Path) -> None:
    sources = write_sources(sites, tmp_path / "sources.toml")
    db = tmp_path / "corpus.db"
    before = len(sites.requests)
    code, out, err = run(db, "sources", "check", "--sources", str(sources), "--format", "json")
    assert code == 0, err
    checks = {c["name"]: c for c in json.loads(out)["sources"]}
    assert set(checks) == {"cor-events-el", "cpmr-news", "integrazione-news", "malaga-integracion", "asylnytt", "ewsi-news"}
    for c in checks.values():
        assert c["would_store"] and c["sample"], c["name"]
        assert all(s["status"] == 200 for s in c["seeds"] if s["error"] is None)
    assert not db.exists()  # a dry run: no corpus was made
    # the sitemap index was followed to its gzipped child, whose entries the include takes
    integrazione = {s["url"].rsplit("/", 1)[1]: s for s in checks["integrazione-news"]["seeds"]}
    assert integrazione["sitemap-news.xml.gz"]["articles"] == 5
    # the sample is extracted as the crawl extracts it: language, date, length, first lines
    sample = checks["integrazione-news"]["sample"][0]
    assert sample["lang"] == "it" and sample["published"] and sample["chars"] > 500 and sample["first_lines"]
    # polite: robots.txt read before anything else of a host, a disallowed page rejected and never requested
    cor = checks["cor-events-el"]
    assert any(r["reason"].startswith("robots:") and "/el/private/" in r["url"] for r in cor["rejected"])
    new = sites.requests[before:]
    assert not [r for r in new if r.path.startswith("/el/private/")]
    for site in ("cor", "ewsi", "malaga"):
        paths = [r.path for r in new if r.site == site]
        assert paths[0] == "/robots.txt"


def test_check_of_a_wrong_include_says_so_and_exits_non_zero(check_sites: FixtureSites, tmp_path: Path) -> None:
    sources = write_sources(check_sites, tmp_path / "s.toml", HARBOUR % "'^/articles/.+'")
    code, out, _ = run(tmp_path / "db", "sources", "check", "--sources", str(sources))
    assert code == 1
    assert "harbour: WOULD STORE NOTHING" in out
    truth = json.loads((FIXTURES / "sources-check" / "ground-truth.json").read_text())["harbour"]
    links = len(truth["articles"]) + len(truth["not_articles"]) + 1  # + the home page's link to itself
    assert f"include matches none of the {links} links on its start pages" in out
    # the shapes of what it missed point at the right pattern
    assert "12 × /news/<n>/<n>/<slug>.html" in out
    code, out, _ = run(tmp_path / "db", "sources", "check", "--sources", str(sources), "--format", "json")
    [c] = json.loads(out)["sources"]
    assert code == 1 and not c["would_store"] and c["candidates"] == 0
    assert c["not_matching_shapes"][0] == {
        "shape": "/news/<n>/<n>/<slug>.html", "count": 12,
        "examples": c["not_matching_shapes"][0]["examples"],
    }
    assert any("it would store nothing" in p for p in c["problems"])


def test_check_with_a_right_include_samples_articles_and_sends_our_user_agent(check_sites: FixtureSites, tmp_path: Path) -> None:
    sources = write_sources(check_sites, tmp_path / "s.toml", HARBOUR % r"'^/news/\d+/\d+/', '^/tag/'")
    before = len(check_sites.requests)
    code, out, _ = run(tmp_path / "db", "sources", "check", "harbour", "--sources", str(sources), "--sample", "8",
                       "--format", "json")
    assert code == 0
    [c] = json.loads(out)["sources"]
    assert c["candidates"] == 12 + 6  # news articles and tag pages
    assert len(c["sample"]) + len(c["rejected"]) == 8
    # the tag pages the too-broad include takes are rejected, with the reason
    assert {r["reason"] for r in c["rejected"]} == {"not an article: listing"}
    assert all("/tag/" in r["url"] for r in c["rejected"]) and c["rejected"]
    assert all("/news/2024/" in a["url"] and a["lang"] == "en" for a in c["sample"])
    agents = {r.headers.get("user-agent") for r in check_sites.requests[before:]}
    assert agents == {"integration-watch-test/1.0 (+https://example.org/bot)"}


def test_check_of_an_unreachable_start_page_fails_the_source(check_sites: FixtureSites, tmp_path: Path) -> None:
    template = HARBOUR.replace("{{origin:harbour}}/", "{{origin:harbour}}/no-such-listing/") % "'^/news/'"
    sources = write_sources(check_sites, tmp_path / "s.toml", template)
    code, out, _ = run(tmp_path / "db", "sources", "check", "--sources", str(sources))
    assert code == 1
    assert "http: status 404" in out
    assert "none of its start URLs, feeds or sitemaps could be read" in out


def test_check_of_an_unknown_source_is_bad_input(check_sites: FixtureSites, tmp_path: Path) -> None:
    sources = write_sources(check_sites, tmp_path / "s.toml", HARBOUR % "'^/news/'")
    code, _, err = run(tmp_path / "db", "sources", "check", "nope", "--sources", str(sources))
    assert code == 2 and "no source named 'nope'" in err


def test_check_reads_the_sitemaps_robots_txt_names_as_the_crawl_does(check_sites: FixtureSites, tmp_path: Path) -> None:
    template = HARBOUR.replace("harbour", "lantern") % r"'^/en/\d+-'"
    sources = write_sources(check_sites, tmp_path / "s.toml", template)
    code, out, _ = run(tmp_path / "db", "sources", "check", "--sources", str(sources), "--format", "json")
    assert code == 0
    [c] = json.loads(out)["sources"]
    [sitemap] = [s for s in c["seeds"] if s["role"] == "sitemap"]
    assert sitemap["via"] == "robots.txt" and sitemap["url"].endswith("/maps/lantern-pages-2022.xml")
    assert (sitemap["links"], sitemap["articles"]) == (6, 5)  # the about page is not an article
    assert c["candidates"] == 5
