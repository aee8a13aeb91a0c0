"""Page facts from one fast selectolax (lexbor) parse: links, ``<html lang>``, canonical URL,
``<title>``/``<h1>``, anchor texts, ``<meta>`` tags and JSON-LD, used by classification and metadata."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from ..language_codes import primary_subtag
from .cleanup import norm

__all__ = ["PageFacts", "page_facts", "abs_url", "url_origin", "META_DATE_KEYS"]

def url_origin(base: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) base URL, or None."""
    try:
        parts = urlsplit(base)
    except ValueError:
        return None
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


#: what makes urljoin do more than concatenate: dot segments, backslashes, IPv6 brackets, and the
#: tab/newline characters urlsplit deletes
_JOIN_SPECIAL_RE = re.compile(r"/\.|[\\\[\t\r\n]")


def abs_url(href: str | None, base: str, origin: str | None = None) -> str | None:
    """``href`` resolved against ``base``, without fragment; None unless it is http(s).

    Most links on a news page are absolute or root-relative ("/news/x"): with ``origin`` (that is
    ``url_origin(base)``, computed once per page) those are resolved by concatenation, which gives
    what urljoin gives at a fraction of its cost. Everything else goes through urljoin."""
    if not href:
        return None
    href = href.strip()
    if not href or href[0] == "#" or href.startswith(("javascript:", "mailto:", "tel:", "data:")):
        return None
    try:
        if _JOIN_SPECIAL_RE.search(href):
            absolute = urljoin(base, href) if base else href
        elif href.startswith(("https://", "http://")):
            absolute = href  # already absolute: urljoin would return it unchanged
        elif origin and href[0] == "/":
            # "//host/path" takes the base's scheme, "/path" its scheme and host
            absolute = origin.split("//", 1)[0] + href if href[1:2] == "/" else origin + href
        else:
            absolute = urljoin(base, href) if base else href
        if "#" in absolute:
            absolute = urldefrag(absolute)[0]
    except ValueError:  # e.g. a malformed IPv6 host
        return None
    if not absolute[:8].lower().startswith(("http://", "https://")):
        return None
    return absolute


@dataclass
class PageFacts:
    lang: str | None
    canonical: str | None
    links: tuple[str, ...]
    #: normalised labels of the page's links, short ones too (classify.py looks only at those of 12+ characters)
    anchor_texts: set[str]
    title_tag: str | None
    h1: list[str]
    og_type: str | None
    meta_datetimes: list[str]
    #: attributes of the page's <meta content> tags, in document order (for the metadata)
    meta_tags: list[dict[str, str | None]]
    #: texts of the JSON-LD scripts
    json_ld: list[str]
    tree: LexborHTMLParser


META_DATE_KEYS = {
    "article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate",
    "publish-date", "publication_date", "date", "dc.date", "dc.date.issued", "dcterms.issued",
    "dcterms.created", "sailthru.date", "parsely-pub-date", "cxenseparse:recs:publishtime",
}

_JSON_LD_SELECTOR = 'script[type="application/ld+json"], script[type="application/settings+json"]'


def page_facts(html: str, url: str) -> PageFacts:
    tree = LexborHTMLParser(html)
    root = tree.root
    lang = None
    if root is not None:
        attrs = root.attributes
        lang = primary_subtag(attrs.get("lang") or attrs.get("xml:lang"))

    base = url or ""
    base_node = tree.css_first("base[href]")
    if base_node is not None:
        declared = (base_node.attributes.get("href") or "").strip()
        if declared:
            try:
                base = urljoin(base, declared) if base else declared
            except ValueError:
                pass
    origin = url_origin(base)

    canonical = None
    og_url = None
    og_type = None
    meta_datetimes: list[str] = []
    meta_tags: list[dict[str, str | None]] = []
    # Head elements after a stray body element (a <div>, a <noscript> with an image, text) end up in
    # the <body> of an HTML5 parse, where lxml, which trafilatura used to read them, keeps them in the
    # <head>. So <link> and <meta name|property> are read wherever they are; only microdata
    # (<meta itemprop>) is body content when it is in the body.
    for node in tree.css("link[rel][href]"):
        rels = (node.attributes.get("rel") or "").lower().split()
        if "canonical" in rels:
            canonical = abs_url(node.attributes.get("href"), base, origin)
            if canonical:
                break
    head = tree.head
    in_head = {node.mem_id for node in head.css("meta[itemprop]")} if head is not None else set()
    for node in tree.css("meta[content]"):
        attrs = node.attributes
        if "name" not in attrs and "property" not in attrs and node.mem_id not in in_head:
            continue
        meta_tags.append(attrs)
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").lower()
        if not key:
            continue
        if key == "og:url" and og_url is None:
            og_url = abs_url(attrs.get("content"), base, origin)
        elif key == "og:type" and og_type is None:
            og_type = (attrs.get("content") or "").strip().lower() or None
        elif key in META_DATE_KEYS:
            meta_datetimes.append((attrs.get("content") or "").strip())
    for node in tree.css("[itemprop=datePublished]"):
        value = node.attributes.get("datetime") or node.attributes.get("content")
        if value:
            meta_datetimes.append(value.strip())

    links: list[str] = []
    seen: set[str] = set()
    anchor_texts: set[str] = set()
    for node in tree.css("a[href]"):
        absolute = abs_url(node.attributes.get("href"), base, origin)
        if absolute and absolute not in seen:
            seen.add(absolute)
            links.append(absolute)
        if label := node.text(deep=True, separator=" ", strip=True):
            anchor_texts.add(norm(label))

    title_node = tree.css_first("title")
    title_tag = " ".join(title_node.text().split()) if title_node is not None else None
    h1 = [" ".join(node.text(deep=True, separator=" ").split()) for node in tree.css("h1")[:3]]
    return PageFacts(
        lang=lang,
        canonical=canonical or og_url,
        links=tuple(links),
        anchor_texts=anchor_texts,
        title_tag=title_tag or None,
        h1=[h for h in h1 if h],
        og_type=og_type,
        meta_datetimes=meta_datetimes,
        meta_tags=meta_tags,
        json_ld=[text for node in tree.css(_JSON_LD_SELECTOR) if (text := node.text())],
        tree=tree,
    )
