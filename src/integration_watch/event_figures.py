"""The figures a text mentions, as the event rule compares them (same_event.py): one value however it is written.

Write-ups of one report write its figures their own way: "842,000", "842 thousand" (a translation of "842 mil"),
"842k"; "EUR 3.4 million" and "3,4 millones"; "70 mayors" and "seventy mayors" (a translation of "setenta"). Each
becomes one value here, so the rule sees the same figure, not two different ones that contradict each other. Left
out: years (every article of one year shares them, whatever news it reports). Number words count from ten up: a
writer spells the small numbers ("two diplomats", "three regions") in passing, and they say nothing of the event.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .corpus import fold

_SMALL = "one two three four five six seven eight nine".split()
_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_UNITS = {w: i + 1 for i, w in enumerate(_SMALL)} | {w: i + 10 for i, w in enumerate(_TEENS)} \
    | {w: (i + 2) * 10 for i, w in enumerate(_TENS)}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "millions": 1_000_000, "billion": 1_000_000_000,
           "k": 1_000, "mn": 1_000_000, "bn": 1_000_000_000}
_NUMBER_WORD = "|".join(sorted(_UNITS, key=len, reverse=True))
_SCALE_WORD = "|".join(sorted(_SCALES, key=len, reverse=True))
_NUMERAL = r"\d{1,3}(?:[,.\u00a0\u202f]\d{3})+(?!\d)|\d+(?:[.,]\d+)?"
# a numeral then scale words ("842 thousand", "842k", "EUR 16m": an "m" means million after a currency only, else it is
# metres; Apertium's "842 one thousand" for "842 mil"); apart, a run of number words ("five thousand", "twenty-five",
# "two hundred and fifty"). Two expressions, not one with both: the engine then scans for a digit quickly.
_NUMBER = re.compile(rf"(?P<numeral>{_NUMERAL})(?P<scale>(?:\s*(?:(?:one|a)\s+)?(?:{_SCALE_WORD})\b|(?<=\d)m\b)*)")
_WORDS = re.compile(rf"\b(?:{_NUMBER_WORD}|{_SCALE_WORD})(?:(?:\s+and\s+|[\s-]+)(?:{_NUMBER_WORD}|{_SCALE_WORD}))*\b")
_CURRENCY = re.compile(r"(?:€|\$|£|\b(?:eur|usd|gbp|sek|chf))\s?$")
_YEAR = re.compile(r"(19|20)\d\d")
LEAST_WORD_VALUE = 10  # number words below this are not figures (see above)
TELLING_FROM = 100  # figures from this size, or with decimals, are seldom shared by chance
ROUND_FROM = 1_000  # figures from this size may be given rounded ("above 900,000" for 910,000)
# Figures contradict when both texts give at least this many and none agree. Write-ups of one report choose their
# own facts from it (a total here, a percentage there; a partner region's share of a project's budget and its own
# count of workers): two texts that give two figures each share none by chance, not because they tell other news.
CONTRADICT_FROM = 3


def figures(text: str) -> frozenset[str]:
    """The figures the text mentions (see the module's docstring), each as its value written out ("842000",
    "3400000", "3.4"), years left out."""
    out = set()
    folded = fold(text)
    taken = []  # where numerals and their scale words are: number words there are a scale, not a figure
    for match in _NUMBER.finditer(folded):
        taken.append(match.span())
        scales = match["scale"].split()
        if "m" in scales and not _CURRENCY.search(folded[max(match.start() - 4, 0):match.start()]):
            scales.remove("m")
        value = _numeral(match["numeral"], [w for w in scales if w in _SCALES or w == "m"])
        if value is not None and (scales or not _YEAR.fullmatch(match["numeral"])):
            out.add(_written(value))
    spans = iter(taken)
    span = next(spans, None)
    for match in _WORDS.finditer(folded):
        while span is not None and span[1] <= match.start():
            span = next(spans, None)
        if span is not None and span[0] <= match.start():
            continue
        value = _words(match[0].replace("-", " ").split())
        if value is not None and value >= LEAST_WORD_VALUE:
            out.add(_written(value))
    return frozenset(out)


def _numeral(raw: str, scales: list[str]) -> Decimal | None:
    """A numeral as written (thousands separators dropped, so 1,500 and 1.500 are one figure; a decimal comma
    read as a point) times the scale words after it."""
    digits = re.sub(r"[,.\u00a0\u202f](?=\d{3}(?!\d))", "", raw).replace(",", ".")
    try:
        value = Decimal(digits)
    except InvalidOperation:
        return None
    for scale in scales:
        value *= _SCALES.get(scale, 1_000_000)  # "m" attached to a numeral: million
    return value


def _words(words: list[str]) -> Decimal | None:
    """The value of a run of number words ("five thousand", "twenty five", "two hundred and fifty"); None for
    scale words alone ("thousands of")."""
    total = current = 0
    seen = False
    for word in words:
        if word in _UNITS:
            current += _UNITS[word]
            seen = True
        elif word == "hundred" and seen:
            current *= 100
        elif word in _SCALES and seen:
            total += max(current, 1) * _SCALES[word]
            current = 0
    return Decimal(total + current) if seen else None


def _written(value: Decimal) -> str:
    return f"{value.normalize():f}"


def shared_weight(common: frozenset[str]) -> int:
    """What figures two texts share are worth: a telling one (TELLING_FROM or more, or with decimals: 842,000, 4.8)
    counts twice, a small whole number (a day of the month, a count of countries or months) once; two texts
    on one topic share those by chance, write-ups of one report share its telling figures."""
    return sum(2 if "." in f or Decimal(f) >= TELLING_FROM else 1 for f in common)


def contradict(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two texts' figures say they report different news: a follow-up with new figures, another call for
    proposals (see CONTRADICT_FROM)."""
    return len(a) >= CONTRADICT_FROM and len(b) >= CONTRADICT_FROM and not agree(a, b)


def agree(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two texts' figures have one in common, given in full or rounded by one of them ("above 900,000",
    "some 910,000": a large figure rounded to one or two significant digits is the same figure)."""
    if a & b:
        return True
    rounded_a, rounded_b = _large(a), _large(b)
    return any(_rounds_to(x, y) or _rounds_to(y, x) for x in rounded_a for y in rounded_b)


def _large(values: frozenset[str]) -> list[Decimal]:
    return [d for d in map(Decimal, values) if d >= ROUND_FROM]


def _rounds_to(exact: Decimal, rounded: Decimal) -> bool:
    """Whether `rounded`, with one or two significant digits, is `exact` rounded to as many digits."""
    digits = len(rounded.normalize().as_tuple().digits)
    if digits > 2:
        return False
    quantum = Decimal(10) ** (rounded.adjusted() - digits + 1)
    return (exact / quantum).quantize(Decimal(1)) * quantum == rounded
