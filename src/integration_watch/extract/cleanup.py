"""Furniture: lines of trafilatura's text that are page chrome, not article.

Every rule matches a whole line (after list markers are stripped) or needs two independent signals, to
keep real article sentences: skip links, machine-translation banners, share lines, "Related ..." headings
and the link lists under them, bare URL lines, sponsor and source footers, cookie notices and consent
buttons, and a paragraph repeating the one just before it.
"""

from __future__ import annotations

import re

__all__ = ["clean_text", "clean_lines", "comments_start", "norm", "squash", "strip_marker", "text_size", "alternatives"]


def alternatives(*phrases: str) -> str:
    """One regular-expression group matching any of ``phrases``."""
    return "(?:" + "|".join(phrases) + ")"


_LIST_MARKER_RE = re.compile(r"^(?:[-*•·▪►>]+|\d{1,3}[.)])\s*")

_SKIP_LINK_RE = re.compile(
    alternatives(
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
    alternatives(
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

#: every match of ``_MT_CLICK_RE`` holds one of these (casefolded): a line without any is not searched
_MT_WORDS = ("translation", "μετάφραση", "tradu", "übersetzung", "översättning", "tłumaczeni", "vertaling")

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
    alternatives(
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
        r"(?:смотрите|читайте|см\.)\s+также|по\s+теме|(?:похожие|другие|последние)\s+(?:новости|статьи|материалы)",
        r"(?:дивіться|читайте)\s+також|по\s+темі|(?:схожі|інші|останні)\s+(?:новини|статті|матеріали)",
        r"související\s+(?:články|zprávy)|(?:čtěte|přečtěte\s+si)\s+(?:také|též)|súvisiace\s+články|čítajte\s+(?:aj|tiež)",
        r"(?:povezani|srodni)\s+članci|vezane\s+vijesti|pročitajte\s+(?:još|i)",
    )
    + r"[\s:.…]*",
    re.IGNORECASE,
)

_BARE_URL_RE = re.compile(r"(?:\d{1,3}\s*[.)]\s*)?(?:https?://|www\.)\S+", re.IGNORECASE)

# Aggregator/site footers seen on the sources (Swedish press aggregator, CoR pages, ...).
_FOOTER_LINE_RE = re.compile(
    alternatives(
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
# Promotion lines inside an article: a pointer to another story ("Read more: ..."), the newsroom's
# call for tips, an advertisement label, a newsletter or social-media invitation. Whole lines only,
# and short (see ``_is_lone_furniture``): a sentence of the story that merely starts alike is longer.
_NETWORKS = r"(?:facebook|twitter|x|instagram|linkedin|youtube|tiktok|telegram|whatsapp|bluesky|mastodon|threads)"
_PROMO_LINE_RE = re.compile(
    alternatives(
        r"(?:read|see|watch|listen\s+to)\s+(?:more|also|next|the\s+full\s+(?:story|article))(?:\s*[:›»>|–—-].*)?",
        r"more\s*:.+|related\s*:.+|also\s+read\s*:.+|recommended\s*:.+",
        r"got\s+a\s+(?:story|tip|news\s+tip|question)\b.*|(?:do\s+you\s+)?have\s+a\s+(?:story|news\s+tip)\b.*",
        r"(?:story|article|text)\s+continues\s+(?:below|after).*|continue\s+reading\s+(?:below|the\s+main\s+story).*",
        r"(?:sign\s+up|subscribe)\s+(?:for|to)\s+(?:our|the)\b.{0,40}\bnewsletters?\b.*",
        r"(?:follow|like|join)\s+us\s+on\s+" + _NETWORKS + r"(?:\s*(?:,|&|and)\s*" + _NETWORKS + r")*",
        r"advertisement|advertising|sponsored\s+content|anzeige|werbung|publicité|publicidad|pubblicità|"
        r"reklama|annons|διαφήμιση|advertentie|реклама",
        r"(?:lesen\s+sie\s+(?:auch|mehr|hier)|mehr\s+dazu|weiterlesen)\s*:.*",
        r"(?:(?:à\s+)?lire\s+(?:aussi|également|la\s+suite)|voir\s+aussi)\s*:.*",
        r"(?:lee\s+(?:también|más)|leer\s+más|ver\s+también|leia\s+(?:também|mais))\s*:.*",
        r"(?:leggi\s+anche|vedi\s+anche|approfondisci)\s*:.*",
        r"(?:czytaj\s+(?:też|także|również|więcej)|zobacz\s+(?:też|także|również))\s*:.*",
        r"(?:läs\s+(?:också|även|mer)|les\s+(?:også|mer)|læs\s+(?:også|mere)|lue\s+myös|lees\s+(?:ook|meer))\s*:.*",
        r"(?:čtěte\s+(?:také|též)|čítajte\s+(?:aj|tiež)|citește\s+(?:și|mai\s+mult)|preberite\s+(?:tudi|še))\s*:.*",
        r"(?:διαβάστε\s+(?:επίσης|ακόμη|περισσότερα))\s*:.*",
    )
    + r"[\s.!?…]*",
    re.IGNORECASE,
)

# A site's notice that the story came from a news agency's feed unedited ("ZEIT ONLINE hat diese Meldung redaktionell
# nicht bearbeitet. Sie wurde automatisch von der dpa übernommen.", "... auto-generated from a syndicated feed."):
# printed beside the headline, precision mode's text took it for the lead.
_AGENCY_NOTICE_RE = re.compile(
    r"\bredaktionell\s+nicht\s+bearbeitet\b|\bauto-?generated\s+from\s+a\s+syndicated\s+feed\b",
    re.IGNORECASE,
)
#: every match of ``_AGENCY_NOTICE_RE`` holds one of these (casefolded)
_AGENCY_WORDS = ("redaktionell", "syndicated")
#: an agency notice's line is at most this long
AGENCY_NOTICE = 300

# The start of the readers' comments under an article: a heading ("Comments (11)", "Wasze komentarze",
# "Комментарии: 3") or the comment form's prompt ("Add comment", "Leave a comment"), alone on a line.
_COMMENTS_START_RE = re.compile(
    alternatives(
        r"(?:(?:your|latest|recent|readers?'?|selected|wasze|wybrane|najnowsze|ostatnie|ваши|последние|ihre|vos)\s+)?"
        r"(?:comments?|komentarz[ey]?|kommentare?|commentaires?|comentarios?|commenti|комментари[иейя]в?|σχόλια|reacties|reakcje)"
        r"\s*[:(]?\s*\d*\s*\)?",
        r"(?:what\s+do\s+you\s+think\s*\?\s*)?(?:add|post|leave|write)\s+(?:a\s+|your\s+)?comments?(?:\s+below)?|"
        r"dodaj\s+komentarz|добавить\s+комментарий|"
        r"kommentar\s+(?:schreiben|verfassen)|(?:ajouter|laisser)\s+un\s+commentaire|(?:deja|añadir)\s+(?:un\s+)?comentario",
        r"(?:blog\s+)?comments\s+powered\s+by\s+\w+",
    )
    + r"[\s.!:]*",
    re.IGNORECASE,
)
#: a comments heading ends the text only after this many characters of it (never the whole text)
COMMENTS_AFTER = 200

# The comment section's house rules, which open it on many sites: "Comments are moderated before they
# appear", "We reserve the right to delete comments", in the languages of our sources.
_MODERATION_RE = re.compile(
    r"\W*(?:(?:note|please\s+note|nb)\s*:\s*)?(?:"
    + alternatives(
        r"we\s+(?:are\s+)?(?:temporarily\s+)?(?:moderate|moderating|review|reviewing)\s+(?:all\s+)?comments",
        r"(?:all\s+|submitted\s+|your\s+|reader\s+)?comments?\s+(?:are|is|will\s+be|may\s+be)\s+"
        r"(?:subject\s+to\s+moderation|moderated|pre-?moderated|reviewed|checked)",
        r"(?:we|the\s+\w+)\s+reserves?\s+the\s+right\s+to\s+(?:delete|remove|edit)\s+(?:any\s+)?(?:comments?|posts?|messages?)",
        r"(?:alle\s+)?kommentare\s+werden\s+(?:vor\s+(?:der|ihrer)\s+(?:veröffentlichung|freischaltung)\s+)?(?:moderiert|geprüft)",
        r"(?:les\s+)?commentaires\s+(?:sont|seront)\s+(?:soumis\s+à\s+(?:une\s+)?modération|modérés)",
        r"(?:i\s+)?commenti\s+(?:sono|saranno|vengono)\s+moderati",
        r"(?:los\s+)?comentarios\s+(?:son|serán|están)\s+moderados",
        r"komentarze\s+(?:są\s+)?moderowane",
        r"(?:все\s+)?комментарии\s+(?:проходят\s+)?(?:пре)?модер\w*",
        r"администрация(?:\s+\w+)?\s+оставляет\s+за\s+собой\s+право\s+удалять",
    )
    + r")",
    re.IGNORECASE,
)
#: a house-rules line is at most this long (a rule, not a paragraph that mentions moderation)
MODERATION_LINE = 400

_EXTERNAL_LINK_MARK_RE = re.compile(
    r"\((?:extern(?:a)?\s+länk(?:ar)?|external\s+link|link\s+esterno|externer\s+link|lien\s+externe|enlace\s+externo)"
    r"(?:\s+till\s+[\w-]+|\s+to\s+[\w-]+)?\)\s*$",
    re.IGNORECASE,
)

_COOKIE_WORD_RE = re.compile(
    r"\bcookies?\b|\bkakor(?:na)?\b|\bciasteczk\w*|\bcookie-\w+|\bcookiebanner\b", re.IGNORECASE
)
#: every match of ``_COOKIE_WORD_RE`` holds one of these (casefolded)
_COOKIE_WORDS = ("cookie", "kakor", "ciasteczk")
# A cookie word alone is not enough (articles report on tracking cookies): the line must also read
# like a banner, addressing the visitor about this site's use of cookies.
_CONSENT_RE = re.compile(
    alternatives(
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
    alternatives(
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


# A placeholder for an embedded post, video or chart that the reader's privacy settings keep from loading
# (the two-click embeds of German sites above all): its label alone on a line, or a line that names the
# external content, the reader's consent or settings, and addresses the reader. Not the article's own
# sentences about consent or platforms: they do not address the reader.
_EMBED_LABEL_RE = re.compile(
    alternatives(
        r"(?:externer|eingebetteter|empfohlener(?:\s+externer)?)\s+inhalt(?:\s+nicht\s+verfügbar)?",
        r"(?:external|embedded|third[- ]party)\s+content(?:\s+(?:is\s+)?(?:not\s+available|unavailable|blocked))?",
        r"contenu\s+(?:externe\s+)?(?:non\s+disponible|indisponible|bloqué)", r"contenido\s+(?:externo\s+)?no\s+disponible",
        r"contenuto\s+(?:esterno\s+)?non\s+disponibile", r"externe\s+inhoud(?:\s+niet\s+beschikbaar)?",
    )
    + r"[\s.!:]*",
    re.IGNORECASE,
)
_EMBED_RE = re.compile(
    r"\bexterne[nrs]?\s+inhalte?\b|\binhalte?\s+(?:von\s+)?(?:drittanbietern|dritten)\b|\bdrittplattform|\bdrittanbieter"
    r"|\bexternal\s+(?:content|media)\b|\bembedded\s+(?:content|media)\b|\bthird[- ]party\s+(?:content|platforms?|providers?)\b"
    r"|\bcontenus?\s+(?:externes?|tiers)\b|\bcontenidos?\s+(?:externos?|de\s+terceros)\b"
    r"|\bcontenuti?\s+(?:estern[oi]|di\s+terze\s+parti)\b|\bexterne\s+inhoud\b"
    r"|\b(?:zur\s+anzeige|to\s+(?:view|see|display)\s+(?:this|the)\s+content|pour\s+(?:afficher|voir)\s+ce\s+contenu)\b",
    re.IGNORECASE,
)
_EMBED_CONSENT_RE = re.compile(
    r"privatsphäre|datenschutz|einwillig|einverstanden|zustimm|einstellungen|akzeptier|aktivier|anzeigen\s+lassen"
    r"|consent|privacy|cookies?\b|settings|accept|enable|consentement|paramètres|consentimiento|configuración"
    r"|consenso|impostazioni|toestemming|instellingen",
    re.IGNORECASE,
)
_READER_RE = re.compile(
    r"\b(?:du|deine?[mnrs]?|sie|ihre?[mnrs]?|ich|you|your|vous|votre|vos|tu|tus|su|sus|usted|tuo|tua|tuoi|tue"
    r"|vostr[aeio]|je|uw)\b",
    re.IGNORECASE,
)
#: an embed placeholder's line is at most this long
EMBED_LINE = 400
#: every match of the embed expressions holds one of these (casefolded)
_EMBED_WORDS = ("inhalt", "content", "contenu", "contenid", "contenut", "inhoud", "dritt", "third", "anzeige", "media")


def _is_embed_placeholder(core: str) -> bool:
    if len(core) > EMBED_LINE:
        return False
    if len(core) <= 80 and _EMBED_LABEL_RE.fullmatch(core):
        return True
    return bool(_EMBED_RE.search(core) and _EMBED_CONSENT_RE.search(core) and _READER_RE.search(core))


# Han, kana, Hangul and their punctuation: a character of these scripts carries about what a word
# of a Latin-script language does, so a 20-character Chinese line is a sentence, not a label
_WIDE_RE = re.compile(r"[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def text_size(text: str) -> int:
    """Length of ``text`` with each CJK character counted twice (for thresholds set in characters
    of Latin-script text)."""
    if text.isascii() or max(text) < "\u1100":  # no CJK character: skip the regex (most pages)
        return len(text)
    return len(text) + len(_WIDE_RE.findall(text))


def squash(text: str) -> str:
    """``text`` with every run of whitespace made one space."""
    return " ".join(text.split())


def norm(line: str) -> str:
    return squash(line).casefold()


_MARKER_STARTS = frozenset("-*•·▪►>")


def strip_marker(line: str) -> str:
    if not line or (line[0] not in _MARKER_STARTS and not line[0].isdigit()):  # most lines: no expression to run
        return line.strip()
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


# A language menu: the names of the languages a site is published in, each in its own language, or their
# codes, one a line or all on one line (the sites we watch publish in up to 24 languages). Names in English
# ("French", "German") are left out: an article lists languages in its own language.
_LANGUAGE_NAMES = frozenset(
    name.casefold()
    for name in (
        "български", "čeština", "česky", "dansk", "deutsch", "eesti", "ελληνικά", "english", "español", "français",
        "gaeilge", "hrvatski", "italiano", "latviešu", "lietuvių", "magyar", "malti", "nederlands", "polski",
        "português", "română", "slovenčina", "slovenščina", "suomi", "svenska", "norsk", "íslenska", "türkçe",
        "русский", "українська", "беларуская", "српски", "srpski", "bosanski", "македонски", "shqip", "català",
        "euskara", "galego", "cymraeg", "lëtzebuergesch", "العربية", "فارسی", "עברית", "हिन्दी", "中文", "简体",
        "繁體", "正體", "简体中文", "繁體中文", "日本語", "한국어", "bahasa", "bahasa indonesia", "bahasa melayu",
        "tiếng việt", "ภาษาไทย",
        "bg", "cs", "da", "de", "et", "el", "en", "es", "fr", "ga", "hr", "it", "lv", "lt", "hu", "mt", "nl", "pl",
        "pt", "ro", "sk", "sl", "fi", "sv", "no", "ru", "uk", "tr", "ar", "zh", "ja", "ko",
    )
)
_MENU_SPLIT_RE = re.compile(r"\s*[|/·•,]\s*|\s{2,}")
#: this many language names in a row (lines, or parts of one line) are a language menu
LANGUAGE_MENU = 4


def _language_name(line: str) -> bool:
    return strip_marker(line).strip(" |/·•").casefold() in _LANGUAGE_NAMES


def _is_language_menu_line(core: str) -> bool:
    core = core.strip(" |/·•")
    first = _MENU_SPLIT_RE.search(core)  # a menu's first part is a language's name: most lines end here
    if first is None or (first.start() and core[: first.start()].casefold() not in _LANGUAGE_NAMES):
        return False
    parts = [part for part in _MENU_SPLIT_RE.split(core) if part]
    return len(parts) >= LANGUAGE_MENU and all(part.casefold() in _LANGUAGE_NAMES for part in parts)


def _is_lone_furniture(line: str) -> bool:
    core = strip_marker(line)
    if not core:
        return True
    if len(core) <= 120 and (
        _SKIP_LINK_RE.fullmatch(core) or _MT_BANNER_RE.fullmatch(core) or _CONSENT_BUTTON_RE.fullmatch(core)
    ):
        return True
    low = core.casefold()  # for the substring tests that spare most lines the regular expressions below
    if len(core) <= 250 and any(word in low for word in _MT_WORDS) and _MT_CLICK_RE.search(core):
        return True
    if _is_share_line(core) or _is_bare_url(core) or (len(core) <= 300 and _is_language_menu_line(core)):
        return True
    if _FOOTER_LINE_RE.fullmatch(core) or _EXTERNAL_LINK_MARK_RE.search(core):
        return True
    if len(core) <= 200 and _PROMO_LINE_RE.fullmatch(core):
        return True
    if len(core) <= AGENCY_NOTICE and any(word in low for word in _AGENCY_WORDS) and _AGENCY_NOTICE_RE.search(core):
        return True
    if any(word in low for word in _COOKIE_WORDS) and _is_cookie_line(core):
        return True
    return any(word in low for word in _EMBED_WORDS) and _is_embed_placeholder(core)


def _is_listy(line: str) -> bool:
    """A short line that reads like an entry of a link list rather than prose."""
    core = strip_marker(line)
    return len(core) < 200 and not (len(core) >= 100 and core.endswith((".", "!", "?", "»", '"', "”")))


#: Repeated paragraphs: only a paragraph repeating the one kept just before it is dropped (a banner
#: rendered twice, a caption doubled by a slideshow). Dropping every later repeat cost recall on the
#: Zyte set: interviews that ask each guest the same question, meal plans, quoted tweets.
DEDUP_ANYWHERE = False


def clean_text(text: str) -> str:
    """Remove furniture lines from a trafilatura text; keep the first of exact repeats."""
    return "\n".join(clean_lines(text)[0])


def clean_lines(text: str) -> tuple[list[str], int]:
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
        core = strip_marker(line)
        if _language_name(line):
            end = i + 1
            while end < n and _language_name(lines[end]):
                end += 1
            if end - i >= LANGUAGE_MENU:  # a language menu, one name a line
                i = end
                continue
        if len(core) <= 80 and _RELATED_HEAD_RE.fullmatch(core):
            # a "Related ..." heading: drop it and the link-list entries that follow it
            i += 1
            while i < n and (_is_listy(lines[i]) or _is_lone_furniture(lines[i])) and not _RELATED_HEAD_RE.fullmatch(
                strip_marker(lines[i])
            ):
                i += 1
            continue
        i += 1
        if _is_lone_furniture(line):
            if _is_cookie_line(core):
                cookie_chars += len(core)
            continue
        key = norm(line)
        if len(key) >= 12:
            if key in seen and (DEDUP_ANYWHERE or key == last_key):
                continue
            seen.add(key)
        last_key = key
        kept.append(line)
    return kept, cookie_chars


def comments_start(lines: list[str]) -> int | None:
    """Index of the line where the readers' comments begin (a heading, the comment form's prompt or
    the comment section's house rules, after at least ``COMMENTS_AFTER`` characters of text), or None."""
    chars = 0
    for i, line in enumerate(lines):
        core = strip_marker(line)
        if chars >= COMMENTS_AFTER and (
            (len(core) <= 60 and _COMMENTS_START_RE.fullmatch(core))
            or (len(core) <= MODERATION_LINE and _MODERATION_RE.match(core))
        ):
            return i
        chars += len(line)
    return None
