{%- set secrets_extension = cookiecutter | uses_secrets_extension -%}
"""The function's init fits in Lambda's INIT phase, even when the secret store hangs.

Lambda gives the init 10 s (local/runtime.py stops an init that runs longer and runs it again
within the invocation, as Lambda does). A store read that hung for a default SDK's 60 s would
never end in the documented outcome: a clear error, and the event kept for a retry.
"""

from local.aws import unresponsive_endpoint
from local.run import sample_event


def test_a_store_that_never_answers_fails_{{ "the_invocation" if secrets_extension else "init" }}_in_time(receiver, start):
    with unresponsive_endpoint() as hanging:
        # One attempt for the extension's stand-in; the handler's own client makes two.
        function = start(AWS_ENDPOINT_URL=hanging, AWS_MAX_ATTEMPTS="1")
        outcome = function.invoke(sample_event())

{%- if secrets_extension %}
    # The key is read by the invocation (the extension answers none during init), and the
    # extension gave up on the store after SECRETS_MANAGER_TIMEOUT_MILLIS, and said so.
    assert outcome.kind == "error"
    assert outcome.payload["errorType"] == "SecretsExtensionError"
    assert "cannot read the secret" in function.logs
{%- else %}
    assert outcome.kind == "init_error"
    assert outcome.payload["errorType"] == "AwsUnreachableError"
    assert "init failed: cannot read the secret" in function.logs
{%- endif %}
    assert function.init_timeouts == 0
    assert receiver.deliveries == []
