"""The handler as Lambda runs it, imported (init) once per test, with local/probe_task.py in
task.py's place (it POSTs each message to a local receiver): these are the tests of the
machinery, and they hold whatever task.py does."""

{% if cookiecutter.secret_name or cookiecutter.idempotency == "on" -%}
import uuid
{% endif -%}
from collections.abc import Iterator
from types import ModuleType

import pytest

from local.aws import (
    PROFILE_VARIABLES,
{%- if cookiecutter.idempotency == "on" %}
    create_idempotency_table,
{%- endif %}
{%- if cookiecutter.secret_name %}
    create_secret,
{%- endif %}
    start_recording,
)
from local.in_process import load_handler, unload_handler
from local.probe import probe_as_task
from local.run import function_environment
from local.target import Receiver
{%- if cookiecutter.secret_name %}


@pytest.fixture
def secret_name(aws, secret_value) -> str:
    """A new secret in moto holding ``secret_value`` (moto's state lasts the session)."""
    name = f"{{ cookiecutter.project_slug }}/test-{uuid.uuid4()}"
    create_secret(aws, name, secret_value)
    return name
{%- endif %}


@pytest.fixture
def handler(aws, receiver: Receiver, {{ "secret_name, " if cookiecutter.secret_name }}monkeypatch) -> Iterator[ModuleType]:
    """The handler module after a cold start; requests to moto are recorded from its init on."""
    for name in PROFILE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in function_environment(aws).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PROBE_URL", receiver.url)
{%- if cookiecutter.secret_name %}
    monkeypatch.setenv("SECRET_NAME", secret_name)
{%- endif %}
{%- if cookiecutter.idempotency == "on" %}
    table_name = f"idempotency-{uuid.uuid4()}"
    create_idempotency_table(aws, table_name)
    monkeypatch.setenv("IDEMPOTENCY_TABLE_NAME", table_name)
{%- endif %}
    start_recording(aws)
    with probe_as_task():
        module = load_handler()
    yield module
    unload_handler(module)
