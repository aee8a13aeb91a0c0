"""`models install LANG`: downloading from an argos package index, proven against an index and packages served
from 127.0.0.1 (the argos index cannot be reached here, and no registry ships argos models): the index is
argos's JSON format, the package a generated random-weight one (tests/argos_package.py). The server can cut
a download half-way, ignore Range requests, or serve corrupt bytes, as a real network or mirror might.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from argos_package import build_argos_package
from integration_watch.cli import main
from integration_watch.engines import ModelError
from integration_watch.models import install_argos_from_index


@dataclass
class Mirror:
    package: bytes
    entries: list[dict[str, object]] = field(default_factory=list)
    cut_first: int = 0  # this many package responses stop half-way
    ranges: bool = True  # honour Range requests (206)
    corrupt: bool = False  # flip bytes in the middle of the package
    requests: list[str] = field(default_factory=list)  # the Range header of each package request ("" for none)


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return build_argos_package(tmp_path_factory.mktemp("pkg"), from_code="el", to_code="en", seed=4,
                               package_version="1.1").read_bytes()


@pytest.fixture
def mirror(package: bytes) -> Iterator[tuple[Mirror, str]]:
    state = Mirror(package)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.path == "/index.json":
                body = json.dumps(state.entries).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if self.path != "/packages/translate-el_en-1_1.argosmodel":
                self.send_error(404)
                return
            data = state.package
            if state.corrupt:
                middle = len(data) // 2
                data = data[:middle] + bytes(b ^ 0xFF for b in data[middle:middle + 64]) + data[middle + 64:]
            asked = self.headers.get("Range") or ""
            state.requests.append(asked)
            start = int(asked.removeprefix("bytes=").rstrip("-")) if asked and state.ranges else 0
            self.send_response(206 if start else 200)
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.send_header("Content-Length", str(len(data) - start))
            self.end_headers()
            if state.cut_first:
                state.cut_first -= 1
                self.wfile.write(data[start:start + (len(data) - start) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(data[start:])

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    state.entries = [
        {"package_type": "translate", "type": "translate", "code": "translate-el_en", "from_code": "el",
         "from_name": "Greek", "to_code": "en", "to_name": "English", "package_version": "1.1",
         "argos_version": "1.0", "links": [f"{base}/packages/translate-el_en-1_1.argosmodel"]},
        {"package_type": "translate", "type": "translate", "from_code": "el", "to_code": "en",
         "package_version": "1.0", "links": [f"{base}/packages/old.argosmodel"]},  # older: not chosen
        {"package_type": "translate", "type": "translate", "from_code": "en", "to_code": "sv",
         "package_version": "1.0", "links": [f"{base}/packages/en_sv.argosmodel"]},
    ]
    try:
        yield state, f"{base}/index.json"
    finally:
        server.shutdown()
        server.server_close()


def _install(models: Path, index: str, *codes: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--models", str(models), "models", "install", "--index", index, *codes])
    return result.exit_code, result.stdout, result.stderr


def _nothing_installed(models: Path) -> bool:
    argos = models / "argos"
    return not argos.exists() or not [p for p in argos.iterdir()] and not list(models.glob(".download-*"))


def test_install_by_language_downloads_the_newest_package_with_progress_and_installs_it(
    mirror: tuple[Mirror, str], tmp_path: Path
) -> None:
    state, index = mirror
    seen: list[tuple[str, int, int | None]] = []
    installed = install_argos_from_index(["el"], tmp_path / "models", index_url=index,
                                         on_progress=lambda *args: seen.append(args))
    assert [(p.source, p.target, p.version) for p in installed] == [("el", "en", "1.1")]
    sizes = [done for _, done, _ in seen]
    assert sizes == sorted(sizes) and sizes[-1] == len(state.package)
    assert {label for label, _, _ in seen} == {"argos el-en 1.1"} and {t for *_, t in seen} == {len(state.package)}
    assert not list((tmp_path / "models").glob(".download-*"))  # the download was staged and cleaned up
    code, out, err = _install(tmp_path / "models2", index, "el")
    assert code == 0, err
    assert "installed argos el-en 1.1" in out
    listing = CliRunner().invoke(main, ["--models", str(tmp_path / "models2"), "models", "list", "--format", "json"])
    assert any(p["engine"] == "argos" and p["source"] == "el" for p in json.loads(listing.stdout)["pairs"])


def test_a_cut_download_is_resumed_where_it_stopped(mirror: tuple[Mirror, str], tmp_path: Path) -> None:
    state, index = mirror
    state.cut_first = 2
    code, out, err = _install(tmp_path / "models", index, "el")
    assert code == 0, err
    half = len(state.package) // 2
    quarter = half + (len(state.package) - half) // 2
    assert state.requests == ["", f"bytes={half}-", f"bytes={quarter}-"]  # each resumed where it was cut


def test_a_download_cut_every_time_fails_cleanly_and_installs_nothing(
    mirror: tuple[Mirror, str], tmp_path: Path
) -> None:
    state, index = mirror
    state.cut_first, state.ranges = 100, False
    code, _, err = _install(tmp_path / "models", index, "el")
    assert code == 2 and "connection cut after" in err and "4 attempts; nothing was installed" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert len(state.requests) == 4 and _nothing_installed(tmp_path / "models")


def test_corrupt_or_unverified_bytes_are_never_installed(mirror: tuple[Mirror, str], tmp_path: Path) -> None:
    state, index = mirror
    state.corrupt = True
    code, _, err = _install(tmp_path / "models", index, "el")
    assert code == 2 and "corrupt archive member" in err and _nothing_installed(tmp_path / "models")
    # a mirror's index may carry the package's SHA-256: a package that does not match it is refused
    state.corrupt = False
    state.entries[0]["sha256"] = hashlib.sha256(b"another package").hexdigest()
    with pytest.raises(ModelError, match="SHA-256 .* is not the index's"):
        install_argos_from_index(["el"], tmp_path / "models", index_url=index)
    assert _nothing_installed(tmp_path / "models")
    state.entries[0]["sha256"] = hashlib.sha256(state.package).hexdigest()
    assert install_argos_from_index(["el"], tmp_path / "models", index_url=index)[0].version == "1.1"


def test_a_language_the_index_does_not_have_is_a_clear_error_before_any_download(
    mirror: tuple[Mirror, str], tmp_path: Path
) -> None:
    state, index = mirror
    code, _, err = _install(tmp_path / "models", index, "el", "mt")
    assert code == 2 and "has no mt→en package; it has el (→en)" in err
    assert state.requests == [] and _nothing_installed(tmp_path / "models")
