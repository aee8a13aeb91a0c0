"""The corpus: one SQLite file (WAL) holding sources, the URL frontier and fetch log, articles, the full-text
index and crawl runs. It is the only state shared between pipeline stages.

Each page is written in one transaction, so a killed crawl loses at most the page in flight; the frontier is
stored too, so the next run resumes where the last one stopped.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sqlite3
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

# Each entry moves the schema one version up; PRAGMA user_version says how many have run.
# Later stages (translation, stories) add their tables and columns as new entries, never by editing old ones.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE sources (
        name TEXT PRIMARY KEY,
        first_seen TEXT NOT NULL,
        last_crawled TEXT
    );
    CREATE TABLE pages (
        url TEXT PRIMARY KEY,              -- normalised
        source TEXT NOT NULL REFERENCES sources(name),
        role TEXT NOT NULL,                -- article | listing | feed | sitemap
        state TEXT NOT NULL,               -- queued | stored | not_article | error
        depth INTEGER NOT NULL DEFAULT 0,
        lastmod TEXT,                      -- as a feed or sitemap announced it
        http_status INTEGER,
        etag TEXT,
        last_modified TEXT,
        content_hash TEXT,                 -- sha256 of the body last processed
        final_url TEXT,
        reason TEXT,                       -- why a page is not an article
        error TEXT,
        article_id INTEGER REFERENCES articles(id),
        fetch_count INTEGER NOT NULL DEFAULT 0,
        first_seen TEXT NOT NULL,
        last_fetched TEXT,
        last_changed TEXT
    );
    CREATE INDEX pages_source_state ON pages(source, state);
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL REFERENCES sources(name),
        url TEXT NOT NULL UNIQUE,          -- the article's identity: canonical URL when the page declares one in scope
        fetched_url TEXT NOT NULL,
        title TEXT,
        text TEXT NOT NULL,
        lang TEXT,
        lang_confidence REAL,
        languages TEXT NOT NULL DEFAULT '[]',        -- JSON: distinct paragraph languages, largest share first
        paragraph_langs TEXT NOT NULL DEFAULT '[]',  -- JSON: [[paragraph index, lang], ...]
        published TEXT,
        author TEXT,
        description TEXT,
        sitename TEXT,
        page_lang TEXT,
        text_hash TEXT NOT NULL,
        first_fetched TEXT NOT NULL,
        last_fetched TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE INDEX articles_source ON articles(source);
    CREATE INDEX articles_lang ON articles(lang);
    CREATE INDEX articles_published ON articles(published);
    -- Accent- and case-folded copies of title and text (see fold()); rowid = articles.id.
    CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, tokenize = 'unicode61 remove_diacritics 2');
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        started TEXT NOT NULL,
        finished TEXT,
        status TEXT NOT NULL,              -- running | ok | failed | interrupted
        sources TEXT NOT NULL,             -- JSON list
        summary TEXT                       -- JSON: per-source counts and failures
    );
    """,
    # 2: English translations beside the originals, the translation memory, and an index over both.
    """
    ALTER TABLE articles ADD COLUMN title_en TEXT;
    ALTER TABLE articles ADD COLUMN text_en TEXT;               -- paragraph-aligned with text; blank where not translatable
    ALTER TABLE articles ADD COLUMN translation_status TEXT;    -- translated | english | pending | failed; NULL: not yet tried
    ALTER TABLE articles ADD COLUMN translation_engine TEXT;    -- engine, pair and version, '; '-separated if several
    ALTER TABLE articles ADD COLUMN translation_note TEXT;      -- error, or what was left out
    ALTER TABLE articles ADD COLUMN translation_waiting TEXT;   -- languages with no engine yet, space-separated
    ALTER TABLE articles ADD COLUMN translated TEXT;            -- when
    CREATE INDEX articles_translation_status ON articles(translation_status);
    CREATE TABLE translation_memory (
        engine TEXT NOT NULL,
        lang TEXT NOT NULL,
        source TEXT NOT NULL,
        target TEXT NOT NULL,
        PRIMARY KEY (engine, lang, source)
    ) WITHOUT ROWID;
    DROP TABLE articles_fts;
    CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, title_en, text_en, tokenize = 'unicode61 remove_diacritics 2');
    INSERT INTO articles_fts(rowid, title, text, title_en, text_en)
        SELECT id, fold(coalesce(title, '')), fold(text), '', '' FROM articles;
    """,
    # 3: the index laid out as sqlite-utils' enable-fts makes it (external content on articles, kept in step by
    # triggers), so Datasette finds it and offers a search box, and the text is no longer stored twice. The
    # triggers index fold()ed copies (see fold()), so only connections that define fold() can write articles.
    # FTS5's 'rebuild' would index the unfolded text (Greek accents would stop matching): never use it.
    """
    DROP TABLE articles_fts;
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, title_en, text_en, content=[articles], tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text, title_en, text_en)
        VALUES (new.id, fold(new.title), fold(new.text), fold(new.title_en), fold(new.text_en));
    END;
    CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text, title_en, text_en)
        VALUES ('delete', old.id, fold(old.title), fold(old.text), fold(old.title_en), fold(old.text_en));
    END;
    CREATE TRIGGER articles_au AFTER UPDATE OF title, text, title_en, text_en ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text, title_en, text_en)
        VALUES ('delete', old.id, fold(old.title), fold(old.text), fold(old.title_en), fold(old.text_en));
        INSERT INTO articles_fts(rowid, title, text, title_en, text_en)
        VALUES (new.id, fold(new.title), fold(new.text), fold(new.title_en), fold(new.text_en));
    END;
    INSERT INTO articles_fts(rowid, title, text, title_en, text_en)
        SELECT id, fold(title), fold(text), fold(title_en), fold(text_en) FROM articles;
    """,
    # 4: stories. Every article belongs to one; the MinHash signature it was compared by is kept.
    """
    CREATE TABLE stories (
        id INTEGER PRIMARY KEY,
        created TEXT NOT NULL,
        updated TEXT NOT NULL               -- last time an article joined or the story absorbed another
    );
    ALTER TABLE articles ADD COLUMN story_id INTEGER REFERENCES stories(id);
    CREATE INDEX articles_story ON articles(story_id);
    CREATE INDEX articles_text_hash ON articles(text_hash);
    CREATE TABLE article_signatures (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        day INTEGER NOT NULL,               -- days since 1970-01-01: publication date, else first sighting
        language TEXT NOT NULL,             -- 'en' (original or translation), or the original language
        signature BLOB NOT NULL             -- 128 little-endian uint32 MinHash values
    );
    CREATE INDEX article_signatures_day ON article_signatures(day);
    -- The thresholds the stories were built with (sources.toml [defaults], written by crawl and recluster).
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 5: search filters read from a narrow index instead of the wide article rows (one page read per match
    # otherwise; search names it with INDEXED BY): a word with a date filter at 1M articles, 67 -> 33 ms.
    """
    CREATE INDEX articles_filters ON articles(id, published, lang, source);
    """,
    # 6: the language an article was written in, beside its signature: pairs written in one language need
    # the higher duplicate similarity, which lets the window drop far more candidates before the exact check.
    """
    ALTER TABLE article_signatures ADD COLUMN original TEXT;
    """,
    # 7: re-index an article only when an indexed column really changed: recording "already English" (the
    # same NULLs written again) re-folded and re-indexed every article's text, 4 s for 2,000 articles.
    """
    DROP TRIGGER articles_au;
    CREATE TRIGGER articles_au AFTER UPDATE OF title, text, title_en, text_en ON articles
    WHEN old.title IS NOT new.title OR old.text IS NOT new.text
         OR old.title_en IS NOT new.title_en OR old.text_en IS NOT new.text_en
    BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text, title_en, text_en)
        VALUES ('delete', old.id, fold(old.title), fold(old.text), fold(old.title_en), fold(old.text_en));
        INSERT INTO articles_fts(rowid, title, text, title_en, text_en)
        VALUES (new.id, fold(new.title), fold(new.text), fold(new.title_en), fold(new.text_en));
    END;
    """,
    # 8: digests. Each delivered digest records the articles it covered, so the next one starts after them
    # (one watermark per set of filters). The corpus gets an identity for the ids of its Atom feeds.
    """
    CREATE TABLE digests (
        id INTEGER PRIMARY KEY,
        created TEXT NOT NULL,
        key TEXT NOT NULL,                  -- the filters it was made with, e.g. 'lang=it source='
        after_article INTEGER,              -- it covered articles with after_article < id <= through_article
        through_article INTEGER NOT NULL,
        seen_since TEXT,                    -- the first digest of a key: only articles first stored since then
        articles INTEGER NOT NULL,
        stories INTEGER NOT NULL,
        format TEXT NOT NULL,
        destination TEXT                    -- the file written, NULL for standard output
    );
    CREATE INDEX digests_key ON digests(key, id);
    INSERT OR IGNORE INTO settings(key, value) VALUES ('corpus_id', lower(hex(randomblob(16))));
    """,
)


IN_BATCH = 500  # values per IN (...) list: SQLite allows 32,766 parameters from 3.32, 999 before


class CorpusError(RuntimeError):
    """The database cannot be opened, written or locked."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# Every combining mark of the Basic Multilingual Plane, mapped to nothing: str.translate strips them at C speed.
_COMBINING_MARKS = {cp: None for cp in range(0x10000) if unicodedata.combining(chr(cp))}


def fold(text: str) -> str:
    """Case- and accent-fold text for the index and for queries, in every script.

    SQLite's unicode61 tokenizer folds Latin accents but not Greek ones (ά, ΐ) nor final sigma; doing it
    here, identically for what is indexed and what is searched, makes both match in any script.
    """
    if text.isascii():
        return text.lower()
    stripped = unicodedata.normalize("NFKD", text).translate(_COMBINING_MARKS)
    return unicodedata.normalize("NFC", stripped.casefold())


def _fold_sql(text: str | None) -> str | None:
    return None if text is None else fold(text)


def text_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


@dataclass(frozen=True)
class ArticleRecord:
    """What extraction and language detection produce for one page, ready to be stored."""

    url: str
    fetched_url: str
    title: str | None
    text: str
    lang: str | None
    lang_confidence: float
    languages: tuple[str, ...]
    paragraph_langs: tuple[tuple[int, str | None], ...]
    published: str | None
    author: str | None
    description: str | None
    sitename: str | None
    page_lang: str | None


@dataclass(frozen=True)
class TranslationTask:
    """What the translation stage reads of a stored article."""

    id: int
    title: str | None
    text: str
    lang: str | None
    paragraph_langs: tuple[tuple[int, str | None], ...]
    text_hash: str


@dataclass(frozen=True)
class TranslationRecord:
    """The translation stage's result for one article."""

    id: int
    text_hash: str  # of the text that was translated: a result for text that has since changed is dropped
    status: str  # translated | english | pending | failed
    title_en: str | None
    text_en: str | None
    engines: tuple[str, ...]
    note: str | None
    waiting: tuple[str, ...]


@dataclass(frozen=True)
class PageState:
    """What the corpus remembers of a URL, for conditional requests and skipping."""

    url: str
    role: str
    state: str
    depth: int
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    lastmod: str | None
    last_fetched: str | None
    article_id: int | None


class Corpus:
    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        if not readonly:
            # Checked before SQLite opens the file: it would fail only at the first write, after creating
            # -wal/-shm files that keep failing once the permissions are fixed.
            for target, what in ((self.path, "database file"), (self.path.absolute().parent, "database's directory")):
                if target.exists() and not os.access(target, os.W_OK):
                    raise CorpusError(f"{self.path}: the {what} is read-only; a crawl must write there (check permissions)")
        try:
            if readonly:
                if not self.path.exists():
                    raise CorpusError(f"{self.path}: no such database (run 'integration-watch crawl' first)")
                conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
            else:
                conn = sqlite3.connect(self.path, timeout=30)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA busy_timeout = 30000")
            if not readonly:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            conn.row_factory = sqlite3.Row
            conn.create_function("fold", 1, _fold_sql, deterministic=True)
            self.db = sqlite_utils.Database(conn)
            self.conn = conn
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            hint = " (reading a WAL database needs to create its -shm file: is the directory read-only?)" \
                if readonly and "readonly" in str(exc) else ""
            raise CorpusError(f"{self.path}: cannot open database: {exc}{hint}") from None
        if version > len(MIGRATIONS):
            raise CorpusError(f"{self.path}: written by a newer integration-watch (schema {version})")
        if version < len(MIGRATIONS):
            if readonly:
                raise CorpusError(f"{self.path}: schema is out of date; run a crawl to upgrade it")
            self._migrate(version)

    def _migrate(self, version: int) -> None:
        try:
            for number, script in enumerate(MIGRATIONS[version:], version + 1):
                # executescript commits first; the migration and its version bump then commit together.
                self.conn.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")
        except sqlite3.DatabaseError as exc:
            self.conn.rollback()
            raise CorpusError(f"{self.path}: cannot create or upgrade schema: {exc}") from None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            with self.conn:
                yield self.conn
        except sqlite3.OperationalError as exc:
            raise CorpusError(f"{self.path}: write failed: {exc}") from None

    # --- runs and sources -------------------------------------------------------------------------

    def start_run(self, sources: list[str]) -> int:
        with self.transaction() as c:
            stamp = now()
            for name in sources:
                c.execute("INSERT OR IGNORE INTO sources(name, first_seen) VALUES (?, ?)", (name, stamp))
            # A run still marked running was killed: say so rather than leave it looking alive.
            c.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
            cur = c.execute(
                "INSERT INTO runs(started, status, sources) VALUES (?, 'running', ?)", (stamp, json.dumps(sources))
            )
            return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, status: str, summary: dict[str, Any]) -> None:
        with self.transaction() as c:
            stamp = now()
            c.execute(
                "UPDATE runs SET finished = ?, status = ?, summary = ? WHERE id = ?",
                (stamp, status, json.dumps(summary, ensure_ascii=False), run_id),
            )
            for name in summary.get("sources", {}):
                c.execute("UPDATE sources SET last_crawled = ? WHERE name = ?", (stamp, name))

    # --- the frontier -----------------------------------------------------------------------------

    def page_state(self, url: str) -> PageState | None:
        row = self.conn.execute(
            "SELECT url, role, state, depth, etag, last_modified, content_hash, lastmod, last_fetched, article_id "
            "FROM pages WHERE url = ?",
            (url,),
        ).fetchone()
        return PageState(**dict(row)) if row else None

    def enqueue(self, source: str, url: str, role: str, depth: int, lastmod: str | None = None) -> None:
        """Remember a discovered URL before fetching it, so a killed run resumes it."""
        with self.transaction() as c:
            c.execute(
                "INSERT INTO pages(url, source, role, state, depth, lastmod, first_seen) VALUES (?, ?, ?, 'queued', ?, ?, ?) "
                "ON CONFLICT(url) DO UPDATE SET state = 'queued', lastmod = coalesce(excluded.lastmod, lastmod), "
                "depth = min(depth, excluded.depth)",
                (url, source, role, depth, lastmod, now()),
            )

    def pending(self, source: str) -> list[PageState]:
        """Pages to (re)try at the start of a run: those a killed run left queued, and those that failed for a
        reason that may pass (no answer, 429, 5xx, a failure of our own) — not a 404 or 410."""
        rows = self.conn.execute(
            "SELECT url, role, state, depth, etag, last_modified, content_hash, lastmod, last_fetched, article_id "
            "FROM pages WHERE source = ? AND (state = 'queued' OR (state = 'error' AND "
            "(http_status IS NULL OR http_status = 429 OR http_status >= 500))) ORDER BY first_seen, url",
            (source,),
        ).fetchall()
        return [PageState(**dict(r)) for r in rows]

    def record_fetch(
        self,
        *,
        source: str,
        url: str,
        role: str,
        depth: int,
        state: str,
        http_status: int | None,
        final_url: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        content_hash: str | None = None,
        reason: str | None = None,
        error: str | None = None,
        article: ArticleRecord | None = None,
        changed: bool = True,
    ) -> tuple[int | None, str]:
        """Record one fetched page and, when it is an article, store the article: all in one transaction.

        Returns (article id, outcome) where outcome is "new", "updated", "unchanged" or "none".
        Validators and the content hash are kept from before when the response did not carry new ones
        (a 304 or a failed fetch must not erase what the next conditional request needs).
        """
        stamp = now()
        with self.transaction() as c:
            article_id, outcome = (None, "none")
            if article is not None:
                article_id, outcome = self._store_article(c, source, article, stamp)
            c.execute(
                """
                INSERT INTO pages(url, source, role, state, depth, http_status, etag, last_modified, content_hash,
                                  final_url, reason, error, article_id, fetch_count, first_seen, last_fetched, last_changed)
                VALUES (:url, :source, :role, :state, :depth, :http_status, :etag, :last_modified, :content_hash,
                        :final_url, :reason, :error, :article_id, 1, :stamp, :stamp, :changed_stamp)
                ON CONFLICT(url) DO UPDATE SET
                    role = excluded.role, state = excluded.state, http_status = excluded.http_status,
                    etag = coalesce(excluded.etag, etag), last_modified = coalesce(excluded.last_modified, last_modified),
                    content_hash = coalesce(excluded.content_hash, content_hash),
                    final_url = coalesce(excluded.final_url, final_url),
                    reason = CASE WHEN :changed THEN excluded.reason ELSE reason END,
                    error = excluded.error, article_id = coalesce(excluded.article_id, article_id),
                    fetch_count = fetch_count + 1, last_fetched = excluded.last_fetched,
                    last_changed = coalesce(excluded.last_changed, last_changed)
                """,
                {
                    "url": url, "source": source, "role": role, "state": state, "depth": depth,
                    "http_status": http_status, "etag": etag, "last_modified": last_modified,
                    "content_hash": content_hash, "final_url": final_url, "reason": reason, "error": error,
                    "article_id": article_id, "stamp": stamp, "changed_stamp": stamp if changed else None,
                    "changed": changed,
                },
            )
        return article_id, outcome

    def _store_article(self, c: sqlite3.Connection, source: str, a: ArticleRecord, stamp: str) -> tuple[int, str]:
        digest = text_hash(a.text)
        row = c.execute("SELECT id, text_hash, title FROM articles WHERE url = ?", (a.url,)).fetchone()
        values = {
            "source": source, "url": a.url, "fetched_url": a.fetched_url, "title": a.title, "text": a.text,
            "lang": a.lang, "lang_confidence": a.lang_confidence,
            "languages": json.dumps(list(a.languages)),
            "paragraph_langs": json.dumps([list(p) for p in a.paragraph_langs]),
            "published": a.published, "author": a.author, "description": a.description,
            "sitename": a.sitename, "page_lang": a.page_lang, "text_hash": digest, "stamp": stamp,
        }
        if row is not None and row["text_hash"] == digest and row["title"] == a.title:
            c.execute("UPDATE articles SET last_fetched = ? WHERE id = ?", (stamp, row["id"]))
            return int(row["id"]), "unchanged"
        if row is None:
            cur = c.execute(
                """INSERT INTO articles(source, url, fetched_url, title, text, lang, lang_confidence, languages,
                       paragraph_langs, published, author, description, sitename, page_lang, text_hash,
                       first_fetched, last_fetched, updated)
                   VALUES (:source, :url, :fetched_url, :title, :text, :lang, :lang_confidence, :languages,
                       :paragraph_langs, :published, :author, :description, :sitename, :page_lang, :text_hash,
                       :stamp, :stamp, :stamp)""",
                values,
            )
            article_id, outcome = int(cur.lastrowid or 0), "new"
        else:
            article_id, outcome = int(row["id"]), "updated"
            c.execute(
                """UPDATE articles SET fetched_url = :fetched_url, title = :title, text = :text, lang = :lang,
                       lang_confidence = :lang_confidence, languages = :languages, paragraph_langs = :paragraph_langs,
                       published = coalesce(:published, published), author = :author, description = :description,
                       sitename = :sitename, page_lang = :page_lang, text_hash = :text_hash,
                       last_fetched = :stamp, updated = :stamp,
                       title_en = NULL, text_en = NULL, translation_status = NULL, translation_engine = NULL,
                       translation_note = NULL, translation_waiting = NULL, translated = NULL
                   WHERE id = :id""",
                {**values, "id": article_id},
            )
            # what its story was judged on has changed: the story stage looks at it again
            c.execute("DELETE FROM article_signatures WHERE article_id = ?", (article_id,))
        return article_id, outcome

    # --- translations -----------------------------------------------------------------------------

    def articles_to_translate(
        self,
        *,
        languages: set[str],
        lang: str | None = None,
        source: str | None = None,
        retranslate: bool = False,
        only_new: bool = False,
    ) -> list[int]:
        """IDs of articles the translation stage should (re)do, oldest first. Pending ones are included only
        when an engine now exists for a language they wait for."""
        where, args = [], []
        if lang:
            where.append("lang = ?")
            args.append(lang)
        if source:
            where.append("source = ?")
            args.append(source)
        if only_new:
            where.append("translation_status IS NULL")
        elif not retranslate:
            where.append("(translation_status IS NULL OR translation_status IN ('failed', 'pending'))")
        sql = "SELECT id, translation_status, translation_waiting FROM articles"
        if where:
            sql += " WHERE " + " AND ".join(where)
        ids = []
        for row in self.conn.execute(sql + " ORDER BY id", args):
            waiting = set((row["translation_waiting"] or "").split())
            if row["translation_status"] == "pending" and not retranslate and not waiting & languages:
                continue
            ids.append(int(row["id"]))
        return ids

    def select_in(self, sql: str, values: list[Any]) -> list[sqlite3.Row]:
        """Rows of `sql`, whose `{marks}` stands for the placeholders of an IN list, for every value, queried in
        batches that stay far below SQLite's limit on parameters; batches follow the order of `values`."""
        rows: list[sqlite3.Row] = []
        for start in range(0, len(values), IN_BATCH):
            part = values[start:start + IN_BATCH]
            rows += self.conn.execute(sql.format(marks=",".join("?" * len(part))), part).fetchall()
        return rows

    def translation_tasks(self, ids: list[int]) -> list[TranslationTask]:
        rows = self.select_in(
            "SELECT id, title, text, lang, paragraph_langs, text_hash FROM articles WHERE id IN ({marks}) ORDER BY id",
            sorted(ids),
        )
        return [
            TranslationTask(
                r["id"], r["title"], r["text"], r["lang"],
                tuple((int(i), lang) for i, lang in json.loads(r["paragraph_langs"])), r["text_hash"],
            )
            for r in rows
        ]

    def recall(self, engine: str, lang: str, sentences: list[str]) -> dict[str, str]:
        """The translation memory's answers for these sentences."""
        found = {}
        for sentence in sentences:
            row = self.conn.execute(
                "SELECT target FROM translation_memory WHERE engine = ? AND lang = ? AND source = ?",
                (engine, lang, sentence),
            ).fetchone()
            if row is not None:
                found[sentence] = row[0]
        return found

    def store_translations(
        self, records: list[TranslationRecord], memory: list[tuple[str, str, str, str]]
    ) -> None:
        """Write results and new memory entries in one transaction. A result whose article changed (or was
        removed) while it was being translated is dropped: the article is translated again from its new text."""
        stamp = now()
        with self.transaction() as c:
            c.executemany(
                "INSERT OR IGNORE INTO translation_memory(engine, lang, source, target) VALUES (?, ?, ?, ?)", memory
            )
            for r in records:
                row = c.execute("SELECT text_hash, translation_status FROM articles WHERE id = ?", (r.id,)).fetchone()
                if row is None or row["text_hash"] != r.text_hash:
                    continue
                c.execute(
                    """UPDATE articles SET title_en = ?, text_en = ?, translation_status = ?, translation_engine = ?,
                           translation_note = ?, translation_waiting = ?, translated = ? WHERE id = ?""",
                    (r.title_en, r.text_en, r.status, "; ".join(r.engines) or None, r.note,
                     " ".join(r.waiting) or None, stamp, r.id),
                )
                if "translated" in (r.status, row["translation_status"]):
                    # its English changed: the story stage compares it again
                    c.execute("DELETE FROM article_signatures WHERE article_id = ?", (r.id,))

    # --- stories ----------------------------------------------------------------------------------

    def story_rows(self, ids: list[int]) -> list[sqlite3.Row]:
        """What the story stage compares articles by."""
        return self.select_in(
            """SELECT id, source, lang, translation_status, text, text_en, text_hash, published, first_fetched
               FROM articles WHERE id IN ({marks})""",
            ids,
        )

    def store_signatures(self, rows: list[tuple[int, int, str, str, bytes]]) -> None:
        """(article id, day, comparison language, original language, signature) per article."""
        with self.transaction() as c:
            c.executemany(
                """INSERT OR REPLACE INTO article_signatures(article_id, day, language, original, signature)
                   VALUES (?, ?, ?, ?, ?)""",
                rows,
            )

    def signatures_between(self, first_day: int, last_day: int) -> list[tuple[int, int, str, str, bytes]]:
        return [
            (r[0], r[1], r[2], r[3], r[4])
            for r in self.conn.execute(
                """SELECT article_id, day, language, coalesce(original, '?'), signature FROM article_signatures
                   WHERE day BETWEEN ? AND ?""",
                (first_day, last_day),
            )
        ]

    def same_text(self, digest: str, exclude: int) -> set[int]:
        return {r[0] for r in self.conn.execute("SELECT id FROM articles WHERE text_hash = ? AND id != ?", (digest, exclude))}

    def link_stories(
        self, chunk: list[int], groups: list[set[int]], claimed: set[int], before: dict[int, int] | None = None
    ) -> dict[str, int]:
        """Put each group of articles in one story, in one transaction. Articles outside `chunk` keep the story
        they have (several stories in one group are merged into the oldest); otherwise the group takes a story
        one of its articles had before (`before`, else their current one) that no other group has claimed
        (`claimed`, updated), or a new one."""
        stamp = now()
        counts = {"new": 0, "joined": 0, "merged": 0}
        in_chunk = set(chunk)
        with self.transaction() as c:
            for group in groups:
                members = sorted(group)
                current = {r[0]: r[1] for r in self.select_in(
                    "SELECT id, story_id FROM articles WHERE id IN ({marks})", members
                )}
                settled = sorted({s for a, s in current.items() if a not in in_chunk and s is not None})
                earlier = before if before is not None else current
                previous = sorted({earlier[a] for a in members if a in in_chunk and earlier.get(a) is not None} - claimed)
                if settled:
                    target = settled[0]
                    for other in settled[1:]:
                        c.execute("UPDATE articles SET story_id = ? WHERE story_id = ?", (target, other))
                        counts["merged"] += 1
                    counts["joined"] += sum(1 for a in members if a in in_chunk)
                elif previous:
                    target = previous[0]
                    # emptied stories are deleted as a rebuild goes; the number comes back with its articles
                    c.execute("INSERT OR IGNORE INTO stories(id, created, updated) VALUES (?, ?, ?)", (target, stamp, stamp))
                else:
                    target = int(c.execute("INSERT INTO stories(created, updated) VALUES (?, ?)", (stamp, stamp)).lastrowid or 0)
                    counts["new"] += 1
                claimed.add(target)
                c.execute("UPDATE stories SET updated = ? WHERE id = ?", (stamp, target))
                c.executemany("UPDATE articles SET story_id = ? WHERE id = ?", [(target, a) for a in members if a in in_chunk])
            c.execute("DELETE FROM stories WHERE id NOT IN (SELECT story_id FROM articles WHERE story_id IS NOT NULL)")
        return counts

    def reset_stories(self) -> dict[int, int]:
        """Forget every signature and story membership (stories themselves stay until emptied), returning
        article id -> story id as it was, so a rebuild can keep the numbers of stories that survive."""
        before = {r[0]: r[1] for r in self.conn.execute("SELECT id, story_id FROM articles WHERE story_id IS NOT NULL")}
        with self.transaction() as c:
            c.execute("DELETE FROM article_signatures")
            c.execute("UPDATE articles SET story_id = NULL")
        return before

    def article_ids_by_day(self) -> list[int]:
        """Every article, oldest first (by publication date, else first sighting)."""
        return [r[0] for r in self.conn.execute(
            "SELECT id FROM articles ORDER BY coalesce(substr(published, 1, 10), substr(first_fetched, 1, 10)), id"
        )]

    def articles_needing_story(self) -> list[int]:
        """New articles, and those whose text or translation changed since their story was judged (their
        signature is dropped in the same transaction as the change), oldest first."""
        return [r[0] for r in self.conn.execute(
            """SELECT a.id FROM articles a LEFT JOIN article_signatures s ON s.article_id = a.id
               WHERE s.article_id IS NULL
               ORDER BY coalesce(substr(a.published, 1, 10), substr(a.first_fetched, 1, 10)), a.id"""
        )]

    def story_summaries(
        self, where: list[str], args: dict[str, object], limit: int
    ) -> list[dict[str, Any]]:
        """Stories having an article that matches `where` (clauses on articles `a`), latest sighting first:
        English headline, first and latest sighting, publication date, languages, sources, article count."""
        sql = f"""
            SELECT s.id, count(*) AS articles, min(m.first_fetched) AS first_seen, max(m.first_fetched) AS last_seen,
                   min(substr(m.published, 1, 10)) AS published,
                   group_concat(DISTINCT coalesce(m.lang, '?')) AS languages, group_concat(DISTINCT m.source) AS sources,
                   (SELECT CASE WHEN h.lang = 'en' THEN h.title ELSE coalesce(h.title_en, h.title) END
                    FROM articles h WHERE h.story_id = s.id
                    ORDER BY h.lang = 'en' DESC, h.title_en IS NOT NULL DESC, coalesce(h.published, h.first_fetched)
                    LIMIT 1) AS headline
            FROM stories s JOIN articles m ON m.story_id = s.id
            WHERE s.id IN (SELECT a.story_id FROM articles a WHERE a.story_id IS NOT NULL
                           {''.join(' AND ' + w for w in where)})
            GROUP BY s.id
            ORDER BY last_seen DESC, s.id DESC
            LIMIT :limit
        """
        rows = [dict(r) for r in self.conn.execute(sql, {**args, "limit": limit})]
        for row in rows:
            row["languages"] = sorted(row["languages"].split(","))
            row["sources"] = sorted(row["sources"].split(","))
        return rows

    def story_stats(self) -> dict[str, int]:
        """How many stories, and how many of them more than one article carries."""
        stories, with_copies = self.conn.execute(
            "SELECT count(*), sum(n > 1) FROM (SELECT count(*) AS n FROM articles WHERE story_id IS NOT NULL GROUP BY story_id)"
        ).fetchone()
        return {"stories": stories, "with_copies": with_copies or 0}

    def get_setting(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_settings(self, values: dict[str, str]) -> None:
        with self.transaction() as c:
            c.executemany("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", values.items())

    def story_members(self, story_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
        """story id -> its articles (without their text), oldest first."""
        out: dict[int, list[dict[str, Any]]] = {}
        rows = self.select_in(
            """SELECT story_id, id, source, url, lang, title, title_en, published, first_fetched, translation_status,
                      translation_engine, translation_waiting FROM articles WHERE story_id IN ({marks})
               ORDER BY coalesce(published, first_fetched), id""",
            sorted(set(story_ids)),
        )
        for row in rows:  # a story's articles are all in one batch, so each list keeps that order
            out.setdefault(row["story_id"], []).append(dict(row))
        return out

    # --- digests ----------------------------------------------------------------------------------

    def placed_through(self) -> tuple[int, int]:
        """(the highest article id up to which every article has its story, how many stored articles are
        beyond it). The story stage is the pipeline's last: articles it has not placed yet (a crawl running,
        or killed before its end) wait for the next digest."""
        first_unplaced = self.conn.execute("SELECT min(id) FROM articles WHERE story_id IS NULL").fetchone()[0]
        if first_unplaced is None:
            return int(self.conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0]), 0
        beyond = self.conn.execute("SELECT count(*) FROM articles WHERE id >= ?", (first_unplaced,)).fetchone()[0]
        return int(first_unplaced) - 1, int(beyond)

    def last_digest(self, key: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM digests WHERE key = ? ORDER BY id DESC LIMIT 1", (key,)).fetchone()
        return None if row is None else dict(row)

    def digest_stats(self) -> list[dict[str, Any]]:
        """The last delivered digest of each set of filters."""
        return [dict(r) for r in self.conn.execute(
            """SELECT key, created, through_article, articles, stories, format, destination FROM digests
               WHERE id IN (SELECT max(id) FROM digests GROUP BY key) ORDER BY key"""
        )]

    def record_digest(self, record: dict[str, Any], based_on: int | None) -> int:
        """Store a delivered digest, unless another digest of its key was delivered since `based_on` was read
        (two at once would both report the same window)."""
        with self.transaction() as c:
            latest = c.execute("SELECT max(id) FROM digests WHERE key = ?", (record["key"],)).fetchone()[0]
            if latest != based_on:
                raise CorpusError("another digest with the same filters was delivered meanwhile; nothing recorded")
            columns = ", ".join(record)
            marks = ", ".join(f":{k}" for k in record)
            return int(c.execute(f"INSERT INTO digests({columns}) VALUES ({marks})", record).lastrowid or 0)

    def window_articles(self, where: list[str], args: dict[str, object]) -> list[tuple[int, int]]:
        """(article id, story id) of placed articles matching `where` (clauses on articles `a`)."""
        sql = "SELECT a.id, a.story_id FROM articles a WHERE a.story_id IS NOT NULL" + "".join(" AND " + w for w in where)
        return [(r[0], r[1]) for r in self.conn.execute(sql + " ORDER BY a.id", args)]

    def source_texts(self, source: str, limit: int) -> list[tuple[str, ...]]:
        """The text, and the English translation if there is one, of a source's most recently stored articles;
        one text stored under several URLs counts once (among the 4 x `limit` most recent: a bounded read)."""
        return [(r[0],) if r[1] is None else (r[0], r[1]) for r in self.conn.execute(
            """SELECT text, text_en FROM articles WHERE id IN (
                   SELECT max(id) FROM (SELECT id, text_hash FROM articles WHERE source = :source
                                        ORDER BY id DESC LIMIT 4 * :limit)
                   GROUP BY text_hash ORDER BY max(id) DESC LIMIT :limit)""",
            {"source": source, "limit": limit},
        )]

    def translation_stats(self) -> dict[str, Any]:
        """Articles per translation status, and how many wait for an engine for each language."""
        status = {
            (row[0] or "untried"): row[1]
            for row in self.conn.execute("SELECT translation_status, count(*) FROM articles GROUP BY 1")
        }
        waiting: dict[str, int] = {}
        for (langs,) in self.conn.execute(
            "SELECT translation_waiting FROM articles WHERE translation_waiting IS NOT NULL"
        ):
            for lang in langs.split():
                waiting[lang] = waiting.get(lang, 0) + 1
        memory = self.conn.execute("SELECT count(*) FROM translation_memory").fetchone()[0]
        return {"status": status, "waiting": dict(sorted(waiting.items(), key=lambda kv: -kv[1])), "memory": memory}

    # --- reading ----------------------------------------------------------------------------------

    def article(self, article_id: int) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            return None
        record = dict(row)
        record["languages"] = json.loads(record["languages"])
        record["paragraph_langs"] = json.loads(record["paragraph_langs"])
        return record

    def stats(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            """
            SELECT s.name AS source,
                   (SELECT count(*) FROM pages p WHERE p.source = s.name AND p.fetch_count > 0) AS pages_fetched,
                   (SELECT count(*) FROM articles a WHERE a.source = s.name) AS articles,
                   (SELECT count(*) FROM pages p WHERE p.source = s.name AND p.state = 'not_article') AS not_articles,
                   (SELECT count(*) FROM pages p WHERE p.source = s.name AND p.state = 'error') AS failures,
                   (SELECT count(*) FROM pages p WHERE p.source = s.name AND p.state = 'queued') AS queued,
                   s.last_crawled AS last_crawl
            FROM sources s ORDER BY s.name
            """
        ).fetchall()
        return [dict(r) for r in rows]

    def languages_by_source(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for row in self.conn.execute(
            "SELECT source, coalesce(lang, '?') AS lang, count(*) AS n FROM articles GROUP BY source, lang ORDER BY n DESC"
        ):
            out.setdefault(row["source"], {})[row["lang"]] = row["n"]
        return out

    def failures(self, source: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        sql = "SELECT source, url, http_status, error, last_fetched FROM pages WHERE state = 'error'"
        args: list[Any] = []
        if source:
            sql += " AND source = ?"
            args.append(source)
        sql += " ORDER BY last_fetched DESC LIMIT ?"
        args.append(limit)
        return [dict(r) for r in self.conn.execute(sql, args)]

    def last_run(self) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        return dict(row) if row else None


class CrawlLock:
    """One crawl per database at a time. flock is released by the kernel when a process dies, so a
    killed crawl never leaves a stale lock; the pid in the file only feeds the error message."""

    def __init__(self, db_path: str | Path) -> None:
        self.path = Path(f"{db_path}.crawl-lock")
        self._fd: int | None = None

    def __enter__(self) -> CrawlLock:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:  # a read-only directory: one clear line, not a traceback
            raise CorpusError(f"{self.path}: cannot create the crawl lock: {exc.strerror} (a crawl must be able to "
                              "write in the database's directory)") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise CorpusError(f"another crawl (pid {holder}) is running on this database; try again when it ends") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
