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
from collections import Counter, deque
from dataclasses import dataclass
from datetime import date, timedelta
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any
from collections.abc import Callable

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from integration_watch.corpus import Corpus, text_hash  # noqa: E402
from integration_watch.search import search  # noqa: E402

# Share of articles per original language (English first: most of what the seeds publish).
LANG_SHARES = {"en": .40, "de": .12, "fr": .10, "it": .08, "es": .08, "pl": .05, "el": .05, "nl": .04, "sv": .04,
               "pt": .04}
VOCAB_SIZE = 200_000  # per language: Heaps' law puts a 10M-150M-token corpus at a few hundred thousand words
SWAP_SHARE = 0.33  # of words replaced by Zipf draws, so FLORES's 1012 sentences become a varied corpus
BATCH = 10_000  # rows per generated batch and per transaction
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
FIRST_DAY, LAST_DAY = date(2015, 1, 1), date(2026, 11, 30)
# Query timings: wall-clock, or with --clock cpu this thread's CPU time (SQLite runs in the calling thread), which
# a machine shared with other busy processes does not inflate by the time spent waiting for a core.
CLOCKS: dict[str, Callable[[], float]] = {"wall": time.perf_counter, "cpu": time.thread_time}


# --- text generation ---------------------------------------------------------------------------------

@dataclass
class Language:
    """One language's sentences laid end to end (twice, so any run of consecutive sentences is one slice)
    and its Zipf vocabulary."""

    tokens: list[str]  # whitespace tokens of all sentences, twice over
    swappable: np.ndarray  # bool per token: a plain word that may be replaced
    starts: np.ndarray  # token offset of each sentence (2n + 1 entries)
    vocab: np.ndarray  # words by rank (object array)
    cdf: np.ndarray  # cumulative Zipf-Mandelbrot probabilities over vocab


def load_flores(flores: Path) -> dict[str, list[str]]:
    """Sentences per language; the English references are the same 1012 sentences in every file."""
    out: dict[str, list[str]] = {}
    for lang in LANG_SHARES:
        if lang == "en":
            continue
        rows = [json.loads(line) for line in (flores / f"{lang}-en.jsonl").read_text(encoding="utf-8").splitlines()]
        out[lang] = [r["src"] for r in rows]
        out.setdefault("en", [r["ref"] for r in rows])
    return out


def zipf_vocabulary(sentences: list[str], rng: random.Random) -> list[str]:
    """FLORES's words by frequency, then made-up words (halves of two real words) for the long tail."""
    counts = Counter(w.lower() for s in sentences for w in s.split() if w.isalpha())
    words = [w for w, _ in counts.most_common()]
    seen = set(words)
    long_words = [w for w in words if len(w) >= 4]
    while len(words) < VOCAB_SIZE:
        a, b = rng.choice(long_words), rng.choice(long_words)
        made = a[: max(2, len(a) // 2)] + b[len(b) // 2 :]
        if made not in seen:
            seen.add(made)
            words.append(made)
    return words


def build_language(sentences: list[str], seed: int) -> Language:
    per_sentence = [s.split() for s in sentences]
    lengths = [len(t) for t in per_sentence]
    tokens = [t for s in per_sentence for t in s] * 2
    swappable = np.array([t.isalpha() for t in tokens], dtype=bool)
    starts = np.concatenate([[0], np.cumsum(lengths * 2)])
    vocab = zipf_vocabulary(sentences, random.Random(seed))
    weights = 1.0 / (np.arange(1, len(vocab) + 1) + 2.7) ** 1.0
    cdf = np.cumsum(weights / weights.sum())
    return Language(tokens, swappable, starts, np.array(vocab, dtype=object), cdf)


_LANGS: dict[str, Language] = {}  # built once in the parent, inherited by the forked generator workers
_SOURCES = [f"site{k:02d}" for k in range(50)]


def build_languages(flores: Path) -> dict[str, Language]:
    return {lang: build_language(s, seed) for seed, (lang, s) in enumerate(load_flores(flores).items())}


def varied(lang: Language, a: int, b: int, rng: np.random.Generator) -> list[str]:
    """Tokens a..b with about SWAP_SHARE of the plain words replaced by Zipf draws."""
    out = lang.tokens[a:b]
    picks = np.flatnonzero((rng.random(b - a) < SWAP_SHARE) & lang.swappable[a:b])
    if len(picks):
        words = lang.vocab[np.searchsorted(lang.cdf, rng.random(len(picks)))]
        for i, w in zip(picks.tolist(), words.tolist()):
            out[i] = w
    return out


def paragraphs(lang: Language, first: int, count: int, breaks: list[int], rng: np.random.Generator) -> str:
    """Sentences first..first+count, varied, grouped into paragraphs at the given sentence breaks."""
    tokens = varied(lang, int(lang.starts[first]), int(lang.starts[first + count]), rng)
    base = int(lang.starts[first])
    cuts = [int(lang.starts[first + k]) - base for k in [0, *breaks, count]]
    return "\n".join(" ".join(tokens[cuts[k] : cuts[k + 1]]) for k in range(len(cuts) - 1))


def title(lang: Language, sentence: int, words: int, rng: np.random.Generator) -> str:
    a = int(lang.starts[sentence])
    b = min(a + words, int(lang.starts[sentence + 1]))
    return " ".join(varied(lang, a, b, rng)).rstrip(".,;:!?\"'»“”")


def make_batch(batch: int, size: int, seed: int) -> list[tuple[Any, ...]]:
    """Rows for articles batch*size .. +size, deterministic in (seed, batch) whatever process makes them."""
    rng = np.random.default_rng([seed, batch])
    langs = list(LANG_SHARES)
    lang_of = rng.choice(len(langs), size=size, p=list(LANG_SHARES.values()))
    # Lognormal word count: median ~120, mean ~150 (searchsorted rounds up to whole sentences), clipped to 40..1000.
    target = np.clip(rng.lognormal(math.log(120), 0.55, size), 40, 1000).astype(int)
    span = (LAST_DAY - FIRST_DAY).days
    days = (np.sqrt(rng.random(size)) * span).astype(int)  # more articles in recent years
    n_sentences = len(_LANGS["en"].starts) // 2
    source_w = 1.0 / np.arange(1, len(_SOURCES) + 1)
    source_of = rng.choice(len(_SOURCES), size=size, p=source_w / source_w.sum())
    stamp = "2026-11-30T12:00:00+00:00"
    rows = []
    for k in range(size):
        i = batch * size + k
        lang = langs[lang_of[k]]
        first = int(rng.integers(n_sentences))
        starts = _LANGS[lang].starts
        count = max(1, int(np.searchsorted(starts, starts[first] + target[k])) - first)
        breaks = sorted({int(x) for x in rng.integers(1, count, size=count // 3)}) if count > 1 else []
        head, head_words = int(rng.integers(n_sentences)), int(rng.integers(5, 14))
        text = paragraphs(_LANGS[lang], first, count, breaks, rng)
        ttl = title(_LANGS[lang], head, head_words, rng)
        if lang == "en":
            title_en = text_en = None
            status, languages = "english", '["en"]'
        else:
            title_en = title(_LANGS["en"], head, head_words, rng)
            text_en = paragraphs(_LANGS["en"], first, count, breaks, rng)
            status, languages = "translated", f'["{lang}"]'
        source = _SOURCES[source_of[k]]
        url = f"https://{source}.example.eu/{lang}/news/{i}"
        published = (FIRST_DAY + timedelta(days=int(days[k]))).isoformat()
        rows.append((source, url, url, ttl, text, lang, 0.99, languages, "[]", published, text_hash(text),
                     stamp, stamp, stamp, title_en, text_en, status, None if lang == "en" else "bench", stamp))
    return rows


# --- building the database ---------------------------------------------------------------------------

INSERT = """INSERT INTO articles(source, url, fetched_url, title, text, lang, lang_confidence, languages,
    paragraph_langs, published, text_hash, first_fetched, last_fetched, updated, title_en, text_en,
    translation_status, translation_engine, translated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""


def has_index_triggers(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'articles'").fetchone()[0] > 0


def fill_index(conn: sqlite3.Connection) -> None:
    """The standalone-index layout: fill articles_fts from articles as the migrations do (fold()ed copies)."""
    conn.execute(
        "INSERT INTO articles_fts(rowid, title, text, title_en, text_en) SELECT id, fold(coalesce(title, '')), "
        "fold(text), fold(coalesce(title_en, '')), fold(coalesce(text_en, '')) FROM articles"
    )


def generate(path: Path, articles: int, seed: int, workers: int) -> dict[str, Any]:
    """Build the corpus at path. Returns timings; the generator runs in worker processes beside the inserts."""
    timing: dict[str, Any] = {}
    started = time.perf_counter()
    corpus = Corpus(path)
    conn = corpus.conn
    # Build-only settings: a half-built bench database is simply deleted, so no journal and no fsync.
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")  # 256 MB: the url and date indexes stay in memory
    triggers = has_index_triggers(conn)
    with conn:
        conn.executemany("INSERT OR IGNORE INTO sources(name, first_seen) VALUES (?, '2015-01-01')",
                         [(s,) for s in _SOURCES])
    jobs = [(b, min(BATCH, articles - b * BATCH), seed) for b in range(math.ceil(articles / BATCH))]
    insert_s = gen_wait_s = 0.0
    done = 0

    def insert(result: AsyncResult[list[tuple[Any, ...]]]) -> None:
        nonlocal insert_s, gen_wait_s, done
        t = time.perf_counter()
        rows = result.get()
        gen_wait_s += time.perf_counter() - t
        t = time.perf_counter()
        with conn:
            conn.executemany(INSERT, rows)
        insert_s += time.perf_counter() - t
        done += len(rows)
        print(f"\r  {done:,} / {articles:,} articles ({time.perf_counter() - started:.0f} s)", end="", file=sys.stderr)

    with multiprocessing.get_context("fork").Pool(workers) as pool:
        # At most a few batches in flight: generating (~0.1 ms a row) outruns inserting, and unbounded
        # read-ahead would hold the whole corpus in memory.
        pending: deque[AsyncResult[list[tuple[Any, ...]]]] = deque()
        for job in jobs:
            pending.append(pool.apply_async(make_batch, job))
            if len(pending) > workers + 1:
                insert(pending.popleft())
        while pending:
            insert(pending.popleft())
    print(file=sys.stderr)
    timing["insert_s"] = insert_s
    timing["generator_wait_s"] = gen_wait_s  # time the inserts waited for the generator
    timing["index_by_triggers"] = triggers
    if not triggers:
        t = time.perf_counter()
        with conn:
            fill_index(conn)
        timing["index_s"] = time.perf_counter() - t
    t = time.perf_counter()
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode = WAL")  # back to what the product runs with
    timing["analyze_s"] = time.perf_counter() - t
    timing["total_s"] = time.perf_counter() - started
    corpus.close()
    return timing


def reindex(path: Path) -> float:
    """Empty the index and fill it again with the migrations' statement: the index build alone."""
    with Corpus(path) as corpus:
        conn = corpus.conn
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -262144")
        t = time.perf_counter()
        with conn:
            external = "content=" in conn.execute(
                "SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").fetchone()[0]
            conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('delete-all')" if external
                         else "DELETE FROM articles_fts")
            if external:  # migration 3's own statement (its fold() takes NULL)
                conn.execute("INSERT INTO articles_fts(rowid, title, text, title_en, text_en) "
                             "SELECT id, fold(title), fold(text), fold(title_en), fold(text_en) FROM articles")
            else:
                fill_index(conn)
        elapsed = time.perf_counter() - t
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return elapsed


def db_size(path: Path) -> dict[str, int]:
    wal = Path(f"{path}-wal")
    sizes = {"file": path.stat().st_size, "wal": wal.stat().st_size if wal.exists() else 0}
    # Per table, if this SQLite has the dbstat table: how much is articles and how much the index.
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        for name, size in conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
            group = "fts" if name.startswith("articles_fts") else "articles" if name == "articles" else \
                "indexes" if name.startswith(("articles_", "sqlite_autoindex_articles")) else "other"
            sizes[group] = sizes.get(group, 0) + size
        conn.close()
    except sqlite3.OperationalError:
        pass
    return sizes


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
    _LANGS.update(build_languages(args.flores))
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
