"""Word evidence for language identification: how common each word of a text is in each language.

Character n-grams say little about two or three words ("según kánev", "det är"); whole words say a lot.
The frequencies come from wordfreq's "small" word lists (the most common words of each language, measured
on subtitles, web, news and Wikipedia text). Only the ``TOP_WORDS`` most common words of each language are
kept: one sorted array of 64-bit word hashes and, per word, its rounded log frequency in
each language as one byte: about 10 MB for 34 languages, built in about a second before the crawl's workers
fork (they share it). A text's words are looked up all at once (``numpy.searchsorted``); a word matches
only its own hash, so an unknown word is recognised as unknown.

Languages without a wordfreq list (Estonian, Albanian, Welsh) get, for each word, the mean of the others:
word evidence then neither picks nor excludes them, and their n-gram profiles decide.
"""

from __future__ import annotations

from collections.abc import Sequence

import gzip
import importlib.util
from pathlib import Path

import msgpack
import numpy as np

__all__ = ["WordEvidence"]

#: our code -> wordfreq's (Croatian, Serbian and Bosnian share one Serbo-Croatian list there)
_WORDFREQ_CODE = {"hr": "sh", "sr": "sh", "bs": "sh"}
TOP_WORDS = 15_000
_UNITS = 8.0  # table units per decade of frequency
_ABSENT = -128  # a word not among a language's TOP_WORDS
_LN10 = float(np.log(10.0))


_MASK = (1 << 64) - 1


def _wordlists() -> dict[str, Path]:
    """wordfreq's "small" lists by language, found without importing wordfreq (its import costs
    ~12 MB of memory in every crawl process for tokenizers this module does not use)."""
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or spec.origin is None:
        raise ImportError("wordfreq is not installed")
    data = Path(spec.origin).parent / "data"
    return {path.name[len("small_"):-len(".msgpack.gz")]: path for path in data.glob("small_*.msgpack.gz")}


def _top_words(path: Path, limit: int) -> tuple[list[str], list[int]]:
    """The ``limit`` most common words of a wordfreq cBpack file and their levels (level i = frequency
    10 ** (-i / 100)), read bucket by bucket so that no more words are decoded than kept."""
    words: list[str] = []
    levels: list[int] = []
    with gzip.open(path, "rb") as fh:
        unpacker = msgpack.Unpacker(fh, raw=False)
        count = unpacker.read_array_header()
        header = unpacker.unpack()
        if not isinstance(header, dict) or header.get("format") != "cB":
            raise ValueError(f"{path.name}: not a wordfreq cBpack file")
        for level in range(count - 1):
            bucket = unpacker.unpack()
            take = bucket[: limit - len(words)]
            words.extend(take)
            levels.extend([level] * len(take))
            if len(words) >= limit:
                break
    return words, levels


def _hash(word: str) -> int:
    # Python's own string hash: computed once per string object and cached by the interpreter. It is
    # salted per process, which is fine: the table is built in the process (or fork parent) that uses it.
    return hash(word) & _MASK


class WordEvidence:
    """Per-language log frequencies of the words of a text, for the languages ``langs`` (in that order)."""

    def __init__(self, langs: Sequence[str]) -> None:
        self.langs = tuple(langs)
        available = _wordlists()
        hashes: list[np.ndarray] = []
        values: list[np.ndarray] = []
        columns: list[np.ndarray] = []
        floors = np.zeros(len(self.langs), dtype=np.float32)
        listed = np.zeros(len(self.langs), dtype=bool)
        for col, lang in enumerate(self.langs):
            code = _WORDFREQ_CODE.get(lang, lang)
            if code not in available:
                continue
            top, levels = _top_words(available[code], TOP_WORDS)
            if not top:
                continue
            # bucket i holds the words of frequency 10 ** (-i / 100)
            log10 = -np.array(levels, dtype=np.float32) / 100.0
            hashes.append(np.fromiter(map(_hash, top), dtype=np.uint64, count=len(top)))
            values.append(np.clip(np.rint(log10 * _UNITS), -127, 127).astype(np.int8))
            columns.append(np.full(len(top), int(listed.sum()), dtype=np.intp))
            # a word beyond the kept list is at most as common as the rarest kept one, halved
            floors[col] = (float(log10[-1]) - np.log10(2.0)) * _UNITS
            listed[col] = True
        all_hashes = np.concatenate(hashes) if hashes else np.zeros(0, dtype=np.uint64)
        self._keys, rows = np.unique(all_hashes, return_inverse=True)
        # one column per language with a list (the others are filled in per word, see ``scores``)
        self._table = np.full((len(self._keys), int(listed.sum())), _ABSENT, dtype=np.int8)
        if hashes:
            np.maximum.at(self._table, (rows, np.concatenate(columns)), np.concatenate(values))
        self._floors = floors
        self.listed = listed  # which of ``langs`` have a word list
    def scores(self, words: Sequence[str]) -> tuple[np.ndarray | None, int]:
        """Summed natural-log frequencies of the words known to at least one language, per language of
        ``langs``, and how many words that is; (None, 0) when no word is known (names, numbers, a
        language without a list)."""
        if not words or not self.listed.any():
            return None, 0
        wanted = np.fromiter((_hash(w) for w in words), dtype=np.uint64, count=len(words))
        where = np.minimum(np.searchsorted(self._keys, wanted), max(0, len(self._keys) - 1))
        found = self._keys[where] == wanted if len(self._keys) else np.zeros(len(words), dtype=bool)
        if not found.any():
            return None, 0
        rows = self._table[where[found]].astype(np.float32)
        rows = np.where(rows == _ABSENT, self._floors[self.listed], rows)
        full = np.empty((len(rows), len(self.langs)), dtype=np.float32)
        full[:, self.listed] = rows
        if not self.listed.all():
            full[:, ~self.listed] = rows.mean(axis=1, keepdims=True)
        return full.sum(axis=0) * (_LN10 / _UNITS), len(rows)
