"""Where the article's prose is on pages written without ``<p>`` paragraphs or continued in a second
container (extract/maintext.py ``main_prose``, recover.py ``continued_paragraphs``): a body written as one
``<div>`` a paragraph is kept whole; a column of teasers or a list of other stories in the body's markup is
not taken for the article. Pages built on the structures of news pages where this went wrong, with our own text.
"""

from __future__ import annotations

import html
import html.entities
import json
import re

import pytest
from selectolax.lexbor import LexborHTMLParser

from extract_pages import paragraphs
from integration_watch.extract import extract_page
from integration_watch.extract.maintext import main_prose
from test_extract_lost_body import BODY, assert_whole_body, news_page

COMMENT_RULES = (
    "Comments are the opinions of their authors, not of the editors, and we are not responsible for their form "
    "or content.<br>Please keep to the rules of the forum."
)
REUSE_NOTICE = (
    "When you use material from this site, a link to it is required. The editors are not responsible for the "
    "content of advertisements and banners."
)


def test_paragraphs_written_as_divs_one_after_another_are_kept():
    # A news site writes each paragraph as a <div> of bare text, the last one after a <br>; the page's other
    # text in <p> (the comment rules, a notice) is long enough that precision mode reads no <div>'s text:
    # only the last paragraph came out. main_prose counts such a run of <div>s as one block of prose.
    divs = " ".join(f"<div>{p}</div>" for p in BODY[:3])
    page = news_page(f"""<div class="content"><h2>Council opens reception centres</h2>
      {divs} <br>{" ".join(BODY[3:])}
      <ul> 31 October 2025, 20:25</ul>
      <div class="add-comment"><p>{COMMENT_RULES}</p></div></div>
      <div><p>{REUSE_NOTICE}</p></div>""")
    result = extract_page(page, "https://courier.example/news/centres")
    assert result.is_article, result.reason
    assert_whole_body(result.text)


def test_a_column_of_teasers_written_as_divs_is_not_taken_for_the_main_prose():
    # Teasers of other stories written as <div>s of prose, each between its headline and its byline, hold
    # more text than the short article beside them. Taken for the page's main block of prose, they made the
    # balanced pass replace the article with the column. Text between the <div>s ends a run of paragraphs.
    teasers = "".join(
        f'<div><a href="/opinion/{i}">Opinion {i}</a></div><div>{p}</div><div>Anna Berg, 0{i}.04.2025</div>'
        for i, p in enumerate(BODY[2:], 1)
    )
    page = news_page(f"""<div class="article"><h1>Council opens reception centres</h1>
      {paragraphs(chr(10).join(BODY[:2]))}</div><div class="opinions">{teasers}</div>""")
    box, prose = main_prose(LexborHTMLParser(page))
    assert box is not None and box.attributes.get("class") == "article"
    assert prose == BODY[:2]


def test_other_stories_in_a_container_like_the_body_are_not_taken_for_its_continuation():
    # A news aggregator lists related stories after the article in a container of the same tag and class
    # as the body's: headlines with their source and age, all links. They were appended as the body's
    # continuation; a continuation must hold prose.
    related = "".join(
        f'<li><a href="/story/{i}">{title}</a> {source} - {age}</li>'
        for i, (title, source, age) in enumerate([
            ("Reception centres for young migrants planned in four inland towns", "Coast Weekly", "2 days ago"),
            ("Regional assembly debates the cost of new language classes for pupils", "Valley Post", "5 hours ago"),
            ("Aid groups warn against keeping young arrivals out of sight", "The Morning Herald", "9 hours ago"),
        ])
    )
    page = news_page(f"""<div class="wrapper"><h1>Council opens reception centres</h1>
      <div class="story">{paragraphs(chr(10).join(BODY))}</div>
      <h3>Related stories</h3><div class="story"><ul>{related}</ul></div></div>""")
    result = extract_page(page, "https://courier.example/news/centres")
    assert_whole_body(result.text)
    assert "hours ago" not in result.text and "days ago" not in result.text


GUIDE = [
    "Every town in the region now offers free language courses to newcomers, but the courses differ widely in "
    "length, level and timetable. We visited six of them to help you choose the one that suits you best.",
    "All six are open to adults who have lived in the region for less than three years, whatever their status, "
    "and all of them give a certificate that employers and schools recognise.",
]
COURSES = [
    ("Evening course in the harbour library", "Twice a week after work, in small groups of eight, with a teacher "
     "who also helps with letters from the authorities and the forms of the job centre."),
    ("Intensive summer school at the college", "Six weeks, every morning, ending with the official B1 exam; "
     "childcare is provided on the campus for children between two and six years old."),
    ("Language café at the town hall", "Informal conversation every Saturday with volunteers from the town, "
     "for those who already know the basics and want to speak more freely with their neighbours."),
    ("Online course of the regional university", "Lessons you can follow at any hour from a phone or a computer, "
     "with a tutor who answers questions in writing within two working days."),
    ("Course for parents at the primary school", "While the children are in class, their parents learn the words "
     "of school life: timetables, reports, meetings with teachers and the school's letters home."),
    ("Work placement course of the chamber of trade", "Three days a week in a workshop or a shop, two days in class, "
     "for those who want to learn the language of a trade while they learn the trade itself."),
]


def test_section_headings_that_are_links_are_kept():
    # A list article links each section's heading to the place it presents. Precision mode deleted the
    # headings as link boxes; the items then ran together without their names.
    sections = "".join(f'<h3><a href="https://example.org/course/{i}">{name}</a></h3><p>{text}</p>'
                       for i, (name, text) in enumerate(COURSES))
    related = "".join(f'<h3><a href="/news/{i}">{title}</a></h3>' for i, title in enumerate(
        ["Ferry timetable changes for the winter", "New cycle path along the river opens in May"]))
    page = news_page(f"""<article><h1>Six ways to learn the language</h1><div class="body-text">
      {paragraphs(chr(10).join(GUIDE))}{sections}</div></article><div class="related">{related}</div>""")
    result = extract_page(page, "https://courier.example/guides/language-courses")
    assert result.is_article, result.reason
    lines = result.text.splitlines()
    assert [name for name, _ in COURSES if name in lines] == [name for name, _ in COURSES]
    assert_whole_body(result.text, GUIDE + [text for _, text in COURSES])
    assert "Ferry timetable" not in result.text and "cycle path" not in result.text


def _escaped_markup(body: list[str]) -> str:
    """``body`` as a site's template writes it into ``articleBody``: paragraphs in ``<p>`` tags, letters
    written as named entities (``&ccedil;``), then the whole escaped once more (``&lt;p&gt;``, ``&amp;ccedil;``)."""
    numbered = (html.escape(p).encode("ascii", "xmlcharrefreplace").decode() for p in body)
    markup = "".join(f'<p class="article__paragraph article__paragraph--serif">{p}</p>' for p in numbered)
    named = re.sub(r"&#(\d+);", lambda m: f"&{html.entities.codepoint2name[int(m[1])]};", markup)
    return html.escape(named)


#: a Portuguese report: its many accented letters, written as entities, make the escaped body long
ACCENTED = [
    "A câmara municipal aprovou na terça-feira a abertura de quatro centros de acolhimento para jovens migrantes "
    "que chegam sem as famílias, depois de meses de discussão na assembleia.",
    "Os vereadores de todos os partidos votaram a favor do plano, que leva os centros da costa para vilas do "
    "interior onde as escolas têm vagas e a habitação é mais barata do que na capital.",
    "A ministra da solidariedade disse que o primeiro centro abrirá na primavera e que cada um receberá até "
    "quarenta jovens, com professores e técnicos de ação social.",
    "Os presidentes das quatro câmaras saudaram a decisão, mas pediram verbas para contratar mais pessoal nas "
    "escolas, que vão precisar de aulas de língua para os novos alunos.",
]


@pytest.mark.parametrize("with_page_text", [True, False], ids=["page text too", "script only"])
def test_a_script_body_written_as_escaped_markup_gives_text(with_page_text):
    # A news site writes its JSON-LD articleBody as escaped HTML. Taken with its markup, it counted as much
    # longer than the page's text, replaced it, and the article came out as tags and entities.
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Câmara abre centros de acolhimento",
          "articleBody": _escaped_markup(ACCENTED)}
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    own = paragraphs(chr(10).join(ACCENTED)) if with_page_text else '<div id="app"></div>'
    page = news_page(f"<article><h1>Câmara abre centros de acolhimento</h1>{own}</article>", head)
    result = extract_page(page, "https://courier.example/news/centres")
    assert result.is_article, result.reason
    assert_whole_body(result.text, ACCENTED)
    assert not [mark for mark in ("<p", "&lt;", "&amp;", "&ccedil;", "class=") if mark in result.text]


def test_a_body_shipped_under_a_content_systems_own_key_is_extracted():
    # A Korean daily renders its pages in the browser from a JSON state pushed by a script; the article's HTML
    # is under "contentHtml", not schema.org's "articleBody": the page came out empty.
    state = {"queries": [{"state": {"data": {"detail": {
        "title": "Council opens reception centres",
        "contentHtml": '<div class="editor-img-box"><img src="/i/1.jpg"></div>' + "".join(f"<p>{p}</p>" for p in BODY),
    }}}}]}
    push = f'window["__STATE__"] = window["__STATE__"] || []; window["__STATE__"].push({json.dumps(state)});'
    head = f"<script>{push}</script>"
    page = news_page('<h1>Council opens reception centres</h1><div id="__next"></div>', head)
    result = extract_page(page, "https://daily.example/news/A2026012914320005196")
    assert result.is_article, result.reason
    assert_whole_body(result.text)
    assert "<p>" not in result.text and "editor-img-box" not in result.text


def test_a_script_body_written_in_markdown_gives_text():
    # A magazine publisher ships the article in its app's JSON state as Markdown with its own component
    # markers; the page itself shows only the opening (the rest loads as the reader scrolls). The text came
    # out with "[label](url)" links, "+++dropcap" and "[#image: ...]" lines.
    markdown = "\n\n".join([
        "+++dropcap",
        f"{BODY[0][:60]}[{BODY[0][60:90]}](https://courier.example/tag/centres){BODY[0][90:]}",
        f"{BODY[1]}", "[#image: /photos/6442ac41a765]", '{: legacyType="feature-small"}', "+++",
        f"*{BODY[2][:20]}*{{: .small}}{BODY[2][20:]}", "## What the towns say", *BODY[3:],
    ])
    state = {"article": {"headline": "Council opens reception centres", "articleBody": markdown}}
    head = f'<script type="application/json" id="preloaded-state">{json.dumps(state)}</script>'
    page = news_page(f"<article><h1>Council opens reception centres</h1>{paragraphs(BODY[0])}</article>", head)
    result = extract_page(page, "https://courier.example/news/centres")
    assert_whole_body(result.text)
    assert "What the towns say" in result.text.splitlines()
    assert not [mark for mark in ("](", "+++", "[#image", "{:", "*", "##") if mark in result.text]
