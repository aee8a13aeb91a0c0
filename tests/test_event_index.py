"""The event index: which articles of the last days may report the same event (event_index.py)."""

from __future__ import annotations

import numpy as np

from integration_watch.event_index import Indexed, event_candidates
from integration_watch.same_event import DocumentFrequencies
from integration_watch.story_features import hashed


def _article(i: int, day: int, words: str, language: str = "en") -> Indexed:
    return Indexed(i, day, language, hashed(words.split()))


def test_rare_words_in_common_make_candidates_within_a_week_and_common_ones_do_not() -> None:
    """A 200-article corpus where "integ", "regio", "local" are in every article: a short text sharing three rare
    words with a long one is a candidate whatever their Jaccard similarity (here 0.06); a text sharing only
    the common words is not, nor one sharing the rare words eight days later or in another comparison language."""
    common = "integ regio local autho citie"
    df = DocumentFrequencies({**{w: 200 for w in common.split()}, "wierz": 2, "skarz": 2, "passp": 2}, 200)
    long = _article(1, 100, common + " wierz skarz passp " + " ".join(f"w{k:03d}" for k in range(40)))
    short = _article(2, 101, "wierz skarz passp")
    topical = _article(3, 100, common + " " + " ".join(f"x{k:03d}" for k in range(40)))
    late = _article(4, 109, "wierz skarz passp x001")
    other_language = _article(5, 100, "wierz skarz passp", language="es")
    found = event_candidates([short, topical], [long, short, topical, late, other_language], df)
    assert np.intersect1d(long.stems, short.stems).size / np.union1d(long.stems, short.stems).size < 0.1
    assert found == {2: [1], 3: []}
