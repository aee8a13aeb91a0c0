"""What a fetched body is: text in which charset, binary data, or a PDF. Plain functions of the bytes and
the declared type, used by the crawl's main process (to refuse what cannot be read) and by the extraction
workers (to decode what can)."""

from __future__ import annotations

import re

import charset_normalizer

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([a-zA-Z0-9_\-:.]+)["']""")
PDF_TYPES = frozenset({"application/pdf", "application/x-pdf", "application/acrobat"})


def is_pdf(body: bytes, content_type: str | None) -> bool:
    """Whether a response is a PDF: by its type, or by the ``%PDF-`` magic that readers accept in the first
    1 KB (servers often send PDFs as application/octet-stream)."""
    ctype = (content_type or "").split(";")[0].strip().lower()
    return ctype in PDF_TYPES or b"%PDF-" in body[:1024]


_MAGIC = (
    (b"\x89PNG", "PNG image"), (b"\xff\xd8\xff", "JPEG image"), (b"GIF8", "GIF image"), (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip data"), (b"BZh", "bzip2 data"), (b"7z\xbc\xaf", "7-Zip archive"), (b"Rar!", "RAR archive"),
    (b"\xd0\xcf\x11\xe0", "MS Office document"), (b"\x00\x00\x00 ftyp", "MP4 video"), (b"ID3", "MP3 audio"),
    (b"OggS", "Ogg media"), (b"\x7fELF", "executable"), (b"RIFF", "RIFF media"),
    (b"wOFF", "web font"), (b"wOF2", "web font"), (b"%!PS", "PostScript"),
)


def binary_kind(body: bytes) -> str | None:
    """What a body is when it is not text at all (an image, archive or executable, whatever its declared
    type), or None. Text in UTF-16 (a BOM) is text; NUL bytes in the first kilobyte otherwise mean binary."""
    for magic, kind in _MAGIC:
        if body.startswith(magic):
            return kind
    head = body[:1024]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    return "binary data" if b"\x00" in head else None


# Declared charsets whose text can also be valid UTF-8 (7-bit or NUL-bearing): the declaration must win.
_NOT_ASCII_COMPATIBLE = re.compile(r"^(utf-?16|utf-?32|ucs-?2|ucs-?4|utf-?7|iso-?2022|hz)", re.IGNORECASE)


def decode_body(body: bytes, content_type: str | None) -> str:
    """Decode a page: a BOM, else valid UTF-8, else the HTTP or <meta> (or <?xml?>) charset, else detection; never fails.

    Valid UTF-8 with non-ASCII bytes is read as UTF-8 whatever an 8-bit label says (legacy-encoded text is
    practically never valid UTF-8, and "charset=iso-8859-1" on a UTF-8 page is a common server default);
    UTF-8 with a few stray invalid bytes stays UTF-8, those bytes replaced.
    """
    bom = _bom_charset(body)
    if bom:
        try:
            return body.decode(bom)
        except UnicodeDecodeError:
            pass  # bytes that only look like a BOM
    declared = [c for c in (_header_charset(content_type), _meta_charset(body)) if c]
    if not any(_NOT_ASCII_COMPATIBLE.match(c) for c in declared):
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            pass
    for candidate in declared:
        try:
            return body.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue  # a wrong declaration: fall through to detection
    if _mostly_utf8(body):
        return body.decode("utf-8", errors="replace")
    return body.decode(_detect_charset(body[:200_000]), errors="replace")


def _mostly_utf8(body: bytes) -> bool:
    """UTF-8 with stray invalid bytes: twice as many valid non-ASCII characters as invalid sequences (text in
    a legacy 8-bit charset has next to no valid UTF-8 sequences)."""
    text = body[:200_000].decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore")) - bad
    return non_ascii >= 2 * bad


def _detect_charset(sample: bytes) -> str:
    """The most plausible legacy charset. Among equally good guesses windows-1252 wins: it is what browsers
    assume for unlabelled Western pages, and the detector otherwise picks e.g. cp1250 for French at random."""
    matches = list(charset_normalizer.from_bytes(sample))
    if not matches:
        return "cp1252"
    best = matches[0]
    tied = {m.encoding for m in matches if m.chaos <= best.chaos + 0.01}
    return "cp1252" if "cp1252" in tied else best.encoding


def _header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = re.search(r"charset\s*=\s*[\"']?([^\s;\"']+)", content_type, re.IGNORECASE)
    return match.group(1) if match else None


def _bom_charset(body: bytes) -> str | None:
    if body.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return None


def _meta_charset(body: bytes) -> str | None:
    """The charset a <meta> tag, or an XML declaration (feeds, sitemaps, XHTML), gives."""
    match = _XML_ENCODING.match(body) or _META_CHARSET.search(body[:8192])
    return match.group(1).decode("ascii") if match else None
