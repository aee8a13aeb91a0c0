"""The crawl's side of the corpus: runs, sources, the URL frontier and fetch log, and storing articles.

Each page is written in one transaction, so a killed crawl loses at most the page in flight; the frontier is
stored too, so the next run resumes where the last one stopped.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from .database import Database, now, text_hash

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
    error: str | None = None


class Pages:
    """Runs, the frontier, fetched pages and the articles they hold."""

    def __init__(self, core: Database) -> None:
        self.core = core

    def start_run(self, sources: list[str]) -> int:
        with self.core.transaction() as c:
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
        with self.core.transaction() as c:
            stamp = now()
            c.execute(
                "UPDATE runs SET finished = ?, status = ?, summary = ? WHERE id = ?",
                (stamp, status, json.dumps(summary, ensure_ascii=False), run_id),
            )
            for name in summary.get("sources", {}):
                c.execute("UPDATE sources SET last_crawled = ? WHERE name = ?", (stamp, name))

    def last_run(self) -> dict[str, Any] | None:
        row = self.core.conn.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        return dict(row) if row else None

    def recent_runs(self, limit: int) -> list[dict[str, Any]]:
        """The last `limit` finished or interrupted runs, oldest first, each with its summary read."""
        rows = self.core.conn.execute(
            "SELECT id, started, finished, status, summary FROM runs WHERE status != 'running' ORDER BY id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [{**dict(r), "summary": json.loads(r["summary"]) if r["summary"] else {}} for r in reversed(rows)]

    def page_state(self, url: str) -> PageState | None:
        row = self.core.conn.execute(
            "SELECT url, role, state, depth, etag, last_modified, content_hash, lastmod, last_fetched, article_id, "
            "error FROM pages WHERE url = ?",
            (url,),
        ).fetchone()
        return PageState(**dict(row)) if row else None

    def enqueue(self, source: str, url: str, role: str, depth: int, lastmod: str | None = None) -> None:
        """Remember a discovered URL before fetching it, so a killed run resumes it."""
        with self.core.transaction() as c:
            c.execute(
                "INSERT INTO pages(url, source, role, state, depth, lastmod, first_seen) VALUES (?, ?, ?, 'queued', ?, ?, ?) "
                "ON CONFLICT(url) DO UPDATE SET state = 'queued', lastmod = coalesce(excluded.lastmod, lastmod), "
                "depth = min(depth, excluded.depth)",
                (url, source, role, depth, lastmod, now()),
            )

    def pending(self, source: str) -> list[PageState]:
        """Pages to (re)try at the start of a run: those a killed run left queued, and those that failed for a
        reason that may pass (no answer, 429, 5xx, a failure of our own) — not a 404 or 410."""
        rows = self.core.conn.execute(
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
        with self.core.transaction() as c:
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

    def stats(self) -> list[dict[str, Any]]:
        rows = self.core.conn.execute(
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

    def failures(self, source: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        sql = "SELECT source, url, http_status, error, last_fetched FROM pages WHERE state = 'error'"
        args: list[Any] = []
        if source:
            sql += " AND source = ?"
            args.append(source)
        sql += " ORDER BY last_fetched DESC LIMIT ?"
        args.append(limit)
        return [dict(r) for r in self.core.conn.execute(sql, args)]
