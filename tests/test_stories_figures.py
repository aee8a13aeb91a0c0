"""Figures in the event rule: write-ups of one report give its figures their own way (842,000, 842 thousand, 842k,
"some 840,000"; seventy, 70), and choose different ones; they are one story all the same, while the same source's
next report, with new figures, stays apart.

English texts written for this test (no engine needed); the other news of fixtures/events/heldout2.toml stands for
the rest of a topical corpus, so the document frequencies are those of one.
"""

from __future__ import annotations

from pathlib import Path

from conftest import store_article
from test_stories_events import DEFAULT, _store, _story

from integration_watch.corpus import Corpus
from integration_watch.event_figures import agree, figures, shared_weight
from integration_watch.stories import update_stories


def test_one_figure_written_in_words_digits_scales_or_a_translations_idiom_is_one_figure() -> None:
    assert figures("48,600 newcomers") == figures("48.600 newcomers") == figures("48.6 thousand newcomers") \
        == figures("48.6k newcomers") == {"48600"}
    assert figures("EUR 2.7 million") == figures("2,7 million euros") == figures("EUR 2.7m") == {"2700000"}
    assert figures("Seventy mayors from fourteen countries") == figures("70 mayors, 14 countries") == {"70", "14"}
    assert figures("towns of fewer than five thousand inhabitants") == {"5000"}
    assert figures("two diplomats said, in 2026, that three regions...") == frozenset()  # small words, years
    assert figures("The 842 one thousand requests") == {"842000"}  # Apertium's rendering of "842 mil"
    # a large figure given rounded agrees with the exact one; small numbers and other figures do not
    assert agree(figures("a backlog above 900,000"), figures("910,000 cases pending"))
    assert not agree(figures("20 regions"), figures("17 regions"))
    assert not agree(figures("48,600 newcomers"), figures("39,100 newcomers"))
    # a telling figure (three digits or more, or decimals) is worth two small ones
    assert shared_weight(frozenset({"48600", "2.7"})) == 4 and shared_weight(frozenset({"12"})) == 1


def _stories_of(tmp_path: Path, *articles: tuple[str, str, str, str, str]) -> list[int]:
    """Each (url, text, source, published, title), in English, stored beside heldout2's articles, then the story
    stage: the story of each."""
    with Corpus(tmp_path / "c.db") as corpus:
        _store(corpus, "heldout2")
        ids = [store_article(corpus, url, text, "en", title=title, published=published, source=source)
               for url, text, source, published, title in articles]
        update_stories(corpus, DEFAULT)
        story = _story(corpus)
    return [story[i] for i in ids]


_RELEASE = """\
Valmora, 3 March 2026. The regional statistics office of Valmora counted 48,600 newly arrived residents in 2025, 12%
more than a year earlier, according to its annual integration monitor published today.
Of the newcomers of working age, 3,240 completed the regional introduction programme, which combines language
classes with work placements in local firms. Completion was highest in the coastal districts and lowest in the
mountain municipalities, where courses are far apart.
The monitor also finds that waiting times for a first language class fell from eleven to seven weeks after the
region hired twenty more teachers. The programme's budget for 2026 is EUR 2.7 million.
"The numbers show that the introduction programme works where people can reach it," said Ilse Marvik, head of the
statistics office."""

_NEWSPAPER = """\
Some 48.6 thousand people settled in Valmora last year, the region's statistics office said on Tuesday: its
integration monitor, the yearly count of newcomers, shows the highest arrivals in a decade.
The monitor's director Ilse Marvik points to the introduction programme: about 3.2k newcomers finished its language
classes and work placements. In the mountain valleys, though, the nearest course can be an hour away by bus, and
completion there lags behind the coast.
Mayors in the valleys have asked the region for a bus pass for course participants."""

_OTHER_REPORT = """\
Valmora, 5 March 2026. The regional statistics office of Valmora has published its yearly report on citizenship:
6,930 residents of Valmora became citizens in 2025, 9% fewer than a year earlier, most of them after ten or more
years in the region.
Applications take 14 months on average to decide. Half of the new citizens had completed the regional introduction
programme when they arrived.
"Citizenship comes at the end of a long road," said Ilse Marvik, head of the statistics office."""


def test_write_ups_giving_a_reports_figures_their_own_way_join_it_and_its_other_report_stays_apart(
        tmp_path: Path) -> None:
    """The newspaper gives the monitor's figures rounded and in other units (48.6 thousand, 3.2k): on the figures
    as written, the two shared none and the rule read that as a contradiction (a follow-up with new figures). The
    office's citizenship report of the same week, with its own figures, stays another story."""
    release, newspaper, other = _stories_of(
        tmp_path,
        ("https://stat.valmora.example/monitor-2025", _RELEASE, "valmora-statistics", "2026-03-03",
         "Integration monitor 2025: 48,600 newcomers, more finish the programme"),
        ("https://valmora-courier.example/arrivals", _NEWSPAPER, "valmora-courier", "2026-03-04",
         "Highest arrivals in a decade, and a bus problem for language classes"),
        ("https://stat.valmora.example/citizenship-2025", _OTHER_REPORT, "valmora-statistics", "2026-03-05",
         "Citizenship report 2025: 6,930 new citizens"))
    assert newspaper == release != other


_PROJECT = """\
Sant Miquel, 9 February 2026. The regional government of Alt Serral will lead TERRAVIA, a European project to
improve the housing, health care and language training of seasonal farm workers, most of them from outside the EU.
The project has a budget of EUR 4.2 million from the Interreg Euro-MED programme for 36 months.
Eight regions of Spain, Italy, Greece and Portugal take part. Each will test temporary housing near the fields, a
health card valid from the first day of the season and short language courses fitted to harvest hours.
Across the partner regions, some 31,000 seasonal workers are employed each summer in fruit picking and the grape
harvest."""

_PARTNER = """\
Our region is one of the partners of TERRAVIA, the European project on seasonal farm workers led by the regional
government of Alt Serral.
Here the pilot will concern the tomato harvest in the Val di Serchio, where about 2,400 day labourers, mostly
foreigners, work every summer. The region plans temporary housing close to the fields and a free bus, so that
workers no longer depend on gangmasters for transport.
The region will receive about EUR 390,000 of the Interreg funds."""

_OTHER_PROJECT = """\
Sant Miquel, 11 February 2026. The regional government of Alt Serral has also joined DOMUS, an Interreg Euro-MED
project on domestic and care workers, with a budget of EUR 1.1 million for 24 months.
The partner regions will test a register of training courses for care work in private homes and advice desks on
contracts and social security. Many domestic workers in the region come from Latin America and the Philippines."""


def test_a_partner_regions_write_up_with_figures_of_its_own_joins_the_project_and_another_project_stays_apart(
        tmp_path: Path) -> None:
    """A partner region tells the project its own way, with its own figures (its share of the budget, its own
    count of workers): it shares none of the lead's, and two figures each are no contradiction. The lead's other
    project of that week, with two figures of its own too, stays another story."""
    lead, partner, other = _stories_of(
        tmp_path,
        ("https://altserral.example/terravia", _PROJECT, "altserral-press", "2026-02-09",
         "Alt Serral leads TERRAVIA, a European project for seasonal farm workers"),
        ("https://regione.example/terravia", _PARTNER, "regione-news", "2026-02-11",
         "Seasonal workers: the Region is a partner of the European project TERRAVIA"),
        ("https://altserral.example/domus", _OTHER_PROJECT, "altserral-press", "2026-02-11",
         "Alt Serral joins DOMUS, a project on domestic and care workers"))
    assert partner == lead != other
