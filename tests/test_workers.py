"""The worker pool of the crawl's CPU-bound stage: a task past its CPU-time limit is abandoned, its worker killed
and replaced, and the pool goes on. Real forked processes; the tasks are small functions of this module."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from integration_watch.workers import TaskTimeout, WorkerDied, WorkerPool


def square(x: int) -> int:
    return x * x


def spin(seconds: float) -> str:
    """Burns CPU (as a pathological page does in the extractor) for `seconds` of CPU time."""
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return "finished"


def die() -> None:
    os._exit(7)  # as if the process were killed by the kernel (out of memory) mid-task


def fail() -> None:
    raise ValueError("a bug in the task")


def run(pool: WorkerPool, *calls: tuple) -> list[object]:
    """Run (limit, fn, *args) calls concurrently; each result or the exception it raised."""

    async def go() -> list[object]:
        return list(await asyncio.gather(*(pool.run(*c) for c in calls), return_exceptions=True))

    return asyncio.run(go())


@pytest.fixture(scope="module")
def pool():
    with WorkerPool(2) as p:
        yield p


def test_a_task_past_its_cpu_limit_is_abandoned_and_its_worker_replaced(pool: WorkerPool) -> None:
    replaced = pool.replaced
    spinning, *squares = run(pool, (0.3, spin, 60.0), *[(5.0, square, i) for i in range(20)])
    assert isinstance(spinning, TaskTimeout) and "0.3 s of CPU time" in str(spinning)
    assert squares == [i * i for i in range(20)]  # the other worker went on meanwhile
    assert pool.replaced == replaced + 1
    assert run(pool, *[(5.0, square, i) for i in range(4)]) == [0, 1, 4, 9]  # both workers serve again


def test_a_task_under_its_limit_is_not_cut_short(pool: WorkerPool) -> None:
    assert run(pool, (5.0, spin, 0.4)) == ["finished"]


def test_a_worker_that_dies_costs_its_task_only(pool: WorkerPool) -> None:
    died, after = run(pool, (5.0, die), (5.0, square, 3))
    assert isinstance(died, WorkerDied) and "exit status 7" in str(died)
    assert after == 9
    assert run(pool, *[(5.0, square, i) for i in range(4)]) == [0, 1, 4, 9]


def test_an_exception_in_a_task_reaches_the_caller_and_the_worker_stays(pool: WorkerPool) -> None:
    replaced = pool.replaced
    (error,) = run(pool, (5.0, fail))
    assert isinstance(error, ValueError) and str(error) == "a bug in the task"
    assert pool.replaced == replaced


def test_cancelling_a_task_kills_its_worker(pool: WorkerPool) -> None:
    """What a crawl's --max-time does to work in flight: the task is abandoned, its CPU freed at once."""

    async def go() -> None:
        task = asyncio.ensure_future(pool.run(60.0, spin, 60.0))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    pids = set(pool.pids)
    asyncio.run(go())
    assert len(pids - set(pool.pids)) == 1
    assert run(pool, *[(5.0, square, i) for i in range(4)]) == [0, 1, 4, 9]


def test_a_worker_is_retired_after_its_task_count_and_the_next_one_serves() -> None:
    """Fresh forks keep the crawl's memory flat: a worker leaves after tasks_per_worker tasks, unkilled."""
    with WorkerPool(1, tasks_per_worker=3) as pool:
        first = set(pool.pids)
        assert run(pool, *[(5.0, square, i) for i in range(3)]) == [0, 1, 4]
        second = set(pool.pids)
        assert run(pool, *[(5.0, square, i) for i in range(3, 5)]) == [9, 16]
        assert first != second and set(pool.pids) == second and pool.replaced == 0


def mark_template() -> None:
    os.environ["IW_TEST_PREPARED_IN"] = str(os.getpid())


def prepared_in() -> str | None:
    return os.environ.get("IW_TEST_PREPARED_IN")


def test_what_prepare_loads_is_loaded_once_for_every_worker_and_never_in_the_caller() -> None:
    """The crawl's extraction and language detector are loaded once, in the process workers fork from:
    shared by all of them, replacements included, and absent from the crawl's own process."""
    with WorkerPool(2, prepare=mark_template, tasks_per_worker=2) as pool:
        first = run(pool, *[(5.0, prepared_in) for _ in range(6)])  # retires and replaces both workers
        assert isinstance(run(pool, (0.2, spin, 60.0))[0], TaskTimeout)  # a killed one is replaced too
        after = run(pool, *[(5.0, prepared_in) for _ in range(2)])
        assert first[0] is not None and int(first[0]) not in pool.pids  # not a worker: their template
    assert len(set(first + after)) == 1 and prepared_in() is None


def test_the_crawl_process_itself_never_loads_the_extractor() -> None:
    """Only the workers extract: the crawl's main process, which stays up for the whole run, does not
    carry trafilatura, lxml's trees or PDF reading (~35 MB)."""
    code = "import sys, integration_watch.crawl; print(sorted({'trafilatura', 'pypdf', 'justext'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


_PINNED: list[bytes] = []


def litter_the_heap() -> None:
    """A prepare that, like loading the language profiles, frees ~50 MB of malloc'd blocks while something it
    keeps was allocated after them, so the freed heap cannot shrink by itself."""
    junk = [bytes(2000 + i % 5000) for i in range(12_000)]
    _PINNED.append(bytes(4000))
    del junk


def rss_mb(process: str = "self") -> float:
    status = Path(f"/proc/{process}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]) / 1024


def parent_rss_mb() -> float:
    """The resident memory of this worker's parent: the template."""
    return rss_mb(str(os.getppid()))


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_what_prepare_freed_is_given_back_before_workers_share_the_template() -> None:
    """Every worker shares the template's memory, and the crawl's memory counts it: heap that prepare used
    and freed must not stay resident there (glibc keeps it unless asked to trim)."""
    own = rss_mb()
    with WorkerPool(1, prepare=litter_the_heap) as pool:
        template = run(pool, (10.0, parent_rss_mb))[0]
    assert template - own < 25, f"template {template:.0f} MB, the process it was forked from {own:.0f} MB"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_a_worker_gives_back_what_its_task_freed_before_the_next_one() -> None:
    """Two workers extract at once and each keeps what its largest page needed (lxml's trees are malloc'd and
    glibc keeps freed heap): given back after every task, the crawl's peak holds what pages use, not what they
    used."""
    with WorkerPool(1, tasks_per_worker=10) as pool:
        before, _, after = run(pool, (10.0, rss_mb), (10.0, litter_the_heap), (10.0, rss_mb))
    assert after - before < 25, f"{before:.0f} MB before a task that freed ~50 MB, {after:.0f} MB after it"


def lazy_loads_were_done() -> tuple[bool, bool]:
    """Whether this process had, before its first page, dateparser's month names and jusText's stop words (the
    list trafilatura makes of all its languages, and the set jusText makes of that list)."""
    from justext.core import define_stoplist
    from trafilatura import external

    from integration_watch.extract.dates import month_names

    return month_names.cache_info().currsize == 1, external.JT_STOPLIST is not None and define_stoplist.cache_info().currsize == 1


def test_a_fresh_worker_has_what_extraction_loads_lazily() -> None:
    """A worker is replaced every few pages: what extraction loads on first use (dateparser's month names, ~0.1-0.3
    s; jusText's stop words, ~0.2-0.3 s) is loaded once in the template the crawl's workers fork from, not again
    in each of them."""
    from integration_watch.analyse import prepare_workers

    with WorkerPool(1, prepare=prepare_workers, tasks_per_worker=1) as pool:
        assert run(pool, (30.0, lazy_loads_were_done), (30.0, lazy_loads_were_done)) == [(True, True), (True, True)]


def wait_for_go() -> None:
    """A slow prepare (as loading the extractor is under load): it waits until the test says go."""
    go = os.environ["IW_TEST_GO_FILE"]
    for _ in range(400):
        if os.path.exists(go):
            os.environ["IW_TEST_PREPARED_IN"] = "after go"
            return
        time.sleep(0.05)
    os.environ["IW_TEST_PREPARED_IN"] = "nobody said go"


def test_the_pool_is_ready_for_tasks_before_its_template_has_prepared(tmp_path, monkeypatch) -> None:
    """The crawl fetches robots.txt and sitemaps while the extractor loads: creating the pool and handing
    it tasks never waits for prepare (here prepare only finishes once the test, after both, says go)."""
    go = tmp_path / "go"
    monkeypatch.setenv("IW_TEST_GO_FILE", str(go))

    async def first_task(pool: WorkerPool) -> object:
        task = asyncio.ensure_future(pool.run(30.0, prepared_in))
        await asyncio.sleep(0.1)
        go.touch()
        return await task

    with WorkerPool(2, prepare=wait_for_go) as pool:
        assert asyncio.run(first_task(pool)) == "after go"


N_TASKS = 400  # each a fork; ~250 unread answers fill the control socket (it stalled at that on the old code)


@pytest.mark.slow  # 400 forks: 3-7 s
def test_a_long_crawl_retires_hundreds_of_workers_without_stalling() -> None:
    """Every retirement asks the template for a fresh fork; its answers must not pile up unread (a full
    control socket would stop the template, and with it every new worker, until a CPU check read them)."""

    async def go(pool: WorkerPool) -> list[object]:
        tasks = asyncio.gather(*(pool.run(60.0, square, i) for i in range(N_TASKS)))
        # a hang detector, not a speed test: the forks take seconds; a stall lasts until a task's CPU check (60 s)
        return list(await asyncio.wait_for(tasks, 45))

    with WorkerPool(1, tasks_per_worker=1) as pool:
        assert asyncio.run(go(pool)) == [i * i for i in range(N_TASKS)]
