"""Pages laid out in tables (extract/tables.py): the article in one cell, the menu, the side column and the
footer in others. The page is built with our own text on the structure of older news portals where
trafilatura kept the whole layout table as data rows."""

from __future__ import annotations

from integration_watch.extract import extract_page
from integration_watch.extract.tables import is_data_table
from lxml.html import fragment_fromstring

URL = "https://valley.example/news/2012/01/17/pumping-station"

LEAD = (
    "The regional water board will close the old pumping station by the end of the year and move its staff "
    "to the new treatment plant on the river, its chairman told a press conference on Tuesday."
)
BODY = [
    "The station was built in 1931 and supplied the upper town for more than eighty years, but its pipes no "
    "longer meet the rules on lead that came into force last spring, the chairman said.",
    "About forty households in the hills will be connected to the new network in the summer; until then "
    "they will receive bottled water free of charge twice a week from the municipal depot.",
    "Residents' associations asked the board to keep the building, a listed brick hall with a clock tower, "
    "and to open it to the public as a museum of the town's water supply.",
    "The board said it would sell the hall to the municipality for a symbolic sum if the council agreed to "
    "pay for its upkeep, and that a decision was expected before the budget debate.",
    "Engineers estimate that the new plant will cut the losses from leaking mains by a third and save the "
    "equivalent of two swimming pools of water every day.",
]
MENU = ["Home", "Politics", "Economy", "Society", "Culture", "Sport", "Weather"]
MOST_READ = [
    "Ferry fares rise again in March",
    "Museum night draws record crowds",
    "Council approves the new bus depot",
    "Storm warning for the coast tonight",
    "Local choir wins the national prize",
]
FOOTER = "© 2012 Valley Courier, 12 Market Square, telephone 555 0100. All rights reserved."
FIGURES = (
    "<table><tr><th>Year</th><th>Households</th><th>Losses</th></tr><tr><td>2009</td><td>1,240</td><td>31%</td></tr>"
    "<tr><td>2010</td><td>1,310</td><td>29%</td></tr><tr><td>2011</td><td>1,402</td><td>27%</td></tr></table>"
)


def _table_page(after_third: str = "") -> str:
    """A local paper's article page built of tables: a header table with the menu; a three-column table
    (the sections, the article's cell, "most read"); in the article's cell a small table for the date and
    a print link, the headline, a photo box (a table of its own: image and caption) with the lead written
    straight after it, then the paragraphs; a footer table."""
    menu = " | ".join(f'<a href="/s/{i}">{m}</a>' for i, m in enumerate(MENU))
    sections = "".join(f'<tr><td><a href="/s/{i}">{m}</a></td></tr>' for i, m in enumerate(MENU))
    most_read = "".join(f'<tr><td><a href="/n/{i}">{t}</a></td></tr>' for i, t in enumerate(MOST_READ))
    body = "".join(f"<p>{p}</p>" + (after_third if i == 2 else "") for i, p in enumerate(BODY))
    return f"""<html><head><title>Old pumping station to close | Valley Courier</title></head><body>
<table width="100%" border="0"><tr><td><a href="/"><img src="/logo.gif" alt=""></a></td><td>{menu}</td></tr></table>
<table width="980" border="0" cellpadding="0" cellspacing="0"><tr>
<td width="180" valign="top"><table width="100%">{sections}</table>
 <p>Subscribe to our printed edition and get the weekend supplement delivered to your door every Saturday.</p></td>
<td valign="top">
 <table width="100%"><tr><td class="date">17.01.2012 09:12</td><td align="right"><a href="/print">Print</a></td></tr></table>
 <h1>Old pumping station to close</h1>
 <table align="left" width="160"><tr><td><img src="/photo/123.jpg" alt=""></td></tr>
 <tr><td><i>The pumping station seen from the river</i></td></tr></table>
 {LEAD}
 {body}
</td>
<td width="200" valign="top"><b>Most read</b><table width="100%">{most_read}</table></td>
</tr></table>
<table width="100%"><tr><td>{FOOTER}</td></tr></table>
</body></html>"""


def test_article_in_a_layout_table_comes_out_as_its_paragraphs_without_the_page_around_it():
    # Before: every row of the layout came out as a line of cells, the article run together with the
    # side column on one line, the menu, "most read" and the footer kept as rows.
    result = extract_page(_table_page(), URL)
    lines = result.text.splitlines()
    assert result.is_article
    for paragraph in BODY:
        assert paragraph in lines
    for furniture in [*MOST_READ, FOOTER, "Politics", "Culture"]:
        assert furniture not in result.text
    assert not any(line.startswith("|") for line in lines)


def test_first_paragraph_written_after_a_photo_box_in_the_article_cell_is_kept():
    # The lead is text right after the photo box's table: as a block, trafilatura deleted it with the box.
    result = extract_page(_table_page(), URL)
    lines = result.text.splitlines()
    assert LEAD in lines
    assert lines.index(LEAD) < lines.index(BODY[0])


def test_a_table_of_figures_in_the_article_keeps_its_rows():
    result = extract_page(_table_page(after_third=FIGURES), URL)
    lines = result.text.splitlines()
    assert "| Year | Households | Losses |" in lines
    assert "| 2010 | 1,310 | 29% |" in lines
    assert lines.index(BODY[2]) < lines.index("| 2010 | 1,310 | 29% |") < lines.index(BODY[3])


def test_a_ranking_of_other_articles_laid_out_as_a_table_is_not_the_articles_end():
    # Ten rows of a rank, another article's headline and its readers: a table of data by its size, kept
    # as rows under the article once the layout around it was read as blocks.
    ranking = "".join(f"<tr><td>{i}</td><td><a href='/top/{i}'>{title}</a> {1000 * (11 - i)} readers</td></tr>"
                      for i, title in enumerate(MOST_READ * 2, 1))
    after = f"<h3>Most read this week</h3><table>{ranking}</table>"
    result = extract_page(_table_page(after_third="").replace(f"<p>{BODY[-1]}</p>", f"<p>{BODY[-1]}</p>{after}"), URL)
    lines = result.text.splitlines()
    assert lines[-1] == BODY[-1]
    assert not any(title in result.text for title in MOST_READ)


def test_what_makes_a_table_one_of_data():
    def data(markup: str) -> bool:
        return is_data_table(fragment_fromstring(markup))

    row = "<tr><td>a</td><td>b</td></tr>"
    assert data(f"<table><tr><th>Year</th><th>Total</th></tr>{row}</table>")
    assert data(f"<table summary='Votes by district'>{row}{row}</table>")
    assert data(f"<table>{row * 10}</table>")
    assert not data(f"<table>{row * 3}</table>")  # a few rows and columns: a layout
    assert not data("<table><tr><td>one cell</td></tr><tr><td>another</td></tr></table>")
    assert not data(f"<table><tr><td><table>{row}</table></td></tr></table>")
    assert not data(f"<table role='presentation'><tr><th>x</th></tr>{row * 10}</table>")
    linked = "<tr><td>1</td><td><a href='/a'>Another article's headline</a></td></tr>"
    assert not data(f"<table>{linked * 10}</table>")  # a ranking of links
