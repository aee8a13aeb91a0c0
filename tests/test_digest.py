"""The digest: what is new since the last one, one entry per story, in five formats.

Real SQLite corpora (hand-made articles stored as a crawl stores them, or the fixture sites crawled over
loopback HTTP), the real Apertium binary for the Spanish, and the CLI. The only thing faked is time passing:
a test that needs an article first seen days ago rewrites its first_fetched column, and says so.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import FIXTURES, run, skip_without_apertium, store_article
from integration_watch.corpus import Corpus, CorpusError
from integration_watch.routes import Engines
from integration_watch.stories import update_stories
from integration_watch.translate import translate_pending
from test_stories import ORIGINAL as PARTNERSHIP
from test_stories import SPANISH as PARTNERSHIP_ES

ATOM = "{http://www.w3.org/2005/Atom}"

CALL = (
    "The Commission has opened a call for proposals under the Asylum, Migration and Integration Fund for "
    "projects that support the integration of migrant women into the labour market.\n"
    "The call has a total budget of EUR 8 million and is open to public authorities and civil society "
    "organisations in all Member States until 30 September 2022."
)
HEALTH = (
    "Regional health services in Andalusia will offer interpreters to migrants in 40 primary care centres "
    "from January, the regional government announced on Tuesday.\n"
    "The service covers Arabic, Romanian, Ukrainian and Wolof, and will be evaluated after one year."
)
SUMMIT = (
    "Mayors from 19 Member States met in Brussels on Thursday for the first summit of the Cities and Regions for "
    "Integration network, hosted by the European Committee of the Regions.\n"
    "They adopted a declaration asking for direct access to EU integration funds for local authorities."
)
HOUSING = (
    "The city of Ghent will convert two empty office buildings into 60 flats for refugee families, the city "
    "council decided on Monday.\n"
    "The flats will be rented through a social housing agency for at least nine years."
)
FURNITURE = "Follow our newsletter to get the latest news about migrant integration across the regions of Europe."


def days_ago(n: int) -> str:
    """A publication date n days before today (UTC): a first digest covers what was published in the last 24 h."""
    return (datetime.now(UTC) - timedelta(days=n)).date().isoformat()


pytestmark = pytest.mark.usefixtures("same_day")  # every test here dates articles relative to today


def _place(db: Path, models: Path | None = None) -> None:
    """What the end of a crawl does: translate what is new (Apertium for Spanish), then place stories."""
    with Corpus(db) as corpus:
        if models is not None:
            translate_pending(corpus, Engines(models), only_new=True)
        update_stories(corpus)


def _digest(db: Path, *args: str) -> dict:
    code, out, err = run(db, "digest", "--format", "json", *args)
    assert code == 0, err
    return json.loads(out)


def _urls(document: dict) -> list[set[str]]:
    return [{o["url"] for o in story["originals"]} for story in document["stories"]]


@pytest.fixture
def corpus_db(tmp_path: Path, same_day: None) -> Path:
    """Three stories: the partnership in English on two sites and in Spanish, a funding call, a health item."""
    skip_without_apertium("spa-eng")  # the Spanish copy joins its story through its translation
    db = tmp_path / "c.db"
    with Corpus(db) as corpus:
        store_article(corpus, "https://cor.example/partnership", PARTNERSHIP, "en", title="Partnership launched",
                      published=days_ago(1), source="cor")
        store_article(corpus, "https://news.example/eu-partnership", "Share this page\n" + PARTNERSHIP, "en",
                      title="EU: partnership on integration", published=days_ago(1), source="news")
        store_article(corpus, "https://malaga.example/alianza", PARTNERSHIP_ES, "es",
                      title="La Comisión y el Comité lanzan una alianza", published=days_ago(0), source="malaga")
        store_article(corpus, "https://news.example/call", CALL, "en", title="Call for proposals: migrant women",
                      published=days_ago(1), source="news")
        store_article(corpus, "https://malaga.example/health", HEALTH, "en", title="Interpreters in health centres",
                      published=days_ago(0), source="malaga")
    _place(db, tmp_path / "models")
    return db


def test_one_entry_per_story_in_english_ordered_by_sources_then_date(corpus_db: Path) -> None:
    document = _digest(corpus_db)
    stories = document["stories"]
    assert [len(s["sources"]) for s in stories] == [3, 1, 1]
    partnership = stories[0]
    assert {o["url"] for o in partnership["originals"]} == {
        "https://cor.example/partnership", "https://news.example/eu-partnership", "https://malaga.example/alianza"}
    assert partnership["headline"] == "Partnership launched" and partnership["headline_lang"] == "en"
    assert partnership["lead"].startswith("The European Commission and the European Committee of the Regions")
    assert 2 <= len(re.findall(r"[.!?](?:\s|$)", partnership["lead"])) <= 3
    assert partnership["languages"] == ["en", "es"] and partnership["published"] == days_ago(1)
    assert partnership["machine_translation"] is None  # headline and lead were written in English
    # among stories with as many sources, the newest publication first
    assert [s["headline"] for s in stories[1:]] == ["Interpreters in health centres", "Call for proposals: migrant women"]
    assert document["articles"] == 5


@pytest.mark.apertium("spa-eng")
def test_a_story_known_only_in_translation_says_so(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    with Corpus(db) as corpus:
        store_article(corpus, "https://malaga.example/alianza", PARTNERSHIP_ES, "es",
                      title="La Comisión y el Comité lanzan una alianza", source="malaga")
        store_article(corpus, "https://atene.example/a", "Η Επιτροπή των Περιφερειών ενέκρινε σήμερα τη γνωμοδότηση "
                      "για την ένταξη των μεταναστών και των προσφύγων στις περιφέρειες της Ευρώπης.", "el",
                      title="Γνωμοδότηση για την ένταξη", source="atene")
    _place(db, tmp_path / "models")  # Apertium translates the Spanish; no engine for Greek here
    by_lang = {s["originals"][0]["lang"]: s for s in _digest(db)["stories"]}
    spanish, greek = by_lang["es"], by_lang["el"]
    assert spanish["headline_lang"] == "en" and spanish["headline"] != "La Comisión y el Comité lanzan una alianza"
    assert "Regions" in spanish["lead"] and spanish["lead_lang"] == "en"
    assert spanish["machine_translation"].startswith("Machine translation from Spanish (apertium spa-eng")
    assert greek["headline"] == "Γνωμοδότηση για την ένταξη" and greek["headline_lang"] == "el"
    assert "no translation engine for Greek" in greek["waiting"] and greek["machine_translation"] is None


def test_the_lead_skips_page_furniture_and_list_items(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    with Corpus(db) as corpus:
        for n, body in enumerate((CALL, HEALTH, "- A list item that is long enough to be a sentence of the lead.\n"
                                  + PARTNERSHIP, HOUSING)):
            store_article(corpus, f"https://news.example/{n}", FURNITURE + "\n" + body, "en", title=f"Item {n}",
                          source="news")
        # one post published three times with small edits: its sentences repeat, but it is not furniture
        for n in range(3):
            store_article(corpus, f"https://other.example/a-{n}", SUMMIT + f"\nEdition {n}.", "en", title="Summit",
                          source="other")
    _place(db)
    leads = {s["headline"]: s["lead"] for s in _digest(db)["stories"]}
    assert leads["Item 0"].startswith("The Commission has opened a call")
    assert leads["Item 1"].startswith("Regional health services in Andalusia")
    assert leads["Item 2"].startswith("The European Commission and the European Committee")
    assert leads["Item 3"].startswith("The city of Ghent will convert two empty office buildings")
    assert leads["Summit"].startswith("Mayors from 19 Member States met in Brussels")
    assert not any("newsletter" in lead or "list item" in lead for lead in leads.values())


def test_watermark_reports_each_article_once(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    with Corpus(db) as corpus:
        store_article(corpus, "https://news.example/call", CALL, "en", title="Call", source="news")
    _place(db)
    assert [s["headline"] for s in _digest(db, "--dry-run")["stories"]] == ["Call"]
    assert [s["headline"] for s in _digest(db, "--dry-run")["stories"]] == ["Call"]  # a dry run moved nothing
    assert [s["headline"] for s in _digest(db)["stories"]] == ["Call"]
    code, out, _ = run(db, "digest")
    assert (code, out.count("\n")) == (0, 1) and out.startswith("nothing new: no articles since the digest of")
    # two crawls without a digest between them (a missed cron day): the next digest has both
    with Corpus(db) as corpus:
        store_article(corpus, "https://news.example/health", HEALTH, "en", title="Health", source="news")
    _place(db)
    with Corpus(db) as corpus:
        store_article(corpus, "https://cor.example/partnership", PARTNERSHIP, "en", title="Partnership", source="cor")
    _place(db)
    assert sorted(s["headline"] for s in _digest(db)["stories"]) == ["Health", "Partnership"]
    assert _digest(db)["stories"] == []
    code, out, _ = run(db, "stats", "--format", "json")
    last = json.loads(out)["digests"]
    assert [(d["key"], d["stories"], d["articles"], d["format"]) for d in last] == [("lang= source=", 0, 0, "json")]
    assert "last digest [lang= source=]:" in run(db, "stats")[1]


def test_first_digest_covers_the_last_24_hours(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    with Corpus(db) as corpus:
        old = store_article(corpus, "https://news.example/call", CALL, "en", title="Old", source="news")
        store_article(corpus, "https://news.example/health", HEALTH, "en", title="Recent", source="news")
        # time passing cannot be waited for in a test: this article was first stored three days ago
        corpus.conn.execute("UPDATE articles SET first_fetched = '2026-01-01T06:00:00+00:00' WHERE id = ?", (old,))
        corpus.conn.commit()
        # stored just now, but published long ago: a first crawl's backlog, not news
        store_article(corpus, "https://news.example/summit", SUMMIT, "en", title="Summit", source="news",
                      published="2020-05-05")
        store_article(corpus, "https://news.example/housing", HOUSING, "en", title="Housing", source="news",
                      published=days_ago(1))
    _place(db)
    document = _digest(db, "--dry-run")
    assert sorted(s["headline"] for s in document["stories"]) == ["Housing", "Recent"]
    assert document["window"]["description"] == "published in the last 24 hours (first digest)"
    assert document["backlog"] == {"articles": 2, "published_from": "2020-05-05"}
    code, out, _ = run(db, "digest", "--format", "text")
    assert code == 0 and ("2 stories from 2 new articles published in the last 24 hours (first digest); 2 older "
                          "articles (published from 2020-05-05) were already in the corpus and are not news: "
                          "'integration-watch digest --since 2020-05-05' lists them.") in " ".join(out.split())
    assert _digest(db)["stories"] == []  # the backlog is not the next digest's either


@pytest.mark.apertium("spa-eng")
def test_a_follow_up_lists_new_and_earlier_coverage(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    models = tmp_path / "models"
    with Corpus(db) as corpus:
        store_article(corpus, "https://cor.example/partnership", PARTNERSHIP, "en", title="Partnership", source="cor",
                      published=days_ago(1))
    _place(db, models)
    assert len(_digest(db)["stories"]) == 1
    with Corpus(db) as corpus:
        store_article(corpus, "https://malaga.example/alianza", PARTNERSHIP_ES, "es", title="Alianza", source="malaga",
                      published=days_ago(0))
    _place(db, models)
    (story,) = _digest(db)["stories"]
    assert story["earlier"] is True and story["sources"] == ["cor", "malaga"]
    assert {o["url"]: o["new"] for o in story["originals"]} == {
        "https://cor.example/partnership": False, "https://malaga.example/alianza": True}
    code, out, _ = run(db, "digest", "--again", "--format", "markdown")
    assert code == 0 and "follow-up: seen before this digest" in out
    assert re.search(rf"\\\[es\\\] \[Alianza.*\]\(<https://malaga\.example/alianza>\), malaga, {days_ago(0)}, new", out)


def test_articles_a_crawl_has_not_finished_wait_for_the_next_digest(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    with Corpus(db) as corpus:
        store_article(corpus, "https://news.example/call", CALL, "en", title="Call", source="news")
    _place(db)
    with Corpus(db) as corpus:  # stored, but the crawl has not reached its story stage yet
        store_article(corpus, "https://news.example/health", HEALTH, "en", title="Health", source="news")
    document = _digest(db)
    assert [s["headline"] for s in document["stories"]] == ["Call"] and document["held_back"] == 1
    _place(db)
    assert [s["headline"] for s in _digest(db)["stories"]] == ["Health"]


@pytest.mark.apertium("spa-eng")  # the Spanish copy joins its story through its translation
def test_since_until_is_a_report_on_publication_dates(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    with Corpus(db) as corpus:
        for url, text, lang, title, published in [
            ("https://cor.example/partnership", PARTNERSHIP, "en", "Partnership launched", "2021-03-19"),
            ("https://news.example/eu-partnership", PARTNERSHIP, "en", "EU: partnership", "2021-03-20"),
            ("https://malaga.example/alianza", PARTNERSHIP_ES, "es", "Alianza", "2021-03-23"),
            ("https://news.example/call", CALL, "en", "Call for proposals: migrant women", "2022-06-01"),
            ("https://news.example/health", HEALTH, "en", "Interpreters", "2022-06-03"),
        ]:
            store_article(corpus, url, text, lang, title=title, published=published, source=url.split("/")[2])
    _place(db, tmp_path / "models")
    june = _digest(db, "--since", "2022-06-01", "--until", "2022-06-02")
    assert [s["headline"] for s in june["stories"]] == ["Call for proposals: migrant women"]
    code, out, _ = run(db, "digest", "--since", "2022-06-01", "--until", "2022-06-02", "--format", "text")
    assert code == 0 and "1 story from 1 article published 2022-06-01 .. 2022-06-02." in out  # not "new"
    march = _digest(db, "--since", "2021-03", "--until", "2021-03")
    assert [len(s["originals"]) for s in march["stories"]] == [3]
    code, _, err = run(db, "digest", "--since", "June")
    assert code == 2 and err.startswith("error: cannot read the date 'June'")
    # reports moved no watermark, and a first crawl's backlog of old articles is not news: the first digest
    # says how many there are and how to see them
    code, out, _ = run(db, "digest")
    assert (code, out) == (0, "nothing new: no articles published in the last 24 hours (first digest); 5 older "
                              "articles (published from 2021-03-19) were already in the corpus and are not news: "
                              "'integration-watch digest --since 2021-03-19' lists them\n")
    assert len(_digest(db, "--since", "2021-03-19")["stories"]) == 3


def test_filters_have_their_own_watermarks(corpus_db: Path) -> None:
    spanish = _digest(corpus_db, "--lang", "es")
    assert [s["headline"] for s in spanish["stories"]] == ["Partnership launched"]
    assert _digest(corpus_db, "--lang", "es")["stories"] == []
    from_news = _digest(corpus_db, "--source", "news")
    assert sorted(s["headline"] for s in from_news["stories"]) == ["Call for proposals: migrant women",
                                                                 "Partnership launched"]
    assert len(_digest(corpus_db)["stories"]) == 3  # the unfiltered digest was never delivered


def test_empty_window_prints_one_line_and_writes_no_file(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    with Corpus(db):
        pass
    out_file = tmp_path / "digest.html"
    code, out, err = run(db, "digest", "--out", str(out_file))
    assert (code, out) == (0, "nothing new: no articles published in the last 24 hours (first digest)\n")
    assert not out_file.exists()


def test_a_digest_that_cannot_be_written_is_not_delivered(corpus_db: Path, tmp_path: Path) -> None:
    code, _, err = run(corpus_db, "digest", "--out", str(tmp_path / "missing" / "d.md"))
    assert code == 2 and err.startswith("error: cannot write the digest") and "not marked delivered" in err
    assert len(_digest(corpus_db)["stories"]) == 3
    code, _, err = run(corpus_db, "digest", "--again", "--lang", "es")
    assert code == 2 and "no digest with these filters has been delivered yet" in err
    missing = tmp_path / "typo.db"
    code, _, err = run(missing, "digest")
    assert code == 2 and "no such database" in err and not missing.exists()


def test_two_deliveries_of_one_window_are_refused(corpus_db: Path) -> None:
    with Corpus(corpus_db) as corpus:
        record = {"created": "2026-11-25T06:00:00+00:00", "key": "lang= source=", "after_article": None,
                  "through_article": 5, "seen_since": None, "articles": 5, "stories": 3, "format": "json",
                  "destination": None}
        first = corpus.digests.record_digest(record, None)
        with pytest.raises(CorpusError, match="delivered meanwhile"):
            corpus.digests.record_digest(record, None)  # read before the first was recorded
        assert corpus.digests.record_digest({**record, "after_article": 5}, first) > first


# --- formats -------------------------------------------------------------------------------------------

HOSTILE_TITLE = '<script>alert("title")</script> Tom & Jerry\'s "integration" ]]> plan\x07'
HOSTILE_TEXT = (
    'The mayor said that <img src=x onerror=alert(1)> integration & inclusion matter for "all" residents today.\n'
    "Local councils will spend EUR 3 million on <b>language</b> courses & mentoring for newcomers in 2024.\n"
    "# Not a heading, * not a list, [not](a link) and `not code` either, said the council on Monday."
)


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    db = tmp_path / "h.db"
    with Corpus(db) as corpus:
        store_article(corpus, 'https://bad.example/a?q="><script>x</script>', HOSTILE_TEXT, "en",
                      title=HOSTILE_TITLE, published=days_ago(0), source="bad")
        store_article(corpus, "javascript:alert(1)", HEALTH, "en", title="Not a link", source="bad")
    _place(db)
    return db


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.handlers: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs += [v or "" for k, v in attrs if k == "href"]
        self.handlers += [k for k, _ in attrs if k.startswith("on")]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_self_contained_and_escapes_article_text(hostile_db: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "digest.html"
    code, _, err = run(hostile_db, "digest", "--out", str(out_file))  # format from the suffix
    assert code == 0, err
    page = _Page()
    page.feed(out_file.read_text(encoding="utf-8"))
    assert "script" not in page.tags and "img" not in page.tags and "b" not in page.tags and not page.handlers
    assert {"style", "meta", "h1", "h2", "article"} <= set(page.tags) and "link" not in page.tags
    assert page.hrefs == ['https://bad.example/a?q="><script>x</script>']  # one link, the javascript: one is not
    text = "".join(page.text)
    assert '<script>alert("title")</script> Tom & Jerry\'s "integration" ]]> plan' in text
    assert "<img src=x onerror=alert(1)> integration & inclusion" in text
    assert 'name="viewport"' in out_file.read_text()


def test_atom_feed_has_what_rfc_4287_requires(hostile_db: Path, corpus_db: Path, tmp_path: Path) -> None:
    for db in (hostile_db, corpus_db):
        out_file = tmp_path / f"{db.stem}.xml"
        assert run(db, "digest", "--format", "atom", "--out", str(out_file))[0] == 0
        feed = ET.parse(out_file).getroot()  # well-formed XML, despite the control character in a title
        assert feed.tag == f"{ATOM}feed"
        for tag in ("id", "title", "updated"):
            assert len(feed.findall(f"{ATOM}{tag}")) == 1, tag
        assert feed.find(f"{ATOM}author/{ATOM}name") is not None  # entries need none of their own then
        entries = feed.findall(f"{ATOM}entry")
        assert entries
        ids = [feed.findtext(f"{ATOM}id")]
        for entry in entries:
            for tag in ("id", "title", "updated"):
                assert len(entry.findall(f"{ATOM}{tag}")) == 1, tag
            ids.append(entry.findtext(f"{ATOM}id") or "")
            links = entry.findall(f"{ATOM}link")
            assert entry.find(f"{ATOM}content") is not None or any(x.get("rel") == "alternate" for x in links)
            assert sum(1 for x in links if x.get("rel") == "alternate") <= 1
            assert all(x.get("href", "").startswith("https://") for x in links)
            for tag in ("updated", "published"):
                value = entry.findtext(f"{ATOM}{tag}")
                if value is not None:
                    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)", value), value
                    datetime.fromisoformat(value.replace("Z", "+00:00"))
        assert len(set(ids)) == len(ids) and all(re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", i) for i in ids)
    hostile = ET.parse(tmp_path / "h.xml").getroot()
    titles = [e.findtext(f"{ATOM}title") for e in hostile.findall(f"{ATOM}entry")]
    assert '<script>alert("title")</script> Tom & Jerry\'s "integration" ]]> plan' in titles
    content = hostile.find(f"{ATOM}entry/{ATOM}content")
    assert content is not None and content.get("type") == "html"
    page = _Page()
    page.feed(content.text or "")  # the entry's HTML, itself escaped inside
    assert "script" not in page.tags and "img" not in page.tags


def test_atom_entry_ids_stay_the_same_across_digests(corpus_db: Path, tmp_path: Path) -> None:
    def entry_ids(*args: str) -> list[str]:
        code, out, _ = run(corpus_db, "digest", "--format", "atom", *args)
        assert code == 0
        return [e.findtext(f"{ATOM}id") or "" for e in ET.fromstring(out).findall(f"{ATOM}entry")]

    assert entry_ids("--dry-run") == entry_ids("--since", "2000")


def test_markdown_and_text_carry_article_text_safely(hostile_db: Path) -> None:
    code, markdown, _ = run(hostile_db, "digest", "--dry-run")
    assert code == 0
    # every "<" is escaped, or opens a link destination (whose URL has its own "<" and ">" percent-encoded)
    assert re.findall(r"(?<!\\)(?<!\]\()<", markdown) == [] and "\x07" not in markdown
    assert r'\<script\>alert("title")\</script\> Tom \& Jerry' in markdown
    assert r"\# Not a heading, \* not a list, \[not\](a link) and \`not code\`" in markdown
    assert "](<https://bad.example/a?q=\"%3E%3Cscript%3Ex%3C/script%3E>)" in markdown
    assert "javascript:" not in markdown  # not an http(s) URL: no link
    code, text, _ = run(hostile_db, "digest", "--dry-run", "--format", "text")
    assert code == 0 and '<script>alert("title")</script> Tom & Jerry' in text and "\x07" not in text


# --- the fixture sites ------------------------------------------------------------------------------------


@pytest.mark.apertium("spa-eng")
def test_fixture_sites_digest_groups_their_stories(crawled_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.db"
    with sqlite3.connect(crawled_db) as source, sqlite3.connect(db) as copy:
        source.backup(copy)  # the session's crawled corpus is shared and read-only
    document = _digest(db, "--since", "1990")  # the fixture sites' articles are years old: a report on them all
    with Corpus(db, readonly=True) as corpus:
        stories = {r[0]: r[1] for r in corpus.conn.execute("SELECT story_id, count(*) FROM articles GROUP BY 1")}
    assert len(document["stories"]) == len(stories)
    assert sum(len(s["originals"]) for s in document["stories"]) == sum(stories.values()) == document["articles"]
    reach = [(len(s["sources"]), s["published"] or "") for s in document["stories"]]
    assert reach == sorted(reach, reverse=True)
    entry_of = {o["url"]: i for i, s in enumerate(document["stories"]) for o in s["originals"]}
    groups: dict[str, set[int]] = {}
    for page in json.loads((FIXTURES / "expected.json").read_text()):
        if page.get("story") and page["lang"] in ("en", "es"):
            found = {i for url, i in entry_of.items() if url.endswith(page["path"])}
            groups.setdefault(page["story"], set()).update(found)
    assert len(groups) >= 5 and all(len(entries) == 1 for entries in groups.values()), groups
    with Corpus(db, readonly=True) as corpus:
        texts = {r[0]: r[1] for r in corpus.conn.execute("SELECT id, coalesce(text_en, text) FROM articles")}
    pages = {page["path"]: page for page in json.loads((FIXTURES / "expected.json").read_text())}
    checked = 0
    for story in document["stories"]:
        assert story["lead"] and story["headline"]
        if story["headline_lang"] == "en":
            assert story["lead_lang"] == "en"
        else:
            assert story["waiting"]
        # the lead is whole sentences of its article's text, and none of the furniture the ground truth names
        source_text = " ".join(texts[story["lead_from"]].split())
        first = re.split(r"(?<=[.!?])\s", story["lead"])[0]
        assert first in source_text, (first, story["lead_from"])
        url = next(o["url"] for o in story["originals"] if o["id"] == story["lead_from"])
        page = next((p for path, p in pages.items() if url.endswith(path)), None)
        if page is not None:
            checked += 1
            assert not [bad for bad in page.get("must_not_contain", []) if bad in story["lead"]], url
    assert checked >= 20


# --- English arriving late ---------------------------------------------------------------------------

PARTNERSHIP_IT = (
    "La Commissione europea e il Comitato europeo delle regioni hanno avviato il 19 marzo 2021 un partenariato "
    "per sostenere le città e le regioni nell'integrazione dei migranti.\n"
    "Il partenariato organizzerà 12 seminari per le autorità locali e regionali nei prossimi due anni, su "
    "alloggio, istruzione, lavoro e accesso ai servizi sanitari.\n"
    "La commissaria Ylva Johansson ha detto che l'integrazione avviene a livello locale, nelle scuole, nei luoghi "
    "di lavoro e nei quartieri, e che le autorità locali hanno bisogno di più sostegno dall'Unione europea.\n"
    "Il primo seminario, sulla preparazione di una strategia locale di integrazione, si terrà online a maggio."
)
SCHOOLS_IT = (
    "La Regione Emilia-Romagna finanzierà corsi di italiano per 3.000 studenti stranieri nelle scuole medie a "
    "partire da settembre, ha annunciato l'assessore all'istruzione.\n"
    "I corsi si terranno il pomeriggio e saranno gratuiti per le famiglie."
)


@pytest.mark.apertium("spa-eng", "ita-spa")
def test_a_story_reported_while_waiting_comes_back_once_now_in_english(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    models = tmp_path / "models"
    with Corpus(db) as corpus:
        english = store_article(corpus, "https://cor.example/partnership", PARTNERSHIP, "en",
                                title="Partnership launched", published=days_ago(0), source="cor")
        schools = store_article(corpus, "https://regione.example/scuole", SCHOOLS_IT, "it",
                                title="Corsi di italiano per studenti stranieri", published=days_ago(0), source="regione")
        partnership_it = store_article(corpus, "https://portale.example/partenariato", PARTNERSHIP_IT, "it",
                                       title="Al via il partenariato", published=days_ago(0), source="portale")
        # this machine has no Italian route yet (apertium-spa-ita not installed): both Italian articles wait
        translate_pending(corpus, Engines(models, apertium=["spa-eng"]))
        update_stories(corpus)
    first = _digest(db)
    assert len(first["stories"]) == 3 and sum(bool(s["waiting"]) for s in first["stories"]) == 2

    time.sleep(1.1)  # the corpus stamps translations to the second: the pair arrives after that digest
    with Corpus(db) as corpus:  # the pair is installed; 'translate' does what waited
        assert translate_pending(corpus, Engines(models)).translated == 2
        update_stories(corpus)
        stories = {a: corpus.articles.article(a)["story_id"] for a in (english, schools, partnership_it)}  # type: ignore[index]
        schools_en = corpus.articles.article(schools)["title_en"]  # type: ignore[index]
    assert stories[partnership_it] == stories[english]  # its translation joined it to the English story
    second = _digest(db)
    # the schools story was only ever reported in Italian: now it comes back, in English, marked;
    # the partnership story was reported in English already: its Italian copy's translation changes nothing
    assert [s["story_id"] for s in second["stories"]] == [stories[schools]]
    story = second["stories"][0]
    assert story["now_in_english"] and story["headline_lang"] == "en" and story["waiting"] is None
    assert story["machine_translation"].startswith("Machine translation from Italian (apertium ita-spa ")
    assert story["headline"] == schools_en and "Italian" in schools_en
    code, markdown, _ = run(db, "digest", "--again")
    assert code == 0 and "1 reported before, now in English" in markdown
    assert "now in English: reported before while it waited for a translation" in markdown

    # once: neither the next digest nor a retranslation (a new engine version) brings it back
    with Corpus(db) as corpus:
        translate_pending(corpus, Engines(models), retranslate=True)
    code, out, _ = run(db, "digest")
    assert code == 0 and out.startswith("nothing new"), out


def test_the_html_digest_charts_the_last_30_days_stories_per_language(corpus_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "digest.html"
    code, _, err = run(corpus_db, "digest", "--dry-run", "--out", str(target))
    assert code == 0, err
    page = target.read_text()
    svg = page[page.index("<svg"):page.index("</svg>") + 6]
    root = ET.fromstring(svg)
    lines = {line.get("data-key"): [int(v) for v in line.get("data-values").split()]
             for line in root.iter("{http://www.w3.org/2000/svg}polyline")}
    # counted by hand: the distinct stories of each language's articles per day, the last 30 days
    conn = sqlite3.connect(corpus_db)
    rows = conn.execute("SELECT lang, coalesce(published, substr(first_fetched, 1, 10)), story_id FROM articles").fetchall()
    conn.close()
    days = [days_ago(n) for n in range(29, -1, -1)]
    expected = {lang: [len({s for l, d, s in rows if l == lang and d[:10] == day}) for day in days]
                for lang in {r[0] for r in rows}}
    assert lines == expected and set(lines) == {"en", "es"}
    assert sum(lines["en"]) >= 3
    code, out, _ = run(corpus_db, "digest", "--dry-run", "--format", "markdown")
    assert "<svg" not in out  # the chart is the HTML digest's
