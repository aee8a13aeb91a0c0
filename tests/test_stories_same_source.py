"""Two articles of one source: what the source says in all its articles is no evidence of one event.

A press office writes every release of one meeting from the same mould (the meeting's opening line, its closing
line, "About the Council", a disclaimer); an aggregator puts its own lines around every item it carries. Two such
articles are judged again on what each says that the other does not say word for word. Texts written for these
tests (institutions, towns and people invented); real SQLite corpora.
"""

from __future__ import annotations

from pathlib import Path

from conftest import store_article
from test_stories_events import DEFAULT, _store, _story

from integration_watch.corpus import Corpus
from integration_watch.stories import assign_stories, recluster, update_stories

_MEETING_OPENING = "Justice and home affairs ministers meeting in Luxembourg on 12 June agreed the Council's negotiating mandate on"
_MEETING_CLOSING = ("The mandate allows the presidency to start talks with the European Parliament as soon as the "
                    "Parliament has adopted its own position.")
_ABOUT = ("About the Council: the Council of the European Union represents the governments of the member states. "
          "Its press office publishes the outcome of every meeting on the day. This press release is not an official "
          "document; only the acts published in the Official Journal are authentic.")

_SKILLS_RELEASE = f"""{_MEETING_OPENING} the skills recognition directive, which sets a deadline of 90 days for
national authorities to decide whether the diplomas of workers from third countries are recognised.
Applicants will be able to file one request for all the member states that take part, and nurses, welders and
software engineers will have their qualifications checked by a single authority. Fees may not exceed 150 euros,
and an applicant refused recognition must be told which courses or exams would close the gap.
The Commission proposed the directive last year to help employers fill shortages in care, construction and
information technology, where vacancies have doubled since 2019.
{_MEETING_CLOSING}
{_ABOUT}"""
_MINORS_RELEASE = f"""{_MEETING_OPENING} the guardianship regulation, under which every unaccompanied child arriving in
the Union must have a qualified guardian appointed within 15 days.
Guardians will be responsible for no more than 30 children each, and children will be heard before any decision on
where they are placed. Age assessments will have to rely on interviews by trained staff before any medical
examination is considered, and a child whose age is in doubt is to be treated as a minor.
Member states will report every year on the number of guardians and the caseload, and the Fundamental Rights Agency
will publish a common training programme.
{_MEETING_CLOSING}
{_ABOUT}"""
_SKILLS_WIRE = """LUXEMBOURG (Europress) - EU interior ministers on Thursday backed faster recognition of foreign
diplomas, giving national offices 90 days to answer workers from outside the bloc.
Under the skills recognition directive a welder or a nurse would send one file for every participating country and
have it examined once. Talks with MEPs on the final text are next, diplomats said."""


def test_two_releases_of_one_meeting_are_not_one_event_for_the_mould_they_share(tmp_path: Path) -> None:
    """A Council press office's two releases of one meeting, the same day, share their opening and closing lines
    and the paragraph about the Council (a third of their words); what each says of its own subject differs. They
    stay apart; a wire's write-up of one of them joins it."""
    with Corpus(tmp_path / "c.db") as corpus:
        _store(corpus, "dev")  # other news of the same topic: document frequencies of a topical corpus
        skills = store_article(corpus, "https://council.example/skills", _SKILLS_RELEASE, "en", source="council-press",
                               title="Skills recognition: Council agrees negotiating mandate", published="2025-06-12")
        minors = store_article(corpus, "https://council.example/minors", _MINORS_RELEASE, "en", source="council-press",
                               title="Unaccompanied minors: Council agrees negotiating mandate", published="2025-06-12")
        wire = store_article(corpus, "https://europress.example/0612", _SKILLS_WIRE, "en", source="europress",
                             title="EU ministers back 90-day deadline for recognising foreign diplomas",
                             published="2025-06-12")
        update_stories(corpus, DEFAULT)
        story = _story(corpus)
        assert story[skills] == story[wire] != story[minors]
        recluster(corpus, DEFAULT)
        again = _story(corpus)
        assert again[skills] == again[wire] != again[minors]

        # signed in the signing processes (as runs of 10,000 articles and more are), a chunk's texts are not kept
        # in the main process: the rule reads again those a judged pair needs, and judges alike
        ids = corpus.stories.article_ids_by_day()
        groups = []
        for parallel in (False, True):
            corpus.stories.reset_stories()
            assign_stories(corpus, ids, DEFAULT, parallel=parallel, chunk_size=7)
            story = _story(corpus)
            groups.append({frozenset(i for i in ids if story[i] == story[j]) for j in ids})
        assert story[skills] == story[wire] != story[minors] and groups[0] == groups[1]


_HUB_HEADER = "Migrant News Hub | regional press review."
_HUB_FOOTER = ("Migrant News Hub gathers what local and regional media across Europe report on integration. Read the "
               "original on the publisher's site; the rights stay with the publisher.")

_CENTRE_WIRE = f"""{_HUB_HEADER} From the Valmora Courier:
Valmora opened its welcome centre for newcomers on Monday in the former post office on Kanalstraat. Mayor Ilse
Vermeulen said the city had spent 1.2 million euros on the building, where 14 staff will offer language courses,
job counselling and help with housing under one roof.
Until now new residents had to visit five different offices. The centre expects about 2,500 visitors a year.
{_HUB_FOOTER}"""
_CENTRE_PAPER = f"""{_HUB_HEADER} From Radio Westkust:
Newcomers to Valmora no longer have to go from office to office: since Monday the old post office on the Kanalstraat
houses a single welcome centre. Vermeulen, who opened it, spoke of a promise kept. Fourteen employees now give
Dutch lessons, advise on work and look for homes together, and the city hopes to reach 2,500 people a year with
an investment of 1.2 million.
{_HUB_FOOTER}"""
_HOUSING_OTHER = f"""{_HUB_HEADER} From the Dorpsbode:
The municipality of Oosterlee will convert a disused school into 40 flats for refugee families, the council decided
on Monday evening. Alderman Pieter Claes said the first families could move in next spring, and that neighbours
would be invited to an information evening in March.
{_HUB_FOOTER}"""


def test_an_aggregators_two_write_ups_of_one_event_join_and_its_other_news_stays_apart(tmp_path: Path) -> None:
    """An aggregator carries a paper's and a radio's write-ups of one opening under its own name, each between the
    same header and footer; the same day it carries a neighbouring town's housing plan. The two write-ups are one
    story (one source name is no reason to keep them apart); the housing plan, which shares only the aggregator's
    lines with them, is another."""
    with Corpus(tmp_path / "c.db") as corpus:
        _store(corpus, "dev")
        ids = [store_article(corpus, f"https://hub.example/{n}", text, "en", source="migrant-news-hub", title=title,
                             published="2025-03-04")
               for n, (text, title) in enumerate([
                   (_CENTRE_WIRE, "Valmora opens welcome centre for newcomers"),
                   (_CENTRE_PAPER, "One door for newcomers in Valmora's old post office"),
                   (_HOUSING_OTHER, "Oosterlee turns disused school into flats for refugee families")])]
        update_stories(corpus, DEFAULT)
        story = _story(corpus)
        assert story[ids[0]] == story[ids[1]] != story[ids[2]]
