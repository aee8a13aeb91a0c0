"""sources.toml: the crawl's configuration, loaded into typed records and validated.

Every error names the place (file, source, key) so a cron user can fix it from the message alone.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

DEFAULT_USER_AGENT = (
    "integration-watch/0.1 (+https://github.com/integration-watch/integration-watch; "
    "monitoring EU integration-policy reporting)"
)


class ConfigError(ValueError):
    """sources.toml is unreadable, malformed or inconsistent."""


@dataclass(frozen=True)
class Settings:
    """Crawl settings: set in [defaults], overridable per source."""

    user_agent: str = DEFAULT_USER_AGENT
    delay: float = 1.0  # seconds between two requests to one host (robots Crawl-delay wins if larger)
    timeout: float = 20.0  # seconds per request (connect, read, write, pool each)
    max_pages: int = 1000  # pages fetched per source per run
    max_bytes: int = 10_000_000  # response body limit
    max_redirects: int = 5
    retries: int = 3  # extra attempts after a timeout, 429 or 5xx
    backoff: float = 1.0  # first retry wait in seconds; doubles each time
    max_retry_after: float = 120.0  # a longer Retry-After is not waited for
    obey_robots: bool = True
    allow_private_hosts: bool = False  # loopback/private addresses (tests and the demo turn this on)
    min_chars: int = 200  # shorter extractions are not articles
    max_depth: int = 2  # listing-page hops from a start URL
    page_timeout: float = 30.0  # CPU seconds one page's extraction and language detection may take
    # Stories (read from [defaults] only; see stories.py): chosen on the FLORES and fixture measurements in
    # BENCHMARKS.md.
    duplicate_similarity: float = 0.45  # stem-set Jaccard for two articles written in one language to be copies
    # the least stem-set Jaccard, of what the two sets' sizes allow, for two articles to be judged as one event
    translation_similarity: float = 0.17
    story_window_days: int = 30  # the most days between two copies of one story (write-ups: 7, same_event.py)


@dataclass(frozen=True)
class Source:
    name: str
    start_urls: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    include: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()
    languages: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()  # extra hosts that belong to the source (its own are implied by its URLs)
    settings: Settings = field(default_factory=Settings)

    def is_article_url(self, url: str, *, announced: bool = False) -> bool:
        """Whether a discovered URL counts as an article by the include/exclude patterns.

        URLs a feed announces are articles by definition (announced=True): only exclude applies to them.
        """
        target = _path_and_query(url)
        if any(p.search(target) for p in self.exclude):
            return False
        if announced or not self.include:
            return True
        return any(p.search(target) for p in self.include)


ENGINE_KINDS = ("argos", "server", "apertium")


@dataclass(frozen=True)
class ServerSettings:
    """A LibreTranslate-API translation server ([translation] server = URL; see libretranslate.py)."""

    url: str
    api_key: str | None = None
    timeout: float = 30.0  # seconds per request (connect, read, write each)
    batch: int = 50  # sentences per request
    batch_chars: int = 20_000  # characters per request, whatever the sentence count
    retries: int = 2  # extra attempts after a failure that may pass (no answer, 429, 5xx)
    backoff: float = 1.0  # seconds before the first retry, doubled each time


@dataclass(frozen=True)
class TranslationSettings:
    """[translation]: which kind of engine a language prefers over the default rule (see routes.py), and a
    translation server."""

    prefer: tuple[tuple[str, str], ...] = ()  # (language, engine kind)
    server: ServerSettings | None = None

    def preferred(self, lang: str) -> str | None:
        return dict(self.prefer).get(lang)


@dataclass(frozen=True)
class MailSettings:
    """[digest]: where `digest --mail-to` sends. The password is never in the file: it is read from the
    environment variable named by password_env."""

    smtp_host: str = ""
    smtp_port: int = 587  # submission; STARTTLS upgrades it
    smtp_user: str = ""  # empty: no login
    password_env: str = "INTEGRATION_WATCH_SMTP_PASSWORD"
    starttls: bool = True
    sender: str = ""  # the From address (key "from")
    timeout: float = 30.0
    ca_file: str = ""  # a CA certificate to trust besides the system's (a relay with a private CA)


_MAIL_KEYS = {("from" if f.name == "sender" else f.name): f for f in fields(MailSettings)}


@dataclass(frozen=True)
class Config:
    path: Path | None
    defaults: Settings
    sources: tuple[Source, ...]
    translation: TranslationSettings = TranslationSettings()
    digest: MailSettings = MailSettings()

    def source(self, name: str) -> Source:
        for s in self.sources:
            if s.name == name:
                return s
        known = ", ".join(s.name for s in self.sources) or "none"
        raise ConfigError(f"{self._where()}: no source named {name!r} (known: {known})")

    def _where(self) -> str:
        return str(self.path) if self.path else "sources"


_SETTING_TYPES: dict[str, tuple[type, ...]] = {
    f.name: (float, int) if isinstance(f.default, float) else (type(f.default),) for f in fields(Settings)
}
_SOURCE_LIST_KEYS = ("start_urls", "feeds", "sitemaps", "include", "exclude", "languages", "hosts")
_LANG_RE = re.compile(r"^[a-z]{2,3}$")


def _path_and_query(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def load_config(path: str | Path) -> Config:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found (pass --sources or set INTEGRATION_WATCH_SOURCES)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: TOML syntax error: {exc}") from None
    return parse_config(data, path)


def parse_config(data: dict[str, Any], path: Path | None = None) -> Config:
    where = str(path) if path else "sources"
    unknown = set(data) - {"defaults", "source", "translation", "digest"}
    if unknown:
        raise ConfigError(f"{where}: unknown top-level key {sorted(unknown)[0]!r} "
                          "(expected [defaults], [translation], [digest] and [[source]])")
    defaults_raw = data.get("defaults", {})
    if not isinstance(defaults_raw, dict):
        raise ConfigError(f"{where}: [defaults] must be a table")
    defaults = _settings(Settings(), defaults_raw, f"{where}: [defaults]")
    sources_raw = data.get("source", [])
    if not isinstance(sources_raw, list) or not all(isinstance(s, dict) for s in sources_raw):
        raise ConfigError(f"{where}: sources must be [[source]] tables")
    if not sources_raw:
        raise ConfigError(f"{where}: no [[source]] tables")
    sources: list[Source] = []
    seen: set[str] = set()
    for i, raw in enumerate(sources_raw, 1):
        source = _source(raw, defaults, f"{where}: source #{i}")
        if source.name in seen:
            raise ConfigError(f"{where}: source {source.name!r}: name used twice")
        seen.add(source.name)
        sources.append(source)
    translation = _translation(data.get("translation", {}), f"{where}: [translation]")
    return Config(path=path, defaults=defaults, sources=tuple(sources), translation=translation,
                  digest=_mail(data.get("digest", {}), f"{where}: [digest]"))


def _mail(raw: Any, where: str) -> MailSettings:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a table")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in _MAIL_KEYS:
            raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(_MAIL_KEYS)})")
        default: Any = _MAIL_KEYS[key].default
        wanted = (int, float) if isinstance(default, float) else (type(default),)
        if isinstance(value, bool) is not isinstance(default, bool) or not isinstance(value, wanted):
            raise ConfigError(f"{where}: key {key!r} must be {type(default).__name__}, got {type(value).__name__}")
        values[_MAIL_KEYS[key].name] = float(value) if isinstance(default, float) else value
    return MailSettings(**values)


_SERVER_KEYS: dict[str, type | tuple[type, ...]] = {"api_key": str, "timeout": (int, float), "batch": int}


def _translation(raw: Any, where: str) -> TranslationSettings:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a table")
    unknown = set(raw) - {"prefer", "server", *_SERVER_KEYS}
    if unknown:
        raise ConfigError(f"{where}: unknown key {sorted(unknown)[0]!r} (known: prefer, server, {', '.join(_SERVER_KEYS)})")
    prefer = raw.get("prefer", {})
    if not isinstance(prefer, dict):
        raise ConfigError(f"{where}: key 'prefer' must be a table like {{it = \"apertium\"}}")
    for lang, kind in prefer.items():
        if not _LANG_RE.match(lang):
            raise ConfigError(f"{where}: prefer: {lang!r} is not an ISO 639 code like 'it'")
        if kind not in ENGINE_KINDS:
            raise ConfigError(f"{where}: prefer.{lang}: {kind!r} is not an engine ({', '.join(ENGINE_KINDS)})")
    server = None
    if "server" in raw:
        url = raw["server"]
        if not isinstance(url, str) or not re.match(r"^https?://[^/\s]+", url):
            raise ConfigError(f"{where}: key 'server' must be an http(s) URL like \"http://mt.internal:5000\"")
        options: dict[str, Any] = {}
        for key, kinds in _SERVER_KEYS.items():
            if key in raw:
                option: Any = raw[key]
                right_type = isinstance(option, kinds) and not isinstance(option, bool)
                if not right_type or (key != "api_key" and option <= 0):
                    raise ConfigError(f"{where}: key {key!r} must be a positive number" if key != "api_key"
                                      else f"{where}: key 'api_key' must be a string")
                options[key] = float(option) if key == "timeout" else option
        server = ServerSettings(url.rstrip("/"), **options)
    elif set(raw) & set(_SERVER_KEYS):
        raise ConfigError(f"{where}: {sorted(set(raw) & set(_SERVER_KEYS))[0]!r} needs 'server' (the server's URL)")
    return TranslationSettings(prefer=tuple(sorted(prefer.items())), server=server)


def _settings(base: Settings, raw: dict[str, Any], where: str) -> Settings:
    changes: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in _SETTING_TYPES:
            raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(_SETTING_TYPES)})")
        expected = _SETTING_TYPES[key]
        if isinstance(value, bool) and bool not in expected or not isinstance(value, expected):
            raise ConfigError(f"{where}: key {key!r} must be {expected[0].__name__}, got {type(value).__name__}")
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
            raise ConfigError(f"{where}: key {key!r} must not be negative")
        changes[key] = float(value) if expected[0] is float and isinstance(value, (int, float)) else value
    for key in ("duplicate_similarity", "translation_similarity"):
        if key in changes and not 0 < changes[key] <= 1:
            raise ConfigError(f"{where}: key {key!r} must be above 0 and at most 1")
    if changes.get("user_agent", "x").strip() == "":
        raise ConfigError(f"{where}: key 'user_agent' must not be empty")
    return replace(base, **changes)


def _source(raw: dict[str, Any], defaults: Settings, where: str) -> Source:
    name = raw.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise ConfigError(f"{where}: key 'name' is required: letters, digits, '-', '_' or '.'")
    where = f"{where.rsplit(':', 1)[0]}: source {name!r}"
    lists: dict[str, tuple[str, ...]] = {}
    overrides: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "name":
            continue
        if key in _SOURCE_LIST_KEYS:
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{where}: key {key!r} must be a list of strings")
            lists[key] = tuple(value)
        elif key in _SETTING_TYPES:
            overrides[key] = value
        else:
            raise ConfigError(f"{where}: unknown key {key!r}")
    for key in ("start_urls", "feeds", "sitemaps"):
        for url in lists.get(key, ()):
            if not re.match(r"^https?://[^/\s]+", url):
                raise ConfigError(f"{where}: key {key!r}: {url!r} is not an http(s) URL")
    if not (lists.get("start_urls") or lists.get("feeds") or lists.get("sitemaps")):
        raise ConfigError(f"{where}: no way to discover pages: give start_urls, feeds or sitemaps")
    for lang in lists.get("languages", ()):
        if not _LANG_RE.match(lang):
            raise ConfigError(f"{where}: key 'languages': {lang!r} is not an ISO 639 code like 'en'")
    patterns = {k: tuple(_regex(p, f"{where}: key {k!r}") for p in lists.get(k, ())) for k in ("include", "exclude")}
    return Source(
        name=name,
        start_urls=lists.get("start_urls", ()),
        feeds=lists.get("feeds", ()),
        sitemaps=lists.get("sitemaps", ()),
        include=patterns["include"],
        exclude=patterns["exclude"],
        languages=lists.get("languages", ()),
        hosts=tuple(h.lower() for h in lists.get("hosts", ())),
        settings=_settings(defaults, overrides, where),
    )


def _regex(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ConfigError(f"{where}: bad regular expression {pattern!r}: {exc}") from None


def load_translation_settings(path: str | Path, *, required: bool) -> TranslationSettings:
    """[translation] of a sources file, for commands that translate without crawling; a missing file that was
    not asked for explicitly means the default rule."""
    if not required and not Path(path).exists():
        return TranslationSettings()
    return load_config(path).translation


def append_source(path: Path, block: str) -> Config:
    """Append a [[source]] block to a sources file, only if the whole result loads: the file is replaced in one
    step (a temporary file renamed over it), so it is never left invalid or half written. A missing file is
    created holding the block alone."""
    try:
        before = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    text = (before.rstrip("\n") + "\n\n" if before.strip() else "") + block
    try:
        config = parse_config(tomllib.loads(text), path)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not appended: the result would not be valid TOML: {exc}") from None
    except ConfigError as exc:
        raise ConfigError(f"not appended: {exc}") from None
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ConfigError(f"{path}: cannot write: {exc.strerror}") from None
    return config
