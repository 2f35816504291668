"""What SnapStart's after-restore hook renews in a container restored from a snapshot."""

import random

from snapshot_restore_py import get_after_restore

{% if cookiecutter.secret_name -%}
from local.aws import recorded_calls
{% endif -%}
from local.in_process import LocalContext
{%- if cookiecutter.trigger == "sqs" %}
from local.queue import sqs_event
{%- else %}
from local.run import sample_event
{%- endif %}
{%- if cookiecutter.secret_name %}

STORE_READ = "secretsmanager.GetSecretValue"
{%- endif %}


def restore(handler) -> None:
    """Run the handler's after-restore hooks as Lambda does after restoring a snapshot."""
    for function, args, kwargs in get_after_restore():
        # Each import of the handler (one per test) registers its hook again: run this one's.
        if function.__globals__ is vars(handler):
            function(*args, **kwargs)


def test_the_hook_is_registered(handler):
    assert handler.refresh_after_restore in [function for function, _, _ in get_after_restore()]

{%- if cookiecutter.secret_name %}


def test_a_restore_reads_the_secret_again(aws, handler):
    assert recorded_calls(aws, STORE_READ) == 1  # at init, before the snapshot

    restore(handler)

    assert recorded_calls(aws, STORE_READ) == 2
{%- endif %}


def test_a_restore_replaces_the_http_client_and_closes_the_old_pool(receiver, handler):
    snapshotted = handler.task.client

    restore(handler)

    assert handler.task.client is not snapshotted
    assert snapshotted.is_closed
    assert not handler.task.client.is_closed
{%- if cookiecutter.trigger == "sqs" %}
    event = sqs_event('{"orderId": 1}')
    assert handler.lambda_handler(event, LocalContext.starting_now(30)) == {"batchItemFailures": []}
    assert [delivery.idempotency_key for delivery in receiver.deliveries] == ["m-1"]
{%- else %}
    event = sample_event()
    assert handler.lambda_handler(event, LocalContext.starting_now(30)) is None
    assert len(receiver.deliveries) == 1
{%- endif %}


def test_a_restore_reseeds_the_random_numbers(handler):
    random.seed(42)
    snapshotted = random.getstate()  # what every copy of one snapshot would start from

    restore(handler)

    assert random.getstate() != snapshotted
