"""The digest: what is new since the last one, one entry per story, in English, every original linked.
How an entry is written out (Markdown, text, HTML, JSON, Atom) is digest_formats.py.

The window. Articles are numbered as they are stored (SQLite row ids, one writer at a time), so "new since
the last digest" is "an id above the highest the last delivered digest covered": no clock, slow commit or
missed cron day can make an article skip a digest or appear in two. A digest covers only articles the
pipeline has finished with, i.e. placed in a story (the last stage); those still in a running or killed
crawl wait for the next digest. Each set of filters (--lang, --source) has its own watermark, so a desk can
send an Italian digest and a full one from one corpus. The first digest of a set covers what was published
(first seen, when undated) in the last 24 hours: a first crawl's backlog of old articles is not news, so it
is counted and pointed to (--since) instead.
An explicit --since/--until window (publication dates, else first sighting) is a report: it moves nothing.

English arriving late. A story reported while none of its articles had English (waiting for an engine) comes
back once, marked "now in English", in the first digest after its translation arrives; a story that was
already reported in English does not come back for the translation of another of its articles.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from .corpus import Corpus, now
from .furniture import Furniture, sentence_key
from .language_codes import language_name
from .search import Filters, parse_date
from .translate import split_sentences
from .trends import Trend, trend

FIRST_WINDOW = timedelta(hours=24)
ACTIVITY_DAYS = 30
LEAD_SENTENCES = 3
LEAD_CHARS = 280  # a lead stops after two sentences once it is this long
LEAD_MAX_CHARS = 600
_LEAD_SENTENCE = re.compile(r"[.!?…][\"'”’»)\]]*$")
_LIST_ITEM = re.compile(r"\s*(?:[-–•*·▪►]|\d{1,2}[.)])\s")


@dataclass(frozen=True)
class Original:
    """One article of a story, as the digest links it."""

    id: int
    source: str
    url: str
    lang: str | None
    title: str | None  # in its own language
    title_en: str | None  # machine translation, when there is one
    published: str | None  # YYYY-MM-DD
    first_seen: str  # when it was first stored (ISO timestamp, UTC)
    new: bool  # stored within this digest's window
    copy_of: int | None = None  # the article of this story it is a copy of (None: a write-up of its own)
    copy_of_source: str | None = None  # that article's source


@dataclass(frozen=True)
class Entry:
    story_id: int
    headline: str
    headline_lang: str  # "en", or the original language while no translation exists
    lead: str  # two or three sentences from the article's body ("" when it has no usable sentence)
    lead_lang: str
    lead_from: int  # the article headline and lead are taken from
    published: str | None  # the story's earliest publication date, YYYY-MM-DD
    first_seen: str  # when its first article was stored
    updated: str  # when its newest article was stored
    languages: tuple[str, ...]
    sources: tuple[str, ...]
    originals: tuple[Original, ...]  # every article of the story, oldest first
    machine_translation: str | None  # "Machine translation from Spanish (apertium spa-eng 1.1)", None if written in English
    waiting: str | None  # why headline and lead are not in English yet
    earlier: bool  # the story has articles older than this window (it may have been in an earlier digest)
    now_in_english: bool = False  # reported earlier while it waited for a translation, which has arrived


@dataclass(frozen=True)
class Window:
    description: str  # for readers: "new since the digest of 2026-11-24 06:00 UTC"
    after_article: int | None
    through_article: int
    kind: str = "new"  # new: what is new since the last delivered digest; again: that one repeated; report
    seen_since: str | None = None  # first digest of a key: published (first stored, when undated) since this
    since: str | None = None  # a report's publication dates (as typed)
    until: str | None = None
    # Translations that arrived in (english_since, english_until] make "now in English" entries: since the last
    # digest, until this one is made (None); for --again, between the two digests before.
    english_since: str | None = None
    english_until: str | None = None


@dataclass(frozen=True)
class Digest:
    generated: str
    corpus_id: str
    key: str  # its filters, as its watermark is stored
    filters: Filters
    window: Window
    entries: tuple[Entry, ...]
    articles: int  # new articles in the window
    held_back: int  # articles stored but not finished by the pipeline yet (in the next digest)
    based_on: int | None  # the digest this one continues (its watermark)
    backlog: int = 0  # a first digest: older articles already in the corpus, left out as not news
    backlog_from: str | None = None  # the earliest publication (else first sighting) date among them
    activity: Trend | None = None  # stories per day and language over the last ACTIVITY_DAYS (the HTML chart)

    @property
    def title(self) -> str:
        scope = " ".join(f"{k} {v}" for k, v in (("lang", self.filters.lang), ("source", self.filters.source)) if v)
        return f"integration-watch digest, {self.generated[:10]}" + (f" ({scope})" if scope else "")

    def nothing_new(self) -> str:
        return f"nothing new: no articles {self.window.description}" + (
            f" ({self.held_back} still being processed: they will be in the next digest)" if self.held_back else ""
        ) + (f"; {self.backlog_line()}" if self.backlog else "")

    def backlog_line(self) -> str:
        return (f"{self.backlog} older article{'s' if self.backlog != 1 else ''} (published from {self.backlog_from}) "
                f"{'were' if self.backlog != 1 else 'was'} already in the corpus and {'are' if self.backlog != 1 else 'is'} "
                f"not news: 'integration-watch digest --since {self.backlog_from}' lists them")


def watermark_key(filters: Filters) -> str:
    return f"lang={(filters.lang or '').lower()} source={filters.source or ''}"


def plan_window(corpus: Corpus, filters: Filters, *, again: bool = False) -> tuple[Window, int, int | None]:
    """The window of the next digest for `filters` (or, `again`, of the last delivered one), with the number
    of articles held back and the id of the digest it continues."""
    through, held_back = corpus.digests.placed_through()
    key = watermark_key(filters)
    last = corpus.digests.last_digest(key)
    based_on = last["id"] if last else None
    if filters.since or filters.until:
        dates = " .. ".join((filters.since or "the beginning", filters.until or "now"))
        return (Window(f"published {dates}", None, through, kind="report", since=filters.since, until=filters.until),
                held_back, based_on)
    if again:
        if last is None:
            raise LookupError("no digest with these filters has been delivered yet; --again repeats the last one")
        before = corpus.digests.digest_before(key, last["id"])
        return (Window(f"in the digest of {minute(last['created'])} (repeated)", last["after_article"],
                       last["through_article"], kind="again", seen_since=last["seen_since"],
                       english_since=before["created"] if before else None, english_until=last["created"]),
                0, based_on)
    if last is None:
        since = (datetime.now(UTC) - FIRST_WINDOW).isoformat(timespec="seconds")
        return (Window("published in the last 24 hours (first digest)", None, through, seen_since=since),
                held_back, based_on)
    return (Window(f"since the digest of {minute(last['created'])}", last["through_article"], through,
                   english_since=last["created"]), held_back, based_on)


def minute(stamp: str) -> str:
    """A stored UTC timestamp as readers see it: '2026-11-25 06:30 UTC'."""
    return stamp[:16].replace("T", " ") + " UTC"


def build(corpus: Corpus, filters: Filters, *, again: bool = False, activity: bool = False) -> Digest:
    """The digest for `filters`: its window, and an entry per story with an article in the window, the
    stories carried by most sources first, then the most recently published; `activity`: with the stories per
    day and language of the last ACTIVITY_DAYS days (what the HTML digest charts)."""
    window, held_back, based_on = plan_window(corpus, filters, again=again)
    generated = now()
    dated = ("published", "first_fetched")  # a report's dates: publication, else first sighting
    where, args = Filters(filters.lang, filters.source, window.since, window.until).sql(dated=dated)
    where.append("a.id <= :through")
    args["through"] = window.through_article
    if window.after_article is not None:
        where.append("a.id > :after")
        args["after"] = window.after_article
    backlog, backlog_from = 0, None
    if window.seen_since is not None:
        # Published since the day 24 hours ago (dates rarely carry a time), else first stored in the last 24 h.
        recent = ("(CASE WHEN a.published IS NULL THEN a.first_fetched >= :seen_since "
                  "ELSE substr(a.published, 1, 10) >= :seen_day END)")
        args.update(seen_since=window.seen_since, seen_day=window.seen_since[:10])
        if window.kind == "new":
            backlog, backlog_from = corpus.digests.count_articles([*where, f"NOT {recent}"], args)
        where.append(recent)
    found = corpus.digests.window_articles(where, args)
    new_ids = {article for article, _ in found}
    english = _now_in_english(corpus, filters, window, generated, {story for _, story in found})
    members = {story: [r for r in rows if r["id"] <= window.through_article]  # later ones are the next digest's
               for story, rows in corpus.stories.story_members([story for _, story in found] + list(english)).items()}
    furniture = Furniture(corpus)
    leads_from = {story: _representative(rows) for story, rows in members.items()}
    texts = {r["id"]: dict(r) for r in corpus.select_in(  # one read for every story's lead, not one per story
        "SELECT id, lang, title, text, text_en FROM articles WHERE id IN ({marks})",
        [row["id"] for row in leads_from.values()],
    )}
    entries = _by_reach_then_date([
        _entry(story, rows, leads_from[story], texts[leads_from[story]["id"]], new_ids, window, furniture,
               english.get(story))
        for story, rows in members.items()
    ])
    return Digest(
        generated=generated, corpus_id=corpus.get_setting("corpus_id") or "", key=watermark_key(filters),
        filters=Filters(filters.lang, filters.source), window=window, entries=tuple(entries),
        articles=len(new_ids), held_back=held_back, based_on=based_on, backlog=backlog, backlog_from=backlog_from,
        activity=recent_activity(corpus, filters, generated[:10]) if activity else None,
    )


def recent_activity(corpus: Corpus, filters: Filters, today: str) -> Trend:
    """Stories per day and language over the ACTIVITY_DAYS days up to `today` (dated by publication, else
    first sighting), with the digest's filters."""
    first = (datetime.fromisoformat(today) - timedelta(days=ACTIVITY_DAYS - 1)).date().isoformat()
    return trend(corpus, None, by="day", split="lang", filters=Filters(filters.lang, filters.source, first, today))


def _now_in_english(corpus: Corpus, filters: Filters, window: Window, generated: str,
                    in_window: set[int]) -> dict[int, str]:
    """Stories outside the window whose English arrived since the last digest, having had none when they
    were reported: story id -> when it arrived (the window of `--again`: between the two digests before)."""
    if window.english_since is None or window.after_article is None:
        return {}
    until = window.english_until or generated
    where, args = Filters(filters.lang, filters.source).sql()
    found = corpus.digests.now_in_english(where, args, after_article=window.after_article,
                                          since=window.english_since, until=until)
    return {story: stamp for story, stamp in found.items() if story not in in_window}


def _by_reach_then_date(entries: list[Entry]) -> list[Entry]:
    """Most sources first; among equals the newest publication (else sighting) first."""
    return sorted(entries, key=lambda e: (len(e.sources), e.published or e.first_seen[:10], e.story_id), reverse=True)


def mark_delivered(corpus: Corpus, digest: Digest, fmt: str, destination: str | None) -> int:
    """Record the digest as delivered: the next one starts after it."""
    if digest.window.kind != "new":
        raise ValueError(f"a digest of kind {digest.window.kind!r} is never delivered")
    return corpus.digests.record_digest(
        {"created": digest.generated, "key": digest.key, "after_article": digest.window.after_article,
         "through_article": digest.window.through_article, "seen_since": digest.window.seen_since,
         "articles": digest.articles, "stories": len(digest.entries), "format": fmt, "destination": destination},
        digest.based_on,
    )


# --- one entry ---------------------------------------------------------------------------------------


def _entry(story_id: int, rows: list[dict[str, Any]], lead_from: dict[str, Any], article: dict[str, Any],
           new_ids: set[int], window: Window, furniture: Furniture, english_arrived: str | None = None) -> Entry:
    """One story's entry; `lead_from` is its representative member, `article` that member's text;
    `english_arrived`: when the English of a story reported while it waited arrived."""
    paragraphs, lead_lang = _lead_paragraphs(article)
    lead = _lead(paragraphs, lead_lang, furniture.of(lead_from["source"]), article.get("title"))
    headline, headline_lang = _headline(lead_from)
    machine = None
    if lead_from["lang"] != "en" and "en" in (headline_lang, lead_lang):
        engine = lead_from["translation_engine"] or "an offline engine"
        machine = f"Machine translation from {language_name(lead_from['lang'])} ({engine})"
    waiting = None
    if lead_from["lang"] != "en" and (headline_lang != "en" or lead_lang != "en"):
        waiting_langs = (lead_from["translation_waiting"] or lead_from["lang"] or "").split()
        reason = {"failed": "the translation failed; 'integration-watch translate' retries it",
                  None: "not translated yet"}.get(
            lead_from["translation_status"],
            "no translation engine for " + ", ".join(language_name(x) for x in waiting_langs) + " is installed")
        waiting = f"Waiting for an English translation: {reason}."
    source_of = {r["id"]: r["source"] for r in rows}
    originals = tuple(
        Original(r["id"], r["source"], r["url"], r["lang"], r["title"], r["title_en"], (r["published"] or "")[:10] or None,
                 r["first_fetched"], r["id"] in new_ids, r.get("copy_of"), source_of.get(r.get("copy_of")))
        for r in rows
    )
    published = sorted(o.published for o in originals if o.published)
    return Entry(
        story_id=story_id, headline=headline, headline_lang=headline_lang, lead=lead, lead_lang=lead_lang,
        lead_from=lead_from["id"],
        published=published[0] if published else None, first_seen=min(o.first_seen for o in originals),
        updated=max(o.first_seen for o in originals) if english_arrived is None else english_arrived,
        languages=tuple(lang for lang, _ in Counter(o.lang or "?" for o in originals).most_common()),
        sources=tuple(sorted({o.source for o in originals})), originals=originals,
        machine_translation=machine, waiting=waiting,
        earlier=any(_before(o, window) for o in originals), now_in_english=english_arrived is not None,
    )


def _before(original: Original, window: Window) -> bool:
    if window.after_article is not None:
        return original.id <= window.after_article
    if window.seen_since is not None:
        return (original.published < window.seen_since[:10] if original.published
                else original.first_seen < window.seen_since)
    if window.since is not None:
        return (original.published or original.first_seen[:10]) < parse_date(window.since)
    return False


def _representative(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The article whose English stands for the story: one written in English, else a translated one, else
    any; among equals the oldest (the original rather than a later copy)."""
    def rank(r: dict[str, Any]) -> tuple[int, int]:
        return (0 if r["lang"] == "en" else 1 if r["translation_status"] == "translated" else 2,
                0 if r["title"] or r["title_en"] else 1)
    return min(rows, key=rank)  # rows are oldest first and min keeps the first of equals


def _headline(row: dict[str, Any]) -> tuple[str, str]:
    if row["lang"] == "en" and row["title"]:
        return row["title"], "en"
    if row["title_en"]:
        return row["title_en"], "en"
    return row["title"] or "(no title)", row["lang"] or "?"


def _lead_paragraphs(article: dict[str, Any]) -> tuple[list[str], str]:
    """The paragraphs a lead is taken from, and their language: the article's English (as written, or its
    translation), else its own language."""
    english = [p for p in (article.get("text_en") or "").split("\n") if p.strip()]
    if english:
        return english, "en"
    return [p for p in (article.get("text") or "").split("\n") if p.strip()], article.get("lang") or "?"


def _lead(paragraphs: list[str], lang: str, furniture: frozenset[str], title: str | None) -> str:
    """Two or three whole sentences from the body: the source's furniture, the title again, list items and
    what is not prose (no full sentence of some length) are skipped."""
    title_key = sentence_key(title or "")
    chosen: list[str] = []
    for paragraph in paragraphs:
        if sentence_key(paragraph) == title_key or _LIST_ITEM.match(paragraph):
            continue
        for sentence in split_sentences(paragraph, lang):
            if len(sentence) < 40 or len(sentence.split()) < 6 or not _LEAD_SENTENCE.search(sentence):
                continue
            if sentence_key(sentence) in furniture:
                continue
            chosen.append(sentence)
            length = sum(len(s) + 1 for s in chosen)
            if len(chosen) >= LEAD_SENTENCES or (len(chosen) >= 2 and length >= LEAD_CHARS):
                return _clip(" ".join(chosen))
    return _clip(" ".join(chosen))


def _clip(lead: str) -> str:
    if len(lead) <= LEAD_MAX_CHARS:
        return lead
    return lead[:LEAD_MAX_CHARS].rsplit(" ", 1)[0] + " …"


