"""Boxes of links under the article that precision mode keeps as the end of its text.

Older portal pages put "recommended", "today on the portal" and "our services" boxes right under the
article; trafilatura's precision pass sometimes takes them along as a run of short lines (headlines,
section names, service blurbs) after the last paragraph. Such a run is cut when it looks like those
boxes and unlike the article: long, mostly short lines (or mostly link labels: other articles'
headlines), some of them link labels, and mostly text that is not inside the element holding the
article's paragraphs. An article's own closing list (a ranking, the items of a shopping guide) sits
inside that element and is kept.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode as Node

from .cleanup import norm, squash, strip_marker, text_size

__all__ = ["without_trailing_boxes"]

#: a tail shorter than this many lines is left alone (an author line, a source, a photo credit)
TAIL_MIN_LINES = 8
#: a line of less than this ``text_size`` is short (a headline, a section name, a label)
SHORT_LINE = 40
#: what share of the tail's lines must be short (or else link labels: a box of other articles' headlines),
#: be link labels, and lie outside the article's element
SHORT_SHARE = 0.6
HEADLINES_SHARE = 0.5
LINKED_SHARE = 0.1
OUTSIDE_SHARE = 0.7
#: the text left after a cut must have at least this many characters (never cut an article down to nothing)
KEEP_MIN = 500

#: a time or a date opening a line (a news ticker's "09:30", "10.04.2013 09:30", "2013-04-10"; a Chinese headline may follow
#: the time with no space)
_STAMP_RE = re.compile(r"^(?:\d{1,4}[./-]\d{1,2}(?:[./-]\d{2,4})?,?\s*)?(?:\d{1,2}:\d{2}(?!\d))?\s*")
#: a time or a date closing a line, in brackets ("(01/12 12:36)"), and the bullets opening one ("． ", "• ")
_END_STAMP_RE = re.compile(r"\s*[(\[（]\s*(?:\d{1,4}[./-]\d{1,2}(?:[./-]\d{2,4})?)?,?\s*(?:\d{1,2}:\d{2})?\s*[)\]）]$")
_BULLET_RE = re.compile(r"^[．。·•▪►▶◆●■※*]+\s*")


#: a line opened by a link label at least this long (a headline) followed by more text is a teaser
HEADLINE_LABEL = 20
_WORD_END_RE = re.compile(r"(?<=\w)(?=\W)|$")


def _led_by_label(line: str, labels: set[str]) -> bool:
    """Whether ``line`` (normalised) is a link label, or opens with one of at least ``HEADLINE_LABEL``
    characters (another story's headline followed by its summary, comment count or date)."""
    if line in labels:
        return True
    return any(line[:end] in labels for match in _WORD_END_RE.finditer(line, HEADLINE_LABEL)
               if (end := match.start()) >= HEADLINE_LABEL)


def without_trailing_boxes(lines: list[str], last: int, box: Node, labels: set[str]) -> list[str]:
    """``lines`` without the run of link-box lines after ``lines[last]``, the last line that holds a
    paragraph of the page's main block of prose (the paragraphs of element ``box``); ``labels`` are
    the page's normalised link texts. Unchanged unless the run is at least ``TAIL_MIN_LINES`` lines
    and the shares above hold."""
    if len(lines) - last - 1 < TAIL_MIN_LINES:
        return lines
    if sum(map(text_size, lines[: last + 1])) < KEEP_MIN:
        return lines
    tail = [squash(_END_STAMP_RE.sub("", _STAMP_RE.sub("", _BULLET_RE.sub("", strip_marker(line.strip(" |"))), count=1)))
            for line in lines[last + 1:]]
    tail = [core for core in tail if core]  # a time alone on its line labels the next one
    inside = squash(box.text(deep=True, separator=" "))
    n = len(tail)
    linked = sum(_led_by_label(norm(core), labels) for core in tail)
    short = sum(text_size(core) < SHORT_LINE for core in tail)
    if (
        (short >= SHORT_SHARE * n or linked >= HEADLINES_SHARE * n)
        and linked >= LINKED_SHARE * n
        and sum(core not in inside for core in tail) >= OUTSIDE_SHARE * n
    ):
        return lines[: last + 1]
    return lines
