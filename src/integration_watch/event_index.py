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
_BATCH = 256  # articles whose postings are expanded together (bounds the transient arrays)


@dataclass(frozen=True)
class Indexed:
    """An article as the index sees it."""

    id: int
    day: int
    language: str  # the comparison language
    stems: np.ndarray  # sorted stem hashes


def event_candidates(queries: Sequence[Indexed], articles: Sequence[Indexed], df: DocumentFrequencies,
                     bar: float = CANDIDATE_COSINE) -> dict[int, list[int]]:
    """For each query, the articles (ids, itself excluded) of its comparison language within EVENT_DAYS whose
    rare-stem cosine with it reaches `bar`."""
    out: dict[int, list[int]] = {q.id: [] for q in queries}
    for language in {q.language for q in queries}:
        pool = [a for a in articles if a.language == language]
        asked = [q for q in queries if q.language == language]
        if pool and asked:
            _one_language(asked, pool, df, bar, out)
    return out


def _one_language(queries: list[Indexed], pool: list[Indexed], df: DocumentFrequencies, bar: float,
                  out: dict[int, list[int]]) -> None:
    ids = np.fromiter((a.id for a in pool), np.int64, count=len(pool))
    days = np.fromiter((a.day for a in pool), np.int64, count=len(pool))
    sizes = np.fromiter((a.stems.size for a in pool), np.int64, count=len(pool))
    stems = np.concatenate([a.stems for a in pool]) if pool else np.zeros(0, np.int64)
    owner = np.repeat(np.arange(len(pool)), sizes)
    squares = df.squared_idf(stems)
    norms = np.sqrt(np.bincount(owner, squares, minlength=len(pool)))  # of all stems: the rule's cosine
    rare = squares >= df.rare_square(RARE_SHARE, RARE_LEAST)
    order = np.argsort(stems[rare], kind="stable")
    keys, rows, weights = stems[rare][order], owner[rare][order], squares[rare][order]
    for start in range(0, len(queries), _BATCH):
        batch = queries[start:start + _BATCH]
        q_stems = [q.stems[df.squared_idf(q.stems) >= df.rare_square(RARE_SHARE, RARE_LEAST)] for q in batch]
        q_owner = np.repeat(np.arange(len(batch)), [s.size for s in q_stems])
        flat = np.concatenate(q_stems) if q_stems else np.zeros(0, np.int64)
        lo, hi = np.searchsorted(keys, flat, "left"), np.searchsorted(keys, flat, "right")
        counts = hi - lo
        total = int(counts.sum())
        if not total:
            continue
        # every (query, posting) pair of a shared rare stem, summed per (query, article)
        starts = np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(total)
        pair = np.repeat(q_owner, counts) * len(pool) + rows[starts]
        shared = np.bincount(pair, weights[starts], minlength=len(batch) * len(pool)).reshape(len(batch), len(pool))
        q_norms = np.sqrt([float(df.squared_idf(q.stems).sum()) for q in batch])
        with np.errstate(divide="ignore", invalid="ignore"):
            cosine = shared / (q_norms[:, None] * norms[None, :])
        for k, q in enumerate(batch):
            hit = np.flatnonzero((cosine[k] >= bar) & (np.abs(days - q.day) <= EVENT_DAYS))
            out[q.id] = [int(i) for i in ids[hit] if i != q.id]
