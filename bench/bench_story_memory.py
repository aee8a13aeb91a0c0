"""The story stage's memory as pages grow: peak PSS of `integration-watch recluster` on corpora whose articles
all fall in one story window (the shape a crawl of one site over a few weeks gives, and the worst case: every
article is a neighbour of every other).

    python bench/bench_story_memory.py [--sizes 2000,10000] [--words 400] [--baseline REV] [--work DIR]

Articles are bench_stories.py's synthetic ones (random FLORES devtest sentences with 40% of their words replaced,
10 languages, the English stored as translation, 5% near-copies), --words words each, published over 30 days.
`recluster` runs through the real CLI in a subprocess; its process tree (main process and the signing processes)
is sampled every 50 ms from /proc (bench_crawl.py's sampler): peak PSS, who held it, max RSS of the main process,
seconds. With --baseline REV the code of that revision reclusters the same database in the same run (alternating
which goes first), and the two story assignments are compared (same story for every article, numbers included).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from bench_crawl import tree_memory_kib  # noqa: E402
from bench_stories import Generator, baseline_source, fill, reset_dir  # noqa: E402

from integration_watch.corpus import Corpus  # noqa: E402

WINDOW_DAYS = 30


def build(path: Path, multiway: Path, n: int, words: int, seed: int) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    gen = Generator(multiway, seed)
    gen.words = words
    with Corpus(path) as corpus:
        fill(corpus, gen, n, date.today() - timedelta(days=WINDOW_DAYS), -(-n // WINDOW_DAYS), 0)


def recluster(path: Path, src: Path | None) -> dict[str, object]:
    """`recluster` on `path` with the code under `src` (this checkout's when None), its tree's memory sampled."""
    env = dict(os.environ, PYTHONPATH=str(src if src is not None else REPO / "src"))
    cmd = [sys.executable, "-c", "import sys; from integration_watch.cli import main; sys.exit(main())",
           "--db", str(path), "recluster"]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_pss = peak_main_rss = 0
    held = ""
    while proc.poll() is None:
        _, pss, by_program = tree_memory_kib(proc.pid)
        if pss > peak_pss:
            peak_pss = pss
            held = ", ".join(f"{name} {kib / 1024:.0f}" for name, kib in sorted(by_program.items(), key=lambda kv: -kv[1]))
        try:
            rss = next(int(line.split()[1]) for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines()
                       if line.startswith("VmHWM:"))
            peak_main_rss = max(peak_main_rss, rss)
        except (OSError, StopIteration):
            pass
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"recluster failed ({proc.returncode}): {err}")
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT id, story_id FROM articles ORDER BY id").fetchall()
    conn.close()
    return {"seconds": round(seconds, 2), "peak_pss_mb": round(peak_pss / 1024), "held_by_mb": held,
            "main_max_rss_mb": round(peak_main_rss / 1024),
            "stories": len({s for _, s in rows}),
            "assignment": hashlib.sha256(repr(rows).encode()).hexdigest()[:16]}


def main() -> None:
    evaldata = Path(os.environ.get("IW_EVALDATA", REPO.parent / "shared" / "evaldata"))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2000,10000")
    parser.add_argument("--words", type=int, default=400, help="words per article")
    parser.add_argument("--multiway", type=Path, default=evaldata / "mt" / "flores200_devtest" / "multiway_eu24.jsonl.gz")
    parser.add_argument("--work", type=Path, default=Path("/work/bench-data/stories/memory"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--baseline", metavar="REV", help="also run the code of this git revision on the same corpora")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    base_src = baseline_source(args.baseline, reset_dir(args.work / "baseline")) if args.baseline else None
    for k, n in enumerate(int(s) for s in args.sizes.split(",")):
        path = args.work / f"memory-{n}.db"
        build(path, args.multiway, n, args.words, args.seed)
        runs = [("this code", None), ("baseline " + str(args.baseline), base_src)] if base_src else [("this code", None)]
        if k % 2:
            runs.reverse()
        results = {name: recluster(path, src) for name, src in runs}
        row: dict[str, object] = {"articles": n, "words": args.words, **results}
        if base_src is not None:
            row["same_stories"] = len({r["assignment"] for r in results.values()}) == 1  # type: ignore[index]
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
