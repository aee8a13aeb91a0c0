"""`integration-watch sources …`: check the sources of a sources.toml without crawling them, and suggest a new
one from a URL. The work is check.py's and suggest.py's; this module only reads options and prints. It imports
nothing from cli.py (which registers this group): errors in the input are click usage errors, one line and
exit status 2 like every other bad input."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .cli_common import sources_option
from .config import ConfigError, load_config

if TYPE_CHECKING:
    from .check import SourceCheck

SAMPLE = 3  # article candidates a check fetches and extracts per source, unless --sample


@click.group("sources")
def sources_group() -> None:
    """Check the sources of sources.toml, or suggest a new one, without storing anything."""


@sources_group.command("check")
@click.argument("names", nargs=-1)
@sources_option
@click.option("--sample", type=click.IntRange(0, 50), default=SAMPLE, show_default=True,
              help="Article candidates per source to fetch and extract.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
def check_cmd(names: tuple[str, ...], sources_path: Path, sample: int, fmt: str) -> None:
    """A dry run of each source (or the NAMEs given): its start URLs, feeds and sitemaps, the links they hold
    and how many include/exclude take, a sample of articles extracted as the crawl would, and the pages it
    would reject. As polite as a crawl (robots.txt, delays); nothing is stored.

    Exit status: 0 every source would store articles, 1 one would store nothing, 2 bad input.
    """
    from .check import check_sources  # crawl and extraction machinery: loaded only when a check runs

    try:
        config = load_config(sources_path)
        checks = check_sources(config, list(names), sample=sample)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps({"sources": [c.as_dict() for c in checks]}, indent=2, ensure_ascii=False))
    else:
        for c in checks:
            _print_check(c, sample)
    sys.exit(0 if all(c.would_store for c in checks) else 1)


def _print_check(c: SourceCheck, sample: int) -> None:
    verdict = (f"would store articles ({len(c.articles)} of {len(c.articles) + len(c.rejected)} sampled)"
               if c.would_store else "WOULD STORE NOTHING" if sample or not c.candidates
               else f"{c.candidates} article candidates (none sampled)")
    click.echo(f"{c.name}: {verdict}")
    for s in c.seeds:
        status = s.status if s.status is not None else "-"
        if s.error:
            click.echo(f"  {s.role:8} {status}  {s.url}\n           {s.error}")
            continue
        taken = f"{s.articles} articles" + (f", {s.excluded} excluded" if s.excluded else "")
        click.echo(f"  {s.role:8} {status}  {s.url}\n           {s.links} links: {taken}")
    click.echo(f"  {c.candidates} distinct article candidates; {c.not_matching} links include does not take")
    if c.not_matching_shapes:
        click.echo("  commonest shapes of the links include does not take:")
        for shape in c.not_matching_shapes:
            click.echo(f"    {shape.count:5} × {shape.shape}   e.g. {shape.examples[0]}")
    for a in c.articles:
        click.echo(f"  article  [{a.lang or '?'}] {(a.published or '')[:10] or 'no date'}  {a.chars} chars  {a.url}")
        click.echo(f"           {a.title or '(no title)'}")
        for line in a.first_lines:
            click.echo(f"           | {line}")
    for r in c.rejected:
        click.echo(f"  rejected {r.url}\n           {r.reason}")
    for p in c.problems:
        click.echo(f"  problem: {p}")
