"""A translation server speaking the LibreTranslate API as an engine, for when translation outgrows one machine.

`GET /languages` says which languages the server translates into English; `POST /translate` takes a list of
sentences (`q`) and returns one translation per sentence (`translatedText`), so many sentences go in one request.
Every request has a timeout; a connection failure, a timeout, 429 or a 5xx is retried a few times, then the
batch fails as `EngineUnavailable`: its articles wait (`pending`), nothing is lost, and the next `translate`
tries again. An answer with another number of sentences than were sent is refused (never stored).
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from . import __version__
from .config import ServerSettings
from .engines import EngineUnavailable, TranslationError

TARGET = "en"


def _client(settings: ServerSettings) -> httpx.Client:
    headers = {"User-Agent": f"integration-watch/{__version__} (translation)"}
    return httpx.Client(base_url=settings.url.rstrip("/"), timeout=settings.timeout, headers=headers)


def _request(client: httpx.Client, settings: ServerSettings, method: str, path: str, **kwargs: Any) -> Any:
    """The JSON answer, retrying what may pass; EngineUnavailable when it does not, TranslationError when the
    server refuses the request (4xx) or answers with something that is not JSON."""
    where = f"translation server {settings.url}"
    for attempt in range(settings.retries + 1):
        if attempt:
            time.sleep(settings.backoff * 2 ** (attempt - 1))
        try:
            response = client.request(method, path, **kwargs)
        except httpx.TimeoutException:
            problem = f"no answer within {settings.timeout:g} s"
            continue
        except httpx.TransportError as exc:
            problem = f"unreachable ({exc.__class__.__name__}: {exc})"
            continue
        if response.status_code == 429 or response.status_code >= 500:
            problem = f"HTTP {response.status_code}"
            continue
        if response.status_code >= 400:
            raise TranslationError(f"{where}: HTTP {response.status_code} on {path}: {_error_of(response)}")
        try:
            return response.json()
        except ValueError:
            raise TranslationError(f"{where}: {path} did not answer JSON") from None
    raise EngineUnavailable(f"{where}: {problem} ({settings.retries + 1} attempts)")


def _error_of(response: httpx.Response) -> str:
    try:
        return str(response.json().get("error"))[:200]
    except (ValueError, AttributeError):
        return response.text[:200]


def server_languages(settings: ServerSettings) -> list[str]:
    """The languages the server translates into English, from its /languages."""
    with _client(settings) as client:
        listing = _request(client, settings, "GET", "/languages")
    if not isinstance(listing, list):
        raise TranslationError(f"translation server {settings.url}: /languages is not a list")
    return sorted(
        str(entry["code"]) for entry in listing
        if isinstance(entry, dict) and entry.get("code") and entry["code"] != TARGET
        and TARGET in (entry.get("targets") or [TARGET])  # older servers list no targets: all pairs
    )


class ServerEngine:
    """One source language on a LibreTranslate-API server. The name has the server's address: its models are
    the server's business, so a change of model there needs `translate --retranslate` to show here."""

    def __init__(self, settings: ServerSettings, source: str) -> None:
        self.settings = settings
        self.source = source
        self.name = f"server {settings.url} {source}-{TARGET}"
        self._client: httpx.Client | None = None

    def translate(self, sentences: list[str]) -> list[str]:
        out: list[str] = []
        for batch in self._batches(sentences):
            try:
                out += self._translate_batch(batch)
            except EngineUnavailable as exc:
                raise EngineUnavailable(str(exc), done=out) from None  # what was answered is kept
        return out

    def _batches(self, sentences: list[str]) -> list[list[str]]:
        batches: list[list[str]] = [[]]
        size = 0
        for sentence in sentences:
            if batches[-1] and (len(batches[-1]) >= self.settings.batch or size + len(sentence) > self.settings.batch_chars):
                batches.append([])
                size = 0
            batches[-1].append(sentence)
            size += len(sentence)
        return [b for b in batches if b]

    def _translate_batch(self, batch: list[str]) -> list[str]:
        if self._client is None:
            self._client = _client(self.settings)
        body: dict[str, Any] = {"q": batch, "source": self.source, "target": TARGET, "format": "text"}
        if self.settings.api_key:
            body["api_key"] = self.settings.api_key
        answer = _request(self._client, self.settings, "POST", "/translate", json=body)
        english = answer.get("translatedText") if isinstance(answer, dict) else None
        if not isinstance(english, list) or not all(isinstance(e, str) for e in english):
            raise TranslationError(f"{self.name}: /translate did not answer a list of translations")
        if len(english) != len(batch):  # which sentence is missing cannot be known: none is taken
            raise TranslationError(f"{self.name}: {len(english)} translations for {len(batch)} sentences; refused")
        return [e.strip() for e in english]

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
