"""Worker processes for the crawl's CPU-bound stage, with a time limit per task.

`concurrent.futures.ProcessPoolExecutor` cannot stop a task once it runs: one page that makes the
extractor spin would hold its worker, then the crawl, then the crawl lock, and every later cron run would
exit with "another crawl is running". Here each worker is a forked process with its own pipe; a task that
uses more than its CPU-time limit (or, as a backstop, far more than it in wall time: a worker stuck
without using CPU) is abandoned: the worker is killed and a fresh one forked in its place.

Workers are forked from a template process, not from the crawl: the template is forked once, at the
start, loads what every task needs (`prepare`: extraction, the language detector) and then only waits for
fork requests. Its memory stays shared with every worker, and the crawl's main process never loads it.
Forked from the busy main process instead, each worker kept a stale copy of every page of the main
process's heap that the main process later wrote to: ~60 MB a worker within 50 pages. A fork from the
single-threaded template is also safe while the crawl's event loop and threads run.

The pool is driven from the crawl's event loop without threads: a task's result is awaited as the pipe
becoming readable.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import os
import pickle
import re
import select
import signal
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from typing import Any

# The backstop for a worker stuck without using CPU: a task may take this many times its CPU limit in wall
# time, and at least WALL_FLOOR seconds (a busy machine gives a worker a small share of a core).
WALL_FACTOR = 20.0
WALL_FLOOR = 120.0
# A worker is replaced by a fresh fork after this many tasks: the extractor's heap only grows (a worker's
# own memory reached ~60 MB within 50 real pages), and a fresh fork of the template owns next to nothing,
# so a crawl's memory stays flat however many pages it reads. A fork costs a few milliseconds.
TASKS_PER_WORKER = 20
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class TaskTimeout(Exception):
    """A task ran past its limit; its worker was killed and replaced."""

    @classmethod
    def cpu(cls, limit: float) -> TaskTimeout:
        return cls(f"timeout: still running after {limit:g} s of CPU time; the worker was killed")


_CPU_TIMEOUT = re.compile(r"^timeout: still running after ([0-9.]+) s of CPU time")  # TaskTimeout.cpu's message


def cpu_limit_of(error: str | None) -> float | None:
    """The CPU-time limit a recorded error says a task ran out of (TaskTimeout.cpu's message), else None."""
    limit = _CPU_TIMEOUT.match(error or "")
    return float(limit[1]) if limit else None


class WorkerDied(Exception):
    """A worker process ended in the middle of a task (killed from outside, out of memory, a crash in C)."""


@dataclass
class _Worker:
    sock: socket.socket  # the crawl's end of the worker's pipe, non-blocking: the event loop never waits on it
    cpu_when_idle: float = 0.0  # the worker's CPU seconds when it finished its last task
    tasks: int = 0
    exitcode: int | None = None  # set once it has ended and been reaped
    pid: int = 0  # 0 until the template's answer to its fork request has been read (_Template.settle)

    def ask_to_end(self) -> None:
        """Tell the worker there are no more tasks (it exits after the one it is on); one already gone needs none."""
        try:
            self.sock.send(_frame(None))
        except OSError:
            pass

    def cpu_seconds(self) -> float | None:
        """The worker's CPU time so far (user + system), read from /proc; None where there is no /proc."""
        try:
            with open(f"/proc/{self.pid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime, stime (fields 14 and 15 of stat)


# The template's control messages: (command, pid, grace seconds) → (number). A packet socket keeps them whole.
_REQUEST = struct.Struct("!cqd")
_REPLY = struct.Struct("!q")
_FORK, _REAP = b"F", b"R"
_SIZE = struct.Struct("!i")
_UNKNOWN_EXIT = -(2**62)
CONTROL_TIMEOUT = 30.0  # seconds for the template to answer: a fork or a reap takes milliseconds


class _Template:
    """The process the workers are forked from (see the module's docstring)."""

    def __init__(self, prepare: Callable[[], None] | None) -> None:
        self._control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the template; it never returns into the caller's code
            try:
                self._control.close()
                _template_main(theirs, prepare, parent)
            finally:
                os._exit(0)
        theirs.close()
        self.pid = pid
        self._control.settimeout(CONTROL_TIMEOUT)
        self._unanswered: list[_Worker] = []

    def fork(self) -> _Worker:
        """A new worker, without waiting for it: tasks can be sent to its pipe at once (they wait there), and
        its pid is read when first needed. So the crawl starts fetching while the template still prepares."""
        self._read_ready_answers()
        ours, theirs = socket.socketpair()
        try:
            socket.send_fds(self._control, [_REQUEST.pack(_FORK, 0, 0.0)], [theirs.fileno()])
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        ours.setblocking(False)
        worker = _Worker(ours)
        self._unanswered.append(worker)
        return worker

    def _read_ready_answers(self) -> None:
        """Read the answers that have arrived, without waiting: unread, they would fill the control socket
        and stop the template (a long crawl retires hundreds of workers)."""
        while self._unanswered and select.select([self._control], [], [], 0)[0]:
            self._unanswered.pop(0).pid = self._unpack(self._control.recv(_REPLY.size))

    def settle(self) -> None:
        """Read the answers to the fork requests sent so far: every worker's pid is known after this."""
        while self._unanswered:
            self._unanswered[0].pid = self._answer()
            self._unanswered.pop(0)

    def reap(self, worker: _Worker, grace: float) -> int:
        """Wait up to `grace` seconds for a worker to end, kill it if it has not, and return its exit status
        (negative: the signal that ended it)."""
        self.settle()
        self._control.sendall(_REQUEST.pack(_REAP, worker.pid, grace))
        return self._answer()

    def _answer(self) -> int:
        try:
            reply = self._control.recv(_REPLY.size)
        except OSError as exc:
            raise WorkerDied(f"worker: the process workers are started from does not answer ({exc})") from None
        return self._unpack(reply)

    @staticmethod
    def _unpack(reply: bytes) -> int:
        if len(reply) != _REPLY.size:
            raise WorkerDied("worker: the process workers are started from has ended")
        return int(_REPLY.unpack(reply)[0])

    def close(self) -> None:
        """End the template (it sees the control socket close) and wait for it."""
        self._control.close()
        _reap(self.pid, grace=2.0)


def _template_main(control: socket.socket, prepare: Callable[[], None] | None, parent: int) -> None:
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the crawl in the main process; it ends the pool
    if prepare is not None:
        prepare()
    # Out of the collector's sight: a full collection in a worker writes to every object it visits, which
    # would copy the template's pages into each worker.
    gc.collect()
    gc.freeze()
    release_free_heap()
    template = os.getpid()
    ended: dict[int, int] = {}  # exit statuses of workers reaped before anyone asked (retired ones)
    while True:
        try:
            message, fds, _flags, _address = socket.recv_fds(control, _REQUEST.size, 1)
        except OSError:
            return
        if not message:  # the pool closed its end
            return
        _collect(ended)
        command, pid, grace = _REQUEST.unpack(message)
        if command == _FORK:
            worker = os.fork()
            if worker == 0:
                try:
                    control.close()
                    _serve(Connection(fds[0]), template)
                finally:
                    os._exit(0)
            os.close(fds[0])
            control.sendall(_REPLY.pack(worker))
        elif command == _REAP:
            control.sendall(_REPLY.pack(ended.pop(pid) if pid in ended else _reap(pid, grace)))


def release_free_heap() -> None:
    """Give freed heap back to the kernel (glibc's malloc_trim; a no-op elsewhere). In the template: loading the
    extractor and the language profiles leaves ~20 MB of freed but resident heap (parsed JSON, temporary lists),
    which every worker would share and count in the crawl's memory. In a worker: what a page's trees used."""
    try:
        _libc().malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _collect(ended: dict[int, int]) -> None:
    """Reap the workers that have ended on their own (retired ones: the pool does not wait for them)."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        ended[pid] = os.waitstatus_to_exitcode(status)
        if len(ended) > 1024:
            del ended[next(iter(ended))]


def _reap(pid: int, grace: float) -> int:
    """Wait up to `grace` seconds for a child to end, kill it if it has not, and return its exit status."""
    deadline = time.monotonic() + grace
    while True:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return _UNKNOWN_EXIT
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() >= deadline:
            os.kill(pid, signal.SIGKILL)
            return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        time.sleep(0.002)


def _serve(conn: Connection, parent: int) -> None:
    """A worker's loop: run each (function, args) received and send back (ok, value, CPU seconds)."""
    _die_with_parent(parent)
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
        # What the task freed goes back now (~0.5 ms): two workers each keeping what its largest page needed
        # made ~20 MB of the crawl's peak.
        release_free_heap()
        try:
            conn.send((*reply, time.process_time()))
        except Exception as exc:  # an unpicklable result or exception: say what it was instead
            conn.send((False, RuntimeError(f"{type(exc).__name__}: {exc}"), time.process_time()))


@cache
def _libc() -> ctypes.CDLL:
    """The C library's functions (malloc_trim, prctl): opened once, since a worker trims after every task."""
    return ctypes.CDLL(None, use_errno=True)


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux), so a spinning worker never outlives a
    crawl that was killed with SIGKILL. Elsewhere a worker ends at its next read from the closed pipe."""
    try:
        _libc().prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(0)


class WorkerPool:
    """`workers` processes running module-level functions, one task each at a time, each task with a
    CPU-time limit. Create it before any event loop or thread exists (it forks its template process);
    `prepare` runs once in the template, and what it loads is shared by all the workers."""

    def __init__(
        self, workers: int, *, prepare: Callable[[], None] | None = None, tasks_per_worker: int = TASKS_PER_WORKER
    ) -> None:
        self._template = _Template(prepare)
        self._tasks_per_worker = tasks_per_worker
        self._workers: list[_Worker] = []
        for _ in range(workers):
            self._workers.append(self._start())
        self._idle: asyncio.Queue[_Worker] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.replaced = 0  # workers killed and replaced (time limits, deaths, abandoned tasks)

    @property
    def pids(self) -> list[int]:
        self._template.settle()
        return [w.pid for w in self._workers]

    def _start(self) -> _Worker:
        return self._template.fork()

    def _end(self, worker: _Worker, grace: float) -> int:
        """The worker's exit status, once it has ended (killed after `grace` seconds)."""
        if worker.exitcode is None:
            worker.exitcode = self._template.reap(worker, grace)
            worker.sock.close()
        return worker.exitcode

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
            try:
                await asyncio.get_running_loop().sock_sendall(worker.sock, _frame((fn, args)))
            except OSError:
                code = self._end(worker, grace=1.0)
                raise WorkerDied(f"worker: the extraction process ended (exit status {code})") from None
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
        reading = asyncio.ensure_future(_read_frame(worker.sock))
        started = time.monotonic()
        try:
            wait = limit  # a single-threaded task cannot use more CPU time than wall time: check no sooner
            while True:
                done, _ = await asyncio.wait([reading], timeout=max(wait, 0.05))
                if done:
                    break
                wall = time.monotonic() - started
                self._template.settle()
                cpu = worker.cpu_seconds()
                used = wall if cpu is None else cpu - worker.cpu_when_idle
                if used > limit:
                    raise TaskTimeout.cpu(limit)
                if wall > max(limit * WALL_FACTOR, WALL_FLOOR):
                    raise TaskTimeout(f"timeout: no result after {wall:.0f} s ({used:.1f} s of CPU time); the worker was killed")
                wait = limit - used
        finally:
            reading.cancel()  # a no-op once it is done
        try:
            return reading.result()  # type: ignore[no-any-return]
        except (EOFError, OSError):
            code = self._end(worker, grace=1.0)
            raise WorkerDied(f"worker: the extraction process ended (exit status {code})") from None

    def _replace(self, worker: _Worker, *, retire: bool = False) -> _Worker:
        """A fresh worker in place of this one: killed (a task abandoned), or retired (its task count reached)."""
        if retire:  # it leaves on its own; the template reaps it, nobody waits for it
            worker.ask_to_end()
            worker.sock.close()
        else:
            self.replaced += 1
            self._end(worker, grace=0.0)
        fresh = self._start()
        self._workers[self._workers.index(worker)] = fresh
        return fresh

    def close(self) -> None:
        for worker in self._workers:
            worker.ask_to_end()
        for worker in self._workers:
            self._end(worker, grace=2.0)
        self._workers = []
        self._template.close()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# The crawl's side of a worker's pipe speaks multiprocessing.Connection's format (a 4-byte big-endian size,
# then the pickle), so the worker reads it with Connection.recv; the crawl's side is asynchronous instead:
# sending a page body of a few MB into a pipe would otherwise stop the event loop until the worker read it.


def _frame(message: Any) -> bytes:
    payload = ForkingPickler.dumps(message)
    if len(payload) > 0x7FFFFFFF:
        raise ValueError("a task too large for a worker's pipe")
    return _SIZE.pack(len(payload)) + payload


async def _read_frame(sock: socket.socket) -> Any:
    (size,) = _SIZE.unpack(await _read_exactly(sock, _SIZE.size))
    if size == -1:  # Connection's prefix for a message of 2 GiB or more
        (size,) = struct.unpack("!Q", await _read_exactly(sock, 8))
    return pickle.loads(await _read_exactly(sock, size))


async def _read_exactly(sock: socket.socket, size: int) -> bytearray:
    loop = asyncio.get_running_loop()
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        n = await loop.sock_recv_into(sock, view[got:])
        if n == 0:
            raise EOFError("the worker closed its pipe")
        got += n
    return buffer
