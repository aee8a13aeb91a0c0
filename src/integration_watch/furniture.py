"""Page furniture that survives extraction: sentences a source repeats across its articles (a cookie notice,
"Share this page", a newsletter box, the network's standard paragraph about itself).

Extraction drops most furniture by its place in the page; what is left repeats word for word, and that is
how it is found here: a sentence standing in at least MIN_SHARE (and MIN_ARTICLES) of a source's SAMPLE most
recent distinct texts is furniture. A text stored under several URLs counts once, and MIN_ARTICLES keeps a
press release posted two or three times with edits from counting. Sentences are counted in the original
text and in the English translation alike (the translation memory translates furniture the same way every
time). Stories leave furniture out when they compare articles; the digest when it picks a lead.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

from .corpus import Corpus
from .translate import split_sentences

SAMPLE = 50
MIN_ARTICLES = 4
MIN_SHARE = 0.1


def sentence_key(sentence: str) -> str:
    return " ".join(sentence.split()).casefold()


def _sentences(text: str) -> Iterable[str]:
    for paragraph in text.split("\n"):
        yield from split_sentences(paragraph)


class Furniture:
    """The furniture of each source, learnt on first use from its most recent articles and kept for the
    life of this object (one stage run or one digest)."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self._known: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {}

    def _learn(self, source: str) -> tuple[frozenset[str], tuple[str, ...]]:
        if source not in self._known:
            samples = self.corpus.articles.source_texts(source, SAMPLE)
            counts: Counter[str] = Counter()
            for texts in samples:
                counts.update({sentence_key(s) for text in texts for s in _sentences(text)})
            need = max(MIN_ARTICLES, math.ceil(MIN_SHARE * len(samples)))
            keys = frozenset(k for k, n in counts.items() if n >= need)
            # a cheap first test before splitting a text into sentences: each one's longest word
            probes = tuple({max(k.split(), key=len) for k in keys if k.strip()})
            self._known[source] = keys, probes
        return self._known[source]

    def of(self, source: str) -> frozenset[str]:
        """The source's furniture sentences, as sentence_key()s."""
        return self._learn(source)[0]

    def strip(self, source: str, text: str) -> str:
        """The text without its source's furniture sentences (an emptied paragraph stays as an empty line, so
        the text keeps its alignment with its translation)."""
        keys, probes = self._learn(source)
        if not keys:
            return text
        folded = text.casefold()
        if not any(p in folded for p in probes):
            return text
        return "\n".join(
            " ".join(s for s in split_sentences(p) if sentence_key(s) not in keys) for p in text.split("\n")
        )
