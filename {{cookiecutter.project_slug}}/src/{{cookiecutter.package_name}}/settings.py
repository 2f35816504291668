"""Typed settings read from environment variables once, at init.

Every variable is checked before anything starts and every problem is reported together, so a
misconfigured deployment fails its cold start with one message naming each bad variable. Only
names and plain values live in the environment; the API key itself is in Secrets Manager.
Standard library only: this runs on every cold start.
"""

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_TARGET_TIMEOUT_SECONDS = 10.0
DEFAULT_MAX_CONCURRENCY = 10
MAX_SECRET_TTL_SECONDS = 86_400


class SettingsError(ValueError):
    """Raised by `load_settings` with every problem it found, one per line.

    Attributes:
        problems: One sentence per bad variable: its name, its value, what was expected.
    """

    def __init__(self, problems: list[str]) -> None:
        """Keep ``problems`` and build a message that lists them all."""
        self.problems = problems
        super().__init__("invalid configuration:\n" + "\n".join(f"  {p}" for p in problems))


@dataclass(frozen=True, kw_only=True)
class Settings:
    """The function's configuration, parsed and validated.

    Attributes:
        target_url: TARGET_URL, the http(s) endpoint each message is POSTed to.
        secret_name: SECRET_NAME, the Secrets Manager secret (name or ARN) holding the API key.
        secret_ttl_seconds: SECRET_TTL_SECONDS, how long the cached API key is reused.
        target_timeout_seconds: TARGET_TIMEOUT_SECONDS, the HTTP timeout per request.
        max_concurrency: MAX_CONCURRENCY, how many messages of a batch are delivered at once.
{%- if cookiecutter.idempotency == "on" %}
        idempotency_table_name: IDEMPOTENCY_TABLE_NAME, the DynamoDB table that remembers which
            messages were delivered.
{%- endif %}

    Any further attribute is a plain setting from the variable of the same name in upper case.
    """

    target_url: str
    secret_name: str
    secret_ttl_seconds: int
    target_timeout_seconds: float
    max_concurrency: int
{%- if cookiecutter.idempotency == "on" %}
    idempotency_table_name: str
{%- endif %}
{%- for pair in cookiecutter.env_vars.split(',') if pair.strip() %}
    {{ pair.split('=', 1)[0].strip() | lower }}: str
{%- endfor %}


def load_settings(environ: Mapping[str, str] = os.environ) -> Settings:
    """Read the settings from ``environ``.

    Raises:
        SettingsError: If any variable is missing or invalid; the error lists all of them.
    """
    problems: list[str] = []
    settings = Settings(
        target_url=_http_url(environ, "TARGET_URL", problems),
        secret_name=_text(
            environ, "SECRET_NAME", problems, expected="a Secrets Manager secret name or ARN"
        ),
        secret_ttl_seconds=_integer(
            environ, "SECRET_TTL_SECONDS", problems, minimum=1, maximum=MAX_SECRET_TTL_SECONDS
        ),
        target_timeout_seconds=_seconds(
            environ, "TARGET_TIMEOUT_SECONDS", problems, default=DEFAULT_TARGET_TIMEOUT_SECONDS
        ),
        max_concurrency=_integer(
            environ, "MAX_CONCURRENCY", problems, minimum=1, default=DEFAULT_MAX_CONCURRENCY
        ),
{%- if cookiecutter.idempotency == "on" %}
        idempotency_table_name=_text(
            environ, "IDEMPOTENCY_TABLE_NAME", problems, expected="a DynamoDB table name"
        ),
{%- endif %}
{%- for pair in cookiecutter.env_vars.split(',') if pair.strip() %}
        {{ pair.split('=', 1)[0].strip() | lower }}=_plain(
            environ,
            "{{ pair.split('=', 1)[0].strip() }}",
            problems,
        ),
{%- endfor %}
    )
    if problems:
        raise SettingsError(problems)
    return settings


# Each reader below returns the parsed value, or a placeholder after recording a problem; the
# placeholder never escapes, because load_settings raises when there is any problem.


def _missing(name: str, expected: str) -> str:
    return f"{name} is not set: expected {expected}"


def _invalid(name: str, value: str, expected: str) -> str:
    return f"{name}={value!r}: expected {expected}"


def _text(environ: Mapping[str, str], name: str, problems: list[str], *, expected: str) -> str:
    value = environ.get(name)
    if value is None:
        problems.append(_missing(name, expected))
        return ""
    if not value.strip():
        problems.append(_invalid(name, value, expected))
    return value


def _http_url(environ: Mapping[str, str], name: str, problems: list[str]) -> str:
    expected = "an absolute http:// or https:// URL"
    value = environ.get(name)
    if value is None:
        problems.append(_missing(name, expected))
        return ""
    try:
        parts = urlsplit(value)
        valid = parts.scheme in {"http", "https"} and bool(parts.hostname)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        valid = False
    if not valid:
        problems.append(_invalid(name, value, expected))
    return value


def _integer(
    environ: Mapping[str, str],
    name: str,
    problems: list[str],
    *,
    minimum: int,
    maximum: int | None = None,
    default: int | None = None,
) -> int:
    if maximum is None:
        expected = f"an integer of at least {minimum}"
    else:
        expected = f"an integer from {minimum} to {maximum}"
    value = environ.get(name)
    if value is None:
        if default is None:
            problems.append(_missing(name, expected))
            return minimum
        return default
    try:
        number = int(value)
    except ValueError:
        problems.append(_invalid(name, value, expected))
        return minimum
    if number < minimum or (maximum is not None and number > maximum):
        problems.append(_invalid(name, value, expected))
    return number


def _seconds(
    environ: Mapping[str, str], name: str, problems: list[str], *, default: float
) -> float:
    expected = "a number of seconds greater than 0"
    value = environ.get(name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        problems.append(_invalid(name, value, expected))
        return default
    if not (math.isfinite(number) and number > 0):
        problems.append(_invalid(name, value, expected))
    return number
{%- if cookiecutter.env_vars.strip() %}


def _plain(environ: Mapping[str, str], name: str, problems: list[str]) -> str:
    # A setting of the env_vars answer: it must be set, and any string (even empty) is accepted.
    value = environ.get(name)
    if value is None:
        problems.append(_missing(name, "a value (template.yaml sets it)"))
        return ""
    return value
{%- endif %}
