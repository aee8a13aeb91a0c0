"""The generated corpus of bench_search.py: articles in the project's own schema, text made of FLORES-200
devtest sentences with a third of the words drawn from a per-language Zipf-Mandelbrot vocabulary (see
bench_search.py's docstring), built in parallel batches and inserted through a `Corpus` connection."""

from __future__ import annotations

import json
import math
import multiprocessing
import random
import sqlite3
import sys
import time
from collections import Counter, deque
from dataclasses import dataclass
from datetime import date, timedelta
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from integration_watch.corpus import Corpus, text_hash  # noqa: E402

# Share of articles per original language (English first: most of what the seeds publish).
LANG_SHARES = {"en": .40, "de": .12, "fr": .10, "it": .08, "es": .08, "pl": .05, "el": .05, "nl": .04, "sv": .04,
               "pt": .04}
VOCAB_SIZE = 200_000  # per language: Heaps' law puts a 10M-150M-token corpus at a few hundred thousand words
SWAP_SHARE = 0.33  # of words replaced by Zipf draws, so FLORES's 1012 sentences become a varied corpus
BATCH = 10_000  # rows per generated batch and per transaction
FIRST_DAY, LAST_DAY = date(2015, 1, 1), date(2026, 11, 30)


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


def use_languages(flores: Path) -> None:
    """Build the languages once, here in the parent, for the generator workers to inherit when they fork."""
    _LANGS.update(build_languages(flores))


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
