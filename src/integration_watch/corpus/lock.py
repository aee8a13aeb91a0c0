"""One crawl per database at a time."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from .database import CorpusError


class CrawlLock:
    """One crawl per database at a time. flock is released by the kernel when a process dies, so a
    killed crawl never leaves a stale lock; the pid in the file only feeds the error message."""

    def __init__(self, db_path: str | Path) -> None:
        self.path = Path(f"{db_path}.crawl-lock")
        self._fd: int | None = None

    def __enter__(self) -> CrawlLock:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:  # a read-only directory: one clear line, not a traceback
            raise CorpusError(f"{self.path}: cannot create the crawl lock: {exc.strerror} (a crawl must be able to "
                              "write in the database's directory)") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise CorpusError(f"another crawl (pid {holder}) is running on this database; try again when it ends") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
