"""Routes to English: the choice rule, the user's override, Apertium chains run as one pipeline, engine names
with every version, the memory across a chain, and a pair that goes away.

The Apertium pairs are the real Debian ones (./setup.sh test installs them; a test is skipped without its pairs); argos packages are generated with
random weights (tests/argos_package.py: no real model can be downloaded here), which is enough to decide
routes and to run them.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from argos_package import build_argos_package
from conftest import store_article
from integration_watch.cli import main
from integration_watch.corpus import Corpus
from integration_watch.engines import ApertiumEngine
from integration_watch.models import install_argos_file
from integration_watch.routes import Engines, Pair, find_routes
from integration_watch.translate import translate_pending


ITALIAN = [
    "Il Comune di Bologna ha presentato la nuova strategia locale per l'integrazione dei migranti.",
    "La Commissione europea sostiene il progetto con tre milioni di euro.",
    "I mediatori lavoreranno nei quartieri della città a partire da aprile.",
]
VERSION = r"\d[\w.+~-]*"


def _pair(engine: str, source: str, target: str) -> Pair:
    return Pair(engine, source, target, "1", f"{source}-{target}")


def test_the_rule_argos_then_apertium_direct_then_shortest_chain_then_longest() -> None:
    pairs = [
        _pair("apertium", "it", "es"), _pair("apertium", "es", "en"), _pair("apertium", "it", "ca"),
        _pair("apertium", "ca", "es"), _pair("apertium", "es", "it"), _pair("argos", "it", "fr"),
        _pair("apertium", "fr", "es"),
    ]
    names = [r.name for r in find_routes(pairs, "it")]
    # chains only, shortest first; a cycle back through Italian is never a route
    assert names == [
        "apertium it-es 1 + apertium es-en 1",
        "argos it-fr 1 + apertium fr-es 1 + apertium es-en 1",  # neural steps first among equals
        "apertium it-ca 1 + apertium ca-es 1 + apertium es-en 1",
    ]
    direct = find_routes([*pairs, _pair("apertium", "it", "en")], "it")
    assert direct[0].name == "apertium it-en 1" and direct[0].kind == "apertium direct"
    best = find_routes([*pairs, _pair("apertium", "it", "en"), _pair("argos", "it", "en")], "it")
    assert [r.name for r in best[:3]] == ["argos it-en 1", "apertium it-en 1", "apertium it-es 1 + apertium es-en 1"]
    # preferring a kind puts its routes first; a preference nothing meets changes nothing
    assert find_routes([*pairs, _pair("argos", "it", "en")], "it", "apertium")[0].name.startswith("apertium it-es")
    assert find_routes(pairs, "it", "argos")[0].name == names[0]
    assert find_routes(pairs, "en") == [] and find_routes(pairs, "de") == []


def _list(models: Path, *extra: str) -> dict[str, object]:
    result = CliRunner().invoke(main, ["--models", str(models), "models", "list", "--format", "json", *extra])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.apertium("spa-eng", "ita-spa", "fr-es", "pt-es", "hbs-eng")
def test_models_list_shows_every_route_and_the_one_used_and_sources_toml_can_prefer_one(tmp_path: Path) -> None:
    models = tmp_path / "models"
    listing = _list(models)
    used = {r["source"]: r["name"] for r in listing["routes"] if r["used"]}
    assert re.fullmatch(f"apertium ita-spa {VERSION} \\+ apertium spa-eng {VERSION}", used["it"])
    assert re.fullmatch(f"apertium fr-es {VERSION} \\+ apertium spa-eng {VERSION}", used["fr"])
    assert re.fullmatch(f"apertium pt-es {VERSION} \\+ apertium spa-eng {VERSION}", used["pt"])
    assert re.fullmatch(f"apertium hbs-eng {VERSION}", used["hr"]) and used["hr"] == used["sr"]
    versions = dict(line.split() for line in subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package} ${Version}\n", "apertium-spa-ita", "apertium-eng-spa"],
        capture_output=True, text=True, check=True).stdout.splitlines())
    assert used["it"] == f"apertium ita-spa {versions['apertium-spa-ita']} + apertium spa-eng {versions['apertium-eng-spa']}"

    install_argos_file(build_argos_package(tmp_path / "pkg", from_code="it", to_code="en", seed=5), models)
    routes = [r for r in _list(models)["routes"] if r["source"] == "it"]
    assert [(r["kind"], r["used"]) for r in routes] == [("argos direct", True), ("apertium chain", False)]
    table = CliRunner().invoke(main, ["--models", str(models), "models", "list"]).stdout
    assert re.search(r"^  it  \* argos it-en 1\.0  \(argos direct\)$", table, re.M)

    sources = tmp_path / "sources.toml"
    sources.write_text('[translation]\nprefer = {it = "apertium"}\n\n[[source]]\nname = "x"\nfeeds = ["https://x.org/f"]\n')
    routes = [r for r in _list(models, "--sources", str(sources))["routes"] if r["source"] == "it"]
    assert [(r["kind"], r["used"]) for r in routes] == [("apertium chain", True), ("argos direct", False)]
    sources.write_text(sources.read_text().replace('"apertium"', '"systran"'))
    result = CliRunner().invoke(main, ["--models", str(models), "models", "list", "--sources", str(sources)])
    assert result.exit_code == 2 and "prefer.it: 'systran' is not an engine (argos, server, apertium)" in result.stderr


@pytest.mark.apertium("spa-eng", "ita-spa")
def test_a_chain_runs_one_process_per_leg_per_batch_and_never_two_legs_at_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    engine = Engines(tmp_path / "models", apertium=["ita-spa", "spa-eng"]).for_language("it")
    assert isinstance(engine, ApertiumEngine)
    started: list[list[str]] = []
    running: list[subprocess.Popen[bytes]] = []
    overlapped: list[bool] = []
    real_popen = subprocess.Popen

    def counting(args: list[str], *rest: object, **kwargs: object) -> subprocess.Popen[bytes]:
        started.append(list(args))
        overlapped.append(any(p.poll() is None for p in running))
        process = real_popen(args, *rest, **kwargs)  # type: ignore[call-overload]
        running.append(process)
        return process  # type: ignore[no-any-return]

    monkeypatch.setattr(subprocess, "Popen", counting)  # counts the real processes, changes nothing
    sentences = [f"{s} ({n})" for n in range(100) for s in ITALIAN]
    english = engine.translate(sentences)
    assert started == [["apertium", "-u", "ita-spa"], ["apertium", "-u", "spa-eng"]]
    # one leg's dictionaries at a time: two resident legs made the crawl's peak memory
    assert overlapped == [False, False]
    assert len(english) == 300
    # the n-th line out is the n-th sentence's translation
    assert english[1] == "The European Commission sustains the project with three million euros. (0)"
    assert all(english[i].endswith(f"({i // 3})") for i in range(300))


@pytest.mark.apertium("spa-eng", "ita-spa")
def test_the_memory_answers_a_chain_and_a_removed_pair_loses_nothing(tmp_path: Path) -> None:
    with Corpus(tmp_path / "c.db") as corpus:
        first = store_article(corpus, "https://x.it/1", "\n".join(ITALIAN), "it", title="Bologna e l'integrazione")
        engines = Engines(tmp_path / "models")
        report = translate_pending(corpus, engines)
        assert report.translated == 1 and report.engine_sentences == 4
        chain = engines.for_language("it")
        assert chain is not None
        memory = corpus.conn.execute("SELECT DISTINCT engine, lang FROM translation_memory").fetchall()
        assert [tuple(r) for r in memory] == [(chain.name, "it")]
        again = translate_pending(corpus, engines, retranslate=True)
        assert again.engine_sentences == 0 and again.memory_hits == 4 and again.translated == 1
        translated = corpus.articles.article(first)
        assert translated is not None and translated["translation_engine"] == chain.name

        # apertium-spa-ita uninstalled: a new Italian article waits, the translated one keeps its English,
        # even through --retranslate
        without = Engines(tmp_path / "models", apertium=["spa-eng", "cat-eng"])
        assert "it" not in without.languages()
        second = store_article(corpus, "https://x.it/2", "Il progetto continuerà anche nel 2024 con nuovi fondi.", "it")
        report = translate_pending(corpus, without)
        assert report.pending == 1
        translate_pending(corpus, without, retranslate=True)
        kept, waiting = corpus.articles.article(first), corpus.articles.article(second)
        assert kept is not None and waiting is not None
        assert (kept["translation_status"], kept["text_en"]) == ("translated", translated["text_en"])
        assert waiting["translation_status"] == "pending" and waiting["translation_waiting"] == "it"

        # the pair is back: only what waited is translated, the rest from memory
        report = translate_pending(corpus, Engines(tmp_path / "models"), lang="it")
        assert report.articles == 1 and report.translated == 1 and report.engine_sentences == 1


@pytest.mark.apertium("hbs-eng")
def test_croatian_serbian_and_bosnian_articles_go_through_the_serbo_croatian_pair(tmp_path: Path) -> None:
    with Corpus(tmp_path / "c.db") as corpus:
        ids = [store_article(corpus, f"https://x.example/{lang}", "Grad Zagreb predstavio je novu strategiju "
                             "integracije migranata. Vlada podupire projekt s tri milijuna eura.", lang)
               for lang in ("hr", "sr", "bs")]
        engines = Engines(tmp_path / "models")
        assert translate_pending(corpus, engines).translated == 3
        rows = [corpus.articles.article(i) for i in ids]
    assert all(r is not None and re.fullmatch(f"apertium hbs-eng {VERSION}", r["translation_engine"]) for r in rows)
    assert all(r is not None and "strategy" in r["text_en"] and "Zagreb" in r["text_en"] for r in rows)
