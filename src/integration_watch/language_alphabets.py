"""Which letters each language writes, read from its character n-gram profile, and what a letter of another
alphabet says against a language. A profile that never saw a letter (Polish ś in Slovene, Czech ř in Slovak)
gives it only langdetect's smoothing, as if it were merely rare; a word with such a letter is no word of that
language at all. Used by language.py's detector."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from langdetect.utils.ngram import NGram

ALPHABET_MIN = 1e-4  # a letter less frequent than this in a language's profile is not of its alphabet
FOREIGN_LETTER = 8.0  # extra cost (nats) of each letter, and of each word, of another alphabet


class Alphabets:
    """The non-ASCII letters some profiled language does not write, and which languages those are."""

    def __init__(self, grams: Sequence[str], table: np.ndarray) -> None:
        """``grams`` and ``table`` as in the detector: the profiles' n-grams and P(gram | language), one
        column per language."""
        self._foreign: dict[str, np.ndarray] = {}  # letter -> columns that do not write it
        self._rows: list[tuple[int, np.ndarray]] = []  # (its row in the profiles, those columns)
        for i, g in enumerate(grams):
            if len(g) == 1 and not g.isascii() and g.isalpha():
                lacking = table[i] < ALPHABET_MIN
                if lacking.any():
                    self._foreign[g] = lacking
                    self._rows.append((i, lacking))

    def penalize(self, logp: np.ndarray) -> None:
        """Lower, in place, the log-probability of each letter in the languages that do not write it."""
        for row, lacking in self._rows:
            logp[row, lacking] -= FOREIGN_LETTER

    def foreign_words(self, words: Sequence[str]) -> np.ndarray | None:
        """Per language, how many of ``words`` have a letter it does not write (None: no such word)."""
        out = None
        for word in words:
            if word.isascii():
                continue
            mask = None
            for ch in set(word):
                lacking = self._foreign.get(NGram.normalize(ch))
                if lacking is not None:
                    mask = lacking if mask is None else mask | lacking
            if mask is not None:
                out = mask.astype(np.float64) if out is None else out + mask
        return out
