{%- set secret = cookiecutter.secret_name != "" -%}
"""Faults that happen in production, each run through the real runtime client: no message is
lost; each is delivered once, or ends in the dead-letter queue with its original body."""

import json
{% if secret -%}
import time
{% endif -%}
import uuid
{%- if cookiecutter.idempotency == "on" %}
from http import HTTPStatus
{%- endif %}

{% if secret -%}
from local.aws import recorded_calls, rotate_secret, start_recording
{% endif -%}
{% if cookiecutter.idempotency == "on" -%}
from local.http_stand_in import HttpStandIn
{% endif -%}
from local.queue import create_queues, failed_ids, sqs_event

# The project's maxReceiveCount, up to 5: every receive here waits out a visibility timeout.
MAX_RECEIVE_COUNT = min({{ cookiecutter.max_receive_count | int }}, 5)
{%- if secret %}
STORE_READ = "secretsmanager.GetSecretValue"
{%- endif %}


def orders(count: int, start: int = 1) -> list[str]:
    return [json.dumps({"orderId": number}) for number in range(start, start + count)]


def test_failed_records_end_in_the_dead_letter_queue_the_others_are_delivered_once(
    aws, receiver, start
):
    queues = create_queues(aws, f"q-{uuid.uuid4()}", MAX_RECEIVE_COUNT)
    bodies = orders(6)
    receiver.failing_bodies.update({bodies[1], bodies[4]})
    queues.send(*bodies)
    function = start()

    queues.drain(function, max_polls=MAX_RECEIVE_COUNT + 3)

    assert sorted(queues.dead_letters()) == sorted([bodies[1], bodies[4]])
    delivered = sorted(delivery.body for delivery in receiver.deliveries)
    assert delivered == sorted([bodies[0], bodies[2], bodies[3], bodies[5]])
    assert queues.poll(function) is None  # nothing left in the source queue


{% if secret -%}
def test_an_unreachable_secret_store_fails_init_and_acknowledges_nothing(aws, receiver, start):
    queues = create_queues(aws, f"q-{uuid.uuid4()}", MAX_RECEIVE_COUNT)
    queues.send(*orders(2))
    # A closed port: the store cannot be reached (the handler's client tries twice).
    down = start(AWS_ENDPOINT_URL="http://127.0.0.1:9")

    outcome = queues.poll(down)

    assert outcome is not None
    assert outcome.kind == "init_error"
    assert outcome.payload["errorType"] == "AwsUnreachableError"
    assert "init failed: cannot read the secret" in down.logs
    assert receiver.deliveries == []

    # The batch was received: it stays invisible for the visibility timeout, not handed back.
    assert queues.in_flight() == 2
    # The store is back: the next cold start succeeds and the messages are delivered once.
    queues.drain(start(), max_polls=3)
    assert sorted(d.body for d in receiver.deliveries) == sorted(orders(2))
    assert queues.dead_letters() == []


{% endif -%}
def test_a_persistent_init_failure_moves_the_whole_queue_to_the_dead_letter_queue(
    aws, receiver, start
):
    # The mapping receives each batch before the function's init fails, and every receive
    # counts: after MAX_RECEIVE_COUNT of them the messages move to the DLQ, unprocessed. (A
    # deployment with a bad setting; one that cannot reach a store it reads at init is alike.)
    queues = create_queues(aws, f"q-{uuid.uuid4()}", MAX_RECEIVE_COUNT)
    queues.send(*orders(3))

    # A receive may return part of the batch: a short poll samples some of SQS's servers and
    # returns only their messages (SQS API Reference, ReceiveMessage; SQS Developer Guide,
    # "Amazon SQS short and long polling"). So more batches than MAX_RECEIVE_COUNT may carry
    # the three messages there.
    outcomes = queues.drain(start(MAX_CONCURRENCY="0"), max_polls=3 * MAX_RECEIVE_COUNT)

    assert MAX_RECEIVE_COUNT <= len(outcomes) <= 3 * MAX_RECEIVE_COUNT
    assert {outcome.kind for outcome in outcomes} == {"init_error"}
    assert {outcome.payload["errorType"] for outcome in outcomes} == {"SettingsError"}
    assert sorted(queues.dead_letters()) == sorted(orders(3))
    assert receiver.deliveries == []

{%- if secret %}


def test_a_rotated_key_is_used_after_the_ttl(aws, receiver, start, environ):
    function = start(SECRET_TTL_SECONDS="1")  # noqa: S106 - a number of seconds
    assert failed_ids(function.invoke(sqs_event(*orders(1), prefix="before"))) == []
    start_recording(aws)
    rotate_secret(aws, environ["SECRET_NAME"], "rotated-key")
    receiver.api_key = "rotated-key"

    time.sleep(1.05)  # the TTL (1 s, the shortest allowed) passes
    assert failed_ids(function.invoke(sqs_event(*orders(2), prefix="after"))) == []

    assert receiver.refused == 0  # the new key was read before the first request
    assert recorded_calls(aws, STORE_READ) == 1
{%- endif %}
{%- if cookiecutter.idempotency == "on" %}


def test_a_message_delivered_twice_is_posted_once(aws, receiver, start):
    function = start()
    event = sqs_event(*orders(3))

    first = function.invoke(event)
    again = function.invoke(event)  # SQS delivers at least once: the same messages again
    restarted = start().invoke(event)  # and to another instance

    assert [failed_ids(o) for o in (first, again, restarted)] == [[], [], []]
    assert sorted(d.idempotency_key for d in receiver.deliveries) == ["m-1", "m-2", "m-3"]


def test_a_failed_delivery_is_not_remembered(receiver, start):
    function = start()
    body = orders(1)[0]
    receiver.failing_bodies.add(body)
    assert failed_ids(function.invoke(sqs_event(body))) == ["m-1"]

    receiver.failing_bodies.clear()
    assert failed_ids(function.invoke(sqs_event(body))) == []
    assert [d.idempotency_key for d in receiver.deliveries] == ["m-1"]


def test_a_throttled_table_fails_its_records_and_they_are_delivered_once_later(receiver, start):
    throttled = {
        "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
        "message": "The level of configured provisioned throughput for the table was exceeded.",
    }
    with HttpStandIn() as table:
        table.answer("POST", "/", json.dumps(throttled), status=HTTPStatus.BAD_REQUEST)
        # Only DynamoDB is throttled{{ "; the secret still comes from moto" if secret }}. Two attempts
        # per call, not the standard mode's four with up to 7 s of backoff, keep the test quick.
        function = start(AWS_ENDPOINT_URL_DYNAMODB=table.url, AWS_MAX_ATTEMPTS="2")
        outcome = function.invoke(sqs_event(*orders(2)))

    # Each claim was tried, then its record failed: back to the queue, with the throttling
    # named in the log and nothing sent to the target.
    assert failed_ids(outcome) == ["m-1", "m-2"]
    assert len(table.requests) == 2 * 2
    assert "ProvisionedThroughputExceededException" in function.logs
    assert receiver.deliveries == []
    # The table keeps up again: the records are delivered, once each.
    assert failed_ids(start().invoke(sqs_event(*orders(2)))) == []
    assert sorted(d.idempotency_key for d in receiver.deliveries) == ["m-1", "m-2"]
{%- endif %}


def test_records_not_finished_before_the_deadline_are_reported_failed(receiver, start):
    function = start(MAX_CONCURRENCY="1")
    bodies = orders(4)
    receiver.hanging_bodies.add(bodies[1])  # the target never answers this one

    outcome = function.invoke(sqs_event(*bodies), timeout_seconds=2)

    # m-1 was delivered; m-2 hung and was cancelled; m-3 and m-4 never started.
    assert failed_ids(outcome) == ["m-2", "m-3", "m-4"]
    assert [d.body for d in receiver.deliveries] == [bodies[0]]
    assert "not finished within the time budget" in function.logs


def test_no_temporary_file_outlives_its_invocation(receiver, start, tmp_path):
    function = start()
    for invocation in range(3):
        function.invoke(sqs_event(*orders(2), prefix=f"i{invocation}"))

    assert list(tmp_path.iterdir()) == []


def test_the_function_imports_no_aws_sdk(start):
    # The machinery calls AWS, if at all, through aws_json.py: boto3's import and clients would
    # be the largest part of every cold start.
    function = start(PYTHONPROFILEIMPORTTIME="1")
    assert failed_ids(function.invoke(sqs_event(*orders(1)))) == []

    profile = [line for line in function.logs.splitlines() if line.startswith("import time:")]
    imported = {line.rsplit("|", 1)[-1].strip() for line in profile}
    assert "{{ cookiecutter.package_name }}.task" in imported  # the profile covers the init
    assert not {"boto3", "botocore"} & imported
