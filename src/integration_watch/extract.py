"""Main-text and metadata extraction for one fetched page.

``extract_page(html, url)`` is called once for every crawled page, in worker processes, so it
parses as little as it can: one fast selectolax (lexbor) parse for the page facts (links, ``<html
lang>``, canonical URL, ``<title>``/``<h1>``, anchor texts) and the metadata (title, description,
site name, author, date), and trafilatura for the main text only. Then it removes the page furniture trafilatura lets through (cookie notices, share
lines, "Related ..." lists, skip links, machine-translation banners, repeated paragraphs) and decides
whether the page is an article at all. Pages that are not articles (listing, error, block, cookie-policy
pages, near-empty extractions) come back with ``is_article=False`` and a short stable ``reason``, but
still with their links, title and language, so discovery can use listing pages.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from html import unescape as html_unescape
from urllib.parse import urldefrag, urljoin, urlsplit

from htmldate import find_date
from selectolax.lexbor import LexborHTMLParser
from trafilatura import bare_extraction
from trafilatura.json_metadata import (
    extract_json,
    extract_json_parse_error,
    normalize_authors,
    normalize_json,
)
from trafilatura.settings import Document, set_date_params
from trafilatura.utils import load_html

from .language import primary_subtag

__all__ = ["Extraction", "extract_page", "clean_text", "REASONS"]

# trafilatura logs a warning for every page it discards; the caller records the reason instead.
logging.getLogger("trafilatura").setLevel(logging.ERROR)
logging.getLogger("htmldate").setLevel(logging.ERROR)

#: The reasons a page is not an article, as returned in ``Extraction.reason``.
REASONS = (
    "empty",  # no HTML, or nothing extractable
    "not_html",  # PDF, JSON, feed, sitemap or plain text handed over as a page
    "too_short",  # main text shorter than ``min_chars``
    "listing",  # section/tag/search page: teaser links rather than own text
    "error_page",  # "Page not found", "404", "Seite nicht gefunden" ... served with any status
    "block_page",  # access denied, captcha, JavaScript/Cloudflare challenge
    "cookie_page",  # cookie policy or consent wall
    "extraction_failed",  # the extractor raised; the page is kept for a later re-extract
)


@dataclass(frozen=True)
class Extraction:
    is_article: bool
    reason: str | None
    title: str | None
    text: str
    published: str | None
    author: str | None
    description: str | None
    sitename: str | None
    canonical_url: str | None
    page_lang: str | None
    links: tuple[str, ...]


# trafilatura options. Measured on the Zyte benchmark (bench/bench_extraction.py): dropping comments
# and keeping the fallback comparison is the best precision/recall balance (the comparison is only
# run when a fast pass is not clearly good: see ``_main_text``); its own cross-document
# ``deduplicate`` cache is off on purpose (it would drop text seen on an earlier page of the crawl and
# makes re-extraction non-deterministic): repeated paragraphs are removed per page below. Metadata
# are not asked of trafilatura: they come from the selectolax parse (see ``_page_metadata``).
TRAFILATURA_OPTIONS: dict = {
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "include_links": False,
    "include_formatting": False,
    "deduplicate": False,
    "with_metadata": False,
    "fast": False,
    "favor_precision": True,
}

# --------------------------------------------------------------------------------------------
# Page classification patterns. Each is matched against a short *segment* of the <title> or an
# <h1> (the title split on " | ", " - ", " – " ...), never against the body, so an article that
# merely mentions "error" or "access denied" in a sentence is not affected.

def _alt(*phrases: str) -> str:
    return "(?:" + "|".join(phrases) + ")"


_ERROR_PHRASES = _alt(
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
_ERROR_RE = re.compile(
    r"(?:(?:error|fehler|erreur|errore|404|oops!?|sorry,?|ups!?|whoops!?)[\s:!,.-]*)*"
    + _ERROR_PHRASES
    + r"[\s!.:…-]*(?:\(?(?:error\s*)?404\)?)?[\s!.…]*",
    re.IGNORECASE,
)

_BLOCK_PHRASES = _alt(
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
_BLOCK_RE = re.compile(r"(?:cloudflare\s*[:-]?\s*)?" + _BLOCK_PHRASES + r"(?:\s*[|:-]?\s*cloudflare)?[\s!.…]*", re.I)

_COOKIE_PAGE_RE = re.compile(
    r"(?:our\s+|the\s+|about\s+|use\s+of\s+|how\s+we\s+use\s+)?"
    + _alt(
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
_BLOCK_MARKERS_RE = re.compile(
    r"cf-browser-verification|challenge-platform|cf_chl_|__cf_chl|g-recaptcha|h-captcha|hcaptcha\.com|"
    r"recaptcha/api|enable javascript and cookies to continue|please enable javascript|"
    r"checking your browser|ddos protection by|access denied|you have been blocked|"
    r"captcha-delivery|perimeterx|px-captcha",
    re.IGNORECASE,
)
_ERROR_MARKERS_RE = re.compile(
    r"\b404\b|page not found|not found|nicht gefunden|non trovata|no encontrada|introuvable|"
    r"hittades inte|δεν βρέθηκε|nie znaleziono|niet gevonden",
    re.IGNORECASE,
)

_TITLE_SPLIT_RE = re.compile(r"\s+[|\-–—·•»:]\s+|\s*[|»•·]\s*")


def _matches(pattern: re.Pattern, texts: Sequence[str | None]) -> bool:
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


# --------------------------------------------------------------------------------------------
# Furniture: lines of the extracted text that are page chrome, not article. Every rule matches a
# whole line (after list markers are stripped) or needs two independent signals, to keep real
# article sentences.

_LIST_MARKER_RE = re.compile(r"^(?:[-*•·▪►>]+|\d{1,3}[.)])\s*")

_SKIP_LINK_RE = re.compile(
    _alt(
        r"skip\s+(?:to\s+)?(?:the\s+)?(?:main\s+)?(?:content|navigation|menu|search|footer)",
        r"skip\s+navigation|jump\s+to\s+(?:main\s+)?content|go\s+to\s+(?:main\s+)?content",
        r"back\s+to\s+top|to\s+top|top\s+of\s+page",
        r"vai\s+al(?:la)?\s+(?:contenuto|navigazione|menu)(?:\s+(?:della\s+pagina|principale))?|torna\s+(?:su|all'inizio)",
        r"(?:direkt\s+)?zum\s+(?:haupt)?inhalt(?:\s+springen)?|zur\s+navigation(?:\s+springen)?|nach\s+oben",
        r"aller\s+au\s+(?:contenu|menu)(?:\s+principal)?|passer\s+au\s+contenu(?:\s+principal)?|retour\s+en\s+haut",
        r"(?:saltar|ir)\s+al\s+contenido(?:\s+principal)?|volver\s+arriba",
        r"(?:saltar|ir)\s+para\s+o\s+conte[úu]do(?:\s+principal)?",
        r"hoppa\s+(?:direkt\s+)?till\s+(?:huvud)?inneh[åa]ll(?:et)?|till\s+toppen",
        r"(?:μετάβαση|μεταβείτε|πηγαίνετε)\s+(?:στο|στην)\s+(?:κύριο\s+)?(?:περιεχόμενο|πλοήγηση)",
        r"przejdź\s+do\s+(?:głównej\s+)?(?:treści|zawartości|nawigacji)",
        r"(?:ga\s+)?naar\s+(?:de\s+)?(?:hoofd)?inhoud|direct\s+naar\s+(?:de\s+)?inhoud",
    )
    + r"[\s.:»›>]*",
    re.IGNORECASE,
)

_MT_BANNER_RE = re.compile(
    _alt(
        r"(?:automatic|machine)\s+translation",
        r"αυτόματη\s+μετάφραση",
        r"traduzione\s+automatica",
        r"maschinelle\s+übersetzung|automatische\s+übersetzung",
        r"traduction\s+automatique",
        r"traducci[óo]n\s+autom[áa]tica",
        r"tradu[çc][ãa]o\s+autom[áa]tica",
        r"maskinöversättning|automatisk\s+översättning",
        r"tłumaczenie\s+maszynowe|tłumaczenie\s+automatyczne",
        r"automatische\s+vertaling|machinevertaling",
    )
    + r"[\s.:]*",
    re.IGNORECASE,
)
_MT_CLICK_RE = re.compile(
    r"(?:click|press|tap|πατήστε|κάντε\s+κλικ|clicca|klicken\s+sie|cliquez|haga\s+clic|pulse|clique|klicka|kliknij|klik)"
    r".{0,60}(?:translation|μετάφραση|traduzione|übersetzung|traduction|traducci[óo]n|tradu[çc][ãa]o|översättning|tłumaczeni|vertaling)",
    re.IGNORECASE,
)

_SHARE_WORDS = {
    # verbs and labels
    "share", "shares", "sharing", "this", "article", "page", "post", "story", "on", "via", "with", "su",
    "condividi", "condividere", "teilen", "partager", "partagez", "compartir", "compartilhar",
    "partilhar", "dela", "del", "udostępnij", "delen", "κοινοποίηση", "κοινοποιήστε", "μοιραστείτε",
    "tweet", "tweeten", "print", "stampa", "drucken", "imprimer", "imprimir", "skriv", "ut",
    "εκτύπωση", "drukuj", "afdrukken", "email", "e-mail", "mail", "send", "invia", "senden",
    "envoyer", "enviar", "skicka", "copy", "link", "copia", "copier", "kopiera", "kopieren", "lien",
    "enlace", "länk", "follow", "us", "segui", "seguici", "folgen", "suivez", "nous", "síguenos",
    "följ", "oss", "ακολουθήστε", "μας", "tipsa", "om", "artikeln", "friend", "a", "to",
    # networks
    "facebook", "twitter", "x", "linkedin", "whatsapp", "telegram", "pinterest", "reddit", "xing",
    "tumblr", "messenger", "bluesky", "mastodon", "threads", "instagram", "youtube", "flipboard",
    "pocket", "viber", "vk", "rss",
}
_SHARE_CORE = {
    "share", "condividi", "teilen", "partager", "partagez", "compartir", "compartilhar", "partilhar",
    "dela", "udostępnij", "delen", "κοινοποίηση", "κοινοποιήστε", "μοιραστείτε", "tweet",
    "facebook", "twitter", "linkedin", "whatsapp", "telegram", "pinterest", "reddit", "xing",
    "print", "stampa", "drucken", "imprimer", "imprimir", "εκτύπωση", "drukuj", "afdrukken", "tipsa",
}
_WORD_RE = re.compile(r"[\w'’-]+", re.UNICODE)

_RELATED_HEAD_RE = re.compile(
    _alt(
        r"related(?:\s+(?:events?|articles?|news|stories|content|links?|posts?|pages?|topics?|information|documents?|items?))?",
        r"see\s+also|read\s+(?:also|more|next)|more\s+(?:news|stories|on\s+this\s+topic|from\s+\w+)|"
        r"you\s+(?:may|might)\s+(?:also\s+)?(?:like|be\s+interested\s+in)|recommended(?:\s+for\s+you)?|"
        r"latest\s+news|most\s+(?:read|popular)|further\s+reading",
        r"σχετικές\s+(?:πληροφορίες|εκδηλώσεις|ειδήσεις)|σχετικά\s+(?:άρθρα|θέματα)|διαβάστε\s+επίσης",
        r"articoli\s+correlati|notizie\s+correlate|contenuti\s+correlati|leggi\s+anche|potrebbe\s+interessarti|"
        r"ti\s+potrebbe\s+interessare|approfondimenti|vedi\s+anche",
        r"(?:ähnliche|verwandte|weitere)\s+(?:artikel|beiträge|nachrichten|themen)|mehr\s+zum\s+thema|"
        r"das\s+könnte\s+sie\s+(?:auch\s+)?interessieren|lesen\s+sie\s+auch",
        r"(?:à\s+)?lire\s+aussi|sur\s+le\s+même\s+sujet|articles?\s+(?:liés|similaires|connexes)|voir\s+aussi",
        r"art[íi]culos?\s+relacionados?|noticias\s+relacionadas|te\s+puede\s+interesar|lee\s+tambi[ée]n|"
        r"ver\s+tambi[ée]n|leia\s+tamb[ée]m|not[íi]cias\s+relacionadas",
        r"relaterat|relaterade\s+(?:artiklar|nyheter|länkar)|läs\s+(?:också|även|mer)|mer\s+om\s+ämnet",
        r"powiązane(?:\s+artykuły)?|czytaj\s+(?:także|też|również)|zobacz\s+(?:też|także|również)",
        r"gerelateerde?\s+(?:artikelen|berichten|nieuws)|lees\s+ook|zie\s+ook",
    )
    + r"[\s:.…]*",
    re.IGNORECASE,
)

_BARE_URL_RE = re.compile(r"(?:\d{1,3}\s*[.)]\s*)?(?:https?://|www\.)\S+", re.IGNORECASE)

# Aggregator/site footers seen on the sources (Swedish press aggregator, CoR pages, ...).
_FOOTER_LINE_RE = re.compile(
    _alt(
        r"sponsrad\s+av\b.{0,80}",
        r"sponsored\s+by\b.{0,80}",
        r"gesponsert\s+von\b.{0,80}",
        r"sponsorizzato\s+da\b.{0,80}",
        r"pressklipp\s+saknas",
        r"källor\s*:.*",
        r"bevakning\s*:.*",
        r"sammanställning\s*:.{0,80}",
    ),
    re.IGNORECASE,
)
_EXTERNAL_LINK_MARK_RE = re.compile(
    r"\((?:extern(?:a)?\s+länk(?:ar)?|external\s+link|link\s+esterno|externer\s+link|lien\s+externe|enlace\s+externo)"
    r"(?:\s+till\s+[\w-]+|\s+to\s+[\w-]+)?\)\s*$",
    re.IGNORECASE,
)

_COOKIE_WORD_RE = re.compile(
    r"\bcookies?\b|\bkakor(?:na)?\b|\bciasteczk\w*|\bcookie-\w+|\bcookiebanner\b", re.IGNORECASE
)
# A cookie word alone is not enough (articles report on tracking cookies): the line must also read
# like a banner, addressing the visitor about this site's use of cookies.
_CONSENT_RE = re.compile(
    _alt(
        # English
        r"\b(?:we|this\s+(?:web)?site|our\s+(?:web)?site|the\s+(?:web)?site)\s+(?:\w+\s+)?(?:use|uses|is\s+using|utili[sz]es|places?|stores?)\b",
        r"\byou\s+(?:are\s+)?(?:consent(?:ing)?|agree(?:ing)?|accept(?:ing)?)\b", r"\byour\s+(?:consent|cookie|browser|device|preferences)\b",
        r"\b(?:by|if\s+you)\s+continu(?:e|ing)\s+(?:to\s+)?(?:use|brows)", r"\bbrowsing\s+experience\b",
        r"\bcookie\s+(?:settings|preferences|policy|notice|statement)\b", r"\b(?:accept|allow|reject|manage)\s+(?:all\s+)?cookies\b",
        r"\bclick(?:ing)?\s+(?:on\s+)?[\"'“]?(?:accept|ok|agree|allow)", r"\bmore\s+information\b.{0,20}$",
        # German
        r"\b(?:diese|unsere)\s+(?:web)?(?:seite|site|website)\s+(?:verwendet|nutzt|benutzt)", r"\bwir\s+(?:verwenden|nutzen|setzen)\b",
        r"\b(?:stimmen|willigen)\s+sie\b", r"\bakzeptieren\b", r"\bsind\s+sie\s+(?:damit\s+)?einverstanden\b",
        # Italian
        r"\bquesto\s+sito\s+(?:web\s+)?(?:utilizza|usa|fa\s+uso)", r"\butilizziamo\b", r"\bacconsent\w*", r"\baccett\w*",
        r"\b(?:proseguendo|continuando)\s+(?:la\s+|a\s+)?navig", r"\bprivacy\s+policy\b|\bcookie\s+policy\b",
        # French
        r"\bce\s+site\s+(?:web\s+)?utilise\b", r"\bnous\s+utilisons\b", r"\bvous\s+(?:acceptez|consentez)\b", r"\ben\s+poursuivant\b",
        # Spanish, Portuguese
        r"\beste\s+sitio\s+(?:web\s+)?(?:utiliza|usa)\b", r"\butilizamos\b", r"\bacepta\w*", r"\bsi\s+contin[úu]a\s+navegando\b",
        r"\beste\s+site\s+(?:utiliza|usa)\b", r"\baceita\w*",
        # Swedish
        r"\b(?:denna|vår)\s+(?:webbplats|sajt|sida)\s+använder\b", r"\bvi\s+använder\b", r"\bgodkänn\w*", r"\bgenom\s+att\s+fortsätta\b",
        # Greek
        r"χρησιμοποιούμε", r"(?:ο\s+)?ιστότοπος\s+(?:μας\s+)?χρησιμοποιεί", r"αποδοχή", r"αποδέχεστε|αποδέχομαι", r"συμφωνείτε|συναινείτε",
        # Polish, Dutch
        r"\b(?:ta|nasza)\s+strona\s+(?:internetowa\s+)?(?:używa|wykorzystuje|stosuje)\b", r"\bużywamy\b", r"\bakceptuj\w*",
        r"\bdeze\s+(?:web)?site\s+gebruikt\b", r"\bwij\s+gebruiken\b|\bwe\s+gebruiken\b", r"\baccepteer\w*", r"\bga\s+je\s+akkoord\b",
    ),
    re.IGNORECASE,
)
_CONSENT_BUTTON_RE = re.compile(
    _alt(
        r"(?:i\s+)?(?:accept|agree|understand)(?:\s+all)?(?:\s+cookies)?",
        r"accept\s+(?:all|and\s+close|&\s+close)", r"reject(?:\s+all)?(?:\s+cookies)?", r"(?:ok|okay)(?:,?\s+(?:i\s+agree|got\s+it))?",
        r"got\s+it!?", r"allow\s+(?:all\s+)?(?:cookies)?", r"deny|decline", r"more\s+info(?:rmation)?",
        r"manage\s+(?:cookies|preferences|options|settings)", r"cookie\s+settings", r"customi[sz]e",
        r"αποδοχή(?:\s+όλων)?", r"απόρριψη(?:\s+όλων)?", r"accett[ao](?:\s+tutti)?", r"rifiut[ao](?:\s+tutti)?",
        r"alle\s+akzeptieren|akzeptieren|ablehnen|einverstanden", r"tout\s+accepter|accepter|refuser|j'accepte",
        r"aceptar(?:\s+todas?)?|rechazar", r"godkänn(?:\s+alla)?(?:\s+kakor)?|jag\s+förstår|neka",
        r"akceptuję|zgadzam\s+się|accepteren|akkoord",
    )
    + r"[\s.!]*",
    re.IGNORECASE,
)


def _norm(line: str) -> str:
    return " ".join(line.split()).casefold()


def _strip_marker(line: str) -> str:
    return _LIST_MARKER_RE.sub("", line, count=1).strip()


def _is_cookie_line(line: str) -> bool:
    if len(line) > 900 or not _COOKIE_WORD_RE.search(line):
        return False
    return bool(_CONSENT_RE.search(line))


def _is_share_line(core: str) -> bool:
    if len(core) > 80:
        return False
    words = [w.strip("'’-").casefold() for w in _WORD_RE.findall(core)]
    words = [w for w in words if w]
    if not words:
        # only punctuation/icons left, e.g. "Κοινοποίηση :" minus the word
        return False
    return all(w in _SHARE_WORDS for w in words) and any(w in _SHARE_CORE for w in words)


def _is_bare_url(core: str) -> bool:
    if not _BARE_URL_RE.fullmatch(core):
        return False
    # the CoR "related" lists print numbered upper-case URLs; a lower-case URL alone on a line may
    # be part of the article ("More at www.example.org" split by markup), so only numbered or
    # upper-case URL lines are dropped.
    return core[:1].isdigit() or core == core.upper()


def _is_lone_furniture(line: str) -> bool:
    core = _strip_marker(line)
    if not core:
        return True
    if len(core) <= 120 and (
        _SKIP_LINK_RE.fullmatch(core) or _MT_BANNER_RE.fullmatch(core) or _CONSENT_BUTTON_RE.fullmatch(core)
    ):
        return True
    if len(core) <= 250 and _MT_CLICK_RE.search(core):
        return True
    if _is_share_line(core) or _is_bare_url(core):
        return True
    if _FOOTER_LINE_RE.fullmatch(core) or _EXTERNAL_LINK_MARK_RE.search(core):
        return True
    return _is_cookie_line(core)


def _is_listy(line: str) -> bool:
    """A short line that reads like an entry of a link list rather than prose."""
    core = _strip_marker(line)
    return len(core) < 200 and not (len(core) >= 100 and core.endswith((".", "!", "?", "»", '"', "”")))


#: Repeated paragraphs: only a paragraph repeating the one kept just before it is dropped (a banner
#: rendered twice, a caption doubled by a slideshow). Dropping every later repeat cost recall on the
#: Zyte set: interviews that ask each guest the same question, meal plans, quoted tweets.
DEDUP_ANYWHERE = False


def clean_text(text: str) -> str:
    """Remove furniture lines from a trafilatura text; keep the first of exact repeats."""
    return "\n".join(_clean_lines(text)[0])


def _clean_lines(text: str) -> tuple[list[str], int]:
    """The kept lines, and how many characters of cookie/consent notice were removed."""
    lines = [ln.strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    kept: list[str] = []
    seen: set[str] = set()
    cookie_chars = 0
    last_key = ""
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        core = _strip_marker(line)
        if len(core) <= 80 and _RELATED_HEAD_RE.fullmatch(core):
            # a "Related ..." heading: drop it and the link-list entries that follow it
            i += 1
            while i < n and (_is_listy(lines[i]) or _is_lone_furniture(lines[i])) and not _RELATED_HEAD_RE.fullmatch(
                _strip_marker(lines[i])
            ):
                i += 1
            continue
        i += 1
        if _is_lone_furniture(line):
            if _is_cookie_line(core):
                cookie_chars += len(core)
            continue
        key = _norm(line)
        if len(key) >= 12:
            if key in seen and (DEDUP_ANYWHERE or key == last_key):
                continue
            seen.add(key)
        last_key = key
        kept.append(line)
    return kept, cookie_chars


# --------------------------------------------------------------------------------------------
# Page facts from one selectolax parse.

def _origin(base: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) base URL, or None."""
    try:
        parts = urlsplit(base)
    except ValueError:
        return None
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


#: what makes urljoin do more than concatenate: dot segments, backslashes, IPv6 brackets, and the
#: tab/newline characters urlsplit deletes
_JOIN_SPECIAL_RE = re.compile(r"/\.|[\\\[\t\r\n]")


def _abs_url(href: str | None, base: str, origin: str | None = None) -> str | None:
    """``href`` resolved against ``base``, without fragment; None unless it is http(s).

    Most links on a news page are absolute or root-relative ("/news/x"): with ``origin`` (that is
    ``_origin(base)``, computed once per page) those are resolved by concatenation, which gives
    what urljoin gives at a fraction of its cost. Everything else goes through urljoin."""
    if not href:
        return None
    href = href.strip()
    if not href or href[0] == "#" or href.startswith(("javascript:", "mailto:", "tel:", "data:")):
        return None
    try:
        if _JOIN_SPECIAL_RE.search(href):
            absolute = urljoin(base, href) if base else href
        elif href.startswith(("https://", "http://")):
            absolute = href  # already absolute: urljoin would return it unchanged
        elif origin and href[0] == "/":
            # "//host/path" takes the base's scheme, "/path" its scheme and host
            absolute = origin.split("//", 1)[0] + href if href[1:2] == "/" else origin + href
        else:
            absolute = urljoin(base, href) if base else href
        if "#" in absolute:
            absolute = urldefrag(absolute)[0]
    except ValueError:  # e.g. a malformed IPv6 host
        return None
    if not absolute[:8].lower().startswith(("http://", "https://")):
        return None
    return absolute


@dataclass
class _PageFacts:
    lang: str | None
    canonical: str | None
    links: tuple[str, ...]
    anchor_texts: set[str]
    title_tag: str | None
    h1: list[str]
    og_type: str | None
    meta_datetimes: list[str]
    #: attributes of the page's <meta content> tags, in document order (for the metadata)
    meta_tags: list[dict[str, str | None]]
    #: texts of the JSON-LD scripts
    json_ld: list[str]
    tree: LexborHTMLParser


_META_DATE_KEYS = {
    "article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate",
    "publish-date", "publication_date", "date", "dc.date", "dc.date.issued", "dcterms.issued",
    "dcterms.created", "sailthru.date", "parsely-pub-date", "cxenseparse:recs:publishtime",
}

_JSON_LD_SELECTOR = 'script[type="application/ld+json"], script[type="application/settings+json"]'


def _page_facts(html: str, url: str) -> _PageFacts:
    tree = LexborHTMLParser(html)
    root = tree.root
    lang = None
    if root is not None:
        attrs = root.attributes
        lang = primary_subtag(attrs.get("lang") or attrs.get("xml:lang"))

    base = url or ""
    base_node = tree.css_first("base[href]")
    if base_node is not None:
        declared = (base_node.attributes.get("href") or "").strip()
        if declared:
            try:
                base = urljoin(base, declared) if base else declared
            except ValueError:
                pass
    origin = _origin(base)

    canonical = None
    og_url = None
    og_type = None
    meta_datetimes: list[str] = []
    meta_tags: list[dict[str, str | None]] = []
    # Head elements after a stray body element (a <div>, a <noscript> with an image, text) end up in
    # the <body> of an HTML5 parse, where lxml, which trafilatura used to read them, keeps them in the
    # <head>. So <link> and <meta name|property> are read wherever they are; only microdata
    # (<meta itemprop>) is body content when it is in the body.
    for node in tree.css("link[rel][href]"):
        rels = (node.attributes.get("rel") or "").lower().split()
        if "canonical" in rels:
            canonical = _abs_url(node.attributes.get("href"), base, origin)
            if canonical:
                break
    head = tree.head
    in_head = {node.mem_id for node in head.css("meta[itemprop]")} if head is not None else set()
    for node in tree.css("meta[content]"):
        attrs = node.attributes
        if "name" not in attrs and "property" not in attrs and node.mem_id not in in_head:
            continue
        meta_tags.append(attrs)
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").lower()
        if not key:
            continue
        if key == "og:url" and og_url is None:
            og_url = _abs_url(attrs.get("content"), base, origin)
        elif key == "og:type" and og_type is None:
            og_type = (attrs.get("content") or "").strip().lower() or None
        elif key in _META_DATE_KEYS:
            meta_datetimes.append((attrs.get("content") or "").strip())
    for node in tree.css("[itemprop=datePublished]"):
        value = node.attributes.get("datetime") or node.attributes.get("content")
        if value:
            meta_datetimes.append(value.strip())

    links: list[str] = []
    seen: set[str] = set()
    anchor_texts: set[str] = set()
    for node in tree.css("a[href]"):
        absolute = _abs_url(node.attributes.get("href"), base, origin)
        if absolute and absolute not in seen:
            seen.add(absolute)
            links.append(absolute)
        label = node.text(deep=True, separator=" ", strip=True)
        if len(label) >= 12:
            anchor_texts.add(_norm(label))

    title_node = tree.css_first("title")
    title_tag = " ".join(title_node.text().split()) if title_node is not None else None
    h1 = [" ".join(node.text(deep=True, separator=" ").split()) for node in tree.css("h1")[:3]]
    return _PageFacts(
        lang=lang,
        canonical=canonical or og_url,
        links=tuple(links),
        anchor_texts=anchor_texts,
        title_tag=title_tag or None,
        h1=[h for h in h1 if h],
        og_type=og_type,
        meta_datetimes=meta_datetimes,
        meta_tags=meta_tags,
        json_ld=[text for node in tree.css(_JSON_LD_SELECTOR) if (text := node.text())],
        tree=tree,
    )


# --------------------------------------------------------------------------------------------
# Metadata from the same selectolax parse.
#
# trafilatura's own metadata pass (``with_metadata=True``) cost about 5 ms a page, a third of the
# text extraction, mostly in its author-byline search (on a deep copy of the lxml tree) and in
# category, tag and licence searches whose results this project does not keep. The functions below
# follow trafilatura 2.3's metadata.py for the fields we keep (title, description, site name,
# author), in the same order of sources, so they come out as before; JSON-LD goes through
# trafilatura's own JSON-LD reader. The date follows htmldate (trafilatura's date library): a
# declared ISO date is read directly, and htmldate runs only on pages without one.

_OG_FIELDS = {"og:title": "title", "og:description": "description", "og:site_name": "sitename"}
_OG_AUTHOR = {"og:author", "og:article:author"}
_META_AUTHOR = {
    "article:author", "atc-metaauthor", "author", "authors", "byl", "citation_author", "creator",
    "dc.creator", "dc.creator.aut", "dc:creator", "dcterms.creator", "dcterms.creator.aut",
    "dcsext.author", "parsely-author", "rbauthors", "sailthru.author", "shareaholic:article_author_name",
}
_META_DESCRIPTION = {
    "dc.description", "dc:description", "dcterms.abstract", "dcterms.description", "description",
    "sailthru.description", "twitter:description",
}
_META_PUBLISHER = {
    "article:publisher", "citation_journal_title", "copyright", "dc.publisher", "dc:publisher",
    "dcterms.publisher", "publisher", "sailthru.publisher", "rbpubname", "twitter:site",
}
_META_TITLE = {
    "citation_title", "dc.title", "dcterms.title", "fb_title", "headline", "parsely-title",
    "sailthru.title", "shareaholic:title", "rbtitle", "title", "twitter:title",
}
_HTML_TAG_RE = re.compile(r"<!--.*?-->|<[^>]*>")
_JSON_MINIFY_RE = re.compile(r'("(?:\\.|[^"\\])*")|\s')


def _tidy(value: str | None) -> str | None:
    """Entities decoded, whitespace collapsed, control characters dropped (trafilatura's clean-up)."""
    if not value:
        return None
    value = html_unescape(value)
    if not value.isprintable():
        value = "".join(ch for ch in value if ch.isprintable() or ch.isspace())
    return " ".join(value.split()) or None


def _declared_metadata(facts: _PageFacts) -> Document:
    """Title, description, site name and author from <meta> tags and JSON-LD (trafilatura's
    ``examine_meta`` and ``extract_meta_json``)."""
    doc = Document()
    # OpenGraph first; the last tag of a kind wins
    for attrs in facts.meta_tags:
        prop, content = attrs.get("property"), attrs.get("content")
        if not prop or not prop.startswith("og:") or not content or content.isspace():
            continue
        if prop in _OG_FIELDS:
            setattr(doc, _OG_FIELDS[prop], content)
        elif prop in _OG_AUTHOR:
            doc.author = normalize_authors(None, content)
    # then the other names; the first tag of a kind wins, authors accumulate
    backup_sitename = None
    for attrs in facts.meta_tags:
        content = _HTML_TAG_RE.sub("", attrs.get("content") or "").strip()
        if not content:
            continue
        if "property" in attrs:
            prop = (attrs.get("property") or "").lower()
            if prop in ("author", "article:author"):
                doc.author = normalize_authors(doc.author, content)
            elif prop == "article:publisher":
                doc.sitename = doc.sitename or content
        elif "name" in attrs:
            name = (attrs.get("name") or "").lower()
            if name in _META_AUTHOR:
                doc.author = normalize_authors(doc.author, content)
            elif name in _META_TITLE:
                doc.title = doc.title or content
            elif name in _META_DESCRIPTION:
                doc.description = doc.description or content
            elif name in _META_PUBLISHER:
                doc.sitename = doc.sitename or content
            elif name in ("twitter:site", "application-name") or "twitter:app:name" in name:
                backup_sitename = content
        elif "itemprop" in attrs:
            prop = (attrs.get("itemprop") or "").lower()
            if prop == "author":
                doc.author = normalize_authors(doc.author, content)
            elif prop == "description":
                doc.description = doc.description or content
            elif prop == "headline":
                doc.title = doc.title or content
    doc.sitename = doc.sitename or backup_sitename
    if doc.author and " " not in doc.author:
        doc.author = None  # a single word is a user name or a site, not an author
    for text in facts.json_ld:
        try:
            schema_text = normalize_json(_JSON_MINIFY_RE.sub(r"\1", text))
            try:
                doc = extract_json(json.loads(schema_text, strict=False), doc)
            except json.JSONDecodeError:
                doc = extract_json_parse_error(schema_text, doc)
        except Exception:  # malformed JSON-LD of any shape: keep what the meta tags gave
            continue
    return doc


_BLOCK_TAGS_SELECTOR = "br, div, p, li, ul, ol, section, article, header, table, tr, td, h2, h3, h4, h5, h6"
_TITLE_CLASS_RE = re.compile(r"(?:post-|entry-|article-|post__)title|headline")
_TITLE_SPLIT_SITE_RE = re.compile(r"^(.+)?\s+[–•·—|⁄*⋆~‹«<›»>:-]\s+(.+)$")


def _block_text(node) -> str:
    """A heading's text: inline markup joined as written, block boundaries (<br>, <div>) spaced."""
    separator = " " if node.css_first(_BLOCK_TAGS_SELECTOR) is not None else ""
    return " ".join(node.text(deep=True, separator=separator).split())


def _title_parts(title_tag: str | None) -> tuple[str | None, str | None]:
    """"Headline - Site" split at its last separator, as trafilatura does."""
    match = _TITLE_SPLIT_SITE_RE.match(title_tag or "")
    return (match[1], match[2]) if match else (None, None)


def _heading_title(facts: _PageFacts) -> str | None:
    """The title from the page itself when no metadata declares one (trafilatura's ``extract_title``):
    the only <h1>, a heading marked as the title, the <title> without its site part, the first <h1>,
    the first <h2>."""
    tree = facts.tree
    h1s = tree.css("h1")
    if len(h1s) == 1 and (text := _block_text(h1s[0])):
        return text

    def first_fitting(nodes) -> str | None:
        for node in nodes:
            text = " ".join(node.text(deep=True, separator=" ").split())
            if 2 < len(text) < 200:
                return text
        return None

    def marked(node) -> bool:
        attrs = node.attributes
        return bool(
            _TITLE_CLASS_RE.search(attrs.get("class") or "")
            or "headline" in (attrs.get("id") or "")
            or "headline" in (attrs.get("itemprop") or "")
        )

    candidate = (
        first_fitting(n for n in tree.css("h1, h2") if marked(n))
        or first_fitting(tree.css('[class="entry-title"], [class="post-title"]'))
        or first_fitting(
            n for n in tree.css("h1, h2, h3")
            if "title" in (n.attributes.get("class") or "") or "title" in (n.attributes.get("id") or "")
        )
    )
    if candidate:
        return candidate
    for part in (*_title_parts(facts.title_tag), facts.title_tag):
        if part and "." not in part:
            return part
    for node in h1s:
        if text := _block_text(node):
            return text
    h2 = tree.css_first("h2")
    return (_block_text(h2) or None) if h2 is not None else None


_SITE_FROM_URL_RE = re.compile(r"https?://(?:www\.|w[0-9]+\.)?([^/]+)")


def _page_metadata(facts: _PageFacts, url: str) -> Document:
    """The page's title, description, site name and author (no date: see ``_page_date``)."""
    doc = _declared_metadata(facts)
    doc.title = doc.title or _heading_title(facts)
    if not doc.sitename:
        # "Headline | example.org": a title part that looks like a domain
        doc.sitename = next((part for part in _title_parts(facts.title_tag) if part and "." in part), None)
    if doc.sitename:
        doc.sitename = doc.sitename.lstrip("@")
        if doc.sitename and "." not in doc.sitename and not doc.sitename[0].isupper():
            doc.sitename = doc.sitename.title()
    elif match := _SITE_FROM_URL_RE.match(facts.canonical or url or ""):
        doc.sitename = match[1]
    for field in ("title", "description", "sitename", "author"):
        setattr(doc, field, _tidy(getattr(doc, field)))
    return doc


# A byline in the page text, for pages that declare no author: trafilatura's AUTHOR_XPATHS (three
# tiers, most specific first) outside the sections its AUTHOR_DISCARD_XPATHS prunes, as one CSS
# query and a few attribute tests instead of a copy of the whole lxml tree.
_BYLINE_SELECTOR = ", ".join(
    [
        "author", "[rel=author]", "[itemprop*=author]", "[data-testid=AuthorCard]", "[data-testid=AuthorURL]",
        "[data-component*=Byline]", "[class=byl]", "[class=BBL]",
        *(f"[id*={word}]" for word in ("author", "Author", "zuozhe", "bianji", "xiaobian")),
        *(
            f"[class*={word}]"
            for word in (
                "author", "Author", "byline", "Byline", "username", "screenname", "writer", "channel-name",
                "submitted-by", "posted-by", "journalist-name", "zuozhe", "bianji", "xiaobian",
            )
        ),
    ]
)
_BYLINE_TIER1_TAGS = frozenset({"a", "address", "div", "link", "p", "span", "strong"})
_BYLINE_TIER1_CLASS_RE = re.compile(r"author-?name|AuthorName|authorName")
_BYLINE_TIER2_TAGS = frozenset({"a", "div", "h3", "h4", "p", "span"})
_BYLINE_TIER2_ID_RE = re.compile(r"author|zuozhe|bianji|xiaobian")
_BYLINE_TIER2_CLASS_RE = re.compile(r"author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name")
_BYLINE_TIER3_ID_RE = re.compile(r"[Aa]uthor")
_BYLINE_TIER3_CLASS_RE = re.compile(r"[Aa]uthor|screenname|writer|[Bb]yline")
_BYLINE_DISCARD_ID_RE = re.compile(r"^comments|comment-?list|ProductReviews")
_BYLINE_DISCARD_CLASS_RE = re.compile(
    r"^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram|article-(?:share|support)|"
    r"print|category|meta-date|meta-reviewer"
)


def _byline_tier(node) -> int | None:
    """1 for an element marked as the author, 2 for a byline-like class or id, 3 for anything
    mentioning an author or writer; None when it is none of these."""
    attrs = node.attributes
    tag, cls, id_, itemprop = node.tag, attrs.get("class") or "", attrs.get("id") or "", attrs.get("itemprop") or ""
    if tag == "author" or (
        tag in _BYLINE_TIER1_TAGS
        and (
            attrs.get("rel") == "author" or id_ == "author" or cls == "author" or itemprop == "author name"
            or attrs.get("data-testid") in ("AuthorCard", "AuthorURL") or _BYLINE_TIER1_CLASS_RE.search(cls)
        )
    ):
        return 1
    if tag in _BYLINE_TIER2_TAGS and (
        cls in ("byline", "username", "byl", "BBL") or "author" in itemprop
        or _BYLINE_TIER2_ID_RE.search(id_) or _BYLINE_TIER2_CLASS_RE.search(cls)
    ):
        return 2
    if (
        "Byline" in (attrs.get("data-component") or "") or "author" in itemprop
        or _BYLINE_TIER3_ID_RE.search(id_) or _BYLINE_TIER3_CLASS_RE.search(cls)
    ):
        return 3
    return None


def _in_discarded_section(node) -> bool:
    """Whether the node is or sits in a comment list, sidebar, share bar, date, figure ..."""
    while node is not None and node.tag not in ("body", "html"):
        if node.tag in ("time", "figure"):
            return True
        if node.tag in ("a", "div", "section", "span"):
            attrs = node.attributes
            cls, id_ = attrs.get("class") or "", attrs.get("id") or ""
            if (
                id_ == "comments" or cls in ("comments", "title", "date")
                or _BYLINE_DISCARD_ID_RE.search(id_) or _BYLINE_DISCARD_CLASS_RE.search(cls)
                or "Figure" in (attrs.get("data-component") or "")
            ):
                return True
        node = node.parent
    return False


def _byline_author(tree: LexborHTMLParser) -> str | None:
    """The author named in a byline element of the page, normalised as trafilatura does."""
    candidates = [
        (tier, node)
        for node in tree.css(_BYLINE_SELECTOR)
        if (tier := _byline_tier(node)) is not None and not _in_discarded_section(node)
    ]
    for wanted in (1, 2, 3):
        for tier, node in candidates:
            if tier != wanted:
                continue
            if node.css_first("time, figure") is not None:  # dates and captions are not names
                node = node.clone()
                for part in node.css("time, figure"):
                    part.decompose()
            text = " ".join(node.text(deep=True, separator=" ").split())
            if 2 < len(text) < 120:
                return normalize_authors(None, text)
    return None


# htmldate's order for a publication date: a full date in the URL, then the first publication-date
# <meta> tag, then JSON-LD "datePublished"; only then the page text. ``_META_PUBLISHED_KEYS`` are the
# common publication-date names of htmldate's list (a page that uses a rare one goes to htmldate).
_URL_DATE_RE = re.compile(r"\D((?:199[0-9]|20[0-3][0-9]))[/_-]([0-1]?[0-9])[/_-]([0-3]?[0-9])(?:\D|$)")
_ISO_DATE_RE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})(?![\d])")
_JSON_PUBLISHED_RE = re.compile(r'"datePublished": ?"(\d{4}-\d{2}-\d{2})', re.IGNORECASE)
_META_PUBLISHED_KEYS = _META_DATE_KEYS | {
    "article:published", "article.published", "article:published_date", "article_date_original",
    "citation_date", "citation_publication_date", "date_published", "datecreated", "dc.date.created",
    "dc.date.publication", "dc.created", "dc:created", "dc:date", "dcterms.date", "og:article:published_time",
    "publish_date", "published_date", "published_time", "publisheddate", "originalpublicationdate",
}
_EARLIEST_DATE = date(1995, 1, 1)  # htmldate's lower bound


def _valid_date(year: str, month: str, day: str) -> str | None:
    try:
        value = date(int(year), int(month), int(day))
    except ValueError:
        return None
    return value.isoformat() if _EARLIEST_DATE <= value <= date.today() else None


def _declared_date(facts: _PageFacts, url: str) -> str | None:
    """The publication date the page declares in machine-readable form, as htmldate's first steps
    would read it; None when it declares none, or when its first declared date is not ISO 8601
    ("November 19, 2019"), which is left to htmldate's parsers. Unlike htmldate, a last-modified
    date is never taken for the publication date."""
    page_url = facts.canonical or url
    if page_url and (m := _URL_DATE_RE.search(page_url)) and (found := _valid_date(m[1], m[2], m[3])):
        return found
    for attrs in facts.meta_tags:
        key = (attrs.get("name") or attrs.get("property") or "").lower()
        if key in _META_PUBLISHED_KEYS or (attrs.get("itemprop") or "").lower() in ("datepublished", "datecreated"):
            m = _ISO_DATE_RE.match(attrs.get("content") or "")
            return _valid_date(m[1], m[2], m[3]) if m else None
    for text in facts.json_ld:
        if (m := _JSON_PUBLISHED_RE.search(text)) and (found := _valid_date(*m[1].split("-"))):
            return found
    return None


def _page_date(html: str, facts: _PageFacts, url: str) -> str | None:
    """The publication date (YYYY-MM-DD): declared in the page, else found by htmldate in the page
    (with trafilatura's settings: extensive search, original rather than updated date)."""
    if found := _declared_date(facts, url):
        return found
    try:
        # on an lxml tree, as trafilatura calls it: htmldate searches a string input differently
        tree = load_html(html)
        return find_date(tree, url=facts.canonical or url or None, **set_date_params(True)) if tree is not None else None
    except Exception:  # htmldate on a page it cannot parse: no date rather than no article
        return None


def _page_link_density(tree: LexborHTMLParser) -> float:
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


# --------------------------------------------------------------------------------------------

_NOT_HTML_RE = re.compile(r"<\s*(?:!doctype|html|head|body|div|p|title|meta|a|span|article|section|main|table|br)\b", re.I)
_FEED_ROOT_RE = re.compile(r"<\s*(?:rss|feed|urlset|sitemapindex|rdf:RDF)\b", re.I)
_HTML_ROOT_RE = re.compile(r"<\s*(?:html|!doctype\s+html)\b", re.I)


def _looks_not_html(html: str) -> bool:
    head = html[:4096].lstrip("\ufeff \t\r\n")
    if head.startswith("%PDF") or head.startswith(("{", "[")):
        return True
    if _FEED_ROOT_RE.search(head[:2048]) and not _HTML_ROOT_RE.search(head[:2048]):
        return True
    return _NOT_HTML_RE.search(html[:65536]) is None


_TITLE_SEP_RE = re.compile(r"\s+[|\-–—·•»:]+\s+|\s*[|•]\s*")


def _squash(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _clean_title(title: str | None, h1s: list[str], sitename: str | None, url: str) -> str | None:
    """The headline without the site-name decoration ("Headline | Section | Site")."""
    if not title:
        return h1s[0] if h1s else None
    title = " ".join(title.split())
    folded = title.casefold()
    for h1 in h1s:
        h = h1.casefold()
        if len(h1) >= 8 and h != folded and (folded.startswith(h) or folded.endswith(h)) and len(h1) >= 0.3 * len(title):
            if not sitename or _squash(h1) != _squash(sitename):
                return h1
    parts = [p for p in _TITLE_SEP_RE.split(title) if p.strip()]
    if len(parts) < 2:
        return title
    try:
        host = (urlsplit(url).hostname or "") if url else ""
    except ValueError:
        host = ""
    labels = host.removeprefix("www.").split(".")
    site_keys = {_squash(sitename or ""), _squash(host.removeprefix("www.")), *(_squash(x) for x in labels[:-1])}
    site_keys = {k for k in site_keys if len(k) >= 3}

    def is_site(part: str) -> bool:
        key = _squash(part)
        if not key:
            return False
        for k in site_keys:
            short, long_ = sorted((key, k), key=len)
            if key == k or (len(short) >= 4 and short in long_ and len(short) >= 0.7 * len(long_)):
                return True
        return False

    while len(parts) >= 2 and is_site(parts[-1]):
        parts.pop()
    while len(parts) >= 2 and is_site(parts[0]):
        parts.pop(0)
    if len(parts) == len(_TITLE_SEP_RE.split(title)):
        return title
    # keep the original separators inside what is left
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    return title[start:end].strip() if start >= 0 and end > start else parts[0]


def _published(doc_date: str | None, meta_datetimes: list[str]) -> str | None:
    """htmldate's date; the full ISO datetime when the page declares one for that same day."""
    if not doc_date:
        return None
    for value in meta_datetimes:
        if len(value) > 10 and value[:10] == doc_date and "T" in value[10:12]:
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
            except ValueError:
                continue
    return doc_date


def _listing_evidence(lines: list[str], anchor_texts: set[str]) -> tuple[int, float, float]:
    """How much of the extracted text is link labels: (linked lines, share of lines, share of chars)."""
    if not lines or not anchor_texts:
        return 0, 0.0, 0.0
    linked_lines = 0
    linked_chars = 0
    total_chars = 0
    for line in lines:
        core = _norm(_strip_marker(line))
        total_chars += len(core)
        if len(core) >= 12 and core in anchor_texts:
            linked_lines += 1
            linked_chars += len(core)
    return linked_lines, linked_lines / len(lines), (linked_chars / total_chars if total_chars else 0.0)


_INLINE_TAGS = frozenset(
    {"h1", "h2", "h3", "h4", "h5", "h6", "span", "strong", "em", "b", "i", "p", "small", "time", "header", "figcaption", "a"}
)


def _url_key(u: str | None) -> str:
    return (u or "").split("#", 1)[0].split("?", 1)[0].rstrip("/").lower()


def _teaser_evidence(lines: list[str], facts: _PageFacts, url: str) -> tuple[int, float]:
    """How much of the extracted text sits in teaser blocks: small blocks (list item, card, summary)
    that carry a linked headline to *another* page. Returns (teaser blocks the text comes from,
    share of the text's characters in them)."""
    own = {_url_key(url), _url_key(facts.canonical)}
    origin = _origin(url)
    blocks: dict[int, str] = {}
    for anchor in facts.tree.css("a[href]"):
        label = anchor.text(deep=True, separator=" ", strip=True)
        if len(label) < 15 or _url_key(_abs_url(anchor.attributes.get("href"), url, origin)) in own:
            continue
        node = anchor.parent
        while node is not None and node.tag in _INLINE_TAGS:
            node = node.parent
        if node is None or node.mem_id in blocks or node.tag in ("body", "html", "main"):
            continue
        text = _norm(node.text(deep=True, separator=" "))
        blocks[node.mem_id] = text if len(text) <= 800 else ""
        if len(blocks) >= 300:
            break
    blocks = {k: v for k, v in blocks.items() if v}
    if len(blocks) < 3:
        return 0, 0.0
    hit: set[int] = set()
    teaser_chars = total_chars = 0
    for line in lines:
        core = _norm(_strip_marker(line))
        total_chars += len(core)
        if len(core) < 15:
            continue
        for key, text in blocks.items():
            if core in text:
                hit.add(key)
                teaser_chars += len(core)
                break
    return len(hit), (teaser_chars / total_chars if total_chars else 0.0)


def _is_listing(lines: list[str], facts: _PageFacts, url: str) -> bool:
    """A section/tag/search page: its text is link labels, or teaser blocks pointing elsewhere."""
    articleish = bool(facts.og_type and "article" in facts.og_type)
    n_linked, line_share, char_share = _listing_evidence(lines, facts.anchor_texts)
    if n_linked >= 5:
        if articleish and char_share >= 0.6:
            return True
        if not articleish and (char_share >= 0.4 or (n_linked >= 8 and line_share >= 0.3 and char_share >= 0.2)):
            return True
    # teasers: only worth a look when no paragraph reads like article prose
    if len(lines) < 3 or max(len(line) for line in lines) >= 500:
        return False
    n_blocks, teaser_share = _teaser_evidence(lines, facts, url)
    return n_blocks >= 3 and teaser_share >= (0.75 if articleish else 0.6)


#: texts at least this long are articles whatever a single heading says
LONG_TEXT = 1500

#: block/challenge pages say little: a heading hit only counts below this many characters
BLOCK_TEXT = 600

#: precision-mode extractions shorter than this many times ``min_chars`` are retried in balanced mode
RETRY_BELOW = 2.5

#: a fast-mode extraction at least this long (and clean, and made of paragraphs) is kept as it is
CLEAR_TEXT = 1000


def _not_article(reason: str, facts: _PageFacts | None = None, doc: Document | None = None) -> Extraction:
    return Extraction(
        is_article=False,
        reason=reason,
        title=(getattr(doc, "title", None) or (facts.title_tag if facts else None)) or None,
        text="",
        published=None,
        author=None,
        description=getattr(doc, "description", None) or None,
        sitename=getattr(doc, "sitename", None) or None,
        canonical_url=facts.canonical if facts else None,
        page_lang=facts.lang if facts else None,
        links=facts.links if facts else (),
    )


def extract_page(html: str, url: str, *, min_chars: int = 200) -> Extraction:
    """Extract the main text and metadata of one page, or say why it is not an article.

    Never raises on page content: a page that breaks the parser or the extractor comes back as
    ``reason="extraction_failed"`` (the worker goes on; the page can be re-extracted later)."""
    if not html or not html.strip():
        return _not_article("empty")
    if _looks_not_html(html):
        return _not_article("not_html")
    facts = None
    try:
        facts = _page_facts(html, url)
        return _classify(html, url, min_chars, facts)
    except Exception:
        logging.getLogger(__name__).exception("extraction failed: %s", url)
        return _not_article("extraction_failed", facts)


def _trafilatura(html: str, url: str, **overrides: bool) -> Document | None:
    """trafilatura's extraction with ``TRAFILATURA_OPTIONS`` (and ``overrides``), or None."""
    doc = bare_extraction(html, url=url or None, **{**TRAFILATURA_OPTIONS, **overrides})
    return doc if isinstance(doc, Document) else None


# what makes trafilatura's fallback comparison consult justext on an extraction (external.py)
_UNCLEAN_XPATH = (
    ".//aside|.//audio|.//button|.//fencedframe|.//fieldset|.//figure|.//footer|.//iframe|.//input|.//label|"
    ".//link|.//nav|.//noindex|.//noscript|.//object|.//option|.//select|.//source|.//svg|.//time"
)


def _clearly_extracted(doc: Document | None) -> bool:
    """Whether trafilatura's fallback comparison (readability, then justext) could only confirm this
    fast-mode extraction: it is long, made of paragraphs rather than tables, and has none of the
    elements that make trafilatura call justext. Readability would then replace it only if it found
    more than twice as much text."""
    if doc is None or doc.body is None or len(doc.text or "") < CLEAR_TEXT:
        return False
    body = doc.body
    paragraphs = body.findall(".//p")
    return bool(paragraphs) and len(body.findall(".//table")) <= len(paragraphs) and not body.xpath(_UNCLEAN_XPATH)


def _main_text(html: str, url: str, min_chars: int) -> tuple[list[str], int]:
    """trafilatura's main text, furniture removed: (kept lines, characters of cookie notice removed).

    A fast pass first: trafilatura's fallback comparison (readability and justext) costs 40 % of an
    extraction, and on the Zyte and trafilatura evaluation sets it changed only 2 of the 365 fast texts
    that ``_clearly_extracted`` accepts (both pages pass their checks either way). Other pages get
    the full cascade."""
    doc = _trafilatura(html, url, fast=True)
    if not _clearly_extracted(doc):
        doc = _trafilatura(html, url)
    lines, cookie_chars = _clean_lines((doc.text or "") if doc is not None else "")
    if len("\n".join(lines)) < RETRY_BELOW * max(min_chars, 100) and TRAFILATURA_OPTIONS.get("favor_precision"):
        # precision mode sometimes keeps a single paragraph of a real article: retry once in
        # trafilatura's balanced mode (which itself escalates to recall) and keep the longer text
        retry = _trafilatura(html, url, favor_precision=False)
        retry_lines, retry_cookie = _clean_lines((retry.text or "") if retry is not None else "")
        if len("\n".join(retry_lines)) > len("\n".join(lines)):
            lines, cookie_chars = retry_lines, retry_cookie
    return lines, cookie_chars


def _classify(html: str, url: str, min_chars: int, facts: _PageFacts) -> Extraction:
    heads = [facts.title_tag, *facts.h1]
    lines, cookie_chars = _main_text(html, url, min_chars)
    text = "\n".join(lines)
    doc = _page_metadata(facts, url)
    title = doc.title or facts.title_tag or (facts.h1[0] if facts.h1 else None)

    # Pages whose <title> or main heading says what they are. Conservative: a long text overrides a
    # single heading hit (a story headlined "Access denied" is still a story), and a cookie heading
    # only counts in the <title> (consent dialogs on article pages carry their own <h1>).
    long_text = len(text) >= LONG_TEXT
    title_hit = _matches(_ERROR_RE, [facts.title_tag])
    h1_hit = _matches(_ERROR_RE, facts.h1)
    if (title_hit or h1_hit) and (not long_text or (title_hit and h1_hit)):
        return _not_article("error_page", facts, doc)
    if _matches(_BLOCK_RE, heads) and len(text) < BLOCK_TEXT:
        return _not_article("block_page", facts, doc)
    articleish = bool(facts.og_type and "article" in facts.og_type)
    if _matches(_COOKIE_PAGE_RE, [facts.title_tag]) and not (long_text and articleish):
        return _not_article("cookie_page", facts, doc)
    if _matches(_COOKIE_PAGE_RE, facts.h1) and len(text) < min(LONG_TEXT, 3 * max(min_chars, 100)):
        return _not_article("cookie_page", facts, doc)

    if len(text) < min_chars:
        # label the short page by what it shows, when it shows something recognisable
        if cookie_chars > len(text):
            return _not_article("cookie_page", facts, doc)
        if _BLOCK_MARKERS_RE.search(html[:200_000]) and len(text) < 600:
            return _not_article("block_page", facts, doc)
        if text and _ERROR_MARKERS_RE.search(text):
            return _not_article("error_page", facts, doc)
        if not text:
            if _page_link_density(facts.tree) >= 0.5 and len(facts.links) >= 30:
                return _not_article("listing", facts, doc)
            return _not_article("empty", facts, doc)
        if len(facts.links) >= 30 and _page_link_density(facts.tree) >= 0.5:
            return _not_article("listing", facts, doc)
        return _not_article("too_short", facts, doc)

    if _is_listing(lines, facts, url):
        return _not_article("listing", facts, doc)

    return Extraction(
        is_article=True,
        reason=None,
        title=_clean_title(title, facts.h1, doc.sitename, url) or None,
        text=text,
        published=_published(_page_date(html, facts, url), facts.meta_datetimes),
        author=doc.author or _tidy(_byline_author(facts.tree)),
        description=doc.description,
        sitename=doc.sitename,
        canonical_url=facts.canonical,
        page_lang=facts.lang,
        links=facts.links,
    )
