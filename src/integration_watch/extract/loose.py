"""Text that lies loose beside blocks: written straight into an element, between its block children.

Many pages write a paragraph of the article as bare text after a block: after a photo box, an
advertisement slot or a box of related links, with ``<br>`` between the paragraphs. trafilatura's
precision mode deletes an element that its cleaning left empty (a photo box without its image, an ad
slot) together with the text after it, so the paragraph went with the box. Putting such text into a
``<p>`` of its own before the first pass keeps it, as the paragraphs around it are kept.

Pages built by script frameworks wrap each paragraph in ``<div>`` elements of its own. Precision mode deletes
a ``<div>`` that holds a link and less than 200 characters of text (its link-density test, backtracking), and
with it a short paragraph of the article that links to another page: those wrappers are removed first.
"""

from __future__ import annotations

import re

from collections.abc import Iterable

from lxml.html import HtmlElement

from .cleanup import squash

__all__ = ["SENTENCE_END", "unwrap_lone_paragraphs", "wrap_loose_text", "wrap_prose_after_blocks"]

#: elements that run on inside a line of text; any other element ends a run of loose text
INLINE = frozenset(
    {"a", "abbr", "b", "big", "br", "cite", "code", "em", "font", "i", "img", "mark", "q", "s", "small", "span",
     "strong", "sub", "sup", "time", "u"}
)
#: block elements whose following text ``wrap_prose_after_blocks`` looks at (not headings: text after a
#: heading in a side column is a teaser, which precision mode rightly drops with it)
_BLOCKS = frozenset(
    {"aside", "article", "blockquote", "center", "div", "dl", "figure", "form", "iframe", "nav", "noscript", "ol",
     "p", "section", "table", "ul"}
)
#: a run of loose text at least this long, ending as a sentence ends, is a paragraph of prose
PROSE_RUN = 80
#: how a sentence ends (before closing quotes or brackets)
SENTENCE_END = re.compile(r"[.!?…。！？]['\"”’»)\]]*$")


#: trafilatura's precision mode deletes a ``<div>`` holding a link and less text than this (characters)
LONE_LINKED = 200
#: ...and only where the element around the wrappers holds more than this many other paragraphs of prose (an
#: article's body, not a help box or a footer)
LONE_AMONG = 3


def unwrap_lone_paragraphs(paragraphs: Iterable[HtmlElement]) -> None:
    """Remove the ``<div>`` elements around each of ``paragraphs`` that hold nothing but it (one child, no text of
    their own), when it is a paragraph of prose (``PROSE_RUN`` up to ``LONE_LINKED`` characters, ending as a
    sentence ends) with a link that is at most half its text, in an element that holds more than ``LONE_AMONG``
    paragraphs of prose besides. Precision mode deleted such a wrapper, with the paragraph, as a short block of
    links; a promotion line that is mostly a link, a help box's or a footer's lines keep their wrappers."""
    counted: dict[HtmlElement, int] = {}
    for paragraph in paragraphs:
        if paragraph.find(".//a") is None or (wrapper := paragraph.getparent()) is None or wrapper.tag != "div":
            continue
        text = squash(paragraph.text_content())
        if not PROSE_RUN <= len(text) < LONE_LINKED or not SENTENCE_END.search(text):
            continue
        if 2 * sum(len(link.text_content().strip()) for link in paragraph.iter("a")) > len(text):
            continue
        chain = []
        while (wrapper is not None and wrapper.tag == "div" and len(wrapper) == 1
               and not (wrapper.text or "").strip() and not (wrapper[0].tail or "").strip()):
            chain.append(wrapper)
            wrapper = wrapper.getparent()
        if chain and not any(map(_hidden, chain)) and _prose_paragraphs(wrapper, counted) > LONE_AMONG:
            for div in chain:
                div.drop_tag()


_HIDDEN_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def _hidden(element: HtmlElement) -> bool:
    """Whether ``element`` is hidden from the reader (trafilatura drops such elements with what they hold: a
    pop-up's text stays out only while its wrapper is there)."""
    return "hidden" in element.attrib or bool(_HIDDEN_RE.search(element.get("style") or ""))


def _prose_paragraphs(element: HtmlElement | None, counted: dict[HtmlElement, int]) -> int:
    """How many ``<p>`` of at least ``PROSE_RUN`` characters ``element`` holds (counted once per element)."""
    if element is None:
        return 0
    if element not in counted:
        counted[element] = sum(len(squash(p.text_content())) >= PROSE_RUN for p in element.iter("p"))
    return counted[element]


def _run_after(block: HtmlElement) -> str:
    """The text that follows ``block`` up to the next block or ``<br>``: its tail and the inline
    elements after it, whitespace squashed."""
    parts = [block.tail or ""]
    for sibling in block.itersiblings():
        if isinstance(sibling.tag, str):
            if sibling.tag == "br" or sibling.tag not in INLINE:
                break
            parts.append(sibling.text_content())
        parts.append(sibling.tail or "")
    return squash("".join(parts))


def wrap_prose_after_blocks(tree: HtmlElement, paragraphs: Iterable[HtmlElement] | None = None) -> None:
    """Put the loose text of every element that holds ``<p>`` paragraphs, and where a block is followed by
    a run of prose (at least ``PROSE_RUN`` characters, ending as a sentence ends), into paragraphs
    (``wrap_loose_text``). A notice or a copyright line written after a footer's block does not end as a
    sentence ends, or is short: precision mode still drops it. An element without paragraphs is left as
    it is: trafilatura reads the text of ``<div>`` elements only on a page with little text in ``<p>``,
    and a page written that way (a live ticker, one ``<div>`` per entry) lost its short entries when
    its long ones became paragraphs. ``paragraphs``: the ``<p>`` elements of ``tree``, when the caller has
    them from a walk of its own (a walk of a large page's tree costs more than the rest of this)."""
    parents = {parent: None for p in (tree.iter("p") if paragraphs is None else paragraphs)
               if (parent := p.getparent()) is not None}
    for parent in [parent for parent in parents if _has_prose_after_a_block(parent)]:
        wrap_loose_text(parent)


def _has_prose_after_a_block(element: HtmlElement) -> bool:
    for child in element:
        if child.tag in _BLOCKS and (tail := child.tail) and tail.strip():
            run = _run_after(child)
            if len(run) >= PROSE_RUN and SENTENCE_END.search(run):
                return True
    return False


def wrap_loose_text(element: HtmlElement) -> None:
    """Put each run of text that lies loose in ``element`` beside blocks (its text, or the text after a
    block child, with the inline elements that go with it) into a ``<p>`` of its own. trafilatura skips
    such text, and deletes a block together with the text after it."""
    children = list(element)
    if not any(isinstance(child.tag, str) and child.tag not in INLINE for child in children):
        return  # no blocks: trafilatura reads the element's text as a whole
    runs: list[tuple[str | None, list[HtmlElement], HtmlElement | None]] = []  # (text, inline run, block before)
    text, run, before = element.text, [], None
    for child in children:
        if not isinstance(child.tag, str) or child.tag in INLINE:
            run.append(child)
            continue
        runs.append((text, run, before))
        text, run, before = child.tail, [], child
    runs.append((text, run, before))
    for text, run, before in runs:
        if not (text and text.strip()) and not any(r.tag != "br" and "".join(r.itertext()).strip() for r in run):
            continue
        paragraph = element.makeelement("p")
        paragraph.text = text
        if before is None:
            element.text = None
            element.insert(0, paragraph)
        else:
            before.tail = None
            before.addnext(paragraph)
        for inline in run:
            paragraph.append(inline)  # moves it, with its tail
