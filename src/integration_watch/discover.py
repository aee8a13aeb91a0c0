"""Discovery: turn feeds (RSS, Atom), sitemaps (XML, plain text, indexes, .gz) and listing-page links into URLs.

Feeds are read by feedparser, which knows every feed format and its quirks (xml:base, Atom 0.3 dates,
`guid isPermaLink`, ill-formed feeds); sitemaps by lxml. Parsing is defensive: no DTDs, no entity
expansion, no network, bounded decompression; the charset comes from a BOM, valid UTF-8, the HTTP header
or the XML declaration, in that order. A document that is not well-formed is repaired where it can be
(bare `&` escaped, undeclared prefixes tolerated) and an entry cut off by truncation is dropped, not
guessed at. One bad entry costs that entry only: it is skipped and counted.
"""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass

import feedparser
from lxml import etree

from .content import decode_body
from .urls import normalize_url

MAX_ENTRIES = 50_000  # the sitemap protocol's own per-file limit

# An & that does not start an entity or character reference: ill-formed, and meant literally ("?a=1&b=2").
_BARE_AMPERSAND = re.compile(rb"&(?!(?:[A-Za-z_][\w.-]*|#[0-9]+|#x[0-9A-Fa-f]+);)")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


class DiscoveryError(ValueError):
    """A feed or sitemap that cannot be read at all."""


@dataclass(frozen=True)
class Link:
    url: str  # normalised absolute URL
    kind: str  # "page" (an article or listing candidate) or "sitemap" (a child of a sitemap index)
    lastmod: str | None = None  # as the feed or sitemap states it


@dataclass(frozen=True)
class Discovery:
    """What one feed or sitemap yields."""

    kind: str  # "feed", "urlset", "sitemapindex" or "text" (a plain-text sitemap)
    links: list[Link]
    skipped: int = 0  # entries with no usable URL: a broken or non-HTTP link, a cut-off entry, a guid that is no link


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


def is_xml_document(body: bytes, content_type: str | None) -> bool:
    """Whether a response looks like a feed or sitemap rather than an HTML page."""
    ctype = (content_type or "").lower()
    if "xml" in ctype and "xhtml" not in ctype or "gzip" in ctype or body[:2] == b"\x1f\x8b":
        return True
    head = body[:512].lstrip().lower()
    return head.startswith(b"<?xml") and b"<html" not in body[:2048].lower()


def parse_feed_or_sitemap(
    body: bytes, base_url: str, *, max_bytes: int = 10_000_000, content_type: str | None = None
) -> Discovery:
    """Links from an RSS / Atom feed, a sitemap urlset or index, or a plain-text sitemap (a URL a line)."""
    if body[:2] == b"\x1f\x8b":
        body = gunzip_limited(body, max_bytes)
    if not body.strip():
        raise DiscoveryError("empty document")
    text = decode_body(body, content_type)
    if not text.lstrip().startswith("<"):
        return _text_sitemap(text)
    body = _XML_DECLARATION.sub("", text, count=1).encode("utf-8")  # now UTF-8 whatever it was declared as
    root, well_formed, body = _root(body)
    kind = _local(root.tag)
    if kind in ("urlset", "sitemapindex"):
        return _sitemap(root, base_url, kind, None if well_formed else body)
    if kind in ("rss", "rdf", "feed", "channel"):  # <channel>: Microsoft's old CDF, which feedparser reads too
        return _feed(body, base_url, well_formed, root)
    raise DiscoveryError(f"neither a feed nor a sitemap (root element <{kind or '?'}>)")


def _root(body: bytes) -> tuple[etree._Element, bool, bytes]:
    """The root element, whether the document was well-formed, and the (repaired) document."""
    try:
        return etree.fromstring(body, _parser(recover=False)), True, body
    except etree.XMLSyntaxError:
        pass
    body = _BARE_AMPERSAND.sub(b"&amp;", body)
    try:
        return etree.fromstring(body, _parser(recover=False)), True, body
    except etree.XMLSyntaxError:
        pass
    try:
        root = etree.fromstring(body, _parser(recover=True))
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError(f"not XML: {exc}") from None
    if root is None:
        raise DiscoveryError("not XML: nothing could be parsed")
    return root, False, body


def _parser(*, recover: bool) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=recover, remove_comments=True
    )


def _local(tag: object) -> str:
    """An element's name without namespace or prefix (a recovered document keeps undeclared "itunes:author")."""
    if not isinstance(tag, str):
        return ""  # comments, processing instructions
    return tag.rpartition("}")[2].rpartition(":")[2].lower()


def _closed(body: bytes | None, names: str) -> int | None:
    """How many entries were closed in a document that is not well-formed (None: it is): entries after that
    were cut off by truncation, and what the recovering parser made of them is a guess."""
    if body is None:
        return None
    return len(re.findall(rb"</(?:[\w.-]+:)?(?:" + names.encode() + rb")\s*>", body, re.IGNORECASE))


def _sitemap(root: etree._Element, base_url: str, kind: str, broken: bytes | None) -> Discovery:
    entry_name = "url" if kind == "urlset" else "sitemap"
    closed = _closed(broken, entry_name)
    link_kind = "page" if kind == "urlset" else "sitemap"
    links: list[Link] = []
    skipped = seen = 0
    for entry in root:
        if _local(entry.tag) != entry_name:
            continue
        seen += 1
        loc = _child_text(entry, "loc")
        url = normalize_url(loc, base=base_url) if loc else None
        if url is None or (closed is not None and seen > closed):
            skipped += 1
            continue
        # A Google News sitemap dates an entry inside <news:news>, not in <lastmod>.
        links.append(Link(url, link_kind, _child_text(entry, "lastmod") or _descendant_text(entry, "publication_date")))
        if len(links) >= MAX_ENTRIES:
            break
    return Discovery(kind, links, skipped)


def _feed(body: bytes, base_url: str, well_formed: bool, root: etree._Element) -> Discovery:
    try:
        entries = _feedparser_entries(body, base_url)
    except Exception:  # feedparser's loose parser fails on some damaged feeds: give it lxml's repair
        try:
            entries = _feedparser_entries(etree.tostring(root), base_url)
        except Exception as exc:
            raise DiscoveryError(f"feed could not be read ({type(exc).__name__})") from None
    closed = _closed(None if well_formed else body, "item|entry")
    cut_off = max(0, len(entries) - closed) if closed is not None else 0
    links: list[Link] = []
    skipped = cut_off
    for entry in entries[: len(entries) - cut_off]:
        href = entry.get("link")
        url = normalize_url(href, base=base_url) if href else None
        if url is None:
            skipped += 1
            continue
        # dict.get: FeedParserDict.get("updated") would fall back to "published" with a warning
        links.append(Link(url, "page", dict.get(entry, "updated") or dict.get(entry, "published")))
        if len(links) >= MAX_ENTRIES:
            break
    return Discovery("feed", links, skipped)


def _feedparser_entries(body: bytes, base_url: str) -> list[feedparser.FeedParserDict]:
    parsed = feedparser.parse(
        io.BytesIO(body),  # a str would be taken for a URL or a file name
        response_headers={"content-type": "application/xml; charset=utf-8", "content-location": base_url},
        resolve_relative_uris=False, sanitize_html=False,  # we use the links only, not the HTML content
    )
    return list(parsed.entries)


def _text_sitemap(text: str) -> Discovery:
    """sitemaps.org's plain-text form: one absolute URL a line. Anything else is not a sitemap at all."""
    links: list[Link] = []
    skipped = 0
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        url = normalize_url(line) if line.lower().startswith(("http://", "https://")) else None
        if url is None:
            skipped += 1
            continue
        links.append(Link(url, "page"))
        if len(links) >= MAX_ENTRIES:
            break
    if not links:
        raise DiscoveryError("neither a feed nor a sitemap (no markup, and no line is a URL)")
    return Discovery("text", links, skipped)


def _child_text(element: etree._Element, *names: str) -> str | None:
    for child in element:
        if _local(child.tag) in names and child.text and child.text.strip():
            return child.text.strip()
    return None


def _descendant_text(element: etree._Element, name: str) -> str | None:
    for child in element.iter():
        if _local(child.tag) == name and child.text and child.text.strip():
            return child.text.strip()
    return None
