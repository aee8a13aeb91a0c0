"""Argos packages: installed through `models install`, loaded through argostranslate's own package code and
CTranslate2, used by `translate` and by a crawl.

Real argos models cannot be downloaded here (no internet, no registry ships them), so each test builds a tiny
argos package with random weights (tests/argos_package.py). Its output is gibberish: these tests prove the
loading, batching, storing and status paths, not translation quality (Apertium's tests do that).
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from argos_package import build_argos_package
from conftest import write_sources
from integration_watch.cli import main
from integration_watch.fixtures import FixtureSites


@pytest.fixture(scope="module")
def greek_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_argos_package(tmp_path_factory.mktemp("pkg-el"), from_code="el", to_code="en", seed=1)


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _articles(db: Path, lang: str) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute("SELECT * FROM articles WHERE lang = ? ORDER BY id", (lang,)).fetchall()
    finally:
        conn.close()


def test_install_from_file_then_list(greek_package: Path, tmp_path: Path) -> None:
    models = tmp_path / "models"
    code, out, err = cli("--models", str(models), "models", "install", str(greek_package))
    assert code == 0, err
    assert "installed argos el-en 1.0" in out
    code, out, _ = cli("--models", str(models), "models", "list", "--format", "json")
    pairs = json.loads(out)["pairs"]
    assert {"engine": "argos", "source": "el", "target": "en", "version": "1.0"}.items() <= pairs[0].items()
    # installing a newer version of the same pair replaces it
    newer = build_argos_package(tmp_path / "v2", from_code="el", to_code="en", package_version="1.1")
    assert cli("--models", str(models), "models", "install", str(newer))[0] == 0
    pairs = json.loads(cli("--models", str(models), "models", "list", "--format", "json")[1])["pairs"]
    assert [p["version"] for p in pairs if p["engine"] == "argos"] == ["1.1"]


@pytest.mark.apertium("spa-eng")
def test_models_list_shows_the_apertium_pairs(tmp_path: Path) -> None:
    pairs = json.loads(cli("--models", str(tmp_path / "models"), "models", "list", "--format", "json")[1])["pairs"]
    assert any(p["engine"] == "apertium" and p["source"] == "es" and p["location"] == "spa-eng" for p in pairs)


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d, pkg: (d / "x.argosmodel").write_bytes(b"not a zip at all") and d / "x.argosmodel", "not a zip archive"),
        (lambda d, pkg: _zip(d / "f.argosmodel", {"a/README.md": b"hi", "b/other": b""}), "one top-level folder"),
        (lambda d, pkg: _zip(d / "n.argosmodel", {"p/README.md": b"hi"}), "no p/metadata.json"),
        (lambda d, pkg: _zip(d / "m.argosmodel", {"p/metadata.json": b'{"from_code": "el", "to_code": "en"}',
                                                  "p/sentencepiece.model": b""}), "no CTranslate2 model"),
        (lambda d, pkg: _zip(d / "e.argosmodel", {"../evil/metadata.json": b"{}"}), "not an argos model"),
        (lambda d, pkg: _broken_model(pkg, d / "b.argosmodel"), "cannot load CTranslate2 model"),
    ],
)
def test_a_broken_or_foreign_package_gets_a_clear_error_and_installs_nothing(
    greek_package: Path, tmp_path: Path, make: object, message: str
) -> None:
    models = tmp_path / "models"
    bad = make(tmp_path, greek_package)  # type: ignore[operator]
    code, out, err = cli("--models", str(models), "models", "install", str(bad))
    assert code == 2 and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    installed = [p for p in (models / "argos").iterdir()] if (models / "argos").exists() else []
    assert installed == []
    pairs = json.loads(cli("--models", str(models), "models", "list", "--format", "json")[1])["pairs"]
    assert not any(p["engine"] == "argos" for p in pairs)


def _broken_model(package: Path, dest: Path) -> Path:
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(dest, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            out.writestr(item, b"\0garbage" if item.filename.endswith("model/model.bin") else data)
    return dest


def test_install_by_language_code_needs_the_internet_and_says_so(tmp_path: Path) -> None:
    code, _, err = cli("--models", str(tmp_path / "m"), "models", "install", "el")
    assert code == 2 and "cannot download from the argos package index" in err and ".argosmodel file" in err
    code, _, err = cli("--models", str(tmp_path / "m"), "models", "install", "no-such-thing")
    assert code == 2 and "neither a .argosmodel file nor a language code" in err


def test_pending_greek_is_translated_once_a_model_is_installed(
    sites: FixtureSites, greek_package: Path, tmp_path: Path
) -> None:
    db, models = tmp_path / "c.db", tmp_path / "models"
    sources = write_sources(sites, tmp_path / "sources.toml")
    code, _, err = cli("--db", str(db), "--models", str(models), "crawl", "--sources", str(sources),
                       "--source", "cor-events-el")
    assert code == 0, err
    greek = _articles(db, "el")
    assert greek and all(r["translation_status"] == "pending" and r["translation_waiting"] == "el" for r in greek)
    stats = json.loads(cli("--db", str(db), "stats", "--format", "json")[1])["translation"]
    assert stats["waiting"] == {"el": len(greek)}

    assert cli("--models", str(models), "models", "install", str(greek_package))[0] == 0
    code, out, err = cli("--db", str(db), "--models", str(models), "translate", "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["translated"] == len(greek) and report["waiting"] == {}
    for row in _articles(db, "el"):
        assert row["translation_status"] == "translated", row["translation_note"]
        assert row["translation_engine"] == "argos el-en 1.0"
        english = row["text_en"].split("\n")
        assert len(english) == len(row["text"].split("\n"))
        assert all(e.strip() and e != o for e, o in zip(english, row["text"].split("\n"), strict=True) if o.strip())
    # nothing is left to do; a second run sends nothing to the engine
    again = json.loads(cli("--db", str(db), "--models", str(models), "translate", "--format", "json")[1])
    assert again["articles"] == 0


@pytest.mark.slow
def test_a_crawl_translates_with_an_installed_model_and_keeps_english_paragraphs(
    sites: FixtureSites, tmp_path: Path
) -> None:
    db, models = tmp_path / "c.db", tmp_path / "models"
    italian = build_argos_package(tmp_path / "pkg", from_code="it", to_code="en", seed=2)
    assert cli("--models", str(models), "models", "install", str(italian))[0] == 0
    sources = write_sources(sites, tmp_path / "sources.toml")
    code, out, err = cli("--db", str(db), "--models", str(models), "crawl", "--sources", str(sources),
                         "--format", "json")
    assert code == 0, err
    translation = json.loads(out)["translation"]
    assert translation["by_engine"].get("argos it-en 1.0", 0) > 0
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    mixed = conn.execute("SELECT * FROM articles WHERE text LIKE '%I mediatori di quartiere%'").fetchone()
    conn.close()
    assert mixed["lang"] == "en" and mixed["translation_status"] == "translated"
    assert mixed["translation_engine"] == "argos it-en 1.0"
    langs = dict(json.loads(mixed["paragraph_langs"]))
    pairs = list(zip(mixed["text"].split("\n"), mixed["text_en"].split("\n"), strict=True))
    italian_paragraphs = [i for i, (src, _) in enumerate(pairs) if langs.get(i) == "it" and len(src) >= 40]
    assert italian_paragraphs
    for i, (src, en) in enumerate(pairs):
        if i in italian_paragraphs:
            assert en.strip() and en != src
        elif langs.get(i) == "en":
            assert en == src
    for row in _articles(db, "it"):
        assert row["translation_status"] == "translated" and row["title_en"]


@pytest.mark.apertium("spa-eng")
def test_a_language_with_only_a_model_into_another_language_is_translated_by_pivot(tmp_path: Path) -> None:
    from conftest import store_article
    from integration_watch.corpus import Corpus
    from integration_watch.routes import Engines
    from integration_watch.translate import translate_pending

    models = tmp_path / "models"
    # Italian → Spanish (argos, generated), then Spanish → English (Apertium)
    italian_spanish = build_argos_package(tmp_path / "pkg", from_code="it", to_code="es", seed=3)
    assert cli("--models", str(models), "models", "install", str(italian_spanish))[0] == 0
    engines = Engines(models)
    assert "it" in engines.languages()
    with Corpus(tmp_path / "c.db") as corpus:
        article = store_article(corpus, "https://x.it/1", "Il comune ha presentato la strategia di integrazione.", "it")
        report = translate_pending(corpus, engines)
        row = corpus.articles.article(article)
    assert report.translated == 1 and row is not None
    assert row["translation_engine"].startswith("argos it-es 1.0 + apertium spa-eng")
    assert row["text_en"].strip()


def test_packages_that_only_lead_to_each_other_give_no_engine_and_no_endless_search(tmp_path: Path) -> None:
    from integration_watch.routes import Engines

    models = tmp_path / "models"
    for source, target in (("sv", "pl"), ("pl", "sv")):  # neither Swedish nor Polish reaches English
        package = build_argos_package(tmp_path / f"pkg-{source}", from_code=source, to_code=target)
        assert cli("--models", str(models), "models", "install", str(package))[0] == 0
    engines = Engines(models)
    assert "sv" not in engines.languages() and "pl" not in engines.languages()
    assert engines.for_language("sv") is None and engines.for_language("pl") is None
