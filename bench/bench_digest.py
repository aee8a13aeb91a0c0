"""The digest at scale: a day's digest (1,000 new articles) out of a 101,000-article corpus.

    python bench/bench_digest.py [--corpus /work/bench-data/stories/scale/scale-100000.db] [--new 1000] [--runs 5]

The corpus is the one bench_stories.py --parts scale leaves behind (100,000 synthetic articles ~100 a day
in 10 languages with their English, plus 1,000 new ones of the last 3 days; stories placed). It is copied
(SQLite backup) so it is not changed. A delivered digest is recorded as having covered every article but the
newest --new, so the digest under test covers exactly those, as after a day's crawls.

Timed, median of --runs: `digest.build` (window, stories, leads, furniture) and `digest_formats.render` for
each format; the baseline, measured in the same run, is reading what the digest reports and nothing more: the
window's articles and every article of their stories, whole rows (`SELECT *`). Also: the first digest of a
corpus (articles first stored in the last 24 hours: no watermark, so a scan) and a report over publication
dates (`--since 3d`).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from integration_watch import digest, digest_formats
from integration_watch.corpus import Corpus
from integration_watch.search import Filters


def median_seconds(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def baseline(corpus: Corpus, after: int) -> int:
    """Read the window's articles and every article of their stories, whole rows."""
    rows = corpus.conn.execute("SELECT * FROM articles WHERE id > ?", (after,)).fetchall()
    stories = sorted({r["story_id"] for r in rows})
    members = corpus.select_in("SELECT * FROM articles WHERE story_id IN ({marks})", stories)
    return len(rows) + len(members)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=Path("/work/bench-data/stories/scale/scale-100000.db"))
    parser.add_argument("--new", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "digest.db"
        with sqlite3.connect(args.corpus) as source, sqlite3.connect(db) as copy:
            source.backup(copy)
        with Corpus(db) as corpus:
            total = corpus.conn.execute("SELECT max(id) FROM articles").fetchone()[0]
            after = total - args.new
            with corpus.transaction() as c:
                c.execute("DELETE FROM digests")
                c.execute("""INSERT INTO digests(created, key, after_article, through_article, articles, stories, format)
                             VALUES (?, ?, NULL, ?, ?, 0, 'markdown')""",
                          (datetime.now(UTC).isoformat(timespec="seconds"), digest.watermark_key(Filters()), after, after))
            base = median_seconds(lambda: baseline(corpus, after), args.runs)
            result = digest.build(corpus, Filters())
            build = median_seconds(lambda: digest.build(corpus, Filters()), args.runs)
            print(f"corpus {total:,} articles; digest of the newest {result.articles:,} articles: "
                  f"{len(result.entries):,} stories")
            print(f"baseline (read the window and its stories' articles): {base * 1000:.0f} ms")
            print(f"digest.build: {build * 1000:.0f} ms = {build / base:.2f}x the baseline")
            for fmt in digest_formats.FORMATS:
                seconds = median_seconds(lambda: digest_formats.render(result, fmt), args.runs)
                size = len(digest_formats.render(result, fmt).encode())
                print(f"  render {fmt:8}: {seconds * 1000:6.0f} ms, {size / 1e6:.2f} MB; build + render "
                      f"{(build + seconds) / base:.2f}x the baseline")
            # the first digest: no watermark, articles first stored in the last 24 hours (a scan)
            with corpus.transaction() as c:
                c.execute("DELETE FROM digests")
                c.execute("UPDATE articles SET first_fetched = ? WHERE id > ?",
                          ((datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="seconds"), after))
            first = median_seconds(lambda: digest.build(corpus, Filters()), args.runs)
            print(f"first digest (last 24 h, no watermark): {first * 1000:.0f} ms, "
                  f"{len(digest.build(corpus, Filters()).entries):,} stories")
            report = median_seconds(lambda: digest.build(corpus, Filters(since="3d")), args.runs)
            print(f"report --since 3d (publication dates): {report * 1000:.0f} ms, "
                  f"{len(digest.build(corpus, Filters(since='3d')).entries):,} stories")


if __name__ == "__main__":
    main()
