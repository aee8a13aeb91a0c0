"""The plugin's two pages: ranked search grouped by story, and a story with its articles side by side.

Both read through our own modules (search.search, the corpus's story and article reads) on a read-only
connection of their own, so the web view ranks, folds and groups exactly as the command line does.
"""

from __future__ import annotations

import asyncio
import html
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import Any

from datasette.utils.asgi import Response
from markupsafe import Markup

from ..corpus import Corpus, CorpusError
from ..search import QueryError, search

_MARK = ("\x02", "\x03")  # snippet marks no article text contains; turned into <mark> after escaping
MAX_HITS = 100


@dataclass
class StoryHit:
    """One search result: a story's best-matching article and the story's other articles."""

    article: dict[str, Any]
    snippet: Markup
    others: list[dict[str, Any]] = field(default_factory=list)


def _corpus_path(datasette: Any) -> Path:
    return Path(datasette.get_database().path)


def _highlight(snippet: str) -> Markup:
    return Markup(html.escape(snippet).replace(_MARK[0], "<mark>").replace(_MARK[1], "</mark>"))


def _search(path: Path, query: str, lang: str | None, source: str | None, limit: int
            ) -> tuple[list[str], list[str], list[StoryHit]]:
    """The languages and sources to filter by, and the hits for `query` (none for an empty one): one connection."""
    with Corpus(path, readonly=True) as corpus:
        langs = [r[0] for r in corpus.conn.execute("SELECT DISTINCT lang FROM articles WHERE lang IS NOT NULL ORDER BY 1")]
        sources = [r[0] for r in corpus.conn.execute("SELECT name FROM sources ORDER BY 1")]
        if not query:
            return langs, sources, []
        hits = search(corpus, query, lang=lang, source=source, limit=limit, mark=_MARK)
        members = corpus.stories.story_members([h.story_id for h in hits if h.story_id is not None])
    return langs, sources, [
        StoryHit(
            article={"id": h.id, "title": h.title, "title_en": h.title_en, "lang": h.lang, "source": h.source,
                     "url": h.url, "published": h.published, "story_id": h.story_id},
            snippet=_highlight(h.snippet),
            others=[m for m in members.get(h.story_id or -1, []) if m["id"] != h.id],
        )
        for h in hits
    ]


async def search_page(request: Any, datasette: Any) -> Response:
    path = _corpus_path(datasette)
    query = request.args.get("q", "").strip()
    lang = request.args.get("lang") or None
    source = request.args.get("source") or None
    error = None
    try:
        langs, sources, hits = await asyncio.to_thread(_search, path, query, lang, source, MAX_HITS)
    except (QueryError, CorpusError) as exc:
        error, langs, sources, hits = str(exc), [], [], []
    context = {"q": query, "lang": lang, "source": source, "langs": langs, "sources": sources, "hits": hits,
               "error": error, "database": datasette.get_database().name, "max_hits": MAX_HITS}
    return Response.html(await datasette.render_template("iw_search.html", context, request=request))


def _story(path: Path, story_id: int) -> list[dict[str, Any]]:
    """The story's articles, oldest first, each with its paragraphs paired with their English."""
    with Corpus(path, readonly=True) as corpus:
        members = corpus.stories.story_members([story_id]).get(story_id, [])
        articles = [corpus.articles.article(m["id"]) for m in members]
    out = []
    for article in articles:
        if article is None:  # removed between the two reads
            continue
        original = article["text"].split("\n")
        english = (article["text_en"] or "").split("\n") if article["text_en"] else []
        article["paragraphs"] = list(zip_longest(original, english, fillvalue=""))
        out.append(article)
    return out


async def story_page(request: Any, datasette: Any) -> Response:
    story_id = int(request.url_vars["story_id"])
    try:
        articles = await asyncio.to_thread(_story, _corpus_path(datasette), story_id)
    except CorpusError as exc:
        return Response.html(html.escape(str(exc)), status=500)
    if not articles:
        return Response.html(f"<h1>No story {story_id}</h1>", status=404)
    headline = next((a["title"] for a in articles if a["lang"] == "en" and a["title"]), None) \
        or next((a["title_en"] for a in articles if a["title_en"]), None) or articles[0]["title"]
    context = {
        "story_id": story_id, "headline": headline, "articles": articles,
        "languages": sorted({a["lang"] or "?" for a in articles}),
        "sources": sorted({a["source"] for a in articles}),
        "dates": sorted(d[:10] for a in articles if (d := a["published"] or a["first_fetched"])),
        "database": datasette.get_database().name,
    }
    return Response.html(await datasette.render_template("iw_story.html", context, request=request))
