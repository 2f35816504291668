{%- set secret = cookiecutter.secret_name != "" -%}
{%- set built = ["the settings", "the event loop"] -%}
{%- if secret %}{% set built = built + ["the Secrets Manager client", "the secret"] %}{% endif -%}
{%- if cookiecutter.idempotency == "on" %}{% set built = built + ["the idempotency ledger"] %}{% endif -%}
"""Lambda entry point: initialisation at module scope, a thin synchronous handler.

{{ ("Lambda imports this module once per container (the cold start) and then calls `lambda_handler` for every " ~ ("batch" if cookiecutter.trigger == "sqs" else "event") ~ ", so everything that can be reused is built here, once: " ~ built | join(", ") ~ " and the task. Of the task, this module knows only the names that task.py's docstring lists.") | wordwrap(96) }}
"""

import asyncio
{%- if cookiecutter.idempotency == "on" %}
import functools
{%- endif %}
import logging
{%- if cookiecutter.cold_start == "snapstart" %}
import random
{%- endif %}
{%- if cookiecutter.trigger != "invoke" %}
from collections.abc import Mapping
{%- endif %}
{%- if cookiecutter.idempotency == "on" %}
from concurrent.futures import ThreadPoolExecutor
{%- endif %}
from typing import Any, Protocol
{%- if cookiecutter.cold_start == "snapstart" %}

from snapshot_restore_py import register_after_restore
{%- endif %}

{%- set needs_client = secret or cookiecutter.idempotency == "on" %}
{%- set services = ["SECRETS_MANAGER"] if secret else [] %}
{%- set services = (["DYNAMODB"] if cookiecutter.idempotency == "on" else []) + services %}

{% if needs_client -%}
from .aws_json import {{ services | join(", ") }}, AwsJsonClient
{% endif -%}
from .batch import process_batch
from .events import parse_messages
{%- if cookiecutter.idempotency == "on" %}
from .idempotency import Ledger
{%- endif %}
from .scratch import invocation_scratch
{%- if secret %}
from .secret_cache import SecretCache
{%- endif %}
from .settings import Environment, Settings
from .task import Task, TaskSettings

# Lambda formats standard-library log records as JSON, with the request id, because
# template.yaml sets LoggingConfig.LogFormat to JSON; fields passed in `extra` become keys.
logger = logging.getLogger(__name__)
# If the task uses boto3: botocore says at INFO, on every cold start, where it found the
# credentials and the endpoint ("Found credentials in environment variables."), billed lines
# that say nothing new. (Setting a level imports nothing.)
for chatty in ("botocore.credentials", "botocore.configprovider"):
    logging.getLogger(chatty).setLevel(logging.WARNING)

# Every setting, the machinery's and the task's, is validated before anything else happens: a
# bad value fails the cold start with one message that lists every problem.
environment = Environment()
settings = Settings.read(environment)
task_settings = TaskSettings.read(environment)
environment.check()

# {{ ("One event loop for the life of the container. asyncio.run() would create a loop for each invocation and close it afterwards, but what the task pools (connections, say) belongs to the loop it was first used on" ~ (", and so does the secret cache's lock" if secret else "") ~ ". Between invocations Lambda freezes the process, loop included.") | wordwrap(94, wrapstring="\n# ") }}
loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
{%- if secret %}

# The client finds the Region and credentials in the environment, as Lambda sets them (and
# AWS_ENDPOINT_URL, if set, which is how tests and `make run` reach a local moto server).
{%- if cookiecutter.cold_start == "snapstart" %}
# This client reads at init and after each SnapStart restore, which Lambda gives 10 seconds
# each (Lambda Developer Guide, "Understanding the Lambda execution environment lifecycle" and
# "Lambda SnapStart runtime hooks for Python").
{%- else %}
# This client reads at init, which Lambda gives 10 seconds (Lambda Developer Guide,
# "Understanding the Lambda execution environment lifecycle").
{%- endif %}
# An unreachable or hung store must not hold init past that: two attempts, each waiting at most
# 1 s for the connection, 1 s for the TLS handshake and 1 s for each read (a Secrets Manager
# answer takes milliseconds), so the read gives up within about 6 s (plus the DNS lookup,
# which the standard library cannot bound).
secrets_manager = AwsJsonClient(SECRETS_MANAGER, max_attempts=2, timeout_seconds=1)

# The secret is read now, so a missing secret, a missing permission or an unreachable store
{%- if cookiecutter.trigger == "sqs" %}
# fails the cold start instead of every message: Lambda reports the init error, and the batch
# returns to the queue after its visibility timeout (README: "When the function fails before
# its records"). Later the value is reused until the TTL passes or the task refreshes it.
{%- else %}
# fails the cold start instead of every message: Lambda reports the init error, retries the
# event, and in the end sends it to the dead-letter queue. Later the value is reused until the
# TTL passes or the task refreshes it.
{%- endif %}
secret = SecretCache(
    fetch=lambda: secrets_manager.call("GetSecretValue", {"SecretId": settings.secret_name})[
        "SecretString"
    ],
    ttl_seconds=settings.secret_ttl_seconds,
)
try:
    secret.prefetch()
except Exception:
    # The error names the secret and the cause, never the value (which was not read).
    logger.exception("init failed: cannot read the secret %s", settings.secret_name)
    raise
{%- endif %}
{%- if cookiecutter.idempotency == "on" %}

{%- if cookiecutter.trigger == "sqs" %}
# A message is remembered as finished for the queue's retention period (MessageRetentionPeriod
# in template.yaml): no delivery of it can arrive later than that.
{%- else %}
# A message is remembered as finished for 4 days, far longer than a redelivery can come: Lambda
# drops an event older than MaximumEventAgeInSeconds (an hour, template.yaml).
{%- endif %}
DONE_RETENTION_SECONDS = 4 * 24 * 60 * 60

# The ledger's DynamoDB calls block, so they run in the loop's default executor
# (asyncio.to_thread). Its default size, min(32, CPUs + 4), is 6 threads on two cores: fewer
# than the messages a batch works on at once, whose claims would wait in line for a thread. One
# thread per message in flight, each with a kept connection from the client.
loop.set_default_executor(ThreadPoolExecutor(max_workers=settings.max_concurrency))

# Remembers which messages were finished, so a message delivered twice is worked on once.
ledger = Ledger(
    client=AwsJsonClient(DYNAMODB),
    table_name=settings.idempotency_table_name,
    retention_seconds=DONE_RETENTION_SECONDS,
)
{%- endif %}

# The task (task.py), built once; every invocation reuses it.
task = Task(task_settings{{ ", secret" if secret }})
{%- if cookiecutter.cold_start == "snapstart" %}


# SnapStart calls this in each container restored from the snapshot, before its first event
# (register_after_restore comes with the Lambda runtime; requirements/dev.in pins it for tests).
@register_after_restore
def refresh_after_restore() -> None:
    """Renew what a SnapStart snapshot must not carry into the containers restored from it.

    Lambda runs the init above once per published version and restores every new container
    from a snapshot of it, possibly days later and many times over.
    """
    # Every container restored from one snapshot would draw the same "random" retry jitter,
    # so their retries would arrive together: seed again from the operating system, first.
    random.seed()
{%- if secret %}
    # The connection the init's read left open belongs to the environment that took the
    # snapshot; and the secret in the snapshot is as old as the version and may have been
    # rotated since.
    secrets_manager.close()
    secret.prefetch()
{%- endif %}
    # What the task opened (connections, say) belongs to the environment that took the snapshot.
    loop.run_until_complete(task.renew())
{%- endif %}


# Of the time left when a batch starts, this share (at most MAX_MARGIN_SECONDS) is kept to
# cancel unfinished work, log and answer before Lambda's own timeout would end the
# invocation and return every record of the batch to the queue.
MARGIN_SHARE = 0.1
MAX_MARGIN_SECONDS = 1.0


class LambdaContext(Protocol):
    """The part of Lambda's context object that this handler uses."""
{%- if cookiecutter.trigger == "invoke" %}

    aws_request_id: str
{%- endif %}

    def get_remaining_time_in_millis(self) -> int:
        """Return the milliseconds left before Lambda stops the invocation."""
        ...
{%- if cookiecutter.trigger != "sqs" %}


class MessagesFailedError(Exception):
    """Some messages of the event failed: Lambda retries the event, then sends it to the DLQ."""
{%- endif %}


{% if cookiecutter.trigger == "sqs" -%}
def lambda_handler(event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Run the task for every record of an SQS batch and report the ones that failed.

    Synchronous, because Lambda's Python runtime calls the handler and does not await it.

    Returns:
        SQS's partial batch response (ReportBatchItemFailures, set in template.yaml): the
        records listed go back to the queue, and to the dead-letter queue once they have been
        received max_receive_count times; the others are deleted.
    """
    messages = parse_messages(event)
{%- else -%}
{%- if cookiecutter.trigger == "invoke" -%}
def lambda_handler(event: Any, context: LambdaContext) -> None:  # noqa: ANN401 - any JSON
{%- else -%}
def lambda_handler(event: Mapping[str, Any], context: LambdaContext) -> None:
{%- endif %}
    """Run the task for every message of the event; raise if any of them failed.

    Synchronous, because Lambda's Python runtime calls the handler and does not await it.

    Raises:
        MessagesFailedError: If a message failed. Lambda then retries the whole event (up to
            MaximumRetryAttempts in template.yaml) and finally sends it, with this error, to
            the dead-letter queue. Returning instead would drop the event for good.
    """
    messages = parse_messages(event{{ ", context.aws_request_id" if cookiecutter.trigger == "invoke" }})
{%- endif %}
    remaining_seconds = context.get_remaining_time_in_millis() / 1000
    margin_seconds = min(remaining_seconds * MARGIN_SHARE, MAX_MARGIN_SECONDS)
{%- if cookiecutter.idempotency == "on" %}
    # A claim on a message lasts as long as this invocation may.
    work = functools.partial(ledger.run_once, work=task.run, claim_seconds=remaining_seconds)
{%- else %}
    work = task.run
{%- endif %}
    # Temporary files of this invocation are removed when it ends, so /tmp (512 MB by default,
    # shared by every invocation of the container) never fills up with leftovers.
    with invocation_scratch():
        failed = loop.run_until_complete(
            process_batch(
                messages,
                work,
                max_concurrency=settings.max_concurrency,
                time_budget_seconds=remaining_seconds - margin_seconds,
            )
        )
    logger.info(
        "{{ "batch" if cookiecutter.trigger == "sqs" else "event" }} processed: %d received, %d failed",
        len(messages),
        len(failed),
        extra={"received": len(messages), "failed": len(failed)},
    )
{%- if cookiecutter.trigger == "sqs" %}
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
{%- else %}
    if failed:
        # Each failure was logged with its cause; the message names the ids to look for.
        raise MessagesFailedError(
            f"{len(failed)} of {len(messages)} messages failed: {', '.join(failed)}"
        )
{%- endif %}
