"""Extraction: one fetched page (HTML or PDF) → an ``Extraction`` record.

``extract_page(html, url)`` is called once for every crawled page, in worker processes, so it parses as
little as it can: one fast selectolax (lexbor) parse for the page facts (facts.py: links, ``<html lang>``,
canonical URL, ``<title>``/``<h1>``, anchor texts) and the metadata (metadata.py: title, description, site
name, author, date), and trafilatura for the main text only (maintext.py). Then it removes the page
furniture trafilatura lets through (cleanup.py: cookie notices, share lines, "Related ..." lists, skip
links, machine-translation banners, repeated paragraphs) and decides whether the page is an article at all
(classify.py). Pages that are not articles (listing, error, block, cookie-policy pages, near-empty
extractions) come back with ``is_article=False`` and a short stable ``reason``, but still with their links,
title and language, so discovery can use listing pages. PDFs go through ``extract_pdf`` (pdf.py).
"""

from .cleanup import clean_text
from .dates import month_names
from .page import extract_page
from .pdf import PdfError, extract_pdf
from .record import REASONS, Extraction

__all__ = ["Extraction", "REASONS", "extract_page", "clean_text", "extract_pdf", "PdfError", "preload"]


def preload() -> None:
    """Load now what extraction otherwise loads on first use, and every crawl worker (a fresh one every few
    pages) would load again: dateparser's month names (~0.1-0.3 s of CPU, under 1 MB; on the first page without
    a declared date) and the stop words of all of jusText's languages (~0.2-0.3 s; on the first page where
    trafilatura falls back to jusText, one page in five of the Zyte set)."""
    from justext.core import define_stoplist
    from trafilatura import external

    month_names()
    define_stoplist(external.JT_STOPLIST or external.jt_stoplist_init())  # the list, then the set jusText makes of it
