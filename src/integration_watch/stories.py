"""Duplicates and stories: every article belongs to one story, however many URLs and languages carry it.

Articles are compared through English where they have it (the original for English articles, the
translation for the others) and in their own language while they wait for a translation. Each article's
text (not its title: sites decorate titles) becomes a set of word stems (folded, the first 5 letters of
each word that is not an English stop word), summarised by a MinHash signature stored in the corpus.

Two articles are the same story when
- their text is identical (same hash), or
- they were published within `story_window_days` of each other, and the Jaccard similarity of their stem
  sets reaches `duplicate_similarity` when both were written in one language (copies, republications,
  edits; two translations from one language by one engine count as copies too) or `translation_similarity`
  across languages (machine-translated English shares fewer words with its original), where also the
  numbers both mention must not be disjoint (a follow-up with other dates and figures stays apart).
Signatures estimate the similarity for every pair in the window at once (numpy); pairs that may pass are
then checked on the exact stem sets. Stories are the connected groups of such pairs; nothing is deleted.
"""

from __future__ import annotations

import re
import sqlite3
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from .config import Settings
from .corpus import Corpus, fold

PERMUTATIONS = 128
PREFILTER = 32  # signature values compared first, for every pair in the window; survivors get all 128
_PRIME = (1 << 31) - 1  # a < 2**31 and CRC-32 values < 2**32, so a*x + b stays below 2**64
_SEED = 20211124  # fixed: stored signatures must stay comparable across runs and machines
STEM = 5
_WORD = re.compile(r"\w+", re.UNICODE)
_NUMBER = re.compile(r"\d+")
_STOP = frozenset(
    "the of and to in is that for on with as by was are be it at from this an or which have has were not but its "
    "their they he his she her we our also been will would can could more than into about after over other some "
    "such there these those when where while who whom what him them then very most".split()
)
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Thresholds:
    duplicate: float  # Jaccard of stem sets, both articles written in one language
    translation: float  # Jaccard across languages (through a machine translation)
    window_days: int

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


def update_stories(corpus: Corpus, thresholds: Thresholds | None = None) -> StoryReport:
    """The story stage after a crawl or a translation run: articles new or changed since they were judged.
    Given thresholds (from sources.toml) are remembered; else the corpus's own are used."""
    if thresholds is None:
        thresholds = Thresholds.of_corpus(corpus)
    else:
        thresholds.remember(corpus)
    return assign_stories(corpus, corpus.articles_needing_story(), thresholds)


@dataclass(frozen=True)
class Basis:
    """The text an article is compared by."""

    id: int
    language: str  # "en", or the original language while no translation exists
    original: str  # the article's own language
    text: str
    text_hash: str
    day: int  # days since 1970-01-01: publication date, else first sighting


def stems(text: str) -> frozenset[str]:
    return frozenset(w[:STEM] for w in _WORD.findall(fold(text)) if len(w) > 2 and w not in _STOP and not w.isdigit())


def numbers(text: str) -> frozenset[str]:
    return frozenset(n.lstrip("0") or "0" for n in _NUMBER.findall(text))


class MinHasher:
    """MinHash signatures of stem sets: PERMUTATIONS universal hash functions over CRC-32 of each stem."""

    def __init__(self) -> None:
        rng = np.random.default_rng(_SEED)
        self.a = rng.integers(1, _PRIME, PERMUTATIONS, dtype=np.uint64)[:, None]
        self.b = rng.integers(0, _PRIME, PERMUTATIONS, dtype=np.uint64)[:, None]

    def signature(self, items: frozenset[str]) -> np.ndarray:
        if not items:
            return np.full(PERMUTATIONS, np.iinfo(np.uint32).max, dtype=np.uint32)  # matches nothing
        hashes = np.fromiter((zlib.crc32(s.encode()) for s in items), dtype=np.uint64, count=len(items))
        return ((self.a * hashes[None, :] + self.b) % _PRIME).min(axis=1).astype(np.uint32)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def same_story(a: Basis, b: Basis, sa: frozenset[str], sb: frozenset[str], t: Thresholds) -> bool:
    """The exact check behind a candidate pair."""
    if a.text_hash == b.text_hash:
        return True
    if a.language != b.language or abs(a.day - b.day) > t.window_days:
        return False
    if a.original == b.original:  # copies; two translations from one language by one engine are copies too
        return jaccard(sa, sb) >= t.duplicate
    if jaccard(sa, sb) < t.translation:
        return False
    na, nb = numbers(a.text), numbers(b.text)
    return not (na and nb and not na & nb)


# --- clustering ------------------------------------------------------------------------------------------


def basis(row: sqlite3.Row) -> Basis:
    """English where the article has it (original or translation), else its own language."""
    original = row["lang"] or "und"
    if original != "en" and row["translation_status"] == "translated" and row["text_en"]:
        language, text = "en", row["text_en"]
    else:
        language, text = original, row["text"]
    day = day_number(row["published"]) or day_number(row["first_fetched"]) or 0
    return Basis(row["id"], language, original, text, row["text_hash"], day)


@dataclass
class _Window:
    """Stored signatures of the articles of some span of days, as numpy arrays."""

    ids: np.ndarray
    days: np.ndarray
    languages: np.ndarray
    signatures: np.ndarray  # (n, PERMUTATIONS) uint32
    window_days: int

    @classmethod
    def load(cls, corpus: Corpus, first_day: int, last_day: int, window_days: int) -> _Window:
        rows = corpus.signatures_between(first_day, last_day)
        if not rows:
            return cls(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, object),
                       np.empty((0, PERMUTATIONS), np.uint32), window_days)
        ids, days, langs, blobs = zip(*rows, strict=True)
        sigs = np.frombuffer(b"".join(blobs), dtype="<u4").reshape(len(rows), PERMUTATIONS)
        return cls(np.asarray(ids, np.int64), np.asarray(days, np.int64), np.asarray(langs, object), sigs, window_days)

    def candidates(self, article: Basis, signature: np.ndarray, floor: float) -> list[int]:
        """Ids within the window and comparison language whose estimated similarity may reach `floor`:
        32 signature values first for every pair, all 128 for those left; a margin of three standard errors
        keeps pairs whose true similarity is at the floor."""
        rows = np.flatnonzero(
            (np.abs(self.days - article.day) <= self.window_days) & (self.languages == article.language)
            & (self.ids != article.id)
        )
        for width in (PREFILTER, PERMUTATIONS):
            if rows.size == 0:
                break
            margin = 3 * np.sqrt(floor * (1 - floor) / width)
            rows = rows[(self.signatures[rows, :width] == signature[:width]).mean(axis=1) >= floor - margin]
        return [int(i) for i in self.ids[rows]]


@dataclass
class StoryReport:
    articles: int = 0
    new_stories: int = 0
    joined: int = 0  # articles that joined a story holding other articles
    merged: int = 0  # stories merged into another because an article bridged them
    pairs_checked: int = 0

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


CHUNK = 2000  # articles signed, compared and linked per transaction


def assign_stories(
    corpus: Corpus, article_ids: Sequence[int], thresholds: Thresholds, *, before: dict[int, int] | None = None
) -> StoryReport:
    """Give each of these (new, changed or newly translated) articles its story, joining or merging existing
    stories where they match. Signatures are stored, so later runs compare against them without recomputing."""
    report = StoryReport()
    hasher = MinHasher()
    claimed: set[int] = set()
    floor = min(thresholds.duplicate, thresholds.translation)
    for start in range(0, len(article_ids), CHUNK):
        chunk = [basis(r) for r in corpus.story_rows(list(article_ids[start:start + CHUNK]))]
        if not chunk:
            continue
        stem_sets = {b.id: stems(b.text) for b in chunk}
        signatures = {b.id: hasher.signature(stem_sets[b.id]) for b in chunk}
        corpus.store_signatures([(b.id, b.day, b.language, signatures[b.id].astype("<u4").tobytes()) for b in chunk])
        days = [b.day for b in chunk]
        window = _Window.load(corpus, min(days) - thresholds.window_days, max(days) + thresholds.window_days,
                              thresholds.window_days)
        known = {b.id: b for b in chunk}
        links: list[tuple[int, int]] = []
        for article in chunk:
            found = set(window.candidates(article, signatures[article.id], floor))
            found |= corpus.same_text(article.text_hash, article.id)
            known.update((b.id, b) for b in map(basis, corpus.story_rows([i for i in found if i not in known])))
            for other in found:
                report.pairs_checked += 1
                if other not in stem_sets:
                    stem_sets[other] = stems(known[other].text)
                if same_story(article, known[other], stem_sets[article.id], stem_sets[other], thresholds):
                    links.append((article.id, other))
        counts = corpus.link_stories([b.id for b in chunk], union_groups((b.id for b in chunk), links), claimed, before)
        report.articles += len(chunk)
        report.new_stories += counts["new"]
        report.joined += counts["joined"]
        report.merged += counts["merged"]
    return report


def recluster(corpus: Corpus, thresholds: Thresholds) -> StoryReport:
    """Rebuild every signature and story from the stored text (after a threshold change or new translations),
    oldest first; a story keeps its number when one of its articles is still in it."""
    thresholds.remember(corpus)
    before = corpus.reset_stories()
    return assign_stories(corpus, corpus.article_ids_by_day(), thresholds, before=before)


def union_groups(ids: Iterable[int], links: Iterable[tuple[int, int]]) -> list[set[int]]:
    """Connected groups of `ids` and the articles `links` join them to (union-find)."""
    parent: dict[int, int] = {i: i for i in ids}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, set[int]] = {}
    for x in list(parent):
        groups.setdefault(root(x), set()).add(x)
    return list(groups.values())


def day_number(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return (date.fromisoformat(value[:10]) - _EPOCH).days
    except ValueError:
        return None
