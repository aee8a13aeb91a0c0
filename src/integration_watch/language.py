"""Language identification for crawled articles: per document and per paragraph.

Built on langdetect's character n-gram profiles, with four additions that matter for
EU news pages:

* **Exact scoring.**  langdetect's ``Detector`` samples n-grams at random and iterates;
  here the same profiles (loaded through a private :class:`langdetect.DetectorFactory`,
  never langdetect's global one) are scored exactly: the naive-Bayes sum over *every*
  1-3-gram of the text, with langdetect's own smoothing (alpha / BASE_FREQ), as one
  numpy gather-and-sum.  It draws no random numbers, so it is deterministic whatever the
  seed, and it is about ten times faster per sentence than the sampling detector.  Text
  typed without its accents ("Pocinaje ukladanim" for Czech "Počínaje ukládáním") is
  also scored against accent-folded copies of the profiles.
* **Candidate restriction and scripts.**  Only the configured languages are scored
  (default: the 24 EU languages and common European neighbours).  Greek is decided by
  its script; Cyrillic text is scored only against Cyrillic languages, and the letters
  that only Serbian (ђ ћ), Macedonian (ѓ ќ ѕ) or Belarusian (ў) use decide those.
* **Hand-written evidence** (``language_rules``) for close pairs (cs/sk, da/nb/sv, hr/sl/sr, bg/mk,
  es/ca/pt, ro/it), applied only among the languages the n-gram scores already find close, and for the
  two EU languages langdetect has no profile for, Irish and Maltese.
* **Word evidence.**  How common each word is in each language (wordfreq's lists,
  ``language_words``) is added to the n-gram scores of short or close-call text: a few
  common words decide what a few character n-grams cannot ("det är", "não sei").  Among the
  languages the n-grams find close, the words count three times as much ("Har du en datamaskin?"
  is Norwegian by its last word), names (capitalised words after the first) left out.
* **Alphabets** (``language_alphabets``).  A word with a letter a language does not write
  (Polish "śpi" in Slovene) is no word of it: it costs more than a word list's floor.
* **Every text gets an answer.**  Text with too few letters is placed by its script or
  punctuation where they say it (Greek, Spanish ¿ ¡), else takes the document's language,
  the page's ``lang`` or "und", with confidence 0.
* **Evidence from the page for short text.**  ``hint`` (the page's ``<html lang>``) and
  ``expected`` (the source's configured languages) and, inside a document, the language
  of the long paragraphs, are priors that only count for short or unsure text.  A Greek
  site whose article body is English still comes out ``"en"``.

A document's language is the language with the largest share of characters over its
paragraphs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from langdetect import DetectorFactory
from langdetect.detector_factory import PROFILES_DIRECTORY
from langdetect.utils.ngram import NGram

from .language_alphabets import FOREIGN_WORD, Alphabets
from .language_codes import ALIASES, DEFAULT_LANGUAGES, EU_LANGUAGES, UNDETERMINED, normalize_language_tag
from .language_decision import EXPECTED_PRIOR, Scored
from .language_rules import (
    MARKERS,
    MT_LETTERS,
    fold_accents,
    irish_evidence,
    maltese_evidence,
    marker_bonus,
)
from .language_words import WordEvidence

__all__ = ["LanguageDetector", "LanguageResult", "ParagraphLanguage"]

# Our code -> langdetect's profile name (langdetect calls Norwegian Bokmål "no").
_PROFILE_NAME = {"nb": "no"}
# Languages decided by script or hand-written rules rather than by a profile.
_RULE_LANGUAGES = frozenset({"el", "ga", "mt", "sr", "be"})
_CYRILLIC_LANGUAGES = frozenset({"bg", "mk", "ru", "uk", "sr", "be"})
_SUPPORTED = frozenset(
    set(_RULE_LANGUAGES)
    | {ALIASES.get(name, name) for name in os.listdir(PROFILES_DIRECTORY) if not name.startswith(".")}
)

# --- tuning constants (set on the first 500 sentences per language only) -------------
_SMOOTHING = 0.5 / 10000  # langdetect's ALPHA_DEFAULT / BASE_FREQ
MAX_CHARS = 400  # characters of a paragraph that are scored
MIN_LETTERS = 3  # below this, no language at all
_NEIGHBOUR_PRIOR = -1.5  # log-prior of a non-EU candidate (base rate on EU news sites)
# weight of the word-frequency evidence (language_words) beside the n-grams: more for very short
# text, where a few n-grams say little and each word says much
_WORD_WEIGHT = 1.5
_WORD_WEIGHT_SHORT = 3.0
_WORD_SHORT_LETTERS = 25
_WORD_CLEAR_LETTERS = 100  # text at least this long whose best n-gram score leads by
_WORD_CLEAR_MARGIN = 30.0  # ... this many nats is decided without word evidence
_MARKER_WINDOW = 12.0  # only languages this close to the best get marker bonuses
_CLOSE_WORD_WEIGHT = 2.0  # ... and this much more word evidence among themselves
_HINT_PRIOR = 5.0  # (4.0 before word evidence: words widen the gaps a hint must close)
_CONTEXT_PRIOR = 4.0  # the document's main language, for its short paragraphs
_POOR_FIT = -5.5  # mean log-probability per n-gram below which no profile fits well
_GOOD_FIT = -5.2  # ... and above which a profile explains the text
_GA_STRONG, _GA_SOME = 0.2, 0.1  # Irish evidence that decides alone / with a poor fit
_MT_STRONG, _MT_SOME = 0.25, 0.12

# Languages written (almost) without diacritics: ASCII text scored best as one of these
# is not "accents lost", so the folded profiles are not consulted.
_PLAIN_ALPHABET = frozenset({"en", "nl"})

_URL_RE = re.compile(r"(?:https?://|www\.)\S+|[-_.0-9A-Za-z]{1,64}@[-_.0-9A-Za-z]{1,255}", re.IGNORECASE)
_WORD_RE = re.compile(r"[^\W\d_]+")
_GREEK_RE = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")
_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
_LETTER_RE = re.compile(r"[^\W\d_]")
_LATIN_ONLY_RE = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class ParagraphLanguage:
    index: int  # paragraph index in text.split("\n"); empty paragraphs are skipped
    lang: str  # ISO 639-1; without evidence of its own, the document's (confidence 0)
    confidence: float  # 0..1


@dataclass(frozen=True)
class LanguageResult:
    lang: str  # the document's language; without evidence, the page's (confidence 0) or "und"
    confidence: float
    paragraphs: tuple[ParagraphLanguage, ...]
    # (lang, share of the characters of paragraphs with a language), descending;
    # filled by LanguageDetector.detect.
    shares: tuple[tuple[str, float], ...] = ()

    @property
    def languages(self) -> tuple[str, ...]:
        """Distinct paragraph languages, by share of characters, descending."""
        if self.shares:
            return tuple(lang for lang, _ in self.shares)
        # Built by hand without shares: fall back to paragraph counts.
        counts: dict[str, int] = {}
        for p in self.paragraphs:
            if p.confidence > 0:  # a fallback answer (confidence 0) is no evidence of a language
                counts[p.lang] = counts.get(p.lang, 0) + 1
        return tuple(sorted(counts, key=lambda k: (-counts[k], k)))


# ---------------------------------------------------------------------------------------


class LanguageDetector:
    """Detects the language of a document, of each paragraph, or of a short string.

    One instance loads its langdetect profiles once (about 0.3 s); it is safe to reuse
    for any number of texts and holds no state between calls.
    """

    def __init__(self, languages: Iterable[str] | None = None, seed: int = 0) -> None:
        wanted: list[str] = []
        for code in DEFAULT_LANGUAGES if languages is None else languages:
            norm = normalize_language_tag(code)
            if norm is not None and norm in _SUPPORTED and norm not in wanted:
                wanted.append(norm)
        if not wanted:
            raise ValueError(f"no supported language among {languages!r}")
        self.languages: tuple[str, ...] = tuple(wanted)
        self.seed = seed

        # Profiles: our own factory, never langdetect's module-level one.
        profile_langs = [c for c in wanted if c not in _RULE_LANGUAGES]
        # langdetect's factory only parses the profiles: its per-gram lists of floats (~12 MB) are not kept.
        factory = DetectorFactory()
        if profile_langs:
            profiles = []
            for code in profile_langs:
                path = os.path.join(PROFILES_DIRECTORY, _PROFILE_NAME.get(code, code))
                with open(path, encoding="utf-8") as fh:
                    profiles.append(fh.read())
            if len(profiles) == 1:  # langdetect refuses a single profile
                factory.add_profile(_single_profile(profiles[0]), 0, 1)
            else:
                factory.load_json_profile(profiles)
        self._profile_langs: tuple[str, ...] = tuple(
            ALIASES.get(name, name) for name in factory.get_lang_list()
        )
        grams = list(factory.word_lang_prob_map)
        self._gram_index = {g: i for i, g in enumerate(grams)}
        table = np.array(
            [factory.word_lang_prob_map[g] for g in grams] or np.zeros((0, len(self._profile_langs))),
            dtype=np.float64,
        ).reshape(len(grams), len(self._profile_langs))
        self._logp = np.log(table + _SMOOTHING).astype(np.float32)
        self._alphabets = Alphabets(grams, table)
        # The same profiles with accents folded away, for text typed without them
        # ("Pocinaje ukladanim dat" for "Počínaje ukládáním dat"): Czech, Slovak,
        # Romanian... web text often lacks its diacritics.
        folded_index: dict[str, int] = {}
        folded_rows: list[np.ndarray] = []
        for g, row in zip(grams, table):
            f = fold_accents(g)
            if len(f) != len(g) or not f.isascii():
                continue
            j = folded_index.get(f)
            if j is None:
                folded_index[f] = len(folded_rows)
                folded_rows.append(row.copy())
            else:
                folded_rows[j] += row
        self._folded_index = folded_index
        self._folded_logp = np.log(
            np.array(folded_rows, dtype=np.float64).reshape(len(folded_rows), len(self._profile_langs))
            + _SMOOTHING
        ).astype(np.float32)
        self._folded_cache: dict[str, tuple[int, ...]] = {}
        self._col = {lang: i for i, lang in enumerate(self._profile_langs)}
        self._prior = np.array(
            [0.0 if lang in EU_LANGUAGES else _NEIGHBOUR_PRIOR for lang in self._profile_langs],
            dtype=np.float64,
        )
        cyr = [self._col[c] for c in self._profile_langs if c in _CYRILLIC_LANGUAGES]
        lat = [self._col[c] for c in self._profile_langs if c not in _CYRILLIC_LANGUAGES]
        self._cyrillic_cols = np.array(cyr, dtype=np.intp)
        self._latin_cols = np.array(lat, dtype=np.intp)
        self._norm_table: dict[int, str] = {}
        self._word_cache: dict[str, tuple[int, ...]] = {}
        self._has = {code: code in wanted for code in _RULE_LANGUAGES}
        self._words = WordEvidence(self._profile_langs)

    # --- public API --------------------------------------------------------------------

    def detect(
        self, text: str, *, hint: str | None = None, expected: Sequence[str] = ()
    ) -> LanguageResult:
        """Language of a document and of each of its paragraphs (``text.split("\\n")``)."""
        priors = self._priors(hint, expected)
        units: list[tuple[int, str, int, Scored | None]] = []
        for index, para in enumerate((text or "").split("\n")):
            stripped = para.strip()
            if not stripped:
                continue
            scored = self._score(stripped[:MAX_CHARS])
            units.append((index, stripped, len(stripped), scored))

        # Pass 1: paragraphs that speak for themselves fix the document's context.
        context: dict[str, float] = {}
        for _, _, size, scored in units:
            if scored is not None and not scored.needs_priors:
                lang, _ = scored.decide({})
                if lang:
                    context[lang] = context.get(lang, 0.0) + size
        main = max(context, key=lambda k: (context[k], k)) if context else None

        # Pass 2: short or unsure paragraphs also weigh the page's evidence.
        decided: list[tuple[int, str | None, float]] = []
        chars: dict[str, float] = {}
        weighted_conf: dict[str, float] = {}
        for index, _, size, scored in units:
            if scored is None:
                decided.append((index, None, 0.0))
                continue
            unit_priors = dict(priors)
            if main is not None and scored.needs_priors:
                unit_priors[main] = unit_priors.get(main, 0.0) + _CONTEXT_PRIOR
            lang, conf = scored.decide(unit_priors)
            decided.append((index, lang, round(conf, 4) if lang is not None else 0.0))
            if lang is not None:
                chars[lang] = chars.get(lang, 0.0) + size
                weighted_conf[lang] = weighted_conf.get(lang, 0.0) + size * conf

        # Every text gets an answer: a paragraph without evidence of its own is in the document's
        # language, a document without any in the language its script or punctuation shows (as
        # detect_short's), else the page's (``hint``), else "und"; all with confidence 0.
        if not chars:
            fallback = self._tiny_text(" ".join((text or "").split())) or _fallback(hint)
            paragraphs = tuple(ParagraphLanguage(i, fallback, 0.0) for i, _, _ in decided)
            return LanguageResult(fallback, 0.0, paragraphs, ())
        total = sum(chars.values())
        ranked = sorted(chars, key=lambda k: (-chars[k], k))
        top = ranked[0]
        confidence = weighted_conf[top] / total
        shares = tuple((lang, round(chars[lang] / total, 4)) for lang in ranked)
        paragraphs = tuple(ParagraphLanguage(i, lang or top, conf) for i, lang, conf in decided)
        return LanguageResult(top, round(confidence, 4), paragraphs, shares)

    def detect_short(
        self, text: str, *, hint: str | None = None, expected: Sequence[str] = ()
    ) -> tuple[str, float]:
        """Language of one string such as a title: ``(lang, confidence)``. Too little text for
        its n-grams ("Τι;", "¿Y?") is placed by its script or punctuation where they say it, else
        takes the page's language (``hint``), else "und"; with confidence 0."""
        flat = " ".join((text or "").split())
        scored = self._score(flat[:MAX_CHARS])
        lang, conf = scored.decide(self._priors(hint, expected)) if scored is not None else (None, 0.0)
        if lang is None:
            return self._tiny_text(flat) or _fallback(hint), 0.0
        return lang, round(conf, 4)

    def _tiny_text(self, text: str) -> str | None:
        """The language a few letters show by themselves: Greek script, Spanish ¿ ¡."""
        if _GREEK_RE.search(text) and self._has["el"]:
            return "el"
        if ("¿" in text or "¡" in text) and "es" in self.languages:
            return "es"
        return None

    # --- internals ---------------------------------------------------------------------

    def _priors(self, hint: str | None, expected: Sequence[str]) -> dict[str, float]:
        priors: dict[str, float] = {}
        for code in expected or ():
            norm = normalize_language_tag(code)
            if norm in self.languages:
                priors[norm] = max(priors.get(norm, 0.0), EXPECTED_PRIOR)
        norm = normalize_language_tag(hint)
        if norm in self.languages:
            priors[norm] = priors.get(norm, 0.0) + _HINT_PRIOR
        return priors

    def _ngram_ids(self, text: str, folded: bool = False) -> list[int]:
        table = self._norm_table
        missing = set(map(ord, text)).difference(table)
        for code in missing:
            table[code] = NGram.normalize(chr(code))
        norm = text.translate(table)
        cache = self._folded_cache if folded else self._word_cache
        if len(cache) > 200_000:
            cache.clear()
        index = self._folded_index if folded else self._gram_index
        ids: list[int] = []
        for word in norm.split():
            got = cache.get(word)
            if got is None:
                got = _word_grams(word, index)
                cache[word] = got
            ids.extend(got)
        return ids

    def _score(self, text: str) -> Scored | None:
        text = _URL_RE.sub(" ", text)
        letters = len(_LETTER_RE.findall(text))
        if letters < MIN_LETTERS:
            return None
        greek = len(_GREEK_RE.findall(text))
        cyrillic = len(_CYRILLIC_RE.findall(text))
        if greek * 2 > letters and self._has["el"]:
            return Scored.fixed("el", min(1.0, greek / letters + 0.05), letters)
        lower = text.lower()
        words = _WORD_RE.findall(lower)

        if cyrillic * 2 > letters:
            fixed = self._cyrillic_rule(lower, letters)
            if fixed is not None:
                return fixed
            cols = self._cyrillic_cols
            text = _LATIN_ONLY_RE.sub(" ", text)
            latin = False
        else:
            cols = self._latin_cols
            latin = True

        ids = self._ngram_ids(text) if len(cols) else []
        raw = self._logp[ids].sum(axis=0, dtype=np.float64)[cols] if ids else None
        if (
            raw is not None
            and latin
            and len(words) >= 4
            and self._profile_langs[cols[int(raw.argmax())]] not in _PLAIN_ALPHABET
            and text.isascii()
        ):
            fids = self._ngram_ids(text, folded=True)
            if len(fids) == len(ids):
                raw = np.maximum(raw, self._folded_logp[fids].sum(axis=0, dtype=np.float64)[cols])
        weak: dict[str, float] = {}
        fit = float(raw.max()) / len(ids) if raw is not None else None
        # Word evidence for what the n-grams leave open: short or close-call text (most of an
        # article's paragraphs are neither, and skipping them keeps a page's detection fast).
        clear = (
            raw is not None
            and letters >= _WORD_CLEAR_LETTERS
            and float(np.diff(np.partition(raw + self._prior[cols], -2)[-2:])[0]) >= _WORD_CLEAR_MARGIN
        ) if len(cols) >= 2 else True
        word_scores, known = (None, 1) if clear else self._words.scores(words)
        plain = _plain_words(text) if word_scores is not None else []
        # a capitalised first word with a foreign letter is more likely a name ("Tomás liked ...") than not
        first = _WORD_RE.search(text)
        foreign = self._alphabets.foreign_words(plain[1:] if first and first[0][0].isupper() else plain)
        if word_scores is not None and foreign is not None:
            word_scores = word_scores - FOREIGN_WORD * foreign
        # Text that a profile explains well is not Irish or Maltese (all of the dev Irish
        # sentences fit worse than -5.24): skip the rules, which is most of the time.
        well_explained = fit is not None and len(ids) >= 30 and fit > _GOOD_FIT
        if latin and words and not (well_explained and not MT_LETTERS.search(text)):
            rule = self._latin_rule(words, text, letters, fit, weak, unknown_words=not known,
                                    common_words=not clear and known == len(words))
            if rule is not None:
                return rule
        if raw is None:
            return None
        scores = raw + self._prior[cols]
        weight = _WORD_WEIGHT_SHORT if letters < _WORD_SHORT_LETTERS else _WORD_WEIGHT
        if word_scores is not None:
            scores = scores + weight * word_scores[cols]
        langs = [self._profile_langs[c] for c in cols]
        best = float(scores.max())
        close = {lang for lang, s in zip(langs, scores) if s >= best - _MARKER_WINDOW}
        if len(close) > 1:
            bonus = marker_bonus(words, close)
            if bonus:
                scores = scores + np.array([bonus.get(lang, 0.0) for lang in langs])
            mask = np.array([lang in close for lang in langs])
            if word_scores is not None and _CLOSE_WORD_WEIGHT and self._words.listed[cols][mask].all():
                # Between languages the n-grams find close (da/nb/sv, es/pt/ca...) their n-gram differences
                # are mostly noise, the words are not: the words count more there (when every one of them has
                # a word list: Estonian beside Finnish has none). Not names (``_plain_words``).
                ws, _ = self._words.scores(plain)
                if ws is not None:
                    ws = ws[cols]
                    extra = np.where(mask, ws - ws[mask].max(), 0.0)
                    scores = scores + _CLOSE_WORD_WEIGHT * weight * extra
        return Scored(langs, scores, len(ids), letters, weak)

    def _cyrillic_rule(self, lower: str, letters: int) -> Scored | None:
        """Serbian and Belarusian have no profile; their own letters decide them."""
        has = self._has
        conf = min(0.99, 0.6 + letters / 200)
        if has["sr"] and ("ђ" in lower or "ћ" in lower) and not re.search("[ѓќѕ]", lower):
            return Scored.fixed("sr", conf, letters)
        if has["be"] and ("ў" in lower or ("і" in lower and re.search("[ыэ]", lower))):
            return Scored.fixed("be", conf, letters)
        if has["sr"] and re.search("[јљњџ]", lower) and not re.search("[ѓќѕйщъьюяыэёєіїґ]", lower):
            words = _WORD_RE.findall(lower)
            sr = sum(w in MARKERS["sr"] for w in words)
            mk = sum(w in MARKERS["mk"] for w in words)
            if sr > mk or "mk" not in self._col:
                return Scored.fixed("sr", conf, letters)
        return None

    def _latin_rule(
        self, words: list[str], text: str, letters: int, fit: float | None, weak: dict[str, float],
        unknown_words: bool = False, common_words: bool = False,
    ) -> Scored | None:
        """Irish and Maltese have no profile: hand-written evidence decides them.

        Strong evidence decides alone; weaker evidence decides when no profile explains
        the text well either (``fit``: mean log-probability per n-gram of the best profile).
        Weaker evidence is kept in ``weak`` for when the page names the language. Words that
        no word list knows (``unknown_words``: not a common word of any listed language) are a
        poor fit too, and then one Irish- or Maltese-looking word is enough.
        """
        n = len(words)
        # Every word a common word of a listed language ("I wish I could!"): a poor n-gram fit is only short
        # text, not a sign of Irish or Maltese, whose content words no list knows.
        poor_fit = unknown_words or (not common_words and (fit is None or (n >= 3 and fit < _POOR_FIT)))
        for lang, evidence_fn, strong, some in (
            ("ga", irish_evidence, _GA_STRONG, _GA_SOME),
            ("mt", maltese_evidence, _MT_STRONG, _MT_SOME),
        ):
            if not self._has[lang]:
                continue
            evidence = evidence_fn(words, text, 1 if unknown_words else 2)
            if evidence <= 0:
                continue
            weak[lang] = evidence
            if evidence >= (0.5 if n <= 3 else strong) or (poor_fit and evidence >= some):
                return Scored.fixed(lang, min(0.99, 0.55 + evidence), letters)
        return None


def _fallback(hint: str | None) -> str:
    """The page's language, or "und"."""
    return normalize_language_tag(hint) or UNDETERMINED


def _plain_words(text: str) -> list[str]:
    """The words of ``text``, lower-cased, without those written with a capital after the first: a name
    ("Lech Wałęsa visits Brussels") says where someone is from, not what language the text is in."""
    return [w.lower() for i, w in enumerate(_WORD_RE.findall(text)) if i == 0 or not w[0].isupper()]


def _word_grams(word: str, index: dict[str, int]) -> tuple[int, ...]:
    """langdetect's 1-3-grams of one space-delimited word (same rules as its NGram)."""
    padded = " " + word + " "
    out = []
    for i in range(1, len(padded)):
        if padded[i].isupper() and padded[i - 1].isupper():
            continue  # langdetect skips the inside of all-capital words
        for n in (1, 2, 3):
            if i - n + 1 < 0:
                break
            gram = padded[i - n + 1 : i + 1]
            if gram == " ":
                continue
            j = index.get(gram)
            if j is not None:
                out.append(j)
    return tuple(out)


def _single_profile(json_text: str):
    import json

    from langdetect.utils.lang_profile import LangProfile

    return LangProfile(**json.loads(json_text))
