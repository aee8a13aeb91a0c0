"""URL normalisation: one article is one URL whatever decoration a link carries."""

from __future__ import annotations

import pytest

from integration_watch.urls import is_private_host, normalize_url


@pytest.mark.parametrize(
    ("url", "same_as"),
    [
        ("HTTP://Cor.Europa.EU:80/en/news/a.aspx#top", "http://cor.europa.eu/en/news/a.aspx"),
        ("https://cor.europa.eu:443/en/news/a.aspx?utm_source=nl&utm_medium=email", "https://cor.europa.eu/en/news/a.aspx"),
        ("https://x.eu/a?id=7&fbclid=abc&gclid=1", "https://x.eu/a?id=7"),
        ("https://x.eu", "https://x.eu/"),
        ("https://x.eu/a%7eb", "https://x.eu/a~b"),
    ],
)
def test_decorations_do_not_make_a_new_url(url: str, same_as: str) -> None:
    assert normalize_url(url) == normalize_url(same_as) == same_as


def test_meaningful_parameters_and_ports_are_kept() -> None:
    assert normalize_url("https://x.eu/news?page=2") == "https://x.eu/news?page=2"
    assert normalize_url("http://x.eu:8080/a") == "http://x.eu:8080/a"
    assert normalize_url("https://x.eu/list?b=2&a=1") == "https://x.eu/list?b=2&a=1"  # order can matter to a server


def test_relative_links_resolve_and_non_http_links_are_refused() -> None:
    assert normalize_url("../b.html", base="https://x.eu/news/a/index.html") == "https://x.eu/news/b.html"
    for bad in ("javascript:alert(1)", "mailto:a@x.eu", "file:///etc/passwd", "ftp://x.eu/f", "http://x.eu:bad/"):
        assert normalize_url(bad) is None


def test_private_and_loopback_hosts_are_recognised() -> None:
    for url in ("http://127.0.0.1:8000/", "http://localhost/", "http://10.1.2.3/", "http://[::1]/", "http://192.168.0.1/"):
        assert is_private_host(url)
    assert not is_private_host("https://cor.europa.eu/")
    assert not is_private_host("http://8.8.8.8/")
