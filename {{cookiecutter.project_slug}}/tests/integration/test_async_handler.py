"""The handler of an asynchronous trigger, imported once per test with the probe as its task
(conftest.py): it returns when every message was delivered and raises when one was not, so
that Lambda retries the event and, in the end, keeps it in the dead-letter queue."""

{% if cookiecutter.trigger in ("s3", "sns") -%}
import copy
{% endif -%}
import re
from typing import Any

import pytest

{% if cookiecutter.secret_name -%}
from local.aws import recorded_calls
{% endif -%}
from local.in_process import LocalContext
from local.run import sample_event

{% if cookiecutter.secret_name -%}
STORE_READ = "secretsmanager.GetSecretValue"
{% endif -%}
SAMPLE = sample_event()


def event_for(number: int) -> tuple[Any, list[str]]:
    """Return a new event of this trigger (its own messages) and the ids of its messages."""
{%- if cookiecutter.trigger == "schedule" %}
    run = {**SAMPLE, "scheduled_time": f"2026-11-23T08:{number:02}:00Z"}
    return run, [f"{SAMPLE['schedule_arn']}@{run['scheduled_time']}"]
{%- elif cookiecutter.trigger == "eventbridge" %}
    return {**SAMPLE, "id": f"event-{number}"}, [f"event-{number}"]
{%- elif cookiecutter.trigger == "s3" %}
    event = copy.deepcopy(SAMPLE)
    s3 = event["Records"][0]["s3"]
    s3["object"]["sequencer"] = f"{number:018X}"
    return event, [f"{s3['bucket']['name']}/{s3['object']['key']}@{number:018X}"]
{%- elif cookiecutter.trigger == "sns" %}
    event = copy.deepcopy(SAMPLE)
    event["Records"][0]["Sns"]["MessageId"] = f"message-{number}"
    return event, [f"message-{number}"]
{%- elif cookiecutter.trigger == "invoke" %}
    # The message id of an invocation is its request id (see `invoke`).
    return {"orderId": number}, [f"request-{number}"]
{%- endif %}


def invoke(handler, number: int) -> None:
    """Invoke the handler with `event_for(number)`; a retry keeps the request id, as on Lambda."""
    event, _ = event_for(number)
    return handler.lambda_handler(event, LocalContext.starting_now(30, f"request-{number}"))


def test_the_event_is_delivered_and_the_handler_returns(receiver, handler):
    _, ids = event_for(1)

    assert invoke(handler, 1) is None
    assert [delivery.idempotency_key for delivery in receiver.deliveries] == ids


def test_a_failed_delivery_raises_naming_the_message(receiver, handler):
    receiver.unavailable_next = 1  # the probe's one request
    _, ids = event_for(1)

    with pytest.raises(handler.MessagesFailedError, match=re.escape(ids[0])):
        invoke(handler, 1)
    assert receiver.deliveries == []

{%- if cookiecutter.secret_name %}


def test_the_secret_is_read_once_across_invocations(aws, receiver, handler):
    for number in range(5):
        invoke(handler, number)

    assert recorded_calls(aws, STORE_READ) == 1
    assert len(receiver.deliveries) == 5
{%- endif %}
{%- if cookiecutter.idempotency == "on" %}


def test_a_retry_after_a_failure_delivers_once_and_a_duplicate_not_again(receiver, handler):
    receiver.unavailable_next = 1
    with pytest.raises(handler.MessagesFailedError):
        invoke(handler, 1)

    invoke(handler, 1)  # Lambda's retry
    invoke(handler, 1)  # the event delivered twice (at-least-once delivery)

    _, ids = event_for(1)
    assert [delivery.idempotency_key for delivery in receiver.deliveries] == ids
{%- if cookiecutter.trigger == "s3" %}


def test_an_object_with_the_longest_key_is_delivered_once(receiver, handler):
    event, _ = event_for(1)
    # S3 allows 1024 bytes of key; URL-encoded, that is up to 3 times as long.
    event["Records"][0]["s3"]["object"]["key"] = "%C3%A9" * 512
    context = LocalContext.starting_now(30, "request-1")

    handler.lambda_handler(event, context)
    handler.lambda_handler(event, context)

    assert len(receiver.deliveries) == 1
{%- endif %}
{%- endif %}
