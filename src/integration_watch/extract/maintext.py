"""The main text of a page: trafilatura's extraction, with the furniture it lets through removed."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from lxml.etree import _Element
from lxml.html import HtmlElement
from selectolax.lexbor import LexborHTMLParser, LexborNode as Node
from trafilatura import bare_extraction
from trafilatura.core import ESCALATION_MAX_LENGTH, ESCALATION_PAGE_SHARE
from trafilatura.settings import Document

from .articles import without_other_articles
from .cascade import Cascade
from .cleanup import clean_lines, comments_start, squash, strip_marker, text_size
from .facts import PageFacts
from .headings import unlink_section_headings
from .loose import SENTENCE_END, unwrap_lone_paragraphs, wrap_prose_after_blocks
from .recover import BREAKS, INLINE, continued_paragraphs, key, leading_line, script_body, squeezed, standfirst, visible
from .tables import in_table_cell, unwrap_layout_tables
from .tail import without_trailing_boxes

__all__ = ["main_text", "TRAFILATURA_OPTIONS"]

# trafilatura logs a warning for every page it discards; the caller records the reason instead.
logging.getLogger("trafilatura").setLevel(logging.ERROR)

# trafilatura options. Measured on the Zyte benchmark (bench/bench_extraction.py): dropping comments
# and keeping the fallback comparison is the best precision/recall balance (the comparison is only
# run when a fast pass is not clearly good: see ``main_text``); its own cross-document
# ``deduplicate`` cache is off on purpose (it would drop text seen on an earlier page of the crawl and
# makes re-extraction non-deterministic): repeated paragraphs are removed per page (cleanup.py).
# Metadata are not asked of trafilatura: they come from the selectolax parse (metadata.py).
TRAFILATURA_OPTIONS: dict = {
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "include_links": False,
    "include_formatting": False,
    "deduplicate": False,
    "with_metadata": False,
    "fast": False,
    "favor_precision": True,
}

#: precision-mode extractions shorter than this many times ``min_chars`` are retried in balanced mode
RETRY_BELOW = 2.5

#: a paragraph at least this long counts as prose in ``main_prose``
PROSE_PARAGRAPH = 80
#: a line of at least this many characters (without whitespace) that is part of a paragraph of prose is the article's
PROSE_PART = 20

#: the balanced pass is tried when the page's main block of prose has at least this many characters
#: and the precision text covers less than ``LOST_COVERAGE`` of it; its text is kept when it covers
#: ``LOST_GAIN`` more
LOST_PROSE_MIN = 400
LOST_COVERAGE = 0.5
LOST_GAIN = 0.3

#: a script's ``articleBody`` replaces the text when it is this many times longer
JSON_BODY_GAIN = 1.5

#: a fast-mode extraction at least this long (and clean, and made of paragraphs) is kept as it is...
CLEAR_TEXT = 1000
#: ...unless the page's list items of prose that it lacks hold more than this share of its length
#: (``_missing_list_prose``)
LIST_PROSE = 0.5


def _trafilatura(tree: HtmlElement, url: str, **overrides: bool) -> Document | None:
    """trafilatura's extraction with ``TRAFILATURA_OPTIONS`` (and ``overrides``), or None."""
    doc = bare_extraction(tree, url=url or None, **{**TRAFILATURA_OPTIONS, **overrides})
    return doc if isinstance(doc, Document) else None


# what makes trafilatura's fallback comparison consult justext on an extraction (external.py)
_UNCLEAN_XPATH = (
    ".//aside|.//audio|.//button|.//fencedframe|.//fieldset|.//figure|.//footer|.//iframe|.//input|.//label|"
    ".//link|.//nav|.//noindex|.//noscript|.//object|.//option|.//select|.//source|.//svg|.//time"
)


def _clearly_extracted(body: _Element, text: str) -> bool:
    """Whether trafilatura's fallback comparison (readability, then justext) could only confirm this
    extraction: it is long, made of paragraphs rather than tables, and has none of the elements that
    make trafilatura call justext. Readability would then replace it only if it found more than twice
    as much text."""
    if len(text) < CLEAR_TEXT:
        return False
    paragraphs = body.findall(".//p")
    return bool(paragraphs) and len(body.findall(".//table")) <= len(paragraphs) and not body.xpath(_UNCLEAN_XPATH)


def _missing_list_prose(facts: PageFacts, text: str) -> int:
    """Characters of the page's list items of prose that ``text`` lacks: items without lists or paragraphs
    inside, of at least ``PROSE_PARAGRAPH`` characters, ending as a sentence ends. An article that goes on in such
    lists (a guide written as bulleted paragraphs, or lists a malformed page opens inside a ``<p>``) came out of
    precision mode cut at the first list: trafilatura's fallback comparison then finds the whole (a wine guide
    1,971 of 13,832 characters; a certification guide 9,063 of 18,375)."""
    flat = None
    total = 0
    for item in facts.tree.css("li"):
        if len(raw := item.text(deep=True, separator="")) < PROSE_PARAGRAPH:  # a menu's item: no query made
            continue
        if item.css_first("ul, ol, p") is None:
            line = squash(raw)
            if len(line) >= PROSE_PARAGRAPH and SENTENCE_END.search(line):
                if flat is None:
                    flat = squeezed(text)
                if key(line) not in flat:
                    total += len(line)
    return total


#: elements that may hold prose as bare text lines separated by ``<br>`` (no ``<p>``), as older
#: and hand-written pages do
_LOOSE_CONTAINERS = "div, td, section, article, main, blockquote, center, dd, span, font, body"


def _loose_lines(node: Node) -> list[str]:
    """The lines of bare text directly inside ``node`` (text joined with its inline elements, cut at
    ``<br>`` and at block children) that are at least ``PROSE_PARAGRAPH`` long and at least half bare
    text (not the labels of links or of other inline elements)."""
    if 2 * len(node.text(deep=False, strip=True)) < PROSE_PARAGRAPH:  # cannot hold such a line
        return []
    lines: list[str] = []
    parts: list[str] = []
    own = 0

    def flush() -> None:
        nonlocal own
        line = squash("".join(parts))
        if len(line) >= PROSE_PARAGRAPH and 2 * own >= len(line):
            lines.append(line)
        parts.clear()
        own = 0

    for child in node.iter(include_text=True):
        if child.tag == "-text":
            text = child.text(deep=False)
            parts.append(text)
            own += len(text.strip())
        elif child.tag in INLINE and child.css_first(BREAKS) is None:
            parts.append(child.text(deep=True, separator=""))
        else:
            flush()
    flush()
    return lines


def main_prose(tree: LexborHTMLParser) -> tuple[Node | None, list[str]]:
    """The page's main block of prose: the element and its paragraphs, whichever of these holds most
    text: the ``<p>`` elements of at least ``PROSE_PARAGRAPH`` characters (``text_size``: CJK counts
    double) under one parent element; those inside one outermost ``<article>`` element (a page may
    wrap each paragraph of its article in a box of its own); the lines of bare text of one element
    (``_loose_lines``), or of a run of ``<div>`` paragraphs under one parent (``_runs_of_text_blocks``).
    (None, []) when there is none. A cheap yardstick (CSS queries on the parse
    made for the page facts) of where the article is."""
    by_parent: dict[int, list[str]] = {}
    sizes: dict[int, int] = {}
    elements: dict[int, Node] = {}
    articles: dict[int, Node | None] = {}  # parent -> its outermost <article> ancestor
    has_articles = tree.css_first("article") is not None

    def add(element: Node, text: str, size: int) -> None:
        by_parent.setdefault(element.mem_id, []).append(text)
        sizes[element.mem_id] = sizes.get(element.mem_id, 0) + size
        elements[element.mem_id] = element

    for node in tree.css("p"):
        text = squash(node.text(deep=True, separator=""))
        if (size := text_size(text)) < PROSE_PARAGRAPH or (parent := node.parent) is None:
            continue
        add(parent, text, size)
        if not has_articles:
            continue
        if parent.mem_id not in articles:
            articles[parent.mem_id] = _outermost_article(parent)
        if (article := articles[parent.mem_id]) is not None and article.mem_id != parent.mem_id:
            add(article, text, size)
    text_blocks: dict[int, tuple[Node, list[str]]] = {}  # element written as a paragraph -> it, its lines
    for node in tree.css(_LOOSE_CONTAINERS):
        if lines := _loose_lines(node):
            for line in lines:
                add(node, line, text_size(line))
            if node.tag in _TEXT_BLOCKS and _ends_a_paragraph(lines[-1]) and _without_blocks(node):
                text_blocks[node.mem_id] = node, lines
    for parent, lines in _runs_of_text_blocks(text_blocks):
        for line in lines:
            add(parent, line, text_size(line))
    if not by_parent:
        return None, []
    best = max(sizes, key=sizes.__getitem__)
    return elements[best], by_parent[best]


#: elements that a page may use as paragraphs, one after another, holding only text and inline elements
_TEXT_BLOCKS = frozenset({"div", "section", "font", "span"})
_IN_LINE = frozenset({"-text", "-comment", "br", "img", "wbr"})


def _without_blocks(node: Node) -> bool:
    """Whether ``node`` holds only text and inline elements: a paragraph written as a ``<div>``."""
    child = node.child
    while child is not None:
        if child.tag not in INLINE and child.tag not in _IN_LINE:
            return False
        child = child.next
    return True


def _ends_a_paragraph(line: str) -> bool:
    """Whether ``line`` ends as a sentence ends, and not with the ellipsis that cuts a teaser short."""
    return bool(SENTENCE_END.search(line)) and not line.endswith(("..", "…"))


def _runs_of_text_blocks(text_blocks: dict[int, tuple[Node, list[str]]]) -> Iterator[tuple[Node, list[str]]]:
    """(parent, lines) for each run of at least two ``text_blocks`` that follow one another under one
    parent, with nothing but empty elements between them: an article written as one ``<div>`` a paragraph.
    Its paragraphs then count together, as the ``<p>`` of one parent do. Text between them (a teaser's
    headline, an author's name) ends the run: a column of teasers is no article."""
    seen: set[int] = set()
    for node, _ in text_blocks.values():
        if (parent := node.parent) is None or parent.mem_id in seen:
            continue
        seen.add(parent.mem_id)
        run: list[str] = []
        blocks = 0
        for child in parent.iter():
            if child.mem_id in text_blocks:
                run += text_blocks[child.mem_id][1]
                blocks += 1
            elif child.text(deep=True, strip=True):
                if blocks >= 2:
                    yield parent, run
                run, blocks = [], 0
        if blocks >= 2:
            yield parent, run


def _outermost_article(node: Node) -> Node | None:
    found = node if node.tag == "article" else None
    ancestor = node.parent
    while ancestor is not None:
        if ancestor.tag == "article":
            found = ancestor
        ancestor = ancestor.parent
    return found


def _last_prose_line(lines: list[str], prose: list[str]) -> int | None:
    """Index of the last of ``lines`` that holds a paragraph of ``prose``, or a part of one at least
    ``PROSE_PART`` characters long (a paragraph with ``<br>`` inside comes out as several lines: a byline, then
    the text), or None. Compared without whitespace."""
    keys = [p[:PROSE_PARAGRAPH] for p in prose]
    paragraphs = visible("\n".join(map(squeezed, prose)))  # one search for each line, not one for each paragraph
    for i in range(len(lines) - 1, -1, -1):  # from the end: the article's last line is rarely far from it
        flat = squash(strip_marker(lines[i]))
        if any(key in flat for key in keys):
            return i
        if len(part := squeezed(flat)[:PROSE_PARAGRAPH]) >= PROSE_PART and part in paragraphs:
            return i
    return None


def coverage(prose: list[str], text: str) -> float:
    """Share of the characters of ``prose`` whose paragraph appears in ``text``. Compared without
    whitespace (a ``<br>`` or an inline element inside a paragraph may come out as a line break or
    as nothing) and without the list markers trafilatura puts before list items (a paragraph may run
    on into a list)."""
    total = sum(map(len, prose))
    if not total:
        return 1.0
    flat = "".join("".join(map(strip_marker, text.splitlines())).split())
    return sum(len(p) for p in prose if "".join(p.split())[:PROSE_PARAGRAPH] in flat) / total


def main_text(html: str, tree: HtmlElement, url: str, min_chars: int, facts: PageFacts) -> tuple[list[str], int]:
    """trafilatura's main text, furniture removed: (kept lines, characters of cookie notice removed).

    ``tree`` is the page parsed by lxml (trafilatura's parser), shared by every pass. trafilatura's
    fallback comparison (readability and justext) costs 40 % of an extraction, and on the Zyte and
    trafilatura evaluation sets it changed only 2 of the 365 texts that ``_clearly_extracted``
    accepts (both pages pass their checks either way): it runs on the other pages only, on the
    first pass's trees (``Cascade``).

    A paragraph written as bare text after a block (a photo box, an ad slot) goes into a ``<p>`` first
    (``loose.wrap_prose_after_blocks``): precision mode deleted it with the block when the block came out
    of cleaning empty. So do the section headings of the main block that are links
    (``headings.unlink_section_headings``): precision mode took them for link boxes.

    A page whose main block of prose sits in a table cell has its layout tables read as blocks first
    (``tables.unwrap_layout_tables``): kept as tables, the whole layout came out as rows of cells.

    Precision mode sometimes keeps the wrong block or a fraction of the right one (an advertisement
    slot, a headline box or a "most read" tab taken for the article). A second, balanced pass runs
    only when the text is short, or when it misses most of the page's main block of prose
    (``main_prose``); its text is kept when it is longer (short texts) or covers clearly more of that
    block. So a page costs one extraction unless the cheap signals say precision lost text.

    The readers' comments and the boxes of links under the article that precision mode kept as the
    end of its text are cut (``_without_comments``, ``tail.without_trailing_boxes``).

    Then what trafilatura cannot see or drops: the first line of a body written as bare text lines
    (``recover.leading_line``), the standfirst written in a block of its own before the body
    (``recover.standfirst``), the body continued in a second container after an advertisement,
    and a body held only in a script's JSON (``articleBody``), kept when it is clearly longer."""
    inline, paragraphs, styles = _walk(tree)
    _drop_empty_inline(inline)
    _drop_loose_style_sheets(styles)
    box, prose = main_prose(facts.tree)
    unlink_section_headings(tree, prose)
    wrap_prose_after_blocks(tree, paragraphs)
    unwrap_lone_paragraphs(paragraphs)
    if sum(map(len, prose)) >= LOST_PROSE_MIN and in_table_cell(box):
        unwrap_layout_tables(tree)
    cascade = Cascade(tree, url or None, TRAFILATURA_OPTIONS)
    if not _clearly_extracted(cascade.body, cascade.text) or (
        _missing_list_prose(facts, cascade.text) > LIST_PROSE * len(cascade.text)
    ):
        cascade.compare()
    lines, cookie_chars = clean_lines(cascade.text)
    text = "\n".join(lines)
    short = len(text) < RETRY_BELOW * max(min_chars, 100)
    lost = sum(map(len, prose)) >= LOST_PROSE_MIN and coverage(prose, text) < LOST_COVERAGE
    if lost and not short and _cannot_gain(cascade, facts, prose, text):
        lost = False
    if (short or lost) and TRAFILATURA_OPTIONS.get("favor_precision"):
        retry = _trafilatura(tree, url, favor_precision=False)
        retry_lines, retry_cookie = clean_lines((retry.text or "") if retry is not None else "")
        retry_text = "\n".join(retry_lines)
        better = len(retry_text) > len(text) if short else _gains(prose, text, retry_text)
        if better:
            lines, cookie_chars = retry_lines, retry_cookie
    lines = _without_comments(lines, prose)
    if box is not None:
        lines = standfirst(leading_line(lines, box, prose), box, prose)
        if (last := _last_prose_line(lines, prose)) is not None:
            lines = without_trailing_boxes(lines, last, box, facts.anchor_texts)
    lines = without_other_articles(lines, facts.tree, facts.title_tag or next(iter(facts.h1), ""))
    if continued := continued_paragraphs(facts.tree, lines):
        lines = lines + clean_lines("\n".join(continued))[0]
    if body := script_body(html):
        body_lines, body_cookie = clean_lines("\n".join(body))
        body_chars, chars = len("\n".join(body_lines)), len("\n".join(lines))
        if body_chars >= max(min_chars, JSON_BODY_GAIN * chars):
            lines, cookie_chars = body_lines, body_cookie
    return lines, cookie_chars


#: inline elements that trafilatura's precision mode deletes when empty, with the text that follows them
_EMPTY_INLINE = ("b", "em", "i", "q", "span", "strong")


def _walk(tree: HtmlElement) -> tuple[list[HtmlElement], list[HtmlElement], list[HtmlElement]]:
    """The elements of ``_EMPTY_INLINE``, the ``<p>`` and the ``<style>`` elements of ``tree``, in one walk of
    the tree (a walk of a large page's tree costs more than what is done with what it finds)."""
    inline: list[HtmlElement] = []
    paragraphs: list[HtmlElement] = []
    styles: list[HtmlElement] = []
    for element in tree.iter(*_EMPTY_INLINE, "p", "style"):
        tag = element.tag
        (inline if tag in _EMPTY_INLINE else paragraphs if tag == "p" else styles).append(element)
    return inline, paragraphs, styles


def _drop_loose_style_sheets(styles: list[HtmlElement]) -> None:
    """Remove the style sheet that follows an empty ``<style>`` element as text: a page that writes
    ``<style type="text/css" />``, the rules, then ``</style>`` (a browser reads the rules as the style sheet;
    lxml closes the element at once and ignores the end tag). Its rules came out as the article's first lines."""
    for style in styles:
        if style.text is None and len(style) == 0 and (tail := style.tail) and "{" in tail and "}" in tail:
            style.tail = None


def _drop_empty_inline(elements: list[HtmlElement]) -> None:
    """Remove the empty ones of ``elements`` (inline elements: ``<strong></strong>`` left by an editor at the
    start of a paragraph), keeping the text after them. trafilatura's precision mode deletes an empty element
    together with its tail, which there is the whole paragraph. Inner elements go first, so that an element
    left empty by them goes too (``<em><strong></strong></em>``)."""
    for element in reversed(elements):
        if element.text is None and len(element) == 0 and element.getparent() is not None:
            element.drop_tag()


def _cannot_gain(cascade: Cascade, facts: PageFacts, prose: list[str], text: str) -> bool:
    """Whether the balanced pass cannot cover ``LOST_GAIN`` more of the prose than ``text`` does, so is
    not worth its cost (≈ 30 ms): it extracts from a tree cleaned as the precision pass's was (which
    the prose is not in), and its recall rescue, which reads the raw tree, runs only on a text shorter
    than ``ESCALATION_MAX_LENGTH`` and than ``ESCALATION_PAGE_SHARE`` of the page's text (``text`` is
    not; the balanced text is rarely shorter than the precision one). No text changed on the Zyte,
    wide or trafilatura-eval pages; 7 of 130 retries on the wide set are saved."""
    if coverage(prose, cascade.cleaned_text) >= coverage(prose, text) + LOST_GAIN:
        return False
    if len(text) >= ESCALATION_MAX_LENGTH:
        return True
    body = facts.tree.body
    return body is not None and len(text) >= ESCALATION_PAGE_SHARE * len(body.text(deep=True))


def _gains(prose: list[str], text: str, retry_text: str) -> bool:
    """Whether ``retry_text`` covers ``LOST_GAIN`` more of the main block of prose than ``text``,
    counting only the block's paragraphs that either text has: what neither keeps is rarely the
    article's (a comment form's rules, a share prompt inside the same ``<article>``)."""
    either = coverage(prose, text + "\n" + retry_text)
    if not either:
        return False
    return coverage(prose, retry_text) >= coverage(prose, text) + LOST_GAIN * either


def _without_comments(lines: list[str], prose: list[str]) -> list[str]:
    """The text without the readers' comments that precision mode let through: from their heading to
    the end, unless a paragraph of the page's main block of prose comes after it (then the heading
    belongs to a box inside the article, which goes on below it)."""
    start = comments_start(lines)
    if start is None:
        return lines
    rest = squash("\n".join(map(strip_marker, lines[start + 1:])))
    if any(p[:PROSE_PARAGRAPH] in rest for p in prose):
        return lines
    return lines[:start]
