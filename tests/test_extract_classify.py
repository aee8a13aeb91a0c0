"""Pages that are not articles (extract/classify.py): listings, error, block and cookie pages, empty and
non-HTML input; and articles that only look like them."""

from __future__ import annotations

import html as htmllib

import pytest
from extract_pages import (
    SEED001_BODY,
    SEED001_COOKIE,
    SEED001_TITLE,
    SEED002_TITLE,
    SEED002_URL,
    SEED004_BODY,
    assert_absent,
    paragraphs,
    seed002_page,
)

from integration_watch.extract import extract_page


def listing_page() -> str:
    items = []
    for i in range(14):
        items.append(
            f"""<div class="news-item"><h3><a href="/en/news/Pages/item-{i}.aspx">Regions and cities call for more support for migrant integration, item {i}</a></h3>
            <span class="date">{i + 1:02d}/06/2021</span></div>"""
        )
    return f"""<html lang="en"><head><title>News - European Committee of the Regions</title></head><body>
      <nav><a href="/en">Home</a> <a href="/en/news">News</a> <a href="/en/events">Events</a></nav>
      <main><h1>News</h1>{''.join(items)}
      <div class="pager"><a href="?page=2">Next page</a></div></main></body></html>"""


def test_listing_page_is_not_an_article_but_keeps_its_links():
    result = extract_page(listing_page(), "https://cor.europa.eu/en/news/Pages/default.aspx")
    assert not result.is_article
    assert result.reason == "listing"
    assert result.text == ""
    assert "https://cor.europa.eu/en/news/Pages/item-3.aspx" in result.links
    assert "https://cor.europa.eu/en/news/Pages/default.aspx?page=2" in result.links


def test_listing_with_teasers_is_not_an_article():
    items = []
    for i in range(10):
        items.append(
            f"""<article class="teaser"><h2><a href="/news/{i}">Integration partnership news number {i} for local authorities</a></h2>
            <p>Short teaser {i}: cities and regions met to discuss integration.</p></article>"""
        )
    page = f"<html><head><title>Notizie</title></head><body><main>{''.join(items)}</main></body></html>"
    result = extract_page(page, "https://example.org/news/")
    assert not result.is_article
    assert result.reason in {"listing", "too_short"}


def test_small_listing_of_news_cards_is_not_an_article():
    cards = [
        ("2611/rapporto-annuale", "Presentato il XIII Rapporto annuale sugli stranieri nel mercato del lavoro",
         "Nel 2022 gli occupati stranieri in Italia sono stati 2,37 milioni. I principali dati del XIII Rapporto annuale."),
        ("2398/avviso-fami", "Lavoro e integrazione: pubblicato l'avviso FAMI per percorsi di inserimento",
         "Un nuovo avviso del Fondo Asilo, Migrazione e Integrazione 2021-2027 finanzia percorsi integrati di inserimento lavorativo."),
        ("2157/partenariato", SEED002_TITLE,
         "La Commissione europea e il Comitato delle regioni lanciano un Partenariato per sostenere città, regioni e zone rurali."),
    ]
    items = "".join(
        f"""<div class="card-news"><span class="news-date">11/07/2023</span>
        <h3><a href="/it-it/Ricerca-news/Dettaglio-news/id/{path}.html">{htmllib.escape(title)}</a></h3>
        <p>{htmllib.escape(summary)}</p><a class="read-more" href="/it-it/Ricerca-news/Dettaglio-news/id/{path}.html">Leggi di più</a></div>"""
        for path, title, summary in cards
    )
    page = f"""<html lang="it"><head><title>Notizie - Integrazione Migranti</title>
      <meta property="og:type" content="article"></head><body>
      <nav><a href="/it-it/">Home</a> <a href="/it-it/Ricerca-news/">Notizie</a></nav>
      <div id="main-content"><h1>Notizie</h1><div class="news-list">{items}</div></div></body></html>"""
    result = extract_page(page, "https://www.integrazionemigranti.gov.it/it-it/Ricerca-news/")
    assert not result.is_article
    assert result.reason == "listing"
    assert "https://www.integrazionemigranti.gov.it/it-it/Ricerca-news/Dettaglio-news/id/2157/partenariato.html" in result.links


def test_article_with_consent_dialog_heading_is_still_an_article():
    page = f"""<html lang="en"><head><title>{SEED001_TITLE} - CPMR</title></head><body>
      <div id="consent-dialog" role="dialog"><h1>We value your privacy</h1>
        <p>{htmllib.escape(SEED001_COOKIE)}</p><button>Accept</button></div>
      <article><h1>{SEED001_TITLE}</h1>{paragraphs(SEED001_BODY.strip().split(chr(10))[0])}
      {paragraphs(SEED001_BODY.strip().split(chr(10))[2])}</article></body></html>"""
    result = extract_page(page, "https://cpmr.org/news/regin/")
    assert result.is_article, result.reason
    assert "REGIN Project partners have continued to work remotely" in result.text
    assert_absent(result, "cookie settings", "We value your privacy")


def test_article_headlined_like_an_error_or_block_page_is_still_an_article():
    body = "\n".join(SEED004_BODY.strip().split("\n")[:2])
    for headline in ("Access denied – asylum seekers turned away at reception centres", "Not found: the missing integration funds"):
        page = f"""<html lang="en"><head><title>{headline}</title></head><body>
          <article><h1>{headline}</h1>{paragraphs(body)}</article></body></html>"""
        result = extract_page(page, "https://example.org/news/1")
        assert result.is_article, (headline, result.reason)


@pytest.mark.parametrize(
    ("title", "heading", "lang"),
    [
        ("Page not found | European Committee of the Regions", "Page not found", "en"),
        ("404", "Oops! That page can’t be found.", "en"),
        ("Seite nicht gefunden - Bundesregierung", "Fehler 404", "de"),
        ("Pagina non trovata - Integrazione Migranti", "Pagina non trovata", "it"),
        ("Η σελίδα δεν βρέθηκε", "Σφάλμα 404", "el"),
    ],
)
def test_error_page_served_as_200_is_not_an_article(title, heading, lang):
    page = f"""<html lang="{lang}"><head><title>{title}</title></head><body>
      <nav><a href="/">Home</a> <a href="/news">News</a></nav>
      <main><h1>{heading}</h1><p>The page you requested could not be found. It may have been moved or deleted.
      Please use the search or go back to the home page to continue browsing our website.</p>
      <p>You can also browse the latest news about integration of migrants in European cities and regions.</p></main>
      </body></html>"""
    result = extract_page(page, "https://example.org/missing")
    assert not result.is_article
    assert result.reason == "error_page"


@pytest.mark.parametrize(
    "page",
    [
        """<html><head><title>Just a moment...</title></head><body><div id="challenge-running">
           <h1>www.example.org</h1><p>Checking if the site connection is secure</p>
           <noscript>Enable JavaScript and cookies to continue</noscript>
           <script src="/cdn-cgi/challenge-platform/h/g/orchestrate/jsch/v1"></script></div></body></html>""",
        """<html><head><title>Access Denied</title></head><body><h1>Access Denied</h1>
           <p>You don't have permission to access "http://www.example.org/news/" on this server.</p>
           <p>Reference #18.4f2c1002.1625650000.1a2b3c4d</p></body></html>""",
        """<html><head><title>Attention Required! | Cloudflare</title></head><body>
           <h1>Sorry, you have been blocked</h1><p>This website is using a security service to protect itself
           from online attacks. The action you just performed triggered the security solution. There are several
           actions that could trigger this block including submitting a certain word or phrase, a SQL command or
           malformed data.</p><div class="g-recaptcha"></div></body></html>""",
    ],
)
def test_block_and_challenge_pages_are_not_articles(page):
    result = extract_page(page, "https://www.example.org/news/")
    assert not result.is_article
    assert result.reason == "block_page"


def test_cookie_policy_page_is_not_an_article():
    text = "\n".join(
        [
            "This cookie policy explains how the CPMR website uses cookies and similar technologies to recognise "
            "you when you visit our website.",
            "Cookies are small data files that are placed on your computer or mobile device when you visit a "
            "website. Cookies are widely used by website owners in order to make their websites work.",
            "Essential cookies are strictly necessary to provide you with services available through our website "
            "and to use some of its features, such as access to secure areas.",
            "You have the right to decide whether to accept or reject cookies. You can exercise your cookie rights "
            "by setting your preferences in the cookie consent manager.",
        ]
    )
    page = f"""<html lang="en"><head><title>Cookie Policy - CPMR</title></head><body>
      <main><h1>Cookie Policy</h1>{paragraphs(text)}</main></body></html>"""
    result = extract_page(page, "https://cpmr.org/cookie-policy/")
    assert not result.is_article
    assert result.reason == "cookie_page"


def test_consent_wall_is_not_an_article():
    page = f"""<html lang="en"><head><title>CPMR</title></head><body>
      <div class="consent"><p>{htmllib.escape(SEED001_COOKIE)}</p><p>{htmllib.escape(SEED001_COOKIE)}</p>
      <p><button>Accept</button> <button>Reject</button></p></div></body></html>"""
    result = extract_page(page, "https://cpmr.org/")
    assert not result.is_article
    assert result.reason == "cookie_page"


@pytest.mark.parametrize("page", ["", "   \n ", "<html><head><title></title></head><body></body></html>"])
def test_empty_page_is_not_an_article(page):
    result = extract_page(page, "https://example.org/")
    assert not result.is_article
    assert result.reason == "empty"
    assert result.text == ""


def test_non_html_is_not_an_article():
    assert extract_page("%PDF-1.7\n%âãÏÓ\n1 0 obj", "https://example.org/a.pdf").reason == "not_html"
    assert extract_page('{"items": []}', "https://example.org/api").reason == "not_html"
    feed = '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'
    assert extract_page(feed, "https://example.org/feed").reason == "not_html"


def test_min_chars_is_respected():
    page = seed002_page()
    assert extract_page(page, SEED002_URL).is_article
    result = extract_page(page, SEED002_URL, min_chars=100_000)
    assert not result.is_article and result.reason == "too_short"
    assert result.page_lang == "it" and result.links  # still useful to the crawler

