"""What Lambda does with an asynchronous invocation: retries, then the on-failure destination.

`AsyncInvoker.invoke` hands an event to the function as Lambda's own queue of asynchronous
events does: an attempt that errs is tried again, up to MaximumRetryAttempts more times (with
the same request id; after an init error, in a new instance), and an event that fails every
attempt is sent to the dead-letter queue in moto as the on-failure record Lambda writes. (Lambda
waits a minute, then two, between attempts; here they follow at once.) The retries and the
destination are those template.yaml gives the qualifier invoked ($LATEST, or the alias): an
EventInvokeConfig belongs to one qualifier, and without one Lambda retries twice and then
drops the event (Lambda Developer Guide, "How Lambda handles errors and retries with
asynchronous invocation").
{%- if cookiecutter.trigger in ("schedule", "eventbridge", "sns") %}

The event source has a dead-letter path of its own, for an event it could not hand to Lambda at
all (throttled past its retry policy, a missing permission): `source_gives_up` puts the event
into the same queue in that source's format. `event_to_send_again` turns any message of the
queue back into the event to invoke the function with, as the README's redrive steps do.
{%- else %}

`event_to_send_again` turns a message of the queue back into the event to invoke the function
with, as the README's redrive steps do.
{%- endif %}
"""

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from local.aws import REGION, moto_client
from local.runtime import PROJECT_ROOT, LambdaProcess, Outcome

MAXIMUM_RETRY_ATTEMPTS = 2  # Lambda's default, and EventInvokeConfig's in template.yaml
# Lambda refuses a larger asynchronous invocation (Lambda API Reference, Invoke).
ASYNC_PAYLOAD_LIMIT_BYTES = 1024 * 1024
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:123456789012:function:local"


@dataclass(frozen=True)
class DeadLetter:
    """A message of the dead-letter queue: its body, its message attributes, its receipt."""

    body: str
    attributes: dict[str, str]
    receipt_handle: str = ""

    @property
    def is_lambda_record(self) -> bool:
        """Whether Lambda's on-failure destination wrote it (the function failed every attempt)."""
        try:
            document = json.loads(self.body)
        except ValueError:
            return False
        fields = set(document) if isinstance(document, dict) else set()
        return {"requestContext", "requestPayload"} <= fields


class _CloudFormationLoader(yaml.SafeLoader):
    """Reads template.yaml, keeping CloudFormation's short forms (!Ref, !GetAtt) as their value."""


_CloudFormationLoader.add_multi_constructor(
    "!",
    lambda loader, _, node: (
        loader.construct_scalar(node)
        if isinstance(node, yaml.ScalarNode)
        else loader.construct_sequence(node)
        if isinstance(node, yaml.SequenceNode)
        else loader.construct_mapping(node)
    ),
)


def event_invoke_configs() -> dict[str, dict[str, Any]]:
    """Return template.yaml's asynchronous invocation settings, by the qualifier they apply to.

    SAM puts the function's EventInvokeConfig on the alias when AutoPublishAlias is set, and on
    $LATEST otherwise; an AWS::Lambda::EventInvokeConfig names its qualifier.
    """
    source = (PROJECT_ROOT / "template.yaml").read_text(encoding="utf-8")
    template = yaml.load(source, Loader=_CloudFormationLoader)  # noqa: S506 - a SafeLoader
    resources = template["Resources"]
    function = resources["Function"]["Properties"]
    configs = {
        function.get("AutoPublishAlias", "$LATEST"): function["EventInvokeConfig"],
    }
    for resource in resources.values():
        if resource["Type"] == "AWS::Lambda::EventInvokeConfig":
            configs[resource["Properties"]["Qualifier"]] = resource["Properties"]
    return configs


@dataclass
class AsyncInvoker:
    """Invokes a function asynchronously; failed events go to the queue at ``dead_letter_url``.

    Args:
        start: Starts a function instance (a cold start), as Lambda does when it needs one.
        dead_letter_url: The on-failure destination.
        client: A boto3 SQS client for moto.
        configs: EventInvokeConfig by qualifier (template.yaml's, see `event_invoke_configs`).
        between_attempts: Called with a failed attempt's outcome before Lambda's retry (where
            Lambda waits a minute, then two): a test's seam to change the world in between,
            say to let a target that failed come back.

    Attributes:
        dropped: Events that failed every attempt where no destination was configured.
    """

    start: Callable[[], LambdaProcess]
    dead_letter_url: str
    client: Any
    configs: dict[str, dict[str, Any]] = field(default_factory=event_invoke_configs)
    between_attempts: Callable[[Outcome], None] = lambda _: None
    started: list[LambdaProcess] = field(default_factory=list, init=False)
    dropped: list[Any] = field(default_factory=list, init=False)

    @property
    def qualifiers(self) -> list[str]:
        """The qualifiers a caller may invoke: $LATEST, and the alias if there is one."""
        return sorted({"$LATEST", *self.configs})

    def invoke(self, event: Any, qualifier: str | None = None) -> list[Outcome]:  # noqa: ANN401
        """Deliver ``event`` until an attempt succeeds or none is left; return every outcome.

        ``qualifier`` is what the caller invoked: the alias when there is one (as the trigger
        and the README's callers do), else $LATEST.

        Raises:
            ValueError: If Lambda would refuse the event for its size.
        """
        if qualifier is None:
            aliases = [name for name in self.configs if name != "$LATEST"]
            qualifier = aliases[0] if aliases else "$LATEST"
        config = self.configs.get(qualifier, {})
        retries = int(config.get("MaximumRetryAttempts", MAXIMUM_RETRY_ATTEMPTS))
        size = len(json.dumps(event).encode())
        if size > ASYNC_PAYLOAD_LIMIT_BYTES:
            raise ValueError(f"Lambda refuses an asynchronous event of {size} bytes (1 MB at most)")
        request_id = str(uuid.uuid4())
        outcomes: list[Outcome] = []
        for attempt in range(1 + retries):
            if attempt:
                self.between_attempts(outcomes[-1])
            if not self.started or self.started[-1].init_errors:
                # None yet, or the last one failed its init and exited: Lambda starts another.
                self.started.append(self.start())
            outcome = self.started[-1].invoke(event, request_id=request_id)
            outcomes.append(outcome)
            if outcome.kind == "response":
                return outcomes
        if "OnFailure" not in config.get("DestinationConfig", {}):
            self.dropped.append(event)  # Lambda discards it: nothing says it failed
            return outcomes
        record = _on_failure_record(event, request_id, outcomes, qualifier)
        self.client.send_message(QueueUrl=self.dead_letter_url, MessageBody=json.dumps(record))
        return outcomes

    def logs(self) -> str:
        """Everything the instances started so far wrote, in the order they were started."""
        return "".join(function.logs for function in self.started)

    def dead_letters(self) -> list[dict[str, Any]]:
        """Return the JSON bodies waiting in the dead-letter queue (Lambda's on-failure records)."""
        return [json.loads(letter.body) for letter in self.dead_letter_messages()]

    def dead_letter_messages(self) -> list[DeadLetter]:
        """Look at the messages waiting in the dead-letter queue (they stay there)."""
        return look_at_dead_letters(self.client, self.dead_letter_url)
{%- if cookiecutter.trigger in ("schedule", "eventbridge", "sns") %}

    def source_gives_up(self, event: Any) -> None:  # noqa: ANN401 - any JSON document
        """Send ``event`` to the dead-letter queue as its source does when it cannot invoke."""
{%- if cookiecutter.trigger == "eventbridge" %}
        # EventBridge User Guide, "Event retry policy and using dead-letter queues": the event
        # as the body, why in the message attributes.
        body = json.dumps(event)
        attributes = {
            "RULE_ARN": f"arn:aws:events:{REGION}:123456789012:rule/local",
            "TARGET_ARN": FUNCTION_ARN,
            "ERROR_CODE": "THROTTLING",
            "ERROR_MESSAGE": "Rate exceeded",
            "EXHAUSTED_RETRY_CONDITION": "MaximumRetryAttempts",
            "RETRY_ATTEMPTS": "3",
        }
{%- elif cookiecutter.trigger == "schedule" %}
        # EventBridge Scheduler User Guide, "Configuring a dead-letter queue": a "dead-letter
        # event" with the invocation's details. The excerpts we could check do not list them;
        # as the safer assumption the body is the run's input, unchanged, and the attributes
        # (names as EventBridge's) say why: the redrive reads the body only.
        body = json.dumps(event)
        attributes = {
            "SCHEDULE_ARN": event["schedule_arn"],
            "TARGET_ARN": FUNCTION_ARN,
            "ERROR_CODE": "THROTTLING",
            "ERROR_MESSAGE": "Rate exceeded",
        }
{%- elif cookiecutter.trigger == "sns" %}
        # SNS Developer Guide, "Amazon SNS dead-letter queues": the message SNS could not
        # deliver. Its exact layout is not in the pages we could check; the safer assumption is
        # the published message alone, with no SNS envelope and no reason given.
        (record,) = event["Records"]
        body = record["Sns"]["Message"]
        attributes = {}
{%- endif %}
        self.client.send_message(
            QueueUrl=self.dead_letter_url,
            MessageBody=body,
            MessageAttributes={
                name: {"DataType": "String", "StringValue": value}
                for name, value in attributes.items()
            },
        )
{%- endif %}


def look_at_dead_letters(client: Any, url: str) -> list[DeadLetter]:  # noqa: ANN401 - boto3's
    """Return up to 10 messages of the queue at ``url``, and leave them there to be seen again."""
    messages = client.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0, MessageAttributeNames=["All"]
    ).get("Messages", [])
    return [
        DeadLetter(
            body=message["Body"],
            attributes={
                name: value.get("StringValue", "")
                for name, value in message.get("MessageAttributes", {}).items()
            },
            receipt_handle=message["ReceiptHandle"],
        )
        for message in messages
    ]


def event_to_send_again(letter: DeadLetter) -> Any:  # noqa: ANN401 - any JSON document
    """Return the event that invokes the function again with the work of ``letter``.

    Lambda's record holds the event as ``requestPayload``.
{%- if cookiecutter.trigger in ("schedule", "eventbridge") %}
    {{ "Scheduler's" if cookiecutter.trigger == "schedule" else "EventBridge's" }} message is the event itself, so its id, and the work done for
    it, stay the same.
{%- elif cookiecutter.trigger == "sns" %}
    SNS's message is the published text: publishing it to the topic again gives a new
    notification (a new MessageId), built here as the topic would.
{%- endif %}
    """
    if letter.is_lambda_record:
        return json.loads(letter.body)["requestPayload"]
{%- if cookiecutter.trigger in ("schedule", "eventbridge") %}
    return json.loads(letter.body)
{%- elif cookiecutter.trigger == "sns" %}
    notification = {
        "Type": "Notification",
        "MessageId": str(uuid.uuid4()),
        "TopicArn": f"arn:aws:sns:{REGION}:123456789012:local",
        "Message": letter.body,
        "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
        "MessageAttributes": {},
    }
    return {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0", "Sns": notification}]}
{%- else %}
    raise ValueError("only Lambda writes to this dead-letter queue")
{%- endif %}


def create_async_invoker(
    endpoint_url: str, name: str, start: Callable[[], LambdaProcess]
) -> AsyncInvoker:
    """Create the dead-letter queue ``name`` in moto; return an invoker that sends to it."""
    client = moto_client("sqs", endpoint_url)
    url = client.create_queue(QueueName=name)["QueueUrl"]
    return AsyncInvoker(start=start, dead_letter_url=url, client=client)


def _on_failure_record(
    event: Any,  # noqa: ANN401 - any JSON document
    request_id: str,
    outcomes: list[Outcome],
    qualifier: str,
) -> dict[str, Any]:
    # The fields of the record Lambda sends to an on-failure destination.
    last = outcomes[-1]
    return {
        "version": "1.0",
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
        "requestContext": {
            "requestId": request_id,
            "functionArn": f"{FUNCTION_ARN}:{qualifier}",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": len(outcomes),
        },
        "requestPayload": event,
        "responseContext": {
            "statusCode": 200,
            # An alias runs a published version; its number is not known here.
            "executedVersion": "$LATEST" if qualifier == "$LATEST" else "1",
            "functionError": "Unhandled",
        },
        "responsePayload": last.payload,
    }
