"""Pages that hold a second full story under the first (extract/articles.py): a news site that loads the
next article as the reader scrolls ships it in the page, in an <article> of its own. The page's text is its
own story only. Pages built on the structure of such a site, with our own text.
"""

from __future__ import annotations

from extract_pages import norm, paragraphs
from integration_watch.extract import extract_page
from test_extract_lost_body import BODY, assert_whole_body

NEXT_STORY = [
    "The ferry company announced on Monday that the island route will run twice a day from next week, after a "
    "winter in which storms cancelled one crossing in three.",
    "Islanders had complained for months that the single morning crossing forced them to stay overnight on the "
    "mainland for any visit to the hospital or the tax office.",
    "The second boat comes from a route in the north that closed in the autumn; the company said it would keep "
    "both boats on the island route at least until the end of the summer.",
    "The regional transport authority, which pays part of the cost, said the new timetable would be reviewed in "
    "June together with the islanders' association.",
    "Fishermen on the island welcomed the news, since the afternoon boat lets them send their catch to the "
    "mainland market on the same day instead of keeping it on ice overnight.",
    "The island school expects the change to help its two teachers who live on the mainland and who have "
    "spent the winter in rented rooms near the harbour during the week.",
    "Tickets for the new afternoon crossing go on sale on Thursday; residents keep their discount, and "
    "pupils and pensioners travel free as before.",
    "The company also promised a heated waiting room at the island quay, which passengers have asked for "
    "since the old one was pulled down three years ago.",
]


def two_story_page(title: str, next_story: list[str] = NEXT_STORY) -> str:
    own = f"""<article id="main-article"><h1>Council opens reception centres</h1>
      <p class="lead">The region will take young migrants in four inland towns.</p>{paragraphs(chr(10).join(BODY))}
      <p class="byline">Anna Berg</p></article>"""
    following = f"""<article id="next-article"><h1>Ferry to the islands twice a day</h1>
      <p class="lead">A second boat joins the island route from next week.</p>
      <figure><img src="/i/ferry.jpg" alt=""><figcaption>The ferry in the harbour on Monday.</figcaption></figure>
      {paragraphs(chr(10).join(next_story))}</article>"""
    return f"""<html lang="en"><head><title>{title}</title></head><body><nav><a href="/">Home</a></nav>
      <main>{own}{following}</main><footer><p>© Daily Courier</p></footer></body></html>"""


def test_the_next_story_loaded_under_the_article_is_not_its_text():
    # The next story is longer than the page's own: trafilatura took both stories' paragraphs.
    result = extract_page(two_story_page("Council opens reception centres | Daily Courier"),
                          "https://courier.example/news/centres")
    assert result.is_article, result.reason
    assert_whole_body(result.text)
    text = norm(result.text)
    leaked = [line for line in [*NEXT_STORY, "Ferry to the islands twice a day", "A second boat joins the island route"]
              if norm(line)[:40] in text]
    assert not leaked, f"the next story's lines kept: {leaked}"


def test_the_story_whose_headline_is_the_pages_is_kept_when_it_comes_second():
    result = extract_page(two_story_page("Ferry to the islands twice a day | Daily Courier"),
                          "https://courier.example/news/ferry")
    assert_whole_body(result.text, NEXT_STORY)
    assert not [p for p in BODY if norm(p)[:40] in norm(result.text)]


def test_a_text_that_is_not_the_pages_own_story_is_never_emptied():
    # The page's headline is the second story's, but trafilatura took only the first (the longer): nothing
    # tells its lines apart then, and the text stays whole rather than losing both stories.
    result = extract_page(two_story_page("Ferry to the islands twice a day | Daily Courier", NEXT_STORY[:3]),
                          "https://courier.example/news/ferry")
    assert result.is_article, result.reason
    assert_whole_body(result.text)
