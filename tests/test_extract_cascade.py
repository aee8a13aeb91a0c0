"""extract/cascade.py runs trafilatura's precision cascade once per page (one parse, one cleaning,
the fallback comparison on the first pass's trees): its text must be the text of trafilatura's own
full precision extraction (bare_extraction), page for page."""

from __future__ import annotations

import gzip
import json

import pytest
from conftest import EVALDATA
from extract_pages import seed000_page, seed001_page, seed002_page, seed004_page
from test_extract_lost_body import BODY, news_page, paragraphs
from trafilatura import bare_extraction
from trafilatura.utils import load_html

from integration_watch.extract.cascade import Cascade
from integration_watch.extract.maintext import TRAFILATURA_OPTIONS


def trafilatura_text(html: str, url: str, **overrides: bool) -> str:
    doc = bare_extraction(html, url=url, **{**TRAFILATURA_OPTIONS, **overrides})
    return (doc.text or "") if doc is not None else ""


def cascade_text(html: str, url: str, compare: bool) -> str:
    cascade = Cascade(load_html(html), url, TRAFILATURA_OPTIONS)
    if compare:
        cascade.compare()
    return cascade.text


PAGES = {
    "seed000": seed000_page,
    "seed001": seed001_page,
    "seed002": seed002_page,
    "seed004": seed004_page,
    "article": lambda: news_page(f"<article><h1>Council</h1>{paragraphs(chr(10).join(BODY))}</article>"),
    "short": lambda: news_page(f"<div><h1>Council</h1><p>{BODY[0]}</p></div>"),
    "table": lambda: news_page("<table><tr><td>" + "</td></tr><tr><td>".join(BODY) + "</td></tr></table>"),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_cascade_gives_trafilaturas_full_precision_text(name):
    html = PAGES[name]()
    url = "https://courier.example/news/1"
    assert cascade_text(html, url, compare=True) == trafilatura_text(html, url)


def test_cascade_does_not_change_the_parsed_page():
    tree = load_html(PAGES["seed000"]())
    before = len(list(tree.iter()))
    Cascade(tree, None, TRAFILATURA_OPTIONS).compare()
    assert len(list(tree.iter())) == before


def test_cascade_matches_trafilatura_on_the_zyte_pages():
    root = EVALDATA / "extraction" / "scrapinghub_aeb"
    if not (root / "cases.jsonl").exists():
        pytest.skip(f"no Zyte benchmark pages at {root}")
    cases = [json.loads(line) for line in (root / "cases.jsonl").read_text().splitlines() if line.strip()][:40]
    differ = []
    for case in cases:
        with gzip.open(root / case["html"], "rt", encoding="utf-8", errors="replace") as fh:
            html = fh.read()
        if cascade_text(html, case["url"], compare=True) != trafilatura_text(html, case["url"]):
            differ.append(case["id"][:12])
    assert not differ, f"cascade and trafilatura differ on {differ}"


def test_a_page_trafilatura_rejects_in_the_first_pass_goes_to_the_balanced_pass(monkeypatch):
    # trafilatura's steps raise ValueError/TypeError on some pages (bare_extraction then returns None);
    # the page must still get the balanced pass, not be recorded as an extraction failure. Faked here:
    # no page of the evaluation sets makes the main extractor raise.
    import integration_watch.extract.cascade as cascade_module
    from integration_watch.extract import extract_page

    def rejects(*args, **kwargs):
        raise ValueError("rejected")

    monkeypatch.setattr(cascade_module, "extract_content", rejects)
    result = extract_page(PAGES["article"](), "https://courier.example/news/1")
    assert result.is_article, result.reason
    assert all(p in result.text for p in BODY)
