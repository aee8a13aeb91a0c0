"""`integration-watch trends QUERY`: matching stories and articles per month, week or day, as a table, JSON,
CSV, an SVG or PNG chart or an HTML page with both. Counting is trends.py's, drawing chart.py's."""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import export
from .chart import ChartError, line_chart, svg_to_png
from .cli_common import QueryCommand, UserError, _friendly, filter_options
from .corpus import Corpus
from .search import Filters
from .trends import PERIODS, SPLITS, Trend, trend

FORMATS = ("table", "json", "csv", "svg", "png", "html")
SUFFIXES = {".json": "json", ".csv": "csv", ".svg": "svg", ".png": "png", ".html": "html", ".htm": "html",
            ".txt": "table"}


@click.command("trends", cls=QueryCommand)
@click.argument("query")
@click.option("--by", type=click.Choice(PERIODS), default="month", show_default=True, help="The period counted.")
@click.option("--split", type=click.Choice(SPLITS), default=None, help="One line per language or per source.")
@filter_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format [default: from --out's suffix, else table].")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here (atomically) instead of stdout: trends.svg, trends.png, trends.html, trends.csv, "
                   "trends.json.")
@click.pass_obj
@_friendly
def trends_cmd(obj: dict[str, Any], query: str, by: str, split: str | None, lang: str | None, source: str | None,
               since: str | None, until: str | None, fmt: str | None, out: Path | None) -> None:
    """How many stories and articles matching QUERY (as in 'search') appeared per month, week or day: the
    attention a subject gets over time. Dated by publication, else first sighting. A story counts in every
    period where one of its matching articles falls; articles always add up."""
    fmt = fmt or (SUFFIXES.get(out.suffix.lower(), "table") if out else "table")
    if fmt == "png" and out is None:
        raise UserError("a PNG goes to a file: --out trends.png")
    filters = Filters(lang, source, since, until)
    filters.check()
    with Corpus(obj["db"], readonly=True) as corpus:
        filters.check_known(corpus)
        result = trend(corpus, query, by=by, split=split, filters=filters)
    writers: dict[str, Callable[[Trend], str | bytes]] = {
        "table": table, "json": lambda t: json.dumps(t.as_dict(), indent=2, ensure_ascii=False) + "\n",
        "csv": as_csv, "svg": chart, "png": lambda t: svg_to_png(chart(t)), "html": html_page}
    try:
        document = writers[fmt](result)
    except ChartError as exc:
        raise UserError(str(exc)) from None
    if out is None:
        click.echo(document, nl=False)
        return
    try:
        with export.atomic_output(out, binary=isinstance(document, bytes)) as handle:
            handle.write(document)
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror or exc}") from None
    click.echo(f"trends: {len(result.periods)} {by}s, {len(result.series)} series -> {out}", err=True)


def title(t: Trend) -> str:
    split = f", by {'language' if t.split == 'lang' else 'source'}" if t.split else ""
    return f"Stories matching '{t.query}' per {t.by}{split}"


def chart(t: Trend) -> str:
    return line_chart(title(t), t.periods, [(s.key, s.stories) for s in t.series], y_label=f"stories per {t.by}")


def table(t: Trend) -> str:
    if not t.series:
        return "no matches\n"
    keys = [s.key or "all" for s in t.series]
    cells = [[f"{s.stories[i]} ({s.articles[i]})" for s in t.series] for i in range(len(t.periods))]
    width = max(len(x) for x in [*keys, *(c for row in cells for c in row)])
    lines = [title(t) + ": stories (articles)", f"{t.by:10} " + " ".join(f"{k:>{width}}" for k in keys)]
    lines += [f"{p:10} " + " ".join(f"{c:>{width}}" for c in row) for p, row in zip(t.periods, cells)]
    lines.append(f"{'articles':10} " + " ".join(f"{sum(s.articles):>{width}}" for s in t.series))
    return "\n".join(lines) + "\n"


def as_csv(t: Trend) -> str:
    """One row per period and series (the shape spreadsheets and plotting tools read best)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([t.by, t.split or "series", "stories", "articles"])
    for s in t.series:
        writer.writerows([p, s.key or "all", s.stories[i], s.articles[i]] for i, p in enumerate(t.periods))
    return buffer.getvalue()


def html_page(t: Trend) -> str:
    head = "".join(f"<th>{html.escape(s.key or 'all')}</th>" for s in t.series)
    rows = "".join(
        f"<tr><td>{p}</td>" + "".join(f"<td>{s.stories[i]} ({s.articles[i]})</td>" for s in t.series) + "</tr>\n"
        for i, p in enumerate(t.periods))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title(t))}</title>
<style>body{{font-family:sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}}
table{{border-collapse:collapse}}td,th{{padding:.15rem .6rem;text-align:right;border-bottom:1px solid #ddd}}
svg{{max-width:100%;height:auto}}</style></head>
<body>
{chart(t)}
<p>Stories per {t.by} (articles in brackets), dated by publication, else first sighting. A story counts in
every {t.by} where one of its matching articles falls; articles always add up.</p>
<table><thead><tr><th>{t.by}</th>{head}</tr></thead>
<tbody>
{rows}</tbody></table>
</body></html>
"""
