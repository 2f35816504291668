"""What Lambda does with an asynchronous invocation: retries, then the on-failure destination.

`AsyncInvoker.invoke` hands an event to the function as Lambda's own queue of asynchronous
events does: an attempt that errs is tried again, up to MaximumRetryAttempts more times (with
the same request id; after an init error, in a new instance), and an event that fails every
attempt is sent to the dead-letter queue in moto as the on-failure record Lambda writes. (Lambda
waits a minute, then two, between attempts; here they follow at once.)
"""

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from local.aws import REGION, moto_client
from local.runtime import LambdaProcess, Outcome

MAXIMUM_RETRY_ATTEMPTS = 2  # EventInvokeConfig in template.yaml


@dataclass
class AsyncInvoker:
    """Invokes a function asynchronously; failed events go to the queue at ``dead_letter_url``.

    Args:
        start: Starts a function instance (a cold start), as Lambda does when it needs one.
        dead_letter_url: The on-failure destination.
        client: A boto3 SQS client for moto.
    """

    start: Callable[[], LambdaProcess]
    dead_letter_url: str
    client: Any
    started: list[LambdaProcess] = field(default_factory=list, init=False)

    def invoke(self, event: Any) -> list[Outcome]:  # noqa: ANN401 - any JSON document
        """Deliver ``event`` until an attempt succeeds or none is left; return every outcome."""
        request_id = str(uuid.uuid4())
        outcomes: list[Outcome] = []
        for _ in range(1 + MAXIMUM_RETRY_ATTEMPTS):
            if not self.started or self.started[-1].init_errors:
                # None yet, or the last one failed its init and exited: Lambda starts another.
                self.started.append(self.start())
            outcome = self.started[-1].invoke(event, request_id=request_id)
            outcomes.append(outcome)
            if outcome.kind == "response":
                return outcomes
        record = _on_failure_record(event, request_id, outcomes)
        self.client.send_message(QueueUrl=self.dead_letter_url, MessageBody=json.dumps(record))
        return outcomes

    def logs(self) -> str:
        """Everything the instances started so far wrote, in the order they were started."""
        return "".join(function.logs for function in self.started)

    def dead_letters(self) -> list[dict[str, Any]]:
        """Receive and return the on-failure records waiting in the dead-letter queue."""
        messages = self.client.receive_message(
            QueueUrl=self.dead_letter_url, MaxNumberOfMessages=10, VisibilityTimeout=0
        ).get("Messages", [])
        return [json.loads(message["Body"]) for message in messages]


def create_async_invoker(
    endpoint_url: str, name: str, start: Callable[[], LambdaProcess]
) -> AsyncInvoker:
    """Create the dead-letter queue ``name`` in moto; return an invoker that sends to it."""
    client = moto_client("sqs", endpoint_url)
    url = client.create_queue(QueueName=name)["QueueUrl"]
    return AsyncInvoker(start=start, dead_letter_url=url, client=client)


def _on_failure_record(event: Any, request_id: str, outcomes: list[Outcome]) -> dict[str, Any]:  # noqa: ANN401
    # The fields of the record Lambda sends to an on-failure destination.
    last = outcomes[-1]
    return {
        "version": "1.0",
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
        "requestContext": {
            "requestId": request_id,
            "functionArn": f"arn:aws:lambda:{REGION}:123456789012:function:local:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": len(outcomes),
        },
        "requestPayload": event,
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            "functionError": "Unhandled",
        },
        "responsePayload": last.payload,
    }
