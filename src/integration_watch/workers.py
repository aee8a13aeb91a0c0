"""Worker processes for the crawl's CPU-bound stage, with a time limit per task.

`concurrent.futures.ProcessPoolExecutor` cannot stop a task once it runs: one page that makes the
extractor spin would hold its worker, then the crawl, then the crawl lock, and every later cron run would
exit with "another crawl is running". Here each worker is a forked process with its own pipe; a task that
uses more than its CPU-time limit (or, as a backstop, far more than it in wall time: a worker stuck
without using CPU) is abandoned: the worker is killed and a fresh one forked in its place.

The pool is driven from the crawl's event loop without threads: a task's result is awaited as the pipe
becoming readable.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

# The backstop for a worker stuck without using CPU: a task may take this many times its CPU limit in wall
# time, and at least WALL_FLOOR seconds (a busy machine gives a worker a small share of a core).
WALL_FACTOR = 20.0
WALL_FLOOR = 120.0
# A worker is replaced by a fresh fork after this many tasks: the extractor's heap only grows (~0.4 MB PSS a
# real page: a worker reached 110 MB within 200 pages; a fresh one shares nearly all its memory with the
# crawl), so a crawl's memory stays flat however many pages it reads. A fork costs a few milliseconds.
TASKS_PER_WORKER = 50
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class TaskTimeout(Exception):
    """A task ran past its limit; its worker was killed and replaced."""


class WorkerDied(Exception):
    """A worker process ended in the middle of a task (killed from outside, out of memory, a crash in C)."""


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    cpu_when_idle: float = 0.0  # the worker's CPU seconds when it finished its last task
    tasks: int = 0

    def cpu_seconds(self) -> float | None:
        """The worker's CPU time so far (user + system), read from /proc; None where there is no /proc."""
        try:
            with open(f"/proc/{self.process.pid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime, stime (fields 14 and 15 of stat)

    def kill(self) -> None:
        if self.process.is_alive() and self.process.pid is not None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.join()
        self.conn.close()


def _serve(conn: Connection, siblings: list[Connection], parent: int) -> None:
    """A worker's loop: run each (function, args) received and send back (ok, value, CPU seconds)."""
    _die_with_parent(parent)
    for other in siblings:  # the parent's ends of the other workers' pipes, copied by fork: they would keep
        other.close()  # those pipes open, and the other workers would not see EOF when the parent dies
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the crawl in the main process; it ends the workers
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        fn, args = message
        try:
            reply: tuple[bool, Any] = (True, fn(*args))
        except Exception as exc:  # reported to the caller, who decides what it costs
            reply = (False, exc)
        try:
            conn.send((*reply, time.process_time()))
        except Exception as exc:  # an unpicklable result or exception: say what it was instead
            conn.send((False, RuntimeError(f"{type(exc).__name__}: {exc}"), time.process_time()))


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux), so a spinning worker never outlives a
    crawl that was killed with SIGKILL. Elsewhere a worker ends at its next read from the closed pipe."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(0)


class WorkerPool:
    """`workers` forked processes running module-level functions, one task each at a time, each task with a
    CPU-time limit. Create it before any event loop or thread exists so the first fork is clean; what the
    parent loaded before (language profiles) is shared with the workers copy-on-write."""

    def __init__(self, workers: int, *, tasks_per_worker: int = TASKS_PER_WORKER) -> None:
        self._context = multiprocessing.get_context("fork")
        self._tasks_per_worker = tasks_per_worker
        self._workers: list[_Worker] = []
        for _ in range(workers):
            self._workers.append(self._start())
        self._idle: asyncio.Queue[_Worker] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.replaced = 0  # workers killed and replaced (time limits, deaths, abandoned tasks)

    @property
    def pids(self) -> list[int]:
        return [w.process.pid for w in self._workers if w.process.pid is not None]

    def _start(self) -> _Worker:
        ours, theirs = self._context.Pipe(duplex=True)
        siblings = [w.conn for w in self._workers]
        process = self._context.Process(target=_serve, args=(theirs, siblings, os.getpid()), daemon=True)
        process.start()
        theirs.close()
        return _Worker(process, ours)

    def _idle_queue(self) -> asyncio.Queue[_Worker]:
        """The idle workers, for the running event loop (a pool may serve several asyncio.run calls)."""
        loop = asyncio.get_running_loop()
        if self._idle is None or self._loop is not loop:
            self._loop = loop
            self._idle = asyncio.Queue()
            for worker in self._workers:
                self._idle.put_nowait(worker)
        return self._idle

    async def run(self, limit: float, fn: Callable[..., Any], *args: Any) -> Any:
        """fn(*args) in a worker, at most `limit` CPU seconds. Raises TaskTimeout past the limit, WorkerDied if
        the worker ended, and fn's own exception if it raised one. Cancelling the caller kills the worker
        (its task is abandoned) and puts a fresh one in its place."""
        idle = self._idle_queue()
        worker = await idle.get()
        try:
            worker.conn.send((fn, args))
            ok, value, worker.cpu_when_idle = await self._reply(worker, limit)
            worker.tasks += 1
            if worker.tasks >= self._tasks_per_worker:
                worker = self._replace(worker, retire=True)
        except BaseException:
            worker = self._replace(worker)
            raise
        finally:
            idle.put_nowait(worker)
        if not ok:
            raise value
        return value

    async def _reply(self, worker: _Worker, limit: float) -> tuple[bool, Any, float]:
        loop = asyncio.get_running_loop()
        readable = loop.create_future()
        fd = worker.conn.fileno()
        loop.add_reader(fd, lambda: readable.done() or readable.set_result(None))
        started = time.monotonic()
        try:
            wait = limit  # a single-threaded task cannot use more CPU time than wall time: check no sooner
            while True:
                await asyncio.wait([readable], timeout=max(wait, 0.05))
                if readable.done():
                    break
                wall = time.monotonic() - started
                cpu = worker.cpu_seconds()
                used = wall if cpu is None else cpu - worker.cpu_when_idle
                if used > limit:
                    raise TaskTimeout(f"timeout: still running after {limit:g} s of CPU time; the worker was killed")
                if wall > max(limit * WALL_FACTOR, WALL_FLOOR):
                    raise TaskTimeout(f"timeout: no result after {wall:.0f} s ({used:.1f} s of CPU time); the worker was killed")
                wait = limit - used
        finally:
            loop.remove_reader(fd)
        try:
            return worker.conn.recv()
        except (EOFError, OSError):
            worker.process.join(timeout=1)
            code = worker.process.exitcode
            raise WorkerDied(f"worker: the extraction process ended (exit status {code})") from None

    def _replace(self, worker: _Worker, *, retire: bool = False) -> _Worker:
        """A fresh worker in place of this one: killed (a task abandoned), or retired (its task count reached)."""
        if retire:
            worker.conn.send(None)
            worker.process.join(timeout=2)
        else:
            self.replaced += 1
        worker.kill()
        fresh = self._start()
        self._workers[self._workers.index(worker)] = fresh
        return fresh

    def close(self) -> None:
        for worker in self._workers:
            try:
                worker.conn.send(None)
            except OSError:
                pass
        for worker in self._workers:
            worker.process.join(timeout=2)
            worker.kill()
        self._workers = []

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
