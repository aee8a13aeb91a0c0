"""One source's word that two of its articles are different news, kept when third parties link them.

An institution writes its releases in one mould: two calls of one programme share the programme's name, its rate of
co-financing, its eligibility rules and deadline; two releases of one day share the dateline, the spokesperson and the
closing lines. The second judgement of one source's pair (same_event.judge_own) tells such siblings apart: on what
they share the rule would join them, on what each says alone it does not. But a third party that carries one of
them (an aggregator's copy, a network's trimmed republication, a portal's write-up that keeps the programme's figures)
carries the mould too, and looks to the rule like a write-up of the other sibling: the sibling then joins the first
one's story through it, though its own source said they are different news.

So such a pair is kept apart: the chunk's links are taken strongest first (copies, then event links by score, then
corroborated near pairs), and a link that would put the two articles of a pair kept apart into one story (as the
chunk's stronger links and the stored stories make them) is dropped. The pairs of one source and language across
the two groups a link would join are judged then (where the chunk did not judge them already), so siblings stored
in earlier runs are kept apart too: what stays order-dependent is a sibling linked to a third party before the other
sibling arrived (a stored story is not split). Among the event set's pairs of one source in one
language that the first judgement joins, the second judgement parts only different news (fixtures/events, all
splits seen in the fifth session), so this costs no link between write-ups of one event there.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from .story_judging import find_root


def keep_apart(links: list[tuple[int, int]], strength: Mapping[tuple[int, int], float], story_of: Mapping[int, int],
               members: Callable[[int], list[int]], apart: Callable[[int, int], bool]) -> list[tuple[int, int]]:
    """The links (pairs of articles) to keep: taken strongest first (`strength`, a missing one weakest; copies
    infinite, and always kept), each other dropped when it would join two groups holding a pair kept apart
    (`apart`: asked of the pairs across the two groups). The groups are the chunk's links kept so far and the
    stored stories: `story_of` gives the story of each article outside the chunk that a link touches, `members` the
    articles of a story (within the chunk's days), so a sibling stored in an earlier run counts as much as one in
    this chunk."""
    parent: dict[int, int] = {}
    group: dict[int, set[int]] = {}  # a root -> its articles (a stored story is a node of its own: -(its number))

    def root(x: int) -> int:
        return find_root(parent, x)

    def articles(r: int) -> set[int]:
        if r not in group:
            group[r] = {r} if r >= 0 else set(members(-r))
        return group[r]

    def join(ra: int, rb: int) -> None:
        group[rb] = articles(ra) | articles(rb)
        group.pop(ra, None)
        parent[ra] = rb

    for article, story in story_of.items():  # a story stored before stays as it is
        if (ra := root(article)) != (rb := root(-story)):
            join(ra, rb)
    kept = set()
    for a, b in sorted(links, key=lambda p: (-strength.get(p, float("-inf")), p)):
        ra, rb = root(a), root(b)
        if ra != rb:
            # a copy is where its original is: its link is never dropped (a stored story may hold siblings that a
            # link of an earlier run joined; the copy goes with its original, not into a story of its own)
            if strength.get((a, b)) != math.inf and any(apart(u, v) for u in articles(ra) for v in articles(rb)):
                continue
            join(ra, rb)
        kept.add((a, b))
    return [p for p in links if p in kept]
