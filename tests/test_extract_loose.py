"""Article text written loose beside blocks (extract/loose.py): a paragraph written as bare text after a
photo box or an ad slot must not go with the box. Pages built on the structures of news pages where it
went, with our own text.
"""

from __future__ import annotations

import pytest
from lxml.html import fragment_fromstring, tostring

from extract_pages import norm
from integration_watch.extract import extract_page
from integration_watch.extract.loose import wrap_prose_after_blocks

BEFORE = [
    "The council of the small harbour town voted on Tuesday evening to rebuild the old stone pier, which "
    "storms had damaged twice in the past three winters.",
    "Fishermen had asked for the repair for years, saying that the broken quay forced them to unload their "
    "boats at a beach two kilometres away.",
    "The mayor said the work would begin in the spring and should be finished before the summer season "
    "brings the ferries back to the harbour.",
]
#: the paragraph written straight after the box, as bare text with a link inside it
LOOSE = (
    "Engineers who surveyed the pier last autumn found that the foundations were sound, but that the upper "
    "layer of stones had shifted by almost half a metre along its northern side, which is why the "
    '<a href="/tags/budget">repair budget</a> is lower than the town had feared.'
)
AFTER = [
    "Local shops welcomed the decision, since the ferry traffic brings most of their yearly income in a few "
    "busy months.",
    "The regional government will pay two thirds of the bill, and the town will borrow the rest from a "
    "public fund for coastal works.",
    "A public meeting about the timetable of the works is planned for next month in the town hall, the "
    "council said in a statement.",
]

PHOTO_BOX = """<div class="fig-frame"><span><div class="figure"><figure><img src="/img/pier.jpg" alt="">
  </figure><p class="legend">The old pier</p></div></span></div>"""
AD_SLOT = '<div class="ad-slot" id="ad-7"></div>'


def harbour_page(box: str) -> str:
    before = "".join(f"<p>{p}</p>" for p in BEFORE)
    after = "".join(f"<p>{p}</p>" for p in AFTER)
    return f"""<html lang="en"><head><title>Harbour town will rebuild its pier | Coast Weekly</title></head>
    <body><nav><a href="/">Home</a> <a href="/towns">Towns</a> <a href="/sea">Sea</a></nav>
    <h1>Harbour town will rebuild its pier</h1>
    <div class="body article-content">{before}{box}{LOOSE}<p></p>{after}</div>
    <footer><p>© Coast Weekly</p><a href="/about">About us</a></footer></body></html>"""


@pytest.mark.parametrize("box", [PHOTO_BOX, AD_SLOT], ids=["photo box", "empty ad slot"])
def test_a_paragraph_written_straight_after_a_box_is_kept(box):
    # Precision mode deleted the box (emptied by cleaning) together with the text after it.
    result = extract_page(harbour_page(box), "https://coast.example/towns/pier")
    assert result.is_article, result.reason
    text = norm(result.text)
    assert norm(fragment_fromstring(LOOSE, create_parent="p").text_content()) in text
    missing = [p[:40] for p in BEFORE + AFTER if norm(p) not in text]
    assert not missing, missing


TICKER = [
    ("90'", "The referee ends the match: the visitors hold on to their one-goal lead after a long and nervous "
            "final quarter of an hour."),
    ("84'", "Corner for the home side."),
    ("77'", "A shot from the edge of the area goes wide of the post, and the home fans groan as the clock runs "
            "down towards the end."),
    ("61'", "Yellow card for the visiting captain!"),
    ("12'", "Both teams look for their rhythm in these first minutes."),
]


def test_a_live_ticker_written_without_paragraphs_keeps_its_short_entries():
    # Each entry is text after an empty title box; the page has no <p>. Putting only the long entries into
    # paragraphs made trafilatura read the paragraphs and skip every other entry.
    entries = "".join(
        f'<div class="entry"><div class="time"><span>{minute}</span></div><div class="entry-body">'
        f'<div class="entry-title"><span class="icon"></span></div>{text}</div></div>'
        for minute, text in TICKER
    )
    page = f"""<html lang="en"><head><title>Live: Harbour United v Hill Rovers</title></head><body>
    <h1>Harbour United v Hill Rovers, live</h1><div class="live">{entries}</div></body></html>"""
    result = extract_page(page, "https://coast.example/sport/live/harbour-hill")
    text = norm(result.text)
    missing = [entry[:30] for _, entry in TICKER if norm(entry) not in text]
    assert not missing, missing


def test_only_prose_after_a_block_is_put_into_a_paragraph():
    # A footer's notice after a block (no sentence end) and short text stay as they are; so does loose text
    # in an element without paragraphs.
    footer = fragment_fromstring(
        '<div><p>Our address and telephone number are listed on the contact page of this site.</p>'
        '<div class="logo"><img src="/logo.png"></div>Material of the press centre is based on press '
        'conferences, round tables and press releases of the agencies,<br>all rights reserved</div>'
    )
    short = fragment_fromstring('<div><p>A paragraph of the article.</p><div class="ad"></div>Short line.</div>')
    no_paragraphs = fragment_fromstring(f'<div><div class="ad"></div>{LOOSE}</div>')
    for element in (footer, short, no_paragraphs):
        before = tostring(element)
        wrap_prose_after_blocks(element)
        assert tostring(element) == before
    article = fragment_fromstring(f'<div><p>{BEFORE[0]}</p>{AD_SLOT}{LOOSE}<br>Next line.</div>')
    wrap_prose_after_blocks(article)
    assert [child.tag for child in article] == ["p", "div", "p"]
    assert norm(article[2].text_content()).startswith("Engineers who surveyed")


LINES = [
    "The water company will replace the pipes under the old town's main street this winter, after three "
    "bursts in two months left hundreds of homes without water for days.",
    "Work starts on the first Monday of December and the street will be closed to cars in stages of about "
    "two hundred metres, the company said.",
    "Shopkeepers asked for the work to stop over the Christmas weeks, and the town hall promised to discuss "
    "a pause with the company before the end of the month.",
    "Residents can follow the progress of the work on a map that the company will update every evening on "
    "its website and at the entrance of the town hall.",
]


#: other stories' teasers, as <p> elements inside the element that holds the body's lines
TEASERS = [
    "29.09 12:59 Doctors explain why it is worth giving up sugar and salt in the winter months",
    "07.09 13:58 A raw food diet tried for a month by three of our reporters",
    "27.08 05:36 Lose weight with olive oil and olives, say cooks from the south",
    "20.08 11:43 Seven useful foods for the cold season",
]


@pytest.mark.parametrize("lead", [f"\n        {LINES[0]}\n", f"<strong>{LINES[0]} </strong>\n"], ids=["bare text", "bold"])
def test_the_opening_line_of_a_body_written_as_loose_lines_is_kept(lead):
    # The body is loose text in a <div>: its opening line, a <br>, the rest; the same <div> ends with other
    # stories' teasers as <p>s. With that much text in <p> elements, precision mode reads no <div>'s own text
    # and kept only the text after the <br>: the article lost its first paragraph, bare or written in bold.
    teasers = "".join(f"<p>{teaser}</p>" for teaser in TEASERS)
    page = f"""<html lang="en"><head><title>New pipes for the main street | Valley Post</title></head>
    <body><nav><a href="/">Home</a> <a href="/town">Town</a></nav><h1>New pipes for the main street</h1>
    <div id="content"><div>{lead}<br>\n{" ".join(LINES[1:])}\n{teasers}</div></div></body></html>"""
    result = extract_page(page, "https://valley.example/town/pipes")
    assert result.is_article, result.reason
    text = norm(result.text)
    missing = [line[:40] for line in LINES if norm(line) not in text]
    assert not missing, missing
    assert text.index(norm(LINES[0])) < text.index(norm(LINES[1]))


def test_a_caption_opening_the_article_box_is_not_put_back():
    # The article's box opens with a photo's caption in a <span> (not bare text, not bold): trafilatura drops
    # it and it stays dropped.
    caption = "Workers lay new water pipes in a trench on a street of the old town, under the eyes of residents."
    paragraphs = "".join(f"<p>{line}</p>" for line in LINES)
    page = f"""<html lang="en"><head><title>New pipes | Valley Post</title></head><body>
    <h1>New pipes for the main street</h1><section class="articlebody"><span class="image"><img src="/p.jpg">
    <span class="caption">{caption}</span></span>{paragraphs}</section></body></html>"""
    result = extract_page(page, "https://valley.example/town/pipes")
    assert norm(LINES[0]) in norm(result.text)
    assert norm(caption) not in norm(result.text)


def test_a_style_sheet_opened_by_a_self_closed_style_tag_is_not_text():
    # A TV station's news page: "<style type="text/css" />", the rules, "</style>", and the story as <div> text.
    # A browser reads the rules as the style sheet; lxml closed the element at once and ignored the end tag,
    # and the rules came out as the article's first lines.
    rules = "body {\n\tmargin: 0 0 0 0;\n}\n#top-text {\n    padding: 3px 8px 0px 8px;\n    white-space: nowrap;\n}"
    page = f"""<html lang="en"><head><title>Harbour town will rebuild its pier</title></head><body>
    <div id="page-bg"><center><div id="page"><div id="top"><a name="top"></a>
    <style type="text/css" />\n{rules}\n</style>
    <div id="top-text">Coast TV news</div></div>
    <div class="news"><div class="news-title">Harbour town will rebuild its pier</div><div class="date">2012/1/11</div>
    <div class="news-text">{"<br><br>".join(BEFORE)}</div></div></div></center></div></body></html>"""
    result = extract_page(page, "https://coast.example/news/pier")
    assert result.is_article, result.reason
    assert "padding" not in result.text and "{" not in result.text
    assert all(norm(line) in norm(result.text) for line in BEFORE)


def test_a_line_with_a_soft_hyphen_is_not_put_back_twice():
    # The page's text holds a soft hyphen and a zero-width space that trafilatura's text drops: the body's
    # opening line, which precision mode kept, was not recognised in the text and was put back a second time.
    first = LINES[0].replace("company", "com\u00adpany").replace("old town's", "old\u200b town's")
    page = f"""<html lang="en"><head><title>New pipes for the main street | Valley Post</title></head>
    <body><h1>New pipes for the main street</h1>
    <div id="content"><div>{first}<br>\n{"<br>".join(LINES[1:])}\n</div></div></body></html>"""
    result = extract_page(page, "https://valley.example/town/pipes")
    assert result.is_article, result.reason
    assert result.text.count("will replace the pipes") == 1


#: a short paragraph of the article (under 200 characters) that links to another page
LINKED = ('But the vote was clear before the meeting began, while the opposition is expected to ask for '
          '<a href="/news/pier-review.html" title="Pier review">a review of the costs</a> by the autumn.')


def wrapped_page(extra: str = "") -> str:
    # A site built by a script framework: every paragraph inside <div> elements of its own, a photo box between.
    def wrap(p: str) -> str:
        return f'<div class="sc-para"><div class="sc-inner"><div><div><p>{p}</p></div></div></div></div>'
    photo = ('<div class="sc-photo full-bleed"><div><picture><img src="/img/pier.jpg" width="900" height="600">'
             '</picture><div class="sc-caption">The old stone pier</div><div class="sc-credit">AGENCY</div></div></div>')
    body = "".join(map(wrap, BEFORE)) + photo + wrap(LINKED) + "".join(map(wrap, AFTER)) + extra
    return f"""<html lang="en"><head><title>Harbour town votes to rebuild its pier | Evening Post</title></head>
    <body><nav><a href="/">Home</a> <a href="/news">News</a></nav><article><h1>Harbour town votes to rebuild its
    pier</h1><div class="sc-body">{body}</div></article><footer><a href="/about">About</a></footer></body></html>"""


def test_a_short_paragraph_with_a_link_alone_in_its_own_divs_is_kept():
    # Precision mode deletes a <div> that holds a link and less than 200 characters: the paragraph's own wrapper.
    result = extract_page(wrapped_page(), "https://post.example/news/pier")
    assert result.is_article, result.reason
    flat = norm(result.text)
    assert norm("But the vote was clear before the meeting began") in flat
    assert all(norm(p) in flat for p in BEFORE + AFTER)


def test_a_hidden_pop_ups_paragraph_stays_out():
    popup = ('<div style="display:none;"><div class="popup"><div class="popup-content"><p>You must have an account '
             'with us to follow this topic and get our weekly letter. Please <a href="/login">log in</a>.</p>'
             '</div></div></div>')
    result = extract_page(wrapped_page(popup), "https://post.example/news/pier")
    assert "You must have an account" not in result.text
    assert norm("But the vote was clear before the meeting began") in norm(result.text)
