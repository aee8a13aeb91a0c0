"""Pages that hold more than one full article: the next story loaded under the first (infinite scroll),
in an ``<article>`` of its own. trafilatura took both, so the page's text told two stories. The page's
article is the ``<article>`` whose headline is the page's (its ``<title>`` or first ``<h1>``), else the
first; the lines of the others go.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode as Node

from .cleanup import norm, squash, strip_marker

__all__ = ["without_other_articles"]

#: an ``<article>`` is a full story when it holds at least this many paragraphs of prose
FULL_STORY = 3
#: ... of at least this many characters
PROSE_PARAGRAPH = 80
#: how much of a paragraph's start identifies a line of it in the text
_KEY = 60
#: a line at least this long found in the next story's text, after the page's own story, starts the next story
NEXT_LINE = 20


def _stories(tree: LexborHTMLParser) -> list[tuple[Node, list[str]]]:
    """The outermost ``<article>`` elements that are full stories, with their paragraphs, in page order."""
    stories: list[tuple[Node, list[str]]] = []
    articles = tree.css("article")
    if len(articles) < 2:
        return stories
    for article in articles:
        if any(article.mem_id == outer.mem_id or _inside(article, outer) for outer, _ in stories):
            continue
        paragraphs = [text for p in article.css("p")
                      if len(text := squash(p.text(deep=True, separator=""))) >= PROSE_PARAGRAPH]
        if len(paragraphs) >= FULL_STORY:
            stories.append((article, paragraphs))
    return stories


def _inside(node: Node, outer: Node) -> bool:
    ancestor = node.parent
    while ancestor is not None:
        if ancestor.mem_id == outer.mem_id:
            return True
        ancestor = ancestor.parent
    return False


def _headline(article: Node) -> str:
    heading = article.css_first("h1") or article.css_first("h2")
    return norm(heading.text(deep=True)) if heading is not None else ""


def without_other_articles(lines: list[str], tree: LexborHTMLParser, page_title: str) -> list[str]:
    """``lines`` without those of every full story on the page but its own: the story whose headline is
    in ``page_title`` (the page's ``<title>``, else its first ``<h1>``), else the first. Unchanged when the
    page holds one full story or fewer, or when ``lines`` are not mostly the own story's."""
    stories = _stories(tree)
    if len(stories) < 2:
        return lines
    title = norm(page_title)
    own = next((story for story in stories if (head := _headline(story[0])) and head in title), stories[0])
    own_keys = {paragraph[:_KEY] for paragraph in own[1]}
    others = {paragraph[:_KEY] for story in stories if story is not own for paragraph in story[1]} - own_keys
    if not others:
        return lines
    keys = [squash(strip_marker(line))[:_KEY] for line in lines]
    if 2 * sum(key in own_keys for key in keys) < len(own_keys):
        return lines  # the text is not mostly the page's own story: nothing to tell it from
    kept_keys = [(line, key) for line, key in zip(lines, keys) if key not in others]
    kept = [line for line, _ in kept_keys]
    last_own = max((i for i, (_, key) in enumerate(kept_keys) if key in own_keys), default=None)
    following = stories[stories.index(own) + 1:]
    if last_own is None or not following:
        return kept
    # the next story's headline, standfirst, captions and short lines after the page's own story: from the
    # first line of it on, the text is the next story's
    next_text = squash(following[0][0].text(deep=True, separator=" "))
    for i in range(last_own + 1, len(kept)):
        line = squash(strip_marker(kept[i]))
        if len(line) >= NEXT_LINE and line in next_text:
            return kept[:i]
    return kept
