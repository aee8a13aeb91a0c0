"""Do two articles report the same news? The evidence news monitors use, weighted by what is common in this corpus.

A topical corpus shares its vocabulary: "integration", "regions", "local", "authorities" are in every article,
so plain word overlap makes rewrites of one event and different news on one topic look alike. Here the stems
two articles share count by their rarity in the corpus (inverse document frequency, from document frequencies
the corpus keeps as articles are judged), and beside them: names both mention (capitalised words inside a
sentence), figures both mention, how alike their titles are, and how many days apart they were published.

One rule for every pair, written or translated:

    score = cosine(stems) + ENTITY_WEIGHT * shared names + NUMBER_WEIGHT * min(shared figures, 3)
            + TITLE_WEIGHT * cosine(title stems) + TRANSLATED_BONUS (when the two were written in different
            languages) - SAME_SOURCE_PENALTY (when one source published both) - DAY_PENALTY * days apart

and the pair is one event when score >= EVENT_SCORE, it was published within EVENT_DAYS, and the figures do not contradict it (both mention at least two figures that are not years and share none: a follow-up
with new figures, or another call for proposals), and neither text quotes the other's headline (a "related
articles" box or a "read also" line that survived extraction names other news; a rewrite does not carry
the headline of another write-up word for word, unless it is its own headline too). Only pairs whose stem Jaccard similarity reaches
`translation_similarity` are judged (stories.py: the MinHash screen finds them without comparing everything).
The translated bonus is the adjustment for machine
translation, which renders one original in other words than a journalist writing in English would; the
same-source penalty stands for what a source's own articles share besides news (leftovers of its page
furniture, its house style) and for the rarity of one source writing up one event twice (its copies and
updates are copies).
The weights were chosen on the dev part of fixtures/events (bench/bench_stories.py --parts events), never on
its held-out part.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .corpus import fold

EVENT_SCORE = 0.30
EVENT_DAYS = 7
ENTITY_WEIGHT = 0.15
NUMBER_WEIGHT = 0.04
TITLE_WEIGHT = 0.05
TRANSLATED_BONUS = 0.05
SAME_SOURCE_PENALTY = 0.05
DAY_PENALTY = 0.02
# Document frequencies are smoothed towards PRIOR_DOCUMENTS imaginary articles in which every stem has
# PRIOR_SHARE of the documents: a young corpus of a few articles (all on one event, say) would otherwise call
# that event's words common and its rewrites unrelated.
PRIOR_DOCUMENTS = 20
PRIOR_SHARE = 0.05

_SENTENCE = re.compile(r"(?<=[.!?:;])\s+|\n+")
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
_FIGURE = re.compile(r"\d{1,3}(?:[,.\u00a0\u202f]\d{3})+(?!\d)|\d+(?:[.,]\d+)?")
_YEAR = re.compile(r"(19|20)\d\d")


class DocumentFrequencies:
    """Stem -> in how many of the corpus's articles it occurs (their comparison text), kept as articles are
    judged; inverse document frequencies from it (BM25's form, smoothed as said above)."""

    def __init__(self, counts: dict[str, int], documents: int) -> None:
        self.counts = Counter(counts)
        self.documents = documents
        self._idf: dict[str, float] = {}

    def change(self, removed: Iterable[frozenset[str]], added: Iterable[frozenset[str]]) -> Counter[str]:
        """Articles' stems taken out (their old text) and put in; returns the change per stem."""
        delta: Counter[str] = Counter()
        for stems in removed:
            delta.subtract(stems)
            self.documents -= 1
        for stems in added:
            delta.update(stems)
            self.documents += 1
        self.counts.update(delta)
        self._idf.clear()
        return delta

    def idf(self, stem: str) -> float:
        value = self._idf.get(stem)
        if value is None:
            n = self.documents + PRIOR_DOCUMENTS
            df = self.counts.get(stem, 0) + PRIOR_DOCUMENTS * PRIOR_SHARE
            value = self._idf[stem] = math.log(1 + (n - df + 0.5) / (df + 0.5))
        return value

    def weight(self, stems: frozenset[str]) -> float:
        """The squared length of an article's stem vector (binary term frequencies)."""
        return sum(self.idf(s) ** 2 for s in stems)

    def cosine(self, a: frozenset[str], b: frozenset[str], weight_a: float, weight_b: float) -> float:
        if not weight_a or not weight_b:
            return 0.0
        return sum(self.idf(s) ** 2 for s in a & b) / math.sqrt(weight_a * weight_b)


@dataclass(frozen=True)
class Evidence:
    """What an article offers beside its stems: names, figures that are not years, title stems."""

    names: frozenset[str]
    figures: frozenset[str]
    title: frozenset[str]
    words: str  # the text folded, one space between words, for headline quotes
    headlines: tuple[str, ...]  # the title's parts of HEADLINE_WORDS words or more, folded likewise


HEADLINE_WORDS = 4
_TITLE_PARTS = re.compile(r"\s[|–—-]\s|[|:()\[\]]")  # what sites put around a headline: "Opinion | ...", "... - Site"


def evidence(text: str, title: str, title_stems: frozenset[str]) -> Evidence:
    parts = (" ".join(_WORD.findall(fold(part))) for part in _TITLE_PARTS.split(title))
    return Evidence(names(text) | names(title, first=True), figures(text), title_stems,
                    " " + " ".join(_WORD.findall(fold(text))) + " ",
                    tuple(p for p in parts if p.count(" ") + 1 >= HEADLINE_WORDS))


def quotes_headline(a: Evidence, b: Evidence) -> bool:
    """Whether either text carries the other's headline word for word (one both have as their headline, as
    a copy with its original's headline, or a text that opens with its headline, does not count)."""
    return (any(f" {h} " in b.words for h in a.headlines if h not in b.headlines)
            or any(f" {h} " in a.words for h in b.headlines if h not in a.headlines))


def names(text: str, *, first: bool = False) -> frozenset[str]:
    """Capitalised words that do not start a sentence (the first word of each sentence too when `first`,
    e.g. in a title): people, organisations, places, programmes; folded, so MT's case and accents do not
    matter."""
    out = set()
    for sentence in _SENTENCE.split(text):
        words = _WORD.findall(sentence)
        for word in words if first else words[1:]:
            if word[0].isupper() and len(word) > 2:
                out.add(fold(word))
    return frozenset(out)


def figures(text: str) -> frozenset[str]:
    """The figures a text mentions, years left out (every article of one year shares them); thousands
    separators dropped, so 1,500 and 1.500 and 1500 are one figure."""
    out = set()
    for raw in _FIGURE.findall(text):
        digits = re.sub(r"[,.\u00a0\u202f](?=\d{3}(?!\d))", "", raw).replace(",", ".")
        if not _YEAR.fullmatch(digits):
            out.add(digits.lstrip("0") or "0")
    return frozenset(out)


@dataclass(frozen=True)
class Judgement:
    score: float
    same_event: bool


def judge(
    df: DocumentFrequencies, stems_a: frozenset[str], stems_b: frozenset[str], weight_a: float, weight_b: float,
    a: Evidence, b: Evidence, days: int, translated: bool, same_source: bool = False,
) -> Judgement:
    """The rule of this module's docstring for one pair."""
    shared_figures = len(a.figures & b.figures)
    contradicted = len(a.figures) >= 2 and len(b.figures) >= 2 and not shared_figures
    shared_names = len(a.names & b.names) / min(len(a.names), len(b.names)) if a.names and b.names else 0.0
    title = df.cosine(a.title, b.title, df.weight(a.title), df.weight(b.title))
    score = (df.cosine(stems_a, stems_b, weight_a, weight_b) + ENTITY_WEIGHT * shared_names
             + NUMBER_WEIGHT * min(shared_figures, 3) + TITLE_WEIGHT * title
             + (TRANSLATED_BONUS if translated else 0.0) - (SAME_SOURCE_PENALTY if same_source else 0.0)
             - DAY_PENALTY * days)
    ok = score >= EVENT_SCORE and days <= EVENT_DAYS and not contradicted and not quotes_headline(a, b)
    return Judgement(round(score, 4), ok)
