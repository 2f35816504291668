"""An SQS queue with a dead-letter queue in moto, and what Lambda's event source mapping does.

`poll` receives a batch, invokes the function with it through the runtime client, and deletes
the records the function did not report as failed, as the event source mapping does with
ReportBatchItemFailures. A batch whose invocation errs (the handler raised, timed out, or the
function's init failed) is not deleted at all: the mapping had already received it, so every
record stays invisible for the queue's visibility timeout, then comes back with its receive
count raised by one, and moves to the dead-letter queue once that count passes
maxReceiveCount (Lambda Developer Guide, "Using Lambda with Amazon SQS", handling errors; SQS
Developer Guide, "Using dead-letter queues"). Reported records take the same way back. The
queue here has a real visibility timeout too: tests may shorten it, not remove it, because a
timeout of 0 would hand a failed record back at once and hide how long a retry takes.
"""

import base64
import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

from local.aws import REGION, moto_client
from local.runtime import LambdaProcess, Outcome

# A second: the shortest visibility timeout SQS has above none.
SHORT_VISIBILITY_TIMEOUT_SECONDS = 1


@dataclass(frozen=True)
class Queues:
    """A source queue and its dead-letter queue."""

    url: str
    dead_letter_url: str
    client: Any  # a boto3 SQS client
    visibility_timeout_seconds: int

    def send(self, *bodies: str) -> None:
        """Send each body as one message."""
        for body in bodies:
            self.client.send_message(QueueUrl=self.url, MessageBody=body)

    def dead_letters(self) -> list[str]:
        """Receive and return the bodies waiting in the dead-letter queue."""
        # Looked at, not taken: they stay visible for the next look.
        messages = self._receive(self.dead_letter_url, VisibilityTimeout=0)
        return [message["Body"] for message in messages]

    def in_flight(self) -> int:
        """Return how many messages were received and are neither deleted nor visible again."""
        return self._count("ApproximateNumberOfMessagesNotVisible")

    def remaining(self) -> int:
        """Return how many messages are in the queue, visible or in flight."""
        # In flight first: a message whose visibility timeout ends between the two reads is
        # then counted as visible, not missed by both.
        in_flight = self.in_flight()
        return in_flight + self._count("ApproximateNumberOfMessages")

    def _count(self, attribute: str) -> int:
        attributes = self.client.get_queue_attributes(QueueUrl=self.url, AttributeNames=[attribute])
        return int(attributes["Attributes"][attribute])

    def poll(self, function: LambdaProcess) -> Outcome | None:
        """Deliver one batch to ``function``; return its outcome, or None if none is visible."""
        messages = self._receive(self.url)
        if not messages:
            return None
        outcome = function.invoke({"Records": [_record(message) for message in messages]})
        if outcome.kind != "response":
            return outcome  # the whole batch comes back after the visibility timeout
        failed = {item["itemIdentifier"] for item in outcome.payload["batchItemFailures"]}
        for message in messages:
            if message["MessageId"] not in failed:
                self.client.delete_message(
                    QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"]
                )
        return outcome

    def drain(self, function: LambdaProcess, max_polls: int) -> list[Outcome]:
        """Poll until the queue is empty, waiting out visibility timeouts; return the outcomes.

        Raises:
            AssertionError: If the queue is not empty after ``max_polls`` batches.
        """
        outcomes: list[Outcome] = []
        # Each batch takes at most the function's timeout, then the visibility timeout.
        per_batch = function.timeout_seconds + self.visibility_timeout_seconds
        deadline = time.monotonic() + max_polls * per_batch
        while len(outcomes) < max_polls and time.monotonic() < deadline:
            outcome = self.poll(function)
            if outcome is not None:
                outcomes.append(outcome)
            elif self.remaining() == 0:
                return outcomes
            else:
                time.sleep(0.1)  # a failed batch is not visible again yet
        if self.remaining() == 0:
            return outcomes
        raise AssertionError(f"the queue is not empty after {len(outcomes)} batches")

    def _receive(self, url: str, **options: int) -> list[dict[str, Any]]:
        # Without options the queue's own visibility timeout applies, as it does to the event
        # source mapping.
        return self.client.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
            **options,
        ).get("Messages", [])


def create_queues(
    endpoint_url: str,
    name: str,
    max_receive_count: int,
    visibility_timeout_seconds: int = SHORT_VISIBILITY_TIMEOUT_SECONDS,
) -> Queues:
    """Create the queue ``name`` whose messages move to ``name``-dlq after that many receives."""
    if visibility_timeout_seconds < 1:
        raise ValueError("a visibility timeout of 0 would hide how long a failed batch waits")
    client = moto_client("sqs", endpoint_url)
    dead_letter_url = client.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dead_letter_arn = client.get_queue_attributes(
        QueueUrl=dead_letter_url, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    redrive = {"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": max_receive_count}
    attributes = {
        "RedrivePolicy": json.dumps(redrive),
        "VisibilityTimeout": str(visibility_timeout_seconds),
    }
    url = client.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return Queues(
        url=url,
        dead_letter_url=dead_letter_url,
        client=client,
        visibility_timeout_seconds=visibility_timeout_seconds,
    )


def _record(message: dict[str, Any]) -> dict[str, Any]:
    # The fields of an SQS record in a Lambda event, as the event source mapping builds them.
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": {
            name: _message_attribute(value)
            for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:{REGION}:123456789012:queue",
        "awsRegion": REGION,
    }


def _message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    # ReceiveMessage's MessageAttributeValue, as Lambda's event puts it: camelCase, and a Binary
    # value base64-encoded (Lambda Developer Guide, "Using Lambda with Amazon SQS", the example).
    attribute: dict[str, Any] = {
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": value["DataType"],
    }
    if "BinaryValue" in value:
        attribute["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode("ascii")
    else:
        attribute["stringValue"] = value["StringValue"]
    return attribute


def sqs_event(*bodies: str, prefix: str = "m") -> dict[str, Any]:
    """Return an SQS event of ``bodies``, their message ids ``<prefix>-1``, ``<prefix>-2``, ...,
    each record whole, as the event source mapping builds it from a first receive."""
    sent = str(int(time.time() * 1000))
    received = [
        {
            "MessageId": f"{prefix}-{n}",
            "ReceiptHandle": f"h-{prefix}-{n}",
            "Body": body,
            "MD5OfBody": hashlib.md5(body.encode()).hexdigest(),  # noqa: S324 - SQS's checksum
            "Attributes": {
                "ApproximateReceiveCount": "1",
                "SentTimestamp": sent,
                "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                "ApproximateFirstReceiveTimestamp": sent,
            },
        }
        for n, body in enumerate(bodies, 1)
    ]
    return {"Records": [_record(message) for message in received]}


def failed_ids(outcome: Outcome) -> list[str]:
    """Return the message ids an invocation's answer reported failed (its batchItemFailures)."""
    assert outcome.kind == "response", outcome  # noqa: S101 - a test helper
    return [item["itemIdentifier"] for item in outcome.payload["batchItemFailures"]]
