"""An article body that bare trafilatura keeps must not be lost (extract/maintext.py, recover.py,
cleanup.py, classify.py). Each page reproduces the structure of a news page on which extraction lost
or polluted the body, with our own text.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import trafilatura
from selectolax.lexbor import LexborHTMLParser

from extract_pages import norm, paragraphs
from integration_watch.extract import extract_page

PAGES = Path(__file__).parent / "pages"

BODY = [
    "The regional council agreed on Tuesday to open four new reception centres for young migrants who arrive "
    "without their families, after months of debate in the assembly.",
    "Councillors from every group voted for the plan, which moves the centres from the coast to inland towns "
    "where schools have free places and housing costs less than in the capital.",
    "The minister for social affairs said the first centre would open in the spring and that each would take "
    "up to forty young people, with teachers and social workers on site.",
    "Mayors of the four towns welcomed the decision but asked for money to hire more staff at local schools, "
    "which will need language classes for the new pupils.",
    "Aid organisations called the plan a step forward but warned that the centres must not become a way of "
    "keeping young people out of sight of the rest of the region.",
    "The council will review the plan after one year; the opposition asked that the review be published in "
    "full, with figures for each centre and each town.",
]


def news_page(main: str, head: str = "") -> str:
    return f"""<html lang="en"><head><title>Council opens reception centres | Daily Courier</title>{head}</head>
    <body><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
    {main}
    <footer><p>© Daily Courier. All rights reserved.</p><a href="/about">About us</a></footer></body></html>"""


def assert_whole_body(text: str, body: list[str] = BODY) -> None:
    flat = norm(text)
    missing = [p[:50] for p in body if norm(p) not in flat]
    assert not missing, f"body paragraphs lost: {missing}"


def test_body_continued_in_a_second_container_after_an_ad_is_kept():
    # The site closes its body container before an advertisement and opens a second one after it:
    # trafilatura (precision and balanced alike) takes the first container only.
    page = news_page(f"""<div class="wrapper"><h1>Council opens reception centres</h1>
      <div class="article-body">{paragraphs(chr(10).join(BODY[:3]))}</div>
      <div class="ad-slot"><p>Advertisement</p></div>
      <div class="article-body">{paragraphs(chr(10).join(BODY[3:]))}</div></div>""")
    result = extract_page(page, "https://courier.example/news/centres")
    assert result.is_article, result.reason
    assert_whole_body(result.text)
    assert "Advertisement" not in result.text
    assert result.text.count(BODY[0]) == 1


def test_page_where_precision_takes_a_box_instead_of_the_article_keeps_the_article():
    # The structure of a local news site (its markup, every text replaced by our own words): precision
    # mode takes a "most popular" tab box and an e-mail form for the text and misses the article,
    # which then looked like a listing page. The article is what sits in #article-bodytext.
    with gzip.open(PAGES / "precision_takes_a_box.html.gz", "rt", encoding="utf-8") as fh:
        page = fh.read()
    tree = LexborHTMLParser(page)
    body = [" ".join(p.text().split()) for p in tree.css("#article-bodytext p")]
    body = [p for p in body if len(p) >= 80]
    assert len(body) >= 5
    result = extract_page(page, "https://news.example/article/1")
    assert result.is_article, result.reason
    assert_whole_body(result.text, body)
    bare = trafilatura.extract(page) or ""
    assert len(result.text) >= 0.9 * len(bare)


def test_promotion_lines_inside_the_article_are_dropped():
    promos = [
        "Read more: Ferry service to the islands resumes after the storm",
        "Got a story? Get in touch with our news desk at news@courier.example",
        "Advertisement",
        "Story continues below advertisement",
        "Sign up to our free daily newsletter for the top stories",
        "Follow us on Facebook and Instagram",
        "Lesen Sie auch: Neue Sprachkurse in den Gemeinden",
    ]
    lines = [BODY[0], promos[0], BODY[1], promos[2], promos[3], BODY[2], BODY[3], promos[1], BODY[4],
             promos[6], BODY[5], promos[4], promos[5]]
    page = news_page(f"<article><h1>Council opens reception centres</h1>{paragraphs(chr(10).join(lines))}</article>")
    result = extract_page(page, "https://courier.example/news/centres")
    assert result.is_article, result.reason
    assert_whole_body(result.text)
    kept = [p for p in promos if p in result.text]
    assert not kept, f"promotion lines kept: {kept}"


def test_sentences_that_merely_start_like_a_promotion_are_kept():
    sentences = [
        "Read more than two hundred pages of the report and you find that only one town has a plan for the "
        "schools, the auditors wrote in their summary to the regional assembly on Monday.",
        "Follow us on the road from the coast to the mountains, the mayor told the visiting delegation, and "
        "you will see eleven villages that have lost half of their young people in twenty years.",
    ]
    page = news_page(f"<article><h1>Report</h1>{paragraphs(chr(10).join([*sentences, *BODY[:2]]))}</article>")
    result = extract_page(page, "https://courier.example/news/report")
    assert_whole_body(result.text, sentences)


def test_body_held_only_in_a_scripts_json_is_extracted():
    # A script-rendered news site: the HTML has the headline and an empty app root; the article is in
    # the JSON state the site ships for its app (not JSON-LD, which trafilatura reads itself).
    state = {"props": {"pageProps": {"article": {
        "headline": "Council opens reception centres",
        "articleBody": "<p>" + "</p><p>".join(BODY) + "</p>",
    }}}}
    head = f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(state)}</script>'
    page = news_page('<h1>Council opens reception centres</h1><div id="app" class="loading"></div>', head)
    result = extract_page(page, "https://courier.example/news/centres")
    assert result.is_article, result.reason
    assert_whole_body(result.text)
    assert "<p>" not in result.text


def test_short_script_body_does_not_replace_the_page_text():
    state = {"article": {"articleBody": BODY[0]}}
    head = f'<script type="application/json">{json.dumps(state)}</script>'
    page = news_page(f"<article><h1>Council</h1>{paragraphs(chr(10).join(BODY))}</article>", head)
    result = extract_page(page, "https://courier.example/news/centres")
    assert_whole_body(result.text)


def test_article_followed_by_boxes_of_linked_headlines_is_an_article():
    # "Latest news" and "most read" boxes after a short article: more linked lines than article lines,
    # which made the page look like a section page and lost the article.
    items = "".join(
        f'<li><div class="thumb"><img src="/img/{i}.jpg" alt=""></div><p><a href="/news/{i}.html">Headline number'
        f' {i} of the most read news from the region and its towns</a></p></li>'
        for i in range(10)
    )
    page = news_page(f"""<div class="content"><h1>Council opens reception centres</h1>
      {paragraphs(chr(10).join(BODY[:4]))}<h3>Popular today</h3><ul>{items}</ul></div>""")
    result = extract_page(page, "https://courier.example/news/centres")
    assert result.is_article, result.reason
    assert_whole_body(result.text, BODY[:4])


def br_lines(lines: list[str]) -> str:
    """Text lines separated by blank lines made of ``<br>``, as hand-written and older CMS pages write
    a body (no ``<p>``)."""
    return "<br>\n<br>\n".join(lines)


OTHER_STORIES = [
    "A bus driver who kept a school route running through the snow for three days has been thanked by the "
    "parents of the children on it.",
    "The city library will open on Sundays from next month, the culture office said, after a petition signed "
    "by two thousand readers.",
    "Fishermen in the northern harbour say the new quotas will cost them a third of their catch and have asked "
    "for a meeting with the minister.",
    "A survey of small shops found that half of them expect to take on more staff this year, most of them "
    "part-time workers.",
    "The old railway bridge over the river will be closed for repairs until the summer, and buses will replace "
    "the trains between the two towns.",
    "Students at the technical college have built a solar car that they hope to race across the country in "
    "the autumn.",
]


def test_body_written_as_br_separated_lines_after_a_related_list_is_kept():
    # The structure of an English-language news site of 2012: a bold lead in a <p> that a list of related
    # headlines closes, then the body as bare text with <br><br> between paragraphs, then a comment prompt
    # and a long box of the day's other stories. Precision mode kept the lead and the box, and the page's
    # <p> paragraphs (the box) were all in that text, so nothing said the body was missing.
    related = "".join(
        f'<li><strong><a href="/national/2012{i}.html">Earlier story number {i} on the reception of '
        f'migrants</a></strong> - <a href="/national/">National</a> <span class="small">({i} Jan)</span></li>'
        for i in range(1, 4)
    )
    stories = OTHER_STORIES + [s.replace("the", "a") for s in OTHER_STORIES]
    others = "".join(f'<div class="teaser"><p>{s}</p><a href="/news/{i}.html">More</a></div>' for i, s in enumerate(stories))
    page = news_page(f"""<div id="col1"><h1>Council opens reception centres</h1>
      <div id="articletext"><div class="body"><p><strong>{BODY[0]}</strong><br>
      <ul>{related}</ul>
      {br_lines(BODY[1:])}<br><br></p></div></div>
      <p class="leavecomment"><strong>What do you think? Leave your comment below.</strong></p>
      <div class="headlines"><h3>Today's headlines</h3>{others}</div></div>""")
    result = extract_page(page, "https://courier.example/national/20120110.html")
    assert result.is_article, result.reason
    assert_whole_body(result.text)


READER_COMMENTS = [
    ("reader_anna", "04.01.2012 (21:28)", "I hope the centres open soon, the young people have waited long enough in the coastal camps."),
    ("marek", "04.01.2012 (17:51)", "Who pays for all of this? Nobody asked the towns what they think about it before the vote."),
    ("guest", "04.01.2012 (15:23)", "The schools in my town already have classes of thirty pupils, where will the teachers come from?"),
    ("ola", "04.01.2012 (14:40)", "Good decision, finally something sensible from the council after months of talking."),
]


def comments_page(before: list[str], after: list[str]) -> str:
    """The structure of a Polish tabloid's article page (2012): a box of selected reader comments, a
    heading and a <dl> of author/date and text, inside the article's body container; ``after`` are
    paragraphs of the article that follow the box."""
    items = "".join(f"<dt><span class=\"commLogDate\"><b>{u}</b> {d}</span></dt><dd><p>{t}</p></dd>" for u, d, t in READER_COMMENTS)
    return news_page(f"""<div id="content"><div id="main-bar"><div id="article_main" class="article size2">
      <div class="header"><h1>Council opens reception centres</h1></div>
      <div class="articleBody"><div class="articleImg"><img src="/i/1.jpg" alt="The council"></div>
      {paragraphs(chr(10).join(before))}<p><strong>Anna Berg</strong></p><p>Reporter, regional desk</p>
      <div class="articleComm"><div class="articleCommHead"><div class="floatLeft"><h3>Selected comments</h3></div>
      <div class="floatRight pointer">see all &gt;&gt;</div></div><div class="articleCommBody"><dl>{items}</dl></div></div>
      {paragraphs(chr(10).join(after))}</div></div></div></div>""")


def test_readers_comments_under_the_article_are_not_taken_for_its_text():
    # Precision mode took the box of selected comments for the end of the article (heading, names,
    # dates and comments, as list items).
    result = extract_page(comments_page(BODY, []), "https://daily.example/news/council-centres,nId,4250")
    assert result.is_article, result.reason
    assert_whole_body(result.text)
    kept = [text[:30] for _, _, text in READER_COMMENTS if text in result.text]
    assert not kept, f"reader comments kept: {kept}"
    assert "Selected comments" not in result.text


def test_article_going_on_after_a_box_of_comments_is_kept_whole():
    result = extract_page(comments_page(BODY[:3], BODY[3:]), "https://daily.example/news/council-centres,nId,4250")
    assert result.is_article, result.reason
    assert_whole_body(result.text)


def test_paragraph_after_an_empty_bold_element_is_kept():
    # A health magazine's article written in <div>s, its subheadings in <strong>; one paragraph starts
    # with an empty <strong></strong> its editor left behind. trafilatura's precision mode deletes empty
    # elements with the text after them: that whole paragraph was lost (bare trafilatura kept it).
    blocks = [f"<div>{BODY[0]}</div>", "<br />", "<div><strong>What the council decided</strong></div>",
              f"<div><strong></strong>{BODY[1]}</div>", f"<div><br />{BODY[2]}</div>",
              "<div><strong>What comes next</strong></div>", f"<div><em></em>{BODY[3]}</div>",
              f"<div>{BODY[4]} {BODY[5]}</div>"]
    page = news_page(f'<div class="article"><h1>Council opens reception centres</h1>{"".join(blocks)}</div>')
    result = extract_page(page, "https://courier.example/health/centres")
    assert result.is_article, result.reason
    assert_whole_body(result.text)


RU_BODY = [
    "Городской совет в понедельник утвердил план открытия трёх новых консультационных центров для семей, "
    "которые приехали в город в прошлом году и ищут работу, жильё и место в школе для детей.",
    "Центры будут работать с утра до вечера, в том числе по субботам, а консультанты будут говорить на четырёх "
    "языках; первый из них откроется ещё до лета в районе возле вокзала.",
    "Общественные организации приветствуют решение, но спрашивают, где город возьмёт деньги на следующие годы, "
    "ведь нынешнего бюджета хватит только до конца декабря.",
]


def test_a_see_also_box_in_russian_after_the_article_is_dropped():
    # A Russian news portal ends its article with a "Смотрите также" box of dated headlines inside the
    # article container; precision mode kept it as the end of the article.
    related = "".join(
        f'<li>{day}.11.2011 1{day % 10}:40 <a href="/news/{day}">{title}</a></li>'
        for day, title in ((3, "Откуда взялось слово «вегетарианец»"), (30, "Что скрывают этикетки продуктов"),
                           (16, "Найдено новое свойство какао"), (12, "Как проверить качество мёда"))
    )
    page = f"""<html lang="ru"><head><title>Город откроет центры для семей</title></head><body>
      <div id="menu"><a href="/">Главная</a> <a href="/news">Новости</a></div>
      <div class="news-item"><h1>Город откроет центры для семей</h1>{paragraphs(chr(10).join(RU_BODY))}
      <p><b>Смотрите также</b></p><ul class="see-also">{related}</ul></div>
      <div id="footer">© Городской портал</div></body></html>"""
    result = extract_page(page, "https://portal.example.ru/news/centres")
    assert result.is_article, result.reason
    assert_whole_body(result.text, RU_BODY)
    assert "Смотрите также" not in result.text
    assert "качество мёда" not in result.text
