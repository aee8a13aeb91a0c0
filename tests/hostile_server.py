"""Loopback HTTP servers that misbehave on purpose: the hostile web for tests/test_hostile.py and
bench/bench_hostile.py.

The fixture server (integration_watch.fixtures) is a well-behaved static server that can only answer a
status early. This one speaks raw HTTP/1.1 over asyncio streams so it can do what real servers do to
crawlers: accept and never answer, trickle a byte at a time, reset the connection mid-body, send a body
larger than it announced or a gzip bomb, lie about types and charsets, redirect in circles.

Each `site()` listens on its own 127.0.0.1 port (so per-host politeness and per-host failure counting are
real), with a table of path → behaviour. Paths not in the table get 404 (robots.txt included: everything
allowed). Every request is logged. `CASES` lists the hostile cases that both the tests and the benchmark run.
"""

from __future__ import annotations

import asyncio
import gzip
import io
import socket
import struct
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

Behaviour = Callable[["Request", asyncio.StreamWriter], Awaitable[None]]


@dataclass(frozen=True)
class Request:
    origin: str
    path: str  # with the query
    headers: dict[str, str]


class HostileServer:
    """Hostile sites on loopback, served from one asyncio loop in a background thread. A context manager."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._servers: list[asyncio.base_events.Server] = []
        self._handlers: set[asyncio.Task[None]] = set()

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def site(self, routes: dict[str, Behaviour]) -> str:
        """Serve `routes` (a live table: entries added later are served too) on a new port; returns the origin."""
        return asyncio.run_coroutine_threadsafe(self._start(routes), self._loop).result(timeout=10)

    def requests_to(self, origin: str, path: str | None = None) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.origin == origin and (path is None or r.path == path)]

    async def _start(self, routes: dict[str, Behaviour]) -> str:
        origin_box: list[str] = []

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            self._handlers.add(task)
            try:
                await self._serve(origin_box[0], routes, reader, writer)
            except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.CancelledError):
                pass
            finally:
                self._handlers.discard(task)
                writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        self._servers.append(server)
        origin_box.append(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}")
        return origin_box[0]

    async def _serve(self, origin: str, routes: dict[str, Behaviour], reader: asyncio.StreamReader,
                     writer: asyncio.StreamWriter) -> None:
        while True:  # keep-alive: one request after another until a behaviour closes the connection
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            _method, path, _version = lines[0].split(" ", 2)
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
            request = Request(origin, path, headers)
            with self._lock:
                self.requests.append(request)
            behaviour = routes.get(path) or routes.get(path.split("?", 1)[0]) or respond(404, b"not found", "text/plain")
            await behaviour(request, writer)
            if writer.is_closing():
                return

    async def _shutdown(self) -> None:
        for server in self._servers:
            server.close()
        for task in list(self._handlers):
            task.cancel()
        await asyncio.sleep(0)
        for server in self._servers:
            await server.wait_closed()


# --- behaviours ------------------------------------------------------------------------------------


def _head(status: int, headers: dict[str, str]) -> bytes:
    reason = {200: "OK", 301: "Moved Permanently", 302: "Found", 404: "Not Found", 429: "Too Many Requests",
              500: "Internal Server Error", 503: "Service Unavailable"}.get(status, "Whatever")
    lines = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    return "\r\n".join(lines).encode("latin-1")


def respond(status: int = 200, body: bytes = b"", content_type: str | None = "text/html; charset=utf-8",
            headers: dict[str, str] | None = None) -> Behaviour:
    """A plain answer (Content-Type omitted when content_type is None)."""

    async def behaviour(request: Request, writer: asyncio.StreamWriter) -> None:
        all_headers = {"Content-Length": str(len(body)), **({"Content-Type": content_type} if content_type else {}),
                       **(headers or {})}
        writer.write(_head(status, all_headers) + body)
        await writer.drain()

    return behaviour


def redirect(location: str, status: int = 302) -> Behaviour:
    return respond(status, b"", "text/plain", {"Location": location})


def hang() -> Behaviour:
    """Accept the request and never answer (until the server shuts down)."""

    async def behaviour(request: Request, writer: asyncio.StreamWriter) -> None:
        await asyncio.Event().wait()

    return behaviour


def trickle(body: bytes, interval: float = 0.25) -> Behaviour:
    """Announce the whole body, then send it a byte every `interval` seconds: no read ever times out."""

    async def behaviour(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(_head(200, {"Content-Type": "text/html", "Content-Length": str(len(body))}))
        await writer.drain()
        for i in range(len(body)):
            writer.write(body[i:i + 1])
            await writer.drain()
            await asyncio.sleep(interval)

    return behaviour


def reset_mid_body(body: bytes) -> Behaviour:
    """Announce the body, send half of it, then reset the connection (RST, not a clean close)."""

    async def behaviour(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(_head(200, {"Content-Type": "text/html", "Content-Length": str(len(body))}) + body[: len(body) // 2])
        await writer.drain()
        await asyncio.sleep(0.05)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    return behaviour


def endless(chunk: bytes = b"<p>" + b"x" * 65_530 + b"</p>", content_type: str = "text/html") -> Behaviour:
    """No Content-Length, a body that never ends (close-delimited): only the client's own limit stops it."""

    async def behaviour(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(_head(200, {"Content-Type": content_type, "Connection": "close"}))
        while True:
            writer.write(chunk)
            await writer.drain()

    return behaviour


def announce_huge(length: int) -> Behaviour:
    """A Content-Length far over any limit, and then only a little body."""

    async def behaviour(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(_head(200, {"Content-Type": "text/html", "Content-Length": str(length)}) + b"<html>")
        await writer.drain()
        await asyncio.sleep(0.5)
        writer.close()

    return behaviour


def sequence(*behaviours: Behaviour) -> Behaviour:
    """The n-th request gets the n-th behaviour; the last one repeats."""
    count = [0]

    async def behaviour(request: Request, writer: asyncio.StreamWriter) -> None:
        index = min(count[0], len(behaviours) - 1)
        count[0] += 1
        await behaviours[index](request, writer)

    return behaviour


_BOMBS: dict[int, bytes] = {}


def gzip_bomb_bytes(size: int) -> bytes:
    """gzip of `size` zero bytes (about size/1000 bytes compressed), cached per size."""
    if size not in _BOMBS:
        out = io.BytesIO()
        with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9, mtime=0) as gz:
            block = b"\0" * 1_000_000
            for _ in range(size // len(block)):
                gz.write(block)
        _BOMBS[size] = out.getvalue()
    return _BOMBS[size]


def gzip_bomb(size: int = 200_000_000) -> Behaviour:
    """Content-Encoding: gzip whose body is tiny but expands to `size` bytes."""
    return respond(200, gzip_bomb_bytes(size), "text/html", {"Content-Encoding": "gzip"})


# --- page and document bodies ---------------------------------------------------------------------

ARTICLE_TEXT = (
    "The regional integration strategy for newly arrived migrants was adopted by the regional council on Tuesday "
    "after two years of consultation with municipalities, employers and civil society organisations. "
    "It sets out language courses in the first month, recognition of qualifications within six months, "
    "and a mentoring programme that pairs newcomers with local volunteers in every municipality. "
    "The council will report on progress every year and publish the figures per municipality."
)


def article_html(title: str = "Regional council adopts integration strategy", text: str = ARTICLE_TEXT,
                 charset: str | None = "utf-8") -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    paragraphs = "".join(f"<p>{s.strip()}.</p>" for s in text.split(". ") if s.strip())
    return (f"<!doctype html><html lang=\"en\"><head>{meta}<title>{title}</title></head><body><main><article>"
            f"<h1>{title}</h1><p class=\"date\">Published 2023-03-14</p>{paragraphs}</article></main></body></html>")


def listing_html(links: list[str]) -> bytes:
    items = "".join(f'<li><a href="{href}">Story {i}</a></li>' for i, href in enumerate(links))
    return f"<!doctype html><html lang=\"en\"><head><title>News</title></head><body><ul>{items}</ul></body></html>".encode()


def xml_bomb() -> bytes:
    """The "billion laughs": nine levels of entities, each ten times the one below (3 GB if expanded)."""
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    ]
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n{chr(10).join(entities)}\n]>\n'
            f"<rss><channel><item><title>&lol9;</title><link>/a-story.html</link></item></channel></rss>").encode()


def sitemap_index(*locs: str) -> bytes:
    entries = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'.encode()


def urlset(*locs: str) -> bytes:
    entries = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'.encode()


# --- the cases ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One hostile behaviour, crawled as its own source on its own port.

    `seed` says how the source reaches `target`: "listing" (a start page at / links to it), or the target
    is itself the source's "feed" or "sitemap". `state` and `says` are what the pages table must record
    for the target afterwards (`says` is searched in error, then reason).
    """

    name: str
    what: str
    routes: Callable[[str, str], dict[str, Behaviour]]  # (own origin, another site's origin) -> routes
    state: str
    says: str
    seed: str = "listing"
    target: str = "/a/story.html"

    @property
    def source_fails(self) -> bool:
        """The target is the source's only start page, feed or sitemap: its failure fails the whole source."""
        return self.state == "error" and (self.seed != "listing" or self.target == "/")


def _page(html: str | bytes, ctype: str | None = "text/html; charset=utf-8", **headers: str) -> Behaviour:
    body = html.encode() if isinstance(html, str) else html
    return respond(200, body, ctype, headers or None)


def _pdf_broken() -> bytes:
    return b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" + b"\x00garbage" * 200 + b"\n%%EOF\n"


def _pdf(text: str, *, password: str | None = None, title: str | None = "Integration plan 2024") -> bytes:
    """A real one-page PDF with `text` on it, optionally encrypted (pypdf writes it; no fixture file needed)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})})
    ops = ["BT /F1 11 Tf 14 TL 50 800 Td"]
    for text_line in text.split("\n"):  # an explicit line break is kept; long lines wrap at ~80 characters
        line: list[str] = []
        for word in text_line.split():
            line.append(word)
            if len(" ".join(line)) > 80:
                ops.append(f"({' '.join(line)}) Tj T*")
                line = []
        if line:
            ops.append(f"({' '.join(line)}) Tj T*")
    ops.append("ET")
    stream = DecodedStreamObject()
    stream.set_data("\n".join(ops).encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    if title:
        writer.add_metadata({"/Title": title, "/CreationDate": "D:20240115103000+01'00'"})
    if password is not None:
        writer.encrypt(user_password=password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


STORY = article_html()
GREEK_TEXT = (
    "Η περιφέρεια ενέκρινε την Τρίτη τη στρατηγική ένταξης των μεταναστών μετά από δύο χρόνια διαβουλεύσεων. "
    "Προβλέπει μαθήματα γλώσσας από τον πρώτο μήνα και αναγνώριση των προσόντων μέσα σε έξι μήνες. "
    "Κάθε δήμος θα οργανώσει πρόγραμμα καθοδήγησης με εθελοντές από την τοπική κοινωνία. "
    "Το περιφερειακό συμβούλιο θα δημοσιεύει κάθε χρόνο τα στοιχεία της προόδου ανά δήμο."
)
BIG_TEXT = (ARTICLE_TEXT + " ") * 30


CASES: tuple[Case, ...] = (
    Case("hang", "accepts, never answers",
         lambda o, x: {"/a/story.html": hang()}, "error", "timeout: no complete answer"),
    Case("robots-hang", "robots.txt never answers",
         lambda o, x: {"/robots.txt": hang()}, "error", "robots: robots.txt unreachable", target="/"),
    Case("host-down", "robots.txt answers, then 40 pages that never answer",
         lambda o, x: {"/": _page(listing_html([f"/a/{i}.html" for i in range(40)])), **{f"/a/{i}.html": hang() for i in range(40)}},
         "error", "host skipped for the rest of this run", target="/a/39.html"),
    Case("trickle", "a byte every 0.25 s (no read timeout ever trips)",
         lambda o, x: {"/a/story.html": trickle(STORY.encode())}, "error", "timeout: no complete answer"),
    Case("reset", "connection reset mid-body",
         lambda o, x: {"/a/story.html": reset_mid_body(STORY.encode())}, "error", "network:"),
    Case("status-500", "always 500",
         lambda o, x: {"/a/story.html": respond(500, b"oops", "text/plain")}, "error", "http: status 500 (gave up after"),
    Case("status-503-then-ok", "503 with Retry-After: 1, then the page",
         lambda o, x: {"/a/story.html": sequence(respond(503, b"busy", "text/plain", {"Retry-After": "1"}), _page(STORY))},
         "stored", ""),
    Case("status-503-long-retry", "503 with Retry-After: 3600",
         lambda o, x: {"/a/story.html": respond(503, b"busy", "text/plain", {"Retry-After": "3600"})},
         "error", "Retry-After 3600s is over"),
    Case("status-429", "always 429",
         lambda o, x: {"/a/story.html": respond(429, b"slow down", "text/plain", {"Retry-After": "0"})},
         "error", "http: status 429 (gave up after"),
    Case("redirect-loop", "/a/story.html -> /a/b -> /a/story.html ...",
         lambda o, x: {"/a/story.html": redirect("/a/b"), "/a/b": redirect("/a/story.html")},
         "error", "redirect: more than"),
    Case("redirect-other-host", "302 to another host",
         lambda o, x: {"/a/story.html": redirect(f"{x}/a/story.html")}, "excluded", "is not one of the source's hosts"),
    Case("redirect-javascript", "302 to javascript:",
         lambda o, x: {"/a/story.html": redirect("javascript:alert(1)")}, "error", "redirect: unusable Location"),
    Case("redirect-file", "302 to file:///etc/passwd",
         lambda o, x: {"/a/story.html": redirect("file:///etc/passwd")}, "error", "redirect: unusable Location"),
    Case("too-large-declared", "Content-Length: 50 GB",
         lambda o, x: {"/a/story.html": announce_huge(50_000_000_000)}, "error", "too_large: Content-Length"),
    Case("too-large-endless", "no Content-Length, a body that never ends",
         lambda o, x: {"/a/story.html": endless()}, "error", "too_large: body is over"),
    Case("gzip-bomb", "Content-Encoding: gzip, 200 KB expanding to 200 MB",
         lambda o, x: {"/a/story.html": gzip_bomb()}, "error", "too_large"),
    Case("no-content-type", "an article with no Content-Type",
         lambda o, x: {"/a/story.html": _page(STORY, None)}, "stored", ""),
    Case("octet-stream-html", "an article as application/octet-stream",
         lambda o, x: {"/a/story.html": _page(STORY, "application/octet-stream")}, "stored", ""),
    Case("wrong-content-type", "an article as image/jpeg",
         lambda o, x: {"/a/story.html": _page(STORY, "image/jpeg")}, "not_article", "unsupported content type image/jpeg"),
    Case("binary-as-html", "a PNG image as text/html",
         lambda o, x: {"/a/story.html": _page(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "text/html")},
         "not_article", "binary content (PNG image) served as text/html"),
    Case("invalid-utf8", "UTF-8 with stray invalid bytes",
         lambda o, x: {"/a/story.html": _page(STORY.replace("Tuesday", "Tuesday — «ok»").encode().replace(b"council", b"coun\xffcil", 1))},
         "stored", ""),
    Case("wrong-charset", "UTF-8 Greek declared as ISO-8859-1",
         lambda o, x: {"/a/story.html": _page(article_html("Στρατηγική ένταξης", GREEK_TEXT, None), "text/html; charset=iso-8859-1")},
         "stored", ""),
    Case("pdf-encrypted", "a PDF that needs a password",
         lambda o, x: {"/a/story.html": _page(_pdf(BIG_TEXT, password="secret"), "application/pdf")},
         "error", "pdf: encrypted PDF"),
    Case("pdf-broken", "a truncated, garbled PDF",
         lambda o, x: {"/a/story.html": _page(_pdf_broken(), "application/pdf")}, "error", "pdf: broken PDF"),
    Case("pdf-as-octet-stream", "a good PDF sent as application/octet-stream",
         lambda o, x: {"/a/story.html": _page(_pdf(BIG_TEXT), "application/octet-stream")}, "stored", ""),
    Case("feed-malformed", "a feed that is not XML at all",
         lambda o, x: {"/feed.xml": _page(b"<<<\x00 this is not > xml &&& at all", "application/rss+xml")},
         "error", "feed: not XML", seed="feed", target="/feed.xml"),
    Case("feed-huge", "a 5 MB feed (limit 1 MB)",
         lambda o, x: {"/feed.xml": _page(b'<?xml version="1.0"?><rss><channel>' + b"<item><link>/x</link></item>" * 200_000
                                          + b"</channel></rss>", "application/rss+xml")},
         "error", "too_large", seed="feed", target="/feed.xml"),
    Case("feed-xml-bomb", "billion laughs entity expansion",
         lambda o, x: {"/feed.xml": _page(xml_bomb(), "application/rss+xml")}, "done", "", seed="feed", target="/feed.xml"),
    Case("sitemap-self-index", "a sitemap index that lists itself",
         lambda o, x: {"/sitemap.xml": _page(sitemap_index(f"{o}/sitemap.xml", f"{o}/pages.xml"), "application/xml"),
                       "/pages.xml": _page(urlset(f"{o}/a/story.html"), "application/xml"),
                       "/a/story.html": _page(STORY)},
         "done", "", seed="sitemap", target="/sitemap.xml"),
    Case("sitemap-gzip-bomb", "a .xml.gz sitemap expanding to 200 MB",
         lambda o, x: {"/sitemap.xml.gz": _page(gzip_bomb_bytes(200_000_000), "application/gzip")},
         "error", "expands past", seed="sitemap", target="/sitemap.xml.gz"),
)


@dataclass
class RunningCases:
    """The cases served, each on its own origin, plus a bystander origin for cross-host redirects."""

    server: HostileServer
    origins: dict[str, str] = field(default_factory=dict)
    elsewhere: str = ""


def serve_cases(server: HostileServer, cases: tuple[Case, ...] = CASES) -> RunningCases:
    running = RunningCases(server)
    running.elsewhere = server.site({"/a/story.html": _page(STORY)})
    for case in cases:
        # The origin is needed inside the routes (self-referencing sitemaps): serve, then fill the table in.
        routes: dict[str, Behaviour] = {}
        origin = server.site(routes)
        routes.update(case.routes(origin, running.elsewhere))
        if case.seed == "listing":
            routes.setdefault("/", _page(listing_html([case.target])))
        running.origins[case.name] = origin
    return running


def sources_toml(running: RunningCases, cases: tuple[Case, ...] = CASES, *, defaults: str = "") -> str:
    """A sources.toml with one source per case (named h-<case>), fast timeouts and small limits."""
    out = [
        "[defaults]",
        'user_agent = "iw-hostile-test/1.0 (+https://example.org/bot)"',
        "delay = 0.0\ntimeout = 1.0\nretries = 1\nbackoff = 0.05\nmax_retry_after = 2.0\nmax_bytes = 1000000",
        "allow_private_hosts = true\nmin_chars = 200",
        defaults,
    ]
    for case in cases:
        origin = running.origins[case.name]
        key = {"listing": "start_urls", "feed": "feeds", "sitemap": "sitemaps"}[case.seed]
        seed_url = f"{origin}/" if case.seed == "listing" else f"{origin}{case.target}"
        out += ["", "[[source]]", f'name = "h-{case.name}"', f'{key} = ["{seed_url}"]', "include = ['^/a/']"]
    return "\n".join(out) + "\n"

