{%- set asynchronous = cookiecutter.trigger != "sqs" -%}
{%- set poison = cookiecutter.trigger in ("schedule", "eventbridge", "s3", "sns") -%}
"""`make smoke ENV=dev`: prove a deployed stack with real invocations, in your AWS account.

1. A good event, events/{{ cookiecutter.trigger }}.json with fresh ids, is handed to the deployed function
   synchronously, on the qualifier callers use: it must succeed ({{ "no record reported failed" if cookiecutter.trigger == "sqs" else "no function error" }}).
   That proves the init (settings{{ ", the secret and the permission to read it" if cookiecutter.secret_name }}) and the task's work,
   as deployed.
{%- if poison %}
2. A poison event, one the handler cannot read, is invoked asynchronously: once Lambda has
   retried it (a minute, then two minutes later) it must be in the dead-letter queue as
   Lambda's on-failure record, with the poison event as ``requestPayload``. That proves the
   failure path: the retries, the destination and its permission. The message is then deleted.
{%- elif cookiecutter.trigger == "sqs" %}
2. A poison message is not sent: the queue moves a failing message to the dead-letter queue only
   after {{ cookiecutter.max_receive_count }} receives, one visibility timeout apart (README, "When the function fails before
   its records"), far longer than a deploy should wait. tests/test_triggers.py checks that wiring.
{%- else %}
2. A poison event is not sent: any JSON is a valid payload here, so only your target decides
   what fails; tests/runtime/test_async_faults.py proves the failure path locally.
{%- endif %}
{%- if cookiecutter.cold_start != "none" %}
3. The version the alias "live" runs must be the function as deployed: the same code and
   version-specific settings as $LATEST. SAM publishes a version only when it sees the function
   change (template.yaml, AutoPublishAlias); a deploy that changed $LATEST without publishing
   would leave the trigger on the old version, so this says so instead of passing.
{%- endif %}

The checks take a `Stack`: `DeployedStack` reads the stack's outputs from CloudFormation and
calls AWS with your credentials; tests/runtime/test_smoke.py runs the same checks against the
local emulators.
"""

import json
import sys
{%- if poison %}
import time
{%- endif %}
import tomllib
{%- if cookiecutter.trigger != "invoke" %}
import uuid
{%- endif %}
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import boto3
from botocore.config import Config

from {{ cookiecutter.package_name }}.events import {{ "SMOKE_TEST_MEMBER" if cookiecutter.trigger == "invoke" else "SMOKE_TEST_PREFIX" }}

{% if poison -%}
from local.async_invoke import DeadLetter, look_at_dead_letters
{% endif -%}
from local.run import sample_event

PROJECT_ROOT = Path(__file__).resolve().parent.parent
{%- if poison %}
# Lambda retries a minute after the first attempt and two minutes after the second (Lambda
# Developer Guide, "How Lambda handles errors and retries with asynchronous invocation"); the
# rest is room for its queue of asynchronous events.
POISON_WAIT_SECONDS = 6 * 60
POISON = {"smoke-test": "an event the handler cannot read"}
{%- endif %}
{%- if cookiecutter.cold_start != "none" %}
# The settings a published version freezes that template.yaml sets: "After you publish a
# function version, its code, runtime, architecture, memory, layers, and most other
# configuration settings are immutable" (Lambda Developer Guide, "Manage Lambda function
# versions"). GetFunctionConfiguration returns them per version or alias.
VERSIONED_SETTINGS = (
    "CodeSha256",
    "Runtime",
    "Handler",
    "Role",
    "Architectures",
    "MemorySize",
    "Timeout",
    "EphemeralStorage",
    "Environment",
    "Layers",
    "LoggingConfig",
    "TracingConfig",
)
{%- endif %}


class SmokeTestError(AssertionError):
    """The deployed stack did not behave as its tests say it does."""


@dataclass(frozen=True)
class Answer:
    """What a synchronous invocation came to: the payload, and whether the function failed."""

    failed: bool
    payload: Any


class Stack(Protocol):
    """What the checks need of a deployed function."""

    def invoke(self, event: Any) -> Answer:  # noqa: ANN401 - any JSON document
        """Invoke the function synchronously with ``event``."""
        ...
{%- if poison %}

    def invoke_async(self, event: Any) -> None:  # noqa: ANN401 - any JSON document
        """Invoke the function asynchronously with ``event``."""
        ...

    def dead_letters(self) -> list[DeadLetter]:
        """Return the messages waiting in the dead-letter queue."""
        ...

    def delete(self, letter: DeadLetter) -> None:
        """Delete ``letter`` from the dead-letter queue."""
        ...
{%- endif %}


def fresh_event() -> Any:  # noqa: ANN401 - any JSON document
    """Return the trigger's sample event with ids no earlier event had, marked as the smoke
    test's (the message's ``smoke_test``), so a task with side effects can tell it apart."""
    event = sample_event()
{%- if cookiecutter.trigger != "invoke" %}
    unique = f"{SMOKE_TEST_PREFIX}{uuid.uuid4()}"
{%- endif %}
{%- if cookiecutter.trigger == "sqs" %}
    for number, record in enumerate(event["Records"]):
        record["messageId"] = f"{unique}-{number}"
    # The sample's third record is not JSON, which `make run`'s task refuses; yours may take it.
    event["Records"] = event["Records"][:2]
{%- elif cookiecutter.trigger == "schedule" %}
    event["execution_id"] = unique
    event["scheduled_time"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
{%- elif cookiecutter.trigger == "eventbridge" %}
    event["id"] = unique
{%- elif cookiecutter.trigger == "s3" %}
    record = event["Records"][0]
    record["s3"]["object"]["sequencer"] = uuid.uuid4().hex.upper()
    record["responseElements"]["x-amz-request-id"] = unique
{%- elif cookiecutter.trigger == "sns" %}
    event["Records"][0]["Sns"]["MessageId"] = unique
{%- elif cookiecutter.trigger == "invoke" %}
    # The message id is the request id, which Lambda makes new for each invocation; the payload
    # is the caller's alone, so the mark goes inside it.
    event[SMOKE_TEST_MEMBER] = True
{%- endif %}
    return event


def check_good_event(stack: Stack) -> str:
    """Invoke with a good event; return what was seen, or raise SmokeTestError."""
    answer = stack.invoke(fresh_event())
{%- if cookiecutter.trigger == "sqs" %}
    if answer.failed or answer.payload.get("batchItemFailures"):
        raise SmokeTestError(f"the good records were not all delivered: {answer.payload}")
    return "good event: every record delivered"
{%- else %}
    if answer.failed:
        raise SmokeTestError(f"the good event failed: {answer.payload}")
    return "good event: delivered"
{%- endif %}
{%- if poison %}


def check_poison_event(stack: Stack, wait_seconds: float, poll_seconds: float) -> str:
    """Invoke a poison event asynchronously and find Lambda's record of it in the DLQ."""
    stack.invoke_async(POISON)
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        for letter in stack.dead_letters():
            if letter.is_lambda_record and json.loads(letter.body)["requestPayload"] == POISON:
                record = json.loads(letter.body)
                stack.delete(letter)
                condition = record["requestContext"]["condition"]
                attempts = record["requestContext"]["approximateInvokeCount"]
                return f"poison event: in the dead-letter queue ({condition}, {attempts} attempts)"
        time.sleep(poll_seconds)
    raise SmokeTestError(f"the poison event is not in the dead-letter queue after {wait_seconds} s")
{%- endif %}
{%- if cookiecutter.cold_start != "none" %}


def check_alias_runs_what_was_deployed(
    lambda_client: Any,  # noqa: ANN401 - a boto3 client of Lambda
    function_arn: str,
) -> str:
    """Compare the version the alias "live" points at with the function as deployed ($LATEST)."""
    configuration = lambda_client.get_function_configuration
    # Unqualified, the call answers for $LATEST, and a grant on the function's ARN admits it;
    # the same ARN with Qualifier="$LATEST" would need a grant on the qualified ARN.
    deployed = configuration(FunctionName=function_arn)
    live = configuration(FunctionName=function_arn, Qualifier="live")
    stale = [name for name in VERSIONED_SETTINGS if deployed.get(name) != live.get(name)]
    if stale:
        raise SmokeTestError(
            f"the alias live runs version {live['Version']}, which differs from the deployed "
            f'function in {", ".join(stale)}: the deploy published no version (README, "Deploy")'
        )
    return f"alias live: version {live['Version']}, the function as deployed"
{%- endif %}


class DeployedStack:
    """The stack of one samconfig.toml environment, in the AWS account of your credentials."""

    def __init__(self, environment: str) -> None:
        samconfig = tomllib.loads((PROJECT_ROOT / "samconfig.toml").read_text(encoding="utf-8"))
        parameters = samconfig[environment]["global"]["parameters"]
        region = parameters["region"]
        stack = boto3.client("cloudformation", region_name=region).describe_stacks(
            StackName=parameters["stack_name"]
        )["Stacks"][0]
        outputs = {output["OutputKey"]: output["OutputValue"] for output in stack["Outputs"]}
        # The alias when there is one: it is what the trigger and the README's callers invoke.
        self.function = outputs.get("FunctionAliasArn", outputs["FunctionArn"])
{%- if cookiecutter.cold_start != "none" %}
        self.function_arn = outputs["FunctionArn"]
{%- endif %}
        # A synchronous invocation may last the function's whole timeout.
        self.lambda_client = boto3.client(
            "lambda",
            region_name=region,
            config=Config(read_timeout=900, retries={"mode": "standard"}),
        )
{%- if poison %}
        self.dead_letter_url = outputs["DeadLetterQueueUrl"]
        self._sqs = boto3.client("sqs", region_name=region)
{%- endif %}

    def invoke(self, event: Any) -> Answer:  # noqa: ANN401 - any JSON document
        """Invoke the function synchronously with ``event``."""
        response = self.lambda_client.invoke(FunctionName=self.function, Payload=json.dumps(event))
        return Answer(
            failed="FunctionError" in response, payload=json.loads(response["Payload"].read())
        )
{%- if poison %}

    def invoke_async(self, event: Any) -> None:  # noqa: ANN401 - any JSON document
        """Invoke the function asynchronously with ``event``."""
        self.lambda_client.invoke(
            FunctionName=self.function, InvocationType="Event", Payload=json.dumps(event)
        )

    def dead_letters(self) -> list[DeadLetter]:
        """Look at up to 10 messages of the dead-letter queue (they stay there)."""
        return look_at_dead_letters(self._sqs, self.dead_letter_url)

    def delete(self, letter: DeadLetter) -> None:
        """Delete ``letter`` from the dead-letter queue."""
        self._sqs.delete_message(QueueUrl=self.dead_letter_url, ReceiptHandle=letter.receipt_handle)
{%- endif %}


def main() -> None:
    """Run the checks against the stack of the environment named on the command line."""
    environment = sys.argv[1] if len(sys.argv) > 1 else "dev"
    stack = DeployedStack(environment)
    print(f"smoke test of {stack.function} ({environment})")
    try:
{%- if cookiecutter.cold_start != "none" %}
        print(check_alias_runs_what_was_deployed(stack.lambda_client, stack.function_arn))
{%- endif %}
        print(check_good_event(stack))
{%- if poison %}
        print(check_poison_event(stack, POISON_WAIT_SECONDS, poll_seconds=10))
{%- endif %}
    except SmokeTestError as error:
        sys.exit(f"smoke test failed: {error}")


if __name__ == "__main__":
    main()
