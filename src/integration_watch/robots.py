"""robots.txt as RFC 9309 reads it: which group applies to us, what it allows, and how long a copy is good for.

Parsing and matching are Protego's (Scrapy's RFC 9309 parser: the longest match wins, `*` and `$`, groups
for one agent merged, blank lines inside a group, paths compared percent-encoded). This module adds what
the parser leaves to its caller: the byte-order mark, choosing the group by our exact product token, what an
HTTP status means, and the 24-hour lifetime of a copy. Fetching it (redirects, retries, politeness) is
fetch.py's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from protego import Protego

MAX_AGE = 24 * 3600.0  # RFC 9309 §2.4: a cached robots.txt should not be used for more than 24 hours
MAX_REDIRECTS = 5  # §2.3.1.2: follow at least five; after more, the file counts as unavailable
MAX_BYTES = 500 * 1024  # §2.5: at least 500 KiB must be parsed; what follows is ignored

# A user-agent line's value: RFC 9309 names a product token ([a-zA-Z_-]); sites write "Foo Bar" or "Foo/2.1"
# too, which we read as its first word, as Google does.
_USER_AGENT_LINE = re.compile(r"^([ \t]*user[- ]?agent(?:[ \t]*:[ \t]*|[ \t]+))([^\s#]*)[^#\n]*", re.IGNORECASE | re.MULTILINE)
_PRODUCT_TOKEN = re.compile(r"[A-Za-z_-]+")
_PARTIAL_BOMS = (b"\xef\xbb\xbf", b"\xef\xbb", b"\xef")


def product_token(user_agent: str) -> str:
    """The name robots.txt groups are matched against: "integration-watch/0.1 (+https://…)" → "integration-watch"."""
    match = _PRODUCT_TOKEN.match(user_agent.strip())
    return match.group(0).lower() if match else "*"


@dataclass(frozen=True)
class RobotsTxt:
    """One host's robots.txt. `token` is the crawler's product token (see product_token)."""

    _parser: Protego
    _groups: frozenset[str]  # the agent names its groups give, lower-cased
    sitemaps: tuple[str, ...]

    def allows(self, url: str, token: str) -> bool:
        """Whether the (normalised, percent-encoded) URL may be fetched; /robots.txt always may."""
        return bool(self._parser.can_fetch(url, self._ask_as(token)))

    def crawl_delay(self, token: str) -> float | None:
        return self._parser.crawl_delay(self._ask_as(token))

    def _ask_as(self, token: str) -> str:
        # Protego alone would also take a group named by a prefix of the token ("integration" for
        # "integration-watch"); RFC 9309 wants the token itself, else the * group.
        return token if token in self._groups else "*"


def parse(body: bytes) -> RobotsTxt:
    """Read a robots.txt body (UTF-8, a whole or partial byte-order mark skipped, bad bytes replaced)."""
    for bom in _PARTIAL_BOMS:
        if body.startswith(bom):
            body = body[len(bom):]
            break
    text = "\n".join(body.decode("utf-8", errors="replace").splitlines())  # \r\n, \r and \n all end a line
    text = _USER_AGENT_LINE.sub(lambda m: m.group(1) + m.group(2), text)
    names = {m.group(2).lower() for m in _USER_AGENT_LINE.finditer(text)}
    names |= {n.replace("*", "") for n in names}  # Protego also files "foo*" under "foo"
    parser = Protego.parse(text)
    return RobotsTxt(parser, frozenset(names), tuple(parser.sitemaps))


ALLOW_ALL = b""


@dataclass(frozen=True)
class RobotsState:
    """What a host's robots.txt said when it was last fetched: its rules, or why the host is not crawled."""

    rules: RobotsTxt | None  # None: robots.txt could not be read, so nothing on the host may be fetched
    problem: str | None  # why rules is None: "no answer in 30s", "robots.txt answered 503"
    fetched_at: float  # on the fetcher's clock

    def fresh(self, now: float) -> bool:
        return now - self.fetched_at < MAX_AGE

    def allows(self, url: str, token: str) -> bool:
        return self.rules is not None and self.rules.allows(url, token)

    def crawl_delay(self, token: str) -> float | None:
        return self.rules.crawl_delay(token) if self.rules else None

    @property
    def sitemaps(self) -> tuple[str, ...]:
        return self.rules.sitemaps if self.rules else ()


def from_response(status: int, body: bytes, now: float) -> RobotsState:
    """RFC 9309 §2.3.1: 2xx is parsed; 4xx (and a redirect chain too long to follow) means there are no rules;
    5xx means the server cannot say, so nothing is fetched from it."""
    if 200 <= status < 300:
        return RobotsState(parse(body), None, now)
    if status >= 500:
        return unreachable(f"robots.txt answered {status}", now)
    return RobotsState(parse(ALLOW_ALL), None, now)


def unreachable(reason: str, now: float) -> RobotsState:
    """robots.txt could not be had (no answer, 5xx, 429 after retries): the host is skipped until it can."""
    return RobotsState(None, reason, now)
