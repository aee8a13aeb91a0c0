"""The crawl's CPU-bound stage: one fetched page → its article (text, language, metadata) and its links.

It runs in the crawl's worker processes (workers.py). Those are forked from a template process that
`prepare_workers` readies once (extraction imported, the language detector built), so every worker shares
one copy of them and the crawl's main process, which only fetches and stores, never loads them: the
extraction and language imports below are inside the functions for that reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .corpus import ArticleRecord
from .content import binary_kind, decode_body, is_pdf
from .urls import host_of, links_in_scope, normalize_url

if TYPE_CHECKING:
    from .language import LanguageDetector

# Types read as HTML; a missing or octet-stream type is sniffed (binary_kind, extract's not_html check).
_HTML_TYPES = re.compile(r"^(text/html|application/xhtml\+xml|text/plain|application/octet-stream|binary/octet-stream)?$")


@dataclass(frozen=True)
class PageAnalysis:
    """What a worker process makes of one fetched HTML page."""

    article: ArticleRecord | None
    reason: str | None  # why it is not an article
    links: tuple[str, ...]
    error: str | None = None  # the page could not be read at all (an encrypted or broken PDF)


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    from .language import LanguageDetector

    return LanguageDetector()  # ~0.2 s and ~55 MB: once per template process, shared by its workers


def prepare_workers() -> None:
    """Load what every page needs, in the process the workers are forked from."""
    from . import extract  # imported here so that the workers share it

    extract.preload()
    _detector()


def analyse_page(
    body: bytes, content_type: str | None, url: str, hosts: frozenset[str], expected_langs: tuple[str, ...], min_chars: int
) -> PageAnalysis:
    """Decode, extract and language-detect one page (HTML or PDF), and keep its links to `hosts`."""
    from .extract import PdfError, extract_page, extract_pdf

    if is_pdf(body, content_type):
        try:
            extraction = extract_pdf(body, url, min_chars=min_chars)
        except PdfError as exc:
            return PageAnalysis(None, None, (), error=f"pdf: {exc}")
    else:
        extraction = extract_page(decode_body(body, content_type), url, min_chars=min_chars)
    links = links_in_scope(extraction.links, hosts)
    if not extraction.is_article:
        return PageAnalysis(None, extraction.reason, links)
    result = _detector().detect(extraction.text, hint=extraction.page_lang, expected=expected_langs)
    canonical = normalize_url(extraction.canonical_url) if extraction.canonical_url else None
    article = ArticleRecord(
        url=canonical if canonical and host_of(canonical) == host_of(url) else url,
        fetched_url=url,
        title=extraction.title,
        text=extraction.text,
        lang=result.lang,
        lang_confidence=result.confidence,
        languages=result.languages,
        paragraph_langs=tuple((p.index, p.lang) for p in result.paragraphs),
        published=extraction.published,
        author=extraction.author,
        description=extraction.description,
        sitename=extraction.sitename,
        page_lang=extraction.page_lang,
    )
    return PageAnalysis(article, None, links)


def unreadable_reason(body: bytes, content_type: str | None) -> str | None:
    """Why a fetched body cannot go to the extractor at all (a type we do not read, binary content), or None."""
    ctype = (content_type or "").split(";")[0].strip().lower()
    pdf = is_pdf(body, ctype)
    if not (pdf or _HTML_TYPES.match(ctype)):
        return f"unsupported content type {ctype}"
    binary = None if pdf else binary_kind(body)
    if binary:  # an image or archive labelled text/html would reach the extractor as mojibake
        return f"binary content ({binary}) served as {ctype or 'no type'}"
    return None
