"""User-visible behaviour of integration_watch.extract.extract_page.

The article pages below are built around the real texts of ../shared/seeds/ (000 CoR event page with
Greek furniture, 001 CPMR/REGIN news with a cookie notice, 002 Italian integration portal, 004 Swedish
aggregator around a Commission press release), wrapped in the furniture those pages carry: navigation,
machine-translation banner, share lines, "related" link lists with upper-case URLs, cookie notices
repeated twice, skip links, sponsor and source footers.
"""

from __future__ import annotations

import gzip
import html as htmllib
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from integration_watch.extract import Extraction, extract_page

EVALDATA = Path(__file__).resolve().parents[2] / "shared" / "evaldata"


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


# ============================================================================== article pages


def assert_body_kept(result: Extraction, body: str) -> None:
    text = norm(result.text)
    for para in body.strip().split("\n"):
        assert norm(para) in text, f"missing body paragraph: {para[:60]!r}"


def assert_absent(result: Extraction, *furniture: str) -> None:
    for item in furniture:
        assert item.casefold() not in result.text.casefold(), f"furniture kept: {item!r}"


def test_seed000_cor_page_keeps_report_and_drops_greek_furniture():
    result = extract_page(seed000_page(), SEED000_URL)
    assert result.is_article and result.reason is None
    assert_body_kept(result, SEED000_BODY)
    assert_absent(
        result,
        "Αυτόματη μετάφραση",
        "Πατήστε εδώ",
        "Κοινοποίηση",
        "Σχετικές πληροφορίες",
        "Related events",
        "HTTPS://COR.EUROPA.EU",
        "World Children’s Day",
        "Stakeholder consultation: Legal Migration",
        "Μετάβαση στο κύριο περιεχόμενο",
    )
    assert "Contact Person: CIVEX secretariat" in result.text  # event details are content, not furniture
    assert result.title == SEED000_TITLE
    assert result.page_lang == "el"
    assert result.canonical_url == SEED000_URL


def test_seed001_cpmr_news_drops_cookie_notice_given_twice():
    result = extract_page(seed001_page(), "https://cpmr.org/migration/regin-project-update/31337/?utm_source=x")
    assert result.is_article
    assert_body_kept(result, SEED001_BODY)
    assert_absent(result, "cookie settings", "allow cookies", "consenting", "more information")
    assert result.title == SEED001_TITLE
    assert result.published is not None and result.published.startswith("2021-07-02")
    assert result.page_lang == "en"
    assert result.canonical_url == "https://cpmr.org/migration/regin-project-update/31337/"


def test_seed002_italian_portal_drops_skip_link_and_share_line():
    result = extract_page(seed002_page(), SEED002_URL)
    assert result.is_article
    assert_body_kept(result, SEED002_BODY)
    assert "Per maggiori informazioni consulta il documento" in result.text
    assert_absent(result, "Vai al contenuto", "CONDIVIDI SU")
    assert result.page_lang == "it"
    assert result.title == SEED002_TITLE
    # no metadata date on this page: the visible "Pubblicato il 06/07/2021" is used
    assert result.published == "2021-07-06"
    # relative canonical resolved against the page URL, fragment dropped
    assert result.canonical_url == "https://www.integrazionemigranti.gov.it/it-it/Ricerca-news/Dettaglio-news/id/1922/Dettaglio-news?id=1922"


def test_seed004_swedish_aggregator_drops_sponsor_sources_and_link_lines():
    result = extract_page(seed004_page(), SEED004_URL)
    assert result.is_article
    assert_body_kept(result, SEED004_BODY)
    assert_absent(
        result,
        "Sponsrad av",
        "Fridh Advokatbyrå",
        "Pressklipp saknas",
        "Källor:",
        "Bevakning:",
        "Extern länk",
        "Meddelandet med länkar",
        "EU:s flykting- och gränspolitik",
        "Till toppen",
    )
    assert result.title == SEED004_TITLE
    assert result.published is not None and result.published.startswith("2021-07-07")
    assert result.page_lang == "sv"


def test_links_are_absolute_deduplicated_in_order_and_http_only():
    result = extract_page(seed004_page(), SEED004_URL)
    links = result.links
    assert len(links) == len(set(links))
    assert all(re.match(r"https?://", link) for link in links)
    # <base href> applies: "eu/" -> https://www.asylnytt.se/eu/ ; fragments dropped, so "#top" duplicates it
    assert links[:2] == ("https://fridh.se/", "https://www.asylnytt.se/eu/")
    assert links.count("https://www.asylnytt.se/eu/") == 1
    assert "https://www.asylnytt.se/allmant/" in links
    assert not any(link.startswith("mailto:") for link in links)
    assert links.index("https://www.asylnytt.se/myndigheter/") < links.index("https://www.asylnytt.se/om/")


def test_links_resolve_relative_to_page_url_without_base():
    result = extract_page(seed000_page(), SEED000_URL)
    assert "https://cor.europa.eu/el/events" in result.links
    assert "https://twitter.com/EU_CoR" in result.links
    assert "https://cor.europa.eu/el/events/Pages/legal-migration.aspx" in result.links
    assert not any("#" in link for link in result.links)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("el-GR", "el"), ("EN", "en"), ("pt_BR", "pt"), ("sv", "sv"), ("", None), ("not a tag!", None)],
)
def test_page_lang_is_normalised_primary_subtag(lang, expected):
    page = seed001_page().replace('lang="en-US"', f'lang="{lang}"')
    assert extract_page(page, "https://cpmr.org/x/").page_lang == expected


def test_page_without_lang_attribute():
    page = seed001_page().replace(' lang="en-US"', "")
    assert extract_page(page, "https://cpmr.org/x/").page_lang is None


SHORT_NEWS = (
    "Brussels, 7 July 2021. The Committee of the Regions adopted today an opinion on the integration "
    "of migrants in rural areas. The rapporteur said an error in last year's funding rules must be "
    "corrected so that small municipalities can apply directly."
)


def test_short_real_article_is_still_an_article():
    assert 200 < len(SHORT_NEWS) < 300
    page = f"""<html lang="en"><head><title>CoR adopts opinion on rural integration</title>
    <meta property="article:published_time" content="2021-07-07"></head>
    <body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
    <article><h1>CoR adopts opinion on rural integration</h1><p>{SHORT_NEWS}</p></article></body></html>"""
    result = extract_page(page, "https://cor.europa.eu/en/news/Pages/rural.aspx")
    assert result.is_article, result.reason
    assert SHORT_NEWS in result.text
    assert result.published == "2021-07-07"


def test_article_that_mentions_cookies_and_errors_keeps_those_sentences():
    body = [
        "The data protection authority found that the municipal integration portal placed tracking cookies "
        "on the devices of asylum seekers who had not been asked for their consent.",
        "Officials said the error page shown to applicants (\"404 not found\") had hidden the problem for months, "
        "and that access denied messages were also reported by several reception centres.",
        "The authority ordered the municipality to fix the portal within three months and to report back.",
    ]
    page = f"""<html lang="en"><head><title>Integration portal fined over tracking</title></head><body>
      <article><h1>Integration portal fined over tracking</h1>{paragraphs(chr(10).join(body))}</article></body></html>"""
    result = extract_page(page, "https://example.org/news/portal-fined")
    assert result.is_article
    for sentence in body:
        assert sentence in result.text


# Worst case: the seed texts exactly as the pages rendered them, furniture and all, as paragraphs of
# one <article> (so the extractor cannot tell furniture by its markup, only by what it says).

SEED000_TOP = ["Αυτόματη μετάφραση", "Πατήστε εδώ για την αυτόματη μετάφραση του κάτωθι κειμένου."]
SEED000_BOTTOM = ["Κοινοποίηση :", "Σχετικές πληροφορίες", "Related events"] + [
    line
    for slug, title in SEED000_RELATED
    for line in (
        f"1.HTTPS://COR.EUROPA.EU/EL/EVENTS/PAGES/{slug}.ASPX",
        "2.HTTPS://COR.EUROPA.EU/EL/EVENTS/PAGES/WORKSHOP-LOCAL-AND-REGIONAL-AUTHORITIES-SETTING-UP-LOCAL-"
        "INTEGRATION-STRATEGY-STAKEHOLDER-INVOLVEMENT-OWNERSHIP.ASPX",
        title,
        title,
    )
]
SEED001_BOTTOM = [SEED001_COOKIE + " more information", SEED001_COOKIE]
SEED002_TOP = ["Vai al contenuto della pagina"]
SEED002_BOTTOM = ["• CONDIVIDI SU:"]
SEED004_TOP = ["Sponsrad av Fridh Advokatbyrå", "Pressklipp saknas"]
SEED004_BOTTOM = [
    "Meddelandet med länkar (Extern länk)",
    "Partnership on Integration: Supporting Cities, Regions and Rural Areas in Migrants' Integration (Extern länk till pdf-fil)",
    "Action plan on integration and inclusion 2021-2027 (Extern länk till pdf-fil)",
    "Website of the cities and regions initiative (Extern länk)",
    *SEED004_FOOTER,
]


@pytest.mark.parametrize(
    ("top", "body", "bottom"),
    [
        (SEED000_TOP, SEED000_BODY, SEED000_BOTTOM),
        ([], SEED001_BODY, SEED001_BOTTOM),
        (SEED002_TOP, SEED002_BODY, SEED002_BOTTOM),
        (SEED004_TOP, SEED004_BODY, SEED004_BOTTOM),
    ],
    ids=["000-cor", "001-cpmr", "002-it-portal", "004-asylnytt"],
)
def test_furniture_inside_the_article_container_is_removed(top, body, bottom):
    page = (
        '<html lang="en"><head><title>News</title></head><body><article><h1>News item</h1>'
        + paragraphs("\n".join([*top, body.strip(), *bottom]))
        + "</article></body></html>"
    )
    result = extract_page(page, "https://example.org/news/item")
    assert result.is_article
    assert_body_kept(result, body)
    for line in top + bottom:
        assert norm(line) not in norm(result.text), f"furniture kept: {line[:60]!r}"


def test_repeated_paragraph_is_kept_once():
    para = "The partnership builds on well-established cooperation between the Commission and the Committee."
    page = (
        "<html><head><title>x</title></head><body><article><h1>Partnership</h1>"
        + paragraphs("\n".join([SEED004_BODY.strip(), para, para]))
        + "</article></body></html>"
    )
    result = extract_page(page, "https://example.org/a")
    assert result.text.count(para) == 1


# ============================================================================== non-articles


def listing_page() -> str:
    items = []
    for i in range(14):
        items.append(
            f"""<div class="news-item"><h3><a href="/en/news/Pages/item-{i}.aspx">Regions and cities call for more support for migrant integration, item {i}</a></h3>
            <span class="date">{i + 1:02d}/06/2021</span></div>"""
        )
    return f"""<html lang="en"><head><title>News - European Committee of the Regions</title></head><body>
      <nav><a href="/en">Home</a> <a href="/en/news">News</a> <a href="/en/events">Events</a></nav>
      <main><h1>News</h1>{''.join(items)}
      <div class="pager"><a href="?page=2">Next page</a></div></main></body></html>"""


def test_listing_page_is_not_an_article_but_keeps_its_links():
    result = extract_page(listing_page(), "https://cor.europa.eu/en/news/Pages/default.aspx")
    assert not result.is_article
    assert result.reason == "listing"
    assert result.text == ""
    assert "https://cor.europa.eu/en/news/Pages/item-3.aspx" in result.links
    assert "https://cor.europa.eu/en/news/Pages/default.aspx?page=2" in result.links


def test_listing_with_teasers_is_not_an_article():
    items = []
    for i in range(10):
        items.append(
            f"""<article class="teaser"><h2><a href="/news/{i}">Integration partnership news number {i} for local authorities</a></h2>
            <p>Short teaser {i}: cities and regions met to discuss integration.</p></article>"""
        )
    page = f"<html><head><title>Notizie</title></head><body><main>{''.join(items)}</main></body></html>"
    result = extract_page(page, "https://example.org/news/")
    assert not result.is_article
    assert result.reason in {"listing", "too_short"}


def test_small_listing_of_news_cards_is_not_an_article():
    cards = [
        ("2611/rapporto-annuale", "Presentato il XIII Rapporto annuale sugli stranieri nel mercato del lavoro",
         "Nel 2022 gli occupati stranieri in Italia sono stati 2,37 milioni. I principali dati del XIII Rapporto annuale."),
        ("2398/avviso-fami", "Lavoro e integrazione: pubblicato l'avviso FAMI per percorsi di inserimento",
         "Un nuovo avviso del Fondo Asilo, Migrazione e Integrazione 2021-2027 finanzia percorsi integrati di inserimento lavorativo."),
        ("2157/partenariato", SEED002_TITLE,
         "La Commissione europea e il Comitato delle regioni lanciano un Partenariato per sostenere città, regioni e zone rurali."),
    ]
    items = "".join(
        f"""<div class="card-news"><span class="news-date">11/07/2023</span>
        <h3><a href="/it-it/Ricerca-news/Dettaglio-news/id/{path}.html">{htmllib.escape(title)}</a></h3>
        <p>{htmllib.escape(summary)}</p><a class="read-more" href="/it-it/Ricerca-news/Dettaglio-news/id/{path}.html">Leggi di più</a></div>"""
        for path, title, summary in cards
    )
    page = f"""<html lang="it"><head><title>Notizie - Integrazione Migranti</title>
      <meta property="og:type" content="article"></head><body>
      <nav><a href="/it-it/">Home</a> <a href="/it-it/Ricerca-news/">Notizie</a></nav>
      <div id="main-content"><h1>Notizie</h1><div class="news-list">{items}</div></div></body></html>"""
    result = extract_page(page, "https://www.integrazionemigranti.gov.it/it-it/Ricerca-news/")
    assert not result.is_article
    assert result.reason == "listing"
    assert "https://www.integrazionemigranti.gov.it/it-it/Ricerca-news/Dettaglio-news/id/2157/partenariato.html" in result.links


def test_article_with_consent_dialog_heading_is_still_an_article():
    page = f"""<html lang="en"><head><title>{SEED001_TITLE} - CPMR</title></head><body>
      <div id="consent-dialog" role="dialog"><h1>We value your privacy</h1>
        <p>{htmllib.escape(SEED001_COOKIE)}</p><button>Accept</button></div>
      <article><h1>{SEED001_TITLE}</h1>{paragraphs(SEED001_BODY.strip().split(chr(10))[0])}
      {paragraphs(SEED001_BODY.strip().split(chr(10))[2])}</article></body></html>"""
    result = extract_page(page, "https://cpmr.org/news/regin/")
    assert result.is_article, result.reason
    assert "REGIN Project partners have continued to work remotely" in result.text
    assert_absent(result, "cookie settings", "We value your privacy")


def test_article_headlined_like_an_error_or_block_page_is_still_an_article():
    body = "\n".join(SEED004_BODY.strip().split("\n")[:2])
    for headline in ("Access denied – asylum seekers turned away at reception centres", "Not found: the missing integration funds"):
        page = f"""<html lang="en"><head><title>{headline}</title></head><body>
          <article><h1>{headline}</h1>{paragraphs(body)}</article></body></html>"""
        result = extract_page(page, "https://example.org/news/1")
        assert result.is_article, (headline, result.reason)


@pytest.mark.parametrize(
    ("title", "heading", "lang"),
    [
        ("Page not found | European Committee of the Regions", "Page not found", "en"),
        ("404", "Oops! That page can’t be found.", "en"),
        ("Seite nicht gefunden - Bundesregierung", "Fehler 404", "de"),
        ("Pagina non trovata - Integrazione Migranti", "Pagina non trovata", "it"),
        ("Η σελίδα δεν βρέθηκε", "Σφάλμα 404", "el"),
    ],
)
def test_error_page_served_as_200_is_not_an_article(title, heading, lang):
    page = f"""<html lang="{lang}"><head><title>{title}</title></head><body>
      <nav><a href="/">Home</a> <a href="/news">News</a></nav>
      <main><h1>{heading}</h1><p>The page you requested could not be found. It may have been moved or deleted.
      Please use the search or go back to the home page to continue browsing our website.</p>
      <p>You can also browse the latest news about integration of migrants in European cities and regions.</p></main>
      </body></html>"""
    result = extract_page(page, "https://example.org/missing")
    assert not result.is_article
    assert result.reason == "error_page"


@pytest.mark.parametrize(
    "page",
    [
        """<html><head><title>Just a moment...</title></head><body><div id="challenge-running">
           <h1>www.example.org</h1><p>Checking if the site connection is secure</p>
           <noscript>Enable JavaScript and cookies to continue</noscript>
           <script src="/cdn-cgi/challenge-platform/h/g/orchestrate/jsch/v1"></script></div></body></html>""",
        """<html><head><title>Access Denied</title></head><body><h1>Access Denied</h1>
           <p>You don't have permission to access "http://www.example.org/news/" on this server.</p>
           <p>Reference #18.4f2c1002.1625650000.1a2b3c4d</p></body></html>""",
        """<html><head><title>Attention Required! | Cloudflare</title></head><body>
           <h1>Sorry, you have been blocked</h1><p>This website is using a security service to protect itself
           from online attacks. The action you just performed triggered the security solution. There are several
           actions that could trigger this block including submitting a certain word or phrase, a SQL command or
           malformed data.</p><div class="g-recaptcha"></div></body></html>""",
    ],
)
def test_block_and_challenge_pages_are_not_articles(page):
    result = extract_page(page, "https://www.example.org/news/")
    assert not result.is_article
    assert result.reason == "block_page"


def test_cookie_policy_page_is_not_an_article():
    text = "\n".join(
        [
            "This cookie policy explains how the CPMR website uses cookies and similar technologies to recognise "
            "you when you visit our website.",
            "Cookies are small data files that are placed on your computer or mobile device when you visit a "
            "website. Cookies are widely used by website owners in order to make their websites work.",
            "Essential cookies are strictly necessary to provide you with services available through our website "
            "and to use some of its features, such as access to secure areas.",
            "You have the right to decide whether to accept or reject cookies. You can exercise your cookie rights "
            "by setting your preferences in the cookie consent manager.",
        ]
    )
    page = f"""<html lang="en"><head><title>Cookie Policy - CPMR</title></head><body>
      <main><h1>Cookie Policy</h1>{paragraphs(text)}</main></body></html>"""
    result = extract_page(page, "https://cpmr.org/cookie-policy/")
    assert not result.is_article
    assert result.reason == "cookie_page"


def test_consent_wall_is_not_an_article():
    page = f"""<html lang="en"><head><title>CPMR</title></head><body>
      <div class="consent"><p>{htmllib.escape(SEED001_COOKIE)}</p><p>{htmllib.escape(SEED001_COOKIE)}</p>
      <p><button>Accept</button> <button>Reject</button></p></div></body></html>"""
    result = extract_page(page, "https://cpmr.org/")
    assert not result.is_article
    assert result.reason == "cookie_page"


@pytest.mark.parametrize("page", ["", "   \n ", "<html><head><title></title></head><body></body></html>"])
def test_empty_page_is_not_an_article(page):
    result = extract_page(page, "https://example.org/")
    assert not result.is_article
    assert result.reason == "empty"
    assert result.text == ""


def test_non_html_is_not_an_article():
    assert extract_page("%PDF-1.7\n%âãÏÓ\n1 0 obj", "https://example.org/a.pdf").reason == "not_html"
    assert extract_page('{"items": []}', "https://example.org/api").reason == "not_html"
    feed = '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'
    assert extract_page(feed, "https://example.org/feed").reason == "not_html"


def test_min_chars_is_respected():
    page = seed002_page()
    assert extract_page(page, SEED002_URL).is_article
    result = extract_page(page, SEED002_URL, min_chars=100_000)
    assert not result.is_article and result.reason == "too_short"
    assert result.page_lang == "it" and result.links  # still useful to the crawler


def test_extraction_is_frozen():
    result = extract_page(seed001_page(), "https://cpmr.org/x/")
    with pytest.raises(Exception):
        result.text = "x"  # type: ignore[misc]


# ============================================================================== real pages (Zyte benchmark)

ZYTE = EVALDATA / "extraction" / "scrapinghub_aeb"
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


def _zyte_case(case_id: str):
    for line in (ZYTE / "cases.jsonl").read_text().splitlines():
        case = json.loads(line)
        if case["id"].startswith(case_id):
            with gzip.open(ZYTE / case["html"]) as fh:
                data = fh.read()
            return case["url"], data.decode("utf-8", "replace"), (ZYTE / case["expected"]).read_text(encoding="utf-8")
    raise LookupError(case_id)


@pytest.mark.skipif(not (ZYTE / "cases.jsonl").exists(), reason="shared evaldata not available")
@pytest.mark.parametrize(
    "case_id",
    ["04a6711c", "05844573", "0d461229", "0ec95c72", "20b2b649", "3252222e", "57b4dafd", "5a822960"],
)
def test_zyte_benchmark_pages_reach_f1_080(case_id):
    url, page, expected = _zyte_case(case_id)
    result = extract_page(page, url)
    assert result.is_article, result.reason
    assert shingle_f1(expected, result.text) >= 0.8


def test_malformed_links_are_skipped_not_fatal():
    page = seed004_page().replace(
        "</footer>", '<a href="http://[not-an-ip/x">bad</a> <a href="javascript:void(0)">js</a> <a href="  /om/  ">dup</a></footer>'
    )
    result = extract_page(page, SEED004_URL)
    assert result.is_article
    assert not any("[" in link or link.startswith("javascript") for link in result.links)
    assert result.links.count("https://www.asylnytt.se/om/") == 1


def test_extractor_failure_is_recorded_not_raised(monkeypatch):
    import integration_watch.extract as extract_module

    def boom(*args, **kwargs):
        raise RuntimeError("parser crashed")

    monkeypatch.setattr(extract_module, "bare_extraction", boom)
    result = extract_page(seed001_page(), "https://cpmr.org/news/x/")
    assert not result.is_article
    assert result.reason == "extraction_failed"
    assert result.page_lang == "en" and "https://cpmr.org/about/" in result.links


def _article_page(head: str, body_top: str = "") -> str:
    return f"""<html lang="en"><head>{head}</head>
    <body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
    <article>{body_top}{paragraphs(ARTICLE_TEXT)}</article></body></html>"""


ARTICLE_TEXT = "\n".join([SHORT_NEWS] * 3)


def test_links_resolve_like_urljoin():
    from urllib.parse import urldefrag, urljoin

    url = "https://cor.europa.eu/en/news/Pages/a.aspx?x=1"
    hrefs = [
        "/en/events/b.aspx?y=2#top", "//cdn.europa.eu/doc.pdf", "/en/./c.aspx", "/en/news/../d.aspx",
        "e.aspx", "../f.aspx", "?page=2", "/g\th.aspx", "https://other.org/p#q", "HTTPS://Other.org/P",
    ]
    page = _article_page("<title>Links</title>", "".join(f'<a href="{h}">link {i}</a> ' for i, h in enumerate(hrefs)))
    links = extract_page(page, url).links
    for href in hrefs:
        assert urldefrag(urljoin(url, href))[0] in links


def test_metadata_read_from_meta_tags_even_after_a_stray_element_in_head():
    # a tracking pixel in <head> ends the head of an HTML5 parse: what follows must still count
    head = """<title>Partnership on integration | News | CoR</title>
    <noscript><img src="/pixel.gif"></noscript>
    <meta property="og:title" content="Partnership on integration launched">
    <meta property="og:site_name" content="European Committee of the Regions">
    <meta name="description" content="The Commission and the CoR start a partnership.">
    <meta name="author" content="Maria Rossi">
    <meta property="article:published_time" content="2021-06-18T10:30:00+02:00">
    <link rel="canonical" href="/en/news/Pages/partnership.aspx">"""
    result = extract_page(_article_page(head), "https://cor.europa.eu/en/news/Pages/partnership.aspx?utm=x")
    assert result.is_article, result.reason
    assert result.title == "Partnership on integration launched"
    assert result.sitename == "European Committee of the Regions"
    assert result.description == "The Commission and the CoR start a partnership."
    assert result.author == "Maria Rossi"
    assert result.published == "2021-06-18T10:30:00+02:00"
    assert result.canonical_url == "https://cor.europa.eu/en/news/Pages/partnership.aspx"


def test_metadata_from_json_ld_and_byline():
    head = """<title>Untitled</title><script type="application/ld+json">
    {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "REGIN toolkit presented",
     "datePublished": "2021-06-22", "publisher": {"@type": "Organization", "name": "CPMR"}}</script>"""
    byline = '<h1>REGIN toolkit presented</h1><p class="byline">By Jane Doe</p>'
    result = extract_page(_article_page(head, byline), "https://cpmr.org/news/regin-toolkit/")
    assert result.is_article, result.reason
    assert result.title == "REGIN toolkit presented"
    assert result.published == "2021-06-22"
    assert result.sitename == "CPMR"
    assert result.author == "Jane Doe"


def test_date_only_in_the_text_is_found():
    body_top = "<h1>Rural integration opinion adopted</h1><p class='date'>Published on 18/06/2021</p>"
    page = _article_page("<title>Rural integration opinion adopted</title>", body_top)
    result = extract_page(page, "https://cor.europa.eu/en/news/Pages/rural.aspx")
    assert result.published == "2021-06-18"


def test_fast_and_full_extraction_agree_on_a_clear_article(monkeypatch):
    import integration_watch.extract as extract_module

    page = seed002_page()
    fast = extract_page(page, SEED002_URL)
    monkeypatch.setattr(extract_module, "CLEAR_TEXT", 10**9)  # never trust the fast pass
    assert extract_page(page, SEED002_URL) == fast
