"""Article text that trafilatura leaves out: a body continued in a second container after an
advertisement (found in the page-facts parse), the first line of a body written as bare text lines,
and a body that is only in a script's JSON (``"articleBody"`` of the state a script-rendered site
ships, which trafilatura does not read)."""

from __future__ import annotations

import json
import re
from html import unescape as html_unescape

from selectolax.lexbor import LexborHTMLParser, LexborNode as Node

from .cleanup import squash, strip_marker
from .metadata import HTML_TAG_RE

__all__ = ["continued_paragraphs", "leading_line", "script_body"]

_BREAK_TAG_RE = re.compile(r"<\s*(?:br|/?p|/?div|/?li|/?h[1-6])\b[^>]*>", re.IGNORECASE)

#: paragraphs shorter than this are not looked for (captions, labels, promo lines)
CONTINUED_PARAGRAPH = 40


def continued_paragraphs(tree: LexborHTMLParser, lines: list[str]) -> list[str]:
    """Paragraphs of the article found in containers that follow the one trafilatura took, as sibling
    elements of the same tag and class (sites close the body container before an advertisement or a
    related box and open a second one after it). Empty when there is none."""
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
        for node in sibling.css("p, h2, h3, li"):
            text = squash(node.text(deep=True, separator=""))
            if len(text) >= CONTINUED_PARAGRAPH and text not in known:
                extra.append(text)
    return extra


def _key(text: str) -> str:
    # a paragraph's first 80 characters without whitespace: how a line is found in another text
    return "".join(text.split())[:80]


def leading_line(lines: list[str], box: Node, prose: list[str]) -> list[str]:
    """``lines`` with the first line of the page's main block of prose put back before the second when
    only the first is missing and it is the block's leading text (``box``'s first own text, before any
    element): trafilatura's precision mode sometimes drops the text that opens an element holding
    ``<br>``-separated lines, and keeps the lines after each ``<br>``."""
    if len(prose) < 2:
        return lines
    opening = next((text for node in box.iter(include_text=True)
                    if node.tag == "-text" and (text := squash(node.text(deep=False)))), "")
    lead = prose[0]
    if not opening or not lead.startswith(opening[:40]):
        return lines
    flat = ["".join(strip_marker(line).split()) for line in lines]
    if any(_key(lead) in line for line in flat):
        return lines
    second = _key(prose[1])
    at = next((i for i, line in enumerate(flat) if second in line), None)
    return lines if at is None else lines[:at] + [lead] + lines[at:]


_ARTICLE_BODY_RE = re.compile(r'"articleBody"\s*:\s*("(?:\\.|[^"\\])*")')


def script_body(html: str) -> list[str]:
    """The longest ``"articleBody"`` string in the page's scripts (JSON-LD, or the JSON state a
    script-rendered site ships for its app), as lines with markup removed; [] when there is none."""
    if '"articleBody"' not in html:
        return []
    bodies: list[str] = []
    for match in _ARTICLE_BODY_RE.finditer(html):
        try:
            bodies.append(json.loads(match[1]))
        except ValueError:  # not a valid JSON string literal: nothing to recover from it
            continue
    if not bodies:
        return []
    body = HTML_TAG_RE.sub("", _BREAK_TAG_RE.sub("\n", max(bodies, key=len)))
    return [line for raw in html_unescape(body).splitlines() if (line := squash(raw))]
