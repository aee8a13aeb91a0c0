"""PDF documents → the same ``Extraction`` record as HTML pages, so the rest of the pipeline is unchanged.

Regional strategies and slide decks (like seed 003) are mostly published as PDF. ``extract_pdf`` reads the
text of every page with pypdf, joins the lines a PDF wraps back into paragraphs, drops running headers,
footers and page numbers, and takes title, author and date from the document information dictionary (the
first line of the first page is the title when the PDF has none). An encrypted or broken PDF raises
``PdfError`` with a short message, which the crawl records as the page's error.

It runs in the crawl's worker processes; pypdf bounds the decompressed size of each stream itself, and
``MAX_PAGES`` / ``MAX_CHARS`` bound the rest.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from datetime import datetime

from pypdf import PdfReader
from pypdf.errors import DependencyError, PyPdfError

from .record import Extraction
from ..language_codes import primary_subtag

__all__ = ["PdfError", "extract_pdf"]

MAX_PAGES = 300  # a longer document is read up to here: enough to index and detect its language
MAX_CHARS = 2_000_000  # text kept from one PDF

# pypdf logs a warning for every oddity of a PDF it can read past; the crawl records real failures itself.
logging.getLogger("pypdf").setLevel(logging.ERROR)

_SENTENCE_END = re.compile(r"[.!?:;…»\"”)]$")
_PAGE_NUMBER = re.compile(r"^(?:page\s+|p\.\s*|pág(?:ina)?\.?\s+|seite\s+|σελ\.?\s*)?\d{1,4}(?:\s*(?:/|of|de|von)\s*\d{1,4})?$", re.I)
_GENERATED_TITLE = re.compile(
    r"^(?:untitled|sin título|sans titre|unbenannt|document\d*|presentation\d*|slide\s*\d+|microsoft\s+\w+\s+-\s+.*)$"
    r"|\.(?:docx?|pptx?|xlsx?|odt|odp|pdf|indd|qxp|rtf|txt)$",
    re.I,
)


class PdfError(ValueError):
    """A PDF that cannot be read: encrypted with a password, or broken."""


def extract_pdf(body: bytes, url: str, *, min_chars: int = 200) -> Extraction:
    """Text and metadata of a PDF. Raises PdfError when it is encrypted or cannot be parsed."""
    reader = _open(body)
    try:
        pages = _page_texts(reader)
        info = _info(reader)
    except (PyPdfError, DependencyError, ValueError, KeyError, TypeError, RecursionError, AssertionError) as exc:
        # pypdf's parser raises many kinds of error on damaged files; all mean the same to us
        raise PdfError(f"broken PDF: {_short(exc)}") from None
    paragraphs = _paragraphs(pages)
    text = "\n".join(paragraphs)[:MAX_CHARS]
    title = info.get("title") or _first_line_title(pages)
    if len(text) < min_chars:
        reason = "empty" if not text.strip() else "too_short"  # a scanned PDF has no text layer
        return _record(False, reason, title, "", info)
    return _record(True, None, title, text, info)


def _open(body: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(body), strict=False)
        if reader.is_encrypted:
            # Many PDFs are encrypted with an empty user password (to restrict printing or copying only): those
            # open with "". Anything else needs a password we do not have.
            if not reader.decrypt(""):
                raise PdfError("encrypted PDF: a password is needed to read it")
        return reader
    except PdfError:
        raise
    except DependencyError as exc:
        raise PdfError(f"encrypted PDF: cannot decrypt it here ({_short(exc)})") from None
    except (PyPdfError, ValueError, KeyError, TypeError, RecursionError, AssertionError, OSError) as exc:
        raise PdfError(f"broken PDF: {_short(exc)}") from None


def _page_texts(reader: PdfReader) -> list[list[str]]:
    """Each page's lines, whitespace collapsed, blank lines dropped."""
    pages: list[list[str]] = []
    total = 0
    for page in reader.pages[:MAX_PAGES]:
        raw = page.extract_text() or ""
        lines = [" ".join(line.split()) for line in raw.splitlines()]
        pages.append([line for line in lines if line])
        total += len(raw)
        if total > MAX_CHARS:
            break
    return pages


def _paragraphs(pages: list[list[str]]) -> list[str]:
    """Lines joined back into paragraphs; running headers and footers (a line on most pages) and page
    numbers dropped."""
    repeated: set[str] = set()
    if len(pages) >= 3:
        counts = Counter(line for lines in pages for line in set(lines))
        repeated = {line for line, n in counts.items() if n >= max(3, len(pages) // 2 + 1)}
    out: list[str] = []
    for lines in pages:
        first = len(out)  # paragraphs are not joined across pages: in slides that would mix two texts
        for line in lines:
            if line in repeated or _PAGE_NUMBER.match(line):
                continue
            if len(out) > first and _continues(out[-1], line):
                if out[-1].endswith("-") and line[:1].islower():
                    out[-1] = out[-1][:-1] + line  # a word hyphenated at the line end
                else:
                    out[-1] = f"{out[-1]} {line}"
            else:
                out.append(line)
    return out


def _continues(previous: str, line: str) -> bool:
    """Whether `line` is the wrapped continuation of `previous`: the previous line is long and unfinished and
    this one starts in lower case."""
    return len(previous) >= 40 and not _SENTENCE_END.search(previous) and line[:1].islower()


def _info(reader: PdfReader) -> dict[str, str | None]:
    meta = reader.metadata
    info: dict[str, str | None] = {"title": None, "author": None, "subject": None, "published": None, "lang": None}
    if meta is not None:
        info["title"] = _clean_title(meta.title)
        info["author"] = _tidy(meta.author)
        info["subject"] = _tidy(meta.subject)
        info["published"] = _date(meta)
    root = reader.trailer.get("/Root")
    lang = root.get_object().get("/Lang") if root is not None else None
    info["lang"] = primary_subtag(str(lang)) if lang else None  # "es-ES" → "es", as extract_page gives it
    return info


def _date(meta: object) -> str | None:
    """The creation date as ISO 8601; None when absent or unparseable (pypdf raises on malformed dates)."""
    try:
        when = getattr(meta, "creation_date", None)
    except (ValueError, TypeError, PyPdfError):
        return None
    if not isinstance(when, datetime) or not 1990 <= when.year <= 2100:
        return None
    return when.isoformat()


def _clean_title(value: object) -> str | None:
    title = _tidy(value)
    if title is None or len(title) < 4 or _GENERATED_TITLE.search(title):
        return None  # "Microsoft Word - draft3.docx" and the like are not titles
    return title


def _first_line_title(pages: list[list[str]]) -> str | None:
    """The first line of text on the first page with text (a cover's or first slide's heading)."""
    lines = next((lines for lines in pages if lines), [])
    for line in lines[:3]:
        if 4 <= len(line) <= 200 and any(ch.isalpha() for ch in line) and not _PAGE_NUMBER.match(line):
            return line
    return None


def _tidy(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).replace("\x00", "").split())
    return text or None


def _short(exc: BaseException) -> str:
    message = " ".join(str(exc).split()) or type(exc).__name__
    return message[:200]


def _record(is_article: bool, reason: str | None, title: str | None, text: str, info: dict[str, str | None]) -> Extraction:
    return Extraction(
        is_article=is_article,
        reason=reason,
        title=title,
        text=text,
        published=info["published"] if is_article else None,
        author=info["author"] if is_article else None,
        description=info["subject"],
        sitename=None,
        canonical_url=None,
        page_lang=info["lang"],
        links=(),
    )
