"""Translation to English: our sentence splitter, the real Apertium binary on fixture articles crawled over
loopback HTTP, the translation memory, statuses, and search/show over the English text.

Argos packages cannot be downloaded here, so the argos tests build a tiny random-weight package
(tests/argos_package.py) and install it through the product's own `models install`; see test_models.py.
"""

from __future__ import annotations

import json
import re
import sqlite3
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import run, store_article, write_sources
from integration_watch.cli import main
from integration_watch.config import load_config
from integration_watch.corpus import Corpus
from integration_watch.crawl import crawl
from integration_watch.engines import ApertiumEngine, TranslationError
from integration_watch.routes import Engines
from integration_watch.fixtures import FixtureSites
from integration_watch.search import search
from integration_watch.translate import split_sentences, translate_articles, translate_pending

# The real Apertium binary with its Spanish and Catalan pairs (./setup.sh test installs them; skipped without).
needs_apertium = pytest.mark.apertium("spa-eng", "cat-eng")
# ... and the pairs into Spanish that make the Italian and French chains.
needs_chains = pytest.mark.apertium("spa-eng", "ita-spa", "fr-es")


# --- sentence splitting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("The plan was adopted. It starts in 2022.", "en", ["The plan was adopted.", "It starts in 2022."]),
        ("Dr. Rossi met the mayor, e.g. in Rome. Then he left!", "en", ["Dr. Rossi met the mayor, e.g. in Rome.", "Then he left!"]),
        ("Am 1. Januar tritt es in Kraft. Das ist neu.", "de", ["Am 1. Januar tritt es in Kraft.", "Das ist neu."]),
        ("Τι άλλαξε; Οι περιφέρειες ζητούν πόρους.", "el", ["Τι άλλαξε;", "Οι περιφέρειες ζητούν πόρους."]),
        ("One; two. three", "en", ["One; two. three"]),
        ("«¿Qué hacemos?» Nadie lo sabe. «Nada.»", "es", ["«¿Qué hacemos?»", "Nadie lo sabe.", "«Nada.»"]),
        ("J. K. Smith wrote it.", "en", ["J. K. Smith wrote it."]),
        ("   ", "en", []),
    ],
)
def test_sentence_splitting(text: str, lang: str, expected: list[str]) -> None:
    assert split_sentences(text, lang) == expected


def test_very_long_sentences_are_cut_at_clause_marks_and_nothing_is_lost() -> None:
    long = ", ".join(f"item number {i} of the regional integration plan" for i in range(40)) + "."
    parts = split_sentences(long, "en")
    assert len(parts) > 1 and all(len(p) <= 400 for p in parts)
    assert " ".join(parts).split() == long.split()


# --- Apertium through the pipeline ---------------------------------------------------------------------


def _rows(db: Path, sql: str, *args: object) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


@needs_apertium
def test_spanish_articles_come_out_in_english_and_are_found_by_english_queries(crawled_db: Path) -> None:
    spanish = _rows(crawled_db, "SELECT * FROM articles WHERE lang = 'es'")
    assert spanish
    for row in spanish:
        assert row["translation_status"] == "translated", row["translation_note"]
        assert row["translation_engine"].startswith("apertium spa-eng ")
        assert row["text_en"].count("\n") == row["text"].count("\n")  # paragraph-aligned
        english_words = {"the", "of", "and", "with"}
        assert len(english_words & set(row["text_en"].lower().split())) >= 3
    malaga = next(r for r in spanish if "presentacion-estrategia" in r["url"])
    assert "The City council of Málaga has presented" in malaga["text_en"]
    assert malaga["title_en"].startswith("Málaga presents")

    with Corpus(crawled_db, readonly=True) as corpus:
        hits = search(corpus, '"city council" strategy')
        assert malaga["id"] in [h.id for h in hits]
        hit = next(h for h in hits if h.id == malaga["id"])
        assert hit.lang == "es" and hit.title_en == malaga["title_en"]
        assert hit.snippet.startswith("[en] ") and "[City] [council]" in hit.snippet
        # a field covers the English title too
        assert malaga["id"] in [h.id for h in search(corpus, "title:presents")]
        # the original language still matches
        assert malaga["id"] in [h.id for h in search(corpus, "ayuntamiento")]


@needs_chains
def test_statuses_english_pending_and_what_waits_for_which_language(crawled_db: Path) -> None:
    rows = _rows(crawled_db, "SELECT lang, translation_status, translation_waiting, text, text_en, paragraph_langs FROM articles")
    for row in rows:
        if row["lang"] == "en" and row["translation_waiting"] is None and row["text_en"] is None:
            assert row["translation_status"] == "english"
        if row["lang"] in {"el", "sv", "de"}:  # no Apertium route: argos models only
            assert row["translation_status"] == "pending"
            assert row["lang"] in row["translation_waiting"].split()
            # nothing of the source passed off as English: only paragraphs detected as English are kept
            langs = dict(json.loads(row["paragraph_langs"]))
            english = (row["text_en"] or "").split("\n")
            for i, line in enumerate(english):
                if line.strip():
                    assert langs.get(i) == "en" and line == row["text"].split("\n")[i]
        if row["lang"] in {"es", "it", "fr"}:
            assert row["translation_status"] == "translated"
    assert all(r["translation_status"] is not None for r in rows)

    result = CliRunner().invoke(main, ["--db", str(crawled_db), "stats", "--format", "json"])
    stats = json.loads(result.stdout)["translation"]
    greek = sum(1 for r in rows if r["lang"] == "el")
    assert stats["waiting"]["el"] == greek and "it" not in stats["waiting"] and "fr" not in stats["waiting"]
    assert stats["status"]["translated"] == sum(1 for r in rows if r["translation_status"] == "translated")


@needs_chains
def test_italian_and_french_come_out_in_english_through_apertium_chains(crawled_db: Path) -> None:
    chain = re.compile(r"apertium (ita-spa|fr-es) \d\S* \+ apertium spa-eng \d\S*")
    for row in _rows(crawled_db, "SELECT * FROM articles WHERE lang IN ('it', 'fr')"):
        assert chain.fullmatch(row["translation_engine"]), row["translation_engine"]
        assert row["text_en"].count("\n") == row["text"].count("\n")
        assert len({"the", "of", "and"} & set(row["text_en"].lower().split())) == 3
    mipex = _rows(crawled_db, "SELECT * FROM articles WHERE url LIKE '%MIPEX-R-l-indice%'")[0]
    assert mipex["title_en"].lower().startswith("mipex-r: the regional index on the integration")
    assert "43 regions of 8 States" in mipex["text_en"]
    with Corpus(crawled_db, readonly=True) as corpus:
        # an English query finds it through its English, and it has joined the English original's story
        hits = search(corpus, '"regional index" regions', all_copies=True)
        assert mipex["id"] in [h.id for h in hits]
        story = [m["lang"] for m in corpus.stories.story_members([mipex["story_id"]])[mipex["story_id"]]]
        assert sorted(story) == ["en", "it"]
    # the same through the command line: the English query lists the Italian article among the story's copies
    code, out, err = run(crawled_db, "search", '"regional index"', "--all-copies", "--format", "json")
    assert code == 0, err
    assert mipex["id"] in [hit["id"] for hit in json.loads(out)]


@needs_chains
def test_mixed_page_keeps_english_paragraphs_and_translates_the_italian_ones(crawled_db: Path) -> None:
    row = _rows(crawled_db, "SELECT * FROM articles WHERE text LIKE '%I mediatori di quartiere%'")[0]
    assert row["lang"] == "en"
    assert row["translation_status"] == "translated" and row["translation_waiting"] is None
    assert row["translation_engine"].startswith("apertium ita-spa ")
    original = row["text"].split("\n")
    english = row["text_en"].split("\n")
    assert len(original) == len(english)
    langs = dict(json.loads(row["paragraph_langs"]))
    italian = [i for i, src in enumerate(original) if langs.get(i) == "it" and len(src) >= 40]
    assert italian
    for i, (src, en) in enumerate(zip(original, english, strict=True)):
        if i in italian:
            assert en.strip() and en != src and "neighbourhoods" in en
        elif langs.get(i) == "en" and src.strip():
            assert en == src


@needs_apertium
def test_show_prints_original_and_english_paragraph_by_paragraph(crawled_db: Path) -> None:
    article_id = _rows(crawled_db, "SELECT id FROM articles WHERE url LIKE '%presentacion-estrategia%'")[0]["id"]
    result = CliRunner().invoke(main, ["--db", str(crawled_db), "show", str(article_id)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    at = lines.index(next(line for line in lines if line.startswith("El Ayuntamiento de Málaga ha presentado")))
    assert lines[at + 1].startswith("    en: The City council of Málaga has presented")
    assert "translation_engine:" in result.stdout and "apertium spa-eng" in result.stdout


@needs_apertium
def test_translation_memory_sends_each_distinct_sentence_to_the_engine_once(
    sites: FixtureSites, tmp_path: Path
) -> None:
    config = load_config(write_sources(sites, tmp_path / "sources.toml"))
    with Corpus(tmp_path / "c.db") as corpus:
        crawl(config, corpus, source_names=["malaga-integracion"])
        engines = Engines(tmp_path / "models")
        first = translate_pending(corpus, engines)
        rows = corpus.conn.execute("SELECT text, title FROM articles WHERE lang = 'es'").fetchall()
        distinct = {s for r in rows for p in [r["title"], *r["text"].split("\n")] for s in split_sentences(p, "es")}
        # the two copies of the strategy (HTML page and its PDF) and the repeated headings are sent once
        assert first.engine_sentences == len(distinct) < first.sentences
        assert first.memory_hits == first.sentences - first.engine_sentences - _repeats_in_one_chunk(rows)
        again = translate_pending(corpus, engines, retranslate=True)
        assert again.engine_sentences == 0 and again.memory_hits == len(distinct)
        assert again.translated == first.translated
        memory = corpus.conn.execute("SELECT count(*) FROM translation_memory").fetchone()[0]
        assert memory == len(distinct)


def _repeats_in_one_chunk(rows: list[sqlite3.Row]) -> int:
    # Within one chunk, repeated sentences are deduplicated before the memory is asked.
    all_sentences = [s for r in rows for p in [r["title"], *r["text"].split("\n")] for s in split_sentences(p, "es")]
    return len(all_sentences) - len(set(all_sentences))


@needs_apertium
def test_changed_text_is_translated_again_and_a_wrong_language_is_not_passed_off_as_english(tmp_path: Path) -> None:
    with Corpus(tmp_path / "c.db") as corpus:
        spanish = "El Ayuntamiento ha presentado la estrategia local de integración con las entidades sociales."
        # Language detection got this English article wrong: Apertium's Catalan pair returns it unchanged.
        english = "The city council presented its local integration strategy to the social organisations today."
        ids = [
            store_article(corpus, "https://example.org/es", spanish, "es"),
            store_article(corpus, "https://example.org/wrong", english, "ca"),
        ]
        engines = Engines(tmp_path / "models")
        translate_articles(corpus, engines, ids)
        es, wrong = (corpus.articles.article(i) for i in ids)
        assert es is not None and wrong is not None
        assert es["translation_status"] == "translated" and "city council" in es["text_en"].lower()
        assert wrong["translation_status"] == "failed" and wrong["text_en"] is None
        assert "unchanged" in wrong["translation_note"]

        store_article(corpus, "https://example.org/es", spanish + "\nLa Comisión Europea apoya la iniciativa.", "es")
        changed = corpus.articles.article(ids[0])
        assert changed is not None and changed["translation_status"] is None and changed["text_en"] is None
        assert corpus.translations.articles_to_translate(languages=engines.languages(), only_new=True) == [ids[0]]
        translate_pending(corpus, engines, only_new=True)
        changed = corpus.articles.article(ids[0])
        assert changed is not None and changed["text_en"].split("\n")[1].startswith("The European Commission")


@needs_apertium
def test_apertium_engine_keeps_one_output_per_sentence_whatever_the_input() -> None:
    engine = ApertiumEngine(["spa-eng"], ["0"])
    tricky = ["Hola.", "", "Línea con [corchetes] y ^símbolos$ / raros @ 100%", "Dos\nlíneas", "Adiós."]
    out = engine.translate(tricky)
    assert len(out) == len(tricky)
    assert out[0] == "Hello." and out[-1] == "Goodbye."


@needs_chains
def test_a_sentence_translates_the_same_whatever_shares_its_batch() -> None:
    """Apertium reads across a line break: a title after a line without a full stop once came out
    "MIPEX-R: the …" and after a full sentence "MIPEX-R: The …", so what the memory kept depended on batching."""
    title = "MIPEX-R: l'indice regionale sull'integrazione si estende a 18 nuove regioni europee"
    engine = ApertiumEngine(["ita-spa", "spa-eng"], ["0", "0"])
    alone = engine.translate([title])[0]
    for before in (["Il progetto"], ["Questo è un esempio."], ["Le regioni sono grandi e", "La"]):
        assert engine.translate([*before, title])[-1] == alone, before


class _NoTimeToAnswer(ApertiumEngine):
    """The real engine with no time allowed: stands for an Apertium that hangs, which the real one here never does."""

    TIMEOUT_BASE = 0.5  # long enough for the script to start its pipeline, far too short for its input
    CHARS_PER_SECOND_FLOOR = 1e12


def _processes_with_tmpdir_under(folder: Path) -> list[int]:
    """Live processes whose TMPDIR is in `folder` (SIGKILL is delivered, not done, when kill() returns: a killed
    process may take a moment to go, so this looks for up to 2 s)."""
    deadline = time.monotonic() + 2
    while True:
        found = []
        for proc in Path("/proc").iterdir():
            try:
                if not proc.name.isdigit() or (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                    continue
                environ = (proc / "environ").read_bytes().split(b"\0")
            except OSError:
                continue  # gone, or not ours to read
            if any(v.startswith(b"TMPDIR=" + bytes(folder)) for v in environ):
                found.append(int(proc.name))
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


@needs_apertium
def test_an_apertium_that_does_not_answer_in_time_leaves_no_process_and_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cron crawl that times out on Apertium must not leave its pipeline running (~80 MB of dictionaries per
    program) nor, run after run, the temporary file the `apertium` script removes only when it exits normally."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(TranslationError, match="no answer from apertium spa-eng"):
        _NoTimeToAnswer(["spa-eng"], ["0"]).translate(["La Comisión publica hoy su informe sobre la integración."] * 20000)
    assert _processes_with_tmpdir_under(tmp_path) == []
    assert list(tmp_path.iterdir()) == []


@needs_apertium
def test_past_its_deadline_translation_begins_nothing_new_and_the_next_run_takes_the_rest(tmp_path: Path) -> None:
    """A cron run's time limit covers translation: past it, the articles not reached stay untried (not failed),
    and the next run's only-new translation takes exactly them."""
    with Corpus(tmp_path / "c.db") as corpus:
        ids = [store_article(corpus, f"https://x.es/{i}", f"La región abre {i} nuevos cursos de idiomas.", "es")
               for i in range(3)]
        engines = Engines(tmp_path / "models", apertium=["spa-eng"])
        late = translate_pending(corpus, engines, only_new=True, deadline=time.monotonic())
        assert (late.stopped, late.left, late.articles) == (True, 3, 0)
        assert {corpus.articles.article(i)["translation_status"] for i in ids} == {None}
        rest = translate_pending(corpus, engines, only_new=True, deadline=time.monotonic() + 600)
        assert (rest.stopped, rest.translated) == (False, 3)
        assert corpus.articles.article(ids[2])["text_en"].startswith("The region")
