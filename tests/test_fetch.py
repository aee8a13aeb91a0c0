"""Fetching against real HTTP servers on 127.0.0.1: politeness, conditional requests, retries, limits, decoding."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from integration_watch.config import Settings
from integration_watch.content import decode_body
from integration_watch.fetch import Fetcher, FetchResult, Validators
from integration_watch.fixtures import FixtureSites

FAST = Settings(delay=0.0, timeout=5.0, backoff=0.05, allow_private_hosts=True, user_agent="iw-test/1.0 (+https://example.org/bot)")


def make_sites(root: Path, files: dict[str, dict[str, str | bytes]]) -> FixtureSites:
    for site, entries in files.items():
        for rel, content in entries.items():
            path = root / site / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return FixtureSites(root)


def fetch_all(settings: Settings, urls: list[str], **kwargs: object) -> list[FetchResult]:
    async def run() -> list[FetchResult]:
        async with Fetcher(settings) as fetcher:
            return list(await asyncio.gather(*(fetcher.fetch(u, settings=settings, **kwargs) for u in urls)))

    return asyncio.run(run())


PAGE = "<html><body><p>An article.</p></body></html>"


def test_robots_disallow_is_obeyed_and_the_user_agent_is_honest(tmp_path: Path) -> None:
    files = {"a": {"robots.txt": "User-agent: *\nDisallow: /private/\n", "private/x.html": PAGE, "news/y.html": PAGE}}
    with make_sites(tmp_path, files) as sites:
        origin = sites.origins["a"]
        blocked, allowed = fetch_all(FAST, [f"{origin}/private/x.html", f"{origin}/news/y.html"])
        assert blocked.error is not None and blocked.error.startswith("robots: disallowed")
        assert allowed.ok and b"An article." in allowed.body
        assert sites.requests_for("a", "/private/x.html") == []
        assert all(r.headers["user-agent"] == FAST.user_agent for r in sites.requests_for("a"))


def test_crawl_delay_and_per_host_delay_space_requests_but_hosts_run_in_parallel(tmp_path: Path) -> None:
    files = {
        "slow": {"robots.txt": "User-agent: *\nCrawl-delay: 0.6\n", **{f"p{i}.html": PAGE for i in range(3)}},
        "other": {f"p{i}.html": PAGE for i in range(3)},
    }
    with make_sites(tmp_path, files) as sites:
        urls = [f"{sites.origins[s]}/p{i}.html" for s in ("slow", "other") for i in range(3)]
        results = fetch_all(replace(FAST, delay=0.3), urls)
        assert all(r.ok for r in results)
        slow = [r.time for r in sites.requests_for("slow") if r.path != "/robots.txt"]
        other = [r.time for r in sites.requests_for("other") if r.path != "/robots.txt"]
        # Never closer than the robots Crawl-delay (0.6 s, fractions honoured) on one host...
        assert all(b - a >= 0.57 for a, b in zip(slow, slow[1:]))
        assert all(b - a >= 0.27 for a, b in zip(other, other[1:]))
        # ...while the other host is served meanwhile, not after the slow one has finished.
        assert other[1] < slow[-1]


def test_recrawl_sends_conditional_requests_and_gets_304(tmp_path: Path) -> None:
    with make_sites(tmp_path, {"a": {"n.html": PAGE}}) as sites:
        url = f"{sites.origins['a']}/n.html"
        (first,) = fetch_all(FAST, [url])
        assert first.ok and first.etag and first.last_modified
        (second,) = fetch_all(FAST, [url], validators=Validators(first.etag, first.last_modified))
        assert second.not_modified and second.body == b""
        last = sites.requests_for("a", "/n.html")[-1]
        assert last.headers["if-none-match"] == first.etag
        assert last.headers["if-modified-since"] == first.last_modified


def test_503_with_retry_after_and_429_are_retried(tmp_path: Path) -> None:
    with make_sites(tmp_path, {"a": {"x.html": PAGE, "y.html": PAGE}}) as sites:
        sites.fail("a", "/x.html", 503, headers={"Retry-After": "1"})
        sites.fail("a", "/y.html", 429, times=2)
        x, y = fetch_all(FAST, [f"{sites.origins['a']}/x.html", f"{sites.origins['a']}/y.html"])
        assert x.ok and x.attempts == 2
        assert y.ok and y.attempts == 3
        statuses = [r.status for r in sites.requests_for("a", "/x.html")]
        assert statuses == [503, 200]
        gap = sites.requests_for("a", "/x.html")[1].time - sites.requests_for("a", "/x.html")[0].time
        assert gap >= 0.95  # Retry-After: 1 was honoured


def test_retries_give_up_with_a_clear_error(tmp_path: Path) -> None:
    with make_sites(tmp_path, {"a": {"x.html": PAGE, "z.html": PAGE}}) as sites:
        sites.fail("a", "/x.html", 500, times=10)
        sites.fail("a", "/z.html", 503, headers={"Retry-After": "3600"})
        x, z = fetch_all(replace(FAST, retries=2), [f"{sites.origins['a']}/x.html", f"{sites.origins['a']}/z.html"])
        assert x.error == "http: status 500 (gave up after 3 attempts)"
        assert z.error is not None and "Retry-After 3600s is over" in z.error
        assert len(sites.requests_for("a", "/z.html")) == 1


def test_redirects_stay_in_scope_and_are_bounded(tmp_path: Path) -> None:
    with make_sites(tmp_path, {"a": {"final.html": PAGE}, "b": {"x.html": PAGE}}) as sites:
        a, b = sites.origins["a"], sites.origins["b"]
        sites.fail("a", "/moved.html", 301, headers={"Location": "/final.html"})
        sites.fail("a", "/away.html", 302, headers={"Location": f"{b}/x.html"})
        sites.fail("a", "/loop.html", 302, headers={"Location": "/loop2.html"}, times=50)
        sites.fail("a", "/loop2.html", 302, headers={"Location": "/loop.html"}, times=50)
        sites.fail("a", "/js.html", 302, headers={"Location": "javascript:alert(1)"})
        host_a = a.removeprefix("http://")
        moved, away, loop, js = fetch_all(
            FAST, [f"{a}/moved.html", f"{a}/away.html", f"{a}/loop.html", f"{a}/js.html"], allowed_hosts=frozenset({host_a})
        )
        assert moved.ok and moved.final_url == f"{a}/final.html"
        assert away.error is not None and away.error.startswith("scope:")
        assert sites.requests_for("b") == []
        assert loop.error == "redirect: more than 5 redirects"
        assert js.error is not None and js.error.startswith("redirect: unusable Location")


def test_body_size_limit_and_private_hosts(tmp_path: Path) -> None:
    with make_sites(tmp_path, {"a": {"big.html": "<p>" + "x" * 50_000 + "</p>"}}) as sites:
        url = f"{sites.origins['a']}/big.html"
        (big,) = fetch_all(replace(FAST, max_bytes=10_000), [url])
        assert big.error is not None and big.error.startswith("too_large")
        (private,) = fetch_all(replace(FAST, allow_private_hosts=False), [url])
        assert private.error is not None and "private or loopback" in private.error
        assert sites.requests_for("a", "/big.html")[-1:] != [] and len(sites.requests_for("a", "/big.html")) == 1


PUBLIC_ADDRESS = "151.101.1.69"  # any public address: conftest's guard stops the connection before a packet leaves


def rebinding_dns(monkeypatch: pytest.MonkeyPatch, name: str, answers: list[str]) -> tuple[list[str], list[object]]:
    """A DNS that answers `name` with answers[0] the first time and answers[1] ever after (a rebinding attack).
    socket.getaddrinfo is the resolver both our check and the connection layer use, so the test wraps it: a
    DNS server cannot run here. Returns the answers given and the addresses connected to."""
    real_getaddrinfo, guarded_connect = socket.getaddrinfo, socket.socket.connect
    given: list[str] = []
    connected: list[object] = []

    def resolve(host: object, port: object, *args: object, **kwargs: object) -> object:
        if host != name:
            return real_getaddrinfo(host, port, *args, **kwargs)
        given.append(answers[min(len(given), 1)])
        return real_getaddrinfo(given[-1], port, *args, **kwargs)

    def connect(sock: socket.socket, address: object) -> object:
        connected.append(address[0] if isinstance(address, tuple) else address)
        return guarded_connect(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    monkeypatch.setattr(socket.socket, "connect", connect)
    return given, connected


def test_a_name_that_rebinds_to_loopback_after_the_check_is_never_connected_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The private-address check resolves the name; the connection goes to the address that passed it, not to
    what a second lookup says (127.0.0.1, where a server waits that must not be reached)."""
    given, connected = rebinding_dns(monkeypatch, "rebind.example", [PUBLIC_ADDRESS, "127.0.0.1"])
    with make_sites(tmp_path, {"a": {"secret.html": PAGE}}) as sites:
        url = f"http://rebind.example:{urlsplit(sites.origins['a']).port}/secret.html"
        (result,) = fetch_all(replace(FAST, allow_private_hosts=False, obey_robots=False, retries=0), [url])
        assert sites.requests_for("a") == []
    assert result.error is not None and result.error.startswith("network:")
    assert given == [PUBLIC_ADDRESS]  # resolved once, for the check
    assert connected == [PUBLIC_ADDRESS]


def test_a_name_is_connected_to_at_its_first_answer_and_not_resolved_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other way round, with private addresses allowed: the first answer (the server) is used for the
    robots.txt and the page requests; the second answer is never asked for."""
    given, connected = rebinding_dns(monkeypatch, "rebind.example", ["127.0.0.1", PUBLIC_ADDRESS])
    with make_sites(tmp_path, {"a": {"news.html": PAGE}}) as sites:
        url = f"http://rebind.example:{urlsplit(sites.origins['a']).port}/news.html"
        (result,) = fetch_all(FAST, [url])
        assert result.ok and b"An article." in result.body
        assert [r.path for r in sites.requests_for("a")] == ["/robots.txt", "/news.html"]
        assert all(r.headers["host"].startswith("rebind.example:") for r in sites.requests_for("a"))
    assert given == ["127.0.0.1"]
    assert set(connected) == {"127.0.0.1"}


GREEK = "Ολοκληρωμένη στρατηγική για την ένταξη των μεταναστών στις περιφέρειες"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-7"></head><body><p>{GREEK}</p></body></html>'.encode("iso-8859-7"), "text/html"),
        (f"<html><body><p>{GREEK}</p></body></html>".encode("iso-8859-7"), "text/html; charset=ISO-8859-7"),
        (f'<html><head><meta charset="windows-1253"></head><body><p>{GREEK}</p></body></html>'.encode("cp1253"), None),
        (f"<html><body><p>{GREEK}</p></body></html>".encode("utf-8"), "text/html"),
    ],
)
def test_greek_pages_decode_from_header_meta_or_default(body: bytes, content_type: str | None) -> None:
    assert GREEK in decode_body(body, content_type)


def test_undeclared_or_wrongly_declared_legacy_encodings_are_detected() -> None:
    text = "Les autorités locales et régionales élaborent une stratégie d'intégration des réfugiés à Malmö — «inclusion»."
    body = f"<html><body><p>{text}</p></body></html>".encode("cp1252")
    assert text in decode_body(body, "text/html")
    assert text in decode_body(body, "text/html; charset=utf-8")  # a lying header does not garble the page
    assert "x" in decode_body(b"\xff\xfe\x00\x00garbage x", "text/html; charset=no-such-charset")


BAD_LOCATIONS = ["http://[x/b", "http://a b/", "http://x.eu:99999/", "http://%zz/", "https://[::1", "//[",
                 "http://" + "e" * 70 + ".eu/"]


def test_fetch_never_raises_for_a_bad_location(tmp_path: Path) -> None:
    with make_sites(tmp_path, {"a": {"ok.html": PAGE}}) as sites:
        origin = sites.origins["a"]
        for n, location in enumerate(BAD_LOCATIONS):
            sites.fail("a", f"/r{n}.html", 302, headers={"Location": location})
        results = fetch_all(FAST, [f"{origin}/r{n}.html" for n in range(len(BAD_LOCATIONS))])
    for location, result in zip(BAD_LOCATIONS, results):
        assert result.error is not None and result.error.startswith("redirect: unusable Location"), (location, result)
