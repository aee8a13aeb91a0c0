"""The event rule as the story stage runs it: pairs judged with what one run keeps, and near pairs corroborated.

Independent write-ups of one event each tell it their own way: one is a wire in its own words, another an analysis
that picks two figures of a report, a third a translation of a regional portal's angle. Each resembles the event's
other write-ups, but often not one of them enough for the rule on its own (same_event.EVENT_SCORE). Other news of
the same topic and week may come as close to one article of a story, but not to several of them. So a pair that
passes every check of the rule with a score of at least same_event.NEAR_SCORE is one event when corroborated: when
one of the two is that near to at least CORROBORATING write-ups of the other's story (the other among them; copies
of one text are one write-up: being near to a release and its republications is being near to one text).

The check looks at the stories as they stand when the pair is judged, and judges what it needs again: when the
near pair's article is older than some of the story's members (a story that grew after it), it is judged against
them then, so a write-up that arrived before the story's second write-up joins when that one arrives. (A near pair
that is never judged again once its corroboration arrives stays apart: arrival order can still matter there, as
the growing document frequencies make it matter for any pair.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from .same_event import (DocumentFrequencies, Evidence, Judgement, Wording, evidence, judge, judge_own, quotes_headline,
                         wording, words)

if TYPE_CHECKING:
    from .stories import Basis

CORROBORATING = 2  # near articles of one story that make a near pair one event
MOST_JUDGED = 12  # articles of a story judged again for one near pair, at most
T = TypeVar("T")
READINGS = 500  # texts' readings of each kind kept (~5 kB each): a site's articles are judged one after another


@dataclass
class Judging:
    """What the event rule needs, kept for one run: document frequencies, the evidence of the articles it has
    judged, the length of each stem vector (which changes with the frequencies: kept for one chunk), and a way to
    the texts (evidence is made only for articles in a pair to judge; the quote check reads them again).
    For one chunk it also keeps what one source's near pairs cost to judge (the second judgement): their
    judgements, asked again when links are weighed (story_apart.py), and the recent texts' wordings, each
    read by many pairs when a site carries many copies of its pages."""

    frequencies: DocumentFrequencies
    evidence: dict[int, Evidence]
    weights: dict[int, float]
    texts_of: Callable[[list[int]], dict[int, str]]
    judged: dict[tuple[int, int], Judgement] = field(default_factory=dict)
    words: dict[int, str] = field(default_factory=dict)  # same_event.words of recent texts
    wordings: dict[int, Wording] = field(default_factory=dict)  # same_event.wording of recent texts

    def new_chunk(self) -> None:
        """Forget what depends on the document frequencies or on the texts of changed articles."""
        self.weights.clear()
        self.judged.clear()
        self.words.clear()
        self.wordings.clear()

    def prepare(self, articles: list[Basis]) -> None:
        """Make the evidence of these articles (their texts read at once)."""
        missing = [a for a in articles if a.id not in self.evidence]
        texts = self.texts_of([a.id for a in missing])
        for a in missing:
            self.evidence[a.id] = evidence(texts[a.id], a.title)

    def judge(self, a: Basis, b: Basis, sa: np.ndarray, sb: np.ndarray, days: int) -> Judgement:
        """The rule for one pair: one event (same_event), near (one event if corroborated), or neither."""
        pair = (a.id, b.id) if a.id < b.id else (b.id, a.id)  # the rule is symmetric
        if (known := self.judged.get(pair)) is not None:
            return known
        self.prepare([a, b])
        ea, eb = self.evidence[a.id], self.evidence[b.id]
        wa, wb = self._weight(a.id, sa), self._weight(b.id, sb)

        def quoted() -> bool:
            return quotes_headline(ea, self._read(self.words, a, words), eb, self._read(self.words, b, words))

        translated, same_source = a.original != b.original, a.source == b.source
        first = judge(self.frequencies, sa, sb, wa, wb, ea, eb, days, translated, same_source, quoted)
        if not first.near or not same_source or translated:  # a source's versions of one release in two languages
            return first
        # one source's pair: judged again without what both say alike
        own = judge_own(self.frequencies, ea, self._read(self.wordings, a, lambda text: wording(text, a.title)), eb,
                        self._read(self.wordings, b, lambda text: wording(text, b.title)), days, False)
        found = self.judged[pair] = Judgement(min(first.score, own.score), first.same_event and own.same_event,
                                              own.near, not own.near)
        return found

    def _weight(self, article: int, stem_hashes: np.ndarray) -> float:
        found = self.weights.get(article)
        if found is None:
            found = self.weights[article] = self.frequencies.weight(stem_hashes)
        return found

    def _read(self, recent: dict[int, T], article: Basis, read: Callable[[str], T]) -> T:
        """What `read` makes of the article's text, kept among the last READINGS of its kind."""
        found = recent.pop(article.id, None)
        if found is None:
            found = read(self.texts_of([article.id])[article.id])
            if len(recent) >= READINGS:
                del recent[next(iter(recent))]
        recent[article.id] = found  # the most recent last
        return found


def corroborated(near: list[tuple[int, int]], links: Iterable[tuple[int, int]], story_of: dict[int, int],
                 members: Callable[[int], list[int]], copies: Callable[[list[int]], list[tuple[int, int]]],
                 is_near: Callable[[int, int], bool]) -> list[tuple[int, int]]:
    """The near pairs (article of the chunk, other) that are one event, given the chunk's links (one event or
    copies), the stories of the articles outside the chunk (`story_of`), the articles of a story (`members`, by
    its story number), the copy relations among some articles (`copies`) and a way to judge another pair
    (`is_near`: at least near). A pair is kept when one of its two is near to CORROBORATING write-ups of the
    other's story (as the chunk's links and the stored stories make it; copies of one text are one write-up),
    judged again where no pair of this chunk says."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        return find_root(parent, x)

    for article, story in story_of.items():  # a story is a node of its own: -(its number)
        parent[root(article)] = root(-story)
    for a, b in links:
        parent[root(a)] = root(b)
    known = defaultdict(set)
    for x in list(parent):
        known[root(x)].add(x)
    said = {frozenset(p) for p in near}
    stored: dict[int, list[int]] = {}
    copy_groups: dict[int, dict[int, int]] = {}  # a story (its root) -> its copy forest

    def group(x: int) -> set[int]:
        """The articles of x's story, as the chunk's links and the stored stories make it."""
        found = {m for m in known[root(x)] if m >= 0}
        for story in (-m for m in known[root(x)] if m < 0):
            if story not in stored:
                stored[story] = members(story)
            found.update(stored[story])
        return found | {x}

    def copy_forest(x: int) -> dict[int, int]:
        """The copy relations among the articles of x's story, read once per story."""
        if root(x) not in copy_groups:
            forest: dict[int, int] = {}
            for a, b in copies(sorted(group(x))):
                forest[find_root(forest, a)] = find_root(forest, b)
            copy_groups[root(x)] = forest
        return copy_groups[root(x)]

    def near_to(x: int, of: int) -> bool:
        """Whether x is near to CORROBORATING write-ups of the story of `of`."""
        others = group(of)
        texts = copy_forest(of)  # article -> an article of its copy group
        counted: set[int] = set()
        tried = 0
        for m in sorted(others - {x}, key=lambda m: frozenset((x, m)) not in said):
            if find_root(texts, m) in counted:
                continue
            if frozenset((x, m)) in said or (tried < MOST_JUDGED and is_near(x, m)):
                counted.add(find_root(texts, m))
            tried += frozenset((x, m)) not in said
            if len(counted) >= CORROBORATING:
                return True
        return False

    # Copies of one text are judged alike: a near pair is decided once for each copy group of its article and
    # story of the other (an aggregator's 50 copies near 50 copies of other news are one decision, not 2,500).
    decided: dict[tuple[int, int, int, int], bool] = {}

    def one_event(p: int, q: int) -> bool:
        key = (find_root(copy_forest(p), p), root(q), find_root(copy_forest(q), q), root(p))
        if key not in decided:
            decided[key] = near_to(p, q) or near_to(q, p)
        return decided[key]

    return [(p, q) for p, q in near if root(p) != root(q) and one_event(p, q)]


def find_root(parent: dict[int, int], x: int) -> int:
    """x's representative in a union-find forest kept as a dict (an unknown x is its own)."""
    parent.setdefault(x, x)
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x
