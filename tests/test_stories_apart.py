"""One source's two articles that its own words tell apart stay apart when a third party's text carries their mould.

A fund opens two calls on one day in one mould (the grant per project, the co-financing rate, who may apply, the
deadline, the portal); a network republishes the first call with a line of its own, and a portal writes it up in its
own words keeping the fund's figures. The second call resembles the network's copy and the portal's write-up as much
as it resembles the first call: without the one-source judgement carried over to them it joined the first call's
story through them (story_apart.py).

English texts written for this test (no engine needed); fixtures/events/heldout2.toml stands for the rest of a topical
corpus, so the document frequencies are those of one.
"""

from __future__ import annotations

from pathlib import Path

from conftest import store_article
from test_stories_events import DEFAULT, _store, _story

from integration_watch.corpus import Corpus
from integration_watch.stories import recluster, update_stories

_MOULD = """\
Each project can receive up to EUR 3 million from the Tidewater Cities Fund, covering 70 % of its costs.
Eligible applicants are port cities of at least 40,000 inhabitants and groupings of port cities with at least 40,000
inhabitants in all. Projects may last up to three years.
The deadline for applications is 15 September 2026, 17:00 CET. Applications are submitted in English through the
Tidewater applicants' portal, where the terms of reference are published."""

_LIBRARIES = """\
Rotterdam, 9 June 2026. The Tidewater Cities Fund today opens its call on libraries as welcome places. Port cities are
invited to turn public libraries into places where newcomers learn the language, find help with paperwork and meet
their neighbours, with evening opening, volunteer tutors and reading groups in several languages.
The fund expects libraries to work with schools, job centres and migrant associations, and to count who comes and what
they came for, so that other cities can copy what works. Shelves of easy-to-read books, computers for online forms and
a quiet room for homework are given as examples.
""" + _MOULD + "\nThe call's total budget is EUR 27 million."

_FLOODING = """\
Rotterdam, 9 June 2026. The Tidewater Cities Fund today opens its call on coastal flooding. Port cities are invited to
protect low-lying quarters from storm surges and heavy rain, with green dikes, water squares, early warning by text
message and evacuation plans drawn up with the residents of the quarters at risk.
Insurers, harbour authorities and water boards may join as partners. The fund wants to see pumps, sluices and parks
that store rain designed together, and asks for maps of the streets that flooded in the last ten winters, drawn with
the fire brigade and the people who live there.
""" + _MOULD + "\nThe call's total budget is EUR 33 million."

_NETWORK_COPY = "From the Port Cities Network: our members asked for it, here it is.\n" + _LIBRARIES

_PORTAL = """\
Libraries that teach Dutch, Greek or Polish after dark and help a newly arrived family fill in its housing forms: that
is what the Tidewater Cities Fund wants to pay for. Its new call, opened on Tuesday, offers port cities up to EUR 3
million a project, 70 % of the cost, for libraries that become welcome places, with tutors, reading groups and
evenings. Cities of 40,000 inhabitants or more can apply until 15 September 2026; the fund has set aside EUR 27
million."""


def _calls(corpus: Corpus) -> tuple[int, int]:
    libraries = store_article(corpus, "https://tidewater.example/libraries", _LIBRARIES, "en", source="tidewater-fund",
                              title="Tidewater call: libraries as welcome places", published="2026-06-09")
    flooding = store_article(corpus, "https://tidewater.example/flooding", _FLOODING, "en", source="tidewater-fund",
                             title="Tidewater call: port quarters safe from flooding", published="2026-06-09")
    return libraries, flooding


def _third_parties(corpus: Corpus) -> tuple[int, int]:
    copy = store_article(corpus, "https://portcities.example/libraries", _NETWORK_COPY, "en", source="port-cities",
                         title="Tidewater call: libraries as welcome places", published="2026-06-10")
    portal = store_article(corpus, "https://integration-portal.example/libraries", _PORTAL, "en",
                           source="integration-portal", title="Money for libraries that welcome newcomers",
                           published="2026-06-11")
    return copy, portal


def test_a_funds_second_call_stays_apart_from_the_first_calls_copy_and_write_up(tmp_path: Path) -> None:
    """The libraries call, the network's copy and the portal's write-up are one story; the flooding call of the same
    day and fund is another, though it shares the mould with all three. A rebuild gives the same stories."""
    with Corpus(tmp_path / "c.db") as corpus:
        _store(corpus, "heldout2")
        libraries, flooding = _calls(corpus)
        copy, portal = _third_parties(corpus)
        update_stories(corpus, DEFAULT)
        story = _story(corpus)
        assert story[libraries] == story[copy] == story[portal] != story[flooding]
        recluster(corpus, DEFAULT)
        story = _story(corpus)
        assert story[libraries] == story[copy] == story[portal] != story[flooding]


def test_the_second_call_arriving_a_run_later_does_not_join_the_stored_story(tmp_path: Path) -> None:
    """The first call's story is stored, with its copy and write-up, before the second call is crawled: the second
    call stays apart from the stored story too."""
    with Corpus(tmp_path / "c.db") as corpus:
        _store(corpus, "heldout2")
        libraries = store_article(corpus, "https://tidewater.example/libraries", _LIBRARIES, "en",
                                  source="tidewater-fund", title="Tidewater call: libraries as welcome places",
                                  published="2026-06-09")
        copy, portal = _third_parties(corpus)
        update_stories(corpus, DEFAULT)
        flooding = store_article(corpus, "https://tidewater.example/flooding", _FLOODING, "en", source="tidewater-fund",
                                 title="Tidewater call: port quarters safe from flooding", published="2026-06-09")
        update_stories(corpus, DEFAULT)
        story = _story(corpus)
        assert story[libraries] == story[copy] == story[portal] != story[flooding]


def test_the_copy_and_write_up_arriving_a_run_after_both_calls_do_not_join_them(tmp_path: Path) -> None:
    """Both calls are stored (apart) in one run, the network's copy and the portal's write-up come in the next: the
    two calls are not judged again as a pair by that run's links, yet the copy does not bridge them."""
    with Corpus(tmp_path / "c.db") as corpus:
        _store(corpus, "heldout2")
        libraries, flooding = _calls(corpus)
        update_stories(corpus, DEFAULT)
        copy, portal = _third_parties(corpus)
        update_stories(corpus, DEFAULT)
        story = _story(corpus)
        assert story[libraries] == story[copy] == story[portal] != story[flooding]
