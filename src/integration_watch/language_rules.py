"""Hand-written evidence for what character n-grams decide badly: close pairs (cs/sk, da/nb/sv, hr/sl/sr,
bg/mk, es/ca/pt, ro/it) by their distinctive function words, and the two EU languages langdetect has no
profile for, Irish and Maltese, by function words and spelling. Written from general knowledge of the
languages; used by language.py's detector."""

from __future__ import annotations

import re
import unicodedata

_MARKER_WEIGHT = 2.5  # nats per distinctive function word
WEAK_ONLY = 0.15  # most evidence (share of words) Irish or Maltese weak words give alone


def fold_accents(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


# --- hand-written evidence -------------------------------------------------------------
# Distinctive function words, from general knowledge of each language.  A bonus is only
# given among languages whose n-gram scores are already close, so a word here needs to be
# distinctive against its close neighbours, not against every language.
MARKERS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "cs": "se jsem jsi jsou jsme jste není nejsou jako pro také když mezi který která které "
        "kteří jen nebo ještě tedy již podle protože proto zde velmi více být bylo byla byl "
        "před přes při něco něj co teď této tento tohle mně nebude může můžete",
        "sk": "sa som si sú sme ste nie ako pre tiež keď medzi ktorý ktorá ktoré ktorí len "
        "alebo ešte teda už podľa pretože preto tu veľmi viac byť bolo bola bol pred cez pri "
        "niečo čo teraz tejto tento toto mi nebude môže môžete aj",
        "da": "af mig dig sig hvad nogle noget efter mellem ud nu bliver blev meget sådan tak "
        "hende jer lige gøre uge tilbage måske vores anden andet endnu siger løbet købe "
        "hjemme spørgsmål første jeg ikke",
        "nb": "av meg deg seg hva noen noe etter mellom ut nå blir ble mye sånn takk henne "
        "dere sier gjøre uke tilbake kanskje vår våre annen annet ennå fikk gikk ikke jeg "
        "spørsmål hjemme kjøpe",
        "sv": "och inte är att jag för från till ett mycket också vid har hade skulle kan "
        "kommer efter eller när där här sig mig dig hur vad vilka vilken nu bara sedan",
        "hr": "i u što koji koja koje će sam su nije kao već također može jer sve gdje kada "
        "kad još vrlo prije ili tko ovaj ovo bih treba",
        "sl": "in v kaj ki bo sem so ni kot že tudi lahko ker vse kje še zelo tega pri z "
        "ga jih naj če sta bil kdo ta",
        "sr": "је у што који која које ће сам су није као већ може јер све где када још "
        "веома пре после или ко овај ово треба",
        "mk": "е во што кој која кое ќе сум се не како веќе може затоа сè каде кога уште "
        "многу пред после или ги го ја ова овој",
        "bg": "е в че който която което ще съм са не като вече може защото всичко къде "
        "кога още много преди след или ги го я това този",
        "es": "el los las del y es está son una por para pero como más muy también sin "
        "sobre hay",
        "ca": "el els les del i és està són una per però com més molt també sense sobre hi "
        "amb",
        "pt": "o os as do da dos das e é está são uma por para mas como mais muito também "
        "sem sobre há não com",
        "ro": "și si în să este sunt pentru care cu nu mai pe din fost fi dar sau doar iar "
        "cum unde acest această aceasta acum foarte după despre prin între către lui ați "
        "veți vor",
        "it": "il lo gli della delle di e è sono una per ma come più molto anche senza "
        "sopra non con che",
    }.items()
}
_FOLDEDMARKERS: dict[str, frozenset[str]] = {
    lang: frozenset(fold_accents(w) for w in words) for lang, words in MARKERS.items()
}
# Markers whose accent-folded form is still distinctive (for text typed without accents).
FOLD_OK = frozenset({"cs", "sk", "ro"})

_GA_WORDS = frozenset(
    "agus atá bhí bhfuil raibh níl beidh chun leis faoi faoin freisin féin seo acu aige "
    "aici againn agam agat orthu uirthi dom duit leo léi liom leat linn uaidh uathu dhá "
    "trí gach eile aon cé conas cathain cén anseo ansin anois inniu fós riamh fiú mé "
    "siad sinn sibh iad í nó idir roimh éis tríd thart níos bheith dtí sna ina lena óna "
    "gan cad cá chuig chéad daoine bliain bhliain rud ceann baile suite ceantar contae "
    "áit uair lá ann ea ba ab tá sé ní ó an na ar ag le do go is é i".split()
)
# Of those, the ones that are common words of other candidate languages too.
_GA_WEAK = frozenset("tá sé ní ó an na ar ag le do go is gan í mé é i ba ea ab ann lá".split())
_GA_SPELLING = re.compile(
    r"^(?:bh|dh|fh|gh|mh)[aeiouáéíóúlr]"  # lenition (not ch/ph/sh/th: English has them)
    r"|^(?:bhf|gc|dt|bp)[aeiouáéíóúlr]"  # eclipsis
    r"|[aeiouáéíóú](?:bh|dh|fh|mh)"  # lenited consonants inside a word
    r"|.ao(?:i|n|l|th|ch|s)|^ao[^\s]"  # the ao digraph (not Portuguese "ao")
    r"|(?:íocht|aíocht|eacht|úil|aidh|aigh|eadh|amh|imh|eamh|adh|eann|íonn|aíonn|eoir|óir|aí|ío|áin|eáin)$"
)
_GA_MUTATION_CASE = re.compile(r"(?:^|\s)(?:bhF|gC|dT|bP|mB|nG|tS|[nh][AEIOUÁÉÍÓÚ]|[nt]-[aeiouáéíóú])")

_MT_WORDS = frozenset(
    "huwa hija huma kien kienet kienu jkun tkun biex jew wkoll ukoll dawn mhux fuq bejn "
    "kif meta iżda izda għandu għandha għandhom ghandu ghandha hemm issa qed qiegħed "
    "kull aktar ħafna hafna minn lil skont permezz waqt minħabba minhabba għaliex xi "
    "xejn dak dik dawk hawn fejn għal ghal ta' tal li".split()
)
_MT_WEAK = frozenset({"li", "xi", "dik", "dak", "kif", "fuq"})
MT_LETTERS = re.compile(r"[ħĦġĠċĊ]|għ|Għ")
_MT_ARTICLE = re.compile(
    r"(?:^|\s)(?:[fbmls]?i[lxstdnrżċz]|l|ta[lxstdnrżċz]|fi[lxstdnrżċz]|bi[lxstdnrżċz]"
    r"|mi[lxstdnrżċz]{1,2}|g[ħh]a[lxstdnrżċz]{1,2}|li[lxstdnrżċz]{1,2}|sa[lxstdnrżċz]"
    r"|ma[lxstdnrżċz]|b[ħh]a[lxstdnrżċz]{1,2})-[a-zħġżċàèìòù]"
    r"|(?:^|\s)(?:ta|x|m|jista|tista)'(?=\s|[a-zħġżċ])"
)


_GA_FOREIGN = re.compile(r"[^a-záéíóú]")  # letters the Irish alphabet does not use
_MT_FOREIGN = re.compile(r"[^a-zàèìòùċġħżîâ]")  # nor the Maltese one


def _word_evidence(
    words: list[str], vocabulary: frozenset[str], weak: frozenset[str], foreign: re.Pattern[str],
    spelling: re.Pattern[str] | None = None,
) -> tuple[float, int]:
    """(score, words that count for the language) from its function words (weak ones count 0.35), words
    with letters it does not use (-1 each) and, if given, its spelling patterns (0.6 each). Weak words alone
    (common words of other languages too: English "I", "do", "is") score at most ``WEAK_ONLY`` of the words:
    enough beside a poor n-gram fit, never enough to decide alone."""
    hits = 0.0
    hit_words = 0
    strong = False
    for w in words:
        if w in vocabulary:
            hits += 0.35 if w in weak else 1.0
            hit_words += 1
            strong = strong or w not in weak
        elif foreign.search(w):
            hits -= 1.0
        elif spelling is not None and len(w) > 2 and spelling.search(w):
            hits += 0.6
            hit_words += 1
            strong = True
    return (hits if strong else min(hits, WEAK_ONLY * len(words))), hit_words


def irish_evidence(words: list[str], text: str, min_words: int = 2) -> float:
    """Share of words that look Irish (0..1), from function words and spelling.

    Needs ``min_words`` Irish-looking words; words with letters Irish does not use
    (å, ö, č, ß ...) count against it.
    """
    if not words:
        return 0.0
    hits, hit_words = _word_evidence(words, _GA_WORDS, _GA_WEAK, _GA_FOREIGN, _GA_SPELLING)
    mutations = len(_GA_MUTATION_CASE.findall(text))
    hits += 1.5 * mutations
    if hit_words + mutations < min_words:
        return 0.0
    return max(0.0, min(1.0, hits / len(words)))


def maltese_evidence(words: list[str], text: str, min_words: int = 2) -> float:
    """Share of words that look Maltese (0..1), from letters, article and function words (``min_words``
    of them at least)."""
    if not words:
        return 0.0
    hits, hit_words = _word_evidence(words, _MT_WORDS, _MT_WEAK, _MT_FOREIGN)
    letters = len(MT_LETTERS.findall(text))
    articles = len(_MT_ARTICLE.findall(text.lower())) if "-" in text or "'" in text else 0
    hits += letters + articles
    if hit_words + letters + articles < min_words:
        return 0.0
    return max(0.0, min(1.0, hits / len(words)))


def marker_bonus(words: list[str], close: set[str]) -> dict[str, float]:
    bonus: dict[str, float] = {}
    for lang in close:
        markers = MARKERS.get(lang)
        if not markers:
            continue
        folded = _FOLDEDMARKERS[lang] if lang in FOLD_OK else None
        hits = 0
        for w in words:
            if w in markers or (folded is not None and fold_accents(w) in folded):
                hits += 1
        if hits:
            bonus[lang] = _MARKER_WEIGHT * hits
    return bonus
