"""Tables that lay a page out rather than hold data.

Many older sites, and portals to this day, build the whole page of nested tables: the article's
paragraphs in one cell, the menu, the side column and the footer in others. trafilatura keeps tables as
data: it takes the table whole, writes each row as one line (``| cell | cell |``: the headline, the
article and the side column run together) and keeps the rows of furniture around the article. Browsers'
reader modes read such tables as blocks (trafilatura itself does so for a table marked
``role="presentation"``). ``unwrap_layout_tables`` does the same for the layout tables of a page whose
article sits in a table cell, before trafilatura's first pass, so that it chooses among the blocks of
the page as on a page built of ``<div>`` elements. Tables of data (a cell of figures, a schedule) keep
their rows.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml.html import HtmlElement
from selectolax.lexbor import LexborNode as Node

from .loose import wrap_loose_text

__all__ = ["in_table_cell", "is_data_table", "unwrap_layout_tables"]

#: the parts of a table that become blocks when it is a layout table
_PARTS = frozenset({"tbody", "thead", "tfoot", "tr", "td", "th"})
#: what only a table of data has
_DATA_PARTS = ("col", "colgroup", "thead", "tfoot", "th")
#: a table of at least this many rows, or more columns than ``DATA_COLUMNS``, or more cells than
#: ``DATA_CELLS``, holds data (a layout has a few rows and columns)
DATA_ROWS = 10
DATA_COLUMNS = 4
DATA_CELLS = 10
#: a table with at least this share of its text in link labels is a menu or a box of links, not data
LINKS_SHARE = 0.6


def in_table_cell(node: Node | None) -> bool:
    """Whether ``node`` (the element holding the page's main block of prose) lies inside a table cell."""
    while node is not None:
        if node.tag in ("td", "th"):
            return True
        node = node.parent
    return False


def _own_parts(table: HtmlElement) -> Iterator[HtmlElement]:
    """The rows, cells and row groups of ``table`` itself (not those of a table nested in it)."""
    stack = list(table)
    while stack:
        element = stack.pop()
        if element.tag == "table":
            continue
        if element.tag in _PARTS:
            yield element
        stack.extend(element)


def is_data_table(table: HtmlElement) -> bool:
    """Whether ``table`` holds data rather than lays out the page: in the manner of Mozilla
    Readability's test, a table marked as presentation or holding another table is layout; a summary,
    a caption, header cells or column groups make it data; a table whose text is mostly link labels is
    layout (a menu, a ranking of other articles: kept as data, its rows stayed beside the article); else
    its size decides (a layout table has one row or one column, or a few of each)."""
    if table.get("role") in ("presentation", "none") or table.get("datatable") == "0":
        return False
    if table.get("summary"):
        return True
    caption = table.find("caption")
    if caption is not None and len(caption):
        return True
    if table.find(".//table") is not None:
        return False
    if next(table.iter(*_DATA_PARTS), None) is not None:
        return True
    text = "".join(table.text_content().split())
    if text and sum(len("".join(a.text_content().split())) for a in table.iter("a")) >= LINKS_SHARE * len(text):
        return False
    rows = table.findall(".//tr")
    columns = max((len(row.findall("td")) for row in rows), default=0)
    if len(rows) <= 1 or columns <= 1:
        return False
    return len(rows) >= DATA_ROWS or columns > DATA_COLUMNS or len(rows) * columns > DATA_CELLS


def unwrap_layout_tables(tree: HtmlElement) -> None:
    """Turn every layout table of ``tree`` (lxml) into blocks: the table, its row groups, rows and cells
    become ``<div>`` elements (decided for every table first, on the tree as it came). Where text follows
    such a table, the loose text of the element holding it goes into paragraphs (``loose.wrap_loose_text``: the
    first paragraph of an article written straight after a photo box, a small layout table, was lost with it)."""
    layout = [(table, list(_own_parts(table))) for table in tree.iter("table") if not is_data_table(table)]
    for table, parts in layout:
        table.tag = "div"
        for part in parts:
            part.tag = "div"
    for table, _ in layout:
        if table.tail and table.tail.strip() and (parent := table.getparent()) is not None:
            wrap_loose_text(parent)

