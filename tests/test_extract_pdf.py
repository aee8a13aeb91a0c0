"""PDF documents (extract/pdf.py): text, title and date; encrypted, broken and scanned PDFs."""

from __future__ import annotations

import pytest
from hostile_server import _pdf

from integration_watch.content import is_pdf
from integration_watch.extract import PdfError, extract_pdf

LONG = ("The regional integration strategy for newly arrived migrants sets out language courses, the recognition "
        "of qualifications and a mentoring programme in every municipality. ") * 4


def test_pdf_text_title_and_date_from_metadata() -> None:
    body = _pdf(LONG)
    assert is_pdf(body, "application/pdf") and is_pdf(body, "application/octet-stream") and is_pdf(body, None)
    e = extract_pdf(body, "https://x.eu/plan.pdf")
    assert e.is_article and e.title == "Integration plan 2024"
    assert e.published is not None and e.published.startswith("2024-01-15")
    assert "mentoring programme in every municipality" in e.text
    assert len(e.text.split("\n")[0]) > 120  # the PDF wraps at ~80 characters: lines joined back into sentences


def test_pdf_without_metadata_takes_its_first_line_as_title() -> None:
    e = extract_pdf(_pdf("Local integration plan 2024-2027\n" + LONG, title=None), "https://x.eu/plan.pdf")
    assert e.is_article and e.title == "Local integration plan 2024-2027"
    assert e.published is None


def test_pdf_encrypted_with_an_empty_user_password_is_read() -> None:
    e = extract_pdf(_pdf(LONG, password=""), "https://x.eu/plan.pdf")
    assert e.is_article and "mentoring programme" in e.text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (_pdf(LONG, password="secret"), "encrypted PDF: a password is needed"),
        (b"%PDF-1.7\n" + b"\x00" * 500, "broken PDF"),
        (_pdf(LONG)[:400], "broken PDF"),
        (b"%PDF-", "broken PDF"),
    ],
    ids=["encrypted", "garbage", "truncated", "magic-only"],
)
def test_broken_or_encrypted_pdf_raises_a_clear_error(body: bytes, message: str) -> None:
    with pytest.raises(PdfError, match=message):
        extract_pdf(body, "https://x.eu/plan.pdf")


def test_pdf_with_no_text_layer_is_not_an_article() -> None:
    e = extract_pdf(_pdf("", title="Scanned strategy"), "https://x.eu/scan.pdf")
    assert not e.is_article and e.reason == "empty" and e.title == "Scanned strategy"


def test_pdf_hyphenation_and_running_headers() -> None:
    from integration_watch.extract.pdf import _paragraphs

    pages = [["City of Example — Integration plan", f"Section {i}", f"In phase {i} the municipality will offer cour-",
              f"ses to newcomer group {i} in the first month after arrival.", f"{i}"] for i in range(1, 5)]
    paragraphs = _paragraphs(pages)
    assert "City of Example — Integration plan" not in paragraphs  # running header on every page
    assert "In phase 2 the municipality will offer courses to newcomer group 2 in the first month after arrival." in paragraphs
    assert not any(p.isdigit() for p in paragraphs)  # page numbers
