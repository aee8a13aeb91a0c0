"""Installing argos packages: from a .argosmodel file anywhere, or by language code from the argos package
index where there is internet. Nothing is visible in the models folder before it has been checked and loaded."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from . import __version__
from .engines import ArgosEngine, ModelError, argos_dir, argos_package_module

TARGET = "en"
MAX_MODEL_BYTES = 2 * 1024**3
DOWNLOAD_TIMEOUT = 60.0  # seconds per request phase (connect, each read)
DOWNLOAD_ATTEMPTS = 4  # a cut download is resumed (HTTP Range) this many times in all


@dataclass(frozen=True)
class Installed:
    """An argos package as installed."""

    source: str
    target: str
    version: str
    location: str


def _validate_argos_zip(path: Path) -> str:
    """The top-level folder of a well-formed .argosmodel, or ModelError saying what is wrong."""
    if not zipfile.is_zipfile(path):
        raise ModelError(f"{path}: not an argos model (not a zip archive)")
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        tops = {n.split("/", 1)[0] for n in names if n.strip("/")}
        if len(tops) != 1 or any(n.startswith("/") or ".." in n.split("/") for n in names):
            raise ModelError(f"{path}: not an argos model (expected one top-level folder)")
        top = tops.pop()
        if f"{top}/metadata.json" not in names:
            raise ModelError(f"{path}: not an argos model (no {top}/metadata.json)")
        try:
            meta = json.loads(archive.read(f"{top}/metadata.json"))
        except (ValueError, zipfile.BadZipFile) as exc:
            raise ModelError(f"{path}: unreadable metadata.json: {exc}") from None
        if not isinstance(meta, dict) or not meta.get("from_code") or not meta.get("to_code"):
            raise ModelError(f"{path}: metadata.json lacks from_code/to_code")
        if f"{top}/model/model.bin" not in names:
            raise ModelError(f"{path}: no CTranslate2 model (model/model.bin) in the package")
        if f"{top}/sentencepiece.model" not in names and f"{top}/bpe.model" not in names:
            raise ModelError(f"{path}: no tokenizer (sentencepiece.model or bpe.model) in the package")
        if sum(i.file_size for i in archive.infolist()) > MAX_MODEL_BYTES:
            raise ModelError(f"{path}: unpacks to more than {MAX_MODEL_BYTES // 1024**3} GiB")
        bad = archive.testzip()
        if bad is not None:
            raise ModelError(f"{path}: corrupt archive member {bad}")
    return top


def install_argos_file(path: Path, models_dir: Path) -> Installed:
    """Install a .argosmodel file. All checks pass before anything becomes visible: the package is unpacked
    beside its destination, loaded with argostranslate and CTranslate2, then moved into place in one rename."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"{path}: no such file")
    top = _validate_argos_zip(path)
    dest_root = argos_dir(models_dir)
    try:
        dest_root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".install-", dir=dest_root))
    except OSError as exc:
        raise ModelError(f"cannot install into {dest_root}: {exc.strerror or exc}") from None
    try:
        with zipfile.ZipFile(path) as archive:
            archive.extractall(staging)
        unpacked = staging / top
        argos_package = argos_package_module(models_dir)
        try:
            package = argos_package.Package(unpacked)
        except (OSError, ValueError) as exc:
            raise ModelError(f"{path}: argostranslate cannot read the package: {exc}") from None
        engine = ArgosEngine(package)
        engine.load()  # a model CTranslate2 cannot load must not be installed
        engine.close()
        target = dest_root / f"translate-{package.from_code}_{package.to_code}"
        previous = staging / "previous"
        if target.exists():
            target.rename(previous)  # replaced as a whole: never a mix of two versions' files
        try:
            unpacked.rename(target)
        except OSError:
            if previous.exists():
                previous.rename(target)
            raise
        return Installed(package.from_code, package.to_code, package.package_version, str(target))
    except OSError as exc:  # a full disk, permissions: what was installed before stays as it was
        raise ModelError(f"{path}: cannot install into {dest_root}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


Progress = Callable[[str, int, int | None], None]  # (what, bytes so far, total bytes when known)


def install_argos_from_index(
    codes: list[str], models_dir: Path, *, index_url: str, on_progress: Progress | None = None
) -> list[Installed]:
    """Download and install the X→English package for each language code from the argos package index.

    Each package is downloaded into the models folder's staging area, its size checked against what the
    server announced (and its SHA-256 when the index entry gives one: argos's own index does not), resumed
    where a cut connection left it (HTTP Range, up to DOWNLOAD_ATTEMPTS times), then installed as a file is:
    checked and loaded before one rename makes it visible. Whatever fails leaves no partial file behind."""
    headers = {"User-Agent": f"integration-watch/{__version__} (models install)"}
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelError(f"cannot create {models_dir}: {exc.strerror or exc}") from None
    try:
        with httpx.Client(timeout=DOWNLOAD_TIMEOUT, follow_redirects=True, headers=headers) as client:
            index = _fetch_index(client, index_url)
            entries = [_entry_for(index, code, index_url) for code in codes]  # every code known before a download
            installed = []
            for code, entry in zip(codes, entries, strict=True):
                with tempfile.TemporaryDirectory(prefix=".download-", dir=models_dir) as tmp:
                    file = Path(tmp) / f"{code}_{TARGET}.argosmodel"
                    _download(client, entry, file, on_progress)
                    installed.append(install_argos_file(file, models_dir))
            return installed
    except httpx.HTTPError as exc:
        raise ModelError(
            f"cannot download from the argos package index ({exc}); "
            "on a machine without internet, install from a .argosmodel file"
        ) from None


def _fetch_index(client: httpx.Client, url: str) -> list[dict[str, Any]]:
    response = client.get(url)
    response.raise_for_status()
    try:
        index = response.json()
    except ValueError:
        raise ModelError(f"{url}: the package index is not JSON") from None
    if not isinstance(index, list):
        raise ModelError(f"{url}: unexpected package index format")
    return [e for e in index if isinstance(e, dict)]


def _entry_for(index: list[dict[str, Any]], code: str, url: str) -> dict[str, Any]:
    """The newest code→English translate package of the index, or ModelError naming the languages it has."""
    found = [e for e in index if e.get("from_code") == code and e.get("to_code") == TARGET
             and e.get("type", "translate") == "translate"]
    if not found:
        known = sorted({str(e["from_code"]) for e in index if e.get("to_code") == TARGET and e.get("from_code")})
        raise ModelError(f"the argos package index ({url}) has no {code}→{TARGET} package; it has "
                         + (", ".join(known) or "none") + f" (→{TARGET})")
    return max(found, key=lambda e: _version_key(str(e.get("package_version", ""))))


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else -1 for part in version.split("."))


def _download(client: httpx.Client, entry: dict[str, Any], dest: Path, on_progress: Progress | None) -> None:
    links = [link for link in entry.get("links") or [] if isinstance(link, str) and link.startswith(("http://", "https://"))]
    if not links:
        raise ModelError(f"{entry.get('from_code')}→{TARGET}: the index lists no download link")
    url = links[0]
    label = f"argos {entry.get('from_code')}-{TARGET} {entry.get('package_version', '')}".strip()
    total: int | None = None
    problem = ""
    with dest.open("wb") as out:
        for _ in range(DOWNLOAD_ATTEMPTS):
            have = out.tell()
            request_headers = {"Range": f"bytes={have}-"} if have else {}
            try:
                with client.stream("GET", url, headers=request_headers) as response:
                    response.raise_for_status()
                    if have and response.status_code != 206:  # the server ignores Range: start again
                        out.seek(0)
                        out.truncate()
                        have = 0
                    length = response.headers.get("Content-Length")
                    if length and length.isdigit():
                        total = have + int(length)
                        if total > MAX_MODEL_BYTES:
                            raise ModelError(f"{url}: larger than {MAX_MODEL_BYTES // 1024**3} GiB")
                    for chunk in response.iter_bytes():
                        out.write(chunk)
                        if out.tell() > MAX_MODEL_BYTES:
                            raise ModelError(f"{url}: larger than {MAX_MODEL_BYTES // 1024**3} GiB")
                        if on_progress:
                            on_progress(label, out.tell(), total)
            except (httpx.TransportError, httpx.RemoteProtocolError) as exc:
                problem = f"connection cut after {out.tell():,} of {total or '?'} bytes ({exc.__class__.__name__})"
                continue
            if total is None or out.tell() == total:
                break
            problem = f"connection cut after {out.tell():,} of {total:,} bytes"
        else:
            raise ModelError(f"{url}: {problem}, {DOWNLOAD_ATTEMPTS} attempts; nothing was installed")
    size = dest.stat().st_size
    if total is not None and size != total:
        raise ModelError(f"{url}: {size:,} bytes downloaded, the server announced {total:,}; nothing was installed")
    expected = entry.get("sha256")
    if isinstance(expected, str) and expected:
        digest = hashlib.sha256()
        with dest.open("rb") as data:
            for block in iter(lambda: data.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != expected.lower():
            raise ModelError(f"{url}: SHA-256 {digest.hexdigest()} is not the index's {expected}; nothing was installed")
