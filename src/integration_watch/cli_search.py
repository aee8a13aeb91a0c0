"""`integration-watch search`: full-text search, one row per story, with totals or counts per language or source."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from typing import Any

import click

from .cli_common import (
    QueryCommand,
    UserError,
    _friendly,
    filter_options,
    format_option,
)
from .corpus import Corpus
from .search import COUNT_BY, SORTS, Filters, Totals, count, matches_more_than, search


@click.command("search", cls=QueryCommand)
@click.argument("query")
@filter_options
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True,
              help="relevance: bm25, titles weighted, newer first among equals; date: newest first.")
@click.option("--all-copies", is_flag=True, help="Every matching article, not one per story.")
@click.option("--count", "count_only", is_flag=True, help="Print only how many stories and articles match.")
@click.option("--by", type=click.Choice(COUNT_BY), default=None, help="With --count: the numbers per language or source.")
@click.option("--exact", is_flag=True, help="Words only as written (refugee without refugees); phrases always are.")
@format_option("table", "json", "csv")
@click.pass_obj
@_friendly
def search_cmd(obj: dict[str, Any], query: str, lang: str | None, source: str | None, since: str | None,
               until: str | None, limit: int, sort: str, all_copies: bool, count_only: bool, by: str | None,
               exact: bool, fmt: str) -> None:
    """Full-text search over original and English text, one row per story (its best match) unless
    --all-copies. QUERY: words (each finds its other forms: refugee, refugees), "exact phrases", AND/OR/NOT or
    -word, prefix*, title:word (see the README)."""
    filters = Filters(lang, source, since, until)
    filters.check()  # a bad date is reported before the database is touched
    if by and not count_only:
        raise UserError("--by goes with --count (the numbers per language or source)")
    with Corpus(obj["db"], readonly=True) as corpus:
        filters.check_known(corpus)
        if count_only:
            _print_counts(count(corpus, query, filters, exact=exact),
                          count(corpus, query, filters, by, exact=exact) if by else None, by, fmt)
            return
        hits = search(corpus, query, lang=lang, source=source, since=since, until=until, sort=sort, limit=limit,
                      all_copies=all_copies, exact=exact)
        # a table ends with the totals (JSON and CSV stay lists of hits: scripts parse them; --count gives totals)
        totals: Totals | None = None
        if fmt == "table" and hits:
            # exact totals cost a read of every matching article: beyond TOTALS_CAP they are left to --count
            totals = (None if matches_more_than(corpus, query, filters, TOTALS_CAP, exact=exact)
                      else count(corpus, query, filters, exact=exact)[""])
    rows = [asdict(h) for h in hits]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        for row in rows:
            row["more"] = " ".join(row["more"])
        click.echo(_csv(rows, ["id", "score", "lang", "source", "published", "title", "url", "story_id", "more",
                               "snippet"]), nl=False)
    elif not rows:
        click.echo("no matches")
    else:
        for h in hits:
            title = h.title or "(no title)"
            if h.title_en and h.title_en != h.title:
                title += f"  ({h.title_en})"
            more = f"  +{len(h.more)} more: {', '.join(h.more)}" if h.more else ""
            click.echo(f"#{h.id}  [{h.lang or '?'}]  {h.source}  {(h.published or '')[:10]}  {title}{more}")
            click.echo(f"    {h.url}")
            click.echo(f"    {h.snippet}")
        click.echo(_totals_line(totals, len(hits), all_copies) if totals is not None else
                   f"{len(hits)} of more than {TOTALS_CAP:,} matching articles; --count for the exact numbers, "
                   "--limit for more")


TOTALS_CAP = 10_000  # matching articles a search table counts exactly (about 45 ms); --count counts any number


def _totals_line(totals: Totals, shown: int, all_copies: bool) -> str:
    """'20 of 27 stories (32 articles); --limit for more', or '27 stories (32 articles)' when all are shown."""
    stories = f"{totals.stories} stor{'y' if totals.stories == 1 else 'ies'}"
    articles = f"{totals.articles} article{'' if totals.articles == 1 else 's'}"
    whole, part = (articles, stories) if all_copies else (stories, articles)
    complete = shown >= (totals.articles if all_copies else totals.stories)
    return (f"{whole} ({part})" if complete else f"{shown} of {whole} ({part}); --limit for more")


def _print_counts(total: dict[str, Totals], split: dict[str, Totals] | None, by: str | None, fmt: str) -> None:
    everything = total[""]
    if fmt == "json":
        record: dict[str, Any] = asdict(everything)
        if split is not None:
            record["by"] = {by: {key: asdict(t) for key, t in split.items()}}
        click.echo(json.dumps(record, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        rows = [{by or "all": key, **asdict(t)} for key, t in (split or {"": everything}).items()]
        click.echo(_csv(rows, [by or "all", "stories", "articles"]), nl=False)
    else:
        click.echo(_totals_line(everything, everything.stories, False))
        for key, t in (split or {}).items():
            click.echo(f"  {key:24} {t.stories:>7} stor{'y ' if t.stories == 1 else 'ies'} {t.articles:>7} "
                       f"article{'' if t.articles == 1 else 's'}")


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
