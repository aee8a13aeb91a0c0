"""The end of the article: boxes of links that a portal puts right under it are not its text
(extract/tail.py), and the article's own closing list is (a ranking, a shopping guide's items).
Each page has the structure of a news page where this went wrong, with our own text."""

from __future__ import annotations

from extract_pages import norm
from integration_watch.extract import extract_page
from integration_watch.extract.cleanup import strip_marker
from integration_watch.extract.facts import page_facts
from integration_watch.extract.maintext import main_prose
from integration_watch.extract.tail import without_trailing_boxes

LEAD = (
    "The health authority of the northern province asked residents on Monday to stay calm after a "
    "farm worker died of a rare strain of avian influenza, the first such death in two years."
)
BODY = [
    "Doctors at the provincial hospital said the 41-year-old man had handled sick poultry at the "
    "market where he worked and fell ill three days before the new year.",
    "- The virus does not yet pass from one person to another, the authority said in a statement.",
    "He had been in contact with about ninety people, none of whom has shown any symptoms so far.",
    "The neighbouring city raised its alert level to the third of five steps and stopped imports of "
    "live birds from two districts for three weeks while samples are tested.",
    "Scientists fear a pandemic if the virus changes so that it can spread easily between people, "
    "which is why every case is reported to the world health organisation within a day.",
    "The province has the largest poultry flocks in the country and is watched closely each winter.",
]

_TEASERS = [
    ("Harbour strike", "Dock workers walk out over night shifts", "Talks broke down after a week of..."),
    ("Elections", "Mayor announces she will not stand again", "The mayor said the city needs new..."),
    ("Weather", "Storm closes mountain roads for a second day", "Snow ploughs could not reach the..."),
]
_TODAY = [
    ("Ferry timetable changes from March", "News"),
    ("Second-hand car prices keep rising", "Motoring"),
    ("Museum reopens its textile hall", "News"),
    ("Coach leaves the club after ten years", "Sport"),
    ("Soap star takes a break from filming", "Series"),
    ("New cycle lanes for the old town", "Local"),
    ("Cup draw pairs the two city rivals", "Sport"),
    ("Quiz show returns in the autumn", "Entertainment"),
]
_SERVICES = [
    ("Recipes", "Hungry? Our kitchen has a dish for every day of the week."),
    ("Dictionary", "Lost for words? Look them up in our dictionary."),
    ("Radio", "What is playing in your head is playing on our radio too."),
    ("Horoscope", "What do the stars say about your week? Read it here."),
]


def _portal_page(article_end: str = "") -> str:
    """An older portal's article page: lead and body in their own boxes inside ``articleSingle``, then
    the portal's boxes of teasers, "today on the portal" headlines with their section's name as plain
    text, and its services, all links, in a wrapper list after the article."""
    teasers = "".join(
        f"""<li><div class="article"><div class="thumbnail"><a href="/n/{i}"><span><img src="/i/{i}.jpg" alt="{title}"></span></a></div>
        <div class="category"><a href="/c/{i}"><span>{section}</span></a></div>
        <div class="title"><h4><a href="/n/{i}">{title}</a></h4></div>
        <div class="textContent description"><p>{blurb} <a class="seeMore" href="/n/{i}"><span>more</span></a></p></div></div></li>"""
        for i, (section, title, blurb) in enumerate(_TEASERS)
    )
    today = "".join(
        f"""<li><div class="thumbnail"><a href="/t/{i}"><span><img src="/i/none.gif" alt=""></span></a></div>
        <div class="title"><h4><a href="/t/{i}">{title}</a><span class="more"></span></h4></div>
        <div class="service">{section}</div></li>"""
        for i, (title, section) in enumerate(_TODAY)
    )
    services = "".join(
        f"""<li><a href="https://{name.lower()}.example" class="linkTitle">{name}</a> {blurb}</li>"""
        for name, blurb in _SERVICES
    )
    body = "".join(f"<p>{p}</p>" for p in BODY)
    return f"""<html lang="en"><head><title>Bird flu death: authority asks for calm | Portal News</title>
    <meta property="og:type" content="article"></head><body>
    <div id="header"><a href="/">Portal</a> <a href="/news">News</a> <a href="/sport">Sport</a></div>
    <div class="main-content"><div class="box articleSingle" id="articleSingle1"><div class="boxBody">
      <div class="title"><h1>Bird flu death: authority asks for calm</h1></div>
      <div class="lead textContent"><p><strong>{LEAD}</strong></p></div>
      <div class="text textContent">{body}{article_end}</div>
      <div class="category"><h3><span class="label">Filed under:</span> <span class="value">World</span></h3></div>
      <div class="toTop"><a href="#">Back to the top of the article</a></div>
    </div></div>
    <div class="box commonWrapperTabs"><div class="boxBody"><div class="boxList"><ul>
      <li class="boxListEntry"><div class="box recommendationWrapper"><div class="wrapperHeader"><h3>We recommend</h3></div>
        <div class="wrapperBody"><div class="list"><ul>{teasers}</ul></div></div></div></li>
      <li class="boxListEntry"><div class="box todayInPortalWrapper"><div class="wrapperHeader"><h3>Today on the portal</h3></div>
        <div class="wrapperBody"><div class="list"><ul class="column1">{today}</ul></div></div></div></li>
      <li class="boxListEntry"><div class="box services"><ul>{services}</ul>
        <strong class="othersHeader">Other topics</strong></div></li>
    </ul></div></div></div></div>
    <div id="footer"><p>© Portal News. All rights reserved.</p></div></body></html>"""


def test_boxes_of_links_under_the_article_are_not_its_end():
    result = extract_page(_portal_page(), "https://portal.example/news/bird-flu")
    assert result.is_article, result.reason
    flat = norm(result.text)
    missing = [p[:40] for p in [LEAD, *BODY] if norm(p) not in flat]
    assert not missing, f"body lost: {missing}"
    kept = [title for title, _ in _TODAY if norm(title) in flat] + [
        name for name, blurb in _SERVICES if norm(blurb) in flat
    ]
    assert not kept, f"link boxes kept as the article's end: {kept}"


def test_the_articles_own_closing_list_is_kept():
    # A ranking at the end of the article, inside the element that holds its paragraphs: short lines,
    # two of them links, followed by the same boxes. The ranking is the article's; the boxes are not.
    ranking = [f"{i}. {city}" for i, city in enumerate(
        ["Valletta", "Tallinn", "Ljubljana", "Porto", "Gdansk", "Aarhus", "Ghent", "Bergen", "Split", "Graz"], 1)]
    end = "<p>The ten cities with the most places for newcomers:</p><ol>" + "".join(
        f"<li><a href='/city/{i}'>{line}</a></li>" if i in (2, 6) else f"<li>{line}</li>" for i, line in enumerate(ranking)
    ) + "</ol>"
    result = extract_page(_portal_page(end), "https://portal.example/news/bird-flu")
    assert result.is_article, result.reason
    lines = [norm(strip_marker(line)) for line in result.text.splitlines()]
    missing = [line for line in ranking if norm(line) not in lines]
    assert not missing, f"the article's own list was cut: {missing}"


_HEADLINES = [
    "Driver found safe after two nights in the snow above the pass",
    "Former police chief faces trial over the sale of number plates",
    "Avalanche closes the ski road for the rest of the week (PHOTO)",
    "What is the new speed camera on the ring road and how does it work",
    "Riverside house nobody has lived in for thirty years goes on sale (VIDEO)",
    "Senator leaves her party after a row over the regional budget",
    "Head-on crash on the northern highway: two drivers in hospital",
    "City council votes to keep the night buses running in the winter",
]
_APPEALS = [
    "After tests at the children's hospital the doctors gave a diagnosis...",
    "A boy of eighteen months from the capital needs two costly operations...",
    "A nine-year-old from the valley needs help. Doctors in the capital confirmed...",
]


def test_a_box_of_other_articles_headlines_under_the_article_is_not_its_end():
    # A regional news site: the article's paragraphs in one element, then a box of the site's other
    # headlines (links, most of them longer than a label) and a box of appeals for sick children.
    # Precision mode kept both boxes as the end of the article.
    headlines = "".join(f'<li><div class="nphoto"><img src="/n/{i}-80x60.jpg" alt=""></div>'
                        f'<p><a href="/news/{i}.html">{title}</a></p></li>' for i, title in enumerate(_HEADLINES))
    appeals = "".join(f'<li><div class="nphoto"><a href="/help/{i}.html"><img src="/h/{i}.jpg" alt=""></a></div>'
                      f'<h3><a href="/help/{i}.html">Child {i + 1}</a></h3><p>{text}</p></li>'
                      for i, text in enumerate(_APPEALS))
    page = f"""<html lang="en"><head><title>Bird flu death: authority asks for calm | Valley News</title></head><body>
    <div id="top"><a href="/">Valley News</a> <a href="/region">Region</a></div>
    <div id="content"><div class="news-item"><h1>Bird flu death: authority asks for calm</h1>
      <div class="news-text"><p>Valley, 6 January 2012, 11:10 — {LEAD}</p>{"".join(f"<p>{p}</p>" for p in BODY)}
      <p><a href="https://agency.example/news/1">News agency</a></p></div></div>
      <div id="popnews" class="block-title"><h2>Popular today</h2><div class="inner"><ul>{headlines}</ul></div></div>
      <div id="help" class="block-title"><h2>Help the children</h2><div class="inner"><ul>{appeals}</ul></div></div>
    </div><div id="footer"><p>© Valley News</p></div></body></html>"""
    result = extract_page(page, "https://valley.example/news/bird-flu")
    assert result.is_article, result.reason
    flat = norm(result.text)
    missing = [p[:40] for p in [LEAD, *BODY] if norm(p) not in flat]
    assert not missing, f"body lost: {missing}"
    kept = [title for title in _HEADLINES if norm(title) in flat]
    assert not kept, f"other articles' headlines kept as the article's end: {kept}"


_TICKER = [
    ("10:17", "Bridge on the ring road closed for repairs until Friday",
     "Drivers are advised to take the eastern bypass, the roads office said."),
    ("10:05", "Price of bread to rise by five percent next month",
     "Bakers blame the cost of flour and energy for the increase in the spring."),
    ("09:48", "Second snowfall of the week expected in the mountains",
     "Forecasters expect up to thirty centimetres above a thousand metres."),
    ("09:30", "Hospital opens a new wing for children with rare diseases",
     "The wing has twenty beds and a school room for children who stay long."),
    ("09:12", "Football club signs a young goalkeeper from the second league",
     "The nineteen-year-old has signed a contract for three seasons."),
    ("08:57", "University library to stay open until midnight in exam weeks",
     "Students had collected three thousand signatures for longer hours."),
]


def test_a_news_ticker_after_the_article_is_not_its_end():
    # "Latest news" as news sites print it beside or under the article: a time, another article's headline
    # (a link), its summary. When precision mode keeps such a box (a side column beside the article cell
    # of a layout table, once that table is read as blocks), its lines come as "- 10:17 Headline" and
    # "- Summary", or the time alone on its line. The times hid the headlines from the link-label test.
    items = "".join(f'<dt><span class="time">{t}</span> <a href="/news/{i}.html">{h}</a></dt><dd>{s}</dd>'
                    for i, (t, h, s) in enumerate(_TICKER))
    page = f"""<html lang="en"><head><title>Bird flu death | Valley News</title></head><body>
    <div class="news-text"><p>{LEAD}</p>{"".join(f"<p>{p}</p>" for p in BODY)}</div>
    <div class="lenta"><a href="/latest">Latest news</a><dl>{items}</dl></div>
    <p>© Valley News, all rights reserved.</p></body></html>"""
    facts = page_facts(page, "https://valley.example/news/bird-flu")
    box, _ = main_prose(facts.tree)
    article = [LEAD, *BODY]
    with_summaries = [line for t, h, s in _TICKER for line in (f"- {t} {h}", f"- {s}")]
    times_apart = [line for t, h, _ in _TICKER for line in (f"- {t}", f"- {h}")] + ["© Valley News, all rights reserved."]
    for ticker in (with_summaries, times_apart):
        assert without_trailing_boxes(article + ticker, len(article) - 1, box, facts.anchor_texts) == article


ZH_BYLINE = "記者王小明／台中報導"
ZH_BODY = [
    "市政府今天宣布，明年起將在市區增設二十座公共自行車站，讓上班族和學生可以更方便地騎車往返捷運站和學校。",
    "交通局長表示，新的車站將優先設在人口密集的老社區，每站至少提供二十輛車，並且全天二十四小時開放借用。",
    "市議員認為這是好消息，但也提醒市府要注意自行車道的安全，特別是在上下班時間車流量很大的幾條主要道路。",
    "市府預計在三月舉辦說明會，聽取居民對車站位置的意見，之後再決定最後的設站地點和施工時間表。",
    "去年試辦的十座車站使用率很高，平均每輛車每天被借用六次以上，尖峰時間常常一車難求。",
    "業者也承諾會增加維修人員，確保每輛自行車的煞車和輪胎都維持良好狀態，讓民眾騎得安心。",
]
ZH_MOST_READ = [
    ("天氣轉涼 山區夜間低溫可能降到十度以下", "01/12 12:36"),
    ("夜市攤商聯合推出新年優惠活動 民眾排隊..", "01/12 11:06"),
    ("新版健保卡下月起開始換發 各地衛生所..", "01/10 16:39"),
    ("老街保存計畫通過 居民期待觀光人潮回流..", "01/12 11:06"),
    ("高中生發明省電裝置 獲國際比賽金牌..", "01/12 13:42"),
    ("港口擴建工程延期 漁民擔心影響作業..", "01/12 12:17"),
    ("國際書展明天開幕 今年主題國是芬蘭..", "01/12 14:11"),
    ("年貨大街開張 主打在地農產品..", "01/12 08:23"),
    ("樂透頭獎連續槓龜 今晚獎金上看億元..", "01/12 10:01"),
]


def test_a_most_read_box_after_a_chinese_article_written_with_br_is_not_its_end():
    # The article is one <p> of lines between <br>s (a byline, then the text); a "most read" box of other
    # stories' linked headlines, each after a bullet and before its time in brackets, follows it and precision
    # mode kept it. The article's lines were not found as paragraphs of the page (the <p> holds them all), its
    # length was counted in characters (a Chinese article is short in characters), and the box's lines did not
    # read as link labels (bullet and time around them).
    article = "<br><br>".join([ZH_BYLINE] + ZH_BODY)
    most_read = "".join(
        f'<li>． <a href="/news/{n}">{title}</a> ({stamp})</li>' for n, (title, stamp) in enumerate(ZH_MOST_READ)
    )
    page = f"""<html lang="zh-TW"><head><title>市區增設公共自行車站 | 今日新聞</title></head><body>
    <div class="nav"><a href="/">首頁</a> <a href="/life">生活</a></div><h1>市區增設公共自行車站</h1>
    <div class="story"><div class="story_content"><p>{article}</p></div>
    <div class="reply">網友回應</div><div class="most"><h3>生活最多瀏覽</h3><ul>{most_read}</ul></div></div>
    </body></html>"""
    result = extract_page(page, "https://news.example.tw/life/bikes")
    assert result.is_article, result.reason
    text = norm(result.text)
    missing = [line[:10] for line in ZH_BODY if norm(line) not in text]
    assert not missing, missing
    assert not any(title[:8] in result.text for title, _ in ZH_MOST_READ)


OFFBEAT = [
    ("Parrot learns to order pizza by phone", 0, "A parrot in a seaside town surprised a pizzeria when it called and asked..."),
    ("Lost wedding ring found inside a carrot", 2, "A farmer pulling carrots in her garden found the ring she lost twelve..."),
    ("Town votes to rename its main square after a dog", 5, "Residents of a small mountain town voted to name..."),
    ("Library book returned sixty years late", 1, "A library received a book on birds that had been borrowed in..."),
    ("Goat elected honorary mayor for a day", 0, "A goat named Lucy won the most votes in a charity contest..."),
    ("Snowman contest draws record crowd", 3, "More than two thousand people came to watch the annual..."),
    ("Bus driver returns a suitcase full of cash", 4, "A bus driver who found a suitcase on the last bus of..."),
    ("Bakery sells a loaf shaped like the town hall", 0, "The bakery spent three days baking a loaf that..."),
]


def test_a_table_of_other_stories_headlines_with_summaries_under_the_article_is_not_its_end():
    # A local TV station's page: under the article, in the story's element, a table whose rows are other stories, each a linked headline
    # followed by its comment count and the start of its text. Precision mode kept the table; its lines are not
    # link labels (the summary follows the headline), so they did not read as a box of links.
    rows = "".join(
        f'<tr><td><a href="/story/{n}">{title}</a> <span>{count} Comments</span> {summary}</td></tr>'
        for n, (title, count, summary) in enumerate(OFFBEAT)
    )
    body = "".join(f"<p>{p}</p>" for p in [LEAD, *BODY])
    page = f"""<html lang="en"><head><title>Bird flu death in the north | Channel 9</title></head><body>
    <div id="nav"><a href="/">Home</a> <a href="/news">News</a></div>
    <div id="story"><h1>Bird flu death in the north</h1><div class="story-text">{body}</div>
    <table class="offbeat"><tr><td>Offbeat News Headlines</td></tr>{rows}<tr><td>More Headlines</td></tr></table></div>
    </body></html>"""
    result = extract_page(page, "https://channel9.example/news/bird-flu")
    assert result.is_article, result.reason
    text = norm(result.text)
    assert all(norm(strip_marker(p)) in text for p in BODY)
    assert not any(title in result.text for title, _, _ in OFFBEAT)


def test_related_news_with_the_time_glued_to_a_chinese_headline_are_not_the_articles_end():
    # A Chinese portal's "related news" under the article: "01/12 16:44" then the linked headline with no
    # space between (Chinese needs none); the time hid the headline from the link-label test.
    related = [(f"01/{10 + n} 1{n}:4{n}", title) for n, (title, _) in enumerate(ZH_MOST_READ)]
    links = "".join(f'<li>{stamp}<a href="/news/{n}">{title}</a></li>' for n, (stamp, title) in enumerate(related))
    page = f"""<html lang="zh"><head><title>市區增設公共自行車站</title></head><body>
    <div class="article">{"".join(f"<p>{p}</p>" for p in ZH_BODY)}</div><div class="related"><ul>{links}</ul></div>
    </body></html>"""
    facts = page_facts(page, "https://news.example.cn/bikes")
    box, _ = main_prose(facts.tree)
    tail = ["相关新闻"] + [f"- {stamp}{title}" for stamp, title in related]
    assert without_trailing_boxes(ZH_BODY + tail, len(ZH_BODY) - 1, box, facts.anchor_texts) == ZH_BODY
