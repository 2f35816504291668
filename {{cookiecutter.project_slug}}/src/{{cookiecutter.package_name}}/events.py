{%- set trigger = cookiecutter.trigger -%}
{%- set describe = {
    "sqs": "an SQS batch: one message per record, as it was sent",
    "schedule": "one scheduled run of EventBridge Scheduler: the schedule's Input (template.yaml)",
    "eventbridge": "one EventBridge event, whole: source, detail-type, detail and the rest",
    "s3": "an S3 notification: one message per created object, the record whole",
    "sns": "an SNS notification: one message per record, as it was published",
    "invoke": "one asynchronous invocation: the payload the caller sent",
} -%}
"""The one module that knows the trigger's event shape; task.py only ever sees Messages.

The event is {{ describe[trigger] }}.
Each message's id stays the same when the event is delivered again (a retry, a duplicate), so
the task and the idempotency ledger can tell a repeat from new work. The facts a message carries
besides its payload are read here, each from the field AWS documents for it
{%- set pages = {
    "sqs": "(Lambda Developer Guide, \"Using Lambda with Amazon SQS\": the example event; SQS\nAPI Reference, ReceiveMessage: SentTimestamp, ApproximateReceiveCount)",
    "schedule": "(EventBridge Scheduler User Guide, \"Adding context attributes\": the schedule's\nInput in template.yaml asks for them)",
    "eventbridge": "(EventBridge User Guide, \"Amazon EventBridge events\": the event structure)",
    "s3": "(Amazon S3 User Guide, \"Event message structure\")",
    "sns": "(Lambda Developer Guide, \"Using Lambda with Amazon SNS\": the example event; SNS\nDeveloper Guide, \"Amazon SNS message attributes\")",
    "invoke": "(none: an asynchronous invocation's payload is the caller's, and Lambda adds\nnothing to it)",
} %}
{{ pages[trigger] }}.

The fields are read directly rather than through Powertools' event classes, whose import costs
about 100 ms of every cold start (measured: python -X importtime, aws-lambda-powertools 3.37).
"""
{% if trigger in ("schedule", "eventbridge", "s3", "invoke") %}
import json
{%- endif %}
{%- if trigger != "invoke" %}
from collections.abc import Mapping
{%- endif %}
{%- if trigger != "invoke" %}
from datetime import UTC, datetime
{%- endif %}
{%- if trigger in ("sqs", "sns") %}
from types import MappingProxyType
{%- endif %}
from typing import Any

from .message import Message

{% if trigger == "invoke" -%}
# `make smoke` (local/smoke.py) sends a payload with this member set to true: the message's
# smoke_test says so to the task.
SMOKE_TEST_MEMBER = "smoke-test"
{%- else -%}
# `make smoke` (local/smoke.py) puts this before an id AWS would have set to its own value (a
# UUID or hex digits, never this): the message's smoke_test says so to the task.
SMOKE_TEST_PREFIX = "smoke-test-"
{%- endif %}
{%- if trigger == "sqs" %}


def parse_messages(event: Mapping[str, Any]) -> list[Message]:
    """Return the messages of an SQS event: each record's ``messageId`` and ``body``."""
    return [_message(record) for record in event["Records"]]


def _message(record: Mapping[str, Any]) -> Message:
    attributes = record["attributes"]
    return Message(
        id=record["messageId"],
        body=record["body"],
        time=datetime.fromtimestamp(int(attributes["SentTimestamp"]) / 1000, UTC),
        delivery_count=int(attributes["ApproximateReceiveCount"]),
        # A String or Number attribute has a stringValue, a Binary one a binaryValue (base64).
        attributes=MappingProxyType(
            {
                name: value.get("stringValue", value.get("binaryValue", ""))
                for name, value in record.get("messageAttributes", {}).items()
            }
        ),
        smoke_test=record["messageId"].startswith(SMOKE_TEST_PREFIX),
    )
{%- elif trigger == "schedule" %}


def parse_messages(event: Mapping[str, Any]) -> list[Message]:
    """Return the one message of a scheduled run, identified by schedule and scheduled time.

    Not by ``execution_id``: Scheduler gives each attempted invocation its own (EventBridge
    Scheduler User Guide, "Adding context attributes"), so a retried or duplicated run would
    look like new work. The schedule's ARN and the run's scheduled time are the same for every
    attempt of one run, and differ from every other run.
    """
    run = f"{event['schedule_arn']}@{event['scheduled_time']}"
    return [
        Message(
            id=run,
            body=json.dumps(event),
            time=_utc(event["scheduled_time"]),
            schedule_arn=event["schedule_arn"],
            smoke_test=event["execution_id"].startswith(SMOKE_TEST_PREFIX),
        )
    ]
{%- elif trigger == "eventbridge" %}


def parse_messages(event: Mapping[str, Any]) -> list[Message]:
    """Return the one message of an EventBridge event, identified by the event's ``id``."""
    return [
        Message(
            id=event["id"],
            body=json.dumps(event),
            time=_utc(event["time"]),
            source=event["source"],
            detail_type=event["detail-type"],
            smoke_test=event["id"].startswith(SMOKE_TEST_PREFIX),
        )
    ]
{%- elif trigger == "s3" %}


def parse_messages(event: Mapping[str, Any]) -> list[Message]:
    """Return one message per record of an S3 notification.

    A record is identified by bucket, key and ``sequencer``: S3 gives each change of a key a
    new, increasing sequencer, so overwriting an object is new work and a redelivery is not.
    The key stays as S3 sends it, URL-encoded (``urllib.parse.unquote_plus`` decodes it).
    """
    return [_message(record) for record in event["Records"]]


def _message(record: Mapping[str, Any]) -> Message:
    s3 = record["s3"]
    request_id = record.get("responseElements", {}).get("x-amz-request-id", "")
    return Message(
        id=f"{s3['bucket']['name']}/{s3['object']['key']}@{s3['object']['sequencer']}",
        body=json.dumps(record),
        time=_utc(record["eventTime"]),
        smoke_test=request_id.startswith(SMOKE_TEST_PREFIX),
    )
{%- elif trigger == "sns" %}


def parse_messages(event: Mapping[str, Any]) -> list[Message]:
    """Return the messages of an SNS notification: each record's ``MessageId`` and ``Message``."""
    return [_message(record["Sns"]) for record in event["Records"]]


def _message(sns: Mapping[str, Any]) -> Message:
    return Message(
        id=sns["MessageId"],
        body=sns["Message"],
        time=_utc(sns["Timestamp"]),
        # Every type (String, String.Array, Number, Binary) arrives as text in Value.
        attributes=MappingProxyType(
            {name: value["Value"] for name, value in sns.get("MessageAttributes", {}).items()}
        ),
        subject=sns.get("Subject"),
        smoke_test=sns["MessageId"].startswith(SMOKE_TEST_PREFIX),
    )
{%- elif trigger == "invoke" %}


def parse_messages(event: Any, request_id: str) -> list[Message]:  # noqa: ANN401 - any JSON
    """Return the one message of an invocation: the payload, identified by the request id.

    Lambda keeps the request id across its retries of an asynchronous invocation. The payload
    is the caller's alone, so the smoke test's is marked inside it: a JSON object whose
    ``smoke-test`` member is true.
    """
    smoke_test = isinstance(event, dict) and event.get(SMOKE_TEST_MEMBER) is True
    return [Message(id=request_id, body=json.dumps(event), smoke_test=smoke_test)]
{%- endif %}
{%- if trigger in ("schedule", "eventbridge", "s3", "sns") %}


def _utc(timestamp: str) -> datetime:
    """Read an ISO 8601 time as AWS writes it: ``2026-11-23T08:00:00Z``, or ``...00.000Z``.

    One without an offset is taken as UTC, as AWS means it, not as the machine's local time.
    """
    parsed = datetime.fromisoformat(timestamp)
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
{%- endif %}
