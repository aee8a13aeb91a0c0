"""Which articles may report the same event: an inverted index of the rare stems of the articles of a few days.

Separate write-ups of one event share few words but telling ones: the names, places and programmes of the
event, its rarer terms. A copy-detection screen (MinHash of all stems) measures how much of two texts is
common, and misses a three-line briefing of a four-paragraph release, whose stems are mostly its own. Here
each article is compared, through an inverted index, with every article of the same comparison language
published within EVENT_DAYS, by the part of the event rule's cosine that its rare stems make (those in at
most RARE_SHARE of the corpus's articles, weighted by inverse document frequency, same_event.py): a pair
reaching CANDIDATE_COSINE is judged by the event rule. The index is built per chunk from the stem hashes the
stage keeps anyway; its cost follows the rare stems' postings, which stay short however large the corpus.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .same_event import EVENT_DAYS, RARE_LEAST, RARE_SHARE, DocumentFrequencies

CANDIDATE_COSINE = 0.08  # the least rare-stem cosine for a pair to be judged as one event
_BLOCK = 250  # articles indexed at a time
MAX_PAIRS = 100_000  # (query stem, posting) pairs expanded at a time


@dataclass(frozen=True)
class Indexed:
    """An article as the index sees it."""

    id: int
    day: int
    language: str  # the comparison language
    stems: np.ndarray  # sorted stem hashes


def event_candidates(queries: Sequence[Indexed], articles: Sequence[Indexed], df: DocumentFrequencies,
                     bar: float = CANDIDATE_COSINE, *, copies: set[int] | None = None) -> dict[int, list[int]]:
    """For each query, the articles (ids, itself excluded) of its comparison language within EVENT_DAYS whose
    rare-stem cosine with it reaches `bar`; none when both are `copies` (story_copies.py)."""
    out: dict[int, list[int]] = {q.id: [] for q in queries}
    for language in {q.language for q in queries}:
        pool = [a for a in articles if a.language == language]
        asked = [q for q in queries if q.language == language]
        if pool and asked:
            _one_language(asked, pool, df, bar, out, copies or set())
    return out


def _one_language(queries: list[Indexed], pool: list[Indexed], df: DocumentFrequencies, bar: float,
                  out: dict[int, list[int]], copies: set[int]) -> None:
    rare = df.rare_square(RARE_SHARE, RARE_LEAST)
    q_ids = np.fromiter((q.id for q in queries), np.int64, count=len(queries))
    copy_ids = np.fromiter(copies, np.int64, count=len(copies))
    q_copies = np.isin(q_ids, copy_ids)
    q_days = np.fromiter((q.day for q in queries), np.int64, count=len(queries))
    q_stems = np.concatenate([q.stems for q in queries])
    q_owner = np.repeat(np.arange(len(queries)), [q.stems.size for q in queries])
    squares = df.squared_idf(q_stems)
    q_norms = np.sqrt(np.bincount(q_owner, squares, minlength=len(queries)))
    keep = squares >= rare
    order = np.argsort(q_stems[keep], kind="stable")  # sorted needles: searchsorted walks the keys once
    needles, needle_owner = q_stems[keep][order], q_owner[keep][order]
    # The pool's postings are made a block at a time, and (query, posting) pairs at most MAX_PAIRS at a time,
    # so what this holds does not grow with the window.
    for start in range(0, len(pool), _BLOCK):
        block = _Block(pool[start:start + _BLOCK], df, rare)
        shared = block.shared(needles, needle_owner, len(queries))
        q, row = np.nonzero(shared)
        hit = ((shared[q, row] >= bar * q_norms[q] * block.norms[row])
               & (np.abs(q_days[q] - block.days[row]) <= EVENT_DAYS) & (q_ids[q] != block.ids[row])
               & ~(q_copies[q] & np.isin(block.ids, copy_ids)[row]))
        for a, b in zip(q_ids[q[hit]].tolist(), block.ids[row[hit]].tolist()):
            out[a].append(b)


class _Block:
    """The postings of some articles' rare stems: stem hash, the article's row, the stem's squared idf."""

    def __init__(self, articles: Sequence[Indexed], df: DocumentFrequencies, rare: float) -> None:
        self.ids = np.fromiter((a.id for a in articles), np.int64, count=len(articles))
        self.days = np.fromiter((a.day for a in articles), np.int64, count=len(articles))
        stems = np.concatenate([a.stems for a in articles])
        owner = np.repeat(np.arange(len(articles), dtype=np.int32), [a.stems.size for a in articles])
        squares = df.squared_idf(stems)
        self.norms = np.sqrt(np.bincount(owner, squares, minlength=len(articles)))  # of all stems: the rule's cosine
        keep = squares >= rare
        order = np.argsort(stems[keep], kind="stable")
        self.keys, self.rows = stems[keep][order], owner[keep][order]
        self.weights = squares[keep][order]

    def shared(self, needles: np.ndarray, owner: np.ndarray, queries: int) -> np.ndarray:
        """The squared idf each query's rare stems (needles, sorted, with the query of each) share with each
        article of the block (query x article)."""
        size = self.ids.size
        out = np.zeros(queries * size, np.float32)
        lo, hi = np.searchsorted(self.keys, needles, "left"), np.searchsorted(self.keys, needles, "right")
        counts = hi - lo
        ends = np.cumsum(counts)
        first = 0
        while first < needles.size:  # needles whose pairs with their postings number at most MAX_PAIRS
            last = max(int(np.searchsorted(ends, (ends[first - 1] if first else 0) + MAX_PAIRS, "right")), first + 1)
            n, total = counts[first:last], int(counts[first:last].sum())
            if total:
                at = np.repeat(lo[first:last] - np.cumsum(n) + n, n) + np.arange(total)
                out += np.bincount(np.repeat(owner[first:last], n) * size + self.rows[at], self.weights[at],
                                   minlength=queries * size)
            first = last
        return out.reshape(queries, size)
