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
chunk's stronger links and the stored stories make them) is dropped. Among the event set's pairs of one source in one
language that the first judgement joins, the second judgement parts only different news (fixtures/events, all
splits seen in the fifth session), so this costs no link between write-ups of one event there.
"""

from __future__ import annotations

from collections.abc import Mapping


def keep_apart(links: list[tuple[int, int]], strength: Mapping[tuple[int, int], float],
               apart: list[tuple[int, int]], story_of: Mapping[int, int]) -> list[tuple[int, int]]:
    """The links (pairs of articles) to keep: taken strongest first (`strength`, a missing one weakest), each
    dropped when it would join a group holding one article of an `apart` pair with a group holding the other.
    `story_of`: the stored story of each article outside the chunk that a link or a pair touches (articles of one
    stored story are one group from the start)."""
    if not apart:
        return links
    parent: dict[int, int] = {}
    marked: dict[int, set[int]] = {}  # a group's root -> its articles that are in an apart pair
    partners: dict[int, set[int]] = {}
    for a, b in apart:
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(x: int, y: int, stored: bool = False) -> bool:
        rx, ry = root(x), root(y)
        if rx == ry:
            return True
        mx, my = marked.get(rx, set()), marked.get(ry, set())
        if not stored and any(partners[m] & my for m in mx):  # a story stored before stays as it is
            return False
        parent[rx] = ry
        if mx:
            marked[ry] = my | mx
            marked.pop(rx, None)
        return True

    for article in partners:
        marked[root(article)] = {article}
    for article, story in story_of.items():  # a stored story is a node of its own: -(its number)
        join(article, -story, stored=True)
    order = sorted(links, key=lambda p: (-strength.get(p, float("-inf")), p))
    kept = {p for p in order if join(*p)}
    return [p for p in links if p in kept]
