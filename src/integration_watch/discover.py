"""Discovery: turn feeds (RSS, Atom), XML sitemaps (indexes, .xml.gz) and listing-page links into URLs to fetch.

Parsing is defensive: no DTDs, no entity expansion, no network, bounded decompression, and malformed XML is
recovered where lxml can, so one broken feed never stops a crawl.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from lxml import etree

from .urls import normalize_url

MAX_ENTRIES = 50_000  # the sitemap protocol's own per-file limit


class DiscoveryError(ValueError):
    """A feed or sitemap that cannot be read at all."""


@dataclass(frozen=True)
class Link:
    url: str  # normalised absolute URL
    kind: str  # "page" (an article or listing candidate) or "sitemap" (a child of a sitemap index)
    lastmod: str | None = None  # as the feed or sitemap states it


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True, remove_comments=True
    )


def gunzip_limited(body: bytes, max_bytes: int) -> bytes:
    """Decompress gzip data, refusing output over max_bytes (a tiny .gz can expand to gigabytes)."""
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = decompressor.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise DiscoveryError(f"broken gzip data: {exc}") from None
    if len(out) > max_bytes or decompressor.unconsumed_tail:
        raise DiscoveryError(f"gzip data expands past the {max_bytes}-byte limit")
    return out


def _root(body: bytes, max_bytes: int) -> etree._Element:
    if body[:2] == b"\x1f\x8b":
        body = gunzip_limited(body, max_bytes)
    if not body.strip():
        raise DiscoveryError("empty document")
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError(f"not XML: {exc}") from None
    if root is None:
        raise DiscoveryError("not XML: nothing could be parsed")
    return root


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _child_text(element: etree._Element, *names: str) -> str | None:
    for child in element:
        if _local(child.tag) in names and child.text and child.text.strip():
            return child.text.strip()
    return None


def is_xml_document(body: bytes, content_type: str | None) -> bool:
    """Whether a response looks like a feed or sitemap rather than an HTML page."""
    ctype = (content_type or "").lower()
    if "xml" in ctype and "xhtml" not in ctype or "gzip" in ctype or body[:2] == b"\x1f\x8b":
        return True
    head = body[:512].lstrip().lower()
    return head.startswith(b"<?xml") and b"<html" not in body[:2048].lower()


def parse_feed_or_sitemap(body: bytes, base_url: str, *, max_bytes: int = 10_000_000) -> list[Link]:
    """Links from an RSS 2.0 / RSS 1.0 / Atom feed, a sitemap urlset or a sitemap index."""
    root = _root(body, max_bytes)
    kind = _local(root.tag)
    if kind == "urlset":
        return _sitemap_links(root, base_url, "page")
    if kind == "sitemapindex":
        return _sitemap_links(root, base_url, "sitemap")
    if kind in ("rss", "rdf", "feed"):
        return _feed_links(root, base_url)
    raise DiscoveryError(f"neither a feed nor a sitemap (root element <{kind or '?'}>)")


def _sitemap_links(root: etree._Element, base_url: str, kind: str) -> list[Link]:
    links: list[Link] = []
    for entry in root:
        if _local(entry.tag) not in ("url", "sitemap"):
            continue
        loc = _child_text(entry, "loc")
        url = normalize_url(loc, base=base_url) if loc else None
        if url:
            links.append(Link(url, kind, _child_text(entry, "lastmod")))
        if len(links) >= MAX_ENTRIES:
            break
    return links


def _feed_links(root: etree._Element, base_url: str) -> list[Link]:
    links: list[Link] = []
    for item in root.iter():
        name = _local(item.tag)
        if name not in ("item", "entry"):
            continue
        href = None
        for child in item:
            if _local(child.tag) != "link":
                continue
            if child.get("href") and child.get("rel", "alternate") == "alternate":
                href = child.get("href")  # Atom
                break
            if child.text and child.text.strip():
                href = child.text.strip()  # RSS
                break
        href = href or item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
        if not href and name == "item":
            guid = _child_text(item, "guid")
            href = guid if guid and guid.startswith("http") else None
        url = normalize_url(href, base=base_url) if href else None
        if url:
            date = _child_text(item, "updated", "pubdate", "published", "date")
            links.append(Link(url, "page", date))
        if len(links) >= MAX_ENTRIES:
            break
    return links
