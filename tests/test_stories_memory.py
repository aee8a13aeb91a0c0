"""The story stage's memory: what it keeps per article of its window.

A crawl of one site over a few weeks puts every article in one story window; the stage then holds each of them
while it compares the others. Measured with tracemalloc (Python's own allocation tracer) on real SQLite
corpora of generated texts, on the real code path (`recluster`).
"""

from __future__ import annotations

import random
import tracemalloc
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from conftest import store_article

from integration_watch.config import Settings
from integration_watch.corpus import Corpus
from integration_watch.same_event import DocumentFrequencies
from integration_watch.stories import Thresholds, recluster
from integration_watch.story_features import hash_each

DEFAULT = Thresholds.from_settings(Settings())


def _add_articles(corpus: Corpus, numbers: range, rng: random.Random) -> Corpus:
    """Unrelated articles of ~400 words from a 20,000-word vocabulary, all published within 10 days."""
    vocabulary = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 10)))
                  for _ in range(20_000)]
    for i in numbers:
        sentences = [" ".join(rng.choices(vocabulary, k=20)).capitalize() + "." for _ in range(20)]
        store_article(corpus, f"https://s.example/{i}", "\n".join(sentences), "en", title=f"News {i}",
                      published=f"2025-03-{1 + i % 10:02d}")
    return corpus


def _peak_bytes(corpus: Corpus) -> int:
    tracemalloc.start()
    try:
        recluster(corpus, DEFAULT, chunk_size=200)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow  # ~7 s: corpora of 600 and 1,500 articles
def test_the_stage_keeps_little_per_article_of_its_window(tmp_path: Path) -> None:
    """Texts are not kept once signed and stems are kept as 8-byte hashes: each further article in one window
    adds a few kilobytes (its ~370 stems, its signature, its metadata), where it added its text twice over and a
    set of strings."""
    rng = random.Random(7)
    with _add_articles(Corpus(tmp_path / "small.db"), range(600), rng) as small:
        small.conn.execute("VACUUM INTO ?", (str(tmp_path / "large.db"),))  # the large one: the same 600, and 900 more
        small_peak = _peak_bytes(small)
    with _add_articles(Corpus(tmp_path / "large.db"), range(600, 1500), rng) as large:
        per_article = (_peak_bytes(large) - small_peak) / 900
    # ~8 KB measured here; ~40 KB before. (Both sizes are above the event index's block of articles, whose
    # postings are made a block at a time: a constant.)
    assert per_article < 12_000, per_article


def test_the_document_frequencies_take_in_a_chunk_without_sorting_the_whole_vocabulary_again() -> None:
    """Every chunk of 2,000 articles adds its stems to the corpus's document frequencies. A corpus's vocabulary
    grows with its articles (names, places, every language's words): merging a chunk into it must cost what the
    chunk and one copy of the frequencies cost, not a sort of everything (which made the stage's peak grow with
    the corpus at every chunk: ~17 times the frequencies' keys, measured here before)."""
    rng = np.random.default_rng(1)
    words = [f"s{i}" for i in range(400_000)]
    counts = rng.integers(1, 30, len(words)).tolist()
    frequencies = DocumentFrequencies(dict(zip(words, counts)), 50_000)
    vocabulary = hash_each(words + [f"new{i}" for i in range(20_000)])  # mostly known stems, some new ones
    chunk = [np.unique(rng.choice(vocabulary, 300)) for _ in range(2000)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        frequencies.change([], chunk)
        cost = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert cost < 8 * frequencies.keys.nbytes, cost / frequencies.keys.nbytes  # ~6.5 now
    expected = Counter(dict(zip(hash_each(words).tolist(), counts)))
    expected.update(h for stems in chunk for h in stems.tolist())
    assert frequencies.documents == 52_000
    assert frequencies.keys.tolist() == sorted(expected) and frequencies.counts.tolist() == [expected[h] for h in sorted(expected)]
