"""Routes to English: which engines, one after the other, bring a language to English on this machine.

The installed pairs (argos packages, Debian Apertium modes, what a translation server lists) are edges between languages; a route is a path of
at most MAX_STEPS edges from a language to English that never visits a language twice: argos el→en; Apertium
spa-eng; Apertium ita-spa then spa-eng; an argos package into Spanish, then Apertium. Of a language's routes
the best is used, by this rule: a route of the kind `[translation] prefer` names for the language (all its
steps of that engine), then fewer steps, then neural before rule-based (argos here, then a translation
server, then Apertium), then by name (so the choice is the same on every run). So: argos > server > Apertium
direct > shortest chain > longest.

A route's engine is named by every step and its version ("apertium ita-spa 0.2.1-3 + apertium spa-eng
0.8.1-2"): that name is stored with each translation and keys the translation memory, so a new version of any
step is a new engine and `translate --retranslate` redoes exactly what it changes.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from .config import ENGINE_KINDS, TranslationSettings
from .engines import (ApertiumEngine, ArgosEngine, ChainEngine, Engine, TranslationError, argos_packages,
                      default_models_dir)

TARGET = "en"
MAX_STEPS = 3
APERTIUM_MODES = Path("/usr/share/apertium/modes")
# Apertium names most languages with ISO 639-3 codes, some with ISO 639-1 (fr-es); the corpus uses ISO 639-1.
# Serbo-Croatian (hbs) is one Apertium language for what language detection calls Croatian, Serbian, Bosnian.
APERTIUM_LANGUAGES: dict[str, tuple[str, ...]] = {
    "spa": ("es",), "cat": ("ca",), "por": ("pt",), "fra": ("fr",), "ita": ("it",), "ron": ("ro",),
    "glg": ("gl",), "oci": ("oc",), "deu": ("de",), "nld": ("nl",), "swe": ("sv",), "dan": ("da",),
    "nob": ("nb",), "nno": ("nn",), "isl": ("is",), "eus": ("eu",), "pol": ("pl",), "ces": ("cs",),
    "slk": ("sk",), "slv": ("sl",), "hrv": ("hr",), "srp": ("sr",), "bos": ("bs",), "hbs": ("hr", "sr", "bs"),
    "bul": ("bg",), "mkd": ("mk",), "ell": ("el",), "fin": ("fi",), "est": ("et",), "lav": ("lv",),
    "lit": ("lt",), "hun": ("hu",), "mlt": ("mt",), "gle": ("ga",), "cym": ("cy",), "eng": ("en",),
    "ukr": ("uk",), "rus": ("ru",), "tur": ("tr",), "ara": ("ar",), "epo": ("eo",),
}
_TWO_LETTER = {iso1 for langs in APERTIUM_LANGUAGES.values() for iso1 in langs}


@dataclass(frozen=True)
class Pair:
    """An installed language pair: one step of a route."""

    engine: str  # argos | server | apertium
    source: str  # ISO 639-1
    target: str
    version: str
    location: str  # the argos package's folder, the Apertium mode (ita-spa), the server's URL

    @property
    def name(self) -> str:
        if self.engine == "server":
            return f"server {self.location} {self.source}-{self.target}"
        pair = self.location if self.engine == "apertium" else f"{self.source}-{self.target}"
        return f"{self.engine} {pair} {self.version}"


@dataclass(frozen=True)
class Route:
    source: str
    steps: tuple[Pair, ...]

    @property
    def name(self) -> str:
        return " + ".join(step.name for step in self.steps)

    @property
    def kind(self) -> str:
        engines = sorted({step.engine for step in self.steps})
        return " + ".join(engines) + (" direct" if len(self.steps) == 1 else " chain")

    def rank(self, prefer: str | None) -> tuple[int, int, int, str]:
        preferred = prefer is not None and all(step.engine == prefer for step in self.steps)
        rule_based = sum(ENGINE_KINDS.index(step.engine) for step in self.steps)
        return (0 if preferred else 1, len(self.steps), rule_based, self.name)


# --- what is installed -----------------------------------------------------------------------------------


def _apertium_codes(code: str) -> tuple[str, ...]:
    if code in APERTIUM_LANGUAGES:
        return APERTIUM_LANGUAGES[code]
    return (code,) if code in _TWO_LETTER else ()


def apertium_modes() -> list[str]:
    """Installed Apertium pairs between languages we know, e.g. ['cat-eng', 'fr-es', 'ita-spa', 'spa-eng']
    (regional variants such as spa-eng_US and helper modes are skipped)."""
    if shutil.which("apertium") is None:
        return []
    try:
        listing = subprocess.run(["apertium", "-l"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    modes = []
    for mode in listing.stdout.split():
        match = re.fullmatch(r"([a-z]{2,3})-([a-z]{2,3})", mode)
        if match and _apertium_codes(match[1]) and _apertium_codes(match[2]):
            modes.append(mode)
    return sorted(modes)


def _apertium_versions() -> dict[str, str]:
    """Installed Debian package versions of Apertium language data, by package name (one dpkg call)."""
    try:
        out = subprocess.run(
            ["dpkg-query", "-W", "-f", "${db:Status-Abbrev} ${Package} ${Version}\n", "apertium-*"],
            capture_output=True, text=True, timeout=10, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    versions = {}
    for line in out.stdout.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[0] == "ii":
            versions[fields[1]] = fields[2]
    return versions


def _mode_package(mode: str) -> str | None:
    """The Debian package whose data a mode runs: its mode file names the data folder (apertium-spa-ita)."""
    try:
        text = (APERTIUM_MODES / f"{mode}.mode").read_text(errors="replace")
    except OSError:
        return None
    match = re.search(r"/apertium/(apertium-[a-z_-]+)/", text)
    return match[1] if match else None


def apertium_pairs() -> list[Pair]:
    versions = _apertium_versions()
    pairs = []
    for mode in apertium_modes():
        first, second = mode.split("-")
        package = _mode_package(mode)
        candidates = [package] if package else []
        candidates += [f"apertium-{first}-{second}", f"apertium-{second}-{first}"]
        version = next((versions[c] for c in candidates if c in versions), "unknown")
        target = _apertium_codes(second)[0]
        for source in _apertium_codes(first):
            if source != TARGET:
                pairs.append(Pair("apertium", source, target, version, mode))
    return pairs


# --- choosing --------------------------------------------------------------------------------------------


def find_routes(pairs: list[Pair], source: str, prefer: str | None = None) -> list[Route]:
    """Every route from `source` to English over `pairs`, best first."""
    by_source: dict[str, list[Pair]] = {}
    for pair in pairs:
        by_source.setdefault(pair.source, []).append(pair)
    routes: list[Route] = []

    def walk(at: str, steps: tuple[Pair, ...], seen: frozenset[str]) -> None:
        for pair in by_source.get(at, []):
            if pair.target == TARGET:
                routes.append(Route(source, (*steps, pair)))
            elif pair.target not in seen and len(steps) + 1 < MAX_STEPS:
                walk(pair.target, (*steps, pair), seen | {pair.target})

    if source != TARGET:
        walk(source, (), frozenset({source, TARGET}))
    return sorted(routes, key=lambda r: r.rank(prefer))


class Engines:
    """The routes on this machine and the engine of each language's best route, created on first use; an argos
    model serving several routes is loaded once. `apertium` limits the Apertium modes used (default: all)."""

    def __init__(
        self,
        models_dir: Path | None = None,
        *,
        settings: TranslationSettings | None = None,
        apertium: Collection[str] | None = None,
        threads: int = 0,
    ) -> None:
        self.models_dir = models_dir or default_models_dir()
        self.settings = settings or TranslationSettings()
        self.threads = threads
        self._packages = {str(p.package_path): p for p in argos_packages(self.models_dir)}
        argos = [
            Pair("argos", p.from_code, p.to_code, p.package_version, path) for path, p in self._packages.items()
        ]
        modes = apertium_pairs() if apertium is None or apertium else []
        self._pairs = argos + [p for p in modes if apertium is None or p.location in apertium]
        self.problems: list[str] = []  # what could not be used, for the user: a translation server down
        server = self.settings.server
        if server is not None:
            from .libretranslate import server_languages  # httpx: only when a server is configured

            try:
                self._pairs += [Pair("server", lang, TARGET, "", server.url) for lang in server_languages(server)]
            except TranslationError as exc:
                self.problems.append(f"{exc}: its languages wait for it, or take another route")
        self._routes: dict[str, list[Route]] = {}
        self._loaded: dict[str, Engine | None] = {}
        self._argos_engines: dict[str, ArgosEngine] = {}

    def pairs(self) -> list[Pair]:
        return list(self._pairs)

    def routes(self, lang: str) -> list[Route]:
        """Every route from `lang` to English, the one used first."""
        if lang not in self._routes:
            self._routes[lang] = find_routes(self._pairs, lang, self.settings.preferred(lang))
        return self._routes[lang]

    def all_routes(self) -> dict[str, list[Route]]:
        return {lang: self.routes(lang) for lang in sorted({p.source for p in self._pairs}) if self.routes(lang)}

    def languages(self) -> set[str]:
        """Source languages some route brings to English."""
        return set(self.all_routes())

    def for_language(self, lang: str) -> Engine | None:
        if lang not in self._loaded:
            routes = self.routes(lang)
            self._loaded[lang] = self._engine(routes[0]) if routes else None
        return self._loaded[lang]

    def _engine(self, route: Route) -> Engine:
        """Consecutive Apertium steps run as one pipeline; argos steps share the process's loaded models."""
        engines: list[Engine] = []
        apertium: list[Pair] = []
        for step in (*route.steps, None):
            if step is not None and step.engine == "apertium":
                apertium.append(step)
                continue
            if apertium:
                engines.append(ApertiumEngine([p.location for p in apertium], [p.version for p in apertium]))
                apertium = []
            if step is not None and step.engine == "server":
                from .libretranslate import ServerEngine

                assert self.settings.server is not None
                engines.append(ServerEngine(self.settings.server, step.source))
            elif step is not None:
                if step.location not in self._argos_engines:
                    self._argos_engines[step.location] = ArgosEngine(self._packages[step.location], threads=self.threads)
                engines.append(self._argos_engines[step.location])
        return engines[0] if len(engines) == 1 else ChainEngine(engines)

    def close(self) -> None:
        for engine in self._argos_engines.values():
            engine.close()
        for loaded in self._loaded.values():
            if loaded is not None:
                loaded.close()  # closes its server connections too; an argos model closes twice, harmlessly
        self._argos_engines.clear()
        self._loaded.clear()
