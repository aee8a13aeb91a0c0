"""Snippets: the window of an article's text (or of its English, marked "[en] ") that holds the most query
terms, the words that fold to a term wrapped in marks, offsets taken in the text as written."""

from __future__ import annotations

import re
from functools import lru_cache

from .corpus import fold
from .stemming import fold_each

_WORD_CHARS = re.compile(r"\w+", re.UNICODE)


def best_snippet(text: str, text_en: str | None, terms: tuple[str, ...], mark: tuple[str, str]) -> str:
    spans = _term_spans(text, terms)
    if not spans and text_en:
        english = _term_spans(text_en, terms)
        if english:
            return "[en] " + _snippet_at(text_en, english, mark=mark)
    return _snippet_at(text, spans, mark=mark)


def snippet(text: str, terms: tuple[str, ...], *, width: int = 240, mark: tuple[str, str] = ("[", "]")) -> str:
    """The window of the original text with the most query terms, terms wrapped in `mark`."""
    return _snippet_at(text, _term_spans(text, terms), width=width, mark=mark)


def _snippet_at(
    text: str, spans: list[tuple[int, int]], *, width: int = 240, mark: tuple[str, str] = ("[", "]")
) -> str:
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
    """Where the words that fold to a term (or start with a prefix term) stand in `text`."""
    exact = {t for t in terms if not t.endswith("*")}
    prefixes = tuple(t[:-1] for t in terms if t.endswith("*"))
    if text.isascii():
        lowered = text.lower()  # ASCII folds by lower-casing, which keeps every offset
        if not any(t in lowered for t in (*exact, *prefixes)):
            return []
        return [m.span() for m in _words_pattern(frozenset(exact), prefixes).finditer(lowered)]
    # Each distinct word folded once; the words that match are then found in the text as they are written.
    words = list(set(_WORD_CHARS.findall(text)))
    hits = frozenset(
        word for word, folded in zip(words, fold_each(fold, [w.lower() if w.isascii() else w for w in words]), strict=True)
        if folded in exact or (prefixes and folded.startswith(prefixes))
    )
    return [m.span() for m in _words_pattern(hits, ()).finditer(text)] if hits else []


@lru_cache(maxsize=64)
def _words_pattern(words: frozenset[str], prefixes: tuple[str, ...]) -> re.Pattern[str]:
    """A whole word that is one of `words`, or a word starting with one of `prefixes`."""
    choices = [f"(?:{'|'.join(map(re.escape, sorted(words)))})(?!\\w)"] if words else []
    if prefixes:
        choices.append(f"(?:{'|'.join(map(re.escape, prefixes))})\\w*")
    return re.compile(f"(?<!\\w)(?:{'|'.join(choices)})")


def _shorten(text: str, start: int, width: int) -> str:
    body = " ".join(text[start : start + width].split())
    return body + ("…" if len(text) > start + width else "")
