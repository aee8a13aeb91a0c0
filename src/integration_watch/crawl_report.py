"""What a crawl run did, per source and as a whole: the summary it prints, stores in the runs table (health.py
reads it from there) and turns into its exit status."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from .linkshapes import commonest_shapes
from .stories import StoryReport
from .translate import TranslateReport

STOPPED_EXIT = 4  # exit status of a run that its time limit (crawl --max-time) stopped


@dataclass
class SourceReport:
    name: str
    fetched: int = 0
    not_modified: int = 0  # 304, or the same body as last time
    skipped: int = 0  # known and not announced as changed: not requested at all
    new: int = 0
    updated: int = 0
    not_articles: int = 0
    excluded: int = 0  # robots.txt or scope said no
    errors: list[tuple[str, str]] = field(default_factory=list)
    seed_failures: int = 0
    seeds: int = 0
    budget_exhausted: bool = False
    robots_unreachable: dict[str, str] = field(default_factory=dict)  # host -> why nothing was fetched from it
    stopped: bool = False  # the run's time limit came first: what was queued or in flight waits for the next run
    left_queued: int = 0  # pages queued or in flight when it stopped
    # For source health (health.py reads them from the runs table) and the "stored nothing" flag:
    seeds_changed: int = 0  # start pages, feeds and sitemaps read with a new body (not 304, not the same bytes)
    known_articles: int = 0  # stored articles it found again, unchanged or not requested
    links_seen: int = 0  # links to the source's hosts on the listing pages it read
    links_taken: int = 0  # of which include/exclude took as articles
    new_chars: list[int] = field(default_factory=list)  # the length of each new article's text
    unmatched: list[str] = field(default_factory=list)  # listing links include did not take (for their shapes)

    @property
    def failed(self) -> bool:
        """The source as a whole failed: none of its start URLs, feeds or sitemaps could be read."""
        return self.seeds > 0 and self.seed_failures == self.seeds

    @property
    def stored_nothing(self) -> bool:
        """Its start pages were read, and had changed, yet it found no article at all: include takes none of
        their links, or every page it took was rejected. Crawled every hour, such a source would be silent.
        (Pages that failed to load say nothing about the patterns: they make the run partial instead; a run cut
        short by its time limit or page budget may not have reached the articles yet.)"""
        return (not self.errors and not self.stopped and not self.budget_exhausted and self.seeds_changed > 0
                and self.new + self.updated + self.known_articles == 0)

    def as_dict(self) -> dict[str, object]:
        return {
            "fetched": self.fetched, "not_modified": self.not_modified, "skipped": self.skipped,
            "new": self.new, "updated": self.updated, "not_articles": self.not_articles,
            "excluded": self.excluded, "errors": [{"url": u, "error": e} for u, e in self.errors],
            "failed": self.failed, "budget_exhausted": self.budget_exhausted, "stored_nothing": self.stored_nothing,
            "robots_unreachable": self.robots_unreachable,
            "stopped": self.stopped, "left_queued": self.left_queued,
            "seeds_changed": self.seeds_changed, "known_articles": self.known_articles,
            "links_seen": self.links_seen, "links_taken": self.links_taken,
            "median_chars": statistics.median(self.new_chars) if self.new_chars else None,
            "unmatched_shapes": [[c.shape, c.count] for c in commonest_shapes(self.unmatched, limit=3)],
        }


@dataclass
class CrawlReport:
    run_id: int
    sources: dict[str, SourceReport]
    translation: TranslateReport | None = None
    stories: StoryReport | None = None
    max_time: float | None = None  # the run's time limit in seconds, if it had one

    @property
    def stopped(self) -> bool:
        """The time limit ended the run before everything queued was fetched, translated and placed in stories."""
        return (any(r.stopped for r in self.sources.values()) or bool(self.translation and self.translation.stopped)
                or bool(self.stories and self.stories.stopped))

    @property
    def exit_code(self) -> int:
        """0: all well; 1: a source failed entirely or stored nothing from changed start pages; 4: stopped at
        the time limit; 3: some pages failed."""
        if any(r.failed or r.stored_nothing for r in self.sources.values()):
            return 1
        if self.stopped:
            return STOPPED_EXIT
        if any(r.errors for r in self.sources.values()):
            return 3
        return 0

    @property
    def status(self) -> str:
        return {0: "ok", 1: "failed", STOPPED_EXIT: "stopped"}.get(self.exit_code, "partial")

    def as_dict(self) -> dict[str, object]:
        return {
            "run": self.run_id, "status": self.status, "sources": {n: r.as_dict() for n, r in self.sources.items()},
            "translation": self.translation.as_dict() if self.translation else None,
            "stories": self.stories.as_dict() if self.stories else None, "max_time": self.max_time,
        }
