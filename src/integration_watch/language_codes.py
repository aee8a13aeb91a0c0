"""Language codes and names: which languages the project knows, what readers call them, and how a page's
declared tag (``<html lang="el-GR">``) becomes one of our codes. Light on purpose: the digest, translation
and extraction need these without the detector's profiles."""

from __future__ import annotations

import re

EU_LANGUAGES: tuple[str, ...] = (
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr",
    "hu", "it", "lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv",
)
NEIGHBOUR_LANGUAGES: tuple[str, ...] = (
    "ca", "nb", "sq", "mk", "sr", "uk", "ru", "be", "tr", "cy",
)
DEFAULT_LANGUAGES: tuple[str, ...] = EU_LANGUAGES + NEIGHBOUR_LANGUAGES
#: the answer for text with no language evidence and no page language to fall back on (BCP 47)
UNDETERMINED = "und"

# English names, for what readers see (the digest's "translated from Spanish").
NAMES: dict[str, str] = {
    "bg": "Bulgarian", "cs": "Czech", "da": "Danish", "de": "German", "el": "Greek", "en": "English",
    "es": "Spanish", "et": "Estonian", "fi": "Finnish", "fr": "French", "ga": "Irish", "hr": "Croatian",
    "hu": "Hungarian", "it": "Italian", "lt": "Lithuanian", "lv": "Latvian", "mt": "Maltese", "nl": "Dutch",
    "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "sk": "Slovak", "sl": "Slovenian", "sv": "Swedish",
    "ca": "Catalan", "nb": "Norwegian", "sq": "Albanian", "mk": "Macedonian", "sr": "Serbian",
    "uk": "Ukrainian", "ru": "Russian", "be": "Belarusian", "tr": "Turkish", "cy": "Welsh",
}


def language_name(code: str | None) -> str:
    """"Spanish" for "es"; the code itself for a language without a name here, "unknown language" for none."""
    return NAMES.get(code or "", code or "unknown language")

# Codes pages and langdetect use for a language we call otherwise.
ALIASES = {"no": "nb", "nn": "nb", "iw": "he", "in": "id", "ji": "yi"}
_TAG_RE = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]{1,8})*$")


def primary_subtag(tag: str | None) -> str | None:
    """The lower-cased primary subtag of a language tag as a page declares it: ``"el-GR"`` -> ``"el"``,
    ``"fil"`` -> ``"fil"``; garbage -> None."""
    if not tag or not isinstance(tag, str):
        return None
    match = _TAG_RE.match(tag.strip().lower())
    return match.group(1) if match else None


def normalize_language_tag(tag: str | None) -> str | None:
    """A tag as one of our two-letter codes: ``"el-GR"`` -> ``"el"``, ``"EN"`` -> ``"en"``, ``"no"`` -> ``"nb"``;
    garbage -> None."""
    code = primary_subtag(tag)
    if code is None:
        return None
    code = ALIASES.get(code, code)
    return code if len(code) == 2 else None
