"""Shared test set-up: fixture sites on real loopback HTTP, temporary databases, and no way off this machine."""

from __future__ import annotations

import functools
import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from integration_watch.cli import main
from integration_watch.config import Config, load_config
from integration_watch.corpus import ArticleRecord, Corpus
from integration_watch.crawl_report import CrawlReport
from integration_watch.routes import apertium_modes
from integration_watch.fixtures import FixtureSites, bundled_sites_dir

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
# Evaluation data (../shared/evaldata beside the checkout, or IW_EVALDATA): the tests that read it skip without it.
EVALDATA = Path(os.environ.get("IW_EVALDATA", REPO.parent / "shared" / "evaldata"))


@functools.cache
def _installed_apertium_modes() -> frozenset[str]:
    return frozenset(apertium_modes())


def skip_without_apertium(*modes: str) -> None:
    """Skip the running test, saying which, unless Apertium lists these modes (e.g. "spa-eng")."""
    missing = sorted(set(modes) - _installed_apertium_modes())
    if missing:
        pytest.skip(apertium_skip_reason(missing))


def apertium_skip_reason(missing: list[str]) -> str:
    return (f"Apertium mode {', '.join(missing)} not installed ('apertium -l' does not list it; "
            "./setup.sh test installs it)")


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """One test process per core plus one, at most four: many tests spend their time waiting (a polite crawl's
    delay, a kill -9 loop's sleeps, a subprocess starting), and the extra process uses those waits."""
    return min(4, len(os.sched_getaffinity(0)) + 1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test marked `@pytest.mark.apertium("spa-eng", ...)` calls the real Apertium binary with those
    modes: where they are not installed it is skipped with that reason, never passed without them."""
    for item in items:
        for marker in item.iter_markers("apertium"):
            missing = sorted(set(marker.args) - _installed_apertium_modes())
            if missing:
                item.add_marker(pytest.mark.skip(reason=apertium_skip_reason(missing)))


@pytest.fixture(autouse=True)
def no_network_off_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection to anything but 127.0.0.1 fails: the product must never need the internet here."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in ("127.0.0.1", "::1", "localhost"):
            raise OSError(f"test guard: network access to {host!r} is not allowed in tests")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session", autouse=True)
def warm_worker_template() -> None:
    """Build once per test process what every crawl's worker template loads (the language detector, jusText's
    stop words: ~0.5 s of CPU): the templates forked from this process inherit it, as a crawl's would from a
    long-lived parent. Crawls run as subprocesses (the kill -9 loop, the demo) still load it cold."""
    from integration_watch.analyse import prepare_workers

    prepare_workers()


@pytest.fixture
def same_day() -> None:
    """For a test that dates articles "today" and "yesterday" (UTC) and asks for the last 24 hours: started in the
    last minute of a day, it would store one day's dates and read them the next; it waits for the new day."""
    now = time.time()
    left = 86_400 - now % 86_400  # seconds to midnight UTC (Unix time has no leap seconds)
    if left < 60:
        time.sleep(left + 1)


@pytest.fixture(scope="session")
def sites() -> Iterator[FixtureSites]:
    with FixtureSites(bundled_sites_dir()) as running:
        yield running


def write_sources(sites: FixtureSites, path: Path, template: str | None = None) -> Path:
    """The fixture sources.toml (or another template) with the running origins filled in."""
    text = template if template is not None else (FIXTURES / "sources.toml").read_text()
    path.write_text(sites.render(text))
    return path


@contextmanager
def datasette_server(command: list[str]) -> Iterator[str]:
    """Run a Datasette command line (its `{port}` filled with a free port) until the block ends; yields its base
    URL once it answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    proc = subprocess.Popen([part.replace("{port}", str(port)) for part in command], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/-/versions.json", timeout=2)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"datasette did not start: {proc.stdout.read() if proc.stdout else ''}")
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()


def run(db: Path, *args: str) -> tuple[int, str, str]:
    """The command line through click's CliRunner on database `db`: exit status, stdout, stderr."""
    result = CliRunner().invoke(main, ["--db", str(db), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="session")
def crawled_db(sites: FixtureSites, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled fixture sites crawled once through the CLI (Apertium translates the Spanish; no argos
    model) into integration-watch.db, the name the Datasette metadata expects. Tests only read it."""
    tmp = tmp_path_factory.mktemp("crawled")
    db = tmp / "integration-watch.db"
    sources = write_sources(sites, tmp / "sources.toml")
    code, out, err = run(db, "--models", str(tmp / "models"), "crawl", "--sources", str(sources), "--format", "json")
    assert code == 0, err
    assert json.loads(out)["status"] == "ok"
    return db


def crawl_one_source(tmp_path: Path, source: str, *, user_agent: str = "iw-test/1.0") -> CrawlReport:
    """Crawl one `[[source]]` (its TOML lines) over loopback, with no delay, into tmp_path/c.db."""
    from integration_watch.crawl import crawl

    sources = tmp_path / "sources.toml"
    sources.write_text(f'[defaults]\ndelay = 0.0\ntimeout = 5.0\nallow_private_hosts = true\n'
                       f'user_agent = "{user_agent}"\n\n[[source]]\n{source}\n')
    with Corpus(tmp_path / "c.db") as corpus:
        return crawl(load_config(sources), corpus, workers=1)


@pytest.fixture
def fixture_config(sites: FixtureSites, tmp_path: Path) -> Config:
    return load_config(write_sources(sites, tmp_path / "sources.toml"))


def store_article(
    corpus: Corpus, url: str, text: str, lang: str, *, title: str | None = None, published: str | None = None,
    source: str = "test",
) -> int:
    """Store an article as a crawl would (one page, one transaction), for tests that need a corpus of
    hand-made articles rather than fixture sites. Every paragraph is marked as in `lang`."""
    corpus.pages.start_run([source])
    record = ArticleRecord(
        url=url, fetched_url=url, title=title, text=text, lang=lang, lang_confidence=1.0, languages=(lang,),
        paragraph_langs=tuple((i, lang) for i in range(len(text.split("\n")))), published=published, author=None,
        description=None, sitename=None, page_lang=None,
    )
    article_id, _ = corpus.pages.record_fetch(
        source=source, url=url, role="article", depth=0, state="stored", http_status=200, content_hash=url + text,
        article=record,
    )
    assert article_id is not None
    return article_id
