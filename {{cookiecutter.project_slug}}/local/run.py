"""`make run`: the function end to end on this machine, with no AWS account and no Docker.

Starts a moto server (Secrets Manager) and a local receiver (the target), stores the receiver's
API key in the secret, gives the function the environment of env.json pointed at both, imports
the handler (its init runs at import, as on a Lambda cold start) and invokes it with
events/sqs.json. Prints the batch response and what the receiver got.
"""

import asyncio
import importlib
import json
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Self

from local.aws import FAKE_CREDENTIALS, PROFILE_VARIABLES, create_secret, moto_server
from local.target import Receiver

PACKAGE = "{{ cookiecutter.package_name }}"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
FUNCTION_TIMEOUT_SECONDS = {{ cookiecutter.timeout | int }}  # the function's Timeout (template.yaml)
LOCAL_API_KEY = "local-api-key"  # made up; only the local receiver accepts it


@dataclass(frozen=True)
class LocalContext:
    """Stands in for Lambda's context object, with a real deadline."""

    deadline: float  # time.monotonic() at which the invocation would be stopped

    @classmethod
    def starting_now(cls, timeout_seconds: float) -> Self:
        """Return a context for an invocation that starts now and may last ``timeout_seconds``."""
        return cls(deadline=time.monotonic() + timeout_seconds)

    def get_remaining_time_in_millis(self) -> int:
        """Return the milliseconds left before the deadline, as Lambda's context does."""
        return max(int((self.deadline - time.monotonic()) * 1000), 0)


def function_environment(endpoint_url: str, target_url: str) -> dict[str, str]:
    """Return the function's environment: env.json's values, pointed at local stand-ins."""
    parameters = json.loads((PROJECT_ROOT / "env.json").read_text(encoding="utf-8"))["Parameters"]
    return {
        **parameters,
        "TARGET_URL": target_url,
        "AWS_ENDPOINT_URL": endpoint_url,
        **FAKE_CREDENTIALS,
    }


def load_handler() -> ModuleType:
    """Import the handler module afresh: its initialisation runs now, as on a cold start."""
    sys.modules.pop(f"{PACKAGE}.handler", None)
    return importlib.import_module(f"{PACKAGE}.handler")


def unload_handler(handler: ModuleType) -> None:
    """Close what the handler opened at init (on Lambda the container is simply discarded)."""
    handler.loop.run_until_complete(handler.target.client.aclose())
    handler.loop.close()
    asyncio.set_event_loop(None)
    sys.modules.pop(f"{PACKAGE}.handler", None)


def main() -> None:
    """Run events/sqs.json through the function and print the outcome."""
    # The function's own records at INFO; the libraries' (moto, botocore) only when they warn.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger(PACKAGE).setLevel(logging.INFO)
    # moto's server logs each request it serves, at INFO, through werkzeug's own logger.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    event = json.loads((PROJECT_ROOT / "events" / "sqs.json").read_text(encoding="utf-8"))
    with moto_server() as endpoint_url, Receiver(api_key=LOCAL_API_KEY) as receiver:
        for name in PROFILE_VARIABLES:
            os.environ.pop(name, None)
        os.environ.update(function_environment(endpoint_url, receiver.url))
        create_secret(endpoint_url, os.environ["SECRET_NAME"], LOCAL_API_KEY)
        handler = load_handler()
        try:
            context = LocalContext.starting_now(FUNCTION_TIMEOUT_SECONDS)
            response = handler.lambda_handler(event, context)
        finally:
            unload_handler(handler)

    print("Batch response (the records listed go back to the queue):")
    print(json.dumps(response, indent=2))
    print(f"The receiver accepted {len(receiver.deliveries)} of {len(event['Records'])} records:")
    for delivery in receiver.deliveries:
        print(f"  Idempotency-Key {delivery.idempotency_key}: {delivery.body}")


if __name__ == "__main__":
    main()
