"""Feeds and sitemaps: every common shape is read; hostile XML is contained."""

from __future__ import annotations

import gzip

import pytest

from integration_watch.discover import DiscoveryError, gunzip_limited, is_xml_document, parse_feed_or_sitemap

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
    return [(link.url, link.kind, link.lastmod) for link in parse_feed_or_sitemap(body, BASE)]


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
    links = parse_feed_or_sitemap(bomb, BASE)
    assert all(len(link.url) < 1000 for link in links)


def test_gzip_bomb_is_stopped_at_the_limit() -> None:
    bomb = gzip.compress(b"\0" * 50_000_000)
    assert len(bomb) < 100_000
    with pytest.raises(DiscoveryError, match="expands past"):
        gunzip_limited(bomb, 1_000_000)
