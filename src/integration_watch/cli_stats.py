"""`integration-watch stats`: per source pages, articles, languages, failures and health; translation, stories,
digests."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from .cli_common import _friendly, format_option
from .corpus import Corpus

if TYPE_CHECKING:
    from .health import SourceHealth


@click.command("stats")
@format_option("table", "json")
@click.pass_obj
@_friendly
def stats_cmd(obj: dict[str, Any], fmt: str) -> None:
    """Per source: pages fetched, articles, languages, failures, last crawl; its health over the recent runs with
    warnings; translation, stories, digests."""
    from .digest import minute
    from .health import RUNS as HEALTH_RUNS
    from .health import source_health

    with Corpus(obj["db"], readonly=True) as corpus:
        rows = corpus.pages.stats()
        langs = corpus.articles.languages_by_source()
        failures = corpus.pages.failures(limit=20)
        last = corpus.pages.last_run()
        translation = corpus.translations.translation_stats()
        story_counts = corpus.stories.story_stats()
        digests = corpus.digests.digest_stats()
        health = source_health(corpus.pages.recent_runs(HEALTH_RUNS))
    for row in rows:
        row["languages"] = langs.get(row["source"], {})
    if fmt == "json":
        click.echo(json.dumps({"sources": rows, "translation": translation, "stories": story_counts,
                               "digests": digests, "recent_failures": failures, "last_run": last,
                               "health": [h.as_dict() for h in health]}, indent=2,
                              ensure_ascii=False))
        return
    header = f"{'source':28} {'fetched':>8} {'articles':>8} {'failures':>8} {'queued':>6}  {'languages':24} last crawl"
    click.echo(header)
    for row in rows:
        lang_text = " ".join(f"{k}:{v}" for k, v in row["languages"].items())
        click.echo(f"{row['source']:28} {row['pages_fetched']:>8} {row['articles']:>8} {row['failures']:>8} "
                   f"{row['queued']:>6}  {lang_text:24} {row['last_crawl'] or 'never'}")
    status = translation["status"]
    click.echo("\ntranslation: " + (", ".join(f"{k} {v}" for k, v in sorted(status.items())) or "no articles")
               + f"; translation memory {translation['memory']} sentences")
    if translation["waiting"]:
        click.echo("waiting for an engine: " + ", ".join(f"{k} {v}" for k, v in translation["waiting"].items()))
    click.echo(f"stories: {story_counts['stories']} ({story_counts['with_copies']} carried by more than one article)")
    for d in digests:
        click.echo(f"last digest [{d['key']}]: {minute(d['created'])}, {d['stories']} stories, "
                   f"{d['articles']} articles, {d['format']} to {d['destination'] or 'standard output'}")
    _print_health(health, HEALTH_RUNS)
    if last:
        click.echo(f"\nlast run #{last['id']}: {last['status']}, started {last['started']}")
    if failures:
        click.echo("\nrecent failures:")
        for f in failures:
            click.echo(f"  {f['source']}: {f['url']}: {f['error']}")


def _print_health(health: list[SourceHealth], runs: int) -> None:
    if not health:
        return
    click.echo(f"\nhealth over the last {runs} runs (per run, oldest first: articles found/stored, failures):")
    for h in health:
        per_run = " ".join(f"{r.found}/{r.stored}" + (f"!{r.failures}" if r.failures else "") for r in h.runs)
        shares = [r.rejected_share for r in h.runs if r.rejected_share is not None]
        rejected = f"; {sum(shares) / len(shares):.0%} of article pages rejected" if shares else ""
        click.echo(f"  {h.source:28} {per_run}{rejected}")
        for warning in h.warnings:
            click.echo(f"    WARNING: {warning}")
