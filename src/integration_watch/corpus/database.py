"""Opening the corpus: one SQLite file (WAL), migrated to the current schema, with fold() defined on it.

`Database` is the connection and the few things every concern shares (transactions, bounded IN lists,
settings); each concern's SQL lives in its own module beside this one (see `Corpus`).
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..stemming import vocabulary_entries
from .schema import MIGRATIONS, migrate

IN_BATCH = 500  # values per IN (...) list: SQLite allows 32,766 parameters from 3.32, 999 before


class CorpusError(RuntimeError):
    """The database cannot be opened, written or locked."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _combining_marks() -> re.Pattern[str]:
    """Every combining mark of the Basic Multilingual Plane, as one character class of ranges. (str.translate
    with a table of them was two to four times slower on news text: it looks up every character in the table.)"""
    marks = [cp for cp in range(0x10000) if unicodedata.combining(chr(cp))]
    ranges: list[tuple[int, int]] = []
    for cp in marks:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    return re.compile("[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges) + "]")


_COMBINING_MARKS = _combining_marks()


def fold(text: str) -> str:
    """Case- and accent-fold text for the index and for queries, in every script.

    SQLite's unicode61 tokenizer folds Latin accents but not Greek ones (ά, ΐ) nor final sigma; doing it
    here, identically for what is indexed and what is searched, makes both match in any script.
    """
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", _COMBINING_MARKS.sub("", decomposed).casefold())


def define_fold(conn: sqlite3.Connection) -> None:
    """Give a connection the SQL functions the full-text index's triggers call: fold(), and stem_vocabulary()
    (an article's word forms, their stems and languages, for the word_stems table search expands words with). Every
    connection that writes articles or searches as the index was folded needs them (ours, and Datasette's
    through the plugin)."""
    conn.create_function("fold", 1, lambda text: None if text is None else fold(text), deterministic=True)
    conn.create_function(
        "stem_vocabulary", 5,
        lambda lang, title, text, title_en, text_en: vocabulary_entries(fold, lang, (title, text), (title_en, text_en)),
        deterministic=True,
    )


def text_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


class Database:
    """The open connection, checked and migrated."""

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
            define_fold(conn)
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
            try:
                migrate(conn, version)
            except sqlite3.DatabaseError as exc:
                raise CorpusError(f"{self.path}: cannot create or upgrade schema: {exc}") from None

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction. It takes the write lock first (BEGIN IMMEDIATE, waiting as busy_timeout says):
        a transaction that read first and wrote later would fail at once ("database is locked") whenever another
        connection wrote in between, as the crawl does while its translation thread (overlap.py) writes."""
        try:
            with self.conn:
                if not self.conn.in_transaction:
                    self.conn.execute("BEGIN IMMEDIATE")
                yield self.conn
        except sqlite3.OperationalError as exc:
            raise CorpusError(f"{self.path}: write failed: {exc}") from None

    def select_in(self, sql: str, values: list[Any]) -> list[sqlite3.Row]:
        """Rows of `sql`, whose `{marks}` stands for the placeholders of an IN list, for every value, queried in
        batches that stay far below SQLite's limit on parameters; batches follow the order of `values`."""
        rows: list[sqlite3.Row] = []
        for start in range(0, len(values), IN_BATCH):
            part = values[start:start + IN_BATCH]
            rows += self.conn.execute(sql.format(marks=",".join("?" * len(part))), part).fetchall()
        return rows

    def get_setting(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_settings(self, values: dict[str, str]) -> None:
        with self.transaction() as c:
            c.executemany("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", values.items())
