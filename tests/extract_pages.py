"""Pages the extraction tests share: the seed pages of ../shared/seeds/ wrapped in the furniture those
pages carry (000 CoR event page with Greek furniture, 001 CPMR/REGIN news with a cookie notice, 002
Italian integration portal, 004 Swedish aggregator around a Commission press release), a short real news
text, and the Zyte benchmark's shingle F1."""

from __future__ import annotations

import html as htmllib
import re
from collections import Counter

from integration_watch.extract import Extraction


def paragraphs(text: str) -> str:
    return "\n".join(f"<p>{htmllib.escape(p)}</p>" for p in text.strip().split("\n") if p.strip())


def norm(text: str) -> str:
    return " ".join(text.split())


# ----------------------------------------------------------------------------- seed 000: CoR (Greek site)

SEED000_TITLE = (
    "Online Workshop for Local and Regional Authorities: Setting Up a Local Integration Strategy – "
    "Stakeholder Involvement and Ownership"
)
SEED000_BODY = """
The European Commission and the European Committee of the Regions are pleased to report on the success of the first event organised under their newly established Partnership on integration in the framework of the Cities and Regions for Integration of Migrants network:
This peer-learning event brought together cities and regions from across the EU (Click here to see the list of participants) to share experiences and good practice on how to design and implement local integration strategies. It focused specifically on how to involve relevant stakeholders in the design and implementation of these strategies.
Online workshop: 18 June 2021 10:00-12:30 CEST
10:15 First session: What are the main areas that an inclusive integration strategy at a local level should cover?
10:40 Second session: Which main actors should be involved in the development and implementation of a local integration strategy?
What are the successful approaches to consult and involve relevant stakeholders in that process?
This session discussed successful approaches in stakeholder involvement and how existing strategies can be further developed. Participants were able to learn from existing good practices and to exchange their challenges and ideas.
We are delighted that the workshop achieved a varied geographical distribution of participants across the EU.
Thanks to everyone for joining us at this exciting event and we are looking forward to your participation in our future events!
"""
SEED000_RELATED = [
    ("WORLD-CHILDREN-DAY-PROTECTING-EMPOWERING-MIGRANT-REFUGEE-CHILDREN",
     "World Children’s Day: the role of local authorities in protecting and empowering migrant and refugee children"),
    ("INTEGRATION-NETWORK-MARCH", "Empowering regions and cities in migrant integration governance"),
    ("SIRA-CONFERENCE-STRENGTHENING-SOCIAL-ORIENTATION-RURAL-AREAS",
     "SIRA Transnational Conference: Strengthening and Expanding Social Orientation and Integration of Newcomers in Rural areas"),
    ("LEGAL-MIGRATION", "Stakeholder consultation: Legal Migration – Attracting Skills and Talent to the EU"),
]
SEED000_URL = (
    "https://cor.europa.eu/el/events/Pages/workshop-local-and-regional-authorities-setting-up-local-"
    "integration-strategy-stakeholder-involvement-ownership.aspx"
)


def seed000_page() -> str:
    related = []
    for slug, title in SEED000_RELATED:
        related.append(
            f"""<div class="related-item">
              <p>1.HTTPS://COR.EUROPA.EU/EL/EVENTS/PAGES/{slug}.ASPX</p>
              <p>2.HTTPS://COR.EUROPA.EU/EL/EVENTS/PAGES/WORKSHOP-LOCAL-AND-REGIONAL-AUTHORITIES-SETTING-UP-LOCAL-INTEGRATION-STRATEGY-STAKEHOLDER-INVOLVEMENT-OWNERSHIP.ASPX</p>
              <p><a href="/el/events/Pages/{slug.lower()}.aspx">{htmllib.escape(title)}</a></p>
              <p>{htmllib.escape(title)}</p>
            </div>"""
        )
    return f"""<!DOCTYPE html>
<html lang="el-GR" dir="ltr">
<head>
  <meta charset="utf-8">
  <title>{htmllib.escape(SEED000_TITLE)}</title>
  <link rel="canonical" href="/el/events/Pages/workshop-local-and-regional-authorities-setting-up-local-integration-strategy-stakeholder-involvement-ownership.aspx">
  <meta property="og:title" content="{htmllib.escape(SEED000_TITLE)}">
  <meta property="og:site_name" content="European Committee of the Regions">
</head>
<body>
  <header>
    <a href="#main">Μετάβαση στο κύριο περιεχόμενο</a>
    <nav><ul>
      <li><a href="/el">Αρχική σελίδα</a></li><li><a href="/el/news">Ειδήσεις</a></li>
      <li><a href="/el/events">Εκδηλώσεις</a></li><li><a href="/el/our-work">Το έργο μας</a></li>
      <li><a href="/el/members">Μέλη</a></li><li><a href="https://twitter.com/EU_CoR">Twitter</a></li>
    </ul></nav>
  </header>
  <main id="main"><div class="page-content">
    <div class="mt-banner"><p>Αυτόματη μετάφραση</p>
      <p><a href="?translate=1">Πατήστε εδώ για την αυτόματη μετάφραση του κάτωθι κειμένου.</a></p></div>
    <h1>{htmllib.escape(SEED000_TITLE)}</h1>
    {paragraphs(SEED000_BODY)}
    <p>For further questions, please contact integration@cor.europa.eu</p>
    <div class="event-details"><p>Contact Person: CIVEX secretariat</p>
    <p>Organizer: European Commission and the European Committee of the Regions</p></div>
    <div class="share"><p>Κοινοποίηση :</p>
      <a href="https://www.facebook.com/sharer.php?u=https://cor.europa.eu/x">&nbsp;</a>
      <a href="https://twitter.com/share?url=https://cor.europa.eu/x">&nbsp;</a></div>
    <h2>Σχετικές πληροφορίες</h2>
    <h3>Related events</h3>
    {''.join(related)}
  </div></main>
  <footer><a href="/el/legal-notice">Νομική σημείωση</a> <a href="/el/cookies">Cookies</a></footer>
</body></html>"""


# ----------------------------------------------------------------------------- seed 001: CPMR / REGIN

SEED001_BODY = """
In the last few months, the REGIN Project partners have continued to work remotely and met virtually moving forward on a wide variety of activities. For instance, regional integration actions are being launched by our regional partners:
Furthermore, in the framework of the new partnership on integration between the European Committee of the Regions (CoR) and DG HOME of the European Commission, the REGIN Project collaborated in the organisation of the Online Workshop for Local and Regional Authorities: Setting Up a Local Integration Strategy, focusing on stakeholder Involvement and ownership.
This partnership – foreseen in the European Commission’s new Action Plan on Integration and Inclusion 2021-2027 – builds on the existing Cities and Regions for Integration initiative, launched in 2019, of which the CPMR is an associated partner. It is a clear sign that the EU institutions recognise the important role of regional and local authorities in integration and inclusion and wish to give them a greater voice at the European level.
During the workshop that was held on 18th June 2021, our project partner Instrategies presented the REGIN regional toolkit – Stakeholders’ Capacity Building Guidelines, Training Modules & Evaluation Framework – that can be used and adapted by both regional and local authorities. REGIN regional partners, such as Catalonia and Murcia, participated in different break-out sessions – one of them being moderated by CPMR – and exchanged their experiences with other local and regional representatives.
Thanks to this occasion, the REGIN Project expanded its outreach to a wider network to exchange experiences and discuss potential synergies beyond the project consortium. Moreover, as part of the expansion MIPEX-R (Migrant Integration Policy Index-Regions) to other regions, CIDOB and MPG have been in touch with additional regional experts to cover 18 new European regions in 7 EU Member States, that are:
"""
SEED001_COOKIE = (
    'The cookie settings on this website are set to "allow cookies" to give you the best browsing '
    'experience possible. If you continue to use this website without changing your cookie settings '
    'or you click "Accept" below then you are consenting to this.'
)
SEED001_TITLE = "REGIN Project: Update on activities and the new partnership on integration"


def seed001_page() -> str:
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head><meta charset="UTF-8">
  <title>{SEED001_TITLE} - CPMR</title>
  <meta property="og:type" content="article">
  <meta property="og:title" content="{SEED001_TITLE}">
  <meta property="article:published_time" content="2021-07-02T09:15:00+00:00">
  <link rel="canonical" href="https://cpmr.org/migration/regin-project-update/31337/">
</head>
<body>
  <nav><a href="/">Home</a> <a href="/about/">About</a> <a href="/migration/">Migration</a></nav>
  <div id="content"><article>
    <h1>{SEED001_TITLE}</h1>
    {paragraphs(SEED001_BODY)}
    <ul><li>Andalusia</li><li>Baden-Württemberg</li><li>Lombardy</li></ul>
    <div class="ctcc-inner"><p>{htmllib.escape(SEED001_COOKIE)} <a href="/cookie-policy/">more information</a></p>
      <p><button>Accept</button></p></div>
    <div class="ctcc-more-info"><p>{htmllib.escape(SEED001_COOKIE)}</p><p><button>Close</button></p></div>
  </article></div>
  <footer><p>CPMR, 6 rue Saint-Martin, 35700 Rennes</p></footer>
</body></html>"""


# ----------------------------------------------------------------------------- seed 002: Italian portal

SEED002_TITLE = "Integrazione - Al via nuovo partenariato tra Commissione Europea e Comitato Regioni"
SEED002_BODY = """
La Commissione europea e il Comitato delle regioni hanno lanciato un nuovo Partenariato per aumentare la cooperazione e il sostegno alle città, alle regioni e alle zone rurali dell'UE per il loro lavoro volto a favorire l'integrazione dei cittadini stranieri.
Il Partenariato, follow-up del Piano d'azione sull'integrazione e l'inclusione 2021-2027 che la Commissione ha adottato lo scorso novembre, si basa su una cooperazione consolidata tra la Commissione e il Comitato delle regioni in materia di politiche di integrazione. In particolare, l’iniziativa “Cities and Regions for Integration", lanciata nel 2019, fornisce una piattaforma politica ai sindaci europei e ai leader regionali per condividere informazioni e mostrare esempi positivi di integrazione di migranti e rifugiati.
La partnership mira a costruire un dialogo aperto e regolare tra la Commissione, il Comitato delle regioni e gli enti locali e regionali sull'integrazione attraverso tavole rotonde politiche, consultazioni pubbliche e un nuovo forum per mappare l'impatto territoriale della migrazione e identificare le esigenze specifiche delle popolazioni locali e regionali più colpite. autorità regionali.
Inoltre, intende sviluppare capacità e promuovere lo scambio di esperienze tra le autorità locali e regionali su diversi aspetti dell'integrazione e sul ruolo della comunità locali attraverso seminari, moduli formativi online, visite di studio, tutoraggio e programmi di scambio.
Infine, conta di migliorare la conoscenza e gli indicatori del livello di integrazione a livello locale, ad esempio fornendo informazioni sul portale europeo Website on Integration, attingendo ai dati raccolti nel EU Annual Local and Regional Barometer e altre fonti.
"""
SEED002_URL = "https://www.integrazionemigranti.gov.it/it-it/Ricerca-news/Dettaglio-news/id/1922/Al-via-nuovo-partenariato"


def seed002_page() -> str:
    return f"""<!DOCTYPE html>
<html lang="it-IT">
<head><meta charset="utf-8"><title>{SEED002_TITLE}</title>
<link rel="canonical" href="Dettaglio-news?id=1922#top"></head>
<body>
  <a class="skip" href="#contenuto">Vai al contenuto della pagina</a>
  <header><div class="brand"><a href="/it-it/">Portale Integrazione Migranti</a></div>
    <nav><a href="/it-it/Chi-siamo">Chi siamo</a> <a href="/it-it/Ricerca-news">News</a>
    <a href="/it-it/Ricerca-news">News</a> <a href="/it-it/Normativa">Normativa</a></nav></header>
  <div id="contenuto"><div class="dettaglio-news">
    <h1>{SEED002_TITLE}</h1>
    <p class="data-pubblicazione">Pubblicato il 06/07/2021</p>
    {paragraphs(SEED002_BODY)}
    <p>Per maggiori informazioni consulta il documento <a href="/doc/partenariato.pdf">Partenariato per l'integrazione: sostenere le città, le regioni e le zone rurali nell'integrazione dei migranti</a></p>
    <ul class="share"><li>CONDIVIDI SU:</li><li><a href="https://www.facebook.com/sharer/sharer.php?u=x">Facebook</a></li>
      <li><a href="https://twitter.com/intent/tweet?url=x">Twitter</a></li></ul>
  </div></div>
  <footer><a href="/it-it/Note-legali">Note legali</a> <a href="/it-it/Privacy">Privacy</a></footer>
</body></html>"""


# ----------------------------------------------------------------------------- seed 004: Swedish aggregator

SEED004_TITLE = "Integration: Commission and Committee of the Regions partnership for local action"
SEED004_BODY = """
The Commission and the Committee of the Regions are launching today a new partnership to increase cooperation and support to EU cities, regions and rural areas for their work to help integrate new arrivals. The partnership is a follow-up to the action plan on integration and inclusion 2021-2027 that the Commission adopted last November.
The partnership aims to:
Build an open and regular dialogue between the Commission, the Committee of the Regions, and local and regional authorities on integration through political roundtables, public consultations and a new forum to map the territorial impact of migration and identify specific needs of the most affected local and regional authorities;
Build capacity and promote exchange of experiences for local and regional authorities on different aspects of integration and on community sponsorship through workshops, online training materials, study visits, mentoring and exchange programmes;
Improve evidence and data on integration at the local level, for example by providing information on the European Website on Integration, drawing on data collected in the EU Annual Local and Regional Barometer and other sources.
The Action Plan on Integration and Inclusion 2021-2027 referred to launching a partnership with the Committee of the Regions to start a political dialogue and promote learning and exchanges on integration for local and regional authorities. The partnership builds on well-established cooperation between the Commission and the Committee of the Regions in the field of integration. In particular, the Cities and Regions for Integration initiative, launched in 2019, provides a political platform for European mayors and regional leaders to share information and showcase positive examples of integration of migrants and refugees.
"""
SEED004_FOOTER = [
    "Källor: Informationen på denna sida är hämtad från följande källor (externa länkar): EU (kommissionen, "
    "ministerrådet, parlamentet och domstolen), Europarådet, FN:s flyktingkommissariat UNHCR, Sveriges Radio, "
    "SvT, andra svenska media via Nyhetsfilter och pressmeddelanden via Newsdesk.",
    "Bevakning: Hjalte Lagercrantz och Sanna Vestin. Sammanställning: Sanna Vestin. Asylnytt är ett ideellt "
    "projekt. Sponsring avser prenumerationsavgifter. Tips emottages tacksamt.",
]
SEED004_URL = "https://www.asylnytt.se/eu/integration-commission-and-committee-of-the-regions-partnership/"


def seed004_page() -> str:
    items = SEED004_BODY.strip().split("\n")
    body = (
        paragraphs("\n".join(items[:2]))
        + "<ul>" + "".join(f"<li>{htmllib.escape(i)}</li>" for i in items[2:5]) + "</ul>"
        + paragraphs(items[5])
    )
    return f"""<!DOCTYPE html>
<html lang="sv">
<head><meta charset="utf-8"><title>{SEED004_TITLE} | Asylnytt</title>
<meta property="og:type" content="article">
<meta property="article:published_time" content="2021-07-07T14:30:00+02:00">
<base href="https://www.asylnytt.se/">
</head>
<body>
  <div class="sponsor"><p>Sponsrad av <a href="https://fridh.se/">Fridh Advokatbyrå</a></p></div>
  <nav><ul><li><a href="eu/">EU:s flykting- och gränspolitik</a></li>
    <li><a href="allmant/">Allmänt om migration, statistik</a></li>
    <li><a href="myndigheter/">Information från myndigheter och organisationer</a></li></ul></nav>
  <aside><p>Pressklipp saknas</p></aside>
  <div class="entry">
    <h1>{SEED004_TITLE}</h1>
    {body}
    <p><a href="https://ec.europa.eu/commission/presscorner/detail/en/ip_21_3424">Meddelandet med länkar</a> (Extern länk)</p>
    <p><a href="https://ec.europa.eu/home-affairs/partnership.pdf">Partnership on Integration: Supporting Cities, Regions and Rural Areas in Migrants' Integration</a> (Extern länk till pdf-fil)</p>
    <p><a href="https://ec.europa.eu/home-affairs/action-plan.pdf">Action plan on integration and inclusion 2021-2027</a> (Extern länk till pdf-fil)</p>
    <p><a href="https://cor.europa.eu/en/engage/Pages/cities-and-regions-for-integration.aspx">Website of the cities and regions initiative</a> (Extern länk)</p>
    {paragraphs(chr(10).join(SEED004_FOOTER))}
  </div>
  <footer><a href="om/">Om Asylnytt</a> <a href="eu/">EU:s flykting- och gränspolitik</a>
    <a href="https://www.asylnytt.se/eu/#top">Till toppen</a> <a href="mailto:info@asylnytt.se">Mejla</a></footer>
</body></html>"""


def assert_body_kept(result: Extraction, body: str) -> None:
    text = norm(result.text)
    for para in body.strip().split("\n"):
        assert norm(para) in text, f"missing body paragraph: {para[:60]!r}"


def assert_absent(result: Extraction, *furniture: str) -> None:
    for item in furniture:
        assert item.casefold() not in result.text.casefold(), f"furniture kept: {item!r}"


SHORT_NEWS = (
    "Brussels, 7 July 2021. The Committee of the Regions adopted today an opinion on the integration "
    "of migrants in rural areas. The rapporteur said an error in last year's funding rules must be "
    "corrected so that small municipalities can apply directly."
)


_TOKEN = re.compile(r"\w+")


def shingle_f1(expected: str, predicted: str, n: int = 4) -> float:
    def shingles(text):
        tokens = _TOKEN.findall(text)
        return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)))

    true, pred = shingles(expected), shingles(predicted)
    tp = sum((true & pred).values())
    if not tp:
        return 0.0
    precision, recall = tp / sum(pred.values()), tp / sum(true.values())
    return 2 * precision * recall / (precision + recall)
