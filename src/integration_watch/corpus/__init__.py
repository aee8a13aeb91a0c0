"""The corpus: one SQLite file holding sources, the URL frontier and fetch log, articles, the full-text index,
translations, stories, digests and crawl runs. It is the only state shared between pipeline stages.

A `Corpus` is the open database plus one object per concern, each with its own SQL in its own module:
`corpus.pages` (runs, frontier, fetch log, storing articles), `corpus.articles` (reading them),
`corpus.translations`, `corpus.stories`, `corpus.digests`. The schema and its migrations are in `schema`.
"""

from __future__ import annotations

from pathlib import Path

from .articles import Articles
from .database import CorpusError, Database, fold, now, text_hash
from .digests import Digests
from .lock import CrawlLock
from .pages import ArticleRecord, PageState, Pages
from .schema import MIGRATIONS
from .stories import Stories
from .translations import TranslationRecord, Translations, TranslationTask

__all__ = [
    "MIGRATIONS", "ArticleRecord", "Corpus", "CorpusError", "CrawlLock", "PageState", "TranslationRecord",
    "TranslationTask", "fold", "now", "text_hash",
]


class Corpus(Database):
    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        super().__init__(path, readonly=readonly)
        self.pages = Pages(self)
        self.articles = Articles(self)
        self.translations = Translations(self)
        self.stories = Stories(self)
        self.digests = Digests(self)

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
