"""`make run`: the function end to end on this machine, with no AWS account and no Docker.

Starts a moto server (AWS's APIs) and the task's local world (local/task_world.py){% if cookiecutter.secret_name %}, stores
the secret the task expects{% endif %},
and starts the function as Lambda does: the real runtime
client (awslambdaric) imports the handler (the cold start) and is handed the sample event
events/{{ cookiecutter.trigger }}.json through a local Runtime API{% if cookiecutter.trigger != "sqs" %}, asynchronously (retried, then sent to a
dead-letter queue in moto if it keeps failing){% endif %}. Prints the outcome and what the task's
world reports.
"""

import json
import logging
import os
{%- if cookiecutter.trigger != "sqs" %}
from contextlib import ExitStack
{%- endif %}
from pathlib import Path
from typing import Any

{% if cookiecutter.trigger != "sqs" -%}
from local.async_invoke import create_async_invoker
{% endif -%}
from local.aws import (
    FAKE_CREDENTIALS,
    PROFILE_VARIABLES,
{%- if cookiecutter.idempotency == "on" %}
    create_idempotency_table,
{%- endif %}
{%- if cookiecutter.secret_name %}
    create_secret,
{%- endif %}
    moto_server,
)
from local.runtime import LambdaProcess
from local.task_world import task_world

HANDLER = "{{ cookiecutter.package_name }}.handler.lambda_handler"  # as template.yaml names it
PROJECT_ROOT = Path(__file__).resolve().parent.parent
FUNCTION_TIMEOUT_SECONDS = {{ cookiecutter.timeout | int }}  # the function's Timeout (template.yaml)


def sample_event() -> Any:  # noqa: ANN401 - any JSON document
    """Return events/{{ cookiecutter.trigger }}.json, the trigger's sample event (as `make run` sends it)."""
    return json.loads((PROJECT_ROOT / "events" / "{{ cookiecutter.trigger }}.json").read_text(encoding="utf-8"))


def function_environment(endpoint_url: str) -> dict[str, str]:
    """Return the function's environment: env.json's values, AWS pointed at ``endpoint_url``."""
    parameters = json.loads((PROJECT_ROOT / "env.json").read_text(encoding="utf-8"))["Parameters"]
    return {**parameters, "AWS_ENDPOINT_URL": endpoint_url, **FAKE_CREDENTIALS}


def main() -> None:
    """Run events/{{ cookiecutter.trigger }}.json through the function and print the outcome."""
    # moto's server logs each request it serves, at INFO, through werkzeug's own logger.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    event = sample_event()
    with moto_server() as endpoint_url, task_world(endpoint_url) as world:
        environ = {
            name: value for name, value in os.environ.items() if name not in PROFILE_VARIABLES
        }
        environ.update(function_environment(endpoint_url))
        environ.update(world.environment)
{%- if cookiecutter.secret_name %}
        create_secret(endpoint_url, environ["SECRET_NAME"], world.secret)
{%- endif %}
{%- if cookiecutter.idempotency == "on" %}
        create_idempotency_table(endpoint_url, environ["IDEMPOTENCY_TABLE_NAME"])
{%- endif %}
{%- if cookiecutter.trigger == "sqs" %}
        with LambdaProcess(HANDLER, environ, FUNCTION_TIMEOUT_SECONDS) as function:
            outcome = function.invoke(event)
        print("The function's log (JSON lines, as Lambda writes them):")
        print(function.logs, end="")
        # Read while the task's world (and moto) still run.
        task_report = world.report()

    print(f"Invocation {outcome.kind} (the records listed go back to the queue):")
    print(json.dumps(outcome.payload, indent=2))
{%- else %}
        with ExitStack() as instances:
            invoker = create_async_invoker(
                endpoint_url,
                "dead-letter-queue",
                start=lambda: instances.enter_context(
                    LambdaProcess(HANDLER, environ, FUNCTION_TIMEOUT_SECONDS)
                ),
            )
            outcomes = invoker.invoke(event)
            failed_events = invoker.dead_letters()
            print("The function's log (JSON lines, as Lambda writes them):")
            print(invoker.logs(), end="")
            # Read while the task's world (and moto) still run.
            task_report = world.report()

    print(f"Attempts: {', '.join(outcome.kind for outcome in outcomes)}")
    print(f"Events in the dead-letter queue: {len(failed_events)}")
{%- endif %}
    for line in task_report:
        print(line)


if __name__ == "__main__":
    main()
