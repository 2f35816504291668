{% if cookiecutter.secret_name -%}
"""The function run by the real Lambda runtime client (local/runtime.py), against moto and a
local receiver. Every process a test starts is checked when the test ends: no value the secret
held appears in its log or its outcomes."""
{%- else -%}
"""The function run by the real Lambda runtime client (local/runtime.py), against moto and a
local receiver."""
{%- endif %}

{% if cookiecutter.secret_name or cookiecutter.idempotency == "on" -%}
import uuid
{% endif -%}
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from local.aws import (
    PROFILE_VARIABLES,
{%- if cookiecutter.idempotency == "on" %}
    create_idempotency_table,
{%- endif %}
{%- if cookiecutter.secret_name %}
    create_secret,
    stored_secret_values,
{%- endif %}
)
from local.probe import package_with_probe
from local.run import HANDLER, function_environment
from local.runtime import LambdaProcess
from local.target import Receiver


@pytest.fixture
def environ(aws, receiver: Receiver, {{ "secret_value: str, " if cookiecutter.secret_name }}tmp_path) -> dict[str, str]:
    """The function's environment: {% if cookiecutter.secret_name %}a fresh secret{% if cookiecutter.idempotency == "on" %} and table{% endif %} in moto, {% elif cookiecutter.idempotency == "on" %}a fresh table in moto, {% endif %}the receiver as target."""
    environ = function_environment(aws)
    for name in PROFILE_VARIABLES:
        environ.pop(name, None)
{%- if cookiecutter.secret_name %}
    environ["SECRET_NAME"] = f"{{ cookiecutter.project_slug }}/runtime-{uuid.uuid4()}"
    create_secret(aws, environ["SECRET_NAME"], secret_value)
{%- endif %}
{%- if cookiecutter.idempotency == "on" %}
    environ["IDEMPOTENCY_TABLE_NAME"] = f"idempotency-{uuid.uuid4()}"
    create_idempotency_table(aws, environ["IDEMPOTENCY_TABLE_NAME"])
{%- endif %}
    environ["PROBE_URL"] = receiver.url  # where local/probe_task.py POSTs
    # The function's temporary files go here, so a test can see what is left behind.
    environ["TMPDIR"] = str(tmp_path)
    return environ


@pytest.fixture(scope="session")
def probe_package(tmp_path_factory) -> Path:
    """The function's package with local/probe_task.py as its task (local/probe.py)."""
    return package_with_probe(tmp_path_factory.mktemp("probe"))


@pytest.fixture
def start(environ, probe_package) -> Iterator[Callable[..., LambdaProcess]]:
    """Start a function instance (a cold start) with ``environ`` and any overrides, and the
    probe as its task: it POSTs each message to the receiver. The tests of the machinery use
    it, so they hold whatever task.py does."""
    with _instances(environ, probe_package) as start_instance:
        yield start_instance


@pytest.fixture
def start_task(environ) -> Iterator[Callable[..., LambdaProcess]]:
    """Start a function instance as `start` does, with the function's own task (task.py)."""
    with _instances(environ, task_root=None) as start_instance:
        yield start_instance


@contextmanager
def _instances(
    environ: dict[str, str], task_root: Path | None
) -> Iterator[Callable[..., LambdaProcess]]:
    started: list[LambdaProcess] = []
    with ExitStack() as stack:

        def _start(timeout_seconds: float = 30, **overrides: str) -> LambdaProcess:
            process = LambdaProcess(
                HANDLER, {**environ, **overrides}, timeout_seconds, task_root=task_root
            )
            started.append(stack.enter_context(process))
            return process

        yield _start
{%- if cookiecutter.secret_name %}
    # The value stored at the start, and any a test rotated to.
    secrets = stored_secret_values(environ["AWS_ENDPOINT_URL"], environ["SECRET_NAME"])
    assert secrets, "the secret's values could not be read: nothing would be checked"
    for process in started:
        leaked = [line for line in process.logs.splitlines() if any(s in line for s in secrets)]
        assert not leaked, "a value of the secret was logged"
        assert not [o for o in process.outcomes if any(s in repr(o) for s in secrets)]
{%- endif %}
