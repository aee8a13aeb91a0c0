"""Near pairs corroborated: a write-up in its own words that is close to several write-ups of one event, though to
none of them enough on its own, joins their story; other news close to one of them stays apart, whatever order the
articles arrive in.

English texts written for this test (no engine needed); the other news of fixtures/events/heldout2.toml stands for
the rest of a topical corpus, so the document frequencies are those of one.
"""

from __future__ import annotations

from pathlib import Path

from conftest import store_article
from test_stories_events import DEFAULT, _store, _story

from integration_watch.corpus import Corpus
from integration_watch.stories import recluster, update_stories
from integration_watch.story_judging import MOST_JUDGED, corroborated

_RELEASE = """\
Lindholm, 14 April 2026. The city of Lindholm today opened Porta Lindholm, its first welcome centre for newly arrived
residents, in the renovated hall of the old railway station.
Newcomers can now register their address, enrol in language courses, apply for a school place for their children and
meet a job counsellor at one desk, instead of visiting five offices across the city. Fourteen staff and a pool of
interpreters for 40 languages work at the centre, which is open six days a week.
The centre cost EUR 1.9 million, two thirds of it from the European Social Fund Plus.
"Nobody should spend their first month in Lindholm queuing in corridors," said Mayor Tove Brandt at the opening."""

_NEWSPAPER = """\
For decades travellers bought tickets in the old railway station hall. Since Tuesday, people who have just moved to
Lindholm from abroad queue there for something else: Porta Lindholm, the welcome centre the city promised two years
ago, is open.
We spent a morning at the centre. A Syrian engineer enrolled in a language course and booked an appointment with a job
counsellor; a family from Eritrea asked for a school place for their two daughters. Staff say most visitors are sent
on to no other office.
Mayor Tove Brandt, who cut the ribbon, said nobody should spend their first month in Lindholm queuing in corridors.
The European Social Fund Plus paid most of the EUR 1.9 million the renovation cost."""

_WIRE = """\
LINDHOLM, April 15 (NW) - Migrants arriving in Lindholm will no longer have to chase paperwork around town: a welcome
centre in the old ticket hall of the railway station opened on Tuesday, the mayor's office said.
Language courses and job advice are handled at one counter. Brandt, whose centre-left coalition promised the project
in its 2024 programme, called it an end to weeks of queues. Opposition councillors questioned the running costs, which
the city has not published.
Similar offices operate in several Nordic and Dutch cities."""

_OTHER = """\
Lindholm, 16 April 2026. The city council of Lindholm approved on Thursday a plan to convert two empty office
buildings by the harbour into 120 flats for refugee families and other newly arrived residents.
The flats will be let for up to three years while families look for a permanent home. Mayor Tove Brandt said the plan
would free places in the reception centres, which are full.
Work starts in June and the first families should move in next spring."""


def _release(corpus: Corpus) -> int:
    return store_article(corpus, "https://lindholm.example/porta", _RELEASE, "en", source="lindholm-city",
                         title="Porta Lindholm: the city opens its welcome centre for newcomers",
                         published="2026-04-14")


def _newspaper(corpus: Corpus) -> int:
    return store_article(corpus, "https://courier.example/station", _NEWSPAPER, "en", source="lindholm-courier",
                         title="A welcome desk in the old station hall", published="2026-04-15")


def _wire(corpus: Corpus) -> int:
    return store_article(corpus, "https://nw.example/lindholm", _WIRE, "en", source="nordic-wire",
                         title="Lindholm puts migrants' paperwork under one roof", published="2026-04-15")


def _other(corpus: Corpus) -> int:
    return store_article(corpus, "https://radio.example/flats", _OTHER, "en", source="lindholm-radio",
                         title="Council approves flats for refugee families by the harbour", published="2026-04-16")


def test_a_wire_near_to_two_write_ups_of_an_event_joins_them_and_news_near_to_one_stays_apart(
        tmp_path: Path) -> None:
    """The wire tells the opening in its own words: near the city's release and the newspaper's report (a score
    between NEAR_SCORE and EVENT_SCORE with each), which are one event; it joins their story. The council's housing
    plan of that week is near the release only: another story. A rebuild gives the same stories."""
    with Corpus(tmp_path / "c.db") as corpus:
        _store(corpus, "heldout2")
        release, newspaper, wire, other = _release(corpus), _newspaper(corpus), _wire(corpus), _other(corpus)
        update_stories(corpus, DEFAULT)
        story = _story(corpus)
        assert story[wire] == story[release] == story[newspaper] != story[other]
        recluster(corpus, DEFAULT)
        again = _story(corpus)
        assert again[wire] == again[release] == again[newspaper] != again[other]


def test_the_wire_joins_when_the_second_write_up_arrives_after_it(tmp_path: Path) -> None:
    """The release, the wire and the housing plan come in one crawl, the newspaper's report in the next: the wire,
    near to the release alone until then, joins the story once the report makes it two."""
    with Corpus(tmp_path / "c.db") as corpus:
        _store(corpus, "heldout2")
        release, wire, other = _release(corpus), _wire(corpus), _other(corpus)
        update_stories(corpus, DEFAULT)
        story = _story(corpus)
        assert story[wire] != story[release] != story[other]
        newspaper = _newspaper(corpus)
        update_stories(corpus, DEFAULT)
        story = _story(corpus)
        assert story[wire] == story[release] == story[newspaper] != story[other]


def test_news_near_to_a_release_and_its_copies_stays_apart(tmp_path: Path) -> None:
    """Copies of one text are one write-up: the housing plan, near to the release, is near to the aggregator's copy
    of it too, and that is no second write-up of the opening."""
    with Corpus(tmp_path / "c.db") as corpus:
        _store(corpus, "heldout2")
        release, other = _release(corpus), _other(corpus)
        copy = store_article(corpus, "https://aggregator.example/porta", _RELEASE + "\nSource: City of Lindholm.", "en",
                             source="migration-aggregator", published="2026-04-14",
                             title="Porta Lindholm: the city opens its welcome centre for newcomers")
        update_stories(corpus, DEFAULT)
        story = _story(corpus)
        assert story[copy] == story[release] != story[other]


def test_copies_near_other_copies_are_decided_once_not_pair_by_pair() -> None:
    """An aggregator's copies of one text near the copies of other news (a crawl of a site that republishes
    everything) make copies x copies near pairs. They are one decision: before, every pair read its story's copy
    relations and judged up to MOST_JUDGED pairs again, and a 10,000-page crawl of such copies spent many minutes
    in this check. The outcome is the one each pair would get on its own."""
    n = 30
    ours = list(range(1, n + 1))  # the chunk: one text and its copies
    theirs = list(range(101, 101 + n))  # a stored story: another text and its copies...
    write_up = 200  # ...and an independent write-up of that story's event
    copy_of = {**{a: ours[0] for a in ours[1:]}, **{b: theirs[0] for b in theirs[1:]}}
    reads: list[int] = []
    judged: list[tuple[int, int]] = []

    def copies(ids: list[int]) -> list[tuple[int, int]]:
        reads.append(len(ids))
        return [(a, copy_of[a]) for a in ids if a in copy_of and copy_of[a] in ids]

    for near_the_write_up in (True, False):
        reads.clear()
        judged.clear()

        def is_near(x: int, m: int, near_the_write_up: bool = near_the_write_up) -> bool:
            judged.append((x, m))
            return m == write_up and near_the_write_up

        near = [(a, b) for a in ours for b in theirs]
        kept = corroborated(near, [(a, ours[0]) for a in ours[1:]], {**{b: 7 for b in theirs}, write_up: 7},
                            lambda story: [*theirs, write_up], copies, is_near)
        assert kept == (near if near_the_write_up else [])
        assert len(reads) <= 2 and len(judged) <= 2 * MOST_JUDGED, (len(reads), len(judged))
