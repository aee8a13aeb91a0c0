"""What kind of page this is: error, block/challenge, cookie-policy and listing pages, and HTML at all.

The heading patterns are each matched against a short *segment* of the <title> or an <h1> (the title
split on " | ", " - ", " – " ...), never against the body, so an article that merely mentions "error" or
"access denied" in a sentence is not affected.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate

from selectolax.lexbor import LexborHTMLParser

from .cleanup import alternatives, norm, strip_marker, text_size
from .facts import PageFacts, abs_url, url_origin

_ERROR_PHRASES = alternatives(
    r"(?:page|file|document|resource|content|article|url|site)\s+(?:was\s+)?not\s+found",
    r"not\s+found",
    r"(?:this|the)\s+page\s+(?:can(?:no|')?t|could\s+not|does\s*n[o']t|doesn't|no\s+longer)\s*(?:be\s+found|exists?|available)",
    r"(?:page|file)\s+(?:does\s+not|doesn't)\s+exist",
    r"oops!?(?:\s+that\s+page\s+can[’']t\s+be\s+found\.?)?",
    r"(?:error|fehler|erreur|errore|error|erro|fel|σφάλμα|błąd|fout|virhe)\s*(?:40[0-9]|410|50[0-9])",
    r"(?:40[34]|410|50[0-3])(?:\s*(?:error|fehler|erreur|errore))?",
    r"(?:http\s+)?40[34]\s*[-:]?\s*(?:not\s+found|forbidden|page\s+not\s+found)",
    r"seite\s+(?:wurde\s+)?nicht\s+gefunden",
    r"pagina\s+non\s+(?:trovata|esistente|disponibile)",
    r"p[áa]gina\s+no\s+(?:encontrada|existe|disponible)",
    r"p[áa]gina\s+n[ãa]o\s+encontrada",
    r"page\s+(?:introuvable|non\s+trouv[ée]e|inexistante)",
    r"sidan\s+(?:hittades\s+inte|kunde\s+inte\s+hittas|finns\s+inte)",
    r"(?:η\s+)?σελίδα\s+δεν\s+(?:βρέθηκε|υπάρχει)",
    r"(?:strona|nie\s+znaleziono\s+strony|strony\s+nie\s+znaleziono)(?:\s+nie\s+(?:istnieje|została\s+znaleziona))?",
    r"pagina\s+niet\s+gevonden",
    r"siden\s+(?:blev\s+ikke\s+fundet|findes\s+ikke|ble\s+ikke\s+funnet)",
    r"sivua\s+ei\s+löytynyt",
    r"stránka\s+nenalezena|stránka\s+nebyla\s+nalezena",
    r"pagina\s+nu\s+a\s+fost\s+găsită",
    r"az\s+oldal\s+nem\s+található",
    r"stran\s+ni\s+bila\s+najdena",
    r"lehte\s+ei\s+leitud",
    r"lapa\s+nav\s+atrasta",
    r"puslapis\s+nerastas",
    r"страницата\s+не\s+е\s+намерена",
    r"stranica\s+nije\s+pronađena",
)
ERROR_RE = re.compile(
    r"(?:(?:error|fehler|erreur|errore|404|oops!?|sorry,?|ups!?|whoops!?)[\s:!,.-]*)*"
    + _ERROR_PHRASES
    + r"[\s!.:…-]*(?:\(?(?:error\s*)?404\)?)?[\s!.…]*",
    re.IGNORECASE,
)

_BLOCK_PHRASES = alternatives(
    r"access\s+(?:denied|forbidden|blocked)",
    r"403\s*[-:]?\s*forbidden",
    r"forbidden",
    r"attention\s+required!?",
    r"just\s+a\s+moment\.*",
    r"one\s+more\s+step",
    r"please\s+wait\.*",
    r"checking\s+(?:your|if\s+the\s+site\s+connection\s+is)\s+(?:browser|secure)\.*",
    r"security\s+(?:check|verification)",
    r"(?:are\s+you\s+(?:a\s+)?(?:robot|human)\??)",
    r"verify(?:ing)?\s+(?:that\s+)?you\s+are\s+(?:a\s+)?human\.*",
    r"human\s+verification",
    r"robot\s+check",
    r"captcha(?:\s+(?:check|challenge|required))?",
    r"ddos[- ]guard|ddos\s+protection(?:\s+by\s+\w+)?",
    r"request\s+(?:blocked|rejected|unsuccessful)",
    r"you\s+have\s+been\s+blocked",
    r"pardon\s+our\s+interruption\.*",
    r"(?:please\s+)?enable\s+(?:javascript|js|cookies)(?:\s+and\s+cookies)?(?:\s+to\s+continue)?\.*",
    r"javascript\s+(?:is\s+)?(?:required|disabled)",
    r"zugriff\s+verweigert",
    r"accesso\s+negato",
    r"acc[eè]s\s+(?:refus[ée]|interdit)",
    r"acceso\s+denegado",
    r"åtkomst\s+nekad",
    r"άρνηση\s+πρόσβασης",
    r"dostęp\s+zabroniony",
)
BLOCK_RE = re.compile(r"(?:cloudflare\s*[:-]?\s*)?" + _BLOCK_PHRASES + r"(?:\s*[|:-]?\s*cloudflare)?[\s!.…]*", re.I)

COOKIE_PAGE_RE = re.compile(
    r"(?:our\s+|the\s+|about\s+|use\s+of\s+|how\s+we\s+use\s+)?"
    + alternatives(
        r"cookies?(?:\s+(?:policy|notice|statement|settings|preferences|declaration|information|consent|banner|page))?",
        r"(?:privacy\s+(?:and|&)\s+)?cookies?\s+policy",
        r"privacy\s+(?:and|&)\s+cookies?(?:\s+policy)?",
        r"(?:manage\s+)?(?:your\s+)?(?:privacy|consent)\s+(?:choices|preferences|settings)",
        r"we\s+value\s+your\s+privacy",
        r"before\s+you\s+continue(?:\s+to\s+\w+)?",
        r"cookie[- ]?richtlinien?|cookie[- ]?hinweis|cookie[- ]?einstellungen|verwendung\s+von\s+cookies",
        r"datenschutz\s+und\s+cookies",
        r"(?:informativa|politica|uso)\s+(?:sui|sull'uso\s+dei|dei|cookie|estesa\s+sui)?\s*cookies?",
        r"politique\s+(?:de|relative\s+aux|d'utilisation\s+des)\s+cookies|gestion\s+des\s+cookies",
        r"pol[íi]tica\s+de\s+cookies|aviso\s+de\s+cookies|configuraci[óo]n\s+de\s+cookies",
        r"(?:om\s+)?kakor|(?:om\s+)?cookies\s+på\s+\w+|kakpolicy|cookiepolicy|cookie-policy",
        r"πολιτική\s+(?:για\s+τα\s+|χρήσης\s+)?cookies|ρυθμίσεις\s+cookies|χρήση\s+cookies",
        r"polityka\s+(?:plików\s+)?cookies?",
        r"cookiebeleid|cookieverklaring",
    )
    + r"[\s!.:…]*",
    re.IGNORECASE,
)

# Whole-page signals used only to *label* an extraction that is short anyway (never to reject a
# page that has enough text): a challenge script, a 404 marker.
BLOCK_MARKERS_RE = re.compile(
    r"cf-browser-verification|challenge-platform|cf_chl_|__cf_chl|g-recaptcha|h-captcha|hcaptcha\.com|"
    r"recaptcha/api|enable javascript and cookies to continue|please enable javascript|"
    r"checking your browser|ddos protection by|access denied|you have been blocked|"
    r"captcha-delivery|perimeterx|px-captcha",
    re.IGNORECASE,
)
ERROR_MARKERS_RE = re.compile(
    r"\b404\b|page not found|not found|nicht gefunden|non trovata|no encontrada|introuvable|"
    r"hittades inte|δεν βρέθηκε|nie znaleziono|niet gevonden",
    re.IGNORECASE,
)

_TITLE_SPLIT_RE = re.compile(r"\s+[|\-–—·•»:]\s+|\s*[|»•·]\s*")


def matches(pattern: re.Pattern, texts: Sequence[str | None]) -> bool:
    """Whether a <title>/<h1> *is* such a phrase: the whole text, or one part of "A | B | C" when the
    other parts are short decorations (a site name), so a headline like "Access denied – asylum
    seekers turned away" does not count."""
    for text in texts:
        if not text:
            continue
        text = " ".join(text.split())
        if len(text) <= 80 and pattern.fullmatch(text):
            return True
        parts = [p.strip() for p in _TITLE_SPLIT_RE.split(text) if p.strip()]
        if len(parts) < 2:
            continue
        for i, part in enumerate(parts):
            if len(part) <= 80 and pattern.fullmatch(part):
                others = parts[:i] + parts[i + 1 :]
                if all(len(o.split()) <= 6 or "cloudflare" in o.lower() for o in others):
                    return True
    return False


def page_link_density(tree: LexborHTMLParser) -> float:
    """Share of the visible body text that sits inside links."""
    body = tree.body
    if body is None:
        return 0.0
    body = body.clone() if hasattr(body, "clone") else body
    body.strip_tags(["script", "style", "noscript", "template", "svg"])
    total = len("".join(body.text(deep=True, separator=" ").split()))
    if not total:
        return 0.0
    linked = sum(len("".join(a.text(deep=True, separator=" ").split())) for a in body.css("a"))
    return min(1.0, linked / total)


_NOT_HTML_RE = re.compile(r"<\s*(?:!doctype|html|head|body|div|p|title|meta|a|span|article|section|main|table|br)\b", re.I)
_FEED_ROOT_RE = re.compile(r"<\s*(?:rss|feed|urlset|sitemapindex|rdf:RDF)\b", re.I)
_HTML_ROOT_RE = re.compile(r"<\s*(?:html|!doctype\s+html)\b", re.I)


def looks_not_html(html: str) -> bool:
    head = html[:4096].lstrip("\ufeff \t\r\n")
    if head.startswith("%PDF") or head.startswith(("{", "[")):
        return True
    if _FEED_ROOT_RE.search(head[:2048]) and not _HTML_ROOT_RE.search(head[:2048]):
        return True
    return _NOT_HTML_RE.search(html[:65536]) is None


def _listing_evidence(lines: list[str], anchor_texts: set[str]) -> tuple[int, float, float]:
    """How much of the extracted text is link labels: (linked lines, share of lines, share of chars)."""
    if not lines or not anchor_texts:
        return 0, 0.0, 0.0
    linked_lines = 0
    linked_chars = 0
    total_chars = 0
    for line in lines:
        core = norm(strip_marker(line))
        total_chars += len(core)
        if len(core) >= 12 and core in anchor_texts:
            linked_lines += 1
            linked_chars += len(core)
    return linked_lines, linked_lines / len(lines), (linked_chars / total_chars if total_chars else 0.0)


_INLINE_TAGS = frozenset(
    {"h1", "h2", "h3", "h4", "h5", "h6", "span", "strong", "em", "b", "i", "p", "small", "time", "header", "figcaption", "a"}
)


def _url_key(u: str | None) -> str:
    # The query stays: on sites such as index.php?id=… every page has the same path, and a listing's
    # teasers would all count as links to itself.
    path, _, query = (u or "").split("#", 1)[0].partition("?")
    return path.rstrip("/").lower() + (f"?{query.lower()}" if query else "")


def _teaser_evidence(lines: list[str], facts: PageFacts, url: str) -> tuple[int, float, list[bool]]:
    """How much of the extracted text sits in teaser blocks: small blocks (list item, card, summary)
    that carry a linked headline to *another* page. Returns (teaser blocks the text comes from,
    share of the text's characters in them, for each line whether it is in one)."""
    own = {_url_key(url), _url_key(facts.canonical)}
    origin = url_origin(url)
    blocks: dict[int, str] = {}
    for anchor in facts.tree.css("a[href]"):
        label = anchor.text(deep=True, separator=" ", strip=True)
        if len(label) < 15 or _url_key(abs_url(anchor.attributes.get("href"), url, origin)) in own:
            continue
        node = anchor.parent
        while node is not None and node.tag in _INLINE_TAGS:
            node = node.parent
        if node is None or node.mem_id in blocks or node.tag in ("body", "html", "main"):
            continue
        text = norm(node.text(deep=True, separator=" "))
        blocks[node.mem_id] = text if len(text) <= 800 else ""
        if len(blocks) >= 300:
            break
    blocks = {k: v for k, v in blocks.items() if v}
    in_teaser = [False] * len(lines)
    if len(blocks) < 3:
        return 0, 0.0, in_teaser
    # the blocks' texts in one string (a line is found in the first block that holds it, as if each block
    # were searched in turn, in one search instead of one per block)
    keys = list(blocks)
    joined = "\0".join(blocks.values())
    starts = list(accumulate((len(text) + 1 for text in blocks.values()), initial=0))
    hit: set[int] = set()
    teaser_chars = total_chars = 0
    for i, line in enumerate(lines):
        core = norm(strip_marker(line))
        total_chars += len(core)
        if len(core) < 15 or "\0" in core or (at := joined.find(core)) < 0:
            continue
        hit.add(keys[bisect_right(starts, at) - 1])
        teaser_chars += len(core)
        in_teaser[i] = True
    return len(hit), (teaser_chars / total_chars if total_chars else 0.0), in_teaser


#: an uninterrupted run of this many characters of text that is neither link labels nor teasers makes
#: a page an article, whatever link lists follow it ("most read", "latest news" boxes)
PROSE_RUN = 600


def _longest_prose_run(lines: list[str], elsewhere: list[bool]) -> int:
    """Characters of the longest run of consecutive lines not flagged in ``elsewhere``."""
    best = run = 0
    for line, flagged in zip(lines, elsewhere):
        run = 0 if flagged else run + len(line)
        best = max(best, run)
    return best


def is_listing(lines: list[str], facts: PageFacts, url: str) -> bool:
    """A section/tag/search page: its text is link labels, or teaser blocks pointing elsewhere, and no
    run of ``PROSE_RUN`` characters of its own prose (an article followed by link boxes is an article)."""
    articleish = bool(facts.og_type and "article" in facts.og_type)
    n_linked, line_share, char_share = _listing_evidence(lines, facts.anchor_texts)
    linked = [len(core := norm(strip_marker(line))) >= 12 and core in facts.anchor_texts for line in lines]
    if n_linked >= 5 and _longest_prose_run(lines, linked) < PROSE_RUN:
        if articleish and char_share >= 0.6:
            return True
        if not articleish and (char_share >= 0.4 or (n_linked >= 8 and line_share >= 0.3 and char_share >= 0.2)):
            return True
    # teasers: only worth a look when no paragraph reads like article prose
    if len(lines) < 3 or max(len(line) for line in lines) >= 500:
        return False
    n_blocks, teaser_share, in_teaser = _teaser_evidence(lines, facts, url)
    if _longest_prose_run(lines, [a or b for a, b in zip(linked, in_teaser)]) >= PROSE_RUN:
        return False
    return n_blocks >= 3 and teaser_share >= (0.75 if articleish else 0.6)


#: a brief: the page's headline (an <h1> of at least ``BRIEF_HEADLINE`` in ``text_size``) followed, after
#: at most ``BRIEF_SKIP`` short lines (a date, "print"), by at least ``BRIEF_LINES`` lines and ``BRIEF_MIN``
#: of text that are not link labels
BRIEF_HEADLINE = 30
BRIEF_SKIP = 3
BRIEF_SHORT = 40
BRIEF_LINES = 2
BRIEF_MIN = 300


def headline_brief(lines: list[str], facts: PageFacts) -> list[str] | None:
    """The lines of a short article (a news brief) in the text of a page that ``is_listing`` calls a
    listing: its headline and the lines that follow it up to the next link label. A brief of a few
    short paragraphs on a portal page full of menus and link boxes is too short for ``PROSE_RUN``, and
    precision mode, finding no paragraphs, took the whole page: the brief was lost with the page.
    None when no line is the page's headline followed by such text."""
    headlines = {norm(h) for h in facts.h1 if text_size(h) >= BRIEF_HEADLINE}
    labels = facts.anchor_texts

    def is_label(line: str) -> bool:
        return norm(strip_marker(line)) in labels

    for i, line in enumerate(lines):
        if norm(strip_marker(line)) not in headlines:
            continue
        start = i + 1
        while start < min(len(lines), i + 1 + BRIEF_SKIP) and text_size(lines[start]) < BRIEF_SHORT and not is_label(lines[start]):
            start += 1
        end = start
        while end < len(lines) and not is_label(lines[end]):
            end += 1
        body = lines[start:end]
        if len(body) >= BRIEF_LINES and sum(map(text_size, body)) >= BRIEF_MIN:
            return [line, *body]
    return None


#: texts at least this long are articles whatever a single heading says
LONG_TEXT = 1500

#: block/challenge pages say little: a heading hit only counts below this many characters
BLOCK_TEXT = 600


def not_article_reason(
    html: str, url: str, lines: list[str], cookie_chars: int, facts: PageFacts, min_chars: int
) -> str | None:
    """Why a page with this main text is not an article (one of ``REASONS``), or None if it is one."""
    text = "\n".join(lines)
    heads = [facts.title_tag, *facts.h1]
    # Pages whose <title> or main heading says what they are. Conservative: a long text overrides a
    # single heading hit (a story headlined "Access denied" is still a story), and a cookie heading
    # only counts in the <title> (consent dialogs on article pages carry their own <h1>).
    long_text = len(text) >= LONG_TEXT
    title_hit = matches(ERROR_RE, [facts.title_tag])
    h1_hit = matches(ERROR_RE, facts.h1)
    if (title_hit or h1_hit) and (not long_text or (title_hit and h1_hit)):
        return "error_page"
    if matches(BLOCK_RE, heads) and len(text) < BLOCK_TEXT:
        return "block_page"
    articleish = bool(facts.og_type and "article" in facts.og_type)
    if matches(COOKIE_PAGE_RE, [facts.title_tag]) and not (long_text and articleish):
        return "cookie_page"
    if matches(COOKIE_PAGE_RE, facts.h1) and len(text) < min(LONG_TEXT, 3 * max(min_chars, 100)):
        return "cookie_page"

    if len(text) < min_chars:
        # label the short page by what it shows, when it shows something recognisable
        if cookie_chars > len(text):
            return "cookie_page"
        if BLOCK_MARKERS_RE.search(html[:200_000]) and len(text) < 600:
            return "block_page"
        if text and ERROR_MARKERS_RE.search(text):
            return "error_page"
        if len(facts.links) >= 30 and page_link_density(facts.tree) >= 0.5:
            return "listing"
        return "too_short" if text else "empty"

    if is_listing(lines, facts, url):
        return "listing"
    return None
