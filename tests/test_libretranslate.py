"""A LibreTranslate-API translation server as an engine: routes, batching, the memory, a server that is slow,
down, failing for a while or answering fewer sentences than it was sent.

LibreTranslate itself cannot run here (its models cannot be downloaded), so these tests talk real HTTP to a
small stand-in on 127.0.0.1 that implements the documented /languages and /translate endpoints
(tests/libretranslate_server.py). Its "translations" are made-up (word lengths in reverse order): these tests
prove the engine's protocol and the stage's handling of what a server does, not translation quality.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import store_article
from integration_watch.cli import main
from integration_watch.config import ConfigError, ServerSettings, TranslationSettings, parse_config
from integration_watch.corpus import Corpus
from integration_watch.routes import Engines
from integration_watch.translate import translate_pending
from libretranslate_server import LibreTranslateStandIn, fake_translation

GREEK = [f"Η περιφέρεια ανακοίνωσε {n} νέα μαθήματα ελληνικών για πρόσφυγες στην πόλη." for n in range(120)]


@pytest.fixture
def server() -> Iterator[LibreTranslateStandIn]:
    with LibreTranslateStandIn() as running:
        yield running


def _engines(tmp_path: Path, url: str, **options: object) -> Engines:
    settings = TranslationSettings(server=ServerSettings(url, **options))  # type: ignore[arg-type]
    return Engines(tmp_path / "models", settings=settings, apertium=())


def _store(corpus: Corpus, sentences: list[str], per_article: int = 10) -> list[int]:
    return [store_article(corpus, f"https://x.gr/{i}", "\n".join(sentences[i:i + per_article]), "el")
            for i in range(0, len(sentences), per_article)]


def test_the_server_translates_its_languages_in_batches_and_the_memory_spares_it(
    server: LibreTranslateStandIn, tmp_path: Path
) -> None:
    server.behaviour.languages["de"] = ["fr"]  # listed, but not into English: no route
    engines = _engines(tmp_path, server.url, batch=50)
    assert engines.languages() == {"el", "it"}
    assert engines.routes("el")[0].name == f"server {server.url} el-en"
    with Corpus(tmp_path / "c.db") as corpus:
        ids = _store(corpus, GREEK)
        report = translate_pending(corpus, engines)
        assert report.translated == len(ids) and report.engine_sentences == 120
        assert server.behaviour.requests == 3  # 120 sentences, 50 per request
        for n, article_id in enumerate(ids):
            row = corpus.articles.article(article_id)
            assert row is not None and row["translation_engine"] == f"server {server.url} el-en"
            # every answer in its place: the n-th paragraph is the n-th sentence's translation
            assert row["text_en"].split("\n") == [fake_translation(s) for s in GREEK[n * 10:(n + 1) * 10]]
        again = translate_pending(corpus, engines, retranslate=True)
        assert again.engine_sentences == 0 and server.behaviour.requests == 3
    engines.close()


def test_english_articles_do_not_split_the_foreign_ones_into_more_engine_calls(
    server: LibreTranslateStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crawl stores mostly English articles: counted towards a chunk's size, they spread its few foreign ones
    over many chunks, and each chunk started every engine again (Apertium: ~0.1-0.3 s of CPU a leg)."""
    from integration_watch import translate

    monkeypatch.setattr(translate, "CHUNK_ARTICLES", 5)  # the real 500, made small to keep the test small
    with Corpus(tmp_path / "c.db") as corpus:
        greek = [store_article(corpus, "https://x.gr/first", GREEK[0], "el")]
        english = [store_article(corpus, f"https://x.eu/{i}", f"The region opens {i} new language courses.", "en")
                   for i in range(12)]
        greek.append(store_article(corpus, "https://x.gr/last", GREEK[1], "el"))
        report = translate_pending(corpus, _engines(tmp_path, server.url, batch=50))
        assert (report.translated, report.english) == (2, len(english))
        assert server.behaviour.requests == 1  # both Greek articles in one call
        assert all(corpus.articles.article(i)["translation_status"] == "translated" for i in greek)


def test_a_server_down_slow_or_failing_leaves_articles_pending_and_nothing_is_lost(
    server: LibreTranslateStandIn, tmp_path: Path
) -> None:
    with Corpus(tmp_path / "c.db") as corpus:
        ids = _store(corpus, GREEK[:20])
        # slow: no answer within the timeout, retried, then the articles wait for the server
        server.behaviour.delay = 1.0
        slow = _engines(tmp_path, server.url, timeout=0.2, retries=1, backoff=0.01)
        report = translate_pending(corpus, slow)
        assert report.pending == len(ids) and report.failed == 0
        row = corpus.articles.article(ids[0])
        assert row is not None and row["translation_status"] == "pending" and row["translation_waiting"] == "el"
        assert "no answer within 0.2 s (2 attempts)" in row["translation_note"]
        slow.close()
        # failing twice (503), then answering: the retries carry it through
        server.behaviour.delay, server.behaviour.fail_next = 0.0, 2
        report = translate_pending(corpus, _engines(tmp_path, server.url, retries=2, backoff=0.01))
        assert report.translated == len(ids) and server.behaviour.fail_next == 0
        done = corpus.articles.article(ids[0])
        assert done is not None and done["text_en"]

    # down when a run starts: no route, the user is told, new Greek waits
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    down = _engines(tmp_path, closed, retries=0)
    assert down.languages() == set() and "unreachable" in down.problems[0]
    with Corpus(tmp_path / "d.db") as corpus:
        waiting = _store(corpus, GREEK[:10])
        assert translate_pending(corpus, down).pending == 1
        row = corpus.articles.article(waiting[0])
        assert row is not None and row["translation_status"] == "pending" and row["text_en"] is None


def test_what_a_server_answered_before_it_went_down_is_kept(server: LibreTranslateStandIn, tmp_path: Path) -> None:
    server.behaviour.fail_after = 1  # answers the first request (10 sentences), then only 503
    with Corpus(tmp_path / "c.db") as corpus:
        ids = _store(corpus, GREEK[:30])
        report = translate_pending(corpus, _engines(tmp_path, server.url, batch=10, retries=0))
        assert (report.translated, report.pending) == (1, 2)
        first, *rest = (corpus.articles.article(i) for i in ids)
        assert first is not None and first["text_en"].split("\n") == [fake_translation(s) for s in GREEK[:10]]
        assert all(r is not None and r["translation_status"] == "pending" for r in rest)
        assert corpus.conn.execute("SELECT count(*) FROM translation_memory").fetchone()[0] == 10
        server.behaviour.fail_after = None  # back: only the 20 sentences still missing are sent
        report = translate_pending(corpus, _engines(tmp_path, server.url, batch=10))
        assert report.translated == 2 and report.engine_sentences == 20 and report.memory_hits == 0


def test_fewer_translations_than_sentences_are_refused_and_nothing_is_stored(
    server: LibreTranslateStandIn, tmp_path: Path
) -> None:
    server.behaviour.drop_last = True
    with Corpus(tmp_path / "c.db") as corpus:
        ids = _store(corpus, GREEK[:10])
        report = translate_pending(corpus, _engines(tmp_path, server.url))
        assert report.failed == 1
        row = corpus.articles.article(ids[0])
        assert row is not None and row["translation_status"] == "failed" and row["text_en"] is None
        assert "9 translations for 10 sentences; refused" in row["translation_note"]
        assert corpus.conn.execute("SELECT count(*) FROM translation_memory").fetchone()[0] == 0


def test_sources_toml_configures_the_server_its_key_and_the_route_choice(
    server: LibreTranslateStandIn, tmp_path: Path
) -> None:
    server.behaviour.api_key = "s3cret"
    db, sources = tmp_path / "c.db", tmp_path / "sources.toml"
    with Corpus(db) as corpus:
        article = store_article(corpus, "https://x.gr/1", "\n".join(GREEK[:3]), "el", title=GREEK[3])
    feed = '[[source]]\nname = "x"\nfeeds = ["https://x.gr/feed"]\n'
    sources.write_text(f'[translation]\nserver = "{server.url}"\napi_key = "wrong"\ntimeout = 5\n\n{feed}')
    runner = CliRunner()
    result = runner.invoke(main, ["--db", str(db), "--models", str(tmp_path / "m"), "translate", "--sources", str(sources)])
    assert result.exit_code == 0, result.stderr
    with Corpus(db, readonly=True) as corpus:
        row = corpus.articles.article(article)
        assert row is not None and row["translation_status"] == "failed" and "Invalid API key" in row["translation_note"]
    sources.write_text(sources.read_text().replace('"wrong"', '"s3cret"'))
    result = runner.invoke(main, ["--db", str(db), "--models", str(tmp_path / "m"), "translate", "--sources", str(sources)])
    assert result.exit_code == 0, result.stderr
    with Corpus(db, readonly=True) as corpus:
        row = corpus.articles.article(article)
        assert row is not None and row["translation_status"] == "translated" and row["title_en"] == fake_translation(GREEK[3])



@pytest.mark.apertium("ita-spa", "spa-eng")
def test_a_server_route_goes_before_an_apertium_chain_unless_apertium_is_preferred(
    server: LibreTranslateStandIn, tmp_path: Path
) -> None:
    sources = tmp_path / "sources.toml"
    feed = '[[source]]\nname = "x"\nfeeds = ["https://x.gr/feed"]\n'

    def italian_routes(translation: str) -> list[tuple[str, bool]]:
        sources.write_text(f'[translation]\nserver = "{server.url}"\n{translation}\n{feed}')
        result = CliRunner().invoke(main, ["--models", str(tmp_path / "m"), "models", "list", "--format", "json",
                                           "--sources", str(sources)])
        return [(r["kind"], r["used"]) for r in json.loads(result.stdout)["routes"] if r["source"] == "it"]

    assert italian_routes("") == [("server direct", True), ("apertium chain", False)]
    assert italian_routes('prefer = {it = "apertium"}') == [("apertium chain", True), ("server direct", False)]


@pytest.mark.parametrize(("table", "message"), [
    ('server = "mt.internal:5000"', "must be an http(s) URL"),
    ('api_key = "k"', "'api_key' needs 'server'"),
    ('server = "http://mt:5000"\ntimeout = 0', "'timeout' must be a positive number"),
    ('server = "http://mt:5000"\nport = 1', "unknown key 'port'"),
])
def test_a_bad_server_setting_is_a_clear_error(table: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_config({"translation": _toml(table), "source": [{"name": "x", "feeds": ["https://x.org/f"]}]})


def _toml(text: str) -> dict[str, object]:
    import tomllib

    return tomllib.loads(text)
