"""URL normalisation and crawl scope: one article is one URL, and a crawl stays on its source's hosts."""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

# Query parameters that only track the visitor; they never select different content.
_TRACKING_PARAMS = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|gclsrc|dclid|msclkid|gbraid|wbraid|twclid|ttclid|li_fat_id|ysclid|yclid|igshid|"
    r"mkt_tok|mc_cid|mc_eid|_hsenc|_hsmi|hsa_[a-z_]+|_ga|_gl|srsltid|_openstat|s_kwcid|ef_id|"
    r"(pk|mtm|matomo|piwik)_(campaign|kwd|keyword|source|medium|content|cid|cpn|group|placement)|"
    r"ref_src|__twitter_impression|oly_[a-z_]+|vero_[a-z_]+|wt\.mc_id|at_medium|at_campaign|xtor)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST = re.compile(r"^[a-z0-9_.-]+$|^\[[0-9a-f:.]+\]$")
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# What may stay literal (RFC 3986 pchar, and "/" between segments; "?" too in a query). Anything else is
# percent-encoded as UTF-8; escapes of these stay escaped, since a reserved character and its escape can
# name different resources ("/AC%2FDC/" is not "/AC/DC/").
_PATH_LITERAL = frozenset(_UNRESERVED | frozenset(b"!$&'()*+,;=:@/"))
_HEX = frozenset(b"0123456789abcdefABCDEF")


def normalize_url(url: str, base: str | None = None) -> str | None:
    """Canonical form of an http(s) URL, or None when it is not one; never raises.

    Lower-cases scheme and host, drops default ports, user info, fragments and tracking parameters, removes
    "." and ".." segments, and gives an empty path as "/". Percent-encoding is normalised byte by byte as
    RFC 3986 §6.2.2 says: escapes of unreserved characters are decoded, other escapes kept (upper-cased),
    whatever their bytes (a Latin-1 "%E9" stays "%E9"), and characters that may not appear literally are
    encoded as UTF-8. Query parameters are read as forms write them (see _form_field), in their order (it
    can matter to a server); empty ones are dropped. normalize_url(normalize_url(u)) == normalize_url(u).
    """
    try:
        url = url.strip()
        if base is not None:
            url = urljoin(base, url)  # raises for a bad host part such as "http://[x/b"
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS or not parts.hostname:
            return None
        port = parts.port
        host = parts.hostname.lower().rstrip(".")
        if ":" in host:  # IPv6 literal
            host = f"[{host}]"
        elif not host.isascii() or not all(0 < len(label) < 64 for label in host.split(".")):
            host = host.encode("idna").decode("ascii")  # raises for what the codec refuses, as for "a..b"
        if not _HOST.match(host):
            return None
    except (ValueError, UnicodeError):
        return None
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _remove_dot_segments(_normalize_path_escapes(parts.path) or "/")
    params = [p for p in parts.query.split("&") if p and not _TRACKING_PARAMS.match(_param_name(p))]
    query = "&".join(_form_field(p) for p in params)
    return urlunsplit((scheme, netloc, path, query, ""))


# A path with no escape and only characters it may hold literally is its own normal form: most links are.
_PLAIN_PATH = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/]*")
_PLAIN_FIELD = re.compile(r"[A-Za-z0-9\-._~]*")  # a query name or value that _form_encode leaves as it is


def _normalize_path_escapes(text: str) -> str:
    """Escapes of unreserved characters decoded, others kept (upper-cased), characters a path may not hold
    literally encoded; bytes that are not UTF-8 stay the bytes they are."""
    if _PLAIN_PATH.fullmatch(text):
        return text
    out: list[str] = []
    for byte, escaped in _bytes_of(text):
        out.append(chr(byte) if byte in _UNRESERVED or (byte in _PATH_LITERAL and not escaped) else f"%{byte:02X}")
    return "".join(out)


def _form_field(param: str) -> str:
    """A query parameter read as forms write it (a "+" or "%20" is a space; "/" and "%2F" are one character,
    as every server decodes them) and written back with only unreserved characters literal: "name=value"."""
    name, _, value = param.partition("=")
    return f"{_form_encode(name)}={_form_encode(value)}"


def _form_encode(text: str) -> str:
    if _PLAIN_FIELD.fullmatch(text):
        return text
    out: list[str] = []
    for byte, escaped in _bytes_of(text):
        if byte == 0x2B and not escaped or byte == 0x20:
            out.append("+")
        else:
            out.append(chr(byte) if byte in _UNRESERVED else f"%{byte:02X}")
    return "".join(out)


def _bytes_of(text: str) -> list[tuple[int, bool]]:
    """The bytes a URL part stands for, each with whether it was written as an escape ("%41" → 0x41, True).
    A "%" that starts no escape is the byte "%" itself."""
    data = text.encode("utf-8", errors="surrogatepass")  # a lone surrogate still gets bytes, and escapes
    out: list[tuple[int, bool]] = []
    i = 0
    while i < len(data):
        if data[i] == 0x25 and i + 2 < len(data) and data[i + 1] in _HEX and data[i + 2] in _HEX:
            out.append((int(data[i + 1:i + 3], 16), True))
            i += 3
        else:
            out.append((data[i], False))
            i += 1
    return out


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4 on an absolute path: "/a/./b/../c" → "/a/c"; "//" is kept (it can matter)."""
    segments = path.split("/")[1:]
    if "." not in segments and ".." not in segments:
        return path
    out: list[str] = []
    for n, segment in enumerate(segments):
        if segment in (".", ".."):
            if segment == ".." and out:
                out.pop()
            if n == len(segments) - 1:
                out.append("")  # "/a/b/.." is the directory "/a/"
        else:
            out.append(segment)
    return "/" + "/".join(out)


def _param_name(param: str) -> str:
    return unquote(param.split("=", 1)[0], errors="replace")


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
            url = _normalized_link(link)
            if url is not None:
                out[url] = None
    return tuple(out)


@lru_cache(maxsize=4096)
def _normalized_link(link: str) -> str | None:
    """normalize_url, remembered: a site's menus and footers repeat the same links on every page."""
    return normalize_url(link)
