"""Copies first (story_copies.py): articles carried many times over (a network's sites, a portal's sections) cost
pairs in proportion to their copies, not to their square, and every copy still lands in its original's story.
Real SQLite corpora."""

from __future__ import annotations

from pathlib import Path

from conftest import store_article
from integration_watch.config import Settings
from integration_watch.corpus import Corpus
from integration_watch.stories import StoryReport, Thresholds, recluster, update_stories

DEFAULT = Thresholds.from_settings(Settings())

LAUNCH = (
    "The regional government of Valmora launched its integration plan for 2026 to 2029 on Tuesday.\n"
    "The plan funds 40 welcome desks in town halls, language courses for 6,000 adults and a mentoring scheme "
    "that pairs newcomers with local employers.\n"
    "Regional minister Ana Ferreira said the plan had been drawn up with 120 migrant associations over a year.\n"
    "The first welcome desks open in March in the port towns of Bralo and Quintela."
)
# Another article of the same site and week: same plan, another event (a hearing on its budget).
HEARING = (
    "The regional parliament of Valmora heard the finance committee on the cost of the integration plan on Friday.\n"
    "Opposition members asked how the 40 welcome desks would be staffed after the first two years, and whether "
    "the language courses would reach adults outside the port towns.\n"
    "Regional minister Ana Ferreira answered that the mentoring scheme would be paid by the employers that join it.\n"
    "The committee will vote on the plan's budget line in December."
)


def _copies(corpus: Corpus, text: str, slug: str, day: str, count: int) -> list[int]:
    """An article and `count` near copies of it on a network's sites (each with a line of its own; one site would
    make the text its furniture, a sentence it repeats on every page)."""
    return [store_article(corpus, f"https://hub{i}.example/{slug}",
                          text + ("" if i == 0 else f"\nCarried by site {i}."), "en", title=f"Valmora {slug}",
                          published=day, source=f"hub{i}")
            for i in range(count + 1)]


def _run(path: Path, count: int) -> tuple[StoryReport, dict[int, int], list[int], list[int]]:
    with Corpus(path) as corpus:
        launch = _copies(corpus, LAUNCH, "launch", "2026-03-03", count)
        hearing = _copies(corpus, HEARING, "hearing", "2026-03-06", count)
        report = update_stories(corpus, DEFAULT)
        story = dict(corpus.conn.execute("SELECT id, story_id FROM articles").fetchall())
    return report, story, launch, hearing


def test_many_copies_cost_pairs_in_proportion_and_each_joins_its_original(tmp_path: Path) -> None:
    """Two related articles (one plan, two events of its week), each carried 12 and then 24 times over: every copy
    is in its original's story, and doubling the copies doubles the pairs checked (comparing every copy with every
    copy made it four times as many)."""
    checked = []
    for count in (12, 24):
        report, story, launch, hearing = _run(tmp_path / f"{count}.db", count)
        assert len({story[i] for i in launch}) == 1 and len({story[i] for i in hearing}) == 1
        checked.append(report.pairs_checked)
    assert 1.5 * checked[0] < checked[1] < 2.5 * checked[0]


def test_copies_stored_by_an_earlier_run_are_known_to_the_next(tmp_path: Path) -> None:
    """A copy arriving in a later run joins its original's story, though the window's other copies are no texts it
    is matched against; recluster (which forgets every copy relation and finds them again) gives the same stories."""
    with Corpus(tmp_path / "c.db") as corpus:
        launch = _copies(corpus, LAUNCH, "launch", "2026-03-03", 20)
        first = update_stories(corpus, DEFAULT)
        late = _copies(corpus, LAUNCH, "launch-again", "2026-03-04", 1)
        store_article(corpus, "https://hub0.example/hearing", HEARING, "en", title="Valmora hearing",
                                published="2026-03-06", source="hub0")
        second = update_stories(corpus, DEFAULT)
        story = dict(corpus.conn.execute("SELECT id, story_id FROM articles").fetchall())
        assert len({story[i] for i in launch + late}) == 1
        assert first.articles == 21 and second.articles == 3
        grouping = {frozenset(i for i in story if story[i] == story[j]) for j in story}
        recluster(corpus, DEFAULT)
        story = dict(corpus.conn.execute("SELECT id, story_id FROM articles").fetchall())
        assert {frozenset(i for i in story if story[i] == story[j]) for j in story} == grouping
