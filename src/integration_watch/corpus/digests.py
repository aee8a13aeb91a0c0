"""The digest's side of the corpus: the watermark of placed articles and the delivered digests."""

from __future__ import annotations

from typing import Any

from .database import CorpusError, Database

class Digests:
    """Delivered digests and the articles a window may cover."""

    def __init__(self, core: Database) -> None:
        self.core = core

    def placed_through(self) -> tuple[int, int]:
        """(the highest article id up to which every article has its story, how many stored articles are
        beyond it). The story stage is the pipeline's last: articles it has not placed yet (a crawl running,
        or killed before its end) wait for the next digest."""
        first_unplaced = self.core.conn.execute("SELECT min(id) FROM articles WHERE story_id IS NULL").fetchone()[0]
        if first_unplaced is None:
            return int(self.core.conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0]), 0
        beyond = self.core.conn.execute("SELECT count(*) FROM articles WHERE id >= ?", (first_unplaced,)).fetchone()[0]
        return int(first_unplaced) - 1, int(beyond)

    def last_digest(self, key: str) -> dict[str, Any] | None:
        row = self.core.conn.execute("SELECT * FROM digests WHERE key = ? ORDER BY id DESC LIMIT 1", (key,)).fetchone()
        return None if row is None else dict(row)

    def digest_before(self, key: str, digest_id: int) -> dict[str, Any] | None:
        row = self.core.conn.execute("SELECT * FROM digests WHERE key = ? AND id < ? ORDER BY id DESC LIMIT 1",
                                     (key, digest_id)).fetchone()
        return None if row is None else dict(row)

    def digest_stats(self) -> list[dict[str, Any]]:
        """The last delivered digest of each set of filters."""
        return [dict(r) for r in self.core.conn.execute(
            """SELECT key, created, through_article, articles, stories, format, destination FROM digests
               WHERE id IN (SELECT max(id) FROM digests GROUP BY key) ORDER BY key"""
        )]

    def record_digest(self, record: dict[str, Any], based_on: int | None) -> int:
        """Store a delivered digest, unless another digest of its key was delivered since `based_on` was read
        (two at once would both report the same window)."""
        with self.core.transaction() as c:
            latest = c.execute("SELECT max(id) FROM digests WHERE key = ?", (record["key"],)).fetchone()[0]
            if latest != based_on:
                raise CorpusError("another digest with the same filters was delivered meanwhile; nothing recorded")
            columns = ", ".join(record)
            marks = ", ".join(f":{k}" for k in record)
            return int(c.execute(f"INSERT INTO digests({columns}) VALUES ({marks})", record).lastrowid or 0)

    def window_articles(self, where: list[str], args: dict[str, object]) -> list[tuple[int, int]]:
        """(article id, story id) of placed articles matching `where` (clauses on articles `a`)."""
        sql = "SELECT a.id, a.story_id FROM articles a WHERE a.story_id IS NOT NULL" + "".join(" AND " + w for w in where)
        return [(r[0], r[1]) for r in self.core.conn.execute(sql + " ORDER BY a.id", args)]

    def now_in_english(self, where: list[str], args: dict[str, object], *, after_article: int, since: str,
                       until: str) -> dict[int, str]:
        """Stories reported while they had no English that have it now: story id -> when its English arrived.
        An article matching `where` that an earlier digest covered (id <= after_article) got its translation in
        (since, until], and no article of its story covered then was in English or translated by `since`."""
        sql = ("""SELECT a.story_id, max(a.translated) FROM articles a
                  WHERE a.story_id IS NOT NULL AND a.id <= :after_article AND a.translation_status = 'translated'
                    AND a.translated > :english_since AND a.translated <= :english_until"""
               + "".join(" AND " + w for w in where)
               + """ AND NOT EXISTS (SELECT 1 FROM articles m WHERE m.story_id = a.story_id AND m.id <= :after_article
                          AND (m.lang = 'en' OR (m.translation_status = 'translated' AND m.translated <= :english_since)))
                  GROUP BY a.story_id""")
        params = {**args, "after_article": after_article, "english_since": since, "english_until": until}
        return {int(story): str(stamp) for story, stamp in self.core.conn.execute(sql, params)}

    def count_articles(self, where: list[str], args: dict[str, object]) -> tuple[int, str | None]:
        """How many placed articles match `where`, and the earliest publication (else first sighting) date."""
        sql = ("SELECT count(*), min(substr(coalesce(a.published, a.first_fetched), 1, 10)) FROM articles a "
               "WHERE a.story_id IS NOT NULL" + "".join(" AND " + w for w in where))
        count, earliest = self.core.conn.execute(sql, args).fetchone()
        return int(count), earliest
