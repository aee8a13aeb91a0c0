"""Polite HTTP fetching: robots.txt, per-host delay, conditional requests, retries, size and redirect limits.

One `Fetcher` per crawl run. Requests to one host are serialised and spaced by the larger of the
configured delay and the host's robots.txt Crawl-delay; different hosts proceed in parallel. What a
robots.txt means is robots.py's; how it is fetched (redirects, retries, how long a copy is kept) is here.
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import ipaddress
import socket
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import httpcore
import httpx

from . import robots
from .config import Settings
from .urls import host_of, is_private_host, normalize_url, origin_of, split_host_port

_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# After this many attempts in a row that got no answer at all (timeout, refused, reset), a host is taken as
# down for the rest of the run: its other pages fail at once instead of each waiting out every retry.
HOST_DOWN_AFTER = 6


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
    robots: robots.RobotsState | None = None  # None until first needed, and again once older than a day
    silent_attempts: int = 0  # consecutive attempts without any answer (see HOST_DOWN_AFTER)
    last_failure: str = ""


class Fetcher:
    """Fetches URLs politely. Use as an async context manager."""

    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self._clock = clock
        self._hosts: dict[str, _Host] = {}
        # host name -> the addresses it resolved to when first checked; connections go to these only
        self._addresses: dict[str, tuple[str, ...]] = {}
        self._client = httpx.AsyncClient(
            headers={"Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(settings.timeout),
            follow_redirects=False,  # followed by hand: each hop is checked for scope and politeness
            transport=_pinned_transport(self._addresses, httpx.Limits(max_connections=32, max_keepalive_connections=16)),
            trust_env=False,
            event_hooks={"response": [_check_location]},
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
            scope_error = self._scope_error(current, s, allowed_hosts) or await self._check_addresses(current, s)
            if scope_error:
                return FetchResult(url, current, None, error=scope_error, attempts=attempts)
            if s.obey_robots:
                state = await self._robots(current, s)
                if not state.allows(current, robots.product_token(s.user_agent)):
                    reason = (f"robots.txt unreachable ({state.problem}); host skipped this run" if state.problem
                              else "disallowed by robots.txt")
                    return FetchResult(url, current, None, error=f"robots: {reason}", attempts=attempts)
            # Validators belong to the URL they were recorded for, not to a redirect target.
            result, tries = await self._get_with_retries(current, s, validators if current == url else Validators(), accept)
            attempts += tries
            if isinstance(result, str):
                return FetchResult(url, current, None, error=result, attempts=attempts)
            response, body = result
            if response.status_code in _REDIRECT_STATUSES:
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

    async def _check_addresses(self, url: str, s: Settings) -> str | None:
        """A public-looking name that resolves to a private or loopback address is out of scope too (checked on
        every hop, redirects included). The name is resolved once per run and connections go to exactly the
        addresses checked (see _PinnedBackend): a name that resolves elsewhere the second time (DNS rebinding)
        cannot lead past the check. A name that does not resolve is left to fail as a network error."""
        host, port = split_host_port(url)
        if _is_ip_literal(host):
            return None  # judged as written by _scope_error
        key = _connect_key(host)
        if key not in self._addresses:
            addresses = await _resolve(host, port)
            if not addresses:
                return None
            self._addresses[key] = addresses
        if s.allow_private_hosts:
            return None
        address = _first_private(self._addresses[key])
        return f"scope: {host} resolves to the private or loopback address {address}" if address else None

    async def _get_with_retries(
        self, url: str, s: Settings, validators: Validators, accept: str, *, truncate: bool = False
    ) -> tuple[tuple[httpx.Response, bytes] | str, int]:
        """truncate: a body over max_bytes is cut there instead of being an error (robots.txt)."""
        delay = s.backoff
        for attempt in range(1, s.retries + 2):
            try:
                return await self._get_once(url, s, validators, accept, truncate), attempt
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

    async def _get_once(
        self, url: str, s: Settings, validators: Validators, accept: str, truncate: bool = False
    ) -> tuple[httpx.Response, bytes]:
        headers = {"Accept": accept, "User-Agent": s.user_agent}  # a source may override the default agent
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        scope_error = await self._check_addresses(url, s)  # resolves again a name that did not resolve before
        if scope_error:
            raise _FetchFailure(scope_error)
        host = self._host(url)
        async with host.lock:
            if host.silent_attempts >= HOST_DOWN_AFTER:  # checked under the lock: others may have been waiting
                raise _FetchFailure(f"network: host skipped for the rest of this run after {host.silent_attempts} "
                                    f"attempts in a row without an answer (last: {host.last_failure})")
            await self._wait_for_slot(host, s)
            try:
                # The whole transfer has a deadline too: a server trickling a byte a second never trips a read timeout.
                async with asyncio.timeout(s.timeout * 3):
                    answer = await self._transfer(url, s, headers, truncate)
                host.silent_attempts = 0
                return answer
            except (TimeoutError, httpx.TimeoutException):
                self._no_answer(host, f"timeout: no complete answer in {s.timeout:g}s")
                raise _Retryable(host.last_failure) from None
            except httpx.TransportError as exc:
                # httpx's read and connect errors often have an empty message: name the failure anyway
                self._no_answer(host, f"network: {type(exc).__name__}: {str(exc) or 'connection closed or reset'}")
                raise _Retryable(host.last_failure) from None
            except (_Retryable, _FetchFailure):
                host.silent_attempts = 0  # a 429, a 5xx or an oversized body is an answer: the host is up
                raise
            except httpx.InvalidURL as exc:
                # httpx parses a redirect's Location even when not following it
                raise _FetchFailure(f"redirect: unusable Location ({exc})") from None
            except httpx.HTTPError as exc:
                raise _FetchFailure(f"http: {type(exc).__name__}: {exc}") from None
            finally:
                host.next_slot = self._clock() + self._delay(host, s)

    @staticmethod
    def _no_answer(host: _Host, message: str) -> None:
        host.silent_attempts += 1
        host.last_failure = message

    async def _transfer(
        self, url: str, s: Settings, headers: dict[str, str], truncate: bool = False
    ) -> tuple[httpx.Response, bytes]:
        async with self._client.stream("GET", url, headers=headers) as response:
            if response.status_code in _RETRY_STATUSES:
                raise _Retryable(f"http: status {response.status_code}", _retry_after(response.headers.get("retry-after")))
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > s.max_bytes and not truncate:
                raise _FetchFailure(f"too_large: Content-Length {declared} is over the {s.max_bytes}-byte limit")
            chunks: list[bytes] = []
            size = 0
            # Decompressed here, in pieces no larger than the room left under the limit: httpx's own decoder
            # inflates each 64 KB network read whole, so a gzip bomb cost 130 MB before the limit could stop it.
            inflater = _Inflater(response.headers.get("content-encoding"))
            async for raw in response.aiter_raw():
                for piece in inflater.feed(raw, s.max_bytes + 1 - size):
                    size += len(piece)
                    if size > s.max_bytes and truncate:
                        chunks.append(piece[: len(piece) - (size - s.max_bytes)])
                        return response, b"".join(chunks)
                    if size > s.max_bytes:
                        raise _FetchFailure(f"too_large: body is over the {s.max_bytes}-byte limit (after decompression)")
                    chunks.append(piece)
            return response, b"".join(chunks)

    def _host(self, url: str) -> _Host:
        return self._hosts.setdefault(host_of(url), _Host())

    def _delay(self, host: _Host, s: Settings) -> float:
        if host.robots is None or not s.obey_robots:
            return s.delay
        return max(s.delay, host.robots.crawl_delay(robots.product_token(s.user_agent)) or 0.0)

    async def _wait_for_slot(self, host: _Host, s: Settings) -> None:
        wait = host.next_slot - self._clock()
        if wait > 0:
            await asyncio.sleep(wait)

    async def robots_sitemaps(self, url: str, settings: Settings | None = None) -> tuple[str, ...]:
        """The Sitemap lines of the robots.txt of url's host (read once and kept, as for every request)."""
        s = settings or self.settings
        if not s.obey_robots or self._scope_error(url, s, None) or await self._check_addresses(url, s):
            return ()
        return (await self._robots(url, s)).sitemaps

    def robots_problem(self, host: str) -> str | None:
        """Why nothing on `host` (as host_of gives it) was fetched this run: its robots.txt could not be read."""
        state = self._hosts[host].robots if host in self._hosts else None
        return state.problem if state else None

    async def _robots(self, url: str, s: Settings) -> robots.RobotsState:
        host = self._host(url)
        async with host.robots_lock:  # one robots.txt request per host, however many pages wait for it
            if host.robots is None or not host.robots.fresh(self._clock()):
                host.robots = await self._load_robots(origin_of(url), s)
            return host.robots

    async def _load_robots(self, origin: str, s: Settings) -> robots.RobotsState:
        """Fetch /robots.txt, following up to robots.MAX_REDIRECTS redirects (to other hosts too, as RFC 9309
        asks; private addresses still need allow_private_hosts). Only the first robots.MAX_BYTES are read."""
        quick = replace(s, retries=1, max_bytes=robots.MAX_BYTES)
        target = f"{origin}/robots.txt"
        for _hop in range(robots.MAX_REDIRECTS + 1):
            scope_error = self._scope_error(target, s, None) or await self._check_addresses(target, s)
            if scope_error:
                return robots.unreachable(f"redirected out of scope: {scope_error}", self._clock())
            # RFC 9309 §2.5: at least the first 500 KiB are parsed; the rest of a larger file is ignored.
            result, _ = await self._get_with_retries(target, quick, Validators(), "text/plain,*/*;q=0.5", truncate=True)
            if isinstance(result, str):
                return robots.unreachable(result, self._clock())
            response, body = result
            location = response.headers.get("location")
            following = normalize_url(location, base=target) if location else None
            if response.status_code not in _REDIRECT_STATUSES or following is None:
                return robots.from_response(response.status_code, body, self._clock())
            target = following
        return robots.from_response(404, b"", self._clock())  # too many redirects: unavailable


async def _check_location(response: httpx.Response) -> None:
    """Refuse a redirect to a non-HTTP scheme (javascript:, file:, mailto:) before httpx parses it: its own
    parse fails on some of them with a message that does not name the Location."""
    location = response.headers.get("location")
    if response.has_redirect_location and location and normalize_url(location, base=str(response.request.url)) is None:
        raise _FetchFailure(f"redirect: unusable Location {location[:200]!r}")


class _Inflater:
    """Content-Encoding decoding with bounded output per step (gzip, deflate, identity: what we ask for)."""

    def __init__(self, encoding: str | None) -> None:
        name = (encoding or "identity").strip().lower()
        self._raw_fallback = name == "deflate"  # some servers send raw deflate without the zlib header
        if name in ("identity", ""):
            self._z: zlib._Decompress | None = None
        elif name in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif name == "deflate":
            self._z = zlib.decompressobj(zlib.MAX_WBITS)
        else:
            raise _FetchFailure(f"http: unsupported Content-Encoding {encoding!r}")
        self._started = False

    def feed(self, data: bytes, room: int) -> Iterator[bytes]:
        """The decoded bytes of `data`, in pieces of at most `room` bytes (the caller stops when over its limit)."""
        if self._z is None:
            yield data
            return
        try:
            if not self._started and self._raw_fallback and data:
                self._started = True
                try:
                    zlib.decompressobj(zlib.MAX_WBITS).decompress(data[:64], 1)
                except zlib.error:
                    self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            yield self._z.decompress(data, max(room, 1))
            while self._z.unconsumed_tail:
                yield self._z.decompress(self._z.unconsumed_tail, max(room, 1))
        except zlib.error as exc:
            raise _FetchFailure(f"http: broken compressed body ({exc})") from None


async def _resolve(host: str, port: int) -> tuple[str, ...]:
    """The addresses `host` resolves to, in the resolver's order; none when it does not resolve."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return ()
    return tuple(dict.fromkeys(str(sockaddr[0]) for *_, sockaddr in infos))


def _first_private(addresses: tuple[str, ...]) -> str | None:
    """The first non-public address among `addresses`, or None."""
    for address in addresses:
        address = address.split("%", 1)[0]  # an IPv6 zone
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            continue
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if not ip.is_global:
            return address
    return None


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _connect_key(host: str) -> str:
    """A host name as httpcore hands it to the network backend (IDNA-encoded, lower case)."""
    try:
        return httpx.URL(f"http://{host}/").raw_host.decode("ascii")
    except (httpx.InvalidURL, UnicodeError):
        return host


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects to the addresses Fetcher._check_addresses resolved and checked for a name, never resolving
    it again. TLS is unaffected: httpcore takes the SNI name and certificate check from the URL's host, and
    httpx the Host header, not from the address connected to."""

    def __init__(self, addresses: dict[str, tuple[str, ...]]) -> None:
        self._addresses = addresses
        self._network = httpcore.AnyIOBackend()

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if _is_ip_literal(host):
            return await self._network.connect_tcp(host, port, timeout, local_address, socket_options)
        addresses = self._addresses.get(host)
        if not addresses:
            raise httpcore.ConnectError(f"{host} does not resolve")
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self._network.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc  # try the host's next address, as a resolver-driven connect would
        assert failure is not None
        raise failure

    async def sleep(self, seconds: float) -> None:
        await self._network.sleep(seconds)


def _pinned_transport(addresses: dict[str, tuple[str, ...]], limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """httpx's own transport (its request mapping and error translation), on a connection pool whose network
    backend is pinned. httpx has no parameter for the backend, so the pool it built is replaced."""
    transport = httpx.AsyncHTTPTransport(limits=limits, trust_env=False)
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_PinnedBackend(addresses),
    )
    return transport


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
