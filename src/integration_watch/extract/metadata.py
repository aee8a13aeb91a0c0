"""Metadata from the page-facts parse: title, description, site name, author (the date: dates.py).

trafilatura's own metadata pass (``with_metadata=True``) cost about 5 ms a page, a third of the
text extraction, mostly in its author-byline search (on a deep copy of the lxml tree) and in
category, tag and licence searches whose results this project does not keep. The functions below
follow trafilatura 2.3's metadata.py for the fields we keep (title, description, site name,
author), in the same order of sources, so they come out as before; JSON-LD goes through
trafilatura's own JSON-LD reader.
"""

from __future__ import annotations

import json
import re
from html import unescape as html_unescape
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser
from trafilatura.json_metadata import (
    extract_json,
    extract_json_parse_error,
    normalize_authors,
    normalize_json,
)
from trafilatura.settings import Document

from .facts import PageFacts

__all__ = ["page_metadata", "clean_title", "byline_author", "tidy"]

_OG_FIELDS = {"og:title": "title", "og:description": "description", "og:site_name": "sitename"}
_OG_AUTHOR = {"og:author", "og:article:author"}
_META_AUTHOR = {
    "article:author", "atc-metaauthor", "author", "authors", "byl", "citation_author", "creator",
    "dc.creator", "dc.creator.aut", "dc:creator", "dcterms.creator", "dcterms.creator.aut",
    "dcsext.author", "parsely-author", "rbauthors", "sailthru.author", "shareaholic:article_author_name",
}
_META_DESCRIPTION = {
    "dc.description", "dc:description", "dcterms.abstract", "dcterms.description", "description",
    "sailthru.description", "twitter:description",
}
_META_PUBLISHER = {
    "article:publisher", "citation_journal_title", "copyright", "dc.publisher", "dc:publisher",
    "dcterms.publisher", "publisher", "sailthru.publisher", "rbpubname", "twitter:site",
}
_META_TITLE = {
    "citation_title", "dc.title", "dcterms.title", "fb_title", "headline", "parsely-title",
    "sailthru.title", "shareaholic:title", "rbtitle", "title", "twitter:title",
}
HTML_TAG_RE = re.compile(r"<!--.*?-->|<[^>]*>")
_JSON_MINIFY_RE = re.compile(r'("(?:\\.|[^"\\])*")|\s')
#: characters of a JSON-LD block that does not parse given to trafilatura's crude reading of it: that reading
#: removes each author it finds from the whole text and searches again (time grows with the square of the
#: size); a live blog's block of a megabyte cost 0.8 s. The article's own fields come first in such a block.
CRUDE_JSON_MAX = 50_000


def tidy(value: str | None) -> str | None:
    """Entities decoded, whitespace collapsed, control characters dropped (trafilatura's clean-up)."""
    if not value:
        return None
    value = html_unescape(value)
    if not value.isprintable():
        value = "".join(ch for ch in value if ch.isprintable() or ch.isspace())
    return " ".join(value.split()) or None


def _declared_metadata(facts: PageFacts) -> Document:
    """Title, description, site name and author from <meta> tags and JSON-LD (trafilatura's
    ``examine_meta`` and ``extract_meta_json``)."""
    doc = Document()
    # OpenGraph first; the last tag of a kind wins
    for attrs in facts.meta_tags:
        prop, content = attrs.get("property"), attrs.get("content")
        if not prop or not prop.startswith("og:") or not content or content.isspace():
            continue
        if prop in _OG_FIELDS:
            setattr(doc, _OG_FIELDS[prop], content)
        elif prop in _OG_AUTHOR:
            doc.author = normalize_authors(None, content)
    # then the other names; the first tag of a kind wins, authors accumulate
    backup_sitename = None
    for attrs in facts.meta_tags:
        content = HTML_TAG_RE.sub("", attrs.get("content") or "").strip()
        if not content:
            continue
        if "property" in attrs:
            prop = (attrs.get("property") or "").lower()
            if prop in ("author", "article:author"):
                doc.author = normalize_authors(doc.author, content)
            elif prop == "article:publisher":
                doc.sitename = doc.sitename or content
        elif "name" in attrs:
            name = (attrs.get("name") or "").lower()
            if name in _META_AUTHOR:
                doc.author = normalize_authors(doc.author, content)
            elif name in _META_TITLE:
                doc.title = doc.title or content
            elif name in _META_DESCRIPTION:
                doc.description = doc.description or content
            elif name in _META_PUBLISHER:
                doc.sitename = doc.sitename or content
            elif name in ("twitter:site", "application-name") or "twitter:app:name" in name:
                backup_sitename = content
        elif "itemprop" in attrs:
            prop = (attrs.get("itemprop") or "").lower()
            if prop == "author":
                doc.author = normalize_authors(doc.author, content)
            elif prop == "description":
                doc.description = doc.description or content
            elif prop == "headline":
                doc.title = doc.title or content
    doc.sitename = doc.sitename or backup_sitename
    if doc.author and " " not in doc.author:
        doc.author = None  # a single word is a user name or a site, not an author
    for text in facts.json_ld:
        try:
            schema_text = normalize_json(_JSON_MINIFY_RE.sub(r"\1", text))
            try:
                doc = extract_json(json.loads(schema_text, strict=False), doc)
            except json.JSONDecodeError:
                doc = extract_json_parse_error(schema_text[:CRUDE_JSON_MAX], doc)
        except Exception:  # malformed JSON-LD of any shape: keep what the meta tags gave
            continue
    return doc


_BLOCK_TAGS_SELECTOR = "br, div, p, li, ul, ol, section, article, header, table, tr, td, h2, h3, h4, h5, h6"
_TITLE_CLASS_RE = re.compile(r"(?:post-|entry-|article-|post__)title|headline")
_TITLE_SPLIT_SITE_RE = re.compile(r"^(.+)?\s+[–•·—|⁄*⋆~‹«<›»>:-]\s+(.+)$")


def _block_text(node) -> str:
    """A heading's text: inline markup joined as written, block boundaries (<br>, <div>) spaced."""
    separator = " " if node.css_first(_BLOCK_TAGS_SELECTOR) is not None else ""
    return " ".join(node.text(deep=True, separator=separator).split())


def _title_parts(title_tag: str | None) -> tuple[str | None, str | None]:
    """"Headline - Site" split at its last separator, as trafilatura does."""
    match = _TITLE_SPLIT_SITE_RE.match(title_tag or "")
    return (match[1], match[2]) if match else (None, None)


def _heading_title(facts: PageFacts) -> str | None:
    """The title from the page itself when no metadata declares one (trafilatura's ``extract_title``):
    the only <h1>, a heading marked as the title, the <title> without its site part, the first <h1>,
    the first <h2>."""
    tree = facts.tree
    h1s = tree.css("h1")
    if len(h1s) == 1 and (text := _block_text(h1s[0])):
        return text

    def first_fitting(nodes) -> str | None:
        for node in nodes:
            text = " ".join(node.text(deep=True, separator=" ").split())
            if 2 < len(text) < 200:
                return text
        return None

    def marked(node) -> bool:
        attrs = node.attributes
        return bool(
            _TITLE_CLASS_RE.search(attrs.get("class") or "")
            or "headline" in (attrs.get("id") or "")
            or "headline" in (attrs.get("itemprop") or "")
        )

    candidate = (
        first_fitting(n for n in tree.css("h1, h2") if marked(n))
        or first_fitting(tree.css('[class="entry-title"], [class="post-title"]'))
        or first_fitting(
            n for n in tree.css("h1, h2, h3")
            if "title" in (n.attributes.get("class") or "") or "title" in (n.attributes.get("id") or "")
        )
    )
    if candidate:
        return candidate
    for part in (*_title_parts(facts.title_tag), facts.title_tag):
        if part and "." not in part:
            return part
    for node in h1s:
        if text := _block_text(node):
            return text
    h2 = tree.css_first("h2")
    return (_block_text(h2) or None) if h2 is not None else None


_SITE_FROM_URL_RE = re.compile(r"https?://(?:www\.|w[0-9]+\.)?([^/]+)")


def page_metadata(facts: PageFacts, url: str) -> Document:
    """The page's title, description, site name and author (no date: see ``page_date``)."""
    doc = _declared_metadata(facts)
    doc.title = doc.title or _heading_title(facts)
    if not doc.sitename:
        # "Headline | example.org": a title part that looks like a domain
        doc.sitename = next((part for part in _title_parts(facts.title_tag) if part and "." in part), None)
    if doc.sitename:
        doc.sitename = doc.sitename.lstrip("@")
        if doc.sitename and "." not in doc.sitename and not doc.sitename[0].isupper():
            doc.sitename = doc.sitename.title()
    elif match := _SITE_FROM_URL_RE.match(facts.canonical or url or ""):
        doc.sitename = match[1]
    for field in ("title", "description", "sitename", "author"):
        setattr(doc, field, tidy(getattr(doc, field)))
    return doc


# A byline in the page text, for pages that declare no author: trafilatura's AUTHOR_XPATHS (three
# tiers, most specific first) outside the sections its AUTHOR_DISCARD_XPATHS prunes, as one CSS
# query and a few attribute tests instead of a copy of the whole lxml tree.
_BYLINE_SELECTOR = ", ".join(
    [
        "author", "[rel=author]", "[itemprop*=author]", "[data-testid=AuthorCard]", "[data-testid=AuthorURL]",
        "[data-component*=Byline]", "[class=byl]", "[class=BBL]",
        *(f"[id*={word}]" for word in ("author", "Author", "zuozhe", "bianji", "xiaobian")),
        *(
            f"[class*={word}]"
            for word in (
                "author", "Author", "byline", "Byline", "username", "screenname", "writer", "channel-name",
                "submitted-by", "posted-by", "journalist-name", "zuozhe", "bianji", "xiaobian",
            )
        ),
    ]
)
_BYLINE_TIER1_TAGS = frozenset({"a", "address", "div", "link", "p", "span", "strong"})
_BYLINE_TIER1_CLASS_RE = re.compile(r"author-?name|AuthorName|authorName")
_BYLINE_TIER2_TAGS = frozenset({"a", "div", "h3", "h4", "p", "span"})
_BYLINE_TIER2_ID_RE = re.compile(r"author|zuozhe|bianji|xiaobian")
_BYLINE_TIER2_CLASS_RE = re.compile(r"author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name")
_BYLINE_TIER3_ID_RE = re.compile(r"[Aa]uthor")
_BYLINE_TIER3_CLASS_RE = re.compile(r"[Aa]uthor|screenname|writer|[Bb]yline")
_BYLINE_DISCARD_ID_RE = re.compile(r"^comments|comment-?list|ProductReviews")
_BYLINE_DISCARD_CLASS_RE = re.compile(
    r"^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram|article-(?:share|support)|"
    r"print|category|meta-date|meta-reviewer"
)


def _byline_tier(node) -> int | None:
    """1 for an element marked as the author, 2 for a byline-like class or id, 3 for anything
    mentioning an author or writer; None when it is none of these."""
    attrs = node.attributes
    tag, cls, id_, itemprop = node.tag, attrs.get("class") or "", attrs.get("id") or "", attrs.get("itemprop") or ""
    if tag == "author" or (
        tag in _BYLINE_TIER1_TAGS
        and (
            attrs.get("rel") == "author" or id_ == "author" or cls == "author" or itemprop == "author name"
            or attrs.get("data-testid") in ("AuthorCard", "AuthorURL") or _BYLINE_TIER1_CLASS_RE.search(cls)
        )
    ):
        return 1
    if tag in _BYLINE_TIER2_TAGS and (
        cls in ("byline", "username", "byl", "BBL") or "author" in itemprop
        or _BYLINE_TIER2_ID_RE.search(id_) or _BYLINE_TIER2_CLASS_RE.search(cls)
    ):
        return 2
    if (
        "Byline" in (attrs.get("data-component") or "") or "author" in itemprop
        or _BYLINE_TIER3_ID_RE.search(id_) or _BYLINE_TIER3_CLASS_RE.search(cls)
    ):
        return 3
    return None


def _in_discarded_section(node) -> bool:
    """Whether the node is or sits in a comment list, sidebar, share bar, date, figure ..."""
    while node is not None and node.tag not in ("body", "html"):
        if node.tag in ("time", "figure"):
            return True
        if node.tag in ("a", "div", "section", "span"):
            attrs = node.attributes
            cls, id_ = attrs.get("class") or "", attrs.get("id") or ""
            if (
                id_ == "comments" or cls in ("comments", "title", "date")
                or _BYLINE_DISCARD_ID_RE.search(id_) or _BYLINE_DISCARD_CLASS_RE.search(cls)
                or "Figure" in (attrs.get("data-component") or "")
            ):
                return True
        node = node.parent
    return False


def byline_author(tree: LexborHTMLParser) -> str | None:
    """The author named in a byline element of the page, normalised as trafilatura does."""
    candidates = [
        (tier, node)
        for node in tree.css(_BYLINE_SELECTOR)
        if (tier := _byline_tier(node)) is not None and not _in_discarded_section(node)
    ]
    for wanted in (1, 2, 3):
        for tier, node in candidates:
            if tier != wanted:
                continue
            if node.css_first("time, figure") is not None:  # dates and captions are not names
                node = node.clone()
                for part in node.css("time, figure"):
                    part.decompose()
            text = " ".join(node.text(deep=True, separator=" ").split())
            if 2 < len(text) < 120:
                return normalize_authors(None, text)
    return None


_TITLE_SEP_RE = re.compile(r"\s+[|\-–—·•»:]+\s+|\s*[|•]\s*")


def _squash(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def clean_title(title: str | None, h1s: list[str], sitename: str | None, url: str) -> str | None:
    """The headline without the site-name decoration ("Headline | Section | Site")."""
    if not title:
        return h1s[0] if h1s else None
    title = " ".join(title.split())
    folded = title.casefold()
    for h1 in h1s:
        h = h1.casefold()
        if len(h1) >= 8 and h != folded and (folded.startswith(h) or folded.endswith(h)) and len(h1) >= 0.3 * len(title):
            if not sitename or _squash(h1) != _squash(sitename):
                return h1
    parts = [p for p in _TITLE_SEP_RE.split(title) if p.strip()]
    if len(parts) < 2:
        return title
    try:
        host = (urlsplit(url).hostname or "") if url else ""
    except ValueError:
        host = ""
    labels = host.removeprefix("www.").split(".")
    site_keys = {_squash(sitename or ""), _squash(host.removeprefix("www.")), *(_squash(x) for x in labels[:-1])}
    site_keys = {k for k in site_keys if len(k) >= 3}

    def is_site(part: str) -> bool:
        key = _squash(part)
        if not key:
            return False
        for k in site_keys:
            short, long_ = sorted((key, k), key=len)
            if key == k or (len(short) >= 4 and short in long_ and len(short) >= 0.7 * len(long_)):
                return True
        return False

    while len(parts) >= 2 and is_site(parts[-1]):
        parts.pop()
    while len(parts) >= 2 and is_site(parts[0]):
        parts.pop(0)
    if len(parts) == len(_TITLE_SEP_RE.split(title)):
        return title
    # keep the original separators inside what is left
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    return title[start:end].strip() if start >= 0 and end > start else parts[0]
