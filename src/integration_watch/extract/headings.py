"""Section headings made of links, which trafilatura's precision mode takes for link boxes.

Precision mode deletes a short heading when its text is all link labels. An article's section headings
are often links: a permalink icon beside each heading on a blog, or the heading itself linked (a list
article linking each item's heading to the product or film it presents). Before the first pass, empty
links in headings go, and a heading that is one link, inside the article's main block of prose, is
unlinked (its text stays).
"""

from __future__ import annotations

from lxml.html import HtmlElement

from .cleanup import squash

__all__ = ["unlink_section_headings"]

_HEADING_LINKS = "//h1//a|//h2//a|//h3//a|//h4//a|//h5//a|//h6//a"
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
#: how much of a paragraph's start identifies it between the two parses (lexbor's and lxml's)
_KEY = 60
#: a heading is the article's when its parent holds at least this many of the main block's paragraphs
_PROSE_AROUND = 2


def unlink_section_headings(tree: HtmlElement, prose: list[str]) -> None:
    """Remove the links without text inside headings, keeping the text after them; and unlink a heading
    that is a single link when it sits among at least ``_PROSE_AROUND`` of ``prose`` (the paragraphs of
    the page's main block of prose, ``maintext.main_prose``). A box of linked headlines elsewhere on the
    page is left as it is: precision mode rightly drops it."""
    keys = {paragraph[:_KEY] for paragraph in prose}
    in_prose: dict[HtmlElement, bool] = {}
    for link in tree.xpath(_HEADING_LINKS):
        label = squash(link.text_content())
        if not label:
            link.drop_tree()
            continue
        heading = next((a for a in link.iterancestors() if a.tag in _HEADINGS), None)
        if heading is None or squash(heading.text_content()) != label or (parent := heading.getparent()) is None:
            continue
        if parent not in in_prose:
            in_prose[parent] = _holds_prose(parent, keys)
        if in_prose[parent]:
            link.drop_tag()


def _holds_prose(element: HtmlElement, keys: set[str]) -> bool:
    found = 0
    for child in element.iterchildren("p"):
        if squash(child.text_content())[:_KEY] in keys:
            found += 1
            if found >= _PROSE_AROUND:
                return True
    return False
