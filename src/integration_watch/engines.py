"""Machine-translation engines to English and the models behind them.

Two kinds, behind one small interface (`Engine.translate(sentences) -> sentences`):

- argos: Argos Translate packages (a CTranslate2 model plus a SentencePiece/BPE tokenizer), installed into our
  own models folder and loaded through argostranslate's package code. We call CTranslate2 ourselves with
  sentences we split: argostranslate's `translate()` would fetch a sentence-splitting model at run time.
- apertium: the Debian rule-based pairs (`apertium-eng-spa`, ...), run as a subprocess per batch.

`Engines` picks one per source language (argos first, then Apertium, then a pivot through a third language),
loads each at most once per process, and closes them when done.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx

from . import __version__

TARGET = "en"
ARGOS_INDEX = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"
MAX_MODEL_BYTES = 2 * 1024**3
DOWNLOAD_TIMEOUT = 60.0
# Apertium names languages with ISO 639-3 codes; the corpus uses ISO 639-1.
ISO3_TO_ISO1 = {
    "spa": "es", "cat": "ca", "por": "pt", "fra": "fr", "ita": "it", "ron": "ro", "glg": "gl", "oci": "oc",
    "deu": "de", "nld": "nl", "swe": "sv", "dan": "da", "nob": "nb", "nno": "nn", "isl": "is", "eus": "eu",
    "pol": "pl", "ces": "cs", "slk": "sk", "slv": "sl", "hrv": "hr", "srp": "sr", "bos": "bs", "bul": "bg",
    "mkd": "mk", "ell": "el", "fin": "fi", "est": "et", "lav": "lv", "lit": "lt", "hun": "hu", "mlt": "mt",
    "gle": "ga", "cym": "cy", "eng": "en", "ukr": "uk", "rus": "ru", "tur": "tr", "ara": "ar", "epo": "eo",
}


class ModelError(RuntimeError):
    """A model could not be installed, found or loaded; the message says which and why."""


class TranslationError(RuntimeError):
    """An engine failed on a batch."""


class Engine(Protocol):
    name: str  # engine, pair and version, stored with each translation and part of the memory's key
    source: str  # ISO 639-1

    def translate(self, sentences: list[str]) -> list[str]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Pair:
    """An installed language pair, as `models list` shows it."""

    engine: str  # argos | apertium
    source: str
    target: str
    version: str
    location: str


# --- argos ---------------------------------------------------------------------------------------------


def default_models_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "integration-watch" / "models"


def argos_dir(models_dir: Path) -> Path:
    return models_dir / "argos"


@contextmanager
def _argos_home(models_dir: Path) -> Iterator[None]:
    """argostranslate reads its folders from the environment once, at import, and creates them: point them
    into our models folder so it neither writes into the user's home nor looks for packages elsewhere."""
    home = models_dir / "argos-home"
    wanted = {
        "ARGOS_PACKAGES_DIR": str(argos_dir(models_dir)),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
    }
    saved = {key: os.environ.get(key) for key in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _argos_package_module(models_dir: Path) -> Any:
    argos_dir(models_dir).mkdir(parents=True, exist_ok=True)
    with _argos_home(models_dir):
        try:
            import argostranslate.package as argos_package
        except OSError as exc:
            raise ModelError(f"cannot set up argostranslate's folders under {models_dir}: {exc}") from None
    return argos_package


def argos_packages(models_dir: Path) -> list[Any]:
    """Installed argos translation packages (argostranslate `Package` objects), sorted by pair."""
    folder = argos_dir(models_dir)
    if not folder.is_dir():
        return []
    argos_package = _argos_package_module(models_dir)
    packages = []
    for path in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            packages.append(argos_package.Package(path))
        except (OSError, ValueError) as exc:
            raise ModelError(f"{path}: not a readable argos package ({exc}); remove it or reinstall") from None
    return [p for p in packages if p.type == "translate" and p.from_code and p.to_code]


class ArgosEngine:
    """One argos package; the CTranslate2 model is loaded on first use and kept for the process."""

    # argostranslate's own decoding settings, so translations match what argos users get.
    BEAM_SIZE = 4
    LENGTH_PENALTY = 0.2
    BATCH_SENTENCES = 32

    def __init__(self, package: Any, *, threads: int = 0) -> None:
        self.package = package
        self.source = str(package.from_code)
        self.name = f"argos {package.from_code}-{package.to_code} {package.package_version}"
        self.threads = threads
        self._translator: Any = None

    def _load(self) -> Any:
        if self._translator is None:
            import ctranslate2

            model = Path(self.package.package_path) / "model"
            try:
                self._translator = ctranslate2.Translator(
                    str(model), device="cpu", inter_threads=1, intra_threads=self.threads
                )
            except (RuntimeError, ValueError) as exc:
                raise ModelError(f"{model}: cannot load CTranslate2 model: {exc}") from None
        return self._translator

    def translate(self, sentences: list[str]) -> list[str]:
        if not sentences:
            return []
        translator = self._load()
        tokenizer = self.package.tokenizer
        prefix = self.package.target_prefix or ""
        tokens = [tokenizer.encode(s) for s in sentences]
        longest = max(len(t) for t in tokens)
        try:
            results = translator.translate_batch(
                tokens,
                target_prefix=[[prefix]] * len(tokens) if prefix else None,
                replace_unknowns=True,
                max_batch_size=self.BATCH_SENTENCES,
                beam_size=self.BEAM_SIZE,
                length_penalty=self.LENGTH_PENALTY,
                # A sentence's translation is rarely over twice its length; the cap stops a broken model
                # from decoding to the default 256 tokens for every sentence.
                max_decoding_length=2 * longest + 16,
            )
        except (RuntimeError, ValueError) as exc:
            raise TranslationError(f"{self.name}: {exc}") from None
        out = []
        for result in results:
            text = tokenizer.decode(result.hypotheses[0])
            if prefix and text.startswith(prefix):
                text = text[len(prefix):]
            out.append(text.strip())
        return out

    def close(self) -> None:
        self._translator = None


def _validate_argos_zip(path: Path) -> str:
    """The top-level folder of a well-formed .argosmodel, or ModelError saying what is wrong."""
    if not zipfile.is_zipfile(path):
        raise ModelError(f"{path}: not an argos model (not a zip archive)")
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        tops = {n.split("/", 1)[0] for n in names if n.strip("/")}
        if len(tops) != 1 or any(n.startswith("/") or ".." in n.split("/") for n in names):
            raise ModelError(f"{path}: not an argos model (expected one top-level folder)")
        top = tops.pop()
        if f"{top}/metadata.json" not in names:
            raise ModelError(f"{path}: not an argos model (no {top}/metadata.json)")
        try:
            meta = json.loads(archive.read(f"{top}/metadata.json"))
        except (ValueError, zipfile.BadZipFile) as exc:
            raise ModelError(f"{path}: unreadable metadata.json: {exc}") from None
        if not isinstance(meta, dict) or not meta.get("from_code") or not meta.get("to_code"):
            raise ModelError(f"{path}: metadata.json lacks from_code/to_code")
        if f"{top}/model/model.bin" not in names:
            raise ModelError(f"{path}: no CTranslate2 model (model/model.bin) in the package")
        if f"{top}/sentencepiece.model" not in names and f"{top}/bpe.model" not in names:
            raise ModelError(f"{path}: no tokenizer (sentencepiece.model or bpe.model) in the package")
        if sum(i.file_size for i in archive.infolist()) > MAX_MODEL_BYTES:
            raise ModelError(f"{path}: unpacks to more than {MAX_MODEL_BYTES // 1024**3} GiB")
        bad = archive.testzip()
        if bad is not None:
            raise ModelError(f"{path}: corrupt archive member {bad}")
    return top


def install_argos_file(path: Path, models_dir: Path) -> Pair:
    """Install a .argosmodel file. All checks pass before anything becomes visible: the package is unpacked
    beside its destination, loaded with argostranslate and CTranslate2, then moved into place in one rename."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"{path}: no such file")
    top = _validate_argos_zip(path)
    dest_root = argos_dir(models_dir)
    try:
        dest_root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".install-", dir=dest_root))
    except OSError as exc:
        raise ModelError(f"cannot install into {dest_root}: {exc.strerror or exc}") from None
    try:
        with zipfile.ZipFile(path) as archive:
            archive.extractall(staging)
        unpacked = staging / top
        argos_package = _argos_package_module(models_dir)
        try:
            package = argos_package.Package(unpacked)
        except (OSError, ValueError) as exc:
            raise ModelError(f"{path}: argostranslate cannot read the package: {exc}") from None
        engine = ArgosEngine(package)
        engine._load()  # a model CTranslate2 cannot load must not be installed
        engine.close()
        target = dest_root / f"translate-{package.from_code}_{package.to_code}"
        previous = staging / "previous"
        if target.exists():
            target.rename(previous)  # replaced as a whole: never a mix of two versions' files
        try:
            unpacked.rename(target)
        except OSError:
            if previous.exists():
                previous.rename(target)
            raise
        return Pair("argos", package.from_code, package.to_code, package.package_version, str(target))
    except OSError as exc:  # a full disk, permissions: what was installed before stays as it was
        raise ModelError(f"{path}: cannot install into {dest_root}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def install_argos_from_index(codes: list[str], models_dir: Path, *, index_url: str = ARGOS_INDEX) -> list[Pair]:
    """Download and install the X→English package for each language code from the argos package index."""
    headers = {"User-Agent": f"integration-watch/{__version__} (models install)"}
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelError(f"cannot create {models_dir}: {exc.strerror or exc}") from None
    try:
        with httpx.Client(timeout=DOWNLOAD_TIMEOUT, follow_redirects=True, headers=headers) as client:
            index = _fetch_index(client, index_url)
            installed = []
            for code in codes:
                entry = next((e for e in index if e.get("from_code") == code and e.get("to_code") == TARGET), None)
                if entry is None:
                    raise ModelError(f"the argos package index has no {code}→{TARGET} package")
                with tempfile.TemporaryDirectory(dir=models_dir) as tmp:
                    file = Path(tmp) / f"{code}_{TARGET}.argosmodel"
                    _download(client, list(entry.get("links") or []), file)
                    installed.append(install_argos_file(file, models_dir))
            return installed
    except httpx.HTTPError as exc:
        raise ModelError(
            f"cannot download from the argos package index ({exc}); "
            "on a machine without internet, install from a .argosmodel file"
        ) from None


def _fetch_index(client: httpx.Client, url: str) -> list[dict[str, Any]]:
    response = client.get(url)
    response.raise_for_status()
    try:
        index = response.json()
    except ValueError:
        raise ModelError(f"{url}: the package index is not JSON") from None
    if not isinstance(index, list):
        raise ModelError(f"{url}: unexpected package index format")
    return [e for e in index if isinstance(e, dict)]


def _download(client: httpx.Client, links: list[str], dest: Path) -> None:
    if not links:
        raise ModelError(f"{dest.name}: the index lists no download link")
    with client.stream("GET", links[0]) as response, dest.open("wb") as out:
        response.raise_for_status()
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_MODEL_BYTES:
                raise ModelError(f"{links[0]}: larger than {MAX_MODEL_BYTES // 1024**3} GiB")
            out.write(chunk)


# --- apertium ------------------------------------------------------------------------------------------


def apertium_modes() -> list[str]:
    """Installed Apertium directions into English, e.g. ['cat-eng', 'spa-eng'] (regional variants skipped)."""
    if shutil.which("apertium") is None:
        return []
    try:
        listing = subprocess.run(["apertium", "-l"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    modes = (m.strip() for m in listing.stdout.split())
    return sorted(m for m in modes if re.fullmatch(r"[a-z]{3}-eng", m) and m[:3] in ISO3_TO_ISO1)


def _apertium_version(mode: str) -> str:
    src = mode.split("-")[0]
    for package in (f"apertium-eng-{src}", f"apertium-{src}-eng"):
        try:
            out = subprocess.run(
                ["dpkg-query", "-W", "-f", "${Version}", package], capture_output=True, text=True, timeout=10
            )
        except (OSError, subprocess.SubprocessError):
            break
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    return "unknown"


class ApertiumEngine:
    """A Debian Apertium pair. One subprocess per batch, one sentence per line: Apertium's plain-text format
    keeps line breaks, so the n-th output line is the n-th sentence's translation (checked)."""

    CHARS_PER_SECOND_FLOOR = 5_000  # for the timeout: Apertium does ~150,000 chars/s here

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.source = ISO3_TO_ISO1[mode.split("-")[0]]
        self.name = f"apertium {mode} {_apertium_version(mode)}"

    def translate(self, sentences: list[str]) -> list[str]:
        if not sentences:
            return []
        lines = [" ".join(s.split()) for s in sentences]  # a sentence must not span lines
        data = "\n".join(lines) + "\n"
        timeout = 30 + len(data) / self.CHARS_PER_SECOND_FLOOR
        try:
            run = subprocess.run(
                ["apertium", "-u", self.mode], input=data, capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            raise TranslationError(f"{self.name}: no answer within {timeout:.0f} s") from None
        except OSError as exc:
            raise TranslationError(f"{self.name}: cannot run apertium: {exc}") from None
        if run.returncode != 0:
            raise TranslationError(f"{self.name}: exit {run.returncode}: {run.stderr.strip()[:300]}")
        out = run.stdout.split("\n")
        if out and out[-1] == "":
            out.pop()
        if len(out) != len(lines):
            if len(lines) == 1:
                return [" ".join(out).strip()]
            # Apertium merged or split a line somewhere: halve the batch until every line stands alone.
            middle = len(sentences) // 2
            return self.translate(sentences[:middle]) + self.translate(sentences[middle:])
        return [line.strip() for line in out]

    def close(self) -> None:
        pass


# --- choosing ------------------------------------------------------------------------------------------


class PivotEngine:
    """Source → pivot language → English, for a language only reachable through a third one."""

    def __init__(self, first: Engine, second: Engine) -> None:
        self.first, self.second = first, second
        self.source = first.source
        self.name = f"{first.name} + {second.name}"

    def translate(self, sentences: list[str]) -> list[str]:
        return self.second.translate(self.first.translate(sentences))

    def close(self) -> None:
        self.first.close()
        self.second.close()


class Engines:
    """The engines available on this machine, one per source language, created on first use."""

    def __init__(self, models_dir: Path | None = None, *, use_apertium: bool = True, threads: int = 0) -> None:
        self.models_dir = models_dir or default_models_dir()
        self.threads = threads
        self._argos = {(p.from_code, p.to_code): p for p in argos_packages(self.models_dir)}
        self._apertium = apertium_modes() if use_apertium else []
        self._loaded: dict[str, Engine | None] = {}

    def pairs(self) -> list[Pair]:
        out = [
            Pair("argos", p.from_code, p.to_code, p.package_version, str(p.package_path))
            for p in self._argos.values()
        ]
        for mode in self._apertium:
            engine = ApertiumEngine(mode)
            out.append(Pair("apertium", engine.source, TARGET, engine.name.rsplit(" ", 1)[1], mode))
        return out

    def _direct_languages(self) -> set[str]:
        return {s for s, t in self._argos if t == TARGET} | {ISO3_TO_ISO1[m[:3]] for m in self._apertium}

    def languages(self) -> set[str]:
        """Source languages that some engine (directly or by one pivot) can bring to English."""
        direct = self._direct_languages()
        return direct | {s for s, t in self._argos if t in direct}

    def for_language(self, lang: str) -> Engine | None:
        if lang not in self._loaded:
            self._loaded[lang] = self._make(lang)
        return self._loaded[lang]

    def _direct(self, source: str) -> Engine | None:
        package = self._argos.get((source, TARGET))
        if package is not None:
            return ArgosEngine(package, threads=self.threads)
        for mode in self._apertium:
            if ISO3_TO_ISO1[mode[:3]] == source:
                return ApertiumEngine(mode)
        return None

    def _make(self, lang: str) -> Engine | None:
        direct = self._direct(lang)
        if direct is not None:
            return direct
        reachable = self._direct_languages()
        for (source, pivot), package in sorted(self._argos.items()):
            # one pivot, into a language with its own engine: what languages() promises, and no cycle
            # (it→es and es→it packages would otherwise send for_language round for ever)
            if source == lang and pivot in reachable:
                second = self.for_language(pivot)
                if second is not None:
                    return PivotEngine(ArgosEngine(package, threads=self.threads), second)
        return None

    def close(self) -> None:
        for engine in self._loaded.values():
            if engine is not None:
                engine.close()
        self._loaded.clear()
