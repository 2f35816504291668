"""Nothing in the task blocks the event loop: a blocked loop stalls every message of the batch.

asyncio's debug mode logs each callback (one step of a task) that holds the loop longer than
``slow_callback_duration``; these tests fail when that happens. The threshold is generous, so a
busy CI machine does not trip it, yet a blocking call (a sync HTTP request, a CPU job) does.
"""

import asyncio
import functools
import json
import logging
import time
from collections.abc import Awaitable, Callable

from {{ cookiecutter.package_name }}.batch import process_batch
from {{ cookiecutter.package_name }}.message import Message
{%- if cookiecutter.secret_name %}
from {{ cookiecutter.package_name }}.secret_cache import SecretCache
{%- endif %}
from {{ cookiecutter.package_name }}.settings import Environment
from {{ cookiecutter.package_name }}.task import Task, TaskSettings

THRESHOLD_SECONDS = 0.25
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


def slow_callbacks(main: Callable[[], Awaitable[object]], caplog) -> list[str]:
    """Run ``main()`` on a loop in debug mode; return asyncio's slow-callback reports."""
    loop = asyncio.new_event_loop()
    loop.set_debug(True)
    loop.slow_callback_duration = THRESHOLD_SECONDS
    with caplog.at_level(logging.WARNING, logger="asyncio"):
        try:
            loop.run_until_complete(main())
        finally:
            loop.close()
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("Executing")]


def batch_of(work: Callable[[Message], Awaitable[None]]) -> Callable[[], Awaitable[list[str]]]:
    return functools.partial(
        process_batch, MESSAGES, work, max_concurrency=5, time_budget_seconds=30
    )


def test_the_task_never_blocks_the_loop(receiver, caplog):
    # Built before the loop runs, as handler.py builds them at init: creating the client loads
    # TLS certificates, which blocks.
{%- if cookiecutter.secret_name %}
    api_key = SecretCache(fetch=lambda: receiver.api_key, ttl_seconds=300)
    api_key.prefetch()
{%- endif %}
    environment = Environment({"TARGET_URL": receiver.url})
    task = Task(TaskSettings.read(environment){{ ", api_key" if cookiecutter.secret_name }})

    async def main() -> None:
        try:
            assert await batch_of(task.run)() == []
        finally:
            await task.close()

    assert slow_callbacks(main, caplog) == []
    assert len(receiver.deliveries) == len(MESSAGES)


def test_a_blocking_call_is_caught(caplog):
    reports = slow_callbacks(batch_of(blocking_work), caplog)

    assert reports, "the detector missed a blocking call"


def test_cpu_work_moved_to_a_thread_does_not_block(caplog):
    assert slow_callbacks(batch_of(offloaded_work), caplog) == []
