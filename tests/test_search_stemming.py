"""Search finds word forms: each language's Snowball stemmer through the corpus's vocabulary (word_stems),
phrases and --exact as written, and the vocabulary filled for a corpus upgraded from before it."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import store_article
from integration_watch import export
from integration_watch.cli import main
from integration_watch.corpus import MIGRATIONS, Corpus
from integration_watch.corpus.database import define_fold
from integration_watch.corpus.schema import migrate
from integration_watch.search import search

# (url, lang, text): in each language two forms of one word that only its own stemmer joins.
FORMS = [
    ("https://x.eu/en1", "en", "The refugees arrived in the city on Monday."),
    ("https://x.eu/en2", "en", "A refugee crisis was declared in the region."),
    ("https://x.eu/en3", "en", "The refuge on the mountain was closed for the winter."),
    ("https://x.es/es1", "es", "Los refugiados llegaron a la ciudad el lunes."),
    ("https://x.es/es2", "es", "Un refugiado habló con la prensa."),
    ("https://x.it/it1", "it", "I rifugiati sono arrivati in città lunedì."),
    ("https://x.it/it2", "it", "Un rifugiato ha parlato con la stampa."),
    ("https://x.de/de1", "de", "Die Flüchtlinge kamen am Montag in die Stadt."),
    ("https://x.de/de2", "de", "Ein Flüchtling sprach mit der Presse."),
    ("https://x.gr/el1", "el", "Οι πρόσφυγες έφτασαν στην πόλη τη Δευτέρα."),
    ("https://x.gr/el2", "el", "Ένας πρόσφυγας μίλησε στον Τύπο."),
    ("https://x.fr/fr1", "fr", "Les réfugiés sont arrivés en ville lundi."),
    ("https://x.fr/fr2", "fr", "Un réfugié a parlé à la presse."),
]


@pytest.fixture
def corpus(tmp_path: Path) -> Corpus:
    c = Corpus(tmp_path / "c.db")
    for url, lang, text in FORMS:
        store_article(c, url, text, lang)
    return c


def urls(hits) -> set[str]:
    return {h.url for h in hits}


def test_refugee_finds_the_refugees_articles_and_not_the_refuge(corpus: Corpus) -> None:
    assert urls(search(corpus, "refugee")) == {"https://x.eu/en1", "https://x.eu/en2"}
    assert urls(search(corpus, "Refugees")) == {"https://x.eu/en1", "https://x.eu/en2"}
    # "refuge" has another stem in English (refug): a shelter is not a refugee. No French text says
    # "refuge", so it is not read as French either (where it would share réfugiés' stem).
    assert urls(search(corpus, "refuge")) == {"https://x.eu/en3"}
    hit = next(h for h in search(corpus, "refugee") if h.url.endswith("en1"))
    assert "[refugees]" in hit.snippet  # the form found is highlighted


BOTH = {lang: {u for u, lg, _ in FORMS if lg == lang} for lang in ("es", "it", "de", "el", "fr")}


@pytest.mark.parametrize(("query", "lang"), [
    ("refugiado", "es"), ("Refugiados", "es"),
    ("rifugiato", "it"), ("rifugiati", "it"),
    ("Flüchtling", "de"), ("fluchtlinge", "de"),      # typed without the umlaut
    ("πρόσφυγας", "el"), ("ΠΡΟΣΦΥΓΕΣ", "el"),          # capitals without accents
    ("réfugié", "fr"), ("refugies", "fr"),
])
def test_each_languages_stemmer_is_applied(corpus: Corpus, query: str, lang: str) -> None:
    # the form typed is in one of the language's two articles: the other form is found too
    assert urls(search(corpus, query)) == BOTH[lang]
    assert len(search(corpus, query, exact=True)) == 1
    assert urls(search(corpus, query, lang=lang)) == BOTH[lang]


@pytest.mark.parametrize(("query", "lang"), [
    ("refugiadas", "es"), ("rifugiate", "it"), ("Flüchtlingen", "de"), ("réfugiées", "fr"),
])
def test_a_form_no_article_has_is_read_in_the_language_asked_for(corpus: Corpus, query: str, lang: str) -> None:
    # Latin script could be any language: a form in none of the corpus's texts is read as English only, and
    # in the language of --lang
    assert search(corpus, query) == []
    assert urls(search(corpus, query, lang=lang)) == BOTH[lang]


def test_greek_script_is_read_as_greek_without_being_asked(corpus: Corpus) -> None:
    assert urls(search(corpus, "προσφύγων")) == BOTH["el"]  # genitive plural: in no article


def test_the_vocabulary_holds_each_language_as_its_stemmer_reads_it(corpus: Corpus) -> None:
    # folded forms: no accents, and a final sigma is a sigma
    entries = set(map(tuple, corpus.conn.execute("SELECT stem, lang, word FROM word_stems")))
    for entry in [("refuge", "en", "refugees"), ("refugi", "es", "refugiados"), ("rifug", "it", "rifugiati"),
                  ("fluchtling", "de", "fluchtlinge"), ("προσφυγ", "el", "προσφυγεσ"), ("refugi", "fr", "refugies")]:
        assert entry in entries
    # a form is joined to a query word only through one language: English "arrived" and the Italian
    # "arrivati" share no stem in either language, so neither finds the other
    assert urls(search(corpus, "arrived")) == {"https://x.eu/en1"}


def test_phrases_and_exact_stay_as_written(corpus: Corpus) -> None:
    assert urls(search(corpus, '"refugee crisis"')) == {"https://x.eu/en2"}
    assert search(corpus, '"refugees crisis"') == []
    assert urls(search(corpus, '"refugee"')) == {"https://x.eu/en2"}  # one quoted word: that form only
    assert urls(search(corpus, "refugee", exact=True)) == {"https://x.eu/en2"}
    assert urls(search(corpus, "refugee crisis")) == {"https://x.eu/en2"}
    assert urls(search(corpus, "refugee NOT crisis")) == {"https://x.eu/en1"}
    assert urls(search(corpus, "refuge* NOT crisis")) == {"https://x.eu/en1", "https://x.eu/en3"}


def test_translations_arriving_later_bring_their_forms(tmp_path: Path) -> None:
    with Corpus(tmp_path / "c.db") as corpus:
        article = store_article(corpus, "https://x.se/a", "Flyktingarna kom till staden.", "sv")
        assert search(corpus, "refugee") == []
        with corpus.transaction() as c:  # what the translation stage writes
            c.execute("UPDATE articles SET text_en = 'The refugees came to the city.' WHERE id = ?", (article,))
        hit = search(corpus, "refugee")[0]
        assert hit.id == article and hit.snippet.startswith("[en]") and "[refugees]" in hit.snippet
        # Swedish "flykting" is in no text: read as Swedish when asked for (flyktingarna), else as English
        assert search(corpus, "flykting") == []
        assert [h.id for h in search(corpus, "flykting", lang="sv")] == [article]


def test_search_command_exact_flag_and_export_count_trends_agree(corpus: Corpus, tmp_path: Path) -> None:
    db = str(corpus.path)
    runner = CliRunner()
    stemmed = runner.invoke(main, ["--db", db, "search", "refugee", "--format", "json"])
    exact = runner.invoke(main, ["--db", db, "search", "refugee", "--exact", "--format", "json"])
    assert stemmed.exit_code == 0 and exact.exit_code == 0, stemmed.output + exact.output
    assert {h["url"] for h in json.loads(stemmed.output)} == {"https://x.eu/en1", "https://x.eu/en2"}
    assert {h["url"] for h in json.loads(exact.output)} == {"https://x.eu/en2"}
    counted = runner.invoke(main, ["--db", db, "search", "refugee", "--count", "--format", "json"])
    assert json.loads(counted.output)["articles"] == 2
    assert {r["url"] for r in export.rows(corpus, query="refugiado")} == BOTH["es"]


# The migration that brings the vocabulary of word forms, counted from 1 as PRAGMA user_version counts.
WORD_FORMS = next(n for n, script in enumerate(MIGRATIONS, 1) if "word_stems (" in script)


def _corpus_before_word_forms(db: Path) -> None:
    conn = sqlite3.connect(db)
    define_fold(conn)  # the older migrations' triggers call fold()
    for number, script in enumerate(MIGRATIONS[:WORD_FORMS - 1], 1):
        conn.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")
    conn.execute("INSERT INTO sources(name, first_seen) VALUES ('s', '2021-01-01')")
    for n, (url, lang, text) in enumerate(FORMS, 1):
        conn.execute(
            "INSERT INTO articles(id, source, url, fetched_url, text, lang, text_hash, first_fetched, last_fetched,"
            " updated) VALUES (?, 's', ?, ?, ?, ?, ?, 'd', 'd', 'd')", (n, url, url, text, lang, str(n)))
    conn.commit()
    conn.close()


def test_an_older_corpus_gets_its_vocabulary_and_loses_nothing(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _corpus_before_word_forms(db)
    before = sqlite3.connect(db).execute("SELECT * FROM articles ORDER BY id").fetchall()
    with Corpus(db) as corpus:
        assert corpus.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert [tuple(r) for r in corpus.conn.execute("SELECT * FROM articles ORDER BY id")] == before
        corpus.conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
        assert urls(search(corpus, "refugee")) == {"https://x.eu/en1", "https://x.eu/en2"}
        assert urls(search(corpus, "rifugiato")) == BOTH["it"]


def test_an_upgrade_killed_halfway_leaves_the_old_corpus_and_runs_again(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _corpus_before_word_forms(db)
    conn = sqlite3.connect(db)
    define_fold(conn)
    calls = []

    def failing(*args: object) -> str:  # the upgrade fails after the first articles' vocabulary
        calls.append(args)
        return "[]" if len(calls) <= 3 else "not JSON: json_each() fails the statement"

    conn.create_function("stem_vocabulary", 5, failing)
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, WORD_FORMS - 1)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == WORD_FORMS - 1
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'word_stems'").fetchone()[0] == 0
    conn.close()
    with Corpus(db) as corpus:  # the next open upgrades it whole
        assert urls(search(corpus, "refugiado")) == BOTH["es"]
