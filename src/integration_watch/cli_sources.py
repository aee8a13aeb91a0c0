"""`integration-watch sources …`: check the sources of a sources.toml without crawling them, and suggest a new
one from a URL. The work is check.py's and suggest.py's; this module only reads options and prints."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .cli_common import _friendly, format_option, sources_option
from .config import Settings, append_source, load_config

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
@format_option("text", "json")
@_friendly
def check_cmd(names: tuple[str, ...], sources_path: Path, sample: int, fmt: str) -> None:
    """A dry run of each source (or the NAMEs given): its start URLs, feeds and sitemaps, the links they hold
    and how many include/exclude take, a sample of articles extracted as the crawl would, and the pages it
    would reject. As polite as a crawl (robots.txt, delays); nothing is stored.

    Exit status: 0 every source would store articles, 1 one would store nothing, 2 bad input.
    """
    from .check import check_sources  # crawl and extraction machinery: loaded only when a check runs

    config = load_config(sources_path)
    checks = check_sources(config, list(names), sample=sample)
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
        via = f" (from {s.via})" if s.via != "sources.toml" else ""
        if s.error:
            click.echo(f"  {s.role:8} {status}  {s.url}{via}\n           {s.error}")
            continue
        taken = f"{s.articles} articles" + (f", {s.excluded} excluded" if s.excluded else "")
        click.echo(f"  {s.role:8} {status}  {s.url}{via}\n           {s.links} links: {taken}")
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


@sources_group.command("suggest")
@click.argument("url")
@click.option("--append", "append_to", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Append the block to this sources file, after checking the result loads (never writes an "
                   "invalid file); its [defaults] are used for the requests.")
@click.option("--sources", "sources_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Take the request settings (user_agent, delay, …) from this file's [defaults].")
@format_option("toml", "json")
@_friendly
def suggest_cmd(url: str, append_to: Path | None, sources_path: Path | None, fmt: str) -> None:
    """Look at a site from one of its pages (politely, as a crawl would) and print a commented [[source]]
    block: its feeds (<link rel="alternate">, common paths), its sitemaps (robots.txt Sitemap lines, common
    paths), include patterns from the shapes of the page's links that lead to articles (a few of each are
    fetched and extracted), and the languages of those articles.

    Exit status: 0 a block was suggested (and appended), 1 nothing to suggest, 2 bad input or a sources file
    that would not load.
    """
    from .suggest import SuggestError, suggest  # fetching and extraction: loaded only when a suggestion runs

    settings, taken = Settings(), set()
    base = append_to if append_to is not None and append_to.exists() else sources_path
    if base is not None:
        config = load_config(base)
        settings, taken = config.defaults, {s.name for s in config.sources}
    try:
        suggestion = suggest(url, settings, taken=taken)
    except SuggestError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    block = suggestion.toml()
    if append_to is not None:
        append_source(append_to, block)
    if fmt == "json":
        click.echo(json.dumps(suggestion.as_dict(), indent=2, ensure_ascii=False))
    elif append_to is None:
        click.echo(block, nl=False)
    if append_to is not None:
        click.echo(f"appended source {suggestion.name!r} to {append_to}", err=True)
