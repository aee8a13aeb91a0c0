"""Duplicates and stories: every article belongs to one story, however many URLs, languages and write-ups carry it.

Articles are compared through English where they have it (the original for English articles, the
translation for the others) and in their own language while they wait for a translation. Each article's
text (not its title: sites decorate titles) becomes a set of word stems (folded, the first 5 letters of
each word that is not an English stop word), summarised by a MinHash signature stored in the corpus.

Two articles are the same story when
- they are copies: their text is identical (same hash), or both were written in one language, were
  published within `story_window_days` of each other and the Jaccard similarity of their stem sets reaches
  `duplicate_similarity` (republications, edits; two translations from one language by one engine too), or
- they report the same event (same_event.py): published within EVENT_DAYS, stem Jaccard similarity at least
  `translation_similarity` of what the two stem sets' sizes allow, and the event rule's score (rare stems
  shared, names, figures, title, days apart, the adjustment for machine translation) reaches EVENT_SCORE, or
  reaches NEAR_SCORE and one of the two is that near to another article of the other's story (story_judging.py).
Signatures estimate the similarity for every pair in the window at once (numpy); the event index
(event_index.py) finds the articles of the same days sharing rare stems; pairs either finds are then checked on
the exact stem sets, copies first and no pair of two copies (story_copies.py). Stories are the connected groups of
such pairs; copy relations are kept too, so a story shows which of its members are copies of each other; nothing
is deleted.
"""

from __future__ import annotations

import math
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from .config import Settings
from .corpus import Corpus
from .corpus.stories import union_groups
from .event_index import Indexed, event_candidates
from .furniture import Furniture
from .same_event import EVENT_DAYS, DocumentFrequencies, Evidence
from .story_apart import keep_apart
from .story_copies import COPY, find_copies
from .story_judging import Judging, corroborated
from .story_features import hashed, jaccard, stems
from .story_signing import PARALLEL_FROM, Signing, start_pool
from .story_window import Window

_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Thresholds:
    duplicate: float  # Jaccard of stem sets: copies, both articles written in one language
    translation: float  # Jaccard of stem sets below which two articles are not judged as one event
    window_days: int  # copies further apart than this are not compared

    @classmethod
    def from_settings(cls, settings: Settings) -> Thresholds:
        return cls(settings.duplicate_similarity, settings.translation_similarity, settings.story_window_days)

    @classmethod
    def of_corpus(cls, corpus: Corpus) -> Thresholds:
        """The thresholds the corpus's stories were built with (the defaults if never set)."""
        default = Settings()
        return cls(
            float(corpus.get_setting("duplicate_similarity") or default.duplicate_similarity),
            float(corpus.get_setting("translation_similarity") or default.translation_similarity),
            int(corpus.get_setting("story_window_days") or default.story_window_days),
        )

    def remember(self, corpus: Corpus) -> None:
        corpus.set_settings({
            "duplicate_similarity": str(self.duplicate), "translation_similarity": str(self.translation),
            "story_window_days": str(self.window_days),
        })


def update_stories(corpus: Corpus, thresholds: Thresholds | None = None, *,
                   deadline: float | None = None) -> StoryReport:
    """The story stage after a crawl or a translation run: articles new or changed since they were judged.
    Given thresholds (from sources.toml) are remembered; else the corpus's own are used. `deadline`: as
    assign_stories'."""
    if thresholds is None:
        thresholds = Thresholds.of_corpus(corpus)
    else:
        thresholds.remember(corpus)
    return assign_stories(corpus, corpus.stories.articles_needing_story(), thresholds, deadline=deadline)


@dataclass(frozen=True)
class Basis:
    """The text an article is compared by."""

    id: int
    language: str  # "en", or the original language while no translation exists
    original: str  # the article's own language
    text: str
    text_hash: str
    day: int  # days since 1970-01-01: publication date, else first sighting
    title: str  # in the comparison language
    source: str = ""


EVENT = "event"


def same_story(a: Basis, b: Basis, sa: np.ndarray, sb: np.ndarray, t: Thresholds,
               judged: Judging | None = None) -> str | None:
    """The exact check behind a candidate pair (sa, sb: their stem hashes): COPY, EVENT or None (apart). Without
    `judged` (document frequencies and the evidence of each article), copies only."""
    kind = _classify(a, b, sa, sb, t)
    if kind == EVENT:
        return EVENT if judged is not None and judged.judge(a, b, sa, sb, abs(a.day - b.day)).same_event else None
    return kind


def _classify(a: Basis, b: Basis, sa: np.ndarray, sb: np.ndarray, t: Thresholds) -> str | None:
    """COPY, EVENT when the pair is for the event rule to judge, else None."""
    if a.text_hash == b.text_hash:
        return COPY
    days = abs(a.day - b.day)
    if a.language != b.language or days > t.window_days:
        return None
    similarity = jaccard(sa, sb)
    if a.original == b.original and similarity >= t.duplicate:  # two translations from one language by one engine too
        return COPY
    # Jaccard similarity cannot exceed the smaller set's share of the larger: a three-line briefing of a long
    # release is measured against what its length allows
    if days > EVENT_DAYS or similarity < t.translation * min(sa.size, sb.size) / max(sa.size, sb.size, 1):
        return None
    return EVENT


# --- clustering ------------------------------------------------------------------------------------------


def basis(row: sqlite3.Row, furniture: Furniture) -> Basis:
    """English where the article has it (original or translation), else its own language; without the
    sentences its source repeats on every page (two articles sharing only those are not one story)."""
    original = row["lang"] or "und"
    if original != "en" and row["translation_status"] == "translated" and row["text_en"]:
        language, text, title = "en", row["text_en"], row["title_en"] or ""
    else:
        language, text, title = original, row["text"], row["title"] or ""
    text = furniture.strip(row["source"], text)
    day = day_number(row["published"]) or day_number(row["first_fetched"]) or 0
    return Basis(row["id"], language, original, text, row["text_hash"], day, title, row["source"])




@dataclass
class StoryReport:
    articles: int = 0
    new_stories: int = 0
    joined: int = 0  # articles that joined a story holding other articles
    merged: int = 0  # stories merged into another because an article bridged them
    pairs_checked: int = 0
    seconds: float = 0.0
    stopped: bool = False  # the deadline came first
    left: int = 0  # articles it did not reach: the next run places them

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


CHUNK = 2000  # articles signed, compared and linked per transaction


def assign_stories(
    corpus: Corpus, article_ids: Sequence[int], thresholds: Thresholds, *, before: dict[int, int] | None = None,
    chunk_size: int | None = None, parallel: bool | None = None, deadline: float | None = None,
) -> StoryReport:
    """Give each of these (new, changed or newly translated) articles its story, joining or merging existing
    stories where they match. Signatures are stored, so later runs compare against them without recomputing.
    `parallel`: sign in processes (story_signing.py; default: from PARALLEL_FROM articles on). Each chunk of
    `chunk_size` (default CHUNK) is one transaction; after `deadline` (time.monotonic()) no chunk but the first is
    begun: the articles not reached keep no signature, so the next run places them (every run makes progress)."""
    chunk_size = chunk_size or CHUNK
    report = StoryReport()
    started = time.perf_counter()
    furniture = Furniture(corpus)
    # What is kept of the window's articles (one window wide however long the run): their metadata without
    # their text, stem hashes and evidence. Texts are read once, to sign them, and again only for the rare
    # pair that needs them (the headline-quote check).
    cache = _Cache({}, {}, {})
    texts: dict[int, str] = {}  # the current chunk's

    def texts_of(ids: list[int]) -> dict[int, str]:
        """The comparison texts of these articles: the current chunk's as read, others read again."""
        missing = [i for i in ids if i not in texts]
        read = {r["id"]: basis(r, furniture).text for r in corpus.stories.story_rows(missing)} if missing else {}
        return {i: texts[i] if i in texts else read[i] for i in ids}

    judging = Judging(DocumentFrequencies(*corpus.stories.frequency_rows()), cache.evidence, {}, texts_of)
    claimed: set[int] = set()
    # Stems and signatures are the CPU-heavy part of a large run: other processes make them for the next chunk
    # while this one links the current chunk.
    if parallel is None:
        parallel = len(article_ids) >= PARALLEL_FROM
    pool = start_pool() if parallel else None

    def signing(ids: list[int]) -> Signing:
        return Signing.start([basis(r, furniture) for r in corpus.stories.story_rows(ids)], pool)

    try:
        batches = [list(article_ids[start:start + chunk_size]) for start in range(0, len(article_ids), chunk_size)]
        ahead = signing(batches[0]) if batches else None
        for done, following in enumerate([*batches[1:], None]):
            if done and deadline is not None and time.monotonic() >= deadline:
                report.stopped, report.left = True, len(article_ids) - report.articles
                break
            current = ahead
            ahead = signing(following) if following else None
            if current is not None and current.chunk:
                texts.clear()  # signed here, the chunk kept its texts; signed in the pool, they are read as needed
                texts.update((b.id, b.text) for b in current.chunk if b.text)
                _link_chunk(corpus, current, thresholds, furniture, cache, judging, claimed, before, report)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)  # a stopped run's next chunk is not signed
    report.seconds = round(time.perf_counter() - started, 3)
    return report


@dataclass
class _Cache:
    """The window's articles as the run keeps them: metadata (text dropped), stem hashes, evidence."""

    known: dict[int, Basis]
    stems: dict[int, np.ndarray]
    evidence: dict[int, Evidence]
    index_only: dict[int, int] = field(default_factory=dict)  # id -> day: stems for the event index only

    def add(self, article: Basis, stem_hashes: np.ndarray) -> None:
        """An article (signed afresh: evidence made before is for its old text)."""
        self.index_only.pop(article.id, None)
        self.evidence.pop(article.id, None)
        self.known[article.id] = replace(article, text="")
        self.stems[article.id] = stem_hashes

    def forget_before(self, day: int) -> None:
        """Drop articles older than any the next chunk can be compared with."""
        for old in [i for i, b in self.known.items() if b.day < day]:
            del self.known[old]
            self.stems.pop(old, None)
            self.evidence.pop(old, None)
        for old in [i for i, d in self.index_only.items() if d < day]:
            del self.index_only[old]
            self.stems.pop(old, None)

    def indexed(self, corpus: Corpus, near: list[tuple[int, int, str]]) -> list[Indexed]:
        """These (id, day, comparison language) with their stem hashes; those judged by an earlier run by the
        stems stored then."""
        missing = {i: d for i, d, _ in near if i not in self.stems}
        for i, stored in corpus.stories.stored_stems(list(missing)).items():
            self.stems[i] = hashed(stored)
            self.index_only[i] = missing[i]
        return [Indexed(i, d, language, self.stems[i]) for i, d, language in near if i in self.stems]


def _link_chunk(
    corpus: Corpus, signing: Signing, thresholds: Thresholds, furniture: Furniture, cache: _Cache,
    judging: Judging, claimed: set[int], before: dict[int, int] | None, report: StoryReport,
) -> None:
    """Compare one signed chunk with its window and link it into stories (one transaction each)."""
    chunk = signing.chunk
    cache.forget_before(min(b.day for b in chunk) - thresholds.window_days)
    signed, counts = signing.result()
    old_stems = corpus.stories.stored_stems([b.id for b in chunk])
    for stored in old_stems.values():  # a changed article's old stems leave the frequencies
        counts.subtract(stored)
    judging.frequencies.change([hashed(st) for st in old_stems.values()], [s.stems for s in signed])
    judging.new_chunk()  # the frequencies changed, and changed articles' texts with them
    for b, s in zip(chunk, signed, strict=True):  # a changed article's text, title or translation: all is new
        cache.add(b, s.stems)
    corpus.stories.store_signatures(
        [(b.id, b.day, b.language, b.original, s.signature.astype("<u4").tobytes()) for b, s in zip(chunk, signed)],
        {b.id: s.stored for b, s in zip(chunk, signed)}, {stem: n for stem, n in counts.items() if n},
    )
    signatures = [s.signature for s in signed]
    del signed, counts  # the stems as text and their counts are stored: not held while the chunk is compared
    days = [b.day for b in chunk]
    first_day, last_day = min(days) - thresholds.window_days, max(days) + thresholds.window_days
    window = Window.load(corpus, first_day, last_day, thresholds)
    in_chunk = {b.id for b in chunk}
    same_text = corpus.stories.same_texts([b.text_hash for b in chunk])
    signature_of = {b.id: s for b, s in zip(chunk, signatures)}

    def ensure(ids: Iterable[int]) -> None:
        """These articles in the cache; those judged by an earlier run get their stems made again here."""
        for r in corpus.stories.story_rows(sorted(i for i in ids if i not in cache.known)):  # not a keys view: O(ids)
            other = basis(r, furniture)
            cache.add(other, hashed(stems(other.text)))

    copied = corpus.stories.copies_between(first_day, last_day) - in_chunk  # stored by earlier runs

    def screened(article: Basis) -> list[int]:
        found = [*window.candidates(article, signature_of[article.id]), *same_text.get(article.text_hash, ())]
        ensure(found)  # the chunk's own articles are in the cache already
        return found

    def kind_of(article: Basis, other: int) -> str | None:
        return _classify(article, cache.known[other], cache.stems[article.id], cache.stems[other], thresholds)

    first = find_copies(chunk, screened, kind_of, copied)  # story_copies.py: copies first
    report.pairs_checked += first.checked
    copied |= first.copied
    near = window.within(min(days) - EVENT_DAYS, max(days) + EVENT_DAYS)
    events = event_candidates([Indexed(b.id, b.day, b.language, cache.stems[b.id]) for b in chunk],
                              cache.indexed(corpus, near), judging.frequencies, copies=copied)
    position = {b.id: i for i, b in enumerate(chunk)}
    pairs = [(a, cache.known[o], COPY) for a in chunk for o in first.originals.get(a.id, ())]
    for a in chunk:  # a pair in the chunk: once, from its later article; none of two copies
        kinds = first.classified.pop(a.id)
        others = {o for o in events[a.id] if position.get(o, -1) < position[a.id] and o not in kinds}
        others.update(first.copies_seen.pop(a.id))
        others.difference_update(first.originals.get(a.id, ()))
        if a.id in copied:
            others -= copied
        ensure(others)
        report.pairs_checked += len(others)
        kinds.update((o, kind_of(a, o)) for o in others)
        pairs += [(a, cache.known[o], kind) for o, kind in kinds.items() if kind is not None]
    judging.prepare(list({b.id: b for a, o, kind in pairs if kind == EVENT for b in (a, o)}.values()))
    links: list[tuple[int, int]] = []
    copies: list[tuple[int, int]] = []
    near_pairs: list[tuple[int, int]] = []  # one event if corroborated (story_judging.py)
    strength: dict[tuple[int, int], float] = {}  # copies strongest, then by score (story_apart.py)
    apart: list[tuple[int, int]] = []
    for article, other, kind in pairs:
        if kind == COPY:
            strength[article.id, other.id] = math.inf
        else:
            judged = judging.judge(article, other, cache.stems[article.id], cache.stems[other.id],
                                   abs(article.day - other.day))
            if judged.same_event or judged.near:  # weighed only among links, corroborated ones included
                strength[article.id, other.id] = judged.score
            if judged.apart:
                apart.append((article.id, other.id))
            if not judged.same_event:
                kind = None
                if judged.near:
                    near_pairs.append((article.id, other.id))
        if kind is not None:
            links.append((article.id, other.id))
        if kind == COPY:
            copies.append((article.id, other.id))
    corpus.stories.store_copies([b.id for b in chunk], copies)
    if near_pairs:
        links += _corroborated(corpus, near_pairs, links, in_chunk, days, cache, judging, thresholds, ensure)
    links = _kept_apart(corpus, links, strength, set(apart), in_chunk, days, cache, judging, thresholds, ensure)
    counts_linked = corpus.stories.link_stories([b.id for b in chunk], union_groups((b.id for b in chunk), links), claimed, before)
    report.articles += len(chunk)
    report.new_stories += counts_linked["new"]
    report.joined += counts_linked["joined"]
    report.merged += counts_linked["merged"]


def _corroborated(corpus: Corpus, near: list[tuple[int, int]], links: list[tuple[int, int]], in_chunk: set[int],
                  days: list[int], cache: _Cache, judging: Judging, thresholds: Thresholds,
                  ensure: Callable[[set[int]], None]) -> list[tuple[int, int]]:
    """The near pairs of a chunk that are one event (story_judging.corroborated), with the stories stored so far."""
    outside = {x for pair in [*near, *links] for x in pair} - in_chunk
    story_of = corpus.stories.stories_of(sorted(outside))

    def members(story: int) -> list[int]:
        return corpus.stories.members_between(story, min(days) - EVENT_DAYS, max(days) + EVENT_DAYS)

    def is_near(x: int, m: int) -> bool:
        ensure({x, m})
        a, b = cache.known[x], cache.known[m]
        kind = _classify(a, b, cache.stems[x], cache.stems[m], thresholds)
        return kind == COPY or (kind == EVENT and judging.judge(a, b, cache.stems[x], cache.stems[m],
                                                                 abs(a.day - b.day)).near)

    return corroborated(near, links, story_of, members, corpus.stories.copy_pairs, is_near)


def _kept_apart(corpus: Corpus, links: list[tuple[int, int]], strength: dict[tuple[int, int], float],
                apart: set[tuple[int, int]], in_chunk: set[int], days: list[int], cache: _Cache, judging: Judging,
                thresholds: Thresholds, ensure: Callable[[set[int]], None]) -> list[tuple[int, int]]:
    """The chunk's links without those that would put one source's pair kept apart in one story (story_apart.py),
    its pairs across the groups a link joins judged where this chunk did not judge them."""
    said: dict[frozenset[int], bool] = {frozenset(p): True for p in apart}

    def siblings_apart(x: int, m: int) -> bool:
        if (found := said.get(frozenset((x, m)))) is None:
            ensure({x, m})
            a, b = cache.known[x], cache.known[m]
            found = said[frozenset((x, m))] = (
                a.source == b.source and a.original == b.original
                and _classify(a, b, cache.stems[x], cache.stems[m], thresholds) == EVENT
                and judging.judge(a, b, cache.stems[x], cache.stems[m], abs(a.day - b.day)).apart)
        return found

    def members(story: int) -> list[int]:
        return corpus.stories.members_between(story, min(days) - EVENT_DAYS, max(days) + EVENT_DAYS)

    touched = {x for pair in links for x in pair} - in_chunk
    return keep_apart(links, strength, corpus.stories.stories_of(sorted(touched)), members, siblings_apart)


def recluster(corpus: Corpus, thresholds: Thresholds, *, chunk_size: int = CHUNK) -> StoryReport:
    """Rebuild every signature and story from the stored text (after a threshold change or new translations),
    oldest first; a story keeps its number when one of its articles is still in it."""
    thresholds.remember(corpus)
    before = corpus.stories.reset_stories()
    return assign_stories(corpus, corpus.stories.article_ids_by_day(), thresholds, before=before, chunk_size=chunk_size)


def day_number(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return (date.fromisoformat(value[:10]) - _EPOCH).days
    except ValueError:
        return None
