{%- set describe = {
    "sqs": "an SQS batch: one message per record, as it was sent",
    "schedule": "one scheduled run of EventBridge Scheduler: the schedule's Input (template.yaml)",
    "eventbridge": "one EventBridge event, whole: source, detail-type, detail and the rest",
    "s3": "an S3 notification: one message per created object, the record whole",
    "sns": "an SNS notification: one message per record, as it was published",
    "invoke": "one asynchronous invocation: the payload the caller sent",
} -%}
"""The one module that knows the trigger's event shape; task.py only ever sees Messages.

The event is {{ describe[cookiecutter.trigger] }}.
Each message's id stays the same when the event is delivered again (a retry, a duplicate), so
the task and the idempotency ledger can tell a repeat from new work.

The fields are read directly rather than through Powertools' event classes, whose import costs
about 100 ms of every cold start (measured: python -X importtime, aws-lambda-powertools 3.37).
"""
{% if cookiecutter.trigger in ("schedule", "eventbridge", "s3", "invoke") %}
import json
{%- endif %}
{%- if cookiecutter.trigger != "invoke" %}
from collections.abc import Mapping
{%- endif %}
from typing import Any

from .message import Message
{%- if cookiecutter.trigger == "sqs" %}


def parse_messages(event: Mapping[str, Any]) -> list[Message]:
    """Return the messages of an SQS event: each record's ``messageId`` and ``body``."""
    return [Message(id=record["messageId"], body=record["body"]) for record in event["Records"]]
{%- elif cookiecutter.trigger == "schedule" %}


def parse_messages(event: Mapping[str, Any]) -> list[Message]:
    """Return the one message of a scheduled run, identified by schedule and scheduled time.

    Not by ``execution_id``: Scheduler gives each attempted invocation its own (EventBridge
    Scheduler User Guide, "Adding context attributes"), so a retried or duplicated run would
    look like new work. The schedule's ARN and the run's scheduled time are the same for every
    attempt of one run, and differ from every other run.
    """
    run = f"{event['schedule_arn']}@{event['scheduled_time']}"
    return [Message(id=run, body=json.dumps(event))]
{%- elif cookiecutter.trigger == "eventbridge" %}


def parse_messages(event: Mapping[str, Any]) -> list[Message]:
    """Return the one message of an EventBridge event, identified by the event's ``id``."""
    return [Message(id=event["id"], body=json.dumps(event))]
{%- elif cookiecutter.trigger == "s3" %}


def parse_messages(event: Mapping[str, Any]) -> list[Message]:
    """Return one message per record of an S3 notification.

    A record is identified by bucket, key and ``sequencer``: S3 gives each change of a key a
    new, increasing sequencer, so overwriting an object is new work and a redelivery is not.
    The key stays as S3 sends it, URL-encoded (``urllib.parse.unquote_plus`` decodes it).
    """
    return [
        Message(id=_object_change(record["s3"]), body=json.dumps(record))
        for record in event["Records"]
    ]


def _object_change(s3: Mapping[str, Any]) -> str:
    return f"{s3['bucket']['name']}/{s3['object']['key']}@{s3['object']['sequencer']}"
{%- elif cookiecutter.trigger == "sns" %}


def parse_messages(event: Mapping[str, Any]) -> list[Message]:
    """Return the messages of an SNS notification: each record's ``MessageId`` and ``Message``."""
    return [
        Message(id=record["Sns"]["MessageId"], body=record["Sns"]["Message"])
        for record in event["Records"]
    ]
{%- elif cookiecutter.trigger == "invoke" %}


def parse_messages(event: Any, request_id: str) -> list[Message]:  # noqa: ANN401 - any JSON
    """Return the one message of an invocation: the payload, identified by the request id.

    Lambda keeps the request id across its retries of an asynchronous invocation.
    """
    return [Message(id=request_id, body=json.dumps(event))]
{%- endif %}
