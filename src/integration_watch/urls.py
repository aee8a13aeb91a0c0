"""URL normalisation and crawl scope: one article is one URL, and a crawl stays on its source's hosts."""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that only track the visitor; they never select different content.
_TRACKING_PARAMS = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|yclid|igshid|"
    r"ref_src|__twitter_impression|oly_[a-z_]+|vero_[a-z_]+|wt\.mc_id|at_medium|at_campaign|xtor)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_url(url: str, base: str | None = None) -> str | None:
    """Canonical form of an http(s) URL, or None when it is not one.

    Lower-cases scheme and host, drops default ports, fragments and tracking parameters, sorts nothing
    else (parameter order can matter to a server), and gives an empty path as "/".
    """
    url = url.strip()
    try:
        if base is not None:
            url = urljoin(base, url)  # raises for a bad host part such as "http://[x/b"
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = quote(unquote(parts.path), safe="/%:@!$&'()*+,;=~-._") or "/"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING_PARAMS.match(k)],
        doseq=True,
    )
    return urlunsplit((scheme, netloc, path, query, ""))


def host_of(url: str) -> str:
    """Host (with non-default port) of a normalised URL: the unit of politeness."""
    return urlsplit(url).netloc


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def split_host_port(url: str) -> tuple[str, int]:
    """Host name (no brackets) and port of an http(s) URL, the default port filled in."""
    parts = urlsplit(url)
    return (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS.get(parts.scheme.lower(), 80)


# Hosts that the C resolver reads as IPv4 though ipaddress does not: 2130706433, 0x7f.1, 127.1, 0177.0.0.1.
_NUMERIC_HOST = re.compile(r"^(?:0x[0-9a-f]+|[0-9]+)(?:\.(?:0x[0-9a-f]+|[0-9]+)){0,3}$", re.IGNORECASE)


def is_private_host(url: str) -> bool:
    """Whether the URL names a loopback, private, link-local or otherwise non-public address.

    Names are judged as written ("localhost" and *.local are private); fetch.py also resolves other names
    before each request. Numeric shorthands (http://2130706433/ is 127.0.0.1) are read as the resolver would.
    """
    host = (urlsplit(url).hostname or "").lower()
    if host in ("localhost",) or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        addr: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(host)
    except ValueError:
        if not _NUMERIC_HOST.match(host):
            return False
        try:
            addr = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped  # ::ffff:127.0.0.1
    return not addr.is_global


def links_in_scope(links: Iterable[str], hosts: frozenset[str]) -> tuple[str, ...]:
    """The normalised links that point at one of `hosts`, deduplicated, in order.

    The host is checked on the raw string first: a page links mostly elsewhere, and full normalisation of
    every link costs more than the rest of a page's bookkeeping.
    """
    out: dict[str, None] = {}
    for link in links:
        scheme, sep, rest = link.partition("://")
        if not sep or scheme.lower() not in _DEFAULT_PORTS:
            continue
        netloc = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rpartition("@")[2].lower()
        default = f":{_DEFAULT_PORTS[scheme.lower()]}"
        if netloc.endswith(default):
            netloc = netloc[: -len(default)]
        if netloc in hosts:
            url = normalize_url(link)
            if url is not None:
                out[url] = None
    return tuple(out)
