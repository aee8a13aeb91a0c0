"""The corpus in Datasette: this package is a Datasette plugin (registered through the `datasette` entry point,
so a plain `datasette corpus.db` loads it too; `integration-watch serve` also registers it itself).

- fold() and fold_query() on every connection Datasette opens, so SQL and canned queries fold as the index does;
- the table search box (`_search`) folded before FTS5 sees it: `Ολοκληρωμένη` finds what `ολοκληρωμενη` finds;
- `/-/search`: our ranked search (bm25, titles weighted, one hit per story, snippets);
- `/-/story/<id>`: a story's articles, original and English side by side;
- an article's `story_id` cell links to its story page.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from markupsafe import Markup

from ..corpus.database import define_fold, fold
from .views import search_page, story_page

_OPERATORS = {"AND", "OR", "NOT", "NEAR"}


def fold_search(text: str) -> str:
    """Fold each word of an FTS5 search as the index was folded, leaving FTS5's operators as they are."""
    return re.sub(r"\w+", lambda m: m.group() if m.group() in _OPERATORS else fold(m.group()), text)


@hookimpl
def prepare_connection(conn: Any) -> None:
    define_fold(conn)
    conn.create_function("fold_query", 1, lambda q: None if q is None else fold_search(q), deterministic=True)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/search$", search_page), (r"^/-/story/(?P<story_id>\d+)$", story_page)]


@hookimpl
def render_cell(value: Any, column: str, table: str | None, datasette: Any) -> Markup | None:
    if table == "articles" and column == "story_id" and isinstance(value, int):
        return Markup('<a href="{}">story {}</a>').format(datasette.urls.path(f"/-/story/{value}"), value)
    return None


@hookimpl
def menu_links(datasette: Any) -> list[dict[str, str]]:
    return [{"href": datasette.urls.path("/-/search"), "label": "Search the corpus"}]


@hookimpl
def asgi_wrapper() -> Any:
    """Fold the value of `_search` in every request, whatever page sends it (table search boxes, links)."""

    def wrap(app: Any) -> Any:
        async def folded(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope.get("type") == "http" and b"_search" in scope.get("query_string", b""):
                pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
                if any(k.startswith("_search") for k, _ in pairs):
                    pairs = [(k, fold_search(v) if k.startswith("_search") else v) for k, v in pairs]
                    scope = {**scope, "query_string": urlencode(pairs).encode("latin-1")}
            await app(scope, receive, send)

        return folded

    return wrap
