"""Placeholders of embedded posts, videos and charts that the reader's privacy settings keep from loading
(extract/cleanup.py): a site that shows embeds only after a click writes, in their place, a label and a
request for consent. They are furniture, not the article; the article's own sentences about consent and
platforms stay. Pages built on the structure of news sites that write them, with our own text.
"""

from __future__ import annotations

import pytest

from extract_pages import norm, paragraphs
from integration_watch.extract import extract_page
from integration_watch.extract.cleanup import clean_lines
from test_extract_lost_body import BODY, assert_whole_body, news_page

#: (heading, text, button) of each language's placeholder
PLACEHOLDERS = {
    "de": [
        "Externer Inhalt nicht verfügbar",
        "Deine Privatsphäre-Einstellungen verhindern das Laden und Anzeigen externer Inhalte (Grafiken, Videos, "
        "soziale Netzwerke).",
        "Ich bin damit einverstanden, dass mir externe Inhalte angezeigt werden. Dabei können Daten an "
        "Drittplattformen übermittelt werden.",
    ],
    "en": [
        "External content not available",
        "Your privacy settings prevent this external content from loading.",
        "To view this content, please enable the embeds in your settings.",
    ],
}


@pytest.mark.parametrize("lang", sorted(PLACEHOLDERS))
def test_embed_placeholders_between_paragraphs_are_dropped(lang):
    # Each embedded post left its placeholder between two paragraphs: three to four lines a time, repeated
    # for every embed, they made a large share of the text.
    heading, *text = PLACEHOLDERS[lang]
    box = (f'<div class="embed-placeholder" data-embed="post"><h3>{heading}</h3><p>{"<br><br>".join(text)}</p>'
           "<button>Settings</button></div>")
    body = "".join(f"<h3>Part {i}</h3>{paragraphs(p)}{box}" for i, p in enumerate(BODY))
    page = news_page(f"<article><h1>Council opens reception centres</h1>{body}</article>")
    result = extract_page(page, "https://courier.example/news/centres")
    assert result.is_article, result.reason
    assert_whole_body(result.text)
    kept = [line for line in PLACEHOLDERS[lang] if norm(line) in norm(result.text)]
    assert not kept, f"placeholders kept: {kept}"


def test_the_articles_sentences_about_consent_and_platforms_are_kept():
    sentences = [
        "Third-party providers will need the explicit consent of users before they load external content, "
        "under the new rules.",
        "Rat und Parlament müssen zustimmen; externe Inhalte auf Behördenseiten fallen unter den Datenschutz.",
        "External content not available in the archive was requested from the ministry.",
    ]
    assert clean_lines("\n".join(sentences))[0] == sentences
