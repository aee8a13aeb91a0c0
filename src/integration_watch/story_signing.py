"""Signing: each article's stems (sorted hashes), its MinHash signature and its stems as stored, made here or, for
a large run, in processes forked for it while this one links the chunk before."""

from __future__ import annotations

import gc
import multiprocessing
from collections import Counter
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from .story_features import MinHasher, hashed, stems
from .workers import release_free_heap

if TYPE_CHECKING:
    from .stories import Basis


def start_pool() -> ProcessPoolExecutor:
    """The signing processes, forked now, before the window's data is loaded, with the objects of this process
    frozen (gc.freeze) so that their garbage collector never writes to, and so copies, the pages they share."""
    # What this process freed (a crawl's translation chunks, its fetching) goes back first: the forked processes
    # would otherwise keep every page of it that this process later reuses (a 10,000-page crawl: 236 MB).
    gc.collect()
    release_free_heap()
    pool = ProcessPoolExecutor(SIGNING_PROCESSES, mp_context=multiprocessing.get_context("fork"))
    gc.freeze()
    try:
        for started in [pool.submit(int) for _ in range(SIGNING_PROCESSES)]:
            started.result()
    finally:
        gc.unfreeze()
    return pool


SIGNING_PROCESSES = 2
SIGNING_PART = 250  # texts a signing process gets at a time (the pool's feeder holds the last one sent, pickled)
# Articles from which signing runs in SIGNING_PROCESSES processes. They cost 60-120 MB of PSS (forked from a crawl's
# main process); linking dominates a run of 10,000 long articles (the crawl bench's: 25.5 s serial, 26.6 s with
# them), signing one of 100,000 short ones (the scale bench: 16 s of its 37 s of CPU).
PARALLEL_FROM = 25_000


@dataclass(frozen=True)
class Signed:
    """One article as the signing makes it: stem hashes, MinHash signature, its stems as stored (text)."""

    stems: np.ndarray
    signature: np.ndarray
    stored: str


def sign(texts: list[str]) -> tuple[list[Signed], Counter[str]]:
    """Each text -> what it is compared by, and how many of them have each stem."""
    hasher = MinHasher()
    out, counts = [], Counter[str]()
    for text in texts:
        stem_set = stems(text)
        counts.update(stem_set)
        out.append(Signed(hashed(stem_set), hasher.signature(stem_set), " ".join(stem_set)))
    return out, counts


@dataclass
class Signing:
    """A chunk's articles being signed (in the pool, or here when asked for)."""

    chunk: list[Basis]
    parts: list[Future[tuple[list[Signed], Counter[str]]]]

    @classmethod
    def start(cls, chunk: list[Basis], pool: ProcessPoolExecutor | None) -> Signing:
        if pool is None:
            return cls(chunk, [])
        texts = [b.text for b in chunk]  # not kept here while the chunk waits and is compared: read again as needed
        parts = [pool.submit(sign, texts[at:at + SIGNING_PART]) for at in range(0, len(texts), SIGNING_PART)]
        return cls([replace(b, text="") for b in chunk], parts)

    def result(self) -> tuple[list[Signed], Counter[str]]:
        if not self.parts:
            return sign([b.text for b in self.chunk])
        signed, counts = [], Counter[str]()
        for part in self.parts:
            some, their_counts = part.result()
            signed += some
            counts.update(their_counts)
        self.parts = []  # the caller keeps what it needs of them, for as long as it needs it
        return signed, counts
