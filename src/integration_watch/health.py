"""Source health: per source, what its recent crawls found and stored, and the warnings a person must act on.

Everything is read from the summaries the crawl leaves in the `runs` table (crawl_report.SourceReport.as_dict): a site
that changes its URLs, its template or its robots.txt shows up here before anybody misses its articles.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any

from .digest import minute

RUNS = 10  # recent runs looked at
QUIET_RUNS = 3  # this many runs in a row without a new article while the start pages changed: warn
LENGTH_DROP = 0.5  # new articles' median length below this share of the earlier median: warn


@dataclass(frozen=True)
class RunHealth:
    run: int
    started: str
    found: int  # article pages it reached: new, updated, stored before, or rejected
    stored: int  # new or updated articles
    failures: int
    rejected_share: float | None  # of the article pages it fetched, the share that were not articles
    median_chars: float | None  # of its new articles' text
    seeds_changed: int
    links_seen: int
    links_taken: int
    unmatched_shapes: list[list[Any]]
    robots_errors: list[str]  # start pages robots.txt forbade (or could not be read for)
    stored_nothing: bool


@dataclass
class SourceHealth:
    source: str
    runs: list[RunHealth] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "runs": [asdict(r) for r in self.runs], "warnings": self.warnings}


def _run_health(run: dict[str, Any], r: dict[str, Any]) -> RunHealth:
    new, updated, rejected = r.get("new", 0), r.get("updated", 0), r.get("not_articles", 0)
    fetched_articles = new + updated + rejected
    errors = r.get("errors", [])
    return RunHealth(
        run=run["id"], started=run["started"], found=new + updated + r.get("known_articles", 0) + rejected,
        stored=new + updated, failures=len(errors),
        rejected_share=rejected / fetched_articles if fetched_articles else None,
        median_chars=r.get("median_chars"), seeds_changed=r.get("seeds_changed", 0),
        links_seen=r.get("links_seen", 0), links_taken=r.get("links_taken", 0),
        unmatched_shapes=r.get("unmatched_shapes", []),
        # a page robots.txt forbids is an error only when it is a start page, feed or sitemap (crawl.py)
        robots_errors=[f"{e['url']}: {e['error']}" for e in errors if e["error"].startswith("robots:")],
        stored_nothing=bool(r.get("stored_nothing")),
    )


def source_health(runs: list[dict[str, Any]]) -> list[SourceHealth]:
    """Health of every source in `runs` (oldest first, as corpus.pages.recent_runs gives them)."""
    by_source: dict[str, SourceHealth] = {}
    for run in runs:
        for name, report in run["summary"].get("sources", {}).items():
            by_source.setdefault(name, SourceHealth(name)).runs.append(_run_health(run, report))
    for health in by_source.values():
        health.warnings = warnings(health.runs)
    return sorted(by_source.values(), key=lambda h: h.source)


def warnings(runs: list[RunHealth]) -> list[str]:
    """What a person must look at, from one source's runs (oldest first)."""
    out: list[str] = []
    if not runs:
        return out
    last = runs[-1]
    for problem in last.robots_errors:
        out.append(f"robots.txt now keeps us from a start page: {problem}")
    read = [r for r in runs if r.links_seen]
    include_takes_nothing = bool(read) and read[-1].links_taken == 0
    if include_takes_nothing:
        r = read[-1]
        out.append(f"include matches none of the {r.links_seen} links on its start pages (run #{r.run})"
                   + _shapes_hint(r))
    quiet = 0
    for r in reversed(runs):
        if r.stored or not r.seeds_changed:
            break
        quiet += 1
    if quiet >= QUIET_RUNS:
        out.append(f"no new article in the last {quiet} runs while its start pages changed" + _shapes_hint(last))
    elif last.stored_nothing and not include_takes_nothing:  # that warning already says why
        out.append("the last run stored nothing although its start pages were read and had changed"
                   + _shapes_hint(last))
    drop = _length_drop(runs)
    if drop:
        out.append(drop)
    return out


def _shapes_hint(run: RunHealth) -> str:
    if not run.unmatched_shapes:
        return ""
    shapes = ", ".join(f"{count} × {shape}" for shape, count in run.unmatched_shapes)
    return f"; links include does not take: {shapes}"


def _length_drop(runs: list[RunHealth]) -> str | None:
    """The new articles' median length fell below LENGTH_DROP of what it was, and stayed there: a template
    change that extraction no longer reads whole. Dated by the first run it happened in."""
    sized = [r for r in runs if r.median_chars]
    for i in range(1, len(sized)):
        before = statistics.median(r.median_chars or 0 for r in sized[:i])
        after = [r.median_chars or 0 for r in sized[i:]]
        if max(after) < LENGTH_DROP * before:
            return (f"extraction length fell by half since {minute(sized[i].started)} (run #{sized[i].run}): new articles' "
                    f"median {statistics.median(after):.0f} characters, {before:.0f} before; a template change?")
    return None
