"""Reliability on the hostile web (issue 6): what the crawl does with each misbehaving server, how long it takes,
how much memory; and a kill -9 loop.

    python bench/bench_hostile.py [--kills 8] [--seed N]

Each hostile case of tests/hostile_server.py (a raw asyncio server on 127.0.0.1, one port per case) is crawled
as its own source by the real CLI in a child process, into a fresh SQLite file, with the cases' settings
(timeout 1 s, 1 retry, 1 MB body limit, Retry-After up to 2 s). Time is the child's wall time including start-up
(~1 s of imports and worker start); peak memory is the largest ru_maxrss among the crawl's processes (os.wait4
of the child: the main process or a worker, whichever peaked higher). A well-behaved article served the same
way gives the baseline.

The kill -9 loop runs the CLI crawl of the fixture sites (politeness delay 0.3 s, so a full crawl takes
seconds), SIGKILLs its process group at a random moment (seeded), and checks the corpus after each kill:
PRAGMA integrity_check and foreign_key_check, the FTS5 integrity-check, every article with its index row and
every index row with its article, and no article stored before the kill missing after it. A final complete
crawl must then hold every expected article of fixtures/expected.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from hostile_server import CASES, STORY, Case, HostileServer, respond, serve_cases, sources_toml  # noqa: E402

from integration_watch.fixtures import FixtureSites, bundled_sites_dir  # noqa: E402


def run_child(cmd: list[str], timeout: float = 300) -> tuple[int, float, float, str]:
    """Run a command; (exit status, wall seconds, peak RSS MB of its largest process, stderr)."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    return proc.returncode, time.monotonic() - started, usage.ru_maxrss / 1024, stderr


def crawl_cmd(db: Path, sources: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "integration_watch.cli", "--db", str(db), "crawl", "--sources", str(sources),
            "--quiet", "--workers", "2", *extra]


def outcome(db: Path, url: str) -> str:
    conn = sqlite3.connect(db)
    row = conn.execute("SELECT state, error, reason FROM pages WHERE url = ?", (url,)).fetchone()
    conn.close()
    if row is None:
        return "not recorded"
    state, error, reason = row
    detail = error or reason or ""
    return f"{state}: {detail}" if detail else state


def hostile_table(tmp: Path) -> list[dict[str, object]]:
    baseline = Case("baseline", "a well-behaved article", lambda o, x: {"/a/story.html": respond(200, STORY.encode())},
                    "stored", "")
    cases = (baseline, *CASES)
    rows: list[dict[str, object]] = []
    with HostileServer() as server:
        running = serve_cases(server, cases)
        sources = tmp / "hostile.toml"
        sources.write_text(sources_toml(running, cases))
        for case in cases:
            db = tmp / f"{case.name}.db"
            code, seconds, peak, stderr = run_child(crawl_cmd(db, sources, "--source", f"h-{case.name}"))
            got = outcome(db, running.origins[case.name] + case.target)
            expected_ok = got.startswith(case.state) and case.says in got
            rows.append({"case": case.name, "what": case.what, "outcome": got, "exit": code, "seconds": seconds,
                         "peak_mb": peak, "as_expected": expected_ok, "traceback": "Traceback" in stderr})
            print(f"  {case.name}: exit {code}, {seconds:.1f}s, {peak:.0f} MB, {got[:90]}", file=sys.stderr)
    return rows


def check_corpus(db: Path) -> tuple[bool, set[str], str]:
    """(consistent, article URLs, what failed)."""
    try:
        conn = sqlite3.connect(db)
        try:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                return False, set(), "integrity_check"
            if conn.execute("PRAGMA foreign_key_check").fetchall():
                return False, set(), "foreign_key_check"
            tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "articles" not in tables:
                return True, set(), ""
            conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
            ids = {i for (i,) in conn.execute("SELECT id FROM articles")}
            if ids != {i for (i,) in conn.execute("SELECT rowid FROM articles_fts")}:
                return False, set(), "articles vs articles_fts"
            return True, {u for (u,) in conn.execute("SELECT url FROM articles")}, ""
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return False, set(), f"sqlite: {exc}"


@dataclass
class KillLoop:
    seed: int
    kills: int = 0
    finished_before_kill: int = 0
    checks: int = 0
    checks_passed: int = 0
    articles_lost: int = 0
    refused_after_kill: int = 0
    failures: list[str] = field(default_factory=list)
    final_exit: int = -1
    final_consistent: bool = False
    expected: int = 0
    found: int = 0


def kill_loop(tmp: Path, kills: int, seed: int) -> KillLoop:
    rng = random.Random(seed)
    expected = [e for e in json.loads((REPO / "fixtures" / "expected.json").read_text())
                if e["kind"] == "article" and not e.get("robots_disallowed")]
    template = (REPO / "fixtures" / "sources.toml").read_text()
    template = "\n".join("delay = 0.3" if line.startswith("delay =") else line for line in template.splitlines())
    db = tmp / "killed.db"
    loop = KillLoop(seed, expected=len(expected))
    with FixtureSites(bundled_sites_dir()) as sites:
        sources = tmp / "slow.toml"
        sources.write_text(sites.render(template))
        stored: set[str] = set()
        for _ in range(kills):
            with tempfile.TemporaryFile() as err:
                proc = subprocess.Popen(crawl_cmd(db, sources), stdout=subprocess.DEVNULL, stderr=err,
                                        start_new_session=True)
                time.sleep(rng.uniform(0.3, 2.5))
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGKILL)
                    loop.kills += 1
                else:
                    loop.finished_before_kill += 1
                proc.wait()
                err.seek(0)
                loop.refused_after_kill += b"another crawl" in err.read()
            if not db.exists():
                continue
            loop.checks += 1
            ok, urls, failed = check_corpus(db)
            loop.checks_passed += ok
            if not ok:
                loop.failures.append(failed)
            loop.articles_lost += len(stored - urls)
            stored |= urls
        loop.final_exit, _, _, _ = run_child(crawl_cmd(db, sources))
        loop.final_consistent, urls, _ = check_corpus(db)
        loop.articles_lost += len(stored - urls)
        conn = sqlite3.connect(db)
        loop.found = sum(
            1 for e in expected
            if conn.execute("SELECT 1 FROM pages p JOIN articles a ON a.id = p.article_id WHERE p.url = ?",
                            (sites.origins[e["site"]] + e["path"],)).fetchone()
        )
        conn.close()
    return loop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=8)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        rows = hostile_table(tmp)
        loop = kill_loop(tmp, args.kills, seed)

    print("| case | server does | what the crawl recorded (pages.state: error or reason) | exit | time | peak RSS |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        flag = "" if r["as_expected"] else " **(unexpected)**"
        flag += " **(traceback)**" if r["traceback"] else ""
        text = str(r["outcome"]).replace("|", "\\|")
        print(f"| {r['case']} | {r['what']} | {text}{flag} | {r['exit']} | {r['seconds']:.1f} s | {r['peak_mb']:.0f} MB |")
    print()
    print(f"kill -9 loop (seed {loop.seed}): {loop.kills} kills ({loop.finished_before_kill} runs finished before "
          f"their kill), {loop.checks_passed}/{loop.checks} integrity checks passed"
          + (f" (failed: {', '.join(loop.failures)})" if loop.failures else "")
          + f", {loop.refused_after_kill} runs refused by a stale lock, {loop.articles_lost} articles lost; final crawl "
          f"exit {loop.final_exit}, consistent: {loop.final_consistent}, {loop.found}/{loop.expected} expected articles stored")

if __name__ == "__main__":
    main()
