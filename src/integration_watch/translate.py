"""The translation stage: every stored article gets an English title and text, made offline.

Text is split into paragraphs (the stored text's lines) and sentences. English paragraphs are kept as they
are; every other paragraph goes to the engine for its language. Each distinct (engine, language, sentence)
is translated once and remembered in the corpus's translation memory, so boilerplate repeated across a site
costs nothing the second time. Sentences of many articles go to an engine in one batch.

Outcome per article (`articles.translation_status`): translated; english (nothing to translate); pending
(no engine for its language, or its translation server is unreachable: `translation_waiting` says which;
whatever could be translated is kept); failed (the error is in `translation_note`). A translation that comes back empty, or (nearly) identical to
a long source sentence, is never taken silently: it is counted in the note and, if it is the whole article, the
article fails rather than storing its source text as English.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from difflib import SequenceMatcher
from dataclasses import dataclass, field, replace

from .corpus import Corpus, TranslationRecord, TranslationTask
from .engines import Engine, EngineUnavailable, TranslationError
from .language_codes import UNDETERMINED
from .routes import Engines

ENGLISH = "en"
MAX_SENTENCE_CHARS = 400  # longer "sentences" (lists, run-ons) are cut at clause marks before translation
# Articles whose sentences go to the engines together and are then written in one transaction. Large enough
# that an engine's start-up (Apertium loads its transducers per call, ~0.1-0.3 s a leg) is paid rarely; small
# enough that a killed run loses little. Only articles that are not all English count towards the first two:
# English ones cost no engine, and counted as well they split a mostly English crawl into many chunks that each
# started every engine again.
CHUNK_CHARS = 2_000_000  # 200,000 made a 2,000-page crawl start Apertium 45 times (2.5 s) for 24 new sentences
CHUNK_ARTICLES = 500
CHUNK_ALL_ARTICLES = 5_000  # English ones included: what one chunk holds in memory and writes in one transaction
UNCHANGED_MIN_CHARS = 40  # a source this long coming back (nearly) identical is not a translation
UNCHANGED_SIMILARITY = 0.9
# Below this, a paragraph's own detected language is too unsure ("CPMR logo + EU logos" reads as Spanish):
# it is taken to be in the article's language.
OWN_LANGUAGE_MIN_CHARS = 40

# Words that end in a full stop without ending a sentence (lower case, without the stop).
_ABBREVIATIONS = frozenset(
    "e.g i.e etc vs cf approx dr mr mrs ms prof st no nr nos art arts par para vol pp fig ed eds jr sr inc ltd "
    "co corp dept univ gen gov min rev sig sigg dott dott.ssa ing avv on sra dña srs núm pág "
    "z.b bzw usw ggf vgl d.h u.a s.o hr fr abs ca ecc pag cit op ss tel fax mio mrd ff".split()
)
_SENTENCE_END = re.compile(r"[.!?…]+[\"'»”’)\]]*\s+|[;·]\s+(?=\S)")
_STARTS_SENTENCE = re.compile(r"[\"'«“‘(\[¿¡]*[^\W\d_a-zß-ÿ]|[\"'«“‘(\[¿¡]*\d", re.UNICODE)
_CLAUSE = re.compile(r"[;:,]\s+")


def split_sentences(paragraph: str, lang: str | None = None) -> list[str]:
    """Sentences of one paragraph. A stop ends a sentence when the next word starts with a capital letter or
    a digit and the word before it is not a known abbreviation or an initial; `;` is a question mark in
    Greek and `·` its semicolon, so they end sentences only there."""
    text = " ".join(paragraph.split())
    if not text:
        return []
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        mark = match.group().strip()
        if mark[0] in ";·" and lang != "el":
            continue
        rest = text[match.end():]
        if not _STARTS_SENTENCE.match(rest):
            continue
        before = text[start:match.start()].rsplit(" ", 1)[-1].lower()
        if mark[0] == "." and (before in _ABBREVIATIONS or len(before) == 1 or _is_ordinal(before, lang)):
            continue
        sentences.append(text[start:match.end()].strip())
        start = match.end()
    sentences.append(text[start:].strip())
    out: list[str] = []
    for sentence in sentences:
        out.extend(_cut_long(sentence))
    return [s for s in out if s]


def _is_ordinal(word: str, lang: str | None) -> bool:
    # "am 1. Januar", "den 3. maj": a number with a stop is an ordinal in German and the Nordic languages.
    return word.isdigit() and len(word) <= 2 and lang in {"de", "da", "sv", "nb", "nn", "fi", "et", "hu", "cs", "sk", "sl", "hr", "pl", "lv", "lt"}


def _cut_long(sentence: str) -> list[str]:
    if len(sentence) <= MAX_SENTENCE_CHARS:
        return [sentence]
    middle = len(sentence) // 2
    cuts = [m.end() for m in _CLAUSE.finditer(sentence)]
    if not cuts:
        cuts = [m.end() for m in re.finditer(r"\s+", sentence)]
    if not cuts:
        return [sentence]
    cut = min(cuts, key=lambda c: abs(c - middle))
    return _cut_long(sentence[:cut].strip()) + _cut_long(sentence[cut:].strip())


# --- planning one article --------------------------------------------------------------------------------


@dataclass
class _Segment:
    """A paragraph (or the title) and how it becomes English."""

    source: str
    lang: str | None  # None: keep as is (already English)
    sentences: list[str] = field(default_factory=list)


@dataclass
class _Plan:
    task: TranslationTask
    title: _Segment | None
    paragraphs: list[_Segment]
    engines: dict[str, Engine]  # lang -> engine used
    waiting: set[str]  # languages with no engine
    status: str | None = None  # decided before translation: english / failed
    note: str | None = None


def _plan(task: TranslationTask, engines: Engines) -> _Plan:
    doc = task.lang
    paragraph_langs = dict(task.paragraph_langs)
    plan = _Plan(task, None, [], {}, set())
    if doc in (None, UNDETERMINED):
        plan.status, plan.note = "failed", "the article's language was not detected"
        return plan

    def lang_of(text: str, lang: str | None) -> str | None:
        if lang in (None, ENGLISH) or not text.strip():
            return None
        engine = engines.for_language(lang)
        if engine is None:
            plan.waiting.add(lang)
            return None
        plan.engines[lang] = engine
        return lang

    for index, paragraph in enumerate(task.text.split("\n")):
        own = paragraph_langs.get(index)
        lang = own if own and len(paragraph.strip()) >= OWN_LANGUAGE_MIN_CHARS else doc
        target = lang_of(paragraph, lang)
        plan.paragraphs.append(_Segment(paragraph, target, split_sentences(paragraph, target) if target else []))
        if target is None and lang not in (None, ENGLISH) and paragraph.strip():
            plan.paragraphs[-1].source = ""  # untranslatable: left blank in the English text, never copied
    if task.title:
        target = lang_of(task.title, doc)
        keep = doc == ENGLISH
        plan.title = _Segment(task.title if keep or target else "", target, [task.title] if target else [])
    if not plan.engines and not plan.waiting:
        plan.status = "english"
    return plan


# --- running ---------------------------------------------------------------------------------------------


@dataclass
class TranslateReport:
    articles: int = 0
    translated: int = 0
    english: int = 0
    pending: int = 0
    failed: int = 0
    sentences: int = 0  # sentences needed, counting repeats
    engine_sentences: int = 0  # sentences actually sent to an engine
    memory_hits: int = 0  # sentences answered by the translation memory
    characters: int = 0  # characters sent to engines
    by_engine: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    stopped: bool = False  # the deadline came first
    left: int = 0  # articles it did not reach, for the next run

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def translate_articles(
    corpus: Corpus,
    engines: Engines,
    article_ids: Iterable[int],
    *,
    on_progress: Callable[[TranslateReport], None] | None = None,
    deadline: float | None = None,
) -> TranslateReport:
    """Translate the given articles and store the results, one chunk of articles per transaction. Past the
    `deadline` (time.monotonic()) no new chunk is begun: the articles not reached stay untried, for the next run."""
    report = TranslateReport()
    started = time.perf_counter()
    ids = list(article_ids)
    for tasks in _chunks(corpus, ids):
        if deadline is not None and time.monotonic() >= deadline:
            report.stopped, report.left = True, len(ids) - report.articles
            break
        plans = [_plan(t, engines) for t in tasks]
        translations, failures, new_memory = _run_engines(corpus, plans, report)
        records = [_record(p, translations, failures) for p in plans]
        corpus.translations.store_translations(records, new_memory)
        for record in records:
            report.articles += 1
            setattr(report, record.status, getattr(report, record.status) + 1)
        if on_progress:
            on_progress(report)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _chunks(corpus: Corpus, ids: list[int]) -> Iterator[list[TranslationTask]]:
    chunk: list[TranslationTask] = []
    size = foreign = 0
    for start in range(0, len(ids), CHUNK_ARTICLES):
        for task in corpus.translations.translation_tasks(ids[start:start + CHUNK_ARTICLES]):
            if _not_all_english(task):
                foreign += 1
                size += len(task.text) + len(task.title or "")
            else:  # its record needs only its id and hash: a chunk of thousands must not hold their texts
                task = replace(task, title=None, text="")
            chunk.append(task)
            if size >= CHUNK_CHARS or foreign >= CHUNK_ARTICLES or len(chunk) >= CHUNK_ALL_ARTICLES:
                yield chunk
                chunk, size, foreign = [], 0, 0
    if chunk:
        yield chunk


def _not_all_english(task: TranslationTask) -> bool:
    return task.lang != ENGLISH or any(lang not in (None, ENGLISH) for _, lang in task.paragraph_langs)


def _run_engines(
    corpus: Corpus, plans: list[_Plan], report: TranslateReport
) -> tuple[dict[tuple[str, str], str], dict[str, TranslationError], list[tuple[str, str, str, str]]]:
    """Translate every needed sentence once: from memory where possible, the rest in one batch per engine.
    Returns ((engine name, sentence) -> English, engine name -> error, new memory rows)."""
    wanted: dict[str, tuple[Engine, str, dict[str, None]]] = {}
    for plan in plans:
        if plan.status:
            continue
        for segment in [*([plan.title] if plan.title else []), *plan.paragraphs]:
            if segment.lang is None:
                continue
            engine = plan.engines[segment.lang]
            _, _, sentences = wanted.setdefault(engine.name, (engine, segment.lang, {}))
            for sentence in segment.sentences:
                report.sentences += 1
                sentences[sentence] = None
    done: dict[tuple[str, str], str] = {}
    failures: dict[str, TranslationError] = {}
    memory: list[tuple[str, str, str, str]] = []
    for name, (engine, lang, sentences) in wanted.items():
        distinct = list(sentences)
        known = corpus.translations.recall(name, lang, distinct)
        missing = [s for s in distinct if s not in known]
        report.memory_hits += sum(1 for s in distinct if s in known)
        done.update(((name, s), t) for s, t in known.items())
        if not missing:
            continue
        try:
            english = engine.translate(missing)
        except TranslationError as exc:
            failures[name] = exc
            # a server that stopped half-way: the sentences it answered are kept (and remembered)
            english = exc.done if isinstance(exc, EngineUnavailable) else []
            missing = missing[:len(english)]
        report.engine_sentences += len(missing)
        report.characters += sum(len(s) for s in missing)
        report.by_engine[name] = report.by_engine.get(name, 0) + len(missing)
        for sentence, target in zip(missing, english, strict=True):
            done[(name, sentence)] = target
            if target and not _unchanged(sentence, target):
                memory.append((name, lang, sentence, target))
    return done, failures, memory


def _unchanged(source: str, target: str) -> bool:
    """A long sentence that came back (nearly) as it went in was not translated: the engine did not know the
    language (a misdetected article, a model for the wrong pair) and passed the words through."""
    if len(source) < UNCHANGED_MIN_CHARS:
        return False
    a, b = source.casefold(), target.casefold()
    # Two upper bounds of difflib's ratio first, cheap where it is dear (SequenceMatcher is pure Python): the
    # lengths, then the characters in common (its quick_ratio, counted in C). Real translations stop here.
    total = len(a) + len(b)
    if 2 * min(len(a), len(b)) < UNCHANGED_SIMILARITY * total:
        return False
    if 2 * sum((Counter(a) & Counter(b)).values()) < UNCHANGED_SIMILARITY * total:
        return False
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= UNCHANGED_SIMILARITY


def _record(plan: _Plan, done: dict[tuple[str, str], str], failures: dict[str, TranslationError]) -> TranslationRecord:
    task = plan.task
    waiting = tuple(sorted(plan.waiting))
    if plan.status == "english":
        return TranslationRecord(task.id, task.text_hash, "english", None, None, (), None, ())
    if plan.status == "failed":
        return TranslationRecord(task.id, task.text_hash, "failed", None, None, (), plan.note, waiting)
    names = sorted({e.name for e in plan.engines.values()})
    to_translate = [(plan.engines[s.lang], s) for s in (plan.title, *plan.paragraphs) if s is not None and s.lang is not None]
    short = {engine.name for engine, s in to_translate for x in s.sentences
             if (engine.name, x) not in done}  # engines that left a sentence of it untranslated
    errors = [failures[n] for n in names if n in failures and n in short]
    if errors and all(isinstance(e, EngineUnavailable) for e in errors):
        # a server down or overloaded: the article waits for it, as for an engine not installed yet
        down = {lang for lang, engine in plan.engines.items() if engine.name in failures}
        return TranslationRecord(task.id, task.text_hash, "pending", None, None, tuple(names),
                                 "; ".join(map(str, errors)), tuple(sorted(plan.waiting | down)))
    if errors:
        return TranslationRecord(task.id, task.text_hash, "failed", None, None, tuple(names),
                                 "; ".join(map(str, errors)), waiting)
    flagged = total = 0

    def english(segment: _Segment) -> str:
        nonlocal flagged, total
        if segment.lang is None:
            return segment.source
        name = plan.engines[segment.lang].name
        out = []
        for sentence in segment.sentences:
            target = done[(name, sentence)]
            total += 1
            if not target.strip() or _unchanged(sentence, target):
                flagged += 1
                target = ""  # never pass the source off as its translation
            out.append(target)
        return " ".join(t for t in out if t)

    title_en = english(plan.title) if plan.title else None
    paragraphs = [english(p) for p in plan.paragraphs]
    text_en = "\n".join(paragraphs)
    if not names:  # nothing could be translated: every non-English part waits for an engine
        has_english = any(p.strip() for p in paragraphs)
        return TranslationRecord(
            task.id, task.text_hash, "pending", title_en or None, text_en if has_english else None, (), None, waiting
        )
    if total and flagged == total:
        return TranslationRecord(
            task.id, task.text_hash, "failed", None, None, tuple(names),
            "the engine returned every sentence empty or unchanged", waiting,
        )
    notes = []
    if flagged:
        notes.append(f"{flagged} of {total} sentences came back empty or unchanged and were left out")
    if waiting:
        notes.append("no engine yet for " + ", ".join(waiting))
    status = "pending" if waiting else "translated"
    return TranslationRecord(
        task.id, task.text_hash, status, title_en or None, text_en, tuple(names), "; ".join(notes) or None, waiting
    )


def translate_pending(
    corpus: Corpus,
    engines: Engines,
    *,
    lang: str | None = None,
    source: str | None = None,
    retranslate: bool = False,
    only_new: bool = False,
    on_progress: Callable[[TranslateReport], None] | None = None,
    deadline: float | None = None,
) -> TranslateReport:
    """Translate what needs it: never-tried and failed articles, and pending ones whose language now has an
    engine (`only_new`: never-tried only, as after a crawl). `retranslate` redoes every matching article.
    `deadline`: as translate_articles'."""
    ids = corpus.translations.articles_to_translate(
        lang=lang, source=source, retranslate=retranslate, only_new=only_new, languages=engines.languages()
    )
    return translate_articles(corpus, engines, ids, on_progress=on_progress, deadline=deadline)
