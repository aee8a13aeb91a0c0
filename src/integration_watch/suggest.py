"""`sources suggest URL`: a ready [[source]] block for a site, found the way a person would find it.

The page is fetched politely (the crawl's Fetcher: robots.txt, delays, User-Agent). Feeds come from its
`<link rel="alternate">` tags, else from a few common feed paths; sitemaps from the Sitemap lines of the
host's robots.txt, else from common sitemap paths; each one is read to make sure it is one. The page's links
to its own host are grouped by path shape (linkshapes.py); the commonest shapes with a varying part are
tested by fetching and extracting a few of their pages as the crawl would, and the shapes whose pages are
articles become the `include` regexes. The articles' detected languages become `languages`.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

from .config import Settings
from .analyse import analyse_page, unreadable_reason
from .discover import DiscoveryError, is_xml_document, parse_feed_or_sitemap
from .content import decode_body
from .fetch import Fetcher
from .linkshapes import ShapeCount, commonest_shapes, shape_regex
from .urls import host_of, normalize_url, origin_of

COMMON_FEED_PATHS = ("/feed/", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml", "/rss/")
COMMON_SITEMAP_PATHS = ("/sitemap.xml", "/sitemap_index.xml")
MAX_SHAPES = 6  # shapes tested by extraction, the commonest first
SAMPLE_PER_SHAPE = 3  # pages fetched per shape
ARTICLE_SHARE = 2 / 3  # of a shape's sampled pages that must be articles for it to become an include
_FEED_TYPES = re.compile(r"application/(rss|atom)(\+xml)?|application/rdf\+xml", re.IGNORECASE)


class SuggestError(Exception):
    """The page could not be read, or nothing on it says how to find the site's articles."""


@dataclass(frozen=True)
class Found:
    url: str
    how: str  # how it was found, for the block's comments
    entries: int


@dataclass(frozen=True)
class ShapeVerdict:
    shape: str
    count: int  # links of this shape on the page
    sampled: int
    articles: int  # of the sampled pages, those extraction takes as articles
    reasons: tuple[str, ...]  # why the others were not

    @property
    def is_articles(self) -> bool:
        return self.sampled > 0 and self.articles >= ARTICLE_SHARE * self.sampled


@dataclass
class Suggestion:
    url: str
    name: str
    feeds: list[Found] = field(default_factory=list)
    sitemaps: list[Found] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)  # what was looked for in vain, for the comments
    shapes: list[ShapeVerdict] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)

    @property
    def include(self) -> list[str]:
        return [shape_regex(v.shape) for v in self.shapes if v.is_articles]

    def as_dict(self) -> dict[str, object]:
        return {
            "url": self.url, "name": self.name, "include": self.include, "languages": self.languages,
            "feeds": [vars(f) for f in self.feeds], "sitemaps": [vars(s) for s in self.sitemaps],
            "not_found": self.not_found,
            "shapes": [{**vars(v), "reasons": list(v.reasons), "include": v.is_articles} for v in self.shapes],
        }

    def toml(self) -> str:
        """The commented [[source]] block. Without an include the start page is left out: every link on it
        would count as an article."""
        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        lines = [f"# Suggested by `integration-watch sources suggest {self.url}` on {when}.",
                 f"# Check it with `integration-watch sources check {self.name}` before relying on it."]
        for f in self.feeds:
            lines.append(f"# feed: {f.url} ({f.how}; {f.entries} items)")
        for s in self.sitemaps:
            lines.append(f"# sitemap: {s.url} ({s.how}; {s.entries} entries)")
        lines += [f"# {note}" for note in self.not_found]
        if self.shapes:
            lines.append("# link shapes on the page: links, pages sampled → articles")
            for v in self.shapes:
                verdict = "include" if v.is_articles else "left out" + (f" ({', '.join(sorted(set(v.reasons)))})"
                                                                        if v.reasons else "")
                lines.append(f"#   {v.count:4} × {v.shape}   {v.sampled} → {v.articles}   {verdict}")
        lines += ["[[source]]", f"name = {_toml_string(self.name)}"]
        if self.include:
            lines.append(f"start_urls = [{_toml_string(self.url)}]")
        if self.feeds:
            lines.append(f"feeds = [{', '.join(_toml_string(f.url) for f in self.feeds)}]")
        if self.sitemaps:
            lines.append(f"sitemaps = [{', '.join(_toml_string(s.url) for s in self.sitemaps)}]")
        if self.include:
            lines.append(f"include = [{', '.join(_toml_string(p) for p in self.include)}]")
        if self.languages:
            lines.append(f"languages = [{', '.join(_toml_string(lang) for lang in self.languages)}]")
        return "\n".join(lines) + "\n"


def _toml_string(value: str) -> str:
    """A TOML literal string ('…', no escapes: regexes stay readable) when it can be one, else a basic one."""
    if "'" not in value and "\n" not in value:
        return f"'{value}'"
    return json.dumps(value, ensure_ascii=False)


def source_name(url: str, taken: set[str]) -> str:
    """A name from the host ("www.regione.example" → "regione-example"), not one of `taken`."""
    host = (urlsplit(url).hostname or "source").removeprefix("www.")
    base = re.sub(r"[^A-Za-z0-9]+", "-", host).strip("-") or "source"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    return name


def feed_links(page: str, base: str) -> list[str]:
    """The feeds a page announces: <link rel="alternate" type="application/rss+xml" href="…">."""
    try:
        tree = lxml_html.fromstring(page)
    except (ValueError, lxml_html.etree.ParserError):
        return []
    out: dict[str, None] = {}
    for link in tree.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        if "alternate" in rels and _FEED_TYPES.search(link.get("type") or "") and link.get("href"):
            url = normalize_url(urljoin(base, link.get("href").strip()))
            if url:
                out[url] = None
    return list(out)


class _Suggester:
    def __init__(self, url: str, fetcher: Fetcher, settings: Settings, taken: set[str]) -> None:
        self.url = url
        self.fetcher = fetcher
        self.settings = settings
        self.taken = taken
        self.hosts = frozenset({host_of(url)})
        self.langs: Counter[str] = Counter()

    async def run(self) -> Suggestion:
        # Redirects may lead to another host (http://x.eu → https://www.x.eu/): that host is the site.
        page = await self.fetcher.fetch(self.url, settings=self.settings)
        if page.error:
            raise SuggestError(f"{self.url}: {page.error}")
        self.url, self.hosts = page.final_url, frozenset({host_of(page.final_url)})
        reason = unreadable_reason(page.body, page.content_type)
        if reason or is_xml_document(page.body, page.content_type):
            raise SuggestError(f"{self.url}: not an HTML page ({reason or 'a feed or sitemap'}): give its site's page")
        text = decode_body(page.body, page.content_type)
        suggestion = Suggestion(self.url, source_name(self.url, self.taken))
        suggestion.feeds = await self._feeds(feed_links(text, page.final_url), suggestion.not_found)
        suggestion.sitemaps = await self._sitemaps(suggestion.not_found)
        analysis = await asyncio.to_thread(
            analyse_page, page.body, page.content_type, page.final_url, self.hosts, (), self.settings.min_chars
        )
        links = [u for u in analysis.links if u != page.final_url]
        suggestion.shapes = [await self._test_shape(s.shape, s.count, s.examples)
                             for s in _variable_shapes(links)]
        suggestion.languages = [lang for lang, _ in self.langs.most_common()]
        if not suggestion.include and not suggestion.feeds and not suggestion.sitemaps:
            raise SuggestError(f"{self.url}: no feed, no sitemap, and none of the link shapes on the page led to "
                               "articles: try the site's news listing")
        return suggestion

    async def _read_xml(self, url: str) -> tuple[str, int] | None:
        """(kind, entries) of a feed or sitemap at url, or None when there is none to read there."""
        result = await self.fetcher.fetch(url, settings=self.settings, allowed_hosts=self.hosts,
                                          accept="application/rss+xml,application/atom+xml,application/xml;q=0.9,*/*;q=0.5")
        if result.error or not is_xml_document(result.body, result.content_type):
            return None
        try:
            found = parse_feed_or_sitemap(result.body, result.final_url, max_bytes=self.settings.max_bytes,
                                          content_type=result.content_type)
        except DiscoveryError:
            return None
        kind = "feed" if found.kind == "feed" else "sitemap"
        return (kind, len(found.links)) if found.links else None

    async def _feeds(self, announced: list[str], notes: list[str]) -> list[Found]:
        return await self._find("feed", announced, 'announced by <link rel="alternate"> on the page',
                                COMMON_FEED_PATHS, notes)

    async def _sitemaps(self, notes: list[str]) -> list[Found]:
        named = [u for u in (normalize_url(x, base=self.url) for x in
                             await self.fetcher.robots_sitemaps(self.url, self.settings)) if u]
        return await self._find("sitemap", named, "named in robots.txt", COMMON_SITEMAP_PATHS, notes)

    async def _find(self, kind: str, named: list[str], how: str, common: tuple[str, ...],
                    notes: list[str]) -> list[Found]:
        """The feeds or sitemaps the site names (`how`) that read as one; only when it names none, the first
        of the common paths that does."""
        found = []
        for url in named:
            read = await self._read_xml(url) if host_of(url) in self.hosts else None
            if read and read[0] == kind:
                found.append(Found(url, how, read[1]))
            else:
                notes.append(f"{kind} {url} is {how} but could not be read as one on this host")
        if named:
            return found
        for path in common:
            url = origin_of(self.url) + path
            read = await self._read_xml(url)
            if read and read[0] == kind:
                return [Found(url, f"at a common {kind} path", read[1])]
        notes.append(f"no {kind}: none named by the site, none at {', '.join(common)}")
        return []

    async def _test_shape(self, shape: str, count: int, examples: tuple[str, ...]) -> ShapeVerdict:
        articles, reasons = 0, []
        for url in examples:
            result = await self.fetcher.fetch(url, settings=self.settings, allowed_hosts=self.hosts)
            if result.error:
                reasons.append(result.error)
                continue
            reason = unreadable_reason(result.body, result.content_type)
            if reason:
                reasons.append(reason)
                continue
            analysis = await asyncio.to_thread(
                analyse_page, result.body, result.content_type, result.final_url, self.hosts, (),
                self.settings.min_chars,
            )
            if analysis.article is None:
                reasons.append(analysis.error or analysis.reason or "not an article")
                continue
            articles += 1
            if analysis.article.lang:
                self.langs[analysis.article.lang] += 1
        return ShapeVerdict(shape, count, len(examples), articles, tuple(reasons))


def _variable_shapes(links: list[str]) -> list[ShapeCount]:
    """The commonest shapes with a varying part (a fixed path like /about/ is one page, never a kind of page),
    each with up to SAMPLE_PER_SHAPE links spread over the page (first, middle, last)."""
    by_shape = commonest_shapes(links, limit=len(links) or 1, examples=len(links) or 1)
    out = []
    for s in by_shape:
        if "<" not in s.shape:
            continue
        urls = s.examples
        picks = dict.fromkeys(urls[int(i * (len(urls) - 1) / max(SAMPLE_PER_SHAPE - 1, 1))]
                              for i in range(min(SAMPLE_PER_SHAPE, len(urls))))
        out.append(ShapeCount(s.shape, s.count, tuple(picks)))
        if len(out) == MAX_SHAPES:
            break
    return out


async def suggest_async(url: str, settings: Settings, taken: set[str]) -> Suggestion:
    async with Fetcher(settings) as fetcher:
        return await _Suggester(url, fetcher, settings, taken).run()


def suggest(url: str, settings: Settings, *, taken: set[str] | None = None) -> Suggestion:
    """Look at a site from one of its pages and suggest a [[source]] for it; `taken` names are avoided."""
    normal = normalize_url(url)
    if normal is None:
        raise SuggestError(f"{url!r} is not an http(s) URL")
    return asyncio.run(suggest_async(normal, settings, taken or set()))
