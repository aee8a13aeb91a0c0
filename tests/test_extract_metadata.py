"""Metadata and links of a page (extract/metadata.py, extract/facts.py): title, site, author, dates,
canonical URL, links resolved as urljoin would."""

from __future__ import annotations

from extract_pages import (
    SHORT_NEWS,
    paragraphs,
)

from integration_watch.extract import extract_page


def _article_page(head: str, body_top: str = "") -> str:
    return f"""<html lang="en"><head>{head}</head>
    <body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
    <article>{body_top}{paragraphs(ARTICLE_TEXT)}</article></body></html>"""


ARTICLE_TEXT = "\n".join([SHORT_NEWS] * 3)


def test_links_resolve_like_urljoin():
    from urllib.parse import urldefrag, urljoin

    url = "https://cor.europa.eu/en/news/Pages/a.aspx?x=1"
    hrefs = [
        "/en/events/b.aspx?y=2#top", "//cdn.europa.eu/doc.pdf", "/en/./c.aspx", "/en/news/../d.aspx",
        "e.aspx", "../f.aspx", "?page=2", "/g\th.aspx", "https://other.org/p#q", "HTTPS://Other.org/P",
    ]
    page = _article_page("<title>Links</title>", "".join(f'<a href="{h}">link {i}</a> ' for i, h in enumerate(hrefs)))
    links = extract_page(page, url).links
    for href in hrefs:
        assert urldefrag(urljoin(url, href))[0] in links


def test_metadata_read_from_meta_tags_even_after_a_stray_element_in_head():
    # a tracking pixel in <head> ends the head of an HTML5 parse: what follows must still count
    head = """<title>Partnership on integration | News | CoR</title>
    <noscript><img src="/pixel.gif"></noscript>
    <meta property="og:title" content="Partnership on integration launched">
    <meta property="og:site_name" content="European Committee of the Regions">
    <meta name="description" content="The Commission and the CoR start a partnership.">
    <meta name="author" content="Maria Rossi">
    <meta property="article:published_time" content="2021-06-18T10:30:00+02:00">
    <link rel="canonical" href="/en/news/Pages/partnership.aspx">"""
    result = extract_page(_article_page(head), "https://cor.europa.eu/en/news/Pages/partnership.aspx?utm=x")
    assert result.is_article, result.reason
    assert result.title == "Partnership on integration launched"
    assert result.sitename == "European Committee of the Regions"
    assert result.description == "The Commission and the CoR start a partnership."
    assert result.author == "Maria Rossi"
    assert result.published == "2021-06-18T10:30:00+02:00"
    assert result.canonical_url == "https://cor.europa.eu/en/news/Pages/partnership.aspx"


def test_metadata_from_json_ld_and_byline():
    head = """<title>Untitled</title><script type="application/ld+json">
    {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "REGIN toolkit presented",
     "datePublished": "2021-06-22", "publisher": {"@type": "Organization", "name": "CPMR"}}</script>"""
    byline = '<h1>REGIN toolkit presented</h1><p class="byline">By Jane Doe</p>'
    result = extract_page(_article_page(head, byline), "https://cpmr.org/news/regin-toolkit/")
    assert result.is_article, result.reason
    assert result.title == "REGIN toolkit presented"
    assert result.published == "2021-06-22"
    assert result.sitename == "CPMR"
    assert result.author == "Jane Doe"


def test_date_only_in_the_text_is_found():
    body_top = "<h1>Rural integration opinion adopted</h1><p class='date'>Published on 18/06/2021</p>"
    page = _article_page("<title>Rural integration opinion adopted</title>", body_top)
    result = extract_page(page, "https://cor.europa.eu/en/news/Pages/rural.aspx")
    assert result.published == "2021-06-18"



def test_author_of_a_live_blogs_large_json_ld_that_does_not_parse_is_read():
    # A live blog ships every update in its JSON-LD (hundreds of kilobytes), with a stray quote that breaks the
    # JSON: trafilatura's crude reading of the block gives the author from its head. That reading removes each
    # author it finds from the whole text and searches again (0.8 s on such a page of a megabyte): it is given
    # the block's first ``CRUDE_JSON_MAX`` characters only. This guards what it still reads; the time is
    # measured by bench/bench_extraction.py (records identical on the 1,688 evaluation pages).
    update = '{"@type": "BlogPosting", "headline": "Update %d", "articleBody": "The council met again today."}'
    updates = ", ".join(update % i for i in range(4000))
    head = ('<title>Live: council votes on reception centres</title><script type="application/ld+json">'
            '{"@context": "https://schema.org", "@type": "LiveBlogPosting", "headline": "Live: council votes", '
            '"author": {"@type": "Person", "name": "Anna Berg"}, "description": "The "live" coverage", '
            f'"liveBlogUpdate": [{updates}]}}</script>')
    assert len(head) > 200_000
    result = extract_page(_article_page(head), "https://courier.example/live/council")
    assert result.is_article, result.reason
    assert result.author == "Anna Berg"
