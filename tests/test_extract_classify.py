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
from integration_watch.extract.classify import headline_brief, not_article_reason
from integration_watch.extract.facts import page_facts


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



BRIEF = [
    "(Agency, 15 December) The energy ministry said coal supplies for power plants should be",
    "broadly balanced next year, though some regions may run short in the coldest weeks.",
    "Supply contracts must state quality, price and penalties; volumes stay at this year's level.",
    "They have to be signed within fifteen days. (ab)",
]


def brief_page() -> str:
    """The skeleton of a financial portal's news brief (2011), our own text: the portal's menus (links
    separated by "│"), its channel menu, a breadcrumb, the section's name as a first <h1> and a quick
    navigation of its sections; the brief's headline, its time and a print label; five short lines
    broken with <br>; a link back to the section; a column of columnists' articles and a ranking of the
    most read, all links."""
    sections = ["Stocks", "Funds", "Currencies", "Commodities", "Property", "Banking", "Results",
                "Company news", "New listings", "Data", "Metals", "World economy"]
    menu = "│".join(f'<a class="cBlack" href="https://markets.example/s/{i}">{s}</a>' for i, s in enumerate(sections[:9]))
    login = "".join(f'<li><a href="https://markets.example/p/{i}">{s}</a></li>'
                    for i, s in enumerate(["Log in", "Products", "Register", "What is new", "Support"]))
    channel = "".join(f'<li class="hideSortMenuBg"><a href="https://markets.example/news/{i}">{s}</a></li>'
                      for i, s in enumerate(["News home", "Features", "Live news", "Editor's picks", "World view",
                                             "By section", "Topics", "Must read", "Experts", "Stock tips",
                                             "Columns", "Photo news", "Rumours", "Broker reports"]))
    quick = "".join(f'<label><a href="https://markets.example/c/{i}">{s}</a></label>' for i, s in enumerate(sections))
    columns = "".join(f'<div class="life_box"><span class="life_pic"><a href="https://markets.example/col/{i}/1.htm">'
                      f'<img src="/i/{i}.jpg" alt="Spring rally, part {i}"></a></span><div class="lift_right">'
                      f'<span class="life_name"><a href="https://markets.example/col/{i}">Columnist {i} • Name {i}</a></span>'
                      f'<span class="life_column"><a href="https://markets.example/col/{i}/1.htm">Why the market waits for spring, part {i}</a></span></div></div>'
                      for i in range(6))
    ranking = "".join(f'<li><a href="https://markets.example/top/{i}">Analysts expect the index to test its summer high, view {i}</a></li>'
                      for i in range(12))
    headline = "Ministry: coal for power plants may run short in some regions next year"
    return f"""<html><head><title>{headline} - Market News</title></head><body>
    <div class="dynamicHead"><div class="HeadTopMenu"><div class="header"><div class="htmenuBody"><div class="left">
    <span class="htmenuLogo"><a href="https://markets.example/"><img src="/logo.jpg"></a></span><span class="htmenuList">{menu}</span></div>
    <div class="right"><div class="showMenu"><span class="VersionNews">Live version</span><ul class="slideMenu">{login}</ul></div>
    <div class="htmenuListLink">│<a href="javascript:void(0)" class="cBlack">Add to favourites</a>│<a href="https://hk.markets.example/" class="cBlack">Hong Kong site</a></div></div></div></div></div>
    <div class="dynamicHeadColor"><div class="header"><div class="HeadMidBox"><div class="left"><span class="HeadMidChannel">News</span>
    <div class="HeadMidSearch"><form action="/search" method="post"><input type="text" name="keyword"></form></div></div>
    <div class="right"><p class="HeadMidlink" id="login"><span>loading...</span></p></div></div>
    <div class="channelSortMenu"><ul>{channel}</ul></div></div></div></div>
    <div class="header"><div class="navmenu">You are here: <a class="redtop" href="https://markets.example/">Home</a>&nbsp;&gt;&nbsp;<a class="redtop" href="https://markets.example/news">News</a>&nbsp;&gt;&nbsp;<a class="redtop" href="https://markets.example/c/5">Banking</a>&nbsp;&gt;&nbsp;{headline}</div></div>
    <div id="container"><div class="twosidebarL"><div class="newssubtitle"><span class="newssubtitle_bg02"><h1>Energy</h1></span></div>
    <div class="Allnewsbody"><div class="Quicknav"><span class="Quicknav_title">Quick navigation:</span><span class="Quicknav_word">{quick}</span></div>
    <div class="Allnewshead"><div class="textheading"><h1>{headline}</h1></div>
    <div class="newsfunction"><span class="functiontuData">2011/12/15 11:45</span><span class="functionword" onclick="window.print()">Print this article</span></div></div>
    <div class="Newstextall">{"<br/>".join(BRIEF)}</div>
    <div class="returnnews"><a href="https://markets.example/c/5">Back to Banking</a></div></div></div>
    <div class="twosidebarR"><div class="mostLife">{columns}</div><div class="rank"><span>Top 10</span><ol>{ranking}</ol></div></div></div>
    </body></html>"""


def test_a_news_brief_amid_a_portals_menus_is_an_article():
    # On the real page precision mode found no paragraphs and kept the whole page: every menu, the brief,
    # every box. The brief's few lines could not outweigh the link labels, and the page was stored as a
    # listing: the brief was lost. These are the lines it kept, in order.
    url = "https://markets.example/news/banking/20111215/coal.htm"
    page = brief_page()
    facts = page_facts(page, url)
    headline = facts.h1[1]
    lines = (
        ["Stocks", "│", "Funds", "│", "Currencies", "│", "Commodities", "│", "Property", "Live version", "Log in",
         "Products", "Register", "News", "loading...", "News home", "Features", "Live news", "Editor's picks",
         "World view", "By section", "You are here:", "Home", "News", "Banking", f"> {headline}", "Energy",
         "Quick navigation:", "Stocks", "Funds", "Banking", "Company news", "World economy",
         headline, "2011/12/15 11:45", "Print this article", *BRIEF, "Back to Banking"]
        + [line for i in range(6) for line in (f"Columnist {i} • Name {i}", f"Why the market waits for spring, part {i}")]
        + ["Top 10"] + [f"Analysts expect the index to test its summer high, view {i}" for i in range(12)]
    )
    assert not_article_reason(page, url, lines, 0, facts, 200) == "listing"
    assert headline_brief(lines, facts) == [headline, *BRIEF]


def test_a_section_page_with_a_long_heading_is_no_brief():
    url = "https://cor.europa.eu/en/news/Pages/default.aspx"
    page = listing_page().replace("<h1>News</h1>", "<h1>News from the regions and cities of the European Union</h1>")
    facts = page_facts(page, url)
    lines = ["News from the regions and cities of the European Union"] + [
        f"Regions and cities call for more support for migrant integration, item {i}" for i in range(14)]
    assert headline_brief(lines, facts) is None
    assert extract_page(page, url).reason == "listing"
