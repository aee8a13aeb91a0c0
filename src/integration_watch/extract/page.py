"""``extract_page``: one fetched HTML page → its ``Extraction`` (main text, metadata, links, or why it is not an article)."""

from __future__ import annotations

import logging

from lxml.etree import ElementDefaultClassLookup
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HTMLParser, HtmlProcessingInstruction, fromstring
from trafilatura.settings import Document
from trafilatura.utils import is_dubious_html, repair_faulty_html

from .classify import headline_brief, looks_not_html, not_article_reason
from .facts import PageFacts, page_facts
from .maintext import main_text
from .dates import page_date, published_at
from .metadata import byline_author, clean_title, page_metadata, tidy
from .record import Extraction

__all__ = ["extract_page"]


#: the parser of trafilatura's ``load_html``, with one difference: every element is an ``HtmlElement``, looked
#: up in C. lxml.html's own lookup is a Python call for every element object lxml makes (it gives forms and
#: inputs classes of their own, which no extractor here uses): 8 % of ``extract_page``'s time on the wide set.
#: The trees are otherwise the same: the records of all 1,292 evaluation pages are identical.
_PARSER = HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True)
_PARSER.set_element_class_lookup(
    ElementDefaultClassLookup(element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity)
)


def lxml_tree(html: str) -> HtmlElement | None:
    """The page parsed by lxml as trafilatura's ``load_html`` parses a string (repaired, then parsed; as
    bytes when lxml refuses the string; None when it is not HTML), with ``_PARSER``."""
    beginning = html[:50].lower()
    html = repair_faulty_html(html, beginning)
    tree = _parse(html)
    if tree is None or len(tree) < 1:
        tree = _parse(html.encode("utf8", "surrogatepass"))
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        return None
    return tree


def _parse(html: str | bytes) -> HtmlElement | None:
    try:
        return fromstring(html, parser=_PARSER)
    except Exception:  # noqa: BLE001 -- ValueError (a string declaring its encoding) or no document at all
        return None


def _not_article(reason: str, facts: PageFacts | None = None, doc: Document | None = None) -> Extraction:
    return Extraction(
        is_article=False,
        reason=reason,
        title=(getattr(doc, "title", None) or (facts.title_tag if facts else None)) or None,
        text="",
        published=None,
        author=None,
        description=getattr(doc, "description", None) or None,
        sitename=getattr(doc, "sitename", None) or None,
        canonical_url=facts.canonical if facts else None,
        page_lang=facts.lang if facts else None,
        links=facts.links if facts else (),
    )


def extract_page(html: str, url: str, *, min_chars: int = 200) -> Extraction:
    """Extract the main text and metadata of one page, or say why it is not an article.

    Never raises on page content: a page that breaks the parser or the extractor comes back as
    ``reason="extraction_failed"`` (the worker goes on; the page can be re-extracted later)."""
    if not html or not html.strip():
        return _not_article("empty")
    if looks_not_html(html):
        return _not_article("not_html")
    facts = None
    try:
        facts = page_facts(html, url)
        return _extract(html, url, min_chars, facts)
    except Exception:
        logging.getLogger(__name__).exception("extraction failed: %s", url)
        return _not_article("extraction_failed", facts)


def _extract(html: str, url: str, min_chars: int, facts: PageFacts) -> Extraction:
    tree = lxml_tree(html)  # lxml's parse, for trafilatura and htmldate (selectolax's is in ``facts``)
    if tree is None:
        return _not_article("empty", facts)
    lines, cookie_chars = main_text(html, tree, url, min_chars, facts)
    doc = page_metadata(facts, url)
    reason = not_article_reason(html, url, lines, cookie_chars, facts, min_chars)
    if reason == "listing" and (brief := headline_brief(lines, facts)):
        lines = brief  # a news brief amid the portal's menus and link boxes: the article is the brief
        reason = not_article_reason(html, url, lines, cookie_chars, facts, min_chars)
    if reason:
        return _not_article(reason, facts, doc)
    title = doc.title or facts.title_tag or (facts.h1[0] if facts.h1 else None)
    return Extraction(
        is_article=True,
        reason=None,
        title=clean_title(title, facts.h1, doc.sitename, url) or None,
        text="\n".join(lines),
        published=published_at(page_date(tree, html, facts, url), facts.meta_datetimes),
        author=doc.author or tidy(byline_author(facts.tree)),
        description=doc.description,
        sitename=doc.sitename,
        canonical_url=facts.canonical,
        page_lang=facts.lang,
        links=facts.links,
    )
