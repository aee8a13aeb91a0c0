"""Reading stored articles: one whole, languages per source, a source's recent texts."""

from __future__ import annotations

import json
from typing import Any

from .database import Database

class Articles:
    """Reads of the articles table that no single stage owns."""

    def __init__(self, core: Database) -> None:
        self.core = core

    def article(self, article_id: int) -> dict[str, Any] | None:
        row = self.core.conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            return None
        record = dict(row)
        record["languages"] = json.loads(record["languages"])
        record["paragraph_langs"] = json.loads(record["paragraph_langs"])
        return record

    def has_language(self, lang: str) -> bool:
        return self.core.conn.execute("SELECT 1 FROM articles WHERE lang = ? LIMIT 1", (lang,)).fetchone() is not None

    def languages(self) -> list[str]:
        """Every article language in the corpus, sorted; one index probe per language (a skip scan), not a
        walk over every article."""
        return [row[0] for row in self.core.conn.execute(
            """WITH RECURSIVE l(lang) AS (
                   SELECT min(lang) FROM articles
                   UNION ALL SELECT (SELECT min(lang) FROM articles WHERE lang > l.lang) FROM l WHERE l.lang IS NOT NULL)
               SELECT lang FROM l WHERE lang IS NOT NULL"""
        )]

    def source_names(self) -> list[str]:
        """Every source ever crawled into the corpus (with or without articles)."""
        return [row[0] for row in self.core.conn.execute("SELECT name FROM sources ORDER BY name")]

    def languages_by_source(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for row in self.core.conn.execute(
            "SELECT source, coalesce(lang, '?') AS lang, count(*) AS n FROM articles GROUP BY source, lang ORDER BY n DESC"
        ):
            out.setdefault(row["source"], {})[row["lang"]] = row["n"]
        return out

    def source_texts(self, source: str, limit: int) -> list[tuple[str, ...]]:
        """The text, and the English translation if there is one, of a source's most recently stored articles;
        one text stored under several URLs counts once (among the 4 x `limit` most recent: a bounded read)."""
        return [(r[0],) if r[1] is None else (r[0], r[1]) for r in self.core.conn.execute(
            """SELECT text, text_en FROM articles WHERE id IN (
                   SELECT max(id) FROM (SELECT id, text_hash FROM articles WHERE source = :source
                                        ORDER BY id DESC LIMIT 4 * :limit)
                   GROUP BY text_hash ORDER BY max(id) DESC LIMIT :limit)""",
            {"source": source, "limit": limit},
        )]
