"""Crash safety and concurrency (issue 6): a real `integration-watch crawl` killed with SIGKILL at random moments,
again and again; a read-only database; searches while a crawl writes. Real processes, real SQLite files, the
fixture sites over loopback HTTP."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, write_sources
from integration_watch.cli import main
from integration_watch.corpus import Corpus
from integration_watch.fixtures import FixtureSites
from test_crawl import ARTICLES, article_by_page

KILLS = 6


def slow_sources(sites: FixtureSites, tmp: Path, delay: float) -> Path:
    text = (FIXTURES / "sources.toml").read_text()
    lines = [f"delay = {delay}" if line.startswith("delay =") else line for line in text.splitlines()]
    return write_sources(sites, tmp / "slow.toml", "\n".join(lines) + "\n")


def crawl_cmd(db: Path, sources: Path) -> list[str]:
    return [sys.executable, "-m", "integration_watch.cli", "--db", str(db), "crawl", "--sources", str(sources), "--quiet"]


def check_consistent(db: Path, context: str) -> set[str]:
    """The corpus after a kill: opens, passes SQLite's and FTS5's integrity checks, every article has its index
    row and every index row its article, no dangling references. Returns the stored article URLs."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", context
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == [], context
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "articles" not in tables:
            return set()  # killed before the schema was created: nothing to check yet
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
        ids = {i for (i,) in conn.execute("SELECT id FROM articles")}
        fts = {i for (i,) in conn.execute("SELECT rowid FROM articles_fts")}
        assert ids == fts, f"{context}: articles without index rows {ids - fts}, index rows without articles {fts - ids}"
        dangling = conn.execute(
            "SELECT count(*) FROM pages WHERE article_id IS NOT NULL AND article_id NOT IN (SELECT id FROM articles)"
        ).fetchone()[0]
        stored_without = conn.execute("SELECT count(*) FROM pages WHERE state = 'stored' AND article_id IS NULL").fetchone()[0]
        assert dangling == 0 and stored_without == 0, context
        columns = {row[1] for row in conn.execute("PRAGMA table_info(articles)")}
        if "text_en" in columns:  # the translation stage: a translated article always has its English text
            half = conn.execute(
                "SELECT count(*) FROM articles WHERE translation_status = 'translated' AND text_en IS NULL"
            ).fetchone()[0]
            assert half == 0, context
        return {u for (u,) in conn.execute("SELECT url FROM articles")}
    finally:
        conn.close()


@pytest.mark.slow
def test_kill_9_at_random_moments_loses_nothing(sites: FixtureSites, tmp_path: Path) -> None:
    seed = int(os.environ.get("IW_KILL_SEED", random.randrange(2**32)))
    print(f"kill -9 loop: seed {seed} (rerun with IW_KILL_SEED={seed})")
    rng = random.Random(seed)
    sources = slow_sources(sites, tmp_path, delay=0.3)  # a full crawl takes ~5 s: the kills land inside it
    db = tmp_path / "killed.db"
    lock = Path(f"{db}.crawl-lock")
    stored: set[str] = set()
    outcomes: list[str] = []
    pids: list[str] = []
    for kill in range(1, KILLS + 1):
        after = rng.uniform(0.3, 2.5)
        context = f"seed {seed}, kill {kill} after {after:.2f}s"
        proc = subprocess.Popen(crawl_cmd(db, sources), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                start_new_session=True)
        pids.append(str(proc.pid))
        time.sleep(after)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the crawl and its worker processes, mid-flight
            outcomes.append("killed")
        else:
            outcomes.append(f"finished ({proc.returncode})")
        proc.wait()
        stderr = proc.stderr.read().decode() if proc.stderr else ""
        if proc.stderr:
            proc.stderr.close()
        assert "another crawl" not in stderr, f"{context}: the killed run's lock was not taken over: {stderr}"
        if not db.exists():
            continue
        now_stored = check_consistent(db, context)
        assert stored <= now_stored, f"{context}: articles lost: {stored - now_stored}"
        stored = now_stored
        if lock.exists():
            # the lock file stays behind with a dead crawl's pid (this one's, or an earlier one's when this one
            # was killed before it took the lock); the next run must take it over (flock)
            assert lock.read_text() in ("", *pids), context
    assert outcomes.count("killed") >= KILLS // 2, f"seed {seed}: {outcomes}"

    final = subprocess.run(crawl_cmd(db, sources), capture_output=True, text=True, timeout=180)
    assert final.returncode == 0, f"seed {seed}: {final.stderr}"
    check_consistent(db, f"seed {seed}, final")
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == len(ARTICLES), f"seed {seed}"
    statuses = [s for (s,) in conn.execute("SELECT status FROM runs ORDER BY id")]
    assert statuses[-1] == "ok" and all(s in ("interrupted", "ok") for s in statuses[:-1]), f"seed {seed}: {statuses}"
    assert conn.execute("SELECT count(*) FROM pages WHERE state = 'queued'").fetchone()[0] == 0
    conn.close()
    for e in ARTICLES:
        assert article_by_page(db, sites, e["site"], e["path"]) is not None, f"seed {seed}: {e['path']} missing"


# --- read-only database ----------------------------------------------------------------------------


def _unprivileged() -> list[str]:
    """A command prefix under which file permissions apply: root ignores them, so as root drop the capabilities
    that override them (setpriv, util-linux) for the child."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: read-only files cannot be simulated")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner"]


@pytest.fixture(scope="module")
def crawled_folder(sites: FixtureSites, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One source crawled once through the command line; each test gets its own copy of the folder."""
    tmp = tmp_path_factory.mktemp("crawled-once")
    sources = write_sources(sites, tmp / "sources.toml")
    folder = tmp / "corpus"
    folder.mkdir()
    done = subprocess.run(crawl_cmd(folder / "c.db", sources)[:-1] + ["--source", "cpmr-news", "--quiet"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return folder, sources


@pytest.fixture
def crawled_db(crawled_folder: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    template, sources = crawled_folder
    folder = shutil.copytree(template, tmp_path / "corpus")  # the database and its crawl-lock file, as left
    return folder / "c.db", sources


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.slow
@pytest.mark.parametrize("what", ["file", "directory"])
def test_a_read_only_database_gets_one_clear_line_and_is_not_touched(crawled_db: tuple[Path, Path], what: str) -> None:
    db, sources = crawled_db
    folder = db.parent
    target = db if what == "file" else folder
    target.chmod(0o444 if what == "file" else 0o555)
    try:
        before = _snapshot(folder)
        run = subprocess.run(_unprivileged() + crawl_cmd(db, sources), capture_output=True, text=True, timeout=120)
        after = _snapshot(folder)
    finally:
        target.chmod(0o644 if what == "file" else 0o755)
    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr, run.stderr
    assert "read-only" in lines[0] or "crawl lock" in lines[0]
    assert after == before  # not a byte changed, no -wal/-shm left behind
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # and once writable again, a crawl works
    again = subprocess.run(crawl_cmd(db, sources)[:-1] + ["--source", "cpmr-news", "--quiet"], capture_output=True, text=True)
    assert again.returncode == 0, again.stderr


def test_search_reads_a_read_only_database_file(crawled_db: tuple[Path, Path]) -> None:
    db, _ = crawled_db
    db.chmod(0o444)
    try:
        run = subprocess.run(_unprivileged() + [sys.executable, "-m", "integration_watch.cli", "--db", str(db), "search",
                                                "REGIN", "--format", "json"], capture_output=True, text=True, timeout=60)
    finally:
        db.chmod(0o644)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)


# --- concurrency -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_search_and_stats_work_while_a_crawl_writes(sites: FixtureSites, tmp_path: Path) -> None:
    """WAL readers: while a crawl is storing articles, search and stats answer (exit 0) and see what has been
    committed so far, and a second crawl is refused with one clear line.

    Articles are counted with --all-copies: the default search shows one row per story, and that number
    rightly falls when the stories stage groups copies at the end of the crawl (the cause of an old flake);
    the number of committed articles a reader can find never falls."""
    sources = slow_sources(sites, tmp_path, delay=0.3)
    db = tmp_path / "busy.db"
    proc = subprocess.Popen(crawl_cmd(db, sources), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    seen_counts: list[int] = []
    refused = None
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
            try:
                with Corpus(db, readonly=True) as corpus:
                    if corpus.conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 0:
                        continue
            except Exception:
                continue  # not created yet
            result = CliRunner().invoke(main, ["--db", str(db), "search", "integration OR integrazione OR REGIN",
                                               "--format", "json", "--limit", "1000", "--all-copies"])
            assert result.exit_code == 0, result.output
            stats = CliRunner().invoke(main, ["--db", str(db), "stats", "--format", "json"])
            assert stats.exit_code == 0, stats.output
            if proc.poll() is None:
                seen_counts.append(len(json.loads(result.stdout)))
            if refused is None and proc.poll() is None:
                refused = CliRunner().invoke(main, ["--db", str(db), "crawl", "--sources", str(sources), "--quiet"])
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if proc.stderr:
            proc.stderr.close()
    assert proc.returncode == 0
    assert refused is not None and refused.exit_code == 2 and "another crawl" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert len(seen_counts) >= 3 and any(0 < n for n in seen_counts), seen_counts  # searched mid-crawl, saw articles
    assert seen_counts == sorted(seen_counts)  # committed articles never disappear from a reader's view
