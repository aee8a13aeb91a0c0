"""trends: stories and articles per period through the CLI, checked against counting by hand in SQL, and the
SVG chart read back as a picture's geometry."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import run, store_article
from png_reader import read_png
from integration_watch.corpus import Corpus
from integration_watch.stories import update_stories

SVG = "{http://www.w3.org/2000/svg}"
COPY = "The city council opened a new reception centre for ten refugee families on Monday, the mayor said."

# (url, lang, published, text): refugees in three months, in two languages, one story carried twice (the same
# text under two URLs is one story), one undated article (dated by its first sighting: today)
ARTICLES = [
    ("https://a.example/1", "en", "2021-01-05", COPY),
    ("https://b.example/1", "en", "2021-01-06", COPY),
    ("https://a.example/2", "en", "2021-01-20", "Volunteers in Ghent teach Dutch to refugee teenagers every "
                                                "Saturday morning in the public library."),
    ("https://c.example/1", "it", "2021-01-21", "Il comune ha aperto un centro per 30 famiglie di refugee il 20 gennaio."),
    ("https://a.example/3", "en", "2021-03-02", "A court in Athens ruled that refugee children must be enrolled "
                                                "in local schools within three months."),
    ("https://c.example/2", "it", "2021-03-03", "Nuovo sportello a Bari per i lavoratori refugee: orari, documenti "
                                                "e contatti del servizio comunale."),
    ("https://a.example/4", "en", "2021-02-10", "The regional parliament debated the budget for schools and roads "
                                                "on Tuesday without a vote."),
    ("https://a.example/5", "en", None, "Housing associations in Lyon offered forty flats to refugee households "
                                        "arriving this winter."),
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "c.db"
    with Corpus(path) as corpus:
        for url, lang, published, text in ARTICLES:
            store_article(corpus, url, text, lang, title=text[:30], published=published, source=url.split("/")[2])
        update_stories(corpus)
    return path


def by_hand(db: Path, period: str) -> dict[tuple[str, str], tuple[int, int]]:
    """{(period, lang): (stories, articles)} of the articles whose text mentions 'refugee', counted in SQL and
    Python without the full-text index or trends.py."""
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT coalesce(published, substr(first_fetched, 1, 10)), lang, story_id FROM articles "
                        "WHERE lower(text) LIKE '%refugee%'").fetchall()
    conn.close()
    stories: dict[tuple[str, str], set[int]] = {}
    articles: Counter[tuple[str, str]] = Counter()
    for day, lang, story in rows:
        d = date.fromisoformat(day[:10])
        key = ({"month": day[:7], "week": (d - timedelta(days=d.weekday())).isoformat(), "day": day[:10]}[period],
               lang)
        stories.setdefault(key, set()).add(story)
        articles[key] += 1
    return {key: (len(stories[key]), articles[key]) for key in articles}


def trends_json(db: Path, *args: str) -> dict:
    code, out, err = run(db, "trends", "refugee*", "--format", "json", *args)
    assert code == 0, err
    return json.loads(out)


@pytest.mark.parametrize("period", ["month", "week", "day"])
def test_counts_per_period_and_language_equal_counting_by_hand(db: Path, period: str) -> None:
    expected = by_hand(db, period)
    result = trends_json(db, "--by", period, "--split", "lang", "--until", "2021-12-31")
    found = {(p, s["key"]): (s["stories"][i], s["articles"][i])
             for s in result["series"] for i, p in enumerate(result["periods"]) if s["articles"][i]}
    assert found == {k: v for k, v in expected.items() if k[0] <= "2021-12-31"}
    # January in English: the copy (5th, 6th: one story, one week) and the Ghent article (20th)
    assert found[(min(found)[0], "en")] == {"month": (2, 3), "week": (1, 2), "day": (1, 1)}[period]
    # every period from the first to --until is listed, the empty ones too, in order
    periods = result["periods"]
    assert periods == sorted(periods) and len(set(periods)) == len(periods)
    assert periods[0] == min(p for p, _ in expected) and periods[-1] <= "2021-12-31"
    if period == "month":
        assert periods == [f"2021-{m:02d}" for m in range(1, 13)]


def test_undated_articles_count_when_first_seen_and_filters_apply(db: Path) -> None:
    whole = trends_json(db)
    (series,) = whole["series"]
    assert series["key"] == "" and sum(series["articles"]) == sum(v[1] for v in by_hand(db, "month").values()) == 7
    assert whole["periods"][-1] == date.today().strftime("%Y-%m") and series["articles"][-1] == 1
    italian = trends_json(db, "--lang", "it", "--since", "2021-02")
    assert italian["periods"][0] == "2021-02" and sum(italian["series"][0]["articles"]) == 1
    code, _, err = run(db, "trends", "refugee*", "--source", "nosuch.example")
    assert code == 2 and "its sources: a.example, b.example, c.example" in err


def test_table_and_csv(db: Path) -> None:
    code, out, _ = run(db, "trends", "refugee*", "--split", "lang", "--until", "2021-03")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "Stories matching 'refugee*' per month, by language: stories (articles)"
    assert lines[1].split() == ["month", "en", "it"]
    assert lines[2].split() == ["2021-01", "2", "(3)", "1", "(1)"]  # 3 English articles, the copy one story
    assert lines[3].split() == ["2021-02", "0", "(0)", "0", "(0)"]
    assert lines[-1].split() == ["articles", "4", "2"]
    code, out, _ = run(db, "trends", "refugee*", "--format", "csv", "--until", "2021-03")
    assert out.splitlines() == ["month,series,stories,articles", "2021-01,all,3,4", "2021-02,all,0,0", "2021-03,all,2,2"]


def test_the_svg_chart_draws_the_numbers(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "trends.svg"
    code, _, err = run(db, "trends", "refugee*", "--split", "lang", "--until", "2021-06", "--out", str(target))
    assert code == 0, err
    numbers = trends_json(db, "--split", "lang", "--until", "2021-06")
    root = ET.parse(target).getroot()
    assert root.tag == f"{SVG}svg" and root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    lines = root.findall(f"{SVG}polyline")
    assert [line.get("data-key") for line in lines] == [s["key"] for s in numbers["series"]] == ["en", "it"]
    # read the picture's geometry back: the axis (value 0) and the top grid line (the axis's top value)
    axis = next(float(line.get("y1")) for line in root.findall(f"{SVG}line") if line.get("stroke") == "#888")
    top = min(float(line.get("y1")) for line in root.findall(f"{SVG}line") if line.get("stroke") == "#e3e3e3")
    y_top = int(root.get("data-y-top"))
    for line, series in zip(lines, numbers["series"]):
        points = [tuple(map(float, p.split(","))) for p in line.get("points").split()]
        assert [round((axis - y) / (axis - top) * y_top, 6) for _, y in points] == series["stories"]
        xs = [x for x, _ in points]
        assert xs == sorted(xs) and len(xs) == len(numbers["periods"])
    legend = [t.text for t in root.findall(f"{SVG}text")]
    assert "en" in legend and "it" in legend and "2021-01" in legend


def test_the_png_chart_shows_the_lines_where_the_numbers_put_them(db: Path, tmp_path: Path) -> None:
    args = ("trends", "refugee*", "--split", "lang", "--until", "2021-06")
    code, _, err = run(db, *args, "--out", str(tmp_path / "t.png"))
    assert code == 0, err
    assert run(db, *args, "--out", str(tmp_path / "t.svg"))[0] == 0
    image = read_png((tmp_path / "t.png").read_bytes())
    root = ET.parse(tmp_path / "t.svg").getroot()
    zoom = image.width / float(root.get("width"))
    assert zoom == 2 and image.height == 2 * float(root.get("height"))
    # every data point is drawn where the SVG puts it, in the colour of the last series through it (drawn on top)
    on_top: dict[tuple[float, float], str] = {}
    for line in root.findall(f"{SVG}polyline"):
        for point in line.get("points").split():
            on_top[tuple(map(float, point.split(",")))] = line.get("stroke")
    for (x, y), colour in on_top.items():
        want = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
        got = image.pixel(round(x * zoom), round(y * zoom))[:3]
        assert max(abs(a - b) for a, b in zip(got, want)) < 40, (colour, x, y, got)
    assert len(set(on_top.values())) == 2 and len(on_top) >= 6  # six months, two lines
    # the title is written: dark pixels along its baseline, none where nothing is drawn (the bottom right)
    title = [image.pixel(x, y) for y in range(2 * 10, 2 * 28) for x in range(2 * 52, 2 * 400)]
    assert sum(1 for p in title if max(p[:3]) < 90) > 500
    corner = [image.pixel(x, y) for y in range(image.height - 20, image.height) for x in range(image.width - 60, image.width)]
    assert all(p[:3] == (255, 255, 255) for p in corner)
    code, _, err = run(db, *args, "--format", "png")
    assert code == 2 and "--out trends.png" in err


def test_html_page(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "trends.html"
    code, _, _ = run(db, "trends", "refugee*", "--out", str(target))
    page = target.read_text()
    assert code == 0 and page.startswith("<!DOCTYPE html>") and "<svg" in page and "<td>2021-01</td>" in page
    code, out, _ = run(db, "trends", "nothingmatches")
    assert (code, out) == (0, "no matches\n")
