"""The crawl: discover → fetch → extract → detect language → store, for every source, as one run.

Network work is asynchronous in this process (hosts in parallel, each host polite); the CPU-bound part
(decoding, trafilatura, language detection) runs in worker processes so both cores are used; every page is
stored in its own transaction as soon as it is analysed.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from .analyse import PageAnalysis, analyse_page, prepare_workers, unreadable_reason
from .config import Config, Source
from .crawl_report import CrawlReport, SourceReport
from .corpus import ArticleRecord, Corpus, CorpusError, PageState
from .discover import DiscoveryError, is_xml_document, parse_feed_or_sitemap
from .fetch import Fetcher, FetchResult, Validators
from .routes import Engines
from .stories import Thresholds, update_stories
from .translate import translate_pending
from .urls import host_of, normalize_url, origin_of
from .workers import TaskTimeout, WorkerDied, WorkerPool, cpu_limit_of

MAX_SITEMAP_DEPTH = 4  # sitemap index → index → … → urlset
WORKERS_PER_SOURCE = 4  # concurrent pipelines per source; the host lock still serialises its requests
MAX_UNMATCHED = 5_000  # listing links kept per run for their path shapes (health)

EventHandler = Callable[[str, str, str], None]  # (source, url, outcome)


@dataclass(frozen=True)
class Task:
    url: str
    role: str  # article | listing | feed | sitemap
    depth: int = 0
    lastmod: str | None = None


def make_pool(workers: int) -> WorkerPool:
    """Start the worker processes now, before any event loop or thread exists (fork is then safe)."""
    return WorkerPool(workers, prepare=prepare_workers)


# --- the crawl of one source -----------------------------------------------------------------------


class SourceCrawl:
    def __init__(
        self, source: Source, corpus: Corpus, fetcher: Fetcher, pool: WorkerPool, *, refresh: bool, on_event: EventHandler
    ) -> None:
        self.source = source
        self.corpus = corpus
        self.fetcher = fetcher
        self.pool = pool
        self.refresh = refresh
        self.on_event = on_event
        self.report = SourceReport(source.name)
        self.queue: asyncio.Queue[Task] = asyncio.Queue()
        self.seen: set[str] = set()
        urls = (*source.start_urls, *source.feeds, *source.sitemaps)
        self.hosts = frozenset({host_of(normalize_url(u) or u) for u in urls} | set(source.hosts))
        self.listing_paths = {urlsplit(normalize_url(u) or u).path for u in source.start_urls}
        self.budget = source.settings.max_pages
        self.in_flight_when_cancelled = 0

    def stop(self) -> None:
        """Called after the run's time limit cancelled this crawl: report what is left for the next run."""
        self.report.stopped = True
        self.report.left_queued = self.queue.qsize() + self.in_flight_when_cancelled

    async def run(self) -> SourceReport:
        seeds = [Task(u, "feed") for u in self.source.feeds]
        seeds += [Task(u, "sitemap") for u in self.source.sitemaps]
        seeds += [Task(u, "listing") for u in self.source.start_urls]
        self.report.seeds = len(seeds)
        for task in seeds:
            self._put(Task(normalize_url(task.url) or task.url, task.role))
        for page in self.corpus.pages.pending(self.source.name):  # left by an interrupted run, or failed last time
            self._put(Task(page.url, page.role, page.depth, page.lastmod))
        if not self.source.sitemaps:
            await self._sitemaps_from_robots()
        workers = [asyncio.create_task(self._worker()) for _ in range(WORKERS_PER_SOURCE)]
        drained = asyncio.create_task(self.queue.join())
        try:
            # A worker only ends by raising (the corpus cannot be written): stop the source then, not hang.
            await asyncio.wait([drained, *workers], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in (drained, *workers):
                w.cancel()
            results = await asyncio.gather(drained, *workers, return_exceptions=True)
        for outcome in results:
            if isinstance(outcome, Exception) and not isinstance(outcome, asyncio.CancelledError):
                raise outcome
        for host in sorted(self.hosts):
            problem = self.fetcher.robots_problem(host)
            if problem:
                self.report.robots_unreachable[host] = problem
        return self.report

    async def _sitemaps_from_robots(self) -> None:
        """A source that names no sitemaps gets those its hosts' robots.txt names (within its hosts)."""
        for url in await robots_sitemaps(self.fetcher, self.source, self.hosts):
            self._discover(Task(url, "sitemap", 1))

    def _put(self, task: Task) -> None:
        if task.url not in self.seen:
            self.seen.add(task.url)
            self.queue.put_nowait(task)

    async def _worker(self) -> None:
        while True:
            task = await self.queue.get()
            try:
                await self._handle(task)
            except asyncio.CancelledError:
                self.in_flight_when_cancelled += 1  # abandoned: it stays queued in the corpus
                raise
            except CorpusError:
                raise
            except Exception as exc:  # a bug or a dead worker process must cost one page, not the crawl
                self._record_error(task, FetchResult(task.url, task.url, None, error=f"internal: {type(exc).__name__}: {exc}"))
            finally:
                self.queue.task_done()

    async def _handle(self, task: Task) -> None:
        if self.budget <= 0:
            self.report.budget_exhausted = True
            return  # stays queued in the corpus for the next run
        self.budget -= 1
        previous = self.corpus.pages.page_state(task.url)
        if self.refresh and task.role != "article":
            previous = None  # re-read every listing, feed and sitemap so that all their links are re-checked
        # A page that ran out of CPU time keeps its error when a listing queues it again: read it before the reset.
        failed = previous if previous is not None and _timed_out(previous.error) else None
        if previous is not None and not _settled(previous):
            previous = None  # its last processing failed: fetch and process it in full
        validators = Validators(previous.etag, previous.last_modified) if previous else Validators()
        result = await self.fetcher.fetch(
            task.url, settings=self.source.settings, validators=validators, allowed_hosts=self.hosts
        )
        self.report.fetched += result.status is not None  # a response arrived; refusals and silence are no fetch
        if result.error:
            self._record_error(task, result)
            return
        if result.not_modified or (previous is not None and previous.content_hash == result.digest):
            self.report.not_modified += 1
            if task.role == "article" and previous is not None and previous.article_id is not None:
                self.report.known_articles += 1
            self.corpus.pages.record_fetch(
                source=self.source.name, url=task.url, role=task.role, depth=task.depth,
                state=_unchanged_state(task, previous),
                http_status=result.status, etag=result.etag, last_modified=result.last_modified, changed=False,
            )
            self.on_event(self.source.name, task.url, "not modified")
            return
        if task.role in ("feed", "sitemap"):
            self._handle_xml(task, result)
        elif failed is not None and failed.content_hash == result.digest and _timed_out(
            failed.error, self.source.settings.page_timeout
        ):
            # The same bytes that ran out of CPU time last run would again: each run would spend another
            # page_timeout on them.
            error = failed.error if SAME_BYTES in (failed.error or "") else f"{failed.error} {SAME_BYTES}"
            self._record_error(task, replace(result, error=error))
        else:
            await self._handle_page(task, result)

    def _record_error(self, task: Task, result: FetchResult) -> None:
        error = result.error or "unknown error"
        excluded = error.startswith(("robots: disallowed", "scope:"))
        self.corpus.pages.record_fetch(
            source=self.source.name, url=task.url, role=task.role, depth=task.depth,
            state="excluded" if excluded else "error", http_status=result.status, final_url=result.final_url,
            error=error, changed=False, content_hash=result.digest if _timed_out(error) else None,
        )
        seed = task.depth == 0 and task.role in ("feed", "sitemap", "listing")
        if excluded and not seed:
            self.report.excluded += 1
        else:
            # A start page, feed or sitemap that robots.txt or scope forbids is a failure too: without it the
            # source silently crawled nothing and the run said "ok".
            self.report.errors.append((task.url, error))
            if seed:
                self.report.seed_failures += 1
        self.on_event(self.source.name, task.url, f"error: {error}" if not excluded else f"excluded: {error}")

    def _handle_xml(self, task: Task, result: FetchResult) -> None:
        try:
            found = parse_feed_or_sitemap(result.body, result.final_url, max_bytes=self.source.settings.max_bytes,
                                          content_type=result.content_type)
        except DiscoveryError as exc:
            self._record_error(task, FetchResult(task.url, result.final_url, result.status, error=f"{task.role}: {exc}"))
            return
        if task.depth == 0:
            self.report.seeds_changed += 1
        for link in found.links:
            if host_of(link.url) not in self.hosts:
                continue
            if link.kind == "sitemap":
                if task.depth < MAX_SITEMAP_DEPTH:
                    self._discover(Task(link.url, "sitemap", task.depth + 1))
            elif self.source.is_article_url(link.url, announced=task.role == "feed"):
                self._discover_article(link.url, task.depth + 1, link.lastmod)
        self.corpus.pages.record_fetch(
            source=self.source.name, url=task.url, role=task.role, depth=task.depth, state="done",
            http_status=result.status, final_url=result.final_url, etag=result.etag,
            last_modified=result.last_modified, content_hash=result.digest,
            reason=f"entries skipped (no usable URL): {found.skipped}" if found.skipped else None,
        )
        skipped = f", entries skipped (no usable URL): {found.skipped}" if found.skipped else ""
        self.on_event(self.source.name, task.url, f"{task.role}: {len(found.links)} links{skipped}")

    async def _handle_page(self, task: Task, result: FetchResult) -> None:
        if is_xml_document(result.body, result.content_type) and task.role == "listing":
            return self._handle_xml(Task(task.url, "feed", task.depth), result)
        unreadable = unreadable_reason(result.body, result.content_type)
        if unreadable:
            self._store(task, result, None, reason=unreadable)
            return
        s = self.source.settings
        try:
            analysis: PageAnalysis = await self.pool.run(
                s.page_timeout, analyse_page, result.body, result.content_type, result.final_url, self.hosts,
                self.source.languages, s.min_chars,
            )
        except (TaskTimeout, WorkerDied) as exc:
            analysis = PageAnalysis(None, None, (), error=str(exc))
        if analysis.error:
            self._record_error(task, replace(result, error=analysis.error))
            return
        if task.role == "listing":
            self._count_listing_links(task, analysis.links)
        for link in analysis.links:
            self._follow(link, task)
        if task.role == "listing":
            self._store(task, result, None, reason="listing")
        elif analysis.article is None:
            self._store(task, result, None, reason=analysis.reason or "not an article")
        else:
            self._store(task, result, analysis.article, reason=None)

    def _store(self, task: Task, result: FetchResult, article: ArticleRecord | None, reason: str | None) -> None:
        _, outcome = self.corpus.pages.record_fetch(
            source=self.source.name, url=task.url, role=task.role, depth=task.depth,
            state="stored" if article else "not_article" if task.role == "article" else "done",
            http_status=result.status, final_url=result.final_url, etag=result.etag,
            last_modified=result.last_modified, content_hash=result.digest, reason=reason, article=article,
        )
        if article is None:
            if task.role == "article":
                self.report.not_articles += 1
            self.on_event(self.source.name, task.url, reason or "done")
            return
        if outcome == "new":
            self.report.new += 1
            self.report.new_chars.append(len(article.text))
        elif outcome == "updated":
            self.report.updated += 1
        else:
            self.report.known_articles += 1
        self.on_event(self.source.name, task.url, f"{outcome} article ({article.lang or '?'})")

    def _count_listing_links(self, task: Task, links: tuple[str, ...]) -> None:
        if task.depth == 0:
            self.report.seeds_changed += 1
        for url in links:
            self.report.links_seen += 1
            if self.source.is_article_url(url):
                self.report.links_taken += 1
            elif len(self.report.unmatched) < MAX_UNMATCHED and not self._is_listing(url):
                self.report.unmatched.append(url)

    def _follow(self, url: str, via: Task) -> None:
        """A normalised in-scope link found on a page: an article, more of a listing, or nothing."""
        if self.source.is_article_url(url):
            if via.depth < self.source.settings.max_depth:
                self._discover_article(url, via.depth + 1, None)
        elif via.role == "listing" and via.depth < self.source.settings.max_depth and self._is_listing(url):
            self._discover(Task(url, "listing", via.depth + 1))

    def _is_listing(self, url: str) -> bool:
        """Pagination of a start page: the same path with another query (?page=2)."""
        return urlsplit(url).path in self.listing_paths

    def _discover(self, task: Task) -> None:
        """Queue a newly found listing page or child sitemap, in the corpus too so a killed run resumes it."""
        if task.url not in self.seen:
            self.corpus.pages.enqueue(self.source.name, task.url, task.role, task.depth)
            self._put(task)

    def _discover_article(self, url: str, depth: int, lastmod: str | None) -> None:
        if url in self.seen:
            return
        known = self.corpus.pages.page_state(url)
        if known is not None and not self._needs_fetch(known, lastmod):
            self.seen.add(url)
            self.report.skipped += 1
            self.report.known_articles += known.article_id is not None
            return
        self.corpus.pages.enqueue(self.source.name, url, "article", depth, lastmod)
        self._put(Task(url, "article", depth, lastmod))

    def _needs_fetch(self, known: PageState, lastmod: str | None) -> bool:
        if self.refresh or known.state in ("queued", "error") or known.last_fetched is None:
            return True
        # A feed or sitemap that announces a change newer than our copy: fetch (conditionally) again.
        return bool(lastmod and known.lastmod != lastmod)


async def robots_sitemaps(fetcher: Fetcher, source: Source, hosts: frozenset[str]) -> list[str]:
    """The sitemaps the robots.txt of a source's start URL and feed hosts names, within `hosts`, normalised."""
    out: dict[str, None] = {}
    origins = {origin_of(normalize_url(u) or u) for u in (*source.start_urls, *source.feeds)}
    for origin in sorted(origins):
        for sitemap in await fetcher.robots_sitemaps(origin + "/", source.settings):
            url = normalize_url(sitemap, base=origin + "/")
            if url and host_of(url) in hosts:
                out[url] = None
    return list(out)


SAME_BYTES = "(the same bytes as when it failed before: not extracted again until they change)"


def _timed_out(error: str | None, page_timeout: float | None = None) -> bool:
    """Whether an error is a page running out of CPU time (under a limit no larger than `page_timeout`, when
    given: a raised limit deserves another try)."""
    limit = cpu_limit_of(error)
    return limit is not None and (page_timeout is None or limit >= page_timeout)


def _settled(page: PageState) -> bool:
    """Whether the page's last fetch was fully processed, so a 304 or the same body means nothing to do.
    A page re-queued because a feed announced a change still counts when it had been processed before."""
    if page.state in ("stored", "not_article", "done"):
        return True
    return page.state == "queued" and page.article_id is not None


def _unchanged_state(task: Task, previous: PageState | None) -> str:
    """The state a page keeps when its body has not changed. `previous` is settled (see _settled), so a
    queued article had been stored before."""
    if previous is None or task.role != "article":
        return "done"
    return "stored" if previous.state == "queued" else previous.state


async def crawl_async(
    config: Config,
    corpus: Corpus,
    pool: WorkerPool,
    *,
    source_names: list[str] | None = None,
    refresh: bool = False,
    deadline: float | None = None,
    on_event: EventHandler = lambda *_: None,
) -> CrawlReport:
    """Crawl the sources; at `deadline` (time.monotonic()) stop, abandoning what is in flight: every page not
    finished stays queued in the corpus and the next run fetches it."""
    sources = [config.source(n) for n in source_names] if source_names else list(config.sources)
    run_id = corpus.pages.start_run([s.name for s in sources])
    report = CrawlReport(run_id, {})
    status = "interrupted"
    try:
        async with Fetcher(config.defaults) as fetcher:
            crawls = [SourceCrawl(s, corpus, fetcher, pool, refresh=refresh, on_event=on_event) for s in sources]
            loop = asyncio.get_running_loop()
            limit = asyncio.timeout_at(None if deadline is None else loop.time() + deadline - time.monotonic())
            try:
                async with limit:
                    await asyncio.gather(*(c.run() for c in crawls))
            except TimeoutError:
                if not limit.expired():
                    raise
                for c in crawls:
                    c.stop()
            for c in crawls:
                report.sources[c.source.name] = c.report
        status = report.status
    finally:
        corpus.pages.finish_run(run_id, status, report.as_dict())
    return report


def crawl(
    config: Config,
    corpus: Corpus,
    *,
    source_names: list[str] | None = None,
    refresh: bool = False,
    workers: int | None = None,
    engines: Engines | None = None,
    max_time: float | None = None,
    on_event: EventHandler = lambda *_: None,
) -> CrawlReport:
    """Run one crawl to completion, or for at most `max_time` seconds, then translate the articles it stored
    (with `engines`; also any left untried by an earlier, interrupted run) and give them their stories. The
    time limit covers translation and stories too: a run stopped by it leaves what it did not reach to the next
    run (stories: after their first chunk, see assign_stories). Workers default to the CPUs."""
    deadline = None if max_time is None else time.monotonic() + max_time
    if source_names:
        for name in source_names:
            config.source(name)  # unknown names fail before anything starts
    pool = make_pool(workers or os.cpu_count() or 1)
    try:
        report = asyncio.run(
            crawl_async(config, corpus, pool, source_names=source_names, refresh=refresh, deadline=deadline,
                        on_event=on_event)
        )
    finally:
        pool.close()
    report.max_time = max_time
    if report.stopped:
        return report
    if engines is not None:
        report.translation = translate_pending(corpus, engines, only_new=True, deadline=deadline)
        if report.translation.stopped:  # the run's record said "ok" when fetching ended
            corpus.pages.finish_run(report.run_id, report.status, report.as_dict())
            return report
    report.stories = update_stories(corpus, Thresholds.from_settings(config.defaults), deadline=deadline)
    if report.stories.stopped:
        corpus.pages.finish_run(report.run_id, report.status, report.as_dict())
    return report
