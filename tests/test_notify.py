"""digest --notify through Apprise, against a real HTTP server on 127.0.0.1 that stands for a chat service's
webhook: Apprise's generic JSON target (json://) posts there, and the test reads back what arrived."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytest.importorskip("apprise")

from conftest import run  # noqa: E402
from test_digest import corpus_db  # noqa: E402,F401  (the three-story corpus, as a fixture)


class Webhook(ThreadingHTTPServer):
    """Records every POST (path, JSON body); answers `status` (a service that is down answers 500)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict]] = []
        self.status = 200
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                server.received.append((self.path, json.loads(body)))
                self.send_response(server.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    server = Webhook()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _url(server: Webhook, path: str = "hooks/desk") -> str:
    return f"json://127.0.0.1:{server.server_address[1]}/{path}"


def test_the_digest_reaches_the_webhook_and_then_counts_as_delivered(corpus_db: Path, webhook: Webhook) -> None:  # noqa: F811
    code, out, err = run(corpus_db, "digest", "--notify", _url(webhook))
    assert code == 0, err
    assert out == "" and "digest sent to json://127.0.0.1" in err
    ((path, message),) = webhook.received
    assert path == "/hooks/desk"
    assert message["title"].startswith("integration-watch digest, ")
    # the digest itself, in Markdown: every story's headline and the link to each original
    assert "Partnership launched" in message["message"] and "Call for proposals: migrant women" in message["message"]
    assert "https://malaga.example/alianza" in message["message"]
    # delivered: nothing new the next time, and nothing is sent on a day without news
    code, out, _ = run(corpus_db, "digest", "--notify", _url(webhook))
    assert code == 0 and out.startswith("nothing new") and len(webhook.received) == 1
    code, out, _ = run(corpus_db, "stats")
    assert "notify json://127.0.0.1" in out


def test_a_digest_no_target_took_is_not_delivered(corpus_db: Path, webhook: Webhook) -> None:  # noqa: F811
    webhook.status = 500
    code, _, err = run(corpus_db, "digest", "--notify", _url(webhook))
    assert code == 2 and "not marked delivered" in err and len(webhook.received) == 1
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    code, _, err = run(corpus_db, "digest", "--notify", f"json://127.0.0.1:{closed}/x")
    assert code == 2 and "not marked delivered" in err
    # the same stories go out once the service is back
    webhook.status = 200
    code, _, err = run(corpus_db, "digest", "--notify", _url(webhook))
    assert code == 0, err
    assert "Partnership launched" in webhook.received[-1][1]["message"]


def test_one_failing_target_leaves_the_others_delivered(corpus_db: Path, webhook: Webhook) -> None:  # noqa: F811
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    code, _, err = run(corpus_db, "digest", "--notify", _url(webhook), "--notify", f"json://127.0.0.1:{closed}/x")
    assert code == 0 and f"warning: json://127.0.0.1:{closed}" in err and len(webhook.received) == 1


@pytest.mark.parametrize("args", [["--notify", "nosuchservice://x"], ["--notify", "json://127.0.0.1:1/x", "--dry-run"]])
def test_an_unusable_target_is_refused_before_any_work(corpus_db: Path, args: list[str]) -> None:  # noqa: F811
    code, _, err = run(corpus_db, "digest", *args)
    assert code == 2 and ("not a URL Apprise can send to" in err or "leave out --notify" in err), err
