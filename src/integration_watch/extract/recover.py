"""Article text that trafilatura leaves out: a body continued in a second container after an
advertisement (found in the page-facts parse), the first line of a body written as bare text lines,
the standfirst written in a block of its own before the body (or in the article's ``<header>``), and a
body that is only in a script's JSON (``"articleBody"``, ``"contentHtml"`` ... of the state a script-rendered
site ships, which trafilatura does not read)."""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from itertools import accumulate
from html import unescape as html_unescape

from selectolax.lexbor import LexborHTMLParser, LexborNode as Node

from .cleanup import clean_lines, squash, strip_marker, text_size
from .loose import SENTENCE_END
from .metadata import HTML_TAG_RE

__all__ = ["continued_paragraphs", "key", "leading_line", "script_body", "squeezed", "standfirst", "visible"]

_BREAK_TAG_RE = re.compile(r"<\s*(?:br|/?p|/?div|/?li|/?h[1-6])\b[^>]*>", re.IGNORECASE)

#: paragraphs shorter than this are not looked for (captions, labels, promo lines)
CONTINUED_PARAGRAPH = 40
#: a following container continues the article only when it holds a paragraph of prose this long (not only
#: other stories' headlines and teasers, which are mostly links or do not end as a sentence ends)
CONTINUED_PROSE = 80


def continued_paragraphs(tree: LexborHTMLParser, lines: list[str]) -> list[str]:
    """Paragraphs of the article found in containers that follow the one trafilatura took, as sibling
    elements of the same tag and class (sites close the body container before an advertisement or a
    related box and open a second one after it), when the container holds prose: a list of other stories
    in the same markup (mostly links, or headlines with a time) is no continuation. Empty when there is none."""
    first = next((squash(line) for line in lines if len(line) >= 80), None)
    if first is None:
        return []
    key = first[:60]
    container = None
    for node in tree.css("p"):
        if squash(node.text(deep=True, separator=""))[:60] == key:
            container = node.parent
            break
    if container is None or container.parent is None or not container.attributes.get("class"):
        return []
    tag, cls = container.tag, container.attributes.get("class")
    known = squash(" ".join(lines))
    extra: list[str] = []
    after = False
    for sibling in container.parent.iter():
        if sibling.mem_id == container.mem_id:
            after = True
            continue
        if not after or sibling.tag != tag or sibling.attributes.get("class") != cls:
            continue
        found = [text for node in sibling.css("p, h2, h3, li")
                 if len(text := squash(node.text(deep=True, separator=""))) >= CONTINUED_PARAGRAPH
                 and text not in known and 2 * _link_chars(node, text) < len(text)]
        if any(len(text) >= CONTINUED_PROSE and SENTENCE_END.search(text) for text in found):
            extra += found
    return extra


#: characters a page's text may hold and trafilatura's text drops: C1 control characters (a misdecoded page's
#: cp1252 quotes), the soft hyphen, zero-width spaces and joiners, the byte order mark
_INVISIBLE_RE = re.compile("[\x80-\x9f\u00ad\u200b-\u200f\u2060\ufeff]+")


def visible(text: str) -> str:
    """The page's ``text`` without the characters trafilatura's text drops (``_INVISIBLE_RE``)."""
    return _INVISIBLE_RE.sub("", text)


def squeezed(text: str) -> str:
    """``text`` without whitespace: how a line of trafilatura's text is compared with the page's text
    (trafilatura may break a line where the page's source does, or join two)."""
    return "".join(text.split())


def key(text: str, size: int = 80) -> str:
    """The first ``size`` characters of the page's ``text`` without a list marker, whitespace and the characters
    trafilatura drops (``visible``): what a line of trafilatura's text (``squeezed``, without its list marker)
    that holds it contains."""
    return visible(squeezed(strip_marker(text[: 2 * size])))[:size]


#: elements whose text runs on inside a line of prose (their text joins the line around them)
INLINE = frozenset(
    {"a", "b", "i", "em", "strong", "u", "s", "small", "big", "sup", "sub", "abbr", "cite", "q", "mark", "time", "span", "font"}
)
#: an inline element holding one of these ends the line instead of joining it (a <span> wrapping paragraphs)
BREAKS = "br, p, div, li, table, h1, h2, h3, h4, h5, h6, blockquote"
#: a box's opening line at least this long (``text_size``) is a paragraph, not a label
LEADING_LINE = 80


def _opening_lines(box: Node, limit: int = 8) -> tuple[list[str], bool]:
    """The first ``limit`` lines of the loose text that opens ``box`` (its text with the inline elements that
    run on inside it, cut at ``<br>`` and at blocks; empty lines skipped; blocks before the first line passed
    over, a block with text after it ends them), and whether the first is written all in bold (a lead)."""
    lines: list[str] = []
    parts: list[str] = []
    bold = first_bold = True  # every part of the current (first) line with text is a <b> or <strong>
    for child in box.iter(include_text=True):
        if child.tag == "-text":
            text = child.text(deep=False)
            bold = bold and not text.strip()
            parts.append(text)
            continue
        if child.tag == "-comment":
            continue
        if child.tag in INLINE and child.css_first(BREAKS) is None:
            parts.append(child.text(deep=True, separator=""))
            bold = bold and child.tag in ("b", "strong")
            continue
        if line := squash("".join(parts)):
            lines.append(line)
            first_bold = first_bold and (len(lines) > 1 or bold)
        parts.clear()
        bold = True
        if len(lines) == limit or (lines and child.tag != "br" and squash(child.text(deep=True))):
            return lines, first_bold
    if line := squash("".join(parts)):
        lines.append(line)
        first_bold = first_bold and (len(lines) > 1 or bold)
    return lines[:limit], bool(lines) and first_bold


def leading_line(lines: list[str], box: Node, prose: list[str]) -> list[str]:
    """``lines`` with the first line of the page's main block of prose (``box``, its paragraphs ``prose``) put
    back before the first of the box's other paragraphs that ``lines`` hold, when that first line is
    missing: trafilatura's precision mode sometimes drops the text that opens an element holding
    ``<br>``-separated lines (bare text, or a lead written all in bold), and keeps the lines after each
    ``<br>``. The first line must be one of ``prose`` (mostly bare text, not a caption's or a hidden
    label's) or written all in bold, at least ``LEADING_LINE`` long. Lines are compared without whitespace
    (``squeezed``, ``key``)."""
    opening, bold = _opening_lines(box)
    if not opening or text_size(first := opening[0]) < LEADING_LINE:
        return lines
    first_key = key(first)
    if not bold and not any(key(paragraph) == first_key for paragraph in prose):
        return lines
    flat = [squeezed(strip_marker(line)) for line in lines]
    joined = "".join(flat)
    if first_key in joined or 2 * _link_chars(box, first) > len(first):
        return lines
    found = [at for line in opening[1:] + prose
             if line != first and text_size(line) >= LEADING_LINE and (at := joined.find(key(line))) >= 0]
    if not found:
        return lines
    at = bisect_right(list(accumulate(map(len, flat), initial=0)), min(found)) - 1
    return lines[:at] + [visible(first)] + lines[at:]


#: a standfirst is a paragraph of prose at least this long (``text_size``) that ends as a sentence ends...
STANDFIRST = 100
#: ...with at most this share of its text in link labels...
STANDFIRST_LINKS = 0.3
#: ...in an element holding none of these (a photo box's caption, a script's text, a box of links)
_NOT_STANDFIRST = (
    "img, figure, picture, video, iframe, form, input, script, style, noscript, h1, h2, h3, h4, h5, h6, ul, ol, li, "
    "table, dl"
)
#: how many levels up from the main block of prose the text before it is looked for
_STANDFIRST_LEVELS = 3


def _text_before(box: Node) -> tuple[Node | None, str]:
    """The nearest text before ``box`` in the page: its closest previous sibling with text (an element, or
    loose text), else its parent's, up to ``_STANDFIRST_LEVELS`` levels up; (None, "") when there is none."""
    node: Node | None = box
    for _ in range(_STANDFIRST_LEVELS):
        sibling = node.prev
        while sibling is not None:
            if sibling.tag == "-text":
                if text := squash(sibling.text(deep=False)):
                    return sibling, text
            elif sibling.tag not in ("-comment", "br") and (text := squash(sibling.text(deep=True, separator=" "))):
                return sibling, text
            sibling = sibling.prev
        node = node.parent
        if node is None or node.tag in ("body", "html"):
            break
    return None, ""


def _header_lead(box: Node, prose: list[str]) -> tuple[Node | None, str]:
    """The paragraph in a ``<header>`` inside ``box`` (with the headline and the date) that is the first of the main
    block's paragraphs ``prose``; (None, "") when there is none. trafilatura's precision mode deletes every
    ``<header>``, and with it the lead a site writes there."""
    if not prose or (header := box.css_first("header")) is None:
        return None, ""
    first = key(prose[0])
    captions = {node.mem_id for node in header.css("figure p, figcaption p")}  # a photo's caption is no lead
    for paragraph in header.css("p"):
        if paragraph.mem_id in captions:
            continue
        if key(text := squash(paragraph.text(deep=True, separator=""))) == first:
            return paragraph, text
    return None, ""


def standfirst(lines: list[str], box: Node, prose: list[str]) -> list[str]:
    """``lines`` with the article's standfirst put back before the first of the main block of prose's
    paragraphs (``box``, ``prose``) that they hold: the text right before the block, or the block's first
    paragraph when it sits in the block's ``<header>`` (``_header_lead``), when it is a paragraph of prose
    (``STANDFIRST``, ``STANDFIRST_LINKS``, none of ``_NOT_STANDFIRST``) that ``clean_lines`` keeps and ``lines``
    lack. trafilatura takes the element its expressions find for an article's body, and the lead written in a
    block of its own before it was lost; in a page laid out in tables it had been kept as part of the table's
    rows, until the layout tables became blocks (``tables.py``)."""
    flat = [squeezed(strip_marker(line)) for line in lines]
    for element, text in (_text_before(box), _header_lead(box, prose)):
        if element is None or text_size(text) < STANDFIRST or not SENTENCE_END.search(text):
            continue
        if element.tag != "-text":
            links = sum(len(squash(link.text(deep=True))) for link in element.css("a"))
            if element.css_first(_NOT_STANDFIRST) is not None or links > STANDFIRST_LINKS * len(text):
                continue
        if key(text) in "".join(flat) or clean_lines(text)[0] != [text]:
            continue
        starts = [start for paragraph in prose if (start := key(paragraph, 60))]  # how a paragraph's line starts
        at = next((i for i, line in enumerate(flat) if line.startswith(tuple(starts))), None)
        return lines if at is None else lines[:at] + [visible(text)] + lines[at:]
    return lines


def _link_chars(box: Node, line: str) -> int:
    """Characters of ``line`` (a line of ``box``) that are labels of links in ``box``."""
    return sum(len(label) for node in box.css("a") if (label := squash(node.text(deep=True))) and label in line)


#: the keys under which script-rendered sites ship the article's body: schema.org's, and the names content
#: systems give it in the JSON state of their app (a Korean daily's ``contentHtml``)
_BODY_KEYS = (
    "articleBody", "contentHtml", "content_html", "bodyHtml", "body_html", "articleHtml", "article_html",
    "articleContent", "article_content", "articleText", "article_text", "bodyText", "body_text",
)
#: a body key's string in a script (one search of the page for all keys costs less than a look for each key)
_ARTICLE_BODY_RE = re.compile(r'"(?:' + "|".join(_BODY_KEYS) + r')"\s*:\s*("(?:\\.|[^"\\])*")')


def script_body(html: str) -> list[str]:
    """The longest string under a body key (``_BODY_KEYS``: ``"articleBody"``, ``"contentHtml"`` ...) in the
    page's scripts (JSON-LD, or the JSON state a script-rendered site ships for its app), as lines with
    markup removed; [] when there is none."""
    bodies: list[str] = []
    for match in _ARTICLE_BODY_RE.finditer(html):
        try:
            bodies.append(json.loads(match[1]))
        except ValueError:  # not a valid JSON string literal: nothing to recover from it
            continue
    if not bodies:
        return []
    body = _markup_free(max(bodies, key=len))
    if _MARKDOWN_SIGNS_RE.search(body):
        body = _markdown_free(body)
    return [line for raw in one_copy(body).splitlines() if (line := squash(raw))]


#: what shows a body written in Markdown (a magazine publisher's articleBody): a link, a component marker
#: (``+++dropcap``), an embed (``[#image: /photos/1]``) or an attribute list (``{: .small}``)
_MARKDOWN_SIGNS_RE = re.compile(r"\]\((?:https?:/)?/|^\+\+\+|\[#\w+:|\{:\s", re.MULTILINE)
_MD_DROP_RE = re.compile(r"^\+\+\+.*$|\[#\w+:[^\]]*\]|\{:[^}]*\}", re.MULTILINE)
_MD_LINK_RE = re.compile(r"\[([^\]]*)\]\([^)\s]*\)")
_MD_EMPHASIS_RE = re.compile(r"(\*{1,2}|_{2})(?=\S)(.+?)(?<=\S)\1")
_MD_HEADING_RE = re.compile(r"^#{1,6}\s+", re.MULTILINE)


def _markdown_free(body: str) -> str:
    """The text of a Markdown ``body``: links as their labels, emphasis and heading marks removed, the
    publisher's component markers, embeds and attribute lists dropped."""
    body = _MD_DROP_RE.sub("", body)
    body = _MD_LINK_RE.sub(r"\1", body)
    body = _MD_EMPHASIS_RE.sub(r"\2", body)
    return _MD_HEADING_RE.sub("", body)


#: markup written with its angle brackets escaped (``&lt;p&gt;``), as some sites write ``articleBody``
_ESCAPED_TAG_RE = re.compile(r"&(?:amp;)*lt;/?[a-zA-Z]")
#: how many layers of escaping ``_markup_free`` undoes before removing the tags
_ESCAPE_LAYERS = 3


def _markup_free(body: str) -> str:
    """The text of ``body``, an ``articleBody`` that may hold HTML, its tags escaped once or more: the
    tags removed (a break between paragraphs kept as a line break) and its entities decoded. Taken with
    its escaped markup, a body written that way counted as 1.5 times as long as the page's text and
    replaced it with tags and entities."""
    for _ in range(_ESCAPE_LAYERS):
        if not _ESCAPED_TAG_RE.search(body):
            break
        body = html_unescape(body)
    return html_unescape(HTML_TAG_RE.sub("", _BREAK_TAG_RE.sub("\n", body)))


#: characters (without whitespace) of a text's opening looked for again by ``one_copy``
_COPY_PROBE = 80


def one_copy(text: str) -> str:
    """``text``, or its first copy when it is one run written two or more times over (a site's template
    that writes the article into ``articleBody`` twice: taken as it is, it passed for a longer body than
    the page's own text and replaced it, every sentence doubled). Compared without whitespace."""
    flat = squeezed(text)
    if len(flat) < 2 * _COPY_PROBE:
        return text
    period = flat.find(flat[:_COPY_PROBE], 1)
    if period <= 0 or 2 * period > len(flat) or flat[period:] != flat[: len(flat) - period]:
        return text
    seen = 0  # cut ``text`` after ``period`` of its non-whitespace characters
    for index, char in enumerate(text):
        if not char.isspace():
            seen += 1
            if seen > period:
                return text[:index]
    return text
