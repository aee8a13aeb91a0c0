"""robots.txt as RFC 9309 says: every case is served by a real server on 127.0.0.1 and fetched by the real
fetcher, and the server's request log must show that nothing disallowed was ever asked for."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from conftest import crawl_one_source, run
from hostile_server import HostileServer, article_html, listing_html, redirect, respond, urlset
from integration_watch.config import Settings
from integration_watch.fetch import Fetcher, FetchResult
from integration_watch.fixtures import FixtureSites
from integration_watch.urls import host_of, normalize_url

AGENT = "iw-test/1.0 (+https://example.org/bot)"  # product token "iw-test"
FAST = Settings(delay=0.0, timeout=5.0, backoff=0.05, retries=1, allow_private_hosts=True, user_agent=AGENT)
PAGE = respond(200, b"<html><body><p>A page.</p></body></html>")


def text(body: str | bytes) -> object:
    return respond(200, body if isinstance(body, bytes) else body.encode(), "text/plain")


def fetch_paths(server: HostileServer, routes: dict[str, object], paths: list[str],
                settings: Settings = FAST) -> tuple[str, dict[str, FetchResult]]:
    """Serve `routes` (+ a page at each of `paths`), fetch every path in one Fetcher; origin and results."""
    table = {p.split("#")[0]: PAGE for p in paths} | routes
    origin = server.site(table)  # type: ignore[arg-type]

    async def go() -> list[FetchResult]:
        async with Fetcher(settings) as fetcher:
            return [await fetcher.fetch(normalize_url(origin + p) or "") for p in paths]

    return origin, dict(zip(paths, asyncio.run(go())))


def requested(server: HostileServer, origin: str) -> set[str]:
    return {r.path for r in server.requests_to(origin)}


# Each defect of urllib.robotparser found in the issue, and each RFC 9309 rule: the robots.txt served, then
# paths with whether they may be fetched. With urllib's parser every case here fetched something forbidden
# (or, for "prefix-named group", wrongly refused a page).
CASES: dict[str, tuple[bytes, list[tuple[str, bool]]]] = {
    "byte-order mark": (b"\xef\xbb\xbfUser-agent: *\nDisallow: /private/\n",
                        [("/private/a.html", False), ("/public/a.html", True)]),
    "blank line inside a group": (b"User-agent: *\n\nDisallow: /private/\n",
                                  [("/private/a.html", False), ("/a.html", True)]),
    "* wildcard, longest match wins": (b"User-agent: *\nAllow: /page\nDisallow: /*.htm\n",
                                       [("/page.htm", False), ("/page", True), ("/pages/x", True)]),
    "$ anchors the end": (b"User-agent: *\nDisallow: /foo/bar$\n",
                          [("/foo/bar", False), ("/foo/bar/", True), ("/foo/barn", True)]),
    "longest match, not first match": (b"User-agent: *\nDisallow: /\nAllow: /fish\n",
                                       [("/fish", True), ("/fish/salmon.html", True), ("/cat", False)]),
    "groups for one agent are merged": (
        b"User-agent: iw-test\nDisallow: /a/\n\nUser-agent: *\nDisallow: /\n\nUser-agent: iw-test\nDisallow: /b/\n",
        [("/a/x.html", False), ("/b/x.html", False), ("/c/x.html", True)]),
    "percent-encoded rule matches the encoded path": (b"User-agent: *\nDisallow: /caf%C3%A9/\n",
                                                      [("/caf\u00e9/menu.html", False), ("/cafe/menu.html", True)]),
    "UTF-8 rule matches the encoded path": ("User-agent: *\nDisallow: /caf\u00e9/\n".encode(),
                                            [("/caf%C3%A9/menu.html", False), ("/cafe/menu.html", True)]),
    "prefix-named group is not ours": (b"User-agent: iw\nDisallow: /\n\nUser-agent: *\nDisallow: /x/\n",
                                       [("/a.html", True), ("/x/a.html", False)]),
    "our group by product token, any case": (b"User-agent: *\nDisallow: /\n\nUser-agent: IW-Test\nDisallow: /x/\n",
                                             [("/a.html", True), ("/x/a.html", False)]),
    "query strings are matched too": (b"User-agent: *\nDisallow: /*?print=\n",
                                      [("/a.html?print=1", False), ("/a.html?page=2", True)]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_robots_rules_through_the_fetcher(name: str) -> None:
    robots_txt, expectations = CASES[name]
    with HostileServer() as server:
        origin, results = fetch_paths(server, {"/robots.txt": text(robots_txt)}, [p for p, _ in expectations])
        log = requested(server, origin)
    for path, allowed in expectations:
        result = results[path]
        path_sent = result.url.removeprefix(origin)
        if allowed:
            assert result.ok, f"{path}: {result.error}"
        else:
            assert result.error == "robots: disallowed by robots.txt", path
            assert path_sent not in log, f"{path} was requested although robots.txt forbids it"
    assert len(server.requests_to(origin, "/robots.txt")) == 1  # read once for every page of the host


def test_a_redirected_robots_txt_is_followed_for_five_hops_even_to_another_host() -> None:
    with HostileServer() as server:
        rules = server.site({"/rules.txt": text("User-agent: *\nDisallow: /private/\n")})
        hops = {"/robots.txt": redirect("/r1", 301), "/r1": redirect("/r2"), "/r2": redirect("/r3", 307),
                "/r3": redirect("/r4", 308), "/r4": redirect(f"{rules}/rules.txt")}
        origin, results = fetch_paths(server, hops, ["/private/a.html", "/open.html"])
        log = requested(server, origin)
    assert results["/private/a.html"].error == "robots: disallowed by robots.txt"
    assert results["/open.html"].ok
    assert "/private/a.html" not in log


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
def test_a_4xx_robots_txt_allows_everything(status: int) -> None:
    with HostileServer() as server:
        _, results = fetch_paths(server, {"/robots.txt": respond(status, b"no")}, ["/a.html"])
    assert results["/a.html"].ok


@pytest.mark.parametrize("answer", [respond(500, b"oops"), respond(503, b"busy"), respond(429, b"slow down")])
def test_a_5xx_or_unreachable_robots_txt_disallows_the_whole_host_for_the_run(answer: object) -> None:
    with HostileServer() as server:
        origin, results = fetch_paths(server, {"/robots.txt": answer}, ["/a.html", "/b.html"])
        log = requested(server, origin)
    assert log == {"/robots.txt"}
    for result in results.values():
        assert result.error is not None and result.error.startswith("robots: robots.txt unreachable")
        assert "host skipped this run" in result.error


def test_a_robots_txt_is_kept_at_most_24_hours() -> None:
    now = [1000.0]
    with HostileServer() as server:
        origin = server.site({"/robots.txt": text("User-agent: *\nDisallow: /private/\n"), "/a.html": PAGE})

        async def go() -> None:
            async with Fetcher(FAST, clock=lambda: now[0]) as fetcher:
                assert (await fetcher.fetch(f"{origin}/a.html")).ok
                now[0] += 23 * 3600
                assert (await fetcher.fetch(f"{origin}/a.html")).ok
                assert len(server.requests_to(origin, "/robots.txt")) == 1
                now[0] += 3600
                assert (await fetcher.fetch(f"{origin}/private/x.html")).error == "robots: disallowed by robots.txt"
                assert len(server.requests_to(origin, "/robots.txt")) == 2

        asyncio.run(go())


# --- a whole crawl -----------------------------------------------------------------------------------

ROBOTS = """User-agent: *
Disallow: /news/drafts/
Disallow: /*.pdf$
Allow: /news/drafts/published-*.html
Disallow: /search

Sitemap: {origin}/site/map.xml
"""


def test_a_crawl_never_requests_a_disallowed_url_and_finds_sitemaps_through_robots_txt(tmp_path: Path) -> None:
    """A source with only a start page: the sitemap named in robots.txt is read too, and of the pages the
    listing and the sitemap name, the disallowed ones are never requested (checked on the server's log)."""
    allowed = ["/news/a.html", "/news/drafts/published-b.html", "/news/c.html", "/news/report.pdf.html"]
    disallowed = ["/news/drafts/d.html", "/news/e.pdf", "/search?q=integration", "/searching/f.html"]
    with HostileServer() as server:
        routes: dict[str, object] = {}
        origin = server.site(routes)  # type: ignore[arg-type]
        routes["/robots.txt"] = text(ROBOTS.format(origin=origin))
        routes["/news/"] = respond(200, listing_html(allowed[:2] + disallowed[:3]))
        routes["/site/map.xml"] = respond(200, urlset(*(origin + p for p in allowed[2:] + disallowed[3:])),
                                          "application/xml")
        for i, path in enumerate(allowed + disallowed):
            routes[path] = respond(200, article_html(title=f"Integration story number {i}").encode())
        report = crawl_one_source(tmp_path, f'name = "site"\nstart_urls = ["{origin}/news/"]\n'
                                            f'include = ["^/(news|search)"]', user_agent=AGENT)
        log = [r.path for r in server.requests_to(origin)]
    assert "/site/map.xml" in log
    for path in disallowed:
        assert path not in log, f"{path} was requested although robots.txt forbids it"
    for path in allowed:
        assert path in log
    site = report.sources["site"]
    assert site.new == len(allowed) and site.excluded == len(disallowed)


def test_an_unreachable_robots_txt_is_said_in_the_source_summary(tmp_path: Path) -> None:
    with HostileServer() as server:
        origin = server.site({"/robots.txt": respond(503, b"busy"), "/news/": PAGE})
        sources = tmp_path / "sources.toml"
        sources.write_text(f'[defaults]\ndelay = 0.0\ntimeout = 5.0\nretries = 1\nbackoff = 0.05\n'
                           f'allow_private_hosts = true\n\n[[source]]\nname = "down"\nstart_urls = ["{origin}/news/"]\n')
        code, _, err = run(tmp_path / "c.db", "crawl", "--sources", str(sources), "--no-translate")
        log = requested(server, origin)
    assert code == 1
    assert log == {"/robots.txt"}
    host = host_of(origin + "/")
    assert f"down: robots.txt of {host} could not be read" in err and "nothing was fetched from it" in err


def test_the_crawl_delay_of_our_own_group_spaces_requests(tmp_path: Path) -> None:
    robots_txt = "User-agent: *\nCrawl-delay: 3\n\nUser-agent: iw-test\nCrawl-delay: 0.4\n"
    site = tmp_path / "a"
    site.mkdir()
    (site / "robots.txt").write_text(robots_txt)
    for name in "abc":
        (site / f"{name}.html").write_text("<html><body><p>A page.</p></body></html>")
    with FixtureSites(tmp_path) as sites:

        async def go() -> None:
            async with Fetcher(FAST) as fetcher:
                for name in "abc":
                    assert (await fetcher.fetch(f"{sites.origins['a']}/{name}.html")).ok

        asyncio.run(go())
        times = [r.time for r in sites.requests_for("a") if r.path != "/robots.txt"]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert all(0.37 <= gap < 2.9 for gap in gaps), gaps  # 0.4 s (ours, fractions kept), not the * group's 3 s


def test_of_a_robots_txt_over_500_kib_the_first_500_kib_are_obeyed() -> None:
    padding = b"# a long comment line to make the file large\n" * 20_000  # about 900 KB
    robots_txt = b"User-agent: *\nDisallow: /private/\n" + padding + b"Disallow: /late/\n"
    with HostileServer() as server:
        origin, results = fetch_paths(server, {"/robots.txt": text(robots_txt)},
                                      ["/private/a.html", "/late/a.html", "/a.html"])
        log = requested(server, origin)
    assert results["/private/a.html"].error == "robots: disallowed by robots.txt"
    assert "/private/a.html" not in log
    assert results["/late/a.html"].ok and results["/a.html"].ok  # past the first 500 KiB: not read
