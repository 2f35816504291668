"""Do the work for each message once, however many times the message is delivered.

Every trigger delivers at least once: a message can arrive twice, and a message whose
invocation failed or timed out is delivered again although some of its work may have been
done. A DynamoDB table (template.yaml) remembers each message id: a conditional write claims
the id before the work starts, so only one delivery does the work, and marks it done
afterwards, so later deliveries are skipped.

Why not Powertools' idempotency utility: it costs about 200 ms more at import, on every cold
start, and its decorators wrap synchronous functions only, while the task is a coroutine. Nor
boto3: its import and client cost 255-330 ms of a cold start on the benchmark's machine, where
aws_json.py and its client cost 35-50 ms (README: "Dependencies and their cold-start cost").
"""

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable

from .aws_json import AwsError, AwsJsonClient
from .message import Message

IN_PROGRESS = "IN_PROGRESS"
COMPLETED = "COMPLETED"
# DynamoDB's limit for a partition key. A longer message id (an S3 object's can be, with its
# URL-encoded key) is stored by its SHA-256 digest instead.
MAX_KEY_BYTES = 2048


class AlreadyInProgressError(RuntimeError):
    """Another delivery of the message is doing the work now; this one must be retried later."""


class Ledger:
    """Records in a DynamoDB table which messages are being worked on and which are done.

    Each item holds ``id`` (the message id, the table's key), ``status`` and ``expires_at``
    (epoch seconds, the table's TTL attribute). A claim expires with the invocation that made
    it, so a crash cannot block a message forever; a done mark expires after
    ``retention_seconds``, once no delivery of that message can arrive any more.

    Args:
        client: A DynamoDB client (blocking; calls run in worker threads, one per message).
        table_name: The table, keyed by the string attribute ``id``.
        retention_seconds: How long a done mark is kept; at least the queue's retention period.
        clock: Epoch time in seconds; tests pass a fake one.
    """

    def __init__(
        self,
        client: AwsJsonClient,
        table_name: str,
        retention_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Keep the client and settings; nothing is read or written until `run_once`."""
        self._client = client
        self._table_name = table_name
        self._retention_seconds = retention_seconds
        self._clock = clock

    async def run_once(
        self,
        message: Message,
        work: Callable[[Message], Awaitable[None]],
        *,
        claim_seconds: float,
    ) -> None:
        """Run ``work(message)`` unless a delivery of this message has done it already.

        ``claim_seconds`` is how long the claim holds: the time left in the invocation.

        Raises:
            AlreadyInProgressError: If another delivery holds an unexpired claim on the message.
            Exception: Whatever ``work`` raises; the claim is then released, so the retry runs.
        """
        if not await asyncio.to_thread(self._claim, message.id, claim_seconds):
            return
        try:
            await work(message)
        except Exception:
            await asyncio.to_thread(self._release, message.id)
            raise
        # If the work is cancelled (the batch ran out of time), the claim is left to expire with
        # the invocation: the message cannot become visible again before that happens.
        await asyncio.to_thread(self._complete, message.id)

    def _claim(self, message_id: str, claim_seconds: float) -> bool:
        # True: this delivery does the work. False: it was done already.
        now = self._clock()
        try:
            self._client.call(
                "PutItem",
                {
                    "TableName": self._table_name,
                    "Item": {
                        "id": _key(message_id),
                        "status": {"S": IN_PROGRESS},
                        "expires_at": {"N": str(int(now + claim_seconds) + 1)},
                    },
                    # DynamoDB deletes expired items lazily (within days), so an expired item
                    # that is still there counts as absent.
                    "ConditionExpression": "attribute_not_exists(id) OR expires_at < :now",
                    "ExpressionAttributeValues": {":now": {"N": str(int(now))}},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                },
            )
        except AwsError as error:
            if error.code != "ConditionalCheckFailedException":
                raise
            if error.body.get("Item", {}).get("status", {}).get("S") == COMPLETED:
                return False
            raise AlreadyInProgressError(message_id) from None
        return True

    def _complete(self, message_id: str) -> None:
        expires_at = int(self._clock()) + self._retention_seconds
        self._client.call(
            "PutItem",
            {
                "TableName": self._table_name,
                "Item": {
                    "id": _key(message_id),
                    "status": {"S": COMPLETED},
                    "expires_at": {"N": str(expires_at)},
                },
            },
        )

    def _release(self, message_id: str) -> None:
        self._client.call(
            "DeleteItem", {"TableName": self._table_name, "Key": {"id": _key(message_id)}}
        )


def _key(message_id: str) -> dict[str, str]:
    encoded = message_id.encode()
    if len(encoded) <= MAX_KEY_BYTES:
        return {"S": message_id}
    return {"S": "sha256:" + hashlib.sha256(encoded).hexdigest()}
