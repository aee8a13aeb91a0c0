"""`sources check`: a dry run of a source's discovery and extraction that stores nothing.

It reads each start URL, feed and sitemap as the crawl would (the same Fetcher: robots.txt, per-host delay,
User-Agent, limits), counts the links they hold and how many the source's include/exclude patterns take,
shows the commonest path shapes of the links they do not take (a wrong pattern shows at once), and fetches a
sample of the article candidates to extract them as the crawl would. A source that would store nothing says
why. Nothing is written to any corpus.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field

from .config import Config, Source
from .corpus import ArticleRecord
from .analyse import PageAnalysis, analyse_page, unreadable_reason
from .crawl import make_pool, robots_sitemaps
from .discover import DiscoveryError, is_xml_document, parse_feed_or_sitemap
from .fetch import Fetcher, FetchResult
from .furniture import sentence_key
from .linkshapes import ShapeCount, commonest_shapes
from .translate import split_sentences
from .urls import host_of, normalize_url
from .workers import TaskTimeout, WorkerDied, WorkerPool

MAX_CHILD_SITEMAPS = 5  # of a sitemap index, enough to see the URL shapes; the crawl reads them all
FIRST_LINES = 3
LINE_CHARS = 160


@dataclass
class SeedOutcome:
    """One start URL, feed or sitemap (or a child sitemap of an index) as it answered."""

    url: str
    role: str  # listing | feed | sitemap
    status: int | None
    error: str | None = None
    via: str = "sources.toml"  # or "robots.txt" (a Sitemap line), "sitemap index"
    links: int = 0  # links to the source's hosts it holds (entries, for a feed or sitemap)
    articles: int = 0  # of which the include/exclude patterns take as articles (a feed's items: exclude only)
    excluded: int = 0  # of which an exclude pattern refuses


@dataclass(frozen=True)
class SampleArticle:
    url: str
    title: str | None
    published: str | None
    lang: str | None
    chars: int
    first_lines: tuple[str, ...]  # the first paragraphs, sentences repeated across the sample left out


@dataclass(frozen=True)
class Rejected:
    url: str
    reason: str


@dataclass
class SourceCheck:
    name: str
    seeds: list[SeedOutcome] = field(default_factory=list)
    candidates: int = 0  # distinct article URLs discovered
    not_matching: int = 0  # links on listings and in sitemaps that include does not take
    not_matching_shapes: list[ShapeCount] = field(default_factory=list)
    articles: list[SampleArticle] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def would_store(self) -> bool:
        return bool(self.articles)

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name, "would_store": self.would_store, "problems": self.problems,
            "seeds": [vars(s) for s in self.seeds], "candidates": self.candidates,
            "not_matching": self.not_matching,
            "not_matching_shapes": [{"shape": s.shape, "count": s.count, "examples": list(s.examples)}
                                    for s in self.not_matching_shapes],
            "sample": [{**vars(a), "first_lines": list(a.first_lines)} for a in self.articles],
            "rejected": [vars(r) for r in self.rejected],
        }


class _SourceInspection:
    def __init__(self, source: Source, fetcher: Fetcher, sample: int, pool: WorkerPool) -> None:
        self.source = source
        self.fetcher = fetcher
        self.pool = pool
        self.sample = sample
        self.check = SourceCheck(source.name)
        urls = (*source.start_urls, *source.feeds, *source.sitemaps)
        self.hosts = frozenset({host_of(normalize_url(u) or u) for u in urls} | set(source.hosts))
        self.per_seed: list[list[str]] = []  # article candidates in the order each seed gave them
        self.others: list[str] = []
        self.sampled: list[tuple[str, ArticleRecord]] = []

    async def run(self) -> SourceCheck:
        seeds = [(u, "listing") for u in self.source.start_urls]
        seeds += [(u, "feed") for u in self.source.feeds] + [(u, "sitemap") for u in self.source.sitemaps]
        for url, role in seeds:
            await self._seed(normalize_url(url) or url, role, child=False)
        if not self.source.sitemaps:
            await self._sitemaps_from_robots()
        candidates = _round_robin(self.per_seed)
        self.check.candidates = len(candidates)
        self.check.not_matching = len(set(self.others))
        self.check.not_matching_shapes = commonest_shapes(dict.fromkeys(self.others))
        for url in candidates[: self.sample]:
            await self._sample(url)
        self._summarise_sample()
        self._diagnose()
        return self.check

    async def _sitemaps_from_robots(self) -> None:
        """As the crawl does: a source that names no sitemaps reads those its hosts' robots.txt names."""
        for url in await robots_sitemaps(self.fetcher, self.source, self.hosts):
            await self._seed(url, "sitemap", child=True, via="robots.txt")

    async def _fetch(self, url: str) -> FetchResult:
        return await self.fetcher.fetch(url, settings=self.source.settings, allowed_hosts=self.hosts)

    async def _seed(self, url: str, role: str, *, child: bool, via: str = "sources.toml") -> None:
        result = await self._fetch(url)
        outcome = SeedOutcome(url, role, result.status, result.error, via=via)
        self.check.seeds.append(outcome)
        if result.error:
            return
        if role != "listing" or is_xml_document(result.body, result.content_type):
            await self._read_xml(outcome, result, child=child)
            return
        reason = unreadable_reason(result.body, result.content_type)
        if reason:
            outcome.error = f"not a page: {reason}"
            return
        analysis = await self._analyse(result)
        if analysis.error:
            outcome.error = analysis.error
            return
        self._classify(outcome, list(analysis.links), announced=False)

    async def _read_xml(self, outcome: SeedOutcome, result: FetchResult, *, child: bool) -> None:
        try:
            links = parse_feed_or_sitemap(result.body, result.final_url, max_bytes=self.source.settings.max_bytes,
                                          content_type=result.content_type).links
        except DiscoveryError as exc:
            outcome.error = f"{outcome.role}: {exc}"
            return
        children = [link.url for link in links if link.kind == "sitemap" and host_of(link.url) in self.hosts]
        pages = [link.url for link in links if link.kind == "page" and host_of(link.url) in self.hosts]
        if outcome.role == "listing":
            outcome.role = "feed"  # a start URL that answers with a feed is read as one, as the crawl does
        self._classify(outcome, pages, announced=outcome.role == "feed")
        outcome.links += len(children)
        if not child:
            for url in children[:MAX_CHILD_SITEMAPS]:
                await self._seed(url, "sitemap", child=True, via="sitemap index")

    async def _analyse(self, result: FetchResult) -> PageAnalysis:
        """Extract a fetched page as the crawl would: in a worker process, within the source's page_timeout (a
        page that keeps the extractor busy must not hang the check any more than the crawl)."""
        try:
            analysis: PageAnalysis = await self.pool.run(
                self.source.settings.page_timeout, analyse_page, result.body, result.content_type, result.final_url,
                self.hosts, self.source.languages, self.source.settings.min_chars,
            )
        except (TaskTimeout, WorkerDied) as exc:
            return PageAnalysis(None, None, (), error=str(exc))
        return analysis

    def _classify(self, outcome: SeedOutcome, links: list[str], *, announced: bool) -> None:
        articles: list[str] = []
        for url in links:
            if self.source.is_article_url(url, announced=announced):
                articles.append(url)
            elif self.source.is_article_url(url, announced=True):
                self.others.append(url)  # include does not take it (an exclude would refuse it even then)
            else:
                outcome.excluded += 1
        outcome.links = len(links)
        outcome.articles = len(articles)
        self.per_seed.append(articles)

    async def _sample(self, url: str) -> None:
        result = await self._fetch(url)
        if result.error:
            self.check.rejected.append(Rejected(url, result.error))
            return
        reason = unreadable_reason(result.body, result.content_type)
        if reason:
            self.check.rejected.append(Rejected(url, reason))
            return
        analysis = await self._analyse(result)
        if analysis.error or analysis.article is None:
            self.check.rejected.append(Rejected(url, analysis.error or f"not an article: {analysis.reason}"))
            return
        self.sampled.append((url, analysis.article))

    def _summarise_sample(self) -> None:
        """Each sampled article with its first lines, leaving out the sentences that recur across the sample
        (page furniture that survived extraction, as furniture.py finds it in a source's stored articles)."""
        counts: Counter[str] = Counter()
        distinct = {a.text for _, a in self.sampled}  # a text published under two URLs counts once
        for text in distinct:
            counts.update({sentence_key(s) for p in text.split("\n") for s in split_sentences(p)})
        n = len(distinct)
        repeated = {k for k, c in counts.items() if c >= 2 and c * 2 >= n} if n >= 3 else set()
        for url, a in self.sampled:
            lines: list[str] = []
            for paragraph in a.text.split("\n"):
                kept = " ".join(s for s in split_sentences(paragraph) if sentence_key(s) not in repeated).strip()
                if kept and kept != (a.title or "").strip():
                    lines.append(kept if len(kept) <= LINE_CHARS else kept[: LINE_CHARS - 1] + "…")
                if len(lines) == FIRST_LINES:
                    break
            self.check.articles.append(SampleArticle(url, a.title, a.published, a.lang, len(a.text), tuple(lines)))

    def _diagnose(self) -> None:
        c = self.check
        readable = [s for s in c.seeds if s.error is None]
        for s in c.seeds:
            if s.error:
                c.problems.append(f"{s.role} {s.url}: {s.error}")
        if not [s for s in readable if s.via == "sources.toml"]:
            c.problems.append("none of its start URLs, feeds or sitemaps could be read")
            return
        listings = [s for s in readable if s.role == "listing"]
        listing_links = sum(s.links for s in listings)
        if listings and listing_links and not sum(s.articles for s in listings):
            c.problems.append(f"include matches none of the {listing_links} links on its start pages")
        sitemaps = [s for s in readable if s.role == "sitemap"]
        if sitemaps and sum(s.links for s in sitemaps) and not sum(s.articles for s in sitemaps):
            c.problems.append("include matches none of the URLs in its sitemaps")
        if not c.candidates:
            c.problems.append("it discovers no article: it would store nothing")
        elif self.sample and not c.articles:
            c.problems.append(f"none of the {len(c.rejected)} sampled pages is an article: it would store nothing")


def _round_robin(lists: list[list[str]]) -> list[str]:
    """Distinct URLs taking one from each list in turn, so a sample sees every seed's articles."""
    out: dict[str, None] = {}
    for i in range(max((len(x) for x in lists), default=0)):
        for items in lists:
            if i < len(items):
                out.setdefault(items[i])
    return list(out)


async def check_sources_async(config: Config, names: list[str], pool: WorkerPool, *, sample: int) -> list[SourceCheck]:
    sources = [config.source(n) for n in names] if names else list(config.sources)
    async with Fetcher(config.defaults) as fetcher:
        return list(await asyncio.gather(*(_SourceInspection(s, fetcher, sample, pool).run() for s in sources)))


def check_sources(config: Config, names: list[str] | None = None, *, sample: int) -> list[SourceCheck]:
    """Check every source (or those named): what each discovers and what it would store. Stores nothing."""
    for name in names or ():
        config.source(name)  # an unknown name fails before any request
    with make_pool(1) as pool:  # one page at a time is enough for a sample
        return asyncio.run(check_sources_async(config, list(names or ()), pool, sample=sample))
