"""Typed settings read from environment variables once, at init.

The machinery's settings (`Settings`) and the task's own (task.py) are read from one
`Environment`, which collects every problem instead of stopping at the first; `check` then fails
the cold start with one message naming each bad variable. Only names and plain values live in
the environment{{ "; secrets live in Secrets Manager" if cookiecutter.secret_name }}. Standard library only: this runs on every
cold start.
"""

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Self
from urllib.parse import urlsplit

DEFAULT_MAX_CONCURRENCY = 10
# Where plain http:// may go: this machine only.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
{%- if cookiecutter.secret_name %}
MAX_SECRET_TTL_SECONDS = 86_400
{%- endif %}


class SettingsError(ValueError):
    """Raised by `Environment.check` with every problem found, one per line.

    Attributes:
        problems: One sentence per bad variable: its name, its value, what was expected.
    """

    def __init__(self, problems: list[str]) -> None:
        """Keep ``problems`` and build a message that lists them all."""
        self.problems = problems
        super().__init__("invalid configuration:\n" + "\n".join(f"  {p}" for p in problems))


class Environment:
    """Reads settings from environment variables and notes every problem on the way.

    Each reader returns the parsed value, or a placeholder after noting a problem; the
    placeholder never escapes, because `check` raises when there is any problem.
    """

    def __init__(self, environ: Mapping[str, str] = os.environ) -> None:
        """Read from ``environ`` (the process's environment by default)."""
        self._environ = environ
        self.problems: list[str] = []

    def check(self) -> None:
        """Raise `SettingsError` with every problem noted so far, if there is any."""
        if self.problems:
            raise SettingsError(self.problems)

    def text(self, name: str, *, expected: str) -> str:
        """Return the variable ``name``, which must be set and not blank."""
        value = self._environ.get(name)
        if value is None:
            self._missing(name, expected)
            return ""
        if not value.strip():
            self._invalid(name, value, expected)
        return value

    def https_url(self, name: str) -> str:
        """Return the variable ``name``, which must be an absolute https:// URL.

        Plain http:// is allowed only to this machine (127.0.0.1, ::1, localhost), for local
        runs and tests: anywhere else, what is sent (message bodies, and any credential sent with
        them) would cross the network readable by anyone on the path.
        """
        expected = "an absolute https:// URL (http:// only to 127.0.0.1, ::1 or localhost)"
        value = self._environ.get(name)
        if value is None:
            self._missing(name, expected)
            return ""
        try:
            parts = urlsplit(value)
            host = parts.hostname
            valid = bool(host) and (
                parts.scheme == "https" or (parts.scheme == "http" and host in LOOPBACK_HOSTS)
            )
        except ValueError:  # e.g. an unclosed IPv6 bracket
            valid = False
        if not valid:
            self._invalid(name, value, expected)
        return value

    def integer(
        self, name: str, *, minimum: int, maximum: int | None = None, default: int | None = None
    ) -> int:
        """Return the variable ``name`` as an integer in range, or ``default`` when unset."""
        if maximum is None:
            expected = f"an integer of at least {minimum}"
        else:
            expected = f"an integer from {minimum} to {maximum}"
        value = self._environ.get(name)
        if value is None:
            if default is None:
                self._missing(name, expected)
                return minimum
            return default
        try:
            number = int(value)
        except ValueError:
            self._invalid(name, value, expected)
            return minimum
        if number < minimum or (maximum is not None and number > maximum):
            self._invalid(name, value, expected)
        return number

    def seconds(self, name: str, *, default: float) -> float:
        """Return the variable ``name`` as a positive number of seconds, or ``default``."""
        expected = "a number of seconds greater than 0"
        value = self._environ.get(name)
        if value is None:
            return default
        try:
            number = float(value)
        except ValueError:
            self._invalid(name, value, expected)
            return default
        if not (math.isfinite(number) and number > 0):
            self._invalid(name, value, expected)
        return number

    def plain(self, name: str) -> str:
        """Return the variable ``name``, which must be set; any string, even empty, is valid."""
        value = self._environ.get(name)
        if value is None:
            self._missing(name, "a value (template.yaml sets it)")
            return ""
        return value

    def _missing(self, name: str, expected: str) -> None:
        self.problems.append(f"{name} is not set: expected {expected}")

    def _invalid(self, name: str, value: str, expected: str) -> None:
        self.problems.append(f"{name}={value!r}: expected {expected}")


@dataclass(frozen=True, kw_only=True)
class Settings:
    """The machinery's configuration, parsed and validated (the task reads its own, task.py).

    Attributes:
{%- if cookiecutter.secret_name %}
        secret_name: SECRET_NAME, the Secrets Manager secret (name or ARN) the task is given.
        secret_ttl_seconds: SECRET_TTL_SECONDS, how long the cached secret is reused.
{%- endif %}
        max_concurrency: MAX_CONCURRENCY, how many messages of a batch are worked on at once.
{%- if cookiecutter.idempotency == "on" %}
        idempotency_table_name: IDEMPOTENCY_TABLE_NAME, the DynamoDB table that remembers which
            messages were finished.
{%- endif %}
    """
{% if cookiecutter.secret_name %}
    secret_name: str
    secret_ttl_seconds: int
{%- endif %}
    max_concurrency: int
{%- if cookiecutter.idempotency == "on" %}
    idempotency_table_name: str
{%- endif %}

    @classmethod
    def read(cls, environment: Environment) -> Self:
        """Read the settings from ``environment``; its `check` reports any problem."""
        return cls(
{%- if cookiecutter.secret_name %}
            secret_name=environment.text(
                "SECRET_NAME", expected="a Secrets Manager secret name or ARN"
            ),
            secret_ttl_seconds=environment.integer(
                "SECRET_TTL_SECONDS", minimum=1, maximum=MAX_SECRET_TTL_SECONDS
            ),
{%- endif %}
            max_concurrency=environment.integer(
                "MAX_CONCURRENCY", minimum=1, default=DEFAULT_MAX_CONCURRENCY
            ),
{%- if cookiecutter.idempotency == "on" %}
            idempotency_table_name=environment.text(
                "IDEMPOTENCY_TABLE_NAME", expected="a DynamoDB table name"
            ),
{%- endif %}
        )
