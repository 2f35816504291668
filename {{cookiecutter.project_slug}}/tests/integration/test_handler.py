import json
import time

from local.aws import recorded_calls, rotate_secret
from local.in_process import LocalContext

STORE_READ = "secretsmanager.GetSecretValue"


def sqs_event(*bodies: str, prefix: str = "m") -> dict:
    return {
        "Records": [
            {
                "messageId": f"{prefix}-{number}",
                "receiptHandle": f"handle-{prefix}-{number}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:queue",
                "awsRegion": "us-east-1",
            }
            for number, body in enumerate(bodies, 1)
        ]
    }


def orders(count: int, start: int = 1) -> list[str]:
    return [json.dumps({"orderId": number}) for number in range(start, start + count)]


def invoke(handler, event: dict) -> dict:
    return handler.lambda_handler(event, LocalContext.starting_now(30))


def test_the_secret_is_read_once_across_invocations(aws, receiver, handler):
    for invocation in range(5):
        event = sqs_event(*orders(3, start=invocation * 3), prefix=f"i{invocation}")
        assert invoke(handler, event) == {"batchItemFailures": []}

    assert recorded_calls(aws, STORE_READ) == 1
    assert len(receiver.deliveries) == 15


def test_exactly_the_failed_records_are_reported(receiver, handler):
    bodies = [*orders(4), "not json"]
    receiver.failing_bodies.add(bodies[1])

    response = invoke(handler, sqs_event(*bodies))

    assert response == {"batchItemFailures": [{"itemIdentifier": "m-2"}, {"itemIdentifier": "m-5"}]}
    delivered = sorted(delivery.idempotency_key for delivery in receiver.deliveries)
    assert delivered == ["m-1", "m-3", "m-4"]


def test_a_rotated_key_is_read_once_for_the_whole_batch(aws, receiver, handler, secret_name):
    rotate_secret(aws, secret_name, "rotated-key")
    receiver.api_key = "rotated-key"

    response = invoke(handler, sqs_event(*orders(6)))

    assert response == {"batchItemFailures": []}
    assert recorded_calls(aws, STORE_READ) == 2  # init, then one read shared by the batch
    assert sorted(d.idempotency_key for d in receiver.deliveries) == [f"m-{n}" for n in range(1, 7)]


def test_the_key_is_read_again_after_its_ttl(aws, receiver, handler, secret_name, monkeypatch):
    # The handler built its cache at import; give it a clock this test moves by hand.
    now = [time.monotonic()]
    monkeypatch.setattr(handler.api_key, "_clock", lambda: now[0])
    invoke(handler, sqs_event(*orders(1), prefix="before"))
    rotate_secret(aws, secret_name, "rotated-key")
    receiver.api_key = "rotated-key"

    now[0] += handler.settings.secret_ttl_seconds
    response = invoke(handler, sqs_event(*orders(2), prefix="after"))

    assert response == {"batchItemFailures": []}
    assert receiver.refused == 0  # the new key was used from the first request on
    assert recorded_calls(aws, STORE_READ) == 2


def test_each_successful_message_reaches_the_receiver_once(receiver, handler):
    bodies = orders(8)
    receiver.refuse_next = 3  # some requests are retried: they must not arrive twice

    response = invoke(handler, sqs_event(*bodies))

    assert response == {"batchItemFailures": []}
    keys = [delivery.idempotency_key for delivery in receiver.deliveries]
    assert sorted(keys) == sorted(f"m-{n}" for n in range(1, 9))
    assert sorted(delivery.body for delivery in receiver.deliveries) == sorted(bodies)
