"""The publication date of a page (YYYY-MM-DD), cheapest sources first.

1. What the page declares in machine-readable form: a full date in its URL, the first publication-date
   ``<meta>`` tag, JSON-LD ``datePublished`` (as htmldate's first steps read them).
2. Else the page's text, read here: the elements marked as a date (class, id or itemprop naming a date,
   ``<time>``) in page order, the first that holds a date; else the short text runs of the page (a
   dateline, not the prose), the earliest date among them, as htmldate's extensive search takes the
   earliest. Dates are read in the shapes news pages write them: ``2012-01-17``, ``17.01.2012``,
   ``2012年1月17日``, ``17 января 2012``, ``17 de enero de 2012``, ``Jan. 17, 2012``, with the month
   names of every language dateparser knows (the page's own language first).
3. Else htmldate's other cheap sources (abbr and time elements, title, timestamps in the markup,
   image names), as trafilatura's fast mode calls it.

Not htmldate's extensive search, which this replaces: it hands every date-like string to dateparser,
which tries each of its 200 locales in turn, and a dateline with one word it does not know ("Dodano:
31 grudnia 2011, 18:00") fails only after all of them (≈ 15 ms a string); that was a fifth of
``extract_page``'s time on pages that declare no date. Where steps 1 and 2 find nothing it mostly
guessed a year alone ("1998-01-01" from a copyright line). Measured on 790 such pages (BENCHMARKS.md):
more right dates than the extensive search, fewer wrong ones, 43 fewer dates.
"""

from __future__ import annotations

import logging
import re
from html import unescape as html_unescape
from datetime import date, datetime
from functools import lru_cache

from htmldate import find_date
from lxml.html import HtmlElement
from selectolax.lexbor import LexborHTMLParser
from trafilatura.settings import set_date_params

from .facts import META_DATE_KEYS, PageFacts

__all__ = ["page_date", "published_at", "text_date", "read_date"]

logging.getLogger("htmldate").setLevel(logging.ERROR)

# htmldate's order for a publication date: a full date in the URL, then the first publication-date
# <meta> tag, then JSON-LD "datePublished"; only then the page text. ``_META_PUBLISHED_KEYS`` are the
# common publication-date names of htmldate's list (a page that uses a rare one goes to htmldate).
_URL_DATE_RE = re.compile(r"\D((?:199[0-9]|20[0-3][0-9]))[/_-]([0-1]?[0-9])[/_-]([0-3]?[0-9])(?:\D|$)")
_ISO_DATE_RE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})(?![\d])")
_JSON_PUBLISHED_RE = re.compile(r'"datePublished": ?"(\d{4}-\d{2}-\d{2})', re.IGNORECASE)
_META_PUBLISHED_KEYS = META_DATE_KEYS | {
    "article:published", "article.published", "article:published_date", "article_date_original",
    "citation_date", "citation_publication_date", "date_published", "datecreated", "dc.date.created",
    "dc.date.publication", "dc.created", "dc:created", "dc:date", "dcterms.date", "og:article:published_time",
    "publish_date", "published_date", "published_time", "publisheddate", "originalpublicationdate",
}
_EARLIEST_DATE = date(1995, 1, 1)  # htmldate's lower bound


def _valid_date(year: int | str, month: int | str, day: int | str) -> date | None:
    try:
        value = date(int(year), int(month), int(day))
    except ValueError:
        return None
    return value if _EARLIEST_DATE <= value <= date.today() else None


def _declared_date(facts: PageFacts, url: str) -> tuple[date | None, bool]:
    """The publication date the page declares in machine-readable form, as htmldate's first steps
    read it, and whether it declares one. A declared date that is not ISO 8601 ("November 19, 2019")
    is read by ``read_date``; one it cannot read is left to htmldate. Unlike htmldate, a last-modified
    date is never taken for the publication date."""
    page_url = facts.canonical or url
    if page_url and (m := _URL_DATE_RE.search(page_url)) and (found := _valid_date(m[1], m[2], m[3])):
        return found, True
    for attrs in facts.meta_tags:
        key = (attrs.get("name") or attrs.get("property") or "").lower()
        if key in _META_PUBLISHED_KEYS or (attrs.get("itemprop") or "").lower() in ("datepublished", "datecreated"):
            content = attrs.get("content") or ""
            m = _ISO_DATE_RE.match(content)
            return (_valid_date(m[1], m[2], m[3]) if m else read_date(content, facts.lang)), True
    for text in facts.json_ld:
        if (m := _JSON_PUBLISHED_RE.search(text)) and (found := _valid_date(*m[1].split("-"))):
            return found, True
    return None, False


# ------------------------------------------------------------------ dates written in text

_MONTH_KEYS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december",
)


@lru_cache(maxsize=1)
def month_names() -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """Month names (and their abbreviations and case forms) of dateparser's locales: per language, and
    one table for all, where a name takes the month of the most used language that has it ("listopad"
    is November in Polish and Czech, October in Croatian: a Croatian page says so in its lang)."""
    from dateparser.languages.loader import default_loader  # its data: built once per process, ≈ 0.3 s

    by_language: dict[str, dict[str, int]] = {}
    merged: dict[str, int] = {}
    for locale in default_loader.get_locales():  # most used languages first
        names = by_language.setdefault(locale.shortname.split("-")[0], {})
        for month, key in enumerate(_MONTH_KEYS, 1):
            for word in locale.info.get(key, []):
                word = word.casefold().rstrip(".")
                if len(word) >= 3 and word.isalpha():
                    names.setdefault(word, month)
                    merged.setdefault(word, month)
    return by_language, merged


_YEAR = r"(?:199\d|20[0-3]\d)"
_SPACE = r"\s+"
#: "5 января'12", "3 sty 12, 06:15", "17 января 12 (9:07)": a two-digit year after a month name, marked by
#: an apostrophe or followed by a time ("6 Mai 19" alone is more often a day than a year)
_SHORT_YEAR = r"['’]\d\d(?!\d)|\d\d(?=,?\s*\(?\d{1,2}:\d\d)"
_DATE_RE = re.compile(
    rf"(?<!\d)(?P<y1>{_YEAR})[-/.](?P<m1>[01]?\d)[-/.](?P<d1>[0-3]?\d)(?!\d)"
    rf"|(?<!\d)(?P<d2>[0-3]?\d)[./-](?P<m2>[0-3]?\d)[./-](?P<y2>{_YEAR})(?!\d)"
    rf"|(?<!\d)(?P<y3>{_YEAR})\s*[年년]\s*(?P<m3>[01]?\d)\s*[月월]\s*(?P<d3>[0-3]?\d)(?!\d)"
    rf"|(?<!\d)(?P<d4>[0-3]?\d)(?:\.|st|nd|rd|th|er|º)?(?:{_SPACE}de)?{_SPACE}(?P<w4>[^\W\d_]{{3,}})\.?,?"
    rf"(?:{_SPACE}de)?(?:{_SPACE}|(?=['’]))(?P<y4>{_YEAR}(?!\d)|{_SHORT_YEAR})"
    rf"|(?<![^\W\d_])(?P<w5>[^\W\d_]{{3,}})\.?{_SPACE}(?P<d5>[0-3]?\d)(?:st|nd|rd|th)?,?{_SPACE}(?P<y5>{_YEAR})(?!\d)",
    re.IGNORECASE,
)


def _month(word: str, lang: str | None) -> int | None:
    by_language, merged = month_names()
    word = word.casefold()
    own = by_language.get(lang or "", {})
    return own.get(word) or merged.get(word)


def _full_year(year: str) -> int:
    year = year.lstrip("'’")
    if len(year) == 4:
        return int(year)
    return 2000 + int(year) if 2000 + int(year) <= date.today().year else 1900 + int(year)


def read_date(text: str, lang: str | None = None) -> date | None:
    """The first date written in ``text`` in one of the common shapes, or None. Numeric dates are read
    year-month-day or day-month-year (month-day-year only when the day-first reading is impossible)."""
    for m in _DATE_RE.finditer(text):
        if m["y1"]:
            found = _valid_date(m["y1"], m["m1"], m["d1"])
        elif m["y2"]:
            found = _valid_date(m["y2"], m["m2"], m["d2"]) or _valid_date(m["y2"], m["d2"], m["m2"])
        elif m["y3"]:
            found = _valid_date(m["y3"], m["m3"], m["d3"])
        elif m["y4"]:
            month = _month(m["w4"], lang)
            found = _valid_date(_full_year(m["y4"]), month, m["d4"]) if month else None
        else:
            month = _month(m["w5"], lang)
            found = _valid_date(m["y5"], month, m["d5"]) if month else None
        if found:
            return found
    return None


#: elements that hold a dateline: htmldate's cues in class, id or itemprop, and <time>
_DATE_MARKED = ", ".join(
    [
        "time", "abbr.published",
        *(f"[{attr}*={cue}]" for attr in ("class", "id", "itemprop") for cue in ("date", "Date", "datum", "Datum")),
        *(
            f"[class*={cue}]"
            for cue in ("time", "publish", "posted", "submitted", "byline", "subline", "fecha", "parution", "meta", "info")
        ),
    ]
)
_UPDATED_RE = re.compile(r"modif|updat|edit|aktualis", re.IGNORECASE)
#: a date-marked element whose text is longer than this is a container, not a dateline
_DATELINE_MAX = 120
#: text runs between two tags of at most this many characters are datelines rather than prose (htmldate's limit)
_RUN_MAX = 52
_TEXT_RUN_RE = re.compile(r">([^<>]*?\d[^<>]*?)<")
_NOT_TEXT_RE = re.compile(r"<(script|style|noscript|textarea)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)


def _marked_date(node, lang: str | None) -> date | None:
    """The date a date-marked element holds in its datetime, content or title attribute or in its text;
    None for an element marked as the date of an update."""
    attrs = node.attributes
    if _UPDATED_RE.search(" ".join(filter(None, (attrs.get("class"), attrs.get("id"), attrs.get("itemprop"))))):
        return None
    for value in (attrs.get("datetime"), attrs.get("content"), attrs.get("title")):
        if value and (found := read_date(value, lang)):
            return found
    text = node.text(deep=True, separator=" ")
    return read_date(text, lang) if len(text) <= _DATELINE_MAX else None


def text_date(tree: LexborHTMLParser, html: str, lang: str | None) -> date | None:
    """The publication date written in the page: the first date-marked element that holds a date,
    else the earliest date of the page's short text runs."""
    for node in tree.css(_DATE_MARKED):
        if found := _marked_date(node, lang):
            # a box of several marked elements (published, updated): the first of them that tells
            inner = (_marked_date(child, lang) for child in node.css(_DATE_MARKED)[1:])
            return next((date_ for date_ in inner if date_), found)
    earliest = None
    for run in _TEXT_RUN_RE.findall(_NOT_TEXT_RE.sub("", html)):
        run = " ".join(html_unescape(run).split()) if len(run) < 4 * _RUN_MAX else run
        if 6 < len(run) <= _RUN_MAX and (found := read_date(run, lang)):
            earliest = min(earliest or found, found)
    return earliest


def page_date(tree: HtmlElement, html: str, facts: PageFacts, url: str) -> str | None:
    """The publication date (YYYY-MM-DD): declared in the page, else written in its text (``text_date``),
    else found by htmldate's fast search in the page's lxml tree (trafilatura's settings: original
    rather than updated date)."""
    found, declared = _declared_date(facts, url)
    if not declared:
        found = text_date(facts.tree, html, facts.lang)
    if found:
        return found.isoformat()
    try:
        # on an lxml tree, as trafilatura calls it: htmldate searches a string input differently
        return find_date(tree, url=facts.canonical or url or None, **set_date_params(False))
    except Exception:  # htmldate on a page it cannot parse: no date rather than no article
        return None


def published_at(doc_date: str | None, meta_datetimes: list[str]) -> str | None:
    """The page's date; the full ISO datetime when the page declares one for that same day."""
    if not doc_date:
        return None
    for value in meta_datetimes:
        if len(value) > 10 and value[:10] == doc_date and "T" in value[10:12]:
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
            except ValueError:
                continue
    return doc_date
