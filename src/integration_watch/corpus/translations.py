"""The translation stage's side of the corpus: what to translate, the sentence memory, results."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .database import Database, now

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


class Translations:
    """What waits for translation, the translation memory, and storing English text."""

    def __init__(self, core: Database) -> None:
        self.core = core

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
        for row in self.core.conn.execute(sql + " ORDER BY id", args):
            waiting = set((row["translation_waiting"] or "").split())
            if row["translation_status"] == "pending" and not retranslate and not waiting & languages:
                continue
            ids.append(int(row["id"]))
        return ids

    def translation_tasks(self, ids: list[int]) -> list[TranslationTask]:
        rows = self.core.select_in(
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
            row = self.core.conn.execute(
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
        removed) while it was being translated is dropped: the article is translated again from its new text. A
        complete translation is never replaced by a pending one of the same text. `translated` is when the
        text's English first arrived: a retranslation keeps it (the digest reports English arriving once)."""
        stamp = now()
        with self.core.transaction() as c:
            c.executemany(
                "INSERT OR IGNORE INTO translation_memory(engine, lang, source, target) VALUES (?, ?, ?, ?)", memory
            )
            for r in records:
                row = c.execute("SELECT text_hash, translation_status FROM articles WHERE id = ?", (r.id,)).fetchone()
                if row is None or row["text_hash"] != r.text_hash:
                    continue
                if r.status == "pending" and row["translation_status"] == "translated":
                    continue  # an engine it was translated with is gone (a pair removed): its English stays
                c.execute(
                    """UPDATE articles SET title_en = ?, text_en = ?, translation_status = ?, translation_engine = ?,
                           translation_note = ?, translation_waiting = ?,
                           translated = CASE WHEN translation_status = 'translated' AND ? = 'translated'
                                             THEN coalesce(translated, ?) ELSE ? END
                       WHERE id = ?""",
                    (r.title_en, r.text_en, r.status, "; ".join(r.engines) or None, r.note,
                     " ".join(r.waiting) or None, r.status, stamp, stamp, r.id),
                )
                if "translated" in (r.status, row["translation_status"]):
                    # its English changed: the story stage compares it again
                    c.execute("DELETE FROM article_signatures WHERE article_id = ?", (r.id,))

    def translation_stats(self) -> dict[str, Any]:
        """Articles per translation status, and how many wait for an engine for each language."""
        status = {
            (row[0] or "untried"): row[1]
            for row in self.core.conn.execute("SELECT translation_status, count(*) FROM articles GROUP BY 1")
        }
        waiting: dict[str, int] = {}
        for (langs,) in self.core.conn.execute(
            "SELECT translation_waiting FROM articles WHERE translation_waiting IS NOT NULL"
        ):
            for lang in langs.split():
                waiting[lang] = waiting.get(lang, 0) + 1
        memory = self.core.conn.execute("SELECT count(*) FROM translation_memory").fetchone()[0]
        return {"status": status, "waiting": dict(sorted(waiting.items(), key=lambda kv: -kv[1])), "memory": memory}
