"""How quickly the command line starts: process time (user + system CPU) of `--help`, `search` and a few
other commands on a small corpus, against `python -c pass` measured in the same run.

    python bench/bench_startup.py [--articles 300] [--runs 7]

Each command runs as its own process, as a user or cron runs it; its CPU time comes from wait4(2), so other
load on the machine changes it far less than wall-clock time (wall time is printed too). The corpus is built
in a temporary folder: `--articles` hand-made articles in four languages, stored as a crawl stores them (full
text index included). Goal (issue 17): `--help` and `search` within 0.4 s of process time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from integration_watch.corpus import ArticleRecord, Corpus

WORDS = {
    "en": "the regional integration strategy for migrants and refugees was presented to the city council today",
    "it": "la strategia regionale di integrazione dei migranti è stata presentata oggi al consiglio comunale",
    "es": "la estrategia regional de integración de migrantes fue presentada hoy al consejo municipal",
    "el": "η περιφερειακή στρατηγική ένταξης των μεταναστών παρουσιάστηκε σήμερα στο δημοτικό συμβούλιο",
}
GOAL = 0.4


def build_corpus(path: Path, articles: int) -> None:
    with Corpus(path) as corpus:
        corpus.pages.start_run(["bench"])
        langs = list(WORDS)
        for i in range(articles):
            lang = langs[i % len(langs)]
            text = "\n".join(f"{WORDS[lang]} {i} {j}." for j in range(8))
            url = f"https://bench.example/{lang}/{i}"
            record = ArticleRecord(url=url, fetched_url=url, title=f"{WORDS[lang][:40]} {i}", text=text, lang=lang,
                                   lang_confidence=1.0, languages=(lang,), paragraph_langs=((0, lang),),
                                   published=f"2021-{1 + i % 12:02d}-{1 + i % 28:02d}", author=None, description=None,
                                   sitename=None, page_lang=lang)
            corpus.pages.record_fetch(source="bench", url=url, role="article", depth=1, state="stored",
                                      http_status=200, content_hash=url, article=record)


def cpu_seconds(argv: list[str]) -> tuple[float, float]:
    """(user + system CPU seconds, wall seconds) of one process running argv."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited with {process.returncode}")
    return usage.ru_utime + usage.ru_stime, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    cli = [sys.executable, "-c", "import sys; sys.argv[0] = 'integration-watch'; "
                                 "from integration_watch.cli import main; main()"]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "small.db"
        build_corpus(db, args.articles)
        cases = {
            "python -c pass (baseline)": [sys.executable, "-c", "pass"],
            "--help": [*cli, "--help"],
            "search 'integration strategy'": [*cli, "--db", str(db), "search", "integration strategy"],
            "search 'migra*' --count --by lang": [*cli, "--db", str(db), "search", "migra*", "--count", "--by", "lang"],
            "stories": [*cli, "--db", str(db), "stories"],
            "digest --dry-run": [*cli, "--db", str(db), "digest", "--dry-run", "--since", "2021"],
        }
        results: dict[str, tuple[float, float]] = {}
        for name, argv in cases.items():
            cpu_seconds(argv)  # warm the page cache and the .pyc files
            runs = [cpu_seconds(argv) for _ in range(args.runs)]
            results[name] = (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
    base = results["python -c pass (baseline)"][0]
    print(f"corpus: {args.articles} articles; median of {args.runs} runs; process time = user + system CPU")
    print(f"{'command':36} {'process s':>10} {'- baseline':>10} {'wall s':>8}  goal")
    for name, (cpu, wall) in results.items():
        goal = "" if name.startswith("python") or name not in ("--help", "search 'integration strategy'") else (
            "ok" if cpu <= GOAL else f"MISSED (> {GOAL} s)")
        print(f"{name:36} {cpu:10.3f} {cpu - base:10.3f} {wall:8.3f}  {goal}")


if __name__ == "__main__":
    main()
