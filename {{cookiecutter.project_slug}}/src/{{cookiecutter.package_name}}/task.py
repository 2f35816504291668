{%- set snapstart = cookiecutter.cold_start == "snapstart" -%}
{%- set secret = cookiecutter.secret_name != "" -%}
{% if cookiecutter.task == "blank" -%}
"""The function's one task, to fill in.

This module is the task, whole; handler.py knows it only through these names:

- `TaskSettings.read` at init, with the machinery's settings, so that every bad variable of
  either is reported at once;
- `Task(settings{{ ", secret" if secret }})` at init: what every invocation reuses (clients, connections{{ ", the
  cached secret" if secret }});
- `await task.run(message)` for each message, concurrently with the other messages of the
  {{ "batch" if cookiecutter.trigger == "sqs" else "event" }}; raising fails the message, which is retried and in the end kept in the dead-letter
  queue;
{%- if snapstart %}
- `await task.renew()` after each SnapStart restore, for what a snapshot must not share;
{%- endif %}
- `await task.close()` when a test discards the function (Lambda simply drops the container).

Nothing here knows about the trigger: `message.body` is the payload{{ ", and
`message.stored_object` names the object that was created" if cookiecutter.trigger == "s3" }}. To write your task, change
this file and the others the README lists ("Your own task").
"""

import json
import logging
from dataclasses import dataclass
from typing import Self

from .message import Message
{%- if secret %}
from .secret_cache import SecretCache
{%- endif %}
from .settings import Environment

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class TaskSettings:
    """The task's configuration, from the environment variables template.yaml sets.

    Add a field for each setting the task needs and read it in `read`: `Environment` has
    readers for text, URLs, integers and seconds, each naming a bad value.
{%- if cookiecutter.env_vars.strip() %}

    Each attribute is a plain setting from the variable of the same name in upper case.
{%- endif %}
    """
{%- for pair in cookiecutter.env_vars.split(',') if pair.strip() %}
{%- if loop.first %}
{% endif %}
    {{ pair.split('=', 1)[0].strip() | lower }}: str
{%- endfor %}

    @classmethod
    def read(cls, environment: Environment) -> Self:
        """Read the settings from ``environment``; its `check` reports any problem."""
{%- if cookiecutter.env_vars.strip() %}
        return cls(
{%- for pair in cookiecutter.env_vars.split(',') if pair.strip() %}
            {{ pair.split('=', 1)[0].strip() | lower }}=environment.plain({{ pair.split('=', 1)[0].strip() | quoted }}),
{%- endfor %}
        )
{%- else %}
        return cls()
{%- endif %}


class Task:
    """What the task builds once, at init, and uses for every message."""

    def __init__(self, settings: TaskSettings{{ ", secret: SecretCache" if secret }}) -> None:
        """Keep the settings{{ " and the secret" if secret }}; create clients here, once, not in `run`."""
        self.settings = settings
{%- if secret %}
        # `await self.secret.get()` returns the secret's value, cached for SECRET_TTL_SECONDS;
        # when a service refuses it (rotated), `await self.secret.refresh(value)` reads it anew.
        self.secret = secret
{%- endif %}

    async def run(self, message: Message) -> None:
        """Do the work for ``message``; raise to fail it.

        A message that fails is {{ "returned to the queue" if cookiecutter.trigger == "sqs" else "retried with its event" }} and in the end kept in the dead-letter
        queue. Any message may also arrive twice{{ " (the idempotency ledger then skips one that
        finished)" if cookiecutter.idempotency == "on" }}: make the work safe to repeat.
        """
        # This blank task's work: a body that is not JSON fails its message, any other is
        # logged. Replace it with yours; run blocking calls with `await asyncio.to_thread(...)`.
        document = json.loads(message.body)
        logger.info(
            "message %s done: %s",
            message.id,
            type(document).__name__,
            extra={"message_id": message.id},
        )
{%- if snapstart %}

    async def renew(self) -> None:
        """Replace what a SnapStart snapshot must not share: connections, say. Nothing yet."""
{%- endif %}

    async def close(self) -> None:
        """Close what `__init__` opened (connections, say). Nothing yet."""
{%- else -%}
"""The function's one task: deliver each message to an HTTP endpoint{{ ", authenticated with an API key" if secret }}.

This module is the task, whole; handler.py knows it only through these names:

- `TaskSettings.read` at init, with the machinery's settings, so that every bad variable of
  either is reported at once;
- `Task(settings{{ ", secret" if secret }})` at init: what every invocation reuses (here, an HTTP client{{ " and
  the cached API key" if secret }});
- `await task.run(message)` for each message, concurrently with the other messages of the
  {{ "batch" if cookiecutter.trigger == "sqs" else "event" }}; raising fails the message, which is retried and in the end kept in the dead-letter
  queue;
{%- if snapstart %}
- `await task.renew()` after each SnapStart restore, for what a snapshot must not share;
{%- endif %}
- `await task.close()` when a test discards the function (Lambda simply drops the container).

Nothing here knows about the trigger or AWS, so the same task serves any trigger. To replace
it, rewrite this file and the others the README lists ("Your own task").
"""

import asyncio
import logging
import random
from dataclasses import dataclass
from typing import Self

import httpx

from .message import Message
{%- if secret %}
from .secret_cache import SecretCache
{%- endif %}
from .settings import Environment

DEFAULT_TARGET_TIMEOUT_SECONDS = 10.0

# httpx logs every request at INFO; on Lambda each line is billed log ingestion, and the batch
# summary and failures already say what happened.
logging.getLogger("httpx").setLevel(logging.WARNING)


@dataclass(frozen=True, kw_only=True)
class TaskSettings:
    """The task's configuration, from the environment variables template.yaml sets.

    Attributes:
        target_url: TARGET_URL, the https endpoint each message is POSTed to.
        target_timeout_seconds: TARGET_TIMEOUT_SECONDS, the HTTP timeout per request.

    Any further attribute is a plain setting from the variable of the same name in upper case.
    """

    target_url: str
    target_timeout_seconds: float
{%- for pair in cookiecutter.env_vars.split(',') if pair.strip() %}
    {{ pair.split('=', 1)[0].strip() | lower }}: str
{%- endfor %}

    @classmethod
    def read(cls, environment: Environment) -> Self:
        """Read the settings from ``environment``; its `check` reports any problem."""
        return cls(
            target_url=environment.https_url("TARGET_URL"),
            target_timeout_seconds=environment.seconds(
                "TARGET_TIMEOUT_SECONDS", default=DEFAULT_TARGET_TIMEOUT_SECONDS
            ),
{%- for pair in cookiecutter.env_vars.split(',') if pair.strip() %}
            {{ pair.split('=', 1)[0].strip() | lower }}=environment.plain({{ pair.split('=', 1)[0].strip() | quoted }}),
{%- endfor %}
        )
{%- if secret %}


# A key that the target refuses may have been rotated since it was cached.
_REFUSED = frozenset({httpx.codes.UNAUTHORIZED, httpx.codes.FORBIDDEN})
{%- endif %}


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
# a target that stays down fails the message quickly, and it is retried later.
RETRY_DELAYS_SECONDS = (0.1, 0.4)


class Task:
    """POSTs each message to the target; built once at init and shared by every invocation."""

    def __init__(self, settings: TaskSettings{{ ", secret: SecretCache" if secret }}) -> None:
        """Keep what every delivery needs: the settings{{ ", the cached API key" if secret }} and an HTTP client."""
        self._settings = settings
{%- if secret %}
        # The secret holds the target's API key, sent as ``Authorization: Bearer <key>``.
        self._api_key = secret
{%- endif %}
        self.client = self._new_client()

    def _new_client(self) -> httpx.AsyncClient:
        # Every request is bounded by the timeout; a connection that cannot be made is retried
        # twice at once by the transport (nothing was sent, so that is always safe), and `_post`
        # retries timeouts and transient answers with a pause.
        return httpx.AsyncClient(
            timeout=self._settings.target_timeout_seconds,
            transport=httpx.AsyncHTTPTransport(retries=2),
        )

    async def run(self, message: Message) -> None:
        """POST ``message.body`` to the target URL.

        The message id goes in an ``Idempotency-Key`` header: every trigger delivers at least
        once, and a message retried after a timeout may already have arrived, so the receiver
        uses the key to act on each message once.{% if secret %} If the API key is refused (401/403), it is
        re-read from the store once and the request retried once.{% endif %} A timeout, a broken
        connection or a transient answer (429, 5xx but 501) is retried after a short pause, at
        most ``len(RETRY_DELAYS_SECONDS)`` times; every attempt is bounded by the client's
        timeout, and the batch cancels whatever outlives its budget.

        Raises:
            httpx.HTTPStatusError: If the final answer is not 2xx, so the message is retried.
            httpx.HTTPError: If the request could not be made (timeout, connection refused).
        """
        # CPU-heavy work (parsing a large body, signing, compressing) would block the event loop
        # and stall every other message of the batch: run it with
        # `await asyncio.to_thread(function, ...)` instead of calling it here directly.
{%- if secret %}
        api_key = await self._api_key.get()
        response = await self._post(message, api_key)
        if response.status_code in _REFUSED:
            response = await self._post(message, await self._api_key.refresh(api_key))
{%- else %}
        response = await self._post(message)
{%- endif %}
        response.raise_for_status()
{%- if snapstart %}

    async def renew(self) -> None:
        """Replace what a SnapStart snapshot must not carry into the containers restored from it.

        Pooled connections were opened by the environment that took the snapshot and do not
        survive the restore, so the task gets a client with an empty pool.
        """
        stale = self.client
        self.client = self._new_client()
        await stale.aclose()
{%- endif %}

    async def close(self) -> None:
        """Close the HTTP client's pooled connections."""
        await self.client.aclose()

    async def _post(self, message: Message{{ ", api_key: str" if secret }}) -> httpx.Response:
        for delay in RETRY_DELAYS_SECONDS:
            try:
                response = await self._post_once(message{{ ", api_key" if secret }})
            except _TRANSPORT_FAILURES:
                pass
            else:
                if response.status_code not in _TRANSIENT:
                    return response
            # Jitter spreads retries; it is not used for anything secret.
            await asyncio.sleep(delay * (1 + random.random() / 2))  # noqa: S311
        return await self._post_once(message{{ ", api_key" if secret }})

    async def _post_once(self, message: Message{{ ", api_key: str" if secret }}) -> httpx.Response:
        return await self.client.post(
            self._settings.target_url,
            content=message.body,
            headers={
{%- if secret %}
                "Authorization": f"Bearer {api_key}",
{%- endif %}
                "Idempotency-Key": message.id,
                "Content-Type": "application/json",
            },
        )
{%- endif %}
