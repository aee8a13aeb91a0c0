"""Search over a real SQLite corpus: ranking, filters, snippets, accents in every script, bad queries."""

from __future__ import annotations

import sqlite3
import unicodedata
from pathlib import Path

import pytest
from conftest import store_article

from integration_watch.corpus import ArticleRecord, Corpus, fold
from integration_watch.search import QueryError, parse_date, search
from integration_watch.snippets import snippet

ARTICLES = [
    # (url, title, text, lang, published)
    ("https://cor.europa.eu/el/a", "Ολοκληρωμένη στρατηγική ένταξης", "Η Ολοκληρωμένη στρατηγική για την ένταξη των μεταναστών στις περιφέρειες της Ελλάδας.", "el", "2021-03-02"),
    ("https://cpmr.org/b", "REGIN toolkit for regions", "The REGIN toolkit helps regional authorities design a local integration strategy with stakeholders.", "en", "2021-06-22"),
    ("https://cpmr.org/c", "Cooperation news", "A long report on cooperation between regions. Integration strategy is mentioned once here.", "en", "2020-01-10"),
    ("https://integrazione.it/d", "Integrazione: al via il partenariato", "La Commissione e il Comitato delle regioni lanciano un partenariato per l'integrazione dei migranti nelle città.", "it", "2021-07-01"),
    ("https://x.es/e", "Estrategia de integración", "La estrategia de integración de la ciudad: participación, gobernanza y evaluación.", "es", "2022-02-01"),
]


@pytest.fixture
def corpus(tmp_path: Path) -> Corpus:
    c = Corpus(tmp_path / "c.db")
    c.pages.start_run(["s"])
    for url, title, text, lang, published in ARTICLES:
        record = ArticleRecord(url, url, title, text, lang, 0.99, (lang,), ((0, lang),), published, None, None, None, lang)
        c.pages.record_fetch(source="s", url=url, role="article", depth=1, state="stored",
                       http_status=200, article=record)
    return c


def titles(hits) -> list[str]:
    return [h.title for h in hits]


def test_title_matches_rank_above_body_mentions(corpus: Corpus) -> None:
    # "regions" is in one title and in another article's body only
    assert titles(search(corpus, "regions")) == ["REGIN toolkit for regions", "Cooperation news"]
    hits = search(corpus, "integration strategy")
    assert set(titles(hits)) == {"REGIN toolkit for regions", "Cooperation news"}
    assert all("[integration] [strategy]" in h.snippet.lower() for h in hits)


def test_accents_and_case_do_not_matter_in_any_script(corpus: Corpus) -> None:
    for query in ("ολοκληρωμενη", "ΟΛΟΚΛΗΡΩΜΈΝΗ", "Ολοκληρωμένη στρατηγικη"):
        assert titles(search(corpus, query)) == ["Ολοκληρωμένη στρατηγική ένταξης"], query
    assert titles(search(corpus, "integracion")) == ["Estrategia de integración"]
    hit = search(corpus, "ολοκληρωμενη")[0]
    assert "[Ολοκληρωμένη]" in hit.snippet  # highlighted in the original spelling


def test_folding_drops_every_combining_mark_and_keeps_every_other_character() -> None:
    """The index and the queries are folded alike; a mark left in one of them, or a letter dropped, loses matches
    (a decomposed accent typed in a query, a Vietnamese or Devanagari word)."""
    text = "".join(chr(cp) for cp in range(0x10000) if not 0xD800 <= cp < 0xE000)  # every BMP character
    kept = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    assert fold(text) == unicodedata.normalize("NFC", kept.casefold())
    assert fold("Cafe\u0301 ÉTÉ Ολοκληρωμένη Tiếng") == "cafe ete ολοκληρωμενη tieng"


@pytest.mark.parametrize(("text", "terms", "expected"), [
    ("La estrategia de integración: integraciones e integración.", ("integracion",),
     "La estrategia de [integración]: integraciones e [integración]."),  # whole words only, accents folded
    ("Integration strategies, the integration strategy.", ("integration", "strateg*"),
     "[Integration] [strategies], the [integration] [strategy]."),
    ("Η Ολοκληρωμένη στρατηγική, ΣΤΡΑΤΗΓΙΚΉ", ("στρατηγ*",), "Η Ολοκληρωμένη [στρατηγική], [ΣΤΡΑΤΗΓΙΚΉ]"),
    ("Die Straße, die Strasse und die Straßenbahn", ("strasse",), "Die [Straße], die [Strasse] und die Straßenbahn"),
    ("Nothing to see in café society", ("integration",), "Nothing to see in café society"),
])
def test_snippets_mark_the_words_that_fold_to_a_query_term(text: str, terms: tuple[str, ...], expected: str) -> None:
    assert snippet(text, terms) == expected


def test_filters_by_language_source_and_dates(corpus: Corpus) -> None:
    assert titles(search(corpus, "integrazione OR integration", lang="it")) == ["Integrazione: al via il partenariato"]
    assert titles(search(corpus, "integration", since="2021-01-01", until="2021-12-31")) == ["REGIN toolkit for regions"]
    assert titles(search(corpus, "integration", since="2021")) == ["REGIN toolkit for regions"]
    assert search(corpus, "integration", source="nope") == []


def test_phrases_operators_prefixes_and_fields(corpus: Corpus) -> None:
    assert titles(search(corpus, '"local integration strategy"')) == ["REGIN toolkit for regions"]
    assert titles(search(corpus, "integration NOT toolkit")) == ["Cooperation news"]
    assert set(titles(search(corpus, "partenar*"))) == {"Integrazione: al via il partenariato"}
    assert titles(search(corpus, "title:regin")) == ["REGIN toolkit for regions"]
    assert search(corpus, "title:report") == []  # "report" is only in a body


@pytest.mark.parametrize("query", ['"unclosed phrase', "integration AND", "(integration", "OR", "   ", "x" * 2000])
def test_bad_queries_get_a_clear_error(corpus: Corpus, query: str) -> None:
    with pytest.raises(QueryError):
        search(corpus, query)


def test_punctuation_is_not_fts_syntax(corpus: Corpus) -> None:
    for query in ("2021-2027", "l'integrazione", "integration: strategy", "c++ AND-OR", "NEAR(a b)", "10:30", "http://x.eu"):
        search(corpus, query)  # no QueryError and no sqlite error


def test_dates_parse_or_explain() -> None:
    assert parse_date("2021-06") == "2021-06-01"
    assert parse_date("2021-02", end=True) == "2021-02-28"
    assert parse_date("2021", end=True) == "2021-12-31"
    for bad in ("yesterday", "2021-13-01", "21-06-2021"):
        with pytest.raises(QueryError, match="cannot read the date"):
            parse_date(bad)


def test_updating_an_article_replaces_its_index_entry(corpus: Corpus) -> None:
    url = "https://cpmr.org/b"
    record = ArticleRecord(url, url, "REGIN toolkit renamed", "Now about housing for newcomers only.", "en", 0.9, ("en",),
                           ((0, "en"),), "2021-06-23", None, None, None, "en")
    _, outcome = corpus.pages.record_fetch(source="s", url=url, role="article", depth=1, state="stored", http_status=200, article=record)
    assert outcome == "updated"
    assert titles(search(corpus, "housing")) == ["REGIN toolkit renamed"]
    assert "REGIN toolkit renamed" not in titles(search(corpus, "stakeholders"))
    check = sqlite3.connect(corpus.path).execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    assert check is not None


def test_sort_by_date_and_ties_broken_by_date(corpus: Corpus) -> None:
    by_date = search(corpus, "integration OR integrazione OR integración", sort="date")
    dates = [h.published for h in by_date]
    assert dates == sorted(dates, reverse=True) and len(dates) == 4
    with pytest.raises(QueryError, match="unknown sort"):
        search(corpus, "integration", sort="random")


def test_a_very_common_word_is_ranked_among_the_newest_matches_unless_too_few_remain(tmp_path: Path) -> None:
    with Corpus(tmp_path / "big.db") as corpus:
        for i in range(120):
            # "regions" is in every article; "coastal" in the old ones only; the best match for
            # "regions" by bm25 (most occurrences, short) is an old article.
            words = "regions " * (8 if i == 3 else 1)
            text = f"{words} article number {i} about integration" + (" coastal" if i < 20 else "")
            lang = "it" if i < 20 else "en"
            store_article(corpus, f"https://x.eu/{i}", text, lang, title=f"Item {i}", published=f"2020-01-{1 + i % 28:02d}")
        full = search(corpus, "regions", limit=5, common_matches=1000)
        assert full[0].title == "Item 3"
        newest = search(corpus, "regions", limit=5, common_matches=50)
        assert all(int(h.title.split()[1]) >= 70 for h in newest)  # the 50 most recently stored
        # a filter that leaves fewer than `limit` of the newest matches falls back to ranking them all
        old_ones = search(corpus, "regions", lang="it", limit=5, common_matches=50)
        assert len(old_ones) == 5 and all(int(h.title.split()[1]) < 20 for h in old_ones)
        assert old_ones[0].title == "Item 3"
        # NOT-ed words do not count as the query's frequent words
        assert search(corpus, "coastal NOT regions", common_matches=10) == []


def test_an_older_corpus_is_upgraded_in_place_and_stays_searchable(tmp_path: Path) -> None:
    from integration_watch.corpus import MIGRATIONS

    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    conn.executescript(f"BEGIN; {MIGRATIONS[0]}; PRAGMA user_version = 1; COMMIT;")
    conn.execute("INSERT INTO sources(name, first_seen) VALUES ('s', '2021-01-01')")
    conn.execute(
        "INSERT INTO articles(source, url, fetched_url, title, text, lang, text_hash, first_fetched, last_fetched, updated)"
        " VALUES ('s', 'u', 'u', 'Ολοκληρωμένη στρατηγική', 'Κείμενο για την ένταξη', 'el', 'h', 'd', 'd', 'd')"
    )
    conn.execute("INSERT INTO articles_fts(rowid, title, text) VALUES (1, 'ολοκληρωμενη στρατηγικη', 'κειμενο για την ενταξη')")
    conn.commit()
    conn.close()
    with pytest.raises(Exception, match="out of date"):
        Corpus(db, readonly=True)
    with Corpus(db) as corpus:
        assert corpus.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert [h.id for h in search(corpus, "ΕΝΤΑΞΗ")] == [1]
        assert corpus.articles.article(1)["translation_status"] is None  # waits for the translation stage


def test_the_index_follows_changed_text_and_translations(tmp_path: Path) -> None:
    with Corpus(tmp_path / "c.db") as corpus:
        article = store_article(corpus, "https://x.eu/a", "The mayor opened the reception centre.", "en")
        assert [h.id for h in search(corpus, "reception")] == [article]
        store_article(corpus, "https://x.eu/a", "The mayor closed the community kitchen.", "en")  # re-fetched, changed
        assert search(corpus, "reception") == [] and [h.id for h in search(corpus, "kitchen")] == [article]
        with corpus.transaction() as c:  # what the translation stage writes
            c.execute("UPDATE articles SET title_en = 'Kitchen', text_en = 'A soup kitchen' WHERE id = ?", (article,))
        assert [h.id for h in search(corpus, "soup")] == [article]
        with corpus.transaction() as c:  # the same values again must leave the index as it is
            c.execute("UPDATE articles SET title_en = 'Kitchen', text_en = 'A soup kitchen' WHERE id = ?", (article,))
        assert [h.id for h in search(corpus, "soup")] == [article] == [h.id for h in search(corpus, "mayor")]
        corpus.conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
