"""A small server on 127.0.0.1 that speaks the documented LibreTranslate API: `GET /languages` and
`POST /translate` with `q` a string or a list, `source`, `target`, `api_key`; errors as `{"error": ...}`.

LibreTranslate itself cannot run here (its argos models cannot be downloaded), so this stands in for it in the
tests and in bench_translate.py. Its "translation" is, after "[en]", the sentence's words in reverse order,
numbers as they are and every other word as its length ("w7"): nothing like the source (the stage takes it
as a translation, as it would a real one) and particular to each numbered sentence, so a test can tell which
sentence an answer belongs to. It can also be slow, fail, or drop a sentence, as a real server might.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


def fake_translation(sentence: str) -> str:
    return "[en] " + " ".join(w if w.isdigit() else f"w{len(w)}" for w in reversed(sentence.split()))


@dataclass
class Behaviour:
    """What the server does; tests change it while it runs."""

    languages: dict[str, list[str]] = field(default_factory=lambda: {"el": ["en"], "it": ["en", "es"], "en": ["el", "it"]})
    api_key: str | None = None  # required when set
    delay: float = 0.0  # seconds before each /translate answer
    fail_next: int = 0  # this many /translate requests answer 503 first
    fail_after: int | None = None  # after this many answered /translate requests, every one answers 503
    drop_last: bool = False  # answer one translation fewer than asked for
    requests: int = 0  # /translate requests answered
    sentences: int = 0  # sentences translated


class LibreTranslateStandIn:
    def __init__(self) -> None:
        self.behaviour = Behaviour()
        behaviour = self.behaviour
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: object) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path != "/languages":
                    return self._send(404, {"error": "Not Found"})
                self._send(200, [{"code": code, "name": code, "targets": targets}
                                 for code, targets in behaviour.languages.items()])

            def do_POST(self) -> None:
                if self.path != "/translate":
                    return self._send(404, {"error": "Not Found"})
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                time.sleep(behaviour.delay)
                with lock:
                    if behaviour.fail_next or (behaviour.fail_after is not None
                                               and behaviour.requests >= behaviour.fail_after):
                        behaviour.fail_next = max(0, behaviour.fail_next - 1)
                        return self._send(503, {"error": "Service Unavailable"})
                if behaviour.api_key and body.get("api_key") != behaviour.api_key:
                    return self._send(403, {"error": "Invalid API key"})
                source, target, q = body.get("source"), body.get("target"), body.get("q")
                if target not in behaviour.languages.get(source, []):
                    return self._send(400, {"error": f"{source} is not supported"})
                sentences = q if isinstance(q, list) else [q]
                out = [fake_translation(s) for s in sentences]
                if behaviour.drop_last:
                    out = out[:-1]
                with lock:
                    behaviour.requests += 1
                    behaviour.sentences += len(out)
                self._send(200, {"translatedText": out if isinstance(q, list) else out[0]})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LibreTranslateStandIn:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
