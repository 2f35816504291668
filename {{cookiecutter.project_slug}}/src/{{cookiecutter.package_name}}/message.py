"""One unit of work, whatever the trigger: what events.py makes of an event, and the task takes.

The machinery (events.py, batch.py, idempotency.py, handler.py) and the task meet here, so the
task can be replaced without the machinery noticing.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    """One unit of work.

    Attributes:
        id: Stable across redeliveries of the same message{{ " (SQS: ``messageId``)" if cookiecutter.trigger == "sqs" else " (see events.py)" }}.
        body: The payload, as it came.
    """

    id: str
    body: str
