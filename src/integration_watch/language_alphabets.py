"""Which letters each language writes, read from its character n-gram profile, and what a word written with a
letter of another alphabet says against a language. A word list gives such a word (Polish "śpi" in a Slovene
reading) only its floor, as if it were a rare word; it is no word of that language at all. Used by
language.py's detector, for the words that are not names: "José", "Björn" or "Wałęsa" in an English sentence
are no evidence against English."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from langdetect.utils.ngram import NGram

ALPHABET_MIN = 1e-4  # a letter less frequent than this in a language's profile is not of its alphabet
FOREIGN_WORD = 8.0  # extra cost (nats) of each word with a letter of another alphabet


class Alphabets:
    """The non-ASCII letters some profiled language does not write, and which languages those are."""

    def __init__(self, grams: Sequence[str], table: np.ndarray) -> None:
        """``grams`` and ``table`` as in the detector: the profiles' n-grams and P(gram | language), one
        column per language."""
        self._foreign: dict[str, np.ndarray] = {}  # letter -> columns that do not write it
        for i, g in enumerate(grams):
            if len(g) == 1 and not g.isascii() and g.isalpha():
                lacking = table[i] < ALPHABET_MIN
                if lacking.any():
                    self._foreign[g] = lacking

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
