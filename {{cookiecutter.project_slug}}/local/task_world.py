{%- set secret = cookiecutter.secret_name != "" -%}
"""The task's world on this machine: what `make run` (local/run.py) starts beside the function.

{% if cookiecutter.task == "blank" -%}
The blank task talks to nothing. A task that calls a service or writes to a resource starts its
stand-in here (a moto resource at ``endpoint_url``; for an HTTP service, local/http_stand_in.py,
which answers any method as told and records the requests), points its settings at it and
reports what it holds after the run.
{%- else -%}
The worked example POSTs to a target: here a local Receiver (local/target.py){{ ", which accepts
one API key, the one stored as the function's secret" if secret }}.
{%- endif %}
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
{%- if cookiecutter.task == "http_delivery" %}

from local.target import Receiver
{%- endif %}


@dataclass(frozen=True)
class TaskWorld:
    """The task's settings, pointed at its local stand-ins, and a report of what they saw.

    Attributes:
        environment: Variables of the task, added to the function's environment.
{%- if secret %}
        secret: The value to store in the function's secret.
{%- endif %}
        report: Returns the lines, printed after the run, that say what the task did.
    """

    environment: dict[str, str]
{%- if secret %}
    secret: str
{%- endif %}
    report: Callable[[], list[str]]
{%- if cookiecutter.task == "http_delivery" %}
{%- if secret %}


LOCAL_API_KEY = "local-api-key"  # made up; only the local receiver accepts it
{%- endif %}


@contextmanager
def task_world(endpoint_url: str) -> Iterator[TaskWorld]:
    """Start the receiver the task POSTs to; stop it when the block ends."""
    with Receiver({{ "api_key=LOCAL_API_KEY" if secret }}) as receiver:

        def report() -> list[str]:
            return [
                f"The receiver accepted {len(receiver.deliveries)} message(s):",
                *(f"  Idempotency-Key {d.idempotency_key}: {d.body}" for d in receiver.deliveries),
            ]

        yield TaskWorld(
            environment={"TARGET_URL": receiver.url},
{%- if secret %}
            secret=LOCAL_API_KEY,
{%- endif %}
            report=report,
        )
{%- else %}


@contextmanager
def task_world(endpoint_url: str) -> Iterator[TaskWorld]:
    """Start nothing: the blank task talks to nothing yet (moto serves ``endpoint_url``)."""
    yield TaskWorld(
        environment={},
{%- if secret %}
        secret="local-secret",  # noqa: S106 - made up, for the local run only
{%- endif %}
        report=list,
    )
{%- endif %}
