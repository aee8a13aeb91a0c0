"""Machine-translation engines: what turns a batch of sentences into another language.

Behind one small interface (`Engine.translate(sentences) -> sentences`, one output per input, in order):

- argos: an installed Argos Translate package (a CTranslate2 model plus a SentencePiece/BPE tokenizer), loaded
  through argostranslate's package code. We call CTranslate2 ourselves with sentences we split:
  argostranslate's `translate()` would fetch a sentence-splitting model at run time.
- apertium: one Debian Apertium pair, or several chained (ita-spa then spa-eng), run as ONE pipeline of
  processes per batch: the pairs' transducers are loaded once per batch, never per sentence.
- a chain of the above (an argos package into a language Apertium brings to English).

Which engine serves which language is decided in routes.py; installing argos packages in models.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Protocol


class ModelError(RuntimeError):
    """A model could not be installed, found or loaded; the message says which and why."""


class TranslationError(RuntimeError):
    """An engine failed on a batch."""


class EngineUnavailable(TranslationError):
    """The engine could not be reached (a server down, overloaded, too slow): its articles wait, to be tried
    again later. `done` holds the translations of the first sentences, answered before it stopped."""

    def __init__(self, message: str, done: list[str] | None = None) -> None:
        super().__init__(message)
        self.done = done or []


class Engine(Protocol):
    name: str  # every step of the route with its version; stored with each translation, part of the memory's key

    def translate(self, sentences: list[str]) -> list[str]: ...

    def close(self) -> None: ...


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


def argos_package_module(models_dir: Path) -> Any:
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
    argos_package = argos_package_module(models_dir)
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
        self.name = f"argos {package.from_code}-{package.to_code} {package.package_version}"
        self.threads = threads
        self._translator: Any = None

    def load(self) -> Any:
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
        translator = self.load()
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


# --- apertium ------------------------------------------------------------------------------------------


class ApertiumEngine:
    """One Apertium pair or a chain of them (modes ['ita-spa', 'spa-eng']), one sentence per paragraph: Apertium's
    plain-text format keeps line breaks, so the n-th output paragraph is the n-th sentence's translation
    (checked). A chain runs its legs one after the other (`apertium -u ita-spa`, then `apertium -u spa-eng` on
    its output).

    Sentences are separated by a blank line, not a line break: across a single line break Apertium reads
    the previous line as context (a title after a line without a full stop is not a sentence start, and
    comes out "MIPEX-R: the …" instead of "MIPEX-R: The …"), so a sentence's translation depended on which
    sentences shared its batch. On 80 FLORES lines in shuffled batches, 18 of 240 Spanish translations
    differed from translating each line alone with line breaks, none with blank lines (it→es→en: 27 → 8)."""

    CHARS_PER_SECOND_FLOOR = 5_000  # per pair, for the timeout: Apertium does ~90,000-150,000 chars/s here
    TIMEOUT_BASE = 30.0  # seconds: loading a pair's dictionaries takes ~0.2-1 s

    def __init__(self, modes: list[str], versions: list[str]) -> None:
        if not modes or len(modes) != len(versions):
            raise ValueError("one version per Apertium mode")
        self.modes = list(modes)
        self.name = " + ".join(f"apertium {m} {v}" for m, v in zip(modes, versions, strict=True))

    def translate(self, sentences: list[str]) -> list[str]:
        if not sentences:
            return []
        lines = [" ".join(s.split()) for s in sentences]  # a sentence must not span lines
        out = self._pipe("\n\n".join(lines) + "\n\n").split("\n\n")
        if out and out[-1] == "":
            out.pop()
        if len(out) != len(lines):
            if len(lines) == 1:
                return [" ".join(out).strip()]
            # Apertium merged or split a line somewhere: halve the batch until every line stands alone.
            middle = len(sentences) // 2
            return self.translate(sentences[:middle]) + self.translate(sentences[middle:])
        return [line.strip() for line in out]

    def _pipe(self, data: str) -> str:
        # The legs of a chain run one after the other, not as one pipeline: each leg's Apertium holds its
        # dictionaries (~70-80 MB of lt-proc for a pair), and two legs at once made the crawl's peak memory.
        # The bytes between the legs are the same either way, so the translation is too.
        for mode in self.modes:
            data = self._run_leg(mode, data)
        return data

    def _run_leg(self, mode: str, data: str) -> str:
        timeout = self.TIMEOUT_BASE + len(data) / self.CHARS_PER_SECOND_FLOOR
        # Its own session, so that a timeout kills the whole pipeline the `apertium` script starts, not the script
        # alone; its own TMPDIR, so that the file the script would remove on a clean exit goes with it when killed.
        with tempfile.TemporaryFile() as errors, tempfile.TemporaryDirectory(prefix="iw-apertium-") as scratch:
            try:
                process = subprocess.Popen(
                    ["apertium", "-u", mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors,
                    start_new_session=True, env={**os.environ, "TMPDIR": scratch},
                )
            except OSError as exc:
                raise TranslationError(f"{self.name}: cannot run apertium: {exc}") from None
            # The input is written and the output read by two threads: a full pipe would otherwise block both.
            writer = threading.Thread(target=_feed, args=(process.stdin, data.encode("utf-8")), daemon=True)
            chunks: list[bytes] = []
            reader = threading.Thread(target=_drain, args=(process.stdout, chunks), daemon=True)
            writer.start()
            reader.start()
            reader.join(timeout)
            if reader.is_alive():
                _kill(process)
                raise TranslationError(f"{self.name}: no answer from apertium {mode} within {timeout:.0f} s")
            writer.join(5)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _kill(process)
                raise TranslationError(f"{self.name}: apertium {mode} did not exit") from None
            if process.returncode != 0:
                errors.seek(0)
                message = errors.read().decode("utf-8", "replace").strip()[:300]
                raise TranslationError(f"{self.name}: apertium {mode} exit {process.returncode}: {message}")
        return b"".join(chunks).decode("utf-8", "replace")

    def close(self) -> None:
        pass


def _feed(pipe: IO[bytes] | None, data: bytes) -> None:
    assert pipe is not None
    try:
        pipe.write(data)
    except (BrokenPipeError, OSError):
        pass  # the pipeline died; its exit status says why
    finally:
        try:
            pipe.close()
        except OSError:
            pass


def _drain(pipe: IO[bytes] | None, into: list[bytes]) -> None:
    assert pipe is not None
    with pipe:
        into.append(pipe.read())


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Kill an Apertium pipeline: the script and every program of its pipeline (they share its session)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # already gone
    process.wait()


# --- chains --------------------------------------------------------------------------------------------


class ChainEngine:
    """Engines one after the other (argos it→es, then Apertium spa-eng): source → ... → English."""

    def __init__(self, engines: list[Engine]) -> None:
        self.engines = engines
        self.name = " + ".join(e.name for e in engines)

    def translate(self, sentences: list[str]) -> list[str]:
        for engine in self.engines:
            sentences = engine.translate(sentences)
        return sentences

    def close(self) -> None:
        for engine in self.engines:
            engine.close()
