"""The function's one task: deliver a message to an HTTP endpoint, authenticated with an API key.

Replace the task by editing this file: an ``async def`` that takes a `Message` (message.py) and
raises when it fails; handler.py wires in what the task needs (`Target`). Nothing here knows
about the trigger or AWS, so the same task serves any trigger.
"""

import asyncio
import random
from dataclasses import dataclass

import httpx

from .message import Message
from .secret_cache import SecretCache


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
# Answers that say "not now" rather than "never": worth another attempt after a pause.
_TRANSIENT = frozenset(
    {
        httpx.codes.TOO_MANY_REQUESTS,
        httpx.codes.INTERNAL_SERVER_ERROR,
        httpx.codes.BAD_GATEWAY,
        httpx.codes.SERVICE_UNAVAILABLE,
        httpx.codes.GATEWAY_TIMEOUT,
    }
)
# Failures of a request that another attempt may not meet: a timeout, or a connection that
# broke. Lambda freezes the function between invocations, and a pooled keep-alive connection
# may be closed by the target (or a load balancer between) meanwhile; the next request on it
# fails with RemoteProtocolError or ReadError. Sending again is safe: the target acts on each
# Idempotency-Key once.
_TRANSPORT_FAILURES = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
# Pauses before the second and third attempt of a request that failed so or got a transient
# answer (each jittered by up to +50%, so a batch's retries do not arrive all at once). Bounded:
# a target that stays down fails the message quickly, and SQS retries it later.
RETRY_DELAYS_SECONDS = (0.1, 0.4)


async def deliver(message: Message, target: Target) -> None:
    """POST ``message.body`` to ``target.url``.

    The message id goes in an ``Idempotency-Key`` header: SQS delivers at least once, and a
    message retried after a timeout may already have arrived, so the receiver uses the key to
    act on each message once. If the key is refused (401/403), it is re-read from the store
    once and the request retried once. A timeout, a broken connection or a transient answer
    (429, 5xx but 501) is retried after a short pause, at most ``len(RETRY_DELAYS_SECONDS)``
    times; every attempt is bounded by the client's timeout, and the batch cancels whatever
    outlives its budget.

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
    for delay in RETRY_DELAYS_SECONDS:
        try:
            response = await _post_once(message, target, api_key)
        except _TRANSPORT_FAILURES:
            pass
        else:
            if response.status_code not in _TRANSIENT:
                return response
        # Jitter spreads retries; it is not used for anything secret.
        await asyncio.sleep(delay * (1 + random.random() / 2))  # noqa: S311
    return await _post_once(message, target, api_key)


async def _post_once(message: Message, target: Target, api_key: str) -> httpx.Response:
    return await target.client.post(
        target.url,
        content=message.body,
        headers={
            "Authorization": f"Bearer {api_key}",
            "Idempotency-Key": message.id,
            "Content-Type": "application/json",
        },
    )
