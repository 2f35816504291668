{%- set secret = cookiecutter.secret_name != "" -%}
"""A stand-in for task.py, for the tests of the machinery.

The machinery is the handler, events, batch and scratch{{ ", the secret's cache" if secret }}{{ ", the idempotency ledger" if cookiecutter.idempotency == "on" }},
and the way Lambda runs them.

It POSTs each message to PROBE_URL, a local Receiver (local/target.py) that a test makes fail,
hang or refuse at will and that records what arrived. With it in task.py's place
(local/probe.py), the fault tests prove what the machinery does with any task, and pass
whatever task.py becomes. It has the names handler.py uses of a task, and nothing more.
"""

import tempfile
from dataclasses import dataclass
from typing import Self

import httpx

from {{ cookiecutter.package_name }}.message import Message
{%- if secret %}
from {{ cookiecutter.package_name }}.secret_cache import SecretCache
{%- endif %}
from {{ cookiecutter.package_name }}.settings import Environment


@dataclass(frozen=True, kw_only=True)
class TaskSettings:
    """PROBE_URL: where each message is POSTed."""

    probe_url: str

    @classmethod
    def read(cls, environment: Environment) -> Self:
        """Read PROBE_URL from ``environment``."""
        return cls(probe_url=environment.https_url("PROBE_URL"))


class Task:
    """POSTs each message once, with its id as ``Idempotency-Key``{{ ", and the secret as a token" if secret }}."""

    def __init__(self, settings: TaskSettings{{ ", secret: SecretCache" if secret }}) -> None:
        """Keep the settings{{ " and the secret" if secret }}; open an HTTP client."""
        self._settings = settings
{%- if secret %}
        self._secret = secret
{%- endif %}
        self.client = httpx.AsyncClient(timeout=30)

    async def run(self, message: Message) -> None:
        """POST the message; raise unless the answer is 2xx. No retry: that is the task's."""
        # A temporary file left behind, as careless code leaves them: scratch.py removes it.
        with tempfile.NamedTemporaryFile(delete=False) as leftover:
            leftover.write(message.body.encode())
{%- if secret %}
        bearer = f"Bearer {await self._secret.get()}"
        headers = {"Idempotency-Key": message.id, "Authorization": bearer}
{%- else %}
        headers = {"Idempotency-Key": message.id}
{%- endif %}
        response = await self.client.post(
            self._settings.probe_url, content=message.body, headers=headers
        )
        response.raise_for_status()
{%- if cookiecutter.cold_start == "snapstart" %}

    async def renew(self) -> None:
        """Open a new HTTP client after a SnapStart restore."""
        stale = self.client
        self.client = httpx.AsyncClient(timeout=30)
        await stale.aclose()
{%- endif %}

    async def close(self) -> None:
        """Close the HTTP client."""
        await self.client.aclose()
