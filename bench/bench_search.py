"""Search at scale: a generated corpus of up to a million articles in the project's own schema, the time of
`search()` beside the raw FTS5 query on the same index, build time, database size and export throughput.

    python bench/bench_search.py --generate ../bench-data/search-1m.db --articles 1000000 [--runs 20] [--clock cpu]
        [--reindex] [--flores ../shared/evaldata/mt/flores200_devtest] [--export-articles 200000]

The database at --generate is built once and reused by later runs with the same --articles (delete it, or
pass --rebuild, to build it again). Articles: 40% English, the rest in nine other languages with an English
translation beside them (title_en, text_en), lognormal length (mean ~150 words, 40..1000), dates
2015..2026 independent of the row id (a backfill crawl stores old and new articles in any order).
Text is made of FLORES-200 devtest sentences (aligned across languages, so text_en translates text) with
about a third of the words replaced by draws from a per-language Zipf-Mandelbrot vocabulary: FLORES's own
words by frequency, extended with made-up words into a long tail of 200k words per language, as a corpus of
this size has.

Rows are inserted into `articles` only, through a `Corpus` connection (which creates the schema and defines
fold()). If the schema keeps the index up to date by triggers, the index grows with the inserts; otherwise it
is filled afterwards, in one statement, the way the migrations fill it.

Query classes (a different term every run, so a cached term does not flatter): a rare term (0.01-0.1% of
documents), a mid-frequency term (2-3%), a very frequent term (>50%), a phrase of two co-occurring words, and
a mid-frequency term with --since YEAR; and, as an extra, a very frequent term with --until an early month
(a filter that keeps a few hundred of the oldest articles). Each run times
`integration_watch.search.search(corpus, q, limit=20)` (words with their other forms), the same with
`exact=True` (words as written: search before stemming), the raw FTS5 top-20 by bm25 with the same column
weights (row ids and scores only), and the fair baseline: that raw top 20 with the 20 rows' metadata and an
FTS5 snippet() each (what a search shows, in plain SQL), rotating which goes first.

Export: `integration_watch.export` (rows() into write()) of the first --export-articles articles to JSONL and
CSV, each in a fresh process whose peak RSS (VmHWM) is reported; see run_export().
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import json
import math
import multiprocessing
import os
import pstats
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from search_corpus import db_size, generate, load_flores, reindex, use_languages  # noqa: E402

from integration_watch.corpus import Corpus  # noqa: E402
from integration_watch.search import search  # noqa: E402

RAW_SQL = ("SELECT rowid, bm25(articles_fts, 5.0, 1.0, 5.0, 1.0) FROM articles_fts WHERE articles_fts MATCH ? "
           "ORDER BY 2 LIMIT 20")
RAW_SQL_SINCE = ("SELECT articles_fts.rowid, bm25(articles_fts, 5.0, 1.0, 5.0, 1.0) FROM articles_fts "
                 "JOIN articles a ON a.id = articles_fts.rowid WHERE articles_fts MATCH ? AND a.published >= ? "
                 "ORDER BY 2 LIMIT 20")
RAW_SQL_UNTIL = RAW_SQL_SINCE.replace("a.published >= ?", "a.published < ?")
# The fair baseline: what a search has to show, in plain SQL. The raw top 20 (as above), then those 20 rows'
# metadata and an FTS5 snippet() each (the best column, ~32 tokens). snippet() needs the MATCH cursor, so the
# 20 are matched again, restricted to their rowids.
SHOWN_SQL = """
    WITH top AS ({ranked})
    SELECT a.id, a.source, a.url, a.title, a.title_en, a.lang, a.published, a.story_id,
           snippet(articles_fts, -1, '[', ']', '…', 32), bm25(articles_fts, 5.0, 1.0, 5.0, 1.0) AS score
    FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
    WHERE articles_fts MATCH ?1 AND articles_fts.rowid IN (SELECT rowid FROM top)
    ORDER BY score
"""
SHOWN = {kind: SHOWN_SQL.format(ranked=sql.replace("MATCH ?", "MATCH ?1").replace("published >= ?", "published >= ?2")
                                .replace("published < ?", "published < ?2"))
         for kind, sql in (("plain", RAW_SQL), ("since", RAW_SQL_SINCE), ("until", RAW_SQL_UNTIL))}
# Query timings: wall-clock, or with --clock cpu this thread's CPU time (SQLite runs in the calling thread), which
# a machine shared with other busy processes does not inflate by the time spent waiting for a core.
CLOCKS: dict[str, Callable[[], float]] = {"wall": time.perf_counter, "cpu": time.thread_time}


# --- queries -----------------------------------------------------------------------------------------

@dataclass
class QueryCase:
    query: str  # what a user types (search() input)
    match: str  # the raw FTS5 expression
    docs: int  # documents matching the text part
    since: str | None = None  # YYYY for the date case
    until: str | None = None  # YYYY-MM for the narrow old-date case


def vocabulary_shares(conn: sqlite3.Connection, total: int) -> dict[str, list[tuple[str, int]]]:
    """Index terms per class, from the index's own document counts."""
    conn.execute("DROP TABLE IF EXISTS temp.v")
    conn.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, articles_fts, row)")
    classes: dict[str, list[tuple[str, int]]] = {"rare": [], "mid": [], "frequent": [], "phrase_words": []}
    for term, docs in conn.execute("SELECT term, doc FROM temp.v"):
        share = docs / total
        if not term.isalpha():
            continue
        if 0.0001 <= share <= 0.001 and len(term) >= 4:
            classes["rare"].append((term, docs))
        elif 0.02 <= share <= 0.03 and len(term) >= 3:
            classes["mid"].append((term, docs))
        elif share > 0.5:
            classes["frequent"].append((term, docs))
        if share >= 0.01:
            classes["phrase_words"].append((term, docs))
    conn.execute("DROP TABLE temp.v")
    return classes


def pick_cases(conn: sqlite3.Connection, flores: dict[str, list[str]], runs: int, seed: int) -> dict[str, list[QueryCase]]:
    total = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    classes = vocabulary_shares(conn, total)
    rng = random.Random(seed)

    def sample(pool: list[tuple[str, int]]) -> list[tuple[str, int]]:
        pool = sorted(pool)
        rng.shuffle(pool)
        return [pool[k % len(pool)] for k in range(runs)] if pool else []  # cycle if the class is small

    cases = {
        "rare term": [QueryCase(t, f'"{t}"', d) for t, d in sample(classes["rare"])],
        "mid-frequency term": [QueryCase(t, f'"{t}"', d) for t, d in sample(classes["mid"])],
        "very frequent term": [QueryCase(t, f'"{t}"', d) for t, d in sample(classes["frequent"])],
    }
    # Phrases: adjacent FLORES word pairs, both words in >= 1% of documents, the pair in >= 0.1%.
    common = dict(classes["phrase_words"])
    pairs = sorted({(a.lower(), b.lower()) for s in (x for xs in flores.values() for x in xs)
                    for a, b in zip(s.split(), s.split()[1:])
                    if a.isalpha() and b.isalpha() and a.lower() in common and b.lower() in common and a.lower() != b.lower()})
    rng.shuffle(pairs)
    phrases = []
    for a, b in pairs[: runs * 6]:
        docs = conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (f'"{a} {b}"',)).fetchone()[0]
        if docs >= 0.001 * total:
            phrases.append(QueryCase(f'"{a} {b}"', f'"{a} {b}"', docs))
        if len(phrases) == runs:
            break
    cases["phrase"] = phrases
    years = [str(y) for y in range(2016, 2026)]
    cases["mid term + --since YEAR"] = [
        QueryCase(t, f'"{t}"', d, years[k % len(years)]) for k, (t, d) in enumerate(sample(classes["mid"]))
    ]
    # Extra: a very frequent term with a filter that keeps only the oldest few hundred articles. Where the
    # newest matches are ranked first, this is the case that has to fall back to ranking everything.
    months = ["2015-01", "2015-02", "2015-03"]
    cases["frequent term + --until 2015-0M (extra)"] = [
        QueryCase(t, f'"{t}"', d, until=months[k % len(months)]) for k, (t, d) in enumerate(sample(classes["frequent"]))
    ]
    return cases


def time_ours(corpus: Corpus, case: QueryCase, clock: Callable[[], float], exact: bool = False) -> float:
    """search() as a user runs it (words with their other forms), or `exact` (words as written: the search
    before stemming, the baseline of its cost)."""
    t = clock()
    search(corpus, case.query, since=case.since, until=case.until, limit=20, exact=exact)
    return clock() - t


def time_raw(conn: sqlite3.Connection, case: QueryCase, clock: Callable[[], float], shown: bool = False) -> float:
    """The raw top 20 (row ids and scores), or with `shown` the fair baseline: also their rows and snippets."""
    if case.since:
        kind, args = "since", (case.match, f"{case.since}-01-01")
    elif case.until:
        kind, args = "until", (case.match, f"{case.until}-32")  # "-32": the whole month
    else:
        kind, args = "plain", (case.match,)
    sql = SHOWN[kind] if shown else {"plain": RAW_SQL, "since": RAW_SQL_SINCE, "until": RAW_SQL_UNTIL}[kind]
    t = clock()
    conn.execute(sql, args).fetchall()
    return clock() - t


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def measure(corpus: Corpus, cases: list[QueryCase], budget_s: float,
            clock: Callable[[], float] = time.perf_counter) -> dict[str, list[float]]:
    """search(), the raw query and the fair baseline on each case, in a rotating order, so none always pays
    for the term's first read from disk. A class stops early (after at least 5 runs) once it has used its
    time budget."""
    times: dict[str, list[float]] = {"ours": [], "exact": [], "raw": [], "shown": []}
    runs = {"ours": lambda c: time_ours(corpus, c, clock), "exact": lambda c: time_ours(corpus, c, clock, True),
            "raw": lambda c: time_raw(corpus.conn, c, clock), "shown": lambda c: time_raw(corpus.conn, c, clock, shown=True)}
    order = list(runs)
    started = time.perf_counter()
    for k, case in enumerate(cases):
        if k >= 5 and time.perf_counter() - started > budget_s:
            break
        for name in order[k % len(order):] + order[: k % len(order)]:
            times[name].append(runs[name](case))
    return times


def profile_ours(corpus: Corpus, case: QueryCase) -> None:
    """Where one search() call spends its time (--profile)."""
    prof = cProfile.Profile()
    prof.runcall(search, corpus, case.query, since=case.since, until=case.until, limit=20)
    pstats.Stats(prof).sort_stats("cumulative").print_stats(12)


# --- export --------------------------------------------------------------------------------------------

def run_export(corpus: Corpus, out: Path, limit: int, fmt: str) -> int:
    """The project's export (integration_watch.export: rows() streamed into write()) of the first `limit`
    articles, unfiltered, to `out`. Wire-up point: if export's API changes, only this body needs to follow."""
    from integration_watch import export

    with out.open("w", encoding="utf-8", newline="") as fh:
        return export.write(itertools.islice(export.rows(corpus), limit), fh, fmt)


def _export_child(path: str, out: str, limit: int, fmt: str, queue: Any) -> None:  # runs in a spawned process
    def hwm_kib() -> int:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        return 0

    try:
        corpus = Corpus(path)  # not read-only: a newer schema than the cached database migrates first
        before = hwm_kib()
        t = time.perf_counter()
        written = run_export(corpus, Path(out), limit, fmt)
        queue.put({"articles": written, "seconds": time.perf_counter() - t, "hwm_before_kib": before,
                   "hwm_kib": hwm_kib(), "bytes": Path(out).stat().st_size})
    except Exception as exc:  # noqa: BLE001  reported, not raised: the search figures still print
        queue.put({"error": f"{type(exc).__name__}: {exc}"})


def bench_export(path: Path, limit: int, fmt: str) -> dict[str, Any]:
    """Export in a fresh process, so its peak RSS (VmHWM) is the export's and not this benchmark's."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        child = ctx.Process(target=_export_child, args=(str(path), str(Path(tmp) / f"out.{fmt}"), limit, fmt, queue))
        child.start()
        result: dict[str, Any] = queue.get()
        child.join()
    return result


# --- main ------------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 2)[2])
    parser.add_argument("--generate", type=Path, default=REPO.parent / "bench-data/search.db",
                        help="database to build (if missing) and query; kept between runs")
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--rebuild", action="store_true", help="build the database again even if it exists")
    parser.add_argument("--reindex", action="store_true", help="also time emptying and refilling the index alone")
    parser.add_argument("--runs", type=int, default=20, help="queries per class (a different term each)")
    parser.add_argument("--budget", type=float, default=180.0, help="seconds per class before it stops early")
    parser.add_argument("--profile", action="store_true", help="cProfile one search() call per class")
    parser.add_argument("--export-articles", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=1, help="generator processes (one keeps up with the inserts)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                        help="time queries by the wall clock or by this thread's CPU time (a shared machine)")
    parser.add_argument("--flores", type=Path, default=REPO.parent / "shared/evaldata/mt/flores200_devtest")
    args = parser.parse_args()

    path: Path = args.generate
    path.parent.mkdir(parents=True, exist_ok=True)
    use_languages(args.flores)
    meta_path = Path(f"{path}.meta.json")  # what the cached database was built with
    meta = json.loads(meta_path.read_text()) if meta_path.exists() and path.exists() else None
    if args.rebuild or meta is None or meta.get("articles") != args.articles:
        for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), meta_path):
            stale.unlink(missing_ok=True)
        print(f"building {args.articles:,} articles at {path} ...", file=sys.stderr)
        timing = generate(path, args.articles, args.seed, args.workers)
        meta = {"articles": args.articles, "seed": args.seed, "built": time.strftime("%Y-%m-%d %H:%M"), **timing}
        meta_path.write_text(json.dumps(meta, indent=1))
    else:
        print(f"reusing {path} (built {meta['built']})", file=sys.stderr)
    if args.reindex:
        meta["reindex_s"] = reindex(path)

    n = args.articles
    per_m = 1_000_000 / n
    print(f"corpus: {n:,} articles at {path}, built {meta['built']}, CPUs: {os.cpu_count()}, SQLite {sqlite3.sqlite_version}")
    index_note = "by triggers, within the inserts" if meta["index_by_triggers"] else f"{meta['index_s']:.1f} s"
    print(f"build: total {meta['total_s']:.1f} s (insert {meta['insert_s']:.1f} s, index {index_note}, "
          f"waiting for the generator {meta.get('generator_wait_s', 0):.1f} s, "
          f"ANALYZE {meta['analyze_s']:.1f} s) = {meta['total_s'] * per_m / 60:.1f} min per million")
    if "reindex_s" in meta:
        print(f"index alone (empty, then refill with the migrations' statement): {meta['reindex_s']:.1f} s "
              f"= {meta['reindex_s'] * per_m / 60:.1f} min per million")

    t = time.perf_counter()
    corpus = Corpus(path)  # as the CLI opens it (migrates a database built by an older schema)
    open_s = time.perf_counter() - t
    sizes = db_size(path)
    mb = 1024 * 1024
    parts = ", ".join(f"{k} {sizes[k] / mb:,.0f} MB" for k in ("articles", "fts", "indexes", "other") if k in sizes)
    print(f"size: file {sizes['file'] / mb:,.0f} MB + WAL {sizes['wal'] / mb:,.0f} MB "
          f"= {(sizes['file'] + sizes['wal']) * per_m / 1024**3:.2f} GB per million articles ({parts}); "
          f"open {open_s * 1000:.0f} ms")
    stats = corpus.conn.execute("SELECT avg(length(text)), avg(length(text) - length(replace(text, ' ', '')) + 1) "
                                "FROM (SELECT text FROM articles WHERE id % 100 = 0)").fetchone()
    print(f"text: {stats[0]:.0f} characters, {stats[1]:.0f} words on average (original; non-English ones also have text_en)")

    t = time.perf_counter()
    cases = pick_cases(corpus.conn, load_flores(args.flores), args.runs, args.seed)
    print(f"terms picked from the index's vocabulary in {time.perf_counter() - t:.1f} s; queries timed by the "
          f"{'wall clock' if args.clock == 'wall' else 'CPU time of this thread'}")
    header = (f"| {'class':<40} | doc share (matches) | runs | ours median / p95 | raw FTS5 median / p95 | ratio "
              f"| raw + 20 rows + snippet() median / p95 | ratio (fair) | --exact median / p95 | ours / --exact |")
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    slowest = 0.0
    for name, class_cases in cases.items():
        if not class_cases:
            print(f"| {name:<40} | no term of this class in the index |")
            continue
        times = measure(corpus, class_cases, args.budget, CLOCKS[args.clock])
        ours, raw, shown, exact = times["ours"], times["raw"], times["shown"], times["exact"]
        docs = statistics.median(c.docs for c in class_cases[: len(ours)])
        slowest = max(slowest, *ours)
        ratio = statistics.median(ours) / statistics.median(raw)
        fair = statistics.median(ours) / statistics.median(shown)
        print(f"| {name:<40} | {docs / n:7.3%} ({docs:,.0f}) | {len(ours)} | "
              f"{statistics.median(ours) * 1000:,.1f} / {p95(ours) * 1000:,.1f} ms | "
              f"{statistics.median(raw) * 1000:,.1f} / {p95(raw) * 1000:,.1f} ms | {ratio:.2f} | "
              f"{statistics.median(shown) * 1000:,.1f} / {p95(shown) * 1000:,.1f} ms | {fair:.2f} | "
              f"{statistics.median(exact) * 1000:,.1f} / {p95(exact) * 1000:,.1f} ms | "
              f"{statistics.median(ours) / statistics.median(exact):.2f} |", flush=True)
        if args.profile:
            profile_ours(corpus, class_cases[0])
    print(f"slowest search(): {slowest * 1000:,.0f} ms (goals: ratio <= 1.3, mid-frequency <= 50 ms, none over 1 s)")
    corpus.close()

    limit = min(args.export_articles, n)
    for fmt in ("jsonl", "csv"):
        result = bench_export(path, limit, fmt)
        if "error" in result:
            print(f"export {fmt}: not measured ({result['error']}); see run_export() in this script")
            continue
        print(f"export {fmt}: {result['articles']:,} articles in {result['seconds']:.1f} s = "
              f"{result['articles'] / result['seconds']:,.0f} articles/s, {result['bytes'] / mb:,.0f} MB written; "
              f"peak RSS {result['hwm_kib'] / 1024:.0f} MB (after imports and open: {result['hwm_before_kib'] / 1024:.0f} MB)")

if __name__ == "__main__":
    main()
