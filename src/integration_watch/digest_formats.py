"""The digest written out: Markdown (default), plain text, a self-contained HTML page, JSON, an Atom feed.

Article text is hostile input: every format escapes it for its own syntax (HTML and XML entities, Markdown
punctuation), drops the control characters XML forbids, and links only http(s) URLs.
"""

from __future__ import annotations

import html
import json
import re
import textwrap
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import asdict

from .chart import line_chart
from .digest import Digest, Entry, Original, minute
from .language_codes import language_name

FORMATS = ("markdown", "text", "html", "json", "atom")
SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".html": "html", ".htm": "html",
            ".json": "json", ".xml": "atom", ".atom": "atom"}
ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
WIDTH = 78
# Characters XML 1.0 forbids (C0 controls but tab and newlines, lone surrogates, U+FFFE/U+FFFF), and C1 controls.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&#|~])")
_MARKDOWN_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+[.)])", re.MULTILINE)


def render(digest: Digest, fmt: str) -> str:
    writers: dict[str, Callable[[Digest], str]] = {
        "markdown": markdown, "text": text, "html": html_page, "json": json_document, "atom": atom_feed,
    }
    return writers[fmt](digest)


def clean(value: str | None) -> str:
    return _UNSAFE.sub("", value or "")


def safe_url(url: str) -> str | None:
    """The URL if it is http(s) (the crawler stores nothing else, but a link is no place to find out)."""
    return url if re.match(r"https?://", url, re.IGNORECASE) else None


def summary_line(d: Digest) -> str:
    stories = len(d.entries)
    new = "" if d.window.kind == "report" else "new "  # a report's articles are old news, by definition
    line = (f"{stories} stor{'y' if stories == 1 else 'ies'} from {d.articles} {new}article{'s' if d.articles != 1 else ''} "
            f"{d.window.description}")
    english = sum(e.now_in_english for e in d.entries)
    if english:
        line += f"; {english} reported before, now in English"
    if d.held_back:
        line += f"; {d.held_back} more still being processed (in the next digest)"
    if d.backlog:
        line += f"; {d.backlog_line()}"
    return line + "."


def meta_line(e: Entry) -> str:
    date = f"published {e.published}" if e.published else f"first seen {e.first_seen[:10]}"
    sources = f"{len(e.sources)} source{'s' if len(e.sources) != 1 else ''}: {', '.join(e.sources)}"
    languages = "in " + ", ".join(language_name(x) for x in e.languages)
    seen = ("now in English: reported before while it waited for a translation" if e.now_in_english
            else "follow-up: seen before this digest" if e.earlier else "")
    return " · ".join(x for x in (date, sources, languages, writeups_line(e), seen) if x)


def writeups_line(e: Entry) -> str:
    """How many separate write-ups and copies a story of several articles has ("" for one article)."""
    copies = sum(1 for o in e.originals if o.copy_of is not None)
    own = len(e.originals) - copies
    if len(e.originals) < 2:
        return ""
    return f"{own} write-up{'s' if own != 1 else ''}" + (f", {copies} cop{'ies' if copies != 1 else 'y'}" if copies else "")


def original_line(o: Original, follow_up: bool) -> tuple[str, str]:
    """(title as written, what follows it) for one original; in a follow-up, the new articles are marked."""
    title = o.title or "(no title)"
    if o.title_en and o.title_en != o.title and o.lang != "en":
        title += f" ({o.title_en})"
    details = ", ".join((o.source, o.published or f"seen {o.first_seen[:10]}"))
    if o.copy_of_source is not None:
        details += f", copy of the {o.copy_of_source} article"
    return title, details + (", new" if follow_up and o.new else "")


# --- Markdown and plain text -------------------------------------------------------------------------


def md_escape(value: str | None) -> str:
    """Text that Markdown shows as written: punctuation that would start markup or raw HTML is escaped."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(clean(value).split()))
    return _MARKDOWN_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def markdown(d: Digest) -> str:
    out = [f"# {md_escape(d.title)}", "", md_escape(summary_line(d)), ""]
    for number, e in enumerate(d.entries, 1):
        out += [f"## {number}. {md_escape(e.headline)}", "", f"*{md_escape(meta_line(e))}*", ""]
        if e.lead:
            out += [md_escape(e.lead), ""]
        for note in (e.machine_translation, e.waiting):
            if note:
                out += [f"*{md_escape(note)}*", ""]
        for o in e.originals:
            title, details = original_line(o, e.earlier)
            url = safe_url(o.url)
            link = f"[{md_escape(title)}](<{url.replace('<', '%3C').replace('>', '%3E')}>)" if url else md_escape(title)
            out.append(f"- \\[{o.lang or '?'}\\] {link}, {md_escape(details)}")
        out.append("")
    return "\n".join(out)


def text(d: Digest) -> str:
    def wrap(value: str, indent: str = "", hanging: str | None = None) -> list[str]:
        lines = textwrap.wrap(clean(value), WIDTH, initial_indent=indent, subsequent_indent=hanging or indent)
        return lines or [indent]

    out = [clean(d.title), "=" * min(len(d.title), WIDTH), *wrap(summary_line(d)), ""]
    for number, e in enumerate(d.entries, 1):
        out += wrap(f"{number}. {e.headline}", "", "   ")
        out += wrap(meta_line(e), "   ")
        out.append("")
        if e.lead:
            out += [*wrap(e.lead, "   "), ""]
        for note in (e.machine_translation, e.waiting):
            if note:
                out += wrap(note, "   ")
        for o in e.originals:
            title, details = original_line(o, e.earlier)
            out += wrap(f"[{o.lang or '?'}] {title} ({details})", "   ", "       ")
            out.append(f"       {clean(o.url)}")
        out.append("")
    return "\n".join(out)


# --- HTML ----------------------------------------------------------------------------------------------

_CSS = """
:root { color-scheme: light dark; --muted: #5b6470; --rule: #d8dde3; --accent: #0b57a4; --note: #f3f5f8; }
@media (prefers-color-scheme: dark) { :root { --muted: #a4adb8; --rule: #3a424c; --accent: #8cbcf0; --note: #1f252c; } }
* { box-sizing: border-box; }
.activity { margin: .5rem 0 0; } .activity svg { max-width: 100%; height: auto; }
body { margin: 0 auto; max-width: 46rem; padding: 1rem 1.1rem 3rem; font: 1rem/1.55 system-ui, -apple-system,
       "Segoe UI", Roboto, "Noto Sans", sans-serif; overflow-wrap: break-word; }
header { border-bottom: 2px solid var(--rule); margin-bottom: 1.2rem; }
h1 { font-size: 1.45rem; line-height: 1.25; margin: .6rem 0 .3rem; }
.summary { color: var(--muted); margin: 0 0 .8rem; }
article { border-bottom: 1px solid var(--rule); padding: .4rem 0 1rem; break-inside: avoid; }
h2 { font-size: 1.15rem; line-height: 1.3; margin: .6rem 0 .25rem; }
h2 .number { color: var(--muted); font-weight: normal; }
.meta { color: var(--muted); font-size: .88rem; margin: 0 0 .5rem; }
.lead { margin: .4rem 0; }
.note { background: var(--note); border-left: 3px solid var(--rule); font-size: .88rem; margin: .5rem 0;
        padding: .25rem .6rem; }
ul { margin: .5rem 0 0; padding-left: 1.1rem; font-size: .92rem; }
li { margin: .2rem 0; }
a { color: var(--accent); }
.lang { display: inline-block; min-width: 1.8rem; font: .75rem/1.4 ui-monospace, monospace; color: var(--muted); }
.new { font-size: .72rem; font-weight: bold; color: #1a7f37; text-transform: uppercase; margin-left: .3rem; }
.details { color: var(--muted); }
footer { color: var(--muted); font-size: .8rem; margin-top: 1.5rem; }
@media print {
  body { max-width: none; font-size: 10.5pt; }
  a { color: inherit; text-decoration: none; }
  li a::after { content: " <" attr(href) ">"; font-size: 8pt; color: #555; }
  .note { background: none; }
}
"""


def _e(value: str | None) -> str:
    return html.escape(clean(value), quote=True)


def html_entry(e: Entry, number: int | None = None) -> str:
    """One story as an HTML fragment (the page's <article>, and an Atom entry's content)."""
    lang = "en" if e.headline_lang == "en" else e.headline_lang
    parts = ["<article>", f'<h2 lang="{_e(lang)}">'
             + (f'<span class="number">{number}.</span> ' if number else "") + f"{_e(e.headline)}</h2>",
             f'<p class="meta">{_e(meta_line(e))}</p>']
    if e.lead:
        parts.append(f'<p class="lead" lang="{_e(e.lead_lang)}">{_e(e.lead)}</p>')
    for note in (e.machine_translation, e.waiting):
        if note:
            parts.append(f'<p class="note">{_e(note)}</p>')
    parts.append("<ul>")
    for o in e.originals:
        title, plain = original_line(o, follow_up=False)  # "new" is a badge here
        url = safe_url(o.url)
        label = f'<a href="{_e(url)}" lang="{_e(o.lang or "")}">{_e(title)}</a>' if url else _e(title)
        new = ' <span class="new">new</span>' if e.earlier and o.new else ""
        parts.append(f'<li><span class="lang">{_e((o.lang or "?").upper())}</span> {label} '
                     f'<span class="details">{_e(plain)}</span>{new}</li>')
    parts += ["</ul>", "</article>"]
    return "\n".join(parts)


def activity_chart(d: Digest) -> str:
    """A small chart of the last 30 days' stories per language, when the digest was built with it."""
    if d.activity is None or not d.activity.series:
        return ""
    days = d.activity.periods
    return ('<figure class="activity">\n' + line_chart(
        f"Stories per day and language, {days[0]} .. {days[-1]}", [day[5:] for day in days],
        [(s.key, s.stories) for s in d.activity.series], y_label="stories", width=640, height=220,
    ) + "</figure>")


def html_page(d: Digest) -> str:
    entries = "\n".join(html_entry(e, n) for n, e in enumerate(d.entries, 1))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="integration-watch">
<title>{_e(d.title)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{_e(d.title)}</h1>
<p class="summary">{_e(summary_line(d))}</p>
{activity_chart(d)}
</header>
<main>
{entries}
</main>
<footer>Headlines and leads not written in English are machine translations made offline; each original is
linked. Generated {_e(minute(d.generated))} by integration-watch.</footer>
</body>
</html>
"""


# --- JSON and Atom -------------------------------------------------------------------------------------


def json_document(d: Digest) -> str:
    return json.dumps({
        "title": d.title, "generated": d.generated, "filters": {"lang": d.filters.lang, "source": d.filters.source},
        "window": asdict(d.window), "articles": d.articles, "held_back": d.held_back,
        "backlog": {"articles": d.backlog, "published_from": d.backlog_from},
        "stories": [asdict(e) for e in d.entries],
    }, indent=2, ensure_ascii=False)


def _rfc3339(value: str) -> str:
    """Atom dates: a full timestamp with a zone; a bare date is taken as midnight UTC."""
    return value if "T" in value else f"{value[:10]}T00:00:00Z"


def atom_feed(d: Digest) -> str:
    """An Atom 1.0 feed (RFC 4287): one entry per story, whose id stays the same from digest to digest, so a
    reader shows an updated story rather than a second one."""
    corpus = uuid.UUID(hex=d.corpus_id) if re.fullmatch(r"[0-9a-f]{32}", d.corpus_id) else uuid.NAMESPACE_URL
    ET.register_namespace("", ATOM)

    def add(parent: ET.Element, tag: str, value: str | None = None, **attrs: str) -> ET.Element:
        node = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: clean(v) for k, v in attrs.items()})
        if value is not None:
            node.text = clean(value)
        return node

    feed = ET.Element(f"{{{ATOM}}}feed")
    add(feed, "id", f"urn:uuid:{uuid.uuid5(corpus, 'digest ' + d.key)}")
    add(feed, "title", d.title)
    add(feed, "subtitle", summary_line(d))
    add(feed, "updated", d.generated)
    add(add(feed, "author"), "name", "integration-watch")
    add(feed, "generator", "integration-watch")
    for e in d.entries:
        entry = add(feed, "entry")
        add(entry, "id", f"urn:uuid:{uuid.uuid5(corpus, f'story {e.story_id}')}")
        add(entry, "title", e.headline).set(XML_LANG, e.headline_lang)
        add(entry, "updated", _rfc3339(e.updated))
        if e.published:
            add(entry, "published", _rfc3339(e.published))
        for o in e.originals:
            url = safe_url(o.url)
            if url:
                rel = "alternate" if o is e.originals[0] else "related"
                add(entry, "link", rel=rel, href=url, hreflang=o.lang or "und", title=original_line(o, False)[0])
        for source in e.sources:
            add(entry, "category", term=source, label=f"source: {source}")
        if e.lead:
            add(entry, "summary", e.lead, type="text").set(XML_LANG, e.lead_lang)
        add(entry, "content", html_entry(e), type="html")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"
