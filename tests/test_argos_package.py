"""The generated argos package loads through argostranslate's own code and translates with CTranslate2."""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import ctranslate2
import pytest

from argos_package import SIZES, build_argos_package

SENTENCES = [
    "Η Επιτροπή ενέκρινε το σχέδιο δράσης για την ένταξη και την ολοκληρωμένη υποδοχή των προσφύγων.",
    "Καλημέρα σας!",
    "Οι δήμοι προσφέρουν μαθήματα ελληνικών, στέγαση και εργασία σε 1.250 οικογένειες.",
    "Ο υπουργός είπε: «Θα ανοίξουμε νέες δομές το 2025».",
    "Las políticas de integración señalan que los niños aprenderán español.",
    "Żółć, Straße, Ærø, ça, Ștefan, Český, Ελλάδα, България €",
]


@pytest.fixture(scope="module")
def argos(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """argostranslate.package; imported with its data, config and cache folders in a temporary directory.

    argostranslate.settings reads these variables and creates the folders at import time, once per process.
    """
    if "argostranslate.settings" not in sys.modules:
        home = tmp_path_factory.mktemp("argos-home")
        with pytest.MonkeyPatch.context() as mp:
            for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "ARGOS_PACKAGES_DIR"):
                mp.setenv(var, str(home / var.lower()))
            import argostranslate.package  # noqa: F401
    import argostranslate.package

    return argostranslate.package


@pytest.fixture(scope="module")
def package_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_argos_package(tmp_path_factory.mktemp("built"))


@pytest.fixture(scope="module")
def package_dir(package_file: Path) -> Path:
    with zipfile.ZipFile(package_file) as zf:
        zf.extractall(package_file.parent)
    return package_file.parent / package_file.name.removesuffix(".argosmodel")


@pytest.fixture(scope="module")
def translator(package_dir: Path) -> ctranslate2.Translator:
    return ctranslate2.Translator(str(package_dir / "model"), device="cpu", intra_threads=1)


def test_zip_has_the_argos_layout(package_file: Path) -> None:
    assert package_file.name == "translate-el_en-1_0.argosmodel"
    with zipfile.ZipFile(package_file) as zf:
        names = set(zf.namelist())
        metadata = json.loads(zf.read("translate-el_en-1_0/metadata.json"))
    assert {name.split("/")[0] for name in names} == {"translate-el_en-1_0"}
    for required in ("metadata.json", "README.md", "sentencepiece.model", "model/model.bin", "model/config.json",
                     "model/shared_vocabulary.json"):
        assert f"translate-el_en-1_0/{required}" in names
    assert metadata == {"package_version": "1.0", "argos_version": "1.0", "from_code": "el", "from_name": "Greek",
                        "to_code": "en", "to_name": "English", "type": "translate", "links": []}


def test_argostranslate_loads_it(argos: ModuleType, package_dir: Path) -> None:
    pkg = argos.Package(package_dir)
    assert (pkg.from_code, pkg.to_code, pkg.package_version, str(pkg)) == ("el", "en", "1.0", "Greek → English")
    assert type(pkg.tokenizer).__name__ == "SentencePieceTokenizer"
    assert pkg.packaged_sbd_path is None  # no sentence splitter inside: the product splits sentences itself
    assert [p.package_path for p in argos.get_installed_packages([package_dir.parent])] == [package_dir]


def test_every_character_of_the_test_sentences_is_known(argos: ModuleType, package_dir: Path) -> None:
    processor = argos.Package(package_dir).tokenizer.lazy_processor()
    for sentence in SENTENCES:
        assert processor.unk_id() not in processor.encode(sentence), sentence


def test_translates_deterministically(argos: ModuleType, package_dir: Path, translator: ctranslate2.Translator) -> None:
    pkg = argos.Package(package_dir)

    def translate(beam_size: int) -> list[str]:
        results = translator.translate_batch([pkg.tokenizer.encode(s) for s in SENTENCES], beam_size=beam_size,
                                             max_decoding_length=32)
        assert all(len(r.hypotheses[0]) == SIZES["tiny"].output_tokens for r in results)  # the EOS clock
        return [pkg.tokenizer.decode(r.hypotheses[0]).strip() for r in results]

    first = translate(1)
    assert all(first) and first == translate(1)
    assert len(set(first)) == len(SENTENCES)  # the output depends on the source
    assert all(translate(4))


def test_build_is_reproducible(package_file: Path, tmp_path: Path) -> None:
    def digest(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    assert digest(build_argos_package(tmp_path / "again")) == digest(package_file)
    other = build_argos_package(tmp_path / "other", from_code="it", package_version="1.9", seed=1, output_tokens=3)
    assert other.name == "translate-it_en-1_9.argosmodel" and digest(other) != digest(package_file)
