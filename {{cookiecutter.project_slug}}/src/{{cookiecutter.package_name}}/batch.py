"""Run the task for every message of a batch, concurrently, within a time budget.

{% if cookiecutter.trigger == "sqs" -%}
The result is the ids of the messages that failed, which the handler reports back to SQS as a
partial batch response: only those return to the queue, the others are deleted.
{%- else -%}
The result is the ids of the messages that failed; the handler raises when there are any, so
Lambda retries the event and, in the end, sends it to the dead-letter queue.
{%- endif %}
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from .message import Message

logger = logging.getLogger(__name__)


async def process_batch(
    messages: Sequence[Message],
    work: Callable[[Message], Awaitable[None]],
    *,
    max_concurrency: int,
    time_budget_seconds: float,
) -> list[str]:
    """Run ``work(message)`` for every message; return the ids of those that did not succeed.

    At most ``max_concurrency`` calls are in flight at once. Calls still unfinished after
    ``time_budget_seconds`` are cancelled and count as failed: their messages go back to the
    queue, instead of the whole invocation timing out and every message being retried. Ids
    come back in input order, and each failure is logged with its message id.
    """
    if not messages:
        return []
    slots = asyncio.Semaphore(max_concurrency)

    async def run(message: Message) -> None:
        async with slots:
            await work(message)

    tasks = [asyncio.create_task(run(message)) for message in messages]
    _, unfinished = await asyncio.wait(tasks, timeout=max(time_budget_seconds, 0.0))
    late = [task for task in tasks if task in unfinished]
    for task in late:
        task.cancel()
    # Let cancelled work unwind (release its connection) before the loop sleeps until the next
    # invocation; what it raises while unwinding changes nothing: it has failed already.
    await asyncio.gather(*late, return_exceptions=True)

    failed: list[str] = []
    for message, task in zip(messages, tasks, strict=True):
        if task in unfinished or task.cancelled():
            logger.error(
                "message %s not finished within the time budget; cancelled",
                message.id,
                extra={"message_id": message.id, "time_budget_seconds": time_budget_seconds},
            )
            failed.append(message.id)
        elif (error := task.exception()) is not None:
            # The traceback names the exception and where it came from. Keep secrets out of
            # exception messages: they are logged here.
            logger.error(
                "message %s failed: %s",
                message.id,
                type(error).__name__,
                extra={"message_id": message.id, "error_type": type(error).__name__},
                exc_info=error,
            )
            failed.append(message.id)
    return failed
