"""Path shapes: links grouped by the form of their URL path, so a person (sources check) or a program (sources
suggest) sees `/news/<n>/<slug>.html` instead of three hundred URLs.

A path segment that varies from article to article (a number, a date, a slug) becomes a placeholder; the
segments a site's template fixes (`news`, `Pages`, `it-it`) stay literal, and so does a segment's file
extension and a language suffix like `_en`. A shape turns into the include regex that matches it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

# A segment's tail a template keeps on every page: `_en`, `.html`, `.aspx`, `_en.html`.
_TAIL = re.compile(r"((?:_[a-z]{2})?(?:\.[A-Za-z0-9]{2,5})?)$")
_NUMBER = re.compile(r"^\d+$")
_DATE = re.compile(r"^(?:19|20)\d\d-\d\d-\d\d$")
_WORD_SEPARATORS = re.compile(r"[-_+.,%]+|\s+")
SLUG_MIN_WORDS = 3  # "jane-doe" is an author's name, "new-partnership-on-integration" a slug
SLUG_MIN_CHARS = 24  # one long token is an id or a slug written without separators

_REGEX_SPECIAL = re.compile(r"[.^$*+?{}\[\]\\|()]")  # re.escape also escapes '-' and '/': unreadable in TOML
# A slug's regex asks for a word separator, so that a fixed page beside the articles (/en/about/ next to
# /en/<slug>/) is not taken for one; a long token without separators is an id.
PLACEHOLDER_REGEX = {"<n>": r"\d+", "<date>": r"\d{4}-\d\d-\d\d", "<slug>": r"[^/]*[-_][^/]*", "<id>": r"[^/]+"}


@dataclass(frozen=True)
class ShapeCount:
    shape: str  # e.g. "/news/<n>/<slug>.html"
    count: int
    examples: tuple[str, ...]  # a few of the URLs it stands for


def segment_shape(segment: str) -> str:
    """One path segment: `2157` → `<n>`, `partnership-with-the-regions_en` → `<slug>_en`, `news` → `news`,
    a long token without separators (`a8f3c2d9e1b047c6a3f2e9d1`) → `<id>`."""
    if not segment:
        return segment
    if _NUMBER.match(segment):
        return "<n>"
    if _DATE.match(segment):
        return "<date>"
    tail_match = _TAIL.search(segment)
    tail = tail_match.group(1) if tail_match else ""
    stem = segment[: len(segment) - len(tail)] if tail else segment
    if not stem:
        return segment
    if _NUMBER.match(stem):
        return "<n>" + tail
    words = [w for w in _WORD_SEPARATORS.split(stem) if w]
    if len(words) >= SLUG_MIN_WORDS:
        return "<slug>" + tail
    if len(stem) >= SLUG_MIN_CHARS:
        return "<id>" + tail
    return segment


def path_shape(url: str) -> str:
    """The shape of a URL's path, with the names (not values) of its query parameters: `/news?page=<v>`."""
    parts = urlsplit(url)
    shape = "/".join(segment_shape(s) for s in parts.path.split("/"))
    if parts.query:
        keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
        shape += "?" + "&".join(f"{k}=<v>" for k in keys)
    return shape or "/"


def shape_regex(shape: str) -> str:
    """The include regex for a path shape (path only: a query never makes an article), anchored both ends."""
    path = shape.split("?", 1)[0]
    pieces = re.split(r"(<n>|<date>|<slug>|<id>)", path)
    return "^" + "".join(PLACEHOLDER_REGEX.get(p, _REGEX_SPECIAL.sub(r"\\\g<0>", p)) for p in pieces) + "$"


def commonest_shapes(urls: Iterable[str], *, limit: int = 5, examples: int = 2) -> list[ShapeCount]:
    """The `limit` commonest shapes among urls, most frequent first (ties by shape), with example URLs."""
    counts: Counter[str] = Counter()
    seen: dict[str, list[str]] = {}
    for url in urls:
        shape = path_shape(url)
        counts[shape] += 1
        kept = seen.setdefault(shape, [])
        if len(kept) < examples:
            kept.append(url)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [ShapeCount(shape, n, tuple(seen[shape])) for shape, n in ranked]
