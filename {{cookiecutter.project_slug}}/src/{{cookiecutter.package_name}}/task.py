"""The function's one task: deliver a message to an HTTP endpoint, authenticated with an API key.

Replace the task by editing this file: keep `Message` and an ``async def`` that takes one and
raises when it fails; handler.py wires in what the task needs (`Target`). Nothing here knows
about SQS or AWS, so the same task serves any trigger.
"""

from dataclasses import dataclass

import httpx

from .secret_cache import SecretCache


@dataclass(frozen=True)
class Message:
    """One unit of work, whatever the trigger.

    Attributes:
        id: Stable across redeliveries of the same message (SQS: ``messageId``).
        body: The payload, delivered as it came.
    """

    id: str
    body: str


@dataclass(frozen=True)
class Target:
    """What `deliver` needs, built once at init and shared by every invocation.

    Attributes:
        client: The HTTP client (its connection pool outlives invocations).
        url: Where each message is POSTed.
        api_key: The cached API key, sent as ``Authorization: Bearer <key>``.
    """

    client: httpx.AsyncClient
    url: str
    api_key: SecretCache


# A key that the target refuses may have been rotated since it was cached.
_REFUSED = frozenset({httpx.codes.UNAUTHORIZED, httpx.codes.FORBIDDEN})


async def deliver(message: Message, target: Target) -> None:
    """POST ``message.body`` to ``target.url``.

    The message id goes in an ``Idempotency-Key`` header: SQS delivers at least once, and a
    message retried after a timeout may already have arrived, so the receiver uses the key to
    act on each message once. If the key is refused (401/403), it is re-read from the store
    once and the request retried once.

    Raises:
        httpx.HTTPStatusError: If the final answer is not 2xx, so the message is retried.
        httpx.HTTPError: If the request could not be made (timeout, connection refused).
    """
    # CPU-heavy work (parsing a large body, signing, compressing) would block the event loop
    # and stall every other message of the batch: run it with
    # `await asyncio.to_thread(function, ...)` instead of calling it here directly.
    api_key = await target.api_key.get()
    response = await _post(message, target, api_key)
    if response.status_code in _REFUSED:
        response = await _post(message, target, await target.api_key.refresh(api_key))
    response.raise_for_status()


async def _post(message: Message, target: Target, api_key: str) -> httpx.Response:
    return await target.client.post(
        target.url,
        content=message.body,
        headers={
            "Authorization": f"Bearer {api_key}",
            "Idempotency-Key": message.id,
            "Content-Type": "application/json",
        },
    )
