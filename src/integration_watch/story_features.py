"""What the story stage compares articles by: word stems, their 64-bit hashes, MinHash signatures.

Each article's text becomes a set of word stems (folded, the first STEM letters of each word that is not an
English stop word). The stage keeps them, for every article of its window, as a sorted array of 64-bit hashes
(8 bytes a stem, against ~60 for a string in a set): a window of thousands of articles then fits in a few
megabytes, and overlaps are counted by numpy. The strings themselves are only made where the text is read
(the signing processes) and stored as text in the corpus, which keeps document frequencies by stem.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable

import numpy as np

from .corpus import fold

PERMUTATIONS = 128
STEM = 5
_PRIME = (1 << 31) - 1  # a < 2**31 and CRC-32 values < 2**32, so a*x + b stays below 2**64
_SEED = 20211124  # fixed: stored signatures must stay comparable across runs and machines
_LONG_WORD = re.compile(r"\w{3,}", re.UNICODE)  # words of two letters or fewer say nothing
_STOP = frozenset(
    "the of and to in is that for on with as by was are be it at from this an or which have has were not but its "
    "their they he his she her we our also been will would can could more than into about after over other some "
    "such there these those when where while who whom what him them then very most".split()
)
_EMPTY = np.zeros(0, np.int64)


def stems(text: str) -> frozenset[str]:
    words = set(_LONG_WORD.findall(fold(text))) - _STOP  # each distinct word once
    return frozenset(w[:STEM] for w in words if not w.isdigit())


def stem_sequence(text: str) -> list[str]:
    """The stem of each word stems() counts, in the order of the text, repeats kept: what passages two texts
    say alike are found in (same_event.own_stems)."""
    return [w[:STEM] for w in _LONG_WORD.findall(fold(text)) if w not in _STOP and not w.isdigit()]


def hashed(words: Iterable[str]) -> np.ndarray:
    """Sorted distinct 64-bit hashes (int64) of these strings."""
    return np.unique(hash_each(list(words)))


def hash_each(words: list[str]) -> np.ndarray:
    """The 64-bit hash (int64) of each string, in order: its CRC-32 (which MinHash uses too) above its Adler-32.
    CRC-32 alone is injective on strings of up to 4 bytes; two checksums of different construction make a
    collision among a corpus's stems (~1 expected in 100,000 for CRC-32 alone) negligible."""
    encoded = list(map(str.encode, words))
    high = np.fromiter(map(zlib.crc32, encoded), np.uint64, count=len(encoded))
    low = np.fromiter(map(zlib.adler32, encoded), np.uint64, count=len(encoded))
    return ((high << np.uint64(32)) | low).view(np.int64)


def shared(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The hashes in both sorted arrays."""
    if not a.size or not b.size:
        return _EMPTY
    if a.size > b.size:
        a, b = b, a
    at = np.searchsorted(b, a)
    at[at == b.size] = 0
    return a[b[at] == a]


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    if not a.size or not b.size:
        return 0.0
    common = shared(a, b).size
    return common / (a.size + b.size - common)


class MinHasher:
    """MinHash signatures of stem sets: PERMUTATIONS universal hash functions over CRC-32 of each stem."""

    def __init__(self) -> None:
        rng = np.random.default_rng(_SEED)
        self.a = rng.integers(1, _PRIME, PERMUTATIONS, dtype=np.uint64)[:, None]
        self.b = rng.integers(0, _PRIME, PERMUTATIONS, dtype=np.uint64)[:, None]

    def signature(self, items: frozenset[str]) -> np.ndarray:
        if not items:
            return np.full(PERMUTATIONS, np.iinfo(np.uint32).max, dtype=np.uint32)  # matches nothing
        hashes = np.fromiter(map(zlib.crc32, map(str.encode, items)), dtype=np.uint64, count=len(items))
        return _mod_prime(self.a * hashes[None, :] + self.b).min(axis=1).astype(np.uint32)


def _mod_prime(x: np.ndarray) -> np.ndarray:
    """x % _PRIME for uint64 x, without division: 2**31 = 1 modulo the Mersenne prime 2**31 - 1, so the bits
    above 31 fold onto the low ones (twice brings any 64-bit value below 2 * _PRIME)."""
    x = (x & _PRIME) + (x >> 31)
    x = (x & _PRIME) + (x >> 31)
    return np.where(x >= _PRIME, x - _PRIME, x)
