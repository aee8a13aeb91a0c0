"""User-visible behaviour of integration_watch.extract.extract_page on article pages: the body kept, the
furniture around and inside it dropped, links and language of the page (pages: tests/extract_pages.py)."""

from __future__ import annotations

import gzip
import json
import re

import pytest
from conftest import EVALDATA
from extract_pages import (
    SEED000_BODY,
    SEED000_RELATED,
    SEED000_TITLE,
    SEED000_URL,
    SEED001_BODY,
    SEED001_COOKIE,
    SEED001_TITLE,
    SEED002_BODY,
    SEED002_TITLE,
    SEED002_URL,
    SEED004_BODY,
    SEED004_FOOTER,
    SEED004_TITLE,
    SEED004_URL,
    SHORT_NEWS,
    assert_absent,
    assert_body_kept,
    norm,
    paragraphs,
    seed000_page,
    seed001_page,
    seed002_page,
    seed004_page,
    shingle_f1,
)

from integration_watch.extract import extract_page



def test_seed000_cor_page_keeps_report_and_drops_greek_furniture():
    result = extract_page(seed000_page(), SEED000_URL)
    assert result.is_article and result.reason is None
    assert_body_kept(result, SEED000_BODY)
    assert_absent(
        result,
        "Αυτόματη μετάφραση",
        "Πατήστε εδώ",
        "Κοινοποίηση",
        "Σχετικές πληροφορίες",
        "Related events",
        "HTTPS://COR.EUROPA.EU",
        "World Children’s Day",
        "Stakeholder consultation: Legal Migration",
        "Μετάβαση στο κύριο περιεχόμενο",
    )
    assert "Contact Person: CIVEX secretariat" in result.text  # event details are content, not furniture
    assert result.title == SEED000_TITLE
    assert result.page_lang == "el"
    assert result.canonical_url == SEED000_URL


def test_seed001_cpmr_news_drops_cookie_notice_given_twice():
    result = extract_page(seed001_page(), "https://cpmr.org/migration/regin-project-update/31337/?utm_source=x")
    assert result.is_article
    assert_body_kept(result, SEED001_BODY)
    assert_absent(result, "cookie settings", "allow cookies", "consenting", "more information")
    assert result.title == SEED001_TITLE
    assert result.published is not None and result.published.startswith("2021-07-02")
    assert result.page_lang == "en"
    assert result.canonical_url == "https://cpmr.org/migration/regin-project-update/31337/"


def test_seed002_italian_portal_drops_skip_link_and_share_line():
    result = extract_page(seed002_page(), SEED002_URL)
    assert result.is_article
    assert_body_kept(result, SEED002_BODY)
    assert "Per maggiori informazioni consulta il documento" in result.text
    assert_absent(result, "Vai al contenuto", "CONDIVIDI SU")
    assert result.page_lang == "it"
    assert result.title == SEED002_TITLE
    # no metadata date on this page: the visible "Pubblicato il 06/07/2021" is used
    assert result.published == "2021-07-06"
    # relative canonical resolved against the page URL, fragment dropped
    assert result.canonical_url == "https://www.integrazionemigranti.gov.it/it-it/Ricerca-news/Dettaglio-news/id/1922/Dettaglio-news?id=1922"


def test_seed004_swedish_aggregator_drops_sponsor_sources_and_link_lines():
    result = extract_page(seed004_page(), SEED004_URL)
    assert result.is_article
    assert_body_kept(result, SEED004_BODY)
    assert_absent(
        result,
        "Sponsrad av",
        "Fridh Advokatbyrå",
        "Pressklipp saknas",
        "Källor:",
        "Bevakning:",
        "Extern länk",
        "Meddelandet med länkar",
        "EU:s flykting- och gränspolitik",
        "Till toppen",
    )
    assert result.title == SEED004_TITLE
    assert result.published is not None and result.published.startswith("2021-07-07")
    assert result.page_lang == "sv"


def test_links_are_absolute_deduplicated_in_order_and_http_only():
    result = extract_page(seed004_page(), SEED004_URL)
    links = result.links
    assert len(links) == len(set(links))
    assert all(re.match(r"https?://", link) for link in links)
    # <base href> applies: "eu/" -> https://www.asylnytt.se/eu/ ; fragments dropped, so "#top" duplicates it
    assert links[:2] == ("https://fridh.se/", "https://www.asylnytt.se/eu/")
    assert links.count("https://www.asylnytt.se/eu/") == 1
    assert "https://www.asylnytt.se/allmant/" in links
    assert not any(link.startswith("mailto:") for link in links)
    assert links.index("https://www.asylnytt.se/myndigheter/") < links.index("https://www.asylnytt.se/om/")


def test_links_resolve_relative_to_page_url_without_base():
    result = extract_page(seed000_page(), SEED000_URL)
    assert "https://cor.europa.eu/el/events" in result.links
    assert "https://twitter.com/EU_CoR" in result.links
    assert "https://cor.europa.eu/el/events/Pages/legal-migration.aspx" in result.links
    assert not any("#" in link for link in result.links)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("el-GR", "el"), ("EN", "en"), ("pt_BR", "pt"), ("sv", "sv"), ("", None), ("not a tag!", None)],
)
def test_page_lang_is_normalised_primary_subtag(lang, expected):
    page = seed001_page().replace('lang="en-US"', f'lang="{lang}"')
    assert extract_page(page, "https://cpmr.org/x/").page_lang == expected


def test_page_without_lang_attribute():
    page = seed001_page().replace(' lang="en-US"', "")
    assert extract_page(page, "https://cpmr.org/x/").page_lang is None



def test_short_real_article_is_still_an_article():
    assert 200 < len(SHORT_NEWS) < 300
    page = f"""<html lang="en"><head><title>CoR adopts opinion on rural integration</title>
    <meta property="article:published_time" content="2021-07-07"></head>
    <body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
    <article><h1>CoR adopts opinion on rural integration</h1><p>{SHORT_NEWS}</p></article></body></html>"""
    result = extract_page(page, "https://cor.europa.eu/en/news/Pages/rural.aspx")
    assert result.is_article, result.reason
    assert SHORT_NEWS in result.text
    assert result.published == "2021-07-07"


def test_article_that_mentions_cookies_and_errors_keeps_those_sentences():
    body = [
        "The data protection authority found that the municipal integration portal placed tracking cookies "
        "on the devices of asylum seekers who had not been asked for their consent.",
        "Officials said the error page shown to applicants (\"404 not found\") had hidden the problem for months, "
        "and that access denied messages were also reported by several reception centres.",
        "The authority ordered the municipality to fix the portal within three months and to report back.",
    ]
    page = f"""<html lang="en"><head><title>Integration portal fined over tracking</title></head><body>
      <article><h1>Integration portal fined over tracking</h1>{paragraphs(chr(10).join(body))}</article></body></html>"""
    result = extract_page(page, "https://example.org/news/portal-fined")
    assert result.is_article
    for sentence in body:
        assert sentence in result.text


# Worst case: the seed texts exactly as the pages rendered them, furniture and all, as paragraphs of
# one <article> (so the extractor cannot tell furniture by its markup, only by what it says).

SEED000_TOP = ["Αυτόματη μετάφραση", "Πατήστε εδώ για την αυτόματη μετάφραση του κάτωθι κειμένου."]
SEED000_BOTTOM = ["Κοινοποίηση :", "Σχετικές πληροφορίες", "Related events"] + [
    line
    for slug, title in SEED000_RELATED
    for line in (
        f"1.HTTPS://COR.EUROPA.EU/EL/EVENTS/PAGES/{slug}.ASPX",
        "2.HTTPS://COR.EUROPA.EU/EL/EVENTS/PAGES/WORKSHOP-LOCAL-AND-REGIONAL-AUTHORITIES-SETTING-UP-LOCAL-"
        "INTEGRATION-STRATEGY-STAKEHOLDER-INVOLVEMENT-OWNERSHIP.ASPX",
        title,
        title,
    )
]
SEED001_BOTTOM = [SEED001_COOKIE + " more information", SEED001_COOKIE]
SEED002_TOP = ["Vai al contenuto della pagina"]
SEED002_BOTTOM = ["• CONDIVIDI SU:"]
SEED004_TOP = ["Sponsrad av Fridh Advokatbyrå", "Pressklipp saknas"]
SEED004_BOTTOM = [
    "Meddelandet med länkar (Extern länk)",
    "Partnership on Integration: Supporting Cities, Regions and Rural Areas in Migrants' Integration (Extern länk till pdf-fil)",
    "Action plan on integration and inclusion 2021-2027 (Extern länk till pdf-fil)",
    "Website of the cities and regions initiative (Extern länk)",
    *SEED004_FOOTER,
]


@pytest.mark.parametrize(
    ("top", "body", "bottom"),
    [
        (SEED000_TOP, SEED000_BODY, SEED000_BOTTOM),
        ([], SEED001_BODY, SEED001_BOTTOM),
        (SEED002_TOP, SEED002_BODY, SEED002_BOTTOM),
        (SEED004_TOP, SEED004_BODY, SEED004_BOTTOM),
    ],
    ids=["000-cor", "001-cpmr", "002-it-portal", "004-asylnytt"],
)
def test_furniture_inside_the_article_container_is_removed(top, body, bottom):
    page = (
        '<html lang="en"><head><title>News</title></head><body><article><h1>News item</h1>'
        + paragraphs("\n".join([*top, body.strip(), *bottom]))
        + "</article></body></html>"
    )
    result = extract_page(page, "https://example.org/news/item")
    assert result.is_article
    assert_body_kept(result, body)
    for line in top + bottom:
        assert norm(line) not in norm(result.text), f"furniture kept: {line[:60]!r}"


def test_repeated_paragraph_is_kept_once():
    para = "The partnership builds on well-established cooperation between the Commission and the Committee."
    page = (
        "<html><head><title>x</title></head><body><article><h1>Partnership</h1>"
        + paragraphs("\n".join([SEED004_BODY.strip(), para, para]))
        + "</article></body></html>"
    )
    result = extract_page(page, "https://example.org/a")
    assert result.text.count(para) == 1


def test_extraction_is_frozen():
    result = extract_page(seed001_page(), "https://cpmr.org/x/")
    with pytest.raises(Exception):
        result.text = "x"  # type: ignore[misc]


# ============================================================================== real pages (Zyte benchmark)

ZYTE = EVALDATA / "extraction" / "scrapinghub_aeb"

def _zyte_case(case_id: str):
    for line in (ZYTE / "cases.jsonl").read_text().splitlines():
        case = json.loads(line)
        if case["id"].startswith(case_id):
            with gzip.open(ZYTE / case["html"]) as fh:
                data = fh.read()
            return case["url"], data.decode("utf-8", "replace"), (ZYTE / case["expected"]).read_text(encoding="utf-8")
    raise LookupError(case_id)


@pytest.mark.skipif(not (ZYTE / "cases.jsonl").exists(), reason=f"Zyte evaluation set not found at {ZYTE} (set IW_EVALDATA to shared/evaldata)")
@pytest.mark.parametrize(
    "case_id",
    ["04a6711c", "05844573", "0d461229", "0ec95c72", "20b2b649", "3252222e", "57b4dafd", "5a822960"],
)
def test_zyte_benchmark_pages_reach_f1_080(case_id):
    url, page, expected = _zyte_case(case_id)
    result = extract_page(page, url)
    assert result.is_article, result.reason
    assert shingle_f1(expected, result.text) >= 0.8


def test_malformed_links_are_skipped_not_fatal():
    page = seed004_page().replace(
        "</footer>", '<a href="http://[not-an-ip/x">bad</a> <a href="javascript:void(0)">js</a> <a href="  /om/  ">dup</a></footer>'
    )
    result = extract_page(page, SEED004_URL)
    assert result.is_article
    assert not any("[" in link or link.startswith("javascript") for link in result.links)
    assert result.links.count("https://www.asylnytt.se/om/") == 1


def test_extractor_failure_is_recorded_not_raised(monkeypatch):
    import integration_watch.extract.maintext as extract_module

    def boom(*args, **kwargs):
        raise RuntimeError("parser crashed")

    monkeypatch.setattr(extract_module, "Cascade", boom)  # trafilatura crashing on the page
    result = extract_page(seed001_page(), "https://cpmr.org/news/x/")
    assert not result.is_article
    assert result.reason == "extraction_failed"
def test_fast_and_full_extraction_agree_on_a_clear_article(monkeypatch):
    import integration_watch.extract.maintext as extract_module

    page = seed002_page()
    fast = extract_page(page, SEED002_URL)
    monkeypatch.setattr(extract_module, "CLEAR_TEXT", 10**9)  # never trust the fast pass
    assert extract_page(page, SEED002_URL) == fast
