"""The standfirst (the article's lead, written in a block of its own right before the body) must not be
lost (extract/recover.py ``standfirst``). Pages built on the structures of news pages where it was lost,
in a layout of tables and in one of ``<div>`` elements, with our own text.
"""

from __future__ import annotations

import pytest

from extract_pages import norm
from integration_watch.extract import extract_page
from test_extract_loose import AFTER, BEFORE

LEAD = (
    "After three winters of storms and years of complaints from fishermen, the harbour town will finally "
    "rebuild its old stone pier, at a cost lower than feared."
)
BODY = [*BEFORE, *AFTER[:2]]  # the harbour town's article (test_extract_loose.py)
MENU = "".join(f'<a href="/section/{n}">Section {n}</a><br>' for n in range(1, 9))
URL = "https://coast.example/news/pier"


def table_page(lead_cell: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in BODY)
    return f"""<html lang="en"><head><title>Harbour town will rebuild its pier | Coast Weekly</title></head><body>
    <table width="100%"><tr><td width="150">{MENU}</td><td>
      <table><tr><td><h1>Harbour town will rebuild its pier</h1></td></tr><tr><td class="date">12.01.2012</td></tr>
      <tr>{lead_cell}</tr><tr><td class="text">{body}</td></tr></table></td></tr>
    <tr><td colspan="2">© Coast Weekly 2012 <a href="/about">About</a> <a href="/ads">Advertising</a></td></tr>
    </table></body></html>"""


def div_page(before_body: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in BODY)
    return f"""<html lang="en"><head><title>Harbour town will rebuild its pier | Coast Weekly</title></head><body>
    <div class="menu">{MENU}</div><div class="main"><h1>Harbour town will rebuild its pier</h1>
    <div class="date">12.01.2012</div>{before_body}<div class="text">{body}</div></div>
    <div class="footer">© Coast Weekly 2012 <a href="/about">About</a></div></body></html>"""


def header_page(header_lead: str) -> str:
    # A public broadcaster's article: topic line, headline, date and lead in the article's <header>, the body's
    # paragraphs each in a box of their own after it.
    body = "".join(f'<div class="paragraph"><p class="text">{p}</p></div>' for p in BODY)
    return f"""<html lang="en"><head><title>Harbour town will rebuild its pier | Coast Radio</title></head><body>
    <div class="channel"><a href="/">Coast Radio</a></div><nav class="subnav">{MENU}</nav>
    <article class="articlepage"><header class="articlehead"><p class="topline">Harbour</p>
      <h1>Harbour town will rebuild its pier</h1><div class="lastchanged">Updated: 12.01.2024 05:00</div>
      {header_lead}</header>{body}</article>
    <footer><a href="/about">About</a> <a href="/privacy">Privacy</a></footer></body></html>"""


def assert_lead_then_body(text: str) -> None:
    flat = norm(text)
    assert norm(LEAD) in flat, "standfirst lost"
    missing = [p[:40] for p in BODY if norm(p) not in flat]
    assert not missing, missing
    assert flat.index(norm(LEAD)) < flat.index(norm(BODY[0]))


@pytest.mark.parametrize(
    "page",
    [
        table_page(f'<td class="lead">{LEAD}</td>'),
        table_page(f'<td class="lead"><b>{LEAD}</b></td>'),
        div_page(f'<div class="standfirst">{LEAD}</div>'),
        div_page(f'<p class="intro">{LEAD}</p>'),
        header_page(f'<p class="preface">{LEAD}</p>'),
    ],
    ids=["table row", "table row in bold", "div", "paragraph", "in the article's header"],
)
def test_the_standfirst_before_the_body_is_kept(page):
    # trafilatura takes the body's element and leaves the lead in the block before it. Bare trafilatura kept
    # it on the table page (as a row of the table), and lost it on the page of <div> elements too.
    result = extract_page(page, URL)
    assert result.is_article, result.reason
    assert_lead_then_body(result.text)


@pytest.mark.parametrize(
    "before_body, unwanted",
    [
        ('<div class="related"><h3>Related</h3><ul><li><a href="/a">Ferry timetable changes for the summer season'
         '</a></li><li><a href="/b">Storm damage costs the region millions of euros</a></li></ul></div>',
         "Ferry timetable"),
        ('<div class="photo"><img src="/pier.jpg" alt=""><span>The old stone pier after the storm of last winter, '
         'seen from the lighthouse at the end of the harbour wall.</span></div>', "seen from the lighthouse"),
        ('<div class="notice">This article may contain links to our partners; read our policy on affiliate links '
         'and sponsored content</div>', "affiliate links"),
    ],
    ids=["box of links", "photo caption", "not a sentence"],
)
def test_what_is_not_a_standfirst_stays_out(before_body, unwanted):
    result = extract_page(div_page(before_body), URL)
    assert result.is_article, result.reason
    assert unwanted not in result.text
    assert norm(BODY[0]) in norm(result.text)


def test_a_teaser_in_the_header_of_another_story_inside_the_article_stays_out():
    # Only the article's own first paragraph is taken from a <header>: a card of another story inside the
    # article's element (its header holding a teaser of prose) is not a lead.
    teaser = ("The ferry company will add two evening crossings to the islands this summer, after a winter in "
              "which many trips were cancelled because of the storms.")
    card = f'<aside><article class="card"><header><p class="teaser">{teaser}</p></header></article></aside>'
    page = header_page("").replace("</article>\n", f"{card}</article>\n", 1)
    assert card in page
    result = extract_page(page, URL)
    assert result.is_article, result.reason
    assert "ferry company" not in result.text
    assert norm(BODY[0]) in norm(result.text)


def test_a_photo_caption_in_the_articles_header_stays_out():
    caption = ("The old stone pier seen from the lighthouse after the storm of last winter, when waves broke over "
               "the harbour wall for two days.")
    page = header_page(f'<figure><img src="/img/pier.jpg" alt=""><figcaption><p>{caption}</p></figcaption></figure>')
    result = extract_page(page, URL)
    assert result.is_article, result.reason
    assert "seen from the lighthouse" not in result.text
    assert norm(BODY[0]) in norm(result.text)
