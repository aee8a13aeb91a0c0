"""`sources suggest URL`: feeds, sitemaps and include patterns found on fixture sites served on 127.0.0.1, and
`--append` that never leaves an invalid sources file."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from integration_watch.config import ConfigError, append_source, load_config
from integration_watch.fixtures import FixtureSites

from conftest import FIXTURES, run, write_sources

CHECK = FIXTURES / "sources-check"
# Loopback fixtures need allow_private_hosts; suggest takes its request settings from a sources file.
SETTINGS = """[defaults]
delay = 0.0
allow_private_hosts = true
user_agent = "integration-watch-test/1.0"

[[source]]
name = "existing"
feeds = ["{{origin:lantern}}/maps/lantern-pages-2022.xml"]
"""


@pytest.fixture(scope="module")
def check_sites() -> Iterator[FixtureSites]:
    with FixtureSites(CHECK / "sites") as running:
        yield running


def _suggest(sites: FixtureSites, tmp_path: Path, url: str, *args: str) -> tuple[int, dict, str]:
    settings = write_sources(sites, tmp_path / "settings.toml", SETTINGS)
    code, out, err = run(tmp_path / "db", "sources", "suggest", url, "--sources", str(settings), "--format", "json",
                         *args)
    return code, json.loads(out) if out.strip() else {}, err


def test_a_feed_announced_only_by_link_rel_alternate_is_found(check_sites: FixtureSites, tmp_path: Path) -> None:
    origin = check_sites.origins["harbour"]
    code, s, err = _suggest(check_sites, tmp_path, origin + "/")
    assert code == 0, err
    assert [(f["url"], f["how"]) for f in s["feeds"]] == [
        (origin + "/syndication/harbour-news.rss", 'announced by <link rel="alternate"> on the page')]
    assert s["feeds"][0]["entries"] == 8
    assert s["sitemaps"] == []  # harbour has none, and none is invented
    assert s["languages"] == ["en"]


def test_a_sitemap_named_only_in_robots_txt_is_found(check_sites: FixtureSites, tmp_path: Path) -> None:
    origin = check_sites.origins["lantern"]
    code, s, err = _suggest(check_sites, tmp_path, origin + "/")
    assert code == 0, err
    assert [(m["url"], m["how"], m["entries"]) for m in s["sitemaps"]] == [
        (origin + "/maps/lantern-pages-2022.xml", "named in robots.txt", 6)]
    assert s["feeds"] == []
    about = re.compile(s["include"][0])
    assert about.search("/en/322-some-regions-news-item/") and not about.search("/en/about/")


@pytest.mark.parametrize("site, not_taken", [
    ("harbour", "/tag/<slug>/"),
    ("isola", "/index.php?xsl=<n>&s=25&v=9&c=<n>&na=1&n=10"),
])
def test_suggested_include_has_precision_and_recall_over_95_percent_on_mixed_links(
    check_sites: FixtureSites, tmp_path: Path, site: str, not_taken: str
) -> None:
    """harbour's home page mixes articles of two shapes with tag, author, category, pagination and fixed
    pages; isola's (the Sardinian portal's CMS) tells items from section pages only by the query
    (index.php?…&v=2&… against …&v=9&…). ground-truth.json says which links are articles."""
    truth = json.loads((CHECK / "ground-truth.json").read_text())[site]
    code, s, err = _suggest(check_sites, tmp_path, check_sites.origins[site] + "/")
    assert code == 0, err
    patterns = [re.compile(p) for p in s["include"]]
    taken = {p for p in truth["articles"] + truth["not_articles"] if any(r.search(p) for r in patterns)}
    articles = set(truth["articles"])
    precision = len(taken & articles) / len(taken)
    recall = len(taken & articles) / len(articles)
    print(f"suggest on {site}: {len(s['include'])} include patterns, precision {precision:.3f}, recall {recall:.3f} "
          f"over {len(articles)} articles and {len(truth['not_articles'])} other links")
    assert precision >= 0.95 and recall >= 0.95
    verdicts = {v["shape"]: v for v in s["shapes"]}
    assert not verdicts[not_taken]["include"] and "listing" in verdicts[not_taken]["reasons"]


def test_append_writes_a_block_that_loads_and_checks(check_sites: FixtureSites, tmp_path: Path) -> None:
    target = write_sources(check_sites, tmp_path / "sources.toml", SETTINGS)
    origin = check_sites.origins["harbour"]
    for expected in ("127-0-0-1", "127-0-0-1-2"):  # a name already taken gets a suffix
        code, s, err = _suggest(check_sites, tmp_path, origin + "/", "--append", str(target))
        assert code == 0, err
        assert s["name"] == expected
    config = load_config(target)
    assert [x.name for x in config.sources] == ["existing", "127-0-0-1", "127-0-0-1-2"]
    added = config.source("127-0-0-1")
    assert added.start_urls == (origin + "/",) and added.feeds == (origin + "/syndication/harbour-news.rss",)
    assert config.defaults.allow_private_hosts  # the file's own settings are untouched
    assert "# Suggested by `integration-watch sources suggest" in target.read_text()
    # what suggest wrote is what check (a dry crawl) can use
    code, out, _ = run(tmp_path / "db", "sources", "check", "127-0-0-1", "--sources", str(target))
    assert code == 0, out


def test_append_never_writes_an_invalid_file(check_sites: FixtureSites, tmp_path: Path) -> None:
    origin = check_sites.origins["harbour"]
    broken = tmp_path / "broken.toml"
    broken.write_bytes(b'[defaults]\ndelay = 0.0\n[[source]]\nname = "a"\nstart_urls = ["http://x.eu/"\n')
    before = broken.read_bytes()
    code, _, err = run(tmp_path / "db", "sources", "suggest", origin + "/", "--append", str(broken))
    assert code == 2 and "TOML syntax error" in err
    assert broken.read_bytes() == before
    # valid TOML, but not a valid sources file: the same, nothing written
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('[defaults]\nallow_private_hosts = true\ndelay = 0.0\nbogus_key = 1\n')
    before = wrong.read_bytes()
    code, _, err = run(tmp_path / "db", "sources", "suggest", origin + "/", "--append", str(wrong))
    assert code == 2 and "unknown key 'bogus_key'" in err
    assert wrong.read_bytes() == before
    # a page with nothing to suggest: exit 1, the file as it was, no temporary file left
    good = write_sources(check_sites, tmp_path / "good.toml", SETTINGS)
    before = good.read_bytes()
    code, _, err = run(tmp_path / "db", "sources", "suggest", origin + "/about/", "--append", str(good))
    assert code == 1 and "none of the link shapes on the page led to articles" in err
    assert good.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_append_source_refuses_a_block_that_would_break_the_file(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text('[[source]]\nname = "a"\nfeeds = ["https://x.eu/feed"]\n')
    before = path.read_bytes()
    for block, message in (('[[source]]\nname = "a"\nfeeds = ["https://y.eu/feed"]\n', "name used twice"),
                           ("[[source]]\nname = 'b'\ninclude = ['(']\nfeeds = ['https://y.eu/f']\n", "bad regular"),
                           ("[[source]\n", "not be valid TOML")):
        with pytest.raises(ConfigError, match=message):
            append_source(path, block)
        assert path.read_bytes() == before
    append_source(path, "[[source]]\nname = 'b'\nfeeds = ['https://y.eu/feed']\n")
    assert [s.name for s in load_config(path).sources] == ["a", "b"]
