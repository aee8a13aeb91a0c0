"""The labelled event set (fixtures/events/*.toml) through the real story stage: which articles end up in one story.

    python bench/story_events.py [--work DIR] [--exclude-split NAME ...]    # prints one JSON document

Every article is stored as a crawl stores it (its own publication date and source), the Spanish, Italian and
French ones are translated by the translation stage (Apertium: es direct, it and fr through Spanish), then
`update_stories` runs with the shipped defaults. Articles given as the English a translation gives (`as_translated`:
German, Swedish, for which this machine has no engine) are stored as a crawl stores such an article once
translated: written in that language, the English as its translation. Pairs are counted within each split (dev: tuned on; heldout:
not): precision over every pair put in one story, recall over the pairs of one event, and recall over the
independent write-ups (pairs where neither is a copy of the other). A pair across splits put in one story is
counted separately. `--exclude-split NAME` leaves a split's articles out altogether (not stored, not counted): a
blind part stays unseen while a rule is developed.

This script imports only what every revision of the story stage has, so bench_stories.py --baseline REV runs
it on that revision's code (PYTHONPATH=its src) for the baseline in the same run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tomllib
from itertools import combinations
from pathlib import Path

from integration_watch.config import Settings
from integration_watch.corpus import ArticleRecord, Corpus
from integration_watch.routes import Engines
from integration_watch.stories import Thresholds, update_stories
from integration_watch.translate import translate_articles

EVENTS = Path(__file__).resolve().parents[1] / "fixtures" / "events"


def load_events(folder: Path = EVENTS, exclude: frozenset[str] = frozenset()) -> list[dict]:
    """Every article of every file, in file and then article order, except those of the `exclude` splits (a file
    named after one is not even read); text split into paragraphs."""
    out = []
    for path in sorted(folder.glob("*.toml")):
        if path.stem in exclude:
            continue
        for a in tomllib.loads(path.read_text())["article"]:
            if a["split"] in exclude:
                continue
            paragraphs = [p.strip() for p in a["text"].strip().split("\n\n") if p.strip()]
            out.append({**a, "paragraphs": paragraphs})
    return out


def store(corpus: Corpus, article: dict) -> int:
    """One article as a crawl stores it (one page, one transaction)."""
    url = f"https://{article['source']}.example/news/{article['id']}"
    paragraphs, lang = article["paragraphs"], article["lang"]
    corpus.pages.start_run([article["source"]])
    record = ArticleRecord(
        url=url, fetched_url=url, title=article["title"], text="\n".join(paragraphs), lang=lang, lang_confidence=1.0,
        languages=(lang,), paragraph_langs=tuple((i, lang) for i in range(len(paragraphs))),
        published=article["published"], author=None, description=None, sitename=None, page_lang=None,
    )
    article_id, _ = corpus.pages.record_fetch(
        source=article["source"], url=url, role="article", depth=0, state="stored", http_status=200,
        content_hash=url, article=record,
    )
    assert article_id is not None
    return article_id


def pair_counts(articles: list[dict], story: dict[str, int]) -> dict[str, dict[str, object]]:
    """Per split: pairwise precision, recall, recall on independent write-ups, and the pairs wrongly joined or
    left apart (by article id)."""
    out: dict[str, dict[str, object]] = {}
    copies = {frozenset((a["id"], a["copy_of"])) for a in articles if a.get("copy_of")}
    for split in sorted({a["split"] for a in articles}):
        members = [a for a in articles if a["split"] == split]
        tp = fp = fn = tp_w = fn_w = 0
        wrong, missed = [], []
        for a, b in combinations(members, 2):
            same_event, joined = a["event"] == b["event"], story[a["id"]] == story[b["id"]]
            independent = frozenset((a["id"], b["id"])) not in copies
            tp += same_event and joined
            fp += joined and not same_event
            fn += same_event and not joined
            tp_w += same_event and joined and independent
            fn_w += same_event and not joined and independent
            if joined and not same_event:
                wrong.append([a["id"], b["id"]])
            if same_event and not joined:
                missed.append([a["id"], b["id"]])
        out[split] = {
            "articles": len(members), "events": len({a["event"] for a in members}), "true_pairs": tp + fn,
            "precision": round(tp / (tp + fp), 3) if tp + fp else 1.0,
            "recall": round(tp / (tp + fn), 3) if tp + fn else 1.0,
            "recall_writeups": round(tp_w / (tp_w + fn_w), 3) if tp_w + fn_w else 1.0,
            "wrongly_joined": wrong, "left_apart": missed,
        }
    across = sum(1 for a, b in combinations(articles, 2) if a["split"] != b["split"] and story[a["id"]] == story[b["id"]])
    out["across_splits_joined"] = {"pairs": across}
    return out


def run(work: Path, exclude: frozenset[str] = frozenset()) -> dict[str, object]:
    articles = load_events(exclude=exclude)
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    with Corpus(work / "events.db") as corpus:
        ids = {a["id"]: store(corpus, a) for a in articles}
        engines = Engines(work / "no-models")  # Apertium only
        translate_articles(corpus, engines, list(ids.values()))
        engines.close()
        with corpus.transaction() as c:  # written in a language with no engine here: stored as its translation
            c.executemany(
                """UPDATE articles SET lang = ?, text_en = text, title_en = title, translation_status = 'translated'
                   WHERE id = ?""",
                [(a["as_translated"], ids[a["id"]]) for a in articles if a.get("as_translated")])
        status = {r[0]: r[1] for r in corpus.conn.execute("SELECT id, translation_status FROM articles")}
        update_stories(corpus, Thresholds.from_settings(Settings()))
        story_of = {r[0]: r[1] for r in corpus.conn.execute("SELECT id, story_id FROM articles")}
    story = {name: story_of[i] for name, i in ids.items()}
    untranslated = sorted(name for name, i in ids.items() if status[i] not in ("translated", "english"))
    return {"pairs": pair_counts(articles, story), "untranslated": untranslated,
            "stories": len(set(story.values())), "articles": len(articles), "excluded": sorted(exclude)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path("/work/bench-data/stories/events"))
    parser.add_argument("--exclude-split", action="append", default=[], metavar="NAME",
                        help="leave this split out (repeatable): e.g. a blind part while a rule is developed")
    args = parser.parse_args()
    print(json.dumps(run(args.work, frozenset(args.exclude_split))))


if __name__ == "__main__":
    main()
