"""Feeds and sitemaps: every common shape is read; hostile XML is contained."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import crawl_one_source
from hostile_server import HostileServer, article_html, respond

from integration_watch.discover import DiscoveryError, gunzip_limited, is_xml_document, parse_feed_or_sitemap
from integration_watch.urls import normalize_url

BASE = "https://news.example.eu/feed"

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>News</title>
<item><title>A</title><link>https://news.example.eu/a?utm_source=rss</link><pubDate>Tue, 22 Jun 2021 10:00:00 +0200</pubDate></item>
<item><title>B</title><guid>https://news.example.eu/b</guid></item>
<item><title>C</title><link>/c</link></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>N</title>
<entry><title>A</title><link rel="alternate" href="https://news.example.eu/a"/><link rel="enclosure" href="https://news.example.eu/a.mp3"/><updated>2021-06-22T10:00:00Z</updated></entry>
<entry><title>B</title><link href="https://news.example.eu/b#x"/></entry>
</feed>"""

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://news.example.eu/a</loc><lastmod>2021-06-22</lastmod></url>
<url><loc> https://news.example.eu/b </loc></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://news.example.eu/sitemap-1.xml.gz</loc><lastmod>2021-07-01</lastmod></sitemap>
</sitemapindex>"""


def urls(body: bytes) -> list[tuple[str, str, str | None]]:
    return [(link.url, link.kind, link.lastmod) for link in parse_feed_or_sitemap(body, BASE).links]


def test_rss_items_with_links_guids_and_relative_urls() -> None:
    assert urls(RSS) == [
        ("https://news.example.eu/a", "page", "Tue, 22 Jun 2021 10:00:00 +0200"),
        ("https://news.example.eu/b", "page", None),
        ("https://news.example.eu/c", "page", None),
    ]


def test_atom_entries_use_the_alternate_link() -> None:
    assert urls(ATOM) == [("https://news.example.eu/a", "page", "2021-06-22T10:00:00Z"), ("https://news.example.eu/b", "page", None)]


def test_sitemaps_indexes_and_gzip() -> None:
    assert urls(URLSET) == [("https://news.example.eu/a", "page", "2021-06-22"), ("https://news.example.eu/b", "page", None)]
    assert urls(INDEX) == [("https://news.example.eu/sitemap-1.xml.gz", "sitemap", "2021-07-01")]
    assert urls(gzip.compress(URLSET)) == urls(URLSET)
    assert is_xml_document(gzip.compress(URLSET), "application/octet-stream")
    assert is_xml_document(RSS, "text/xml") and not is_xml_document(b"<!doctype html><html>", "text/html")


def test_malformed_xml_is_recovered_where_possible_and_refused_otherwise() -> None:
    truncated = URLSET[: URLSET.index(b"<url><loc> https")]
    assert [u for u, _, _ in urls(truncated)] == ["https://news.example.eu/a"]
    for bad in (b"", b"not xml at all", b"<html><body>hello</body></html>"):
        with pytest.raises(DiscoveryError):
            parse_feed_or_sitemap(bad, BASE)


def test_entity_expansion_bomb_is_not_expanded() -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lollollollollollollollollollol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<urlset><url><loc>https://news.example.eu/&lol9;</loc></url></urlset>"""
    feed_bomb = bomb.replace(b"<urlset><url><loc>", b'<rss version="2.0"><channel><item><link>').replace(
        b"</loc></url></urlset>", b"</link></item></channel></rss>")
    for body in (bomb, feed_bomb):
        links = parse_feed_or_sitemap(body, BASE).links
        assert all(len(link.url) < 1000 for link in links)


def test_external_entities_are_not_read() -> None:
    for body in (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss version="2.0">'
                 b'<channel><item><link>https://news.example.eu/a&x;</link></item></channel></rss>',
                 b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><urlset><url><loc>'
                 b'https://news.example.eu/a&x;</loc></url></urlset>'):
        assert all("root" not in link.url for link in parse_feed_or_sitemap(body, BASE).links)


def test_gzip_bomb_is_stopped_at_the_limit() -> None:
    bomb = gzip.compress(b"\0" * 50_000_000)
    assert len(bomb) < 100_000
    with pytest.raises(DiscoveryError, match="expands past"):
        gunzip_limited(bomb, 1_000_000)


# --- what the web sends: each of these failed a whole document or gave a wrong URL before ---------------

def found(body: bytes, content_type: str | None = None) -> tuple[list[tuple[str, str | None]], int]:
    result = parse_feed_or_sitemap(body, BASE, content_type=content_type)
    return [(link.url, link.lastmod) for link in result.links], result.skipped


def test_undeclared_namespace_prefixes_do_not_fail_the_document() -> None:
    rss = (b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>A</title><itunes:author>Desk'
           b'</itunes:author><link>https://news.example.eu/a</link></item></channel></rss>')
    sitemap = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://news.example.eu/a</loc>'
               b'<image:image><image:loc>https://news.example.eu/a.jpg</image:loc></image:image></url></urlset>')
    assert found(rss) == ([("https://news.example.eu/a", None)], 0)
    assert found(sitemap) == ([("https://news.example.eu/a", None)], 0)


def test_one_bad_link_costs_that_entry_only_and_is_counted() -> None:
    rss = (b'<rss version="2.0"><channel><item><link>http://[x/b</link></item><item><link>javascript:go()</link>'
           b'</item><item><link>https://news.example.eu/ok</link></item></channel></rss>')
    sitemap = (b'<urlset><url><loc>http://[x/b</loc></url><url><loc>https://news.example.eu/ok</loc></url></urlset>')
    assert found(rss) == ([("https://news.example.eu/ok", None)], 2)
    assert found(sitemap) == ([("https://news.example.eu/ok", None)], 1)


def test_xml_base_resolves_relative_links() -> None:
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://news.example.eu/news/"><title>N</title>'
            b'<entry><link href="a.html"/></entry><entry xml:base="/other/"><link href="b.html"/></entry></feed>')
    assert [u for u, _ in found(atom)[0]] == ["https://news.example.eu/news/a.html", "https://news.example.eu/other/b.html"]


def test_an_unescaped_ampersand_in_an_ill_formed_feed_keeps_urls_apart() -> None:
    rss = (b'<rss version="2.0"><channel><item><link>https://news.example.eu/n?id=1&lang=en</link></item>'
           b'<item><link>https://news.example.eu/n?id=1&page=en</link></item></channel></rss>')
    assert [u for u, _ in found(rss)[0]] == ["https://news.example.eu/n?id=1&lang=en", "https://news.example.eu/n?id=1&page=en"]


def test_a_truncated_document_loses_the_cut_off_entry_not_the_rest() -> None:
    sitemap = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://news.example.eu/article-1'
               b'</loc></url><url><loc>https://news.example.eu/article-12')
    rss = (b'<rss version="2.0"><channel><item><link>https://news.example.eu/a</link></item>'
           b'<item><link>https://news.example.eu/article-12')
    assert found(sitemap) == ([("https://news.example.eu/article-1", None)], 1)
    assert found(rss) == ([("https://news.example.eu/a", None)], 1)


def test_the_charset_of_the_http_header_is_used_when_the_body_is_not_utf8() -> None:
    rss = '<rss version="2.0"><channel><item><link>https://news.example.eu/caf\u00e9</link></item></channel></rss>'
    sitemap = '<urlset><url><loc>https://news.example.eu/caf\u00e9</loc></url></urlset>'
    for body in (rss, sitemap):
        assert found(body.encode("cp1252"), "application/xml; charset=windows-1252")[0] == [
            ("https://news.example.eu/caf%C3%A9", None)]
        # ...and a wrong 8-bit label on UTF-8 does not garble it
        assert found(body.encode("utf-8"), "text/xml; charset=iso-8859-1")[0] == [("https://news.example.eu/caf%C3%A9", None)]


def test_a_guid_that_is_not_a_permalink_is_not_a_page() -> None:
    rss = (b'<rss version="2.0"><channel><item><guid isPermaLink="false">https://news.example.eu/internal/7</guid>'
           b'</item><item><guid>https://news.example.eu/b</guid></item></channel></rss>')
    assert found(rss) == ([("https://news.example.eu/b", None)], 1)


def test_news_sitemap_and_atom_03_dates_are_read() -> None:
    news = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/'
            b'sitemap-news/0.9"><url><loc>https://news.example.eu/a</loc><news:news><news:publication><news:name>N'
            b'</news:name></news:publication><news:publication_date>2021-06-22T10:00:00+02:00</news:publication_date>'
            b'</news:news></url></urlset>')
    atom03 = (b'<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry><link rel="alternate" type="text/html" '
              b'href="https://news.example.eu/b"/><issued>2021-06-20T08:00:00Z</issued><modified>2021-06-21T09:00:00Z'
              b'</modified></entry><entry><link rel="alternate" href="https://news.example.eu/c"/><issued>'
              b'2021-06-19T08:00:00Z</issued></entry></feed>')
    assert found(news)[0] == [("https://news.example.eu/a", "2021-06-22T10:00:00+02:00")]
    assert found(atom03)[0] == [("https://news.example.eu/b", "2021-06-21T09:00:00Z"),
                                ("https://news.example.eu/c", "2021-06-19T08:00:00Z")]


def test_plain_text_sitemaps_are_read() -> None:
    text = b"https://news.example.eu/a\r\n\r\nhttps://news.example.eu/b?utm_source=x\nnot a url\n"
    assert found(text, "text/plain") == ([("https://news.example.eu/a", None), ("https://news.example.eu/b", None)], 1)
    assert found(gzip.compress(text))[0][0] == ("https://news.example.eu/a", None)


def test_a_crawl_reads_ill_formed_feeds_and_text_sitemaps_and_keeps_their_good_links(tmp_path: Path) -> None:
    """Through the real fetcher and crawl: a windows-1252 feed labelled only in the HTTP header, with an
    undeclared prefix and a broken link, and a plain-text sitemap. Every good link is stored, the bad one is
    counted on the feed's page, and nothing fails."""
    with HostileServer() as server:
        routes: dict[str, object] = {}
        origin = server.site(routes)  # type: ignore[arg-type]
        feed = (f'<rss version="2.0"><channel><item><itunes:author>Desk</itunes:author><link>{origin}/news/caf\u00e9'
                f'</link></item><item><link>http://[x/b</link></item></channel></rss>').encode("cp1252")
        routes["/feed"] = respond(200, feed, "application/rss+xml; charset=windows-1252")
        routes["/sitemap.txt"] = respond(200, f"{origin}/news/plain\n".encode(), "text/plain")
        routes["/news/caf%C3%A9"] = respond(200, article_html(title="Caf\u00e9 integration programme").encode())
        routes["/news/plain"] = respond(200, article_html(title="Plain sitemap integration news").encode())
        report = crawl_one_source(tmp_path, f'name = "s"\nfeeds = ["{origin}/feed"]\n'
                                            f'sitemaps = ["{origin}/sitemap.txt"]\ninclude = ["^/news/"]')
    assert report.exit_code == 0, report.as_dict()
    assert report.sources["s"].new == 2
    conn = sqlite3.connect(tmp_path / "c.db")
    assert conn.execute("SELECT reason FROM pages WHERE url = ?", (f"{origin}/feed",)).fetchone() == (
        "entries skipped (no usable URL): 1",)
    stored = {u for (u,) in conn.execute("SELECT url FROM articles")}
    assert stored == {f"{origin}/news/caf%C3%A9", f"{origin}/news/plain"}


# Property-based: whatever the web does to a feed or sitemap (cut it, splice bytes in), discovery returns
# what it can read or says it cannot read it (DiscoveryError): nothing else is raised, no URL is half-made.
_MARKUP = [b"<", b">", b"</", b"&", b"&amp;", b"]]>", b"<![CDATA[", b'"', b"xml:base=\"/x/\"", b"<itunes:a>",
           b"http://[x", b"\xe9", b"\xff\xfe", b"\x00", b"<link>", b"</item>", b"<loc>", b"</url>"]


@settings(max_examples=500, deadline=None, derandomize=True)  # the same examples every run: CI never flakes
@given(st.sampled_from([RSS, ATOM, URLSET, INDEX, b"https://news.example.eu/a\nhttps://news.example.eu/b\n"]),
       st.integers(0, 2000), st.integers(0, 2000),
       st.lists(st.one_of(st.sampled_from(_MARKUP), st.binary(max_size=8)), max_size=4).map(b"".join),
       st.sampled_from([None, "application/xml", "text/xml; charset=iso-8859-1", "application/rss+xml; charset=bogus"]))
def test_no_damaged_document_raises_anything_but_discovery_error(
    seed: bytes, cut: int, at: int, splice: bytes, content_type: str | None
) -> None:
    body = seed[:at] + splice + seed[at:cut] if at < cut else seed[:cut]
    try:
        result = parse_feed_or_sitemap(body, BASE, content_type=content_type)
    except DiscoveryError:
        return
    for link in result.links:
        assert normalize_url(link.url) == link.url
