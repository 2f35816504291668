"""An SQS queue with a dead-letter queue in moto, and what Lambda's event source mapping does.

`poll` receives a batch, invokes the function with it through the runtime client, and deletes
the records the function did not report as failed, as the event source mapping does with
ReportBatchItemFailures. A batch whose invocation errs is not deleted at all.
"""

import json
from dataclasses import dataclass
from typing import Any

from local.aws import REGION, moto_client
from local.runtime import LambdaProcess, Outcome


@dataclass(frozen=True)
class Queues:
    """A source queue and its dead-letter queue."""

    url: str
    dead_letter_url: str
    client: Any  # a boto3 SQS client

    def send(self, *bodies: str) -> None:
        """Send each body as one message."""
        for body in bodies:
            self.client.send_message(QueueUrl=self.url, MessageBody=body)

    def dead_letters(self) -> list[str]:
        """Receive and return the bodies waiting in the dead-letter queue."""
        return [message["Body"] for message in self._receive(self.dead_letter_url)]

    def poll(self, function: LambdaProcess) -> Outcome | None:
        """Deliver one batch to ``function``; return its outcome, or None if the queue is empty.

        Messages come back visible at once (visibility timeout 0), so a failed one can be
        received again by the next poll without waiting.
        """
        messages = self._receive(self.url)
        if not messages:
            return None
        outcome = function.invoke({"Records": [_record(message) for message in messages]})
        if outcome.kind != "response":
            return outcome  # the whole batch goes back to the queue
        failed = {item["itemIdentifier"] for item in outcome.payload["batchItemFailures"]}
        for message in messages:
            if message["MessageId"] not in failed:
                self.client.delete_message(
                    QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"]
                )
        return outcome

    def _receive(self, url: str) -> list[dict[str, Any]]:
        return self.client.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=0,
            MessageSystemAttributeNames=["All"],
        ).get("Messages", [])


def create_queues(endpoint_url: str, name: str, max_receive_count: int) -> Queues:
    """Create the queue ``name`` whose messages move to ``name``-dlq after that many receives."""
    client = moto_client("sqs", endpoint_url)
    dead_letter_url = client.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dead_letter_arn = client.get_queue_attributes(
        QueueUrl=dead_letter_url, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    redrive = {"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": max_receive_count}
    attributes = {"RedrivePolicy": json.dumps(redrive)}
    url = client.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return Queues(url=url, dead_letter_url=dead_letter_url, client=client)


def _record(message: dict[str, Any]) -> dict[str, Any]:
    # The fields of an SQS record in a Lambda event, as the event source mapping builds them.
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:{REGION}:123456789012:queue",
        "awsRegion": REGION,
    }
