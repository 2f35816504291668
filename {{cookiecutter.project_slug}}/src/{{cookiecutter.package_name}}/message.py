"""One unit of work, whatever the trigger: what events.py makes of an event, and the task takes.

The machinery (events.py, batch.py, idempotency.py, handler.py) and the task meet here, so the
task can be replaced without the machinery noticing.
"""

{% if cookiecutter.trigger == "s3" -%}
import functools
import json
{% endif -%}
from dataclasses import dataclass
{%- if cookiecutter.trigger == "s3" %}
from urllib.parse import unquote_plus
{%- endif %}
{%- if cookiecutter.trigger == "s3" %}


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


@dataclass(frozen=True)
class Message:
    """One unit of work.

    Attributes:
        id: Stable across redeliveries of the same message{{ " (SQS: ``messageId``)" if cookiecutter.trigger == "sqs" else " (see events.py)" }}.
        body: The payload, as it came{{ ": the notification's record, as JSON" if cookiecutter.trigger == "s3" }}.
    """

    id: str
    body: str
{%- if cookiecutter.trigger == "s3" %}

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
