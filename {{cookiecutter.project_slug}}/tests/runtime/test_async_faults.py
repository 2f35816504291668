"""Faults of an asynchronous trigger, run through the real runtime client and an emulation of
Lambda's asynchronous invocation (local/async_invoke.py): an event is delivered, or it ends in
the dead-letter queue whole, with the error."""

{% if cookiecutter.trigger in ("schedule", "eventbridge") -%}
import json
{% endif -%}
import uuid

import pytest

from local.async_invoke import (
    ASYNC_PAYLOAD_LIMIT_BYTES,
    MAXIMUM_RETRY_ATTEMPTS,
    create_async_invoker,
    event_to_send_again,
)
from local.run import sample_event

SAMPLE = sample_event()
ATTEMPTS = 1 + MAXIMUM_RETRY_ATTEMPTS


def test_an_event_that_keeps_failing_ends_in_the_dead_letter_queue_whole(aws, receiver, start):
    invoker = create_async_invoker(aws, f"dlq-{uuid.uuid4()}", start)
    receiver.unavailable_next = 1000  # the target answers 503 to everything

    outcomes = invoker.invoke(SAMPLE)

    assert [outcome.kind for outcome in outcomes] == ["error"] * ATTEMPTS
    (record,) = invoker.dead_letters()
    assert record["requestPayload"] == SAMPLE
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == ATTEMPTS
    assert record["responsePayload"]["errorType"] == "MessagesFailedError"
    assert receiver.deliveries == []


def test_every_qualifier_a_caller_may_invoke_keeps_a_failed_event(aws, receiver, start):
    # Lambda applies an EventInvokeConfig to one qualifier: the alias{{ " live" if cookiecutter.cold_start != "none" }} and $LATEST
    # each need the dead-letter queue, or an event that fails there is dropped.
    invoker = create_async_invoker(aws, f"dlq-{uuid.uuid4()}", start)
    receiver.unavailable_next = 1000

    for qualifier in invoker.qualifiers:
        invoker.invoke(SAMPLE, qualifier=qualifier)

    assert invoker.qualifiers == {{ '["$LATEST", "live"]' if cookiecutter.cold_start != "none" else '["$LATEST"]' }}
    assert invoker.dropped == []
    records = invoker.dead_letters()
    assert sorted(r["requestContext"]["functionArn"].rsplit(":", 1)[1] for r in records) == (
        invoker.qualifiers
    )


def test_an_event_that_fails_once_is_delivered_by_the_retry(aws, receiver, start):
    invoker = create_async_invoker(aws, f"dlq-{uuid.uuid4()}", start)
    receiver.unavailable_next = 1  # the probe's one request of the first invocation

    outcomes = invoker.invoke(SAMPLE)

    assert [outcome.kind for outcome in outcomes] == ["error", "response"]
    assert len(receiver.deliveries) == 1
    assert invoker.dead_letters() == []


def test_what_changes_between_attempts_is_seen_by_the_retry(aws, receiver, start):
    # The seam for a test of your own task: fail the first attempt, then let the retry succeed.
    invoker = create_async_invoker(aws, f"dlq-{uuid.uuid4()}", start)
    receiver.unavailable_next = 1000
    invoker.between_attempts = lambda _: setattr(receiver, "unavailable_next", 0)

    outcomes = invoker.invoke(SAMPLE)

    assert [outcome.kind for outcome in outcomes] == ["error", "response"]
    assert len(receiver.deliveries) == 1


{% if cookiecutter.secret_name -%}
def test_an_unreachable_secret_store_fails_every_attempt_and_the_event_is_kept(
    aws, receiver, start
):
    # A closed port: the store cannot be reached (the handler's client tries twice).
    invoker = create_async_invoker(
        aws,
        f"dlq-{uuid.uuid4()}",
        lambda: start(AWS_ENDPOINT_URL="http://127.0.0.1:9"),
    )

    outcomes = invoker.invoke(SAMPLE)
    assert [outcome.kind for outcome in outcomes] == ["init_error"] * ATTEMPTS
    assert "init failed: cannot read the secret" in invoker.logs()
{%- else -%}
def test_a_function_that_cannot_start_fails_every_attempt_and_the_event_is_kept(
    aws, receiver, start
):
    # A deployment with a bad setting: every attempt's init fails.
    invoker = create_async_invoker(aws, f"dlq-{uuid.uuid4()}", lambda: start(MAX_CONCURRENCY="0"))

    outcomes = invoker.invoke(SAMPLE)

    assert [outcome.kind for outcome in outcomes] == ["init_error"] * ATTEMPTS
    assert "MAX_CONCURRENCY='0'" in invoker.logs()
{%- endif %}
    (record,) = invoker.dead_letters()
    assert record["requestPayload"] == SAMPLE
    assert receiver.deliveries == []


def test_every_dead_letter_is_in_its_senders_format_and_can_be_sent_again(aws, receiver, start):
    invoker = create_async_invoker(aws, f"dlq-{uuid.uuid4()}", start)
    receiver.unavailable_next = 1000  # every attempt fails: Lambda writes its record
    invoker.invoke(SAMPLE)
{%- if cookiecutter.trigger in ("schedule", "eventbridge", "sns") %}
    invoker.source_gives_up(SAMPLE)  # the event source could not invoke the function at all
{%- endif %}

    letters = invoker.dead_letter_messages()

{%- if cookiecutter.trigger in ("schedule", "eventbridge", "sns") %}
    assert [letter.is_lambda_record for letter in letters] == [True, False]
{%- if cookiecutter.trigger == "eventbridge" %}
    assert json.loads(letters[1].body) == SAMPLE  # the event itself, why in the attributes
    assert letters[1].attributes["ERROR_CODE"] == "THROTTLING"
    assert "RULE_ARN" in letters[1].attributes
{%- elif cookiecutter.trigger == "schedule" %}
    assert json.loads(letters[1].body) == SAMPLE  # the run's input
    assert letters[1].attributes["SCHEDULE_ARN"] == SAMPLE["schedule_arn"]
{%- else %}
    assert letters[1].body == SAMPLE["Records"][0]["Sns"]["Message"]  # the published text
{%- endif %}
{%- else %}
    assert [letter.is_lambda_record for letter in letters] == [True]
{%- endif %}

    receiver.unavailable_next = 0  # the cause is fixed: send each one again
    for letter in letters:
        invoker.invoke(event_to_send_again(letter))

    assert receiver.deliveries
    bodies = {delivery.body for delivery in receiver.deliveries}
    assert len(bodies) == 1  # the same work, whichever way it came back


def test_lambda_refuses_an_asynchronous_event_over_1_mb(aws, start):
    invoker = create_async_invoker(aws, f"dlq-{uuid.uuid4()}", start)

    with pytest.raises(ValueError, match="1 MB"):
        invoker.invoke({"pad": "x" * ASYNC_PAYLOAD_LIMIT_BYTES})
    assert invoker.started == []
