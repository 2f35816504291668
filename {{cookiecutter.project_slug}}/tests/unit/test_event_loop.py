"""The detector of a blocked event loop (local/event_loop.py) catches a blocking step and lets
work moved to a thread pass; tests/unit/test_task.py runs the task under it."""

import asyncio
import functools
import json
import time
from collections.abc import Awaitable, Callable

from {{ cookiecutter.package_name }}.batch import process_batch
from {{ cookiecutter.package_name }}.message import Message

from local.event_loop import THRESHOLD_SECONDS, slow_callbacks

MESSAGES = [Message(id=f"m-{n}", body=json.dumps({"orderId": n})) for n in range(5)]


def blocking_call() -> None:
    # Stands in for a synchronous HTTP request, a big file read or a CPU job done in C (hashlib,
    # zlib): each releases the GIL while it waits or computes, so a thread keeps the loop free.
    # Pure-Python CPU work holds the GIL and needs a process pool instead.
    time.sleep(2 * THRESHOLD_SECONDS)


async def blocking_work(message: Message) -> None:
    blocking_call()  # wrong: holds the loop until it returns


async def offloaded_work(message: Message) -> None:
    await asyncio.to_thread(blocking_call)  # right: the loop serves the others meanwhile


def batch_of(work: Callable[[Message], Awaitable[None]]) -> Callable[[], Awaitable[list[str]]]:
    return functools.partial(
        process_batch, MESSAGES, work, max_concurrency=5, time_budget_seconds=30
    )


def test_a_blocking_call_is_caught(caplog):
    reports = slow_callbacks(batch_of(blocking_work), caplog)

    assert reports, "the detector missed a blocking call"


def test_cpu_work_moved_to_a_thread_does_not_block(caplog):
    assert slow_callbacks(batch_of(offloaded_work), caplog) == []
