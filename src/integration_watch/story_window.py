"""The window of stored signatures one chunk of articles is compared with: its candidate pairs, found for every
article of the window at once by how many MinHash signature values agree."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .same_event import EVENT_DAYS
from .story_features import PERMUTATIONS

if TYPE_CHECKING:
    from .corpus import Corpus
    from .stories import Basis, Thresholds

# Candidates are pairs whose estimated similarity is at most this many standard errors below the threshold
# their pair needs. Two keep every true pair of the FLORES cross-language set (lowest estimate 0.109 against a
# bound of 0.104); three let through 14 times as many pairs for the exact check (BENCHMARKS.md).
MARGIN_SIGMAS = 2.0


class Window:
    """Stored signatures of the articles of some span of days, sorted by (comparison language, day), so the
    articles one article is compared with are one contiguous slice."""

    def __init__(self, rows: list[tuple[int, int, str, str, bytes]], thresholds: Thresholds) -> None:
        self.thresholds = thresholds
        rows = sorted(rows, key=lambda r: (r[2], r[1]))
        self.ids = np.asarray([r[0] for r in rows], np.int64)
        days = np.asarray([r[1] for r in rows], np.int64)
        self._languages = {lang: i for i, lang in enumerate(sorted({r[2] for r in rows}))}
        self._originals = {lang: i for i, lang in enumerate(sorted({r[3] for r in rows}))}
        languages = np.asarray([self._languages[r[2]] for r in rows], np.int64)
        self.originals = np.asarray([self._originals[r[3]] for r in rows], np.int64)
        self.keys = languages * _DAY_SPAN + days
        self.signatures = np.frombuffer(b"".join(r[4] for r in rows), dtype="<u4").reshape(len(rows), PERMUTATIONS)
        # The first half's low 16 bits, one row per permutation (padded to whole 8-byte words): the rough
        # screen compares contiguous rows and counts 8 articles per 64-bit addition (see candidates).
        width = len(rows) + _PAD
        self._low = np.zeros((_HALF, width), np.uint16)
        self._low[:, : len(rows)] = self.signatures[:, :_HALF].T

    def within(self, first_day: int, last_day: int) -> list[tuple[int, int, str]]:
        """(id, day, comparison language) of the articles published from first_day to last_day."""
        out = []
        for language, k in self._languages.items():
            lo, hi = np.searchsorted(self.keys, [k * _DAY_SPAN + first_day, k * _DAY_SPAN + last_day + 1])
            out += [(int(i), int(key - k * _DAY_SPAN), language) for i, key in zip(self.ids[lo:hi], self.keys[lo:hi])]
        return out

    @classmethod
    def load(cls, corpus: Corpus, first_day: int, last_day: int, thresholds: Thresholds) -> Window:
        return cls(corpus.stories.signatures_between(first_day, last_day), thresholds)

    def candidates(self, article: Basis, signature: np.ndarray) -> list[int]:
        """Ids within the window and comparison language whose estimated similarity may reach the threshold
        their pair needs (within EVENT_DAYS: translation, the least for one event; further apart: duplicate
        when written in one language, else none), within MARGIN_SIGMAS standard errors."""
        t = self.thresholds
        language = self._languages.get(article.language)
        if language is None:
            return []
        base = language * _DAY_SPAN + article.day
        lo, hi = np.searchsorted(self.keys, [base - t.window_days, base + t.window_days + 1])
        if lo == hi:
            return []
        same = self.originals[lo:hi] == self._originals.get(article.original, -1)
        near = np.abs(self.keys[lo:hi] - base) <= EVENT_DAYS
        half_needed = np.where(near, needed(t.translation, _HALF), np.where(same, needed(t.duplicate, _HALF), _HALF + 1))
        # Rough screen: agreement of the first half's low 16 bits, never below the exact agreement, so it
        # drops only rows the exact screen would drop. Bytes of a 0/1 matrix added as 64-bit words count
        # per column (at most 64 per byte: no carry), 8 columns per addition.
        span = -(-(hi - lo) // 8) * 8
        equal = self._low[:, lo:lo + span] == (signature[:_HALF] & 0xFFFF).astype(np.uint16)[:, None]
        rough = equal.view(np.uint64).sum(axis=0, dtype=np.uint64).view(np.uint8)[: hi - lo]
        keep = np.flatnonzero(rough >= half_needed)
        # The exact screens on what is left: the first half must agree as above, and all of the signature.
        rows = keep + lo
        equal = np.take(self.signatures, rows, axis=0) == signature
        full_needed = np.where(near[keep], needed(t.translation, PERMUTATIONS),
                               np.where(same[keep], needed(t.duplicate, PERMUTATIONS), PERMUTATIONS + 1))
        rows = rows[(equal[:, :_HALF].sum(axis=1, dtype=np.int32) >= half_needed[keep])
                    & (equal.sum(axis=1, dtype=np.int32) >= full_needed)]
        return [int(i) for i in self.ids[rows] if i != article.id]


def needed(threshold: float, width: int) -> float:
    """Of `width` signature values, how many must agree for a pair whose similarity may reach `threshold`."""
    return width * (threshold - MARGIN_SIGMAS * float(np.sqrt(threshold * (1 - threshold) / width)))


_DAY_SPAN = 10_000_000  # days: keeps (language, day) keys of different languages apart
_HALF = PERMUTATIONS // 2
_PAD = 8  # columns past the last article, so a slice can always be read in whole 8-column words
