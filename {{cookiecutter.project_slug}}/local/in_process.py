"""The handler imported into the calling process: quick to start, for tests that look inside.

`local.runtime` runs the function as Lambda does, in its own process; this module trades that
faithfulness for speed and access to the handler's module-level objects.
"""

import asyncio
import importlib
import sys
import time
import uuid
from dataclasses import dataclass
from types import ModuleType
from typing import Self

PACKAGE = "{{ cookiecutter.package_name }}"


@dataclass(frozen=True)
class LocalContext:
    """Stands in for Lambda's context object, with a real deadline."""

    deadline: float  # time.monotonic() at which the invocation would be stopped
    aws_request_id: str

    @classmethod
    def starting_now(cls, timeout_seconds: float, request_id: str | None = None) -> Self:
        """Return a context for an invocation that starts now and may last ``timeout_seconds``.

        The request id is new unless given (a retry of an asynchronous invocation keeps its id).
        """
        return cls(
            deadline=time.monotonic() + timeout_seconds,
            aws_request_id=request_id or str(uuid.uuid4()),
        )

    def get_remaining_time_in_millis(self) -> int:
        """Return the milliseconds left before the deadline, as Lambda's context does."""
        return max(int((self.deadline - time.monotonic()) * 1000), 0)


def load_handler() -> ModuleType:
    """Import the handler module afresh: its initialisation runs now, as on a cold start."""
    sys.modules.pop(f"{PACKAGE}.handler", None)
    return importlib.import_module(f"{PACKAGE}.handler")


def unload_handler(handler: ModuleType) -> None:
    """Close what the handler opened at init (on Lambda the container is simply discarded)."""
    handler.loop.run_until_complete(handler.task.close())
    handler.loop.close()
    asyncio.set_event_loop(None)
    sys.modules.pop(f"{PACKAGE}.handler", None)
