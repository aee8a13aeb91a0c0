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
from integration_watch.extract.cleanup import clean_lines, comments_start
from integration_watch.extract.recover import one_copy

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


def test_article_that_goes_on_in_lists_of_prose_is_kept_whole():
    # The markup of a guide written in a layout table (every text replaced by our own words): three paragraphs,
    # then the article goes on as lists of prose opened inside a <p>. Precision mode's text stops before the first
    # list, and being long and clean it skipped trafilatura's fallback comparison, which finds the whole
    # (1,830 of 13,800 characters kept before).
    with gzip.open(PAGES / "article_going_on_in_lists.html.gz", "rt", encoding="utf-8") as fh:
        page = fh.read()
    tree = LexborHTMLParser(page)
    items = [text for node in tree.css("li") if node.css_first("ul, ol, p") is None
             and len(text := " ".join(node.text(deep=True, separator="").split())) >= 200]
    assert len(items) >= 10
    result = extract_page(page, "https://guide.example/regions")
    assert result.is_article, result.reason
    assert_whole_body(result.text, items)
    assert len(result.text) >= 0.9 * len(trafilatura.extract(page) or "")


def test_promotion_lines_inside_the_article_are_dropped():
    promos = [
        "Read more: Ferry service to the islands resumes after the storm",
        "Got a story? Get in touch with our news desk at news@courier.example",
        "Advertisement",
        "Story continues below advertisement",
        "Sign up to our free daily newsletter for the top stories",
        "Follow us on Facebook and Instagram",
        "Lesen Sie auch: Neue Sprachkurse in den Gemeinden",
        "Les også: Ferjeruten til øyene er i gang igjen etter stormen",
    ]
    lines = [BODY[0], promos[0], BODY[1], promos[2], promos[3], BODY[2], BODY[3], promos[1], BODY[4],
             promos[6], BODY[5], promos[7], promos[4], promos[5]]
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


def test_script_body_written_twice_over_does_not_double_the_text():
    # A national daily's template writes the article into its JSON-LD articleBody twice in a row, one
    # line without breaks: twice as long as the page's own text, it replaced that text, every sentence
    # doubled (precision .50 against the reference).
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Council opens reception centres",
          "articleBody": " ".join(BODY) + " " + " ".join(BODY)}
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    page = news_page(f"<article><h1>Council opens reception centres</h1>{paragraphs(chr(10).join(BODY))}</article>",
                     head)
    result = extract_page(page, "https://courier.example/news/centres")
    assert_whole_body(result.text)
    assert [result.text.count(p) for p in BODY] == [1] * len(BODY)


def test_one_copy_keeps_a_text_that_only_repeats_part_of_itself():
    text = " ".join(BODY)
    assert one_copy(text + "\n" + text) == text + "\n"
    assert one_copy(text + " " + text + " " + text).strip() == text
    assert one_copy(text + " " + BODY[0]) == text + " " + BODY[0]  # a quote repeated at the end is no copy
    assert one_copy(BODY[0] + " " + text) == BODY[0] + " " + text


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


def test_paragraph_after_nested_empty_inline_elements_is_kept():
    # A Greek health magazine's article: subheadings in <em><strong>, and the paragraph after each
    # subheading starts with the same pair left empty (<em><strong></strong></em>). Removing the empty
    # <strong> left an empty <em>, which precision mode deleted with the paragraph after it.
    blocks = [f"<div>{BODY[0]}</div>", "<br />", "<div><em><strong>What the council decided</strong></em></div>",
              f"<div><em><strong></strong></em>{BODY[1]}</div>", f"<div><br />{BODY[2]}</div>", "<br />",
              "<div><em><strong>What comes next</strong></em></div>", f"<div><em><strong></strong></em>{BODY[3]}</div>",
              f"<div><br />{BODY[4]}</div>", f"<div>{BODY[5]}</div>"]
    page = news_page(f'<div class="article"><h1>Council opens reception centres</h1>{"".join(blocks)}</div>')
    result = extract_page(page, "https://magazine.example/health/centres")
    assert result.is_article, result.reason
    assert_whole_body(result.text)


def test_first_line_of_a_body_written_between_br_is_kept():
    # A Polish daily's article body: a <section> whose text is bare lines between <br>s (the first with
    # a link inside), subheadings as <h4> between the lines, an advertisement <div> in the middle.
    # Precision mode kept every line after a <br> and dropped the section's opening text: the article
    # began at its second paragraph.
    body = (f'\n {BODY[0][:60]}<a href="https://other.example/x" class="alz">{BODY[0][60:90]}</a>{BODY[0][90:]}<br><br>'
            f"{BODY[1]}<br><br><h4>What the minister said</h4><br><br>{BODY[2]}"
            '<div id="ad_0" class="adWide"><a class="readOn" href="#read_on">Read on</a><div class="slot"></div></div>'
            f"<br><br>{BODY[3]}<br><br><h4>What comes next</h4><br><br>{BODY[4]}<br><br>{BODY[5]}\n")
    page = news_page(f"""<div class="article"><h1>Council opens reception centres</h1>
      <div class="photo"><img src="/p/1.jpg" alt="Centres"><p class="caption"><span>The first centre will open in
      a former school near the station, the council said.</span> (© Courier)</p></div>
      <section class="lead">Four new reception centres for young migrants: the council votes for the plan.</section>
      <section id="body" class="row">{body}</section></div>""")
    result = extract_page(page, "https://courier.example/news/centres,ar,123")
    assert result.is_article, result.reason
    assert_whole_body(result.text)
    assert result.text.index(BODY[0][:40]) < result.text.index(BODY[1][:40])


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


ZH_SUMMARY = (
    "天氣轉冷，仍有不少上班族每天騎自行車通勤。交通安全專家提醒，冬季清晨天色昏暗、路面濕滑，"
    "騎士應做好保暖與防護，出門前花幾分鐘檢查車況，就能大幅降低發生事故的風險。去年冬季全市共發生"
    "三百多起自行車事故，其中近半數發生在清晨六點到八點之間，多數騎士沒有開燈。"
)
ZH_STEPS = [
    ("", "專家指出，冬季早晚溫差大，許多騎士只顧著趕路，忽略了手腳凍僵會讓反應變慢，遇到突發狀況時來不及煞車。"),
    ("", "交通局表示，今年將在主要通勤路線增設自行車專用道與照明設備，並在路口加裝提醒標誌，希望減少傷亡。"),
    ("車燈要亮", "出門前確認前燈與尾燈電量充足，天色未亮或起霧時全程開燈，讓汽車駕駛遠遠就能看見你，備用電池也可以放一顆在背包裡。"),
    ("穿反光衣", "深色外套在夜裡幾乎看不見，建議加穿反光背心，或在背包與褲管貼上反光條，提高辨識度，安全帽後方也可以加裝閃燈。"),
    ("放慢速度", "下雨後路面濕滑，過彎與下坡時要提早減速，避免緊急煞車造成輪胎打滑而摔車受傷，經過水溝蓋時更要小心。"),
    ("手套保暖", "戴上防風手套可保持手指靈活，握緊把手與按壓煞車都更確實，耳朵也可用薄帽保護，但不要戴耳機聽音樂，以免聽不到來車。"),
    ("檢查胎壓", "氣溫下降時輪胎容易漏氣，每週至少檢查一次胎壓，胎紋磨平就應及早更換新胎，煞車皮也要一併檢查是否磨損。"),
    ("保持距離", "與前方車輛保持足夠距離，轉彎前先回頭確認並打手勢，不要在車陣中任意穿梭，等紅燈時也別停在大型車輛的死角。"),
    ("喝溫開水", "冷天不覺得口渴，身體其實仍在流失水分，長途騎乘記得帶一瓶溫開水，每半小時喝幾口，也可以準備一些小點心補充體力。"),
    ("注意天候", "出門前先查看氣象預報，遇到強風或大雨特報時，改搭大眾運輸工具會是比較安全的選擇，不必勉強出門。"),
    ("停車上鎖", "到了公司把車停在有監視器的車架，用兩把鎖分別鎖住車架與前輪，天黑前記得把車燈拆下帶走。"),
    ("換上雪胎", "山區或常結冰的路段，可以考慮換上較寬、抓地力較好的輪胎，並把胎壓稍微調低一點增加摩擦力。"),
    ("避開坑洞", "冬天道路施工較多，夜間騎車時留意路面坑洞與鐵板，必要時下車牽行，不要冒險通過，發現危險路段也可以向市府通報。"),
]
ZH_COACH = (
    "出發前可先原地活動肩膀與膝蓋五分鐘，讓身體暖和起來，騎乘時肌肉較不易拉傷，也比較不怕冷。"
    "他也建議初學者先在白天熟悉路線，等習慣了路況與車流，再開始在清晨或傍晚騎車通勤。"
)


def test_short_paragraphs_each_in_a_photo_box_of_their_own_are_kept():
    # The structure of a Taiwanese daily's how-to article: inside one <article>, each step is a box of its
    # own holding a "click to enlarge" photo link and a small <article> with the step's heading and one
    # short paragraph. trafilatura's precision mode deletes a box with a link and under 100 characters
    # of text, so most steps were lost; the lost-text check did not see it (no parent holds two prose
    # paragraphs, and a Chinese paragraph is short in characters).
    steps = "".join(
        f"""<div class="stepbox puretext"><article id="t{i}"><h1>{title}</h1><p>{text}<br></p></article></div>"""
        if not title else
        f"""<div class="stepbox normal"><a href="/photos/{i}.jpg" class="thickbox"><img src="/thumbs/{i}.jpg"/>
        <span>點圖放大</span></a><article id="t{i}"><h1>{title}</h1><p>{text}<br></p></article></div>"""
        for i, (title, text) in enumerate(ZH_STEPS)
    )
    page = f"""<html lang="zh-TW"><head><title>冬天騎車上班 注意保暖與安全 | 生活新聞</title></head><body>
    <div id="nav"><a href="/">首頁</a> <a href="/life">生活</a> <a href="/health">健康</a></div>
    <article id="content"><article class="article_paragraph">
      <h1>冬天騎車上班 注意保暖與安全</h1><h2>出門前檢查車燈 穿戴反光衣物</h2>
      <div class="article_paragraph_box"><p class="summary">{ZH_SUMMARY}</p>{steps}
      <div class="stepbox puretext"><article id="coach"><h1>教練說 多做暖身</h1><p>自行車教練 林志明<br>{ZH_COACH}</p></article></div>
      </div></article>
      <div class="instructionbox"><p>想把你對這篇報導的看法分享給朋友嗎？只要點選下方社群網站圖示，依照指示登入後，就可以把留言同步發表到你的個人頁面。</p></div>
      <div class="rules"><p>留言規範 【1】留言請在150字以內，發表後72小時由系統自動刪除。【2】請勿張貼廣告、人身攻擊或違反法律的內容，違者將被刪除留言並停權。【3】本網站保留刪除任何留言的權利，留言內容不代表本站立場。</p></div>
    </article><div id="footer"><p>© 生活新聞</p></div></body></html>"""
    result = extract_page(page, "https://life.example.tw/article/winter-cycling")
    assert result.is_article, result.reason
    flat = "".join(result.text.split())
    missing = [text[:12] for text in [ZH_SUMMARY, ZH_COACH, *(text for _, text in ZH_STEPS)] if text not in flat]
    assert not missing, f"paragraphs lost: {missing}"


def test_section_headings_with_a_permalink_icon_are_kept():
    # A blog whose generator puts a permalink icon (an <a href="#..."> holding only an <svg>) in every
    # section heading: trafilatura's precision mode took each heading for a box of links (all its
    # links, none with text) and deleted it; the article kept its paragraphs but lost its headings.
    icon = '<svg width="16" height="16" viewBox="0 0 16 16">\n    <path d="M4 8h8"></path>\n  </svg>'
    headings = ["1. The centres open in the spring", "2. Schools ask for language teachers",
                "3. What the review will look at"]
    sections = "".join(
        f'<h2 id="s{i}" tabindex="-1">{heading} <a class="header-anchor" href="#s{i}">{icon}</a></h2>'
        f"<p>{BODY[2 * i]}</p><p>{BODY[2 * i + 1]}</p>"
        for i, heading in enumerate(headings)
    )
    page = news_page(f'<div class="blog-post"><h1>Council opens reception centres</h1><div class="post-body">{sections}</div></div>')
    result = extract_page(page, "https://blog.example/2024/centres")
    assert result.is_article, result.reason
    assert_whole_body(result.text)
    lines = [norm(line) for line in result.text.splitlines()]
    missing = [heading for heading in headings if norm(heading) not in lines]
    assert not missing, f"section headings lost: {missing}"


def test_readers_comments_opened_by_their_house_rules_are_not_taken_for_the_article():
    # A TV station's news page (2012): in the story's container, after the last paragraph, the comment
    # section's rules in a <span> (no heading), then each reader's post as a paragraph: the name in bold,
    # a line break, the text. Precision mode kept the posts as the end of the article.
    posts = "".join(f"<p><b>{u}</b><br>{t}<br><br></p><hr>" for u, _, t in READER_COMMENTS)
    page = news_page(f"""<div id="story"><h1>Council opens reception centres</h1>
      <div class="storyBody">{"".join(f"<p>{p}</p><p></p>" for p in BODY)}
      <span class="note">*All comments are moderated and appear once an editor has read them.</span><hr>
      <p><a href="/comments/add?story=4250">Add your comment</a> | 4 comments</p><hr>{posts}</div></div>""")
    result = extract_page(page, "https://tv.example/news/council-centres")
    assert result.is_article, result.reason
    assert_whole_body(result.text)
    kept = [text[:30] for _, _, text in READER_COMMENTS if text in result.text]
    assert not kept, f"reader comments kept: {kept}"


TEASERS = [
    "The regional court ruled on Monday that the old harbour warehouse may be turned into flats, ending a dispute "
    "that lasted nine years between the owner and the city.",
    "Farmers in the south say the dry spring has cut their first hay harvest by a third, and ask the ministry to "
    "bring forward this year's payments.",
    "A new night train will link the capital with the northern coast from June, the railway company announced at "
    "a trade fair on Wednesday.",
    "The national museum will show a collection of medieval maps that a private owner has lent it for the first "
    "time in more than a century.",
]


def test_the_comment_prompt_ends_the_article_before_other_stories_teasers():
    # An English-language news site in Germany (2012): the article, the prompt "What do you think? Leave your
    # comment below.", then other stories' summaries, all in the story's container: precision mode kept the
    # summaries as the end of the article.
    teasers = "".join(f'<p>{t} <a href="/news/{n}">Read more</a></p>' for n, t in enumerate(TEASERS))
    page = news_page(f"""<div id="story"><h1>Council opens reception centres</h1>
      <div class="storyBody">{"".join(f"<p>{p}</p>" for p in BODY)}<p>Agencies/The Courier</p>
      <p><strong>What do you think? Leave your comment below.</strong></p>
      <div class="more-news">{teasers}</div></div></div>""")
    result = extract_page(page, "https://courier.example/news/council-centres")
    assert result.is_article, result.reason
    assert_whole_body(result.text)
    kept = [teaser[:30] for teaser in TEASERS if teaser[:30] in result.text]
    assert not kept, f"other stories' summaries kept: {kept}"


def test_house_rules_of_a_comment_section_start_it_in_several_languages():
    article = [BODY[0], BODY[1]]
    for rules in (
        "Comments are subject to moderation before they are published.",
        "We reserve the right to delete comments that insult other readers.",
        "Note: we are moderating all comments for a while because of spam.",
        "Kommentare werden vor der Veröffentlichung moderiert.",
        "Les commentaires sont modérés avant publication.",
        "I commenti sono moderati dalla redazione.",
        "Los comentarios son moderados antes de publicarse.",
        "Администрация сайта оставляет за собой право удалять сообщения с оскорблениями.",
    ):
        assert comments_start([*article, rules, "reader_anna", READER_COMMENTS[0][2]]) == 2, rules
    # a paragraph that speaks of moderation is not the rules of a comment section
    assert comments_start([*article, "The council said comments are moderated on its own site only."]) is None


def test_a_language_menu_is_not_text():
    # A TV station's page: its menu of the languages it broadcasts in, one name a line (each in its own
    # language), came out at the start of the text; so does a menu written on one line.
    menu = ["English", "Español", "Français", "简体", "正體", "日本語", "Русский", "한국어", "Português", "Čeština"]
    kept, _ = clean_lines("\n".join([*menu, *BODY, "Deutsch | Ελληνικά | Polski | Italiano | Svenska"]))
    assert kept == BODY
    # two names in a row are not a menu, nor is a sentence that names languages, nor an article's own list
    line = "The classes are taught in English and French, with help in Arabic for the first months."
    assert clean_lines("\n".join([BODY[0], "English", "Français", line]))[0] == [BODY[0], "English", "Français", line]
    own_list = [BODY[0], "Courses are offered in:", "- English", "- French", "- German", "- Spanish", "- Arabic"]
    assert clean_lines("\n".join(own_list))[0] == own_list


def test_a_news_agencys_unedited_feed_notice_is_not_text():
    notices = [
        "COURIER ONLINE hat diese Meldung redaktionell nicht bearbeitet. Sie wurde automatisch von einer "
        "Nachrichtenagentur übernommen.",
        "(Only the headline of this report may have been reworked by our staff; the rest of the content is "
        "auto-generated from a syndicated feed.)",
    ]
    kept, _ = clean_lines("\n".join([notices[0], *BODY[:2], notices[1], BODY[2]]))
    assert kept == [*BODY[:2], BODY[2]]
    # a sentence of an article that speaks of editing stays
    sentence = ("The council said the draft has not been edited by the legal team yet, and that the final text of the "
                "plan for the reception centres will be published in the spring, after the vote of the assembly and "
                "a meeting with the mayors of the four towns, who asked for more money for their schools.")
    assert clean_lines(sentence)[0] == [sentence]


def test_an_agency_notice_in_the_articles_header_is_not_taken_for_its_lead():
    notice = ("COURIER ONLINE hat diese Meldung redaktionell nicht bearbeitet. Sie wurde automatisch von einer "
              "Nachrichtenagentur übernommen.")
    body = "".join(f'<div class="paragraph"><p>{p}</p></div>' for p in BODY)
    page = news_page(f'<article><header><h1>Council opens reception centres</h1><p class="notice">{notice}</p>'
                     f'</header>{body}</article>')
    result = extract_page(page, "https://courier.example/news/centres")
    assert result.is_article, result.reason
    assert "redaktionell" not in result.text
    assert_whole_body(result.text)
