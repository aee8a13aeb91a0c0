"""The hostile web (issue 6): servers on 127.0.0.1 that misbehave on purpose, PDFs good and bad, pages that lie
about their type or charset, and links that would leave the source. Each time the crawl finishes in bounded
time, records the page with a clear error or reason, leaves the other sources alone, and says what failed in
its summary and exit status.

The servers are raw asyncio (tests/hostile_server.py); the crawl is the real one, through the CLI, into a
real SQLite file.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from hostile_server import (
    CASES, STORY, Case, HostileServer, hang, listing_html, respond,
    serve_cases, sources_toml,
)
from integration_watch.cli import main
from integration_watch.config import Settings
from integration_watch.content import decode_body
from integration_watch.fetch import HOST_DOWN_AFTER, Fetcher
from integration_watch.fixtures import FixtureSites

CPMR_ARTICLES = [e for e in json.loads((FIXTURES / "expected.json").read_text())
                 if e["site"] == "cpmr" and e["kind"] == "article"]
SEED_CASES = {c.name for c in CASES if c.source_fails}


def cpmr_source(sites: FixtureSites) -> str:
    return (f'\n[[source]]\nname = "cpmr-news"\nfeeds = ["{sites.origins["cpmr"]}/feed.rss"]\n'
            "include = ['^/news/[^/?]+\\.html$']\nlanguages = [\"en\"]\n")


@pytest.fixture(scope="module")
def hostile_run(sites: FixtureSites, tmp_path_factory: pytest.TempPathFactory):
    """Every hostile case as its own source, plus a well-behaved one (cpmr-news), crawled in one CLI run."""
    tmp = tmp_path_factory.mktemp("hostile")
    with HostileServer() as server:
        running = serve_cases(server)
        sources = tmp / "sources.toml"
        sources.write_text(sources_toml(running) + cpmr_source(sites))
        db = tmp / "hostile.db"
        started = time.monotonic()
        result = CliRunner().invoke(main, ["--db", str(db), "crawl", "--sources", str(sources), "--format", "json",
                                           "--workers", "2"])
        elapsed = time.monotonic() - started
        yield running, db, result, elapsed


def page(db: Path, url: str) -> dict[str, Any] | None:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    row = conn.execute("SELECT * FROM pages WHERE url = ?", (url,)).fetchone()
    return dict(row) if row else None


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_hostile_case_is_recorded_with_a_clear_outcome(hostile_run, case: Case) -> None:
    running, db, _, _ = hostile_run
    row = page(db, running.origins[case.name] + case.target)
    assert row is not None, f"{case.name}: the page was never recorded"
    assert row["state"] == case.state, row
    assert case.says in (row["error"] or "") + (row["reason"] or ""), row
    if case.state == "stored":
        assert row["article_id"] is not None
    if case.state == "error":
        assert row["error"] and row["article_id"] is None


def test_the_run_finishes_in_bounded_time_and_says_what_failed(hostile_run) -> None:
    running, db, result, elapsed = hostile_run
    # The slowest case is the trickle: (retries + 1) attempts × the 3 × timeout transfer deadline = 6 s.
    assert elapsed < 60, f"the hostile crawl took {elapsed:.0f}s"
    assert result.exit_code == 1, result.output  # some sources failed entirely: their only feed/sitemap was bad
    report = json.loads(result.stdout)
    failed = {name.removeprefix("h-") for name, r in report["sources"].items() if r["failed"]}
    assert failed == SEED_CASES
    for case in CASES:
        r = report["sources"][f"h-{case.name}"]
        if case.state == "error":
            assert running.origins[case.name] + case.target in [e["url"] for e in r["errors"]], r
        elif case.state == "stored":
            assert r["new"] == 1 and not r["errors"], r
        elif case.state == "excluded":
            assert r["excluded"] == 1 and not r["errors"], r
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT status FROM runs ORDER BY id LIMIT 1").fetchone()[0] == "failed"
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_the_text_summary_lists_every_failure(hostile_run, tmp_path: Path) -> None:
    running, db, _, _ = hostile_run
    # A second run over the same corpus, as cron would do it: failures are listed again on stderr.
    sources = db.parent / "sources.toml"
    result = CliRunner().invoke(main, ["--db", str(db), "crawl", "--sources", str(sources), "--quiet",
                                       "--source", "h-status-500", "--source", "h-feed-malformed"])
    assert result.exit_code == 1
    err = result.stderr
    assert "h-status-500: " + running.origins["status-500"] + "/a/story.html: http: status 500" in err
    assert "h-feed-malformed: FAILED" in err and "Traceback" not in err


def test_other_sources_are_unaffected(hostile_run) -> None:
    running, db, result, _ = hostile_run
    report = json.loads(result.stdout)
    assert report["sources"]["cpmr-news"]["new"] == len(CPMR_ARTICLES)
    assert report["sources"]["cpmr-news"]["errors"] == []
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM articles WHERE source = 'cpmr-news'").fetchone()[0] == len(CPMR_ARTICLES)


def test_redirects_never_leave_the_source(hostile_run) -> None:
    running, db, _, _ = hostile_run
    assert running.server.requests_to(running.elsewhere) == []
    conn = sqlite3.connect(db)
    urls = [u for (u,) in conn.execute("SELECT url FROM pages WHERE source LIKE 'h-%'")]
    assert all(any(u.startswith(o + "/") for o in running.origins.values()) for u in urls)


def test_retries_next_run_only_what_may_pass(hostile_run) -> None:
    """Timeouts, resets, 429 and 5xx are tried again by the next run; a broken PDF or a redirect loop is not."""
    running, db, _, _ = hostile_run
    from integration_watch.corpus import Corpus

    with Corpus(db, readonly=True) as corpus:
        pending = {p.url for name in ("h-hang", "h-reset", "h-status-500", "h-status-429", "h-pdf-broken")
                   for p in corpus.pages.pending(name)}
    for name in ("hang", "reset", "status-500", "status-429"):
        assert running.origins[name] + "/a/story.html" in pending, name
    assert running.origins["pdf-broken"] + "/a/story.html" not in pending


def test_stored_hostile_pages_have_the_right_text(hostile_run) -> None:
    running, db, _, _ = hostile_run
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row

    def article(case: str) -> sqlite3.Row:
        row = conn.execute("SELECT a.* FROM pages p JOIN articles a ON a.id = p.article_id WHERE p.url = ?",
                           (running.origins[case] + "/a/story.html",)).fetchone()
        assert row is not None, case
        return row

    # UTF-8 with a stray byte stays UTF-8 (the dash and guillemets intact), one replacement character at most
    text = article("invalid-utf8")["text"]
    assert "Tuesday — «ok»" in text and text.count("\ufffd") <= 1
    # UTF-8 Greek labelled ISO-8859-1 is read as UTF-8, and detected as Greek
    greek = article("wrong-charset")
    assert "στρατηγική ένταξης" in greek["text"] and greek["lang"] == "el"
    pdf = article("pdf-as-octet-stream")
    assert pdf["title"] == "Integration plan 2024" and pdf["published"].startswith("2024-01-15") and pdf["lang"] == "en"


# --- hosts that are down, and scope -----------------------------------------------------------------


def crawl_cli(db: Path, sources: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(main, ["--db", str(db), "crawl", "--sources", str(sources), "--format", "json",
                                       "--workers", "1", *args])
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else {}, result.stderr


FAST = ('[defaults]\ndelay = 0.0\ntimeout = 0.5\nretries = 1\nbackoff = 0.05\nallow_private_hosts = true\n'
        'user_agent = "iw-hostile-test/1.0"\n')


def test_a_host_that_stops_answering_is_given_up_for_the_run(tmp_path: Path) -> None:
    """robots.txt answers, every page hangs: after HOST_DOWN_AFTER silent attempts the other pages fail at
    once (without this, 40 pages × 2 attempts × the timeout), and they stay queued for the next run."""
    with HostileServer() as server:
        routes = {"/": respond(200, listing_html([f"/a/{i}.html" for i in range(40)]))}
        routes.update({f"/a/{i}.html": hang() for i in range(40)})
        origin = server.site(routes)
        sources = tmp_path / "s.toml"
        sources.write_text(FAST + f'[[source]]\nname = "down"\nstart_urls = ["{origin}/"]\ninclude = ["^/a/"]\n')
        started = time.monotonic()
        code, report, _ = crawl_cli(tmp_path / "c.db", sources)
        elapsed = time.monotonic() - started
        page_requests = [r for r in server.requests_to(origin) if r.path.startswith("/a/")]
    assert code == 3
    errors = report["sources"]["down"]["errors"]
    assert len(errors) == 40
    assert len(page_requests) <= HOST_DOWN_AFTER
    assert sum("host skipped for the rest of this run" in e["error"] for e in errors) >= 40 - HOST_DOWN_AFTER
    assert elapsed < 30  # 40 × 2 × 0.5 s = 40 s without the give-up
    from integration_watch.corpus import Corpus

    with Corpus(tmp_path / "c.db", readonly=True) as corpus:
        assert len([p for p in corpus.pages.pending("down") if p.role == "article"]) == 40  # tried again next run


def test_links_out_of_scope_are_never_followed(tmp_path: Path) -> None:
    with HostileServer() as server:
        routes: dict[str, Any] = {}
        origin = server.site(routes)
        port = origin.rsplit(":", 1)[1]
        links = [
            "file:///etc/passwd", "javascript:alert(1)", "mailto:press@example.org", "data:text/html,<p>x</p>",
            "ftp://127.0.0.1/a/x.html", "http://10.1.2.3/a/x.html", f"http://localhost:{port}/a/x.html",
            f"http://[::1]:{port}/a/x.html", f"http://2130706433:{port}/a/x.html", "http://169.254.169.254/a/meta",
            f"http://127.0.0.2:{port}/a/x.html", "//evil.example/a/x.html", "/a/inside.html",
        ]
        routes["/"] = respond(200, listing_html(links))
        routes["/a/inside.html"] = respond(200, STORY.encode())
        sources = tmp_path / "s.toml"
        sources.write_text(FAST + f'[[source]]\nname = "scoped"\nstart_urls = ["{origin}/"]\ninclude = ["^/a/"]\n')
        code, report, _ = crawl_cli(tmp_path / "c.db", sources)
        paths = sorted(r.path for r in server.requests_to(origin))
    assert code == 0 and report["sources"]["scoped"]["new"] == 1
    assert paths == ["/", "/a/inside.html", "/robots.txt"]
    urls = [u for (u,) in sqlite3.connect(tmp_path / "c.db").execute("SELECT url FROM pages")]
    assert sorted(urls) == [f"{origin}/", f"{origin}/a/inside.html"]


def _private_name() -> str | None:
    """A host name other than localhost that /etc/hosts maps to a loopback or private address (no DNS query)."""
    import ipaddress

    try:
        lines = Path("/etc/hosts").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.split("#", 1)[0].split()
        if len(fields) < 2:
            continue
        try:
            address = ipaddress.ip_address(fields[0])
        except ValueError:
            continue
        if address.version == 4 and not address.is_global:
            for name in fields[1:]:
                if name != "localhost" and not name.endswith((".localhost", ".local", ".internal")):
                    return name
    return None


def test_private_addresses_are_refused_unless_allowed(tmp_path: Path) -> None:
    """With allow_private_hosts = false (the default), a loopback start URL is refused before any request, and
    the source is reported failed (not silently empty). A name that resolves to a private address too."""
    with HostileServer() as server:
        origin = server.site({"/": respond(200, listing_html(["/a/x.html"]))})
        port = origin.rsplit(":", 1)[1]
        name = _private_name()
        seeds = [f"{origin}/"] + ([f"http://{name}:{port}/"] if name else [])
        toml = "".join(f'\n[[source]]\nname = "p{i}"\nstart_urls = ["{u}"]\n' for i, u in enumerate(seeds))
        sources = tmp_path / "s.toml"
        sources.write_text(FAST.replace("allow_private_hosts = true", "allow_private_hosts = false") + toml)
        code, report, _ = crawl_cli(tmp_path / "c.db", sources)
        assert server.requests == []
    assert code == 1
    assert report["sources"]["p0"]["failed"]
    assert "private or loopback address" in report["sources"]["p0"]["errors"][0]["error"]
    if name:
        assert report["sources"]["p1"]["failed"]
        assert f"{name} resolves to the private or loopback address" in report["sources"]["p1"]["errors"][0]["error"]


# --- memory: a gzip bomb is stopped before it is in memory ---------------------------------------------


_MEMORY_PROBE = """
import asyncio, resource, sys
sys.path.insert(0, {tests!r})
from hostile_server import HostileServer, respond, gzip_bomb_bytes
from integration_watch.config import Settings
from integration_watch.fetch import Fetcher
bomb = gzip_bomb_bytes(300_000_000)
with HostileServer() as server:
    origin = server.site({{"/bomb": respond(200, bomb, "text/html", {{"Content-Encoding": "gzip"}}),
                           "/small": respond(200, b"<p>x</p>" * 1000, "text/html")}})
    s = Settings(delay=0, timeout=10, allow_private_hosts=True, obey_robots=False, max_bytes=1_000_000)

    async def get(path):
        async with Fetcher(s) as fetcher:
            return await fetcher.fetch(origin + path, settings=s)

    asyncio.run(get("/small"))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = asyncio.run(get("/bomb"))
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(result.error)
print((after - before) // 1024)
"""


def test_a_gzip_bomb_costs_no_more_memory_than_the_limit(tmp_path: Path) -> None:
    """300 MB of zeros, 300 KB gzipped, against a 1 MB limit: the peak RSS of the fetching process grows by a few
    MB (it grew by over 100 MB when httpx inflated each network read whole)."""
    probe = _MEMORY_PROBE.format(tests=str(Path(__file__).parent))
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    error, growth_mb = out.stdout.strip().splitlines()[-2:]
    assert error.startswith("too_large")
    assert int(growth_mb) < 40, f"peak RSS grew by {growth_mb} MB"


# --- decoding ----------------------------------------------------------------------------------------


def test_charset_labels_that_lie_and_stray_bytes() -> None:
    greek = "Ολοκληρωμένη στρατηγική για την ένταξη των μεταναστών"
    assert decode_body(f"<p>{greek}</p>".encode(), "text/html; charset=iso-8859-1") == f"<p>{greek}</p>"
    assert decode_body(f'<meta charset="windows-1252"><p>{greek}</p>'.encode(), None).endswith(f"<p>{greek}</p>")
    broken = f"<p>{greek} \xff done</p>".encode().replace("\xc3\xbf".encode("latin-1"), b"\xff")
    text = decode_body(broken, "text/html; charset=utf-8")
    assert greek in text and text.count("\ufffd") == 1
    # UTF-16 labelled in the header is not mistaken for UTF-8 (its ASCII is valid UTF-8 with NULs)
    assert decode_body("<p>plain ascii</p>".encode("utf-16-le"), "text/html; charset=utf-16le") == "<p>plain ascii</p>"
    assert decode_body(b"\xef\xbb\xbf<p>bom</p>", "text/html; charset=iso-8859-1") == "<p>bom</p>"


def test_deflate_with_and_without_zlib_header_and_broken_gzip(tmp_path: Path) -> None:
    import zlib

    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    raw_body = raw.compress(STORY.encode()) + raw.flush()
    with HostileServer() as server:
        origin = server.site({
            "/zlib": respond(200, zlib.compress(STORY.encode()), "text/html", {"Content-Encoding": "deflate"}),
            "/raw": respond(200, raw_body, "text/html", {"Content-Encoding": "deflate"}),
            "/broken": respond(200, b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\xff" * 50, "text/html",
                               {"Content-Encoding": "gzip"}),
            "/br": respond(200, b"\x0b\x02\x80hello\x03", "text/html", {"Content-Encoding": "br"}),
        })
        s = Settings(delay=0, timeout=5, retries=0, allow_private_hosts=True, obey_robots=False)

        async def run() -> list[Any]:
            async with Fetcher(s) as fetcher:
                return [await fetcher.fetch(f"{origin}/{p}", settings=s) for p in ("zlib", "raw", "broken", "br")]

        zlib_r, raw_r, broken_r, br_r = asyncio.run(run())
    assert zlib_r.ok and zlib_r.body == STORY.encode()
    assert raw_r.ok and raw_r.body == STORY.encode()
    assert broken_r.error is not None and broken_r.error.startswith("http: broken compressed body")
    assert br_r.error == "http: unsupported Content-Encoding 'br'"


# --- bad input from people ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_corpus(sites: FixtureSites, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("bad-input")
    sources = tmp / "sources.toml"
    sources.write_text(FAST + cpmr_source(sites))
    result = CliRunner().invoke(main, ["--db", str(tmp / "c.db"), "crawl", "--sources", str(sources), "--quiet"])
    assert result.exit_code == 0, result.output
    return tmp / "c.db"


def one_clear_line(result: Any) -> str:
    """The CLI's answer to bad input: exit status 2, one line on stderr, no traceback, nothing on stdout."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in result.output, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["search", "integration AND"], "query"),
        (["search", "(integration OR"], "query"),
        (["search", "NEAR("], ""),  # punctuation is not FTS syntax: either a clear error or no matches
        (["search", '"'], "query"),
        (["search", "AND OR NOT"], "AND needs a word"),
        (["search", "title:"], "'title:' needs a word"),
        (["search", "x" * 5000], "query"),
        (["search", "integration " * 2000], "query"),
        (["search", "x", "--since", "2021-02-30"], "cannot read the date '2021-02-30'"),
        (["search", "x", "--until", "7x"], "cannot read the date '7x'"),
        (["search", "x", "--since", "99999-01-01"], "cannot read the date"),
        (["show", "424242"], "no article with id 424242"),
        (["show", "99999999999999999999"], "no article with id 99999999999999999999"),
        (["show", "--", "-1"], "no article with id -1"),
    ],
)
def test_bad_queries_dates_and_ids_get_one_clear_line(small_corpus: Path, args: list[str], says: str) -> None:
    result = CliRunner().invoke(main, ["--db", str(small_corpus), *args])
    if args[1] == "NEAR(" and result.exit_code == 0:
        return
    assert says in one_clear_line(result)


BAD_SOURCES = [
    ('[[source]\nname = "a"', "TOML syntax error"),
    ('[defaults]\nspeed = 3\n[[source]]\nname = "a"\nfeeds = ["https://x.eu/f"]', "[defaults]: unknown key 'speed'"),
    ('[[source]]\nname = "a"\nfeeds = "https://x.eu/f"\ntimeout = "20s"', "source 'a': key 'timeout' must be float"),
    ('[[source]]\nname = "a"\nfeeds = ["https://x.eu/f"]\nexclude = ["*.pdf"]', "source 'a': key 'exclude': bad regular expression"),
    ('[[source]]\nname = "a"\ninclude = ["^/news/"]', "source 'a': no way to discover pages"),
    ('[[source]]\nname = "a"\nstart_urls = ["javascript:alert(1)"]', "is not an http(s) URL"),
    ('[[source]]\nname = "a"\nstart_urls = ["file:///etc/passwd"]', "is not an http(s) URL"),
    ('source = 3', "sources must be [[source]] tables"),
    ('[defaults]\nallow_private_hosts = "yes"\n[[source]]\nname = "a"\nfeeds = ["https://x.eu/f"]', "must be bool"),
]


@pytest.mark.parametrize(("text", "says"), BAD_SOURCES, ids=[s for _, s in BAD_SOURCES])
def test_malformed_sources_toml_gets_one_line_naming_the_place(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(text)
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "c.db"), "crawl", "--sources", str(path)])
    line = one_clear_line(result)
    assert says in line and str(path) in line
    assert not (tmp_path / "c.db").exists()  # nothing is created for a crawl that cannot start


def test_sources_toml_that_is_not_text_or_names_an_unknown_source(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_bytes(b'[[source]]\nname = "caf\xe9"\n')
    assert "not UTF-8" in one_clear_line(CliRunner().invoke(main, ["--db", str(tmp_path / "c.db"), "crawl", "--sources", str(path)]))
    path.write_text('[[source]]\nname = "a"\nfeeds = ["https://x.eu/f"]\n')
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "c.db"), "crawl", "--sources", str(path), "--source", "b"])
    assert "no source named 'b' (known: a)" in one_clear_line(result)


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    db.write_bytes(b"this is a text file, not SQLite " * 100)
    for args in (["search", "x"], ["stats"], ["show", "1"]):
        assert "not a database" in one_clear_line(CliRunner().invoke(main, ["--db", str(db), *args]))
    path = tmp_path / "sources.toml"
    path.write_text('[[source]]\nname = "a"\nfeeds = ["https://x.eu/f"]\n')
    assert "not a database" in one_clear_line(CliRunner().invoke(main, ["--db", str(db), "crawl", "--sources", str(path)]))
    assert db.read_bytes() == b"this is a text file, not SQLite " * 100


@pytest.mark.parametrize(
    ("url", "private"),
    [
        ("http://127.0.0.1/", True), ("http://2130706433/", True), ("http://0x7f.1/", True), ("http://127.1/", True),
        ("http://0177.0.0.1/", True), ("http://[::ffff:127.0.0.1]/", True), ("http://[::1]/", True),
        ("http://169.254.169.254/latest", True), ("http://10.0.0.1:8080/", True), ("http://printer.local/", True),
        ("http://93.184.216.34/", False), ("https://cor.europa.eu/el/events", False), ("http://1.2.3.4/", False),
    ],
)
def test_private_hosts_are_recognised_in_every_spelling(url: str, private: bool) -> None:
    from integration_watch.urls import is_private_host

    assert is_private_host(url) is private
