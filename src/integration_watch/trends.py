"""Attention over time: how many stories and articles matching a search appeared per month, week or day,
overall or split by language or source.

An article's date is its publication date, else the day it was first stored (as in digest reports). A story
counts in every period (and language or source) where one of its matching articles falls, so stories per
period are the stories "seen" then; articles always add up. Weeks start on Monday and are named by it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta

from .corpus import Corpus
from .search import Filters, QueryError, compile_query, parse_date

PERIODS = ("month", "week", "day")
SPLITS = ("lang", "source")
MAX_PERIODS = 5_000  # a day-by-day chart of decades is no chart: ask for a coarser --by
MAX_SERIES = 8  # beyond this many languages or sources, the smallest are summed as "other"

_DAY = "substr(coalesce(a.published, a.first_fetched), 1, 10)"
_PERIOD_SQL = {
    "day": f"date({_DAY})",
    "week": f"date({_DAY}, 'weekday 0', '-6 days')",  # the Monday of its week
    "month": f"strftime('%Y-%m', {_DAY})",
}
_SPLIT_SQL = {"lang": "coalesce(a.lang, '?')", "source": "a.source", None: "''"}


@dataclass(frozen=True)
class Series:
    key: str  # a language, a source, "other", or "" when not split
    stories: tuple[int, ...]  # per period, in the order of Trend.periods
    articles: tuple[int, ...]


@dataclass(frozen=True)
class Trend:
    query: str | None  # None: every article
    by: str
    split: str | None
    periods: tuple[str, ...]  # every period from the first to the last, empty ones included
    series: tuple[Series, ...]  # most articles first

    def as_dict(self) -> dict[str, object]:
        return {"query": self.query, "by": self.by, "split": self.split, "periods": list(self.periods),
                "series": [{"key": s.key, "stories": list(s.stories), "articles": list(s.articles)}
                           for s in self.series]}


def trend(corpus: Corpus, query: str | None, *, by: str = "month", split: str | None = None,
          filters: Filters = Filters()) -> Trend:
    if by not in PERIODS:
        raise QueryError(f"cannot count by {by!r}; use one of {', '.join(PERIODS)}")
    if split not in (None, *SPLITS):
        raise QueryError(f"cannot split by {split!r}; use one of {', '.join(SPLITS)}")
    where, args = filters.sql(dated=("published", "first_fetched"))
    source = "articles a"
    if query is not None:
        source = "articles_fts JOIN articles a ON a.id = articles_fts.rowid"
        where.insert(0, "articles_fts MATCH :match")
        args["match"] = compile_query(corpus, query, lang=filters.lang).fts
    sql = f"""SELECT {_PERIOD_SQL[by]} AS period, {_SPLIT_SQL[split]} AS key, count(*) AS articles,
                     count(DISTINCT coalesce(a.story_id, -a.id)) AS stories
              FROM {source} {('WHERE ' + ' AND '.join(where)) if where else ''}
              GROUP BY 1, 2 HAVING period IS NOT NULL"""
    try:
        rows = corpus.conn.execute(sql, args).fetchall()
    except sqlite3.OperationalError as exc:
        raise QueryError(f"trends failed: {exc}") from None
    first = _period_of(parse_date(filters.since), by) if filters.since else min((r["period"] for r in rows), default=None)
    last = (_period_of(parse_date(filters.until, end=True), by) if filters.until
            else max((r["period"] for r in rows), default=None))
    periods = _periods(first, last, by) if first and last else ()
    index = {p: i for i, p in enumerate(periods)}
    counts: dict[str, tuple[list[int], list[int]]] = {}
    for r in rows:
        if r["period"] in index:
            stories, articles = counts.setdefault(r["key"], ([0] * len(periods), [0] * len(periods)))
            stories[index[r["period"]]] += r["stories"]
            articles[index[r["period"]]] += r["articles"]
    ranked = sorted(counts.items(), key=lambda kv: (-sum(kv[1][1]), kv[0]))
    series = [Series(key, tuple(s), tuple(a)) for key, (s, a) in ranked[:MAX_SERIES]]
    if len(ranked) > MAX_SERIES:
        # "other" sums stories of several keys: a story in two of them counts twice, as it does in the split
        rest = ranked[MAX_SERIES:]
        series.append(Series("other", tuple(map(sum, zip(*(s for _, (s, _) in rest)))),
                             tuple(map(sum, zip(*(a for _, (_, a) in rest))))))
    return Trend(query, by, split, periods, tuple(series))


def _period_of(day: str, by: str) -> str:
    d = date.fromisoformat(day)
    if by == "month":
        return d.strftime("%Y-%m")
    if by == "week":
        return (d - timedelta(days=d.weekday())).isoformat()
    return d.isoformat()


def _periods(first: str, last: str, by: str) -> tuple[str, ...]:
    out: list[str] = []
    if by == "month":
        year, month = int(first[:4]), int(first[5:7])
        while f"{year:04d}-{month:02d}" <= last:
            out.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            if len(out) > MAX_PERIODS:
                break
    else:
        step = timedelta(days=7 if by == "week" else 1)
        current, end = date.fromisoformat(first), date.fromisoformat(last)
        while current <= end and len(out) <= MAX_PERIODS:
            out.append(current.isoformat())
            current += step
    if len(out) > MAX_PERIODS:
        raise QueryError(f"{first} .. {last} is more than {MAX_PERIODS:,} {by}s: use --by "
                         f"{'week' if by == 'day' else 'month'} or --since/--until")
    return tuple(out)
