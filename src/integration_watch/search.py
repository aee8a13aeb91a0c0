"""Full-text search over the corpus: a small query language compiled to FTS5, bm25 ranking, filters, and
snippets highlighted in the original (unfolded) text.

Query language: words, "quoted phrases", AND / OR / NOT (upper case), parentheses, prefix*, and a field
(`title:word`). Terms are folded exactly as the index is (see corpus.fold), so accents and case never matter.
A word also finds its other forms (refugee, refugees): the corpus's vocabulary of stems (table word_stems,
stemming.py) turns it into an OR of the forms the index holds. Phrases, prefix* and `exact` stay as written.
Every query searches the original text and its English translation together: an English query finds
articles in every language that has been translated.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .corpus import Corpus, fold
from .snippets import best_snippet
from .stemming import query_stems

TITLE_WEIGHT = 5.0
MAX_QUERY_CHARS = 1000
# bm25 costs about a microsecond per matching article: a word in most of a million articles would take a
# second to rank. When every required word is in more than this many articles, only the most recently stored
# this-many articles are ranked (see _rowid_floor).
COMMON_MATCHES = 50_000
SORTS = ("relevance", "date")
# Forms one query word may stand for: a stem shared by more is a very general one, and each form is one more
# list the index walks.
MAX_FORMS = 40
MIN_STEM = 4  # shorter stems join unrelated words (Greek πόλη and πολλά: πολ)
# A phrase may carry a field (title:"city council") and a leading '-' (NOT), so both stay one token.
_TOKEN = re.compile(r'\s*(?:(?P<phrase>-?(?:[^\W\d_]+:)?"[^"]*")|(?P<paren>[()])|(?P<word>[^\s()"]+))')
_OPERATORS = {"AND", "OR", "NOT"}
# A field covers the original and the English version of that part of the article.
_FIELDS = {"title": "{title title_en}", "text": "{text text_en}"}
_WORD_CHARS = re.compile(r"\w+", re.UNICODE)
# A field is letters and a colon right before a word or phrase; "10:30", "http://" or "note: this" are text.
_FIELD = re.compile(r'([^\W\d_]+):(?=[\w"])')
_FILTER_NAMES = ("lang", "language", "source", "since", "until")


class QueryError(ValueError):
    """The search query or a filter cannot be understood; the message says how to fix it."""


@dataclass(frozen=True)
class Query:
    fts: str  # the FTS5 MATCH expression
    terms: tuple[str, ...]  # folded words to highlight (prefixes end with "*")
    required: tuple[str, ...] = ()  # FTS5 expressions of the words not under NOT (each bounds the matches from above)


@dataclass(frozen=True)
class Filters:
    """The filters search, export and the story list share."""

    lang: str | None = None
    source: str | None = None
    since: str | None = None  # as typed: YYYY-MM-DD, YYYY-MM, YYYY or 7d
    until: str | None = None

    def sql(self, alias: str = "a", dated: str | tuple[str, ...] = "published") -> tuple[list[str], dict[str, object]]:
        """WHERE clauses and parameters on the articles table, the dates on column `dated` (an ISO date or
        timestamp; several: the first that is not NULL); dates compare as text so an index serves."""
        columns = (dated,) if isinstance(dated, str) else dated
        day = ", ".join(f"{alias}.{c}" for c in columns)
        day = day if len(columns) == 1 else f"coalesce({day})"
        where: list[str] = []
        args: dict[str, object] = {}
        if self.lang:
            where.append(f"{alias}.lang = :lang")
            args["lang"] = self.lang.lower()
        if self.source:
            where.append(f"{alias}.source = :source")
            args["source"] = self.source
        if self.since:
            where.append(f"{day} >= :since")
            args["since"] = parse_date(self.since)
        if self.until:
            where.append(f"{day} < :before")
            args["before"] = (date.fromisoformat(parse_date(self.until, end=True)) + timedelta(days=1)).isoformat()
        return where, args

    def check(self) -> None:
        """Raise QueryError for a date that does not parse, before any database work."""
        self.sql()

    def check_known(self, corpus: Corpus) -> None:
        """Raise QueryError, listing the known values, for a source or language the corpus has never seen: a
        mistyped filter must not answer "nothing", every day, as if nothing had happened. A known source or
        language with nothing in the window is still an honest "nothing"."""
        if self.source and self.source not in (names := corpus.articles.source_names()):
            raise QueryError(f"no source named {self.source!r} in {corpus.path}; its sources: "
                             + (", ".join(names) or "none yet (run a crawl first)"))
        if self.lang and not corpus.articles.has_language(self.lang.lower()):
            langs = corpus.articles.languages()
            raise QueryError(f"no article in language {self.lang!r} in {corpus.path}; its languages: "
                             + (", ".join(langs) or "none yet (run a crawl first)"))


@dataclass(frozen=True)
class Hit:
    id: int
    source: str
    url: str
    title: str | None
    title_en: str | None
    lang: str | None  # the original language
    published: str | None
    snippet: str  # from the original text, or from the English text (then starting "[en] ") if only it matches
    score: float
    story_id: int | None = None
    more: tuple[str, ...] = ()  # languages of the story's other articles (one hit per story unless all_copies)


Forms = Callable[[str, str], tuple[str, ...]]  # a folded word, as typed -> the words to search (itself first)


def parse_query(text: str, forms: Forms | None = None) -> Query:
    """Compile a user query to a safe FTS5 expression. Every term is quoted, so punctuation in words
    ("2021-2027", "e-mail") is never read as FTS syntax; operators and parentheses are checked first.
    With `forms`, each plain word (not a phrase, not a prefix) becomes an OR of the forms it gives."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}")
    if text.count('"') % 2:
        raise QueryError('unbalanced quote in query; close the phrase with " or remove the quote')
    parts: list[str] = []
    terms: list[str] = []
    required: list[str] = []
    depth = 0
    expect_operand = True
    negated = False
    pos = 0
    for match in _TOKEN.finditer(text):
        if match.start() != pos:
            break
        pos = match.end()
        phrase, paren, word = match.group("phrase"), match.group("paren"), match.group("word")
        if paren == "(":
            if not expect_operand:
                parts.append("AND")
            parts.append("(")
            depth += 1
            expect_operand = True
        elif paren == ")":
            if depth == 0 or expect_operand:
                raise QueryError("misplaced ')' in query; check the parentheses")
            parts.append(")")
            depth -= 1
        elif word in _OPERATORS:
            if expect_operand:
                raise QueryError(f"{word} needs a word before and after it, e.g. 'migrants {word} refugees'")
            parts.append(word)
            expect_operand = True
            negated = word == "NOT"
        else:
            token = phrase or word or ""
            if len(token) > 1 and token[0] == "-" and (token[1].isalnum() or token[1] in '"'):
                # A leading '-' excludes, as in every search box: "integration -webinar".
                if expect_operand:
                    raise QueryError(
                        f"{token!r} leaves out articles with {token[1:]!r}, so it needs something to search for "
                        f"before it, e.g. 'integration {token}' (the same as 'integration NOT {token[1:]}')")
                parts.append("NOT")
                negated, expect_operand = True, True
                token = token[1:]
            operand = _operand(token, terms, required if not negated else [], forms)
            if operand is None:
                continue
            negated = False
            if not expect_operand:
                parts.append("AND")
            parts.append(operand)
            expect_operand = False
    if text[pos:].strip():
        raise QueryError(f"cannot read the query from {text[pos:].strip()[:20]!r}")
    if depth:
        raise QueryError("unclosed '(' in query")
    if not terms:
        raise QueryError("the query has no words to search for")
    if expect_operand:
        raise QueryError(f"the query ends with {parts[-1]}; add a word after it")
    return Query(" ".join(parts), tuple(dict.fromkeys(terms)), tuple(dict.fromkeys(required)))


def _operand(token: str, terms: list[str], required: list[str], forms: Forms | None) -> str | None:
    """The FTS5 expression of one word or phrase (with its field), its highlight terms added to `terms` and
    the expressions of its whole words to `required`."""
    column = None
    if token.endswith(":") and token[:-1].lower() in _FIELDS:
        raise QueryError(f"'{token}' needs a word or phrase right after it, e.g. {token}integration")
    field = _FIELD.match(token)
    if field:
        name, token = field.group(1).lower(), token[field.end():]
        if name not in _FIELDS:
            hint = f"; for a filter use the option: --{'lang' if name == 'language' else name} {token}" \
                if name in _FILTER_NAMES else ""
            raise QueryError(f"unknown field {field.group(1)!r}: the fields are "
                             + ", ".join(f"{f}:" for f in _FIELDS) + hint)
        column = _FIELDS[name]
    is_phrase = token.startswith('"')
    raw = token[1:-1] if is_phrase else token
    prefix = not is_phrase and raw.endswith("*")
    words = _WORD_CHARS.findall(fold(raw))
    if not words:
        return None
    if forms is not None and not is_phrase and not prefix and len(words) == 1:
        typed = _WORD_CHARS.findall(raw)
        variants = forms(words[0], typed[0] if len(typed) == 1 else words[0])
        terms.extend(variants)
        expr = " OR ".join(f'"{v}"' for v in variants)
        expr = f"({expr})" if len(variants) > 1 else expr
        required.append(expr)
    else:
        terms.extend(words[:-1] + [words[-1] + ("*" if prefix else "")])
        expr = '"' + " ".join(words) + '"' + ("*" if prefix else "")
        required.extend(f'"{w}"' for w in (words[:-1] if prefix else words))
    return f"{column} : {expr}" if column else expr


def word_forms(corpus: Corpus, langs: Iterable[str], trusted: Iterable[str] = ()) -> Forms:
    """A folded word -> itself and the words the vocabulary (word_stems) lists under its stem in one language
    (refugee: refugees; states: state).

    The query's language is not known, so the word is read in the languages whose texts have this very form:
    in English alone when English has it (English is the corpus's common language: "state" is not read as
    the Italian participle), else in each language of `langs` that has it, else in English. It is always
    read in the `trusted` languages (a --lang filter's), and in Greek when it is in Greek script. A stem
    shorter than MIN_STEM letters (Greek πόλη: πολ, which πολλά shares) finds no other forms. So Italian
    "regione" finds "regioni" but not English "regions", and English "integration" never becomes Spanish
    "integración"."""
    languages, always = tuple(langs), set(trusted)

    def forms(word: str, typed: str) -> tuple[str, ...]:
        readings = {(lang, s) for lang, s in query_stems(fold, typed, languages) if len(s) >= MIN_STEM}
        if not readings:
            return (word,)
        stems = sorted({s for _, s in readings})
        rows = [row for row in corpus.conn.execute(
            f"""SELECT stem, lang, word FROM word_stems WHERE stem IN ({",".join("?" * len(stems))})
                ORDER BY length(word), word""", stems) if (row[1], row[0]) in readings]
        attested = {(lang, s) for s, lang, form in rows if form == word}
        if any(lang == "en" for lang, _ in attested):
            attested = {(lang, s) for lang, s in attested if lang == "en"}
        elif not attested:
            attested = {(lang, s) for lang, s in readings if lang == "en"}
        single = len({lang for lang, _ in readings}) == 1  # Greek script
        read = {(lang, s) for lang, s in readings if (lang, s) in attested or lang in always or single}
        return tuple(dict.fromkeys([word, *(form for s, lang, form in rows if (lang, s) in read)]))[:MAX_FORMS]

    return forms


def compile_query(corpus: Corpus, text: str, *, lang: str | None = None, exact: bool = False) -> Query:
    """`text` as an FTS5 query on this corpus: each plain word with its forms (see word_forms: read in `lang`
    and English when a language filter is given, else in English and the corpus's languages that have the
    word) unless `exact`."""
    if exact:
        return parse_query(text)
    if lang:
        return parse_query(text, word_forms(corpus, [lang.lower()], [lang.lower()]))
    return parse_query(text, word_forms(corpus, corpus.articles.languages()))


def parse_date(value: str, *, end: bool = False) -> str:
    """A --since/--until value as an ISO date: YYYY, YYYY-MM, YYYY-MM-DD, or a relative 7d / 12h / 2w."""
    value = value.strip()
    rel = re.fullmatch(r"(\d+)([hdw])", value)
    if rel:
        n, unit = int(rel.group(1)), rel.group(2)
        delta = {"h": timedelta(hours=n), "d": timedelta(days=n), "w": timedelta(weeks=n)}[unit]
        return (datetime.now() - delta).date().isoformat()
    for fmt, length in (("%Y-%m-%d", 10), ("%Y-%m", 7), ("%Y", 4)):
        try:
            parsed = datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        if len(value) != length:
            continue
        if end and length == 7:
            parsed = (parsed.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        elif end and length == 4:
            parsed = date(parsed.year, 12, 31)
        return parsed.isoformat()
    raise QueryError(f"cannot read the date {value!r}; use YYYY-MM-DD, YYYY-MM, YYYY or a span like 7d")


def search(
    corpus: Corpus,
    query: str,
    *,
    lang: str | None = None,
    source: str | None = None,
    since: str | None = None,
    until: str | None = None,
    sort: str = "relevance",
    limit: int = 20,
    all_copies: bool = False,
    exact: bool = False,
    common_matches: int = COMMON_MATCHES,
    mark: tuple[str, str] = ("[", "]"),
) -> list[Hit]:
    """Best matches first (bm25, titles weighted, newer first among equals) or newest first (`sort="date"`),
    each with a snippet; one hit per story (its best-ranked article, with the languages of the others)
    unless `all_copies`. A query whose every required word is in more than `common_matches` articles is
    ranked among the `common_matches` most recently stored articles, unless that leaves fewer than `limit`
    hits. Words find their other forms unless `exact`. Snippets wrap the matched words in `mark`."""
    if sort not in SORTS:
        raise QueryError(f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")
    q = compile_query(corpus, query, lang=lang, exact=exact)
    where, args = Filters(lang, source, since, until).sql()
    # Copies of one story crowd the top: fetch more ranked articles than stories wanted.
    fetch = limit if all_copies else limit * STORY_FETCH
    args.update({"match": q.fts, "limit": max(1, fetch), "tw": TITLE_WEIGHT})
    floor = _rowid_floor(corpus, q, common_matches)
    ranked = _ranked(corpus, where, args, sort, floor)
    if floor is not None and len(ranked) < fetch:
        ranked = _ranked(corpus, where, args, sort, None)
    winners = ranked[:limit] if all_copies else _best_per_story(corpus, ranked, limit)
    rows = _rows(corpus, [w[0] for w in winners])  # read for the winners only
    others = corpus.stories.story_members([r["story_id"] for r in rows.values() if r["story_id"] is not None])
    return [
        Hit(r["id"], r["source"], r["url"], r["title"], r["title_en"], r["lang"], r["published"],
            best_snippet(r["text"], r["text_en"], q.terms, mark), -score, r["story_id"],
            () if all_copies else tuple(m["lang"] or "?" for m in others.get(r["story_id"], []) if m["id"] != r["id"]))
        for r, score in ((rows[w[0]], w[1]) for w in winners)
    ]



COUNT_BY = ("lang", "source")


@dataclass(frozen=True)
class Totals:
    stories: int  # an article outside any story yet counts as a story of its own
    articles: int


def matches_more_than(corpus: Corpus, query: str, filters: Filters, cap: int, *, exact: bool = False) -> bool:
    """Whether more than `cap` articles match, found by walking at most cap + 1 matches (through the narrow
    filters index when filtering): an exact count of a word in most of a large corpus reads every matching
    article row for its story (0.9 s for 198,000 matches)."""
    where, args = filters.sql()
    join = "JOIN articles a INDEXED BY articles_filters ON a.id = articles_fts.rowid" if where else ""
    sql = f"""SELECT count(*) FROM (SELECT 1 FROM articles_fts {join}
              WHERE {' AND '.join(["articles_fts MATCH :match", *where])} LIMIT :cap + 1)"""
    match = compile_query(corpus, query, lang=filters.lang, exact=exact).fts
    (found,) = corpus.conn.execute(sql, {**args, "match": match, "cap": cap}).fetchone()
    return int(found) > cap


def count(
    corpus: Corpus, query: str, filters: Filters = Filters(), by: str | None = None, *, exact: bool = False
) -> dict[str, Totals]:
    """Every match counted, not only the ranked ones: {"": totals} or, `by` "lang" or "source", totals per
    value. A story with matches in two languages counts once in each, so per-language stories may sum to more
    than the stories matched; articles always add up."""
    if by is not None and by not in COUNT_BY:
        raise QueryError(f"cannot count by {by!r}; use one of {', '.join(COUNT_BY)}")
    q = compile_query(corpus, query, lang=filters.lang, exact=exact)
    where, args = filters.sql()
    key = {"lang": "coalesce(a.lang, '?')", "source": "a.source", None: "''"}[by]
    sql = f"""SELECT {key} AS key, count(*) AS articles, count(DISTINCT coalesce(a.story_id, -a.id)) AS stories
              FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
              WHERE {' AND '.join(["articles_fts MATCH :match", *where])}
              GROUP BY 1 ORDER BY 2 DESC, 1"""
    try:
        rows = corpus.conn.execute(sql, {**args, "match": q.fts}).fetchall()
    except sqlite3.OperationalError as exc:
        raise QueryError(f"search failed: {exc}") from None
    totals = {row["key"]: Totals(row["stories"], row["articles"]) for row in rows}
    return totals if by is not None or totals else {"": Totals(0, 0)}

def _rows(corpus: Corpus, ids: list[int]) -> dict[int, sqlite3.Row]:
    return {r["id"]: r for r in corpus.select_in(
        """SELECT id, source, url, title, title_en, lang, published, story_id, text, text_en
           FROM articles WHERE id IN ({marks})""", ids)}


STORY_FETCH = 5  # ranked articles fetched per story wanted


def _best_per_story(corpus: Corpus, ranked: list[sqlite3.Row], limit: int) -> list[sqlite3.Row]:
    """The first `limit` of the ranked (id, score) rows that are the best of their story. Story ids are read
    a batch at a time, as far down the ranking as needed (each is at the end of a wide row)."""
    seen: set[int] = set()
    best: list[sqlite3.Row] = []
    for start in range(0, len(ranked), limit):
        batch = ranked[start:start + limit]
        stories: dict[int, int | None] = {row[0]: row[1] for row in corpus.select_in(
            "SELECT id, story_id FROM articles WHERE id IN ({marks})", [r[0] for r in batch])}
        for row in batch:
            story = stories.get(row[0])
            if story is not None:
                if story in seen:
                    continue
                seen.add(story)
            best.append(row)
            if len(best) == limit:
                return best
    return best


# Candidates ranked by bm25 alone, before ties are broken by publication date: ties deeper than this at the
# last place could be ordered by storage order instead of date.
TIE_SLACK = 50


def _ranked(
    corpus: Corpus, where: list[str], args: dict[str, object], sort: str, floor: int | None
) -> list[sqlite3.Row]:
    """The ids and scores of the best `limit` matches. Ranking keeps only ids and scores in SQLite's sorter
    (not the articles' text), and reads dates and filters from the narrow index, never the wide article rows:
    those are read for the winners alone."""
    conditions = ["articles_fts MATCH :match", *where]
    if floor is not None:
        conditions.append("articles_fts.rowid >= :floor")
    # The planner prefers the rowid lookup into the wide article rows; the narrow index answers the filters
    # and the date from a fraction of the pages (a word with a date filter at 1M articles: 67 -> 33 ms).
    join = "JOIN articles a INDEXED BY articles_filters ON a.id = articles_fts.rowid" if where or sort == "date" else ""
    if sort == "date":
        inner_order, inner_limit = "a.published IS NULL, a.published DESC, score", ":limit"
        outer_order = "r.published IS NULL, r.published DESC, r.score"
    else:
        inner_order, inner_limit = "score, articles_fts.rowid DESC", f":limit + {TIE_SLACK}"
        outer_order = "r.score, a.published DESC"
    sql = f"""
        WITH r AS (
            SELECT articles_fts.rowid AS id, bm25(articles_fts, :tw, 1.0, :tw, 1.0) AS score
                   {", a.published AS published" if sort == "date" else ""}
            FROM articles_fts {join}
            WHERE {' AND '.join(conditions)}
            ORDER BY {inner_order}
            LIMIT {inner_limit}
        )
        SELECT r.id, r.score
        FROM r JOIN articles a INDEXED BY articles_filters ON a.id = r.id
        ORDER BY {outer_order}
        LIMIT :limit
    """
    try:
        return corpus.conn.execute(sql, {**args, "floor": floor}).fetchall()
    except sqlite3.OperationalError as exc:
        raise QueryError(f"search failed: {exc}") from None


def _rowid_floor(corpus: Corpus, q: Query, common_matches: int) -> int | None:
    """When the query and every word it requires are in more than `common_matches` articles, the lowest rowid
    of the `common_matches` most recently stored articles (ranking then looks at those only); else None.

    A word's articles are counted by walking its list in the index, stopping past `common_matches` (the
    vocabulary's counts walk the whole list: slower than ranking a mid-sized query). Longer words first:
    they are usually the rarer, so a query with one uncommon word stops after one short walk."""
    if not q.required:
        return None
    expressions = sorted(q.required, key=len, reverse=True)
    if q.fts not in expressions:
        # A phrase or a combination of common words can still be rare ("was not"): count the query itself
        # too, so that only a query with that many matches is ranked approximately.
        expressions.append(q.fts)
    for expression in expressions:
        (count,) = corpus.conn.execute(
            "SELECT count(*) FROM (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? LIMIT ?)",
            (expression, common_matches + 1),
        ).fetchone()
        if count <= common_matches:
            return None
    (high,) = corpus.conn.execute("SELECT max(id) FROM articles").fetchone()
    return int(high) - common_matches + 1
