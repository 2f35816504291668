{%- set poison = cookiecutter.trigger in ("schedule", "eventbridge", "s3", "sns") -%}
"""`make smoke`'s checks (local/smoke.py), run against the local emulators instead of a deployed
stack: the function through the runtime client{% if poison %}, Lambda's asynchronous invocation and the
dead-letter queue in moto{% endif %}."""

{% if poison -%}
import uuid
from dataclasses import dataclass, field
{%- else -%}
from dataclasses import dataclass
{%- endif %}
from typing import Any

import pytest

{% if poison -%}
from local.async_invoke import AsyncInvoker, DeadLetter, create_async_invoker
{% endif -%}
from local.runtime import LambdaProcess
from local.smoke import (
    Answer,
    SmokeTestError,
    check_good_event,
{%- if poison %}
    check_poison_event,
{%- endif %}
)


@dataclass
class LocalDeployment:
    """A `local.smoke.Stack` made of the local emulators."""

    function: LambdaProcess
{%- if poison %}
    invoker: AsyncInvoker = field(repr=False)
{%- endif %}

    def invoke(self, event: Any) -> Answer:
        outcome = self.function.invoke(event)
        return Answer(failed=outcome.kind != "response", payload=outcome.payload)
{%- if poison %}

    def invoke_async(self, event: Any) -> None:
        self.invoker.invoke(event)

    def dead_letters(self) -> list[DeadLetter]:
        return self.invoker.dead_letter_messages()

    def delete(self, letter: DeadLetter) -> None:
        self.invoker.client.delete_message(
            QueueUrl=self.invoker.dead_letter_url, ReceiptHandle=letter.receipt_handle
        )
{%- endif %}


@pytest.fixture
def deployment({{ "aws, " if poison }}start) -> LocalDeployment:
{%- if poison %}
    return LocalDeployment(start(), create_async_invoker(aws, f"dlq-{uuid.uuid4()}", start))
{%- else %}
    return LocalDeployment(start())
{%- endif %}


def test_a_healthy_deployment_passes(receiver, deployment):
    assert check_good_event(deployment).startswith("good event:")
    assert receiver.deliveries
{%- if poison %}

    seen = check_poison_event(deployment, wait_seconds=30, poll_seconds=0.1)

    assert seen == "poison event: in the dead-letter queue (RetriesExhausted, 3 attempts)"
    assert deployment.dead_letters() == []  # the smoke test cleans up after itself
{%- endif %}


{% if cookiecutter.secret_name -%}
def test_a_deployment_whose_target_refuses_the_key_fails(receiver, deployment):
    receiver.api_key = "a-key-the-deployment-does-not-have"
{%- else -%}
def test_a_deployment_whose_target_is_down_fails(receiver, deployment):
    receiver.unavailable_next = 1000
{%- endif %}

    with pytest.raises(SmokeTestError):
        check_good_event(deployment)
{%- if poison %}


def test_a_deployment_that_loses_failed_events_fails(aws, receiver, start):
    # Without an on-failure destination Lambda drops the event after its retries.
    invoker = create_async_invoker(aws, f"dlq-{uuid.uuid4()}", start)
    invoker.configs = {"$LATEST": {"MaximumRetryAttempts": 2}}

    with pytest.raises(SmokeTestError, match="not in the dead-letter queue"):
        check_poison_event(LocalDeployment(start(), invoker), wait_seconds=1, poll_seconds=0.1)
{%- endif %}
