"""The story stage's side of the corpus: signatures, story membership, story listings."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from .database import Database, now

class Stories:
    """Signatures and stories: which article belongs to which story."""

    def __init__(self, core: Database) -> None:
        self.core = core

    def story_rows(self, ids: list[int]) -> list[sqlite3.Row]:
        """What the story stage compares articles by."""
        return self.core.select_in(
            """SELECT id, source, lang, translation_status, title, title_en, text, text_en, text_hash, published,
                      first_fetched
               FROM articles WHERE id IN ({marks})""",
            ids,
        )

    def store_signatures(
        self, rows: list[tuple[int, int, str, str, bytes]], stems: dict[int, str], frequencies: dict[str, int]
    ) -> None:
        """(article id, day, comparison language, original language, signature) per article, the stems each was
        judged by (separated by spaces, in any order), and the change in document frequencies they make, in one
        transaction."""
        with self.core.transaction() as c:
            c.executemany(
                """INSERT OR REPLACE INTO article_signatures(article_id, day, language, original, signature)
                   VALUES (?, ?, ?, ?, ?)""",
                rows,
            )
            c.executemany("INSERT OR REPLACE INTO article_stems(article_id, stems) VALUES (?, ?)",
                          list(stems.items()))
            c.executemany(
                """INSERT INTO stem_frequencies(stem, documents) VALUES (?, ?)
                   ON CONFLICT(stem) DO UPDATE SET documents = documents + excluded.documents""",
                [(stem, n) for stem, n in frequencies.items() if n],
            )
            c.execute("DELETE FROM stem_frequencies WHERE documents <= 0")

    def stored_stems(self, ids: list[int]) -> dict[int, frozenset[str]]:
        """The stems these articles were last judged by (counted in the document frequencies)."""
        return {r[0]: frozenset(r[1].split()) for r in self.core.select_in(
            "SELECT article_id, stems FROM article_stems WHERE article_id IN ({marks})", ids)}

    def document_frequencies(self) -> tuple[dict[str, int], int]:
        """stem -> how many judged articles have it, and how many articles are judged."""
        counts, documents = self.frequency_rows()
        return dict(counts), documents

    def frequency_rows(self) -> tuple[Iterator[tuple[str, int]], int]:
        """(stem, how many judged articles have it) as SQLite reads them, and how many articles are judged."""
        documents = int(self.core.conn.execute("SELECT count(*) FROM article_stems").fetchone()[0])
        return self.core.conn.execute("SELECT stem, documents FROM stem_frequencies"), documents

    def store_copies(self, articles: list[int], pairs: list[tuple[int, int]]) -> None:
        """These articles' copy relations, replacing what they had: (article, the earlier article it copies)."""
        with self.core.transaction() as c:
            c.executemany("DELETE FROM article_copies WHERE article_id = ? OR copy_of = ?", [(a, a) for a in articles])
            c.executemany("INSERT OR IGNORE INTO article_copies(article_id, copy_of) VALUES (?, ?)",
                          [(max(a, b), min(a, b)) for a, b in pairs])

    def copy_pairs(self, ids: list[int]) -> list[tuple[int, int]]:
        """Copy relations among these articles."""
        wanted = set(ids)
        rows = self.core.select_in("SELECT article_id, copy_of FROM article_copies WHERE article_id IN ({marks})", ids)
        return [(r[0], r[1]) for r in rows if r[1] in wanted]

    def signatures_between(self, first_day: int, last_day: int) -> list[tuple[int, int, str, str, bytes]]:
        return [
            (r[0], r[1], r[2], r[3], r[4])
            for r in self.core.conn.execute(
                """SELECT article_id, day, language, coalesce(original, '?'), signature FROM article_signatures
                   WHERE day BETWEEN ? AND ?""",
                (first_day, last_day),
            )
        ]

    def copies_between(self, first_day: int, last_day: int) -> set[int]:
        """The articles of these days that copy an earlier article (the later of a copy pair, by id)."""
        return {r[0] for r in self.core.conn.execute(
            """SELECT s.article_id FROM article_signatures s WHERE s.day BETWEEN ? AND ?
               AND EXISTS (SELECT 1 FROM article_copies c WHERE c.article_id = s.article_id)""",
            (first_day, last_day),
        )}

    def same_texts(self, digests: list[str]) -> dict[str, list[int]]:
        """text hash -> the ids of the signed articles with that text (those a story run has placed, or is
        placing), in id order."""
        out: dict[str, list[int]] = {}
        for r in self.core.select_in("""SELECT a.text_hash, a.id FROM articles a
                                        JOIN article_signatures s ON s.article_id = a.id
                                        WHERE a.text_hash IN ({marks}) ORDER BY a.id""",
                                     sorted(set(digests))):
            out.setdefault(r[0], []).append(r[1])
        return out

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
        # Every member's story read at once and the chunk's memberships written at the end: a merge updates
        # both maps as it updates the table, so each group sees what it would have read after the groups
        # before it (one statement per group was most of the time of a large run).
        current: dict[int, int | None] = {r[0]: r[1] for r in self.core.select_in(
            "SELECT id, story_id FROM articles WHERE id IN ({marks})", sorted({a for g in groups for a in g})
        )}
        assigned: dict[int, int] = {}
        targets: set[int] = set()
        with self.core.transaction() as c:
            for group in groups:
                members = sorted(group)
                settled = sorted({s for a in members if a not in in_chunk and (s := current.get(a)) is not None})
                earlier = before if before is not None else current
                previous = sorted({s for a in members if a in in_chunk and (s := earlier.get(a)) is not None} - claimed)
                if settled:
                    target = settled[0]
                    for other in settled[1:]:
                        c.execute("UPDATE articles SET story_id = ? WHERE story_id = ?", (target, other))
                        for moved in (current, assigned):
                            moved.update({a: target for a, s in moved.items() if s == other})
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
                targets.add(target)
                assigned.update((a, target) for a in members if a in in_chunk)
            c.executemany("UPDATE stories SET updated = ? WHERE id = ?", [(stamp, t) for t in sorted(targets)])
            c.executemany("UPDATE articles SET story_id = ? WHERE id = ?", [(t, a) for a, t in assigned.items()])
            c.execute("DELETE FROM stories WHERE id NOT IN (SELECT story_id FROM articles WHERE story_id IS NOT NULL)")
        return counts

    def stories_of(self, ids: list[int]) -> dict[int, int]:
        """The story of each of these articles that has one."""
        return {r[0]: r[1] for r in self.core.select_in(
            "SELECT id, story_id FROM articles WHERE story_id IS NOT NULL AND id IN ({marks})", ids)}

    def members_between(self, story: int, first_day: int, last_day: int) -> list[int]:
        """The articles of a story judged as of a day from first_day to last_day (days since 1970-01-01)."""
        return [r[0] for r in self.core.conn.execute(
            """SELECT a.id FROM articles a JOIN article_signatures s ON s.article_id = a.id
               WHERE a.story_id = ? AND s.day BETWEEN ? AND ? ORDER BY a.id""", (story, first_day, last_day))]

    def reset_stories(self) -> dict[int, int]:
        """Forget every signature and story membership (stories themselves stay until emptied), returning
        article id -> story id as it was, so a rebuild can keep the numbers of stories that survive."""
        before = {r[0]: r[1] for r in self.core.conn.execute("SELECT id, story_id FROM articles WHERE story_id IS NOT NULL")}
        with self.core.transaction() as c:
            c.execute("DELETE FROM article_signatures")
            c.execute("DELETE FROM article_stems")
            c.execute("DELETE FROM stem_frequencies")
            c.execute("DELETE FROM article_copies")
            c.execute("UPDATE articles SET story_id = NULL")
        return before

    def article_ids_by_day(self) -> list[int]:
        """Every article, oldest first (by publication date, else first sighting)."""
        return [r[0] for r in self.core.conn.execute(
            "SELECT id FROM articles ORDER BY coalesce(substr(published, 1, 10), substr(first_fetched, 1, 10)), id"
        )]

    def articles_needing_story(self) -> list[int]:
        """New articles, and those whose text or translation changed since their story was judged (their
        signature is dropped in the same transaction as the change), oldest first."""
        return [r[0] for r in self.core.conn.execute(
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
        rows = [dict(r) for r in self.core.conn.execute(sql, {**args, "limit": limit})]
        for row in rows:
            row["languages"] = sorted(row["languages"].split(","))
            row["sources"] = sorted(row["sources"].split(","))
        return rows

    def story_stats(self) -> dict[str, int]:
        """How many stories, and how many of them more than one article carries."""
        stories, with_copies = self.core.conn.execute(
            "SELECT count(*), sum(n > 1) FROM (SELECT count(*) AS n FROM articles WHERE story_id IS NOT NULL GROUP BY story_id)"
        ).fetchone()
        return {"stories": stories, "with_copies": with_copies or 0}

    def story_members(self, story_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
        """story id -> its articles (without their text), oldest first; each with `copy_of`: the first member
        of its group of copies when it is a copy (else None: an article of its own, a separate write-up)."""
        out: dict[int, list[dict[str, Any]]] = {}
        rows = self.core.select_in(
            """SELECT story_id, id, source, url, lang, title, title_en, published, first_fetched, translation_status,
                      translation_engine, translation_waiting FROM articles WHERE story_id IN ({marks})
               ORDER BY coalesce(published, first_fetched), id""",
            sorted(set(story_ids)),
        )
        for row in rows:  # a story's articles are all in one batch, so each list keeps that order
            out.setdefault(row["story_id"], []).append(dict(row))
        ids = [r["id"] for r in rows]
        position = {a: k for k, a in enumerate(ids)}
        first = {a: min(group, key=position.__getitem__) for group in union_groups(ids, self.copy_pairs(ids)) for a in group}
        for members in out.values():
            for m in members:
                m["copy_of"] = first[m["id"]] if first[m["id"]] != m["id"] else None
        return out


def union_groups(ids: Iterable[int], links: Iterable[tuple[int, int]]) -> list[set[int]]:
    """Connected groups of `ids` and the articles `links` join them to (union-find)."""
    parent: dict[int, int] = {i: i for i in ids}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, set[int]] = {}
    for x in list(parent):
        groups.setdefault(root(x), set()).add(x)
    return list(groups.values())
