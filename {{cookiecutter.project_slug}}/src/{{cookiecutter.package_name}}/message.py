{%- set trigger = cookiecutter.trigger -%}
"""One unit of work, whatever the trigger: what events.py makes of an event, and the task takes.

The machinery (events.py, batch.py, idempotency.py, handler.py) and the task meet here, so the
task can be replaced without the machinery noticing. Besides the payload, a message carries the
facts AWS documents about its event that a task may need, read once in events.py (which
cites the pages): the task never parses an event.
"""

{% if trigger == "s3" -%}
import functools
import json
{% endif -%}
{% if trigger in ("sqs", "sns") -%}
from collections.abc import Mapping
{% endif -%}
from dataclasses import KW_ONLY, dataclass{{ ", field" if trigger != "invoke" }}
{%- if trigger != "invoke" %}
from datetime import UTC, datetime
{%- endif %}
{%- if trigger == "s3" %}
from urllib.parse import unquote_plus
{%- endif %}
{%- if trigger == "s3" %}


@dataclass(frozen=True)
class StoredObject:
    """An object of the bucket, as the task reads it: ``s3.get_object(Bucket=..., Key=...)``.

    Attributes:
        bucket: The bucket's name.
        key: The object's key, decoded.
    """

    bucket: str
    key: str
{%- endif %}
{%- set time_means = {
    "sqs": "when the message was sent to the queue (``SentTimestamp``)",
    "schedule": "the run's scheduled time, the same for every attempt of the run",
    "eventbridge": "the event's ``time``, set by the service or application that sent it",
    "s3": "when S3 finished the request that created the object (``eventTime``)",
    "sns": "when the notification was published (``Timestamp``)",
} %}


@dataclass(frozen=True)
class Message:
    """One unit of work.

    Attributes:
        id: Stable across redeliveries of the same message{{ " (SQS: ``messageId``)" if trigger == "sqs" else " (see events.py)" }}.
        body: The payload, as it came{{ ": the notification's record, as JSON" if trigger == "s3" }}.
{%- if trigger != "invoke" %}
        time: UTC, {{ time_means[trigger] }}.
            A message made by hand (a test) has the time it was made.
{%- endif %}
{%- if trigger == "sqs" %}
        delivery_count: How many times the queue has handed this message out, this time included:
            approximate (``ApproximateReceiveCount``), 1 the first time.
{%- endif %}
{%- if trigger in ("sqs", "sns") %}
        attributes: The message attributes the sender set, by name, each value as the text the
            event carries it in (a Binary attribute's is base64, as the sender gave it to {{ "SQS" if trigger == "sqs" else "SNS" }}).
{%- endif %}
{%- if trigger == "sns" %}
        subject: The notification's subject, or None if it had none.
{%- endif %}
{%- if trigger == "schedule" %}
        schedule_arn: The schedule that started the run.
{%- endif %}
{%- if trigger == "eventbridge" %}
        source: The event's ``source`` (``aws.s3``, ``com.example.orders``).
        detail_type: The event's ``detail-type``: with ``source``, what kind of event it is.
{%- endif %}
        smoke_test: True for the events ``make smoke`` sends to a deployed stack: a task with
            side effects may skip them (README, "Deploy").
    """

    id: str
    body: str
    _: KW_ONLY
{%- if trigger != "invoke" %}
    # Not part of equality only because a message made by hand gets the time it was made; every
    # message events.py makes carries the event's own.
    time: datetime = field(default_factory=lambda: datetime.now(UTC), compare=False)
{%- endif %}
{%- if trigger == "sqs" %}
    # A fact of this delivery, not of the message: a redelivered message is still the same one.
    delivery_count: int = field(default=1, compare=False)
{%- endif %}
{%- if trigger in ("sqs", "sns") %}
    # Left out of the hash, as a mapping has none; events.py gives a read-only one.
    attributes: Mapping[str, str] = field(default_factory=dict, hash=False)
{%- endif %}
{%- if trigger == "sns" %}
    subject: str | None = None
{%- endif %}
{%- if trigger == "schedule" %}
    schedule_arn: str = ""
{%- endif %}
{%- if trigger == "eventbridge" %}
    source: str = ""
    detail_type: str = ""
{%- endif %}
    smoke_test: bool = False
{%- if trigger == "s3" %}

    @functools.cached_property
    def stored_object(self) -> StoredObject:
        """The object whose creation this message reports.

        S3 sends the key URL-encoded, a space as ``+`` (Amazon S3 User Guide, "Event message
        structure"); a task that passed it on as it came would ask for an object that does not
        exist, or worse, another one.
        """
        s3 = json.loads(self.body)["s3"]
        return StoredObject(bucket=s3["bucket"]["name"], key=unquote_plus(s3["object"]["key"]))
{%- endif %}
