"""The function's init fits in Lambda's INIT phase, even when the secret store hangs.

Lambda gives the init 10 s (local/runtime.py stops an init that runs longer and runs it again
within the invocation, as Lambda does). A store read that hung for a default SDK's 60 s would
never end in the documented outcome: a clear error, and the event kept for a retry.
"""

from local.aws import unresponsive_endpoint
from local.run import sample_event


def test_a_store_that_never_answers_fails_init_in_time(receiver, start):
    with unresponsive_endpoint() as hanging:
        # The handler's client as configured: two attempts, each waiting 2 s for an answer.
        function = start(AWS_ENDPOINT_URL=hanging)
        outcome = function.invoke(sample_event())

    assert outcome.kind == "init_error"
    assert outcome.payload["errorType"] == "AwsUnreachableError"
    assert "init failed: cannot read the secret" in function.logs
    assert function.init_timeouts == 0
    assert receiver.deliveries == []
