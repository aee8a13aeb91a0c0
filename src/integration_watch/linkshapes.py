"""Path shapes: links grouped by the form of their URL path, so a person (sources check) or a program (sources
suggest) sees `/news/<n>/<slug>.html` instead of three hundred URLs.

A path segment that varies from article to article (a number, a date, a slug) becomes a placeholder; the
segments a site's template fixes (`news`, `Pages`, `it-it`) stay literal, and so does a segment's file
extension and a language suffix like `_en`. Query parameters keep their order and name; a long number in a
value is `<n>` (`index.php?xsl=<n>&s=<n>&v=2`). A shape turns into the include regex that matches it.
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
PLACEHOLDER_REGEX = {"<n>": r"\d+", "<date>": r"\d{4}-\d\d-\d\d", "<slug>": r"[^/]*[-_][^/]*", "<id>": r"[^/]+",
                     "<v>": r"[^&]+"}


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


def query_value_shape(value: str) -> str:
    """A query value: a small number or a short code stays (`v=2` picks a view, `t=1` a template), a longer
    number is `<n>` (an item's id), a longer text `<v>`."""
    if _NUMBER.match(value):
        return value if len(value) <= 2 else "<n>"
    return value if len(value) <= 3 else "<v>"


def path_shape(url: str) -> str:
    """The shape of a URL's path and query, its parameters in their order: `/index.php?id=<n>&v=2`."""
    parts = urlsplit(url)
    shape = "/".join(segment_shape(s) for s in parts.path.split("/")) or "/"
    if parts.query:
        pairs = dict(parse_qsl(parts.query, keep_blank_values=True))  # a repeated key: its last value
        shape += "?" + "&".join(f"{k}={query_value_shape(v)}" for k, v in pairs.items())
    return shape


def shape_regex(shape: str) -> str:
    """The include regex for a shape, anchored at the start; at the end too, or after the last parameter of a
    shape with a query (a site may add more parameters after it)."""
    path, _, query = shape.partition("?")
    regex = "^" + _pieces_regex(path)
    if not query:
        return regex + "$"
    return regex + "\\?" + _pieces_regex(query) + "(?:&|$)"


def _pieces_regex(text: str) -> str:
    pieces = re.split(r"(<n>|<date>|<slug>|<id>|<v>)", text)
    return "".join(PLACEHOLDER_REGEX.get(p, _REGEX_SPECIAL.sub(r"\\\g<0>", p)) for p in pieces)


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
