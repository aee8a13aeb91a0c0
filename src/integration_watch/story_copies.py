"""Copies first: an article that copies a text already placed joins it, and two copies are never compared.

An aggregator, a network's sites or a portal's several sections can carry one release many times over: a crawl
of 10,000 pages of one site that holds 55 copies of each of its 181 articles compared each copy with every
copy of every related article, 55 x 55 pairs where one would do, and kept them all in memory while a chunk was
linked. Copies of one text are one write-up (story_judging.py says so for corroboration): so each chunk's
articles are first matched, in order, against the texts they might copy (the window's and the chunk's earlier
articles that are no copies themselves: a copy stored by an earlier run is `article_copies`' later article of a
pair, by id); one that copies one of them is linked to it. Then every pair is compared as before, but for pairs of
two copies: 2 x 55 pairs for two related articles of that site, not 55 x 55.

What two copies could say of their own is lost: a link between two copies through their titles, sources or dates
(two aggregators' copies of two write-ups, dated alike where their originals are not). A copy's own link to an
article that is no copy is kept (an aggregator's copy dated nearer to a third party's write-up than its
original).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .stories import Basis

COPY = "copy"


@dataclass
class Copies:
    """What the first pass found in one chunk: the earlier texts each copy copies, the articles that are copies,
    each article's other candidates it classified (with their kind, when not None) and those it did not (copies:
    what a copy is not compared with, but a representative is), and how many candidate pairs it classified."""

    originals: dict[int, list[int]] = field(default_factory=dict)
    copied: set[int] = field(default_factory=set)
    classified: dict[int, dict[int, str | None]] = field(default_factory=dict)
    copies_seen: dict[int, list[int]] = field(default_factory=dict)
    checked: int = 0


def find_copies(chunk: Sequence[Basis], candidates_of: Callable[[Basis], Iterable[int]],
                classify: Callable[[Basis, int], str | None], copied_before: set[int]) -> Copies:
    """Each article of the chunk, in order, against its candidates (`candidates_of`: ids from the signature screen
    and of identical texts; those in the chunk when they come before it) that are no copies (`copied_before`:
    copies stored by earlier runs, and those found here); `classify(article, other id)` says COPY for a copy."""
    found = Copies()
    position = {b.id: i for i, b in enumerate(chunk)}
    for i, article in enumerate(chunk):
        others = [o for o in dict.fromkeys(candidates_of(article)) if o != article.id and position.get(o, -1) < i]
        kinds = {o: classify(article, o) for o in others if o not in copied_before and o not in found.copied}
        found.checked += len(kinds)
        if originals := [o for o, kind in kinds.items() if kind == COPY]:
            found.copied.add(article.id)
            found.originals[article.id] = originals
        found.classified[article.id] = {o: kind for o, kind in kinds.items() if kind != COPY}
        found.copies_seen[article.id] = [o for o in others if o not in kinds]
    return found
