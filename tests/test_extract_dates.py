"""The publication date of a page (extract/dates.py): declared dates, datelines written in the text in the
shapes news pages use, in many languages, then htmldate's cheap sources; not its extensive search (slow,
and where the others find nothing it mostly guessed a year). Each page is built with our own text on the
structure of a news page where the date came out wrong."""

from __future__ import annotations

from datetime import date

import pytest

from integration_watch.extract import extract_page
from integration_watch.extract.dates import read_date

BODY = (
    "<p>Radni miasta przyjęli w poniedziałek plan otwarcia trzech nowych punktów porad dla rodzin, które "
    "przyjechały do miasta w ostatnim roku i szukają pracy, mieszkania i miejsca w szkole dla dzieci.</p>"
    "<p>Punkty będą czynne od rana do wieczora, także w soboty, a doradcy będą mówić w czterech językach; "
    "pierwszy z nich ma ruszyć jeszcze przed wakacjami w dzielnicy położonej najbliżej dworca.</p>"
    "<p>Organizacje pomagające rodzinom chwalą pomysł, ale pytają, skąd miasto weźmie pieniądze na kolejne "
    "lata, bo obecny budżet wystarcza tylko do końca grudnia, a rodzin przybywa z miesiąca na miesiąc.</p>"
)


def _page(header: str, article: str, head: str = "") -> str:
    return f"""<html><head><title>Nowe punkty porad dla rodzin</title>{head}</head><body>
    <div id="top">{header}<ul><li><a href="/">Start</a></li><li><a href="/miasto">Miasto</a></li></ul></div>
    <div id="content"><h1>Nowe punkty porad dla rodzin</h1>{article}</div>
    <div id="footer"><p>Wszelkie prawa zastrzeżone.</p></div></body></html>"""


def test_a_dateline_with_a_place_name_wins_over_the_day_the_page_was_saved():
    # An old regional portal: a "today" box in the header shows the day the page was fetched, and the
    # article's dateline names the place first. htmldate's extensive search gave the header's day: the
    # dateline, with a word dateparser cannot read, failed in every one of its locales.
    page = _page(
        '<div class="today">Wtorek,<br>9&nbsp;kwietnia&nbsp;2013</div>',
        f'<p><span class="ndate">Lublin, 6 stycznia 2012, 11:10</span>&nbsp;&mdash; Miasto otwiera punkty.</p>{BODY}',
    )
    result = extract_page(page, "https://portal.example/wiadomosci/12345")
    assert result.is_article, result.reason
    assert result.published == "2012-01-06"


@pytest.mark.parametrize(
    "before_body, expected",
    [
        # an "updated" date is not the publication date
        ('<p class="meta"><span class="updated-time">Aktualizacja: 3 maja 2021</span> '
         '<span class="date">Opublikowano: 28 kwietnia 2021</span></p>', "2021-04-28"),
        # the earliest short line of text with a date is the dateline; a date in a paragraph is history
        ("<p>12.05.2021</p><p>Plan przypomina, że pierwszy punkt porad działał w mieście już od 3 marca 1999 "
         "roku, ale zamknięto go po kilku latach, gdy skończyły się pieniądze z programu rządowego.</p>", "2021-05-12"),
    ],
    ids=["updated-date-skipped", "date-in-prose-is-not-the-dateline"],
)
def test_the_dateline_is_the_publication_date(before_body, expected):
    result = extract_page(_page("", before_body + BODY), "https://portal.example/wiadomosci/777")
    assert result.published == expected


def test_a_declared_date_written_in_words_is_read():
    head = '<meta property="article:published_time" content="November 19, 2019">'
    result = extract_page(_page("", BODY, head), "https://portal.example/wiadomosci/779")
    assert result.published == "2019-11-19"


def test_a_copyright_line_is_not_a_publication_date():
    # An old page with no date but its footer's years: htmldate's extensive search made "2012-01-01" of
    # "1998-2012"; a year alone is no day, and a wrong date misleads a search by date more than none.
    page = _page("", BODY).replace(
        "Wszelkie prawa zastrzeżone.", "Copyright 1998-2012 Portal Miejski. Wersja 5.0"
    )
    result = extract_page(page, "https://portal.example/wiadomosci/781")
    assert result.is_article, result.reason
    assert result.published is None


def test_a_page_without_any_date_has_none():
    result = extract_page(_page("", BODY), "https://portal.example/wiadomosci/780")
    assert result.is_article, result.reason
    assert result.published is None


@pytest.mark.parametrize(
    "text, lang, expected",
    [
        ("Опубликовано: 17 января 2012, 09:07", None, date(2012, 1, 17)),
        ("Dodano: 31 grudnia 2011, 18:00", None, date(2011, 12, 31)),
        ("Πέμπτη 12 Ιανουαρίου 2012", None, date(2012, 1, 12)),
        ("Jueves 28 de abril de 2022 5:03 PM", None, date(2022, 4, 28)),
        ("Updated: Tue Jan. 10 2012 10:52:15 AM", None, date(2012, 1, 10)),
        ("Posted March 3rd, 2015", None, date(2015, 3, 3)),
        ("2012年01月11日 10:22:11 來源：本報", None, date(2012, 1, 11)),
        ("Stand: 04.02.2019 14:15 Uhr", None, date(2019, 2, 4)),
        ("published 2019/02/04", None, date(2019, 2, 4)),
        ("12/31/2019", None, date(2019, 12, 31)),  # month first only when day first is impossible
        ("7. listopadu 2019", "cs", date(2019, 11, 7)),
        ("7. listopada 2019.", "hr", date(2019, 10, 7)),  # the page's language decides an ambiguous name
        ("5 января'12 14:00", None, date(2012, 1, 5)),  # a two-digit year: marked, or followed by a time
        ("3 sty 12, 06:15", None, date(2012, 1, 3)),
        ("2, 3 et 6 mai 19", None, None),  # ... else "19" is more often a day
        ("Version 5.0, 2004-2013", None, None),
        ("31 Foobar 2012", None, None),
        ("30.02.2012", None, None),
    ],
)
def test_dates_written_in_text(text, lang, expected):
    assert read_date(text, lang) == expected
