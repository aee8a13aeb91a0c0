"""Snowball stemmers per language (PyStemmer): which word forms belong together, for search and whoever else
needs word forms (stories may).

Words are stemmed after fold() (case and accents off), so what is indexed and what a user types (with or
without accents) give the same stem. A word in Greek script is stemmed as Greek whatever its paragraph's
language (CoR pages wrap English in Greek furniture); other words by the language given, or left as they are
when that language has no stemmer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from functools import cache

import Stemmer

# ISO 639-1 code -> Snowball algorithm: the EU's languages that have one, and Catalan. Croatian and Bosnian
# use the Serbian stemmer (one Snowball algorithm for the Latin and Cyrillic spellings of the three).
ALGORITHMS: dict[str, str] = {
    "ca": "catalan", "cs": "czech", "da": "danish", "de": "german", "el": "greek", "en": "english",
    "es": "spanish", "et": "estonian", "fi": "finnish", "fr": "french", "ga": "irish", "hu": "hungarian",
    "it": "italian", "lt": "lithuanian", "nl": "dutch", "pl": "polish", "pt": "portuguese", "ro": "romanian",
    "sv": "swedish", "hr": "serbian", "bs": "serbian", "sr": "serbian",
}
# Words as FTS5's unicode61 tokenizer cuts them: letters and digits (an underscore separates).
WORD = re.compile(r"[^\W_]+")
_GREEK = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")


@cache
def _stemmer(algorithm: str) -> Stemmer.Stemmer:
    # PyStemmer keeps its own cache of recent words (10,000 by default), which most text hits.
    return Stemmer.Stemmer(algorithm)


def fold_each(fold: Callable[[str], str], words: list[str]) -> list[str]:
    """fold() of each lower-case word (ASCII ones are returned as they are); the non-ASCII ones in one call over
    the words joined by line breaks, which folding neither changes nor composes with a neighbour."""
    other = [w for w in words if not w.isascii()]
    if not other:
        return words
    folded = fold("\n".join(other)).split("\n")
    if len(folded) != len(other):
        folded = [fold(w) for w in other]
    table = dict(zip(other, folded, strict=True))
    return [table.get(w, w) for w in words]


def word_stems(fold: Callable[[str], str], text: str, lang: str | None) -> set[tuple[str, str, str]]:
    """(folded word, folded stem, language stemmed as) for each distinct word of `text`: Greek-script words as
    Greek ("el"), the others in `lang` when it has a stemmer (words of a language without one are left out).

    A word is stemmed as written (French needs its accents: réfugiées -> réfugi, but refugiees -> refugie)
    and, when folding changes it, also as folded, the way a query typed without accents is read."""
    words = set(WORD.findall(text.lower()))
    code = (lang or "").lower()
    groups = [(code, words)]
    if _GREEK.search(text):
        greek = {w for w in words if _GREEK.search(w)}
        groups = [(code, words - greek), ("el", greek)]
    out: set[tuple[str, str, str]] = set()
    for language, group in groups:
        if not group or language not in ALGORITHMS:
            continue
        stemmer = _stemmer(ALGORITHMS[language])
        listed = list(group)
        folded = fold_each(fold, listed)
        out.update((w, s, language) for w, s in zip(folded, fold_each(fold, stemmer.stemWords(listed)), strict=True))
        changed = [f for w, f in zip(listed, folded, strict=True) if f != w]
        out.update((w, s, language) for w, s in zip(changed, stemmer.stemWords(changed), strict=True))
    return out


def query_stems(fold: Callable[[str], str], typed: str, langs: Iterable[str]) -> set[tuple[str, str]]:
    """(language, folded stem) for each reading of a query word as typed, in `langs` and English (the query's
    language is not known): as typed and as folded, as word_stems() indexes them. Greek script is read as Greek
    only."""
    lowered = typed.lower()
    folded = fold(typed)
    codes = ["el"] if _GREEK.search(typed) else [c for c in {"en", *langs} if c in ALGORITHMS]
    readings: set[tuple[str, str]] = set()
    for code in codes:
        stemmer = _stemmer(ALGORITHMS[code])
        readings.add((code, stemmer.stemWord(folded)))
        if lowered != folded:
            readings.add((code, fold(stemmer.stemWord(lowered))))
    return readings


def vocabulary_entries(fold: Callable[[str], str], lang: str | None, original: Iterable[str | None],
                       english: Iterable[str | None]) -> str:
    """The [stem, language, word] entries of an article's words (folded), as the JSON array the corpus's
    vocabulary trigger reads: the original title and text stemmed in the article's language, the English ones
    in English."""
    entries: set[tuple[str, str, str]] = set()
    for texts, language in ((original, lang), (english, "en")):
        joined = "\n".join(t for t in texts if t)
        if joined:
            entries.update((s, code, w) for w, s, code in word_stems(fold, joined, language))
    return json.dumps(list(entries), ensure_ascii=False)
