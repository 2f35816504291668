{%- set secret = cookiecutter.secret_name != "" -%}
"""The example task (task.py) under faults of its target, run through the real runtime client:
the retries, timeouts{{ " and key refreshes" if secret }} that are the task's own, not the machinery's."""

{% if cookiecutter.trigger == "sqs" -%}
import json

import pytest

{% if secret -%}
from local.aws import recorded_calls, rotate_secret, start_recording
{% endif -%}
from local.queue import failed_ids, sqs_event
{%- if secret %}

STORE_READ = "secretsmanager.GetSecretValue"
{%- endif %}
{%- else -%}
import pytest

from local.run import sample_event

SAMPLE = sample_event()
TASK_ATTEMPTS = 3  # per message and invocation: task.py's first attempt and two retries
{%- endif %}


@pytest.fixture
def environ(environ, receiver) -> dict[str, str]:
    """The function's environment, with the receiver as the task's target."""
    return {**environ, "TARGET_URL": receiver.url}
{%- if cookiecutter.trigger == "sqs" %}


def orders(count: int, start: int = 1) -> list[str]:
    return [json.dumps({"orderId": number}) for number in range(start, start + count)]
{%- if secret %}


def test_a_refused_key_is_read_again_once_and_the_request_retried_once(
    aws, receiver, start_task, environ
):
    function = start_task()
    function.invoke({"Records": []})  # init done: the key of before the rotation is cached
    start_recording(aws)
    rotate_secret(aws, environ["SECRET_NAME"], "rotated-key")
    receiver.api_key = "rotated-key"

    outcome = function.invoke(sqs_event(*orders(4)))

    assert failed_ids(outcome) == []
    assert recorded_calls(aws, STORE_READ) == 1  # one read for the whole batch
    assert receiver.refused == 4  # each record: refused once, then retried once and accepted
    assert len(receiver.deliveries) == 4


def test_a_key_still_refused_after_the_refresh_fails_the_record(aws, receiver, start_task):
    function = start_task()
    function.invoke({"Records": []})  # init done
    start_recording(aws)
    receiver.refuse_next = 2  # the first attempt and the retry

    assert failed_ids(function.invoke(sqs_event(*orders(1)))) == ["m-1"]
    assert recorded_calls(aws, STORE_READ) == 1
    assert receiver.refused == 2
{%- endif %}


def test_a_slow_target_is_retried_a_bounded_number_of_times(receiver, start_task):
    function = start_task(TARGET_TIMEOUT_SECONDS="0.2")
    body = orders(1)[0]
    receiver.hanging_bodies.add(body)

    outcome = function.invoke(sqs_event(body))

    assert failed_ids(outcome) == ["m-1"]  # answered, before the function's timeout
    assert receiver.attempts[body] == 3  # the first attempt and two retries


def test_a_briefly_unavailable_target_gets_the_message_once(receiver, start_task):
    function = start_task()
    receiver.unavailable_next = 2  # two 503s, then the target is back

    outcome = function.invoke(sqs_event(*orders(1)))

    assert failed_ids(outcome) == []
    assert [d.idempotency_key for d in receiver.deliveries] == ["m-1"]


def test_a_connection_the_target_closed_while_the_function_was_frozen_is_not_a_failure(
    receiver, start_task
):
    function = start_task()
    assert failed_ids(function.invoke(sqs_event(*orders(1), prefix="first"))) == []
    # Between the invocations the process is frozen; the target drops the pooled connection.
    receiver.drop_next = 1

    outcome = function.invoke(sqs_event(*orders(1, start=2), prefix="second"))

    assert failed_ids(outcome) == []
    assert len(receiver.deliveries) == 2


def test_a_target_that_is_down_fails_the_batch_quickly(start_task):
    function = start_task(TARGET_URL="http://127.0.0.1:9/deliveries")

    outcome = function.invoke(sqs_event(*orders(3)), timeout_seconds=10)

    assert failed_ids(outcome) == ["m-1", "m-2", "m-3"]
{%- else %}


def test_a_slow_target_fails_the_attempt_before_the_function_times_out(receiver, start_task):
    function = start_task(TARGET_TIMEOUT_SECONDS="0.2")
    receiver.delay_seconds = 1.0

    outcome = function.invoke(SAMPLE, timeout_seconds=10)

    assert outcome.kind == "error"
    assert outcome.payload["errorType"] == "MessagesFailedError"
    assert sum(receiver.attempts.values()) == TASK_ATTEMPTS
{%- endif %}
