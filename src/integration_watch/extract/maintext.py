"""The main text of a page: trafilatura's extraction, with the furniture it lets through removed."""

from __future__ import annotations

import logging

from trafilatura import bare_extraction
from trafilatura.settings import Document

from .cleanup import clean_lines

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

#: a fast-mode extraction at least this long (and clean, and made of paragraphs) is kept as it is
CLEAR_TEXT = 1000


def _trafilatura(html: str, url: str, **overrides: bool) -> Document | None:
    """trafilatura's extraction with ``TRAFILATURA_OPTIONS`` (and ``overrides``), or None."""
    doc = bare_extraction(html, url=url or None, **{**TRAFILATURA_OPTIONS, **overrides})
    return doc if isinstance(doc, Document) else None


# what makes trafilatura's fallback comparison consult justext on an extraction (external.py)
_UNCLEAN_XPATH = (
    ".//aside|.//audio|.//button|.//fencedframe|.//fieldset|.//figure|.//footer|.//iframe|.//input|.//label|"
    ".//link|.//nav|.//noindex|.//noscript|.//object|.//option|.//select|.//source|.//svg|.//time"
)


def _clearly_extracted(doc: Document | None) -> bool:
    """Whether trafilatura's fallback comparison (readability, then justext) could only confirm this
    fast-mode extraction: it is long, made of paragraphs rather than tables, and has none of the
    elements that make trafilatura call justext. Readability would then replace it only if it found
    more than twice as much text."""
    if doc is None or doc.body is None or len(doc.text or "") < CLEAR_TEXT:
        return False
    body = doc.body
    paragraphs = body.findall(".//p")
    return bool(paragraphs) and len(body.findall(".//table")) <= len(paragraphs) and not body.xpath(_UNCLEAN_XPATH)


def main_text(html: str, url: str, min_chars: int) -> tuple[list[str], int]:
    """trafilatura's main text, furniture removed: (kept lines, characters of cookie notice removed).

    A fast pass first: trafilatura's fallback comparison (readability and justext) costs 40 % of an
    extraction, and on the Zyte and trafilatura evaluation sets it changed only 2 of the 365 fast texts
    that ``_clearly_extracted`` accepts (both pages pass their checks either way). Other pages get
    the full cascade."""
    doc = _trafilatura(html, url, fast=True)
    if not _clearly_extracted(doc):
        doc = _trafilatura(html, url)
    lines, cookie_chars = clean_lines((doc.text or "") if doc is not None else "")
    if len("\n".join(lines)) < RETRY_BELOW * max(min_chars, 100) and TRAFILATURA_OPTIONS.get("favor_precision"):
        # precision mode sometimes keeps a single paragraph of a real article: retry once in
        # trafilatura's balanced mode (which itself escalates to recall) and keep the longer text
        retry = _trafilatura(html, url, favor_precision=False)
        retry_lines, retry_cookie = clean_lines((retry.text or "") if retry is not None else "")
        if len("\n".join(retry_lines)) > len("\n".join(lines)):
            lines, cookie_chars = retry_lines, retry_cookie
    return lines, cookie_chars
