"""Full-text search over the corpus: a small query language compiled to FTS5, bm25 ranking, filters, and
snippets highlighted in the original (unfolded) text.

Query language: words, "quoted phrases", AND / OR / NOT (upper case), parentheses, prefix*, and a field
(`title:word`). Terms are folded exactly as the index is (see corpus.fold), so accents and case never matter.
Every query searches the original text and its English translation together: an English query finds
articles in every language that has been translated.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .corpus import Corpus, fold

TITLE_WEIGHT = 5.0
MAX_QUERY_CHARS = 1000
_TOKEN = re.compile(r'\s*(?:(?P<phrase>"[^"]*")|(?P<paren>[()])|(?P<word>[^\s()"]+))')
_OPERATORS = {"AND", "OR", "NOT"}
# A field covers the original and the English version of that part of the article.
_FIELDS = {"title": "{title title_en}", "text": "{text text_en}"}
_WORD_CHARS = re.compile(r"\w+", re.UNICODE)


class QueryError(ValueError):
    """The search query or a filter cannot be understood; the message says how to fix it."""


@dataclass(frozen=True)
class Query:
    fts: str  # the FTS5 MATCH expression
    terms: tuple[str, ...]  # folded words to highlight (prefixes end with "*")


@dataclass(frozen=True)
class Hit:
    id: int
    source: str
    url: str
    title: str | None
    title_en: str | None
    lang: str | None  # the original language
    published: str | None
    snippet: str  # from the original text, or from the English text (then starting "[en] ") if only it matches
    score: float


def parse_query(text: str) -> Query:
    """Compile a user query to a safe FTS5 expression. Every term is quoted, so punctuation in words
    ("2021-2027", "e-mail") is never read as FTS syntax; operators and parentheses are checked first."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}")
    if text.count('"') % 2:
        raise QueryError('unbalanced quote in query; close the phrase with " or remove the quote')
    parts: list[str] = []
    terms: list[str] = []
    depth = 0
    expect_operand = True
    pos = 0
    for match in _TOKEN.finditer(text):
        if match.start() != pos:
            break
        pos = match.end()
        phrase, paren, word = match.group("phrase"), match.group("paren"), match.group("word")
        if paren == "(":
            if not expect_operand:
                parts.append("AND")
            parts.append("(")
            depth += 1
            expect_operand = True
        elif paren == ")":
            if depth == 0 or expect_operand:
                raise QueryError("misplaced ')' in query; check the parentheses")
            parts.append(")")
            depth -= 1
        elif word in _OPERATORS:
            if expect_operand:
                raise QueryError(f"{word} needs a word before and after it, e.g. 'migrants {word} refugees'")
            parts.append(word)
            expect_operand = True
        else:
            operand = _operand(phrase, word, terms)
            if operand is None:
                continue
            if not expect_operand:
                parts.append("AND")
            parts.append(operand)
            expect_operand = False
    if text[pos:].strip():
        raise QueryError(f"cannot read the query from {text[pos:].strip()[:20]!r}")
    if depth:
        raise QueryError("unclosed '(' in query")
    if not terms:
        raise QueryError("the query has no words to search for")
    if expect_operand:
        raise QueryError(f"the query ends with {parts[-1]}; add a word after it")
    return Query(" ".join(parts), tuple(dict.fromkeys(terms)))


def _operand(phrase: str | None, word: str | None, terms: list[str]) -> str | None:
    column = None
    if word and ":" in word:
        name, _, rest = word.partition(":")
        if name.lower() in _FIELDS:
            column, word = _FIELDS[name.lower()], rest
            if not word:
                raise QueryError(f"'{name}:' needs a word or phrase right after it, e.g. {name}:integration")
    raw = phrase[1:-1] if phrase else (word or "")
    prefix = bool(word) and raw.endswith("*")
    words = _WORD_CHARS.findall(fold(raw))
    if not words:
        return None
    terms.extend(words[:-1] + [words[-1] + ("*" if prefix else "")])
    expr = '"' + " ".join(words) + '"' + ("*" if prefix else "")
    return f"{column} : {expr}" if column else expr


def parse_date(value: str, *, end: bool = False) -> str:
    """A --since/--until value as an ISO date: YYYY, YYYY-MM, YYYY-MM-DD, or a relative 7d / 12h / 2w."""
    value = value.strip()
    rel = re.fullmatch(r"(\d+)([hdw])", value)
    if rel:
        n, unit = int(rel.group(1)), rel.group(2)
        delta = {"h": timedelta(hours=n), "d": timedelta(days=n), "w": timedelta(weeks=n)}[unit]
        return (datetime.now() - delta).date().isoformat()
    for fmt, length in (("%Y-%m-%d", 10), ("%Y-%m", 7), ("%Y", 4)):
        try:
            parsed = datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        if len(value) != length:
            continue
        if end and length == 7:
            parsed = (parsed.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        elif end and length == 4:
            parsed = date(parsed.year, 12, 31)
        return parsed.isoformat()
    raise QueryError(f"cannot read the date {value!r}; use YYYY-MM-DD, YYYY-MM, YYYY or a span like 7d")


def search(
    corpus: Corpus,
    query: str,
    *,
    lang: str | None = None,
    source: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 20,
) -> list[Hit]:
    """Best matches first (bm25, title weighted), each with a snippet of its original text."""
    q = parse_query(query)
    where = ["articles_fts MATCH :match"]
    args: dict[str, object] = {"match": q.fts, "limit": max(1, limit), "tw": TITLE_WEIGHT}
    if lang:
        where.append("a.lang = :lang")
        args["lang"] = lang.lower()
    if source:
        where.append("a.source = :source")
        args["source"] = source
    if since:
        where.append("substr(a.published, 1, 10) >= :since")
        args["since"] = parse_date(since)
    if until:
        where.append("substr(a.published, 1, 10) <= :until")
        args["until"] = parse_date(until, end=True)
    sql = f"""
        SELECT a.id, a.source, a.url, a.title, a.title_en, a.lang, a.published, a.text, a.text_en,
               bm25(articles_fts, :tw, 1.0, :tw, 1.0) AS score
        FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
        WHERE {' AND '.join(where)}
        ORDER BY score, a.published DESC
        LIMIT :limit
    """
    try:
        rows = corpus.conn.execute(sql, args).fetchall()
    except sqlite3.OperationalError as exc:
        raise QueryError(f"search failed: {exc}") from None
    return [
        Hit(r["id"], r["source"], r["url"], r["title"], r["title_en"], r["lang"], r["published"],
            _best_snippet(r["text"], r["text_en"], q.terms), -r["score"])
        for r in rows
    ]


def _best_snippet(text: str, text_en: str | None, terms: tuple[str, ...]) -> str:
    if text_en and not _term_spans(text, terms) and _term_spans(text_en, terms):
        return "[en] " + snippet(text_en, terms)
    return snippet(text, terms)


def snippet(text: str, terms: tuple[str, ...], *, width: int = 240, mark: tuple[str, str] = ("[", "]")) -> str:
    """The window of the original text with the most query terms, terms wrapped in `mark`."""
    spans = list(_term_spans(text, terms))
    if not spans:
        return _shorten(text, 0, width)
    best_start, best_count = spans[0][0], 0
    for start, _ in spans:
        count = sum(1 for s, _ in spans if start <= s < start + width)
        if count > best_count:
            best_start, best_count = start, count
    begin = max(0, best_start - width // 4)
    window_end = begin + width
    out: list[str] = []
    cursor = begin
    for s, e in spans:
        if s < begin or e > window_end:
            continue
        out.append(text[cursor:s] + mark[0] + text[s:e] + mark[1])
        cursor = e
    out.append(text[cursor:window_end])
    body = " ".join("".join(out).split())
    return ("…" if begin > 0 else "") + body + ("…" if window_end < len(text) else "")


def _term_spans(text: str, terms: tuple[str, ...]) -> list[tuple[int, int]]:
    exact = {t for t in terms if not t.endswith("*")}
    prefixes = tuple(t[:-1] for t in terms if t.endswith("*"))
    spans = []
    for match in _WORD_CHARS.finditer(text):
        word = fold(match.group())
        if word in exact or (prefixes and word.startswith(prefixes)):
            spans.append((match.start(), match.end()))
    return spans


def _shorten(text: str, start: int, width: int) -> str:
    body = " ".join(text[start : start + width].split())
    return body + ("…" if len(text) > start + width else "")
