"""Handing freed memory back to the system.

glibc keeps what a process frees in its heap for later reuse, so a process that once parsed a large page
or built a large table stays at its high-water mark. The crawl's long-lived processes call this at points
where much was just freed, so their size follows what they hold, not what they once held.
"""

from __future__ import annotations

import ctypes
from functools import lru_cache


@lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim  # noqa: B018 - glibc only
    except (OSError, AttributeError):
        return None
    return libc


def release_freed_memory() -> None:
    """Return the heap's free pages to the system (glibc's malloc_trim); a no-op on other C libraries."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
