"""sources.toml: the shipped files load, and every mistake gets a message naming the source and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from integration_watch.config import ConfigError, load_config

REPO = Path(__file__).resolve().parents[1]

GOOD = """
[defaults]
delay = 2
user_agent = "test-agent/1.0"

[[source]]
name = "cor-news"
start_urls = ["https://cor.europa.eu/en/news"]
include = ['/news/.+']
exclude = ['\\?page=']
languages = ["en", "el"]
delay = 5.5
"""


def load_text(tmp_path: Path, text: str):
    path = tmp_path / "sources.toml"
    path.write_text(text)
    return load_config(path)


def test_shipped_sources_file_loads_with_the_mission_sites() -> None:
    config = load_config(REPO / "sources.toml")
    names = {s.name for s in config.sources}
    assert len(names) >= 8
    hosts = " ".join(u for s in config.sources for u in (*s.start_urls, *s.feeds, *s.sitemaps))
    for site in ("cor.europa.eu", "cpmr.org", "integrazionemigranti.gov.it", "migrant-integration.ec.europa.eu"):
        assert site in hosts


# Article and non-article URLs seen in stored copies of the real sites' pages (sources.toml says where each
# comes from). Each shipped include/exclude must take the articles and leave the listings.
SEEN_ON_THE_REAL_SITES = {
    "cor-news-en": (["https://cor.europa.eu/en/news/Pages/integrate-migrants.aspx"],
                    ["https://cor.europa.eu/en/news/Pages/default.aspx"]),
    "cor-events-el": (["https://cor.europa.eu/el/events/Pages/workshop-local-and-regional-authorities-setting-up-"
                       "local-integration-strategy-stakeholder-involvement-ownership.aspx"],
                      ["https://cor.europa.eu/el/events/Pages/default.aspx?page=2"]),
    "ewsi": (["https://migrant-integration.ec.europa.eu/news/slovakia-call-proposals-integration-third-country-"
              "nationals_en"], ["https://migrant-integration.ec.europa.eu/integration-news_en?page=2"]),
    "dg-home-news": (["https://home-affairs.ec.europa.eu/news/integration-migrants-commission-and-committee-regions-"
                      "partnership-eu-support-local-action-2021-03-19_en"],
                     ["https://home-affairs.ec.europa.eu/index_en"]),
    "cpmr": (["https://cpmr.org/global-agendas/migration/a-cpmr-task-force-on-migration/6167/"],
             ["https://cpmr.org/policy-work/global-agendas/migration-management/"]),
    "regin": (["https://reginproject.eu/campania-presents-the-regin-project-to-its-regional-stakeholders/",
               "https://reginproject.eu/it/regin-updates-may-june-2021/",
               "https://reginproject.eu/it/4-cpmr-explores-opportunities-offered-by-the-european-commission-and-"
               "committee-of-the-regions-partnership-on-migrant-integration/"],
              ["https://reginproject.eu/about/", "https://reginproject.eu/resources-for-regions/"]),
    "integrazione-migranti": (["https://integrazionemigranti.gov.it/it-it/Ricerca-news/Dettaglio-news/id/2503/"
                               "Ministero-del-Lavoro-Regioni-e-Comuni-insieme-per-lintegrazione"],
                              ["https://integrazionemigranti.gov.it/it-it/Ricerca-news"]),
    "sardegna-immigrazione": (["http://www.sardegnaimmigrazione.it/index.php?xsl=2425&s=422466&v=2&c=15094&t=1&tb=15026"],
                              ["http://www.sardegnaimmigrazione.it/index.php?xsl=1838&s=25&v=9&c=9604&es=4272&na=1&n=10"]),
    "asylnytt": (["https://sanna-ord.se/asylnytt/arkiv/eu/integration_info.html"], ["https://sanna-ord.se/asylnytt/"]),
    "eurocities": (["https://eurocities.eu/latest/integrating-for-a-better-europe/",
                    "https://eurocities.eu/latest/cities-of-welcome-driving-integration-and-equality-in-a-changing-europe"],
                   ["https://eurocities.eu/latest/"]),
}


def test_shipped_patterns_take_the_article_urls_seen_on_the_real_sites() -> None:
    config = load_config(REPO / "sources.toml")
    for name, (articles, others) in SEEN_ON_THE_REAL_SITES.items():
        source = config.source(name)
        for url in articles:
            assert source.is_article_url(url), (name, url)
        for url in others:
            assert not source.is_article_url(url), (name, url)
    # the seed documents' own sites are covered (seed 003, a Spanish city's slides, names no site)
    hosts = {u.split("/")[2] for s in config.sources for u in s.start_urls}
    for site in ("cor.europa.eu", "reginproject.eu", "integrazionemigranti.gov.it", "www.sardegnaimmigrazione.it",
                 "sanna-ord.se"):
        assert site in hosts


def test_defaults_and_per_source_overrides(tmp_path: Path) -> None:
    config = load_text(tmp_path, GOOD)
    source = config.source("cor-news")
    assert config.defaults.delay == 2.0
    assert source.settings.delay == 5.5
    assert source.settings.user_agent == "test-agent/1.0"  # inherited from [defaults]
    assert source.languages == ("en", "el")
    assert source.is_article_url("https://cor.europa.eu/news/a-story")
    assert not source.is_article_url("https://cor.europa.eu/news/?page=2")
    assert not source.is_article_url("https://cor.europa.eu/about")
    assert source.is_article_url("https://cor.europa.eu/about", announced=True)  # feed items are articles


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[[source]]\nname = "a"\nstart_urls = ["https://x.eu/"]\nstart_url = "oops"', "source 'a': unknown key 'start_url'"),
        ('[defaults]\ndelay = "fast"\n[[source]]\nname = "a"\nfeeds = ["https://x.eu/f"]', "[defaults]: key 'delay' must be float"),
        ('[[source]]\nname = "a"\nstart_urls = ["https://x.eu/"]\nmax_pages = true', "source 'a': key 'max_pages' must be int"),
        ('[[source]]\nname = "b"\nstart_urls = ["https://x.eu/"]\ninclude = ["(unclosed"]', "source 'b': key 'include': bad regular expression"),
        ('[[source]]\nname = "c"\nlanguages = ["en"]', "source 'c': no way to discover pages"),
        ('[[source]]\nname = "d"\nstart_urls = ["ftp://x.eu/"]', "source 'd': key 'start_urls': 'ftp://x.eu/' is not an http(s) URL"),
        ('[[source]]\nname = "e"\nstart_urls = ["https://x.eu/"]\nlanguages = ["English"]', "source 'e': key 'languages'"),
        ('[[source]]\nname = "f"\nstart_urls = ["https://x.eu/"]\n[[source]]\nname = "f"\nfeeds = ["https://x.eu/f"]', "source 'f': name used twice"),
        ('[[source]]\nstart_urls = ["https://x.eu/"]', "source #1: key 'name' is required"),
        ('[[source]]\nname = "g"\nstart_urls = [1, 2]', "source 'g': key 'start_urls' must be a list of strings"),
        ('[defaults]\ndelay = -1\n[[source]]\nname = "a"\nfeeds = ["https://x.eu/f"]', "key 'delay' must not be negative"),
        ('[sources]\nname = "a"', "unknown top-level key 'sources'"),
        ('[defaults]\ndelay = 1', "no [[source]] tables"),
        ('[[source]\nname = "a"', "TOML syntax error"),
    ],
)
def test_malformed_file_names_the_place(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_text(tmp_path, text)
    assert expected in str(err.value)
    assert str(tmp_path / "sources.toml") in str(err.value)


def test_missing_file_and_unknown_source(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml")
    config = load_text(tmp_path, GOOD)
    with pytest.raises(ConfigError, match="no source named 'other' \\(known: cor-news\\)"):
        config.source("other")
