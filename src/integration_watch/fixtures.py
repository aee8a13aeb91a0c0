"""Fixture sites served over real HTTP on 127.0.0.1, for the demo, the tests and the benchmarks.

Each directory under `fixtures/sites/` is one site on its own port (so per-host politeness is real). The
server behaves like a plain static web server: ETag and Last-Modified with conditional 304s, a content type
by extension, `X.gz` served as gzip of `X`, extra headers from a `<file>.headers` JSON sidecar, and
`{{origin}}` / `{{origin:<site>}}` in text files replaced by the sites' real origins. It logs every request,
and can be told to fail a path a number of times first, so tests can check retries against a real server.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

CONTENT_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".aspx": "text/html", ".xml": "application/xml",
    ".rss": "application/rss+xml", ".atom": "application/atom+xml", ".txt": "text/plain",
    ".pdf": "application/pdf", ".php": "text/html", ".gz": "application/gzip", ".json": "application/json",
}
_PLACEHOLDER = re.compile(rb"\{\{origin(?::([A-Za-z0-9_-]+))?\}\}")
# A fixed Last-Modified keeps conditional requests deterministic whatever the files' mtimes.
FIXED_LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)


def bundled_sites_dir() -> Path:
    """fixtures/sites of the source checkout (the README's set-up installs the package editable)."""
    return Path(__file__).resolve().parents[2] / "fixtures" / "sites"


@dataclass(frozen=True)
class Request:
    site: str
    path: str
    headers: dict[str, str]
    time: float
    status: int


@dataclass
class Fault:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


class FixtureSites:
    """Serve every site directory under `root` on its own loopback port. Use as a context manager."""

    def __init__(self, root: Path, *, sites: list[str] | None = None) -> None:
        self.root = root
        names = sites or sorted(p.name for p in root.iterdir() if p.is_dir())
        if not names:
            raise FileNotFoundError(f"{root}: no site directories")
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._faults: dict[tuple[str, str], Fault] = {}
        self._servers: dict[str, ThreadingHTTPServer] = {}
        for name in names:
            server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self, name))
            server.daemon_threads = True
            self._servers[name] = server
        self.origins = {name: f"http://127.0.0.1:{s.server_address[1]}" for name, s in self._servers.items()}
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> FixtureSites:
        for server in self._servers.values():
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        for server in self._servers.values():
            server.shutdown()
            server.server_close()

    def render(self, text: str) -> str:
        """Replace placeholders in a text (e.g. a sources.toml template) with the running origins."""
        return _PLACEHOLDER.sub(lambda m: self._origin_bytes(m, None), text.encode()).decode()

    def fail(self, site: str, path: str, status: int, *, times: int = 1, headers: dict[str, str] | None = None) -> None:
        """Answer the next `times` requests for path with `status` (e.g. 503 with Retry-After)."""
        with self._lock:
            self._faults[(site, path)] = Fault(status, headers or {}, times)

    def requests_for(self, site: str, path: str | None = None) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.site == site and (path is None or r.path == path)]

    def _origin_bytes(self, match: re.Match[bytes], own: str | None) -> bytes:
        name = match.group(1).decode() if match.group(1) else own
        if name not in self.origins:
            raise KeyError(f"unknown fixture site {name!r} in placeholder")
        return self.origins[name].encode()

    def _take_fault(self, site: str, path: str) -> Fault | None:
        with self._lock:
            fault = self._faults.get((site, path))
            if fault is None:
                return None
            fault.times -= 1
            if fault.times <= 0:
                del self._faults[(site, path)]
            return fault

    def _log(self, site: str, path: str, headers: dict[str, str], status: int) -> None:
        with self._lock:
            self.requests.append(Request(site, path, headers, time.monotonic(), status))

    def content(self, site: str, path: str, query: str = "") -> tuple[bytes, str, dict[str, str]] | None:
        """Body, content type and extra headers for a request, or None for 404.

        A URL with a query is served from a file named like `default.aspx%3Fpage%3D2` when one exists.
        """
        base = (self.root / site).resolve()
        rel = unquote(path).lstrip("/")
        target = (base / rel).resolve()
        if base != target and base not in target.parents:
            return None
        with_query = target.with_name(target.name + quote("?" + query, safe="")) if query else None
        if with_query is not None and with_query.is_file():
            body, ctype, headers = self._file(site, with_query)
            return body, CONTENT_TYPES.get(target.suffix.lower(), ctype), headers
        if target.is_dir():
            target = target / "index.html"
        gzipped = False
        if not target.is_file() and target.suffix == ".gz" and target.with_suffix("").is_file():
            target, gzipped = target.with_suffix(""), True
        if not target.is_file():
            return None
        body, ctype, headers = self._file(site, target)
        if gzipped:
            body, ctype = gzip.compress(body, mtime=0), "application/gzip"
        return body, ctype, headers

    def _file(self, site: str, target: Path) -> tuple[bytes, str, dict[str, str]]:
        body = _PLACEHOLDER.sub(lambda m: self._origin_bytes(m, site), target.read_bytes())
        ctype = CONTENT_TYPES.get(target.suffix.lower(), "application/octet-stream")
        headers: dict[str, str] = {}
        sidecar = target.with_name(target.name + ".headers")
        if sidecar.is_file():
            headers = json.loads(sidecar.read_text())
            ctype = headers.pop("Content-Type", ctype)
        return body, ctype, headers


def _handler_for(sites: FixtureSites, site: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in separate writes: avoid delayed-ACK stalls
        server_version = "integration-watch-fixtures"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            # Every request is logged before it is answered, so a client that has its answer sees it logged.
            parts = urlsplit(self.path)
            path = parts.path
            headers = {k.lower(): v for k, v in self.headers.items()}
            fault = sites._take_fault(site, path)
            if fault is not None:
                sites._log(site, path, headers, fault.status)
                self._send(fault.status, b"fault injected by the test server\n", "text/plain", fault.headers)
                return
            found = sites.content(site, path, parts.query)
            if found is None:
                sites._log(site, path, headers, 404)
                self._send(404, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html", {})
                return
            body, ctype, extra = found
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            validators = {"ETag": etag, "Last-Modified": FIXED_LAST_MODIFIED}
            if _not_modified(headers, etag):
                sites._log(site, path, headers, 304)
                self._send(304, b"", None, validators)
                return
            sites._log(site, path, headers, 200)
            self._send(200, body, ctype, {**validators, **extra})

        def _send(self, status: int, body: bytes, ctype: str | None, headers: dict[str, str]) -> None:
            self.send_response(status)
            if ctype:
                self.send_header("Content-Type", ctype)
            for key, value in headers.items():
                self.send_header(key, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # requests are kept in FixtureSites.requests instead

    return Handler


def _not_modified(headers: dict[str, str], etag: str) -> bool:
    if "if-none-match" in headers:
        return etag in [t.strip() for t in headers["if-none-match"].split(",")] or headers["if-none-match"].strip() == "*"
    since = headers.get("if-modified-since")
    if since:
        try:
            return parsedate_to_datetime(since) >= parsedate_to_datetime(FIXED_LAST_MODIFIED)
        except (TypeError, ValueError):
            return False
    return False


@contextmanager
def serve_fixture_sites(root: Path | None = None) -> Iterator[FixtureSites]:
    with FixtureSites(root or bundled_sites_dir()) as sites:
        yield sites
