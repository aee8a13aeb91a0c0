"""Export articles, original and English, as JSON Lines or CSV for researchers' own tools.

Rows stream from an SQLite cursor to the output one at a time, so memory stays flat whatever the corpus
size. Written to a file, the export goes to a temporary file beside it that replaces the target only when
complete: an interrupted export never leaves a truncated file that looks finished.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from .corpus import Corpus
from .search import Filters, QueryError, compile_query

FORMATS = ("jsonl", "csv")
COLUMNS = (
    "id", "story_id", "source", "url", "lang", "languages", "title", "title_en", "text", "text_en", "published",
    "author", "sitename", "description", "first_fetched", "last_fetched", "updated", "translation_status",
    "translation_engine",
)


def rows(corpus: Corpus, *, query: str | None = None, filters: Filters = Filters()) -> Iterator[dict[str, Any]]:
    """Matching articles in id order, as dicts of COLUMNS ('languages' decoded)."""
    where, args = filters.sql()
    columns = ", ".join(f"a.{c}" for c in COLUMNS)
    if query:
        args["match"] = compile_query(corpus, query, lang=filters.lang).fts
        sql = f"SELECT {columns} FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
        where.insert(0, "articles_fts MATCH :match")
    else:
        sql = f"SELECT {columns} FROM articles a"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY a.id"
    try:
        cursor = corpus.conn.execute(sql, args)
    except sqlite3.OperationalError as exc:
        raise QueryError(f"export failed: {exc}") from None
    for row in cursor:
        record = dict(row)
        record["languages"] = json.loads(record["languages"] or "[]")
        yield record


def write(records: Iterator[dict[str, Any]], out: IO[str], fmt: str) -> int:
    """Write records to `out` in `fmt`; returns how many."""
    count = 0
    if fmt == "jsonl":
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        for record in records:
            record["languages"] = " ".join(record["languages"])
            writer.writerow(record)
            count += 1
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    return count


@contextmanager
def atomic_output(path: Path, *, binary: bool = False) -> Iterator[IO[Any]]:
    """A text (or `binary`) file that appears at `path` only once it has been written completely."""
    path = Path(path)
    # Not mkstemp: its files are 0600 whatever the umask, and a digest published to a web folder must be
    # readable there. Mode 0666 through the umask gives what any other new file gets (0644 usually).
    tmp = (path.parent or Path(".")) / f".{path.name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")) as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
