"""trafilatura's extraction cascade for one page, run so that nothing is done twice.

``trafilatura.bare_extraction`` parses the page and cleans the tree on every call. ``main_text`` wants
a fast precision pass first and trafilatura's fallback comparison (readability, then justext) only
when that pass is not clearly good: through ``bare_extraction`` that is a second, full extraction,
which parses, cleans and extracts the page again to end at the same comparison. ``Cascade`` keeps
the parse and the cleaned trees of its first pass and runs only the comparison on them: the same
steps as trafilatura's ``trafilatura_sequence`` in precision mode (trafilatura is pinned to 2.3.x in
pyproject.toml because of these internals), each done once.
"""

from __future__ import annotations

from copy import copy

from lxml.etree import Element, _Element
from lxml.html import HtmlElement
from trafilatura.core import _forum_thread_page, _prepare_tree
from trafilatura.external import compare_extraction
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.main_extractor import extract_content
from trafilatura.settings import Extractor
from trafilatura.xml import xmltotxt
from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH, REMOVE_COMMENTS_XPATH

__all__ = ["Cascade"]

#: what bare_extraction catches from its steps (and then returns None) rather than letting through
_REJECTED = (TypeError, ValueError)


class Cascade:
    """The precision-mode extraction of one parsed page: ``body``/``text`` after the main extractor,
    and ``compare()`` to run trafilatura's fallback comparison on that result."""

    def __init__(self, tree: HtmlElement, url: str | None, options: dict) -> None:
        self._options = Extractor(
            output_format="python", fast=False, precision=True, comments=False, tables=options["include_tables"],
            images=options["include_images"], links=options["include_links"],
            formatting=options["include_formatting"], url=url,
        )
        raw = copy(tree)  # trafilatura prunes and rewrites the tree it is given
        forum = _forum_thread_page(raw)
        raw = prune_unwanted_nodes(raw, RAW_TREE_PRUNE_XPATH)
        self._raw = prune_unwanted_nodes(raw, REMOVE_COMMENTS_AND_LISTS_XPATH)
        cleaned, self._backup = _prepare_tree(self._raw, self._options, url)
        if not forum:
            cleaned = prune_unwanted_nodes(cleaned, REMOVE_COMMENTS_XPATH)
        try:
            self.body, self._raw_text = extract_content(cleaned, self._options)
        except _REJECTED:  # as bare_extraction: no text, and the caller's other passes get their turn
            self.body, self._raw_text = Element("body"), ""
        self.text = self._output(self.body, self._raw_text)
        self._cleaned_text: str | None = None

    def _output(self, body: _Element, raw_text: str) -> str:
        # bare_extraction's last gate: a text this short is no extraction at all
        if len(raw_text) < self._options.min_output_size:
            return ""
        return xmltotxt(body, self._options.formatting)

    @property
    def cleaned_text(self) -> str:
        """All the text of the page that trafilatura's cleaning left for its extractors (what a pass
        in another mode can find on this tree)."""
        if self._cleaned_text is None:
            self._cleaned_text = "".join(self._backup.itertext())
        return self._cleaned_text

    def compare(self) -> None:
        """Replace the result with what trafilatura's comparison with readability and justext keeps."""
        self.cleaned_text  # noqa: B018 -- read before justext's clean-up prunes the tree it is given
        try:
            self.body, self._raw_text = compare_extraction(
                self._backup, copy(self._raw), self.body, self._raw_text, self._options
            )
        except _REJECTED:  # the comparison failed on this page: the first pass's result stands
            return
        self.text = self._output(self.body, self._raw_text)
