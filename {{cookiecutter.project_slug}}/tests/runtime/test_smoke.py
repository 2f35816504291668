{%- set poison = cookiecutter.trigger in ("schedule", "eventbridge", "s3", "sns") -%}
{%- set published = cookiecutter.cold_start != "none" -%}
"""`make smoke`'s checks (local/smoke.py), run against the local emulators instead of a deployed
stack: the function through the runtime client{% if poison %}, Lambda's asynchronous invocation and the
dead-letter queue in moto{% endif %}."""

{% if published -%}
import io
import json
{% endif -%}
{% if poison or published -%}
import uuid
{% endif -%}
{% if published -%}
import zipfile
{% endif -%}
from dataclasses import dataclass{{ ", field" if poison }}
{% if published -%}
from pathlib import Path
{% endif -%}
from typing import Any

import pytest

{% if poison -%}
from local.async_invoke import AsyncInvoker, DeadLetter, create_async_invoker
{% endif -%}
{% if published -%}
from local.aws import moto_client
{% endif -%}
from local.runtime import LambdaProcess
from local.smoke import (
    Answer,
    SmokeTestError,
{%- if published %}
    check_alias_runs_what_was_deployed,
{%- endif %}
    check_good_event,
{%- if poison %}
    check_poison_event,
{%- endif %}
)
{%- if published %}

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "{{ cookiecutter.package_name }}"
{%- endif %}


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
{%- if published %}


@pytest.fixture
def published_function(aws) -> tuple[Any, str]:
    """The function in moto's Lambda as a deploy leaves it: version 1 published, "live" on it.

    Returns the Lambda client and the function's (unqualified) ARN.
    """
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    name = f"smoke-{uuid.uuid4()}"
    role = moto_client("iam", aws).create_role(
        RoleName=name, AssumeRolePolicyDocument=json.dumps(trust)
    )["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        for path in PACKAGE.rglob("*.py"):
            archive.write(path, path.relative_to(PACKAGE.parent))
    client = moto_client("lambda", aws)
    function_arn = client.create_function(
        FunctionName=name,
        Runtime="python{{ cookiecutter.python_version }}",
        Role=role,
        Handler="{{ cookiecutter.package_name }}.handler.lambda_handler",
        Code={"ZipFile": code.getvalue()},
        Timeout={{ cookiecutter.timeout | int }},
        Environment={"Variables": {"MAX_CONCURRENCY": "10"}},
    )["FunctionArn"]
    version = client.publish_version(FunctionName=name)["Version"]
    client.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    return client, function_arn


def test_an_alias_left_on_an_old_version_fails(published_function):
    client, function_arn = published_function
    assert check_alias_runs_what_was_deployed(client, function_arn) == (
        "alias live: version 1, the function as deployed"
    )
    # What a deploy that SAM published no version for does: $LATEST changes, the alias stays.
    client.update_function_configuration(
        FunctionName=function_arn,
        Timeout={{ (cookiecutter.timeout | int) + 1 }},
        Environment={"Variables": {"MAX_CONCURRENCY": "11"}},
    )

    with pytest.raises(SmokeTestError) as stale:
        check_alias_runs_what_was_deployed(client, function_arn)
    assert "runs version 1, which differs from the deployed function in Timeout, Environment:" in (
        str(stale.value)
    )

    version = client.publish_version(FunctionName=function_arn)["Version"]
    client.update_alias(FunctionName=function_arn, Name="live", FunctionVersion=version)
    assert check_alias_runs_what_was_deployed(client, function_arn) == (
        "alias live: version 2, the function as deployed"
    )
{%- endif %}
