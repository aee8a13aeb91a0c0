"""The record every extractor (HTML page, PDF) returns, and the reasons a page is not an article."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Extraction", "REASONS"]

#: The reasons a page is not an article, as returned in ``Extraction.reason``.
REASONS = (
    "empty",  # no HTML, or nothing extractable
    "not_html",  # PDF, JSON, feed, sitemap or plain text handed over as a page
    "too_short",  # main text shorter than ``min_chars``
    "listing",  # section/tag/search page: teaser links rather than own text
    "error_page",  # "Page not found", "404", "Seite nicht gefunden" ... served with any status
    "block_page",  # access denied, captcha, JavaScript/Cloudflare challenge
    "cookie_page",  # cookie policy or consent wall
    "extraction_failed",  # the extractor raised; the page is kept for a later re-extract
)


@dataclass(frozen=True)
class Extraction:
    is_article: bool
    reason: str | None
    title: str | None
    text: str
    published: str | None
    author: str | None
    description: str | None
    sitename: str | None
    canonical_url: str | None
    page_lang: str | None
    links: tuple[str, ...]


# trafilatura options. Measured on the Zyte benchmark (bench/bench_extraction.py): dropping comments
