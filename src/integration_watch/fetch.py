"""Polite HTTP fetching: robots.txt, per-host delay, conditional requests, retries, size and redirect limits.

One `Fetcher` per crawl run. Requests to one host are serialised and spaced by the larger of the
configured delay and the host's robots.txt Crawl-delay; different hosts proceed in parallel.
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import math
import re
import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property

import charset_normalizer
import httpx

from .config import Settings
from .urls import host_of, is_private_host, normalize_url, origin_of

ROBOTS_MAX_BYTES = 500_000
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.IGNORECASE)
_CRAWL_DELAY = re.compile(r"^(\s*crawl-delay\s*:\s*)(\d*\.\d+)\s*$", re.IGNORECASE)
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Validators:
    """What a previous fetch of a URL left for a conditional request."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class FetchResult:
    url: str  # as requested (normalised)
    final_url: str  # after redirects
    status: int | None  # HTTP status of the final response; None when no response arrived
    content_type: str | None = None
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None  # a short code and message, e.g. "timeout: no answer in 20s"
    attempts: int = 1

    @cached_property
    def digest(self) -> str:
        """sha256 of the body: an unchanged body does no further work even without a 304."""
        return hashlib.sha256(self.body).hexdigest()

    @property
    def ok(self) -> bool:
        return self.error is None and self.status == 200

    @property
    def not_modified(self) -> bool:
        return self.error is None and self.status == 304


class _FetchFailure(Exception):
    """A request that must not be retried (or whose retries are spent); the message is recorded."""


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class _Host:
    """Politeness state for one host: a lock so requests are serialised, and the time of the next slot."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_slot: float = 0.0
    robots_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    robots: urllib.robotparser.RobotFileParser | None = None
    robots_error: str | None = None  # robots.txt unreachable: the host is not crawled this run


class Fetcher:
    """Fetches URLs politely. Use as an async context manager."""

    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self._clock = clock
        self._hosts: dict[str, _Host] = {}
        self._client = httpx.AsyncClient(
            headers={"Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(settings.timeout),
            follow_redirects=False,  # followed by hand: each hop is checked for scope and politeness
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
            trust_env=False,
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        settings: Settings | None = None,
        validators: Validators = Validators(),
        allowed_hosts: frozenset[str] | None = None,
        accept: str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    ) -> FetchResult:
        """GET a URL with retries, redirects (within allowed_hosts) and politeness. Never raises for the web's faults."""
        s = settings or self.settings
        current = url
        attempts = 0
        for _hop in range(s.max_redirects + 1):
            scope_error = self._scope_error(current, s, allowed_hosts)
            if scope_error:
                return FetchResult(url, current, None, error=scope_error, attempts=attempts)
            if s.obey_robots and not await self._robots_allows(current, s):
                host = self._hosts[host_of(current)]
                reason = host.robots_error or "disallowed by robots.txt"
                return FetchResult(url, current, None, error=f"robots: {reason}", attempts=attempts)
            # Validators belong to the URL they were recorded for, not to a redirect target.
            result, tries = await self._get_with_retries(current, s, validators if current == url else Validators(), accept)
            attempts += tries
            if isinstance(result, str):
                return FetchResult(url, current, None, error=result, attempts=attempts)
            response, body = result
            if response.status_code in (301, 302, 303, 307, 308):
                location = response.headers.get("location")
                target = normalize_url(location, base=current) if location else None
                if target is None:
                    return FetchResult(url, current, response.status_code, attempts=attempts,
                                       error=f"redirect: unusable Location {location!r}")
                if target == current:
                    return FetchResult(url, current, response.status_code, attempts=attempts,
                                       error="redirect: loop (redirects to itself)")
                current = target
                continue
            return _result(url, current, response, body, attempts)
        return FetchResult(url, current, None, attempts=attempts, error=f"redirect: more than {s.max_redirects} redirects")

    def _scope_error(self, url: str, s: Settings, allowed_hosts: frozenset[str] | None) -> str | None:
        if allowed_hosts is not None and host_of(url) not in allowed_hosts:
            return f"scope: {host_of(url)} is not one of the source's hosts"
        if not s.allow_private_hosts and is_private_host(url):
            return f"scope: {host_of(url)} is a private or loopback address"
        return None

    async def _get_with_retries(
        self, url: str, s: Settings, validators: Validators, accept: str
    ) -> tuple[tuple[httpx.Response, bytes] | str, int]:
        delay = s.backoff
        for attempt in range(1, s.retries + 2):
            try:
                return await self._get_once(url, s, validators, accept), attempt
            except _FetchFailure as exc:
                return str(exc), attempt
            except _Retryable as exc:
                if attempt > s.retries:
                    return f"{exc} (gave up after {attempt} attempts)", attempt
                wait = delay if exc.retry_after is None else exc.retry_after
                if wait > s.max_retry_after:
                    return f"{exc} (Retry-After {wait:.0f}s is over the {s.max_retry_after:.0f}s limit)", attempt
                delay *= 2
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    async def _get_once(self, url: str, s: Settings, validators: Validators, accept: str) -> tuple[httpx.Response, bytes]:
        headers = {"Accept": accept, "User-Agent": s.user_agent}  # a source may override the default agent
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        host = self._host(url)
        async with host.lock:
            await self._wait_for_slot(host, s)
            try:
                # The whole transfer has a deadline too: a server trickling a byte a second never trips a read timeout.
                async with asyncio.timeout(s.timeout * 3):
                    return await self._transfer(url, s, headers)
            except (TimeoutError, httpx.TimeoutException):
                raise _Retryable(f"timeout: no complete answer in {s.timeout:g}s") from None
            except httpx.TransportError as exc:
                raise _Retryable(f"network: {type(exc).__name__}: {exc or 'connection failed'}") from None
            except httpx.InvalidURL as exc:
                # httpx parses a redirect's Location even when not following it
                raise _FetchFailure(f"redirect: unusable Location ({exc})") from None
            except httpx.HTTPError as exc:
                raise _FetchFailure(f"http: {type(exc).__name__}: {exc}") from None
            finally:
                host.next_slot = self._clock() + self._delay(host, s)

    async def _transfer(self, url: str, s: Settings, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
        async with self._client.stream("GET", url, headers=headers) as response:
            if response.status_code in _RETRY_STATUSES:
                raise _Retryable(f"http: status {response.status_code}", _retry_after(response.headers.get("retry-after")))
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > s.max_bytes:
                raise _FetchFailure(f"too_large: Content-Length {declared} is over the {s.max_bytes}-byte limit")
            chunks: list[bytes] = []
            size = 0
            # aiter_bytes yields decompressed bytes, so a gzip bomb is stopped at the limit too.
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > s.max_bytes:
                    raise _FetchFailure(f"too_large: body is over the {s.max_bytes}-byte limit")
                chunks.append(chunk)
            return response, b"".join(chunks)

    def _host(self, url: str) -> _Host:
        return self._hosts.setdefault(host_of(url), _Host())

    def _delay(self, host: _Host, s: Settings) -> float:
        crawl_delay = host.robots.crawl_delay(s.user_agent) if host.robots else None
        return max(s.delay, float(crawl_delay or 0.0))

    async def _wait_for_slot(self, host: _Host, s: Settings) -> None:
        wait = host.next_slot - self._clock()
        if wait > 0:
            await asyncio.sleep(wait)

    async def _robots_allows(self, url: str, s: Settings) -> bool:
        host = self._host(url)
        async with host.robots_lock:
            if host.robots is None and host.robots_error is None:
                await self._load_robots(host, origin_of(url), s)
        if host.robots is None:
            return False
        return host.robots.can_fetch(s.user_agent, url)

    async def _load_robots(self, host: _Host, origin: str, s: Settings) -> None:
        robots_url = f"{origin}/robots.txt"
        parser = urllib.robotparser.RobotFileParser(robots_url)
        no_retry = replace(s, retries=1, max_bytes=ROBOTS_MAX_BYTES)
        result, _ = await self._get_with_retries(robots_url, no_retry, Validators(), "text/plain,*/*;q=0.5")
        if isinstance(result, str):
            if result.startswith("too_large"):
                parser.parse([])  # an oversized robots.txt is treated as absent, as Google does
            else:
                host.robots_error = f"robots.txt unreachable ({result}); host skipped this run"
                return
        else:
            response, body = result
            if response.status_code >= 500:
                host.robots_error = f"robots.txt answered {response.status_code}; host skipped this run"
                return
            if response.status_code >= 400 or response.status_code in (301, 302, 303, 307, 308):
                parser.parse([])  # no robots.txt: everything allowed
            else:
                parser.parse(_robots_lines(body))
        host.robots = parser


def _robots_lines(body: bytes) -> list[str]:
    """robots.txt lines, with fractional Crawl-delay values rounded up: urllib's parser ignores non-integers."""
    lines = body.decode("utf-8", errors="replace").splitlines()
    return [_CRAWL_DELAY.sub(lambda m: f"{m.group(1)}{math.ceil(float(m.group(2)))}", line) for line in lines]


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _result(url: str, final_url: str, response: httpx.Response, body: bytes, attempts: int) -> FetchResult:
    status = response.status_code
    error = None if status in (200, 304) else f"http: status {status}"
    return FetchResult(
        url=url,
        final_url=final_url,
        status=status,
        content_type=response.headers.get("content-type"),
        body=body if status == 200 else b"",
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
        error=error,
        attempts=attempts,
    )


def decode_body(body: bytes, content_type: str | None) -> str:
    """Decode a page: the HTTP charset, else a BOM or <meta> charset, else detection; never fails."""
    for candidate in (_header_charset(content_type), _bom_charset(body), _meta_charset(body)):
        if candidate:
            try:
                return body.decode(candidate)
            except (LookupError, UnicodeDecodeError):
                continue  # a wrong declaration: fall through to detection
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return body.decode(_detect_charset(body[:200_000]), errors="replace")


def _detect_charset(sample: bytes) -> str:
    """The most plausible legacy charset. Among equally good guesses windows-1252 wins: it is what browsers
    assume for unlabelled Western pages, and the detector otherwise picks e.g. cp1250 for French at random."""
    matches = list(charset_normalizer.from_bytes(sample))
    if not matches:
        return "cp1252"
    best = matches[0]
    tied = {m.encoding for m in matches if m.chaos <= best.chaos + 0.01}
    return "cp1252" if "cp1252" in tied else best.encoding


def _header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = re.search(r"charset\s*=\s*[\"']?([^\s;\"']+)", content_type, re.IGNORECASE)
    return match.group(1) if match else None


def _bom_charset(body: bytes) -> str | None:
    if body.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return None


def _meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:8192])
    return match.group(1).decode("ascii") if match else None
