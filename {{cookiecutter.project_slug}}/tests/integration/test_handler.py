import json
{%- if cookiecutter.idempotency == "on" %}
import threading
{%- endif %}
{%- if cookiecutter.secret_name %}
import time
{%- endif %}
{%- if cookiecutter.idempotency == "on" %}
from typing import Any
{%- endif %}

{% if cookiecutter.idempotency == "on" -%}
from {{ cookiecutter.package_name }}.aws_json import AwsJsonClient

{% endif -%}
{% if cookiecutter.secret_name -%}
from local.aws import recorded_calls, rotate_secret
{% endif -%}
from local.in_process import LocalContext
from local.queue import sqs_event
{%- if cookiecutter.secret_name %}

STORE_READ = "secretsmanager.GetSecretValue"
{%- endif %}


def orders(count: int, start: int = 1) -> list[str]:
    return [json.dumps({"orderId": number}) for number in range(start, start + count)]


def invoke(handler, event: dict) -> dict:
    return handler.lambda_handler(event, LocalContext.starting_now(30))


{% if cookiecutter.secret_name -%}
def test_the_secret_is_read_once_across_invocations(aws, receiver, handler):
{%- else -%}
def test_every_record_of_every_batch_is_delivered(receiver, handler):
{%- endif %}
    for invocation in range(5):
        event = sqs_event(*orders(3, start=invocation * 3), prefix=f"i{invocation}")
        assert invoke(handler, event) == {"batchItemFailures": []}

{%- if cookiecutter.secret_name %}
    assert recorded_calls(aws, STORE_READ) == 1
{%- endif %}
    assert len(receiver.deliveries) == 15


def test_exactly_the_failed_records_are_reported(receiver, handler):
    bodies = [*orders(4), "not json"]
    receiver.failing_bodies.add(bodies[1])

    response = invoke(handler, sqs_event(*bodies))

    assert response == {"batchItemFailures": [{"itemIdentifier": "m-2"}, {"itemIdentifier": "m-5"}]}
    delivered = sorted(delivery.idempotency_key for delivery in receiver.deliveries)
    assert delivered == ["m-1", "m-3", "m-4"]

{%- if cookiecutter.secret_name %}


def test_the_key_is_read_again_after_its_ttl(aws, receiver, handler, secret_name, monkeypatch):
    # The handler built its cache at import; give it a clock this test moves by hand.
    now = [time.monotonic()]
    monkeypatch.setattr(handler.secret, "_clock", lambda: now[0])
    invoke(handler, sqs_event(*orders(1), prefix="before"))
    rotate_secret(aws, secret_name, "rotated-key")
    receiver.api_key = "rotated-key"

    # A second past the TTL: exactly the TTL could fall a rounding error short of it (on floats
    # as large as a monotonic clock's, a + ttl - a is not always ttl).
    now[0] += handler.settings.secret_ttl_seconds + 1
    response = invoke(handler, sqs_event(*orders(2), prefix="after"))

    assert response == {"batchItemFailures": []}
    assert receiver.refused == 0  # the new key was used from the first request on
    assert recorded_calls(aws, STORE_READ) == 2

{%- endif %}
{%- if cookiecutter.idempotency == "on" %}


class ClaimsHeldTogether:
    """The ledger's DynamoDB client, with each claim held until ``parties`` claims are in flight.

    Claims that cannot all be in flight at once (too few worker threads for the batch) break
    the barrier after its timeout and fail; otherwise every call goes on to the real client.
    """

    def __init__(self, client: AwsJsonClient, parties: int) -> None:
        self._client = client
        self._barrier = threading.Barrier(parties, timeout=10)
        self._lock = threading.Lock()
        self._in_flight = 0
        self.max_in_flight = 0

    def call(self, operation: str, payload: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            if payload.get("Item", {}).get("status", {}).get("S") == "IN_PROGRESS":
                self._barrier.wait()
            return self._client.call(operation, payload)
        finally:
            with self._lock:
                self._in_flight -= 1


def test_the_ledger_calls_of_a_full_batch_run_at_once(receiver, handler, monkeypatch):
    # The ledger's calls block, each in a worker thread; the loop's default executor would
    # have min(32, cores + 4) threads, fewer than a batch on a machine of up to 5 cores.
    size = handler.settings.max_concurrency
    client = ClaimsHeldTogether(handler.ledger._client, parties=size)
    monkeypatch.setattr(handler.ledger, "_client", client)

    response = invoke(handler, sqs_event(*orders(size)))

    assert response == {"batchItemFailures": []}
    assert client.max_in_flight == size
    assert len(receiver.deliveries) == size
{%- endif %}
