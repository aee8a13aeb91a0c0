"""Event-level stories: independent write-ups of one piece of news are one story, whatever site and language
wrote them; other news from the same sources, topic and week stays apart.

The texts are fixtures/events/*.toml, written for this project from the facts of each event (see the
file headers). Real SQLite corpora, the real Apertium binary for the Italian and French texts.
"""

from __future__ import annotations

import json
import sqlite3
import tomllib
from pathlib import Path

import pytest
from conftest import FIXTURES, run, store_article

from integration_watch.config import Settings
from integration_watch.corpus import Corpus
from integration_watch.routes import Engines
from integration_watch.same_event import evidence, quotes_headline, words
from integration_watch.stories import Thresholds, recluster, update_stories
from integration_watch.translate import translate_pending

DEFAULT = Thresholds.from_settings(Settings())
SIX = ["launch-commission", "launch-cor", "launch-regin", "launch-digest", "launch-italian-portal",
       "launch-swedish-aggregator"]


def _store(corpus: Corpus, name: str) -> dict[str, int]:
    """Every article of fixtures/events/NAME.toml, stored as a crawl stores it: name -> article id."""
    ids = {}
    for a in tomllib.loads((FIXTURES / "events" / f"{name}.toml").read_text())["article"]:
        text = "\n".join(p.strip() for p in a["text"].strip().split("\n\n"))
        ids[a["id"]] = store_article(corpus, f"https://{a['source']}.example/{a['id']}", text, a["lang"],
                                     title=a["title"], published=a["published"], source=a["source"])
    return ids


def _story(corpus: Corpus) -> dict[int, int]:
    return {r[0]: r[1] for r in corpus.conn.execute("SELECT id, story_id FROM articles")}


@pytest.mark.apertium("spa-eng", "ita-spa")
def test_the_partnership_launch_told_six_ways_is_one_story(tmp_path: Path) -> None:
    """Issue 18's example: the Commission's and the CoR's press releases, a regional network's article, a
    public-affairs digest, an Italian portal's version and an aggregator's copy of the first: one story.
    The CoR's opinion on another file that week and the partnership's first roundtable two weeks later are
    other stories."""
    with Corpus(tmp_path / "c.db") as corpus:
        ids = _store(corpus, "partnership")
        translate_pending(corpus, Engines(tmp_path / "models"))
        assert corpus.conn.execute("SELECT translation_status FROM articles WHERE lang = 'it'").fetchone()[0] == "translated"
        update_stories(corpus, DEFAULT)
        story = _story(corpus)
        assert len({story[ids[n]] for n in SIX}) == 1
        launch = story[ids["launch-commission"]]
        assert story[ids["pact-opinion-cor"]] != launch and story[ids["launch-roundtable"]] != launch

        recluster(corpus, DEFAULT)  # from the stored text and translations: the same stories
        again = _story(corpus)
        assert len({again[ids[n]] for n in SIX}) == 1 and again[ids["launch-commission"]] == launch
        assert again[ids["pact-opinion-cor"]] != launch and again[ids["launch-roundtable"]] != launch

    # Copies stay recognisable: the aggregator's copy of the Commission's release is marked as such, the other
    # four are write-ups of their own, in `show` and in the digest.
    db = tmp_path / "c.db"
    code, out, _ = run(db, "show", str(ids["launch-commission"]), "--format", "json")
    members = {m["id"]: m["copy_of"] for m in json.loads(out)["same_story"]}
    assert code == 0 and members == {ids[n]: (ids["launch-commission"] if n == "launch-swedish-aggregator" else None)
                                     for n in SIX[1:]}
    code, out, _ = run(db, "show", str(ids["launch-swedish-aggregator"]))
    assert code == 0 and f"copy of:             #{ids['launch-commission']}" in out
    assert f"#{ids['launch-regin']}  [en]  cpmr-regin" in out and out.count("(copy of #") == 0
    code, out, _ = run(db, "digest", "--since", "2021-03-01", "--until", "2021-03-31", "--format", "text")
    words = " ".join(out.split())  # the text digest wraps its lines
    assert code == 0 and "5 write-ups, 1 copy" in words
    assert words.count("copy of the commission-press article") == 1


def test_rewrites_join_while_other_news_of_the_same_sources_and_week_stays_apart(tmp_path: Path) -> None:
    """English only (no engine needed): two write-ups of one call for proposals join; the other call of the
    same week, the index and its update with new figures a week later, a forum's announcement and its report,
    and two cities' strategies stay apart."""
    with Corpus(tmp_path / "c.db") as corpus:
        ids = _store(corpus, "dev")
        english = [n for n in ids if corpus.conn.execute("SELECT lang FROM articles WHERE id = ?", (ids[n],)).fetchone()[0] == "en"]
        update_stories(corpus, DEFAULT)
        story = _story(corpus)
        assert story[ids["amif-call-commission"]] == story[ids["amif-call-network"]]
        for a, b in [("amif-call-commission", "esf-women-call"), ("index-launch-network", "index-update"),
                     ("forum-announce-cor", "forum-report-cor"), ("strategy-network", "strategy-other-city")]:
            assert story[ids[a]] != story[ids[b]], (a, b)
        assert "esf-women-call" in english and "index-update" in english


def test_a_newer_corpus_weighs_words_by_its_own_frequencies(tmp_path: Path) -> None:
    """Document frequencies are kept as articles are judged, and a changed article's old words are taken out."""
    with Corpus(tmp_path / "c.db") as corpus:
        ids = _store(corpus, "heldout")
        update_stories(corpus, DEFAULT)
        counts, documents = corpus.stories.document_frequencies()
        assert documents == len(ids)
        assert counts["regio"] >= 2 and counts["arbet"] == 2  # "region" is common here; Arbetsförmedlingen is not
        edited = ids["sv-report-german"]
        old = corpus.stories.stored_stems([edited])[edited]
        with corpus.transaction() as c:  # an edit, as a re-crawl stores it: the signature goes with the old text
            c.execute("UPDATE articles SET text = 'Arbetsförmedlingen corrected its figures.' WHERE id = ?", (edited,))
            c.execute("DELETE FROM article_signatures WHERE article_id = ?", (edited,))
        update_stories(corpus, DEFAULT)
        after, documents = corpus.stories.document_frequencies()
        new = corpus.stories.stored_stems([edited])[edited]
        assert documents == len(ids) and new == {"arbet", "corre", "figur"}
        assert all(after.get(s, 0) == counts[s] - 1 for s in old - new)
        assert after["corre"] == counts.get("corre", 0) + 1 and after["arbet"] == 2


def test_a_related_articles_line_naming_other_news_is_no_evidence_of_one_event() -> None:
    """A text carrying another article's headline word for word links to it (a "related articles" box that
    survived extraction); the same headline on both (a copy, a text opening with its headline) is no such link."""
    feature = "Cities ask for direct access to EU integration funds"
    other_text = "Mayors met in Lisbon on 24 June."
    related_text = f"The forum opens on 24 June. Related articles: {feature}; Housing for refugees."
    same_text = f"{feature}. Mayors met in Lisbon."
    other = evidence(other_text, f"{feature} - Cor Newsroom")
    related = evidence(related_text, "Lisbon forum announced")
    same_headline = evidence(same_text, f"Opinion | {feature}")
    assert quotes_headline(related, words(related_text), other, words(other_text))
    assert quotes_headline(other, words(other_text), related, words(related_text))
    assert not quotes_headline(same_headline, words(same_text), other, words(other_text))


def test_a_corpus_from_before_event_stories_is_judged_again_by_the_next_run(tmp_path: Path) -> None:
    """Upgrading (migration 9) forgets the signatures, so the next story run judges every article by the event
    rule and counts its stems: two write-ups the old rule kept apart join, keeping one of their numbers."""
    from integration_watch.corpus import MIGRATIONS
    from integration_watch.corpus.database import define_fold

    before_events = next(i for i, m in enumerate(MIGRATIONS) if "CREATE TABLE article_stems" in m)
    db = tmp_path / "c.db"
    conn = sqlite3.connect(db)
    define_fold(conn)
    for number, script in enumerate(MIGRATIONS[:before_events], 1):
        conn.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")
    events = {a["id"]: a for a in tomllib.loads((FIXTURES / "events" / "dev.toml").read_text())["article"]}
    conn.execute("INSERT INTO sources(name, first_seen) VALUES ('s', '2021-04-20')")
    for story, name in enumerate(("amif-call-commission", "amif-call-network"), 1):  # judged apart by the old rule
        a = events[name]
        conn.execute("INSERT INTO stories(id, created, updated) VALUES (?, 'd', 'd')", (story,))
        conn.execute(
            "INSERT INTO articles(id, source, url, fetched_url, title, text, lang, text_hash, published, first_fetched,"
            " last_fetched, updated, story_id) VALUES (?, 's', ?, ?, ?, ?, 'en', ?, ?, 'd', 'd', 'd', ?)",
            (story, name, name, a["title"], a["text"].strip().replace("\n\n", "\n"), name, a["published"], story))
        conn.execute("INSERT INTO article_signatures(article_id, day, language, original, signature) VALUES (?, 0, 'en', 'en', ?)",
                     (story, bytes(512)))
    conn.commit()
    conn.close()
    with Corpus(db) as corpus:
        assert corpus.stories.articles_needing_story() == [1, 2] and corpus.stories.document_frequencies()[1] == 0
        update_stories(corpus, DEFAULT)
        after = _story(corpus)
        assert after[1] == after[2] in {1, 2}
        assert corpus.stories.document_frequencies()[1] == 2


_RELEASE = """Strasbourg, 10 April 2024. The European Parliament today backed the creation of an EU Talent Passport, a
digital record that will let nationals of third countries have their qualifications recognised in any Member State
within 60 days.
Under the text adopted with 457 votes in favour, 112 against and 38 abstentions, national recognition bodies will
have to accept diplomas already checked by another Member State, and applicants will be able to follow their file
online in their own language.
Rapporteur Lieve Vandamme said that nurses, engineers and electricians too often spend years in jobs far below
their skills while employers cannot find the staff they need.
Negotiations with the Council on the final shape of the law are expected to start in May."""
_BRIEFING = """TALENT PASSPORT. MEPs backed Vandamme's report 457-112: qualification recognition within 60 days for
third-country nationals, trilogues from May."""
_OTHER_VOTE = """Strasbourg, 10 April 2024. The European Parliament today approved new minimum standards for the housing
of seasonal workers from third countries, with 501 votes in favour, 90 against and 20 abstentions.
Employers who provide accommodation will have to ensure adequate space, heating and sanitation, and may not deduct
more than a fair share of wages for rent. Rapporteur Marek Horvath said that the rules would end the worst abuses in
agriculture and tourism.
The text now goes to the Council for formal adoption."""


def test_a_short_briefing_of_a_release_joins_it_although_most_of_its_words_are_its_own(tmp_path: Path) -> None:
    """A public-affairs briefing tells a Parliament vote in two lines of its own words: the Jaccard similarity of
    its stems with the release's is low for the difference in length alone (0.1), which once kept the pair from
    being judged at all. It joins the release's story; the same session's other vote stays apart."""
    with Corpus(tmp_path / "c.db") as corpus:
        _store(corpus, "heldout2")  # other news of the same topic: document frequencies of a topical corpus
        release = store_article(corpus, "https://ep.example/talent", _RELEASE, "en", source="parliament-press",
                                title="Parliament backs EU Talent Passport for faster recognition of skills",
                                published="2024-04-10")
        briefing = store_article(corpus, "https://digest.example/0411", _BRIEFING, "en", source="brussels-digest",
                                 title="Morning briefing: talent passport, farm prices, a new envoy",
                                 published="2024-04-11")
        other = store_article(corpus, "https://ep.example/seasonal", _OTHER_VOTE, "en", source="parliament-press",
                              title="Seasonal workers: Parliament sets minimum housing standards", published="2024-04-10")
        update_stories(corpus, DEFAULT)
        story = _story(corpus)
        assert story[briefing] == story[release] != story[other]
